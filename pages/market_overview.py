"""Market overview: where sales are going. Every number comes from analytics.market (tables from its TABLES),
so the page, the HTML report and ``python -m analytics report market-overview`` show the same numbers."""

from __future__ import annotations

from typing import Any

import streamlit as st

from analytics import tables
from analytics.market import DIMS
from analytics.market.mix import shown as mix_value
from analytics.market.presenting import month_label
from analytics.tables import Col
from components import market_cards, page, state, ui
from components.i18n import fmt_date, fmt_money, fmt_number, fmt_pct, lang, tr



# ---------------------------------------------------------------- controls


def controls(k: page.Kit, options: dict[str, list[str]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    c1, c2, c3 = st.columns([2, 2, 1])
    for key, col in (("grain", c1), ("compare", c2)):
        p = k.param(key)
        params[key] = state.radio(k.param_label(key), list(p.choices), p, state_key=k.sk(key),
                                  format_func=lambda v, key=key: k.choice(key, v), help=k.param_help(key),
                                  container=col)
    params["horizon"] = int(state.number(k.param_label("horizon"), k.param("horizon"), state_key=k.sk("horizon"),
                                         step=1, help=k.param_help("horizon"), container=c3))
    active = sum(bool(st.session_state.get(k.sk(d))) for d in DIMS)
    label = tr("page.filters") + (f" · {active}" if active else "")
    with st.expander(label, expanded=bool(active), icon=":material/tune:"):
        cols = st.columns(len(DIMS))
        for dim, col in zip(DIMS, cols):
            if options.get(dim):
                params[dim] = state.multiselect(k.param_label(dim), options[dim], k.param(dim), state_key=k.sk(dim),
                                                format_func=lambda x, dim=dim: mix_value(dim, x, lang()),
                                                help=k.param_help(dim), container=col) or None
            else:
                params[dim] = None
                col.caption(k.t("page.no_dim", dim=k.t(f"dim.{dim}")))
        params["calendar"] = state.selectbox(k.param_label("calendar"), list(k.param("calendar").choices),
                                             k.param("calendar"), state_key=k.sk("calendar"),
                                             format_func=lambda v: k.choice("calendar", v),
                                             help=k.param_help("calendar"))
    return params


# ---------------------------------------------------------------- tabs


def trend_tab(result: dict) -> None:
    left, right = st.columns([3, 1])
    with left:
        v.figure("trend")
        v.figure("forecast")
    with right:
        forecast_panel(result)
    promos = result.get("promos") or []
    if promos:
        st.subheader(k.t("page.promos"))
        st.caption(k.t("page.promos_caption"))
        v.table("promos", edit={"source": lambda s: k.t(f"page.source_{s}")})
    bp = result.get("by_period") or []
    if bp:
        with st.expander(k.t("page.by_period"), icon=":material/table:"):
            v.table("by_period")


def forecast_panel(result: dict) -> None:
    st.markdown(f"**{k.t('page.forecast')}**")
    fc = result.get("forecast")
    if not fc:
        st.info(ui.md_escape(result.get("forecast_reason") or k.t("page.no_forecast")), icon=":material/hourglass_empty:")
        return
    bt = result.get("backtest") or {}
    model = result.get("forecast_model") or {}
    f0 = fc[0]
    st.metric(k.t("page.next_period", period=fmt_date(f0["period"], lang())), fmt_money(f0["value"], lang()),
              help=k.help("forecast"), border=True)
    st.caption(k.t("page.interval", lo=fmt_money(f0["lower"], lang()), hi=fmt_money(f0["upper"], lang())))
    mape, base = bt.get("mape"), bt.get("baseline_mape")
    better = mape is not None and base is not None and mape <= base
    st.metric(k.t("page.mape"), fmt_pct(mape, lang()), help=k.help("mape"), border=True,
              delta=k.t("page.vs_baseline", base=fmt_pct(base, lang())) if base is not None else None,
              delta_color="normal" if better else "inverse", delta_arrow="off")
    st.metric(k.t("page.coverage"), fmt_pct(bt.get("coverage"), lang()), help=k.help("coverage"), border=True)
    st.caption(k.say("page.backtest_caption", points=fmt_number(bt.get("points"), lang()), origins=bt.get("origins"),
                  baseline=k.t(f"page.baseline_{bt.get('baseline', 'seasonal_naive')}")))
    if model.get("explanation"):
        st.caption(ui.md_escape(model["explanation"]))
    with st.expander(k.t("page.forecast_table"), icon=":material/table:"):
        v.table("forecast")
        v.table("backtest.rows", bt.get("rows"), key="backtest")


def grow_tab(result: dict) -> None:
    """GROW: the change of identified buyers' gross sales split into penetration, frequency and price."""
    grow = result.get("grow")
    if not grow or grow.get("buyers_effect") is None:
        st.info(ui.md_escape((grow or {}).get("reason_text") or k.t("page.grow_none")), icon=":material/info:")
        return
    v.figure("grow")
    v.table("grow.rows", grow["rows"], key="grow")
    st.caption(k.help("grow") or "")


def mix_tab(result: dict) -> None:
    mix = result.get("mix") or {}
    shown = False
    for dim in DIMS:
        rows = mix.get(dim)
        if not rows:
            st.caption(k.t("page.no_dim", dim=k.t(f"dim.{dim}")))
            continue
        shown = True
        v.figure(f"mix_{dim}")
        cols = (Col("value", "text", label=f"market.page.dim_title.{dim}"),) + tables.spec(k.module, f"mix.{dim}")[1:]
        v.table(f"mix.{dim}", rows, cols=cols, key=f"mix_{dim}",
                edit={"value": lambda x, dim=dim: mix_value(dim, x, lang())})  # a channel as its platform's name
    if not shown:
        st.info(k.t("page.no_mix"), icon=":material/info:")


def seasonality_tab(result: dict) -> None:
    any_ = False
    for key in ("weekday", "month"):
        if v.figure(key):
            any_ = True
            st.caption(k.help(f"{key}_index") or "")
    if not any_:
        st.info(k.t("page.no_seasonality"), icon=":material/info:")


def pareto_tab(result: dict) -> None:
    par = result.get("pareto") or {}
    c1, c2 = st.columns(2)
    for col, name, n in ((c1, "top_20pct_products_share", "products"), (c2, "top_20pct_customers_share", "customers")):
        col.metric(k.t(f"page.{name}"), fmt_pct(par.get(name), lang()), help=k.help(name), border=True)
        if par.get(n):
            col.caption(k.t(f"page.pareto_n_{n}", n=fmt_number(par[n], lang())))
    v.figure("pareto")


def share_tab(result: dict) -> None:
    ms = result.get("market_share")
    if not ms:
        if "market" in v.ctx.kinds():
            st.info(k.t("page.share_no_overlap"), icon=":material/info:")
            return
        with st.container(border=True):
            st.markdown(f"**{k.t('page.share_empty_title')}**")
            st.write(k.t("page.share_empty_body"))
            path = ui.SAMPLES / "market.csv"
            if path.exists():
                st.download_button(tr("empty.template", kind=tr("kind.market")), data=path.read_bytes(),
                                   file_name="prism_template_market.csv", mime="text/csv", key=f"{k.url_path}_tpl_market",
                                   icon=":material/download:", on_click="ignore")
        return
    latest = ms["latest"]
    c1, c2, c3 = st.columns(3)
    c1.metric(k.say("page.latest_share", period=month_label(latest["period"], lang())),
              fmt_pct(latest["share"], lang(), 2),
              delta=(k.t("page.pp", pp=f"{ms['share_change'] * 100:+.2f}") if ms.get("share_change") is not None else None),
              help=k.help("market_share"), border=True)
    for col, name in ((c2, "market_growth"), (c3, "our_growth")):  # the definition; why it is missing
        missing = ms.get(name) is None
        why = "\n\n" + k.t("page.growth_missing", period=month_label(latest["period"], lang())) if missing else ""
        col.metric(k.t(f"page.{name}"), "—" if missing else fmt_pct(ms[name], lang(), signed=True),
                   help=(k.help(name) or "") + why, border=True)
    st.caption(k.t(f"page.share_source_{ms.get('source', 'orders')}"))
    v.figure("market_share")
    v.table("market_share.trend", ms.get("trend"), key="share")


# ---------------------------------------------------------------- page

v = page.frame(options="filter_options", controls=controls)
k = v.kit
if v.result is not None:
    market_cards.kpi_cards(k, v.result)
    market_cards.quick_periods(k, v.result, v.ctx)
    ui.findings(v.get("findings") or [])
    tabs = st.tabs([k.t(f"tab.{name}") for name in ("trend", "grow", "mix", "seasonality", "pareto", "share")])
    for tab, draw in zip(tabs, (trend_tab, grow_tab, mix_tab, seasonality_tab, pareto_tab, share_tab)):
        with tab:
            draw(v.result)
    v.data_behind()
v.footer()
