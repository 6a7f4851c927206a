"""Value axes: the extent of the values drawn on an axis (:func:`axis_values`), its ticks in the language's
format (:func:`value_axis`), hovers (:func:`hover`), data labels (:func:`data_labels`) and a
heatmap's colour bar (:func:`colorbar`)."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .base import WIDTH_PX
from .formats import label_text, log_tick_texts, log_ticks, nice_ticks, tick_texts, value_text
from .setting import _put


def _axis_names(axis: str) -> tuple[str, str]:
    """("y2") -> ("yaxis2", "y2"): the layout key and the traces' reference of an axis."""
    letter, num = axis[0], axis[1:].replace("axis", "")
    num = "" if num in ("", "1") else num
    return f"{letter}axis{num}", f"{letter}{num}"


def _seq(x: Any) -> list:
    """A trace's data (tuple, list, numpy array or None) as a list."""
    return [] if x is None else list(x)


def _get(obj: Any, name: str) -> Any:
    """A property of a plotly object as stored (None when unset): a trace's data as the list or array it
    holds, where plotly's getter would build a tuple copy and look up its validator on each read."""
    props = obj._props
    return None if props is None else props.get(name)


def _numbers(seq: Any) -> list[float]:
    out = []
    for v in (list(seq) if seq is not None else []):
        if type(v) is float or type(v) is int:  # the common case, without the slower ABC check below
            if math.isfinite(v):
                out.append(float(v))
        elif isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) and math.isfinite(float(v)):
            out.append(float(v))
    return out


def _on_axis(trace: Any, letter: str, ref: str) -> bool:
    return (_get(trace, f"{letter}axis") or letter) == ref


def _value_dim(trace: Any, letter: str) -> bool:
    """Whether the trace's values (not its categories) lie along the axis ``letter``."""
    horizontal = _get(trace, "orientation") == "h" or trace.type == "funnel"
    return (letter == "x") == horizontal if trace.type in ("bar", "funnel", "waterfall", "box") else True


def _domain_width(ax: Any) -> float:
    d = list(ax.domain) if ax.domain is not None else [0, 1]
    return WIDTH_PX * 0.85 * (d[1] - d[0])


def axis_values(fig: Any, axis: str) -> list[float]:
    """The extent of the values drawn on ``axis`` (bars from zero, stacks summed, error bars, waterfall
    running totals).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure; heatmaps, treemaps, pies, sunbursts and tables are left out, and the categories of bars,
        funnels and waterfalls are not values.
    axis : str
        The axis (``"x"``, ``"y"``, ``"y2"``, ``"xaxis3"`` ...).

    Returns
    -------
    list[float]
        Every finite value the axis has to show (unordered, with repeats): the traces' values, zero for bars,
        funnels and filled areas, stacked totals, error-bar ends, waterfall running totals, and the ends of
        the figure's lines drawn on that axis (break-even, par).
    """
    key, ref = _axis_names(axis)
    letter = ref[0]
    vals: list[float] = []
    stacks: dict[Any, list[float]] = {}
    stacked = fig.layout.barmode in ("stack", "relative")
    for tr in fig.data:
        if tr.type in ("heatmap", "treemap", "pie", "sunburst", "table") or not _on_axis(tr, letter, ref):
            continue
        if tr.type in ("bar", "funnel", "waterfall") and not _value_dim(tr, letter):
            continue
        data = _get(tr, letter)
        if data is None:
            continue
        raw = list(data)
        nums = _numbers(raw)
        if tr.type == "waterfall":
            run, tot = [], 0.0
            for v, m in zip(raw, _get(tr, "measure") or ["relative"] * len(raw)):
                if v is None:
                    continue
                tot = float(v) if m == "absolute" else tot if m == "total" else tot + float(v)
                run.append(tot)
            nums = run + [0.0]
        if tr.type in ("bar", "funnel") or _get(tr, "fill") in ("tozeroy", "tozerox"):
            nums.append(0.0)
        if (tr.type == "bar" and stacked) or _get(tr, "stackgroup"):
            other = _seq(_get(tr, "y" if letter == "x" else "x")) or list(range(len(raw)))
            for c, v in zip(other, raw):
                if isinstance(v, numbers.Real) and math.isfinite(float(v)):
                    s = stacks.setdefault((str(c), v >= 0), [0.0])
                    s[0] += float(v)
        err = _get(tr, f"error_{letter}") or {}
        if err.get("array") is not None:
            up = list(err["array"])
            dn = list(err["arrayminus"]) if err.get("arrayminus") is not None else up
            for v, a, b in zip(raw, up, dn):
                if isinstance(v, numbers.Real):
                    if isinstance(a, numbers.Real):
                        nums.append(float(v) + float(a))
                    if isinstance(b, numbers.Real):
                        nums.append(float(v) - float(b))
        vals += nums
    vals += [s[0] for s in stacks.values()]
    # a line the figure draws across (break-even, par) belongs to the range of a numeric axis too
    for sh in (fig.layout.shapes or []) if vals else []:
        if sh.type == "line" and (sh.yref if letter == "y" else sh.xref) == ref:
            vals += _numbers([getattr(sh, f"{letter}0"), getattr(sh, f"{letter}1")])
    return [v for v in vals if math.isfinite(v)]


