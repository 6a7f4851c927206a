"""``fit``: every number of the channel comparison, language-free, in a :class:`ChannelFit`: the engine's
sums (:mod:`.queries`), then the KPIs with intervals, tests, response curves, funnel and weekly trends on
them and the platform vs incremental ROAS block (:mod:`.incremental`)."""


from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics.common import NotEnoughData
from analytics.expr import in_dates

from .base import MAX_CURVE_POINTS, MAX_PAIR_GROUPS, PARAMS, SUMS, _div
from .incremental import incrementality
from .kpis import fit_curve, kpi_table, pairwise_tests, ratio_intervals
from .queries import _counts, daily_units, orders_by_channel


def _defaults(params: dict) -> dict:
    out = {p.key: p.default for p in PARAMS}
    out.update({k: v for k, v in (params or {}).items() if v is not None})
    return out


@dataclass(frozen=True)
class ChannelFit:
    """The channel comparison's numbers before any text (language-free; :func:`present` writes the findings
    and warnings). Shared between sessions and languages: treat it as read-only.

    Attributes
    ----------
    mode : str
        "channels" (channel statistics compared) or "orders" (no channel statistics: the orders per channel).
    by : str or None
        The grouping reported ("channel", "campaign" or an attribute name; "channel" when the asked one is
        missing). None in orders mode.
    by_missing : str or None
        The ``by`` asked for when the data does not hold it (a warning), else None.
    dated : bool
        Whether the units are days (the channel lines have dates) rather than the lines themselves.
    channels : pandas.DataFrame
        Channels mode: one row per group, most spend first, with the sums (spend, impressions, clicks,
        conversions, revenue, video_views, likes, comments, shares, followers_gained), ``n_units``, the rates
        (ctr, cvr, cvr_impr, cpc, cpm, cpa, roas, roi, engagement_rate, cost_per_follower, follower_growth) with
        Wilson intervals for the proportions, ``ci_method`` and ROAS / CPA intervals, and ``marginal_roas``.
        Orders mode: the table of ``orders_by_channel``.
    pairwise_tests : list of dict
        Two-proportion z-tests of CTR and CVR for every pair of groups (metric, a, b, rate_a, rate_b, diff,
        p_value, p_adjusted (Holm), significant).
    best_next : dict or None
        The group with the highest marginal ROAS: channel, marginal_roas and its average ROAS (``avg``).
    saturated : list of str
        Groups whose marginal ROAS is below 1.
    curves : list of dict
        Per group: the fitted revenue = a spend^b curve (a, b, b_se, r2, n, spend range) or the ``reason`` it
        was skipped, the current spend, and where fitted the fitted / marginal ROAS at it.
    curve_points : list of dict
        Spend and revenue of the units behind the curves (at most ``MAX_CURVE_POINTS``).
    funnel : list of dict
        Impressions, clicks and conversions per group with the rate from the previous stage.
    trends : list of dict
        Weekly sums and CTR / CVR / ROAS per group (the groups with the most spend); empty without dates.
    roas_trend : dict or None
        ROAS of all groups in the first and last week (``first``, ``last``, ``r0``, ``r1``) when there are
        at least four weeks.
    top_roas : dict or None
        The group with the highest ROAS: channel, roas and its interval (``lo``, ``hi``; NaN when none).
    under_one : list of str
        Groups with ROAS below 1, highest ROAS first.
    delta_channels : list of str
        Groups whose ROAS / CPA intervals use the delta method (too few units to bootstrap).
    small_click_channels : list of str
        Groups with fewer than 100 clicks.
    skipped_curves : list of dict
        Groups without a curve: ``channel`` and ``reason`` ("few_points" / "narrow_range").
    min_points : int
        The ``min_points`` parameter (named in the skipped curves' reason).
    orders_by_channel : pandas.DataFrame or None
        Orders, buyers, gross / net sales, returns, AOV and return rate per channel of the orders (None
        without orders holding a channel).
    totals : dict
        Channels mode: the summed spend, revenue, impressions, clicks and conversions and the overall ROAS,
        CTR, CVR and CPA (None where undefined). Orders mode: net_sales and orders.
    incrementality : dict or None
        Channels mode: platform ROAS beside incremental ROAS per channel, the response model's status and
        the double-count check (:func:`incrementality`). None in orders mode.
    """

    mode: str
    by: str | None = None
    by_missing: str | None = None
    dated: bool = False
    channels: pd.DataFrame = field(default_factory=pd.DataFrame)
    pairwise_tests: list = field(default_factory=list)
    best_next: dict | None = None
    saturated: list = field(default_factory=list)
    curves: list = field(default_factory=list)
    curve_points: list = field(default_factory=list)
    funnel: list = field(default_factory=list)
    trends: list = field(default_factory=list)
    roas_trend: dict | None = None
    top_roas: dict | None = None
    under_one: list = field(default_factory=list)
    delta_channels: list = field(default_factory=list)
    small_click_channels: list = field(default_factory=list)
    skipped_curves: list = field(default_factory=list)
    min_points: int = 8
    orders_by_channel: pd.DataFrame | None = None
    totals: dict = field(default_factory=dict)
    incrementality: dict | None = None


