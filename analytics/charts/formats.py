"""Numbers on charts: round tick values (:func:`nice_ticks`, :func:`log_ticks`), their texts in the
language's units (:func:`tick_texts`), and values in hovers and data labels (:func:`value_text`,
:func:`label_text`)."""

from __future__ import annotations

import math
from typing import Any, Sequence

from analytics.i18n import fmt_kpi, fmt_money, fmt_number, fmt_pct


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
