"""The engine side of recommendations: every query over order lines, each an aggregation.

Order lines stay in the engine (Ibis expressions on embedded DuckDB, see data/engine.py). Python receives
one row per product id x name x category (:func:`product_lines`: the counts of cleaning and the
catalogue, read by :func:`clean_lines`), one row per customer x product pair (:func:`pair_aggregates`:
the interaction strengths of the training window, of the holdout window and of all history), one row
per customer (the most frequent order region, :func:`order_regions`), buyers per product
(:func:`buyers_per_product`, for the page's product picker) and the customers kind (one row per customer,
:func:`customer_attributes`). The sparse matrices the models learn from are built from the pairs
(:func:`matrix_from_codes`).

Which lines count (:func:`clean_lines`): a sales line in the date range with an order date and a
product id (the product name when the file has no product ids), that is not a return (``is_return``, or
quantity <= 0) and not a service line (postage, fees, ...: :data:`SERVICE_PATTERN` on the product name or
id). Lines without a customer id count for the catalogue (products and their names) but not as
interactions.

A product's name and category are the ones on its latest line (by order date; equal dates: the later
source line ``__line__`` when the table has it, else the larger value), which for a file sorted by date
(exports usually are) is its last line in the file.
"""

from __future__ import annotations

import datetime as _dt
import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp

from analytics.common import NotEnoughData
from analytics.expr import last_by
from data import engine

SERVICE_PATTERN = re.compile(
    r"^\s*(postage|dotcom postage|carriage|next day carriage|manual|discount|samples?|bank charges|"
    r"amazon fee|adjust bad debt|adjustment|cruk commission|邮费|运费|运费险|手续费|补差价?|补运费|优惠券?)\s*$",
    re.IGNORECASE,
)
LINE = engine.LINE
# the columns a registered frame keeps (with those analytics.segmentation reads for the target lists)
ORDER_COLUMNS = ("order_id", "order_date", "customer_id", "product_id", "product_name", "category", "quantity",
                 "region", "is_return", "amount", LINE)
CUSTOMER_COLUMNS = ("customer_id", "region", "member_level", "points", LINE)
_NEEDED = {"orders": ORDER_COLUMNS, "customers": CUSTOMER_COLUMNS}


# ---------------------------------------------------------------- inputs


def as_tables(data: dict | None, registered: list | None = None) -> dict[str, ibis.Table]:
    """``kind -> ibis.Table`` from ``kind -> ibis.Table or canonical frame``. A frame is registered with
    the engine with only the columns recommendations read (appended to ``registered`` when given);
    tables pass through.

    Parameters
    ----------
    data : dict | None
        Kind -> engine table or canonical frame, or None.
    registered : list | None
        Collects the tables registered for frames, or None.

    Returns
    -------
    dict[str, ibis.Table]
        Kind -> engine table.
    """
    out: dict[str, ibis.Table] = {}
    for kind, x in (data or {}).items():
        if x is None:
            continue
        if isinstance(x, pd.DataFrame):
            cols = _NEEDED.get(kind)
            sub = x[[c for c in x.columns if cols is None or c in cols]]
            sub.attrs = {}
            blank = [c for c in sub.columns if sub[c].dtype == object and sub[c].isna().all()]
            if blank:  # an all-missing text column has no type the engine can store
                sub = sub.astype({c: "str" for c in blank})
            x = engine.from_frame(sub)
            if registered is not None:
                registered.append(x)
        out[kind] = x
    return out


def drop_tables(tables: list[ibis.Table]) -> None:
    """Drop engine tables registered for frames (they would live as long as the thread's connection).

    Parameters
    ----------
    tables : list[ibis.Table]
        The registered tables.
    """
    for tbl in tables:
        op = tbl.op()
        ns = getattr(op, "namespace", None)
        db = (ns.catalog, ns.database) if ns is not None and ns.catalog else None
        try:
            engine.connection().drop_table(op.name, database=db, force=True)
        except Exception:  # noqa: BLE001 - never fail a result over cleaning up
            try:
                engine.connection().drop_view(op.name, database=db, force=True)
            except Exception:  # noqa: BLE001
                pass


