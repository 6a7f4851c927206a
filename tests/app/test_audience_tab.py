"""The Segmentation page's Audience assets tab (AIPL / O-5A, issue 17 item 5) on the demo workspace: it
appears with an audience dataset, shows the report's numbers in English and Chinese, and is absent without one."""

from __future__ import annotations

from analytics import segmentation as seg
from analytics.i18n import fmt_number, fmt_pct
from tests.app.conftest import make_app, texts

PAGE = "pages/segmentation_explorer.py"
URL = "segmentation-explorer"


def _query(workspace, **extra) -> dict:
    ids = workspace["ids"]
    return {"o": str(ids["orders"]), "cu": str(ids["customers"]), "au": str(ids["audience"]),
            "ch": str(ids["channels"]), **extra}


def _report(workspace, lang: str) -> dict:
    from analytics import report

    ids = workspace["ids"]
    return report.run_page(URL, [ids["orders"], ids["customers"], ids["audience"], ids["channels"]], {}, lang=lang)


def _metric(at, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


def _frame_with(at, column: str):
    return next((df.value for df in at.dataframe if column in df.value.columns), None)


def test_tab_on_the_demo_in_english_with_the_reports_numbers(workspace):
    at = make_app("ana", page=PAGE, query=_query(workspace)).run()
    assert not at.exception, at.exception
    labels = [t.label for t in at.tabs]
    assert labels[:5] == ["RFM groups", "Clusters", "Member tiers", "Cohorts", "Lifetime value and churn"]
    assert labels[5] == "Audience assets (AIPL / O-5A)" and len(labels) == 6
    res = _report(workspace, "en")
    aud = res["audience"]
    assert [m["model"] for m in aud["models"]] == ["AIPL", "O-5A"]
    subs = [s.value for s in at.subheader]
    assert "AIPL (品牌数据银行)" in subs and "O-5A (巨量云图)" in subs
    for r in aud["stages"]:  # each stage's latest size as a key figure
        assert _metric(at, r["stage"]) == fmt_number(r["people"], "en")
    body = texts(at)
    # the demo makes 问询 -> 行动 the weak step of O-5A (data/demo.py): the action line names it
    assert aud["action"].split(":")[0] in body and "A3 Ask (seeded, 种草) → A4 Act" in aud["action"]
    assert "Next to, not caused by" in body
    links = _frame_with(at, "Flow rate (pooled)")
    assert links is not None and list(links["Flow"]) == [r["link"] for r in aud["links"] if r["model"] == "AIPL"]
    corr = _frame_with(at, "r with spend (weekly changes)")
    assert corr is not None and len(corr) == 4  # the AIPL stages; O-5A's table follows
    charts = [e.key.removeprefix(f"{URL}_fig_") for e in at.get("plotly_chart")]
    assert [c for c in charts if c.startswith("aud_")] == [
        f"aud_{part}_{m}" for m in ("AIPL", "O-5A") for part in ("sizes", "flows", "next")]
    titles = {f["key"]: f["title"] for f in seg.figures(res, "en")}
    for model in ("AIPL", "O-5A"):  # the flow chart's title names the model's weakest link and its rate
        weak = min((r for r in res["audience"]["links"] if r["model"] == model), key=lambda r: r["rate"])
        assert weak["link"] in titles[f"aud_flows_{model}"] and fmt_pct(weak["rate"]) in titles[f"aud_flows_{model}"]


def test_tab_in_chinese_uses_the_platforms_words(workspace):
    at = make_app("ana", page=PAGE, query=_query(workspace, lang="zh")).run()
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs][5] == "人群资产（AIPL / O-5A）"
    aud = _report(workspace, "zh")["audience"]
    body = texts(at)
    assert "优先打通 A3 问询（种草） → A4 行动" in body and "对照不等于因果" in body
    assert "O-5A（巨量云图 5A人群）" in [s.value for s in at.subheader]
    for r in aud["stages"]:
        assert _metric(at, r["stage"]) == fmt_number(r["people"], "zh")
    assert _frame_with(at, "流转率（合并）") is not None


def test_no_tab_without_an_audience_dataset(workspace):
    at = make_app("ana", page=PAGE, query=_query(workspace, au="0")).run()
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == ["RFM groups", "Clusters", "Member tiers", "Cohorts", "Lifetime value and churn"]
    assert "Next to, not caused by" not in texts(at)
