"""Live commerce page: renders on the demo in both languages, the numbers of the headless report, filters in
the URL, an empty state per missing kind, and a viewer may read it."""

from __future__ import annotations

from tests.app.conftest import run_page, texts

PAGE = "pages/live_commerce.py"
KIND_KEYS = {"live_sessions": "ls", "creators": "cr", "content": "ct", "orders": "o"}


def _q(workspace, drop=(), **extra):
    ids = workspace["ids"]
    q = {key: ("0" if kind in drop else str(ids[kind])) for kind, key in KIND_KEYS.items()}
    return {**q, **extra}


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _table(at, column, without=None):
    return next(d.value for d in at.dataframe if column in d.value.columns and without not in d.value.columns)


def test_renders_in_english_with_the_report_numbers(workspace):
    at = run_page("ana", PAGE, _q(workspace))
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Live commerce"]
    body = texts(at)
    assert "What to do next" in body and "Action list" in body and "sessions sold" in body
    assert _metric(at, "Conversion").endswith("%")
    from analytics import report
    from analytics.i18n import fmt_money

    ids = workspace["ids"]
    res = report.run_page("live-commerce", [ids[k] for k in KIND_KEYS])
    assert _metric(at, "GPM") == fmt_money(res["kpis"]["gpm"], "en")
    assert _metric(at, "UV value") == fmt_money(res["kpis"]["uv_value"], "en")
    league = _table(at, "Session")
    assert len(league) == 100 and list(league["Session"][:5]) == [s["session_id"] for s in res["sessions"][:5]]
    assert {"GPM", "UV value", "Conversion", "Conversion low (95%)"} <= set(league.columns)
    hosts = _table(at, "Host", "Session")
    assert len(hosts) == 5
    creators = _table(at, "Break-even commission")
    assert {"Creator", "Cost", "ROI", "Incremental GMV"} <= set(creators.columns) and len(creators) == 12
    formats = _table(at, "Engagement rate")
    assert set(formats["Format"]) == {"Short video", "Live replay", "Note (图文)", "Product card"}


def test_renders_in_chinese(workspace):
    at = run_page("ana", PAGE, _q(workspace, lang="zh"))
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["直播与达人"]
    body = texts(at)
    assert "下一步建议" in body and "行动清单" in body and "场直播成交" in body
    assert any(m.label == "UV价值" for m in at.metric) and any(m.label == "千川ROI" for m in at.metric)
    assert "坑位费" in _table(at, "达人").columns
    assert set(_table(at, "互动率")["内容形式"]) == {"短视频", "直播", "图文笔记", "商品卡"}


def test_filter_in_the_url_restores_and_changes_results(workspace):
    at = run_page("vic", PAGE, _q(workspace))  # a viewer reads the page
    assert not at.exception, at.exception
    all_gmv = _metric(at, "GMV")
    n_hosts = len(_table(at, "Host", "Session"))
    platform = next(s for s in at.selectbox if s.label == "Platform")
    platform.select("Kuaishou")
    at = at.run()
    assert not at.exception, at.exception
    assert at.query_params["platform"] in ("Kuaishou", ["Kuaishou"])
    assert _metric(at, "GMV") != all_gmv
    league = _table(at, "Session")
    assert set(league["Platform"]) == {"Kuaishou"} and len(league) < 100
    # the link restores the view
    shared = run_page("vic", PAGE, _q(workspace, platform="Kuaishou", rank_by="gpm"))
    assert not shared.exception, shared.exception
    assert next(s for s in shared.selectbox if s.label == "Platform").value == "Kuaishou"
    assert next(s for s in shared.selectbox if s.label == "Rank sessions by").value == "gpm"
    assert _metric(shared, "GMV") == _metric(at, "GMV")
    gpm = list(_table(shared, "Session")["GPM"])
    assert gpm == sorted(gpm, reverse=True) and len(_table(shared, "Host", "Session")) <= n_hosts


def test_empty_state_without_any_live_kind(workspace):
    at = run_page("ana", PAGE, _q(workspace, drop=("live_sessions", "creators", "content")))
    assert not at.exception, at.exception
    body = texts(at)
    for kind in ("Live sessions", "Creator deals", "Content"):
        assert f"This page needs a {kind} dataset" in body
    assert not at.dataframe
    zh = run_page("ana", PAGE, _q(workspace, drop=("live_sessions", "creators", "content"), lang="zh"))
    assert "直播场次" in texts(zh) and "达人合作" in texts(zh)


def test_each_kind_alone_fills_its_section_and_names_the_others(workspace):
    only_content = run_page("ana", PAGE, _q(workspace, drop=("live_sessions", "creators")))
    assert not only_content.exception, only_content.exception
    body = texts(only_content)
    assert "No live sessions selected" in body and "No creator deals selected" in body
    assert "This page needs a Live sessions dataset" in body
    assert _table(only_content, "Engagement rate") is not None
    assert any(m.label == "Plays" for m in only_content.metric)
    only_creators = run_page("ana", PAGE, _q(workspace, drop=("live_sessions", "content", "orders")))
    assert not only_creators.exception, only_creators.exception
    body = texts(only_creators)
    assert "No content selected" in body and "Add an orders dataset" in body
    assert "Incremental GMV" not in _table(only_creators, "Break-even commission").columns
    only_sessions = run_page("ana", PAGE, _q(workspace, drop=("creators", "content"), lang="zh"))
    assert not only_sessions.exception, only_sessions.exception
    assert "未选择达人合作" in texts(only_sessions) and "未选择内容作品" in texts(only_sessions)
