"""Customers-only segmentation: a CRM export (one row per customer, no order lines), e.g. the iFood
marketing file (``ID``, ``Year_Birth``, ``Income``, ``Recency``, ``Mnt*``, ``Num*Purchases``,
``AcceptedCmp1..5``, ``Response``, ``Education``, ``Marital_Status``, ``Kidhome``, ``Teenhome`` ...).

When the workspace has a customers dataset and no orders dataset, the segmentation explorer and the
persona builder run on the customers table alone:

- RFM from the CRM's own columns, recognised by name (:data:`RFM_PATTERNS`, matched on the column name
  without the ``attr_`` prefix of unmapped columns, case-insensitively):

  ========== ===================================================================== =====================
  measure    column names                                                          rule
  ========== ===================================================================== =====================
  recency    recency, recency_days, days_since_last_purchase / _order,             the value (days)
             最近购买天数, 距上次购买天数
  frequency  frequency, orders, order_count, purchases, purchase_count,             that one column
             购买次数, 订单数, 累计订单数
             num*purchases (iFood: NumDeals/Web/Catalog/StorePurchases)            sum of the columns
  monetary   monetary, total_spend, total_spent, amount_spent, spend,               that one column
             消费金额, 累计消费, 累计消费金额
             mnt* (iFood: MntWines, MntFruits, MntMeatProducts, ...)               sum of the columns
  ========== ===================================================================== =====================

  A single named column wins over a family to sum. RFM needs all three measures; the scores, the named
  groups and the Chinese eight groups are those of the orders path (:mod:`.rfm`), on the customers
  whose recency is known. The choice is part of the result, so the page shows it.
- k-means: on recency / frequency / monetary when the CRM has them (the orders path's
  :func:`.clusters.cluster`), else on the CRM's numeric attributes (standardised signed log, k by
  silhouette, numbered by falling size).

Per-customer rows come to Python only bounded: up to :data:`MAX_ROWS` customers; a larger customers
table is sampled in the engine (the :data:`MAX_ROWS` smallest hashes of customer id and seed: the same
sample every time for a seed), and the result says so. Without order lines there are no cohorts, no
CLV / P(alive), no movement between groups over time, no repeat-purchase or basket measures, no product
recommendations and no tiers on the last 365 days of spend: :data:`CANNOT` lists them and both pages
say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

from analytics import charts
from analytics.common import NotEnoughData, jsonable
from analytics.i18n import fmt_list, fmt_money, fmt_number, fmt_pct, t
from data import engine

from .base import SMALL_GROUP, page_params
from .clusters import _signed_log1p, cluster, silhouette
from .rfm import group_rows, group_table, score_groups

MODE = "customers_only"
MAX_ROWS = 100_000
MAX_CATEGORIES = 25   # a text column with more distinct values is not an attribute (ids, dates, free text)
ATTR = "attr_"
CANNOT = ("cohorts", "clv", "movement", "repeat", "tiers", "recommendations", "order_attributes")

RFM_PATTERNS: tuple[tuple[str, str, str], ...] = (
    ("recency", "one", r"recency|recency_days|days_since_last_(purchase|order)|最近购买天数|距上次购买天数"),
    ("frequency", "one", r"frequency|orders|order_count|purchases|purchase_count|购买次数|订单数|累计订单数"),
    ("frequency", "sum", r"num\w*purchases"),
    ("monetary", "one", r"monetary|total_spend|total_spent|amount_spent|spend|消费金额|累计消费|累计消费金额"),
    ("monetary", "sum", r"mnt\w+"),
)


def display_name(column: str) -> str:
    """A column's name as the user wrote it (unmapped columns are stored as ``attr_<name>``).

    Parameters
    ----------
    column : str
        The stored column name.

    Returns
    -------
    str
        The name without ``attr_``.
    """
    return column[len(ATTR):] if column.startswith(ATTR) else column


def rfm_columns(numeric: list[str]) -> dict[str, list[str]] | None:
    """The CRM columns for recency, frequency and monetary (:data:`RFM_PATTERNS`), or None when one of
    the three is missing. ``numeric``: the numeric columns of the customers table.

    Parameters
    ----------
    numeric : list[str]
        The numeric columns.

    Returns
    -------
    dict[str, list[str]] | None
        ``recency``, ``frequency``, ``monetary`` -> their columns; or None.
    """
    out: dict[str, list[str]] = {}
    for measure in ("recency", "frequency", "monetary"):
        one = [c for c in numeric for m, rule, pat in RFM_PATTERNS
               if m == measure and rule == "one" and re.fullmatch(pat, display_name(c).lower())]
        fam = [c for c in numeric for m, rule, pat in RFM_PATTERNS
               if m == measure and rule == "sum" and re.fullmatch(pat, display_name(c).lower())]
        cols = one[:1] or fam
        if not cols or (measure == "recency" and len(cols) > 1):
            return None
        out[measure] = cols
    return out


# ---------------------------------------------------------------- engine: the bounded customer rows


@dataclass(frozen=True)
class CrmRows:
    """The customers table as Python holds it: at most MAX_ROWS rows (one per customer id)."""
    frame: pd.DataFrame       # customer_id (str), the kept columns; one row per customer id
    rows: int                 # rows of the table with a customer id
    sampled: bool
    seed: int
    numeric: list[str]        # numeric attribute columns with at least two values
    all_numeric: list[str]    # every numeric column (a constant one still counts in an RFM sum)
    categorical: list[str]    # text columns with 2..MAX_CATEGORIES values


_SKIP = {"customer_id", engine.LINE, "points"}


def crm_rows(customers: ibis.Table, seed: int = 42, max_rows: int = MAX_ROWS) -> CrmRows:
    """One engine aggregation (rows and distinct values per column), then the rows: all of them up to
    ``max_rows``, else the ``max_rows`` customers with the smallest hash of (id, seed).

    Parameters
    ----------
    customers : ibis.Table
        The customers table (``customer_id`` required; NotEnoughData otherwise or without rows).
    seed : int
        Sample seed.
    max_rows : int
        Most customers read.

    Returns
    -------
    CrmRows
        The rows (``customer_id``, numeric columns as float, categorical columns as text), the row count,
        whether sampled, the seed and the column lists.
    """
    if customers is None or "customer_id" not in customers.columns:
        raise NotEnoughData("segmentation.error.no_customers")
    sel = customers.filter(customers.customer_id.notnull())
    schema = sel.schema()
    num = [c for c in sel.columns if c not in _SKIP and schema[c].is_numeric() and not schema[c].is_boolean()]
    txt = [c for c in sel.columns if c not in _SKIP and (schema[c].is_string() or schema[c].is_boolean())]
    aggs = {"_rows": sel.count()}
    aggs.update({f"n{i}": sel[c].nunique() for i, c in enumerate(num + txt)})
    stats = engine.to_frame(sel.aggregate(**aggs)).iloc[0]
    rows = int(stats["_rows"])
    if not rows:
        raise NotEnoughData("segmentation.error.no_customers")
    distinct = {c: int(stats[f"n{i}"]) for i, c in enumerate(num + txt)}
    numeric = [c for c in num if distinct[c] >= 2]
    # the file's own text columns only with few values (not ids, dates or free text); canonical ones always
    categorical = [c for c in txt if distinct[c] >= 2 and (not c.startswith(ATTR) or distinct[c] <= MAX_CATEGORIES)]
    sampled = rows > max_rows
    if sampled:
        key = (sel.customer_id.cast("string") + ibis.literal(f":{int(seed)}")).hash()
        sel = sel.mutate(_k=key).order_by(["_k", "customer_id"]).limit(max_rows)
    elif engine.LINE in sel.columns:
        sel = sel.order_by(engine.LINE)
    cols = {"customer_id": sel.customer_id.cast("string")}
    cols.update({c: sel[c].cast("float64") for c in num})
    cols.update({c: sel[c].cast("string") for c in categorical})
    df = engine.to_frame(sel.select(**cols)).drop_duplicates("customer_id", keep="last").reset_index(drop=True)
    return CrmRows(df, rows, sampled, int(seed), numeric=numeric, categorical=categorical, all_numeric=num)


def rfm_frame(rows: CrmRows, cols: dict[str, list[str]]) -> pd.DataFrame:
    """recency_days, frequency (sum of the frequency columns), monetary (sum), aov, r, f, m, fm, group
    and group_cn for the customers whose recency is known; indexed by position in ``rows.frame``.

    Parameters
    ----------
    rows : CrmRows
        The CRM rows.
    cols : dict[str, list[str]]
        :func:`rfm_columns`.

    Returns
    -------
    pd.DataFrame
        Columns ``customer_id``, ``recency_days``, ``frequency``, ``monetary``, ``aov``, ``tenure_days`` (NaN)
        and the scores and groups of :func:`.rfm.score_groups`.
    """
    f = rows.frame
    rec = f[cols["recency"][0]]
    ok = rec.notna().to_numpy()
    tab = pd.DataFrame({"customer_id": f["customer_id"].to_numpy()}, index=f.index)
    tab["recency_days"] = rec.to_numpy(float)
    tab["frequency"] = f[cols["frequency"]].fillna(0).sum(axis=1).to_numpy(float)
    tab["monetary"] = f[cols["monetary"]].fillna(0).sum(axis=1).to_numpy(float)
    tab["aov"] = np.where(tab["frequency"] > 0, tab["monetary"] / tab["frequency"].where(tab["frequency"] > 0), np.nan)
    tab["tenure_days"] = np.nan
    tab = tab.loc[ok]
    if tab.empty:
        return tab
    return score_groups(tab)


# ---------------------------------------------------------------- k-means on numeric attributes


def attribute_clusters(frame: pd.DataFrame, features: list[str], k: int | None, seed: int,
                       sample_size: int = 5000, k_range: tuple[int, int] = (2, 8), min_customers: int = 50) -> dict:
    """k-means on standardised signed-log numeric attributes (missing values: the column's median);
    k by mean silhouette on a seeded sample unless given. Clusters are numbered 1..k by falling size.
    Returns labels (on frame.index), k, k_auto, k_fixed, features, silhouette, silhouette_by_k,
    sample_size, seed, profiles (customers, share, avg_<feature>, index_<feature> = mean / base mean x 100).
    Raises NotEnoughData.

    Parameters
    ----------
    frame : pd.DataFrame
        The CRM rows.
    features : list[str]
        Numeric columns to cluster on.
    k : int | None
        Number of clusters (None: by silhouette).
    seed : int
        Random seed.
    sample_size : int
        Customers sampled for the silhouette.
    k_range : tuple[int, int]
        Smallest and largest k tried.
    min_customers : int
        Fewest customers to cluster.

    Returns
    -------
    dict
        ``labels``, ``k``, ``k_auto``, ``k_fixed``, ``features``, ``silhouette``, ``silhouette_by_k``,
        ``sample_size``, ``seed``, ``profiles``.
    """
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    n = len(frame)
    if n < min_customers:
        raise NotEnoughData("segmentation.error.too_few_to_cluster", n=n, min=min_customers)
    if not features:
        raise NotEnoughData("segmentation.error.crm_no_numeric")
    raw = frame[features].astype(float)
    X = _signed_log1p(raw.fillna(raw.median()).to_numpy())
    sd = X.std(axis=0)
    keep = np.isfinite(sd) & (sd > 1e-12)
    if not keep.any():
        raise NotEnoughData("segmentation.error.no_variance", feature=", ".join(map(display_name, features)))
    features = [f for f, kp in zip(features, keep) if kp]
    X = X[:, keep]
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, size=min(n, sample_size), replace=False))
    Zs = Z[idx]
    n_distinct = len(np.unique(Zs, axis=0))
    ks = list(range(k_range[0], min(k_range[1], n_distinct - 1) + 1))
    if k is not None:
        if int(k) > n_distinct - 1:
            raise NotEnoughData("segmentation.error.k_too_large", k=int(k), n=n_distinct)
        ks = sorted(set(ks) | {int(k)})
    if not ks:
        raise NotEnoughData("segmentation.error.too_few_to_cluster", n=n, min=min_customers)
    with threadpool_limits(limits=1):
        models = {kk: KMeans(n_clusters=kk, n_init=4, random_state=seed).fit(Zs) for kk in ks}
        sils = dict(zip(ks, silhouette(Zs, [models[kk].labels_ for kk in ks])))
        auto = max((kk for kk in ks if k_range[0] <= kk <= k_range[1]), key=lambda kk: sils[kk], default=ks[0])
        chosen = int(k) if k is not None else auto
        lab = models[chosen].predict(Z)
    sizes = np.bincount(lab, minlength=chosen)
    order = np.argsort(-sizes, kind="stable")
    relabel = np.empty(chosen, dtype=np.int64)
    relabel[order] = np.arange(1, chosen + 1)
    labels = relabel[lab]
    base = raw.mean()
    profiles = []
    for c in range(1, chosen + 1):
        sel = labels == c
        p = {"cluster": c, "customers": int(sel.sum()), "share": float(sel.mean())}
        for f in features:
            m = float(raw.loc[sel, f].mean())
            p[f"avg_{display_name(f)}"] = m
            p[f"index_{display_name(f)}"] = m / base[f] * 100 if base[f] else None
        profiles.append(p)
    return {"labels": pd.Series(labels, index=frame.index, name="cluster"), "k": chosen, "k_auto": int(auto),
            "k_fixed": k is not None, "features": features, "silhouette": float(sils[chosen]),
            "silhouette_by_k": [{"k": kk, "silhouette": sils[kk]} for kk in ks], "sample_size": int(len(Zs)),
            "seed": int(seed), "profiles": profiles}


def cluster_features(rows: CrmRows, cols: dict[str, list[str]] | None) -> list[str]:
    """The numeric attributes k-means runs on without RFM columns: every numeric column with values
    beyond 0/1 (flags such as AcceptedCmp1 or Response describe, they do not measure).

    Parameters
    ----------
    rows : CrmRows
        The CRM rows.
    cols : dict[str, list[str]] | None
        :func:`rfm_columns` (unused: the choice does not depend on it), or None.

    Returns
    -------
    list[str]
        The columns.
    """
    f = rows.frame
    return [c for c in rows.numeric if f[c].dropna().nunique() > 2]


# ---------------------------------------------------------------- fit / present


@dataclass(frozen=True)
class CrmFit:
    """The segmentation explorer's numbers for a customers table without order lines (no texts).

    rows: customers-table rows with an id; customers: customers used (after the sample and without a
    known recency left out when RFM is used); sampled / seed; rfm: the CRM columns per measure (None
    without them); recency_missing: customers without a recency value; table: one row per customer
    (customer_id, recency_days, frequency, monetary, r, f, m, fm, group, group_cn, cluster when
    clustered); groups / groups_other: :func:`.rfm.group_table` of the model column and the other one
    (None without RFM); model_column; clusters (without labels) or clusters_problem (NotEnoughData);
    cluster_basis: "rfm" or "attributes"; numeric / categorical: the attribute columns found."""
    params: dict
    rows: int
    customers: int
    sampled: bool
    seed: int
    rfm: dict | None
    recency_missing: int
    table: pd.DataFrame
    groups: pd.DataFrame | None
    groups_other: pd.DataFrame | None
    model_column: str
    clusters: dict | None
    clusters_problem: object | None
    cluster_basis: str
    numeric: list
    categorical: list


def crm_base(customers: ibis.Table, p: dict, *, with_clusters: bool = True) -> tuple[pd.DataFrame, CrmRows, dict]:
    """(table, rows, info): the per-customer table of the customers-only path (RFM groups when the CRM has
    the columns, clusters when asked for and possible) with info rfm, recency_missing, clusters,
    clusters_problem, cluster_basis.

    Parameters
    ----------
    customers : ibis.Table
        The customers table.
    p : dict
        The page's parameters (``seed``, ``features``, ``k``).
    with_clusters : bool
        Whether to cluster.

    Returns
    -------
    tuple[pd.DataFrame, CrmRows, dict]
        The table, the rows and the info.
    """
    from .model import Problem

    seed = int(p.get("seed") if p.get("seed") is not None else 42)
    rows = crm_rows(customers, seed)
    cols = rfm_columns(rows.all_numeric)
    if cols is not None:
        tab = rfm_frame(rows, cols)
        missing = len(rows.frame) - len(tab)
    else:
        tab = pd.DataFrame({"customer_id": rows.frame["customer_id"].to_numpy()}, index=rows.frame.index)
        missing = 0
    info: dict = {"rfm": cols, "recency_missing": missing, "clusters": None, "clusters_problem": None,
                  "cluster_basis": "rfm" if cols else "attributes"}
    if with_clusters and len(tab):
        try:
            if cols is not None:
                res = cluster(tab, p.get("features") or ["recency", "frequency", "monetary"], p.get("k"), seed)
            else:
                res = attribute_clusters(rows.frame, cluster_features(rows, cols), p.get("k"), seed)
            tab["cluster"] = res.pop("labels").reindex(tab.index)
            info["clusters"] = res
        except NotEnoughData as exc:
            info["clusters_problem"] = Problem.of(exc)
    return tab, rows, info


def fit(customers: ibis.Table, params: dict) -> CrmFit:
    """The customers-only fit (see :class:`CrmFit`); ``params``: the segmentation PARAMS (model, k, seed;
    features when RFM columns exist). Raises NotEnoughData without customers.

    Parameters
    ----------
    customers : ibis.Table
        The customers table.
    params : dict
        The page's parameters.

    Returns
    -------
    CrmFit
        The customers-only fit.
    """
    p = page_params(params)
    if p.get("features") and not set(p["features"]) <= {"recency", "frequency", "monetary"}:
        p = dict(p, features=[f for f in p["features"] if f in ("recency", "frequency", "monetary")] or None)
    tab, rows, info = crm_base(customers, p)
    if tab.empty:
        raise NotEnoughData("segmentation.error.no_customers")
    model_col = "group" if p["model"] == "named" else "group_cn"
    groups = other = None
    if info["rfm"] is not None:
        groups = group_table(tab, model_col)
        other = group_table(tab, "group_cn" if model_col == "group" else "group")
    return CrmFit(params=p, rows=rows.rows, customers=len(tab), sampled=rows.sampled, seed=rows.seed,
                  rfm=info["rfm"], recency_missing=info["recency_missing"], table=tab, groups=groups,
                  groups_other=other, model_column=model_col, clusters=info["clusters"],
                  clusters_problem=info["clusters_problem"], cluster_basis=info["cluster_basis"],
                  numeric=rows.numeric, categorical=rows.categorical)


def rfm_choice_rows(cols: dict | None, lang: str) -> list[dict]:
    """The CRM columns behind recency, frequency and monetary, as the page shows them.

    Parameters
    ----------
    cols : dict | None
        :func:`rfm_columns`, or None.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Rows with ``measure``, ``columns``, ``rule``.
    """
    if not cols:
        return []
    return [{"measure": t(f"segmentation.crm.measure.{m}", lang),
             "columns": " + ".join(display_name(c) for c in cols[m]),
             "rule": t("segmentation.crm.rule.sum" if len(cols[m]) > 1 else "segmentation.crm.rule.one", lang)}
            for m in ("recency", "frequency", "monetary")]


def cannot_rows(lang: str, ns: str = "segmentation") -> list[dict]:
    """What the page cannot do without order lines, one row per analysis.

    Parameters
    ----------
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    ns : str
        Unused (the texts are the segmentation page's).

    Returns
    -------
    list[dict]
        Rows with ``analysis`` and ``needs``.
    """
    return [{"analysis": t(f"segmentation.crm.cannot.{k}", lang), "needs": t("segmentation.crm.needs_orders", lang)}
            for k in CANNOT]


def cannot_text(lang: str) -> str:
    """One sentence listing what cannot be done without order lines.

    Parameters
    ----------
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The sentence.
    """
    return t("segmentation.crm.cannot_summary", lang,
             items=fmt_list((t(f"segmentation.crm.cannot.{k}", lang) for k in CANNOT), lang))


def present(r: CrmFit, params: dict | None = None, lang: str = "en") -> dict:
    """The page dict of the customers-only mode: mode, kpis, warnings (what is used, what cannot be done,
    the sample), findings, rfm_columns, rfm_groups, rfm_groups_other, clusters, cannot.

    Parameters
    ----------
    r : CrmFit
        The customers-only fit.
    params : dict | None
        Unused (the fit holds its parameters), or None.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page dict; JSON-safe.
    """
    warnings = [t("segmentation.crm.mode", lang, n=fmt_number(r.customers, lang)), cannot_text(lang)]
    if r.sampled:
        warnings.append(t("segmentation.crm.sampled", lang, n=fmt_number(r.customers, lang),
                          rows=fmt_number(r.rows, lang), seed=r.seed))
    findings: list[str] = []
    kpis: dict = {"customers": r.customers}
    groups = other = []
    if r.rfm is None:
        warnings.append(t("segmentation.crm.no_rfm", lang))
    else:
        choice = "; ".join(f"{x['measure']} = {x['columns']}" for x in rfm_choice_rows(r.rfm, lang))
        warnings.append(t("segmentation.crm.rfm_from", lang, choice=choice))
        if r.recency_missing:
            warnings.append(t("segmentation.crm.recency_missing", lang, n=fmt_number(r.recency_missing, lang)))
        tab = r.table
        kpis.update({"avg_monetary": float(tab["monetary"].mean()), "avg_frequency": float(tab["frequency"].mean()),
                     "avg_recency": float(tab["recency_days"].mean())})
        groups, other = group_rows(r.groups, lang), group_rows(r.groups_other, lang)
        small = [g["label"] for g in groups if g["small"]]
        if small:
            warnings.append(t("segmentation.warning.small_groups", lang, groups=fmt_list(small, lang), n=SMALL_GROUP))
        top = max(groups, key=lambda g: g["net_sales_share"] or 0)
        findings.append(t("segmentation.crm.finding.top_group", lang, group=top["label"],
                          share=fmt_pct(top["share"], lang), spend=fmt_pct(top["net_sales_share"], lang),
                          avg=fmt_money(top["avg_monetary"], lang)))
    clusters: dict = {}
    if r.clusters is not None:
        c = r.clusters
        clusters = {k: v for k, v in c.items() if k != "pca"}
        clusters["features"] = [display_name(f) for f in c["features"]]
        clusters["basis"] = r.cluster_basis
        kpis["k"] = c["k"]
        big = c["profiles"][0] if r.cluster_basis == "attributes" else max(c["profiles"], key=lambda x: x["share"])
        findings.append(t("segmentation.crm.finding.clusters", lang, k=c["k"], sil=f"{c['silhouette']:.2f}",
                          features=fmt_list(clusters["features"], lang), share=fmt_pct(big["share"], lang),
                          n=big["cluster"]))
    elif r.clusters_problem is not None:
        clusters = {"error": r.clusters_problem.text(lang)}
        warnings.append(t("segmentation.crm.no_clusters", lang, reason=clusters["error"]))
    return jsonable({
        "mode": MODE, "kpis": kpis, "customers": r.customers, "rows": r.rows, "sampled": r.sampled,
        "model": "named" if r.model_column == "group" else "cn8",
        "rfm_columns": rfm_choice_rows(r.rfm, lang), "rfm_groups": groups, "rfm_groups_other": other,
        "clusters": clusters, "cannot": cannot_rows(lang), "findings": findings, "warnings": warnings,
    })


def figures(result: dict, lang: str = "en") -> list[dict]:
    """Customers and spend share per RFM group; customers per cluster.

    Parameters
    ----------
    result : dict
        The page dict of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``.
    """
    import plotly.graph_objects as go

    figs = []
    groups = result.get("rfm_groups") or []
    if groups:
        top = max(groups, key=lambda g: g["net_sales_share"] or 0)
        title = t("segmentation.chart.groups", lang, group=top["label"], value=fmt_pct(top["net_sales_share"], lang),
                  cust=fmt_pct(top["share"], lang))
        fig = go.Figure([go.Bar(name=t("segmentation.col.share_pct", lang), x=[g["label"] for g in groups],
                                y=[g["share"] for g in groups]),
                         go.Bar(name=t("segmentation.col.net_sales_share_pct", lang), x=[g["label"] for g in groups],
                                y=[(g["net_sales_share"] or 0) for g in groups])])
        fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.2})
        charts.finish(fig, lang, title, y="percent")
        figs.append({"key": "groups", "title": title, "figure": fig})
    prof = (result.get("clusters") or {}).get("profiles") or []
    if prof:
        title = t("segmentation.crm.chart.clusters", lang, k=len(prof),
                  features=fmt_list((result.get("clusters") or {}).get("features") or [], lang))
        fig = go.Figure(go.Bar(x=[t("segmentation.label.cluster", lang, n=p["cluster"]) for p in prof],
                               y=[p["customers"] for p in prof]))
        fig.update_layout(yaxis_title=t("segmentation.col.customers", lang))
        charts.finish(fig, lang, title, y="count")
        figs.append({"key": "clusters", "title": title, "figure": fig})
    return figs
