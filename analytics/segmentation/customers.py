"""The engine side of segmentation: every query over order lines, each an aggregation.

Order lines stay in the engine (Ibis expressions on embedded DuckDB, see data/engine.py); Python receives
one row per customer (:func:`customer_aggregates`, :func:`purchase_day_summary`), one row per cohort
month x calendar month (:func:`cohort_cells`) or a handful of counts (:func:`line_counts`).

Money is summed as DECIMAL(38, 10) and converted to float in Python: the sum is exact and does not
depend on how the engine splits the work between threads, so equal spends stay equal (quantile ties)
and a spend of exactly 500.00 reaches a 500 tier threshold.
"""

from __future__ import annotations

import datetime as _dt
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import ibis
import numpy as np
import pandas as pd

from analytics.common import NotEnoughData
from data import engine

MONEY = "decimal(38, 10)"
ORDER_COLUMNS = ("order_id", "order_date", "customer_id", "amount", "is_return")
CUSTOMER_COLUMNS = ("customer_id", "points")
_NEEDED = {"orders": ORDER_COLUMNS, "customers": CUSTOMER_COLUMNS}


# ---------------------------------------------------------------- inputs


def as_tables(data: dict, registered: list | None = None) -> dict[str, ibis.Table]:
    """``kind -> ibis.Table`` from ``kind -> ibis.Table or pandas frame`` (callers that still hold frames:
    the persona builder, recommendations, tests). A frame is registered with the engine with only the
    columns segmentation reads (appended to ``registered`` when given); tables pass through.

    Parameters
    ----------
    data : dict
        Kind -> engine table or frame.
    registered : list | None
        Collects the tables registered for frames, or None.

    Returns
    -------
    dict[str, ibis.Table]
        Kind -> engine table (``orders``, ``customers`` when given).
    """
    out: dict[str, ibis.Table] = {}
    for kind, cols in _NEEDED.items():
        x = data.get(kind) if data is not None else None
        if x is None:
            continue
        if isinstance(x, pd.DataFrame):
            x = engine.from_frame(x[[c for c in x.columns if c in cols or c == engine.LINE]])
            if registered is not None:
                registered.append(x)
        out[kind] = x
    return out


@contextmanager
def frame_tables(data: dict) -> Iterator[tuple[dict[str, ibis.Table], bool]]:
    """:func:`as_tables` for one call. Yields (tables, whether any frame was registered); the engine drops
    a registered frame with the last expression built on it (``data.engine.from_frame``).

    Parameters
    ----------
    data : dict
        Kind -> engine table or frame.
    """
    registered: list[ibis.Table] = []
    yield as_tables(data, registered), bool(registered)


def _ts(x) -> _dt.datetime:
    return pd.Timestamp(x).to_pydatetime()


def date_range(orders: ibis.Table, start=None, end=None) -> ibis.ir.BooleanValue:
    """``start <= order_date < end + 1 day`` (both ends inclusive by calendar day), as
    analytics.common.filter_dates; True when neither is given (lines without a date are then kept).

    Parameters
    ----------
    orders : ibis.Table
        Order lines.
    start
        First day, or None.
    end
        Last day, or None.

    Returns
    -------
    ibis.ir.BooleanValue
        The condition.
    """
    cond = ibis.literal(True)
    if start is not None:
        cond = cond & (orders.order_date >= _ts(pd.Timestamp(start)))
    if end is not None:
        cond = cond & (orders.order_date < _ts(pd.Timestamp(end) + pd.Timedelta(days=1)))
    return cond


def order_lines(orders: ibis.Table, start=None, end=None) -> ibis.Table:
    """The orders in the date range (all lines, with or without a customer id).

    Parameters
    ----------
    orders : ibis.Table
        Order lines.
    start
        First day, or None.
    end
        Last day, or None.

    Returns
    -------
    ibis.Table
        The lines.
    """
    if start is None and end is None:
        return orders
    return orders.filter(date_range(orders, start, end))


