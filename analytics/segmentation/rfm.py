"""RFM: scores, the named and cn8 group models, group summaries and group transitions, all from the
per-customer aggregates of :mod:`.customers` (never from order lines)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.i18n import t

from . import customers as cu
from .base import _CN8_BY_RFM, _SEGMENT_GRID, SMALL_GROUP, _as_ts, group_label, group_order

RFM_COLUMNS = ["customer_id", "recency_days", "frequency", "monetary", "gross", "returns", "first_purchase",
               "last_purchase", "tenure_days", "aov", "r", "f", "m", "fm", "group", "group_cn"]


def quantile_score(x: pd.Series | np.ndarray, higher_is_better: bool = True, bins: int = 5) -> np.ndarray:
    """1..bins score by percentile rank; ties share the average rank and therefore the score.

    Parameters
    ----------
    x : pd.Series | np.ndarray
        Values.
    higher_is_better : bool
        False to score low values high (recency).
    bins : int
        Number of scores.

    Returns
    -------
    np.ndarray
        The scores.
    """
    v = np.asarray(x, dtype=float)
    if not higher_is_better:
        v = -v
    n = len(v)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    pct = average_rank(v) / n
    return np.clip(np.ceil(pct * bins - 1e-9), 1, bins).astype(np.int64)


def average_rank(v: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing the mean of their ranks: pandas' ``rank(method="average")`` (the same
    floats: a tie group starting at position s with c members has the exact mean s + (c + 1) / 2) from
    one sort, or by counting for whole numbers in a short range (days, order counts): half to a tenth of
    pandas' time on a million customers. NaN stays NaN.

    Parameters
    ----------
    v : np.ndarray
        Values.

    Returns
    -------
    np.ndarray
        The ranks (float).
    """
    v = np.asarray(v, dtype=float)
    ok = ~np.isnan(v)
    if not ok.all():
        out = np.full(len(v), np.nan)
        out[ok] = average_rank(v[ok])
        return out
    n = len(v)
    if n == 0:
        return np.zeros(0)
    lo, hi = float(v.min()), float(v.max())
    if np.isfinite(lo) and np.isfinite(hi) and hi - lo <= 4 * n + 1000 and np.array_equal(v, np.floor(v)):
        # whole numbers in a short range (days, order counts): ranks by counting, no sort
        pos = (v - lo).astype(np.int64)
        counts = np.bincount(pos)
        starts = np.cumsum(counts) - counts
        return (starts + (counts + 1) / 2)[pos]
    order = np.argsort(v, kind="stable")
    sv = v[order]
    new = np.empty(n, bool)
    new[0] = True
    np.not_equal(sv[1:], sv[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, n))
    out = np.empty(n)
    out[order] = np.repeat(starts + (counts + 1) / 2, counts)
    return out


def named_groups(r: np.ndarray, fm: np.ndarray) -> np.ndarray:
    """The named RFM group of each customer from the R score and the FM score (the segment grid).

    Parameters
    ----------
    r : np.ndarray
        R scores 1..5.
    fm : np.ndarray
        FM scores 1..5.

    Returns
    -------
    np.ndarray
        Group names.
    """
    return _named_grid().ravel()[_named_codes(r, fm)]


def _named_grid() -> np.ndarray:
    grid = np.empty((6, 6), dtype=object)
    for rs, names in _SEGMENT_GRID.items():
        for j, name in enumerate(names, start=1):
            grid[rs, j] = name
    return grid


def _named_codes(r: np.ndarray, fm: np.ndarray) -> np.ndarray:
    """Position of each customer's named group in the raveled :func:`_named_grid`."""
    return np.ravel_multi_index((np.asarray(r, int), np.asarray(fm, int)), (6, 6))


