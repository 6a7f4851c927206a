"""Headless report of the Recommendations page (issue 8): `python -m analytics report recommendations`
gives the keys the issue lists with the numbers the page shows (the page and the report both run
analytics.recommend.compute on the stored frames), and the HTML report is self-contained with the chart
titles and user text escaped. Also the page helpers of analytics/recommend.py: the exclude-list upload
reader, RFM target lists and the likely buyers of a product."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import recommend as R

ROOT = Path(__file__).resolve().parents[2]
EVIL = '<script>alert("x")</script> Serum & <b>Co</b>'
PARAMS = {"holdout_from": "2026-07-01", "k": "8", "seed": "3"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A temp store with a slice of the demo workspace (orders of 4,000 customers + the customers), one
    product renamed to hostile HTML."""
    tmp = tmp_path_factory.mktemp("reco_store")
    url = f"sqlite:///{tmp / 'prism.db'}"
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    from data import demo, repository

    repository.init_store()
    frames = demo.generate(seed=7)
    keep = set(sorted(frames["orders"]["customer_id"].dropna().unique())[:4000])
    orders = frames["orders"][frames["orders"]["customer_id"].isin(keep)].copy()
    top = orders["product_id"].value_counts().index[0]
    orders.loc[orders["product_id"] == top, "product_name"] = EVIL
    customers = frames["customers"][frames["customers"]["customer_id"].isin(keep)].copy()
    o = repository.write_dataset(kind="orders", frame=orders, name="Demo <orders>", content_hash="o", mapping={})
    c = repository.write_dataset(kind="customers", frame=customers, name="Demo customers", content_hash="c", mapping={})
    yield {"url": url, "ids": [o["id"], c["id"]], "evil_id": top}
    if old is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = old


@pytest.fixture(scope="module")
def report(store):
    from analytics.report import run_page

    return run_page("recommendations", store["ids"], PARAMS)


@pytest.fixture(scope="module")
def frames(store):
    from data import repository

    o, c = store["ids"]
    return {"orders": repository.load_frame(dataset_id=o), "customers": repository.load_frame(dataset_id=c)}


def test_report_has_the_issue_keys(report):
    for key in ("holdout_from", "k", "models", "chosen_model", "sample", "findings", "warnings"):
        assert key in report
    assert report["holdout_from"] == "2026-07-01" and report["k"] == 8
    assert report["problems"] == []
    assert [m["name"] for m in report["models"]] == ["item", "user", "als", "popular"]
    for m in report["models"]:
        for f in ("precision_at_k", "recall_at_k", "hit_rate", "coverage", "novelty"):
            assert isinstance(m[f], float) and m[f] >= 0
    assert report["chosen_model"] in R.MODELS
    assert len(report["sample"]) == R.SAMPLE_SIZE
    for s in report["sample"]:
        assert set(s) >= {"customer_id", "products", "reasons"}
        assert 0 < len(s["products"]) <= 8 and len(s["reasons"]) == len(s["products"]) and all(s["reasons"])
    json.dumps(report)


def test_report_numbers_equal_what_the_page_computes(report, frames):
    """The page shows cached.page_result = report.compute_page on the stored frames with the URL's
    parsed parameters: the same function, so the same numbers."""
    from analytics.params import parse_params
    from analytics.report import compute_page, page_params

    params = parse_params(page_params("recommendations"), PARAMS).values
    page = compute_page("recommendations", frames, params, "en")
    assert page["models"] == report["models"]
    assert page["chosen_model"] == report["chosen_model"]
    assert page["sample"] == report["sample"]
    assert page["findings"] == report["findings"]


