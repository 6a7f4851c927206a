"""The persona card (plain Streamlit elements) and its PNG download, for the persona builder's new, saved
and compared personas."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

import streamlit as st

from analytics import personas as per
from components import ui
from components.i18n import lang, tr


def card(res: dict, *, title: str | None = None, columns: bool = True) -> None:
    """Name, segment, portrait, then needs / channels / offers, each sentence with the number it rests on."""
    c = res.get("card") or {}
    with st.container(border=True):
        st.subheader(ui.md_escape(title or c.get("name", "")))
        if title and title != c.get("name"):
            st.markdown(f"**{ui.md_escape(c.get('name', ''))}**")
        st.caption(ui.md_escape(per.segment_line(res, lang())))
        st.markdown(ui.md_escape(c.get("portrait", "")))
        sections = per.card_sections(c, lang())
        cols = st.columns(len(sections)) if columns else [st.container() for _ in sections]
        for col, (head, items) in zip(cols, sections):
            with col:
                st.markdown(f"**{ui.md_escape(head)}**")
                if not items:
                    st.caption(tr("personas.card.none"))
                for it in items:
                    st.markdown("- " + ui.md_escape(it.get("text", "")))
                    st.caption(ui.md_escape(it.get("evidence", "")))
        basis = ("；" if lang() == "zh" else "; ").join(b.get("evidence", "") for b in c.get("name_basis") or [])
        if basis:
            st.caption(ui.say("personas.card.name_from", basis=basis))
        if c.get("note"):  # the attributes that define the segment, left out of the card
            st.caption(ui.md_escape(c["note"]))


def png_button(get_res: Callable[[str], dict], title: str | None, key: str, file_stub: str) -> None:
    """Download of the card as PNG; without a Chinese font the PNG is the English card (with a note)."""
    lg = lang()
    if not per.png_can_draw(lg):
        lg = "en"
        st.caption(tr("personas.png.no_cjk"))
    footer = tr("personas.png.footer", when=datetime.now(timezone.utc).strftime("%Y-%m-%d"))
    st.download_button(tr("personas.png.download"), data=lambda: per.card_png(get_res(lg), lg, title=title, footer=footer),
                       file_name=f"{file_stub}.png", mime="image/png", key=key, icon=":material/image:",
                       on_click="ignore")


def saved_result(obj: dict) -> dict:
    """A saved persona's result in the page's language (else its other language)."""
    results = (obj.get("payload") or {}).get("results") or {}
    return results.get(lang()) or next(iter(results.values()), {})


def saved_label(obj: dict) -> str:
    seg_ = (saved_result(obj).get("segment") or {}).get("label", "")
    return tr("personas.saved.option", id=obj["id"], name=obj["name"], segment=seg_, owner=obj["owner"])


def saved_rows(objs: list[dict]) -> list[dict[str, Any]]:
    """The saved personas' list: id, name, segment, size, owner, when."""
    return [{"id": o["id"], "name": o["name"], "segment": (saved_result(o).get("segment") or {}).get("label", ""),
             "size": saved_result(o).get("size"), "owner": o["owner"],
             "saved_at": str(o.get("updated_at") or o.get("created_at") or "")[:16]} for o in objs]
