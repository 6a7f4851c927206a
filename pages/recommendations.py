"""Recommendations: which products to put in front of which customers. Filters (evaluation settings and
business rules, every one in the URL; an exclude list can also be uploaded) -> training with its progress
-> the verdict: does personalisation earn its keep -> tabs: model comparison with the baseline
highlighted, sample lists with reasons, a target list for an RFM group or a saved persona, the likely
buyers of a product (CSV for the ad platform or CRM). Numbers come from analytics.recommend (result,
figures, and its page helpers catalogue_options, segment_groups, segment_targets, product_buyers)."""

from __future__ import annotations

import json
import time
from typing import Any

import pandas as pd
import streamlit as st

from analytics import cached
from analytics.common import AnalyticsError
from analytics.i18n import t
from analytics.recommend import MODELS
from components import page, reco_lists as lists, state, ui
from components.export import to_csv_bytes
from components.i18n import fmt_date, fmt_number, fmt_pct, lang, tr

METRICS = ("precision_at_k", "recall_at_k", "hit_rate", "coverage", "novelty")


def catalogue(view: page.View) -> dict:
    """The products and the history's dates (the choices of the filters)."""
    info = next((i for i in view.ctx.infos if i.get("kind") == "orders"), {"name": "", "rows": 0})
    with st.spinner(ui.say("page.loading", name=info.get("name", ""), rows=fmt_number(info.get("rows", 0), lang())), show_time=True):
        return view.call("catalogue_options", view.base)


def filters(kit: page.Kit, catalogue: dict) -> dict[str, Any]:
    products = catalogue["products"]
    ids = [p["product_id"] for p in products]
    names = {p["product_id"]: p.get("product_name") for p in products}
    st.session_state[lists.PRODUCTS_KEY] = ids

    def plabel(pid: str) -> str:
        nm = names.get(pid)
        return f"{nm} ({pid})" if nm else str(pid)

    first, last = pd.Timestamp(catalogue["first_date"]).date(), pd.Timestamp(catalogue["last_date"]).date()
    with st.expander(tr("page.filters"), expanded=False, icon=":material/tune:"):
        st.caption(tr(f"{kit.ns}.section.evaluation"))
        c1, c2, c3, c4 = st.columns(4)
        holdout = state.date_value(kit.param_label("holdout_from"), kit.param("holdout_from"), state_key=kit.sk("holdout_from"),
                                   help=kit.param_help("holdout_from"), container=c1, min_value=first, max_value=last)
        k = state.number(kit.param_label("k"), kit.param("k"), state_key=kit.sk("k"), step=1, help=kit.param_help("k"), container=c2)
        model = state.selectbox(kit.param_label("model"), ["auto", *MODELS], kit.param("model"), state_key=kit.sk("model"),
                                format_func=lambda v: kit.choice("model", v), help=kit.param_help("model"), container=c3)
        seed = state.number(kit.param_label("seed"), kit.param("seed"), state_key=kit.sk("seed"), step=1, help=kit.param_help("seed"), container=c4)
        if holdout is None:
            c1.caption(tr(f"{kit.ns}.label.default_holdout", date=fmt_date(catalogue["default_holdout"], lang())))
        st.caption(tr(f"{kit.ns}.section.rules"))
        c1, c2, c3 = st.columns(3)
        window = state.number(kit.param_label("exclude_window_days"), kit.param("exclude_window_days"),
                              state_key=kit.sk("exclude_window_days"), step=1, help=kit.param_help("exclude_window_days"), container=c1)
        rp = state.toggle(kit.param_label("rp"), kit.param("rp"), state_key=kit.sk("rp"), help=kit.param_help("rp"), container=c2)
        boost_factor = state.number(kit.param_label("boost_factor"), kit.param("boost_factor"), state_key=kit.sk("boost_factor"),
                                    step=0.1, help=kit.param_help("boost_factor"), container=c3)
        c1, c2 = st.columns(2)
        exclude = state.multiselect(kit.param_label("exclude"), ids, kit.param("exclude"), state_key=kit.sk("exclude"), format_func=plabel,
                                    help=kit.param_help("exclude"), container=c1)
        c1.file_uploader(kit.param_label("upload"), type=["csv", "txt"], key=kit.sk("upload"), on_change=lists.apply_upload, args=(kit,),
                         help=kit.param_help("upload"))
        with c1:
            lists.show_upload_msgs()
        boost = state.multiselect(kit.param_label("boost"), ids, kit.param("boost"), state_key=kit.sk("boost"), format_func=plabel,
                                  help=kit.param_help("boost"), container=c2)
    return {"holdout_from": holdout, "k": int(k), "model": model, "exclude_window_days": int(window), "rp": bool(rp),
            "exclude": list(exclude), "boost": list(boost), "boost_factor": float(boost_factor), "seed": int(seed)}



