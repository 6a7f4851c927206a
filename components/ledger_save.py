"""Save a post-campaign evaluation's incremental revenue to the incrementality ledger (issue 17): the promotion
planner calibrates its response curves on the ledger's entries. The draft (lift and its 95% interval, method,
period and spend where the evaluation knows them) comes from ``analytics.ledger.draft_from_evaluation``; the
user completes the channel, period and spend, and the entry is saved as theirs."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from analytics import cached
from analytics.ledger import LedgerError, draft_from_evaluation
from components import auth, ui
from components.i18n import fmt_money, lang, tr


def _day(x: Any) -> date | None:
    try:
        return date.fromisoformat(str(x)[:10]) if x else None
    except ValueError:
        return None


def ledger_form(result: dict, params: dict, dataset_id: int | None) -> None:
    """An expander under the memo: the draft entry, the fields still to fill in, and "Add to the ledger". The
    outcome (saved, or why not) shows below the expander, which a rerun closes."""
    draft = draft_from_evaluation(result, params, dataset_id=dataset_id, view=ui.share_link())
    if draft is None:  # no incremental revenue to record
        return
    with st.expander(tr("ledger.page.title"), icon=":material/playlist_add:"):
        st.caption(ui.say("ledger.page.help", lift=fmt_money(draft["lift"], lang()), low=fmt_money(draft["low"], lang()),
                          high=fmt_money(draft["high"], lang()), method=tr(f"ledger.method.{draft['method']}")))
        with st.form("ledger_form", border=False):
            channel = st.text_input(tr("ledger.field.channel"), value=draft["channel"] or "")
            c1, c2, c3 = st.columns(3)
            start = c1.date_input(tr("ledger.field.start"), value=_day(draft["start"]), format="YYYY-MM-DD")
            end = c2.date_input(tr("ledger.field.end"), value=_day(draft["end"]), format="YYYY-MM-DD")
            spend = c3.number_input(tr("ledger.field.spend"), min_value=0.0, step=100.0,
                                    value=float(draft["spend"]) if draft["spend"] is not None else None)
            submitted = st.form_submit_button(tr("ledger.page.add"), icon=":material/playlist_add:")
    if not submitted or not auth.require("save"):
        return
    fields = {k: draft[k] for k in ("lift", "low", "high", "method", "dataset_id", "view")}
    fields.update(channel=channel.strip(), start=start.isoformat() if start else None,
                  end=end.isoformat() if end else None, spend=spend)
    try:
        entry = ui.write(cached.ledger_add, fields)
    except LedgerError as exc:
        st.error(ui.exc_text(exc), icon=":material/error:")
        return
    if entry is not None:
        st.success(ui.say("ledger.saved", id=entry, channel=fields["channel"], start=fields["start"],
                          end=fields["end"]), icon=":material/check_circle:")
