"""The demo workspace (data/demo.py): canonical shape, determinism, speed and the story it tells.

Every figure is recomputed here with plain pandas / numpy from the generated frames.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from data import demo
from data import repository as repo
from data.db import make_engine
from data.schema import ATTR_PREFIX, KINDS

KIND_NAMES = ("orders", "customers", "channels", "competitors", "experiments", "feedback", "market", "media_mix",
              "live_sessions", "creators", "content", "audience")
START, END = pd.Timestamp("2024-11-01"), pd.Timestamp("2026-11-01")  # END exclusive


@pytest.fixture(scope="module")
def timed():
    t0 = time.perf_counter()
    frames = demo.generate(7)
    return frames, time.perf_counter() - t0


@pytest.fixture(scope="module")
def frames(timed):
    return timed[0]


@pytest.fixture(scope="module")
def orders(frames):
    return frames["orders"]


@pytest.fixture(scope="module")
def daily(orders):
    return orders.groupby(orders["order_date"].dt.normalize())["amount"].sum()


def _frame_digest(df: pd.DataFrame) -> tuple:
    return (tuple(df.columns), tuple(str(t) for t in df.dtypes),
            int(pd.util.hash_pandas_object(df, index=True).to_numpy().astype(np.uint64).sum(dtype=np.uint64)))


def _dtype_ok(s: pd.Series, ftype: str) -> bool:
    if ftype in ("float", "int"):
        return s.dtype == np.float64
    if ftype == "datetime":
        return s.dtype == "datetime64[ns]"
    if ftype == "bool":
        return isinstance(s.dtype, pd.BooleanDtype)
    return s.dtype == "str"


# ---------------------------------------------------------------- contract, determinism, speed


def test_all_kinds_with_exactly_the_canonical_columns_and_dtypes(frames):
    assert set(frames) == set(KIND_NAMES) == set(KINDS) == set(demo.DEMO_NAMES)
    for kind, df in frames.items():
        k = KINDS[kind]
        cols = list(df.columns)
        assert cols[: len(k.field_names)] == list(k.field_names), kind
        extra = cols[len(k.field_names):]
        allowed_derived = ["is_return"] if kind == "orders" else []
        assert [c for c in extra if not c.startswith(ATTR_PREFIX)] == allowed_derived, kind
        for f in k.fields:
            assert _dtype_ok(df[f.name], f.type), (kind, f.name, df[f.name].dtype)
            if f.type == "int":
                v = df[f.name].dropna()
                assert (v == np.round(v)).all(), (kind, f.name)
        # the demo fills every canonical field
        assert all(df[f].notna().any() for f in k.field_names), kind
        assert df.index.equals(pd.RangeIndex(len(df)))
    assert frames["orders"]["is_return"].dtype == bool
    assert frames["orders"]["amount"].notna().all() and frames["orders"]["order_id"].notna().all()
    assert frames["experiments"]["unit_id"].notna().all() and frames["experiments"]["unit_id"].is_unique
    for name in demo.DEMO_NAMES.values():
        assert name.startswith("Demo · ")


def test_same_seed_same_frames_other_seed_other_frames(frames):
    again = demo.generate(7)
    for kind in KIND_NAMES:
        assert _frame_digest(again[kind]) == _frame_digest(frames[kind]), kind
        pd.testing.assert_frame_equal(again[kind], frames[kind])
    other = demo.generate(8, n_customers=3_000)
    assert _frame_digest(other["orders"]) != _frame_digest(frames["orders"])
    assert _frame_digest(other["experiments"]) != _frame_digest(frames["experiments"])


def test_sizes_are_in_range(frames, orders):
    assert 170_000 <= len(orders) <= 240_000
    assert 100_000 <= orders["order_id"].nunique() <= 140_000
    assert len(frames["customers"]) == 20_000 and frames["customers"]["customer_id"].is_unique
    assert 17_000 <= orders["customer_id"].nunique() <= 20_000
    ch = frames["channels"]
    assert set(ch["channel"]) == set(demo.CHANNELS)
    per_channel = ch.groupby("channel")["campaign"].nunique()
    assert per_channel.between(2, 3).all()
    # daily rows per platform x campaign over the two years, none missing
    assert len(ch) == per_channel.sum() * 730
    assert ch.groupby(["channel", "campaign"])["date"].nunique().eq(730).all()
    assert len(frames["experiments"]) == 30_000
    assert len(frames["feedback"]) == 5_000
    comp = frames["competitors"]
    assert comp["competitor"].nunique() == 5 and demo.BRAND in set(comp["competitor"])
    assert comp.groupby("competitor")["product"].nunique().eq(8).all()
    mk = frames["market"]
    assert mk["date"].min() == pd.Timestamp("2023-11-01") and mk["date"].max() == pd.Timestamp("2026-10-01")
    assert mk["date"].nunique() == 36 and set(mk["segment"]) == set(demo.CHANNELS)
    mm = frames["media_mix"]
    assert len(mm) == 104 and mm["date"].diff().dropna().eq(pd.Timedelta(days=7)).all()
    for c in demo.CHANNELS:
        assert f"attr_spend_{c.lower()}" in mm.columns
    assert {"attr_event_618", "attr_event_1111"} <= set(mm.columns)


def test_smaller_workspaces_scale_down(frames):
    small = demo.generate(7, n_customers=2_000, scale=0.5)
    assert len(small["customers"]) == 1_000
    assert len(small["experiments"]) == 15_000 and len(small["feedback"]) == 2_500
    ratio = len(small["orders"]) / len(frames["orders"])
    assert 0.03 < ratio < 0.08
    assert small["orders"]["customer_id"].isin(small["customers"]["customer_id"]).all()


def test_generate_orders_exact_count_and_same_shape(orders):
    demo.generate_orders(1_000, seed=1)  # warm imports
    big = demo.generate_orders(1_000_000, seed=3)
    assert len(big) == 1_000_000
    assert list(big.columns) == list(orders.columns)
    assert [str(t) for t in big.dtypes] == [str(t) for t in orders.dtypes]
    assert big["order_date"].between(START, END).all()
    assert 0.02 <= big["is_return"].mean() <= 0.08
    lines_per_order = len(big) / big["order_id"].nunique()
    assert 1.4 <= lines_per_order <= 2.2
    day = big.groupby(big["order_date"].dt.normalize())["amount"].sum()
    top = day.quantile(0.99)
    assert day[pd.Timestamp("2025-11-11")] >= top and day[pd.Timestamp("2025-06-18")] >= top
    small = demo.generate_orders(12_345, seed=3)
    assert len(small) == 12_345
    pd.testing.assert_frame_equal(small, demo.generate_orders(12_345, seed=3))


def test_the_store_round_trip_keeps_the_frames(tmp_path):
    small = demo.generate(3, n_customers=600, scale=0.05)
    eng = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    repo.init_store(engine=eng)
    try:
        for kind, df in small.items():
            info = repo.write_dataset(kind=kind, frame=df, name=demo.DEMO_NAMES[kind], content_hash=f"t:{kind}",
                                      mapping={}, source_file="demo", uploaded_by="test", engine=eng)
            back = repo.load_frame(dataset_id=info["id"], engine=eng)
            assert len(back) == len(df), kind
            assert list(back.columns[: len(KINDS[kind].field_names)]) == list(KINDS[kind].field_names)
            assert set(back.columns) == set(df.columns), kind
            for c in df.columns:
                a, b = df[c], back[c]
                if pd.api.types.is_float_dtype(a):
                    np.testing.assert_allclose(b.to_numpy(dtype=float), a.to_numpy(dtype=float), rtol=1e-9,
                                               err_msg=f"{kind}.{c}")
                else:
                    assert a.astype(object).where(a.notna(), None).tolist() == \
                        b.astype(object).where(b.notna(), None).tolist(), (kind, c)
        assert repo.get_dataset(dataset_id=1, engine=eng)["flagged_returns"] == int(small["orders"]["is_return"].sum())
    finally:
        eng.dispose()


# ---------------------------------------------------------------- orders and customers


def test_orders_belong_to_customers_and_signup_precedes_first_order(frames, orders):
    cust = frames["customers"].set_index("customer_id")
    assert orders["customer_id"].isin(cust.index).all()
    assert orders["customer_id"].str.fullmatch(r"C\d{6}").all()
    first = orders.groupby("customer_id")["order_date"].min()
    assert (cust.loc[first.index, "signup_date"] <= first).all()
    assert orders["order_date"].between(START, END, inclusive="left").all()
    # a customer's orders ship to the customer's city
    merged = orders[["customer_id", "city", "region"]].drop_duplicates().merge(
        cust[["city", "region"]], left_on="customer_id", right_index=True, suffixes=("", "_c"))
    assert (merged["city"] == merged["city_c"]).all() and (merged["region"] == merged["region_c"]).all()


def test_festival_peaks_are_top_one_percent_days(daily):
    assert len(daily) == 730
    top = daily.quantile(0.99)
    for day in ("2024-11-11", "2025-06-18", "2025-11-11", "2026-06-18"):
        assert daily[pd.Timestamp(day)] >= top, day
    # the peaks tower over an ordinary day, and the run-up beats the weeks after
    median = daily.median()
    assert daily[pd.Timestamp("2025-11-11")] > 5 * median
    assert daily[pd.Timestamp("2025-06-18")] > 3 * median
    for a, b, c, d in (("2025-06-01", "2025-06-17", "2025-07-01", "2025-07-31"),
                       ("2025-10-20", "2025-11-10", "2025-11-20", "2025-12-08")):
        assert daily[a:b].mean() > 1.2 * daily[c:d].mean()
    # 双12, 年货节 and 38节 lift their windows above the surrounding plain weeks
    assert daily["2025-12-10":"2025-12-12"].mean() > 1.3 * daily["2025-11-25":"2025-12-08"].mean()
    assert daily["2025-03-01":"2025-03-08"].mean() > 1.2 * daily["2025-03-15":"2025-04-15"].mean()
    assert daily["2026-01-20":"2026-02-10"].mean() > 1.1 * daily["2026-02-25":"2026-03-31"].mean()


def test_weekends_outsell_weekdays_and_evenings_peak(orders, daily):
    plain = daily[~daily.index.isin(pd.DatetimeIndex(orders.loc[orders["campaign"].notna(), "order_date"]
                                                      .dt.normalize().unique()))]
    wd = plain.index.day_of_week
    assert plain[wd >= 5].mean() > 1.08 * plain[wd < 5].mean()
    hours = orders.loc[~orders["is_return"], "order_date"].dt.hour.value_counts(normalize=True).sort_index()
    assert hours.idxmax() in (20, 21, 22)
    assert hours.loc[19:23].sum() > 0.35 and hours.loc[2:6].sum() < 0.05


def test_growth_about_fifteen_percent_a_year(orders):
    first = orders.loc[orders["order_date"] < "2025-11-01", "amount"].sum()
    second = orders.loc[orders["order_date"] >= "2025-11-01", "amount"].sum()
    assert 1.08 <= second / first <= 1.25


def test_returns_are_flagged_negative_lines(orders):
    ret = orders[orders["is_return"]]
    assert 0.02 <= len(ret) / len(orders) <= 0.08
    gross = orders.loc[~orders["is_return"], "amount"].sum()
    assert 0.02 <= -ret["amount"].sum() / gross <= 0.08
    assert (ret["quantity"] < 0).all() and (ret["amount"] < 0).all() and (ret["status"] == "退款").all()
    sale = orders[~orders["is_return"]]
    assert (sale["quantity"] > 0).all() and (sale["amount"] > 0).all() and (sale["status"] == "已完成").all()
    # every refund reverses a sale line of the same order, later
    first_sale = sale.groupby("order_id")["order_date"].min()
    assert ret["order_id"].isin(first_sale.index).all()
    assert (ret["order_date"].to_numpy() > first_sale.loc[ret["order_id"]].to_numpy()).all()
    # live-stream platforms are returned more often than JD / WeChat
    rate = orders.groupby("channel")["is_return"].mean()
    assert rate["Douyin"] > rate["JD"] and rate["Kuaishou"] > rate["WeChat"]


def test_amounts_prices_discounts_and_campaigns(orders):
    sale = orders[~orders["is_return"]]
    np.testing.assert_allclose(sale["amount"], sale["quantity"] * sale["unit_price"] - sale["discount"], atol=0.01)
    assert sale["unit_price"].between(39, 899).all()
    assert orders["product_id"].nunique() >= 55
    assert set(orders["category"]) == set(demo.CATEGORIES)
    assert set(orders["channel"]) == set(demo.CHANNELS)
    share = sale.groupby("channel")["amount"].sum() / sale["amount"].sum()
    assert share["Douyin"] > share["Xiaohongshu"] and share["Taobao"] > share["Kuaishou"]
    assert share.max() < 0.40 and share.min() > 0.03
    assert orders["region"].nunique() >= 20 and orders["city"].nunique() >= 40
    day = sale["order_date"].dt.normalize()
    camp = sale.groupby(day)["campaign"].agg(lambda s: s.dropna().unique().tolist())
    assert camp[pd.Timestamp("2025-06-10")] == ["618大促"] and camp[pd.Timestamp("2025-11-05")] == ["双11"]
    assert camp[pd.Timestamp("2025-07-15")] == []
    assert "Coupon test Sep 2026" in set(sale["campaign"].dropna())
    # festival coupons are deep, plain days almost free of discount
    gross = sale["quantity"] * sale["unit_price"]
    rate_1111 = sale.loc[day == "2025-11-11", "discount"].sum() / gross[day == "2025-11-11"].sum()
    rate_plain = sale.loc[sale["campaign"].isna(), "discount"].sum() / gross[sale["campaign"].isna()].sum()
    assert rate_1111 > 0.15 and rate_plain < 0.03
    aov = sale.groupby("order_id")["amount"].sum().mean()
    assert 200 <= aov <= 600


def test_customers_repeat_heterogeneously(orders):
    sale = orders[~orders["is_return"]]
    n_orders = sale.groupby("customer_id")["order_id"].nunique()
    assert 0.20 <= (n_orders == 1).mean() <= 0.50          # many one-off buyers
    assert (n_orders >= 10).mean() >= 0.10                  # and a loyal core
    spend = orders.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    assert spend.head(len(spend) // 10).sum() / spend.sum() > 0.35
    # churn: a good share of repeat buyers stop well before the end of the window
    last = sale.groupby("customer_id")["order_date"].max()
    repeaters = n_orders[n_orders >= 2].index
    assert (last.loc[repeaters] < pd.Timestamp("2026-04-30")).mean() > 0.25


def test_spend_and_taste_depend_on_demographics(frames, orders):
    cust = frames["customers"].set_index("customer_id")
    spend = orders.groupby("customer_id")["amount"].sum().reindex(cust.index).fillna(0)
    by_tier = spend.groupby(cust["city_tier"]).mean()
    assert set(by_tier.index) == {"一线", "新一线", "二线", "三线", "四线及以下"}
    assert by_tier["一线"] > 1.4 * by_tier["四线及以下"]
    assert cust.groupby("city_tier")["income"].median()["一线"] > cust.groupby("city_tier")["income"].median()["三线"]
    lines = orders.merge(cust[["age", "gender", "city_tier"]], left_on="customer_id", right_index=True)
    young, older = lines[lines["age"] < 25], lines[lines["age"] >= 40]
    makeup = "彩妆 Makeup"
    assert (young["category"] == makeup).mean() > 1.5 * (older["category"] == makeup).mean()
    # TGI of Xiaohongshu among under-25s, of Pinduoduo in lower-tier cities
    base = lines["channel"].value_counts(normalize=True).sort_index()
    assert (young["channel"] == "Xiaohongshu").mean() / base["Xiaohongshu"] * 100 > 130
    low = lines[lines["city_tier"].isin(["三线", "四线及以下"])]
    assert (low["channel"] == "Pinduoduo").mean() / base["Pinduoduo"] * 100 > 130
    men = lines[lines["gender"] == "男"]
    assert (men["category"] == "个护 Personal care").mean() > 1.5 * (lines["category"] == "个护 Personal care").mean()


def test_customer_table_is_consistent(frames, orders):
    c = frames["customers"]
    assert c["age"].between(18, 60).all() and (c["age"] + c["birth_year"] == 2026).all()
    assert set(c["gender"]) == {"女", "男"} and (c["gender"] == "女").mean() > 0.7
    assert set(c["member_level"]) == {"普通", "银卡", "金卡", "黑金"}
    assert set(c["acquisition_channel"]) <= set(demo.CHANNELS)
    assert c["interests"].str.split(",").str.len().between(2, 4).all()
    assert (c["income"] > 0).all() and (c["points"] >= 0).all()
    spend = orders.groupby("customer_id")["amount"].sum().reindex(c["customer_id"]).fillna(0).to_numpy()
    mean_by_level = pd.Series(spend).groupby(c["member_level"].to_numpy()).mean()
    assert mean_by_level["黑金"] > mean_by_level["金卡"] > mean_by_level["银卡"] > mean_by_level["普通"]
    assert c["signup_date"].min() < START and c["signup_date"].max() < END


# ---------------------------------------------------------------- channels and media mix


def test_channels_show_diminishing_returns(frames):
    ch = frames["channels"]
    assert (ch["spend"] > 0).all() and (ch["revenue"] > 0).all()
    for name, g in ch.groupby("channel"):
        lo_cut, hi_cut = g["spend"].quantile([0.1, 0.9])
        lo, hi = g[g["spend"] <= lo_cut], g[g["spend"] >= hi_cut]
        roas_lo = lo["revenue"].sum() / lo["spend"].sum()
        roas_hi = hi["revenue"].sum() / hi["spend"].sum()
        assert roas_hi < 0.7 * roas_lo, (name, roas_lo, roas_hi)
        # within each campaign, a log-log fit of revenue on spend has an elasticity well below 1 (concave)
        for camp, gc in g.groupby("campaign"):
            slope = np.polyfit(np.log(gc["spend"]), np.log(gc["revenue"]), 1)[0]
            assert 0.1 < slope < 0.8, (camp, slope)
    # spend ramps up in the month before 618 and 双11
    daily = ch.groupby("date")["spend"].sum()
    assert daily["2025-05-20":"2025-06-18"].mean() > 1.5 * daily["2025-07-01":"2025-07-31"].mean()
    assert daily["2025-10-15":"2025-11-11"].mean() > 1.5 * daily["2025-08-01":"2025-08-31"].mean()


def test_platforms_differ_in_ctr_cvr_and_engagement(frames, orders):
    ch = frames["channels"]
    s = ch.groupby("channel")[["impressions", "clicks", "conversions", "revenue", "likes", "comments", "shares"]].sum()
    ctr = s["clicks"] / s["impressions"]
    cvr = s["conversions"] / s["clicks"]
    eng = (s["likes"] + s["comments"] + s["shares"]) / s["impressions"]
    assert ctr.idxmin() == "Douyin" and ctr.idxmax() == "Taobao"
    assert cvr.idxmax() == "Taobao"
    assert eng.idxmax() == "Xiaohongshu"
    assert s["impressions"].idxmax() == "Douyin"
    assert (ch["clicks"] <= ch["impressions"]).all() and (ch["conversions"] <= ch["clicks"]).all()
    # channel revenue is of the same order as the platform's net sales in the orders
    ratio = s["revenue"] / orders.groupby("channel")["amount"].sum()
    assert ratio.between(0.2, 1.0).all(), ratio.to_dict()


def test_media_mix_is_the_weekly_rollup_of_orders_and_channels(frames, orders):
    mm = frames["media_mix"].set_index("date")
    assert mm.index[0] == START
    week = (orders["order_date"] - START).dt.days // 7
    outcome = orders.groupby(week)["amount"].sum().iloc[:104]
    np.testing.assert_allclose(mm["outcome"].to_numpy(), outcome.to_numpy(), atol=0.05)
    ch = frames["channels"]
    cw = (ch["date"] - START).dt.days // 7
    spend = ch[cw < 104].pivot_table(index=cw[cw < 104], columns="channel", values="spend", aggfunc="sum")
    for c in demo.CHANNELS:
        np.testing.assert_allclose(mm[f"attr_spend_{c.lower()}"].to_numpy(), spend[c].to_numpy(), atol=0.05)
    assert mm.loc["2025-06-13", "attr_event_618"] == 1 and mm.loc["2025-07-11", "attr_event_618"] == 0
    assert mm.loc["2025-11-07", "attr_event_1111"] == 1 and mm.loc["2025-12-05", "attr_event_1111"] == 0


# ---------------------------------------------------------------- competitors, market


def _moves(comp: pd.DataFrame, threshold: float = 0.10, window: int = 10) -> pd.DataFrame:
    comp = comp.sort_values("date")
    med = comp.groupby(["competitor", "product"])["price"].transform(
        lambda s: s.shift(1).rolling(window, min_periods=3).median())
    rel = comp["price"] / med - 1
    return comp.assign(move=rel)[rel.abs() > threshold]


def test_competitor_prices_move_with_promotions(frames):
    comp = frames["competitors"]
    others = comp[comp["competitor"] != demo.BRAND]
    moves = _moves(others)
    assert len(moves) >= 5
    assert (moves["move"] < -0.10).sum() >= 5  # cuts
    days = moves["date"]
    in_618 = days.between("2025-06-01", "2025-06-18") | days.between("2026-06-01", "2026-06-18")
    in_1111 = days.between("2024-11-01", "2024-11-11") | days.between("2025-10-20", "2025-11-11")
    assert in_618.any() and in_1111.any()
    # sharp cuts outside the festivals too (what the alerts are for)
    outside = moves[~moves["promo"].fillna("").str.contains("618|双11|双12|年货节|38节")]
    assert (outside["move"] < -0.10).sum() >= 5
    assert (comp["price"] <= comp["list_price"] * 1.0001).mean() > 0.95
    assert comp.loc[comp["date"].between("2025-06-01", "2025-06-18"), "promo"].notna().mean() > 0.5
    assert comp["rating"].between(1, 5).all() and (comp["share"] > 0).all() and (comp["share"] < 0.2).all()
    # followers and reviews grow over the two years for every brand
    last = comp.sort_values("date").groupby("competitor")[["followers"]].agg(["first", "last"])
    assert (last[("followers", "last")] > last[("followers", "first")]).all()
    rv = comp.sort_values("date").groupby(["competitor", "product"])["reviews"]
    assert (rv.diff().dropna() >= 0).all()


def test_own_brand_rows_match_competitor_products_and_orders(frames, orders):
    comp = frames["competitors"]
    own = comp[comp["competitor"] == demo.BRAND]
    assert set(own["product"]) == set(comp["product"])
    assert set(own["category"]) == set(comp["category"]) <= set(demo.CATEGORIES)
    # own list prices are the orders' unit prices of the matched SKUs
    assert set(own["list_price"]) <= set(orders["unit_price"])
    # own sales volume = units sold in the trailing 30 days (from the orders)
    row = own[own["date"] == pd.Timestamp("2025-06-18")].iloc[0]
    sku = orders.loc[orders["unit_price"] == row["list_price"]]
    sku = sku[sku["product_name"] == row["attr_item"]]
    win = sku[(sku["order_date"] >= pd.Timestamp("2025-05-20")) & (sku["order_date"] < pd.Timestamp("2025-06-19"))
              & ~sku["is_return"]]
    assert row["sales_volume"] == win["quantity"].sum()
    # price index vs competitors per product is plausible (own cheaper than Glowa, dearer than Solara)
    avg = comp.groupby(["competitor"])["price"].mean()
    assert avg["Glowa 珂颜"] > avg[demo.BRAND] > avg["Solara 晒雅"]


def test_market_share_and_our_sales_match_orders(frames, orders):
    mk = frames["market"]
    share = mk["our_sales"].sum() / mk["market_size"].sum()
    assert 0.01 <= share <= 0.06
    row_share = mk["our_sales"] / mk["market_size"]
    assert row_share.between(0.005, 0.08).all()
    inside = mk[mk["date"] >= START].set_index(["date", "segment"])["our_sales"].sort_index()
    by_month = orders.groupby([orders["order_date"].dt.to_period("M").dt.to_timestamp(), "channel"])["amount"].sum()
    by_month.index = by_month.index.set_names(["date", "segment"])
    np.testing.assert_allclose(inside.to_numpy(), by_month.sort_index().to_numpy(), atol=0.05)
    # both grow, ours faster: share rises
    total = mk.groupby("date")[["market_size", "our_sales"]].sum()
    y1, y3 = total.iloc[:12].sum(), total.iloc[24:].sum()
    assert y3["market_size"] > y1["market_size"]
    assert y3["our_sales"] / y3["market_size"] > y1["our_sales"] / y1["market_size"]
    # November (双11) is the market's biggest month
    assert total["market_size"].groupby(total.index.month).mean().idxmax() == 11


# ---------------------------------------------------------------- experiments, feedback


def test_experiment_arms_lift_and_cuped_covariate(frames):
    ex = frames["experiments"]
    n = len(ex)
    share = ex["group"].value_counts() / n
    for arm, p in (("Coupon ¥20", 0.4), ("Coupon ¥50", 0.4), ("Control", 0.2)):
        se = np.sqrt(p * (1 - p) / n)
        assert abs(share[arm] - p) < 4 * se, (arm, share[arm])
    assert (ex["exposure_date"] == pd.Timestamp("2026-09-10")).all()
    conv = ex.groupby("group")["converted"].mean().astype(float)
    size = ex["group"].value_counts()
    for arm, target in (("Control", 0.040), ("Coupon ¥20", 0.050), ("Coupon ¥50", 0.058)):
        se = np.sqrt(target * (1 - target) / size[arm])
        assert abs(conv[arm] - target) < 4 * se, (arm, conv[arm])
    assert conv["Coupon ¥50"] > conv["Coupon ¥20"] > conv["Control"]
    # the lift is stronger for new customers (in percentage points)
    seg = ex.groupby(["attr_new_customer", "group"])["converted"].mean().astype(float).unstack()
    lift = seg["Coupon ¥50"] - seg["Control"]
    assert lift["new"] > 2 * lift["returning"]
    assert set(ex["attr_city_tier"]) == {"一线", "新一线", "二线", "三线", "四线及以下"}
    # converted implies visited; revenue only from converters
    assert not (ex["converted"] & ~ex["visited"]).any()
    assert (ex.loc[~ex["converted"], "revenue"] == 0).all() and (ex.loc[ex["converted"], "revenue"] > 0).all()
    # CUPED: the pre-period value explains part of the revenue variance
    rho = np.corrcoef(ex["pre_period_value"], ex["revenue"])[0, 1]
    assert rho > 0.2
    theta = np.cov(ex["revenue"], ex["pre_period_value"])[0, 1] / ex["pre_period_value"].var()
    adj = ex["revenue"] - theta * (ex["pre_period_value"] - ex["pre_period_value"].mean())
    assert adj.var() < 0.95 * ex["revenue"].var()


def test_feedback_ratings_comments_and_links(frames, orders):
    fb = frames["feedback"]
    assert fb["rating"].between(1, 5).all() and fb["nps"].between(0, 10).all()
    assert fb["customer_id"].isin(frames["customers"]["customer_id"]).all()
    assert set(fb["channel"]) <= set(demo.CHANNELS)
    first = orders.groupby("customer_id")["order_date"].min()
    assert (fb["date"].to_numpy() > first.loc[fb["customer_id"]].to_numpy()).all()
    text = fb["comment"].dropna()
    zh = text.str.contains(r"[\u4e00-\u9fff]")
    assert 0.6 < zh.mean() < 0.95 and (~zh).sum() > 300
    assert text.str.contains("物流很快").any() and text.str.contains("great moisturiser").any()
    assert fb["rating"].value_counts(normalize=True).idxmax() == 5
    assert fb[["rating", "nps"]].corr().iloc[0, 1] > 0.8
    # themes follow the rating
    good = fb.loc[fb["comment"].str.contains("物流很快|很保湿|会回购|great|lovely", na=False), "rating"].mean()
    bad = fb.loc[fb["comment"].str.contains("过敏|味道有点重|太慢|漏液|rash|too strong|leaked", na=False),
                 "rating"].mean()
    assert good > 4.3 and bad < 2.6
    # scent complaints come from fragrance buyers, shade complaints from makeup buyers
    scent = fb[fb["comment"].str.contains("味道有点重|香味太冲|香精味|too strong|artificial", na=False)]
    assert (scent["attr_category"] == "香氛 Fragrance").mean() > 0.4
    assert fb["campaign"].notna().mean() > 0.2
