"""segmentation-explorer: who our customers are and what they are worth.

Tabs for RFM groups (named or the Chinese eight-group model), k-means clusters (k automatic or fixed),
member tiers with a threshold what-if, cohort retention and CLV with churn-risk bands; a drill-down
from any group / cluster / tier / churn band to the customer list, exported as an audience file.
Every control is bound to the URL (components.state), so a shared link reproduces the view.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analytics import cached
from analytics import segmentation as seg
from analytics.params import Param, parse_float
from components import page, state, ui
from components.i18n import fmt_money, fmt_number, fmt_pct, lang, tr

K_CHOICES = [None] + list(range(2, 13))












# ---------------------------------------------------------------- controls


k = page.kit(page.context().url_path)  # texts, state keys, labels, help and choices of this page


def _float_list(key: str, label: str, container: Any, expected: int | None = None,
                ascending: bool = True) -> list[float] | None:
    """A comma-separated list of numbers bound to the URL; invalid input is explained and ignored."""
    p = Param(key, "str", None)
    raw = state.text(label, p, state_key=k.sk(key), help=k.param_help(key), container=container)
    if not raw or not str(raw).strip():
        return None
    try:
        vals = [parse_float(x.replace(" ", "")) for x in str(raw).replace("，", ",").split(",") if x.strip()]
    except ValueError:
        container.warning(k.say("tiers.bad_list", label=label, value=raw, reason=k.t("tiers.not_numbers")))
        return None
    if not vals or any(v < 0 for v in vals):
        container.warning(k.say("tiers.bad_list", label=label, value=raw, reason=k.t("tiers.not_numbers")))
        return None
    if ascending and sorted(vals) != vals:
        container.warning(k.say("tiers.bad_list", label=label, value=raw, reason=k.t("tiers.not_ascending")))
        return None
    if expected is not None and len(vals) != expected:
        container.warning(k.say("tiers.bad_list", label=label, value=raw, reason=k.t("tiers.count", n=expected)))
        return None
    return vals


def rfm_controls(box: Any) -> dict:
    c1, c2 = box.columns([2, 1])
    model = state.radio(k.t("param.model"), ["named", "cn8"], k.param("model"), state_key=k.sk("model"),
                        format_func=lambda v: k.choice("model", v), help=k.param_help("model"), container=c1)
    days = state.number(k.t("param.compare_days"), k.param("compare_days"), state_key=k.sk("compare_days"), step=1,
                        help=k.param_help("compare_days"), container=c2)
    return {"model": model, "compare_days": int(days)}


def cluster_controls(box: Any) -> dict:
    c1, c2, c3 = box.columns([2, 1, 1])
    feats = state.multiselect(k.t("param.features"), list(seg.FEATURES), k.param("features"), state_key=k.sk("features"),
                              format_func=lambda v: k.choice("features", v), help=k.param_help("features"), container=c1)
    n_clusters = state.selectbox(k.t("param.k"), K_CHOICES, k.param("k"), state_key=k.sk("k"), help=k.param_help("k"),
                                 container=c2, format_func=lambda v: k.t("choice.k.auto") if v is None else str(v))
    seed_ = state.number(k.t("param.seed"), k.param("seed"), state_key=k.sk("seed"), step=1, help=k.param_help("seed"), container=c3)
    if not feats:
        c1.caption(k.t("clusters.default_features"))
    return {"features": feats or list(seg.DEFAULT_FEATURES), "k": n_clusters, "seed": int(seed_)}


def tier_controls(box: Any) -> dict:
    c1, c2 = box.columns(2)
    basis = state.selectbox(k.t("param.tier_basis"), ["spend", "points"], k.param("tier_basis"), state_key=k.sk("tier_basis"),
                            format_func=lambda v: k.choice("tier_basis", v), help=k.param_help("tier_basis"), container=c1)
    current = _float_list("tier_thresholds", k.t("param.tier_thresholds"), c2)
    n_th = len(current) if current else 3
    c3, c4 = box.columns(2)
    whatif = _float_list("tier_whatif", k.t("param.tier_whatif"), c3, expected=n_th)
    costs = _float_list("tier_costs", k.t("param.tier_costs"), c4, expected=n_th + 1, ascending=False)
    return {"tier_basis": basis, "tier_thresholds": current, "tier_whatif": whatif, "tier_costs": costs}


def clv_controls(box: Any) -> dict:
    c1, c2, c3, c4 = box.columns(4)
    h = state.number(k.t("param.clv_horizon"), k.param("clv_horizon"), state_key=k.sk("clv_horizon"), step=1,
                     help=k.param_help("clv_horizon"), container=c1)
    disc = state.number(k.t("param.discount"), k.param("discount"), state_key=k.sk("discount"), step=0.005,
                        help=k.param_help("discount"), container=c2, fmt="%.3f")
    cal = state.date_value(k.t("param.clv_calibration_end"), k.param("clv_calibration_end"), state_key=k.sk("clv_calibration_end"),
                           help=k.param_help("clv_calibration_end"), container=c3)
    unit = state.selectbox(k.t("param.time_unit"), ["week", "day"], k.param("time_unit"), state_key=k.sk("time_unit"),
                           format_func=lambda v: k.choice("time_unit", v), help=k.param_help("time_unit"), container=c4)
    return {"clv_horizon": int(h), "discount": float(disc), "clv_calibration_end": cal, "time_unit": unit}


# ---------------------------------------------------------------- result blocks


def _fig(figs: dict, key: str) -> None:
    if key in figs:
        ui.figure(figs[key], key=f"{k.url_path}_fig_{key}")


def _cols(df: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    return df[[c for c in names if c in df.columns]].rename(columns=names)


def rfm_tab(result: dict, figs: dict) -> None:
    col = "group" if result["model"] == "named" else "group_cn"
    st.caption(k.t(f"metric.{col}"))
    _fig(figs, "groups")
    _fig(figs, "groups_bar")
    df = pd.DataFrame(result["rfm_groups"])
    if not df.empty:
        df["share"] = (df["share"] * 100).round(1)
        df["net_sales_share"] = (df["net_sales_share"] * 100).round(1)
        for c in ("avg_recency", "avg_frequency", "avg_monetary", "net_sales"):
            df[c] = df[c].round(1)
        ui.table(_cols(df, {"label": k.t("col.group"), "customers": k.t("col.customers"), "share": k.t("col.share_pct"),
                            "net_sales": k.t("col.net_sales"), "net_sales_share": k.t("col.net_sales_share_pct"),
                            "avg_recency": k.t("col.avg_recency"), "avg_frequency": k.t("col.avg_frequency"),
                            "avg_monetary": k.t("col.avg_monetary")}),
                 key=f"{k.url_path}_groups", file_name=f"prism_{k.url_path}_groups")
    st.markdown(f"**{k.t('rfm.movement')}**")
    st.caption(k.t("metric.transition"))
    _fig(figs, "transitions")


def clusters_tab(result: dict, figs: dict) -> None:
    cl = result.get("clusters") or {}
    if cl.get("error"):
        st.warning(k.say("clusters.refused", reason=cl["error"]), icon=":material/block:")
        return
    c1, c2, c3 = st.columns(3)
    c1.metric(k.t("kpi.k"), cl["k"], help=k.t("clusters.k_fixed") if cl.get("k_fixed") else
              k.say("clusters.k_auto", k=cl["k_auto"]))
    c2.metric(k.t("kpi.silhouette"), f"{cl['silhouette']:.2f}", help=k.t("metric.silhouette"))
    ari = (cl.get("stability") or {}).get("ari_mean")
    c3.metric(k.t("kpi.stability"), "—" if ari is None else f"{ari:.2f}", help=k.t("metric.stability"))
    _fig(figs, "clusters")
    df = pd.DataFrame(cl["profiles"])
    if not df.empty:
        df["label"] = [k.t("label.cluster", n=c) for c in df["cluster"]]
        df["share"] = (df["share"] * 100).round(1)
        df["net_sales_share"] = (df["net_sales_share"] * 100).round(1)
        for c in df.columns:
            if c.startswith(("avg_", "index_")):
                df[c] = df[c].round(1)
        names = {"label": k.t("col.cluster"), "customers": k.t("col.customers"), "share": k.t("col.share_pct"),
                 "net_sales_share": k.t("col.net_sales_share_pct")}
        for f in seg.FEATURES:
            names[f"avg_{f}"] = k.t("col.avg_feature", feature=k.choice("features", f))
            names[f"index_{f}"] = k.t("col.index_feature", feature=k.choice("features", f))
        st.caption(k.t("metric.cluster_index"))
        ui.table(_cols(df, names), key=f"{k.url_path}_profiles", file_name=f"prism_{k.url_path}_cluster_profiles")
    by_k = pd.DataFrame(cl.get("silhouette_by_k") or [])
    if not by_k.empty:
        with st.expander(k.t("clusters.by_k")):
            by_k["silhouette"] = by_k["silhouette"].round(3)
            ui.table(by_k.rename(columns={"k": k.t("kpi.k"), "silhouette": k.t("kpi.silhouette")}),
                     key=f"{k.url_path}_by_k", file_name=f"prism_{k.url_path}_silhouette_by_k")


def tiers_tab(result: dict, figs: dict) -> None:
    tiers = result.get("tiers") or {}
    if tiers.get("error"):
        st.warning(ui.md_escape(tiers["error"]), icon=":material/block:")
        return
    th = ", ".join(fmt_number(x, "en", 0 if float(x).is_integer() else 2) for x in tiers["thresholds"])
    st.caption(k.say("tiers.in_use", thresholds=th, basis=k.choice("tier_basis", tiers.get("basis", "spend")),
                 costs=", ".join(fmt_number(c, "en", 0) for c in tiers["costs"])))
    st.caption(k.t("metric.tier_spend"))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(k.t("kpi.cost_current"), fmt_money(tiers["cost_current"], lang()), help=k.t("metric.benefit_cost"))
    if tiers.get("proposed"):
        c2.metric(k.t("kpi.cost_proposed"), fmt_money(tiers["cost_proposed"], lang()),
                  delta=fmt_money(tiers["cost_delta"], lang()), delta_color="inverse", help=k.t("metric.benefit_cost"))
        c3.metric(k.t("kpi.moved_up"), fmt_number(tiers["moved_up"], lang()))
        c4.metric(k.t("kpi.moved_down"), fmt_number(tiers["moved_down"], lang()))
    else:
        c2.caption(k.t("tiers.whatif_hint"))
    _fig(figs, "tiers")
    rows = []
    for i, cur in enumerate(tiers["current"]):
        r = {k.t("col.tier"): cur["name"], k.t("col.customers"): cur["customers"],
             k.t("col.share_pct"): round((cur["share"] or 0) * 100, 1), k.t("col.benefit_cost"): cur["benefit_cost"]}
        if tiers.get("proposed"):
            pr = tiers["proposed"][i]
            r[k.t("col.customers_proposed")] = pr["customers"]
            r[k.t("col.benefit_cost_proposed")] = pr["benefit_cost"]
        rows.append(r)
    ui.table(pd.DataFrame(rows), key=f"{k.url_path}_tiers", file_name=f"prism_{k.url_path}_tiers")
    if tiers.get("matrix"):
        names = [r["name"] for r in tiers["current"]]
        m = pd.DataFrame(tiers["matrix"], columns=[k.t("tiers.to", name=n) for n in names])
        m.insert(0, k.t("col.tier"), names)
        st.markdown(f"**{k.t('tiers.matrix')}**")
        ui.table(m, key=f"{k.url_path}_tier_matrix", file_name=f"prism_{k.url_path}_tier_moves")


def cohorts_tab(result: dict, figs: dict) -> None:
    coh = result.get("cohorts") or {}
    st.caption(k.t("metric.retention"))
    _fig(figs, "cohorts")
    st.caption(k.t("metric.cohort_revenue"))
    _fig(figs, "cohort_revenue")
    if coh.get("retention"):
        df = pd.DataFrame(coh["retention"], columns=[f"M{m}" for m in coh["months"]]).mul(100).round(1)
        df.insert(0, k.t("col.customers"), coh["sizes"])
        df.insert(0, k.t("label.cohort"), coh["cohorts"])
        st.markdown(f"**{k.t('cohorts.table')}**")
        ui.table(df, key=f"{k.url_path}_cohorts", file_name=f"prism_{k.url_path}_cohort_retention")
        if coh.get("last_month_partial"):
            st.caption(k.t("cohorts.partial"))


def clv_tab(result: dict, figs: dict) -> None:
    cv = result.get("clv") or {}
    if cv.get("error"):
        st.warning(ui.md_escape(cv["error"]), icon=":material/block:")
        return
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(k.t("kpi.clv_total"), fmt_money(cv["total"], lang()), help=k.t("metric.clv"))
    c2.metric(k.t("kpi.clv_mean"), fmt_money(cv.get("mean"), lang()), help=k.t("metric.clv"))
    c3.metric(k.t("kpi.customers_fitted"), fmt_number(cv["customers_fitted"], lang()), help=k.t("metric.customers_fitted"))
    c4.metric(k.t("kpi.top10_share"), fmt_pct(cv.get("top10_share"), lang()), help=k.t("metric.top10_share"))
    st.caption(k.say("clv.setup", h=cv["horizon"], disc=fmt_pct(cv["discount"], lang()), cal=str(cv["calibration_end"]),
                 unit=k.choice("time_unit", cv["time_unit"])))
    st.markdown(f"**{k.t('clv.bands')}**")
    st.caption(k.t("metric.churn_risk") + " " + k.t("metric.p_alive"))
    bands = pd.DataFrame(cv["churn_bands"])
    if not bands.empty:
        bands["share"] = (bands["share"] * 100).round(1)
        bands["net_sales_share"] = (bands["net_sales_share"].astype(float) * 100).round(1)
        bands["clv"] = bands["clv"].round(2)
        ui.table(_cols(bands, {"label": k.t("col.band"), "customers": k.t("col.customers"), "share": k.t("col.share_pct"),
                               "net_sales_share": k.t("col.net_sales_share_pct"), "clv": k.t("col.clv")}),
                 key=f"{k.url_path}_bands", file_name=f"prism_{k.url_path}_churn_bands")
    _fig(figs, "clv")
    with st.expander(k.t("clv.params")):
        st.caption(k.t("clv.params_help"))
        prm = pd.DataFrame([{k.t("col.parameter"): name, k.t("col.value"): round(val, 4)} for name, val in cv["params"].items()])
        ui.table(prm, key=f"{k.url_path}_clv_params", file_name=f"prism_{k.url_path}_clv_params")


def drill_down(ctx: page.PageContext, params: dict, result: dict) -> None:
    st.subheader(k.t("drill.title"))
    st.caption(k.t("drill.help"))
    opts = seg.audience_options(result, lang())
    by_spec = {o["spec"]: o for o in opts}

    def fmt(spec: str | None) -> str:
        if spec is None:
            return k.t("drill.none")
        o = by_spec[spec]
        return k.t("drill.option", source=k.t(f"drill.source.{o['source']}"), segment=o["label"],
                 n=fmt_number(o["customers"], lang()))

    spec = state.selectbox(k.t("param.audience"), [None] + list(by_spec), k.param("audience"), state_key=k.sk("audience"),
                           format_func=fmt, help=k.param_help("audience"))
    if spec is None:
        return
    key = page.result_key(ctx, params)
    try:
        with st.spinner(k.t("drill.loading"), show_time=True):
            tab = cached.page_call(k.url_path, "customer_table", ctx.datasets, key, lang())
        aud = seg.customers_in(tab, spec)
    except (ValueError, KeyError) as exc:
        st.info(k.say("drill.unavailable", reason=ui.exc_text(exc)))
        return
    o = by_spec[spec]
    st.caption(k.say("drill.count", n=fmt_number(len(aud), lang()), segment=o["label"],
                 cols=", ".join(c for c in aud.columns if c != "customer_id")))
    src, _, val = spec.partition(":")
    ui.table(aud, key=f"{k.url_path}_audience", file_name=f"prism_audience_{src}_{seg.slug(val) if src in ('rfm', 'cn8') else val}",
             height=360)


# ---------------------------------------------------------------- page


def main() -> None:
    ctx = page.context()
    page.header(k.url_path)
    if not page.require_kinds(k.url_path, ctx):
        page.show_problems()
        return
    if seg.customers_only(ctx.kinds()):  # a CRM file without order lines (analytics.segmentation.crm)
        params = page.param_widgets(k.url_path, [k.param("model"), k.param("k"), k.param("seed")])
        result = page.compute(k.url_path, ctx, params)
        if result is not None:
            page.standard_blocks(k.url_path, ctx, params, result)
        return page.footer(k.url_path, ctx, params, result)
    with st.expander(tr("page.filters"), icon=":material/tune:"):
        ad = state.date_value(k.t("param.analysis_date"), k.param("analysis_date"), state_key=k.sk("analysis_date"),
                              help=k.param_help("analysis_date"))
    top = st.container()
    labels = [k.t("tab.rfm"), k.t("tab.clusters"), k.t("tab.tiers"), k.t("tab.cohorts"), k.t("tab.clv")]
    tabs = st.tabs(labels)
    params: dict[str, Any] = {"analysis_date": ad}
    for tab, controls in zip(tabs, (rfm_controls, cluster_controls, tier_controls, None, clv_controls)):
        if controls is not None:
            with tab:
                box = st.container(border=True)
                params.update(controls(box))
    params.update({"detail": "summary", "audience": None})
    with top:
        result = page.compute(k.url_path, ctx, params)
    page.show_problems()
    if result is None:
        page.footer(k.url_path, ctx, params, result)
        return
    with top:
        ui.warnings(result.get("warnings") or [])
        ui.kpi_cards(k.ns, result["kpis"])
        st.caption(k.say("analysis_on", date=str(result["analysis_date"]), n=fmt_number(result["customers"], lang()),
                     ids=fmt_number(result["customer_ids"], lang())))
    figs = page.figures(k.url_path, ctx, params)
    for tab, block in zip(tabs, (rfm_tab, clusters_tab, tiers_tab, cohorts_tab, clv_tab)):
        with tab:
            block(result, figs)
    ui.findings(result.get("findings") or [])
    drill_down(ctx, params, result)
    rest = {key: val for key, val in result.items() if key not in ("warnings", "findings")}
    page.standard_blocks(k.url_path, ctx, params, rest, kpis=False, charts=False)
    page.footer(k.url_path, ctx, params, result)


main()
