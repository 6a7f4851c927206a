"""Persona builder: profile of any RFM group, cn8 group, cluster or tier against the whole customer base.

For every attribute value: segment share, base share and TGI = segment share / base share x 100, with
a 95% Wilson interval for the segment share (statsmodels ``proportion_confint``) and the TGI interval
obtained by dividing the share interval by the base share (the base share, measured on the whole base,
is treated as fixed). A TGI is flagged ("significant") only when its interval excludes 100.

- Customer attributes (one value per customer; the unit is customers): demographics from the customers
  frame (gender, age band, city tier, region, member level, occupation, income band, acquisition channel,
  interests exploded: share = customers with the tag / customers with any known tag), spend band (base
  quintiles of net sales), frequency band and recency band.
- Order attributes (the unit is orders or purchases): category (share of non-return order x category
  purchases), channel, time of day and day of week (share of orders), price sensitivity (share of orders
  with a discount > 0 or a campaign). Orders of one customer are not independent, so their interval uses
  the effective sample size of a ratio estimator clustered by customer (n_eff = p(1-p) / Var_cluster(p)).

The base is every customer of the RFM table (customers with a non-return order before the analysis date).

Order lines stay in the engine (issue 13). :func:`fit` takes engine tables and returns a language-free
:class:`PersonaFit`: the per-customer RFM / cluster / tier frame of the segmentation package
(:func:`analytics.segmentation.customer_frame`, itself per-customer engine aggregates) and, for every
segment of the chosen source at once, the customer attributes counted per segment
(:func:`customer_counts`) and the order attributes counted per segment in the engine, where each
customer's segment is joined to its order counts (:func:`order_attribute_stats`: counts and sums of
squares, from which the clustered interval is exact). Python holds segments x values rows, not customers x
values, so the segment is a display parameter: :func:`present` picks the segment, runs the TGI maths
(:func:`profile`) and builds the card in a language. :func:`compute` is both, for callers holding canonical
frames.

An order's time of day, weekday and channel are those of its first line: the earliest line, ties broken
by the source line number (``__line__``) when the table has it, else by the channel value.
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import io
import math
import re
import subprocess
import threading
from dataclasses import dataclass, field
from functools import lru_cache

import ibis
import numpy as np
import pandas as pd

from analytics import charts
from analytics import segmentation as seg
from analytics.common import NotEnoughData, jsonable
from analytics.i18n import fmt_money, fmt_number, fmt_pct, t
from analytics.params import Param
from analytics.segmentation import customers as _cu
from analytics.tables import Col
from analytics.units import NOTE_KEY, measure, note
from data import engine

PAGE = "persona-builder"
KINDS = {"orders": True, "customers": False}
# orders are needed unless a customers dataset stands in (customers-only mode: see _crm_fit)
KINDS_INSTEAD = {"orders": ("customers",)}
ORDER_SOURCES = ("rfm", "cn8", "cluster", "tier")
CRM_SOURCES = ("rfm", "cn8", "cluster", "attribute", "base")
MIN_SIZE = 30
WARN_SIZE = 100
MIN_SUPPORT = 10  # segment count needed before an attribute feeds the card
MAX_VALUES = 25   # per attribute; the rest is pooled as "other"

# The TGI table as the page, its CSV export and the HTML report show it (analytics/tables.py).
TABLES: dict[str, tuple] = {
    "attributes": (Col("attribute_label", "text", label="personas.col.attribute"),
                   Col("value_label", "text", label="personas.col.value"), ("segment_share", "percent"),
                   ("ci_low", "percent"), ("ci_high", "percent"), ("base_share", "percent"), ("tgi", "index"),
                   ("tgi_low", "index"), ("tgi_high", "index"), ("segment_count", "count"),
                   Col("unit", "text", values="personas.unit"), ("n_eff", "index"), ("significant", "bool")),
    # page-level table (not a path of the result): the saved personas
    "saved": (("id", "id"), ("name", "text"), ("segment", "text"), ("size", "count"), ("owner", "text"),
              ("saved_at", "text")),
}

PARAMS = [
    Param("source", "str", "rfm", choices=("rfm", "cn8", "cluster", "tier", "attribute", "base"),
          help="personas.help.source"),
    Param("segment", "str", None, help="personas.help.segment"),
    Param("persona_id", "str", None, help="personas.help.persona_id"),
    Param("analysis_date", "date", None, help="segmentation.help.analysis_date"),
    Param("features", "list", list(seg.DEFAULT_FEATURES), choices=seg.FEATURES, help="segmentation.help.features"),
    Param("k", "int", None, min=2, max=12, help="segmentation.help.k"),
    Param("seed", "int", 42, min=0, help="segmentation.help.seed"),
    Param("tier_basis", "str", "spend", choices=("spend", "points"), help="segmentation.help.tier_basis"),
    Param("tier_thresholds", "list", None, help="segmentation.help.tier_thresholds"),
    Param("min_size", "int", MIN_SIZE, min=5, max=100000, help="personas.help.min_size"),
]
# options that only change what present shows (analytics.inputs.fit_params: changing them never refits):
# the fit profiles every customer, so any segment of the source is presented from the same fit
DISPLAY_PARAMS = ("segment", "persona_id", "min_size")
FIT_PARAMS = tuple(p.key for p in PARAMS if p.key not in DISPLAY_PARAMS)

CUSTOMER_ATTRS = ("gender", "age_band", "city_tier", "region", "member_level", "occupation", "income_band",
                  "acquisition_channel", "interests")
BEHAVIOUR_ATTRS = ("spend_band", "frequency_band", "recency_band")
ORDER_ATTRS = ("category", "channel", "hour_band", "weekday", "price_sensitivity")
HOUR_BANDS = ((0, 6, "night"), (6, 12, "morning"), (12, 18, "afternoon"), (18, 24, "evening"))
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# ---------------------------------------------------------------- intervals and TGI


def wilson(count, nobs, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (statsmodels). nobs may be an effective (non-integer) sample size.

    Parameters
    ----------
    count
        Successes.
    nobs
        Trials (may be effective, non-integer).
    alpha : float
        Two-sided level.

    Returns
    -------
    tuple[np.ndarray, np.ndarray]
        (low, high) arrays, NaN where ``nobs`` is 0.
    """
    from statsmodels.stats.proportion import proportion_confint

    count = np.asarray(count, float)
    nobs = np.asarray(nobs, float)
    ok = nobs > 0
    lo = np.full(count.shape, np.nan)
    hi = np.full(count.shape, np.nan)
    if ok.any():
        lo_, hi_ = proportion_confint(count[ok], nobs[ok], alpha=alpha, method="wilson")
        lo[ok], hi[ok] = lo_, hi_
    return lo, hi


def tgi_table(seg_count, seg_n, base_count, base_n, n_eff=None) -> pd.DataFrame:
    """Shares, TGI and intervals from counts. ``n_eff`` (optional) replaces seg_n in the interval.

    Parameters
    ----------
    seg_count
        Segment customers (or orders) with each value.
    seg_n
        Segment customers with a known value.
    base_count
        Base customers with each value.
    base_n
        Base customers with a known value.
    n_eff
        Effective segment sizes for the interval, or None.

    Returns
    -------
    pd.DataFrame
        Columns ``segment_share``, ``base_share``, ``tgi``, ``ci_low``, ``ci_high``, ``tgi_low``,
        ``tgi_high``, ``n_eff``, ``significant``.
    """
    seg_count = np.asarray(seg_count, float)
    seg_n = np.broadcast_to(np.asarray(seg_n, float), seg_count.shape)
    base_count = np.asarray(base_count, float)
    base_n = np.broadcast_to(np.asarray(base_n, float), base_count.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(seg_n > 0, seg_count / seg_n, np.nan)
        b = np.where(base_n > 0, base_count / base_n, np.nan)
        neff = seg_n if n_eff is None else np.minimum(np.asarray(n_eff, float), seg_n)
        lo, hi = wilson(s * neff, neff)
        tgi = s / b * 100
        tlo = lo / b * 100
        thi = hi / b * 100
    sig = (tlo > 100) | (thi < 100)
    return pd.DataFrame({"segment_share": s, "base_share": b, "tgi": tgi, "ci_low": lo, "ci_high": hi,
                         "tgi_low": tlo, "tgi_high": thi, "n_eff": neff, "significant": sig & np.isfinite(tgi)})


# ---------------------------------------------------------------- attribute builders


def _quantile_codes(values: pd.Series, qs, fmt) -> tuple[np.ndarray, list[str]]:
    """Band codes (-1: missing value) and band labels of :func:`_bands_by_quantile`."""
    v = values.to_numpy(dtype=float)
    edges = sorted(set(seg._nice(x) for x in np.quantile(v[~np.isnan(v)], qs) if np.isfinite(x) and x > 0))
    if not edges:
        return np.zeros(len(v), dtype=np.int64), ["all"]
    labels = [f"< {fmt(edges[0])}"] + [f"{fmt(a)}-{fmt(b)}" for a, b in zip(edges[:-1], edges[1:])] + \
        [f"≥ {fmt(edges[-1])}"]
    idx = np.searchsorted(np.array(edges), v, side="right")
    return np.where(np.isnan(v), -1, idx), labels


def _bands_by_quantile(values: pd.Series, qs, fmt) -> tuple[pd.Series, list[str]]:
    code, labels = _quantile_codes(values, qs, fmt)
    out = pd.Series(np.array(labels, dtype=object)[np.maximum(code, 0)], index=values.index)
    return out.where(code >= 0), labels


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:g}"


def segment_keys(tab: pd.DataFrame, source: str) -> np.ndarray:
    """Each customer's segment of the source as text, as :func:`segment_key` writes a page's segment
    value (None where no value can select the customer: a missing cluster or tier).

    Parameters
    ----------
    tab : pd.DataFrame
        The base (the source's column: ``group``, ``group_cn``, ``cluster`` or ``tier``; ValueError when
        missing).
    source : str
        rfm, cn8, cluster or tier.

    Returns
    -------
    np.ndarray
        One key (or None) per customer.
    """
    col = {"rfm": "group", "cn8": "group_cn"}.get(source, source)
    if col not in tab.columns:
        raise ValueError(f"the frame has no {col!r} column; build it with the matching option")
    # each distinct key written once (the customers' cells refer to it)
    if source in ("cluster", "tier"):
        vc, vu = pd.factorize(tab[col].to_numpy(dtype=float), use_na_sentinel=False)
        text = [str(int(x)) if np.isfinite(x) and x == int(x) else None for x in vu]
    else:
        vc, vu = pd.factorize(tab[col], use_na_sentinel=False)
        text = [np.nan if pd.isna(x) else str(x) for x in vu]  # as astype("str"): missing stays NaN
    return np.array(text, dtype=object)[vc] if len(vc) else np.array([], dtype=object)


