"""Live commerce (直播与达人): the live room, its sessions, creator deals and content formats (issue 16).

Live room (``live_sessions``, one row per session), sums over the sessions in the window:

    GPM = 1000 x GMV / views (观看人次)          UV value (UV价值) = GMV / unique viewers (观看人数)
    conversion = buyers / unique viewers         AOV = GMV / orders
    ROI = GMV / ad spend (千川 / 投流消耗; the platforms' 投产比, = ROAS on the channel page)

Conversion carries a 95% Wilson interval (statsmodels ``proportion_confint(method="wilson")``). The funnel is
unique viewers -> product exposure -> product click -> order -> buyer, each step's rate from the one before.

What separates the best sessions: the top quarter are the sessions whose GMV (or GPM, ``rank_by``) is at or
above the 75th percentile (linear interpolation, pandas' default); for the time slot, the weekday and the host
the counts of top and other sessions per level are tested with Pearson's chi-square (no continuity correction)
and each level's share of top sessions gets a Wilson interval; for the duration, the number of products and
the ad spend the means of top and other sessions are compared with Welch's t interval. Everything is counted
in the engine (group counts, means, variances): no session is pulled into Python.

Creator deals (``creators``, one row per deal): commission = GMV x commission rate (a rate above 1 is read as
a percentage: 20 -> 20%), cost = slot fee (坑位费) + commission, ROI = GMV / cost, break-even commission =
gross margin - slot fee / GMV (the highest commission rate at which the deal still pays for itself at the
``margin`` parameter). With an ``orders`` dataset: daily sales (sale lines, not returns) are summed in the
engine; a creator's incremental GMV is the sum over their deal days of (sales that day - the mean of the
comparison days), the comparison days being the days within ``baseline_days`` of the deal day with no creator
deal and outside any deal's halo; its 95% interval is normal with variance sum s^2 (1 + 1/n) over the deal
days (s^2 the comparison days' variance). The halo is the sales in the ``halo_hours`` after the deal day
ends, against the comparison days' mean rate over as many hours.

Content (``content``, one row per item), per format (短视频 / 直播 / 图文笔记 / 商品卡 and any other value):
engagement rate = (likes + comments + shares + saves) / plays (Wilson interval), cost per engagement =
spend / engagements, click rate = clicks / plays, GMV per 1,000 plays, ROI = GMV / spend, completion rate
weighted by plays.

:func:`fit` runs the engine queries and returns a language-free :class:`LiveFit`; :func:`present` writes the
page's result in one language; :func:`compute` is both, for callers holding frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics import charts
from analytics.common import NotEnoughData, jsonable
from analytics.expr import dbl, fsum, in_dates
from analytics.i18n import fmt_money, fmt_number, fmt_pct, t
from analytics.params import Param
from analytics.stats import chi2_homogeneity, welch_test, wilson_interval
from data import engine

PAGE = "live-commerce"
KINDS = {"live_sessions": False, "creators": False, "content": False, "orders": False}  # any one of the first three
LIVE_KINDS = ("live_sessions", "creators", "content")
KINDS_ANY = LIVE_KINDS  # the page needs one of these (components.page.frame, analytics.report)
PARAMS = [
    Param("platform", "str", None, help="live.help.platform"),
    Param("rank_by", "str", "gmv", choices=("gmv", "gpm"), help="live.help.rank_by"),
    Param("margin", "float", 0.6, min=0.0, max=1.0, help="live.help.margin"),
    Param("halo_hours", "int", 72, min=1, max=336, help="live.help.halo_hours"),
    Param("baseline_days", "int", 14, min=3, max=90, help="live.help.baseline_days"),
]
FIT_PARAMS = tuple(p.key for p in PARAMS)
LANGUAGE_FREE_CALLS = ("platform_options",)

SESSION_SUMS = ("gmv", "views", "unique_viewers", "product_exposures", "product_clicks", "orders", "buyers", "spend",
                "followers_gained", "duration")
FUNNEL = (("viewers", "unique_viewers"), ("exposure", "product_exposures"), ("click", "product_clicks"),
          ("order", "orders"), ("buyer", "buyers"))
SLOTS = ("night", "morning", "afternoon", "evening")  # 0-6h, 6-12h, 12-18h, 18-24h of the start time
NUMERIC_FACTORS = ("duration", "products", "spend")
CATEGORICAL_FACTORS = ("slot", "weekday", "host")
CONTENT_SUMS = ("plays", "likes", "comments", "shares", "saves", "clicks", "orders", "gmv", "spend")
FORMATS = {"video": ("短视频", "视频", "video", "short video", "shortvideo"), "live": ("直播", "live", "livestream"),
           "note": ("图文笔记", "图文", "笔记", "note", "post", "image"), "card": ("商品卡", "card", "product card")}
# Result tables as the page, the CSV export and the report show them: column -> value kind (money, count,
# percent, number, date, text); headers are ``live.col.<column>``.
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "funnel": (("step_label", "text"), ("people", "count"), ("rate", "percent")),
    "sessions": (("rank", "count"), ("session_id", "text"), ("start_time", "date"), ("host", "text"),
                 ("platform", "text"), ("gmv", "money"), ("views", "count"), ("unique_viewers", "count"),
                 ("gpm", "money"), ("uv_value", "money"), ("conversion", "percent"), ("conversion_ci_low", "percent"),
                 ("conversion_ci_high", "percent"), ("aov", "money"), ("roi", "number"), ("spend", "money"),
                 ("duration", "count"), ("products", "count"), ("exposure_rate", "percent"), ("click_rate", "percent"),
                 ("order_rate", "percent")),
    "hosts": (("host", "text"), ("sessions", "count"), ("gmv", "money"), ("views", "count"),
              ("unique_viewers", "count"), ("gpm", "money"), ("uv_value", "money"), ("conversion", "percent"),
              ("conversion_ci_low", "percent"), ("conversion_ci_high", "percent"), ("roi", "number")),
    "top_quarter": (("factor", "text"), ("level", "text"), ("sessions", "count"), ("top_sessions", "count"),
                    ("share_top", "percent"), ("mean_top", "number"), ("mean_rest", "number"), ("diff", "number"),
                    ("ci_low", "number"), ("ci_high", "number"), ("p_value", "number")),
    "creators": (("creator", "text"), ("platform", "text"), ("deals", "count"), ("followers", "count"),
                 ("gmv", "money"), ("slot_fee", "money"), ("commission", "money"), ("cost", "money"), ("roi", "number"),
                 ("commission_rate", "percent"), ("break_even_commission", "percent"), ("profit", "money"),
                 ("incremental_gmv", "money"), ("incremental_ci_low", "money"), ("incremental_ci_high", "money"),
                 ("halo_gmv", "money"), ("halo_incremental", "money"), ("halo_ci_low", "money"),
                 ("halo_ci_high", "money")),
    "formats": (("format_label", "text"), ("items", "count"), ("plays", "count"), ("engagements", "count"),
                ("engagement_rate", "percent"), ("engagement_rate_ci_low", "percent"),
                ("engagement_rate_ci_high", "percent"), ("cpe", "money"), ("click_rate", "percent"),
                ("gmv", "money"), ("gmv_per_mille", "money"), ("spend", "money"), ("roi", "number"),
                ("completion_rate", "percent")),
    "top_content": (("content_id", "text"), ("format", "text"), ("creator", "text"), ("plays", "count"),
                    ("engagement_rate", "percent"), ("gmv", "money"), ("spend", "money"), ("roi", "number")),
}
LEAGUE_ROWS = 100      # sessions in the league table (the best by the ranking metric)
MAX_HOSTS = 200
MAX_HOST_LEVELS = 20   # hosts compared in the top-quarter test (the ones with most sessions; the rest: "other")
MAX_CREATORS = 500
MAX_DEALS = 20_000
TOP_CONTENT = 20
MIN_SESSIONS = 8       # fewer: no top-quarter comparison
FEW_SESSIONS = 40      # fewer: the comparison is flagged as rough
FEW_BASELINE = 10      # comparison days under this: a warning
Z = 1.959963984540054


# ----------------------------------------------------------------------------- small helpers


def _div(a, b, scale: float = 1.0):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(b > 0, scale * a / np.where(b > 0, b, 1.0), np.nan)
    return out


def _num(x) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _ratio(a, b, scale: float = 1.0) -> float | None:
    a, b = _num(a), _num(b)
    if a is None or b is None or b <= 0:
        return None
    return scale * a / b


def _wilson(k, n) -> tuple[float | None, float | None]:
    k, n = _num(k), _num(n)
    if k is None or n is None or n <= 0:
        return None, None
    lo, hi = wilson_interval(min(k, n), n)
    return float(lo), float(hi)


def _filtered(tbl: ir.Table, date_col: str | None, p: dict, platform: bool = True) -> ir.Table:
    if date_col is not None and date_col in tbl.columns:
        tbl = in_dates(tbl, date_col, p.get("start"), p.get("end"))
    if platform and p.get("platform") and "platform" in tbl.columns:
        tbl = tbl.filter(tbl.platform == str(p["platform"]))
    return tbl


def _rows(tbl: ir.Table) -> int:
    return int(engine.scalar(tbl.count()))


def _f(tbl: ir.Table, col: str) -> ir.FloatingValue:
    return tbl[col].cast("float64")


# ----------------------------------------------------------------------------- result


@dataclass(frozen=True)
class LiveFit:
    """The live-commerce page's numbers before any text (language-free; treat as read-only).

    Attributes
    ----------
    present : dict
        kind -> whether the dataset is selected and has lines in the window (live_sessions, creators, content,
        orders).
    totals : dict
        Sessions: the summed GMV, views, unique viewers, exposures, clicks, orders, buyers, spend, followers
        gained and minutes live, the number of sessions, and the KPIs (gpm, uv_value, conversion with its
        Wilson interval, aov, roi). Empty without sessions.
    funnel : list of dict
        step, people (sum over sessions), rate from the previous step.
    sessions : pandas.DataFrame
        The ``LEAGUE_ROWS`` best sessions by ``rank_by`` with their sums and rates.
    hosts : pandas.DataFrame
        Per host (most GMV first, at most ``MAX_HOSTS``): sessions, sums, gpm, uv_value, conversion (Wilson), roi.
    trends : pandas.DataFrame
        Per day (a window of up to 120 days) or week: sessions, GMV, views, unique viewers, buyers, spend, gpm,
        uv_value, conversion.
    grain : str
        "day" or "week".
    top_quarter : dict
        ``threshold``, ``n``, ``n_top``, ``rank_by``, ``factors`` (one dict per factor: kind categorical with the
        chi-square test and per-level counts and shares, or numeric with the Welch comparison), or ``reason``.
    creators : pandas.DataFrame
        Per creator: deals, GMV, orders, slot fee, commission, cost, ROI, break-even commission, profit, and
        with orders the incremental GMV and halo with their intervals.
    creator_totals : dict
        GMV, cost, ROI and deals of all creators; the orders coverage used for the incremental GMV.
    formats : pandas.DataFrame
        Per content format: items, sums, engagement rate (Wilson), cpe, click rate, gmv per 1,000 plays, roi,
        completion rate.
    top_content : pandas.DataFrame
        The ``TOP_CONTENT`` items with most GMV.
    notes : dict
        Facts the text needs (rows without a commission rate, rates read as percentages, few comparison days...).
    """

    present: dict
    totals: dict = field(default_factory=dict)
    funnel: list = field(default_factory=list)
    sessions: pd.DataFrame = field(default_factory=pd.DataFrame)
    hosts: pd.DataFrame = field(default_factory=pd.DataFrame)
    trends: pd.DataFrame = field(default_factory=pd.DataFrame)
    grain: str = "day"
    top_quarter: dict = field(default_factory=dict)
    creators: pd.DataFrame = field(default_factory=pd.DataFrame)
    creator_totals: dict = field(default_factory=dict)
    formats: pd.DataFrame = field(default_factory=pd.DataFrame)
    top_content: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------- sessions


def _session_columns(s: ir.Table) -> ir.Table:
    """Per-session rates, time slot and weekday, as engine columns."""
    gmv, views, uv = _f(s, "gmv"), _f(s, "views"), _f(s, "unique_viewers")
    hour = s.start_time.hour()
    return s.mutate(
        gpm=ibis.ifelse(views > 0, dbl(1000.0) * gmv / views, ibis.null("float64")),
        uv_value=ibis.ifelse(uv > 0, gmv / uv, ibis.null("float64")),
        conversion=ibis.ifelse(uv > 0, _f(s, "buyers") / uv, ibis.null("float64")),
        slot=ibis.cases((hour < 6, "night"), (hour < 12, "morning"), (hour < 18, "afternoon"), else_="evening"),
        weekday=s.start_time.day_of_week.index(),
    )


def _rates(df: pd.DataFrame) -> pd.DataFrame:
    df["gpm"] = _div(df["gmv"], df["views"], 1000.0)
    df["uv_value"] = _div(df["gmv"], df["unique_viewers"])
    df["conversion"] = _div(df["buyers"], df["unique_viewers"])
    k, n = df["buyers"].to_numpy(float), df["unique_viewers"].to_numpy(float)
    ok = np.isfinite(k) & np.isfinite(n) & (n > 0)
    lo, hi = wilson_interval(np.where(ok, np.minimum(k, n), 0), np.where(ok, n, 0))
    df["conversion_ci_low"] = np.where(ok, lo, np.nan)
    df["conversion_ci_high"] = np.where(ok, hi, np.nan)
    if "orders" in df:
        df["aov"] = _div(df["gmv"], df["orders"])
    if "spend" in df:
        df["roi"] = _div(df["gmv"], df["spend"])
    return df


def session_totals(s: ir.Table) -> dict:
    """Totals of the live sessions in one engine query, with the rates derived from them.

    Parameters
    ----------
    s : ir.Table
        Live sessions (SESSION_SUMS columns, ``peak_online``, ``avg_watch_time``, ``start_time``).

    Returns
    -------
    dict
        The SESSION_SUMS totals, ``sessions``, ``peak_online``, ``avg_watch_time``, ``first``, ``last``,
        ``gpm``, ``uv_value``, ``conversion`` with ``conversion_ci_low`` / ``conversion_ci_high`` (Wilson),
        ``aov``, ``roi``.
    """
    aggs = {c: fsum(_f(s, c)) for c in SESSION_SUMS}
    aggs.update(sessions=s.count(), peak_online=s.peak_online.max(), avg_watch_time=s.avg_watch_time.mean(),
                first=s.start_time.min(), last=s.start_time.max())
    row = engine.to_frame(s.aggregate(**aggs)).iloc[0]
    out = {k: _num(row[k]) for k in aggs if k not in ("first", "last")}
    out["first"], out["last"] = row["first"], row["last"]
    out["sessions"] = int(row["sessions"])
    out["gpm"] = _ratio(out["gmv"], out["views"], 1000.0)
    out["uv_value"] = _ratio(out["gmv"], out["unique_viewers"])
    out["conversion"] = _ratio(out["buyers"], out["unique_viewers"])
    out["conversion_ci_low"], out["conversion_ci_high"] = _wilson(out["buyers"], out["unique_viewers"])
    out["aov"] = _ratio(out["gmv"], out["orders"])
    out["roi"] = _ratio(out["gmv"], out["spend"])
    return out


def funnel_rows(tot: dict) -> list[dict]:
    """The viewer funnel (FUNNEL steps present in the totals), each with its rate from the previous step.

    Parameters
    ----------
    tot : dict
        :func:`session_totals`.

    Returns
    -------
    list[dict]
        Rows with ``step``, ``people``, ``rate``.
    """
    rows, prev = [], None
    for step, col in FUNNEL:
        v = tot.get(col)
        if v is None:
            continue
        rows.append({"step": step, "people": v, "rate": _ratio(v, prev) if prev is not None else None})
        prev = v
    return rows


def league(s: ir.Table, rank_by: str) -> pd.DataFrame:
    """The best ``LEAGUE_ROWS`` sessions by ``rank_by`` (ties: earlier start first).

    Parameters
    ----------
    s : ir.Table
        Live sessions with the derived columns (``gpm``, ``uv_value``, ``conversion``, ``slot``).
    rank_by : str
        The column to rank by.

    Returns
    -------
    pd.DataFrame
        Columns ``rank``, the session's columns, the rates of ``_rates`` and ``exposure_rate``,
        ``click_rate``, ``order_rate``.
    """
    cols = ["session_id", "start_time", "host", "platform", "duration", "products", *[c for c in SESSION_SUMS if c != "duration"],
            "peak_online", "avg_watch_time", "gpm", "uv_value", "conversion", "slot"]
    q = s.select(*cols).order_by([ibis.desc(rank_by), "start_time", "session_id"]).limit(LEAGUE_ROWS)
    df = engine.to_frame(q)
    df["start_time"] = pd.to_datetime(df["start_time"])
    for c in [c for c in cols if c not in ("session_id", "start_time", "host", "platform", "slot")]:
        df[c] = df[c].astype(float)
    df = _rates(df)
    df["exposure_rate"] = _div(df["product_exposures"], df["unique_viewers"])
    df["click_rate"] = _div(df["product_clicks"], df["product_exposures"])
    df["order_rate"] = _div(df["orders"], df["product_clicks"])
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df


def hosts_table(s: ir.Table) -> pd.DataFrame:
    """Sessions and sums per host (the MAX_HOSTS with the most GMV), with their rates.

    Parameters
    ----------
    s : ir.Table
        Live sessions.

    Returns
    -------
    pd.DataFrame
        Columns ``host``, ``sessions``, ``gmv``, ``views``, ``unique_viewers``, ``orders``, ``buyers``,
        ``spend``, ``duration``, ``gpm``, ``uv_value``, ``conversion`` (with its interval), ``aov``, ``roi``.
    """
    h = s.filter(s.host.notnull())
    sums = ("gmv", "views", "unique_viewers", "orders", "buyers", "spend", "duration")
    agg = h.group_by("host").aggregate(sessions=h.count(), **{c: fsum(_f(h, c)) for c in sums})
    df = engine.to_frame(agg.order_by([ibis.desc("gmv"), "host"]).limit(MAX_HOSTS))
    for c in sums:
        df[c] = df[c].astype(float)
    df["sessions"] = df["sessions"].astype("int64")
    return _rates(df)


def trends_table(s: ir.Table, first, last) -> tuple[pd.DataFrame, str]:
    """Sessions and sums per day (a span up to 120 days) or week, with their rates.

    Parameters
    ----------
    s : ir.Table
        Live sessions.
    first
        First session start (NaT: no trend).
    last
        Last session start.

    Returns
    -------
    tuple[pd.DataFrame, str]
        Columns ``period``, ``sessions``, ``gmv``, ``views``, ``unique_viewers``, ``buyers``, ``spend`` and
        the rates; and the grain ("day" or "week").
    """
    if pd.isna(first):
        return pd.DataFrame(), "day"
    grain = "day" if (pd.Timestamp(last) - pd.Timestamp(first)).days <= 120 else "week"
    d = s.filter(s.start_time.notnull())
    d = d.mutate(period=d.start_time.truncate("D" if grain == "day" else "W"))
    sums = ("gmv", "views", "unique_viewers", "buyers", "spend")
    agg = d.group_by("period").aggregate(sessions=d.count(), **{c: fsum(_f(d, c)) for c in sums})
    df = engine.to_frame(agg.order_by("period"))
    df["period"] = pd.to_datetime(df["period"])
    for c in sums:
        df[c] = df[c].astype(float)
    return _rates(df), grain


def top_quarter(s: ir.Table, rank_by: str) -> dict:
    """Top-quarter sessions (``rank_by`` >= its 75th percentile) against the rest, factor by factor.

    Parameters
    ----------
    s : ir.Table
        Live sessions.
    rank_by : str
        The column to rank by.

    Returns
    -------
    dict
        ``rank_by``, ``threshold``, ``n``, ``n_top``, ``factors``; or ``reason`` "few_sessions" with ``n``.
    """
    r = s.filter(s[rank_by].notnull())
    head = engine.to_frame(r.aggregate(n=r.count(), q=r[rank_by].quantile(0.75))).iloc[0]
    n = int(head["n"])
    if n < MIN_SESSIONS:
        return {"reason": "few_sessions", "n": n, "rank_by": rank_by}
    threshold = float(head["q"])
    r = r.mutate(_top=r[rank_by] >= dbl(threshold))
    n_top = int(engine.scalar(r._top.sum()))
    factors: list[dict] = []
    # categorical: counts per level and group
    top_hosts = None
    if "host" in r.columns:
        hc = r.filter(r.host.notnull()).group_by("host").aggregate(n=ibis._.count())
        top_hosts = engine.to_frame(hc.order_by([ibis.desc("n"), "host"]).limit(MAX_HOST_LEVELS))["host"].tolist()
    for fac in CATEGORICAL_FACTORS:
        if fac == "host":
            if not top_hosts:
                continue
            lvl = ibis.ifelse(r.host.isin(top_hosts), r.host, ibis.literal("__other__"))
            q = r.filter(r.host.notnull()).mutate(_lvl=lvl)
        elif fac == "slot":
            q = r.filter(r.start_time.notnull()).mutate(_lvl=r.slot)
        else:
            q = r.filter(r.start_time.notnull()).mutate(_lvl=r.weekday.cast("string"))
        cnt = engine.to_frame(q.group_by("_lvl").aggregate(n=q.count(), top=q._top.sum()))
        if cnt.empty:
            continue
        cnt["n"] = cnt["n"].astype(float)
        cnt["top"] = cnt["top"].astype(float)
        if fac == "slot":
            cnt["order"] = cnt["_lvl"].map({s_: i for i, s_ in enumerate(SLOTS)})
        elif fac == "weekday":
            cnt["order"] = cnt["_lvl"].astype(int)
        else:
            cnt["order"] = np.where(cnt["_lvl"] == "__other__", np.inf, -cnt["n"])
        cnt = cnt.sort_values(["order", "_lvl"]).reset_index(drop=True)
        levels = []
        lo, hi = wilson_interval(cnt["top"].to_numpy(), cnt["n"].to_numpy())
        for i, row in cnt.iterrows():
            levels.append({"level": str(row["_lvl"]), "sessions": int(row["n"]), "top": int(row["top"]),
                           "share_top": row["top"] / row["n"], "ci_low": float(lo[i]), "ci_high": float(hi[i])})
        out = {"factor": fac, "type": "categorical", "levels": levels, "p_value": None, "chi2": None, "dof": None}
        if len(cnt) >= 2:
            table = np.vstack([cnt["top"].to_numpy(), (cnt["n"] - cnt["top"]).to_numpy()])
            if (table.sum(axis=1) > 0).all():
                chi2, p, dof = chi2_homogeneity(table)
                out.update(chi2=chi2, p_value=p, dof=dof)
        factors.append(out)
    # numeric: mean, variance, median per group
    nums = [fac for fac in NUMERIC_FACTORS if fac in r.columns]
    aggs = {}
    for i, fac in enumerate(nums):
        x = _f(r, fac)
        aggs.update({f"n{i}": x.count(), f"mean{i}": x.mean(), f"var{i}": x.var(how="sample"), f"median{i}": x.median()})
    g_all = engine.to_frame(r.group_by("_top").aggregate(**aggs)) if nums else pd.DataFrame()
    for i, fac in enumerate(nums):
        g = g_all[["_top", f"n{i}", f"mean{i}", f"var{i}", f"median{i}"]].set_axis(
            ["_top", "n", "mean", "var", "median"], axis=1)
        g = g.loc[g["n"] > 0]
        if len(g) < 2:
            continue
        top = g.loc[g["_top"].astype(bool)].iloc[0]
        rest = g.loc[~g["_top"].astype(bool)].iloc[0]
        w = welch_test(top["mean"], top["var"], top["n"], rest["mean"], rest["var"], rest["n"])
        factors.append({"factor": fac, "type": "numeric", "n_top": int(top["n"]), "n_rest": int(rest["n"]),
                        "mean_top": float(top["mean"]), "mean_rest": float(rest["mean"]),
                        "median_top": float(top["median"]), "median_rest": float(rest["median"]),
                        "diff": float(w["diff"]), "ci_low": _num(w["ci_low"]), "ci_high": _num(w["ci_high"]),
                        "p_value": _num(w["p_value"])})
    return {"rank_by": rank_by, "threshold": threshold, "n": n, "n_top": n_top, "factors": factors}


# ----------------------------------------------------------------------------- creators


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


# ----------------------------------------------------------------------------- content


def _format_expr(ct: ir.Table) -> ir.StringValue:
    raw = ct.format.strip()
    low = raw.lower()
    cases = []
    for code, words in FORMATS.items():
        cond = None
        for w in words:
            c = low == w.lower() if w.isascii() else raw.contains(w)
            cond = c if cond is None else (cond | c)
        cases.append((cond, code))
    return ibis.ifelse(raw.isnull() | (raw == ""), "unknown", ibis.cases(*cases, else_=raw))


def formats_table(ct: ir.Table) -> pd.DataFrame:
    """Items, sums and rates per content format, most GMV first.

    Parameters
    ----------
    ct : ir.Table
        Content lines.

    Returns
    -------
    pd.DataFrame
        Columns ``format``, ``items``, the CONTENT_SUMS, ``engagements``, ``engagement_rate`` (with its Wilson
        interval), ``cpe``, ``click_rate``, ``gmv_per_mille``, ``roi``, ``completion_rate``.
    """
    c = ct.mutate(_fmt=_format_expr(ct))
    comp = _f(c, "completion_rate")
    comp = ibis.ifelse(comp > 1, comp / dbl(100.0), comp)
    plays = _f(c, "plays")
    agg = c.group_by("_fmt").aggregate(
        items=c.count(), **{k: fsum(_f(c, k)) for k in CONTENT_SUMS},
        _comp_num=fsum(comp * plays), _comp_den=fsum(ibis.ifelse(comp.notnull(), plays, ibis.null("float64"))))
    df = engine.to_frame(agg).rename(columns={"_fmt": "format"})
    for k in CONTENT_SUMS + ("_comp_num", "_comp_den"):
        df[k] = df[k].astype(float)
    df["items"] = df["items"].astype("int64")
    eng = df[["likes", "comments", "shares", "saves"]].sum(axis=1, min_count=1)
    df["engagements"] = eng
    df["engagement_rate"] = _div(eng, df["plays"])
    k, n = eng.to_numpy(float), df["plays"].to_numpy(float)
    ok = np.isfinite(k) & np.isfinite(n) & (n > 0)
    lo, hi = wilson_interval(np.where(ok, np.minimum(k, n), 0), np.where(ok, n, 0))
    df["engagement_rate_ci_low"] = np.where(ok, lo, np.nan)
    df["engagement_rate_ci_high"] = np.where(ok, hi, np.nan)
    df["cpe"] = _div(df["spend"], eng)
    df["click_rate"] = _div(df["clicks"], df["plays"])
    df["gmv_per_mille"] = _div(df["gmv"], df["plays"], 1000.0)
    df["roi"] = _div(df["gmv"], df["spend"])
    df["completion_rate"] = _div(df["_comp_num"], df["_comp_den"])
    df = df.drop(columns=["_comp_num", "_comp_den"])
    return df.sort_values(["gmv", "plays", "format"], ascending=[False, False, True], na_position="last").reset_index(drop=True)


def top_content(ct: ir.Table) -> pd.DataFrame:
    """The TOP_CONTENT content items with the most GMV.

    Parameters
    ----------
    ct : ir.Table
        Content lines.

    Returns
    -------
    pd.DataFrame
        Columns ``content_id``, ``date``, ``creator``, ``format``, ``plays``, ``likes``, ``comments``,
        ``shares``, ``saves``, ``gmv``, ``spend``, ``engagement_rate``, ``roi``.
    """
    c = ct.mutate(_fmt=_format_expr(ct))
    q = c.select("content_id", "date", "creator", format=c._fmt, plays=_f(c, "plays"), likes=_f(c, "likes"),
                 comments=_f(c, "comments"), shares=_f(c, "shares"), saves=_f(c, "saves"), gmv=_f(c, "gmv"),
                 spend=_f(c, "spend"))
    q = q.filter(q.gmv.notnull()).order_by([ibis.desc("gmv"), "content_id"]).limit(TOP_CONTENT)
    df = engine.to_frame(q)
    eng = df[["likes", "comments", "shares", "saves"]].sum(axis=1, min_count=1)
    df["engagement_rate"] = _div(eng, df["plays"])
    df["roi"] = _div(df["gmv"], df["spend"])
    return df


# ----------------------------------------------------------------------------- fit


def platform_options(tables: dict[str, ir.Table], params: dict, lang: str = "en") -> list[str]:
    """Platforms named in the sessions and creator deals (at most 50), for the ``platform`` filter.

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table.
    params : dict
        Unused.
    lang : str
        Unused (the options are data values).

    Returns
    -------
    list[str]
        The platforms, sorted.
    """
    vals: set[str] = set()
    for kind in ("live_sessions", "creators"):
        tb = tables.get(kind)
        if tb is None or "platform" not in tb.columns:
            continue
        q = tb.filter(tb.platform.notnull()).select("platform").distinct().limit(50)
        vals.update(str(v) for v in engine.to_frame(q)["platform"])
    return sorted(vals)[:50]


def fit(tables: dict[str, ir.Table], params: dict) -> LiveFit:
    """Every number of the page from the engine tables. Raises ``NotEnoughData`` when none of live sessions,
    creator deals and content is selected or has lines in the window.

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table (``live_sessions``, ``creators``, ``content``, ``orders``).
    params : dict
        The page's parameters (``rank_by``, ``margin``, ``platform``, the window, ...).

    Returns
    -------
    LiveFit
        The fit.
    """
    p = dict(params)
    rank_by = p.get("rank_by") or "gmv"
    margin = float(p.get("margin") if p.get("margin") is not None else 0.6)
    if not any(k in tables for k in LIVE_KINDS):
        raise NotEnoughData("live.error.none_selected")
    present = {k: False for k in (*LIVE_KINDS, "orders")}
    parts: dict = {}
    notes: dict = {}
    s = tables.get("live_sessions")
    if s is not None:
        s = _session_columns(_filtered(s, "start_time", p))
        tot = session_totals(s)
        if tot["sessions"]:
            present["live_sessions"] = True
            trends, grain = trends_table(s, tot.pop("first"), tot.pop("last"))
            parts.update(totals=tot, funnel=funnel_rows(tot), sessions=league(s, rank_by), hosts=hosts_table(s),
                         trends=trends, grain=grain, top_quarter=top_quarter(s, rank_by))
    c = tables.get("creators")
    if c is not None:
        c = _filtered(c, "date", p)
        if _rows(c):
            present["creators"] = True
            cdf, ctot = creators_table(c, margin)
            o = tables.get("orders")
            if o is not None and _rows(o):
                present["orders"] = True
                d = c.filter(c.creator.notnull() & c.date.notnull())
                deals = engine.to_frame(d.select("creator", day=d.date.truncate("D")).distinct().order_by(["day", "creator"])
                                        .limit(MAX_DEALS))
                if not deals.empty:
                    deals["day"] = pd.to_datetime(deals["day"])
                    lo = deals["day"].min() - pd.Timedelta(days=int(p["baseline_days"]) + 1)
                    hi = deals["day"].max() + pd.Timedelta(days=int(p["baseline_days"]) + int(p["halo_hours"]) // 24 + 2)
                    hourly = daily_sales(o, lo, hi)
                    if len(hourly):
                        inc, info = incremental(deals, hourly, int(p["baseline_days"]), int(p["halo_hours"]))
                        cdf = cdf.merge(inc, on="creator", how="left")
                        ctot["coverage"] = info
                        ctot["incremental_gmv"] = _num(inc["incremental_gmv"].sum(min_count=1)) if len(inc) else None
                    else:
                        notes["orders_no_overlap"] = True
                else:
                    notes["creators_no_dates"] = True
            parts.update(creators=cdf, creator_totals=ctot)
    ct = tables.get("content")
    if ct is not None:
        ct = _filtered(ct, "date", p, platform=False)
        fmts = formats_table(ct)
        if len(fmts):
            present["content"] = True
            parts.update(formats=fmts, top_content=top_content(ct))
    if not any(present[k] for k in LIVE_KINDS):
        raise NotEnoughData("live.error.no_rows")
    return LiveFit(present=present, notes=notes, **parts)


# ----------------------------------------------------------------------------- present


def _fmt_factor_level(fac: str, level: str, lang: str) -> str:
    if fac == "slot":
        return t(f"live.slot.{level}", lang)
    if fac == "weekday":
        return t(f"live.weekday.{level}", lang)
    if level == "__other__":
        return t("live.label.other_hosts", lang)
    return level


def _fmt_numeric(fac: str, x, lang: str) -> str:
    if x is None:
        return "—"
    if fac == "spend":
        return fmt_money(x, lang)
    if fac == "duration":
        return t("live.unit.minutes", lang, n=fmt_number(x, lang, 0))
    return fmt_number(x, lang, 1)


def format_label(code: str, lang: str) -> str:
    """A content format's label in ``lang`` (the code itself when it has none).

    Parameters
    ----------
    code : str
        The format code.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The label.
    """
    key = f"live.format.{code}"
    text = t(key, lang)
    return code if text == key else text


def present(result: LiveFit, params: dict, lang: str = "en") -> dict:
    """The page's result in ``lang`` from a :class:`LiveFit` (no engine query).

    Parameters
    ----------
    result : LiveFit
        The fit.
    params : dict
        The page's parameters (``rank_by``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page's result; JSON-safe.
    """
    f = result
    findings: list[str] = []
    steps: list[str] = []
    warnings: list[str] = []
    missing = [k for k in LIVE_KINDS if not f.present.get(k)]
    out: dict = {"present": f.present, "missing": missing, "rank_by": params.get("rank_by") or "gmv", "grain": f.grain}
    tot = f.totals
    if f.present.get("live_sessions"):
        out["kpis"] = {k: tot.get(k) for k in ("gmv", "views", "unique_viewers", "gpm", "uv_value", "conversion", "aov",
                                               "roi")}
        out["kpi_intervals"] = {"conversion": [tot.get("conversion_ci_low"), tot.get("conversion_ci_high")]}
        out["session_totals"] = {k: tot.get(k) for k in ("sessions", "orders", "buyers", "spend", "followers_gained",
                                                          "duration", "peak_online", "avg_watch_time")}
        out["funnel"] = [{**r, "step_label": t(f"live.step.{r['step']}", lang)} for r in f.funnel]
        cols = ["rank", "session_id", "start_time", "host", "platform", "gmv", "views", "unique_viewers", "gpm", "uv_value",
                "conversion", "conversion_ci_low", "conversion_ci_high", "aov", "roi", "orders", "buyers", "spend",
                "duration", "products", "product_exposures", "product_clicks", "exposure_rate", "click_rate", "order_rate",
                "slot"]
        out["sessions"] = f.sessions[cols].to_dict(orient="records")
        out["hosts"] = f.hosts[["host", "sessions", "gmv", "views", "unique_viewers", "gpm", "uv_value", "conversion",
                                "conversion_ci_low", "conversion_ci_high", "roi", "spend"]].to_dict(orient="records")
        out["trends"] = f.trends.to_dict(orient="records")
        _session_text(f, lang, findings, steps, warnings)
        out["top_quarter"] = _top_quarter_rows(f.top_quarter, lang)
    if f.present.get("creators"):
        cdf = f.creators
        out["creators"] = cdf.to_dict(orient="records")
        out["creator_totals"] = {k: v for k, v in f.creator_totals.items() if k != "coverage"}
        if "kpis" not in out:
            ct = f.creator_totals
            out["kpis"] = {"gmv": ct["gmv"], "cost": ct["cost"], "roi": ct["roi"], "deals": ct["deals"]}
        _creator_text(f, params, lang, findings, steps, warnings)
    if f.present.get("content"):
        fm = f.formats.copy()
        fm["format_label"] = [format_label(c, lang) for c in fm["format"]]
        out["formats"] = fm.to_dict(orient="records")
        tc = f.top_content.copy()
        if len(tc):
            tc["format"] = [format_label(c, lang) for c in tc["format"]]
        out["top_content"] = tc.to_dict(orient="records")
        if "kpis" not in out:
            plays, eng = fm["plays"].sum(min_count=1), fm["engagements"].sum(min_count=1)
            out["kpis"] = {"plays": plays, "engagement_rate": _ratio(eng, plays), "gmv": fm["gmv"].sum(min_count=1),
                           "roi": _ratio(fm["gmv"].sum(min_count=1), fm["spend"].sum(min_count=1))}
        _content_text(fm, lang, findings, steps)
    for k in missing:
        warnings.append(t(f"live.missing.{k}", lang))
    out["findings"], out["next_steps"], out["warnings"] = findings, steps, warnings
    return jsonable(out)


def _session_text(f: LiveFit, lang: str, findings: list, steps: list, warnings: list) -> None:
    tot = f.totals
    findings.append(t("live.finding.room", lang, sessions=fmt_number(tot["sessions"], lang), gmv=fmt_money(tot["gmv"], lang),
                      gpm=fmt_money(tot["gpm"], lang), uv=fmt_money(tot["uv_value"], lang),
                      conv=fmt_pct(tot["conversion"], lang, 2), lo=fmt_pct(tot["conversion_ci_low"], lang, 2),
                      hi=fmt_pct(tot["conversion_ci_high"], lang, 2)))
    if tot.get("roi") is not None:
        findings.append(t("live.finding.roi", lang, roi=fmt_number(tot["roi"], lang, 2), spend=fmt_money(tot["spend"], lang)))
        steps.append(t("live.next.roi_low" if tot["roi"] < 1 else "live.next.roi_ok", lang, roi=fmt_number(tot["roi"], lang, 2)))
    rated = [r for r in f.funnel[1:] if r.get("rate") is not None]
    if rated:
        weak = min(rated, key=lambda r: r["rate"])
        idx = [r["step"] for r in f.funnel].index(weak["step"])
        prev = f.funnel[idx - 1]["step"]
        steps.append(t(f"live.next.leak.{weak['step']}", lang, rate=fmt_pct(weak["rate"], lang, 1),
                       step_from=t(f"live.step.{prev}", lang), step_to=t(f"live.step.{weak['step']}", lang)))
    h = f.hosts
    if len(h) >= 2 and tot.get("gpm") is not None:
        h3 = h.loc[(h["sessions"] >= 3) & h["gpm"].notna()]
        if len(h3) >= 2:
            best = h3.sort_values(["gpm", "host"], ascending=[False, True]).iloc[0]
            findings.append(t("live.finding.best_host", lang, host=best["host"], gpm=fmt_money(best["gpm"], lang),
                              avg=fmt_money(tot["gpm"], lang), n=int(best["sessions"])))
            steps.append(t("live.next.host", lang, host=best["host"], gpm=fmt_money(best["gpm"], lang),
                           avg=fmt_money(tot["gpm"], lang)))
    tq = f.top_quarter
    if tq.get("reason"):
        warnings.append(t("live.warning.few_sessions_tq", lang, n=tq["n"], min=MIN_SESSIONS))
        return
    if tq["n"] < FEW_SESSIONS:
        warnings.append(t("live.warning.rough_tq", lang, n=tq["n"]))
    metric = t(f"live.kpi.{tq['rank_by']}", lang)
    sig = []
    for fac in tq["factors"]:
        if fac["type"] == "categorical" and fac["p_value"] is not None and fac["p_value"] < 0.05:
            cand = [lv for lv in fac["levels"] if lv["sessions"] >= 5 and lv["level"] != "__other__"]
            if cand:
                best = max(cand, key=lambda lv: (lv["ci_low"], lv["share_top"]))
                sig.append((fac["p_value"], t("live.finding.tq_level", lang, factor=t(f"live.factor.{fac['factor']}", lang),
                            level=_fmt_factor_level(fac["factor"], best["level"], lang),
                            share=fmt_pct(best["share_top"], lang), lo=fmt_pct(best["ci_low"], lang),
                            hi=fmt_pct(best["ci_high"], lang), p=f"{fac['p_value']:.3g}", metric=metric),
                            ("level", fac["factor"], best)))
        elif fac["type"] == "numeric" and fac["p_value"] is not None and fac["p_value"] < 0.05:
            sig.append((fac["p_value"], t("live.finding.tq_numeric", lang, factor=t(f"live.factor.{fac['factor']}", lang),
                        top=_fmt_numeric(fac["factor"], fac["mean_top"], lang),
                        rest=_fmt_numeric(fac["factor"], fac["mean_rest"], lang),
                        lo=_fmt_numeric(fac["factor"], fac["ci_low"], lang),
                        hi=_fmt_numeric(fac["factor"], fac["ci_high"], lang), p=f"{fac['p_value']:.3g}", metric=metric),
                        ("numeric", fac["factor"], fac)))
    if sig:
        sig.sort(key=lambda x: x[0])
        findings.extend(s_[1] for s_ in sig[:3])
        kind, fac, obj = sig[0][2]
        if kind == "level":
            steps.append(t(f"live.next.tq_{fac}", lang, level=_fmt_factor_level(fac, obj["level"], lang),
                           share=fmt_pct(obj["share_top"], lang)))
        else:
            key = "more" if obj["diff"] > 0 else "less"
            steps.append(t(f"live.next.tq_numeric_{key}", lang, factor=t(f"live.factor.{fac}", lang),
                           top=_fmt_numeric(fac, obj["mean_top"], lang)))
    else:
        findings.append(t("live.finding.tq_none", lang, n=tq["n"], metric=metric))


def _top_quarter_rows(tq: dict, lang: str) -> list[dict]:
    rows = []
    for fac in tq.get("factors", []):
        name = t(f"live.factor.{fac['factor']}", lang)
        if fac["type"] == "categorical":
            for lv in fac["levels"]:
                rows.append({"factor": name, "level": _fmt_factor_level(fac["factor"], lv["level"], lang),
                             "sessions": lv["sessions"], "top_sessions": lv["top"], "share_top": lv["share_top"],
                             "ci_low": lv["ci_low"], "ci_high": lv["ci_high"], "p_value": fac["p_value"]})
        else:
            rows.append({"factor": name, "level": t("live.label.mean_top_rest", lang),
                         "sessions": fac["n_top"] + fac["n_rest"], "top_sessions": fac["n_top"],
                         "mean_top": fac["mean_top"], "mean_rest": fac["mean_rest"], "median_top": fac["median_top"],
                         "median_rest": fac["median_rest"], "diff": fac["diff"], "ci_low": fac["ci_low"],
                         "ci_high": fac["ci_high"], "p_value": fac["p_value"]})
    return rows


def _creator_text(f: LiveFit, params: dict, lang: str, findings: list, steps: list, warnings: list) -> None:
    cdf, ct = f.creators, f.creator_totals
    margin = float(params.get("margin") if params.get("margin") is not None else 0.6)
    findings.append(t("live.finding.creators", lang, n=ct["creators"], deals=ct["deals"], gmv=fmt_money(ct["gmv"], lang),
                      cost=fmt_money(ct["cost"], lang), roi=fmt_number(ct["roi"], lang, 2)))
    if ct.get("no_rate"):
        warnings.append(t("live.warning.no_rate", lang, n=ct["no_rate"]))
    if ct.get("pct_rates"):
        warnings.append(t("live.warning.pct_rates", lang, n=ct["pct_rates"]))
    ok = cdf.loc[cdf["roi"].notna()]
    if len(ok):
        best = ok.sort_values(["roi", "creator"], ascending=[False, True]).iloc[0]
        steps.append(t("live.next.creator_renew", lang, creator=best["creator"], roi=fmt_number(best["roi"], lang, 2),
                       be=fmt_pct(best["break_even_commission"], lang)))
        losing = ok.loc[ok["profit"] < 0].sort_values("profit")
        if len(losing):
            w = losing.iloc[0]
            steps.append(t("live.next.creator_renegotiate", lang, creator=w["creator"], n=len(losing),
                           rate=fmt_pct(w["commission_rate"], lang), be=fmt_pct(w["break_even_commission"], lang),
                           margin=fmt_pct(margin, lang, 0)))
    cov = ct.get("coverage")
    if cov is not None and "incremental_gmv" in cdf:
        inc = cdf.loc[cdf["incremental_gmv"].notna()]
        if len(inc):
            top = inc.sort_values(["incremental_gmv", "creator"], ascending=[False, True]).iloc[0]
            clear = top["incremental_ci_low"] is not None and top["incremental_ci_low"] > 0
            findings.append(t("live.finding.incremental" if clear else "live.finding.incremental_unclear", lang,
                              creator=top["creator"],
                              inc=fmt_money(top["incremental_gmv"], lang), lo=fmt_money(top["incremental_ci_low"], lang),
                              hi=fmt_money(top["incremental_ci_high"], lang), days=int(top["deal_days"])))
            halo = inc.loc[inc["halo_incremental"].notna()]
            if len(halo):
                hsum = float(halo["halo_incremental"].sum())
                findings.append(t("live.finding.halo" if hsum >= 0 else "live.finding.halo_below", lang,
                                  hours=int(params.get("halo_hours") or 72), halo=fmt_money(abs(hsum), lang), n=len(halo)))
        if cov.get("few_baseline_creators"):
            warnings.append(t("live.warning.few_baseline", lang, n=cov["few_baseline_creators"], min=FEW_BASELINE))
        if cov.get("shared_days"):
            warnings.append(t("live.warning.shared_days", lang, n=cov["shared_days"]))
        if cov.get("uncovered_days"):
            warnings.append(t("live.warning.uncovered", lang, n=cov["uncovered_days"]))
    elif not f.present.get("orders"):
        warnings.append(t("live.warning.no_orders", lang))
    if f.notes.get("orders_no_overlap"):
        warnings.append(t("live.warning.orders_no_overlap", lang))
    if f.notes.get("creators_no_dates"):
        warnings.append(t("live.warning.creators_no_dates", lang))


def _content_text(fm: pd.DataFrame, lang: str, findings: list, steps: list) -> None:
    paid = fm.loc[fm["roi"].notna()]
    if len(paid) >= 1:
        best = paid.sort_values(["roi", "format"], ascending=[False, True]).iloc[0]
        findings.append(t("live.finding.format_best", lang, format=best["format_label"], roi=fmt_number(best["roi"], lang, 2),
                          gpm=fmt_money(best["gmv_per_mille"], lang), er=fmt_pct(best["engagement_rate"], lang, 2)))
        if len(paid) >= 2:
            worst = paid.sort_values(["roi", "format"], ascending=[True, True]).iloc[0]
            steps.append(t("live.next.format", lang, best=best["format_label"], worst=worst["format_label"],
                           roi=fmt_number(best["roi"], lang, 2), roi_w=fmt_number(worst["roi"], lang, 2)))
    er = fm.loc[fm["engagement_rate"].notna()]
    if len(er) >= 2:
        top = er.sort_values(["engagement_rate", "format"], ascending=[False, True]).iloc[0]
        findings.append(t("live.finding.format_engagement", lang, format=top["format_label"],
                          er=fmt_pct(top["engagement_rate"], lang, 2), lo=fmt_pct(top["engagement_rate_ci_low"], lang, 2),
                          hi=fmt_pct(top["engagement_rate_ci_high"], lang, 2)))


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
    from analytics.params import resolve

    tables = engine.tables_from_frames({k: v for k, v in frames.items() if v is not None})
    full = resolve(PARAMS, params)
    return present(fit(tables, full), full, lang)


# ----------------------------------------------------------------------------- figures


def figures(result: dict, lang: str = "en") -> list[dict]:
    """The live-commerce page's figures (the funnel, the trend and the charts of the result's other blocks), each
    titled with what it shows.

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
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    out: list[dict] = []
    funnel = result.get("funnel") or []
    if funnel:
        rated = [r for r in funnel[1:] if r.get("rate") is not None]
        weak = min(rated, key=lambda r: r["rate"]) if rated else None
        title = t("live.chart.funnel", lang, step=t(f"live.step.{weak['step']}", lang) if weak else "—",
                  rate=fmt_pct(weak["rate"], lang) if weak else "—")
        fig = go.Figure(go.Funnel(y=[t(f"live.step.{r['step']}", lang) for r in funnel], x=[r["people"] for r in funnel],
                                  textinfo="value+percent previous"))
        charts.data_labels(fig.data[0], "count", lang)
        fig.update_layout(height=380)
        charts.finish(fig, lang, title, x="count")
        out.append({"key": "funnel", "title": title, "figure": fig})
    trends = result.get("trends") or []
    if len(trends) >= 2:
        df = pd.DataFrame(trends)
        k = max(1, len(df) // 4)
        g0, g1 = df["gmv"].head(k).sum(), df["gmv"].tail(k).sum()
        title = t("live.chart.trend", lang, first=fmt_money(g0, lang), last=fmt_money(g1, lang), k=k,
                  grain=t(f"live.grain.{result.get('grain') or 'day'}", lang))
        fig = make_subplots(specs=[[{"secondary_y": True}]])
        fig.add_trace(go.Bar(x=df["period"], y=df["gmv"], name=t("live.kpi.gmv", lang), opacity=0.6), secondary_y=False)
        fig.add_trace(go.Scatter(x=df["period"], y=df["gpm"], name=t("live.kpi.gpm", lang), mode="lines"), secondary_y=True)
        fig.update_layout(height=380, legend={"orientation": "h", "y": -0.15})
        fig.update_yaxes(title_text=t("live.kpi.gmv", lang), secondary_y=False)
        fig.update_yaxes(title_text=t("live.kpi.gpm", lang), secondary_y=True)
        charts.finish(fig, lang, title, y="money", y2="money")
        out.append({"key": "trend", "title": title, "figure": fig})
    hosts = [h for h in (result.get("hosts") or []) if h.get("gpm") is not None][:15]
    if hosts:
        best = max(hosts, key=lambda h: h["gpm"])
        title = t("live.chart.hosts", lang, host=best["host"], gpm=fmt_money(best["gpm"], lang))
        fig = go.Figure(go.Bar(y=[h["host"] for h in hosts][::-1], x=[h["gpm"] for h in hosts][::-1], orientation="h"))
        charts.data_labels(fig.data[0], "money", lang)
        fig.update_layout(height=max(300, 120 + 26 * len(hosts)), xaxis_title=t("live.kpi.gpm", lang), yaxis_type="category")
        charts.finish(fig, lang, title, x="money")
        out.append({"key": "hosts", "title": title, "figure": fig})
    creators = [c for c in (result.get("creators") or []) if c.get("cost") is not None and c.get("gmv") is not None]
    if creators:
        ok = [c for c in creators if c.get("roi") is not None]
        best = max(ok, key=lambda c: c["roi"]) if ok else None
        title = t("live.chart.creators", lang, creator=best["creator"] if best else "—",
                  roi=fmt_number(best["roi"], lang, 2) if best else "—")
        # names on the five largest deals only, and only where they do not run into each other; every deal's
        # name, cost and GMV are in its hover
        creators = sorted(creators, key=lambda c: -c["gmv"])
        names = charts.scatter_labels([c["cost"] for c in creators], [c["gmv"] for c in creators],
                                      [c["creator"] if i < 5 else "" for i, c in enumerate(creators)],
                                      log_x=True, log_y=True)
        fig = go.Figure(go.Scatter(
            x=[c["cost"] for c in creators], y=[c["gmv"] for c in creators], mode="markers+text",
            text=names, textposition="top center",
            hovertext=[f"{c['creator']}: {t('live.col.cost', lang)} {fmt_money(c['cost'], lang)} · "
                       f"{t('live.kpi.gmv', lang)} {fmt_money(c['gmv'], lang)}" for c in creators], hoverinfo="text"))
        pos = [c["cost"] for c in creators if c["cost"] > 0]
        lo_, hi_ = (min(pos), max(pos)) if pos else (1.0, 10.0)
        fig.add_trace(go.Scatter(x=[lo_, hi_], y=[lo_, hi_], mode="lines", line={"dash": "dot"}, name="ROI = 1"))
        fig.update_layout(height=400, xaxis_title=t("live.col.cost", lang), yaxis_title=t("live.kpi.gmv", lang),
                          showlegend=False, xaxis_type="log", yaxis_type="log")  # deals span orders of magnitude
        charts.finish(fig, lang, title, x="money", y="money")
        out.append({"key": "creators", "title": title, "figure": fig})
    fm = [r for r in (result.get("formats") or [])]
    if fm:
        ok = [r for r in fm if r.get("roi") is not None]
        best = max(ok, key=lambda r: r["roi"]) if ok else None
        title = t("live.chart.formats", lang, format=best["format_label"] if best else "—",
                  roi=fmt_number(best["roi"], lang, 2) if best else "—")
        fig = make_subplots(rows=1, cols=2, subplot_titles=[t("live.col.engagement_rate", lang), t("live.col.roi", lang)])
        names = [r["format_label"] for r in fm]
        fig.add_trace(go.Bar(x=names, y=[r.get("engagement_rate") for r in fm], showlegend=False), row=1, col=1)
        fig.add_trace(go.Bar(x=names, y=[r.get("roi") for r in fm], showlegend=False), row=1, col=2)
        fig.update_layout(height=360)
        charts.finish(fig, lang, title, y="percent", y2="ratio")
        out.append({"key": "formats", "title": title, "figure": fig})
    return out
