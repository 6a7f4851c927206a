"""The channels frame: daily ad performance per platform and campaign."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import CHANNELS
from .calendar import _organic
from .spend import _CH_AOV, _CH_SPEC


def _channels_frame(rng: np.random.Generator, days: np.ndarray, shapes: dict,
                    net_by_channel: np.ndarray) -> pd.DataFrame:
    organic = _organic(days)
    season = (organic / organic.mean()) ** 0.25
    parts = []
    for ci, ch in enumerate(CHANNELS):
        spec = _CH_SPEC[ch]
        sh, resp = shapes[ch]["shape"], shapes[ch]["resp"]
        n, k = sh.shape
        rev_raw = resp * season[:, None] * np.exp(rng.normal(0, 0.10, (n, k)))
        target_rev = spec["attr"] * max(net_by_channel[ci], 1.0)
        revenue = rev_raw * (target_rev / rev_raw.sum())
        spend = sh * (target_rev / spec["roas"] / sh.sum())
        aov = _CH_AOV[ci] * np.exp(rng.normal(0, 0.08, (n, k)))
        conversions = np.maximum(np.round(revenue / aov), 0)
        cvr = spec["cvr"] * np.exp(rng.normal(0, 0.10, (n, k)))
        clicks = np.maximum(np.round(np.maximum(conversions, 0.3) / cvr), conversions)
        ctr = spec["ctr"] * np.exp(rng.normal(0, 0.10, (n, k)))
        impressions = np.round(clicks / ctr)
        views = np.round(impressions * spec["view"] * np.exp(rng.normal(0, 0.10, (n, k))))
        likes = np.round(views * spec["like"] * np.exp(rng.normal(0, 0.15, (n, k))))
        comments = np.round(views * spec["comment"] * np.exp(rng.normal(0, 0.2, (n, k))))
        shares = np.round(views * spec["share"] * np.exp(rng.normal(0, 0.2, (n, k))))
        follows = np.round(impressions * spec["follow"] * 0.1 * np.exp(rng.normal(0, 0.2, (n, k))))
        for j, camp in enumerate(spec["camps"]):
            parts.append(pd.DataFrame({
                "date": days.astype("datetime64[ns]"),
                "channel": ch,
                "campaign": camp,
                "spend": np.round(spend[:, j], 2),
                "impressions": impressions[:, j],
                "clicks": clicks[:, j],
                "conversions": conversions[:, j],
                "revenue": np.round(revenue[:, j], 2),
                "video_views": views[:, j],
                "likes": likes[:, j],
                "comments": comments[:, j],
                "shares": shares[:, j],
                "followers_gained": follows[:, j],
            }))
    df = pd.concat(parts, ignore_index=True).sort_values(["date", "channel", "campaign"], kind="stable")
    df = df.reset_index(drop=True)
    for c in ("channel", "campaign"):
        df[c] = df[c].astype("str")
    return df
