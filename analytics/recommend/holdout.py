"""Evaluation on a time-based holdout, from the customer x product aggregates of the two windows.

Train on lines before ``holdout_from``, test on lines from it on. Test customers bought in the holdout
and also in training; their relevant set is the catalogue products they bought in the holdout which they
had not bought in training (with ``rp`` = repeat purchases allowed, every holdout product counts and
only the recently bought window is filtered). Customers with an empty relevant set are not scored. Cold
customers (first purchase in the holdout) are scored separately with the attribute fallbacks. Holdouts
with more than ``MAX_EVAL_USERS`` test customers are scored on a seeded random sample of them (said in
the warnings). Metrics: see :mod:`.metrics`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analytics.common import NotEnoughData

from .interactions import (CleanLines, Pairs, _Matrix, clean_lines, customer_attributes, frame_tables,
                           pair_aggregates, order_regions, train_matrix, user_attributes)
from .metrics import MODELS, _hits, _mean_ci
from . import models as _models
from .models import _AttributePopular, _dense_topk, _fit, _topk

MIN_TEST_USERS = 30
MAX_EVAL_USERS = 5_000  # larger holdouts are scored on a seeded random sample of test customers


@dataclass(frozen=True)
class HoldoutEvaluation:
    """Every model fitted on the training window and scored on the holdout.

    Attributes
    ----------
    holdout_from : pandas.Timestamp
        First day of the holdout (midnight).
    k : int
        Length of the lists scored.
    lists : dict
        model -> test customer -> its top-k product ids (business rules not applied).
    truth : dict
        Test customer -> relevant products (bought in the holdout; new to them unless ``rp``).
    catalogue : list of str
        Products with a training interaction (sorted ids).
    buyers : dict
        Training distinct buyers per catalogue product.
    n_train_users : int
        Customers with a training interaction.
    metrics : dict
        model -> precision_at_k (with precision_ci_low / _high), recall_at_k, hit_rate, coverage,
        novelty, n_users (evaluated customers).
    per_user_precision : dict
        model -> precision@k per evaluated customer (the paired comparison with the baseline).
    cold : dict
        Cold-start customers: n_users, models (attribute / popular fallbacks with the same metrics),
        basis (how many were scored by region, segment or overall).
    counts : dict
        train_lines, test_lines, train_customers, catalogue, test_customers, evaluated_customers,
        holdout_customers, warm_no_new_products, cold_customers.
    warnings : tuple of dict
        Language-free warnings of the evaluation (``warning.eval_sample``: scored on a sample;
        ``warning.neighbour_pool``: customer kNN looked for neighbours among a sample of the customers;
        ``warning.als_sample``: ALS learnt its factors on a sample of the customers;
        ``warning.few_test_users``).
    """

    holdout_from: pd.Timestamp
    k: int
    lists: dict[str, dict[str, list[str]]]
    truth: dict[str, set[str]]
    catalogue: list[str]
    buyers: dict[str, int]
    n_train_users: int
    metrics: dict[str, dict[str, float]]
    per_user_precision: dict[str, np.ndarray]
    cold: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    warnings: tuple[dict, ...] = ()


def holdout_range(first: pd.Timestamp, last: pd.Timestamp) -> pd.Timestamp:
    """The later of: the day leaving the last ~20% of days, and three months before the last day.

    Parameters
    ----------
    first : pd.Timestamp
        First line's date.
    last : pd.Timestamp
        Last line's date.

    Returns
    -------
    pd.Timestamp
        The holdout's first day.
    """
    lo, hi = first.normalize(), last.normalize()
    span = (hi - lo).days + 1
    h1 = lo + pd.Timedelta(days=int(round(0.8 * span)))
    h2 = hi - pd.DateOffset(months=3) + pd.Timedelta(days=1)
    return max(h1, h2)


def default_holdout(dates: pd.Series) -> pd.Timestamp:
    """The later of: the day leaving the last ~20% of days, and three months before the last day.

    Parameters
    ----------
    dates : pd.Series
        Line dates.

    Returns
    -------
    pd.Timestamp
        The holdout's first day.
    """
    return holdout_range(dates.min(), dates.max())


def holdout_date(params: dict, clean: CleanLines) -> pd.Timestamp:
    """``params["holdout_from"]``, else the default holdout of the customer lines' dates.

    Parameters
    ----------
    params : dict
        The page's parameters (``holdout_from``).
    clean : CleanLines
        The cleaned lines (NotEnoughData when none has a customer).

    Returns
    -------
    pd.Timestamp
        The holdout's first day.
    """
    if clean.n_customer_lines == 0:
        raise NotEnoughData("recommend.error.no_customers")
    h = params.get("holdout_from")
    return pd.Timestamp(h) if h is not None else holdout_range(clean.first_date, clean.last_date)


def _csr(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """A 0/1 matrix of (row, col) entries (duplicates count once), entries in row-major order."""
    order = np.lexsort((cols, rows))
    m = sp.csr_matrix((np.ones(len(rows), np.float32), (rows[order], cols[order])), shape=shape)
    m.data[:] = 1.0
    return m


def _position(sorted_codes: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Position of each code in ``sorted_codes`` (-1 when absent)."""
    if len(sorted_codes) == 0:
        return np.full(len(codes), -1, dtype=np.int64)
    p = np.minimum(np.searchsorted(sorted_codes, codes), len(sorted_codes) - 1)
    return np.where(sorted_codes[p] == codes, p, -1).astype(np.int64)


