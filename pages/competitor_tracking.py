"""Competitor tracking: what competitors do with prices and promotions, and what it does to us. Every number
comes from analytics.competitors; tables from its TABLES."""

from __future__ import annotations

from typing import Any

import streamlit as st

from components import page, state, ui
from components.i18n import fmt_date, fmt_list, fmt_number, fmt_pct, lang, tr

TREND_FIGS = ("trend_share", "trend_rating", "trend_followers", "trend_reviews")


# ---------------------------------------------------------------- empty state


def empty_state(k: page.Kit, ctx: page.PageContext) -> None:
    with st.container(border=True):
        st.markdown(f"**{k.t('page.empty_what_title')}**")
        st.markdown(k.t("page.empty_what"))
        st.caption(k.t("page.empty_columns"))
        if "orders" in ctx.kinds():
            st.caption(k.t("page.empty_orders_ready"))


# ---------------------------------------------------------------- controls


def threshold_slider(k: page.Kit, container: Any) -> float:
    """The price-move threshold as a percentage slider, bound to the URL as a fraction (threshold=0.15)."""
    p, key = k.param("threshold"), k.sk("threshold")
    state.seed(key, p)
    if st.session_state.get(key) is None:
        st.session_state[key] = p.default
    v = container.slider(k.param_label("threshold"), min_value=float(p.min), max_value=float(p.max), step=0.01,
                         value=float(st.session_state[key]), format="percent", key=key, help=k.param_help("threshold"))
    v = round(float(v), 4)
    state.sync(key, p, v)
    return v


def controls(k: page.Kit, options: dict) -> dict[str, Any]:
    params: dict[str, Any] = {}
    c1, c2, c3 = st.columns([2, 2, 1])
    detected = options.get("detected_own")
    auto = k.t("page.own_auto", name=detected) if detected else k.t("page.own_auto_none")
    params["own"] = state.selectbox(k.param_label("own"), [None] + list(options.get("competitor") or []),
                                    k.param("own"), state_key=k.sk("own"), help=k.param_help("own"), container=c1,
                                    format_func=lambda v: auto if v is None else str(v))
    params["threshold"] = threshold_slider(k, c2)
    params["window"] = int(state.number(k.param_label("window"), k.param("window"), state_key=k.sk("window"), step=1,
                                        help=k.param_help("window"), container=c3))
    active = sum(bool(st.session_state.get(k.sk(d))) for d in ("product", "category"))
    with st.expander(tr("page.filters") + (f" · {active}" if active else ""), expanded=bool(active), icon=":material/tune:"):
        for dim, col in zip(("product", "category"), st.columns(2)):
            if options.get(dim):
                params[dim] = state.multiselect(k.param_label(dim), options[dim], k.param(dim), state_key=k.sk(dim),
                                                help=k.param_help(dim), container=col) or None
            else:
                params[dim] = None
                col.caption(k.t("page.no_dim", dim=k.t(f"dim.{dim}")))
    return params


# ---------------------------------------------------------------- key figures


def key_figures() -> None:
    own, kf, el = v.get("own") or {}, v.get("key_figures") or {}, v.get("elasticity")
    if own.get("source") == "brand":
        st.caption(ui.md_escape(k.t("page.own_brand", name=own.get("name"), by=k.t(f"page.match_{own.get('match_by')}"))))
    elif own.get("source") == "orders":
        st.caption(ui.md_escape(k.t("page.own_orders", by=k.t(f"page.match_{own.get('match_by')}"))))
    idx, week = kf.get("latest_index"), kf.get("latest_week")
    c = st.columns(5)
    c[0].metric(k.t("page.kpi_index"), k.fmt(idx, "index"), border=True, help=k.help("price_index"), delta_color="off",
                delta=k.t("page.vs_par", pct=fmt_pct(idx / 100 - 1, lang(), 1, signed=True)) if idx is not None else None,
                delta_description=k.t("page.week_of", week=fmt_date(week, lang())) if week else None)
    c[1].metric(k.t("page.kpi_events"), k.fmt(kf.get("events"), "count"), help=k.help("events"), border=True,
                delta=k.t("page.outside_festivals", n=k.fmt(kf.get("events_outside_festivals"), "count")) if kf.get("events") else None,
                delta_color="off", delta_arrow="off")
    c[2].metric(k.t("page.kpi_competitors"), k.fmt(kf.get("rivals"), "count"), border=True, help=k.t("page.kpi_competitors_help"))
    c[3].metric(k.t("page.kpi_discount"), k.fmt(kf.get("avg_discount"), "percent"), help=k.help("avg_discount"), border=True,
                delta=k.t("page.promo_freq", pct=k.fmt(kf.get("promo_share"), "percent", 0)) if kf.get("promo_share") is not None else None,
                delta_color="off", delta_arrow="off")
    c[4].metric(k.t("page.kpi_elasticity"), f"{el['value']:.2f}" if el else k.t("page.not_claimed"), border=True,
                delta=k.t("page.ci", lo=f"{el['ci_low']:.2f}", hi=f"{el['ci_high']:.2f}", n=fmt_number(el["n"], lang()))
                if el else None,
                delta_color="off", delta_arrow="off", help=k.help("elasticity"))