def segment_key(source: str, value) -> str | None:
    """The key of a segment value (analytics.segmentation.segment_mask's matching: clusters and tiers by
    number, groups by text); None when the value selects no customer.

    Parameters
    ----------
    source : str
        The segment source.
    value
        The segment's value.

    Returns
    -------
    str | None
        The key, or None.
    """
    if source in ("cluster", "tier"):
        try:
            f = float(value)
        except (TypeError, ValueError):
            return None
        return str(int(f)) if math.isfinite(f) and f == int(f) else None
    return str(value)


def customer_attribute_parts(tab: pd.DataFrame, customers: pd.DataFrame | None,
                             ad: pd.Timestamp) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Customer-level attributes of the customers of ``tab``: (attribute, positions in tab, values as
    text) per attribute, only known values (interests: one row per customer and tag).

    Parameters
    ----------
    tab : pd.DataFrame
        The base (``customer_id``, ``monetary``, ``frequency``, ``recency_days``).
    customers : pd.DataFrame | None
        The customers frame (:func:`customer_fields`), or None.
    ad : pd.Timestamp
        Analysis date (ages from birth years).

    Returns
    -------
    list[tuple[str, np.ndarray, np.ndarray]]
        (attribute, positions, values) per attribute.
    """
    return behaviour_parts(tab) + demographic_parts(tab["customer_id"], customers, ad)


def _adder(parts: list) -> "callable":
    def add(name: str, codes: np.ndarray, values: pd.Series) -> None:
        # each distinct value as text once; the customers' cells refer to it (a million customers' bands
        # are not a million str objects)
        vc, vu = pd.factorize(values)  # missing: -1
        text = np.array([str(x) for x in vu] + ["nan"], dtype=object)
        ok = text[vc] != "nan"
        parts.append((name, codes[ok], text[vc[ok]]))
    return add


def behaviour_parts(tab: pd.DataFrame) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """spend_band (base quintiles of monetary), frequency_band and recency_band of the customers of ``tab``.

    Parameters
    ----------
    tab : pd.DataFrame
        The base (``monetary``, ``frequency``, ``recency_days``).

    Returns
    -------
    list[tuple[str, np.ndarray, np.ndarray]]
        (attribute, positions, values) for the three bands.
    """
    pos = np.arange(len(tab))
    code, labels = _quantile_codes(tab["monetary"], [0.2, 0.4, 0.6, 0.8], _num)
    ok = code >= 0
    parts: list[tuple[str, np.ndarray, np.ndarray]] = [("spend_band", pos[ok], np.array(labels, dtype=object)[code[ok]])]
    # pd.cut's bins (right-closed) as integer codes; values outside them are left out, as pd.cut's NaN was
    for name, col, edges, labels in (
            ("frequency_band", "frequency", [0, 1, 2, 5, 10, np.inf], ["1", "2", "3-5", "6-10", "11+"]),
            ("recency_band", "recency_days", [-1, 30, 90, 180, 365, np.inf],
             ["0-30", "31-90", "91-180", "181-365", "365+"])):
        code = np.searchsorted(np.array(edges, float), tab[col].to_numpy(dtype=float), side="left") - 1
        ok = (code >= 0) & (code < len(labels))
        parts.append((name, pos[ok], np.array(labels, dtype=object)[code[ok]]))
    return parts


def demographic_parts(ids: pd.Series, customers: pd.DataFrame | None,
                      ad: pd.Timestamp) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The CUSTOMER_ATTRS of the customers ``ids`` (positions 0..n-1) from the customers frame.

    Parameters
    ----------
    ids : pd.Series
        Customer ids, in base order.
    customers : pd.DataFrame | None
        The customers frame, or None.
    ad : pd.Timestamp
        Analysis date (ages from birth years).

    Returns
    -------
    list[tuple[str, np.ndarray, np.ndarray]]
        (attribute, positions, values) per attribute with data.
    """
    parts: list[tuple[str, np.ndarray, np.ndarray]] = []
    add, pos = _adder(parts), np.arange(len(ids))
    if customers is not None and len(customers) and "customer_id" in customers.columns:
        c = customers.loc[customers["customer_id"].notna()].copy()
        c["customer_id"] = c["customer_id"].astype("str")
        c = c.drop_duplicates("customer_id", keep="last").set_index("customer_id")
        c = c.reindex(pd.Series(ids).to_numpy())
        c.index = pos
        age = c["age"].astype(float) if "age" in c.columns else pd.Series(np.nan, index=c.index)
        if "birth_year" in c.columns:
            age = age.fillna(ad.year - c["birth_year"].astype(float))
        if age.notna().any():
            band = pd.cut(age, [0, 17, 24, 29, 34, 39, 49, np.inf],
                          labels=["<18", "18-24", "25-29", "30-34", "35-39", "40-49", "50+"]).astype("str")
            add("age_band", pos, band.where(age.notna()))
        if "income" in c.columns and c["income"].notna().any():
            inc, _ = _bands_by_quantile(c["income"], [0.25, 0.5, 0.75], _num)
            add("income_band", pos, inc)
        for col in ("gender", "city_tier", "region", "member_level", "occupation", "acquisition_channel"):
            if col in c.columns and c[col].notna().any():
                add(col, pos, c[col].astype("str").str.strip().where(c[col].notna()))
        if "interests" in c.columns and c["interests"].notna().any():
            tags = c["interests"].dropna().astype("str").str.split(r"[,，;；|/、]+", regex=True).explode()
            tags = tags.str.strip()
            tags = tags[tags != ""]
            pairs = pd.DataFrame({"code": tags.index.to_numpy(np.int64), "value": tags.to_numpy()}).drop_duplicates()
            add("interests", pairs["code"].to_numpy(), pairs["value"])
    return parts


CRM_FLAG_VALUES = 6  # a numeric CRM column with at most this many whole values is read as categories


def crm_attribute_parts(frame: pd.DataFrame, categorical, numeric) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The customers file's own columns (unmapped ``attr_*`` columns, customers-only mode), customers at
    positions 0..n-1 of ``frame``: text columns as they are; numeric columns with at most CRM_FLAG_VALUES
    whole values (flags such as Response or AcceptedCmp1, counts such as Kidhome) by value; other numeric
    columns in base quintile bands (like the spend band).

    Parameters
    ----------
    frame : pd.DataFrame
        The CRM rows.
    categorical
        Text columns.
    numeric
        Numeric columns.

    Returns
    -------
    list[tuple[str, np.ndarray, np.ndarray]]
        (attribute, positions, values) per ``attr_*`` column.
    """
    parts: list[tuple[str, np.ndarray, np.ndarray]] = []
    add, pos = _adder(parts), np.arange(len(frame))
    for c in categorical:
        if c.startswith("attr_"):
            add(c, pos, frame[c].astype("str").str.strip().where(frame[c].notna()))
    for c in numeric:
        if not c.startswith("attr_"):
            continue
        v = frame[c].astype(float)
        vals = v.dropna().unique()
        if len(vals) <= CRM_FLAG_VALUES and np.all(vals == np.round(vals)):
            add(c, pos, v.map(lambda x: None if pd.isna(x) else str(int(x))))
        else:
            add(c, pos, _bands_by_quantile(v, [0.2, 0.4, 0.6, 0.8], _num)[0])
    return parts


def _rare(base: pd.DataFrame) -> pd.DataFrame:
    """(attribute, value) rows of ``base`` (columns attribute, value, n; sorted by attribute and value)
    beyond the MAX_VALUES largest n of their attribute (ties: the earlier value ranks first)."""
    rank = base.groupby("attribute")["n"].rank(method="first", ascending=False)
    return base.loc[rank > MAX_VALUES, ["attribute", "value"]]


def _pooled(df: pd.DataFrame, rare: pd.DataFrame) -> pd.Series:
    """The value column of ``df`` with the rare (attribute, value) pairs as "other"."""
    if rare.empty:
        return df["value"]
    key = df["attribute"] + "\x00" + df["value"].astype("str")
    rk = set(rare["attribute"] + "\x00" + rare["value"].astype("str"))
    return df["value"].where(~key.isin(rk).to_numpy(), "other")


def customer_counts(parts: list[tuple[str, np.ndarray, np.ndarray]], keys: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customer attribute counts per segment key: (segment, attribute, value, count) rows, values beyond
    the MAX_VALUES most frequent of an attribute pooled as "other"; and (segment, attribute, n): the
    customers of the segment with a known value.

    Parameters
    ----------
    parts : list[tuple[str, np.ndarray, np.ndarray]]
        (attribute, positions, values) per attribute.
    keys : np.ndarray
        Segment key per customer.

    Returns
    -------
    tuple[pd.DataFrame, pd.DataFrame]
        The counts (``segment``, ``attribute``, ``value``, ``count``) and the known-value counts (``segment``,
        ``attribute``, ``n``).
    """
    counts, ns = [], []
    # integer codes (sorted, a missing segment last: the order of a groupby with dropna=False), then
    # counts per code pair: no hashing of a million text cells per attribute
    kc, ku = pd.factorize(np.asarray(keys, dtype=object), sort=True, use_na_sentinel=False)
    nk = max(len(ku), 1)
    for name, codes, values in parts:
        vc, vu = pd.factorize(np.asarray(values, dtype=object), sort=True, use_na_sentinel=False)
        pair = np.bincount(kc[codes].astype(np.int64) * len(vu) + vc, minlength=nk * len(vu))
        hit = np.flatnonzero(pair)
        counts.append(pd.DataFrame({"segment": ku[hit // max(len(vu), 1)], "value": vu[hit % max(len(vu), 1)],
                                    "count": pair[hit].astype(np.int64)}).assign(attribute=name))
        known = np.zeros(len(kc), dtype=bool)
        known[codes] = True
        per = np.bincount(kc[known], minlength=nk)  # customers with a known value
        hit = np.flatnonzero(per)
        ns.append(pd.DataFrame({"segment": ku[hit], "n": per[hit].astype(np.int64)}).assign(attribute=name))
    cols = ["segment", "attribute", "value", "count"]
    if not counts:
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=["segment", "attribute", "n"])
    cc = pd.concat(counts, ignore_index=True)[cols]
    base = cc.groupby(["attribute", "value"])["count"].sum().rename("n").reset_index()
    rare = _rare(base)
    if not rare.empty:
        cc = cc.assign(value=_pooled(cc, rare)).groupby(["segment", "attribute", "value"], dropna=False)["count"] \
            .sum().reset_index()
    return cc, pd.concat(ns, ignore_index=True)[["segment", "attribute", "n"]]


