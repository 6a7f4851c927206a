"""Competitor tracking page (issue 4): demo workspace in both languages, own brand chosen from the data,
threshold and filters bound to the URL, share links, bad links, the empty state with the template on an
orders dataset alone (Online Retail), the elasticity with its interval or the reason it is not claimed,
and roles. The numbers on the page are the headless report's (analytics.report.run_page)."""

from __future__ import annotations

import pytest

from analytics import report
from analytics.i18n import fmt_number
from components.state import ALL  # the widget value of a 'None' (automatic) choice
from tests.app.conftest import make_app, table, texts

PAGE = "pages/competitor_tracking.py"
URL = "competitor-tracking"
TABS_EN = ["Price index", "Price moves", "Discounts and promotions", "Share, rating, followers",
           "Our sales vs their moves", "Competitors"]
TABS_ZH = ["价格指数", "调价动态", "折扣与促销", "份额、评分、粉丝", "本品销量与竞品动作", "竞品一览"]
OWN = "Lumi 光迹"


def key(k: str) -> str:
    return f"{URL}:{k}"


def demo_query(ws, **extra) -> dict:
    return {"cp": str(ws["ids"]["competitors"]), "o": str(ws["ids"]["orders"]), **extra}


def metrics(at) -> dict:
    return {m.label: m for m in at.metric}


def headless(ws, params: dict, datasets=None) -> dict:
    return report.run_page(URL, datasets or [ws["ids"]["competitors"], ws["ids"]["orders"]], params)


def latest_index(r: dict) -> float:
    last = max(x["period"] for x in r["price_index"])
    vals = [x["index"] for x in r["price_index"] if x["period"] == last]
    return sum(vals) / len(vals)


