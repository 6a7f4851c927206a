"""The ONLY module with st.cache_data / st.cache_resource, and the pages' single door to the store.

Cache keys are small scalars: dataset id + revision + parameters + language, never DataFrames
(Streamlit samples frames over 50,000 rows when hashing, so two uploads of the same shape could
collide). A dataset revision is loaded once per process (``st.cache_resource``) and shared; results
are cached per (page, datasets, parameters, language). The dataset lists are keyed by the catalogue's
stamp (one small query per call), so several server processes on one catalogue stay correct: a write
through any of them is seen by the others on their next rerun. Every result is keyed by dataset
revisions, never by time. What needs no Streamlit (keys, presented, store, swr, uploads) lives in
:mod:`analytics.serving` and is re-exported here.
"""

from __future__ import annotations

import inspect
import logging
import os
import threading
from typing import Any, Callable

import pandas as pd
import streamlit as st

from analytics import report as rep
from analytics.inputs import fit_params, uses_engine
from analytics.params import resolve
from analytics.registry import module
from analytics.serving.keys import DatasetKey, ParamKey, freeze_params, thaw_params
from analytics.serving.presented import Presented
from analytics.serving.presented import _BY_RESULT, _digest, source_of  # noqa: F401 (re-exported)
from analytics.serving.store import _stored, catalogue_stamp, inputs, revisions, store_params
from analytics.serving.store import (LEDGER_PAGES, get_object, ledger_entries, list_objects,  # noqa: F401
                                     list_presets)
from analytics.serving.swr import (_FAILED, _RUNNING, _SERVED, _SWR_LOCK, Refresh, _bounded_put, _fit_key,
                                   _note_fitted, _note_served, _reap, _rewindow, forget_stale, note_shown, older)
from analytics.serving.swr import (_FITTED, _READY, _SHOWN, REFRESH_MAX_S, SERVED_SIZE, STALE_MAX_S,  # noqa: F401
                                   SWR_SIZE, Shown, _ids, holds_fit, stale_view)
from analytics.serving.uploads import (default_dataset_name, files_relate, guess_kind,  # noqa: F401
                                       plan_connection, prepare_joined_upload, prepare_upload, warehouse_tables)
from data import repository, users
from data.access import Actor, may_change


# ---------------------------------------------------------------- reads


@st.cache_resource(show_spinner=False)
def warm_up(freeze: bool | None = None) -> threading.Thread:
    """Load the heavy libraries (statsmodels ~1.6 s, jieba's dictionary ~0.9 s, scikit-learn, plotly,
    implicit) and the analytics modules in the
    background once per server process, so the first page a user opens after signing in does not wait
    for imports. Caches stay cold; only import time moves.

    Then, in a server, every object that exists is moved out of the cyclic garbage collector's sight
    (``gc.freeze()``): the libraries live as long as the process, yet each full collection walked all of
    them, a pause of the whole process (~175 ms with a 1M-line fit cached, ~20 ms after the freeze; see
    docs/decisions.md, "Full garbage collections"). Objects are still freed by reference counting; only a
    cycle among objects alive at that moment would never be collected. Not under AppTest (many app runs in
    one process, each warming up again), unless asked.

    Parameters
    ----------
    freeze : bool | None
        Freeze the objects after loading; None: when a Streamlit server runs this process.

    Returns
    -------
    threading.Thread
        The loading thread (started).
    """
    if freeze is None:  # a real server's runtime (AppTest puts a mock of the class in its place)
        from streamlit.runtime import Runtime

        freeze = Runtime.exists() and type(Runtime.instance()) is Runtime

    def load() -> None:
        import importlib

        import implicit.als  # noqa: F401
        import jieba
        import pandas.io.formats.style  # noqa: F401  (jinja2, for styled tables)
        import plotly.graph_objects  # noqa: F401
        import plotly.subplots  # noqa: F401
        import sklearn.cluster  # noqa: F401
        import sklearn.linear_model  # noqa: F401
        import statsmodels.api  # noqa: F401
        from statsmodels.tsa.holtwinters import ExponentialSmoothing  # noqa: F401

        jieba.setLogLevel(60)
        jieba.initialize()
        from data import engine

        engine.connection()  # DuckDB and Ibis (~0.3 s to import)
        from analytics.registry import PAGES

        for p in PAGES:  # the page modules themselves (and what they import at the top)
            importlib.import_module(p.module)
        if freeze:
            import gc

            gc.collect()  # what is garbage now is collected first, not frozen
            gc.freeze()

    th = threading.Thread(target=load, name="prism-warm-up", daemon=True)
    th.start()
    return th


