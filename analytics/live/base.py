"""Live commerce's parameters and constants (sums, funnel steps, slots, factors, content formats, limits) and
the small helpers every part uses: safe ratios, Wilson intervals, the window / platform filter, engine casts."""

from __future__ import annotations

import math

import ibis.expr.types as ir
import numpy as np

from analytics.expr import in_dates
from analytics.params import Param
from analytics.stats import wilson_interval
from data import engine

LIVE_KINDS = ("live_sessions", "creators", "content")
PARAMS = [
    Param("platform", "str", None, help="live.help.platform"),
    Param("rank_by", "str", "gmv", choices=("gmv", "gpm"), help="live.help.rank_by"),
    Param("margin", "float", 0.6, min=0.0, max=1.0, help="live.help.margin"),
    Param("halo_hours", "int", 72, min=1, max=336, help="live.help.halo_hours"),
    Param("baseline_days", "int", 14, min=3, max=90, help="live.help.baseline_days"),
]
FIT_PARAMS = tuple(p.key for p in PARAMS)

SESSION_SUMS = ("gmv", "views", "unique_viewers", "product_exposures", "product_clicks", "orders", "buyers", "spend",
                "followers_gained", "duration")
FUNNEL = (("viewers", "unique_viewers"), ("exposure", "product_exposures"), ("click", "product_clicks"),
          ("order", "orders"), ("buyer", "buyers"))
SLOTS = ("night", "morning", "afternoon", "evening")  # 0-6h, 6-12h, 12-18h, 18-24h of the start time
NUMERIC_FACTORS = ("duration", "products", "spend")
CATEGORICAL_FACTORS = ("slot", "weekday", "host")
CONTENT_SUMS = ("plays", "likes", "comments", "shares", "saves", "clicks", "orders", "gmv", "spend")
FORMATS = {"video": ("短视频", "视频", "video", "short video", "shortvideo"), "live": ("直播", "live", "livestream"),
           "note": ("图文笔记", "图文", "笔记", "note", "post", "image"), "card": ("商品卡", "card", "product card")}
LEAGUE_ROWS = 100      # sessions in the league table (the best by the ranking metric)
MAX_HOSTS = 200
MAX_HOST_LEVELS = 20   # hosts compared in the top-quarter test (the ones with most sessions; the rest: "other")
MAX_CREATORS = 500
MAX_DEALS = 20_000
TOP_CONTENT = 20
MIN_SESSIONS = 8       # fewer: no top-quarter comparison
FEW_SESSIONS = 40      # fewer: the comparison is flagged as rough
FEW_BASELINE = 10      # comparison days under this: a warning
Z = 1.959963984540054


def _div(a, b, scale: float = 1.0):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(b > 0, scale * a / np.where(b > 0, b, 1.0), np.nan)
    return out


def _num(x) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _ratio(a, b, scale: float = 1.0) -> float | None:
    a, b = _num(a), _num(b)
    if a is None or b is None or b <= 0:
        return None
    return scale * a / b


def _wilson(k, n) -> tuple[float | None, float | None]:
    k, n = _num(k), _num(n)
    if k is None or n is None or n <= 0:
        return None, None
    lo, hi = wilson_interval(min(k, n), n)
    return float(lo), float(hi)


def _filtered(tbl: ir.Table, date_col: str | None, p: dict, platform: bool = True) -> ir.Table:
    if date_col is not None and date_col in tbl.columns:
        tbl = in_dates(tbl, date_col, p.get("start"), p.get("end"))
    if platform and p.get("platform") and "platform" in tbl.columns:
        tbl = tbl.filter(tbl.platform == str(p["platform"]))
    return tbl


def _rows(tbl: ir.Table) -> int:
    return int(engine.scalar(tbl.count()))


def _f(tbl: ir.Table, col: str) -> ir.FloatingValue:
    return tbl[col].cast("float64")
