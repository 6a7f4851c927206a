"""Channel comparison page: renders in both languages, filters in the URL, empty and orders-only states."""

from __future__ import annotations

from tests.app.conftest import make_app, run_page, texts

PAGE = "pages/channel_comparison.py"


def _q(workspace, **extra):
    ids = workspace["ids"]
    return {"ch": str(ids["channels"]), "o": str(ids["orders"]), **extra}


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _select(at, label):
    return next(s for s in at.selectbox if s.label == label)


def test_renders_in_english_with_intervals_and_next_budget(workspace):
    at = run_page("ana", PAGE, _q(workspace))
    assert not at.exception, at.exception
    body = texts(at)
    assert [t.value for t in at.title] == ["Channel comparison"]
    assert "Put the next unit of budget into WeChat" in body
    assert _metric(at, "Next unit of budget").startswith("WeChat (marginal ROAS")
    assert _metric(at, "Spend") not in ("", "—")
    kpis = at.dataframe[0].value
    assert {"Channel", "ROAS", "ROAS low (95%)", "ROAS high (95%)", "CTR low (95%)", "Marginal ROAS"} <= set(kpis.columns)
    assert len(kpis) == 7
    assert (kpis["ROAS low (95%)"] <= kpis["ROAS"]).all() and (kpis["ROAS"] <= kpis["ROAS high (95%)"]).all()
    # the page shows the numbers of the headless report
    from analytics import report
    from analytics.i18n import fmt_kpi, fmt_money

    ids = workspace["ids"]
    res = report.run_page("channel-comparison", [ids["channels"], ids["orders"]])
    # a card never cuts a number: the short form (a million and more), the exact value on hover
    spend = next(m for m in at.metric if m.label == "Spend")
    assert res["kpis"]["spend"] >= 1e6 and spend.value == fmt_kpi(res["kpis"]["spend"], "en", money=True)
    assert f"Exact value: {fmt_money(res['kpis']['spend'], 'en')}" in spend.help
    assert list(kpis["ROAS"].round(6)) == [round(r["roas"], 6) for r in res["channels"]]
    # the metric hover text is the definition from the catalogue
    roas_help = next(m for m in at.metric if m.label == "ROAS").help
    assert roas_help.startswith("ROAS = revenue / spend")


def test_renders_in_chinese(workspace):
    at = run_page("ana", PAGE, _q(workspace, lang="zh"))
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["渠道对比"]
    body = texts(at)
    assert "下一笔预算投给微信" in body  # the channel as people say it (display_name), no space
    assert "渠道" in at.dataframe[0].value.columns
    assert any(m.label == "花费" for m in at.metric)


def test_filter_changes_results_and_goes_into_the_url(workspace):
    at = run_page("ana", PAGE, _q(workspace))
    assert len(at.dataframe[0].value) == 7
    _select(at, "Compare by").select("campaign")
    at = at.run()
    assert not at.exception, at.exception
    assert at.query_params["by"] in ("campaign", ["campaign"])
    assert len(at.dataframe[0].value) > 7  # campaigns, not platforms
    assert any("Douyin" in str(c) and c != "Douyin" for c in at.dataframe[0].value["Channel"])


def test_share_link_restores_the_view(workspace):
    at = run_page("vic", PAGE, _q(workspace, by="campaign", recent_days="7", n_boot="200"))
    assert not at.exception, at.exception
    assert _select(at, "Compare by").value == "campaign"
    assert next(n for n in at.number_input if n.label == "Days for current spend").value == 7
    assert len(at.dataframe[0].value) > 7
    # a viewer may read and export: the report downloads are there, nothing to save on this page
    assert not at.exception


def test_bad_parameter_is_reset_with_a_warning(workspace):
    at = run_page("ana", PAGE, _q(workspace, recent_days="abc"))
    assert not at.exception, at.exception
    assert "were not valid and were reset" in texts(at)
    assert next(n for n in at.number_input if n.label == "Days for current spend").value == 14
    assert len(at.dataframe[0].value) == 7


def test_empty_state_without_channels_or_orders(workspace):
    at = run_page("ana", PAGE, {"ch": "0", "o": "0"})
    assert not at.exception, at.exception
    body = texts(at)
    assert "This page needs a Channel performance dataset" in body
    assert "orders that record the channel" in body
    assert not at.dataframe
    at = run_page("ana", PAGE, {"ch": "0", "o": "0", "lang": "zh"})
    assert "渠道投放" in texts(at)


