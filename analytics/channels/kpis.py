"""The statistics on the units: sums and rates per group with Wilson intervals, ROAS / CPA intervals
(bootstrap or the Poisson delta method), pairwise two-proportion tests (Holm) and the revenue = a spend^b
curve fit."""


from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from analytics.stats import holm, two_proportion_ztest, wilson_interval

from .base import ALPHA, MAX_PAIR_GROUPS, MIN_BOOT_UNITS, SUMS, Z, _div


def kpi_table(units: pd.DataFrame, group: str) -> pd.DataFrame:
    """Sums and rates per group (units: one row per day x group or per ad).

    Parameters
    ----------
    units : pd.DataFrame
        Units with the group column and the SUMS columns present (spend, impressions, clicks, conversions,
        revenue, video_views, likes, comments, shares, followers_gained).
    group : str
        The group column.

    Returns
    -------
    pd.DataFrame
        One row per group: ``channel``, the sums, ``n_units``, ``ctr``, ``cvr``, ``cvr_impr``, ``cpc``,
        ``cpm``, ``cpa``, ``roas``, ``roi``, ``engagements``, ``engagement_rate``, ``engagement_base``,
        ``cost_per_follower``, ``follower_growth`` and the Wilson intervals ``<rate>_ci_low`` /
        ``<rate>_ci_high`` of ctr, cvr, cvr_impr and engagement_rate.
    """
    cols = [c for c in SUMS if c in units.columns]
    g = units.groupby(group, sort=False)
    agg = g[cols].sum(min_count=1)
    agg["n_units"] = g.size()
    agg = agg.reset_index().rename(columns={group: "channel"})
    for c in SUMS:
        if c not in agg.columns:
            agg[c] = np.nan
    agg["ctr"] = _div(agg["clicks"], agg["impressions"])
    agg["cvr"] = _div(agg["conversions"], agg["clicks"])
    agg["cvr_impr"] = _div(agg["conversions"], agg["impressions"])
    agg["cpc"] = _div(agg["spend"], agg["clicks"])
    agg["cpm"] = 1000 * _div(agg["spend"], agg["impressions"])
    agg["cpa"] = _div(agg["spend"], agg["conversions"])
    agg["roas"] = _div(agg["revenue"], agg["spend"])
    agg["roi"] = agg["roas"] - 1
    eng = agg[["likes", "comments", "shares"]].sum(axis=1, min_count=1)
    denom = agg["video_views"].where(agg["video_views"] > 0, agg["impressions"])
    agg["engagements"] = eng
    agg["engagement_rate"] = _div(eng, denom)
    agg["engagement_base"] = np.where(agg["video_views"] > 0, "views",
                                      np.where(agg["impressions"] > 0, "impressions", None))
    agg["cost_per_follower"] = _div(agg["spend"], agg["followers_gained"])
    agg["follower_growth"] = agg["followers_gained"]
    # Wilson intervals
    for rate, num, den in (("ctr", "clicks", "impressions"), ("cvr", "conversions", "clicks"),
                           ("cvr_impr", "conversions", "impressions")):
        k, n = agg[num].to_numpy(float), agg[den].to_numpy(float)
        ok = np.isfinite(k) & np.isfinite(n) & (n > 0)
        lo, hi = wilson_interval(np.where(ok, np.minimum(k, n), 0), np.where(ok, n, 0))
        agg[f"{rate}_ci_low"] = np.where(ok, lo, np.nan)
        agg[f"{rate}_ci_high"] = np.where(ok, hi, np.nan)
    k, n = eng.to_numpy(float), denom.to_numpy(float)
    ok = np.isfinite(k) & np.isfinite(n) & (n > 0)
    lo, hi = wilson_interval(np.where(ok, np.minimum(k, n), 0), np.where(ok, n, 0))
    agg["engagement_rate_ci_low"] = np.where(ok, lo, np.nan)
    agg["engagement_rate_ci_high"] = np.where(ok, hi, np.nan)
    return agg


