"""The fit: :class:`PersonaFit` (every segment of one source, without text), :func:`fit` on engine tables, the
customers-only fit, the sources and the attribute segments, and a segment's mask and profile kept per fit."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import ibis
import numpy as np
import pandas as pd

from analytics import segmentation as seg
from analytics.common import NotEnoughData
from analytics.segmentation import customers as _cu
from analytics.units import NOTE_KEY, measure
from data import engine

from .attributes import (behaviour_parts, crm_attribute_parts, customer_attribute_parts, customer_counts,
                         demographic_parts, segment_key, segment_keys)
from .base import BEHAVIOUR_ATTRS, CRM_SOURCES, CUSTOMER_ATTRS, ORDER_SOURCES, page_params
from .queries import _STAT_COLUMNS, customer_fields, order_attribute_stats
from .tgi import _profile, profile

def _engine_tables(tables: dict | None) -> dict[str, ibis.Table]:
    """kind -> engine table; a canonical frame (callers that hold one) is registered with the engine."""
    return {kind: engine.from_frame(x) if isinstance(x, pd.DataFrame) else x
            for kind, x in (tables or {}).items() if x is not None}


def _customer_frame(tables: dict[str, ibis.Table], p: dict) -> tuple[pd.DataFrame, dict]:
    """The segmentation package's per-customer frame (engine aggregates per customer) with the columns
    of the chosen source. Raises NotEnoughData without order lines or customers."""
    orders = tables.get("orders")
    # one count query, without the distinct customer ids (the persona does not show them)
    counts = None if orders is None else _cu.line_counts(orders, p.get("start"), p.get("end"), distinct_ids=False)
    if counts is None or not counts.orders:
        raise NotEnoughData("segmentation.error.no_orders")
    source = p["source"]
    return seg.customer_frame(tables, p, with_clusters=source == "cluster", with_tiers=source == "tier",
                              counts=counts)


def _n_tiers(info: dict) -> int:
    return len(info["tiers"]["thresholds"]) + 1 if "tiers" in info else 4


@dataclass(frozen=True)
class PersonaFit:
    """Everything the persona builder shows, for every segment of one source, without text.

    Attributes
    ----------
    params : dict
        The parameters used: PARAMS defaults overridden by the given values (plus "start" / "end").
        The display parameters (DISPLAY_PARAMS: segment, persona_id, min_size) are not used.
    source : str
        "rfm", "cn8", "cluster" or "tier": which column of ``customers`` defines the segments.
    analysis_date : pandas.Timestamp
        Midnight before which order lines are used (param, else the day after the last line with a
        customer id).
    customers : pandas.DataFrame
        The base: one row per customer with a non-return line before the analysis date, indexed by
        customer code (:func:`analytics.segmentation.customer_frame`): customer_id, recency_days,
        frequency, monetary, group, group_cn; cluster (1..k) for the cluster source; tier (0..) and
        tier_basis_value for the tier source.
    n_tiers : int
        Number of tiers (thresholds + 1; 4 unless the source is "tier" with other thresholds).
    has_customers_data : bool
        Whether a customers dataset with rows was given (demographics are profiled; without it the
        persona uses purchase behaviour only).
    known_customers : int
        Customers of the base with at least one demographic value (CUSTOMER_ATTRS) in the customers data.
    customer_counts : pandas.DataFrame
        Customer-level attributes per segment (:func:`customer_counts`): segment (:func:`segment_key`;
        None for customers no segment value selects), attribute (spend_band, frequency_band, recency_band
        and the demographics of CUSTOMER_ATTRS), value (rare ones pooled as "other"), count (customers;
        customer x tag for interests).
    customer_n : pandas.DataFrame
        segment, attribute, n: the segment's customers with a known value of the attribute.
    order_stats : pandas.DataFrame
        Order-level attributes per segment, counted in the engine (:func:`order_attribute_stats`):
        segment, attribute (category, channel, hour_band, weekday, price_sensitivity; only those with
        data), value, sy (orders, or order x category purchases for category), syy, syn; and per segment
        and attribute (value None) sy, m, nn. As long as segments x attribute values, whatever the number
        of customers.
    """

    params: dict
    source: str
    analysis_date: pd.Timestamp
    customers: pd.DataFrame
    n_tiers: int
    has_customers_data: bool
    known_customers: int
    customer_counts: pd.DataFrame
    customer_n: pd.DataFrame
    order_stats: pd.DataFrame
    # customers-only mode (a customers dataset, no orders: :func:`_crm_fit`): the CRM details (rows,
    # sampled, seed, rfm columns, recency_missing, cluster features) and the per-customer attribute parts
    # (attribute, positions in ``customers``, values), profiled per segment on demand
    customers_only: bool = False
    crm: dict | None = None
    parts: tuple = ()
    # False for an export with quantities and no amounts (analytics.units): "monetary" is then units
    has_money: bool = True
    # language-free profiles already computed from this fit, per segment (see segment_profile)
    _profiles: dict = field(default_factory=dict, init=False, repr=False, compare=False)


PROFILES_KEPT = 16  # segments whose profile a fit keeps (each is a few hundred rows)
_profiles_lock = threading.Lock()


def segment_profile(result: PersonaFit, value: str) -> tuple[np.ndarray, pd.DataFrame]:
    """The segment's mask over the base and its TGI profile (language-free, :func:`profile`), kept per fit
    and segment: a language switch on the page presents it again without recomputing it.

    Parameters
    ----------
    result : PersonaFit
        The persona fit.
    value : str
        The segment's value.

    Returns
    -------
    tuple[np.ndarray, pd.DataFrame]
        The mask and the TGI profile.
    """
    key = (result.source, value)
    with _profiles_lock:
        hit = result._profiles.get(key)
    if hit is not None:
        return hit
    if result.customers_only:
        mask = _crm_mask(result, value)
        cc, cn = customer_counts(list(result.parts), np.where(mask, "in", "out").astype(object))
        out = (mask, _profile(cc, cn, result.order_stats, "in"))
    else:
        mask = seg.segment_mask(result.customers, result.source, value)
        out = (mask, profile(result, segment_key(result.source, value)))
    with _profiles_lock:
        if len(result._profiles) >= PROFILES_KEPT:
            result._profiles.pop(next(iter(result._profiles)))
        result._profiles[key] = out
    return out


_BASE_COLUMNS = ("customer_id", "recency_days", "frequency", "monetary", "group", "group_cn", "cluster", "tier",
                 "tier_basis_value")


def fit(tables: dict[str, ibis.Table], params: dict) -> PersonaFit:
    """The attributes of every customer of the base (see :class:`PersonaFit`), language-free.

    ``tables``: kind -> engine table ("orders" required, "customers" optional) with the canonical
    columns. ``params``: PARAMS values (missing ones take their defaults) plus the shared "start" / "end"
    dates. Every engine query is an aggregation (per customer, per customer and attribute value) or a
    count; the customers kind is read as one row per customer. Raises NotEnoughData without orders or
    customers (and when the source cannot be computed, e.g. too few customers to cluster).

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters.

    Returns
    -------
    PersonaFit
        The fit.
    """
    p = page_params(params)
    tables = _engine_tables(tables)
    if tables.get("orders") is None and tables.get("customers") is not None:
        return _crm_fit(tables["customers"], p)
    if p["source"] not in ORDER_SOURCES:
        raise NotEnoughData("personas.error.source_needs_crm", source=p["source"])
    if tables.get("orders") is None:
        raise NotEnoughData("segmentation.error.no_orders")
    orders, money = measure(tables["orders"])  # an export without amounts: spend = units
    tables = {**tables, "orders": orders}
    if not money and p["source"] == "tier" and p.get("tier_basis", "spend") == "spend":
        raise NotEnoughData(NOTE_KEY)  # spend tiers need money
    tab, info = _customer_frame(tables, p)
    ad = info["analysis_date"]
    base = tab[[c for c in _BASE_COLUMNS if c in tab.columns]].copy()
    keys = segment_keys(base, p["source"])
    customers = customer_fields(tables.get("customers"))
    parts = customer_attribute_parts(base, customers, ad)
    demo = [codes for name, codes, _ in parts if name in CUSTOMER_ATTRS]
    known = int(np.unique(np.concatenate(demo)).size) if demo else 0
    cc, cn = customer_counts(parts, keys)
    stats = order_attribute_stats(tables["orders"], ad, pd.DataFrame({"customer_id": base["customer_id"],
                                                                      "segment": keys}),
                                  p.get("start"), p.get("end"))
    return PersonaFit(params=p, source=p["source"], analysis_date=ad, customers=base, n_tiers=_n_tiers(info),
                      has_customers_data=customers is not None, known_customers=known, customer_counts=cc,
                      customer_n=cn, order_stats=stats, has_money=money)


def source_choices(kinds) -> tuple[str, ...]:
    """The segment sources of a page on these dataset kinds (customers-only mode: CRM_SOURCES).

    Parameters
    ----------
    kinds
        Dataset kinds.

    Returns
    -------
    tuple[str, ...]
        The sources.
    """
    return CRM_SOURCES if seg.customers_only(kinds) else ORDER_SOURCES


def _crm_fit(customers: ibis.Table, p: dict) -> PersonaFit:
    """Customers-only mode (no orders dataset): the base is the customers file (the customers with a
    recency value when it has RFM columns; a bounded seeded sample of a large file, see
    :mod:`analytics.segmentation.crm`); the attributes are its own columns (:func:`crm_attribute_parts`),
    its demographics (:func:`demographic_parts`) and, with RFM columns, the spend / frequency / recency
    bands. Sources: rfm and cn8 (need RFM columns), cluster, attribute (customers with one value of one
    attribute, segment "attr_Response=1") and base (every customer). Raises NotEnoughData."""
    from analytics.segmentation import crm

    source = p["source"]
    if source not in CRM_SOURCES:
        raise NotEnoughData("personas.error.crm_source", source=source)
    tab, rows, info = crm.crm_base(customers, p, with_clusters=source == "cluster")
    if tab.empty:
        raise NotEnoughData("segmentation.error.no_customers")
    if source in ("rfm", "cn8") and info["rfm"] is None:
        raise NotEnoughData("personas.error.crm_no_rfm")
    if source == "cluster" and info["clusters"] is None:
        prob = info["clusters_problem"]
        raise NotEnoughData(prob.key or "segmentation.error.crm_no_numeric", **prob.kwargs)
    frame = rows.frame.loc[tab.index].reset_index(drop=True)
    base = tab.reset_index(drop=True)
    base = base[[c for c in _BASE_COLUMNS if c in base.columns]].copy()
    ad = seg._as_ts(p["analysis_date"]) if p.get("analysis_date") else pd.Timestamp.today().normalize()
    parts = (behaviour_parts(base) if info["rfm"] else []) + demographic_parts(base["customer_id"], frame, ad) + \
        crm_attribute_parts(frame, rows.categorical, rows.numeric)
    demo = [codes for name, codes, _ in parts if name in CUSTOMER_ATTRS or name.startswith("attr_")]
    known = int(np.unique(np.concatenate(demo)).size) if demo else 0
    rfm_cols = [c for m in ("recency", "frequency", "monetary") for c in (info["rfm"] or {}).get(m, [])]
    feats = list((info["clusters"] or {}).get("features") or [])
    bands = {"recency": "recency_band", "frequency": "frequency_band", "monetary": "spend_band"}
    if info["cluster_basis"] == "rfm":
        feats = [bands[f] for f in feats if f in bands] + \
            [c for f in feats if f in bands for c in info["rfm"][f]]
    detail = {"rows": rows.rows, "sampled": rows.sampled, "seed": rows.seed, "rfm": info["rfm"],
              "recency_missing": info["recency_missing"], "cluster_basis": info["cluster_basis"],
              "defining": {"rfm": list(BEHAVIOUR_ATTRS) + rfm_cols, "cn8": list(BEHAVIOUR_ATTRS) + rfm_cols,
                           "cluster": feats, "base": []}}
    empty_c = pd.DataFrame(columns=["segment", "attribute", "value", "count"])
    return PersonaFit(params=p, source=source, analysis_date=ad, customers=base, n_tiers=4, has_customers_data=True,
                      known_customers=known, customer_counts=empty_c,
                      customer_n=pd.DataFrame(columns=["segment", "attribute", "n"]),
                      order_stats=pd.DataFrame(columns=list(_STAT_COLUMNS)), customers_only=True, crm=detail,
                      parts=tuple(parts))


def _crm_mask(result: PersonaFit, value: str) -> np.ndarray:
    """The customers of a customers-only segment (sources of CRM_SOURCES)."""
    tab, source = result.customers, result.source
    if source == "base":
        return np.ones(len(tab), dtype=bool)
    if source == "attribute":
        attr, _, v = str(value).partition("=")
        mask = np.zeros(len(tab), dtype=bool)
        for name, codes, values in result.parts:
            if name == attr:
                mask[codes[values == v]] = True
        return mask
    return seg.segment_mask(tab, source, value)


def attribute_options(result: PersonaFit, max_values: int = 12) -> list[tuple[str, int]]:
    """Segments of the attribute source: ("attribute=value", customers) for every value of the attributes
    with at most ``max_values`` values (bands included, RFM bands left out), largest first per attribute;
    Response = 1 (iFood's last campaign) first.

    Parameters
    ----------
    result : PersonaFit
        The persona fit (customers-only).
    max_values : int
        Most values of an attribute.

    Returns
    -------
    list[tuple[str, int]]
        (segment, customers) pairs.
    """
    out = []
    for name, codes, values in result.parts:
        if name in BEHAVIOUR_ATTRS:
            continue
        counts = pd.Series(values).value_counts()
        if len(counts) > max_values:
            continue
        out += [(f"{name}={v}", int(n)) for v, n in counts.items()]
    # the last campaign's responders first (the page's default segment) when the file has them
    return sorted(out, key=lambda o: o[0] != "attr_Response=1")


def defining_attributes(result: PersonaFit, value: str) -> set[str]:
    """The attributes that define the segment, left out of its card: the RFM bands (and, customers-only,
    the CRM's RFM columns) for RFM groups; a cluster's features; the spend band for spend tiers; the
    attribute of an attribute segment.

    Parameters
    ----------
    result : PersonaFit
        The persona fit.
    value : str
        The segment's value.

    Returns
    -------
    set[str]
        The attributes.
    """
    source = result.source
    if result.customers_only:
        if source == "attribute":
            return {str(value).partition("=")[0]}
        return set((result.crm or {}).get("defining", {}).get(source, []))
    if source in ("rfm", "cn8"):
        return set(BEHAVIOUR_ATTRS)
    if source == "cluster":
        bands = {"recency": "recency_band", "frequency": "frequency_band", "monetary": "spend_band"}
        return {bands[f] for f in result.params.get("features") or seg.DEFAULT_FEATURES if f in bands}
    if source == "tier":
        return {"spend_band"} if result.params.get("tier_basis", "spend") == "spend" else set()
    return set()
