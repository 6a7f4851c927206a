"""The experiments frame: the randomised coupon test (Coupon test Sep 2026)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import CHANNELS
from .geography import _MEMBER_LEVELS, _TIERS, _TIER_P
from .orders import _digits_ids, _str


def _experiments_frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    group = rng.choice(3, n, p=[0.4, 0.4, 0.2])  # 0: ¥20, 1: ¥50, 2: control
    tier = rng.choice(5, n, p=_TIER_P)
    level = rng.choice(4, n, p=[0.60, 0.25, 0.11, 0.04])
    channel = rng.choice(7, n, p=[0.20, 0.05, 0.25, 0.10, 0.05, 0.30, 0.05])
    new = rng.random(n) < np.where(level == 0, 0.5, 0.05)
    pre = np.where(new | (rng.random(n) < 0.30), 0.0,
                   np.round(rng.lognormal(np.log(180) + 0.45 * level, 0.7, n), 2))
    # baseline propensity rises with recent spend; new customers convert less often
    x = np.log1p(pre / 100.0)
    base = np.exp(1.1 * x) * np.where(new, 0.8, 1.0)
    p0 = 0.040 * base / base.mean()
    # lift (percentage points): much stronger for new customers and lower-tier cities (price sensitive)
    seg = np.where(new, 2.6, 0.55) * np.where(tier >= 3, 1.3, 0.85)
    seg = seg / seg.mean()
    p = p0.copy()
    for g, target in ((0, 0.050), (1, 0.058)):
        p[group == g] = (p0 + (target - p0.mean()) * seg)[group == g]
    converted = rng.random(n) < p
    visit_p = np.where(group == 2, 0.11, np.where(group == 0, 0.14, 0.16)) * (0.7 + 0.3 * base / base.mean())
    visited = converted | (rng.random(n) < visit_p)
    basket = rng.lognormal(np.log(130) + 0.6 * x, 0.35, n)
    # coupon users fill the basket up to the threshold (满199减20 / 满299减50) and pay net of the coupon
    uses = (group < 2) & (rng.random(n) < 0.85)
    threshold = np.where(group == 0, 199.0, 299.0) + rng.uniform(0, 60, n)
    basket = np.where(uses, np.maximum(basket, threshold) - np.where(group == 0, 20.0, 50.0), basket)
    revenue = np.where(converted, np.round(basket, 2), 0.0)
    groups = np.array(["Coupon ¥20", "Coupon ¥50", "Control"], dtype=object)
    df = pd.DataFrame({
        "unit_id": _str(_digits_ids("U", np.arange(1, n + 1), 6)),
        "group": _str(groups[group]),
        "converted": pd.array(converted, dtype="boolean"),
        "revenue": revenue.astype(float),
        "visited": pd.array(visited, dtype="boolean"),
        "pre_period_value": pre.astype(float),
        "exposure_date": pd.Series(np.full(n, np.datetime64("2026-09-10", "ns"))),
        "attr_city_tier": _str(np.array(_TIERS, dtype=object)[tier]),
        "attr_member_level": _str(np.array(_MEMBER_LEVELS, dtype=object)[level]),
        "attr_channel": _str(np.array(CHANNELS, dtype=object)[channel]),
        "attr_new_customer": _str(np.where(new, "new", "returning").astype(object)),
    })
    return df
