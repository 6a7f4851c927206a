"""The channel comparison's figures from the page's result: net sales per channel (orders only), the funnel's
rates, the KPI panels, platform vs incremental ROAS, the response curves and the weekly ROAS trends."""


from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import charts
from analytics.i18n import fmt_money, fmt_pct, t

from .base import shown, shown_all
from .presentation import _x, headlines


def figures(result: dict, lang: str = "en") -> list[dict]:
    """The channel comparison's figures (net sales per channel for orders only; else the funnel and the charts of
    the result's other blocks), each titled with what it shows.

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``.
    """
    if result.get("mode") == "orders":
        return _orders_figures(result, lang)
    out: list[dict] = []
    for part in (_funnel_figures, _kpi_figures, _incrementality_figures, _curve_figures, _trend_figures):
        out += part(result, lang)
    return out


def _orders_figures(result: dict, lang: str) -> list[dict]:
    """Net sales per channel as horizontal bars with data labels (``orders``), for orders-only data.

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without channel rows.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    rows = result.get("channels") or []
    if rows:
        top = rows[0]
        title = t("channels.chart.orders", lang, channel=shown(top["channel"], lang),
                  net=fmt_money(top["net_sales"], lang))
        # channels down the side: a long name never runs into the next one
        fig = go.Figure(go.Bar(y=shown_all([r["channel"] for r in rows], lang)[::-1],
                               x=[r["net_sales"] for r in rows][::-1],
                               orientation="h"))
        charts.data_labels(fig.data[0], "money", lang)
        fig.update_layout(height=max(300, 120 + 26 * len(rows)), xaxis_title=t("channels.kpi.net_sales", lang),
                          yaxis_type="category")
        charts.finish(fig, lang, title, x="money")
        out.append({"key": "orders", "title": title, "figure": fig})
    return out


FUNNEL_STEPS = (("ctr", "clicks", "impressions"), ("cvr", "conversions", "clicks"))  # rate, numerator, denominator
FUNNEL_LOG_BELOW = 0.02  # a rate under this share of the largest bar end puts the funnel chart on a log axis


def _funnel_figures(result: dict, lang: str) -> list[dict]:
    """The funnel's step-to-step rates per channel (``funnel``): one grouped horizontal bar chart of CTR
    (clicks / impressions) and CVR (conversions / clicks) with their 95% intervals, channels ordered by CVR,
    titled with the channel that converts clicks best.

    One funnel of counts would collapse below its first step (impressions are about a hundred times the
    clicks), so the chart shows the rates, which lie within about one order of magnitude of each other; when
    a rate is still below ``FUNNEL_LOG_BELOW`` of the largest bar end, the value axis is logarithmic, so every
    step of every channel stays visible. The counts behind each rate are in the hover. Every number comes
    from the result's channel rows (``ctr``, ``cvr``, their ``_ci_low`` / ``_ci_high`` and the sums).

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without ``funnel`` rows or rates.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    by = result.get("by")  # channel names as people say them; a campaign's as it is
    rows = [r for r in (result.get("channels") or []) if any(r.get(m) is not None for m, _, _ in FUNNEL_STEPS)]
    if not result.get("funnel") or not rows:
        return out
    conv = [r for r in rows if r.get("cvr") is not None]
    best = max(conv, key=lambda r: r["cvr"]) if conv else None
    title = t("channels.chart.funnel", lang, channel=shown(best["channel"], lang, by),
              rate=fmt_pct(best["cvr"], lang)) if best \
        else t("channels.chart.funnel_plain", lang)
    # best CVR on top (horizontal bars are drawn bottom-up); a channel without a CVR at the bottom
    rows = sorted(rows, key=lambda r: (r.get("cvr") is not None, r.get("cvr") or 0.0))
    names = [str(n) for n in shown_all([r["channel"] for r in rows], lang, by)]
    fig = go.Figure()
    # CVR first: plotly draws a group's first bar lowest, so each channel reads CTR then CVR top-down
    for m, num, den in FUNNEL_STEPS[::-1]:
        vals = [r.get(m) for r in rows]
        up = [r[f"{m}_ci_high"] - r[m] if r.get(m) is not None and r.get(f"{m}_ci_high") is not None else 0
              for r in rows]
        dn = [r[m] - r[f"{m}_ci_low"] if r.get(m) is not None and r.get(f"{m}_ci_low") is not None else 0
              for r in rows]
        hov = [t("channels.chart.funnel_hover", lang, channel=shown(r["channel"], lang, by),
                 metric=t(f"channels.kpi.{m}", lang),
                 rate=charts.value_text(r.get(m), "percent", lang),
                 lo=charts.value_text(r.get(f"{m}_ci_low"), "percent", lang),
                 hi=charts.value_text(r.get(f"{m}_ci_high"), "percent", lang),
                 num=charts.value_text(r.get(num), "count", lang), num_name=t(f"channels.kpi.{num}", lang),
                 den=charts.value_text(r.get(den), "count", lang), den_name=t(f"channels.kpi.{den}", lang))
               for r in rows]
        fig.add_trace(go.Bar(y=names, x=vals, orientation="h", name=t(f"channels.chart.funnel_{m}", lang),
                             error_x={"type": "data", "symmetric": False, "array": up, "arrayminus": dn},
                             hovertext=hov, hovertemplate="%{hovertext}<extra></extra>",
                             textposition="inside", insidetextanchor="start"))
        charts.data_labels(fig.data[-1], "percent", lang)
    ends = [v for v in charts.axis_values(fig, "x") if v > 0]
    low = [v for tr in fig.data for v in tr.x if v is not None and v > 0]
    log = bool(low) and min(low) < FUNNEL_LOG_BELOW * max(ends)
    # the legend above the bars: the channel names keep the whole left side
    above = 36 + 20 * (charts.wrap(title).count("<br>") + 1) + 28  # the title, then the legend's row
    fig.update_layout(barmode="group", margin={"t": above}, height=max(320, 150 + 56 * len(rows)), bargap=0.2,
                      xaxis_title=t("channels.chart.funnel_axis", lang),
                      xaxis_type="log" if log else "linear", yaxis_type="category",
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0,
                              "traceorder": "reversed"})
    charts.finish(fig, lang, title, x="percent")
    out.append({"key": "funnel", "title": title, "figure": fig})
    return out


