"""Shared statistical helpers: thin, vectorised wrappers around scipy / statsmodels.

Every function accepts scalars or numpy arrays (element-wise over many comparisons at once, e.g. every
segment x arm) and returns plain floats or arrays. Conventions:

- proportions: ``count`` successes out of ``nobs``; differences are ``p1 - p2`` (treatment - control);
- means: summary statistics (mean, sample variance with ddof=1, n) so that per-group aggregates computed
  once with numpy can feed every test;
- two-sided tests; ``alpha`` is the two-sided level (0.05 -> 95% intervals).

Methods (stated, so pages can say which):
- Wilson score interval for one proportion (statsmodels ``proportion_confint(method="wilson")``);
- Newcombe's hybrid score interval (method 10) for a difference of proportions, equal to statsmodels
  ``confint_proportions_2indep(method="newcomb")``; the pooled two-proportion z-test for its p-value,
  equal to statsmodels ``proportions_ztest`` and to scipy's uncorrected 2x2 chi-square;
- Welch's t-test and Welch-Satterthwaite interval for a difference of means, equal to
  ``scipy.stats.ttest_ind(equal_var=False)``;
- Holm and Benjamini-Hochberg corrections via statsmodels ``multipletests``;
- sample-ratio mismatch: Pearson chi-square goodness of fit (``scipy.stats.chisquare``);
- power / minimum detectable effect: normal approximation, two-sided.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

ArrayLike = float | np.ndarray | Sequence[float]


def _arr(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _out(x: np.ndarray):
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


# ------------------------------------------------------------------ proportions


def wilson_interval(count: ArrayLike, nobs: ArrayLike, alpha: float = 0.05) -> tuple:
    """Wilson score interval for count / nobs (NaN where nobs == 0).

    Parameters
    ----------
    count : ArrayLike
        Successes.
    nobs : ArrayLike
        Trials.
    alpha : float
        Two-sided level (0.05: 95% interval).

    Returns
    -------
    tuple
        (low, high), floats or arrays.
    """
    c, n = _arr(count), _arr(nobs)
    safe = np.where(n > 0, n, 1.0)
    lo, hi = proportion_confint(c, safe, alpha=alpha, method="wilson")
    lo = np.where(n > 0, lo, np.nan)
    hi = np.where(n > 0, hi, np.nan)
    return _out(lo), _out(hi)


def diff_proportions_ci(
    count1: ArrayLike, nobs1: ArrayLike, count2: ArrayLike, nobs2: ArrayLike, alpha: float = 0.05
) -> tuple:
    """Newcombe hybrid score interval for p1 - p2 (from the two Wilson intervals).

    Parameters
    ----------
    count1 : ArrayLike
        Successes of group 1 (treatment).
    nobs1 : ArrayLike
        Trials of group 1.
    count2 : ArrayLike
        Successes of group 2 (control).
    nobs2 : ArrayLike
        Trials of group 2.
    alpha : float
        Two-sided level.

    Returns
    -------
    tuple
        (low, high) of p1 - p2, NaN where a group has no trial.
    """
    c1, n1, c2, n2 = _arr(count1), _arr(nobs1), _arr(count2), _arr(nobs2)
    ok = (n1 > 0) & (n2 > 0)
    s1, s2 = np.where(ok, n1, 1.0), np.where(ok, n2, 1.0)
    p1, p2 = c1 / s1, c2 / s2
    l1, u1 = proportion_confint(c1, s1, alpha=alpha, method="wilson")
    l2, u2 = proportion_confint(c2, s2, alpha=alpha, method="wilson")
    d = p1 - p2
    lo = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return _out(np.where(ok, lo, np.nan)), _out(np.where(ok, hi, np.nan))


def two_proportion_ztest(count1: ArrayLike, nobs1: ArrayLike, count2: ArrayLike, nobs2: ArrayLike) -> tuple:
    """Pooled two-proportion z-test of p1 == p2: (z, two-sided p-value).

    Parameters
    ----------
    count1 : ArrayLike
        Successes of group 1.
    nobs1 : ArrayLike
        Trials of group 1.
    count2 : ArrayLike
        Successes of group 2.
    nobs2 : ArrayLike
        Trials of group 2.

    Returns
    -------
    tuple
        (z, p-value); z is 0 when both rates are equal with no variance.
    """
    c1, n1, c2, n2 = _arr(count1), _arr(nobs1), _arr(count2), _arr(nobs2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = c1 / n1, c2 / n2
        pool = (c1 + c2) / (n1 + n2)
        se = np.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
        z = (p1 - p2) / se
    z = np.where(se > 0, z, np.where(p1 == p2, 0.0, np.nan))
    p = 2 * stats.norm.sf(np.abs(z))
    return _out(z), _out(p)


def ratio_proportions_ci(
    count1: ArrayLike, nobs1: ArrayLike, count2: ArrayLike, nobs2: ArrayLike, alpha: float = 0.05
) -> tuple:
    """Interval for the relative lift p1 / p2 - 1 (log risk-ratio, Katz).

    Parameters
    ----------
    count1 : ArrayLike
        Successes of group 1.
    nobs1 : ArrayLike
        Trials of group 1.
    count2 : ArrayLike
        Successes of group 2.
    nobs2 : ArrayLike
        Trials of group 2.
    alpha : float
        Two-sided level.

    Returns
    -------
    tuple
        (low, high) of the relative lift, NaN where a group has no success.
    """
    c1, n1, c2, n2 = _arr(count1), _arr(nobs1), _arr(count2), _arr(nobs2)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        lr = np.log((c1 / n1) / (c2 / n2))
        se = np.sqrt(1 / c1 - 1 / n1 + 1 / c2 - 1 / n2)
        lo, hi = np.exp(lr - z * se) - 1, np.exp(lr + z * se) - 1
    bad = (c1 <= 0) | (c2 <= 0) | ~np.isfinite(se)
    return _out(np.where(bad, np.nan, lo)), _out(np.where(bad, np.nan, hi))


# ------------------------------------------------------------------ means


def welch_test(
    mean1: ArrayLike, var1: ArrayLike, n1: ArrayLike, mean2: ArrayLike, var2: ArrayLike, n2: ArrayLike,
    alpha: float = 0.05,
) -> dict:
    """Welch's t-test and interval for mean1 - mean2 from summary statistics (var with ddof=1).

    Returns dict(diff, se, df, t, p_value, ci_low, ci_high); equal to scipy.stats.ttest_ind(equal_var=False)
    and its ``confidence_interval``.

    Parameters
    ----------
    mean1 : ArrayLike
        Mean of group 1.
    var1 : ArrayLike
        Sample variance (ddof=1) of group 1.
    n1 : ArrayLike
        Size of group 1.
    mean2 : ArrayLike
        Mean of group 2.
    var2 : ArrayLike
        Sample variance of group 2.
    n2 : ArrayLike
        Size of group 2.
    alpha : float
        Two-sided level.

    Returns
    -------
    dict
        ``diff``, ``se``, ``df``, ``t``, ``p_value``, ``ci_low``, ``ci_high`` (NaN where a group has fewer
        than 2 units or no variance).
    """
    m1, v1, k1, m2, v2, k2 = map(_arr, (mean1, var1, n1, mean2, var2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = v1 / k1, v2 / k2
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a**2 / (k1 - 1) + b**2 / (k2 - 1))
        diff = m1 - m2
        tstat = diff / se
        p = 2 * stats.t.sf(np.abs(tstat), df)
        q = stats.t.ppf(1 - alpha / 2, df)
    ok = (k1 >= 2) & (k2 >= 2) & (se > 0)
    nan = np.nan
    return {
        "diff": _out(diff),
        "se": _out(np.where(ok, se, nan)),
        "df": _out(np.where(ok, df, nan)),
        "t": _out(np.where(ok, tstat, nan)),
        "p_value": _out(np.where(ok, p, nan)),
        "ci_low": _out(np.where(ok, diff - q * se, nan)),
        "ci_high": _out(np.where(ok, diff + q * se, nan)),
    }


def mean_ci(mean: ArrayLike, var: ArrayLike, n: ArrayLike, alpha: float = 0.05) -> tuple:
    """t interval for one mean.

    Parameters
    ----------
    mean : ArrayLike
        The mean.
    var : ArrayLike
        Sample variance (ddof=1).
    n : ArrayLike
        Units.
    alpha : float
        Two-sided level.

    Returns
    -------
    tuple
        (low, high), NaN under 2 units.
    """
    m, v, k = _arr(mean), _arr(var), _arr(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = stats.t.ppf(1 - alpha / 2, k - 1) * np.sqrt(v / k)
    half = np.where(k >= 2, half, np.nan)
    return _out(m - half), _out(m + half)


def bootstrap_ci(
    data: Sequence | np.ndarray | tuple,
    statistic: Callable = np.mean,
    *,
    alpha: float = 0.05,
    n_resamples: int = 2000,
    seed: int = 0,
    method: str = "percentile",
    paired: bool = False,
) -> tuple[float, float]:
    """Bootstrap interval of ``statistic`` via ``scipy.stats.bootstrap`` (vectorised statistic).

    Parameters
    ----------
    data : Sequence | np.ndarray | tuple
        One sample, or a tuple of samples.
    statistic : Callable
        Vectorised statistic.
    alpha : float
        Two-sided level.
    n_resamples : int
        Bootstrap resamples.
    seed : int
        Random seed.
    method : str
        scipy's method (percentile, basic, BCa).
    paired : bool
        Whether the samples are paired.

    Returns
    -------
    tuple[float, float]
        (low, high).
    """
    samples = data if isinstance(data, tuple) else (np.asarray(data, dtype=float),)
    res = stats.bootstrap(
        samples, statistic, confidence_level=1 - alpha, n_resamples=n_resamples, method=method,
        rng=np.random.default_rng(seed), paired=paired, vectorized=True,
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


# ------------------------------------------------------------------ multiple comparisons


def adjust_pvalues(pvalues: ArrayLike, method: str = "holm") -> np.ndarray:
    """Holm ("holm") or Benjamini-Hochberg ("bh" / "fdr_bh") adjusted p-values; NaN stay NaN.

    Parameters
    ----------
    pvalues : ArrayLike
        The p-values.
    method : str
        "holm", "bh" / "fdr_bh" or "bonferroni".

    Returns
    -------
    np.ndarray
        Adjusted p-values, same order.
    """
    p = _arr(pvalues).ravel()
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        m = {"holm": "holm", "bh": "fdr_bh", "fdr_bh": "fdr_bh", "bonferroni": "bonferroni"}[method]
        if m == "holm":
            # Same formula as multipletests(method="holm"), whose gc.collect() costs ~0.1 s on a big heap.
            q = p[ok]
            order = np.argsort(q, kind="mergesort")
            adj = np.minimum(np.maximum.accumulate(q[order] * np.arange(len(q), 0, -1)), 1.0)
            res = np.empty_like(q)
            res[order] = adj
            out[ok] = res
        else:
            out[ok] = multipletests(p[ok], method=m)[1]
    return out


def holm(pvalues: ArrayLike) -> np.ndarray:
    """Holm-adjusted p-values (:func:`adjust_pvalues`).

    Parameters
    ----------
    pvalues : ArrayLike
        The p-values.

    Returns
    -------
    np.ndarray
        Adjusted p-values.
    """
    return adjust_pvalues(pvalues, "holm")


def benjamini_hochberg(pvalues: ArrayLike) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (:func:`adjust_pvalues`).

    Parameters
    ----------
    pvalues : ArrayLike
        The p-values.

    Returns
    -------
    np.ndarray
        Adjusted p-values.
    """
    return adjust_pvalues(pvalues, "bh")


