"""Why a product is on a customer's list: the reason of every slot (language-free kind, anchor product
and count; :func:`explain_slots`) and its sentence in a language (:func:`_explain`).

Reasons: ``item`` (bought together with a product the customer bought, by n customers), ``user``
(n of the customer's most similar customers bought it), ``als`` (fits the purchase of the bought product
closest in factor space, n co-buyers), ``popular`` (top seller: n buyers), ``new`` (a new product like
an established one). Promoted products (boost list) get a suffix.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analytics.i18n import t

from .interactions import _Matrix
from .models import _BLOCK, _NewProducts


def _pairs_expand(B: sp.csr_matrix, pu: np.ndarray):
    """For pairs (row pu[p]), list every item of the row: (pair index, item column)."""
    starts = B.indptr[pu]
    c = B.indptr[pu + 1] - starts
    rep = np.repeat(np.arange(len(pu)), c)
    off = np.arange(int(c.sum())) - np.repeat(np.cumsum(c) - c, c) + np.repeat(starts, c)
    return rep, B.indices[off]


_CO_BUYERS_NNZ = 20_000_000  # stored entries gathered per chunk (memory bound, and scipy's int32 indices)


def _co_buyers(M: _Matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Customers who bought both item i[p] and item j[p], for every pair p. Each distinct pair is counted
    once, in chunks: gathering a buyer row per slot overflowed on long lists of popular products (1M lines,
    a segment of 10,000 customers: 4e9 entries)."""
    if len(i) == 0:
        return np.zeros(0, dtype=np.int64)
    up, inv = np.unique(np.stack([np.asarray(i), np.asarray(j)], axis=1), axis=0, return_inverse=True)
    Bt = M.B.T.tocsr()
    rn = np.diff(Bt.indptr)
    cost = np.cumsum(rn[up[:, 0]] + rn[up[:, 1]])
    out = np.empty(len(up), dtype=np.int64)
    s0 = 0
    while s0 < len(up):
        base = cost[s0 - 1] if s0 else 0
        s1 = max(s0 + 1, int(np.searchsorted(cost, base + _CO_BUYERS_NNZ, side="right")))
        a, b = up[s0:s1, 0], up[s0:s1, 1]
        out[s0:s1] = np.asarray(Bt[a].multiply(Bt[b]).sum(axis=1)).ravel()
        s0 = s1
    return out[np.asarray(inv).ravel()]


def _anchor_by(values_fn, M: _Matrix, pu: np.ndarray, pi: np.ndarray) -> np.ndarray:
    """For each pair (user row, item col) the bought item with the largest values_fn(j, i); -1 if none."""
    rep, j = _pairs_expand(M.B, pu)
    anchor = np.full(len(pu), -1, dtype=np.int64)
    if len(rep) == 0:
        return anchor
    v = values_fn(j, pi[rep])
    order = np.lexsort((j, -v, rep))
    first = np.r_[True, rep[order][1:] != rep[order][:-1]]
    sel = order[first]
    good = v[sel] > 0
    anchor[rep[sel][good]] = j[sel][good]
    return anchor


def _als_anchor(F: np.ndarray, B: sp.csr_matrix, pu: np.ndarray, pi: np.ndarray) -> np.ndarray:
    """For each pair (user row, item col) the bought item with the largest cosine in factor space
    (ties: the lower column), -1 when none is positive. One small product per customer instead of
    gathering a factor vector for every (bought item, recommended item) pair (memory-bound: 1.4 s for
    650 heavy buyers on Online Retail; this: 0.05 s)."""
    anchor = np.full(len(pu), -1, dtype=np.int64)
    if len(pu) == 0:
        return anchor
    order = np.argsort(pu, kind="stable")
    users, starts = np.unique(pu[order], return_index=True)
    ends = np.r_[starts[1:], len(order)]
    for u, s0, s1 in zip(users, starts, ends):
        bought = np.sort(B.indices[B.indptr[u]:B.indptr[u + 1]])
        if len(bought) == 0:
            continue
        slots = order[s0:s1]
        v = F[bought] @ F[pi[slots]].T  # (bought x slots)
        best = v.argmax(axis=0)         # first maximum = the lowest column among ties
        ok = v[best, np.arange(len(slots))] > 0
        anchor[slots[ok]] = bought[best[ok]]
    return anchor


