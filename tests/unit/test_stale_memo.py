"""The record behind stale-while-revalidate (analytics.cached, issue 18): bounded, the newest revisions
kept, one background refresh per page and revisions (a newer revision cancels a queued older one), a
finished refresh makes the page current, a failed one sends it to the foreground, fits are held per fit
key (display options and language are not part of it) only while the cache holds them, and an older view is
served only for a while."""

from __future__ import annotations

import gc
import logging
import threading
import time
from datetime import date

import pytest

from analytics import cached
from analytics.serving import swr

URL = "market-overview"
INFO = {"id": 1, "name": "orders", "rows": 10, "revision": 1}


class Fit:
    """A stand-in for a page's fit (weakly referable, like the modules' dataclasses)."""


@pytest.fixture(autouse=True)
def empty_record():
    cached.forget_stale()
    yield
    for r in list(cached._RUNNING.values()):
        if not r.future.cancelled():
            r.future.exception(timeout=60)
    cached.forget_stale()


def ds(rev: int, dataset_id: int = 1) -> tuple:
    return (("orders", dataset_id, rev),)


def _quiet_refresh(monkeypatch, gate: threading.Event | None = None) -> list:
    """ensure_fit records its calls (waiting for ``gate``); presenting, figures and calls record theirs."""
    done: list = []

    def ensure_fit(u, d, p):
        done.append(("fit", d, p, threading.current_thread().name))
        if gate is not None:
            assert gate.wait(60)

    monkeypatch.setattr(cached, "ensure_fit", ensure_fit)
    monkeypatch.setattr(cached, "presented", lambda u, d, p, lang: done.append(("presented", d, p, lang)))
    monkeypatch.setattr(cached, "page_figures", lambda u, d, p, lang: done.append(("figures", d, p, lang)))
    return done


def test_older_means_the_same_datasets_at_revisions_no_newer_one_older():
    two = (("orders", 1, 2), ("market", 5, 3))
    assert cached.older((("orders", 1, 1), ("market", 5, 3)), two)
    assert not cached.older(two, two)
    assert not cached.older((("orders", 1, 1), ("market", 5, 4)), two)  # one newer: not an older view
    assert not cached.older((("orders", 2, 1), ("market", 5, 3)), two)  # another dataset
    assert not cached.older((("orders", 1, 1),), two)


def test_a_page_shown_on_revision_1_is_presented_there_while_revision_2_is_not_ready():
    assert cached.stale_view(URL, ds(2)) is None  # never shown here: the foreground fits, as before
    cached.note_shown(URL, ds(1), [INFO])
    shown = cached.stale_view(URL, ds(2))
    assert shown is not None and shown.datasets == ds(1) and shown.infos == ({**INFO},)
    assert cached.stale_view(URL, ds(1)) is None  # the revision it was shown on is current there
    assert cached.stale_view("segmentation-explorer", ds(2)) is None  # another page never shown
    cached.note_shown(URL, ds(2), [{**INFO, "revision": 2}])
    assert cached.stale_view(URL, ds(2)) is None  # shown on revision 2 now
    cached.note_shown(URL, ds(1), [INFO])  # an older record never replaces a newer one
    assert cached._SHOWN[(URL, (("orders", 1),))].datasets == ds(2)
    assert cached.stale_view(URL, ds(3)).datasets == ds(2)


def test_an_older_view_is_served_only_for_a_while_after_it_was_last_presented(monkeypatch):
    cached.note_shown(URL, ds(1), [INFO])
    assert cached.stale_view(URL, ds(2)) is not None
    later = time.monotonic() + cached.STALE_MAX_S + 1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert cached.stale_view(URL, ds(2)) is None  # a replaced revision's parts may be collected by then


def test_a_page_off_the_engine_is_never_shown_on_older_revisions(monkeypatch):
    cached.note_shown(URL, ds(1), [INFO])
    monkeypatch.setattr(swr, "uses_engine", lambda mod: False)  # read by stale_view, in analytics.serving.swr
    assert cached.stale_view(URL, ds(2)) is None


