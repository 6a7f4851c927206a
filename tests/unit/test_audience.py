"""Audience assets (kind ``audience``, issue 17 item 5): stage vocabulary and model inference, kind detection on
Chinese and English headers, bad files refused row by row, and the Segmentation page's ``audience`` block on a
hand-built case whose every number is worked out here (snapshots, flows, Wilson intervals, spend and GMV of
the same weeks), through ingest and the report as the page runs it."""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
import pytest

from analytics import report
from analytics.segmentation.stages import fit_audience, present_audience
from data import engine as eng_mod
from data import ingest, repository
from data.db import make_engine
from data.errors import IngestError
from data.mapping import guess_kind
from data.schema import infer_audience_model, stage_code

Z = 1.959963984540054  # two-sided 95%


def wilson(x: float, n: float) -> tuple[float, float]:
    """Wilson score interval written out (Wilson 1927), not through the library the code uses."""
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return centre - half, centre + half


# ---------------------------------------------------------------- the hand-built case
# Week 1 (Mon 2 Jun 2025): 认知 1,000 on the 2nd and 1,200 on the 5th (the week's snapshot: 1,200); 兴趣 given as
# two rows of one date (120 + 80 = 200); 购买 50; 忠诚 10.
# Week 2: A 1,500, I 260, P 60, L 12; flows A->I 50 + 40 (two dates), I->P 20, P->L 5.
# Week 3: A 1,400, I 300, P 66, L 15; flows A->I 150, I->P 13, P->L 6.
STAGE_ROWS = [
    ("2025-06-02", "认知", 1000), ("2025-06-05", "认知", 1200), ("2025-06-05", "兴趣", 120), ("2025-06-05", "兴趣", 80),
    ("2025-06-05", "购买", 50), ("2025-06-05", "忠诚", 10),
    ("2025-06-09", "认知", 1500), ("2025-06-09", "兴趣", 260), ("2025-06-09", "购买", 60), ("2025-06-09", "忠诚", 12),
    ("2025-06-16", "认知", 1400), ("2025-06-16", "兴趣", 300), ("2025-06-16", "购买", 66), ("2025-06-16", "忠诚", 15),
]
FLOW_ROWS = [
    ("2025-06-10", "认知", "兴趣", 50), ("2025-06-12", "认知", "兴趣", 40), ("2025-06-10", "兴趣", "购买", 20),
    ("2025-06-10", "购买", "忠诚", 5),
    ("2025-06-17", "认知", "兴趣", 150), ("2025-06-17", "兴趣", "购买", 13), ("2025-06-17", "购买", "忠诚", 6),
]
SPEND = [("2025-06-03", 100.0), ("2025-06-10", 120.0), ("2025-06-13", 180.0), ("2025-06-18", 200.0)]  # 100, 300, 200
ORDERS = [  # (date, amount, customer); the -30 line is a return: GMV 80, 150, 60
    ("2025-06-03 10:00", 80.0, "c1"), ("2025-06-10 11:00", 100.0, "c2"), ("2025-06-11 12:00", 50.0, "c1"),
    ("2025-06-12 12:00", -30.0, "c2"), ("2025-06-17 09:00", 60.0, "c3"),
]


def audience_csv() -> bytes:
    rows = [f"{d},数据银行,{s},{n},,," for d, s, n in STAGE_ROWS] + [f"{d},数据银行,,,{a},{b},{f}" for d, a, b, f in FLOW_ROWS]
    return ("统计日期,人群模型,人群阶段,人数,流出阶段,流入阶段,流转人数\n" + "\n".join(rows) + "\n").encode("gb18030")


def frames() -> dict[str, pd.DataFrame]:
    st = pd.DataFrame(STAGE_ROWS, columns=["date", "stage", "people"])
    fl = pd.DataFrame(FLOW_ROWS, columns=["date", "from_stage", "to_stage", "flow"])
    aud = pd.concat([st, fl], ignore_index=True).assign(model=None)
    aud["date"] = pd.to_datetime(aud["date"])
    for c in ("stage", "from_stage", "to_stage", "model"):
        aud[c] = aud[c].astype(object)
    ch = pd.DataFrame(SPEND, columns=["date", "spend"]).assign(channel="Douyin")
    ch["date"] = pd.to_datetime(ch["date"])
    od = pd.DataFrame(ORDERS, columns=["order_date", "amount", "customer_id"])
    od["order_date"] = pd.to_datetime(od["order_date"])
    od["is_return"] = od["amount"] < 0
    return {"audience": aud, "channels": ch, "orders": od}