def cn8_groups(recency: np.ndarray, frequency: np.ndarray, monetary: np.ndarray) -> np.ndarray:
    """The eight Chinese RFM groups (重要价值客户 ...): recency, frequency and monetary each above or below its mean.

    Parameters
    ----------
    recency : np.ndarray
        Days since the last purchase.
    frequency : np.ndarray
        Orders.
    monetary : np.ndarray
        Net sales.

    Returns
    -------
    np.ndarray
        Group names.
    """
    return _cn8_labels()[_cn8_codes(recency, frequency, monetary)]


def _cn8_labels() -> np.ndarray:
    return np.array([_CN8_BY_RFM[(bool(a), bool(b), bool(c))] for a in (False, True) for b in (False, True)
                     for c in (False, True)], dtype=object)


def _cn8_codes(recency: np.ndarray, frequency: np.ndarray, monetary: np.ndarray) -> np.ndarray:
    """Position of each customer's cn8 group in :func:`_cn8_labels`."""
    rh = recency < recency.mean()
    fh = frequency > frequency.mean()
    mh = monetary > monetary.mean()
    return rh.astype(int) * 4 + fh.astype(int) * 2 + mh.astype(int)


def score_groups(out: pd.DataFrame) -> pd.DataFrame:
    """Add r, f, m (quantile scores), fm, group (named model) and group_cn (cn8) to a frame with
    recency_days, frequency and monetary.

    Parameters
    ----------
    out : pd.DataFrame
        Frame with ``recency_days``, ``frequency``, ``monetary`` (modified in place).

    Returns
    -------
    pd.DataFrame
        The same frame.
    """
    out["r"] = quantile_score(out["recency_days"], higher_is_better=False)
    out["f"] = quantile_score(out["frequency"])
    out["m"] = quantile_score(out["monetary"])
    out["fm"] = np.floor((out["f"] + out["m"]) / 2 + 0.5).astype(np.int64)
    # named_groups / cn8_groups as "str" arrays: each of the few names converted once and taken per
    # customer (a million Python strings converted one by one took a second)
    out["group"] = _as_str(_named_grid().ravel(), _named_codes(out["r"].to_numpy(), out["fm"].to_numpy()))
    out["group_cn"] = _as_str(_cn8_labels(), _cn8_codes(out["recency_days"].to_numpy(float),
                                                         out["frequency"].to_numpy(float),
                                                         out["monetary"].to_numpy(float)))
    return out


