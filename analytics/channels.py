"""Channel comparison: which channels pay, with intervals, significance and diminishing returns (issue 6).

Per group (``by`` = channel, campaign or any attribute column) the sums of spend, impressions, clicks,
conversions, revenue, views, likes, comments, shares and followers gained, and the rates:

    CTR = clicks / impressions            CVR = conversions / clicks     CVR/impr = conversions / impressions
    CPC = spend / clicks                  CPM = 1000 spend / impressions CPA = spend / conversions
    ROAS = revenue / spend                ROI = (revenue - spend) / spend
    engagement rate = (likes + comments + shares) / video views (impressions when there are no views)
    cost per follower = spend / followers gained

Intervals (95%): Wilson for the proportions (statsmodels ``proportion_confint(method="wilson")``). ROAS and
CPA: a percentile bootstrap over the units (days when dates exist, else rows = ads / campaigns; 1,000
seeded resamples, vectorised) when a group has at least ``MIN_BOOT_UNITS`` units; otherwise the delta
method with conversions as Poisson: se(log ROAS) = se(log CPA) = 1 / sqrt(conversions) (revenue per
conversion and spend held fixed), stated in the warnings.

Significance: pooled two-proportion z-tests of CTR and CVR for every pair of groups, Holm-corrected
within each metric (statsmodels ``multipletests``); pairs with adjusted p < 0.05 are listed.

Diminishing returns: per group, revenue = a * spend^b fitted by least squares in log-log over the units
with spend > 0 and revenue > 0 (needs ``min_points`` units and a spend range of at least 1.5x). The
marginal ROAS at the current spend s (mean daily spend of the last ``recent_days`` days; mean spend per
row on a snapshot) is d revenue / d spend = a b s^(b-1) = b x fitted ROAS at s. The channel with the
highest marginal ROAS is where the next unit of budget pays most (``best_next_channel``).

Platform vs incremental ROAS (issue 17 item 3): per channel the ROAS the platform reports (its revenue /
its spend in the period: each platform counts a buyer it touched, so the same buyer is counted by every
platform) beside the incremental ROAS, from the newest incrementality ledger entry of the channel (the
test's incremental revenue / the test's spend, with its 95% interval; :mod:`analytics.ledger`), else from the
promotion planner's response model (:func:`analytics.promotions.fit_calibrated`, calibrated on the ledger,
at its defaults) as the *average* incremental ROAS at the current spend: the model's steady-state weekly
outcome at the mean weekly spend of the last 13 weeks / that spend (bootstrap 95% interval). Inflation =
platform ROAS / incremental ROAS. The attribution window is read where the data states it (a kept column
named attribution / 归因, e.g. Meta's "Attribution setting"); when the platforms' conversions or revenue
summed over the platforms exceed the orders' own in the same days, the double count is stated with its size
(:func:`incrementality`).

Without a channels dataset, orders with a channel column are compared instead: orders, buyers, net sales,
AOV and return rate per channel.

On the engine (issue 13): :func:`fit` sums the channel lines per group and day (:func:`daily_units`) and the
order lines per channel (:func:`orders_by_channel`) as Ibis expressions in the engine; the intervals,
tests and curves run in Python on those sums and land in a :class:`ChannelFit` (no text); :func:`present`
writes the page's result in one language from it; :func:`compute` is both, for callers holding frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics import charts, ledger
from analytics.common import AnalyticsError, NotEnoughData, jsonable
from analytics.i18n import fmt_money, fmt_number, fmt_pct, t
from analytics.params import Param
from analytics.tables import Col
from analytics.stats import holm, two_proportion_ztest, wilson_interval
from analytics.expr import fsum, in_dates
from data import engine
from data.schema import normalise_header

PAGE = "channel-comparison"
KINDS = {"channels": False, "orders": False}  # at least one; orders need a channel column
KINDS_ANY = ("channels", "orders")  # the page needs one of these (components.page.frame, analytics.report)
PARAMS = [
    Param("by", "str", "channel", help="channels.help.by"),
    Param("min_points", "int", 8, min=3, max=1000, help="channels.help.min_points"),
    Param("recent_days", "int", 14, min=1, max=365, help="channels.help.recent_days"),
    Param("n_boot", "int", 1000, min=100, max=10000, help="channels.help.n_boot"),
    Param("seed", "int", 0, min=0, help="channels.help.seed"),
]
# Result tables as the page, its CSV export and the report show them (analytics/tables.py): column, kind of
# value; headers ``channels.col.<column>``, an interval's bounds "<metric> low / high (95%)".
_CI = ("ctr", "cvr", "roas", "cpa", "engagement_rate")
_KPI_KINDS = (("spend", "money"), ("impressions", "count"), ("clicks", "count"), ("conversions", "count"),
              ("revenue", "money"), ("ctr", "percent"), ("cvr", "percent"), ("cvr_impr", "percent"),
              ("cpc", "money"), ("cpm", "money"), ("cpa", "money"), ("roas", "number"), ("roi", "percent"),
              ("marginal_roas", "number"), ("engagement_rate", "percent"), ("follower_growth", "count"))
TABLES: dict[str, tuple] = {
    "channels": (("channel", "text"),) + tuple(
        c for key, kind in _KPI_KINDS
        for c in ((key, kind),) + (((f"{key}_ci_low", kind), (f"{key}_ci_high", kind)) if key in _CI else ())),
    "orders_by_channel": (("channel", "text"), ("orders", "count"), ("buyers", "count"), ("net_sales", "money"),
                          ("aov", "money"), ("return_rate", "percent"), ("return_rate_ci_low", "percent"),
                          ("return_rate_ci_high", "percent")),
    "curves": (("channel", "text"), ("current_spend", "money"), ("marginal_roas", "number"),
               Col("b", "number", label="channels.col.elasticity"), ("r2", "number"),
               Col("n", "count", label="channels.col.points"), ("diminishing", "bool")),
    "significant_pairs": (("metric", "text"), ("a", "text"), ("b", "text"), ("diff", "percent"),
                          ("p_value", "number"), ("p_adjusted", "number")),
    "incrementality": (("channel", "text"), ("spend", "money"), ("platform_roas", "number"),
                       ("incremental_roas", "number"),
                       Col("incremental_roas_ci_low", "number", help="channels.metric.incremental_roas"),
                       Col("incremental_roas_ci_high", "number", help="channels.metric.incremental_roas"),
                       ("inflation", "number"),
                       Col("inflation_ci_low", "number", help="channels.metric.inflation"),
                       Col("inflation_ci_high", "number", help="channels.metric.inflation"),
                       Col("basis", "text", help="channels.metric.incremental_source"),
                       ("attribution", "text")),
}

SUMS = ("spend", "impressions", "clicks", "conversions", "revenue", "video_views", "likes", "comments", "shares",
        "followers_gained")
MIN_BOOT_UNITS = 5
MAX_PAIR_GROUPS = 20      # pairwise tests and weekly trends: the groups with the most spend
MAX_CURVE_POINTS = 5000   # scatter points kept for the spend-vs-return chart
ALPHA = 0.05
Z = 1.959963984540054
# every parameter changes the numbers; ``ledger`` (the incrementality ledger's entries, :func:`store_params`)
# is read from the catalogue, so a new or changed entry refits
FIT_PARAMS = tuple(p.key for p in PARAMS) + ("ledger",)
MODEL_N_BOOT, MODEL_SEED = 100, 0  # the promotion planner's defaults (analytics.promotions.PARAMS)
ATTRIBUTION_WORDS = ("attribution", "归因")  # a kept column whose name holds one states the attribution window
# page helpers whose result has no text: analytics.cached.page_call keeps one result for every language
LANGUAGE_FREE_CALLS = ('by_options',)



def _div(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)


def kpi_table(units: pd.DataFrame, group: str) -> pd.DataFrame:
    """Sums and rates per group (units: one row per day x group or per ad).

    Parameters
    ----------
    units : pd.DataFrame
        Units with the group column and the SUMS columns present (spend, impressions, clicks, conversions,
        revenue, video_views, likes, comments, shares, followers_gained).
    group : str
        The group column.

    Returns
    -------
    pd.DataFrame
        One row per group: ``channel``, the sums, ``n_units``, ``ctr``, ``cvr``, ``cvr_impr``, ``cpc``,
        ``cpm``, ``cpa``, ``roas``, ``roi``, ``engagements``, ``engagement_rate``, ``engagement_base``,
        ``cost_per_follower``, ``follower_growth`` and the Wilson intervals ``<rate>_ci_low`` /
        ``<rate>_ci_high`` of ctr, cvr, cvr_impr and engagement_rate.
    """
    cols = [c for c in SUMS if c in units.columns]
    g = units.groupby(group, sort=False)
    agg = g[cols].sum(min_count=1)
    agg["n_units"] = g.size()
    agg = agg.reset_index().rename(columns={group: "channel"})
    for c in SUMS:
        if c not in agg.columns:
            agg[c] = np.nan
    agg["ctr"] = _div(agg["clicks"], agg["impressions"])
    agg["cvr"] = _div(agg["conversions"], agg["clicks"])
    agg["cvr_impr"] = _div(agg["conversions"], agg["impressions"])
    agg["cpc"] = _div(agg["spend"], agg["clicks"])
    agg["cpm"] = 1000 * _div(agg["spend"], agg["impressions"])
    agg["cpa"] = _div(agg["spend"], agg["conversions"])
    agg["roas"] = _div(agg["revenue"], agg["spend"])
    agg["roi"] = agg["roas"] - 1
    eng = agg[["likes", "comments", "shares"]].sum(axis=1, min_count=1)
    denom = agg["video_views"].where(agg["video_views"] > 0, agg["impressions"])
    agg["engagements"] = eng
    agg["engagement_rate"] = _div(eng, denom)
    agg["engagement_base"] = np.where(agg["video_views"] > 0, "views", np.where(agg["impressions"] > 0, "impressions", None))
    agg["cost_per_follower"] = _div(agg["spend"], agg["followers_gained"])
    agg["follower_growth"] = agg["followers_gained"]
    # Wilson intervals
    for rate, num, den in (("ctr", "clicks", "impressions"), ("cvr", "conversions", "clicks"),
                           ("cvr_impr", "conversions", "impressions")):
        k, n = agg[num].to_numpy(float), agg[den].to_numpy(float)
        ok = np.isfinite(k) & np.isfinite(n) & (n > 0)
        lo, hi = wilson_interval(np.where(ok, np.minimum(k, n), 0), np.where(ok, n, 0))
        agg[f"{rate}_ci_low"] = np.where(ok, lo, np.nan)
        agg[f"{rate}_ci_high"] = np.where(ok, hi, np.nan)
    k, n = eng.to_numpy(float), denom.to_numpy(float)
    ok = np.isfinite(k) & np.isfinite(n) & (n > 0)
    lo, hi = wilson_interval(np.where(ok, np.minimum(k, n), 0), np.where(ok, n, 0))
    agg["engagement_rate_ci_low"] = np.where(ok, lo, np.nan)
    agg["engagement_rate_ci_high"] = np.where(ok, hi, np.nan)
    return agg


def ratio_intervals(units: pd.DataFrame, group: str, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """ROAS and CPA intervals per group: bootstrap over units, or the Poisson delta method (few units).

    Parameters
    ----------
    units : pd.DataFrame
        Units with the group column, ``spend`` and optionally ``revenue``, ``conversions``.
    group : str
        The group column.
    n_boot : int
        Bootstrap resamples (bounded by the total work).
    seed : int
        Random seed.

    Returns
    -------
    pd.DataFrame
        Columns ``channel``, ``ci_method``, ``roas_ci_low``, ``roas_ci_high``, ``cpa_ci_low``,
        ``cpa_ci_high``.
    """
    rng = np.random.default_rng(seed)
    rows = []
    # keep the total work bounded (many groups x many days): at least 200 resamples
    n_boot = int(max(200, min(int(n_boot), 30_000_000 // max(len(units), 1))))
    has_rev = "revenue" in units.columns and units["revenue"].notna().any()
    has_conv = "conversions" in units.columns and units["conversions"].notna().any()
    for name, g in units.groupby(group, sort=False):
        sp = g["spend"].fillna(0).to_numpy(float)
        rv = g["revenue"].fillna(0).to_numpy(float) if has_rev else None
        cv = g["conversions"].fillna(0).to_numpy(float) if has_conv else None
        n = len(g)
        out = {"channel": name, "ci_method": None, "roas_ci_low": np.nan, "roas_ci_high": np.nan,
               "cpa_ci_low": np.nan, "cpa_ci_high": np.nan}
        if n >= MIN_BOOT_UNITS and sp.sum() > 0:
            B = int(n_boot)
            # keep memory bounded for groups with many units
            while B * n > 20_000_000 and B > 200:
                B //= 2
            idx = rng.integers(0, n, size=(B, n))
            s_b = sp[idx].sum(axis=1)
            out["ci_method"] = "bootstrap"
            if rv is not None:
                r_b = rv[idx].sum(axis=1)
                roas_b = np.where(s_b > 0, r_b / np.where(s_b > 0, s_b, 1), np.nan)
                lo, hi = np.nanpercentile(roas_b, [2.5, 97.5])
                pt = rv.sum() / sp.sum()
                out["roas_ci_low"], out["roas_ci_high"] = min(lo, pt), max(hi, pt)
            if cv is not None and cv.sum() > 0:
                c_b = cv[idx].sum(axis=1)
                cpa_b = np.where(c_b > 0, s_b / np.where(c_b > 0, c_b, 1), np.inf)
                with np.errstate(invalid="ignore"):  # resamples without a conversion: CPA is +inf, so the
                    lo, hi = np.percentile(cpa_b, [2.5, 97.5])  # upper bound is open (inf - inf -> nan)
                pt = sp.sum() / cv.sum()
                out["cpa_ci_low"], out["cpa_ci_high"] = min(lo, pt), max(hi, pt) if np.isfinite(hi) else np.nan
        elif cv is not None and cv.sum() > 0 and sp.sum() > 0:
            k = cv.sum()
            se = 1.0 / np.sqrt(k)
            out["ci_method"] = "delta_poisson"
            if rv is not None:
                roas = rv.sum() / sp.sum()
                out["roas_ci_low"], out["roas_ci_high"] = roas * np.exp(-Z * se), roas * np.exp(Z * se)
            cpa = sp.sum() / k
            out["cpa_ci_low"], out["cpa_ci_high"] = cpa * np.exp(-Z * se), cpa * np.exp(Z * se)
        rows.append(out)
    return pd.DataFrame(rows, columns=["channel", "ci_method", "roas_ci_low", "roas_ci_high", "cpa_ci_low", "cpa_ci_high"])


def pairwise_tests(kpis: pd.DataFrame) -> list[dict]:
    """Two-proportion z-tests of CTR and CVR for every pair, Holm-adjusted within each metric.

    Parameters
    ----------
    kpis : pd.DataFrame
        :func:`kpi_table`.

    Returns
    -------
    list[dict]
        Rows with ``metric``, ``a``, ``b``, ``rate_a``, ``rate_b``, ``diff``, ``p_value``, ``p_adjusted``,
        ``significant``.
    """
    top = kpis.sort_values("spend", ascending=False).head(MAX_PAIR_GROUPS)
    out: list[dict] = []
    for metric, num, den in (("ctr", "clicks", "impressions"), ("cvr", "conversions", "clicks")):
        sub = top.loc[top[den].fillna(0) > 0]
        pairs = list(combinations(range(len(sub)), 2))
        if not pairs:
            continue
        a = np.array([p[0] for p in pairs])
        b = np.array([p[1] for p in pairs])
        k = np.minimum(sub[num].fillna(0).to_numpy(float), sub[den].to_numpy(float))
        n = sub[den].to_numpy(float)
        _, p = two_proportion_ztest(k[a], n[a], k[b], n[b])
        p = np.atleast_1d(p)
        adj = holm(p)
        names = sub["channel"].tolist()
        for i, (x, y) in enumerate(pairs):
            out.append({"metric": metric, "a": names[x], "b": names[y], "rate_a": k[x] / n[x], "rate_b": k[y] / n[y],
                        "diff": k[x] / n[x] - k[y] / n[y], "p_value": float(p[i]), "p_adjusted": float(adj[i]),
                        "significant": bool(adj[i] < ALPHA)})
    return out


def fit_curve(spend: np.ndarray, revenue: np.ndarray, min_points: int = 8) -> dict:
    """revenue = a * spend^b by OLS in log-log; returns dict(a, b, b_se, r2, n) or dict(reason).

    Parameters
    ----------
    spend : np.ndarray
        Spend per unit.
    revenue : np.ndarray
        Revenue per unit.
    min_points : int
        Fewest usable points.

    Returns
    -------
    dict
        ``a``, ``b``, ``b_se``, ``r2``, ``n``, ``spend_min``, ``spend_max``, ``dropped``; or ``reason``
        (few_points, narrow_range) and ``n``.
    """
    ok = np.isfinite(spend) & np.isfinite(revenue) & (spend > 0) & (revenue > 0)
    n = int(ok.sum())
    if n < min_points:
        return {"reason": "few_points", "n": n}
    x, y = np.log(spend[ok]), np.log(revenue[ok])
    if spend[ok].max() / spend[ok].min() < 1.5:
        return {"reason": "narrow_range", "n": n}
    X = np.column_stack([np.ones(n), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    dof = max(n - 2, 1)
    s2 = float(resid @ resid) / dof
    cov = s2 * np.linalg.inv(X.T @ X)
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    # smearing correction (Duan) so that the curve predicts the mean revenue, not the median
    smear = float(np.mean(np.exp(resid)))
    return {"a": float(np.exp(beta[0]) * smear), "b": float(beta[1]), "b_se": float(np.sqrt(cov[1, 1])),
            "r2": 1 - float(resid @ resid) / ss_tot if ss_tot > 0 else None, "n": n,
            "spend_min": float(spend[ok].min()), "spend_max": float(spend[ok].max()), "dropped": int(len(spend) - n)}


# ----------------------------------------------------------------------------- engine queries


def _sum_or_null(x: ir.NumericValue) -> ir.FloatingScalar:
    """pandas' ``sum(min_count=1)``: the sum of the non-missing values, missing when there are none."""
    return fsum(x.cast("float64"))


