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

URL = "segmentation-explorer"
NS = "segmentation"
P = {p.key: p for p in seg.PARAMS}
K_CHOICES = [None] + list(range(2, 13))


def L(key: str, **kw: Any) -> str:
    return tr(f"{NS}.{key}", **kw)


def S(key: str, **kw: Any) -> str:
    """L for Markdown (captions, warnings, help): every value escaped."""
    return ui.say(f"{NS}.{key}", **kw)


def _sk(key: str) -> str:
    return f"{URL}:{key}"


def _help(key: str) -> str:
    return L(f"help.{key}")


def _choice(key: str, value: Any) -> str:
    return L(f"choice.{key}.{value}")


# ---------------------------------------------------------------- controls


def _float_list(key: str, label: str, container: Any, expected: int | None = None,
                ascending: bool = True) -> list[float] | None:
    """A comma-separated list of numbers bound to the URL; invalid input is explained and ignored."""
    p = Param(key, "str", None)
    raw = state.text(label, p, state_key=_sk(key), help=_help(key), container=container)
    if not raw or not str(raw).strip():
        return None
    try:
        vals = [parse_float(x.replace(" ", "")) for x in str(raw).replace("，", ",").split(",") if x.strip()]
    except ValueError:
        container.warning(S("tiers.bad_list", label=label, value=raw, reason=L("tiers.not_numbers")))
        return None
    if not vals or any(v < 0 for v in vals):
        container.warning(S("tiers.bad_list", label=label, value=raw, reason=L("tiers.not_numbers")))
        return None
    if ascending and sorted(vals) != vals:
        container.warning(S("tiers.bad_list", label=label, value=raw, reason=L("tiers.not_ascending")))
        return None
    if expected is not None and len(vals) != expected:
        container.warning(S("tiers.bad_list", label=label, value=raw, reason=L("tiers.count", n=expected)))
        return None
    return vals


def rfm_controls(box: Any) -> dict:
    c1, c2 = box.columns([2, 1])
    model = state.radio(L("param.model"), ["named", "cn8"], P["model"], state_key=_sk("model"),
                        format_func=lambda v: _choice("model", v), help=_help("model"), container=c1)
    days = state.number(L("param.compare_days"), P["compare_days"], state_key=_sk("compare_days"), step=1,
                        help=_help("compare_days"), container=c2)
    return {"model": model, "compare_days": int(days)}


def cluster_controls(box: Any) -> dict:
    c1, c2, c3 = box.columns([2, 1, 1])
    feats = state.multiselect(L("param.features"), list(seg.FEATURES), P["features"], state_key=_sk("features"),
                              format_func=lambda v: _choice("features", v), help=_help("features"), container=c1)
    k = state.selectbox(L("param.k"), K_CHOICES, P["k"], state_key=_sk("k"), help=_help("k"), container=c2,
                        format_func=lambda v: L("choice.k.auto") if v is None else str(v))
    seed_ = state.number(L("param.seed"), P["seed"], state_key=_sk("seed"), step=1, help=_help("seed"), container=c3)
    if not feats:
        c1.caption(L("clusters.default_features"))
    return {"features": feats or list(seg.DEFAULT_FEATURES), "k": k, "seed": int(seed_)}


def tier_controls(box: Any) -> dict:
    c1, c2 = box.columns(2)
    basis = state.selectbox(L("param.tier_basis"), ["spend", "points"], P["tier_basis"], state_key=_sk("tier_basis"),
                            format_func=lambda v: _choice("tier_basis", v), help=_help("tier_basis"), container=c1)
    current = _float_list("tier_thresholds", L("param.tier_thresholds"), c2)
    n_th = len(current) if current else 3
    c3, c4 = box.columns(2)
    whatif = _float_list("tier_whatif", L("param.tier_whatif"), c3, expected=n_th)
    costs = _float_list("tier_costs", L("param.tier_costs"), c4, expected=n_th + 1, ascending=False)
    return {"tier_basis": basis, "tier_thresholds": current, "tier_whatif": whatif, "tier_costs": costs}


