"""Market overview: where sales are going (issue 4, DESIGN.md §4), on the engine (issue 13).

``fit(tables, params)`` runs every line-level step as an Ibis expression in the engine (embedded DuckDB) and
returns a :class:`MarketFit` of aggregates (per day, window, period, dimension value, product, customer) and
the fitted forecast, with no text, for every grain and both comparisons (``FIT_PARAMS`` leaves grain and
compare out: :meth:`MarketFit.view` picks them); ``present(result, params, lang)`` turns it into the page's
result in one language; ``compute(frames, params, lang)`` is both, for callers that hold canonical frames.

Modules: ``constants`` (PAGE, KINDS, PARAMS, thresholds), ``periods`` (day numbers, period keys, comparison
windows), ``lines`` (the lines expression and the table profile), ``kpis`` (the engine queries), ``mix`` (mix
and Pareto tables), ``season`` (seasonality), ``promos`` (festival and campaign windows, uplift),
``forecast``, ``share`` (market data), ``findings``, ``result`` (:class:`MarketFit`), ``fitting`` (``fit``),
``presenting`` (``present``), ``charts`` (``figures``).

Definitions (also in ``locales/market.json`` as ``metric.*``; docs/metrics.md is generated from them)
---------------------------------------------------------------------------------------------------
A *sale line* is an order line with ``is_return`` False; a *return line* has ``is_return`` True.

* gross sales = sum(amount) over sale lines in the window;
* returns = sum(|amount|) over return lines in the window;
* net sales = gross sales - returns;
* orders = distinct order ids with at least one sale line;
* buyers = distinct customer ids with a sale line (lines without a customer id count for sales and
  orders, not for buyers; their number and sales are reported in ``coverage``);
* AOV = gross sales / orders;
* repeat rate = buyers with 2+ orders in the window / buyers;
* new buyers = buyers whose first sale line in the whole dataset (all dates, all categories, channels
  and regions) falls in the window; returning buyers = buyers - new buyers.

Windows
-------
The KPI window is [start, end] clipped to the data (whole data when both are None). The previous period
has the same length and ends the day before the window starts (shifted by whole calendar months when
the window is whole months); the same period last year is the window shifted back one year. A
comparison is only made where the data reaches back to the comparison's first day (else None).

The page opens on :func:`default_window` when the link and the session hold no date range: the last
calendar month the data covers entirely against the month before it (data ending 2011-12-09: 2011-11
against 2011-10), or the whole data when it covers fewer than two complete months. ``fit`` itself keeps
"no start / end" as the whole data (the report and the command line), so a link always spells its window.
Category / channel / region filters apply to every figure except the "first order ever" of new buyers.

Forecast
--------
Net sales per whole period (weekly for day and week grains, monthly for month grain); an incomplete
first or last period is dropped and said so. Values are modelled on the log scale when every period is
positive (seasonal swings and intervals then scale with the level and lower bounds stay positive). The
model is chosen by how much history there is (m = 52 weeks / 12 months, b = 8 weeks / 6 months of
backtest), all from statsmodels' ``ETSModel``:

* n >= 2m + b: ETS(A,Ad,A), Holt-Winters with a damped additive trend and additive yearly seasonality;
* n >= m + 6 + b: last year's same period x smoothed year-on-year growth, i.e. ETS(A,N,N) (simple
  exponential smoothing) on the year-on-year log ratios, added to last year's log value (two seasons are
  too few to estimate m seasonal states and still backtest, but one season plus a growth rate is not);
* n >= 12 + b: ETS(A,Ad,N), damped trend, no seasonality;
* else no forecast, with the reason.

80% prediction intervals are the model's analytic intervals widened by the degrees-of-freedom factor
sqrt(n / (n - k)) for the k smoothing parameters and initial states taken from the n periods (for the
year-on-year model, with the residual scale taken from the residuals' empirical 10% and 90% quantiles
when that is narrower, so that a few festivals moving between years do not widen every interval). The
backtest uses each of the last b periods as a forecast origin (rolling origin, forecasting up to
``horizon`` steps ahead inside that window; the parameters are estimated once on the data before the
first origin, the states are updated with the data up to each origin, so nothing after an origin is used)
and reports MAPE, interval coverage, and the MAPE of the seasonal-naive baseline (same period one season
earlier; the naive last value when less than one season precedes the origin).
"""

from __future__ import annotations

import pandas as pd

