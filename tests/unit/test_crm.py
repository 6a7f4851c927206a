"""Customers-only mode (issue 14 items 6 and 7): a CRM export in the iFood layout, with no orders
dataset, is segmented (RFM from its Recency / Num*Purchases / Mnt* columns, k-means) and profiled
(persona builder on its own columns), and both pages say what they cannot do without order lines. Persona
card rules: the attributes defining the segment are left out of the card, and a recommendation rests only
on an index whose interval lies entirely above 100."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analytics import personas as per
from analytics import segmentation as seg
from analytics.registry import missing_kinds
from analytics.segmentation import crm
from data import ingest, repository
from tests.ifood import COLUMNS, ifood_csv, ifood_frame

NUM = ("NumDealsPurchases", "NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases")
MNT = ("MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts", "MntSweetProducts", "MntGoldProds")


def _ingest(eng, content: bytes, name: str = "marketing_campaign.csv") -> tuple[dict, object]:
    info = ingest.ingest_bytes(content, filename=name, kind="customers", engine=eng)
    return info, repository.lines_table(dataset_id=info["id"], revision=info["revision"], engine=eng)


def _tiny() -> pd.DataFrame:
    """8 customers A..H whose recency, purchases (two Num* columns) and spend (two Mnt* columns) all rank
    the same way, so the scores can be read off by hand."""
    df = ifood_frame(8, seed=1)
    df["ID"] = [101, 102, 103, 104, 105, 106, 107, 108]
    df["Recency"] = [1, 5, 10, 20, 30, 40, 60, 90]
    freq = np.array([16, 14, 12, 10, 8, 6, 4, 2])
    for c in NUM:
        df[c] = 0
    df["NumWebPurchases"], df["NumStorePurchases"] = freq // 2, freq // 2
    spend = np.array([800, 700, 600, 500, 400, 300, 200, 100])
    for c in MNT:
        df[c] = 0
    df["MntWines"], df["MntMeatProducts"] = spend - 50, 50
    return df


def test_ifood_layout_maps_id_not_the_date_to_the_customer(engine):
    raw = ifood_frame(300)
    info, tbl = _ingest(engine, ifood_csv(300))
    assert info["rows"] == 300
    mapping = info["mapping"]
    assert mapping["customer_id"] == "ID"
    assert "Dt_Customer" not in {v for k, v in mapping.items() if k != "signup_date"}
    got = tbl.select("customer_id").to_pandas()["customer_id"].astype(str)
    assert sorted(got) == sorted(raw["ID"].astype(str))
    # the spend and purchase columns are kept as attributes, as numbers
    assert {"attr_Recency", "attr_MntWines", "attr_NumWebPurchases", "attr_Response"} <= set(tbl.columns)
    assert set(COLUMNS) - {"ID", "Year_Birth", "Income"} <= {c[len("attr_"):] for c in tbl.columns}


def test_rfm_from_the_crm_columns_by_hand(engine):
    _, tbl = _ingest(engine, _tiny().to_csv(index=False).encode(), "tiny.csv")
    fit = seg.fit({"customers": tbl}, {})
    assert isinstance(fit, crm.CrmFit) and fit.customers == 8 and not fit.sampled
    assert fit.rfm == {"recency": ["attr_Recency"],
                       "frequency": [f"attr_{c}" for c in NUM],
                       "monetary": [f"attr_{c}" for c in MNT]}
    tab = fit.table.set_index("customer_id")
    assert tab.loc["101", "frequency"] == 16 and tab.loc["101", "monetary"] == 800
    assert tab.loc["108", "recency_days"] == 90
    # 8 distinct values: score = ceil(5 x rank / 8) -> ranks 1..8 give 1,2,2,3,4,4,5,5
    assert tab["r"].tolist() == [5, 5, 4, 4, 3, 2, 2, 1]
    assert tab["f"].tolist() == tab["m"].tolist() == [5, 5, 4, 4, 3, 2, 2, 1]
    assert tab["group"].tolist() == ["Champions", "Champions", "Loyal", "Loyal", "Need attention",
                                     "Hibernating", "Hibernating", "Lost"]
    # cn8: recency mean 32, frequency mean 9, spend mean 450
    assert tab.loc["101", "group_cn"] == "重要价值"
    assert tab.loc["105", "group_cn"] == "一般发展"   # 30 days < 32: recent; 8 < 9 and 400 < 450
    assert tab.loc["108", "group_cn"] == "一般挽留"
    r = seg.present(fit, {}, "en")
    assert r["mode"] == "customers_only"
    champions = next(g for g in r["rfm_groups"] if g["group"] == "Champions")
    assert champions["customers"] == 2 and champions["net_sales_share"] == pytest.approx(1500 / 3600)
    choice = {x["measure"]: x["columns"] for x in r["rfm_columns"]}
    assert choice["Recency (days)"] == "Recency"
    assert choice["Frequency (purchases)"] == " + ".join(NUM)
    assert choice["Monetary (spend)"] == " + ".join(MNT)
    assert any("RFM from the customers file's own columns" in w for w in r["warnings"])
    # too few customers to cluster: said, not faked
    assert "error" in r["clusters"] and any("No clusters" in w for w in r["warnings"])


def test_cannot_do_without_order_lines_in_both_languages(engine):
    _, tbl = _ingest(engine, ifood_csv(300))
    fit = seg.fit({"customers": tbl}, {})
    en, zh = seg.present(fit, {}, "en"), seg.present(fit, {}, "zh")
    assert len(en["cannot"]) == len(crm.CANNOT) == len(zh["cannot"])
    assert "cohort retention" in en["warnings"][1] and "CLV" in en["warnings"][1]
    assert "同期群留存" in zh["warnings"][1] and "订单" in zh["warnings"][1]
    assert en["kpis"]["customers"] == 300 and en["clusters"]["k"] >= 2
    assert en["clusters"]["features"] == ["recency", "frequency", "monetary"]
    figs = seg.figures(en, "en")
    assert [f["key"] for f in figs] == ["groups", "clusters"]


def test_without_rfm_columns_clusters_use_numeric_attributes(engine):
    df = ifood_frame(300)[["ID", "Year_Birth", "Income", "Kidhome", "Teenhome", "NumWebVisitsMonth", "Education",
                           "Response"]]
    _, tbl = _ingest(engine, df.to_csv(index=False).encode(), "plain.csv")
    fit = seg.fit({"customers": tbl}, {"k": 3})
    assert fit.rfm is None and fit.groups is None and fit.cluster_basis == "attributes"
    r = seg.present(fit, {"k": 3}, "en")
    assert r["rfm_groups"] == [] and any("no recency, frequency and monetary" in w for w in r["warnings"])
    assert r["clusters"]["k"] == 3 and sum(p["customers"] for p in r["clusters"]["profiles"]) == 300
    # flags (Response) describe, they do not measure: not a clustering feature
    assert "Response" not in r["clusters"]["features"] and "income" in r["clusters"]["features"]


def test_a_large_crm_is_sampled_in_the_engine_with_a_seed(engine):
    _, tbl = _ingest(engine, ifood_csv(300))
    a = crm.crm_rows(tbl, seed=1, max_rows=100)
    b = crm.crm_rows(tbl, seed=1, max_rows=100)
    c = crm.crm_rows(tbl, seed=2, max_rows=100)
    assert a.sampled and a.rows == 300 and len(a.frame) == 100
    assert list(a.frame["customer_id"]) == list(b.frame["customer_id"])
    assert set(a.frame["customer_id"]) != set(c.frame["customer_id"])
    full = crm.crm_rows(tbl, seed=1)
    assert not full.sampled and len(full.frame) == 300


def test_kinds_customers_stand_in_for_orders():
    assert missing_kinds(seg, {"customers"}) == [] and missing_kinds(per, {"customers"}) == []
    assert missing_kinds(seg, set()) == ["orders"] and missing_kinds(seg, {"orders"}) == []
    assert seg.customers_only({"customers"}) and not seg.customers_only({"orders", "customers"})
    assert per.source_choices({"customers"}) == per.CRM_SOURCES
    assert per.source_choices({"orders", "customers"}) == per.ORDER_SOURCES


def test_persona_on_an_attribute_with_its_interval(engine):
    _, tbl = _ingest(engine, ifood_csv(300))
    p = {"source": "attribute", "analysis_date": "2015-01-01", "min_size": 10}
    fit = per.fit({"customers": tbl}, p)
    assert fit.customers_only and len(fit.customers) == 300
    opts = {o["value"]: o for o in per.segment_options({"customers": tbl}, p, "en", fitted=fit)}
    raw = ifood_frame(300)
    resp = int((raw["Response"] == 1).sum())
    assert opts["attr_Response=1"]["customers"] == resp and opts["attr_Response=1"]["label"] == "Response: 1"
    r = per.present(fit, p, "en")  # default segment: Response = 1
    assert r["segment"]["value"] == "attr_Response=1" and r["size"] == resp
    # Kidhome = 0 among responders vs the base, by hand (Wilson interval, base share fixed)
    row = next(a for a in r["attributes"] if a["attribute"] == "attr_Kidhome" and a["value"] == "0")
    k = int(((raw["Response"] == 1) & (raw["Kidhome"] == 0)).sum())
    base = (raw["Kidhome"] == 0).mean()
    lo, hi = proportion_confint(k, resp, alpha=0.05, method="wilson")
    assert row["segment_count"] == k and row["segment_n"] == resp
    assert row["tgi"] == pytest.approx(k / resp / base * 100)
    assert row["tgi_low"] == pytest.approx(lo / base * 100) and row["tgi_high"] == pytest.approx(hi / base * 100)
    # the attribute that defines the segment stays in the table but not on the card
    assert all(a["defines_segment"] == (a["attribute"] == "attr_Response") for a in r["attributes"])
    card = r["card"]
    used = [x["attribute"] for x in card["needs"] + card["channels"] + card["offers"] + card["name_basis"]]
    assert "attr_Response" not in used and "Response" in card["note"]
    assert "Response" not in card["portrait"].split("Over-represented")[1]
    by = {(a["attribute"], a["value"]): a for a in r["attributes"]}
    assert all(by[(x["attribute"], x["value"])]["tgi_low"] > 100 for x in card["needs"] + card["offers"])
    assert any(w.startswith("Customers-only mode") for w in r["warnings"])
    assert any("cannot show" in w for w in r["warnings"])
    zh = per.present(fit, p, "zh")
    assert any("仅客户数据模式" in w for w in zh["warnings"])


def test_persona_rfm_group_leaves_out_the_rfm_columns(engine):
    _, tbl = _ingest(engine, ifood_csv(300))
    p = {"source": "rfm", "segment": "At risk", "analysis_date": "2015-01-01", "min_size": 10}
    fit = per.fit({"customers": tbl}, p)
    r = per.present(fit, p, "en")
    defining = {a["attribute"] for a in r["attributes"] if a["defines_segment"]}
    assert {"spend_band", "frequency_band", "recency_band", "attr_Recency", "attr_MntWines",
            "attr_NumWebPurchases"} <= defining
    assert "attr_Response" not in defining and "attr_Education" not in defining
    card = r["card"]
    for x in card["needs"] + card["channels"] + card["offers"] + card["name_basis"]:
        assert x["attribute"] not in defining
    figs = per.figures(r, "en")
    assert not figs or not any(s in figs[0]["title"] for s in ("Recency", "MntWines"))
    assert per.present(fit, dict(p, segment="Champions"), "en")["segment"]["label"] == "Champions"


def test_persona_sources_that_need_what_is_missing_are_refused(engine):
    from analytics.common import NotEnoughData

    df = ifood_frame(300)[["ID", "Income", "Kidhome", "Education", "Response"]]
    _, tbl = _ingest(engine, df.to_csv(index=False).encode(), "plain.csv")
    with pytest.raises(NotEnoughData) as e:
        per.fit({"customers": tbl}, {"source": "rfm"})
    assert e.value.key == "personas.error.crm_no_rfm"
    with pytest.raises(NotEnoughData) as e:
        per.fit({"customers": tbl}, {"source": "tier"})
    assert e.value.key == "personas.error.crm_source"


# ---------------------------------------------------------------- card rules (both modes)


def _rows(attribute: str, value: str, seg_count: int, seg_n: int, base_share: float) -> dict:
    t = per.tgi_table([seg_count], seg_n, [base_share * 1000], 1000).iloc[0].to_dict()
    return {"attribute": attribute, "value": value, "unit": "customers", "segment_count": seg_count,
            "segment_n": seg_n, "small": seg_n < per.MIN_SIZE, **t}


def test_a_recommendation_needs_the_interval_above_100():
    # WeChat: 12 of 40 vs 20% of the base: TGI 150, but the Wilson interval of 12/40 (18%-45%) gives a TGI
    # interval of about 90-225, which crosses 100: no recommendation
    wechat = _rows("acquisition_channel", "WeChat", 12, 40, 0.20)
    lo, _ = proportion_confint(12, 40, method="wilson")
    assert wechat["tgi"] == pytest.approx(150) and wechat["tgi_low"] == pytest.approx(lo / 0.2 * 100)
    assert wechat["tgi_low"] < 100 < wechat["tgi"]
    card = per.build_card([wechat], 40, 1000, "Segment", "en")
    assert card["channels"] == [] and card["offers"] == [] and card["needs"] == []
    # Douyin: 30 of 40 vs 40%: TGI 187.5, interval entirely above 100: recommended
    douyin = _rows("acquisition_channel", "Douyin", 30, 40, 0.40)
    assert douyin["tgi_low"] > 100
    card = per.build_card([wechat, douyin], 40, 1000, "Segment", "en")
    assert [c["channel"] for c in card["channels"]] == ["Douyin"]
    assert per.clears_100(douyin) and not per.clears_100(wechat)


def test_defining_attributes_are_left_out_of_the_card():
    douyin = _rows("acquisition_channel", "Douyin", 30, 40, 0.40)
    card = per.build_card([douyin], 40, 1000, "Segment", "en", defining={"acquisition_channel"})
    assert card["channels"] == [] and "Acquisition channel" in card["note"] and "Douyin" not in card["portrait"]
    zh = per.build_card([douyin], 40, 1000, "分群", "zh", defining={"acquisition_channel"})
    assert "未写入画像卡" in zh["note"]
