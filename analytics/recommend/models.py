"""The recommenders, fitted on interaction matrices (:class:`~analytics.recommend.interactions._Matrix`):
each scores every product for a customer (``.scores(user_rows) -> dense float32 (b x I)``); products the
rules ban are filtered afterwards (:func:`_topk`).

* ``item``: item-to-item cosine similarity over ``B`` (scipy sparse), top ``ITEM_NEIGHBOURS``
  neighbours kept per product; score(u, i) = sum of sim(j, i) over the products j that u bought.
* ``user``: user-based kNN: cosine over ``B`` between customers, the ``USER_NEIGHBOURS`` most similar
  customers vote with their similarity for the products they bought.
* ``als``: implicit-feedback matrix factorisation, ``implicit.als.AlternatingLeastSquares`` (64
  factors, 15 iterations, single thread, ``random_state=seed``): bit-for-bit reproducible.
* ``popular``: the baseline: products ranked by distinct buyers in the training window.

Cold start: :class:`_NewProducts` places products without a known buyer next to the most similar
established product (TF-IDF over name tokens and category); :class:`_AttributePopular` ranks top sellers
of a customer's region, else member level, else overall.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .interactions import _Matrix
from .metrics import MODELS

ITEM_NEIGHBOURS = 100
USER_NEIGHBOURS = 50
ALS_FACTORS = 64
ALS_ITERATIONS = 15
ALS_REGULARIZATION = 1.0
ALS_ALPHA = 5.0
POP_EPS = 1e-6
NEW_PRODUCT_MIN_SIM = 0.3
NEW_PRODUCT_DISCOUNT = 0.8  # a placed new product scores 80% x similarity x its anchor's score
_BLOCK = 1024
DENSE_USER_KNN_MAX_ITEMS = 512  # user kNN similarities through dense BLAS up to this catalogue size
MAX_NEIGHBOUR_POOL = 30_000  # user kNN looks for neighbours among a seeded sample of this many customers
MAX_ALS_USERS = 30_000  # ALS learns its factors on a seeded sample of this many customers

__all__ = ["MODELS", "ITEM_NEIGHBOURS", "USER_NEIGHBOURS", "ALS_FACTORS", "ALS_ITERATIONS", "ALS_REGULARIZATION",
           "ALS_ALPHA", "POP_EPS", "NEW_PRODUCT_MIN_SIM", "NEW_PRODUCT_DISCOUNT", "DENSE_USER_KNN_MAX_ITEMS",
           "MAX_NEIGHBOUR_POOL", "MAX_ALS_USERS"]


# --------------------------------------------------------------------------------------------------
# Sparse / dense helpers
# --------------------------------------------------------------------------------------------------


def _row_normalise(X: sp.csr_matrix) -> sp.csr_matrix:
    n = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    n[n == 0] = 1.0
    return sp.diags((1.0 / n).astype(np.float32)) @ X


def _dense_topk(sc: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k largest values per row, best first (ties: lower column first)."""
    kk = min(k, sc.shape[1])
    part = np.argpartition(-sc, kk - 1, axis=1)[:, :kk] if kk < sc.shape[1] else np.tile(np.arange(sc.shape[1]), (len(sc), 1))
    part = np.sort(part, axis=1)
    vals = np.take_along_axis(sc, part, axis=1)
    return np.take_along_axis(part, np.argsort(-vals, axis=1, kind="stable"), axis=1)


def _top_sparse(dense: np.ndarray, n: int) -> sp.csr_matrix:
    """Keep the n largest positive values per row of a dense block (ties: the lower column)."""
    b, m = dense.shape
    if m > 16 * n and b > 0:
        # exact, faster than argpartition on wide rows: the n-th largest of 4n chunk maxima is a lower
        # bound of the n-th largest value, so only entries >= it can be in the top n
        starts = np.linspace(0, m, 4 * n + 1).astype(np.int64)[:-1]
        cm = np.maximum.reduceat(dense, starts, axis=1)
        tau = np.partition(cm, cm.shape[1] - n, axis=1)[:, cm.shape[1] - n]
        tau = np.maximum(tau, np.finfo(np.float32).tiny)
        r, c = np.nonzero(dense >= tau[:, None])
        v = dense[r, c]
        order = np.lexsort((c, -v, r))
        r, c, v = r[order], c[order], v[order]
        first = np.searchsorted(r, np.arange(b))
        rank = np.arange(len(r)) - first[r]
        keep = rank < n
        return sp.csr_matrix((v[keep], (r[keep], c[keep])), shape=dense.shape)
    if dense.shape[1] > n:  # narrow rows: a stable sort, so equal values go to the lower column as above
        idx = np.argsort(-dense, axis=1, kind="stable")[:, :n]
        vals = np.take_along_axis(dense, idx, axis=1)
        rows = np.repeat(np.arange(dense.shape[0]), n)
        m = sp.csr_matrix((vals.ravel(), (rows, idx.ravel())), shape=dense.shape)
    else:
        m = sp.csr_matrix(dense)
    m.data[m.data < 0] = 0
    m.eliminate_zeros()
    return m


