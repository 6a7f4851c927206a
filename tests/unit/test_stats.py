"""analytics.stats against scipy / statsmodels and hand-made cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

from analytics import stats as st

CASES = [(267, 21307, 122, 21306), (30, 200, 18, 210), (5, 40, 0, 38), (0, 50, 3, 60), (990, 1000, 950, 1000)]


@pytest.mark.parametrize("c1,n1,c2,n2", CASES)
def test_wilson_and_newcombe_equal_statsmodels(c1, n1, c2, n2):
    lo, hi = st.wilson_interval(c1, n1)
    elo, ehi = proportion_confint(c1, n1, alpha=0.05, method="wilson")
    assert lo == pytest.approx(elo, abs=1e-12) and hi == pytest.approx(ehi, abs=1e-12)
    lo, hi = st.diff_proportions_ci(c1, n1, c2, n2)
    elo, ehi = confint_proportions_2indep(c1, n1, c2, n2, method="newcomb", compare="diff")
    assert lo == pytest.approx(elo, abs=1e-12) and hi == pytest.approx(ehi, abs=1e-12)


def test_newcombe_vectorised_matches_scalar():
    c1, n1, c2, n2 = (np.array(x, dtype=float) for x in zip(*CASES))
    lo, hi = st.diff_proportions_ci(c1, n1, c2, n2, alpha=0.1)
    for i, case in enumerate(CASES):
        elo, ehi = confint_proportions_2indep(*case, method="newcomb", compare="diff", alpha=0.1)
        assert lo[i] == pytest.approx(elo, abs=1e-12) and hi[i] == pytest.approx(ehi, abs=1e-12)


@pytest.mark.parametrize("c1,n1,c2,n2", [c for c in CASES if c[0] + c[2] > 0])
def test_two_proportion_z_equals_statsmodels_and_scipy(c1, n1, c2, n2):
    z, p = st.two_proportion_ztest(c1, n1, c2, n2)
    ez, ep = proportions_ztest([c1, c2], [n1, n2])
    assert z == pytest.approx(ez, rel=1e-10) and p == pytest.approx(ep, rel=1e-8)
    chi2, p_chi, _, _ = sps.chi2_contingency([[c1, n1 - c1], [c2, n2 - c2]], correction=False)
    assert p == pytest.approx(p_chi, rel=1e-8)
    assert z**2 == pytest.approx(chi2, rel=1e-8)


def test_welch_equals_scipy_ttest_ind():
    rng = np.random.default_rng(3)
    for n1, n2, s1, s2 in [(50, 80, 1.0, 3.0), (12, 9, 2.0, 0.5), (1000, 1500, 10.0, 12.0)]:
        a = rng.normal(1.0, s1, n1)
        b = rng.normal(0.7, s2, n2)
        res = sps.ttest_ind(a, b, equal_var=False)
        ci = res.confidence_interval(0.9)
        w = st.welch_test(a.mean(), a.var(ddof=1), n1, b.mean(), b.var(ddof=1), n2, alpha=0.1)
        assert w["t"] == pytest.approx(res.statistic, rel=1e-10)
        assert w["p_value"] == pytest.approx(res.pvalue, rel=1e-8)
        assert w["df"] == pytest.approx(res.df, rel=1e-10)
        assert w["ci_low"] == pytest.approx(ci.low, rel=1e-10)
        assert w["ci_high"] == pytest.approx(ci.high, rel=1e-10)


def test_mean_ci_equals_t_interval():
    x = np.array([3.0, 5.0, 4.0, 8.0, 6.0, 2.0])
    lo, hi = st.mean_ci(x.mean(), x.var(ddof=1), len(x))
    elo, ehi = sps.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=sps.sem(x))
    assert (lo, hi) == pytest.approx((elo, ehi), rel=1e-12)


def test_holm_and_bh_equal_statsmodels_and_keep_nan():
    p = np.array([0.01, 0.04, 0.03, 0.2, np.nan, 0.001, 0.5])
    ok = np.isfinite(p)
    h = st.holm(p)
    b = st.benjamini_hochberg(p)
    assert np.isnan(h[4]) and np.isnan(b[4])
    np.testing.assert_allclose(h[ok], multipletests(p[ok], method="holm")[1], rtol=1e-12)
    np.testing.assert_allclose(b[ok], multipletests(p[ok], method="fdr_bh")[1], rtol=1e-12)


def test_srm_equals_scipy_chisquare_and_flags_a_bad_split():
    obs = [21307, 21306, 21387]
    r = st.srm_test(obs)
    chi2, p = sps.chisquare(obs)
    assert r["chi2"] == pytest.approx(chi2) and r["p_value"] == pytest.approx(p)
    assert r["expected"] == pytest.approx([64000 / 3] * 3)
    r2 = st.srm_test([5200, 4800], [1, 1])
    assert r2["p_value"] == pytest.approx(sps.chisquare([5200, 4800]).pvalue)
    assert r2["p_value"] < 0.001
    r3 = st.srm_test([4000, 4000, 2000], [40, 40, 20])
    assert r3["p_value"] == pytest.approx(1.0) and r3["expected"] == pytest.approx([4000, 4000, 2000])
    with pytest.raises(ValueError):
        st.srm_test([10, 20], [1, 0])


def test_heterogeneity_q_with_two_effects_is_the_squared_z_of_their_difference():
    q, p, df = st.heterogeneity_q([0.05, 0.01], [0.01, 0.02])
    z2 = (0.05 - 0.01) ** 2 / (0.01**2 + 0.02**2)
    assert q == pytest.approx(z2) and df == 1 and p == pytest.approx(sps.chi2.sf(z2, 1))
    q, p, df = st.heterogeneity_q([0.02, 0.02, 0.02], [0.01, 0.02, 0.03])
    assert q == pytest.approx(0.0) and p == pytest.approx(1.0) and df == 2
    assert np.isnan(st.heterogeneity_q([0.1], [0.1])[0])


def test_mde_and_power_agree_with_statsmodels():
    sd, n = 2.0, 5000
    m = st.mde(sd, n, sd, n, alpha=0.05, power=0.8)
    d = NormalIndPower().solve_power(effect_size=None, nobs1=n, alpha=0.05, power=0.8, ratio=1.0)
    assert m == pytest.approx(d * sd, rel=1e-4)
    assert st.power_for(m, sd, n, sd, n) == pytest.approx(0.8, abs=1e-3)
    assert st.power_for(0.0, sd, n, sd, n) == pytest.approx(0.05, abs=1e-9)
    nn = st.sample_size_per_group(0.1, sd)
    en = NormalIndPower().solve_power(effect_size=0.1 / sd, alpha=0.05, power=0.8, ratio=1.0)
    assert nn == np.ceil(en) or abs(nn - en) < 1.5
    p = 0.1
    assert st.mde_proportion(p, 1000, 1000) == pytest.approx(
        (sps.norm.ppf(0.975) + sps.norm.ppf(0.8)) * np.sqrt(2 * p * (1 - p) / 1000))


def test_nps_hand_made():
    # 5 promoters, 3 passives, 2 detractors out of 10 -> 50% - 20% = +30
    scores = [10, 9, 10, 9, 9, 8, 7, 8, 2, 6]
    r = st.nps(scores)
    assert (r["promoters"], r["passives"], r["detractors"], r["n"]) == (5, 3, 2, 10)
    assert r["nps"] == pytest.approx(30.0)
    se = np.sqrt((0.5 + 0.2 - 0.3**2) / 10)
    z = sps.norm.ppf(0.975)
    assert r["ci_low"] == pytest.approx(100 * (0.3 - z * se))
    assert r["ci_high"] == pytest.approx(100 * (0.3 + z * se))
    r = st.nps([0, 1, 6, 10, np.nan])
    assert r["n"] == 4 and r["nps"] == pytest.approx(-50.0)
    assert st.nps([])["nps"] is None


def test_bootstrap_ci_covers_the_mean_and_is_seeded():
    x = np.random.default_rng(1).normal(5.0, 1.0, 400)
    lo, hi = st.bootstrap_ci(x, np.mean, seed=1, n_resamples=999)
    assert lo < x.mean() < hi
    tlo, thi = sps.t.interval(0.95, 399, loc=x.mean(), scale=sps.sem(x))
    assert lo == pytest.approx(tlo, abs=0.03) and hi == pytest.approx(thi, abs=0.03)
    assert st.bootstrap_ci(x, np.mean, seed=1, n_resamples=999) == (lo, hi)


def test_qini_curve_and_auc_hand_made():
    # 3 treated (2 respond), 3 control (1 responds); scores rank the units 0,2,3,5,1,4.
    y = [1, 1, 0, 0, 0, 1]
    t = [1, 1, 1, 0, 0, 0]
    s = [0.6, 0.2, 0.5, 0.4, 0.1, 0.3]
    x, q = st.qini_curve(y, s, t)
    # k=1..6: Y_T - Y_C * N_T / N_C  (0 while N_C = 0)
    np.testing.assert_allclose(x, [0, 1, 2, 3, 4, 5, 6])
    np.testing.assert_allclose(q, [0, 1, 1, 1, 0, 0.5, 1])
    xp, qp = st.perfect_qini_curve(y, t)
    np.testing.assert_allclose(xp, [0, 2, 5, 6])
    np.testing.assert_allclose(qp, [0, 2, 2, 1])
    # areas: model 4.0, perfect 9.5, random line 0.5 * 6 * 1 = 3.0 -> (4 - 3) / (9.5 - 3)
    assert st.qini_auc_score(y, s, t) == pytest.approx(1.0 / 6.5)
    # a perfect ranking scores 1, the reversed ranking is below 0
    perfect = np.array(y) * np.array(t) - np.array(y) * (1 - np.array(t))
    assert st.qini_auc_score(y, perfect, t) == pytest.approx(1.0)
    assert st.qini_auc_score(y, -perfect, t) < 0


def test_qini_ties_are_grouped_and_random_scores_score_near_zero():
    x, q = st.qini_curve([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5], [1, 1, 0, 0])
    np.testing.assert_allclose(x, [0, 4])
    np.testing.assert_allclose(q, [0, 0])
    rng = np.random.default_rng(0)
    n = 20000
    t = rng.integers(0, 2, n)
    y = (rng.random(n) < 0.1 + 0.05 * t).astype(float)
    assert abs(st.qini_auc_score(y, rng.random(n), t)) < 0.1
