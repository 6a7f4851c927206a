"""Market share: own net sales against the market size per month, from the market kind (its ``our_sales``
where it has them, else the orders' net sales per whole month)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics.market.lines import fsum, total
from analytics.market.mix import change
from analytics.market.periods import iso, key_end, key_of, key_start, period_key, sum_by_period
from data import engine


def market_months(market: ir.Table | None, start: int | None, end: int | None,
                  categories: list[str] | None) -> pd.DataFrame | None:
    """Market size (and the market data's own sales, NaN where none) per month key, from the market rows
    with a date and a size; only the segments among ``categories`` when any row has one; only the days
    [start, end] (None: open). Columns: k (month key), market_size, our_sales, n_own (rows with own sales).
    None when no row is left.

    Parameters
    ----------
    market : ir.Table | None
        The market dataset's lines (``date``, ``market_size``, optionally ``segment``, ``our_sales``), or
        None.
    start : int | None
        First day number, or None.
    end : int | None
        Last day number, or None.
    categories : list[str] | None
        Segments to keep, or None.

    Returns
    -------
    pd.DataFrame | None
        Columns ``k``, ``market_size``, ``our_sales``, ``n_own``; None when no row is left.
    """
    if market is None or "market_size" not in market.columns or "date" not in market.columns:
        return None
    mk = market.filter(market.date.notnull() & market.market_size.notnull())
    if categories and "segment" in market.columns:
        in_cat = mk.segment.cast("string").isin([str(c) for c in categories]).fill_null(False)
        if engine.scalar(mk.date.count(where=in_cat)) > 0:
            mk = mk.filter(in_cat)
    day = mk.date.date().epoch_days()
    if start is not None:
        mk = mk.filter(day >= start)
    if end is not None:
        mk = mk.filter(day <= end)
    month = mk.date.date().truncate("M").epoch_days()
    own = mk.our_sales.cast("float64") if "our_sales" in market.columns else ibis.null("float64")
    q = mk.group_by(start_day=month).aggregate(market_size=total(mk.market_size), our_sales=fsum(own),
                                               n_own=own.count())
    g = engine.to_frame(q.order_by("start_day"))
    if g.empty:
        return None
    g["k"] = period_key(g["start_day"].to_numpy(dtype=np.int64), "month")
    g["our_sales"] = pd.to_numeric(g["our_sales"], errors="coerce").astype(float)
    return g[["k", "market_size", "our_sales", "n_own"]].astype({"n_own": np.int64})


def market_share(months: pd.DataFrame | None, daily_net: np.ndarray, d0: int, d1: int) -> dict | None:
    """Own share of the market per month: the market data's own sales when it has any, else the orders' net
    sales (``daily_net[i]`` is day ``d0 + i``, up to ``d1``) in the months wholly inside [d0, d1].

    Parameters
    ----------
    months : pd.DataFrame | None
        :func:`market_months`, or None.
    daily_net : np.ndarray
        Net sales of each day of the orders.
    d0 : int
        Day number of ``daily_net[0]``.
    d1 : int
        Last day number.

    Returns
    -------
    dict | None
        ``source`` (market / orders), ``trend`` (period, market_size, our_sales, share), ``latest``,
        ``share_change``, ``share_change_yoy``, ``market_growth``, ``our_growth``; None when no month has
        both.
    """
    if months is None or months.empty:
        return None
    agg = months.set_index("k")[["market_size"]].astype(float)
    if int(months["n_own"].sum()) > 0:
        agg["our_sales"] = months["our_sales"].to_numpy(dtype=float)
        source = "market"
    else:
        keys = agg.index.to_numpy(dtype=np.int64)
        k0 = key_of(d0, "month")
        n = key_of(d1, "month") - k0 + 1
        own = sum_by_period(daily_net, d0, "month", k0, n)
        idx = keys - k0
        ok = (idx >= 0) & (idx < n)
        vals = np.where(ok, own[np.clip(idx, 0, max(n - 1, 0))], 0.0) if n else np.zeros(len(keys))
        complete = (key_start(keys, "month") >= d0) & (key_end(keys, "month") <= d1)
        agg["our_sales"] = np.where(complete, vals, np.nan)
        source = "orders"
    agg = agg.dropna(subset=["our_sales"])
    agg = agg.loc[agg["market_size"] > 0]
    if agg.empty:
        return None
    agg["share"] = agg["our_sales"] / agg["market_size"]
    trend = [{"period": iso(int(key_start(np.array([k]), "month")[0])),
              "market_size": float(r.market_size), "our_sales": float(r.our_sales), "share": float(r.share)}
             for k, r in agg.iterrows()]
    out = {"source": source, "trend": trend, "latest": trend[-1], "share_change": None, "share_change_yoy": None,
           "market_growth": None, "our_growth": None}
    if len(trend) >= 2:
        out["share_change"] = trend[-1]["share"] - trend[-2]["share"]
        out["market_growth"] = change(trend[-1]["market_size"], trend[-2]["market_size"])
        out["our_growth"] = change(trend[-1]["our_sales"], trend[-2]["our_sales"])
    lk = int(agg.index[-1])
    if lk - 12 in agg.index:
        out["share_change_yoy"] = float(agg["share"].iloc[-1] - agg.loc[lk - 12, "share"])
    return out
