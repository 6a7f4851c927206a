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
    """Integer period key of day numbers (days since 1970-01-01): the day, the Monday, or the month.

    Parameters
    ----------
    days : np.ndarray
        Day numbers.
    grain : str
        "day", "week" or "month" (ValueError otherwise).

    Returns
    -------
    np.ndarray
        The day itself, the week's Monday (day number), or the month number since 1970-01.
    """
    days = np.asarray(days, dtype=np.int64)
    if grain == "day":
        return days
    if grain == "week":
        return days - ((days - 4) % 7)  # 1970-01-05 (day 4) was a Monday
    if grain == "month":
        return (days.astype("datetime64[D]").astype("datetime64[M]")).astype(np.int64)
    raise ValueError(grain)


def key_start(keys: np.ndarray, grain: str) -> np.ndarray:
    """First day of each period key.

    Parameters
    ----------
    keys : np.ndarray
        Period keys.
    grain : str
        Their grain.

    Returns
    -------
    np.ndarray
        Day numbers.
    """
    keys = np.asarray(keys, dtype=np.int64)
    if grain == "month":
        return keys.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return keys


def key_end(keys: np.ndarray, grain: str) -> np.ndarray:
    """Last day of each period key (inclusive).

    Parameters
    ----------
    keys : np.ndarray
        Period keys.
    grain : str
        Their grain.

    Returns
    -------
    np.ndarray
        Day numbers.
    """
    keys = np.asarray(keys, dtype=np.int64)
    if grain == "day":
        return keys
    if grain == "week":
        return keys + 6
    return (keys + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - 1


def key_range(k0: int, k1: int, grain: str) -> np.ndarray:
    """Every period key from ``k0`` to ``k1`` (inclusive).

    Parameters
    ----------
    k0 : int
        First key.
    k1 : int
        Last key.
    grain : str
        Their grain.

    Returns
    -------
    np.ndarray
        The keys.
    """
    step = 7 if grain == "week" else 1
    return np.arange(k0, k1 + 1, step, dtype=np.int64)


def key_index(keys: np.ndarray, k0: int, grain: str) -> np.ndarray:
    """Position of each key in ``key_range(k0, ..., grain)``.

    Parameters
    ----------
    keys : np.ndarray
        Period keys.
    k0 : int
        First key of the range.
    grain : str
        Their grain.

    Returns
    -------
    np.ndarray
        The positions.
    """
    return (keys - k0) // (7 if grain == "week" else 1)


def key_of(day: int, grain: str) -> int:
    """The period key of one day.

    Parameters
    ----------
    day : int
        Day number.
    grain : str
        The grain.

    Returns
    -------
    int
        The key.
    """
    return int(period_key(np.array([day]), grain)[0])


def day_to_date(d: int) -> date:
    """The date of a day number (days since 1970-01-01).

    Parameters
    ----------
    d : int
        Day number.

    Returns
    -------
    date
        The date.
    """
    return (EPOCH + np.timedelta64(int(d), "D")).astype(object)


def to_day(d: Any) -> int | None:
    """A date (or timestamp, or ISO text) as a day number; None for a missing value.

    Parameters
    ----------
    d : Any
        A date, timestamp or ISO text, or None / NaN / NaT.

    Returns
    -------
    int | None
        The day number, or None.
    """
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return None
    ts = pd.Timestamp(d)
    if ts is pd.NaT:
        return None
    return int((np.datetime64(ts.date(), "D") - EPOCH).astype(np.int64))


def iso(d: int) -> str:
    """The ISO date (``YYYY-MM-DD``) of a day number.

    Parameters
    ----------
    d : int
        Day number.

    Returns
    -------
    str
        The ISO text.
    """
    return day_to_date(d).isoformat()


def _shift_years(day: int, years: int) -> int:
    return to_day(pd.Timestamp(day_to_date(day)) + pd.DateOffset(years=years))


def _shift_months(day: int, months: int) -> int:
    return to_day(pd.Timestamp(day_to_date(day)) + pd.DateOffset(months=months))


def comparison_window(s: int, e: int, kind: str) -> tuple[int, int]:
    """The previous equal-length period ("prev") or the same period a year earlier ("yoy").

    Parameters
    ----------
    s : int
        First day number of the window.
    e : int
        Last day number.
    kind : str
        "prev" (the same number of whole months, or of days, before) or "yoy".

    Returns
    -------
    tuple[int, int]
        (first, last) day numbers.
    """
    if kind == "yoy":
        return _shift_years(s, -1), _shift_years(e, -1)
    d_s, d_e = day_to_date(s), day_to_date(e)
    whole_months = d_s.day == 1 and day_to_date(e + 1).day == 1
    if whole_months:
        n = (d_e.year - d_s.year) * 12 + d_e.month - d_s.month + 1
        return _shift_months(s, -n), s - 1
    n = e - s + 1
    return s - n, s - 1


def last_complete_month(d0: int, d1: int) -> tuple[int, int] | None:
    """The last calendar month the days [d0, d1] cover entirely, as (first day, last day), when the month
    before it is covered entirely too (so the default view has a comparison); None otherwise.

    Data ending 2011-12-09 gives 2011-11 (compared with 2011-10); data ending 2011-12-31 gives 2011-12.

    Parameters
    ----------
    d0 : int
        First day number with data (None: no data).
    d1 : int
        Last day number with data.

    Returns
    -------
    tuple[int, int] | None
        (first, last) day numbers, or None.
    """
    if d0 is None or d1 is None or d1 < d0:
        return None
    k = key_of(d1, "month")
    if int(key_end(np.array([k]), "month")[0]) != d1:
        k -= 1  # the month the data ends in is cut
    if int(key_start(np.array([k - 1]), "month")[0]) < d0:
        return None  # fewer than two complete months
    return int(key_start(np.array([k]), "month")[0]), int(key_end(np.array([k]), "month")[0])


def quick_windows(d0: int, d1: int) -> list[tuple[str, int, int]]:
    """The one-click windows of the page, as (name, first day, last day): the last complete month ("1") and
    quarter ("3", three complete months) the days [d0, d1] cover, and the whole data ("all").

    Parameters
    ----------
    d0 : int
        First day number with data.
    d1 : int
        Last day number with data.

    Returns
    -------
    list[tuple[str, int, int]]
        The windows, whole data last.
    """
    out: list[tuple[str, int, int]] = []
    k = key_of(d1, "month")
    if int(key_end(np.array([k]), "month")[0]) != d1:
        k -= 1
    end = int(key_end(np.array([k]), "month")[0])
    for months in (1, 3):
        start = int(key_start(np.array([k - months + 1]), "month")[0])
        if start >= d0:
            out.append((str(months), start, end))
    out.append(("all", d0, d1))
    return out


def whole_periods(d0: int, d1: int, grain: str) -> int:
    """How many whole periods of ``grain`` lie in the days [d0, d1].

    Parameters
    ----------
    d0 : int
        First day number.
    d1 : int
        Last day number.
    grain : str
        The grain.

    Returns
    -------
    int
        The count.
    """
    keys = key_range(key_of(d0, grain), key_of(d1, grain), grain)
    return int(((key_start(keys, grain) >= d0) & (key_end(keys, grain) <= d1)).sum())


def complete(keys: np.ndarray, grain: str, cover: tuple[int, int]) -> np.ndarray:
    """Whether each period lies wholly inside the days ``cover`` = (first, last).

    Parameters
    ----------
    keys : np.ndarray
        Period keys.
    grain : str
        Their grain.
    cover : tuple[int, int]
        (first, last) day numbers.

    Returns
    -------
    np.ndarray
        Booleans.
    """
    return (key_start(keys, grain) >= cover[0]) & (key_end(keys, grain) <= cover[1])


def sum_by_period(daily: np.ndarray, d0: int, grain: str, k0: int, n: int) -> np.ndarray:
    """Sums of a daily series (``daily[i]`` is day ``d0 + i``) per period key ``k0``, ``k0 + step``, ...
    (``n`` keys; days outside them are left out).

    Parameters
    ----------
    daily : np.ndarray
        Daily values.
    d0 : int
        Day number of ``daily[0]``.
    grain : str
        The grain.
    k0 : int
        First key.
    n : int
        Number of keys.

    Returns
    -------
    np.ndarray
        ``n`` sums.
    """
    if not daily.size:
        return np.zeros(n)
    idx = key_index(period_key(np.arange(d0, d0 + daily.size), grain), k0, grain)
    ok = (idx >= 0) & (idx < n)
    return np.bincount(idx[ok], weights=daily[ok], minlength=n)[:n]
