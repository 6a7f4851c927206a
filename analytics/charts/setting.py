"""Setting what :mod:`analytics.charts` computes without plotly's validators, where the values are already
in plotly's canonical form (:func:`_put`, :func:`_raw`), and figures built from plain traces
(:func:`figure`)."""

from __future__ import annotations

from typing import Any, Sequence


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
