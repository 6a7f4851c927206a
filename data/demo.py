"""Deterministic demo workspace: the fictional skincare & beauty brand "Lumi 光迹" (issue 3, item 4).

``generate(seed)`` returns one canonical frame per kind (docs/architecture.md "Canonical frames") for a
fixed two-year calendar, 2024-11-01 .. 2026-10-31, that tells one coherent story:

* one daily demand curve drives everything: a ~15 %/year trend, weekly (weekend) and yearly seasonality,
  the festivals (38节, 618, 双11 with its presale from Oct 20, 双12, 年货节, the Spring-Festival courier stop) and
  a media term driven by the channels' (adstocked, saturating) spend;
* customers follow a BG/NBD process (Gamma purchase rates, Beta dropout) in "operational time", which is
  mapped onto the calendar through the demand curve, so per-customer repeat/churn structure and the
  calendar's peaks hold at once; frequency, price level, categories and platforms depend on the
  customer's age, gender, city tier and income (so personas and TGI differ);
* channel revenue follows a Hill curve (h = 1, i.e. concave) of the geometric-adstocked spend with a
  different saturation and carryover per platform, scaled so that each platform's ad-attributed revenue
  is about half of its orders' net sales; the media-mix table is the weekly roll-up of the same numbers;
* competitor prices run their own promotions and a few deliberate price cuts; the own brand's rows use
  the same promotion depths as the orders;
* the coupon experiment is randomised 40/40/20 with a true lift that is stronger for new customers and
  lower-tier cities, and a pre-period value that predicts revenue (so CUPED helps);
* the market table's ``our_sales`` equals the orders' net sales per platform and month (earlier months are
  back-cast with the same growth).

Everything is vectorised numpy; the same seed gives identical frames.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from data.schema import KINDS

__all__ = ["generate", "generate_orders", "DEMO_NAMES", "START", "END", "CHANNELS", "BRAND"]

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

# ---------------------------------------------------------------- products

CATEGORIES = ("护肤 Skincare", "彩妆 Makeup", "香氛 Fragrance", "个护 Personal care", "套装 Gift sets")
_PRODUCTS: tuple[tuple[int, str, float], ...] = (
    (0, "玻尿酸保湿精华 Hyaluronic Hydra Serum 30ml", 199), (0, "光感焕亮VC精华 Radiance Vitamin C Serum 30ml", 269),
    (0, "极光修护面霜 Aurora Repair Cream 50g", 329), (0, "水润保湿面霜 Aqua Moisture Cream 50g", 159),
    (0, "氨基酸洁面乳 Amino Gentle Cleanser 120g", 69), (0, "清透爽肤水 Clear Balancing Toner 200ml", 99),
    (0, "补水面膜5片 Hydrating Sheet Mask x5", 59), (0, "睡眠面膜 Overnight Sleeping Mask 80g", 129),
    (0, "紧致眼霜 Firming Eye Cream 15g", 239), (0, "视黄醇抗老精华 Retinol Renewal Serum 30ml", 359),
    (0, "烟酰胺亮肤精华 Niacinamide Brightening Serum 30ml", 189), (0, "修护精华油 Repair Facial Oil 30ml", 299),
    (0, "轻透防晒乳 Daily Sun Shield SPF50+ 50ml", 139), (0, "清爽防晒喷雾 Sun Mist SPF50 150ml", 89),
    (0, "温和卸妆油 Cleansing Oil 200ml", 119), (0, "卸妆水 Micellar Water 400ml", 79),
    (0, "舒缓精华水 Soothing Essence 150ml", 169), (0, "胶原弹润面霜 Collagen Bounce Cream 50g", 459),
    (0, "至臻黑金精华 Black Gold Prestige Serum 30ml", 899), (0, "至臻黑金面霜 Black Gold Prestige Cream 50g", 799),
    (0, "祛痘精华 Blemish Clear Serum 20ml", 149), (0, "平衡乳液 Balancing Emulsion 120ml", 129),
    (1, "丝绒哑光口红 Velvet Matte Lipstick", 129), (1, "水光唇釉 Glossy Lip Tint", 99),
    (1, "气垫粉底 Cushion Foundation SPF30", 229), (1, "持妆粉底液 Long-wear Foundation 30ml", 259),
    (1, "遮瑕液 Concealer", 119), (1, "控油散粉 Setting Powder", 149), (1, "九色眼影盘 Eyeshadow Palette 9", 189),
    (1, "纤长睫毛膏 Volume Mascara", 99), (1, "防水眼线笔 Waterproof Eyeliner", 69), (1, "自然眉笔 Brow Pencil", 49),
    (1, "柔雾腮红 Soft Blush", 109), (1, "珠光高光 Highlighter", 119), (1, "定妆喷雾 Setting Spray 100ml", 139),
    (1, "妆前乳 Primer 30ml", 159),
    (2, "晨光淡香水 Morning Light EDT 30ml", 299), (2, "晨光淡香水 Morning Light EDT 100ml", 599),
    (2, "夜樱浓香水 Night Sakura EDP 50ml", 529), (2, "白茶香氛 White Tea EDT 50ml", 399),
    (2, "香氛身体乳 Perfumed Body Lotion 250ml", 139), (2, "香氛蜡烛 Scented Candle 200g", 199),
    (2, "车载香薰 Car Diffuser", 89), (2, "香氛小样套装 Fragrance Discovery Set", 159),
    (3, "氨基酸洗发水 Amino Shampoo 500ml", 79), (3, "修护护发素 Repair Conditioner 500ml", 79),
    (3, "深层发膜 Hair Mask 200ml", 99), (3, "香氛沐浴露 Body Wash 500ml", 69),
    (3, "烟酰胺身体乳 Niacinamide Body Lotion 250ml", 109), (3, "护手霜 Hand Cream 50g", 39),
    (3, "润唇膏 Lip Balm", 39), (3, "男士控油洁面 Men's Oil-control Cleanser", 69),
    (3, "男士保湿乳 Men's Moisturiser", 129), (3, "亮白牙膏 Whitening Toothpaste", 49),
    (4, "补水护肤三件套 Hydra Trio Set", 399), (4, "焕亮礼盒 Radiance Gift Box", 599),
    (4, "黑金臻享礼盒 Black Gold Prestige Gift Box", 899), (4, "口红礼盒 Lipstick Gift Box x3", 329),
    (4, "香氛礼盒 Fragrance Gift Box", 499), (4, "新年限定礼盒 New Year Limited Box", 459),
)
_P_CAT = np.array([p[0] for p in _PRODUCTS])
_P_NAME = np.array([p[1] for p in _PRODUCTS], dtype=object)
_P_PRICE = np.array([p[2] for p in _PRODUCTS], dtype=float)
_CAT_PREFIX = ("SK", "MU", "FR", "PC", "GS")
_P_ID = np.array(
    [f"LM-{_CAT_PREFIX[c]}-{i + 1:03d}" for i, c in enumerate(_P_CAT)], dtype=object
)
# base popularity within the category (hero products sell more)
_P_POP = np.ones(len(_PRODUCTS))
_P_POP[[0, 2, 4, 12, 22, 24, 36, 44, 49, 54]] = [4.0, 2.5, 3.0, 2.5, 3.0, 2.2, 2.0, 2.0, 1.8, 2.0]

# ---------------------------------------------------------------- geography

_TIERS = ("一线", "新一线", "二线", "三线", "四线及以下")
_TIER_P = np.array([0.15, 0.25, 0.22, 0.18, 0.20])
_CITIES: tuple[tuple[str, str, int, float], ...] = (
    ("上海", "上海", 0, 3), ("北京", "北京", 0, 3), ("广州", "广东", 0, 2.2), ("深圳", "广东", 0, 2.4),
    ("成都", "四川", 1, 2), ("杭州", "浙江", 1, 2), ("重庆", "重庆", 1, 1.6), ("武汉", "湖北", 1, 1.4),
    ("西安", "陕西", 1, 1.2), ("苏州", "江苏", 1, 1.3), ("南京", "江苏", 1, 1.2), ("天津", "天津", 1, 1),
    ("长沙", "湖南", 1, 1.1), ("郑州", "河南", 1, 1), ("东莞", "广东", 1, 0.9), ("青岛", "山东", 1, 0.9),
    ("合肥", "安徽", 1, 0.8), ("宁波", "浙江", 1, 0.8), ("佛山", "广东", 1, 0.8),
    ("厦门", "福建", 2, 1), ("福州", "福建", 2, 1), ("济南", "山东", 2, 1), ("昆明", "云南", 2, 1),
    ("无锡", "江苏", 2, 1), ("大连", "辽宁", 2, 0.9), ("沈阳", "辽宁", 2, 0.9), ("南宁", "广西", 2, 0.9),
    ("南昌", "江西", 2, 0.9), ("石家庄", "河北", 2, 0.9), ("温州", "浙江", 2, 0.9), ("哈尔滨", "黑龙江", 2, 0.8),
    ("贵阳", "贵州", 2, 0.8),
    ("洛阳", "河南", 3, 1), ("绵阳", "四川", 3, 0.8), ("赣州", "江西", 3, 0.8), ("桂林", "广西", 3, 0.8),
    ("芜湖", "安徽", 3, 0.8), ("湛江", "广东", 3, 0.8), ("襄阳", "湖北", 3, 0.8), ("扬州", "江苏", 3, 0.8),
    ("宿迁", "江苏", 3, 0.7), ("遵义", "贵州", 3, 0.7),
    ("商丘", "河南", 4, 1), ("周口", "河南", 4, 1), ("南充", "四川", 4, 1), ("邵阳", "湖南", 4, 0.9),
    ("茂名", "广东", 4, 0.9), ("曲靖", "云南", 4, 0.8), ("六安", "安徽", 4, 0.8), ("黄冈", "湖北", 4, 0.8),
    ("上饶", "江西", 4, 0.8), ("达州", "四川", 4, 0.8), ("菏泽", "山东", 4, 0.9), ("邯郸", "河北", 4, 0.9),
)
_C_NAME = np.array([c[0] for c in _CITIES], dtype=object)
_C_PROV = np.array([c[1] for c in _CITIES], dtype=object)
_C_TIER = np.array([c[2] for c in _CITIES])
_C_W = np.array([c[3] for c in _CITIES], dtype=float)

_OCCUPATIONS = ("学生", "白领", "企业管理者", "自由职业", "公务员/事业单位", "个体经营", "全职妈妈", "服务业", "退休")
_INTERESTS = ("护肤", "彩妆", "香水", "健身", "瑜伽", "旅行", "美食", "咖啡", "宠物", "母婴", "时尚穿搭", "追剧",
              "摄影", "阅读", "户外", "游戏", "数码", "家居", "露营", "汉服")
_MEMBER_LEVELS = ("普通", "银卡", "金卡", "黑金")

# ---------------------------------------------------------------- calendar


def _days(start: date, n: int) -> np.ndarray:
    return np.datetime64(start.isoformat(), "D") + np.arange(n)


def _calendar(days: np.ndarray) -> dict[str, np.ndarray]:
    """Festival multipliers, campaign labels and promotion depth for an array of datetime64[D] days."""
    n = len(days)
    ts = pd.DatetimeIndex(days)
    mult = np.ones(n)
    camp = np.full(n, -1)  # index into CAMPAIGNS
    depth = np.full(n, 0.0)  # average discount rate of the day's promotions
    peak = np.zeros(n, dtype=bool)
    ev618 = np.zeros(n, dtype=bool)
    ev1111 = np.zeros(n, dtype=bool)

    def where(a: date, b: date) -> np.ndarray:
        return (days >= np.datetime64(a.isoformat(), "D")) & (days <= np.datetime64(b.isoformat(), "D"))

    for y in sorted({int(v) for v in ts.year} | {int(ts.year.min()) - 1}):
        # 38节 (Women's Day): Mar 1 - 8, peak Mar 8
        m = where(date(y, 3, 1), date(y, 3, 8))
        k = (days[m] - np.datetime64(f"{y}-03-01", "D")).astype(int)
        mult[m] *= 1.25 + 0.08 * k
        mult[m & (days == np.datetime64(f"{y}-03-08", "D"))] *= 1.3
        camp[m], depth[m] = 4, 0.12
        # 年货节: CNY-28 .. CNY-7, then the courier stop around the Spring Festival
        if y in CNY:
            c = CNY[y]
            m = where(c - timedelta(days=28), c - timedelta(days=7))
            mult[m] *= 1.35
            camp[m], depth[m] = 3, 0.12
            mult[where(c - timedelta(days=6), c + timedelta(days=6))] *= 0.55
        # 618: Jun 1 - 18, first-wave spike on Jun 1, ramp, peak Jun 18
        m = where(date(y, 6, 1), date(y, 6, 18))
        k = (days[m] - np.datetime64(f"{y}-06-01", "D")).astype(int)
        mult[m] *= 1.3 + 0.05 * k
        mult[m & (days == np.datetime64(f"{y}-06-01", "D"))] *= 1.6
        mult[m & (days == np.datetime64(f"{y}-06-18", "D"))] *= 3.0
        camp[m], ev618[m] = 0, True
        depth[m] = 0.14 + 0.004 * k
        depth[m & (days == np.datetime64(f"{y}-06-18", "D"))] = 0.22
        mult[where(date(y, 6, 19), date(y, 6, 20))] *= 1.15
        peak |= days == np.datetime64(f"{y}-06-18", "D")
        # 双11: presale from Oct 20, first wave Oct 31 - Nov 1, peak Nov 11
        m = where(date(y, 10, 20), date(y, 11, 11))
        k = (days[m] - np.datetime64(f"{y}-10-20", "D")).astype(int)
        mult[m] *= 1.3 + 0.025 * k
        for d, f in (((10, 20), 1.35), ((10, 31), 1.4), ((11, 1), 1.5), ((11, 10), 1.35), ((11, 11), 3.6)):
            mult[m & (days == np.datetime64(f"{y}-{d[0]:02d}-{d[1]:02d}", "D"))] *= f
        camp[m], ev1111[m] = 1, True
        depth[m] = 0.16 + 0.002 * k
        depth[m & (days == np.datetime64(f"{y}-11-11", "D"))] = 0.25
        peak |= days == np.datetime64(f"{y}-11-11", "D")
        mult[where(date(y, 11, 12), date(y, 11, 13))] *= 1.15
        # 双12: Dec 10 - 12, peak Dec 12
        m = where(date(y, 12, 10), date(y, 12, 12))
        mult[m] *= 1.5
        mult[m & (days == np.datetime64(f"{y}-12-12", "D"))] *= 1.4
        camp[m], depth[m] = 2, 0.12
    m = where(*COUPON_TEST)
    camp[m] = 5
    return {"mult": mult, "campaign": camp, "depth": depth, "peak": peak, "ev618": ev618, "ev1111": ev1111}


_WEEKLY = np.array([0.93, 0.90, 0.92, 0.95, 1.02, 1.16, 1.12])  # Mon..Sun


def _organic(days: np.ndarray, growth: float = 0.15) -> np.ndarray:
    """Daily demand index without media: trend x weekly x yearly x festivals (mean ~1 on plain days)."""
    t_years = (days - _D0).astype(int) / 365.25
    dow = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday -> Mon = 0
    doy = pd.DatetimeIndex(days).day_of_year.to_numpy()
    yearly = 1 + 0.10 * np.cos(2 * np.pi * (doy - 10) / 365.25) - 0.05 * np.cos(4 * np.pi * (doy - 200) / 365.25)
    return np.exp(np.log1p(growth) * t_years) * _WEEKLY[dow] * yearly * _calendar(days)["mult"]


# ---------------------------------------------------------------- channels (spend shapes first)

# per platform: campaigns, adstock carryover, half-saturation K / mean adstocked spend, target ROAS,
# ad-attributed share of the platform's net sales, CTR, CVR (per click), CPM-free derived, view rate,
# like rate, comment rate, share rate, follow rate.
_CH_SPEC = {
    "Douyin": dict(camps=("Douyin 直播间 Live", "Douyin 信息流 Feed", "Douyin 达人 KOL"), carry=0.50, k=1.6,
                   roas=2.4, attr=0.55, ctr=0.011, cvr=0.020, view=0.38, like=0.030, comment=0.004,
                   share=0.003, follow=0.0015),
    "Kuaishou": dict(camps=("Kuaishou 磁力金牛 Live", "Kuaishou 短视频 Feed"), carry=0.40, k=1.0, roas=2.1,
                     attr=0.50, ctr=0.013, cvr=0.018, view=0.33, like=0.028, comment=0.004, share=0.003,
                     follow=0.0014),
    "Taobao": dict(camps=("Taobao 直通车 Search", "Taobao 万相台 Display", "Taobao 淘宝直播 Live"), carry=0.30,
                   k=0.6, roas=3.6, attr=0.45, ctr=0.042, cvr=0.075, view=0.04, like=0.006, comment=0.0008,
                   share=0.0004, follow=0.0008),
    "JD": dict(camps=("JD 京准通 Search", "JD 京东直投 Display"), carry=0.30, k=0.7, roas=3.1, attr=0.45,
               ctr=0.035, cvr=0.065, view=0.02, like=0.003, comment=0.0006, share=0.0002, follow=0.0004),
    "Pinduoduo": dict(camps=("Pinduoduo 搜索 Search", "Pinduoduo 全站推广 Smart"), carry=0.35, k=0.8, roas=2.9,
                      attr=0.50, ctr=0.030, cvr=0.055, view=0.02, like=0.004, comment=0.0006, share=0.0008,
                      follow=0.0004),
    "WeChat": dict(camps=("WeChat 朋友圈 Moments", "WeChat 视频号 Channels"), carry=0.45, k=1.2, roas=4.0,
                   attr=0.40, ctr=0.016, cvr=0.045, view=0.15, like=0.012, comment=0.002, share=0.004,
                   follow=0.0020),
    "Xiaohongshu": dict(camps=("Xiaohongshu 笔记 Notes", "Xiaohongshu 搜索 Search", "Xiaohongshu KOC 种草"),
                        carry=0.60, k=1.4, roas=1.9, attr=0.55, ctr=0.025, cvr=0.022, view=0.22, like=0.075,
                        comment=0.012, share=0.010, follow=0.0040),
}
_CH_AOV = np.array([215.0, 165.0, 265.0, 300.0, 150.0, 320.0, 260.0])  # rough order value per platform


def _adstock(x: np.ndarray, carry: float) -> np.ndarray:
    """Geometric adstock along axis 0 (days)."""
    out = np.empty_like(x)
    acc = np.zeros(x.shape[1:])
    for i in range(x.shape[0]):
        acc = x[i] + carry * acc
        out[i] = acc
    return out


# per platform flighting (data/demo.py story): how spend ramps before 618 and 双11 -- (days before the
# festival the ramp starts, days before the festival it tops out, top level, level left on the festival
# day) -- the lift on the smaller festivals (双12, 年货节, 38节), and the weekly pattern outside them.
_FLIGHTING = {
    # live-stream bursts at the peak, KOL drops on random weeks
    "Douyin": dict(ramp=((14, 0, 5.0, 5.0), (16, 0, 5.5, 5.5)), minor=1.6, weekly="bursts"),
    # pulsing: a few weeks on, a week or two dark
    "Kuaishou": dict(ramp=((21, 2, 3.0, 2.4), (24, 2, 3.2, 2.6)), minor=1.3, weekly="pulse"),
    # search: always on and steady, follows demand mildly
    "Taobao": dict(ramp=((30, 0, 1.8, 1.8), (35, 0, 2.0, 2.0)), minor=1.3, weekly="steady"),
    # 618 is JD's own festival
    "JD": dict(ramp=((28, 0, 4.0, 4.0), (20, 0, 2.2, 2.2)), minor=1.2, weekly="dark_weeks"),
    # budget tests: the level is reset every 6-10 weeks
    "Pinduoduo": dict(ramp=((12, 0, 2.4, 2.4), (12, 0, 2.4, 2.4)), minor=1.8, weekly="steps"),
    # Moments / Channels flights of two weeks, low in between
    "WeChat": dict(ramp=((24, 4, 2.6, 1.8), (30, 4, 2.6, 1.8)), minor=1.3, weekly="flights"),
    # 种草 seeding: ramps up weeks earlier and is past its top by the festival day
    "Xiaohongshu": dict(ramp=((63, 24, 3.2, 1.3), (70, 26, 3.4, 1.3)), minor=2.0, weekly="waves"),
}


# depth of the weekly flighting: level ** depth (1 = the patterns' full swing; 0.75 keeps the platforms apart
# while weekly sales stay as forecastable as the market page's backtest expects)
_FLIGHT_DEPTH = 0.75


def _festival_ramp(days: np.ndarray, ramp: tuple, minor: float, cal: dict) -> np.ndarray:
    """Spend multiplier of one platform around the festivals (1 on plain days)."""
    ts = pd.DatetimeIndex(days)
    out = np.ones(len(days))
    for y in sorted(set(ts.year.tolist()) | {int(ts.year.min()) - 1}):
        for peak_day, (start, top_at, top, end) in zip((date(y, 6, 18), date(y, 11, 11)), ramp):
            d = (np.datetime64(peak_day.isoformat(), "D") - days).astype(int)  # days until the festival
            up = (d <= start) & (d >= top_at)
            out[up] = np.maximum(out[up], 1 + (top - 1) * (start - d[up]) / max(start - top_at, 1))
            down = (d < top_at) & (d >= 0)
            out[down] = np.maximum(out[down], top + (end - top) * (top_at - d[down]) / max(top_at, 1))
            after = (d < 0) & (d >= -3)
            out[after] = np.maximum(out[after], 1.3)
    minor_days = cal["campaign"] >= 2
    out[minor_days] = np.maximum(out[minor_days], minor)
    return out


def _weekly_flight(rng: np.random.Generator, kind: str, n_weeks: int) -> np.ndarray:
    """Weekly spend level of one platform outside the festivals (mean ~1, never 0)."""
    if kind == "steady":
        return np.exp(rng.normal(0, 0.08, n_weeks))
    if kind == "bursts":
        f = 0.8 * np.exp(rng.normal(0, 0.18, n_weeks))
        f[rng.random(n_weeks) < 0.15] *= 2.6
        return f
    if kind == "dark_weeks":
        f = np.exp(rng.normal(0, 0.25, n_weeks))
        f[rng.random(n_weeks) < 0.10] = 0.25
        return f
    out = np.empty(n_weeks)
    w = 0
    on = bool(rng.random() < 0.5)
    while w < n_weeks:
        if kind == "pulse":
            span = int(rng.integers(2, 5)) if on else int(rng.integers(1, 3))
            level = 1.4 * np.exp(rng.normal(0, 0.15)) if on else 0.25
        elif kind == "flights":
            span = 2 if on else int(rng.integers(2, 6))
            level = 2.2 * np.exp(rng.normal(0, 0.15)) if on else 0.35
        elif kind == "waves":
            span = 3 if on else int(rng.integers(3, 8))
            level = 1.8 * np.exp(rng.normal(0, 0.15)) if on else 0.7
        elif kind == "steps":
            span, level = int(rng.integers(6, 11)), np.exp(rng.normal(0, 0.40))
        else:  # pragma: no cover - unknown pattern
            raise ValueError(kind)
        out[w: w + span] = level * np.exp(rng.normal(0, 0.08, min(span, n_weeks - w)))
        w += span
        on = not on
    return out


def _spend_shapes(rng: np.random.Generator, days: np.ndarray, cal: dict) -> dict[str, dict]:
    """Unit-less daily spend per platform campaign (mean ~1), its adstock and saturating response.

    Each platform has its own flighting (``_FLIGHTING``): its own ramp before 618 / 双11 (Xiaohongshu seeds
    weeks ahead, Douyin bursts at the peak, Taobao search stays steady), its own weekly pattern (pulses,
    flights, budget steps, dark weeks) and campaign-level noise, so the platforms do not move together
    and a media-mix model can tell them apart."""
    n = len(days)
    growth = np.exp(0.10 * (days - days[0]).astype(int) / 365.25)
    week = (days - days[0]).astype(int) // 7
    n_weeks = int(week.max()) + 1
    out = {}
    for ch in CHANNELS:
        spec, fl = _CH_SPEC[ch], _FLIGHTING[ch]
        k = len(spec["camps"])
        size = rng.dirichlet(np.full(k, 3.0)) * k  # campaign sizes (mean 1)
        fest = _festival_ramp(days, fl["ramp"], fl["minor"], cal)
        flight = _weekly_flight(rng, fl["weekly"], n_weeks)[week] ** _FLIGHT_DEPTH
        flight = np.where(fest > 1.2, np.maximum(flight, 1.0), flight)  # no dark week during a festival push
        camp = np.exp(rng.normal(0, 0.20, (n_weeks, k)))[week]  # campaign-level weekly budget changes
        shape = (fest * flight * growth)[:, None] * camp * size[None, :] * np.exp(rng.normal(0, 0.12, (n, k)))
        shape /= shape.mean()
        ad = _adstock(shape, spec["carry"])
        kk = spec["k"] * ad.mean(axis=0, keepdims=True)
        resp = ad / (kk + ad)  # Hill with h = 1: concave, so revenue per unit spend falls with spend
        eff = np.exp(rng.normal(0, 0.12, k))  # campaign efficiency
        out[ch] = {"shape": shape, "resp": resp * (eff * size)[None, :], "campaigns": spec["camps"]}
    return out


# ---------------------------------------------------------------- people


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


# ---------------------------------------------------------------- orders


def _product_table() -> tuple[np.ndarray, np.ndarray]:
    """Cumulative product probabilities per (category, price tier) and the product index table."""
    width = int(np.bincount(_P_CAT).max())
    cum = np.ones((15, width))
    idx = np.zeros((15, width), dtype=int)
    logp = np.log(_P_PRICE)
    for c in range(5):
        prods = np.flatnonzero(_P_CAT == c)
        rel = logp[prods] - logp[prods].mean()
        for tr, gamma in enumerate((-1.6, 0.0, 1.4)):
            w = _P_POP[prods] * np.exp(gamma * rel)
            row = c * 3 + tr
            cum[row, : len(prods)] = np.cumsum(w / w.sum())
            idx[row, : len(prods)] = prods
            idx[row, len(prods):] = prods[-1]
    return cum, idx


_HOURS = np.array([3.0, 1.5, 0.7, 0.4, 0.3, 0.3, 0.6, 1.5, 2.5, 3.5, 4.5, 4.8, 5.2, 4.8, 4.3, 4.2, 4.3, 4.5,
                   5.0, 6.0, 8.0, 9.0, 8.0, 5.0])
_HOURS_CUM = np.cumsum(_HOURS / _HOURS.sum())


_BURN_IN = 730.0  # operational days simulated before the window: the base holds members of earlier years


def _simulate_orders(rng: np.random.Generator, people: dict, intensity: np.ndarray,
                     cal: dict) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """BG/NBD purchase histories in operational time, mapped onto the calendar by ``intensity``.

    Customers arrive uniformly over [-burn-in, T) (operational days; the window is [0, T)); each buys at
    a Gamma-distributed rate and drops out after a purchase with a Beta-distributed probability. Only
    purchases inside the window are returned, as order-level arrays (customer, day, second of day,
    platform) sorted by time, together with each customer's arrival time.
    """
    n = len(people["age"])
    T = float(N_DAYS)
    lam = np.minimum(rng.gamma(1.1, 1.0 / 1.1, n) * people["freq"] / _GAP, 1.0 / 7.0)
    p_drop = rng.beta(0.8, 2.0, n)
    arrival = rng.random(n) * (T + _BURN_IN) - _BURN_IN
    cust_l, time_l = [], []
    alive = np.arange(n)
    tt = arrival.copy()
    while alive.size:
        inside = tt >= 0
        cust_l.append(alive[inside])
        time_l.append(tt[inside])
        keep = rng.random(alive.size) >= p_drop[alive]
        alive, tt = alive[keep], tt[keep]
        tt = tt + rng.exponential(1.0 / lam[alive])
        keep = tt < T
        alive, tt = alive[keep], tt[keep]
    cust = np.concatenate(cust_l)
    u = np.concatenate(time_l)
    # quantile mapping: the (smoothed) share of purchases before u -> the calendar day with the same share
    # of demand. The base of live customers need not be stationary: the calendar shape comes out exact.
    edges = np.linspace(0.0, T, 74)
    g = np.r_[0.0, np.cumsum(np.histogram(u, bins=edges)[0])]
    share = np.interp(u, edges, g / max(g[-1], 1))
    cum = np.cumsum(intensity)
    day = np.searchsorted(cum / cum[-1], share, side="right").clip(0, N_DAYS - 1)
    m = len(cust)
    hour = np.searchsorted(_HOURS_CUM, rng.random(m), side="right").clip(0, 23)
    midnight = cal["peak"][day] & (rng.random(m) < 0.30)  # the 0:00 rush on 6/18 and 11/11
    hour[midnight] = 0
    sec = hour * 3600 + rng.integers(0, 3600, m)
    order = np.lexsort((sec, day))
    cust, day, sec = cust[order], day[order], sec[order]
    use_primary = rng.random(m) < 0.65
    drawn = (np.cumsum(people["ch_p"][cust], axis=1) < rng.random(m)[:, None]).sum(axis=1).clip(0, 6)
    channel = np.where(use_primary, people["primary"][cust], drawn)
    return {"cust": cust, "day": day, "sec": sec, "channel": channel}, arrival


_GAP = 24.5  # mean days between purchases of an average live customer


def _select(rng: np.random.Generator, n: int, orders: dict, arrival: np.ndarray,
            lapsed_share: float = 0.06) -> np.ndarray:
    """Pick n customers of the simulated pool: buyers in the window (a uniform random subset, which keeps
    the calendar shape) plus a few lapsed members; returned in order of arrival (ids follow signup)."""
    pool = len(arrival)
    active = np.bincount(orders["cust"], minlength=pool) > 0
    act, lapsed = np.flatnonzero(active), np.flatnonzero(~active & (arrival < 0))
    n_lapsed = min(len(lapsed), int(round(n * lapsed_share)))
    n_act = min(len(act), n - n_lapsed)
    n_lapsed = min(len(lapsed), n - n_act)
    chosen = np.concatenate([rng.choice(act, n_act, replace=False), rng.choice(lapsed, n_lapsed, replace=False)])
    return chosen[np.argsort(arrival[chosen], kind="stable")]


def _order_lines(rng: np.random.Generator, people: dict, orders: dict, cal: dict) -> dict[str, np.ndarray]:
    """Expand orders into product lines with prices, discounts, campaigns and refund lines."""
    n_orders = len(orders["cust"])
    n_lines = rng.choice(4, n_orders, p=[0.58, 0.27, 0.11, 0.04]) + 1
    promo_day = cal["campaign"][orders["day"]] >= 0
    n_lines += (promo_day & (rng.random(n_orders) < 0.15)).astype(int)
    oi = np.repeat(np.arange(n_orders), n_lines)
    L = len(oi)
    cust = orders["cust"][oi]
    day = orders["day"][oi]
    # category: the customer's taste, gift sets in gift seasons (双11, 双12, 年货节)
    cat = (np.cumsum(people["cat_p"][cust], axis=1) < rng.random(L)[:, None]).sum(axis=1).clip(0, 4)
    gift_season = np.isin(cal["campaign"][day], [1, 2, 3])
    cat[gift_season & (rng.random(L) < 0.12)] = 4
    cum, idx = _product_table()
    row = cat * 3 + people["price_tier"][cust]
    k = (cum[row] < rng.random(L)[:, None]).sum(axis=1).clip(0, cum.shape[1] - 1)
    prod = idx[row, k]
    qty = (rng.choice(3, L, p=[0.88, 0.10, 0.02]) + 1).astype(float)
    qty[promo_day[oi] & (rng.random(L) < 0.08)] += 1
    price = _P_PRICE[prod]
    gross = qty * price
    # discounts: festival coupons scale with the day's promotion depth; everyday small coupons
    depth = cal["depth"][day]
    disc = np.round(gross * depth * rng.uniform(0.6, 1.4, L))
    everyday = (depth == 0) & (rng.random(L) < 0.12)
    disc[everyday] = np.minimum(rng.choice([5.0, 10.0, 20.0], int(everyday.sum())), np.round(0.3 * gross[everyday]))
    campaign = cal["campaign"][day].copy()
    # the coupon test: only coupon users are tagged (¥20 / ¥50 coupons); other orders of those days are not
    ctest = campaign == 5
    coupon_user = np.zeros(n_orders, dtype=bool)
    coupon_user[np.unique(oi[ctest])] = rng.random(len(np.unique(oi[ctest]))) < 0.30
    first_line = np.r_[True, oi[1:] != oi[:-1]]
    cu = coupon_user[oi]
    disc[cu & first_line] = np.minimum(rng.choice([20.0, 50.0], int((cu & first_line).sum())),
                                       np.round(0.5 * gross[cu & first_line]))
    campaign[ctest & ~cu] = -1
    amount = gross - disc
    # refunds: a later line with negative quantity and amount, same order id
    p_ret = _CH_RETURN[orders["channel"][oi]] * np.array([0.9, 1.3, 1.4, 0.8, 0.7])[cat]
    ret = rng.random(L) < p_ret
    r = np.flatnonzero(ret)
    r_delay = rng.integers(2, 16, r.size)
    r_day = np.minimum(day[r] + r_delay, N_DAYS - 1)
    r_sec = np.where(r_day == day[r], np.minimum(orders["sec"][oi[r]] + 3600, 86399),
                     rng.integers(8 * 3600, 22 * 3600, r.size))
    all_oi = np.concatenate([oi, oi[r]])
    return {
        "oi": all_oi,
        "day": np.concatenate([day, r_day]),
        "sec": np.concatenate([orders["sec"][oi], r_sec]),
        "cust": np.concatenate([cust, cust[r]]),
        "prod": np.concatenate([prod, prod[r]]),
        "qty": np.concatenate([qty, -qty[r]]),
        "price": np.concatenate([price, price[r]]),
        "amount": np.concatenate([amount, -amount[r]]),
        "disc": np.concatenate([disc, np.zeros(r.size)]),
        "channel": orders["channel"][all_oi],
        "campaign": np.concatenate([campaign, campaign[r]]),
        "is_return": np.concatenate([np.zeros(L, dtype=bool), np.ones(r.size, dtype=bool)]),
    }


_STR = pd.StringDtype("pyarrow", na_value=np.nan) if pd.Series(["a"]).dtype.storage == "pyarrow" else "str"


def _digits_ids(prefix: str, nums: np.ndarray, width: int) -> pd.Series:
    """prefix + zero-padded integers as a ``str`` Series, vectorised (no Python-level string objects)."""
    nums = np.asarray(nums, dtype=np.int64)
    pre = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    d = np.empty((len(nums), len(pre) + width), dtype=np.uint8)
    d[:, : len(pre)] = pre
    v = nums.copy()
    for j in range(len(pre) + width - 1, len(pre) - 1, -1):
        d[:, j] = 48 + v % 10
        v //= 10
    raw = d.view(f"S{len(pre) + width}").ravel()
    if _STR == "str":  # python storage: fall back to objects
        return pd.Series(raw.astype(f"U{len(pre) + width}").astype(object), dtype="str")
    import pyarrow as pa

    arr = pa.array(raw).cast(pa.string())
    return pd.Series(pd.arrays.ArrowStringArray(arr, dtype=_STR))


def _str(values) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.astype("str") if values.dtype != "str" else values
    return pd.Series(values, dtype="str")


def _take(values, codes: np.ndarray) -> pd.Series:
    """Categorical codes -> ``str`` Series (code -1 -> missing), without per-row Python objects."""
    small = pd.array(list(values), dtype="str")
    return pd.Series(small.take(np.asarray(codes, dtype=np.intp), allow_fill=True))


def _lines_frame(lines: dict, people: dict, cust_ids: np.ndarray) -> pd.DataFrame:
    order = np.lexsort((lines["sec"], lines["day"]))
    L = {k: v[order] for k, v in lines.items()}
    # order ids: LM + yymmdd of the order day + 6-digit sequence within the day (in time order)
    uniq, pos = np.unique(L["oi"], return_index=True)
    by_time = np.argsort(pos)                      # orders in order of first appearance
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[by_time] = np.arange(len(uniq))
    day_sorted = L["day"][pos[by_time]]           # non-decreasing: an order's first line is its sale line
    seq_sorted = np.arange(len(uniq)) - np.searchsorted(day_sorted, day_sorted, side="left") + 1
    lookup = np.zeros(int(L["oi"].max()) + 1, dtype=np.int64)
    lookup[uniq] = rank
    r = lookup[L["oi"]]
    seq = seq_sorted[r]
    dates = pd.DatetimeIndex(_D0 + day_sorted[r])
    ymd = (dates.year % 100) * 10000 + dates.month * 100 + dates.day
    order_id = _digits_ids("LM", ymd.to_numpy().astype(np.int64) * 1_000_000 + seq, 12)
    ts = (_D0 + L["day"]).astype("datetime64[s]") + L["sec"].astype("timedelta64[s]")
    cust = L["cust"]
    city = people["city"][cust]
    df = pd.DataFrame({
        "order_id": order_id,
        "order_date": ts.astype("datetime64[ns]"),
        "customer_id": cust_ids.take(cust).reset_index(drop=True),
        "product_id": _take(_P_ID, L["prod"]),
        "product_name": _take(_P_NAME, L["prod"]),
        "category": _take(CATEGORIES, _P_CAT[L["prod"]]),
        "quantity": L["qty"].astype(float),
        "unit_price": L["price"].astype(float),
        "amount": np.round(L["amount"], 2).astype(float),
        "discount": L["disc"].astype(float),
        "channel": _take(CHANNELS, L["channel"]),
        "region": _take(_C_PROV, city),
        "city": _take(_C_NAME, city),
        "status": _take(("已完成", "退款"), L["is_return"].astype(np.intp)),
        "campaign": _take(CAMPAIGNS, L["campaign"]),
        "is_return": L["is_return"].astype(bool),
    })
    return df


def _intensity(rng: np.random.Generator, days: np.ndarray, shapes: dict) -> np.ndarray:
    """Daily order intensity: organic demand x (0.55 + 0.45 x media response index)."""
    media = np.zeros(len(days))
    for ci, ch in enumerate(CHANNELS):
        r = shapes[ch]["resp"].sum(axis=1)
        media += _CH_SHARE[ci] * r / r.mean()
    noise = np.exp(rng.normal(0, 0.05, len(days)))
    # organic growth 11 %/year; with the media term (spend grows ~10 %/year) sales grow ~15 %/year
    return _organic(days, growth=0.11) * (0.55 + 0.45 * media) * noise


def _world(seed: int, n_customers: int):
    rng = np.random.default_rng(seed)
    days = _days(START, N_DAYS)
    cal = _calendar(days)
    shapes = _spend_shapes(np.random.default_rng([seed, 1]), days, cal)
    intensity = _intensity(rng, days, shapes)
    pool = int(n_customers * 1.6) + 40
    people = _people(np.random.default_rng([seed, 2]), pool)
    orders, arrival = _simulate_orders(np.random.default_rng([seed, 4]), people, intensity, cal)
    chosen = _select(np.random.default_rng([seed, 3]), n_customers, orders, arrival)
    new_id = np.full(pool, -1)
    new_id[chosen] = np.arange(len(chosen))
    keep = new_id[orders["cust"]] >= 0
    orders = {k: v[keep] for k, v in orders.items()}
    orders["cust"] = new_id[orders["cust"]]
    people = {k: v[chosen] for k, v in people.items()}
    people["arrival"] = arrival[chosen]
    lines = _order_lines(np.random.default_rng([seed, 5]), people, orders, cal)
    return days, cal, shapes, people, orders, lines


def _cust_ids(n: int) -> pd.Series:
    return _digits_ids("C", np.arange(1, n + 1), 6 if n < 1_000_000 else 7)


def generate_orders(n_lines: int, seed: int = 7) -> pd.DataFrame:
    """Exactly ``n_lines`` canonical order lines with the demo's statistical shape (for benchmarks).

    Whole customers are kept in random order until the line budget is reached (the last one is cut),
    so the repeat structure, calendar peaks and return share are those of :func:`generate`.

    Parameters
    ----------
    n_lines : int
        Lines wanted (0 or less: an empty frame with the columns).
    seed : int
        Random seed.

    Returns
    -------
    pd.DataFrame
        Canonical order lines.
    """
    n_lines = int(n_lines)
    if n_lines <= 0:
        return generate_orders(1, seed).iloc[:0]
    n_cust = max(50, int(n_lines / 9.0) + 50)
    while True:
        _, _, _, people, _, lines = _world(seed, n_cust)
        per = np.bincount(lines["cust"], minlength=n_cust)
        if per.sum() >= n_lines:
            break
        n_cust = int(n_cust * 1.3) + 50  # rare: a small draw with too few lines
    perm = np.random.default_rng([seed, 9]).permutation(n_cust)
    csum = np.cumsum(per[perm])
    keep = np.zeros(n_cust, dtype=bool)
    keep[perm[csum <= n_lines]] = True
    sel = keep[lines["cust"]]
    short = n_lines - int(sel.sum())
    if short > 0:  # part of the next customer's lines (sale lines come before refund lines)
        nxt = perm[np.searchsorted(csum, n_lines, side="left")]
        sel[np.flatnonzero(lines["cust"] == nxt)[:short]] = True
    lines = {k: v[sel] for k, v in lines.items()}
    df = _lines_frame(lines, people, _cust_ids(n_cust))
    return df.iloc[:n_lines].reset_index(drop=True)


# ---------------------------------------------------------------- customers frame


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


# ---------------------------------------------------------------- channels frame


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


# ---------------------------------------------------------------- competitors frame

# comparable products: (shared product label, category index, own SKU index)
_COMPARABLE = (
    ("保湿精华 Hydrating serum 30ml", 0, 0),
    ("VC焕亮精华 Vitamin C serum 30ml", 0, 1),
    ("修护面霜 Repair cream 50g", 0, 2),
    ("氨基酸洁面 Amino cleanser 120g", 0, 4),
    ("防晒乳 Sunscreen SPF50+ 50ml", 0, 12),
    ("气垫粉底 Cushion foundation", 1, 24),
    ("哑光口红 Matte lipstick", 1, 22),
    ("淡香水 Eau de toilette 50ml", 2, 39),
)
# brand, price level vs own, base rating, followers (start), share of the category market
_COMPETITORS = (
    ("Glowa 珂颜", 1.18, 4.8, 2_400_000, 0.061),
    ("Purely 纯研", 0.92, 4.7, 1_300_000, 0.038),
    ("Velvet 绒雾", 0.85, 4.6, 950_000, 0.032),
    ("Solara 晒雅", 0.72, 4.7, 1_700_000, 0.045),
)
_PROMO_TEXT = {0: "618 满300减40", 1: "双11 预售 定金膨胀", 2: "双12 限时折扣", 3: "年货节 满199减30", 4: "38节 第二件半价",
               5: "会员专享券"}


def _competitors_frame(rng: np.random.Generator, days: np.ndarray, cal: dict, lines: dict,
                       our_share: float) -> pd.DataFrame:
    # every third day, plus the festivals' first and peak days (when price trackers look hardest)
    key_days = cal["peak"] | np.isin(pd.DatetimeIndex(days).strftime("%m-%d"), ["06-01", "10-20", "11-01"])
    obs = np.union1d(np.arange(0, N_DAYS, 3), np.flatnonzero(key_days))
    n_obs = len(obs)
    season = _organic(days, growth=0.0)
    season = season / np.median(season)
    brands = [(BRAND, 1.0, 4.8, 820_000, our_share)] + list(_COMPETITORS)
    # own daily units per SKU (sale lines) for the own brand's sales volume (trailing 30 days)
    sale = ~lines["is_return"]
    daily_units = np.zeros((N_DAYS, len(_PRODUCTS)))
    np.add.at(daily_units, (lines["day"][sale], lines["prod"][sale]), lines["qty"][sale])
    trailing = np.cumsum(daily_units, axis=0)
    trailing = trailing - np.vstack([np.zeros((30, len(_PRODUCTS))), trailing[:-30]])
    parts = []
    camp = cal["campaign"][obs]
    for bi, (brand, lvl, rating0, fol0, share0) in enumerate(brands):
        own = bi == 0
        fol_growth = rng.uniform(0.10, 0.35)
        followers = np.round(fol0 * np.exp(fol_growth * obs / 365.25) * np.exp(np.cumsum(rng.normal(0, 0.003, n_obs))))
        share = share0 * np.exp((0.10 if own else rng.uniform(-0.08, 0.06)) * obs / 365.25) * np.exp(
            rng.normal(0, 0.04, n_obs))
        for pi, (label, cat, sku) in enumerate(_COMPARABLE):
            list_price = np.full(n_obs, float(np.round(_P_PRICE[sku] * (lvl if own else lvl * rng.uniform(0.9, 1.1)))))
            if own:
                depth = cal["depth"][obs].copy()
            else:
                # the brand's own festival depth (deeper or shallower than ours) and everyday flash deals
                depth = np.where(camp >= 0, cal["depth"][obs] * rng.uniform(0.8, 1.5), 0.0)
                depth[camp == 5] = 0.0
                flash = rng.random(n_obs) < 0.04
                depth[flash] = np.maximum(depth[flash], rng.uniform(0.12, 0.25, int(flash.sum())))
            depth = depth + rng.uniform(0, 0.03, n_obs) * (depth == 0)
            price = list_price * (1 - depth)
            promo = np.array([None] * n_obs, dtype=object)
            for c, txt in _PROMO_TEXT.items():
                promo[(camp == c) & (depth > 0.05)] = txt
            if not own:
                promo[(camp < 0) & (depth > 0.10)] = "直播间秒杀"
            parts.append(pd.DataFrame({
                "_obs": obs, "competitor": brand, "product": label, "category": CATEGORIES[cat],
                "price": price, "list_price": list_price, "promo": promo, "_own": own, "_sku": sku,
                "_bi": bi, "_pi": pi, "followers": followers, "share": share,
                "rating": np.clip(rating0 + np.cumsum(rng.normal(0, 0.01, n_obs)), 4.2, 5.0).round(1),
                "_base": rng.uniform(1500, 9000) * (1.3 if pi == 0 else 1.0),
            }))
    df = pd.concat(parts, ignore_index=True)
    # deliberate sharp moves (>10 %) outside the festivals, so the price-move alerts have news
    moves = (
        ("Glowa 珂颜", 0, date(2026, 3, 16), None, 0.82),            # permanent cut on the hero serum
        ("Purely 纯研", 3, date(2025, 9, 1), date(2025, 9, 21), 0.75),  # 3-week price war on cleanser
        ("Solara 晒雅", 4, date(2025, 4, 10), date(2025, 5, 31), 0.80),  # sunscreen season push
        ("Velvet 绒雾", 6, date(2025, 8, 1), None, 0.86),             # lipstick repositioned
        ("Glowa 珂颜", 2, date(2026, 7, 6), date(2026, 7, 26), 0.78),
        ("Purely 纯研", 0, date(2026, 1, 5), None, 1.15),             # a price rise, too
    )
    obs_day = df["_obs"].to_numpy()
    price = df["price"].to_numpy().copy()
    list_price = df["list_price"].to_numpy().copy()
    promo = df["promo"].to_numpy(dtype=object).copy()
    for brand, pi, a, b, f in moves:
        sa = (a - START).days
        sb = (b - START).days if b else N_DAYS
        m = (df["competitor"].to_numpy() == brand) & (df["_pi"].to_numpy() == pi) & (obs_day >= sa) & (obs_day <= sb)
        price[m] *= f
        if b is None:
            list_price[m] *= f if f > 1 else 1.0
        if f < 1:
            promo[m & pd.isna(promo)] = "限时直降"
    price = np.round(price, 0) - np.where(np.round(price, 0) % 10 == 0, 1, 0)  # ¥xx9 pricing
    df["price"] = price.astype(float)
    df["list_price"] = np.round(list_price).astype(float)
    df["promo"] = promo
    # sales volume: trailing 30 days; own brand from the orders, competitors from price elasticity
    base = df["_base"].to_numpy() * season[obs_day] * np.exp(0.12 * obs_day / 365.25)
    rel = df["price"].to_numpy() / df["list_price"].to_numpy()
    comp_vol = np.round(base * rel ** -2.2 * np.exp(rng.normal(0, 0.12, len(df))))
    own_vol = trailing[obs_day, df["_sku"].to_numpy()]
    df["sales_volume"] = np.where(df["_own"].to_numpy(), own_vol, comp_vol).astype(float)
    # reviews accumulate with sales
    df = df.sort_values(["_bi", "_pi", "_obs"], kind="stable").reset_index(drop=True)
    start_reviews = rng.uniform(2000, 40000, len(df))
    grp = df["_bi"].to_numpy() * 100 + df["_pi"].to_numpy()
    inc = df["sales_volume"].to_numpy() * 0.1 * 0.03 * 3
    cs = pd.Series(inc).groupby(grp).cumsum().to_numpy()
    first = pd.Series(start_reviews).groupby(grp).transform("first").to_numpy()
    df["reviews"] = np.round(first + cs).astype(float)
    df["date"] = days[df["_obs"].to_numpy()].astype("datetime64[ns]")
    df = df.sort_values(["_obs", "_bi", "_pi"], kind="stable").reset_index(drop=True)
    df["attr_item"] = [
        f"{b.split(' ')[1] if ' ' in b else b} {p}" if not o else _P_NAME[s]
        for b, p, o, s in zip(df["competitor"], df["product"], df["_own"], df["_sku"])
    ]
    out = df[["date", "competitor", "product", "category", "price", "list_price", "promo", "sales_volume",
              "rating", "reviews", "followers", "share", "attr_item"]].copy()
    for c in ("competitor", "product", "category", "promo", "attr_item"):
        out[c] = out[c].astype("str")
    out["attr_own_brand"] = df["_own"].map({True: "yes", False: "no"}).astype("str")
    for c in ("price", "list_price", "sales_volume", "rating", "reviews", "followers", "share"):
        out[c] = out[c].astype(float)
    return out


# ---------------------------------------------------------------- experiments frame


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


# ---------------------------------------------------------------- feedback frame

_THEMES = {
    # theme: (rating range, zh comments, en comments)
    "logistics_fast": ((4, 5), ("物流很快，包装精美", "发货速度快，第二天就到了", "快递很给力，包装完好", "顺丰发货，很快"),
                       ("fast delivery, nicely packed", "arrived in two days", "quick shipping")),
    "moisture": ((4, 5), ("很保湿，用完皮肤水水的", "吸收很快，不油腻", "用了一周皮肤变亮了", "质地清爽，很好推开"),
                 ("great moisturiser", "absorbs quickly, not greasy", "my skin looks brighter after a week")),
    "scent_good": ((4, 5), ("味道很好闻，淡淡的", "香味高级，留香久", "香味很治愈"),
                   ("lovely subtle scent", "the fragrance lasts all day")),
    "value": ((4, 5), ("活动价很划算，会回购", "性价比高，已经回购第三次了", "大促囤货，价格很香"),
              ("great value during the sale", "will buy again", "third time buying, still love it")),
    "gift": ((4, 5), ("包装很精致，送人很有面子", "礼盒好看，女朋友很喜欢"), ("beautiful gift box", "perfect as a gift")),
    "service": ((4, 5), ("客服很耐心，推荐的很适合我",), ("helpful customer service",)),
    "neutral": ((3, 3), ("还行，效果一般", "中规中矩，价格有点贵", "还在使用中，暂时没感觉", "和之前买的差不多"),
                ("it's okay, nothing special", "a bit pricey for what it is", "too early to tell")),
    "scent_strong": ((1, 3), ("味道有点重", "香味太冲了，不太喜欢", "香精味很浓"), ("scent is too strong", "smells too artificial")),
    "allergy": ((1, 2), ("用了有点过敏，脸上起小疙瘩", "敏感肌慎入，有刺痛感", "用完脸发红"),
                ("caused a rash on my sensitive skin", "stings a little, not for sensitive skin")),
    "logistics_slow": ((1, 3), ("物流太慢了，等了一个星期", "快递压坏了", "大促发货太慢"),
                       ("delivery was slow", "box arrived damaged")),
    "leak": ((1, 2), ("收到的时候漏液了", "瓶子破了，漏了一半"), ("the bottle leaked",)),
    "shade": ((1, 3), ("色号和图片差别很大", "颜色不适合我，偏黄", "粉底有点卡粉"),
              ("shade looks different from the photo", "foundation looks cakey")),
    "refund": ((1, 2), ("退款处理太慢，客服不回复", "售后体验很差"), ("refund took forever", "customer service never replied")),
    "greasy": ((2, 3), ("太油腻了，夏天用不了", "有点闷痘"), ("too greasy for summer", "broke me out")),
}


def _feedback_frame(rng: np.random.Generator, lines: dict, n: int, cust_ids: np.ndarray) -> pd.DataFrame:
    sale = np.flatnonzero(~lines["is_return"])
    # one row per sampled order (its first line), refunded orders over-represented
    first = sale[np.r_[True, lines["oi"][sale][1:] != lines["oi"][sale][:-1]]] if sale.size else sale
    first = first[lines["day"][first] <= N_DAYS - 3]  # reviews come a few days after delivery
    refunded = np.zeros(int(lines["oi"].max()) + 1, dtype=bool)
    refunded[lines["oi"][lines["is_return"]]] = True
    w = np.where(refunded[lines["oi"][first]], 4.0, 1.0)
    pick = rng.choice(first, size=min(n, first.size), replace=False, p=w / w.sum())
    pick = pick[np.lexsort((lines["sec"][pick], lines["day"][pick]))]
    m = len(pick)
    cat = _P_CAT[lines["prod"][pick]]
    ref = refunded[lines["oi"][pick]]
    # rating: mostly 5; refunds, Douyin/Kuaishou impulse buys and Fragrance/Makeup rate lower
    lo = 0.35 * ref + 0.06 * np.isin(lines["channel"][pick], [0, 1]) + 0.04 * np.isin(cat, [1, 2])
    u = rng.random(m)
    neg = u < 0.10 + lo
    mid = (~neg) & (u < 0.20 + lo)
    good = rng.random(m) < 0.70
    rating = np.where(neg, rng.choice([1, 2], m, p=[0.55, 0.45]), np.where(mid, 3, np.where(good, 5, 4)))
    nps_by = {5: ([9, 10, 8], [0.45, 0.45, 0.10]), 4: ([7, 8, 9], [0.35, 0.45, 0.20]),
              3: ([5, 6, 7], [0.3, 0.4, 0.3]), 2: ([2, 3, 4, 5], [0.25, 0.3, 0.3, 0.15]),
              1: ([0, 1, 2, 3], [0.35, 0.25, 0.25, 0.15])}
    nps = np.zeros(m)
    for r, (vals, ps) in nps_by.items():
        sel = rating == r
        nps[sel] = rng.choice(vals, int(sel.sum()), p=ps)
    # theme by rating and category
    names = list(_THEMES)
    theme = np.empty(m, dtype=object)
    for r in range(1, 6):
        for c in range(5):
            sel = np.flatnonzero((rating == r) & (cat == c))
            if not sel.size:
                continue
            cands = [t for t in names if _THEMES[t][0][0] <= r <= _THEMES[t][0][1]]
            wts = np.ones(len(cands))
            for i, t in enumerate(cands):
                if t in ("scent_good", "scent_strong"):
                    wts[i] = 5.0 if c == 2 else 0.3
                if t == "shade":
                    wts[i] = 5.0 if c == 1 else 0.05
                if t in ("moisture", "allergy", "greasy"):
                    wts[i] = 3.0 if c == 0 else 0.3
                if t == "gift":
                    wts[i] = 5.0 if c == 4 else 0.3
            theme[sel] = rng.choice(np.array(cands, dtype=object), sel.size, p=wts / wts.sum())
    theme[ref & (rating <= 2) & (rng.random(m) < 0.4)] = "refund"
    zh = rng.random(m) < 0.82
    comment = np.empty(m, dtype=object)
    for t in names:
        for lang_zh in (True, False):
            sel = np.flatnonzero((theme == t) & (zh == lang_zh))
            if sel.size:
                pool = np.array(_THEMES[t][1] if lang_zh else _THEMES[t][2], dtype=object)
                comment[sel] = pool[rng.integers(0, len(pool), sel.size)]
    comment[rng.random(m) < 0.07] = None
    fday = np.minimum(lines["day"][pick] + rng.integers(2, 12, m), N_DAYS - 1)
    ts = (_D0 + fday).astype("datetime64[s]") + rng.integers(7 * 3600, 24 * 3600, m).astype("timedelta64[s]")
    camp_names = np.array(list(CAMPAIGNS) + [None], dtype=object)
    return pd.DataFrame({
        "date": ts.astype("datetime64[ns]"),
        "campaign": _str(camp_names[lines["campaign"][pick]]),
        "channel": _str(np.array(CHANNELS, dtype=object)[lines["channel"][pick]]),
        "customer_id": cust_ids.take(lines["cust"][pick]).reset_index(drop=True),
        "rating": rating.astype(float),
        "nps": nps.astype(float),
        "comment": _str(comment),
        "attr_category": _str(np.array(CATEGORIES, dtype=object)[cat]),
    })


# ---------------------------------------------------------------- market and media mix


_MKT_SHARE = np.array([0.032, 0.024, 0.026, 0.020, 0.017, 0.038, 0.036])


def _month_index(days: np.ndarray) -> np.ndarray:
    d = pd.DatetimeIndex(days)
    return (d.year.to_numpy() - 2023) * 12 + d.month.to_numpy() - 11  # 2023-11 -> 0


def _market_frame(rng: np.random.Generator, lines: dict) -> pd.DataFrame:
    # our sales per platform and month from the orders (months 12..35), back-cast for months 0..11
    n_months = 36
    our = np.zeros((n_months, 7))
    mi = _month_index(_D0 + np.arange(N_DAYS))
    np.add.at(our, (mi[lines["day"]], lines["channel"]), lines["amount"])
    our[:12] = our[12:24] / 1.15 * np.exp(rng.normal(0, 0.05, (12, 7)))
    # market: the same festival calendar, slower growth (~6 %/year), its own noise
    all_days = _days(date(2023, 11, 1), (END - date(2023, 11, 1)).days + 1)
    org = _organic(all_days, growth=0.06)
    season = np.bincount(_month_index(all_days), weights=org, minlength=n_months)
    base = our[12:].sum(axis=0) / _MKT_SHARE / season[12:].sum()
    market = season[:, None] * base[None, :] * np.exp(rng.normal(0, 0.04, (n_months, 7)))
    months = np.array([np.datetime64(f"{2023 + (11 + i - 1) // 12}-{(11 + i - 1) % 12 + 1:02d}-01", "D")
                       for i in range(n_months)])
    df = pd.DataFrame({
        "date": np.repeat(months, 7).astype("datetime64[ns]"),
        "segment": _str(np.tile(np.array(CHANNELS, dtype=object), n_months)),
        "market_size": np.round(market.ravel(), -2),
        "our_sales": np.round(our.ravel(), 2),
    })
    return df


def _media_mix_frame(days: np.ndarray, cal: dict, lines: dict, channels: pd.DataFrame) -> pd.DataFrame:
    n_weeks = N_DAYS // 7  # 104 full 7-day blocks starting 2024-11-01
    wk_line = lines["day"] // 7
    ok = wk_line < n_weeks
    outcome = np.bincount(wk_line[ok], weights=lines["amount"][ok], minlength=n_weeks)
    out = pd.DataFrame({"date": days[: n_weeks * 7: 7].astype("datetime64[ns]"), "outcome": np.round(outcome, 2)})
    cd = ((channels["date"].to_numpy().astype("datetime64[D]") - _D0).astype(int)) // 7
    cok = cd < n_weeks
    for ci, ch in enumerate(CHANNELS):
        m = cok & (channels["channel"].to_numpy() == ch)
        out[f"attr_spend_{ch.lower()}"] = np.round(
            np.bincount(cd[m], weights=channels["spend"].to_numpy()[m], minlength=n_weeks), 2)
    wk = np.arange(N_DAYS) // 7
    for key, flag in (("attr_event_618", cal["ev618"]), ("attr_event_1111", cal["ev1111"])):
        out[key] = (np.bincount(wk[flag], minlength=wk.max() + 1)[:n_weeks] > 0).astype(float)
    # festival lift of the week's traffic (weekly mean of the calendar multiplier - 1: 0 on a plain week,
    # negative over the Spring-Festival courier stop): the control that lets a media-mix model tell
    # festival demand from the spend pushed into the festivals
    out["attr_festival_lift"] = np.round(np.bincount(wk, weights=cal["mult"])[:n_weeks] / 7.0 - 1.0, 4)
    return out


# ---------------------------------------------------------------- live commerce (issue 16)


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


# ---------------------------------------------------------------- audience assets (issue 17 item 5)

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


# ---------------------------------------------------------------- public API


def _complete(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Canonical column order and dtypes (schema fields first, then derived and attr_ columns)."""
    k = KINDS[kind]
    n = len(df)
    for f in k.fields:
        if f.name not in df.columns:
            df[f.name] = pd.Series([None] * n, dtype=object)
        s = df[f.name]
        if f.type in ("float", "int"):
            df[f.name] = pd.to_numeric(s).astype("float64")
        elif f.type == "datetime":
            df[f.name] = pd.to_datetime(s).astype("datetime64[ns]")
        elif f.type == "bool":
            df[f.name] = s.astype("boolean")
        elif s.dtype != "str":
            df[f.name] = s.astype("str").where(s.notna())
    extra = [c for c in df.columns if c not in k.field_names]
    return df[list(k.field_names) + extra].reset_index(drop=True)