def verdict(result: dict) -> None:
    first = result["findings"][0] if result.get("findings") else ""
    if result["personalisation"]["earns_its_keep"]:
        st.success(ui.md_escape(first), icon=":material/thumb_up:")
    else:
        st.warning(ui.md_escape(first), icon=":material/balance:")



def models_tab(result: dict, figs: list[dict]) -> None:
    k = result["k"]
    models = {m["name"]: m for m in result["models"]}
    chosen, base = models[result["chosen_model"]], models["popular"]
    cols = st.columns(len(METRICS))
    for col, name in zip(cols, METRICS):
        v, b = chosen[name], base[name]
        if name == "novelty":
            value = fmt_number(v, lang(), 2)
            delta = tr(f"{kit.ns}.delta.bits", d=f"{v - b:+.2f}") if chosen is not base else None
        else:
            value = fmt_pct(v, lang())
            delta = tr(f"{kit.ns}.delta.points", d=f"{(v - b) * 100:+.1f}") if chosen is not base else None
        col.metric(ui.say(f"{kit.ns}.kpi.{name}", k=k), value, delta=delta, help=ui.definition(kit.ns, name))
    st.caption(ui.md_escape(tr(f"{kit.ns}.label.kpi_caption", model=result["chosen_label"])))
    c = result.get("counts") or {}
    st.caption(ui.md_escape(tr(f"{kit.ns}.label.counts", train_lines=fmt_number(c.get("train_lines"), lang()),
                               train_customers=fmt_number(c.get("train_customers"), lang()),
                               date=fmt_date(result["holdout_from"], lang()),
                               evaluated=fmt_number(c.get("evaluated_customers"), lang()),
                               catalogue=fmt_number(c.get("catalogue"), lang()))))
    st.markdown(f"**{ui.md_escape(tr(f'{kit.ns}.label.models_table'))}**")
    lists.models_table(kit, result)
    for f in figs:
        if f.get("key") in ("models", "cold_start"):
            ui.figure(f, key=f"{kit.url_path}_fig_{f['key']}")



def sample_tab(result: dict, figs: list[dict]) -> None:
    sample = result.get("sample") or []
    if not sample:
        return
    by = {s["customer_id"]: s for s in sample}
    ids = list(by)
    sc = state.selectbox(kit.param_label("sc"), ids, kit.param("sc"), state_key=kit.sk("sc"), help=kit.param_help("sc"),
                         format_func=lambda c: f"{c} · {tr(f'{kit.ns}.sample.pick_help', history=by[c].get('history', 0))}")
    s = by[sc]
    st.caption(ui.md_escape(tr(f"{kit.ns}.sample.caption", customer=sc, status=tr(f"{kit.ns}.sample.status.{s['status']}"),
                               history=s.get("history", 0), k=result["k"])))
    df = pd.DataFrame({"rank": range(1, len(s["products"]) + 1), "product_id": s["products"],
                       "product_name": s["names"], "reason": s["reasons"]})
    ui.table(df, key=f"{kit.url_path}_sample_one", file_name=f"prism_{kit.url_path}_sample_{sc}", column_config=lists.labels(kit, df))
    with st.expander(tr(f"{kit.ns}.sample.export", n=len(sample)), icon=":material/list:"):
        long = pd.DataFrame([{"customer_id": x["customer_id"], "rank": j + 1, "product_id": p, "product_name": x["names"][j],
                              "reason": x["reasons"][j], "customer_status": x["status"]}
                             for x in sample for j, p in enumerate(x["products"])])
        ui.table(long, key=f"{kit.url_path}_sample_all", file_name=f"prism_{kit.url_path}_sample", column_config=lists.labels(kit, long))
    for f in figs:
        if f.get("key") == "top_products":
            ui.figure(f, key=f"{kit.url_path}_fig_top_products")