def _counts(t: ir.Table, cols: list[str]) -> dict[str, int]:
    """Lines of ``t`` (``"__rows__"``) and non-missing values of each column in ``cols``, in one query."""
    aggs = {"__rows__": t.count()}
    aggs.update({f"c{i}": t[c].count() for i, c in enumerate(cols)})
    row = engine.to_frame(t.aggregate(**aggs)).iloc[0]
    out = {"__rows__": int(row["__rows__"])}
    out.update({c: int(row[f"c{i}"]) for i, c in enumerate(cols)})
    return out


def daily_units(ch: ir.Table, col: str, dated: bool) -> pd.DataFrame:
    """The units of the bootstrap and the curves, from the channel lines ``ch`` (already filtered to a group
    value and spend): with dates, the sums of every count per group (``_g``: ``col`` as text) and day
    (``date``), summed in the engine; without dates, the lines themselves (group and counts only).

    Units come in the order of their first line (the bootstrap draws depend on it), as pandas'
    ``groupby(sort=False)`` of the lines gave them.

    Parameters
    ----------
    ch : ir.Table
        Channel lines with ``_pos`` and ``spend``.
    col : str
        The group column.
    dated : bool
        Whether the lines have dates.

    Returns
    -------
    pd.DataFrame
        Columns ``_g``, (``date``,) and the SUMS columns present.
    """
    cols = [c for c in SUMS if c in ch.columns]
    g = ch[col] if ch[col].type().is_string() else ch[col].cast("string")
    if dated:
        t = ch.filter(ch.date.notnull())
        t = t.mutate(_g=g, date=t.date.truncate("D"))
        u = t.group_by(["_g", "date"]).aggregate(_first=t._pos.min(), **{c: _sum_or_null(t[c]) for c in cols})
        out = engine.to_frame(u.order_by("_first")).drop(columns="_first")
        out["date"] = out["date"].astype("datetime64[ns]")
    else:
        t = ch.mutate(_g=g)
        out = engine.to_frame(t.select("_pos", "_g", *cols).order_by("_pos")).drop(columns="_pos")
    for c in cols:
        out[c] = out[c].astype(float)
    return out


