"""The report mechanism: run_page == what the page computes; HTML is self-contained and escapes user text;
the CLI prints JSON with the page's keys."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analytics import report
from analytics.registry import PAGES
from data import repository
from data.db import make_engine

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    eng = make_engine(url)
    repository.init_store(engine=eng)
    frame = pd.DataFrame({"date": pd.to_datetime(["2025-06-18", "2025-06-19"]), "rating": [5.0, 2.0],
                          "comment": ["<script>alert('x')</script> 好评", "=HYPERLINK(1)"]})
    for c in ("campaign", "channel", "customer_id", "nps"):
        frame[c] = None
    info = repository.write_dataset(kind="feedback", frame=frame, name="<b>fb</b>", content_hash="h", mapping={},
                                    engine=eng)
    return {"url": url, "engine": eng, "id": info["id"]}


def test_every_page_has_a_module_with_the_interface():
    for p in PAGES:
        mod = report.module(p.url_path)
        assert mod.PAGE == p.url_path
        assert isinstance(mod.KINDS, dict) and callable(mod.compute) and callable(mod.figures)
        assert all(prm.key not in ("start", "end") for prm in mod.PARAMS), p.url_path


def test_data_report_json_and_html(store):
    res = report.run_page("data", [store["id"]], {}, lang="en", engine=store["engine"])
    assert res["page"] == "data" and res["datasets"][0]["name"] == "<b>fb</b>"
    q = res["quality"][0]
    assert (q["kind"], q["rows"], q["first_date"], q["last_date"]) == ("feedback", 2, "2025-06-18", "2025-06-19")
    assert {f["field"]: f["filled"] for f in q["fields"]}["rating"] == 2
    html = report.to_html("data", res, [], lang="zh", user="<ana>")
    assert "<b>fb</b>" not in html and "&lt;b&gt;fb&lt;/b&gt;" in html and "&lt;ana&gt;" in html
    assert "数据 — Prism 报告" in html
    assert html.startswith("<!DOCTYPE html>") and "http" not in html.split("<body>")[0]


def test_unknown_page_and_missing_dataset_are_clear_errors(store):
    with pytest.raises(KeyError, match="unknown page"):
        report.run_page("nope", [store["id"]])
    with pytest.raises(LookupError, match="does not exist"):
        report.run_page("data", [999], engine=store["engine"])


def test_cli_report(store, tmp_path):
    env = {**os.environ, "DATABASE_URL": store["url"]}
    out = tmp_path / "r.json"
    r = subprocess.run([sys.executable, "-m", "analytics", "report", "data", "--dataset", str(store["id"]),
                        "--format", "json", "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert data["page"] == "data" and data["datasets"][0]["rows"] == 2
    r = subprocess.run([sys.executable, "-m", "analytics", "report", "market-overview", "--dataset", "999"],
                       cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "999" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([sys.executable, "-m", "analytics", "report", "nowhere", "--dataset", "1"],
                       cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 2 and "unknown page" in r.stderr
