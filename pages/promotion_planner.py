"""promotion-planner: how much to spend, where and when, what an incentive costs, and how risky the plan is.

Layout: header -> empty state (neither a media-mix table nor channel statistics) -> model settings ->
plan settings (budget-first or goal-first, horizon, start, pacing), per-channel limits, incentive ->
the fit (cached per dataset revision and model settings, so a new budget re-plans in well under a
second) -> KPIs, feasibility and risk card, what to do next -> tabs (allocation, response curves,
timeline, model and fit quality, incentive) -> data behind the page -> saved plans (save, list,
compare, open by link ``plan=ID``, delete own) -> share link and reports.
Every setting lives in the URL; numbers come from analytics.promotions via analytics.cached.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from analytics import cached
from analytics.common import AnalyticsError
from analytics.params import Param, parse_float, parse_id
from analytics.promotions import PARAMS, PLAN_KIND, compare_plans, plan_payload
from components import auth, page, state, ui
from components.i18n import fmt_number, fmt_pct, lang

P = {p.key: p for p in PARAMS}
kit = page.kit(page.context().url_path)  # texts, state keys, labels, help and choices of this page
PM = Param("pm", "str", "budget", choices=("budget", "goal"))
CMP = Param("cmp", "list", None)
MODEL_KEYS = ("spend_cols", "control_cols", "n_boot", "seed")
INCENTIVE_FIELDS = {"none": (), "coupon": ("face_value", "min_spend"), "threshold": ("threshold", "off"),
                    "points": ("points_per_unit", "point_value")}
ALLOC_COLS = ("channel", "spend", "share", "expected_outcome", "lower", "upper", "marginal_roi", "weekly_spend",
              "current_weekly_spend", "min", "max")
MODEL_COLS = ("channel", "carryover", "half_life_weeks", "contribution_share", "share_ci_low", "share_ci_high")
LOADED = "_pp_plan_loaded"
FLASH = "_pp_flash"








def flat_query() -> dict[str, str]:
    return {k: ",".join(st.query_params.get_all(k)) for k in st.query_params}


def _norm(q: dict) -> dict:
    """Query values compared by meaning ("120000" == "120000.0"), without the plan id and language."""
    out = {}
    for k, v in q.items():
        if k in ("plan", "lang"):
            continue
        try:
            out[k] = float(v)
        except (TypeError, ValueError):
            out[k] = str(v)
    return out


def choice(key: str):
    return lambda v: kit.choice(key, v)


# ------------------------------------------------------------------ saved plan opened by link


def open_saved_plan() -> dict | None:
    """``plan=ID`` in the link: load the saved plan's settings into the URL once (then rerun so the
    sidebar and every widget read them); returns the saved object while the link still points at it."""
    raw = st.query_params.get("plan")
    if not raw:
        st.session_state.pop(LOADED, None)
        return None
    plan_id = parse_id(raw)  # ASCII digits within 1 .. 2**63 - 1: "²" or a 23-digit id is a bad link
    if plan_id is None:
        state.note_problem(f"plan={state.short(raw)}: {kit.t('saved.bad_id')}")
        st.session_state.pop(LOADED, None)
        return None
    obj = cached.get_object(plan_id)
    if obj is None or obj.get("kind") != PLAN_KIND:
        st.warning(ui.say(f"{kit.ns}.saved.not_found", id=raw), icon=":material/link_off:")
        return None
    if st.session_state.get(LOADED) != raw:
        st.session_state[LOADED] = raw
        saved = (obj.get("payload") or {}).get("query") or {}
        for k in [k for k in st.query_params if k not in ("plan", "lang")]:
            del st.query_params[k]
        for k, v in saved.items():
            if k not in ("plan", "lang"):
                st.query_params[k] = v
        # forget the widgets' own values so they are seeded from the plan's link
        for k in list(st.session_state):
            if isinstance(k, str) and (k.startswith((f"{kit.url_path}:", f"_q_{kit.url_path}:", "pp_b", "_q_ds_", "ds_")) or k == "_pp_bounds_seen"):
                del st.session_state[k]
        st.rerun()
    return obj


def saved_banner(obj: dict) -> None:
    pay = obj.get("payload") or {}
    tot = pay.get("total") or {}
    L = lang()
    st.info(kit.say("saved.opened", id=obj["id"], name=obj["name"], owner=obj["owner"],
              when=str(obj.get("updated_at") or obj.get("created_at"))[:16],
              spend=fmt_number(tot.get("spend"), L, 2), out=fmt_number(tot.get("expected_outcome"), L),
              lo=fmt_number(tot.get("lower"), L), hi=fmt_number(tot.get("upper"), L)), icon=":material/bookmark:")


# ------------------------------------------------------------------ controls


def bounds_editor(channels: list[str], current: list, hist_max: list, labels: list) -> str | None:
    """Two number inputs per channel (total minimum / maximum over the plan, labelled with the channel's
    name) written to the URL as the ``bounds`` string "ch:min:max,..." that analytics.promotions parses."""
    raw = st.query_params.get("bounds")
    seen = "_pp_bounds_seen"
    if st.session_state.get(seen, "<unset>") != raw:  # first load or a shared link: seed from the URL
        parsed: dict[str, tuple] = {}
        for item in [s.strip() for s in str(raw or "").split(",") if s.strip()]:
            parts = item.split(":")
            try:  # finite, ASCII, not negative (the inputs start at 0): "1e400" or "-5" is a bad link
                lo = parse_float(parts[1]) if len(parts) > 1 and parts[1].strip() else None
                hi = parse_float(parts[2]) if len(parts) > 2 and parts[2].strip() else None
                if (lo is not None and lo < 0) or (hi is not None and hi < 0):
                    raise ValueError("below the minimum 0")
            except ValueError as exc:
                state.note_problem(f"bounds={state.short(item)}: {exc}")
                lo = hi = None
            if parts[0] in channels:
                parsed[parts[0]] = (lo, hi)
        for c in channels:
            lo, hi = parsed.get(c, (None, None))
            st.session_state[f"pp_bmin:{c}"] = lo
            st.session_state[f"pp_bmax:{c}"] = hi
    L, items, names = lang(), [], dict(zip(channels, labels))
    for i, c in enumerate(channels):
        c1, c2 = st.columns(2)
        help_ = kit.t("bounds.help", current=fmt_number(current[i] if i < len(current) else None, L, 2),
                  max=fmt_number(hist_max[i] if i < len(hist_max) else None, L, 2))
        # the current value is also the default (see components/state.py: a late-mounted input keeps it)
        lo = c1.number_input(kit.say("bounds.min", channel=names.get(c, c)), min_value=0.0, step=1000.0, key=f"pp_bmin:{c}", help=help_,
                             value=st.session_state.get(f"pp_bmin:{c}"))
        hi = c2.number_input(kit.say("bounds.max", channel=names.get(c, c)), min_value=0.0, step=1000.0, key=f"pp_bmax:{c}", help=help_,
                             value=st.session_state.get(f"pp_bmax:{c}"))
        if (lo is not None or hi is not None) and not any(ch in c for ch in ",:"):
            items.append(f"{c}:{'' if lo is None else format(lo, '.10g')}:{'' if hi is None else format(hi, '.10g')}")
    text = ",".join(items) or None
    if text is None:
        if "bounds" in st.query_params:
            del st.query_params["bounds"]
    elif raw != text:
        st.query_params["bounds"] = text
    st.session_state[seen] = text
    st.caption(kit.t("bounds.caption", text=ui.md_escape(text or kit.t("bounds.none"))))
    return text


def controls(ctx: page.PageContext) -> tuple[dict, dict]:
    """All settings, kit.url_path-bound; returns (all params, fit params)."""
    base = {"start": ctx.start, "end": ctx.end}
    pre = cached.page_call(kit.url_path, "model_inputs", ctx.datasets, cached.freeze_params(base), lang())
    opts = pre.get("column_options") or []
    model_spec = [P[k] for k in MODEL_KEYS if k not in ("spend_cols", "control_cols") or opts]
    with st.expander(kit.t("section.model"), expanded=False, icon=":material/model_training:"):
        model = page.param_widgets(kit.url_path, model_spec, options={"spend_cols": opts, "control_cols": opts})
        auto = []
        if opts and not model.get("spend_cols"):
            auto.append(kit.t("model.auto_spend", cols=", ".join(pre.get("default_spend_cols") or []) or "—"))
        if opts and not model.get("control_cols"):
            auto.append(kit.t("model.auto_controls", cols=", ".join(pre.get("default_control_cols") or []) or "—"))
        for line in auto:
            st.caption(ui.md_escape(line))
    for k in MODEL_KEYS:
        model.setdefault(k, P[k].default)
    model = {k: (v or None) if k in ("spend_cols", "control_cols") else v for k, v in model.items()}
    fit_params = {**base, **model}
    inputs = cached.page_call(kit.url_path, "model_inputs", ctx.datasets, cached.freeze_params(fit_params), lang())

    with st.container(border=True):
        st.markdown(f"**{kit.t('section.plan')}**")
        mode = state.radio(kit.t("param.pm"), list(PM.choices), PM, state_key=f"{kit.url_path}:pm", format_func=choice("pm"),
                           help=kit.t("mode.help"))
        skip = ("target", "goal") if mode == "budget" else ("budget",)
        spec = [P[k] for k in ("budget", "target", "goal", "weeks", "plan_start", "template")]
        plan = page.param_widgets(kit.url_path, spec, skip=skip)
    with st.expander(kit.t("section.bounds"), expanded=bool(st.query_params.get("bounds")), icon=":material/tune:"):
        plan["bounds"] = bounds_editor(inputs.get("channels") or [], inputs.get("current_weekly_spend") or [],
                                       inputs.get("hist_max_weekly") or [], (inputs.get("channel_labels") or {}).get(lang()) or [])
    with st.expander(kit.t("section.incentive"), expanded=st.query_params.get("incentive") not in (None, "none"),
                     icon=":material/sell:"):
        kind = page.param_widgets(kit.url_path, [P["incentive"]])["incentive"]
        fields = ("redemption", "margin", "aov", "base_orders") + INCENTIVE_FIELDS.get(kind, ())
        inc = page.param_widgets(kit.url_path, [P[k] for k in INCENTIVE_FIELDS[kind] + ("redemption", "margin", "aov", "base_orders")]) \
            if kind != "none" else {}
    incentive = {"incentive": kind, **{k: inc.get(k, P[k].default) for k in fields}}
    for k in ("face_value", "min_spend", "threshold", "off", "points_per_unit", "point_value", "redemption", "margin",
              "aov", "base_orders"):
        incentive.setdefault(k, P[k].default)
    params = {**model, **plan, **incentive}
    return params, fit_params


# ------------------------------------------------------------------ results


def feasibility_card(result: dict) -> None:
    feas = result.get("feasibility") or {}
    risks = result.get("risks") or []
    with st.container(border=True):
        st.markdown(f"**{kit.t('section.feasibility')}**")
        verdict = feas.get("verdict")
        text = ui.md_escape(feas.get("text") or "")
        {"go": st.success, "caution": st.warning, "stop": st.error}.get(verdict, st.info)(text)
        if not risks:
            st.caption(kit.t("label.no_risks"))
        for r in risks:
            st.markdown(("🔴" if r.get("level") == "high" else "🟠")
                        + f" **{kit.t('risk.level.' + str(r.get('level')))}** · {ui.md_escape(r.get('text'))}")


def table_of(rows: list[dict], cols: tuple, key: str, fmt: dict | None = None) -> None:
    if not rows:
        return
    df = pd.DataFrame(rows)
    keep = [c for c in cols if c in df.columns]
    out = df[keep].rename(columns={c: kit.col(c) for c in keep})
    config = {kit.col(c): st.column_config.NumberColumn(kit.col(c), format=f, help=ui.definition(kit.ns, c))
              for c, f in (fmt or {}).items() if c in keep}
    ui.table(out, key=f"{kit.url_path}_v_{key}", file_name=f"prism_{kit.url_path}_{key}", column_config=config)


KPI_FORMAT = {"budget": "money", "holdout_mape": "pct", "probability": "pct", "margin_erosion": "pct",
              "break_even_uplift": "pct", "incentive_cost": "money", "roi": "ratio", "holdout_r2": "ratio"}


def kpi_cards(kpis: dict) -> None:
    """KPI cards with the planner's own formats (percentages for errors and probabilities)."""
    L = lang()
    items = [(k, v) for k, v in kpis.items() if not isinstance(v, (dict, list))]
    for i in range(0, len(items), 4):
        cols = st.columns(4)
        for c, (name, v) in zip(cols, items[i:i + 4]):
            kind = KPI_FORMAT.get(name, "number")
            text = (fmt_pct(v, L) if kind == "pct" else fmt_number(v, L, 2) if kind in ("money", "ratio")
                    else fmt_number(v, L))
            c.metric(kit.t(f"kpi.{name}"), text, help=ui.definition(kit.ns, name))