def value_axis(fig: Any, axis: str, kind: str, lang: str) -> None:
    """Ticks of a value axis in the language's format for ``kind`` (one of VALUE_KINDS).

    Sets the axis's tick values and texts (:func:`nice_ticks` / :func:`tick_texts`, or the log versions on
    a log axis; a non-SI ``tickformat`` when there is no data) and records the kind in the layout's ``meta``
    (read by :func:`kinds`). Changes ``fig`` in place.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure.
    axis : str
        The axis (``"x"``, ``"y"``, ``"y2"`` ...).
    kind : str
        The kind of value the axis carries (one of VALUE_KINDS).
    lang : str
        ``"en"`` or ``"zh"``: the number format.
    """
    key, _ = _axis_names(axis)
    ax = fig.layout[key]
    vals = axis_values(fig, axis)
    log = ax.type == "log"
    # a narrow panel (one of several side by side) gets fewer ticks, so its tick texts stay apart
    n = 5 if key.startswith("y") else max(2, min(5, int(_domain_width(ax) / 70)))
    if log:
        pos = [v for v in vals if v > 0]
        ticks = log_ticks(min(pos), max(pos)) if pos else []
        texts = log_tick_texts(ticks, kind, lang)
    else:
        ticks = nice_ticks(min(vals), max(vals), n) if vals else []
        texts = tick_texts(ticks, kind, lang)
    upd: dict[str, Any] = {"automargin": True}
    if ticks:
        upd.update(tickmode="array", tickvals=ticks, ticktext=texts)
    else:  # no data: a format that is at least not SI
        upd["tickformat"] = ".0%" if kind == "percent" else ",.2f" if kind == "ratio" else ",~r"
    _put(ax, upd)
    # which kind of value this axis carries (read by :func:`kinds` and the tests)
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    _put(fig.layout, {"meta": {**meta, "value_kinds": {**meta.get("value_kinds", {}), key: kind}}})


def hover(fig: Any, axes: dict[str, str], lang: str) -> None:
    """The hover of every trace on the formatted axes, its values formatted as the tables format their kind
    (``axes``: axis -> kind, as given to :func:`finish`); a trace that defines its own hover keeps it.

    Changes the traces of ``fig`` in place (``hovertext`` and ``hovertemplate``); heatmaps, treemaps, pies,
    tables and sunbursts are left alone.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure.
    axes : dict[str, str]
        Axis (``"y"``, ``"y2"``, ``"x"`` ...) -> kind of value (one of VALUE_KINDS).
    lang : str
        ``"en"`` or ``"zh"``: the number format.
    """
    refs = {_axis_names(a)[1]: k for a, k in axes.items()}
    for tr in fig.data:
        if tr.type in ("heatmap", "treemap", "pie", "table", "sunburst"):
            continue
        if _get(tr, "hovertemplate") or _get(tr, "hoverinfo") in ("skip", "none", "text", "text+x", "text+y") or \
                _get(tr, "hovertext") is not None:
            continue
        dims = []
        for letter in ("x", "y"):
            kind = refs.get(_get(tr, f"{letter}axis") or letter)
            if kind is None or _get(tr, letter) is None:
                continue
            if tr.type in ("bar", "funnel", "waterfall") and not _value_dim(tr, letter):
                continue
            dims.append((letter, kind))
        if not dims:
            continue
        cols = [[value_text(v, kind, lang) for v in _get(tr, letter)] for letter, kind in dims]
        extra = "%{fullData.name}" if tr.name and tr.showlegend is not False else ""
        if len(dims) == 1:
            other = "y" if dims[0][0] == "x" else "x"
            template = f"%{{{other}}}: %{{hovertext}}<extra>{extra}</extra>"
        else:
            template = f"%{{hovertext}}<extra>{extra}</extra>"
        _put(tr, {"hovertext": [" · ".join(p) for p in zip(*cols)]})  # one by one: plotly's order
        _put(tr, {"hovertemplate": template})


def data_labels(trace: Any, kind: str, lang: str) -> None:
    """Short data labels on a bar, funnel or waterfall trace (its values, in the language's format).

    Sets the trace's ``text`` to :func:`label_text` of its values (a funnel shows that text in place of its
    value). Changes ``trace`` in place.

    Parameters
    ----------
    trace : plotly trace
        A bar, funnel or waterfall trace (values along x when horizontal or a funnel, else along y).
    kind : str
        The kind of its values (one of VALUE_KINDS).
    lang : str
        ``"en"`` or ``"zh"``: the number format.
    """
    letter = "x" if (getattr(trace, "orientation", None) == "h" or trace.type == "funnel") else "y"
    trace.text = [label_text(v, kind, lang) for v in getattr(trace, letter)]
    if trace.type == "funnel":
        info = trace.textinfo or "value"
        trace.textinfo = info.replace("value", "text") if "value" in info else "text+" + info


def colorbar(trace: Any, kind: str, lang: str) -> None:
    """The colour bar and hover of a heatmap whose cells hold values of ``kind``.

    Sets the colour bar's ticks (:func:`nice_ticks` within the cells' range, texts by :func:`tick_texts`)
    and each cell's hover (``y · x: value``). Changes ``trace`` in place.

    Parameters
    ----------
    trace : plotly.graph_objects.Heatmap
        The heatmap trace (its ``z`` rows of cells).
    kind : str
        The kind of the cells' values (one of VALUE_KINDS).
    lang : str
        ``"en"`` or ``"zh"``: the number format.
    """
    z = [[v for v in row] for row in trace.z]
    vals = [float(v) for row in z for v in row if isinstance(v, numbers.Real) and math.isfinite(float(v))]
    if vals:
        ticks = nice_ticks(min(vals), max(vals))
        ticks = [v for v in ticks if min(vals) <= v <= max(vals)] or ticks
        trace.colorbar = {"tickmode": "array", "tickvals": ticks, "ticktext": tick_texts(ticks, kind, lang)}
    trace.hovertext = [[value_text(v, kind, lang) for v in row] for row in z]
    trace.hovertemplate = "%{y} · %{x}: %{hovertext}<extra></extra>"
