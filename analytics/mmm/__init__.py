"""Media-mix response model: geometric adstock + logistic saturation, fitted by nonlinear least squares.

Model (one row per week; daily inputs are summed to Monday-based weeks first)
-----------------------------------------------------------------------------
    y_t = b0 + b_trend * t/T + sum_k (s_k sin + c_k cos)(2 pi k doy_t / 365.25)      (k = 1..2, yearly)
          + sum_j g_j control_jt
          + sum_c beta_c * sat(adstock(x_c / max(x_c); alpha_c); lam_c) + e_t

* adstock: geometric carryover with normalised weights w_l = alpha^l / sum_{l<8} alpha^l, l_max = 8,
  alpha in [0, 0.9] (the PyMC-Marketing / Robyn definition; weights sum to 1, so a constant spend s
  stays s in steady state);
* saturation: logistic ``(1 - exp(-lam x)) / (1 + exp(-lam x))`` of spend scaled by its historical
  maximum (concave, saturates at beta_c);
* beta_c >= 0 (media never destroys sales);
* baseline_t = b0 + b_trend t/T + seasonality_t >= 0 on every fitted week (a negative baseline would let
  media take more than the whole outcome); controls are unconstrained. Baseline, controls and channel
  contributions add up to the fitted outcome, and their shares (``base_share``, ``control_share``,
  ``shares``) to fitted / actual, ~100%;
* lam <= 8: a channel is at most ~96% saturated at half its highest spend, so a steady channel cannot turn
  into a constant that stands in for the intercept.

Controls: ``prepare_media_mix(control_cols=None)`` uses the attr_ columns named event* / festival* /
holiday* / promo* (``default_control_cols``); without a festival control, demand peaks that spend is
pushed into are credited to media.

Fitting: variable projection. For given nonlinear parameters (alpha_c, log lam_c) the model is linear in
everything else, solved exactly by least squares (``numpy.linalg.lstsq``); when that breaks beta >= 0 or
baseline >= 0, the inequality-constrained least squares is solved exactly through its least-distance
form with one ``scipy.optimize.nnls`` (Lawson & Hanson 1974, ch. 23). Optional ``ridge`` shrinks each
channel's contribution share towards 0 (off by default: 0.01 already moves the PyMC-Marketing x1 share
from 29.7% to 26.7%, and it barely moves the demo). ``scipy.optimize.least_squares`` (trust
region reflective, bounds) optimises the nonlinear parameters from several seeded starts, with the exact
Jacobian of the projected residuals (``_Problem.jac``, checked against central differences in the tests;
one evaluation instead of 2C extra residuals per step, 3x faster); the best SSE wins. On the PyMC-Marketing example this recovers alpha = (0.40, 0.19) vs the true (0.4, 0.2),
lam = (4.1, 3.3) vs (4, 3), beta = (2.99, 1.97) x 1000 vs (3, 2) x 1000 in 0.1 s.

Uncertainty: moving-block bootstrap of residuals (blocks of 8 weeks keep autocorrelation), each
bootstrap series refitted from the point estimate (seeded). The draws give intervals on contribution
shares, response curves and every planned outcome (parameter uncertainty; not week-to-week noise).

Fit quality: the model is refitted on the first ~88% of weeks and scored on the last ~12% (MAPE, R²).

Planning (steady state): a channel given ``S`` in total over ``W`` weeks spends ``S / W`` each week; with
normalised adstock the carried-over spend equals ``S / W`` in steady state, so the horizon outcome is
``W * beta_c * sat(S / (W * scale_c); lam_c)``. The optimiser maximises the sum over channels under a total
budget and per-channel bounds. The objective is separable and concave, so the KKT conditions are
sufficient: every channel strictly inside its bounds has the same marginal return ``mu``; the spend of a
channel at a given ``mu`` has a closed form (inverse of the logistic derivative), clipped to the bounds,
and ``mu`` is found by bisection so that the spends add up to the budget. This is the exact optimum (not
a local one) and takes well under a millisecond.

Modules: base (constants, adstock, logistic saturation), weekly (the weekly model data from media-mix frames or
channel statistics and orders), curves (steady-state response curves), problem (the least squares: design,
calibration rows, variable projection, exact constrained solve), fit (:class:`MMMFit`, :func:`fit_mmm`, the
baseline of planned weeks), calibration (lift tests, :func:`fit_calibrated`) and optimiser (budget allocation,
ceiling, smallest budget for a target).
"""

from __future__ import annotations

from .base import (ALPHA_MAX, BLOCK, BOOT_MAX_NFEV, BOOT_TOL, FOURIER_K, HOLDOUT_FRAC, L_MAX, LAM_MAX, LAM_MIN,
                   MIN_WEEKS_FIT, MIN_WEEKS_SEASON, RIDGE, adstock, logistic_saturation, logistic_saturation_deriv)
from .calibration import STRENGTHEN, fit_calibrated, model_lift, residual_sigma
from .curves import Curves
from .fit import MMMFit, baseline_weekly, fit_mmm
from .optimiser import _bisect, _spend_at_mu, max_outcome, min_budget_for, optimise
from .problem import CalRows, LiftTest, _base_matrix, _fourier, _lsi, _Problem, _starts, cal_rows
from .weekly import (CONTROL_PREFIXES, NO_EVENT, MMMData, _col, _indicator_controls, _is_sub_weekly, _label,
                     _layout, _to_weekly, default_control_cols, default_spend_cols, from_weekly, net_sales_weekly,
                     prepare_from_channels, prepare_media_mix)

__all__ = [
    # constants
    "L_MAX", "ALPHA_MAX", "LAM_MIN", "LAM_MAX", "FOURIER_K", "MIN_WEEKS_FIT", "MIN_WEEKS_SEASON", "BLOCK",
    "HOLDOUT_FRAC", "BOOT_TOL", "BOOT_MAX_NFEV", "RIDGE", "CONTROL_PREFIXES", "NO_EVENT", "STRENGTHEN",
    # transforms
    "adstock", "logistic_saturation", "logistic_saturation_deriv",
    # weekly data
    "MMMData", "default_spend_cols", "default_control_cols", "prepare_media_mix", "net_sales_weekly",
    "prepare_from_channels", "from_weekly",
    # fit and calibration
    "Curves", "MMMFit", "LiftTest", "CalRows", "cal_rows", "fit_mmm", "model_lift", "residual_sigma",
    "fit_calibrated", "baseline_weekly",
    # optimiser
    "optimise", "max_outcome", "min_budget_for",
    # private names tests reach for
    "_base_matrix", "_Problem",
]