def prepared_lines(orders: ibis.Table) -> ibis.Table:
    """Lines with a date and a customer id, typed for the aggregates: customer_id and order_id as text,
    order_date in microseconds, amount (missing or NaN -> 0), is_return (missing -> False) and net
    (returns count -|amount|).

    Parameters
    ----------
    orders : ibis.Table
        Order lines.

    Returns
    -------
    ibis.Table
        Columns ``customer_id``, ``order_id``, ``order_date``, ``amount``, ``is_return``, ``net``.
    """
    o = orders.filter(orders.order_date.notnull() & orders.customer_id.notnull())
    a = o.amount.cast("float64")
    amount = ibis.ifelse(a.isnan(), 0.0, a).fill_null(0.0)
    ret = o.is_return.cast("boolean").fill_null(False)
    # microseconds: DuckDB 2.0.1 derives wrong statistics for EXTRACT on TIMESTAMP_NS, which makes a
    # GROUP BY on a month number return shifted months (or fail); TIMESTAMP (us) is not affected
    return o.select(customer_id=o.customer_id.cast("string"), order_id=o.order_id.cast("string"),
                    order_date=o.order_date.cast("timestamp(6)"), amount=amount, is_return=ret,
                    net=ibis.ifelse(ret, -amount.abs(), amount))


def money(x: ibis.ir.NumericColumn, where=None) -> ibis.ir.NumericScalar:
    """Exact sum of an amount column (decimal; :func:`to_float` converts the result).

    Parameters
    ----------
    x : ibis.ir.NumericColumn
        Amounts.
    where
        Filter, or None.

    Returns
    -------
    ibis.ir.NumericScalar
        The decimal sum.
    """
    return x.cast(MONEY).sum(where=where)


def to_float(col: pd.Series) -> np.ndarray:
    """Decimal sums from the engine as floats (correctly rounded; missing -> 0). ``engine.to_frame``
    already delivers them as float64 (:func:`data.engine.decimals_to_float`); Decimal objects (a frame
    built elsewhere) are converted one by one.

    Parameters
    ----------
    col : pd.Series
        Sums from the engine.

    Returns
    -------
    np.ndarray
        Floats.
    """
    if col.dtype == object:
        return np.array([0.0 if v is None or v is pd.NA else float(v) for v in col], dtype=float)
    return np.nan_to_num(col.to_numpy(dtype=float, na_value=np.nan), nan=0.0)


# ---------------------------------------------------------------- counts


@dataclass(frozen=True)
class LineCounts:
    """Counts over the order lines (one engine query)."""
    orders: int              # lines of the orders table (before the date range)
    lines_total: int         # lines in the date range
    lines_no_id: int         # lines in the range with a date and no customer id
    lines_prepared: int      # lines in the range with a date and a customer id
    customer_ids: int | None  # distinct customer ids in the range (any line, any date); None: not counted
    last_prepared: pd.Timestamp | None  # last order date of a line with a customer id
    last_line: pd.Timestamp | None      # last order date of any line in the range


def analysis_date_of(orders: ibis.Table, analysis_date=None) -> pd.Timestamp:
    """``analysis_date`` as a timestamp, else the calendar day after the last order line.

    Parameters
    ----------
    orders : ibis.Table
        Order lines.
    analysis_date
        The analysis date, or None.

    Returns
    -------
    pd.Timestamp
        The analysis date (NotEnoughData without a dated line).
    """
    if analysis_date is not None:
        return pd.Timestamp(analysis_date)
    last = line_counts(orders).last_line
    if last is None:
        raise NotEnoughData("segmentation.error.no_orders")
    return last.normalize() + pd.Timedelta(days=1)


def line_counts(orders: ibis.Table, start=None, end=None, *, distinct_ids: bool = True) -> LineCounts:
    """One aggregate query: how many lines there are, how many lack a customer id, the last dates.

    Parameters
    ----------
    orders : ibis.Table
        Order lines.
    start
        First day, or None.
    end
        Last day, or None.
    distinct_ids : bool
        Count the distinct customer ids (False: ``customer_ids`` is None; the distinct count of 10M lines
        is most of this query's cost, and a caller that groups the lines per customer anyway has it,
        :func:`customer_id_count`).

    Returns
    -------
    LineCounts
        All lines, lines in the range, without a customer id, prepared, distinct ids, last prepared and last
        line dates.
    """
    rng = date_range(orders, start, end)
    dated = orders.order_date.notnull()
    has_id = orders.customer_id.notnull()
    q = orders.aggregate(
        n=orders.count(), total=orders.count(where=rng), no_id=orders.count(where=rng & dated & ~has_id),
        prepared=orders.count(where=rng & dated & has_id),
        **({"ids": orders.customer_id.cast("string").nunique(where=rng)} if distinct_ids else {}),
        last_prepared=orders.order_date.max(where=rng & has_id), last_line=orders.order_date.max(where=rng))
    r = engine.to_frame(q).iloc[0]

    def ts(v):
        return None if v is None or pd.isna(v) else pd.Timestamp(v)

    return LineCounts(int(r["n"]), int(r["total"]), int(r["no_id"]), int(r["prepared"]),
                      int(r["ids"]) if distinct_ids else None, ts(r["last_prepared"]), ts(r["last_line"]))


