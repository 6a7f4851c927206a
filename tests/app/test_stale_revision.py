"""A new revision never stalls a page that already shows the previous one (issue 18): the page shows the
previous revision's numbers, with its display options and language as the user changes them, and a
notice, while the new revision's fit runs in the background; then the new numbers. A page never shown in
this process, or a fit parameter changed meanwhile, computes in the foreground as before."""

from __future__ import annotations

import threading

import pytest

from analytics import cached, report
from analytics.i18n import fmt_kpi
from analytics.registry import module
from tests.app.conftest import _add_dataset, make_app

PAGE = "pages/market_overview.py"
URL = "market-overview"
HEADLESS = threading.local()  # set while the test computes the expected numbers (not the page's fits)


def _net_sales(at) -> str:
    return {m.label: m.value for m in at.metric}["Net sales" if at.title[0].value == "Market overview" else "净销售额"]


def _expected(ds: int, at, lang: str, **extra) -> str:
    HEADLESS.on = True
    try:
        r = report.run_page(URL, [ds], {"start": at.query_params["start"], "end": at.query_params["end"], **extra})
    finally:
        HEADLESS.on = False
    return fmt_kpi(r["kpis"]["net_sales"], lang, money=True)


def _notices(at) -> list[str]:
    return [str(i.value) for i in at.info if "Showing revision" in str(i.value) or "当前显示" in str(i.value)]


def _footer(at) -> list[str]:
    """The footer's rows-used lines of the test's dataset."""
    return [str(c.value) for c in at.caption if "SWR orders" in str(c.value)
            and ("(revision" in str(c.value) or "（版本" in str(c.value))]


def _lang(at, value: str):
    return at.sidebar.radio(key="lang").set_value(value).run()


def _grain(at, value: str):
    return at.radio(key="market-overview:grain").set_value(value).run()


@pytest.fixture()
def slow_fit(monkeypatch):
    """The market module's fit waits for ``gate`` in the background refresh thread; a fit in the script's
    own thread runs through; both are counted."""
    mod = module(URL)
    real = mod.fit
    gate = threading.Event()
    calls = {"foreground": 0, "background": 0}

    def fit(*a, **kw):
        if getattr(HEADLESS, "on", False):
            return real(*a, **kw)
        if threading.current_thread().name.startswith("prism-refresh"):
            calls["background"] += 1
            assert gate.wait(120), "the test never released the fit"
        else:
            calls["foreground"] += 1
        return real(*a, **kw)

    monkeypatch.setattr(mod, "fit", fit)
    yield gate, calls
    gate.set()


def _append(orders, ds: int, start: str, tag: str) -> None:
    """Revision 2: the page's own month once more under new order ids (its net sales change)."""
    from data import repository
    from data.access import SYSTEM

    extra = orders[orders["order_date"] >= start].copy()
    extra["order_id"] = extra["order_id"].astype(str) + tag
    repository.write_dataset(kind="orders", frame=extra, name="SWR orders", content_hash=f"swr{tag}", mapping={},
                             mode="append", dataset_id=ds, actor=SYSTEM)
    cached.list_datasets.clear()


def _wait_refreshes() -> None:
    for refresh in list(cached._RUNNING.values()):
        refresh.future.result(timeout=120)


