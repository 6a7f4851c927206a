"""A warm rerun reuses what the first run prepared (issues 13 and 18): the page result is one shared object
(analytics.cached.Presented), its tables are formatted once and its charts serialised once. These tests
check that this changes nothing the user sees, and that no page edits the shared result."""

from __future__ import annotations

import pytest

from analytics import cached
from analytics.registry import BY_PATH, module
from tests.app.conftest import make_app

# the pages with the most tables and charts (segmentation: rows derived per model in the audience tab;
# planner: the acquisition ceiling's own shared result)
PAGES = ["market-overview", "segmentation-explorer", "promotion-planner", "post-campaign-evaluation",
         "competitor-tracking", "live-commerce"]


def _shown_now(at) -> tuple[list, list]:
    tables = [(d.value.to_json(orient="split", date_format="iso"), d.proto.columns) for d in at.dataframe]  # NaN == NaN
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    return tables, charts


def shown(at, url: str) -> tuple[list, list]:
    """Every table (values and column settings as sent) and every chart's spec of the run. On a page whose
    tabs run only when open (its module's ``TABS``: the planner) every tab is opened in turn, as a link
    naming it does, and what each shows is collected."""
    tabs = getattr(module(url), "TABS", None)
    if not tabs:
        return _shown_now(at)
    tables, charts = [], []
    for name in tabs:
        at.query_params["tab"] = name
        at.run()
        assert not at.exception, (name, [e.value for e in at.exception])
        t, c = _shown_now(at)
        tables += t
        charts += c
    return tables, charts


def _lang(at, value: str):
    return at.sidebar.radio(key="lang").set_value(value).run()


@pytest.mark.parametrize("url", PAGES)
def test_prepared_tables_and_charts_show_what_a_fresh_run_shows(workspace, url, monkeypatch):
    cached.clear_all()
    at = make_app("ana", page=BY_PATH[url].script).run()
    assert not at.exception
    first = shown(at, url)  # prepares: formats the tables, serialises the charts
    assert first[0] and first[1]
    at.run()
    assert not at.exception
    assert shown(at, url) == first  # the reused tables and charts
    _lang(at, "zh")
    zh = shown(at, url)
    assert zh != first  # the headers and texts are Chinese: nothing prepared in English was reused
    _lang(at, "en")
    assert shown(at, url) == first
    # the same page with nothing reused: every table formatted and every chart converted on this run
    monkeypatch.setattr(cached, "source_of", lambda result: None)
    from components import ui

    from analytics.charts import inert_figure

    def afresh(fig):  # what _serialised sends (texts inert, no uid), converted on every run, nothing kept
        d = fig.to_dict()
        for trace in d.get("data", []):
            trace.pop("uid", None)
        return ui._figure_of_dict(inert_figure(d))

    monkeypatch.setattr(ui, "_serialised", afresh)
    at.run()
    assert not at.exception
    assert shown(at, url) == first
    _lang(at, "zh")
    assert shown(at, url) == zh


@pytest.mark.parametrize("url", PAGES + ["recommendations", "channel-comparison", "persona-builder"])
def test_no_page_edits_the_shared_result(workspace, url):
    from components.sidebar import KIND_KEYS

    cached.clear_all()
    # the demo datasets named in the link: without it the pickers open on what earlier tests chose last
    # (Online Retail, a quantity-only upload), where a page may have nothing to fit
    query = {KIND_KEYS[k]: str(i) for k, i in workspace["ids"].items() if k in KIND_KEYS}
    at = make_app("ana", page=BY_PATH[url].script, query=query).run()
    assert not at.exception
    at.run()
    for name in getattr(module(url), "TABS", ()):  # tabs that run only when open: each is drawn once
        at.query_params["tab"] = name
        at.run()
        assert not at.exception, (name, [e.value for e in at.exception])
    _lang(at, "zh")
    assert not at.exception
    results = list(cached._BY_RESULT.values())
    assert results  # the page's result (and the planner's ceiling) are shared Presented objects
    if url == "promotion-planner":  # its ceiling's tab was opened: the ceiling's own result is among them
        ceiling = [p for p in results if {"margin", "segments", "channels"} <= set(p.result)]
        assert ceiling, [sorted(p.result) for p in results]
    assert all(p.unchanged() for p in results), [sorted(p.result) for p in results if not p.unchanged()]
