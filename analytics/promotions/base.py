"""The promotion planner's constants: the key figures' and result tables' declarations, the pacing templates,
incentives and goals, the page's parameters and tabs, the default channel limits and the interval's percentiles;
and :func:`_defaults`, the parameters with their defaults filled in."""

from __future__ import annotations

from analytics.params import Param
from analytics.tables import Col

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


def _defaults(params: dict) -> dict:
    out = {p.key: p.default for p in PARAMS}
    out.update({k: v for k, v in (params or {}).items() if v is not None})
    out.setdefault("start", None)
    out.setdefault("end", None)
    return out
