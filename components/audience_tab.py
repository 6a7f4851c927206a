"""The Segmentation page's "Audience assets" tab (AIPL / O-5A stage counts): per model the stage sizes over
time, the flow rates between stages and the stages next to spend and GMV, from the result's ``audience``
block (analytics.segmentation.stages); the action line first, the note that next to is not caused by last."""

from __future__ import annotations

import streamlit as st

from components import ui
from components.i18n import fmt_number, lang


def draw(v) -> None:
    """The tab's body from the page view ``v`` (components.page.View)."""
    k = v.kit
    block = v.get("audience") or {}
    st.caption(k.t("aud.intro"))
    ui.warnings(block.get("warnings") or [])
    if block.get("action"):
        st.info(ui.md_escape(block["action"]), icon=":material/flag:")
    for m in block.get("models") or []:
        model = m["model"]
        st.subheader(ui.md_escape(m["name"]))
        st.caption(k.say("aud.weeks", model=model, n=fmt_number(m["weeks"], lang()), first=m["first_week"] or "—",
                         last=m["last_week"] or "—"))
        latest = v.derive(block["stages"], ("model", model), lambda: [r for r in block["stages"] if r["model"] == model])
        if latest:
            cols = st.columns(len(latest))
            for c, r in zip(cols, latest):
                c.metric(ui.md_escape(r["stage"]), fmt_number(r["people"], lang()),
                         delta=None if r["wow_pct"] is None else f"{r['wow_pct']:+.1%}",
                         help=k.help("audience_wow"))
        st.markdown(f"**{k.t('aud.sizes')}**")
        st.caption(k.t("metric.audience_people"))
        v.figure(f"aud_sizes_{model}")
        v.table("audience.stages", latest, key=f"aud_stages_{model}")
        st.markdown(f"**{k.t('aud.flows')}**")
        if m["has_flows"]:
            st.caption(k.t("metric.audience_flow_rate"))
            v.figure(f"aud_flows_{model}")
            links = v.derive(block["links"], ("model", model), lambda: [r for r in block["links"] if r["model"] == model])
            v.table("audience.links", links, key=f"aud_links_{model}")
        else:
            st.caption(k.t("aud.no_flows"))
        if block.get("has_spend") or block.get("has_gmv"):
            st.markdown(f"**{k.t('aud.next_to')}**")
            st.caption(k.t("metric.audience_next_to"))
            v.figure(f"aud_next_{model}")
            corr = v.derive(block["correlations"], ("model", model),
                            lambda: [r for r in block["correlations"] if r["model"] == model])
            v.table("audience.correlations", corr, key=f"aud_corr_{model}")
    ui.findings(block.get("findings") or [])
    if block.get("note"):
        st.caption(ui.md_escape(block["note"]))