# ---------------------------------------------------------------- engine aggregates

CUSTOMER_FIELDS = ("customer_id", "gender", "age", "birth_year", "income", "city_tier", "region", "member_level",
                   "occupation", "acquisition_channel", "interests")
_NUMERIC_FIELDS = ("age", "birth_year", "income")


def _ts(x) -> _dt.datetime:
    return pd.Timestamp(x).to_pydatetime()


def _text(tbl: ibis.Table, name: str) -> ibis.ir.StringValue:
    return tbl[name].cast("string") if name in tbl.columns else ibis.null("string")


def customer_fields(customers: ibis.Table | None) -> pd.DataFrame | None:
    """The customers kind's columns the persona reads (:data:`CUSTOMER_FIELDS` that the table has), one row
    per customers-table row with a customer id, in file order (``__line__`` when the table has it), or
    None without a customers table, without rows or without a customer id column. The customers kind
    holds one row per customer, so this is as long as the customer list, never the order lines.

    Parameters
    ----------
    customers : ibis.Table | None
        The customers table, or None.

    Returns
    -------
    pd.DataFrame | None
        The frame, or None.
    """
    if customers is None or "customer_id" not in customers.columns:
        return None
    if not int(engine.scalar(customers.count())):
        return None
    cols = {c: (customers[c].cast("float64") if c in _NUMERIC_FIELDS else customers[c].cast("string"))
            for c in CUSTOMER_FIELDS if c in customers.columns}
    sel = customers.filter(customers.customer_id.notnull())
    if engine.LINE in customers.columns:
        sel = sel.order_by(engine.LINE)
    return engine.to_frame(sel.select(**cols))


# the order attributes with a fixed list of values, counted per customer in one row (columns f0, f1, ...)
FIXED_VALUES = {"hour_band": tuple(b for *_, b in HOUR_BANDS), "weekday": WEEKDAYS,
                "price_sensitivity": ("discounted", "full_price")}
FIXED_COLUMNS = tuple((a, v, f"f{i}") for i, (a, v) in
                      enumerate((a, v) for a, vals in FIXED_VALUES.items() for v in vals))


def _attribute_lines(orders: ibis.Table, ad: pd.Timestamp, start=None, end=None) -> ibis.Table:
    """The lines the order attributes count, not run: those of the date range with a customer id and a
    date, not returns, dated before the analysis date ``ad``; columns customer_id, order_id, order_date,
    category, channel, priced, deal (and line, the source line number, when the table has it)."""
    o = _cu.order_lines(orders, start, end)
    ret = o.is_return.cast("boolean").fill_null(False) if "is_return" in o.columns else ibis.literal(False)
    o = o.filter(o.customer_id.notnull() & o.order_date.notnull() & ~ret & (o.order_date < _ts(ad)))
    disc = o.discount.cast("float64") if "discount" in o.columns else ibis.null("float64")
    known = disc.notnull() & ~disc.isnan()
    camp = o.campaign.notnull() if "campaign" in o.columns else ibis.literal(False)
    # microseconds: DuckDB 2.0.1 mis-groups EXTRACT on nanosecond timestamps
    cols = dict(customer_id=o.customer_id.cast("string"), order_id=o.order_id.cast("string"),
                order_date=o.order_date.cast("timestamp(6)"), category=_text(o, "category"),
                channel=_text(o, "channel"), priced=known | camp,
                deal=(ibis.ifelse(known, disc, 0.0) > 0) | camp)
    if engine.LINE in o.columns:
        cols["line"] = o[engine.LINE]
    return o.select(**cols)


def _per_order(lines: ibis.Table, has: dict[str, ibis.ir.BooleanValue] | None = None) -> ibis.Table:
    """The orders of :func:`_attribute_lines`, not run: per (customer id, order id) the date and channel of
    the first line (the earliest, ties broken by ``line`` when the table has it, else by the channel),
    whether a line has a deal, the lines with a known price (``pr``), and ``has``: name -> a condition on
    the lines, true for the order when one of its lines meets it."""
    first = ibis.struct({"d": lines.order_date, "k": lines.line if "line" in lines.columns else lines.channel})
    return lines.group_by(["customer_id", "order_id"]).aggregate(
        date=lines.order_date.min(), channel=lines.channel.argmin(first), deal=lines.deal.any(),
        pr=lines.count(where=lines.priced), **{k: c.any() for k, c in (has or {}).items()})


def _fixed_values(per_order: ibis.Table) -> tuple[dict[str, ibis.ir.StringValue], ibis.ir.BooleanValue]:
    """The FIXED_VALUES attributes of the orders of :func:`_per_order` (attribute -> value), and whether an
    order is timed (its first line is not at midnight)."""
    h = per_order.date.hour()
    band = ibis.cases((h < 6, "night"), (h < 12, "morning"), (h < 18, "afternoon"), else_="evening")
    wd = per_order.date.day_of_week.index()
    weekday = ibis.cases(*[(wd == i, name) for i, name in enumerate(WEEKDAYS)])
    return ({"hour_band": band, "weekday": weekday,
             "price_sensitivity": ibis.ifelse(per_order.deal, "discounted", "full_price")},
            (h != 0) | (per_order.date.minute() != 0))


def _order_attribute_rows(orders: ibis.Table, ad: pd.Timestamp, start=None,
                          end=None) -> tuple[ibis.Table, ibis.Table, ibis.Table]:
    """Order attributes in the engine, not run: rows (customer_id, attribute, value, n) per customer and
    value for category and channel (their values come from the data); one row per customer for the
    attributes of FIXED_VALUES (customer_id, n = orders, then one count per FIXED_COLUMNS column); and the
    totals (attribute ``_orders``, ``_timed``, ``_priced``; n) that decide which attributes exist.

    The lines are those of the date range with a customer id and a date, not returns, dated before the
    analysis date ``ad``. An order is a (customer id, order id) pair. Attributes, with n =
    - category: orders of the customer holding at least one line of the category (purchases);
    - channel: orders whose first line has that channel (orders whose first line has none are left out);
    - hour_band (night 0-6, morning 6-12, afternoon 12-18, evening 18-24) and weekday (mon..sun): orders by
      the time of their first line;
    - price_sensitivity: orders with a line with a discount > 0 or a campaign ("discounted"), the others
      ("full_price").
    Totals: ``orders`` (orders counted), ``timed`` (orders whose first line is not at midnight: the hour
    bands mean something when they are more than half), ``priced`` (lines with a known discount or a
    campaign: price sensitivity means something when there is one)."""
    lines = _attribute_lines(orders, ad, start, end)
    per_order = _per_order(lines)  # the lines have one consumer and are not materialized
    value_of, timed = _fixed_values(per_order)

    def by_customer(tbl: ibis.Table, attribute: str, value) -> ibis.Table:
        g = tbl.group_by(customer_id=tbl.customer_id, value=value).aggregate(n=tbl.count())
        return g.select(customer_id=g.customer_id, attribute=ibis.literal(attribute), value=g.value.cast("string"),
                        n=g.n.cast("int64"))

    def total(n: ibis.ir.IntegerScalar, attribute: str, tbl: ibis.Table) -> ibis.Table:
        g = tbl.aggregate(n=n)
        return g.select(attribute=ibis.literal(attribute), n=g.n.cast("int64"))

    cat = lines.filter(lines.category.notnull()).select("customer_id", "order_id", "category").distinct()
    with_channel = per_order.filter(per_order.channel.notnull())
    longs = (by_customer(cat, "category", cat.category), by_customer(with_channel, "channel", with_channel.channel))
    fixed = per_order.group_by("customer_id").aggregate(
        n=per_order.count(),
        **{col: per_order.count(where=value_of[a] == v) for a, v, col in FIXED_COLUMNS})
    totals = ibis.union(
        total(per_order.count(where=timed), "_timed", per_order),
        total(per_order.count(), "_orders", per_order),
        total(per_order.pr.sum().fill_null(0), "_priced", per_order), distinct=False)
    return longs, fixed, totals


_STAT_COLUMNS = ("segment", "attribute", "value", "sy", "syy", "syn", "m", "nn")


def _segment_stats(long: ibis.Table, segments: ibis.Table, unique: bool = True) -> ibis.Table:
    """Per segment, attribute and value of ``long`` (customer_id, attribute, value, n): sy = sum of the
    customers' counts y, syy = sum of y^2, syn = sum of y x n_i (n_i: the customer's count over all values
    of the attribute); and per segment and attribute (value NULL): m = customers, sy = sum of n_i, nn = sum
    of n_i^2. ``segments``: (customer_id, segment) for the customers of the base (others are left out).
    ``unique``: ``long`` has one row per customer, attribute and value (else they are summed first)."""
    if unique:
        y = long.select("customer_id", "attribute", "value", y=long.n)
    else:
        y = long.group_by(["customer_id", "attribute", "value"]).aggregate(y=long.n.sum())
    per = y.group_by(["customer_id", "attribute"]).aggregate(ni=y.y.sum())
    per = per.join(segments, "customer_id")
    j = y.join(per, ["customer_id", "attribute"])
    vals = j.group_by(["segment", "attribute", "value"]).aggregate(
        sy=j.y.sum(), syy=(j.y * j.y).sum(), syn=(j.y * j.ni).sum())
    attrs = per.group_by(["segment", "attribute"]).aggregate(sy=per.ni.sum(), nn=(per.ni * per.ni).sum(),
                                                             m=per.count())
    z = ibis.literal(0).cast("int64")
    return ibis.union(
        vals.select(segment=vals.segment, attribute=vals.attribute, value=vals.value, sy=vals.sy.cast("int64"),
                    syy=vals.syy.cast("int64"), syn=vals.syn.cast("int64"), m=z, nn=z),
        attrs.select(segment=attrs.segment, attribute=attrs.attribute, value=ibis.null("string"),
                     sy=attrs.sy.cast("int64"), syy=z, syn=z, m=attrs.m.cast("int64"), nn=attrs.nn.cast("int64")),
        distinct=False)


