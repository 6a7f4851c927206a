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
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analytics import mmm
from analytics.common import NotEnoughData, filter_dates, jsonable
from analytics.i18n import fmt_money, fmt_number, fmt_pct, t
from analytics.params import Param

PAGE = "promotion-planner"
KINDS = {"media_mix": False, "channels": False, "orders": False}  # at least one of media_mix / channels

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
]

CORR_LIMIT = 0.8
RECENT_WEEKS = 13
Z_LO, Z_HI = 2.5, 97.5


# ----------------------------------------------------------------------------- helpers


def parse_bounds(text: str | None, params: dict, channels: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per-channel (min, max) totals from "ch:min:max,..." and/or min_<ch> / max_<ch> params."""
    lo = np.zeros(len(channels))
    hi = np.full(len(channels), np.inf)
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
    break-even uplift = r d / (m AOV - r d) (extra orders, which also redeem, must replace the lost profit)."""
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


def _order_values(orders: pd.DataFrame) -> pd.Series:
    o = orders.loc[orders["order_date"].notna() & ~orders["is_return"].fillna(False).astype(bool)]
    return o.groupby(o["order_id"].astype(str))["amount"].sum()


def pacing(allocation: dict[str, float], total: float, start: date, weeks: int, template: str) -> tuple[list, list]:
    """Timeline rows (date, phase, channel, spend) and phase summary rows."""
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


def _defaults(params: dict) -> dict:
    out = {p.key: p.default for p in PARAMS}
    out.update({k: v for k, v in (params or {}).items() if v is not None})
    out.setdefault("start", None)
    out.setdefault("end", None)
    return out


# ----------------------------------------------------------------------------- compute


def load_model_data(frames: dict[str, pd.DataFrame], params: dict) -> mmm.MMMData:
    start, end = params.get("start"), params.get("end")
    if frames.get("media_mix") is not None and not frames["media_mix"].empty:
        mm = filter_dates(frames["media_mix"], "date", start, end)
        return mmm.prepare_media_mix(mm, params.get("spend_cols"), params.get("control_cols"))
    ch = frames.get("channels")
    if ch is not None and not ch.empty:
        ch = filter_dates(ch, "date", start, end)
        if ch["date"].notna().sum() == 0:
            raise NotEnoughData("promotions.error.no_dates")
        od = frames.get("orders")
        od = filter_dates(od, "order_date", start, end) if od is not None else None
        return mmm.prepare_from_channels(ch, od)
    raise NotEnoughData("promotions.error.no_data")


def fit_model(frames: dict[str, pd.DataFrame], params: dict) -> mmm.MMMFit:
    """The fitted response model (the expensive part; cache it and re-plan with :func:`plan`)."""
    p = _defaults(params)
    data = load_model_data(frames, p)
    if len(data.channels) == 0:
        raise NotEnoughData("promotions.error.no_spend")
    if len(data.y) < mmm.MIN_WEEKS_FIT:
        raise NotEnoughData("promotions.error.short_history", weeks=len(data.y), need=mmm.MIN_WEEKS_FIT)
    return mmm.fit_mmm(data, n_boot=int(p["n_boot"]), seed=int(p["seed"]))


def plan(fit: mmm.MMMFit, params: dict, lang: str = "en", frames: dict | None = None) -> dict:
    """Budget- or goal-first plan, pacing, incentive, risks for a fitted model (fast: < 1 s)."""
    p = _defaults(params)
    data = fit.data
    C = len(data.channels)
    weeks = int(p["weeks"])
    curves = fit.curves
    warnings: list[str] = []
    findings: list[str] = []
    risks: list[dict] = []

    recent = data.X[-min(RECENT_WEEKS, len(data.y)):]
    current_weekly = recent.mean(axis=0)
    hist_max = data.X.max(axis=0)
    pos = np.where(data.X > 0, data.X, np.nan)
    hist_min_pos = np.nanmin(pos, axis=0)
    lo, hi, bad_bounds = parse_bounds(p.get("bounds"), p, data.channels)
    if bad_bounds:
        warnings.append(t("promotions.warning.bad_bounds", lang, items=", ".join(bad_bounds)))

    plan_start = p.get("plan_start") or (data.dates[-1] + pd.Timedelta(days=7)).date()
    plan_dates = pd.date_range(pd.Timestamp(plan_start), periods=weeks, freq="7D")
    base_weekly = mmm.baseline_weekly(fit, plan_dates)
    baseline = float(base_weekly.sum())

    goal = None
    target = p.get("target")
    if target is not None:
        g = mmm.min_budget_for(curves, float(target), weeks, lo, hi, kind=p["goal"], baseline=baseline)
        res = g["plan"]
        budget = float(res["spend"].sum())
        goal = {"target": float(target), "kind": p["goal"], "budget": g["budget"], "reachable": g["reachable"],
                "ceiling": g.get("ceiling")}
        mode = "goal"
    else:
        budget = float(p["budget"]) if p.get("budget") is not None else float(current_weekly.sum() * weeks)
        res = mmm.optimise(curves, budget, weeks, lo, hi)
        mode = "budget"
    spend = res["spend"]
    if res["status"] == "below_min":
        warnings.append(t("promotions.warning.below_min", lang, budget=fmt_number(budget, lang, 2),
                          min=fmt_number(lo.sum(), lang, 2)))
    elif res["status"] == "above_max":
        warnings.append(t("promotions.warning.above_max", lang, budget=fmt_number(budget, lang, 2),
                          max=fmt_number(hi.sum(), lang, 2)))
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
    if not has_draws:
        warnings.append(t("promotions.warning.no_intervals", lang))
    if goal is not None:
        if has_draws:
            tgt = goal["target"]
            if p["goal"] == "outcome":
                prob = float(np.mean(tot_draws + baseline >= tgt - 1e-9 * abs(tgt)))
            elif p["goal"] == "incremental":
                prob = float(np.mean(tot_draws >= tgt - 1e-9 * abs(tgt)))
            else:
                prob = float(np.mean((tot_draws - spend.sum()) / max(spend.sum(), 1e-300) >= tgt - 1e-9))
            goal["probability"] = prob
        else:
            goal["probability"] = None
    allocation = []
    for i, c in enumerate(data.channels):
        w = spend[i] / weeks
        allocation.append({
            "channel": c, "spend": spend[i], "share": spend[i] / spend.sum() if spend.sum() > 0 else None,
            "expected_outcome": res["outcome"][i], "lower": lo_c[i], "upper": hi_c[i],
            "marginal_roi": res["marginal"][i],
            "return_per_spend": res["outcome"][i] / spend[i] if spend[i] > 0 else None,
            "weekly_spend": w, "current_weekly_spend": current_weekly[i], "hist_max_weekly": hist_max[i],
            "min": lo[i], "max": hi[i] if np.isfinite(hi[i]) else None,
            "at_bound": bool(spend[i] <= lo[i] + 1e-9 * max(1, budget) or spend[i] >= hi[i] - 1e-9 * max(1, budget)),
        })

    # ---- model table and fit quality
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
    y = data.y
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

    # ---- response curves (weekly)
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

    # ---- pacing
    timeline, phases = pacing(dict(zip(data.channels, spend)), float(spend.sum()), plan_start, weeks, p["template"])
    for ph in phases:
        ph["label"] = t(f"promotions.phase.{ph['phase']}", lang)
    even_tl, _ = pacing(dict(zip(data.channels, spend)), float(spend.sum()), plan_start, weeks, "even")
    paced, even = _paced_outcome(fit, timeline, weeks), _paced_outcome(fit, even_tl, weeks)
    pacing_info = {"template": p["template"], "start": plan_start, "days": weeks * 7, "phases": phases,
                   "paced_outcome": paced, "even_outcome": even,
                   "pacing_cost": (paced / even - 1) if even > 0 else None}

    # ---- incentive economics
    incentive = None
    if p["incentive"] != "none":
        orders = (frames or {}).get("orders")
        aov, base_orders, elig = p.get("aov"), p.get("base_orders"), None
        if orders is not None and not orders.empty:
            vals = _order_values(filter_dates(orders, "order_date", p.get("start"), p.get("end")))
            if len(vals):
                o = orders.loc[orders["order_date"].notna()]
                n_weeks_o = max((o["order_date"].max() - o["order_date"].min()).days / 7.0, 1.0)
                aov = aov if aov is not None else float(vals.mean())
                base_orders = base_orders if base_orders is not None else float(len(vals) / n_weeks_o * weeks)
                thr = p["min_spend"] if p["incentive"] == "coupon" else p["threshold"] if p["incentive"] == "threshold" else None
                if thr is not None:
                    elig = float((vals >= thr).mean())
        if aov is None or base_orders is None or aov <= 0:
            warnings.append(t("promotions.warning.incentive_needs", lang))
        else:
            incentive = incentive_economics(
                p["incentive"], aov=float(aov), orders=float(base_orders), margin=float(p["margin"]),
                redemption=float(p["redemption"]), face_value=float(p["face_value"]), min_spend=float(p["min_spend"]),
                threshold=float(p["threshold"]), off=float(p["off"]), points_per_unit=float(p["points_per_unit"]),
                point_value=float(p["point_value"]), eligible_share=elig)
            if incentive["break_even_uplift"] is None:
                findings.append(t("promotions.finding.incentive_never", lang))
            else:
                findings.append(t("promotions.finding.incentive", lang, kind=t(f"promotions.incentive.{p['incentive']}", lang),
                                  cost=fmt_money(incentive["cost"], lang), erosion=fmt_pct(incentive["margin_erosion"], lang),
                                  uplift=fmt_pct(incentive["break_even_uplift"], lang),
                                  orders=fmt_number(incentive["break_even_extra_orders"], lang)))

    # ---- risks and feasibility
    n_weeks = len(y)
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
        "ceiling_media": mmm.max_outcome(curves, weeks, hi), "baseline": baseline,
        "collinear_pairs": [{"a": a, "b": b, "r": r} for a, b, r in corr_pairs],
    }

    # ---- findings
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
        warnings.append(t("promotions.warning.no_season", lang, weeks=n_weeks))

    kpis = {"budget": total["spend"], "expected_outcome": media, "expected_total": total["expected_total"],
            "roi": total["roi"], "holdout_mape": hm, "holdout_r2": fit.holdout.get("r2")}
    if goal is not None:
        kpis["probability"] = goal.get("probability")
    return jsonable({
        "mode": mode, "allocation": allocation, "total": total, "goal": goal, "model": model, "fit": fit_info,
        "residuals": residuals, "contributions": contributions, "curves": curve_rows, "curves_meta": curves_meta,
        "timeline": timeline, "pacing": pacing_info, "incentive": incentive, "feasibility": feasibility,
        "risks": risks, "kpis": kpis, "findings": findings, "warnings": warnings,
    })


