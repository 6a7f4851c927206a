"""Recommendations: which products to put in front of which customers (issue 8, DESIGN.md §4).

Layout: filters (evaluation settings and business rules, every one in the URL; an exclude list can also
be uploaded) -> progress of the training (st.status, three steps) -> the verdict: does personalisation
earn its keep -> tabs: model comparison with the baseline highlighted, sample lists with reasons, a
target list for an RFM group or a saved persona, the likely buyers of a product (CSV for the ad platform
or CRM) -> what to do next, the data behind, share link and reports.

Everything comes through analytics.cached: the result (page_result), the charts (page_figures) and the
page helpers of analytics/recommend/ (page_call: catalogue_options, segment_groups, segment_targets,
product_buyers), all cached on dataset id + revision + parameters.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pandas as pd
import streamlit as st

from analytics import cached
from analytics.common import AnalyticsError
from analytics.i18n import t
from analytics.recommend import MODELS, PARAMS, TARGET_PARAMS, ids_from_csv
from analytics.report import tables_of
from components import auth, page, state, ui
from components.export import to_csv_bytes
from components.i18n import fmt_date, fmt_number, fmt_pct, lang, tr

SPEC = {p.key: p for p in PARAMS + TARGET_PARAMS}
kit = page.kit(page.context().url_path)  # texts, state keys, labels, help and choices of this page
EXCL_KEY = kit.sk("exclude")
UPLOAD_KEY = kit.sk("upload")
PRODUCTS_KEY = "_reco_product_ids"
UPLOAD_MSG_KEY = "_reco_upload_msgs"
SAVED_KIND = "reco_target_list"
METRICS = ("precision_at_k", "recall_at_k", "hit_rate", "coverage", "novelty")










# ---------------------------------------------------------------- exclude list upload


def _apply_upload() -> None:
    """on_change of the uploader: add the file's product ids to the exclude list (once per upload)."""
    f = st.session_state.get(UPLOAD_KEY)
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
    cur = [v for v in (st.session_state.get(EXCL_KEY) or [])]
    add = [i for i in ids if i in known and i not in cur]
    unknown = [i for i in ids if i not in known]
    st.session_state[EXCL_KEY] = cur + add
    msgs.append(("success", tr(f"{kit.ns}.upload.added", n=len(add), file=name)))
    if unknown:
        msgs.append(("warning", tr(f"{kit.ns}.upload.unknown", n=len(unknown), file=name, codes=", ".join(unknown[:10]))))
    st.session_state[UPLOAD_MSG_KEY] = msgs


def _show_upload_msgs() -> None:
    for level, msg in st.session_state.pop(UPLOAD_MSG_KEY, []) or []:
        getattr(st, level)(ui.md_escape(msg))


# ---------------------------------------------------------------- filters