def customer_id_count(orders: ibis.Table, counts: LineCounts, customers: int, start=None, end=None) -> int:
    """``counts.customer_ids``, counted when :func:`line_counts` left it out: when every line of the range
    has a date, the ids of the range are those of the prepared lines, one row each in
    :func:`customer_aggregates` (``customers`` rows); otherwise one more distinct count.

    Parameters
    ----------
    orders : ibis.Table
        Order lines.
    counts : LineCounts
        The range's counts.
    customers : int
        Rows of the customer aggregates of the range's prepared lines.
    start
        First day, or None.
    end
        Last day, or None.

    Returns
    -------
    int
        Distinct customer ids in the range (any line, any date).
    """
    if counts.customer_ids is not None:
        return counts.customer_ids
    if counts.lines_total == counts.lines_no_id + counts.lines_prepared:  # no line of the range without a date
        return int(customers)
    return line_counts(orders, start, end).customer_ids


# ---------------------------------------------------------------- per customer


AGG_COLUMNS = ("customer_id", "first_purchase", "last_purchase", "frequency", "gross", "returns",
               "spend_last_year", "lines_after")


def customer_aggregates(lines: ibis.Table, ad: pd.Timestamp, before: pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per customer id of the prepared lines (all of them, also those with only returns or only
    lines after the analysis date), sorted by customer id, index ``code`` = the row number.

    Columns, over the lines before ``ad`` (midnight): first_purchase / last_purchase (first and last
    non-return line; NaT when there is none), frequency (distinct order ids with a non-return line),
    gross (amount of the non-return lines), returns (|amount| of the return lines), spend_last_year (net
    amount of the lines in the 365 days before ad); lines_after (lines dated ad or later). With
    ``before``: prev_last_purchase, prev_frequency, prev_gross, prev_returns, the same at ``before``.

    Parameters
    ----------
    lines : ibis.Table
        Prepared lines (:func:`prepared_lines`).
    ad : pd.Timestamp
        Analysis date.
    before : pd.Timestamp | None
        An earlier date for the ``prev_*`` columns, or None.

    Returns
    -------
    pd.DataFrame
        One row per customer.
    """
    # The order counts in two steps, per (customer, order) then per customer, joined to the sums: one
    # COUNT(DISTINCT order_id) per date cut made the engine keep its own hash of every (customer, order)
    # pair for each; here one hash of the pairs with a non-return line before ad (one small count each).
    nr = ~lines.is_return
    cur = lines.order_date < _ts(ad)
    year = lines.order_date >= _ts(ad - pd.Timedelta(days=365))
    aggs = dict(
        first_purchase=lines.order_date.min(where=nr & cur), last_purchase=lines.order_date.max(where=nr & cur),
        gross=money(lines.amount, nr & cur), returns=money(lines.amount.abs(), lines.is_return & cur),
        spend_last_year=money(lines.net, cur & year), lines_after=lines.count(where=~cur))
    has_id = lines.order_id.notnull()  # COUNT(DISTINCT) leaves NULL ids out
    bought = lines.filter(nr & cur & has_id)
    counts = dict(frequency=lambda o: o.count())
    if before is not None:
        prev = lines.order_date < _ts(before)
        aggs.update(prev_last_purchase=lines.order_date.max(where=nr & prev),
                    prev_gross=money(lines.amount, nr & prev),
                    prev_returns=money(lines.amount.abs(), lines.is_return & prev))
        bought = lines.filter(nr & (cur | prev) & has_id).mutate(cur=cur, prev=prev)  # any before, also > ad
        counts = dict(frequency=lambda o: o.count(where=o.cur), prev_frequency=lambda o: o.count(where=o.prev))
    per = lines.group_by("customer_id").aggregate(**aggs)
    if before is not None:
        orders = bought.group_by(["customer_id", "order_id"]).aggregate(cur=bought.cur.any(), prev=bought.prev.any())
    else:
        orders = bought.select("customer_id", "order_id").distinct()
    freq = orders.group_by("customer_id").aggregate(**{k: f(orders) for k, f in counts.items()})
    j = per.left_join(freq, "customer_id")
    cols = [j[c] for c in ("customer_id", "first_purchase", "last_purchase")]
    cols.append(j.frequency.fill_null(0).name("frequency"))
    cols += [j[c] for c in ("gross", "returns", "spend_last_year", "lines_after")]
    if before is not None:
        cols += [j.prev_last_purchase, j.prev_frequency.fill_null(0).name("prev_frequency"), j.prev_gross,
                 j.prev_returns]
    return _sorted_by_customer(j.select(*cols))


def _sorted_by_customer(q: ibis.Table) -> pd.DataFrame:
    """The rows of a per-customer query in the order of the customer ids, sorted in the engine (DuckDB
    compares text byte by byte, which for UTF-8 is the code-point order pandas sorts Python strings in),
    index ``code`` 0..n-1, money as float (missing -> 0), dates as datetime64[ns]."""
    df = engine.to_frame(q.order_by("customer_id"))
    df["customer_id"] = df["customer_id"].astype("str")
    for c in df.columns:
        if c != "customer_id" and (df[c].dtype == object or pd.api.types.is_float_dtype(df[c])):
            df[c] = to_float(df[c])
        elif str(df[c].dtype).startswith("datetime64"):
            df[c] = df[c].astype("datetime64[ns]")
    for c in ("frequency", "prev_frequency", "lines_after"):
        if c in df.columns:
            df[c] = df[c].fillna(0).astype(np.int64)
    df.index.name = "code"
    return df


def positions(ids: pd.Series, index: pd.Index) -> np.ndarray:
    """The position of each id in ``index`` (-1 where absent), ``index.get_indexer(ids)`` computed by
    Arrow's hash lookup (a third of pandas' time on a million customer ids).

    Parameters
    ----------
    ids : pd.Series
        Customer ids.
    index : pd.Index
        Distinct customer ids.

    Returns
    -------
    np.ndarray
        Positions (int64).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.index_in(pa.array(ids.astype("str")), value_set=pa.array(pd.Series(index).astype("str")))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def customer_ids(lines: ibis.Table) -> pd.Index:
    """The sorted distinct customer ids of the prepared lines (one row per customer).

    Parameters
    ----------
    lines : ibis.Table
        Prepared lines.

    Returns
    -------
    pd.Index
        The ids.
    """
    ids = engine.to_frame(lines.select("customer_id").distinct().order_by("customer_id"))["customer_id"]
    return pd.Index(ids.astype("str"), dtype="str")