def _fixed_stats(fixed: ibis.Table, segments: ibis.Table) -> list[ibis.Table]:
    """:func:`_segment_stats` of the FIXED_VALUES attributes from their one row per customer: the sums per
    segment in one aggregation, then one row per attribute and per value with a count (sy > 0)."""
    j = fixed.join(segments, "customer_id")
    aggs = {"m": j.count(), "sy": j.n.sum(), "nn": (j.n * j.n).sum()}
    for _, _, c in FIXED_COLUMNS:
        aggs.update({f"s{c}": j[c].sum(), f"ss{c}": (j[c] * j[c]).sum(), f"sn{c}": (j[c] * j.n).sum()})
    g = j.group_by("segment").aggregate(**aggs)
    z = ibis.literal(0).cast("int64")
    out = [g.select(segment=g.segment, attribute=ibis.literal(a), value=ibis.null("string"), sy=g.sy.cast("int64"),
                    syy=z, syn=z, m=g.m.cast("int64"), nn=g.nn.cast("int64")) for a in FIXED_VALUES]
    for a, v, c in FIXED_COLUMNS:
        out.append(g.filter(g[f"s{c}"] > 0).select(
            segment=g.segment, attribute=ibis.literal(a), value=ibis.literal(v), sy=g[f"s{c}"].cast("int64"),
            syy=g[f"ss{c}"].cast("int64"), syn=g[f"sn{c}"].cast("int64"), m=z, nn=z))
    return out


def _order_values(orders: ibis.Table) -> dict[str, list[str]] | None:
    """The category and channel values of all the order lines (one small query reading those two columns:
    a value that none of the counted lines has gets no row), or None when one of them has more than
    MAX_VALUES (its rare values are then pooled, see :func:`order_attribute_stats`)."""
    parts = []
    for a in ("category", "channel"):
        if a in orders.columns:
            v = orders[a].cast("string")
            parts.append(orders.filter(v.notnull()).select(attribute=ibis.literal(a), value=v).distinct()
                         .limit(MAX_VALUES + 1))
    df = engine.to_frame(ibis.union(*parts, distinct=False)) if parts else pd.DataFrame(columns=["attribute", "value"])
    out = {a: sorted(df.loc[df["attribute"] == a, "value"].astype("str")) for a in ("category", "channel")}
    return None if any(len(v) > MAX_VALUES for v in out.values()) else out


def _wide_order_stats(lines: ibis.Table, values: dict[str, list[str]], segments: ibis.Table) -> ibis.Table:
    """Every order attribute's sums in one row per segment, not run (at most MAX_VALUES categories and
    channels, ``values``): the orders once (:func:`_per_order`, which notes each order's categories), one
    row per customer with a count per attribute value (FIXED_COLUMNS f0.., categories c0.., channels h0..),
    then per segment: m (customers), sy / nn (sums of the customer's orders, or purchases for category, and
    of their squares) per attribute and s / ss / sn (sums of the counts, of their squares and of count x
    n_i) per value; and the totals' sums (n, timed, pr). The base's customers carry b = 1; the others
    (segment and b NULL) count only for the totals."""
    cats, chans = values["category"], values["channel"]
    po = _per_order(lines, {f"c{i}": lines.category == v for i, v in enumerate(cats)})
    value_of, timed = _fixed_values(po)
    counts = {col: po.count(where=value_of[a] == v) for a, v, col in FIXED_COLUMNS}
    counts.update({f"c{i}": po.count(where=po[f"c{i}"]) for i in range(len(cats))})
    counts.update({f"h{i}": po.count(where=po.channel == v) for i, v in enumerate(chans)})
    per = po.group_by("customer_id").aggregate(n=po.count(), timed=po.count(where=timed), pr=po.pr.sum(), **counts)
    zero = ibis.literal(0).cast("int64")
    per = per.mutate(ncat=sum((per[f"c{i}"] for i in range(len(cats))), zero),
                     nch=sum((per[f"h{i}"] for i in range(len(chans))), zero))
    seg = segments.select(cid=segments.customer_id, segment=segments.segment, b=ibis.literal(1))
    j = per.left_join(seg, per.customer_id == seg.cid)
    i64 = lambda x: x.sum().cast("int64")  # noqa: E731
    aggs = {"tn": i64(j.n), "ttimed": i64(j.timed), "tpr": i64(j.pr.fill_null(0)), "m": j.count(), "sy": i64(j.n),
            "nn": i64(j.n * j.n)}
    for tot, cols, m in (("ncat", [f"c{i}" for i in range(len(cats))], "mc"),
                         ("nch", [f"h{i}" for i in range(len(chans))], "mh")):
        aggs.update({m: j.count(where=j[tot] > 0), f"sy{tot}": i64(j[tot]), f"nn{tot}": i64(j[tot] * j[tot])})
        aggs.update({k: v for c in cols for k, v in ((f"s{c}", i64(j[c])), (f"ss{c}", i64(j[c] * j[c])),
                                                    (f"sn{c}", i64(j[c] * j[tot])))})
    for _, _, c in FIXED_COLUMNS:
        aggs.update({f"s{c}": i64(j[c]), f"ss{c}": i64(j[c] * j[c]), f"sn{c}": i64(j[c] * j.n)})
    return j.group_by(["segment", "b"]).aggregate(**aggs)


def _stats_from_wide(wide: pd.DataFrame, values: dict[str, list[str]]) -> pd.DataFrame:
    """The rows of :func:`order_attribute_stats` (before the checks of which attributes exist) from the
    per-segment sums of :func:`_wide_order_stats`: per segment and attribute (value NULL) and per segment
    and value with a count; and the totals (``_orders``, ``_timed``, ``_priced``)."""
    rows = [(None, f"_{name}", None, int(wide[c].fillna(0).sum()), 0, 0, 0, 0)
            for name, c in (("timed", "ttimed"), ("orders", "tn"), ("priced", "tpr"))]
    groups = [(a, [(v, c) for a2, v, c in FIXED_COLUMNS if a2 == a], "m", "sy", "nn") for a in FIXED_VALUES]
    groups += [("category", [(v, f"c{i}") for i, v in enumerate(values["category"])], "mc", "syncat", "nnncat"),
               ("channel", [(v, f"h{i}") for i, v in enumerate(values["channel"])], "mh", "synch", "nnnch")]
    for r in wide.loc[wide["b"].notna()].to_dict(orient="records"):
        sg = None if pd.isna(r["segment"]) else r["segment"]
        for attr, cols, m, sy, nn in groups:
            if not r[m]:
                continue
            rows.append((sg, attr, None, int(r[sy]), 0, 0, int(r[m]), int(r[nn])))
            rows += [(sg, attr, v, int(r[f"s{c}"]), int(r[f"ss{c}"]), int(r[f"sn{c}"]), 0, 0)
                     for v, c in cols if r[f"s{c}"] > 0]
    df = pd.DataFrame(rows, columns=list(_STAT_COLUMNS))
    return df.astype({"segment": "str", "attribute": "str", "value": "str",
                      **{c: np.int64 for c in _STAT_COLUMNS[3:]}})


def _long_order_stats(orders: ibis.Table, ad: pd.Timestamp, segments: ibis.Table, start=None,
                      end=None) -> tuple[pd.DataFrame, ibis.Table]:
    """The rows of :func:`order_attribute_stats` (before its checks) when category or channel has more than
    MAX_VALUES values: per customer and value in the engine (:func:`_order_attribute_rows`), in two
    queries, the (order, category) pairs and the orders (the engine holds one's hash tables at a time);
    and the (customer, attribute, value, n) rows of category and channel, for the pooling of rare values."""
    (by_category, by_channel), fixed, totals = _order_attribute_rows(orders, ad, start, end)
    long = ibis.union(by_category, by_channel, distinct=False)
    z = ibis.literal(0).cast("int64")
    tot = totals.select(segment=ibis.null("string"), attribute=totals.attribute, value=ibis.null("string"),
                        sy=totals.n, syy=z, syn=z, m=z, nn=z)
    df = pd.concat([engine.to_frame(ibis.union(_segment_stats(by_channel, segments), *_fixed_stats(fixed, segments),
                                               tot, distinct=False)),
                    engine.to_frame(_segment_stats(by_category, segments))], ignore_index=True)
    return df, long


def order_attribute_stats(orders: ibis.Table, ad: pd.Timestamp, keys: pd.DataFrame, start=None,
                          end=None) -> pd.DataFrame:
    """Order attribute counts per segment, from the engine, where each customer's segment is joined to the
    orders' counts per customer: with at most MAX_VALUES categories and channels (:func:`_order_values`),
    one query of every attribute's sums per segment (:func:`_wide_order_stats`), else per customer and
    value (:func:`_order_attribute_rows`, :func:`_long_order_stats`). Rows (segment, attribute, value, sy,
    syy, syn) per segment and value, and rows with value None per segment and attribute (sy = orders or
    purchases of the segment with the attribute, m = its customers, nn = sum of the squared counts per
    customer); the sums of squares give
    the clustered variance of a share exactly (see :func:`_n_eff`). ``keys``: customer_id, segment for
    the base. Only attributes with data (category and channel when some order has one, hour bands when
    most orders have a time of day, price sensitivity when some line has a discount or a campaign);
    values beyond the MAX_VALUES most frequent of an attribute are pooled as "other" (one more query when
    an attribute has that many).

    Parameters
    ----------
    orders : ibis.Table
        Order lines.
    ad : pd.Timestamp
        Analysis date.
    keys : pd.DataFrame
        ``customer_id`` and ``segment`` of the base.
    start
        First day, or None.
    end
        Last day, or None.

    Returns
    -------
    pd.DataFrame
        Columns ``segment``, ``attribute``, ``value``, ``sy``, ``syy``, ``syn``, ``m``, ``nn``.
    """
    segments = engine.from_frame(keys[["customer_id", "segment"]].astype({"customer_id": "str"}))
    segments = segments.select("customer_id", "segment")
    values = _order_values(orders)
    if values is not None:  # one query: the orders once, every attribute's sums per segment (no value to pool)
        df = _stats_from_wide(engine.to_frame(_wide_order_stats(_attribute_lines(orders, ad, start, end), values,
                                                                segments)), values)
    else:
        df, long = _long_order_stats(orders, ad, segments, start, end)
    flag = df["attribute"].astype("str").str.startswith("_")
    flags = {str(a)[1:]: int(n) for a, n in zip(df.loc[flag, "attribute"], df.loc[flag, "sy"])}
    df = df.loc[~flag]
    keep = pd.Series(True, index=df.index)
    if not (flags.get("orders", 0) and flags.get("timed", 0) / flags["orders"] > 0.5):  # times of day recorded
        keep &= df["attribute"] != "hour_band"
    if not flags.get("priced", 0):
        keep &= df["attribute"] != "price_sensitivity"
    df = df.loc[keep]
    vals = df.loc[df["value"].notna()]
    base = vals.groupby(["attribute", "value"])["sy"].sum().rename("n").reset_index()
    rare = _rare(base)
    if not rare.empty:
        mapping = engine.from_frame(rare.assign(pooled="other").astype("str"))
        lj = long.left_join(mapping, ["attribute", "value"])
        pooled = lj.select(customer_id=lj.customer_id, attribute=lj.attribute,
                           value=lj.pooled.fill_null(lj.value), n=lj.n)
        again = engine.to_frame(_segment_stats(pooled, segments, unique=False))
        again = again.loc[again["attribute"].isin(set(df["attribute"]))]
        df = pd.concat([df.loc[~df["attribute"].isin(set(again["attribute"]))], again], ignore_index=True)
    out = df[list(_STAT_COLUMNS)].reset_index(drop=True)
    for c in ("sy", "syy", "syn", "m", "nn"):
        out[c] = out[c].astype(np.int64)
    return out


