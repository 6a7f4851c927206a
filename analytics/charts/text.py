"""Text width on charts: a text's rough width in pixels (:func:`text_px`) and titles wrapped to the
chart's width (:func:`wrap`, :func:`plain`)."""

from __future__ import annotations

import unicodedata

from .base import FONT_PX, TITLE_CHARS


def text_px(text: str, size: int = FONT_PX) -> float:
    """Rough width of a text in pixels: a wide (CJK) character about one em, others about 0.58 em.

    Parameters
    ----------
    text : str
        The text (any value is taken as its ``str``).
    size : int
        Font size in pixels.

    Returns
    -------
    float
        The estimated width in pixels.
    """
    w = 0.0
    for ch in str(text):
        w += 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.58
    return w * size


def wrap(text: str, width: int = TITLE_CHARS) -> str:
    """A title in lines of at most ``width`` columns (a CJK character counts two), joined with <br>; a line
    broken at a space keeps that space, so :func:`plain` gives the text back exactly.

    Parameters
    ----------
    text : str
        The title. Words stay whole (a word longer than ``width`` gets a line of its own).
    width : int
        Columns per line.

    Returns
    -------
    str
        The title's lines joined with ``<br>``.
    """
    tokens: list[str] = []
    for ch in str(text):  # words stay whole; a CJK character and a space are tokens of their own
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        if wide or ch == " " or not tokens or tokens[-1] == " " or \
                unicodedata.east_asian_width(tokens[-1][-1]) in ("W", "F"):
            tokens.append(ch)
        else:
            tokens[-1] += ch
    lines, cur, cols = [], "", 0
    for tok in tokens:
        w = sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in tok)
        if tok != " " and cols + w > width and cur.strip():
            lines.append(cur)
            cur, cols = "", 0
        cur += tok
        cols += w
    if cur:
        lines.append(cur)
    return "<br>".join(lines)


def plain(title: str | None) -> str:
    """A wrapped title back in one line.

    Parameters
    ----------
    title : str | None
        A title from :func:`wrap` (None gives ``""``).

    Returns
    -------
    str
        The title with its ``<br>`` removed.
    """
    return (title or "").replace("<br>", "")
