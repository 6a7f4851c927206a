"""persona-builder: a persona from any RFM group, 8-group RFM cell, cluster or member tier.

Build: pick a segment (kit.url_path-bound), read the TGI table with intervals (small segments are refused with a
reason) and the persona card, whose every sentence names the number it rests on. Saved personas
(analyst and admin) keep a snapshot in both languages, so they open by link (``persona=ID``) after a
restart, can be compared side by side and exported as HTML and PNG; owners (and admins) delete them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pandas as pd
import streamlit as st

from analytics import cached
from analytics import personas as per
from analytics.common import AnalyticsError
from analytics.i18n import LANGS, t
from analytics.params import Param, id_param, parse_float
from components import auth, page, state, ui
from components.i18n import fmt_money, fmt_number, fmt_pct, lang, tr

KIND = "persona"
P = {p.key: p for p in per.PARAMS}
PERSONA = id_param("persona")
COMPARE = Param("cmp", "list", None)
ONLY_SIG = Param("sig", "bool", False)
K_CHOICES = [None] + list(range(2, 13))
kit = page.kit(page.context().url_path)  # texts, state keys, labels, help and choices of this page








def _help(key: str) -> str:
    for k in (f"{kit.ns}.help.{key}", f"segmentation.help.{key}"):
        text = t(k, lang())
        if text != k:
            return text
    return ""


# ---------------------------------------------------------------- persona card (plain Streamlit elements)


def render_card(res: dict, *, title: str | None = None, columns: bool = True) -> None:
    card = res.get("card") or {}
    with st.container(border=True):
        st.subheader(ui.md_escape(title or card.get("name", "")))
        if title and title != card.get("name"):
            st.markdown(f"**{ui.md_escape(card.get('name', ''))}**")
        st.caption(ui.md_escape(per.segment_line(res, lang())))
        st.markdown(ui.md_escape(card.get("portrait", "")))
        sections = per.card_sections(card, lang())
        cols = st.columns(len(sections)) if columns else [st.container() for _ in sections]
        for col, (head, items) in zip(cols, sections):
            with col:
                st.markdown(f"**{ui.md_escape(head)}**")
                if not items:
                    st.caption(ui.md_escape(kit.t("card.none")))
                for it in items:
                    st.markdown("- " + ui.md_escape(it.get("text", "")))
                    st.caption(ui.md_escape(it.get("evidence", "")))
        basis = "; ".join(b.get("evidence", "") for b in card.get("name_basis") or [])
        if basis:
            st.caption(ui.md_escape(kit.t("card.name_from", basis=basis)))
        if card.get("note"):  # the attributes that define the segment, left out of the card
            st.caption(ui.md_escape(card["note"]))


def tgi_table(res: dict, key: str, only_sig: bool) -> None:
    rows = res.get("attributes") or []
    df = pd.DataFrame(rows)
    if df.empty:
        return
    if only_sig:
        df = df.loc[df["significant"].astype(bool)]
    pct = lambda s: (s.astype(float) * 100).round(1)  # noqa: E731
    out = pd.DataFrame({
        kit.t("col.attribute"): df["attribute_label"], kit.t("col.value"): df["value_label"].astype(str),
        kit.t("col.segment_share"): pct(df["segment_share"]), kit.t("col.ci_low"): pct(df["ci_low"]),
        kit.t("col.ci_high"): pct(df["ci_high"]), kit.t("col.base_share"): pct(df["base_share"]),
        kit.t("col.tgi"): df["tgi"].astype(float).round(0), kit.t("col.tgi_low"): df["tgi_low"].astype(float).round(0),
        kit.t("col.tgi_high"): df["tgi_high"].astype(float).round(0), kit.t("col.segment_count"): df["segment_count"],
        kit.t("col.unit"): [kit.t(f"unit.{u}") for u in df["unit"]], kit.t("col.n_eff"): df["n_eff"].astype(float).round(0),
        kit.t("col.significant"): [tr("common.yes") if s else tr("common.no") for s in df["significant"]],
    })
    st.caption(kit.t("metric.tgi") + " " + kit.t("metric.tgi_interval") + " " + kit.t("metric.significant"))
    ui.table(out, key=key, file_name=f"prism_{kit.url_path}_tgi", height=420)


def png_button(get_res, title: str | None, key: str, file_stub: str) -> None:
    """Download of the card as PNG; without a Chinese font the PNG is the English card (with a note)."""
    lg = lang()
    if not per.png_can_draw(lg):
        lg = "en"
        st.caption(kit.t("png.no_cjk"))
    footer = kit.t("png.footer", when=datetime.now(timezone.utc).strftime("%Y-%m-%d"))
    st.download_button(kit.t("png.download"), data=lambda: per.card_png(get_res(lg), lg, title=title, footer=footer),
                       file_name=f"{file_stub}.png", mime="image/png", key=key, icon=":material/image:",
                       on_click="ignore")


# ---------------------------------------------------------------- build


def builder(ctx: page.PageContext) -> tuple[dict, dict | None]:
    c1, c2 = st.columns([2, 3])
    source = state.radio(kit.t("param.source"), list(per.source_choices(ctx.kinds())), P["source"], state_key=kit.sk("source"),
                         format_func=lambda v: kit.t(f"choice.source.{v}"), help=_help("source"), container=c1)
    with st.expander(kit.t("settings"), icon=":material/tune:"):
        s1, s2, s3 = st.columns(3)
        ad = state.date_value(kit.t("param.analysis_date"), P["analysis_date"], state_key=kit.sk("analysis_date"),
                              help=_help("analysis_date"), container=s1)
        min_size = state.number(kit.t("param.min_size"), P["min_size"], state_key=kit.sk("min_size"), step=1,
                                help=_help("min_size"), container=s2)
        basis = state.selectbox(kit.t("param.tier_basis"), ["spend", "points"], P["tier_basis"],
                                state_key=kit.sk("tier_basis"), help=_help("tier_basis"), container=s3,
                                format_func=lambda v: kit.t(f"choice.tier_basis.{v}"))
        s4, s5, s6 = st.columns(3)
        feats = state.multiselect(kit.t("param.features"), list(P["features"].choices), P["features"],
                                  state_key=kit.sk("features"), help=_help("features"), container=s4,
                                  format_func=lambda v: kit.t(f"choice.features.{v}"))
        k = state.selectbox(kit.t("param.k"), K_CHOICES, P["k"], state_key=kit.sk("k"), help=_help("k"), container=s5,
                            format_func=lambda v: kit.t("choice.k.auto") if v is None else str(v))
        seed = state.number(kit.t("param.seed"), P["seed"], state_key=kit.sk("seed"), step=1, help=_help("seed"),
                            container=s6)
        th_raw = state.text(kit.t("param.tier_thresholds"), Param("tier_thresholds", "str", None),
                            state_key=kit.sk("tier_thresholds"), help=_help("tier_thresholds"))
    thresholds = None
    if th_raw and th_raw.strip():
        try:
            thresholds = sorted(parse_float(x) for x in th_raw.replace("，", ",").split(",") if x.strip()) or None
        except ValueError:
            st.warning(kit.say("bad_thresholds", value=th_raw))
    params: dict[str, Any] = {"source": source, "analysis_date": ad, "min_size": int(min_size),
                              "tier_basis": basis, "features": feats or list(P["features"].default), "k": k,
                              "seed": int(seed), "tier_thresholds": thresholds, "persona_id": None, "segment": None}
    # the segments of this source that exist in the data, with their sizes
    base = page.result_key(ctx, params)
    try:
        with st.spinner(kit.t("loading_segments"), show_time=True):
            opts = cached.page_call(kit.url_path, "segment_options", ctx.datasets, base, lang())
    except AnalyticsError as exc:
        st.info(ui.say("page.not_enough", reason=ui.exc_text(exc)), icon=":material/hourglass_empty:")
        return params, None
    by_value = {o["value"]: o for o in opts}
    segment = state.selectbox(
        kit.t("param.segment"), list(by_value), P["segment"], state_key=kit.sk("segment"), help=_help("segment"),
        container=c2, format_func=lambda v: kit.t("segment_option", segment=by_value[v]["label"],
                                              n=fmt_number(by_value[v]["customers"], lang())))
    params["segment"] = segment
    result = page.compute(kit.url_path, ctx, params)
    if result is None:
        return params, None
    ui.warnings(result.get("warnings") or [])
    ui.kpi_cards(kit.ns, result["kpis"])
    render_card(result)
    save_box(ctx, params, result)
    full = page.result_key(ctx, params)
    png_button(lambda lg: cached.page_result(kit.url_path, ctx.datasets, full, lg), None, "png_build",
               f"prism_persona_{source}_{segment}")
    for i, f in enumerate(cached.page_figures(kit.url_path, ctx.datasets, full, lang())):
        ui.figure(f, key=f"{kit.url_path}_fig_{i}")
    only_sig = state.toggle(kit.t("param.sig"), ONLY_SIG, state_key=kit.sk("sig"), help=kit.t("help.sig"))
    tgi_table(result, f"{kit.url_path}_tgi", only_sig)
    ui.findings(result.get("findings") or [])
    return params, result


def save_box(ctx: page.PageContext, params: dict, result: dict) -> None:
    with st.container(border=True):
        st.markdown(f"**{kit.t('save.title')}**")
        if not auth.can("save"):
            st.button(kit.t("save.button"), key="persona_save", disabled=True, icon=":material/save:")
            st.caption(auth.denied_message("save"))
            return
        seg_ = result["segment"]
        name = st.text_input(kit.t("save.name"), value=result["card"]["name"], max_chars=120,
                             key=f"persona_name_{seg_['source']}_{seg_['value']}", help=kit.t("save.name_help"))
        if st.button(kit.t("save.button"), key="persona_save", icon=":material/save:", type="primary"):
            full = page.result_key(ctx, params)
            with st.spinner(kit.t("save.saving")):
                results = {lg: (result if lg == lang() else cached.page_result(kit.url_path, ctx.datasets, full, lg))
                           for lg in LANGS}
            payload = {"version": 1, "source": seg_["source"], "segment": seg_["value"],
                       "params": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in
                                  {"start": ctx.start, "end": ctx.end, **params}.items()},
                       "datasets": [{k: i.get(k) for k in ("id", "name", "kind", "revision", "rows")} for i in ctx.infos],
                       "results": results}
            oid = ui.write(cached.save_object, KIND, (name or "").strip() or result["card"]["name"],
                           ctx.user.get("username", ""), payload)
            if oid is not None:
                st.success(kit.say("save.done", id=oid), icon=":material/check:")


# ---------------------------------------------------------------- saved personas


def _res(obj: dict) -> dict:
    results = (obj.get("payload") or {}).get("results") or {}
    return results.get(lang()) or next(iter(results.values()), {})


def _label(obj: dict) -> str:
    res = _res(obj)
    seg_ = (res.get("segment") or {}).get("label", "")
    return kit.t("saved.option", id=obj["id"], name=obj["name"], segment=seg_, owner=obj["owner"])


def saved(ctx: page.PageContext, objs: list[dict]) -> None:
    if not objs:
        st.info(kit.t("saved.none"), icon=":material/person_off:")
    else:
        rows = [{kit.t("col.id"): o["id"], kit.t("col.name"): o["name"],
                 kit.t("col.segment"): (_res(o).get("segment") or {}).get("label", ""),
                 kit.t("col.size"): _res(o).get("size"), kit.t("col.owner"): o["owner"],
                 kit.t("col.saved_at"): str(o.get("updated_at") or o.get("created_at") or "")[:16]} for o in objs]
        ui.table(pd.DataFrame(rows), key=f"{kit.url_path}_saved", file_name=f"prism_{kit.url_path}_saved")
    by_id = {int(o["id"]): o for o in objs}
    pid = state.selectbox(kit.t("saved.open"), [None] + list(by_id), PERSONA, state_key=kit.sk("persona"),
                          format_func=lambda i: kit.t("saved.pick") if i is None else _label(by_id[i]))
    if pid is None:
        return
    obj = by_id[pid]
    res = _res(obj)
    payload = obj.get("payload") or {}
    names = ", ".join(str(d.get("name")) for d in payload.get("datasets") or [])
    st.caption(ui.md_escape(kit.t("saved.meta", owner=obj["owner"], when=str(obj.get("updated_at") or "")[:16],
                              datasets=names or "—", date=str(res.get("analysis_date") or "—"))))
    render_card(res, title=obj["name"])
    ui.kpi_cards(kit.ns, res.get("kpis") or {"size": res.get("size"), "share_of_base": res.get("share_of_base")})
    c1, c2, c3 = st.columns(3)
    with c1:
        st.download_button(kit.t("saved.html"), data=lambda: per.report_html(
            res, lang(), user=ctx.user.get("username", ""), filters=payload.get("params"),
            datasets=payload.get("datasets"), title=obj["name"]),
            file_name=f"prism_persona_{pid}.html", mime="text/html", key="saved_html", icon=":material/description:",
            on_click="ignore")
    with c2:
        results = payload.get("results") or {}
        png_button(lambda lg: results.get(lg) or res, obj["name"], "saved_png", f"prism_persona_{pid}")
    with c3:
        mine = obj["owner"] == ctx.user.get("username")
        if auth.can("delete") and (mine or auth.can("delete_others")):
            if st.button(kit.t("saved.delete"), key="persona_delete", icon=":material/delete:") and \
                    ui.write(cached.delete_object, pid) is not None:
                if "persona" in st.query_params:
                    del st.query_params["persona"]
                st.session_state.pop(kit.sk("persona"), None)
                st.session_state["_persona_deleted"] = obj["name"]
                st.rerun()
        else:
            st.caption(kit.say("saved.not_owner", owner=obj["owner"]))
    with st.expander(kit.t("saved.tgi")):
        tgi_table(res, f"{kit.url_path}_saved_tgi", False)


def compare(objs: list[dict]) -> None:
    by_id = {str(o["id"]): o for o in objs}
    if len(by_id) < 2:
        st.info(kit.t("compare.need_two"), icon=":material/compare:")
        return
    chosen = state.multiselect(kit.t("compare.pick"), list(by_id), COMPARE, state_key=kit.sk("cmp"),
                               format_func=lambda i: _label(by_id[i]))
    chosen = chosen[:3]
    if len(chosen) < 2:
        st.caption(kit.t("compare.hint"))
        return
    res = [_res(by_id[i]) for i in chosen]
    rows = []
    metrics = [("size", lambda r: fmt_number(r.get("size"), lang())),
               ("share_of_base", lambda r: fmt_pct(r.get("share_of_base"), lang())),
               ("avg_monetary", lambda r: fmt_money((r.get("stats") or {}).get("avg_monetary"), lang())),
               ("net_sales_share", lambda r: fmt_pct((r.get("stats") or {}).get("net_sales_share"), lang())),
               ("avg_frequency", lambda r: fmt_number((r.get("stats") or {}).get("avg_frequency"), lang(), 1))]
    for name, f in metrics:
        rows.append({kit.t("col.measure"): kit.t(f"kpi.{name}"), **{by_id[i]["name"] + f" #{i}": f(r) for i, r in zip(chosen, res)}})
    for rank in range(3):
        row = {kit.t("col.measure"): kit.t("compare.top", n=rank + 1)}
        for i, r in zip(chosen, res):
            strong = sorted([a for a in r.get("attributes") or [] if a.get("significant") and (a.get("tgi") or 0) > 100],
                            key=lambda a: -a["tgi"])
            row[by_id[i]["name"] + f" #{i}"] = (f"{strong[rank]['attribute_label']}: {strong[rank]['value_label']} "
                                               f"(TGI {strong[rank]['tgi']:.0f})") if len(strong) > rank else "—"
        rows.append(row)
    ui.table(pd.DataFrame(rows), key=f"{kit.url_path}_compare", file_name=f"prism_{kit.url_path}_compare")
    cols = st.columns(len(chosen))
    for col, i, r in zip(cols, chosen, res):
        with col:
            render_card(r, title=by_id[i]["name"], columns=False)


# ---------------------------------------------------------------- page


def main() -> None:
    ctx = page.context()
    page.header(kit.url_path)
    objs = cached.list_objects(KIND)
    opened = st.query_params.get("persona") not in (None, "")
    labels = [kit.t("tab.build"), kit.t("tab.saved", n=len(objs)), kit.t("tab.compare")]
    tabs = st.tabs(labels, default=labels[1] if opened else labels[0])
    params: dict = {}
    result = None
    with tabs[0]:
        if page.require_kinds(kit.url_path, ctx):
            params, result = builder(ctx)
    with tabs[1]:
        deleted = st.session_state.pop("_persona_deleted", None)
        if deleted:
            st.success(ui.md_escape(kit.t("saved.deleted", name=deleted)), icon=":material/delete:")
        saved(ctx, objs)
    with tabs[2]:
        compare(objs)
    page.show_problems()
    st.divider()
    full = page.result_key(ctx, params)
    user = ctx.user.get("username", "")
    make_html = (lambda: per.report_html(result, lang(), user=user, filters=dict(full), datasets=ctx.infos)) \
        if result else None
    make_json = (lambda: ui.json_dump({"page": kit.url_path, "datasets": ctx.infos, "params": dict(full), **result})) \
        if result else None
    ui.share_and_export(kit.url_path, make_html, make_json)
    for info in ctx.infos:
        st.caption(ui.md_escape(tr("page.rows_used", rows=f"{info['rows']:,}", dataset=info["name"],
                                   revision=info["revision"])))


main()