def _n_eff(sy: int, syy: int, syn: int, m: int, n: int, nn: int) -> float:
    """Effective sample size of the share p = sy / n of a ratio estimator clustered by customer, from
    exact integer sums: sum_i (y_i - p n_i)^2 = (n^2 syy - 2 n sy syn + sy^2 nn) / n^2 over the m customers,
    Var(p) = that / n^2 x m / (m - 1), n_eff = p (1 - p) / Var(p), at most n (n when m = 1 or Var = 0)."""
    if m <= 1 or n <= 0:
        return float(n)
    num = n * n * syy - 2 * n * sy * syn + sy * sy * nn
    var = num / (n ** 4) * (m / (m - 1))
    p = sy / n
    ne = p * (1 - p) / var if var > 0 else n
    return float(min(ne, n))


def profile(result: "PersonaFit", key: str | None) -> pd.DataFrame:
    """Attribute table of the segment ``key`` (:func:`segment_key`) against the whole base, from the
    fit's counts per segment: for every attribute value of the base, the segment's count and n, the
    base's, the shares, TGI and intervals (:func:`tgi_table`; order attributes with the clustered n_eff).

    Parameters
    ----------
    result : 'PersonaFit'
        The persona fit.
    key : str | None
        The segment's key, or None.

    Returns
    -------
    pd.DataFrame
        One row per attribute value: counts, shares, TGI and intervals (see :func:`tgi_table`).
    """
    return _profile(result.customer_counts, result.customer_n, result.order_stats, key)


def _profile(cc: pd.DataFrame, cn: pd.DataFrame, st: pd.DataFrame, key: str | None) -> pd.DataFrame:
    frames = []
    if len(cc):
        cnt = cc.groupby(["attribute", "value"])["count"].sum().rename("base_count").reset_index()
        mine = cc.loc[cc["segment"] == key].set_index(["attribute", "value"])["count"]
        idx = pd.MultiIndex.from_frame(cnt[["attribute", "value"]])
        cnt["seg_count"] = mine.reindex(idx).fillna(0).to_numpy(np.int64)
        n_base = cn.groupby("attribute")["n"].sum()
        n_seg = cn.loc[cn["segment"] == key].groupby("attribute")["n"].sum()
        cnt["base_n"] = n_base.reindex(cnt["attribute"]).to_numpy()
        cnt["seg_n"] = n_seg.reindex(cnt["attribute"]).fillna(0).to_numpy()
        cnt["unit"] = "customers"
        cnt["n_eff"] = cnt["seg_n"]
        frames.append(cnt)
    if len(st):
        vals = st.loc[st["value"].notna()]
        attrs = st.loc[st["value"].isna()]
        cnt = vals.groupby(["attribute", "value"])["sy"].sum().rename("base_count").reset_index()
        mine = vals.loc[vals["segment"] == key].set_index(["attribute", "value"])
        idx = pd.MultiIndex.from_frame(cnt[["attribute", "value"]])
        cnt["seg_count"] = mine["sy"].reindex(idx).fillna(0).to_numpy(np.int64)
        base_tot = attrs.groupby("attribute")["sy"].sum()
        seg_attr = attrs.loc[attrs["segment"] == key].set_index("attribute")
        cnt["base_n"] = base_tot.reindex(cnt["attribute"]).to_numpy()
        cnt["seg_n"] = seg_attr["sy"].reindex(cnt["attribute"]).fillna(0).to_numpy()
        cnt["unit"] = np.where(cnt["attribute"] == "category", "purchases", "orders")
        neff = []
        for (attr, val), r in mine.iterrows():
            a = seg_attr.loc[attr]
            neff.append((attr, val, _n_eff(int(r["sy"]), int(r["syy"]), int(r["syn"]), int(a["m"]), int(a["sy"]),
                                           int(a["nn"]))))
        ne_df = pd.DataFrame(neff, columns=["attribute", "value", "n_eff"])
        cnt = cnt.merge(ne_df, on=["attribute", "value"], how="left")
        cnt["n_eff"] = cnt["n_eff"].fillna(cnt["seg_n"])
        frames.append(cnt)
    if not frames:
        return pd.DataFrame()
    df = pd.concat(frames, ignore_index=True)
    tg = tgi_table(df["seg_count"], df["seg_n"], df["base_count"], df["base_n"], df["n_eff"])
    out = pd.concat([df[["attribute", "value", "unit", "seg_count", "seg_n", "base_count", "base_n"]]
                     .rename(columns={"seg_count": "segment_count", "seg_n": "segment_n"}), tg], axis=1)
    out["small"] = out["n_eff"] < MIN_SIZE
    out.loc[out["small"], "significant"] = False
    order = {a: i for i, a in enumerate(CUSTOMER_ATTRS + BEHAVIOUR_ATTRS + ORDER_ATTRS)}
    out["_o"] = out["attribute"].map(order).fillna(99)
    out = out.sort_values(["_o", "segment_share"], ascending=[True, False]).drop(columns="_o")
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- labels


def value_label(attribute: str, value: str, lang: str = "en") -> str:
    """An attribute value's label in ``lang`` (hour bands, weekdays, price sensitivity, "other" and the frequency
    / recency bands translated; other values as they are).

    Parameters
    ----------
    attribute : str
        The attribute.
    value : str
        The value.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The label.
    """
    if attribute == "hour_band" or attribute == "weekday" or attribute == "price_sensitivity" or value == "other":
        return t(f"personas.value.{value}", lang)
    if attribute in ("frequency_band", "recency_band"):
        return t(f"personas.value.{attribute}", lang, v=value)
    return str(value)


def attr_label(attribute: str, lang: str = "en") -> str:
    """An attribute's label in ``lang`` (a column of the customers file by its own name).

    Parameters
    ----------
    attribute : str
        The attribute.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The label.
    """
    if attribute.startswith("attr_"):  # a column of the customers file, by the name it has there
        return attribute[len("attr_"):]
    return t(f"personas.attr.{attribute}", lang)


# ---------------------------------------------------------------- persona card


_URBAN = ("一线", "新一线", "tier 1", "tier1", "first", "1", "new tier 1")
_TOWN = ("三线", "四线", "五线", "tier 3", "tier 4", "tier 5", "3", "4", "5", "三线及以下", "下沉")
_MOM = ("母婴", "宝宝", "育儿", "亲子", "baby", "mom", "parent", "kids", "孕")


def _ev(row: dict, lang: str) -> dict:
    return {"attribute": row["attribute"], "value": row["value"], "tgi": row["tgi"],
            "segment_share": row["segment_share"], "base_share": row["base_share"],
            "evidence": t("personas.card.evidence", lang, attr=attr_label(row["attribute"], lang),
                          value=value_label(row["attribute"], row["value"], lang), tgi=f"{row['tgi']:.0f}",
                          share=fmt_pct(row["segment_share"], lang))}


def _bands_order(attr: str, rows: list[dict]) -> list[str]:
    return [r["value"] for r in rows if r["attribute"] == attr]


def clears_100(r: dict) -> bool:
    """Whether an attribute value's index interval lies entirely above 100 (lower bound > 100) on a
    segment count large enough to be read (not ``small``): the only rows a card recommends on.

    Parameters
    ----------
    r : dict
        An attribute row (``significant``, ``small``, ``tgi_low``).

    Returns
    -------
    bool
        True when it clears 100.
    """
    lo = r.get("tgi_low")
    return bool(r.get("significant")) and not r.get("small") and lo is not None and np.isfinite(lo) and lo > 100


def build_card(attributes: list[dict], size: int, base_size: int, segment_label: str, lang: str = "en",
               stats: dict | None = None, defining=()) -> dict:
    """Persona card from the attribute table: name, portrait, needs, channels, offers. Every sentence
    carries the attribute, value and TGI it rests on.

    Rules: the attributes that define the segment (``defining``, e.g. the RFM bands of an RFM group) are
    left out of the card (their index restates the definition); the name, the needs, the channels and
    the offers rest only on values whose TGI interval lies entirely above 100 (:func:`clears_100`) with
    at least MIN_SUPPORT customers of the segment; the portrait also names values entirely below 100.

    Parameters
    ----------
    attributes : list[dict]
        The TGI table rows (``attribute``, ``value``, ``tgi``, ``tgi_low``, ``tgi_high``, ``significant``,
        ``segment_count``, ``segment_share``, ``base_share``, ...).
    size : int
        Customers of the segment.
    base_size : int
        Customers of the base.
    segment_label : str
        The segment's label.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    stats : dict | None
        The segment's spend and frequency against the base, or None.
    defining
        Attributes that define the segment.

    Returns
    -------
    dict
        ``name``, ``name_basis``, ``portrait``, ``needs``, ``channels``, ``offers`` (each item with its text
        and evidence), ``note``.
    """
    stats = stats or {}
    defining = set(defining or ())
    rows = [r for r in attributes if r.get("tgi") is not None and np.isfinite(r["tgi"])
            and r["attribute"] not in defining]
    strong = sorted([r for r in rows if clears_100(r) and r["segment_count"] >= MIN_SUPPORT
                     and r["value"] != "other"], key=lambda r: -r["tgi"])
    weak = sorted([r for r in rows if r["significant"] and r["tgi_high"] < 100 and r["value"] != "other"],
                  key=lambda r: r["tgi"])
    name, name_basis = _card_name(strong, attributes, lang)
    portrait = _portrait(strong, weak, size, base_size, segment_label, stats, lang)
    needs = _needs(strong, attributes, lang)

    # ---- channels: highest TGI with enough support
    ch_rows = [r for r in strong if r["attribute"] in ("channel", "acquisition_channel")][:3]
    channels = [{"channel": r["value"], "text": t("personas.channel.text", lang, channel=r["value"],
                                                   tgi=f"{r['tgi']:.0f}", share=fmt_pct(r["segment_share"], lang)),
                 **_ev(r, lang)} for r in ch_rows]

    offers = _offers(strong, attributes, lang)
    left = sorted({r["attribute"] for r in attributes if r["attribute"] in defining})
    names = list(dict.fromkeys(attr_label(a, lang) for a in left))
    note = t("personas.card.left_out", lang, attrs=", ".join(names)) if names else ""
    return {"name": name, "name_basis": name_basis, "portrait": portrait, "needs": needs, "channels": channels,
            "offers": offers, "note": note}


