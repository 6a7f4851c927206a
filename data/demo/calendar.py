"""The calendar: days, festivals, promotion depths and the organic demand curve."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from .base import CNY, COUPON_TEST, _D0


def _days(start: date, n: int) -> np.ndarray:
    return np.datetime64(start.isoformat(), "D") + np.arange(n)


def _calendar(days: np.ndarray) -> dict[str, np.ndarray]:
    """Festival multipliers, campaign labels and promotion depth for an array of datetime64[D] days."""
    n = len(days)
    ts = pd.DatetimeIndex(days)
    mult = np.ones(n)
    camp = np.full(n, -1)  # index into CAMPAIGNS
    depth = np.full(n, 0.0)  # average discount rate of the day's promotions
    peak = np.zeros(n, dtype=bool)
    ev618 = np.zeros(n, dtype=bool)
    ev1111 = np.zeros(n, dtype=bool)

    def where(a: date, b: date) -> np.ndarray:
        return (days >= np.datetime64(a.isoformat(), "D")) & (days <= np.datetime64(b.isoformat(), "D"))

    for y in sorted({int(v) for v in ts.year} | {int(ts.year.min()) - 1}):
        # 38节 (Women's Day): Mar 1 - 8, peak Mar 8
        m = where(date(y, 3, 1), date(y, 3, 8))
        k = (days[m] - np.datetime64(f"{y}-03-01", "D")).astype(int)
        mult[m] *= 1.25 + 0.08 * k
        mult[m & (days == np.datetime64(f"{y}-03-08", "D"))] *= 1.3
        camp[m], depth[m] = 4, 0.12
        # 年货节: CNY-28 .. CNY-7, then the courier stop around the Spring Festival
        if y in CNY:
            c = CNY[y]
            m = where(c - timedelta(days=28), c - timedelta(days=7))
            mult[m] *= 1.35
            camp[m], depth[m] = 3, 0.12
            mult[where(c - timedelta(days=6), c + timedelta(days=6))] *= 0.55
        # 618: Jun 1 - 18, first-wave spike on Jun 1, ramp, peak Jun 18
        m = where(date(y, 6, 1), date(y, 6, 18))
        k = (days[m] - np.datetime64(f"{y}-06-01", "D")).astype(int)
        mult[m] *= 1.3 + 0.05 * k
        mult[m & (days == np.datetime64(f"{y}-06-01", "D"))] *= 1.6
        mult[m & (days == np.datetime64(f"{y}-06-18", "D"))] *= 3.0
        camp[m], ev618[m] = 0, True
        depth[m] = 0.14 + 0.004 * k
        depth[m & (days == np.datetime64(f"{y}-06-18", "D"))] = 0.22
        mult[where(date(y, 6, 19), date(y, 6, 20))] *= 1.15
        peak |= days == np.datetime64(f"{y}-06-18", "D")
        # 双11: presale from Oct 20, first wave Oct 31 - Nov 1, peak Nov 11
        m = where(date(y, 10, 20), date(y, 11, 11))
        k = (days[m] - np.datetime64(f"{y}-10-20", "D")).astype(int)
        mult[m] *= 1.3 + 0.025 * k
        for d, f in (((10, 20), 1.35), ((10, 31), 1.4), ((11, 1), 1.5), ((11, 10), 1.35), ((11, 11), 3.6)):
            mult[m & (days == np.datetime64(f"{y}-{d[0]:02d}-{d[1]:02d}", "D"))] *= f
        camp[m], ev1111[m] = 1, True
        depth[m] = 0.16 + 0.002 * k
        depth[m & (days == np.datetime64(f"{y}-11-11", "D"))] = 0.25
        peak |= days == np.datetime64(f"{y}-11-11", "D")
        mult[where(date(y, 11, 12), date(y, 11, 13))] *= 1.15
        # 双12: Dec 10 - 12, peak Dec 12
        m = where(date(y, 12, 10), date(y, 12, 12))
        mult[m] *= 1.5
        mult[m & (days == np.datetime64(f"{y}-12-12", "D"))] *= 1.4
        camp[m], depth[m] = 2, 0.12
    m = where(*COUPON_TEST)
    camp[m] = 5
    return {"mult": mult, "campaign": camp, "depth": depth, "peak": peak, "ev618": ev618, "ev1111": ev1111}


_WEEKLY = np.array([0.93, 0.90, 0.92, 0.95, 1.02, 1.16, 1.12])  # Mon..Sun


def _organic(days: np.ndarray, growth: float = 0.15) -> np.ndarray:
    """Daily demand index without media: trend x weekly x yearly x festivals (mean ~1 on plain days)."""
    t_years = (days - _D0).astype(int) / 365.25
    dow = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday -> Mon = 0
    doy = pd.DatetimeIndex(days).day_of_year.to_numpy()
    yearly = 1 + 0.10 * np.cos(2 * np.pi * (doy - 10) / 365.25) - 0.05 * np.cos(4 * np.pi * (doy - 200) / 365.25)
    return np.exp(np.log1p(growth) * t_years) * _WEEKLY[dow] * yearly * _calendar(days)["mult"]
