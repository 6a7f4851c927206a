"""Segmentation explorer: who our customers are and what they are worth. Key figures above five tabs (RFM
groups, clusters, member tiers, cohorts, lifetime value and churn), each with its controls above its answer,
then the drill-down from any group to its customer list (exported as an audience file); with an audience
dataset (AIPL / O-5A stage counts) a sixth tab, components/audience_tab.py. Every number comes from
analytics.segmentation; tables from its TABLES. A customers file without orders has its own mode."""

from __future__ import annotations

from typing import Any

import streamlit as st

from analytics import segmentation as seg
from analytics.params import Param
from components import audience_tab, page, state, ui
from components.i18n import fmt_list, fmt_money, fmt_number, join_sentences, lang, tr

TABS = ("rfm", "clusters", "tiers", "cohorts", "clv")


def number_list(k: page.Kit, key: str, container: Any, expected: int | None = None,
                ascending: bool = True) -> list[float] | None:
    label = k.param_label(key)
    return state.number_list(label, Param(key, "str", None), state_key=k.sk(key), help=k.param_help(key),
                             container=container, expected=expected, ascending=ascending,
                             problem=lambda why: k.say("tiers.bad_list", label=label, value=st.session_state.get(k.sk(key)),
                                                       reason=k.t({"numbers": "tiers.not_numbers", "ascending": "tiers.not_ascending"}.get(why, "tiers.count"), n=expected)))


def number_series(values: list[float]) -> str:
    """Numbers in running text in the page language: ``890、2,800、7,800`` in Chinese, ``890 / 2,800 / 7,800`` in
    English (a comma between them would read as a thousands separator)."""
    items = [fmt_number(x, lang(), 0 if float(x).is_integer() else 2) for x in values]
    return fmt_list(items, lang()) if lang() == "zh" else " / ".join(items)


def sentences(*texts: str) -> str:
    """Sentences one after the other: no space after a Chinese full stop, one space in English."""
    return join_sentences(texts, lang())


def controls(k: page.Kit, options: Any, v: page.View) -> dict[str, Any]:
    """The analysis date above the result; each tab's own settings in the tab."""
    with v.head, st.expander(tr("page.filters"), icon=":material/tune:"):
        params: dict[str, Any] = {"analysis_date": k.widget("analysis_date"), "detail": "summary", "audience": None}
    with v.tabs["rfm"], st.container(border=True):
        c1, c2 = st.columns([2, 1])
        params.update(model=k.widget("model", c1, options=["named", "cn8"], radio=True), compare_days=k.widget("compare_days", c2))
    with v.tabs["clusters"], st.container(border=True):
        c1, c2, c3 = st.columns([2, 1, 1])
        feats = k.widget("features", c1, options=list(seg.FEATURES))
        if not feats:
            c1.caption(k.t("clusters.default_features"))
        params.update(features=feats or list(seg.DEFAULT_FEATURES), seed=k.widget("seed", c3),
                      k=k.widget("k", c2, options=[None, *range(2, 13)], fmt=lambda x: k.t("choice.k.auto") if x is None else str(x)))
    with v.tabs["tiers"], st.container(border=True):
        c1, c2 = st.columns(2)
        params["tier_basis"] = k.widget("tier_basis", c1, options=["spend", "points"])
        params["tier_thresholds"] = number_list(k, "tier_thresholds", c2)
        n_th = len(params["tier_thresholds"] or [0, 0, 0])
        c3, c4 = st.columns(2)
        params["tier_whatif"] = number_list(k, "tier_whatif", c3, expected=n_th)
        params["tier_costs"] = number_list(k, "tier_costs", c4, expected=n_th + 1, ascending=False)
    with v.tabs["clv"], st.container(border=True):
        c1, c2, c3, c4 = st.columns(4)
        params.update(clv_horizon=k.widget("clv_horizon", c1), discount=k.widget("discount", c2, step=0.005, number_format="%.3f"),
                      clv_calibration_end=k.widget("clv_calibration_end", c3),
                      time_unit=k.widget("time_unit", c4, options=["week", "day"]))
    return params


def rfm_tab() -> None:
    st.caption(k.t("metric.group" if v.get("model") == "named" else "metric.group_cn"))
    v.figure("groups")
    v.figure("groups_bar")
    v.table("rfm_groups")
    st.markdown(f"**{k.t('rfm.movement')}**")
    st.caption(k.t("metric.transition"))
    v.figure("transitions")


def clusters_tab() -> None:
    cl = v.get("clusters") or {}
    if cl.get("error"):
        return st.warning(k.say("clusters.refused", reason=cl["error"]), icon=":material/block:")
    c1, c2, c3 = st.columns(3)
    c1.metric(k.t("kpi.k"), fmt_number(cl["k"], lang()), help=k.t("clusters.k_fixed") if cl.get("k_fixed") else k.say("clusters.k_auto", k=cl["k_auto"]))
    k.metric(c2, "silhouette", f"{cl['silhouette']:.2f}")
    k.metric(c3, "stability", (cl.get("stability") or {}).get("ari_mean"), "ratio")
    v.figure("clusters")
    st.caption(k.t("metric.cluster_index"))
    v.table("clusters.profiles", cl.get("profiles"), key="profiles")
    if cl.get("silhouette_by_k"):
        with st.expander(k.t("clusters.by_k")):
            v.table("clusters.silhouette_by_k", cl["silhouette_by_k"], key="by_k")