def orders_by_channel(orders: "ir.Table | pd.DataFrame") -> pd.DataFrame:
    """Orders, buyers, gross sales, returns, net sales, AOV and return rate (Wilson 95% interval) per
    channel of the order lines, aggregated in the engine; channels with at least one sale line, largest net
    sales first. ``orders``: an engine table (a canonical frame is registered first).

    Parameters
    ----------
    orders : 'ir.Table | pd.DataFrame'
        Order lines (engine table or canonical frame) with ``channel``.

    Returns
    -------
    pd.DataFrame
        Columns ``channel``, ``orders``, ``buyers``, ``gross_sales``, ``returns``, ``return_orders``,
        ``net_sales``, ``aov``, ``return_rate``, ``return_rate_ci_low``, ``return_rate_ci_high``.
    """
    if isinstance(orders, pd.DataFrame):
        orders = engine.from_frame(orders)
    o = orders.filter(orders.channel.notnull())
    ret = o.is_return.cast("boolean").fill_null(False) if "is_return" in o.columns else ibis.literal(False)
    b = o.mutate(_ret=ret, _amt=o.amount.cast("float64"))
    sums = b.group_by("channel").aggregate(
        _sale_lines=b.channel.count(where=~b._ret),
        gross_sales=fsum(b._amt, where=~b._ret).fill_null(0.0),
        returns=fsum(b._amt.abs(), where=b._ret).fill_null(0.0))
    # the distinct counts in two steps (per channel x order, per channel x customer, then counted per
    # channel): three COUNT(DISTINCT ...) FILTER in one aggregate kept a hash of every value for each
    # (10M lines: 5.6 -> 3.9 s of CPU, the same counts)
    per_order = b.filter(b.order_id.notnull()).group_by(["channel", "order_id"]).aggregate(
        sale=(~b._ret).any(), ret=b._ret.any())
    order_counts = per_order.group_by("channel").aggregate(
        orders=per_order.count(where=per_order.sale), return_orders=per_order.count(where=per_order.ret))
    buyers = b.filter(~b._ret & b.customer_id.notnull()).select("channel", "customer_id").distinct()
    buyer_counts = buyers.group_by("channel").aggregate(buyers=buyers.count())
    j = sums.filter(sums._sale_lines > 0).left_join(order_counts, "channel").left_join(buyer_counts, "channel")
    out = engine.to_frame(j.select(
        "channel", j.orders.fill_null(0).name("orders"), j.buyers.fill_null(0).name("buyers"), "gross_sales",
        "returns", j.return_orders.fill_null(0).name("return_orders")))
    out = out.sort_values("channel").reset_index(drop=True)  # pandas' groupby order
    out["orders"] = out["orders"].astype("int64")
    out["buyers"] = out["buyers"].astype("int64")
    out["gross_sales"] = out["gross_sales"].astype(float)
    out["returns"] = out["returns"].astype(float)
    out["return_orders"] = out["return_orders"].astype(float)
    out["net_sales"] = out["gross_sales"] - out["returns"]
    out["aov"] = _div(out["gross_sales"], out["orders"])
    out["return_rate"] = _div(np.minimum(out["return_orders"], out["orders"]), out["orders"])
    lo, hi = wilson_interval(np.minimum(out["return_orders"], out["orders"]).to_numpy(float), out["orders"].to_numpy(float))
    out["return_rate_ci_low"], out["return_rate_ci_high"] = lo, hi
    return out.sort_values("net_sales", ascending=False)


# ----------------------------------------------------------------------------- platform vs incremental ROAS


