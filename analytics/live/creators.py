"""Creator deals: cost, ROI, break-even commission and profit per creator, and with orders the incremental
GMV of the deal days and the halo after them against comparison days."""

from __future__ import annotations

import math

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics.expr import dbl, fsum, in_dates
from data import engine

from .base import FEW_BASELINE, MAX_CREATORS, Z, _div, _f, _num, _ratio


def _rate_expr(c: ir.Table) -> ir.FloatingValue:
    rate = _f(c, "commission_rate")
    return ibis.ifelse(rate > 1, rate / dbl(100.0), rate)


def creators_table(c: ir.Table, margin: float) -> tuple[pd.DataFrame, dict]:
    """Deals, GMV, cost (slot fee + commission) and ROI per creator (the MAX_CREATORS with the most GMV), and the
    totals.

    Parameters
    ----------
    c : ir.Table
        Creator deals (``creator``, ``platform``, ``followers``, ``gmv``, ``orders``, ``posts``, ``slot_fee``,
        ``commission_rate``).
    margin : float
        Gross margin on GMV, for the profit and the break-even commission.

    Returns
    -------
    tuple[pd.DataFrame, dict]
        Per creator: ``creator``, ``deals``, ``platform``, ``followers``, ``gmv``, ``orders``, ``posts``,
        ``slot_fee``, ``commission``, ``no_rate``, ``cost``, ``roi``, ``commission_rate``,
        ``break_even_commission``, ``profit``; the totals dict.
    """
    rate = _rate_expr(c)
    gmv = _f(c, "gmv")
    c2 = c.filter(c.creator.notnull()).mutate(_commission=gmv * rate, _rate=rate)
    agg = c2.group_by("creator").aggregate(
        deals=c2.count(), platform=c2.platform.min(), followers=_f(c2, "followers").max(),
        gmv=fsum(_f(c2, "gmv")), orders=fsum(_f(c2, "orders")), posts=fsum(_f(c2, "posts")),
        slot_fee=fsum(_f(c2, "slot_fee")).fill_null(0.0), commission=fsum(c2._commission).fill_null(0.0),
        no_rate=c2.count(where=c2._rate.isnull()),
    )
    df = engine.to_frame(agg.order_by([ibis.desc("gmv"), "creator"]).limit(MAX_CREATORS))
    for col in ("followers", "gmv", "orders", "posts", "slot_fee", "commission"):
        df[col] = df[col].astype(float)
    df["deals"] = df["deals"].astype("int64")
    df["cost"] = df["slot_fee"] + df["commission"]
    df["roi"] = _div(df["gmv"], df["cost"])
    df["commission_rate"] = _div(df["commission"], df["gmv"])
    df["break_even_commission"] = np.where(df["gmv"] > 0, margin - _div(df["slot_fee"], df["gmv"]), np.nan)
    df["profit"] = margin * df["gmv"].fillna(0) - df["cost"]
    tot = engine.to_frame(c2.aggregate(gmv=fsum(_f(c2, "gmv")), slot_fee=fsum(_f(c2, "slot_fee")).fill_null(0.0),
                                       commission=fsum(c2._commission).fill_null(0.0), deals=c2.count(),
                                       creators=c2.creator.nunique(), no_rate=c2.count(where=c2._rate.isnull()),
                                       pct_rates=c2.count(where=_f(c2, "commission_rate") > 1))).iloc[0]
    totals = {"gmv": _num(tot["gmv"]), "slot_fee": float(tot["slot_fee"]), "commission": float(tot["commission"]),
              "deals": int(tot["deals"]), "creators": int(tot["creators"]), "no_rate": int(tot["no_rate"]),
              "pct_rates": int(tot["pct_rates"])}
    totals["cost"] = totals["slot_fee"] + totals["commission"]
    totals["roi"] = _ratio(totals["gmv"], totals["cost"])
    totals["profit"] = margin * (totals["gmv"] or 0.0) - totals["cost"]
    return df, totals


