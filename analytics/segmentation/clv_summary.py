"""Customer lifetime value on the page: BG/NBD + Gamma-Gamma (analytics.clv) fitted on the per-customer
purchase-day summaries the engine computes (:func:`.customers.purchase_day_summary`), the churn bands and
the CLV distribution."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import clv as clvmod
from analytics.common import NotEnoughData

from . import customers as cu
from .base import _as_ts

CLV_COLUMNS = ("p_alive", "churn_risk", "expected_purchases", "expected_spend", "clv")


def summary_statistics(days: pd.DataFrame, codes: pd.Index, calibration_end: pd.Timestamp,
                       time_unit: str = "week") -> pd.DataFrame:
    """analytics.clv.summary_data from :func:`.customers.purchase_day_summary`: per customer (code, in
    code order) frequency x = purchase days - 1, recency t_x and T in ``time_unit``, monetary_value = mean
    value of the repeat purchase days (0 without a repeat purchase) and first_purchase (day).
    ``codes``: customer id -> code (the index of the customer aggregates).

    Parameters
    ----------
    days : pd.DataFrame
        Per customer: ``customer_id``, ``first_day``, ``last_day``, ``days`` (purchase days), ``total`` and
        ``first_value`` (net sales in all and on the first day); ``code`` when already looked up in ``codes``.
    codes : pd.Index
        Customer id -> code (the index of the customer aggregates).
    calibration_end : pd.Timestamp
        End of the calibration period (T is measured up to it).
    time_unit : str
        "day", "week" or "month" (ValueError otherwise).

    Returns
    -------
    pd.DataFrame
        Columns ``customer_id`` (the code), ``frequency``, ``recency``, ``T``, ``monetary_value``,
        ``first_purchase``, in code order.
    """
    if time_unit not in clvmod.UNIT_DAYS:
        raise ValueError(f"time_unit must be one of {', '.join(clvmod.UNIT_DAYS)}")
    cal = pd.Timestamp(calibration_end).normalize()
    unit = clvmod.UNIT_DAYS[time_unit]
    code = days["code"].to_numpy() if "code" in days.columns else cu.positions(days["customer_id"], codes)
    first = days["first_day"].astype("datetime64[ns]")
    last = days["last_day"].astype("datetime64[ns]")
    freq = (days["days"].astype(np.int64) - 1).astype(float)
    repeat_value = days["total"].to_numpy(float) - days["first_value"].to_numpy(float)
    monetary = np.where(freq > 0, repeat_value / freq.where(freq > 0, 1.0), 0.0)
    out = pd.DataFrame({
        "customer_id": code,
        "frequency": freq.to_numpy(),
        "recency": ((last - first).dt.days / unit).to_numpy(dtype=float),
        "T": ((cal - first).dt.days / unit).to_numpy(dtype=float),
        "monetary_value": np.asarray(monetary, dtype=float),
        "first_purchase": first.to_numpy(),
    })
    return out.sort_values("customer_id", kind="stable").reset_index(drop=True)


def fit_clv(lines, codes: pd.Index, ad: pd.Timestamp, calibration_end: pd.Timestamp, time_unit: str,
            horizon: int, discount: float):
    """Fit BG/NBD and Gamma-Gamma on the purchase days before ``ad`` up to ``calibration_end`` and score
    every fitted customer. Returns (per-customer frame indexed by code with frequency, recency, T,
    monetary_value, p_alive, churn_risk, expected_purchases, expected_spend, clv; BGNBD; GammaGamma).
    Raises NotEnoughData when the models cannot be fitted honestly.

    Parameters
    ----------
    lines
        Prepared order lines (:func:`.customers.prepared_lines`).
    codes : pd.Index
        Customer id -> code.
    ad : pd.Timestamp
        Analysis date: lines before it count.
    calibration_end : pd.Timestamp
        End of the calibration period.
    time_unit : str
        "day", "week" or "month".
    horizon : int
        CLV horizon in months.
    discount : float
        Monthly discount rate.

    Returns
    -------
    tuple[pd.DataFrame, BGNBD, GammaGamma
        ] The per-customer frame indexed by code (``frequency``, ``recency``, ``T``, ``monetary_value``,
        ``p_alive``, ``churn_risk``, ``expected_purchases``, ``expected_spend``, ``clv``) and the two fitted
        models.
    """
    return scores_from_days(cu.purchase_day_summary(lines, ad, calibration_end), codes, calibration_end, time_unit,
                            horizon, discount)


def scores_from_days(days: pd.DataFrame, codes: pd.Index, calibration_end: pd.Timestamp, time_unit: str,
                     horizon: int, discount: float):
    """:func:`fit_clv` from the purchase-day summary the engine gave (:func:`.customers.purchase_day_summary`).

    Parameters
    ----------
    days : pd.DataFrame
        The purchase-day summary.
    codes : pd.Index
        Customer id -> code.
    calibration_end : pd.Timestamp
        End of the calibration period.
    time_unit : str
        "day", "week" or "month".
    horizon : int
        CLV horizon in months.
    discount : float
        Monthly discount rate.

    Returns
    -------
    tuple[pd.DataFrame, BGNBD, GammaGamma
        ] See :func:`fit_clv`.
    """
    summ = summary_statistics(days, codes, calibration_end, time_unit)
    tab, bg, gg = clvmod.clv_from_summary(summ, time_unit=time_unit, horizon_months=horizon, discount=discount)
    return tab.set_index("customer_id"), bg, gg


def clv_numbers(tab: pd.DataFrame, ctab: pd.DataFrame, bg, gg, horizon: int, discount: float, time_unit: str,
                calibration_end: pd.Timestamp) -> dict:
    """The page's CLV block without texts: model parameters and log-likelihoods, total and mean CLV,
    churn bands (customers, share, CLV, net-sales share), top-10% share, frequency-spend correlation of
    the repeat buyers, the CLV histogram, and ``missing`` (customers of ``tab`` without a CLV: first
    purchase after the calibration end). ``tab``: the RFM table with the CLV columns.

    Parameters
    ----------
    tab : pd.DataFrame
        The RFM table with the CLV columns (``clv``, ``churn_risk``, ``monetary``).
    ctab : pd.DataFrame
        The fitted per-customer frame (``frequency``, ``monetary_value``).
    bg
        The fitted BG/NBD model.
    gg
        The fitted Gamma-Gamma model.
    horizon : int
        CLV horizon in months.
    discount : float
        Monthly discount rate.
    time_unit : str
        The model's time unit.
    calibration_end : pd.Timestamp
        End of the calibration period.

    Returns
    -------
    dict
        ``params``, ``log_likelihood``, ``horizon``, ``discount``, ``time_unit``, ``calibration_end``,
        ``total``, ``mean``, ``customers_fitted``, ``repeat_customers``, ``customers_scored``,
        ``top10_share``, ``frequency_spend_corr``, ``churn_bands``, ``histogram``, ``missing``.
    """
    total = float(np.nansum(tab["clv"]))
    bands = []
    net_total = float(tab["monetary"].sum())
    for band in ("high", "medium", "low"):
        sel = (tab["churn_risk"] == band).to_numpy()
        bands.append({"band": band, "customers": int(sel.sum()),
                      "share": float(sel.mean()), "clv": float(np.nansum(tab.loc[sel, "clv"])),
                      "net_sales_share": float(tab.loc[sel, "monetary"].sum() / net_total) if net_total else None})
    vals = tab["clv"].dropna().to_numpy()
    top10 = float(np.sort(vals)[::-1][: max(1, len(vals) // 10)].sum() / vals.sum()) if vals.sum() > 0 else None
    rep = ctab.loc[ctab["frequency"] > 0]
    corr = float(np.corrcoef(rep["frequency"], rep["monetary_value"])[0, 1]) if len(rep) > 2 else None
    hist_counts, edges = np.histogram(vals, bins=30) if len(vals) else (np.array([]), np.array([]))
    return {
        "params": {**bg.params(), **gg.params()},
        "log_likelihood": {"bgnbd": bg.log_likelihood, "gamma_gamma": gg.log_likelihood},
        "horizon": int(horizon), "discount": float(discount), "time_unit": time_unit,
        "calibration_end": calibration_end.date(), "total": total,
        "mean": float(np.nanmean(tab["clv"])) if len(vals) else None,
        "customers_fitted": bg.customers, "repeat_customers": gg.customers, "customers_scored": int(len(ctab)),
        "top10_share": top10, "frequency_spend_corr": corr,
        "churn_bands": bands,
        "histogram": {"counts": hist_counts.tolist(), "edges": edges.tolist()},
        "missing": int(tab["clv"].isna().sum()),
    }


def clv(orders, calibration_end=None, *, time_unit: str = "week", horizon_months: int = 12,
        discount: float = 0.01) -> dict:
    """BG/NBD + Gamma-Gamma on the orders (engine table or canonical frame) up to ``calibration_end``
    (default: the day after the last order). Returns {"table": per-customer frame, "bgnbd": fit,
    "gamma_gamma": fit, "calibration_end": date}; the table's customer_id is the customer id.

    Parameters
    ----------
    orders
        Orders engine table or canonical frame (``customer_id``, ``order_date``, ``amount``).
    calibration_end
        End of the calibration period (None: the day after the last order).
    time_unit : str
        "day", "week" or "month".
    horizon_months : int
        CLV horizon in months.
    discount : float
        Monthly discount rate.

    Returns
    -------
    dict
        ``table`` (per customer, as :func:`fit_clv` with ``customer_id`` the id), ``bgnbd``, ``gamma_gamma``,
        ``calibration_end``.
    """
    with cu.frame_tables({"orders": orders}) as (tables, _):
        tbl = tables["orders"]
        counts = cu.line_counts(tbl)
        if calibration_end is not None:
            cal = _as_ts(calibration_end)
        else:
            if counts.last_line is None:
                raise NotEnoughData("segmentation.error.no_orders")
            cal = counts.last_line.normalize() + pd.Timedelta(days=1)
        lines = cu.prepared_lines(tbl)
        end = (counts.last_line or cal) + pd.Timedelta(days=1)
        codes = cu.customer_ids(lines)
        tab, bg, gg = fit_clv(lines, codes, end, cal, time_unit, horizon_months, discount)
    tab = tab.reset_index()
    tab["customer_id"] = codes[tab["customer_id"].to_numpy()].to_numpy()
    return {"table": tab, "bgnbd": bg, "gamma_gamma": gg, "calibration_end": cal}
