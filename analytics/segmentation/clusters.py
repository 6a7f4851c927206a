"""k-means clusters of the customers on standardised log RFM features (per-customer aggregates only):
the number of clusters by silhouette, stability by bootstrap refits, profiles and a 2-D PCA projection."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from analytics.common import NotEnoughData

from .base import DEFAULT_FEATURES, MIN_CLUSTER_CUSTOMERS


def _signed_log1p(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def feature_matrix(tab: pd.DataFrame, features=DEFAULT_FEATURES) -> np.ndarray:
    """The clustering features of each customer: log1p of recency, frequency and tenure, signed log1p of monetary
    and AOV.

    Parameters
    ----------
    tab : pd.DataFrame
        RFM table (``recency_days``, ``frequency``, ``monetary``, ``aov``, ``tenure_days``).
    features
        Names among recency, frequency, monetary, aov, tenure (ValueError otherwise).

    Returns
    -------
    np.ndarray
        One column per feature, one row per customer.
    """
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
    (Euclidean), chunked. Same definition as sklearn.metrics.silhouette_score.

    Parameters
    ----------
    X : np.ndarray
        Points, one row each.
    labelings : list[np.ndarray]
        Cluster labels 0..k-1 per point, one array per labeling.
    chunk : int
        Rows of the distance matrix per pass.

    Returns
    -------
    list[float]
        The mean silhouette of each labeling.
    """
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
    # cdist: one pass per block of distances (the expanded |a|^2 + |b|^2 - 2ab took four, and ~1e-7 of
    # rounding noise where two points coincide)
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        S[s:e] = cdist(X[s:e], X).astype(np.float32) @ OH
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
    Raises NotEnoughData with fewer than ``min_customers`` customers or a feature without variance.

    Parameters
    ----------
    tab : pd.DataFrame
        RFM table (see :func:`feature_matrix`).
    features
        Feature names.
    k : int | None
        Number of clusters (None: the best silhouette in ``k_range``).
    seed : int
        Random seed.
    sample_size : int
        Customers sampled for the silhouette and stability.
    k_range : tuple[int, int]
        Smallest and largest k tried.
    resamples : int
        Bootstrap refits for the stability.
    min_customers : int
        Fewest customers to cluster.
    pca_points : int
        Most points of the PCA projection.

    Returns
    -------
    dict
        ``labels``, ``k``, ``silhouette``, ``silhouette_by_k``, ``stability``, ``profiles``, the PCA
        projection and the fit details.
    """
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
    num = tab[list(prof_cols.values())]  # the profile columns only: a cluster's rows are not a copy of every column
    for c in range(1, chosen + 1):
        sel = labels == c
        sub = num.loc[sel]
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
