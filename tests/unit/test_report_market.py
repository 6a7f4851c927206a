"""Headless reports of the market overview and competitor tracking pages (issue 4).

``python -m analytics report market-overview|competitor-tracking ...`` returns the keys the issue lists with
the numbers the pages show (pages and reports both go through analytics.report.compute_page); one month of
Online Retail equals an independent pandas computation to the cent and to the unit; ``--format html`` is
one self-contained file with the chart titles and the user's text escaped.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analytics import competitors as comp
from analytics import market, report

ROOT = Path(__file__).resolve().parents[2]
EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A temp store: demo orders (one campaign named with HTML), market and competitors (one competitor
    named with HTML), and Online Retail as a second orders dataset."""
    from data import db, demo, repository
    from tests import fixtures

    url = f"sqlite:///{tmp_path_factory.mktemp('report_market') / 'prism.db'}"
    engine = db.get_engine(url)
    repository.init_store(engine=engine)
    frames = demo.generate()  # seed 7: the demo workspace
    orders = frames["orders"].copy()
    camp = orders["campaign"].astype("str").eq("双11").to_numpy()
    orders.loc[camp, "campaign"] = f"双11 {EVIL}"
    rivals = frames["competitors"].copy()
    rivals.loc[rivals["competitor"].astype("str").str.startswith("Velvet").to_numpy(), "competitor"] = f"Velvet {EVIL}"
    ids = {}
    for kind, frame, name in (("orders", orders, f"Shop {EVIL}"), ("market", frames["market"], "Market"),
                              ("competitors", rivals, "Rivals")):
        info = repository.write_dataset(kind=kind, frame=frame, name=name, content_hash=f"rep4:{kind}", mapping={},
                                        uploaded_by="ana", engine=engine)
        ids[kind] = info["id"]
    retail = fixtures.online_retail_orders()
    ids["retail"] = repository.write_dataset(kind="orders", frame=retail, name="Online Retail", content_hash="rep4:or",
                                             mapping={}, uploaded_by="ana", engine=engine)["id"]
    return {"url": url, "engine": engine, "ids": ids, "retail": retail}


