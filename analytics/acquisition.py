"""CLV sets the acquisition ceiling (issue 17 item 6): the largest cost per new customer that still pays back
within the CLV horizon, per customer segment, and the channels whose cost per new buyer is above it.

* The customer value comes from the Segmentation explorer's CLV model (BG/NBD + Gamma-Gamma,
  :mod:`analytics.clv`, fitted by :func:`analytics.segmentation.fit`; the page reads that fit from the cache):
  a newly acquired customer is a customer with no repeat purchase yet and no time on the books
  (x = t_x = T = 0), whose expected discounted net sales over the horizon are
  :func:`analytics.clv.customer_lifetime_value` at those values (the model's population expectation).
* Value of a new customer = the first order (the mean first-purchase-day net sales of new buyers) + the
  CLV of the repeat purchases over the horizon. For a segment the CLV is the mean CLV of its customers
  (a new customer who turns out like them), with a 95% interval for that mean (normal, s / sqrt(n)); the
  model's own CLV of a new customer is a point estimate (the models give no interval).
* Ceiling = margin x value: the orders carry net sales, not costs, so a gross margin (a page parameter) turns
  sales into the profit that has to pay the acquisition back; margin 1 is the sales-based ceiling.
* Cost per new buyer of a channel = the channel's spend in the window / the new buyers whose first purchase
  in the orders was in that channel in the window (the window: the weeks the planner's spend data and the
  orders both cover). The orders need a channel column; otherwise it cannot be computed and the rows say so.
  A customer's first purchase in the data is taken as the acquisition (customers bought before the orders
  begin look new: the earliest weeks overstate the new buyers).

:func:`first_purchases` is the engine part (one row per channel and first-purchase day);
:func:`ceiling` is pure numbers on aggregates and the fitted models.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics import clv as clvmod
from analytics.i18n import fmt_list, fmt_money, fmt_pct, t

Z95 = 1.959963984540054
MIN_SEGMENT = 2  # customers with a CLV needed for a segment's interval


def first_purchases(orders: ir.Table) -> pd.DataFrame | None:
    """Per (channel, day): the customers whose first purchase day (non-return lines with a customer id) is
    that day with that channel (the channel of their earliest line), ``buyers``, and the net sales of those
    first days, ``value``. None when the orders have no channel column. Runs in the engine.

    Parameters
    ----------
    orders : ir.Table
        Order lines with ``channel``, ``customer_id``, ``order_date``, ``amount`` and optionally
        ``is_return`` (return lines are left out; a missing or NaN amount counts 0).

    Returns
    -------
    pd.DataFrame | None
        Columns ``channel``, ``day`` (datetime), ``buyers`` (new customers), ``value`` (their net sales on
        that first day), sorted by day and channel; None when a required column is missing.
    """
    cols = set(orders.columns)
    if not {"channel", "customer_id", "order_date", "amount"} <= cols:
        return None
    o = orders.filter(orders.order_date.notnull() & orders.customer_id.notnull())
    if "is_return" in cols:
        o = o.filter(~o.is_return.cast("boolean").fill_null(False))
    a = o.amount.cast("float64")
    o = o.select(customer_id=o.customer_id.cast("string"), ts=o.order_date.cast("timestamp(6)"),
                 day=o.order_date.cast("date"), channel=o.channel.cast("string"),
                 amount=ibis.ifelse(a.isnan(), 0.0, a).fill_null(0.0))
    first = o.group_by("customer_id").aggregate(first_day=o.day.min(), first_channel=o.channel.argmin(o.ts))
    j = o.join(first, [o.customer_id == first.customer_id, o.day == first.first_day])
    per = j.group_by([j.customer_id, j.first_channel, j.first_day]).aggregate(value=j.amount.sum())
    out = per.group_by([per.first_channel, per.first_day]).aggregate(buyers=per.customer_id.count(),
                                                                     value=per.value.sum())
    from data import engine

    df = engine.to_frame(out)
    df = df.rename(columns={"first_channel": "channel", "first_day": "day"})
    df["day"] = pd.to_datetime(df["day"])
    return df.sort_values(["day", "channel"], kind="stable").reset_index(drop=True)


def new_customer_clv(params: dict, horizon: int, discount: float, time_unit: str) -> float:
    """The discounted expected net sales over ``horizon`` months of a newly acquired customer (x = t_x = T
    = 0) under the fitted BG/NBD + Gamma-Gamma ``params`` (r, alpha, a, b, p, q, gamma).

    Parameters
    ----------
    params : dict
        The fitted parameters: BG/NBD ``r``, ``alpha``, ``a``, ``b``; Gamma-Gamma ``p``, ``q``, ``gamma``.
    horizon : int
        Months.
    discount : float
        Discount rate per month.
    time_unit : str
        The time unit the models were fitted in (e.g. ``"week"``).

    Returns
    -------
    float
        The CLV of one new customer (:func:`analytics.clv.customer_lifetime_value` at x = t_x = T = 0).
    """
    bg = clvmod.BGNBD(params["r"], params["alpha"], params["a"], params["b"], math.nan, 0, True)
    gg = clvmod.GammaGamma(params["p"], params["q"], params["gamma"], math.nan, 0, True)
    z = np.zeros(1)
    return float(clvmod.customer_lifetime_value(bg, gg, z, z, z, z, horizon_months=int(horizon),
                                                discount=float(discount), time_unit=time_unit)[0])


def _mean_ci(v: np.ndarray) -> tuple[float, float | None, float | None]:
    m = float(v.mean())
    if len(v) < MIN_SEGMENT:
        return m, None, None
    h = Z95 * float(v.std(ddof=1)) / math.sqrt(len(v))
    return m, m - h, m + h


def window(dates: Sequence, first: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The days [start, end) both the planner's weekly spend (week starts ``dates``) and the orders'
    first purchases cover; None when they do not overlap.

    Parameters
    ----------
    dates : Sequence
        The planner's week starts (anything ``pd.to_datetime`` reads); each week covers seven days.
    first : pd.DataFrame
        :func:`first_purchases` (its ``day`` column); None or empty gives None.

    Returns
    -------
    tuple[pd.Timestamp, pd.Timestamp] | None
        (start, end), end exclusive: from the later of the first week and the first purchase day to the
        earlier of the end of the last week and the day after the last purchase day.
    """
    if not len(dates) or first is None or first.empty:
        return None
    d = pd.DatetimeIndex(pd.to_datetime(list(dates)))
    start = max(d.min(), first["day"].min())
    end = min(d.max() + pd.Timedelta(days=7), first["day"].max() + pd.Timedelta(days=1))
    return (start, end) if end > start else None


