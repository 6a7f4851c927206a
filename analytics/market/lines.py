"""The order lines as the market overview reads them: one engine expression per question, never pulled.

:class:`Profile` is what the first query (:func:`analytics.market.kpis.scan`) learns about the orders table;
:func:`lines` is the lazy expression the other queries start from: the lines with an order date, with

* ``day`` (the order date's day number, days since 1970-01-01),
* ``amount`` (a missing amount counts 0), ``ret`` (``is_return``, missing = False) and ``net`` (amount on a
  sale line, -|amount| on a return line),
* ``cust`` (customer id, null when none) and, when asked for, ``okey`` (the order id; a line without one is
  its own order),
* the dimensions ``category`` / ``channel`` / ``region``, ``product`` (product id, else product name) and
  ``campaign`` where the orders hold them.

Sums use :func:`analytics.expr.fsum` (DuckDB's Kahan-Babuska ``fsum``, an exact decimal sum on Spark): the
total does not depend on the order in which the engine's threads add the lines up, so the same data gives
the same numbers on every run and on either engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import ibis
import ibis.expr.types as ir

from analytics.expr import fsum, total  # noqa: F401 (the engine-neutral sums, used across the package)
from analytics.market.constants import DIMS
from analytics.market.periods import day_to_date

OPTIONAL = DIMS + ("customer_id", "product_id", "product_name", "campaign")


@dataclass(frozen=True)
class Profile:
    """What the orders table holds, in one row of counts.

    Attributes
    ----------
    rows : int
        Lines in the table.
    dated : int
        Lines with an order date (the others are left out and reported).
    data_min, data_max : int or None
        First and last order day (day numbers) over the dated lines.
    null_orders : int
        1 when a dated line has no order id (each such line is then its own order), else 0.
    present : frozenset of str
        The optional columns (dimensions, customer id, product id / name, campaign) that hold at least one
        value on a dated line.
    """

    rows: int
    dated: int
    data_min: int | None
    data_max: int | None
    null_orders: int
    present: frozenset[str]

    @property
    def product_col(self) -> str:
        """The product key of the Pareto: product id when the orders hold one, else product name.

        Returns
        -------
        str
            ``"product_id"`` or ``"product_name"``.
        """
        return "product_id" if "product_id" in self.present else "product_name"


def text(t: ir.Table, col: str) -> ir.StringValue:
    """A text column of the table (all missing when the table has no such column).

    Parameters
    ----------
    t : ir.Table
        Lines.
    col : str
        Column name.

    Returns
    -------
    ir.StringValue
        The column as string.
    """
    return t[col].cast("string") if col in t.columns else ibis.null("string")


def amount_ret_net(t: ir.Table) -> tuple[ir.FloatingValue, ir.BooleanValue, ir.FloatingValue]:
    """A line's amount (missing or NaN = 0), whether it is a return (missing = no) and its net sales (amount
    on a sale line, -|amount| on a return line).

    Parameters
    ----------
    t : ir.Table
        Order lines (``amount``, ``is_return``, each optional).

    Returns
    -------
    tuple[ir.FloatingValue, ir.BooleanValue, ir.FloatingValue]
        amount, is_return and net sales expressions.
    """
    amount = t.amount.cast("float64").fill_null(0.0) if "amount" in t.columns else ibis.literal(0.0)
    amount = ibis.ifelse(amount.isnan(), 0.0, amount)
    ret = t.is_return.cast("boolean").fill_null(False) if "is_return" in t.columns else ibis.literal(False)
    return amount, ret, ibis.ifelse(ret, -amount.abs(), amount)


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Day ranges (first, last) merged where they overlap or touch, in order.

    Parameters
    ----------
    spans : Iterable[tuple[int, int]]
        Day ranges (first, last).

    Returns
    -------
    list[tuple[int, int]]
        The merged ranges.
    """
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def lines(orders: ir.Table, prof: Profile, *, with_order: bool = False,
          spans: Iterable[tuple[int, int]] | None = None, keep: Iterable[str] | None = None) -> ir.Table:
    """The dated lines with the columns the market overview uses (see the module docstring); only the days
    in ``spans`` (day ranges (first, last)) when given: a filter on the stored order date, which lets the
    engine skip what lies outside; only the columns ``keep`` when given (a smaller expression compiles
    faster).

    Parameters
    ----------
    orders : ir.Table
        Canonical order lines.
    prof : Profile
        What the orders hold (:class:`Profile`).
    with_order : bool
        Whether to add ``okey``.
    spans : Iterable[tuple[int, int]] | None
        Day ranges to keep, or None for every dated line.
    keep : Iterable[str] | None
        Columns to keep, or None for all.

    Returns
    -------
    ir.Table
        Columns ``day``, ``amount``, ``ret``, ``net``, ``cust``, the dimensions, ``product``, ``campaign`` and
        ``okey`` (as present and asked for).
    """
    t = orders.filter(orders.order_date.notnull())
    if spans is not None:
        cond = None
        for s, e in merge_spans(spans):
            c = ((orders.order_date >= ibis.timestamp(day_to_date(s).isoformat()))
                 & (orders.order_date < ibis.timestamp(day_to_date(e + 1).isoformat())))
            cond = c if cond is None else cond | c
        t = t.filter(cond)
    want = set(keep) if keep is not None else None

    def wanted(name: str) -> bool:
        return want is None or name in want

    cols: dict[str, ir.Value] = {"day": t.order_date.date().epoch_days()}
    if wanted("amount") or wanted("ret") or wanted("net"):
        amount, ret, net = amount_ret_net(t)
        cols.update({k: v for k, v in (("amount", amount), ("ret", ret), ("net", net)) if wanted(k)})
    if wanted("cust"):
        cols["cust"] = text(t, "customer_id") if "customer_id" in prof.present else ibis.null("string")
    for dim in DIMS:
        if dim in prof.present and wanted(dim):
            cols[dim] = text(t, dim)
    if prof.product_col in prof.present and wanted("product"):
        cols["product"] = text(t, prof.product_col)
    if "campaign" in prof.present and wanted("campaign"):
        cols["campaign"] = text(t, "campaign")
    if with_order:
        if "order_id" not in t.columns or prof.null_orders:
            # the contract says always filled; be safe: a line without an order id is its own order
            own = ibis.literal("\x00line:") + ibis.row_number().cast("string")
            cols["okey"] = text(t, "order_id").fill_null(own) if "order_id" in t.columns else own
        else:
            cols["okey"] = t.order_id.cast("string")
    return t.select(**cols)


