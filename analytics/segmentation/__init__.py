"""Segmentation explorer: RFM scores and groups, k-means clusters, member tiers, cohorts and CLV.

Order lines stay in the engine (issue 13): :func:`fit` runs Ibis aggregations on embedded DuckDB
(per customer, per purchase-day summary, per cohort x month; :mod:`.customers`) and the models on those
aggregates, and returns a language-free :class:`SegmentationFit`; :func:`present` turns it into the page
dict in a language; :func:`compute` is both. Modules: customers (engine queries), rfm, clusters, tiers,
cohorts, clv_summary, audience (drill-down customer lists), stages (audience assets: AIPL / O-5A stage
counts of an audience dataset, the result's ``audience`` block), model (fit), presentation (present),
charts (figures).

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

import pandas as pd

from data import engine

from . import customers as _customers
from .audience import AUDIENCE_COLUMNS, audience_file, DRILL_SOURCES, audience_options, customers_in, labelled, parse_spec, segment_mask
from .base import (_CN8_BY_RFM, _SEGMENT_GRID, CN8_GROUPS, CN8_SLUG, DEFAULT_FEATURES, DEFAULT_TIER_COSTS,
                   DISPLAY_PARAMS, FEATURES, FIT_PARAMS, MIN_CLUSTER_CUSTOMERS, NAMED_GROUPS, PARAMS, SMALL_GROUP,
                   _as_ts, _floats, group_label, slug)
from .base import page_params as _page_params
from . import crm
from .charts import figures as _order_figures
from .display import TABLES
from .clusters import _signed_log1p, cluster, feature_matrix, silhouette
from .clv_summary import clv, clv_numbers, fit_clv
from .cohorts import cohort_matrix, cohort_table, cohorts
from .customers import Prepared, as_tables, prepare
from .model import (BASE_PARAMS, CustomerBase, Problem, SegmentationBase, SegmentationFit, _rfm_base, base_params,
                    customer_base, customer_frame, customer_table_of, fit, fit_base)
from .presentation import _group_findings, _transition_finding, present
from .rfm import (cn8_groups, group_summary, group_table, named_groups, quantile_score, rfm_frame, rfm_table,
                  transitions)
from .tiers import (TIER_SLUGS, _nice, assign_tiers, default_thresholds, label_tiers, tier_counts, tier_name,
                    tier_values, tiers_whatif)

PAGE = "segmentation-explorer"
KINDS = {"orders": True, "customers": False, "audience": False, "channels": False}
# audience (AIPL / O-5A stage counts) adds the Audience assets tab; channels give it the same weeks' spend
# orders are needed unless a customers dataset stands in (customers-only mode, analytics.segmentation.crm)
KINDS_INSTEAD = {"orders": ("customers",)}
# page helpers whose result has no text: analytics.cached.page_call keeps one result for every language
LANGUAGE_FREE_CALLS = ('customer_table',)


__all__ = [
    # page interface
    "PAGE", "KINDS", "KINDS_INSTEAD", "TABLES", "customers_only", "html_sections", "crm", "PARAMS", "FIT_PARAMS",
    "DISPLAY_PARAMS", "BASE_PARAMS", "fit_base", "base_params", "fit", "present", "compute", "figures",
    "customer_table", "audience",
    "audience_options", "audience_file", "labelled", "SegmentationBase", "SegmentationFit", "Problem",
    # constants
    "FEATURES", "DEFAULT_FEATURES", "DEFAULT_TIER_COSTS", "NAMED_GROUPS", "CN8_GROUPS", "CN8_SLUG",
    "MIN_CLUSTER_CUSTOMERS", "SMALL_GROUP", "TIER_SLUGS", "AUDIENCE_COLUMNS", "DRILL_SOURCES",
    # building blocks used by the persona builder, recommendations and tests
    "Prepared", "prepare", "as_tables", "CustomerBase", "customer_base", "customer_frame", "customer_table_of",
    "rfm_table", "rfm_frame", "quantile_score", "named_groups", "cn8_groups", "group_label", "slug",
    "group_summary", "group_table", "transitions", "cluster", "feature_matrix", "silhouette", "tier_name",
    "default_thresholds", "assign_tiers", "tier_values", "tier_counts", "label_tiers", "tiers_whatif",
    "cohorts", "cohort_matrix", "cohort_table", "clv", "fit_clv", "clv_numbers", "customers_in",
    "segment_mask", "parse_spec", "default_analysis_date",
    # private names other modules reach for
    "_nice", "_rfm_base", "_as_ts", "_floats", "_page_params", "_signed_log1p", "_group_findings",
    "_transition_finding", "_CN8_BY_RFM", "_SEGMENT_GRID",
]


def figures(result: dict, lang: str = "en") -> list[dict]:
    """The page's figures: those of the customers-only mode (:func:`.crm.figures`) or of order lines.

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``.
    """
    if result.get("mode") == crm.MODE:
        return crm.figures(result, lang)
    return _order_figures(result, lang)


def html_sections(result: dict, lang: str = "en") -> str:
    """The HTML report's Audience assets section (action line, findings, the note that next to is not caused
    by), when the result has one; the tables and charts come with the page's others. Every text is escaped.

    Parameters
    ----------
    result : dict
        The page's presented result (its ``audience`` block, if any).
    lang : str
        Language code.

    Returns
    -------
    str
        The section's HTML, or "" without an audience block.
    """
    import html

    block = result.get("audience")
    if not block:
        return ""
    from analytics.i18n import t

    items = [block.get("action"), *(block.get("findings") or []), block.get("note")]
    return (f"<h2>{html.escape(t('segmentation.tab.audience', lang))}</h2><ul>"
            + "".join(f"<li>{html.escape(str(x))}</li>" for x in items if x) + "</ul>")


def customers_only(kinds) -> bool:
    """Whether a page on these dataset kinds runs in customers-only mode (customers, no orders).

    Parameters
    ----------
    kinds
        Dataset kinds.

    Returns
    -------
    bool
        True for customers without orders.
    """
    return "customers" in set(kinds) and "orders" not in set(kinds)


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """The page dict (see :func:`present`) of canonical frames: ``present(fit(tables), params, lang)``.

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
    frames = {kind: df for kind, df in (frames or {}).items() if df is not None}
    return present(fit(engine.tables_from_frames(frames), params), params, lang)


