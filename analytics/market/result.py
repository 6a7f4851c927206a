"""What :func:`analytics.market.fit` returns: the aggregates and fitted numbers, no text."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from analytics.calendar import PromoWindow


@dataclass(frozen=True, eq=False)
class MarketFit:
    """The market overview's numbers before any text: aggregates of the order lines (per day, per window, per
    period, per dimension value, per product and customer), the market data per month and the forecast.
    Language-free; :func:`analytics.market.present` turns it into the page's result in one language without
    asking the engine again. Treat it as read-only (it is shared between sessions and languages); two
    results compare equal only when they are the same object.

    Days are day numbers (days since 1970-01-01, see :mod:`analytics.market.periods`).

    Attributes
    ----------
    grain : str
        Trend grain: "day", "week" or "month" (an unknown value became "month").
    compare : str
        The chosen comparison: "prev" or "yoy".
    horizon : int
        Forecast periods asked for (1-52).
    refusal : str or None
        When the question cannot be answered: the i18n key of the reason ("market.error.no_orders",
        "market.error.no_match", "market.error.empty_window"); ``present`` raises ``NotEnoughData`` with it
        (the empty window's dates are ``cur_s`` / ``cur_e``) and the fields below it may be empty.
    dropped_no_date : int
        Order lines without an order date (left out of everything).
    data_min, data_max : int
        First and last order day of the data (all dimensions).
    cur_s, cur_e : int
        The KPI window: [start, end] clipped to the data.
    filters : dict of str to list of str
        The dimension filters applied (dimension -> values).
    ignored_filters : tuple of str
        Dimensions a filter was asked for but the orders do not hold (reported as warnings).
    windows : pandas.DataFrame
        One row per window, indexed by name: "cur" (the KPI window), "prev" / "yoy" (the comparisons the
        data reaches back to) and "find_cur" / "find_base" (the two windows the findings compare, when
        ``find_label`` is set; their buyers are new from the window's first line). Columns: ``start``,
        ``end``, ``new_from`` (first day that makes a buyer new), ``lines``, ``ret_lines``,
        ``nocust_lines`` (lines, return lines, lines without a customer id), ``gross_sales``, ``returns``,
        ``net``, ``nocust_sales`` (gross sales without a customer id), ``first_line_day``, ``orders``,
        ``buyers``, ``repeaters`` (buyers with 2+ orders) and ``new_buyers`` (all filtered by the
        dimensions), ``id_orders`` (orders of identified buyers: with a customer id).
    by_period : pandas.DataFrame
        The trend, one row per period of ``grain`` in the KPI window (zeros where no lines): period and
        period_end (ISO dates), complete, gross_sales, returns, net_sales, orders, buyers, aov, repeat_rate
        (NaN where undefined), new_buyers, returning_buyers.
    mix : dict of str to pandas.DataFrame or None
        Per dimension ("category", "channel", "region"): net sales per value (``value``; None = missing) in
        each window the mix and the findings compare (columns "cur", and "base", "find_cur", "find_base"
        where such windows exist), with ``rank`` (where the value first appears in the data: the order of
        equal values); None when the orders do not hold the dimension.
    pareto : dict
        Concentration of net sales in the KPI window: top_20pct_products_share, top_20pct_customers_share,
        product_key ("product_id" / "product_name" / None), products, customers (group counts) and
        products_curve / customers_curve (cumulative shares, at most 50 points).
    daily_net : numpy.ndarray
        Net sales per day from ``data_min`` to ``data_max`` (filtered by the dimensions; 0 on days without
        lines).
    promo_windows : tuple of analytics.calendar.PromoWindow
        Festival windows and the user's own campaign windows overlapping the KPI window.
    market_share : dict or None
        Own share of the market per month (source, trend, latest, share_change, share_change_yoy,
        market_growth, our_growth); None without usable market data.
    forecast_grain : str
        "month" for the month grain, else "week".
    forecast_keys : numpy.ndarray
        First day of each whole forecast period up to the window end (the history the model saw).
    forecast_values : numpy.ndarray
        Net sales of those periods.
    forecast_dropped : tuple of str
        Incomplete first / last periods left out of the history (ISO dates of their first days).
    forecast : dict
        :func:`analytics.market.forecast.forecast_series` output: forecast (value / lower / upper per step,
        or None), reason (i18n key and values when refused), model and backtest.
    find_label : tuple of (str, dict) or None
        What the findings compare: the i18n key and values of its label (the chosen comparison, or the last
        two whole periods); None when there is nothing to compare.
    has_money : bool
        False for an export with quantities and no amounts (:mod:`analytics.units`): every "sales" figure
        above is then units (quantity), market share is None, and ``present`` names them as units.
    new_products : dict or None
        GROW's extension (:mod:`analytics.market.grow`): ``sales`` (identified buyers' gross sales in the KPI
        window on products whose first sale line in the whole data falls in it) and ``products`` (how many
        such products sold); None without money, without a comparison window or without a product column.
    calendar : str
        The festival calendar of the promotion windows ("cn", "western" or "none"; analytics.calendar):
        the one asked for, or the one the data's channels, regions and categories suggest.
    all_windows : pandas.DataFrame
        Every grain's and comparison's windows (columns as ``windows``): "cur", "prev", "yoy" and the
        findings' windows ``find_cur@KEY`` / ``find_base@KEY``, KEY being a comparison the data reaches back
        to, or a grain (its last two whole periods, for a comparison it does not).
    by_period_of : dict of str to pandas.DataFrame
        ``by_period`` of each grain.
    mix_all : dict of str to pandas.DataFrame or None
        ``mix`` with a column per window of ``all_windows`` the mix compares ("cur", "prev", "yoy",
        ``find_cur@GRAIN``, ``find_base@GRAIN``; values without a line in a view's windows are 0 there).
    forecasts : dict of str to tuple
        Per forecast grain ("week", "month"): (forecast_keys, forecast_values, forecast_dropped, forecast).
    find_labels : dict of str to tuple of (str, dict)
        ``find_label`` per KEY of the findings' windows.
    any_new_products : dict or None
        ``new_products`` when some comparison window exists (a view without its comparison has None).
    """

    grain: str
    compare: str
    horizon: int
    refusal: str | None = None
    dropped_no_date: int = 0
    data_min: int = 0
    data_max: int = 0
    cur_s: int = 0
    cur_e: int = 0
    filters: dict[str, list[str]] = field(default_factory=dict)
    ignored_filters: tuple[str, ...] = ()
    windows: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_period: pd.DataFrame = field(default_factory=pd.DataFrame)
    mix: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    pareto: dict[str, Any] = field(default_factory=dict)
    daily_net: np.ndarray = field(default_factory=lambda: np.zeros(0))
    promo_windows: tuple[PromoWindow, ...] = ()
    market_share: dict[str, Any] | None = None
    forecast_grain: str = "month"
    forecast_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    forecast_values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    forecast_dropped: tuple[str, ...] = ()
    forecast: dict[str, Any] = field(default_factory=dict)
    find_label: tuple[str, dict[str, Any]] | None = None
    calendar: str = "cn"
    has_money: bool = True
    new_products: dict[str, Any] | None = None
    all_windows: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_period_of: dict[str, pd.DataFrame] = field(default_factory=dict)
    mix_all: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    forecasts: dict[str, tuple] = field(default_factory=dict)
    find_labels: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    any_new_products: dict[str, Any] | None = None

    def view(self, grain: str, compare: str) -> "MarketFit":
        """The fit as seen with one grain and comparison: ``grain``, ``compare``, ``windows``, ``by_period``,
        ``mix``, the forecast, ``find_label`` and ``new_products`` of that view, picked from the fields that
        hold every view (no engine query; the view shares the fit's arrays and frames: read-only).

        Parameters
        ----------
        grain : str
            "day", "week" or "month".
        compare : str
            "prev" or "yoy".

        Returns
        -------
        MarketFit
            The view (this fit itself when it already is that view, or holds no views: a refusal).
        """
        same = (grain, compare) == (self.grain, self.compare)
        if not self.by_period_of:  # a refusal (or a fit built by hand): nothing to pick
            return self if same else replace(self, grain=grain, compare=compare)
        if same and not self.windows.empty:
            return self
        have = compare in self.all_windows.index
        key = compare if have else grain
        names = {n: n for n in ("cur", "prev", "yoy") if n in self.all_windows.index}
        if key in self.find_labels:
            names.update({f"find_cur@{key}": "find_cur", f"find_base@{key}": "find_base"})
        windows = self.all_windows.loc[list(names)].rename(index=names)
        windows.index.name = self.all_windows.index.name
        cols = {"cur": "cur", compare: "base"} if have else {"cur": "cur"}
        if not have and key in self.find_labels:
            cols.update({f"find_cur@{key}": "find_cur", f"find_base@{key}": "find_base"})
        mix = {dim: (f[["value", *cols, "rank"]].rename(columns=cols) if f is not None else None)
               for dim, f in self.mix_all.items()}
        fgrain = "month" if grain == "month" else "week"
        keys, values, dropped, fc = self.forecasts[fgrain]
        return replace(self, grain=grain, compare=compare, windows=windows, by_period=self.by_period_of[grain],
                       mix=mix, forecast_grain=fgrain, forecast_keys=keys, forecast_values=values,
                       forecast_dropped=tuple(dropped), forecast=fc, find_label=self.find_labels.get(key),
                       new_products=self.any_new_products if have else None)

    def window(self, name: str) -> pd.Series | None:
        """The row of one window (None when it was not computed).

        Parameters
        ----------
        name : str
            Window name (``cur``, ``prev``, ``yoy``, ``find_cur``, ``find_base``, ...).

        Returns
        -------
        pd.Series | None
            The window's row of :attr:`windows`, or None.
        """
        return self.windows.loc[name] if name in self.windows.index else None
