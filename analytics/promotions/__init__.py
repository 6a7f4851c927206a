"""Promotion planner: how much to spend, where, when, and what an incentive costs (issue 6, DESIGN.md §4).

* Response model per channel (analytics.mmm): geometric adstock + logistic saturation + trend, yearly
  seasonality and controls, fitted by variable-projection nonlinear least squares; intervals from a
  moving-block residual bootstrap; holdout MAPE / R² on the last ~12% of weeks.
  Source: a media_mix dataset (date, outcome, attr_<spend>), else weekly channel spend (channels) with
  weekly net sales from orders as the outcome (channel revenue when no orders are selected).
* Budget-first (``budget``): the exact optimum of the concave, separable problem under per-channel
  bounds over ``weeks`` weeks in steady state. Goal-first (``target``): the smallest budget reaching the
  target (bisection over the budget-first optimum) and the probability of reaching it (bootstrap draws).
* Pacing: templates spread the plan over dates (蓄水 warm-up, 预热 pre-heat, 爆发 burst, 返场 encore).
* Incentive economics: coupon / 满减 threshold / points -> cost, margin erosion, break-even uplift.
* Feasibility and risks: short history, spend outside the historical range, co-moving channels, targets
  beyond the saturation ceiling, poor holdout fit.

On the engine (issue 13): :func:`fit` builds the model's weekly series in the engine (channel spend per
week and channel, net sales per week from the order lines, channel revenue per week) or materialises the
media-mix table (one row per week or day by nature: the model needs its rows), fits the response model in
Python on those weekly sums, and summarises the orders for the incentive economics (order values, counted
per distinct value in the engine). The result is a :class:`PromotionFit` (no text); :func:`present` plans
on it (budget, goal, pacing, incentive, risks) in one language, so a new budget, target, bound, template or
incentive never refits. :func:`compute` is both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics import charts, ledger, mmm
from analytics.channel_names import display_names
from analytics.common import NotEnoughData, jsonable
from analytics.i18n import fmt_money, fmt_number, fmt_pct, t
from analytics.params import Param
from analytics.tables import Col
from analytics.expr import fsum, in_dates
from analytics.expr import rows as line_count
from data import engine

PAGE = "promotion-planner"
KINDS = {"media_mix": False, "channels": False, "orders": False}  # at least one of media_mix / channels
KINDS_ANY = ("media_mix", "channels")  # the page needs one of these (components.page.frame)
# Key figures and result tables as the page, its CSV export and the HTML report show them (analytics/tables.py)
KPI_KINDS = {"budget": "ratio", "expected_outcome": "count", "expected_total": "count", "roi": "ratio",
             "holdout_mape": "percent", "holdout_r2": "ratio", "probability": "percent", "incentive_cost": "ratio",
             "margin_erosion": "percent", "break_even_uplift": "percent", "break_even_extra_orders": "count"}
TABLES: dict[str, tuple] = {
    "allocation": (("channel", "text"), ("spend", "money"), ("share", "percent"), Col("expected_outcome", "number", digits=0),
                   Col("lower", "number", digits=0), Col("upper", "number", digits=0), Col("marginal_roi", "number", digits=2),
                   ("weekly_spend", "money"), ("current_weekly_spend", "money"), ("min", "money"), ("max", "money")),
    "pacing.phases": (Col("label", "text", label="promotions.col.phase"), ("start", "date"), ("end", "date"),
                      ("days", "count"), ("budget_share", "percent"), ("spend", "money")),
    # what the incrementality ledger did to the plan (calibration_block): one row per calibrated channel
    "calibration": (("channel", "text"), Col("entry_ids", "text"), Col("age_days", "count"),
                    Col("before_roi", "number", digits=2), Col("after_roi", "number", digits=2),
                    Col("interval_low", "number", digits=2), Col("interval_high", "number", digits=2),
                    ("within_interval", "bool"), ("spend_before", "money"), ("spend_after", "money"),
                    ("spend_change", "money")),
    # the acquisition ceiling (analytics.acquisition.ceiling): per segment, and per channel against it
    "acquisition_ceiling.segments": (Col("segment", "text"), ("customers", "count"), ("mean_clv", "money"),
                                     ("clv_low", "money"), ("clv_high", "money"), ("ceiling", "money"),
                                     ("ceiling_low", "money"), ("ceiling_high", "money")),
    "acquisition_ceiling.channels": (("channel", "text"), ("spend", "money"), ("new_buyers", "count"),
                                     ("cost_per_new_buyer", "money"), ("first_order_value", "money"),
                                     ("ceiling", "money"), Col("status", "text", values="promotions.ceiling.status")),
    "model": (("channel", "text"), Col("carryover", "number", digits=2), Col("half_life_weeks", "number", digits=1),
              ("contribution_share", "percent"), ("share_ci_low", "percent"), ("share_ci_high", "percent")),
    # page-level table (not a path of the result): the saved plans
    "saved": (("id", "id"), ("name", "text"), ("owner", "text"), ("saved", "text"), ("spend", "money"),
              Col("expected_outcome", "number", digits=0), ("weeks", "count"), ("plan_start", "date")),
}

TEMPLATES: dict[str, list[tuple[str, float, float]]] = {
    # phase, share of budget, share of days
    "standard": [("warmup", 0.15, 0.35), ("preheat", 0.25, 0.25), ("burst", 0.45, 0.15), ("encore", 0.15, 0.25)],
    "burst": [("warmup", 0.10, 0.30), ("preheat", 0.20, 0.30), ("burst", 0.60, 0.20), ("encore", 0.10, 0.20)],
    "long_warmup": [("warmup", 0.30, 0.50), ("preheat", 0.25, 0.20), ("burst", 0.35, 0.15), ("encore", 0.10, 0.15)],
    "even": [("warmup", 0.25, 0.25), ("preheat", 0.25, 0.25), ("burst", 0.25, 0.25), ("encore", 0.25, 0.25)],
}
INCENTIVES = ("none", "coupon", "threshold", "points")
GOALS = ("outcome", "incremental", "roi")

PARAMS = [
    Param("spend_cols", "list", None, help="promotions.help.spend_cols"),
    Param("control_cols", "list", None, help="promotions.help.control_cols"),
    Param("budget", "float", None, min=0, help="promotions.help.budget"),
    Param("target", "float", None, help="promotions.help.target"),
    Param("goal", "str", "outcome", choices=GOALS, help="promotions.help.goal"),
    Param("weeks", "int", 4, min=1, max=52, help="promotions.help.weeks"),
    Param("bounds", "str", None, help="promotions.help.bounds"),
    Param("plan_start", "date", None, help="promotions.help.plan_start"),
    Param("template", "str", "standard", choices=tuple(TEMPLATES), help="promotions.help.template"),
    Param("incentive", "str", "none", choices=INCENTIVES, help="promotions.help.incentive"),
    Param("face_value", "float", 20.0, min=0, help="promotions.help.face_value"),
    Param("min_spend", "float", 0.0, min=0, help="promotions.help.min_spend"),
    Param("threshold", "float", 300.0, min=0, help="promotions.help.threshold"),
    Param("off", "float", 30.0, min=0, help="promotions.help.off"),
    Param("points_per_unit", "float", 1.0, min=0, help="promotions.help.points_per_unit"),
    Param("point_value", "float", 0.01, min=0, help="promotions.help.point_value"),
    Param("redemption", "float", 0.3, min=0, max=1, help="promotions.help.redemption"),
    Param("margin", "float", 0.4, min=0, max=1, help="promotions.help.margin"),
    Param("aov", "float", None, min=0, help="promotions.help.aov"),
    Param("base_orders", "float", None, min=0, help="promotions.help.base_orders"),
    Param("n_boot", "int", 100, min=0, max=1000, help="promotions.help.n_boot"),
    Param("seed", "int", 0, min=0, help="promotions.help.seed"),
    Param("calibrate", "bool", True, help="promotions.help.calibrate"),
    Param("ceiling_margin", "float", 0.4, min=0.01, max=1, help="promotions.help.ceiling_margin"),
]
# the page's result tabs (components.state.tabs): only the open tab runs, so the acquisition ceiling (the
# segmentation's CLV fit over every order line) is computed when its tab is opened, not on every first render
TABS = ("allocation", "curves", "timeline", "model", "calibration", "acquisition", "incentive")
UI_PARAMS = [Param("tab", "str", TABS[0], choices=TABS)]

CORR_LIMIT = 0.8
RECENT_WEEKS = 13
# default channel limits around the recent weekly spend, as Robyn's allocator (channel_constr_low /
# channel_constr_up = 0.5 / 2 of the current spend), and never outside the weekly spend the data has seen
CONSTR_LOW, CONSTR_UP = 0.5, 2.0
Z_LO, Z_HI = 2.5, 97.5


# ----------------------------------------------------------------------------- helpers


def parse_bounds(text: str | None, params: dict, channels: list[str],
                 fill: bool = True) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per-channel (min, max) totals from "ch:min:max,..." and/or min_<ch> / max_<ch> params; a limit not
    given is 0 / inf (``fill=False``: NaN, so that :func:`plan_bounds` can tell it from a given one).

    Parameters
    ----------
    text : str | None
        Limits as ``"channel:min:max,..."`` (either number may be empty), or None.
    params : dict
        The page's parameters (``min_<channel>``, ``max_<channel>``).
    channels : list[str]
        The model's channels.
    fill : bool
        Whether a limit not given is 0 / inf (else NaN).

    Returns
    -------
    tuple[np.ndarray, np.ndarray, list[str]]
        Minimum and maximum total per channel and the unreadable items.
    """
    lo = np.zeros(len(channels)) if fill else np.full(len(channels), np.nan)
    hi = np.full(len(channels), np.inf) if fill else np.full(len(channels), np.nan)
    problems: list[str] = []
    idx = {c: i for i, c in enumerate(channels)}
    for item in [s.strip() for s in str(text or "").split(",") if s.strip()]:
        parts = item.split(":")
        name = parts[0].strip()
        if name not in idx or len(parts) < 2:
            problems.append(item)
            continue
        try:
            if len(parts) > 1 and parts[1].strip() != "":
                lo[idx[name]] = float(parts[1])
            if len(parts) > 2 and parts[2].strip() != "":
                hi[idx[name]] = float(parts[2])
        except ValueError:
            problems.append(item)
    for c, i in idx.items():
        for key, arr in (("min_" + c, lo), ("max_" + c, hi)):
            v = params.get(key)
            if v is not None and v != "":
                try:
                    arr[i] = float(v)
                except (TypeError, ValueError):
                    problems.append(f"{key}={v}")
    return lo, hi, problems


