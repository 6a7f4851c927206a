"""The engine queries of the market overview: each an aggregation over the lines, returning a small frame.

* :func:`scan` - what the orders hold (:func:`probe`) and, per order day in the dimension filters,
  lines, return lines, lines without a customer id, gross sales, returns, net sales, sales without a
  customer id. Every additive KPI of any window (and the daily net series behind seasonality, promotions,
  market share and the forecast) is a sum of these.
* :func:`order_days` - the lines of the windows folded to one row per (order, customer, day), with the flags
  the distinct counts need and the customer's first sale day (an expression: never pulled);
* :func:`order_counts` - from those rows, in one query: distinct orders, buyers, repeat buyers and new buyers
  per window and per period of the trend (of every grain), and net sales per customer in the KPI window.
* :func:`new_product_sales` - identified buyers' gross sales in the KPI window on products first sold in it
  (the extension of GROW);
* :func:`value_nets` - net sales per dimension value in each window (the mix) and per product in the KPI
  window (the Pareto curve), in one query; :func:`first_seen` - where each value first appears (the order of
  equal shares, as in the data).
* :func:`campaign_days` - lines per campaign and day (the user's own campaign windows).
* :func:`option_values` - the choices of a dimension filter (bounded); :func:`day_span` - the data's first
  and last order day (the page's default window).
"""

from __future__ import annotations

import weakref

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics.market.lines import OPTIONAL, Profile, amount_ret_net, both, dim_mask, in_days, text, total
from data import engine

_ = ibis._
DAILY = ("lines", "ret_lines", "nocust_lines", "gross", "returns", "net", "nocust_sales")


def probe(orders: ir.Table) -> tuple[frozenset[str], bool]:
    """Which optional columns hold a value on a dated line, and whether a dated line lacks an order id
    (one row of counts).

    Parameters
    ----------
    orders : ir.Table
        Canonical order lines.

    Returns
    -------
    tuple[frozenset[str], bool]
        The optional columns with a value, and whether some dated line has no order id.
    """
    t = orders.filter(orders.order_date.notnull())
    aggs = {col: text(t, col).count() for col in OPTIONAL if col in t.columns}
    aggs["__lines__"] = _.count()
    if "order_id" in t.columns:
        aggs["__orders__"] = t.order_id.count()
    row = engine.to_frame(t.aggregate(**aggs)).iloc[0]
    present = frozenset(c for c in OPTIONAL if c in row.index and int(row[c]) > 0)
    return present, int(row.get("__orders__", 0)) < int(row["__lines__"])


def scan(orders: ir.Table, filters: dict[str, list[str]]) -> tuple[Profile, pd.DataFrame]:
    """The table's :class:`Profile` (with :func:`probe`) and one row per order day with the day's totals in
    the dimension ``filters`` (days with a filtered line): lines, ret_lines, nocust_lines, gross, returns,
    net, nocust_sales. A filter on a column that holds no value is no filter (the caller reports it).

    Parameters
    ----------
    orders : ir.Table
        Canonical order lines.
    filters : dict[str, list[str]]
        Dimension -> chosen values.

    Returns
    -------
    tuple[Profile, pd.DataFrame]
        The profile, and per day: ``day``, ``lines``, ``ret_lines``, ``nocust_lines``, ``gross``, ``returns``,
        ``net``, ``nocust_sales``.
    """
    present, null_orders = probe(orders)
    amount, ret, net = amount_ret_net(orders)
    cust = text(orders, "customer_id")
    mask = None
    for dim, vals in filters.items():
        if dim in present:
            m = text(orders, dim).isin(list(vals)).fill_null(False)
            mask = m if mask is None else mask & m
    t = orders.select(day=orders.order_date.date().epoch_days(), amount=amount, ret=ret, net=net,
                      nocust=cust.isnull(), m=mask if mask is not None else ibis.literal(True))
    sale, m = ~t.ret, t.m
    g = engine.to_frame(t.group_by("day").aggregate(
        rows=_.count(), lines=t.day.count(where=m), ret_lines=t.day.count(where=m & t.ret),
        nocust_lines=t.day.count(where=m & t.nocust), gross=total(t.amount, where=m & sale),
        returns=total(t.amount.abs(), where=m & t.ret), net=total(t.net, where=m),
        nocust_sales=total(t.amount, where=m & sale & t.nocust)))
    dated = g.loc[g["day"].notna()]
    prof = Profile(rows=int(g["rows"].sum()), dated=int(dated["rows"].sum()),
                   data_min=int(dated["day"].min()) if len(dated) else None,
                   data_max=int(dated["day"].max()) if len(dated) else None,
                   null_orders=int(null_orders), present=present)
    daily = dated.loc[dated["lines"] > 0, ["day", *DAILY]].sort_values("day")
    return prof, daily.astype({"day": np.int64}).reset_index(drop=True)


