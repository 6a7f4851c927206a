"""Engine aggregates: the customers kind's columns the persona reads, and the order attributes counted per
segment in the engine (one query of every attribute's sums per segment, or per customer and value when an
attribute has more than MAX_VALUES values), from which the clustered intervals are exact."""

from __future__ import annotations

import datetime as _dt

import ibis
import numpy as np
import pandas as pd

from analytics.segmentation import customers as _cu
from data import engine

from .attributes import _rare
from .base import HOUR_BANDS, MAX_VALUES, WEEKDAYS

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