@contextmanager
def frame_tables(data: dict | None) -> Iterator[dict[str, ibis.Table]]:
    """:func:`as_tables` for one call: the tables registered for frames are dropped on exit.

    Parameters
    ----------
    data : dict | None
        Kind -> engine table or canonical frame, or None.
    """
    registered: list[ibis.Table] = []
    try:
        yield as_tables(data, registered)
    finally:
        drop_tables(registered)


def _col(t: ibis.Table, name: str, typ: str = "string") -> ibis.Value:
    """A column cast to ``typ``, or a typed null when the table lacks it."""
    if name in t.columns:
        return t[name].cast(typ)
    return ibis.null().cast(typ)


def _ts(x: Any) -> _dt.datetime:
    return pd.Timestamp(x).to_pydatetime()


def date_filter(orders: ibis.Table, start=None, end=None) -> ibis.Table:
    """Lines with ``start <= order_date < end + 1 day`` (both ends inclusive by calendar day, as
    analytics.common.filter_dates); every line when neither is given.

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
        The filtered lines.
    """
    cond = None
    if start is not None:
        cond = orders.order_date >= _ts(start)
    if end is not None:
        c = orders.order_date < _ts(pd.Timestamp(end) + pd.Timedelta(days=1))
        cond = c if cond is None else cond & c
    return orders if cond is None else orders.filter(cond)


def _ts_or_none(v: Any) -> pd.Timestamp | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v)


# ---------------------------------------------------------------- clean sales lines


@dataclass(frozen=True)
class CleanLines:
    """The sales lines recommendations learn from, as an engine expression that is never materialised,
    with the counts of cleaning and the product catalogue.

    Attributes
    ----------
    lines : ibis.Table
        The kept lines: order_id, order_date, customer_id (null: anonymous), product_id, product_name,
        category, region (text) and ``__line__`` when the orders have it.
    has_line : bool
        Whether ``lines`` has the source line numbers (``__line__``).
    n_lines : int
        Kept lines, with and without a customer id.
    n_customer_lines : int
        Kept lines with a customer id (the interactions).
    first_date, last_date : pandas.Timestamp or None
        First and last order date of the kept lines with a customer id.
    products : pandas.DataFrame
        One row per product of the kept lines, sorted by id: product_id, product_name, category (the
        latest line's, see the module docstring; None when never given).
    warnings : tuple of dict
        Language-free warnings of cleaning, in order (``{"key": "warning.service", "n", "codes"}``,
        ``warning.no_customer``, ``warning.returns``).
    """

    lines: ibis.Table
    has_line: bool
    n_lines: int
    n_customer_lines: int
    first_date: pd.Timestamp | None
    last_date: pd.Timestamp | None
    products: pd.DataFrame
    warnings: tuple[dict, ...]


def _return_flag(o: ibis.Table) -> ibis.Value:
    """A return or cancellation: ``is_return``, or a quantity <= 0 (a missing quantity is a sale)."""
    ret = _col(o, "is_return", "boolean").fill_null(False)
    if "quantity" in o.columns:
        ret = ret | (o.quantity.cast("float64").fill_null(1.0) <= 0)
    return ret


