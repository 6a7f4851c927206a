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

URL = "post-campaign-evaluation"
NS = "evaluation"
P = {p.key: p for p in ev.PARAMS}
RATE = set(ev.RATE_OUTCOMES)


# ---------------------------------------------------------------- small helpers


def T(key: str, **kw: Any) -> str:
    return tr(f"{NS}.{key}", **kw)


def S(key: str, **kw: Any) -> str:
    """The same text for Markdown (captions, warnings, help, labels): every value escaped."""
    return ui.say(f"{NS}.{key}", **kw)


def sk(key: str) -> str:
    return f"{URL}:{key}"


def lbl(key: str) -> str:
    return T(f"param.{key}")


def hlp(key: str) -> str:
    return T(f"help.{key}")


def oname(o: str) -> str:
    return T(f"outcome.{o}")


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


def definition(name: str) -> str | None:
    return ui.definition(NS, name)


def metric(container: Any, name: str, value: str, help_name: str | None = None) -> None:
    container.metric(T(f"kpi.{name}"), value, help=definition(help_name or name))


def col_label(c: str) -> str:
    k = f"{NS}.col.{c}"
    text = tr(k)
    return c if text == k else text


def show_table(rows: list[dict] | None, cols: list[str], *, key: str, fmt: dict[str, str] | None = None,
               transform: dict[str, Any] | None = None, height: int | None = None) -> None:
    """A result table with localised headers, number formats and a CSV download."""
    if not rows:
        return
    df = pd.DataFrame.from_records(rows)
    cols = [c for c in cols if c in df.columns]
    df = df[cols].copy()
    for c, fn in (transform or {}).items():
        if c in df.columns:
            df[c] = df[c].map(fn)
    config = {}
    for c, f in (fmt or {}).items():
        if c in df.columns:
            config[col_label(c)] = st.column_config.NumberColumn(format=f)
    df.columns = [col_label(c) for c in cols]
    ui.table(df, key=f"ev_{key}", file_name=f"prism_{URL}_{key}", column_config=config or None, height=height)


def show_figure(figs: dict[str, dict], key: str, fig: dict | None = None) -> None:
    f = fig or figs.get(key)
    if not f:
        return
    st.markdown(f"**{ui.md_escape(f.get('title', ''))}**")
    ui.figure(f, key=f"ev_fig_{key}")


def yes_no(v: Any) -> str:
    return T("ui.yes") if v else T("ui.no")


def plan_label(obj: dict | None) -> str:
    if obj is None:
        return "—"
    return T("choice.plan", name=obj.get("name") or "", id=obj.get("id"), owner=obj.get("owner") or "—")


# ---------------------------------------------------------------- controls (all bound to the URL)

AUTO = ""  # the "automatic / all / none" choice: "" rather than None, which a selectbox shows as unselected


def optional_select(key: str, options: list, *, container: Any, auto_label: str, fmt: Any = str) -> Any:
    """A selectbox whose first choice means "not set" (the module's default); left out of the URL."""
    v = state.selectbox(lbl(key), [AUTO] + [o for o in options if o != AUTO], Param(key, "str", AUTO),
                        state_key=sk(key), help=hlp(key), container=container,
                        format_func=lambda v: auto_label if v == AUTO else fmt(v))
    return v or None


def general_controls(opts: dict) -> dict:
    out = {}
    with st.expander(tr("page.filters"), icon=":material/tune:"):
        c1, c2, c3, c4 = st.columns(4)
        out["alpha"] = state.number(lbl("alpha"), P["alpha"], state_key=sk("alpha"), help=hlp("alpha"), container=c1,
                                    step=0.01, fmt="%.3f")
        out["primary"] = optional_select("primary", opts["outcomes"] or list(ev.OUTCOMES), container=c2,
                                         auto_label=T("choice.auto"), fmt=oname)
        out["min_effect"] = state.number(lbl("min_effect"), P["min_effect"], state_key=sk("min_effect"),
                                         help=hlp("min_effect"), container=c3, step=0.01, fmt="%.2f")
        out["seed"] = state.number(lbl("seed"), P["seed"], state_key=sk("seed"), help=hlp("seed"), container=c4, step=1)
    return out


