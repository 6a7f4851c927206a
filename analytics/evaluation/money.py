"""Money: incremental revenue, costs, incremental ROI and plan vs actual, from the presented test (revenue
lift per unit x units) or counterfactual (cumulative revenue effect). Costs and the plan are display
parameters: changing them never refits."""

from __future__ import annotations

import numpy as np

from analytics.i18n import t

from .base import NS


def _money(exp: dict | None, cf: dict | None, p: dict, lang: str, warn: list[str]) -> dict | None:
    camp, inc = float(p["campaign_cost"] or 0), float(p["incentive_cost"] or 0)
    cost_given = camp > 0 or inc > 0
    rows = []
    if exp and "revenue" in exp["outcomes"]:
        arms = exp["arms"]
        n_treated = sum(a["n"] for a in arms)
        for a in arms:
            r = a["outcomes"]["revenue"]
            n = a["n"]
            conv = exp["converters"].get(a["group"]) or 0.0
            cost = camp * n / n_treated + inc * conv
            rows.append(_money_row(a["group"], r["lift_abs"] * n, r["ci_low"] * n, r["ci_high"] * n, cost,
                                   camp * n / n_treated, inc * conv, n, r["lift_abs"], "experiment"))
        source = "experiment"
    elif cf and cf.get("status") == "ok" and cf.get("metric") == "revenue":
        cost_inc = inc * cf.get("campaign_orders", 0)
        rows.append(_money_row(cf["treated"], cf["effect"], cf["ci_low"], cf["ci_high"], camp + cost_inc, camp,
                               cost_inc, None, None, "counterfactual"))
        source = "counterfactual"
    else:
        return None
    total = None
    if len(rows) > 1:
        inc_rev = sum(r["incremental_revenue"] for r in rows)
        cost = sum(r["cost"] for r in rows)
        total = {"incremental_revenue": inc_rev, "cost": cost,
                 "roi": (inc_rev - cost) / cost if cost > 0 else None}
    plan = None
    if p.get("plan_spend") is not None or p.get("plan_outcome") is not None:
        actual_cost = sum(r["cost"] for r in rows)
        actual_out = sum(r["incremental_revenue"] for r in rows)
        plan = {"plan_id": p.get("plan_id"), "rows": []}
        for item, planned, actual in (("spend", p.get("plan_spend"), actual_cost),
                                      ("incremental_revenue", p.get("plan_outcome"), actual_out)):
            if planned is None:
                continue
            plan["rows"].append({"item": item, "plan": float(planned), "actual": actual, "diff": actual - planned,
                                 "diff_pct": (actual - planned) / planned if planned else None})
        ps, po = p.get("plan_spend"), p.get("plan_outcome")
        if ps and po is not None:
            plan["rows"].append({"item": "roi", "plan": (po - ps) / ps,
                                 "actual": (actual_out - actual_cost) / actual_cost if actual_cost > 0 else None,
                                 "diff": None, "diff_pct": None})
    if not cost_given:
        warn.append(t(f"{NS}.warning.no_cost", lang))
    return {"source": source, "cost_given": cost_given, "campaign_cost": camp, "incentive_cost": inc,
            "arms": rows, "total": total, "plan": plan}


def _money_row(group, inc_rev, lo, hi, cost, camp_share, incentive, n, lift_per_unit, source) -> dict:
    def roi(x):
        return (x - cost) / cost if cost > 0 else None

    return {"group": group, "source": source, "n": n, "revenue_lift_per_unit": lift_per_unit,
            "incremental_revenue": inc_rev, "ci_low": lo, "ci_high": hi, "campaign_cost": camp_share,
            "incentive_cost": incentive, "cost": cost, "roi": roi(inc_rev), "roi_ci_low": roi(lo),
            "roi_ci_high": roi(hi), "iroas": inc_rev / cost if cost > 0 else None,
            "break_even_lift_per_unit": cost / n if (n and cost > 0) else None}


def plan_figures(payload: dict | None) -> tuple[float | None, float | None]:
    """(planned spend, planned outcome) from a saved promotion plan's payload (``total.spend``,
    ``total.expected_outcome``); None for what the plan does not hold.

    Parameters
    ----------
    payload : dict | None
        A saved promotion plan's payload, or None.

    Returns
    -------
    tuple[float | None, float | None]
        Planned spend and planned outcome, each None when missing or not a finite number.
    """
    tot = (payload or {}).get("total") if isinstance(payload, dict) else None
    if not isinstance(tot, dict):
        return None, None

    def num(x):
        try:
            v = float(x)
        except (TypeError, ValueError):
            return None
        return v if np.isfinite(v) else None

    return num(tot.get("spend")), num(tot.get("expected_outcome"))
