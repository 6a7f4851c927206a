"""The customer base: demographics, purchase rates and dropout (BG/NBD) of each person."""

from __future__ import annotations

import numpy as np

from .base import _CH_SHARE
from .geography import _CITIES, _C_TIER, _C_W, _OCCUPATIONS, _TIER_P


def _people(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Demographics and behavioural traits of n customers (codes, not strings)."""
    city_p = _C_W * _TIER_P[_C_TIER] / np.bincount(_C_TIER, weights=_C_W)[_C_TIER]
    city = rng.choice(len(_CITIES), n, p=city_p / city_p.sum())
    tier = _C_TIER[city]
    female = rng.random(n) < 0.84
    band_lo = np.array([18, 25, 30, 35, 40, 50])
    band_hi = np.array([24, 29, 34, 39, 49, 60])
    band = rng.choice(6, n, p=[0.24, 0.25, 0.20, 0.13, 0.12, 0.06])
    age = band_lo[band] + np.floor(rng.random(n) * (band_hi[band] - band_lo[band] + 1)).astype(int)
    # occupation by age
    occ_p = np.array([
        # 学生 白领 管理 自由 公务 个体 全职妈妈 服务 退休
        [0.55, 0.20, 0.00, 0.10, 0.02, 0.03, 0.00, 0.10, 0.00],
        [0.06, 0.50, 0.04, 0.12, 0.08, 0.06, 0.04, 0.10, 0.00],
        [0.00, 0.45, 0.10, 0.10, 0.10, 0.08, 0.09, 0.08, 0.00],
        [0.00, 0.38, 0.16, 0.09, 0.11, 0.10, 0.10, 0.06, 0.00],
        [0.00, 0.30, 0.18, 0.08, 0.13, 0.13, 0.08, 0.08, 0.02],
        [0.00, 0.15, 0.12, 0.06, 0.12, 0.12, 0.05, 0.08, 0.30],
    ])
    u = rng.random(n)
    occ = (np.cumsum(occ_p, axis=1)[band] < u[:, None]).sum(axis=1).clip(0, len(_OCCUPATIONS) - 1)
    occ_inc = np.array([1500, 9000, 22000, 8500, 9500, 12000, 4000, 5500, 4500], dtype=float)
    tier_inc = np.array([1.55, 1.25, 1.0, 0.82, 0.68])
    income = np.round(occ_inc[occ] * tier_inc[tier] * np.exp(rng.normal(0, 0.35, n)), -2)
    # price affinity: income and tier, plus taste
    z = 0.8 * np.log(income / 8000.0) + 0.25 * (2 - tier) + rng.normal(0, 0.6, n)
    price_tier = np.digitize(z, np.quantile(z, [0.35, 0.80]))  # 0 budget, 1 mid, 2 premium
    # purchase frequency multiplier: 25-39, big cities, women buy more often
    freq = (np.array([0.9, 1.25, 1.25, 1.1, 0.9, 0.75])[band] * np.array([1.25, 1.15, 1.0, 0.9, 0.8])[tier]
            * np.where(female, 1.0, 0.65))
    # platform preference (logits)
    lg = np.log(_CH_SHARE)[None, :].repeat(n, axis=0)
    young = age < 25
    lg[:, 0] += 0.5 * young - 0.3 * (age >= 40)            # Douyin
    lg[:, 1] += 0.45 * (tier >= 3) - 0.5 * (tier <= 1)      # Kuaishou
    lg[:, 2] += 0.2 * (age >= 25) * (age < 40)               # Taobao
    lg[:, 3] += 0.6 * (age >= 35) + 0.5 * (~female) + 0.3 * (price_tier == 2)  # JD
    lg[:, 4] += 0.9 * (tier >= 3) + 0.5 * (price_tier == 0) - 0.6 * (tier == 0)  # Pinduoduo
    lg[:, 5] += 0.7 * (age >= 35) + 0.3 * (price_tier == 2)  # WeChat mini program
    lg[:, 6] += 0.8 * young + 0.5 * (tier <= 1) - 0.6 * (age >= 40) - 0.5 * (~female)  # Xiaohongshu
    ch_p = np.exp(lg)
    ch_p /= ch_p.sum(axis=1, keepdims=True)
    primary = (np.cumsum(ch_p, axis=1) < rng.random(n)[:, None]).sum(axis=1).clip(0, 6)
    # category preference
    cat_w = np.array([0.50, 0.22, 0.08, 0.12, 0.08])[None, :].repeat(n, axis=0)
    cat_w[young, 1] *= 1.7
    cat_w[young, 0] *= 0.85
    cat_w[age >= 35, 0] *= 1.25
    cat_w[age >= 35, 1] *= 0.65
    cat_w[~female, 3] *= 3.0
    cat_w[~female, 1] *= 0.25
    cat_w[~female, 2] *= 0.8
    cat_w[price_tier == 2, 2] *= 1.6
    cat_w[price_tier == 2, 4] *= 1.4
    cat_w[price_tier == 0, 3] *= 1.3
    cat_w[price_tier == 0, 4] *= 0.6
    cat_w /= cat_w.sum(axis=1, keepdims=True)
    return {"city": city, "tier": tier, "female": female, "age": age, "band": band, "occ": occ,
            "income": income, "price_tier": price_tier, "freq": freq, "ch_p": ch_p, "primary": primary,
            "cat_p": cat_w}
