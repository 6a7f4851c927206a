"""The recommendations page's lists: the exclude list read from an uploaded file, column labels of the
target lists, the wide CRM export, saving a target list, and the model comparison table with the
baseline highlighted."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from analytics import cached
from analytics.common import AnalyticsError
from analytics.recommend import ids_from_csv
from components import auth, state, ui
from components.export import to_csv_bytes
from components.i18n import fmt_number, fmt_pct, lang, tr

PRODUCTS_KEY = "_reco_product_ids"
UPLOAD_MSG_KEY = "_reco_upload_msgs"
SAVED_KIND = "reco_target_list"


def apply_upload(kit: Any) -> None:
    """on_change of the uploader: add the file's product ids to the exclude list (once per upload)."""
    f = st.session_state.get(kit.sk("upload"))
    if f is None:
        return
    known = set(st.session_state.get(PRODUCTS_KEY) or [])
    name = f.name
    msgs: list[tuple[str, str]] = []
    try:
        ids = ids_from_csv(f.getvalue())
    except (ValueError, UnicodeError):
        st.session_state[UPLOAD_MSG_KEY] = [("error", tr(f"{kit.ns}.upload.error", file=name))]
        return
    if not ids:
        st.session_state[UPLOAD_MSG_KEY] = [("warning", tr(f"{kit.ns}.upload.none", file=name))]
        return
    cur = [v for v in (st.session_state.get(kit.sk("exclude")) or [])]
    add = [i for i in ids if i in known and i not in cur]
    unknown = [i for i in ids if i not in known]
    st.session_state[kit.sk("exclude")] = cur + add
    msgs.append(("success", tr(f"{kit.ns}.upload.added", n=len(add), file=name)))
    if unknown:
        msgs.append(("warning", tr(f"{kit.ns}.upload.unknown", n=len(unknown), file=name, codes=", ".join(unknown[:10]))))
    st.session_state[UPLOAD_MSG_KEY] = msgs


def show_upload_msgs() -> None:
    for level, msg in st.session_state.pop(UPLOAD_MSG_KEY, []) or []:
        getattr(st, level)(ui.md_escape(msg))



def wide(rows: list[dict], k: int) -> pd.DataFrame:
    """One row per customer: customer_id, customer_status, product_1..product_k (ad platform / CRM)."""
    if not rows:
        return pd.DataFrame()
    df = pd.DataFrame(rows)
    w = df.pivot_table(index=["customer_id", "customer_status"], columns="rank", values="product_id", aggfunc="first")
    w.columns = [f"product_{int(c)}" for c in w.columns]
    order = list(dict.fromkeys(df["customer_id"]))
    return w.reset_index().set_index("customer_id").loc[order].reset_index()


def choose_target(kit: Any, ctx: Any, params: dict, src: str) -> tuple[Any, str | None, dict] | None:
    """The group (RFM, Chinese 8 groups) or saved persona whose customers get a target list: its value (None:
    none chosen yet), its name, and the extra parameters of a persona; None when there is nothing to choose."""
    extra: dict[str, Any] = {}
    label = None
    if src in ("rfm", "cn8"):
        try:
            with st.spinner(tr(f"{kit.ns}.status.groups"), show_time=True):  # the RFM table of every customer
                groups = cached.page_call(kit.url_path, "segment_groups", ctx.datasets, cached.freeze_params(params),
                                          lang())[src]
        except AnalyticsError as exc:
            ui.cannot_answer(exc, icon=None)
            return None
        labels = {g["value"]: tr(f"{kit.ns}.seg.group_option", label=g["label"], n=fmt_number(g["n"], lang())) for g in groups}
        names = {g["value"]: g["label"] for g in groups}
        tseg = state.selectbox(kit.param_label("tseg"), [None, *labels], kit.param("tseg"), state_key=kit.sk(f"tseg_{src}"),
                               format_func=lambda v: tr(f"{kit.ns}.seg.none_option") if v is None else labels[v],
                               help=kit.param_help("tseg"))
        return tseg, names.get(tseg), extra
    personas = cached.list_objects("persona")
    if not personas:
        st.info(tr(f"{kit.ns}.seg.no_personas"), icon=":material/person_search:")
        return None
    by_id = {str(p["id"]): p for p in personas}
    tseg = state.selectbox(kit.param_label("persona"), [None, *by_id], kit.param("tseg"), state_key=kit.sk("tseg_persona"),
                           format_func=lambda v: tr(f"{kit.ns}.seg.none_option") if v is None else
                           f"{by_id[v]['name']} · {by_id[v].get('owner', '')}", help=kit.param_help("tseg"))
    if tseg is not None:
        label = by_id[tseg]["name"]
        payload = by_id[tseg].get("payload") or {}
        spec = {k: payload[k] for k in ("source", "segment", "value", "params", "customer_ids") if k in payload}
        extra["persona"] = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
    return tseg, label, extra


