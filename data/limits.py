"""Upload limits: how much one file may hold, and the settings that change them.

Every limit is checked while the file is read (``data.reader``), so a hostile file is refused as soon as
it crosses one, before anything big is built; the message names the limit and its setting, e.g.
``row 2,000,001: over the 2,000,000-row limit (PRISM_MAX_ROWS)``.

=====================  ==========================  =========  ============================================
limit                  setting                     default    what it bounds
=====================  ==========================  =========  ============================================
``upload_bytes``       ``PRISM_MAX_UPLOAD_MB``     200 MB     the file's own size
``unpacked_bytes``     ``PRISM_MAX_UNPACKED_MB``   512 MB     bytes inflated from a gzip / ZIP / XLSX
                                                              (summed over every member, counted while
                                                              inflating, never trusting the header)
``rows``               ``PRISM_MAX_ROWS``          2,000,000  data rows (records of a text file, sheet
                                                              rows of an XLSX)
``columns``            ``PRISM_MAX_COLUMNS``       500        columns (checked on the header and first
                                                              records before the file is parsed)
``cell_chars``         ``PRISM_MAX_CELL_CHARS``    100,000    characters in one cell
=====================  ==========================  =========  ============================================

The defaults fit real exports with room to spare (Online Retail: 541,909 rows, 8 columns, 45 MB of
text; an Excel sheet holds at most 1,048,576 rows and 32,767 characters per cell). Settings are read
at call time (:func:`current`), never at import, so tests and a running server see a changed
environment; a setting that is not a positive whole number is an :class:`~data.errors.IngestError`
naming it. The command line may pass larger limits (:func:`for_cli`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from data.errors import IngestError

__all__ = ["Limits", "SETTINGS", "current", "for_cli", "describe", "over", "fmt"]

MB = 1024 * 1024


@dataclass(frozen=True)
class Setting:
    field: str  # attribute of Limits
    env: str  # environment variable
    default: int  # in the setting's unit
    unit: int  # bytes per unit (MB) or 1
    what: str  # human name of the limit, for messages


SETTINGS: dict[str, Setting] = {s.field: s for s in (
    Setting("upload_bytes", "PRISM_MAX_UPLOAD_MB", 200, MB, "upload size"),
    Setting("unpacked_bytes", "PRISM_MAX_UNPACKED_MB", 512, MB, "unpacked size"),
    Setting("rows", "PRISM_MAX_ROWS", 2_000_000, 1, "row"),
    Setting("columns", "PRISM_MAX_COLUMNS", 500, 1, "column"),
    Setting("cell_chars", "PRISM_MAX_CELL_CHARS", 100_000, 1, "cell length"),
)}

# Larger defaults for the command line (files of several GB, read by an operator, not a browser).
_CLI_DEFAULTS = {"upload_bytes": 20 * 1024, "unpacked_bytes": 50 * 1024, "rows": 200_000_000, "columns": 2_000,
                 "cell_chars": 1_000_000}


@dataclass(frozen=True)
class Limits:
    """The limits in force for one read (bytes, rows, columns, characters)."""

    upload_bytes: int
    unpacked_bytes: int
    rows: int
    columns: int
    cell_chars: int

    def env(self, field: str) -> str:
        """The environment variable that sets a limit.

        Parameters
        ----------
        field : str
            The limit's field.

        Returns
        -------
        str
            The variable's name.
        """
        return SETTINGS[field].env

    def with_(self, **changes: int) -> "Limits":
        """A copy with some limits changed.

        Parameters
        ----------
        **changes : int
            Field -> new value.

        Returns
        -------
        'Limits'
            The new limits.
        """
        return replace(self, **changes)


def _read_setting(s: Setting, default: int | None = None) -> int:
    raw = os.environ.get(s.env)
    if raw is None or not raw.strip():
        return (s.default if default is None else default) * s.unit
    text = raw.strip().replace("_", "").replace(",", "")
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        unit = " (megabytes)" if s.unit == MB else ""
        raise IngestError(f"the setting {s.env}={raw.strip()!r} is not a whole number above 0{unit}; fix or unset it "
                          f"(default {s.default:,})", reason="bad setting")
    return value * s.unit


def current(**overrides: int | None) -> Limits:
    """The limits from the environment now (defaults where unset); ``overrides`` win when not None.

    Parameters
    ----------
    **overrides : int | None
        Field -> value (None: not overridden).

    Returns
    -------
    Limits
        The limits.
    """
    values = {f: _read_setting(s) for f, s in SETTINGS.items()}
    values.update({k: int(v) for k, v in overrides.items() if v is not None})
    return Limits(**values)


def for_cli(**overrides: int | None) -> Limits:
    """Like :func:`current`, with larger defaults for the command line (a set environment variable wins).

    Parameters
    ----------
    **overrides : int | None
        Field -> value (None: not overridden).

    Returns
    -------
    Limits
        The limits.
    """
    values = {f: _read_setting(s, _CLI_DEFAULTS[f]) for f, s in SETTINGS.items()}
    values.update({k: int(v) for k, v in overrides.items() if v is not None})
    return Limits(**values)


def fmt(field: str, value: int) -> str:
    """A limit formatted for a message: "512 MB", "2,000,000".

    Parameters
    ----------
    field : str
        The limit's field.
    value : int
        Its value.

    Returns
    -------
    str
        The text.
    """
    s = SETTINGS[field]
    if s.unit == MB:
        mb = value / MB
        return f"{mb:,.0f} MB" if mb == int(mb) else f"{mb:,.1f} MB"
    return f"{value:,}"


def describe(limits: Limits | None = None) -> dict[str, str]:
    """``{field: "200 MB"}``: the limits formatted for a caption (the Data page shows them).

    Parameters
    ----------
    limits : Limits | None
        The limits (None: :func:`current`).

    Returns
    -------
    dict[str, str]
        Field -> text.
    """
    lim = limits or current()
    return {f: fmt(f, getattr(lim, f)) for f in SETTINGS}


def over(field: str, limits: Limits, *, where: str = "", actual: str = "") -> IngestError:
    """The error for crossing a limit: ``"row 2,000,001: over the 2,000,000-row limit (PRISM_MAX_ROWS)"``.

    Parameters
    ----------
    field : str
        The limit crossed.
    limits : Limits
        The limits.
    where : str
        Where (e.g. "row 2,000,001"), or "".
    actual : str
        The actual size, or "".

    Returns
    -------
    IngestError
        The error (to raise).
    """
    s = SETTINGS[field]
    value = fmt(field, getattr(limits, field))
    if field in ("rows", "columns"):
        text = f"over the {value}-{s.what} limit ({s.env})"
    elif field == "cell_chars":
        text = f"over the {value}-character cell length limit ({s.env})"
    else:
        text = f"over the {value} {s.what} limit ({s.env})"
    if actual:
        text = f"{actual}, {text}"
    if where:
        text = f"{where}: {text}"
    return IngestError(text, reason=f"{field} limit")
