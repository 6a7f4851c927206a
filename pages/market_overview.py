"""Market overview: where sales are going (issue 4, DESIGN.md §4).

Layout: header -> empty state (no orders dataset) -> the view controls (grain, comparison, forecast
periods; category / channel / region filters with their options from the data), all bound to the URL ->
warnings -> KPI cards (value, change against the chosen comparison, the other comparison and the
definition on hover, a sparkline of the trend) -> "what to do next" -> tabs: trend with the promotion
calendar and own campaigns next to the forecast and its backtest; mix; seasonality; Pareto; market share
-> data behind the page -> share link and reports.

Every number comes from analytics.market through analytics.cached (page_result, page_figures and the
page helper filter_options via page_call), so the page, the HTML report and
``python -m analytics report market-overview`` show the same numbers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from analytics import cached
from analytics.market import DIMS, PARAMS
from analytics.market.periods import day_to_date, quick_windows, to_day
from components import page, sidebar, state, ui
from components.i18n import fmt_date, fmt_money, fmt_number, fmt_pct, lang, tr

URL = "market-overview"
NS = "market"
SPEC = {p.key: p for p in PARAMS}
KPI_ROWS = (("net_sales", "gross_sales", "returns", "aov"), ("orders", "buyers", "repeat_rate", "new_buyers",
                                                                "returning_buyers"))
LOWER_IS_BETTER = {"returns"}


def _sk(key: str) -> str:
    return f"{URL}:{key}"


def _t(key: str, **kw: Any) -> str:
    return tr(f"{NS}.{key}", **kw)


def S(key: str, **kw: Any) -> str:
    """The same text for Markdown (captions, warnings, help, labels): every value escaped."""
    return ui.say(f"{NS}.{key}", **kw)


def _choice(key: str, value: Any) -> str:
    k = f"{NS}.choice.{key}.{value}"
    text = tr(k)
    return str(value) if text == k else text


def _col(name: str) -> str:
    k = f"{NS}.col.{name}"
    text = tr(k)
    return name if text == k else text


def frame(rows: list[dict], cols: tuple[str, ...]) -> pd.DataFrame:
    """Rows as a table with the columns in ``cols`` (those present), headers in the user's language."""
    df = pd.DataFrame(rows)
    keep = [c for c in cols if c in df.columns]
    return df[keep].rename(columns={c: _col(c) for c in keep})


def pct_config(*names: str) -> dict:
    return {_col(n): st.column_config.NumberColumn(format="percent", help=ui.definition(NS, n)) for n in names}


# ---------------------------------------------------------------- controls