def filters(catalogue: dict) -> dict[str, Any]:
    products = catalogue["products"]
    ids = [p["product_id"] for p in products]
    names = {p["product_id"]: p.get("product_name") for p in products}
    st.session_state[PRODUCTS_KEY] = ids

    def plabel(pid: str) -> str:
        nm = names.get(pid)
        return f"{nm} ({pid})" if nm else str(pid)

    first, last = pd.Timestamp(catalogue["first_date"]).date(), pd.Timestamp(catalogue["last_date"]).date()
    with st.expander(tr("page.filters"), expanded=False, icon=":material/tune:"):
        st.caption(tr(f"{kit.ns}.section.evaluation"))
        c1, c2, c3, c4 = st.columns(4)
        holdout = state.date_value(kit.param_label("holdout_from"), SPEC["holdout_from"], state_key=kit.sk("holdout_from"),
                                   help=kit.param_help("holdout_from"), container=c1, min_value=first, max_value=last)
        k = state.number(kit.param_label("k"), SPEC["k"], state_key=kit.sk("k"), step=1, help=kit.param_help("k"), container=c2)
        model = state.selectbox(kit.param_label("model"), ["auto", *MODELS], SPEC["model"], state_key=kit.sk("model"),
                                format_func=lambda v: kit.choice("model", v), help=kit.param_help("model"), container=c3)
        seed = state.number(kit.param_label("seed"), SPEC["seed"], state_key=kit.sk("seed"), step=1, help=kit.param_help("seed"), container=c4)
        if holdout is None:
            c1.caption(tr(f"{kit.ns}.label.default_holdout", date=fmt_date(catalogue["default_holdout"], lang())))
        st.caption(tr(f"{kit.ns}.section.rules"))
        c1, c2, c3 = st.columns(3)
        window = state.number(kit.param_label("exclude_window_days"), SPEC["exclude_window_days"],
                              state_key=kit.sk("exclude_window_days"), step=1, help=kit.param_help("exclude_window_days"), container=c1)
        rp = state.toggle(kit.param_label("rp"), SPEC["rp"], state_key=kit.sk("rp"), help=kit.param_help("rp"), container=c2)
        boost_factor = state.number(kit.param_label("boost_factor"), SPEC["boost_factor"], state_key=kit.sk("boost_factor"),
                                    step=0.1, help=kit.param_help("boost_factor"), container=c3)
        c1, c2 = st.columns(2)
        exclude = state.multiselect(kit.param_label("exclude"), ids, SPEC["exclude"], state_key=EXCL_KEY, format_func=plabel,
                                    help=kit.param_help("exclude"), container=c1)
        c1.file_uploader(kit.param_label("upload"), type=["csv", "txt"], key=UPLOAD_KEY, on_change=_apply_upload,
                         help=kit.param_help("upload"))
        with c1:
            _show_upload_msgs()
        boost = state.multiselect(kit.param_label("boost"), ids, SPEC["boost"], state_key=kit.sk("boost"), format_func=plabel,
                                  help=kit.param_help("boost"), container=c2)
    return {"holdout_from": holdout, "k": int(k), "model": model, "exclude_window_days": int(window), "rp": bool(rp),
            "exclude": list(exclude), "boost": list(boost), "boost_factor": float(boost_factor), "seed": int(seed)}


# ---------------------------------------------------------------- compute with progress


def compute(ctx, base: dict, params: dict, catalogue: dict) -> tuple[dict | None, list[dict], str | None]:
    full = cached.freeze_params({**base, **params})
    holdout = params["holdout_from"] or catalogue["default_holdout"]
    result, figs, error = None, [], None
    t0 = time.perf_counter()
    with st.status(tr(f"{kit.ns}.status.running"), expanded=True) as status:
        st.write(tr(f"{kit.ns}.status.loaded", lines=fmt_number(catalogue["n_lines"], lang()),
                    customers=fmt_number(catalogue["n_customers"], lang()),
                    products=fmt_number(catalogue["n_products"], lang()),
                    first=fmt_date(catalogue["first_date"], lang()), last=fmt_date(catalogue["last_date"], lang())))
        st.write(tr(f"{kit.ns}.status.training", date=fmt_date(holdout, lang())))
        try:
            result = cached.page_result(kit.url_path, ctx.datasets, full, lang())
        except AnalyticsError as exc:
            error = ui.exc_text(exc)
        if result is not None:
            st.write(tr(f"{kit.ns}.status.lists"))
            figs = cached.page_figures(kit.url_path, ctx.datasets, full, lang())
            status.update(label=ui.say(f"{kit.ns}.status.done", model=t(f"{kit.ns}.model.{result['chosen_model']}", lang()),
                                   secs=f"{time.perf_counter() - t0:.1f}"), state="complete", expanded=False)
        else:
            status.update(label=tr(f"{kit.ns}.status.failed"), state="error", expanded=False)
    return result, figs, error


# ---------------------------------------------------------------- sections


def verdict(result: dict) -> None:
    first = result["findings"][0] if result.get("findings") else ""
    if result["personalisation"]["earns_its_keep"]:
        st.success(ui.md_escape(first), icon=":material/thumb_up:")
    else:
        st.warning(ui.md_escape(first), icon=":material/balance:")


