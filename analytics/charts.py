"""Charts that stay readable: one helper every page's figures go through (plotly, no Streamlit).

A figure builder says which kind of value each axis carries (``money``, ``count``, ``percent``, ``ratio``,
``index``, ``number``) and :func:`finish` does the rest, the same way on every page and in the reports:

* value axes get tick texts in the language's number format, the one the tables use (analytics.i18n):
  English ``0, 500K, 1M, 1.5M`` with thousands separators below ten thousand, Chinese ``0, 50万, 100万``
  and ``1.2亿``; percentages ``12%``; ratios ``1.25``. Plotly's own SI format (``1.504M``, ``2.5G``, ``500m``)
  is never left on an axis whose kind is known. Ticks are computed once from the data (:func:`nice_ticks`);
* hovers show the value as the tables do (``fmt_money`` / ``fmt_number`` / ``fmt_pct``) and data labels
  (bars, funnels, waterfalls) the short form of the key-figure cards (``2.52M``, ``252.0万``);
* category axes never overlap their labels: long or many names are angled (:func:`category_fits`),
  every axis makes room for its labels (``automargin``);
* the figure carries exactly one title, the finding, wrapped to the chart's width, and the page's theme
  (``.streamlit/config.toml``: font, text colour, colourway, white background).

Labels over a time axis (promotion windows, campaign phases) are placed in rows by :func:`label_rows` so
two labels of one row never overlap; a label that finds no row is reached by hovering its window.
Many events (competitors' price moves) are drawn as aggregates (:func:`aggregate_moves`: per week, or
month, and competitor: the number of moves and their median change), so a chart draws a bounded number
of markers whatever the data holds.
"""

from __future__ import annotations

import math
import numbers
import statistics
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Sequence

import numpy as np

from analytics.i18n import fmt_kpi, fmt_money, fmt_number, fmt_pct

VALUE_KINDS = ("money", "count", "percent", "ratio", "index", "number")

# the app's theme (.streamlit/config.toml), so every chart looks like the page it is on
THEME = {"primary": "#5B5BD6", "text": "#1F2330", "grid": "#E6E8F0",
         "font": "-apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif"}
COLORWAY = ["#5B5BD6", "#F2994A", "#27AE60", "#EB5757", "#2D9CDB", "#9B51E0", "#828282", "#F2C94C"]

WIDTH_PX = 700       # the narrowest width a chart is drawn at (a page column, the report's body)
FONT_PX = 12         # tick label font size
TITLE_CHARS = 78     # characters of a title line at WIDTH_PX (a CJK character counts twice)
MAX_MOVE_MARKERS = 60


# ----------------------------------------------------------------------------- setting what this module computes

_PLAIN = frozenset((str, int, float, bool))


def _canonical(value: Any) -> bool:
    """Whether plotly's validators would give ``value`` back as it is: a str, int, float or bool (exactly those
    types: no numpy scalars), a list of them, or a dict of such values (a compound property, set key by key)."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is list:
        return all(type(v) in _PLAIN for v in value)
    if kind is dict:
        return all(type(k) is str and _canonical(v) for k, v in value.items())
    return False


def _raw(obj: Any, key: str, value: Any) -> None:
    """``obj[key] = value`` with the object's validation off, as plotly sets its own default template
    (``BaseFigure._initialize_layout_template``): the value is stored as it is (a graph object as its
    ``to_plotly_json()``). Only for a valid name and a value already in plotly's canonical form."""
    was = obj._validate
    obj._validate = False
    try:
        obj[key] = value
    finally:
        obj._validate = was


def _settable(obj: Any, props: dict[str, Any]) -> bool:
    """Whether every name in ``props`` is a property of ``obj`` (a dict for a compound property: of that
    property) and every value is in canonical form (:func:`_canonical`), so it may be set unvalidated."""
    from _plotly_utils.basevalidators import CompoundValidator

    for key, value in props.items():
        if key not in obj._valid_props or not _canonical(value):
            return False
        validator = obj._get_validator(key)
        if isinstance(validator, CompoundValidator):  # a dict of its own properties, nothing else (title="x")
            if type(value) is not dict or not _settable(obj[key], value):
                return False
        elif not _as_stored(validator, value):
            return False
    return True


def _as_stored(validator: Any, value: Any) -> bool:
    """Whether plotly's ``validator`` would store ``value`` unchanged: a number or bool given to a text
    property would be stored as its text, so it is not (nor a list holding one)."""
    from _plotly_utils.basevalidators import StringValidator

    if not isinstance(validator, StringValidator):
        return True
    items = value if type(value) is list else [value]
    return all(type(v) is str for v in items)