def _card_name(strong: list[dict], attributes: list[dict], lang: str) -> tuple[str, list[dict]]:
    """The card's name (up to two adjectives + a noun, each from an over-indexed attribute of ``strong``) and
    the evidence it rests on."""
    def top(attr: str) -> dict | None:
        return next((r for r in strong if r["attribute"] == attr), None)

    adjs: list[tuple[str, dict]] = []
    noun: tuple[str, dict] | None = None
    g = top("gender")
    interest = top("interests")
    if g is not None:
        gv = str(g["value"]).strip().lower()
        female = gv in ("f", "female", "woman", "women", "女", "女性")
        male = gv in ("m", "male", "man", "men", "男", "男性")
        mom = interest is not None and any(k in str(interest["value"]).lower() for k in _MOM)
        if female and mom:
            noun = (t("personas.name.moms", lang), g)
        elif female:
            noun = (t("personas.name.women", lang), g)
        elif male:
            noun = (t("personas.name.men", lang), g)
    ct = top("city_tier")
    if ct is not None:
        v = str(ct["value"]).strip().lower()
        if any(v == k or v.startswith(k) for k in _URBAN):
            adjs.append((t("personas.name.urban", lang), ct))
        elif any(v == k or v.startswith(k) for k in _TOWN):
            adjs.append((t("personas.name.small_town", lang), ct))
    sb = top("spend_band")
    spend_bands = _bands_order("spend_band", attributes)
    if sb is not None and spend_bands:
        ordered = sorted(set(spend_bands), key=_band_key)
        if sb["value"] == ordered[-1]:
            adjs.append((t("personas.name.premium", lang), sb))
        elif sb["value"] == ordered[0]:
            adjs.append((t("personas.name.budget", lang), sb))
    fb = top("frequency_band")
    if fb is not None and fb["value"] in ("6-10", "11+"):
        adjs.append((t("personas.name.loyal", lang), fb))
    rb = top("recency_band")
    if rb is not None and rb["value"] in ("181-365", "365+"):
        adjs.append((t("personas.name.lapsing", lang), rb))
    ps = next((r for r in strong if r["attribute"] == "price_sensitivity"), None)  # discounted or full_price
    if ps is not None:
        adjs.append((t("personas.name.deal" if ps["value"] == "discounted" else "personas.name.full_price", lang), ps))
    ab = top("age_band")
    if ab is not None:
        key = "young" if ab["value"] in ("<18", "18-24", "25-29") else \
            ("thirties" if ab["value"] in ("30-34", "35-39") else "mature")
        adjs.append((t(f"personas.name.{key}", lang), ab))
    hb = top("hour_band")
    if hb is not None and hb["value"] in ("evening", "night"):
        adjs.append((t("personas.name.night_owl", lang), hb))
    own = [r for r in strong if r["attribute"].startswith("attr_")]  # a column of the customers file
    if noun is None:
        cat = top("category")
        if cat is not None:
            noun = (t("personas.name.category_shoppers", lang, cat=cat["value"]), cat)
        elif own and not adjs:
            noun = (t("personas.name.crm_customers", lang, attr=attr_label(own[0]["attribute"], lang),
                      value=value_label(own[0]["attribute"], own[0]["value"], lang)), own[0])
        else:
            noun = (t("personas.name.customers", lang), None)
    adjs = sorted(adjs, key=lambda a: -a[1]["tgi"])[:2]
    sep = "" if lang == "zh" else " "
    name = sep.join([a[0] for a in adjs] + [noun[0]])
    if lang != "zh":
        name = name[:1].upper() + name[1:]
    name_basis = [_ev(a[1], lang) for a in adjs] + ([_ev(noun[1], lang)] if noun[1] is not None else [])
    return name, name_basis


def _portrait(strong: list[dict], weak: list[dict], size: int, base_size: int, segment_label: str, stats: dict,
              lang: str) -> str:
    """The portrait: the segment's size and share, its value against the base (when ``stats`` has it), and
    the values it over- (``strong``) and under-indexes (``weak``) on."""
    share = size / base_size if base_size else None
    sentences = [t("personas.card.portrait_size", lang, n=fmt_number(size, lang), share=fmt_pct(share, lang),
                   segment=segment_label)]
    if stats.get("avg_monetary") is not None:
        sentences.append(t("personas.card.portrait_value", lang, avg=fmt_money(stats["avg_monetary"], lang),
                           base=fmt_money(stats["base_avg_monetary"], lang),
                           value=fmt_pct(stats.get("net_sales_share"), lang)))
    if strong:
        items = ("；" if lang == "zh" else "; ").join(
            t("personas.card.item", lang, attr=attr_label(r["attribute"], lang),
              value=value_label(r["attribute"], r["value"], lang), tgi=f"{r['tgi']:.0f}") for r in strong[:4])
        sentences.append(t("personas.card.portrait_over", lang, items=items))
    if weak:
        items = ("；" if lang == "zh" else "; ").join(
            t("personas.card.item", lang, attr=attr_label(r["attribute"], lang),
              value=value_label(r["attribute"], r["value"], lang), tgi=f"{r['tgi']:.0f}") for r in weak[:3])
        sentences.append(t("personas.card.portrait_under", lang, items=items))
    if not strong and not weak:
        sentences.append(t("personas.card.portrait_none", lang))
    portrait = ("" if lang == "zh" else " ").join(sentences)
    return portrait


def _needs(strong: list[dict], attributes: list[dict], lang: str) -> list[dict]:
    """The needs, each from an over-indexed value (price sensitivity, top spend band, lapsing recency, one
    purchase, category, evening hours, interest) with its evidence."""
    def top(attr: str) -> dict | None:
        return next((r for r in strong if r["attribute"] == attr), None)

    ps = top("price_sensitivity")  # discounted or full_price
    sb, rb, hb, interest = top("spend_band"), top("recency_band"), top("hour_band"), top("interests")
    spend_bands = _bands_order("spend_band", attributes)
    needs = []
    if ps is not None:
        needs.append({"text": t("personas.need.value" if ps["value"] == "discounted" else "personas.need.quality",
                                lang), **_ev(ps, lang)})
    if sb is not None and spend_bands and sb["value"] == sorted(set(spend_bands), key=_band_key)[-1]:
        needs.append({"text": t("personas.need.premium", lang), **_ev(sb, lang)})
    if rb is not None and rb["value"] in ("181-365", "365+"):
        needs.append({"text": t("personas.need.come_back", lang), **_ev(rb, lang)})
    f1 = top("frequency_band")
    if f1 is not None and f1["value"] == "1":
        needs.append({"text": t("personas.need.second_purchase", lang), **_ev(f1, lang)})
    cats = [r for r in strong if r["attribute"] == "category"]
    if cats:
        needs.append({"text": t("personas.need.category", lang, cat=cats[0]["value"]), **_ev(cats[0], lang)})
    if hb is not None and hb["value"] in ("evening", "night"):
        needs.append({"text": t("personas.need.mobile_evening", lang), **_ev(hb, lang)})
    if interest is not None:
        needs.append({"text": t("personas.need.interest", lang, tag=interest["value"]), **_ev(interest, lang)})
    return needs


def _offers(strong: list[dict], attributes: list[dict], lang: str) -> list[dict]:
    """The content and offers, each from an over-indexed value (price sensitivity, categories, hour, weekday,
    top spend band, the customers file's own columns) with its evidence."""
    def top(attr: str) -> dict | None:
        return next((r for r in strong if r["attribute"] == attr), None)

    ps, sb, hb = top("price_sensitivity"), top("spend_band"), top("hour_band")
    spend_bands = _bands_order("spend_band", attributes)
    cats = [r for r in strong if r["attribute"] == "category"]
    own = [r for r in strong if r["attribute"].startswith("attr_")]  # a column of the customers file
    offers = []
    if ps is not None and ps["value"] == "discounted":
        target = cats[0]["value"] if cats else None
        offers.append({"text": t("personas.offer.coupon_cat" if target else "personas.offer.coupon", lang,
                                 cat=target or ""), **_ev(ps, lang)})
    elif ps is not None:
        offers.append({"text": t("personas.offer.no_discount", lang), **_ev(ps, lang)})
    if len(cats) >= 2:
        offers.append({"text": t("personas.offer.bundle", lang, a=cats[0]["value"], b=cats[1]["value"]),
                       **_ev(cats[1], lang)})
    elif cats:
        offers.append({"text": t("personas.offer.content_cat", lang, cat=cats[0]["value"]), **_ev(cats[0], lang)})
    if hb is not None:
        offers.append({"text": t("personas.offer.timing", lang, band=value_label("hour_band", hb["value"], lang)),
                       **_ev(hb, lang)})
    wd = top("weekday")
    if wd is not None:
        offers.append({"text": t("personas.offer.weekday", lang, day=value_label("weekday", wd["value"], lang)),
                       **_ev(wd, lang)})
    if sb is not None and sb["value"] == (sorted(set(spend_bands), key=_band_key)[-1] if spend_bands else None):
        offers.append({"text": t("personas.offer.vip", lang), **_ev(sb, lang)})
    for r in own[:2]:
        offers.append({"text": t("personas.offer.crm_attribute", lang, attr=attr_label(r["attribute"], lang),
                                 value=value_label(r["attribute"], r["value"], lang)), **_ev(r, lang)})
    return offers


def _band_key(label: str) -> float:
    s = str(label).replace(",", "").replace("≥", "").replace("<", "").strip()
    first = s.split("-")[0].strip()
    try:
        v = float(first)
    except ValueError:
        return math.inf
    if str(label).startswith("<"):
        return -math.inf
    return v


# ---------------------------------------------------------------- page compute


def default_segment(source: str, tab: pd.DataFrame) -> str:
    """The segment a page opens on: Champions, 重要价值, cluster 1, or the top tier.

    Parameters
    ----------
    source : str
        rfm, cn8, cluster or tier.
    tab : pd.DataFrame
        The base (``tier`` for the tier source).

    Returns
    -------
    str
        The segment's value.
    """
    if source == "rfm":
        return "Champions"
    if source == "cn8":
        return "重要价值"
    if source == "cluster":
        return "1"
    return str(int(tab["tier"].max()))