# ---------------------------------------------------------------- tabs


def index_tab() -> None:
    if v.figure("price_index"):
        st.caption(k.help("price_index") or "")
        v.table("price_index_summary")
    else:
        st.info(k.t("page.no_index"), icon=":material/info:")


def moves_tab() -> None:
    v.figure("price_timeline")
    st.caption(k.say("page.events_caption", thr=fmt_pct(v.get("threshold"), lang(), 0), days=v.get("window")))
    if v.get("events"):
        v.table("events")
    else:
        st.info(k.t("page.no_events", thr=fmt_pct(v.get("threshold"), lang(), 0)), icon=":material/info:")


def promo_tab() -> None:
    if not v.figure("discount"):
        st.info(k.t("page.no_discount"), icon=":material/info:")
    v.table("competitors", cols=(("competitor", "text"), ("avg_price", "money"), ("avg_discount", "percent"),
                                 ("promo_share", "percent"), ("events", "count")), key="promo")


def trends_tab() -> None:
    shown = [name for name in TREND_FIGS if v.figure(name)]
    if not shown:
        st.info(k.t("page.no_trends"), icon=":material/info:")


def own_tab() -> None:
    el = v.get("elasticity")
    v.figure("own_vs_competitors")
    with st.container(border=True):
        st.markdown(f"**{k.t('page.elasticity_title')}**")
        if el:
            c1, c2, c3 = st.columns(3)
            c1.metric(k.t("page.kpi_elasticity"), f"{el['value']:.2f}", help=k.help("elasticity"))
            c2.metric(k.t("page.ci_label"), f"{el['ci_low']:.2f} – {el['ci_high']:.2f}")
            c3.metric(k.t("page.weeks"), fmt_number(el["n"], lang()))
            st.markdown(ui.md_escape(el.get("reading") or ""))
            st.caption(k.say("page.elasticity_controls", controls=fmt_list(el.get("controls") or [], lang()),
                             measure=k.t(f"label.volume_{el.get('measure') or 'quantity'}")))
        else:
            st.info(ui.md_escape(v.get("elasticity_reason") or k.t("page.not_claimed")), icon=":material/block:")
    has_chart = v.figure("elasticity")
    if not (v.get("own_vs_competitors") or {}).get("weeks") and not has_chart:
        st.caption(k.t("page.no_own_volume"))


def competitors_tab() -> None:
    mark = " " + k.t("page.own_mark")
    v.table("competitors", [dict(r, competitor=r["competitor"] + mark) if r.get("is_own") else r
                            for r in v.get("competitors") or []])


# ---------------------------------------------------------------- page

v = page.frame(options="filter_options", controls=controls, empty=empty_state)
k = v.kit
if v.result is not None:
    key_figures()
    ui.findings(v.get("findings") or [])
    tabs = st.tabs([k.t(f"tab.{name}") for name in ("index", "moves", "promo", "trends", "own", "table")])
    for tab, draw in zip(tabs, (index_tab, moves_tab, promo_tab, trends_tab, own_tab, competitors_tab)):
        with tab:
            draw()
    v.data_behind()
v.footer()
