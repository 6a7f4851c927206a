"""Market overview page (issue 4), the app's default page: demo workspace in both languages, Online Retail
alone, filters bound to the URL, share links, bad links, the empty state and roles. The numbers on the
page are the headless report's (analytics.report.run_page) and, on Online Retail, the published totals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from analytics import report
from analytics.i18n import fmt_date, fmt_kpi, fmt_money, fmt_number, fmt_pct
from tests.app.conftest import make_app, texts

PAGE = "pages/market_overview.py"
URL = "market-overview"
TABS_EN = ["Trend and forecast", "Why sales changed (GROW)", "Mix", "Seasonality", "Pareto", "Market share"]
TABS_ZH = ["趋势与预测", "增长拆解（GROW）", "结构", "季节性", "帕累托", "市场份额"]
CATEGORY = "护肤 Skincare"


def key(k: str) -> str:
    return f"{URL}:{k}"


def demo_query(ws, **extra) -> dict:
    return {"o": str(ws["ids"]["orders"]), "mk": str(ws["ids"]["market"]), **extra}


def metrics(at) -> dict:
    return {m.label: m for m in at.metric}


def value(at, label: str) -> str:
    return metrics(at)[label].value


def tables_with(at, column: str) -> list:
    return [d.value for d in at.dataframe if column in d.value.columns]


def headless(ws, params: dict, datasets=None) -> dict:
    ids = datasets or [ws["ids"]["orders"], ws["ids"]["market"]]
    return report.run_page(URL, ids, params)


def last_month(data_end: str) -> tuple[date, date]:
    """The last calendar month the data covers entirely (independent of analytics.market.periods)."""
    end = date.fromisoformat(data_end)
    last = end if (end + timedelta(days=1)).day == 1 else end.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def default_params(ws, **extra) -> dict:
    """The page's default window on the demo: the last complete month (compared with the month before)."""
    s, e = last_month(headless(ws, {})["period"]["data_end"])
    return {"start": s.isoformat(), "end": e.isoformat(), **extra}