def order_days(lines: ir.Table, every: ir.Table, filters: dict[str, list[str]], cur: tuple[int, int]) -> ir.Table:
    """The ``lines`` (with ``okey``; those of the windows) folded to one row per (okey, cust, day):
    ``sale_d`` (a sale line in the ``filters``), ``any_dc`` (any line of the filters in the KPI window
    ``cur``), ``net_dc`` (their net sales) and ``first`` (the customer's first sale day over ``every`` line
    of the data, all dimensions). Distinct orders and buyers are counted on these rows.

    Parameters
    ----------
    lines : ir.Table
        Lines with ``okey``, ``cust``, ``day``, ``ret``, ``net`` and the dimensions.
    every : ir.Table
        Every line of the data (``day``, ``ret``, ``cust``).
    filters : dict[str, list[str]]
        Dimension -> chosen values.
    cur : tuple[int, int]
        The KPI window (first, last day).

    Returns
    -------
    ir.Table
        Columns ``okey``, ``cust``, ``day``, ``sale_d``, ``any_dc``, ``net_dc``, ``first``.
    """
    mask = dim_mask(lines, filters)
    in_cur = both(mask, in_days(lines, *cur))
    od = lines.group_by(["okey", "cust", "day"]).aggregate(
        sale_d=both(~lines.ret, mask).any(), any_dc=in_cur.any(), net_dc=total(lines.net, where=in_cur))
    sold = every.filter(~every.ret & every.cust.notnull())
    first = sold.group_by(fcust=sold.cust).aggregate(first=sold.day.min())
    j = od.left_join(first, od.cust == first.fcust)
    return j.select("okey", "cust", "day", "sale_d", "any_dc", "net_dc", "first")


def _period_start(t: ir.Table, grain: str) -> ir.IntegerValue:
    if grain == "day":
        return t.day
    date = ibis.date(1970, 1, 1) + t.day.as_interval("D")
    return date.truncate("W" if grain == "week" else "M").epoch_days()


def _in_views(t: ir.Table, windows: list[tuple[int, int, int]], grains: tuple[str, ...], cur: tuple[int, int],
              cols: tuple[str, ...]) -> ir.Table:
    """The rows of ``t`` (with ``day``) once per window and per period of each grain in ``cur`` they fall in,
    as ``kind`` (0 = a window, 1 + i = the periods of ``grains[i]``), ``key`` (the window's position, the
    period's first day), ``nf`` (the day from which a buyer is new: the window's new-buyer day, the period's
    first day) and ``cols``."""
    parts = []
    for j, (s, e, nf) in enumerate(windows):
        w = t.filter(in_days(t, s, e))
        parts.append(w.select(kind=ibis.literal(0, "int8"), key=ibis.literal(j, "int64"),
                              nf=ibis.literal(nf, "int64"), **{c: w[c] for c in cols}))
    p = t.filter(in_days(t, *cur))
    for i, grain in enumerate(grains):
        key = _period_start(p, grain).cast("int64")
        parts.append(p.select(kind=ibis.literal(1 + i, "int8"), key=key, nf=key, **{c: p[c] for c in cols}))
    return ibis.union(*parts, distinct=False).select("kind", "key", "nf", *cols)