def test_orders_only_compares_channels_on_orders(workspace):
    at = run_page("ana", PAGE, {"ch": "0", "o": str(workspace["ids"]["orders"])})
    assert not at.exception, at.exception
    body = texts(at)
    assert "compared on orders only" in body
    assert "brings the most net sales" in body
    df = at.dataframe[0].value
    assert {"Channel", "Orders", "Net sales", "Return rate"} <= set(df.columns)


def test_platform_vs_incremental_roas_tab(workspace):
    """Issue 17 item 3: per channel the platform's ROAS beside the incremental ROAS (the planner's model when
    the ledger has no entry), the inflation between them and an action line; the numbers of the report."""
    from tests.app.conftest import table

    at = run_page("ana", PAGE, _q(workspace))
    assert not at.exception, at.exception
    df = table(at, "Platform ROAS")
    assert {"Channel", "Incremental ROAS", "Incremental ROAS low (95%)", "Inflation (×)", "Incremental figure from"} \
        <= set(df.columns)
    from analytics import report

    ids = workspace["ids"]
    res = report.run_page("channel-comparison", [ids["channels"], ids["orders"]])
    rows = res["incrementality"]
    assert list(df["Channel"]) == [r["channel"] for r in rows] and len(rows) == 7
    assert list(df["Incremental ROAS"].round(6)) == [round(r["incremental_roas"], 6) for r in rows]
    assert list(df["Inflation (×)"].round(6)) == [round(r["platform_roas"] / r["incremental_roas"], 6) for r in rows]
    assert all(r["source"] == "model" for r in rows)
    body = texts(at)
    assert "its incremental ROAS (" in body and "budget on the incremental figure" in body
    assert "The data does not state an attribution window" in body


def test_a_ledger_entry_replaces_the_model_and_the_language_switch_does_not_refit(workspace, monkeypatch):
    from analytics import cached, channels, ledger
    from data import repository
    from data.access import Actor
    from tests.app.conftest import table

    calls = []
    fit = channels.fit
    monkeypatch.setattr(channels, "fit", lambda *a, **kw: calls.append(1) or fit(*a, **kw))
    cached.clear_all()
    at = run_page("ana", PAGE, _q(workspace))
    assert not at.exception, at.exception
    assert len(calls) == 1
    at.sidebar.radio(key="lang").set_value("zh").run()
    assert not at.exception and len(calls) == 1  # presented again in Chinese from the cached fit
    assert "平台 ROAS" in table(at, "平台 ROAS").columns
    eid = ledger.add({"channel": "抖音", "start": "2026-09-01", "end": "2026-09-28", "spend": 40000, "lift": 50000,
                      "low": 20000, "high": 80000, "method": "geo"}, actor=Actor("ana", "analyst"))
    try:
        at.sidebar.radio(key="lang").set_value("en").run()
        assert not at.exception, at.exception
        assert len(calls) == 2  # a new ledger entry is a new fit
        df = table(at, "Platform ROAS").set_index("Channel")
        assert df.loc["Douyin", "Incremental figure from"].startswith(f"Ledger #{eid}: Geo test, 2026-09-01 to 2026-09-28")
        assert df.loc["Douyin", "Incremental ROAS"] == 50000 / 40000
        assert (df.loc["Douyin", "Incremental ROAS low (95%)"], df.loc["Douyin", "Incremental ROAS high (95%)"]) == \
            (0.5, 2.0)
        assert df.loc["Douyin", "Inflation (×)"] == df.loc["Douyin", "Platform ROAS"] / 1.25
        assert df.loc["Taobao", "Incremental figure from"].startswith("Response model at the current spend")
    finally:
        repository.delete_object(object_id=eid, actor=Actor("admin", "admin"))
        cached.clear_all()


def test_page_says_when_its_charts_cannot_be_drawn(workspace, monkeypatch):
    import streamlit as st

    from analytics import channels
    from analytics.i18n import t

    def broken(res, lang="en"):
        raise TypeError("a bug in a figure")

    monkeypatch.setattr(channels, "figures", broken)
    st.cache_resource.clear()  # the figures of this workspace may be cached from an earlier test
    try:
        at = run_page("ana", PAGE, _q(workspace))
    finally:
        st.cache_resource.clear()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning].count(t("ui.report.figure_error", "en")) == 1
    assert _metric(at, "Spend") not in ("", "—")  # the rest of the page is there