def daily_sales(orders: ir.Table, first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
    """Hourly sales of the sale lines (returns left out) from ``first`` to ``last`` (inclusive days), summed in
    the engine; hours without a sale are 0 within the orders' covered days.

    Parameters
    ----------
    orders : ir.Table
        Order lines.
    first : pd.Timestamp
        First day.
    last : pd.Timestamp
        Last day.

    Returns
    -------
    pd.Series
        Sales per hour.
    """
    o = orders.filter(orders.order_date.notnull())
    if "is_return" in o.columns:
        o = o.filter(~o.is_return.cast("boolean").fill_null(False))
    o = in_dates(o, "order_date", first.date(), last.date())
    agg = o.group_by(hour=o.order_date.truncate("h")).aggregate(sales=fsum(_f(o, "amount")))
    df = engine.to_frame(agg)
    if df.empty:
        return pd.Series(dtype=float)
    s = pd.Series(df["sales"].astype(float).fillna(0.0).to_numpy(), index=pd.to_datetime(df["hour"])).sort_index()
    full = pd.date_range(s.index.min().normalize(), s.index.max().normalize() + pd.Timedelta(hours=23), freq="h")
    return s.reindex(full, fill_value=0.0)


def incremental(deals: pd.DataFrame, hourly: pd.Series, baseline_days: int, halo_hours: int) -> tuple[pd.DataFrame, dict]:
    """Per creator: incremental GMV on the deal days and the halo after them, against comparison days.

    Parameters
    ----------
    deals : pd.DataFrame
        Creator deals with ``creator`` and ``day``.
    hourly : pd.Series
        Hourly sales (:func:`daily_sales`).
    baseline_days : int
        Comparison days wanted per deal day.
    halo_hours : int
        Hours after a deal day counted as its halo.

    Returns
    -------
    tuple[pd.DataFrame, dict]
        Per creator ``creator``, ``deal_days``, ``baseline_days_min``, ``incremental_gmv`` with
        ``incremental_ci_low`` / ``incremental_ci_high``, ``halo_gmv``, ``halo_incremental`` with
        ``halo_ci_low`` / ``halo_ci_high``; and ``first_day``, ``last_day``, ``comparison_days``,
        ``few_baseline_creators``, ``uncovered_days``, ``shared_days``.
    """
    daily = hourly.resample("D").sum()
    days = daily.index
    deal_days = pd.DatetimeIndex(sorted(set(deals["day"])))
    halo_days = int(math.ceil(halo_hours / 24))
    blocked = set(deal_days)
    for d in deal_days:
        for k in range(1, halo_days + 1):
            blocked.add(d + pd.Timedelta(days=k))
    free = daily.loc[~days.isin(list(blocked))]
    first, last = days.min(), days.max()
    rows = []
    few = 0
    uncovered = 0
    cum = np.concatenate([[0.0], np.cumsum(hourly.to_numpy())])
    h0 = hourly.index[0]
    for name, g in deals.groupby("creator", sort=False):
        inc = var = halo = halo_exp = halo_var = 0.0
        n_days = n_halo = 0
        min_base = None
        for d in sorted(set(g["day"])):
            if d < first or d > last:
                uncovered += 1
                continue
            base = free.loc[(free.index >= d - pd.Timedelta(days=baseline_days)) &
                            (free.index <= d + pd.Timedelta(days=baseline_days))]
            nb = len(base)
            if nb < 2:
                uncovered += 1
                continue
            min_base = nb if min_base is None else min(min_base, nb)
            mean, s2 = float(base.mean()), float(base.var(ddof=1))
            inc += float(daily.loc[d]) - mean
            var += s2 * (1 + 1 / nb)
            n_days += 1
            start = d + pd.Timedelta(days=1)
            end = start + pd.Timedelta(hours=halo_hours)
            if end <= hourly.index[-1] + pd.Timedelta(hours=1):
                i0 = int((start - h0) / pd.Timedelta(hours=1))
                i1 = int((end - h0) / pd.Timedelta(hours=1))
                k = halo_hours / 24
                halo += float(cum[i1] - cum[i0])
                halo_exp += mean * k
                halo_var += s2 * (k + k * k / nb)
                n_halo += 1
        if min_base is not None and min_base < FEW_BASELINE:
            few += 1
        se, hse = math.sqrt(var), math.sqrt(halo_var)
        rows.append({"creator": name, "deal_days": n_days, "baseline_days_min": min_base,
                     "incremental_gmv": inc if n_days else None,
                     "incremental_ci_low": inc - Z * se if n_days else None,
                     "incremental_ci_high": inc + Z * se if n_days else None,
                     "halo_gmv": halo if n_halo else None,
                     "halo_incremental": halo - halo_exp if n_halo else None,
                     "halo_ci_low": halo - halo_exp - Z * hse if n_halo else None,
                     "halo_ci_high": halo - halo_exp + Z * hse if n_halo else None})
    info = {"first_day": first, "last_day": last, "comparison_days": int(len(free)), "few_baseline_creators": few,
            "uncovered_days": uncovered,
            "shared_days": int(deals.groupby("day")["creator"].nunique().gt(1).sum())}
    return pd.DataFrame(rows), info