def fit(tables: dict[str, ir.Table], params: dict) -> ChannelFit:
    """Every number of the channel comparison from the engine tables (``tables[kind]``: channels and / or
    orders). The channel lines are summed per group and day in the engine and the orders per channel;
    intervals, tests and curves run on those sums. Raises ``NotEnoughData`` when nothing can be compared.

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table (``channels`` and / or ``orders``).
    params : dict
        The page's parameters.

    Returns
    -------
    ChannelFit
        The fit (mode "channels" or "orders").
    """
    p = _defaults(params)
    start, end = p.get("start"), p.get("end")
    ch = tables.get("channels")
    orders = tables.get("orders")
    if ch is None and orders is None:
        raise NotEnoughData("channels.error.none_selected")
    orders_table = None
    oc = {"__rows__": 0, "channel": 0}
    if orders is not None:
        oc = _counts(orders, ["channel"] if "channel" in orders.columns else [])
        if oc["__rows__"] and oc.get("channel"):
            orders_table = orders_by_channel(in_dates(orders, "order_date", start, end))
    cc = _counts(ch, ["date"] if "date" in ch.columns else []) if ch is not None else {"__rows__": 0}
    if ch is None or not cc["__rows__"]:
        if orders_table is None or orders_table.empty:
            raise NotEnoughData("channels.error.no_data" if ch is not None or orders is None or not oc["__rows__"]
                                or oc.get("channel") else "channels.error.orders_no_channel")
        totals = {"net_sales": orders_table["net_sales"].sum(), "orders": orders_table["orders"].sum()}
        return ChannelFit(mode="orders", channels=orders_table, orders_by_channel=orders_table, totals=totals)
    t = ch.mutate(_pos=ibis.row_number())  # the lines' order: the order of the units (see daily_units)
    if cc.get("date"):
        t = in_dates(t, "date", start, end)
    by = str(p["by"] or "channel")
    col = by if by in t.columns else ("attr_" + by if "attr_" + by in t.columns else None)
    by_missing = None
    if col is None or not _counts(t, [col])[col]:
        by_missing = by
        col = "channel"
    t = t.filter(t[col].notnull() & t.spend.notnull())
    n = _counts(t, ["date"] if "date" in t.columns else [])
    if not n["__rows__"]:
        raise NotEnoughData("channels.error.no_rows")
    dated = bool(n.get("date"))
    units = daily_units(t, col, dated)
    parts = _compare(units, dated, p)
    # per channel whatever ``by`` is: the ledger and the model know channels, not campaigns
    t_ch = t if col == "channel" else t.filter(t.channel.notnull())
    own = in_dates(orders, "order_date", start, end) if orders is not None and oc["__rows__"] else None
    incr = incrementality(tables, t_ch, own, p)
    return ChannelFit(mode="channels", by=by if col != "channel" or by == "channel" else "channel",
                      by_missing=by_missing, dated=dated, orders_by_channel=orders_table, incrementality=incr,
                      **parts)