def attribution_columns(columns) -> list[str]:
    """The kept columns (``attr_``) whose name says they hold the attribution window or setting (Meta's
    "Attribution setting", 归因窗口 / 归因方式), in table order.

    Parameters
    ----------
    columns : Iterable
        The column names of the channel lines.

    Returns
    -------
    list[str]
        The ``attr_`` columns that name an attribution window or setting.
    """
    return [str(c) for c in columns if str(c).startswith("attr_")
            and any(w in normalise_header(str(c)[5:]) for w in ATTRIBUTION_WORDS)]


def platform_by_channel(ch: ir.Table) -> pd.DataFrame:
    """Per channel (as text) of the channel lines ``ch`` (already in the window, with a channel and a spend):
    spend, revenue and conversions as the platforms report them, summed in the engine; revenue /
    conversions missing where no line has one. Most spend first.

    Parameters
    ----------
    ch : ibis.Table
        Channel lines with ``channel``, ``spend`` and optional ``revenue`` / ``conversions``.

    Returns
    -------
    pd.DataFrame
        Columns channel, spend, revenue, conversions; one row per channel.
    """
    g = ch.channel if ch.channel.type().is_string() else ch.channel.cast("string")
    t = ch.mutate(_c=g)
    aggs = {"spend": _sum_or_null(t.spend)}
    for c in ("revenue", "conversions"):
        if c in t.columns:
            aggs[c] = _sum_or_null(t[c])
    out = engine.to_frame(t.group_by("_c").aggregate(**aggs)).rename(columns={"_c": "channel"})
    for c in ("spend", "revenue", "conversions"):
        out[c] = out[c].astype(float) if c in out else np.nan
    return out.sort_values(["spend", "channel"], ascending=[False, True]).reset_index(drop=True)


def attribution_by_channel(ch: ir.Table, max_values: int = 3) -> dict[str, str]:
    """channel -> the attribution window the data states for it (the values of the first
    :func:`attribution_columns` column, most lines first, at most ``max_values``, joined by " / "); {} when
    no column states one.

    Parameters
    ----------
    ch : ibis.Table
        Channel lines with ``channel`` and the kept ``attr_`` columns.
    max_values : int
        At most this many distinct values per channel.

    Returns
    -------
    dict[str, str]
        Channel -> the stated attribution window.
    """
    cols = attribution_columns(ch.columns)
    if not cols:
        return {}
    col = cols[0]
    g = ch.channel if ch.channel.type().is_string() else ch.channel.cast("string")
    v = ch[col] if ch[col].type().is_string() else ch[col].cast("string")
    t = ch.mutate(_c=g, _v=v.strip()).filter(lambda x: x._v.notnull() & (x._v != ""))
    df = engine.to_frame(t.group_by(["_c", "_v"]).aggregate(n=t.count()))
    out: dict[str, str] = {}
    for name, grp in df.sort_values(["_c", "n", "_v"], ascending=[True, False, True]).groupby("_c", sort=False):
        vals = [str(x) for x in grp["_v"]]
        out[str(name)] = " / ".join(vals[:max_values]) + (" / …" if len(vals) > max_values else "")
    return out


def newest_entry(channel: str, entries: list[dict]) -> dict | None:
    """The ledger entry that applies to ``channel``: of the entries of the same channel (as people say it,
    :func:`analytics.ledger.channel_key`) with a spend above 0, the one whose test ended last (then the
    highest id); None when there is none.

    Parameters
    ----------
    channel : str
        The channel as the data writes it.
    entries : list[dict]
        Ledger entries (channel, start, end, spend, lift, low, high, method, id).

    Returns
    -------
    dict | None
        The applicable entry, or None.
    """
    k = ledger.channel_key(channel)
    mine = []
    for e in entries:
        try:
            ok = ledger.channel_key(str(e.get("channel") or "")) == k and float(e["spend"]) > 0
        except (KeyError, TypeError, ValueError):
            ok = False
        if ok:
            mine.append(e)
    return max(mine, key=lambda e: (str(e.get("end") or ""), int(e.get("id") or 0))) if mine else None


def model_roas(tables: dict[str, ir.Table], p: dict) -> dict:
    """The promotion planner's response model on these tables (channels with the orders' net sales as the
    outcome, else the channels' revenue; calibrated on the ledger entries of ``p["ledger"]``; the planner's
    default bootstrap and seed) and per model channel the *average* incremental ROAS at the current spend:
    steady-state weekly outcome at ``s`` / ``s``, ``s`` = the mean weekly spend of the last 13 weeks, with the
    2.5-97.5 percentiles over the bootstrap refits.

    Returns ``{"status": "ok", "source": ..., "weeks": ..., "channels": {model channel: {weekly_spend, roas,
    low, high}}}``, or ``{"status": "unavailable", "key": ..., "kwargs": ...}`` (why the model cannot be
    fitted: no dates, too few weeks, ...).

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        The page's engine tables (``channels``, optional ``orders``).
    p : dict
        Resolved page parameters (window, ``ledger``).

    Returns
    -------
    dict
        As described above.
    """
    from analytics import promotions

    mp = {"start": p.get("start"), "end": p.get("end"), "ledger": p.get("ledger"), "n_boot": MODEL_N_BOOT,
          "seed": MODEL_SEED}
    try:
        model = promotions.fit_calibrated({k: v for k, v in tables.items() if k in ("channels", "orders")}, mp)[0]
    except AnalyticsError as exc:
        return {"status": "unavailable", "key": exc.key, "kwargs": dict(exc.kwargs)}
    except (ValueError, np.linalg.LinAlgError, FloatingPointError):
        return {"status": "unavailable", "key": "channels.incr.model_failed", "kwargs": {}}
    data = model.data
    s = data.X[-min(promotions.RECENT_WEEKS, len(data.y)):].mean(axis=0)
    curves = model.curves
    point = curves.weekly(s)
    draws = (curves.weekly(s[None, :], curves.draws_beta, curves.draws_lam) if len(curves.draws_beta) >= 20
             else np.zeros((0, len(s))))
    out: dict[str, dict] = {}
    for i, c in enumerate(data.channels):
        if not s[i] > 0:
            out[str(c)] = {"weekly_spend": float(s[i]), "roas": None, "low": None, "high": None}
            continue
        lo, hi = (np.percentile(draws[:, i], [2.5, 97.5]) / s[i]) if len(draws) else (np.nan, np.nan)
        r = float(point[i] / s[i])
        out[str(c)] = {"weekly_spend": float(s[i]), "roas": r,
                       "low": max(0.0, min(float(lo), r)) if np.isfinite(lo) else None,
                       "high": max(float(hi), r) if np.isfinite(hi) else None}
    return {"status": "ok", "source": data.source, "weeks": int(len(data.y)), "recent_weeks":
            int(min(promotions.RECENT_WEEKS, len(data.y))), "channels": out}


