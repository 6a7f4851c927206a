"""Post-campaign evaluation: did the campaign work, for whom, and was it worth it. The decision memo and the
key figures come first, then one tab per question, each with its own controls above its answer: the
randomised test, segments, uplift, non-randomised campaigns, money and feedback. Every number comes from
analytics.evaluation (KPI kinds, TABLES); its controls are in components/evaluation_controls.py."""

from __future__ import annotations

import streamlit as st

from analytics import evaluation as ev
from components import evaluation_memo, page, ui
from components.evaluation_controls import TABS, controls
from components.i18n import fmt_list, fmt_number, lang


def test_tab() -> None:
    if "experiments" not in v.ctx.kinds():
        return ui.empty_state("experiments")
    if not v.get("arms"):
        return st.info(k.say("page.exp_failed", reason=" ".join(v.get("warnings") or [])[:400] or "—"))
    st.markdown(f"**{k.t('page.groups')}**")
    v.table("group_table", ev.group_rows(v.result), cols=ev.group_columns(v.result), key="groups")
    st.markdown(f"**{k.t('label.arms')}**")
    v.table("comparisons", key="arms")
    st.caption(k.say("page.arms_caption", control=v.get("control"), k=len(v.get("comparisons") or [])))
    v.figure("lift", title=True)
    srm, cuped = (c.container(border=True) for c in st.columns(2))
    with srm:
        s = v.get("srm") or {}
        st.markdown(f"**{k.t('label.srm')}**")
        k.metric(st, "srm_p_value", s.get("p_value"), "pvalue")
        if s.get("failed") and not s.get("split_given", True):
            st.warning(k.say("page.srm_fail_assumed", p=ev._pfmt(s.get("p_value")), split=s.get("suggested_split")),
                       icon=":material/warning:")
        else:
            verdict = "page.srm_fail" if s.get("failed") else "page.srm_pass"
            (st.error if s.get("failed") else st.success)(k.t(verdict, p=ev._pfmt(s.get("p_value"))))
        v.table("srm.rows", s.get("rows"), key="srm")
        st.caption(ui.md_escape(k.t("page.srm_split", split=":".join(f"{w:g}" for w in s.get("weights") or [])))
                   if s.get("split_given") else k.t("page.srm_equal"))
    with cuped:
        st.markdown(f"**{k.t('label.cuped')}**")
        rows, main = v.get("cuped") or [], ev.main_cuped(v.result)
        if not rows:
            st.info(k.t("page.cuped_none"))
        else:
            k.metric(st, "cuped", main["narrower_by"], "fine_percent")
            for c in (c for c in rows if c["outcome"] == main["outcome"]):
                width = "points" if c["outcome"] in ev.RATE_OUTCOMES else "money"
                st.markdown("- " + ui.md_escape(k.t(
                    "page.cuped_line", group=c["group"], outcome=k.t(f"outcome.{c['outcome']}"),
                    before=k.fmt(c["ci_width_before"], width), after=k.fmt(c["ci_width_after"], width),
                    pct=k.fmt(c["narrower_by"], "fine_percent"))))
            v.table("cuped", rows)
    with st.container(border=True):
        st.markdown(f"**{k.t('label.power')}**")
        st.caption(k.say("page.power_intro", alpha=f"{v.get('alpha', 0.05):g}", effect=k.fmt(v.params.get("min_effect"), "percent", 0)))
        v.table("power")


def segments_tab() -> None:
    seg = v.get("segments")
    rows = (seg or {}).get("rows") or []
    if not seg or not rows:
        return st.info(k.t("page.no_experiments" if not seg else "page.segments_none"))
    st.warning(k.t("warning.segments_noise", n=len(rows)), icon=":material/warning:")
    v.figure("segments", title=True)
    if seg.get("heterogeneity"):
        st.markdown(f"**{k.t('page.heterogeneity')}**")
        v.table("segments.heterogeneity", seg["heterogeneity"], key="heterogeneity")
    st.markdown(f"**{k.t('page.segment_rows')}**")
    v.table("segments.rows", rows, key="segments", height=360)


