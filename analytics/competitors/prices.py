"""Prices: the weekly price index (own vs competitors per product or category) and the own weekly volume
next to the competitor price level and price moves."""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from .base import _match, norm_col
from .lines import match_orders, own_weekly_price


def price_index(own: pd.DataFrame, rivals: pd.DataFrame, key: str) -> pd.DataFrame:
    """Weekly price index per ``key`` value. ``own``: columns period, key, own_price (one row per
    period x key). ``rivals``: rows with period, key, competitor, price (raw observations).

    Parameters
    ----------
    own : pd.DataFrame
        Own prices: ``period``, ``key``, ``own_price``, one row per period x key.
    rivals : pd.DataFrame
        Raw competitor observations: ``period``, ``key``, ``competitor``, ``price``.
    key : str
        Name of the key column in both frames.

    Returns
    -------
    pd.DataFrame
        Columns ``period``, ``key``, ``own_price``, ``competitor_price`` (mean over competitors of their
        mean), ``competitors``, ``index`` (own / competitor x 100), where both prices are positive.
    """
    per_comp = rivals.groupby(["period", key, "competitor"], as_index=False)["price"].mean()
    comp = per_comp.groupby(["period", key], as_index=False).agg(competitor_price=("price", "mean"),
                                                                   competitors=("competitor", "nunique"))
    out = own.merge(comp, on=["period", key], how="inner")
    out = out.loc[(out["competitor_price"] > 0) & (out["own_price"] > 0)]
    out["index"] = out["own_price"] / out["competitor_price"] * 100
    return out.rename(columns={key: "key"}).sort_values(["key", "period"]).reset_index(drop=True)


def index_table(own_source: str | None, own_rows: pd.DataFrame, rivals: pd.DataFrame,
                own_lines: ir.Table | None) -> tuple[pd.DataFrame, str | None, list]:
    """The weekly price index (see :func:`price_index`), what it matched on and its warnings. Own prices:
    the own brand's rows (``own_source`` "brand") or the prices paid in the own sale lines (engine
    expression ``own_lines``, aggregated there per week and key).

    Parameters
    ----------
    own_source : str | None
        ``"brand"`` (own rows among the competitors), ``"orders"`` (own sale lines) or None.
    own_rows : pd.DataFrame
        The own brand's observations (``period``, ``product``, ``category``, ``price``).
    rivals : pd.DataFrame
        The competitors' observations.
    own_lines : ir.Table | None
        Own sale lines (engine table) when ``own_source`` is "orders", else None.

    Returns
    -------
    tuple[pd.DataFrame, str | None, list]
        The index (see :func:`price_index`), the key matched on (``product``, ``category``, ``all`` or None)
        and (key, kwargs) warnings.
    """
    notes: list = []
    pi = pd.DataFrame(columns=["period", "key", "own_price", "competitor_price", "competitors", "index"])
    match_by = None
    if own_source == "brand":
        for key in ("product", "category"):
            m = _match(own_rows[key], rivals[key])
            if m:
                match_by = key
                o = own_rows.assign(k=norm_col(own_rows[key])).loc[lambda d: d["k"].isin(m)]
                r = rivals.assign(k=norm_col(rivals[key])).loc[lambda d: d["k"].isin(m)]
                label = o.groupby("k")[key].first()
                own_w = o.groupby(["period", "k"], as_index=False).agg(own_price=("price", "mean"))
                pi = price_index(own_w, r, "k")
                pi["key"] = pi["key"].map(label)
                break
        if match_by is None:
            match_by = "all"
            own_w = own_rows.groupby("period", as_index=False).agg(own_price=("price", "mean")).assign(k="all")
            pi = price_index(own_w, rivals.assign(k="all"), "k")
    elif own_source == "orders":
        mt = match_orders(own_lines, rivals)
        if mt:
            rkey, okey, m, raw = mt
            match_by = rkey
            o = own_lines.filter(own_lines[okey].isin(raw))
            r = rivals.assign(k=norm_col(rivals[rkey])).loc[lambda d: d["k"].isin(m)]
            label = r.groupby("k")[rkey].first()
            pi = price_index(own_weekly_price(o, okey), r, "k")
            pi["key"] = pi["key"].map(label)
        if match_by is None:
            match_by = "all"
            notes.append(("competitors.warning.no_match_all", {}))
            pi = price_index(own_weekly_price(own_lines, None), rivals.assign(k="all"), "k")
    else:
        notes.append(("competitors.warning.no_own", {}))
    if own_source and pi.empty:
        notes.append(("competitors.warning.no_overlap", {}))
    return pi, match_by, notes


def index_summary(pi: pd.DataFrame) -> list[dict]:
    """Per key: weeks, latest week and index, mean index; highest latest index first.

    Parameters
    ----------
    pi : pd.DataFrame
        The weekly price index (:func:`price_index`).

    Returns
    -------
    list[dict]
        Rows with ``key``, ``weeks``, ``latest_period``, ``latest_index``, ``mean_index``.
    """
    summary = []
    if not pi.empty:
        for k, g in pi.groupby("key", sort=False):
            g = g.sort_values("period")
            summary.append({"key": str(k), "weeks": int(len(g)), "latest_period": g["period"].iloc[-1].date().isoformat(),
                            "latest_index": float(g["index"].iloc[-1]), "mean_index": float(g["index"].mean())})
        summary.sort(key=lambda r: -r["latest_index"])
    return summary


def _own_vs_moves(weekly: pd.DataFrame | None, events: list[dict]) -> dict | None:
    """Own weekly volume next to the competitor price level and the competitor price moves of each week
    (cuts and rises), for the page's "own sales next to competitor moves" chart."""
    if weekly is None or weekly.empty:
        return None
    cuts: dict[pd.Timestamp, int] = {}
    rises: dict[pd.Timestamp, int] = {}
    for e in events:
        wk = pd.Timestamp(e["date"]) - pd.Timedelta(days=pd.Timestamp(e["date"]).day_of_week)
        (cuts if e["change_pct"] < 0 else rises)[wk] = (cuts if e["change_pct"] < 0 else rises).get(wk, 0) + 1
    rows = [{"period": d.date().isoformat(),
             "own_volume": float(r.own_volume),
             "competitor_price_level": None if pd.isna(r.competitor_price_level) else float(r.competitor_price_level),
             "price_cuts": int(cuts.get(d, 0)), "price_rises": int(rises.get(d, 0))}
            for d, r in zip(weekly.index, weekly.itertuples(index=False))]
    return {"measure": weekly.attrs.get("measure"), "weeks": rows}
