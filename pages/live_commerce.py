"""live-commerce (直播与达人): how the live room sells, which sessions work and why, what each creator deal and
content format is worth, and what to do next.

Layout: header -> empty state (none of live sessions, creator deals, content) -> URL-bound filters -> warnings,
KPI cards, findings and "what to do next" -> tabs (live room, sessions, creators, content; a tab whose dataset
is missing says what to upload) -> data behind the page -> share link and reports. All numbers come from
analytics.live via analytics.cached; tables render from analytics.live.TABLES.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import cached
from analytics.live import LIVE_KINDS, PARAMS, TABLES
from components import page, ui
from components.i18n import fmt_pct, lang, tr

URL = "live-commerce"
NS = "live"
FORMATS = {"money": "%.2f", "count": "localized", "percent": "percent", "number": "%.2f"}


def show_table(name: str, rows: list[dict], **extra) -> None:
    """A result table from its declared spec: translated headers, value formats, CSV download."""
    if not rows:
        return
    df = pd.DataFrame(rows)
    spec = [(c, kind) for c, kind in TABLES[name] if c in df.columns and df[c].notna().any()]
    out = df[[c for c, _ in spec]].rename(columns={c: tr(f"{NS}.col.{c}") for c, _ in spec})
    config = {tr(f"{NS}.col.{c}"): st.column_config.NumberColumn(tr(f"{NS}.col.{c}"), format=FORMATS[kind],
                                                                  help=ui.definition(NS, c))
              for c, kind in spec if kind in FORMATS}
    ui.table(out, key=f"{URL}_v_{name}", file_name=f"prism_{URL}_{name}", column_config=config, **extra)


def needs(kind: str, template: bool = True) -> None:
    """What to upload for a section whose dataset is missing (the template once per kind)."""
    st.info(tr(f"{NS}.missing.{kind}"), icon=":material/upload_file:")
    if template:
        ui.empty_state(kind)


def kpi_cards(kpis: dict, conv_ci: list | None) -> None:
    """The KPI cards; conversion and engagement rate as percentages, conversion with its interval on hover."""
    items = list(kpis.items())
    for i in range(0, len(items), 4):
        for col, (name, value) in zip(st.columns(4), items[i: i + 4]):
            help_text = ui.definition(NS, name)
            if name in ("conversion", "engagement_rate"):
                shown = fmt_pct(value, lang(), 2)
                if name == "conversion" and conv_ci and conv_ci[0] is not None:
                    help_text = f"{help_text}\n\n" + tr(f"{NS}.label.ci", lo=fmt_pct(conv_ci[0], lang(), 2),
                                                       hi=fmt_pct(conv_ci[1], lang(), 2))
            else:
                shown, help_text = ui.kpi_card(name, value, help_text)
            col.metric(tr(f"{NS}.kpi.{name}"), shown, help=help_text)


def figure(figs: dict, key: str) -> None:
    if key in figs:
        ui.figure(figs[key], key=f"{URL}_fig_{key}")


ctx = page.context()
page.header(URL)
for ds_id in ctx.missing:
    st.warning(ui.say("page.missing_dataset", id=ds_id), icon=":material/link_off:")

if not (set(LIVE_KINDS) & ctx.kinds()):
    page.show_problems()
    st.info(tr(f"{NS}.empty.any"), icon=":material/info:")
    for kind in LIVE_KINDS:
        ui.empty_state(kind)
    page.footer(URL, ctx, {}, None)
    st.stop()

options = cached.page_call(URL, "platform_options", ctx.datasets, cached.freeze_params({}), lang())
with st.expander(tr("page.filters"), expanded=False, icon=":material/tune:"):
    params = page.param_widgets(URL, PARAMS, options={"platform": options})
page.show_problems()  # after the widgets: they note the link's invalid values while reading it
result = page.compute(URL, ctx, params)

if result is not None:
    has = result.get("present") or {}
    ui.warnings(result.get("warnings") or [])
    kpi_cards(result.get("kpis") or {}, (result.get("kpi_intervals") or {}).get("conversion"))
    ui.findings(result.get("findings") or [])
    if result.get("next_steps"):
        with st.container(border=True):
            st.markdown(f"**{tr(f'{NS}.label.next_steps')}**")
            for step in result["next_steps"]:
                st.markdown("- " + ui.md_escape(step))
    figs = page.figures(URL, ctx, params)
    t_room, t_sessions, t_creators, t_content = st.tabs([tr(f"{NS}.tab.{k}") for k in ("room", "sessions", "creators",
                                                                                       "content")])
    with t_room:
        if has.get("live_sessions"):
            figure(figs, "funnel")
            show_table("funnel", result.get("funnel") or [])
            figure(figs, "trend")
        else:
            needs("live_sessions")
    with t_sessions:
        if has.get("live_sessions"):
            st.caption(tr(f"{NS}.label.league_caption", n=len(result.get("sessions") or []),
                          metric=tr(f"{NS}.kpi.{result.get('rank_by') or 'gmv'}")))
            show_table("sessions", result.get("sessions") or [])
            st.subheader(tr(f"{NS}.label.hosts"))
            figure(figs, "hosts")
            show_table("hosts", result.get("hosts") or [])
            st.subheader(tr(f"{NS}.label.top_quarter"))
            st.caption(tr(f"{NS}.label.top_quarter_caption"))
            show_table("top_quarter", result.get("top_quarter") or [])
        else:
            needs("live_sessions", template=False)
    with t_creators:
        if has.get("creators"):
            figure(figs, "creators")
            st.caption(ui.say(f"{NS}.label.creators_caption", margin=f"{float(params.get('margin') or 0) * 100:.0f}%"))
            show_table("creators", result.get("creators") or [])
            if not has.get("orders"):
                st.info(tr(f"{NS}.warning.no_orders"), icon=":material/info:")
        else:
            needs("creators")
    with t_content:
        if has.get("content"):
            figure(figs, "formats")
            show_table("formats", result.get("formats") or [])
            st.subheader(tr(f"{NS}.label.top_content"))
            show_table("top_content", result.get("top_content") or [])
        else:
            needs("content")
    page.standard_blocks(URL, ctx, params, {k: v for k, v in result.items() if k not in ("warnings", "findings", "kpis")},
                         kpis=False, charts=False)

page.footer(URL, ctx, params, result)