@st.cache_resource(show_spinner=False)
def ensure_store() -> list[int]:
    """Apply pending migrations once per server process (an upgraded app on an older database file).

    Returns
    -------
    list[int]
        The migrations applied.
    """
    return repository.init_store()


def list_datasets(kind: str | None = None) -> list[dict]:
    """The datasets (of one kind), cached per catalogue stamp: a new revision, upload, rename or delete
    made by another server shows on this server's next call (no time-to-live to wait out).

    Parameters
    ----------
    kind : str | None
        A dataset kind, or None for all.

    Returns
    -------
    list[dict]
        One dict per dataset.
    """
    return _list_datasets(kind, catalogue_stamp())


def get_dataset(dataset_id: int) -> dict | None:
    """One dataset's catalogue row, cached per catalogue stamp (None when it does not exist).

    Parameters
    ----------
    dataset_id : int
        The dataset's id.

    Returns
    -------
    dict | None
        The dataset's dict, or None.
    """
    return _get_dataset(int(dataset_id), catalogue_stamp())


@st.cache_data(max_entries=64, show_spinner=False)
def _list_datasets(kind: str | None, stamp: str) -> list[dict]:
    return repository.list_datasets(kind=kind)


@st.cache_data(max_entries=256, show_spinner=False)
def _get_dataset(dataset_id: int, stamp: str) -> dict | None:
    return repository.get_dataset(dataset_id=dataset_id)


list_datasets.clear = _list_datasets.clear  # type: ignore[attr-defined]  (tests and writes clear them)
get_dataset.clear = _get_dataset.clear  # type: ignore[attr-defined]


@st.cache_resource(max_entries=8, show_spinner=False)
def frame(dataset_id: int, revision: int) -> pd.DataFrame:
    """One dataset revision, every line in memory, loaded once per process and shared (treat as
    read-only): the Data page's download of a dataset, nothing else.

    Parameters
    ----------
    dataset_id : int
        The dataset's id.
    revision : int
        Its revision (part of the cache key).

    Returns
    -------
    pd.DataFrame
        The canonical frame.
    """
    return repository.load_frame(dataset_id=int(dataset_id))


def page_fit(url_path: str, datasets: DatasetKey, params: ParamKey) -> Any:
    """A page's language-free fit (modules on the engine), per dataset revisions + fit parameters.
    Shared by every session and language: treat it as read-only (results are frozen dataclasses). Noted
    as fitted in this process (:func:`stale`).

    Parameters
    ----------
    url_path : str
        The page's URL path.
    datasets : DatasetKey
        (kind, dataset id, revision) of each dataset.
    params : ParamKey
        The frozen fit parameters.

    Returns
    -------
    Any
        The page module's fit.
    """
    out = _page_fit(url_path, datasets, params)
    _note_fitted(url_path, datasets, params, out)
    return out


@st.cache_resource(max_entries=64, show_spinner=False)
def _page_fit(url_path: str, datasets: DatasetKey, params: ParamKey) -> Any:
    p = thaw_params(params)
    mod = module(url_path)
    base = None
    if uses_engine(mod) and hasattr(mod, "fit_base"):
        base = _page_base(url_path, datasets, freeze_params(mod.base_params(p)))
    return rep.fit_page(url_path, inputs(datasets), p, base=base)


@st.cache_resource(max_entries=4, show_spinner=False)
def _page_base(url_path: str, datasets: DatasetKey, params: ParamKey) -> Any:
    """The engine's part of a page's fit (a module with ``fit_base`` / ``base_params``: the segmentation
    explorer), per dataset revisions and the parameters it depends on, so a fit that differs only in what
    Python computes from it (a group model, the clusters' k, a tier what-if) does not read the lines again.
    Few entries: a base is what one set of dates and analysis date gives (~360 MB at the 10M bench lines)
    and serves the option changes made while those stay."""
    return rep.fit_base_page(url_path, inputs(datasets), thaw_params(params))