def _leaves(obj: Any, props: dict[str, Any], out: list) -> list:
    """(object, name, value) of each value in ``props``, in order, a compound property's dict entered; the
    object of each is given its (empty) place in its parent on the way, as plotly's ``update`` does."""
    from _plotly_utils.basevalidators import CompoundValidator

    for key, value in props.items():
        if type(value) is dict and isinstance(obj._get_validator(key), CompoundValidator):
            _leaves(obj[key], value, out)
        else:
            obj._init_props()
            out.append((obj, key, value))
    return out


def _put(obj: Any, props: dict[str, Any]) -> None:
    """``obj.update(props)`` without plotly's validators, for the values this module computes.

    When a name is not a property of ``obj`` or a value is not in canonical form (:func:`_settable`), it is
    plotly's validated ``update`` (which raises on a bad name). Otherwise each value is set as it is, in the
    order a layout's ``update`` gives the figure's JSON: ``update`` batches the values and sets them when it
    ends, but gives a compound property (font, title, margin) its place in its parent when it first reaches
    it, so the places are made first and the values set after. A trace's batched ``update`` orders its
    values otherwise: give a trace one name per call (the order of plain attribute assignments). The JSON is
    the same byte for byte (``tests/unit/test_charts.py`` compares the two ways on every page's figures)."""
    if not _settable(obj, props):
        obj.update(props)
        return
    for o, key, value in _leaves(obj, props, []):
        _raw(o, key, value)


def _plain_trace(trace: dict) -> dict | None:
    """A trace's properties as a figure built unvalidated must get them (None when one is not plain): every
    name a property of the trace's type, data arrays (x, y, customdata ...) lists of str / numbers / None,
    compound properties (line, marker ...) through their validator (small; it orders their keys as plotly
    does), other values in canonical form (:func:`_canonical`)."""
    from _plotly_utils.basevalidators import CompoundValidator, DataArrayValidator
    from plotly.validator_cache import ValidatorCache

    kind = trace.get("type", "scatter")
    cls = ValidatorCache.get_validator("", "data").get_trace_class(kind)
    out: dict[str, Any] = {"type": kind}
    for key, value in trace.items():
        if key == "type":
            continue
        if key not in cls._valid_props:
            return None
        validator = ValidatorCache.get_validator(cls._path_str, key)
        if isinstance(validator, CompoundValidator):
            out[key] = validator.validate_coerce(value)
        elif isinstance(validator, DataArrayValidator) and type(value) is list:
            if not all(v is None or type(v) in _PLAIN for v in value):
                return None
            out[key] = list(value)
        elif _canonical(value) and _as_stored(validator, value):
            out[key] = list(value) if type(value) is list else value
        else:
            return None
    return out


def figure(traces: Sequence[dict]) -> Any:
    """A figure of ``traces``, as ``go.Figure()`` and one ``add_trace(go.Scatter(...))`` per trace make it,
    without plotly's validation of the traces' data where it is plain (lists of str and numbers: plotly's
    validators would give them back as they are, and add_trace validates each trace a second time).

    Parameters
    ----------
    traces : Sequence[dict]
        One dict per trace: its ``type`` (``"scatter"`` when left out) and its properties, as they would be
        given to the trace's class (``x``, ``y``, ``mode``, ``name``, ``line``, ``hovertext`` ...).

    Returns
    -------
    plotly.graph_objects.Figure
        The figure, validating as usual from here on (layout, more traces). When a name is not a property of
        its trace or a value is not plain (numpy arrays, dates, tuples), plotly validates every trace (and
        raises on a bad name) and the figure is the same.
    """
    import plotly.graph_objects as go

    plain = [_plain_trace(t) for t in traces]
    if any(p is None for p in plain):
        return go.Figure([dict(t) for t in traces])
    fig = go.Figure(plain, _validate=False)
    fig._validate = fig.layout._validate = True
    for tr in fig.data:
        tr._validate = True
    return fig

# ----------------------------------------------------------------------------- numbers


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering [lo, hi].

    Parameters
    ----------
    lo : float
        The smallest value to cover (the two ends may come in either order).
    hi : float
        The largest value to cover; when equal to ``lo`` the range is padded by half the value (or 1).
    n : int
        The number of ticks wanted; the step whose tick count is nearest to it is chosen.

    Returns
    -------
    list[float]
        Ascending tick values, from a multiple of the step at or below ``lo`` to one step past ``hi`` (plotly
        pads the range a little), at most about 51; empty when an end is not finite.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(hi) * 0.5 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(1, n)
    mag = 10 ** math.floor(math.log10(raw))
    # the round step whose number of ticks is nearest to n (never fewer than 3)
    steps = [m * mag for m in (0.5, 1, 2, 2.5, 5, 10)]
    step = min((st for st in steps if (hi - lo) / st >= 2), key=lambda st: abs((hi - lo) / st - n), default=steps[0])
    start = math.floor(lo / step + 1e-9) * step
    out, v = [], start
    while v <= hi + step * 1e-9 + step:  # one tick past the top: plotly pads the range a little
        out.append(round(v, 12))
        v += step
        if len(out) > 50:
            break
    return out