def _cold_order(cold: pd.DataFrame) -> np.ndarray:
    """Customer codes of the holdout pairs ``cold`` in the order the customers first appear in the
    holdout (first holdout date, then first source line when known, then id)."""
    aggs = {"first": ("test_first", "min")}
    if "test_first_line" in cold:
        aggs["line"] = ("test_first_line", "min")
    g = cold.groupby("uc", sort=True).agg(**aggs).reset_index()
    by = ["first"] + (["line"] if "line" in g else []) + ["uc"]  # codes follow the sorted ids
    return g.sort_values(by, kind="stable")["uc"].to_numpy(dtype=np.int64)


def _score_cold(M: _Matrix, cold: pd.DataFrame, order: np.ndarray, cold_ids: pd.Index, attrs: pd.DataFrame,
                k: int, seed: int) -> dict:
    """Cold customers (``cold``: their holdout pairs with ``ti``, the product's training column; ``order``:
    their codes in list order) scored with the attribute fallback (region, segment) and the overall top
    sellers."""
    result: dict[str, Any] = {"n_users": int(len(cold_ids)), "models": []}
    if not len(cold_ids):
        return result
    n_users = len(M.users)
    ap = _AttributePopular(M, attrs)
    ct = cold.loc[cold["ti"].to_numpy() >= 0]
    cu = _position(np.sort(order), ct["uc"].to_numpy())
    row_of = np.argsort(order, kind="stable")  # sorted position -> list position
    CT = _csr(row_of[cu], ct["ti"].to_numpy(), (len(cold_ids), len(M.items)))
    has = np.diff(CT.indptr) > 0
    if has.sum() > MAX_EVAL_USERS:
        keep = np.sort(np.random.default_rng(seed).choice(np.where(has)[0], MAX_EVAL_USERS, replace=False))
        has = np.zeros_like(has)
        has[keep] = True
    cids = list(cold_ids[has])
    CTh = CT[np.where(has)[0]]
    nrel = np.asarray(CTh.sum(axis=1)).ravel()
    sc_attr, basis = ap.scores_for(cids)
    sc_pop = np.tile(ap.overall, (len(cids), 1))
    for nm, sc in (("attribute", sc_attr), ("popular", sc_pop)):
        if len(cids) == 0:
            break
        part = _dense_topk(sc, k)
        hits = _hits(part, CTh)
        result["models"].append({
            "name": nm, "precision_at_k": float(hits.mean() / k),
            "recall_at_k": float((hits / nrel).mean()), "hit_rate": float((hits > 0).mean()),
            "coverage": len(np.unique(part)) / len(M.items),
            "novelty": float((-np.log2(M.buyers[part] / n_users)).mean()),
            "n_users": len(cids),
        })
    used = pd.Series([b[0] for b in basis]).value_counts().to_dict() if cids else {}
    result["basis"] = {str(a): int(b) for a, b in used.items()}
    return result


