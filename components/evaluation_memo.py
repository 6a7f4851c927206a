"""Post-campaign evaluation's decision memo: the recommendation, the effect and its checks, saving the memo
as a saved object and its lift as an incrementality-ledger entry (components/ledger_save.py)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from analytics import cached
from analytics.common import jsonable
from components import auth, page, ui
from components.i18n import tr
from components.ledger_save import ledger_form


def memo(v: page.View, result: dict) -> None:
    """The decision memo, saving it (analyst and admin) and saving its lift to the incrementality ledger."""
    k = v.kit
    m = result.get("memo") or {}
    with st.container(border=True):
        st.subheader(k.t("page.memo"))
        rec = m.get("recommendation")
        box = {"scale_up": st.success, "iterate": st.warning, "stop": st.error}.get(rec, st.info)
        box(ui.md_escape(m.get("headline") or k.t(f"label.{rec}")) if rec else k.t("page.memo_none"),
            **({"icon": ":material/gavel:"} if rec else {}))
        if m.get("effect"):
            st.markdown(ui.md_escape(m["effect"]))
        for c in m.get("checks") or []:
            st.markdown("- " + ui.md_escape(c))
        if m.get("reason"):
            st.markdown("**" + ui.md_escape(m["reason"]) + "**")
        if st.button(k.t("page.save"), key="ev_save", icon=":material/save:") and auth.require("save"):
            name = " · ".join(x for x in (tr(f"nav.{k.url_path}"), m.get("arm") or "", date.today().isoformat()) if x)
            payload = {"page": k.url_path, "datasets": v.ctx.infos, "params": jsonable(v.params), "memo": m,
                       "kpis": result.get("kpis"), "query": {q: st.query_params.get_all(q) for q in st.query_params}}
            oid = ui.write(cached.save_object, "evaluation", name, v.ctx.user.get("username", ""), payload)
            if oid is not None:
                st.success(ui.md_escape(k.t("page.saved", id=oid, name=name)))
        ids = [ds for kind, ds, _ in v.ctx.datasets if kind in ("experiments", "orders")]
        ledger_form(result, v.params, ids[0] if ids else None)
