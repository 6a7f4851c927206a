"""The incrementality ledger list on the Promotion planner (issue 17 item 1): every entry is listed; its owner
edits the channel and the spend and deletes it; another analyst and a viewer read only; an admin may change
any entry (the repository's rule, as on the command line). The planner runs without bootstrap (``n_boot=0``)
to keep the reruns short; the entries are removed afterwards."""

from __future__ import annotations

import pytest

from tests.app.conftest import make_app, texts

PLAN = "pages/promotion_planner.py"
RAW = {"start": "2026-09-01", "end": "2026-09-30", "lift": 30000.0, "low": 12000.0, "high": 48000.0, "method": "ab",
       "view": "/post-campaign-evaluation?ex=1"}


@pytest.fixture()
def entries(workspace):
    from analytics import ledger
    from data import repository
    from data.access import Actor

    ana = ledger.add({**RAW, "channel": "Douyin", "spend": 20000}, owner="ana")
    mei = ledger.add({**RAW, "channel": "Kuaishou", "spend": 15000, "start": "2026-08-01", "end": "2026-08-14"},
                     owner="mei")
    yield {"ana": ana, "mei": mei}
    for e in ledger.entries():
        repository.delete_object(object_id=int(e["id"]), actor=Actor("admin", "admin"))


def open_planner(user: str, workspace):
    at = make_app(user, page=PLAN, query={"mm": str(workspace["ids"]["media_mix"]), "n_boot": "0"}).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ledger_table(at):
    for d in at.dataframe:
        if {"Channel", "Spend in the test", "Incremental ROAS", "Saved by"} <= set(d.value.columns):
            return d.value
    raise AssertionError("no ledger table")


def pick(at, entry_id: int):
    [box] = [s for s in at.selectbox if s.label == "Entry"]
    box.set_value(entry_id).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_owner_edits_and_deletes_another_analyst_cannot(workspace, entries):
    from analytics import ledger

    at = open_planner("ana", workspace)
    assert "Incrementality ledger (entries: 2)" in [e.label for e in at.expander]
    tab = ledger_table(at)
    assert list(tab["#"].astype(int)) == [entries["mei"], entries["ana"]]  # newest first
    row = tab.set_index(tab["#"].astype(int)).loc[entries["ana"]]
    assert row["Channel"] == "Douyin" and row["Spend in the test"] == 20000 and row["Saved by"] == "ana"
    assert row["Incremental ROAS"] == pytest.approx(30000 / 20000)
    assert row["Method"] == "A/B test" and row["Interval low (95%)"] == 12000 and row["Interval high (95%)"] == 48000
    # mei's entry: ana reads it, cannot change it
    pick(at, entries["mei"])
    assert "Only the entry's owner (mei) or an admin can change or delete it." in texts(at)
    assert not [b for b in at.button if b.label.startswith("Delete entry")]
    assert not [w for w in at.text_input if w.label == "Channel"]
    # her own entry: edit channel and spend
    pick(at, entries["ana"])
    [channel] = [w for w in at.text_input if w.label == "Channel"]
    [spend] = [w for w in at.number_input if w.label == "Spend in the test"]
    channel.set_value("Taobao")
    spend.set_value(25000.0)
    [save] = [b for b in at.button if b.label == "Save changes"]
    save.click().run()
    assert not at.exception, [e.value for e in at.exception]
    e = ledger.get(entries["ana"])
    assert e["channel"] == "Taobao" and e["spend"] == 25000 and e["lift"] == 30000
    assert any(f"Entry #{entries['ana']} updated: Taobao" in s.value for s in at.success)
    # a bad spend is refused with the reason, nothing changes
    pick(at, entries["ana"])
    [spend] = [w for w in at.number_input if w.label == "Spend in the test"]
    spend.set_value(0.0)
    [save] = [b for b in at.button if b.label == "Save changes"]
    save.click().run()
    assert any("must be more than 0" in x.value for x in at.error) and ledger.get(entries["ana"])["spend"] == 25000
    # delete it
    [delete] = [b for b in at.button if b.label == f"Delete entry #{entries['ana']}"]
    delete.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert ledger.get(entries["ana"]) is None and [r["id"] for r in ledger.entries()] == [entries["mei"]]
    assert any(f"Entry #{entries['ana']} deleted" in s.value for s in at.success)
    assert "Incrementality ledger (entries: 1)" in [e.label for e in at.expander]


def test_a_viewer_reads_the_ledger_only(workspace, entries):
    from analytics import ledger

    at = open_planner("vic", workspace)
    assert len(ledger_table(at)) == 2
    for eid in (entries["ana"], entries["mei"]):
        pick(at, eid)
        assert not [b for b in at.button if b.label.startswith("Delete entry") or b.label == "Save changes"]
        assert "cannot save results" in texts(at)
    assert len(ledger.entries()) == 2


def test_an_admin_may_change_any_entry(workspace, entries):
    from analytics import ledger

    at = open_planner("admin", workspace)
    pick(at, entries["mei"])
    [delete] = [b for b in at.button if b.label == f"Delete entry #{entries['mei']}"]
    delete.click().run()
    assert not at.exception and ledger.get(entries["mei"]) is None


@pytest.mark.parametrize("url, ok", [
    ("/post-campaign-evaluation?o=1&ex=2", True), ("https://bi.example.com/view/3", True),
    ("javascript:alert(1)", False), ("//evil.example/x", False), ("/\\evil.example/phish", False),
    ("/\\/evil.example", False), ("/ok\npath", False), ("data:text/html,x", False), ("", False)])
def test_the_view_link_is_this_app_or_a_web_address_never_another_scheme_or_host_in_disguise(url, ok):
    from components.ledger_list import _safe_link

    assert (_safe_link(url) is not None) is ok