def test_controls(opts: dict) -> dict:
    out: dict[str, Any] = {}
    groups = opts["groups"]
    if not groups:
        return out
    c1, c2, c3 = st.columns(3)
    if len(groups) >= 2:
        guess = opts["control_guess"] or groups[0]
        out["control"] = state.selectbox(lbl("control"), groups, Param("control", "str", guess),
                                         state_key=sk("control"), help=hlp("control"), container=c1, always=True)
        c1.caption(ui.md_escape(T("ui.control_guess", control=guess, how=T(f"control_how.{opts['control_how']}"))))
    split = state.text(lbl("split"), P["split"], state_key=sk("split"), help=hlp("split"), container=c2)
    out["split"] = split.strip() or None
    c2.caption(ui.md_escape(T("ui.split_order", groups=" / ".join(groups), example=":".join("1" for _ in groups))))
    picked = state.multiselect(lbl("outcomes"), opts["outcomes"], P["outcomes"], state_key=sk("outcomes"),
                               help=hlp("outcomes"), container=c3, format_func=oname)
    out["outcomes"] = picked or None
    c3.caption(T("choice.outcomes_all"))
    return out


def segment_controls(opts: dict) -> dict:
    if not opts["groups"]:
        return {}
    c1, c2 = st.columns([2, 1])
    picked = state.multiselect(lbl("segment_by"), opts["attributes"], P["segment_by"], state_key=sk("segment_by"),
                               help=hlp("segment_by"), container=c1)
    n = state.number(lbl("min_segment_n"), P["min_segment_n"], state_key=sk("min_segment_n"),
                     help=hlp("min_segment_n"), container=c2, step=10)
    return {"segment_by": picked or None, "min_segment_n": n}


def uplift_controls(opts: dict) -> dict:
    if not opts["groups"]:
        return {}
    c1, c2, c3 = st.columns(3)
    o = optional_select("uplift_outcome", opts["rate_outcomes"], container=c1, auto_label=T("choice.auto"), fmt=oname)
    n = state.number(lbl("uplift_sample"), P["uplift_sample"], state_key=sk("uplift_sample"),
                     help=hlp("uplift_sample"), container=c2, step=10_000)
    k = state.number(lbl("export_n"), P["export_n"], state_key=sk("export_n"), help=hlp("export_n"), container=c3,
                     step=100)
    return {"uplift_outcome": o, "uplift_sample": n, "export_n": k}


def cf_controls(opts: dict) -> dict:
    if not opts["cf_columns"] and not opts["date_min"]:
        return {}
    out: dict[str, Any] = {}
    default_by = opts["cf_default_by"]
    c1, c2, c3 = st.columns(3)
    by = optional_select("cf_by", opts["cf_columns"], container=c1,
                         auto_label=T("choice.auto_value", value=default_by) if default_by else T("choice.auto"))
    out["cf_by"] = by
    values = opts["cf_values"].get(by or default_by or "", [])
    out["cf_treated"] = optional_select("cf_treated", values, container=c2, auto_label=T("choice.auto_tags"))
    out["cf_metric"] = state.selectbox(lbl("cf_metric"), list(P["cf_metric"].choices), P["cf_metric"],
                                       state_key=sk("cf_metric"), help=hlp("cf_metric"), container=c3,
                                       format_func=lambda v: T(f"choice.cf_metric.{v}"))
    d1, d2, d3 = st.columns(3)
    lo = date.fromisoformat(opts["date_min"]) if opts["date_min"] else None
    hi = date.fromisoformat(opts["date_max"]) if opts["date_max"] else None
    out["campaign_start"] = state.date_value(lbl("campaign_start"), P["campaign_start"], state_key=sk("campaign_start"),
                                             help=hlp("campaign_start"), container=d1, min_value=lo, max_value=hi)
    out["campaign_end"] = state.date_value(lbl("campaign_end"), P["campaign_end"], state_key=sk("campaign_end"),
                                           help=hlp("campaign_end"), container=d2, min_value=lo, max_value=hi)
    out["cf_grain"] = state.selectbox(lbl("cf_grain"), list(P["cf_grain"].choices), P["cf_grain"],
                                      state_key=sk("cf_grain"), help=hlp("cf_grain"), container=d3,
                                      format_func=lambda v: T(f"choice.cf_grain.{v}"))
    return out