def _default_segment(result: PersonaFit) -> str:
    """The segment shown when none is picked: default_segment, and for the customers-only sources the
    whole base or the first attribute value (Response=1 when the file has that column)."""
    if result.source == "base":
        return "all"
    if result.source == "attribute":
        opts = [v for v, _ in attribute_options(result)]
        if not opts:
            raise NotEnoughData("personas.error.crm_no_attributes")
        return "attr_Response=1" if "attr_Response=1" in opts else opts[0]
    return default_segment(result.source, result.customers)


def segment_label(source: str, value: str, lang: str, n_tiers: int = 4) -> str:
    """A segment's label in ``lang``.

    Parameters
    ----------
    source : str
        The segment source (base, attribute, rfm, cn8, cluster, tier).
    value : str
        The segment's value.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    n_tiers : int
        Number of tiers (for tier names).

    Returns
    -------
    str
        The label.
    """
    if source == "base":
        return t("personas.label.all_customers", lang)
    if source == "attribute":
        attr, _, v = str(value).partition("=")
        return f"{attr_label(attr, lang)}: {value_label(attr, v, lang)}"
    if source in ("rfm", "cn8"):
        return seg.group_label(value, lang)
    if source == "cluster":
        return t("segmentation.label.cluster", lang, n=value)
    try:
        return seg.tier_name(int(float(value)), n_tiers, lang)
    except ValueError:
        return str(value)


def page_params(params: dict | None) -> dict:
    """PARAMS defaults overridden by the given values that are not None.

    Parameters
    ----------
    params : dict | None
        The page's parameters, or None.

    Returns
    -------
    dict
        Every PARAMS key with its value.
    """
    p = {pp.key: pp.default for pp in PARAMS}
    p.update({k: v for k, v in (params or {}).items() if v is not None})
    return p


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


def present(result: PersonaFit, params: dict, lang: str = "en") -> dict:
    """The page dict of one segment (params "segment", default: Champions / 重要价值 / cluster 1 / the top
    tier), from the fit alone: kpis, persona_id, segment, analysis_date, size, base_size, share_of_base,
    stats, attributes (the TGI table with labels), card, findings, warnings. Raises
    NotEnoughData("personas.error.too_small") below ``min_size`` customers.

    Parameters
    ----------
    result : PersonaFit
        The persona fit.
    params : dict
        The page's parameters (``segment``, ``min_size``, ``persona_id``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page dict; JSON-safe.
    """
    p = page_params(params)
    tab = result.customers
    source = result.source
    ad = result.analysis_date
    value = str(p.get("segment") or _default_segment(result))
    mask, attrs = segment_profile(result, value)
    defining = defining_attributes(result, value)
    size = int(mask.sum())
    base_size = len(tab)
    min_size = int(p.get("min_size") or MIN_SIZE)
    label = segment_label(source, value, lang, result.n_tiers)
    if size < min_size:
        raise NotEnoughData("personas.error.too_small", segment=label, n=size, min=min_size)
    warnings: list[str] = []
    if size < WARN_SIZE:
        warnings.append(t("personas.warning.small", lang, n=size))
    if size == base_size:
        warnings.append(t("personas.warning.whole_base", lang))
    warnings += _data_warnings(result, attrs, base_size, lang)
    rows = []
    for r in attrs.to_dict(orient="records"):
        r["attribute_label"] = attr_label(r["attribute"], lang)
        r["value_label"] = value_label(r["attribute"], r["value"], lang)
        r["defines_segment"] = r["attribute"] in defining
        rows.append(r)
    stats = _profile_stats(tab, mask, result.has_money)
    if not result.has_money:  # units, never presented as sales
        warnings.insert(0, note(lang))
    card = build_card(rows, size, base_size, label, lang, stats, defining=defining)
    findings = [c["text"] + " (" + c["evidence"] + ")" for c in card["channels"][:1]]
    findings += [o["text"] + " (" + o["evidence"] + ")" for o in card["offers"][:2]]
    findings += [n["text"] + " (" + n["evidence"] + ")" for n in card["needs"][:1]]
    if not any(r["significant"] for r in rows if not r["defines_segment"]):
        findings.append(t("personas.finding.no_signal", lang))
    kpis = {"size": size, "share_of_base": size / base_size, "avg_monetary": stats["avg_monetary"],
            "base_avg_monetary": stats["base_avg_monetary"], "net_sales_share": stats["net_sales_share"],
            "avg_frequency": stats["avg_frequency"]}
    if not result.has_money:
        kpis.update(avg_units=stats["avg_units"], base_avg_units=stats["base_avg_units"],
                    units_share=stats["units_share"])
    return jsonable({
        "kpis": kpis,
        "persona_id": p.get("persona_id"),
        "segment": {"source": source, "value": value, "label": label},
        "analysis_date": ad.date(),
        "size": size,
        "base_size": base_size,
        "share_of_base": size / base_size,
        "stats": stats,
        "attributes": rows,
        "card": card,
        "findings": findings,
        "warnings": warnings,
    })


def _data_warnings(result: PersonaFit, attrs: pd.DataFrame, base_size: int, lang: str) -> list[str]:
    """The warnings about the data behind the profile: customers only (no orders), no customers file,
    customers without a match, and the attributes missing from the TGI table ``attrs``."""
    warnings: list[str] = []
    if result.customers_only:
        from analytics.segmentation import crm

        warnings.append(t("personas.warning.customers_only", lang, n=fmt_number(base_size, lang)))
        warnings.append(crm.cannot_text(lang))
        if result.crm["sampled"]:
            warnings.append(t("segmentation.crm.sampled", lang, n=fmt_number(base_size, lang),
                              rows=fmt_number(result.crm["rows"], lang), seed=result.crm["seed"]))
    if not result.has_customers_data:
        warnings.append(t("personas.warning.no_customers", lang))
    if result.has_customers_data:
        known = result.known_customers
        if known < base_size:
            warnings.append(t("personas.warning.unmatched", lang, n=fmt_number(base_size - known, lang)))
    missing = [a for a in ("category", "channel", "price_sensitivity") if a not in set(attrs["attribute"])]
    if missing and not result.customers_only:
        warnings.append(t("personas.warning.missing_attrs", lang, attrs=", ".join(attr_label(a, lang) for a in missing)))
    return warnings


def _profile_stats(tab: pd.DataFrame, mask, has_money: bool) -> dict:
    """Spend and frequency of the segment (``mask`` over the customers ``tab``) against the base; with
    ``has_money`` False the spend is units (``avg_units``, ``base_avg_units``, ``units_share``) and the
    money keys are None."""
    if "monetary" in tab.columns:
        total = float(tab["monetary"].sum())
        stats = {"avg_monetary": float(tab.loc[mask, "monetary"].mean()),
                 "base_avg_monetary": float(tab["monetary"].mean()),
                 "net_sales_share": float(tab.loc[mask, "monetary"].sum() / total) if total else None,
                 "avg_frequency": float(tab.loc[mask, "frequency"].mean()),
                 "avg_recency": float(tab.loc[mask, "recency_days"].mean())}
    else:  # a customers file without spend columns
        stats = dict.fromkeys(("avg_monetary", "base_avg_monetary", "net_sales_share", "avg_frequency", "avg_recency"))
    if not has_money:  # units, never presented as sales
        stats.update(avg_units=stats["avg_monetary"], base_avg_units=stats["base_avg_monetary"],
                     units_share=stats["net_sales_share"], avg_monetary=None, base_avg_monetary=None,
                     net_sales_share=None)
    return stats


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


# ---------------------------------------------------------------- figures


def figures(result: dict, lang: str = "en") -> list[dict]:
    """The persona's figure: the TGI of the significant values (at most 20), with their intervals.

    Parameters
    ----------
    result : dict
        The page dict of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        One figure dict (``key`` "tgi", ``title``, ``figure``), or none without attributes.
    """
    import plotly.graph_objects as go

    rows = [r for r in result.get("attributes", []) if r.get("tgi") is not None and not r.get("defines_segment")]
    if not rows:
        return []
    sig = [r for r in rows if r["significant"]] or rows
    sig = sorted(sig, key=lambda r: r["tgi"])[-20:]
    top = sig[-1]
    seg_label = result.get("segment", {}).get("label", "")
    title = t("personas.chart.tgi", lang, segment=seg_label, value=value_label(top["attribute"], top["value"], lang),
              attr=attr_label(top["attribute"], lang), tgi=f"{top['tgi']:.0f}")
    labels = [f"{attr_label(r['attribute'], lang)}: {value_label(r['attribute'], r['value'], lang)}" for r in sig]
    fig = go.Figure(go.Bar(
        x=[r["tgi"] for r in sig], y=labels, orientation="h",
        error_x=dict(type="data", symmetric=False,
                     array=[(r["tgi_high"] or r["tgi"]) - r["tgi"] for r in sig],
                     arrayminus=[r["tgi"] - (r["tgi_low"] or r["tgi"]) for r in sig]),
        marker_color=["#2a6fdb" if r["tgi"] >= 100 else "#d9822b" for r in sig]))
    fig.add_vline(x=100, line_dash="dash")
    fig.update_layout(xaxis_title="TGI", height=max(300, 28 * len(sig) + 120))
    charts.finish(fig, lang, title, x="index")
    return [{"key": "tgi", "title": title, "figure": fig}]


# ---------------------------------------------------------------- page helpers


def segment_options(tables: dict, params: dict, lang: str = "en", *, fitted: PersonaFit | None = None) -> list[dict]:
    """Page helper (``cached.page_call``): the segments of the chosen source that exist in the data,
    largest value first for tiers: [{"value": "Champions", "label": ..., "customers": n}, ...].
    ``tables``: kind -> engine table (canonical frames are registered with the engine). ``fitted``: the
    page's fit for the same parameters (``cached.page_call`` passes it), whose base is used as it is.

    Parameters
    ----------
    tables : dict
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters (``source``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    fitted : PersonaFit | None
        The page's fit, or None.

    Returns
    -------
    list[dict]
        One dict per segment with ``value``, ``label``, ``customers``.
    """
    p = page_params(params)
    source = p["source"]
    tables = _engine_tables(tables)
    if tables.get("orders") is None and (fitted is None or fitted.source != source):
        fitted = fit(tables, p)  # customers-only mode
    if fitted is not None and fitted.customers_only and source in ("base", "attribute"):
        vals = [("all", len(fitted.customers))] if source == "base" else attribute_options(fitted)
        return [{"value": v, "label": segment_label(source, v, lang), "customers": n} for v, n in vals]
    if fitted is not None and fitted.source == source:
        tab, n_tiers = fitted.customers, fitted.n_tiers
    else:
        tab, info = _customer_frame(_engine_tables(tables), p)
        n_tiers = _n_tiers(info)
    if source in ("rfm", "cn8"):
        col, order = ("group", seg.NAMED_GROUPS) if source == "rfm" else ("group_cn", seg.CN8_GROUPS)
        counts = tab[col].value_counts()
        values = [(g, int(counts[g])) for g in order if g in counts.index]
    else:
        counts = tab[source].value_counts()
        keys = sorted(counts.index.astype(int), reverse=source == "tier")
        values = [(str(k), int(counts[k])) for k in keys]
    return [{"value": v, "label": segment_label(source, v, lang, n_tiers), "customers": n} for v, n in values]


