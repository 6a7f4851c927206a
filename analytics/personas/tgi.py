"""Intervals and TGI: the Wilson interval, the TGI table from counts, and a segment's profile against the whole
base from the fit's counts per segment (order attributes with the effective sample size clustered by customer)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import BEHAVIOUR_ATTRS, CUSTOMER_ATTRS, MIN_SIZE, ORDER_ATTRS

def wilson(count, nobs, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (statsmodels). nobs may be an effective (non-integer) sample size.

    Parameters
    ----------
    count
        Successes.
    nobs
        Trials (may be effective, non-integer).
    alpha : float
        Two-sided level.

    Returns
    -------
    tuple[np.ndarray, np.ndarray]
        (low, high) arrays, NaN where ``nobs`` is 0.
    """
    from statsmodels.stats.proportion import proportion_confint

    count = np.asarray(count, float)
    nobs = np.asarray(nobs, float)
    ok = nobs > 0
    lo = np.full(count.shape, np.nan)
    hi = np.full(count.shape, np.nan)
    if ok.any():
        lo_, hi_ = proportion_confint(count[ok], nobs[ok], alpha=alpha, method="wilson")
        lo[ok], hi[ok] = lo_, hi_
    return lo, hi


def tgi_table(seg_count, seg_n, base_count, base_n, n_eff=None) -> pd.DataFrame:
    """Shares, TGI and intervals from counts. ``n_eff`` (optional) replaces seg_n in the interval.

    Parameters
    ----------
    seg_count
        Segment customers (or orders) with each value.
    seg_n
        Segment customers with a known value.
    base_count
        Base customers with each value.
    base_n
        Base customers with a known value.
    n_eff
        Effective segment sizes for the interval, or None.

    Returns
    -------
    pd.DataFrame
        Columns ``segment_share``, ``base_share``, ``tgi``, ``ci_low``, ``ci_high``, ``tgi_low``,
        ``tgi_high``, ``n_eff``, ``significant``.
    """
    seg_count = np.asarray(seg_count, float)
    seg_n = np.broadcast_to(np.asarray(seg_n, float), seg_count.shape)
    base_count = np.asarray(base_count, float)
    base_n = np.broadcast_to(np.asarray(base_n, float), base_count.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(seg_n > 0, seg_count / seg_n, np.nan)
        b = np.where(base_n > 0, base_count / base_n, np.nan)
        neff = seg_n if n_eff is None else np.minimum(np.asarray(n_eff, float), seg_n)
        lo, hi = wilson(s * neff, neff)
        tgi = s / b * 100
        tlo = lo / b * 100
        thi = hi / b * 100
    sig = (tlo > 100) | (thi < 100)
    return pd.DataFrame({"segment_share": s, "base_share": b, "tgi": tgi, "ci_low": lo, "ci_high": hi,
                         "tgi_low": tlo, "tgi_high": thi, "n_eff": neff, "significant": sig & np.isfinite(tgi)})


def _n_eff(sy: int, syy: int, syn: int, m: int, n: int, nn: int) -> float:
    """Effective sample size of the share p = sy / n of a ratio estimator clustered by customer, from
    exact integer sums: sum_i (y_i - p n_i)^2 = (n^2 syy - 2 n sy syn + sy^2 nn) / n^2 over the m customers,
    Var(p) = that / n^2 x m / (m - 1), n_eff = p (1 - p) / Var(p), at most n (n when m = 1 or Var = 0)."""
    if m <= 1 or n <= 0:
        return float(n)
    num = n * n * syy - 2 * n * sy * syn + sy * sy * nn
    var = num / (n ** 4) * (m / (m - 1))
    p = sy / n
    ne = p * (1 - p) / var if var > 0 else n
    return float(min(ne, n))


def profile(result: "PersonaFit", key: str | None) -> pd.DataFrame:
    """Attribute table of the segment ``key`` (:func:`segment_key`) against the whole base, from the
    fit's counts per segment: for every attribute value of the base, the segment's count and n, the
    base's, the shares, TGI and intervals (:func:`tgi_table`; order attributes with the clustered n_eff).

    Parameters
    ----------
    result : 'PersonaFit'
        The persona fit.
    key : str | None
        The segment's key, or None.

    Returns
    -------
    pd.DataFrame
        One row per attribute value: counts, shares, TGI and intervals (see :func:`tgi_table`).
    """
    return _profile(result.customer_counts, result.customer_n, result.order_stats, key)


def _profile(cc: pd.DataFrame, cn: pd.DataFrame, st: pd.DataFrame, key: str | None) -> pd.DataFrame:
    frames = []
    if len(cc):
        cnt = cc.groupby(["attribute", "value"])["count"].sum().rename("base_count").reset_index()
        mine = cc.loc[cc["segment"] == key].set_index(["attribute", "value"])["count"]
        idx = pd.MultiIndex.from_frame(cnt[["attribute", "value"]])
        cnt["seg_count"] = mine.reindex(idx).fillna(0).to_numpy(np.int64)
        n_base = cn.groupby("attribute")["n"].sum()
        n_seg = cn.loc[cn["segment"] == key].groupby("attribute")["n"].sum()
        cnt["base_n"] = n_base.reindex(cnt["attribute"]).to_numpy()
        cnt["seg_n"] = n_seg.reindex(cnt["attribute"]).fillna(0).to_numpy()
        cnt["unit"] = "customers"
        cnt["n_eff"] = cnt["seg_n"]
        frames.append(cnt)
    if len(st):
        vals = st.loc[st["value"].notna()]
        attrs = st.loc[st["value"].isna()]
        cnt = vals.groupby(["attribute", "value"])["sy"].sum().rename("base_count").reset_index()
        mine = vals.loc[vals["segment"] == key].set_index(["attribute", "value"])
        idx = pd.MultiIndex.from_frame(cnt[["attribute", "value"]])
        cnt["seg_count"] = mine["sy"].reindex(idx).fillna(0).to_numpy(np.int64)
        base_tot = attrs.groupby("attribute")["sy"].sum()
        seg_attr = attrs.loc[attrs["segment"] == key].set_index("attribute")
        cnt["base_n"] = base_tot.reindex(cnt["attribute"]).to_numpy()
        cnt["seg_n"] = seg_attr["sy"].reindex(cnt["attribute"]).fillna(0).to_numpy()
        cnt["unit"] = np.where(cnt["attribute"] == "category", "purchases", "orders")
        neff = []
        for (attr, val), r in mine.iterrows():
            a = seg_attr.loc[attr]
            neff.append((attr, val, _n_eff(int(r["sy"]), int(r["syy"]), int(r["syn"]), int(a["m"]), int(a["sy"]),
                                           int(a["nn"]))))
        ne_df = pd.DataFrame(neff, columns=["attribute", "value", "n_eff"])
        cnt = cnt.merge(ne_df, on=["attribute", "value"], how="left")
        cnt["n_eff"] = cnt["n_eff"].fillna(cnt["seg_n"])
        frames.append(cnt)
    if not frames:
        return pd.DataFrame()
    df = pd.concat(frames, ignore_index=True)
    tg = tgi_table(df["seg_count"], df["seg_n"], df["base_count"], df["base_n"], df["n_eff"])
    out = pd.concat([df[["attribute", "value", "unit", "seg_count", "seg_n", "base_count", "base_n"]]
                     .rename(columns={"seg_count": "segment_count", "seg_n": "segment_n"}), tg], axis=1)
    out["small"] = out["n_eff"] < MIN_SIZE
    out.loc[out["small"], "significant"] = False
    order = {a: i for i, a in enumerate(CUSTOMER_ATTRS + BEHAVIOUR_ATTRS + ORDER_ATTRS)}
    out["_o"] = out["attribute"].map(order).fillna(99)
    out = out.sort_values(["_o", "segment_share"], ascending=[True, False]).drop(columns="_o")
    return out.reset_index(drop=True)
