"""The Promotion planner's acquisition ceiling tab (issue 17 item 6) on the demo: the numbers are the headless
report's ``acquisition_ceiling`` (the page reads the Segmentation explorer's cached fit), a lower margin
lowers the ceiling without refitting, and without orders the tab says what it needs."""

from __future__ import annotations

import pytest

from tests.app.conftest import make_app, table, texts

PLAN = "pages/promotion_planner.py"


def test_ceiling_tab_shows_the_report_numbers_and_the_margin_moves_it(workspace):
    from analytics import report

    ids = workspace["ids"]
    q = {"mm": str(ids["media_mix"]), "o": str(ids["orders"]), "n_boot": "0"}
    at = make_app("ana", page=PLAN, query=q).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Acquisition ceiling (CLV)" in [t.label for t in at.tabs]
    res = report.run_page("promotion-planner", [ids["media_mix"], ids["orders"]], {"n_boot": "0"})
    ac = res["acquisition_ceiling"]
    assert ac["status"] == "ok" and ac["margin"] == 0.4
    chans = table(at, "Cost per new buyer")
    by = {r["channel"]: r for r in ac["channels"]}
    for _, row in chans.iterrows():
        r = by[row["Channel"]]
        assert row["Cost per new buyer"] == pytest.approx(r["spend"] / r["new_buyers"])
        assert row["Acquisition ceiling"] == pytest.approx(r["ceiling"])
        assert row["Against the ceiling"] == ("Above the ceiling" if r["above"] else "Within the ceiling")
    segs = table(at, "Mean CLV")
    assert list(segs["Segment"]) == [s["segment"] for s in ac["segments"]]
    assert segs["Acquisition ceiling"].tolist() == pytest.approx([s["ceiling"] for s in ac["segments"]])
    assert "A new customer is worth" in texts(at)
    # a lower margin: every ceiling in proportion (the fits are cached; the margin is applied after them)
    [m] = [w for w in at.number_input if w.label == "Gross margin for the acquisition ceiling"]
    m.set_value(0.2).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["ceiling_margin"] in ("0.2", ["0.2"])
    low = table(at, "Cost per new buyer")
    assert low["Acquisition ceiling"].tolist() == pytest.approx([c * 0.5 for c in chans["Acquisition ceiling"]])

