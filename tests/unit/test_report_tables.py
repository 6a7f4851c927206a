"""Tables declared once (analytics/tables.py): the HTML report of every page shows its tables with headers
in the report's language and numbers and dates formatted for it; no raw keys, no "None"."""

from __future__ import annotations

import html as H
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import report, tables
from analytics.registry import PAGES
from analytics.tables import Col

ROOT = Path(__file__).resolve().parents[2]
RAW_KEY = re.compile(r"[a-z][a-z0-9_]*")
CJK = re.compile(r"[\u4e00-\u9fff]")
BIG_EN = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")  # 12,345 or more, English grouping


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from data import demo as demo_data, repository
    from data.db import make_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('tables') / 'r.db'}"
    eng = make_engine(url)
    repository.init_store(engine=eng)
    ids = {}
    for kind, frame in demo_data.generate(seed=7).items():
        ids[kind] = repository.write_dataset(kind=kind, frame=frame, name=kind, content_hash=f"demo:{kind}",
                                             mapping={}, engine=eng)["id"]
    return {"url": url, "engine": eng, "ids": ids}


def _tables(doc: str) -> list[tuple[list[str], list[list[str]]]]:
    """(headers, rows of cells) of every <table> in a report, unescaped."""
    out = []
    for tab in re.findall(r"<table>(.*?)</table>", doc, re.S):
        heads = [H.unescape(h) for h in re.findall(r"<th>(.*?)</th>", tab)]
        rows = [[H.unescape(c) for c in re.findall(r"<td>(.*?)</td>", tr)] for tr in re.findall(r"<tbody>.*", tab, re.S)[0].split("</tr>")]
        out.append((heads, [r for r in rows if r]))
    return out


def _report(demo, url_path: str, lang: str) -> str:
    mod = report.module(url_path)
    ids = [demo["ids"][k] for k in getattr(mod, "KINDS", {}) if k in demo["ids"]]
    res = report.run_page(url_path, ids, {}, lang=lang, engine=demo["engine"])
    return report.to_html(url_path, res, report.figures_for(url_path, res, lang), lang=lang)


@pytest.mark.parametrize("url_path", [p.url_path for p in PAGES])
def test_every_page_report_in_chinese_has_chinese_headers_and_chinese_numbers(demo, url_path):
    zh, en = _report(demo, url_path, "zh"), _report(demo, url_path, "en")
    zt, et = _tables(zh), _tables(en)
    assert zt, f"{url_path}: the report shows no table"
    assert len(zt) == len(et)
    for heads, rows in zt:
        raw = [h for h in heads if RAW_KEY.fullmatch(h)]
        assert not raw, f"{url_path}: raw column keys in the Chinese report: {raw}"
        assert any(CJK.search(h) for h in heads), f"{url_path}: no Chinese header in {heads}"
        cells = [c for r in rows for c in r]
        assert not {"None", "nan", "NaN", "True", "False"} & set(cells), f"{url_path}: raw values in {heads}"
    zh_cells = [c for _, rows in zt for r in rows for c in r]
    en_cells = [c for _, rows in et for r in rows for c in r]
    assert not [c for c in zh_cells if BIG_EN.fullmatch(c) and float(c.replace(",", "")) >= 1e4], \
        f"{url_path}: numbers of 10,000 and more are written 1.2万 / 3.4亿 in Chinese"
    if any(BIG_EN.fullmatch(c) and float(c.replace(",", "")) >= 1e4 for c in en_cells):
        assert any(c.endswith(("万", "亿")) for c in zh_cells), url_path
    if any(re.fullmatch(r"\d{1,2} \w{3} \d{4}", c) for c in en_cells):  # a date: 18 Jun 2025 / 2025年6月18日
        assert any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", c) for c in zh_cells), url_path
    assert "<pre>" not in zh, f"{url_path}: the filters are a JSON block, not words"