def test_stage_names_of_both_models_and_the_model_inferred():
    assert stage_code("认知") == ("AIPL", "A") and stage_code("忠诚人群") == ("AIPL", "L")
    assert stage_code("Interest") == ("AIPL", "I") and stage_code("问询") == ("O-5A", "A3")
    assert stage_code("A3种草人群") == ("O-5A", "A3") and stage_code("拥护") == ("O-5A", "A5")
    assert stage_code("Aware") == ("AIPL", "A") and stage_code("Aware", "O-5A") == ("O-5A", "A1")
    assert stage_code("潜水") is None and stage_code("") is None
    assert infer_audience_model(["机会人群", "了解人群", "购买"]) == "O-5A"
    assert infer_audience_model(["A", "I", "P", "L"]) == "AIPL" and infer_audience_model(["Aware"]) == "AIPL"


@pytest.mark.parametrize("columns", [
    ["统计日期", "人群阶段", "人数"],
    ["日期", "人群模型", "人群", "人数", "流出阶段", "流入阶段", "流转人数"],
    ["Date", "Model", "Stage", "People"],
    ["date", "from stage", "to stage", "people flowed"],
])
def test_kind_detected_on_chinese_and_english_headers(columns):
    assert guess_kind(columns) == "audience"


def test_hand_built_case_sizes_flows_intervals_spend_and_gmv():
    tables = eng_mod.tables_from_frames(frames())
    fit = fit_audience(tables["audience"], channels=tables["channels"], orders=tables["orders"])
    assert [m.model for m in fit.models] == ["AIPL"]  # no model column: the stage names say AIPL
    m = fit.models[0]
    assert m.stages == ("A", "I", "P", "L")
    weeks = pd.to_datetime(["2025-06-02", "2025-06-09", "2025-06-16"])
    assert list(m.sizes.index) == list(weeks)
    assert m.sizes["A"].tolist() == [1200, 1500, 1400]  # the week's last date, not the sum of the days
    assert m.sizes["I"].tolist() == [200, 260, 300]  # rows of one date and stage added up
    f = m.flows.set_index(["week", "from"])
    assert f.loc[(weeks[1], "A"), "flow"] == 90 and f.loc[(weeks[1], "A"), "base"] == 1200
    assert f.loc[(weeks[1], "A"), "rate"] == pytest.approx(90 / 1200)
    assert f.loc[(weeks[2], "I"), "rate"] == pytest.approx(13 / 260)
    lo, hi = wilson(13, 260)
    assert f.loc[(weeks[2], "I"), "lo"] == pytest.approx(lo, rel=1e-9)
    assert f.loc[(weeks[2], "I"), "hi"] == pytest.approx(hi, rel=1e-9)
    links = m.links.set_index("from")
    assert links.loc["A", "rate"] == pytest.approx(240 / 2700) and links.loc["I", "rate"] == pytest.approx(33 / 460)
    assert links.loc["P", "rate"] == pytest.approx(11 / 110) and links.loc["P", "weeks"] == 2
    assert (links.loc["P", "lo"], links.loc["P", "hi"]) == pytest.approx(wilson(11, 110), rel=1e-9)
    assert m.next_to["spend"].tolist() == [100, 300, 200]
    assert m.next_to["gmv"].tolist() == [80, 150, 60]  # the return line left out
    assert m.correlations["r_spend"].isna().all()  # three weeks: too few for a correlation

    block = present_audience(fit, "en")
    a = {r["code"]: r for r in block["stages"]}
    assert a["A"]["people"] == 1400 and a["A"]["wow"] == -100 and a["A"]["wow_pct"] == pytest.approx(-100 / 1500)
    assert a["L"]["period_pct"] == pytest.approx(15 / 10 - 1)
    assert block["weakest"]["link"] == "I Interest → P Purchase"  # 7.2% against 8.9% and 10%
    assert block["weakest"]["others"] == pytest.approx(np.median([240 / 2700, 11 / 110]))
    assert "I Interest → P Purchase" in block["action"] and "7.2%" in block["action"]
    assert "not caused by" in block["note"]
    zh = present_audience(fit, "zh")
    assert zh["weakest"]["link"] == "I 兴趣 → P 购买" and "优先打通" in zh["action"]
    assert [r["people"] for r in zh["stages"]] == [r["people"] for r in block["stages"]]


def test_correlation_of_weekly_changes_next_to_spend():
    rng = np.random.default_rng(3)
    n = 12
    weeks = pd.date_range("2025-01-06", periods=n, freq="7D")
    spend = rng.uniform(100, 1000, n).round(2)
    size = (50_000 + 40 * spend + rng.normal(0, 4000, n)).round()
    aud = pd.DataFrame({"date": weeks, "model": "O-5A", "stage": "A3", "people": size})
    ch = pd.DataFrame({"date": weeks + pd.Timedelta(days=2), "channel": "Douyin", "spend": spend})
    t = eng_mod.tables_from_frames({"audience": aud, "channels": ch})
    fit = fit_audience(t["audience"], channels=t["channels"])
    c = fit.models[0].correlations.iloc[0]
    expected = pd.Series(size).diff().corr(pd.Series(spend).diff())
    assert c["stage"] == "A3" and c["n_spend"] == n - 1 and c["r_spend"] == pytest.approx(expected, rel=1e-9)
    assert not fit.has_gmv and fit.models[0].links.empty
    block = present_audience(fit, "en")
    assert block["action"].startswith("Add the platform's flow export")