# --------------------------------------------------------------------------------------------------
# Models: each has .scores(user_rows) -> dense float32 (b x I)
# --------------------------------------------------------------------------------------------------


class _Popular:
    """The baseline: every customer gets the products with the most buyers (share of customers)."""
    name = "popular"

    def __init__(self, M: _Matrix, seed: int = 0) -> None:
        self.M = M
        self.pop = (M.buyers / max(len(M.users), 1)).astype(np.float32)

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return np.tile(self.pop, (len(rows), 1))


class _ItemKNN:
    """Item-to-item cosine over ``B``; ``S`` keeps the ``ITEM_NEIGHBOURS`` most similar products per product."""
    name = "item"

    def __init__(self, M: _Matrix, seed: int = 0) -> None:
        self.M = M
        Bn = _row_normalise(M.B.T.tocsr())  # items x users, unit rows
        BnT = Bn.T.tocsc()
        blocks = []
        for s in range(0, Bn.shape[0], _BLOCK):
            d = (Bn[s:s + _BLOCK] @ BnT).toarray()
            d[np.arange(d.shape[0]), np.arange(s, s + d.shape[0])] = 0.0
            blocks.append(_top_sparse(d, ITEM_NEIGHBOURS))
        self.S = sp.vstack(blocks).tocsr() if blocks else sp.csr_matrix((0, 0))

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return (self.M.B[rows] @ self.S).toarray().astype(np.float32)