def order_counts(od: ir.Table, windows: list[tuple[int, int, int]], grains: tuple[str, ...],
                 cur: tuple[int, int]) -> tuple[list[dict[str, int]], dict[str, pd.DataFrame], np.ndarray]:
    """Distinct counts and customer totals from the (order, customer, day) rows ``od``, in one query:

    * per window (s, e, new_from): orders with a sale line in [s, e] (filtered), orders of identified buyers
      (``id_orders``: those with a customer id), buyers (customers with one), repeat buyers (2+ orders) and
      new buyers (first sale line ever on or after ``new_from``);
    * per period of each of the ``grains`` in the KPI window ``cur`` (key = the period's first day): the
      same, a buyer being new when the first sale line falls on or after the period's first day;
    * net sales per customer with a line in ``cur`` (the Pareto curve).

    Almost every order has its sale lines on one day and one customer: one ``od`` row with a sale. Such an
    order is in a window or period exactly when its day is, once, so it needs no distinct: its orders are
    counted per day (a table of one row per day, summed per window and period) and its customer row goes
    straight to the per-customer counts. Only the other orders (several days or customers) are made
    distinct per (window or period, order, customer), as every order was before (at 10M lines over two
    years: 10.0-10.4 s and 4.0-4.4 GB before, 6.0-7.0 s and 3.5 GB after; docs/decisions.md). Distinct
    orders and buyers are plain counts per group, which the engine runs in parallel where
    ``COUNT(DISTINCT)`` per group would not; the lines are folded to ``od`` once for every window and grain.

    Parameters
    ----------
    od : ir.Table
        :func:`order_days`.
    windows : list[tuple[int, int, int]]
        (first day, last day, new-buyer day) of each window.
    grains : tuple[str, ...]
        The period grains ("day", "week", "month").
    cur : tuple[int, int]
        The KPI window.

    Returns
    -------
    tuple[list[dict[str, int]], dict[str, pd.DataFrame], np.ndarray]
        Per window a dict of ``orders``, ``buyers``, ``repeaters``, ``new_buyers``, ``id_orders``; per grain,
        per period ``key``, ``orders``, ``buyers``, ``repeaters``, ``new_buyers``; net sales per customer.
    """
    sold = od.filter(od.sale_d)
    per_order = sold.group_by("okey").aggregate(rows=_.count(), day=sold.day.min(), cust=sold.cust.max(),
                                                first=sold.first.min())
    # one sale row: its day, customer and first sale day are that row's
    single = per_order.filter(per_order.rows == 1)
    multi = sold.semi_join(per_order.filter(per_order.rows > 1), "okey")
    # orders: the single-row ones per day, summed per window and period; the others made distinct
    by_day = single.group_by("day").aggregate(n=_.count(), n_id=_.cust.count())
    v = _in_views(by_day, windows, grains, cur, ("n", "n_id"))
    counted = v.group_by(["kind", "key"]).aggregate(orders=_.n.sum(), id_orders=_.n_id.sum())
    m = _in_views(multi, windows, grains, cur, ("okey", "cust", "first"))
    m = m.group_by(["kind", "key", "okey", "cust"]).aggregate(first=_.first.min(), nf=_.nf.min())
    mo = m.group_by(["kind", "key", "okey"]).aggregate(idf=_.cust.notnull().any())
    mo = mo.group_by(["kind", "key"]).aggregate(orders=_.count(), id_orders=_.okey.count(where=_.idf))
    both_ = ibis.union(counted, mo.select("kind", "key", "orders", "id_orders"), distinct=False)
    orders = both_.group_by(["kind", "key"]).aggregate(orders=_.orders.sum().cast("int64"),
                                                       id_orders=_.id_orders.sum().cast("int64"))
    # buyers: a single-row order is one (period, order, customer) row; the others' distinct rows per customer
    one = ibis.literal(1, "int64")
    sv = _in_views(single.filter(single.cust.notnull()), windows, grains, cur, ("cust", "first"))
    mc = m.filter(m.cust.notnull())
    mc = mc.group_by(["kind", "key", "cust"]).aggregate(n=_.count(), first=_.first.min(), nf=_.nf.min())
    rows = ibis.union(sv.select("kind", "key", "cust", n=one, first=sv.first, nf=sv.nf),
                      mc.select("kind", "key", "cust", "n", "first", "nf"), distinct=False)
    pc = rows.group_by(["kind", "key", "cust"]).aggregate(n=_.n.sum(), first=_.first.min(), nf=_.nf.min())
    agg = pc.group_by(k2=pc.kind, key2=pc.key).aggregate(
        buyers=_.count(), repeaters=pc.cust.count(where=pc.n >= 2), new_buyers=pc.cust.count(where=pc.first >= pc.nf))
    j = orders.left_join(agg, (orders.kind == agg.k2) & (orders.key == agg.key2))
    counts = j.select(kind=j.kind, key=j.key, orders=j.orders, id_orders=j.id_orders, buyers=j.buyers.fill_null(0),
                      repeaters=j.repeaters.fill_null(0), new_buyers=j.new_buyers.fill_null(0),
                      net=ibis.literal(0.0))
    cs = od.filter(od.any_dc & od.cust.notnull())
    cs = cs.group_by("cust").aggregate(net=total(cs.net_dc))
    zero = ibis.literal(0, "int64")
    cs = cs.select(kind=ibis.literal(-1, "int8"), key=zero, orders=zero, id_orders=zero, buyers=zero, repeaters=zero,
                   new_buyers=zero, net=cs.net)
    out = engine.to_frame(ibis.union(counts, cs, distinct=False))
    n = ["orders", "buyers", "repeaters", "new_buyers"]
    w = out.loc[out["kind"] == 0].set_index("key")
    wins = [{k: int(w.at[j, k]) if j in w.index else 0 for k in (*n, "id_orders")} for j in range(len(windows))]
    periods = {g: out.loc[out["kind"] == 1 + i, ["key", *n]].astype(np.int64).reset_index(drop=True)
               for i, g in enumerate(grains)}
    return wins, periods, out.loc[out["kind"] == -1, "net"].to_numpy(dtype=float)


