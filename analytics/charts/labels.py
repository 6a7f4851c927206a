"""Labels that must not overlap: labels over a time axis placed in rows (:func:`label_rows`,
:func:`label_boxes`) and texts beside scatter points (:func:`scatter_labels`)."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any, Sequence

from .base import FONT_PX, WIDTH_PX
from .text import text_px


def _ms(x: Any) -> float:
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, str):
        x = datetime.fromisoformat(x[:19])
    if isinstance(x, date) and not isinstance(x, datetime):
        x = datetime(x.year, x.month, x.day)
    return x.timestamp() * 1000  # type: ignore[union-attr]


def label_rows(items: Sequence[tuple[Any, str]], x_range: tuple[Any, Any], *, rows: int = 3,
               width_px: float = WIDTH_PX * 0.7, size: int = 9, gap_px: float = 6) -> list[int | None]:
    """A row for each label ``(x where it starts, text)`` so that no two labels of one row overlap at a chart
    ``width_px`` wide over ``x_range`` (None: no row left; the caller shows that label on hover only).

    Labels are placed from the earliest, each in the first row where the previous label has ended.

    Parameters
    ----------
    items : Sequence[tuple[Any, str]]
        (start on the axis: date, datetime, ISO text or milliseconds; text) per label.
    x_range : tuple[Any, Any]
        The axis's range, in the same units as the starts.
    rows : int
        Rows available.
    width_px : float
        The plot's width in pixels.
    size : int
        The labels' font size in pixels.
    gap_px : float
        Least space between two labels of one row, in pixels.

    Returns
    -------
    list[int | None]
        The row of each label, in the order of ``items``; None when no row had room.
    """
    lo, hi = _ms(x_range[0]), _ms(x_range[1])
    per_px = max(hi - lo, 1.0) / width_px
    ends: list[float] = [-math.inf] * rows
    out: list[int | None] = [None] * len(items)
    for i in sorted(range(len(items)), key=lambda i: _ms(items[i][0])):
        x0 = _ms(items[i][0])
        x1 = x0 + (text_px(items[i][1], size) + gap_px) * per_px
        for r in range(rows):
            if ends[r] <= x0:
                ends[r] = x1
                out[i] = r
                break
    return out


def label_boxes(items: Sequence[tuple[Any, str]], x_range: tuple[Any, Any], placed: Sequence[int | None], *,
                width_px: float = WIDTH_PX * 0.7, size: int = 9) -> list[tuple[int, float, float]]:
    """The (row, x0, x1) of each placed label, in the axis's milliseconds (for tests and checks).

    Parameters
    ----------
    items : Sequence[tuple[Any, str]]
        (start, text) per label, as given to :func:`label_rows`.
    x_range : tuple[Any, Any]
        The axis's range.
    placed : Sequence[int | None]
        The rows from :func:`label_rows` (None: not placed).
    width_px : float
        The plot's width in pixels.
    size : int
        The labels' font size in pixels.

    Returns
    -------
    list[tuple[int, float, float]]
        (row, start, end) of each placed label, in the order of ``items``, unplaced ones left out.
    """
    lo, hi = _ms(x_range[0]), _ms(x_range[1])
    per_px = max(hi - lo, 1.0) / width_px
    return [(r, _ms(x), _ms(x) + text_px(s, size) * per_px) for (x, s), r in zip(items, placed) if r is not None]


def scatter_labels(xs: Sequence[float], ys: Sequence[float], texts: Sequence[str], *, log_x: bool = False,
                   log_y: bool = False, width_px: float = WIDTH_PX * 0.8, height_px: float = 300,
                   size: int = FONT_PX) -> list[str]:
    """The texts to write beside scatter points (in the order given, which is their priority), leaving out
    ("") a text whose box would overlap one already placed; the hover still names every point.

    Parameters
    ----------
    xs : Sequence[float]
        The points' x values.
    ys : Sequence[float]
        The points' y values.
    texts : Sequence[str]
        The label of each point.
    log_x : bool
        Whether the x axis is logarithmic (points at or below zero get no label).
    log_y : bool
        Whether the y axis is logarithmic.
    width_px : float
        The plot's width in pixels.
    height_px : float
        The plot's height in pixels.
    size : int
        The labels' font size in pixels.

    Returns
    -------
    list[str]
        One text per point: its label, or ``""`` when it is left out (no text, a non-finite position, or an
        overlap with a label placed earlier).
    """
    def scale(vals: Sequence[float], log: bool) -> list[float]:
        v = [math.log10(x) if log and x > 0 else (x if not log else float("nan")) for x in vals]
        ok = [x for x in v if math.isfinite(x)]
        lo, hi = (min(ok), max(ok)) if ok else (0.0, 1.0)
        return [(x - lo) / ((hi - lo) or 1.0) if math.isfinite(x) else float("nan") for x in v]

    px, py = scale(xs, log_x), scale(ys, log_y)
    boxes: list[tuple[float, float, float, float]] = []
    out = []
    for x, y, s in zip(px, py, texts):
        if not s or not (math.isfinite(x) and math.isfinite(y)):
            out.append("")
            continue
        w, h = text_px(s, size), size * 1.4
        cx, cy = x * width_px, y * height_px + h  # the text sits above its point
        box = (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2)
        if any(box[0] < b[1] and b[0] < box[1] and box[2] < b[3] and b[2] < box[3] for b in boxes):
            out.append("")
            continue
        boxes.append(box)
        out.append(s)
    return out