# ------------------------------------------------------------------ design checks


def srm_test(observed: Sequence[float], weights: Sequence[float] | None = None) -> dict:
    """Sample-ratio mismatch: chi-square goodness of fit of the observed group sizes to the intended split.

    Parameters
    ----------
    observed : Sequence[float]
        Units per group.
    weights : Sequence[float] | None
        Intended split (None: equal); positive, one per group (ValueError otherwise).

    Returns
    -------
    dict
        ``chi2``, ``p_value``, ``df``, ``observed``, ``expected``.
    """
    obs = _arr(observed)
    w = np.ones_like(obs) if weights is None else _arr(weights)
    if len(w) != len(obs) or (w <= 0).any():
        raise ValueError("weights must be positive, one per group")
    expected = obs.sum() * w / w.sum()
    chi2, p = stats.chisquare(obs, expected)
    return {"chi2": float(chi2), "p_value": float(p), "df": int(len(obs) - 1),
            "observed": obs.tolist(), "expected": expected.tolist()}


def chi2_homogeneity(table: np.ndarray) -> tuple[float, float, int]:
    """Pearson chi-square test of independence of an r x c table (no continuity correction).

    Parameters
    ----------
    table : np.ndarray
        Counts, r x c.

    Returns
    -------
    tuple[float, float, int]
        (chi2, p-value, degrees of freedom).
    """
    chi2, p, dof, _ = stats.chi2_contingency(np.asarray(table, dtype=float), correction=False)
    return float(chi2), float(p), int(dof)


