"""Headless reports of the segmentation explorer and the persona builder (issue 5).

``python -m analytics report segmentation-explorer|persona-builder ...`` returns the keys the issue
lists with the numbers the pages show (the pages and the report both go through
analytics.report.compute_page), and ``--format html`` is one self-contained file with the chart titles
and escaped user text. Also the persona card PNG and HTML helpers used by the persona page.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import personas as per
from analytics import report
from analytics import segmentation as seg

ROOT = Path(__file__).resolve().parents[2]
EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A temp store with the demo orders + customers, a category and a dataset name that are HTML."""
    from data import db, demo, repository

    url = f"sqlite:///{tmp_path_factory.mktemp('report_seg') / 'prism.db'}"
    engine = db.get_engine(url)
    repository.init_store(engine=engine)
    frames = demo.generate(seed=11)
    orders = frames["orders"].copy()
    top = orders["customer_id"].value_counts().index[:400]
    sel = orders["customer_id"].isin(top).to_numpy() & (orders.index.to_numpy() % 3 == 0)
    orders.loc[sel, "category"] = EVIL  # user text that must stay text
    ids = {}
    for kind, frame, name in (("orders", orders, f"Shop {EVIL} & Co"), ("customers", frames["customers"], "Members")):
        info = repository.write_dataset(kind=kind, frame=frame, name=name, content_hash=f"rep:{kind}", mapping={},
                                        uploaded_by="ana", engine=engine)
        ids[kind] = info["id"]
    return {"url": url, "engine": engine, "ids": ids, "orders": orders, "customers": frames["customers"]}