def new_product_sales(lines: ir.Table, every: ir.Table, filters: dict[str, list[str]],
                      cur: tuple[int, int]) -> dict[str, float | int]:
    """Gross sales of identified buyers (sale lines with a customer id, in the ``filters``) in the window
    ``cur`` on products first sold in it: products whose first sale line over ``every`` line of the data
    (all dates and dimensions) falls on or after the window's first day; with the number of such products
    sold in the window (one row). ``lines`` and ``every`` hold ``day``, ``ret``, ``product`` (and ``amount``,
    ``cust`` and the filter dimensions for ``lines``).

    Parameters
    ----------
    lines : ir.Table
        Filtered-dimension lines of the windows.
    every : ir.Table
        Every line of the data.
    filters : dict[str, list[str]]
        Dimension -> chosen values.
    cur : tuple[int, int]
        The window (first, last day).

    Returns
    -------
    dict[str, float | int]
        ``sales`` and ``products``.
    """
    sold = every.filter(~every.ret & every.product.notnull())
    first = sold.group_by(fprod=sold.product).aggregate(first=sold.day.min())
    w = lines.filter(both(both(dim_mask(lines, filters), in_days(lines, *cur)),
                          ~lines.ret & lines.cust.notnull() & lines.product.notnull()))
    j = w.inner_join(first, w.product == first.fprod)
    new = j.first >= cur[0]
    row = engine.to_frame(j.aggregate(sales=total(j.amount, where=new),
                                      products=j.product.nunique(where=new))).iloc[0]
    return {"sales": float(row["sales"]), "products": int(row["products"] or 0)}


def value_nets(lines: ir.Table, filters: dict[str, list[str]],
               specs: dict[str, tuple[str, dict[str, tuple[int, int]], bool]]) -> dict[str, pd.DataFrame]:
    """Net sales per value of a column in named windows (in the ``filters``), for several columns in one
    query. ``specs``: name -> (column, {window name: (s, e)}, drop missing values). Each frame holds
    ``value`` (None = missing) and one column per window name of its spec; values without a line in any of
    its windows are left out (their net sales are 0 everywhere).

    Parameters
    ----------
    lines : ir.Table
        Lines with ``day``, ``net`` and the columns.
    filters : dict[str, list[str]]
        Dimension -> chosen values.
    specs : dict[str, tuple[str, dict[str, tuple[int, int]], bool]]
        Name -> (column, {window name: (first, last day)}, drop missing).

    Returns
    -------
    dict[str, pd.DataFrame]
        Name -> frame.
    """
    mask = dim_mask(lines, filters)
    names = list(dict.fromkeys(n for _col, wins, _drop in specs.values() for n in wins))
    parts = []
    for key, (col, wins, drop) in specs.items():
        anyw = None
        for s, e in wins.values():
            anyw = in_days(lines, s, e) if anyw is None else anyw | in_days(lines, s, e)
        cond = both(mask, anyw)
        if drop:
            cond = cond & lines[col].notnull()
        t = lines.filter(cond)
        g = t.group_by(value=t[col].cast("string")).aggregate(
            **{n: total(t.net, where=in_days(t, *wins[n])) for n in names if n in wins})
        g = g.mutate(spec=ibis.literal(key), **{n: ibis.literal(0.0) for n in names if n not in wins})
        parts.append(g.select("spec", "value", *names))
    out = engine.to_frame(ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0])
    return {key: out.loc[out["spec"] == key, ["value", *specs[key][1]]].reset_index(drop=True) for key in specs}


def first_seen(table: ir.Table, col: str, where: ir.BooleanValue | None = None) -> dict[str, int]:
    """Position of the first line holding each value of ``col`` (lines in table order; ``where`` keeps
    lines before numbering): how pandas' ``factorize`` orders the values.

    Parameters
    ----------
    table : ir.Table
        A table.
    col : str
        Column name.
    where : ir.BooleanValue | None
        Filter applied before numbering, or None.

    Returns
    -------
    dict[str, int]
        Value -> position.
    """
    t = table if where is None else table.filter(where)
    t = t.select(v=t[col].cast("string"), rn=ibis.row_number())
    g = engine.to_frame(t.filter(t.v.notnull()).group_by("v").aggregate(rank=t.rn.min()))
    return dict(zip(g["v"], g["rank"].astype(np.int64)))


