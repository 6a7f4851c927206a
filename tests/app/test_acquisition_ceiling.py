"""The Promotion planner's acquisition ceiling tab (issue 17 item 6) on the demo: the numbers are the headless
report's ``acquisition_ceiling`` (the page reads the Segmentation explorer's cached fit), a lower margin
lowers the ceiling without refitting, and without orders the tab says what it needs. The tab runs only when
it is open (``tab=acquisition``, or a link with the ceiling's margin): the planner's first render does not
compute the ceiling."""

from __future__ import annotations

import pytest

from tests.app.conftest import Counter, make_app, table, texts

PLAN = "pages/promotion_planner.py"


@pytest.fixture()
def ceilings(monkeypatch):
    """Count the page's calls of analytics.cached.acquisition_ceiling."""
    from analytics import cached

    counter = Counter(cached.acquisition_ceiling)
    monkeypatch.setattr(cached, "acquisition_ceiling", counter)
    return counter


def test_ceiling_tab_shows_the_report_numbers_and_the_margin_moves_it(workspace, ceilings):
    from analytics import report

    ids = workspace["ids"]
    q = {"mm": str(ids["media_mix"]), "o": str(ids["orders"]), "n_boot": "0"}
    at = make_app("ana", page=PLAN, query=q).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Acquisition ceiling (CLV)" in [t.label for t in at.tabs]
    # the first render opens on the allocation: the ceiling is neither computed nor shown
    assert ceilings.calls == 0
    assert "A new customer is worth" not in texts(at)
    assert not [d for d in at.dataframe if "Cost per new buyer" in d.value.columns]
    assert not [w for w in at.number_input if w.label == "Gross margin for the acquisition ceiling"]
    # opened as a link names it
    at.query_params["tab"] = "acquisition"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert ceilings.calls == 1
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
    assert at.query_params["tab"] in ("acquisition", ["acquisition"])


def test_a_link_with_the_ceiling_margin_opens_on_the_ceiling_tab(workspace, ceilings):
    from analytics import report

    ids = workspace["ids"]
    q = {"mm": str(ids["media_mix"]), "o": str(ids["orders"]), "n_boot": "0", "ceiling_margin": "0.2"}
    at = make_app("vic", page=PLAN, query=q).run()
    assert not at.exception, [e.value for e in at.exception]
    assert ceilings.calls == 1
    assert at.query_params["tab"] in ("acquisition", ["acquisition"])  # the link names the open tab from now on
    [m] = [w for w in at.number_input if w.label == "Gross margin for the acquisition ceiling"]
    assert m.value == 0.2
    ac = report.run_page("promotion-planner", [ids["media_mix"], ids["orders"]],
                         {"n_boot": "0", "ceiling_margin": "0.2"})["acquisition_ceiling"]
    assert ac["margin"] == 0.2
    segs = table(at, "Mean CLV")
    assert segs["Acquisition ceiling"].tolist() == pytest.approx([s["ceiling"] for s in ac["segments"]])
    assert not [d for d in at.dataframe if "Share of budget" in d.value.columns]  # the allocation tab did not run
    # another tab, then a language switch: the tab left stays left (the link names it), the ceiling not computed
    at.query_params["tab"] = "allocation"
    at.run()
    at.sidebar.radio(key="lang").set_value("zh").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["tab"] in ("allocation", ["allocation"])
    assert ceilings.calls == 1
    assert any("预算占比" in d.value.columns for d in at.dataframe)

