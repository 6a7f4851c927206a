"""The engine side of the evaluation: expressions over the lines and the sufficient statistics they return.

Every query here is an aggregation (one row per group, per group x segment value, per day x series, per
score) or a bounded, seeded sample; Python never receives the lines of a big table. Sums use DuckDB's
``fsum`` (exactly rounded), so the same data gives the same numbers however the engine splits the work,
and second moments are summed around a centre close to the mean (the plain sum of squares loses digits
when the mean is large next to the spread).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics.expr import dbl, fsum, total  # noqa: F401 (re-exported for the package)
from data import engine

LINE = engine.LINE
YES = ("1", "true", "yes", "y", "是", "t")
NO = ("0", "false", "no", "n", "否", "f")


# ---------------------------------------------------------------- columns as the analysis reads them


def finite(x: ir.Value) -> ir.FloatingValue:
    """A numeric column as float64 with NaN as missing.

    Parameters
    ----------
    x : ir.Value
        A numeric column.

    Returns
    -------
    ir.FloatingValue
        The column as float64, NaN as NULL.
    """
    v = x.cast("float64")
    return ibis.ifelse(v.isnan(), ibis.null("float64"), v)


def flag(t: ir.Table, col: str) -> ir.FloatingValue:
    """A yes/no column as 1.0 / 0.0, missing when unknown: booleans as they are, numbers > 0 are yes,
    text yes/no words (1/true/yes/y/是/t and 0/false/no/n/否/f, any case, trimmed).

    Parameters
    ----------
    t : ir.Table
        A table.
    col : str
        The yes/no column.

    Returns
    -------
    ir.FloatingValue
        1.0, 0.0 or NULL per line.
    """
    x = t[col]
    dt = x.type()
    if dt.is_boolean():
        return x.cast("float64")
    if dt.is_numeric():
        return (finite(x) > 0).cast("float64")
    if dt.is_string():
        low = x.strip().lower()
        yes = ibis.cases((low.isin(YES), True), (low.isin(NO), False), else_=ibis.null("boolean"))
        return yes.cast("float64")
    return ibis.null("float64")


def half_even(x: ir.FloatingValue) -> ir.FloatingValue:
    """Round to the nearest integer, ties to even (as numpy's ``round``; the engine rounds ties away).

    Parameters
    ----------
    x : ir.FloatingValue
        Float values.

    Returns
    -------
    ir.FloatingValue
        The rounded values.
    """
    return ibis.ifelse((x - x.floor()) == 0.5, (x / 2).round() * 2, x.round()).cast("float64")


def _ts(x) -> _dt.datetime:
    return pd.Timestamp(x).to_pydatetime()


def in_dates(t: ir.Table, col: str, start=None, end=None) -> ir.Table:
    """Rows with ``start <= col < end + 1 day`` (analytics.common.filter_dates); all rows when neither
    end is given.

    Parameters
    ----------
    t : ir.Table
        A table.
    col : str
        Timestamp column.
    start
        First day kept, or None.
    end
        Last day kept, or None.

    Returns
    -------
    ir.Table
        The filtered table.
    """
    if start is None and end is None:
        return t
    cond = ibis.literal(True)
    if start is not None:
        cond = cond & (t[col] >= _ts(pd.Timestamp(start)))
    if end is not None:
        cond = cond & (t[col] < _ts(pd.Timestamp(end) + pd.Timedelta(days=1)))
    return t.filter(cond)


def with_line(t: ir.Table) -> ir.Table:
    """The table with ``__line__`` (the source line; for a registered frame, its row order).

    Parameters
    ----------
    t : ir.Table
        A table.

    Returns
    -------
    ir.Table
        The table with ``__line__``.
    """
    if LINE in t.columns:
        return t
    return t.mutate(**{LINE: ibis.row_number()})


def any_value(t: ir.Table, col: str) -> bool:
    """Whether the column exists and holds at least one value.

    Parameters
    ----------
    t : ir.Table
        A table.
    col : str
        Column name.

    Returns
    -------
    bool
        True when some line holds a value.
    """
    if col not in t.columns:
        return False
    return int(one_row(t.aggregate(n=t[col].count()))["n"]) > 0


def one_row(expr: ir.Table) -> pd.Series:
    """The single row of an aggregate expression.

    Parameters
    ----------
    expr : ir.Table
        An aggregate expression (one row).

    Returns
    -------
    pd.Series
        The row.
    """
    return engine.to_frame(expr).iloc[0]


# ---------------------------------------------------------------- bounded, seeded samples


def sample_key(t: ir.Table, seed: int) -> ir.IntegerValue:
    """A pseudo-random sort key per line, fixed by the line number and the seed (repeatable).

    Parameters
    ----------
    t : ir.Table
        A table with ``__line__``.
    seed : int
        Random seed.

    Returns
    -------
    ir.IntegerValue
        The hash key.
    """
    return (t[LINE].cast("int64") * 1_000_003 + int(seed) % 1_000_003).hash()


def bounded(t: ir.Table, n_rows: int, cap: int, seed: int, columns: dict) -> tuple[ir.Table, bool]:
    """``columns`` (name -> column or expression of ``t``) of at most ``cap`` lines of ``t`` (which holds
    ``n_rows``): all of them when they fit, else a seeded random sample of ``cap`` drawn in the engine; in
    line order either way. Returns (table, sampled).

    Parameters
    ----------
    t : ir.Table
        A table with ``__line__``.
    n_rows : int
        Lines of ``t``.
    cap : int
        Most lines returned.
    seed : int
        Sample seed.
    columns : dict
        Output name -> column name or expression of ``t``.

    Returns
    -------
    tuple[ir.Table, bool]
        The lines (``__line__`` plus ``columns``) and whether they are a sample.
    """
    sampled = n_rows > cap
    if sampled:
        t = t.order_by([sample_key(t, seed), LINE]).limit(int(cap))
    out = t.select(**{LINE: t[LINE]}, **{k: (t[v] if isinstance(v, str) else v) for k, v in columns.items()})
    return out.order_by(LINE), sampled


# ---------------------------------------------------------------- sufficient statistics


@dataclass(frozen=True)
class Moments:
    """Sufficient statistics of one variable in each cell (a group, or a group x segment value).

    Attributes
    ----------
    n : numpy.ndarray
        Units with a value, per cell.
    total : numpy.ndarray
        Sum of the values, per cell.
    centre : float
        The constant the second moments are taken around (the overall mean).
    sq : numpy.ndarray
        Sum of (value - centre)^2, per cell.
    """

    n: np.ndarray
    total: np.ndarray
    centre: float
    sq: np.ndarray

    def summary(self) -> dict:
        """{n, sum, mean, var (ddof=1)} per cell; mean and var are NaN where they are undefined.

        Returns
        -------
        dict
            ``n``, ``sum``, ``mean``, ``var`` arrays.
        """
        n = self.n.astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = self.total / n
            ss = np.maximum(self.sq - n * (mean - self.centre) ** 2, 0.0)
            var = np.where(n > 1, ss / (n - 1), np.nan)
        return {"n": n, "sum": self.total.astype(float), "mean": mean, "var": var}


@dataclass(frozen=True)
class CupedMoments:
    """What CUPED needs per group for one outcome Y and the pre-period value X (X missing -> the mean of X
    over the units with a Y, as the frame code did).

    Attributes
    ----------
    y : Moments
        Y per group (units with a Y).
    x_total : numpy.ndarray
        Sum of X per group over the units with a Y.
    x_centre : float
        Mean of X over the units with a Y and an X (the value given to a missing X).
    x_sq : numpy.ndarray
        Sum of (X - x_centre)^2 per group.
    xy : numpy.ndarray
        Sum of (Y - y.centre) (X - x_centre) per group.
    """

    y: Moments
    x_total: np.ndarray
    x_centre: float
    x_sq: np.ndarray
    xy: np.ndarray

    def adjusted(self) -> tuple[float, dict]:
        """(theta, per-group summary of Y - theta (X - mean X)) with theta = cov(Y, X) / var(X) pooled over
        all groups: the same numbers as adjusting each unit and summing, from the sums alone.

        Returns
        -------
        tuple[float, dict]
            theta and the adjusted ``n``, ``sum``, ``mean``, ``var`` per group.
        """
        s = self.y.summary()
        n = s["n"]
        N = n.sum()
        my_all = s["sum"].sum() / N
        mx_all = self.x_total.sum() / N
        cov_all = (self.xy.sum() - N * (my_all - self.y.centre) * (mx_all - self.x_centre)) / (N - 1)
        var_x_all = (self.x_sq.sum() - N * (mx_all - self.x_centre) ** 2) / (N - 1)
        theta = float(cov_all / var_x_all)
        with np.errstate(divide="ignore", invalid="ignore"):
            mx = self.x_total / n
            var_x = (self.x_sq - n * (mx - self.x_centre) ** 2) / (n - 1)
            cov = (self.xy - n * (s["mean"] - self.y.centre) * (mx - self.x_centre)) / (n - 1)
            mean = s["mean"] - theta * (mx - mx_all)
            var = s["var"] + theta**2 * var_x - 2 * theta * cov
        return theta, {"n": n, "sum": mean * n, "mean": mean, "var": var}


def moments_query(t: ir.Table, keys: list[str], ys: dict[str, str], centres: dict[str, float],
                  cuped: dict[str, tuple[str, float]] | None = None) -> ir.Table:
    """One row per cell of ``keys`` with, for every variable ``o`` of ``ys`` (column of ``t``): ``n_o``
    (values), ``s_o`` (sum), ``q_o`` (sum of squares around ``centres[o]``); for the outcomes of ``cuped``
    (column of X with missing values filled, X's centre): ``sx_o``, ``sxx_o``, ``sxy_o`` over the units
    with a Y.

    Parameters
    ----------
    t : ir.Table
        Units with the outcome columns.
    keys : list[str]
        Grouping columns.
    ys : dict[str, str]
        Outcome name -> column of ``t``.
    centres : dict[str, float]
        Outcome name -> centre for the sums of squares.
    cuped : dict[str, tuple[str, float]] | None
        Outcome -> (X column, X centre), or None.

    Returns
    -------
    ir.Table
        One row per cell: ``n__`` and the per-outcome sums.
    """
    aggs = {"n__": t.count()}
    for o, col in ys.items():
        y = t[col]
        c = dbl(centres[o])
        aggs[f"n_{o}"] = y.count()
        aggs[f"s_{o}"] = total(y)
        aggs[f"q_{o}"] = total((y - c) * (y - c))
        if cuped and o in cuped:
            xcol, cx = cuped[o]
            x = t[xcol]
            has = y.notnull()
            dx = x - dbl(cx)
            aggs[f"sx_{o}"] = total(x, where=has)
            aggs[f"sxx_{o}"] = total(dx * dx, where=has)
            aggs[f"sxy_{o}"] = total((y - c) * dx, where=has)
    return t.group_by(keys).aggregate(**aggs)


def cells(frame: pd.DataFrame, index: np.ndarray, size: int, col: str) -> np.ndarray:
    """A column of an aggregate frame spread over ``size`` cells (``index``: each row's cell); 0 elsewhere.

    Parameters
    ----------
    frame : pd.DataFrame
        Aggregate frame.
    index : np.ndarray
        Cell of each row.
    size : int
        Number of cells.
    col : str
        Column to spread.

    Returns
    -------
    np.ndarray
        The values per cell.
    """
    out = np.zeros(size, dtype=float)
    if len(frame):
        out[index] = frame[col].to_numpy(dtype=float, na_value=0.0)
    return out


def moments_of(frame: pd.DataFrame, index: np.ndarray, size: int, o: str, centre: float) -> Moments:
    """The :class:`Moments` of outcome ``o`` from an aggregate frame of :func:`moments_query`.

    Parameters
    ----------
    frame : pd.DataFrame
        Aggregate frame with ``n_<o>``, ``s_<o>``, ``q_<o>``.
    index : np.ndarray
        Cell of each row.
    size : int
        Number of cells.
    o : str
        Outcome name.
    centre : float
        The centre the sums of squares were taken around.

    Returns
    -------
    Moments
        Counts, sums and sums of squares per cell.
    """
    return Moments(n=cells(frame, index, size, f"n_{o}"), total=cells(frame, index, size, f"s_{o}"),
                   centre=float(centre), sq=cells(frame, index, size, f"q_{o}"))