def purchase_day_summary(lines: ibis.Table, ad: pd.Timestamp, calibration_end: pd.Timestamp) -> pd.DataFrame:
    """Per customer, over the non-return lines before ``ad`` on calendar days up to ``calibration_end``
    (analytics.clv.purchase_days: several orders on one day are one purchase): first_day, last_day,
    days (distinct purchase days), total (value of all days), first_value (value of the first day).

    Parameters
    ----------
    lines : ibis.Table
        Prepared lines.
    ad : pd.Timestamp
        Analysis date.
    calibration_end : pd.Timestamp
        Last day counted.

    Returns
    -------
    pd.DataFrame
        Columns ``customer_id``, ``first_day``, ``last_day``, ``days``, ``total``, ``first_value``, sorted by
        customer id.
    """
    nr = ~lines.is_return
    keep = nr & (lines.order_date < _ts(ad)) & (lines.order_date < _ts(calibration_end + pd.Timedelta(days=1)))
    kept = lines.filter(keep)
    d = kept.mutate(day=kept.order_date.truncate("D"))
    days = d.group_by(["customer_id", "day"]).aggregate(value=d.amount.cast(MONEY).sum())
    q = days.group_by("customer_id").aggregate(
        first_day=days.day.min(), last_day=days.day.max(), days=days.count(), total=days.value.sum(),
        first_value=days.value.argmin(days.day))
    return _sorted_by_customer(q)


# ---------------------------------------------------------------- cohorts


