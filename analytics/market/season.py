"""Seasonality indexes (day of week, month of year) from the daily net sales series."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.i18n import t
from analytics.market.periods import iso, key_end, key_of, key_range, key_start


def seasonality(daily: np.ndarray, d0: int, months_complete: pd.Series, lang: str) -> dict:
    """Day-of-week index (mean daily net sales per weekday / mean daily net sales x 100) and month-of-year
    index (mean net sales per calendar month over complete months / mean over all complete months x 100).

    Parameters
    ----------
    daily : np.ndarray
        Net sales of each day, ``daily[i]`` being day ``d0 + i``.
    d0 : int
        Day number (days since 1970-01-01) of ``daily[0]``.
    months_complete : pd.Series
        Net sales of each whole calendar month indexed by its ISO first day (:func:`complete_months`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        ``day_of_week``: seven rows (weekday 0 = Monday, label, days, index) or None under 14 days or a zero
        mean; ``month_of_year``: twelve rows (month, label, months, index or None) or None under 12 complete
        months; ``years``: complete months / 12, when the month index is given.
    """
    out: dict = {"day_of_week": None, "month_of_year": None}
    if daily.size >= 14 and daily.mean() != 0:
        wd = (np.arange(d0, d0 + daily.size) - 4) % 7  # 0 = Monday
        m = daily.mean()
        out["day_of_week"] = [
            {"weekday": int(i), "label": t(f"market.weekday.{i}", lang), "days": int((wd == i).sum()),
             "index": float(daily[wd == i].mean() / m * 100)} for i in range(7)]
    if len(months_complete) >= 12 and months_complete.mean() != 0:
        mm = months_complete.mean()
        month_no = np.array([int(p[5:7]) for p in months_complete.index])
        out["month_of_year"] = [
            {"month": int(i), "label": t(f"market.month.{i}", lang), "months": int((month_no == i).sum()),
             "index": float(months_complete.to_numpy()[month_no == i].mean() / mm * 100) if (month_no == i).any() else None}
            for i in range(1, 13)]
        out["years"] = float(len(months_complete) / 12)
    return out



def complete_months(daily: np.ndarray, d0: int, end: int) -> pd.Series:
    """Net sales of each whole calendar month in [d0, end] (``daily[i]`` is day ``d0 + i``, up to ``end``),
    indexed by the month's ISO first day.

    Parameters
    ----------
    daily : np.ndarray
        Net sales of each day, ``daily[i]`` being day ``d0 + i``.
    d0 : int
        Day number of ``daily[0]``.
    end : int
        Last day number to count.

    Returns
    -------
    pd.Series
        Net sales of each whole month in [d0, end], indexed by the month's ISO first day (``"2024-06-01"``).
    """
    keys = key_range(key_of(d0, "month"), key_of(end, "month"), "month")
    starts, ends = key_start(keys, "month"), key_end(keys, "month")
    whole = (starts >= d0) & (ends <= end)
    vals = [daily[max(a - d0, 0): b - d0 + 1].sum() for a, b in zip(starts, ends)]
    monthly = pd.Series(vals, index=[iso(d) for d in starts], dtype=float)
    return monthly[whole]

