"""Headless report of the post-campaign evaluation page (issue 7): ``python -m analytics report
post-campaign-evaluation`` gives the keys the issue lists, with the numbers the page shows, and a
self-contained HTML report with the chart titles and user text escaped."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import evaluation as ev
from analytics import report
from analytics.common import jsonable
from analytics.i18n import t
from tests import fixtures

ROOT = Path(__file__).resolve().parents[2]
URL = "post-campaign-evaluation"
CONTROL = "No E-Mail"
EVIL = "<script>alert('x')</script> & Co"

# Hillstrom SOURCE.md: visit, conversion, spend per customer (Mens, Womens, No E-Mail)
EXPECTED = {"visit": (0.182757, 0.151400, 0.106167), "conversion": (0.012531, 0.008837, 0.005726),
            "revenue": (1.422617, 1.077202, 0.652789)}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report_evaluation")
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'prism.db'}"
    from data import demo, repository
    from tests import fixtures

    repository.init_store()
    hill = fixtures.hillstrom_experiments()
    ids = {"hillstrom": repository.write_dataset(kind="experiments", frame=hill, name="Hillstrom",
                                                 content_hash="hillstrom", mapping={})["id"]}
    evil = hill.copy()
    evil["group"] = evil["group"].replace({"Womens E-Mail": EVIL})
    ids["evil"] = repository.write_dataset(kind="experiments", frame=evil, name=EVIL, content_hash="evil",
                                           mapping={})["id"]
    frames = demo.generate(seed=7, n_customers=4000, scale=0.2)
    for kind in ("orders", "feedback"):
        ids[kind] = repository.write_dataset(kind=kind, frame=frames[kind], name=f"demo {kind}",
                                             content_hash=f"demo:{kind}", mapping={})["id"]
    yield {"dir": tmp, "ids": ids, "url": os.environ["DATABASE_URL"]}
    if old is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = old


@pytest.fixture(scope="module")
def hill_json(store):
    return report.run_page(URL, [store["ids"]["hillstrom"]], {"control": CONTROL})


def page_result(store, dataset_ids, params):
    """What the page computes: every PARAM at its default, the page's choices, the sidebar's dates."""
    full = {"start": None, "end": None, **{p.key: p.default for p in ev.PARAMS}, **params}
    frames = fixtures.stored_frames(dataset_ids)
    return report.compute_page(URL, frames, full, "en")


def test_report_has_the_issue_keys(hill_json):
    r = hill_json
    assert r["control"] == CONTROL
    assert set(r["srm"]) >= {"p_value", "observed", "expected"}
    assert r["srm"]["p_value"] > 0.05 and not r["srm"]["failed"]
    assert [a["group"] for a in r["arms"]] == ["Mens E-Mail", "Womens E-Mail"]
    for a in r["arms"]:
        assert a["n"] > 21000
        assert set(a["outcomes"]) == {"visit", "conversion", "revenue", "revenue_per_converter"}
        for o in a["outcomes"].values():
            assert set(o) >= {"value", "control_value", "lift_abs", "lift_rel", "ci_low", "ci_high", "p_value",
                              "p_value_adjusted"}
    assert r["cuped"] and set(r["cuped"][0]) >= {"outcome", "ci_width_before", "ci_width_after"}
    spend = [c for c in r["cuped"] if c["outcome"] == "revenue"]
    assert spend and all(c["ci_width_after"] < c["ci_width_before"] for c in spend)
    assert r["segments"]["rows"]
    assert isinstance(r["uplift"]["qini_auc"], float)
    assert r["memo"]["recommendation"] == "scale_up" and r["memo"]["text"]
    assert r["kpis"]["srm_p_value"] == r["srm"]["p_value"]


def test_report_numbers_match_source_md_and_the_page(store, hill_json):
    r = hill_json
    by = {a["group"]: a["outcomes"] for a in r["arms"]}
    for o, (mens, womens, control) in EXPECTED.items():
        assert round(by["Mens E-Mail"][o]["value"], 6) == mens
        assert round(by["Womens E-Mail"][o]["value"], 6) == womens
        assert round(by["Mens E-Mail"][o]["control_value"], 6) == control
    page = page_result(store, [store["ids"]["hillstrom"]], {"control": CONTROL})
    for k in ("control", "srm", "arms", "cuped", "memo", "kpis", "findings"):
        assert page[k] == r[k], k
    # a parameter from the command line changes the numbers the same way the page's control does
    r2 = report.run_page(URL, [store["ids"]["hillstrom"]], {"control": "Womens E-Mail", "outcomes": "visit"})
    assert [a["group"] for a in r2["arms"]] == ["Mens E-Mail", "No E-Mail"]
    assert set(r2["arms"][0]["outcomes"]) == {"visit"}
    assert round(r2["arms"][0]["outcomes"]["visit"]["control_value"], 6) == 0.151400
    assert r2["problems"] == []


def test_cli_subprocess_json(store, tmp_path):
    out = tmp_path / "r.json"
    env = {**os.environ, "DATABASE_URL": store["url"], "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "analytics", "report", URL, "--dataset", str(store["ids"]["hillstrom"]),
         "--param", f"control={CONTROL}", "--param", "campaign_cost=2000", "--format", "json", "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["control"] == CONTROL
    mens = next(a for a in r["arms"] if a["group"] == "Mens E-Mail")["outcomes"]
    assert round(mens["visit"]["value"], 6) == 0.182757
    assert r["money"]["cost_given"] and r["kpis"]["incremental_roi"] is not None
    for key in ("srm", "cuped", "segments", "uplift", "memo"):
        assert r[key]


def test_html_report_is_self_contained_with_titles_and_escaped_user_text(store):
    ids = store["ids"]
    res = report.run_page(URL, [ids["evil"], ids["orders"], ids["feedback"]], {"control": CONTROL}, lang="zh")
    figs = report.figures_for(URL, res, "zh")
    assert {f["key"] for f in figs} >= {"lift", "qini", "nps", "words"}
    html = report.to_html(URL, res, figs, lang="zh", user="ana")
    assert html.startswith("<!DOCTYPE html>") and "<html lang='zh-CN'>" in html
    assert t("ui.nav.post-campaign-evaluation", "zh") in html
    import html as h

    for f in figs:
        assert h.escape(f["title"], quote=True) in html, f["key"]
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(" in html
    assert not re.search(r"<script[^>]*\bsrc=", html)  # plotly.js is inlined, nothing is fetched
    assert jsonable(res["memo"])["text"] and res["memo"]["text"].count("建议") >= 1
