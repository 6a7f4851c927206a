"""Reviewing one upload on the Data page: the kind and mode, read options and presets, the column mapping
(with a question for a required field no column matched), preview, validation report, and the commit with
its progress. ``me`` is the acting user of every write ({"user", "role"})."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import streamlit as st

from analytics import cached
from components import ui, upload_join
from components.i18n import fmt_number, lang, tr
from data.errors import IngestError, StoreError
from data.mapping import FIXED, doubtful, review_overrides
from data.schema import KINDS

REFUSALS, refused = ui.REFUSALS, ui.refused


def kind_label(k: str) -> str:
    return tr(f"kind.{k}")


def ask_missing(f, kind: str, overrides: dict, exc: IngestError) -> None:
    """A required field no column matched: a column of the file for it, or one value for every row (a
    one-platform export: channel = Facebook). The answer joins the review's overrides."""
    field = exc.missing_fields[0]
    with st.container(border=True):
        st.markdown(ui.say("data.missing.title", field=field, kind=tr(f"kind.{kind}")))
        st.caption(ui.say("data.missing.help", field=field))
        c1, c2 = st.columns(2)
        col = c1.selectbox(tr("data.missing.column"), list(exc.columns), index=None, key=f"miss_col_{f.file_id}_{field}",
                           placeholder=tr("data.missing.column_placeholder"))
        fixed = c2.text_input(tr("data.missing.fixed"), key=f"miss_fix_{f.file_id}_{field}",
                              placeholder=tr("data.missing.fixed_placeholder"))
        if st.button(tr("data.missing.apply"), key=f"miss_ok_{f.file_id}_{field}", disabled=not (col or fixed.strip()),
                     icon=":material/check:"):
            st.session_state[f"ovr:{f.file_id}:{kind}"] = {**overrides, field: col or FIXED + fixed.strip()}
            st.rerun()


def _prepared_key(file_id: str, kind: str, overrides: dict, opts: tuple) -> str:
    return f"prep:{file_id}:{kind}:{sorted(overrides.items())}:{opts}"