def tiers_tab() -> None:
    tiers = v.get("tiers") or {}
    if tiers.get("error"):
        return st.warning(ui.md_escape(tiers["error"]), icon=":material/block:")
    st.caption(k.say("tiers.in_use", basis=k.choice("tier_basis", tiers.get("basis", "spend")),
                     thresholds=number_series(tiers["thresholds"]), costs=number_series(tiers["costs"])))
    st.caption(k.t("metric.tier_spend"))
    c1, c2, c3, c4 = st.columns(4)
    k.metric(c1, "cost_current", tiers["cost_current"], "money", help_name="benefit_cost")
    if tiers.get("proposed"):
        k.metric(c2, "cost_proposed", tiers["cost_proposed"], "money", help_name="benefit_cost",
                 delta=fmt_money(tiers["cost_delta"], lang()), delta_color="inverse")
        k.metric(c3, "moved_up", tiers["moved_up"], "count")
        k.metric(c4, "moved_down", tiers["moved_down"], "count")
    else:
        c2.caption(k.t("tiers.whatif_hint"))
    v.figure("tiers")
    v.table("tiers.rows", tiers.get("rows"), key="tiers")
    if tiers.get("moves"):
        st.markdown(f"**{k.t('tiers.matrix')}**")
        v.table("tiers.moves", tiers["moves"], key="tier_moves")


def cohorts_tab() -> None:
    coh = v.get("cohorts") or {}
    st.caption(k.t("metric.retention"))
    v.figure("cohorts")
    st.caption(k.t("metric.cohort_revenue"))
    v.figure("cohort_revenue")
    if coh.get("rows"):
        st.markdown(f"**{k.t('cohorts.table')}**")
        v.table("cohorts.rows", coh["rows"], key="cohorts")
        if coh.get("last_month_partial"):
            st.caption(k.t("cohorts.partial"))


def clv_tab() -> None:
    cv = v.get("clv") or {}
    if cv.get("error"):
        return st.warning(ui.md_escape(cv["error"]), icon=":material/block:")
    c1, c2, c3, c4 = st.columns(4)
    k.metric(c1, "clv_total", cv["total"], "money", help_name="clv")
    k.metric(c2, "clv_mean", cv.get("mean"), "money", help_name="clv")
    k.metric(c3, "customers_fitted", cv["customers_fitted"], "count")
    k.metric(c4, "top10_share", cv.get("top10_share"), "percent")
    st.caption(k.say("clv.setup", h=cv["horizon"], disc=k.fmt(cv["discount"], "percent"), cal=str(cv["calibration_end"]),
                     unit=k.choice("time_unit", cv["time_unit"])))
    st.markdown(f"**{k.t('clv.bands')}**")
    st.caption(sentences(k.t("metric.churn_risk"), k.t("metric.p_alive")))
    v.table("clv.churn_bands", cv.get("churn_bands"), key="bands")
    v.figure("clv")
    with st.expander(k.t("clv.params")):
        st.caption(k.t("clv.params_help"))
        v.table("clv.param_rows", cv.get("param_rows"), key="clv_params")


def drill_down() -> None:
    """Any group, cluster, tier or churn band -> its customers, exported as an audience file."""
    st.subheader(k.t("drill.title"))
    st.caption(k.t("drill.help"))
    by_spec = {o["spec"]: o for o in seg.audience_options(v.result, lang())}
    spec = k.widget("audience", options=[None, *by_spec], fmt=lambda s: k.t("drill.none") if s is None else k.t(
        "drill.option", source=k.t(f"drill.source.{by_spec[s]['source']}"), segment=by_spec[s]["label"],
        n=fmt_number(by_spec[s]["customers"], lang())))
    if spec is None:
        return
    try:
        with st.spinner(k.t("drill.loading"), show_time=True):
            aud = seg.customers_in(v.call("customer_table", {**v.base, **v.params}), spec)
        aud = seg.labelled(aud, lang(), len((v.get("tiers") or {}).get("current") or []) or None)
    except (ValueError, KeyError) as exc:
        return st.info(k.say("drill.unavailable", reason=ui.exc_text(exc)))
    st.caption(k.say("drill.count", n=fmt_number(len(aud), lang()), segment=by_spec[spec]["label"],
                     cols=fmt_list((ui.header(c) for c in aud.columns if c != "customer_id"), lang())))
    ui.table(aud, key=f"{k.url_path}_audience", file_name=f"prism_audience_{seg.audience_file(spec)}", height=360)


# ---------------------------------------------------------------- page

if seg.customers_only(page.context().kinds()):  # a CRM file without order lines (analytics.segmentation.crm)
    v = page.frame(controls=lambda k, _: page.param_widgets(k.url_path, [k.param("model"), k.param("k"), k.param("seed")]))
    if v.result is not None:
        page.standard_blocks(v.url_path, v.ctx, v.params, v.result)
    v.footer()
    st.stop()

v = page.frame(controls=controls, tabs=TABS + (("audience",) if "audience" in page.context().kinds() else ()))
k = v.kit
if v.result is not None:
    with v.top:
        v.kpis()
        st.caption(k.say("analysis_on", date=str(v.get("analysis_date")), n=fmt_number(v.get("customers"), lang()),
                         ids=fmt_number(v.get("customer_ids"), lang())))
    for name, draw in zip(TABS, (rfm_tab, clusters_tab, tiers_tab, cohorts_tab, clv_tab)):
        with v.tabs[name]:
            draw()
    if "audience" in v.tabs:
        with v.tabs["audience"]:
            audience_tab.draw(v)
    ui.findings(v.get("findings") or [])
    drill_down()
    v.data_behind("rfm_groups", "clusters", "tiers", "cohorts", "clv")
v.footer()
