"""Live commerce (直播与达人): the live room, its sessions, creator deals and content formats (issue 16).

Live room (``live_sessions``, one row per session), sums over the sessions in the window:

    GPM = 1000 x GMV / views (观看人次)          UV value (UV价值) = GMV / unique viewers (观看人数)
    conversion = buyers / unique viewers         AOV = GMV / orders
    ROI = GMV / ad spend (千川 / 投流消耗; the platforms' 投产比, = ROAS on the channel page)

Conversion carries a 95% Wilson interval (statsmodels ``proportion_confint(method="wilson")``). The funnel is
unique viewers -> product exposure -> product click -> order -> buyer, each step's rate from the one before.

What separates the best sessions: the top quarter are the sessions whose GMV (or GPM, ``rank_by``) is at or
above the 75th percentile (linear interpolation, pandas' default); for the time slot, the weekday and the host
the counts of top and other sessions per level are tested with Pearson's chi-square (no continuity correction)
and each level's share of top sessions gets a Wilson interval; for the duration, the number of products and
the ad spend the means of top and other sessions are compared with Welch's t interval. Everything is counted
in the engine (group counts, means, variances): no session is pulled into Python.

Creator deals (``creators``, one row per deal): commission = GMV x commission rate (a rate above 1 is read as
a percentage: 20 -> 20%), cost = slot fee (坑位费) + commission, ROI = GMV / cost, break-even commission =
gross margin - slot fee / GMV (the highest commission rate at which the deal still pays for itself at the
``margin`` parameter). With an ``orders`` dataset: daily sales (sale lines, not returns) are summed in the
engine; a creator's incremental GMV is the sum over their deal days of (sales that day - the mean of the
comparison days), the comparison days being the days within ``baseline_days`` of the deal day with no creator
deal and outside any deal's halo; its 95% interval is normal with variance sum s^2 (1 + 1/n) over the deal
days (s^2 the comparison days' variance). The halo is the sales in the ``halo_hours`` after the deal day
ends, against the comparison days' mean rate over as many hours.

Content (``content``, one row per item), per format (短视频 / 直播 / 图文笔记 / 商品卡 and any other value):
engagement rate = (likes + comments + shares + saves) / plays (Wilson interval), cost per engagement =
spend / engagements, click rate = clicks / plays, GMV per 1,000 plays, ROI = GMV / spend, completion rate
weighted by plays.

:func:`fit` runs the engine queries and returns a language-free :class:`LiveFit`; :func:`present` writes the
page's result in one language; :func:`compute` is both, for callers holding frames.

Modules: base (parameters, constants, small helpers), sessions (the live room), creators (creator deals and
their incremental GMV), content (content formats), result (:class:`LiveFit`), fitting (:func:`fit`, the
platform options), presentation (:func:`present`) and charts (:func:`figures`).
"""

from __future__ import annotations

import pandas as pd

from analytics.tables import Col
from data import engine

from .base import (CATEGORICAL_FACTORS, CONTENT_SUMS, FEW_BASELINE, FEW_SESSIONS, FIT_PARAMS, FORMATS, FUNNEL,
                   LEAGUE_ROWS, LIVE_KINDS, MAX_CREATORS, MAX_DEALS, MAX_HOST_LEVELS, MAX_HOSTS, MIN_SESSIONS,
                   NUMERIC_FACTORS, PARAMS, SESSION_SUMS, SLOTS, TOP_CONTENT, Z, _div, _f, _filtered, _num, _ratio,
                   _rows, _wilson)
from .charts import figures
from .content import _format_expr, formats_table, top_content
from .creators import _rate_expr, creators_table, daily_sales, incremental
from .fitting import fit, platform_options
from .presentation import (_content_text, _creator_text, _fmt_factor_level, _fmt_numeric, _session_text,
                           _top_quarter_rows, format_label, present)
from .result import LiveFit
from .sessions import (_rates, _session_columns, funnel_rows, hosts_table, league, session_totals, top_quarter,
                       trends_table)

