"""Helpers shared by the page modules: date filtering, JSON-safe conversion, errors."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd


class AnalyticsError(Exception):
    """A result cannot be computed honestly. ``key`` is an i18n key, ``kwargs`` its values."""

    def __init__(self, key: str, **kwargs: Any) -> None:
        super().__init__(key)
        self.key = key
        self.kwargs = kwargs


class NotEnoughData(AnalyticsError):
    pass


class EngineLimit(AnalyticsError):
    """The engine ran out of the memory it may use computing the result (``data.errors.EngineMemoryError``):
    not the data's fault; a shorter range, a filter or a higher ``PRISM_ENGINE_MEMORY`` gets the result."""


def filter_dates(df: pd.DataFrame, col: str, start: date | None, end: date | None) -> pd.DataFrame:
    """Rows with ``start <= df[col] < end + 1 day`` (both ends inclusive by calendar day).

    Parameters
    ----------
    df : pd.DataFrame
        A frame with a datetime column ``col`` (None or empty: returned as is).
    col : str
        Name of the date column.
    start : date | None
        First day kept, or None for no lower bound.
    end : date | None
        Last day kept, or None for no upper bound.

    Returns
    -------
    pd.DataFrame
        The rows in the range (``df`` itself when there is no bound or no such column).
    """
    if df is None or df.empty or col not in df.columns or (start is None and end is None):
        return df
    mask = pd.Series(True, index=df.index)
    if start is not None:
        mask &= df[col] >= pd.Timestamp(start)
    if end is not None:
        mask &= df[col] < pd.Timestamp(end) + pd.Timedelta(days=1)
    return df.loc[mask]


_INFS = (math.inf, -math.inf)


def jsonable(obj: Any) -> Any:
    """Convert numpy / pandas values to plain JSON types; NaN and NaT become None.

    Parameters
    ----------
    obj : Any
        Any value: dicts, lists, tuples, frames, series, arrays, numpy scalars, timestamps, dates, periods.

    Returns
    -------
    Any
        The same structure with plain Python values: frames as lists of row dicts, timestamps as ISO strings
        (dates when at midnight), NaN / inf / NaT / NA as None.
    """
    t = type(obj)  # the plain types first, by identity: a result holds tens of thousands of leaves
    if t is str or t is int or t is bool or obj is None:
        return obj
    if t is float:
        return None if obj != obj or obj in _INFS else obj
    if t is dict:
        return {k if type(k) is str else str(k): jsonable(v) for k, v in obj.items()}
    if t is list or t is tuple:
        return [jsonable(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, pd.DataFrame):
        return [jsonable(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return jsonable(obj.tolist())
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat() if obj.time() != datetime.min.time() else obj.date().isoformat()
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    if isinstance(obj, pd.Period):
        return str(obj)
    return obj