def page_result(url_path: str, datasets: DatasetKey, params: ParamKey, lang: str) -> dict:
    """What the page shows. For a module on the engine: ``present`` of the cached fit, so switching the
    language or a display option never refits. The dict is shared by every session (like the fits, it is
    not copied per rerun): treat it as read-only.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    datasets : DatasetKey
        (kind, dataset id, revision) of each dataset.
    params : ParamKey
        The frozen page parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page's result, JSON-safe.
    """
    return presented(url_path, datasets, params, lang).result


def presented(url_path: str, datasets: DatasetKey, params: ParamKey, lang: str) -> Presented:
    """The page's result with what the screen prepares from it (:class:`Presented`), cached on the same
    key as :func:`page_result`.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    datasets : DatasetKey
        (kind, dataset id, revision) of each dataset.
    params : ParamKey
        The frozen page parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    Presented
        The shared presented result.
    """
    _note_served(url_path, datasets, ("presented", params, lang))
    return _page_result(url_path, datasets, _stored(url_path, params), lang)


@st.cache_resource(max_entries=64, show_spinner=False)
def _page_result(url_path: str, datasets: DatasetKey, params: ParamKey, lang: str) -> Presented:
    mod = module(url_path)
    p = thaw_params(params)
    if uses_engine(mod):
        fitted = page_fit(url_path, datasets, freeze_params(fit_params(mod, resolve(getattr(mod, "PARAMS", []), p))))
        return Presented(rep.present_page(url_path, fitted, p, lang))
    return Presented(rep.compute_page(url_path, inputs(datasets), p, lang))


def ensure_fit(url_path: str, datasets: DatasetKey, params: ParamKey) -> None:
    """Fit now (cached) what ``page_result`` with the same key will present, so a page can show progress
    around the slow part; a module not on the engine computes its whole result.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    datasets : DatasetKey
        (kind, dataset id, revision) of each dataset.
    params : ParamKey
        The frozen page parameters.
    """
    mod = module(url_path)
    params = _stored(url_path, params)
    p = thaw_params(params)
    if uses_engine(mod):
        page_fit(url_path, datasets, freeze_params(fit_params(mod, resolve(getattr(mod, "PARAMS", []), p))))
    else:
        _page_result(url_path, datasets, params, "en")


def page_figures(url_path: str, datasets: DatasetKey, params: ParamKey, lang: str) -> list[dict]:
    """The page's figures in ``lang``, cached on the same key as :func:`page_result`.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    datasets : DatasetKey
        (kind, dataset id, revision) of each dataset.
    params : ParamKey
        The frozen page parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``.
    """
    _note_served(url_path, datasets, ("figures", params, lang))
    return _page_figures(url_path, datasets, _stored(url_path, params), lang)


@st.cache_resource(max_entries=64, show_spinner=False)
def _page_figures(url_path: str, datasets: DatasetKey, params: ParamKey, lang: str) -> list[dict]:
    return rep.figures_for(url_path, _page_result(url_path, datasets, params, lang).result, lang)


# ---------------------------------------------------------------- stale while revalidate (issue 18)
#
# A new revision of a dataset must not stall a page that already shows the previous one: its first rerun
# would otherwise fit the new revision in the foreground (seconds at a million lines), and every session
# of the server waits on that one fit. So, per page and dataset ids, this process remembers the newest
# revisions it presented the page on (and their catalogue infos) and which fits it holds. While the
# current revisions' fit is not held here, a page that was presented on older revisions shows those, with
# the current display options and language (the older fit is cached, presenting it is quick), says so,
# and the current fit runs in one background thread through the same cached functions; the page reruns
# itself when it is done (components/page.py). Nothing here is shared between processes: each server
# refreshes its own caches, and a page never shown in this process fits in the foreground as before.
# The bookkeeping (the lock, the bounded records, stale_view, holds_fit) is analytics.serving.swr; the
# refresh, which goes through the cached functions, is here.

REFRESH_NICE = 10  # the background refresh thread's nice value (the reruns' threads keep 0)
_QUEUE: Any = None  # the refresh thread's queue of (future, page, datasets, params, shown, infos, window)
_log = logging.getLogger("prism.refresh")