def clv_controls(box: Any) -> dict:
    c1, c2, c3, c4 = box.columns(4)
    h = state.number(L("param.clv_horizon"), P["clv_horizon"], state_key=_sk("clv_horizon"), step=1,
                     help=_help("clv_horizon"), container=c1)
    disc = state.number(L("param.discount"), P["discount"], state_key=_sk("discount"), step=0.005,
                        help=_help("discount"), container=c2, fmt="%.3f")
    cal = state.date_value(L("param.clv_calibration_end"), P["clv_calibration_end"], state_key=_sk("clv_calibration_end"),
                           help=_help("clv_calibration_end"), container=c3)
    unit = state.selectbox(L("param.time_unit"), ["week", "day"], P["time_unit"], state_key=_sk("time_unit"),
                           format_func=lambda v: _choice("time_unit", v), help=_help("time_unit"), container=c4)
    return {"clv_horizon": int(h), "discount": float(disc), "clv_calibration_end": cal, "time_unit": unit}


# ---------------------------------------------------------------- result blocks


def _fig(figs: dict, key: str) -> None:
    if key in figs:
        ui.figure(figs[key], key=f"{URL}_fig_{key}")


def _cols(df: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    return df[[c for c in names if c in df.columns]].rename(columns=names)


def rfm_tab(result: dict, figs: dict) -> None:
    col = "group" if result["model"] == "named" else "group_cn"
    st.caption(L(f"metric.{col}"))
    _fig(figs, "groups")
    _fig(figs, "groups_bar")
    df = pd.DataFrame(result["rfm_groups"])
    if not df.empty:
        df["share"] = (df["share"] * 100).round(1)
        df["net_sales_share"] = (df["net_sales_share"] * 100).round(1)
        for c in ("avg_recency", "avg_frequency", "avg_monetary", "net_sales"):
            df[c] = df[c].round(1)
        ui.table(_cols(df, {"label": L("col.group"), "customers": L("col.customers"), "share": L("col.share_pct"),
                            "net_sales": L("col.net_sales"), "net_sales_share": L("col.net_sales_share_pct"),
                            "avg_recency": L("col.avg_recency"), "avg_frequency": L("col.avg_frequency"),
                            "avg_monetary": L("col.avg_monetary")}),
                 key=f"{URL}_groups", file_name=f"prism_{URL}_groups")
    st.markdown(f"**{L('rfm.movement')}**")
    st.caption(L("metric.transition"))
    _fig(figs, "transitions")


def clusters_tab(result: dict, figs: dict) -> None:
    cl = result.get("clusters") or {}
    if cl.get("error"):
        st.warning(S("clusters.refused", reason=cl["error"]), icon=":material/block:")
        return
    c1, c2, c3 = st.columns(3)
    c1.metric(L("kpi.k"), cl["k"], help=L("clusters.k_fixed") if cl.get("k_fixed") else
              S("clusters.k_auto", k=cl["k_auto"]))
    c2.metric(L("kpi.silhouette"), f"{cl['silhouette']:.2f}", help=L("metric.silhouette"))
    ari = (cl.get("stability") or {}).get("ari_mean")
    c3.metric(L("kpi.stability"), "—" if ari is None else f"{ari:.2f}", help=L("metric.stability"))
    _fig(figs, "clusters")
    df = pd.DataFrame(cl["profiles"])
    if not df.empty:
        df["label"] = [L("label.cluster", n=c) for c in df["cluster"]]
        df["share"] = (df["share"] * 100).round(1)
        df["net_sales_share"] = (df["net_sales_share"] * 100).round(1)
        for c in df.columns:
            if c.startswith(("avg_", "index_")):
                df[c] = df[c].round(1)
        names = {"label": L("col.cluster"), "customers": L("col.customers"), "share": L("col.share_pct"),
                 "net_sales_share": L("col.net_sales_share_pct")}
        for f in seg.FEATURES:
            names[f"avg_{f}"] = L("col.avg_feature", feature=_choice("features", f))
            names[f"index_{f}"] = L("col.index_feature", feature=_choice("features", f))
        st.caption(L("metric.cluster_index"))
        ui.table(_cols(df, names), key=f"{URL}_profiles", file_name=f"prism_{URL}_cluster_profiles")
    by_k = pd.DataFrame(cl.get("silhouette_by_k") or [])
    if not by_k.empty:
        with st.expander(L("clusters.by_k")):
            by_k["silhouette"] = by_k["silhouette"].round(3)
            ui.table(by_k.rename(columns={"k": L("kpi.k"), "silhouette": L("kpi.silhouette")}),
                     key=f"{URL}_by_k", file_name=f"prism_{URL}_silhouette_by_k")


def tiers_tab(result: dict, figs: dict) -> None:
    tiers = result.get("tiers") or {}
    if tiers.get("error"):
        st.warning(ui.md_escape(tiers["error"]), icon=":material/block:")
        return
    th = ", ".join(fmt_number(x, "en", 0 if float(x).is_integer() else 2) for x in tiers["thresholds"])
    st.caption(S("tiers.in_use", thresholds=th, basis=_choice("tier_basis", tiers.get("basis", "spend")),
                 costs=", ".join(fmt_number(c, "en", 0) for c in tiers["costs"])))
    st.caption(L("metric.tier_spend"))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(L("kpi.cost_current"), fmt_money(tiers["cost_current"], lang()), help=L("metric.benefit_cost"))
    if tiers.get("proposed"):
        c2.metric(L("kpi.cost_proposed"), fmt_money(tiers["cost_proposed"], lang()),
                  delta=fmt_money(tiers["cost_delta"], lang()), delta_color="inverse", help=L("metric.benefit_cost"))
        c3.metric(L("kpi.moved_up"), fmt_number(tiers["moved_up"], lang()))
        c4.metric(L("kpi.moved_down"), fmt_number(tiers["moved_down"], lang()))
    else:
        c2.caption(L("tiers.whatif_hint"))
    _fig(figs, "tiers")
    rows = []
    for i, cur in enumerate(tiers["current"]):
        r = {L("col.tier"): cur["name"], L("col.customers"): cur["customers"],
             L("col.share_pct"): round((cur["share"] or 0) * 100, 1), L("col.benefit_cost"): cur["benefit_cost"]}
        if tiers.get("proposed"):
            pr = tiers["proposed"][i]
            r[L("col.customers_proposed")] = pr["customers"]
            r[L("col.benefit_cost_proposed")] = pr["benefit_cost"]
        rows.append(r)
    ui.table(pd.DataFrame(rows), key=f"{URL}_tiers", file_name=f"prism_{URL}_tiers")
    if tiers.get("matrix"):
        names = [r["name"] for r in tiers["current"]]
        m = pd.DataFrame(tiers["matrix"], columns=[L("tiers.to", name=n) for n in names])
        m.insert(0, L("col.tier"), names)
        st.markdown(f"**{L('tiers.matrix')}**")
        ui.table(m, key=f"{URL}_tier_matrix", file_name=f"prism_{URL}_tier_moves")


def cohorts_tab(result: dict, figs: dict) -> None:
    coh = result.get("cohorts") or {}
    st.caption(L("metric.retention"))
    _fig(figs, "cohorts")
    st.caption(L("metric.cohort_revenue"))
    _fig(figs, "cohort_revenue")
    if coh.get("retention"):
        df = pd.DataFrame(coh["retention"], columns=[f"M{m}" for m in coh["months"]]).mul(100).round(1)
        df.insert(0, L("col.customers"), coh["sizes"])
        df.insert(0, L("label.cohort"), coh["cohorts"])
        st.markdown(f"**{L('cohorts.table')}**")
        ui.table(df, key=f"{URL}_cohorts", file_name=f"prism_{URL}_cohort_retention")
        if coh.get("last_month_partial"):
            st.caption(L("cohorts.partial"))


def clv_tab(result: dict, figs: dict) -> None:
    cv = result.get("clv") or {}
    if cv.get("error"):
        st.warning(ui.md_escape(cv["error"]), icon=":material/block:")
        return
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(L("kpi.clv_total"), fmt_money(cv["total"], lang()), help=L("metric.clv"))
    c2.metric(L("kpi.clv_mean"), fmt_money(cv.get("mean"), lang()), help=L("metric.clv"))
    c3.metric(L("kpi.customers_fitted"), fmt_number(cv["customers_fitted"], lang()), help=L("metric.customers_fitted"))
    c4.metric(L("kpi.top10_share"), fmt_pct(cv.get("top10_share"), lang()), help=L("metric.top10_share"))
    st.caption(S("clv.setup", h=cv["horizon"], disc=fmt_pct(cv["discount"], lang()), cal=str(cv["calibration_end"]),
                 unit=_choice("time_unit", cv["time_unit"])))
    st.markdown(f"**{L('clv.bands')}**")
    st.caption(L("metric.churn_risk") + " " + L("metric.p_alive"))
    bands = pd.DataFrame(cv["churn_bands"])
    if not bands.empty:
        bands["share"] = (bands["share"] * 100).round(1)
        bands["net_sales_share"] = (bands["net_sales_share"].astype(float) * 100).round(1)
        bands["clv"] = bands["clv"].round(2)
        ui.table(_cols(bands, {"label": L("col.band"), "customers": L("col.customers"), "share": L("col.share_pct"),
                               "net_sales_share": L("col.net_sales_share_pct"), "clv": L("col.clv")}),
                 key=f"{URL}_bands", file_name=f"prism_{URL}_churn_bands")
    _fig(figs, "clv")
    with st.expander(L("clv.params")):
        st.caption(L("clv.params_help"))
        prm = pd.DataFrame([{L("col.parameter"): k, L("col.value"): round(v, 4)} for k, v in cv["params"].items()])
        ui.table(prm, key=f"{URL}_clv_params", file_name=f"prism_{URL}_clv_params")


def drill_down(ctx: page.PageContext, params: dict, result: dict) -> None:
    st.subheader(L("drill.title"))
    st.caption(L("drill.help"))
    opts = seg.audience_options(result, lang())
    by_spec = {o["spec"]: o for o in opts}

    def fmt(spec: str | None) -> str:
        if spec is None:
            return L("drill.none")
        o = by_spec[spec]
        return L("drill.option", source=L(f"drill.source.{o['source']}"), segment=o["label"],
                 n=fmt_number(o["customers"], lang()))

    spec = state.selectbox(L("param.audience"), [None] + list(by_spec), P["audience"], state_key=_sk("audience"),
                           format_func=fmt, help=_help("audience"))
    if spec is None:
        return
    key = page.result_key(ctx, params)
    try:
        with st.spinner(L("drill.loading"), show_time=True):
            tab = cached.page_call(URL, "customer_table", ctx.datasets, key, lang())
        aud = seg.customers_in(tab, spec)
    except (ValueError, KeyError) as exc:
        st.info(S("drill.unavailable", reason=ui.exc_text(exc)))
        return
    o = by_spec[spec]
    st.caption(S("drill.count", n=fmt_number(len(aud), lang()), segment=o["label"],
                 cols=", ".join(c for c in aud.columns if c != "customer_id")))
    src, _, val = spec.partition(":")
    ui.table(aud, key=f"{URL}_audience", file_name=f"prism_audience_{src}_{seg.slug(val) if src in ('rfm', 'cn8') else val}",
             height=360)


# ---------------------------------------------------------------- page


def main() -> None:
    ctx = page.context()
    page.header(URL)
    if not page.require_kinds(URL, ctx):
        page.show_problems()
        return
    if seg.customers_only(ctx.kinds()):  # a CRM file without order lines (analytics.segmentation.crm)
        params = page.param_widgets(URL, [P["model"], P["k"], P["seed"]])
        result = page.compute(URL, ctx, params)
        if result is not None:
            page.standard_blocks(URL, ctx, params, result)
        return page.footer(URL, ctx, params, result)
    with st.expander(tr("page.filters"), icon=":material/tune:"):
        ad = state.date_value(L("param.analysis_date"), P["analysis_date"], state_key=_sk("analysis_date"),
                              help=_help("analysis_date"))
    top = st.container()
    labels = [L("tab.rfm"), L("tab.clusters"), L("tab.tiers"), L("tab.cohorts"), L("tab.clv")]
    tabs = st.tabs(labels)
    params: dict[str, Any] = {"analysis_date": ad}
    for tab, controls in zip(tabs, (rfm_controls, cluster_controls, tier_controls, None, clv_controls)):
        if controls is not None:
            with tab:
                box = st.container(border=True)
                params.update(controls(box))
    params.update({"detail": "summary", "audience": None})
    with top:
        result = page.compute(URL, ctx, params)
    page.show_problems()
    if result is None:
        page.footer(URL, ctx, params, result)
        return
    with top:
        ui.warnings(result.get("warnings") or [])
        ui.kpi_cards(NS, result["kpis"])
        st.caption(S("analysis_on", date=str(result["analysis_date"]), n=fmt_number(result["customers"], lang()),
                     ids=fmt_number(result["customer_ids"], lang())))
    figs = page.figures(URL, ctx, params)
    for tab, block in zip(tabs, (rfm_tab, clusters_tab, tiers_tab, cohorts_tab, clv_tab)):
        with tab:
            block(result, figs)
    ui.findings(result.get("findings") or [])
    drill_down(ctx, params, result)
    rest = {k: v for k, v in result.items() if k not in ("warnings", "findings")}
    page.standard_blocks(URL, ctx, params, rest, kpis=False, charts=False)
    page.footer(URL, ctx, params, result)


main()