def log_ticks(lo: float, hi: float) -> list[float]:
    """Tick values of a log axis: powers of ten, with 2 and 5 between them over fewer than three decades.

    Parameters
    ----------
    lo : float
        The smallest positive value drawn (both ends are taken as at least 1e-12).
    hi : float
        The largest value drawn.

    Returns
    -------
    list[float]
        Ascending ticks from the power of ten at or below ``lo`` to the one at or above ``hi``.
    """
    lo, hi = max(lo, 1e-12), max(hi, 1e-12)
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    mult = (1, 2, 5) if b - a < 3 else (1,)
    return [m * 10.0 ** e for e in range(a, b + 1) for m in mult]


def _decimals(step: float, values: Sequence[float] = ()) -> int:
    """Decimals that show ``step`` (and every one of ``values``) exactly: 2.5 -> 1, 0.25 -> 2, 500 -> 0."""
    if step <= 0 or not math.isfinite(step):
        return 0
    d = max(0, -math.floor(math.log10(step) + 1e-9))
    while d < 6 and any(abs(round(v, d) - v) > 1e-9 * max(1.0, abs(v)) for v in (step, *values)):
        d += 1
    return d


def _unit(top: float, lang: str) -> tuple[str, float]:
    if lang == "zh":
        return ("亿", 1e8) if top >= 1e8 else ("万", 1e4) if top >= 1e4 else ("", 1.0)
    return ("B", 1e9) if top >= 1e9 else ("M", 1e6) if top >= 1e6 else ("K", 1e3) if top >= 1e4 else ("", 1.0)


def tick_texts(values: Sequence[float], kind: str, lang: str) -> list[str]:
    """Texts of an axis's ticks: one unit for the whole axis (0, 0.5M, 1M, 1.5M; 0, 50万, 100万) and as
    many decimals as the step between ticks needs.

    Parameters
    ----------
    values : Sequence[float]
        The tick values (e.g. from :func:`nice_ticks`).
    kind : str
        The kind of value (one of VALUE_KINDS): ``percent`` is shown times 100 with ``%``, ``ratio`` without
        a unit, every other kind with the unit (K / M / B; 万 / 亿) the largest tick needs.
    lang : str
        ``"en"`` or ``"zh"``: which units.

    Returns
    -------
    list[str]
        One text per value, in the same order (a zero of a unit kind is ``"0"``); empty when ``values`` is.
    """
    vals = list(values)
    if not vals:
        return []
    step = min((abs(b - a) for a, b in zip(vals, vals[1:]) if b != a), default=abs(vals[0]) or 1.0)
    if kind == "percent":
        d = _decimals(step * 100, [v * 100 for v in vals])
        return [f"{v * 100:.{d}f}%" for v in vals]
    if kind == "ratio":
        d = _decimals(step, vals)
        return [f"{v:,.{d}f}" for v in vals]
    top = max(abs(v) for v in vals)
    sym, div = _unit(top, lang)
    d = _decimals(step / div, [v / div for v in vals])
    out = []
    for v in vals:
        x = v / div
        out.append("0" if v == 0 else f"{x:,.{d}f}{sym}")
    return out


def log_tick_texts(values: Sequence[float], kind: str, lang: str) -> list[str]:
    """Each tick of a log axis in its own unit (1, 10, 100, 1K, 10K, 100K, 1M; 1万, 10万).

    Parameters
    ----------
    values : Sequence[float]
        The tick values (e.g. from :func:`log_ticks`).
    kind : str
        The kind of value (one of VALUE_KINDS); ``percent`` is shown times 100 with ``%``.
    lang : str
        ``"en"`` or ``"zh"``: which units.

    Returns
    -------
    list[str]
        One text per value, in the same order.
    """
    out = []
    for v in values:
        sym, div = _unit(abs(v), lang)
        x = v / div
        d = _decimals(x) if x < 1 else 0
        out.append(f"{x:,.{d}f}{sym}" if kind != "percent" else f"{v * 100:.{_decimals(v * 100)}f}%")
    return out


