"""Engine expressions every page module uses (Ibis over the engine; see data/engine.py).

* :func:`fsum` — an order-independent sum: the total does not depend on how the engine's threads (or a
  cluster's executors) split the lines, so the same lines give the same numbers from a registered frame,
  from stored parts and from either engine; NULL over no rows. DuckDB: its exactly rounded
  (Kahan-Babuska) ``fsum``. Spark (whose ``sum`` of doubles depends on the partitioning): an exact
  ``DECIMAL(38, 18)`` sum of the values (each read as its shortest decimal text, rounded to 18 places)
  converted to DOUBLE; a total beyond 10^20 overflows the decimal and falls back to Spark's double sum.
* :func:`total` — that sum as float64, 0 over no rows.
* :func:`last_by` — the value on the row with the largest keys (``x.last(order_by=keys)``, which Ibis's
  PySpark backend cannot compile; ``arg_max`` / ``max_by`` over a struct of the keys on both engines).
* :func:`dbl` — a DOUBLE constant (Ibis writes a Python float as ``0.1``, which DuckDB reads as a DECIMAL:
  a CASE or a product of such literals is then slow exact decimal arithmetic, not what numpy computes).
* :func:`in_dates` — ``analytics.common.filter_dates`` in the engine.
* :func:`rows` — the number of lines of a table expression.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from data import engine


@ibis.udf.agg.builtin(name="fsum")
def _duckdb_fsum(x: float) -> float:  # type: ignore[empty-body]
    """DuckDB's exactly rounded (Kahan-Babuska) sum; NULL over no rows."""


EXACT = "decimal(38, 18)"


def backend_name(x: ir.Expr) -> str:
    """The backend the tables under ``x`` belong to (``"duckdb"``, ``"pyspark"``); an expression over
    in-memory tables only runs on the engine in use.

    Parameters
    ----------
    x : ir.Expr
        An Ibis expression.

    Returns
    -------
    str
        The backend's name.
    """
    backends, _ = x._find_backends()
    if backends:
        return backends[0].name
    return "pyspark" if engine.is_spark() else "duckdb"


def fsum(x: ir.NumericValue, where: ir.BooleanValue | None = None) -> ir.FloatingScalar:
    """Order-independent sum of ``x`` (over the rows ``where`` holds) as float64; NULL over no rows.

    Parameters
    ----------
    x : ir.NumericValue
        Numeric column.
    where : ir.BooleanValue | None
        Filter on the rows summed, or None for all.

    Returns
    -------
    ir.FloatingScalar
        The sum (float64).
    """
    if backend_name(x) != "pyspark":
        return _duckdb_fsum(x, where=where)
    xf = x.cast("float64")
    exact = xf.cast(EXACT).sum(where=where).cast("float64")
    overflow = exact.isnull() & (xf.count(where=where) > 0)
    return ibis.ifelse(overflow, xf.sum(where=where), exact)


def total(x: ir.NumericValue, where: ir.BooleanValue | None = None) -> ir.FloatingScalar:
    """Exactly rounded sum of ``x`` (over the rows ``where`` holds), 0 over no rows.

    Parameters
    ----------
    x : ir.NumericValue
        Numeric column.
    where : ir.BooleanValue | None
        Filter on the rows summed, or None for all.

    Returns
    -------
    ir.FloatingScalar
        The sum (float64), 0.0 when no row.
    """
    return fsum(x.cast("float64"), where=where).fill_null(0.0)


def last_by(x: ir.Value, keys: list[ir.Value], where: ir.BooleanValue | None = None) -> ir.Scalar:
    """``x`` on the row whose ``keys`` are largest (compared in order; make the last key unique, e.g. the
    source line, so ties cannot pick different rows on different engines).

    Parameters
    ----------
    x : ir.Value
        The column whose value is wanted.
    keys : list[ir.Value]
        Columns ordering the rows, most significant first.
    where : ir.BooleanValue | None
        Filter on the rows considered, or None.

    Returns
    -------
    ir.Scalar
        ``x`` at the largest key.
    """
    return x.argmax(ibis.struct({f"k{i}": k for i, k in enumerate(keys)}), where=where)


def dbl(x: float) -> ir.FloatingScalar:
    """A DOUBLE constant.

    Parameters
    ----------
    x : float
        The value.

    Returns
    -------
    ir.FloatingScalar
        The constant, cast to float64.
    """
    return ibis.literal(repr(float(x))).cast("float64")


def in_dates(t: ir.Table, col: str, start: Any, end: Any) -> ir.Table:
    """``start <= t[col] < end + 1 day`` (no bound: every line, including lines without a date).

    Parameters
    ----------
    t : ir.Table
        Lines.
    col : str
        Timestamp column.
    start : Any
        First day kept (None: no lower bound).
    end : Any
        Last day kept (None: no upper bound).

    Returns
    -------
    ir.Table
        The filtered table.
    """
    if start is not None:
        t = t.filter(t[col] >= ibis.timestamp(pd.Timestamp(start).isoformat()))
    if end is not None:
        t = t.filter(t[col] < ibis.timestamp((pd.Timestamp(end) + pd.Timedelta(days=1)).isoformat()))
    return t


def rows(t: ir.Table) -> int:
    """Number of rows of ``t``, counted in the engine.

    Parameters
    ----------
    t : ir.Table
        An Ibis table.

    Returns
    -------
    int
        The row count.
    """
    return int(engine.scalar(t.count()))
