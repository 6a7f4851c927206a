"""Several files, one dataset: the Data page's join review.

With several files uploaded, :func:`groups` offers to make them one dataset (proposed when every file
shares an id-like column name with another, as Olist's orders, items, payments and customers do). The
group is then reviewed like one file: :func:`review` shows the plan (which file gives the lines, how
each other file is joined, on which keys, one row or several per key, how many key values were found)
with pickers to change the lines file and each key; the usual mapping review, preview and validation
report follow on the joined columns. The plan and the joined lines come from :mod:`data.join` through
``analytics.cached`` (the engine does the work); nothing here touches the engine or the database.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
import streamlit as st

from analytics import cached
from components import ui
from components.i18n import fmt_number, lang, tr


class JoinGroup:
    """Uploaded files reviewed and stored as one dataset (duck-types an uploaded file for the page)."""

    kind_guess = "orders"

    def __init__(self, files: list) -> None:
        self.files = list(files)
        self.file_id = "join_" + hashlib.sha1("|".join(f.file_id for f in self.files).encode()).hexdigest()[:12]
        self.name = " + ".join(f.name for f in self.files)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.files]

    def _k(self, what: str, *idx: int) -> str:
        return "_".join([f"j{what}", self.file_id, *map(str, idx)])

    def choices(self) -> tuple:
        """The user's choices so far, as small hashable values: (base, keys, aggregate)."""
        ss = st.session_state
        base = ss.get(self._k("base"))
        b = self.names.index(base) if base in self.names else -1
        keys, agg = [], []
        for i, n in enumerate(self.names):
            to, on = ss.get(self._k("to", b, i)), ss.get(self._k("on", b, i))
            if n != base and to and on:
                keys.append((n, (to[0], to[1], on)))
            a = ss.get(self._k("agg", b, i))
            if a is not None:
                agg.append((n, bool(a)))
        return base, tuple(keys), tuple(agg)

    def prepare(self, **kwargs: Any):
        base, keys, agg = self.choices()
        return cached.prepare_joined_upload([(f.name, f.getvalue()) for f in self.files], base=base,
                                            keys=dict(keys), aggregate=dict(agg), **kwargs)


def choices(f) -> tuple:
    """What the prepared upload depends on beyond the file's reading options (a group's join choices)."""
    return f.choices() if isinstance(f, JoinGroup) else ()


def groups(files) -> list:
    """The uploads to review: the files one by one, or, when the user joins them, one :class:`JoinGroup`."""
    files = list(files or [])
    if len(files) < 2:
        return files
    group = JoinGroup(files)
    key = f"jsuggest:{group.file_id}"
    if key not in st.session_state:
        st.session_state[key] = cached.files_relate([(f.name, f.getvalue()) for f in files])
    on = st.toggle(tr("datasets.join.toggle"), value=st.session_state[key], key=f"join_on_{group.file_id}",
                   help=tr("datasets.join.toggle_help"))
    return [group] if on else files


def _role(role: str) -> str:
    return tr(f"datasets.join.role.{role}")


def review(group: JoinGroup, plan) -> None:
    """The plan as a table, and the pickers that change it (lines file, each join's keys, aggregation)."""
    st.markdown(f"**{tr('datasets.join.title')}**")
    rows = [{tr("datasets.join.col.file"): f.name, tr("ui.data.col.rows"): fmt_number(f.rows, lang()),
             tr("datasets.join.col.role"): _role(plan.role(f.name)), tr("datasets.join.col.key"): "",
             tr("datasets.join.col.found"): ""} for f in plan.files]
    by_name = {r[tr("datasets.join.col.file")]: r for r in rows}
    for j in plan.joins:
        r = by_name[j.file]
        r[tr("datasets.join.col.key")] = f"{j.to} · {j.left} = {j.right}"
        r[tr("datasets.join.col.found")] = tr("datasets.join.found", found=fmt_number(j.matched, lang()),
                                             keys=fmt_number(j.left_keys, lang()))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=f"jplan_{group.file_id}")
    if plan.person:
        st.caption(ui.say("datasets.join.person", column=plan.person[1], file=plan.person[0]))
    if any(j.aggregate for j in plan.joins):
        st.caption(tr("datasets.join.aggregated_help"))
    _pickers(group, plan.files, plan.base, {j.file: j for j in plan.joins})


def after_error(group, exc: BaseException) -> None:
    """A join refused (no shared key, a join that would repeat lines): the pickers, so the user can name
    the keys instead of being stuck with the refusal."""
    files = getattr(exc, "join_files", None)
    if isinstance(group, JoinGroup) and files:
        base = st.session_state.get(group._k("base")) or files[0].name
        _pickers(group, files, base, {})


def _pickers(group: JoinGroup, files, base: str, joins: dict) -> None:
    names = [f.name for f in files]
    with st.expander(tr("datasets.join.change"), icon=":material/join_inner:", expanded=not joins):
        st.selectbox(tr("datasets.join.base"), names, index=names.index(base), key=group._k("base"),
                     help=tr("datasets.join.base_help"))
        b = names.index(base)
        for i, f in enumerate(files):
            if f.name == base:
                continue
            j = joins.get(f.name)
            other = [(g.name, c) for g in files if g.name != f.name for c in g.columns]
            c1, c2, c3 = st.columns([3, 2, 1])
            c1.selectbox(ui.say("datasets.join.to", file=f.name), other, format_func=lambda o: f"{o[0]} · {o[1]}",
                         index=other.index((j.to, j.left)) if j else None, key=group._k("to", b, i),
                         placeholder=tr("datasets.join.pick"))
            c2.selectbox(tr("datasets.join.on"), list(f.columns), index=list(f.columns).index(j.right) if j else None,
                         key=group._k("on", b, i), placeholder=tr("datasets.join.pick"))
            if (j is not None and not j.unique) or group._k("agg", b, i) in st.session_state:
                c3.checkbox(tr("datasets.join.aggregate"), value=j.aggregate if j else True, key=group._k("agg", b, i),
                            help=tr("datasets.join.aggregate_help"))
