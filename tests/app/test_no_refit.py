"""Pages on the engine fit once per dataset revision and fit parameters: switching the language or a
display option re-presents the cached fit and never fits again (issue 13)."""

from __future__ import annotations

import pytest

from analytics.inputs import uses_engine
from analytics.registry import BY_PATH, module
from tests.app.conftest import Counter, make_app


@pytest.fixture()
def counted(monkeypatch):
    """Count fit calls of every page module on the engine; caches start cold."""
    from analytics import cached

    cached.clear_all()
    counters = {}
    for url, info in BY_PATH.items():
        mod = module(url)
        if uses_engine(mod):
            counters[url] = Counter(mod.fit)
            monkeypatch.setattr(mod, "fit", counters[url])
    yield counters
    cached.clear_all()


def _lang(at, value: str):
    return at.sidebar.radio(key="lang").set_value(value).run()


def test_a_language_switch_and_a_display_option_never_refit_segmentation(workspace, counted):
    q = {"o": str(workspace["ids"]["orders"]), "cu": str(workspace["ids"]["customers"])}
    at = make_app("ana", page=BY_PATH["segmentation-explorer"].script, query=q).run()
    assert not at.exception
    fits = counted["segmentation-explorer"]
    assert fits.calls == 1
    _lang(at, "zh")
    assert not at.exception and [t.value for t in at.title] == ["客群分层"]
    assert fits.calls == 1  # presented again in Chinese from the cached fit
    at.selectbox(key="segmentation-explorer:audience").select("churn:high").run()
    assert not at.exception and fits.calls == 1  # a drill-down is a display option
    at.selectbox(key="segmentation-explorer:k").select(4).run()
    assert not at.exception and fits.calls == 2  # a different k is a different fit
    _lang(at, "en")
    assert not at.exception and fits.calls == 2 and [t.value for t in at.title] == ["Segmentation explorer"]


def test_segmentation_refits_groups_clusters_tiers_and_clv_without_reading_the_lines_again(workspace, counted,
                                                                                         monkeypatch):
    # the engine's part of the fit (analytics.segmentation.fit_base) is kept per dates and BASE_PARAMS: a
    # new group model, k, tier what-if or CLV horizon refits from it; a new analysis date reads the lines
    from analytics import segmentation as seg
    from data import engine

    bases = Counter(seg.fit_base)
    monkeypatch.setattr(seg, "fit_base", bases)
    queries = Counter(engine.to_arrow)
    monkeypatch.setattr(engine, "to_arrow", queries)
    q = {"o": str(workspace["ids"]["orders"]), "cu": str(workspace["ids"]["customers"])}
    at = make_app("ana", page=BY_PATH["segmentation-explorer"].script, query=q).run()
    assert not at.exception
    fits = counted["segmentation-explorer"]
    assert fits.calls == 1 and bases.calls == 1 and queries.calls > 0
    seen = queries.calls
    at.radio(key="segmentation-explorer:model").set_value("cn8").run()
    at.selectbox(key="segmentation-explorer:k").select(4).run()
    at.text_input(key="segmentation-explorer:tier_whatif").input("500, 2000, 6000").run()
    at.number_input(key="segmentation-explorer:clv_horizon").set_value(6).run()
    assert not at.exception, [e.value for e in at.exception]
    assert fits.calls == 5 and bases.calls == 1  # four refits, none of them a query over the lines
    assert queries.calls == seen
    at.selectbox(key="segmentation-explorer:audience").select("churn:high").run()  # the drill-down: the fit's rows
    assert not at.exception and fits.calls == 5 and queries.calls == seen
    assert any("churn_risk" in d.value.columns for d in at.dataframe)
    at.number_input(key="segmentation-explorer:compare_days").set_value(30).run()
    assert not at.exception and fits.calls == 6 and bases.calls == 2 and queries.calls > seen


def test_every_page_on_the_engine_switches_language_without_refitting(workspace, counted):
    ids = workspace["ids"]
    from components.sidebar import KIND_KEYS

    q = {KIND_KEYS[k]: str(v) for k, v in ids.items()}
    checked = []
    for url, fits in counted.items():
        if url == "data":
            continue  # the Data page summarises the datasets picked on it, checked in its own tests
        at = make_app("ana", page=BY_PATH[url].script, query=q).run()
        assert not at.exception, (url, [e.value for e in at.exception])
        before = fits.calls
        assert before >= 1, url
        _lang(at, "zh")
        assert not at.exception, (url, [e.value for e in at.exception])
        assert fits.calls == before, f"{url}: the language switch fitted again"
        checked.append(url)
    assert "segmentation-explorer" in checked


def test_target_lists_come_from_the_pages_fit(workspace, counted):
    """A segment's target list and a product's likely buyers use the page's cached fit (page_call passes
    it as ``fitted=``): opening them fits nothing again."""
    q = {"o": str(workspace["ids"]["orders"]), "tsrc": "rfm", "tseg": "Champions", "product": "LM-SK-002"}
    at = make_app("ana", page=BY_PATH["recommendations"].script, query=q).run()
    assert not at.exception, [e.value for e in at.exception]
    fits = counted["recommendations"]
    assert fits.calls == 1
    # the link opens on the segment's target list (only the open tab runs): it was drawn
    assert any("Score" in d.value.columns and "Why" in d.value.columns for d in at.dataframe)
    assert not any("Likelihood vs the top customer" in d.value.columns for d in at.dataframe)
    # the product's likely buyers, on their tab
    at.query_params["tab"] = "product"
    at.run()
    assert not at.exception and fits.calls == 1
    assert any("Likelihood vs the top customer" in d.value.columns for d in at.dataframe)
    _lang(at, "zh")
    assert not at.exception and fits.calls == 1


def test_the_planners_acquisition_ceiling_fits_only_when_its_tab_is_opened(workspace, counted, monkeypatch):
    """The ceiling reads the segmentation's CLV fit over every order line: the planner's first render (on
    its allocation tab) fits the planner only; opening the ceiling's tab fits the segmentation once, and a
    language switch there presents both cached fits again."""
    from analytics import cached

    ceilings = Counter(cached.acquisition_ceiling)
    monkeypatch.setattr(cached, "acquisition_ceiling", ceilings)
    q = {"mm": str(workspace["ids"]["media_mix"]), "o": str(workspace["ids"]["orders"]), "n_boot": "0"}
    at = make_app("ana", page=BY_PATH["promotion-planner"].script, query=q).run()
    assert not at.exception, [e.value for e in at.exception]
    plan, seg = counted["promotion-planner"], counted["segmentation-explorer"]
    assert (plan.calls, seg.calls, ceilings.calls) == (1, 0, 0)
    at.query_params["tab"] = "acquisition"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert (plan.calls, seg.calls, ceilings.calls) == (1, 1, 1)
    assert any("Cost per new buyer" in d.value.columns for d in at.dataframe)
    _lang(at, "zh")
    assert not at.exception, [e.value for e in at.exception]
    assert (plan.calls, seg.calls, ceilings.calls) == (1, 1, 2)  # the ceiling presented in Chinese, nothing refitted
    assert any("单个新客成本" in d.value.columns for d in at.dataframe)
    assert at.query_params["tab"] in ("acquisition", ["acquisition"])
