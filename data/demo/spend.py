"""The channels' spend shapes: per-platform response, adstock, flighting and festival ramps."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .base import CHANNELS

# per platform: campaigns, adstock carryover, half-saturation K / mean adstocked spend, target ROAS,
# ad-attributed share of the platform's net sales, CTR, CVR (per click), CPM-free derived, view rate,
# like rate, comment rate, share rate, follow rate.
_CH_SPEC = {
    "Douyin": dict(camps=("Douyin 直播间 Live", "Douyin 信息流 Feed", "Douyin 达人 KOL"), carry=0.50, k=1.6,
                   roas=2.4, attr=0.55, ctr=0.011, cvr=0.020, view=0.38, like=0.030, comment=0.004,
                   share=0.003, follow=0.0015),
    "Kuaishou": dict(camps=("Kuaishou 磁力金牛 Live", "Kuaishou 短视频 Feed"), carry=0.40, k=1.0, roas=2.1,
                     attr=0.50, ctr=0.013, cvr=0.018, view=0.33, like=0.028, comment=0.004, share=0.003,
                     follow=0.0014),
    "Taobao": dict(camps=("Taobao 直通车 Search", "Taobao 万相台 Display", "Taobao 淘宝直播 Live"), carry=0.30,
                   k=0.6, roas=3.6, attr=0.45, ctr=0.042, cvr=0.075, view=0.04, like=0.006, comment=0.0008,
                   share=0.0004, follow=0.0008),
    "JD": dict(camps=("JD 京准通 Search", "JD 京东直投 Display"), carry=0.30, k=0.7, roas=3.1, attr=0.45,
               ctr=0.035, cvr=0.065, view=0.02, like=0.003, comment=0.0006, share=0.0002, follow=0.0004),
    "Pinduoduo": dict(camps=("Pinduoduo 搜索 Search", "Pinduoduo 全站推广 Smart"), carry=0.35, k=0.8, roas=2.9,
                      attr=0.50, ctr=0.030, cvr=0.055, view=0.02, like=0.004, comment=0.0006, share=0.0008,
                      follow=0.0004),
    "WeChat": dict(camps=("WeChat 朋友圈 Moments", "WeChat 视频号 Channels"), carry=0.45, k=1.2, roas=4.0,
                   attr=0.40, ctr=0.016, cvr=0.045, view=0.15, like=0.012, comment=0.002, share=0.004,
                   follow=0.0020),
    "Xiaohongshu": dict(camps=("Xiaohongshu 笔记 Notes", "Xiaohongshu 搜索 Search", "Xiaohongshu KOC 种草"),
                        carry=0.60, k=1.4, roas=1.9, attr=0.55, ctr=0.025, cvr=0.022, view=0.22, like=0.075,
                        comment=0.012, share=0.010, follow=0.0040),
}
_CH_AOV = np.array([215.0, 165.0, 265.0, 300.0, 150.0, 320.0, 260.0])  # rough order value per platform


def _adstock(x: np.ndarray, carry: float) -> np.ndarray:
    """Geometric adstock along axis 0 (days)."""
    out = np.empty_like(x)
    acc = np.zeros(x.shape[1:])
    for i in range(x.shape[0]):
        acc = x[i] + carry * acc
        out[i] = acc
    return out


# per platform flighting (data/demo.py story): how spend ramps before 618 and 双11 -- (days before the
# festival the ramp starts, days before the festival it tops out, top level, level left on the festival
# day) -- the lift on the smaller festivals (双12, 年货节, 38节), and the weekly pattern outside them.
_FLIGHTING = {
    # live-stream bursts at the peak, KOL drops on random weeks
    "Douyin": dict(ramp=((14, 0, 5.0, 5.0), (16, 0, 5.5, 5.5)), minor=1.6, weekly="bursts"),
    # pulsing: a few weeks on, a week or two dark
    "Kuaishou": dict(ramp=((21, 2, 3.0, 2.4), (24, 2, 3.2, 2.6)), minor=1.3, weekly="pulse"),
    # search: always on and steady, follows demand mildly
    "Taobao": dict(ramp=((30, 0, 1.8, 1.8), (35, 0, 2.0, 2.0)), minor=1.3, weekly="steady"),
    # 618 is JD's own festival
    "JD": dict(ramp=((28, 0, 4.0, 4.0), (20, 0, 2.2, 2.2)), minor=1.2, weekly="dark_weeks"),
    # budget tests: the level is reset every 6-10 weeks
    "Pinduoduo": dict(ramp=((12, 0, 2.4, 2.4), (12, 0, 2.4, 2.4)), minor=1.8, weekly="steps"),
    # Moments / Channels flights of two weeks, low in between
    "WeChat": dict(ramp=((24, 4, 2.6, 1.8), (30, 4, 2.6, 1.8)), minor=1.3, weekly="flights"),
    # 种草 seeding: ramps up weeks earlier and is past its top by the festival day
    "Xiaohongshu": dict(ramp=((63, 24, 3.2, 1.3), (70, 26, 3.4, 1.3)), minor=2.0, weekly="waves"),
}


# depth of the weekly flighting: level ** depth (1 = the patterns' full swing; 0.75 keeps the platforms apart
# while weekly sales stay as forecastable as the market page's backtest expects)
_FLIGHT_DEPTH = 0.75


def _festival_ramp(days: np.ndarray, ramp: tuple, minor: float, cal: dict) -> np.ndarray:
    """Spend multiplier of one platform around the festivals (1 on plain days)."""
    ts = pd.DatetimeIndex(days)
    out = np.ones(len(days))
    for y in sorted(set(ts.year.tolist()) | {int(ts.year.min()) - 1}):
        for peak_day, (start, top_at, top, end) in zip((date(y, 6, 18), date(y, 11, 11)), ramp):
            d = (np.datetime64(peak_day.isoformat(), "D") - days).astype(int)  # days until the festival
            up = (d <= start) & (d >= top_at)
            out[up] = np.maximum(out[up], 1 + (top - 1) * (start - d[up]) / max(start - top_at, 1))
            down = (d < top_at) & (d >= 0)
            out[down] = np.maximum(out[down], top + (end - top) * (top_at - d[down]) / max(top_at, 1))
            after = (d < 0) & (d >= -3)
            out[after] = np.maximum(out[after], 1.3)
    minor_days = cal["campaign"] >= 2
    out[minor_days] = np.maximum(out[minor_days], minor)
    return out


def _weekly_flight(rng: np.random.Generator, kind: str, n_weeks: int) -> np.ndarray:
    """Weekly spend level of one platform outside the festivals (mean ~1, never 0)."""
    if kind == "steady":
        return np.exp(rng.normal(0, 0.08, n_weeks))
    if kind == "bursts":
        f = 0.8 * np.exp(rng.normal(0, 0.18, n_weeks))
        f[rng.random(n_weeks) < 0.15] *= 2.6
        return f
    if kind == "dark_weeks":
        f = np.exp(rng.normal(0, 0.25, n_weeks))
        f[rng.random(n_weeks) < 0.10] = 0.25
        return f
    out = np.empty(n_weeks)
    w = 0
    on = bool(rng.random() < 0.5)
    while w < n_weeks:
        if kind == "pulse":
            span = int(rng.integers(2, 5)) if on else int(rng.integers(1, 3))
            level = 1.4 * np.exp(rng.normal(0, 0.15)) if on else 0.25
        elif kind == "flights":
            span = 2 if on else int(rng.integers(2, 6))
            level = 2.2 * np.exp(rng.normal(0, 0.15)) if on else 0.35
        elif kind == "waves":
            span = 3 if on else int(rng.integers(3, 8))
            level = 1.8 * np.exp(rng.normal(0, 0.15)) if on else 0.7
        elif kind == "steps":
            span, level = int(rng.integers(6, 11)), np.exp(rng.normal(0, 0.40))
        else:  # pragma: no cover - unknown pattern
            raise ValueError(kind)
        out[w: w + span] = level * np.exp(rng.normal(0, 0.08, min(span, n_weeks - w)))
        w += span
        on = not on
    return out


def _spend_shapes(rng: np.random.Generator, days: np.ndarray, cal: dict) -> dict[str, dict]:
    """Unit-less daily spend per platform campaign (mean ~1), its adstock and saturating response.

    Each platform has its own flighting (``_FLIGHTING``): its own ramp before 618 / 双11 (Xiaohongshu seeds
    weeks ahead, Douyin bursts at the peak, Taobao search stays steady), its own weekly pattern (pulses,
    flights, budget steps, dark weeks) and campaign-level noise, so the platforms do not move together
    and a media-mix model can tell them apart."""
    n = len(days)
    growth = np.exp(0.10 * (days - days[0]).astype(int) / 365.25)
    week = (days - days[0]).astype(int) // 7
    n_weeks = int(week.max()) + 1
    out = {}
    for ch in CHANNELS:
        spec, fl = _CH_SPEC[ch], _FLIGHTING[ch]
        k = len(spec["camps"])
        size = rng.dirichlet(np.full(k, 3.0)) * k  # campaign sizes (mean 1)
        fest = _festival_ramp(days, fl["ramp"], fl["minor"], cal)
        flight = _weekly_flight(rng, fl["weekly"], n_weeks)[week] ** _FLIGHT_DEPTH
        flight = np.where(fest > 1.2, np.maximum(flight, 1.0), flight)  # no dark week during a festival push
        camp = np.exp(rng.normal(0, 0.20, (n_weeks, k)))[week]  # campaign-level weekly budget changes
        shape = (fest * flight * growth)[:, None] * camp * size[None, :] * np.exp(rng.normal(0, 0.12, (n, k)))
        shape /= shape.mean()
        ad = _adstock(shape, spec["carry"])
        kk = spec["k"] * ad.mean(axis=0, keepdims=True)
        resp = ad / (kk + ad)  # Hill with h = 1: concave, so revenue per unit spend falls with spend
        eff = np.exp(rng.normal(0, 0.12, k))  # campaign efficiency
        out[ch] = {"shape": shape, "resp": resp * (eff * size)[None, :], "campaigns": spec["camps"]}
    return out