def window_of(url_path: str | None, datasets: DatasetKey) -> dict | None:
    """The page's own default window as its module computes it (``default_window`` among its
    LANGUAGE_FREE_CALLS, e.g. the market overview's last complete month), cached per datasets.

    Parameters
    ----------
    url_path : str | None
        The page's URL path.
    datasets : DatasetKey
        (kind, dataset id, revision) of each dataset.

    Returns
    -------
    dict | None
        ``start``, ``end`` (ISO dates, absent when there is no complete period) and the module's other
        keys; None for a page without one, or without datasets.
    """
    if not url_path or not datasets:
        return None
    try:
        mod = module(url_path)
    except (KeyError, ImportError):
        return None
    if "default_window" not in getattr(mod, "LANGUAGE_FREE_CALLS", ()):
        return None
    return page_call(url_path, "default_window", datasets, freeze_params({}), "")


def default_window(url_path: str | None, datasets: DatasetKey) -> tuple[Any, Any] | None:
    """The page's default window on ``datasets`` as the sidebar puts it in place: (start, end) dates,
    (None, None) (the whole data) when there is no complete period, None for a page without one.

    Parameters
    ----------
    url_path : str | None
        The page's URL path.
    datasets : DatasetKey
        (kind, dataset id, revision) of each dataset.

    Returns
    -------
    tuple | None
        (start, end), or None.
    """
    from datetime import date

    win = window_of(url_path, datasets)
    if win is None:
        return None
    if not win.get("start"):
        return (None, None)
    return date.fromisoformat(win["start"]), date.fromisoformat(win["end"])


def _refresh(url_path: str, datasets: DatasetKey, params: ParamKey, shown: DatasetKey, infos: tuple,
             window: tuple[Any, Any] | None) -> None:
    """The background refresh: the fit of ``datasets`` (in the page's default window on them when the
    session's window is the automatic one, ``window``), then what was served on the older revisions
    ``shown`` with the same fit (results in their languages and display options, figures) and the page's
    calls (filter options, default window), most recent first, through the same cached functions, so
    they land in the caches before the page switches over; then the page counts as presented there
    (``infos``). Only the fit's failure fails the refresh: a call that raises here will raise in the
    foreground too, which shows it as a message."""
    key = (url_path, datasets)
    try:
        new_window = default_window(url_path, datasets) if window is not None else None
        params = _rewindow(params, window, new_window)
        ensure_fit(url_path, datasets, params)
        extra = store_params(url_path)  # one catalogue read for every item below
        fit_key = _fit_key(url_path, params, extra)
        with _SWR_LOCK:
            todo = list(reversed(_SERVED.get((url_path, shown), {})))
        for what in todo:
            try:
                if what[0] == "call":
                    page_call(url_path, what[1], datasets, _rewindow(what[2], window, new_window), what[3])
                    continue
                p = _rewindow(what[1], window, new_window)
                if _fit_key(url_path, p, extra) != fit_key:  # another fit: not worth delaying the switch for
                    continue
                (presented if what[0] == "presented" else page_figures)(url_path, datasets, p, what[2])
            except Exception:  # noqa: BLE001 - see the docstring
                continue
    except BaseException:
        _log.exception("refresh of %s on %s failed; the page computes in the foreground", url_path, datasets)
        with _SWR_LOCK:
            _bounded_put(_FAILED, key)
        raise
    note_shown(url_path, datasets, infos)


