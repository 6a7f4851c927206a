"""The plan on a fit, in one language: budget- or goal-first allocation, its totals and intervals, pacing,
calibration, incentive, risks, findings and warnings (:func:`plan`; :func:`present` on a :class:`PromotionFit`)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from analytics import mmm
from analytics.channel_names import display_names
from analytics.common import jsonable
from analytics.i18n import fmt_list, fmt_number, fmt_pct, t
from data import engine

from .base import RECENT_WEEKS, Z_HI, Z_LO, _defaults
from .bounds import _lifted, plan_bounds
from .calibration import calibration_block
from .diagnostics import fit_quality, model_table, response_curve_rows
from .fitting import PromotionFit
from .incentives import incentive_block
from .lines import order_values
from .risks import plan_risks
from .schedule import _paced_outcome, pacing


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
        warnings.append(t("promotions.warning.bad_bounds", lang, items=fmt_list(bad_bounds, lang)))
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
        warnings.append(t("promotions.warning.dropped", lang, cols=fmt_list(data.dropped, lang)))
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