def show_result(ctx: page.PageContext, params: dict, result: dict) -> None:
    L = lang()
    ui.warnings(result.get("warnings") or [])
    kpi_cards(dict(result.get("kpis") or {}))
    feasibility_card(result)
    ui.findings(result.get("findings") or [])
    figs = page.figures(kit.url_path, ctx, params)
    tabs = st.tabs([kit.t(f"tab.{k}") for k in ("allocation", "curves", "timeline", "model", "incentive")])
    with tabs[0]:
        if "allocation" in figs:
            ui.figure(figs["allocation"], key=f"{kit.url_path}_fig_allocation")
        table_of(result.get("allocation") or [], ALLOC_COLS, "allocation",
                 {"spend": "%.2f", "share": "percent", "expected_outcome": "%.0f", "lower": "%.0f", "upper": "%.0f",
                  "marginal_roi": "%.2f", "weekly_spend": "%.2f", "current_weekly_spend": "%.2f"})
    with tabs[1]:
        if "curves" in figs:
            ui.figure(figs["curves"], key=f"{kit.url_path}_fig_curves")
    with tabs[2]:
        if "timeline" in figs:
            ui.figure(figs["timeline"], key=f"{kit.url_path}_fig_timeline")
        phases = [{**ph, "phase": ph.get("label") or ph.get("phase")} for ph in (result.get("pacing") or {}).get("phases") or []]
        table_of(phases, ("phase", "start", "end", "days", "budget_share", "spend"), "phases",
                 {"budget_share": "percent", "spend": "%.2f"})
    with tabs[3]:
        fit = result.get("fit") or {}
        st.caption(ui.md_escape(kit.t("label.fit_caption", weeks=fit.get("weeks"), start=str(fit.get("start"))[:10],
                                  end=str(fit.get("end"))[:10], source=kit.t(f"source.{fit.get('source')}"),
                                  mape=fmt_pct(fit.get("holdout_mape"), L), hold=fit.get("holdout_weeks"),
                                  secs=fmt_number(fit.get("fit_seconds"), L, 1))))
        for k in ("contributions", "fit"):
            if k in figs:
                ui.figure(figs[k], key=f"{kit.url_path}_fig_{k}")
        table_of(result.get("model") or [], MODEL_COLS, "model",
                 {"carryover": "%.2f", "half_life_weeks": "%.1f", "contribution_share": "percent",
                  "share_ci_low": "percent", "share_ci_high": "percent"})
    with tabs[4]:
        inc = result.get("incentive")
        if not inc:
            st.caption(kit.t("label.incentive_none"))
        else:
            kpi_cards({"incentive_cost": inc.get("cost"), "margin_erosion": inc.get("margin_erosion"),
                              "break_even_uplift": inc.get("break_even_uplift"),
                              "break_even_extra_orders": inc.get("break_even_extra_orders")})
    rest = {k: v for k, v in result.items() if k not in ("warnings", "findings", "kpis")}
    page.standard_blocks(kit.url_path, ctx, params, rest, kpis=False, charts=False)


