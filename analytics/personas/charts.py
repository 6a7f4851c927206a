"""The persona's figure: the TGI of its significant attribute values, with their intervals."""

from __future__ import annotations

from analytics import charts
from analytics.i18n import t

from .labels import attr_label, value_label

def figures(result: dict, lang: str = "en") -> list[dict]:
    """The persona's figure: the TGI of the significant values (at most 20), with their intervals.

    Parameters
    ----------
    result : dict
        The page dict of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        One figure dict (``key`` "tgi", ``title``, ``figure``), or none without attributes.
    """
    import plotly.graph_objects as go

    rows = [r for r in result.get("attributes", []) if r.get("tgi") is not None and not r.get("defines_segment")]
    if not rows:
        return []
    sig = [r for r in rows if r["significant"]] or rows
    sig = sorted(sig, key=lambda r: r["tgi"])[-20:]
    top = sig[-1]
    seg_label = result.get("segment", {}).get("label", "")
    title = t("personas.chart.tgi", lang, segment=seg_label, value=value_label(top["attribute"], top["value"], lang),
              attr=attr_label(top["attribute"], lang), tgi=f"{top['tgi']:.0f}")
    labels = [f"{attr_label(r['attribute'], lang)}: {value_label(r['attribute'], r['value'], lang)}" for r in sig]
    fig = go.Figure(go.Bar(
        x=[r["tgi"] for r in sig], y=labels, orientation="h",
        error_x=dict(type="data", symmetric=False,
                     array=[(r["tgi_high"] or r["tgi"]) - r["tgi"] for r in sig],
                     arrayminus=[r["tgi"] - (r["tgi_low"] or r["tgi"]) for r in sig]),
        marker_color=["#2a6fdb" if r["tgi"] >= 100 else "#d9822b" for r in sig]))
    fig.add_vline(x=100, line_dash="dash")
    fig.update_layout(xaxis_title="TGI", height=max(300, 28 * len(sig) + 120))
    charts.finish(fig, lang, title, x="index")
    return [{"key": "tgi", "title": title, "figure": fig}]
