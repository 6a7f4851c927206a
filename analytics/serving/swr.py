"""The bookkeeping of stale-while-revalidate (issue 18), pure Python: what this process presented, holds,
refreshes and saw fail (one lock, bounded records), whether a page is shown on older revisions
(:func:`stale_view`) and whether a fit is held (:func:`holds_fit`). The refresh itself, which goes through the
cached functions, is :func:`analytics.cached.revalidate`."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Any

from analytics.inputs import fit_params, uses_engine
from analytics.params import resolve
from analytics.registry import module

from .keys import DatasetKey, ParamKey, freeze_params, thaw_params
from .store import store_params


SWR_SIZE = 256
STALE_MAX_S = 300.0  # an older view is served only this long after it was last presented fresh (< GRACE_S)
REFRESH_MAX_S = 120.0  # a refresh running longer than this sends the page to the foreground
SERVED_SIZE = 24  # the most recent results, figures and calls per page and revisions replayed on a new one
_SWR_LOCK = threading.Lock()
_SHOWN: "OrderedDict[tuple, Shown]" = OrderedDict()  # (page, dataset ids) -> newest revisions presented
_FITTED: "OrderedDict[tuple, Any]" = OrderedDict()  # (page, datasets, fit key) -> weak reference to the fit
_READY: "OrderedDict[tuple, None]" = OrderedDict()  # (page, datasets) presented or refreshed in this process
_RUNNING: dict[tuple, "Refresh"] = {}  # (page, datasets) -> background refresh, queued or running
_FAILED: "OrderedDict[tuple, None]" = OrderedDict()  # (page, datasets) whose background fit raised
_SERVED: "OrderedDict[tuple, OrderedDict]" = OrderedDict()  # (page, datasets) -> what was served on them


class Shown:
    """The newest dataset revisions a page was presented on in this process, with their catalogue infos
    (name, rows, revision: what the page's footer says) and when it was last presented there.

    Parameters
    ----------
    datasets : DatasetKey
        (kind, dataset id, revision) of each dataset.
    infos : tuple
        The datasets' catalogue infos at those revisions.
    at : float
        ``time.monotonic()`` of the last presentation.
    """

    def __init__(self, datasets: DatasetKey, infos: tuple, at: float) -> None:
        self.datasets, self.infos, self.at = datasets, infos, at


class Refresh:
    """The background refresh of a page's current revisions.

    Parameters
    ----------
    future : concurrent.futures.Future
        Its outcome.
    started : float
        ``time.monotonic()`` when it was asked for.
    datasets : DatasetKey
        The revisions it fits.
    """

    def __init__(self, future: Any, started: float, datasets: DatasetKey) -> None:
        self.future, self.started, self.datasets = future, started, datasets

    def done(self) -> bool:
        """True once the refresh has finished (the page's next rerun presents the current revisions).

        Returns
        -------
        bool
            Whether it finished (also when it failed or was superseded: the next rerun decides again).
        """
        return self.future.done()


def _ids(datasets: DatasetKey) -> tuple:
    return tuple((k, int(i)) for k, i, _ in datasets)


def older(old: DatasetKey, new: DatasetKey) -> bool:
    """True when ``old`` names the same datasets as ``new`` at revisions no newer, one of them older.

    Parameters
    ----------
    old, new : DatasetKey
        (kind, dataset id, revision) of each dataset.

    Returns
    -------
    bool
        Whether ``old`` is an older view of ``new``'s datasets.
    """
    return (_ids(old) == _ids(new) and all(a[2] <= b[2] for a, b in zip(old, new))
            and any(a[2] < b[2] for a, b in zip(old, new)))


def _bounded_put(d: OrderedDict, key: Any, value: Any = None) -> None:
    d[key] = value
    d.move_to_end(key)
    while len(d) > SWR_SIZE:
        d.popitem(last=False)


def _note_served(url_path: str, datasets: DatasetKey, what: tuple) -> None:
    """Note a result, figures or call served on ``datasets`` (the refresh of a newer revision replays
    the most recent ones, so the page's first reruns there find them cached)."""
    if not datasets:
        return
    with _SWR_LOCK:
        served = _SERVED.get((url_path, datasets))
        if served is None:
            served = OrderedDict()
            _bounded_put(_SERVED, (url_path, datasets), served)
        served[what] = None
        served.move_to_end(what)
        while len(served) > SERVED_SIZE:
            served.popitem(last=False)


def _note_fitted(url_path: str, datasets: DatasetKey, fit_key: ParamKey, fitted: Any = None) -> None:
    try:
        ref = weakref.ref(fitted)
    except TypeError:  # not weakly referable: never counted as held (the page then fits in the foreground)
        return
    with _SWR_LOCK:
        _bounded_put(_FITTED, (url_path, datasets, fit_key), ref)


def _fit_key(url_path: str, params: ParamKey, extra: dict | None = None) -> ParamKey | None:
    """The fit key of a page's parameters (None for a module not on the engine); ``extra``: the page's
    catalogue parameters when the caller already read them (:func:`store_params`)."""
    mod = module(url_path)
    if not uses_engine(mod):
        return None
    p = {**thaw_params(params), **(store_params(url_path) if extra is None else extra)}
    return freeze_params(fit_params(mod, resolve(getattr(mod, "PARAMS", []), p)))


def _rewindow(params: ParamKey, old: tuple[Any, Any] | None, new: tuple[Any, Any] | None) -> ParamKey:
    """``params`` with the automatic window ``old`` replaced by ``new`` (other windows kept)."""
    p = thaw_params(params)
    if old is None or new is None or (p.get("start"), p.get("end")) != tuple(old):
        return params
    return freeze_params({**p, "start": new[0], "end": new[1]})


def note_shown(url_path: str, datasets: DatasetKey, infos: list | tuple) -> None:
    """Record that the page was presented on ``datasets`` in this process (or is ready to be: a finished
    refresh); an older record of the same datasets is replaced by a newer one, never the other way round.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    datasets : DatasetKey
        (kind, dataset id, revision) of each dataset.
    infos : list | tuple
        The datasets' catalogue infos (copied).
    """
    if not datasets:
        return
    import time

    key = (url_path, _ids(datasets))
    with _SWR_LOCK:
        _bounded_put(_READY, (url_path, datasets))
        old = _SHOWN.get(key)
        if old is not None and older(datasets, old.datasets):
            return
        _bounded_put(_SHOWN, key, Shown(datasets, tuple(dict(i) for i in infos), time.monotonic()))


def stale_view(url_path: str, datasets: DatasetKey) -> Shown | None:
    """The older revisions to present a page on while its current ones are fitted in the background, or
    None (present the current ones): None when the page's module is not on the engine, this process
    presented the page on ``datasets`` or finished refreshing it there, never presented it on older
    revisions of the same datasets or not for ``STALE_MAX_S`` (a replaced revision's parts stay readable
    for 600 s), or the refresh of ``datasets`` failed or has run for over ``REFRESH_MAX_S``.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    datasets : DatasetKey
        The current (kind, dataset id, revision) of each dataset.

    Returns
    -------
    Shown | None
        The older revisions and their infos, or None.
    """
    import time

    if not datasets:
        return None
    try:
        if not uses_engine(module(url_path)):
            return None
    except (KeyError, ImportError):
        return None
    now = time.monotonic()
    with _SWR_LOCK:
        _reap()
        key = (url_path, datasets)
        running = _RUNNING.get(key)
        if key in _FAILED or key in _READY or (running is not None and now - running.started > REFRESH_MAX_S):
            return None
        shown = _SHOWN.get((url_path, _ids(datasets)))
    if shown is None or not older(shown.datasets, datasets) or now - shown.at > STALE_MAX_S:
        return None
    return shown


def _reap() -> None:
    """Forget finished refreshes (under the lock); how they ended is in _READY / _FAILED already."""
    for key in [k for k, r in _RUNNING.items() if r.future.done()]:
        del _RUNNING[key]


def holds_fit(url_path: str, datasets: DatasetKey, params: ParamKey) -> bool:
    """True when this process still holds the page's fit for ``datasets`` and ``params`` in its cache
    (presenting it with any display option or language is then quick); a module not on the engine: never.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    datasets : DatasetKey
        (kind, dataset id, revision) of each dataset.
    params : ParamKey
        The frozen page parameters.

    Returns
    -------
    bool
        Whether the fit is held (a fit the cache let go of is not).
    """
    key = _fit_key(url_path, params)
    with _SWR_LOCK:
        ref = _FITTED.get((url_path, datasets, key)) if key is not None else None
    return ref is not None and ref() is not None


def forget_stale() -> None:
    """Forget what this process presented, holds, refreshes and saw fail (tests; :func:`clear_all`)."""
    with _SWR_LOCK:
        for r in _RUNNING.values():
            r.future.cancel()
        _SHOWN.clear()
        _FITTED.clear()
        _RUNNING.clear()
        _FAILED.clear()
        _READY.clear()
        _SERVED.clear()
