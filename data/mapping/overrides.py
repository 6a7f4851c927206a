"""Overrides: the user's choices (a column by name or 1-based position, a fixed ``=value``, "" to unmap)
applied to the suggested mapping (:func:`apply_overrides`), and the mapping review's doubtful guesses and
overrides (:func:`doubtful`, :func:`review_overrides`)."""

from __future__ import annotations

from data.errors import IngestError
from data.schema import KINDS, normalise_header

from .base import FieldMatch, _kind

FIXED = "="  # a mapping value "=Facebook" is a fixed value for every row, not a column


def fixed_value(value: object, columns: list[str]) -> str | None:
    """The fixed value a mapping value names ("=Facebook" -> "Facebook"), or None for a column (a column
    whose header itself starts with "=" stays a column).

    Parameters
    ----------
    value : object
        A mapping value.
    columns : list[str]
        The file's headers.

    Returns
    -------
    str | None
        The value, or None.
    """
    if isinstance(value, str) and value.startswith(FIXED) and len(value) > 1 and value not in columns:
        return value[1:].strip() or None
    return None


def _resolve_column(value: str, columns: list[str]) -> str:
    if value in columns:
        return value
    v = value.strip()
    if v in columns:
        return v
    if v.isdigit():
        i = int(v)
        if 1 <= i <= len(columns):
            return columns[i - 1]
        raise IngestError(f"column position {i} is out of range: the file has {len(columns)} column(s)",
                          column=v, reason="unknown column")
    key = normalise_header(v)
    hits = [c for c in columns if normalise_header(c) == key]
    if len(hits) == 1:
        return hits[0]
    shown = ", ".join(columns[:30]) + (" ..." if len(columns) > 30 else "")
    raise IngestError(f"there is no column '{value}' in the file; columns: {shown}", column=value,
                      reason="unknown column")


SURE = 0.8  # a guess below this confidence is put to the user as a question, not shown as settled


def doubtful(suggested: dict[str, FieldMatch], mapping: dict[str, str]) -> list[FieldMatch]:
    """The guesses ``mapping`` still uses whose confidence is below :data:`SURE` (a partial name match, a
    match by content), in field order: the review asks about them instead of calling the file valid.

    Parameters
    ----------
    suggested : dict[str, FieldMatch]
        Field -> suggestion.
    mapping : dict[str, str]
        Field -> column in use.

    Returns
    -------
    list[FieldMatch]
        The doubtful matches.
    """
    return [m for f, m in suggested.items() if mapping.get(f) == m.column and m.confidence < SURE]


def review_overrides(rows: list[dict], mapping: dict[str, str]) -> dict[str, str] | None:
    """The overrides a mapping review's rows ask for ({"field", "column"} each; a cleared cell arrives as
    "", None or NaN), or None when they ask for ``mapping`` as it is. A field that ``mapping`` maps and
    the review clears is unmapped explicitly (""), not handed back to the suggestion, and a cleared
    cell never becomes a column called "nan".

    Parameters
    ----------
    rows : list[dict]
        The review's rows (``field``, ``column``).
    mapping : dict[str, str]
        Field -> column in use.

    Returns
    -------
    dict[str, str] | None
        Field -> column ("" to unmap), or None.
    """
    def cell(v) -> str:
        return v.strip() if isinstance(v, str) and v.strip() not in ("", "nan", "None") else ""

    asked = {str(r["field"]): cell(r.get("column")) for r in rows}
    if {f: c for f, c in asked.items() if c} == dict(mapping):
        return None
    return {f: c for f, c in asked.items() if c or f in mapping}


def apply_overrides(
    suggested: dict[str, FieldMatch],
    overrides: dict[str, str] | None,
    columns: list[str],
    *,
    kind: str | None = None,
) -> dict[str, str]:
    """Suggested mapping + the user's overrides -> field -> column. ``kind`` (recommended) is used to
    check field names; without it any field of any kind is accepted.

    Parameters
    ----------
    suggested : dict[str, FieldMatch]
        Field -> suggestion.
    overrides : dict[str, str] | None
        Field -> column, ``=value`` or "" / "-" / None to unmap; or None (IngestError for an unknown field or
        a column mapped twice).
    columns : list[str]
        The file's headers.
    kind : str | None
        The dataset kind, or None.

    Returns
    -------
    dict[str, str]
        Field -> column or ``=value``.
    """
    columns = [str(c) for c in columns]
    valid = set(_kind(kind).field_names) if kind else {f.name for k in KINDS.values() for f in k.fields}
    mapping = {f: m.column for f, m in suggested.items()}
    explicit: dict[str, str] = {}
    for fname, value in (overrides or {}).items():
        fname = str(fname).strip()
        if fname not in valid:
            raise IngestError(
                f"unknown field '{fname}'" + (f" for kind {kind}; fields: {', '.join(sorted(valid))}" if kind else ""),
                reason="unknown field")
        if value is None or str(value).strip() in ("", "-"):
            mapping.pop(fname, None)
            continue
        if fixed_value(str(value).strip(), columns) is not None:
            mapping[fname] = FIXED + fixed_value(str(value).strip(), columns)  # type: ignore[operator]
            continue
        col = _resolve_column(str(value), columns)
        for other, c in explicit.items():
            if c == col and other != fname:
                raise IngestError(f"column '{col}' is mapped to both {other} and {fname}", column=col,
                                  reason="column mapped twice")
        explicit[fname] = col
    for fname, col in explicit.items():
        for other in [f for f, c in mapping.items() if c == col and f != fname and f not in explicit]:
            mapping.pop(other)
        mapping[fname] = col
    return mapping
