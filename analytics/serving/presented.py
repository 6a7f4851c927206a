"""A page's presented result, shared read-only by every session (:class:`Presented`, cached by
:mod:`analytics.cached`), and the lookup of the one a result dict belongs to (:func:`source_of`)."""

from __future__ import annotations

import hashlib
import pickle
import threading
import weakref
from collections import OrderedDict
from typing import Any, Callable


class Presented:
    """A page's presented result, computed once per (page, dataset revisions, parameters, language) and
    shared read-only by every session and rerun (a resource of analytics.cached, like the fits: a pickled
    copy per rerun cost milliseconds per page for nothing), plus what the screen prepares from it: a table's
    formatted frame and column settings, built on the first rerun and reused by the next ones
    (:meth:`prepared`). ``digest`` is the result's fingerprint when it was made; :meth:`unchanged` tells
    whether anything has edited the shared dict since (tests/app/test_shared_result.py).

    Parameters
    ----------
    result : dict
        The page's result.
    """

    MAX_PREPARED = 256  # per result: a page draws a few dozen tables; bounded all the same

    def __init__(self, result: dict) -> None:
        self.result = result
        self.digest = _digest(result)
        self._paths: dict[int, tuple] | None = None
        self._prepared: OrderedDict = OrderedDict()
        self._derived: dict[int, tuple] = {}  # id of a prepared list or dict -> its key in _prepared
        self._lock = threading.Lock()
        _BY_RESULT[id(result)] = self  # dropped with this object when the cache evicts it

    def unchanged(self) -> bool:
        """True while the shared result is as it was made.

        Returns
        -------
        bool
            Whether the result's fingerprint is the one it had when cached.
        """
        return _digest(self.result) == self.digest

    def path_of(self, obj: Any) -> tuple | None:
        """Where ``obj`` (a list or dict) sits in the result (keys from the top), or None when it is not
        part of it (rows a page filtered or built itself): found by identity, verified by walking back.

        Parameters
        ----------
        obj : Any
            The object.

        Returns
        -------
        tuple | None
            The keys, or None.
        """
        if self._paths is None:
            paths: dict[int, tuple] = {}
            stack: list[tuple[Any, tuple]] = [(self.result, ())]
            while stack:
                node, path = stack.pop()
                if len(path) > 4:
                    continue
                if isinstance(node, dict):
                    for k, v in node.items():
                        if isinstance(v, (dict, list)):
                            paths.setdefault(id(v), (*path, k))
                            if isinstance(v, dict):
                                stack.append((v, (*path, k)))
            self._paths = paths
        path = self._paths.get(id(obj))
        if path is None:  # something prepared from the result (rows a page derived once), while it is kept
            made = self._derived.get(id(obj))
            return ("prepared", made) if made is not None and self._prepared.get(made) is obj else None
        node: Any = self.result
        for k in path:
            node = node.get(k) if isinstance(node, dict) else None
        return path if node is obj else None

    def prepared(self, obj: Any, key: tuple, build: Callable[[], Any]) -> Any:
        """``build()`` once per (place of ``obj`` in the result, ``key``): the next reruns get the same
        object back (treat it as read-only). ``obj`` not part of the result (nor prepared from it): built
        every time. A list or dict built here counts as part of the result for the next call (a table of
        rows filtered once is formatted once too).

        Parameters
        ----------
        obj : Any
            The part of the result it is built from (a table's rows).
        key : tuple
            Small hashable values naming what is built (the table's key, its columns, its edits).
        build : Callable[[], Any]
            Builds it.

        Returns
        -------
        Any
            What ``build`` returned, now or on an earlier rerun.
        """
        path = self.path_of(obj)
        if path is None:
            return build()
        k = (path, key)
        with self._lock:
            if k in self._prepared:
                self._prepared.move_to_end(k)
                return self._prepared[k]
        out = build()
        with self._lock:
            if k in self._prepared:  # another session built it meanwhile: keep one
                return self._prepared[k]
            self._prepared[k] = out
            if isinstance(out, (list, dict)):  # rows derived from the result: a table of them is prepared too
                self._derived[id(out)] = k
            while len(self._prepared) > self.MAX_PREPARED:
                _, old = self._prepared.popitem(last=False)
                self._derived.pop(id(old), None)
        return out


_BY_RESULT: "weakref.WeakValueDictionary[int, Presented]" = weakref.WeakValueDictionary()


def source_of(result: Any) -> Presented | None:
    """The cached :class:`Presented` a result dict belongs to (by identity: ``page_result`` hands out the
    shared dict), or None for a result made another way. Never computes anything.

    Parameters
    ----------
    result : Any
        A page result.

    Returns
    -------
    Presented | None
        Its presented result while it is cached, or None.
    """
    p = _BY_RESULT.get(id(result))
    return p if p is not None and p.result is result else None


def _digest(result: dict) -> bytes:
    return hashlib.blake2b(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16).digest()