def generate(seed: int = 7, *, n_customers: int = 20_000, scale: float = 1.0) -> dict[str, pd.DataFrame]:
    """The demo workspace: kind -> canonical frame (see the module docstring for the story).

    ``n_customers`` sets the customer base (orders, channel and market money follow from it);
    ``scale`` multiplies every row count that is not fixed by the calendar (customers and hence orders,
    experiment units, feedback rows). The same arguments always give identical frames.

    Parameters
    ----------
    seed : int
        Random seed.
    n_customers : int
        Customers of the demo base.
    scale : float
        Multiplier of the row counts not fixed by the calendar.

    Returns
    -------
    dict[str, pd.DataFrame]
        Kind -> canonical frame, for every dataset kind of the demo.
    """
    n_cust = max(50, int(round(n_customers * scale)))
    days, cal, shapes, people, orders, lines = _world(seed, n_cust)
    cust_ids = _cust_ids(n_cust)
    orders_df = _lines_frame(lines, people, cust_ids)
    net_by_channel = np.bincount(lines["channel"], weights=lines["amount"], minlength=7)
    channels_df = _channels_frame(np.random.default_rng([seed, 6]), days, shapes, net_by_channel)
    market_df = _market_frame(np.random.default_rng([seed, 7]), lines)
    ms = market_df.loc[market_df["date"] >= pd.Timestamp(START)]
    our_share = float(ms["our_sales"].sum() / ms["market_size"].sum())
    frames = {
        "orders": orders_df,
        "customers": _customers_frame(np.random.default_rng([seed, 8]), people, lines, orders, cust_ids),
        "channels": channels_df,
        "competitors": _competitors_frame(np.random.default_rng([seed, 10]), days, cal, lines, our_share),
        "experiments": _experiments_frame(np.random.default_rng([seed, 11]), max(300, int(round(30_000 * scale)))),
        "feedback": _feedback_frame(np.random.default_rng([seed, 12]), lines, max(100, int(round(5_000 * scale))),
                                    cust_ids),
        "market": market_df,
        "media_mix": _media_mix_frame(days, cal, lines, channels_df),
        "live_sessions": _live_sessions_frame(np.random.default_rng([seed, 13])),
        "creators": _creators_frame(np.random.default_rng([seed, 14])),
        "content": _content_frame(np.random.default_rng([seed, 15])),
        "audience": _audience_frame(np.random.default_rng([seed, 16]), channels_df),
    }
    return {k: _complete(v, k) for k, v in frames.items()}