def month_index(ts: ibis.ir.TimestampValue) -> ibis.ir.IntegerValue:
    """Months since year 0: year x 12 + month - 1.

    Parameters
    ----------
    ts : ibis.ir.TimestampValue
        Timestamps.

    Returns
    -------
    ibis.ir.IntegerValue
        Month numbers.
    """
    return ts.year() * 12 + ts.month() - 1


def cohort_cells(lines: ibis.Table, ad: pd.Timestamp) -> tuple[pd.DataFrame, int | None]:
    """Acquisition cohorts (month of the customer's first non-return line before ``ad``) x calendar
    month, one engine query: a frame of cells (cohort, month, active = customers of the cohort with a
    non-return line in the month, net = net amount of all their lines in the month), and the last month
    with any line before ``ad`` (None when there is none). A cohort's size is its active count in its
    own month. Months are :func:`month_index` numbers.

    Parameters
    ----------
    lines : ibis.Table
        Prepared lines.
    ad : pd.Timestamp
        Analysis date.

    Returns
    -------
    tuple[pd.DataFrame, int | None]
        Columns ``cohort``, ``month``, ``active``, ``net``; and the last month.
    """
    before = lines.filter(lines.order_date < _ts(ad))
    cur = before.mutate(month=month_index(before.order_date))
    cm = cur.group_by(["customer_id", "month"]).aggregate(
        bought=cur.count(where=~cur.is_return), net=cur.net.cast(MONEY).sum())
    bought = cm.filter(cm.bought > 0)
    first = bought.group_by("customer_id").aggregate(cohort=bought.month.min())
    j = cm.left_join(first, "customer_id")
    cells = j.group_by(["cohort", "month"]).aggregate(active=j.count(where=j.bought > 0), net=j.net.sum())
    df = engine.to_frame(cells)
    last = None if df.empty else int(df["month"].max())
    df = df.loc[df["cohort"].notna()].reset_index(drop=True)
    df["cohort"] = df["cohort"].astype(np.int64)
    df["month"] = df["month"].astype(np.int64)
    df["net"] = to_float(df["net"])
    return df, last


# ---------------------------------------------------------------- customers kind


def points_by_customer(customers: ibis.Table | None) -> pd.Series | None:
    """Loyalty points per customer id from the customers table (the last row of an id wins, as in a
    file read top to bottom), or None when the table has no points. The customers kind holds one row per
    customer, so this is as long as the customer base.

    Parameters
    ----------
    customers : ibis.Table | None
        The customers table, or None.

    Returns
    -------
    pd.Series | None
        Points by customer id, or None.
    """
    if customers is None or "points" not in customers.columns or "customer_id" not in customers.columns:
        return None
    c = customers
    cols = {"customer_id": c.customer_id.cast("string"), "points": c.points.cast("float64")}
    if engine.LINE in c.columns:
        cols[engine.LINE] = c[engine.LINE]
    sel = c.select(**cols)
    has = engine.to_frame(sel.aggregate(n=sel.points.count(where=~sel.points.isnan())))["n"].iloc[0]
    if not has:
        return None
    sel = sel.filter(sel.customer_id.notnull())
    if engine.LINE in c.columns:
        sel = sel.order_by(engine.LINE)
    df = engine.to_frame(sel)
    df = df.drop_duplicates("customer_id", keep="last")
    return pd.Series(df["points"].to_numpy(float), index=pd.Index(df["customer_id"].astype("str")))


@dataclass
class Prepared:
    """The order lines segmentation works on (lines with a date and a customer id, in the date range), as
    an engine expression that is never materialised, and the customer codes: code = position of the
    customer id in ``ids`` (sorted). ``lines`` is None when the engine table it was built on is gone
    (customer_frame of canonical frames drops the tables it registered)."""
    lines: ibis.Table | None
    ids: pd.Index
    lines_total: int
    lines_no_id: int


def prepare(orders, start=None, end=None) -> Prepared:
    """:class:`Prepared` of an orders table or canonical frame (one count query, one distinct-ids query).

    Parameters
    ----------
    orders
        Orders engine table or canonical frame.
    start
        First day, or None.
    end
        Last day, or None.

    Returns
    -------
    Prepared
        The prepared lines, the customer ids, all lines and lines without an id.
    """
    tbl = as_tables({"orders": orders})["orders"]
    counts = line_counts(tbl, start, end)
    lines = prepared_lines(order_lines(tbl, start, end))
    return Prepared(lines, customer_ids(lines), counts.lines_total, counts.lines_no_id)
