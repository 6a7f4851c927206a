"""BG/NBD + Gamma-Gamma against the published CDNOW figures (Fader, Hardie & Lee 2005)."""

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special

from analytics import clv
from analytics.common import NotEnoughData
from tests.fixtures import cdnow_orders, cdnow_summary


@pytest.fixture(scope="module")
def summary():
    return clv.summary_data(cdnow_orders(), "1997-09-30", "week")


@pytest.fixture(scope="module")
def bg(summary):
    return clv.fit_bgnbd(summary["frequency"], summary["recency"], summary["T"])


@pytest.fixture(scope="module")
def gg(summary):
    return clv.fit_gamma_gamma(summary["frequency"], summary["monetary_value"])


def test_summary_matches_published_calibration_summary(summary):
    ref = cdnow_summary()
    m = summary.assign(ID=summary["customer_id"].astype(int)).merge(ref, on="ID", suffixes=("", "_ref"))
    assert len(summary) == 2357 and len(m) == 2357
    assert (m["frequency"] == m["frequency_ref"]).all()
    # the published file rounds weeks to 2 decimals
    assert np.abs(m["recency"] - m["recency_ref"]).max() <= 0.0051
    assert np.abs(m["T"] - m["T_ref"]).max() <= 0.0051


def test_summary_counts_one_purchase_per_day():
    o = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "b"],
        "order_date": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 18:00", "2024-01-08 00:00", "2024-01-15 00:00", "2024-01-10 00:00"]),
        "amount": [10.0, 5.0, 20.0, 40.0, 7.0], "is_return": [False, False, False, False, False]})
    s = clv.summary_data(o, "2024-01-29", "day").set_index("customer_id")
    assert s.loc["a", "frequency"] == 2          # 3 distinct days
    assert s.loc["a", "recency"] == 14 and s.loc["a", "T"] == 28
    assert s.loc["a", "monetary_value"] == pytest.approx(30.0)   # mean of repeat days (20, 40)
    assert s.loc["b", "frequency"] == 0 and s.loc["b", "T"] == 19
    w = clv.summary_data(o, "2024-01-29", "week").set_index("customer_id")
    assert w.loc["a", "T"] == pytest.approx(4.0)


def test_bgnbd_parameters_within_1pct_of_published(bg):
    for name, pub in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert getattr(bg, name) == pytest.approx(pub, rel=0.01), name
    assert bg.log_likelihood == pytest.approx(-9582.4, abs=0.5)
    assert bg.converged


def test_likelihood_at_published_parameters_independent(summary):
    """Eq. (6) of Fader, Hardie & Lee (2005) written out per customer with plain loops."""
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    total = 0.0
    for x, tx, T in summary[["frequency", "recency", "T"]].itertuples(index=False):
        base = special.beta(a, b + x) / special.beta(a, b) * np.exp(
            special.gammaln(r + x) - special.gammaln(r)) * alpha ** r / (alpha + T) ** (r + x)
        extra = 0.0
        if x > 0:
            extra = special.beta(a + 1, b + x - 1) / special.beta(a, b) * np.exp(
                special.gammaln(r + x) - special.gammaln(r)) * alpha ** r / (alpha + tx) ** (r + x)
        total += np.log(base + extra)
    ours = clv.bgnbd_log_likelihood([r, alpha, a, b], summary["frequency"], summary["recency"], summary["T"])
    assert ours == pytest.approx(total, rel=1e-9)
    assert total == pytest.approx(-9582.4, abs=1.0)


