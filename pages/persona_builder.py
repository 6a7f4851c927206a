"""Persona builder: a persona from any RFM group, 8-group RFM cell, cluster or member tier. Build: pick a
segment, read its key figures, the persona card (every sentence names the number it rests on) and the TGI
table with intervals (small segments are refused with a reason); save it. Saved personas open by link
(``persona=ID``), compare side by side and export as HTML and PNG. Numbers from analytics.personas."""

from __future__ import annotations

from typing import Any

import streamlit as st

from analytics import cached
from analytics import personas as per
from analytics.common import AnalyticsError
from analytics.i18n import LANGS
from analytics.params import Param, id_param
from components import auth, page, persona_card, state, ui
from components.i18n import fmt_list, fmt_number, join_sentences, lang

KIND = "persona"
page.context()  # only through app.py (signed in): the saved personas are read after that
OBJS = cached.list_objects(KIND)


def sentences(*texts: str) -> str:
    """Sentences one after the other: no space after a Chinese full stop, one space in English."""
    return join_sentences(texts, lang())


def controls(k: page.Kit, options: Any, v: page.View) -> dict[str, Any]:
    """Source and segment (the segments of the source that exist in the data, with their sizes), settings."""
    c1, c2 = st.columns([2, 3])
    params: dict[str, Any] = {"source": k.widget("source", c1, options=list(per.source_choices(v.ctx.kinds())), radio=True,
                                                 fmt=lambda x: k.t(f"choice.source.{x}")), "persona_id": None, "segment": None}
    with st.expander(k.t("settings"), icon=":material/tune:"):
        s1, s2, s3 = st.columns(3)
        params.update(analysis_date=k.widget("analysis_date", s1), min_size=k.widget("min_size", s2),
                      tier_basis=k.widget("tier_basis", s3, fmt=lambda x: k.t(f"choice.tier_basis.{x}")))
        s4, s5, s6 = st.columns(3)
        params.update(features=k.widget("features", s4, fmt=lambda x: k.t(f"choice.features.{x}")) or list(k.param("features").default),
                      k=k.widget("k", s5, options=[None, *range(2, 13)], fmt=lambda x: k.t("choice.k.auto") if x is None else str(x)),
                      seed=k.widget("seed", s6))
        th = state.number_list(k.param_label("tier_thresholds"), Param("tier_thresholds", "str", None), state_key=k.sk("tier_thresholds"),
                               help=k.param_help("tier_thresholds"), ascending=False,
                               problem=lambda _: k.say("bad_thresholds", value=st.session_state.get(k.sk("tier_thresholds"))))
        params["tier_thresholds"] = sorted(th) if th else None
    try:
        with st.spinner(k.t("loading_segments"), show_time=True):
            segments = {o["value"]: o for o in v.call("segment_options", {**v.base, **params})}
    except AnalyticsError as exc:
        ui.cannot_answer(exc)
        v.extra["no_segments"] = True
        return params
    params["segment"] = k.widget("segment", c2, options=list(segments), fmt=lambda x: k.t(
        "segment_option", segment=segments[x]["label"], n=fmt_number(segments[x]["customers"], lang())))
    return params


def save_box() -> None:
    with st.container(border=True):
        st.markdown(f"**{k.t('save.title')}**")
        if not auth.can("save"):
            st.button(k.t("save.button"), key="persona_save", disabled=True, icon=":material/save:")
            return st.caption(auth.denied_message("save"))
        seg_ = v.get("segment")
        name = st.text_input(k.t("save.name"), value=v.get("card")["name"], max_chars=120,
                             key=f"persona_name_{seg_['source']}_{seg_['value']}", help=k.t("save.name_help"))
        if st.button(k.t("save.button"), key="persona_save", icon=":material/save:", type="primary"):
            with st.spinner(k.t("save.saving")):
                results = {lg: v.result if lg == lang() else cached.page_result(k.url_path, v.ctx.datasets, full, lg) for lg in LANGS}
            payload = {"version": 1, "source": seg_["source"], "segment": seg_["value"],
                       "params": {p: (x.isoformat() if hasattr(x, "isoformat") else x) for p, x in dict(full).items()},
                       "datasets": [{f: i.get(f) for f in ("id", "name", "kind", "revision", "rows")} for i in v.ctx.infos],
                       "results": results}
            oid = ui.write(cached.save_object, KIND, (name or "").strip() or v.get("card")["name"], v.ctx.user.get("username", ""), payload)
            if oid is not None:
                st.success(k.say("save.done", id=oid), icon=":material/check:")