def test_a_new_revision_shows_the_previous_numbers_with_new_display_options_until_its_fit_is_done(workspace, slow_fit):
    from data import demo

    gate, calls = slow_fit
    cached.clear_all()
    orders = demo.generate(seed=7)["orders"]
    ds = _add_dataset("orders", orders, "SWR orders")
    at = make_app("ana", page=PAGE, query={"o": str(ds)}).run()
    assert not at.exception, [e.value for e in at.exception]
    opened = calls["foreground"]
    assert opened >= 1 and calls["background"] == 0 and not _notices(at)  # first open: computed here, as before
    old_en = _net_sales(at)
    assert old_en == _expected(ds, at, "en")
    old_zh = _expected(ds, at, "zh")
    assert any("(revision 1)" in c for c in _footer(at))

    _append(orders, ds, at.query_params["start"], "-r2")
    at.run()  # returns while the new revision's fit waits in the background
    assert not at.exception, [e.value for e in at.exception]
    assert _net_sales(at) == old_en
    notice = _notices(at)
    assert len(notice) == 1 and notice[0].startswith("Showing revision 1 of SWR orders: revision 2 (")
    assert "this page updates itself when it is ready" in notice[0]
    assert _footer(at) and all("(revision 1)" in c for c in _footer(at))  # the footer names what is shown

    # a display option and the language on the older revision: presented from its fit, nothing fitted here
    _grain(at, "week")
    assert not at.exception and _net_sales(at) == old_en and len(_notices(at)) == 1
    assert any(f.proto.spec for f in at.get("plotly_chart"))
    _lang(at, "zh")
    assert not at.exception and _net_sales(at) == old_zh and len(_notices(at)) == 1
    assert _notices(at)[0].startswith("当前显示 SWR orders 的版本 1：版本 2（")
    assert calls["foreground"] == opened and calls["background"] <= 1

    gate.set()
    _wait_refreshes()
    at.run()
    assert not at.exception and not _notices(at)
    assert _footer(at) and all("（版本 2）" in c for c in _footer(at))
    new_zh = _net_sales(at)
    assert new_zh == _expected(ds, at, "zh", grain="week")
    _lang(at, "en")
    assert not at.exception and not _notices(at)
    assert _net_sales(at) == _expected(ds, at, "en") != old_en
    assert calls == {"foreground": opened, "background": 1}  # the new revision fitted once, in the background
    cached.clear_all()


def test_a_fit_parameter_changed_while_stale_is_computed_on_the_new_revision_in_the_foreground(workspace, slow_fit):
    from data import demo

    gate, calls = slow_fit
    cached.clear_all()
    orders = demo.generate(seed=7)["orders"]
    ds = _add_dataset("orders", orders, "SWR orders")
    at = make_app("ana", page=PAGE, query={"o": str(ds)}).run()
    assert not at.exception and not _notices(at)
    _append(orders, ds, at.query_params["start"], "-r2b")
    at.run()
    assert len(_notices(at)) == 1
    before = calls["foreground"]
    at.number_input(key="market-overview:horizon").set_value(5).run()  # a fit parameter: no older fit holds it
    assert not at.exception, [e.value for e in at.exception]
    assert not _notices(at) and calls["foreground"] == before + 1
    assert _footer(at) and all("(revision 2)" in c for c in _footer(at))
    assert _net_sales(at) == _expected(ds, at, "en", horizon=5)
    cached.clear_all()


def test_a_failed_background_fit_is_computed_again_in_the_foreground(workspace, monkeypatch):
    """An error of the background fit: the next rerun computes in the foreground and shows the error as a
    message (never a traceback)."""
    from analytics.common import AnalyticsError
    from data import demo

    cached.clear_all()
    orders = demo.generate(seed=7)["orders"]
    ds = _add_dataset("orders", orders, "SWR orders")
    at = make_app("ana", page=PAGE, query={"o": str(ds)}).run()
    assert not at.exception and not _notices(at)
    old = _net_sales(at)
    mod = module(URL)

    gate = threading.Event()

    def broken(*a, **kw):  # fails once the stale run has been checked (else its notice would rerun at once)
        assert gate.wait(120)
        raise AnalyticsError("segmentation.error.no_customers")

    monkeypatch.setattr(mod, "fit", broken)
    _append(orders, ds, at.query_params["start"], "-r2c")
    at.run()
    assert not at.exception and _net_sales(at) == old and len(_notices(at)) == 1
    refreshes = list(cached._RUNNING.values())
    gate.set()
    for refresh in refreshes:
        with pytest.raises(AnalyticsError):
            refresh.future.result(timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not _notices(at) and not at.metric  # no old numbers: the error, as a message
    assert any(str(i.value).startswith("Not enough data to answer this honestly") for i in at.info)
    cached.clear_all()


def test_the_html_report_of_an_older_revision_names_that_revision_and_its_rows(workspace):
    """A report built from a page shown on revision 1 (while 2 refreshes, or remembered for a review pack)
    is labelled with revision 1 and its row count, not the dataset's current ones."""
    from data import demo

    cached.clear_all()
    orders = demo.generate(seed=7)["orders"]
    ds = _add_dataset("orders", orders, "SWR orders")
    _append(orders, ds, "2026-10-01", "-r2d")
    first, now = cached.infos_at((("orders", ds, 1),)), cached.infos_at((("orders", ds, 2),))
    assert first == [{"id": ds, "name": "SWR orders", "kind": "orders", "revision": 1, "rows": len(orders)}]
    assert now[0]["revision"] == 2 and now[0]["rows"] > len(orders)
    cached.clear_all()