def default_analysis_date(orders) -> pd.Timestamp:
    """The calendar day after the last order line of an orders table or canonical frame.

    Parameters
    ----------
    orders
        Orders engine table or canonical frame.

    Returns
    -------
    pd.Timestamp
        The analysis date.
    """
    with _customers.frame_tables({"orders": orders}) as (tables, _):
        return _customers.analysis_date_of(tables["orders"])


# ---------------------------------------------------------------- page helpers (cached.page_call)


def customer_table(tables: dict, params: dict, lang: str = "en", *, fitted: SegmentationFit | None = None
                   ) -> pd.DataFrame:
    """Page helper (``cached.page_call``): one row per customer with everything a drill-down can select
    on: RFM, named and cn8 group, cluster, tier (with its basis value) and P(alive) / churn band / CLV,
    the fit's customers (``fitted``: the page's cached fit, so opening a drill-down reads no line; else
    fitted here with the same parameters, and therefore the same numbers). A part that cannot be computed
    honestly (too few customers to cluster, no CLV fit, spend tiers or a CLV without amounts) is left out,
    not faked. ``tables``: kind -> engine table (canonical frames are registered with the engine).

    Parameters
    ----------
    tables : dict
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters.
    lang : str
        Unused (the table holds no text); kept for ``cached.page_call``.
    fitted : SegmentationFit | None
        The page's fit for these tables and parameters, or None.

    Returns
    -------
    pd.DataFrame
        One row per customer with ``customer_id`` and the RFM, group, cluster, tier and CLV columns that could
        be computed.
    """
    return customer_table_of(tables, params, fitted)


def audience(tables: dict, params: dict, lang: str = "en") -> pd.DataFrame:
    """Page helper: the audience file of ``params["audience"]`` (e.g. "rfm:At risk", "churn:high").

    Parameters
    ----------
    tables : dict
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters, with ``audience``.
    lang : str
        Unused (the file holds no text).

    Returns
    -------
    pd.DataFrame
        See :func:`.audience.customers_in`.
    """
    return customers_in(customer_table(tables, params, lang), params["audience"])