def test_one_refresh_per_page_and_revisions_and_a_finished_one_makes_the_page_current(monkeypatch):
    gate = threading.Event()
    done = _quiet_refresh(monkeypatch, gate)
    cached.note_shown(URL, ds(1), [INFO])
    p = cached.freeze_params({"grain": "week"})
    first = cached.revalidate(URL, ds(2), p, ds(1), [{**INFO, "revision": 2, "rows": 12}])
    again = cached.revalidate(URL, ds(2), cached.freeze_params({"grain": "day"}), ds(1), [])
    assert again is first and not first.done()
    assert cached.stale_view(URL, ds(2)) is not None  # still running: the older revision is shown
    gate.set()
    first.future.result(timeout=60)
    assert cached.stale_view(URL, ds(2)) is None  # done: the page presents revision 2 from now on
    assert cached._SHOWN[(URL, (("orders", 1),))].infos == ({**INFO, "revision": 2, "rows": 12},)
    assert done[0][:3] == ("fit", ds(2), p) and done[0][3] == "prism-refresh"
    assert cached.stale_view(URL, ds(2)) is None and not cached._RUNNING


def test_a_newer_revision_cancels_the_queued_refresh_of_an_older_one(monkeypatch):
    gate = threading.Event()
    done = _quiet_refresh(monkeypatch, gate)
    cached.note_shown(URL, ds(1), [INFO])
    other = cached.revalidate("segmentation-explorer", ds(5, dataset_id=9), cached.freeze_params({}), (), [])
    two = cached.revalidate(URL, ds(2), cached.freeze_params({}), ds(1), [])  # queued behind the running one
    three = cached.revalidate(URL, ds(3), cached.freeze_params({}), ds(1), [])
    assert two.future.cancelled() and two.done() and not three.done()  # the page's notice reruns, then waits on 3
    gate.set()
    three.future.result(timeout=60)
    other.future.result(timeout=60)
    assert [d[1] for d in done if d[0] == "fit"] == [ds(5, dataset_id=9), ds(3)]


def test_a_failed_refresh_sends_the_page_to_the_foreground_and_is_logged(monkeypatch, caplog):
    def ensure_fit(url_path, datasets, params):
        raise RuntimeError("engine gone")

    monkeypatch.setattr(cached, "ensure_fit", ensure_fit)
    cached.note_shown(URL, ds(1), [INFO])
    with caplog.at_level(logging.ERROR, logger="prism.refresh"):
        r = cached.revalidate(URL, ds(2), cached.freeze_params({}), ds(1), [])
        with pytest.raises(RuntimeError):
            r.future.result(timeout=60)
    assert cached.stale_view(URL, ds(2)) is None and (URL, ds(2)) in cached._FAILED
    assert (URL, ds(2)) not in cached._READY
    assert any("refresh of market-overview" in rec.getMessage() for rec in caplog.records)


def test_a_refresh_that_runs_too_long_sends_the_page_to_the_foreground(monkeypatch):
    gate = threading.Event()
    _quiet_refresh(monkeypatch, gate)
    cached.note_shown(URL, ds(1), [INFO])
    r = cached.revalidate(URL, ds(2), cached.freeze_params({}), ds(1), [])
    assert cached.stale_view(URL, ds(2)) is not None
    r.started -= cached.REFRESH_MAX_S + 1
    assert cached.stale_view(URL, ds(2)) is None
    gate.set()


def test_a_held_fit_is_keyed_by_the_fit_parameters_and_held_only_while_the_cache_keeps_it():
    month = cached.freeze_params({"grain": "month", "compare": "prev", "horizon": 3})
    week = cached.freeze_params({"grain": "week", "compare": "yoy", "horizon": 3})
    longer = cached.freeze_params({"grain": "month", "compare": "prev", "horizon": 6})
    fit = Fit()
    cached._note_fitted(URL, ds(1), cached._fit_key(URL, month), fit)
    assert cached.holds_fit(URL, ds(1), month) and cached.holds_fit(URL, ds(1), week)
    assert not cached.holds_fit(URL, ds(1), longer)  # the horizon is fitted (the forecast)
    assert not cached.holds_fit(URL, ds(2), month)
    del fit
    gc.collect()
    assert not cached.holds_fit(URL, ds(1), month)  # the cache let it go: presenting would refit
    cached._note_fitted(URL, ds(1), cached._fit_key(URL, month), {"not": "weakly referable"})
    assert not cached.holds_fit(URL, ds(1), month)