def campaign_days(lines: ir.Table, filters: dict[str, list[str]]) -> pd.DataFrame:
    """Lines per (campaign, day) over the lines with a campaign (in the ``filters``).

    Parameters
    ----------
    lines : ir.Table
        Lines with ``campaign`` and ``day``.
    filters : dict[str, list[str]]
        Dimension -> chosen values.

    Returns
    -------
    pd.DataFrame
        Columns ``campaign``, ``day``, ``lines``.
    """
    t = lines.filter(both(dim_mask(lines, filters), lines.campaign.notnull()))
    return engine.to_frame(t.group_by(["campaign", "day"]).aggregate(lines=_.count()))


def day_span(orders: ir.Table) -> tuple[int | None, int | None]:
    """The first and last order day of the table (day numbers; None when no line has a date), one row.

    Parameters
    ----------
    orders : ir.Table
        Order lines.

    Returns
    -------
    tuple[int | None, int | None]
        (first, last) day numbers.
    """
    day = orders.order_date.date().epoch_days()
    row = engine.to_frame(orders.aggregate(lo=day.min(), hi=day.max())).iloc[0]
    return tuple(None if pd.isna(v) else int(v) for v in (row["lo"], row["hi"]))  # type: ignore[return-value]


def option_values(orders: ir.Table, dim: str, limit: int) -> list[str]:
    """The values of ``dim`` over every line (dated or not), largest net sales first (equal net sales in the
    order the data first shows them), at most ``limit`` (:func:`option_lists`).

    Parameters
    ----------
    orders : ir.Table
        Order lines.
    dim : str
        The dimension column.
    limit : int
        Most values.

    Returns
    -------
    list[str]
        The values.
    """
    return option_lists(orders, [dim], limit)[dim]


_OPTIONS: "weakref.WeakKeyDictionary[ir.Table, dict[str, list[str]]]" = weakref.WeakKeyDictionary()


def option_lists(orders: ir.Table, dims: list[str], limit: int) -> dict[str, list[str]]:
    """:func:`option_values` of several dimensions, in one query over the lines for those not yet known.

    Each dimension's list is computed once per engine table (the filter choices and the festival calendar
    ask for the same lists of the same revision) up to ``max(limit, MAX_OPTIONS)`` values; a shorter list
    is its prefix (the order is the same: net sales, then, where two kept values tie, first position).

    Parameters
    ----------
    orders : ir.Table
        Order lines.
    dims : list[str]
        The dimension columns.
    limit : int
        Most values per dimension.

    Returns
    -------
    dict[str, list[str]]
        Dimension -> values.
    """
    from analytics.market.constants import MAX_OPTIONS

    try:
        memo = _OPTIONS.setdefault(orders, {})
    except TypeError:  # an expression that cannot be weakly referenced: no memo
        memo = {}
    size = max(limit, MAX_OPTIONS)
    todo = [d for d in dict.fromkeys(dims) if d not in memo]
    if todo:
        parts = []
        for dim in todo:
            t = orders.filter(orders[dim].notnull())
            _amount, _ret, net = amount_ret_net(t)
            parts.append(t.group_by(v=t[dim].cast("string")).aggregate(net=total(net))
                         .mutate(dim=ibis.literal(dim)))
        u = ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
        w = ibis.window(group_by=u.dim, order_by=[ibis.desc(u.net), u.v])
        u = u.mutate(rn=ibis.row_number().over(w))
        top_all = engine.to_frame(u.filter(u.rn <= size))  # row_number counts from 0: size + 1 rows, ties at the edge seen
        for dim in todo:
            top = top_all.loc[top_all["dim"] == dim].sort_values("rn")
            if top["net"].duplicated().any():
                t = orders.filter(orders[dim].notnull())
                _amount, _ret, net = amount_ret_net(t)
                g = t.group_by(v=t[dim].cast("string")).aggregate(net=total(net))
                r = orders.select(v=orders[dim].cast("string"), rn=ibis.row_number())
                r = r.filter(r.v.notnull()).group_by("v").aggregate(rank=_.rn.min())
                top = engine.to_frame(g.join(r, "v").order_by([ibis.desc("net"), "rank"]).limit(size))
            memo[dim] = [str(v) for v in top["v"].tolist()[:size]]
    return {d: memo[d][:limit] for d in dims}