def _compare(units: pd.DataFrame, dated: bool, p: dict) -> dict:
    """KPIs with intervals, curves and marginal ROAS, pairwise tests, funnel and weekly trends from the units
    (column ``_g`` = group); the ChannelFit fields other than mode, by, by_missing, dated and orders."""
    kpis = kpi_table(units, "_g")
    ints = ratio_intervals(units, "_g", int(p["n_boot"]), int(p["seed"]))
    kpis = kpis.merge(ints, on="channel", how="left")
    delta = kpis.loc[kpis["ci_method"] == "delta_poisson", "channel"].tolist()
    small = kpis.loc[(kpis["clicks"].fillna(0) > 0) & (kpis["clicks"] < 100), "channel"].tolist()
    curves, curve_points = response_curves(units, dated, int(p["recent_days"]), int(p["min_points"]))
    curve_df = pd.DataFrame(curves)
    kpis = kpis.merge(curve_df[["channel"] + (["marginal_roas"] if "marginal_roas" in curve_df else [])],
                      on="channel", how="left")
    if "marginal_roas" not in kpis:
        kpis["marginal_roas"] = np.nan
    skipped = [{"channel": c["channel"], "reason": c["reason"]} for c in curves if "a" not in c]
    fitted = [c for c in curves if c.get("marginal_roas") is not None and np.isfinite(c["marginal_roas"])]
    best_next, saturated = None, []
    if fitted:
        best = max(fitted, key=lambda c: c["marginal_roas"])
        best_next = {"channel": best["channel"], "marginal_roas": best["marginal_roas"],
                     "avg": kpis.loc[kpis["channel"] == best["channel"], "roas"].iloc[0]}
        saturated = [c["channel"] for c in fitted if c["marginal_roas"] < 1]
    pairs = pairwise_tests(kpis)
    k_r = kpis.loc[kpis["roas"].notna()].sort_values("roas", ascending=False)
    top_roas, under_one = None, []
    if len(k_r) >= 1:
        top = k_r.iloc[0]
        top_roas = {"channel": top["channel"], "roas": top["roas"], "lo": top["roas_ci_low"], "hi": top["roas_ci_high"]}
        under_one = k_r.loc[k_r["roas"] < 1, "channel"].tolist()
    funnel = funnel_rows(kpis)
    trends, roas_trend = weekly_trends(units, kpis) if dated else ([], None)
    kpis = kpis.sort_values("spend", ascending=False)
    tot = kpis[list(SUMS)].sum(min_count=1)
    totals = {
        "spend": tot["spend"], "revenue": tot["revenue"], "impressions": tot["impressions"], "clicks": tot["clicks"],
        "conversions": tot["conversions"],
        "roas": tot["revenue"] / tot["spend"] if tot["spend"] and tot["spend"] > 0 else None,
        "ctr": tot["clicks"] / tot["impressions"] if tot["impressions"] and tot["impressions"] > 0 else None,
        "cvr": tot["conversions"] / tot["clicks"] if tot["clicks"] and tot["clicks"] > 0 else None,
        "cpa": tot["spend"] / tot["conversions"] if tot["conversions"] and tot["conversions"] > 0 else None,
    }
    return {"channels": kpis, "pairwise_tests": pairs, "best_next": best_next, "saturated": saturated,
            "curves": curves, "curve_points": curve_points, "funnel": funnel, "trends": trends,
            "roas_trend": roas_trend, "top_roas": top_roas, "under_one": under_one, "delta_channels": delta,
            "small_click_channels": small, "skipped_curves": skipped, "min_points": int(p["min_points"]),
            "totals": totals}


