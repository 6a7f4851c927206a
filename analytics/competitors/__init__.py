"""Competitor tracking: what competitors are doing with prices and promotions (issue 4, DESIGN.md §4).

Definitions (also in ``locales/competitors.json`` as ``metric.*``)
-----------------------------------------------------------------
* Own prices: the rows of the own brand in the competitor data (``own`` parameter; by default a
  competitor value such as "own", "本品", "我方"), else the prices paid in the orders (amount / quantity of
  sale lines, unit price when there is no quantity).
* Price index per week and product (or category, when no product names match) = own price / competitor
  price x 100, where competitor price = mean over competitors of each competitor's mean price that week
  (every competitor counts once, however often it was observed). 100 = at par; below 100 = cheaper.
* Discount depth = 1 - price / list_price (observations with a positive list price).
* Promotion frequency = share of observations whose promo field names a promotion (not empty, "0",
  "no", "none", "无", "否").
* Price-move event: an observation of a competitor x product whose price differs from the median of that
  series' prices in the trailing ``window`` days (the observation itself excluded) by ``threshold`` or
  more; consecutive flagged observations moving the same way are one event (the first is listed).
* Cross-price elasticity: OLS of log(own weekly volume) on log(competitor weekly price level), with a
  linear trend and, when own prices vary, log(own weekly price) as controls; Newey-West (HAC) standard
  errors for the autocorrelation of weekly series, 95% CI. Festivals and own campaigns move every brand's
  prices and our demand at the same time (a spurious negative link), so the regression uses the quiet
  weeks only (no calendar festival day, under 5% of own lines in a campaign) when there are 12 of them;
  otherwise all weeks with the festival-day share and campaign share as controls. The competitor price level of a week is the
  mean over competitor x product series of price / that series' median price (a product-mix-free index).
  Own volume: units of sale lines in the orders (net sales when there are no quantities) of the matching
  products or categories, whole weeks only. Not claimed with fewer than 12 overlapping weeks or when
  competitor prices barely move (sd of log price level < 0.01).

On the engine (issue 13): :func:`fit` aggregates the order lines in the engine (own prices paid per week
and product / category, own weekly volume and campaign share, the distinct values matched against the
competitor data) and materialises the usable competitor observations, a small kind whose rows the price
moves and the competitor table need (:func:`observations`); the result is a :class:`CompetitorFit` (no
text), which :func:`present` turns into the page's result in one language. :func:`compute` is both.

Modules: base (constants, normalisation, the own brand), lines (engine queries over the competitor rows
and own orders), prices (price index, own vs competitors), events (price-move alerts, promotion timeline),
table (competitor table, trends), elasticity (the cross-price elasticity OLS), result
(:class:`CompetitorFit`), presentation (present, texts, findings), charts (figures); :func:`fit`,
:func:`compute` and :func:`filter_options` live here.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics.common import NotEnoughData, filter_dates
from analytics.expr import in_dates
from analytics.expr import rows as line_count
from analytics.params import Param
from analytics.tables import Col
from data import engine

from .base import (EPS, MAX_SERIES_CHART, MIN_LOG_SD, MIN_WEEKS, NO_PROMO, OWN_MARKERS, QUIET_CAMPAIGN,
                   TREND_METRICS, YES, _flagged, _has, _match, norm, norm_col, own_attr_columns, own_brand,
                   own_from_flag, promo_flag, week_start)
from .charts import figures
from .elasticity import _elasticity, cross_elasticity, festival_share, price_level
from .events import event_rows, price_events, timeline_rows
from .lines import (ORDER_KEYS, _has_t, _num, _text, match_orders, observations, own_from_flag_counts,
                    own_sale_lines, own_weekly_price, own_weekly_volume, sale_lines)
from .presentation import _note, _pct_effect, present, reading
from .prices import _own_vs_moves, index_summary, index_table, price_index
from .result import CompetitorFit
from .table import _first, _latest, competitor_table, trend_rows

PAGE = "competitor-tracking"
KINDS = {"competitors": True, "orders": False}
PARAMS = [
    Param("own", "str", None, help="competitors.help.own"),
    Param("threshold", "float", 0.10, min=0.01, max=0.9, help="competitors.help.threshold"),
    Param("window", "int", 28, min=7, max=365, help="competitors.help.window"),
    Param("product", "list", None, help="competitors.help.product"),
    Param("category", "list", None, help="competitors.help.category"),
]
FIT_PARAMS = tuple(p.key for p in PARAMS)  # every parameter changes the numbers
# page helpers whose result has no text: analytics.cached.page_call keeps one result for every language
LANGUAGE_FREE_CALLS = ('filter_options',)
# Result tables as the page, its CSV export and the report show them (analytics/tables.py): column, kind of
# value; headers ``competitors.col.<column>``, hover texts ``competitors.metric.<column>``.
TABLES: dict[str, tuple] = {
    "price_index_summary": (("key", "text"), ("weeks", "count"), ("latest_period", "date"),
                            Col("latest_index", "number", digits=0), Col("mean_index", "number", digits=0)),
    "events": (("date", "date"), ("competitor", "text"), ("product", "text"), ("price", "money"),
               ("reference_price", "money"), ("change_pct", "percent"), ("promo", "text"), ("in_festival", "bool")),
    "competitors": (("competitor", "text"), ("observations", "count"), ("products", "count"), ("first_seen", "date"),
                    ("last_seen", "date"), ("avg_price", "money"), ("avg_discount", "percent"),
                    ("promo_share", "percent"), ("events", "count"), ("latest_rating", "number"),
                    ("rating_change", "number"), ("latest_reviews", "count"), ("latest_followers", "count"),
                    ("followers_change", "count"), ("latest_share", "percent"), ("share_change", "percent"),
                    ("latest_sales_volume", "count")),
}


__all__ = [
    # page interface
    "PAGE", "KINDS", "PARAMS", "FIT_PARAMS", "fit", "present", "compute", "figures", "filter_options",
    "CompetitorFit",
    # constants
    "OWN_MARKERS", "NO_PROMO", "YES", "MIN_WEEKS", "MIN_LOG_SD", "QUIET_CAMPAIGN", "TREND_METRICS",
    "MAX_SERIES_CHART", "EPS", "ORDER_KEYS",
    # building blocks (tests and other modules call them)
    "norm", "norm_col", "week_start", "promo_flag", "own_attr_columns", "own_from_flag", "own_brand",
    "observations", "sale_lines", "own_sale_lines", "match_orders", "own_weekly_price", "own_weekly_volume",
    "own_from_flag_counts", "price_index", "index_table", "index_summary", "price_events", "event_rows",
    "timeline_rows", "competitor_table", "trend_rows", "cross_elasticity", "price_level", "festival_share",
    "reading",
    # private names kept importable from the package
    "_has", "_match", "_flagged", "_num", "_text", "_has_t", "_latest", "_first", "_elasticity",
    "_own_vs_moves", "_pct_effect", "_note",
]


def fit(tables: dict[str, ir.Table], params: dict) -> CompetitorFit:
    """Every number of competitor tracking from the engine tables (``tables``: competitors, optionally
    orders). The order lines never leave the engine: own prices paid per week and key, own weekly volume and
    campaign share, and the distinct product / category values the matching needs are aggregated there.
    Raises ``NotEnoughData`` when there is nothing to track.

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table: ``competitors`` (date, competitor, price, optional product, category, promo and
        metrics) and optionally ``orders``.
    params : dict
        The page's parameters (PARAMS; missing ones take their default).

    Returns
    -------
    CompetitorFit
        Every number the page shows.
    """
    p = {pp.key: pp.default for pp in PARAMS}
    p.update({k: v for k, v in (params or {}).items() if v is not None})
    threshold = float(p["threshold"])
    window = int(p["window"])
    comp = tables.get("competitors")
    if comp is None or not line_count(comp):
        raise NotEnoughData("competitors.error.no_data")
    notes: list[tuple[str, dict]] = []
    df, dropped = observations(comp)
    if dropped:
        notes.append(("competitors.warning.dropped", {"n": dropped}))
    filters: dict[str, list] = {}
    for dim in ("product", "category"):
        vals = p.get(dim)
        if not vals:
            continue
        if not df[dim].notna().any():
            notes.append(("competitors.warning.filter_ignored", {"dim": dim}))
            continue
        df = df.loc[df[dim].isin([str(v) for v in vals]).to_numpy(dtype=bool, na_value=False)]
        filters[dim] = [str(v) for v in vals]
    df = filter_dates(df, "date", p.get("start"), p.get("end"))
    if df.empty:
        raise NotEnoughData("competitors.error.no_match")
    df["period"] = week_start(df["date"])

    own_name, own_notes = own_brand(df, p.get("own"))
    notes += own_notes
    orders = tables.get("orders")
    if orders is not None:
        orders = in_dates(orders, "order_date", p.get("start"), p.get("end"))
        if not line_count(orders):
            orders = None
    own_rows = df.loc[df["competitor"] == own_name] if own_name else df.iloc[0:0]
    rivals = df.loc[df["competitor"] != own_name] if own_name else df
    if rivals.empty:
        raise NotEnoughData("competitors.error.no_rivals")
    own_lines = None
    if own_name:
        own_source = "brand"
    elif orders is not None:
        own_lines = own_sale_lines(orders)
        if filters.get("category") and _has_t(own_lines, "category"):
            own_lines = own_lines.filter(own_lines.category.isin(filters["category"]).fill_null(False))
        own_source = "orders" if line_count(own_lines) else None
    else:
        own_source = None

    pi, match_by, pi_notes = index_table(own_source, own_rows, rivals, own_lines)
    notes += pi_notes
    summary = index_summary(pi)

    # discount, promo
    with np.errstate(divide="ignore", invalid="ignore"):
        df["discount"] = (1 - df["price"] / df["list_price"]).where(df["list_price"] > 0)
    df["is_promo"] = promo_flag(df["promo"]) if df["promo"].notna().any() else np.nan
    if not df["list_price"].notna().any():
        notes.append(("competitors.warning.no_list_price", {}))
    rivals = df.loc[df["competitor"] != own_name] if own_name else df

    ev, events = event_rows(rivals, threshold, window, bool(df["promo"].notna().any()))
    series_obs = rivals.groupby(["competitor", rivals["product"].astype("str").where(rivals["product"].notna(), "")]).size()
    if len(series_obs) and (series_obs < 3).mean() > 0.5:
        notes.append(("competitors.warning.sparse_series", {}))
    competitors = competitor_table(df, ev, own_name)
    trends = trend_rows(df)
    timeline = timeline_rows(rivals, ev)

    el, el_refusal, el_notes, weekly = _elasticity(orders, own_rows, rivals)
    notes += el_notes
    return CompetitorFit(
        threshold=threshold, window=window, own={"source": own_source, "name": own_name, "match_by": match_by},
        filters=filters, own_param=p.get("own"), price_index=pi, price_index_summary=summary, events=events,
        competitors=competitors, trends=trends, price_timeline=timeline, elasticity=el,
        elasticity_refusal=el_refusal, own_vs_competitors=_own_vs_moves(weekly, events), notes=tuple(notes))


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
        The page's result (see :func:`present`).
    """
    tables = engine.tables_from_frames({k: v for k, v in frames.items() if v is not None})
    return present(fit(tables, params), params, lang)


