"""The live-commerce page's figures: the funnel, the trend, GPM per host, creator deals' cost against GMV and
the content formats."""

from __future__ import annotations

import pandas as pd

from analytics import charts
from analytics.i18n import fmt_money, fmt_number, fmt_pct, t


def figures(result: dict, lang: str = "en") -> list[dict]:
    """The live-commerce page's figures (the funnel, the trend and the charts of the result's other blocks), each
    titled with what it shows.

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
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    out: list[dict] = []
    funnel = result.get("funnel") or []
    if funnel:
        rated = [r for r in funnel[1:] if r.get("rate") is not None]
        weak = min(rated, key=lambda r: r["rate"]) if rated else None
        title = t("live.chart.funnel", lang, step=t(f"live.step.{weak['step']}", lang) if weak else "—",
                  rate=fmt_pct(weak["rate"], lang) if weak else "—")
        fig = go.Figure(go.Funnel(y=[t(f"live.step.{r['step']}", lang) for r in funnel], x=[r["people"] for r in funnel],
                                  textinfo="value+percent previous"))
        charts.data_labels(fig.data[0], "count", lang)
        fig.update_layout(height=380)
        charts.finish(fig, lang, title, x="count")
        out.append({"key": "funnel", "title": title, "figure": fig})
    trends = result.get("trends") or []
    if len(trends) >= 2:
        df = pd.DataFrame(trends)
        k = max(1, len(df) // 4)
        g0, g1 = df["gmv"].head(k).sum(), df["gmv"].tail(k).sum()
        title = t("live.chart.trend", lang, first=fmt_money(g0, lang), last=fmt_money(g1, lang), k=k,
                  grain=t(f"live.grain.{result.get('grain') or 'day'}", lang))
        fig = make_subplots(specs=[[{"secondary_y": True}]])
        fig.add_trace(go.Bar(x=df["period"], y=df["gmv"], name=t("live.kpi.gmv", lang), opacity=0.6), secondary_y=False)
        fig.add_trace(go.Scatter(x=df["period"], y=df["gpm"], name=t("live.kpi.gpm", lang), mode="lines"), secondary_y=True)
        fig.update_layout(height=380, legend={"orientation": "h", "y": -0.15})
        fig.update_yaxes(title_text=t("live.kpi.gmv", lang), secondary_y=False)
        fig.update_yaxes(title_text=t("live.kpi.gpm", lang), secondary_y=True)
        charts.finish(fig, lang, title, y="money", y2="money")
        out.append({"key": "trend", "title": title, "figure": fig})
    hosts = [h for h in (result.get("hosts") or []) if h.get("gpm") is not None][:15]
    if hosts:
        best = max(hosts, key=lambda h: h["gpm"])
        title = t("live.chart.hosts", lang, host=best["host"], gpm=fmt_money(best["gpm"], lang))
        fig = go.Figure(go.Bar(y=[h["host"] for h in hosts][::-1], x=[h["gpm"] for h in hosts][::-1], orientation="h"))
        charts.data_labels(fig.data[0], "money", lang)
        fig.update_layout(height=max(300, 120 + 26 * len(hosts)), xaxis_title=t("live.kpi.gpm", lang), yaxis_type="category")
        charts.finish(fig, lang, title, x="money")
        out.append({"key": "hosts", "title": title, "figure": fig})
    creators = [c for c in (result.get("creators") or []) if c.get("cost") is not None and c.get("gmv") is not None]
    if creators:
        ok = [c for c in creators if c.get("roi") is not None]
        best = max(ok, key=lambda c: c["roi"]) if ok else None
        title = t("live.chart.creators", lang, creator=best["creator"] if best else "—",
                  roi=fmt_number(best["roi"], lang, 2) if best else "—")
        # names on the five largest deals only, and only where they do not run into each other; every deal's
        # name, cost and GMV are in its hover
        creators = sorted(creators, key=lambda c: -c["gmv"])
        names = charts.scatter_labels([c["cost"] for c in creators], [c["gmv"] for c in creators],
                                      [c["creator"] if i < 5 else "" for i, c in enumerate(creators)],
                                      log_x=True, log_y=True)
        fig = go.Figure(go.Scatter(
            x=[c["cost"] for c in creators], y=[c["gmv"] for c in creators], mode="markers+text",
            text=names, textposition="top center",
            hovertext=[f"{c['creator']}: {t('live.col.cost', lang)} {fmt_money(c['cost'], lang)} · "
                       f"{t('live.kpi.gmv', lang)} {fmt_money(c['gmv'], lang)}" for c in creators], hoverinfo="text"))
        pos = [c["cost"] for c in creators if c["cost"] > 0]
        lo_, hi_ = (min(pos), max(pos)) if pos else (1.0, 10.0)
        fig.add_trace(go.Scatter(x=[lo_, hi_], y=[lo_, hi_], mode="lines", line={"dash": "dot"}, name="ROI = 1"))
        fig.update_layout(height=400, xaxis_title=t("live.col.cost", lang), yaxis_title=t("live.kpi.gmv", lang),
                          showlegend=False, xaxis_type="log", yaxis_type="log")  # deals span orders of magnitude
        charts.finish(fig, lang, title, x="money", y="money")
        out.append({"key": "creators", "title": title, "figure": fig})
    fm = [r for r in (result.get("formats") or [])]
    if fm:
        ok = [r for r in fm if r.get("roi") is not None]
        best = max(ok, key=lambda r: r["roi"]) if ok else None
        title = t("live.chart.formats", lang, format=best["format_label"] if best else "—",
                  roi=fmt_number(best["roi"], lang, 2) if best else "—")
        fig = make_subplots(rows=1, cols=2, subplot_titles=[t("live.col.engagement_rate", lang), t("live.col.roi", lang)])
        names = [r["format_label"] for r in fm]
        fig.add_trace(go.Bar(x=names, y=[r.get("engagement_rate") for r in fm], showlegend=False), row=1, col=1)
        fig.add_trace(go.Bar(x=names, y=[r.get("roi") for r in fm], showlegend=False), row=1, col=2)
        fig.update_layout(height=360)
        charts.finish(fig, lang, title, y="percent", y2="ratio")
        out.append({"key": "formats", "title": title, "figure": fig})
    return out
