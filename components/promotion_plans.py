"""The promotion planner's saved plans: a plan opened by link (``plan=ID``: its settings loaded into the
URL once), the banner while the view still is that plan, the per-channel limits editor (written to the
URL as ``bounds``), and the saved plans block (save, list, open, delete own, compare)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from analytics import cached, tables
from analytics.params import Param, parse_float, parse_id
from analytics.promotions import PLAN_KIND, compare_plans, plan_payload
from components import auth, state, ui
from components.i18n import fmt_number, lang

CMP = Param("cmp", "list", None)
LOADED = "_pp_plan_loaded"
FLASH = "_pp_flash"
# keys of the link that are not the plan's settings: the plan id and the view (language, open tab). A plan
# opened by link keeps the link's view, and a view change (a tab click) leaves the link on the plan
VIEW = ("plan", "lang", "tab")


def flat_query() -> dict[str, str]:
    return {k: ",".join(st.query_params.get_all(k)) for k in st.query_params}


def _norm(q: dict) -> dict:
    """Query values compared by meaning ("120000" == "120000.0"), without the plan id and the view."""
    out = {}
    for k, v in q.items():
        if k in VIEW:
            continue
        try:
            out[k] = float(v)
        except (TypeError, ValueError):
            out[k] = str(v)
    return out



def open_saved_plan(kit: Any) -> dict | None:
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
        for k in [k for k in st.query_params if k not in VIEW]:
            del st.query_params[k]
        for k, v in saved.items():
            if k not in VIEW:
                st.query_params[k] = v
        # forget the widgets' own values so they are seeded from the plan's link
        for k in list(st.session_state):
            if isinstance(k, str) and (k.startswith((f"{kit.url_path}:", f"_q_{kit.url_path}:", "pp_b", "_q_ds_", "ds_")) or k == "_pp_bounds_seen"):
                del st.session_state[k]
        st.rerun()
    return obj


def banner_or_forget(kit: Any, obj: dict) -> None:
    """The saved plan's banner while the settings are still the plan's; once they moved away, the link
    describes the current view (``plan`` is dropped from it)."""
    if _norm((obj.get("payload") or {}).get("query") or {}) == _norm(flat_query()):
        saved_banner(kit, obj)
    else:
        del st.query_params["plan"]
        st.session_state.pop(LOADED, None)


def saved_banner(kit: Any, obj: dict) -> None:
    pay = obj.get("payload") or {}
    tot = pay.get("total") or {}
    L = lang()
    st.info(kit.say("saved.opened", id=obj["id"], name=obj["name"], owner=obj["owner"],
              when=str(obj.get("updated_at") or obj.get("created_at"))[:16],
              spend=fmt_number(tot.get("spend"), L, 2), out=fmt_number(tot.get("expected_outcome"), L),
              lo=fmt_number(tot.get("lower"), L), hi=fmt_number(tot.get("upper"), L)), icon=":material/bookmark:")



def bounds_editor(kit: Any, channels: list[str], current: list, hist_max: list, labels: list) -> str | None:
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



def saved_plans(kit: Any, ctx: Any, params: dict | None, result: dict | None) -> None:
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
                        query = {k: v for k, v in flat_query().items() if k not in ("plan", "tab")}
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
    rows = [{"id": p["id"], "name": p["name"], "owner": p["owner"], "saved": str(p.get("updated_at"))[:16],
             "spend": ((p["payload"] or {}).get("total") or {}).get("spend"),
             "expected_outcome": ((p["payload"] or {}).get("total") or {}).get("expected_outcome"),
             "weeks": (p["payload"] or {}).get("weeks"), "plan_start": (p["payload"] or {}).get("plan_start")}
            for p in plans]
    ui.spec_table(kit.ns, tables.spec(kit.module, "saved"), rows, key=f"{kit.url_path}_v_saved",
                  file_name=f"prism_{kit.url_path}_saved_plans")
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