def saved_tab() -> None:
    deleted = st.session_state.pop("_persona_deleted", None)
    if deleted:
        st.success(k.say("saved.deleted", name=deleted), icon=":material/delete:")
    if not OBJS:
        st.info(k.t("saved.none"), icon=":material/person_off:")
    v.table("saved", persona_card.saved_rows(OBJS))
    by_id = {int(o["id"]): o for o in OBJS}
    pid = k.widget("persona", options=[None, *by_id], p=id_param("persona"), label=k.t("saved.open"),
                   fmt=lambda i: k.t("saved.pick") if i is None else persona_card.saved_label(by_id[i]))
    if pid is None:
        return
    obj = by_id[pid]
    res, payload = persona_card.saved_result(obj), obj.get("payload") or {}
    st.caption(k.say("saved.meta", owner=obj["owner"], when=str(obj.get("updated_at") or "")[:16], date=str(res.get("analysis_date") or "—"),
                     datasets=fmt_list((str(d.get("name")) for d in payload.get("datasets") or []), lang()) or "—"))
    persona_card.card(res, title=obj["name"])
    v.kpis(res.get("kpis") or {"size": res.get("size"), "share_of_base": res.get("share_of_base")})
    c1, c2, c3 = st.columns(3)
    c1.download_button(k.t("saved.html"), data=lambda: per.report_html(res, lang(), user=v.ctx.user.get("username", ""), title=obj["name"],
                                                                       filters=payload.get("params"), datasets=payload.get("datasets")),
                       file_name=f"prism_persona_{pid}.html", mime="text/html", key="saved_html", icon=":material/description:", on_click="ignore")
    with c2:
        persona_card.png_button(lambda lg: (payload.get("results") or {}).get(lg) or res, obj["name"], "saved_png", f"prism_persona_{pid}")
    if auth.can("delete") and (obj["owner"] == v.ctx.user.get("username") or auth.can("delete_others")):
        if c3.button(k.t("saved.delete"), key="persona_delete", icon=":material/delete:") and ui.write(cached.delete_object, pid) is not None:
            if "persona" in st.query_params:
                del st.query_params["persona"]
            st.session_state.pop(k.sk("persona"), None)
            st.session_state["_persona_deleted"] = obj["name"]
            st.rerun()
    else:
        c3.caption(k.say("saved.not_owner", owner=obj["owner"]))
    with st.expander(k.t("saved.tgi")):
        v.table("attributes", res.get("attributes"), key="saved_tgi", height=420)


def compare_tab() -> None:
    by_id = {str(o["id"]): o for o in OBJS}
    if len(by_id) < 2:
        return st.info(k.t("compare.need_two"), icon=":material/compare:")
    chosen = k.widget("cmp", p=Param("cmp", "list", None), options=list(by_id), label=k.t("compare.pick"),
                      fmt=lambda i: persona_card.saved_label(by_id[i]))[:3]
    if len(chosen) < 2:
        return st.caption(k.t("compare.hint"))
    named = [(f"{by_id[i]['name']} #{i}", persona_card.saved_result(by_id[i])) for i in chosen]
    ui.table(per.compare_rows(named, lang()), key=f"{k.url_path}_compare", file_name=f"prism_{k.url_path}_compare")
    for col, i, (_, r) in zip(st.columns(len(chosen)), chosen, named):
        with col:
            persona_card.card(r, title=by_id[i]["name"], columns=False)


# ---------------------------------------------------------------- page

v = page.frame(controls=controls, tabs={"build": None, "saved": {"n": len(OBJS)}, "compare": None}, within="build",
               default_tab="saved" if st.query_params.get("persona") not in (None, "") else "build", stop=False,
               compute_with=lambda view: None if view.extra.get("no_segments") else page.compute(view.url_path, view.ctx, view.params))
k = v.kit
full = page.result_key(v.ctx, v.params)
with v.tabs["build"]:
    if v.result is not None:
        v.kpis()
        persona_card.card(v.result)
        save_box()
        persona_card.png_button(lambda lg: cached.page_result(k.url_path, v.ctx.datasets, full, lg), None, "png_build",
                                f"prism_persona_{v.params['source']}_{v.params['segment']}")
        for name in v.figs:
            v.figure(name)
        only_sig = k.widget("sig", p=Param("sig", "bool", False), label=k.t("param.sig"))
        st.caption(sentences(k.t("metric.tgi"), k.t("metric.tgi_interval"), k.t("metric.significant")))
        v.table("attributes", [a for a in v.get("attributes") or [] if a.get("significant") or not only_sig], key="tgi", height=420)
        ui.findings(v.get("findings") or [])
with v.tabs["saved"]:
    saved_tab()
with v.tabs["compare"]:
    compare_tab()
v.footer(make_html=(lambda: per.report_html(v.result, lang(), user=v.ctx.user.get("username", ""), filters=dict(full),
                                            datasets=v.ctx.infos)) if v.result else None)
