"""Ranking metrics (pure, vectorised; the dict-based functions are the public API) and the model choice.

precision@k = hits / k, recall@k = hits / |relevant|, hit rate = share of users with at least one hit,
each averaged over the test customers; coverage = distinct recommended products / catalogue; novelty =
mean of -log2(buyers(i) / customers) over every recommended slot (docs/metrics.md, locales "metric.*").
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

MODELS = ("item", "user", "als", "popular")


def _hits(recs: np.ndarray, truth: sp.csr_matrix) -> np.ndarray:
    """recs: (n, k) item indices (-1 = empty slot); truth: (n, I) 0/1 rows. Hits per row."""
    if recs.size == 0:
        return np.zeros(recs.shape[0])
    rows = np.repeat(np.arange(recs.shape[0]), recs.shape[1])
    cols = recs.ravel()
    ok = cols >= 0
    vals = np.zeros(cols.size)
    if ok.any():
        vals[ok] = np.asarray(truth[rows[ok], cols[ok]]).ravel()
    return (vals > 0).reshape(recs.shape).sum(axis=1).astype(float)


def _to_arrays(recs: Mapping[Any, Sequence[Any]], truth: Mapping[Any, Iterable[Any]], k: int):
    users = list(truth)
    items: dict[Any, int] = {}
    rec = np.full((len(users), k), -1, dtype=np.int64)
    for r, u in enumerate(users):
        for c, i in enumerate(list(recs.get(u, []))[:k]):
            rec[r, c] = items.setdefault(i, len(items))
    rows, cols = [], []
    for r, u in enumerate(users):
        for i in set(truth[u]):
            rows.append(r)
            cols.append(items.setdefault(i, len(items)))
    tm = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(users), max(len(items), 1)))
    return rec, tm


def precision_at_k(recs: Mapping[Any, Sequence[Any]], truth: Mapping[Any, Iterable[Any]], k: int) -> float:
    """Mean over the users in ``truth`` of |top-k ∩ relevant| / k (a short list still divides by k).

    Parameters
    ----------
    recs : Mapping[Any, Sequence[Any]]
        User -> recommended products, best first.
    truth : Mapping[Any, Iterable[Any]]
        User -> products bought in the holdout (the relevant set).
    k : int
        List length.

    Returns
    -------
    float
        The mean precision, NaN without users.
    """
    if not truth:
        return float("nan")
    rec, tm = _to_arrays(recs, truth, k)
    return float(_hits(rec, tm).mean() / k)


def recall_at_k(recs: Mapping[Any, Sequence[Any]], truth: Mapping[Any, Iterable[Any]], k: int) -> float:
    """Mean over the users in ``truth`` with a non-empty relevant set of |top-k ∩ relevant| / |relevant|.

    Parameters
    ----------
    recs : Mapping[Any, Sequence[Any]]
        User -> recommended products, best first.
    truth : Mapping[Any, Iterable[Any]]
        User -> products bought in the holdout.
    k : int
        List length.

    Returns
    -------
    float
        The mean recall, NaN when no user has a relevant product.
    """
    rec, tm = _to_arrays(recs, truth, k)
    n = np.asarray(tm.sum(axis=1)).ravel()
    if not (n > 0).any():
        return float("nan")
    return float((_hits(rec, tm)[n > 0] / n[n > 0]).mean())


def hit_rate(recs: Mapping[Any, Sequence[Any]], truth: Mapping[Any, Iterable[Any]], k: int) -> float:
    """Share of the users in ``truth`` with at least one relevant product in their top-k.

    Parameters
    ----------
    recs : Mapping[Any, Sequence[Any]]
        User -> recommended products, best first.
    truth : Mapping[Any, Iterable[Any]]
        User -> products bought in the holdout.
    k : int
        List length.

    Returns
    -------
    float
        The hit rate, NaN without users.
    """
    if not truth:
        return float("nan")
    rec, tm = _to_arrays(recs, truth, k)
    return float((_hits(rec, tm) > 0).mean())


def catalogue_coverage(recs: Mapping[Any, Sequence[Any]], catalogue: Iterable[Any], k: int | None = None) -> float:
    """Share of catalogue products that appear in at least one (top-k) list.

    Parameters
    ----------
    recs : Mapping[Any, Sequence[Any]]
        User -> recommended products, best first.
    catalogue : Iterable[Any]
        Every product that could be recommended.
    k : int | None
        List length to count (None: whole lists).

    Returns
    -------
    float
        The coverage, NaN for an empty catalogue.
    """
    cat = set(catalogue)
    if not cat:
        return float("nan")
    shown = {i for lst in recs.values() for i in (list(lst)[:k] if k else lst)}
    return len(shown & cat) / len(cat)


def novelty(recs: Mapping[Any, Sequence[Any]], buyers: Mapping[Any, float], n_users: int, k: int | None = None) -> float:
    """Mean self-information -log2(buyers(i) / n_users) over every recommended slot (higher = less obvious).

    Parameters
    ----------
    recs : Mapping[Any, Sequence[Any]]
        User -> recommended products, best first.
    buyers : Mapping[Any, float]
        Product -> number of users who bought it in training.
    n_users : int
        Number of training users.
    k : int | None
        List length to count (None: whole lists).

    Returns
    -------
    float
        The mean novelty in bits, NaN when no slot has a known product.
    """
    vals = [-math.log2(buyers[i] / n_users) for lst in recs.values() for i in (list(lst)[:k] if k else lst)
            if buyers.get(i, 0) > 0]
    return float(np.mean(vals)) if vals else float("nan")


def _mean_ci(x: np.ndarray) -> tuple[float, float, float]:
    """Mean with its normal 95% interval (nan when there are fewer than two values)."""
    n = len(x)
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if n < 2:
        return m, float("nan"), float("nan")
    half = 1.96 * float(x.std(ddof=1)) / math.sqrt(n)
    return m, m - half, m + half


def choose_model(metrics: Mapping[str, Mapping[str, float]]) -> str:
    """Best precision@k; ties broken by coverage, then by the order item, user, als, popular.

    Parameters
    ----------
    metrics : Mapping[str, Mapping[str, float]]
        Model name -> metrics with ``precision_at_k`` and ``coverage``.

    Returns
    -------
    str
        The chosen model's name ("popular" when none has metrics).
    """
    best = None
    for name in MODELS:
        m = metrics.get(name)
        if m is None:
            continue
        key = (round(m["precision_at_k"], 12), round(m["coverage"], 12))
        if best is None or key > best[0]:
            best = (key, name)
    return best[1] if best else "popular"
