"""Segmentation explorer: RFM scores and groups, k-means clusters, member tiers, cohorts and CLV.

Definitions (docs/metrics.md is generated from the "metric.*" keys of locales/segmentation.json):

- Customers are the customer ids with at least one non-return order line before the analysis date
  (lines without a customer id are left out and counted in the warnings).
- analysis_date: param, default the calendar day after the last order in the data; only order lines
  dated before it (midnight) are used.
- recency_days: whole days from the analysis date back to the customer's last non-return order line
  (floor of the time difference, so a purchase on the last day of data gives 0).
- frequency: distinct order ids holding at least one non-return line.
- monetary: net sales = gross of the non-return lines minus |amount| of the customer's return lines
  (equals the plain sum of amounts when returns carry negative amounts, as in Online Retail).
- r, f, m: 1-5 scores by quantile of the percentile rank (average rank for ties, so equal values get
  the same score: score = ceil(5 x rank / n)); higher is better, recency reversed.
- group (named model): segment map on the R score and FM = round-half-up of (F + M) / 2, the widely used
  R x FM grid (10 groups) with "Lost" carved out of "Hibernating" for R = 1 and FM = 1:
      R\\FM   1               2                    3                    4                 5
      5      New             Potential loyalists  Potential loyalists  Champions         Champions
      4      Promising       Potential loyalists  Potential loyalists  Loyal             Loyal
      3      About to sleep  About to sleep       Need attention       Loyal             Loyal
      2      Hibernating     Hibernating          At risk              At risk           Cannot lose them
      1      Lost            Hibernating          At risk              At risk           Cannot lose them
- group_cn (Chinese eight-group RFM model): R high when recency_days < mean, F high when frequency > mean,
  M high when monetary > mean; 重要价值 (HHH), 重要发展 (H L H), 重要保持 (L H H), 重要挽留 (L L H),
  一般价值 (H H L), 一般发展 (H L L), 一般保持 (L H L), 一般挽留 (L L L), in the order R F M.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics import clv as clvmod
from analytics.common import NotEnoughData, filter_dates, jsonable
from analytics.i18n import fmt_money, fmt_number, fmt_pct, t
from analytics.params import Param

PAGE = "segmentation-explorer"
KINDS = {"orders": True, "customers": False}

FEATURES = ("recency", "frequency", "monetary", "aov", "tenure")
DEFAULT_FEATURES = ["recency", "frequency", "monetary"]
DEFAULT_TIER_COSTS = [0.0, 10.0, 30.0, 80.0]

PARAMS = [
    Param("analysis_date", "date", None, help="segmentation.help.analysis_date"),
    Param("model", "str", "named", choices=("named", "cn8"), help="segmentation.help.model"),
    Param("compare_days", "int", 90, min=1, max=3650, help="segmentation.help.compare_days"),
    Param("features", "list", list(DEFAULT_FEATURES), choices=FEATURES, help="segmentation.help.features"),
    Param("k", "int", None, min=2, max=12, help="segmentation.help.k"),
    Param("seed", "int", 42, min=0, help="segmentation.help.seed"),
    Param("tier_basis", "str", "spend", choices=("spend", "points"), help="segmentation.help.tier_basis"),
    Param("tier_thresholds", "list", None, help="segmentation.help.tier_thresholds"),
    Param("tier_whatif", "list", None, help="segmentation.help.tier_whatif"),
    Param("tier_costs", "list", None, help="segmentation.help.tier_costs"),
    Param("clv_horizon", "int", 12, min=1, max=120, help="segmentation.help.clv_horizon"),
    Param("discount", "float", 0.01, min=0.0, max=0.5, help="segmentation.help.discount"),
    Param("clv_calibration_end", "date", None, help="segmentation.help.clv_calibration_end"),
    Param("time_unit", "str", "week", choices=("day", "week"), help="segmentation.help.time_unit"),
    Param("detail", "str", "summary", choices=("summary", "customers"), help="segmentation.help.detail"),
    Param("audience", "str", None, help="segmentation.help.audience"),
]

NAMED_GROUPS = ("Champions", "Loyal", "Potential loyalists", "New", "Promising", "Need attention",
                "About to sleep", "At risk", "Cannot lose them", "Hibernating", "Lost")
_SEGMENT_GRID = {  # R score -> names for FM = 1..5
    5: ("New", "Potential loyalists", "Potential loyalists", "Champions", "Champions"),
    4: ("Promising", "Potential loyalists", "Potential loyalists", "Loyal", "Loyal"),
    3: ("About to sleep", "About to sleep", "Need attention", "Loyal", "Loyal"),
    2: ("Hibernating", "Hibernating", "At risk", "At risk", "Cannot lose them"),
    1: ("Lost", "Hibernating", "At risk", "At risk", "Cannot lose them"),
}
CN8_GROUPS = ("重要价值", "重要发展", "重要保持", "重要挽留", "一般价值", "一般发展", "一般保持", "一般挽留")
_CN8_BY_RFM = {  # (R high, F high, M high) -> label
    (True, True, True): "重要价值", (True, False, True): "重要发展", (False, True, True): "重要保持",
    (False, False, True): "重要挽留", (True, True, False): "一般价值", (True, False, False): "一般发展",
    (False, True, False): "一般保持", (False, False, False): "一般挽留",
}
CN8_SLUG = {"重要价值": "important_value", "重要发展": "important_develop", "重要保持": "important_retain",
            "重要挽留": "important_winback", "一般价值": "general_value", "一般发展": "general_develop",
            "一般保持": "general_retain", "一般挽留": "general_winback"}
MIN_CLUSTER_CUSTOMERS = 50
SMALL_GROUP = 30


def slug(name: str) -> str:
    return CN8_SLUG.get(name) or name.lower().replace(" ", "_")


def group_label(name: str, lang: str = "en") -> str:
    """Display name of a named or cn8 group in the language (cn8 groups keep their Chinese name in zh,
    with an English gloss in en)."""
    return t(f"segmentation.group.{slug(name)}", lang)


# ---------------------------------------------------------------- preparation


@dataclass
class Prepared:
    """Order lines with a customer id, customer ids as integer codes (fast groupbys)."""
    lines: pd.DataFrame  # customer (int code), order (int code), order_date, amount, net, is_return
    ids: pd.Index        # code -> customer_id
    lines_total: int
    lines_no_id: int


def prepare(orders: pd.DataFrame) -> Prepared:
    o = orders.loc[orders["order_date"].notna()]
    has_id = o["customer_id"].notna()
    o = o.loc[has_id]
    codes, uniques = pd.factorize(o["customer_id"].astype("str"), sort=True)
    order_codes = pd.factorize(o["order_id"].astype("str"))[0]
    is_ret = o["is_return"].fillna(False).to_numpy(dtype=bool) if len(o) else np.zeros(0, bool)
    amount = o["amount"].to_numpy(dtype=float, na_value=0.0)
    lines = pd.DataFrame({
        "customer_id": codes.astype(np.int64),
        "order": order_codes.astype(np.int64),
        "order_date": o["order_date"].to_numpy(),
        "amount": amount,
        "net": np.where(is_ret, -np.abs(amount), amount),
        "is_return": is_ret,
    })
    return Prepared(lines, pd.Index(uniques, dtype="str"), int(len(orders)), int((~has_id).sum()))


def default_analysis_date(orders: pd.DataFrame) -> pd.Timestamp:
    last = orders["order_date"].max()
    if pd.isna(last):
        raise NotEnoughData("segmentation.error.no_orders")
    return pd.Timestamp(last).normalize() + pd.Timedelta(days=1)


def _as_ts(d) -> pd.Timestamp:
    return pd.Timestamp(d).normalize()


# ---------------------------------------------------------------- RFM


def quantile_score(x: pd.Series | np.ndarray, higher_is_better: bool = True, bins: int = 5) -> np.ndarray:
    """1..bins score by percentile rank; ties share the average rank and therefore the score."""
    s = pd.Series(np.asarray(x, dtype=float))
    if not higher_is_better:
        s = -s
    n = len(s)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    pct = s.rank(method="average").to_numpy() / n
    return np.clip(np.ceil(pct * bins - 1e-9), 1, bins).astype(np.int64)


def named_groups(r: np.ndarray, fm: np.ndarray) -> np.ndarray:
    grid = np.empty((6, 6), dtype=object)
    for rs, names in _SEGMENT_GRID.items():
        for j, name in enumerate(names, start=1):
            grid[rs, j] = name
    return grid[np.asarray(r, int), np.asarray(fm, int)]


def cn8_groups(recency: np.ndarray, frequency: np.ndarray, monetary: np.ndarray) -> np.ndarray:
    rh = recency < recency.mean()
    fh = frequency > frequency.mean()
    mh = monetary > monetary.mean()
    labels = np.array([_CN8_BY_RFM[(bool(a), bool(b), bool(c))] for a in (False, True) for b in (False, True)
                       for c in (False, True)], dtype=object)
    return labels[rh.astype(int) * 4 + fh.astype(int) * 2 + mh.astype(int)]


def _rfm(prep: Prepared, ad: pd.Timestamp) -> pd.DataFrame:
    """RFM frame indexed by customer code (customers with a non-return line before ad)."""
    L = prep.lines
    L = L.loc[L["order_date"].to_numpy() < np.datetime64(ad)]
    nr = L.loc[~L["is_return"].to_numpy()]
    cols = ["customer_id", "recency_days", "frequency", "monetary", "gross", "returns", "first_purchase",
            "last_purchase", "tenure_days", "aov", "r", "f", "m", "fm", "group", "group_cn"]
    if nr.empty:
        return pd.DataFrame(columns=cols)
    g = nr.groupby("customer_id", sort=True)
    last = g["order_date"].max()
    first = g["order_date"].min()
    gross = g["amount"].sum()
    pairs = nr["customer_id"].to_numpy() * (int(nr["order"].max()) + 1) + nr["order"].to_numpy()
    upairs = pd.unique(pairs)
    freq = pd.Series(upairs // (int(nr["order"].max()) + 1)).value_counts().reindex(last.index).to_numpy()
    ret = L.loc[L["is_return"].to_numpy()]
    returns = pd.Series(np.abs(ret["amount"].to_numpy()), index=ret["customer_id"].to_numpy()).groupby(level=0).sum()
    returns = returns.reindex(last.index, fill_value=0.0).to_numpy()
    out = pd.DataFrame({
        "code": last.index.to_numpy(),
        "recency_days": ((ad - last).dt.days).to_numpy(dtype=np.int64),
        "frequency": freq.astype(np.int64),
        "gross": gross.to_numpy(),
        "returns": returns,
        "first_purchase": first.to_numpy(),
        "last_purchase": last.to_numpy(),
    })
    out["monetary"] = out["gross"] - out["returns"]
    out["tenure_days"] = (ad - out["first_purchase"]).dt.days.astype(np.int64)
    out["aov"] = out["monetary"] / out["frequency"]
    out["r"] = quantile_score(out["recency_days"], higher_is_better=False)
    out["f"] = quantile_score(out["frequency"])
    out["m"] = quantile_score(out["monetary"])
    out["fm"] = np.floor((out["f"] + out["m"]) / 2 + 0.5).astype(np.int64)
    out["group"] = named_groups(out["r"].to_numpy(), out["fm"].to_numpy())
    out["group_cn"] = cn8_groups(out["recency_days"].to_numpy(float), out["frequency"].to_numpy(float),
                                 out["monetary"].to_numpy(float))
    out["group"] = out["group"].astype("str")
    out["group_cn"] = out["group_cn"].astype("str")
    out.insert(0, "customer_id", prep.ids[out["code"].to_numpy()].to_numpy())
    return out.set_index("code")


def rfm_table(orders: pd.DataFrame, analysis_date=None) -> pd.DataFrame:
    """Per-customer RFM frame: customer_id, recency_days, frequency, monetary, r, f, m, group, group_cn
    (plus gross, returns, first/last purchase, tenure_days, aov, fm)."""
    ad = _as_ts(analysis_date) if analysis_date is not None else default_analysis_date(orders)
    tab = _rfm(prepare(orders), ad)
    first = ["customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "group", "group_cn"]
    return tab[first + [c for c in tab.columns if c not in first]].reset_index(drop=True)


def group_summary(tab: pd.DataFrame, column: str = "group", lang: str = "en") -> list[dict]:
    """Size, share, net-sales share and average R/F/M per group, largest value share first."""
    n = len(tab)
    total = float(tab["monetary"].sum())
    g = tab.groupby(column, sort=False)
    df = pd.DataFrame({
        "customers": g.size(),
        "net_sales": g["monetary"].sum(),
        "avg_recency": g["recency_days"].mean(),
        "avg_frequency": g["frequency"].mean(),
        "avg_monetary": g["monetary"].mean(),
    })
    df["share"] = df["customers"] / n if n else np.nan
    df["net_sales_share"] = df["net_sales"] / total if total else np.nan
    order = NAMED_GROUPS if column == "group" else CN8_GROUPS
    df = df.reindex([x for x in order if x in df.index])
    rows = []
    for name, r in df.iterrows():
        rows.append({"group": name, "label": group_label(name, lang), "customers": int(r["customers"]),
                     "share": r["share"], "net_sales": r["net_sales"], "net_sales_share": r["net_sales_share"],
                     "avg_recency": r["avg_recency"], "avg_frequency": r["avg_frequency"],
                     "avg_monetary": r["avg_monetary"], "small": bool(r["customers"] < SMALL_GROUP)})
    return rows


def transitions(prep: Prepared, ad: pd.Timestamp, compare_days: int, column: str = "group",
                lang: str = "en", now: pd.DataFrame | None = None) -> dict:
    """Groups at ad - compare_days vs groups at ad (customers not yet acquired then: from = "_new")."""
    before = ad - pd.Timedelta(days=int(compare_days))
    now = _rfm(prep, ad) if now is None else now
    prev = _rfm(prep, before)
    frm = prev[column].reindex(now.index).fillna("_new")
    ct = pd.crosstab(frm, now[column])
    order = list(NAMED_GROUPS if column == "group" else CN8_GROUPS)
    rows_order = [x for x in order + ["_new"] if x in ct.index]
    cols_order = [x for x in order if x in ct.columns]
    ct = ct.reindex(index=rows_order, columns=cols_order, fill_value=0)
    cells = [{"from": a, "to": b, "customers": int(ct.loc[a, b])} for a in ct.index for b in ct.columns
             if ct.loc[a, b] > 0]
    known = frm != "_new"
    stayed = float((frm[known] == now.loc[known, column]).mean()) if known.any() else None
    return {"from_date": before.date(), "to_date": ad.date(), "compare_days": int(compare_days),
            "rows": rows_order, "columns": cols_order, "matrix": ct.to_numpy().tolist(), "cells": cells,
            "stayed_share": stayed, "new_customers": int((~known).sum()),
            "labels": {x: (t("segmentation.label.new_since", lang) if x == "_new" else group_label(x, lang))
                       for x in rows_order + cols_order}}


# ---------------------------------------------------------------- clustering


def _signed_log1p(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def feature_matrix(tab: pd.DataFrame, features=DEFAULT_FEATURES) -> np.ndarray:
    cols = {"recency": ("recency_days", np.log1p), "frequency": ("frequency", np.log1p),
            "monetary": ("monetary", _signed_log1p), "aov": ("aov", _signed_log1p),
            "tenure": ("tenure_days", np.log1p)}
    mats = []
    for f in features:
        if f not in cols:
            raise ValueError(f"unknown feature {f!r}; choose from {', '.join(cols)}")
        col, fn = cols[f]
        mats.append(fn(tab[col].to_numpy(dtype=float)))
    return np.column_stack(mats)


def silhouette(X: np.ndarray, labelings: list[np.ndarray], chunk: int = 1000) -> list[float]:
    """Mean silhouette of several labelings of the same points, one pass over the distance matrix
    (Euclidean), chunked. Same definition as sklearn.metrics.silhouette_score."""
    n = len(X)
    onehots, ks = [], []
    for lab in labelings:
        k = int(lab.max()) + 1
        oh = np.zeros((n, k))
        oh[np.arange(n), lab] = 1.0
        onehots.append(oh)
        ks.append(k)
    OH = np.hstack(onehots).astype(np.float32)
    S = np.empty((n, OH.shape[1]))
    X = np.asarray(X, dtype=np.float64)
    sq = (X ** 2).sum(1)
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        d2 = sq[s:e, None] + sq[None, :] - 2 * X[s:e] @ X.T
        np.maximum(d2, 0.0, out=d2)
        S[s:e] = np.sqrt(d2, out=d2).astype(np.float32) @ OH
    out = []
    off = 0
    for lab, k in zip(labelings, ks):
        Sk = S[:, off:off + k]
        off += k
        counts = np.bincount(lab, minlength=k).astype(float)
        own = Sk[np.arange(n), lab]
        own_n = counts[lab] - 1
        a = np.where(own_n > 0, own / np.maximum(own_n, 1), 0.0)
        means = Sk / np.where(counts > 0, counts, np.inf)[None, :]
        means[np.arange(n), lab] = np.inf
        b = means.min(1)
        denom = np.maximum(a, b)
        sil = np.where((own_n > 0) & (denom > 0), (b - a) / np.where(denom > 0, denom, 1), 0.0)
        out.append(float(sil.mean()))
    return out


def cluster(tab: pd.DataFrame, features=DEFAULT_FEATURES, k: int | None = None, seed: int = 42,
            sample_size: int = 5000, k_range: tuple[int, int] = (2, 8), resamples: int = 10,
            min_customers: int = MIN_CLUSTER_CUSTOMERS, pca_points: int = 2000) -> dict:
    """k-means on standardised log features. Returns labels (Series on tab.index, clusters numbered
    1..k by falling mean monetary), k, silhouette (on the sample), silhouette_by_k, stability (adjusted
    Rand index of bootstrap refits vs the model, on the sample), profiles and a 2-D PCA projection.
    Raises NotEnoughData with fewer than ``min_customers`` customers or a feature without variance."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import adjusted_rand_score
    from threadpoolctl import threadpool_limits

    # one thread: OpenMP worker start-up dominates on small samples and thrashes on a busy server
    with threadpool_limits(limits=1):
        return _cluster(tab, features, k, seed, sample_size, k_range, resamples, min_customers, pca_points,
                        KMeans, PCA, adjusted_rand_score)


