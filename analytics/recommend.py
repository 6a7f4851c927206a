"""Recommendations: which products to put in front of which customers (issue 8, DESIGN.md §4).

Implicit feedback from order history
------------------------------------
An interaction is a (customer, product) pair from a sales line: not a return, customer id present,
product id present, quantity > 0 when a quantity is given. Service lines (postage, carriage, fees,
discounts, manual adjustments: :data:`SERVICE_PATTERN` on the product name) are not products and are
left out. Two strengths are kept per pair:

* ``B`` = 1 if the customer bought the product at all (binary). The cosine kNN models use it: on Online
  Retail binary vectors gave the best holdout precision (weighting by orders or log1p(quantity) lost
  1-2 points of precision@10 because wholesale buyers dominate the norms).
* ``W`` = log1p(number of distinct orders containing the pair): the confidence of the latent-factor
  model (``C = 1 + alpha * W``).

Models (each scores every product for a customer; already-bought products are filtered afterwards)
--------------------------------------------------------------------------------------------------
* ``item``: item-to-item cosine similarity over ``B`` (scipy sparse), top ``ITEM_NEIGHBOURS``
  neighbours kept per product; score(u, i) = sum of sim(j, i) over the products j that u bought.
* ``user``: user-based kNN: cosine over ``B`` between customers, the ``USER_NEIGHBOURS`` most similar
  customers vote with their similarity for the products they bought.
* ``als``: implicit-feedback matrix factorisation, ``implicit.als.AlternatingLeastSquares`` (64
  factors, 15 iterations, single thread, ``random_state=seed``): bit-for-bit reproducible.
* ``popular``: the baseline: products ranked by distinct buyers in the training window.

kNN scores get a tiny popularity term (1e-6 x share of buyers) so ties and empty rows are filled with
top sellers (those slots are explained as top sellers).

Evaluation on a time-based holdout
----------------------------------
Train on lines before ``holdout_from``, test on lines from it on. Test customers bought in the holdout
and also in training; their relevant set is the catalogue products they bought in the holdout which
they had not bought in training (with ``rp`` = repeat purchases allowed, every holdout product counts
and only the recently bought window is filtered). Customers with an empty relevant set are not scored.
Cold customers (first purchase in the holdout) are scored separately with the attribute fallbacks.
Metrics (see locales "metric.*"): precision@k = hits / k, recall@k = hits / |relevant|, hit rate =
share with at least one hit, all averaged over test customers; coverage = distinct recommended products
/ catalogue (products with a training interaction); novelty = mean of -log2(buyers(i) / customers) over
every recommended slot. The chosen model has the best precision@k (ties: coverage). Business rules
(exclude list, boost) shape the final lists only, never the evaluation; the final lists come from the
chosen model refitted on all history, with "now" = the last order date. Holdouts with more than
``MAX_EVAL_USERS`` test customers are scored on a seeded random sample of them (said in the warnings).

Cold start: new customers get top sellers of their region (customers frame, else their most frequent
order region), else of their member level, else overall. New products (sold, but never to a known
customer) are placed next to the most similar established product by TF-IDF over name tokens (CJK
character bigrams) and category: score = 0.8 x similarity x the anchor's score; banned where the
anchor is banned.
"""

from __future__ import annotations

import io
import json
import math
import re
import threading
from concurrent.futures import ThreadPoolExecutor
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analytics import segmentation as seg
from analytics.common import NotEnoughData, filter_dates, jsonable
from analytics.i18n import fmt_date, fmt_pct, t
from analytics.params import Param

PAGE = "recommendations"
KINDS = {"orders": True, "customers": False}
MODELS = ("item", "user", "als", "popular")
PARAMS = [
    Param("holdout_from", "date", None, help="recommend.help.holdout_from"),
    Param("k", "int", 10, min=1, max=100, help="recommend.help.k"),
    Param("model", "str", "auto", choices=("auto",) + MODELS, help="recommend.help.model"),
    Param("exclude_window_days", "int", 90, min=0, max=3650, help="recommend.help.exclude_window_days"),
    Param("rp", "bool", False, help="recommend.help.rp"),
    Param("exclude", "list", [], help="recommend.help.exclude"),
    Param("boost", "list", [], help="recommend.help.boost"),
    Param("boost_factor", "float", 1.5, min=1.0, max=100.0, help="recommend.help.boost_factor"),
    Param("segment", "list", None, help="recommend.help.segment"),
    Param("product", "str", None, help="recommend.help.product"),
    Param("top_customers", "int", 100, min=1, max=100000, help="recommend.help.top_customers"),
    Param("seed", "int", 0, min=0, help="recommend.help.seed"),
]

SERVICE_PATTERN = re.compile(
    r"^\s*(postage|dotcom postage|carriage|next day carriage|manual|discount|samples?|bank charges|"
    r"amazon fee|adjust bad debt|adjustment|cruk commission|邮费|运费|运费险|手续费|补差价?|补运费|优惠券?)\s*$",
    re.IGNORECASE,
)
ITEM_NEIGHBOURS = 100
USER_NEIGHBOURS = 50
ALS_FACTORS = 64
ALS_ITERATIONS = 15
ALS_REGULARIZATION = 1.0
ALS_ALPHA = 5.0
POP_EPS = 1e-6
SAMPLE_SIZE = 20
MIN_TEST_USERS = 30
MAX_LIST_CUSTOMERS = 50_000
MAX_EVAL_USERS = 5_000  # larger holdouts are scored on a seeded random sample of test customers
NEW_PRODUCT_MIN_SIM = 0.3
NEW_PRODUCT_DISCOUNT = 0.8  # a placed new product scores 80% x similarity x its anchor's score
_BLOCK = 1024
DENSE_USER_KNN_MAX_ITEMS = 512  # user kNN similarities through dense BLAS up to this catalogue size

# The page's extra controls (target lists, which sample customer is shown); bound to the URL by the page,
# not used by compute().
TARGET_PARAMS = [
    Param("tsrc", "str", "rfm", choices=("rfm", "cn8", "persona"), help="recommend.help.tsrc"),
    Param("tseg", "str", None, help="recommend.help.tseg"),
    Param("sc", "str", None, help="recommend.help.sc"),
]


class _FrameMemo:
    """A small in-process memo of slow intermediate results, keyed by the identity of the input frames
    (checked through weak references, so a freed frame never matches) plus small scalars.

    The page's results are cached by analytics.cached on dataset id + revision; this memo only lets the
    different calls of one page (the result in each language, target lists, a changed exclude list)
    share the holdout evaluation and the fitted final model instead of training again."""

    def __init__(self, size: int = 6) -> None:
        self.size = size
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    @staticmethod
    def _frames(frames: Mapping[str, Any]) -> list[tuple[str, Any]]:
        return [(k, frames.get(k)) for k in ("orders", "customers") if frames.get(k) is not None]

    def get(self, frames: Mapping[str, Any], key: tuple) -> Any:
        fr = self._frames(frames)
        full = (tuple((k, id(f)) for k, f in fr), key)
        with self.lock:
            hit = self.data.get(full)
            if hit is None:
                return None
            refs, value = hit
            if any(r() is not f for r, (_, f) in zip(refs, fr)):
                del self.data[full]
                return None
            self.data.move_to_end(full)
            return value

    def put(self, frames: Mapping[str, Any], key: tuple, value: Any) -> None:
        fr = self._frames(frames)
        try:
            refs = [weakref.ref(f) for _, f in fr]
        except TypeError:  # not weak-referenceable: do not memoise
            return
        full = (tuple((k, id(f)) for k, f in fr), key)
        with self.lock:
            self.data[full] = (refs, value)
            self.data.move_to_end(full)
            while len(self.data) > self.size:
                self.data.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.data.clear()


_MEMO = _FrameMemo()


