"""Orders without money: an export with quantities and no amount (Tianchi's mum-and-baby trade history).

Ingest accepts such a file (``data.schema.has_money``: no amount and no unit price mapped) and stores its
lines with ``amount`` empty, so "no money" is told from "zero sales" by the lines themselves: an orders
table has money when at least one line holds an amount (:func:`has_money`, one count in the engine).

The pages that read orders then leave out (or show as None, "—") what needs money — gross / net sales,
returns in money, AOV, monetary value, CLV value, spend-based tiers, money mixes — say so with one note
(:func:`note`, "ui.common.no_money"), and measure by units where a measure is needed: :func:`as_units`
puts the quantity where the amount was (market mix and Pareto by units, RFM with M = units, the persona
builder's spend profile in units), so the same engine expressions run on it.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir

from analytics.i18n import t
from data import engine

NOTE_KEY = "ui.common.no_money"


def has_money(orders: ir.Table | None) -> bool:
    """Whether an orders table holds money: a line with a (non-NaN) amount. No table, or one without an
    amount column, has none. One count in the engine.

    Parameters
    ----------
    orders : ir.Table | None
        Order lines (``amount`` column, when present) or None.

    Returns
    -------
    bool
        True when some line has a non-NaN amount.
    """
    if orders is None or "amount" not in orders.columns:
        return False
    a = orders.amount.cast("float64")
    return int(engine.scalar(a.count(where=a.notnull() & ~a.isnan()))) > 0


def as_units(orders: ir.Table) -> ir.Table:
    """The orders with the quantity as their measure: ``amount`` = quantity (a line without a quantity is
    one unit); returns keep their flag (a negative quantity is a return).

    Parameters
    ----------
    orders : ir.Table
        Order lines with ``order_date`` and optionally ``quantity``.

    Returns
    -------
    ir.Table
        The same lines with ``amount`` replaced by the quantity (1.0 where missing; 1.0 on every line without
        a quantity column).
    """
    if "quantity" not in orders.columns:
        return orders.mutate(amount=orders.order_date.isnull().cast("float64") * 0 + 1.0)
    return orders.mutate(amount=orders.quantity.cast("float64").fill_null(1.0))


def measure(orders: ir.Table | None) -> tuple[Any, bool]:
    """``(orders, has_money)``: the table itself when it holds money, else :func:`as_units` of it.

    Parameters
    ----------
    orders : ir.Table | None
        Order lines, or None.

    Returns
    -------
    tuple[Any, bool]
        The table to measure (itself or :func:`as_units` of it) and whether it holds money (True for None).
    """
    if orders is None:
        return orders, True
    money = has_money(orders)
    return (orders if money else as_units(orders)), money


def note(lang: str) -> str:
    """The one note a page shows for an export without amounts.

    Parameters
    ----------
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The translated note (``NOTE_KEY``).
    """
    return t(NOTE_KEY, lang)
