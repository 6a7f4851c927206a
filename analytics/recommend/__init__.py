"""Recommendations: which products to put in front of which customers (issue 8, DESIGN.md §4).

Order lines stay in the engine (issue 13): :func:`fit` runs Ibis aggregations on embedded DuckDB
(:mod:`.interactions`: the customer x product interactions of the training window, of the holdout and of
all history, the products with their names and buyers, the customers' regions) and the models on those
aggregates as sparse matrices (:mod:`.models`), evaluates them on the time-based holdout
(:mod:`.holdout`, metrics in :mod:`.metrics`), refits the chosen one on all history (:mod:`.targets`)
and returns a language-free :class:`RecommendFit`. :func:`present` applies the business rules (exclude
list, boost; display options that never refit), builds the lists with their reasons (:mod:`.explain`)
and the page dict in a language; :func:`compute` is both. Figures: :mod:`.charts`.

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
``item`` (item-to-item cosine, top ``ITEM_NEIGHBOURS`` neighbours), ``user`` (customer kNN,
``USER_NEIGHBOURS`` neighbours), ``als`` (``implicit`` ALS, 64 factors, 15 iterations, single thread,
seeded: bit-for-bit reproducible) and ``popular`` (the baseline: distinct buyers in the training window).
kNN scores get a tiny popularity term (1e-6 x share of buyers) so ties and empty rows are filled with
top sellers (those slots are explained as top sellers).

Evaluation on a time-based holdout
----------------------------------
See :mod:`.holdout`. The chosen model has the best precision@k (ties: coverage). Business rules
(exclude list, boost) shape the final lists only, never the evaluation; the final lists come from the
chosen model refitted on all history, with "now" = the last order date.

Cold start: new customers get top sellers of their region (customers kind, else their most frequent
order region), else of their member level, else overall. New products (sold, but never to a known
customer) are placed next to the most similar established product by TF-IDF over name tokens (CJK
character bigrams) and category: score = 0.8 x similarity x the anchor's score; banned where the
anchor is banned.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import ibis
import numpy as np
import pandas as pd

from analytics.common import NotEnoughData, jsonable
from analytics.i18n import fmt_number, fmt_pct, t
from analytics.params import Param
from analytics.tables import Col
from data import engine

from .charts import figures
from .explain import _explain, _label, explain_slots, reason_text
from .holdout import (MAX_EVAL_USERS, MIN_TEST_USERS, HoldoutEvaluation, default_holdout, evaluate,
                      evaluate_holdout, holdout_date, holdout_range)
from .interactions import (SERVICE_PATTERN, CleanLines, Pairs, _Matrix, buyers_per_product, clean_lines,
                           customer_attributes, drop_tables, frame_tables, full_matrix, matrix_from_codes,
                           pair_aggregates, product_lines, order_regions, train_matrix, user_attributes)
from .metrics import (MODELS, _hits, _mean_ci, _to_arrays, catalogue_coverage, choose_model, hit_rate, novelty,
                      precision_at_k, recall_at_k)
from .models import (_ALS, ALS_ALPHA, ALS_FACTORS, ALS_ITERATIONS, ALS_REGULARIZATION, DENSE_USER_KNN_MAX_ITEMS,
                     ITEM_NEIGHBOURS, NEW_PRODUCT_DISCOUNT, NEW_PRODUCT_MIN_SIM, POP_EPS, USER_NEIGHBOURS,
                     _AttributePopular, _fit, _ItemKNN, _NewProducts, _Popular, _topk, _UserKNN)
from .targets import (MAX_LIST_CUSTOMERS, FinalModel, _Final, _long, _split_ids, final_model, fit_final,
                      ids_from_csv, product_targets, recommend_for, records, rfm_groups, target_rows,
                      with_rules)
from .targets import segment_customer_ids as _segment_customer_ids

PAGE = "recommendations"
KINDS = {"orders": True, "customers": False}
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
# what the fit depends on (with "start" / "end"); the business rules and the target lists of
# ``present`` (exclude, boost, boost_factor, segment, product, top_customers) never refit
FIT_PARAMS = ("holdout_from", "k", "model", "exclude_window_days", "rp", "seed")

# The result's tables a person reads (analytics/tables.py): the page and the HTML report render these.
_LIST = (("customer_id", "id"), ("rank", "count"), ("product_id", "id"), ("product_name", "text"),
         Col("reason", "text", help="recommend.help.reason"),
         Col("customer_status", "text", values="recommend.sample.status"))
TABLES: dict[str, tuple] = {
    "models": (Col("label", "text", label="recommend.col.model"), ("precision_at_k", "percent"),
               Col("precision_ci_low", "percent", label="recommend.col.precision_ci_low", help="recommend.help.precision_ci"),
               Col("precision_ci_high", "percent", label="recommend.col.precision_ci_high", help="recommend.help.precision_ci"),
               ("recall_at_k", "percent"), ("hit_rate", "percent"), ("coverage", "percent"),
               Col("novelty", "number", digits=2), Col("n_users", "count", help="recommend.help.n_users")),
    "sample_lines": _LIST,
    "sample_one": _LIST[1:5],  # one customer's list on the page
    "segment_targets": _LIST + (Col("score", "number", digits=3, help="recommend.help.score"),),
    "product_targets": (("rank", "count"), ("customer_id", "id"),
                        Col("relative_score", "percent", help="recommend.help.relative_score"),
                        Col("score", "number", digits=3, help="recommend.help.score"),
                        Col("reason", "text", help="recommend.help.reason")),
    "segment_top_products": (("product_id", "id"), ("product_name", "text"), ("n_customers", "count"),
                             ("share", "percent")),
    "top_products": (("product_id", "id"), ("product_name", "text"), ("n_lists", "count"),
                     ("share_lists", "percent")),
    "new_products": (("product_id", "id"), ("product_name", "text"), ("similar_to", "id"),
                     Col("similarity", "number", digits=2)),
}
# The chosen model's key figures (cards): kinds of their values; the deltas against the top-seller
# baseline are in ``kpi_deltas`` (points for the rates, bits for novelty).
KPI_NAMES = ("precision_at_k", "recall_at_k", "hit_rate", "coverage", "novelty")
KPI_KINDS = {"precision_at_k": "percent", "recall_at_k": "percent", "hit_rate": "percent", "coverage": "percent",
             "novelty": "number"}
# page helpers whose result has no text: analytics.cached.page_call keeps one result for every language
LANGUAGE_FREE_CALLS = ('catalogue_options',)

SAMPLE_SIZE = 20

# The page's extra controls (target lists, which sample customer is shown); bound to the URL by the page,
# not used by compute().
TARGET_PARAMS = [
    Param("tsrc", "str", "rfm", choices=("rfm", "cn8", "persona"), help="recommend.help.tsrc"),
    Param("tseg", "str", None, help="recommend.help.tseg"),
    Param("sc", "str", None, help="recommend.help.sc"),
]
# the page's tab (components.state.tabs): only the open tab runs, so the RFM groups of the target lists
# are read from the engine when that tab is opened, not on every first render
TABS = ("models", "sample", "segment", "product")
UI_PARAMS = [Param("tab", "str", TABS[0], choices=TABS)]

__all__ = [
    # page interface
    "PAGE", "KINDS", "PARAMS", "FIT_PARAMS", "TARGET_PARAMS", "TABS", "UI_PARAMS", "RecommendFit", "fit", "present", "compute",
    "figures", "to_frame", "catalogue_options", "segment_groups", "segment_customer_ids", "segment_targets",
    "product_buyers", "ids_from_csv",
    # constants
    "MODELS", "SERVICE_PATTERN", "ITEM_NEIGHBOURS", "USER_NEIGHBOURS", "ALS_FACTORS", "ALS_ITERATIONS",
    "ALS_REGULARIZATION", "ALS_ALPHA", "POP_EPS", "SAMPLE_SIZE", "MIN_TEST_USERS", "MAX_LIST_CUSTOMERS",
    "MAX_EVAL_USERS", "NEW_PRODUCT_MIN_SIM", "NEW_PRODUCT_DISCOUNT", "DENSE_USER_KNN_MAX_ITEMS",
    # building blocks (tests, the report)
    "precision_at_k", "recall_at_k", "hit_rate", "catalogue_coverage", "novelty", "choose_model",
    "default_holdout", "holdout_range", "HoldoutEvaluation", "evaluate", "evaluate_holdout", "FinalModel",
    "fit_final", "final_model", "with_rules", "build_final", "recommend_for", "product_targets", "CleanLines",
    "clean_lines", "product_lines", "Pairs", "pair_aggregates", "buyers_per_product", "order_regions",
    "customer_attributes", "user_attributes", "matrix_from_codes", "train_matrix", "full_matrix", "explain_slots",
    "reason_text",
    # private names the tests reach for
    "_hits", "_to_arrays", "_mean_ci", "_Matrix", "_UserKNN", "_ItemKNN", "_ALS", "_Popular", "_fit", "_topk",
    "_Final", "_NewProducts", "_AttributePopular", "_long", "_split_ids", "_explain", "_label",
]


# --------------------------------------------------------------------------------------------------
# Fit (language-free)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecommendFit:
    """What :func:`fit` learns from the order lines: aggregates, fitted models and metrics, no text.

    Attributes
    ----------
    k : int
        Length of the lists (the evaluation's and the final ones).
    model_param : str
        The ``model`` parameter as given ("auto" or a model name).
    holdout_from : pandas.Timestamp
        First day of the holdout window (midnight).
    exclude_window_days : int
        Days before "now" in which a bought product is not offered again when repeat purchases are on.
    repeat_purchases : bool
        The ``rp`` parameter: already-bought products may come back (outside the window).
    warnings : tuple of dict
        Language-free warnings of cleaning, in order (``{"key": "warning.returns", "n": 7424}``, ...);
        :func:`present` adds those of the evaluation, the rules and the lists and translates them.
    evaluation : HoldoutEvaluation
        Every model's holdout lists, relevant sets, metrics, per-customer precision, cold-start
        metrics, counts and warnings.
    chosen_model : str
        The model of the final lists: ``model_param`` when it names a model, else the holdout's best.
    best_model : str
        The holdout's best model over all four (precision@k, then coverage).
    best_personalised : str
        The holdout's best model other than the top-seller baseline.
    personalised : str
        The personalised model the verdict is about: ``chosen_model``, or ``best_personalised`` when the
        baseline was forced.
    precision_diff, ci_low, ci_high : float
        Mean paired difference of precision@k (``personalised`` minus the baseline) per evaluated
        customer, with its normal 95% interval.
    earns_its_keep : bool
        Whether the interval lies above zero.
    final : FinalModel
        The chosen model refitted on all history with the product names, new products, attribute top
        sellers and the banned products (the business rules are applied by :func:`present`).
    sample_customers : tuple of str
        The sample customers shown on the page (seeded draw among customers with 3+ products).
    """

    k: int
    model_param: str
    holdout_from: pd.Timestamp
    exclude_window_days: int
    repeat_purchases: bool
    warnings: tuple[dict, ...]
    evaluation: HoldoutEvaluation
    chosen_model: str
    best_model: str
    best_personalised: str
    personalised: str
    precision_diff: float
    ci_low: float
    ci_high: float
    earns_its_keep: bool
    final: FinalModel
    sample_customers: tuple[str, ...]


def _with_defaults(params: Mapping[str, Any] | None) -> dict:
    """PARAMS and TARGET_PARAMS defaults overridden by the values given (None keeps the default, except
    for the shared "start" / "end")."""
    base = {p.key: p.default for p in PARAMS + TARGET_PARAMS}
    return base | {k: v for k, v in (params or {}).items() if v is not None or k in ("start", "end")}


def _sample_customers(M: _Matrix, seed: int) -> tuple[str, ...]:
    """SAMPLE_SIZE customers drawn (seeded) among those with at least 3 products, else among all."""
    rng = np.random.default_rng(seed)
    active = np.where(np.diff(M.B.indptr) >= 3)[0]
    pool = active if len(active) >= SAMPLE_SIZE else np.arange(len(M.users))
    pick = np.sort(rng.choice(pool, size=min(SAMPLE_SIZE, len(pool)), replace=False))
    return tuple(str(M.users[i]) for i in pick)


def _verdict(ev: HoldoutEvaluation, chosen: str) -> dict:
    """Does personalisation earn its keep: the paired precision difference of the personalised model the
    verdict is about (the chosen one, or the best personalised one when the baseline was forced)."""
    best_pers = choose_model({m: v for m, v in ev.metrics.items() if m != "popular"})
    pers = chosen if chosen != "popular" else best_pers
    d, dlo, dhi = _mean_ci(ev.per_user_precision[pers] - ev.per_user_precision["popular"])
    return {"best_personalised": best_pers, "personalised": pers, "precision_diff": d, "ci_low": dlo,
            "ci_high": dhi, "earns_its_keep": bool(dlo > 0)}


def fit(tables: dict[str, ibis.Table], params: dict) -> RecommendFit:
    """Clean the order lines, aggregate them into customer x product interactions (engine), evaluate the
    four models on the time-based holdout, choose one and refit it on all history.

    ``tables``: kind -> engine table ("orders" required, "customers" optional: region and member level
    of new customers). ``params``: the FIT_PARAMS plus "start" / "end" (missing ones take their
    defaults; others are ignored). Raises NotEnoughData when the question cannot be answered honestly.

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        Kind -> engine table.
    params : dict
        The page's parameters.

    Returns
    -------
    RecommendFit
        The evaluation, the chosen model, its verdict and the final model.
    """
    params = _with_defaults(params)
    k = int(params["k"])
    clean = clean_lines(tables, params)
    warnings = [dict(w) for w in clean.warnings]
    H = holdout_date(params, clean)
    pairs = pair_aggregates(clean, H)
    attrs = user_attributes(order_regions(clean), customer_attributes(tables.get("customers")))
    ev = evaluate(pairs, H, attrs, params)
    chosen = params["model"] if params["model"] in MODELS else choose_model(ev.metrics)
    final = fit_final(pairs, clean.products, attrs, chosen, params, clean.last_date)
    return RecommendFit(
        k=k, model_param=str(params["model"]), holdout_from=H,
        exclude_window_days=int(params["exclude_window_days"]), repeat_purchases=bool(params["rp"]),
        warnings=tuple(warnings), evaluation=ev, chosen_model=chosen, best_model=choose_model(ev.metrics),
        **_verdict(ev, chosen), final=final, sample_customers=_sample_customers(final.M, int(params["seed"])))


# --------------------------------------------------------------------------------------------------
# Present (a language)
# --------------------------------------------------------------------------------------------------


def _warn_text(w: dict, lang: str) -> str:
    """A language-free warning ``{"key": ..., name: value}`` as text; counts in the language's number format
    (7,424 / 13.3万), as the other pages show them."""
    kw = {k: fmt_number(v, lang) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else v
          for k, v in w.items() if k != "key"}
    return t("recommend." + w["key"], lang, **kw)


def _findings(res: RecommendFit, lang: str) -> list[str]:
    """The verdict first, then coverage, cold start, a forced model and what to do next."""
    ev, k, chosen, pers = res.evaluation, res.k, res.chosen_model, res.personalised
    cm, bm, pm = ev.metrics[chosen], ev.metrics["popular"], ev.metrics[pers]
    lab = t(f"recommend.model.{chosen}", lang)
    dlo, dhi = res.ci_low, res.ci_high
    findings: list[str] = []
    if res.earns_its_keep:
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
            findings.append(t("recommend.finding.cold_attr", lang, n=fmt_number(ev.cold["n_users"], lang), k=k,
                              p=fmt_pct(ca["attribute"]["precision_at_k"], lang),
                              base=fmt_pct(ca["popular"]["precision_at_k"], lang)))
        else:
            findings.append(t("recommend.finding.cold_pop", lang, n=fmt_number(ev.cold["n_users"], lang), k=k,
                              p=fmt_pct(ca["popular"]["precision_at_k"], lang)))
    if res.model_param in MODELS and res.model_param != res.best_model:
        findings.append(t("recommend.finding.forced", lang, model=lab,
                          best=t(f"recommend.model.{res.best_model}", lang)))
    findings.append(t("recommend.finding.next", lang))
    return findings


def _segment_lists(final: _Final, params: dict, k: int, lang: str,
                   warnings: list[dict]) -> tuple[list[dict], dict | None]:
    """The lists of the customer ids of ``params["segment"]`` (capped at MAX_LIST_CUSTOMERS), long form."""
    if params.get("segment") is None:
        return [], None
    ids = _split_ids(params.get("segment"))
    if len(ids) > MAX_LIST_CUSTOMERS:
        warnings.append({"key": "warning.segment_capped", "n": len(ids), "cap": MAX_LIST_CUSTOMERS})
        ids = ids[:MAX_LIST_CUSTOMERS]
    recs = recommend_for(final, ids, k, lang)
    n_new = sum(1 for r in recs if r["status"] == "new")
    info = {"n_customers": len(ids), "n_known": len(recs) - n_new, "n_new": n_new}
    return _long(recs).to_dict(orient="records"), info


def _kpi_deltas(chosen: Mapping[str, Any], base: Mapping[str, Any], is_base: bool, lang: str) -> dict[str, str]:
    """The chosen model's key figures against the top-seller baseline, as the cards show them: percentage
    points for the rates, bits for novelty (none when the baseline is the chosen model)."""
    if is_base:
        return {}
    out = {}
    for n in KPI_NAMES:
        d = chosen[n] - base[n]
        out[n] = (t("recommend.delta.bits", lang, d=f"{d:+.2f}") if n == "novelty"
                  else t("recommend.delta.points", lang, d=f"{d * 100:+.1f}"))
    return out


def present(result: RecommendFit, params: dict, lang: str = "en") -> dict:
    """The page dict in ``lang`` from a fit: models with metrics, the verdict, counts, cold start, the
    rules, sample lists with reasons, the target lists of ``params["segment"]`` and
    ``params["product"]``, the products shown most often, the placed new products, findings and warnings.
    The business rules (exclude, boost, boost_factor) and the target lists are applied here.

    Parameters
    ----------
    result : RecommendFit
        The fit.
    params : dict
        The page's parameters (the rules and target choices are read).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page dict; JSON-safe.
    """
    params = _with_defaults(params)
    res, ev, k = result, result.evaluation, result.k
    chosen = res.chosen_model
    warnings = [dict(w) for w in res.warnings + ev.warnings]
    final = with_rules(res.final, params, warnings)
    M = final.M
    sample = recommend_for(final, list(res.sample_customers), k, lang)
    for s in sample:
        s["history"] = int(M.B[M.users.get_loc(s["customer_id"])].nnz)
    segment_rows, seg_info = _segment_lists(final, params, k, lang, warnings)
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
    findings = _findings(res, lang)
    ncust = ev.metrics["popular"]["n_users"]
    if MIN_TEST_USERS <= ncust < MIN_TEST_USERS * 10:
        warnings.append({"key": "warning.small_test", "n": ncust})
    bm = ev.metrics["popular"]
    result_dict = {
        "holdout_from": ev.holdout_from.date(),
        "k": k,
        "model_param": res.model_param,
        "chosen_model": chosen,
        "chosen_label": t(f"recommend.model.{chosen}", lang),
        "models": [{"name": m, "label": t(f"recommend.model.{m}", lang), "is_baseline": m == "popular",
                    **ev.metrics[m]} for m in MODELS],
        "personalisation": {"best_model": res.best_personalised, "model": res.personalised,
                            "earns_its_keep": res.earns_its_keep, "precision_diff": res.precision_diff,
                            "ci_low": res.ci_low, "ci_high": res.ci_high,
                            "lift": (ev.metrics[res.personalised]["precision_at_k"] / bm["precision_at_k"] - 1)
                            if bm["precision_at_k"] > 0 else None},
        "cold_start": ev.cold,
        "counts": ev.counts,
        "rules": {"exclude_window_days": res.exclude_window_days, "repeat_purchases": res.repeat_purchases,
                  "excluded": [final.all_ids[c] for c in final.excl_cols],
                  "boosted": [final.all_ids[c] for c in final.boost_cols],
                  "boost_factor": float(params["boost_factor"]), "as_of": M.now.date()},
        "kpis": {n: ev.metrics[chosen][n] for n in KPI_NAMES},
        "kpi_deltas": _kpi_deltas(ev.metrics[chosen], bm, chosen == "popular", lang),
        "sample": sample,
        "sample_lines": _long(sample).drop(columns=["score"]).to_dict(orient="records"),
        "segment": seg_info,
        "segment_targets": segment_rows,
        "product": params.get("product"),
        "product_targets": prod_rows,
        "top_products": top_products,
        "new_products": new_products,
        "findings": findings,
        "warnings": [_warn_text(w, lang) for w in warnings],
    }
    return jsonable(result_dict)


def _no_attrs(df: pd.DataFrame) -> pd.DataFrame:
    """The frame without its store metadata (``attrs``: source line numbers are not part of a table)."""
    if not df.attrs:
        return df
    out = df.copy(deep=False)
    out.attrs = {}
    return out


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """The page dict of canonical frames: ``present(fit(tables), params, lang)`` on the frames registered
    as engine tables (dropped again once fitted: the fit holds aggregates only).

    Parameters
    ----------
    frames : dict[str, pd.DataFrame]
        Kind -> canonical frame (None values are dropped).
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page dict.
    """
    tables = engine.tables_from_frames({k: _no_attrs(v) for k, v in (frames or {}).items() if v is not None})
    try:
        fitted = fit(tables, params)
    finally:
        drop_tables(list(tables.values()))
    return present(fitted, params, lang)


def to_frame(result: dict, key: str) -> pd.DataFrame:
    """A downloadable table from a result: "segment_targets", "product_targets", "sample", "models", ...

    Parameters
    ----------
    result : dict
        The page result.
    key : str
        The block's key.

    Returns
    -------
    pd.DataFrame
        The table (``sample`` in long form).
    """
    if key == "sample":
        return _long(result.get("sample", []))
    return pd.DataFrame(result.get(key) or [])


# --------------------------------------------------------------------------------------------------
# Page helpers: called through analytics.cached.page_call(url_path, fn, datasets, params, lang) with
# engine tables (canonical frames are accepted too: registered for the call)
# --------------------------------------------------------------------------------------------------


def _on_tables(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Let a page helper ``fn(tables, params, lang, **kw)`` be called with canonical frames as well."""

    @functools.wraps(fn)
    def wrapper(tables: dict, params: dict | None = None, lang: str = "en", **kw: Any) -> Any:
        with frame_tables(tables) as tbls:
            return fn(tbls, params or {}, lang, **kw)

    return wrapper


def _final_for(tables: dict[str, ibis.Table], params: dict,
               fitted: RecommendFit | None = None) -> tuple[_Final, list[dict]]:
    """The final lists' model with the business rules: params["model"] when it names a model, else the
    holdout's best (the same choice fit makes). The model comes from ``fitted`` when given (a fit of the
    same tables with the same fit parameters) and it is that model, else it is refitted from the engine
    aggregates (params["model"] named: all history only; else the whole fit)."""
    model = params.get("model")
    if fitted is None or (model in MODELS and model != fitted.chosen_model):
        if model in MODELS:
            base, clean = final_model(tables, params, model)
            warnings = [dict(w) for w in clean.warnings]
            return with_rules(base, params, warnings), warnings
        fitted = fit(tables, params)
    warnings = [dict(w) for w in fitted.warnings + (() if model in MODELS else fitted.evaluation.warnings)]
    return with_rules(fitted.final, params, warnings), warnings


@_on_tables
def catalogue_options(tables: dict[str, ibis.Table], params: dict, lang: str = "en") -> dict:
    """What the page's controls offer: products (most buyers first) and the date range of the history.

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters.
    lang : str
        Unused (the options are data values).

    Returns
    -------
    dict
        ``products`` (product_id, product_name, buyers), ``n_lines``, ``n_customers``, ``n_products``,
        ``first_date``, ``last_date``, ``default_holdout``.
    """
    params = _with_defaults(params)
    clean = clean_lines(tables, params)
    if clean.n_customer_lines == 0:
        raise NotEnoughData("recommend.error.no_customers")
    buyers, n_customers = buyers_per_product(clean)
    g = clean.products.assign(buyers=buyers.reindex(clean.products["product_id"]).fillna(0).astype(np.int64).to_numpy())
    g = g.sort_values(["buyers", "product_id"], ascending=[False, True], kind="stable")
    return jsonable({
        "products": g[["product_id", "product_name", "buyers"]].to_dict(orient="records"),
        "n_lines": clean.n_lines, "n_customers": n_customers, "n_products": int(len(g)),
        "first_date": clean.first_date.date(), "last_date": clean.last_date.date(),
        "default_holdout": holdout_range(clean.first_date, clean.last_date).date(),
    })


@_on_tables
def segment_groups(tables: dict[str, ibis.Table], params: dict, lang: str = "en", *,
                   fitted: RecommendFit | None = None) -> dict:
    """RFM groups (named and the Chinese 8 groups) with their sizes, from analytics.segmentation.
    ``fitted``: the page's fit, whose memo keeps the RFM table (the target lists read the same one).

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    fitted : RecommendFit | None
        The page's fit, or None.

    Returns
    -------
    dict
        The groups and their sizes.
    """
    return rfm_groups(tables, params, lang, fitted.final.memo if fitted is not None else None)


@_on_tables
def segment_customer_ids(tables: dict[str, ibis.Table], params: dict, lang: str = "en") -> list[str]:
    """Customer ids of an RFM group (tsrc=rfm / cn8, tseg=group) or a saved persona (tsrc=persona,
    params["persona"]: its saved payload as JSON); see :func:`.targets.segment_customer_ids`.

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters (``tsrc``, ``tseg``, ``persona``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[str]
        The customer ids.
    """
    return _segment_customer_ids(tables, params, lang)


@_on_tables
def segment_targets(tables: dict[str, ibis.Table], params: dict, lang: str = "en", *,
                    fitted: RecommendFit | None = None) -> dict:
    """Top-k products per customer of a segment or persona, with reasons (the CRM / ad platform list).
    ``fitted``: optional, a fit of the same tables and fit parameters (its final model is used instead
    of refitting the model named by params["model"]).

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    fitted : RecommendFit | None
        The page's fit, or None.

    Returns
    -------
    dict
        ``n_customers``, ``n_known``, ``n_new``, ``capped``, ``rows`` (customer, rank, product, score,
        reason), ``top_products``, ``model``, ``warnings``.
    """
    params = _with_defaults(params)
    k = int(params["k"])
    ids = _segment_customer_ids(tables, params, lang, fitted.final.memo if fitted is not None else None)
    out = {"n_customers": len(ids), "n_known": 0, "n_new": 0, "capped": None, "rows": [], "top_products": []}
    if not ids:
        return out
    if len(ids) > MAX_LIST_CUSTOMERS:
        out["capped"] = MAX_LIST_CUSTOMERS
        ids = ids[:MAX_LIST_CUSTOMERS]
    F, warnings = _final_for(tables, params, fitted)
    long, n_new = target_rows(F, ids, k, lang)
    top = (long.groupby(["product_id"], sort=False).agg(product_name=("product_name", "first"),
                                                        n_customers=("customer_id", "nunique"))
           .reset_index().sort_values(["n_customers", "product_id"], ascending=[False, True], kind="stable").head(10))
    top["share"] = top["n_customers"] / max(len(ids), 1)
    out.update({"n_known": len(ids) - n_new, "n_new": n_new, "model": F.model.name,
                "top_products": top.to_dict(orient="records"),
                "warnings": [_warn_text(w, lang) for w in warnings]})
    out = jsonable(out)
    out["rows"] = records(long)  # plain values already: jsonable would walk 500,000 dicts again
    return out


@_on_tables
def product_buyers(tables: dict[str, ibis.Table], params: dict, lang: str = "en", *,
                   fitted: RecommendFit | None = None) -> dict:
    """The customers most likely to buy params["product"] (who have not bought it), best first.
    ``fitted``: optional, as for :func:`segment_targets`.

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters (``product``, ``top_customers``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    fitted : RecommendFit | None
        The page's fit, or None.

    Returns
    -------
    dict
        ``product``, ``product_name``, ``buyers``, ``rows``, ``model``.
    """
    params = _with_defaults(params)
    product = params.get("product")
    out = {"product": product, "product_name": None, "buyers": 0, "rows": [], "model": None}
    if not product:
        return out
    F, warnings = _final_for(tables, params, fitted)
    pos = pd.Index(F.all_ids).get_indexer(pd.Index([str(product)]))[0]
    pt = product_targets(F, str(product), int(params["top_customers"]), lang)
    if len(pt):
        pt["relative_score"] = pt["score"] / float(pt["score"].iloc[0]) if float(pt["score"].iloc[0]) > 0 else np.nan
    out.update({"product_name": F.names.get(str(product)), "model": F.model.name,
                "buyers": int(F.M.buyers[pos]) if 0 <= pos < len(F.M.items) else 0,
                "rows": pt.to_dict(orient="records")})
    return jsonable(out)


# --------------------------------------------------------------------------------------------------
# Older entry points (tests and callers holding frames)
# --------------------------------------------------------------------------------------------------


def build_final(data: dict, params: dict, model_name: str, lines: Any = None,
                warnings: list[dict] | None = None) -> _Final:
    """The final lists' model ``model_name`` refitted on all history with the rules of ``params``.
    ``data``: kind -> engine table or canonical frame; ``lines`` is not used (the engine aggregates the
    lines again); the rules' warnings are appended to ``warnings``.

    Parameters
    ----------
    data : dict
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters.
    model_name : str
        The model to refit.
    lines : Any
        Unused.
    warnings : list[dict] | None
        The rules' warnings are appended here (None: dropped).

    Returns
    -------
    _Final
        The final model with the rules.
    """
    with frame_tables(data) as tables:
        base, _ = final_model(tables, params, model_name)
    return with_rules(base, params, warnings if warnings is not None else [])

