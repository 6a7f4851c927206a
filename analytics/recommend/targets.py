"""The final lists: the chosen model refitted on all history (:class:`FinalModel`, language-free), the
business rules (exclude list, boost; :func:`with_rules`), the lists per customer with reasons
(:func:`recommend_for`), the likely buyers of a product (:func:`product_targets`), the customers of a
segment or persona (:func:`segment_customer_ids`) and the exclude-list upload reader (:func:`ids_from_csv`).

The final lists come from the chosen model refitted on all history, with "now" = the last order date.
Business rules shape the final lists only, never the evaluation. Cold start: new customers get top
sellers of their region (customers kind, else their most frequent order region), else of their member
level, else overall. New products (sold, but never to a known customer) are placed next to the most
similar established product (score = 0.8 x similarity x the anchor's score) and banned where the anchor
is banned.
"""

from __future__ import annotations

import io
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import ibis
import numpy as np
import pandas as pd
import scipy.sparse as sp

from analytics import segmentation as seg
from analytics.common import NotEnoughData
from analytics.i18n import t
from data import engine

from .explain import _label, explain_slots, reason_text, slot_reasons
from .interactions import (CleanLines, Pairs, _Matrix, clean_lines, customer_attributes, date_filter, full_matrix,
                           pair_aggregates, order_regions, user_attributes)
from .models import NEW_PRODUCT_DISCOUNT, _AttributePopular, _dense_topk, _fit, _new_products, _NewProducts, _topk

MAX_LIST_CUSTOMERS = 50_000


def _split_ids(v: Any) -> list[str]:
    """Product or customer ids from a list or a comma-separated text."""
    if v is None:
        return []
    if isinstance(v, str):
        v = v.split(",")
    return [str(x).strip() for x in v if str(x).strip()]


@dataclass(frozen=True)
class FinalModel:
    """The chosen model refitted on all history, with what the final lists need (no business rules).

    Attributes
    ----------
    M : _Matrix
        All history's interactions (now = the last order date; ``recent`` = within the exclusion window).
    model : object
        The fitted model (``.name``, ``.scores(rows)``; see :mod:`.models`).
    names : pandas.Series
        Product id -> name (products with a name).
    newp : _NewProducts
        Products sold only to anonymous buyers, placed next to an established product.
    all_ids : numpy.ndarray
        The columns of every list: established products (sorted), then the new ones.
    ap : _AttributePopular
        Top sellers per region / member level for customers without history.
    banned : scipy.sparse.csr_matrix
        Customer x all_ids: what a customer is never offered (bought, or bought within the window when
        repeat purchases are allowed; a new product where its anchor is banned).
    memo : Memo
        Language-free results already computed from this model (lists and their reasons' kinds, the RFM
        table of the target lists): a language switch on the page writes them again without recomputing.
    """

    M: _Matrix
    model: Any
    names: pd.Series
    newp: _NewProducts
    all_ids: np.ndarray
    ap: _AttributePopular
    banned: sp.csr_matrix
    memo: "Memo" = field(default_factory=lambda: Memo(), repr=False, compare=False)