def segment_tab(ctx, base: dict, params: dict, result: dict) -> None:
    k = result["k"]
    src = state.radio(kit.param_label("tsrc"), ["rfm", "cn8", "persona"], kit.param("tsrc"), state_key=kit.sk("tsrc"),
                      format_func=lambda v: kit.choice("tsrc", v), help=kit.param_help("tsrc"))
    prev = st.session_state.get("_reco_prev_tsrc")
    if prev is not None and prev != src and "tseg" in st.query_params:
        del st.query_params["tseg"]  # a group of the other source means nothing here
    st.session_state["_reco_prev_tsrc"] = src
    extra: dict[str, Any] = {}
    label = None
    if src in ("rfm", "cn8"):
        try:
            groups = cached.page_call(kit.url_path, "segment_groups", ctx.datasets, cached.freeze_params({**base, **params}), lang())[src]
        except AnalyticsError as exc:
            st.info(ui.say("page.not_enough", reason=ui.exc_text(exc)))
            return
        labels = {g["value"]: tr(f"{kit.ns}.seg.group_option", label=g["label"], n=fmt_number(g["n"], lang())) for g in groups}
        names = {g["value"]: g["label"] for g in groups}
        tseg = state.selectbox(kit.param_label("tseg"), [None, *labels], kit.param("tseg"), state_key=kit.sk(f"tseg_{src}"),
                               format_func=lambda v: tr(f"{kit.ns}.seg.none_option") if v is None else labels[v],
                               help=kit.param_help("tseg"))
        label = names.get(tseg)
    else:
        personas = cached.list_objects("persona")
        if not personas:
            st.info(tr(f"{kit.ns}.seg.no_personas"), icon=":material/person_search:")
            return
        by_id = {str(p["id"]): p for p in personas}
        tseg = state.selectbox(kit.param_label("persona"), [None, *by_id], kit.param("tseg"), state_key=kit.sk("tseg_persona"),
                               format_func=lambda v: tr(f"{kit.ns}.seg.none_option") if v is None else
                               f"{by_id[v]['name']} · {by_id[v].get('owner', '')}", help=kit.param_help("tseg"))
        if tseg is not None:
            label = by_id[tseg]["name"]
            payload = by_id[tseg].get("payload") or {}
            spec = {k: payload[k] for k in ("source", "segment", "value", "params", "customer_ids") if k in payload}
            extra["persona"] = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
    if tseg is None:
        st.info(ui.say(f"{kit.ns}.seg.choose", k=k), icon=":material/group:")
        return
    # the page's own model choice (e.g. auto), so the list comes from the page's cached fit
    tparams = {**base, **params, "tsrc": src, "tseg": tseg, **extra}
    try:
        with st.spinner(tr(f"{kit.ns}.status.targets"), show_time=True):
            tl = cached.page_call(kit.url_path, "segment_targets", ctx.datasets, cached.freeze_params(tparams), lang())
    except AnalyticsError as exc:
        st.info(ui.say("page.not_enough", reason=ui.exc_text(exc)))
        return
    if not tl["rows"]:
        st.info(tr(f"{kit.ns}.seg.empty"))
        return
    st.markdown(ui.md_escape(tr(f"{kit.ns}.seg.summary", n=fmt_number(tl["n_customers"], lang()), label=label,
                                known=fmt_number(tl["n_known"], lang()), new=fmt_number(tl["n_new"], lang()),
                                model=t(f"{kit.ns}.model.{tl['model']}", lang()))))
    if tl.get("capped"):
        st.warning(tr(f"{kit.ns}.seg.capped", cap=fmt_number(tl["capped"], lang())))
    top = tl.get("top_products") or []
    if top:
        first = top[0]
        st.markdown(f"**{ui.md_escape(tr(f'{kit.ns}.seg.top_title', label=label))}**")
        st.caption(ui.md_escape(tr(f"{kit.ns}.seg.top_finding", name=first.get("product_name") or first["product_id"],
                                   label=label, share=fmt_pct(first["share"], lang()), k=k)))
        tdf = pd.DataFrame(top)[["product_id", "product_name", "n_customers", "share"]]
        ui.table(tdf, key=f"{kit.url_path}_seg_top", file_name=f"prism_{kit.url_path}_segment_top_products", column_config=lists.labels(kit, tdf))
    st.markdown(f"**{ui.md_escape(tr(f'{kit.ns}.seg.list_title'))}**")
    df = pd.DataFrame(tl["rows"])
    ui.table(df, key=f"{kit.url_path}_seg_list", file_name=f"prism_{kit.url_path}_segment_{src}_long", column_config=lists.labels(kit, df), height=360)
    wide = lists.wide(tl["rows"], k)
    st.download_button(tr(f"{kit.ns}.seg.export_wide"), data=lambda: to_csv_bytes(wide),
                       file_name=f"prism_{kit.url_path}_segment_{src}_crm.csv", mime="text/csv", key="dl_reco_seg_wide",
                       icon=":material/campaign:", on_click="ignore")
    lists.save_block(kit, ctx, "segment", tr(f"{kit.ns}.save.default_name", label=label, k=k),
               {"target": {"source": src, "value": tseg, "label": label}, "n_customers": tl["n_customers"],
                "model": tl["model"], "k": k, "params": {**params, "holdout_from": params["holdout_from"]}})