def product_lines(o: ibis.Table) -> pd.DataFrame:
    """One row per product id x product name x category of the orders ``o`` (one engine query): lines
    (n), lines with a customer id (cust), returns, sales lines with a date (sold; anon: without a
    customer id; cust_lines: with one), their first / last date (first, last; cfirst / clast of those
    with a customer id) and, when the orders have ``__line__``, the first source line (first_line) and the
    source line of the latest one (last_line).

    Parameters
    ----------
    o : ibis.Table
        Order lines.

    Returns
    -------
    pd.DataFrame
        Columns ``pid``, ``name``, ``category``, ``n``, ``cust``, ``returns``, ``sold``, ``anon``,
        ``cust_lines``, ``first``, ``last``, ``cfirst``, ``clast`` and, with ``__line__``, ``first_line``,
        ``last_line``.
    """
    ret = _return_flag(o)
    cust = _col(o, "customer_id")
    ok = ~ret & o.order_date.notnull()
    known = ok & cust.notnull()
    aggs: dict[str, Any] = dict(
        n=o.count(), cust=cust.count(), returns=o.count(where=ret), sold=o.count(where=ok),
        anon=o.count(where=ok & cust.isnull()), cust_lines=o.count(where=known),
        first=o.order_date.min(where=ok), last=o.order_date.max(where=ok),
        cfirst=o.order_date.min(where=known), clast=o.order_date.max(where=known))
    if LINE in o.columns:
        aggs.update(first_line=o[LINE].min(where=ok),
                    last_line=last_by(o[LINE], [o.order_date, o[LINE]], where=ok))
    q = o.group_by(pid=_col(o, "product_id"), name=_col(o, "product_name"), category=_col(o, "category"))
    df = engine.to_frame(q.aggregate(**aggs))
    for c in ("pid", "name", "category"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


def _latest_value(g: pd.DataFrame, col: str, has_line: bool) -> pd.Series:
    """Per product, ``col`` of its latest sold line (order date, then source line; without source lines
    the larger value), from :func:`product_lines` groups."""
    x = g.loc[g[col].notna() & (g["sold"] > 0)]
    by = ["product_id", "last"] + (["last_line"] if has_line else []) + [col]
    x = x.sort_values(by, kind="stable").drop_duplicates("product_id", keep="last")
    return pd.Series(x[col].to_numpy(dtype=object), index=pd.Index(x["product_id"], dtype=object))


def _service_codes(s: pd.DataFrame, has_line: bool) -> list[str]:
    """Product ids of the service lines, most lines first (equal counts: the one seen first)."""
    aggs = {"n": ("sold", "sum"), "first": ("first", "min")}
    if has_line:
        aggs["line"] = ("first_line", "min")
    df = s.groupby("product_id", sort=True).agg(**aggs).reset_index()
    by = ["n", "first"] + (["line"] if has_line else []) + ["product_id"]
    df = df.sort_values(by, ascending=[False] + [True] * (len(by) - 1), kind="stable")
    return [str(x) for x in df["product_id"]]


def clean_lines(tables: dict[str, ibis.Table], params: dict) -> CleanLines:
    """The kept sales lines of ``tables["orders"]`` in the period ``params["start"/"end"]`` (see the
    module docstring), the warnings of cleaning and the product catalogue, from one engine query
    (:func:`product_lines`: service lines are recognised on the distinct product names and ids by
    :data:`SERVICE_PATTERN` in Python, and left out of ``lines`` by the engine).

    Parameters
    ----------
    tables : dict[str, ibis.Table]
        Kind -> engine table (``orders``).
    params : dict
        The page's parameters (``start``, ``end``).

    Returns
    -------
    CleanLines
        The kept lines (an engine expression), counts, warnings and the product catalogue.
    """
    orders = tables.get("orders")
    if orders is None:
        raise NotEnoughData("recommend.error.no_orders")
    o = date_filter(orders, params.get("start"), params.get("end"))
    g = product_lines(o)
    if int(g["n"].sum()) == 0:
        raise NotEnoughData("recommend.error.no_orders")
    has_ids, has_names = bool(g["pid"].notna().any()), bool(g["name"].notna().any())
    pid_is_name = not has_ids and has_names
    if not has_ids and not pid_is_name:
        raise NotEnoughData("recommend.error.no_products")
    if int(g["cust"].sum()) == 0:
        raise NotEnoughData("recommend.error.no_customers")
    g["product_id"] = g["name"] if pid_is_name else g["pid"]
    names = pd.unique(g["name"].dropna())
    bad_names = [x for x in names if SERVICE_PATTERN.match(x)]
    bad_ids = (bad_names if pid_is_name
               else [x for x in pd.unique(g["product_id"].dropna()) if SERVICE_PATTERN.match(x)])
    service = (g["name"].isin(bad_names) | g["product_id"].isin(bad_ids)).to_numpy(dtype=bool)
    has_pid = g["product_id"].notna().to_numpy(dtype=bool)
    kept = g.loc[has_pid & ~service]
    has_line = LINE in o.columns
    warnings: list[dict] = []
    svc = g.loc[has_pid & service & (g["sold"] > 0).to_numpy()]
    if len(svc):
        warnings.append({"key": "warning.service", "n": int(svc["sold"].sum()),
                         "codes": ", ".join(_service_codes(svc, has_line)[:10])})
    if int(kept["anon"].sum()):
        warnings.append({"key": "warning.no_customer", "n": int(kept["anon"].sum())})
    if int(g["returns"].sum()):
        warnings.append({"key": "warning.returns", "n": int(g["returns"].sum())})
    ids = pd.Index(sorted(kept.loc[kept["sold"] > 0, "product_id"].unique()), dtype=object)
    products = pd.DataFrame({"product_id": ids,
                             "product_name": _latest_value(kept, "name", has_line).reindex(ids).to_numpy(),
                             "category": _latest_value(kept, "category", has_line).reindex(ids).to_numpy()})
    for c in ("product_name", "category"):
        products[c] = products[c].astype(object).where(products[c].notna(), None)
    # the kept lines, for the engine queries that follow
    pid = _col(o, "product_name") if pid_is_name else _col(o, "product_id")
    name = _col(o, "product_name")
    keep = ~_return_flag(o) & pid.notnull() & o.order_date.notnull()
    if bad_names:
        keep = keep & ~name.isin(bad_names).fill_null(False)
    if bad_ids:
        keep = keep & ~pid.isin(bad_ids).fill_null(False)
    cols = {"order_id": _col(o, "order_id"), "order_date": o.order_date, "customer_id": _col(o, "customer_id"),
            "product_id": pid, "product_name": name, "category": _col(o, "category"), "region": _col(o, "region")}
    if has_line:
        cols[LINE] = o[LINE]
    lines = o.filter(keep).select(**cols)
    return CleanLines(lines, has_line, int(kept["sold"].sum()), int(kept["cust_lines"].sum()),
                      _ts_or_none(kept["cfirst"].min()), _ts_or_none(kept["clast"].max()), products, tuple(warnings))


# ---------------------------------------------------------------- aggregates


@dataclass(frozen=True)
class Pairs:
    """One row per customer x product of the kept lines with a customer id (:func:`pair_aggregates`).

    Attributes
    ----------
    frame : pandas.DataFrame
        uc, ic (codes: positions in ``customers`` / ``products``; rows sorted by them), orders (distinct
        order ids), last (last order date) over all history; with a holdout date also train_orders,
        train_last (the same before it), train_lines, test_lines (lines before / from it), test_first
        (first holdout date) and, with source lines, test_first_line.
    customers, products : pandas.Index
        The customer and product ids, sorted.
    """

    frame: pd.DataFrame
    customers: pd.Index
    products: pd.Index


def pair_aggregates(clean: CleanLines, holdout: pd.Timestamp | None = None) -> Pairs:
    """The customer x product aggregates (see :class:`Pairs`), one engine query: lines are grouped by
    customer x product x order first, then by customer x product (counting orders without a DISTINCT).

    Parameters
    ----------
    clean : CleanLines
        The cleaned lines.
    holdout : pd.Timestamp | None
        The holdout's first day, or None (then no train / test split).

    Returns
    -------
    Pairs
        The pairs frame (codes ``uc``, ``ic``, ``orders``, ``last`` and the train / test columns) with the
        sorted customer and product ids.
    """
    c = clean.lines.filter(clean.lines.customer_id.notnull())
    try:
        spark = engine.is_spark(c._find_backend())
    except Exception:  # noqa: BLE001 - an in-memory table: the engine in use runs it
        spark = engine.is_spark()
    if spark:
        return _pair_aggregates_spark(c, holdout, clean.has_line)
    # the sorted ids come first (one distinct query each) and are registered with their positions
    customers = _sorted_ids(c, "customer_id")
    products = _sorted_ids(c, "product_id")
    cc = engine.from_frame(pd.DataFrame({"customer_id": customers, "uc": np.arange(len(customers), dtype=np.int32)}))
    pc = engine.from_frame(pd.DataFrame({"product_id": products, "ic": np.arange(len(products), dtype=np.int32)}))
    # a big history in parts, each a range of the sorted customer ids: the engine's hash tables (per
    # customer x product x order, then per pair) hold one part's pairs at a time, and the parts' results,
    # each sorted by the engine, follow each other in the frame's order
    parts = max(1, -(-int(clean.n_customer_lines) // PAIR_PART_LINES))
    got = []
    for k in range(parts):
        ck = c
        if k > 0:
            ck = ck.filter(c.customer_id >= customers.iloc[k * len(customers) // parts])
        if k < parts - 1:
            ck = ck.filter(c.customer_id < customers.iloc[(k + 1) * len(customers) // parts])
        got.append(engine.to_arrow(_pairs_query(ck, cc, pc, holdout, clean.has_line).order_by(["uc", "ic"])))
    df = _ordered_frame(got, ["uc", "ic"])  # empties got
    return _pairs(df, customers, products)


def _pairs(df: pd.DataFrame, customers: pd.Series, products: pd.Series) -> Pairs:
    """The engine's coded pairs as :class:`Pairs`: int64 codes and counts (a missing count is 0)."""
    df["uc"] = df["uc"].astype(np.int64)
    df["ic"] = df["ic"].astype(np.int64)
    for col in ("orders", "train_orders", "train_lines", "test_lines"):
        if col in df:
            df[col] = df[col].fillna(0).astype(np.int64)
    return Pairs(df, pd.Index(customers.to_numpy(dtype=object), dtype=object),
                 pd.Index(products.to_numpy(dtype=object), dtype=object))


PAIR_PART_LINES = 6_000_000  # lines with a customer id per part of the pairs query


def _pair_aggregates_spark(c: ibis.Table, holdout: pd.Timestamp | None, has_line: bool) -> Pairs:
    """:func:`pair_aggregates` on Spark: the pairs cached in the engine and coded there by row numbers over
    the sorted ids (the DuckDB path's ids registered from Python and joined ran the local Spark driver out
    of its heap in the test suite)."""
    l2, names = _pair_table(c, holdout, has_line)
    with l2.cache() as p:
        cc = p.select("customer_id").distinct()
        cc = cc.mutate(uc=ibis.row_number().over(order_by=cc.customer_id))
        pc = p.select("product_id").distinct()
        pc = pc.mutate(ic=ibis.row_number().over(order_by=pc.product_id))
        j = p.join(cc, "customer_id").join(pc, "product_id")
        df = engine.to_frame(j.select("uc", "ic", *names).order_by(["uc", "ic"]))
        customers = engine.to_frame(cc.order_by("uc").select("customer_id"))["customer_id"]
        products = engine.to_frame(pc.order_by("ic").select("product_id"))["product_id"]
    return _pairs(df, customers, products)


def _pairs_query(c: ibis.Table, cc: ibis.Table, pc: ibis.Table, holdout: pd.Timestamp | None,
                 has_line: bool) -> ibis.Table:
    """The pairs of lines ``c`` with their codes from ``cc`` / ``pc`` (see :func:`pair_aggregates`)."""
    l2, names = _pair_table(c, holdout, has_line)
    j = l2.join(cc.select("customer_id", "uc"), "customer_id").join(pc.select("product_id", "ic"), "product_id")
    # counts travel as int32 (the Arrow result is what the engine holds beside its hash tables; the frame
    # has int64 as before)
    small = {n: j[n].cast("int32") for n in ("orders", "train_orders", "train_lines", "test_lines") if n in names}
    return j.select("uc", "ic", *[small.get(n, j[n]).name(n) for n in names])


def _pair_table(c: ibis.Table, holdout: pd.Timestamp | None, has_line: bool) -> tuple[ibis.Table, list[str]]:
    """Lines ``c`` grouped by customer x product x order, then by customer x product; with the names of
    the pair columns."""
    keys = ["customer_id", "product_id", "order_id"]
    a1: dict[str, Any] = {"last": c.order_date.max()}
    if holdout is not None:
        tr = c.order_date < _ts(holdout)
        a1.update(tr=c.count(where=tr), te=c.count(where=~tr), last_tr=c.order_date.max(where=tr),
                  first_te=c.order_date.min(where=~tr))
        if has_line:
            a1["first_line"] = c[LINE].min(where=~tr)
    l1 = c.group_by(keys).aggregate(**a1)
    a2: dict[str, Any] = {"orders": l1.order_id.count(), "last": l1["last"].max()}
    if holdout is not None:
        a2.update(train_orders=l1.order_id.count(where=l1.tr > 0), train_last=l1.last_tr.max(),
                  train_lines=l1.tr.sum(), test_lines=l1.te.sum(), test_first=l1.first_te.min())
        if has_line:
            a2["test_first_line"] = l1.first_line.min()
    return l1.group_by(["customer_id", "product_id"]).aggregate(**a2), list(a2)


def _sorted_ids(lines: ibis.Table, col: str) -> pd.Series:
    """The distinct values of ``col`` in ``lines``, sorted by the engine."""
    d = lines.select(col).distinct()
    return engine.to_frame(d.order_by(col))[col]


def _ordered_frame(tables: list[pa.Table], by: list[str]) -> pd.DataFrame:
    """The rows of ``tables`` (one schema) as a pandas frame sorted by the ``by`` columns (integers, no
    nulls). The rows are written into the frame's arrays one record batch at a time, each batch released
    once written (the engine's Arrow result is freed a batch at a time, not a column at a time), so the
    result and the frame are not both whole at once. ``tables`` is emptied."""
    tables[:] = [engine.decimals_to_float(t) for t in tables]
    n = sum(t.num_rows for t in tables)
    # one int64 key per row (the columns in the order of ``by``), sorted stably: each table comes sorted
    # from the engine, so the sort merges a few runs (np.lexsort re-sorted 9.6M pairs: 2.9 s)
    key = np.zeros(n, dtype=np.int64)
    for c in by:
        col = np.concatenate([t.column(c).to_numpy() for t in tables]).astype(np.int64)
        key *= int(col.max(initial=0)) + 1
        key += col
    dest = None  # already in order (the parts follow each other): the rows go where they are
    if not bool((key[1:] >= key[:-1]).all()):
        dest = np.empty(n, dtype=np.int64)
        dest[np.argsort(key, kind="stable")] = np.arange(n, dtype=np.int64)  # row i of the results goes to dest[i]
    del key
    names = tables[0].column_names
    dtypes = {name: _pandas_dtype(pa.chunked_array([ch for t in tables for ch in t.column(name).chunks],
                                                   type=tables[0].schema.field(name).type)) for name in names}
    out = {name: np.empty(n, dtype=dt) for name, dt in dtypes.items()}
    batches = [b for t in tables for b in t.to_batches()]
    tables.clear()
    at = 0
    while batches:
        b = batches.pop(0)
        rows = slice(at, at + b.num_rows) if dest is None else dest[at:at + b.num_rows]
        for j, name in enumerate(b.schema.names):
            out[name][rows] = b.column(j).to_pandas().to_numpy().astype(dtypes[name], copy=False)
        at += b.num_rows
        del b
    return pd.DataFrame(out, copy=False)


def _pandas_dtype(col: pa.ChunkedArray) -> np.dtype:
    """The pandas type of a column: int64 for integers (float64 with a null, as a whole-column conversion
    gives), else what a conversion to pandas gives."""
    if pa.types.is_integer(col.type):
        return np.dtype(np.float64) if col.null_count else np.dtype(np.int64)
    return col.slice(0, 0).to_pandas().dtype


def buyers_per_product(clean: CleanLines) -> tuple[pd.Series, int]:
    """Distinct buyers per product id and distinct customers of the kept lines (two engine queries).

    Parameters
    ----------
    clean : CleanLines
        The cleaned lines.

    Returns
    -------
    tuple[pd.Series, int]
        Buyers per product id, and the number of customers.
    """
    c = clean.lines.filter(clean.lines.customer_id.notnull())
    by = engine.to_frame(c.group_by("product_id").aggregate(buyers=c.customer_id.nunique()))
    n = engine.to_frame(c.aggregate(n=c.customer_id.nunique()))["n"].iloc[0]
    buyers = pd.Series(by["buyers"].to_numpy(np.int64), index=pd.Index(by["product_id"].astype(object), dtype=object))
    return buyers, int(n)


def order_regions(clean: CleanLines) -> pd.DataFrame:
    """Each customer's most frequent order region (kept lines with a customer id and a region; ties: the
    first region in sort order), chosen in the engine: customer_id, region, one row per customer.

    The lines per customer x region are counted, the largest count per customer kept and the smallest
    region among the regions with that count taken (text compared byte by byte, which for UTF-8 is the
    code-point order of Python strings). Sorting the 3.6 million customer x region counts of the 10M-line
    bench in pandas took 2.2 s of the recommendations' first render; this query adds 0.4 s to the count.

    Parameters
    ----------
    clean : CleanLines
        The cleaned lines.

    Returns
    -------
    pd.DataFrame
        Columns ``customer_id`` and ``region``.
    """
    t = clean.lines.filter(clean.lines.customer_id.notnull() & clean.lines.region.notnull())
    rc = t.group_by(["customer_id", "region"]).aggregate(n=t.count())
    top = rc.group_by("customer_id").aggregate(top=rc.n.max())
    j = rc.join(top, (rc.customer_id == top.customer_id) & (rc.n == top.top))
    df = engine.to_frame(j.group_by("customer_id").aggregate(region=j.region.min()))
    return df.astype({"customer_id": "str", "region": "str"})


def customer_attributes(customers: ibis.Table | None) -> pd.DataFrame | None:
    """The customers kind (one row per customer, read whole): customer_id, region, member_level of the
    first row of each id (by ``__line__``, else in the table's order), or None without a customers table.

    Parameters
    ----------
    customers : ibis.Table | None
        The customers table, or None.

    Returns
    -------
    pd.DataFrame | None
        Columns ``customer_id``, ``region``, ``member_level``; or None.
    """
    if customers is None or "customer_id" not in customers.columns:
        return None
    cols = {"customer_id": customers.customer_id.cast("string")}
    for c in ("region", "member_level"):
        cols[c] = _col(customers, c)
    if LINE in customers.columns:
        cols[LINE] = customers[LINE]
    sel = customers.select(**cols)
    sel = sel.filter(sel.customer_id.notnull())
    if LINE in customers.columns:
        sel = sel.order_by(LINE)
    df = engine.to_frame(sel)
    if df.empty:
        return None
    return df.drop(columns=[LINE], errors="ignore").drop_duplicates("customer_id").reset_index(drop=True)


def user_attributes(regions: pd.DataFrame, customers: pd.DataFrame | None) -> pd.DataFrame:
    """customer_id -> region (customers kind first, else the customer's most frequent order region; ties:
    the first region in sort order) and segment (member level of the customers kind).

    Parameters
    ----------
    regions : pd.DataFrame
        :func:`order_regions`.
    customers : pd.DataFrame | None
        :func:`customer_attributes`, or None.

    Returns
    -------
    pd.DataFrame
        Columns ``region`` and ``segment``, indexed by customer id.
    """
    parts = []
    if len(regions):
        parts.append(regions.set_index("customer_id")["region"].sort_index().rename("region_orders"))
    att = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=pd.Index([], name="customer_id"))
    att["region"] = att["region_orders"] if "region_orders" in att else None
    att["segment"] = None
    if customers is not None and not customers.empty:
        c = customers.copy()
        c["customer_id"] = c["customer_id"].astype("str")
        c = c.set_index("customer_id")
        att = att.reindex(att.index.union(c.index))
        if "region" in c and c["region"].notna().any():
            att["region"] = c["region"].reindex(att.index).where(lambda s: s.notna(), att["region"])
        if "member_level" in c and c["member_level"].notna().any():
            att["segment"] = c["member_level"].reindex(att.index)
    return att[["region", "segment"]]


# ---------------------------------------------------------------- interaction matrices


@dataclass
class _Matrix:
    """Customer x product interactions of one window (rows: customers sorted by id, columns: products
    sorted by id)."""
    users: pd.Index
    items: pd.Index
    B: sp.csr_matrix            # binary (U x I)
    W: sp.csr_matrix            # log1p(distinct orders)
    recent: sp.csr_matrix       # bought within the window before `now`
    buyers: np.ndarray          # distinct buyers per item
    now: pd.Timestamp


def _compact(codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct codes present (sorted) and each code's position among them."""
    present = np.bincount(codes, minlength=n) > 0
    return np.flatnonzero(present), (np.cumsum(present) - 1)[codes]


def _csr_rows(ui: np.ndarray, ii: np.ndarray, data: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """A CSR matrix of distinct entries given in row-major order (rows ascending, columns ascending within
    a row): the canonical matrix scipy would build from them, without sorting again."""
    idx = np.int32 if max(shape[0], shape[1], len(ui)) < 2**31 - 1 else np.int64
    indptr = np.zeros(shape[0] + 1, dtype=idx)
    np.cumsum(np.bincount(ui, minlength=shape[0]), out=indptr[1:])
    m = sp.csr_matrix((data, ii.astype(idx), indptr), shape=shape)
    m.has_sorted_indices = True
    m.has_canonical_format = True
    return m


def matrix_from_codes(uc: np.ndarray, ic: np.ndarray, customers: pd.Index, products: pd.Index, orders: np.ndarray,
                      last: np.ndarray, now: pd.Timestamp, window_days: int) -> _Matrix:
    """The interaction matrices of one window from its customer x product pairs (each pair once, as
    codes into the sorted ``customers`` / ``products``, in row-major order): ``B`` = 1, ``W`` =
    log1p(distinct orders), ``recent`` = last purchase within ``window_days`` before ``now``. Rows and
    columns are the customers and products of these pairs, sorted by id.

    Parameters
    ----------
    uc : np.ndarray
        Customer code of each pair.
    ic : np.ndarray
        Product code of each pair.
    customers : pd.Index
        Sorted customer ids.
    products : pd.Index
        Sorted product ids.
    orders : np.ndarray
        Distinct orders of each pair.
    last : np.ndarray
        Last purchase of each pair.
    now : pd.Timestamp
        The window's end.
    window_days : int
        Days before ``now`` that count as recent (0: none).

    Returns
    -------
    _Matrix
        The matrices with their users, items and buyers per item.
    """
    uu, ui = _compact(uc, len(customers))
    iu, ii = _compact(ic, len(products))
    users, items = customers[uu], products[iu]
    shape = (len(users), len(items))
    B = _csr_rows(ui, ii, np.ones(len(ui), dtype=np.float32), shape)
    W = _csr_rows(ui, ii, np.log1p(np.asarray(orders)).astype(np.float32), shape)
    if window_days > 0:
        rec_mask = np.asarray(pd.DatetimeIndex(last) >= now - pd.Timedelta(days=window_days), dtype=bool)
    else:
        rec_mask = np.zeros(len(ui), bool)
    R = _csr_rows(ui[rec_mask], ii[rec_mask], np.ones(int(rec_mask.sum()), dtype=np.float32), shape)
    buyers = np.asarray(B.sum(axis=0)).ravel()
    return _Matrix(users, items, B, W, R, buyers, now)


def train_matrix(pairs: Pairs, holdout: pd.Timestamp, window_days: int) -> _Matrix:
    """The training window's matrices (pairs with a line before the holdout date; now = the holdout date).

    Parameters
    ----------
    pairs : Pairs
        The pairs with the train / test columns.
    holdout : pd.Timestamp
        The holdout's first day.
    window_days : int
        Days that count as recent.

    Returns
    -------
    _Matrix
        The training matrices.
    """
    f = pairs.frame
    tr = f["train_lines"].to_numpy() > 0
    return matrix_from_codes(f["uc"].to_numpy()[tr], f["ic"].to_numpy()[tr], pairs.customers, pairs.products,
                             f["train_orders"].to_numpy()[tr], f["train_last"].to_numpy()[tr], holdout, window_days)


def full_matrix(pairs: Pairs, now: pd.Timestamp, window_days: int) -> _Matrix:
    """All history's matrices (now = the last order date).

    Parameters
    ----------
    pairs : Pairs
        All history's pairs.
    now : pd.Timestamp
        The last order date.
    window_days : int
        Days that count as recent.

    Returns
    -------
    _Matrix
        The matrices.
    """
    f = pairs.frame
    return matrix_from_codes(f["uc"].to_numpy(), f["ic"].to_numpy(), pairs.customers, pairs.products,
                             f["orders"].to_numpy(), f["last"].to_numpy(), now, window_days)