def ceiling(*, segments: pd.DataFrame | None, clv: dict | None, first: pd.DataFrame | None, dates: Sequence,
            X: np.ndarray, channels: Sequence[str], names: Sequence[str], margin: float,
            lang: str = "en") -> dict:
    """The acquisition ceiling.

    Parameters
    ----------
    segments : DataFrame or None
        One row per customer with ``segment`` and ``clv`` (NaN: not scored), e.g. the Segmentation
        explorer's customers with its lead group column.
    clv : dict or None
        The Segmentation explorer's CLV block: ``params`` (BG/NBD r, alpha, a, b; Gamma-Gamma p, q, gamma),
        ``horizon`` (months), ``discount`` (per month), ``time_unit``. None: no CLV model (then no ceiling).
    first : DataFrame or None
        :func:`first_purchases` (None: the orders have no channel).
    dates, X, channels, names
        The planner's weekly spend: week starts, spend (weeks x channels), channel keys, display names.
    margin : float
        Gross margin on net sales (0-1] applied to the value.
    lang : str
        Language of the findings and warnings, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        ``status`` ("ok", "no_clv"), ``margin``, ``horizon``, ``window`` [start, end), ``first_order_value``,
        ``new_customer_clv``, ``ceiling`` (a new customer), ``segments`` (segment, customers, mean_clv,
        clv_low, clv_high, value, ceiling, ceiling_low, ceiling_high), ``channels`` (channel, key, spend,
        new_buyers, cost_per_new_buyer, first_order_value, ceiling, above, status: "above" / "below" /
        "no_buyers" / "no_channel" / "no_overlap"), ``findings`` and ``warnings`` in ``lang``.
    """
    out: dict[str, Any] = {"status": "no_clv", "margin": float(margin), "segments": [], "channels": [],
                           "findings": [], "warnings": []}
    if clv is None or not clv.get("params"):
        out["warnings"].append(t("promotions.ceiling.no_clv", lang))
        return out
    horizon, discount, unit = int(clv["horizon"]), float(clv.get("discount") or 0.0), clv.get("time_unit", "week")
    new_clv = new_customer_clv(clv["params"], horizon, discount, unit)
    win = window(dates, first) if first is not None else None
    in_win = None
    if win is not None:
        in_win = first.loc[(first["day"] >= win[0]) & (first["day"] < win[1])]
    # the first order's value over the weeks both datasets cover; without common weeks, over all the orders'
    # first purchases (a value the orders do say), not 0
    base = in_win if in_win is not None and in_win["buyers"].sum() else first
    fov = float(base["value"].sum() / base["buyers"].sum()) if base is not None and base["buyers"].sum() else 0.0
    value = fov + new_clv
    out.update(status="ok", horizon=horizon, discount=discount, new_customer_clv=new_clv, first_order_value=fov,
               value=value, ceiling=margin * value, window=[win[0].date(), win[1].date()] if win else None)
    if segments is not None and not segments.empty:
        for seg, g in segments.dropna(subset=["clv"]).groupby("segment", sort=False, observed=True):
            v = g["clv"].to_numpy(float)
            m, lo, hi = _mean_ci(v)
            out["segments"].append({
                "segment": str(seg), "customers": int(len(v)), "mean_clv": m, "clv_low": lo, "clv_high": hi,
                "value": fov + m, "ceiling": margin * (fov + m),
                "ceiling_low": margin * (fov + lo) if lo is not None else None,
                "ceiling_high": margin * (fov + hi) if hi is not None else None})
        out["segments"].sort(key=lambda r: -r["ceiling"])
    from analytics.ledger import channel_key

    by_key: dict[str, pd.DataFrame] = {}
    if in_win is not None:
        for ch, g in in_win.groupby(in_win["channel"].map(lambda c: channel_key(str(c))), sort=False):
            by_key[ch] = g
    X = np.asarray(X, float)
    d = pd.DatetimeIndex(pd.to_datetime(list(dates))) if len(dates) else pd.DatetimeIndex([])
    rows_in = (d >= win[0]) & (d < win[1]) if win is not None else np.zeros(len(d), bool)
    for i, (key, name) in enumerate(zip(channels, names)):
        spend = float(X[rows_in, i].sum()) if X.size and win is not None else None  # None: no common weeks
        row: dict[str, Any] = {"channel": name, "key": key, "spend": spend, "new_buyers": None,
                               "cost_per_new_buyer": None, "first_order_value": None, "ceiling": None,
                               "above": None}
        if first is None:
            row["status"] = "no_channel"
        elif win is None:
            row["status"] = "no_overlap"
        else:
            g = by_key.get(channel_key(str(key)))
            n = int(g["buyers"].sum()) if g is not None else 0
            row["new_buyers"] = n
            if n == 0:
                row["status"] = "no_buyers"
            else:
                f = float(g["value"].sum()) / n
                cpnb = spend / n
                ceil = margin * (f + new_clv)
                row.update(cost_per_new_buyer=cpnb, first_order_value=f, ceiling=ceil, above=bool(cpnb > ceil),
                           status="above" if cpnb > ceil else "below")
        out["channels"].append(row)
    # texts
    out["findings"].append(t("promotions.ceiling.finding", lang, ceiling=fmt_money(out["ceiling"], lang),
                             margin=fmt_pct(margin, lang, 0), h=horizon, first=fmt_money(fov, lang),
                             clv=fmt_money(new_clv, lang)))
    above = [r for r in out["channels"] if r["status"] == "above"]
    if above:
        out["warnings"].append(t("promotions.ceiling.above", lang, channels=fmt_list((
            f"{r['channel']} ({fmt_money(r['cost_per_new_buyer'], lang)} > {fmt_money(r['ceiling'], lang)})" for r in above), lang)))
    if first is None:
        out["warnings"].append(t("promotions.ceiling.no_channel", lang))
    elif win is None:
        out["warnings"].append(t("promotions.ceiling.no_overlap", lang))
    return out