def explain_slots(model, M: _Matrix, rows: np.ndarray, top: np.ndarray, raw: np.ndarray,
                  newp: _NewProducts | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The language-free reason of every slot of ``top`` (rows x k item columns, -1 = empty), flattened
    row by row: kind ("item", "user", "als", "popular", "new", "" for an empty slot), anchor column
    (-1: none) and count n.

    Parameters
    ----------
    model
        The fitted model (``name``: item, user, als or popular).
    M : _Matrix
        The training matrix.
    rows : np.ndarray
        Training-matrix rows of the customers.
    top : np.ndarray
        Item columns per customer and slot (-1: empty; columns past the catalogue are new products).
    raw : np.ndarray
        The model's score of each slot.
    newp : _NewProducts | None
        The new products and their anchors, or None.

    Returns
    -------
    tuple[np.ndarray, np.ndarray, np.ndarray]
        kinds, anchor columns and counts, one per slot.
    """
    n_items = len(M.items)
    pu_all = np.repeat(rows, top.shape[1])
    pi_all = top.ravel()
    raw_all = raw.ravel()
    kinds = np.full(len(pi_all), "", dtype=object)
    anchor = np.full(len(pi_all), -1, dtype=np.int64)
    n = np.zeros(len(pi_all), dtype=np.int64)
    valid = pi_all >= 0
    is_new = valid & (pi_all >= n_items)
    # new products: explained by their placement anchor
    if newp is not None and is_new.any():
        kinds[is_new] = "new"
        anchor[is_new] = newp.anchor[pi_all[is_new] - n_items]
    est = valid & ~is_new
    personal = est & (raw_all > 0) if model.name in ("item", "user") else est
    if model.name == "popular":
        personal = np.zeros_like(est)
    kinds[est & ~personal] = "popular"
    n[est & ~personal] = M.buyers[pi_all[est & ~personal]].astype(np.int64)
    idx = np.where(personal)[0]
    if len(idx):
        pu, pi = pu_all[idx], pi_all[idx]
        if model.name == "item":
            S = model.S
            a = _anchor_by(lambda j, i: np.asarray(S[j, i]).ravel(), M, pu, pi)
            kinds[idx] = np.where(a >= 0, "item", "popular")
            anchor[idx] = a
            ok = a >= 0
            n[idx[ok]] = _co_buyers(M, pi[ok], a[ok])
            n[idx[~ok]] = M.buyers[pi[~ok]]
        elif model.name == "user":
            kinds[idx] = "user"
            pos = np.repeat(np.arange(len(rows)), top.shape[1])[idx]  # row position of each pair
            for s0 in range(0, len(rows), _BLOCK):
                nb = model.neighbours(rows[s0:s0 + _BLOCK]).copy()
                nb.data[:] = 1.0
                votes = (nb @ M.B).tocsr()
                sel = (pos >= s0) & (pos < s0 + _BLOCK)
                n[idx[sel]] = np.asarray(votes[pos[sel] - s0, pi[sel]]).ravel().astype(np.int64)
        else:  # als: the bought product closest in factor space
            F = model.itf / np.maximum(np.linalg.norm(model.itf, axis=1, keepdims=True), 1e-9)
            a = _als_anchor(F, M.B, pu, pi)
            kinds[idx] = np.where(a >= 0, "als", "popular")
            anchor[idx] = a
            ok = a >= 0
            n[idx[ok]] = _co_buyers(M, pi[ok], a[ok])
            n[idx[~ok]] = M.buyers[pi[~ok]]
    return kinds, anchor, n


def reason_text(kind: str, anchor_id: Any, n: int, promoted: bool, names: pd.Series, lang: str) -> str:
    """The sentence of one reason in ``lang``.

    Parameters
    ----------
    kind : str
        The reason kind (item, user, als, popular, new).
    anchor_id : Any
        The anchor product's id, or None.
    n : int
        The count the reason cites.
    promoted : bool
        Whether the product was boosted by the promotion.
    names : pd.Series
        Product id -> name.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The sentence.
    """
    a_name = _label(anchor_id, names) if anchor_id is not None else ""
    if kind == "new":
        text = (t("recommend.reason.new", lang, anchor=a_name) if anchor_id is not None
                else t("recommend.reason.new_plain", lang))
    elif kind == "popular":
        text = t("recommend.reason.popular", lang, n=int(n))
    else:
        text = t(f"recommend.reason.{kind}", lang, anchor=a_name, n=int(n))
    if promoted:
        text += t("recommend.reason.promoted_suffix", lang)
    return text


def slot_reasons(top: np.ndarray, kinds: np.ndarray, anchor: np.ndarray, n: np.ndarray, boosted: set[int],
                 all_ids: Any, names: pd.Series, lang: str) -> list[list[dict]]:
    """Reason per filled slot of ``top`` from :func:`explain_slots`' kinds, anchors and counts, in a
    language: {"type", "anchor", "n", "text"}.

    Parameters
    ----------
    top : np.ndarray
        Item columns per customer and slot (-1: empty).
    kinds : np.ndarray
        :func:`explain_slots` kinds.
    anchor : np.ndarray
        :func:`explain_slots` anchor columns.
    n : np.ndarray
        :func:`explain_slots` counts.
    boosted : set[int]
        Item columns boosted by the promotion.
    all_ids : Any
        Product id of each item column.
    names : pd.Series
        Product id -> name.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[list[dict]]
        One list per customer of ``type``, ``anchor``, ``n``, ``text``.
    """
    pi_all = top.ravel()
    out: list[list[dict]] = []
    for r in range(top.shape[0]):
        lst = []
        for c in range(top.shape[1]):
            p = r * top.shape[1] + c
            if pi_all[p] < 0:
                continue
            kind = kinds[p]
            a_id = all_ids[anchor[p]] if anchor[p] >= 0 else None
            text = reason_text(kind, a_id, int(n[p]), int(pi_all[p]) in boosted, names, lang)
            lst.append({"type": kind, "anchor": a_id, "n": int(n[p]), "text": text})
        out.append(lst)
    return out


def _explain(model, M: _Matrix, rows: np.ndarray, top: np.ndarray, raw: np.ndarray, boosted: set[int],
             newp: _NewProducts | None, names: pd.Series, lang: str) -> list[list[dict]]:
    """Reason per slot: {"type", "anchor", "n", "text"}."""
    kinds, anchor, n = explain_slots(model, M, rows, top, raw, newp)
    all_ids = list(M.items) + (list(newp.items) if newp is not None else [])
    return slot_reasons(top, kinds, anchor, n, boosted, all_ids, names, lang)


def _label(pid: Any, names: pd.Series) -> str:
    """"Name (id)", or the id when the product has no name."""
    nm = names.get(pid)
    return f"{nm} ({pid})" if isinstance(nm, str) and nm else str(pid)