def overcount(ch: ir.Table, orders: ir.Table | None) -> dict | None:
    """The platforms' conversions and revenue summed over every platform against the orders' own in the
    same days (the days both datasets cover, inside the window): sale orders (distinct order ids) and gross
    sales (sale lines). None without dated channel lines or orders, or when the two share no day; else
    the sums, the number of platforms and which sum exceeds the orders' (``conversions_over`` /
    ``revenue_over``): a platform counts every buyer it touched, so the same buyer counted by several
    platforms adds up to more than there were.

    Parameters
    ----------
    ch : ibis.Table
        Channel lines in the window (``date``, ``channel``, ``conversions``, ``revenue``).
    orders : ibis.Table | None
        Order lines (``order_date``, ``order_id``, ``amount``, ``is_return``), or None.

    Returns
    -------
    dict | None
        The sums and flags, or None.
    """
    if orders is None or "date" not in ch.columns or not {"order_date", "amount"} <= set(orders.columns):
        return None
    c = ch.filter(ch.date.notnull())
    o = orders.filter(orders.order_date.notnull())
    rng = engine.to_frame(c.aggregate(lo=c.date.min(), hi=c.date.max())).iloc[0]
    orng = engine.to_frame(o.aggregate(lo=o.order_date.min(), hi=o.order_date.max())).iloc[0]
    if pd.isna(rng["lo"]) or pd.isna(orng["lo"]):
        return None
    lo = max(pd.Timestamp(rng["lo"]), pd.Timestamp(orng["lo"])).normalize()
    hi = min(pd.Timestamp(rng["hi"]), pd.Timestamp(orng["hi"])).normalize()
    if lo > hi:
        return None
    c, o = in_dates(c, "date", lo, hi), in_dates(o, "order_date", lo, hi)
    aggs = {"platforms": c.channel.nunique()}
    for k in ("conversions", "revenue"):
        if k in c.columns:
            aggs[k] = _sum_or_null(c[k])
    row = engine.to_frame(c.aggregate(**aggs)).iloc[0]
    ret = o.is_return.cast("boolean").fill_null(False) if "is_return" in o.columns else ibis.literal(False)
    n_own = o.order_id.nunique(where=~ret) if "order_id" in o.columns else o.count(where=~ret)
    orow = engine.to_frame(o.aggregate(orders=n_own,
                                       sales=fsum(o.amount.cast("float64"), where=~ret))).iloc[0]

    def num(x):
        return None if x is None or pd.isna(x) else float(x)

    conv, rev = num(row.get("conversions")), num(row.get("revenue"))
    n_orders, sales = num(orow["orders"]), num(orow["sales"])
    out = {"start": lo.date().isoformat(), "end": hi.date().isoformat(), "platforms": int(row["platforms"]),
           "conversions": conv, "orders": n_orders, "revenue": rev, "sales": sales,
           "conversions_ratio": conv / n_orders if conv is not None and n_orders else None,
           "revenue_ratio": rev / sales if rev is not None and sales else None}
    out["conversions_over"] = bool(conv is not None and n_orders is not None and conv > n_orders)
    out["revenue_over"] = bool(rev is not None and sales is not None and rev > sales)
    return out


def incrementality(tables: dict[str, ir.Table], ch: ir.Table, orders: ir.Table | None, p: dict) -> dict:
    """Platform ROAS beside incremental ROAS per channel (language-free; :func:`present` writes the texts).

    ``ch``: the channel lines in the window with a channel and a spend; ``tables``: the page's engine tables
    (the model is fitted on them, in the window of ``p``); ``p["ledger"]``: the ledger entries
    (:func:`analytics.ledger.fit_value`).

    Returns ``{"rows": [...], "model": model_roas(...) or None, "overcount": overcount(...)}``; a row holds
    channel, spend, revenue, platform_roas (revenue / spend; None without revenue), incremental_roas and its
    interval (``incremental_roas_ci_low`` / ``_high``), source ("ledger #id" / "model" / None), the entry
    (``entry``: id, start, end, spend, lift, low, high, method) or the model's ``model_weekly_spend``,
    inflation = platform_roas / incremental_roas with its interval (platform ROAS over the incremental
    interval's bounds; None where a bound is not above 0) and the ``attribution`` the data states.

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        The page's engine tables.
    ch : ibis.Table
        Channel lines in the window with a channel and a spend.
    orders : ibis.Table | None
        Order lines, or None.
    p : dict
        Resolved page parameters (window, ``ledger``).

    Returns
    -------
    dict
        As described above.
    """
    plat = platform_by_channel(ch)
    attribution = attribution_by_channel(ch)
    entries = ledger.from_fit_value(p.get("ledger"))
    picked = {str(c): newest_entry(str(c), entries) for c in plat["channel"]}
    model = model_roas(tables, p) if any(e is None for e in picked.values()) else None
    rows = []
    for r in plat.itertuples(index=False):
        name = str(r.channel)
        spend, rev = float(r.spend), (None if pd.isna(r.revenue) else float(r.revenue))
        row = {"channel": name, "spend": spend, "revenue": rev,
               "platform_roas": rev / spend if rev is not None and spend > 0 else None,
               "incremental_roas": None, "incremental_roas_ci_low": None, "incremental_roas_ci_high": None,
               "source": None, "entry": None, "model_weekly_spend": None, "attribution": attribution.get(name)}
        e = picked[name]
        if e is not None:
            es = float(e["spend"])
            row.update(incremental_roas=float(e["lift"]) / es, incremental_roas_ci_low=float(e["low"]) / es,
                       incremental_roas_ci_high=float(e["high"]) / es, source=f"ledger #{e['id']}",
                       entry={k: e.get(k) for k in ("id", "start", "end", "spend", "lift", "low", "high", "method")})
        elif model is not None and model["status"] == "ok":
            mc = list(model["channels"])
            i = ledger.match_channel(name, mc)
            m = model["channels"][mc[i]] if i is not None else None
            if m is not None and m["roas"] is not None:
                row.update(incremental_roas=m["roas"], incremental_roas_ci_low=m["low"],
                           incremental_roas_ci_high=m["high"], source="model", model_weekly_spend=m["weekly_spend"])
        pr, ir_ = row["platform_roas"], row["incremental_roas"]
        lo, hi = row["incremental_roas_ci_low"], row["incremental_roas_ci_high"]
        row["inflation"] = pr / ir_ if pr is not None and ir_ is not None and ir_ > 0 else None
        ok = row["inflation"] is not None
        row["inflation_ci_low"] = pr / hi if ok and hi is not None and hi > 0 else None
        row["inflation_ci_high"] = pr / lo if ok and lo is not None and lo > 0 else None
        rows.append(row)
    return {"rows": rows, "model": model, "overcount": overcount(ch, orders)}


def _defaults(params: dict) -> dict:
    out = {p.key: p.default for p in PARAMS}
    out.update({k: v for k, v in (params or {}).items() if v is not None})
    return out


# ----------------------------------------------------------------------------- fit


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
                               "rate_from_previous": {"impressions": None, "clicks": r["ctr"], "conversions": r["cvr"]}[stage]})
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


# ----------------------------------------------------------------------------- present