def money_controls() -> dict:
    out: dict[str, Any] = {}
    c1, c2, c3 = st.columns(3)
    out["campaign_cost"] = state.number(lbl("campaign_cost"), P["campaign_cost"], state_key=sk("campaign_cost"),
                                        help=hlp("campaign_cost"), container=c1, step=100.0, fmt="%.2f")
    out["incentive_cost"] = state.number(lbl("incentive_cost"), P["incentive_cost"], state_key=sk("incentive_cost"),
                                         help=hlp("incentive_cost"), container=c2, step=1.0, fmt="%.2f")
    plans = cached.list_objects("plan")
    by_id = {str(p["id"]): p for p in plans}
    plan_id = optional_select("plan_id", list(by_id), container=c3, auto_label=T("choice.no_plan"),
                              fmt=lambda v: plan_label(by_id.get(v)))
    out["plan_id"] = plan_id
    spend, outcome = ev.plan_figures(by_id[plan_id].get("payload")) if plan_id in by_id else (None, None)
    out["plan_spend"], out["plan_outcome"] = spend, outcome
    if not plans:
        c3.caption(T("ui.plan_none"))
    elif plan_id in by_id:
        if spend is None and outcome is None:
            c3.caption(T("ui.plan_empty"))
        else:
            c3.caption(T("ui.plan_values", spend=fmt_money(spend, lang()), outcome=fmt_money(outcome, lang())))
    return out


def feedback_controls(opts: dict) -> dict:
    if not opts["feedback_campaigns"]:
        return {}
    c1, _ = st.columns([1, 2])
    v = optional_select("feedback_campaign", opts["feedback_campaigns"], container=c1,
                        auto_label=T("choice.all_campaigns"))
    return {"feedback_campaign": v}


# ---------------------------------------------------------------- result sections


def memo_section(result: dict, ctx: page.PageContext, params: dict) -> None:
    memo = result.get("memo") or {}
    with st.container(border=True):
        st.subheader(T("ui.memo"))
        rec = memo.get("recommendation")
        if rec:
            box = {"scale_up": st.success, "iterate": st.warning, "stop": st.error}.get(rec, st.info)
            box(ui.md_escape(memo.get("headline") or T(f"label.{rec}")), icon=":material/gavel:")
        else:
            st.info(T("ui.memo_none"))
        if memo.get("effect"):
            st.markdown(ui.md_escape(memo["effect"]))
        for c in memo.get("checks") or []:
            st.markdown("- " + ui.md_escape(c))
        if memo.get("reason"):
            st.markdown("**" + ui.md_escape(memo["reason"]) + "**")
        if st.button(T("ui.save"), key="ev_save", icon=":material/save:") and auth.require("save"):
            name = " · ".join(x for x in (tr(f"nav.{URL}"), memo.get("arm") or "", date.today().isoformat()) if x)
            payload = {"page": URL, "datasets": ctx.infos, "params": jsonable(params), "memo": memo,
                       "kpis": result.get("kpis"), "query": {k: st.query_params.get_all(k) for k in st.query_params}}
            oid = ui.write(cached.save_object, "evaluation", name, ctx.user.get("username", ""), payload)
            if oid is not None:
                st.success(ui.md_escape(T("ui.saved", id=oid, name=name)))


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
        st.info(S("ui.exp_failed", reason=" ".join(result.get("warnings") or [])[:400] or "—"))
        return
    outcomes = result.get("outcomes") or []
    st.markdown(f"**{T('ui.groups')}**")
    gcols = ["group", "n"]
    fmt = {}
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
        labels[o + "_ci_low"] = f"{oname(o)} · {col_label('ci_low')}"
        labels[o + "_ci_high"] = f"{oname(o)} · {col_label('ci_high')}"
    if rows:
        df = pd.DataFrame.from_records(rows)[gcols]
        config = {labels[c]: st.column_config.NumberColumn(format="%.6f") for c in gcols if c in labels}
        df.columns = [labels.get(c, col_label(c)) for c in gcols]
        ui.table(df, key="ev_groups", file_name=f"prism_{URL}_groups", column_config=config)

    st.markdown(f"**{T('label.arms')}**")
    arm_rows = []
    for a in result["arms"]:
        for o, r in a["outcomes"].items():
            arm_rows.append({"group": a["group"], "outcome": oname(o), **{k: r.get(k) for k in (
                "n", "control_n", "value", "control_value", "lift_abs", "lift_rel", "ci_low", "ci_high", "p_value",
                "p_value_adjusted")}, "significant": yes_no(r.get("significant"))})
    six = "%.6f"
    show_table(arm_rows, ["group", "outcome", "n", "control_n", "value", "control_value", "lift_abs", "lift_rel",
                          "ci_low", "ci_high", "p_value", "p_value_adjusted", "significant"], key="arms",
               fmt={"value": six, "control_value": six, "lift_abs": six, "ci_low": six, "ci_high": six,
                    "lift_rel": "percent", "p_value": "%.3g", "p_value_adjusted": "%.3g", "n": "%d", "control_n": "%d"})
    st.caption(ui.md_escape(T("ui.arms_caption", control=result["control"], k=len(arm_rows))))
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
    st.markdown(f"**{T('label.srm')}**")
    st.metric(T("kpi.srm_p_value"), pfmt(srm.get("p_value")), help=definition("srm_p_value"))
    if srm.get("failed") and not srm.get("split_given", True):
        st.warning(S("ui.srm_fail_assumed", p=pfmt(srm.get("p_value")), split=srm.get("suggested_split")),
                   icon=":material/warning:")
    elif srm.get("failed"):
        st.error(T("ui.srm_fail", p=pfmt(srm.get("p_value"))), icon=":material/error:")
    else:
        st.success(T("ui.srm_pass", p=pfmt(srm.get("p_value"))), icon=":material/check_circle:")
    groups, obs, exp = srm.get("groups") or [], srm.get("observed") or [], srm.get("expected") or []
    tot = sum(obs) or 1
    rows = [{"group": g, "observed": o, "expected": e, "observed_share": o / tot, "expected_share": e / tot}
            for g, o, e in zip(groups, obs, exp)]
    show_table(rows, ["group", "observed", "expected", "observed_share", "expected_share"], key="srm",
               fmt={"observed": "%d", "expected": "%.1f", "observed_share": "percent", "expected_share": "percent"})
    if srm.get("split_given"):
        st.caption(ui.md_escape(T("ui.srm_split", split=":".join(f"{w:g}" for w in srm.get("weights") or []))))
    else:
        st.caption(T("ui.srm_equal"))