# ------------------------------------------------------------------ saved plans


def saved_plans(ctx: page.PageContext, params: dict | None, result: dict | None) -> None:
    L = lang()
    user = ctx.user.get("username", "")
    st.subheader(kit.t("section.saved"))
    flash = st.session_state.pop(FLASH, None)
    if flash:  # (key, values) of the message, escaped when shown
        st.success(kit.say(flash[0], **flash[1]))
    if result is not None:
        if auth.can("save"):
            with st.form(f"{kit.url_path}_save", clear_on_submit=False, border=True):
                nk = f"{kit.url_path}_plan_name"
                if not st.session_state.get(nk):
                    st.session_state[nk] = kit.t("save.default_name", date=datetime.now().strftime("%Y-%m-%d %H:%M"))
                name = st.text_input(kit.t("save.name"), key=nk, max_chars=200)
                if st.form_submit_button(kit.t("save.button"), icon=":material/bookmark_add:"):
                    if not name.strip():
                        st.warning(kit.t("save.need_name"))
                    else:
                        query = {k: v for k, v in flat_query().items() if k != "plan"}
                        full = {"start": ctx.start, "end": ctx.end, **(params or {})}
                        payload = plan_payload(result, full, query=query, datasets=ctx.infos)
                        new_id = ui.write(cached.save_object, PLAN_KIND, name.strip(), user, payload)
                        if new_id is not None:
                            st.session_state[FLASH] = ("save.done", {"id": new_id, "name": name.strip()})
                            st.rerun()
        else:
            auth.require("save")
    plans = cached.list_objects(PLAN_KIND)
    if not plans:
        st.caption(kit.t("saved.none"))
        return
    rows = [{kit.col("id"): p["id"], kit.col("name"): p["name"], kit.col("owner"): p["owner"],
             kit.col("saved"): str(p.get("updated_at"))[:16],
             kit.col("spend"): ((p["payload"] or {}).get("total") or {}).get("spend"),
             kit.col("expected_outcome"): ((p["payload"] or {}).get("total") or {}).get("expected_outcome"),
             kit.col("weeks"): (p["payload"] or {}).get("weeks"), kit.col("plan_start"): (p["payload"] or {}).get("plan_start")}
            for p in plans]
    ui.table(pd.DataFrame(rows), key=f"{kit.url_path}_v_saved", file_name=f"prism_{kit.url_path}_saved_plans")
    by_id = {str(p["id"]): p for p in plans}
    label = lambda i: f"#{i} {by_id[i]['name']}" if i in by_id else str(i)  # noqa: E731
    c1, c2 = st.columns(2)
    pick = c1.selectbox(kit.t("saved.open"), list(by_id), format_func=label, key=f"{kit.url_path}_open_pick")
    if c1.button(kit.t("saved.open_button"), key=f"{kit.url_path}_open", icon=":material/open_in_new:"):
        st.query_params["plan"] = pick
        st.session_state.pop(LOADED, None)
        st.rerun()
    own = [i for i, p in by_id.items() if p["owner"] == user or auth.can("delete_others")]
    if own and auth.can("delete"):
        victim = c2.selectbox(kit.t("saved.delete"), own, format_func=label, key=f"{kit.url_path}_del_pick")
        if c2.button(kit.t("saved.delete_button"), key=f"{kit.url_path}_del", icon=":material/delete:") and \
                ui.write(cached.delete_object, int(victim)) is not None:
            if st.query_params.get("plan") == victim:
                del st.query_params["plan"]
            st.session_state[FLASH] = ("saved.deleted", {"id": victim})
            st.rerun()
    chosen = state.multiselect(kit.t("saved.compare"), list(by_id), CMP, state_key=f"{kit.url_path}:cmp", format_func=label)
    if chosen:
        # one row per plan, one column per measure (each column keeps one type)
        wide = pd.DataFrame(compare_plans([by_id[i] for i in chosen], L)).set_index(kit.t("compare.measure")).T
        wide = wide.rename_axis(kit.col("name")).reset_index()
        for c in wide.columns[1:]:
            if c != kit.t("compare.plan_start"):
                wide[c] = pd.to_numeric(wide[c], errors="coerce")
        ui.table(wide, key=f"{kit.url_path}_v_compare", file_name=f"prism_{kit.url_path}_compare")


