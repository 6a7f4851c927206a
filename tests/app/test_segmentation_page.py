"""Segmentation explorer page: tabs, URL-bound controls, drill-down with audience export, refusals."""

from __future__ import annotations

import pytest

from analytics.i18n import fmt_kpi, fmt_money, fmt_number
from components.state import ALL  # the widget value of a 'None' (automatic) choice
from tests.app.conftest import make_app, texts

PAGE = "pages/segmentation_explorer.py"
URL = "segmentation-explorer"


def _k(key: str) -> str:
    return f"{URL}:{key}"


def _metric(at, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


def _q(at, key: str):
    v = at.query_params.get(key)
    return v[0] if isinstance(v, list) and len(v) == 1 else v


def _report(workspace, params: dict, lang: str = "en") -> dict:
    from analytics import report

    ids = [workspace["ids"]["orders"], workspace["ids"]["customers"]]
    return report.run_page(URL, ids, params, lang=lang)


def _query(workspace, **extra) -> dict:
    # no audience and no channels dataset: the page as it is without them (the Audience assets tab:
    # tests/app/test_audience_tab.py)
    return {"o": str(workspace["ids"]["orders"]), "cu": str(workspace["ids"]["customers"]), "au": "0", "ch": "0",
            **extra}


def _frame_with(at, column: str):
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    return None


def test_demo_renders_with_the_reports_numbers_and_controls_change_them(workspace):
    at = make_app("ana", page=PAGE, query=_query(workspace)).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Segmentation explorer"]
    assert [t.label for t in at.tabs] == ["RFM groups", "Clusters", "Member tiers", "Cohorts", "Lifetime value and churn"]
    res = _report(workspace, {})
    assert _metric(at, "Customers") == fmt_number(res["customers"])
    assert _metric(at, "Predicted CLV (total)") == fmt_kpi(res["clv"]["total"], "en", money=True)  # 17.95M
    clv = next(m for m in at.metric if m.label == "Predicted CLV (total)")
    assert f"Exact value: {fmt_money(res['clv']['total'])}" in clv.help
    assert _metric(at, "Clusters (k)") == str(res["clusters"]["k"])
    groups = _frame_with(at, "Group")
    assert list(groups["Group"]) == [g["label"] for g in res["rfm_groups"]]
    assert "What to do next" in texts(at)

    # the named / cn8 switch is in the URL and changes the groups
    at.radio(key=_k("model")).set_value("cn8").run()
    assert not at.exception and _q(at, "model") == "cn8"
    assert list(_frame_with(at, "Group")["Group"]) == [
        g["label"] for g in _report(workspace, {"model": "cn8"})["rfm_groups"]]
    assert any(s.startswith("重要价值") for s in _frame_with(at, "Group")["Group"])

    # k override
    at.selectbox(key=_k("k")).select(4).run()
    assert _metric(at, "Clusters (k)") == "4" and _q(at, "k") == "4"

    # tier what-if: thresholds typed in, bound to the URL, moves and cost change shown
    at.text_input(key=_k("tier_whatif")).input("500, 2000, 6000").run()
    assert not at.exception and _q(at, "tier_whatif") == "500, 2000, 6000"
    wi = _report(workspace, {"model": "cn8", "k": "4", "tier_whatif": "500,2000,6000"})
    assert _metric(at, "Customers moving up") == fmt_number(wi["tiers"]["moved_up"])
    assert _metric(at, "Customers moving down") == fmt_number(wi["tiers"]["moved_down"])

    # drill-down from a churn band to the customer list (audience file)
    at.selectbox(key=_k("audience")).select("churn:high").run()
    assert not at.exception and _q(at, "audience") == "churn:high"
    aud = _frame_with(at, "p_alive")
    band = {b["band"]: b for b in wi["clv"]["churn_bands"]}["high"]
    # the browser gets the first ui.MAX_SHOWN rows and is told how many the download holds
    from components import ui

    assert band["customers"] > ui.MAX_SHOWN
    assert len(aud) == ui.MAX_SHOWN and list(aud.columns) == ["customer_id", "p_alive", "churn_risk", "clv"]
    assert f"Showing the first {fmt_number(ui.MAX_SHOWN)} of {fmt_number(band['customers'])} rows" in texts(at)
    # the band as the page names it (analytics.segmentation.labelled), not the file key "high"
    assert (aud["churn_risk"] == "High churn risk").all() and (aud["p_alive"] < 0.3).all()
    # the caption names the columns as the table's headers do (not the file's keys)
    assert f"{fmt_number(band['customers'])} customers in High churn risk; columns: customer id, P(alive), Churn risk, Predicted CLV." in texts(at)
    assert any(getattr(d, "proto", None) is not None for d in at.get("download_button"))


def test_chinese_and_a_share_link_restore_the_view(workspace):
    q = _query(workspace, lang="zh", model="cn8", k="3", clv_horizon="6", time_unit="day",
               tier_whatif="500,2000,6000", audience="rfm:At risk")
    at = make_app("ana", page=PAGE, query=q).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["客群分层"]
    assert [t.label for t in at.tabs][0] == "RFM 分群"
    assert at.radio(key=_k("model")).value == "cn8"
    assert at.selectbox(key=_k("k")).value == 3
    assert at.number_input(key=_k("clv_horizon")).value == 6
    assert at.selectbox(key=_k("time_unit")).value == "day"
    assert at.text_input(key=_k("tier_whatif")).value == "500,2000,6000"
    assert at.selectbox(key=_k("audience")).value == "rfm:At risk"
    res = _report(workspace, {"model": "cn8", "k": "3", "clv_horizon": "6", "time_unit": "day",
                              "tier_whatif": "500,2000,6000", "audience": "rfm:At risk"}, lang="zh")
    assert _metric(at, "聚类数 k") == "3"
    assert _metric(at, "客户数") == fmt_number(res["customers"], "zh")
    assert _metric(at, "预测 CLV（合计）") == fmt_money(res["clv"]["total"], "zh")
    aud = _frame_with(at, "customer_id")
    assert len(aud) == min(len(res["audience_list"]), 2000) and set(aud["group"]) == {"有流失风险"}  # ui.MAX_SHOWN; the group in Chinese
    assert "预测期 6 个月" in texts(at)
    assert "最近购买（天）、购买频次（订单数）、消费金额（净）、R 评分、F 评分、M 评分、分群" in texts(at)
    assert "recency_days" not in texts(at)


def test_bad_parameters_are_reset_with_a_warning(workspace):
    at = make_app("ana", page=PAGE, query=_query(workspace, k="abc", model="xyz", discount="2")).run()
    assert not at.exception
    body = texts(at)
    assert "were not valid and were reset" in body and "k=abc" in body and "model=xyz" in body
    assert at.selectbox(key=_k("k")).value == ALL and at.radio(key=_k("model")).value == "named"
    assert at.number_input(key=_k("discount")).value == pytest.approx(0.01)


def test_empty_state_without_orders(workspace):
    # neither orders nor customers: the empty state (with customers alone the page runs in customers-only
    # mode since issue 14 item 6)
    at = make_app("ana", page=PAGE, query={"o": "0", "cu": "0"}).run()
    assert not at.exception
    assert "This page needs a Orders dataset" in texts(at)
    assert not at.tabs
    at = make_app("ana", page=PAGE, query={"o": "0"}).run()
    assert not at.exception and "Customers-only mode" in texts(at)


def test_viewer_sees_and_exports(workspace):
    at = make_app("vic", page=PAGE, query=_query(workspace, audience="tier:3")).run()
    assert not at.exception
    aud = _frame_with(at, "tier_basis_value")  # the audience file of the top tier, named as on the page
    assert len(aud) and set(aud["tier"]) == {"Platinum"}
    assert len(at.get("download_button")) >= 3


def test_too_few_customers_to_cluster_is_refused_with_a_reason(workspace):
    from analytics import cached
    from data import demo, repository

    orders = demo.generate(seed=7)["orders"]
    few = orders.loc[orders["customer_id"].isin(orders["customer_id"].dropna().unique()[:25])]
    info = repository.write_dataset(kind="orders", frame=few, name="Tiny shop", content_hash="tiny-seg-page",
                                    mapping={}, uploaded_by="ana")
    cached.list_datasets.clear()
    try:
        at = make_app("ana", page=PAGE, query={"o": str(info["id"]), "cu": "0"}).run()
        assert not at.exception
        body = texts(at)
        assert "Clusters are not shown: Clustering needs at least 50 customers; this selection has 25." in body
        assert _metric(at, "Customers") == "25"
    finally:
        # other tests take the newest orders dataset by default; SQLite may reuse the id, so the
        # caches keyed on (id, revision) must forget the tiny frame
        import streamlit as st

        from data.access import SYSTEM

        repository.delete_dataset(dataset_id=info["id"], actor=SYSTEM)
        st.cache_data.clear()
        st.cache_resource.clear()


def test_online_retail_in_both_languages(workspace, online_retail):
    from analytics import cached

    cached.list_datasets.clear()  # the sidebar's list is cached for 10 s
    at = make_app("ana", page=PAGE, query={"o": str(online_retail), "cu": "0"}).run()
    assert not at.exception
    assert _metric(at, "Customers") == "4,339"
    assert "135,080 order lines" in texts(at)  # lines without a customer id are left out, and said so
    at = make_app("ana", page=PAGE, query={"o": str(online_retail), "cu": "0", "lang": "zh", "model": "cn8"}).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["客群分层"]
    assert _metric(at, "客户数") == "4,339"
    assert any(s.startswith("重要价值") for s in _frame_with(at, "分群")["分群"])
