"""The live room: per-session rates, totals, the viewer funnel, the league table, hosts, trends and what
separates the top-quarter sessions (chi-square per level, Welch per numeric factor), counted in the engine."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics.expr import dbl, fsum
from analytics.stats import chi2_homogeneity, welch_test, wilson_interval
from data import engine

from .base import (CATEGORICAL_FACTORS, FUNNEL, LEAGUE_ROWS, MAX_HOST_LEVELS, MAX_HOSTS, MIN_SESSIONS,
                   NUMERIC_FACTORS, SESSION_SUMS, SLOTS, _div, _f, _num, _ratio, _wilson)


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