def cuped_card(result: dict, opts: dict) -> None:
    st.markdown(f"**{T('label.cuped')}**")
    rows = result.get("cuped") or []
    if not rows:
        st.info(T("ui.cuped_none"))
        return
    memo = result.get("memo") or {}
    main = next((c for c in rows if c["group"] == memo.get("arm") and c["outcome"] == memo.get("outcome")), rows[0])
    st.metric(T("kpi.cuped"), pct_small(main["narrower_by"]), help=definition("cuped"))
    for c in rows:
        if c["outcome"] == main["outcome"]:
            st.markdown("- " + ui.md_escape(T(
                "ui.cuped_line", group=c["group"], outcome=oname(c["outcome"]),
                before=effect_fmt(c["outcome"], c["ci_width_before"], signed=False),
                after=effect_fmt(c["outcome"], c["ci_width_after"], signed=False),
                pct=pct_small(c["narrower_by"]))))
    rows2 = [{**c, "outcome": oname(c["outcome"])} for c in rows]
    show_table(rows2, ["group", "outcome", "lift_abs_before", "lift_abs", "ci_low", "ci_high", "ci_width_before",
                       "ci_width_after", "narrower_by", "variance_reduction"], key="cuped",
               transform=None, fmt={"lift_abs_before": "%.6f", "lift_abs": "%.6f", "ci_low": "%.6f", "ci_high": "%.6f",
                                    "ci_width_before": "%.6f", "ci_width_after": "%.6f", "narrower_by": "percent",
                                    "variance_reduction": "percent"})


def power_card(result: dict) -> None:
    st.markdown(f"**{T('label.power')}**")
    alpha = result.get("alpha", 0.05)
    eff = st.session_state.get(sk("min_effect"), P["min_effect"].default)
    st.caption(S("ui.power_intro", alpha=f"{alpha:g}", effect=fmt_pct(eff, lang(), 0)))
    rows = [{**r, "outcome": oname(r["outcome"])} for r in result.get("power") or []]
    show_table(rows, ["group", "outcome", "n", "control_n", "mde_abs", "mde_rel", "power_min_effect"], key="power",
               fmt={"mde_abs": "%.6f", "mde_rel": "percent", "power_min_effect": "percent", "n": "%d",
                    "control_n": "%d"})