# --------------------------------------------------------------------------------------------------
# Metrics (pure, vectorised; the dict-based wrappers are the public API)
# --------------------------------------------------------------------------------------------------


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
    """Mean over the users in ``truth`` of |top-k ∩ relevant| / k (a short list still divides by k)."""
    if not truth:
        return float("nan")
    rec, tm = _to_arrays(recs, truth, k)
    return float(_hits(rec, tm).mean() / k)


def recall_at_k(recs: Mapping[Any, Sequence[Any]], truth: Mapping[Any, Iterable[Any]], k: int) -> float:
    """Mean over the users in ``truth`` with a non-empty relevant set of |top-k ∩ relevant| / |relevant|."""
    rec, tm = _to_arrays(recs, truth, k)
    n = np.asarray(tm.sum(axis=1)).ravel()
    if not (n > 0).any():
        return float("nan")
    return float((_hits(rec, tm)[n > 0] / n[n > 0]).mean())


def hit_rate(recs: Mapping[Any, Sequence[Any]], truth: Mapping[Any, Iterable[Any]], k: int) -> float:
    """Share of the users in ``truth`` with at least one relevant product in their top-k."""
    if not truth:
        return float("nan")
    rec, tm = _to_arrays(recs, truth, k)
    return float((_hits(rec, tm) > 0).mean())


def catalogue_coverage(recs: Mapping[Any, Sequence[Any]], catalogue: Iterable[Any], k: int | None = None) -> float:
    """Share of catalogue products that appear in at least one (top-k) list."""
    cat = set(catalogue)
    if not cat:
        return float("nan")
    shown = {i for lst in recs.values() for i in (list(lst)[:k] if k else lst)}
    return len(shown & cat) / len(cat)


def novelty(recs: Mapping[Any, Sequence[Any]], buyers: Mapping[Any, float], n_users: int, k: int | None = None) -> float:
    """Mean self-information -log2(buyers(i) / n_users) over every recommended slot (higher = less obvious)."""
    vals = [-math.log2(buyers[i] / n_users) for lst in recs.values() for i in (list(lst)[:k] if k else lst)
            if buyers.get(i, 0) > 0]
    return float(np.mean(vals)) if vals else float("nan")


def _mean_ci(x: np.ndarray) -> tuple[float, float, float]:
    n = len(x)
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if n < 2:
        return m, float("nan"), float("nan")
    half = 1.96 * float(x.std(ddof=1)) / math.sqrt(n)
    return m, m - half, m + half


# --------------------------------------------------------------------------------------------------
# Data preparation
# --------------------------------------------------------------------------------------------------


def _clean_lines(orders: pd.DataFrame, warnings: list[dict]) -> pd.DataFrame:
    if orders is None or orders.empty:
        raise NotEnoughData("recommend.error.no_orders")
    df = orders
    pid = df["product_id"] if "product_id" in df else pd.Series(np.nan, index=df.index)
    if pid.notna().sum() == 0 and "product_name" in df and df["product_name"].notna().any():
        pid = df["product_name"]
    if pid.notna().sum() == 0:
        raise NotEnoughData("recommend.error.no_products")
    if "customer_id" not in df or df["customer_id"].notna().sum() == 0:
        raise NotEnoughData("recommend.error.no_customers")
    out = pd.DataFrame({
        "order_id": df["order_id"].astype("str") if "order_id" in df else pd.Series(np.arange(len(df)), index=df.index).astype("str"),
        "order_date": df["order_date"],
        "customer_id": df["customer_id"].astype("str").where(df["customer_id"].notna()),
        "product_id": pid.astype("str").where(pid.notna()),
        "product_name": (df["product_name"].astype("str").where(df["product_name"].notna())
                         if "product_name" in df else pd.Series(None, index=df.index, dtype="str")),
        "category": (df["category"].astype("str").where(df["category"].notna())
                     if "category" in df else pd.Series(None, index=df.index, dtype="str")),
        "region": (df["region"].astype("str").where(df["region"].notna())
                   if "region" in df else pd.Series(None, index=df.index, dtype="str")),
    })
    ret = df["is_return"].fillna(False).astype(bool) if "is_return" in df else pd.Series(False, index=df.index)
    if "quantity" in df:
        ret = ret | (df["quantity"].fillna(1) <= 0)
    keep = ~ret.to_numpy() & out["product_id"].notna().to_numpy() & out["order_date"].notna().to_numpy()
    n_returns = int(ret.sum())
    bad_names = [x for x in pd.unique(out["product_name"].dropna()) if SERVICE_PATTERN.match(x)]
    bad_ids = [x for x in pd.unique(out["product_id"].dropna()) if SERVICE_PATTERN.match(x)]
    service = (out["product_name"].isin(bad_names) | out["product_id"].isin(bad_ids)).to_numpy() & keep
    if service.any():
        codes = out.loc[service, "product_id"].value_counts().index.tolist()
        warnings.append({"key": "warning.service", "n": int(service.sum()), "codes": ", ".join(codes[:10])})
    keep &= ~service
    anon = keep & out["customer_id"].isna().to_numpy()
    if anon.any():
        warnings.append({"key": "warning.no_customer", "n": int(anon.sum())})
    if n_returns:
        warnings.append({"key": "warning.returns", "n": n_returns})
    return out.loc[keep]


@dataclass
class _Matrix:
    users: pd.Index
    items: pd.Index
    B: sp.csr_matrix            # binary (U x I)
    W: sp.csr_matrix            # log1p(distinct orders)
    recent: sp.csr_matrix       # bought within the window before `now`
    buyers: np.ndarray          # distinct buyers per item
    now: pd.Timestamp


def _build_matrix(lines: pd.DataFrame, now: pd.Timestamp, window_days: int) -> _Matrix:
    g = (lines.groupby(["customer_id", "product_id"], sort=True)
         .agg(n=("order_id", "nunique"), last=("order_date", "max")).reset_index())
    users = pd.Index(g["customer_id"].unique())
    items = pd.Index(np.sort(g["product_id"].unique()))
    ui = users.get_indexer(g["customer_id"])
    ii = items.get_indexer(g["product_id"])
    shape = (len(users), len(items))
    B = sp.csr_matrix((np.ones(len(g), dtype=np.float32), (ui, ii)), shape=shape)
    W = sp.csr_matrix((np.log1p(g["n"].to_numpy()).astype(np.float32), (ui, ii)), shape=shape)
    rec_mask = (g["last"] >= now - pd.Timedelta(days=window_days)).to_numpy() if window_days > 0 else np.zeros(len(g), bool)
    R = sp.csr_matrix((np.ones(int(rec_mask.sum()), dtype=np.float32), (ui[rec_mask], ii[rec_mask])), shape=shape)
    buyers = np.asarray(B.sum(axis=0)).ravel()
    return _Matrix(users, items, B, W, R, buyers, now)


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
    name = "popular"

    def __init__(self, M: _Matrix, seed: int = 0) -> None:
        self.M = M
        self.pop = (M.buyers / max(len(M.users), 1)).astype(np.float32)

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return np.tile(self.pop, (len(rows), 1))


