"""Promotion planner: how much to spend, where, when, and what an incentive costs (issue 6, DESIGN.md §4).

* Response model per channel (analytics.mmm): geometric adstock + logistic saturation + trend, yearly
  seasonality and controls, fitted by variable-projection nonlinear least squares; intervals from a
  moving-block residual bootstrap; holdout MAPE / R² on the last ~12% of weeks.
  Source: a media_mix dataset (date, outcome, attr_<spend>), else weekly channel spend (channels) with
  weekly net sales from orders as the outcome (channel revenue when no orders are selected).
* Budget-first (``budget``): the exact optimum of the concave, separable problem under per-channel
  bounds over ``weeks`` weeks in steady state. Goal-first (``target``): the smallest budget reaching the
  target (bisection over the budget-first optimum) and the probability of reaching it (bootstrap draws).
* Pacing: templates spread the plan over dates (蓄水 warm-up, 预热 pre-heat, 爆发 burst, 返场 encore).
* Incentive economics: coupon / 满减 threshold / points -> cost, margin erosion, break-even uplift.
* Feasibility and risks: short history, spend outside the historical range, co-moving channels, targets
  beyond the saturation ceiling, poor holdout fit.

On the engine (issue 13): :func:`fit` builds the model's weekly series in the engine (channel spend per
week and channel, net sales per week from the order lines, channel revenue per week) or materialises the
media-mix table (one row per week or day by nature: the model needs its rows), fits the response model in
Python on those weekly sums, and summarises the orders for the incentive economics (order values, counted
per distinct value in the engine). The result is a :class:`PromotionFit` (no text); :func:`present` plans
on it (budget, goal, pacing, incentive, risks) in one language, so a new budget, target, bound, template or
incentive never refits. :func:`compute` is both.

Modules: base (constants, parameters, tables), lines (engine queries: the weekly series, the orders' values),
fitting (the response model's fit, :class:`PromotionFit`), bounds (channel limits), schedule (pacing), incentives
(incentive economics), calibration (what the ledger did), diagnostics (model table, fit quality, response curves),
risks (risks, feasibility), planning (:func:`plan`, :func:`present`), ceiling (acquisition ceiling, report extra),
helpers (page helpers), plans (saved plans), charts (figures); :func:`compute` lives here.
"""

from __future__ import annotations

import pandas as pd

from analytics.common import NotEnoughData
from data import engine

from .base import (CONSTR_LOW, CONSTR_UP, CORR_LIMIT, GOALS, INCENTIVES, KPI_KINDS, PARAMS, RECENT_WEEKS, TABLES,
                   TABS, TEMPLATES, UI_PARAMS, Z_HI, Z_LO, _defaults)
from .bounds import _lifted, default_weekly_bounds, parse_bounds, plan_bounds
from .calibration import calibration_block
from .ceiling import acquisition_ceiling, report_extra, segmentation_params
from .charts import (_allocation_figures, _contribution_figures, _curve_figures, _fit_figures, _timeline_figures,
                     figures)
from .diagnostics import fit_quality, model_table, response_curve_rows
from .fitting import (PromotionFit, _model_frames, fit, fit_calibrated, fit_model, fit_response, lift_tests,
                      model_data)
from .helpers import fit_ready, model_inputs, store_params
from .incentives import incentive_block, incentive_economics
from .lines import (OrderValues, load_model_data, media_mix_rows, order_values, weekly_channel_spend,
                    weekly_net_sales, weekly_revenue)
from .planning import plan, plan_totals, present
from .plans import PLAN_KIND, compare_plans, plan_payload
from .risks import collinear_pairs, plan_risks
from .schedule import _paced_outcome, pacing

PAGE = "promotion-planner"
KINDS = {"media_mix": False, "channels": False, "orders": False}  # at least one of media_mix / channels
KINDS_ANY = ("media_mix", "channels")  # the page needs one of these (components.page.frame)
FIT_PARAMS = ("spend_cols", "control_cols", "n_boot", "seed", "start", "end", "calibrate", "ledger")
# page helpers whose result has no text: analytics.cached.page_call keeps one result for every language
LANGUAGE_FREE_CALLS = ('model_inputs',)


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """The page's result from canonical frames (registered as engine tables): ``present(fit(...))``.

    Parameters
    ----------
    frames : dict[str, pd.DataFrame]
        Kind -> canonical frame.
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page's result.
    """
    if not any(frames.get(k) is not None for k in ("media_mix", "channels")):
        raise NotEnoughData("promotions.error.no_data")
    tables = engine.tables_from_frames({k: v for k, v in frames.items() if v is not None})
    return present(fit(tables, params), params, lang)
