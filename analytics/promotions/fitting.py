"""The response model's fit: the weekly model data checked, the incrementality ledger's entries as lift
tests, the (calibrated) fit, and :class:`PromotionFit` (no text), which every plan is made from."""

from __future__ import annotations

from dataclasses import dataclass

import ibis.expr.types as ir
import pandas as pd

from analytics import ledger, mmm
from analytics.common import NotEnoughData
from data import engine

from .base import _defaults
from .lines import OrderValues, load_model_data, order_values


def fit_response(tables: dict[str, ir.Table], params: dict) -> mmm.MMMFit:
    """The fitted response model on the engine tables (the expensive part), calibrated on the ledger
    entries of ``params["ledger"]`` when ``calibrate`` is on (:func:`fit_calibrated`).

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table.
    params : dict
        The page's parameters.

    Returns
    -------
    mmm.MMMFit
        The fitted model.
    """
    return fit_calibrated(tables, params)[0]


def model_data(tables: dict[str, ir.Table], p: dict) -> mmm.MMMData:
    """The weekly model data, refused when it has no spend channel or too short a history.

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table.
    p : dict
        The page's parameters.

    Returns
    -------
    mmm.MMMData
        The weekly model data.
    """
    data = load_model_data(tables, p)
    if len(data.channels) == 0:
        raise NotEnoughData("promotions.error.no_spend")
    if len(data.y) < mmm.MIN_WEEKS_FIT:
        raise NotEnoughData("promotions.error.short_history", weeks=len(data.y), need=mmm.MIN_WEEKS_FIT)
    return data


def lift_tests(entries: list[dict], channels: list[str]) -> tuple[list[mmm.LiftTest], list[dict], list[dict]]:
    """The ledger entries as the model's lift tests (those whose channel is one of the model's), with the
    entries used (each with its channel index ``index``) and those whose channel the model does not have.

    Parameters
    ----------
    entries : list[dict]
        Ledger entries.
    channels : list[str]
        The model's channels.

    Returns
    -------
    tuple[list[mmm.LiftTest], list[dict], list[dict]]
        The lift tests, the entries used and the entries not matched.
    """
    tests, used, unmatched = [], [], []
    for e in entries:
        i = ledger.match_channel(str(e.get("channel") or ""), channels)
        try:
            t = mmm.LiftTest(channel=int(i), spend=float(e["spend"]), weeks=ledger.weeks(e), lift=float(e["lift"]),
                             low=float(e["low"]), high=float(e["high"])) if i is not None else None
        except (KeyError, TypeError, ValueError):
            t = None
        if t is None or not t.spend > 0:
            unmatched.append(e)
            continue
        tests.append(t)
        used.append({**e, "index": int(i)})
    return tests, used, unmatched


def fit_calibrated(tables: dict[str, ir.Table], params: dict) -> tuple[mmm.MMMFit, mmm.MMMFit | None, tuple, tuple,
                                                                      float]:
    """(model, uncalibrated model or None, ledger entries used, entries whose channel the model lacks,
    weight multiplier the entries needed). Without entries (or ``calibrate`` off) the model is fitted as
    before and the uncalibrated model is None.

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table.
    params : dict
        The page's parameters (``ledger``, ``calibrate``, ``n_boot``, ``seed``).

    Returns
    -------
    tuple[mmm.MMMFit, mmm.MMMFit | None, tuple, tuple, float]
        The five values above.
    """
    p = _defaults(params)
    data = model_data(tables, p)
    entries = ledger.from_fit_value(p.get("ledger")) if p.get("calibrate", True) else []
    tests, used, unmatched = lift_tests(entries, list(data.channels))
    if not tests:
        return mmm.fit_mmm(data, n_boot=int(p["n_boot"]), seed=int(p["seed"])), None, (), tuple(unmatched), 0.0
    model, before, mult = mmm.fit_calibrated(data, tests, n_boot=int(p["n_boot"]), seed=int(p["seed"]))
    return model, before, tuple(used), tuple(unmatched), mult


def _model_frames(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The frames the model is fitted on: the media mix when selected, else channels (+ orders)."""
    if frames.get("media_mix") is not None and not frames["media_mix"].empty:
        return {"media_mix": frames["media_mix"]}
    return {k: frames[k] for k in ("channels", "orders") if frames.get(k) is not None}


def fit_model(frames: dict[str, pd.DataFrame], params: dict) -> mmm.MMMFit:
    """The fitted response model from canonical frames (registered as engine tables); re-plan it with
    :func:`plan`.

    Parameters
    ----------
    frames : dict[str, pd.DataFrame]
        Kind -> canonical frame.
    params : dict
        The page's parameters.

    Returns
    -------
    mmm.MMMFit
        The fitted model.
    """
    return fit_response(engine.tables_from_frames(_model_frames(frames)), params)


@dataclass(frozen=True)
class PromotionFit:
    """The promotion planner's fit (language-free): the response model and the orders' values; every plan
    (budget, goal, bounds, pacing, incentive) is made from it by :func:`present` without refitting. Shared
    between sessions and languages: treat it as read-only.

    Attributes
    ----------
    model : analytics.mmm.MMMFit
        The fitted response model: the weekly data it was fitted on (``model.data``: dates, outcome, spend
        per channel, controls, source), carryover, saturation and effect per channel, fitted values,
        contributions, holdout scores and bootstrap draws.
    order_values : OrderValues or None
        The selected orders' values in the date window (AOV, orders per week, share over a threshold);
        None without orders.
    uncalibrated : analytics.mmm.MMMFit or None
        The model fitted without the ledger entries (point estimate) when ``model`` was calibrated on some;
        None otherwise.
    ledger_used, ledger_unmatched : tuple of dict
        The incrementality ledger entries the model was calibrated on (each with ``index``, its channel's
        position in the model) and those whose channel the model does not have.
    ledger_weight : float
        The weight multiplier the entries needed to bring every calibrated lift inside its interval
        (1 = the measurements' own precision; :func:`analytics.mmm.fit_calibrated`).
    """

    model: mmm.MMMFit
    order_values: OrderValues | None = None
    uncalibrated: mmm.MMMFit | None = None
    ledger_used: tuple = ()
    ledger_unmatched: tuple = ()
    ledger_weight: float = 0.0


def fit(tables: dict[str, ir.Table], params: dict) -> PromotionFit:
    """Fit the response model on the engine tables (``tables``: media_mix, or channels with optional
    orders) and summarise the orders' values. Raises ``NotEnoughData`` when there is nothing to model.

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table.
    params : dict
        The page's parameters.

    Returns
    -------
    PromotionFit
        The model, the uncalibrated model, the ledger entries used and not matched, their weight and the
        orders' values.
    """
    if not any(tables.get(k) is not None for k in ("media_mix", "channels")):
        raise NotEnoughData("promotions.error.no_data")
    p = _defaults(params)
    model, before, used, unmatched, mult = fit_calibrated(tables, p)
    orders = tables.get("orders")
    ov = order_values(orders, p.get("start"), p.get("end")) if orders is not None else None
    return PromotionFit(model=model, order_values=ov, uncalibrated=before, ledger_used=used,
                        ledger_unmatched=unmatched, ledger_weight=mult)
