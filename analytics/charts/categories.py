"""Category axes: whether names fit along an axis (:func:`category_fits`) and every axis making room for
its labels, names that would overlap angled (:func:`category_axes`)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Sequence

from .axes import _domain_width, _get, _on_axis, _seq, _value_dim
from .base import FONT_PX
from .setting import _put
from .text import text_px


def category_fits(labels: Sequence[str], width_px: float, angle: float = 0) -> bool:
    """Whether ``labels`` along a horizontal axis ``width_px`` wide stay apart at tick angle ``angle``.

    Parameters
    ----------
    labels : Sequence[str]
        The category names, one slot each.
    width_px : float
        The axis's width in pixels.
    angle : float
        The tick angle in degrees (0: level, the widest label must fit its slot; otherwise the labels'
        height across the slant must).

    Returns
    -------
    bool
        True when no two labels overlap (always for no labels).
    """
    if not labels:
        return True
    slot = width_px / len(labels)
    if angle == 0:
        return max(text_px(s) for s in labels) + 6 <= slot
    return FONT_PX * 1.3 / math.sin(math.radians(abs(angle))) <= slot


def _category_labels(fig: Any, key: str, ref: str) -> list[str]:
    letter = ref[0]
    seen: dict[str, None] = {}  # in order of first appearance
    for tr in fig.data:
        if tr.type in ("treemap", "pie", "table") or not _on_axis(tr, letter, ref):
            continue
        if tr.type in ("bar", "funnel", "waterfall") and _value_dim(tr, letter):
            continue
        for v in _seq(_get(tr, letter)):
            if isinstance(v, str):
                seen.setdefault(v)
    return list(seen)


def _is_date(s: str) -> bool:
    try:
        datetime.fromisoformat(s[:19])
        return True
    except ValueError:
        return False


def category_axes(fig: Any) -> None:
    """Every axis makes room for its labels; a horizontal axis of names that would overlap is angled.

    Sets ``automargin`` on every axis, turns off the grid of an overlaying (second) value axis, and angles the
    ticks of a category x axis (-45, else -90 degrees) whose names do not fit level. Changes ``fig`` in place.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure.
    """
    for key in [k for k in fig.layout if k.startswith(("xaxis", "yaxis"))] or ["xaxis", "yaxis"]:
        ax = fig.layout[key]
        _put(ax, {"automargin": True})
        if ax.overlaying:  # a second value axis: its own grid lines would not meet the first axis's ticks
            _put(ax, {"showgrid": False})
        if not key.startswith("xaxis") or ax.type in ("date", "log", "linear"):
            continue
        ref = "x" + key[5:]
        labels = _category_labels(fig, key, ref)
        if not labels or (ax.type != "category" and all(_is_date(s) for s in labels)):
            continue
        width = _domain_width(ax)
        if not category_fits(labels, width):
            _put(ax, {"tickangle": -45 if category_fits(labels, width, 45) else -90})
