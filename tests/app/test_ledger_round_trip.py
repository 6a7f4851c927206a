"""The incrementality ledger round trip (issue 17): evaluate the demo's coupon test, save its incremental
revenue to the ledger from the memo, and plan with it: the planner names the entry and is calibrated on it.
A viewer may not save. The entry is removed afterwards, so the other planner tests see no ledger."""

from __future__ import annotations

import pytest

from tests.app.conftest import make_app, table, texts

EVAL = "pages/post_campaign_evaluation.py"
PLAN = "pages/promotion_planner.py"


def demo_query(ws) -> dict:
    ids = ws["ids"]
    return {"ex": str(ids["experiments"]), "fb": str(ids["feedback"]), "o": str(ids["orders"])}


@pytest.fixture()
def clean_ledger():
    from analytics import ledger
    from data import repository
    from data.access import Actor

    yield
    for e in ledger.entries():
        repository.delete_object(object_id=int(e["id"]), actor=Actor("admin", "admin"))


def test_save_from_the_memo_then_the_planner_is_calibrated(workspace, clean_ledger):
    from datetime import date

    from analytics import ledger

    at = make_app("ana", page=EVAL, query=demo_query(workspace)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Save to the incrementality ledger (calibrates the promotion planner)" in [e.label for e in at.expander]
    [channel] = [w for w in at.text_input if w.label == "Channel"]
    channel.set_value("Douyin")
    for w in at.date_input:
        if w.label == "Test start":
            w.set_value(date(2026, 9, 1))
        elif w.label == "Test end":
            w.set_value(date(2026, 9, 30))
    [spend] = [w for w in at.number_input if w.label.startswith("Spend")]
    spend.set_value(20000.0)
    [add] = [b for b in at.button if b.label == "Add to the ledger"]
    add.click().run()
    assert not at.exception, [e.value for e in at.exception]
    saved = ledger.entries()
    assert len(saved) == 1 and saved[0]["channel"] == "Douyin" and saved[0]["owner"] == "ana"
    assert saved[0]["low"] <= saved[0]["lift"] <= saved[0]["high"] and saved[0]["spend"] == 20000.0
    assert any("Saved to the incrementality ledger as entry" in s.value for s in at.success)

    plan = make_app("ana", page=PLAN, query={"mm": str(workspace["ids"]["media_mix"])}).run()
    assert not plan.exception, [e.value for e in plan.exception]
    body = texts(plan).replace("\\#", "#")  # Markdown-escaped in the findings
    eid = saved[0]["id"]
    assert f"Douyin is calibrated on ledger entries #{eid}" in body
    # the calibration tab (it runs when opened, as a link naming it opens it): the entry against Douyin
    assert not [d for d in plan.dataframe if "Ledger entries" in d.value.columns]
    plan.query_params["tab"] = "calibration"
    plan.run()
    assert not plan.exception, [e.value for e in plan.exception]
    cal = table(plan, "Ledger entries")
    assert list(cal["Channel"]) == ["Douyin"]
    assert list(cal["Ledger entries"]) == [f"#{eid}"]


def test_a_viewer_cannot_save_to_the_ledger(workspace, clean_ledger):
    from analytics import ledger

    at = make_app("vic", page=EVAL, query=demo_query(workspace)).run()
    assert not at.exception
    buttons = [b for b in at.button if b.label == "Add to the ledger"]
    if buttons:
        [channel] = [w for w in at.text_input if w.label == "Channel"]
        channel.set_value("Douyin")
        buttons[0].click().run()
    assert ledger.entries() == []