@pytest.fixture()
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prism.db'}")
    eng = make_engine(os.environ["DATABASE_URL"])
    repository.init_store(engine=eng)
    yield eng
    eng.dispose()


def test_a_file_with_unknown_stages_is_refused_naming_file_row_column_and_reason(store):
    bad = "日期,人群阶段,人数\n2025-06-02,认知,1000\n2025-06-02,潜水,300\n2025-06-02,路人,80\n".encode("utf-8")
    with pytest.raises(IngestError) as exc:
        ingest.ingest_bytes(bad, filename="aipl.csv", kind="audience", engine=store)
    msg = str(exc.value)
    assert "aipl.csv" in msg and "line 3" in msg and "人群阶段" in msg and "潜水" in msg
    assert "unknown audience stage" in msg and "认知" in msg and "问询" in msg  # the accepted names
    half = "日期,流出阶段,流入阶段,流转人数\n2025-06-02,认知,,50\n2025-06-02,兴趣,购买,20\n".encode("utf-8")
    prepared = ingest.prepare(half, filename="flows.csv", kind="audience", engine=store)
    errs = prepared.errors
    assert errs["row"].tolist() == [2] and "needs to_stage" in errs["reason"].iloc[0]
    assert not repository.list_datasets(engine=store)


def test_through_ingest_and_the_page_report(store):
    """A GB18030 数据银行 export with Chinese headers, the channels and orders beside it: the report's
    ``audience`` block carries the numbers worked out above, in both languages."""
    res = ingest.ingest_bytes(audience_csv(), filename="数据银行AIPL.csv", kind="audience", engine=store)
    assert res["kind"] == "audience" and res["rows"] == len(STAGE_ROWS) + len(FLOW_ROWS)
    ch = "日期,平台,消耗\n" + "\n".join(f"{d},Douyin,{s}" for d, s in SPEND) + "\n"
    od = "下单时间,实付金额,买家ID\n" + "\n".join(f"{d},{a},{c}" for d, a, c in ORDERS) + "\n"
    ids = [res["id"], ingest.ingest_bytes(ch.encode(), filename="ch.csv", kind="channels", engine=store)["id"],
           ingest.ingest_bytes(od.encode(), filename="od.csv", kind="orders", engine=store)["id"]]
    out = report.run_page("segmentation-explorer", ids, {}, engine=store)
    aud = out["audience"]
    assert [m["model"] for m in aud["models"]] == ["AIPL"] and aud["models"][0]["weeks"] == 3
    links = {r["from"]: r for r in aud["links"]}
    assert links["I"]["rate"] == pytest.approx(33 / 460) and links["I"]["last_rate"] == pytest.approx(13 / 260)
    nt = [r for r in aud["next_to"] if r["model"] == "AIPL"]
    assert [r["spend"] for r in nt] == [100, 300, 200] and [r["gmv"] for r in nt] == [80, 150, 60]
    zh = report.run_page("segmentation-explorer", ids, {}, lang="zh", engine=store)
    assert zh["audience"]["links"][1]["rate"] == aud["links"][1]["rate"] and "I 兴趣" in zh["audience"]["action"]
    page = report.to_html("segmentation-explorer", zh, [], lang="zh")  # the HTML report carries the action line
    assert zh["audience"]["action"] in page and "人群资产（AIPL / O-5A）" in page
    without = report.run_page("segmentation-explorer", ids[2:], {}, engine=store)
    assert "audience" not in without


def test_the_sidebar_dates_narrow_the_weeks_and_a_flow_without_its_base_has_no_rate():
    tables = eng_mod.tables_from_frames(frames())
    fit = fit_audience(tables["audience"], channels=tables["channels"], orders=tables["orders"],
                       start="2025-06-09", end="2025-06-22")
    m = fit.models[0]
    assert list(m.sizes.index) == list(pd.to_datetime(["2025-06-09", "2025-06-16"]))
    week2 = m.flows[m.flows["week"] == pd.Timestamp("2025-06-09")]
    assert week2["flow"].tolist() == [90, 20, 5] and week2["rate"].isna().all()  # week 1 is outside the dates
    links = m.links.set_index("from")
    assert links.loc["I", "rate"] == pytest.approx(13 / 260) and links.loc["I", "weeks"] == 1
    assert m.next_to["spend"].tolist() == [300, 200] and m.next_to["gmv"].tolist() == [150, 60]
    block = present_audience(fit, "en")
    assert {r["code"]: r["wow"] for r in block["stages"]}["A"] == -100
