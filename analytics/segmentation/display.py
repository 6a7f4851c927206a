"""The segmentation explorer's result tables as the page, its CSV export and the HTML report show them
(analytics/tables.py): :data:`TABLES` names a path in the result and its columns; the row builders
turn the blocks of :func:`.presentation.present` into those rows (tier what-if side by side, the cohort
matrix as one row per cohort, the CLV model's parameters)."""

from __future__ import annotations

from typing import Any

from analytics.tables import Col

_SHARE = Col("share", "percent", label="segmentation.label.customer_share")
_SALES_SHARE = Col("net_sales_share", "percent", label="segmentation.label.net_sales_share")
FEATURE_COLS = tuple(Col(f"{pre}_{f}", "number", digits=1)
                     for f in ("recency", "frequency", "monetary", "aov", "tenure") for pre in ("avg", "index"))

TABLES: dict[str, tuple] = {
    "rfm_groups": (Col("label", "text", label="segmentation.col.group"), ("customers", "count"), _SHARE,
                   ("net_sales", "money"), _SALES_SHARE, Col("avg_recency", "number", digits=1),
                   Col("avg_frequency", "number", digits=1), ("avg_monetary", "money")),
    "clusters.profiles": (Col("label", "text", label="segmentation.col.cluster"), ("customers", "count"), _SHARE,
                          _SALES_SHARE, *FEATURE_COLS),
    "clusters.silhouette_by_k": (Col("k", "count", label="segmentation.kpi.k"),
                                 Col("silhouette", "number", digits=3, label="segmentation.kpi.silhouette")),
    "tiers.rows": (Col("name", "text", label="segmentation.col.tier"), ("customers", "count"), _SHARE,
                   ("benefit_cost", "money"), ("customers_proposed", "count"), ("benefit_cost_proposed", "money")),
    "tiers.moves": (Col("name", "text", label="segmentation.col.tier"), Col("*", "count")),
    "cohorts.rows": (Col("cohort", "text", label="segmentation.label.cohort"), ("customers", "count"),
                     Col("M*", "percent")),
    "clv.churn_bands": (Col("label", "text", label="segmentation.col.band"), ("customers", "count"), _SHARE,
                        _SALES_SHARE, ("clv", "money")),
    "clv.param_rows": (Col("parameter", "text"), Col("value", "number", digits=4)),
    # audience assets (analytics.segmentation.stages)
    "audience.stages": (Col("model", "text"), Col("stage", "text"), Col("week", "date"),
                        Col("people", "count", help="segmentation.metric.audience_people"),
                        Col("wow", "count", help="segmentation.metric.audience_wow"),
                        Col("wow_pct", "percent", help="segmentation.metric.audience_wow"), Col("period_pct", "percent")),
    "audience.links": (Col("model", "text"), Col("link", "text"),
                       Col("rate", "percent", help="segmentation.metric.audience_flow_rate"), Col("lo", "percent"),
                       Col("hi", "percent"), Col("last_week", "date", label="segmentation.col.week"),
                       Col("last_rate", "percent", help="segmentation.metric.audience_flow_rate"),
                       Col("flow", "count"), Col("base", "count"), Col("weeks", "count")),
    "audience.correlations": (Col("model", "text"), Col("stage", "text"),
                              Col("r_spend", "number", digits=2, help="segmentation.metric.audience_next_to"),
                              Col("n_spend", "count"),
                              Col("r_gmv", "number", digits=2, help="segmentation.metric.audience_next_to"),
                              Col("n_gmv", "count")),
    "audience.next_to": (Col("model", "text"), Col("week", "date"), Col("spend", "money"), Col("gmv", "money"),
                         Col("*", "count")),
    "audience.weekly": (Col("model", "text"), Col("week", "date"), Col("stage", "text"), Col("people", "count"),
                        Col("wow", "count"), Col("wow_pct", "percent")),
}


def cluster_rows(clusters: dict, label: Any) -> list[dict]:
    """The cluster profiles with each cluster's name (``label(n)``: "Cluster 2").

    Parameters
    ----------
    clusters : dict
        The clusters block of the result (``profiles``: one dict per cluster with ``cluster``).
    label : Any
        Callable mapping a cluster number to its name.

    Returns
    -------
    list[dict]
        The profiles, each with ``label`` added.
    """
    return [dict(p, label=label(p["cluster"])) for p in clusters.get("profiles") or []]


def tier_rows(tiers: dict) -> list[dict]:
    """One row per tier: customers, share and benefit cost now, and under the what-if thresholds.

    Parameters
    ----------
    tiers : dict
        The tiers block: ``current`` (name, customers, share, benefit_cost per tier) and optionally
        ``proposed``.

    Returns
    -------
    list[dict]
        Rows with ``name``, ``customers``, ``share``, ``benefit_cost`` and, with a what-if,
        ``customers_proposed`` and ``benefit_cost_proposed``.
    """
    rows = []
    for i, cur in enumerate(tiers.get("current") or []):
        row = {"name": cur["name"], "customers": cur["customers"], "share": cur["share"],
               "benefit_cost": cur["benefit_cost"]}
        if tiers.get("proposed"):
            pr = tiers["proposed"][i]
            row.update(customers_proposed=pr["customers"], benefit_cost_proposed=pr["benefit_cost"])
        rows.append(row)
    return rows


def tier_moves(tiers: dict, to_label: Any) -> list[dict]:
    """The what-if's movement matrix: from each current tier (row) to each proposed tier (a column headed
    ``to_label(name)``: "→ Gold").

    Parameters
    ----------
    tiers : dict
        The tiers block: ``current`` (the tier names) and ``matrix`` (customers moving from row tier to column
        tier).
    to_label : Any
        Callable giving a proposed tier's column header from its name.

    Returns
    -------
    list[dict]
        Rows with ``name`` and one column per proposed tier.
    """
    names = [r["name"] for r in tiers.get("current") or []]
    return [{"name": a, **{to_label(b): n for b, n in zip(names, row)}} for a, row in zip(names, tiers.get("matrix") or [])]


def cohort_rows(coh: dict) -> list[dict]:
    """One row per acquisition cohort: its customers and the share still buying in month M0, M1, ...

    Parameters
    ----------
    coh : dict
        The cohorts block: ``cohorts``, ``sizes``, ``months`` and ``retention`` (cohort x month shares).

    Returns
    -------
    list[dict]
        Rows with ``cohort``, ``customers`` and ``M0``, ``M1``, ... (retention share).
    """
    return [{"cohort": c, "customers": n, **{f"M{m}": v for m, v in zip(coh.get("months") or [], row)}}
            for c, n, row in zip(coh.get("cohorts") or [], coh.get("sizes") or [], coh.get("retention") or [])]


def param_rows(params: dict) -> list[dict]:
    """The parameters as a two-column table.

    Parameters
    ----------
    params : dict
        Parameter name -> value (None: no rows).

    Returns
    -------
    list[dict]
        Rows with ``parameter`` and ``value``.
    """
    return [{"parameter": k, "value": v} for k, v in (params or {}).items()]