def _cli(store, page, *args):
    env = {**os.environ, "DATABASE_URL": store["url"], "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "analytics", "report", page, "--dataset", str(store["ids"]["orders"]),
           "--dataset", str(store["ids"]["customers"]), *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


# ---------------------------------------------------------------- segmentation explorer


@pytest.fixture(scope="module")
def seg_report(store):
    return report.run_page("segmentation-explorer", [store["ids"]["orders"], store["ids"]["customers"]],
                           {"detail": "customers", "k": "3", "tier_whatif": "500,2000,6000"}, engine=store["engine"])


def test_segmentation_report_keys_and_numbers(store, seg_report):
    r = seg_report
    assert r["problems"] == []
    assert r["customers"] == len(r["rows"]) > 1000
    assert r["analysis_date"] == str((store["orders"]["order_date"].max().normalize()
                                      + __import__("pandas").Timedelta(days=1)).date())
    g = r["rfm_groups"]
    assert {"group", "customers", "share", "net_sales_share", "avg_recency", "avg_frequency", "avg_monetary"} <= set(g[0])
    assert sum(x["customers"] for x in g) == r["customers"]
    assert sum(x["net_sales_share"] for x in g) == pytest.approx(1)
    cl = r["clusters"]
    assert cl["k"] == 3 and {"silhouette", "stability", "profiles"} <= set(cl) and len(cl["profiles"]) == 3
    cv = r["clv"]
    assert set(cv["params"]) == {"r", "alpha", "a", "b", "p", "q", "gamma"} and cv["horizon"] == 12
    rows = r["rows"]
    assert {"customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "group", "p_alive", "clv"} <= set(rows[0])
    assert cv["total"] == pytest.approx(sum(x["clv"] or 0 for x in rows))
    # the KPI cards of the page
    k = r["kpis"]
    assert k["customers"] == r["customers"] and k["clv_total"] == pytest.approx(cv["total"])
    assert k["net_sales"] == pytest.approx(sum(x["monetary"] for x in rows))
    assert k["high_churn_share"] == pytest.approx(sum(1 for x in rows if x["churn_risk"] == "high") / len(rows))
    assert r["tiers"]["moved_up"] + r["tiers"]["moved_down"] > 0
    json.dumps(r)


def test_drill_down_table_matches_the_report(store, seg_report):
    """The page's drill-down (customer_table + customers_in) lists exactly the report's customers."""
    frames = {"orders": store["orders"], "customers": store["customers"]}
    params = {"k": 3, "tier_whatif": [500.0, 2000.0, 6000.0]}
    tab = seg.customer_table(frames, params)
    rows = {x["customer_id"]: x for x in seg_report["rows"]}
    for spec, col, val in (("rfm:At risk", "group", "At risk"), ("churn:high", "churn_risk", "high"),
                           ("cluster:2", "cluster", 2), ("tier:3", "tier", 3)):
        aud = seg.customers_in(tab, spec)
        expected = {c for c, x in rows.items() if x[col] == val}
        assert set(aud["customer_id"]) == expected, spec
        assert list(aud.columns)[0] == "customer_id" and len(aud.columns) > 1
    opts = seg.audience_options(seg_report)
    by = {o["spec"]: o["customers"] for o in opts}
    assert by["churn:high"] == sum(1 for x in rows.values() if x["churn_risk"] == "high")
    assert {"rfm", "cn8", "cluster", "tier", "churn"} == {o["source"] for o in opts}


def test_segmentation_cli_json_and_html(store, seg_report, tmp_path):
    p = _cli(store, "segmentation-explorer", "--format", "json", "--param", "detail=customers", "--param", "k=3",
             "--param", "tier_whatif=500,2000,6000")
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    for key in ("customers", "analysis_date", "rfm_groups", "clusters", "clv", "rows"):
        assert r[key] == seg_report[key], key
    out = tmp_path / "seg.html"
    p = _cli(store, "segmentation-explorer", "--format", "html", "--lang", "zh", "--out", str(out))
    assert p.returncode == 0, p.stderr
    doc = out.read_text(encoding="utf-8")
    assert doc.startswith("<!DOCTYPE html>") and "<script src=" not in doc  # plotly inlined: self-contained
    zh = report.run_page("segmentation-explorer", [store["ids"]["orders"], store["ids"]["customers"]], {},
                         lang="zh", engine=store["engine"])
    import html as _h

    for f in seg.figures(zh, "zh"):
        assert _h.escape(f["title"], quote=True) in doc
    assert EVIL not in doc and _h.escape(EVIL, quote=True) in doc  # the dataset name, escaped


# ---------------------------------------------------------------- persona builder


@pytest.fixture(scope="module")
def persona_report(store):
    return report.run_page("persona-builder", [store["ids"]["orders"], store["ids"]["customers"]],
                           {"source": "rfm", "segment": "Champions"}, engine=store["engine"])


def test_persona_report_keys(persona_report):
    r = persona_report
    assert r["size"] == r["kpis"]["size"] and r["size"] >= per.MIN_SIZE
    a = r["attributes"]
    assert {"attribute", "value", "segment_share", "base_share", "tgi", "tgi_low", "tgi_high"} <= set(a[0])
    for x in a[:50]:
        if x["base_share"]:
            assert x["tgi"] == pytest.approx(x["segment_share"] / x["base_share"] * 100)
    card = r["card"]
    assert {"name", "portrait", "needs", "channels", "offers"} <= set(card)
    for item in card["needs"] + card["channels"] + card["offers"]:
        assert item["evidence"] and item["tgi"] is not None  # traceable to a number


def test_persona_cli_json_html_and_min_size(store, persona_report, tmp_path):
    p = _cli(store, "persona-builder", "--format", "json", "--param", "source=rfm", "--param", "segment=Champions")
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert r["size"] == persona_report["size"] and r["card"] == persona_report["card"]
    out = tmp_path / "p.html"
    p = _cli(store, "persona-builder", "--format", "html", "--out", str(out))
    assert p.returncode == 0, p.stderr
    doc = out.read_text(encoding="utf-8")
    import html as _h

    for f in per.figures(persona_report, "en"):
        assert _h.escape(f["title"], quote=True) in doc
    assert EVIL not in doc
    p = _cli(store, "persona-builder", "--format", "json", "--param", "min_size=100000")
    assert p.returncode == 3 and "needs at least 100000" in p.stderr


def test_persona_page_html_has_the_card_escaped(persona_report):
    doc = per.report_html(persona_report, "en", user="ana", title=f"My {EVIL} persona")
    assert "<section class='persona'>" in doc and EVIL not in doc
    assert "&lt;img src=x onerror=alert(1)&gt;" in doc
    import html as _h

    assert _h.escape(persona_report["card"]["portrait"], quote=True) in doc
    for item in persona_report["card"]["offers"]:
        assert _h.escape(item["evidence"], quote=True) in doc


def test_persona_card_png(persona_report):
    from PIL import Image

    png = per.card_png(persona_report, "en", title="Champions persona", footer="test")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(png))
    assert img.size[0] == 1000 and img.size[1] > 400
    # Chinese needs a CJK font; without one the page draws the English card (and says so)
    assert per.png_can_draw("zh") == (per.cjk_font_path() is not None)
    assert per.png_can_draw("en")
    zh = dict(persona_report, card={**persona_report["card"], "name": "重要价值 忠实客户"})
    assert Image.open(io.BytesIO(per.card_png(zh, "zh"))).size[0] == 1000  # never fails, with or without the font


# ---------------------------------------------------------------- table titles and headers in both languages

SHOWN_APART = ("rfm_groups", "clusters", "tiers", "cohorts", "clv", "datasets")  # the page draws these itself


def _titled(ns: str, res: dict, lang: str, apart: tuple = ()) -> None:
    """Every table of ``res`` has a catalogue title (never its raw key) and, when the "Data behind this page"
    expander shows it, a header in the language for every column."""
    from analytics import tables as T

    for name, rows in report.tables_of(res).items():
        if name.split(".")[0] in ("datasets", "params", "problems"):
            continue
        fallback = name.replace("_", " ").replace(".", " · ").capitalize()
        assert T.title(ns, name, lang) != fallback, (name, lang)
        if name.split(".")[0] in apart:
            continue
        keys = {k for r in rows for k in r}
        assert all(T.has_label(ns, k, lang) for k in keys), (name, sorted(k for k in keys if not T.has_label(ns, k, lang)))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_segmentation_tables_have_titles_headers_and_group_names_in_the_language(store, seg_report, lang):
    from analytics import tables as T
    from analytics.i18n import t

    res = seg_report if lang == "en" else report.run_page(
        "segmentation-explorer", [store["ids"]["orders"], store["ids"]["customers"]],
        {"detail": "customers", "k": "3", "tier_whatif": "500,2000,6000"}, lang="zh", engine=store["engine"])
    _titled("segmentation", res, lang, SHOWN_APART)
    # two tables end in "rows": each has its own title
    assert T.title("segmentation", "tiers.rows", lang) == t("segmentation.table.tiers.rows", lang)
    assert T.title("segmentation", "cohorts.rows", lang) == t("segmentation.table.cohorts.rows", lang)
    # the movement between groups names the groups as the heatmap does (有流失风险, not "At risk", in Chinese)
    names = {seg.group_label(g, lang) for g in seg.NAMED_GROUPS} | {t("segmentation.label.new_since", lang)}
    cells = res["transitions"]["cells"]
    assert cells and all(c["from"] in names and c["to"] in names for c in cells)
    assert sum(c["customers"] for c in cells) == sum(map(sum, res["transitions"]["matrix"]))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_persona_tables_have_titles_in_the_language(store, persona_report, lang):
    res = persona_report if lang == "en" else report.run_page(
        "persona-builder", [store["ids"]["orders"], store["ids"]["customers"]],
        {"source": "rfm", "segment": "Champions"}, lang="zh", engine=store["engine"])
    _titled("personas", res, lang, ("attributes",))