def incentive_economics(kind: str, *, aov: float, orders: float, margin: float, redemption: float,
                        face_value: float = 0.0, min_spend: float = 0.0, threshold: float = 0.0, off: float = 0.0,
                        points_per_unit: float = 0.0, point_value: float = 0.0,
                        eligible_share: float | None = None) -> dict:
    """Cost of an incentive and the order uplift needed to break even on gross profit.

    d = discount per redeemed order (coupon: face value; 满减: off; points: AOV x points per unit x value per
    point); r = eligible share x redemption rate; cost = orders x r x d;
    margin erosion = r d / AOV (points of gross margin); profit share lost = r d / (m AOV);
    break-even uplift = r d / (m AOV - r d) (extra orders, which also redeem, must replace the lost profit).

    Parameters
    ----------
    kind : str
        "coupon", "threshold" (满减) or "points" (ValueError otherwise).
    aov : float
        Average order value.
    orders : float
        Orders over the plan.
    margin : float
        Gross margin.
    redemption : float
        Redemption rate of the eligible orders.
    face_value : float
        Coupon value.
    min_spend : float
        Coupon's minimum spend.
    threshold : float
        满减 threshold.
    off : float
        满减 discount.
    points_per_unit : float
        Points per unit of money spent.
    point_value : float
        Money value of a point.
    eligible_share : float | None
        Share of the orders eligible (None: all or none, from the AOV against the threshold).

    Returns
    -------
    dict
        ``kind``, the inputs, ``eligible_share``, ``effective_rate``, ``discount_per_redeemed``,
        ``discount_depth``, ``cost``, ``gross_profit_before``, ``gross_profit_after``, ``margin_after``,
        ``margin_erosion``, ``profit_share_lost``, ``break_even_uplift``, ``break_even_extra_orders`` (None
        where undefined).
    """
    if kind == "coupon":
        d = face_value
        e = eligible_share if eligible_share is not None else (1.0 if aov >= min_spend else 0.0)
    elif kind == "threshold":
        d = off
        e = eligible_share if eligible_share is not None else (1.0 if aov >= threshold else 0.0)
    elif kind == "points":
        d = aov * points_per_unit * point_value
        e = 1.0 if eligible_share is None else eligible_share
    else:
        raise ValueError(kind)
    r = e * redemption
    rd = r * d
    gp_order = margin * aov
    cost = orders * rd
    profit_before = orders * gp_order
    uplift = rd / (gp_order - rd) if gp_order > rd else None
    return {
        "kind": kind, "aov": aov, "orders": orders, "margin": margin, "redemption": redemption,
        "eligible_share": e, "effective_rate": r, "discount_per_redeemed": d, "discount_depth": d / aov if aov else None,
        "cost": cost, "gross_profit_before": profit_before, "gross_profit_after": profit_before - cost,
        "margin_after": (gp_order - rd) / aov if aov else None, "margin_erosion": rd / aov if aov else None,
        "profit_share_lost": rd / gp_order if gp_order else None,
        "break_even_uplift": uplift, "break_even_extra_orders": orders * uplift if uplift is not None else None,
    }


@dataclass(frozen=True)
class OrderValues:
    """The orders' values, for the incentive economics: how many orders, their mean value and how many
    reach a spend threshold (any threshold, so a new coupon or 满减 never asks the engine again).

    Attributes
    ----------
    orders : int
        Orders with a dated sale line in the date window (the order value is the sum of their sale lines'
        amounts).
    mean : float
        Mean order value (AOV).
    values : numpy.ndarray
        The distinct order values, ascending.
    counts : numpy.ndarray
        Orders with each of those values.
    weeks : float
        Weeks from the first to the last dated order line of the whole dataset (at least 1): the base
        order rate is ``orders / weeks`` per week.
    """

    orders: int
    mean: float
    values: np.ndarray
    counts: np.ndarray
    weeks: float

    def share_at_least(self, threshold: float) -> float:
        """Share of the orders whose value is at least ``threshold``.

        Parameters
        ----------
        threshold : float
            The order value.

        Returns
        -------
        float
            The share.
        """
        i = int(np.searchsorted(self.values, threshold, side="left"))
        return float(self.counts[i:].sum() / self.orders)


def order_values(orders: ir.Table, start: Any = None, end: Any = None) -> OrderValues | None:
    """:class:`OrderValues` of the orders (engine table) in [start, end]: sale lines summed per order id
    and the orders counted per value in the engine. None without a dated sale line.

    Parameters
    ----------
    orders : ir.Table
        Order lines.
    start : Any
        First day, or None.
    end : Any
        Last day, or None.

    Returns
    -------
    OrderValues | None
        The orders' values, or None.
    """
    if "is_return" in orders.columns:
        sale = ~orders.is_return.cast("boolean").fill_null(False)
    else:
        sale = ibis.literal(True)
    o = in_dates(orders, "order_date", start, end)
    o = o.filter(o.order_date.notnull() & sale & o.order_id.notnull())
    per = o.group_by(oid=o.order_id.cast("string")).aggregate(v=fsum(o.amount.cast("float64")).fill_null(0.0))
    hist = engine.to_frame(per.group_by("v").aggregate(n=per.count()))
    if hist.empty:
        return None
    stats = engine.to_frame(per.aggregate(n=per.count(), s=fsum(per.v)))
    dated = orders.filter(orders.order_date.notnull())
    span = engine.to_frame(dated.aggregate(d0=dated.order_date.min(), d1=dated.order_date.max()))
    days = (pd.Timestamp(span["d1"].iloc[0]) - pd.Timestamp(span["d0"].iloc[0])).days
    hist = hist.sort_values("v")
    n = int(stats["n"].iloc[0])
    return OrderValues(orders=n, mean=float(stats["s"].iloc[0]) / n, values=hist["v"].to_numpy(dtype=float),
                       counts=hist["n"].to_numpy(dtype=np.int64), weeks=max(days / 7.0, 1.0))


def pacing(allocation: dict[str, float], total: float, start: date, weeks: int, template: str) -> tuple[list, list]:
    """Timeline rows (date, phase, channel, spend) and phase summary rows.

    Parameters
    ----------
    allocation : dict[str, float]
        Channel -> spend over the plan.
    total : float
        Total spend.
    start : date
        The plan's first day.
    weeks : int
        The plan's weeks.
    template : str
        A key of TEMPLATES (the phases with their budget and time shares).

    Returns
    -------
    tuple[list, list]
        Timeline rows (``date``, ``phase``, ``channel``, ``spend``) and phase rows (``phase``, ``start``,
        ``end``, ``days``, ``budget_share``, ``spend``).
    """
    days = int(weeks) * 7
    phases = TEMPLATES[template]
    raw = np.array([p[2] for p in phases]) * days
    dur = np.maximum(np.floor(raw).astype(int), 1)
    while dur.sum() < days:  # largest remainders first
        dur[int(np.argmax(raw - dur))] += 1
    while dur.sum() > days:
        dur[int(np.argmax(dur))] -= 1
    shares = {c: (v / total if total > 0 else 0.0) for c, v in allocation.items()}
    timeline, summary = [], []
    day0 = pd.Timestamp(start)
    offset = 0
    for (name, bshare, _), n_days in zip(phases, dur):
        budget = total * bshare
        per_day = budget / n_days
        summary.append({"phase": name, "start": (day0 + pd.Timedelta(days=offset)).date(),
                        "end": (day0 + pd.Timedelta(days=offset + n_days - 1)).date(), "days": int(n_days),
                        "budget_share": bshare, "spend": budget})
        for k in range(n_days):
            d = (day0 + pd.Timedelta(days=offset + k)).date()
            for c, s in shares.items():
                timeline.append({"date": d, "phase": name, "channel": c, "spend": per_day * s})
        offset += n_days
    return timeline, summary


def _paced_outcome(fit: mmm.MMMFit, timeline: list[dict], weeks: int) -> float:
    """Outcome of a paced plan through adstock + saturation (weekly sums, carryover tail of l_max weeks)."""
    if not timeline:
        return 0.0
    tl = pd.DataFrame(timeline)
    tl["week"] = (pd.to_datetime(tl["date"]) - pd.to_datetime(tl["date"]).min()).dt.days // 7
    w = tl.pivot_table(index="week", columns="channel", values="spend", aggfunc="sum").reindex(
        columns=fit.data.channels, fill_value=0.0).fillna(0.0)
    arr = np.vstack([w.to_numpy(), np.zeros((mmm.L_MAX, w.shape[1]))])
    out = 0.0
    for c in range(arr.shape[1]):
        x = mmm.adstock(arr[:, c] / fit.scale[c], fit.alpha[c])
        out += float(np.sum(fit.beta[c] * mmm.logistic_saturation(x, fit.lam[c])))
    return out


def default_weekly_bounds(data: mmm.MMMData) -> tuple[np.ndarray, np.ndarray]:
    """Each channel's default weekly (min, max) spend: within the weekly spend the data has seen for it
    and within [0.5, 2] x its recent weekly spend (the mean of the last 13 weeks), as Robyn's allocator
    bounds channels near current spend. The recent spend lies inside both ranges, so the default budget
    (the recent spend) always fits.

    Parameters
    ----------
    data : mmm.MMMData
        The weekly model data.

    Returns
    -------
    tuple[np.ndarray, np.ndarray]
        Weekly minimum and maximum per channel.
    """
    n = len(data.y)
    if not n:
        return np.zeros(len(data.channels)), np.zeros(len(data.channels))
    cur = data.X[-min(RECENT_WEEKS, n):].mean(axis=0)
    lo = np.maximum(data.X.min(axis=0), CONSTR_LOW * cur)
    hi = np.minimum(data.X.max(axis=0), CONSTR_UP * cur)
    return lo, np.maximum(hi, lo)


def plan_bounds(data: mmm.MMMData, params: dict, weeks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                                   list[str]]:
    """(lo, hi) totals over ``weeks`` for each channel: the user's limits where given (``bounds`` /
    min_<ch> / max_<ch>), else :func:`default_weekly_bounds` x weeks; and the user's own (lo, hi), NaN
    where not given (what remains when the default limits are lifted); and the unreadable items.

    Parameters
    ----------
    data : mmm.MMMData
        The weekly model data.
    params : dict
        The page's parameters (``bounds``, ``min_<channel>``, ``max_<channel>``).
    weeks : int
        The plan's weeks.

    Returns
    -------
    tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]
        lo, hi, the user's lo, the user's hi, the unreadable items.
    """
    ulo, uhi, bad = parse_bounds(params.get("bounds"), params, data.channels, fill=False)
    dlo, dhi = default_weekly_bounds(data)
    lo = np.where(np.isnan(ulo), dlo * weeks, ulo)
    hi = np.where(np.isnan(uhi), np.maximum(dhi * weeks, lo), uhi)
    return lo, hi, ulo, uhi, bad