from analytics.common import NotEnoughData, jsonable
from analytics.market.constants import (BACKTEST, DIMS, DISPLAY_PARAMS, FIT_PARAMS, INTERVAL, KINDS, KPI_NAMES,
                                        MAX_OPTIONS, MIN_NONSEASONAL, MIN_YOY, MIX_TOP, PAGE, PARAMS,
                                        PROMO_BASELINE_DAYS, SEASON, SMALL_ORDERS, TABLES)
from analytics.market.charts import figures
from analytics.market.fitting import fit
from analytics.market.forecast import MODELS, choose_model, forecast_series
from analytics.market.mix import change, mix_rows, pareto
from analytics.market.periods import (EPOCH, comparison_window, day_to_date, key_end, key_index, key_range,
                                      key_start, period_key, to_day, whole_periods)
from analytics.market.presenting import present
from analytics.market.result import MarketFit
from analytics.market.season import seasonality

# page helpers whose result has no text: analytics.cached.page_call keeps one result for every language
LANGUAGE_FREE_CALLS = ("filter_options", "default_window")


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """The page's result from canonical frames (registered as engine tables): ``present(fit(...))``.

    Parameters
    ----------
    frames : dict[str, pd.DataFrame]
        Kind -> canonical frame (``orders``, optionally ``market``).
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page's result (see :func:`present`).
    """
    from data import engine

    return present(fit(engine.tables_from_frames(frames), params), params, lang)


def filter_options(tables: dict, params: dict | None = None, lang: str = "en") -> dict[str, list[str]]:
    """Choices of the category / channel / region filters: the distinct values in the orders, largest net
    sales first (at most MAX_OPTIONS each; an empty list when the orders have no such column). ``tables``:
    kind -> engine table (a canonical frame is registered first).

    Parameters
    ----------
    tables : dict
        Kind -> engine table or canonical frame.
    params : dict | None
        Unused (the options do not depend on the parameters).
    lang : str
        Unused (the options are data values).

    Returns
    -------
    dict[str, list[str]]
        ``category``, ``channel``, ``region`` -> their values.
    """
    from analytics.market.kpis import option_lists
    from data import engine

    orders = tables.get("orders")
    out: dict[str, list[str]] = {d: [] for d in DIMS}
    if orders is None:
        return out
    if isinstance(orders, pd.DataFrame):
        if orders.empty:
            return out
        orders = engine.from_frame(orders)
    lists = option_lists(orders, [d for d in DIMS if d in orders.columns], MAX_OPTIONS)
    for dim, values in lists.items():
        out[dim] = [v for v in values if v != ""]
    return out


def default_window(tables: dict, params: dict | None = None, lang: str = "en") -> dict:
    """The market overview's default window (no text): ``start`` / ``end`` (ISO dates of the last complete
    month, or None for the whole data), ``fallback`` (True when the data covers fewer than two complete
    months, or has no dated line) and the data's ``data_start`` / ``data_end``. ``tables``: kind -> engine
    table (a canonical frame is registered first). One aggregate query (first and last order day).

    Parameters
    ----------
    tables : dict
        Kind -> engine table or canonical frame.
    params : dict | None
        Unused.
    lang : str
        Unused (no text).

    Returns
    -------
    dict
        ``start``, ``end``, ``fallback``, ``data_start``, ``data_end``.
    """
    from analytics.market.kpis import day_span
    from analytics.market.periods import iso, last_complete_month
    from data import engine

    orders = tables.get("orders")
    if isinstance(orders, pd.DataFrame):
        orders = engine.from_frame(orders) if not orders.empty else None
    d0, d1 = day_span(orders) if orders is not None else (None, None)
    month = last_complete_month(d0, d1)
    return {"start": iso(month[0]) if month else None, "end": iso(month[1]) if month else None,
            "fallback": month is None, "data_start": iso(d0) if d0 is not None else None,
            "data_end": iso(d1) if d1 is not None else None}


__all__ = [
    "BACKTEST", "DIMS", "DISPLAY_PARAMS", "EPOCH", "FIT_PARAMS", "INTERVAL", "KINDS", "KPI_NAMES", "MAX_OPTIONS", "MIN_NONSEASONAL", "MIN_YOY",
    "MIX_TOP", "MODELS", "MarketFit", "NotEnoughData", "PAGE", "PARAMS", "PROMO_BASELINE_DAYS", "SEASON",
    "SMALL_ORDERS", "TABLES", "change", "choose_model", "comparison_window", "compute", "day_to_date", "default_window", "figures",
    "filter_options", "fit", "forecast_series", "jsonable", "key_end", "key_index", "key_range", "key_start",
    "mix_rows", "pareto", "period_key", "present", "seasonality", "to_day", "whole_periods",
]
