"""The Data page's "Connect a table" section (issue 18, item 3): a table already in the engine's warehouse
(``PRISM_WAREHOUSE`` on DuckDB, the session catalogue on Spark) becomes a dataset without a copy. The user
picks a table and a kind, reviews the automatic mapping as for an upload, and confirms. ``me`` is the acting
user of the write ({"user", "role"}); the repository checks the role again where it writes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import cached
from components import auth, ui
from components.i18n import fmt_number, lang, tr
from data import engine
from data.errors import IngestError
from data.mapping import review_overrides
from data.schema import KINDS

REFUSALS, refused = ui.REFUSALS, ui.refused


def unavailable(exc: IngestError) -> ui.Markdown:
    """Why no warehouse table can be connected, in the user's language: no warehouse configured (the
    setting to make), else the engine's reason (the file that cannot be read or attached)."""
    if isinstance(exc, engine.WarehouseMissing) and engine.warehouse_path() is None:
        return ui.say("data.connect.not_configured")
    return ui.say("data.connect.unavailable", reason=str(exc))


def section(me: dict[str, str]) -> None:
    """List the warehouse's tables, check the chosen one as a dataset of a kind, map, confirm."""
    if not auth.require("upload"):
        return
    st.caption(tr("data.connect.intro"))
    try:
        tables = cached.warehouse_tables()
    except IngestError as exc:  # no warehouse configured, or it cannot be attached: say which setting
        st.info(unavailable(exc), icon=":material/database:")
        return
    except REFUSALS as exc:
        refused(exc)
        return
    if not tables:
        st.info(tr("data.connect.no_tables"), icon=":material/database:")
        return
    c1, c2 = st.columns(2)
    table = c1.selectbox(tr("data.connect.table"), tables, key="cx_table")
    kinds = list(KINDS)
    kind = c2.selectbox(tr("data.kind"), kinds, index=kinds.index("orders"), key="cx_kind",
                        format_func=lambda k: tr(f"kind.{k}"))
    okey = f"cx_ovr:{kind}:{table}"
    overrides = dict(st.session_state.get(okey, {}))
    pkey = f"cx_plan:{kind}:{table}:{sorted(overrides.items())}"
    plan = st.session_state.get(pkey)
    if plan is None:
        try:
            with st.spinner(ui.say("data.connect.checking", table=table)):
                plan = cached.plan_connection(kind, table, overrides or None)
        except IngestError as exc:
            st.error(ui.say("data.connect.rejected", reason=str(exc)), icon=":material/block:")
            if overrides and st.button(tr("data.connect.reset"), key="cx_reset"):
                st.session_state.pop(okey, None)
                st.rerun()
            return
        except REFUSALS as exc:
            refused(exc)
            return
        st.session_state[pkey] = plan

    st.markdown(f"**{tr('data.mapping')}**")
    rows = []
    for fld in KINDS[kind].fields:
        m = plan.suggested.get(fld.name)
        col = plan.mapping.get(fld.name, "")
        rows.append({"field": fld.name, "required": any(fld.name in g for g in KINDS[kind].required), "column": col,
                     "type": plan.types.get(col, ""),
                     "confidence": float(m.confidence) if m is not None and col == m.column else None})
    edited = st.data_editor(
        pd.DataFrame(rows), key=f"cx_map_{kind}_{table}", hide_index=True, width="stretch",
        disabled=["field", "required", "type", "confidence"],
        column_config={
            "field": st.column_config.TextColumn(tr("data.col.field")),
            "required": st.column_config.CheckboxColumn(tr("data.col.required")),
            "column": st.column_config.SelectboxColumn(tr("data.connect.col.column"), options=[""] + list(plan.columns)),
            "type": st.column_config.TextColumn(tr("data.connect.col.type")),
            "confidence": st.column_config.ProgressColumn(tr("data.col.confidence"), min_value=0.0, max_value=1.0,
                                                          format="percent"),
        },
    )
    asked = review_overrides(edited[["field", "column"]].to_dict("records"), plan.mapping)
    if asked is not None:
        st.session_state[okey] = asked
        st.rerun()
    st.success(ui.say("data.connect.checked", table=plan.ref.label, rows=fmt_number(plan.rows, lang()),
                      returns=fmt_number(plan.returns, lang())))
    for n in plan.notes:
        st.caption(ui.md_escape(n))
    name = st.text_input(tr("data.name"), value=plan.ref.label, key=f"cx_name_{table}")
    if st.button(tr("data.connect.confirm"), type="primary", key="cx_confirm", icon=":material/link:"):
        try:
            info = cached.connect_table(plan, name, **me)
        except IngestError as exc:
            st.error(ui.say("data.connect.rejected", reason=str(exc)), icon=":material/block:")
            return
        except REFUSALS as exc:
            refused(exc)
            return
        st.session_state.pop(pkey, None)
        st.success(ui.say("data.connect.stored", id=info["id"], name=info["name"], table=plan.ref.label,
                          rows=fmt_number(info["rows"], lang())))
