"""The feedback frame: ratings, NPS and comments tied to the orders."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import CAMPAIGNS, CHANNELS, N_DAYS, _D0
from .products import CATEGORIES, _P_CAT
from .orders import _str

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
