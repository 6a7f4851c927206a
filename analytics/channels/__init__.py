"""Channel comparison: which channels pay, with intervals, significance and diminishing returns (issue 6).

Per group (``by`` = channel, campaign or any attribute column) the sums of spend, impressions, clicks,
conversions, revenue, views, likes, comments, shares and followers gained, and the rates:

    CTR = clicks / impressions            CVR = conversions / clicks     CVR/impr = conversions / impressions
    CPC = spend / clicks                  CPM = 1000 spend / impressions CPA = spend / conversions
    ROAS = revenue / spend                ROI = (revenue - spend) / spend
    engagement rate = (likes + comments + shares) / video views (impressions when there are no views)
    cost per follower = spend / followers gained

Intervals (95%): Wilson for the proportions (statsmodels ``proportion_confint(method="wilson")``). ROAS and
CPA: a percentile bootstrap over the units (days when dates exist, else rows = ads / campaigns; 1,000
seeded resamples, vectorised) when a group has at least ``MIN_BOOT_UNITS`` units; otherwise the delta
method with conversions as Poisson: se(log ROAS) = se(log CPA) = 1 / sqrt(conversions) (revenue per
conversion and spend held fixed), stated in the warnings.

Significance: pooled two-proportion z-tests of CTR and CVR for every pair of groups, Holm-corrected
within each metric (statsmodels ``multipletests``); pairs with adjusted p < 0.05 are listed.

Diminishing returns: per group, revenue = a * spend^b fitted by least squares in log-log over the units
with spend > 0 and revenue > 0 (needs ``min_points`` units and a spend range of at least 1.5x). The
marginal ROAS at the current spend s (mean daily spend of the last ``recent_days`` days; mean spend per
row on a snapshot) is d revenue / d spend = a b s^(b-1) = b x fitted ROAS at s. The channel with the
highest marginal ROAS is where the next unit of budget pays most (``best_next_channel``).

Platform vs incremental ROAS (issue 17 item 3): per channel the ROAS the platform reports (its revenue /
its spend in the period: each platform counts a buyer it touched, so the same buyer is counted by every
platform) beside the incremental ROAS, from the newest incrementality ledger entry of the channel (the
test's incremental revenue / the test's spend, with its 95% interval; :mod:`analytics.ledger`), else from the
promotion planner's response model (:func:`analytics.promotions.fit_calibrated`, calibrated on the ledger,
at its defaults) as the *average* incremental ROAS at the current spend: the model's steady-state weekly
outcome at the mean weekly spend of the last 13 weeks / that spend (bootstrap 95% interval). Inflation =
platform ROAS / incremental ROAS. The attribution window is read where the data states it (a kept column
named attribution / 归因, e.g. Meta's "Attribution setting"); when the platforms' conversions or revenue
summed over the platforms exceed the orders' own in the same days, the double count is stated with its size
(:func:`incrementality`).

Without a channels dataset, orders with a channel column are compared instead: orders, buyers, net sales,
AOV and return rate per channel.

On the engine (issue 13): :func:`fit` sums the channel lines per group and day (:func:`daily_units`) and the
order lines per channel (:func:`orders_by_channel`) as Ibis expressions in the engine; the intervals,
tests and curves run in Python on those sums and land in a :class:`ChannelFit` (no text); :func:`present`
writes the page's result in one language from it; :func:`compute` is both, for callers holding frames.

Modules: base (parameters, result tables, constants), queries (engine queries), kpis (rates, intervals,
pairwise tests, the curve fit), incremental (platform vs incremental ROAS), fitting (:class:`ChannelFit`,
:func:`fit`), presentation (:func:`present` and its texts), charts (figures) and options (page helpers:
:func:`store_params`, :func:`by_options`); :func:`compute` and the page's constants live here.
"""

from __future__ import annotations

import pandas as pd

from analytics.i18n import t  # channels.t: the module's texts, as before the split (tests read it)
from data import engine

from .base import (_CI, _KPI_KINDS, ALPHA, ATTRIBUTION_WORDS, FIT_PARAMS, MAX_CURVE_POINTS, MAX_PAIR_GROUPS,
                   MIN_BOOT_UNITS, MODEL_N_BOOT, MODEL_SEED, PARAMS, SUMS, TABLES, Z, _div)
from .charts import (FUNNEL_LOG_BELOW, FUNNEL_STEPS, _curve_figures, _funnel_figures, _incrementality_figures,
                     _kpi_figures, _orders_figures, _trend_figures, figures)
from .fitting import ChannelFit, _compare, _defaults, fit, funnel_rows, response_curves, weekly_trends
from .incremental import (attribution_by_channel, attribution_columns, incrementality, model_roas, newest_entry,
                          overcount, platform_by_channel)
from .kpis import fit_curve, kpi_table, pairwise_tests, ratio_intervals
from .options import by_options, store_params
from .presentation import _holds_one, _orders_only, _x, headlines, present, present_incrementality
from .queries import _counts, _sum_or_null, daily_units, orders_by_channel

PAGE = "channel-comparison"
KINDS = {"channels": False, "orders": False}  # at least one; orders need a channel column
KINDS_ANY = ("channels", "orders")  # the page needs one of these (components.page.frame, analytics.report)
# page helpers whose result has no text: analytics.cached.page_call keeps one result for every language
LANGUAGE_FREE_CALLS = ('by_options',)

__all__ = [
    # page interface
    "PAGE", "KINDS", "KINDS_ANY", "PARAMS", "FIT_PARAMS", "TABLES", "LANGUAGE_FREE_CALLS", "fit", "present",
    "compute", "figures", "store_params", "by_options", "ChannelFit",
    # constants
    "SUMS", "MIN_BOOT_UNITS", "MAX_PAIR_GROUPS", "MAX_CURVE_POINTS", "ALPHA", "Z", "MODEL_N_BOOT", "MODEL_SEED",
    "ATTRIBUTION_WORDS", "FUNNEL_STEPS", "FUNNEL_LOG_BELOW",
    # building blocks (tests and other modules call them)
    "kpi_table", "ratio_intervals", "pairwise_tests", "fit_curve", "daily_units", "orders_by_channel",
    "attribution_columns", "platform_by_channel", "attribution_by_channel", "newest_entry", "model_roas",
    "overcount", "incrementality", "response_curves", "funnel_rows", "weekly_trends", "headlines",
    "present_incrementality",
    # private names kept importable from the package
    "_CI", "_KPI_KINDS", "_div", "_sum_or_null", "_counts", "_defaults", "_compare", "_x", "_holds_one",
    "_orders_only", "_orders_figures", "_funnel_figures", "_kpi_figures", "_incrementality_figures",
    "_curve_figures", "_trend_figures",
]


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """The page's result from canonical frames (registered as engine tables): ``present(fit(...))``.

    Parameters
    ----------
    frames : dict[str, pd.DataFrame]
        Kind -> canonical frame (None values are dropped).
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page's result.
    """
    tables = engine.tables_from_frames({k: v for k, v in frames.items() if v is not None})
    return present(fit(tables, params), params, lang)
