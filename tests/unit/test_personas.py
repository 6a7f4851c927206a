"""Persona builder: TGI arithmetic, intervals, guards, orders-only mode and card traceability."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from analytics import personas
from analytics.common import NotEnoughData
from tests.fixtures import _complete


def _wilson(k, n, z=1.959963984540054):
    p = k / n
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return c - h, c + h


def test_tgi_arithmetic_hand_case():
    # segment: 30 of 60 are women; base: 400 of 1000
    t = personas.tgi_table([30, 12], 60, [400, 100], 1000)
    assert t.loc[0, "segment_share"] == 0.5 and t.loc[0, "base_share"] == 0.4
    assert t.loc[0, "tgi"] == pytest.approx(125.0)
    lo, hi = _wilson(30, 60)
    assert t.loc[0, "ci_low"] == pytest.approx(lo) and t.loc[0, "ci_high"] == pytest.approx(hi)
    assert t.loc[0, "tgi_low"] == pytest.approx(lo / 0.4 * 100)
    assert not t.loc[0, "significant"]                 # interval 37.7%-62.3% / 40% includes 100
    assert t.loc[1, "tgi"] == pytest.approx(200.0)     # 12/60 = 20% vs 10%
    lo1, _ = _wilson(12, 60)
    assert t.loc[1, "significant"] == (lo1 / 0.1 * 100 > 100)
    big = personas.tgi_table([300], 600, [400], 1000)  # same shares, 10x the sample
    assert big.loc[0, "tgi"] == pytest.approx(125.0) and big.loc[0, "significant"]


def _shop(n=300, seed=3):
    """Customers 0..n-1; the first 100 (Champions-like: many orders) are mostly women in tier-1 cities,
    buy Baby products on Douyin with coupons."""
    rng = np.random.default_rng(seed)
    rows = []
    oid = 0
    for c in range(n):
        vip = c < 100
        for _ in range(8 if vip else 1 + (c % 2)):
            oid += 1
            day = rng.integers(300, 360) if vip else rng.integers(0, 200)
            rows.append({"customer_id": str(c), "order_id": str(oid),
                         "order_date": pd.Timestamp("2024-01-01 20:00") + pd.Timedelta(days=int(day)),
                         "amount": 200.0 if vip else 30.0, "is_return": False,
                         "category": "Baby" if (vip and rng.random() < 0.8) else "Home",
                         "channel": "Douyin" if (vip and rng.random() < 0.7) else "Tmall",
                         "discount": 5.0 if (vip and rng.random() < 0.7) else 0.0})
    orders = _complete(pd.DataFrame(rows).astype({"order_date": "datetime64[ns]"}), "orders")
    cust = pd.DataFrame({"customer_id": [str(c) for c in range(n)],
                         "gender": ["女" if (c < 100 and c % 10 != 0) or (c >= 100 and c % 2) else "男" for c in range(n)],
                         "city_tier": ["一线" if (c < 100 and c % 5 != 0) or (c >= 100 and c % 4 == 0) else "三线"
                                       for c in range(n)],
                         "interests": ["母婴,美妆" if c < 100 else "运动" for c in range(n)]})
    return orders, _complete(cust, "customers")


@pytest.fixture(scope="module")
def shop():
    return _shop()


def test_customer_counts_equal_a_groupby_written_out():
    # five customers, one without a segment; interests repeat a customer (two tags) and skip one;
    # MAX_VALUES + 2 spend values: the two rarest are pooled as "other"
    keys = np.array(["Loyal", "At risk", None, "Loyal", "At risk"], dtype=object)
    n_vals = personas.MAX_VALUES + 2
    spend = pd.Series([f"v{i}" for i in range(n_vals)] * 2)[:5]
    parts = [("gender", np.arange(5), np.array(["f", "m", "f", "f", "m"], dtype=object)),
             ("interests", np.array([0, 0, 1, 3, 4]), np.array(["tea", "golf", "tea", "golf", "tea"], dtype=object)),
             ("spend_band", np.arange(5), spend.to_numpy(dtype=object))]
    many = [("spend_band", np.arange(5 * n_vals) % 5, np.repeat([f"v{i}" for i in range(n_vals)], 5)[::-1].copy())]
    for ps in (parts, many):
        cc, cn = personas.customer_counts(ps, keys)
        rows = pd.concat([pd.DataFrame({"segment": keys[c], "attribute": a, "value": v}) for a, c, v in ps])
        n = rows.groupby(["attribute", "value"]).size()
        ranked = n.groupby(level=0, group_keys=False).rank(method="first", ascending=False)
        rare = set(ranked[ranked > personas.MAX_VALUES].index)
        rows["value"] = [("other" if (a, v) in rare else v) for a, v in zip(rows["attribute"], rows["value"])]
        want = rows.groupby(["segment", "attribute", "value"], dropna=False).size()
        got = cc.set_index(["segment", "attribute", "value"])["count"]
        assert got.sort_index().to_dict() == want.sort_index().to_dict()
        for a, c, _ in ps:  # customers with a known value, per segment
            seg = pd.Series(keys[np.unique(c)], dtype=object).fillna("<none>").value_counts().to_dict()
            mine = cn.loc[cn["attribute"] == a].assign(segment=lambda d: d["segment"].fillna("<none>"))
            assert dict(zip(mine["segment"], mine["n"])) == seg


def test_segment_keys_as_text_once_per_value():
    tab = pd.DataFrame({"group": pd.Series(["Loyal", None, "Loyal"], dtype="str"), "cluster": [2.0, np.nan, 1.5]})
    keys = personas.segment_keys(tab, "rfm")
    assert keys[0] == "Loyal" and keys[0] is keys[2] and pd.isna(keys[1])
    assert list(personas.segment_keys(tab, "cluster")) == ["2", None, None]


def test_profile_shares_equal_hand_counts(shop):
    orders, cust = shop
    r = personas.compute({"orders": orders, "customers": cust}, {"source": "rfm", "segment": "Champions"}, "en")
    from analytics import segmentation as seg
    tab = seg.rfm_table(orders)
    members = set(tab.loc[tab["group"] == "Champions", "customer_id"])
    assert r["size"] == len(members) >= 30 and r["base_size"] == 300
    a = pd.DataFrame(r["attributes"])
    g = cust.set_index("customer_id")["gender"]
    row = a.loc[(a["attribute"] == "gender") & (a["value"] == "女")].iloc[0]
    seg_share = (g.loc[list(members)] == "女").mean()
    base_share = (g == "女").mean()
    assert row["segment_share"] == pytest.approx(seg_share)
    assert row["base_share"] == pytest.approx(base_share)
    assert row["tgi"] == pytest.approx(seg_share / base_share * 100)
    # order attribute: share of the segment's orders by channel
    o = orders.loc[orders["customer_id"].isin(members)]
    ch = a.loc[(a["attribute"] == "channel") & (a["value"] == "Douyin")].iloc[0]
    assert ch["segment_share"] == pytest.approx((o["channel"] == "Douyin").mean())
    assert ch["base_share"] == pytest.approx((orders["channel"] == "Douyin").mean())
    assert ch["n_eff"] <= ch["segment_n"]
    # flagged only when the TGI interval excludes 100
    assert ((a["tgi_low"] > 100) | (a["tgi_high"] < 100) | ~a["significant"]).all()
    assert (~a.loc[a["significant"], "small"]).all()


def test_card_is_traceable_and_named_from_top_tgi(shop):
    orders, cust = shop
    for lang in ("en", "zh"):
        r = personas.compute({"orders": orders, "customers": cust}, {"source": "rfm", "segment": "Champions"}, lang)
        card = r["card"]
        assert {"name", "portrait", "needs", "channels", "offers"} <= set(card)
        attrs = {(x["attribute"], x["value"]): x["tgi"] for x in r["attributes"]}
        for item in card["needs"] + card["channels"] + card["offers"] + card["name_basis"]:
            assert attrs[(item["attribute"], item["value"])] == pytest.approx(item["tgi"])
            assert f"{item['tgi']:.0f}" in item["evidence"]
        assert card["channels"][0]["channel"] == "Douyin"
        assert any(o["attribute"] == "price_sensitivity" for o in card["offers"])
        assert "{" not in card["portrait"] and card["portrait"]
    # women over-indexed + a mother-and-baby interest -> "moms". The spend band defines an RFM group, so it
    # no longer names the card ("premium" / 精致 was the top spend band of Champions before issue 14 item 7)
    assert card["name"].endswith("宝妈") and "精致" not in card["name"]
    assert ("gender", "女") in {(b["attribute"], b["value"]) for b in card["name_basis"]}
    assert not {b["attribute"] for b in card["name_basis"]} & set(personas.BEHAVIOUR_ATTRS)
    assert card["note"] and "净销售额" in card["note"]
    figs = personas.figures(r, "zh")
    assert figs and "TGI" in figs[0]["title"]


def test_orders_only_gives_behaviour_only(shop):
    orders, _ = shop
    r = personas.compute({"orders": orders}, {"source": "rfm", "segment": "Champions"}, "en")
    attrs = {x["attribute"] for x in r["attributes"]}
    assert not attrs & {"gender", "age_band", "city_tier", "interests"}
    assert {"spend_band", "frequency_band", "category", "channel", "price_sensitivity", "hour_band"} <= attrs
    assert any("No customers dataset" in w for w in r["warnings"])


def test_minimum_size_guard(shop):
    orders, cust = shop
    with pytest.raises(NotEnoughData) as e:
        personas.compute({"orders": orders.loc[orders["customer_id"].astype(int) < 20]}, {}, "en")
    assert e.value.key in ("personas.error.too_small", "segmentation.error.no_customers")
    # a cluster / tier segment also works
    r = personas.compute({"orders": orders, "customers": cust}, {"source": "tier"}, "en")
    assert r["segment"]["source"] == "tier" and r["size"] >= 30


def test_locales_match():
    from analytics.i18n import LOCALE_DIR  # analytics/locales (personas is a package since issue 13)

    d = json.loads((LOCALE_DIR / "personas.json").read_text(encoding="utf-8"))
    assert d["en"].keys() == d["zh"].keys()
    assert d["en"]["metric.tgi"] and d["zh"]["metric.tgi"]
