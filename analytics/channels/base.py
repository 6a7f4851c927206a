"""The channel comparison's parameters, result tables and constants, and the safe division every part uses
(no engine, no models)."""


from __future__ import annotations

import numpy as np

from analytics.params import Param
from analytics.tables import Col

def shown(name: object, lang: str, by: str | None = "channel") -> object:
    """A channel's name as the page shows it in ``lang`` (analytics.channel_names.channel_label: "Douyin" reads
    抖音 in Chinese, as on the promotion planner); a campaign's (``by`` another column) or a missing name as it is.

    Parameters
    ----------
    name : object
        The stored name.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    by : str | None
        What the rows are grouped by (None: channels).

    Returns
    -------
    object
        The name to show.
    """
    from analytics.channel_names import channel_label

    if name is None or (by or "channel") != "channel":
        return name
    return channel_label(name, lang)


def shown_all(names: list, lang: str, by: str | None = "channel") -> list:
    """:func:`shown` of each name, made unique for a chart's categories: two stored names that read the same
    ("Douyin" and "抖音") keep their stored name in brackets (analytics.channel_names.channel_labels).

    Parameters
    ----------
    names : list
        The stored names, in the chart's order.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    by : str | None
        What the rows are grouped by (None: channels).

    Returns
    -------
    list
        The names to show.
    """
    from analytics.channel_names import channel_labels

    if (by or "channel") != "channel":
        return list(names)
    return channel_labels(names, lang)


PARAMS = [
    Param("by", "str", "channel", help="channels.help.by"),
    Param("min_points", "int", 8, min=3, max=1000, help="channels.help.min_points"),
    Param("recent_days", "int", 14, min=1, max=365, help="channels.help.recent_days"),
    Param("n_boot", "int", 1000, min=100, max=10000, help="channels.help.n_boot"),
    Param("seed", "int", 0, min=0, help="channels.help.seed"),
]
# Result tables as the page, its CSV export and the report show them (analytics/tables.py): column, kind of
# value; headers ``channels.col.<column>``, an interval's bounds "<metric> low / high (95%)".
_CI = ("ctr", "cvr", "roas", "cpa", "engagement_rate")
_KPI_KINDS = (("spend", "money"), ("impressions", "count"), ("clicks", "count"), ("conversions", "count"),
              ("revenue", "money"), ("ctr", "percent"), ("cvr", "percent"), ("cvr_impr", "percent"),
              ("cpc", "money"), ("cpm", "money"), ("cpa", "money"), ("roas", "number"), ("roi", "percent"),
              ("marginal_roas", "number"), ("engagement_rate", "percent"), ("follower_growth", "count"))
TABLES: dict[str, tuple] = {
    "channels": (("channel", "text"),) + tuple(
        c for key, kind in _KPI_KINDS
        for c in ((key, kind),) + (((f"{key}_ci_low", kind), (f"{key}_ci_high", kind)) if key in _CI else ())),
    "orders_by_channel": (("channel", "text"), ("orders", "count"), ("buyers", "count"), ("net_sales", "money"),
                          ("aov", "money"), ("return_rate", "percent"), ("return_rate_ci_low", "percent"),
                          ("return_rate_ci_high", "percent")),
    "curves": (("channel", "text"), ("current_spend", "money"), ("marginal_roas", "number"),
               Col("b", "number", label="channels.col.elasticity"), ("r2", "number"),
               Col("n", "count", label="channels.col.points"), ("diminishing", "bool")),
    "significant_pairs": (("metric", "text"), ("a", "text"), ("b", "text"), ("diff", "percent"),
                          ("p_value", "number"), ("p_adjusted", "number")),
    "incrementality": (("channel", "text"), ("spend", "money"), ("platform_roas", "number"),
                       ("incremental_roas", "number"),
                       Col("incremental_roas_ci_low", "number", help="channels.metric.incremental_roas"),
                       Col("incremental_roas_ci_high", "number", help="channels.metric.incremental_roas"),
                       ("inflation", "number"),
                       Col("inflation_ci_low", "number", help="channels.metric.inflation"),
                       Col("inflation_ci_high", "number", help="channels.metric.inflation"),
                       Col("basis", "text", help="channels.metric.incremental_source"),
                       ("attribution", "text")),
}

SUMS = ("spend", "impressions", "clicks", "conversions", "revenue", "video_views", "likes", "comments", "shares",
        "followers_gained")
MIN_BOOT_UNITS = 5
MAX_PAIR_GROUPS = 20      # pairwise tests and weekly trends: the groups with the most spend
MAX_CURVE_POINTS = 5000   # scatter points kept for the spend-vs-return chart
ALPHA = 0.05
Z = 1.959963984540054
# every parameter changes the numbers; ``ledger`` (the incrementality ledger's entries, :func:`store_params`)
# is read from the catalogue, so a new or changed entry refits
FIT_PARAMS = tuple(p.key for p in PARAMS) + ("ledger",)
MODEL_N_BOOT, MODEL_SEED = 100, 0  # the promotion planner's defaults (analytics.promotions.PARAMS)
ATTRIBUTION_WORDS = ("attribution", "归因")  # a kept column whose name holds one states the attribution window


def _div(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)
