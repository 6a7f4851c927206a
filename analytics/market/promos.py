"""Promotion windows: the festival calendar plus the user's own campaigns, and each window's uplift.

The campaign windows are those of :func:`analytics.calendar.campaign_windows`, built here from the lines per
(campaign, day) the engine counts (:func:`analytics.market.kpis.campaign_days`) instead of from every line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import calendar as promo_calendar
from analytics.calendar import PromoWindow, windows_from_days
from analytics.market.constants import PROMO_BASELINE_DAYS
from analytics.market.periods import EPOCH, day_to_date, to_day

EMPTY_NAMES = ("nan", "none", "null", "-", "无")


def campaign_windows(per_day: pd.DataFrame, gap_days: int = 7, max_windows: int = 30) -> list[PromoWindow]:
    """The user's own campaign windows from lines per (campaign, day, lines): each campaign's order days
    split wherever two consecutive days are more than ``gap_days`` apart; the peak is the day with the most
    lines; at most ``max_windows`` windows, the ones with the most lines (as
    :func:`analytics.calendar.campaign_windows` on the lines themselves).

    Parameters
    ----------
    per_day : pd.DataFrame
        Lines per campaign and day: ``campaign``, ``day`` (day number), ``lines``; empty campaign names are
        ignored.
    gap_days : int
        Largest gap in days inside one window.
    max_windows : int
        Most windows returned.

    Returns
    -------
    list[PromoWindow]
        The campaign windows (source "campaign").
    """
    if per_day is None or per_day.empty:
        return []
    names = per_day["campaign"].astype(str).str.strip()
    ok = (names != "").to_numpy() & ~names.str.lower().isin(EMPTY_NAMES).to_numpy()
    if not ok.any():
        return []
    days = (EPOCH + per_day["day"].to_numpy(dtype=np.int64)[ok].astype("timedelta64[D]")).astype("datetime64[s]")
    lines = per_day["lines"].to_numpy(dtype=np.int64)[ok]
    df = pd.DataFrame({"name": names.to_numpy()[ok], "day": days, "lines": lines})
    return windows_from_days(df, gap_days, max_windows)


def promo_windows(start: int, end: int, per_day: pd.DataFrame | None, calendar: str = "cn") -> list[PromoWindow]:
    """The festival windows of ``calendar`` (analytics.calendar.CALENDARS) plus the campaign windows (from
    ``per_day``; None: no campaign column) overlapping the days [start, end].

    Parameters
    ----------
    start : int
        First day number of the range.
    end : int
        Last day number of the range.
    per_day : pd.DataFrame | None
        Lines per campaign and day (see :func:`campaign_windows`), or None when there is no campaign column.
    calendar : str
        Festival calendar key of ``analytics.calendar.CALENDARS``.

    Returns
    -------
    list[PromoWindow]
        Festival and campaign windows overlapping the range, sorted by start, source and key.
    """
    s, e = day_to_date(start), day_to_date(end)
    out = promo_calendar.calendar_windows(s, e, promo_calendar.CALENDARS[calendar])
    if per_day is not None:
        out += [w for w in campaign_windows(per_day) if w.end >= s and w.start <= e]
    return sorted(out, key=lambda w: (w.start, w.source, w.key))


def promo_rows(windows: tuple[PromoWindow, ...] | list[PromoWindow], daily: np.ndarray, d0: int, end: int,
               lang: str) -> list[dict]:
    """Each promotion window with its mean daily net sales, the mean over the PROMO_BASELINE_DAYS days before
    it, and their ratio (uplift), where the data covers the baseline and the window ends by ``end``
    (``daily[i]`` is day ``d0 + i``).

    Parameters
    ----------
    windows : tuple[PromoWindow, ...] | list[PromoWindow]
        The promotion windows.
    daily : np.ndarray
        Net sales of each day, ``daily[i]`` being day ``d0 + i``.
    d0 : int
        Day number of ``daily[0]``.
    end : int
        Last day number with data.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        One dict per window (:meth:`PromoWindow.as_dict`) plus ``daily_net_sales``, ``baseline_daily`` and
        ``uplift`` (None where not measurable).
    """
    out = []
    for w in windows:
        ws, we = to_day(w.start), to_day(w.end)
        r = w.as_dict(lang)
        r.update(daily_net_sales=None, baseline_daily=None, uplift=None)
        if ws >= d0 + PROMO_BASELINE_DAYS and we <= end:
            win = daily[ws - d0: we - d0 + 1].mean()
            basev = daily[ws - d0 - PROMO_BASELINE_DAYS: ws - d0].mean()
            r.update(daily_net_sales=float(win), baseline_daily=float(basev),
                     uplift=float(win / basev) if basev > 0 else None)
        out.append(r)
    return out
