"""Competitor tracking: what competitors do with prices and promotions, and what it does to us (issue 4).

Layout: header -> empty state with the competitors template and what the page will show (no competitor
dataset, e.g. on an orders dataset alone) -> the view controls (own brand chosen from the data's
competitor names, price-move threshold, reference window; product / category filters), all bound to the
URL -> warnings -> key figures -> "what to do next" -> tabs: price index; price and promotion timeline
with the price moves marked and listed; discount depth and promotion frequency; share / rating /
follower / review trends; own sales next to competitor moves with the cross-price elasticity (or why it
is not claimed); the competitors table -> data behind the page -> share link and reports.

Every number comes from analytics.competitors through analytics.cached (page_result, page_figures and
the page helper filter_options via page_call), so the page, the HTML report and
``python -m analytics report competitor-tracking`` show the same numbers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analytics import cached
from analytics.competitors import PARAMS
from components import page, state, ui
from components.i18n import fmt_date, fmt_number, fmt_pct, lang, tr

URL = "competitor-tracking"
NS = "competitors"
SPEC = {p.key: p for p in PARAMS}
TREND_FIGS = ("trend_share", "trend_rating", "trend_followers", "trend_reviews")
EVENT_COLS = ("date", "competitor", "product", "price", "reference_price", "change_pct", "promo", "in_festival")
COMP_COLS = ("competitor", "observations", "products", "first_seen", "last_seen", "avg_price", "avg_discount",
             "promo_share", "events", "latest_rating", "rating_change", "latest_reviews", "latest_followers",
             "followers_change", "latest_share", "share_change", "latest_sales_volume")
PCT_COLS = ("change_pct", "avg_discount", "promo_share", "latest_share", "share_change")


def _sk(key: str) -> str:
    return f"{URL}:{key}"


def _t(key: str, **kw: Any) -> str:
    return tr(f"{NS}.{key}", **kw)


def S(key: str, **kw: Any) -> str:
    """The same text for Markdown (captions, warnings, help, labels): every value escaped."""
    return ui.say(f"{NS}.{key}", **kw)


def _col(name: str) -> str:
    k = f"{NS}.col.{name}"
    text = tr(k)
    return name if text == k else text


def frame(rows: list[dict], cols: tuple[str, ...]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    keep = [c for c in cols if c in df.columns and not df[c].isna().all()]
    return df[keep].rename(columns={c: _col(c) for c in keep})


def col_config(*names: str) -> dict:
    out = {}
    for n in names:
        fmt = "percent" if n in PCT_COLS else None
        out[_col(n)] = st.column_config.NumberColumn(format=fmt, help=ui.definition(NS, n)) if fmt else \
            st.column_config.Column(help=ui.definition(NS, n))
    return out


# ---------------------------------------------------------------- empty state


def empty_state(ctx: page.PageContext) -> None:
    with st.container(border=True):
        st.markdown(f"**{_t('page.empty_what_title')}**")
        st.markdown(_t("page.empty_what"))
        st.caption(_t("page.empty_columns"))
        if "orders" in ctx.kinds():
            st.caption(_t("page.empty_orders_ready"))


# ---------------------------------------------------------------- controls


def threshold_slider(container: Any) -> float:
    """The price-move threshold as a percentage slider, bound to the URL as a fraction (threshold=0.15)."""
    p = SPEC["threshold"]
    key = _sk("threshold")
    state.seed(key, p)
    if st.session_state.get(key) is None:
        st.session_state[key] = p.default
    v = container.slider(page.param_label(NS, "threshold"), min_value=float(p.min), max_value=float(p.max), step=0.01,
                         value=float(st.session_state[key]), format="percent", key=key,
                         help=page.param_help(NS, "threshold"))
    v = round(float(v), 4)
    state.sync(key, p, v)
    return v


def controls(options: dict) -> dict[str, Any]:
    params: dict[str, Any] = {}
    c1, c2, c3 = st.columns([2, 2, 1])
    detected = options.get("detected_own")
    auto = _t("page.own_auto", name=detected) if detected else _t("page.own_auto_none")
    params["own"] = state.selectbox(page.param_label(NS, "own"), [None] + list(options.get("competitor") or []),
                                    SPEC["own"], state_key=_sk("own"), help=page.param_help(NS, "own"), container=c1,
                                    format_func=lambda v: auto if v is None else str(v))
    params["threshold"] = threshold_slider(c2)
    params["window"] = int(state.number(page.param_label(NS, "window"), SPEC["window"], state_key=_sk("window"), step=1,
                                        help=page.param_help(NS, "window"), container=c3))
    active = sum(bool(st.session_state.get(_sk(d))) for d in ("product", "category"))
    with st.expander(tr("page.filters") + (f" · {active}" if active else ""), expanded=bool(active), icon=":material/tune:"):
        f1, f2 = st.columns(2)
        for dim, col in (("product", f1), ("category", f2)):
            if options.get(dim):
                v = state.multiselect(page.param_label(NS, dim), options[dim], SPEC[dim], state_key=_sk(dim),
                                      help=page.param_help(NS, dim), container=col)
                params[dim] = v or None
            else:
                params[dim] = None
                col.caption(_t("page.no_dim", dim=_t(f"dim.{dim}")))
    return params


# ---------------------------------------------------------------- key figures


def latest_index(result: dict) -> tuple[float | None, str | None]:
    pi = result.get("price_index") or []
    if not pi:
        return None, None
    last = max(r["period"] for r in pi)
    latest = [r["index"] for r in pi if r["period"] == last]
    return sum(latest) / len(latest), last


def key_figures(result: dict) -> None:
    own = result.get("own") or {}
    src = own.get("source")
    if src == "brand":
        st.caption(ui.md_escape(_t("page.own_brand", name=own.get("name"), by=_t(f"page.match_{own.get('match_by')}"))))
    elif src == "orders":
        st.caption(ui.md_escape(_t("page.own_orders", by=_t(f"page.match_{own.get('match_by')}"))))
    idx, week = latest_index(result)
    rivals = [c for c in result.get("competitors") or [] if not c.get("is_own")]
    disc = [c["avg_discount"] for c in rivals if c.get("avg_discount") is not None]
    promo = [c["promo_share"] for c in rivals if c.get("promo_share") is not None]
    events = result.get("events") or []
    el = result.get("elasticity")
    c = st.columns(5)
    c[0].metric(_t("page.kpi_index"), f"{idx:.0f}" if idx is not None else "—",
                delta=(_t("page.vs_par", pct=fmt_pct(idx / 100 - 1, lang(), 1, signed=True)) if idx is not None else None),
                delta_color="off", help=ui.definition(NS, "price_index"), border=True,
                delta_description=_t("page.week_of", week=fmt_date(week, lang())) if week else None)
    c[1].metric(_t("page.kpi_events"), fmt_number(len(events), lang()),
                delta=_t("page.outside_festivals", n=fmt_number(sum(not e.get("in_festival") for e in events), lang()))
                if events else None, delta_color="off", delta_arrow="off",
                help=ui.definition(NS, "events"), border=True)
    c[2].metric(_t("page.kpi_competitors"), fmt_number(len(rivals), lang()), border=True,
                help=_t("page.kpi_competitors_help"))
    c[3].metric(_t("page.kpi_discount"), fmt_pct(sum(disc) / len(disc), lang()) if disc else "—",
                delta=_t("page.promo_freq", pct=fmt_pct(sum(promo) / len(promo), lang(), 0)) if promo else None,
                delta_color="off", delta_arrow="off", help=ui.definition(NS, "avg_discount"), border=True)
    c[4].metric(_t("page.kpi_elasticity"), f"{el['value']:.2f}" if el else _t("page.not_claimed"),
                delta=_t("page.ci", lo=f"{el['ci_low']:.2f}", hi=f"{el['ci_high']:.2f}", n=el["n"]) if el else None,
                delta_color="off", delta_arrow="off", help=ui.definition(NS, "elasticity"), border=True)


# ---------------------------------------------------------------- tabs


def index_tab(result: dict, figs: dict) -> None:
    if "price_index" in figs:
        ui.figure(figs["price_index"], key=f"{URL}_fig_index")
        st.caption(ui.definition(NS, "price_index") or "")
        ui.table(frame(result.get("price_index_summary") or [], ("key", "weeks", "latest_period", "latest_index",
                                                                 "mean_index")),
                 key=f"{URL}_v_index", file_name=f"prism_{URL}_price_index_summary",
                 column_config={_col("latest_index"): st.column_config.NumberColumn(format="%.0f"),
                                _col("mean_index"): st.column_config.NumberColumn(format="%.0f")})
    else:
        st.info(_t("page.no_index"), icon=":material/info:")


def moves_tab(result: dict, figs: dict) -> None:
    if "price_timeline" in figs:
        ui.figure(figs["price_timeline"], key=f"{URL}_fig_timeline")
    st.caption(S("page.events_caption", thr=fmt_pct(result.get("threshold"), lang(), 0), days=result.get("window")))
    events = result.get("events") or []
    if events:
        ui.table(frame(events, EVENT_COLS), key=f"{URL}_v_events", file_name=f"prism_{URL}_price_moves",
                 column_config=col_config("change_pct", "reference_price"))
    else:
        st.info(_t("page.no_events", thr=fmt_pct(result.get("threshold"), lang(), 0)), icon=":material/info:")


def promo_tab(result: dict, figs: dict) -> None:
    if "discount" in figs:
        ui.figure(figs["discount"], key=f"{URL}_fig_discount")
    else:
        st.info(_t("page.no_discount"), icon=":material/info:")
    rows = result.get("competitors") or []
    ui.table(frame(rows, ("competitor", "avg_price", "avg_discount", "promo_share", "events")), key=f"{URL}_v_promo",
             file_name=f"prism_{URL}_discounts", column_config=col_config("avg_price", "avg_discount", "promo_share", "events"))


def trends_tab(result: dict, figs: dict) -> None:
    shown = [k for k in TREND_FIGS if k in figs]
    for k in shown:
        ui.figure(figs[k], key=f"{URL}_fig_{k}")
    if not shown:
        st.info(_t("page.no_trends"), icon=":material/info:")


def own_tab(result: dict, figs: dict) -> None:
    el = result.get("elasticity")
    if "own_vs_competitors" in figs:
        ui.figure(figs["own_vs_competitors"], key=f"{URL}_fig_own_vs")
    with st.container(border=True):
        st.markdown(f"**{_t('page.elasticity_title')}**")
        if el:
            c1, c2, c3 = st.columns(3)
            c1.metric(_t("page.kpi_elasticity"), f"{el['value']:.2f}", help=ui.definition(NS, "elasticity"))
            c2.metric(_t("page.ci_label"), f"{el['ci_low']:.2f} – {el['ci_high']:.2f}")
            c3.metric(_t("page.weeks"), fmt_number(el["n"], lang()))
            st.markdown(ui.md_escape(el.get("reading") or ""))
            st.caption(S("page.elasticity_controls", controls=", ".join(el.get("controls") or []),
                          measure=_t(f"label.volume_{el.get('measure') or 'quantity'}")))
        else:
            st.info(ui.md_escape(result.get("elasticity_reason") or _t("page.not_claimed")), icon=":material/block:")
    if "elasticity" in figs:
        ui.figure(figs["elasticity"], key=f"{URL}_fig_elasticity")
    ov = (result.get("own_vs_competitors") or {}).get("weeks") or []
    if not ov and "elasticity" not in figs:
        st.caption(_t("page.no_own_volume"))


def competitors_tab(result: dict) -> None:
    rows = [dict(r, competitor=(r["competitor"] + " " + _t("page.own_mark")) if r.get("is_own") else r["competitor"])
            for r in result.get("competitors") or []]
    ui.table(frame(rows, COMP_COLS), key=f"{URL}_v_competitors", file_name=f"prism_{URL}_competitors",
             column_config=col_config(*[c for c in COMP_COLS if c != "competitor"]))


# ---------------------------------------------------------------- page

ctx = page.context()
page.header(URL)
if not page.require_kinds(URL, ctx):
    empty_state(ctx)
    page.show_problems()
    page.footer(URL, ctx, {}, None)
    st.stop()

options = cached.page_call(URL, "filter_options", ctx.datasets, cached.freeze_params({}), lang())
params = controls(options)
page.show_problems()  # after the widgets: they note the link's invalid values while reading it
result = page.compute(URL, ctx, params)

if result is not None:
    ui.warnings(result.get("warnings") or [])
    key_figures(result)
    ui.findings(result.get("findings") or [])
    figs = page.figures(URL, ctx, params)
    tabs = st.tabs([_t(f"tab.{k}") for k in ("index", "moves", "promo", "trends", "own", "table")])
    with tabs[0]:
        index_tab(result, figs)
    with tabs[1]:
        moves_tab(result, figs)
    with tabs[2]:
        promo_tab(result, figs)
    with tabs[3]:
        trends_tab(result, figs)
    with tabs[4]:
        own_tab(result, figs)
    with tabs[5]:
        competitors_tab(result)
    page.standard_blocks(URL, ctx, params, {k: v for k, v in result.items() if k not in ("warnings", "findings")},
                         kpis=False, charts=False)

page.footer(URL, ctx, params, result)
