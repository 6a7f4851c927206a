"""The Data page's quality summary comes from one aggregate query in the engine (analytics/datasets.py)."""

from __future__ import annotations

import pytest

from analytics import datasets, report
from data import repository as repo
from tests import fixtures


def test_online_retail_quality_from_the_stored_parts(engine, monkeypatch):
    orders = fixtures.online_retail_orders()
    info = repo.write_dataset(kind="orders", frame=orders, name="OR", content_hash="h", mapping={}, engine=engine)
    monkeypatch.setattr(repo, "load_frame", lambda **kw: pytest.fail("the summary must not load the lines"))
    res = report.run_page("data", [info["id"]], {}, engine=engine)
    q = res["quality"][0]
    assert q["rows"] == 541_909
    assert q["returns_flagged"] == 10_626  # with the two "Adjust bad debt" lines (negative price)
    assert q["lines_without_customer"] == 135_080
    assert q["amount_total"] == pytest.approx(float(orders["amount"].sum()), abs=0.01)
    assert str(q["first_date"])[:19] == "2010-12-01T08:26:00" and str(q["last_date"])[:19] == "2011-12-09T12:50:00"
    filled = {f["field"]: f["filled"] for f in q["fields"]}
    assert filled["customer_id"] == 406_829 and filled["order_id"] == 541_909 and filled["channel"] == 0
    assert filled["product_name"] == int(orders["product_name"].notna().sum())
    assert any("135,080" in f or "135080" in f for f in res["findings"])


def test_summarise_of_a_frame_gives_the_same_numbers():
    exp = fixtures.hillstrom_experiments()
    s = datasets.summarise("experiments", exp)
    assert s["rows"] == 64_000 and s["fields_mapped"] == sum(1 for c in ("unit_id", "group", "converted", "revenue",
                                                                        "visited", "pre_period_value", "exposure_date")
                                                            if c in exp.columns and exp[c].notna().any())
    assert s["attributes"] == [c[len("attr_"):] for c in exp.columns if c.startswith("attr_")]
