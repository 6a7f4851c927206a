"""Issue 14, items 4 and 7: the market overview's default window (last complete month against the month
before), the period in words, ids and codes on chart axes as categories, tables formatted per value kind."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics import channels, market
from analytics.market.periods import iso, last_complete_month, quick_windows, to_day
from analytics.recommend.charts import figures as recommend_figures
from tests.fixtures import _complete


def window(first: str, last: str) -> tuple[str, str] | None:
    got = last_complete_month(to_day(first), to_day(last))
    return (iso(got[0]), iso(got[1])) if got else None


# ---------------------------------------------------------------- the last complete month


def test_data_ending_mid_month_opens_on_the_month_before():
    # Online Retail ends 2011-12-09: November 2011, compared with October 2011
    assert window("2010-12-01", "2011-12-09") == ("2011-11-01", "2011-11-30")
    assert market.comparison_window(to_day("2011-11-01"), to_day("2011-11-30"), "prev") == \
        (to_day("2011-10-01"), to_day("2011-10-31"))


def test_data_ending_on_the_last_day_of_a_month_opens_on_that_month():
    assert window("2010-12-01", "2011-12-31") == ("2011-12-01", "2011-12-31")
    assert window("2024-01-15", "2024-02-29") is None  # January is cut at its start: one complete month
    assert window("2024-01-01", "2024-02-29") == ("2024-02-01", "2024-02-29")  # leap February


def test_fewer_than_two_complete_months_fall_back_to_the_whole_data():
    assert window("2011-10-02", "2011-12-09") is None  # only November is complete
    assert window("2011-10-01", "2011-12-09") == ("2011-11-01", "2011-11-30")  # October complete too
    assert window("2011-11-05", "2011-11-20") is None
    assert last_complete_month(None, None) is None


def frame(first: str, last: str) -> pd.DataFrame:
    days = pd.date_range(first, last, freq="D")
    df = pd.DataFrame({"order_id": [f"o{i}" for i in range(len(days))], "order_date": days,
                       "customer_id": [f"c{i % 7}" for i in range(len(days))], "amount": 10.0 + (days.day % 5),
                       "is_return": False})
    return _complete(df, "orders")


def test_default_window_from_the_engine():
    got = market.default_window({"orders": frame("2011-09-20", "2011-12-09")})
    assert got == {"start": "2011-11-01", "end": "2011-11-30", "fallback": False,
                   "data_start": "2011-09-20", "data_end": "2011-12-09"}
    short = market.default_window({"orders": frame("2011-10-02", "2011-12-09")})
    assert short["fallback"] is True and short["start"] is None and short["end"] is None
    assert market.default_window({})["fallback"] is True


def test_quick_windows_month_quarter_and_whole_data():
    d0, d1 = to_day("2011-06-15"), to_day("2011-12-09")
    got = [(n, iso(s), iso(e)) for n, s, e in quick_windows(d0, d1)]
    assert got == [("1", "2011-11-01", "2011-11-30"), ("3", "2011-09-01", "2011-11-30"),
                   ("all", "2011-06-15", "2011-12-09")]
    # a quarter the data does not cover is not offered
    assert [n for n, _s, _e in quick_windows(to_day("2011-10-01"), d1)] == ["1", "all"]


# ---------------------------------------------------------------- the period in words


@pytest.fixture(scope="module")
def orders():
    return frame("2011-08-01", "2011-12-09")


def test_the_period_is_stated_in_both_languages(orders):
    params = {"start": date(2011, 11, 1), "end": date(2011, 11, 30)}
    fitted = market.fit({"orders": market_table(orders)}, params)
    en, zh = market.present(fitted, params, "en"), market.present(fitted, params, "zh")
    assert en["period"]["label"] == "November 2011 vs October 2011"
    assert zh["period"]["label"] == "2011年11月 对比 2011年10月"
    assert en["kpi_compare"]["prev"] is not None and en["kpi_changes"]["net_sales"] is not None
    # the month is compared with the whole month before: October's net sales, every day of it
    oct_ = orders[(orders["order_date"] >= "2011-10-01") & (orders["order_date"] < "2011-11-01")]
    assert en["kpi_compare"]["prev"]["kpis"]["net_sales"] == pytest.approx(oct_["amount"].sum())
    three = {"start": date(2011, 9, 1), "end": date(2011, 11, 30)}
    # June - August is not in the data (it starts 2011-08-01): no comparison, the window alone
    assert market.compute({"orders": orders}, three, "en")["period"]["label"] == "September 2011 – November 2011"
    two = {"start": date(2011, 10, 1), "end": date(2011, 11, 30)}
    assert market.compute({"orders": orders}, two, "zh")["period"]["label"] == "2011年10月 – 2011年11月 对比 2011年8月 – 2011年9月"
    days = market.compute({"orders": orders}, {"start": date(2011, 11, 3), "end": date(2011, 11, 9)}, "en")
    assert days["period"]["label"] == "3 Nov 2011 – 9 Nov 2011 vs 27 Oct 2011 – 2 Nov 2011"


def market_table(df):
    from data import engine

    return engine.from_frame(df)


def test_whole_data_without_comparison_is_the_window_alone(orders):
    r = market.compute({"orders": orders}, {}, "en")
    assert r["kpi_compare"]["prev"] is None
    assert r["period"]["label"] == "1 Aug 2011 – 9 Dec 2011"


def test_short_window_trend_shows_the_periods_before_it(orders):
    r = market.compute({"orders": orders}, {"start": date(2011, 11, 1), "end": date(2011, 11, 30)}, "en")
    trend = next(f for f in market.figures(r, "en") if f["key"] == "trend")["figure"]
    names = [tr.name for tr in trend.data]
    assert names[0] == "Net sales before the period"
    assert list(trend.data[0].x) == ["2011-08-01", "2011-09-01", "2011-10-01"]  # whole months before November
    assert list(trend.data[1].x) == ["2011-11-01"]


# ---------------------------------------------------------------- ids and codes on axes are categories


def test_market_mix_values_are_categories():
    rows = [{"value": "85123", "share": 0.6, "net_sales": 60.0, "base_share": 0.5},
            {"value": "10002", "share": 0.4, "net_sales": 40.0, "base_share": 0.5}]
    figs = {f["key"]: f["figure"] for f in market.figures({"mix": {"category": rows}}, "en")}
    assert figs["mix_category"].layout.xaxis.type == "category"
    assert list(figs["mix_category"].data[0].x) == ["85123", "10002"]


def test_channel_and_recommendation_ids_are_categories():
    figs = channels.figures({"mode": "orders", "channels": [{"channel": "1001", "net_sales": 5.0},
                                                             {"channel": "1002", "net_sales": 3.0}]}, "en")
    # channels down the side (horizontal bars: long names never overlap), read as names
    assert figs[0]["figure"].layout.yaxis.type == "category"
    assert list(figs[0]["figure"].data[0].y) == ["1002", "1001"]
    top = [{"product_id": "85123", "product_name": None, "n_lists": 9, "share_lists": 0.3},
           {"product_id": "10002", "product_name": None, "n_lists": 4, "share_lists": 0.1}]
    fig = next(f for f in recommend_figures({"top_products": top}, "en") if f["key"] == "top_products")["figure"]
    assert fig.layout.yaxis.type == "category"


# ---------------------------------------------------------------- tables formatted per value kind


def test_table_formats_per_value_kind():
    from components import ui

    df = pd.DataFrame({"Net sales": [1234.5, 20.0], "Orders": [1200, 3], "Repeat rate": [0.25, 0.5],
                       "Customer ID": [10002, 85123], "StockCode": [85123, 1], "Day": pd.to_datetime(["2011-11-01", "2011-11-02"]),
                       "Seen": pd.to_datetime(["2011-11-01 10:30", "2011-11-02 00:00"]), "p-value": [0.0003, 0.2],
                       "Year": [2010, 2011], "Flag": [True, False]})
    f = ui.column_formats(df)
    assert f["Net sales"]["type_config"]["format"] == "%,.2f"
    assert f["Orders"]["type_config"]["format"] == "%,d"
    assert f["Repeat rate"]["type_config"]["format"] == "percent"
    assert f["Day"]["type_config"]["format"] == "YYYY-MM-DD"
    assert f["Seen"]["type_config"]["format"] == "YYYY-MM-DD HH:mm"
    for plain in ("Customer ID", "StockCode", "Year", "p-value", "Flag"):  # ids, codes, small numbers: as they are
        assert plain not in f, plain


def test_caller_settings_win_but_a_help_alone_keeps_the_format():
    import streamlit as st

    from components import ui

    auto = {"Price": st.column_config.NumberColumn(format="%,.2f"), "Index": st.column_config.NumberColumn(format="%,.2f")}
    got = ui.merge_config(auto, {"Price": st.column_config.Column(help="what it is"),
                                 "Index": st.column_config.NumberColumn(format="%.0f"), "Name": "Label"})
    assert got["Price"]["type_config"]["format"] == "%,.2f" and got["Price"]["help"] == "what it is"
    assert got["Index"]["type_config"]["format"] == "%.0f"
    assert got["Name"] == "Label"


def test_raw_keys_get_the_page_header_in_the_users_language():
    from types import SimpleNamespace

    import streamlit as st

    from components import ui

    st.session_state["_ctx"] = SimpleNamespace(url_path="market-overview")
    try:
        df = pd.DataFrame({"net_sales": [1234.5], "repeat_rate": [0.25], "Already shown": [3]})
        for lang, net, rate in (("en", "Net sales", "Repeat rate"), ("zh", "净销售额", "复购率")):
            st.session_state["lang"] = lang
            f = ui.column_formats(df)
            assert (f["net_sales"]["label"], f["net_sales"]["type_config"]["format"]) == (net, "%,.2f")
            assert (f["repeat_rate"]["label"], f["repeat_rate"]["type_config"]["format"]) == (rate, "percent")
            assert f["Already shown"].get("label") is None  # a header already in words is kept
    finally:
        for k in ("_ctx", "lang"):
            del st.session_state[k]