def _pct_col(key: str, help_: str | None = None) -> Any:
    return st.column_config.NumberColumn(tr(f"{kit.ns}.col.{key}"), help=help_ or ui.definition(kit.ns, key), format="percent")


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
    rows = []
    for m in result["models"]:
        rows.append({"model": m["label"], "chosen": tr(f"{kit.ns}.label.chosen_mark") if m["name"] == chosen["name"] else "",
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
        "precision_at_k": _pct_col("precision_at_k"),
        "precision_ci": st.column_config.TextColumn(tr(f"{kit.ns}.col.precision_ci"), help=tr(f"{kit.ns}.help.precision_ci")),
        "recall_at_k": _pct_col("recall_at_k"),
        "hit_rate": _pct_col("hit_rate"),
        "coverage": _pct_col("coverage"),
        "novelty": st.column_config.NumberColumn(tr(f"{kit.ns}.col.novelty"), help=ui.definition(kit.ns, "novelty"), format="%.2f"),
        "n_users": st.column_config.NumberColumn(tr(f"{kit.ns}.col.n_users"), help=tr(f"{kit.ns}.help.n_users"), format="%d"),
    }
    st.dataframe(styler, hide_index=True, width="stretch", column_config=config, key="df_reco_models")
    export = pd.DataFrame([{f: m.get(f) for f in ("name", "label", "is_baseline", "precision_at_k", "precision_ci_low",
                                                  "precision_ci_high", "recall_at_k", "hit_rate", "coverage", "novelty",
                                                  "n_users")} for m in result["models"]])
    st.download_button(tr("page.download_csv"), data=lambda: to_csv_bytes(export), file_name=f"prism_{kit.url_path}_models.csv",
                       mime="text/csv", key="dl_reco_models", icon=":material/download:", on_click="ignore")
    for f in figs:
        if f.get("key") in ("models", "cold_start"):
            ui.figure(f, key=f"{kit.url_path}_fig_{f['key']}")


def sample_tab(result: dict, figs: list[dict]) -> None:
    sample = result.get("sample") or []
    if not sample:
        return
    by = {s["customer_id"]: s for s in sample}
    ids = list(by)
    sc = state.selectbox(kit.param_label("sc"), ids, SPEC["sc"], state_key=kit.sk("sc"), help=kit.param_help("sc"),
                         format_func=lambda c: f"{c} · {tr(f'{kit.ns}.sample.pick_help', history=by[c].get('history', 0))}")
    s = by[sc]
    st.caption(ui.md_escape(tr(f"{kit.ns}.sample.caption", customer=sc, status=tr(f"{kit.ns}.sample.status.{s['status']}"),
                               history=s.get("history", 0), k=result["k"])))
    df = pd.DataFrame({"rank": range(1, len(s["products"]) + 1), "product_id": s["products"],
                       "product_name": s["names"], "reason": s["reasons"]})
    ui.table(df, key=f"{kit.url_path}_sample_one", file_name=f"prism_{kit.url_path}_sample_{sc}", column_config=_labels(df))
    with st.expander(tr(f"{kit.ns}.sample.export", n=len(sample)), icon=":material/list:"):
        long = pd.DataFrame([{"customer_id": x["customer_id"], "rank": j + 1, "product_id": p, "product_name": x["names"][j],
                              "reason": x["reasons"][j], "customer_status": x["status"]}
                             for x in sample for j, p in enumerate(x["products"])])
        ui.table(long, key=f"{kit.url_path}_sample_all", file_name=f"prism_{kit.url_path}_sample", column_config=_labels(long))
    for f in figs:
        if f.get("key") == "top_products":
            ui.figure(f, key=f"{kit.url_path}_fig_top_products")


def _labels(df: pd.DataFrame) -> dict:
    out = {}
    for c in df.columns:
        text = tr(f"{kit.ns}.col.{c}")
        if c in ("score",):
            out[c] = st.column_config.NumberColumn(text, help=tr(f"{kit.ns}.help.score"), format="%.3f")
        elif c == "relative_score":
            out[c] = st.column_config.ProgressColumn(text, help=tr(f"{kit.ns}.help.relative_score"), min_value=0.0,
                                                     max_value=1.0, format="percent")
        elif c == "share":
            out[c] = st.column_config.NumberColumn(text, format="percent")
        elif not text.endswith(f"col.{c}"):
            out[c] = st.column_config.Column(text)
    return out


def _wide(rows: list[dict], k: int) -> pd.DataFrame:
    """One row per customer: customer_id, customer_status, product_1..product_k (ad platform / CRM)."""
    if not rows:
        return pd.DataFrame()
    df = pd.DataFrame(rows)
    w = df.pivot_table(index=["customer_id", "customer_status"], columns="rank", values="product_id", aggfunc="first")
    w.columns = [f"product_{int(c)}" for c in w.columns]
    order = list(dict.fromkeys(df["customer_id"]))
    return w.reset_index().set_index("customer_id").loc[order].reset_index()


def save_block(ctx, key: str, default_name: str, payload: dict) -> None:
    with st.container(border=True):
        st.markdown(f"**{ui.md_escape(tr(f'{kit.ns}.save.title'))}**")
        if not auth.require("save"):
            return
        name = st.text_input(tr(f"{kit.ns}.save.name"), value=default_name, key=f"{kit.url_path}:save_name:{key}", max_chars=200)
        if st.button(tr(f"{kit.ns}.save.button"), key=f"{kit.url_path}:save:{key}", icon=":material/save:"):
            name = (name or default_name).strip() or default_name
            body = {**payload, "page": kit.url_path, "link": ui.share_link(),
                    "query": {q: st.query_params.get_all(q) for q in st.query_params}}
            if ui.write(cached.save_object, SAVED_KIND, name, ctx.user.get("username", ""),
                        json.loads(json.dumps(body, default=str))) is not None:
                st.success(ui.md_escape(tr(f"{kit.ns}.save.done", name=name)), icon=":material/check:")


def segment_tab(ctx, base: dict, params: dict, result: dict) -> None:
    k = result["k"]
    src = state.radio(kit.param_label("tsrc"), ["rfm", "cn8", "persona"], SPEC["tsrc"], state_key=kit.sk("tsrc"),
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
        tseg = state.selectbox(kit.param_label("tseg"), [None, *labels], SPEC["tseg"], state_key=kit.sk(f"tseg_{src}"),
                               format_func=lambda v: tr(f"{kit.ns}.seg.none_option") if v is None else labels[v],
                               help=kit.param_help("tseg"))
        label = names.get(tseg)
    else:
        personas = cached.list_objects("persona")
        if not personas:
            st.info(tr(f"{kit.ns}.seg.no_personas"), icon=":material/person_search:")
            return
        by_id = {str(p["id"]): p for p in personas}
        tseg = state.selectbox(kit.param_label("persona"), [None, *by_id], SPEC["tseg"], state_key=kit.sk("tseg_persona"),
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
        ui.table(tdf, key=f"{kit.url_path}_seg_top", file_name=f"prism_{kit.url_path}_segment_top_products", column_config=_labels(tdf))
    st.markdown(f"**{ui.md_escape(tr(f'{kit.ns}.seg.list_title'))}**")
    df = pd.DataFrame(tl["rows"])
    ui.table(df, key=f"{kit.url_path}_seg_list", file_name=f"prism_{kit.url_path}_segment_{src}_long", column_config=_labels(df), height=360)
    wide = _wide(tl["rows"], k)
    st.download_button(tr(f"{kit.ns}.seg.export_wide"), data=lambda: to_csv_bytes(wide),
                       file_name=f"prism_{kit.url_path}_segment_{src}_crm.csv", mime="text/csv", key="dl_reco_seg_wide",
                       icon=":material/campaign:", on_click="ignore")
    save_block(ctx, "segment", tr(f"{kit.ns}.save.default_name", label=label, k=k),
               {"target": {"source": src, "value": tseg, "label": label}, "n_customers": tl["n_customers"],
                "model": tl["model"], "k": k, "params": {**params, "holdout_from": params["holdout_from"]}})


def product_tab(ctx, base: dict, params: dict, result: dict, catalogue: dict) -> None:
    names = {p["product_id"]: p.get("product_name") for p in catalogue["products"]}
    opts = [None, *names]
    c1, c2 = st.columns([3, 1])
    product = state.selectbox(kit.param_label("product"), opts, SPEC["product"], state_key=kit.sk("product"), help=kit.param_help("product"),
                              container=c1, format_func=lambda v: tr(f"{kit.ns}.product.none_option") if v is None else
                              (f"{names[v]} ({v})" if names.get(v) else str(v)))
    n = state.number(kit.param_label("top_customers"), SPEC["top_customers"], state_key=kit.sk("top_customers"), step=10,
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
    ui.table(df, key=f"{kit.url_path}_product_list", file_name=f"prism_{kit.url_path}_buyers_{product}", column_config=_labels(df), height=360)
    save_block(ctx, "product", tr(f"{kit.ns}.save.default_name", label=name, k=int(n)),
               {"target": {"product": product, "label": name}, "n_customers": len(pb["rows"]), "model": pb["model"],
                "params": params})


def data_behind(result: dict) -> None:
    tabs = tables_of(result)
    if not tabs:
        return
    with st.expander(tr("page.data_behind"), icon=":material/table:"):
        for name, rows in tabs.items():
            st.caption(ui.md_escape(name))
            ui.table(rows, key=f"{kit.url_path}_{name}", file_name=f"prism_{kit.url_path}_{name}")


# ---------------------------------------------------------------- page


def main() -> None:
    ctx = page.context()
    page.header(kit.url_path)
    if not page.require_kinds(kit.url_path, ctx):
        page.show_problems()
        return
    base = {"start": ctx.start, "end": ctx.end}
    info = next((i for i in ctx.infos if i.get("kind") == "orders"), {"name": "", "rows": 0})
    try:
        with st.spinner(ui.say("page.loading", name=info.get("name", ""), rows=fmt_number(info.get("rows", 0), lang())),
                        show_time=True):
            catalogue = cached.page_call(kit.url_path, "catalogue_options", ctx.datasets, cached.freeze_params(base), lang())
    except AnalyticsError as exc:
        page.show_problems()
        st.info(ui.say("page.not_enough", reason=ui.exc_text(exc)), icon=":material/hourglass_empty:")
        st.caption(tr(f"{kit.ns}.empty"))
        page.footer(kit.url_path, ctx, {}, None)
        return
    params = filters(catalogue)
    result, figs, error = compute(ctx, base, params, catalogue)
    if result is None:
        st.info(ui.say("page.not_enough", reason=error or ""), icon=":material/hourglass_empty:")
        st.caption(tr(f"{kit.ns}.empty.hint"))
    else:
        verdict(result)
        ui.warnings(result.get("warnings") or [])
        t_models, t_sample, t_seg, t_prod = st.tabs([tr(f"{kit.ns}.tab.models"), tr(f"{kit.ns}.tab.sample"),
                                                     tr(f"{kit.ns}.tab.segment"), tr(f"{kit.ns}.tab.product")])
        with t_models:
            models_tab(result, figs)
        with t_sample:
            sample_tab(result, figs)
        with t_seg:
            segment_tab(ctx, base, params, result)
        with t_prod:
            product_tab(ctx, base, params, result, catalogue)
        ui.findings((result.get("findings") or [])[1:])
        data_behind(result)
    page.show_problems()
    page.footer(kit.url_path, ctx, params, result)


main()