class Memo:
    """A few language-free results kept with a fitted model, least recently added dropped first (the
    model lives in the page's fit cache, so they live as long as the fit)."""

    KEPT = 8

    def __init__(self) -> None:
        self._d: dict[Any, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        """The result kept under ``key``, else ``compute()`` kept (the oldest of KEPT results is dropped first).

        Parameters
        ----------
        key : Any
            The result's key.
        compute : Callable[[], Any]
            Computes the result when it is not kept.

        Returns
        -------
        Any
            The result.
        """
        with self._lock:
            if key in self._d:
                return self._d[key]
        value = compute()  # outside the lock: two sessions asking at once both compute, the same value
        with self._lock:
            if len(self._d) >= self.KEPT:
                self._d.pop(next(iter(self._d)))
            self._d[key] = value
        return value


def fit_final(pairs: Pairs, products: pd.DataFrame, attrs: pd.DataFrame, model_name: str, params: dict,
              now: pd.Timestamp) -> FinalModel:
    """Fit ``model_name`` on all history's pairs (:func:`~.interactions.pair_aggregates`), place the new
    products (``products``: :attr:`~.interactions.CleanLines.products`) and build the banned matrix.

    Parameters
    ----------
    pairs : Pairs
        All history's customer x product aggregates.
    products : pd.DataFrame
        The product catalogue (``product_id``, ``product_name``, ``category``).
    attrs : pd.DataFrame
        Per-customer attributes (region, segment).
    model_name : str
        item, user, als or popular.
    params : dict
        The page's parameters (``seed``, ``exclude_window_days``, ``rp``).
    now : pd.Timestamp
        The last order date.

    Returns
    -------
    FinalModel
        The matrix, the fitted model, names, new products, all ids, the attribute fallback and the banned
        matrix.
    """
    seed = int(params.get("seed") or 0)
    window = int(params.get("exclude_window_days") or 0)
    M = full_matrix(pairs, now, window)
    model = _fit(model_name, M, seed)
    named = products.loc[products["product_name"].notna()]
    names = pd.Series(named["product_name"].to_numpy(dtype=object), index=pd.Index(named["product_id"], dtype=object))
    cat = products.loc[products["category"].notna()]
    cats = pd.Series(cat["category"].to_numpy(dtype=object), index=pd.Index(cat["product_id"], dtype=object))
    newp = _new_products(products["product_id"].tolist(), M, names, cats)
    all_ids = np.asarray(list(M.items) + list(newp.items), dtype=object)
    ap = _AttributePopular(M, attrs)
    banned = M.recent if params.get("rp") else M.B
    # a new product is banned where its anchor is (often a near-duplicate of what the customer bought)
    ok = np.where(newp.anchor >= 0)[0]
    P = sp.csr_matrix((np.ones(len(ok), np.float32), (newp.anchor[ok], ok)), shape=(len(M.items), len(newp.items)))
    banned = sp.hstack([banned, banned @ P]).tocsr()
    return FinalModel(M, model, names, newp, all_ids, ap, banned)


def final_model(tables: dict[str, ibis.Table], params: dict, model_name: str) -> tuple[FinalModel, CleanLines]:
    """The engine aggregates of all history (pairs, products, attributes) and :func:`fit_final` on them.

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        Kind -> engine table (``orders``, optionally ``customers``).
    params : dict
        The page's parameters.
    model_name : str
        item, user, als or popular.

    Returns
    -------
    tuple[FinalModel, CleanLines]
        The final model and the cleaned lines (NotEnoughData without customers).
    """
    clean = clean_lines(tables, params)
    if clean.n_customer_lines == 0:
        raise NotEnoughData("recommend.error.no_customers")
    pairs = pair_aggregates(clean)
    attrs = user_attributes(order_regions(clean), customer_attributes(tables.get("customers")))
    return fit_final(pairs, clean.products, attrs, model_name, params, clean.last_date), clean


@dataclass
class _Final:
    """A final model with the business rules applied (exclude list, boost)."""
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
    memo: Memo | None = None


def with_rules(base: FinalModel, params: dict, warnings: list[dict]) -> _Final:
    """``base`` with the exclude and boost lists of ``params`` (ids it does not know are reported in
    ``warnings``).

    Parameters
    ----------
    base : FinalModel
        The final model.
    params : dict
        The page's parameters (``exclude``, ``boost``, ``boost_factor``).
    warnings : list[dict]
        The warnings, appended to.

    Returns
    -------
    _Final
        The model with the rules.
    """
    pos = pd.Index(base.all_ids)
    excl = _split_ids(params.get("exclude"))
    boost = _split_ids(params.get("boost"))
    unknown = [p for p in excl + boost if p not in pos]
    if unknown:
        warnings.append({"key": "warning.unknown_products", "n": len(unknown), "codes": ", ".join(unknown[:10])})
    excl_cols = pos.get_indexer(pd.Index(excl)) if excl else np.zeros(0, np.int64)
    boost_cols = pos.get_indexer(pd.Index(boost)) if boost else np.zeros(0, np.int64)
    excl_cols = excl_cols[excl_cols >= 0]
    boost_cols = boost_cols[boost_cols >= 0]
    return _Final(base.M, base.model, base.newp, base.banned, excl_cols, boost_cols,
                  float(params.get("boost_factor") or 1.0), base.names, base.ap, base.all_ids, base.memo)


def _rows_slots(F: _Final, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The language-free lists of known customers (matrix rows): top-k columns, final scores and each
    slot's reason (kind, anchor column, count; :func:`.explain.explain_slots`), kept in the model's memo."""
    def compute():
        top, sc, raw = _topk(F.model, rows, k, F.banned, exclude_cols=F.excl_cols, boost_cols=F.boost_cols,
                             boost_factor=F.boost_factor, extra=F.newp)
        kinds, anchor, n = explain_slots(F.model, F.M, rows, top, raw, F.newp)
        return top, sc, kinds, anchor, n

    if F.memo is None:
        return compute()
    key = ("rows", rows.tobytes(), int(k), F.excl_cols.tobytes(), F.boost_cols.tobytes(), float(F.boost_factor))
    return F.memo.get(key, compute)


def _recommend_rows(F: _Final, rows: np.ndarray, k: int, lang: str) -> list[dict]:
    """Lists of known customers (matrix rows) from the model, with the rules and reasons."""
    top, sc, kinds, anchor, n = _rows_slots(F, rows, k)
    reasons = slot_reasons(top, kinds, anchor, n, set(F.boost_cols.tolist()), F.all_ids, F.names, lang)
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
    """Lists of customers without history: top sellers of their region, member level or overall."""
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


LONG_COLUMNS = ["customer_id", "rank", "product_id", "product_name", "score", "reason", "customer_status"]


def target_rows(F: _Final, customer_ids: Sequence[str], k: int, lang: str = "en") -> tuple[pd.DataFrame, int]:
    """:func:`_long` of :func:`recommend_for`, built from arrays (a segment's list is up to
    MAX_LIST_CUSTOMERS x k rows: 500,000 at 10M lines, where one dict per customer and a pandas lookup per
    slot took 12 s): one row per customer x rank in the order of ``customer_ids``, and the number of
    customers without history ("new", from the attribute fallback). Each distinct reason is written once.

    Parameters
    ----------
    F : _Final
        The final model with its rules.
    customer_ids : Sequence[str]
        The customers, in order.
    k : int
        List length.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    tuple[pd.DataFrame, int]
        Columns LONG_COLUMNS (customer_id, rank, product_id, product_name, score, reason, customer_status) and
        the number of new customers.
    """
    ids = [str(c) for c in customer_ids]
    pos = F.M.users.get_indexer(pd.Index(ids))
    warm = np.flatnonzero(pos >= 0)
    cold = np.flatnonzero(pos < 0)
    parts = []
    if len(warm):
        rows = pos[warm].astype(np.int64)
        top, sc, kinds, anchor, n = _rows_slots(F, rows, k)
        valid = top >= 0
        rank = np.cumsum(valid, axis=1)[valid]
        order = np.repeat(warm, top.shape[1]).reshape(top.shape)[valid]
        cols = top[valid]
        flat = valid.ravel()
        kinds_v, anchor_v, n_v = kinds[flat], anchor[flat], n[flat]
        boosted = np.isin(cols, F.boost_cols)
        key = pd.MultiIndex.from_arrays([kinds_v, anchor_v, n_v, boosted])
        codes, uniq = pd.factorize(key)
        texts = np.array([reason_text(kd, F.all_ids[a] if a >= 0 else None, int(m), bool(b), F.names, lang)
                          for kd, a, m, b in uniq], dtype=object)
        names = F.names.reindex(pd.Index(F.all_ids, dtype=object))
        names = names.astype(object).where(names.notna(), None).to_numpy(dtype=object)
        parts.append(pd.DataFrame({
            "_order": order, "customer_id": np.asarray(F.M.users, dtype=object)[rows][np.searchsorted(warm, order)],
            "rank": rank, "product_id": F.all_ids[cols], "product_name": names[cols],
            "score": sc[valid].astype(np.float64), "reason": texts[codes], "customer_status": "known"}))
    if len(cold):
        cl = _long(_recommend_cold(F, [ids[i] for i in cold], k, lang))
        where = {c: i for c, i in zip((ids[i] for i in cold), cold)}
        parts.append(cl.assign(_order=cl["customer_id"].map(where).to_numpy(np.int64)))
    if not parts:
        return pd.DataFrame(columns=LONG_COLUMNS), 0
    out = pd.concat(parts, ignore_index=True).sort_values(["_order", "rank"], kind="stable")
    return out[LONG_COLUMNS].reset_index(drop=True), int(len(cold))


def records(df: pd.DataFrame) -> list[dict]:
    """Rows of a frame as dicts of plain Python values (NaN -> None), without pandas' per-cell boxing.

    Parameters
    ----------
    df : pd.DataFrame
        A frame.

    Returns
    -------
    list[dict]
        One dict per row.
    """
    cols = [df[c].astype(object).where(df[c].notna(), None).tolist() for c in df.columns]
    names = [str(c) for c in df.columns]
    return [dict(zip(names, vals)) for vals in zip(*cols)]


def recommend_for(F: _Final, customer_ids: Sequence[str], k: int, lang: str = "en") -> list[dict]:
    """Top-k products with scores and reasons for each customer id, in order: known customers from the
    model ("known"), the others from the attribute fallback ("new").

    Parameters
    ----------
    F : _Final
        The final model with its rules.
    customer_ids : Sequence[str]
        The customers, in order.
    k : int
        List length.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        One dict per customer with the list and its reasons.
    """
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


def product_targets(F: _Final, product: str, n: int, lang: str = "en") -> pd.DataFrame:
    """Customers most likely to buy ``product`` (chosen model's score), not having bought it (rules).

    Parameters
    ----------
    F : _Final
        The final model with its rules.
    product : str
        The product id.
    n : int
        Most customers.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    pd.DataFrame
        Columns ``rank``, ``customer_id``, ``score``, ``reason`` (empty for an unknown product).
    """
    cols = ["rank", "customer_id", "score", "reason"]
    pos = pd.Index(F.all_ids).get_indexer(pd.Index([product]))[0]
    if pos < 0:
        return pd.DataFrame(columns=cols)
    n_items = len(F.M.items)
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
    """Lists as one row per customer x rank (the CRM / ad platform shape)."""
    rows = []
    for r in recs:
        for j, p in enumerate(r["products"]):
            rows.append({"customer_id": r["customer_id"], "rank": j + 1, "product_id": p,
                         "product_name": r["names"][j], "score": r["scores"][j], "reason": r["reasons"][j],
                         "customer_status": r["status"]})
    return pd.DataFrame(rows, columns=["customer_id", "rank", "product_id", "product_name", "score", "reason",
                                       "customer_status"])


# --------------------------------------------------------------------------------------------------
# Who: segments and personas (analytics.segmentation)
# --------------------------------------------------------------------------------------------------


def _persona_spec(params: dict) -> dict:
    """The saved persona's payload (JSON text or dict) of ``params["persona"]``."""
    raw = params.get("persona")
    if not raw:
        raise NotEnoughData("recommend.error.persona_unusable")
    payload = json.loads(raw) if isinstance(raw, str) else dict(raw)
    return payload if isinstance(payload, dict) else {}


def rfm_of(tables: dict[str, ibis.Table], params: dict, memo: Memo | None = None) -> pd.DataFrame:
    """analytics.segmentation.rfm_table of the orders in params' date range (kept in ``memo`` when given:
    one RFM table serves the group sizes and every group's target list, in every language).

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        Kind -> engine table (``orders``).
    params : dict
        The page's parameters (``start``, ``end``).
    memo : Memo | None
        Where to keep the table, or None.

    Returns
    -------
    pd.DataFrame
        The RFM table (``customer_id``, ``group``, ``group_cn`` at least).
    """
    start, end = params.get("start"), params.get("end")

    def compute() -> pd.DataFrame:
        orders = date_filter(tables["orders"], start, end)
        has = int(engine.to_frame(orders.aggregate(n=orders.customer_id.count()))["n"].iloc[0]) > 0
        return seg.rfm_table(orders) if has else pd.DataFrame(columns=["customer_id", "group", "group_cn"])

    return compute() if memo is None else memo.get(("rfm", str(start), str(end)), compute)


def segment_customer_ids(tables: dict[str, ibis.Table], params: dict, lang: str = "en",
                         memo: Memo | None = None) -> list[str]:
    """Customer ids of an RFM group (tsrc=rfm, named groups; tsrc=cn8, 重要价值 ...) via
    analytics.segmentation.rfm_table, or of a saved persona (tsrc=persona; params["persona"] is the
    persona's saved payload as JSON: its "customer_ids", or its "source" + "segment" (as the Persona
    builder saves them) rebuilt with its "params" through analytics.segmentation.customer_frame).
    ``tables``: kind -> engine table.

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        Kind -> engine table.
    params : dict
        The page's parameters (``tsrc``, ``tseg``, ``persona``, ``start``, ``end``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    memo : Memo | None
        Where the RFM table is kept, or None.

    Returns
    -------
    list[str]
        The customer ids (NotEnoughData for an unusable persona).
    """
    src = params.get("tsrc") or "rfm"
    value = params.get("tseg")
    if src in ("rfm", "cn8"):
        if value is None:
            return []
        tab = rfm_of(tables, params, memo)
        if tab.empty:
            return []
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
        tab, _ = seg.customer_frame(tables, p, with_clusters=source == "cluster", with_tiers=source == "tier")
        return [str(x) for x in seg.customers_in(tab, (str(source), str(val)))["customer_id"]]
    except (ValueError, KeyError) as exc:
        raise NotEnoughData("recommend.error.persona_unusable") from exc


def rfm_groups(tables: dict[str, ibis.Table], params: dict, lang: str = "en", memo: Memo | None = None) -> dict:
    """RFM groups (named and the Chinese 8 groups) with their sizes, from analytics.segmentation.

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        Kind -> engine table.
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    memo : Memo | None
        Where the RFM table is kept, or None.

    Returns
    -------
    dict
        ``rfm`` and ``cn8`` -> rows of ``value``, ``label``, ``n``.
    """
    tab = rfm_of(tables, params, memo)
    out: dict[str, list[dict]] = {}
    for src, col in (("rfm", "group"), ("cn8", "group_cn")):
        vc = tab[col].astype("str").value_counts() if len(tab) else pd.Series(dtype="int64")
        out[src] = [{"value": str(v), "label": seg.group_label(str(v), lang), "n": int(n)} for v, n in vc.items()]
    return out


# --------------------------------------------------------------------------------------------------
# The exclude-list upload
# --------------------------------------------------------------------------------------------------


_ID_HEADERS = {"productid", "product", "id", "sku", "skuid", "stockcode", "itemid", "item", "code", "productcode",
               "商品id", "商品编号", "商品编码", "商品", "货号", "款号", "sku编码"}


def ids_from_csv(content: bytes) -> list[str]:
    """Product ids from an uploaded list (CSV or plain text, UTF-8 or GBK): the column named like a
    product id (product_id, SKU, StockCode, 商品ID, 货号 ...), else the first column; a header row is
    recognised by those names. Order kept, duplicates and blanks dropped.

    Parameters
    ----------
    content : bytes
        The uploaded file's bytes.

    Returns
    -------
    list[str]
        The product ids.
    """
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
