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
             "content": "ct", "audience": "au"}
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


AUTO_WINDOW = "_auto_window"  # the page's default window the sidebar put in place, and for which datasets


def page_default_window(url_path: str | None, datasets: tuple) -> dict | None:
    """The page's own default window (cached.window_of: e.g. the market overview's last complete month, and
    whether it fell back), cached per datasets; None for a page without one."""
    return cached.window_of(url_path, datasets)


def _explicit_in_url() -> bool:
    """A start or end in the URL that this session did not write itself (a shared link, an edited URL)."""
    return any(k in st.query_params and st.query_params.get(k) != st.session_state.get("_q_" + k)
               for k in ("start", "end"))


def apply_default_window(url_path: str | None, datasets: tuple) -> None:
    """Before the date widgets: put the page's default window in place when nothing explicit holds the range
    (no range in the link, none in the session) or when the range is still the default put in place for
    other datasets (the dataset was switched). The widgets then show it and write it to the URL, so the
    link reproduces the view; an explicit range (a link, a date the user picked) is never replaced."""
    if _explicit_in_url():
        return
    cur = (st.session_state.get("start"), st.session_state.get("end"))
    if cur != (None, None) and not (automatic_window(*cur) and st.session_state[AUTO_WINDOW]["datasets"] != datasets):
        return
    window = cached.default_window(url_path, datasets)
    if window is None:
        return
    # no default month (fewer than two complete months): (None, None), the whole data, also after a switch
    start, end = window
    st.session_state["start"], st.session_state["end"] = start, end
    st.session_state[AUTO_WINDOW] = {"datasets": datasets, "start": start, "end": end}


def automatic_window(start: date | None, end: date | None) -> bool:
    """True when ``(start, end)`` is the page's default window the sidebar put in place (not a range from a
    link or picked by the user): a newer revision then gets its own default window."""
    auto = st.session_state.get(AUTO_WINDOW)
    return (not _explicit_in_url() and auto is not None and (start, end) == (auto["start"], auto["end"]))


def date_range(url_path: str | None = None, datasets: tuple = ()) -> tuple[date | None, date | None]:
    """The shared start and end dates, bound to the URL; a page with its own default window (see
    :func:`apply_default_window`) opens on it."""
    st.sidebar.subheader(tr("sidebar.date_range"))
    apply_default_window(url_path, datasets)
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
