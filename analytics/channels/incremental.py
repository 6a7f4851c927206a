"""Platform vs incremental ROAS (issue 17 item 3): the platforms' own ROAS per channel beside the
incrementality ledger's newest entry or the promotion planner's response model, the attribution window
the data states and the platforms' double count against the orders."""


from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics import ledger
from analytics.common import AnalyticsError
from analytics.expr import fsum, in_dates
from data import engine
from data.schema import normalise_header

from .base import ATTRIBUTION_WORDS, MODEL_N_BOOT, MODEL_SEED
from .queries import _sum_or_null


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
