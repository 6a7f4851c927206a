"""Text on charts: a text's rough width in pixels (:func:`text_px`), titles wrapped to the chart's width
(:func:`wrap`, :func:`plain`), and user text made inert for plotly.js's HTML subset (:func:`inert_figure`)."""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np

from .base import FONT_PX, TITLE_CHARS


# Punctuation that stays with its neighbour when a title is wrapped: an opening bracket or quote with the word
# after it, a closing one (and a comma, full stop, colon ...) with the word before it.
OPENING = "（“「『《〈【‘([{"
CLOSING = "）。，、：；！？」』》〉】’”),.:;!?]}"


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
        The title. Words stay whole (a word longer than ``width`` gets a line of its own), and no line ends
        with an opening bracket or quote (（“「《) nor starts with closing punctuation (）。，、：；！？」”》).
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
    glued: list[str] = []  # no line starts with closing punctuation, none ends with an opening bracket
    for tok in tokens:
        if glued and tok != " " and glued[-1] != " " and (tok[0] in CLOSING or glued[-1][-1] in OPENING):
            glued[-1] += tok
        else:
            glued.append(tok)
    lines, cur, cols = [], "", 0
    for tok in glued:
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


# Plotly.js draws every text of a figure (titles, tick labels from category values, legend and trace names,
# hover texts, data labels, annotations) through its own HTML subset: <a href>, <span style>, <b>, <i>,
# <sup>, <sub>, <br>. A product, channel or campaign named '<a href="http://x">Sign in again</a>' became a
# link on the page, in the HTML report and in the PDF pack. Its templates (hovertemplate, texttemplate) are
# ours and keep their markup; every other text is made inert where a figure leaves the app.
TEMPLATE_KEYS = frozenset({"hovertemplate", "texttemplate", "template"})


def inert(text: str) -> str:
    """A text plotly.js draws as it is: each ``<`` becomes ``&lt;`` (drawn as ``<``, so no tag can open),
    except in a line break ``<br>`` (the wrapped titles' own).

    Parameters
    ----------
    text : str
        Any text of a figure.

    Returns
    -------
    str
        The text without a tag plotly.js would interpret, other than ``<br>``; the same text when it has
        no ``<`` (and when it is already inert: the function is idempotent).
    """
    if "<" not in text:
        return text
    return text.replace("<", "&lt;").replace("&lt;br>", "<br>")


def inert_figure(d: Any) -> Any:
    """A figure's dict (``Figure.to_dict()``) with every text made :func:`inert`, in place: trace data (x,
    y, text, hovertext, names, labels, customdata ...) and layout texts (titles, annotations, tick texts),
    at any depth; the templates (``hovertemplate``, ``texttemplate``, the theme's ``template``) are left as
    they are. Arrays of text (lists, tuples, numpy object or unicode arrays) come back as lists.

    Parameters
    ----------
    d : Any
        A figure dict, or any part of one.

    Returns
    -------
    Any
        ``d`` (changed in place where it is a dict or a list), or the inert copy of a text or an array.
    """
    if isinstance(d, str):
        return inert(d)
    if isinstance(d, dict):
        for k, v in d.items():
            if k not in TEMPLATE_KEYS and not isinstance(v, (int, float, bool, type(None))):
                d[k] = inert_figure(v)
        return d
    if isinstance(d, list):
        for i, v in enumerate(d):
            if not isinstance(v, (int, float, bool, type(None))):
                d[i] = inert_figure(v)
        return d
    if isinstance(d, tuple):
        return [inert_figure(v) for v in d]
    if isinstance(d, np.ndarray) and d.dtype.kind in "OU":
        return [inert_figure(v) for v in d.tolist()]
    return d
