"""The Promotion planner's acquisition ceiling tab (issue 17 item 6): what a new customer is worth over the
CLV horizon (the Segmentation explorer's cached CLV model), the largest cost per new customer that pays back,
per segment, and each channel's cost per new buyer against it. Numbers from ``analytics.acquisition`` through
``analytics.cached.acquisition_ceiling`` (no fit of its own), under a spinner: the tab runs only when it is
open (components.state.tabs), so the first time it is opened it may wait for the CLV fit. The margin is a
page parameter in the URL, and a link carrying it opens on this tab."""

from __future__ import annotations

from typing import Any

import streamlit as st

from analytics import cached
from analytics.common import AnalyticsError
from components import page, ui
from components.i18n import fmt_date, fmt_pct, lang


def acquisition_tab(v: Any) -> None:
    k = v.kit
    margin = page.param_widgets(k.url_path, [k.param("ceiling_margin")])["ceiling_margin"]
    key = page.result_key(v.ctx, {**v.params, "ceiling_margin": margin})
    try:
        with st.spinner(k.t("ceiling.computing"), show_time=True):  # the CLV fit over every order line, once
            res = cached.acquisition_ceiling(k.url_path, v.ctx.datasets, key, lang())
    except AnalyticsError as exc:
        ui.cannot_answer(exc, lead=False)  # the planner's reasons read as they are
        return
    ui.findings(res.get("findings") or [])
    ui.warnings(res.get("warnings") or [])
    if res.get("window"):
        start, end = res["window"]
        st.caption(k.say("ceiling.caption", start=fmt_date(start, lang()), end=fmt_date(end, lang()),
                         margin=fmt_pct(res.get("margin"), lang(), 0), h=res.get("horizon")))
    src = cached.source_of(res)  # the shared result: its tables are formatted once
    v.table("acquisition_ceiling.channels", res.get("channels") or None, key="ceiling_channels", source=src)
    v.table("acquisition_ceiling.segments", res.get("segments") or None, key="ceiling_segments", source=src)
