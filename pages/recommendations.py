"""Recommendations: which products to put in front of which customers. Filters (evaluation settings and
business rules, every one in the URL; an exclude list can also be uploaded) -> training with its progress
-> the verdict: does personalisation earn its keep -> tabs: model comparison with the baseline
highlighted, sample lists with reasons, a target list for an RFM group or a saved persona, the likely
buyers of a product (CSV for the ad platform or CRM). Numbers come from analytics.recommend (result,
figures, and its page helpers catalogue_options, segment_groups, segment_targets, product_buyers)."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import streamlit as st

from analytics import cached
from analytics.common import AnalyticsError
from analytics.i18n import t
from analytics.recommend import MODELS
from components import page, reco_lists as lists, state, ui
from components.i18n import fmt_date, fmt_number, fmt_pct, lang, tr

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



def models_tab(result: dict) -> None:
    k = result["k"]
    v.kpis(labels={n: ui.say(f"{kit.ns}.kpi.{n}", k=k) for n in result["kpis"]}, per_row=len(result["kpis"]),
           deltas=result.get("kpi_deltas"))
    st.caption(ui.md_escape(tr(f"{kit.ns}.label.kpi_caption", model=result["chosen_label"])))
    c = result.get("counts") or {}
    st.caption(ui.md_escape(tr(f"{kit.ns}.label.counts", train_lines=fmt_number(c.get("train_lines"), lang()),
                               train_customers=fmt_number(c.get("train_customers"), lang()),
                               date=fmt_date(result["holdout_from"], lang()),
                               evaluated=fmt_number(c.get("evaluated_customers"), lang()),
                               catalogue=fmt_number(c.get("catalogue"), lang()))))
    lists.models_table(kit, result)
    for key in ("models", "cold_start"):
        v.figure(key)


def sample_tab(result: dict) -> None:
    sample = result.get("sample") or []
    if not sample:
        return
    by = {s["customer_id"]: s for s in sample}
    sc = state.selectbox(kit.param_label("sc"), list(by), kit.param("sc"), state_key=kit.sk("sc"), help=kit.param_help("sc"),
                         format_func=lambda c: f"{c} · {tr(f'{kit.ns}.sample.pick_help', history=by[c].get('history', 0))}")
    s = by[sc]
    st.caption(ui.md_escape(tr(f"{kit.ns}.sample.caption", customer=sc, status=tr(f"{kit.ns}.sample.status.{s['status']}"),
                               history=s.get("history", 0), k=result["k"])))
    lines = result.get("sample_lines") or []
    v.table("sample_one", [r for r in lines if r["customer_id"] == sc], key=f"sample_{sc}")
    with st.expander(tr(f"{kit.ns}.sample.export", n=len(sample)), icon=":material/list:"):
        v.table("sample_lines")
    v.figure("top_products")


def segment_tab(ctx, base: dict, params: dict, result: dict) -> None:
    k = result["k"]
    src = state.radio(kit.param_label("tsrc"), ["rfm", "cn8", "persona"], kit.param("tsrc"), state_key=kit.sk("tsrc"),
                      format_func=lambda v: kit.choice("tsrc", v), help=kit.param_help("tsrc"))
    prev = st.session_state.get("_reco_prev_tsrc")
    if prev is not None and prev != src and "tseg" in st.query_params:
        del st.query_params["tseg"]  # a group of the other source means nothing here
    st.session_state["_reco_prev_tsrc"] = src
    picked = lists.choose_target(kit, ctx, {**base, **params}, src)
    if picked is None:
        return
    tseg, label, extra = picked
    if tseg is None:
        st.info(ui.say(f"{kit.ns}.seg.choose", k=k), icon=":material/group:")
        return
    # the page's own model choice (e.g. auto), so the list comes from the page's cached fit
    tparams = {**base, **params, "tsrc": src, "tseg": tseg, **extra}
    try:
        with st.spinner(tr(f"{kit.ns}.status.targets"), show_time=True):
            tl = cached.page_call(kit.url_path, "segment_targets", ctx.datasets, cached.freeze_params(tparams), lang())
    except AnalyticsError as exc:
        ui.cannot_answer(exc, icon=None)
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
        v.table("segment_top_products", top)
    st.markdown(f"**{ui.md_escape(tr(f'{kit.ns}.seg.list_title'))}**")
    v.table("segment_targets", tl["rows"], key=f"segment_{src}_long", height=360)
    lists.wide_download(kit, tl["rows"], k, src)
    lists.save_block(kit, ctx, "segment", tr(f"{kit.ns}.save.default_name", label=label, k=k),
               {"target": {"source": src, "value": tseg, "label": label}, "n_customers": tl["n_customers"],
                "model": tl["model"], "k": k, "params": {**params, "holdout_from": params["holdout_from"]}},
               basis=(src, tseg, k))



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
    v.table("product_targets", pb["rows"], key=f"buyers_{product}", height=360)
    lists.save_block(kit, ctx, "product", tr(f"{kit.ns}.save.default_name", label=name, k=int(n)),
               {"target": {"product": product, "label": name}, "n_customers": len(pb["rows"]), "model": pb["model"],
                "params": params}, basis=(product, int(n)))



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
    # only the open tab runs (a link with a target group or a product opens on its tab)
    kit.draw_tabs({"models": lambda: models_tab(v.result), "sample": lambda: sample_tab(v.result),
                   "segment": lambda: segment_tab(v.ctx, v.base, v.params, v.result),
                   "product": lambda: product_tab(v.ctx, v.base, v.params, v.result, v.options)},
                  implied_by={"tseg": "segment", "product": "product"})
    ui.findings((v.get("findings") or [])[1:])
    v.data_behind()
else:
    st.caption(kit.t("empty.hint"))
v.footer()
