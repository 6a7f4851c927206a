"""Engine expressions every page module uses (Ibis over the engine; see data/engine.py).

* :func:`fsum` — DuckDB's exactly rounded (Kahan-Babuska) sum: the total does not depend on how the
  engine's threads split the lines, so the same lines give the same numbers from a registered frame and
  from stored parts; NULL over no rows.
* :func:`total` — that sum as float64, 0 over no rows.
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


@ibis.udf.agg.builtin
def fsum(x: float) -> float:  # type: ignore[empty-body]
    """DuckDB's exactly rounded (Kahan-Babuska) sum; NULL over no rows."""


def total(x: ir.NumericValue, where: ir.BooleanValue | None = None) -> ir.FloatingScalar:
    """Exactly rounded sum of ``x`` (over the rows ``where`` holds), 0 over no rows."""
    return fsum(x.cast("float64"), where=where).fill_null(0.0)


def dbl(x: float) -> ir.FloatingScalar:
    """A DOUBLE constant."""
    return ibis.literal(repr(float(x))).cast("float64")


def in_dates(t: ir.Table, col: str, start: Any, end: Any) -> ir.Table:
    """``start <= t[col] < end + 1 day`` (no bound: every line, including lines without a date)."""
    if start is not None:
        t = t.filter(t[col] >= ibis.timestamp(pd.Timestamp(start).isoformat()))
    if end is not None:
        t = t.filter(t[col] < ibis.timestamp((pd.Timestamp(end) + pd.Timedelta(days=1)).isoformat()))
    return t


def rows(t: ir.Table) -> int:
    return int(engine.scalar(t.count()))