def test_gradients_match_finite_differences(summary):
    x, tx, T = (summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    w = np.ones(len(x))
    p0 = np.array([0.3, 5.0, 0.9, 2.0])
    g = clv._bgnbd_ll_grad(p0, x, tx, T, w)[1]
    num = optimize.approx_fprime(p0, lambda p: clv._bgnbd_ll_grad(p, x, tx, T, w)[0], 1e-6)
    assert np.allclose(g, num, rtol=1e-4, atol=1e-3)
    k = x > 0
    m = summary["monetary_value"].to_numpy()[k]
    q0 = np.array([5.0, 3.0, 14.0])
    g2 = clv._gg_ll_grad(q0, x[k], m)[1]
    num2 = optimize.approx_fprime(q0, lambda p: clv._gg_ll_grad(p, x[k], m)[0], 1e-7)
    assert np.allclose(g2, num2, rtol=1e-4, atol=1e-6)


def test_gamma_gamma_within_2pct_of_published(gg):
    assert gg.customers == 946
    for name, pub in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert getattr(gg, name) == pytest.approx(pub, rel=0.02), name


def test_p_alive_and_expectations(bg):
    assert clv.p_alive(bg, [0], [0], [30])[0] == 1.0
    pa = clv.p_alive(bg, [3, 3, 3], [10, 10, 10], [12, 20, 38])
    assert pa[0] > pa[1] > pa[2] > 0
    # closed form of P(alive) written out
    x, tx, T = 3.0, 10.0, 20.0
    hand = 1 / (1 + bg.a / (bg.b + x - 1) * ((bg.alpha + T) / (bg.alpha + tx)) ** (bg.r + x))
    assert pa[1] == pytest.approx(hand)
    # a brand-new customer (T -> 0) expects the population E[X(t)]
    for t in (4.0, 39.0, 78.0):
        assert clv.expected_purchases(bg, t, 0.0, 0.0, 1e-9) == pytest.approx(
            clv.population_expected_purchases(bg, t), rel=1e-6)
    # a cohort member expects fewer than 2 repeat purchase days in 39 weeks (mean observed: 1.04)
    assert 0 < clv.population_expected_purchases(bg, 39.0) < 2


def test_clv_sums_discounted_monthly_increments(bg, gg):
    x, tx, T, m = np.array([2.0]), np.array([20.0]), np.array([38.0]), np.array([30.0])
    v1 = clv.customer_lifetime_value(bg, gg, x, tx, T, m, horizon_months=1, discount=0.0, time_unit="week")
    month = clv.DAYS_PER_MONTH / 7
    hand = clv.expected_purchases(bg, month, x, tx, T) * clv.expected_spend(gg, x, m)
    assert v1[0] == pytest.approx(hand[0])
    v2 = clv.customer_lifetime_value(bg, gg, x, tx, T, m, horizon_months=2, discount=0.1, time_unit="week")
    e1 = clv.expected_purchases(bg, month, x, tx, T)[0]
    e2 = clv.expected_purchases(bg, 2 * month, x, tx, T)[0]
    spend = clv.expected_spend(gg, x, m)[0]
    assert v2[0] == pytest.approx(spend * (e1 / 1.1 + (e2 - e1) / 1.1 ** 2))
    # Gamma-Gamma posterior mean, written out
    assert spend == pytest.approx(gg.p * (gg.gamma + 2 * 30) / (gg.p * 2 + gg.q - 1))


def test_churn_bands():
    assert list(clv.churn_band([0.1, 0.3, 0.69, 0.7, 1.0])) == ["high", "medium", "medium", "low", "low"]


def test_clv_table_on_cdnow(summary):
    tab, bg, gg = clv.clv_table(cdnow_orders(), "1997-09-30", time_unit="week", horizon_months=12, discount=0.01)
    assert len(tab) == 2357
    assert tab["clv"].notna().all() and (tab["clv"] >= 0).all()
    assert ((tab["p_alive"] > 0) & (tab["p_alive"] <= 1)).all()
    # time unit days gives the same alpha scaled by 7 (r, a, b unchanged)
    tab_d, bg_d, _ = clv.clv_table(cdnow_orders(), "1997-09-30", time_unit="day")
    assert bg_d.alpha == pytest.approx(bg.alpha * 7, rel=0.01)
    assert bg_d.r == pytest.approx(bg.r, rel=0.01)


def test_refuses_without_data():
    with pytest.raises(NotEnoughData):
        clv.fit_bgnbd([0] * 5, [0] * 5, [3] * 5)
    with pytest.raises(NotEnoughData):
        clv.fit_bgnbd([0] * 30, [0] * 30, [3] * 30)


def test_a_large_base_is_fitted_on_a_seeded_sample_and_every_customer_scored(summary, bg, monkeypatch):
    """Above MAX_FIT_CUSTOMERS the models are fitted on a seeded random sample (CDNOW's 2,357 customers
    with the cap at 1,200): the parameters stay near the full fit, every customer is scored, the fit says
    how many it used, and the segmentation page says it sampled."""
    monkeypatch.setattr(clv, "MAX_FIT_CUSTOMERS", 1200)
    tab, sbg, sgg = clv.clv_from_summary(summary.reset_index(), time_unit="week")
    assert sbg.customers == 1200 and len(tab) == len(summary)
    assert tab["clv"].notna().all() and tab["p_alive"].between(0, 1).all()
    for name in ("r", "alpha", "a", "b"):
        assert getattr(sbg, name) == pytest.approx(getattr(bg, name), rel=0.35), name
    again = clv.clv_from_summary(summary.reset_index(), time_unit="week")[1]
    assert (again.r, again.alpha, again.a, again.b) == (sbg.r, sbg.alpha, sbg.a, sbg.b)  # seeded

    from analytics import segmentation as seg

    res = seg.compute({"orders": cdnow_orders()}, {"analysis_date": "1997-10-01", "clv_calibration_end": "1997-09-30"}, "en")
    assert any("random sample of 1,200 of the 2,357 customers" in w for w in res["warnings"]), res["warnings"]
    zh = seg.compute({"orders": cdnow_orders()}, {"analysis_date": "1997-10-01", "clv_calibration_end": "1997-09-30"}, "zh")
    assert any("随机抽取的 1,200 位" in w for w in zh["warnings"])


def test_grouped_evaluations_equal_the_per_row_formulas(summary, bg, gg):
    """The fits and scores evaluate per distinct value and gather (``_split``, ``_triples``, ``_pairs``):
    the same floats as the formulas written row by row."""
    x, tx, T, m = (summary[c].to_numpy(float) for c in ("frequency", "recency", "T", "monetary_value"))
    # the triples: the integer-key path equals the lexsort path, also with a NaN (a triple of its own)
    for cols in ((x, tx, T), (x, np.where(np.arange(len(x)) == 3, np.nan, tx), T)):
        for a, b in zip(clv._triples(*cols), clv._triples_lexsort(*cols)):
            assert np.array_equal(a, b, equal_nan=True)
    # E[purchases]: the hypergeometric term per (x, T) pair equals the formula over all rows (and one
    # customer at a time, up to the last bits of numpy's vector logarithms)
    t = np.asarray(13.0)
    assert clv._pairs(x, T, t) is not None and len(clv._pairs(x, T, t)[0]) < len(x) / 2
    rows = clv._ep_numerator(bg, t, x, T) / clv._ep_denominator(bg, x, tx, T)
    assert np.array_equal(clv.expected_purchases(bg, 13.0, x, tx, T), rows)
    one = np.array([clv.expected_purchases(bg, 13.0, x[i], tx[i], T[i]) for i in range(0, len(x), 7)])
    assert np.allclose(rows[::7], one, rtol=1e-13, atol=0)
    # the likelihoods: the split evaluations equal the per-row log-likelihoods (the gradients: above)
    p0 = np.array([0.3, 5.0, 0.9, 2.0])
    w = np.ones(len(x))
    ll = clv._bgnbd_ll(p0, x, tx, T)
    assert clv._bgnbd_ll_grad(p0, x, tx, T, w)[0] == pytest.approx(float(np.sum(ll)), rel=1e-12)
    k = x > 0
    q0 = np.array([5.0, 3.0, 14.0])
    assert clv._gg_ll_grad(q0, x[k], m[k])[0] == pytest.approx(float(np.mean(clv._gg_ll(q0, x[k], m[k]))),
                                                               rel=1e-12)


def test_the_fits_run_side_by_side_and_leave_the_blas_thread_limit_as_they_found_it(summary, bg, gg):
    """clv_from_summary fits Gamma-Gamma in a thread while BG/NBD runs: the same fits as one after the
    other, and each fit's own one-thread limit nested in one around both, so the process's BLAS limit is
    the one it had before (two restores out of order would leave one thread for good)."""
    from threadpoolctl import threadpool_info, threadpool_limits

    with threadpool_limits(limits=2):
        before = [i["num_threads"] for i in threadpool_info()]
        _, sbg, sgg = clv.clv_from_summary(summary.reset_index(), time_unit="week")
        assert [i["num_threads"] for i in threadpool_info()] == before
    assert (sbg.r, sbg.alpha, sbg.a, sbg.b, sbg.log_likelihood) == (bg.r, bg.alpha, bg.a, bg.b, bg.log_likelihood)
    assert (sgg.p, sgg.q, sgg.gamma, sgg.log_likelihood) == (gg.p, gg.q, gg.gamma, gg.log_likelihood)


def test_likelihood_terms_of_x_summed_per_distinct_x_are_the_per_row_floats(summary):
    """The BG/NBD and Gamma-Gamma evaluations sum the terms of x alone once per distinct x, in the order
    the per-row formulas add them: value and gradient are the same floats as the formulas row by row."""
    x, tx, T, m = (summary[c].to_numpy(float) for c in ("frequency", "recency", "T", "monetary_value"))
    psi, gl = special.digamma, special.gammaln
    w = np.linspace(0.5, 1.5, len(x))
    for r, alpha, a, b in ((0.3, 5.0, 0.9, 2.0), (0.243, 4.414, 0.793, 2.426), (2.0, 0.5, 3.0, 0.7)):
        bx1 = np.where(x > 0, b + x - 1, 1.0)
        a3 = -(r + x) * np.log(alpha + T)
        a4 = np.where(x > 0, np.log(a) - np.log(bx1) - (r + x) * np.log(alpha + tx), -np.inf)
        lse = np.logaddexp(a3, a4)
        w3, w4 = np.exp(a3 - lse), np.exp(a4 - lse)
        ll = (gl(r + x) - gl(r) + r * np.log(alpha) + gl(a + b) + gl(b + x) - gl(b) - gl(a + b + x) + lse)
        d = [psi(r + x) - psi(r) + np.log(alpha) - w3 * np.log(alpha + T) - w4 * np.log(alpha + tx),
             r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + tx),
             psi(a + b) - psi(a + b + x) + w4 / a,
             psi(a + b) + psi(b + x) - psi(b) - psi(a + b + x) - w4 / bx1]
        val, grad = clv._bgnbd_ll_grad(np.array([r, alpha, a, b]), x, tx, T, w)
        assert val == float(np.sum(w * ll))
        assert np.array_equal(grad, [np.sum(w * g) for g in d])
    k = x > 0
    x, m = x[k], m[k]
    for p, q, v in ((5.0, 3.0, 14.0), (6.25, 3.74, 15.44), (0.8, 9.0, 2.0)):
        px = p * x
        ll = (gl(px + q) - gl(px) - gl(q) + q * np.log(v) + (px - 1) * np.log(m) + px * np.log(x)
              - (px + q) * np.log(x * m + v))
        d = [x * (psi(px + q) - psi(px) + np.log(m) + np.log(x) - np.log(x * m + v)),
             psi(px + q) - psi(q) + np.log(v) - np.log(x * m + v), q / v - (px + q) / (x * m + v)]
        val, grad = clv._gg_ll_grad(np.array([p, q, v]), x, m)
        assert val == float(np.mean(ll))
        assert np.array_equal(grad, [np.mean(g) for g in d])
