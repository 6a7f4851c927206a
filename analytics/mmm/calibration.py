"""Calibration on lift tests: the model's lift of a test's spend, the residual scale and
:func:`fit_calibrated` (the tests as extra observations of the least squares, weighted up until every
lift lies in its interval)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .base import logistic_saturation
from .fit import MMMFit, fit_mmm
from .problem import LiftTest
from .weekly import MMMData


def model_lift(fit: MMMFit, test: LiftTest) -> float:
    """The fitted model's incremental outcome of the test's spend over the test's weeks (steady state, as
    the planner plans): ``weeks x beta_c x sat(spend / weeks / scale_c; lam_c)``.

    Parameters
    ----------
    fit : MMMFit
        The fitted model.
    test : LiftTest
        The lift test.

    Returns
    -------
    float
        The model's lift.
    """
    c = test.channel
    return float(test.weeks * fit.beta[c] * logistic_saturation(test.spend / test.weeks / fit.scale[c], fit.lam[c]))


def residual_sigma(fit: MMMFit) -> float:
    """The residual standard deviation of the weekly outcome in the fit's scaled units (SSE over the
    degrees of freedom left by the linear coefficients and the 2 nonlinear parameters per channel).

    Parameters
    ----------
    fit : MMMFit
        The fitted model.

    Returns
    -------
    float
        The residual standard deviation.
    """
    n = len(fit.data.y)
    k = len(fit.coef) + 2 * len(fit.data.channels)
    sse = float(np.sum(((fit.data.y - fit.fitted) / fit.y_scale) ** 2))
    return float(np.sqrt(sse / max(n - k, 1)))


STRENGTHEN = (1.0, 10.0, 100.0, 1000.0)  # weights tried, in order, until every test's lift is in its interval


def fit_calibrated(data: MMMData, tests: Sequence[LiftTest], *, n_boot: int = 200, seed: int = 0,
                   **kw) -> tuple[MMMFit, MMMFit, float]:
    """The model calibrated on lift tests, the uncalibrated model (point estimate, no bootstrap) and the
    weight the tests needed.

    Each test is one more observation of the least squares, ``(model lift - measured lift) / se`` with
    se from the test's 95% interval, on the same footing as a week of data (residuals in units of the
    weekly residual standard deviation of the uncalibrated fit): the Gaussian likelihood of the experiment
    added to the model's, i.e. the measured lift acts as a prior on the channel's response at the tested
    spend (Meridian's ROI priors calibrated on experiments; Robyn's ``calibration_input``, which adds the
    lift tests' error as an objective beside the fit's). When the combined fit still leaves a test's lift
    outside its interval (the data pull hard the other way), the tests' weight is raised (x10, x100,
    x1000) until every lift is inside, so the calibrated curve honours the experiment's interval.

    Parameters
    ----------
    data : MMMData
        The weekly model data.
    tests : Sequence[LiftTest]
        The lift tests.
    n_boot : int
        Bootstrap draws of the final fit.
    seed : int
        Random seed.
    **kw
        Passed on to :func:`fit_mmm`.

    Returns
    -------
    tuple[MMMFit, MMMFit, float]
        The calibrated fit, the uncalibrated fit and the weight multiplier (0 without tests).
    """
    base = fit_mmm(data, n_boot=0, seed=seed, **kw)
    if not tests:
        return base, base, 0.0
    sigma = residual_sigma(base)
    chosen = STRENGTHEN[-1]
    for mult in STRENGTHEN:
        trial = [LiftTest(**{**t.__dict__, "weight": t.weight * mult}) for t in tests]
        cal = fit_mmm(data, n_boot=0, seed=seed, lift_tests=trial, sigma=sigma, **kw)
        if all(t.low - 1e-9 * abs(t.low) <= model_lift(cal, t) <= t.high + 1e-9 * abs(t.high) for t in tests):
            chosen = mult
            break
    trial = [LiftTest(**{**t.__dict__, "weight": t.weight * chosen}) for t in tests]
    final = fit_mmm(data, n_boot=n_boot, seed=seed, lift_tests=trial, sigma=sigma, **kw)
    return final, base, chosen