def _work() -> None:
    """The refresh thread (a daemon: a server that stops does not wait for queued refreshes). It runs at a
    lower CPU priority (Linux nices threads one by one), so the reruns it serves meanwhile keep the cores
    first."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), REFRESH_NICE)
    except (OSError, AttributeError):  # not Linux, or not allowed: the same thread at the same priority
        pass
    while True:
        future, args = _QUEUE.get()
        if not future.set_running_or_notify_cancel():  # superseded by a newer revision while queued
            continue
        try:
            future.set_result(_refresh(*args))
        except BaseException as exc:  # noqa: BLE001 - the outcome goes to whoever waits on the future
            future.set_exception(exc)


def revalidate(url_path: str, datasets: DatasetKey, params: ParamKey, shown: DatasetKey = (),
               infos: list | tuple = (), window: tuple[Any, Any] | None = None) -> Refresh:
    """Refresh the page on ``datasets`` in the background (:func:`_refresh`): one refresh per page and
    revisions per process, one background thread per process, so refreshes never multiply the load; a
    queued refresh of older revisions of the same datasets is cancelled (the newest one supersedes it).

    Parameters
    ----------
    url_path : str
        The page's URL path.
    datasets : DatasetKey
        The current (kind, dataset id, revision) of each dataset.
    params : ParamKey
        The frozen page parameters of the session that asked first.
    shown : DatasetKey
        The older revisions the page is presented on meanwhile.
    infos : list | tuple
        The current revisions' catalogue infos.
    window : tuple | None
        The session's (start, end) when it is the page's automatic default window, else None.

    Returns
    -------
    Refresh
        The queued, running or finished refresh.
    """
    import concurrent.futures
    import queue
    import time

    global _QUEUE
    key = (url_path, datasets)
    with _SWR_LOCK:
        _reap()
        running = _RUNNING.get(key)
        if running is None:
            for k, r in list(_RUNNING.items()):
                if k[0] == url_path and older(k[1], datasets) and r.future.cancel():
                    del _RUNNING[k]
            if _QUEUE is None:
                _QUEUE = queue.Queue()
                threading.Thread(target=_work, name="prism-refresh", daemon=True).start()
            future: Any = concurrent.futures.Future()
            running = _RUNNING[key] = Refresh(future, time.monotonic(), datasets)
            _QUEUE.put((future, (url_path, datasets, params, shown, tuple(dict(i) for i in infos), window)))
    return running


def page_call(url_path: str, fn: str, datasets: DatasetKey, params: ParamKey, lang: str) -> Any:
    """Any other function of the page's module with the signature ``fn(tables or frames, params, lang)``
    (drill-downs, what-ifs, target lists); cached on the same small key. A function that takes
    ``fitted=`` gets the page's cached fit for these parameters, so it never fits again. A function the
    module lists in ``LANGUAGE_FREE_CALLS`` (its result has no text) is cached once for every language.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    fn : str
        Name of the module's function.
    datasets : DatasetKey
        (kind, dataset id, revision) of each dataset.
    params : ParamKey
        The frozen page parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    Any
        What the function returns.
    """
    if fn in getattr(module(url_path), "LANGUAGE_FREE_CALLS", ()):
        lang = ""
    _note_served(url_path, datasets, ("call", fn, params, lang))
    return _page_call(url_path, fn, datasets, _stored(url_path, params), lang)


@st.cache_data(max_entries=128, show_spinner=False)
def _page_call(url_path: str, fn: str, datasets: DatasetKey, params: ParamKey, lang: str) -> Any:
    mod = module(url_path)
    p = thaw_params(params)
    kw: dict[str, Any] = {}
    if uses_engine(mod) and "fitted" in inspect.signature(getattr(mod, fn)).parameters:
        kw["fitted"] = page_fit(url_path, datasets, freeze_params(fit_params(mod, resolve(getattr(mod, "PARAMS", []), p))))
    return rep.call_page(url_path, fn, inputs(datasets), p, lang or "en", **kw)


def report_html(url_path: str, datasets: DatasetKey, params: ParamKey, lang: str, user: str) -> str:
    """The page's HTML report (:func:`analytics.report.to_html`) from the cached result and figures.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    datasets : DatasetKey
        (kind, dataset id, revision) of each dataset.
    params : ParamKey
        The frozen page parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    user : str
        Who generated the report.

    Returns
    -------
    str
        The HTML document.
    """
    return _report_html(url_path, datasets, params, _stored(url_path, params), lang, user)


@st.cache_data(max_entries=32, show_spinner=False)
def _report_html(url_path: str, datasets: DatasetKey, params: ParamKey, stored: ParamKey, lang: str,
                 user: str) -> str:
    """The HTML report, keyed also on the catalogue's fit parameters (``stored``, :func:`_stored`)."""
    result = page_result(url_path, datasets, params, lang)
    figs = page_figures(url_path, datasets, params, lang)
    infos = infos_at(datasets)
    return rep.to_html(url_path, result, figs, lang=lang, user=user, filters=thaw_params(params), datasets=infos)


def infos_at(datasets: DatasetKey) -> list[dict]:
    """Each dataset's id, name, kind, revision and rows AT the revision named in ``datasets`` (a report of
    an older revision, shown while a newer one refreshes or remembered for a review pack, is labelled
    with that revision and its row count, not the dataset's current ones).

    Parameters
    ----------
    datasets : DatasetKey
        (kind, dataset id, revision) of each dataset.

    Returns
    -------
    list[dict]
        One dict per dataset.
    """
    out = []
    for kind, ds_id, rev in datasets:
        info = {k: v for k, v in (get_dataset(ds_id) or {"id": ds_id, "kind": kind}).items()
                if k in ("id", "name", "kind", "revision", "rows")}
        if info.get("revision") is not None and int(info["revision"]) != int(rev):
            row = next((r for r in revisions(ds_id) if int(r["revision"]) == int(rev)), None)
            info.update(revision=int(rev), rows=int(row["rows_total"]) if row is not None else None)
        out.append(info)
    return out