def _lifted(lo_user: np.ndarray, hi_user: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The user's own limits with the default ones lifted (0 and no maximum where not given)."""
    return np.where(np.isnan(lo_user), 0.0, lo_user), np.where(np.isnan(hi_user), np.inf, hi_user)


def _defaults(params: dict) -> dict:
    out = {p.key: p.default for p in PARAMS}
    out.update({k: v for k, v in (params or {}).items() if v is not None})
    out.setdefault("start", None)
    out.setdefault("end", None)
    return out


# ----------------------------------------------------------------------------- compute


def media_mix_rows(mm: ir.Table, start: Any = None, end: Any = None) -> pd.DataFrame:
    """The media-mix lines in [start, end], materialised in their stored order: one row per week (or day) by
    nature, and the model needs each row's outcome, spend and controls.

    Parameters
    ----------
    mm : ir.Table
        The media_mix lines.
    start : Any
        First day, or None.
    end : Any
        Last day, or None.

    Returns
    -------
    pd.DataFrame
        The rows (``date`` and the media_mix columns).
    """
    t = mm.mutate(_pos=ibis.row_number())
    t = in_dates(t, "date", start, end)
    df = engine.to_frame(t.order_by("_pos")).drop(columns=["_pos"] + [c for c in (engine.LINE,) if c in t.columns])
    df["date"] = df["date"].astype("datetime64[ns]")
    return df


def weekly_channel_spend(ch: ir.Table) -> pd.DataFrame:
    """Spend per Monday-based week (rows) and channel (columns, as text), summed in the engine over the
    channel lines with a date and a channel; 0 where a channel has no line that week.

    Parameters
    ----------
    ch : ir.Table
        Channel lines.

    Returns
    -------
    pd.DataFrame
        Spend, week start (``date``) x ``channel``.
    """
    c = ch.filter(ch.date.notnull() & ch.channel.notnull())
    w = c.group_by(week=c.date.truncate("W"), channel=c.channel.cast("string")).aggregate(
        spend=fsum(c.spend.cast("float64")).fill_null(0.0))
    df = engine.to_frame(w)
    df["week"] = df["week"].astype("datetime64[ns]")
    spend = df.set_index(["week", "channel"])["spend"].unstack(fill_value=0.0).sort_index()
    spend.index.name, spend.columns.name = "date", "channel"
    return spend


def weekly_revenue(ch: ir.Table) -> pd.Series:
    """Channel revenue per week (missing where no line of the week has revenue), summed in the engine.

    Parameters
    ----------
    ch : ir.Table
        Channel lines.

    Returns
    -------
    pd.Series
        Revenue per week start.
    """
    c = ch.filter(ch.date.notnull() & ch.channel.notnull())
    w = c.group_by(week=c.date.truncate("W")).aggregate(revenue=fsum(c.revenue.cast("float64")))
    df = engine.to_frame(w)
    return pd.Series(df["revenue"].to_numpy(dtype=float),
                     index=pd.DatetimeIndex(df["week"].astype("datetime64[ns]"))).sort_index()


def weekly_net_sales(orders: ir.Table) -> pd.Series:
    """Net sales per Monday-based week from the order lines, summed in the engine: sale lines' amounts
    minus abs(amount) of return lines (see ``mmm.net_sales_weekly``).

    Parameters
    ----------
    orders : ir.Table
        Order lines.

    Returns
    -------
    pd.Series
        Net sales per week start.
    """
    o = orders.filter(orders.order_date.notnull())
    amt = o.amount.cast("float64")
    ret = o.is_return.cast("boolean").fill_null(False) if "is_return" in o.columns else ibis.literal(False)
    w = o.group_by(week=o.order_date.truncate("W")).aggregate(net=fsum(ibis.ifelse(ret, -amt.abs(), amt)).fill_null(0.0))
    df = engine.to_frame(w)
    return pd.Series(df["net"].to_numpy(dtype=float),
                     index=pd.DatetimeIndex(df["week"].astype("datetime64[ns]"))).sort_index()


def load_model_data(tables: dict[str, ir.Table], params: dict) -> mmm.MMMData:
    """The model's weekly arrays from the engine tables: the media-mix table when selected, else weekly
    channel spend with weekly net sales from the orders (channel revenue without orders) as the outcome.
    ``tables``: kind -> engine table (canonical frames are registered first).

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters (``start``, ``end``, ``spend_cols``, ``control_cols``).

    Returns
    -------
    mmm.MMMData
        The weekly model data.
    """
    tables = {k: (engine.from_frame(v) if isinstance(v, pd.DataFrame) else v) for k, v in tables.items()
              if v is not None}
    start, end = params.get("start"), params.get("end")
    mm = tables.get("media_mix")
    if mm is not None and line_count(mm):
        return mmm.prepare_media_mix(media_mix_rows(mm, start, end), params.get("spend_cols"),
                                     params.get("control_cols"))
    ch = tables.get("channels")
    if ch is not None and line_count(ch):
        ch = in_dates(ch, "date", start, end)
        if not int(engine.scalar(ch.date.count())):
            raise NotEnoughData("promotions.error.no_dates")
        od = tables.get("orders")
        od = in_dates(od, "order_date", start, end) if od is not None else None
        if od is not None and int(engine.scalar(od.order_date.count())):
            y, source = weekly_net_sales(od), "channels+orders"
        else:
            y, source = weekly_revenue(ch), "channels"
        # the engines' exact sums can differ in the last place (DuckDB: the exactly rounded sum of the
        # doubles; Spark: the exact decimal sum), which the fit amplifies: money to 1e-6 first, so the model
        # (the planner's, and the channel comparison's incremental ROAS) is the same on either engine
        return mmm.from_weekly(weekly_channel_spend(ch).round(6), y.round(6), source)
    raise NotEnoughData("promotions.error.no_data")


def fit_response(tables: dict[str, ir.Table], params: dict) -> mmm.MMMFit:
    """The fitted response model on the engine tables (the expensive part), calibrated on the ledger
    entries of ``params["ledger"]`` when ``calibrate`` is on (:func:`fit_calibrated`).

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table.
    params : dict
        The page's parameters.

    Returns
    -------
    mmm.MMMFit
        The fitted model.
    """
    return fit_calibrated(tables, params)[0]


def model_data(tables: dict[str, ir.Table], p: dict) -> mmm.MMMData:
    """The weekly model data, refused when it has no spend channel or too short a history.

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table.
    p : dict
        The page's parameters.

    Returns
    -------
    mmm.MMMData
        The weekly model data.
    """
    data = load_model_data(tables, p)
    if len(data.channels) == 0:
        raise NotEnoughData("promotions.error.no_spend")
    if len(data.y) < mmm.MIN_WEEKS_FIT:
        raise NotEnoughData("promotions.error.short_history", weeks=len(data.y), need=mmm.MIN_WEEKS_FIT)
    return data


def lift_tests(entries: list[dict], channels: list[str]) -> tuple[list[mmm.LiftTest], list[dict], list[dict]]:
    """The ledger entries as the model's lift tests (those whose channel is one of the model's), with the
    entries used (each with its channel index ``index``) and those whose channel the model does not have.

    Parameters
    ----------
    entries : list[dict]
        Ledger entries.
    channels : list[str]
        The model's channels.

    Returns
    -------
    tuple[list[mmm.LiftTest], list[dict], list[dict]]
        The lift tests, the entries used and the entries not matched.
    """
    tests, used, unmatched = [], [], []
    for e in entries:
        i = ledger.match_channel(str(e.get("channel") or ""), channels)
        try:
            t = mmm.LiftTest(channel=int(i), spend=float(e["spend"]), weeks=ledger.weeks(e), lift=float(e["lift"]),
                             low=float(e["low"]), high=float(e["high"])) if i is not None else None
        except (KeyError, TypeError, ValueError):
            t = None
        if t is None or not t.spend > 0:
            unmatched.append(e)
            continue
        tests.append(t)
        used.append({**e, "index": int(i)})
    return tests, used, unmatched


def fit_calibrated(tables: dict[str, ir.Table], params: dict) -> tuple[mmm.MMMFit, mmm.MMMFit | None, tuple, tuple,
                                                                      float]:
    """(model, uncalibrated model or None, ledger entries used, entries whose channel the model lacks,
    weight multiplier the entries needed). Without entries (or ``calibrate`` off) the model is fitted as
    before and the uncalibrated model is None.

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table.
    params : dict
        The page's parameters (``ledger``, ``calibrate``, ``n_boot``, ``seed``).

    Returns
    -------
    tuple[mmm.MMMFit, mmm.MMMFit | None, tuple, tuple, float]
        The five values above.
    """
    p = _defaults(params)
    data = model_data(tables, p)
    entries = ledger.from_fit_value(p.get("ledger")) if p.get("calibrate", True) else []
    tests, used, unmatched = lift_tests(entries, list(data.channels))
    if not tests:
        return mmm.fit_mmm(data, n_boot=int(p["n_boot"]), seed=int(p["seed"])), None, (), tuple(unmatched), 0.0
    model, before, mult = mmm.fit_calibrated(data, tests, n_boot=int(p["n_boot"]), seed=int(p["seed"]))
    return model, before, tuple(used), tuple(unmatched), mult


def _model_frames(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The frames the model is fitted on: the media mix when selected, else channels (+ orders)."""
    if frames.get("media_mix") is not None and not frames["media_mix"].empty:
        return {"media_mix": frames["media_mix"]}
    return {k: frames[k] for k in ("channels", "orders") if frames.get(k) is not None}


def fit_model(frames: dict[str, pd.DataFrame], params: dict) -> mmm.MMMFit:
    """The fitted response model from canonical frames (registered as engine tables); re-plan it with
    :func:`plan`.

    Parameters
    ----------
    frames : dict[str, pd.DataFrame]
        Kind -> canonical frame.
    params : dict
        The page's parameters.

    Returns
    -------
    mmm.MMMFit
        The fitted model.
    """
    return fit_response(engine.tables_from_frames(_model_frames(frames)), params)


@dataclass(frozen=True)
class PromotionFit:
    """The promotion planner's fit (language-free): the response model and the orders' values; every plan
    (budget, goal, bounds, pacing, incentive) is made from it by :func:`present` without refitting. Shared
    between sessions and languages: treat it as read-only.

    Attributes
    ----------
    model : analytics.mmm.MMMFit
        The fitted response model: the weekly data it was fitted on (``model.data``: dates, outcome, spend
        per channel, controls, source), carryover, saturation and effect per channel, fitted values,
        contributions, holdout scores and bootstrap draws.
    order_values : OrderValues or None
        The selected orders' values in the date window (AOV, orders per week, share over a threshold);
        None without orders.
    uncalibrated : analytics.mmm.MMMFit or None
        The model fitted without the ledger entries (point estimate) when ``model`` was calibrated on some;
        None otherwise.
    ledger_used, ledger_unmatched : tuple of dict
        The incrementality ledger entries the model was calibrated on (each with ``index``, its channel's
        position in the model) and those whose channel the model does not have.
    ledger_weight : float
        The weight multiplier the entries needed to bring every calibrated lift inside its interval
        (1 = the measurements' own precision; :func:`analytics.mmm.fit_calibrated`).
    """

    model: mmm.MMMFit
    order_values: OrderValues | None = None
    uncalibrated: mmm.MMMFit | None = None
    ledger_used: tuple = ()
    ledger_unmatched: tuple = ()
    ledger_weight: float = 0.0


def fit(tables: dict[str, ir.Table], params: dict) -> PromotionFit:
    """Fit the response model on the engine tables (``tables``: media_mix, or channels with optional
    orders) and summarise the orders' values. Raises ``NotEnoughData`` when there is nothing to model.

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table.
    params : dict
        The page's parameters.

    Returns
    -------
    PromotionFit
        The model, the uncalibrated model, the ledger entries used and not matched, their weight and the
        orders' values.
    """
    if not any(tables.get(k) is not None for k in ("media_mix", "channels")):
        raise NotEnoughData("promotions.error.no_data")
    p = _defaults(params)
    model, before, used, unmatched, mult = fit_calibrated(tables, p)
    orders = tables.get("orders")
    ov = order_values(orders, p.get("start"), p.get("end")) if orders is not None else None
    return PromotionFit(model=model, order_values=ov, uncalibrated=before, ledger_used=used,
                        ledger_unmatched=unmatched, ledger_weight=mult)


def present(result: PromotionFit, params: dict, lang: str = "en") -> dict:
    """The page's result in ``lang``: :func:`plan` on the fit (no engine query, no refit).

    Parameters
    ----------
    result : PromotionFit
        The fit.
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        See :func:`plan`.
    """
    return plan(result, params, lang)


def plan(fit: "PromotionFit | mmm.MMMFit", params: dict, lang: str = "en", frames: dict | None = None) -> dict:
    """Budget- or goal-first plan, pacing, incentive, risks for a fitted model (fast: < 1 s). ``fit``: a
    :class:`PromotionFit`, or a bare ``mmm.MMMFit`` with the orders for the incentive in ``frames``.

    Parameters
    ----------
    fit : 'PromotionFit | mmm.MMMFit'
        The fit.
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    frames : dict | None
        Kind -> canonical frame (``orders``), for a bare model; or None.

    Returns
    -------
    dict
        ``mode``, ``allocation``, ``total``, ``goal``, ``model``, ``fit``, ``calibration``,
        ``calibration_moved``, ``residuals``, ``contributions``, ``curves``, ``curves_meta``, ``timeline``,
        ``pacing``, ``incentive``, ``feasibility``, ``risks``, ``kpis``, ``findings``, ``warnings``;
        JSON-safe.
    """
    p = _defaults(params)
    pf = fit if isinstance(fit, PromotionFit) else None
    if isinstance(fit, PromotionFit):
        ov = fit.order_values
        fit = fit.model
    else:
        orders = (frames or {}).get("orders")
        ov = None
        if orders is not None and not orders.empty:
            ov = order_values(engine.from_frame(orders), p.get("start"), p.get("end"))
    data = fit.data
    C = len(data.channels)
    weeks = int(p["weeks"])
    curves = fit.curves
    warnings: list[str] = []
    findings: list[str] = []

    recent = data.X[-min(RECENT_WEEKS, len(data.y)):]
    current_weekly = recent.mean(axis=0)
    hist_max = data.X.max(axis=0)
    lo, hi, lo_user, hi_user, bad_bounds = plan_bounds(data, p, weeks)
    if bad_bounds:
        warnings.append(t("promotions.warning.bad_bounds", lang, items=", ".join(bad_bounds)))
    # channels named as people say them (Taobao / 淘宝, not spend_taobao) in every row, text and chart
    keys = list(data.channels)
    fit = replace(fit, data=replace(data, channels=display_names(keys, lang)))
    data, curves = fit.data, fit.curves

    plan_start = p.get("plan_start") or (data.dates[-1] + pd.Timedelta(days=7)).date()
    plan_dates = pd.date_range(pd.Timestamp(plan_start), periods=weeks, freq="7D")
    base_weekly = mmm.baseline_weekly(fit, plan_dates)
    baseline = float(base_weekly.sum())

    goal = None
    target = p.get("target")
    lifted = False  # the default limits (the spend range seen) were lifted for a wider plan
    if target is not None:
        g = mmm.min_budget_for(curves, float(target), weeks, lo, hi, kind=p["goal"], baseline=baseline)
        if not g["reachable"]:  # beyond the range seen: plan on the curves' extrapolation, and say so
            wlo, whi = _lifted(lo_user, hi_user)
            g2 = mmm.min_budget_for(curves, float(target), weeks, wlo, whi, kind=p["goal"], baseline=baseline)
            if g2["reachable"]:
                g, lo, hi, lifted = g2, wlo, whi, True
        res = g["plan"]
        budget = float(res["spend"].sum())
        goal = {"target": float(target), "kind": p["goal"], "budget": g["budget"], "reachable": g["reachable"],
                "ceiling": g.get("ceiling")}
        mode = "goal"
    else:
        budget = float(p["budget"]) if p.get("budget") is not None else float(current_weekly.sum() * weeks)
        if budget > hi.sum() * (1 + 1e-12) or budget < lo.sum() * (1 - 1e-12):
            wlo, whi = _lifted(lo_user, hi_user)  # a budget beyond the range seen lifts the default limits
            if (budget > hi.sum() and np.isinf(whi).any()) or (budget < lo.sum() and wlo.sum() < lo.sum()):
                warnings.append(t("promotions.warning.widened", lang, budget=fmt_number(budget, lang, 2),
                                  lo=fmt_number(lo.sum(), lang, 2), hi=fmt_number(hi.sum(), lang, 2)))
                lo, hi, lifted = wlo, whi, True
        res = mmm.optimise(curves, budget, weeks, lo, hi)
        mode = "budget"
    spend = res["spend"]
    if res["status"] == "below_min":
        warnings.append(t("promotions.warning.below_min", lang, budget=fmt_number(budget, lang, 2),
                          min=fmt_number(lo.sum(), lang, 2)))
    elif res["status"] == "above_max":
        warnings.append(t("promotions.warning.above_max", lang, budget=fmt_number(budget, lang, 2),
                          max=fmt_number(hi.sum(), lang, 2)))
    total, lo_c, hi_c = plan_totals(curves, res, weeks, baseline, mode, goal, p["goal"])
    if total["lower"] is None:
        warnings.append(t("promotions.warning.no_intervals", lang))
    allocation = []
    for i, c in enumerate(data.channels):
        w = spend[i] / weeks
        allocation.append({
            "channel": c, "key": keys[i], "spend": spend[i], "share": spend[i] / spend.sum() if spend.sum() > 0 else None,
            "expected_outcome": res["outcome"][i], "lower": lo_c[i], "upper": hi_c[i],
            "marginal_roi": res["marginal"][i],
            "return_per_spend": res["outcome"][i] / spend[i] if spend[i] > 0 else None,
            "weekly_spend": w, "current_weekly_spend": current_weekly[i], "hist_max_weekly": hist_max[i],
            "min": lo[i], "max": hi[i] if np.isfinite(hi[i]) else None,
            "at_bound": bool(spend[i] <= lo[i] + 1e-9 * max(1, budget) or spend[i] >= hi[i] - 1e-9 * max(1, budget)),
            "extrapolated": bool(w > hist_max[i] * 1.0001),
        })
    beyond = [t("promotions.warning.extrapolates_item", lang, channel=c, max=fmt_number(hist_max[i], lang, 2))
              for i, c in enumerate(data.channels) if spend[i] / weeks > hist_max[i] * 1.0001]
    if beyond:
        warnings.append(t("promotions.warning.extrapolates", lang, channels="; ".join(beyond)))
    model, sh_lo, sh_hi = model_table(fit)
    fit_info, residuals, contributions = fit_quality(fit)
    curve_rows, curves_meta = response_curve_rows(fit, spend, weeks, current_weekly, hist_max)

    # ---- pacing
    timeline, phases = pacing(dict(zip(data.channels, spend)), float(spend.sum()), plan_start, weeks, p["template"])
    for ph in phases:
        ph["label"] = t(f"promotions.phase.{ph['phase']}", lang)
    even_tl, _ = pacing(dict(zip(data.channels, spend)), float(spend.sum()), plan_start, weeks, "even")
    paced, even = _paced_outcome(fit, timeline, weeks), _paced_outcome(fit, even_tl, weeks)
    pacing_info = {"template": p["template"], "start": plan_start, "days": weeks * 7, "phases": phases,
                   "paced_outcome": paced, "even_outcome": even,
                   "pacing_cost": (paced / even - 1) if even > 0 else None}

    calibration, cal_findings, cal_warnings, moved = calibration_block(pf, data.channels, keys, res, lo, hi, weeks,
                                                                       lang)
    for row, before in zip(allocation, moved.get("spend_uncalibrated") or []):
        row["spend_uncalibrated"] = before
    findings.extend(cal_findings)
    warnings.extend(cal_warnings)

    incentive, text = incentive_block(ov, p, weeks, lang)
    if text is not None:
        (findings if incentive is not None else warnings).append(text)
    risks, feasibility = plan_risks(fit, spend, weeks, goal, hi, baseline, sh_lo, sh_hi, lang)

    # ---- findings
    media = total["expected_outcome"]
    order = np.argsort(-spend)
    top = int(order[0]) if C else None
    if mode == "budget":
        findings.insert(0, t("promotions.finding.budget", lang, budget=fmt_number(spend.sum(), lang, 2), weeks=weeks,
                             out=fmt_number(media, lang), lo=fmt_number(total["lower"], lang),
                             hi=fmt_number(total["upper"], lang), channel=data.channels[top],
                             share=fmt_pct(spend[top] / spend.sum() if spend.sum() > 0 else 0, lang)))
    else:
        if goal["reachable"]:
            key = "promotions.finding.goal_roi" if p["goal"] == "roi" else "promotions.finding.goal"
            findings.insert(0, t(key, lang, target=fmt_number(goal["target"], lang, 2),
                                 budget=fmt_number(spend.sum(), lang, 2), weeks=weeks,
                                 prob=fmt_pct(goal["probability"], lang, 0) if goal["probability"] is not None else "—"))
        else:
            findings.insert(0, t("promotions.finding.goal_unreachable", lang, target=fmt_number(goal["target"], lang, 2),
                                 ceiling=fmt_number(goal["ceiling"], lang) if goal["ceiling"] is not None else "—"))
    cur_total = current_weekly * weeks
    if cur_total.sum() > 0 and C > 1:
        cur_out = float(curves.horizon(cur_total, weeks).sum())
        same = mmm.optimise(curves, float(cur_total.sum()), weeks, lo, hi)
        gain = float(same["outcome"].sum()) / cur_out - 1 if cur_out > 0 else None
        if gain is not None and gain > 0.005:
            findings.append(t("promotions.finding.reallocate", lang, gain=fmt_pct(gain, lang)))
    best_m = int(np.argmax(res["marginal"])) if C else None
    if C and spend.sum() > 0:
        findings.append(t("promotions.finding.marginal", lang, channel=data.channels[best_m],
                          m=fmt_number(res["marginal"][best_m], lang, 2)))
    carry = int(np.argmax(fit.alpha))
    findings.append(t("promotions.finding.carryover", lang, channel=data.channels[carry], alpha=f"{fit.alpha[carry]:.2f}",
                      hl=f"{model[carry]['half_life_weeks']:.1f}"))
    if pacing_info["pacing_cost"] is not None and pacing_info["pacing_cost"] < -0.02:
        findings.append(t("promotions.finding.pacing_cost", lang, template=t(f"promotions.template.{p['template']}", lang),
                          loss=fmt_pct(-pacing_info["pacing_cost"], lang)))
    if data.aggregated:
        warnings.append(t("promotions.warning.aggregated", lang))
    if data.dropped:
        warnings.append(t("promotions.warning.dropped", lang, cols=", ".join(data.dropped)))
    if not fit.seasonality:
        warnings.append(t("promotions.warning.no_season", lang, weeks=len(data.y)))

    kpis = {"budget": total["spend"], "expected_outcome": media, "expected_total": total["expected_total"],
            "roi": total["roi"], "holdout_mape": fit.holdout.get("mape"), "holdout_r2": fit.holdout.get("r2")}
    if goal is not None:
        kpis["probability"] = goal.get("probability")
    return jsonable({
        "mode": mode, "allocation": allocation, "total": total, "goal": goal, "model": model, "fit": fit_info,
        "calibration": calibration, "calibration_moved": moved.get("moved"),
        "residuals": residuals, "contributions": contributions, "curves": curve_rows, "curves_meta": curves_meta,
        "timeline": timeline, "pacing": pacing_info, "incentive": incentive, "feasibility": feasibility,
        "risks": risks, "kpis": kpis, "findings": findings, "warnings": warnings,
    })


def calibration_block(pf: PromotionFit | None, names: list[str], keys: list[str], res: dict, lo: np.ndarray,
                      hi: np.ndarray, weeks: int, lang: str) -> tuple[list[dict], list[str], list[str], dict]:
    """What the ledger did to the plan: one row per calibrated channel (``channel``, ``key``, ``entries``
    with their id, period, spend, lift and interval, method, owner, age and the model's lift before / after;
    ``before_roi`` / ``after_roi``: the model's incremental return per spend at the tested spends before and
    after calibration, ``interval_roi``, ``within_interval``: every entry's lift inside its interval after),
    the findings and warnings, and how the allocation moved (the uncalibrated model's optimum at the same
    budget and limits: ``spend_uncalibrated`` per channel, ``moved`` = half the sum of |change| / budget).

    Parameters
    ----------
    pf : PromotionFit | None
        The fit, or None.
    names : list[str]
        The channels' display names.
    keys : list[str]
        The channels' columns.
    res : dict
        The optimised allocation (``spend``).
    lo : np.ndarray
        Minimum total per channel.
    hi : np.ndarray
        Maximum total per channel.
    weeks : int
        The plan's weeks.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    tuple[list[dict], list[str], list[str], dict]
        The rows, findings, warnings and the move.
    """
    if pf is None or pf.uncalibrated is None:
        warn = []
        if pf is not None and pf.ledger_unmatched:
            warn.append(t("promotions.calibration.unmatched", lang, entries=", ".join(
                f"#{e.get('id')} {e.get('channel')}" for e in pf.ledger_unmatched)))
        return [], [], warn, {}
    after, before = pf.model, pf.uncalibrated
    rows: list[dict] = []
    for i in sorted({e["index"] for e in pf.ledger_used}):
        ents = []
        sp = b_l = a_l = lo_l = hi_l = 0.0
        ok = True
        for e in (x for x in pf.ledger_used if x["index"] == i):
            test = mmm.LiftTest(channel=i, spend=float(e["spend"]), weeks=ledger.weeks(e), lift=float(e["lift"]),
                                low=float(e["low"]), high=float(e["high"]))
            lb, la = mmm.model_lift(before, test), mmm.model_lift(after, test)
            within = bool(test.low - 1e-6 * abs(test.low) <= la <= test.high + 1e-6 * abs(test.high))
            ok = ok and within
            sp, b_l, a_l, lo_l, hi_l = sp + test.spend, b_l + lb, a_l + la, lo_l + test.low, hi_l + test.high
            ents.append({"id": e.get("id"), "start": e.get("start"), "end": e.get("end"), "spend": test.spend,
                         "lift": test.lift, "low": test.low, "high": test.high, "method": e.get("method"),
                         "owner": e.get("owner"), "created_at": e.get("created_at"), "age_days": ledger.age_days(e),
                         "model_lift_before": lb, "model_lift_after": la, "within_interval": within})
        rows.append({"channel": names[i], "key": keys[i], "entries": ents, "before_roi": b_l / sp,
                     "after_roi": a_l / sp, "interval_roi": [lo_l / sp, hi_l / sp], "within_interval": ok})
    spend = res["spend"]
    budget = float(spend.sum())
    un = mmm.optimise(before.curves, budget, weeks, lo, hi)["spend"]
    moved = float(np.abs(spend - un).sum() / 2 / budget) if budget > 0 else None
    for r in rows:  # the flat fields of the calibration table (TABLES["calibration"])
        j = keys.index(r["key"])
        r["spend_before"], r["spend_after"] = float(un[j]), float(spend[j])
        r["spend_change"] = r["spend_after"] - r["spend_before"]
        r["entry_ids"] = ", ".join(f"#{e['id']}" for e in r["entries"])
        ages = [e["age_days"] for e in r["entries"] if e["age_days"] is not None]
        r["age_days"] = min(ages) if ages else None  # the newest test's age
        r["interval_low"], r["interval_high"] = r["interval_roi"]
    findings, warnings = [], []
    for r in rows:
        findings.append(t("promotions.calibration.finding", lang, channel=r["channel"], entries=r["entry_ids"],
                          age=fmt_number(r["age_days"], lang) if r["age_days"] is not None else "—",
                          before=fmt_number(r["before_roi"], lang, 2), after=fmt_number(r["after_roi"], lang, 2),
                          lo=fmt_number(r["interval_roi"][0], lang, 2), hi=fmt_number(r["interval_roi"][1], lang, 2)))
        if not r["within_interval"]:
            warnings.append(t("promotions.calibration.outside", lang, channel=r["channel"]))
        if r["age_days"] is not None and r["age_days"] > 365:
            warnings.append(t("promotions.calibration.old", lang, channel=r["channel"], age=fmt_number(r["age_days"], lang)))
    if moved is not None:
        findings.append(t("promotions.calibration.moved", lang, share=fmt_pct(moved, lang)))
    if pf.ledger_unmatched:
        warnings.append(t("promotions.calibration.unmatched", lang, entries=", ".join(
            f"#{e.get('id')} {e.get('channel')}" for e in pf.ledger_unmatched)))
    return rows, findings, warnings, {"moved": moved, "spend_uncalibrated": [float(x) for x in un]}


def plan_totals(curves: mmm.Curves, res: dict, weeks: int, baseline: float, mode: str, goal: dict | None,
                goal_kind: str) -> tuple[dict, np.ndarray, np.ndarray]:
    """The plan's totals (spend, expected media outcome with its 95% interval from the bootstrap draws,
    baseline, ROI) and each channel's interval; sets the goal's probability of being reached.

    Parameters
    ----------
    curves : mmm.Curves
        The response curves.
    res : dict
        The optimised allocation (``spend``, ``outcome``, ``status``).
    weeks : int
        The plan's weeks.
    baseline : float
        The baseline outcome.
    mode : str
        "budget" or "goal".
    goal : dict | None
        The goal (``target``; gets ``probability``), or None.
    goal_kind : str
        "outcome", "incremental" or "roi".

    Returns
    -------
    tuple[dict, np.ndarray, np.ndarray]
        The totals (``spend``, ``expected_outcome``, ``lower``, ``upper``, ``baseline``, ``expected_total``,
        ``total_lower``, ``total_upper``, ``roi``, ``return_per_spend``, ``weeks``, ``mode``, ``status``) and
        each channel's lower and upper outcome.
    """
    spend = res["spend"]
    C = len(spend)
    draws = curves.horizon_draws(spend, weeks)  # (B, C)
    has_draws = draws.shape[0] >= 20
    lo_c = np.percentile(draws, Z_LO, axis=0) if has_draws else np.full(C, np.nan)
    hi_c = np.percentile(draws, Z_HI, axis=0) if has_draws else np.full(C, np.nan)
    tot_draws = draws.sum(axis=1) if has_draws else np.zeros(0)
    media = float(res["outcome"].sum())
    total = {
        "spend": float(spend.sum()), "expected_outcome": media,
        "lower": float(np.percentile(tot_draws, Z_LO)) if has_draws else None,
        "upper": float(np.percentile(tot_draws, Z_HI)) if has_draws else None,
        "baseline": baseline, "expected_total": baseline + media,
        "total_lower": baseline + float(np.percentile(tot_draws, Z_LO)) if has_draws else None,
        "total_upper": baseline + float(np.percentile(tot_draws, Z_HI)) if has_draws else None,
        "roi": (media - spend.sum()) / spend.sum() if spend.sum() > 0 else None,
        "return_per_spend": media / spend.sum() if spend.sum() > 0 else None,
        "weeks": weeks, "mode": mode, "status": res["status"],
    }
    if goal is not None:
        if has_draws:
            tgt = goal["target"]
            if goal_kind == "outcome":
                prob = float(np.mean(tot_draws + baseline >= tgt - 1e-9 * abs(tgt)))
            elif goal_kind == "incremental":
                prob = float(np.mean(tot_draws >= tgt - 1e-9 * abs(tgt)))
            else:
                prob = float(np.mean((tot_draws - spend.sum()) / max(spend.sum(), 1e-300) >= tgt - 1e-9))
            goal["probability"] = prob
        else:
            goal["probability"] = None
    return total, lo_c, hi_c


def model_table(fit: mmm.MMMFit) -> tuple[list[dict], np.ndarray, np.ndarray]:
    """One row per channel: carryover (with its interval) and half-life, saturation, maximum weekly effect,
    contribution and its share (with its interval), spend and return per spend; and the share intervals.

    Parameters
    ----------
    fit : mmm.MMMFit
        The fitted model.

    Returns
    -------
    tuple[list[dict], np.ndarray, np.ndarray]
        The rows (``channel``, ``carryover`` with ``carryover_ci_low`` / ``carryover_ci_high``,
        ``half_life_weeks``, ``saturation_lam``, ``max_weekly_effect``, ``contribution``,
        ``contribution_share`` with ``share_ci_low`` / ``share_ci_high``, ``spend``, ``return_per_spend``) and
        the share intervals.
    """
    data = fit.data
    C = len(data.channels)
    shares = fit.shares
    contrib = fit.contributions.sum(axis=0)
    sh_lo = np.percentile(fit.draws_share, Z_LO, axis=0) if len(fit.draws_share) >= 20 else np.full(C, np.nan)
    sh_hi = np.percentile(fit.draws_share, Z_HI, axis=0) if len(fit.draws_share) >= 20 else np.full(C, np.nan)
    a_lo = np.percentile(fit.draws_alpha, Z_LO, axis=0) if len(fit.draws_alpha) >= 20 else np.full(C, np.nan)
    a_hi = np.percentile(fit.draws_alpha, Z_HI, axis=0) if len(fit.draws_alpha) >= 20 else np.full(C, np.nan)
    model = [{"channel": c, "carryover": fit.alpha[i], "carryover_ci_low": a_lo[i], "carryover_ci_high": a_hi[i],
              "half_life_weeks": (np.log(0.5) / np.log(fit.alpha[i])) if 0 < fit.alpha[i] < 1 else 0.0,
              "saturation_lam": fit.lam[i], "max_weekly_effect": fit.beta[i], "contribution": contrib[i],
              "contribution_share": shares[i], "share_ci_low": sh_lo[i], "share_ci_high": sh_hi[i],
              "spend": data.X[:, i].sum(),
              "return_per_spend": contrib[i] / data.X[:, i].sum() if data.X[:, i].sum() > 0 else None}
             for i, c in enumerate(data.channels)]
    return model, sh_lo, sh_hi


def fit_quality(fit: mmm.MMMFit) -> tuple[dict, list[dict], list[dict]]:
    """What the model was fitted on and how well it fits (R², MAPE, holdout scores, shares of baseline,
    controls and media), the weekly residuals and the weekly contribution of each component.

    Parameters
    ----------
    fit : mmm.MMMFit
        The fitted model.

    Returns
    -------
    tuple[dict, list[dict], list[dict]]
        The fit info, the residual rows (``date``, ``actual``, ``fitted``, ``residual``, ``holdout``) and the
        contribution rows (``date``, ``component``, ``value``).
    """
    data = fit.data
    y = data.y
    shares = fit.shares
    ss_res = float(np.sum((y - fit.fitted) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    fit_info = {
        "source": data.source, "weeks": len(y), "start": data.dates[0], "end": data.dates[-1],
        "channels": data.channels, "controls": data.control_names, "seasonality": fit.seasonality,
        "r2": 1 - ss_res / ss_tot if ss_tot > 0 else None,
        "mape": float(np.mean(np.abs((y - fit.fitted) / np.where(y != 0, y, np.nan)))),
        "holdout_weeks": fit.holdout.get("weeks"), "holdout_start": fit.holdout.get("start"),
        "holdout_mape": fit.holdout.get("mape"), "holdout_r2": fit.holdout.get("r2"),
        "n_boot": int(len(fit.draws_beta)), "fit_seconds": fit.fit_seconds,
        "baseline_share": fit.base_share, "controls_share": fit.control_share, "media_share": float(shares.sum()),
        "method": "adstock (geometric, l_max 8) + logistic saturation; variable-projection NLS (scipy); "
                  "moving-block residual bootstrap",
    }
    hold_start = fit.holdout.get("start")
    residuals = [{"date": d, "actual": a, "fitted": f, "residual": a - f,
                  "holdout": bool(hold_start is not None and d >= hold_start)}
                 for d, a, f in zip(data.dates, y, fit.fitted)]
    contributions = []
    for k, d in enumerate(data.dates):
        contributions.append({"date": d, "component": "baseline", "value": fit.base_part[k]})
        if data.control_names:
            contributions.append({"date": d, "component": "controls", "value": fit.control_part[k]})
        for i, c in enumerate(data.channels):
            contributions.append({"date": d, "component": c, "value": fit.contributions[k, i]})
    return fit_info, residuals, contributions


def response_curve_rows(fit: mmm.MMMFit, spend: np.ndarray, weeks: int, current_weekly: np.ndarray,
                        hist_max: np.ndarray) -> tuple[list[dict], list[dict]]:
    """Each channel's weekly response curve on 41 spend points up to 1.5x the larger of its highest and its
    planned weekly spend (with the bootstrap's 95% band), and its current / planned / highest weekly spend.

    Parameters
    ----------
    fit : mmm.MMMFit
        The fitted model.
    spend : np.ndarray
        Planned total spend per channel.
    weeks : int
        The plan's weeks.
    current_weekly : np.ndarray
        Recent weekly spend per channel.
    hist_max : np.ndarray
        Highest weekly spend per channel.

    Returns
    -------
    tuple[list[dict], list[dict]]
        Curve rows (``channel``, ``weekly_spend``, ``weekly_outcome``, ``lower``, ``upper``) and per channel
        ``current_weekly_spend``, ``planned_weekly_spend``, ``hist_max_weekly``.
    """
    data = fit.data
    curve_rows = []
    for i, c in enumerate(data.channels):
        top = max(hist_max[i], spend[i] / weeks) * 1.5
        grid = np.linspace(0, top, 41)
        yv = fit.beta[i] * mmm.logistic_saturation(grid / fit.scale[i], fit.lam[i])
        if len(fit.draws_beta) >= 20:
            dr = fit.draws_beta[:, [i]] * mmm.logistic_saturation(grid[None, :] / fit.scale[i], fit.draws_lam[:, [i]])
            clo, chi = np.percentile(dr, Z_LO, axis=0), np.percentile(dr, Z_HI, axis=0)
        else:
            clo = chi = np.full(len(grid), np.nan)
        for g, v, l_, h_ in zip(grid, yv, clo, chi):
            curve_rows.append({"channel": c, "weekly_spend": g, "weekly_outcome": v, "lower": l_, "upper": h_})
    curves_meta = [{"channel": c, "current_weekly_spend": current_weekly[i], "planned_weekly_spend": spend[i] / weeks,
                    "hist_max_weekly": hist_max[i]} for i, c in enumerate(data.channels)]
    return curve_rows, curves_meta


def incentive_block(ov: OrderValues | None, p: dict, weeks: int, lang: str) -> tuple[dict | None, str | None]:
    """The incentive's economics (:func:`incentive_economics`) with the AOV, base orders and eligible share
    from the orders' values unless given, and its finding (or, when AOV or base orders are unknown, the
    warning saying so, with no economics).

    Parameters
    ----------
    ov : OrderValues | None
        The orders' values, or None.
    p : dict
        The page's parameters (``incentive`` and its settings, ``aov``, ``base_orders``, ``margin``,
        ``redemption``).
    weeks : int
        The plan's weeks.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    tuple[dict | None, str | None]
        The economics (or None) and the finding or warning (or None).
    """
    if p["incentive"] == "none":
        return None, None
    aov, base_orders, elig = p.get("aov"), p.get("base_orders"), None
    if ov is not None:
        aov = aov if aov is not None else ov.mean
        base_orders = base_orders if base_orders is not None else float(ov.orders / ov.weeks * weeks)
        thr = p["min_spend"] if p["incentive"] == "coupon" else p["threshold"] if p["incentive"] == "threshold" else None
        if thr is not None:
            elig = ov.share_at_least(float(thr))
    if aov is None or base_orders is None or aov <= 0:
        return None, t("promotions.warning.incentive_needs", lang)
    incentive = incentive_economics(
        p["incentive"], aov=float(aov), orders=float(base_orders), margin=float(p["margin"]),
        redemption=float(p["redemption"]), face_value=float(p["face_value"]), min_spend=float(p["min_spend"]),
        threshold=float(p["threshold"]), off=float(p["off"]), points_per_unit=float(p["points_per_unit"]),
        point_value=float(p["point_value"]), eligible_share=elig)
    if incentive["break_even_uplift"] is None:
        return incentive, t("promotions.finding.incentive_never", lang)
    return incentive, t("promotions.finding.incentive", lang, kind=t(f"promotions.incentive.{p['incentive']}", lang),
                        cost=fmt_money(incentive["cost"], lang), erosion=fmt_pct(incentive["margin_erosion"], lang),
                        uplift=fmt_pct(incentive["break_even_uplift"], lang),
                        orders=fmt_number(incentive["break_even_extra_orders"], lang))


def plan_risks(fit: mmm.MMMFit, spend: np.ndarray, weeks: int, goal: dict | None, hi: np.ndarray, baseline: float,
               sh_lo: np.ndarray, sh_hi: np.ndarray, lang: str) -> tuple[list[dict], dict]:
    """The plan's risks (short history, spend outside the historical range, co-moving channels, a target
    beyond the ceiling, poor holdout fit, uncertain channels, an attributed outcome) and the verdict.

    Parameters
    ----------
    fit : mmm.MMMFit
        The fitted model.
    spend : np.ndarray
        Planned total spend per channel.
    weeks : int
        The plan's weeks.
    goal : dict | None
        The goal, or None.
    hi : np.ndarray
        Maximum total per channel.
    baseline : float
        The baseline outcome.
    sh_lo : np.ndarray
        Lower bound of each channel's share.
    sh_hi : np.ndarray
        Upper bound of each channel's share.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    tuple[list[dict], dict]
        The risks (``key``, ``level``, ``channel``, ``text``) and the feasibility (``verdict`` go / caution /
        stop, ``text``, ``history_weeks``, ``seasonality_modelled``, ``holdout_mape``, ``target_reachable``,
        ``ceiling_media``, ``baseline``, ``collinear_pairs``).
    """
    data = fit.data
    shares = fit.shares
    hist_max = data.X.max(axis=0)
    hist_min_pos = np.nanmin(np.where(data.X > 0, data.X, np.nan), axis=0)
    risks: list[dict] = []
    n_weeks = len(data.y)
    if n_weeks < mmm.MIN_WEEKS_SEASON:
        risks.append({"key": "short_history", "level": "high", "channel": None,
                      "text": t("promotions.risk.short_history", lang, weeks=n_weeks)})
    for i, c in enumerate(data.channels):
        w = spend[i] / weeks
        if w > hist_max[i] * 1.0001:
            risks.append({"key": "above_history", "level": "high", "channel": c,
                          "text": t("promotions.risk.above_history", lang, channel=c, planned=fmt_number(w, lang, 2),
                                    max=fmt_number(hist_max[i], lang, 2))})
        elif 0 < w < hist_min_pos[i] * 0.9999:
            risks.append({"key": "below_history", "level": "medium", "channel": c,
                          "text": t("promotions.risk.below_history", lang, channel=c, planned=fmt_number(w, lang, 2),
                                    min=fmt_number(hist_min_pos[i], lang, 2))})
    corr_pairs = collinear_pairs(data.X, data.channels)
    for a, b, r in corr_pairs:
        risks.append({"key": "collinear", "level": "high", "channel": f"{a} / {b}",
                      "text": t("promotions.risk.collinear", lang, a=a, b=b, r=f"{r:.2f}")})
    if goal is not None and not goal["reachable"]:
        ceiling = goal.get("ceiling")
        risks.append({"key": "target_beyond", "level": "high", "channel": None,
                      "text": t("promotions.risk.target_beyond", lang, target=fmt_number(goal["target"], lang),
                                ceiling=fmt_number(ceiling, lang) if ceiling is not None else "—")})
    hm = fit.holdout.get("mape")
    if hm is not None and hm > 0.2:
        risks.append({"key": "poor_fit", "level": "medium", "channel": None,
                      "text": t("promotions.risk.poor_fit", lang, mape=fmt_pct(hm, lang))})
    for i, c in enumerate(data.channels):
        if np.isfinite(sh_lo[i]) and shares[i] > 0 and (sh_hi[i] - sh_lo[i]) > shares[i]:
            risks.append({"key": "uncertain_channel", "level": "medium", "channel": c,
                          "text": t("promotions.risk.uncertain_channel", lang, channel=c, lo=fmt_pct(sh_lo[i], lang),
                                    hi=fmt_pct(sh_hi[i], lang))})
    if data.source == "channels":
        risks.append({"key": "attributed_outcome", "level": "medium", "channel": None,
                      "text": t("promotions.risk.attributed_outcome", lang)})
    levels = [r["level"] for r in risks]
    verdict = "stop" if (goal is not None and not goal["reachable"]) else ("caution" if levels else "go")
    feasibility = {
        "verdict": verdict, "text": t(f"promotions.feasibility.{verdict}", lang),
        "history_weeks": n_weeks, "seasonality_modelled": fit.seasonality,
        "holdout_mape": hm, "target_reachable": None if goal is None else goal["reachable"],
        "ceiling_media": mmm.max_outcome(fit.curves, weeks, hi), "baseline": baseline,
        "collinear_pairs": [{"a": a, "b": b, "r": r} for a, b, r in corr_pairs],
    }
    return risks, feasibility


def collinear_pairs(X: np.ndarray, channels: list[str], limit: float = CORR_LIMIT) -> list[tuple[str, str, float]]:
    """The pairs of channels whose weekly spend is correlated above ``limit``.

    Parameters
    ----------
    X : np.ndarray
        Weekly spend, weeks x channels.
    channels : list[str]
        The channels.
    limit : float
        Correlation above which a pair is reported.

    Returns
    -------
    list[tuple[str, str, float]]
        (channel, channel, correlation) per pair.
    """
    if X.shape[1] < 2:
        return []
    with np.errstate(invalid="ignore", divide="ignore"):
        R = np.corrcoef(X, rowvar=False)
    out = []
    for i in range(len(channels)):
        for j in range(i + 1, len(channels)):
            if np.isfinite(R[i, j]) and R[i, j] > limit:
                out.append((channels[i], channels[j], float(R[i, j])))
    return out


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """The page's result from canonical frames (registered as engine tables): ``present(fit(...))``.

    Parameters
    ----------
    frames : dict[str, pd.DataFrame]
        Kind -> canonical frame.
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page's result.
    """
    if not any(frames.get(k) is not None for k in ("media_mix", "channels")):
        raise NotEnoughData("promotions.error.no_data")
    tables = engine.tables_from_frames({k: v for k, v in frames.items() if v is not None})
    return present(fit(tables, params), params, lang)


# ----------------------------------------------------------------------------- page helpers

FIT_PARAMS = ("spend_cols", "control_cols", "n_boot", "seed", "start", "end", "calibrate", "ledger")


def acquisition_ceiling(model_data: mmm.MMMData, seg: Any, first: pd.DataFrame | None, params: dict,
                        lang: str = "en", *, orders: bool = True) -> dict:
    """The acquisition ceiling (:func:`analytics.acquisition.ceiling`) of the planner's weekly spend
    ``model_data`` against the Segmentation explorer's fit ``seg`` (its CLV model and customers; None: no
    CLV model) and the orders' first purchases ``first`` (:func:`analytics.acquisition.first_purchases`);
    ``orders``: whether the page has an orders dataset at all.

    Parameters
    ----------
    model_data : mmm.MMMData
        The planner's model data: ``dates`` (week starts), ``X`` (spend, weeks x channels), ``channels``.
    seg : Any
        The Segmentation explorer's fit (``clv``, ``customers`` with ``clv`` and its ``model_column``), or
        None. Its segments are the customers' model column (named groups translated into ``lang``).
    first : pd.DataFrame | None
        Columns ``channel``, ``day``, ``buyers``, ``value``; None when the orders have no channel column.
    params : dict
        The page's parameters (``ceiling_margin``, default 0.4).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    orders : bool
        Whether the page has an orders dataset (False: status ``"no_orders"`` and a warning, nothing computed).

    Returns
    -------
    dict
        :func:`analytics.acquisition.ceiling`, made JSON-safe.
    """
    from analytics import acquisition

    p = _defaults(params)
    margin = float(p.get("ceiling_margin") or 0.4)
    names = display_names(list(model_data.channels), lang)
    if not orders:
        return jsonable({"status": "no_orders", "margin": margin, "segments": [], "channels": [], "findings": [],
                         "warnings": [t("promotions.ceiling.no_orders", lang)]})
    segments = None
    if seg is not None and seg.clv is not None and "clv" in seg.customers.columns:
        from analytics.segmentation.base import slug

        names_ = seg.customers[seg.model_column].astype(str)
        if seg.model_column == "group":  # named groups in the language (the cn8 labels are Chinese by name)
            names_ = names_.map(lambda g: t(f"segmentation.group.{slug(g)}", lang))
        segments = pd.DataFrame({"segment": names_.to_numpy(),
                                 "clv": seg.customers["clv"].to_numpy(float)})
    return jsonable(acquisition.ceiling(segments=segments, clv=seg.clv if seg is not None else None, first=first, dates=list(model_data.dates),
                                        X=model_data.X, channels=list(model_data.channels), names=names,
                                        margin=margin, lang=lang))


def segmentation_params(params: dict) -> dict:
    """The Segmentation explorer's fit parameters for the planner's date range (its defaults otherwise), so
    the page reads the very fit the Segmentation page caches for that range.

    Parameters
    ----------
    params : dict
        The planner's parameters (only ``start`` and ``end`` are read).

    Returns
    -------
    dict
        The Segmentation explorer's resolved fit parameters.
    """
    from analytics import segmentation
    from analytics.inputs import fit_params
    from analytics.params import resolve

    return fit_params(segmentation, resolve(segmentation.PARAMS, {"start": params.get("start"), "end": params.get("end")}))


def report_extra(tables: dict[str, ir.Table], params: dict, lang: str = "en") -> dict:
    """What the headless report adds to the page result: ``acquisition_ceiling`` (the page shows the same
    from the cached Segmentation fit; here, one run, the segmentation is fitted once).

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table (``orders`` feeds the segmentation and the first purchases).
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        ``{"acquisition_ceiling": ...}`` (:func:`acquisition_ceiling`); {} when there is not enough data for
        the response model.
    """
    from analytics import acquisition, segmentation
    from analytics.common import AnalyticsError

    p = _defaults(params)
    try:
        data = load_model_data(tables, p)
    except NotEnoughData:
        return {}
    orders = tables.get("orders")
    seg = first = None
    if orders is not None:
        try:
            seg = segmentation.fit({"orders": orders}, segmentation_params(p))
        except AnalyticsError:
            seg = None
        first = acquisition.first_purchases(orders)
    return {"acquisition_ceiling": acquisition_ceiling(data, seg, first, p, lang, orders=orders is not None)}


def store_params(*, engine=None) -> dict:
    """The fit parameters the planner reads from the catalogue: the incrementality ledger's entries
    (``ledger``, :func:`analytics.ledger.fit_value`). The report and the page add them to the parameters.

    Parameters
    ----------
    engine
        Catalogue engine (None: the default).

    Returns
    -------
    dict
        ``{"ledger": ...}``.
    """
    return ledger.store_params(engine=engine)
# page helpers whose result has no text: analytics.cached.page_call keeps one result for every language
LANGUAGE_FREE_CALLS = ('model_inputs',)

PLAN_KIND = "promotion_plan"   # kind of the saved objects (cached.save_object) holding a saved plan


def model_inputs(tables: dict[str, ir.Table], params: dict, lang: str = "en") -> dict:
    """What the page needs before planning, without fitting: the channels the model will use, their
    recent and highest weekly spend, and the media-mix columns offered as spend / control columns.
    ``tables``: kind -> engine table (canonical frames are registered first).

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters.
    lang : str
        Unused (no text).

    Returns
    -------
    dict
        ``source``, ``channels``, ``channel_labels``, ``current_weekly_spend``, ``hist_max_weekly``,
        ``weeks``, ``last_date``, ``column_options``, ``default_spend_cols``, ``default_control_cols``.
    """
    p = _defaults(params)
    tables = {k: (engine.from_frame(v) if isinstance(v, pd.DataFrame) else v) for k, v in tables.items()
              if v is not None}
    out: dict = {"source": None, "channels": [], "current_weekly_spend": [], "hist_max_weekly": [], "weeks": 0,
                 "last_date": None, "column_options": [], "default_spend_cols": [], "default_control_cols": []}
    mm = tables.get("media_mix")
    if mm is not None and line_count(mm):
        columns = [str(c) for c in mm.columns]
        out["column_options"] = [c[5:] for c in columns if c.startswith("attr_")]
        out["default_spend_cols"] = [c[5:] for c in mmm.default_spend_cols(columns)]
        out["default_control_cols"] = [c[5:] for c in mmm.default_control_cols(columns)]
    try:
        data = load_model_data(tables, p)
    except NotEnoughData:
        return jsonable(out)
    n = len(data.y)
    recent = data.X[-min(RECENT_WEEKS, n):] if n else data.X
    out.update({"source": data.source, "channels": list(data.channels),
                "channel_labels": {lg: display_names(data.channels, lg) for lg in ("en", "zh")},
                "current_weekly_spend": recent.mean(axis=0).tolist() if n else [],
                "hist_max_weekly": data.X.max(axis=0).tolist() if n else [], "weeks": n,
                "last_date": data.dates[-1] if n else None})
    return jsonable(out)


def plan_payload(result: dict, params: dict, *, query: dict | None = None, datasets: list | None = None) -> dict:
    """The saved form of a plan (kind :data:`PLAN_KIND`): what post-campaign evaluation compares with
    actuals. Holds params, total {spend, expected_outcome, lower, upper, ...}, allocation, plan_start, weeks.

    Parameters
    ----------
    result : dict
        The plan (the page's result).
    params : dict
        The page's parameters.
    query : dict | None
        The page's link query, or None.
    datasets : list | None
        The datasets planned on, or None.

    Returns
    -------
    dict
        ``params``, ``query``, ``datasets``, ``mode``, ``goal``, ``total``, ``allocation``, ``plan_start``,
        ``weeks``, ``phases``, ``feasibility``, ``source``.
    """
    tot = result.get("total") or {}
    pac = result.get("pacing") or {}
    return jsonable({
        "params": {k: v for k, v in (params or {}).items()},
        "query": dict(query or {}),
        "datasets": list(datasets or []),
        "mode": result.get("mode"),
        "goal": result.get("goal"),
        "total": tot,
        "allocation": [{k: r.get(k) for k in ("channel", "key", "spend", "share", "expected_outcome", "lower", "upper",
                                               "marginal_roi", "weekly_spend", "min", "max")}
                       for r in result.get("allocation") or []],
        "plan_start": pac.get("start") or (params or {}).get("plan_start"),
        "weeks": tot.get("weeks") or (params or {}).get("weeks"),
        "phases": pac.get("phases") or [],
        "feasibility": {k: (result.get("feasibility") or {}).get(k) for k in ("verdict", "holdout_mape", "history_weeks")},
        "source": (result.get("fit") or {}).get("source"),
    })


def compare_plans(plans: list[dict], lang: str = "en") -> list[dict]:
    """Saved plans side by side: one row per measure (totals, then each channel's spend), one column per plan.
    ``plans``: saved objects ({"id", "name", "payload"}).

    Parameters
    ----------
    plans : list[dict]
        Saved plans.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Rows keyed by the measure column and one column per plan.
    """
    names = [f"#{p['id']} {p['name']}" for p in plans]
    rows: list[dict] = []

    def row(label: str, values: list) -> None:
        rows.append({t("promotions.compare.measure", lang): label, **dict(zip(names, values))})

    tots = [(p.get("payload") or {}).get("total") or {} for p in plans]
    for key in ("spend", "expected_outcome", "lower", "upper", "roi"):
        row(t(f"promotions.compare.{key}", lang), [tt.get(key) for tt in tots])
    row(t("promotions.compare.weeks", lang), [(p.get("payload") or {}).get("weeks") for p in plans])
    row(t("promotions.compare.plan_start", lang), [(p.get("payload") or {}).get("plan_start") for p in plans])
    channels: dict[str, str] = {}  # the channel's column (saved plans: key) -> its name in lang
    for p in plans:
        for a in (p.get("payload") or {}).get("allocation") or []:
            k = a.get("key") or a.get("channel")
            channels.setdefault(k, display_names([k], lang)[0] if a.get("key") else a.get("channel"))
    for c, name in channels.items():
        vals = []
        for p in plans:
            a = next((x for x in (p.get("payload") or {}).get("allocation") or []
                      if (x.get("key") or x.get("channel")) == c), None)
            vals.append(a.get("spend") if a else None)
        row(t("promotions.compare.channel_spend", lang, channel=name), vals)
    return jsonable(rows)


# ----------------------------------------------------------------------------- figures


def figures(result: dict, lang: str = "en") -> list[dict]:
    """The planner's figures (allocation with expected outcome and the charts of the plan's other blocks), each
    titled with what it shows.

    Parameters
    ----------
    result : dict
        The plan (:func:`plan`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``.
    """
    out: list[dict] = []
    for part in (_allocation_figures, _curve_figures, _contribution_figures, _fit_figures, _timeline_figures):
        out += part(result, lang)
    return out


def _allocation_figures(result: dict, lang: str) -> list[dict]:
    """Each channel's planned spend next to its expected outcome with its interval, on one money axis
    (``allocation``).

    Parameters
    ----------
    result : dict
        The plan (:func:`plan`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without an ``allocation``.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    alloc = result.get("allocation") or []
    tot = result.get("total") or {}
    if alloc:
        top = max(alloc, key=lambda r: r["spend"] or 0)
        title = t("promotions.chart.allocation", lang, channel=top["channel"], share=fmt_pct(top.get("share"), lang),
                  out=fmt_number(tot.get("expected_outcome"), lang))
        fig = go.Figure()
        fig.add_trace(go.Bar(name=t("promotions.label.spend", lang), x=[r["channel"] for r in alloc],
                             y=[r["spend"] for r in alloc], marker_color="#1f77b4"))
        fig.add_trace(go.Bar(name=t("promotions.label.expected_outcome", lang), x=[r["channel"] for r in alloc],
                             y=[r["expected_outcome"] for r in alloc], marker_color="#2ca02c",
                             error_y={"type": "data", "symmetric": False,
                                      "array": [(r["upper"] - r["expected_outcome"]) if r["upper"] is not None else 0 for r in alloc],
                                      "arrayminus": [(r["expected_outcome"] - r["lower"]) if r["lower"] is not None else 0 for r in alloc]},
                             ))
        # spend and outcome are both money: one axis, bars side by side (a second axis drew them over each other)
        fig.update_layout(barmode="group", height=380, legend={"orientation": "h", "y": -0.15},
                          yaxis={"title": t("promotions.label.spend", lang) + " / " +
                                 t("promotions.label.expected_outcome", lang)})
        charts.finish(fig, lang, title, y="money")
        out.append({"key": "allocation", "title": title, "figure": fig})
    return out


def _curve_figures(result: dict, lang: str) -> list[dict]:
    """The weekly response curve of each channel with its band, its current and planned weekly spend marked
    (``curves``), titled with the channel of the highest marginal ROI.

    Parameters
    ----------
    result : dict
        The plan (:func:`plan`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without ``curves``.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    alloc = result.get("allocation") or []
    curves = result.get("curves") or []
    meta = {m["channel"]: m for m in result.get("curves_meta") or []}
    if curves:
        best = max(alloc, key=lambda r: r["marginal_roi"] or 0) if alloc else None
        title = t("promotions.chart.curves", lang, channel=best["channel"] if best else "—",
                  m=fmt_number(best["marginal_roi"], lang, 2) if best else "—")
        fig = go.Figure()
        df = pd.DataFrame(curves)
        for i, (c, g) in enumerate(df.groupby("channel", sort=False)):
            color = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"][i % 6]
            fig.add_trace(go.Scatter(x=g["weekly_spend"], y=g["weekly_outcome"], name=c, line={"color": color}))
            if g["upper"].notna().any():
                fig.add_trace(go.Scatter(x=list(g["weekly_spend"]) + list(g["weekly_spend"])[::-1],
                                         y=list(g["upper"]) + list(g["lower"])[::-1], fill="toself", opacity=0.15, mode="lines",
                                         line={"width": 0, "color": color}, showlegend=False, hoverinfo="skip"))
            m = meta.get(c)
            if m:
                for key, sym in (("current_weekly_spend", "circle"), ("planned_weekly_spend", "star")):
                    x = m[key]
                    yv = np.interp(x, g["weekly_spend"], g["weekly_outcome"])
                    fig.add_trace(go.Scatter(x=[x], y=[yv], mode="markers", marker={"symbol": sym, "size": 12, "color": color},
                                             name=f"{c}: {t('promotions.label.' + key, lang)}"))
        fig.update_layout(height=420, xaxis_title=t("promotions.label.weekly_spend", lang),
                          yaxis_title=t("promotions.label.weekly_outcome", lang))
        charts.finish(fig, lang, title, x="money", y="money")
        out.append({"key": "curves", "title": title, "figure": fig})
    return out


def _contribution_figures(result: dict, lang: str) -> list[dict]:
    """The weekly outcome stacked by baseline, controls and channels (``contributions``), titled with the
    channel of the largest contribution share.

    Parameters
    ----------
    result : dict
        The plan (:func:`plan`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without ``contributions`` and ``model`` rows.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    contrib = result.get("contributions") or []
    model = result.get("model") or []
    if contrib and model:
        lead = max(model, key=lambda r: r["contribution_share"] or 0)
        title = t("promotions.chart.contributions", lang, channel=lead["channel"],
                  share=fmt_pct(lead["contribution_share"], lang))
        df = pd.DataFrame(contrib)
        fig = go.Figure()
        for comp, g in df.groupby("component", sort=False):
            fig.add_trace(go.Scatter(x=g["date"], y=g["value"], stackgroup="one", name=t("promotions.label.baseline", lang)
                                     if comp == "baseline" else t("promotions.label.controls", lang) if comp == "controls" else comp))
        fig.update_layout(height=380)
        charts.finish(fig, lang, title, y="money")
        out.append({"key": "contributions", "title": title, "figure": fig})
    return out


def _fit_figures(result: dict, lang: str) -> list[dict]:
    """Actual and fitted weekly outcome with the residuals and the holdout's start (``fit``).

    Parameters
    ----------
    result : dict
        The plan (:func:`plan`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without ``residuals``.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    resid = result.get("residuals") or []
    fit = result.get("fit") or {}
    if resid:
        title = t("promotions.chart.fit", lang, mape=fmt_pct(fit.get("holdout_mape"), lang),
                  r2=f"{fit['holdout_r2']:.2f}" if fit.get("holdout_r2") is not None else "—")
        df = pd.DataFrame(resid)
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=df["date"], y=df["actual"], name=t("promotions.label.actual", lang), mode="lines"))
        fig.add_trace(go.Scatter(x=df["date"], y=df["fitted"], name=t("promotions.label.fitted", lang), mode="lines"))
        fig.add_trace(go.Bar(x=df["date"], y=df["residual"], name=t("promotions.label.residual", lang), opacity=0.4))
        if fit.get("holdout_start"):
            fig.add_vline(x=pd.Timestamp(fit["holdout_start"]).timestamp() * 1000, line_dash="dot")
        fig.update_layout(height=380)
        charts.finish(fig, lang, title, y="money")
        out.append({"key": "fit", "title": title, "figure": fig})
    return out


def _timeline_figures(result: dict, lang: str) -> list[dict]:
    """The plan's weekly spend per channel, stacked, with the pacing phases labelled above the bars
    (``timeline``).

    Parameters
    ----------
    result : dict
        The plan (:func:`plan`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without a ``timeline``.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    tl = result.get("timeline") or []
    pac = result.get("pacing") or {}
    if tl:
        ph = pac.get("phases") or []
        burst = next((x for x in ph if x["phase"] == "burst"), None)
        title = t("promotions.chart.timeline", lang, share=fmt_pct(burst["budget_share"] if burst else None, lang, 0),
                  days=burst["days"] if burst else "—", start=str(burst["start"]) if burst else "—")
        df = pd.DataFrame(tl)
        fig = go.Figure()
        for c, g in df.groupby("channel", sort=False):
            fig.add_trace(go.Bar(x=g["date"], y=g["spend"], name=c))
        # phase labels above the bars, in rows so that a short phase's label never runs into the next one
        labels = [(str(x["start"]), x.get("label", x["phase"])) for x in ph]
        rows = charts.label_rows(labels, (str(df["date"].min()), str(df["date"].max())), size=12)
        for x, (start, text), row in zip(ph, labels, rows):
            fig.add_annotation(x=start, y=1.02 + 0.07 * (row or 0), yref="paper", text=text if row is not None else "•",
                               showarrow=False, xanchor="left", yanchor="bottom",
                               hovertext=f"{text}: {x['start']} – {x['end']}")
        fig.update_layout(barmode="stack", height=360, yaxis_title=t("promotions.label.spend", lang))
        charts.finish(fig, lang, title, y="money")
        out.append({"key": "timeline", "title": title, "figure": fig})
    return out


def fit_ready(tables: dict[str, ir.Table], params: dict, lang: str = "en") -> dict:
    """Fit the response model for the fit parameters and return a small summary (channels, weeks, source,
    fit seconds, holdout MAPE); raises ``NotEnoughData`` as :func:`fit` does. ``tables``: kind -> engine
    table. (The page's cached fit is ``analytics.cached.page_fit``; this is a separate fit.)

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table.
    params : dict
        The page's parameters.
    lang : str
        Unused (no text).

    Returns
    -------
    dict
        ``channels``, ``weeks``, ``source``, ``fit_seconds``, ``holdout_mape``.
    """
    if not any(tables.get(k) is not None for k in ("media_mix", "channels")):
        raise NotEnoughData("promotions.error.no_data")
    fit = fit_response(tables, params)
    return jsonable({"channels": list(fit.data.channels), "weeks": len(fit.data.y), "source": fit.data.source,
                     "fit_seconds": fit.fit_seconds, "holdout_mape": fit.holdout.get("mape")})
