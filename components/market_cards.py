"""Market overview's key-figure cards and its one-click periods (the page draws them above the tabs)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from analytics.market.periods import day_to_date, quick_windows, to_day
from components import page, sidebar, ui
from components.i18n import fmt_date, fmt_pct, lang

KPI_ROWS = (("net_sales", "gross_sales", "returns", "aov"), ("orders", "buyers", "repeat_rate", "new_buyers",
                                                        "returning_buyers"))
UNITS_ROW = ("net_units", "units", "returned_units")  # an export without amounts (analytics/units.py)
LOWER_IS_BETTER = {"returns", "returned_units"}


def kpi_cards(k: page.Kit, result: dict) -> None:
    """The period's key figures as cards: change against the chosen comparison, the other comparison on
    hover, a sparkline of the complete periods; an export without amounts shows units instead."""
    kpis = result.get("kpis") or {}
    changes = result.get("kpi_changes") or {}
    per = result.get("period") or {}
    chosen = per.get("compare", "prev")
    other = "yoy" if chosen == "prev" else "prev"
    cmp_all = result.get("kpi_compare") or {}
    bp = result.get("by_period") or []
    window = k.t("page.window", start=fmt_date(per.get("start"), lang()), end=fmt_date(per.get("end"), lang()),
                grain=k.choice("grain", per.get("grain")).lower())
    if per.get(chosen):
        window += " · " + k.t(f"page.vs_{chosen}", start=fmt_date(per[chosen]["start"], lang()),
                              end=fmt_date(per[chosen]["end"], lang()))
    st.subheader(ui.md_escape(per.get("label") or ""), anchor=False, help=k.help("default_window"))
    st.caption(ui.md_escape(window))
    desc = k.t(f"page.delta_{chosen}")
    rows = (UNITS_ROW, *KPI_ROWS[1:]) if result.get("measure") == "units" else KPI_ROWS
    for row in rows:
        cols = st.columns(len(row))
        for col, name in zip(cols, row):
            if name not in kpis:
                continue
            value = kpis[name]
            ch = changes.get(name)
            help_ = k.help(name) or ""
            oc = (cmp_all.get(other) or {}).get("changes") or {}
            if oc.get(name) is not None:
                help_ += "\n\n" + k.t(f"page.other_{other}", pct=fmt_pct(oc[name], lang(), signed=True))
            whole = [r for r in bp if r.get("complete", True)]  # a partial period would read as a crash
            spark = [float(r.get(name) or 0) for r in whole] if len(whole) > 1 and all(name in r for r in whole) \
                else None
            shown, help_ = ui.kpi_card(name, value, help_, result.get("kpi_too_large"))
            col.metric(k.t(f"kpi.{name}"), shown,
                       delta=fmt_pct(ch, lang(), signed=True) if ch is not None else None,
                       delta_color="inverse" if name in LOWER_IS_BETTER else "normal",
                       delta_description=desc if ch is not None else None,
                       help=help_ or None, border=True, chart_data=spark, chart_type="area")


def quick_periods(k: page.Kit, result: dict, ctx: page.PageContext) -> None:
    """One click to the last complete month / quarter or the whole data (the callbacks set the sidebar's
    URL-bound dates); says why when the page shows the whole data instead of its default month."""
    per = result.get("period") or {}
    if not per.get("data_end"):
        return
    d0, d1 = (to_day(per[k]) for k in ("data_start", "data_end"))
    if ctx.start is None and ctx.end is None and (sidebar.page_default_window(k.url_path, ctx.datasets) or {}).get("fallback"):
        st.caption(k.say("page.whole_fallback", start=fmt_date(per["data_start"], lang()), end=fmt_date(per["data_end"], lang())))
    picks = quick_windows(d0, d1)
    no_compare = (result.get("kpi_compare") or {}).get(per.get("compare")) is None
    cols = st.columns([2] + [1] * len(picks))
    if no_compare:
        cols[0].caption(k.t("page.quick_hint"))
    for col, (name, s, e) in zip(cols[1:], picks):
        start, end = day_to_date(s), day_to_date(e)
        col.button(k.t(f"page.quick_{name}", start=fmt_date(start, lang()), end=fmt_date(end, lang())),
                   key=f"{k.url_path}_quick_{name}", on_click=_set_window, args=(start, end), icon=":material/date_range:")


def _set_window(start: date, end: date) -> None:
    st.session_state["start"] = start
    st.session_state["end"] = end
