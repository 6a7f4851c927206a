"""The competitor table (one row per competitor) and the weekly trends of the tracked metrics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .base import TREND_METRICS


def _latest(df: pd.DataFrame, col: str) -> pd.Series:
    d = df.loc[df[col].notna(), ["competitor", "date", col]].sort_values("date")
    return d.groupby("competitor")[col].last()


def _first(df: pd.DataFrame, col: str) -> pd.Series:
    d = df.loc[df[col].notna(), ["competitor", "date", col]].sort_values("date")
    return d.groupby("competitor")[col].first()


def competitor_table(df: pd.DataFrame, ev: pd.DataFrame, own_name: str | None) -> list[dict]:
    """One row per competitor: observations, products, first / last seen, mean price, discount and promotion
    share, latest values (and changes) of the tracked metrics, price moves; the own brand last.

    Parameters
    ----------
    df : pd.DataFrame
        Prepared competitor observations: ``competitor``, ``product``, ``date``, ``price``, ``discount``,
        ``promo``, ``is_promo`` and the tracked metrics ``rating``, ``reviews``, ``followers``, ``share``,
        ``sales_volume``.
    ev : pd.DataFrame
        Price-move events (:func:`~analytics.competitors.events.price_events`), with a ``competitor`` column.
    own_name : str | None
        The own brand's name in ``competitor``, or None.

    Returns
    -------
    list[dict]
        Rows with ``competitor``, ``observations``, ``products``, ``first_seen``, ``last_seen``,
        ``avg_price``, ``avg_discount``, ``promo_share``, ``latest_<metric>`` and ``<metric>_change`` for the
        metrics present, ``events``, ``is_own``; NaN as None.
    """
    g = df.groupby("competitor")
    tab = pd.DataFrame({
        "observations": g.size(),
        "products": g["product"].nunique(),
        "first_seen": g["date"].min().dt.date,
        "last_seen": g["date"].max().dt.date,
        "avg_price": g["price"].mean(),
        "avg_discount": g["discount"].mean(),
        "promo_share": g["is_promo"].mean() if df["promo"].notna().any() else np.nan,
    })
    for col in ("rating", "reviews", "followers", "share", "sales_volume"):
        if df[col].notna().any():
            tab[f"latest_{col}"] = _latest(df, col)
            if col in ("followers", "share", "rating"):
                tab[f"{col}_change"] = _latest(df, col) - _first(df, col)
    tab["events"] = pd.Series(ev.groupby("competitor").size() if not ev.empty else {}, dtype=float).reindex(tab.index).fillna(0).astype(int)
    tab["is_own"] = tab.index == own_name
    tab = tab.reset_index().sort_values(["is_own", "observations"], ascending=[True, False])
    return [{k: (None if (isinstance(v, float) and math.isnan(v)) else v) for k, v in r.items()}
            for r in tab.to_dict(orient="records")]


def trend_rows(df: pd.DataFrame) -> dict[str, list[dict]]:
    """Per tracked metric: its weekly mean per competitor.

    Parameters
    ----------
    df : pd.DataFrame
        Competitor observations with ``period`` (week start), ``competitor`` and the TREND_METRICS columns.

    Returns
    -------
    dict[str, list[dict]]
        Metric -> rows of ``period`` (ISO date), ``competitor``, ``value``; metrics without any value are left
        out.
    """
    trends: dict[str, list] = {}
    for col in TREND_METRICS:
        if not df[col].notna().any():
            continue
        tr = df.loc[df[col].notna()].groupby(["period", "competitor"], as_index=False)[col].mean()
        trends[col] = [{"period": r.period.date().isoformat(), "competitor": r.competitor, "value": float(getattr(r, col))}
                       for r in tr.itertuples(index=False)]
    return trends
