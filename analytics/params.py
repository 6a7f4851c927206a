"""Page parameters: one spec per page, shared by the URL (share links), the page widgets and the CLI.

A page module declares ``PARAMS = [Param(...), ...]``. Values travel as short strings in the URL
query (ISO dates, plain numbers) and in ``--param KEY=VALUE``; :func:`parse_params` turns them into
typed values and never raises: a bad value falls back to the default and is reported in ``problems``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Sequence


@dataclass(frozen=True)
class Param:
    key: str                      # short, stable URL key, e.g. "grain"
    type: str                     # "str" | "int" | "float" | "date" | "bool" | "list"
    default: Any = None
    choices: Sequence[Any] | None = None
    min: float | None = None
    max: float | None = None
    help: str = ""                # i18n key of the hover text, optional


@dataclass
class Parsed:
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # "key=value: reason"


def _convert(p: Param, raw: Any) -> Any:
    if raw is None or raw == "":
        return p.default
    if p.type == "list":
        if isinstance(raw, (list, tuple)):
            items = [str(x) for x in raw]
        else:
            items = [s for s in str(raw).split(",") if s != ""]
        if p.choices is not None:
            bad = [x for x in items if x not in p.choices]
            if bad:
                raise ValueError(f"not one of the choices: {', '.join(bad)}")
        return items
    if p.type == "str":
        v: Any = str(raw)
    elif p.type == "int":
        v = int(float(str(raw)))
    elif p.type == "float":
        v = float(str(raw))
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError("not a finite number")
    elif p.type == "date":
        v = raw if isinstance(raw, date) else date.fromisoformat(str(raw)[:10])
    elif p.type == "bool":
        s = str(raw).strip().lower()
        if s in ("1", "true", "yes", "y", "on"):
            v = True
        elif s in ("0", "false", "no", "n", "off"):
            v = False
        else:
            raise ValueError("not a yes/no value")
    else:  # pragma: no cover - programming error
        raise ValueError(f"unknown param type {p.type}")
    if p.choices is not None and v not in p.choices:
        raise ValueError("not one of the choices")
    if p.min is not None and v < p.min:
        raise ValueError(f"below the minimum {p.min}")
    if p.max is not None and v > p.max:
        raise ValueError(f"above the maximum {p.max}")
    return v


def parse_params(spec: Sequence[Param], raw: dict[str, Any]) -> Parsed:
    out = Parsed()
    for p in spec:
        try:
            out.values[p.key] = _convert(p, raw.get(p.key))
        except (ValueError, TypeError) as exc:
            out.values[p.key] = p.default
            out.problems.append(f"{p.key}={raw.get(p.key)!r}: {exc}")
    return out


def to_query(spec: Sequence[Param], values: dict[str, Any]) -> dict[str, str]:
    """Serialise non-default values for the URL (short and stable)."""
    q: dict[str, str] = {}
    for p in spec:
        v = values.get(p.key, p.default)
        if v is None or v == p.default or (isinstance(v, (list, tuple)) and not v and not p.default):
            continue
        if isinstance(v, date):
            q[p.key] = v.isoformat()
        elif isinstance(v, bool):
            q[p.key] = "1" if v else "0"
        elif isinstance(v, (list, tuple)):
            q[p.key] = ",".join(str(x) for x in v)
        elif isinstance(v, float) and v.is_integer():
            q[p.key] = str(int(v))  # 200000, not 200000.0
        else:
            q[p.key] = str(v)
    return q