def evaluate(pairs: Pairs, holdout: pd.Timestamp, attrs: pd.DataFrame, params: dict) -> HoldoutEvaluation:
    """Fit every model on the training pairs and score them on the customers who bought after
    ``holdout`` (``pairs``: :func:`~.interactions.pair_aggregates` with the holdout; ``attrs``:
    :func:`~.interactions.user_attributes`).

    Parameters
    ----------
    pairs : Pairs
        Customer x product line counts before and after the holdout.
    holdout : pd.Timestamp
        The holdout's first day.
    attrs : pd.DataFrame
        Per-customer attributes (for the cold-start customers).
    params : dict
        The page's parameters (``k``, ``seed``, ``rp``, ``exclude_window_days``).

    Returns
    -------
    HoldoutEvaluation
        Lists, truth, metrics per model, per-customer precision, cold-start results, counts and warnings.
    """
    warnings: list[dict] = []
    k = int(params.get("k") or 10)
    seed = int(params.get("seed") or 0)
    rp = bool(params.get("rp"))
    window = int(params.get("exclude_window_days") or 0)
    H = holdout
    f = pairs.frame
    uc, ic = f["uc"].to_numpy(), f["ic"].to_numpy()
    tr = f["train_lines"].to_numpy() > 0
    te = f["test_lines"].to_numpy() > 0
    train_users, train_items = np.unique(uc[tr]), np.unique(ic[tr])
    if len(train_users) < 10 or len(train_items) <= k:
        raise NotEnoughData("recommend.error.short_training", date=str(H.date()))
    if not te.any():
        raise NotEnoughData("recommend.error.no_holdout", date=str(H.date()))
    M = train_matrix(pairs, H, window)
    test = f.loc[te]
    tu = _position(train_users, uc[te])
    ti = _position(train_items, ic[te])
    T = _test_matrix(M, tu, ti, rp)
    banned = M.recent if rp else M.B
    rows, n_test_all = _eval_rows(T, seed, H, warnings)
    Tr = T[rows]
    n_users = len(M.users)
    if n_users > _models.MAX_NEIGHBOUR_POOL:
        warnings.append({"key": "warning.neighbour_pool", "n": _models.MAX_NEIGHBOUR_POOL, "total": n_users})
    if n_users > _models.MAX_ALS_USERS and "als" in MODELS:
        warnings.append({"key": "warning.als_sample", "n": _models.MAX_ALS_USERS, "total": n_users})
    item_ids = np.asarray(M.items, dtype=object)
    user_ids = np.asarray(M.users, dtype=object)
    lists: dict[str, dict[str, list[str]]] = {}
    metrics: dict[str, dict[str, float]] = {}
    per_user: dict[str, np.ndarray] = {}

    def score(name: str, model) -> None:
        metrics[name], per_user[name], lists[name] = _score_model(model, M, rows, Tr, k, banned)

    known = tu >= 0
    cold = test.loc[~known].assign(ti=ti[~known])
    cold_order = _cold_order(cold)
    cold_ids = pd.Index(np.asarray(pairs.customers[cold_order], dtype=object), dtype=object)
    # the ALS fit runs in implicit's compiled code without the GIL: start it first, score the other models
    # and the cold-start customers meanwhile (the fit is single-threaded and seeded: same result)
    with ThreadPoolExecutor(1, thread_name_prefix="prism-als") as pool:
        als = pool.submit(_fit, "als", M, seed) if "als" in MODELS else None
        for name in MODELS:
            if name != "als":
                score(name, _fit(name, M, seed))
        truth = {user_ids[r]: set(item_ids[Tr.indices[Tr.indptr[j]:Tr.indptr[j + 1]]]) for j, r in enumerate(rows)}
        cold_result = _score_cold(M, cold, cold_order, cold_ids, attrs, k, seed)
        if als is not None:
            score("als", als.result())
    metrics = {m: metrics[m] for m in MODELS}
    lists = {m: lists[m] for m in MODELS}
    counts = {
        "train_lines": int(f["train_lines"].sum()), "test_lines": int(f["test_lines"].sum()),
        "train_customers": int(n_users), "catalogue": int(len(M.items)), "test_customers": int(n_test_all),
        "evaluated_customers": int(len(rows)), "holdout_customers": int(len(np.unique(uc[te]))),
        "warm_no_new_products": int(len(np.unique(uc[te][known])) - n_test_all),
        "cold_customers": int(len(cold_ids)),
    }
    return HoldoutEvaluation(
        holdout_from=H, k=k, lists=lists, truth=truth, catalogue=list(M.items),
        buyers={p: int(b) for p, b in zip(M.items, M.buyers)}, n_train_users=n_users,
        metrics=metrics, per_user_precision=per_user, cold=cold_result, counts=counts, warnings=tuple(warnings),
    )


