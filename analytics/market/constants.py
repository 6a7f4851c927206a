"""The market overview's interface constants (page, kinds, parameters) and its thresholds."""

from __future__ import annotations

from analytics.params import Param
from analytics.tables import Col

PAGE = "market-overview"
KINDS = {"orders": True, "market": False}
PARAMS = [
    Param("grain", "str", "month", choices=("day", "week", "month"), help="market.help.grain"),
    Param("compare", "str", "prev", choices=("prev", "yoy"), help="market.help.compare"),
    Param("horizon", "int", 3, min=1, max=52, help="market.help.horizon"),
    Param("category", "list", None, help="market.help.category"),
    Param("channel", "list", None, help="market.help.channel"),
    Param("region", "list", None, help="market.help.region"),
    Param("calendar", "str", "auto", choices=("auto", "cn", "western", "none"), help="market.help.calendar"),
]
# grain and compare are display parameters: one fit holds every grain and both comparisons (MarketFit.view);
# the horizon stays a fit parameter (the forecast and its backtest are fitted for it)
DISPLAY_PARAMS = ("grain", "compare")
FIT_PARAMS = tuple(p.key for p in PARAMS if p.key not in DISPLAY_PARAMS)

DIMS = ("category", "channel", "region")
# Result tables as the page, its CSV export and the report show them (analytics/tables.py): column, kind of
# value; headers ``market.col.<column>``. ``mix.<dim>`` share the ``mix`` columns.
_MIX = (("value", "text"), ("net_sales", "money"), ("share", "percent"), ("base_net_sales", "money"),
        ("base_share", "percent"), ("share_change", "percent"), ("growth", "percent"), ("contribution", "percent"))
TABLES: dict[str, tuple] = {
    "promos": (Col("label", "text", label="market.col.promotion"), Col("source", "text", values="market.source"),
               ("start", "date"), ("end", "date"), ("daily_net_sales", "money"),
               ("baseline_daily", "money"), Col("uplift", "number", help="market.metric.promo_uplift")),
    "by_period": (("period", "date"), ("period_end", "date"), ("complete", "bool"), ("gross_sales", "money"),
                  ("returns", "money"), ("net_sales", "money"), ("orders", "count"), ("buyers", "count"),
                  ("aov", "money"), ("repeat_rate", "percent"), ("new_buyers", "count"), ("returning_buyers", "count")),
    "forecast": (("period", "date"), Col("value", "money", label="market.col.forecast"), ("lower", "money"),
                 ("upper", "money")),
    "backtest.rows": (("actual", "money"), ("forecast", "money"), ("lower", "money"), ("upper", "money"),
                      ("baseline", "money")),
    **{f"mix.{dim}": (Col("value", "text", label=f"market.page.dim_title.{dim}"),) + _MIX[1:] for dim in DIMS},
    "market_share.trend": (("period", "date"), ("market_size", "money"), ("our_sales", "money"), ("share", "percent")),
    "grow.rows": (("label", "text", "market.col.component"), ("factor", "text", "market.col.factor"),
                  ("value", "money", "market.col.grow_value"), ("share_of_change", "percent")),
}
KPI_NAMES = ("gross_sales", "returns", "net_sales", "orders", "buyers", "aov", "repeat_rate", "new_buyers",
             "returning_buyers")
MIX_TOP = 12
SMALL_ORDERS = 30
SEASON = {"week": 52, "month": 12}
BACKTEST = {"week": 8, "month": 6}
MIN_NONSEASONAL = 12
MIN_YOY = 6  # year-on-year ratios before the first backtest origin
PROMO_BASELINE_DAYS = 28
INTERVAL = 0.80
MAX_OPTIONS = 2000


def options(params: dict | None) -> dict:
    """The parameters with defaults filled in and out-of-range choices replaced (grain, compare, horizon).

    Parameters
    ----------
    params : dict | None
        The page's parameters (None: all defaults); None values take the default.

    Returns
    -------
    dict
        Every PARAMS key with a valid value: ``grain`` in day/week/month, ``compare`` prev/yoy, ``horizon``
        1..52, ``calendar`` auto/cn/western/none.
    """
    p = {pp.key: pp.default for pp in PARAMS}
    p.update({k: v for k, v in (params or {}).items() if v is not None})
    p["grain"] = p["grain"] if p["grain"] in ("day", "week", "month") else "month"
    p["compare"] = p["compare"] if p["compare"] in ("prev", "yoy") else "prev"
    p["horizon"] = max(1, min(int(p["horizon"] or 3), 52))
    p["calendar"] = p["calendar"] if p["calendar"] in ("auto", "cn", "western", "none") else "auto"
    return p