def test_cli_json_equals_run_page(store, report):
    env = {**os.environ, "DATABASE_URL": store["url"]}
    cmd = [sys.executable, "-m", "analytics", "report", "recommendations"]
    for i in store["ids"]:
        cmd += ["--dataset", str(i)]
    for k, v in PARAMS.items():
        cmd += ["--param", f"{k}={v}"]
    out = subprocess.run(cmd + ["--format", "json"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    for a, b in zip(res["models"], report["models"]):
        assert a["name"] == b["name"]
        for f in ("precision_at_k", "recall_at_k", "hit_rate", "coverage", "novelty"):
            assert a[f] == pytest.approx(b[f], rel=1e-12)
    assert res["chosen_model"] == report["chosen_model"]
    assert [s["products"] for s in res["sample"]] == [s["products"] for s in report["sample"]]  # seeded


def test_html_report_is_self_contained_with_titles_and_escaped_user_text(store, report):
    from analytics.report import figures_for, to_html

    figs = figures_for("recommendations", report, "en")
    assert [f["key"] for f in figs][:2] == ["models", "top_products"]
    html = to_html("recommendations", report, figs, lang="en", user="cli")
    assert html.startswith("<!DOCTYPE html>") and "<link " not in html and "src=\"http" not in html
    import html as h

    for f in figs:
        assert h.escape(f["title"], quote=True) in html
    # the hostile product name (sample lists, top products) is escaped everywhere
    assert '<script>alert("x")' not in html and "<b>Co</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Serum &amp; &lt;b&gt;Co&lt;/b&gt;" in html
    zh = to_html("recommendations", report, figures_for("recommendations", report, "zh"), lang="zh", user="cli")
    assert "<html lang='zh-CN'>" in zh


# ------------------------------------------------------------------ page helpers


def test_ids_from_csv_reads_the_usual_shapes():
    assert R.ids_from_csv(b"product_id,qty\n85123A,1\n22423,2\n85123A,3\n") == ["85123A", "22423"]
    assert R.ids_from_csv(b"85123A\n22423\n\n") == ["85123A", "22423"]  # no header, one id per line
    assert R.ids_from_csv("名称,商品ID\n杯子,A1\n碗,B2\n".encode("gbk")) == ["A1", "B2"]  # GBK, named column
    assert R.ids_from_csv(b"SKU;name\n A1 ;x\nB2;y\n") == ["A1", "B2"]
    assert R.ids_from_csv(b"") == [] and R.ids_from_csv(b"\n\n") == []


def test_segment_ids_come_from_segmentation_rfm(frames):
    from analytics import segmentation as seg

    tab = seg.rfm_table(frames["orders"])
    groups = R.segment_groups(frames, {}, "en")
    assert sum(g["n"] for g in groups["rfm"]) == len(tab) == sum(g["n"] for g in groups["cn8"])
    champions = R.segment_customer_ids(frames, {"tsrc": "rfm", "tseg": "Champions"})
    assert set(champions) == set(tab.loc[tab["group"] == "Champions", "customer_id"])
    cn = R.segment_customer_ids(frames, {"tsrc": "cn8", "tseg": "重要价值"})
    assert set(cn) == set(tab.loc[tab["group_cn"] == "重要价值", "customer_id"])
    # a saved persona: explicit ids, or its segment spec rebuilt through analytics.segmentation
    persona = json.dumps({"segment": {"source": "rfm", "value": "Champions", "label": "Champions"}})
    assert set(R.segment_customer_ids(frames, {"tsrc": "persona", "persona": persona})) == set(champions)
    # as pages/persona_builder.py saves it (source + segment value + the segmentation params)
    saved = json.dumps({"version": 1, "source": "cn8", "segment": "重要价值",
                        "params": {"start": None, "end": None, "analysis_date": None, "features": None, "seed": 42}})
    assert set(R.segment_customer_ids(frames, {"tsrc": "persona", "persona": saved})) == set(cn)
    ids = json.dumps({"customer_ids": champions[:3]})
    assert R.segment_customer_ids(frames, {"tsrc": "persona", "persona": ids}) == champions[:3]
    from analytics.common import NotEnoughData

    with pytest.raises(NotEnoughData):
        R.segment_customer_ids(frames, {"tsrc": "persona", "persona": json.dumps({"name": "no segment"})})


def test_segment_targets_and_product_buyers_follow_the_rules(frames, report, store):
    p = {**PARAMS, "k": 8, "holdout_from": pd.Timestamp(PARAMS["holdout_from"]).date(), "seed": 3,
         "model": report["chosen_model"], "exclude": [store["evil_id"]]}
    res = R.segment_targets(frames, {**p, "tsrc": "rfm", "tseg": "Champions"}, "en")
    rows = pd.DataFrame(res["rows"])
    assert res["n_customers"] == rows["customer_id"].nunique() == res["n_known"] + res["n_new"]
    assert rows.groupby("customer_id").size().max() == 8
    assert store["evil_id"] not in set(rows["product_id"])  # the exclude list holds
    assert rows["reason"].str.len().min() > 0
    # nobody is offered a product they already bought (repeat purchases off)
    o = frames["orders"]
    sold = o[~o["is_return"].fillna(False).astype(bool)]
    bought = set(zip(sold["customer_id"], sold["product_id"]))
    assert not any((c, q) in bought for c, q in zip(rows["customer_id"], rows["product_id"]))
    assert res["top_products"][0]["n_customers"] == rows["product_id"].value_counts().iloc[0]
    # same settings in compute(): the lists equal compute's segment_targets
    full = R.compute(frames, {**p, "segment": sorted(rows["customer_id"].unique())[:5]}, "en")
    mine = rows[rows["customer_id"].isin(sorted(rows["customer_id"].unique())[:5])]
    theirs = pd.DataFrame(full["segment_targets"])
    assert sorted(zip(mine["customer_id"], mine["product_id"])) == sorted(zip(theirs["customer_id"], theirs["product_id"]))
    # likely buyers of a product: best first, none who already bought it
    target = report["sample"][0]["products"][0]
    pb = R.product_buyers(frames, {**p, "exclude": [], "product": target, "top_customers": 30}, "en")
    df = pd.DataFrame(pb["rows"])
    assert 0 < len(df) <= 30 and df["score"].is_monotonic_decreasing
    assert df["relative_score"].iloc[0] == pytest.approx(1.0)
    owners = set(sold.loc[sold["product_id"] == target, "customer_id"].dropna())
    assert not set(df["customer_id"]) & owners
    assert 0 < pb["buyers"] <= len(owners)


def test_memo_shares_training_across_languages_but_never_across_frames(frames):
    p = {**PARAMS, "holdout_from": pd.Timestamp(PARAMS["holdout_from"]).date(), "k": 8, "seed": 3}
    en = R.compute(frames, p, "en")
    zh = R.compute(frames, p, "zh")
    assert [m["precision_at_k"] for m in en["models"]] == [m["precision_at_k"] for m in zh["models"]]
    assert en["warnings"] and len(en["warnings"]) == len(zh["warnings"])  # warnings replayed on a memo hit
    # a different frame object (another upload) with other content never gets the memoised result
    other = {"orders": frames["orders"][frames["orders"]["order_date"] >= pd.Timestamp("2025-06-01")].copy(),
             "customers": frames["customers"]}
    res = R.compute(other, p, "en")
    assert res["counts"]["train_lines"] < en["counts"]["train_lines"]
    assert np.isfinite(res["models"][0]["precision_at_k"])


@pytest.mark.parametrize("model", ["item", "user", "als", "popular"])
def test_target_rows_equal_the_per_customer_lists(frames, model):
    """The segment list built from arrays (target_rows) equals the per-customer lists written one by one
    (_long of recommend_for): known and unknown customers interleaved, a boosted and an excluded product,
    in both languages; and the language-free part is computed once per model and customer list."""
    from analytics.recommend import targets as T

    p = {**PARAMS, "k": 6, "seed": 3}
    warnings: list[dict] = []
    base = R.build_final(frames, p, model)
    ids = list(base.M.users[:40])
    ids = ids[:10] + ["nobody-1"] + ids[10:30] + ["nobody-2"] + ids[30:]
    boost = [str(base.M.items[int(np.argmax(base.M.buyers))])]
    F = T.with_rules(base, {**p, "boost": boost, "exclude": [str(base.M.items[0])], "boost_factor": 1.5}, warnings)
    calls = []
    real = T._topk
    for lang in ("en", "zh"):
        want = T._long(T.recommend_for(F, ids, 6, lang))
        T._topk = lambda *a, **kw: calls.append(1) or real(*a, **kw)
        try:
            got, n_new = T.target_rows(F, ids, 6, lang)
        finally:
            T._topk = real
        assert n_new == 2
        pd.testing.assert_frame_equal(got, want[T.LONG_COLUMNS].reset_index(drop=True), check_dtype=False)
        assert T.records(got) == want.to_dict(orient="records")
    assert len(calls) == 0  # recommend_for had already filled the memo with the same customers


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_tables_have_titles_and_headers_in_the_language(store, report, lang):
    """Every table of the result is titled from the catalogue (the holdout table and the new customers' one,
    both "models", each by its own key), and the undeclared ones have a header for every column."""
    from analytics import report as rep
    from analytics import tables as T
    from analytics.i18n import t

    res = report if lang == "en" else rep.run_page("recommendations", store["ids"], PARAMS, lang="zh")
    for name, rows in rep.tables_of(res).items():
        if name == "datasets":
            continue
        assert T.title("recommend", name, lang) != name.replace("_", " ").replace(".", " · ").capitalize(), name
        if T.spec(R, name) is None:
            keys = {k for r in rows for k in r}
            assert all(T.has_label("recommend", k, lang) for k in keys), (name, keys)
    assert T.title("recommend", "cold_start.models", lang) == t("recommend.table.cold_start.models", lang)
    assert T.title("recommend", "models", lang) == t("recommend.table.models", lang)
