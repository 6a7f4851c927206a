"""The incrementality ledger (issue 17 item 1): entries checked, stored as saved objects of kind "ledger",
listed, edited (channel, spend) and deleted by their owner or an admin; a post-campaign evaluation turns
into an entry draft with the evaluation's numbers; the command line adds, lists, edits and deletes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analytics import evaluation, ledger
from data import db, repository, users
from data.access import Actor
from data.errors import NotAllowed

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"channel": "Douyin", "start": "2025-06-01", "end": "2025-06-18", "spend": "50,000", "lift": 120000,
        "low": 60000, "high": 180000, "method": "ab", "dataset_id": "3", "view": "/post-campaign-evaluation?x=1"}


@pytest.fixture()
def eng(tmp_path):
    e = db.get_engine(f"sqlite:///{tmp_path / 'prism.db'}")
    repository.init_store(engine=e)
    return e


def test_validate_reads_text_and_refuses_with_the_field():
    e = ledger.validate(GOOD)
    assert e["spend"] == 50000.0 and e["dataset_id"] == 3 and e["start"] == "2025-06-01"
    assert ledger.weeks(e) == pytest.approx(18 / 7)
    cases = {"channel": ({"channel": " "}, "ledger.error.missing"), "end": ({"end": "2025-05-01"}, "ledger.error.period"),
             "spend": ({"spend": 0}, "ledger.error.spend"), "lift": ({"lift": "abc"}, "ledger.error.number"),
             "interval": ({"low": 130000}, "ledger.error.interval"), "date": ({"start": "June"}, "ledger.error.date"),
             "method": ({"method": "guess"}, "ledger.error.method"), "high": ({"high": None}, "ledger.error.missing")}
    for name, (change, key) in cases.items():
        with pytest.raises(ledger.LedgerError) as ex:
            ledger.validate({**GOOD, **change})
        assert ex.value.key == key, name
        assert "{" not in str(ex.value), name  # the English sentence has its values
    from analytics.i18n import t

    err = pytest.raises(ledger.LedgerError, ledger.validate, {**GOOD, "spend": -1}).value
    assert "花费" in t(err.key, "zh", **err.kwargs)


def test_store_round_trip_and_ownership(eng):
    ana, mei, vic, boss = Actor("ana", "analyst"), Actor("mei", "analyst"), Actor("vic", "viewer"), Actor("boss", "admin")
    i = ledger.add(GOOD, actor=ana, engine=eng)
    j = ledger.add({**GOOD, "channel": "抖音", "spend": 1000, "method": "counterfactual"}, actor=mei, engine=eng)
    with pytest.raises(NotAllowed):
        ledger.add(GOOD, actor=vic, engine=eng)
    rows = ledger.entries(engine=eng)
    assert [r["id"] for r in rows] == [j, i]  # newest first
    assert rows[1]["owner"] == "ana" and rows[1]["lift"] == 120000 and rows[1]["created_at"]
    # "抖音" and "Douyin" are one channel
    assert {r["id"] for r in ledger.entries(channel="douyin", engine=eng)} == {i, j}
    # the owner edits channel and spend; another analyst and a viewer may not; nothing else changes
    with pytest.raises(NotAllowed):
        ledger.update(i, actor=mei, spend=1, engine=eng)
    with pytest.raises(NotAllowed):
        ledger.update(i, actor=vic, spend=1, engine=eng)
    e = ledger.update(i, actor=ana, channel="Kuaishou", spend="45000", engine=eng)
    assert e["channel"] == "Kuaishou" and e["spend"] == 45000 and e["lift"] == 120000
    assert repository.get_object(object_id=i, engine=eng)["name"].startswith("Kuaishou")
    with pytest.raises(ledger.LedgerError):
        ledger.update(i, actor=ana, spend=0, engine=eng)
    # a plan is not a ledger entry: neither edited nor deleted through the ledger
    plan = repository.save_object(kind="promotion_plan", name="p", owner="ana", payload={}, engine=eng)
    with pytest.raises(LookupError):
        ledger.update(plan, actor=ana, spend=5, engine=eng)
    assert ledger.delete(plan, actor=ana, engine=eng) is False and repository.get_object(object_id=plan, engine=eng)
    with pytest.raises(NotAllowed):
        ledger.delete(i, actor=mei, engine=eng)
    assert ledger.delete(i, actor=ana, engine=eng) is True
    assert ledger.delete(j, actor=boss, engine=eng) is True  # an admin deletes any
    assert ledger.entries(engine=eng) == [] and ledger.delete(j, actor=boss, engine=eng) is False


@pytest.fixture(scope="module")
def hillstrom_result():
    from tests import fixtures

    hill = fixtures.hillstrom_experiments()
    params = {**evaluation.DEFAULTS, "control": "No E-Mail", "campaign_cost": 20000.0, "start": None, "end": None}
    return hill, params, evaluation.compute({"experiments": hill}, params, "en")


def test_draft_from_an_ab_test_carries_its_numbers(hillstrom_result):
    hill, params, res = hillstrom_result
    d = ledger.draft_from_evaluation(res, params, channel="Email", group="Womens E-Mail", dataset_id=7,
                                     view="/post-campaign-evaluation?control=No+E-Mail")
    # independent: (mean revenue of the arm - mean revenue of the control) x units of the arm
    g = hill.groupby("group")["revenue"]
    n = int((hill["group"] == "Womens E-Mail").sum())
    want = (g.mean()["Womens E-Mail"] - g.mean()["No E-Mail"]) * n
    assert d["lift"] == pytest.approx(want, rel=1e-9)
    assert d["low"] < d["lift"] < d["high"] and d["method"] == "ab" and d["group"] == "Womens E-Mail"
    n_treated = int((hill["group"] != "No E-Mail").sum())
    assert d["spend"] == pytest.approx(20000.0 * n / n_treated)  # the arm's share of the campaign cost
    assert d["channel"] == "Email" and d["dataset_id"] == 7 and d["missing"] == ["start", "end"]
    # completed with the test's dates, it is a valid entry
    e = ledger.validate({**d, "start": "2008-03-01", "end": "2008-03-14"})
    assert e["lift"] == d["lift"] and e["view"].startswith("/post-campaign-evaluation")


def test_draft_without_cost_or_revenue():
    assert ledger.draft_from_evaluation({"money": None}) is None
    cf = {"status": "ok", "by": "channel", "treated": "Douyin", "start": "2025-06-01", "end": "2025-06-18"}
    res = {"counterfactual": cf, "money": {"source": "counterfactual", "cost_given": False, "arms": [
        {"group": "Douyin", "source": "counterfactual", "incremental_revenue": 9000.0, "ci_low": 2000.0,
         "ci_high": 15000.0, "cost": 0.0}]}}
    d = ledger.draft_from_evaluation(res, {})
    assert d["channel"] == "Douyin" and (d["start"], d["end"]) == ("2025-06-01", "2025-06-18")
    assert d["method"] == "counterfactual" and d["spend"] is None and d["missing"] == ["spend"]


def test_command_line_add_list_edit_delete(tmp_path):
    auth = tmp_path / "auth.yaml"
    users.add_user("ana", role="analyst", password="ana-Xq7-long-pass", path=auth)
    users.add_user("mei", role="analyst", password="mei-Xq7-long-pass", path=auth)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "AUTH_CONFIG": str(auth),
           "PYTHONPATH": str(ROOT)}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "analytics", "ledger", *args], capture_output=True, text=True,
                              cwd=ROOT, env=env, timeout=120)

    r = run("add", "--channel", "Douyin", "--start", "2025-06-01", "--end", "2025-06-18", "--spend", "50000",
            "--lift", "120000", "--low", "60000", "--high", "180000", "--dataset", "3", "--user", "ana")
    assert r.returncode == 0 and "entry 1" in r.stdout, r.stderr
    bad = run("add", "--channel", "Douyin", "--start", "2025-06-01", "--end", "2025-06-18", "--spend", "50000",
              "--lift", "120000", "--low", "130000", "--high", "180000")
    assert bad.returncode == 2 and "interval must hold the lift" in bad.stderr and "Traceback" not in bad.stderr
    rows = json.loads(run("list", "--format", "json").stdout)
    assert len(rows) == 1 and rows[0]["owner"] == "ana" and rows[0]["dataset_id"] == 3 and rows[0]["spend"] == 50000
    assert "Douyin" in run("list").stdout
    denied = run("edit", "1", "--spend", "1", "--user", "mei")
    assert denied.returncode == 2 and "ana" in denied.stderr
    assert run("edit", "1", "--spend", "40000", "--user", "ana").returncode == 0
    assert json.loads(run("list", "--format", "json").stdout)[0]["spend"] == 40000
    assert run("delete", "1", "--user", "ana").returncode == 0
    assert json.loads(run("list", "--format", "json").stdout) == []
    assert run("delete", "1", "--user", "ana").returncode == 2
