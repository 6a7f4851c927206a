"""Competitor tracking: events, price index arithmetic, elasticity recovery, empty optional columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import competitors as C
from tests.fixtures import _complete


def comp_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]")
    for c in ("competitor", "product", "category", "promo"):
        if c in df.columns:
            df[c] = df[c].astype("str").where(df[c].notna(), None)
    return _complete(df, "competitors")


def series(prices, competitor="Brand A", product="Serum", start="2025-03-03", step=7, **extra):
    days = pd.date_range(start, periods=len(prices), freq=f"{step}D")
    return [{"date": d, "competitor": competitor, "product": product, "price": float(p), **extra}
            for d, p in zip(days, prices)]


# ---------------------------------------------------------------- events


def test_a_15pct_cut_is_an_event_and_an_8pct_cut_is_not():
    obs = pd.DataFrame(series([100] * 6 + [85, 85, 85]) + series([200] * 6 + [184] * 3, product="Cream"))
    ev = C.price_events(obs, threshold=0.10, window=28)
    assert len(ev) == 1  # the 8% cut on Cream is not an event; the repeated 85s are the same move
    e = ev.iloc[0]
    assert (e["competitor"], e["product"], e["price"], e["reference_price"]) == ("Brand A", "Serum", 85.0, 100.0)
    assert e["change_pct"] == pytest.approx(-0.15) and e["direction"] == "cut"
    assert e["date"] == pd.Timestamp("2025-03-03") + pd.Timedelta(days=42)
    # the same cut at a 20% threshold is not an event; a rise back is a new event once the median moved
    assert C.price_events(obs, threshold=0.20).empty
    back = pd.DataFrame(series([100] * 6 + [80] * 6 + [100]))
    moves = C.price_events(back, threshold=0.10, window=28)
    assert list(moves["direction"]) == ["cut", "rise"]
    assert moves.iloc[1]["change_pct"] == pytest.approx(0.25)


def test_events_through_compute_with_threshold_and_window():
    df = comp_frame(series([100] * 6 + [85] * 3) + series([50] * 9, competitor="Brand B"))
    res = C.compute({"competitors": df}, {"threshold": 0.10}, "en")
    assert [(e["competitor"], e["change_pct"]) for e in res["events"]] == [("Brand A", pytest.approx(-0.15))]
    assert set(res["events"][0]) >= {"date", "competitor", "product", "price", "reference_price", "change_pct"}
    assert C.compute({"competitors": df}, {"threshold": 0.2}, "en")["events"] == []
    kf = res["key_figures"]
    assert (kf["events"], kf["rivals"], kf["latest_index"], kf["avg_discount"]) == (1, 2, None, None)
    assert res["price_index"] == [] and any("own" in w for w in res["warnings"])  # no own prices: said so


# ---------------------------------------------------------------- price index


def test_price_index_arithmetic_with_own_brand():
    rows = (series([90, 90], competitor="Us") + series([100, 100], competitor="Brand A")
            + series([120, 120], competitor="Brand B") + series([120, 120], competitor="Brand B"))
    rows = [dict(r, list_price=150.0, promo=None) for r in rows]
    res = C.compute({"competitors": comp_frame(rows)}, {"own": "us"}, "en")  # case-insensitive
    assert res["own"] == {"source": "brand", "name": "Us", "match_by": "product"}
    pi = res["price_index"]
    assert len(pi) == 2
    for r in pi:
        # each competitor counts once: (100 + 120) / 2 = 110, whatever the number of observations
        assert r["competitor_price"] == pytest.approx(110.0)
        assert r["index"] == pytest.approx(90 / 110 * 100)
        assert r["competitors"] == 2
    tab = {c["competitor"]: c for c in res["competitors"]}
    assert tab["Brand B"]["avg_discount"] == pytest.approx(1 - 120 / 150)
    assert tab["Us"]["is_own"] and not tab["Brand A"]["is_own"]
    assert "below" in res["findings"][0]
    # the page's key figures come from the result: latest index, rivals (own brand excluded), mean discount
    kf = res["key_figures"]
    assert kf["latest_index"] == pytest.approx(90 / 110 * 100) and kf["latest_week"] == pi[-1]["period"]
    assert kf["rivals"] == 2 and kf["events"] == 0 and kf["events_outside_festivals"] == 0
    assert kf["avg_discount"] == pytest.approx(((1 - 100 / 150) + (1 - 120 / 150)) / 2)


def test_own_prices_from_orders_matching_category():
    comp = comp_frame([dict(r, category="Skincare") for r in series([200] * 4, product="Serum X")])
    orders = _complete(pd.DataFrame({
        "order_id": pd.Series(["1", "2", "3"], dtype="str"),
        "order_date": pd.to_datetime(["2025-03-04", "2025-03-05", "2025-03-11"]).astype("datetime64[ns]"),
        "product_name": pd.Series(["Our serum", "Our serum", "Our serum"], dtype="str"),
        "category": pd.Series(["skincare", "Skincare", "Skincare"], dtype="str"),
        "quantity": [2.0, 1.0, 1.0], "amount": [300.0, 180.0, 150.0], "is_return": False}), "orders")
    res = C.compute({"competitors": comp, "orders": orders}, {}, "en")
    assert res["own"]["source"] == "orders" and res["own"]["match_by"] == "category"
    by = {r["period"]: r for r in res["price_index"]}
    # week of 2025-03-03: (300 + 180) / 3 units = 160 vs 200; week of 03-10: 150 vs 200
    assert by["2025-03-03"]["own_price"] == pytest.approx(160.0) and by["2025-03-03"]["index"] == pytest.approx(80.0)
    assert by["2025-03-10"]["index"] == pytest.approx(75.0)


def test_own_brand_detected_from_marker_or_flag_column():
    rows = series([90] * 3, competitor="本品") + series([100] * 3, competitor="Brand A")
    assert C.compute({"competitors": comp_frame(rows)}, {}, "zh")["own"]["name"] == "本品"
    df = comp_frame(series([90] * 3, competitor="Lumi") + series([100] * 3, competitor="Brand A"))
    df["attr_own_brand"] = np.where(df["competitor"] == "Lumi", "yes", "no")
    assert C.compute({"competitors": df}, {}, "en")["own"]["name"] == "Lumi"


# ---------------------------------------------------------------- elasticity


def simulated_weeks(n: int, elasticity: float, seed: int = 3, vary: float = 0.12):
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2023-01-02", periods=n, freq="7D")
    level = np.exp(rng.normal(0, vary, n))
    volume = np.exp(6 + elasticity * np.log(level) + rng.normal(0, 0.08, n))
    return weeks, level, volume


def test_elasticity_recovers_a_known_value():
    weeks, level, volume = simulated_weeks(104, 1.5)
    el = C.cross_elasticity(pd.Series(volume, index=weeks), pd.Series(level, index=weeks))
    assert el["n"] == 104
    assert el["ci_low"] < 1.5 < el["ci_high"] and el["ci_high"] - el["ci_low"] < 0.6
    assert el["value"] == pytest.approx(1.5, abs=0.2)
    weeks, level, volume = simulated_weeks(104, -1.5, seed=5)
    el = C.cross_elasticity(pd.Series(volume, index=weeks), pd.Series(level, index=weeks))
    assert el["ci_low"] < -1.5 < el["ci_high"]


def test_elasticity_through_compute_from_orders_and_competitor_prices():
    weeks, level, volume = simulated_weeks(80, 1.5, seed=11)
    comp_rows = []
    for w, lv in zip(weeks, level):
        comp_rows += [{"date": w + pd.Timedelta(days=2), "competitor": "Brand A", "product": "Serum",
                       "category": "Skincare", "price": 200 * lv},
                      {"date": w + pd.Timedelta(days=2), "competitor": "Brand B", "product": "Serum",
                       "category": "Skincare", "price": 150 * lv}]
    days = [w + pd.Timedelta(days=d) for w in weeks for d in range(7)]
    qty = np.repeat(volume / 7, 7)
    orders = _complete(pd.DataFrame({
        "order_id": pd.Series([str(i) for i in range(len(days))], dtype="str"),
        "order_date": pd.DatetimeIndex(days).astype("datetime64[ns]"),
        "category": pd.Series(["Skincare"] * len(days), dtype="str"),
        "quantity": qty, "amount": qty * 100.0, "is_return": False}), "orders")
    res = C.compute({"competitors": comp_frame(comp_rows), "orders": orders}, {}, "en")
    el = res["elasticity"]
    assert el is not None, res["elasticity_reason"]
    assert el["ci_low"] < 1.5 < el["ci_high"] and el["n"] >= 12
    assert el["sample"] == "quiet" and el["weeks_excluded"] > 0  # festival weeks left out
    assert "fall" in el["reading"] and "weeks" in el["reading"]
    assert set(el) >= {"value", "ci_low", "ci_high", "n", "reading"}


def test_no_elasticity_from_too_little_data_or_flat_prices():
    weeks, level, volume = simulated_weeks(8, 1.5)
    el = C.cross_elasticity(pd.Series(volume, index=weeks), pd.Series(level, index=weeks))
    assert el["value"] is None and el["reason"] == "competitors.elasticity.too_few" and el["n"] == 8
    weeks, level, volume = simulated_weeks(60, 1.5)
    el = C.cross_elasticity(pd.Series(volume, index=weeks), pd.Series(np.ones(60), index=weeks))
    assert el["value"] is None and el["reason"] == "competitors.elasticity.no_variation_all"
    res = C.compute({"competitors": comp_frame(series([100] * 6 + [85] * 3))}, {}, "en")
    assert res["elasticity"] is None and res["elasticity_reason"]


# ---------------------------------------------------------------- optional columns, figures


def test_minimal_competitor_data_and_figures_in_both_languages():
    df = comp_frame(series([100] * 6 + [85] * 3, product=None) + series([50] * 9, competitor="Brand B", product=None))
    for lang in ("en", "zh"):
        res = C.compute({"competitors": df}, {"category": ["X"]}, lang)
        assert res["events"] and res["events"][0]["product"] is None
        tab = {c["competitor"]: c for c in res["competitors"]}
        assert tab["Brand A"]["avg_price"] == pytest.approx((600 + 255) / 9)
        assert tab["Brand A"]["avg_discount"] is None and tab["Brand A"]["promo_share"] is None
        assert len(res["warnings"]) >= 2  # no list price, ignored filter, no own prices
        figs = C.figures(res, lang)
        assert figs and all(f["title"] for f in figs)
        assert any(f["key"] == "price_timeline" for f in figs)


def test_demo_competitors_page():
    from data.demo import generate

    frames = generate()
    res = C.compute({"competitors": frames["competitors"], "orders": frames["orders"]}, {}, "en")
    assert res["own"]["source"] == "brand" and res["own"]["match_by"] == "product"
    assert res["price_index"] and res["events"] and len(res["competitors"]) >= 2
    promo = frames["competitors"]["promo"].notna()
    own = frames["competitors"]["competitor"] == res["own"]["name"]
    for c in res["competitors"]:
        sub = frames["competitors"]["competitor"] == c["competitor"]
        assert c["promo_share"] == pytest.approx(promo[sub].mean())
        assert c["avg_price"] == pytest.approx(frames["competitors"].loc[sub, "price"].mean())
    assert not own.all()
    keys = {e["competitor"] for e in res["events"]}
    assert res["own"]["name"] not in keys  # events are competitors' moves only
    figs = C.figures(res, "zh")
    assert {"price_index", "price_timeline", "discount"} <= {f["key"] for f in figs}


def test_price_move_hovers_name_the_period_and_count_in_good_grammar():
    import plotly.graph_objects as go

    from analytics.competitors.charts import add_moves

    events = [{"date": "2024-12-03", "competitor": "Brand A", "product": "Serum", "price": 90.0,
               "reference_price": 100.0, "change_pct": -0.1}]
    for lang, want, wrong in (("en", "Brand A, week of 2 Dec 2024: 1 move,", "1 moves"),
                              ("zh", "Brand A，2024年12月2日这一周：调价 1 次", "所在")):
        fig = go.Figure()
        add_moves(fig, events, lang)
        hover = fig.data[0].hovertext[0]
        assert hover.startswith(want) and wrong not in hover, hover


def test_every_table_behind_the_competitor_page_has_a_title():
    from analytics import tables
    from data.demo import generate
    from analytics.report import tables_of

    f = generate(seed=7)
    res = C.compute({"competitors": f["competitors"], "orders": f["orders"]}, {}, "zh")
    shown = tables_of(res)
    assert {"trends.price", "own_vs_competitors.weeks", "price_timeline"} <= set(shown)
    for lang in ("en", "zh"):
        titles = {n: tables.title("competitors", n, lang) for n in shown}
        assert not [n for n, v in titles.items() if v == n.replace("_", " ").replace(".", " · ").capitalize()], titles
        assert len(set(titles.values())) == len(titles), titles
    raw = {(n, k) for n, rows in shown.items() for k in rows[0] if tables.label("competitors", k, "zh") == k}
    assert not raw, raw


def test_a_period_of_price_moves_in_words():
    from analytics.competitors.charts import period_text

    assert period_text("2024-11-01", "month", "zh") == "2024年11月"
    assert period_text("2024-12-01", "month", "en") == "December 2024"
    assert period_text("2024-12-02", "week", "en") == "week of 2 Dec 2024"
    assert period_text("2024-12-02", "week", "zh") == "2024年12月2日这一周"
    assert period_text("2024-10-01", "quarter", "zh") == "2024年第4季度"