def filter_options(tables: dict[str, ir.Table], params: dict | None = None, lang: str = "en") -> dict:
    """Choices for the page's filters, from the competitor data (distinct values counted in the engine):
    competitor names (for the own-brand chooser), products and categories (sorted), and the own brand found
    automatically (or None). ``tables``: kind -> engine table (a canonical frame is registered first).

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table or canonical frame.
    params : dict | None
        Unused.
    lang : str
        Unused (the options are data values).

    Returns
    -------
    dict
        ``competitor``, ``product``, ``category`` (lists) and ``detected_own`` (name or None).
    """
    comp = tables.get("competitors")
    out: dict[str, Any] = {"competitor": [], "product": [], "category": [], "detected_own": None}
    if comp is None:
        return out
    if isinstance(comp, pd.DataFrame):
        comp = engine.from_frame(comp)
    if not line_count(comp):
        return out
    for col in ("competitor", "product", "category"):
        if col in comp.columns:
            vals = engine.to_frame(comp.select(v=comp[col].cast("string")).filter(lambda d: d.v.notnull()).distinct())["v"]
            vals = vals.astype("str").str.strip() if col == "competitor" else vals.astype("str")
            out[col] = sorted(v for v in vals.unique() if v)
    names = pd.Series(out["competitor"], dtype="object")
    hit = names[names.map(norm).isin(OWN_MARKERS)] if len(names) else names
    if len(hit):
        out["detected_own"] = str(hit.iloc[0])
    elif "competitor" in comp.columns:
        out["detected_own"] = own_from_flag_counts(comp)
    return out
