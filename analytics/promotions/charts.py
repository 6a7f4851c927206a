"""The planner's figures: allocation with expected outcome, response curves, weekly contributions, model
fit and the paced timeline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import charts
from analytics.i18n import fmt_number, fmt_pct, t


def figures(result: dict, lang: str = "en") -> list[dict]:
    """The planner's figures (allocation with expected outcome and the charts of the plan's other blocks), each
    titled with what it shows.

    Parameters
    ----------
    result : dict
        The plan (:func:`plan`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``.
    """
    out: list[dict] = []
    for part in (_allocation_figures, _curve_figures, _contribution_figures, _fit_figures, _timeline_figures):
        out += part(result, lang)
    return out


def _allocation_figures(result: dict, lang: str) -> list[dict]:
    """Each channel's planned spend next to its expected outcome with its interval, on one money axis
    (``allocation``).

    Parameters
    ----------
    result : dict
        The plan (:func:`plan`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without an ``allocation``.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    alloc = result.get("allocation") or []
    tot = result.get("total") or {}
    if alloc:
        top = max(alloc, key=lambda r: r["spend"] or 0)
        title = t("promotions.chart.allocation", lang, channel=top["channel"], share=fmt_pct(top.get("share"), lang),
                  out=fmt_number(tot.get("expected_outcome"), lang))
        fig = go.Figure()
        fig.add_trace(go.Bar(name=t("promotions.label.spend", lang), x=[r["channel"] for r in alloc],
                             y=[r["spend"] for r in alloc], marker_color="#1f77b4"))
        fig.add_trace(go.Bar(name=t("promotions.label.expected_outcome", lang), x=[r["channel"] for r in alloc],
                             y=[r["expected_outcome"] for r in alloc], marker_color="#2ca02c",
                             error_y={"type": "data", "symmetric": False,
                                      "array": [(r["upper"] - r["expected_outcome"]) if r["upper"] is not None else 0 for r in alloc],
                                      "arrayminus": [(r["expected_outcome"] - r["lower"]) if r["lower"] is not None else 0 for r in alloc]},
                             ))
        # spend and outcome are both money: one axis, bars side by side (a second axis drew them over each other)
        fig.update_layout(barmode="group", height=380, legend={"orientation": "h", "y": -0.15},
                          yaxis={"title": t("promotions.label.spend", lang) + " / " +
                                 t("promotions.label.expected_outcome", lang)})
        charts.finish(fig, lang, title, y="money")
        out.append({"key": "allocation", "title": title, "figure": fig})
    return out


def _curve_figures(result: dict, lang: str) -> list[dict]:
    """The weekly response curve of each channel with its band, its current and planned weekly spend marked
    (``curves``), titled with the channel of the highest marginal ROI.

    Parameters
    ----------
    result : dict
        The plan (:func:`plan`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without ``curves``.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    alloc = result.get("allocation") or []
    curves = result.get("curves") or []
    meta = {m["channel"]: m for m in result.get("curves_meta") or []}
    if curves:
        best = max(alloc, key=lambda r: r["marginal_roi"] or 0) if alloc else None
        title = t("promotions.chart.curves", lang, channel=best["channel"] if best else "—",
                  m=fmt_number(best["marginal_roi"], lang, 2) if best else "—")
        fig = go.Figure()
        df = pd.DataFrame(curves)
        for i, (c, g) in enumerate(df.groupby("channel", sort=False)):
            color = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"][i % 6]
            fig.add_trace(go.Scatter(x=g["weekly_spend"], y=g["weekly_outcome"], name=c, line={"color": color}))
            if g["upper"].notna().any():
                fig.add_trace(go.Scatter(x=list(g["weekly_spend"]) + list(g["weekly_spend"])[::-1],
                                         y=list(g["upper"]) + list(g["lower"])[::-1], fill="toself", opacity=0.15, mode="lines",
                                         line={"width": 0, "color": color}, showlegend=False, hoverinfo="skip"))
            m = meta.get(c)
            if m:
                for key, sym in (("current_weekly_spend", "circle"), ("planned_weekly_spend", "star")):
                    x = m[key]
                    yv = np.interp(x, g["weekly_spend"], g["weekly_outcome"])
                    fig.add_trace(go.Scatter(x=[x], y=[yv], mode="markers", marker={"symbol": sym, "size": 12, "color": color},
                                             name=f"{c}: {t('promotions.label.' + key, lang)}"))
        fig.update_layout(height=420, xaxis_title=t("promotions.label.weekly_spend", lang),
                          yaxis_title=t("promotions.label.weekly_outcome", lang))
        charts.finish(fig, lang, title, x="money", y="money")
        out.append({"key": "curves", "title": title, "figure": fig})
    return out


def _contribution_figures(result: dict, lang: str) -> list[dict]:
    """The weekly outcome stacked by baseline, controls and channels (``contributions``), titled with the
    channel of the largest contribution share.

    Parameters
    ----------
    result : dict
        The plan (:func:`plan`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without ``contributions`` and ``model`` rows.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    contrib = result.get("contributions") or []
    model = result.get("model") or []
    if contrib and model:
        lead = max(model, key=lambda r: r["contribution_share"] or 0)
        title = t("promotions.chart.contributions", lang, channel=lead["channel"],
                  share=fmt_pct(lead["contribution_share"], lang))
        df = pd.DataFrame(contrib)
        fig = go.Figure()
        for comp, g in df.groupby("component", sort=False):
            fig.add_trace(go.Scatter(x=g["date"], y=g["value"], stackgroup="one", name=t("promotions.label.baseline", lang)
                                     if comp == "baseline" else t("promotions.label.controls", lang) if comp == "controls" else comp))
        fig.update_layout(height=380)
        charts.finish(fig, lang, title, y="money")
        out.append({"key": "contributions", "title": title, "figure": fig})
    return out


def _fit_figures(result: dict, lang: str) -> list[dict]:
    """Actual and fitted weekly outcome with the residuals and the holdout's start (``fit``).

    Parameters
    ----------
    result : dict
        The plan (:func:`plan`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without ``residuals``.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    resid = result.get("residuals") or []
    fit = result.get("fit") or {}
    if resid:
        title = t("promotions.chart.fit", lang, mape=fmt_pct(fit.get("holdout_mape"), lang),
                  r2=f"{fit['holdout_r2']:.2f}" if fit.get("holdout_r2") is not None else "—")
        df = pd.DataFrame(resid)
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=df["date"], y=df["actual"], name=t("promotions.label.actual", lang), mode="lines"))
        fig.add_trace(go.Scatter(x=df["date"], y=df["fitted"], name=t("promotions.label.fitted", lang), mode="lines"))
        fig.add_trace(go.Bar(x=df["date"], y=df["residual"], name=t("promotions.label.residual", lang), opacity=0.4))
        if fit.get("holdout_start"):
            fig.add_vline(x=pd.Timestamp(fit["holdout_start"]).timestamp() * 1000, line_dash="dot")
        fig.update_layout(height=380)
        charts.finish(fig, lang, title, y="money")
        out.append({"key": "fit", "title": title, "figure": fig})
    return out


def _timeline_figures(result: dict, lang: str) -> list[dict]:
    """The plan's weekly spend per channel, stacked, with the pacing phases labelled above the bars
    (``timeline``).

    Parameters
    ----------
    result : dict
        The plan (:func:`plan`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without a ``timeline``.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    tl = result.get("timeline") or []
    pac = result.get("pacing") or {}
    if tl:
        ph = pac.get("phases") or []
        burst = next((x for x in ph if x["phase"] == "burst"), None)
        title = t("promotions.chart.timeline", lang, share=fmt_pct(burst["budget_share"] if burst else None, lang, 0),
                  days=burst["days"] if burst else "—", start=str(burst["start"]) if burst else "—")
        df = pd.DataFrame(tl)
        fig = go.Figure()
        for c, g in df.groupby("channel", sort=False):
            fig.add_trace(go.Bar(x=g["date"], y=g["spend"], name=c))
        # phase labels above the bars, in rows so that a short phase's label never runs into the next one
        labels = [(str(x["start"]), x.get("label", x["phase"])) for x in ph]
        rows = charts.label_rows(labels, (str(df["date"].min()), str(df["date"].max())), size=12)
        for x, (start, text), row in zip(ph, labels, rows):
            fig.add_annotation(x=start, y=1.02 + 0.07 * (row or 0), yref="paper", text=text if row is not None else "•",
                               showarrow=False, xanchor="left", yanchor="bottom",
                               hovertext=f"{text}: {x['start']} – {x['end']}")
        fig.update_layout(barmode="stack", height=360, yaxis_title=t("promotions.label.spend", lang))
        charts.finish(fig, lang, title, y="money")
        out.append({"key": "timeline", "title": title, "figure": fig})
    return out
