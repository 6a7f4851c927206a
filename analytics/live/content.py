"""Content: items, engagement (Wilson interval), cost per engagement, click rate, GMV per 1,000 plays, ROI and
completion per content format, and the items with the most GMV."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics.expr import dbl, fsum
from analytics.stats import wilson_interval
from data import engine

from .base import CONTENT_SUMS, FORMATS, TOP_CONTENT, _div, _f


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