def response_curves(units: pd.DataFrame, dated: bool, recent_days: int, min_points: int) -> tuple[list, list]:
    """Per group: the revenue = a spend^b curve over its units, the current spend (mean daily spend of the
    last ``recent_days`` days; mean spend per line without dates) and the fitted and marginal ROAS there;
    and the units' (spend, revenue) points for the chart.

    Parameters
    ----------
    units : pd.DataFrame
        :func:`daily_units` (``_g``, ``spend``, ``revenue``, ``date`` when dated).
    dated : bool
        Whether the units are days.
    recent_days : int
        Days whose mean spend is the current spend.
    min_points : int
        Fewest usable points per curve.

    Returns
    -------
    tuple[list, list]
        The curves (``channel``, ``current_spend``, ``unit``, the fit, ``fitted_roas``, ``marginal_roas``,
        ``diminishing``, ``extrapolated``) and the points (``channel``, ``spend``, ``revenue``).
    """
    curves, curve_points = [], []
    max_day = units["date"].max() if dated else None
    per_group_points = max(30, MAX_CURVE_POINTS // max(units["_g"].nunique(), 1))
    for name, g in units.groupby("_g", sort=False):
        sp = g["spend"].to_numpy(float)
        rv = g["revenue"].to_numpy(float) if "revenue" in g else np.full(len(g), np.nan)
        if dated:
            recent = g.loc[g["date"] > max_day - pd.Timedelta(days=recent_days)]
            current = float(recent["spend"].fillna(0).sum()) / recent_days
            if current <= 0:
                current = float(np.nanmean(sp[sp > 0])) if (sp > 0).any() else 0.0
        else:
            current = float(np.nanmean(sp)) if len(sp) else 0.0
        fc = fit_curve(sp, rv, min_points)
        row = {"channel": name, "current_spend": current, "unit": "day" if dated else "row", **fc}
        if "a" in fc and current > 0:
            row["fitted_roas"] = fc["a"] * current ** (fc["b"] - 1)
            row["marginal_roas"] = fc["a"] * fc["b"] * current ** (fc["b"] - 1)
            row["diminishing"] = bool(fc["b"] < 1)
            row["extrapolated"] = bool(current > fc["spend_max"] or current < fc["spend_min"])
        curves.append(row)
        ok = (sp > 0) & np.isfinite(rv)
        for s_, r_ in list(zip(sp[ok], rv[ok]))[:per_group_points]:
            curve_points.append({"channel": name, "spend": s_, "revenue": r_})
    return curves, curve_points


def funnel_rows(kpis: pd.DataFrame) -> list[dict]:
    """Impressions -> clicks -> conversions per group, with the rate from the previous stage.

    Parameters
    ----------
    kpis : pd.DataFrame
        :func:`kpi_table`.

    Returns
    -------
    list[dict]
        Rows with ``channel``, ``stage``, ``value``, ``rate_from_previous``.
    """
    funnel = []
    for _, r in kpis.iterrows():
        for stage in ("impressions", "clicks", "conversions"):
            if np.isfinite(r[stage]) if r[stage] is not None else False:
                funnel.append({"channel": r["channel"], "stage": stage, "value": r[stage],
                               "rate_from_previous": {"impressions": None, "clicks": r["ctr"],
                                                      "conversions": r["cvr"]}[stage]})
    return funnel


def weekly_trends(units: pd.DataFrame, kpis: pd.DataFrame) -> tuple[list[dict], dict | None]:
    """Weekly sums, CTR, CVR and ROAS of the groups with the most spend, and the overall ROAS of the first
    and last week (when there are four weeks or more).

    Parameters
    ----------
    units : pd.DataFrame
        Dated units (``_g``, ``date`` and the sums).
    kpis : pd.DataFrame
        :func:`kpi_table`.

    Returns
    -------
    tuple[list[dict], dict | None]
        Rows with ``channel``, ``week``, the sums, ``ctr``, ``cvr``, ``roas``; and ``first``, ``last``,
        ``r0``, ``r1`` or None.
    """
    wk = units["date"].dt.to_period("W-SUN").dt.start_time
    cols = [c for c in ("spend", "impressions", "clicks", "conversions", "revenue") if c in units.columns]
    top_groups = kpis.sort_values("spend", ascending=False)["channel"].head(MAX_PAIR_GROUPS)
    tu = units.loc[units["_g"].isin(top_groups)]
    wk = wk.loc[tu.index]
    tr = tu.groupby(["_g", wk])[cols].sum(min_count=1).reset_index().rename(columns={"_g": "channel", "date": "week"})
    for c in ("impressions", "clicks", "conversions", "revenue"):
        if c not in tr:
            tr[c] = np.nan
    tr["ctr"] = _div(tr["clicks"], tr["impressions"])
    tr["cvr"] = _div(tr["conversions"], tr["clicks"])
    tr["roas"] = _div(tr["revenue"], tr["spend"])
    change = None
    if tr["week"].nunique() >= 4:
        first, last = tr["week"].min(), tr["week"].max()
        tot = tr.groupby("week")[["spend", "revenue"]].sum()
        if tot["spend"].iloc[0] > 0 and tot["spend"].iloc[-1] > 0:
            r0 = tot["revenue"].iloc[0] / tot["spend"].iloc[0]
            r1 = tot["revenue"].iloc[-1] / tot["spend"].iloc[-1]
            if r0 > 0:
                change = {"first": str(first.date()), "last": str(last.date()), "r0": float(r0), "r1": float(r1)}
    return tr.to_dict(orient="records"), change
