"""The page's fit: the platform filter's options and :func:`fit`, every engine query of the sessions, creator
deals and content in the window, as a :class:`LiveFit`."""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from analytics.common import NotEnoughData
from data import engine

from .base import LIVE_KINDS, MAX_DEALS, _filtered, _num, _rows
from .content import formats_table, top_content
from .creators import creators_table, daily_sales, incremental
from .result import LiveFit
from .sessions import _session_columns, funnel_rows, hosts_table, league, session_totals, top_quarter, trends_table


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
