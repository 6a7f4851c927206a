"""Finishing a figure: the app's theme (:func:`themed`, :func:`template_for`), value axes, hovers,
category axes and the one wrapped title (:func:`finish`), and what a finished figure tells
(:func:`rows_above`, :func:`kinds`)."""

from __future__ import annotations

from typing import Any

from . import setting as _setting
from .axes import hover, value_axis
from .base import COLORWAY, THEME, VALUE_KINDS
from .categories import category_axes
from .setting import _put
from .text import wrap


def themed(fig: Any) -> Any:
    """The figure in the app's theme: white background, the theme's font, text colour and colours (a
    colour the figure sets itself stays).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure, changed in place.

    Returns
    -------
    plotly.graph_objects.Figure
        The same figure.
    """
    # the template is built (and validated) once by template_for, the rest is fixed here: set as they are
    # _raw is read from its one home at call time (tests/unit/test_charts.py patches analytics.charts.setting)
    _setting._raw(fig.layout, "template", template_for({t.type for t in fig.data}))
    _put(fig.layout, {"font": {"family": THEME["font"], "color": THEME["text"]}, "colorway": list(COLORWAY),
                      "paper_bgcolor": "white", "plot_bgcolor": "white"})
    return fig


_TEMPLATES: dict[frozenset, Any] = {}


def template_for(trace_types: set[str]) -> Any:
    """Plotly's ``plotly_white`` template cut to the trace types a figure draws: the same layout and the
    same defaults for those traces, so the figure looks the same. Setting the whole named template copies
    the defaults of its 24 trace types into every figure (about 10 ms a figure here, a third of a page's
    first render in a new language); the cut one costs about 4 ms. Built once per set of trace types.

    Parameters
    ----------
    trace_types : set[str]
        The figure's trace types (``bar``, ``scatter``, ...).

    Returns
    -------
    plotly.graph_objects.layout.Template
        The template (shared: plotly copies it into the figure).
    """
    import plotly.graph_objects as go
    import plotly.io as pio

    key = frozenset(trace_types)
    if key not in _TEMPLATES:
        full = pio.templates["plotly_white"]
        data = {k: full.data[k] for k in sorted(key) if k in full.data}
        _TEMPLATES[key] = go.layout.Template(layout=full.layout, data=data)
    return _TEMPLATES[key]


def finish(fig: Any, lang: str, title: str | None, **axes: str) -> Any:
    """The figure readable and in the page's theme: ``axes`` names the kind of value of each value axis
    (``y="money"``, ``y2="count"``, ``x="percent"``); the title (the finding) is the figure's only one.

    Applies :func:`themed`, :func:`value_axis` for each named axis, :func:`hover` and :func:`category_axes`,
    then sets the wrapped title with a top margin that holds it and any label rows above the plot.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure, changed in place.
    lang : str
        ``"en"`` or ``"zh"``: the number format.
    title : str | None
        The finding (None or empty: no title).
    **axes : str
        Axis -> kind of value (one of VALUE_KINDS).

    Returns
    -------
    plotly.graph_objects.Figure
        The same figure.

    Raises
    ------
    ValueError
        When a kind is not one of VALUE_KINDS.
    """
    themed(fig)
    for axis, kind in axes.items():
        if kind not in VALUE_KINDS:
            raise ValueError(f"unknown value kind {kind!r} for axis {axis}")
        value_axis(fig, axis, kind, lang)
    hover(fig, axes, lang)
    category_axes(fig)
    if title:
        text = wrap(title)
        lines = text.count("<br>") + 1
        top = max(fig.layout.margin.t or 0, 36 + 20 * lines)
        top += 22 * rows_above(fig)
        _put(fig.layout, {"title": {"text": text, "x": 0.01, "xanchor": "left", "font": {"size": 15}},
                          "margin": {"t": top}})
    return fig


def rows_above(fig: Any) -> int:
    """Label rows drawn above the plot area (paper y > 1), e.g. campaign phases.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure (its paper-referenced annotations are read; rows are 0.07 of the paper apart).

    Returns
    -------
    int
        The number of rows above the plot, 0 when there are none.
    """
    ys = [a.y for a in fig.layout.annotations or [] if a.yref == "paper" and a.y is not None and a.y > 1]
    return 0 if not ys else int(round((max(ys) - 1.0) / 0.07)) + 1


def kinds(fig: Any) -> dict[str, str]:
    """The kind of value of each axis that :func:`finish` formatted: {"yaxis": "money", ...}.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        A figure that went through :func:`finish` (or :func:`value_axis`).

    Returns
    -------
    dict[str, str]
        Layout axis key -> kind; empty when no axis was formatted.
    """
    meta = fig.layout.meta
    return dict(meta.get("value_kinds", {})) if isinstance(meta, dict) else {}
