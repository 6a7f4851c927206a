"""Home: what is in the workspace and which page answers which question."""

from __future__ import annotations

import streamlit as st

from analytics import cached
from analytics.registry import PAGES, script
from components import page, ui
from components.i18n import fmt_number, lang, tr

k = page.kit(page.context().url_path)
st.title(k.t("title"))
st.caption(k.t("subtitle"))

datasets = cached.list_datasets()
by_kind: dict[str, list[dict]] = {}
for d in datasets:
    by_kind.setdefault(d["kind"], []).append(d)

cols = st.columns(4)
for i, kind in enumerate(("orders", "customers", "channels", "competitors", "experiments", "feedback", "market",
                          "media_mix", "live_sessions", "creators", "content", "audience")):
    items = by_kind.get(kind, [])
    rows = sum(d["rows"] for d in items)
    cols[i % 4].metric(k.t(f"datasets.{kind}"), fmt_number(len(items), lang()),  # datasets of the kind
                       help=k.t("kind_help", rows=fmt_number(rows, lang())))

st.subheader(k.t("questions"))
grid = st.columns(3)
for i, p in enumerate([p for p in PAGES if p.url_path != "data"]):
    with grid[i % 3].container(border=True):
        st.page_link(p.script, label=tr(f"nav.{p.url_path}"), icon=p.icon)
        st.caption(k.t(f"q.{p.url_path}"))
with st.container(border=True):
    st.page_link(script("data"), label=tr("nav.data"), icon=":material/database:")
    st.caption(k.t("q.data"))
if not datasets:
    st.info(tr("data.none_yet"))
ui.findings([k.t("next")])