def test_cli_html_report_in_chinese(demo, tmp_path):
    out = tmp_path / "r.html"
    env = {**os.environ, "DATABASE_URL": demo["url"]}
    r = subprocess.run([sys.executable, "-m", "analytics", "report", "live-commerce", "--lang", "zh", "--format", "html",
                        *[a for k in ("live_sessions", "creators", "content", "orders")
                          for a in ("--dataset", str(demo["ids"][k]))], "--out", str(out)],
                       cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    heads = [h for heads, _ in _tables(out.read_text(encoding="utf-8")) for h in heads]
    assert "成交金额" in heads or "GMV" in heads
    assert not [h for h in heads if RAW_KEY.fullmatch(h)]


def test_cells_by_kind_and_language():
    assert tables.cell(Col("gmv", "money"), 1234567.5, "en") == "1,234,567.50"
    assert tables.cell(Col("gmv", "money"), 1234567.5, "zh") == "123.5万"
    assert tables.cell(Col("orders", "count"), 12345, "en") == "12,345"
    assert tables.cell(Col("rate", "percent"), 0.125, "zh") == "12.5%"
    assert tables.cell(Col("d", "date"), "2025-06-18", "zh") == "2025年6月18日"
    assert tables.cell(Col("d", "date"), "2025-06-18T00:00:00", "en") == "18 Jun 2025"
    assert tables.cell(Col("p", "number"), 0.012345, "en") == "0.0123"
    assert tables.cell(Col("x", "number"), None, "en") == "—"
    assert tables.cell(Col("x", "bool"), True, "zh") == "是"
    assert tables.cell(Col("kind", "text", values="ui.kind"), "orders", "zh") != "orders"


def test_labels_and_which_columns_are_shown():
    assert tables.label("channels", "roas_ci_low", "en") == "ROAS low (95%)"
    assert tables.label("channels", "roas_ci_high", "zh") == "ROAS 上限（95%）"
    assert tables.label("channels", Col("b", label="channels.col.elasticity"), "en") == "Elasticity b"
    assert tables.label("channels", "Already a label", "en") == "Already a label"


def test_a_page_label_of_an_interval_bound_comes_before_the_generic_rule():
    """An interval bound the page labels itself (live.col.incremental_ci_low: "增量下限（95%）") is not
    rebuilt from its raw stem by the generic "<metric> low (95%)" rule ("incremental 下限（95%）")."""
    assert tables.label("live", "incremental_ci_low", "zh") == "增量下限（95%）"
    assert tables.label("live", "halo_ci_high", "zh") == "长尾上限（95%）"
    assert tables.label("live", "incremental_ci_low", "en") == "Incremental low (95%)"
    assert tables.label("live", "conversion_ci_low", "en") == "Conversion low (95%)"
    assert tables.label("channels", "roas_ci_low", "zh") == "ROAS 下限（95%）"  # the generic rule still applies
    rows = [{"channel": "A", "spend": 1.0, "few_points": True, "empty": None}]
    # undeclared: an unlabelled column (an internal field) is left out, an empty one too
    assert [c.key for c in tables.resolve("channels", None, rows, "en")] == ["channel", "spend"]
    declared = (Col("spend", "money"), Col("empty", "count"), Col("channel", "text"))
    assert [c.key for c in tables.resolve("channels", declared, rows, "en")] == ["spend", "channel"]
    assert tables.infer_kind("customer_id", [12345]) == "id"
    assert tables.infer_kind("repeat_rate", [0.2, 0.3]) == "percent"
    assert tables.infer_kind("net_sales", [12.5]) == "money"
    assert tables.infer_kind("orders", [3, 4]) == "count"


def test_jsonable_gives_plain_json_values_for_plain_and_numpy_leaves():
    """The plain types take a fast path (by type identity); the result is the same as through the general
    one: NaN / inf / NaT / NA as None, numpy scalars as Python numbers, keys as strings, tuples as lists."""
    import json
    import math

    import numpy as np
    import pandas as pd

    from analytics.common import jsonable

    obj = {1: (1, 2.5, "x", True, None), "f": [math.nan, math.inf, -math.inf, 0.0],
           "np": [np.float64(1.5), np.int64(3), np.bool_(True), np.float32(math.nan)],
           "pd": [pd.NaT, pd.NA, pd.Timestamp("2024-06-18"), pd.Timestamp("2024-06-18 10:30")],
           "frame": pd.DataFrame({"a": [1, 2], "b": [0.5, math.nan]})}
    out = jsonable(obj)
    assert out == {"1": [1, 2.5, "x", True, None], "f": [None, None, None, 0.0], "np": [1.5, 3, True, None],
                   "pd": [None, None, "2024-06-18", "2024-06-18T10:30:00"],
                   "frame": [{"a": 1, "b": 0.5}, {"a": 2, "b": None}]}
    assert type(out["np"][1]) is int and type(out["np"][2]) is bool and type(out["1"][3]) is bool
    json.dumps(out, allow_nan=False)  # strict JSON
