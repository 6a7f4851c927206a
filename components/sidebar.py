"""The shared sidebar: language, dataset picker per kind the page uses, date range, user."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from analytics import cached
from analytics.i18n import LANGS
from analytics.params import Param, id_param, parse_id
from components import state
from components.i18n import LANG_KEY, tr

KIND_KEYS = {"orders": "o", "customers": "cu", "channels": "ch", "competitors": "cp", "experiments": "ex",
             "feedback": "fb", "market": "mk", "media_mix": "mm", "live_sessions": "ls", "creators": "cr",
             "content": "ct"}
LANG_NAMES = {"en": "English", "zh": "简体中文"}


def language() -> str:
    return state.radio(tr("sidebar.language"), list(LANGS), Param(LANG_KEY, "str", "en", choices=LANGS),
                       format_func=lambda v: LANG_NAMES[v], container=st.sidebar)


def dataset_pickers(kinds: dict[str, bool]) -> dict[str, Any]:
    """One picker per kind; returns {"datasets": ((kind, id, revision), ...), "infos": [...], "missing": [...]}."""
    chosen: list[tuple[str, int, int]] = []
    infos: list[dict] = []
    missing: list[int] = []
    if not kinds:
        return {"datasets": (), "infos": [], "missing": []}
    st.sidebar.subheader(tr("sidebar.datasets"))
    for kind in kinds:
        key = KIND_KEYS[kind]
        options = cached.list_datasets(kind)
        by_id = {d["id"]: d for d in options}
        wanted = parse_id(st.query_params.get(key))  # a malformed id is reported by the picker below
        if wanted is not None and wanted not in by_id:
            missing.append(wanted)
        ids = [0] + sorted(by_id, reverse=True)
        default = ids[1] if len(ids) > 1 else 0
        ds_id = state.selectbox(
            tr("sidebar.dataset_for", kind=tr(f"kind.{kind}")), ids, id_param(key, default, min=0),
            state_key=f"ds_{kind}", format_func=lambda i, b=by_id: tr("sidebar.none") if i == 0 else f"{b[i]['name']} · #{i}",
            container=st.sidebar, always=True,
        )
        if ds_id:
            info = by_id[ds_id]
            chosen.append((kind, int(ds_id), int(info["revision"])))
            infos.append(info)
    return {"datasets": tuple(chosen), "infos": infos, "missing": missing}


def date_range() -> tuple[date | None, date | None]:
    st.sidebar.subheader(tr("sidebar.date_range"))
    c1, c2 = st.sidebar.columns(2)
    start = state.date_value(tr("sidebar.start"), Param("start", "date"), container=c1)
    end = state.date_value(tr("sidebar.end"), Param("end", "date"), container=c2)
    if start and end and start > end:
        start, end = end, start
    return start, end


def user_box(user: dict) -> None:
    from components.auth import sign_out_button
    from components.ui import say

    st.sidebar.divider()
    st.sidebar.caption(say("sidebar.signed_in_as", name=user["name"], role=tr(f"role.{user['role']}")))
    sign_out_button(st.sidebar)
