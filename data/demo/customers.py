"""The customers frame: one row per member of the demo base."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import CHANNELS, _D0
from .geography import _C_NAME, _C_PROV, _INTERESTS, _MEMBER_LEVELS, _OCCUPATIONS, _TIERS
from .orders import _str


def _customers_frame(rng: np.random.Generator, people: dict, lines: dict, orders: dict,
                     cust_ids: pd.Series) -> pd.DataFrame:
    n = len(cust_ids)
    existing = people["arrival"] < 0  # members who joined before the window
    net = np.bincount(lines["cust"], weights=lines["amount"], minlength=n)
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, orders["cust"], orders["day"].astype(np.int64) * 86400 + orders["sec"])
    # signup: members of the burn-in period joined when they arrived; new customers on (or up to 30 days
    # before) their first order
    lead = np.where(rng.random(n) < 0.6, 0, rng.integers(1, 31, n)) * 86400 + rng.integers(60, 1800, n)
    before = (people["arrival"] * 86400).astype(np.int64) + rng.integers(0, 86400, n)
    secs = np.where(existing | (first == np.iinfo(np.int64).max), np.minimum(before, first - 60), first - lead)
    signup = _D0.astype("datetime64[s]") + secs.astype("timedelta64[s]")
    # member level from spend in the window (plus the history of earlier members)
    score = net + existing * rng.gamma(1.0, 300.0, n)
    q = np.quantile(score, [0.65, 0.88, 0.97])
    level = np.digitize(score, q)
    points = np.round(np.maximum(net, 0) * rng.uniform(0.4, 1.0, n) + existing * rng.integers(0, 3000, n))
    # interests: 2-4 tags, weighted by age and gender
    base = np.ones((n, len(_INTERESTS)))
    young = people["age"] < 25
    base[:, 0] *= 4
    base[:, 1] *= np.where(young, 4.0, 2.0)
    base[:, 2] *= np.where(people["price_tier"] == 2, 2.5, 1.0)
    base[:, 9] *= np.where((people["age"] >= 28) & (people["age"] < 40) & people["female"], 3.0, 0.3)
    base[:, 15] *= np.where(young | ~people["female"], 2.5, 0.6)
    base[:, 16] *= np.where(~people["female"], 3.0, 0.6)
    base[:, 19] *= np.where(young, 2.0, 0.3)
    base[:, 5] *= np.where(people["income"] > 12000, 2.0, 1.0)
    # Gumbel top-k sampling without replacement
    g = np.log(base) - np.log(-np.log(rng.random(base.shape)))
    top = np.argsort(-g, axis=1)[:, :4]
    k = rng.integers(2, 5, n)
    tags = np.array(_INTERESTS, dtype=object)
    interests = np.array([",".join(tags[top[i, : k[i]]]) for i in range(n)], dtype=object)
    birth_year = 2026 - people["age"]
    df = pd.DataFrame({
        "customer_id": _str(cust_ids),
        "gender": _str(np.where(people["female"], "女", "男").astype(object)),
        "age": people["age"].astype(float),
        "birth_year": birth_year.astype(float),
        "region": _str(_C_PROV[people["city"]]),
        "city": _str(_C_NAME[people["city"]]),
        "city_tier": _str(np.array(_TIERS, dtype=object)[people["tier"]]),
        "signup_date": signup.astype("datetime64[ns]"),
        "member_level": _str(np.array(_MEMBER_LEVELS, dtype=object)[level]),
        "occupation": _str(np.array(_OCCUPATIONS, dtype=object)[people["occ"]]),
        "income": people["income"].astype(float),
        "interests": _str(interests),
        "acquisition_channel": _str(np.array(CHANNELS, dtype=object)[people["primary"]]),
        "points": points.astype(float),
    })
    return df
