"""The market frame (category size by platform and month) and the weekly media-mix frame."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .base import CHANNELS, END, N_DAYS, _D0
from .calendar import _days, _organic
from .orders import _str

_MKT_SHARE = np.array([0.032, 0.024, 0.026, 0.020, 0.017, 0.038, 0.036])


def _month_index(days: np.ndarray) -> np.ndarray:
    d = pd.DatetimeIndex(days)
    return (d.year.to_numpy() - 2023) * 12 + d.month.to_numpy() - 11  # 2023-11 -> 0


def _market_frame(rng: np.random.Generator, lines: dict) -> pd.DataFrame:
    # our sales per platform and month from the orders (months 12..35), back-cast for months 0..11
    n_months = 36
    our = np.zeros((n_months, 7))
    mi = _month_index(_D0 + np.arange(N_DAYS))
    np.add.at(our, (mi[lines["day"]], lines["channel"]), lines["amount"])
    our[:12] = our[12:24] / 1.15 * np.exp(rng.normal(0, 0.05, (12, 7)))
    # market: the same festival calendar, slower growth (~6 %/year), its own noise
    all_days = _days(date(2023, 11, 1), (END - date(2023, 11, 1)).days + 1)
    org = _organic(all_days, growth=0.06)
    season = np.bincount(_month_index(all_days), weights=org, minlength=n_months)
    base = our[12:].sum(axis=0) / _MKT_SHARE / season[12:].sum()
    market = season[:, None] * base[None, :] * np.exp(rng.normal(0, 0.04, (n_months, 7)))
    months = np.array([np.datetime64(f"{2023 + (11 + i - 1) // 12}-{(11 + i - 1) % 12 + 1:02d}-01", "D")
                       for i in range(n_months)])
    df = pd.DataFrame({
        "date": np.repeat(months, 7).astype("datetime64[ns]"),
        "segment": _str(np.tile(np.array(CHANNELS, dtype=object), n_months)),
        "market_size": np.round(market.ravel(), -2),
        "our_sales": np.round(our.ravel(), 2),
    })
    return df


def _media_mix_frame(days: np.ndarray, cal: dict, lines: dict, channels: pd.DataFrame) -> pd.DataFrame:
    n_weeks = N_DAYS // 7  # 104 full 7-day blocks starting 2024-11-01
    wk_line = lines["day"] // 7
    ok = wk_line < n_weeks
    outcome = np.bincount(wk_line[ok], weights=lines["amount"][ok], minlength=n_weeks)
    out = pd.DataFrame({"date": days[: n_weeks * 7: 7].astype("datetime64[ns]"), "outcome": np.round(outcome, 2)})
    cd = ((channels["date"].to_numpy().astype("datetime64[D]") - _D0).astype(int)) // 7
    cok = cd < n_weeks
    for ci, ch in enumerate(CHANNELS):
        m = cok & (channels["channel"].to_numpy() == ch)
        out[f"attr_spend_{ch.lower()}"] = np.round(
            np.bincount(cd[m], weights=channels["spend"].to_numpy()[m], minlength=n_weeks), 2)
    wk = np.arange(N_DAYS) // 7
    for key, flag in (("attr_event_618", cal["ev618"]), ("attr_event_1111", cal["ev1111"])):
        out[key] = (np.bincount(wk[flag], minlength=wk.max() + 1)[:n_weeks] > 0).astype(float)
    # festival lift of the week's traffic (weekly mean of the calendar multiplier - 1: 0 on a plain week,
    # negative over the Spring-Festival courier stop): the control that lets a media-mix model tell
    # festival demand from the spend pushed into the festivals
    out["attr_festival_lift"] = np.round(np.bincount(wk, weights=cal["mult"])[:n_weeks] / 7.0 - 1.0, 4)
    return out