def wide_download(kit: Any, rows: list[dict], k: int, src: str) -> None:
    """The target list one row per customer (product_1..product_k), for the ad platform or the CRM."""
    wide_df = wide(rows, k)
    st.download_button(tr(f"{kit.ns}.seg.export_wide"), data=lambda: to_csv_bytes(wide_df),
                       file_name=f"prism_{kit.url_path}_segment_{src}_crm.csv", mime="text/csv", key="dl_reco_seg_wide",
                       icon=":material/campaign:", on_click="ignore")


def save_block(kit: Any, ctx: Any, key: str, default_name: str, payload: dict, basis: tuple) -> None:
    """The save form of a target list; ``basis`` is what the list is (target, length; free of language): a
    name typed is kept while it stays the same (:func:`components.state.keep`)."""
    with st.container(border=True):
        st.markdown(f"**{ui.md_escape(tr(f'{kit.ns}.save.title'))}**")
        if not auth.require("save"):
            return
        # kept: a name typed here survives a look at another tab (whose run does not draw this field) and a
        # language switch; an untouched default follows the language
        name = st.text_input(tr(f"{kit.ns}.save.name"), max_chars=200,
                             **state.keep(f"{kit.url_path}:save_name:{key}", default_name, basis))
        if st.button(tr(f"{kit.ns}.save.button"), key=f"{kit.url_path}:save:{key}", icon=":material/save:"):
            name = (name or default_name).strip() or default_name
            body = {**payload, "page": kit.url_path, "link": ui.share_link(),
                    "query": {q: st.query_params.get_all(q) for q in st.query_params}}
            if ui.write(cached.save_object, SAVED_KIND, name, ctx.user.get("username", ""),
                        json.loads(json.dumps(body, default=str))) is not None:
                st.success(ui.md_escape(tr(f"{kit.ns}.save.done", name=name)), icon=":material/check:")



def _pct_col(kit: Any, key: str, help_: str | None = None) -> Any:
    return st.column_config.NumberColumn(tr(f"{kit.ns}.col.{key}"), help=help_ or ui.definition(kit.ns, key), format="percent")


def models_table(kit: Any, result: dict) -> None:
    """Every model on the holdout, the popularity baseline greyed and the chosen model in bold, with its CSV."""
    chosen = result["chosen_model"]
    st.markdown(f"**{ui.md_escape(tr(f'{kit.ns}.label.models_table'))}**")
    rows = []
    for m in result["models"]:
        rows.append({"model": m["label"], "chosen": tr(f"{kit.ns}.label.chosen_mark") if m["name"] == chosen else "",
                     "precision_at_k": m["precision_at_k"],
                     "precision_ci": f"{fmt_pct(m.get('precision_ci_low'), lang())} – {fmt_pct(m.get('precision_ci_high'), lang())}",
                     "recall_at_k": m["recall_at_k"], "hit_rate": m["hit_rate"], "coverage": m["coverage"],
                     "novelty": m["novelty"], "n_users": m["n_users"]})
    df = pd.DataFrame(rows)
    baseline = [m["is_baseline"] for m in result["models"]]
    styler = df.style.apply(
        lambda r: ["background-color: #e6e6e6; color: #424242" if baseline[r.name] else
                   ("font-weight: 700" if r["chosen"] else "") for _ in r], axis=1)
    config = {
        "model": st.column_config.TextColumn(tr(f"{kit.ns}.col.model")),
        "chosen": st.column_config.TextColumn(tr(f"{kit.ns}.col.chosen")),
        "precision_at_k": _pct_col(kit, "precision_at_k"),
        "precision_ci": st.column_config.TextColumn(tr(f"{kit.ns}.col.precision_ci"), help=tr(f"{kit.ns}.help.precision_ci")),
        "recall_at_k": _pct_col(kit, "recall_at_k"),
        "hit_rate": _pct_col(kit, "hit_rate"),
        "coverage": _pct_col(kit, "coverage"),
        "novelty": st.column_config.NumberColumn(tr(f"{kit.ns}.col.novelty"), help=ui.definition(kit.ns, "novelty"), format="%.2f"),
        "n_users": st.column_config.NumberColumn(tr(f"{kit.ns}.col.n_users"), help=tr(f"{kit.ns}.help.n_users"), format="%d"),
    }
    st.dataframe(styler, hide_index=True, width="stretch", column_config=config, key="df_reco_models")
    export = pd.DataFrame([{f: m.get(f) for f in ("name", "label", "is_baseline", "precision_at_k", "precision_ci_low",
                                                  "precision_ci_high", "recall_at_k", "hit_rate", "coverage", "novelty",
                                                  "n_users")} for m in result["models"]])
    st.download_button(tr("page.download_csv"), data=lambda: to_csv_bytes(export), file_name=f"prism_{kit.url_path}_models.csv",
                       mime="text/csv", key="dl_reco_models", icon=":material/download:", on_click="ignore")
