"""Known layouts (data/presets.py), the kind guessed from all columns, and the planner's default plan and
channel names (issue 14 items 2, 4 and 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import promotions
from analytics.channel_names import display_name, display_names
from data import ingest, mapping, presets, reader


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8")


def robyn_csv(weeks: int = 120, seed: int = 3) -> bytes:
    """A weekly file in Robyn's convention (dt_simulated_weekly's columns), with a known response."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2016-11-21", periods=weeks, freq="W-MON")
    spend = {c: np.round(rng.gamma(3, s / 3, weeks) * (rng.random(weeks) > 0.15), 0)
             for c, s in (("tv_S", 40000), ("ooh_S", 20000), ("print_S", 8000), ("facebook_S", 15000),
                          ("search_S", 10000))}
    comp = rng.normal(5e6, 4e5, weeks)
    events = np.where(rng.random(weeks) < 0.08, "event1", "na")
    rev = (1.2e6 + 0.05 * comp + 9e5 * (1 - np.exp(-spend["tv_S"] / 50000))
           + 4e5 * (1 - np.exp(-spend["facebook_S"] / 15000)) + 3e5 * (1 - np.exp(-spend["search_S"] / 8000))
           + 2e5 * (events == "event1") + rng.normal(0, 4e4, weeks))
    df = pd.DataFrame({"DATE": dates.strftime("%Y-%m-%d"), "revenue": np.round(rev, 0), **spend,
                       "facebook_I": np.round(spend["facebook_S"] * 80),
                       "search_clicks_P": np.round(spend["search_S"] / 2), "competitor_sales_B": np.round(comp),
                       "events": events, "newsletter": np.round(rng.gamma(2, 9000, weeks))})
    return _csv(df[["DATE", "revenue", "tv_S", "ooh_S", "print_S", "facebook_I", "search_clicks_P", "search_S",
                    "competitor_sales_B", "facebook_S", "events", "newsletter"]])


def _layout(cols: list[str], rows: list[list]) -> bytes:
    return _csv(pd.DataFrame(rows, columns=cols))


LAYOUTS = {
    "meridian": _layout(
        ["time", "geo", "Channel0_impression", "Channel1_impression", "Channel0_spend", "Channel1_spend",
         "GQV", "Competitor_Sales", "Promo", "population", "conversions", "revenue_per_conversion"],
        [["2021-01-25", "Geo0", 1000, 800, 120.5, 90.0, 0.3, 5000, 0, 1e5, 510, 0.02],
         ["2021-02-01", "Geo0", 1100, 700, 130.0, 80.0, 0.2, 5100, 1, 1e5, 530, 0.02]]),
    "meta_ads": _layout(
        ["Reporting starts", "Reporting ends", "Campaign name", "Amount spent (USD)", "Impressions", "Reach",
         "Link clicks", "Results", "Purchases conversion value"],
        [["2024-06-01", "2024-06-01", "618 prospecting", 120.50, 15000, 9000, 210, 7, 540.0],
         ["2024-06-02", "2024-06-02", "618 prospecting", 98.10, 13200, 8100, 180, 5, 410.0]]),
    "google_ads": _layout(
        ["Day", "Campaign", "Currency code", "Cost", "Impr.", "Clicks", "Conversions", "Conv. value"],
        [["2024-06-01", "Brand search", "USD", 55.2, 2100, 160, 12, 880.0],
         ["2024-06-02", "Brand search", "USD", 61.0, 2300, 171, 14, 1010.0]]),
    "ga4": _layout(
        ["Session default channel group", "Date", "Sessions", "Engaged sessions", "Key events", "Total revenue"],
        [["Organic Search", "20240601", 1200, 800, 40, 3200.0], ["Paid Search", "20240601", 600, 380, 25, 2100.0]]),
    "qianchuan": _layout(
        ["日期", "计划名称", "整体消耗", "展示次数", "点击次数", "整体成交订单数", "整体成交金额", "整体支付ROI"],
        [["2024-06-01", "618爆发", "3200.5", 120000, 2400, 95, "15600", 4.87],
         ["2024-06-02", "618爆发", "2800", 110000, 2100, 80, "13100", 4.68]]),
    "sycm": _layout(
        ["统计日期", "流量来源", "访客数", "支付金额", "支付买家数", "支付转化率"],
        [["2024-06-01", "手淘搜索", 5200, "86,200.50", 310, "5.96%"], ["2024-06-01", "直通车", 2100, "31,000", 120, "5.71%"]]),
    "jd_shangzhi": _layout(
        ["日期", "访客数", "浏览量", "成交金额", "成交客户数", "成交单量", "成交转化率"],
        [["2024-06-01", 3100, 9800, "45,300", 150, 162, "4.84%"], ["2024-06-02", 2900, 9100, "41,000", 140, 149, "4.83%"]]),
}