def product_tab(ctx, base: dict, params: dict, result: dict, catalogue: dict) -> None:
    names = {p["product_id"]: p.get("product_name") for p in catalogue["products"]}
    opts = [None, *names]
    c1, c2 = st.columns([3, 1])
    product = state.selectbox(kit.param_label("product"), opts, kit.param("product"), state_key=kit.sk("product"), help=kit.param_help("product"),
                              container=c1, format_func=lambda v: tr(f"{kit.ns}.product.none_option") if v is None else
                              (f"{names[v]} ({v})" if names.get(v) else str(v)))
    n = state.number(kit.param_label("top_customers"), kit.param("top_customers"), state_key=kit.sk("top_customers"), step=10,
                     help=kit.param_help("top_customers"), container=c2)
    if product is None:
        st.info(tr(f"{kit.ns}.product.choose"), icon=":material/shopping_bag:")
        return
    tparams = {**base, **params, "product": product, "top_customers": int(n)}
    with st.spinner(tr(f"{kit.ns}.status.targets"), show_time=True):
        pb = cached.page_call(kit.url_path, "product_buyers", ctx.datasets, cached.freeze_params(tparams), lang())
    name = f"{pb['product_name']} ({product})" if pb.get("product_name") else str(product)
    if not pb["rows"]:
        st.info(tr(f"{kit.ns}.product.empty"))
        return
    st.markdown(ui.md_escape(tr(f"{kit.ns}.product.summary", n=fmt_number(len(pb["rows"]), lang()), name=name,
                                model=t(f"{kit.ns}.model.{pb['model']}", lang()), buyers=fmt_number(pb["buyers"], lang()))))
    df = pd.DataFrame(pb["rows"])[["rank", "customer_id", "relative_score", "score", "reason"]]
    ui.table(df, key=f"{kit.url_path}_product_list", file_name=f"prism_{kit.url_path}_buyers_{product}", column_config=lists.labels(kit, df), height=360)
    lists.save_block(kit, ctx, "product", tr(f"{kit.ns}.save.default_name", label=name, k=int(n)),
               {"target": {"product": product, "label": name}, "n_customers": len(pb["rows"]), "model": pb["model"],
                "params": params})



# ---------------------------------------------------------------- page


def train(view: page.View) -> dict | None:
    """Train and evaluate every model with its progress (three steps in a status box)."""
    cat, t0 = view.options, time.perf_counter()
    with st.status(view.kit.t("status.running"), expanded=True) as status:
        st.write(view.kit.t("status.loaded", lines=fmt_number(cat["n_lines"], lang()), customers=fmt_number(cat["n_customers"], lang()),
                            products=fmt_number(cat["n_products"], lang()), first=fmt_date(cat["first_date"], lang()),
                            last=fmt_date(cat["last_date"], lang())))
        st.write(view.kit.t("status.training", date=fmt_date(view.params["holdout_from"] or cat["default_holdout"], lang())))
        try:
            result = cached.page_result(view.url_path, view.ctx.datasets, page.result_key(view.ctx, view.params), lang())
        except AnalyticsError:  # the frame says why, under the status box
            status.update(label=view.kit.t("status.failed"), state="error", expanded=False)
            raise
        st.write(view.kit.t("status.lists"))
        status.update(label=view.kit.say("status.done", model=view.kit.t(f"model.{result['chosen_model']}"),
                                         secs=f"{time.perf_counter() - t0:.1f}"), state="complete", expanded=False)
    return result


v = page.frame(options=catalogue, controls=filters, compute_with=train)
kit = v.kit
if v.result is not None:
    verdict(v.result)
    figs = list(v.figs.values())
    t_models, t_sample, t_seg, t_prod = st.tabs([kit.t(f"tab.{n}") for n in ("models", "sample", "segment", "product")])
    with t_models:
        models_tab(v.result, figs)
    with t_sample:
        sample_tab(v.result, figs)
    with t_seg:
        segment_tab(v.ctx, v.base, v.params, v.result)
    with t_prod:
        product_tab(v.ctx, v.base, v.params, v.result, v.options)
    ui.findings((v.get("findings") or [])[1:])
    v.data_behind()
else:
    st.caption(kit.t("empty.hint"))
v.footer()