def dim_mask(t: ir.Table, filters: dict[str, list[str]]) -> ir.BooleanValue | None:
    """Lines in every filtered dimension's chosen values (None: no filter, every line).

    Parameters
    ----------
    t : ir.Table
        Lines with the dimension columns.
    filters : dict[str, list[str]]
        Dimension -> chosen values.

    Returns
    -------
    ir.BooleanValue | None
        The condition, or None.
    """
    mask = None
    for dim, vals in filters.items():
        m = t[dim].isin(list(vals)).fill_null(False)
        mask = m if mask is None else mask & m
    return mask


def both(a: ir.BooleanValue | None, b: ir.BooleanValue | None) -> ir.BooleanValue | None:
    """The conjunction of two optional conditions (None: no condition).

    Parameters
    ----------
    a : ir.BooleanValue | None
        A condition, or None.
    b : ir.BooleanValue | None
        A condition, or None.

    Returns
    -------
    ir.BooleanValue | None
        ``a & b``, the one given, or None.
    """
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def in_days(t: ir.Table, s: int, e: int) -> ir.BooleanValue:
    """Lines whose day number is in [s, e].

    Parameters
    ----------
    t : ir.Table
        Lines with ``day``.
    s : int
        First day number.
    e : int
        Last day number.

    Returns
    -------
    ir.BooleanValue
        The condition.
    """
    return (t.day >= s) & (t.day <= e)
