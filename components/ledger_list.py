"""The incrementality ledger in the browser (issue 17 item 1): every entry with its channel, period, spend,
lift and interval, incremental return, method, dataset, age, owner and the evaluation view it came from;
its owner (or an admin) edits the channel and the spend or deletes it, everyone else reads. The rule is the
repository's (``data.access.may_change``, checked again where the write happens); the writes go through
``analytics.cached`` like the command line's go through ``analytics.ledger``."""

from __future__ import annotations

from typing import Any

import streamlit as st

from analytics import cached, ledger, tables
from analytics.ledger import LedgerError
from components import auth, ui
from components.i18n import fmt_money, lang, tr

FLASH = "ledger_list_flash"


def _safe_link(url: Any) -> str | None:
    """The evaluation view's link when it is a web address or a path of this app (never javascript: etc.)."""
    u = str(url or "").strip()
    if "\\" in u or any(ord(c) < 32 for c in u):  # browsers read "/\host" as "//host": another site
        return None
    return u if u.startswith(("https://", "http://", "/")) and not u.startswith("//") else None


def _label(e: dict) -> str:
    return f"#{e['id']} {e['channel']} · {e['start']} – {e['end']} · {fmt_money(e['spend'], lang())} · {e['owner']}"


def ledger_panel(url_path: str) -> None:
    """An expander with the ledger list, the link to an entry's evaluation and, for the entry's owner or an
    admin, its edit form (channel, spend) and delete button. A message about the last change shows inside."""
    flash = st.session_state.pop(FLASH, None)
    rows = ledger.list_rows(cached.ledger_entries())
    with st.expander(tr("ledger.list.title", n=len(rows)), expanded=flash is not None, icon=":material/fact_check:"):
        if flash:
            st.success(ui.say(flash[0], **flash[1]), icon=":material/check_circle:")
        if not rows:
            st.caption(tr("ledger.list.none"))
            return
        ui.spec_table("ledger", tables.spec(ledger, "entries"), rows, key=f"{url_path}_ledger",
                      file_name="prism_incrementality_ledger")
        by_id = {r["id"]: r for r in rows}
        pick = st.selectbox(tr("ledger.list.pick"), list(by_id), format_func=lambda i: _label(by_id[i]),
                            key=f"{url_path}_ledger_pick")
        entry = by_id[pick]
        link = _safe_link(entry.get("view"))
        if link:
            st.link_button(tr("ledger.list.open_view"), link, icon=":material/open_in_new:")
        if not auth.can("save"):
            st.caption(auth.denied_message("save"))
            return
        if not cached.may_change_entry(entry):
            st.caption(ui.say("ledger.list.not_yours", owner=entry["owner"]))
            return
        _edit(url_path, entry)


def _edit(url_path: str, entry: dict) -> None:
    eid = entry["id"]
    with st.form(f"{url_path}_ledger_edit_{eid}", border=True):
        st.markdown(ui.say("ledger.list.edit", id=eid))
        c1, c2 = st.columns(2)
        channel = c1.text_input(tr("ledger.field.channel"), value=entry["channel"], max_chars=200)
        spend = c2.number_input(tr("ledger.field.spend"), min_value=0.0, step=100.0, value=float(entry["spend"]))
        save = st.form_submit_button(tr("ledger.list.save"), icon=":material/save:")
    if save:
        try:
            done = ui.write(cached.ledger_update, eid, channel=channel, spend=spend)
        except (LedgerError, LookupError) as exc:  # said under the form; nothing changed
            st.error(ui.exc_text(exc), icon=":material/error:")
            done = None
        if done is not None:
            st.session_state[FLASH] = ("ledger.list.updated", {"id": eid, "channel": done["channel"],
                                                               "spend": fmt_money(done["spend"], lang())})
            st.rerun()
    if st.button(ui.say("ledger.list.delete", id=eid), key=f"{url_path}_ledger_delete_{eid}", icon=":material/delete:"):
        if ui.write(cached.ledger_delete, eid):
            st.session_state[FLASH] = ("ledger.list.deleted", {"id": eid})
            st.rerun()
