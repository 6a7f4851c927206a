"""The record behind stale-while-revalidate (analytics.cached, issue 18): bounded, the newest revisions
kept, one background refresh per page and revisions, a finished refresh makes the page current, a failed one
sends it to the foreground, and fits are held per fit key (display options and language are not part of it)."""

from __future__ import annotations

import threading

import pytest

from analytics import cached

URL = "market-overview"
INFO = {"id": 1, "name": "orders", "rows": 10, "revision": 1}


@pytest.fixture(autouse=True)
def empty_record():
    cached.forget_stale()
    yield
    for r in list(cached._RUNNING.values()):
        r.future.result(timeout=60)
    cached.forget_stale()


def ds(rev: int, dataset_id: int = 1) -> tuple:
    return (("orders", dataset_id, rev),)


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


def test_one_background_refresh_per_page_and_revisions_and_a_finished_one_makes_the_page_current(monkeypatch):
    gate, calls = threading.Event(), []

    def ensure_fit(url_path, datasets, params):
        calls.append((url_path, datasets, params, threading.current_thread().name))
        assert gate.wait(60)

    monkeypatch.setattr(cached, "ensure_fit", ensure_fit)
    cached.note_shown(URL, ds(1), [INFO])
    p = cached.freeze_params({"grain": "week"})
    first = cached.revalidate(URL, ds(2), p)
    again = cached.revalidate(URL, ds(2), cached.freeze_params({"grain": "day"}))
    assert again is first and not first.done()
    assert cached.stale_view(URL, ds(2)) is not None  # still running: the older revision is shown
    gate.set()
    first.future.result(timeout=60)
    assert cached.stale_view(URL, ds(2)) is None  # done: the page presents revision 2 from now on
    assert (URL, ds(2)) not in cached._RUNNING and (URL, ds(2)) in cached._READY
    assert calls == [(URL, ds(2), p, calls[0][3])] and calls[0][3].startswith("prism-refresh")


def test_a_failed_refresh_sends_the_page_to_the_foreground(monkeypatch):
    def ensure_fit(url_path, datasets, params):
        raise RuntimeError("engine gone")

    monkeypatch.setattr(cached, "ensure_fit", ensure_fit)
    cached.note_shown(URL, ds(1), [INFO])
    r = cached.revalidate(URL, ds(2), cached.freeze_params({}))
    with pytest.raises(RuntimeError):
        r.future.result(timeout=60)
    assert cached.stale_view(URL, ds(2)) is None and (URL, ds(2)) in cached._FAILED
    assert (URL, ds(2)) not in cached._READY


def test_a_held_fit_is_keyed_by_the_fit_parameters_not_the_display_options_or_the_language():
    month = cached.freeze_params({"grain": "month", "compare": "prev", "horizon": 3})
    week = cached.freeze_params({"grain": "week", "compare": "yoy", "horizon": 3})
    longer = cached.freeze_params({"grain": "month", "compare": "prev", "horizon": 6})
    cached._note_fitted(URL, ds(1), cached._fit_key(URL, month))
    assert cached.holds_fit(URL, ds(1), month) and cached.holds_fit(URL, ds(1), week)
    assert not cached.holds_fit(URL, ds(1), longer)  # the horizon is fitted (the forecast)
    assert not cached.holds_fit(URL, ds(2), month)


def test_the_record_is_bounded():
    for i in range(cached.SWR_SIZE + 10):
        cached.note_shown(URL, ds(1, dataset_id=i), [INFO])
        cached._note_fitted(URL, ds(1, dataset_id=i), cached.freeze_params({}))
    assert len(cached._SHOWN) == len(cached._READY) == len(cached._FITTED) == cached.SWR_SIZE
    assert next(iter(cached._SHOWN))[1] == (("orders", 10),)


def test_the_refresh_replays_what_was_served_on_the_older_revisions_most_recent_first(monkeypatch):
    """After the fit, the refresh serves on the new revisions the results, figures and calls served on the
    older ones (so the first reruns there find them cached); a call that fails does not fail the refresh."""
    done = []
    monkeypatch.setattr(cached, "ensure_fit", lambda u, d, p: done.append(("fit", d, p)))
    monkeypatch.setattr(cached, "presented", lambda u, d, p, lang: done.append(("presented", d, p, lang)))
    monkeypatch.setattr(cached, "page_figures", lambda u, d, p, lang: done.append(("figures", d, p, lang)))

    def call(u, fn, d, p, lang):
        done.append(("call", fn, d, p, lang))
        raise RuntimeError("no such column")

    monkeypatch.setattr(cached, "page_call", call)
    month, week = cached.freeze_params({"grain": "month"}), cached.freeze_params({"grain": "week"})
    opts = cached.freeze_params({})
    cached._note_served(URL, ds(1), ("call", "filter_options", opts, "en"))
    cached._note_served(URL, ds(1), ("presented", month, "en"))
    cached._note_served(URL, ds(1), ("figures", month, "en"))
    cached._note_served(URL, ds(1), ("presented", week, "zh"))
    cached._note_served(URL, ds(1), ("presented", month, "en"))  # served again: now the most recent
    cached._note_served(URL, ds(7), ("presented", week, "en"))  # another dataset: not replayed
    r = cached.revalidate(URL, ds(2), month, ds(1))
    r.future.result(timeout=60)
    assert done == [("fit", ds(2), month), ("presented", ds(2), month, "en"), ("presented", ds(2), week, "zh"),
                    ("figures", ds(2), month, "en"), ("call", "filter_options", ds(2), opts, "en")]
    assert cached.stale_view(URL, ds(2)) is None and (URL, ds(2)) in cached._READY


def test_what_was_served_is_bounded_per_page_and_revisions():
    for i in range(cached.SERVED_SIZE + 5):
        cached._note_served(URL, ds(1), ("presented", cached.freeze_params({"horizon": i}), "en"))
    served = list(cached._SERVED[(URL, ds(1))])
    assert len(served) == cached.SERVED_SIZE and served[0][1] == cached.freeze_params({"horizon": 5})