class _ItemKNN:
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
    name = "user"

    def __init__(self, M: _Matrix, seed: int = 0) -> None:
        self.M = M
        self.Bu = _row_normalise(M.B)  # unit rows, for the "customers like the buyers" target lists
        # cosine of binary rows = overlap / sqrt(|u| |v|). The overlap is counted exactly (integers in
        # float32) and scaled elementwise, so equal similarities are bit-equal and ties break by the lower
        # customer index whichever path computed them. Few products: dense BLAS on the 0/1 matrix is
        # several times faster than a sparse product whose result is nearly dense anyway.
        self._inv = (1.0 / np.sqrt(np.maximum(np.diff(M.B.indptr), 1))).astype(np.float32)
        n_u, n_i = M.B.shape
        self._dense = M.B.toarray() if n_i <= DENSE_USER_KNN_MAX_ITEMS and n_u * n_i <= 50_000_000 else None
        self._BT = M.B.T.tocsc() if self._dense is None else None
        self._cache: tuple[bytes, sp.csr_matrix] | None = None

    def similarities(self, rows: np.ndarray) -> np.ndarray:
        """Dense cosine similarities of ``rows`` to every customer (self included), float32."""
        if self._dense is not None:
            ov = self._dense[rows] @ self._dense.T
        else:
            ov = (self.M.B[rows] @ self._BT).toarray()
        ov *= self._inv[rows][:, None]
        ov *= self._inv[None, :]
        return ov

    def neighbours(self, rows: np.ndarray) -> sp.csr_matrix:
        rows = np.asarray(rows)
        key = rows.tobytes()
        cached = self._cache  # one read: a fitted model can be shared by threads (the memo below)
        if cached is not None and cached[0] == key:
            return cached[1]
        blocks = []
        step = max(1, min(_BLOCK, 16_000_000 // max(len(self.M.users), 1)))  # a block of at most 64 MB
        for s in range(0, len(rows), step):
            r = rows[s:s + step]
            d = self.similarities(r)
            d[np.arange(len(r)), r] = 0.0
            blocks.append(_top_sparse(d, USER_NEIGHBOURS))
        nb = (sp.vstack(blocks).tocsr() if blocks else sp.csr_matrix((0, len(self.M.users)), dtype=np.float32))
        self._cache = (key, nb)
        return nb

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return (self.neighbours(rows) @ self.M.B).toarray().astype(np.float32)


class _ALS:
    name = "als"

    def __init__(self, M: _Matrix, seed: int = 0) -> None:
        import threadpoolctl
        from implicit.als import AlternatingLeastSquares

        self.M = M
        with threadpoolctl.threadpool_limits(1, "blas"):
            model = AlternatingLeastSquares(
                factors=ALS_FACTORS, regularization=ALS_REGULARIZATION, alpha=ALS_ALPHA,
                iterations=ALS_ITERATIONS, random_state=seed, num_threads=1, calculate_training_loss=False,
            )
            model.fit(M.W.tocsr(), show_progress=False)
        self.uf = np.asarray(model.user_factors, dtype=np.float32)
        self.itf = np.asarray(model.item_factors, dtype=np.float32)

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return self.uf[rows] @ self.itf.T


_MODEL_CLASSES = {"item": _ItemKNN, "user": _UserKNN, "als": _ALS, "popular": _Popular}


def _fit(name: str, M: _Matrix, seed: int):
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
    items: pd.Index                     # product ids without interactions
    anchor: np.ndarray                  # column of the most similar established product (-1: none)
    sim: np.ndarray

    def place(self, raw: np.ndarray) -> np.ndarray:
        out = np.zeros((raw.shape[0], len(self.items)), dtype=np.float32)
        ok = self.anchor >= 0
        if ok.any():
            out[:, ok] = raw[:, self.anchor[ok]] * self.sim[ok] * NEW_PRODUCT_DISCOUNT
        return out


def _new_products(lines_all: pd.DataFrame, M: _Matrix, names: pd.Series, cats: pd.Series) -> _NewProducts:
    known = set(M.items)
    ids = [p for p in pd.unique(lines_all["product_id"]) if p not in known]
    ids = pd.Index(sorted(ids))
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


def _user_attributes(lines: pd.DataFrame, customers: pd.DataFrame | None) -> pd.DataFrame:
    """customer_id -> region (customers frame first, else most frequent order region), segment."""
    parts = []
    if lines["region"].notna().any():
        r = (lines.dropna(subset=["region"]).groupby(["customer_id", "region"]).size().rename("n").reset_index()
             .sort_values(["customer_id", "n", "region"], ascending=[True, False, True])
             .drop_duplicates("customer_id").set_index("customer_id")["region"])
        parts.append(r.rename("region_orders"))
    att = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=pd.Index([], name="customer_id"))
    att["region"] = att["region_orders"] if "region_orders" in att else None
    att["segment"] = None
    if customers is not None and not customers.empty and "customer_id" in customers:
        c = customers.dropna(subset=["customer_id"]).drop_duplicates("customer_id").copy()
        c["customer_id"] = c["customer_id"].astype("str")
        c = c.set_index("customer_id")
        att = att.reindex(att.index.union(c.index))
        if "region" in c and c["region"].notna().any():
            att["region"] = c["region"].reindex(att.index).where(lambda s: s.notna(), att["region"])
        if "member_level" in c and c["member_level"].notna().any():
            att["segment"] = c["member_level"].reindex(att.index)
    return att[["region", "segment"]]


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


# --------------------------------------------------------------------------------------------------
# Explanations
# --------------------------------------------------------------------------------------------------


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


def _explain(model, M: _Matrix, rows: np.ndarray, top: np.ndarray, raw: np.ndarray, boosted: set[int],
             newp: _NewProducts | None, names: pd.Series, lang: str) -> list[list[dict]]:
    """Reason per slot: {"type", "anchor", "n", "text"}."""
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
    all_ids = list(M.items) + (list(newp.items) if newp is not None else [])
    out: list[list[dict]] = []
    for r in range(top.shape[0]):
        lst = []
        for c in range(top.shape[1]):
            p = r * top.shape[1] + c
            if pi_all[p] < 0:
                continue
            kind = kinds[p]
            a_id = all_ids[anchor[p]] if anchor[p] >= 0 else None
            a_name = _label(a_id, names) if a_id is not None else ""
            if kind == "new":
                text = (t("recommend.reason.new", lang, anchor=a_name) if a_id is not None
                        else t("recommend.reason.new_plain", lang))
            elif kind == "popular":
                text = t("recommend.reason.popular", lang, n=int(n[p]))
            else:
                text = t(f"recommend.reason.{kind}", lang, anchor=a_name, n=int(n[p]))
            if int(pi_all[p]) in boosted:
                text += t("recommend.reason.promoted_suffix", lang)
            lst.append({"type": kind, "anchor": a_id, "n": int(n[p]), "text": text})
        out.append(lst)
    return out


def _label(pid: Any, names: pd.Series) -> str:
    nm = names.get(pid)
    return f"{nm} ({pid})" if isinstance(nm, str) and nm else str(pid)


# --------------------------------------------------------------------------------------------------
# Holdout evaluation
# --------------------------------------------------------------------------------------------------


@dataclass
class HoldoutEvaluation:
    holdout_from: pd.Timestamp
    k: int
    lists: dict[str, dict[str, list[str]]]        # model -> customer -> top-k product ids
    truth: dict[str, set[str]]                    # test customer -> relevant products
    catalogue: list[str]
    buyers: dict[str, int]                        # training distinct buyers per product
    n_train_users: int
    metrics: dict[str, dict[str, float]]
    per_user_precision: dict[str, np.ndarray]
    cold: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def default_holdout(dates: pd.Series) -> pd.Timestamp:
    """The later of: the day leaving the last ~20% of days, and three months before the last day."""
    lo, hi = dates.min().normalize(), dates.max().normalize()
    span = (hi - lo).days + 1
    h1 = lo + pd.Timedelta(days=int(round(0.8 * span)))
    h2 = hi - pd.DateOffset(months=3) + pd.Timedelta(days=1)
    return max(h1, h2)


def _isin(s: pd.Series, values: Any) -> np.ndarray:
    """``s.isin(values)`` as a numpy mask. pandas' Arrow-string isin builds a Python scalar per value
    (0.03 s per call on 17,000 customers); pyarrow's is_in on the two Arrow arrays does the same test."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        a = pa.array(s.array)
        v = pa.array(pd.Index(values).array)
        if pa.types.is_string(a.type) or pa.types.is_large_string(a.type):
            if v.type != a.type:
                v = v.cast(a.type)
            return pc.is_in(a, value_set=v).fill_null(False).to_numpy(zero_copy_only=False)
    except (TypeError, ValueError, NotImplementedError, ImportError):
        pass
    return s.isin(values).to_numpy(dtype=bool)


def _prepare(frames: dict[str, pd.DataFrame], params: dict, warnings: list[dict]):
    orders = frames.get("orders")
    if orders is None or orders.empty:
        raise NotEnoughData("recommend.error.no_orders")
    orders = filter_dates(orders, "order_date", params.get("start"), params.get("end"))
    lines = _clean_lines(orders, warnings)
    return lines


def evaluate_holdout(frames: dict[str, pd.DataFrame], params: dict, *, _warnings: list[dict] | None = None,
                     _lines: pd.DataFrame | None = None, _fits: dict | None = None) -> HoldoutEvaluation:
    """Fit every model on lines before ``holdout_from`` and score them on the customers who bought after."""
    warnings = _warnings if _warnings is not None else []
    lines = _lines if _lines is not None else _prepare(frames, params, warnings)
    k = int(params.get("k") or 10)
    seed = int(params.get("seed") or 0)
    rp = bool(params.get("rp"))
    window = int(params.get("exclude_window_days") or 0)
    cust = lines.dropna(subset=["customer_id"])
    if cust.empty:
        raise NotEnoughData("recommend.error.no_customers")
    h = params.get("holdout_from")
    H = pd.Timestamp(h) if h is not None else default_holdout(cust["order_date"])
    train = cust[cust["order_date"] < H]
    test = cust[cust["order_date"] >= H]
    if train["customer_id"].nunique() < 10 or train["product_id"].nunique() <= k:
        raise NotEnoughData("recommend.error.short_training", date=str(H.date()))
    if test.empty:
        raise NotEnoughData("recommend.error.no_holdout", date=str(H.date()))
    M = _build_matrix(train, H, window)
    # relevant sets for warm customers
    te = test[_isin(test["customer_id"], M.users) & _isin(test["product_id"], M.items)]
    tu = M.users.get_indexer(te["customer_id"])
    ti = M.items.get_indexer(te["product_id"])
    T = sp.csr_matrix((np.ones(len(te), np.float32), (tu, ti)), shape=M.B.shape)
    T.data[:] = 1.0
    banned = M.recent if rp else M.B
    if not rp:
        T = (T - T.multiply(M.B)).tocsr()
        T.eliminate_zeros()
    rows = np.where(np.diff(T.indptr) > 0)[0]
    if len(rows) == 0:
        raise NotEnoughData("recommend.error.no_test_users", date=str(H.date()))
    n_test_all = len(rows)
    if len(rows) > MAX_EVAL_USERS:
        rows = np.sort(np.random.default_rng(seed).choice(rows, MAX_EVAL_USERS, replace=False))
        warnings.append({"key": "warning.eval_sample", "n": MAX_EVAL_USERS, "total": n_test_all})
    if len(rows) < MIN_TEST_USERS:
        warnings.append({"key": "warning.few_test_users", "n": int(len(rows))})
    Tr = T[rows]
    n_rel = np.asarray(Tr.sum(axis=1)).ravel()
    n_users = len(M.users)
    item_ids = np.asarray(M.items, dtype=object)
    user_ids = np.asarray(M.users, dtype=object)
    lists: dict[str, dict[str, list[str]]] = {}
    metrics: dict[str, dict[str, float]] = {}
    per_user: dict[str, np.ndarray] = {}
    fits = _fits if _fits is not None else {}

    def score(name: str, model) -> None:
        fits[name] = model
        top, _, _ = _topk(model, rows, k, banned)
        hits = _hits(top, Tr)
        prec = hits / k
        valid = top >= 0
        shown = np.unique(top[valid])
        nov = -np.log2(M.buyers[top[valid]] / n_users)
        m, lo, hi = _mean_ci(prec)
        metrics[name] = {
            "precision_at_k": m, "precision_ci_low": lo, "precision_ci_high": hi,
            "recall_at_k": float((hits / n_rel).mean()),
            "hit_rate": float((hits > 0).mean()),
            "coverage": len(shown) / len(M.items),
            "novelty": float(nov.mean()) if len(nov) else float("nan"),
            "n_users": int(len(rows)),
        }
        per_user[name] = prec
        named = item_ids[np.maximum(top, 0)]
        if (top >= 0).all():
            lists[name] = dict(zip(user_ids[rows].tolist(), named.tolist()))
        else:
            lists[name] = {u: [p for p, c in zip(ps, cs) if c >= 0]
                           for u, ps, cs in zip(user_ids[rows].tolist(), named.tolist(), top.tolist())}

    # the ALS fit runs in implicit's compiled code without the GIL: start it first, score the other models
    # and the cold-start customers meanwhile (the fit is single-threaded and seeded: same result)
    with ThreadPoolExecutor(1, thread_name_prefix="prism-als") as pool:
        als = pool.submit(_fit, "als", M, seed) if "als" in MODELS else None
        for name in MODELS:
            if name != "als":
                score(name, _fit(name, M, seed))
        truth = {user_ids[r]: set(item_ids[Tr.indices[Tr.indptr[j]:Tr.indptr[j + 1]]]) for j, r in enumerate(rows)}
        # cold customers: first purchase in the holdout
        cold_ids = pd.Index(test.loc[~_isin(test["customer_id"], M.users), "customer_id"].unique())
        cold: dict[str, Any] = {"n_users": int(len(cold_ids)), "models": []}
        if len(cold_ids):
            attrs = _user_attributes(cust, frames.get("customers"))
            ap = _AttributePopular(M, attrs)
            ct = test[_isin(test["customer_id"], cold_ids) & _isin(test["product_id"], M.items)]
            cu = cold_ids.get_indexer(ct["customer_id"])
            ci = M.items.get_indexer(ct["product_id"])
            CT = sp.csr_matrix((np.ones(len(ct), np.float32), (cu, ci)), shape=(len(cold_ids), len(M.items)))
            CT.data[:] = 1.0
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
                cold["models"].append({
                    "name": nm, "precision_at_k": float(hits.mean() / k),
                    "recall_at_k": float((hits / nrel).mean()), "hit_rate": float((hits > 0).mean()),
                    "coverage": len(np.unique(part)) / len(M.items),
                    "novelty": float((-np.log2(M.buyers[part] / n_users)).mean()),
                    "n_users": len(cids),
                })
            used = pd.Series([b[0] for b in basis]).value_counts().to_dict() if cids else {}
            cold["basis"] = {str(a): int(b) for a, b in used.items()}
        if als is not None:
            score("als", als.result())
    metrics = {m: metrics[m] for m in MODELS}
    lists = {m: lists[m] for m in MODELS}
    counts = {
        "train_lines": int(len(train)), "test_lines": int(len(test)), "train_customers": int(n_users),
        "catalogue": int(len(M.items)), "test_customers": int(n_test_all), "evaluated_customers": int(len(rows)),
        "holdout_customers": int(test["customer_id"].nunique()),
        "warm_no_new_products": int(test.loc[_isin(test["customer_id"], M.users), "customer_id"].nunique() - n_test_all),
        "cold_customers": int(len(cold_ids)),
    }
    return HoldoutEvaluation(
        holdout_from=H, k=k, lists=lists, truth=truth, catalogue=list(M.items),
        buyers={p: int(b) for p, b in zip(M.items, M.buyers)}, n_train_users=n_users,
        metrics=metrics, per_user_precision=per_user, cold=cold, counts=counts,
    )


def choose_model(metrics: Mapping[str, Mapping[str, float]]) -> str:
    """Best precision@k; ties broken by coverage, then by the order item, user, als, popular."""
    best = None
    for name in MODELS:
        m = metrics.get(name)
        if m is None:
            continue
        key = (round(m["precision_at_k"], 12), round(m["coverage"], 12))
        if best is None or key > best[0]:
            best = (key, name)
    return best[1] if best else "popular"


# --------------------------------------------------------------------------------------------------
# Final lists (chosen model on all history, business rules, explanations)
# --------------------------------------------------------------------------------------------------


def _split_ids(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        v = v.split(",")
    return [str(x).strip() for x in v if str(x).strip()]


@dataclass
class _Final:
    M: _Matrix
    model: Any
    newp: _NewProducts
    banned: sp.csr_matrix
    excl_cols: np.ndarray
    boost_cols: np.ndarray
    boost_factor: float
    names: pd.Series
    ap: _AttributePopular
    all_ids: np.ndarray


def _recommend_rows(F: _Final, rows: np.ndarray, k: int, lang: str) -> list[dict]:
    top, sc, raw = _topk(F.model, rows, k, F.banned, exclude_cols=F.excl_cols, boost_cols=F.boost_cols,
                         boost_factor=F.boost_factor, extra=F.newp)
    reasons = _explain(F.model, F.M, rows, top, raw, set(F.boost_cols.tolist()), F.newp, F.names, lang)
    out = []
    for j, r in enumerate(rows):
        ok = top[j] >= 0
        out.append({
            "customer_id": F.M.users[r], "status": "known",
            "products": [F.all_ids[c] for c in top[j][ok]],
            "names": [F.names.get(F.all_ids[c]) for c in top[j][ok]],
            "scores": [float(s) for s in sc[j][ok]],
            "reasons": [x["text"] for x in reasons[j]],
            "reason_types": [x["type"] for x in reasons[j]],
        })
    return out


def _recommend_cold(F: _Final, cids: list[str], k: int, lang: str) -> list[dict]:
    if not cids:
        return []
    sc, basis = F.ap.scores_for(cids)
    sc = np.hstack([sc, np.full((len(cids), len(F.newp.items)), -np.inf, np.float32)])
    if len(F.boost_cols):
        b = sc[:, F.boost_cols]
        sc[:, F.boost_cols] = np.where(b > 0, b * F.boost_factor, b / F.boost_factor)
    if len(F.excl_cols):
        sc[:, F.excl_cols] = -np.inf
    boosted = set(F.boost_cols.tolist())
    order = _dense_topk(sc, k)
    out = []
    for j, cid in enumerate(cids):
        cols = [c for c in order[j] if np.isfinite(sc[j, c])]
        col, val = basis[j]
        texts = []
        for c in cols:
            if col == "overall":
                txt = t("recommend.reason.popular", lang, n=int(F.M.buyers[c]))
            else:
                txt = t(f"recommend.reason.popular_{col}", lang, value=val, n=int(round(float(F.ap.tables[col][val][c]))))
            if c in boosted:
                txt += t("recommend.reason.promoted_suffix", lang)
            texts.append(txt)
        out.append({
            "customer_id": cid, "status": "new",
            "products": [F.all_ids[c] for c in cols], "names": [F.names.get(F.all_ids[c]) for c in cols],
            "scores": [float(sc[j, c]) for c in cols], "reasons": texts,
            "reason_types": ["popular_" + col if col != "overall" else "popular"] * len(cols),
        })
    return out


def recommend_for(F: _Final, customer_ids: Sequence[str], k: int, lang: str = "en") -> list[dict]:
    ids = [str(c) for c in customer_ids]
    pos = F.M.users.get_indexer(pd.Index(ids))
    warm = [(i, r) for i, r in enumerate(pos) if r >= 0]
    coldl = [(i, c) for i, (c, r) in enumerate(zip(ids, pos)) if r < 0]
    res: list[dict | None] = [None] * len(ids)
    for (i, _), rec in zip(warm, _recommend_rows(F, np.array([r for _, r in warm], dtype=np.int64), k, lang)):
        res[i] = rec
    for (i, _), rec in zip(coldl, _recommend_cold(F, [c for _, c in coldl], k, lang)):
        res[i] = rec
    return [r for r in res if r is not None]


def build_final(frames: dict[str, pd.DataFrame], params: dict, model_name: str, lines: pd.DataFrame,
                warnings: list[dict]) -> _Final:
    rp = bool(params.get("rp"))
    key = ("final", params.get("start"), params.get("end"), model_name, int(params.get("seed") or 0),
           int(params.get("exclude_window_days") or 0))
    base = _MEMO.get(frames, key)
    if base is None:
        base = _final_base(frames, params, model_name, lines)
        _MEMO.put(frames, key, base)
    M, model, names, newp, all_ids, ap = base
    pos = pd.Index(all_ids)
    excl = _split_ids(params.get("exclude"))
    boost = _split_ids(params.get("boost"))
    unknown = [p for p in excl + boost if p not in pos]
    if unknown:
        warnings.append({"key": "warning.unknown_products", "n": len(unknown), "codes": ", ".join(unknown[:10])})
    excl_cols = pos.get_indexer(pd.Index(excl)) if excl else np.zeros(0, np.int64)
    boost_cols = pos.get_indexer(pd.Index(boost)) if boost else np.zeros(0, np.int64)
    excl_cols = excl_cols[excl_cols >= 0]
    boost_cols = boost_cols[boost_cols >= 0]
    banned = M.recent if rp else M.B
    # a new product is banned where its anchor is (often a near-duplicate of what the customer bought)
    ok = np.where(newp.anchor >= 0)[0]
    P = sp.csr_matrix((np.ones(len(ok), np.float32), (newp.anchor[ok], ok)), shape=(len(M.items), len(newp.items)))
    banned = sp.hstack([banned, banned @ P]).tocsr()
    return _Final(M, model, newp, banned, excl_cols, boost_cols, float(params.get("boost_factor") or 1.0),
                  names, ap, all_ids)


def _final_base(frames: dict[str, pd.DataFrame], params: dict, model_name: str, lines: pd.DataFrame):
    """The slow part of the final lists: the chosen model fitted on all history (rules come later)."""
    seed = int(params.get("seed") or 0)
    window = int(params.get("exclude_window_days") or 0)
    cust = lines.dropna(subset=["customer_id"])
    now = cust["order_date"].max()
    M = _build_matrix(cust, now, window)
    model = _fit(model_name, M, seed)
    names = lines.dropna(subset=["product_name"]).drop_duplicates("product_id", keep="last").set_index("product_id")["product_name"]
    cats = lines.dropna(subset=["category"]).drop_duplicates("product_id", keep="last").set_index("product_id")["category"]
    newp = _new_products(lines, M, names, cats)
    all_ids = np.asarray(list(M.items) + list(newp.items), dtype=object)
    ap = _AttributePopular(M, _user_attributes(cust, frames.get("customers")))
    return M, model, names, newp, all_ids, ap


def product_targets(F: _Final, product: str, n: int, lang: str = "en") -> pd.DataFrame:
    """Customers most likely to buy ``product`` (chosen model's score), not having bought it (rules)."""
    cols = ["rank", "customer_id", "score", "reason"]
    pos = pd.Index(F.all_ids).get_indexer(pd.Index([product]))[0]
    if pos < 0:
        return pd.DataFrame(columns=cols)
    n_items = len(F.M.items)
    U = len(F.M.users)
    base = pos if pos < n_items else F.newp.anchor[pos - n_items]
    if base < 0:
        return pd.DataFrame(columns=cols)
    fac = 1.0 if pos < n_items else float(F.newp.sim[pos - n_items]) * NEW_PRODUCT_DISCOUNT
    m = F.model
    if m.name == "item":
        s = np.asarray((F.M.B @ m.S[:, base]).toarray()).ravel()
    elif m.name == "als":
        s = m.uf @ m.itf[base]
    elif m.name == "user":
        # every buyer of the product votes with its cosine similarity to the customer (no top-N cut: one
        # sparse product instead of a neighbour search for every customer)
        buyers_vec = F.M.B[:, base].T.tocsr()  # 1 x U
        profile = (buyers_vec @ m.Bu)  # 1 x I: summed unit vectors of the buyers
        s = np.asarray((m.Bu @ profile.T).toarray()).ravel()
        s -= np.asarray(m.Bu.multiply(m.Bu).sum(axis=1)).ravel() * np.asarray(buyers_vec.toarray()).ravel()
    else:  # popular: every customer scores alike; rank the most active customers first
        s = np.diff(F.M.B.indptr).astype(np.float32)
    s = s.astype(np.float64) * fac
    banned = np.asarray(F.banned[:, pos].toarray()).ravel() > 0
    s[banned] = -np.inf
    s[s <= 0] = -np.inf
    order = np.argsort(-s, kind="stable")[:n]
    order = order[np.isfinite(s[order])]
    reason = t(f"recommend.reason.target_{m.name}", lang, product=_label(F.all_ids[pos], F.names))
    return pd.DataFrame({"rank": np.arange(1, len(order) + 1), "customer_id": [F.M.users[i] for i in order],
                         "score": s[order], "reason": reason})


def _long(recs: list[dict]) -> pd.DataFrame:
    rows = []
    for r in recs:
        for j, p in enumerate(r["products"]):
            rows.append({"customer_id": r["customer_id"], "rank": j + 1, "product_id": p,
                         "product_name": r["names"][j], "score": r["scores"][j], "reason": r["reasons"][j],
                         "customer_status": r["status"]})
    return pd.DataFrame(rows, columns=["customer_id", "rank", "product_id", "product_name", "score", "reason",
                                       "customer_status"])


# --------------------------------------------------------------------------------------------------
# Page interface
# --------------------------------------------------------------------------------------------------


def _warn_text(w: dict, lang: str) -> str:
    kw = {k: v for k, v in w.items() if k != "key"}
    return t("recommend." + w["key"], lang, **kw)


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    params = {p.key: p.default for p in PARAMS} | {k: v for k, v in (params or {}).items() if v is not None or k in ("start", "end")}
    k = int(params["k"])
    warnings: list[dict] = []
    lines = _lines(frames, params, warnings)
    ev = _evaluation(frames, params, lines, warnings)
    chosen = params["model"] if params["model"] in MODELS else choose_model(ev.metrics)
    base = ev.metrics["popular"]
    best_pers = choose_model({m: v for m, v in ev.metrics.items() if m != "popular"})
    # the personalised model the verdict is about: the one used for the lists, or (when the user forced
    # the top sellers) the best personalised one, so the verdict stays true whatever the lists use
    pers = chosen if chosen != "popular" else best_pers
    diff = ev.per_user_precision[pers] - ev.per_user_precision["popular"]
    d, dlo, dhi = _mean_ci(diff)
    earns = bool(dlo > 0)
    models = [{"name": m, "label": t(f"recommend.model.{m}", lang), "is_baseline": m == "popular", **ev.metrics[m]}
              for m in MODELS]
    final = build_final(frames, params, chosen, lines, warnings)
    rng = np.random.default_rng(int(params["seed"]))
    M = final.M
    active = np.where(np.diff(M.B.indptr) >= 3)[0]
    pool = active if len(active) >= SAMPLE_SIZE else np.arange(len(M.users))
    pick = np.sort(rng.choice(pool, size=min(SAMPLE_SIZE, len(pool)), replace=False))
    sample = recommend_for(final, [M.users[i] for i in pick], k, lang)
    for s in sample:
        s["history"] = int(M.B[M.users.get_loc(s["customer_id"])].nnz)
    seg_ids = _split_ids(params.get("segment")) if params.get("segment") is not None else None
    segment_rows: list[dict] = []
    seg_info = None
    if seg_ids is not None:
        if len(seg_ids) > MAX_LIST_CUSTOMERS:
            warnings.append({"key": "warning.segment_capped", "n": len(seg_ids), "cap": MAX_LIST_CUSTOMERS})
            seg_ids = seg_ids[:MAX_LIST_CUSTOMERS]
        seg = recommend_for(final, seg_ids, k, lang)
        segment_rows = _long(seg).to_dict(orient="records")
        n_new = sum(1 for r in seg if r["status"] == "new")
        seg_info = {"n_customers": len(seg_ids), "n_known": len(seg) - n_new, "n_new": n_new}
    prod_rows: list[dict] = []
    if params.get("product"):
        pt = product_targets(final, str(params["product"]), int(params["top_customers"]), lang)
        if pt.empty:
            warnings.append({"key": "warning.product_no_targets", "product": str(params["product"])})
        prod_rows = pt.to_dict(orient="records")
    # the products the chosen model puts in front of customers most often (holdout lists)
    cnt = pd.Series([p for lst in ev.lists[chosen].values() for p in lst], dtype="str").value_counts()
    top_products = [{"product_id": p, "product_name": final.names.get(p), "n_lists": int(c),
                     "share_lists": c / max(len(ev.lists[chosen]), 1)} for p, c in cnt.head(15).items()]
    new_products = [{"product_id": p, "product_name": final.names.get(p),
                     "similar_to": final.all_ids[a] if a >= 0 else None, "similarity": float(s)}
                    for p, a, s in zip(final.newp.items, final.newp.anchor, final.newp.sim)]
    if new_products:
        warnings.append({"key": "warning.new_products", "n": len(new_products),
                         "placed": int(sum(1 for x in new_products if x["similar_to"] is not None))})
    # findings
    findings: list[str] = []
    cm, bm = ev.metrics[chosen], base
    lab = t(f"recommend.model.{chosen}", lang)
    pm = ev.metrics[pers]
    if earns:
        findings.append(t("recommend.finding.earns", lang, model=t(f"recommend.model.{pers}", lang), k=k,
                          p=fmt_pct(pm["precision_at_k"], lang), base=fmt_pct(bm["precision_at_k"], lang),
                          x=f"{pm['precision_at_k'] / bm['precision_at_k']:.1f}" if bm["precision_at_k"] > 0 else "∞",
                          lo=fmt_pct(dlo, lang), hi=fmt_pct(dhi, lang)))
    else:
        findings.append(t("recommend.finding.not_earns", lang, k=k, p=fmt_pct(pm["precision_at_k"], lang),
                          model=t(f"recommend.model.{pers}", lang), base=fmt_pct(bm["precision_at_k"], lang),
                          lo=fmt_pct(dlo, lang), hi=fmt_pct(dhi, lang)))
    findings.append(t("recommend.finding.coverage", lang, model=lab, cov=fmt_pct(cm["coverage"], lang),
                      base=fmt_pct(bm["coverage"], lang), hr=fmt_pct(cm["hit_rate"], lang), k=k))
    if ev.cold.get("models"):
        ca = {m["name"]: m for m in ev.cold["models"]}
        if "attribute" in ca and ca["attribute"]["precision_at_k"] > ca["popular"]["precision_at_k"]:
            findings.append(t("recommend.finding.cold_attr", lang, n=ev.cold["n_users"], k=k,
                              p=fmt_pct(ca["attribute"]["precision_at_k"], lang), base=fmt_pct(ca["popular"]["precision_at_k"], lang)))
        else:
            findings.append(t("recommend.finding.cold_pop", lang, n=ev.cold["n_users"], k=k,
                              p=fmt_pct(ca["popular"]["precision_at_k"], lang)))
    if params["model"] in MODELS and params["model"] != choose_model(ev.metrics):
        findings.append(t("recommend.finding.forced", lang, model=lab,
                          best=t(f"recommend.model.{choose_model(ev.metrics)}", lang)))
    findings.append(t("recommend.finding.next", lang))
    ncust = ev.metrics["popular"]["n_users"]
    if ncust < MIN_TEST_USERS * 10 and ncust >= MIN_TEST_USERS:
        warnings.append({"key": "warning.small_test", "n": ncust})
    result = {
        "holdout_from": ev.holdout_from.date(),
        "k": k,
        "model_param": params["model"],
        "chosen_model": chosen,
        "chosen_label": lab,
        "models": models,
        "personalisation": {"best_model": best_pers, "model": pers, "earns_its_keep": earns,
                            "precision_diff": d, "ci_low": dlo, "ci_high": dhi,
                            "lift": (ev.metrics[pers]["precision_at_k"] / bm["precision_at_k"] - 1) if bm["precision_at_k"] > 0 else None},
        "cold_start": ev.cold,
        "counts": ev.counts,
        "rules": {"exclude_window_days": int(params["exclude_window_days"]), "repeat_purchases": bool(params["rp"]),
                  "excluded": [final.all_ids[c] for c in final.excl_cols],
                  "boosted": [final.all_ids[c] for c in final.boost_cols],
                  "boost_factor": float(params["boost_factor"]), "as_of": final.M.now.date()},
        "sample": sample,
        "segment": seg_info,
        "segment_targets": segment_rows,
        "product": params.get("product"),
        "product_targets": prod_rows,
        "top_products": top_products,
        "new_products": new_products,
        "findings": findings,
        "warnings": [_warn_text(w, lang) for w in warnings],
    }
    return jsonable(result)


def to_frame(result: dict, key: str) -> pd.DataFrame:
    """A downloadable table from a result: "segment_targets", "product_targets", "sample", "models", ..."""
    if key == "sample":
        return _long(result.get("sample", []))
    return pd.DataFrame(result.get(key) or [])


def figures(result: dict, lang: str = "en") -> list[dict]:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    out: list[dict] = []
    models = result.get("models") or []
    if models:
        k = result["k"]
        chosen = result["chosen_model"]
        base = next(m for m in models if m["name"] == "popular")
        pers = result["personalisation"].get("model") or chosen
        best = next(m for m in models if m["name"] == pers)
        if pers != "popular" and result["personalisation"]["earns_its_keep"]:
            title = t("recommend.fig.models_earns", lang, model=t(f"recommend.model.{pers}", lang), k=k,
                      x=f"{best['precision_at_k'] / base['precision_at_k']:.1f}" if base["precision_at_k"] > 0 else "∞",
                      p=fmt_pct(best["precision_at_k"], lang), base=fmt_pct(base["precision_at_k"], lang),
                      cov=fmt_pct(best["coverage"], lang), bcov=fmt_pct(base["coverage"], lang))
        else:
            title = t("recommend.fig.models_not", lang, k=k, base=fmt_pct(base["precision_at_k"], lang))
        fig = make_subplots(rows=1, cols=2, subplot_titles=(t("recommend.label.precision_at_k", lang, k=k),
                                                            t("recommend.label.coverage", lang)))
        labels = [t(f"recommend.model.{m['name']}", lang) for m in models]
        colors = ["#9e9e9e" if m["is_baseline"] else ("#d62728" if m["name"] == chosen else "#1f77b4") for m in models]
        err = [(m["precision_ci_high"] or m["precision_at_k"]) - m["precision_at_k"] for m in models]
        fig.add_trace(go.Bar(x=labels, y=[m["precision_at_k"] for m in models], marker_color=colors,
                             error_y={"type": "data", "array": err}, text=[fmt_pct(m["precision_at_k"], lang) for m in models],
                             name=t("recommend.label.precision_at_k", lang, k=k), showlegend=False), row=1, col=1)
        fig.add_trace(go.Bar(x=labels, y=[m["coverage"] for m in models], marker_color=colors,
                             text=[fmt_pct(m["coverage"], lang) for m in models],
                             name=t("recommend.label.coverage", lang), showlegend=False), row=1, col=2)
        fig.add_hline(y=base["precision_at_k"], line_dash="dot", line_color="#616161", row=1, col=1,
                      annotation_text=t("recommend.label.baseline", lang))
        fig.update_yaxes(tickformat=".0%")
        fig.update_layout(title=title, height=380, margin={"t": 80})
        out.append({"key": "models", "title": title, "figure": fig})
    top = result.get("top_products") or []
    if top:
        first = top[0]
        name = first.get("product_name") or first["product_id"]
        title = t("recommend.fig.top_products", lang, name=name, share=fmt_pct(first["share_lists"], lang))
        lab = [(p.get("product_name") or p["product_id"])[:40] for p in top][::-1]
        fig = go.Figure(go.Bar(y=lab, x=[p["n_lists"] for p in top][::-1], orientation="h",
                               marker_color="#1f77b4"))
        fig.update_layout(title=title, height=max(300, 24 * len(top) + 120),
                          xaxis_title=t("recommend.label.n_lists", lang), margin={"l": 260, "t": 60})
        out.append({"key": "top_products", "title": title, "figure": fig})
    cold = (result.get("cold_start") or {}).get("models") or []
    if cold:
        ca = {m["name"]: m for m in cold}
        title = t("recommend.fig.cold", lang, n=result["cold_start"]["n_users"], k=result["k"],
                  p=fmt_pct(max(m["precision_at_k"] for m in cold), lang))
        fig = go.Figure(go.Bar(x=[t(f"recommend.model.cold_{m}", lang) for m in ca],
                               y=[ca[m]["precision_at_k"] for m in ca], marker_color=["#1f77b4", "#9e9e9e"][:len(ca)]))
        fig.update_yaxes(tickformat=".1%")
        fig.update_layout(title=title, height=320, yaxis_title=t("recommend.label.precision_at_k", lang, k=result["k"]))
        out.append({"key": "cold_start", "title": title, "figure": fig})
    return out


# --------------------------------------------------------------------------------------------------
# Page helpers: called through analytics.cached.page_call(url_path, fn, datasets, params, lang)
# --------------------------------------------------------------------------------------------------


def _with_defaults(params: Mapping[str, Any] | None) -> dict:
    base = {p.key: p.default for p in PARAMS + TARGET_PARAMS}
    return base | {k: v for k, v in (params or {}).items() if v is not None or k in ("start", "end")}


def _lines(frames: dict[str, pd.DataFrame], params: dict, warnings: list[dict]) -> pd.DataFrame:
    """Clean sales lines (memoised per frames + period); the warnings of cleaning are replayed."""
    key = ("lines", params.get("start"), params.get("end"))
    hit = _MEMO.get(frames, key)
    if hit is None:
        w: list[dict] = []
        lines = _prepare(frames, params, w)
        hit = (lines, w)
        _MEMO.put(frames, key, hit)
    warnings.extend(dict(x) for x in hit[1])
    return hit[0]


def _evaluation(frames: dict[str, pd.DataFrame], params: dict, lines: pd.DataFrame,
                warnings: list[dict]) -> HoldoutEvaluation:
    """evaluate_holdout, memoised on what it depends on (not the language, not the business rules)."""
    key = ("eval", params.get("start"), params.get("end"), params.get("holdout_from"), int(params.get("k") or 10),
           int(params.get("seed") or 0), bool(params.get("rp")), int(params.get("exclude_window_days") or 0))
    hit = _MEMO.get(frames, key)
    if hit is None:
        w: list[dict] = []
        ev = evaluate_holdout(frames, params, _warnings=w, _lines=lines)
        hit = (ev, w)
        _MEMO.put(frames, key, hit)
    warnings.extend(dict(x) for x in hit[1])
    return hit[0]


def _final_for(frames: dict[str, pd.DataFrame], params: dict) -> tuple[_Final, list[dict]]:
    """The final lists' model with the business rules: params["model"] when it names a model, else the
    holdout's best (the same choice compute() makes)."""
    warnings: list[dict] = []
    lines = _lines(frames, params, warnings)
    model = params.get("model")
    if model not in MODELS:
        model = choose_model(_evaluation(frames, params, lines, warnings).metrics)
    return build_final(frames, params, model, lines, warnings), warnings


def catalogue_options(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """What the page's controls offer: products (most buyers first) and the date range of the history."""
    params = _with_defaults(params)
    lines = _lines(frames, params, [])
    cust = lines.dropna(subset=["customer_id"])
    if cust.empty:
        raise NotEnoughData("recommend.error.no_customers")
    g = (lines.groupby("product_id", sort=True)
         .agg(product_name=("product_name", "last"), buyers=("customer_id", "nunique"))
         .reset_index().sort_values(["buyers", "product_id"], ascending=[False, True], kind="stable"))
    return jsonable({
        "products": g.to_dict(orient="records"),
        "n_lines": int(len(lines)), "n_customers": int(cust["customer_id"].nunique()),
        "n_products": int(len(g)),
        "first_date": cust["order_date"].min().date(), "last_date": cust["order_date"].max().date(),
        "default_holdout": default_holdout(cust["order_date"]).date(),
    })


def segment_groups(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """RFM groups (named and the Chinese 8 groups) with their sizes, from analytics.segmentation."""
    orders = filter_dates(frames["orders"], "order_date", params.get("start"), params.get("end"))
    tab = seg.rfm_table(orders) if orders["customer_id"].notna().any() else pd.DataFrame(columns=["group", "group_cn"])
    out: dict[str, list[dict]] = {}
    for src, col in (("rfm", "group"), ("cn8", "group_cn")):
        vc = tab[col].astype("str").value_counts() if len(tab) else pd.Series(dtype="int64")
        out[src] = [{"value": str(v), "label": seg.group_label(str(v), lang), "n": int(n)} for v, n in vc.items()]
    return out


def _persona_spec(params: dict) -> dict:
    raw = params.get("persona")
    if not raw:
        raise NotEnoughData("recommend.error.persona_unusable")
    payload = json.loads(raw) if isinstance(raw, str) else dict(raw)
    return payload if isinstance(payload, dict) else {}


def segment_customer_ids(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> list[str]:
    """Customer ids of an RFM group (tsrc=rfm, named groups; tsrc=cn8, 重要价值 ...) via
    analytics.segmentation.rfm_table, or of a saved persona (tsrc=persona; params["persona"] is the
    persona's saved payload as JSON: its "customer_ids", or its "source" + "segment" (as the Persona
    builder saves them) rebuilt with its "params" through analytics.segmentation.customer_frame)."""
    src = params.get("tsrc") or "rfm"
    value = params.get("tseg")
    if src in ("rfm", "cn8"):
        if value is None:
            return []
        orders = filter_dates(frames["orders"], "order_date", params.get("start"), params.get("end"))
        tab = seg.rfm_table(orders)
        return [str(x) for x in seg.customers_in(tab, (src, str(value)))["customer_id"]]
    if src != "persona":
        raise NotEnoughData("recommend.error.persona_unusable")
    payload = _persona_spec(params)
    if payload.get("customer_ids"):
        return [str(x) for x in payload["customer_ids"]]
    # the Persona builder saves {"source": "rfm", "segment": "Champions", "params": {...}}; a
    # {"segment": {"source", "value"}} spec is read too
    segf = payload.get("segment")
    if isinstance(segf, dict):
        source, val = segf.get("source"), segf.get("value")
    else:
        source, val = payload.get("source"), segf if segf is not None else payload.get("value")
    if source is None or val is None:
        raise NotEnoughData("recommend.error.persona_unusable")
    p = dict(payload.get("params") or {})
    p.setdefault("start", params.get("start"))
    p.setdefault("end", params.get("end"))
    try:
        tab, _ = seg.customer_frame(frames, p, with_clusters=source == "cluster", with_tiers=source == "tier")
        return [str(x) for x in seg.customers_in(tab, (str(source), str(val)))["customer_id"]]
    except (ValueError, KeyError) as exc:
        raise NotEnoughData("recommend.error.persona_unusable") from exc


def segment_targets(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """Top-k products per customer of a segment or persona, with reasons (the CRM / ad platform list)."""
    params = _with_defaults(params)
    k = int(params["k"])
    ids = segment_customer_ids(frames, params, lang)
    out = {"n_customers": len(ids), "n_known": 0, "n_new": 0, "capped": None, "rows": [], "top_products": []}
    if not ids:
        return out
    if len(ids) > MAX_LIST_CUSTOMERS:
        out["capped"] = MAX_LIST_CUSTOMERS
        ids = ids[:MAX_LIST_CUSTOMERS]
    F, warnings = _final_for(frames, params)
    recs = recommend_for(F, ids, k, lang)
    long = _long(recs)
    n_new = sum(1 for r in recs if r["status"] == "new")
    top = (long.groupby(["product_id"], sort=False).agg(product_name=("product_name", "first"),
                                                        n_customers=("customer_id", "nunique"))
           .reset_index().sort_values(["n_customers", "product_id"], ascending=[False, True], kind="stable").head(10))
    top["share"] = top["n_customers"] / max(len(recs), 1)
    out.update({"n_known": len(recs) - n_new, "n_new": n_new, "model": F.model.name,
                "rows": long.to_dict(orient="records"), "top_products": top.to_dict(orient="records"),
                "warnings": [_warn_text(w, lang) for w in warnings]})
    return jsonable(out)


def product_buyers(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """The customers most likely to buy params["product"] (who have not bought it), best first."""
    params = _with_defaults(params)
    product = params.get("product")
    out = {"product": product, "product_name": None, "buyers": 0, "rows": [], "model": None}
    if not product:
        return out
    F, warnings = _final_for(frames, params)
    pos = pd.Index(F.all_ids).get_indexer(pd.Index([str(product)]))[0]
    pt = product_targets(F, str(product), int(params["top_customers"]), lang)
    if len(pt):
        pt["relative_score"] = pt["score"] / float(pt["score"].iloc[0]) if float(pt["score"].iloc[0]) > 0 else np.nan
    out.update({"product_name": F.names.get(str(product)), "model": F.model.name,
                "buyers": int(F.M.buyers[pos]) if 0 <= pos < len(F.M.items) else 0,
                "rows": pt.to_dict(orient="records")})
    return jsonable(out)


_ID_HEADERS = {"productid", "product", "id", "sku", "skuid", "stockcode", "itemid", "item", "code", "productcode",
               "商品id", "商品编号", "商品编码", "商品", "货号", "款号", "sku编码"}


def ids_from_csv(content: bytes) -> list[str]:
    """Product ids from an uploaded list (CSV or plain text, UTF-8 or GBK): the column named like a
    product id (product_id, SKU, StockCode, 商品ID, 货号 ...), else the first column; a header row is
    recognised by those names. Order kept, duplicates and blanks dropped."""
    text = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None or not text.strip():
        return []
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
    sep = max(counts, key=counts.get) if max(counts.values()) > 0 else "\x1f"  # one id per line
    df = pd.read_csv(io.StringIO(text), header=None, dtype=str, sep=sep, engine="python",
                     skip_blank_lines=True, on_bad_lines="skip")
    if df.empty:
        return []
    norm = [re.sub(r"[\s_\-.:]", "", str(v)).lower() for v in df.iloc[0].tolist()]
    col, body = 0, df
    hits = [i for i, v in enumerate(norm) if v in _ID_HEADERS]
    if hits:
        col, body = hits[0], df.iloc[1:]
    out: list[str] = []
    seen: set[str] = set()
    for v in body.iloc[:, col].tolist():
        if not isinstance(v, str):
            continue
        v = v.strip()
        if v and v not in seen:
            seen.add(v)
            out.append(v)
    return out
