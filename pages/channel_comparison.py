"""Channel comparison: which channels pay, how sure we are, and where the next unit of budget returns most.
Every number comes from analytics.channels; tables from its TABLES."""

from __future__ import annotations

import streamlit as st

from analytics.channels.base import shown
from components import page, ui
from components.i18n import fmt_number, lang

v = page.frame(options={"by": "by_options"})
if v.result is not None:
    k = v.kit
    # channel names in the tables as in the texts and on the planner (抖音 in Chinese); the data keeps its own
    name = {"channel": lambda c: shown(c, lang(), v.get("by"))}
    channel_name = {"channel": lambda c: shown(c, lang())}  # rows by channel whatever ``by``
    ui.kpi_cards(k.ns, v.get("kpis") or {})
    if v.get("mode") == "channels":
        best = v.get("best_next_channel")
        bc = next((c for c in v.get("curves") or [] if c.get("channel") == best), None)
        with st.container(border=True):
            st.metric(k.t("label.best_next"),
                      k.say("label.best_next_value", channel=shown(best, lang(), v.get("by")),
                            m=fmt_number(bc.get("marginal_roas"), lang(), 2))
                      if bc else k.t("label.no_best_next"), help=k.help("marginal_roas"))
    ui.findings(v.get("findings") or [])

    if v.get("mode") == "orders":
        (t_orders,) = st.tabs([k.t("tab.orders")])
        with t_orders:
            v.figure("orders")
            v.table("orders_by_channel", edit=channel_name)
    else:
        tabs = st.tabs([k.t(f"tab.{name}") for name in ("kpis", "incrementality", "curves", "significance", "trends",
                                                          "funnel")])
        with tabs[0]:
            v.figure("kpis")
            st.caption(k.t("label.ci_caption"))
            v.table("channels", edit=name)
        with tabs[1]:
            v.figure("incrementality")
            st.caption(k.t("label.incr_caption"))
            v.table("incrementality", edit=channel_name)
            if not any(r.get("attribution") for r in v.get("incrementality") or []):
                st.caption(k.t("label.no_attribution"))
        with tabs[2]:
            v.figure("curves")
            st.caption(k.t("label.curves_caption"))
            fitted = [c for c in v.get("curves") or [] if c.get("a") is not None]
            ranked = sorted(fitted, key=lambda c: (c.get("marginal_roas") is None, -(c.get("marginal_roas") or 0)))
            v.table("curves", ranked, edit=name)
        with tabs[3]:
            st.caption(k.t("label.sig_caption"))
            if v.get("significant_pairs"):
                v.table("significant_pairs", edit={"metric": lambda m: k.t(f"kpi.{m}"), "a": name["channel"],
                                                   "b": name["channel"]})
            else:
                st.info(k.t("label.no_sig"))
        with tabs[4]:
            if not v.figure("trends"):
                st.caption(k.t("warning.snapshot"))
        with tabs[5]:
            v.figure("funnel")
    v.data_behind()
v.footer()