# field -> column each layout must map (besides what the name matching adds)
EXPECTED = {
    "meridian": {"date": "time", "outcome": "conversions"},
    "meta_ads": {"date": "Reporting starts", "spend": "Amount spent (USD)", "impressions": "Impressions",
                 "clicks": "Link clicks", "conversions": "Results", "revenue": "Purchases conversion value",
                 "channel": "=Meta", "campaign": "Campaign name"},
    "google_ads": {"date": "Day", "spend": "Cost", "impressions": "Impr.", "clicks": "Clicks",
                   "conversions": "Conversions", "revenue": "Conv. value", "channel": "=Google Ads"},
    "ga4": {"channel": "Session default channel group", "date": "Date", "conversions": "Key events",
            "revenue": "Total revenue"},
    "qianchuan": {"date": "日期", "spend": "整体消耗", "impressions": "展示次数", "clicks": "点击次数",
                  "conversions": "整体成交订单数", "revenue": "整体成交金额", "channel": "=巨量千川"},
    "sycm": {"date": "统计日期", "channel": "流量来源", "revenue": "支付金额", "conversions": "支付买家数"},
    "jd_shangzhi": {"date": "日期", "revenue": "成交金额", "conversions": "成交单量", "channel": "=京东"},
}


@pytest.mark.parametrize("key", sorted(LAYOUTS))
def test_each_named_layout_is_recognised_and_mapped(key):
    content = LAYOUTS[key]
    raw = reader.read_table(content, filename=f"{key}.csv")
    cols = [str(c) for c in raw.frame.columns]
    p = presets.detect(cols)
    assert p is not None and p.key == key
    assert ingest.guess_kind(content, f"{key}.csv") == p.kind
    sugg = mapping.suggest_mapping(cols, p.kind, raw.frame.head(500))
    for fname, col in EXPECTED[key].items():
        assert sugg[fname].column == col, (fname, sugg[fname])
        assert sugg[fname].method == "preset" and sugg[fname].preset == key
        assert sugg[fname].confidence >= mapping.SURE  # never asked as a doubtful guess
    if p.kind == "channels" and "spend" in sugg:  # a complete ad export converts without a question
        conv = mapping.to_canonical(raw, p.kind, {f: m.column for f, m in sugg.items()}, source_name=key)
        assert conv.n_bad == 0
        assert any(p.name in n for n in conv.notes)  # the review names the layout
        assert conv.frame["spend"].sum() > 0 and conv.frame["channel"].notna().all()


def test_the_same_headers_without_the_layout_are_no_preset():
    assert presets.detect(["date", "outcome", "spend_taobao", "spend_douyin"]) is None  # Prism's own layout
    assert presets.detect(["order_id", "Cost", "Clicks"]) is None  # Google Ads needs "Impr."
    assert presets.detect(["DATE", "revenue", "tv_S"]) is None  # one *_S column is not Robyn's convention