def present(result: ChannelFit, params: dict, lang: str = "en") -> dict:
    """The page's result in ``lang`` from a :class:`ChannelFit` (no engine query).

    Parameters
    ----------
    result : ChannelFit
        The fit.
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page's result; JSON-safe.
    """
    f = result
    if f.mode == "orders":
        return jsonable(_orders_only(f.channels, lang))
    warnings: list[str] = []
    findings: list[str] = []
    if f.by_missing is not None:
        warnings.append(t("channels.warning.by_missing", lang, by=f.by_missing))
    if f.delta_channels:
        warnings.append(t("channels.warning.delta", lang, channels=", ".join(f.delta_channels[:10]), n=MIN_BOOT_UNITS))
    if f.small_click_channels:
        warnings.append(t("channels.warning.small_clicks", lang, channels=", ".join(f.small_click_channels[:10])))
    if f.skipped_curves:
        reasons = {c["reason"] for c in f.skipped_curves}
        warnings.append(t("channels.warning.curves_skipped", lang,
                          channels=", ".join(c["channel"] for c in f.skipped_curves[:10]),
                          reason="; ".join(t(f"channels.reason.{r}", lang, n=f.min_points) for r in sorted(reasons))))
    if f.best_next is not None:
        avg = f.best_next["avg"]
        findings.append(t("channels.finding.best_next", lang, channel=f.best_next["channel"],
                          m=f"{f.best_next['marginal_roas']:.2f}", avg=f"{avg:.2f}" if np.isfinite(avg) else "—"))
        if f.saturated:
            findings.append(t("channels.finding.saturated", lang, channels=", ".join(f.saturated[:5])))
    else:
        findings.append(t("channels.finding.no_curves", lang))
    top = f.top_roas
    if top is not None:
        findings.insert(0, t("channels.finding.top_roas", lang, channel=top["channel"], roas=f"{top['roas']:.2f}",
                             lo=f"{top['lo']:.2f}" if np.isfinite(top["lo"]) else "—",
                             hi=f"{top['hi']:.2f}" if np.isfinite(top["hi"]) else "—"))
        if f.under_one:
            findings.append(t("channels.finding.under_one", lang, channels=", ".join(f.under_one[:5])))
    pairs = f.pairwise_tests
    sig = [x for x in pairs if x["significant"]]
    if sig:
        best_ctr = max(sig, key=lambda x: abs(x["diff"]))
        winner = best_ctr["a"] if best_ctr["diff"] > 0 else best_ctr["b"]
        loser = best_ctr["b"] if best_ctr["diff"] > 0 else best_ctr["a"]
        findings.append(t("channels.finding.significant", lang, n=len(sig), total=len(pairs),
                          metric=t(f"channels.kpi.{best_ctr['metric']}", lang), a=winner, b=loser,
                          diff=fmt_pct(abs(best_ctr["diff"]), lang, 2)))
    elif pairs:
        findings.append(t("channels.finding.none_significant", lang, total=len(pairs)))
    if f.roas_trend is not None:
        rt = f.roas_trend
        findings.append(t("channels.finding.trend", lang, first=rt["first"], last=rt["last"],
                          r0=f"{rt['r0']:.2f}", r1=f"{rt['r1']:.2f}"))
    if not f.dated:
        warnings.append(t("channels.warning.snapshot", lang))
    incr_rows, incr_over, incr_findings, incr_warnings = present_incrementality(f.incrementality, lang)
    findings += incr_findings
    warnings += incr_warnings
    obc = f.orders_by_channel
    result_dict = {
        "mode": "channels", "by": f.by, "dated": f.dated,
        "channels": f.channels.to_dict(orient="records"),
        "significant_pairs": [{k: x[k] for k in ("metric", "a", "b", "diff", "p_value", "p_adjusted")} for x in sig],
        "pairwise_tests": pairs,
        "best_next_channel": f.best_next["channel"] if f.best_next is not None else None,
        "curves": f.curves, "curve_points": f.curve_points,
        "funnel": f.funnel, "trends": f.trends,
        "orders_by_channel": obc.to_dict(orient="records") if obc is not None else [],
        "kpis": f.totals,
        "incrementality": incr_rows, "incrementality_overcount": incr_over,
        "incrementality_model": {k: v for k, v in ((f.incrementality or {}).get("model") or {}).items()
                                 if k in ("status", "source", "weeks", "recent_weeks")} or None,
        "findings": findings, "warnings": warnings,
    }
    return jsonable(result_dict)


def _x(v: float | None, lang: str) -> str:
    return "—" if v is None else fmt_number(v, lang, 2)


def _holds_one(r: dict) -> bool:
    lo, hi = r.get("inflation_ci_low"), r.get("inflation_ci_high")
    return lo is None or lo <= 1 <= (hi if hi is not None else float("inf"))


def headlines(rows: list[dict]) -> list[tuple[dict, str]]:
    """The channels the action lines are about, each with "over" / "under": the most inflated channel
    whose inflation interval lies above 1 and the most under-credited one whose interval lies below 1; when
    no interval excludes 1, the channel farthest from 1 on the log scale (its interval holds 1: the page
    says so). Empty when no channel has an inflation.

    Parameters
    ----------
    rows : list[dict]
        The ``incrementality`` rows (channel, inflation and its interval).

    Returns
    -------
    list[tuple[dict, str]]
        (row, "over" / "under") pairs, most telling first.
    """
    known = [r for r in rows if r.get("inflation") is not None and r["inflation"] > 0]
    if not known:
        return []
    over = [r for r in known if r["inflation"] > 1 and not _holds_one(r)]
    under = [r for r in known if r["inflation"] < 1 and not _holds_one(r)]
    out = []
    if over:
        out.append((max(over, key=lambda r: r["inflation"]), "over"))
    if under:
        out.append((min(under, key=lambda r: r["inflation"]), "under"))
    if not out:
        pick = max(known, key=lambda r: abs(np.log(r["inflation"])))
        out.append((pick, "over" if pick["inflation"] >= 1 else "under"))
    return out


def present_incrementality(incr: dict | None, lang: str) -> tuple[list[dict], dict | None, list[str], list[str]]:
    """The platform-vs-incremental block in ``lang``: the table's rows (flat: the ledger entry's id, period
    and method, ``basis`` saying where the incremental figure comes from), the double-count check, the
    action line(s) and the warnings.

    Parameters
    ----------
    incr : dict | None
        The fit's :func:`incrementality` block, or None.
    lang : str
        Interface language, ``'en'`` or ``'zh'``.

    Returns
    -------
    tuple[list[dict], dict | None, list[str], list[str]]
        Table rows, the double-count check, findings, warnings.
    """
    if not incr:
        return [], None, [], []
    model = incr.get("model") or {}
    rows, findings, warnings = [], [], []
    for r in incr["rows"]:
        e = r.get("entry") or None
        if e is not None:
            basis = t("channels.incr.basis_ledger", lang, id=e["id"], method=t(f"ledger.method.{e['method']}", lang),
                      start=e["start"], end=e["end"], spend=fmt_money(e["spend"], lang))
        elif r.get("source") == "model":
            basis = t("channels.incr.basis_model", lang, spend=fmt_money(r["model_weekly_spend"], lang),
                      weeks=model.get("recent_weeks"))
        else:
            basis = t("channels.incr.basis_none", lang)
        out = {k: v for k, v in r.items() if k != "entry"}
        out.update(basis=basis, entry_id=e["id"] if e else None, test_start=e["start"] if e else None,
                   test_end=e["end"] if e else None, method=e["method"] if e else None)
        rows.append(out)
    for pick, key in headlines(rows):
        e_id = pick["entry_id"]
        source = (t("channels.incr.source_ledger", lang, id=e_id) if e_id is not None
                  else t("channels.incr.source_model", lang))
        findings.append(t(f"channels.incr.action_{key}", lang, channel=pick["channel"], x=_x(pick["inflation"], lang),
                          platform=_x(pick["platform_roas"], lang), incremental=_x(pick["incremental_roas"], lang),
                          source=source))
        if _holds_one(pick):
            lo, hi = pick["inflation_ci_low"], pick["inflation_ci_high"]
            findings.append(t("channels.incr.holds_one", lang, channel=pick["channel"], lo=_x(lo, lang),
                              hi=_x(hi, lang) if hi is not None else "∞"))
    missing = [r["channel"] for r in rows if r["incremental_roas"] is None]
    if missing:
        reason = (t(model["key"], lang, **model.get("kwargs", {})) if model.get("status") == "unavailable"
                  else t("channels.incr.not_in_model", lang))
        warnings.append(t("channels.incr.warning_missing", lang, channels=", ".join(missing[:10]), reason=reason))
    if model.get("status") == "ok" and model.get("source") == "channels" and any(r["source"] == "model" for r in rows):
        warnings.append(t("channels.incr.warning_model_platform", lang))
    oc = incr.get("overcount")
    if oc and (oc["conversions_over"] or oc["revenue_over"]):
        parts = []
        if oc["conversions_over"]:
            parts.append(t("channels.incr.over_conversions", lang, claimed=fmt_number(oc["conversions"], lang),
                           own=fmt_number(oc["orders"], lang), x=_x(oc["conversions_ratio"], lang),
                           extra=fmt_number(oc["conversions"] - oc["orders"], lang)))
        if oc["revenue_over"]:
            parts.append(t("channels.incr.over_revenue", lang, claimed=fmt_money(oc["revenue"], lang),
                           own=fmt_money(oc["sales"], lang), x=_x(oc["revenue_ratio"], lang),
                           extra=fmt_money(oc["revenue"] - oc["sales"], lang)))
        warnings.append(t("channels.incr.warning_overcount", lang, n=oc["platforms"], start=oc["start"], end=oc["end"],
                          parts="; ".join(parts)))
    return rows, oc, findings, warnings


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """The page's result from canonical frames (registered as engine tables): ``present(fit(...))``.

    Parameters
    ----------
    frames : dict[str, pd.DataFrame]
        Kind -> canonical frame (None values are dropped).
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page's result.
    """
    tables = engine.tables_from_frames({k: v for k, v in frames.items() if v is not None})
    return present(fit(tables, params), params, lang)