def controls(options: dict[str, list[str]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    c1, c2, c3 = st.columns([2, 2, 1])
    for key, col in (("grain", c1), ("compare", c2)):
        p = SPEC[key]
        params[key] = state.radio(page.param_label(NS, key), list(p.choices), p, state_key=_sk(key),
                                  format_func=lambda v, k=key: _choice(k, v), help=page.param_help(NS, key),
                                  container=col)
    params["horizon"] = int(state.number(page.param_label(NS, "horizon"), SPEC["horizon"], state_key=_sk("horizon"),
                                         step=1, help=page.param_help(NS, "horizon"), container=c3))
    active = sum(bool(st.session_state.get(_sk(d))) for d in DIMS)
    label = tr("page.filters") + (f" · {active}" if active else "")
    with st.expander(label, expanded=bool(active), icon=":material/tune:"):
        cols = st.columns(len(DIMS))
        for dim, col in zip(DIMS, cols):
            if options.get(dim):
                v = state.multiselect(page.param_label(NS, dim), options[dim], SPEC[dim], state_key=_sk(dim),
                                      help=page.param_help(NS, dim), container=col)
                params[dim] = v or None
            else:
                params[dim] = None
                col.caption(_t("page.no_dim", dim=_t(f"dim.{dim}")))
        params["calendar"] = state.selectbox(page.param_label(NS, "calendar"), list(SPEC["calendar"].choices),
                                             SPEC["calendar"], state_key=_sk("calendar"),
                                             format_func=lambda v: _choice("calendar", v),
                                             help=page.param_help(NS, "calendar"))
    return params


# ---------------------------------------------------------------- KPI cards


def kpi_cards(result: dict) -> None:
    kpis = result.get("kpis") or {}
    changes = result.get("kpi_changes") or {}
    per = result.get("period") or {}
    chosen = per.get("compare", "prev")
    other = "yoy" if chosen == "prev" else "prev"
    cmp_all = result.get("kpi_compare") or {}
    bp = result.get("by_period") or []
    window = _t("page.window", start=fmt_date(per.get("start"), lang()), end=fmt_date(per.get("end"), lang()),
                grain=_choice("grain", per.get("grain")).lower())
    if per.get(chosen):
        window += " · " + _t(f"page.vs_{chosen}", start=fmt_date(per[chosen]["start"], lang()),
                              end=fmt_date(per[chosen]["end"], lang()))
    st.subheader(ui.md_escape(per.get("label") or ""), anchor=False, help=ui.definition(NS, "default_window"))
    st.caption(ui.md_escape(window))
    desc = _t(f"page.delta_{chosen}")
    for row in KPI_ROWS:
        cols = st.columns(len(row))
        for col, name in zip(cols, row):
            if name not in kpis:
                continue
            value = kpis[name]
            ch = changes.get(name)
            help_ = ui.definition(NS, name) or ""
            oc = (cmp_all.get(other) or {}).get("changes") or {}
            if oc.get(name) is not None:
                help_ += "\n\n" + _t(f"page.other_{other}", pct=fmt_pct(oc[name], lang(), signed=True))
            whole = [r for r in bp if r.get("complete", True)]  # a partial period would read as a crash
            spark = [float(r.get(name) or 0) for r in whole] if len(whole) > 1 else None
            shown, help_ = ui.kpi_card(name, value, help_, result.get("kpi_too_large"))
            col.metric(_t(f"kpi.{name}"), shown,
                       delta=fmt_pct(ch, lang(), signed=True) if ch is not None else None,
                       delta_color="inverse" if name in LOWER_IS_BETTER else "normal",
                       delta_description=desc if ch is not None else None,
                       help=help_ or None, border=True, chart_data=spark, chart_type="area")


def quick_periods(result: dict, ctx: page.PageContext) -> None:
    """One click to the last complete month / quarter or the whole data (the callbacks set the sidebar's
    URL-bound dates); says why when the page shows the whole data instead of its default month."""
    per = result.get("period") or {}
    if not per.get("data_end"):
        return
    d0, d1 = (to_day(per[k]) for k in ("data_start", "data_end"))
    if ctx.start is None and ctx.end is None and (sidebar.page_default_window(URL, ctx.datasets) or {}).get("fallback"):
        st.caption(S("page.whole_fallback", start=fmt_date(per["data_start"], lang()), end=fmt_date(per["data_end"], lang())))
    picks = quick_windows(d0, d1)
    no_compare = (result.get("kpi_compare") or {}).get(per.get("compare")) is None
    cols = st.columns([2] + [1] * len(picks))
    if no_compare:
        cols[0].caption(_t("page.quick_hint"))
    for col, (name, s, e) in zip(cols[1:], picks):
        start, end = day_to_date(s), day_to_date(e)
        col.button(_t(f"page.quick_{name}", start=fmt_date(start, lang()), end=fmt_date(end, lang())),
                   key=f"{URL}_quick_{name}", on_click=_set_window, args=(start, end), icon=":material/date_range:")


def _set_window(start: date, end: date) -> None:
    st.session_state["start"] = start
    st.session_state["end"] = end


# ---------------------------------------------------------------- tabs


def trend_tab(result: dict, figs: dict[str, dict]) -> None:
    left, right = st.columns([3, 1])
    with left:
        if "trend" in figs:
            ui.figure(figs["trend"], key=f"{URL}_fig_trend")
        if "forecast" in figs:
            ui.figure(figs["forecast"], key=f"{URL}_fig_forecast")
    with right:
        forecast_panel(result)
    promos = result.get("promos") or []
    if promos:
        st.subheader(_t("page.promos"))
        st.caption(_t("page.promos_caption"))
        rows = [dict(r, source=_t(f"page.source_{r['source']}")) for r in promos]
        ui.table(frame(rows, ("label", "source", "start", "end", "daily_net_sales", "baseline_daily", "uplift")),
                 key=f"{URL}_v_promos", file_name=f"prism_{URL}_promotions",
                 column_config={_col("uplift"): st.column_config.NumberColumn(format="%.2f×",
                                                                               help=ui.definition(NS, "promo_uplift"))})
    bp = result.get("by_period") or []
    if bp:
        with st.expander(_t("page.by_period"), icon=":material/table:"):
            ui.table(frame(bp, ("period", "period_end", "complete", "gross_sales", "returns", "net_sales", "orders",
                                "buyers", "aov", "repeat_rate", "new_buyers", "returning_buyers")),
                     key=f"{URL}_v_by_period", file_name=f"prism_{URL}_by_period", column_config=pct_config("repeat_rate"))


def forecast_panel(result: dict) -> None:
    st.markdown(f"**{_t('page.forecast')}**")
    fc = result.get("forecast")
    if not fc:
        st.info(ui.md_escape(result.get("forecast_reason") or _t("page.no_forecast")), icon=":material/hourglass_empty:")
        return
    bt = result.get("backtest") or {}
    model = result.get("forecast_model") or {}
    f0 = fc[0]
    st.metric(_t("page.next_period", period=fmt_date(f0["period"], lang())), fmt_money(f0["value"], lang()),
              help=ui.definition(NS, "forecast"), border=True)
    st.caption(_t("page.interval", lo=fmt_money(f0["lower"], lang()), hi=fmt_money(f0["upper"], lang())))
    mape, base = bt.get("mape"), bt.get("baseline_mape")
    better = mape is not None and base is not None and mape <= base
    st.metric(_t("page.mape"), fmt_pct(mape, lang()), help=ui.definition(NS, "mape"), border=True,
              delta=_t("page.vs_baseline", base=fmt_pct(base, lang())) if base is not None else None,
              delta_color="normal" if better else "inverse", delta_arrow="off")
    st.metric(_t("page.coverage"), fmt_pct(bt.get("coverage"), lang()), help=ui.definition(NS, "coverage"), border=True)
    st.caption(S("page.backtest_caption", points=fmt_number(bt.get("points"), lang()), origins=bt.get("origins"),
                  baseline=_t(f"page.baseline_{bt.get('baseline', 'seasonal_naive')}")))
    if model.get("explanation"):
        st.caption(ui.md_escape(model["explanation"]))
    with st.expander(_t("page.forecast_table"), icon=":material/table:"):
        ui.table(frame(fc, ("period", "value", "lower", "upper")), key=f"{URL}_v_forecast", file_name=f"prism_{URL}_forecast")
        ui.table(frame(bt.get("rows") or [], ("actual", "forecast", "lower", "upper", "baseline")),
                 key=f"{URL}_v_backtest", file_name=f"prism_{URL}_backtest")


def mix_tab(result: dict, figs: dict[str, dict]) -> None:
    mix = result.get("mix") or {}
    shown = False
    for dim in DIMS:
        rows = mix.get(dim)
        if not rows:
            st.caption(_t("page.no_dim", dim=_t(f"dim.{dim}")))
            continue
        shown = True
        if f"mix_{dim}" in figs:
            ui.figure(figs[f"mix_{dim}"], key=f"{URL}_fig_mix_{dim}")
        ui.table(frame(rows, ("value", "net_sales", "share", "base_net_sales", "base_share", "share_change", "growth",
                              "contribution")).rename(columns={_col("value"): _t(f"page.dim_title.{dim}")}),
                 key=f"{URL}_v_mix_{dim}", file_name=f"prism_{URL}_mix_{dim}",
                 column_config=pct_config("share", "base_share", "share_change", "growth", "contribution"))
    if not shown:
        st.info(_t("page.no_mix"), icon=":material/info:")


def seasonality_tab(result: dict, figs: dict[str, dict]) -> None:
    any_ = False
    for key in ("weekday", "month"):
        if key in figs:
            any_ = True
            ui.figure(figs[key], key=f"{URL}_fig_{key}")
            st.caption(ui.definition(NS, f"{key}_index") or "")
    if not any_:
        st.info(_t("page.no_seasonality"), icon=":material/info:")


def pareto_tab(result: dict, figs: dict[str, dict]) -> None:
    par = result.get("pareto") or {}
    c1, c2 = st.columns(2)
    for col, name, n in ((c1, "top_20pct_products_share", "products"), (c2, "top_20pct_customers_share", "customers")):
        col.metric(_t(f"page.{name}"), fmt_pct(par.get(name), lang()), help=ui.definition(NS, name), border=True)
        if par.get(n):
            col.caption(_t(f"page.pareto_n_{n}", n=fmt_number(par[n], lang())))
    if "pareto" in figs:
        ui.figure(figs["pareto"], key=f"{URL}_fig_pareto")


def share_tab(result: dict, figs: dict[str, dict], ctx: page.PageContext) -> None:
    ms = result.get("market_share")
    if not ms:
        if "market" in ctx.kinds():
            st.info(_t("page.share_no_overlap"), icon=":material/info:")
            return
        with st.container(border=True):
            st.markdown(f"**{_t('page.share_empty_title')}**")
            st.write(_t("page.share_empty_body"))
            path = ui.SAMPLES / "market.csv"
            if path.exists():
                st.download_button(tr("empty.template", kind=tr("kind.market")), data=path.read_bytes(),
                                   file_name="prism_template_market.csv", mime="text/csv", key=f"{URL}_tpl_market",
                                   icon=":material/download:", on_click="ignore")
        return
    latest = ms["latest"]
    c1, c2, c3 = st.columns(3)
    c1.metric(S("page.latest_share", period=latest["period"][:7]), fmt_pct(latest["share"], lang(), 2),
              delta=(_t("page.pp", pp=f"{ms['share_change'] * 100:+.2f}") if ms.get("share_change") is not None else None),
              help=ui.definition(NS, "market_share"), border=True)
    c2.metric(_t("page.market_growth"), fmt_pct(ms["market_growth"], lang(), signed=True)
              if ms.get("market_growth") is not None else "—", border=True)
    c3.metric(_t("page.our_growth"), fmt_pct(ms["our_growth"], lang(), signed=True)
              if ms.get("our_growth") is not None else "—", border=True)
    st.caption(_t(f"page.share_source_{ms.get('source', 'orders')}"))
    if "market_share" in figs:
        ui.figure(figs["market_share"], key=f"{URL}_fig_share")
    ui.table(frame(ms.get("trend") or [], ("period", "market_size", "our_sales", "share")), key=f"{URL}_v_share",
             file_name=f"prism_{URL}_market_share", column_config=pct_config("share"))


# ---------------------------------------------------------------- page

ctx = page.context()
page.header(URL)
if not page.require_kinds(URL, ctx):
    page.show_problems()
    page.footer(URL, ctx, {}, None)
    st.stop()

options = cached.page_call(URL, "filter_options", ctx.datasets, cached.freeze_params({}), lang())
params = controls(options)
page.show_problems()  # after the widgets: they note the link's invalid values while reading it
result = page.compute(URL, ctx, params)

if result is not None:
    ui.warnings(result.get("warnings") or [])
    kpi_cards(result)
    quick_periods(result, ctx)
    ui.findings(result.get("findings") or [])
    figs = page.figures(URL, ctx, params)
    tabs = st.tabs([_t(f"tab.{k}") for k in ("trend", "mix", "seasonality", "pareto", "share")])
    with tabs[0]:
        trend_tab(result, figs)
    with tabs[1]:
        mix_tab(result, figs)
    with tabs[2]:
        seasonality_tab(result, figs)
    with tabs[3]:
        pareto_tab(result, figs)
    with tabs[4]:
        share_tab(result, figs, ctx)
    page.standard_blocks(URL, ctx, params, {k: v for k, v in result.items() if k not in ("warnings", "findings", "kpis")},
                         kpis=False, charts=False)

page.footer(URL, ctx, params, result)
