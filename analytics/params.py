"""Page parameters: one spec per page, shared by the URL (share links), the page widgets and the CLI.

A page module declares ``PARAMS = [Param(...), ...]``. Values travel as short strings in the URL
query (ISO dates, plain numbers) and in ``--param KEY=VALUE``; :func:`parse_params` turns them into
typed values and never raises: a bad value falls back to the default and is reported in ``problems``.

Every value is checked against a range, explicit or safe by default: an ``int`` without bounds stays
within the browser's safe integers (+-(2**53 - 1), what Streamlit's number_input and slider accept),
an id (:func:`id_param`, :func:`parse_id`: datasets in the sidebar, saved plans and personas) within
1 .. 2**63 - 1 (a 64-bit database key). Numbers are read from ASCII digits only ("²" and "١" are
refused, not passed to int()), huge exponents ("1e400") are refused instead of overflowing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Sequence

JS_SAFE_INT = 2**53 - 1   # Number.MAX_SAFE_INTEGER: the largest int a number_input / slider takes
ID_MAX = 2**63 - 1        # the largest 64-bit signed database key (SQLite INTEGER, PostgreSQL BIGINT)
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_MAX_NUMBER_TEXT = 400     # characters; a longer "number" is refused before it is converted


@dataclass(frozen=True)
class Param:
    key: str                      # short, stable URL key, e.g. "grain"
    type: str                     # "str" | "int" | "float" | "date" | "bool" | "list"
    default: Any = None
    choices: Sequence[Any] | None = None
    min: float | None = None
    max: float | None = None
    help: str = ""                # i18n key of the hover text, optional

    def bounds(self) -> tuple[float | None, float | None]:
        """The range a value must lie in: the explicit min/max, and for an int at most the safe range.

        Returns
        -------
        tuple[float | None, float | None]
            (low, high), None where unbounded.
        """
        if self.type == "int":
            lo = -JS_SAFE_INT if self.min is None else max(self.min, -ID_MAX)
            hi = JS_SAFE_INT if self.max is None else min(self.max, ID_MAX)
            return lo, hi
        return self.min, self.max


def id_param(key: str, default: int | None = None, *, min: int = 1) -> Param:
    """An object or dataset id in the URL (``o``, ``cu``, ``plan``, ``persona``...): ``min`` .. 2**63 - 1
    (``min=0`` where 0 is the "none" choice, as in the sidebar's dataset pickers).

    Parameters
    ----------
    key : str
        The URL key.
    default : int | None
        Default id, or None.
    min : int
        Smallest id allowed.

    Returns
    -------
    Param
        The parameter.
    """
    return Param(key, "int", default, min=min, max=ID_MAX)


def parse_int(raw: Any) -> int:
    """An int from ASCII text: "42", "+42", "42.0", "4.2e1"; ValueError for anything else, including
    non-ASCII digits, a fraction, NaN, infinity and exponents too large for a float.

    Parameters
    ----------
    raw : Any
        The value (text, int or float; a bool is refused).

    Returns
    -------
    int
        The int.
    """
    if isinstance(raw, bool):
        raise ValueError("not a whole number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if not math.isfinite(raw) or not raw.is_integer():
            raise ValueError("not a whole number")
        return int(raw)
    s = str(raw).strip()
    if len(s) > _MAX_NUMBER_TEXT:
        raise ValueError("not a whole number")
    if _INT.fullmatch(s):
        return int(s)
    if _FLOAT.fullmatch(s):
        f = float(s)
        if not math.isfinite(f):
            raise ValueError("out of range")
        if not f.is_integer():
            raise ValueError("not a whole number")
        return int(f)
    raise ValueError("not a whole number")


def parse_float(raw: Any) -> float:
    """A finite float from ASCII text; ValueError otherwise (no "nan", "inf", "1e400", "٣").

    Parameters
    ----------
    raw : Any
        The value (text or number; a bool is refused).

    Returns
    -------
    float
        The float.
    """
    if isinstance(raw, bool):
        raise ValueError("not a number")
    if isinstance(raw, (int, float)):
        f = float(raw)
    else:
        s = str(raw).strip()
        if len(s) > _MAX_NUMBER_TEXT or not _FLOAT.fullmatch(s):
            raise ValueError("not a number")
        f = float(s)
    if not math.isfinite(f):
        raise ValueError("not a finite number")
    return f


def parse_id(raw: Any) -> int | None:
    """An id from a URL value: an int in 1 .. 2**63 - 1, else None (the caller reports it).

    Parameters
    ----------
    raw : Any
        The URL value.

    Returns
    -------
    int | None
        The id, or None.
    """
    try:
        v = parse_int(raw)
    except (ValueError, TypeError, OverflowError):
        return None
    return v if 1 <= v <= ID_MAX else None


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
        v = parse_int(raw)
    elif p.type == "float":
        v = parse_float(raw)
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
    lo, hi = p.bounds()
    if lo is not None and v < lo:
        raise ValueError(f"below the minimum {_num(lo)}")
    if hi is not None and v > hi:
        raise ValueError(f"above the maximum {_num(hi)}")
    return v


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def parse_params(spec: Sequence[Param], raw: dict[str, Any]) -> Parsed:
    """The typed values of ``spec`` from raw URL values; a bad value takes the default and is reported.

    Parameters
    ----------
    spec : Sequence[Param]
        The page's parameters.
    raw : dict[str, Any]
        Key -> raw value.

    Returns
    -------
    Parsed
        ``values`` (key -> typed value) and ``problems`` (one ``key=value: reason`` each).
    """
    out = Parsed()
    for p in spec:
        try:
            out.values[p.key] = _convert(p, raw.get(p.key))
        except (ValueError, TypeError, OverflowError) as exc:
            out.values[p.key] = p.default
            out.problems.append(f"{p.key}={raw.get(p.key)!r}: {exc}")
    return out


def resolve(spec: Sequence[Param], values: dict[str, Any] | None) -> dict[str, Any]:
    """Every parameter of ``spec`` with its value: the given (already typed) value, else the Param's
    default; the shared window ``start`` / ``end`` default to None. The one place a page module's
    parameters are completed (no per-module default filling), so a link that spells out a default and
    one that leaves it out give the same fit and the same cache entry.

    Parameters
    ----------
    spec : Sequence[Param]
        The page's parameters.
    values : dict[str, Any] | None
        Typed values, or None.

    Returns
    -------
    dict[str, Any]
        Every key of ``spec`` plus ``start`` and ``end``.
    """
    given = {k: v for k, v in (values or {}).items() if v is not None}
    out: dict[str, Any] = {"start": None, "end": None}
    out.update({p.key: p.default for p in spec})
    out.update(given)
    return out


def to_query(spec: Sequence[Param], values: dict[str, Any]) -> dict[str, str]:
    """Serialise non-default values for the URL (short and stable).

    Parameters
    ----------
    spec : Sequence[Param]
        The page's parameters.
    values : dict[str, Any]
        Typed values.

    Returns
    -------
    dict[str, str]
        Key -> text, only for values other than the default.
    """
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