# ------------------------------------------------------------------ page

ctx = page.context()
page.header(kit.url_path)
for ds_id in ctx.missing:
    st.warning(ui.say("page.missing_dataset", id=ds_id), icon=":material/link_off:")
opened = open_saved_plan()

if not ({"media_mix", "channels"} & ctx.kinds()):
    page.show_problems()
    st.info(kit.t("empty.either"), icon=":material/info:")
    ui.empty_state("media_mix")
    ui.empty_state("channels")
    saved_plans(ctx, None, None)
    page.footer(kit.url_path, ctx, {}, None)
    st.stop()

params, fit_params = controls(ctx)
page.show_problems()
result = None
try:
    with st.spinner(kit.t("fitting"), show_time=True):
        cached.ensure_fit(kit.url_path, ctx.datasets, page.result_key(ctx, params))
except AnalyticsError as exc:
    st.info(ui.say("page.not_enough", reason=ui.exc_text(exc)), icon=":material/hourglass_empty:")
else:
    result = page.compute(kit.url_path, ctx, params)
if opened is not None:
    if _norm((opened.get("payload") or {}).get("query") or {}) == _norm(flat_query()):
        saved_banner(opened)
    else:  # the settings moved away from the saved plan: the link now describes the current view
        del st.query_params["plan"]
        st.session_state.pop(LOADED, None)
if result is not None:
    show_result(ctx, params, result)
st.divider()
saved_plans(ctx, params, result)
page.footer(kit.url_path, ctx, params, result)