def ratio_intervals(units: pd.DataFrame, group: str, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """ROAS and CPA intervals per group: bootstrap over units, or the Poisson delta method (few units).

    Parameters
    ----------
    units : pd.DataFrame
        Units with the group column, ``spend`` and optionally ``revenue``, ``conversions``.
    group : str
        The group column.
    n_boot : int
        Bootstrap resamples (bounded by the total work).
    seed : int
        Random seed.

    Returns
    -------
    pd.DataFrame
        Columns ``channel``, ``ci_method``, ``roas_ci_low``, ``roas_ci_high``, ``cpa_ci_low``,
        ``cpa_ci_high``.
    """
    rng = np.random.default_rng(seed)
    rows = []
    # keep the total work bounded (many groups x many days): at least 200 resamples
    n_boot = int(max(200, min(int(n_boot), 30_000_000 // max(len(units), 1))))
    has_rev = "revenue" in units.columns and units["revenue"].notna().any()
    has_conv = "conversions" in units.columns and units["conversions"].notna().any()
    for name, g in units.groupby(group, sort=False):
        sp = g["spend"].fillna(0).to_numpy(float)
        rv = g["revenue"].fillna(0).to_numpy(float) if has_rev else None
        cv = g["conversions"].fillna(0).to_numpy(float) if has_conv else None
        n = len(g)
        out = {"channel": name, "ci_method": None, "roas_ci_low": np.nan, "roas_ci_high": np.nan,
               "cpa_ci_low": np.nan, "cpa_ci_high": np.nan}
        if n >= MIN_BOOT_UNITS and sp.sum() > 0:
            B = int(n_boot)
            # keep memory bounded for groups with many units
            while B * n > 20_000_000 and B > 200:
                B //= 2
            idx = rng.integers(0, n, size=(B, n))
            s_b = sp[idx].sum(axis=1)
            out["ci_method"] = "bootstrap"
            if rv is not None:
                r_b = rv[idx].sum(axis=1)
                roas_b = np.where(s_b > 0, r_b / np.where(s_b > 0, s_b, 1), np.nan)
                lo, hi = np.nanpercentile(roas_b, [2.5, 97.5])
                pt = rv.sum() / sp.sum()
                out["roas_ci_low"], out["roas_ci_high"] = min(lo, pt), max(hi, pt)
            if cv is not None and cv.sum() > 0:
                c_b = cv[idx].sum(axis=1)
                cpa_b = np.where(c_b > 0, s_b / np.where(c_b > 0, c_b, 1), np.inf)
                with np.errstate(invalid="ignore"):  # resamples without a conversion: CPA is +inf, so the
                    lo, hi = np.percentile(cpa_b, [2.5, 97.5])  # upper bound is open (inf - inf -> nan)
                pt = sp.sum() / cv.sum()
                out["cpa_ci_low"], out["cpa_ci_high"] = min(lo, pt), max(hi, pt) if np.isfinite(hi) else np.nan
        elif cv is not None and cv.sum() > 0 and sp.sum() > 0:
            k = cv.sum()
            se = 1.0 / np.sqrt(k)
            out["ci_method"] = "delta_poisson"
            if rv is not None:
                roas = rv.sum() / sp.sum()
                out["roas_ci_low"], out["roas_ci_high"] = roas * np.exp(-Z * se), roas * np.exp(Z * se)
            cpa = sp.sum() / k
            out["cpa_ci_low"], out["cpa_ci_high"] = cpa * np.exp(-Z * se), cpa * np.exp(Z * se)
        rows.append(out)
    return pd.DataFrame(rows, columns=["channel", "ci_method", "roas_ci_low", "roas_ci_high", "cpa_ci_low",
                                       "cpa_ci_high"])


def pairwise_tests(kpis: pd.DataFrame) -> list[dict]:
    """Two-proportion z-tests of CTR and CVR for every pair, Holm-adjusted within each metric.

    Parameters
    ----------
    kpis : pd.DataFrame
        :func:`kpi_table`.

    Returns
    -------
    list[dict]
        Rows with ``metric``, ``a``, ``b``, ``rate_a``, ``rate_b``, ``diff``, ``p_value``, ``p_adjusted``,
        ``significant``.
    """
    top = kpis.sort_values("spend", ascending=False).head(MAX_PAIR_GROUPS)
    out: list[dict] = []
    for metric, num, den in (("ctr", "clicks", "impressions"), ("cvr", "conversions", "clicks")):
        sub = top.loc[top[den].fillna(0) > 0]
        pairs = list(combinations(range(len(sub)), 2))
        if not pairs:
            continue
        a = np.array([p[0] for p in pairs])
        b = np.array([p[1] for p in pairs])
        k = np.minimum(sub[num].fillna(0).to_numpy(float), sub[den].to_numpy(float))
        n = sub[den].to_numpy(float)
        _, p = two_proportion_ztest(k[a], n[a], k[b], n[b])
        p = np.atleast_1d(p)
        adj = holm(p)
        names = sub["channel"].tolist()
        for i, (x, y) in enumerate(pairs):
            out.append({"metric": metric, "a": names[x], "b": names[y], "rate_a": k[x] / n[x], "rate_b": k[y] / n[y],
                        "diff": k[x] / n[x] - k[y] / n[y], "p_value": float(p[i]), "p_adjusted": float(adj[i]),
                        "significant": bool(adj[i] < ALPHA)})
    return out


def fit_curve(spend: np.ndarray, revenue: np.ndarray, min_points: int = 8) -> dict:
    """revenue = a * spend^b by OLS in log-log; returns dict(a, b, b_se, r2, n) or dict(reason).

    Parameters
    ----------
    spend : np.ndarray
        Spend per unit.
    revenue : np.ndarray
        Revenue per unit.
    min_points : int
        Fewest usable points.

    Returns
    -------
    dict
        ``a``, ``b``, ``b_se``, ``r2``, ``n``, ``spend_min``, ``spend_max``, ``dropped``; or ``reason``
        (few_points, narrow_range) and ``n``.
    """
    ok = np.isfinite(spend) & np.isfinite(revenue) & (spend > 0) & (revenue > 0)
    n = int(ok.sum())
    if n < min_points:
        return {"reason": "few_points", "n": n}
    x, y = np.log(spend[ok]), np.log(revenue[ok])
    if spend[ok].max() / spend[ok].min() < 1.5:
        return {"reason": "narrow_range", "n": n}
    X = np.column_stack([np.ones(n), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    dof = max(n - 2, 1)
    s2 = float(resid @ resid) / dof
    cov = s2 * np.linalg.inv(X.T @ X)
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    # smearing correction (Duan) so that the curve predicts the mean revenue, not the median
    smear = float(np.mean(np.exp(resid)))
    return {"a": float(np.exp(beta[0]) * smear), "b": float(beta[1]), "b_se": float(np.sqrt(cov[1, 1])),
            "r2": 1 - float(resid @ resid) / ss_tot if ss_tot > 0 else None, "n": n,
            "spend_min": float(spend[ok].min()), "spend_max": float(spend[ok].max()), "dropped": int(len(spend) - n)}