@pytest.fixture(scope="module")
def demo_en(workspace):
    at = make_app("ana", page=PAGE, query=demo_query(workspace)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_demo_renders_with_events_index_and_own_brand(workspace, demo_en):
    at = demo_en
    body = texts(at)
    assert [t.value for t in at.title] == ["Competitor tracking"]
    assert [t.label for t in at.tabs] == TABS_EN
    own = at.selectbox(key=key("own"))
    assert own.value == ALL and own.options[0] == f"Automatic: {OWN}"  # detected from the data's own-brand flag
    assert sorted(own.options[1:]) == sorted(["Glowa 珂颜", OWN, "Purely 纯研", "Solara 晒雅", "Velvet 绒雾"])
    assert at.slider(key=key("threshold")).value == pytest.approx(0.10)
    r = headless(workspace, {})
    m = metrics(at)
    assert m["Price index, latest week"].value == f"{latest_index(r):.0f}"
    assert m["Price index, latest week"].proto.help.startswith("Price index = own price / competitor price x 100")
    assert m["Competitor price moves"].value == fmt_number(len(r["events"]), "en")
    assert m["Competitors tracked"].value == "4"
    assert "Own prices: the rows of Lumi 光迹 in the competitor data, matched by product" in body.replace("\\", "")
    events = table(at, "Reference price")
    assert len(events) == len(r["events"]) and {"Date", "Competitor", "Product", "Change"} <= set(events.columns)
    assert (events["Change"].abs() >= 0.10 - 1e-9).all()
    comps = table(at, "Promotion frequency")
    assert {"Competitor", "Average price", "Discount depth"} <= set(comps.columns)
    # no elasticity claimed on the demo, with the reason, and own sales still shown next to competitor moves
    assert m["Cross-price elasticity"].value == "Not claimed"
    assert r["elasticity"] is None and r["elasticity_reason"] in body
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert len(titles) >= 7 and any("Own weekly volume next to competitor prices" in s for s in titles)
    assert "What to do next" in body and "competitor price moves of 10% or more" in body


def test_demo_renders_in_chinese(workspace):
    at = make_app("ana", page=PAGE, query=demo_query(workspace, lang="zh")).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["竞品追踪"]
    assert [t.label for t in at.tabs] == TABS_ZH
    m = metrics(at)
    assert "最新一周价格指数" in m and "竞品调价次数" in m and m["交叉价格弹性"].value == "不下结论"
    assert at.selectbox(key=key("own")).options[0] == f"自动识别：{OWN}"
    assert "下一步建议" in texts(at)


def test_threshold_and_own_brand_change_the_results_and_the_url(workspace, demo_en):
    at = demo_en
    before = metrics(at)["Competitor price moves"].value
    at.slider(key=key("threshold")).set_value(0.2)
    at.selectbox(key=key("own")).set_value("Glowa 珂颜")
    at.run()
    assert not at.exception
    assert at.query_params["threshold"] == "0.2" and at.query_params["own"] == "Glowa 珂颜"
    r = headless(workspace, {"threshold": "0.2", "own": "Glowa 珂颜"})
    m = metrics(at)
    assert m["Competitor price moves"].value == fmt_number(len(r["events"]), "en") != before
    assert m["Price index, latest week"].value == f"{latest_index(r):.0f}"
    assert (table(at, "Reference price")["Change"].abs() >= 0.2 - 1e-9).all()
    assert "(own brand)" in " ".join(table(at, "Observations")["Competitor"])


def test_share_link_restores_filters_and_numbers(workspace):
    q = demo_query(workspace, threshold="0.15", own="Purely 纯研", window="14", category="护肤 Skincare",
                   start="2025-06-01", end="2026-06-30")
    at = make_app("vic", page=PAGE, query=q).run()  # a viewer opening an analyst's link
    assert not at.exception
    assert at.slider(key=key("threshold")).value == pytest.approx(0.15)
    assert at.selectbox(key=key("own")).value == "Purely 纯研"
    assert at.number_input(key=key("window")).value == 14
    assert at.multiselect(key=key("category")).value == ["护肤 Skincare"]
    r = headless(workspace, {"threshold": "0.15", "own": "Purely 纯研", "window": "14", "category": "护肤 Skincare",
                             "start": "2025-06-01", "end": "2026-06-30"})
    m = metrics(at)
    assert m["Competitor price moves"].value == fmt_number(len(r["events"]), "en")
    assert m["Price index, latest week"].value == f"{latest_index(r):.0f}"
    events = table(at, "Reference price")
    assert events["Date"].min() >= "2025-06-01" and events["Date"].max() <= "2026-06-30"
    assert "A price move = a competitor's price 15% or more away from the median of its own prices over the " \
           "previous 14 days" in texts(at)
    assert any(b.label == "Download HTML report" for b in at.get("download_button"))  # viewers export


def test_bad_link_values_are_reset_with_a_warning(workspace):
    at = make_app("ana", page=PAGE, query=demo_query(workspace, threshold="abc", own="Nobody", window="3")).run()
    assert not at.exception
    body = texts(at)
    assert "Some settings in the link were not valid and were reset" in body
    assert "threshold=abc" in body and "own=Nobody" in body and "window=3" in body
    assert at.slider(key=key("threshold")).value == pytest.approx(0.10)
    assert at.selectbox(key=key("own")).value == ALL
    assert at.number_input(key=key("window")).value == 28


def test_elasticity_with_interval_from_the_own_brand_sales_volume(workspace):
    at = make_app("ana", page=PAGE, query={"cp": str(workspace["ids"]["competitors"]), "o": "0"}).run()
    assert not at.exception
    r = headless(workspace, {}, datasets=[workspace["ids"]["competitors"]])
    el = r["elasticity"]
    m = metrics(at)
    assert m["Cross-price elasticity"].value == f"{el['value']:.2f}"
    assert m["95% confidence interval"].value == f"{el['ci_low']:.2f} – {el['ci_high']:.2f}"
    assert m["Weeks used"].value == fmt_number(el["n"], "en")
    assert el["reading"].split(":")[0] in texts(at).replace("\\", "")


def test_online_retail_alone_shows_the_empty_state_with_the_template(online_retail):
    from analytics import cached

    cached.clear_store_caches()
    for lang, title, tmpl, ready in (
        ("en", "This page needs a Competitors dataset", "Download the Competitors template",
         "Your orders dataset is picked"),
        ("zh", "本页需要竞品数据集", "下载竞品模板", "已选择订单数据集"),
    ):
        at = make_app("ana", page=PAGE, query={"o": str(online_retail), "cp": "0", "mk": "0", "lang": lang}).run()
        assert not at.exception, [e.value for e in at.exception]
        body = texts(at)
        assert title.lower() in body.lower() and ready in body
        assert any(b.label == tmpl for b in at.get("download_button"))
        assert not at.metric and not at.get("plotly_chart")
    assert "price index" in body.lower() or "价格指数" in body
    # a share link to the page keeps its settings for when competitor data is picked
    at = make_app("ana", page=PAGE, query={"o": str(online_retail), "cp": "0", "threshold": "0.2"}).run()
    assert not at.exception and at.query_params["threshold"] == "0.2"


def test_empty_state_without_any_dataset(workspace):
    at = make_app("vic", page=PAGE, query={"cp": "0", "o": "0"}).run()
    assert not at.exception
    body = texts(at)
    assert "Competitors dataset" in body and "Your orders dataset is picked" not in body
    assert any(b.label == "Download the Competitors template" for b in at.get("download_button"))