def value_text(v: Any, kind: str, lang: str) -> str:
    """A value in a hover, as the tables show it.

    Parameters
    ----------
    v : Any
        The value (None or NaN gives a dash).
    kind : str
        The kind of value (one of VALUE_KINDS): ``money``, ``count``, ``percent``, ``ratio`` (two decimals),
        ``index`` (no decimals) or ``number`` (three significant digits below one, else two decimals).
    lang : str
        ``"en"`` or ``"zh"``: the number format (analytics.i18n).

    Returns
    -------
    str
        The formatted value, or ``"—"`` for a missing one.
    """
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if kind == "money":
        return fmt_money(v, lang)
    if kind == "count":
        return fmt_number(v, lang)
    if kind == "percent":
        return fmt_pct(v, lang)
    if kind == "ratio":
        return fmt_number(v, lang, 2)
    if kind == "index":
        return fmt_number(v, lang, 0)
    x = float(v)
    return f"{x:.3g}" if x != 0 and abs(x) < 1 else fmt_number(x, lang, 2)


def label_text(v: Any, kind: str, lang: str) -> str:
    """A data label on a bar, funnel step or waterfall: the key-figure cards' short form (2.52M, 252.0万).

    Parameters
    ----------
    v : Any
        The value (None or NaN gives an empty label).
    kind : str
        The kind of value (one of VALUE_KINDS); ``money``, ``count``, ``number`` and ``index`` take the short
        form (whole numbers, counts and indices rounded), ``percent`` and ``ratio`` the hover's form
        (:func:`value_text`).
    lang : str
        ``"en"`` or ``"zh"``: the number format.

    Returns
    -------
    str
        The label text, ``""`` for a missing value.
    """
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if kind in ("money", "count", "number", "index"):
        x = float(v)
        if kind == "count" or kind == "index" or x.is_integer():
            return fmt_kpi(round(x), lang)
        return fmt_kpi(x, lang, money=kind == "money")
    return value_text(v, kind, lang)


# ----------------------------------------------------------------------------- text width


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


# ----------------------------------------------------------------------------- axes


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


# ----------------------------------------------------------------------------- categories


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


def _domain_width(ax: Any) -> float:
    d = list(ax.domain) if ax.domain is not None else [0, 1]
    return WIDTH_PX * 0.85 * (d[1] - d[0])


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


# ----------------------------------------------------------------------------- finish


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
    _raw(fig.layout, "template", template_for({t.type for t in fig.data}))
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


# ----------------------------------------------------------------------------- labels on a time axis


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


# ----------------------------------------------------------------------------- many events


def _period_start(d: date, grain: str) -> date:
    if grain == "week":
        return d - timedelta(days=d.weekday())
    if grain == "month":
        return d.replace(day=1)
    return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)


def aggregate_moves(events: Iterable[dict], max_markers: int = MAX_MOVE_MARKERS) -> tuple[list[dict], str]:
    """Price moves as at most ``max_markers`` groups: per week (else month, else quarter), competitor and
    direction; beyond that the competitors of a period are pooled.

    Parameters
    ----------
    events : Iterable[dict]
        Price moves with ``date`` (date or ISO text), ``competitor``, ``change_pct`` and optionally
        ``price``; a move without a date or change is left out.
    max_markers : int
        The most groups wanted.

    Returns
    -------
    tuple[list[dict], str]
        (groups, grain): the groups in order of period, competitor and direction, each with ``period`` (ISO
        date of the period's start), ``competitor`` (None when pooled), ``competitors`` (the names in it),
        ``direction`` (-1 cut, +1 rise), ``n`` moves, ``median_change``, ``price`` (median new price, None
        when no move has one) and ``largest`` (the move with the largest change); grain is ``"week"``,
        ``"month"`` or ``"quarter"``. When even pooled quarters are too many, the first ``max_markers``.
    """
    evs = [e for e in events if e.get("change_pct") is not None and e.get("date")]
    days = [e["date"] if isinstance(e["date"], date) else datetime.fromisoformat(str(e["date"])[:10]).date()
            for e in evs]  # read once, not once per grain tried
    best: tuple[list[dict], str] = ([], "week")
    for pooled in (False, True):
        for grain in ("week", "month", "quarter"):
            groups: dict[tuple, list[dict]] = {}
            for e, d in zip(evs, days):
                key = (_period_start(d, grain), None if pooled else e["competitor"], -1 if e["change_pct"] < 0 else 1)
                groups.setdefault(key, []).append(e)
            out = []
            for (p, comp, sign), g in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1]), kv[0][2])):
                big = max(g, key=lambda e: abs(e["change_pct"]))
                out.append({"period": p.isoformat(), "competitor": comp, "direction": sign, "n": len(g),
                            "competitors": sorted({str(e["competitor"]) for e in g}),
                            "median_change": statistics.median(e["change_pct"] for e in g),
                            "price": statistics.median(e["price"] for e in g if e.get("price") is not None)
                            if any(e.get("price") is not None for e in g) else None,
                            "largest": big})
            best = (out, grain)
            if len(out) <= max_markers:
                return best
    return best[0][:max_markers], best[1]
