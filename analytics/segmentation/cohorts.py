"""Monthly acquisition cohorts: retention and net sales by cohort month x months since acquisition, from
the engine's cohort x month cells (:func:`.customers.cohort_cells`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.common import NotEnoughData

from . import customers as cu
from .base import _as_ts


def cohort_matrix(cells: pd.DataFrame, last_month: int | None, ad: pd.Timestamp,
                  max_months: int | None = None) -> dict:
    """Retention (share of the cohort with a non-return line in the month), revenue (the cohort's net
    sales in the month) and revenue per customer, cohort x months since the cohort month, from
    :func:`.customers.cohort_cells`. Cells after the last month of data are None.

    Parameters
    ----------
    cells : pd.DataFrame
        Cohort cells from :func:`.customers.cohort_cells`: ``cohort`` and ``month`` (months since year 0),
        ``active`` (customers), ``net`` (net sales).
    last_month : int | None
        The last month with data (same numbering), or None when there are no lines.
    ad : pd.Timestamp
        Analysis date (a partial last month is flagged).
    max_months : int | None
        Most months since the cohort month shown (None: all).

    Returns
    -------
    dict
        ``cohorts`` (``YYYY-MM`` labels), ``sizes``, ``months``, ``retention``, ``revenue``,
        ``revenue_per_customer`` (cohort x month lists, None where unobserved), ``last_month_partial``.
    """
    if cells.empty or last_month is None:
        raise NotEnoughData("segmentation.error.no_orders")
    own = cells.loc[cells["month"] == cells["cohort"]]
    first = own["cohort"].to_numpy(np.int64)
    c0 = int(first.min())
    n_coh = last_month - c0 + 1
    n_m = n_coh if max_months is None else min(n_coh, max_months + 1)
    size = np.zeros(n_coh, dtype=np.int64)
    size[first - c0] = own["active"].to_numpy(np.int64)
    coh = cells["cohort"].to_numpy(np.int64)
    age = cells["month"].to_numpy(np.int64) - coh
    keep = age < n_m
    active = np.zeros((n_coh, n_m))
    np.add.at(active, (coh[keep] - c0, age[keep]), cells["active"].to_numpy(float)[keep])
    rev = np.zeros((n_coh, n_m))
    np.add.at(rev, (coh[keep] - c0, age[keep]), cells["net"].to_numpy(float)[keep])
    with np.errstate(invalid="ignore", divide="ignore"):
        ret = active / size[:, None]
    rows_i, cols_j = np.indices((n_coh, n_m))
    observed = (rows_i + cols_j) <= (last_month - c0)
    ret = np.where(observed & (size[:, None] > 0), ret, np.nan)
    rev = np.where(observed & (size[:, None] > 0), rev, np.nan)
    labels = [f"{(c0 + i) // 12:04d}-{(c0 + i) % 12 + 1:02d}" for i in range(n_coh)]
    keep_rows = size > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        rpc = rev / size[:, None]
    return {"cohorts": [lab for lab, k in zip(labels, keep_rows) if k],
            "sizes": size[keep_rows].tolist(), "months": list(range(n_m)),
            "retention": ret[keep_rows].tolist(), "revenue": rev[keep_rows].tolist(),
            "revenue_per_customer": rpc[keep_rows].tolist(),
            "last_month_partial": bool(pd.Timestamp(ad - pd.Timedelta(days=1)).is_month_end is False)}


def cohorts(lines, ad: pd.Timestamp, max_months: int | None = None) -> dict:
    """Monthly acquisition cohorts (month of the first non-return line) x months since that month, over
    the prepared lines (:func:`.customers.prepared_lines`, or a :class:`.customers.Prepared`) before
    ``ad``; see :func:`cohort_matrix`.

    Parameters
    ----------
    lines
        Prepared lines (an Ibis table) or a :class:`.customers.Prepared`.
    ad : pd.Timestamp
        Analysis date: lines before it count.
    max_months : int | None
        Most months since the cohort month shown (None: all).

    Returns
    -------
    dict
        See :func:`cohort_matrix`.
    """
    if isinstance(lines, cu.Prepared):
        lines = lines.lines
    cells, last = cu.cohort_cells(lines, ad)
    return cohort_matrix(cells, last, ad, max_months)


def cohort_table(orders, analysis_date=None) -> dict:
    """:func:`cohorts` of an orders table or canonical frame (analysis date default: the day after the
    last order line).

    Parameters
    ----------
    orders
        An orders Ibis table or canonical frame.
    analysis_date
        Analysis date (None: the day after the last order line).

    Returns
    -------
    dict
        See :func:`cohort_matrix`.
    """
    with cu.frame_tables({"orders": orders}) as (tables, _):
        tbl = tables["orders"]
        ad = _as_ts(analysis_date) if analysis_date is not None else cu.analysis_date_of(tbl)
        return cohorts(cu.prepared_lines(tbl), ad)