def _cluster(tab, features, k, seed, sample_size, k_range, resamples, min_customers, pca_points,
             KMeans, PCA, adjusted_rand_score) -> dict:

    features = list(features or DEFAULT_FEATURES)
    n = len(tab)
    if n < min_customers:
        raise NotEnoughData("segmentation.error.too_few_to_cluster", n=n, min=min_customers)
    X = feature_matrix(tab, features)
    sd = X.std(axis=0)
    for f, s in zip(features, sd):
        if not np.isfinite(s) or s < 1e-12:
            raise NotEnoughData("segmentation.error.no_variance", feature=f)
    Z = (X - X.mean(axis=0)) / sd
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, size=min(n, sample_size), replace=False))
    Zs = Z[idx]
    n_distinct = len(np.unique(Zs, axis=0))
    kmax = min(k_range[1], n_distinct - 1, len(Zs) - 1)
    ks = list(range(k_range[0], kmax + 1))
    if k is not None:
        k = int(k)
        if k > n_distinct - 1:
            raise NotEnoughData("segmentation.error.k_too_large", k=k, n=n_distinct)
        if k not in ks:
            ks.append(k)
    if not ks:
        raise NotEnoughData("segmentation.error.too_few_to_cluster", n=n, min=min_customers)
    models = {kk: KMeans(n_clusters=kk, n_init=4, random_state=seed).fit(Zs) for kk in ks}
    sils = silhouette(Zs, [models[kk].labels_ for kk in ks])
    by_k = dict(zip(ks, sils))
    auto_k = max((kk for kk in ks if k_range[0] <= kk <= k_range[1]), key=lambda kk: by_k[kk], default=ks[0])
    chosen = k if k is not None else auto_k
    model = models[chosen]
    raw = model.predict(Z)
    # number clusters 1..k by falling mean monetary (stable, meaningful order)
    mon = tab["monetary"].to_numpy(float)
    means = np.array([mon[raw == c].mean() if (raw == c).any() else -np.inf for c in range(chosen)])
    order = np.argsort(-means, kind="stable")
    relabel = np.empty(chosen, dtype=np.int64)
    relabel[order] = np.arange(1, chosen + 1)
    labels = relabel[raw]
    # stability: refit on bootstrap resamples of the sample, compare labelings of the sample
    ref = model.labels_
    aris = []
    for b in range(resamples):
        boot = rng.choice(len(Zs), size=len(Zs), replace=True)
        m_b = KMeans(n_clusters=chosen, n_init=2, random_state=seed + 1 + b).fit(Zs[boot])
        aris.append(adjusted_rand_score(ref, m_b.predict(Zs)))
    # profiles: index vs whole base
    prof_cols = {"recency": "recency_days", "frequency": "frequency", "monetary": "monetary", "aov": "aov",
                 "tenure": "tenure_days"}
    base_means = {f: float(tab[c].mean()) for f, c in prof_cols.items()}
    total = float(mon.sum())
    profiles = []
    for c in range(1, chosen + 1):
        sel = labels == c
        sub = tab.loc[sel]
        p = {"cluster": c, "customers": int(sel.sum()), "share": float(sel.mean()),
             "net_sales_share": float(mon[sel].sum() / total) if total else None}
        for f, col in prof_cols.items():
            mval = float(sub[col].mean())
            p[f"avg_{f}"] = mval
            p[f"index_{f}"] = mval / base_means[f] * 100 if base_means[f] else None
        profiles.append(p)
    pca = PCA(n_components=2, random_state=seed).fit(Z) if Z.shape[1] >= 2 else None
    pidx = np.sort(rng.choice(n, size=min(n, pca_points), replace=False))
    if pca is not None:
        xy = pca.transform(Z[pidx])
        explained = pca.explained_variance_ratio_.tolist()
    else:
        xy = np.column_stack([Z[pidx, 0], np.zeros(len(pidx))])
        explained = [1.0, 0.0]
    points = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "cluster": labels[pidx],
                           "customer_id": tab["customer_id"].to_numpy()[pidx]})
    return {
        "labels": pd.Series(labels, index=tab.index, name="cluster"),
        "k": int(chosen), "k_auto": int(auto_k), "k_fixed": k is not None, "features": features,
        "silhouette": float(by_k[chosen]),
        "silhouette_by_k": [{"k": kk, "silhouette": by_k[kk]} for kk in sorted(by_k)],
        "stability": {"ari_mean": float(np.mean(aris)) if aris else None,
                      "ari_min": float(np.min(aris)) if aris else None, "resamples": resamples},
        "sample_size": int(len(Zs)), "seed": int(seed),
        "profiles": profiles,
        "pca": {"explained": explained, "points": points},
    }