def uplift_tab() -> None:
    up = v.get("uplift") or {}
    status = "no_experiments" if v.get("segments") is None else up.get("status", "none") if up else "none"
    if status != "ok":
        text = {"no_experiments": k.t("page.no_experiments"), "none": k.t("page.uplift_none"),
                "no_features": k.t("page.uplift_no_features")}.get(status) or k.t("page.uplift_too_few", arm=up.get("arm", ""))
        return st.info(ui.md_escape(text))
    c1, c2, c3 = st.columns(3)
    k.metric(c1, "qini_auc", f"{up['qini_auc']:.3f}")
    share = up.get("top30_share_of_incremental")
    k.metric(c2, "top30", None if share is None else min(share, 9.99), "percent", digits=0)
    k.metric(c3, "n_test", up["n_test"], "count")
    st.caption(ui.md_escape(k.t("page.uplift_caption", arm=up["arm"], control=up["control"],
                                outcome=k.t(f"outcome.{up['outcome']}"), n_train=fmt_number(up["n_train"], lang()),
                                n_test=fmt_number(up["n_test"], lang()))))
    v.figure("qini", title=True)
    st.markdown(f"**{k.t('page.deciles')}**")
    v.table("uplift.deciles", up.get("deciles"), key="deciles")
    ranked = up.get("ranked") or []
    st.markdown(f"**{ui.md_escape(k.t('page.ranked', arm=up['arm'], n=fmt_number(len(ranked), lang())))}**")
    st.caption(k.help("uplift_score") or "")
    v.table("uplift.ranked", ranked, key="targets", height=320)
    if up.get("features"):
        with st.expander(k.t("page.features")):
            v.table("uplift.features", up["features"], key="features",
                    edit={"feature": lambda f: ev.feature_name(f, lang())})  # channel=JD: 渠道：JD


def nonrandom_tab() -> None:
    if "orders" not in v.ctx.kinds():
        st.caption(k.t("page.cf_no_orders"))
        return ui.empty_state("orders")
    cf = v.get("counterfactual") or {}
    if cf.get("status") != "ok":
        st.info(ui.md_escape({"no_dimension": k.t("page.cf_no_dimension"),
                              "needs_params": k.t("page.cf_needs_params",
                                                  by=ev.attr_name(cf.get("by") or "", lang(), True)),
                              "no_treated": k.t("page.cf_no_treated",
                                                treated=ev.series_name(cf.get("by"), cf.get("treated"), lang()))
                              }.get(cf.get("status"), cf.get("reason") or "")),
                icon=":material/info:")
    else:
        if cf.get("guessed"):
            st.info(ui.md_escape(k.t("page.cf_guessed", treated=ev.series_name(cf["by"], cf["treated"], lang()),
                                     by=ev.attr_name(cf["by"], lang()),
                                     start=str(cf["start"])[:10],
                                     end=str(cf["end"])[:10])), icon=":material/auto_awesome:")
        unit = "money" if cf.get("metric") == "revenue" else "count"
        pl = cf.get("placebo") or {}
        c1, c2, c3, c4 = st.columns(4)
        k.metric(c1, "cf_effect", cf["effect"], ev.kpi_kinds(v.result)["cf_effect"])
        c1.caption(k.fmt(cf["ci_low"], unit) + " … " + k.fmt(cf["ci_high"], unit))
        k.metric(c2, "effect_rel", cf.get("effect_rel"), "signed_percent")
        k.metric(c3, "r2_pre", f"{cf['r2_pre']:.2f}")
        k.metric(c4, "placebo", pl.get("effect"), unit)
        v.figure("counterfactual", title=True)
        st.caption(ui.md_escape(k.t("page.cf_controls", controls=fmt_list(cf.get("controls") or [], lang()))))
        with st.container(border=True):
            st.markdown(f"**{k.t('label.placebo')}**")
            if pl.get("passed") is None:
                st.info(k.t("page.placebo_na"))
            else:
                kw = {"date": str(pl.get("fake_start"))[:10], "lo": k.fmt(pl["ci_low"], unit), "hi": k.fmt(pl["ci_high"], unit)}
                (st.success if pl["passed"] else st.error)(k.t(f"page.placebo_{'pass' if pl['passed'] else 'fail'}", **kw))
        with st.container(border=True):
            st.markdown(f"**{k.t('label.assumptions')}**")
            for a in cf.get("assumptions") or []:
                st.markdown("- " + ui.md_escape(a))
        with st.expander(k.t("page.series")):
            v.table("counterfactual.series", cf["series"], key="cf_series")
    if v.options.get("campaigns"):
        with st.expander(k.t("page.campaigns")):
            v.table("campaigns", v.options["campaigns"])