def compare_rows(personas: list[tuple[str, dict]], lang: str = "en") -> list[dict]:
    """Saved personas side by side (``(column name, result)`` each): size, share of the base, spend,
    share of net sales, frequency, then the three strongest significant over-indexed attributes.

    Parameters
    ----------
    personas : list[tuple[str, dict]]
        (column name, page dict) per persona.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Rows keyed by the measure column and one column per persona.
    """

    measures = [("size", lambda r: fmt_number(r.get("size"), lang)),
                ("share_of_base", lambda r: fmt_pct(r.get("share_of_base"), lang)),
                ("avg_monetary", lambda r: fmt_money((r.get("stats") or {}).get("avg_monetary"), lang)),
                ("net_sales_share", lambda r: fmt_pct((r.get("stats") or {}).get("net_sales_share"), lang)),
                ("avg_frequency", lambda r: fmt_number((r.get("stats") or {}).get("avg_frequency"), lang, 1))]
    measure_col = t("personas.col.measure", lang)
    rows = [{measure_col: t(f"personas.kpi.{name}", lang), **{col: f(r) for col, r in personas}} for name, f in measures]
    for rank in range(3):
        row = {measure_col: t("personas.compare.top", lang, n=rank + 1)}
        for col, r in personas:
            strong = sorted([a for a in r.get("attributes") or [] if a.get("significant") and (a.get("tgi") or 0) > 100],
                            key=lambda a: -a["tgi"])
            row[col] = (f"{strong[rank]['attribute_label']}: {strong[rank]['value_label']} (TGI {strong[rank]['tgi']:.0f})"
                        if len(strong) > rank else "—")
        rows.append(row)
    return rows


def card_sections(card: dict, lang: str = "en") -> list[tuple[str, list[dict]]]:
    """The card's needs, channels and offers, each with its heading in ``lang``.

    Parameters
    ----------
    card : dict
        The card.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[tuple[str, list[dict]]]
        (heading, items) per section.
    """
    return [(t("personas.card.needs", lang), card.get("needs") or []),
            (t("personas.card.channels", lang), card.get("channels") or []),
            (t("personas.card.offers", lang), card.get("offers") or [])]


def segment_line(result: dict, lang: str = "en") -> str:
    """One line naming the segment, its size and its share of the base.

    Parameters
    ----------
    result : dict
        The page dict.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The line.
    """
    return t("personas.card.segment_line", lang, segment=(result.get("segment") or {}).get("label", ""),
             n=fmt_number(result.get("size"), lang), share=fmt_pct(result.get("share_of_base"), lang))


def card_html(result: dict, lang: str = "en", title: str | None = None) -> str:
    """The persona card as an HTML fragment; every text is escaped (names and values are user data).

    Parameters
    ----------
    result : dict
        The page dict.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    title : str | None
        Heading (None: the card's name).

    Returns
    -------
    str
        The HTML.
    """
    e = lambda x: _html.escape("" if x is None else str(x), quote=True)  # noqa: E731
    card = result.get("card") or {}
    parts = [f"<section class='persona'><h2>{e(title or card.get('name'))}</h2>"]
    if title and title != card.get("name"):
        parts.append(f"<p><b>{e(card.get('name'))}</b></p>")
    parts.append(f"<p class='note'>{e(segment_line(result, lang))}</p><p>{e(card.get('portrait'))}</p>")
    for head, items in card_sections(card, lang):
        parts.append(f"<h3>{e(head)}</h3><ul>")
        parts += [f"<li>{e(it.get('text'))}<br><span class='note'>{e(it.get('evidence'))}</span></li>" for it in items]
        if not items:
            parts.append(f"<li class='note'>{e(t('personas.card.none', lang))}</li>")
        parts.append("</ul>")
    basis = "; ".join(b.get("evidence", "") for b in card.get("name_basis") or [])
    if basis:
        parts.append(f"<p class='note'>{e(t('personas.card.name_from', lang, basis=basis))}</p>")
    if card.get("note"):
        parts.append(f"<p class='note'>{e(card['note'])}</p>")
    parts.append("</section>")
    return "".join(parts)


def report_html(result: dict, lang: str = "en", *, user: str = "", filters: dict | None = None,
                datasets: list[dict] | None = None, title: str | None = None) -> str:
    """The page's HTML report (analytics.report.to_html) with the persona card right under the title.

    Parameters
    ----------
    result : dict
        The page dict.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    user : str
        Who generated the report.
    filters : dict | None
        The filters used, or None.
    datasets : list[dict] | None
        The datasets used, or None.
    title : str | None
        The card's heading, or None.

    Returns
    -------
    str
        The HTML document.
    """
    from analytics import report

    doc = report.to_html(PAGE, result, figures(result, lang), lang=lang, user=user, filters=filters, datasets=datasets)
    return doc.replace("</h1>", "</h1>" + card_html(result, lang, title), 1)


# ---------------------------------------------------------------- PNG of the card

_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f]")


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """An installed font that can draw Chinese (``fc-list :lang=zh``), or None.

    Returns
    -------
    str | None
        The font file's path, or None.
    """
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file", "style"], capture_output=True, text=True,
                             timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = []
    for line in out.splitlines():
        path, _, style = line.partition(":")
        path = path.strip()
        if path.lower().endswith((".ttf", ".ttc", ".otf")):
            files.append((0 if "regular" in style.lower() or not style.strip() else 1, path))
    return sorted(files)[0][1] if files else None


@lru_cache(maxsize=1)
def latin_font_path() -> str | None:
    """The sans-serif font file (``fc-match``), or None.

    Returns
    -------
    str | None
        The font file's path, or None.
    """
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", "sans-serif"], capture_output=True, text=True,
                             timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out or None


def png_can_draw(lang: str) -> bool:
    """True when the PNG of a card in ``lang`` can be drawn (Chinese needs a CJK font).

    Parameters
    ----------
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    bool
        True when it can.
    """
    return lang != "zh" or cjk_font_path() is not None


def _font(size: int, path: str | None):
    from PIL import ImageFont

    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default(size)


def _drawable(text: str, cjk: bool) -> str:
    text = "" if text is None else str(text)
    if cjk:
        return text
    # "香氛 Fragrance" -> "Fragrance"; a value only in Chinese -> "…" (the font cannot draw it)
    out = re.sub(r"…\s+(?=[A-Za-z])", "", re.sub(f"(?:{_CJK.pattern})+", "…", text))
    return re.sub(r"\s+", " ", out).strip()


def _wrap(text: str, font, width: float) -> list[str]:
    tokens = re.findall(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]+\s*|\s+", text)
    lines, cur = [], ""
    for tok in tokens:
        if cur and font.getlength(cur + tok.rstrip()) > width:
            lines.append(cur.rstrip())
            cur = tok.lstrip()
        else:
            cur += tok
    if cur.strip():
        lines.append(cur.rstrip())
    return lines or [""]


def card_png(result: dict, lang: str = "en", *, title: str | None = None, footer: str = "",
             width: int = 1000) -> bytes:
    """The persona card as a PNG (Pillow). Chinese is drawn with an installed CJK font; without one,
    characters the fallback font cannot draw are left out (render the English card instead).

    Parameters
    ----------
    result : dict
        The page dict.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    title : str | None
        Heading (None: the card's name).
    footer : str
        Text at the bottom.
    width : int
        Width in pixels.

    Returns
    -------
    bytes
        The PNG.
    """
    from PIL import Image, ImageDraw

    cjk_path = cjk_font_path()
    cjk = cjk_path is not None
    path = cjk_path or latin_font_path()
    f_title, f_sub, f_body, f_head, f_note = (_font(s, path) for s in (38, 20, 22, 24, 17))
    pad, inner = 48, width - 2 * 48
    card = result.get("card") or {}
    d = lambda x: _drawable(x, cjk)  # noqa: E731
    blocks: list[tuple[str, object, str, int]] = []  # (text, font, colour, space before)
    blocks += [(ln, f_title, "#ffffff", 0) for ln in _wrap(d(title or card.get("name")), f_title, inner)]
    if title and title != card.get("name"):
        blocks += [(ln, f_sub, "#dfe7ff", 4) for ln in _wrap(d(card.get("name")), f_sub, inner)]
    blocks += [(ln, f_sub, "#dfe7ff", 8) for ln in _wrap(d(segment_line(result, lang)), f_sub, inner)]
    header_lines = len(blocks)
    blocks += [(ln, f_body, "#1f2330", 28 if i == 0 else 0)
               for i, ln in enumerate(_wrap(d(card.get("portrait")), f_body, inner))]
    for head, items in card_sections(card, lang):
        blocks.append((d(head), f_head, "#2a4fb0", 26))
        if not items:
            blocks.append((d(t("personas.card.none", lang)), f_note, "#6b7080", 6))
        for it in items:
            blocks += [(("• " if i == 0 else "  ") + ln, f_body, "#1f2330", 8 if i == 0 else 0)
                       for i, ln in enumerate(_wrap(d(it.get("text")), f_body, inner - 30))]
            blocks += [("  " + ln, f_note, "#6b7080", 2) for ln in _wrap(d(it.get("evidence")), f_note, inner - 30)]
    if footer:
        blocks += [(ln, f_note, "#6b7080", 28) for ln in _wrap(d(footer), f_note, inner)]

    def lh(font) -> int:
        return int(font.size * 1.45)

    header_h = pad + sum(lh(b[1]) + b[3] for b in blocks[:header_lines]) + 24
    height = pad + sum(lh(b[1]) + b[3] for b in blocks) + pad + 24
    img = Image.new("RGB", (width, height), "#ffffff")
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, width, header_h], fill="#2a4fb0")
    y = pad
    for i, (text, font, colour, before) in enumerate(blocks):
        if i == header_lines:
            y = header_h
        y += before
        draw.text((pad, y), text, font=font, fill=colour)
        y += lh(font)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