class _UserKNN:
    """Customer kNN: the ``USER_NEIGHBOURS`` most similar customers (cosine over ``B``) vote for what they bought.

    Neighbours are looked for among every customer, or, above ``MAX_NEIGHBOUR_POOL`` customers, among a
    seeded random sample of that many (``pool``): the similarities of a customer to every other one are a
    dense row as long as the customer base, which at a million customers makes user kNN the slowest
    model by far (82 s of a 130 s fit at 10M lines), while 100,000 candidates still hold far more than
    ``USER_NEIGHBOURS`` close neighbours."""
    name = "user"

    def __init__(self, M: _Matrix, seed: int = 0) -> None:
        self.M = M
        self.Bu = _row_normalise(M.B)  # unit rows, for the "customers like the buyers" target lists
        n_u, n_i = M.B.shape
        self.pool = (None if n_u <= MAX_NEIGHBOUR_POOL else
                     np.sort(np.random.default_rng(seed).choice(n_u, MAX_NEIGHBOUR_POOL, replace=False)))
        P = M.B if self.pool is None else M.B[self.pool]
        # cosine of binary rows = overlap / sqrt(|u| |v|). The overlap is counted exactly (integers in
        # float32) and scaled elementwise, so equal similarities are bit-equal and ties break by the lower
        # customer index whichever path computed them. Few products: dense BLAS on the 0/1 matrix is
        # several times faster than a sparse product whose result is nearly dense anyway.
        self._inv = (1.0 / np.sqrt(np.maximum(np.diff(M.B.indptr), 1))).astype(np.float32)
        self._inv_pool = self._inv if self.pool is None else self._inv[self.pool]
        n_p = P.shape[0]
        self._dense = P.toarray() if n_i <= DENSE_USER_KNN_MAX_ITEMS and n_p * n_i <= 50_000_000 else None
        # CSR of the transpose: scipy turns the right operand of a CSR product into CSR first (on a CSC
        # operand that conversion cost more than the product itself)
        self._PT = P.T.tocsr() if self._dense is None else None
        self._cache: tuple[bytes, sp.csr_matrix] | None = None

    def similarities(self, rows: np.ndarray) -> np.ndarray:
        """Dense cosine similarities of ``rows`` to every candidate neighbour (every customer, or the
        customers of ``pool``; self included), float32."""
        if self._dense is not None:
            left = self._dense[rows] if self.pool is None else self.M.B[rows].toarray()
            ov = left @ self._dense.T
        else:
            ov = (self.M.B[rows] @ self._PT).toarray()
        ov *= self._inv[rows][:, None]
        ov *= self._inv_pool[None, :]
        return ov

    def neighbours(self, rows: np.ndarray) -> sp.csr_matrix:
        """The neighbours of ``rows`` with their similarity (rows x customers), the last call's kept."""
        rows = np.asarray(rows)
        key = rows.tobytes()
        cached = self._cache  # one read: a fitted model is shared by threads (analytics.cached keeps fits)
        if cached is not None and cached[0] == key:
            return cached[1]
        n_u = len(self.M.users)
        n_p = n_u if self.pool is None else len(self.pool)
        blocks = []
        step = max(1, min(_BLOCK, 16_000_000 // max(n_p, 1)))  # a block of at most 64 MB
        for s in range(0, len(rows), step):
            r = rows[s:s + step]
            d = self.similarities(r)
            if self.pool is None:
                d[np.arange(len(r)), r] = 0.0
            else:
                at = np.minimum(np.searchsorted(self.pool, r), n_p - 1)
                own = self.pool[at] == r
                d[np.arange(len(r))[own], at[own]] = 0.0
            nb = _top_sparse(d, USER_NEIGHBOURS)
            if self.pool is not None:  # candidate positions -> customer rows (pool is sorted: order kept)
                nb = sp.csr_matrix((nb.data, self.pool[nb.indices], nb.indptr), shape=(len(r), n_u))
            blocks.append(nb)
        nb = (sp.vstack(blocks).tocsr() if blocks else sp.csr_matrix((0, n_u), dtype=np.float32))
        self._cache = (key, nb)
        return nb

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return (self.neighbours(rows) @ self.M.B).toarray().astype(np.float32)


class _ALS:
    """Implicit-feedback matrix factorisation on the confidences ``W`` (seeded, single thread).

    Above ``MAX_ALS_USERS`` customers the factors are learnt on a seeded random sample of that many
    (``sample``): the fit grows with the customers (85 s for a million, 5.5 s for 100,000), while the
    products' factors, which is what the sample is for, are already well determined by 100,000
    customers. Each customer scored then gets the exact least-squares factors given the products'
    factors (``implicit``'s ``recalculate_user``: independent per customer, so any thread count gives the
    same numbers), sampled or not, so every customer is treated alike."""
    name = "als"

    def __init__(self, M: _Matrix, seed: int = 0) -> None:
        import threadpoolctl
        from implicit.als import AlternatingLeastSquares

        self.M = M
        W = M.W.tocsr()
        n_u = W.shape[0]
        self.sample = (None if n_u <= MAX_ALS_USERS else
                       np.sort(np.random.default_rng(seed).choice(n_u, MAX_ALS_USERS, replace=False)))
        with threadpoolctl.threadpool_limits(1, "blas"):
            model = AlternatingLeastSquares(
                factors=ALS_FACTORS, regularization=ALS_REGULARIZATION, alpha=ALS_ALPHA,
                iterations=ALS_ITERATIONS, random_state=seed, num_threads=1, calculate_training_loss=False,
            )
            model.fit(W if self.sample is None else W[self.sample], show_progress=False)
            if self.sample is not None:
                _ = model.YtY  # computed once here, not by concurrent first scorers
        self._model = model
        self._W = W
        self.itf = np.asarray(model.item_factors, dtype=np.float32)
        self._uf = np.asarray(model.user_factors, dtype=np.float32) if self.sample is None else None
        self._lock = threading.Lock()

    def user_factors(self, rows: np.ndarray) -> np.ndarray:
        """The factors of the customers ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        if self._uf is not None:
            return self._uf[rows]
        import threadpoolctl

        with threadpoolctl.threadpool_limits(1, "blas"):
            return np.asarray(self._model.recalculate_user(rows, self._W[rows]), dtype=np.float32).reshape(
                len(rows), -1)

    @property
    def uf(self) -> np.ndarray:
        """Every customer's factors (computed once when the fit was on a sample)."""
        if self._uf is None:
            with self._lock:
                if self._uf is None:
                    self._uf = self.user_factors(np.arange(self._W.shape[0]))
        return self._uf

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return self.user_factors(rows) @ self.itf.T


_MODEL_CLASSES = {"item": _ItemKNN, "user": _UserKNN, "als": _ALS, "popular": _Popular}


def _fit(name: str, M: _Matrix, seed: int):
    """Fit the model ``name`` (one of MODELS) on the matrices ``M``."""
    return _MODEL_CLASSES[name](M, seed)


def _topk(model, rows: np.ndarray, k: int, banned: sp.csr_matrix, *, exclude_cols: np.ndarray | None = None,
          boost_cols: np.ndarray | None = None, boost_factor: float = 1.0,
          extra: "_NewProducts | None" = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-k item columns per row (-1 = no item), their final scores and the raw model scores."""
    M = model.M
    n_items = len(M.items) + (len(extra.items) if extra is not None else 0)
    kk = min(k, n_items)
    out_idx = np.full((len(rows), k), -1, dtype=np.int64)
    out_sc = np.full((len(rows), k), np.nan, dtype=np.float32)
    out_raw = np.full((len(rows), k), np.nan, dtype=np.float32)
    pop = (M.buyers / max(M.buyers.max(), 1)).astype(np.float32)
    for s in range(0, len(rows), _BLOCK):
        r = rows[s:s + _BLOCK]
        raw = model.scores(r)
        if extra is not None:
            raw = np.hstack([raw, extra.place(raw)])
            popx = np.concatenate([pop, np.zeros(len(extra.items), np.float32)])
        else:
            popx = pop
        sc = raw + POP_EPS * popx if model.name in ("item", "user") else raw.copy()
        if boost_cols is not None and len(boost_cols) and boost_factor != 1.0:
            b = sc[:, boost_cols]
            sc[:, boost_cols] = np.where(b > 0, b * boost_factor, b / boost_factor)
        bn = banned[r]
        bi, bj = bn.nonzero()
        sc[bi, bj] = -np.inf
        if exclude_cols is not None and len(exclude_cols):
            sc[:, exclude_cols] = -np.inf
        if kk < sc.shape[1]:
            part = np.argpartition(-sc, kk - 1, axis=1)[:, :kk]
        else:
            part = np.tile(np.arange(sc.shape[1]), (len(r), 1))
        psc = np.take_along_axis(sc, part, axis=1)
        # deterministic order: by score, ties by column index (sort by column first, then stable by score)
        pre = np.argsort(part, axis=1)
        part = np.take_along_axis(part, pre, axis=1)
        psc = np.take_along_axis(psc, pre, axis=1)
        order = np.argsort(-psc, axis=1, kind="stable")
        top = np.take_along_axis(part, order, axis=1)
        tsc = np.take_along_axis(psc, order, axis=1)
        top = np.where(np.isfinite(tsc), top, -1)
        out_idx[s:s + len(r), :kk] = top
        out_sc[s:s + len(r), :kk] = np.where(top >= 0, tsc, np.nan)
        out_raw[s:s + len(r), :kk] = np.where(top >= 0, np.take_along_axis(raw, np.maximum(top, 0), axis=1), np.nan)
    return out_idx, out_sc, out_raw


# --------------------------------------------------------------------------------------------------
# Cold start: new products placed by name/category similarity, new customers by attribute popularity
# --------------------------------------------------------------------------------------------------


def _tokens(name: Any, category: Any) -> str:
    """Name tokens (latin words of 2+ characters, CJK character bigrams) and the category as one token."""
    toks: list[str] = []
    if isinstance(name, str):
        s = name.lower()
        toks += re.findall(r"[a-z0-9]{2,}", s)
        cjk = re.findall(r"[\u4e00-\u9fff]+", s)
        for run in cjk:
            toks += [run[i:i + 2] for i in range(max(len(run) - 1, 1))]
    if isinstance(category, str) and category:
        toks.append("cat::" + category.lower().replace(" ", "_"))
    return " ".join(toks)


def _tfidf(*corpora: list[list[str]]):
    """Smoothed TF-IDF (idf = ln((1 + n) / (1 + df)) + 1), unit rows; one matrix per corpus."""
    vocab: dict[str, int] = {}
    mats = []
    for docs in corpora:
        rows, cols = [], []
        for r, toks in enumerate(docs):
            for tok in toks:
                rows.append(r)
                cols.append(vocab.setdefault(tok, len(vocab)))
        mats.append((rows, cols, len(docs)))
    if not vocab:
        return None, None
    built = [sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(n, len(vocab))) for r, c, n in mats]
    n_docs = sum(m.shape[0] for m in built)
    df = sum(np.bincount(m.indices, minlength=len(vocab)) for m in built if m.nnz) if any(m.nnz for m in built) else 0
    idf = np.log((1 + n_docs) / (1 + np.asarray(df, dtype=float))) + 1
    return tuple(_row_normalise((m @ sp.diags(idf)).tocsr()) for m in built)


@dataclass
class _NewProducts:
    """Products without a known buyer, each placed next to an established product (its anchor)."""
    items: pd.Index                     # product ids without interactions
    anchor: np.ndarray                  # column of the most similar established product (-1: none)
    sim: np.ndarray

    def place(self, raw: np.ndarray) -> np.ndarray:
        """Scores of the new products from the raw scores of the established ones."""
        out = np.zeros((raw.shape[0], len(self.items)), dtype=np.float32)
        ok = self.anchor >= 0
        if ok.any():
            out[:, ok] = raw[:, self.anchor[ok]] * self.sim[ok] * NEW_PRODUCT_DISCOUNT
        return out


def _new_products(product_ids: Iterable[str], M: _Matrix, names: pd.Series, cats: pd.Series) -> _NewProducts:
    """Place the products of ``product_ids`` that are not in ``M`` (sold, but never to a known customer)
    next to their most similar established product."""
    known = set(M.items)
    ids = pd.Index(sorted(p for p in product_ids if p not in known), dtype=object)
    if len(ids) == 0:
        return _NewProducts(ids, np.zeros(0, np.int64), np.zeros(0, np.float32))
    docs_old = [_tokens(names.get(p), cats.get(p)).split() for p in M.items]
    docs_new = [_tokens(names.get(p), cats.get(p)).split() for p in ids]
    A, Nw = _tfidf(docs_old, docs_new)
    if A is None:  # no tokens at all
        return _NewProducts(ids, np.full(len(ids), -1), np.zeros(len(ids), np.float32))
    sim = (Nw @ A.T).toarray()
    # ties: prefer the more popular established product
    sim_tb = sim + 1e-9 * (M.buyers / max(M.buyers.max(), 1))[None, :]
    anchor = sim_tb.argmax(axis=1)
    best = sim[np.arange(len(ids)), anchor]
    anchor = np.where(best >= NEW_PRODUCT_MIN_SIM, anchor, -1)
    return _NewProducts(ids, anchor.astype(np.int64), np.where(anchor >= 0, best, 0).astype(np.float32))


class _AttributePopular:
    """Top sellers within the customer's region, else segment (member level), else overall."""

    def __init__(self, M: _Matrix, attrs: pd.DataFrame) -> None:
        self.M = M
        self.overall = M.buyers.astype(np.float32)
        self.tables: dict[str, dict[str, np.ndarray]] = {}
        users_att = attrs.reindex(M.users)
        for col in ("region", "segment"):
            vals = users_att[col]
            if vals.notna().sum() == 0:
                continue
            tab = {}
            for v, idx in vals.dropna().groupby(vals.dropna()).groups.items():
                rows = M.users.get_indexer(idx)
                counts = np.asarray(M.B[rows].sum(axis=0)).ravel().astype(np.float32)
                if len(rows) >= 20:  # a group needs some buyers to speak for it
                    tab[str(v)] = counts
            self.tables[col] = tab
        self.attrs = attrs

    def scores_for(self, customer_ids: Sequence[str]) -> tuple[np.ndarray, list[tuple[str, str | None]]]:
        """Scores per customer (buyers within their group) and the basis used: ("region", value),
        ("segment", value) or ("overall", None)."""
        out = np.tile(self.overall, (len(customer_ids), 1))
        basis: list[tuple[str, str | None]] = [("overall", None)] * len(customer_ids)
        att = self.attrs.reindex(pd.Index(customer_ids))
        for col in ("segment", "region"):  # region wins when both are known
            tab = self.tables.get(col, {})
            if not tab:
                continue
            for r, v in enumerate(att[col].to_numpy()):
                if isinstance(v, str) and v in tab:
                    out[r] = tab[v] + 1e-3 * self.overall / max(self.overall.max(), 1)
                    basis[r] = (col, v)
        return out, basis