def heterogeneity_q(effects: ArrayLike, ses: ArrayLike) -> tuple[float, float, int]:
    """Cochran's Q test that several independent effects (e.g. a lift per segment) are equal.

    Q = sum w_i (d_i - d_bar)^2 with w_i = 1 / se_i^2; Q ~ chi2(k - 1) under equal effects (a Wald test of
    the treatment x segment interaction). Returns (Q, p_value, df); NaN when fewer than two usable effects.

    Parameters
    ----------
    effects : ArrayLike
        The effects.
    ses : ArrayLike
        Their standard errors.

    Returns
    -------
    tuple[float, float, int]
        (Q, p-value, df).
    """
    d, s = _arr(effects), _arr(ses)
    ok = np.isfinite(d) & np.isfinite(s) & (s > 0)
    d, s = d[ok], s[ok]
    k = len(d)
    if k < 2:
        return float("nan"), float("nan"), 0
    w = 1 / s**2
    dbar = np.sum(w * d) / np.sum(w)
    q = float(np.sum(w * (d - dbar) ** 2))
    return q, float(stats.chi2.sf(q, k - 1)), k - 1


# ------------------------------------------------------------------ power


def mde(sd1: ArrayLike, n1: ArrayLike, sd2: ArrayLike, n2: ArrayLike, alpha: float = 0.05, power: float = 0.8):
    """Minimum detectable absolute difference (two-sided, normal approximation):
    (z_{1-alpha/2} + z_{power}) * sqrt(sd1^2/n1 + sd2^2/n2).

    Parameters
    ----------
    sd1 : ArrayLike
        Standard deviation of group 1.
    n1 : ArrayLike
        Size of group 1.
    sd2 : ArrayLike
        Standard deviation of group 2.
    n2 : ArrayLike
        Size of group 2.
    alpha : float
        Two-sided level.
    power : float
        Power.

    Returns
    -------
    float | np.ndarray
        The minimum detectable difference.
    """
    s1, k1, s2, k2 = map(_arr, (sd1, n1, sd2, n2))
    zsum = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(zsum * np.sqrt(s1**2 / k1 + s2**2 / k2))