@pytest.fixture(scope="module")
def demo_en(workspace):
    at = make_app("ana", page=PAGE, query=demo_query(workspace)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_demo_renders_kpis_with_definitions_and_report_numbers(workspace, demo_en):
    at = demo_en
    body = texts(at)
    assert [t.value for t in at.title] == ["Market overview"]
    assert [t.label for t in at.tabs] == TABS_EN
    r = headless(workspace, default_params(workspace))
    m = metrics(at)
    for name, label in (("gross_sales", "Gross sales"), ("returns", "Returns"), ("net_sales", "Net sales"),
                        ("aov", "AOV")):
        assert m[label].value == fmt_kpi(r["kpis"][name], "en", money=True), name
    for name, label in (("orders", "Orders"), ("buyers", "Buyers"), ("new_buyers", "New buyers"),
                        ("returning_buyers", "Returning buyers")):
        assert m[label].value == fmt_kpi(r["kpis"][name], "en"), name
    assert m["Repeat rate"].value == fmt_pct(r["kpis"]["repeat_rate"], "en")
    assert m["Net sales"].proto.help.startswith("Net sales = gross sales - returns")
    assert m["Orders"].proto.help.startswith("Orders = distinct order ids")
    # it opens on the last complete month against the month before (issue 14 item 4), in the URL and sidebar
    first, last = last_month(r["period"]["data_end"])
    assert (at.query_params["start"], at.query_params["end"]) == (first.isoformat(), last.isoformat())
    assert (at.date_input(key="start").value, at.date_input(key="end").value) == (first, last)
    before = first.replace(day=1) - timedelta(days=1)
    assert [h.value for h in at.subheader][0] == \
        f"{first:%B %Y} vs {before:%B %Y}" == r["period"]["label"]  # "October 2026 vs September 2026"
    assert "No comparison with the previous period" not in body
    assert m["Net sales"].delta == fmt_pct(r["kpi_changes"]["net_sales"], "en", signed=True)
    assert m["Net sales"].proto.delta_description == "vs previous period"
    assert r["kpis"]["returning_buyers"] > 0 and m["Returning buyers"].value == fmt_kpi(r["kpis"]["returning_buyers"], "en")
    assert at.button(key=f"{URL}_quick_all").label == \
        f"Whole data ({fmt_date(r['period']['data_start'], 'en')} – {fmt_date(r['period']['data_end'], 'en')})"
    # forecast next to its backtest against the seasonal-naive baseline
    bt = r["backtest"]
    assert m["Backtest error (MAPE)"].value == fmt_pct(bt["mape"], "en")
    assert m["Backtest error (MAPE)"].delta == f"baseline {fmt_pct(bt['baseline_mape'], 'en')}"
    assert m["Backtest points inside the 80% interval"].value == fmt_pct(bt["coverage"], "en")
    f0 = r["forecast"][0]
    assert f"80% interval: {fmt_money(f0['lower'], 'en')} – {fmt_money(f0['upper'], 'en')}" in body
    # charts: trend with the promotion calendar and own campaigns, mix, seasonality, Pareto, share
    assert len(at.get("plotly_chart")) >= 8
    promos = tables_with(at, "Uplift")[0]  # the promotions overlapping the month (the whole data: below)
    assert list(promos["Promotion"]) == [p["label"] for p in r["promos"]]
    assert m["Top 20% of products: share of net sales"].value == fmt_pct(r["pareto"]["top_20pct_products_share"], "en")
    from analytics.market.presenting import month_label

    latest = r["market_share"]["latest"]  # the month in words ("Market share October 2026")
    assert m[f"Market share {month_label(latest['period'], 'en')}"].value == fmt_pct(latest["share"], "en", 2)
    assert "What to do next" in body and "The biggest mover is category" in body
    assert any(b.label == "Download CSV" for b in at.get("download_button"))
    assert any(b.label == "Download HTML report" for b in at.get("download_button"))


def test_quick_period_sets_the_url_and_shows_changes(workspace):
    at = make_app("ana", page=PAGE, query=demo_query(workspace)).run()
    whole = headless(workspace, {})
    at.button(key=f"{URL}_quick_all").click().run()  # the whole data, as an explicit (linkable) range
    assert not at.exception
    assert (at.query_params["start"], at.query_params["end"]) == (whole["period"]["data_start"], whole["period"]["data_end"])
    assert value(at, "Net sales") == fmt_kpi(whole["kpis"]["net_sales"], "en", money=True)
    assert "No comparison with the previous period" in texts(at)  # nothing before the whole data
    promos = tables_with(at, "Uplift")[0]  # the promotion calendar and own campaigns over two years
    assert {"Festival calendar", "Own campaign"} <= set(promos["Source"])
    assert any(str(x).startswith("Double 11") for x in promos["Promotion"])
    at.button(key=f"{URL}_quick_1").click().run()
    assert not at.exception
    r = headless(workspace, default_params(workspace))
    assert (at.query_params["start"], at.query_params["end"]) == (r["period"]["start"], r["period"]["end"])
    m = metrics(at)
    assert m["Net sales"].value == fmt_kpi(r["kpis"]["net_sales"], "en", money=True)
    assert m["Net sales"].delta == fmt_pct(r["kpi_changes"]["net_sales"], "en", signed=True)
    assert "vs last year" not in (m["Net sales"].proto.delta_description or "")
    assert "Against the same period last year" in m["Net sales"].proto.help  # the other comparison on hover
    # clearing the dates brings the default month back (and into the URL), never a silent whole range
    at.button(key=f"{URL}_quick_all").click().run()
    at.date_input(key="start").set_value(None)
    at.date_input(key="end").set_value(None)
    at.run()
    assert (at.query_params["start"], at.query_params["end"]) == (r["period"]["start"], r["period"]["end"])


def test_demo_renders_in_chinese(workspace):
    at = make_app("ana", page=PAGE, query=demo_query(workspace, lang="zh")).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["市场概览"]
    assert [t.label for t in at.tabs] == TABS_ZH
    m = metrics(at)
    r = headless(workspace, default_params(workspace))
    assert m["净销售额"].value == fmt_kpi(r["kpis"]["net_sales"], "zh", money=True)
    assert m["净销售额"].value.endswith("万")  # Chinese number format
    first = date.fromisoformat(r["period"]["start"])
    before = first - timedelta(days=1)
    assert [h.value for h in at.subheader][0] == f"{first.year}年{first.month}月 对比 {before.year}年{before.month}月"
    assert "复购率" in m and "客单价" in m and "回测误差（MAPE）" in m
    assert at.radio(key=key("grain")).label == "时间粒度"
    assert "下一步建议" in texts(at)


def test_filters_change_the_numbers_and_the_url(workspace):
    at = make_app("ana", page=PAGE, query=demo_query(workspace)).run()
    before = value(at, "Net sales")
    assert at.multiselect(key=key("category")).options[0] == CATEGORY  # options from the data, largest first
    at.radio(key=key("grain")).set_value("week")
    at.multiselect(key=key("category")).set_value([CATEGORY])
    at.run()
    assert not at.exception
    assert at.query_params["grain"] == "week" and at.query_params["category"] == CATEGORY
    r = headless(workspace, default_params(workspace, grain="week", category=CATEGORY))  # still the default month
    assert value(at, "Net sales") == fmt_kpi(r["kpis"]["net_sales"], "en", money=True) != before
    weekly = tables_with(at, "Complete period")[0]
    assert len(weekly) == len(r["by_period"]) >= 4  # one row per week of the month now


def test_grain_and_comparison_switch_without_refitting(workspace, monkeypatch):
    """Grain and comparison are display parameters (issues 13, 18): one fit serves every grain and both
    comparisons, and each shows the headless report's numbers; the horizon is a fit parameter."""
    from analytics import cached, market

    combos = (("week", "prev"), ("day", "prev"), ("day", "yoy"), ("month", "yoy"))
    want = {c: headless(workspace, default_params(workspace, grain=c[0], compare=c[1])) for c in combos}
    fits = []
    real = market.fit
    monkeypatch.setattr(market, "fit", lambda *a, **kw: fits.append(1) or real(*a, **kw))
    cached.clear_all()
    try:
        at = make_app("ana", page=PAGE, query=demo_query(workspace)).run()
        assert not at.exception and len(fits) == 1
        for grain, compare in combos:
            at.radio(key=key("grain")).set_value(grain)
            at.radio(key=key("compare")).set_value(compare)
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            assert len(fits) == 1, (grain, compare)
            r = want[grain, compare]
            assert r["period"]["grain"] == grain and r["period"]["compare"] == compare
            assert len(tables_with(at, "Complete period")[0]) == len(r["by_period"])
            assert metrics(at)["Net sales"].delta == fmt_pct(r["kpi_changes"]["net_sales"], "en", signed=True)
        at.number_input(key=key("horizon")).set_value(5).run()
        assert not at.exception and len(fits) == 2  # another horizon is another forecast: a new fit
    finally:
        cached.clear_all()


def test_share_link_restores_filters_and_numbers(workspace):
    q = demo_query(workspace, grain="week", compare="yoy", horizon="4", category=f"{CATEGORY},彩妆 Makeup",
                   channel="Douyin", start="2025-11-01", end="2026-10-31")
    at = make_app("vic", page=PAGE, query=q).run()  # a viewer opening an analyst's link
    assert not at.exception
    assert at.radio(key=key("grain")).value == "week"
    assert at.radio(key=key("compare")).value == "yoy"
    assert at.number_input(key=key("horizon")).value == 4
    assert at.multiselect(key=key("category")).value == [CATEGORY, "彩妆 Makeup"]
    assert at.multiselect(key=key("channel")).value == ["Douyin"]
    # the link's explicit range is restored exactly, not replaced by the default month
    assert (at.date_input(key="start").value, at.date_input(key="end").value) == (date(2025, 11, 1), date(2026, 10, 31))
    assert (at.query_params["start"], at.query_params["end"]) == ("2025-11-01", "2026-10-31")
    r = headless(workspace, {"grain": "week", "compare": "yoy", "horizon": "4", "category": f"{CATEGORY},彩妆 Makeup",
                             "channel": "Douyin", "start": "2025-11-01", "end": "2026-10-31"})
    m = metrics(at)
    assert m["Net sales"].value == fmt_kpi(r["kpis"]["net_sales"], "en", money=True)
    assert m["Net sales"].delta == fmt_pct(r["kpi_changes"]["net_sales"], "en", signed=True)  # against last year
    assert m["Net sales"].proto.delta_description == "vs last year"
    assert len(tables_with(at, "Lower (80%)")[0]) == 4  # four forecast periods
    # the viewer reads and exports; there is nothing to save on this page
    assert any(b.label == "Download HTML report" for b in at.get("download_button"))


def test_bad_link_values_are_reset_with_a_warning(workspace):
    at = make_app("ana", page=PAGE, query=demo_query(workspace, grain="year", horizon="abc")).run()
    assert not at.exception
    assert "Some settings in the link were not valid and were reset" in texts(at)
    assert at.radio(key=key("grain")).value == "month"
    assert at.number_input(key=key("horizon")).value == 3


def test_empty_state_without_orders(workspace):
    at = make_app("ana", page=PAGE, query={"o": "0", "mk": "0"}).run()
    assert not at.exception
    body = texts(at)
    assert "This page needs a Orders dataset" in body or "needs a orders dataset" in body.lower()
    assert any("template" in b.label for b in at.get("download_button"))
    assert not at.metric


def test_online_retail_alone_equals_the_published_numbers(online_retail):
    from analytics import cached
    from tests import fixtures

    cached.clear_store_caches()
    # it opens on November 2011 against October 2011 (the data ends 2011-12-09), returning buyers and all
    at = make_app("ana", page=PAGE, query={"o": str(online_retail), "cp": "0", "mk": "0"}).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.subheader][0] == "November 2011 vs October 2011"
    nov = report.run_page(URL, [online_retail], {"start": "2011-11-01", "end": "2011-11-30"})
    assert value(at, "Returning buyers") == fmt_kpi(nov["kpis"]["returning_buyers"], "en") and nov["kpis"]["returning_buyers"] > 0
    assert metrics(at)["Net sales"].delta == fmt_pct(nov["kpi_changes"]["net_sales"], "en", signed=True)
    # the published totals are over the whole data: an explicit range (before issue 14, the default)
    at = make_app("ana", page=PAGE, query={"o": str(online_retail), "cp": "0", "mk": "0", "start": "2010-12-01",
                                           "end": "2011-12-09"}).run()
    assert not at.exception, [e.value for e in at.exception]
    o = fixtures.online_retail_orders()
    sale, ret = o[~o["is_return"]], o[o["is_return"]]
    gross, returns = sale["amount"].sum(), ret["amount"].abs().sum()
    per_cust = sale[sale["customer_id"].notna()].groupby("customer_id")["order_id"].nunique()
    m = metrics(at)
    # the card's short form; the exact net sales (SOURCE.md: 9,747,747.93) on hover
    assert m["Net sales"].value == "9.75M" == fmt_kpi(gross - returns, "en", money=True)
    assert "Exact value: 9,747,747.93" in m["Net sales"].help
    assert m["Gross sales"].value == fmt_kpi(gross, "en", money=True)
    assert m["Returns"].value == fmt_kpi(returns, "en", money=True)
    assert m["Orders"].value == fmt_number(sale["order_id"].nunique(), "en")
    assert m["Buyers"].value == fmt_number(per_cust.size, "en")
    assert m["AOV"].value == fmt_kpi(gross / sale["order_id"].nunique(), "en", money=True)
    assert m["Repeat rate"].value == fmt_pct((per_cust >= 2).mean(), "en")
    body = texts(at)
    # 12 whole months: the page says plainly that it will not forecast, and how to get one
    assert "Not enough history to forecast honestly" in body and "switch the grain to week" in body
    assert "No category column in the orders" in body  # only regions (countries) in this export
    assert "Market share needs a market dataset" in body
    # share link with weekly grain and one country: the forecast appears, in Chinese
    at = make_app("ana", page=PAGE, query={"o": str(online_retail), "cp": "0", "mk": "0", "grain": "week",
                                           "region": "United Kingdom", "lang": "zh", "start": "2010-12-01",
                                           "end": "2011-12-09"}).run()
    assert not at.exception
    assert at.multiselect(key=key("region")).value == ["United Kingdom"]
    r = report.run_page(URL, [online_retail], {"grain": "week", "region": "United Kingdom", "start": "2010-12-01",
                                               "end": "2011-12-09"})
    m = metrics(at)
    assert m["净销售额"].value == fmt_kpi(r["kpis"]["net_sales"], "zh", money=True)
    assert r["forecast"] and m["回测误差（MAPE）"].value == fmt_pct(r["backtest"]["mape"], "zh")