PAGE = "live-commerce"
KINDS = {"live_sessions": False, "creators": False, "content": False, "orders": False}  # any one of the first three
KINDS_ANY = LIVE_KINDS  # the page needs one of these (components.page.frame, analytics.report)
LANGUAGE_FREE_CALLS = ("platform_options",)
# Result tables as the page, the CSV export and the report show them: column -> value kind (money, count,
# percent, number, date, text); headers are ``live.col.<column>`` (a session's ROI is the Qianchuan ROI, 千川ROI;
# a content item's format its label).
TABLES: dict[str, tuple] = {
    "funnel": (("step_label", "text"), ("people", "count"), ("rate", "percent")),
    "sessions": (("rank", "count"), ("session_id", "text"), ("start_time", "date"), ("host", "text"),
                 ("platform", "text"), ("gmv", "money"), ("views", "count"), ("unique_viewers", "count"),
                 ("gpm", "money"), ("uv_value", "money"), ("conversion", "percent"), ("conversion_ci_low", "percent"),
                 ("conversion_ci_high", "percent"), ("aov", "money"), Col("roi", "number", label="live.kpi.roi"),
                 ("spend", "money"),
                 ("duration", "count"), ("products", "count"), ("exposure_rate", "percent"), ("click_rate", "percent"),
                 ("order_rate", "percent")),
    "hosts": (("host", "text"), ("sessions", "count"), ("gmv", "money"), ("views", "count"),
              ("unique_viewers", "count"), ("gpm", "money"), ("uv_value", "money"), ("conversion", "percent"),
              ("conversion_ci_low", "percent"), ("conversion_ci_high", "percent"),
              Col("roi", "number", label="live.kpi.roi")),
    "top_quarter": (("factor", "text"), ("level", "text"), ("sessions", "count"), ("top_sessions", "count"),
                    ("share_top", "percent"), ("mean_top", "number"), ("mean_rest", "number"), ("diff", "number"),
                    ("ci_low", "number"), ("ci_high", "number"), ("p_value", "number")),
    "creators": (("creator", "text"), ("platform", "text"), ("deals", "count"), ("followers", "count"),
                 ("gmv", "money"), ("slot_fee", "money"), ("commission", "money"), ("cost", "money"), ("roi", "number"),
                 ("commission_rate", "percent"), ("break_even_commission", "percent"), ("profit", "money"),
                 ("incremental_gmv", "money"), ("incremental_ci_low", "money"), ("incremental_ci_high", "money"),
                 ("halo_gmv", "money"), ("halo_incremental", "money"), ("halo_ci_low", "money"),
                 ("halo_ci_high", "money")),
    "formats": (("format_label", "text"), ("items", "count"), ("plays", "count"), ("engagements", "count"),
                ("engagement_rate", "percent"), ("engagement_rate_ci_low", "percent"),
                ("engagement_rate_ci_high", "percent"), ("cpe", "money"), ("click_rate", "percent"),
                ("gmv", "money"), ("gmv_per_mille", "money"), ("spend", "money"), ("roi", "number"),
                ("completion_rate", "percent")),
    "top_content": (("content_id", "text"), Col("format", "text", values="live.format"), ("creator", "text"),
                    ("plays", "count"),
                    ("engagement_rate", "percent"), ("gmv", "money"), ("spend", "money"), ("roi", "number")),
}

__all__ = [
    # page interface
    "PAGE", "KINDS", "KINDS_ANY", "LIVE_KINDS", "PARAMS", "FIT_PARAMS", "LANGUAGE_FREE_CALLS", "TABLES",
    "platform_options", "fit", "present", "compute", "figures", "LiveFit",
    # constants
    "SESSION_SUMS", "FUNNEL", "SLOTS", "NUMERIC_FACTORS", "CATEGORICAL_FACTORS", "CONTENT_SUMS", "FORMATS",
    "LEAGUE_ROWS", "MAX_HOSTS", "MAX_HOST_LEVELS", "MAX_CREATORS", "MAX_DEALS", "TOP_CONTENT", "MIN_SESSIONS",
    "FEW_SESSIONS", "FEW_BASELINE", "Z",
    # building blocks
    "session_totals", "funnel_rows", "league", "hosts_table", "trends_table", "top_quarter", "creators_table",
    "daily_sales", "incremental", "formats_table", "top_content", "format_label",
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
    from analytics.params import resolve

    tables = engine.tables_from_frames({k: v for k, v in frames.items() if v is not None})
    full = resolve(PARAMS, params)
    return present(fit(tables, full), full, lang)