def test_a_robyn_file_fits_in_the_planner_without_choosing_columns():
    content = robyn_csv()
    assert ingest.guess_kind(content, "robyn.csv") == "media_mix"
    raw = reader.read_table(content, filename="robyn.csv")
    sugg = mapping.suggest_mapping(list(raw.frame.columns), "media_mix", raw.frame.head(500))
    assert {f: m.column for f, m in sugg.items()} == {"date": "DATE", "outcome": "revenue"}
    conv = mapping.to_canonical(raw, "media_mix", {f: m.column for f, m in sugg.items()}, source_name="robyn.csv")
    frame = mapping.validate(conv)
    r = promotions.compute({"media_mix": frame}, {"n_boot": 20}, "en")  # no spend_cols, no control_cols
    alloc = pd.DataFrame(r["allocation"])
    assert list(alloc["key"]) == ["tv_S", "ooh_S", "print_S", "search_S", "facebook_S"]  # *_S: the spends
    assert list(alloc["channel"]) == ["TV", "Out-of-home", "Print", "Search", "Facebook"]
    # exposure (*_I, *_P) is not planned; context (*_B), events and newsletter are the controls
    assert r["fit"]["controls"] == ["competitor_sales_B", "events=event1", "newsletter"]
    weeks = 4
    recent = frame[["attr_tv_S", "attr_ooh_S", "attr_print_S", "attr_search_S", "attr_facebook_S"]].tail(13).mean()
    assert r["total"]["spend"] == pytest.approx(float(recent.sum()) * weeks)  # default budget: the recent spend
    assert r["total"]["expected_outcome"] > 0
    inputs = promotions.model_inputs({"media_mix": frame}, {})
    assert inputs["default_spend_cols"] == ["tv_S", "ooh_S", "print_S", "search_S", "facebook_S"]
    assert inputs["channel_labels"]["zh"] == ["电视", "户外", "平面媒体", "搜索广告", "Facebook"]


@pytest.fixture(scope="module")
def demo_frames():
    from data import demo

    return {"media_mix": demo.generate(seed=7)["media_mix"]}


def test_default_plan_stays_within_the_spend_seen_on_the_demo(demo_frames):
    mm = demo_frames["media_mix"]
    spend_cols = [c for c in mm.columns if c.startswith("attr_spend_")]
    r = promotions.compute(demo_frames, {"n_boot": 0}, "en")
    weeks = 4
    alloc = pd.DataFrame(r["allocation"]).set_index("key")
    X = mm[spend_cols]
    recent = X.tail(promotions.RECENT_WEEKS).mean()
    assert r["total"]["spend"] == pytest.approx(float(recent.sum()) * weeks)  # the budget: recent spend
    assert alloc["spend"].sum() == pytest.approx(r["total"]["spend"])
    for col in spend_cols:
        w = alloc.loc[col[5:], "spend"] / weeks
        assert X[col].min() - 1e-6 <= w <= X[col].max() + 1e-6, col  # within the weekly range seen
        assert 0.5 * recent[col] - 1e-6 <= w <= 2 * recent[col] + 1e-6, col  # near current spend (Robyn)
        if (X[col] > 0).all():
            assert w > 0, col  # a channel the data spent on every week is never dropped
    assert max(alloc["share"]) < 0.5
    assert not [w for w in r["warnings"] if "extrapolates" in w]
    assert set(alloc["channel"]) == {"Douyin", "Kuaishou", "Taobao", "JD", "Pinduoduo", "WeChat", "Xiaohongshu"}


def test_a_wider_plan_says_it_extrapolates(demo_frames):
    fit = promotions.fit_model(demo_frames, {"n_boot": 0})
    mm = demo_frames["media_mix"]
    r = promotions.plan(fit, {"budget": 3_000_000, "n_boot": 0}, "en")
    alloc = pd.DataFrame(r["allocation"]).set_index("key")
    assert alloc["spend"].sum() == pytest.approx(3_000_000)  # the budget is spent: the default limits are lifted
    beyond = [k for k in alloc.index if alloc.loc[k, "spend"] / 4 > mm[f"attr_{k}"].max() * 1.0001]
    assert beyond and all(alloc.loc[k, "extrapolated"] for k in beyond)
    text = " ".join(r["warnings"])
    assert "lifted" in text and "extrapolates the response curve beyond the spend seen" in text
    for k in beyond:
        assert f"{alloc.loc[k, 'channel']} (max " in text
    zh = promotions.plan(fit, {"budget": 3_000_000, "n_boot": 0}, "zh")
    assert any("外推" in w for w in zh["warnings"])
    # a channel limit the user gives wins over the default one
    r2 = promotions.plan(fit, {"bounds": "spend_jd:100000:", "n_boot": 0}, "en")
    assert pd.DataFrame(r2["allocation"]).set_index("key").loc["spend_jd", "spend"] >= 100000 - 1e-6


