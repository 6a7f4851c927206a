"""Competitors' price moves (alerts against the trailing median of each series) and the promotion
timeline of the price chart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import EPS, MAX_SERIES_CHART


def price_events(obs: pd.DataFrame, threshold: float = 0.10, window: int = 28) -> pd.DataFrame:
    """Price-move events in ``obs`` (columns date, competitor, product, price; product may be NA).

    Returns one row per event: date, competitor, product, price, reference_price, change_pct, direction.

    Parameters
    ----------
    obs : pd.DataFrame
        Competitor observations: ``date``, ``competitor``, ``product`` (may be NA), ``price``.
    threshold : float
        Smallest relative change against the reference price that counts as a move (0.10 = 10%).
    window : int
        Days before each observation whose median daily price is the reference.

    Returns
    -------
    pd.DataFrame
        Columns ``date``, ``competitor``, ``product``, ``price``, ``reference_price``, ``change_pct``,
        ``direction`` (cut / rise): the first day of each run of moves in one direction, sorted by date,
        competitor, product.
    """
    cols = ["date", "competitor", "product", "price", "reference_price", "change_pct", "direction"]
    if obs is None or obs.empty:
        return pd.DataFrame(columns=cols)
    df = obs[["date", "competitor", "product", "price"]].copy()
    df["product"] = df["product"].astype("str").where(df["product"].notna(), "")
    df["date"] = pd.to_datetime(df["date"]).dt.normalize()
    df = df.groupby(["competitor", "product", "date"], as_index=False, sort=True)["price"].mean()
    ref = (df.set_index("date").groupby(["competitor", "product"], sort=False)["price"]
           .rolling(f"{int(window)}D", closed="left").median())
    df = df.set_index(["competitor", "product", "date"])
    df["reference_price"] = ref.reindex(df.index)
    df = df.reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        df["change_pct"] = df["price"] / df["reference_price"] - 1
    flag = df["change_pct"].abs() >= threshold - EPS
    sign = np.sign(df["change_pct"]).where(flag, 0)
    same = (df["competitor"] == df["competitor"].shift()) & (df["product"] == df["product"].shift())
    prev_sign = sign.shift().where(same, 0)
    start = flag & (sign != prev_sign)
    ev = df.loc[start].copy()
    ev["direction"] = np.where(ev["change_pct"] < 0, "cut", "rise")
    ev["product"] = ev["product"].replace("", None)
    return ev[cols].sort_values(["date", "competitor", "product"]).reset_index(drop=True)


def event_rows(rivals: pd.DataFrame, threshold: float, window: int, has_promo: bool) -> tuple[pd.DataFrame, list[dict]]:
    """The competitors' price moves (:func:`price_events`) with the promotion observed that day and whether
    they fall in a calendar festival window: as a frame and as rows.

    Parameters
    ----------
    rivals : pd.DataFrame
        Competitor observations (``date``, ``competitor``, ``product``, ``price``, ``promo``).
    threshold : float
        Smallest relative move (see :func:`price_events`).
    window : int
        Reference window in days.
    has_promo : bool
        Whether the observations carry a promotion column.

    Returns
    -------
    tuple[pd.DataFrame, list[dict]]
        The events frame (with ``promo`` when given and ``in_festival``) and the same as JSON-safe rows.
    """
    ev = price_events(rivals, threshold, window)
    if not ev.empty and has_promo:
        pr = rivals.assign(date=rivals["date"].dt.normalize(),
                           product=rivals["product"].astype("str").where(rivals["product"].notna(), ""))
        pr = pr.loc[pr["promo"].notna()].groupby(["competitor", "product", "date"])["promo"].first()
        keys = list(zip(ev["competitor"], ev["product"].fillna(""), ev["date"]))
        ev["promo"] = [pr.get(k) for k in keys]
    if not ev.empty:
        from analytics.calendar import calendar_windows

        inside = np.zeros(len(ev), bool)
        for w in calendar_windows(ev["date"].min().date(), ev["date"].max().date()):
            inside |= ((ev["date"] >= pd.Timestamp(w.start)) & (ev["date"] <= pd.Timestamp(w.end))).to_numpy()
        ev["in_festival"] = inside
    events = [{"date": r["date"].date().isoformat(), "in_festival": bool(r["in_festival"]), "competitor": r["competitor"], "product": r["product"],
               "price": float(r["price"]), "reference_price": float(r["reference_price"]),
               "change_pct": float(r["change_pct"]), "direction": r["direction"],
               **({"promo": r.get("promo")} if "promo" in ev.columns else {})} for _, r in ev.iterrows()]
    return ev, events


def timeline_rows(rivals: pd.DataFrame, ev: pd.DataFrame) -> list[dict]:
    """Daily mean price per competitor x product for the chart: the series with events first (at most
    ``MAX_SERIES_CHART``), with whether a promotion was observed that day.

    Parameters
    ----------
    rivals : pd.DataFrame
        Competitor observations (``date``, ``competitor``, ``product``, ``price``, optionally ``is_promo``).
    ev : pd.DataFrame
        Price-move events (:func:`price_events`).

    Returns
    -------
    list[dict]
        Rows with ``date`` (ISO), ``competitor``, ``product`` (None when absent), ``price``, ``promo``.
    """
    rv = rivals.assign(product=rivals["product"].astype("str").where(rivals["product"].notna(), ""))
    cnt = rv.groupby(["competitor", "product"]).size().rename("n").reset_index()
    evc = ev.assign(product=ev["product"].fillna("")).groupby(["competitor", "product"]).size().rename("ev").reset_index() \
        if not ev.empty else pd.DataFrame(columns=["competitor", "product", "ev"])
    cnt = cnt.merge(evc, on=["competitor", "product"], how="left").fillna({"ev": 0})
    top = cnt.sort_values(["ev", "n"], ascending=False).head(MAX_SERIES_CHART)
    sel = rv.merge(top[["competitor", "product"]], on=["competitor", "product"])
    sel = sel.assign(on_promo=sel["is_promo"].astype("boolean").fillna(False).astype(bool)
                     if "is_promo" in sel.columns else False)
    tl = sel.groupby(["competitor", "product", sel["date"].dt.normalize()], as_index=False).agg(
        price=("price", "mean"), on_promo=("on_promo", "max"))
    return [{"date": r.date.date().isoformat(), "competitor": r.competitor, "product": r.product or None,
             "price": float(r.price), "promo": bool(r.on_promo)} for r in tl.itertuples(index=False)]