# ---------------------------------------------------------------- member tiers


TIER_SLUGS = ("basic", "silver", "gold", "platinum")


def tier_name(i: int, n_tiers: int, lang: str = "en") -> str:
    if n_tiers == 4:
        return t(f"segmentation.tier.{TIER_SLUGS[i]}", lang)
    return t("segmentation.tier.n", lang, n=i + 1)


def spend_last_year(prep: Prepared, ad: pd.Timestamp, index: pd.Index) -> pd.Series:
    """Net sales in the 365 days before the analysis date, per customer code in ``index``."""
    L = prep.lines
    d = L["order_date"].to_numpy()
    sel = (d < np.datetime64(ad)) & (d >= np.datetime64(ad - pd.Timedelta(days=365)))
    s = L.loc[sel].groupby("customer_id")["net"].sum()
    return s.reindex(index, fill_value=0.0)


def _nice(x: float) -> float:
    if x <= 0 or not np.isfinite(x):
        return 0.0
    mag = 10 ** (math.floor(math.log10(x)) - 1)
    return float(round(x / mag) * mag)


def default_thresholds(values: pd.Series | np.ndarray) -> list[float]:
    """Thresholds of 4 tiers: the 50th, 80th and 95th percentiles of the positive values, rounded to two
    significant digits (strictly increasing)."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v) & (v > 0)]
    if len(v) == 0:
        raise NotEnoughData("segmentation.error.no_tier_basis")
    qs = [_nice(q) for q in np.quantile(v, [0.5, 0.8, 0.95])]
    out: list[float] = []
    for q in qs:
        q = max(q, out[-1] * 1.1 if out else 0.0, 1.0)
        out.append(_nice(q) if _nice(q) > (out[-1] if out else 0) else q)
    return out


def assign_tiers(values, thresholds) -> np.ndarray:
    """Tier index 0..len(thresholds): the number of thresholds the value reaches (value >= threshold)."""
    th = np.sort(np.asarray(thresholds, float))
    return np.searchsorted(th, np.asarray(values, float), side="right").astype(np.int64)


def tiers_whatif(values, current, proposed=None, costs=None, lang: str = "en") -> dict:
    """Tier counts under current and proposed thresholds, customers moving up / down and the benefit
    cost (cost per customer per tier, for each tier)."""
    values = np.asarray(values, float)
    current = sorted(float(x) for x in current)
    n_tiers = len(current) + 1
    costs = [float(c) for c in (costs if costs is not None else
                                (DEFAULT_TIER_COSTS if n_tiers == 4 else [0.0] * n_tiers))]
    if len(costs) != n_tiers:
        raise ValueError(f"{n_tiers} tier costs needed, got {len(costs)}")
    cur = assign_tiers(values, current)
    out = {"thresholds": current, "costs": costs, "customers": int(len(values))}

    def table(tiers: np.ndarray) -> list[dict]:
        counts = np.bincount(tiers, minlength=n_tiers)
        spend = np.bincount(tiers, weights=values, minlength=n_tiers)
        return [{"tier": i, "name": tier_name(i, n_tiers, lang), "customers": int(counts[i]),
                 "share": float(counts[i] / len(values)) if len(values) else None, "basis_total": float(spend[i]),
                 "benefit_cost": float(counts[i] * costs[i])} for i in range(n_tiers)]

    out["current"] = table(cur)
    out["cost_current"] = float(sum(r["benefit_cost"] for r in out["current"]))
    if proposed is not None:
        proposed = sorted(float(x) for x in proposed)
        if len(proposed) != len(current):
            raise ValueError("proposed thresholds must have as many values as the current ones")
        new = assign_tiers(values, proposed)
        out["proposed_thresholds"] = proposed
        out["proposed"] = table(new)
        out["moved_up"] = int((new > cur).sum())
        out["moved_down"] = int((new < cur).sum())
        out["cost_proposed"] = float(sum(r["benefit_cost"] for r in out["proposed"]))
        out["cost_delta"] = out["cost_proposed"] - out["cost_current"]
        ct = np.zeros((n_tiers, n_tiers), dtype=np.int64)
        np.add.at(ct, (cur, new), 1)
        out["matrix"] = ct.tolist()
    return out


def _floats(x) -> list[float] | None:
    if x is None:
        return None
    if isinstance(x, str):
        x = [s for s in x.split(",") if s.strip()]
    return [float(v) for v in x]


# ---------------------------------------------------------------- cohorts


def cohorts(prep: Prepared, ad: pd.Timestamp, max_months: int | None = None) -> dict:
    """Monthly acquisition cohorts (month of the first non-return line) x months since that month:
    retention = share of the cohort with a non-return line in the month; revenue = the cohort's net sales
    in the month. Cells after the last month of data are None."""
    L = prep.lines
    L = L.loc[L["order_date"].to_numpy() < np.datetime64(ad)]
    month = L["order_date"].dt.year.to_numpy() * 12 + L["order_date"].dt.month.to_numpy() - 1
    nr = ~L["is_return"].to_numpy()
    cust = L["customer_id"].to_numpy()
    if not nr.any():
        raise NotEnoughData("segmentation.error.no_orders")
    first = pd.Series(month[nr]).groupby(cust[nr]).min()
    first_of = pd.Series(first.to_numpy(), index=first.index)
    cm = first_of.reindex(cust).to_numpy()
    known = ~np.isnan(cm)
    last_month = int(month.max())
    c0 = int(first.min())
    n_coh = last_month - c0 + 1
    n_m = n_coh if max_months is None else min(n_coh, max_months + 1)
    size = np.bincount((first.to_numpy() - c0).astype(int), minlength=n_coh)
    # activity: unique (customer, month) pairs with a non-return line
    act = pd.DataFrame({"c": cust[nr], "m": month[nr]}).drop_duplicates()
    act_coh = first_of.reindex(act["c"].to_numpy()).to_numpy().astype(int)
    age = act["m"].to_numpy() - act_coh
    keep = age < n_m
    active = np.zeros((n_coh, n_m))
    np.add.at(active, (act_coh[keep] - c0, age[keep]), 1)
    rev = np.zeros((n_coh, n_m))
    ci = cm[known].astype(int)
    ag = month[known] - ci
    kk = ag < n_m
    np.add.at(rev, (ci[kk] - c0, ag[kk]), L["net"].to_numpy()[known][kk])
    with np.errstate(invalid="ignore", divide="ignore"):
        ret = active / size[:, None]
    rows_i, cols_j = np.indices((n_coh, n_m))
    observed = (rows_i + cols_j) <= (last_month - c0)
    ret = np.where(observed & (size[:, None] > 0), ret, np.nan)
    rev = np.where(observed & (size[:, None] > 0), rev, np.nan)
    labels = [f"{(c0 + i) // 12:04d}-{(c0 + i) % 12 + 1:02d}" for i in range(n_coh)]
    keep_rows = size > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        rpc = rev / size[:, None]
    return {"cohorts": [lab for lab, k in zip(labels, keep_rows) if k],
            "sizes": size[keep_rows].tolist(), "months": list(range(n_m)),
            "retention": ret[keep_rows].tolist(), "revenue": rev[keep_rows].tolist(),
            "revenue_per_customer": rpc[keep_rows].tolist(),
            "last_month_partial": bool(pd.Timestamp(ad - pd.Timedelta(days=1)).is_month_end is False)}


def cohort_table(orders: pd.DataFrame, analysis_date=None) -> dict:
    ad = _as_ts(analysis_date) if analysis_date is not None else default_analysis_date(orders)
    return cohorts(prepare(orders), ad)


# ---------------------------------------------------------------- CLV


def clv(orders: pd.DataFrame, calibration_end=None, *, time_unit: str = "week", horizon_months: int = 12,
        discount: float = 0.01) -> dict:
    """BG/NBD + Gamma-Gamma on the orders up to ``calibration_end`` (default: the day after the last
    order). Returns {"table": per-customer frame, "bgnbd": fit, "gamma_gamma": fit}."""
    cal = _as_ts(calibration_end) if calibration_end is not None else default_analysis_date(orders)
    tab, bg, gg = clvmod.clv_table(orders, cal, time_unit=time_unit, horizon_months=horizon_months,
                                   discount=discount)
    return {"table": tab, "bgnbd": bg, "gamma_gamma": gg, "calibration_end": cal}


def _clv_on_prepared(prep: Prepared, ad: pd.Timestamp, cal: pd.Timestamp, time_unit: str, horizon: int,
                     discount: float):
    L = prep.lines.loc[prep.lines["order_date"].to_numpy() < np.datetime64(ad)]
    frame = pd.DataFrame({"customer_id": L["customer_id"].to_numpy(), "order_date": L["order_date"].to_numpy(),
                          "amount": L["amount"].to_numpy(), "is_return": L["is_return"].to_numpy()})
    tab, bg, gg = clvmod.clv_table(frame, cal, time_unit=time_unit, horizon_months=horizon, discount=discount)
    return tab.set_index("customer_id"), bg, gg


# ---------------------------------------------------------------- audience


def _rfm_base(orders: pd.DataFrame, params: dict):
    """Prepared lines, analysis date (given, else the day after the last order) and the RFM table."""
    prep = prepare(orders)
    if prep.lines.empty:
        raise NotEnoughData("segmentation.error.no_customers")
    ad = _as_ts(params["analysis_date"]) if params.get("analysis_date") else \
        pd.Timestamp(prep.lines["order_date"].max()).normalize() + pd.Timedelta(days=1)
    tab = _rfm(prep, ad)
    if tab.empty:
        raise NotEnoughData("segmentation.error.no_customers")
    return prep, ad, tab


def customer_frame(frames: dict, params: dict | None = None, *, with_clusters: bool = False,
                   with_tiers: bool = False, with_clv: bool = False) -> tuple[pd.DataFrame, dict]:
    """The per-customer frame behind drill-downs and personas: the RFM table plus, on request, cluster,
    tier (and tier_basis_value) and p_alive / churn_risk / clv. Returns (frame, info)."""
    params = dict(params or {})
    orders = filter_dates(frames["orders"], "order_date", params.get("start"), params.get("end"))
    prep, ad, tab = _rfm_base(orders, params)
    info: dict = {"analysis_date": ad, "prepared": prep}
    if with_clusters:
        res = cluster(tab, params.get("features") or DEFAULT_FEATURES, params.get("k"),
                      int(params.get("seed", 42) if params.get("seed") is not None else 42))
        tab["cluster"] = res.pop("labels")
        info["clusters"] = res
    if with_tiers:
        values, basis, warn = _tier_values(prep, ad, tab, frames.get("customers"), params.get("tier_basis", "spend"))
        tab["tier_basis_value"] = values.to_numpy()
        th = _floats(params.get("tier_thresholds")) or default_thresholds(values)
        tab["tier"] = assign_tiers(values, th)
        info["tiers"] = {"basis": basis, "thresholds": th, "warning": warn}
    if with_clv:
        cal = _as_ts(params.get("clv_calibration_end") or ad)
        ctab, bg, gg = _clv_on_prepared(prep, ad, min(cal, ad), params.get("time_unit") or "week",
                                        int(params.get("clv_horizon") or 12), float(params.get("discount") or 0.0))
        for c in ("p_alive", "churn_risk", "expected_purchases", "clv"):
            tab[c] = ctab[c].reindex(tab.index)
        info["clv"] = (bg, gg)
    return tab, info


AUDIENCE_COLUMNS = {
    "rfm": ["recency_days", "frequency", "monetary", "r", "f", "m", "group"],
    "cn8": ["recency_days", "frequency", "monetary", "group_cn"],
    "cluster": ["recency_days", "frequency", "monetary", "aov", "tenure_days", "cluster"],
    "tier": ["tier_basis_value", "tier"],
    "churn": ["p_alive", "churn_risk", "clv"],
}


def parse_spec(spec) -> tuple[str, str]:
    """'rfm:At risk' / ('tier', '3') / {'source': ..., 'value': ...} -> (source, value)."""
    if isinstance(spec, dict):
        return str(spec["source"]), str(spec["value"])
    if isinstance(spec, (tuple, list)):
        return str(spec[0]), str(spec[1])
    src, _, val = str(spec).partition(":")
    return src.strip(), val.strip()


def segment_mask(tab: pd.DataFrame, source: str, value) -> np.ndarray:
    col = {"rfm": "group", "cn8": "group_cn", "cluster": "cluster", "tier": "tier", "churn": "churn_risk"}.get(source)
    if col is None:
        raise ValueError(f"unknown segment source {source!r}: rfm, cn8, cluster, tier or churn")
    if col not in tab.columns:
        raise ValueError(f"the frame has no {col!r} column; build it with the matching option")
    s = tab[col]
    if col in ("cluster", "tier"):
        return (s.to_numpy(dtype=float) == float(value))
    return (s.astype("str") == str(value)).to_numpy()


def customers_in(tab: pd.DataFrame, spec) -> pd.DataFrame:
    """Audience for export: customer ids of a group / cluster / tier / churn band with the attributes
    that defined it. ``tab`` comes from customer_frame (or rfm_table for rfm / cn8 specs)."""
    source, value = parse_spec(spec)
    mask = segment_mask(tab, source, value)
    cols = ["customer_id"] + [c for c in AUDIENCE_COLUMNS[source] if c in tab.columns]
    sort_by = {"tier": "tier_basis_value", "churn": "clv"}.get(source, "monetary")
    out = tab.loc[mask, cols]
    if sort_by in out.columns:
        out = out.sort_values(sort_by, ascending=False, kind="stable")
    return out.reset_index(drop=True)


DRILL_SOURCES = ("rfm", "cn8", "cluster", "tier", "churn")


def _page_params(params: dict | None) -> dict:
    p = {pp.key: pp.default for pp in PARAMS}
    p.update({k: v for k, v in (params or {}).items() if v is not None})
    return p


def customer_table(frames: dict, params: dict, lang: str = "en") -> pd.DataFrame:
    """Page helper (``cached.page_call``): one row per customer with everything a drill-down can select
    on: RFM, named and cn8 group, cluster, tier (with its basis value) and P(alive) / churn band / CLV,
    computed with the same parameters (and therefore the same numbers) as :func:`compute`. A part that
    cannot be computed honestly (too few customers to cluster, no CLV fit) is left out, not faked."""
    p = _page_params(params)
    if "orders" not in frames or frames["orders"] is None or frames["orders"].empty:
        raise NotEnoughData("segmentation.error.no_orders")
    tab, info = customer_frame(frames, p)
    prep, ad = info["prepared"], info["analysis_date"]
    try:
        res = cluster(tab, p.get("features") or DEFAULT_FEATURES, p.get("k"), int(p.get("seed") or 0))
        tab["cluster"] = res.pop("labels")
    except NotEnoughData:
        pass
    try:
        values, _, _ = _tier_values(prep, ad, tab, frames.get("customers"), p["tier_basis"])
        th = _floats(p.get("tier_thresholds")) or default_thresholds(values)
        tab["tier_basis_value"] = values.to_numpy()
        tab["tier"] = assign_tiers(values, th)
    except (NotEnoughData, ValueError):
        pass
    cal = _as_ts(p["clv_calibration_end"]) if p.get("clv_calibration_end") else ad
    try:
        ctab, _, _ = _clv_on_prepared(prep, ad, min(cal, ad), p["time_unit"], int(p["clv_horizon"]),
                                      float(p["discount"]))
        for c in ("p_alive", "churn_risk", "expected_purchases", "clv"):
            tab[c] = ctab[c].reindex(tab.index)
    except NotEnoughData:
        pass
    return tab.reset_index(drop=True)


def audience(frames: dict, params: dict, lang: str = "en") -> pd.DataFrame:
    """Page helper: the audience file of ``params["audience"]`` (e.g. "rfm:At risk", "churn:high")."""
    return customers_in(customer_table(frames, params, lang), params["audience"])


def audience_options(result: dict, lang: str = "en") -> list[dict]:
    """Every group, cluster, tier and churn band of a page result that a drill-down can open:
    [{"spec": "rfm:At risk", "source": "rfm", "label": ..., "customers": n}, ...]."""
    out: list[dict] = []
    model_src = "rfm" if result.get("model", "named") == "named" else "cn8"
    other_src = "cn8" if model_src == "rfm" else "rfm"
    for src, rows in ((model_src, result.get("rfm_groups")), (other_src, result.get("rfm_groups_other"))):
        for g in rows or []:
            out.append({"spec": f"{src}:{g['group']}", "source": src, "label": group_label(g["group"], lang),
                        "customers": g["customers"]})
    for pr in (result.get("clusters") or {}).get("profiles") or []:
        out.append({"spec": f"cluster:{pr['cluster']}", "source": "cluster",
                    "label": t("segmentation.label.cluster", lang, n=pr["cluster"]), "customers": pr["customers"]})
    cur = (result.get("tiers") or {}).get("current") or []
    for r in reversed(cur):
        out.append({"spec": f"tier:{r['tier']}", "source": "tier", "label": tier_name(r["tier"], len(cur), lang),
                    "customers": r["customers"]})
    for b in (result.get("clv") or {}).get("churn_bands") or []:
        out.append({"spec": f"churn:{b['band']}", "source": "churn", "label": t(f"segmentation.churn.{b['band']}", lang),
                    "customers": b["customers"]})
    return out


# ---------------------------------------------------------------- page compute


def _tier_values(prep: Prepared, ad: pd.Timestamp, tab: pd.DataFrame, customers: pd.DataFrame | None,
                 basis: str) -> tuple[pd.Series, str, str | None]:
    if basis == "points":
        if customers is not None and "points" in customers.columns and customers["points"].notna().any():
            pts = customers.dropna(subset=["customer_id"]).drop_duplicates("customer_id", keep="last")
            pts = pts.set_index(pts["customer_id"].astype("str"))["points"]
            vals = pts.reindex(tab["customer_id"].to_numpy()).fillna(0.0)
            return pd.Series(vals.to_numpy(float), index=tab.index), "points", None
        return spend_last_year(prep, ad, tab.index), "spend", "segmentation.warning.no_points"
    return spend_last_year(prep, ad, tab.index), "spend", None


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    p = {pp.key: pp.default for pp in PARAMS}
    p.update({k: v for k, v in (params or {}).items() if v is not None})
    if "orders" not in frames or frames["orders"] is None or frames["orders"].empty:
        raise NotEnoughData("segmentation.error.no_orders")
    orders = filter_dates(frames["orders"], "order_date", p.get("start"), p.get("end"))
    all_ids = orders["customer_id"].dropna().nunique()
    prep, ad, tab = _rfm_base(orders, p)
    warnings: list[str] = []
    findings: list[str] = []
    n = len(tab)
    if prep.lines_no_id:
        warnings.append(t("segmentation.warning.no_customer_id", lang, n=fmt_number(prep.lines_no_id, lang),
                          share=fmt_pct(prep.lines_no_id / max(prep.lines_total, 1), lang)))
    after = int((prep.lines["order_date"].to_numpy() >= np.datetime64(ad)).sum())
    if after:
        warnings.append(t("segmentation.warning.after_analysis", lang, n=fmt_number(after, lang),
                          date=ad.date().isoformat()))
    only_returns = all_ids - n
    if only_returns > 0:
        warnings.append(t("segmentation.warning.returns_only", lang, n=fmt_number(only_returns, lang)))

    model_col = "group" if p["model"] == "named" else "group_cn"
    groups = group_summary(tab, model_col, lang)
    other = group_summary(tab, "group_cn" if model_col == "group" else "group", lang)
    small = [g["label"] for g in groups if g["small"]]
    if small:
        warnings.append(t("segmentation.warning.small_groups", lang, groups=", ".join(small), n=SMALL_GROUP))
    means = {"recency": float(tab["recency_days"].mean()), "frequency": float(tab["frequency"].mean()),
             "monetary": float(tab["monetary"].mean())}
    findings += _group_findings(groups, model_col, lang)

    trans = transitions(prep, ad, int(p["compare_days"]), model_col, lang, now=tab)
    tf = _transition_finding(trans, model_col, lang)
    if tf:
        findings.append(tf)

    # clusters
    try:
        cres = cluster(tab, p.get("features") or DEFAULT_FEATURES, p.get("k"), int(p.get("seed") or 0))
        tab["cluster"] = cres.pop("labels")
        top = cres["profiles"][0]
        findings.append(t("segmentation.finding.clusters", lang, k=cres["k"], sil=f"{cres['silhouette']:.2f}",
                          ari=f"{cres['stability']['ari_mean']:.2f}", share=fmt_pct(top["share"], lang),
                          value=fmt_pct(top["net_sales_share"], lang)))
        if cres["stability"]["ari_mean"] is not None and cres["stability"]["ari_mean"] < 0.7:
            warnings.append(t("segmentation.warning.unstable", lang, ari=f"{cres['stability']['ari_mean']:.2f}"))
    except NotEnoughData as exc:
        cres = {"error": t(exc.key, lang, **exc.kwargs), "error_key": exc.key}
        warnings.append(cres["error"])

    # tiers
    tiers: dict
    try:
        values, basis, warn = _tier_values(prep, ad, tab, frames.get("customers"), p["tier_basis"])
        if warn:
            warnings.append(t(warn, lang))
        th = _floats(p.get("tier_thresholds")) or default_thresholds(values)
        prop = _floats(p.get("tier_whatif"))
        costs = _floats(p.get("tier_costs"))
        tiers = tiers_whatif(values.to_numpy(), th, prop, costs, lang)
        tiers["basis"] = basis
        tab["tier"] = assign_tiers(values, th)
        tab["tier_basis_value"] = values.to_numpy()
        if prop is not None:
            findings.append(t("segmentation.finding.tiers_whatif", lang, up=fmt_number(tiers["moved_up"], lang),
                              down=fmt_number(tiers["moved_down"], lang),
                              delta=("+" if tiers["cost_delta"] >= 0 else "") + fmt_money(tiers["cost_delta"], lang)))
    except (NotEnoughData, ValueError) as exc:
        key = getattr(exc, "key", None)
        msg = t(key, lang, **exc.kwargs) if key else str(exc)
        tiers = {"error": msg}
        warnings.append(msg)

    # cohorts
    coh = cohorts(prep, ad)
    m1 = [r[1] for r in coh["retention"] if len(r) > 1 and r[1] is not None and not math.isnan(r[1])]
    if m1:
        findings.append(t("segmentation.finding.cohort_m1", lang, pct=fmt_pct(float(np.mean(m1)), lang)))

    # CLV
    cal = _as_ts(p["clv_calibration_end"]) if p.get("clv_calibration_end") else ad
    if cal > ad:
        cal = ad
    clv_out: dict
    try:
        ctab, bg, gg = _clv_on_prepared(prep, ad, cal, p["time_unit"], int(p["clv_horizon"]), float(p["discount"]))
        for c in ("p_alive", "churn_risk", "expected_purchases", "expected_spend", "clv"):
            tab[c] = ctab[c].reindex(tab.index)
        clv_out = _clv_summary(tab, ctab, bg, gg, p, cal, lang, warnings, findings)
    except NotEnoughData as exc:
        clv_out = {"error": t(exc.key, lang, **exc.kwargs)}
        warnings.append(clv_out["error"])

    bands = {b["band"]: b for b in (clv_out.get("churn_bands") or [])}
    kpis = {
        "customers": n,
        "net_sales": float(tab["monetary"].sum()),
        "avg_monetary": float(tab["monetary"].mean()),
        "repeat_share": float((tab["frequency"] > 1).mean()),
        "clv_total": clv_out.get("total"),
        "high_churn_share": bands["high"]["share"] if "high" in bands else None,
    }
    result = {
        "kpis": kpis,
        "customers": n,
        "customer_ids": int(all_ids),
        "analysis_date": ad.date(),
        "model": p["model"],
        "lines_without_customer": prep.lines_no_id,
        "rfm_means": means,
        "rfm_groups": groups,
        "rfm_groups_other": other,
        "transitions": trans,
        "clusters": cres,
        "tiers": tiers,
        "cohorts": coh,
        "clv": clv_out,
        "findings": findings,
        "warnings": warnings,
    }
    if p.get("detail") == "customers":
        cols = ["customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "group", "group_cn",
                "cluster", "tier", "p_alive", "churn_risk", "clv"]
        result["rows"] = tab[[c for c in cols if c in tab.columns]].reset_index(drop=True)
    if p.get("audience"):
        try:
            result["audience"] = customers_in(tab, p["audience"])
        except ValueError as exc:
            warnings.append(str(exc))
    return jsonable(result)


def _group_findings(groups: list[dict], col: str, lang: str) -> list[str]:
    by = {g["group"]: g for g in groups}
    out = []
    if col == "group":
        risk = [by[x] for x in ("At risk", "Cannot lose them") if x in by]
        champ = by.get("Champions")
        new = [by[x] for x in ("New", "Promising") if x in by]
    else:
        risk = [by[x] for x in ("重要保持", "重要挽留") if x in by]
        champ = by.get("重要价值")
        new = [by[x] for x in ("重要发展", "一般发展") if x in by]
    if risk:
        n = sum(g["customers"] for g in risk)
        share = sum(g["net_sales_share"] or 0 for g in risk)
        out.append(t("segmentation.finding.at_risk", lang, groups=" + ".join(g["label"] for g in risk),
                     share=fmt_pct(share, lang), n=fmt_number(n, lang)))
    if champ:
        out.append(t("segmentation.finding.champions", lang, group=champ["label"],
                     cust=fmt_pct(champ["share"], lang), value=fmt_pct(champ["net_sales_share"], lang)))
    if new:
        out.append(t("segmentation.finding.new", lang, groups=" + ".join(g["label"] for g in new),
                     n=fmt_number(sum(g["customers"] for g in new), lang)))
    return out


def _transition_finding(trans: dict, col: str, lang: str) -> str | None:
    good = {"Champions", "Loyal"} if col == "group" else {"重要价值", "重要保持"}
    bad = {"At risk", "Cannot lose them", "Hibernating", "Lost", "About to sleep"} if col == "group" else \
        {"重要挽留", "一般挽留", "一般保持"}
    n = sum(c["customers"] for c in trans["cells"] if c["from"] in good and c["to"] in bad)
    if n == 0:
        return None
    return t("segmentation.finding.slipped", lang, n=fmt_number(n, lang), date=trans["from_date"].isoformat())


def _clv_summary(tab, ctab, bg, gg, p, cal, lang, warnings, findings) -> dict:
    total = float(np.nansum(tab["clv"]))
    bands = []
    net_total = float(tab["monetary"].sum())
    for band in ("high", "medium", "low"):
        sel = (tab["churn_risk"] == band).to_numpy()
        bands.append({"band": band, "label": t(f"segmentation.churn.{band}", lang), "customers": int(sel.sum()),
                      "share": float(sel.mean()), "clv": float(np.nansum(tab.loc[sel, "clv"])),
                      "net_sales_share": float(tab.loc[sel, "monetary"].sum() / net_total) if net_total else None})
    vals = tab["clv"].dropna().to_numpy()
    top10 = float(np.sort(vals)[::-1][: max(1, len(vals) // 10)].sum() / vals.sum()) if vals.sum() > 0 else None
    rep = ctab.loc[ctab["frequency"] > 0]
    corr = float(np.corrcoef(rep["frequency"], rep["monetary_value"])[0, 1]) if len(rep) > 2 else None
    if corr is not None and abs(corr) > 0.3:
        warnings.append(t("segmentation.warning.gg_corr", lang, corr=f"{corr:.2f}"))
    if (tab["clv"].isna()).any():
        warnings.append(t("segmentation.warning.clv_after_cal", lang, n=int(tab["clv"].isna().sum())))
    hist_counts, edges = np.histogram(vals, bins=30) if len(vals) else (np.array([]), np.array([]))
    high = bands[0]
    if high["customers"]:
        findings.append(t("segmentation.finding.churn_high", lang, n=fmt_number(high["customers"], lang),
                          share=fmt_pct(high["net_sales_share"] or 0, lang)))
    findings.append(t("segmentation.finding.clv_total", lang, h=int(p["clv_horizon"]), total=fmt_money(total, lang),
                      top=fmt_pct(top10 or 0, lang)))
    return {
        "params": {**bg.params(), **gg.params()},
        "log_likelihood": {"bgnbd": bg.log_likelihood, "gamma_gamma": gg.log_likelihood},
        "horizon": int(p["clv_horizon"]), "discount": float(p["discount"]), "time_unit": p["time_unit"],
        "calibration_end": cal.date(), "total": total, "mean": float(np.nanmean(tab["clv"])) if len(vals) else None,
        "customers_fitted": bg.customers, "repeat_customers": gg.customers,
        "top10_share": top10, "frequency_spend_corr": corr,
        "churn_bands": bands,
        "histogram": {"counts": hist_counts.tolist(), "edges": edges.tolist()},
    }


# ---------------------------------------------------------------- figures


def figures(result: dict, lang: str = "en") -> list[dict]:
    import plotly.graph_objects as go

    figs: list[dict] = []
    groups = [dict(g, label=group_label(g["group"], lang)) for g in (result.get("rfm_groups") or [])]
    if groups:
        top = max(groups, key=lambda g: g["net_sales_share"] or 0)
        title = t("segmentation.chart.groups", lang, group=top["label"], value=fmt_pct(top["net_sales_share"], lang),
                  cust=fmt_pct(top["share"], lang))
        fig = go.Figure(go.Treemap(
            labels=[g["label"] for g in groups], parents=[""] * len(groups),
            values=[g["customers"] for g in groups],
            marker=dict(colors=[g["net_sales_share"] or 0 for g in groups], colorscale="Blues", showscale=True,
                        colorbar=dict(title=t("segmentation.label.net_sales_share", lang))),
            customdata=[[fmt_pct(g["share"], lang), fmt_pct(g["net_sales_share"], lang)] for g in groups],
            texttemplate="%{label}<br>%{customdata[0]} / %{customdata[1]}"))
        fig.update_layout(title=title, margin=dict(t=60, l=10, r=10, b=10))
        figs.append({"key": "groups", "title": title, "figure": fig})
        bar = go.Figure([
            go.Bar(name=t("segmentation.label.customer_share", lang), x=[g["label"] for g in groups],
                   y=[g["share"] for g in groups]),
            go.Bar(name=t("segmentation.label.net_sales_share", lang), x=[g["label"] for g in groups],
                   y=[g["net_sales_share"] for g in groups])])
        gap = max(groups, key=lambda g: (g["net_sales_share"] or 0) - (g["share"] or 0))
        btitle = t("segmentation.chart.groups_bar", lang, group=gap["label"],
                   ratio=f"{(gap['net_sales_share'] or 0) / gap['share']:.1f}" if gap["share"] else "—")
        bar.update_layout(title=btitle, barmode="group", yaxis_tickformat=".0%")
        figs.append({"key": "groups_bar", "title": btitle, "figure": bar})
    tr = result.get("transitions")
    if tr and tr.get("matrix"):
        labels = {x: (t("segmentation.label.new_since", lang) if x == "_new" else group_label(x, lang))
                  for x in tr["rows"] + tr["columns"]}
        stayed = tr.get("stayed_share")
        title = t("segmentation.chart.transitions", lang, pct=fmt_pct(stayed or 0, lang), days=tr["compare_days"])
        fig = go.Figure(go.Heatmap(z=tr["matrix"], x=[labels[c] for c in tr["columns"]],
                                   y=[labels[r] for r in tr["rows"]], colorscale="Blues", texttemplate="%{z}"))
        fig.update_layout(title=title, xaxis_title=tr["to_date"] if isinstance(tr["to_date"], str) else str(tr["to_date"]),
                          yaxis_title=str(tr["from_date"]))
        figs.append({"key": "transitions", "title": title, "figure": fig})
    cl = result.get("clusters") or {}
    if cl.get("profiles"):
        pts = cl["pca"]["points"]
        top = cl["profiles"][0]
        title = t("segmentation.chart.clusters", lang, k=cl["k"], share=fmt_pct(top["share"], lang),
                  value=fmt_pct(top["net_sales_share"], lang))
        fig = go.Figure()
        for c in range(1, cl["k"] + 1):
            sub = [q for q in pts if q["cluster"] == c]
            fig.add_trace(go.Scattergl(x=[q["x"] for q in sub], y=[q["y"] for q in sub], mode="markers",
                                       name=t("segmentation.label.cluster", lang, n=c), marker=dict(size=5, opacity=0.6)))
        ev = cl["pca"]["explained"]
        fig.update_layout(title=title, xaxis_title=f"PC1 ({fmt_pct(ev[0], lang)})",
                          yaxis_title=f"PC2 ({fmt_pct(ev[1], lang)})")
        figs.append({"key": "clusters", "title": title, "figure": fig})
    tiers = result.get("tiers") or {}
    if tiers.get("current"):
        names = [tier_name(r["tier"], len(tiers["current"]), lang) for r in tiers["current"]]
        fig = go.Figure([go.Bar(name=t("segmentation.label.current", lang), x=names,
                                y=[r["customers"] for r in tiers["current"]])])
        if tiers.get("proposed"):
            fig.add_trace(go.Bar(name=t("segmentation.label.proposed", lang), x=names,
                                 y=[r["customers"] for r in tiers["proposed"]]))
            title = t("segmentation.chart.tiers_whatif", lang, up=tiers["moved_up"], down=tiers["moved_down"],
                      delta=fmt_money(tiers["cost_delta"], lang))
        else:
            topt = tiers["current"][-1]
            title = t("segmentation.chart.tiers", lang, name=names[-1], share=fmt_pct(topt["share"], lang))
        fig.update_layout(title=title, barmode="group")
        figs.append({"key": "tiers", "title": title, "figure": fig})
    coh = result.get("cohorts") or {}
    if coh.get("retention"):
        m1 = [r[1] for r in coh["retention"] if len(r) > 1 and r[1] is not None]
        title = t("segmentation.chart.cohorts", lang, pct=fmt_pct(float(np.mean(m1)) if m1 else 0, lang))
        fig = go.Figure(go.Heatmap(z=coh["retention"], x=coh["months"], y=coh["cohorts"], colorscale="Blues",
                                   zmin=0, zmax=max(0.01, max((v for r in coh["retention"] for v in r[1:] if v is not None),
                                                              default=1)),
                                   hovertemplate="%{y} +%{x}: %{z:.1%}<extra></extra>"))
        fig.update_layout(title=title, xaxis_title=t("segmentation.label.months_since", lang),
                          yaxis_title=t("segmentation.label.cohort", lang), yaxis_autorange="reversed")
        figs.append({"key": "cohorts", "title": title, "figure": fig})
        figr = go.Figure(go.Heatmap(z=coh["revenue"], x=coh["months"], y=coh["cohorts"], colorscale="Greens"))
        best = int(np.nanargmax([sum(v for v in r if v is not None) for r in coh["revenue"]]))
        rtitle = t("segmentation.chart.cohort_revenue", lang, cohort=coh["cohorts"][best])
        figr.update_layout(title=rtitle, xaxis_title=t("segmentation.label.months_since", lang),
                           yaxis_title=t("segmentation.label.cohort", lang), yaxis_autorange="reversed")
        figs.append({"key": "cohort_revenue", "title": rtitle, "figure": figr})
    cv = result.get("clv") or {}
    if cv.get("histogram") and cv["histogram"]["counts"]:
        e = cv["histogram"]["edges"]
        mids = [(a + b) / 2 for a, b in zip(e[:-1], e[1:])]
        title = t("segmentation.chart.clv", lang, top=fmt_pct(cv.get("top10_share") or 0, lang), h=cv["horizon"])
        fig = go.Figure(go.Bar(x=mids, y=cv["histogram"]["counts"]))
        fig.update_layout(title=title, xaxis_title=t("segmentation.label.clv", lang),
                          yaxis_title=t("segmentation.label.customers", lang), yaxis_type="log")
        figs.append({"key": "clv", "title": title, "figure": fig})
    return figs
