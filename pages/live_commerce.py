"""Live commerce (直播与达人): how the live room sells, which sessions work and why, what each creator deal and
content format is worth, and what to do next. Every number comes from analytics.live; tables from its TABLES."""

from __future__ import annotations

import streamlit as st

from components import page, ui
from components.i18n import fmt_pct, lang


def needs(kind: str, template: bool = True) -> None:
    """What to upload for a section whose dataset is missing (the template once per kind)."""
    st.info(v.kit.t(f"missing.{kind}"), icon=":material/upload_file:")
    if template:
        ui.empty_state(kind)


def kpi_cards(kpis: dict, conv_ci: list | None) -> None:
    """The KPI cards; conversion and engagement rate as percentages, conversion with its interval on hover."""
    items = list(kpis.items())
    for i in range(0, len(items), 4):
        for col, (name, value) in zip(st.columns(4), items[i: i + 4]):
            help_text = v.kit.help(name)
            if name in ("conversion", "engagement_rate"):
                shown = fmt_pct(value, lang(), 2)
                if name == "conversion" and conv_ci and conv_ci[0] is not None:
                    help_text = f"{help_text}\n\n" + v.kit.t("label.ci", lo=fmt_pct(conv_ci[0], lang(), 2),
                                                            hi=fmt_pct(conv_ci[1], lang(), 2))
            else:
                shown, help_text = ui.kpi_card(name, value, help_text)
            col.metric(v.kit.t(f"kpi.{name}"), shown, help=help_text)


v = page.frame(options={"platform": "platform_options"})
if v.result is not None:
    has = v.get("present") or {}
    kpi_cards(v.get("kpis") or {}, (v.get("kpi_intervals") or {}).get("conversion"))
    ui.findings(v.get("findings") or [])
    if v.get("next_steps"):
        with st.container(border=True):
            st.markdown(f"**{v.kit.t('label.next_steps')}**")
            for step in v.get("next_steps"):
                st.markdown("- " + ui.md_escape(step))
    t_room, t_sessions, t_creators, t_content = st.tabs([v.kit.t(f"tab.{k}") for k in ("room", "sessions", "creators",
                                                                                       "content")])
    with t_room:
        if has.get("live_sessions"):
            v.figure("funnel")
            v.table("funnel")
            v.figure("trend")
        else:
            needs("live_sessions")
    with t_sessions:
        if has.get("live_sessions"):
            st.caption(v.kit.t("label.league_caption", n=len(v.get("sessions") or []),
                               metric=v.kit.t(f"kpi.{v.get('rank_by') or 'gmv'}")))
            v.table("sessions")
            st.subheader(v.kit.t("label.hosts"))
            v.figure("hosts")
            v.table("hosts")
            st.subheader(v.kit.t("label.top_quarter"))
            st.caption(v.kit.t("label.top_quarter_caption"))
            v.table("top_quarter")
        else:
            needs("live_sessions", template=False)
    with t_creators:
        if has.get("creators"):
            v.figure("creators")
            st.caption(v.kit.t("label.creators_caption", margin=fmt_pct(v.params.get("margin") or 0, lang(), 0)))
            v.table("creators")
            if not has.get("orders"):
                st.info(v.kit.t("warning.no_orders"), icon=":material/info:")
        else:
            needs("creators")
    with t_content:
        if has.get("content"):
            v.figure("formats")
            v.table("formats")
            st.subheader(v.kit.t("label.top_content"))
            v.table("top_content")
        else:
            needs("content")
    v.data_behind()
v.footer()
