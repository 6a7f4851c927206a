"""The acquisition ceiling of the planner's channels (:func:`analytics.acquisition.ceiling`) against the
Segmentation explorer's CLV fit, and what the headless report adds to the page result (:func:`report_extra`)."""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir
import pandas as pd

from analytics import mmm
from analytics.channel_names import display_names
from analytics.common import NotEnoughData, jsonable
from analytics.i18n import t

from .base import _defaults
from .lines import load_model_data


def acquisition_ceiling(model_data: mmm.MMMData, seg: Any, first: pd.DataFrame | None, params: dict,
                        lang: str = "en", *, orders: bool = True) -> dict:
    """The acquisition ceiling (:func:`analytics.acquisition.ceiling`) of the planner's weekly spend
    ``model_data`` against the Segmentation explorer's fit ``seg`` (its CLV model and customers; None: no
    CLV model) and the orders' first purchases ``first`` (:func:`analytics.acquisition.first_purchases`);
    ``orders``: whether the page has an orders dataset at all.

    Parameters
    ----------
    model_data : mmm.MMMData
        The planner's model data: ``dates`` (week starts), ``X`` (spend, weeks x channels), ``channels``.
    seg : Any
        The Segmentation explorer's fit (``clv``, ``customers`` with ``clv`` and its ``model_column``), or
        None. Its segments are the customers' model column (named groups translated into ``lang``).
    first : pd.DataFrame | None
        Columns ``channel``, ``day``, ``buyers``, ``value``; None when the orders have no channel column.
    params : dict
        The page's parameters (``ceiling_margin``, default 0.4).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    orders : bool
        Whether the page has an orders dataset (False: status ``"no_orders"`` and a warning, nothing computed).

    Returns
    -------
    dict
        :func:`analytics.acquisition.ceiling`, made JSON-safe.
    """
    from analytics import acquisition

    p = _defaults(params)
    margin = float(p.get("ceiling_margin") or 0.4)
    names = display_names(list(model_data.channels), lang)
    if not orders:
        return jsonable({"status": "no_orders", "margin": margin, "segments": [], "channels": [], "findings": [],
                         "warnings": [t("promotions.ceiling.no_orders", lang)]})
    segments = None
    if seg is not None and seg.clv is not None and "clv" in seg.customers.columns:
        from analytics.segmentation.base import slug

        names_ = seg.customers[seg.model_column].astype(str)
        if seg.model_column == "group":  # named groups in the language (the cn8 labels are Chinese by name)
            names_ = names_.map(lambda g: t(f"segmentation.group.{slug(g)}", lang))
        segments = pd.DataFrame({"segment": names_.to_numpy(),
                                 "clv": seg.customers["clv"].to_numpy(float)})
    return jsonable(acquisition.ceiling(segments=segments, clv=seg.clv if seg is not None else None, first=first, dates=list(model_data.dates),
                                        X=model_data.X, channels=list(model_data.channels), names=names,
                                        margin=margin, lang=lang))


def segmentation_params(params: dict) -> dict:
    """The Segmentation explorer's fit parameters for the planner's date range (its defaults otherwise), so
    the page reads the very fit the Segmentation page caches for that range.

    Parameters
    ----------
    params : dict
        The planner's parameters (only ``start`` and ``end`` are read).

    Returns
    -------
    dict
        The Segmentation explorer's resolved fit parameters.
    """
    from analytics import segmentation
    from analytics.inputs import fit_params
    from analytics.params import resolve

    return fit_params(segmentation, resolve(segmentation.PARAMS, {"start": params.get("start"), "end": params.get("end")}))


def report_extra(tables: dict[str, ir.Table], params: dict, lang: str = "en") -> dict:
    """What the headless report adds to the page result: ``acquisition_ceiling`` (the page shows the same
    from the cached Segmentation fit; here, one run, the segmentation is fitted once).

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table (``orders`` feeds the segmentation and the first purchases).
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        ``{"acquisition_ceiling": ...}`` (:func:`acquisition_ceiling`); {} when there is not enough data for
        the response model.
    """
    from analytics import acquisition, segmentation
    from analytics.common import AnalyticsError

    p = _defaults(params)
    try:
        data = load_model_data(tables, p)
    except NotEnoughData:
        return {}
    orders = tables.get("orders")
    seg = first = None
    if orders is not None:
        try:
            seg = segmentation.fit({"orders": orders}, segmentation_params(p))
        except AnalyticsError:
            seg = None
        first = acquisition.first_purchases(orders)
    return {"acquisition_ceiling": acquisition_ceiling(data, seg, first, p, lang, orders=orders is not None)}
