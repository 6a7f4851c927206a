"""Promotion calendar: the big Chinese e-commerce festivals, Black Friday, and the user's own campaigns.

Windows are the days on which the festival's prices apply (inclusive), as the platforms have run them:

* ``618``: June 1 - June 18 (JD's anniversary sale; Tmall and Douyin run the same window), peak June 18.
* ``d11`` (双11, Singles' Day): November 1 - 11 from 2020 on (two waves since Tmall's 2020 change);
  November 9 - 11 before 2020, when the sale was essentially the day itself. Peak November 11.
* ``d12`` (双12): December 10 - 12, peak December 12.
* ``nianhuo`` (年货节, Spring Festival shopping): the ~3 weeks before Chinese New Year, ending a week
  before it when couriers stop: [CNY - 28 days, CNY - 7 days]. It belongs to the CNY's year, so the
  年货节 of 2025 (CNY 2025-01-29) runs 2025-01-01 .. 2025-01-22.
* ``w38`` (38节 / 女王节, Women's Day): March 1 - 8, peak March 8.
* ``black_friday``: the Friday after the fourth Thursday of November through Cyber Monday (4 days).

Chinese New Year dates are hard-coded for 2009-2030 (:data:`CNY`); 年货节 outside that range is omitted.
``campaign_windows`` turns the orders' ``campaign`` column into windows: each campaign value's order
days, split into separate windows where the gap between two days exceeds ``gap_days``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

import numpy as np
import pandas as pd

from analytics.i18n import t

# Chinese New Year (Spring Festival, first day of the lunar year).
CNY: dict[int, date] = {
    2009: date(2009, 1, 26), 2010: date(2010, 2, 14), 2011: date(2011, 2, 3), 2012: date(2012, 1, 23),
    2013: date(2013, 2, 10), 2014: date(2014, 1, 31), 2015: date(2015, 2, 19), 2016: date(2016, 2, 8),
    2017: date(2017, 1, 28), 2018: date(2018, 2, 16), 2019: date(2019, 2, 5), 2020: date(2020, 1, 25),
    2021: date(2021, 2, 12), 2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10),
    2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26),
    2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
}

FESTIVALS = ("618", "d11", "d12", "nianhuo", "w38", "black_friday")
# the festival calendars a market can follow: the Chinese platforms' (with Black Friday, which cross-border
# shops run too), the Western one (Black Friday to Cyber Monday), or none
CALENDARS: dict[str, tuple[str, ...]] = {"cn": FESTIVALS, "western": ("black_friday",), "none": ()}
_CN_PLATFORMS = ("taobao", "tmall", "jd", "jingdong", "pinduoduo", "pdd", "douyin", "kuaishou", "wechat", "weixin",
                 "xiaohongshu", "redbook", "vip.com", "vipshop", "suning", "dewu")


def detect_calendar(values) -> str:
    """"cn" when the data speaks Chinese (a value with Chinese characters, or a channel that is a Chinese
    platform: Taobao, Tmall, JD, Pinduoduo, Douyin, Kuaishou, WeChat, Xiaohongshu ...), else "western":
    a Brazilian or British shop does not run 双11 or 618.

    Parameters
    ----------
    values
        Text values of the data (e.g. channels, regions), or None.

    Returns
    -------
    str
        ``"cn"`` or ``"western"``.
    """
    for v in values or ():
        text = str(v)
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):
            return "cn"
        low = text.strip().casefold()
        if any(low == p or low.startswith(p + " ") or low.startswith(p + "_") for p in _CN_PLATFORMS):
            return "cn"
    return "western"


@dataclass(frozen=True)
class PromoWindow:
    key: str            # festival key (FESTIVALS) or "campaign"
    name: str           # festival key or the campaign's own name
    year: int
    start: date
    end: date           # inclusive
    peak: date
    source: str = "calendar"  # "calendar" | "campaign"

    def contains(self, d: date) -> bool:
        """Whether the day ``d`` lies in the window (both ends included).

        Parameters
        ----------
        d : date
            A date.

        Returns
        -------
        bool
            True when inside.
        """
        return self.start <= d <= self.end

    def label(self, lang: str = "en") -> str:
        """The window's label: a campaign's own name, or the festival's translated name and year.

        Parameters
        ----------
        lang : str
            Interface language of the texts, ``'en'`` or ``'zh'``.

        Returns
        -------
        str
            The label.
        """
        if self.source == "campaign":
            return self.name
        return f"{t('market.promo.' + self.key, lang)} {self.year}"

    def as_dict(self, lang: str = "en") -> dict:
        """The window as a JSON-safe dict.

        Parameters
        ----------
        lang : str
            Interface language of the texts, ``'en'`` or ``'zh'``.

        Returns
        -------
        dict
            ``key``, ``name``, ``label``, ``year``, ``start``, ``end``, ``peak`` (ISO dates), ``source``.
        """
        return {"key": self.key, "name": self.name, "label": self.label(lang), "year": self.year,
                "start": self.start.isoformat(), "end": self.end.isoformat(), "peak": self.peak.isoformat(),
                "source": self.source}


def black_friday(year: int) -> date:
    """Black Friday of ``year``: the day after the fourth Thursday of November.

    Parameters
    ----------
    year : int
        The year.

    Returns
    -------
    date
        The date.
    """
    nov1 = date(year, 11, 1)
    first_thu = nov1 + timedelta(days=(3 - nov1.weekday()) % 7)
    return first_thu + timedelta(days=22)


def windows_for_year(year: int) -> list[PromoWindow]:
    """The calendar festivals of one year (年货节 only where the CNY date is known).

    Parameters
    ----------
    year : int
        The year.

    Returns
    -------
    list[PromoWindow]
        The windows (3.8, 年货节, 618, 双11, Black Friday, 双12), by start.
    """
    out = [PromoWindow("w38", "w38", year, date(year, 3, 1), date(year, 3, 8), date(year, 3, 8))]
    cny = CNY.get(year)
    if cny is not None:
        out.append(PromoWindow("nianhuo", "nianhuo", year, cny - timedelta(days=28), cny - timedelta(days=7),
                               cny - timedelta(days=7)))
    out.append(PromoWindow("618", "618", year, date(year, 6, 1), date(year, 6, 18), date(year, 6, 18)))
    d11_start = date(year, 11, 1) if year >= 2020 else date(year, 11, 9)
    out.append(PromoWindow("d11", "d11", year, d11_start, date(year, 11, 11), date(year, 11, 11)))
    bf = black_friday(year)
    out.append(PromoWindow("black_friday", "black_friday", year, bf, bf + timedelta(days=3), bf))
    out.append(PromoWindow("d12", "d12", year, date(year, 12, 10), date(year, 12, 12), date(year, 12, 12)))
    return sorted(out, key=lambda w: w.start)


def _as_date(d) -> date:
    if isinstance(d, pd.Timestamp):
        return d.date()
    if isinstance(d, date):
        return d if type(d) is date else date(d.year, d.month, d.day)
    return pd.Timestamp(d).date()


def calendar_windows(start, end, festivals: Iterable[str] | None = None) -> list[PromoWindow]:
    """Festival windows that overlap [start, end] (dates, inclusive).

    Parameters
    ----------
    start
        First day (date, timestamp or ISO text).
    end
        Last day.
    festivals : Iterable[str] | None
        Festival keys to keep (None: all FESTIVALS).

    Returns
    -------
    list[PromoWindow]
        The windows, by start and key.
    """
    s, e = _as_date(start), _as_date(end)
    keep = set(festivals) if festivals is not None else set(FESTIVALS)
    out = []
    for y in range(s.year - 1, e.year + 2):
        for w in windows_for_year(y):
            if w.key in keep and w.end >= s and w.start <= e:
                out.append(w)
    return sorted(out, key=lambda w: (w.start, w.key))


def campaign_windows(orders: pd.DataFrame, gap_days: int = 7, max_windows: int = 30) -> list[PromoWindow]:
    """The user's own campaign windows from the orders' ``campaign`` column (non-empty values).

    Each campaign's distinct order days are split into windows wherever two consecutive days are more
    than ``gap_days`` apart (a campaign name reused every year gives one window per run). The peak is
    the day with the most lines. At most ``max_windows`` windows, the ones with the most lines.

    Parameters
    ----------
    orders : pd.DataFrame
        Order lines with ``order_date`` and ``campaign``, or None.
    gap_days : int
        Largest gap in days inside one window.
    max_windows : int
        Most windows returned.

    Returns
    -------
    list[PromoWindow]
        The windows (source "campaign"), by start and name.
    """
    if orders is None or orders.empty or "campaign" not in orders.columns or "order_date" not in orders.columns:
        return []
    camp = orders["campaign"]
    mask = camp.notna().to_numpy()
    if not mask.any():
        return []
    names = camp[mask].astype(str).str.strip()
    ok = (names != "").to_numpy() & ~names.str.lower().isin(["nan", "none", "null", "-", "无"]).to_numpy()
    days = orders["order_date"].to_numpy()[mask][ok].astype("datetime64[D]")
    names = names.to_numpy()[ok]
    valid = ~np.isnat(days)
    if not valid.any():
        return []
    df = pd.DataFrame({"name": names[valid], "day": days[valid]})
    per_day = df.groupby(["name", "day"], sort=True).size().rename("lines").reset_index()
    return windows_from_days(per_day, gap_days, max_windows)


def windows_from_days(per_day: pd.DataFrame, gap_days: int = 7, max_windows: int = 30) -> list[PromoWindow]:
    """Campaign windows from lines per (``name``, ``day``, ``lines``) — what :func:`campaign_windows`
    counts from order lines, or what the engine counts where the lines are stored.

    Parameters
    ----------
    per_day : pd.DataFrame
        Columns ``name``, ``day`` (datetime), ``lines``.
    gap_days : int
        Largest gap in days inside one window.
    max_windows : int
        Most windows returned.

    Returns
    -------
    list[PromoWindow]
        The windows, by start and name.
    """
    per = per_day.groupby(["name", "day"], sort=True)["lines"].sum().rename("lines").reset_index()
    gap = per.groupby("name")["day"].diff() > pd.Timedelta(days=gap_days)
    per["run"] = gap.groupby(per["name"]).cumsum()
    rows = []
    for (name, _), g in per.groupby(["name", "run"], sort=False):
        peak = g.loc[g["lines"].idxmax(), "day"]
        rows.append((int(g["lines"].sum()), PromoWindow(
            "campaign", str(name), int(g["day"].iloc[0].year), g["day"].iloc[0].date(), g["day"].iloc[-1].date(),
            pd.Timestamp(peak).date(), source="campaign")))
    rows.sort(key=lambda r: -r[0])
    return sorted((w for _, w in rows[:max_windows]), key=lambda w: (w.start, w.name))


def promo_windows(start, end, orders: pd.DataFrame | None = None, festivals: Iterable[str] | None = None,
                  gap_days: int = 7) -> list[PromoWindow]:
    """Calendar festivals plus the user's campaigns (from ``orders``) overlapping [start, end].

    Parameters
    ----------
    start
        First day.
    end
        Last day.
    orders : pd.DataFrame | None
        Order lines with ``campaign``, or None.
    festivals : Iterable[str] | None
        Festival keys to keep (None: all).
    gap_days : int
        Largest gap in days inside a campaign window.

    Returns
    -------
    list[PromoWindow]
        The windows, by start, source and key.
    """
    s, e = _as_date(start), _as_date(end)
    out = calendar_windows(s, e, festivals)
    if orders is not None:
        out += [w for w in campaign_windows(orders, gap_days) if w.end >= s and w.start <= e]
    return sorted(out, key=lambda w: (w.start, w.source, w.key))