def _test_matrix(M, tu: np.ndarray, ti: np.ndarray, rp: bool):
    """The held-out purchases of known customers and products (``tu``, ``ti``: their positions in the training
    matrix, -1 when unknown) as a sparse matrix; without repeat purchases (``rp`` False) the pairs already
    bought in training are removed."""
    ok = (tu >= 0) & (ti >= 0)
    T = _csr(tu[ok], ti[ok], M.B.shape)
    if not rp:
        T = (T - T.multiply(M.B)).tocsr()
        T.eliminate_zeros()
    return T


def _eval_rows(T, seed: int, H: pd.Timestamp, warnings: list[dict]) -> tuple[np.ndarray, int]:
    """The customers to evaluate (rows of ``T`` with a held-out purchase; a seeded sample of MAX_EVAL_USERS
    when there are more) and how many there were in all; adds the sample and few-users warnings. Raises
    NotEnoughData when none."""
    rows = np.where(np.diff(T.indptr) > 0)[0]
    if len(rows) == 0:
        raise NotEnoughData("recommend.error.no_test_users", date=str(H.date()))
    n_test_all = len(rows)
    if len(rows) > MAX_EVAL_USERS:
        rows = np.sort(np.random.default_rng(seed).choice(rows, MAX_EVAL_USERS, replace=False))
        warnings.append({"key": "warning.eval_sample", "n": MAX_EVAL_USERS, "total": n_test_all})
    if len(rows) < MIN_TEST_USERS:
        warnings.append({"key": "warning.few_test_users", "n": int(len(rows))})
    return rows, n_test_all


def _score_model(model, M, rows: np.ndarray, Tr, k: int, banned) -> tuple[dict, np.ndarray, dict]:
    """Score one fitted model on the evaluated customers (``rows``; ``Tr``: their held-out purchases):
    ``(metrics, precision per customer, top-k list per customer id)``."""
    n_rel = np.asarray(Tr.sum(axis=1)).ravel()
    n_users = len(M.users)
    item_ids = np.asarray(M.items, dtype=object)
    user_ids = np.asarray(M.users, dtype=object)
    top, _, _ = _topk(model, rows, k, banned)
    hits = _hits(top, Tr)
    prec = hits / k
    valid = top >= 0
    shown = np.unique(top[valid])
    nov = -np.log2(M.buyers[top[valid]] / n_users)
    m, lo, hi = _mean_ci(prec)
    metrics = {
        "precision_at_k": m, "precision_ci_low": lo, "precision_ci_high": hi,
        "recall_at_k": float((hits / n_rel).mean()),
        "hit_rate": float((hits > 0).mean()),
        "coverage": len(shown) / len(M.items),
        "novelty": float(nov.mean()) if len(nov) else float("nan"),
        "n_users": int(len(rows)),
    }
    named = item_ids[np.maximum(top, 0)]
    if (top >= 0).all():
        lists = dict(zip(user_ids[rows].tolist(), named.tolist()))
    else:
        lists = {u: [p for p, c in zip(ps, cs) if c >= 0]
                 for u, ps, cs in zip(user_ids[rows].tolist(), named.tolist(), top.tolist())}
    return metrics, prec, lists


def evaluate_holdout(data: dict, params: dict, *, _warnings: list[dict] | None = None) -> HoldoutEvaluation:
    """Fit every model on lines before ``holdout_from`` and score them on the customers who bought after.
    ``data``: kind -> engine table or canonical frame (frames are registered for the call).

    Parameters
    ----------
    data : dict
        Kind -> engine table or canonical frame (``orders``, optionally ``customers``).
    params : dict
        The page's parameters.
    _warnings : list[dict] | None
        A list the cleaning and evaluation warnings are added to, or None.

    Returns
    -------
    HoldoutEvaluation
        See :func:`evaluate`.
    """
    warnings = _warnings if _warnings is not None else []
    with frame_tables(data) as tables:
        clean = clean_lines(tables, params)
        warnings.extend(dict(w) for w in clean.warnings)
        H = holdout_date(params, clean)
        pairs = pair_aggregates(clean, H)
        attrs = user_attributes(order_regions(clean), customer_attributes(tables.get("customers")))
    ev = evaluate(pairs, H, attrs, params)
    warnings.extend(dict(w) for w in ev.warnings)
    return ev