def _kpi_figures(result: dict, lang: str) -> list[dict]:
    """ROAS, CTR, CVR and CPA per channel with their intervals, one panel per metric the rows carry
    (``kpis``).

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without channel rows or metrics.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    out: list[dict] = []
    by = result.get("by")  # channel names as people say them; a campaign's as it is
    rows = result.get("channels") or []
    if rows:
        metrics = [m for m in ("roas", "ctr", "cvr", "cpa") if any(r.get(m) is not None for r in rows)]
        if metrics:
            k_r = [r for r in rows if r.get("roas") is not None]
            top = max(k_r, key=lambda r: r["roas"]) if k_r else None
            title = t("channels.chart.kpis", lang, channel=shown(top["channel"], lang, by),
                      roas=f"{top['roas']:.2f}") if top else \
                t("channels.chart.kpis_plain", lang)
            # one panel per metric side by side, the channels once down the shared left axis (horizontal bars:
            # channel names never overlap, however many or long)
            fig = make_subplots(rows=1, cols=len(metrics), shared_yaxes=True, horizontal_spacing=0.03,
                                subplot_titles=[t(f"channels.kpi.{m}", lang) for m in metrics])
            names = shown_all([r["channel"] for r in rows], lang, by)[::-1]
            kinds = {}
            for j, m in enumerate(metrics, start=1):
                rr = rows[::-1]
                vals = [r.get(m) for r in rr]
                up = [(r.get(f"{m}_ci_high") - r[m]) if r.get(f"{m}_ci_high") is not None and r.get(m) is not None
                      else 0 for r in rr]
                dn = [(r[m] - r.get(f"{m}_ci_low")) if r.get(f"{m}_ci_low") is not None and r.get(m) is not None
                      else 0 for r in rr]
                fig.add_trace(go.Bar(y=names, x=vals, orientation="h", showlegend=False,
                                     name=t(f"channels.kpi.{m}", lang),
                                     error_x={"type": "data", "symmetric": False, "array": up, "arrayminus": dn}),
                              row=1, col=j)
                kinds[f"x{j if j > 1 else ''}"] = {"ctr": "percent", "cvr": "percent", "cpa": "money"}.get(m, "ratio")
            fig.update_layout(height=max(320, 140 + 28 * len(rows)))
            fig.update_yaxes(type="category")  # a channel or campaign code ("1001") is a name
            charts.finish(fig, lang, title, **kinds)
            out.append({"key": "kpis", "title": title, "figure": fig})
    return out


def _incrementality_figures(result: dict, lang: str) -> list[dict]:
    """Platform-reported ROAS beside incremental ROAS per channel (``incrementality``, by channel whatever the
    page's ``by``), the incremental one with
    its interval, as horizontal bars.

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without a channel that has either ROAS.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    incr = [r for r in (result.get("incrementality") or []) if r.get("platform_roas") is not None
            or r.get("incremental_roas") is not None]
    if incr:
        heads = headlines(incr)
        if heads:
            pick, key = heads[0]
            title = t(f"channels.chart.incr_{key}", lang, channel=shown(pick["channel"], lang),
                      x=_x(pick["inflation"], lang))
        else:
            title = t("channels.chart.incr_plain", lang)
        # channels down the side (horizontal bars: long names never overlap), the first channel on top
        rr = incr[::-1]
        names = shown_all([r["channel"] for r in rr], lang)
        fig = go.Figure()
        fig.add_trace(go.Bar(y=names, x=[r.get("platform_roas") for r in rr], orientation="h",
                             name=t("channels.col.platform_roas", lang), marker_color="#9e9e9e"))

        def err(r, side):
            v, b = r.get("incremental_roas"), r.get(f"incremental_roas_ci_{side}")
            return 0 if v is None or b is None else abs(b - v)

        fig.add_trace(go.Bar(y=names, x=[r.get("incremental_roas") for r in rr], orientation="h",
                             name=t("channels.col.incremental_roas", lang), marker_color="#1f77b4",
                             customdata=[[r.get("basis") or "", _x(r.get("inflation"), lang)] for r in rr],
                             hovertemplate="%{y}: %{x:.2f}<br>%{customdata[0]}<br>"
                                           + t("channels.col.inflation", lang) + " %{customdata[1]}<extra></extra>",
                             error_x={"type": "data", "symmetric": False, "array": [err(r, "high") for r in rr],
                                      "arrayminus": [err(r, "low") for r in rr]}))
        fig.update_layout(height=max(320, 140 + 40 * len(rr)), barmode="group", xaxis_title="ROAS")
        fig.update_yaxes(type="category")
        charts.finish(fig, lang, title, x="ratio")
        out.append({"key": "incrementality", "title": title, "figure": fig})
    return out


def _curve_figures(result: dict, lang: str) -> list[dict]:
    """The fitted response curves (revenue = a * spend ^ b) per channel over their data points, each channel's
    current spend starred (``curves``).

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without a fitted curve.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    by = result.get("by")  # channel names as people say them; a campaign's as it is
    curves = [c for c in (result.get("curves") or []) if c.get("a") is not None]
    if curves:
        best = result.get("best_next_channel")
        bc = next((c for c in curves if c["channel"] == best), None)
        title = t("channels.chart.curves", lang, channel=shown(best, lang, by) or "—",
                  m=f"{bc['marginal_roas']:.2f}" if bc and bc.get("marginal_roas") is not None else "—")
        fig = go.Figure()
        pts = pd.DataFrame(result.get("curve_points") or [])
        palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
        for i, c in enumerate(curves):
            color = palette[i % len(palette)]
            if not pts.empty:
                g = pts.loc[pts["channel"] == c["channel"]]
                fig.add_trace(go.Scatter(x=g["spend"], y=g["revenue"], mode="markers", opacity=0.35,
                                         marker={"color": color, "size": 5}, name=shown(c["channel"], lang, by),
                                         showlegend=False))
            top = max(c["spend_max"], c["current_spend"]) * 1.3
            xs = np.linspace(0, top, 60)
            fig.add_trace(go.Scatter(x=xs, y=c["a"] * xs ** c["b"], mode="lines", line={"color": color},
                                     name=shown(c["channel"], lang, by)))
            cur = c["current_spend"]
            fig.add_trace(go.Scatter(x=[cur], y=[c["a"] * cur ** c["b"]], mode="markers",
                                     marker={"symbol": "star", "size": 14, "color": color},
                                     name=t("channels.label.current", lang, channel=shown(c["channel"], lang, by))))
        fig.update_layout(height=420, xaxis_title=t("channels.kpi.spend", lang),
                          yaxis_title=t("channels.kpi.revenue", lang))
        charts.finish(fig, lang, title, x="money", y="money")
        out.append({"key": "curves", "title": title, "figure": fig})
    return out


def _trend_figures(result: dict, lang: str) -> list[dict]:
    """Weekly ROAS per channel (``trends``), titled with the total ROAS of the first and the last week.

    Parameters
    ----------
    result : dict
        The page result of :func:`present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; empty without ``trends``.
    """
    import plotly.graph_objects as go

    out: list[dict] = []
    by = result.get("by")  # channel names as people say them; a campaign's as it is
    trends = result.get("trends") or []
    if trends:
        df = pd.DataFrame(trends)
        tot = df.groupby("week")[["spend", "revenue"]].sum().sort_index()
        r0 = tot["revenue"].iloc[0] / tot["spend"].iloc[0] if tot["spend"].iloc[0] else None
        r1 = tot["revenue"].iloc[-1] / tot["spend"].iloc[-1] if tot["spend"].iloc[-1] else None
        title = t("channels.chart.trends", lang, r0=f"{r0:.2f}" if r0 is not None else "—",
                  r1=f"{r1:.2f}" if r1 is not None else "—")
        fig = go.Figure()
        for c, g in df.groupby("channel", sort=False):
            fig.add_trace(go.Scatter(x=g["week"], y=g["roas"], mode="lines+markers", name=shown(c, lang, by)))
        fig.update_layout(height=360, yaxis_title=t("channels.kpi.roas", lang))
        charts.finish(fig, lang, title, y="ratio")
        out.append({"key": "trends", "title": title, "figure": fig})
    return out