def mde_proportion(p_control: ArrayLike, n1: ArrayLike, n2: ArrayLike, alpha: float = 0.05, power: float = 0.8):
    """MDE for a rate, using the control rate's variance p(1-p) in both groups.

    Parameters
    ----------
    p_control : ArrayLike
        Control rate.
    n1 : ArrayLike
        Size of group 1.
    n2 : ArrayLike
        Size of group 2.
    alpha : float
        Two-sided level.
    power : float
        Power.

    Returns
    -------
    float | np.ndarray
        The minimum detectable difference of rates.
    """
    p = _arr(p_control)
    sd = np.sqrt(p * (1 - p))
    return mde(sd, n1, sd, n2, alpha, power)


def power_for(effect: ArrayLike, sd1: ArrayLike, n1: ArrayLike, sd2: ArrayLike, n2: ArrayLike,
              alpha: float = 0.05):
    """Power of the two-sided test to detect an absolute difference ``effect`` (normal approximation).

    Parameters
    ----------
    effect : ArrayLike
        Absolute difference.
    sd1 : ArrayLike
        Standard deviation of group 1.
    n1 : ArrayLike
        Size of group 1.
    sd2 : ArrayLike
        Standard deviation of group 2.
    n2 : ArrayLike
        Size of group 2.
    alpha : float
        Two-sided level.

    Returns
    -------
    float | np.ndarray
        The power.
    """
    e, s1, k1, s2, k2 = map(_arr, (effect, sd1, n1, sd2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(s1**2 / k1 + s2**2 / k2)
        z = stats.norm.ppf(1 - alpha / 2)
        pw = stats.norm.sf(z - np.abs(e) / se) + stats.norm.cdf(-z - np.abs(e) / se)
    return _out(pw)


def sample_size_per_group(effect: float, sd: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Units per group (equal groups, common sd) to detect an absolute difference ``effect``.

    Parameters
    ----------
    effect : float
        Absolute difference (0: infinite).
    sd : float
        Common standard deviation.
    alpha : float
        Two-sided level.
    power : float
        Power.

    Returns
    -------
    float
        Units per group, rounded up.
    """
    if effect == 0:
        return float("inf")
    zsum = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return float(np.ceil(2 * (zsum * sd / effect) ** 2))


# ------------------------------------------------------------------ NPS


def nps(scores: ArrayLike, alpha: float = 0.05) -> dict:
    """Net promoter score on 0-10 answers: %promoters (9-10) - %detractors (0-6), in points (-100..100).

    Interval: normal approximation with var = (pP + pD - (pP - pD)^2) / n (multinomial).

    Parameters
    ----------
    scores : ArrayLike
        Answers on 0-10 (non-finite ones are dropped).
    alpha : float
        Two-sided level.

    Returns
    -------
    dict
        ``n``, ``nps``, ``ci_low``, ``ci_high``, ``promoters``, ``passives``, ``detractors``,
        ``share_promoters``, ``share_detractors``.
    """
    s = _arr(scores)
    s = s[np.isfinite(s)]
    n = len(s)
    if n == 0:
        return {"n": 0, "nps": None, "ci_low": None, "ci_high": None, "promoters": 0, "passives": 0, "detractors": 0}
    prom = int(np.sum(s >= 9))
    det = int(np.sum(s <= 6))
    pp, pd_ = prom / n, det / n
    val = pp - pd_
    se = np.sqrt(max(pp + pd_ - val**2, 0.0) / n)
    z = stats.norm.ppf(1 - alpha / 2)
    return {"n": n, "nps": 100 * val, "ci_low": 100 * max(val - z * se, -1.0), "ci_high": 100 * min(val + z * se, 1.0),
            "promoters": prom, "passives": n - prom - det, "detractors": det,
            "share_promoters": pp, "share_detractors": pd_}


# ------------------------------------------------------------------ uplift evaluation (Qini)


def qini_curve(y: ArrayLike, score: ArrayLike, treatment: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Qini curve (Radcliffe 2007), as scikit-uplift's ``qini_curve``.

    Units are sorted by ``score`` (descending, ties kept together); at each distinct score the curve is
    Y_T(k) - Y_C(k) * N_T(k) / N_C(k): responders among the treated top-k minus control responders scaled to
    the treated count. Returns (x = number of units targeted, qini values), starting at (0, 0).

    Parameters
    ----------
    y : ArrayLike
        Outcome (0/1) per unit.
    score : ArrayLike
        Predicted uplift per unit.
    treatment : ArrayLike
        1 for treated, 0 for control.

    Returns
    -------
    tuple[np.ndarray, np.ndarray]
        (units targeted, qini values).
    """
    y, s, t = _arr(y), _arr(score), _arr(treatment)
    order = np.argsort(s, kind="mergesort")[::-1]
    y, s, t = y[order], s[order], t[order]
    idx = np.r_[np.where(np.diff(s))[0], s.size - 1] if s.size else np.array([], dtype=int)
    n_t = np.cumsum(t)[idx]
    y_t = np.cumsum(y * t)[idx]
    y_c = np.cumsum(y * (1 - t))[idx]
    n_all = (idx + 1).astype(float)
    n_c = n_all - n_t
    ratio = np.divide(n_t, n_c, out=np.zeros_like(n_t), where=n_c != 0)
    q = y_t - y_c * ratio
    if n_all.size == 0 or q[0] != 0 or n_all[0] != 0:
        n_all, q = np.r_[0.0, n_all], np.r_[0.0, q]
    return n_all, q


def perfect_qini_curve(y: ArrayLike, treatment: ArrayLike, negative_effect: bool = True):
    """The best achievable Qini curve (scikit-uplift's ``perfect_qini_curve``).

    Parameters
    ----------
    y : ArrayLike
        Outcome per unit.
    treatment : ArrayLike
        1 for treated, 0 for control.
    negative_effect : bool
        Whether negative effects are possible.

    Returns
    -------
    tuple[np.ndarray, np.ndarray
        ] (units targeted, qini values) of the perfect ranking.
    """
    y, t = _arr(y), _arr(treatment)
    if negative_effect:
        return qini_curve(y, y * t - y * (1 - t), t)
    ratio = y[t == 1].sum() - (t == 1).sum() * y[t == 0].sum() / (t == 0).sum()
    return np.array([0.0, ratio, len(y)]), np.array([0.0, ratio, ratio])


def qini_auc_score(y: ArrayLike, score: ArrayLike, treatment: ArrayLike, negative_effect: bool = True) -> float:
    """Normalised area under the Qini curve (Qini coefficient), as scikit-uplift's ``qini_auc_score``:
    (area of the model's curve - area of the random line) / (area of the perfect curve - area of the random
    line). 1 = perfect ranking, 0 = no better than random, negative = worse than random.

    Parameters
    ----------
    y : ArrayLike
        Outcome per unit.
    score : ArrayLike
        Predicted uplift per unit.
    treatment : ArrayLike
        1 for treated, 0 for control.
    negative_effect : bool
        Whether negative effects are possible.

    Returns
    -------
    float
        The coefficient, NaN when the perfect curve has no area.
    """
    xa, ya = qini_curve(y, score, treatment)
    xp, yp = perfect_qini_curve(y, treatment, negative_effect)
    base = np.trapezoid([0.0, yp[-1]], [0.0, xp[-1]])
    perfect = np.trapezoid(yp, xp) - base
    actual = np.trapezoid(ya, xa) - base
    return float(actual / perfect) if perfect != 0 else float("nan")
