"""The language-free result of competitor tracking's fit."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class CompetitorFit:
    """Competitor tracking's numbers before any text (language-free; :func:`present` writes the findings,
    warnings and the elasticity's reading). Shared between sessions and languages: treat it as read-only.

    Attributes
    ----------
    threshold : float
        Price-move threshold (share of the reference price).
    window : int
        Trailing window of the reference price, days.
    own : dict
        ``source`` ("brand": the own brand's rows in the competitor data; "orders": prices paid in the
        orders; None), ``name`` (the own brand, or None) and ``match_by`` ("product", "category", "all" or
        None).
    filters : dict of str to list of str
        The product / category filters applied.
    own_param : str or None
        The ``own`` parameter as given (named when it matches no competitor).
    price_index : pandas.DataFrame
        One row per week (``period``, Monday) and key (``key``: product or category label, or "all"):
        own_price, competitor_price (mean over competitors of each one's mean price), competitors (count)
        and index (own / competitor x 100), sorted by key and week.
    price_index_summary : list of dict
        Per key: weeks, latest_period, latest_index, mean_index; highest latest index first.
    events : list of dict
        Competitors' price moves: date, in_festival, competitor, product, price, reference_price,
        change_pct, direction and (when the data has promotions) promo.
    competitors : list of dict
        One row per competitor (own brand last): observations, products, first_seen, last_seen, avg_price,
        avg_discount, promo_share, latest values and changes of rating / reviews / followers / share /
        sales_volume where present, events, is_own.
    trends : dict of str to list of dict
        Per metric (price, discount, rating, reviews, followers, share): the weekly mean per competitor
        (period, competitor, value).
    price_timeline : list of dict
        Daily mean price of the competitor x product series shown in the chart (those with the most events
        and observations): date, competitor, product, price, promo.
    elasticity : dict or None
        The cross-price elasticity (value, ci_low, ci_high, n, p_value, controls, hac_lags, zero_weeks,
        sample, weeks_overlap, weeks_excluded, own_price_elasticity, points, measure); None when not claimed.
    elasticity_refusal : tuple of (str, dict) or None
        Why there is no elasticity: the i18n key and its values.
    own_vs_competitors : dict or None
        Own weekly volume next to the competitor price level and the week's price cuts and rises
        (``measure``, ``weeks``); None without own volume.
    notes : tuple of (str, dict)
        The warnings in order: i18n key and raw values (a count, a dimension name, the own parameter).
    """

    threshold: float
    window: int
    own: dict
    filters: dict
    own_param: str | None = None
    price_index: pd.DataFrame = field(default_factory=pd.DataFrame)
    price_index_summary: list = field(default_factory=list)
    events: list = field(default_factory=list)
    competitors: list = field(default_factory=list)
    trends: dict = field(default_factory=dict)
    price_timeline: list = field(default_factory=list)
    elasticity: dict | None = None
    elasticity_refusal: tuple | None = None
    own_vs_competitors: dict | None = None
    notes: tuple = ()
