"""Persona builder page: segment picker in the URL, TGI table with intervals and the min-size guard,
the persona card, saving (analyst+), reopening after a restart, comparing, exporting and deleting."""

from __future__ import annotations

from analytics import personas as per
from analytics.i18n import fmt_number
from components.ui import md_escape
from tests.app.conftest import make_app, texts

PAGE = "pages/persona_builder.py"
URL = "persona-builder"


def _k(key: str) -> str:
    return f"{URL}:{key}"


def _q(at, key: str):
    v = at.query_params.get(key)
    return v[0] if isinstance(v, list) and len(v) == 1 else v


def _metric(at, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


def _query(workspace, **extra) -> dict:
    return {"o": str(workspace["ids"]["orders"]), "cu": str(workspace["ids"]["customers"]), **extra}


def _report(workspace, params: dict, lang: str = "en") -> dict:
    from analytics import report

    return report.run_page(URL, [workspace["ids"]["orders"], workspace["ids"]["customers"]], params, lang=lang)


def _frame_with(at, column: str):
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    return None


def _saved(name: str) -> dict:
    from data import repository

    return next(o for o in repository.list_objects(kind="persona") if o["name"] == name)


def test_demo_builds_a_persona_and_the_source_changes_it(workspace):
    at = make_app("ana", page=PAGE, query=_query(workspace)).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Persona builder"]
    res = _report(workspace, {})
    assert _metric(at, "Customers in the segment") == fmt_number(res["size"])
    assert md_escape(res["card"]["name"]) in [s.value for s in at.subheader]
    body = texts(at)
    assert md_escape(res["card"]["portrait"]) in body
    for item in res["card"]["offers"]:
        assert md_escape(item["evidence"]) in body  # every sentence shows the number it rests on
    tgi = _frame_with(at, "TGI")
    assert len(tgi) == len(res["attributes"]) and {"TGI, low", "TGI, high", "Share, low"} <= set(tgi.columns)
    assert tgi["Share, low"].dropna().between(0, 1).all()  # a share, shown as a percentage (not x 100)
    assert "Download card (PNG)" in [b.label for b in at.get("download_button")]

    at.radio(key=_k("source")).set_value("tier").run()
    assert not at.exception and _q(at, "source") == "tier"
    assert at.selectbox(key=_k("segment")).value == "3"
    tier = _report(workspace, {"source": "tier", "segment": "3"})
    assert _metric(at, "Customers in the segment") == fmt_number(tier["size"]) != fmt_number(res["size"])

    at.toggle(key=_k("sig")).set_value(True).run()
    sig = _frame_with(at, "TGI")
    assert 0 < len(sig) < len(tier["attributes"]) and set(sig["Differs from base"]) == {"Yes"}


def test_chinese_share_link_restores_segment_and_the_png_note(workspace):
    at = make_app("ana", page=PAGE, query=_query(workspace, lang="zh", source="cn8", segment="重要价值", sig="1")).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["人群画像"]
    assert at.radio(key=_k("source")).value == "cn8"
    assert at.selectbox(key=_k("segment")).value == "重要价值"
    assert at.toggle(key=_k("sig")).value is True
    res = _report(workspace, {"source": "cn8", "segment": "重要价值"}, lang="zh")
    assert _metric(at, "人群客户数") == fmt_number(res["size"], "zh")
    assert md_escape(res["card"]["name"]) in [s.value for s in at.subheader]
    assert set(_frame_with(at, "TGI")["与整体有差异"]) == {"是"}
    assert ("服务器未安装中文字体" in texts(at)) == (not per.png_can_draw("zh"))


def test_bad_parameters_and_the_minimum_size_guard(workspace):
    at = make_app("ana", page=PAGE, query=_query(workspace, source="xyz", min_size="abc")).run()
    assert not at.exception
    body = texts(at)
    # the link's values are quoted escaped (the page's Markdown shows them literally)
    assert "were not valid and were reset" in body and "source=xyz" in body and md_escape("min_size=abc") in body
    assert at.radio(key=_k("source")).value == "rfm"
    at = make_app("ana", page=PAGE, query=_query(workspace, min_size="100000")).run()
    assert not at.exception
    assert "a persona needs at least 100000 to say anything beyond chance" in texts(at)
    assert not at.metric


def test_empty_state_still_lists_saved_personas(workspace):
    at = make_app("ana", page=PAGE, query={"o": "0", "cu": "0"}).run()  # customers alone: customers-only mode
    assert not at.exception
    body = texts(at)
    assert "This page needs a Orders dataset" in body
    assert [t.label for t in at.tabs][1].startswith("Saved personas")


def test_save_reopen_after_restart_compare_and_delete(workspace):
    # a viewer cannot save
    at = make_app("vic", page=PAGE, query=_query(workspace)).run()
    assert at.button(key="persona_save").disabled
    assert "Your role (viewer) cannot save results" in texts(at)

    # an analyst saves two personas through the page
    at = make_app("ana", page=PAGE, query=_query(workspace)).run()
    name1 = "Ana's <b>champions</b>"
    at.text_input(key="persona_name_rfm_Champions").input(name1)
    at.button(key="persona_save").click().run()
    assert not at.exception
    p1 = _saved(name1)
    assert f"Saved as persona #{p1['id']}" in texts(at)
    assert set(p1["payload"]["results"]) == {"en", "zh"}
    at.radio(key=_k("source")).set_value("tier").run()
    at.text_input(key="persona_name_tier_3").input("Top tier")
    at.button(key="persona_save").click().run()
    p2 = _saved("Top tier")

    # a NEW session (as after a restart) lists it and opens it by persona=ID, in both languages
    at = make_app("ana", page=PAGE, query=_query(workspace, persona=str(p1["id"]))).run()
    assert not at.exception
    saved = _frame_with(at, "Saved by")
    assert {name1, "Top tier"} <= set(saved["Name"])
    assert at.selectbox(key=_k("persona")).value == p1["id"]
    assert md_escape(name1) in [s.value for s in at.subheader]
    assert "Download HTML" in [b.label for b in at.get("download_button")]
    assert at.button(key="persona_delete")
    zh = make_app("vic", page=PAGE, query=_query(workspace, persona=str(p1["id"]), lang="zh")).run()
    assert not zh.exception
    assert md_escape(p1["payload"]["results"]["zh"]["card"]["portrait"]) in texts(zh)
    assert not zh.get("button") or all(b.key != "persona_delete" for b in zh.button)  # not the owner
    assert "只有 ana 或管理员可以删除该画像" in texts(zh)

    # compare the two side by side (also from the URL)
    cmp = make_app("vic", page=PAGE, query=_query(workspace, cmp=f"{p1['id']},{p2['id']}")).run()
    assert not cmp.exception
    table = _frame_with(cmp, "Measure")
    assert {f"{name1} #{p1['id']}", f"Top tier #{p2['id']}"} <= set(table.columns)
    size_row = table.loc[table["Measure"] == "Customers in the segment"].iloc[0]
    assert size_row[f"Top tier #{p2['id']}"] == fmt_number(p2["payload"]["results"]["en"]["size"])

    # the owner deletes her persona
    at.button(key="persona_delete").click().run()
    assert not at.exception
    assert "Persona “Ana's \\<b\\>champions\\</b\\>” deleted" in texts(at)
    from data import repository

    assert name1 not in {o["name"] for o in repository.list_objects(kind="persona")}
    assert _q(at, "persona") is None


def test_online_retail_in_both_languages(workspace, online_retail):
    from analytics import cached
    from analytics import report

    cached.list_datasets.clear()  # the sidebar's list is cached for 10 s
    at = make_app("ana", page=PAGE, query={"o": str(online_retail), "cu": "0"}).run()
    assert not at.exception
    res = report.run_page(URL, [online_retail], {})
    assert _metric(at, "Customers in the segment") == fmt_number(res["size"])
    assert "No customers dataset" in texts(at)
    at = make_app("ana", page=PAGE, query={"o": str(online_retail), "cu": "0", "lang": "zh", "source": "cn8"}).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["人群画像"]
    assert at.selectbox(key=_k("segment")).value == "重要价值"
