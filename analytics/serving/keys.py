"""The small hashable cache keys of :mod:`analytics.cached`: which dataset revisions a result is of
(:data:`DatasetKey`) and its parameters (:data:`ParamKey`, :func:`freeze_params` / :func:`thaw_params`)."""

from __future__ import annotations

from typing import Any


DatasetKey = tuple[tuple[str, int, int], ...]  # (kind, dataset id, revision)
ParamKey = tuple[tuple[str, Any], ...]


def freeze_params(params: dict[str, Any]) -> ParamKey:
    """A hashable, order-independent key for typed parameter values.

    Parameters
    ----------
    params : dict[str, Any]
        Parameter -> typed value.

    Returns
    -------
    ParamKey
        Sorted (key, value) pairs, lists as tuples marked ``"__list__"``.
    """
    out = []
    for k in sorted(params):
        v = params[k]
        if isinstance(v, list):
            v = ("__list__", *v)
        out.append((k, v))
    return tuple(out)


def thaw_params(key: ParamKey) -> dict[str, Any]:
    """The parameter dict of a :func:`freeze_params` key.

    Parameters
    ----------
    key : ParamKey
        The frozen parameters.

    Returns
    -------
    dict[str, Any]
        Parameter -> value (lists restored).
    """
    out: dict[str, Any] = {}
    for k, v in key:
        if isinstance(v, tuple) and v and v[0] == "__list__":
            v = list(v[1:])
        out[k] = v
    return out
