"""Live commerce (issue 16): live sessions, creator deals and content frames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import BRAND, N_DAYS, _D0
from .orders import _str

_HOSTS = ("小光 Lumi官方", "Lily 莉莉", "阿杰 Jay", "Mia 米娅", "周末店播")
_HOST_GPM = np.array([1.00, 1.45, 0.85, 1.10, 0.70])  # relative GMV per 1,000 views
_LIVE_PLATFORMS = ("Douyin", "Taobao", "Kuaishou")
_CREATORS = (("美妆小鹿", "Douyin", 3_200_000), ("Coco酱", "Douyin", 1_150_000), ("护肤老王", "Kuaishou", 860_000),
             ("Yuki的化妆间", "Xiaohongshu", 420_000), ("大狗说成分", "Douyin", 5_400_000), ("一只阿花", "Taobao", 2_100_000),
             ("素人测评社", "Xiaohongshu", 95_000), ("香香公主", "Douyin", 680_000), ("北北Bella", "Kuaishou", 1_900_000),
             ("敏感肌日记", "Xiaohongshu", 240_000), ("林小美", "Taobao", 730_000), ("阿May种草", "Douyin", 150_000))
_FORMAT_SPEC = {  # format: (share, plays median, engagement rate, click rate, gmv per play, spend per play)
    "短视频": (0.45, 42_000, 0.055, 0.012, 0.09, 0.020),
    "直播": (0.15, 18_000, 0.035, 0.030, 0.40, 0.060),
    "图文笔记": (0.25, 9_000, 0.080, 0.008, 0.05, 0.030),
    "商品卡": (0.15, 15_000, 0.010, 0.045, 0.30, 0.015),
}


def _live_sessions_frame(rng: np.random.Generator, n: int = 120) -> pd.DataFrame:
    day = np.sort(rng.choice(N_DAYS, n, replace=False))
    hour = rng.choice(np.array([10, 12, 14, 19, 20, 21]), n, p=[0.12, 0.12, 0.14, 0.22, 0.25, 0.15])
    start = (_D0 + day).astype("datetime64[s]") + (hour * 3600 + rng.integers(0, 4, n) * 900).astype("timedelta64[s]")
    host = rng.choice(len(_HOSTS), n, p=[0.3, 0.2, 0.2, 0.15, 0.15])
    platform = rng.choice(len(_LIVE_PLATFORMS), n, p=[0.6, 0.25, 0.15])
    duration = np.round(rng.uniform(90, 300, n) / 5) * 5
    products = rng.integers(15, 61, n).astype(float)
    spend = np.round(rng.gamma(2.0, 6000.0, n), 2)
    evening = hour >= 18
    uv = np.round(rng.lognormal(9.3, 0.4, n) * (duration / 180) * (1 + spend / 40_000) * np.where(evening, 1.5, 1.0))
    views = np.round(uv * rng.uniform(1.4, 2.1, n))
    peak = np.round(uv * rng.uniform(0.04, 0.09, n))
    watch = np.round(rng.uniform(45, 160, n))
    exposures = np.round(uv * rng.uniform(0.55, 0.8, n))
    clicks = np.round(exposures * rng.uniform(0.08, 0.18, n) * _HOST_GPM[host] ** 0.5)
    orders = np.round(clicks * rng.uniform(0.10, 0.22, n) * np.where(evening, 1.15, 1.0))
    buyers = np.minimum(orders, np.round(orders * rng.uniform(0.86, 0.97, n)))
    gmv = np.round(orders * rng.normal(205, 25, n) * _HOST_GPM[host] ** 0.5, 2)
    followers = np.round(uv * rng.uniform(0.004, 0.012, n))
    return pd.DataFrame({
        "session_id": _str(np.array([f"LS{(i + 1):04d}" for i in range(n)], dtype=object)),
        "start_time": start.astype("datetime64[ns]"),
        "duration": duration, "host": _str(np.array(_HOSTS, dtype=object)[host]),
        "platform": _str(np.array(_LIVE_PLATFORMS, dtype=object)[platform]),
        "views": views, "unique_viewers": uv, "peak_online": peak, "avg_watch_time": watch,
        "product_exposures": exposures, "product_clicks": clicks, "orders": orders, "buyers": buyers, "gmv": gmv,
        "spend": spend, "followers_gained": followers, "products": products,
    })


def _creators_frame(rng: np.random.Generator, n: int = 30) -> pd.DataFrame:
    who = np.concatenate([np.arange(len(_CREATORS)), rng.integers(0, len(_CREATORS), n - len(_CREATORS))])
    rng.shuffle(who)
    fans = np.array([c[2] for c in _CREATORS], dtype=float)[who]
    day = np.sort(rng.choice(np.arange(60, N_DAYS - 10), n, replace=False))
    slot_fee = np.round(fans * rng.uniform(0.004, 0.012, n), -2)
    rate = rng.choice(np.array([0.15, 0.20, 0.25, 0.30]), n)
    gmv = np.round(fans * rng.lognormal(-2.6, 0.8, n), 2)
    orders = np.round(gmv / rng.normal(180, 20, n))
    posts = rng.integers(1, 4, n).astype(float)
    return pd.DataFrame({
        "creator": _str(np.array([c[0] for c in _CREATORS], dtype=object)[who]),
        "platform": _str(np.array([c[1] for c in _CREATORS], dtype=object)[who]),
        "followers": fans, "slot_fee": slot_fee, "commission_rate": rate,
        "date": ((_D0 + day).astype("datetime64[s]") + np.timedelta64(20 * 3600, "s")).astype("datetime64[ns]"),
        "session": _str(np.array([f"CR{(i + 1):03d}" for i in range(n)], dtype=object)),
        "gmv": gmv, "orders": orders, "posts": posts,
    })


def _content_frame(rng: np.random.Generator, n: int = 400) -> pd.DataFrame:
    names = list(_FORMAT_SPEC)
    fmt = rng.choice(len(names), n, p=[_FORMAT_SPEC[k][0] for k in names])
    spec = np.array([_FORMAT_SPEC[k][1:] for k in names])[fmt]
    plays = np.round(spec[:, 0] * rng.lognormal(0, 0.7, n))
    eng = plays * spec[:, 1] * rng.lognormal(0, 0.3, n)
    split = rng.dirichlet([6, 1.5, 1, 1.5], n)
    likes, comments, shares, saves = (np.round(eng * split[:, i]) for i in range(4))
    clicks = np.round(plays * spec[:, 2] * rng.lognormal(0, 0.3, n))
    gmv = np.round(plays * spec[:, 3] * rng.lognormal(0, 0.5, n), 2)
    spend = np.round(plays * spec[:, 4] * rng.lognormal(0, 0.3, n), 2)
    day = rng.integers(0, N_DAYS, n)
    creator = rng.integers(0, len(_CREATORS) + 1, n)
    creators = np.array([c[0] for c in _CREATORS] + [BRAND], dtype=object)
    return pd.DataFrame({
        "content_id": _str(np.array([f"CT{(i + 1):05d}" for i in range(n)], dtype=object)),
        "date": ((_D0 + day).astype("datetime64[s]") + rng.integers(8 * 3600, 23 * 3600, n).astype("timedelta64[s]"))
        .astype("datetime64[ns]"),
        "format": _str(np.array(names, dtype=object)[fmt]), "creator": _str(creators[creator]), "plays": plays,
        "completion_rate": np.round(np.clip(rng.normal(0.28, 0.08, n), 0.03, 0.9), 4),
        "likes": likes, "comments": comments, "shares": shares, "saves": saves, "clicks": clicks,
        "orders": np.round(gmv / 160), "gmv": gmv, "spend": spend,
    })
