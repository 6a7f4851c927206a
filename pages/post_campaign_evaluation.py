"""Post-campaign evaluation: did the campaign work, for whom, and was it worth it (issue 7).

The decision memo and the key figures come first, then one tab per question: the randomised test
(control, split, outcomes, arms table, sample-ratio check, CUPED, power), segments, uplift (Qini and a
ranked target list), non-randomised campaigns (counterfactual with placebo), money (ROI, plan vs actual)
and feedback (ratings, NPS, comment terms). Every control is bound to the URL with the keys of
``analytics.evaluation.PARAMS``; numbers come from ``analytics.cached`` only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from analytics import cached
from analytics import evaluation as ev
from analytics.common import jsonable
from analytics.params import Param
from components import auth, page, state, ui
from components.i18n import fmt_money, fmt_number, fmt_pct, lang, tr

RATE = set(ev.RATE_OUTCOMES)


# ---------------------------------------------------------------- small helpers


def oname(o: str) -> str:
    return k.t(f"outcome.{o}")


def pfmt(p: Any) -> str:
    if p is None:
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def signed_money(x: Any) -> str:
    if x is None:
        return "—"
    return ("+" if x >= 0 else "-") + fmt_money(abs(x), lang())


def effect_fmt(outcome: str, x: Any, signed: bool = True) -> str:
    if x is None:
        return "—"
    if outcome in RATE:
        return f"{x * 100:+.2f} pp" if signed else f"{x * 100:.2f} pp"
    return signed_money(x) if signed else fmt_money(x, lang())


def kpi_text(name: str, v: Any, result: dict) -> str:
    if v is None:
        return "—"
    if name == "units":
        return fmt_number(v, lang())
    if name in ("srm_p_value", "p_value_adjusted"):
        return pfmt(v)
    if name.startswith("lift_") and name != "lift_rel":
        return effect_fmt(name[5:], v)
    if name in ("lift_rel", "incremental_roi"):
        return fmt_pct(v, lang(), 1, signed=True)
    if name == "incremental_revenue":
        return signed_money(v)
    if name == "cf_effect":
        cf = result.get("counterfactual") or {}
        return signed_money(v) if cf.get("metric") == "revenue" else f"{v:+,.0f}"
    if name == "nps":
        return f"{v:+.0f}"
    if name == "rating_mean":
        return f"{v:.2f}"
    return fmt_number(v, lang(), 2)


def pct_small(x: Any) -> str:
    """A share with two decimals when it is under 1% (CUPED on a weak covariate narrows by 0.02%)."""
    if x is None:
        return "—"
    return fmt_pct(x, lang(), 2 if abs(x) < 0.01 else 1)


def metric(container: Any, name: str, value: str, help_name: str | None = None) -> None:
    container.metric(k.t(f"kpi.{name}"), value, help=k.help(help_name or name))


def show_figure(figs: dict[str, dict], key: str, fig: dict | None = None) -> None:
    f = fig or figs.get(key)
    if not f:
        return
    st.markdown(f"**{ui.md_escape(f.get('title', ''))}**")
    ui.figure(f, key=f"ev_fig_{key}")


def plan_label(obj: dict | None) -> str:
    if obj is None:
        return "—"
    return k.t("choice.plan", name=obj.get("name") or "", id=obj.get("id"), owner=obj.get("owner") or "—")


# ---------------------------------------------------------------- controls (all bound to the URL)

AUTO = ""  # the "automatic / all / none" choice: "" rather than None, which a selectbox shows as unselected


def optional_select(key: str, options: list, *, container: Any, auto_label: str, fmt: Any = str) -> Any:
    """A selectbox whose first choice means "not set" (the module's default); left out of the URL."""
    v = state.selectbox(k.param_label(key), [AUTO] + [o for o in options if o != AUTO], Param(key, "str", AUTO),
                        state_key=k.sk(key), help=k.param_help(key), container=container,
                        format_func=lambda v: auto_label if v == AUTO else fmt(v))
    return v or None


def general_controls(opts: dict) -> dict:
    out = {}
    with st.expander(tr("page.filters"), icon=":material/tune:"):
        c1, c2, c3, c4 = st.columns(4)
        out["alpha"] = state.number(k.param_label("alpha"), k.param("alpha"), state_key=k.sk("alpha"), help=k.param_help("alpha"), container=c1,
                                    step=0.01, fmt="%.3f")
        out["primary"] = optional_select("primary", opts["outcomes"] or list(ev.OUTCOMES), container=c2,
                                         auto_label=k.t("choice.auto"), fmt=oname)
        out["min_effect"] = state.number(k.param_label("min_effect"), k.param("min_effect"), state_key=k.sk("min_effect"),
                                         help=k.param_help("min_effect"), container=c3, step=0.01, fmt="%.2f")
        out["seed"] = state.number(k.param_label("seed"), k.param("seed"), state_key=k.sk("seed"), help=k.param_help("seed"), container=c4, step=1)
    return out


def test_controls(opts: dict) -> dict:
    out: dict[str, Any] = {}
    groups = opts["groups"]
    if not groups:
        return out
    c1, c2, c3 = st.columns(3)
    if len(groups) >= 2:
        guess = opts["control_guess"] or groups[0]
        out["control"] = state.selectbox(k.param_label("control"), groups, Param("control", "str", guess),
                                         state_key=k.sk("control"), help=k.param_help("control"), container=c1, always=True)
        c1.caption(ui.md_escape(k.t("ui.control_guess", control=guess, how=k.t(f"control_how.{opts['control_how']}"))))
    split = state.text(k.param_label("split"), k.param("split"), state_key=k.sk("split"), help=k.param_help("split"), container=c2)
    out["split"] = split.strip() or None
    c2.caption(ui.md_escape(k.t("ui.split_order", groups=" / ".join(groups), example=":".join("1" for _ in groups))))
    picked = state.multiselect(k.param_label("outcomes"), opts["outcomes"], k.param("outcomes"), state_key=k.sk("outcomes"),
                               help=k.param_help("outcomes"), container=c3, format_func=oname)
    out["outcomes"] = picked or None
    c3.caption(k.t("choice.outcomes_all"))
    return out


def segment_controls(opts: dict) -> dict:
    if not opts["groups"]:
        return {}
    c1, c2 = st.columns([2, 1])
    picked = state.multiselect(k.param_label("segment_by"), opts["attributes"], k.param("segment_by"), state_key=k.sk("segment_by"),
                               help=k.param_help("segment_by"), container=c1)
    n = state.number(k.param_label("min_segment_n"), k.param("min_segment_n"), state_key=k.sk("min_segment_n"),
                     help=k.param_help("min_segment_n"), container=c2, step=10)
    return {"segment_by": picked or None, "min_segment_n": n}


def uplift_controls(opts: dict) -> dict:
    if not opts["groups"]:
        return {}
    c1, c2, c3 = st.columns(3)
    o = optional_select("uplift_outcome", opts["rate_outcomes"], container=c1, auto_label=k.t("choice.auto"), fmt=oname)
    n = state.number(k.param_label("uplift_sample"), k.param("uplift_sample"), state_key=k.sk("uplift_sample"),
                     help=k.param_help("uplift_sample"), container=c2, step=10_000)
    top = state.number(k.param_label("export_n"), k.param("export_n"), state_key=k.sk("export_n"),
                       help=k.param_help("export_n"), container=c3, step=100)
    return {"uplift_outcome": o, "uplift_sample": n, "export_n": top}


def cf_controls(opts: dict) -> dict:
    if not opts["cf_columns"] and not opts["date_min"]:
        return {}
    out: dict[str, Any] = {}
    default_by = opts["cf_default_by"]
    c1, c2, c3 = st.columns(3)
    by = optional_select("cf_by", opts["cf_columns"], container=c1,
                         auto_label=k.t("choice.auto_value", value=default_by) if default_by else k.t("choice.auto"))
    out["cf_by"] = by
    values = opts["cf_values"].get(by or default_by or "", [])
    out["cf_treated"] = optional_select("cf_treated", values, container=c2, auto_label=k.t("choice.auto_tags"))
    out["cf_metric"] = state.selectbox(k.param_label("cf_metric"), list(k.param("cf_metric").choices), k.param("cf_metric"),
                                       state_key=k.sk("cf_metric"), help=k.param_help("cf_metric"), container=c3,
                                       format_func=lambda v: k.t(f"choice.cf_metric.{v}"))
    d1, d2, d3 = st.columns(3)
    lo = date.fromisoformat(opts["date_min"]) if opts["date_min"] else None
    hi = date.fromisoformat(opts["date_max"]) if opts["date_max"] else None
    out["campaign_start"] = state.date_value(k.param_label("campaign_start"), k.param("campaign_start"), state_key=k.sk("campaign_start"),
                                             help=k.param_help("campaign_start"), container=d1, min_value=lo, max_value=hi)
    out["campaign_end"] = state.date_value(k.param_label("campaign_end"), k.param("campaign_end"), state_key=k.sk("campaign_end"),
                                           help=k.param_help("campaign_end"), container=d2, min_value=lo, max_value=hi)
    out["cf_grain"] = state.selectbox(k.param_label("cf_grain"), list(k.param("cf_grain").choices), k.param("cf_grain"),
                                      state_key=k.sk("cf_grain"), help=k.param_help("cf_grain"), container=d3,
                                      format_func=lambda v: k.t(f"choice.cf_grain.{v}"))
    return out


def money_controls() -> dict:
    out: dict[str, Any] = {}
    c1, c2, c3 = st.columns(3)
    out["campaign_cost"] = state.number(k.param_label("campaign_cost"), k.param("campaign_cost"), state_key=k.sk("campaign_cost"),
                                        help=k.param_help("campaign_cost"), container=c1, step=100.0, fmt="%.2f")
    out["incentive_cost"] = state.number(k.param_label("incentive_cost"), k.param("incentive_cost"), state_key=k.sk("incentive_cost"),
                                         help=k.param_help("incentive_cost"), container=c2, step=1.0, fmt="%.2f")
    plans = cached.list_objects("plan")
    by_id = {str(p["id"]): p for p in plans}
    plan_id = optional_select("plan_id", list(by_id), container=c3, auto_label=k.t("choice.no_plan"),
                              fmt=lambda v: plan_label(by_id.get(v)))
    out["plan_id"] = plan_id
    spend, outcome = ev.plan_figures(by_id[plan_id].get("payload")) if plan_id in by_id else (None, None)
    out["plan_spend"], out["plan_outcome"] = spend, outcome
    if not plans:
        c3.caption(k.t("ui.plan_none"))
    elif plan_id in by_id:
        if spend is None and outcome is None:
            c3.caption(k.t("ui.plan_empty"))
        else:
            c3.caption(k.t("ui.plan_values", spend=fmt_money(spend, lang()), outcome=fmt_money(outcome, lang())))
    return out


def feedback_controls(opts: dict) -> dict:
    if not opts["feedback_campaigns"]:
        return {}
    c1, _ = st.columns([1, 2])
    v = optional_select("feedback_campaign", opts["feedback_campaigns"], container=c1,
                        auto_label=k.t("choice.all_campaigns"))
    return {"feedback_campaign": v}


# ---------------------------------------------------------------- result sections


def memo_section(result: dict, ctx: page.PageContext, params: dict) -> None:
    memo = result.get("memo") or {}
    with st.container(border=True):
        st.subheader(k.t("ui.memo"))
        rec = memo.get("recommendation")
        if rec:
            box = {"scale_up": st.success, "iterate": st.warning, "stop": st.error}.get(rec, st.info)
            box(ui.md_escape(memo.get("headline") or k.t(f"label.{rec}")), icon=":material/gavel:")
        else:
            st.info(k.t("ui.memo_none"))
        if memo.get("effect"):
            st.markdown(ui.md_escape(memo["effect"]))
        for c in memo.get("checks") or []:
            st.markdown("- " + ui.md_escape(c))
        if memo.get("reason"):
            st.markdown("**" + ui.md_escape(memo["reason"]) + "**")
        if st.button(k.t("ui.save"), key="ev_save", icon=":material/save:") and auth.require("save"):
            name = " · ".join(x for x in (tr(f"nav.{k.url_path}"), memo.get("arm") or "", date.today().isoformat()) if x)
            payload = {"page": k.url_path, "datasets": ctx.infos, "params": jsonable(params), "memo": memo,
                       "kpis": result.get("kpis"), "query": {k: st.query_params.get_all(k) for k in st.query_params}}
            oid = ui.write(cached.save_object, "evaluation", name, ctx.user.get("username", ""), payload)
            if oid is not None:
                st.success(ui.md_escape(k.t("ui.saved", id=oid, name=name)))


def kpi_section(result: dict) -> None:
    kpis = {k: v for k, v in (result.get("kpis") or {}).items() if not isinstance(v, (dict, list))}
    items = list(kpis.items())
    for i in range(0, len(items), 4):
        cols = st.columns(4)
        for col, (name, v) in zip(cols, items[i : i + 4]):
            metric(col, name, kpi_text(name, v, result))


def test_section(result: dict, figs: dict, opts: dict, has_exp: bool) -> None:
    if not has_exp:
        ui.empty_state("experiments")
        return
    if not result.get("arms"):
        st.info(k.say("ui.exp_failed", reason=" ".join(result.get("warnings") or [])[:400] or "—"))
        return
    outcomes = result.get("outcomes") or []
    st.markdown(f"**{k.t('ui.groups')}**")
    gcols = ["group", "n"]
    labels = {}
    rows = []
    for r in result.get("group_table") or []:
        row = {"group": r["group"] + (" ★" if r.get("is_control") else ""), "n": r["n"]}
        for o in outcomes:
            row[o], row[o + "_ci_low"], row[o + "_ci_high"] = r.get(o), r.get(o + "_ci_low"), r.get(o + "_ci_high")
        rows.append(row)
    for o in outcomes:
        gcols += [o, o + "_ci_low", o + "_ci_high"]
        labels[o] = oname(o)
        labels[o + "_ci_low"] = f"{oname(o)} · {k.col('ci_low')}"
        labels[o + "_ci_high"] = f"{oname(o)} · {k.col('ci_high')}"
    if rows:
        df = pd.DataFrame.from_records(rows)[gcols]
        config = {labels[c]: st.column_config.NumberColumn(format="%.6f") for c in gcols if c in labels}
        df.columns = [labels.get(c, k.col(c)) for c in gcols]
        ui.table(df, key="ev_groups", file_name=f"prism_{k.url_path}_groups", column_config=config)

    st.markdown(f"**{k.t('label.arms')}**")
    v.table("comparisons", key="arms")
    st.caption(k.say("ui.arms_caption", control=result["control"], k=len(result.get("comparisons") or [])))
    show_figure(figs, "lift")

    c1, c2 = st.columns(2)
    with c1.container(border=True):
        srm_card(result)
    with c2.container(border=True):
        cuped_card(result, opts)
    with st.container(border=True):
        power_card(result)


def srm_card(result: dict) -> None:
    srm = result.get("srm") or {}
    st.markdown(f"**{k.t('label.srm')}**")
    st.metric(k.t("kpi.srm_p_value"), pfmt(srm.get("p_value")), help=k.help("srm_p_value"))
    if srm.get("failed") and not srm.get("split_given", True):
        st.warning(k.say("ui.srm_fail_assumed", p=pfmt(srm.get("p_value")), split=srm.get("suggested_split")),
                   icon=":material/warning:")
    elif srm.get("failed"):
        st.error(k.t("ui.srm_fail", p=pfmt(srm.get("p_value"))), icon=":material/error:")
    else:
        st.success(k.t("ui.srm_pass", p=pfmt(srm.get("p_value"))), icon=":material/check_circle:")
    v.table("srm.rows", srm.get("rows"), key="srm")
    if srm.get("split_given"):
        st.caption(ui.md_escape(k.t("ui.srm_split", split=":".join(f"{w:g}" for w in srm.get("weights") or []))))
    else:
        st.caption(k.t("ui.srm_equal"))


def cuped_card(result: dict, opts: dict) -> None:
    st.markdown(f"**{k.t('label.cuped')}**")
    rows = result.get("cuped") or []
    if not rows:
        st.info(k.t("ui.cuped_none"))
        return
    memo = result.get("memo") or {}
    main = next((c for c in rows if c["group"] == memo.get("arm") and c["outcome"] == memo.get("outcome")), rows[0])
    st.metric(k.t("kpi.cuped"), pct_small(main["narrower_by"]), help=k.help("cuped"))
    for c in rows:
        if c["outcome"] == main["outcome"]:
            st.markdown("- " + ui.md_escape(k.t(
                "ui.cuped_line", group=c["group"], outcome=oname(c["outcome"]),
                before=effect_fmt(c["outcome"], c["ci_width_before"], signed=False),
                after=effect_fmt(c["outcome"], c["ci_width_after"], signed=False),
                pct=pct_small(c["narrower_by"]))))
    v.table("cuped", rows)


def power_card(result: dict) -> None:
    st.markdown(f"**{k.t('label.power')}**")
    alpha = result.get("alpha", 0.05)
    eff = st.session_state.get(k.sk("min_effect"), k.param("min_effect").default)
    st.caption(k.say("ui.power_intro", alpha=f"{alpha:g}", effect=fmt_pct(eff, lang(), 0)))
    v.table("power")


def segments_section(result: dict, figs: dict) -> None:
    seg = result.get("segments")
    if not seg:
        st.info(k.t("ui.no_experiments"))
        return
    rows = seg.get("rows") or []
    if not rows:
        st.info(k.t("ui.segments_none"))
        return
    st.warning(k.t("warn.segments_noise", n=len(rows)), icon=":material/warning:")
    show_figure(figs, "segments")
    het = seg.get("heterogeneity") or []
    if het:
        st.markdown(f"**{k.t('ui.heterogeneity')}**")
        v.table("segments.heterogeneity", het, key='heterogeneity')
    st.markdown(f"**{k.t('ui.segment_rows')}**")
    v.table("segments.rows", rows, key="segments", height=360)


def uplift_section(result: dict, figs: dict) -> None:
    up = result.get("uplift")
    if result.get("segments") is None:
        st.info(k.t("ui.no_experiments"))
        return
    if not up:
        st.info(k.t("ui.uplift_none"))
        return
    if up.get("status") == "no_features":
        st.info(k.t("ui.uplift_no_features"))
        return
    if up.get("status") != "ok":
        st.info(ui.md_escape(k.t("ui.uplift_too_few", arm=up.get("arm", ""))))
        return
    c1, c2, c3 = st.columns(3)
    metric(c1, "qini_auc", f"{up['qini_auc']:.3f}")
    share = up.get("top30_share_of_incremental")
    metric(c2, "top30", fmt_pct(min(share, 9.99), lang(), 0) if share is not None else "—")
    metric(c3, "n_test", fmt_number(up["n_test"], lang()))
    st.caption(ui.md_escape(k.t("ui.uplift_caption", arm=up["arm"], control=up["control"], outcome=oname(up["outcome"]),
                               n_train=fmt_number(up["n_train"], lang()), n_test=fmt_number(up["n_test"], lang()))))
    show_figure(figs, "qini")
    st.markdown(f"**{k.t('ui.deciles')}**")
    v.table("uplift.deciles", up.get('deciles'), key='deciles')
    ranked = up.get("ranked") or []
    st.markdown(f"**{ui.md_escape(k.t('ui.ranked', arm=up['arm'], n=fmt_number(len(ranked), lang())))}**")
    st.caption(k.help("uplift_score") or "")
    v.table("uplift.ranked", ranked, key='targets', height=320)
    if up.get("features"):
        with st.expander(k.t("ui.features")):
            v.table("uplift.features", up['features'], key='features')


def cf_section(result: dict, figs: dict, opts: dict, has_orders: bool) -> None:
    if not has_orders:
        st.caption(k.t("ui.cf_no_orders"))
        ui.empty_state("orders")
        return
    cf = result.get("counterfactual") or {}
    status = cf.get("status")
    if status != "ok":
        msg = {"no_dimension": k.t("ui.cf_no_dimension"),
               "needs_params": k.t("ui.cf_needs_params", by=cf.get("by") or ""),
               "no_treated": k.t("ui.cf_no_treated", treated=cf.get("treated") or "")}.get(status, cf.get("reason") or "")
        st.info(ui.md_escape(msg), icon=":material/info:")
    else:
        if cf.get("guessed"):
            st.info(ui.md_escape(k.t("ui.cf_guessed", treated=cf["treated"], by=cf["by"], start=str(cf["start"])[:10],
                                   end=str(cf["end"])[:10])), icon=":material/auto_awesome:")
        money_like = cf.get("metric") == "revenue"
        fmtv = (lambda x: fmt_money(x, lang())) if money_like else (lambda x: fmt_number(x, lang()))
        c1, c2, c3, c4 = st.columns(4)
        metric(c1, "cf_effect", kpi_text("cf_effect", cf["effect"], result))
        c1.caption(f"{fmtv(cf['ci_low'])} … {fmtv(cf['ci_high'])}")
        metric(c2, "effect_rel", fmt_pct(cf.get("effect_rel"), lang(), 1, signed=True))
        metric(c3, "r2_pre", f"{cf['r2_pre']:.2f}")
        pl = cf.get("placebo") or {}
        metric(c4, "placebo", fmtv(pl["effect"]) if pl.get("effect") is not None else "—")
        show_figure(figs, "counterfactual")
        st.caption(ui.md_escape(k.t("ui.cf_controls", controls=", ".join(cf.get("controls") or []))))
        with st.container(border=True):
            st.markdown(f"**{k.t('label.placebo')}**")
            if pl.get("passed") is None:
                st.info(k.t("ui.placebo_na"))
            else:
                kw = {"date": str(pl.get("fake_start"))[:10], "lo": fmtv(pl["ci_low"]), "hi": fmtv(pl["ci_high"])}
                (st.success if pl["passed"] else st.error)(k.t(f"ui.placebo_{'pass' if pl['passed'] else 'fail'}", **kw))
        with st.container(border=True):
            st.markdown(f"**{k.t('label.assumptions')}**")
            for a in cf.get("assumptions") or []:
                st.markdown("- " + ui.md_escape(a))
        with st.expander(k.t("ui.series")):
            v.table("counterfactual.series", cf["series"], key="cf_series")
    camps = opts.get("campaigns") or []
    if camps:
        with st.expander(k.t("ui.campaigns")):
            v.table("campaigns", camps)


def money_section(result: dict) -> None:
    money = result.get("money")
    st.caption(k.t("ui.money_intro"))
    if not money:
        st.info(k.t("ui.money_none"))
        return
    arms = money.get("arms") or []
    tot = money.get("totals") or {}
    c1, c2, c3 = st.columns(3)
    metric(c1, "incremental_revenue", signed_money(tot.get("incremental_revenue")))
    metric(c2, "cost", fmt_money(tot.get("cost"), lang()), help_name="cost")
    metric(c3, "incremental_roi", fmt_pct(tot["roi"], lang(), 0, signed=True) if tot.get("roi") is not None else "—")
    v.table("money.arms", arms, key="money")
    plan = money.get("plan")
    if plan and plan.get("rows"):
        st.markdown(f"**{k.t('ui.plan_vs_actual')}**")
        v.table("money.plan.rows", plan["rows"], key="plan")


def feedback_section(result: dict, figs: dict, has_fb: bool) -> None:
    if not has_fb:
        st.caption(k.t("ui.fb_none"))
        ui.empty_state("feedback")
        return
    fb = result.get("feedback")
    if not fb:
        st.info(k.t("ui.fb_empty"))
        return
    c1, c2, c3, c4 = st.columns(4)
    nps = fb.get("nps")
    if nps:
        metric(c1, "nps", f"{nps['nps']:+.0f}")
        c1.caption(k.say("ui.nps_value", nps=f"{nps['nps']:+.0f}", lo=f"{nps['ci_low']:+.0f}", hi=f"{nps['ci_high']:+.0f}"))
        metric(c2, "nps_n", fmt_number(nps["n"], lang()))
    rm = fb.get("rating_mean")
    if rm:
        metric(c3, "rating_mean", f"{rm['mean']:.2f}")
        if rm.get("ci_low") is not None:
            c3.caption(ui.md_escape(f"{rm['ci_low']:.2f} … {rm['ci_high']:.2f}"))
    terms = fb.get("terms") or {}
    if terms:
        metric(c4, "comments", fmt_number(terms.get("n_comments"), lang()))
    f1, f2 = st.columns(2)
    with f1:
        show_figure(figs, "nps")
    with f2:
        if nps:  # figures() shows NPS when present; the rating distribution gets its own chart
            show_figure(figs, "ratings", ev.ratings_figure(result, lang()))
    if fb.get("ratings") or fb.get("nps_distribution"):
        with st.expander(k.t("ui.distribution")):
            d1, d2 = st.columns(2)
            with d1:
                v.table("feedback.ratings", fb.get("ratings"), key="ratings")
            with d2:
                v.table("feedback.nps_distribution", fb.get("nps_distribution"), key="nps_scores")
    if terms:
        show_figure(figs, "words")
        st.caption(k.t("ui.comments_caption", n=fmt_number(terms.get("n_comments"), lang()),
                     zh=fmt_number(terms.get("n_chinese"), lang())))
        by_lang = fb.get("terms_by_language") or {}
        for col, code in zip(st.columns(2), ("zh", "en")):
            part = by_lang.get(code) or {}
            with col:
                st.markdown(f"**{k.t(f'ui.lang_{code}', n=fmt_number(part.get('n_comments', 0), lang()))}**")
                if not part.get("words"):
                    st.caption(k.t("ui.lang_none"))
                    continue
                st.caption(k.t("ui.words"))
                v.table("terms", part.get('words'), key=f'words_{code}')
                st.caption(k.t("ui.phrases"))
                v.table("terms", part.get('phrases'), key=f'phrases_{code}')
    if fb.get("by_campaign"):
        st.markdown(f"**{k.t('ui.by_campaign')}**")
        v.table("feedback.by_campaign", fb['by_campaign'], key='by_campaign')


# ---------------------------------------------------------------- page


def main() -> None:
    page.header(k.url_path)
    page.require_kinds(k.url_path, ctx)  # datasets named in the link that no longer exist
    kinds = ctx.kinds()
    if not kinds & {"experiments", "orders", "feedback"}:
        st.info(k.t("ui.nothing"), icon=":material/fact_check:")
        for kind in ("experiments", "orders", "feedback"):
            ui.empty_state(kind)
        page.show_problems()
        return
    base = cached.freeze_params({"start": ctx.start, "end": ctx.end})
    with st.spinner(tr("page.computing", page=tr(f"nav.{k.url_path}")), show_time=True):
        opts = cached.page_call(k.url_path, "page_options", ctx.datasets, base, lang())

    top = st.container()
    params: dict[str, Any] = {p.key: p.default for p in k.module.PARAMS}
    params.update(general_controls(opts))
    names = ["test", "segments", "uplift", "nonrandom", "money", "feedback"]
    tabs = dict(zip(names, st.tabs([k.t(f"tab.{n}") for n in names])))
    with tabs["test"]:
        params.update(test_controls(opts))
    with tabs["segments"]:
        params.update(segment_controls(opts))
    with tabs["uplift"]:
        params.update(uplift_controls(opts))
    with tabs["nonrandom"]:
        st.caption(k.t("ui.cf_intro"))
        params.update(cf_controls(opts))
    with tabs["money"]:
        params.update(money_controls())
    with tabs["feedback"]:
        params.update(feedback_controls(opts))
    page.show_problems()

    result = None
    with top:
        result = v.result = page.compute(k.url_path, ctx, params)
        v.params = params
        if result is not None:
            memo_section(result, ctx, params)
            kpi_section(result)
            ui.warnings(result.get("warnings") or [])
            ui.findings(result.get("findings") or [])
    if result is not None:
        figs = v.figs
        with tabs["test"]:
            test_section(result, figs, opts, "experiments" in kinds)
        with tabs["segments"]:
            segments_section(result, figs)
        with tabs["uplift"]:
            uplift_section(result, figs)
        with tabs["nonrandom"]:
            cf_section(result, figs, opts, "orders" in kinds)
        with tabs["money"]:
            money_section(result)
        with tabs["feedback"]:
            feedback_section(result, figs, "feedback" in kinds)
        with st.expander(k.t("ui.methods"), icon=":material/science:"):
            for text in (result.get("methods") or {}).values():
                st.markdown("- " + ui.md_escape(text))
    page.footer(k.url_path, ctx, params, result)


ctx = page.context()
k = page.kit(ctx.url_path)
v = page.View(k, ctx, {}, None)
main()