def collinear_pairs(X: np.ndarray, channels: list[str], limit: float = CORR_LIMIT) -> list[tuple[str, str, float]]:
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
    if not any(frames.get(k) is not None for k in ("media_mix", "channels")):
        raise NotEnoughData("promotions.error.no_data")
    fit = fitted(frames, params, lang)
    return plan(fit, params, lang, frames)


# ----------------------------------------------------------------------------- fit memo and page helpers

FIT_PARAMS = ("spend_cols", "control_cols", "n_boot", "seed", "start", "end")
PLAN_KIND = "promotion_plan"   # kind of the saved objects (cached.save_object) holding a saved plan
_FIT_MEMO: "OrderedDict[tuple, tuple]" = None  # type: ignore[assignment]
_FIT_MEMO_SIZE = 4
_FIT_LOCK = None


def _fit_frames(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The frames the model is fitted on: the media mix when selected, else channels (+ orders)."""
    if frames.get("media_mix") is not None and not frames["media_mix"].empty:
        return {"media_mix": frames["media_mix"]}
    return {k: frames[k] for k in ("channels", "orders") if frames.get(k) is not None}


def fit_key(params: dict) -> tuple:
    p = _defaults(params)
    out = []
    for k in FIT_PARAMS:
        v = p.get(k)
        out.append((k, tuple(v) if isinstance(v, list) else v))
    return tuple(out)


def fitted(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> mmm.MMMFit:
    """:func:`fit_model`, memoised per process on the fit parameters and the identity of the frames.

    The page's frames come from ``analytics.cached.frame`` (one shared object per dataset revision),
    so a new budget, target, bound, template or incentive re-plans on the same fit (< 1 s) instead of
    refitting; a new dataset revision is a new object and refits. Entries hold weak references to
    the frames, so the memo never keeps a dataset alive."""
    import threading
    import weakref
    from collections import OrderedDict

    global _FIT_MEMO, _FIT_LOCK
    if _FIT_MEMO is None:
        _FIT_MEMO, _FIT_LOCK = OrderedDict(), threading.Lock()
    used = _fit_frames(frames)
    key = (fit_key(params), tuple(sorted((k, id(f), len(f)) for k, f in used.items())))
    with _FIT_LOCK:
        hit = _FIT_MEMO.get(key)
        if hit is not None and all(hit[0].get(k) is not None and hit[0][k]() is f for k, f in used.items()):
            _FIT_MEMO.move_to_end(key)
            return hit[1]
    fit = fit_model(frames, params)
    try:
        refs = {k: weakref.ref(f) for k, f in used.items()}
    except TypeError:  # pragma: no cover - frames without weak references: do not memoise
        return fit
    with _FIT_LOCK:
        _FIT_MEMO[key] = (refs, fit)
        _FIT_MEMO.move_to_end(key)
        while len(_FIT_MEMO) > _FIT_MEMO_SIZE:
            _FIT_MEMO.popitem(last=False)
    return fit


def model_inputs(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """What the page needs before planning, without fitting: the channels the model will use, their
    recent and highest weekly spend, and the media-mix columns offered as spend / control columns."""
    p = _defaults(params)
    out: dict = {"source": None, "channels": [], "current_weekly_spend": [], "hist_max_weekly": [], "weeks": 0,
                 "last_date": None, "column_options": [], "default_spend_cols": [], "default_control_cols": []}
    mm_frame = frames.get("media_mix")
    if mm_frame is not None and not mm_frame.empty:
        cols = [str(c)[5:] for c in mm_frame.columns if str(c).startswith("attr_")]
        out["column_options"] = cols
        out["default_spend_cols"] = [str(c)[5:] for c in mmm.default_spend_cols(mm_frame.columns)]
        out["default_control_cols"] = [str(c)[5:] for c in mmm.default_control_cols(mm_frame.columns)]
    try:
        data = load_model_data(frames, p)
    except NotEnoughData:
        return jsonable(out)
    n = len(data.y)
    recent = data.X[-min(RECENT_WEEKS, n):] if n else data.X
    out.update({"source": data.source, "channels": list(data.channels),
                "current_weekly_spend": recent.mean(axis=0).tolist() if n else [],
                "hist_max_weekly": data.X.max(axis=0).tolist() if n else [], "weeks": n,
                "last_date": data.dates[-1] if n else None})
    return jsonable(out)


def plan_payload(result: dict, params: dict, *, query: dict | None = None, datasets: list | None = None) -> dict:
    """The saved form of a plan (kind :data:`PLAN_KIND`): what post-campaign evaluation compares with
    actuals. Holds params, total {spend, expected_outcome, lower, upper, ...}, allocation, plan_start, weeks."""
    tot = result.get("total") or {}
    pac = result.get("pacing") or {}
    return jsonable({
        "params": {k: v for k, v in (params or {}).items()},
        "query": dict(query or {}),
        "datasets": list(datasets or []),
        "mode": result.get("mode"),
        "goal": result.get("goal"),
        "total": tot,
        "allocation": [{k: r.get(k) for k in ("channel", "spend", "share", "expected_outcome", "lower", "upper",
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
    ``plans``: saved objects ({"id", "name", "payload"})."""
    names = [f"#{p['id']} {p['name']}" for p in plans]
    rows: list[dict] = []

    def row(label: str, values: list) -> None:
        rows.append({t("promotions.compare.measure", lang): label, **dict(zip(names, values))})

    tots = [(p.get("payload") or {}).get("total") or {} for p in plans]
    for key in ("spend", "expected_outcome", "lower", "upper", "roi"):
        row(t(f"promotions.compare.{key}", lang), [tt.get(key) for tt in tots])
    row(t("promotions.compare.weeks", lang), [(p.get("payload") or {}).get("weeks") for p in plans])
    row(t("promotions.compare.plan_start", lang), [(p.get("payload") or {}).get("plan_start") for p in plans])
    channels: list[str] = []
    for p in plans:
        for a in (p.get("payload") or {}).get("allocation") or []:
            if a.get("channel") not in channels:
                channels.append(a.get("channel"))
    for c in channels:
        vals = []
        for p in plans:
            a = next((x for x in (p.get("payload") or {}).get("allocation") or [] if x.get("channel") == c), None)
            vals.append(a.get("spend") if a else None)
        row(t("promotions.compare.channel_spend", lang, channel=c), vals)
    return jsonable(rows)


# ----------------------------------------------------------------------------- figures


def figures(result: dict, lang: str = "en") -> list[dict]:
    import plotly.graph_objects as go

    out: list[dict] = []
    alloc = result.get("allocation") or []
    tot = result.get("total") or {}
    if alloc:
        top = max(alloc, key=lambda r: r["spend"] or 0)
        title = t("promotions.fig.allocation", lang, channel=top["channel"], share=fmt_pct(top.get("share"), lang),
                  out=fmt_number(tot.get("expected_outcome"), lang))
        fig = go.Figure()
        fig.add_trace(go.Bar(name=t("promotions.label.spend", lang), x=[r["channel"] for r in alloc],
                             y=[r["spend"] for r in alloc], marker_color="#1f77b4"))
        fig.add_trace(go.Bar(name=t("promotions.label.expected_outcome", lang), x=[r["channel"] for r in alloc],
                             y=[r["expected_outcome"] for r in alloc], marker_color="#2ca02c",
                             error_y={"type": "data", "symmetric": False,
                                      "array": [(r["upper"] - r["expected_outcome"]) if r["upper"] is not None else 0 for r in alloc],
                                      "arrayminus": [(r["expected_outcome"] - r["lower"]) if r["lower"] is not None else 0 for r in alloc]},
                             yaxis="y2"))
        fig.update_layout(title=title, barmode="group", height=380,
                          yaxis={"title": t("promotions.label.spend", lang)},
                          yaxis2={"title": t("promotions.label.expected_outcome", lang), "overlaying": "y", "side": "right"})
        out.append({"key": "allocation", "title": title, "figure": fig})
    curves = result.get("curves") or []
    meta = {m["channel"]: m for m in result.get("curves_meta") or []}
    if curves:
        best = max(alloc, key=lambda r: r["marginal_roi"] or 0) if alloc else None
        title = t("promotions.fig.curves", lang, channel=best["channel"] if best else "—",
                  m=fmt_number(best["marginal_roi"], lang, 2) if best else "—")
        fig = go.Figure()
        df = pd.DataFrame(curves)
        for i, (c, g) in enumerate(df.groupby("channel", sort=False)):
            color = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"][i % 6]
            fig.add_trace(go.Scatter(x=g["weekly_spend"], y=g["weekly_outcome"], name=c, line={"color": color}))
            if g["upper"].notna().any():
                fig.add_trace(go.Scatter(x=list(g["weekly_spend"]) + list(g["weekly_spend"])[::-1],
                                         y=list(g["upper"]) + list(g["lower"])[::-1], fill="toself", opacity=0.15,
                                         line={"width": 0, "color": color}, showlegend=False, hoverinfo="skip"))
            m = meta.get(c)
            if m:
                for key, sym in (("current_weekly_spend", "circle"), ("planned_weekly_spend", "star")):
                    x = m[key]
                    yv = np.interp(x, g["weekly_spend"], g["weekly_outcome"])
                    fig.add_trace(go.Scatter(x=[x], y=[yv], mode="markers", marker={"symbol": sym, "size": 12, "color": color},
                                             name=f"{c}: {t('promotions.label.' + key, lang)}"))
        fig.update_layout(title=title, height=420, xaxis_title=t("promotions.label.weekly_spend", lang),
                          yaxis_title=t("promotions.label.weekly_outcome", lang))
        out.append({"key": "curves", "title": title, "figure": fig})
    contrib = result.get("contributions") or []
    model = result.get("model") or []
    if contrib and model:
        lead = max(model, key=lambda r: r["contribution_share"] or 0)
        title = t("promotions.fig.contributions", lang, channel=lead["channel"],
                  share=fmt_pct(lead["contribution_share"], lang))
        df = pd.DataFrame(contrib)
        fig = go.Figure()
        for comp, g in df.groupby("component", sort=False):
            fig.add_trace(go.Scatter(x=g["date"], y=g["value"], stackgroup="one", name=t("promotions.label.baseline", lang)
                                     if comp == "baseline" else t("promotions.label.controls", lang) if comp == "controls" else comp))
        fig.update_layout(title=title, height=380)
        out.append({"key": "contributions", "title": title, "figure": fig})
    resid = result.get("residuals") or []
    fit = result.get("fit") or {}
    if resid:
        title = t("promotions.fig.fit", lang, mape=fmt_pct(fit.get("holdout_mape"), lang),
                  r2=f"{fit['holdout_r2']:.2f}" if fit.get("holdout_r2") is not None else "—")
        df = pd.DataFrame(resid)
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=df["date"], y=df["actual"], name=t("promotions.label.actual", lang), mode="lines"))
        fig.add_trace(go.Scatter(x=df["date"], y=df["fitted"], name=t("promotions.label.fitted", lang), mode="lines"))
        fig.add_trace(go.Bar(x=df["date"], y=df["residual"], name=t("promotions.label.residual", lang), opacity=0.4))
        if fit.get("holdout_start"):
            fig.add_vline(x=pd.Timestamp(fit["holdout_start"]).timestamp() * 1000, line_dash="dot")
        fig.update_layout(title=title, height=380)
        out.append({"key": "fit", "title": title, "figure": fig})
    tl = result.get("timeline") or []
    pac = result.get("pacing") or {}
    if tl:
        ph = pac.get("phases") or []
        burst = next((x for x in ph if x["phase"] == "burst"), None)
        title = t("promotions.fig.timeline", lang, share=fmt_pct(burst["budget_share"] if burst else None, lang, 0),
                  days=burst["days"] if burst else "—", start=str(burst["start"]) if burst else "—")
        df = pd.DataFrame(tl)
        fig = go.Figure()
        for c, g in df.groupby("channel", sort=False):
            fig.add_trace(go.Bar(x=g["date"], y=g["spend"], name=c))
        for x in ph:
            fig.add_annotation(x=str(x["start"]), y=1.02, yref="paper", text=x.get("label", x["phase"]), showarrow=False,
                               xanchor="left")
        fig.update_layout(title=title, barmode="stack", height=360, yaxis_title=t("promotions.label.spend", lang))
        out.append({"key": "timeline", "title": title, "figure": fig})
    return out


def fit_ready(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """Fit (or reuse) the response model for the fit parameters and return a small summary; the page calls
    it through ``cached.page_call`` with only the fit parameters, under its own progress message."""
    fit = fitted(frames, params, lang)
    return jsonable({"channels": list(fit.data.channels), "weeks": len(fit.data.y), "source": fit.data.source,
                     "fit_seconds": fit.fit_seconds, "holdout_mape": fit.holdout.get("mape")})