def _as_str(names: np.ndarray, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``names[codes]`` as a "str" array (a missing name stays missing)."""
    return pd.array(names, dtype="str").take(np.asarray(codes, np.int64))


def rfm_frame(agg: pd.DataFrame, ad: pd.Timestamp) -> pd.DataFrame:
    """The RFM table at ``ad`` from :func:`.customers.customer_aggregates`: the customers with a non-return
    line before ad, indexed by customer code, with customer_id, recency_days, frequency, gross, returns,
    first/last purchase, monetary (gross - returns), tenure_days, aov, r, f, m, fm, group and group_cn.

    Parameters
    ----------
    agg : pd.DataFrame
        Customer aggregates (``customer_id``, ``last_purchase``, ``first_purchase``, ``frequency``, ``gross``,
        ``returns``).
    ad : pd.Timestamp
        Analysis date.

    Returns
    -------
    pd.DataFrame
        The RFM table (empty with RFM_COLUMNS when no customer).
    """
    cols = ["customer_id", "recency_days", "frequency", "gross", "returns", "first_purchase", "last_purchase",
            "monetary", "tenure_days", "aov", "r", "f", "m", "fm", "group", "group_cn"]
    a = agg.loc[agg["last_purchase"].notna()]
    if a.empty:
        return pd.DataFrame(columns=RFM_COLUMNS)
    out = pd.DataFrame({
        "customer_id": a["customer_id"].astype("str").array,  # "str" already: no round trip through objects
        "recency_days": (ad - a["last_purchase"]).dt.days.to_numpy(dtype=np.int64),
        "frequency": a["frequency"].to_numpy(dtype=np.int64),
        "gross": a["gross"].to_numpy(float),
        "returns": a["returns"].to_numpy(float),
        "first_purchase": a["first_purchase"].to_numpy(),
        "last_purchase": a["last_purchase"].to_numpy(),
    }, index=a.index)
    out["monetary"] = out["gross"] - out["returns"]
    out["tenure_days"] = (ad - out["first_purchase"]).dt.days.astype(np.int64)
    out["aov"] = out["monetary"] / out["frequency"]
    return score_groups(out)[cols]


def groups_at(agg: pd.DataFrame, before: pd.Timestamp) -> pd.DataFrame:
    """group and group_cn of every customer with a non-return line before ``before`` (the prev_* columns
    of :func:`.customers.customer_aggregates`), indexed by customer code.

    Parameters
    ----------
    agg : pd.DataFrame
        Customer aggregates with the ``prev_*`` columns.
    before : pd.Timestamp
        The earlier date.

    Returns
    -------
    pd.DataFrame
        Columns ``group`` and ``group_cn``.
    """
    a = agg.loc[agg["prev_last_purchase"].notna()]
    if a.empty:
        return pd.DataFrame(columns=["group", "group_cn"])
    out = pd.DataFrame({
        "recency_days": (before - a["prev_last_purchase"]).dt.days.to_numpy(dtype=np.int64),
        "frequency": a["prev_frequency"].to_numpy(dtype=np.int64),
        "monetary": a["prev_gross"].to_numpy(float) - a["prev_returns"].to_numpy(float),
    }, index=a.index)
    return score_groups(out)[["group", "group_cn"]]


def rfm_table(orders, analysis_date=None) -> pd.DataFrame:
    """Per-customer RFM frame: customer_id, recency_days, frequency, monetary, r, f, m, group, group_cn
    (plus gross, returns, first/last purchase, tenure_days, aov, fm). ``orders``: an engine table or a
    canonical frame; analysis date default: the day after the last order line.

    Parameters
    ----------
    orders
        Orders engine table or canonical frame.
    analysis_date
        Analysis date (None: the day after the last order line).

    Returns
    -------
    pd.DataFrame
        One row per customer, the RFM columns first.
    """
    with cu.frame_tables({"orders": orders}) as (tables, _):
        tbl = tables["orders"]
        ad = _as_ts(analysis_date) if analysis_date is not None else cu.analysis_date_of(tbl)
        tab = rfm_frame(cu.customer_aggregates(cu.prepared_lines(tbl), ad), ad)
    first = ["customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "group", "group_cn"]
    return tab[first + [c for c in tab.columns if c not in first]].reset_index(drop=True)


# ---------------------------------------------------------------- groups


def group_table(tab: pd.DataFrame, column: str = "group") -> pd.DataFrame:
    """Per group of ``column`` (in display order, groups without customers left out): customers, share,
    net_sales, net_sales_share, avg_recency, avg_frequency, avg_monetary and small (< SMALL_GROUP).

    Parameters
    ----------
    tab : pd.DataFrame
        RFM table.
    column : str
        ``"group"`` or ``"group_cn"``.

    Returns
    -------
    pd.DataFrame
        One row per group (index ``group``).
    """
    n = len(tab)
    total = float(tab["monetary"].sum())
    g = tab.groupby(column, sort=False)
    df = pd.DataFrame({
        "customers": g.size(),
        "net_sales": g["monetary"].sum(),
        "avg_recency": g["recency_days"].mean(),
        "avg_frequency": g["frequency"].mean(),
        "avg_monetary": g["monetary"].mean(),
    })
    df["share"] = df["customers"] / n if n else np.nan
    df["net_sales_share"] = df["net_sales"] / total if total else np.nan
    df = df.reindex([x for x in group_order(column) if x in df.index])
    df["small"] = df["customers"] < SMALL_GROUP
    df.index.name = "group"
    return df


def group_rows(table: pd.DataFrame, lang: str = "en") -> list[dict]:
    """:func:`group_table` as the page's rows, with the group's display label.

    Parameters
    ----------
    table : pd.DataFrame
        :func:`group_table`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Rows with ``group``, ``label``, ``customers``, ``share``, ``net_sales``, ``net_sales_share``,
        ``avg_recency``, ``avg_frequency``, ``avg_monetary``, ``small``.
    """
    rows = []
    for name, r in table.iterrows():
        rows.append({"group": name, "label": group_label(name, lang), "customers": int(r["customers"]),
                     "share": r["share"], "net_sales": r["net_sales"], "net_sales_share": r["net_sales_share"],
                     "avg_recency": r["avg_recency"], "avg_frequency": r["avg_frequency"],
                     "avg_monetary": r["avg_monetary"], "small": bool(r["small"])})
    return rows


def group_summary(tab: pd.DataFrame, column: str = "group", lang: str = "en") -> list[dict]:
    """Size, share, net-sales share and average R/F/M per group, in the model's group order.

    Parameters
    ----------
    tab : pd.DataFrame
        RFM table.
    column : str
        ``"group"`` or ``"group_cn"``.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        See :func:`group_rows`.
    """
    return group_rows(group_table(tab, column), lang)


def group_means(tab: pd.DataFrame) -> dict:
    """Mean recency (days), frequency and monetary over the customers.

    Parameters
    ----------
    tab : pd.DataFrame
        RFM table.

    Returns
    -------
    dict
        ``recency``, ``frequency``, ``monetary``.
    """
    return {"recency": float(tab["recency_days"].mean()), "frequency": float(tab["frequency"].mean()),
            "monetary": float(tab["monetary"].mean())}


# ---------------------------------------------------------------- transitions


def transitions(now: pd.DataFrame, prev: pd.DataFrame, before: pd.Timestamp, ad: pd.Timestamp,
                compare_days: int, column: str = "group") -> dict:
    """Groups at ``before`` (= ad - compare_days) vs groups at ad, for the customers of ``now``
    (customers not yet acquired then: from = "_new"): rows, columns, matrix, cells, stayed_share,
    new_customers.

    Parameters
    ----------
    now : pd.DataFrame
        RFM table at ``ad`` (indexed by code).
    prev : pd.DataFrame
        Groups at ``before`` (:func:`groups_at`).
    before : pd.Timestamp
        The earlier date.
    ad : pd.Timestamp
        Analysis date.
    compare_days : int
        Days between the two dates.
    column : str
        ``"group"`` or ``"group_cn"``.

    Returns
    -------
    dict
        ``from_date``, ``to_date``, ``compare_days``, ``rows``, ``columns``, ``matrix``, ``cells`` (from, to,
        customers), ``stayed_share``, ``new_customers``.
    """
    frm = prev[column].reindex(now.index).fillna("_new")
    ct = pd.crosstab(frm, now[column])
    order = list(group_order(column))
    rows_order = [x for x in order + ["_new"] if x in ct.index]
    cols_order = [x for x in order if x in ct.columns]
    ct = ct.reindex(index=rows_order, columns=cols_order, fill_value=0)
    cells = [{"from": a, "to": b, "customers": int(ct.loc[a, b])} for a in ct.index for b in ct.columns
             if ct.loc[a, b] > 0]
    known = frm != "_new"
    stayed = float((frm[known] == now.loc[known, column]).mean()) if known.any() else None
    return {"from_date": before.date(), "to_date": ad.date(), "compare_days": int(compare_days),
            "rows": rows_order, "columns": cols_order, "matrix": ct.to_numpy().tolist(), "cells": cells,
            "stayed_share": stayed, "new_customers": int((~known).sum())}


def transition_labels(trans: dict, lang: str = "en") -> dict:
    """Display label of every row and column of a transition matrix.

    Parameters
    ----------
    trans : dict
        :func:`transitions`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        Row or column name -> label.
    """
    return {x: (t("segmentation.label.new_since", lang) if x == "_new" else group_label(x, lang))
            for x in trans["rows"] + trans["columns"]}