# ---------------------------------------------------------------- issue 12: amounts that overflow a total


@pytest.fixture(scope="module")
def overflow_orders(workspace):
    """Demo order lines of which two have an amount of 1e308: their sum is infinite."""
    from analytics import cached
    from data import demo
    from tests.app.conftest import _add_dataset

    frame = demo.generate(seed=5)["orders"].head(3000).copy()
    sale = frame.index[~frame["is_return"].astype(bool)][:2]
    frame.loc[sale, "amount"] = 1e308
    ds = _add_dataset("orders", frame, "Overflow 1e308")
    yield ds
    cached.delete_dataset(ds, user="ana", role="analyst")


def test_a_total_that_overflows_says_so_instead_of_a_blank_kpi(workspace, overflow_orders):
    r = report.run_page(URL, [overflow_orders], {})
    assert r["kpis"]["gross_sales"] is None and "gross_sales" in r["kpi_too_large"]
    assert "net_sales" in r["kpi_too_large"] and "orders" not in r["kpi_too_large"]
    assert r["kpis"]["orders"] > 0  # the counts are still honest
    assert any("too large to total" in w for w in r["warnings"])
    at = make_app("ana", page=PAGE, query={"o": str(overflow_orders)}).run()
    assert not at.exception, [e.value for e in at.exception]
    assert value(at, "Gross sales") == "Too large to total"
    assert "fewer than two complete months" in texts(at)  # one week of data: the whole data, and why
    assert value(at, "Orders") == fmt_number(r["kpis"]["orders"])
    assert any("too large to total" in w.value for w in at.warning)
    zh = make_app("ana", page=PAGE, query={"o": str(overflow_orders), "lang": "zh"}).run()
    assert not zh.exception
    assert "过大，无法汇总" in [m.value for m in zh.metric]


