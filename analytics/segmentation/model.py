"""``fit``: every number of the segmentation explorer, language-free, from engine tables.

The engine aggregates the order lines per customer, per purchase day summary and per cohort x month
(:mod:`.customers`); the models (RFM scores and groups, k-means, tiers, BG/NBD + Gamma-Gamma) run in
Python on those aggregates. :func:`fit` returns a :class:`SegmentationFit`; :mod:`.presentation` turns
it into the page dict in a language.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import ibis
import pandas as pd

from analytics.common import NotEnoughData
from analytics.i18n import t
from analytics.units import NOTE_KEY, measure

from . import customers as cu
from .base import DEFAULT_FEATURES, _as_ts, _floats, page_params
from .clusters import cluster
from .clv_summary import CLV_COLUMNS, clv_numbers, fit_clv, scores_from_days
from .cohorts import cohorts
from .rfm import group_means, group_table, groups_at, rfm_frame, transitions
from .tiers import assign_tiers, default_thresholds, tier_counts, tier_values

DETAIL_COLUMNS = ["customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "group", "group_cn",
                  "cluster", "tier", "p_alive", "churn_risk", "clv"]


@dataclass(frozen=True)
class Problem:
    """A part of the page that could not be computed honestly: an i18n key with its arguments
    (NotEnoughData), or the message of a ValueError (e.g. a malformed tier list)."""
    key: str | None
    kwargs: dict = field(default_factory=dict)
    message: str | None = None

    @classmethod
    def of(cls, exc: Exception) -> "Problem":
        """The problem of an exception: its i18n key and arguments, or its message when it has no key.

        Parameters
        ----------
        exc : Exception
            The exception.

        Returns
        -------
        'Problem'
            The problem.
        """
        key = getattr(exc, "key", None)
        return cls(key, dict(getattr(exc, "kwargs", None) or {}), None if key else str(exc))

    def text(self, lang: str = "en") -> str:
        """The problem in ``lang``.

        Parameters
        ----------
        lang : str
            Interface language of the texts, ``'en'`` or ``'zh'``.

        Returns
        -------
        str
            The sentence.
        """
        return t(self.key, lang, **self.kwargs) if self.key else str(self.message)


@dataclass(frozen=True)
class SegmentationFit:
    """The numbers of the segmentation explorer for one selection of data and parameters (no texts).

    Attributes
    ----------
    params : dict
        The parameters used: PARAMS defaults overridden by the given values (plus "start" / "end").
    analysis_date : pandas.Timestamp
        Midnight before which order lines are used (param, else the day after the last line with a
        customer id).
    calibration_end : pandas.Timestamp
        End of the CLV calibration period (param, capped at the analysis date).
    model_column : str
        "group" (named model) or "group_cn" (cn8 model): the groups the page leads with.
    customers : pandas.DataFrame
        One row per customer with a non-return line before the analysis date, indexed by customer code
        (position of the id in the sorted ids of the selection): customer_id, recency_days, frequency,
        gross, returns, first_purchase, last_purchase, monetary, tenure_days, aov, r, f, m, fm, group,
        group_cn; cluster (1..k) when clustering succeeded; tier and tier_basis_value when tiers
        succeeded; p_alive, churn_risk, expected_purchases, expected_spend and clv when the CLV models
        were fitted (NaN for customers first buying after the calibration end).
    customer_ids : int
        Distinct customer ids in the selection (any line, also returns-only and after the analysis date).
    lines_total : int
        Order lines in the date range.
    lines_without_customer : int
        Lines in the date range with a date and no customer id (left out).
    lines_after : int
        Lines with a customer id dated on or after the analysis date (left out).
    rfm_means : dict
        Mean recency (days), frequency and monetary of the customers.
    groups : pandas.DataFrame
        Per group of ``model_column`` in display order (index: group name): customers, net_sales,
        avg_recency, avg_frequency, avg_monetary, share, net_sales_share, small.
    groups_other : pandas.DataFrame
        The same for the other group model.
    transitions : dict
        Groups (of ``model_column``) ``compare_days`` before the analysis date vs at it: from_date,
        to_date, compare_days, rows, columns, matrix (customer counts), cells, stayed_share,
        new_customers.
    clusters : dict or None
        k-means result without the labels (k, k_auto, k_fixed, features, silhouette, silhouette_by_k,
        stability, sample_size, seed, profiles, pca with explained variance and a points frame); None
        when ``clusters_problem`` says why not.
    clusters_problem : Problem or None
        Why there are no clusters (too few customers, a feature without variance, k too large).
    tiers : dict or None
        :func:`.tiers.tier_counts` of the tier basis (thresholds, costs, customers, current,
        cost_current and, with proposed thresholds, proposed_thresholds, proposed, moved_up,
        moved_down, cost_proposed, cost_delta, matrix); None when ``tiers_problem`` says why not.
    tier_basis : str or None
        "spend" (net sales of the 365 days before the analysis date) or "points".
    tiers_warning : str or None
        i18n key of a warning about the basis (points asked for, none in the customers data).
    tiers_problem : Problem or None
        Why there are no tiers (no positive basis value, malformed thresholds or costs).
    cohorts : dict
        Monthly acquisition cohorts: cohorts (labels), sizes, months, retention, revenue,
        revenue_per_customer (cohort x months since acquisition; None/NaN when not observed yet),
        last_month_partial.
    clv : dict or None
        :func:`.clv_summary.clv_numbers`: BG/NBD and Gamma-Gamma parameters and log-likelihoods,
        horizon, discount, time_unit, calibration_end, total, mean, customers_fitted, repeat_customers,
        top10_share, frequency_spend_corr, churn_bands (band, customers, share, clv, net_sales_share),
        histogram (counts, edges), missing (customers without a CLV); None when ``clv_problem`` says why.
    clv_problem : Problem or None
        Why there is no CLV (too few customers or repeat buyers to fit the models).
    kpis : dict
        customers, net_sales, avg_monetary, repeat_share, clv_total, high_churn_share.
    audience : .stages.AudienceFit or None
        Audience assets (AIPL / O-5A stage counts, flows, the same weeks' spend and GMV) when an audience
        dataset is selected.
    """

    params: dict
    analysis_date: pd.Timestamp
    calibration_end: pd.Timestamp
    model_column: str
    customers: pd.DataFrame
    customer_ids: int
    lines_total: int
    lines_without_customer: int
    lines_after: int
    rfm_means: dict
    groups: pd.DataFrame
    groups_other: pd.DataFrame
    transitions: dict
    clusters: dict | None
    clusters_problem: Problem | None
    tiers: dict | None
    tier_basis: str | None
    tiers_warning: str | None
    tiers_problem: Problem | None
    cohorts: dict
    clv: dict | None
    clv_problem: Problem | None
    kpis: dict
    audience: object = None


# ---------------------------------------------------------------- the customer base


@dataclass
class CustomerBase:
    """What every segmentation view starts from: the prepared lines, the analysis date, the per-customer
    aggregates (all customer ids of the selection) and the RFM table (customers with a purchase)."""
    prepared: cu.Prepared
    counts: cu.LineCounts
    analysis_date: pd.Timestamp
    aggregates: pd.DataFrame
    table: pd.DataFrame


def customer_base(orders: ibis.Table, params: dict, counts: cu.LineCounts | None = None,
                  compare_days: int | None = None) -> CustomerBase:
    """Lines of the date range with a customer id, the analysis date (param, else the day after the
    last of those lines) and the RFM table at it (with the groups ``compare_days`` earlier in the
    aggregates when given). Raises NotEnoughData("segmentation.error.no_customers") without customers.

    Parameters
    ----------
    orders : ibis.Table
        Order lines.
    params : dict
        The page's parameters (``start``, ``end``, ``analysis_date``).
    counts : cu.LineCounts | None
        Line counts of the range, or None (counted here).
    compare_days : int | None
        Days back for the transition groups, or None.

    Returns
    -------
    CustomerBase
        The prepared lines, counts, analysis date, per-customer aggregates and the RFM table.
    """
    start, end = params.get("start"), params.get("end")
    counts = counts or cu.line_counts(orders, start, end)
    if not counts.lines_prepared:
        raise NotEnoughData("segmentation.error.no_customers")
    ad = _as_ts(params["analysis_date"]) if params.get("analysis_date") else \
        counts.last_prepared.normalize() + pd.Timedelta(days=1)
    lines = cu.prepared_lines(cu.order_lines(orders, start, end))
    before = ad - pd.Timedelta(days=int(compare_days)) if compare_days is not None else None
    agg = cu.customer_aggregates(lines, ad, before)
    prep = cu.Prepared(lines, pd.Index(agg["customer_id"].to_numpy(), dtype="str"), counts.lines_total,
                       counts.lines_no_id)
    tab = rfm_frame(agg, ad)
    if tab.empty:
        raise NotEnoughData("segmentation.error.no_customers")
    return CustomerBase(prep, counts, ad, agg, tab)


def _rfm_base(orders, params: dict):
    """Prepared lines, analysis date (given, else the day after the last order with a customer id) and
    the RFM table, of an orders table or canonical frame."""
    b = customer_base(cu.as_tables({"orders": orders})["orders"], params)
    return b.prepared, b.analysis_date, b.table


def calibration_end(params: dict, ad: pd.Timestamp) -> pd.Timestamp:
    """The CLV calibration end: the ``clv_calibration_end`` parameter, else the analysis date; never after it.

    Parameters
    ----------
    params : dict
        The page's parameters.
    ad : pd.Timestamp
        Analysis date.

    Returns
    -------
    pd.Timestamp
        The calibration end.
    """
    cal = _as_ts(params["clv_calibration_end"]) if params.get("clv_calibration_end") else ad
    return min(cal, ad)


def add_clusters(tab: pd.DataFrame, params: dict, seed: int) -> dict:
    """k-means (:func:`.clusters.cluster`) with the page's features and k; adds tab["cluster"] and
    returns the rest of the result. Raises NotEnoughData.

    Parameters
    ----------
    tab : pd.DataFrame
        RFM table (``cluster`` is added).
    params : dict
        The page's parameters (``features``, ``k``).
    seed : int
        Random seed.

    Returns
    -------
    dict
        The clustering result without the labels.
    """
    res = cluster(tab, params.get("features") or DEFAULT_FEATURES, params.get("k"), seed)
    tab["cluster"] = res.pop("labels")
    return res


def tier_basis_values(b: CustomerBase, customers: ibis.Table | None, basis: str):
    """(values on tab.index, basis used, warning key) of :func:`.tiers.tier_values`; points are read from
    the customers table only when asked for.

    Parameters
    ----------
    b : CustomerBase
        The customer base.
    customers : ibis.Table | None
        The customers table, or None.
    basis : str
        "points" or "spend".

    Returns
    -------
    tuple[pd.Series, str, str | None
        ] See :func:`.tiers.tier_values`.
    """
    points = cu.points_by_customer(customers) if basis == "points" else None
    return tier_values(b.table, b.aggregates["spend_last_year"], points, basis)


def add_clv(b: CustomerBase, cal: pd.Timestamp, columns=CLV_COLUMNS, *, time_unit: str, horizon: int,
            discount: float):
    """Fit the CLV models (:func:`.clv_summary.fit_clv`) and add ``columns`` of the scores to the RFM
    table. Returns (scores by code, BGNBD, GammaGamma). Raises NotEnoughData.

    Parameters
    ----------
    b : CustomerBase
        The customer base (its RFM table gets the columns).
    cal : pd.Timestamp
        Calibration end.
    columns
        The score columns to add.
    time_unit : str
        "day", "week" or "month".
    horizon : int
        CLV horizon in months.
    discount : float
        Monthly discount rate.

    Returns
    -------
    tuple[pd.DataFrame, BGNBD, GammaGamma
        ] The scores by code and the two fitted models.
    """
    ctab, bg, gg = fit_clv(b.prepared.lines, b.prepared.ids, b.analysis_date, cal, time_unit, horizon, discount)
    for c in columns:
        b.table[c] = ctab[c].reindex(b.table.index)
    return ctab, bg, gg


def _customer_frame(tables: dict[str, ibis.Table], params: dict | None = None, *, with_clusters: bool = False,
                    with_tiers: bool = False, with_clv: bool = False, counts: cu.LineCounts | None = None):
    params = dict(params or {})
    b = customer_base(tables["orders"], params, counts)
    tab, ad = b.table, b.analysis_date
    info: dict = {"analysis_date": ad, "prepared": b.prepared}
    if with_clusters:
        info["clusters"] = add_clusters(tab, params, int(params.get("seed", 42) if params.get("seed") is not None
                                                         else 42))
    if with_tiers:
        values, basis, warn = tier_basis_values(b, tables.get("customers"), params.get("tier_basis", "spend"))
        tab["tier_basis_value"] = values.to_numpy()
        th = _floats(params.get("tier_thresholds")) or default_thresholds(values)
        tab["tier"] = assign_tiers(values, th)
        info["tiers"] = {"basis": basis, "thresholds": th, "warning": warn}
    if with_clv:
        cal = _as_ts(params.get("clv_calibration_end") or ad)
        _, bg, gg = add_clv(b, min(cal, ad), ("p_alive", "churn_risk", "expected_purchases", "clv"),
                            time_unit=params.get("time_unit") or "week", horizon=int(params.get("clv_horizon") or 12),
                            discount=float(params.get("discount") or 0.0))
        info["clv"] = (bg, gg)
    return tab, info, b


def customer_frame(tables: dict, params: dict | None = None, *, with_clusters: bool = False,
                   with_tiers: bool = False, with_clv: bool = False,
                   counts: cu.LineCounts | None = None) -> tuple[pd.DataFrame, dict]:
    """The per-customer frame behind drill-downs and personas: the RFM table plus, on request, cluster,
    tier (and tier_basis_value) and p_alive / churn_risk / clv. ``tables``: kind -> engine table or
    canonical frame. Returns (frame indexed by customer code, info with analysis_date, prepared and the
    clusters / tiers / clv details asked for).

    Parameters
    ----------
    tables : dict
        Kind -> engine table or canonical frame.
    params : dict | None
        The page's parameters, or None.
    with_clusters : bool
        Add ``cluster``.
    with_tiers : bool
        Add ``tier`` and ``tier_basis_value``.
    with_clv : bool
        Add ``p_alive``, ``churn_risk``, ``clv``.
    counts : cu.LineCounts | None
        The line counts of the orders' date range (:func:`.customers.line_counts`; the distinct ids may be
        left out), or None (counted here).

    Returns
    -------
    tuple[pd.DataFrame, dict]
        The frame and the info.
    """
    with cu.frame_tables(tables) as (tbls, registered):
        tab, info, _ = _customer_frame(tbls, params, with_clusters=with_clusters, with_tiers=with_tiers,
                                       with_clv=with_clv, counts=counts)
    if registered:  # the lines' engine table is gone
        info["prepared"] = dataclasses.replace(info["prepared"], lines=None)
    return tab, info


# what the drill-down's table adds to the RFM table, in its column order (expected_spend is not offered)
DRILL_COLUMNS = ("cluster", "tier_basis_value", "tier", "p_alive", "churn_risk", "expected_purchases", "clv")


def customer_table_of(tables: dict, params: dict, fitted: "SegmentationFit | None" = None) -> pd.DataFrame:
    """One row per customer with everything a drill-down can select on (see ``customer_table``): the
    customers of the fit, so the drill-down lists what the page shows and reads no line when the page's
    fit is given.

    Parameters
    ----------
    tables : dict
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters.
    fitted : SegmentationFit | None
        The page's fit for these tables and parameters, or None (fitted here).

    Returns
    -------
    pd.DataFrame
        The RFM table's columns, then those of DRILL_COLUMNS the fit has.
    """
    res = fitted if fitted is not None else fit(tables, params)
    if not isinstance(res, SegmentationFit):  # a customers file without orders has no drill-down
        raise NotEnoughData("segmentation.error.no_orders")
    tab = res.customers
    rest = set(DRILL_COLUMNS) | set(CLV_COLUMNS)
    cols = [c for c in tab.columns if c not in rest] + [c for c in DRILL_COLUMNS if c in tab.columns]
    return tab[cols].reset_index(drop=True)


# ---------------------------------------------------------------- fit

# The parameters the engine's part of the fit depends on (:func:`fit_base`); the others (group model,
# clusters, tiers, the CLV models' unit, horizon and discount) only change what Python computes from it.
BASE_PARAMS = ("analysis_date", "compare_days", "clv_calibration_end")


@dataclass(frozen=True)
class SegmentationBase:
    """What the order lines give one date range and analysis date (:func:`fit_base`): every engine query of
    the fit over the lines. A page keeps it per dataset revision and BASE_PARAMS (``analytics.cached``),
    so a change of the group model, the clusters, the tiers or the CLV horizon refits from it without
    reading the lines again. Read-only: :func:`fit` copies the RFM table before adding columns.

    Attributes
    ----------
    params : dict
        The parameters it was made for (:func:`base_params`); :func:`fit` refuses a base of others.
    money : bool
        The lines have amounts (else M and the KPIs are units, analytics.units).
    counts : LineCounts
        The range's line counts, with the distinct customer ids.
    base : CustomerBase
        The analysis date, the per-customer aggregates and the RFM table; its prepared lines without their
        engine expression (``lines`` None: it would hold the cursor of the thread that made the base).
    cohorts : dict
        The acquisition cohorts (:func:`.cohorts.cohorts`).
    calibration_end : pandas.Timestamp
        End of the CLV calibration period.
    days : pandas.DataFrame or None
        The purchase-day summary up to ``calibration_end`` (:func:`.customers.purchase_day_summary`) with
        each customer's ``code``; None without amounts.
    prev_groups : pandas.DataFrame
        The RFM groups ``compare_days`` before the analysis date (:func:`.rfm.groups_at`).
    audience : AudienceFit or None
        The audience assets (:func:`audience_of`: stage counts beside the same weeks' spend and GMV) when
        the tables hold an audience dataset.
    """
    params: dict
    money: bool
    counts: cu.LineCounts
    base: "CustomerBase"
    cohorts: dict
    calibration_end: pd.Timestamp
    days: pd.DataFrame | None
    prev_groups: pd.DataFrame
    audience: object = None


def base_params(params: dict) -> dict:
    """The parameters :func:`fit_base` depends on: BASE_PARAMS and the dates, from the page's parameters.

    Parameters
    ----------
    params : dict
        The page's parameters.

    Returns
    -------
    dict
        ``start``, ``end`` and BASE_PARAMS (defaults filled in).
    """
    p = page_params(params)
    return {k: p.get(k) for k in ("start", "end", *BASE_PARAMS)}


def fit_base(tables: dict[str, ibis.Table], params: dict) -> SegmentationBase | None:
    """The engine's part of :func:`fit` (see :class:`SegmentationBase`): the line counts, the per-customer
    aggregates, the cohort cells, the purchase days and the audience assets; None for a customers file
    without orders (its fit, :func:`.crm.fit`, has no such part). Raises NotEnoughData without orders or
    customers.

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters (only ``start``, ``end`` and BASE_PARAMS are read).

    Returns
    -------
    SegmentationBase | None
        The base.
    """
    p = page_params(params)
    with cu.frame_tables(tables) as (tbls, _):
        return _fit_base(tbls, p, tables)


def _fit_base(tables: dict[str, ibis.Table], p: dict, given: dict) -> SegmentationBase | None:
    """:func:`fit_base` on engine tables; ``given``: the caller's tables or frames (the audience assets
    read the audience and channels kinds from them)."""
    orders = tables.get("orders")
    if orders is None and tables.get("customers") is not None:
        return None
    if orders is None:
        raise NotEnoughData("segmentation.error.no_orders")
    orders, money = measure(orders)  # an export without amounts: M = units (analytics.units)
    counts = cu.line_counts(orders, p.get("start"), p.get("end"), distinct_ids=False)
    if not counts.orders:
        raise NotEnoughData("segmentation.error.no_orders")
    b = customer_base(orders, p, counts, compare_days=int(p["compare_days"]))
    counts = dataclasses.replace(counts, customer_ids=cu.customer_id_count(orders, counts, len(b.aggregates),
                                                                           p.get("start"), p.get("end")))
    cal = calibration_end(p, b.analysis_date)
    coh = cohorts(b.prepared.lines, b.analysis_date)
    days = None
    if money:
        days = cu.purchase_day_summary(b.prepared.lines, b.analysis_date, cal)
        days["code"] = cu.positions(days["customer_id"], b.prepared.ids)
    prev = groups_at(b.aggregates, b.analysis_date - pd.Timedelta(days=int(p["compare_days"])))
    audience = audience_of(given, p) if (given or {}).get("audience") is not None else None
    b = dataclasses.replace(b, prepared=dataclasses.replace(b.prepared, lines=None))
    return SegmentationBase(base_params(p), money, counts, b, coh, cal, days, prev, audience)


def fit(tables: dict[str, ibis.Table], params: dict, base: SegmentationBase | None = None) -> SegmentationFit:
    """All numbers of the segmentation explorer (see :class:`SegmentationFit`), language-free.

    ``tables``: kind -> engine table ("orders" required, "customers", "audience" and "channels" optional;
    the last two feed the audience assets, :func:`audience_of`; canonical frames are
    registered with the engine). ``params``: PARAMS values (missing ones take their defaults) plus the
    shared "start" / "end" dates; the display options (DISPLAY_PARAMS: detail, audience) are not used.
    Every engine query is an aggregation (per customer, per purchase-day summary, per cohort x month) or
    a count, made by :func:`fit_base` unless ``base`` (its result for the same tables, dates and
    BASE_PARAMS) is given. Without orders and with a customers table, the customers-only fit
    (:func:`.crm.fit`, a :class:`.crm.CrmFit`). Raises NotEnoughData without orders or customers.

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters.
    base : SegmentationBase | None
        :func:`fit_base` of the same tables and parameters, or None (computed here).

    Returns
    -------
    SegmentationFit
        The fit.
    """
    p = page_params(params)
    if base is not None and base.params != base_params(p):
        raise ValueError(f"a segmentation base for {base.params} given to a fit for {base_params(p)}")
    with cu.frame_tables(tables) as (tbls, _):
        if base is None:
            base = _fit_base(tbls, p, tables)
        result = _fit(tbls, p, base)
    if isinstance(result, SegmentationFit) and base is not None and base.audience is not None:
        result = dataclasses.replace(result, audience=base.audience)
    return result


def audience_of(tables: dict, p: dict):
    """:func:`.stages.fit_audience` of the selected audience dataset, next to the same weeks' spend (channels)
    and GMV (orders), within the sidebar's dates. A canonical frame is registered with the engine first.

    Parameters
    ----------
    tables : dict
        Kind -> engine table or canonical frame ("audience" required; "channels" and "orders" optional).
    p : dict
        The page's parameters (``start`` / ``end`` used).

    Returns
    -------
    AudienceFit
        The audience assets.
    """
    from data import engine

    from .stages import fit_audience

    def table(kind: str):
        x = tables.get(kind)
        return engine.from_frame(x) if isinstance(x, pd.DataFrame) else x

    return fit_audience(table("audience"), channels=table("channels"), orders=table("orders"),
                        start=p.get("start"), end=p.get("end"))


CLUSTER_COLUMNS = ("customer_id", "recency_days", "frequency", "monetary", "aov", "tenure_days")  # what k-means reads


def _clusters_of(tab: pd.DataFrame, p: dict):
    """(labels, the rest of :func:`.clusters.cluster`'s result, None) of the page's features and k, or
    (None, None, the problem) when the customers cannot be clustered."""
    try:
        res = cluster(tab, p.get("features") or DEFAULT_FEATURES, p.get("k"), int(p.get("seed") or 0))
    except NotEnoughData as exc:
        return None, None, Problem.of(exc)
    return res.pop("labels"), res, None


def _fit(tables: dict[str, ibis.Table], p: dict, base: SegmentationBase | None):
    if base is None:  # a CRM file without order lines
        from . import crm
        return crm.fit(tables["customers"], p)
    money, counts = base.money, base.counts
    b = dataclasses.replace(base.base, table=base.base.table.copy())  # the base is shared: columns go on a copy
    tab, ad = b.table, b.analysis_date
    n = len(tab)
    model_col = "group" if p["model"] == "named" else "group_cn"
    groups = group_table(tab, model_col)
    other = group_table(tab, "group_cn" if model_col == "group" else "group")
    before = ad - pd.Timedelta(days=int(p["compare_days"]))
    trans = transitions(tab, base.prev_groups, before, ad, int(p["compare_days"]), model_col)

    # k-means runs on the per-customer aggregates in a thread of its own (numpy and compiled code, most of
    # it without the GIL) while this one computes the tiers and fits the CLV models; the thread reads its
    # own frame of the columns it needs, the labels join the table afterwards. One thread limit around
    # both: each fit sets the BLAS limit to one thread and restores it, and two restores out of order would
    # leave the other's value.
    from threadpoolctl import threadpool_limits

    position = len(tab.columns)
    with threadpool_limits(limits=1), ThreadPoolExecutor(1, thread_name_prefix="prism-kmeans") as pool:
        km = pool.submit(_clusters_of, tab[[c for c in CLUSTER_COLUMNS if c in tab.columns]], p)

        tiers, basis, tiers_warning, tiers_problem = None, None, None, None
        try:
            if not money and p["tier_basis"] == "spend":  # spend tiers need money
                raise NotEnoughData(NOTE_KEY)
            values, basis, tiers_warning = tier_basis_values(b, tables.get("customers"), p["tier_basis"])
            th = _floats(p.get("tier_thresholds")) or default_thresholds(values)
            tiers = tier_counts(values.to_numpy(), th, _floats(p.get("tier_whatif")), _floats(p.get("tier_costs")))
            tab["tier"] = assign_tiers(values, th)
            tab["tier_basis_value"] = values.to_numpy()
        except (NotEnoughData, ValueError) as exc:
            tiers, tiers_problem = None, Problem.of(exc)

        coh, cal = base.cohorts, base.calibration_end
        clv, clv_problem = None, None
        try:
            if not money:  # a CLV is a value: Gamma-Gamma needs amounts
                raise NotEnoughData(NOTE_KEY)
            ctab, bg, gg = scores_from_days(base.days, b.prepared.ids, cal, p["time_unit"], int(p["clv_horizon"]),
                                            float(p["discount"]))
            for c in CLV_COLUMNS:
                tab[c] = ctab[c].reindex(tab.index)
        except NotEnoughData as exc:
            clv_problem = Problem.of(exc)
        labels, clusters, clusters_problem = km.result()
    if labels is not None:
        tab.insert(position, "cluster", labels)
    if clv_problem is None:
        clv = clv_numbers(tab, ctab, bg, gg, int(p["clv_horizon"]), float(p["discount"]), p["time_unit"], cal)

    bands = {x["band"]: x for x in ((clv or {}).get("churn_bands") or [])}
    kpis = {
        "customers": n,
        "net_sales": float(tab["monetary"].sum()),
        "avg_monetary": float(tab["monetary"].mean()),
        "repeat_share": float((tab["frequency"] > 1).mean()),
        "clv_total": (clv or {}).get("total"),
        "high_churn_share": bands["high"]["share"] if "high" in bands else None,
    }
    if not money:  # never units presented as sales: the money KPIs are None, units beside them
        kpis.update(units=kpis["net_sales"], avg_units=kpis["avg_monetary"], net_sales=None, avg_monetary=None)
    return SegmentationFit(
        params=p, analysis_date=ad, calibration_end=cal, model_column=model_col, customers=tab,
        customer_ids=counts.customer_ids, lines_total=counts.lines_total,
        lines_without_customer=counts.lines_no_id, lines_after=int(b.aggregates["lines_after"].sum()),
        rfm_means=group_means(tab), groups=groups, groups_other=other, transitions=trans,
        clusters=clusters, clusters_problem=clusters_problem, tiers=tiers, tier_basis=basis,
        tiers_warning=tiers_warning, tiers_problem=tiers_problem, cohorts=coh, clv=clv, clv_problem=clv_problem,
        kpis=kpis)


def detail_rows(result: SegmentationFit) -> pd.DataFrame:
    """The per-customer rows of the page (params detail = "customers").

    Parameters
    ----------
    result : SegmentationFit
        The fit.

    Returns
    -------
    pd.DataFrame
        Columns DETAIL_COLUMNS present.
    """
    tab = result.customers
    return tab[[c for c in DETAIL_COLUMNS if c in tab.columns]].reset_index(drop=True)

