"""Day numbers, period keys and comparison windows.

Days are integers: days since 1970-01-01 (``EPOCH``). A period key is an integer too: the day itself
(grain "day"), the day of its Monday ("week"), or months since 1970-01 ("month").
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

EPOCH = np.datetime64("1970-01-01", "D")


def period_key(days: np.ndarray, grain: str) -> np.ndarray:
    """Integer period key of day numbers (days since 1970-01-01): the day, the Monday, or the month."""
    days = np.asarray(days, dtype=np.int64)
    if grain == "day":
        return days
    if grain == "week":
        return days - ((days - 4) % 7)  # 1970-01-05 (day 4) was a Monday
    if grain == "month":
        return (days.astype("datetime64[D]").astype("datetime64[M]")).astype(np.int64)
    raise ValueError(grain)


def key_start(keys: np.ndarray, grain: str) -> np.ndarray:
    """First day of each period key."""
    keys = np.asarray(keys, dtype=np.int64)
    if grain == "month":
        return keys.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return keys


def key_end(keys: np.ndarray, grain: str) -> np.ndarray:
    """Last day of each period key (inclusive)."""
    keys = np.asarray(keys, dtype=np.int64)
    if grain == "day":
        return keys
    if grain == "week":
        return keys + 6
    return (keys + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - 1


def key_range(k0: int, k1: int, grain: str) -> np.ndarray:
    """Every period key from ``k0`` to ``k1`` (inclusive)."""
    step = 7 if grain == "week" else 1
    return np.arange(k0, k1 + 1, step, dtype=np.int64)


def key_index(keys: np.ndarray, k0: int, grain: str) -> np.ndarray:
    """Position of each key in ``key_range(k0, ..., grain)``."""
    return (keys - k0) // (7 if grain == "week" else 1)


def key_of(day: int, grain: str) -> int:
    """The period key of one day."""
    return int(period_key(np.array([day]), grain)[0])


def day_to_date(d: int) -> date:
    return (EPOCH + np.timedelta64(int(d), "D")).astype(object)


def to_day(d: Any) -> int | None:
    """A date (or timestamp, or ISO text) as a day number; None for a missing value."""
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return None
    ts = pd.Timestamp(d)
    if ts is pd.NaT:
        return None
    return int((np.datetime64(ts.date(), "D") - EPOCH).astype(np.int64))


def iso(d: int) -> str:
    return day_to_date(d).isoformat()


def _shift_years(day: int, years: int) -> int:
    return to_day(pd.Timestamp(day_to_date(day)) + pd.DateOffset(years=years))


def _shift_months(day: int, months: int) -> int:
    return to_day(pd.Timestamp(day_to_date(day)) + pd.DateOffset(months=months))


def comparison_window(s: int, e: int, kind: str) -> tuple[int, int]:
    """The previous equal-length period ("prev") or the same period a year earlier ("yoy")."""
    if kind == "yoy":
        return _shift_years(s, -1), _shift_years(e, -1)
    d_s, d_e = day_to_date(s), day_to_date(e)
    whole_months = d_s.day == 1 and day_to_date(e + 1).day == 1
    if whole_months:
        n = (d_e.year - d_s.year) * 12 + d_e.month - d_s.month + 1
        return _shift_months(s, -n), s - 1
    n = e - s + 1
    return s - n, s - 1


def whole_periods(d0: int, d1: int, grain: str) -> int:
    """How many whole periods of ``grain`` lie in the days [d0, d1]."""
    keys = key_range(key_of(d0, grain), key_of(d1, grain), grain)
    return int(((key_start(keys, grain) >= d0) & (key_end(keys, grain) <= d1)).sum())


def complete(keys: np.ndarray, grain: str, cover: tuple[int, int]) -> np.ndarray:
    """Whether each period lies wholly inside the days ``cover`` = (first, last)."""
    return (key_start(keys, grain) >= cover[0]) & (key_end(keys, grain) <= cover[1])


def sum_by_period(daily: np.ndarray, d0: int, grain: str, k0: int, n: int) -> np.ndarray:
    """Sums of a daily series (``daily[i]`` is day ``d0 + i``) per period key ``k0``, ``k0 + step``, ...
    (``n`` keys; days outside them are left out)."""
    if not daily.size:
        return np.zeros(n)
    idx = key_index(period_key(np.arange(d0, d0 + daily.size), grain), k0, grain)
    ok = (idx >= 0) & (idx < n)
    return np.bincount(idx[ok], weights=daily[ok], minlength=n)[:n]