def test_grow_tab_splits_the_change_into_three_effects_that_add_up(workspace, demo_en):
    at = demo_en
    assert "Why sales changed (GROW)" in [t.label for t in at.tabs]
    grow = [d.value for d in at.dataframe if "Driver" in list(d.value.columns)]
    assert len(grow) == 2 and grow[0].equals(grow[1])  # the tab's table, and the same in "Data behind this page"
    df = grow[0].set_index("Driver")
    effects = df.loc[["Penetration", "Frequency", "Price"], "Effect on sales"].astype(float)
    total = float(df.loc["Change of identified buyers' gross sales", "Effect on sales"])
    assert total != 0 and round(effects.sum(), 2) == round(total, 2)


def test_engine_out_of_memory_shows_what_to_change_not_an_error(workspace, monkeypatch):
    # the engine's memory limit reached while fitting (data.errors.EngineMemoryError): one warning naming
    # the limit and what to change, in the page's language; no exception, no "not enough data"
    from analytics import cached
    from analytics.market import fitting
    from data.errors import EngineMemoryError

    def out_of_memory(*a, **k):
        raise EngineMemoryError("953.6 MiB")

    cached.clear_all()
    monkeypatch.setattr(fitting, "order_aggregates", out_of_memory)
    for lang, words in (("en", "shorter date range"), ("zh", "日期范围")):
        at = make_app("ana", page=PAGE, query=demo_query(workspace, lang=lang, start="2025-01-01")).run()
        assert not at.exception, [e.value for e in at.exception]
        warned = [str(w.value) for w in at.warning if "953.6 MiB" in str(w.value)]
        assert len(warned) == 1 and words in warned[0] and "PRISM_ENGINE_MEMORY" in warned[0], texts(at)
        assert not [i for i in at.info if "honestly" in str(i.value) or "数据不足" in str(i.value)]
    cached.clear_all()
