"""Response model (adstock + saturation) and budget optimiser: ground truth recovery and optimiser properties."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from analytics import mmm
from tests.fixtures import mmm_example_media_mix

# Ground truth, tests/data/pymc_marketing_mmm_example/SOURCE.md
TRUE_SHARE = {"x1": 0.2905, "x2": 0.0697}
TRUE_ALPHA = {"x1": 0.4, "x2": 0.2}
TRUE_LAM = {"x1": 4.0, "x2": 3.0}
TRUE_PER_UNIT = {"x1": 4967.8, "x2": 2274.9}


@pytest.fixture(scope="module")
def example():
    return mmm_example_media_mix()


@pytest.fixture(scope="module")
def fitted(example):
    data = mmm.prepare_media_mix(example, ["x1", "x2"], ["event_1", "event_2"])
    return mmm.fit_mmm(data, n_boot=100, seed=0), None


def test_default_spend_columns_of_the_example(example):
    assert mmm.default_spend_cols(example.columns) == ["attr_x1", "attr_x2"]
    assert mmm.default_spend_cols(["attr_cost_tv", "attr_消耗", "attr_event_1", "attr_t", "outcome"]) == [
        "attr_cost_tv", "attr_消耗"]


def test_adstock_equals_a_convolution_with_normalised_weights():
    x = np.random.default_rng(3).uniform(size=40)
    for a in (0.0, 0.3, 0.8):
        w = a ** np.arange(8) / np.sum(a ** np.arange(8))
        expected = np.convolve(x, w)[: len(x)]
        np.testing.assert_allclose(mmm.adstock(x, a), expected, rtol=1e-12)
    s = np.linspace(0, 2, 9)
    np.testing.assert_allclose(mmm.logistic_saturation(s, 4.0), (1 - np.exp(-4 * s)) / (1 + np.exp(-4 * s)))


@pytest.mark.parametrize("ridge", [0.0, 0.05])
def test_analytic_jacobian_equals_central_differences(ridge):
    """The exact Jacobian handed to least_squares, against central differences of the residuals, at random
    points of the bounds: with and without active constraints (baseline >= 0, beta >= 0) and the ridge."""
    rng = np.random.default_rng(11)
    n, C = 60, 3
    dates = pd.date_range("2024-01-01", periods=n, freq="7D")
    X = rng.gamma(2.0, 1.0, (n, C)) * (rng.random((n, C)) < 0.8)
    base, _ = mmm._base_matrix(dates, np.arange(n) / (n - 1), np.zeros((n, 0)), True)
    prob = mmm._Problem(base, X / X.max(axis=0), mmm.L_MAX, base.shape[1], ridge)
    lo, hi = prob.bounds()
    seen_constrained = seen_free = 0
    for trial in range(12):
        th = lo + (hi - lo) * rng.uniform(0.05, 0.95, len(lo))
        # an outcome the unconstrained fit can follow, or one with a dip that drives the baseline below 0
        y = 1.0 + 0.5 * prob.media(th) @ rng.uniform(0, 1, C) + rng.normal(0, 0.05, n)
        if trial % 2:
            y[20:30] -= 3.0
        D = prob.design(th)
        b = prob.solve(D, y)
        active = (prob.G @ b <= 1e-9).any()
        seen_constrained += active
        seen_free += not active
        J = prob.jac(th, y)
        h = 1e-6
        Jn = np.column_stack([(prob.resid(th + h * e, y) - prob.resid(th - h * e, y)) / (2 * h)
                              for e in np.eye(len(th))])
        np.testing.assert_allclose(J, Jn, atol=1e-6 * max(1.0, np.abs(Jn).max()))
    assert seen_constrained and seen_free


def test_recovers_documented_contribution_shares_and_carryover(fitted):
    fit, seconds = fitted
    assert fit.data.channels == ["x1", "x2"]
    shares = dict(zip(fit.data.channels, fit.shares))
    for c in ("x1", "x2"):
        assert abs(shares[c] - TRUE_SHARE[c]) < 0.05, (c, shares[c])
    alpha = dict(zip(fit.data.channels, fit.alpha))
    assert alpha["x1"] > alpha["x2"]
    for c in ("x1", "x2"):
        assert abs(alpha[c] - TRUE_ALPHA[c]) < 0.1, (c, alpha[c])
        # the bootstrap interval of the share covers the truth
        lo, hi = np.percentile(fit.draws_share[:, fit.data.channels.index(c)], [2.5, 97.5])
        assert lo <= shares[c] <= hi
    lam = dict(zip(fit.data.channels, fit.lam))
    assert abs(lam["x1"] - TRUE_LAM["x1"]) < 1.0 and abs(lam["x2"] - TRUE_LAM["x2"]) < 1.0
    per_unit = fit.contributions.sum(axis=0) / fit.data.X.sum(axis=0)
    for i, c in enumerate(fit.data.channels):
        assert abs(per_unit[i] / TRUE_PER_UNIT[c] - 1) < 0.1


def test_fit_quality_is_reported_on_a_holdout(fitted):
    fit, _ = fitted
    h = fit.holdout
    assert h["weeks"] == round(179 * mmm.HOLDOUT_FRAC)
    act, pred = np.array(h["actual"]), np.array(h["predicted"])
    np.testing.assert_allclose(act, fit.data.y[-h["weeks"]:])
    assert h["mape"] == pytest.approx(np.mean(np.abs(act - pred) / act))
    assert h["mape"] < 0.1 and h["r2"] > 0.8
    # fitted + residual reproduce the outcome; parts add up to the fit
    parts = fit.base_part + fit.control_part + fit.contributions.sum(axis=1)
    np.testing.assert_allclose(parts, fit.fitted, rtol=1e-9)


def _curves(beta, lam, scale, draws=0, seed=0):
    c = mmm.Curves([f"c{i}" for i in range(len(beta))], np.asarray(beta, float), np.asarray(lam, float),
                   np.asarray(scale, float))
    if draws:
        rng = np.random.default_rng(seed)
        c.draws_beta = c.beta * rng.lognormal(0, 0.1, (draws, len(beta)))
        c.draws_lam = c.lam * rng.lognormal(0, 0.1, (draws, len(beta)))
    return c


def test_allocation_sums_to_budget_and_respects_bounds():
    rng = np.random.default_rng(7)
    for _ in range(50):
        C = int(rng.integers(2, 6))
        cur = _curves(rng.uniform(100, 1000, C), rng.uniform(0.5, 6, C), rng.uniform(1, 50, C))
        lo = rng.uniform(0, 20, C)
        hi = lo + rng.uniform(5, 200, C)
        hi[rng.random(C) < 0.3] = np.inf
        budget = float(rng.uniform(lo.sum() + 1, lo.sum() + 300))
        if np.isfinite(hi).all():
            budget = min(budget, hi.sum() - 1e-6)
        res = mmm.optimise(cur, budget, 4, lo, hi)
        assert res["status"] == "ok"
        assert res["spend"].sum() == pytest.approx(budget, rel=1e-9)
        assert (res["spend"] >= lo - 1e-9).all() and (res["spend"] <= hi + 1e-9).all()
        # no better feasible point: SLSQP from the equal split does not beat the exact optimum
        f = lambda s: -cur.horizon(s, 4).sum()  # noqa: E731
        x0 = np.clip(np.full(C, budget / C), lo, np.where(np.isfinite(hi), hi, budget))
        x0 = x0 * budget / x0.sum()
        sl = minimize(f, x0, method="SLSQP", bounds=list(zip(lo, np.where(np.isfinite(hi), hi, None))),
                      constraints=[{"type": "eq", "fun": lambda s: s.sum() - budget}])
        assert -sl.fun <= res["outcome"].sum() * (1 + 1e-7)


def test_identical_channels_split_equally():
    cur = _curves([500] * 3, [3.0] * 3, [10.0] * 3)
    res = mmm.optimise(cur, 90.0, 4)
    np.testing.assert_allclose(res["spend"], [30, 30, 30], rtol=1e-9)


def test_outcome_never_falls_as_budget_grows():
    cur = _curves([800, 300, 500], [2.0, 5.0, 1.0], [20.0, 5.0, 40.0])
    outs = [mmm.optimise(cur, b, 4, upper=np.array([100, np.inf, 150]))["outcome"].sum() for b in np.linspace(0, 600, 121)]
    assert np.all(np.diff(outs) >= -1e-9)


def test_equal_marginal_returns_at_an_interior_optimum():
    cur = _curves([800, 300, 500], [2.0, 5.0, 1.0], [20.0, 5.0, 40.0])
    res = mmm.optimise(cur, 200.0, 4, lower=np.array([0, 0, 0]), upper=np.array([np.inf, np.inf, 10.0]))
    s, m = res["spend"], res["marginal"]
    inside = (s > 1e-9) & (s < np.array([np.inf, np.inf, 10.0]) - 1e-9)
    assert inside.sum() >= 2
    assert np.ptp(m[inside]) / m[inside].mean() < 1e-6
    # a channel held at its cap has a higher marginal return than the common level
    assert s[2] == pytest.approx(10.0) and m[2] > m[inside].max()
    # numerical derivative agrees with the analytic marginal
    eps = 1e-4
    num = (cur.horizon(s + eps, 4) - cur.horizon(s - eps, 4)) / (2 * eps)
    np.testing.assert_allclose(num, m, rtol=1e-5)


def test_goal_first_returns_the_smallest_budget_reaching_the_target():
    cur = _curves([800, 300, 500], [2.0, 5.0, 1.0], [20.0, 5.0, 40.0])
    target = 3000.0
    g = mmm.min_budget_for(cur, target, 4)
    assert g["reachable"]
    assert mmm.optimise(cur, g["budget"], 4)["outcome"].sum() >= target - 1e-6
    assert mmm.optimise(cur, g["budget"] * 0.999, 4)["outcome"].sum() < target
    # with a baseline: total outcome target
    g2 = mmm.min_budget_for(cur, target + 1000, 4, kind="outcome", baseline=1000.0)
    assert g2["budget"] == pytest.approx(g["budget"], rel=1e-6)
    # beyond the ceiling: unreachable
    g3 = mmm.min_budget_for(cur, 4 * 1600 + 1, 4)
    assert not g3["reachable"] and g3["ceiling"] < 4 * 1600 + 1
    # ROI goal: the largest budget whose ROI still meets the target
    g4 = mmm.min_budget_for(cur, 5.0, 4, kind="roi")
    b = g4["budget"]
    out = mmm.optimise(cur, b, 4)["outcome"].sum()
    assert (out - b) / b == pytest.approx(5.0, rel=1e-5)


def test_reoptimising_a_fitted_model_reuses_its_curves(fitted):
    fit, _ = fitted
    cur = fit.curves
    for b in (1.0, 2.0, 5.0, 10.0):
        res = mmm.optimise(cur, b, 4)
        assert res["spend"].sum() == pytest.approx(b)
    g = mmm.min_budget_for(cur, 10000.0, 4)
    assert g["reachable"]
    draws = cur.horizon_draws(res["spend"], 4)
    assert draws.shape == (100, 2)


def test_demo_media_mix_gives_a_plausible_fit_and_plan():
    """The demo's platforms have their own flighting, so the fit separates them: a non-negative baseline on
    every week, no channel above 60% of the outcome, media below 70%, and a usable holdout error."""
    from data import demo

    mm = demo.generate(seed=7)["media_mix"]
    data = mmm.prepare_media_mix(mm)  # default controls: event_618, event_1111, festival_lift
    assert data.control_names == ["event_618", "event_1111", "festival_lift"]
    fit = mmm.fit_mmm(data, n_boot=100, seed=0)
    assert (fit.base_part >= -1e-6 * data.y.mean()).all()
    assert (mmm.baseline_weekly(fit) >= 0).all()
    assert ((fit.shares >= 0) & (fit.shares <= 0.60)).all(), fit.shares
    assert fit.shares.sum() < 0.70
    assert fit.base_share + fit.control_share + fit.shares.sum() == pytest.approx(fit.fitted.sum() / data.y.sum())
    assert abs(fit.fitted.sum() / data.y.sum() - 1) < 0.02
    assert fit.holdout["mape"] < 0.15
    budget = float(data.X[-4:].sum())
    lo, hi = 0.5 * data.X[-4:].sum(axis=0), 2.0 * data.X[-4:].sum(axis=0)
    res = mmm.optimise(fit.curves, budget, 4, lo, hi)
    assert res["status"] == "ok" and res["spend"].sum() == pytest.approx(budget)
    assert (res["spend"] >= lo - 1e-6).all() and (res["spend"] <= hi + 1e-6).all()