def test_the_refresh_replays_what_was_served_with_the_same_fit_most_recent_first(monkeypatch):
    """After the fit, the refresh serves on the new revisions the results and figures served on the older
    ones with the same fit, and the page's calls (so the first reruns there find them cached); a call that
    fails does not fail the refresh; results needing another fit are left to the foreground."""
    done = _quiet_refresh(monkeypatch)

    def call(u, fn, d, p, lang):
        done.append(("call", fn, d, p, lang))
        raise RuntimeError("no such column")

    monkeypatch.setattr(cached, "page_call", call)
    month, week = cached.freeze_params({"grain": "month"}), cached.freeze_params({"grain": "week"})
    longer = cached.freeze_params({"grain": "month", "horizon": 6})
    opts = cached.freeze_params({})
    cached._note_served(URL, ds(1), ("call", "filter_options", opts, "en"))
    cached._note_served(URL, ds(1), ("presented", month, "en"))
    cached._note_served(URL, ds(1), ("figures", month, "en"))
    cached._note_served(URL, ds(1), ("presented", longer, "en"))  # another fit: not replayed
    cached._note_served(URL, ds(1), ("presented", week, "zh"))
    cached._note_served(URL, ds(1), ("presented", month, "en"))  # served again: now the most recent
    cached._note_served(URL, ds(7), ("presented", week, "en"))  # another dataset: not replayed
    r = cached.revalidate(URL, ds(2), month, ds(1), [])
    r.future.result(timeout=60)
    assert [d[:3] for d in done] == [("fit", ds(2), month), ("presented", ds(2), month), ("presented", ds(2), week),
                                     ("figures", ds(2), month), ("call", "filter_options", ds(2))]
    assert done[2][3] == "zh" and cached.stale_view(URL, ds(2)) is None and (URL, ds(2)) in cached._READY


def test_the_refresh_fits_the_new_revisions_default_window_when_the_session_had_the_automatic_one(monkeypatch):
    done = _quiet_refresh(monkeypatch)
    monkeypatch.setattr(cached, "page_call", lambda u, fn, d, p, lang: (
        {"start": "2026-11-01", "end": "2026-11-30"} if fn == "default_window" else None))
    old = (date(2026, 10, 1), date(2026, 10, 31))
    p = cached.freeze_params({"start": old[0], "end": old[1], "grain": "month"})
    mine = cached.freeze_params({"start": date(2026, 1, 1), "end": old[1], "grain": "week"})  # picked by the user
    cached._note_served(URL, ds(1), ("presented", p, "en"))
    cached._note_served(URL, ds(1), ("presented", mine, "en"))
    cached.revalidate(URL, ds(2), p, ds(1), [], window=old).future.result(timeout=60)
    moved = cached.freeze_params({"start": date(2026, 11, 1), "end": date(2026, 11, 30), "grain": "month"})
    assert done[0][:3] == ("fit", ds(2), moved)
    assert ("presented", ds(2), moved, "en") in done  # the result served in the old window, in the new one
    assert not any(d[0] == "presented" and d[2] == mine for d in done)  # another window: another fit


def test_the_record_is_bounded():
    fits = [Fit() for _ in range(cached.SWR_SIZE + 10)]
    for i, fit in enumerate(fits):
        cached.note_shown(URL, ds(1, dataset_id=i), [INFO])
        cached._note_fitted(URL, ds(1, dataset_id=i), cached.freeze_params({}), fit)
    assert len(cached._SHOWN) == len(cached._READY) == len(cached._FITTED) == cached.SWR_SIZE
    assert next(iter(cached._SHOWN))[1] == (("orders", 10),)
    for i in range(cached.SERVED_SIZE + 5):
        cached._note_served(URL, ds(1), ("presented", cached.freeze_params({"horizon": i}), "en"))
    served = list(cached._SERVED[(URL, ds(1))])
    assert len(served) == cached.SERVED_SIZE and served[0][1] == cached.freeze_params({"horizon": 5})
