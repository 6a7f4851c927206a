"""The demo's fixed frame: the brand, the two-year calendar window, the platforms (their shares and
refund rates), the datasets' names, the Spring-Festival dates, the campaigns and the coupon test."""

from __future__ import annotations

from datetime import date

import numpy as np

BRAND = "Lumi 光迹"
START = date(2024, 11, 1)
END = date(2026, 10, 31)  # inclusive
N_DAYS = (END - START).days + 1  # 730
_D0 = np.datetime64(START.isoformat(), "D")

CHANNELS = ("Douyin", "Kuaishou", "Taobao", "JD", "Pinduoduo", "WeChat", "Xiaohongshu")
_CH_SHARE = np.array([0.30, 0.08, 0.28, 0.10, 0.09, 0.08, 0.07])
# refund rate of a sale line per platform (live-stream impulse buys are returned more often)
_CH_RETURN = np.array([0.060, 0.055, 0.032, 0.025, 0.035, 0.020, 0.030])

DEMO_NAMES: dict[str, str] = {
    "orders": "Demo · orders (Douyin/Taobao/JD/Pinduoduo/Kuaishou/WeChat/Xiaohongshu)",
    "customers": "Demo · customers (Lumi 光迹 members)",
    "channels": "Demo · channels (daily ad performance per platform and campaign)",
    "competitors": "Demo · competitors (prices and promotions)",
    "experiments": "Demo · experiments (Coupon test Sep 2026)",
    "feedback": "Demo · feedback (ratings, NPS and comments)",
    "market": "Demo · market (beauty category size by platform)",
    "media_mix": "Demo · media mix (weekly sales and spend per platform)",
    "live_sessions": "Demo · live sessions (Douyin/Taobao/Kuaishou live rooms)",
    "creators": "Demo · creator deals (达人 slot fees and commissions)",
    "content": "Demo · content (short videos, notes, product cards)",
    "audience": "Demo · audience assets (数据银行 AIPL, 巨量云图 O-5A, weekly)",
}

CNY = {2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6)}

CAMPAIGNS = ("618大促", "双11", "双12", "年货节", "38节", "Coupon test Sep 2026")
COUPON_TEST = (date(2026, 9, 10), date(2026, 9, 24))
