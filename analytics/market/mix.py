"""Mix (net sales per category / channel / region, against a comparison) and Pareto concentration, from the
aggregates the engine returned (:func:`analytics.market.kpis.value_nets`,
:func:`analytics.market.kpis.order_counts`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics.i18n import t
from analytics.market.constants import MIX_TOP


def change(cur: float | None, base: float | None) -> float | None:
    """Relative change of ``cur`` against ``base`` (None when the base is missing, 0 or not finite).

    Parameters
    ----------
    cur : float | None
        Current value, or None.
    base : float | None
        Base value, or None.

    Returns
    -------
    float | None
        ``(cur - base) / |base|``, or None.
    """
    if cur is None or base is None or base == 0 or not np.isfinite(base):
        return None
    return (cur - base) / abs(base)


def ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """Dimension values in the order the data first shows them (missing last).

    Parameters
    ----------
    frame : pd.DataFrame
        Mix frame with ``value`` and ``rank``.

    Returns
    -------
    pd.DataFrame
        The frame sorted by rank, missing values last.
    """
    rank = frame["rank"].where(frame["value"].notna(), np.iinfo(np.int64).max)
    return frame.assign(_r=rank.to_numpy(dtype=np.int64)).sort_values("_r", kind="stable").drop(columns="_r")


def has_ties(frame: pd.DataFrame, cur: str, base: str | None) -> bool:
    """Whether two kept values share the same net sales in ``cur`` (then their order is the data's).

    Parameters
    ----------
    frame : pd.DataFrame
        Mix frame with one net sales column per window.
    cur : str
        The current window's column.
    base : str | None
        The base window's column, or None.

    Returns
    -------
    bool
        True when two values with sales share the same current net sales.
    """
    cv = frame[cur].to_numpy(dtype=float)
    keep = cv != 0
    if base is not None:
        keep |= frame[base].to_numpy(dtype=float) != 0
    v = cv[keep]
    return bool(v.size != np.unique(v).size)


def shown(dim: str, value: str, lang: str) -> str:
    """A mix value as the page shows it: a channel under its platform's usual name in ``lang`` ("Douyin" ->
    "抖音", analytics.channel_names), other values (and the pooled "Other" / "(not set)") as they are. Display
    only: filters and tables keep the stored value.

    Parameters
    ----------
    dim : str
        The dimension (``category``, ``channel``, ``region``).
    value : str
        The value as stored (or a pooled label of :func:`mix_rows`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The text to show.
    """
    if dim != "channel" or value in (t("market.label.other", lang), t("market.label.missing", lang)):
        return value
    from analytics.channel_names import channel_label

    return channel_label(value, lang)


def shown_all(dim: str, values: list, lang: str) -> list:
    """:func:`shown` of each value, made unique for a chart's categories: two stored channel names that read
    the same ("Douyin" and "抖音") keep their stored name in brackets (analytics.channel_names.channel_labels).

    Parameters
    ----------
    dim : str
        The dimension (``category``, ``channel``, ``region``).
    values : list
        The values as stored (or pooled labels), in the chart's order.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list
        The texts to show.
    """
    from analytics.channel_names import channel_labels

    pooled = (t("market.label.other", lang), t("market.label.missing", lang))
    if dim != "channel":
        return list(values)
    labels = channel_labels([v for v in values if v not in pooled], lang)
    it = iter(labels)
    return [v if v in pooled else next(it) for v in values]


def top_value(rows: list[dict]) -> dict:
    """The mix row with the largest share among the named values: the pooled "Other" row (the values past
    MIX_TOP, last when present) is not a value of its own, so it never leads the mix.

    Parameters
    ----------
    rows : list[dict]
        Rows of :func:`mix_rows` (not empty).

    Returns
    -------
    dict
        The leading row.
    """
    named = rows[:MIX_TOP] or rows
    return max(named, key=lambda r: r["share"] or 0)


def mix_rows(frame: pd.DataFrame | None, cur: str, base: str | None, lang: str) -> list[dict] | None:
    """Rows of the mix table: the MIX_TOP largest values by net sales in window ``cur`` (then "Other"), each
    with its share and, against window ``base``, base net sales and share, share change, growth and
    contribution to the total change. ``frame``: value, rank and one net sales column per window.

    Parameters
    ----------
    frame : pd.DataFrame | None
        Columns ``value``, ``rank`` and one net sales column per window, or None.
    cur : str
        The current window's column.
    base : str | None
        The base window's column, or None (then no comparison columns).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict] | None
        Rows with ``value``, ``net_sales``, ``share`` and, with a base, ``base_net_sales``, ``base_share``,
        ``share_change``, ``growth``, ``contribution``; None when ``frame`` is None.
    """
    if frame is None:
        return None
    frame = ordered(frame)
    labels = [t("market.label.missing", lang) if v is None or v != v else str(v) for v in frame["value"]]
    cv = frame[cur].to_numpy(dtype=float)
    bv = frame[base].to_numpy(dtype=float) if base is not None else None
    order = np.argsort(-cv, kind="stable")
    order = [i for i in order if cv[i] != 0 or (bv is not None and bv[i] != 0)]
    top, rest = order[:MIX_TOP], order[MIX_TOP:]
    ct, bt = cv.sum(), (bv.sum() if bv is not None else None)
    rows = []

    def row(label, c, b):
        r = {"value": str(label), "net_sales": float(c), "share": float(c / ct) if ct else None}
        if bv is not None:
            r["base_net_sales"] = float(b)
            r["base_share"] = float(b / bt) if bt else None
            r["share_change"] = (r["share"] - r["base_share"]) if r["share"] is not None and r["base_share"] is not None else None
            r["growth"] = change(float(c), float(b))
            d = ct - bt
            r["contribution"] = float((c - b) / d) if d else None
        return r

    for i in top:
        rows.append(row(labels[i], cv[i], bv[i] if bv is not None else 0.0))
    if rest:
        rows.append(row(t("market.label.other", lang), cv[rest].sum(), bv[rest].sum() if bv is not None else 0.0))
    return rows


def pareto(values: np.ndarray, share: float = 0.2, points: int = 50) -> dict:
    """Share of the total from the top ceil(share x n) items (by value, descending) and the curve.

    Parameters
    ----------
    values : np.ndarray
        Net sales per item.
    share : float
        Share of the items at the top (0.2: the top 20%).
    points : int
        Most points on the curve.

    Returns
    -------
    dict
        ``n``, ``top_n``, ``top_share`` (None when no item or no positive total) and ``curve``
        (``items_share``, ``sales_share``).
    """
    values = np.asarray(values, dtype=float)
    n = int(values.size)
    total = float(values.sum())
    if n == 0 or total <= 0:
        return {"n": n, "top_share": None, "curve": []}
    v = np.sort(values)[::-1]
    k = int(math.ceil(share * n))
    cum = np.cumsum(v) / total
    at = np.unique(np.linspace(1, n, min(points, n)).round().astype(int))
    curve = [{"items_share": float(i / n), "sales_share": float(cum[i - 1])} for i in at]
    return {"n": n, "top_n": k, "top_share": float(cum[k - 1]), "curve": curve}


def pareto_block(products: np.ndarray | None, customers: np.ndarray, product_key: str | None) -> dict:
    """The page's Pareto block from net sales per product (None: no product column) and per customer.

    Parameters
    ----------
    products : np.ndarray | None
        Net sales per product, or None.
    customers : np.ndarray
        Net sales per customer.
    product_key : str | None
        The column products are counted by, or None.

    Returns
    -------
    dict
        ``top_20pct_products_share``, ``top_20pct_customers_share``, ``product_key``, ``products``,
        ``products_curve``, ``customers``, ``customers_curve``.
    """
    par: dict = {"top_20pct_products_share": None, "top_20pct_customers_share": None, "product_key": product_key}
    if products is not None:
        pp = pareto(products)
        par.update(top_20pct_products_share=pp["top_share"], products=pp["n"], products_curve=pp["curve"])
    cp = pareto(customers)
    par.update(top_20pct_customers_share=cp["top_share"], customers=cp["n"], customers_curve=cp["curve"])
    return par