def segments_section(result: dict, figs: dict) -> None:
    seg = result.get("segments")
    if not seg:
        st.info(T("ui.no_experiments"))
        return
    rows = seg.get("rows") or []
    if not rows:
        st.info(T("ui.segments_none"))
        return
    st.warning(T("warn.segments_noise", n=len(rows)), icon=":material/warning:")
    show_figure(figs, "segments")
    het = [{**h, "outcome": oname(h["outcome"]), "flagged": yes_no(h.get("flagged"))} for h in seg.get("heterogeneity") or []]
    if het:
        st.markdown(f"**{T('ui.heterogeneity')}**")
        show_table(het, ["attribute", "group", "outcome", "q", "df", "p_value", "p_value_adjusted", "flagged"],
                   key="heterogeneity", fmt={"q": "%.2f", "p_value": "%.3g", "p_value_adjusted": "%.3g"})
    st.markdown(f"**{T('ui.segment_rows')}**")
    show_table([{**r, "outcome": oname(r["outcome"])} for r in rows],
               ["attribute", "segment", "group", "outcome", "n", "control_n", "value", "control_value", "lift_abs",
                "lift_rel", "ci_low", "ci_high", "p_value", "p_value_adjusted"], key="segments",
               fmt={"value": "%.4f", "control_value": "%.4f", "lift_abs": "%.4f", "ci_low": "%.4f", "ci_high": "%.4f",
                    "lift_rel": "percent", "p_value": "%.3g", "p_value_adjusted": "%.3g"}, height=360)


def uplift_section(result: dict, figs: dict) -> None:
    up = result.get("uplift")
    if result.get("segments") is None:
        st.info(T("ui.no_experiments"))
        return
    if not up:
        st.info(T("ui.uplift_none"))
        return
    if up.get("status") == "no_features":
        st.info(T("ui.uplift_no_features"))
        return
    if up.get("status") != "ok":
        st.info(ui.md_escape(T("ui.uplift_too_few", arm=up.get("arm", ""))))
        return
    c1, c2, c3 = st.columns(3)
    metric(c1, "qini_auc", f"{up['qini_auc']:.3f}")
    share = up.get("top30_share_of_incremental")
    metric(c2, "top30", fmt_pct(min(share, 9.99), lang(), 0) if share is not None else "—")
    metric(c3, "n_test", fmt_number(up["n_test"], lang()))
    st.caption(ui.md_escape(T("ui.uplift_caption", arm=up["arm"], control=up["control"], outcome=oname(up["outcome"]),
                               n_train=fmt_number(up["n_train"], lang()), n_test=fmt_number(up["n_test"], lang()))))
    show_figure(figs, "qini")
    st.markdown(f"**{T('ui.deciles')}**")
    show_table(up.get("deciles"), ["decile", "n_treated", "n_control", "rate_treated", "rate_control",
                                   "observed_uplift", "predicted_uplift"], key="deciles",
               fmt={"rate_treated": "percent", "rate_control": "percent", "observed_uplift": "%.4f",
                    "predicted_uplift": "%.4f"})
    ranked = up.get("ranked") or []
    st.markdown(f"**{ui.md_escape(T('ui.ranked', arm=up['arm'], n=fmt_number(len(ranked), lang())))}**")
    st.caption(definition("uplift_score") or "")
    show_table(ranked, ["rank", "unit_id", "group", "uplift_score"], key="targets", fmt={"uplift_score": "%.4f"},
               height=320)
    if up.get("features"):
        with st.expander(T("ui.features")):
            show_table(up["features"], ["feature", "treated", "control", "difference"], key="features",
                       fmt={"treated": "%.3f", "control": "%.3f", "difference": "%.3f"})


