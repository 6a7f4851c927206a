"""Validation: the bad-rows policy (:func:`check_bad_rows`) and the rows to load (:func:`validate`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.errors import IngestError

from .base import Converted

def _first_error(errors: pd.DataFrame) -> str:
    if errors is None or errors.empty:
        return ""
    e = errors.iloc[0]
    value = str(e["value"])
    value = value if len(value) <= 40 else value[:39] + "…"
    return f"; first: line {int(e['row'])}, column '{e['column']}', value '{value}': {e['reason']}"


def check_bad_rows(n: int, n_bad: int, errors: pd.DataFrame | None, *, source_name: str = "",
                   max_bad_share: float = 0.05, keep_good_rows: bool | None = None) -> None:
    """The bad-rows policy on counts (``n`` rows of which ``n_bad`` are bad; ``errors``: the first bad
    cells, in line order): raise IngestError when the file is refused (see module doc).

    Parameters
    ----------
    n : int
        Rows.
    n_bad : int
        Bad rows.
    errors : pd.DataFrame | None
        The first bad cells, or None.
    source_name : str
        The file's name, for the message.
    max_bad_share : float
        Largest share of bad rows stored without asking.
    keep_good_rows : bool | None
        Keep the good rows (True), refuse any bad row (False) or decide by ``max_bad_share`` (None).
    """
    file = source_name or None
    if n == 0:
        raise IngestError("the file holds no data rows", file=file, reason="empty")
    if n_bad == 0:
        return
    share = n_bad / n
    detail = f"{n_bad:,} of {n:,} rows ({share:.1%}) have values that cannot be read{_first_error(errors)}"
    if n_bad == n:
        raise IngestError(f"every row is bad: {detail}", file=file, reason="all rows bad")
    if keep_good_rows is False:
        raise IngestError(f"file rejected: {detail}", file=file, reason="bad rows")
    if keep_good_rows is None and share > max_bad_share:
        raise IngestError(f"file rejected: {detail}; that is over the {max_bad_share:.0%} limit. Fix the file or "
                          "choose to keep only the good rows", file=file, reason="too many bad rows")


def validate(converted: Converted, *, max_bad_share: float = 0.05, keep_good_rows: bool | None = None) -> pd.DataFrame:
    """The rows to load, or IngestError (see module doc for the policy).

    Parameters
    ----------
    converted : Converted
        The converted table.
    max_bad_share : float
        Largest share of bad rows stored without asking.
    keep_good_rows : bool | None
        See :func:`check_bad_rows`.

    Returns
    -------
    pd.DataFrame
        The good rows.
    """
    frame = converted.frame
    bad = np.asarray(converted.bad_rows, dtype=bool)
    n_bad = int(bad.sum())
    check_bad_rows(len(frame), n_bad, converted.errors, source_name=converted.source_name,
                   max_bad_share=max_bad_share, keep_good_rows=keep_good_rows)
    if n_bad == 0:
        return frame
    return frame.loc[~bad].reset_index(drop=True)
