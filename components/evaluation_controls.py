"""The controls of the post-campaign evaluation page, each in the tab whose question it changes; every one
bound to the URL with the keys of ``analytics.evaluation.PARAMS`` (components.page.Kit.widget)."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from analytics import cached
from analytics import evaluation as ev
from analytics.params import Param
from components import ui
from components.i18n import fmt_money, lang, tr

TABS = ("test", "segments", "uplift", "nonrandom", "money", "feedback")
AUTO = ""  # the "automatic / all / none" choice: "" rather than None, which a selectbox shows as unselected


def optional(k: Any, key: str, options: list, container: Any, auto_label: str, fmt: Any = str) -> Any:
    """A selectbox whose first choice means "not set" (the module's default); left out of the URL."""
    v = k.widget(key, container, options=[AUTO] + [o for o in options if o != AUTO], p=Param(key, "str", AUTO),
                 fmt=lambda x: auto_label if x == AUTO else fmt(x))
    return v or None


def controls(k: Any, opts: dict, view: Any) -> dict[str, Any]:
    """All controls: the general ones in the "Filters" expander above the result, the others in their tabs."""
    out: dict[str, Any] = {p.key: p.default for p in k.module.PARAMS}
    oname = lambda o: k.t(f"outcome.{o}")  # noqa: E731
    groups = opts["groups"]
    with view.head, st.expander(tr("page.filters"), icon=":material/tune:"):
        c1, c2, c3, c4 = st.columns(4)
        out["alpha"] = k.widget("alpha", c1, step=0.01, number_format="%.3f")
        out["primary"] = optional(k, "primary", opts["outcomes"] or list(ev.OUTCOMES), c2, k.t("choice.auto"), oname)
        out["min_effect"] = k.widget("min_effect", c3, step=0.01, number_format="%.2f")
        out["seed"] = k.widget("seed", c4)
    if groups:
        with view.tabs["test"]:
            c1, c2, c3 = st.columns(3)
            if len(groups) >= 2:
                guess = opts["control_guess"] or groups[0]
                out["control"] = k.widget("control", c1, options=groups, p=Param("control", "str", guess), always=True)
                c1.caption(ui.md_escape(k.t("page.control_guess", control=guess, how=k.t(f"control_how.{opts['control_how']}"))))
            out["split"] = (k.widget("split", c2) or "").strip() or None
            c2.caption(ui.md_escape(k.t("page.split_order", groups=" / ".join(groups), example=":".join("1" for _ in groups))))
            out["outcomes"] = k.widget("outcomes", c3, options=opts["outcomes"], fmt=oname) or None
            c3.caption(k.t("choice.outcomes_all"))
        with view.tabs["segments"]:
            c1, c2 = st.columns([2, 1])
            out["segment_by"] = k.widget("segment_by", c1, options=opts["attributes"], fmt=str) or None
            out["min_segment_n"] = k.widget("min_segment_n", c2, step=10)
        with view.tabs["uplift"]:
            c1, c2, c3 = st.columns(3)
            out["uplift_outcome"] = optional(k, "uplift_outcome", opts["rate_outcomes"], c1, k.t("choice.auto"), oname)
            out["uplift_sample"] = k.widget("uplift_sample", c2, step=10_000)
            out["export_n"] = k.widget("export_n", c3, step=100)
    with view.tabs["nonrandom"]:
        st.caption(k.t("page.cf_intro"))
        if opts["cf_columns"] or opts["date_min"]:
            out.update(counterfactual(k, opts))
    with view.tabs["money"]:
        out.update(money(k))
    if opts["feedback_campaigns"]:
        with view.tabs["feedback"]:
            c1, _ = st.columns([1, 2])
            out["feedback_campaign"] = optional(k, "feedback_campaign", opts["feedback_campaigns"], c1, k.t("choice.all_campaigns"))
    return out


def counterfactual(k: Any, opts: dict) -> dict[str, Any]:
    """The treated slice of the orders and the campaign's dates (a non-randomised campaign)."""
    out: dict[str, Any] = {}
    default_by = opts["cf_default_by"]
    c1, c2, c3 = st.columns(3)
    out["cf_by"] = optional(k, "cf_by", opts["cf_columns"], c1,
                            k.t("choice.auto_value", value=default_by) if default_by else k.t("choice.auto"))
    values = opts["cf_values"].get(out["cf_by"] or default_by or "", [])
    out["cf_treated"] = optional(k, "cf_treated", values, c2, k.t("choice.auto_tags"))
    out["cf_metric"] = k.widget("cf_metric", c3, fmt=lambda x: k.t(f"choice.cf_metric.{x}"))
    d1, d2, d3 = st.columns(3)
    bounds = {"min_value": date.fromisoformat(opts["date_min"]) if opts["date_min"] else None,
              "max_value": date.fromisoformat(opts["date_max"]) if opts["date_max"] else None}
    out["campaign_start"] = k.widget("campaign_start", d1, **bounds)
    out["campaign_end"] = k.widget("campaign_end", d2, **bounds)
    out["cf_grain"] = k.widget("cf_grain", d3, fmt=lambda x: k.t(f"choice.cf_grain.{x}"))
    return out


def money(k: Any) -> dict[str, Any]:
    """The campaign's costs and the saved plan to compare with (its spend and expected outcome)."""
    out: dict[str, Any] = {}
    c1, c2, c3 = st.columns(3)
    out["campaign_cost"] = k.widget("campaign_cost", c1, step=100.0, number_format="%.2f")
    out["incentive_cost"] = k.widget("incentive_cost", c2, step=1.0, number_format="%.2f")
    plans = cached.list_objects("plan")
    by_id = {str(p["id"]): p for p in plans}

    def plan_label(i: str) -> str:
        o = by_id.get(i)
        return "—" if o is None else k.t("choice.plan", name=o.get("name") or "", id=o.get("id"), owner=o.get("owner") or "—")

    plan_id = out["plan_id"] = optional(k, "plan_id", list(by_id), c3, k.t("choice.no_plan"), plan_label)
    spend, outcome = ev.plan_figures(by_id[plan_id].get("payload")) if plan_id in by_id else (None, None)
    out["plan_spend"], out["plan_outcome"] = spend, outcome
    if not plans:
        c3.caption(k.t("page.plan_none"))
    elif plan_id in by_id:
        c3.caption(k.t("page.plan_empty") if spend is None and outcome is None else
                   k.t("page.plan_values", spend=fmt_money(spend, lang()), outcome=fmt_money(outcome, lang())))
    return out
