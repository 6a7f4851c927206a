"""Promotion planner: how much to spend, where and when, what an incentive costs, and how risky the plan is.
Model settings, plan settings (budget-first or goal-first, horizon, start, pacing), per-channel limits and
the incentive -> the fit (cached per dataset revision and model settings, so a new budget re-plans in well
under a second) -> key figures, feasibility and risks -> tabs (allocation, response curves, timeline, model,
calibration, acquisition ceiling, incentive; only the open one runs, named in the URL: ``tab=acquisition``)
-> saved plans (save, list, compare, open by link ``plan=ID``, delete own). Every setting lives in the URL;
numbers and tables come from analytics.promotions; saved plans from components/promotion_plans.py."""

from __future__ import annotations

from typing import Any

import streamlit as st

from analytics import cached
from analytics.params import Param
from components import acquisition_ceiling, ledger_list, page, promotion_plans as plans, ui
from components.i18n import fmt_list, fmt_number, fmt_pct, lang

PM = Param("pm", "str", "budget", choices=("budget", "goal"))
MODEL_KEYS = ("spend_cols", "control_cols", "n_boot", "seed")
INCENTIVE_FIELDS = {"none": (), "coupon": ("face_value", "min_spend"), "threshold": ("threshold", "off"),
                    "points": ("points_per_unit", "point_value")}
INCENTIVE_KEYS = ("face_value", "min_spend", "threshold", "off", "points_per_unit", "point_value", "redemption", "margin",
                  "aov", "base_orders")


def controls(k: page.Kit, options: Any, v: page.View) -> dict[str, Any]:
    """Model settings (the columns offered come from the data), plan settings, per-channel limits, incentive."""
    v.extra["opened"] = plans.open_saved_plan(k)
    pre = v.call("model_inputs", v.base)
    cols = pre.get("column_options") or []
    with st.expander(k.t("section.model"), expanded=False, icon=":material/model_training:"):
        model = page.param_widgets(k.url_path, [k.param(m) for m in MODEL_KEYS if m not in ("spend_cols", "control_cols") or cols],
                                   options={"spend_cols": cols, "control_cols": cols})
        for m, note in (("spend_cols", "model.auto_spend"), ("control_cols", "model.auto_controls")):
            if cols and not model.get(m):  # what the model uses when nothing is picked
                st.caption(ui.md_escape(k.t(note, cols=fmt_list(pre.get(f"default_{m}") or [], lang()) or "—")))
    model = {m: (model.get(m) or None) if m in ("spend_cols", "control_cols") else model.get(m, k.param(m).default)
             for m in MODEL_KEYS}
    inputs = v.call("model_inputs", {**v.base, **model})
    with st.container(border=True):
        st.markdown(f"**{k.t('section.plan')}**")
        mode = k.widget("pm", p=PM, radio=True, help=k.t("mode.help"))
        plan = page.param_widgets(k.url_path, [k.param(m) for m in ("budget", "target", "goal", "weeks", "plan_start", "template")],
                                  skip=("target", "goal") if mode == "budget" else ("budget",))
    with st.expander(k.t("section.bounds"), expanded=bool(st.query_params.get("bounds")), icon=":material/tune:"):
        plan["bounds"] = plans.bounds_editor(k, inputs.get("channels") or [], inputs.get("current_weekly_spend") or [],
                                             inputs.get("hist_max_weekly") or [], (inputs.get("channel_labels") or {}).get(lang()) or [])
    with st.expander(k.t("section.incentive"), expanded=st.query_params.get("incentive") not in (None, "none"), icon=":material/sell:"):
        kind = page.param_widgets(k.url_path, [k.param("incentive")])["incentive"]
        fields = INCENTIVE_FIELDS[kind] + ("redemption", "margin", "aov", "base_orders")
        inc = page.param_widgets(k.url_path, [k.param(f) for f in fields]) if kind != "none" else {}
    return {**model, **plan, "incentive": kind, **{f: inc.get(f, k.param(f).default) for f in INCENTIVE_KEYS}}


def fit_then_plan(view: page.View) -> dict | None:
    """The slow fit first, with its own message, then the plan (which re-plans from the cached fit)."""
    with st.spinner(view.kit.t("fitting"), show_time=True):
        cached.ensure_fit(view.url_path, view.ctx.datasets, page.result_key(view.ctx, view.params))
    return page.compute(view.url_path, view.ctx, view.params)


def feasibility() -> None:
    feas = v.get("feasibility") or {}
    with st.container(border=True):
        st.markdown(f"**{k.t('section.feasibility')}**")
        {"go": st.success, "caution": st.warning, "stop": st.error}.get(feas.get("verdict"), st.info)(ui.md_escape(feas.get("text") or ""))
        if not v.get("risks"):
            st.caption(k.t("label.no_risks"))
        for r in v.get("risks") or []:
            st.markdown((":red[:material/error:]" if r.get("level") == "high" else ":orange[:material/warning:]")
                        + f" **{k.t('risk.level.' + str(r.get('level')))}** · {ui.md_escape(r.get('text'))}")


def result_tabs() -> None:
    """The result's tabs; only the open one runs (Kit.draw_tabs): the acquisition ceiling fits the
    segmentation's CLV model over every order line, so a first render that does not open it never pays
    for it. A link with the ceiling's own margin opens on that tab."""
    fit, inc = v.get("fit") or {}, v.get("incentive")

    def allocation() -> None:
        v.figure("allocation")
        v.table("allocation")

    def timeline() -> None:
        v.figure("timeline")
        v.table("pacing.phases", (v.get("pacing") or {}).get("phases"), key="phases")

    def model() -> None:
        st.caption(ui.md_escape(k.t("label.fit_caption", weeks=fit.get("weeks"), start=str(fit.get("start"))[:10], end=str(fit.get("end"))[:10],
                                    source=k.t(f"source.{fit.get('source')}"), mape=fmt_pct(fit.get("holdout_mape"), lang()),
                                    hold=fit.get("holdout_weeks"), secs=fmt_number(fit.get("fit_seconds"), lang(), 1))))
        v.figure("contributions")
        v.figure("fit")
        v.table("model")

    def calibration() -> None:  # what the incrementality ledger did (the list of entries is below the tabs)
        if not v.get("calibration"):
            st.caption(k.t("label.no_calibration"))
        v.table("calibration")

    def incentive() -> None:
        if not inc:
            st.caption(k.t("label.incentive_none"))
        else:
            v.kpis({"incentive_cost": inc.get("cost"), "margin_erosion": inc.get("margin_erosion"),
                    "break_even_uplift": inc.get("break_even_uplift"), "break_even_extra_orders": inc.get("break_even_extra_orders")})

    k.draw_tabs({"allocation": allocation, "curves": lambda: v.figure("curves"), "timeline": timeline, "model": model,
                 "calibration": calibration, "acquisition": lambda: acquisition_ceiling.acquisition_tab(v),
                 "incentive": incentive}, implied_by={"ceiling_margin": "acquisition"})


# ------------------------------------------------------------------ page

v = page.frame(controls=controls, compute_with=fit_then_plan, stop=False)
k = v.kit
opened = v.extra.get("opened")
if opened is not None:
    plans.banner_or_forget(k, opened)
if v.result is not None:
    v.kpis()
    feasibility()
    ui.findings(v.get("findings") or [])
    result_tabs()
    v.data_behind("allocation", "model", "calibration")
ledger_list.ledger_panel(k.url_path)
st.divider()
plans.saved_plans(k, v.ctx, v.params if v.ready else None, v.result)
v.footer()
