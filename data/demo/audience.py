"""Audience assets (issue 17 item 5): weekly AIPL / O-5A stage counts and flows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .orders import _str

# model: (export's stage names in funnel order, base size, weekly flow rate to the next stage, platform whose
# spend drives the audience). Sizes of a mid-size beauty brand: 数据银行 AIPL assets on Tmall/Taobao, 巨量云图
# O-5A on Douyin; A3 -> A4 (问询 -> 行动) is deliberately the weakest link of O-5A.
_AUDIENCE_SPEC = {
    "AIPL": (("认知", "兴趣", "购买", "忠诚"), (6_000_000, 900_000, 240_000, 55_000), (0.045, 0.060, 0.030), "Taobao"),
    "O-5A": (("机会人群", "了解人群", "吸引人群", "问询人群", "行动人群", "拥护人群"),
             (18_000_000, 5_200_000, 1_400_000, 520_000, 130_000, 36_000), (0.060, 0.050, 0.055, 0.012, 0.045),
             "Douyin"),
}


def _audience_frame(rng: np.random.Generator, channels: pd.DataFrame) -> pd.DataFrame:
    """Weekly stage sizes (Monday snapshots) and stage-to-stage flows of both models; sizes and flows rise
    with the same week's spend on the platform (index 1 = that platform's mean weekly spend)."""
    week = channels["date"].dt.to_period("W-SUN").dt.start_time
    spend = channels.assign(week=week).groupby(["week", "channel"])["spend"].sum().unstack(fill_value=0.0)
    weeks = spend.index[1:-1]  # whole weeks only
    rows: list[pd.DataFrame] = []
    for model, (names, base, rates, platform) in _AUDIENCE_SPEC.items():
        idx = (spend.loc[weeks, platform] / spend.loc[weeks, platform].mean()).to_numpy()
        n_w, n_s = len(weeks), len(names)
        drift = np.cumsum(rng.normal(0.002, 0.01, (n_w, n_s)), axis=0)
        size = np.round(np.asarray(base) * np.exp(drift) * (1 + 0.25 * (idx[:, None] - 1) * np.linspace(1, 0.3, n_s))
                        * rng.lognormal(0, 0.02, (n_w, n_s)))
        rows.append(pd.DataFrame({"date": np.repeat(weeks.to_numpy(), n_s), "model": model,
                                  "stage": np.tile(np.array(names, dtype=object), n_w), "people": size.ravel()}))
        prev = size[:-1, :-1]  # flows of week t from the stages of week t - 1
        rate = np.asarray(rates) * (1 + 0.15 * (idx[1:, None] - 1)) * rng.lognormal(0, 0.08, prev.shape)
        flow = rng.binomial(prev.astype(np.int64), np.clip(rate, 0, 1)).astype(float)
        rows.append(pd.DataFrame({"date": np.repeat(weeks[1:].to_numpy(), n_s - 1), "model": model,
                                  "from_stage": np.tile(np.array(names[:-1], dtype=object), n_w - 1),
                                  "to_stage": np.tile(np.array(names[1:], dtype=object), n_w - 1),
                                  "flow": flow.ravel()}))
    out = pd.concat(rows, ignore_index=True)
    for c in ("model", "stage", "from_stage", "to_stage"):
        out[c] = _str(out[c].to_numpy(dtype=object))
    return out
