"""Headless reports of the channel comparison and promotion planner pages (issue 6):
``python -m analytics report channel-comparison|promotion-planner`` give the keys the issue lists, with
the numbers the pages show (the same compute on the same frames), and self-contained HTML reports with
the chart titles and user text escaped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import channels as chm
from analytics import promotions as prm
from analytics import report
from analytics.common import jsonable
from tests import fixtures

ROOT = Path(__file__).resolve().parents[2]
EVIL = "<script>alert('x')</script> & Co"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report_channels")
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'prism.db'}"
    from data import demo, repository

    repository.init_store()
    frames = demo.generate(seed=7, n_customers=4000, scale=0.2)
    ids = {}
    for kind in ("channels", "orders", "media_mix"):
        ids[kind] = repository.write_dataset(kind=kind, frame=frames[kind], name=f"demo {kind}",
                                             content_hash=f"demo:{kind}", mapping={})["id"]
    evil = frames["channels"].copy()
    evil["channel"] = evil["channel"].replace({"WeChat": EVIL})
    ids["evil"] = repository.write_dataset(kind="channels", frame=evil, name=EVIL, content_hash="evil", mapping={})["id"]
    yield {"ids": ids, "url": os.environ["DATABASE_URL"]}
    if old is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = old


CHANNEL_FIELDS = {"channel", "spend", "impressions", "clicks", "conversions", "revenue", "ctr", "ctr_ci_low", "ctr_ci_high",
                  "cvr", "cvr_ci_low", "cvr_ci_high", "cpc", "cpm", "cpa", "roas", "roas_ci_low", "roas_ci_high",
                  "marginal_roas"}


def test_channel_report_keys_and_numbers_equal_the_page(store):
    ids = store["ids"]
    res = report.run_page("channel-comparison", [ids["channels"], ids["orders"]], {"recent_days": "7"})
    assert res["params"]["recent_days"] == 7 and not res["problems"]
    assert {"channels", "significant_pairs", "best_next_channel"} <= set(res)
    assert len(res["channels"]) == 7
    for row in res["channels"]:
        assert CHANNEL_FIELDS <= set(row)
        assert row["roas_ci_low"] <= row["roas"] <= row["roas_ci_high"]
    best = max((r for r in res["channels"] if r["marginal_roas"] is not None), key=lambda r: r["marginal_roas"])
    assert res["best_next_channel"] == best["channel"]
    # the page computes through analytics.cached.page_result -> report.compute_page on the same frames
    frames = fixtures.stored_frames([ids["channels"], ids["orders"]])
    page = jsonable(chm.compute(frames, {**res["params"]}, "en"))
    assert page["channels"] == res["channels"] and page["kpis"] == res["kpis"]
    # orders only (no channel statistics) and nothing at all
    only = report.run_page("channel-comparison", [ids["orders"]])
    assert only["mode"] == "orders" and only["channels"][0]["net_sales"] > 0
    with pytest.raises(Exception) as exc:
        report.run_page("channel-comparison", [])
    assert getattr(exc.value, "key", "") == "channels.error.none_selected"


def test_channel_cli_json_and_escaped_html(store, tmp_path):
    ids = store["ids"]
    env = {**os.environ, "DATABASE_URL": store["url"], "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "analytics", "report", "channel-comparison", "--dataset", str(ids["channels"]),
                          "--param", "by=channel", "--format", "json"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    cli = json.loads(out.stdout)
    direct = report.run_page("channel-comparison", [ids["channels"]], {"by": "channel"})
    assert cli["best_next_channel"] == direct["best_next_channel"]
    assert [r["spend"] for r in cli["channels"]] == [r["spend"] for r in direct["channels"]]
    res = report.run_page("channel-comparison", [ids["evil"]], {}, lang="zh")
    figs = report.figures_for("channel-comparison", res, "zh")
    html = report.to_html("channel-comparison", res, figs, lang="zh", user="cli")
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert 'src="http' not in html
    for f in figs:
        title = f["title"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#x27;")
        assert title in html


def test_promotion_report_keys_and_numbers_equal_the_page(store):
    ids = store["ids"]
    raw = {"budget": "150000", "weeks": "6", "bounds": "spend_jd::20000", "n_boot": "40"}
    res = report.run_page("promotion-planner", [ids["media_mix"]], raw)
    assert not res["problems"]
    assert {"allocation", "total", "model", "feasibility", "risks"} <= set(res)
    for row in res["allocation"]:
        assert {"channel", "spend", "expected_outcome", "lower", "upper", "marginal_roi"} <= set(row)
    assert {"spend", "expected_outcome", "lower", "upper"} <= set(res["total"])
    assert abs(res["total"]["spend"] - 150000) < 1e-6
    assert abs(sum(r["spend"] for r in res["allocation"]) - 150000) < 1e-6
    jd = next(r for r in res["allocation"] if r["key"] == "spend_jd")  # the bounds name the column
    assert jd["channel"] == "JD"
    assert jd["spend"] <= 20000 + 1e-6
    assert res["total"]["lower"] <= res["total"]["expected_outcome"] <= res["total"]["upper"]
    for row in res["model"]:
        assert {"channel", "carryover", "contribution_share"} <= set(row)
    # the page's numbers: compute on the same frames and params (the page re-uses the memoised fit)
    frames = fixtures.stored_frames([ids["media_mix"]])
    page = jsonable(prm.compute(frames, dict(res["params"]), "en"))
    assert page["total"] == res["total"] and page["allocation"] == res["allocation"]
    # goal-first
    goal = report.run_page("promotion-planner", [ids["media_mix"]], {"target": str(res["total"]["expected_outcome"]),
                                                                    "goal": "incremental", "n_boot": "40"})
    assert goal["goal"]["reachable"] and goal["total"]["expected_outcome"] >= res["total"]["expected_outcome"] * 0.999
    # from demo channels + orders
    co = report.run_page("promotion-planner", [ids["channels"], ids["orders"]], {"n_boot": "20"})
    assert co["fit"]["source"] == "channels+orders" and len(co["allocation"]) == 7
    payload = prm.plan_payload(res, res["params"])
    assert {"params", "total", "allocation", "plan_start", "weeks"} <= set(payload) and payload["weeks"] == 6


def test_promotion_html_is_self_contained_with_titles(store):
    ids = store["ids"]
    res = report.run_page("promotion-planner", [ids["media_mix"]], {"n_boot": "20"}, lang="zh")
    figs = report.figures_for("promotion-planner", res, "zh")
    assert {f["key"] for f in figs} >= {"allocation", "curves", "timeline", "fit"}
    html = report.to_html("promotion-planner", res, figs, lang="zh", user="cli")
    assert 'src="http' not in html and "<html lang='zh-CN'>" in html
    for f in figs:
        assert f["title"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in html
