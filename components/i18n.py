"""The session's language and the translation helper for UI code."""

from __future__ import annotations

import functools

import streamlit as st

from analytics.i18n import (DEFAULT_LANG, LANGS, fmt_date, fmt_kpi, fmt_list, fmt_money, fmt_number, fmt_pct,
                           join_sentences, t)

LANG_KEY = "lang"

__all__ = ["lang", "tr", "fmt_date", "fmt_kpi", "fmt_list", "join_sentences", "fmt_money", "fmt_number", "fmt_pct",
           "LANGS"]


def lang() -> str:
    v = st.session_state.get(LANG_KEY)
    if v in LANGS:
        return v
    q = st.query_params.get(LANG_KEY)
    return q if q in LANGS else DEFAULT_LANG


def tr(key: str, **kwargs: object) -> str:
    """Translate a key; keys without a namespace are taken from the ``ui`` catalogue."""
    if "." not in key or key.split(".", 1)[0] not in _namespaces():
        key = "ui." + key
    return t(key, lang(), **kwargs)


@functools.lru_cache(maxsize=1)
def _namespaces() -> frozenset[str]:
    """The locale files' namespaces, read once per process (a glob per text cost ~0.1 ms, 100+ a rerun)."""
    from analytics.i18n import namespaces

    return frozenset(namespaces())