def cf_section(result: dict, figs: dict, opts: dict, has_orders: bool) -> None:
    if not has_orders:
        st.caption(T("ui.cf_no_orders"))
        ui.empty_state("orders")
        return
    cf = result.get("counterfactual") or {}
    status = cf.get("status")
    if status != "ok":
        msg = {"no_dimension": T("ui.cf_no_dimension"),
               "needs_params": T("ui.cf_needs_params", by=cf.get("by") or ""),
               "no_treated": T("ui.cf_no_treated", treated=cf.get("treated") or "")}.get(status, cf.get("reason") or "")
        st.info(ui.md_escape(msg), icon=":material/info:")
    else:
        if cf.get("guessed"):
            st.info(ui.md_escape(T("ui.cf_guessed", treated=cf["treated"], by=cf["by"], start=str(cf["start"])[:10],
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
        st.caption(ui.md_escape(T("ui.cf_controls", controls=", ".join(cf.get("controls") or []))))
        with st.container(border=True):
            st.markdown(f"**{T('label.placebo')}**")
            if pl.get("passed") is None:
                st.info(T("ui.placebo_na"))
            else:
                kw = {"date": str(pl.get("fake_start"))[:10], "lo": fmtv(pl["ci_low"]), "hi": fmtv(pl["ci_high"])}
                (st.success if pl["passed"] else st.error)(T(f"ui.placebo_{'pass' if pl['passed'] else 'fail'}", **kw))
        with st.container(border=True):
            st.markdown(f"**{T('label.assumptions')}**")
            for a in cf.get("assumptions") or []:
                st.markdown("- " + ui.md_escape(a))
        with st.expander(T("ui.series")):
            rows = [{**r, "date": str(r["date"])[:10], "campaign_period": yes_no(r["campaign"])} for r in cf["series"]]
            show_table(rows, ["date", "actual", "predicted", "lower", "upper", "campaign_period"], key="cf_series",
                       fmt={"actual": "%.2f", "predicted": "%.2f", "lower": "%.2f", "upper": "%.2f"})
    camps = opts.get("campaigns") or []
    if camps:
        with st.expander(T("ui.campaigns")):
            show_table(camps, ["campaign", "first_order", "last_order", "order_lines"], key="campaigns")


def money_section(result: dict) -> None:
    money = result.get("money")
    st.caption(T("ui.money_intro"))
    if not money:
        st.info(T("ui.money_none"))
        return
    arms = money.get("arms") or []
    inc = sum(r["incremental_revenue"] for r in arms)
    cost = sum(r["cost"] for r in arms)
    c1, c2, c3 = st.columns(3)
    metric(c1, "incremental_revenue", signed_money(inc))
    metric(c2, "cost", fmt_money(cost, lang()), help_name="cost")
    roi = (inc - cost) / cost if cost > 0 else None
    metric(c3, "incremental_roi", fmt_pct(roi, lang(), 0, signed=True) if roi is not None else "—")
    rows = [{**r, "source": T(f"source.{r['source']}")} for r in arms]
    show_table(rows, ["group", "source", "n", "revenue_lift_per_unit", "incremental_revenue", "ci_low", "ci_high",
                      "campaign_cost", "incentive_cost", "cost", "roi", "roi_ci_low", "roi_ci_high", "iroas",
                      "break_even_lift_per_unit"], key="money",
               fmt={"revenue_lift_per_unit": "%.4f", "incremental_revenue": "%.2f", "ci_low": "%.2f", "ci_high": "%.2f",
                    "campaign_cost": "%.2f", "incentive_cost": "%.2f", "cost": "%.2f", "roi": "percent",
                    "roi_ci_low": "percent", "roi_ci_high": "percent", "iroas": "%.2f",
                    "break_even_lift_per_unit": "%.4f"})
    plan = money.get("plan")
    if plan and plan.get("rows"):
        st.markdown(f"**{T('ui.plan_vs_actual')}**")
        rows = [{**r, "item": T(f"item.{r['item']}")} for r in plan["rows"]]
        show_table(rows, ["item", "plan", "actual", "diff", "diff_pct"], key="plan",
                   fmt={"plan": "%.2f", "actual": "%.2f", "diff": "%.2f", "diff_pct": "percent"})


def feedback_section(result: dict, figs: dict, has_fb: bool) -> None:
    if not has_fb:
        st.caption(T("ui.fb_none"))
        ui.empty_state("feedback")
        return
    fb = result.get("feedback")
    if not fb:
        st.info(T("ui.fb_empty"))
        return
    c1, c2, c3, c4 = st.columns(4)
    nps = fb.get("nps")
    if nps:
        metric(c1, "nps", f"{nps['nps']:+.0f}")
        c1.caption(S("ui.nps_value", nps=f"{nps['nps']:+.0f}", lo=f"{nps['ci_low']:+.0f}", hi=f"{nps['ci_high']:+.0f}"))
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
        with st.expander(T("ui.distribution")):
            d1, d2 = st.columns(2)
            with d1:
                show_table([{**r, "share_answers": r["share"]} for r in fb.get("ratings") or []],
                           ["rating", "count", "share_answers"], key="ratings", fmt={"share_answers": "percent"})
            with d2:
                show_table([{**r, "share_answers": r["share"]} for r in fb.get("nps_distribution") or []],
                           ["score", "count", "share_answers"], key="nps_scores", fmt={"share_answers": "percent"})
    if terms:
        show_figure(figs, "words")
        st.caption(T("ui.comments_caption", n=fmt_number(terms.get("n_comments"), lang()),
                     zh=fmt_number(terms.get("n_chinese"), lang())))
        by_lang = fb.get("terms_by_language") or {}
        for col, code in zip(st.columns(2), ("zh", "en")):
            part = by_lang.get(code) or {}
            with col:
                st.markdown(f"**{T(f'ui.lang_{code}', n=fmt_number(part.get('n_comments', 0), lang()))}**")
                if not part.get("words"):
                    st.caption(T("ui.lang_none"))
                    continue
                st.caption(T("ui.words"))
                show_table(part.get("words"), ["term", "count", "share"], key=f"words_{code}", fmt={"share": "percent"})
                st.caption(T("ui.phrases"))
                show_table(part.get("phrases"), ["term", "count", "share"], key=f"phrases_{code}",
                           fmt={"share": "percent"})
    if fb.get("by_campaign"):
        st.markdown(f"**{T('ui.by_campaign')}**")
        show_table(fb["by_campaign"], ["campaign", "n", "rating_mean", "n_rating", "nps", "nps_ci_low", "nps_ci_high",
                                       "n_nps", "top_words", "top_phrases"], key="by_campaign",
                   fmt={"rating_mean": "%.2f", "nps": "%.1f", "nps_ci_low": "%.1f", "nps_ci_high": "%.1f"})


# ---------------------------------------------------------------- page


def main() -> None:
    ctx = page.context()
    page.header(URL)
    page.require_kinds(URL, ctx)  # datasets named in the link that no longer exist
    kinds = ctx.kinds()
    if not kinds & {"experiments", "orders", "feedback"}:
        st.info(T("ui.nothing"), icon=":material/fact_check:")
        for kind in ("experiments", "orders", "feedback"):
            ui.empty_state(kind)
        page.show_problems()
        return
    base = cached.freeze_params({"start": ctx.start, "end": ctx.end})
    with st.spinner(tr("page.computing", page=tr(f"nav.{URL}")), show_time=True):
        opts = cached.page_call(URL, "page_options", ctx.datasets, base, lang())

    top = st.container()
    params: dict[str, Any] = {p.key: p.default for p in ev.PARAMS}
    params.update(general_controls(opts))
    names = ["test", "segments", "uplift", "nonrandom", "money", "feedback"]
    tabs = dict(zip(names, st.tabs([T(f"tab.{n}") for n in names])))
    with tabs["test"]:
        params.update(test_controls(opts))
    with tabs["segments"]:
        params.update(segment_controls(opts))
    with tabs["uplift"]:
        params.update(uplift_controls(opts))
    with tabs["nonrandom"]:
        st.caption(T("ui.cf_intro"))
        params.update(cf_controls(opts))
    with tabs["money"]:
        params.update(money_controls())
    with tabs["feedback"]:
        params.update(feedback_controls(opts))
    page.show_problems()

    result = None
    with top:
        result = page.compute(URL, ctx, params)
        if result is not None:
            memo_section(result, ctx, params)
            kpi_section(result)
            ui.warnings(result.get("warnings") or [])
            ui.findings(result.get("findings") or [])
    if result is not None:
        figs = page.figures(URL, ctx, params)
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
        with st.expander(T("ui.methods"), icon=":material/science:"):
            for k, v in (result.get("methods") or {}).items():
                st.markdown("- " + ui.md_escape(v))
    page.footer(URL, ctx, params, result)


main()