def review_pack_pdf(views: tuple[tuple[str, DatasetKey, ParamKey, bool], ...], lang: str, user: str,
                    progress: Callable[[str], None] | None = None) -> bytes:
    """The PDF review pack: one section per ``(url_path, datasets, params, defaults)`` view, from the cached
    page results and figures (only the printing is new work). ``progress(url_path)`` after each page.
    Raises ``review_pack.ChromiumMissing`` / ``PdfFailed`` (AnalyticsErrors) when it cannot print.

    Parameters
    ----------
    views : tuple[tuple[str, DatasetKey, ParamKey, bool], ...]
        (url_path, datasets, params, defaults used) per page.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    user : str
        Who generated the pack.
    progress : Callable[[str], None] | None
        Called with each page's URL path when it is done, or None.

    Returns
    -------
    bytes
        The PDF.
    """
    from analytics import review_pack
    from analytics.common import AnalyticsError
    from analytics.i18n import t

    chromium = review_pack.find_chromium()  # say so before computing pages
    sections = []
    for url_path, datasets, params, defaults in views:
        infos = infos_at(datasets)
        filters = thaw_params(params)
        try:
            sections.append(review_pack.Section(
                url_path, page_result(url_path, datasets, params, lang), page_figures(url_path, datasets, params, lang),
                filters=filters, datasets=infos, defaults=defaults))
        except AnalyticsError as exc:
            sections.append(review_pack.Section(url_path, None, filters=filters, datasets=infos, defaults=defaults,
                                                error=t(exc.key, lang, **exc.kwargs)))
        if progress is not None:
            progress(url_path)
    return review_pack.build_pdf(sections, lang=lang, user=user, chromium=chromium)


# ---------------------------------------------------------------- writes (clear what they affect)


def clear_store_caches() -> None:
    """Not needed for correctness any more (the lists are keyed by the catalogue stamp); frees memory."""
    _list_datasets.clear()
    _get_dataset.clear()


def clear_all() -> None:
    """Every cache (benchmarks measure cold renders; tests write to the store directly)."""
    st.cache_data.clear()
    st.cache_resource.clear()
    forget_stale()