def _orders_only(table: pd.DataFrame, lang: str) -> dict:
    findings = []
    top = table.iloc[0]
    findings.append(t("channels.finding.orders_top", lang, channel=top["channel"], net=fmt_money(top["net_sales"], lang),
                      share=fmt_pct(top["net_sales"] / table["net_sales"].sum() if table["net_sales"].sum() else None, lang)))
    hi_ret = table.sort_values("return_rate", ascending=False).iloc[0]
    findings.append(t("channels.finding.orders_returns", lang, channel=hi_ret["channel"],
                      rate=fmt_pct(hi_ret["return_rate"], lang)))
    return {"mode": "orders", "channels": table.to_dict(orient="records"), "orders_by_channel": table.to_dict(orient="records"),
            "significant_pairs": [], "best_next_channel": None, "curves": [], "funnel": [], "trends": [],
            "kpis": {"net_sales": table["net_sales"].sum(), "orders": table["orders"].sum()},
            "findings": findings, "warnings": [t("channels.warning.orders_only", lang)]}


# ----------------------------------------------------------------------------- figures


def figures(result: dict, lang: str = "en") -> list[dict]:
    """The channel comparison's figures (net sales per channel for orders only; else the funnel and the charts of
    the result's other blocks), each titled with what it shows.

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``.
    """
    if result.get("mode") == "orders":
        return _orders_figures(result, lang)
    out: list[dict] = []
    for part in (_funnel_figures, _kpi_figures, _incrementality_figures, _curve_figures, _trend_figures):
        out += part(result, lang)
    return out


def _orders_figures(result: dict, lang: str) -> list[dict]:
    """Net sales per channel as horizontal bars with data labels (``orders``), for orders-only data.

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without channel rows.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    rows = result.get("channels") or []
    if rows:
        top = rows[0]
        title = t("channels.chart.orders", lang, channel=top["channel"], net=fmt_money(top["net_sales"], lang))
        # channels down the side: a long name never runs into the next one
        fig = go.Figure(go.Bar(y=[r["channel"] for r in rows][::-1], x=[r["net_sales"] for r in rows][::-1],
                               orientation="h"))
        charts.data_labels(fig.data[0], "money", lang)
        fig.update_layout(height=max(300, 120 + 26 * len(rows)), xaxis_title=t("channels.kpi.net_sales", lang),
                          yaxis_type="category")
        charts.finish(fig, lang, title, x="money")
        out.append({"key": "orders", "title": title, "figure": fig})
    return out


FUNNEL_STEPS = (("ctr", "clicks", "impressions"), ("cvr", "conversions", "clicks"))  # rate, numerator, denominator
FUNNEL_LOG_BELOW = 0.02  # a rate under this share of the largest bar end puts the funnel chart on a log axis


def _funnel_figures(result: dict, lang: str) -> list[dict]:
    """The funnel's step-to-step rates per channel (``funnel``): one grouped horizontal bar chart of CTR
    (clicks / impressions) and CVR (conversions / clicks) with their 95% intervals, channels ordered by CVR,
    titled with the channel that converts clicks best.

    One funnel of counts would collapse below its first step (impressions are about a hundred times the
    clicks), so the chart shows the rates, which lie within about one order of magnitude of each other; when
    a rate is still below ``FUNNEL_LOG_BELOW`` of the largest bar end, the value axis is logarithmic, so every
    step of every channel stays visible. The counts behind each rate are in the hover. Every number comes
    from the result's channel rows (``ctr``, ``cvr``, their ``_ci_low`` / ``_ci_high`` and the sums).

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without ``funnel`` rows or rates.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    rows = [r for r in (result.get("channels") or []) if any(r.get(m) is not None for m, _, _ in FUNNEL_STEPS)]
    if not result.get("funnel") or not rows:
        return out
    conv = [r for r in rows if r.get("cvr") is not None]
    best = max(conv, key=lambda r: r["cvr"]) if conv else None
    title = t("channels.chart.funnel", lang, channel=best["channel"], rate=fmt_pct(best["cvr"], lang)) if best \
        else t("channels.chart.funnel_plain", lang)
    # best CVR on top (horizontal bars are drawn bottom-up); a channel without a CVR at the bottom
    rows = sorted(rows, key=lambda r: (r.get("cvr") is not None, r.get("cvr") or 0.0))
    names = [str(r["channel"]) for r in rows]
    fig = go.Figure()
    # CVR first: plotly draws a group's first bar lowest, so each channel reads CTR then CVR top-down
    for m, num, den in FUNNEL_STEPS[::-1]:
        vals = [r.get(m) for r in rows]
        up = [r[f"{m}_ci_high"] - r[m] if r.get(m) is not None and r.get(f"{m}_ci_high") is not None else 0 for r in rows]
        dn = [r[m] - r[f"{m}_ci_low"] if r.get(m) is not None and r.get(f"{m}_ci_low") is not None else 0 for r in rows]
        hov = [t("channels.chart.funnel_hover", lang, channel=r["channel"], metric=t(f"channels.kpi.{m}", lang),
                 rate=charts.value_text(r.get(m), "percent", lang),
                 lo=charts.value_text(r.get(f"{m}_ci_low"), "percent", lang),
                 hi=charts.value_text(r.get(f"{m}_ci_high"), "percent", lang),
                 num=charts.value_text(r.get(num), "count", lang), num_name=t(f"channels.kpi.{num}", lang),
                 den=charts.value_text(r.get(den), "count", lang), den_name=t(f"channels.kpi.{den}", lang))
               for r in rows]
        fig.add_trace(go.Bar(y=names, x=vals, orientation="h", name=t(f"channels.chart.funnel_{m}", lang),
                             error_x={"type": "data", "symmetric": False, "array": up, "arrayminus": dn},
                             hovertext=hov, hovertemplate="%{hovertext}<extra></extra>",
                             textposition="inside", insidetextanchor="start"))
        charts.data_labels(fig.data[-1], "percent", lang)
    ends = [v for v in charts.axis_values(fig, "x") if v > 0]
    low = [v for tr in fig.data for v in tr.x if v is not None and v > 0]
    log = bool(low) and min(low) < FUNNEL_LOG_BELOW * max(ends)
    # the legend above the bars: the channel names keep the whole left side
    above = 36 + 20 * (charts.wrap(title).count("<br>") + 1) + 28  # the title, then the legend's row
    fig.update_layout(barmode="group", margin={"t": above}, height=max(320, 150 + 56 * len(rows)), bargap=0.2,
                      xaxis_title=t("channels.chart.funnel_axis", lang),
                      xaxis_type="log" if log else "linear", yaxis_type="category",
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0,
                              "traceorder": "reversed"})
    charts.finish(fig, lang, title, x="percent")
    out.append({"key": "funnel", "title": title, "figure": fig})
    return out