def money_tab() -> None:
    money = v.get("money")
    st.caption(k.t("page.money_intro"))
    if not money:
        return st.info(k.t("page.money_none"))
    tot = money.get("totals") or {}
    c1, c2, c3 = st.columns(3)
    k.metric(c1, "incremental_revenue", tot.get("incremental_revenue"), "signed_money")
    k.metric(c2, "cost", tot.get("cost"), "money")
    k.metric(c3, "incremental_roi", tot.get("roi"), "signed_percent", digits=0)
    v.table("money.arms", money.get("arms") or [], key="money")
    if (money.get("plan") or {}).get("rows"):
        st.markdown(f"**{k.t('page.plan_vs_actual')}**")
        v.table("money.plan.rows", money["plan"]["rows"], key="plan")


def feedback_tab() -> None:
    if "feedback" not in v.ctx.kinds():
        st.caption(k.t("page.fb_none"))
        return ui.empty_state("feedback")
    fb = v.get("feedback")
    if not fb:
        return st.info(k.t("page.fb_empty"))
    nps, rm, terms = fb.get("nps"), fb.get("rating_mean"), fb.get("terms") or {}
    c1, c2, c3, c4 = st.columns(4)
    if nps:
        k.metric(c1, "nps", nps["nps"], "signed")
        c1.caption(k.say("page.nps_value", nps=f"{nps['nps']:+.0f}", lo=f"{nps['ci_low']:+.0f}", hi=f"{nps['ci_high']:+.0f}"))
        k.metric(c2, "nps_n", nps["n"], "count")
    if rm:
        k.metric(c3, "rating_mean", rm["mean"], "ratio")
        if rm.get("ci_low") is not None:
            c3.caption(ui.md_escape(f"{rm['ci_low']:.2f} … {rm['ci_high']:.2f}"))
    if terms:
        k.metric(c4, "comments", terms.get("n_comments"), "count")
    f1, f2 = st.columns(2)
    with f1:
        v.figure("nps", title=True)
    with f2:
        if nps:  # figures() shows NPS when present; the rating distribution gets its own chart
            v.figure("ratings", ev.ratings_figure(v.result, lang()), title=True)
    if fb.get("ratings") or fb.get("nps_distribution"):
        with st.expander(k.t("page.distribution")):
            d1, d2 = st.columns(2)
            with d1:
                v.table("feedback.ratings", fb.get("ratings"), key="ratings")
            with d2:
                v.table("feedback.nps_distribution", fb.get("nps_distribution"), key="nps_scores")
    if terms:
        v.figure("words", title=True)
        st.caption(k.t("page.comments_caption", n=fmt_number(terms.get("n_comments"), lang()), zh=fmt_number(terms.get("n_chinese"), lang())))
        for col, code in zip(st.columns(2), ("zh", "en")):
            part = (fb.get("terms_by_language") or {}).get(code) or {}
            with col:
                st.markdown(f"**{k.t(f'page.lang_{code}', n=fmt_number(part.get('n_comments', 0), lang()))}**")
                if not part.get("words"):
                    st.caption(k.t("page.lang_none"))
                    continue
                st.caption(k.t("page.words"))
                v.table("terms", part.get("words"), key=f"words_{code}")
                st.caption(k.t("page.phrases"))
                v.table("terms", part.get("phrases"), key=f"phrases_{code}")
    if fb.get("by_campaign"):
        st.markdown(f"**{k.t('page.by_campaign')}**")
        v.table("feedback.by_campaign", fb["by_campaign"], key="by_campaign")


# ---------------------------------------------------------------- page

v = page.frame(options=lambda view: view.call("page_options", view.base), controls=controls, tabs=TABS)
k = v.kit
if v.result is not None:
    with v.top:
        evaluation_memo.memo(v, v.result)
        v.kpis(kinds=ev.kpi_kinds(v.result))
        ui.findings(v.get("findings") or [])
    for name, draw in zip(TABS, (test_tab, segments_tab, uplift_tab, nonrandom_tab, money_tab, feedback_tab)):
        with v.tabs[name]:
            draw()
    with st.expander(k.t("page.methods"), icon=":material/science:"):
        for text in (v.get("methods") or {}).values():
            st.markdown("- " + ui.md_escape(text))
v.footer()