def _cli(store, page, datasets, *args):
    env = {**os.environ, "DATABASE_URL": store["url"], "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "analytics", "report", page]
    for d in datasets:
        cmd += ["--dataset", str(d)]
    return subprocess.run(cmd + list(args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def pandas_kpis(df: pd.DataFrame) -> dict:
    sale, ret = df[~df["is_return"]], df[df["is_return"]]
    gross, returns = float(sale["amount"].sum()), float(ret["amount"].abs().sum())
    orders = int(sale["order_id"].nunique())
    per_cust = sale[sale["customer_id"].notna()].groupby("customer_id")["order_id"].nunique()
    return {"gross_sales": gross, "returns": returns, "net_sales": gross - returns, "orders": orders,
            "buyers": int(per_cust.size), "aov": gross / orders, "repeat_rate": float((per_cust >= 2).mean())}


# ---------------------------------------------------------------- market overview


@pytest.fixture(scope="module")
def demo_market(store):
    ids = store["ids"]
    return report.run_page("market-overview", [ids["orders"], ids["market"]], {}, engine=store["engine"])


def test_market_report_keys_and_forecast_quality(demo_market):
    r = demo_market
    assert r["problems"] == []
    assert {"gross_sales", "returns", "net_sales", "orders", "buyers", "aov", "repeat_rate"} <= set(r["kpis"])
    assert {"period", "net_sales", "orders", "buyers", "aov"} <= set(r["by_period"][0])
    assert len(r["forecast"]) == 3 and {"period", "value", "lower", "upper"} <= set(r["forecast"][0])
    for f in r["forecast"]:
        assert f["lower"] < f["value"] < f["upper"]
    bt = r["backtest"]
    # the must: no worse than the seasonal-naive baseline, 80% intervals cover 65-95% of the points
    assert bt["baseline"] == "seasonal_naive" and bt["mape"] <= bt["baseline_mape"]
    assert 0.65 <= bt["coverage"] <= 0.95
    assert 0 < r["pareto"]["top_20pct_products_share"] < 1
    assert r["market_share"]["trend"] and r["findings"]
    assert sum(p["net_sales"] for p in r["by_period"]) == pytest.approx(r["kpis"]["net_sales"])
    json.dumps(r)


def test_one_month_of_online_retail_equals_pandas(store):
    r = report.run_page("market-overview", [store["ids"]["retail"]],
                        {"start": "2011-11-01", "end": "2011-11-30", "grain": "week"}, engine=store["engine"])
    o = store["retail"]
    nov = o[(o["order_date"] >= "2011-11-01") & (o["order_date"] < "2011-12-01")]
    want = pandas_kpis(nov)
    for k in ("gross_sales", "returns", "net_sales", "aov"):
        assert abs(r["kpis"][k] - want[k]) < 0.005, k  # to the cent
    for k in ("orders", "buyers"):
        assert r["kpis"][k] == want[k], k  # to the unit
    assert r["kpis"]["repeat_rate"] == pytest.approx(want["repeat_rate"], abs=1e-12)
    assert round(want["net_sales"], 2) == 1_461_756.25  # the month the findings talk about
    # the previous whole month is the comparison
    oct_ = pandas_kpis(o[(o["order_date"] >= "2011-10-01") & (o["order_date"] < "2011-11-01")])
    assert r["kpi_changes"]["net_sales"] == pytest.approx(want["net_sales"] / oct_["net_sales"] - 1, rel=1e-12)
    # week totals (weeks start on Monday; the first and last are cut by the month)
    week = nov["order_date"].dt.normalize() - pd.to_timedelta(nov["order_date"].dt.day_of_week, unit="D")
    nov = nov.assign(week=week.dt.strftime("%Y-%m-%d"))
    g = {w: pandas_kpis(x) for w, x in nov.groupby("week")}
    assert [p["period"] for p in r["by_period"]] == sorted(g)
    for p in r["by_period"]:
        w = g[p["period"]]
        assert abs(p["net_sales"] - w["net_sales"]) < 0.005 and abs(p["aov"] - w["aov"]) < 0.005
        assert (p["orders"], p["buyers"]) == (w["orders"], w["buyers"])


def test_market_cli_json_equals_run_page_and_html_is_escaped(store, demo_market, tmp_path):
    ids = store["ids"]
    p = _cli(store, "market-overview", [ids["orders"], ids["market"]], "--format", "json")
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    for key in ("kpis", "by_period", "forecast", "backtest", "pareto", "market_share", "findings"):
        assert r[key] == demo_market[key], key
    # the HTML report of the page (the CLI's --format html renders the same way)
    figs = market.figures(demo_market, "en")
    doc = report.to_html("market-overview", demo_market, figs, lang="en", user="t")
    assert doc.startswith("<!DOCTYPE html>") and "<script src=" not in doc
    for f in figs:
        assert html.escape(f["title"], quote=True) in doc
    assert any(w["label"] == f"双11 {EVIL}" for w in demo_market["promos"])  # the campaign is user text
    assert EVIL not in doc and html.escape(EVIL, quote=True) in doc


def test_market_report_params_and_bad_values(store):
    ids = store["ids"]
    r = report.run_page("market-overview", [ids["orders"]], {"grain": "year", "category": "护肤 Skincare"},
                        engine=store["engine"])
    assert r["params"]["grain"] == "month" and any(x.startswith("grain=") for x in r["problems"])
    assert r["filters"] == {"category": ["护肤 Skincare"]}
    assert r["mix"]["category"][0]["value"] == "护肤 Skincare" and r["mix"]["category"][0]["share"] == pytest.approx(1)
    r = report.run_page("market-overview", [ids["retail"]], {}, engine=store["engine"])
    assert r["forecast"] is None and "Not enough history to forecast honestly" in r["forecast_reason"]
    assert round(r["kpis"]["net_sales"], 2) == 9_747_747.93


# ---------------------------------------------------------------- competitor tracking


@pytest.fixture(scope="module")
def demo_comp(store):
    ids = store["ids"]
    return report.run_page("competitor-tracking", [ids["competitors"], ids["orders"]], {}, engine=store["engine"])


def test_competitor_report_keys(demo_comp):
    r = demo_comp
    assert r["problems"] == [] and r["threshold"] == 0.10
    assert {"period", "own_price", "competitor_price", "index"} <= set(r["price_index"][0])
    for x in r["price_index"][:50]:
        assert x["index"] == pytest.approx(x["own_price"] / x["competitor_price"] * 100)
    assert {"date", "competitor", "product", "price", "reference_price", "change_pct"} <= set(r["events"][0])
    for e in r["events"]:
        assert abs(e["change_pct"]) >= 0.10 - 1e-9
        assert e["change_pct"] == pytest.approx(e["price"] / e["reference_price"] - 1)
    assert {"competitor", "avg_price", "avg_discount", "promo_share"} <= set(r["competitors"][0])
    el = r["elasticity"]
    assert (el is None and r["elasticity_reason"]) or {"value", "ci_low", "ci_high", "n"} <= set(el)
    assert r["own_vs_competitors"]["weeks"]
    json.dumps(r)


def test_competitor_threshold_own_and_elasticity(store, demo_comp):
    ids = store["ids"]
    r = report.run_page("competitor-tracking", [ids["competitors"], ids["orders"]], {"threshold": "0.2"},
                        engine=store["engine"])
    assert r["threshold"] == 0.2 and 0 < len(r["events"]) < len(demo_comp["events"])
    assert all(abs(e["change_pct"]) >= 0.2 - 1e-9 for e in r["events"])
    # own brand sales volume in the competitor data (no orders): elasticity with its interval
    r = report.run_page("competitor-tracking", [ids["competitors"]], {}, engine=store["engine"])
    el = r["elasticity"]
    assert el is not None and el["ci_low"] < el["value"] < el["ci_high"] and el["n"] >= 12
    assert el["reading"] in r["findings"]
    r = report.run_page("competitor-tracking", [ids["competitors"]], {"own": "Glowa 珂颜"}, engine=store["engine"])
    assert r["own"]["name"] == "Glowa 珂颜"
    assert all(c["competitor"] != "Glowa 珂颜" for c in r["competitors"] if not c["is_own"])


def test_competitor_cli_html_is_self_contained_and_escaped(store, tmp_path):
    ids = store["ids"]
    out = tmp_path / "c.html"
    p = _cli(store, "competitor-tracking", [ids["competitors"], ids["orders"]], "--format", "html", "--lang", "zh",
             "--out", str(out))
    assert p.returncode == 0, p.stderr
    doc = out.read_text(encoding="utf-8")
    assert doc.startswith("<!DOCTYPE html>") and "<script src=" not in doc
    zh = report.run_page("competitor-tracking", [ids["competitors"], ids["orders"]], {}, lang="zh", engine=store["engine"])
    figs = comp.figures(zh, "zh")
    assert {"price_index", "price_timeline", "discount", "own_vs_competitors"} <= {f["key"] for f in figs}
    for f in figs:
        assert html.escape(f["title"], quote=True) in doc
    assert any(c["competitor"] == f"Velvet {EVIL}" for c in zh["competitors"])
    assert EVIL not in doc and html.escape(EVIL, quote=True) in doc
