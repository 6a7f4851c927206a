"""Data: upload exports (with mapping review, preview and validation report: components/upload_review.py),
list, rename, replace, delete and download datasets, templates per kind. The frame draws the header; the
page has no result of its own (each dataset's quality report is in its row)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import cached
from analytics.datasets import FIELD_COLUMNS, REVISION_COLUMNS
from components import auth, connect_table, page, ui, upload_join
from components.export import to_csv_bytes
from components.i18n import fmt_number, lang, tr
from components.upload_review import REFUSALS, kind_label, refused, upload_one
from data import limits as upload_limits
from data.errors import IngestError, StoreError
from data.schema import KINDS



def _when(value: object) -> str:
    """A revision's upload time as the datasets table shows it (YYYY-MM-DD HH:MM; none: "")."""
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M") if value is not None and not pd.isna(value) else ""


v = page.frame(filters=False, result=False)
ctx = v.ctx
can_upload = auth.can("upload")
me = {"user": ctx.user["username"], "role": ctx.user["role"]}  # the acting user of every write below

tab_upload, tab_connect, tab_list, tab_templates = st.tabs([tr("data.tab.upload"), tr("data.tab.connect"),
                                                            tr("data.tab.datasets"), tr("data.tab.templates")])

with tab_upload:
    if not can_upload:
        auth.require("upload")
    else:
        files = st.file_uploader(tr("data.upload"), accept_multiple_files=True, help=tr("data.upload_help"),
                                 type=["csv", "tsv", "txt", "xlsx", "gz", "xls"], key="uploader")
        try:
            st.caption(ui.say("datasets.limits.caption", **upload_limits.describe()))
        except IngestError as exc:  # a bad PRISM_MAX_* setting: say which, never a traceback
            st.error(ui.exc_text(exc), icon=":material/block:")
        for f in upload_join.groups(files):
            with st.container(border=True):
                upload_one(f, me, can_upload)

with tab_connect:  # a warehouse table as a dataset, without a copy
    connect_table.section(me)

with tab_list:
    try:
        datasets = cached.list_datasets()
    except StoreError as exc:
        refused(exc)
        datasets = []
    if not datasets:
        st.info(tr("data.none_yet"))
    else:
        table = pd.DataFrame([{
            "id": d["id"], tr("data.col.name"): d["name"], tr("data.col.kind"): kind_label(d["kind"]),
            tr("data.col.rows"): d["rows"], tr("data.col.revision"): d["revision"],
            tr("data.col.uploader"): d["uploaded_by"],
            tr("data.col.date"): pd.Timestamp(d["updated_at"]).strftime("%Y-%m-%d %H:%M") if d["updated_at"] else "",
        } for d in datasets])
        st.dataframe(table, hide_index=True, width="stretch", key="ds_table")
        by_id = {d["id"]: d for d in datasets}
        sel = st.selectbox(tr("data.pick"), list(by_id), key="data_pick",
                           format_func=lambda i: f"#{i} {by_id[i]['name']} ({kind_label(by_id[i]['kind'])})")
        d = by_id[sel]
        may = cached.may_change_dataset(d, **me)  # the repository's rule: an analyst's own, or an admin
        a1, a2, a3 = st.columns(3)
        if may:
            with a1.popover(tr("data.rename"), icon=":material/edit:"):
                new = st.text_input(tr("data.new_name"), value=d["name"], key=f"rn_{sel}")
                if st.button(tr("data.rename"), key=f"rn_btn_{sel}"):
                    try:
                        cached.rename_dataset(sel, new, **me)
                    except REFUSALS as exc:
                        refused(exc)
                    except ValueError:
                        st.error(tr("datasets.name_empty"))
                    else:
                        st.rerun()
        if may:
            with a2.popover(tr("data.delete"), icon=":material/delete:"):
                st.warning(ui.say("data.delete_confirm", name=d["name"], rows=fmt_number(d["rows"], lang())))
                typed = st.text_input(ui.say("data.type_id", id=sel), key=f"del_t_{sel}")
                if st.button(tr("data.delete"), type="primary", key=f"del_btn_{sel}", disabled=typed.strip() != str(sel)):
                    try:
                        cached.delete_dataset(sel, **me)
                    except REFUSALS as exc:
                        refused(exc)
                    else:
                        st.rerun()
        elif auth.can("delete"):
            a2.caption(auth.denied_message("delete_others"))
        else:
            a2.caption(auth.denied_message("delete"))
        a3.download_button(
            tr("data.download"), data=lambda: to_csv_bytes(cached.frame(sel, d["revision"])),
            file_name=f"prism_dataset_{sel}.csv", mime="text/csv", key=f"dl_ds_{sel}", icon=":material/download:",
            on_click="ignore",
        )
        st.markdown(f"**{tr('data.revisions')}**")
        ui.spec_table("datasets", REVISION_COLUMNS, cached.revisions(sel), key=f"revs_{sel}",
                      file_name=f"revisions_{sel}", edit={"uploaded_at": _when})
        with st.expander(tr("data.quality"), icon=":material/fact_check:"):
            key = ((d["kind"], sel, d["revision"]),)
            res = cached.page_result("data", key, cached.freeze_params({}), lang())
            summary = res["quality"][0]
            ui.findings(res.get("findings") or [])
            ui.spec_table("datasets", FIELD_COLUMNS, summary["fields"], key=f"q_{sel}", file_name=f"quality_{sel}")
            st.download_button(tr("page.report"), data=lambda: cached.report_html("data", key, cached.freeze_params({}), lang(), ctx.user["username"]),
                               file_name=f"prism_data_{sel}.html", mime="text/html", key=f"rep_{sel}",
                               icon=":material/description:", on_click="ignore")

with tab_templates:
    st.write(tr("data.templates_intro"))
    cols = st.columns(4)
    for i, k in enumerate(KINDS):
        path = ui.SAMPLES / f"{k}.csv"
        if path.exists():
            cols[i % 4].download_button(kind_label(k), data=path.read_bytes(), file_name=f"prism_template_{k}.csv",
                                        mime="text/csv", key=f"tpl_tab_{k}", icon=":material/download:", on_click="ignore")