@pytest.mark.parametrize("column,en,zh", [
    ("spend_taobao", "Taobao", "淘宝"), ("attr_spend_douyin", "Douyin", "抖音"), ("kuaishou_cost", "Kuaishou", "快手"),
    ("spend_jd", "JD", "京东"), ("tv_S", "TV", "电视"), ("Channel0_spend", "Channel0", "Channel0"),
    ("消耗_小红书", "Xiaohongshu", "小红书"), ("Douyin", "Douyin", "抖音"), ("brand_video_S", "Brand Video", "Brand Video"),
])
def test_channel_names_in_english_and_chinese(column, en, zh):
    assert display_name(column, "en") == en
    assert display_name(column, "zh") == zh


def test_channel_names_stay_unique():
    assert display_names(["spend_taobao", "taobao_cost"], "en") == ["Taobao (spend_taobao)", "Taobao (taobao_cost)"]


def _olist_orders(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    ts = pd.date_range("2018-01-01", periods=n, freq="13h").strftime("%Y-%m-%d %H:%M:%S")
    return pd.DataFrame({
        "order_id": [f"{rng.integers(1 << 60):016x}" for _ in range(n)],
        "customer_id": [f"{rng.integers(1 << 60):016x}" for _ in range(n)],
        "order_status": rng.choice(["delivered", "shipped", "canceled"], n),
        "order_purchase_timestamp": ts, "order_approved_at": ts, "order_delivered_carrier_date": ts,
        "order_delivered_customer_date": ts, "order_estimated_delivery_date": ts,
    })


def test_an_olist_orders_file_is_guessed_orders_not_customers():
    orders = _olist_orders()
    # the header file alone (no amount: Olist keeps it in the payments file) is still orders
    assert ingest.guess_kind(_csv(orders), "olist_orders_dataset.csv") == "orders"
    scores = mapping.kind_scores(list(orders.columns), orders.astype(str))
    assert scores["orders"] > scores["customers"]
    rng = np.random.default_rng(1)
    merged = orders.assign(customer_unique_id=orders["customer_id"].str[::-1],
                           customer_zip_code_prefix=rng.integers(1000, 99999, len(orders)),
                           customer_city=rng.choice(["sao paulo", "rio de janeiro"], len(orders)),
                           customer_state=rng.choice(["SP", "RJ"], len(orders)),
                           payment_value=np.round(rng.gamma(2, 60, len(orders)), 2))
    assert ingest.guess_kind(_csv(merged), "olist_merged.csv") == "orders"


def test_an_ifood_crm_file_is_guessed_customers():
    rng = np.random.default_rng(2)
    n = 40
    crm = pd.DataFrame({
        "ID": rng.integers(1, 11000, n), "Year_Birth": rng.integers(1940, 2000, n),
        "Education": rng.choice(["Graduation", "PhD", "Master"], n), "Marital_Status": rng.choice(["Single", "Married"], n),
        "Income": rng.integers(20000, 90000, n), "Kidhome": rng.integers(0, 2, n), "Teenhome": rng.integers(0, 2, n),
        "Dt_Customer": pd.date_range("2013-01-01", periods=n, freq="5D").strftime("%Y-%m-%d"),
        "Recency": rng.integers(0, 99, n), "MntWines": rng.integers(0, 900, n), "MntFruits": rng.integers(0, 90, n),
        "NumWebPurchases": rng.integers(0, 10, n), "NumWebVisitsMonth": rng.integers(0, 10, n),
        "AcceptedCmp1": rng.integers(0, 2, n), "Complain": rng.integers(0, 2, n), "Z_CostContact": 3, "Z_Revenue": 11,
        "Response": rng.integers(0, 2, n)})
    assert ingest.guess_kind(_csv(crm), "ifood_df.csv") == "customers"
    scores = mapping.kind_scores(list(crm.columns), crm.astype(str))
    assert scores["customers"] == max(scores.values())
    assert "order_date" not in mapping.suggest_mapping(list(crm.columns), "orders", crm.astype(str))  # Dt_Customer


def test_every_template_is_still_guessed_its_own_kind():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "data" / "samples"
    for f in sorted(root.glob("*.csv")):
        assert ingest.guess_kind(f.read_bytes(), f.name) == f.stem, f.name