def upload_one(f: Any, me: dict[str, str], can_upload: bool) -> None:
    """Review and commit one uploaded file (or a group of files joined into one dataset)."""
    group = isinstance(f, upload_join.JoinGroup)
    st.subheader(ui.md_escape(f.name))
    c1, c2, c3 = st.columns(3)
    guess = st.session_state.get(f"guess:{f.file_id}") or getattr(f, "kind_guess", None)
    if guess is None:
        try:
            guess = cached.guess_kind(f.getvalue(), f.name)
        except IngestError:
            guess = "orders"
        st.session_state[f"guess:{f.file_id}"] = guess
    kinds = list(KINDS)
    kind = c1.selectbox(tr("data.kind"), kinds, index=kinds.index(guess), format_func=kind_label,
                        key=f"kind_{f.file_id}", help=tr("data.kind_help"))
    mode = c2.selectbox(tr("data.mode"), ["create", "append", "replace"], format_func=lambda m: tr(f"data.mode.{m}"),
                        key=f"mode_{f.file_id}")
    target = None
    if mode != "create":
        of_kind = cached.list_datasets(kind)
        same = [d for d in of_kind if cached.may_change_dataset(d, **me)]  # only what this user may change
        if not same:
            c3.info(ui.say("datasets.no_target_yours", kind=kind_label(kind)) if of_kind
                    else ui.say("data.no_target", kind=kind_label(kind)))
            return
        target = c3.selectbox(tr("data.target"), [d["id"] for d in same], key=f"target_{f.file_id}",
                              format_func=lambda i, b={d["id"]: d for d in same}: f"{b[i]['name']} · #{i}")
    with st.expander(tr("data.read_options"), icon=":material/settings:"):
        o1, o2, o3 = st.columns(3)
        enc = o1.selectbox(tr("data.encoding"), ["", "utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "cp1252",
                                                 "latin-1", "cp1250"],
                           key=f"enc_{f.file_id}", format_func=lambda e: e or tr("data.auto"))
        delim = o2.selectbox(tr("data.delimiter"), ["", ",", ";", "\t", "|", " "], key=f"del_{f.file_id}",
                             format_func=lambda d: {"": tr("data.auto"), "\t": "Tab", " ": tr("data.space")}.get(d, d))
        headerless = o3.checkbox(tr("data.no_header"), key=f"nohdr_{f.file_id}")
        presets = cached.list_presets(kind)
        preset = st.selectbox(tr("data.preset"), [0] + [p["id"] for p in presets], key=f"preset_{f.file_id}",
                              format_func=lambda i, b={p["id"]: p for p in presets}: tr("data.no_preset") if i == 0
                              else tr("datasets.preset_option", name=b[i]["name"], owner=b[i]["owner"] or "-"))
    overrides = dict(st.session_state.get(f"ovr:{f.file_id}:{kind}", {}))
    if preset:
        chosen = next(p for p in presets if p["id"] == preset)
        overrides = {**chosen["mapping"], **overrides}
    opts = (enc, delim, headerless, *upload_join.choices(f))
    key = _prepared_key(f.file_id, kind, overrides, opts)
    prepared = st.session_state.get(key)
    if prepared is None:
        try:
            with st.status(ui.say("data.reading", name=f.name), expanded=False) as status:
                t0 = time.time()
                try:
                    read = dict(kind=kind, overrides=overrides or None, encoding=enc or None, delimiter=delim or None,
                                header=False if headerless else None)
                    prepared = (f.prepare(**read) if group else
                                cached.prepare_upload(f.getvalue(), filename=f.name, **read))
                except IngestError as exc:
                    if getattr(exc, "missing_fields", None):  # read: one question before the review
                        status.update(label=ui.say("data.missing.status", name=f.name), state="complete")
                    raise
                status.update(label=ui.say("data.read_done", rows=fmt_number(prepared.rows, lang()),
                                       seconds=f"{time.time() - t0:.1f}"), state="complete")
        except IngestError as exc:
            if getattr(exc, "missing_fields", None):  # ask for the field instead of refusing the file
                ask_missing(f, kind, overrides, exc)
                return
            st.error(ui.say("data.rejected", reason=str(exc)), icon=":material/block:")
            upload_join.after_error(f, exc)  # a refused join: pick the keys instead
            return
        except StoreError as exc:  # the duplicate check reads the store
            refused(exc)
            return
        st.session_state[key] = prepared
    s = prepared.summary()
    if prepared.plan is not None:  # several files joined: the plan, with what changes it
        upload_join.review(f, prepared.plan)
    else:
        st.caption(ui.say("data.detected", fmt=s["format"] or "-", enc=s["encoding"] or "-",
                      delim=repr(s["delimiter"]) if s["delimiter"] else "-", skipped=s["skipped_top"],
                      totals=len(s["dropped_totals"])))
    if prepared.duplicate_of:
        d = prepared.duplicate_of
        st.warning(ui.say("data.duplicate", id=d["dataset_id"], name=d["name"], revision=d["revision"]))

    # mapping review
    st.markdown(f"**{tr('data.mapping')}**")
    columns = [str(c) for c in prepared.raw.frame.columns]
    rows = []
    for fld in KINDS[kind].fields:
        m = prepared.suggested.get(fld.name)
        rows.append({"field": fld.name, "required": any(fld.name in g for g in KINDS[kind].required),
                     "column": prepared.mapping.get(fld.name, ""),
                     "confidence": float(m.confidence) if m is not None and prepared.mapping.get(fld.name) == m.column else None})
    edited = st.data_editor(
        pd.DataFrame(rows), key=f"map_{f.file_id}_{kind}", hide_index=True, width="stretch",
        disabled=["field", "required", "confidence"],
        column_config={
            "field": st.column_config.TextColumn(tr("data.col.field")),
            "required": st.column_config.CheckboxColumn(tr("data.col.required")),
            "column": st.column_config.SelectboxColumn(tr("data.col.column"), options=[""] + columns),
            "confidence": st.column_config.ProgressColumn(tr("data.col.confidence"), min_value=0.0, max_value=1.0, format="percent"),
        },
    )
    asked = review_overrides(edited.to_dict("records"), prepared.mapping)
    if asked is not None:
        st.session_state[f"ovr:{f.file_id}:{kind}"] = asked
        st.rerun()
    pc1, pc2 = st.columns([3, 1])
    preset_name = pc1.text_input(tr("data.preset_name"), key=f"pname_{f.file_id}", placeholder=tr("data.preset_placeholder"))
    if pc2.button(tr("data.save_preset"), key=f"psave_{f.file_id}", disabled=not (preset_name.strip() and can_upload)):
        try:
            cached.save_preset(preset_name.strip(), kind, prepared.mapping, me["user"], role=me["role"])
            st.toast(tr("data.preset_saved"))
        except REFUSALS as exc:
            refused(exc)
        except ValueError:
            st.error(tr("datasets.name_empty"))

    # preview and validation report
    st.markdown(f"**{tr('data.preview')}**")
    st.dataframe(prepared.converted.frame.head(20), hide_index=True, width="stretch", key=f"prev_{f.file_id}")
    bad = prepared.bad_rows
    if bad:
        st.warning(ui.say("data.bad_rows", bad=fmt_number(bad, lang()), rows=fmt_number(prepared.rows, lang()),
                      share=f"{prepared.bad_share:.1%}"))
        ui.table(prepared.errors.head(200), key=f"err_{f.file_id}", file_name=f"validation_{f.name}")
    else:
        st.success(tr("data.no_bad_rows", rows=fmt_number(prepared.rows, lang())))
    unsure = doubtful(prepared.suggested, prepared.mapping)
    if unsure:  # a guess that may be wrong is a question, not a settled mapping
        st.warning(ui.say("data.doubtful", guesses="; ".join(
            tr("data.doubtful_item", field=m.field, column=m.column, pct=f"{m.confidence:.0%}") for m in unsure)),
            icon=":material/help:")
    for n in prepared.notes:
        st.caption(ui.md_escape(n))

    # commit
    name = st.text_input(tr("data.name"), value=cached.default_dataset_name(prepared.filename), key=f"name_{f.file_id}")
    choice = "keep"
    if bad:
        choice = st.radio(tr("data.bad_choice"), ["reject", "keep"], key=f"badc_{f.file_id}", horizontal=True,
                          format_func=lambda c: tr(f"data.bad_choice.{c}"),
                          index=0 if prepared.bad_share > 0.05 else 1)
    allow_dup = bool(prepared.duplicate_of) and st.checkbox(tr("data.allow_duplicate"), key=f"dup_{f.file_id}")
    if st.button(tr("data.commit"), type="primary", key=f"commit_{f.file_id}", disabled=not can_upload,
                 icon=":material/cloud_upload:"):
        bar = st.progress(0.0, text=tr("data.saving"))
        try:
            info = cached.commit_upload(
                prepared, name=name, mode=mode, dataset_id=target, keep_good_rows=(choice == "keep") if bad else None,
                allow_duplicate=allow_dup, **me,
                progress=lambda frac, msg: bar.progress(min(1.0, frac), text=f"{tr('data.saving')} {ui.md_escape(msg)}"),
            )
        except IngestError as exc:
            bar.empty()
            st.error(ui.say("data.rejected", reason=str(exc)), icon=":material/block:")
            return
        except REFUSALS as exc:
            bar.empty()
            refused(exc)
            return
        except (LookupError, ValueError) as exc:  # the target was deleted or changed kind meanwhile
            bar.empty()
            st.error(ui.say("data.rejected", reason=str(exc)), icon=":material/block:")
            return
        bar.progress(1.0, text=tr("data.saved"))
        st.success(ui.say("data.stored", id=info["id"], name=info["name"], rows=fmt_number(info["rows"], lang()),
                      revision=info["revision"], rejected=fmt_number(info["rejected_rows"], lang())))
        st.session_state.pop(key, None)