def _after_write(fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            clear_store_caches()

    wrapper.__doc__ = fn.__doc__
    wrapper.__name__ = fn.__name__
    return wrapper


def actor(user: str | None = None, role: str | None = None) -> Actor:
    """The acting user for a write: ``user`` (default: the signed-in session's username) with ``role``
    (default: read from the users file, never from the browser; an unknown user acts as a viewer).

    Parameters
    ----------
    user : str | None
        The user's name, or None.
    role : str | None
        The user's role, or None.

    Returns
    -------
    Actor
        The actor.
    """
    if user is None and st.session_state.get("authentication_status"):
        user = st.session_state.get("username")
    if role is None:
        role = users.get_role(user) if user else None
    return Actor(user or "", role or "viewer")


def may_change_dataset(info: dict, user: str | None = None, role: str | None = None) -> bool:
    """Whether the user may append to, replace, rename or delete this dataset (the repository's rule).

    Parameters
    ----------
    info : dict
        The dataset's dict (``uploaded_by``).
    user : str | None
        The user's name (None: the signed-in user).
    role : str | None
        The user's role (None: from the users file).

    Returns
    -------
    bool
        True when allowed.
    """
    return may_change(actor(user, role), info.get("uploaded_by"))


@_after_write
def rename_dataset(dataset_id: int, name: str, *, user: str | None = None, role: str | None = None) -> None:
    """Rename a dataset as the acting user (the caches of the store are cleared after the write).

    Parameters
    ----------
    dataset_id : int
        The dataset's id.
    name : str
        The new name.
    user : str | None
        The user's name (None: the signed-in user).
    role : str | None
        The user's role (None: from the users file).
    """
    repository.rename_dataset(dataset_id=int(dataset_id), name=name, actor=actor(user, role))


@_after_write
def delete_dataset(dataset_id: int, *, user: str | None = None, role: str | None = None) -> bool:
    """Delete a dataset as the acting user (the caches of the store are cleared after the write).

    Parameters
    ----------
    dataset_id : int
        The dataset's id.
    user : str | None
        The user's name (None: the signed-in user).
    role : str | None
        The user's role (None: from the users file).

    Returns
    -------
    bool
        True when deleted.
    """
    return repository.delete_dataset(dataset_id=int(dataset_id), actor=actor(user, role))


@_after_write
def save_object(kind: str, name: str, owner: str, payload: dict, object_id: int | None = None, *,
                role: str | None = None) -> int:
    """Save a new item owned by ``owner`` (the acting user) or update one (its owner or an admin).

    Parameters
    ----------
    kind : str
        The object kind.
    name : str
        Its name.
    owner : str
        The acting user.
    payload : dict
        The object's payload.
    object_id : int | None
        The object to update, or None for a new one.
    role : str | None
        The user's role (None: from the users file).

    Returns
    -------
    int
        The object's id.
    """
    return repository.save_object(kind=kind, name=name, owner=owner, payload=payload, object_id=object_id,
                                  actor=actor(owner or None, role))


@_after_write
def delete_object(object_id: int, *, user: str | None = None, role: str | None = None) -> bool:
    """Delete a saved object as the acting user (its owner or an admin).

    Parameters
    ----------
    object_id : int
        The object's id.
    user : str | None
        The user's name (None: the signed-in user).
    role : str | None
        The user's role (None: from the users file).

    Returns
    -------
    bool
        True when deleted.
    """
    return repository.delete_object(object_id=int(object_id), actor=actor(user, role))


@_after_write
def save_preset(name: str, kind: str, mapping: dict[str, str], owner: str, *, role: str | None = None) -> int:
    """Save ``owner``'s mapping preset (per owner: never replaces another owner's preset of that name).

    Parameters
    ----------
    name : str
        The preset's name.
    kind : str
        The dataset kind.
    mapping : dict[str, str]
        Canonical field -> source column.
    owner : str
        The acting user.
    role : str | None
        The user's role (None: from the users file).

    Returns
    -------
    int
        The preset's id.
    """
    return repository.save_preset(name=name, kind=kind, mapping=mapping, actor=actor(owner or None, role))


@_after_write
def connect_table(plan, name: str = "", *, user: str | None = None, role: str | None = None) -> dict:
    """Store a checked connection as a dataset of the acting user (an analyst or admin; a viewer gets
    NotAllowed). The store's caches are cleared afterwards.

    Parameters
    ----------
    plan : data.connect.Plan
        The checked connection (:func:`plan_connection`).
    name : str
        The dataset's name (empty: the table's name).
    user : str | None
        The user's name (None: the signed-in user).
    role : str | None
        The user's role (None: from the users file).

    Returns
    -------
    dict
        The new dataset's catalogue row.
    """
    return repository.connect_table(plan=plan, name=name, actor=actor(user, role))


@_after_write
def commit_upload(prepared, *, user: str | None = None, role: str | None = None, **kwargs: Any) -> dict:
    """Store a prepared upload as the acting user (create, or append/replace a dataset they may change).

    Parameters
    ----------
    prepared
        The prepared upload.
    user : str | None
        The user's name (None: the signed-in user).
    role : str | None
        The user's role (None: from the users file).
    **kwargs : Any
        Passed on to data.ingest.commit (``name``, ``mode``, ``dataset_id``, ``keep_good_rows``, ...).

    Returns
    -------
    dict
        The stored dataset plus ``dataset_id``, ``rejected_rows``, ``mapping``, ``bad_share``
        (data.ingest.commit).
    """
    from data import ingest

    return ingest.commit(prepared, actor=actor(user, role), **kwargs)


# ---------------------------------------------------------------- acquisition ceiling (issue 17 item 6)


@st.cache_data(max_entries=16, show_spinner=False)
def first_purchases(orders: DatasetKey) -> pd.DataFrame | None:
    """The orders' first purchases per channel and day (analytics.acquisition.first_purchases), per revision.

    Parameters
    ----------
    orders : DatasetKey
        The orders dataset(s): (kind, dataset id, revision) triples.

    Returns
    -------
    pd.DataFrame | None
        Columns ``channel``, ``day``, ``buyers``, ``value``; None when the orders have no channel column.
    """
    from analytics import acquisition

    with rep.engine_limits():
        return acquisition.first_purchases(inputs(orders).tables()["orders"])


def acquisition_ceiling(url_path: str, datasets: DatasetKey, params: ParamKey, lang: str) -> dict:
    """The planner's acquisition ceiling: its cached fit's weekly spend against the Segmentation explorer's
    cached fit (its CLV model; the same cache entry the Segmentation page uses for these orders and dates at
    its default settings) and the orders' first purchases. Nothing is refitted or recomputed on a rerun:
    the result is cached on the same key and shared (treat it as read-only).

    Parameters
    ----------
    url_path : str
        The planner's URL path.
    datasets : DatasetKey
        The page's datasets (the orders among them feed the segmentation and the first purchases).
    params : ParamKey
        The page's parameters (the ledger entries are added, as for the page's fit).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        :func:`analytics.promotions.acquisition_ceiling` (``status``, ``margin``, ``segments``, ``channels``,
        ``findings``, ``warnings``, ...); status ``"no_orders"`` without an orders dataset.
    """
    return _acquisition_ceiling(url_path, datasets, _stored(url_path, params), lang).result


@st.cache_resource(max_entries=32, show_spinner=False)
def _acquisition_ceiling(url_path: str, datasets: DatasetKey, params: ParamKey, lang: str) -> Presented:
    """The ceiling, computed once per key and shared read-only (it took 100-400 ms on every rerun)."""
    from analytics import promotions
    from analytics.common import AnalyticsError, EngineLimit

    p = thaw_params(params)
    mod = module(url_path)
    fitted = page_fit(url_path, datasets, freeze_params(fit_params(mod, resolve(getattr(mod, "PARAMS", []), p))))
    orders = tuple(d for d in datasets if d[0] == "orders")
    seg = first = None
    if orders:
        try:
            seg = page_fit("segmentation-explorer", orders, freeze_params(promotions.segmentation_params(p)))
        except EngineLimit:  # not "no CLV for these orders": a ceiling without it must not be cached
            raise
        except AnalyticsError:
            seg = None
        first = first_purchases(orders)
    return Presented(promotions.acquisition_ceiling(fitted.model.data, seg, first, p, lang, orders=bool(orders)))


# ---------------------------------------------------------------- incrementality ledger (issue 17)
# (its reads, ledger_entries and store_params: analytics.serving.store)


def may_change_entry(entry: dict, user: str | None = None, role: str | None = None) -> bool:
    """Whether the user may edit or delete this ledger entry (its owner or an admin; the repository checks
    it again where it writes).

    Parameters
    ----------
    entry : dict
        The ledger entry (its ``owner``).
    user : str | None
        The user's name (None: the signed-in user).
    role : str | None
        The user's role (None: from the users file).

    Returns
    -------
    bool
        True when the user may change it.
    """
    return may_change(actor(user, role), entry.get("owner"))


def ledger_add(raw: dict, *, user: str | None = None, role: str | None = None) -> int:
    """Validate and save an entry as the acting user (LedgerError / NotAllowed say why not).

    Parameters
    ----------
    raw : dict
        Raw fields (see analytics.ledger.validate).
    user : str | None
        The user's name (None: the signed-in user).
    role : str | None
        The user's role (None: from the users file).

    Returns
    -------
    int
        The entry's id.
    """
    from analytics import ledger

    return ledger.add(raw, actor=actor(user, role))


def ledger_update(entry_id: int, *, channel: str | None = None, spend: Any = None, user: str | None = None,
                  role: str | None = None) -> dict:
    """Change an entry's channel and / or spend as the acting user (analytics.ledger.update).

    Parameters
    ----------
    entry_id : int
        The entry's id.
    channel : str | None
        New channel, or None.
    spend : Any
        New spend, or None.
    user : str | None
        The user's name (None: the signed-in user).
    role : str | None
        The user's role (None: from the users file).

    Returns
    -------
    dict
        The entry.
    """
    from analytics import ledger

    return ledger.update(int(entry_id), actor=actor(user, role), channel=channel, spend=spend)


def ledger_delete(entry_id: int, *, user: str | None = None, role: str | None = None) -> bool:
    """Delete an entry as the acting user (analytics.ledger.delete).

    Parameters
    ----------
    entry_id : int
        The entry's id.
    user : str | None
        The user's name (None: the signed-in user).
    role : str | None
        The user's role (None: from the users file).

    Returns
    -------
    bool
        True when deleted.
    """
    from analytics import ledger

    return ledger.delete(int(entry_id), actor=actor(user, role))