def _kpi_figures(result: dict, lang: str) -> list[dict]:
    """ROAS, CTR, CVR and CPA per channel with their intervals, one panel per metric the rows carry
    (``kpis``).

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without channel rows or metrics.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    out: list[dict] = []
    rows = result.get("channels") or []
    if rows:
        metrics = [m for m in ("roas", "ctr", "cvr", "cpa") if any(r.get(m) is not None for r in rows)]
        if metrics:
            k_r = [r for r in rows if r.get("roas") is not None]
            top = max(k_r, key=lambda r: r["roas"]) if k_r else None
            title = t("channels.chart.kpis", lang, channel=top["channel"], roas=f"{top['roas']:.2f}") if top else \
                t("channels.chart.kpis_plain", lang)
            # one panel per metric side by side, the channels once down the shared left axis (horizontal bars:
            # channel names never overlap, however many or long)
            fig = make_subplots(rows=1, cols=len(metrics), shared_yaxes=True, horizontal_spacing=0.03,
                                subplot_titles=[t(f"channels.kpi.{m}", lang) for m in metrics])
            names = [r["channel"] for r in rows][::-1]
            kinds = {}
            for j, m in enumerate(metrics, start=1):
                rr = rows[::-1]
                vals = [r.get(m) for r in rr]
                up = [(r.get(f"{m}_ci_high") - r[m]) if r.get(f"{m}_ci_high") is not None and r.get(m) is not None else 0 for r in rr]
                dn = [(r[m] - r.get(f"{m}_ci_low")) if r.get(f"{m}_ci_low") is not None and r.get(m) is not None else 0 for r in rr]
                fig.add_trace(go.Bar(y=names, x=vals, orientation="h", showlegend=False, name=t(f"channels.kpi.{m}", lang),
                                     error_x={"type": "data", "symmetric": False, "array": up, "arrayminus": dn}),
                              row=1, col=j)
                kinds[f"x{j if j > 1 else ''}"] = {"ctr": "percent", "cvr": "percent", "cpa": "money"}.get(m, "ratio")
            fig.update_layout(height=max(320, 140 + 28 * len(rows)))
            fig.update_yaxes(type="category")  # a channel or campaign code ("1001") is a name
            charts.finish(fig, lang, title, **kinds)
            out.append({"key": "kpis", "title": title, "figure": fig})
    return out


def _incrementality_figures(result: dict, lang: str) -> list[dict]:
    """Platform-reported ROAS beside incremental ROAS per channel (``incrementality``), the incremental one with
    its interval, as horizontal bars.

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without a channel that has either ROAS.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    incr = [r for r in (result.get("incrementality") or []) if r.get("platform_roas") is not None
            or r.get("incremental_roas") is not None]
    if incr:
        heads = headlines(incr)
        if heads:
            pick, key = heads[0]
            title = t(f"channels.chart.incr_{key}", lang, channel=pick["channel"], x=_x(pick["inflation"], lang))
        else:
            title = t("channels.chart.incr_plain", lang)
        # channels down the side (horizontal bars: long names never overlap), the first channel on top
        rr = incr[::-1]
        names = [r["channel"] for r in rr]
        fig = go.Figure()
        fig.add_trace(go.Bar(y=names, x=[r.get("platform_roas") for r in rr], orientation="h",
                             name=t("channels.col.platform_roas", lang), marker_color="#9e9e9e"))

        def err(r, side):
            v, b = r.get("incremental_roas"), r.get(f"incremental_roas_ci_{side}")
            return 0 if v is None or b is None else abs(b - v)

        fig.add_trace(go.Bar(y=names, x=[r.get("incremental_roas") for r in rr], orientation="h",
                             name=t("channels.col.incremental_roas", lang), marker_color="#1f77b4",
                             customdata=[[r.get("basis") or "", _x(r.get("inflation"), lang)] for r in rr],
                             hovertemplate="%{y}: %{x:.2f}<br>%{customdata[0]}<br>"
                                           + t("channels.col.inflation", lang) + " %{customdata[1]}<extra></extra>",
                             error_x={"type": "data", "symmetric": False, "array": [err(r, "high") for r in rr],
                                      "arrayminus": [err(r, "low") for r in rr]}))
        fig.update_layout(height=max(320, 140 + 40 * len(rr)), barmode="group", xaxis_title="ROAS")
        fig.update_yaxes(type="category")
        charts.finish(fig, lang, title, x="ratio")
        out.append({"key": "incrementality", "title": title, "figure": fig})
    return out


def _curve_figures(result: dict, lang: str) -> list[dict]:
    """The fitted response curves (revenue = a * spend ^ b) per channel over their data points, each channel's
    current spend starred (``curves``).

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without a fitted curve.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    curves = [c for c in (result.get("curves") or []) if c.get("a") is not None]
    if curves:
        best = result.get("best_next_channel")
        bc = next((c for c in curves if c["channel"] == best), None)
        title = t("channels.chart.curves", lang, channel=best or "—",
                  m=f"{bc['marginal_roas']:.2f}" if bc and bc.get("marginal_roas") is not None else "—")
        fig = go.Figure()
        pts = pd.DataFrame(result.get("curve_points") or [])
        palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
        for i, c in enumerate(curves):
            color = palette[i % len(palette)]
            if not pts.empty:
                g = pts.loc[pts["channel"] == c["channel"]]
                fig.add_trace(go.Scatter(x=g["spend"], y=g["revenue"], mode="markers", opacity=0.35,
                                         marker={"color": color, "size": 5}, name=c["channel"], showlegend=False))
            top = max(c["spend_max"], c["current_spend"]) * 1.3
            xs = np.linspace(0, top, 60)
            fig.add_trace(go.Scatter(x=xs, y=c["a"] * xs ** c["b"], mode="lines", line={"color": color}, name=c["channel"]))
            cur = c["current_spend"]
            fig.add_trace(go.Scatter(x=[cur], y=[c["a"] * cur ** c["b"]], mode="markers",
                                     marker={"symbol": "star", "size": 14, "color": color},
                                     name=f"{c['channel']}: {t('channels.label.current', lang)}"))
        fig.update_layout(height=420, xaxis_title=t("channels.kpi.spend", lang),
                          yaxis_title=t("channels.kpi.revenue", lang))
        charts.finish(fig, lang, title, x="money", y="money")
        out.append({"key": "curves", "title": title, "figure": fig})
    return out


def _trend_figures(result: dict, lang: str) -> list[dict]:
    """Weekly ROAS per channel (``trends``), titled with the total ROAS of the first and the last week.

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without ``trends``.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    trends = result.get("trends") or []
    if trends:
        df = pd.DataFrame(trends)
        tot = df.groupby("week")[["spend", "revenue"]].sum().sort_index()
        r0 = tot["revenue"].iloc[0] / tot["spend"].iloc[0] if tot["spend"].iloc[0] else None
        r1 = tot["revenue"].iloc[-1] / tot["spend"].iloc[-1] if tot["spend"].iloc[-1] else None
        title = t("channels.chart.trends", lang, r0=f"{r0:.2f}" if r0 is not None else "—",
                  r1=f"{r1:.2f}" if r1 is not None else "—")
        fig = go.Figure()
        for c, g in df.groupby("channel", sort=False):
            fig.add_trace(go.Scatter(x=g["week"], y=g["roas"], mode="lines+markers", name=c))
        fig.update_layout(height=360, yaxis_title=t("channels.kpi.roas", lang))
        charts.finish(fig, lang, title, y="ratio")
        out.append({"key": "trends", "title": title, "figure": fig})
    return out


def store_params(*, engine=None) -> dict:
    """The fit parameters the page reads from the catalogue: the incrementality ledger's entries (``ledger``,
    :func:`analytics.ledger.fit_value`), so a new or changed entry refits. The report and the page add them.

    Parameters
    ----------
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    dict
        ``{"ledger": ...}``.
    """
    return ledger.store_params(engine=engine)


def by_options(tables: dict[str, ir.Table], params: dict, lang: str = "en") -> list[str]:
    """Values for the ``by`` parameter: channel, campaign and the attribute columns that hold values (at most
    200 distinct ones), counted in the engine. ``tables``: kind -> engine table (a frame is registered).

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table or canonical frame.
    params : dict
        Unused.
    lang : str
        Unused (the options are column names).

    Returns
    -------
    list[str]
        The values.
    """
    ch = tables.get("channels")
    out = ["channel"]
    if ch is None:
        return out
    if isinstance(ch, pd.DataFrame):
        ch = engine.from_frame(ch)
    attrs = [str(c) for c in ch.columns if str(c).startswith("attr_")]
    aggs = {"rows": ch.count()}
    if "campaign" in ch.columns:
        aggs["campaign"] = ch.campaign.count()
    for i, c in enumerate(attrs):
        aggs[f"n{i}"] = ch[c].count()
        aggs[f"d{i}"] = ch[c].nunique()
    row = engine.to_frame(ch.aggregate(**aggs)).iloc[0]
    if not int(row["rows"]):
        return out
    if int(row.get("campaign", 0) or 0):
        out.append("campaign")
    for i, c in enumerate(attrs):
        if int(row[f"n{i}"]) and int(row[f"d{i}"]) <= 200:
            out.append(c[5:])
    return out
