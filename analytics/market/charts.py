"""The market overview's figures (plotly), each titled with its finding, from the presented result."""

from __future__ import annotations

from analytics import charts
from analytics.i18n import fmt_date, fmt_money, fmt_number, fmt_pct, t
from analytics.market.constants import DIMS
from analytics.market.findings import fmt_change as _fmt_change
from analytics.market.mix import shown, shown_all, top_value
from analytics.market.presenting import month_label


def figures(result: dict, lang: str = "en") -> list[dict]:
    """The market overview's figures, each titled with what it shows: the trend (with promotion windows and the
    forecast), and the charts of the result's other blocks.

    Parameters
    ----------
    result : dict
        The page result of :func:`analytics.market.present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title`` and ``figure``; a chart without data is left out.
    """
    import plotly.graph_objects as go

    figs: list[dict] = []
    # an export without amounts (analytics.units) is measured in units: the same charts, named and formatted so
    units = result.get("measure") == "units"
    m, fm, sfx = ("units", fmt_number, "_units") if units else ("net_sales", fmt_money, "")
    vk = "count" if units else "money"
    mlabel = t(f"market.kpi.{m}", lang)
    bp = result.get("by_period") or []
    kch = (result.get("kpi_changes") or {}).get(m)
    kp = result.get("kpis") or {}
    fgrain = (result.get("forecast_model") or {}).get("grain")
    grain = (result.get("period") or {}).get("grain")
    if bp:
        if kch is not None:
            title = t("market.chart.trend_change" + sfx, lang, value=fm(kp.get(m), lang),
                      pct=_fmt_change(kch, lang), label=t(f"market.compare.{(result.get('period') or {}).get('compare', 'prev')}", lang))
        # a period the window or the data cuts (the month the data ends in) is drawn apart, as open markers:
        # on the line it looks like a crash or a jump it is not
        whole = [r for r in bp if r.get("complete", True)] or bp
        part = [r for r in bp if not r.get("complete", True)] if len(whole) < len(bp) else []
        if kch is None:
            best = max(whole, key=lambda r: r[m] or 0)
            title = t("market.chart.trend_peak" + sfx, lang, value=fm(kp.get(m), lang),
                      peak=best["period"], peak_value=fm(best[m], lang))
        fig = go.Figure()
        # a short window (the default month) is drawn after the whole periods before it, for context
        hist = [r for r in result.get("forecast_history") or [] if r["period"] < bp[0]["period"]]
        if len(whole) < 3 and hist and grain in ("week", "month"):  # the history is weekly or monthly
            fig.add_trace(go.Scatter(x=[r["period"] for r in hist], y=[r[m] for r in hist], mode="lines",
                                     name=t("market.label.before_window", lang), line=dict(color="#adb5bd")))
        fig.add_trace(go.Scatter(x=[r["period"] for r in whole], y=[r[m] for r in whole],
                                 mode="lines+markers", name=mlabel))
        if not units:
            fig.add_trace(go.Scatter(x=[r["period"] for r in whole], y=[r["gross_sales"] for r in whole], mode="lines",
                                     name=t("market.kpi.gross_sales", lang), line=dict(dash="dot")))
        if part:
            fig.add_trace(go.Scatter(
                x=[r["period"] for r in part], y=[r[m] for r in part], mode="markers",
                marker=dict(symbol="circle-open", size=11, line=dict(width=2)), name=t("market.label.partial", lang),
                customdata=[[r.get("period_end") or ""] for r in part],
                hovertemplate=t("market.label.partial_hover", lang) + "<extra></extra>"))
        # promotion windows as one batch of shapes and labels (add_vrect validates each one: slow); labels in
        # rows so none overlaps another, a label with no room left is a dot whose hover names the window
        wins = (result.get("promos") or [])[:40]
        xs_all = [r["period"] for r in hist] + [r["period"] for r in bp] + \
            [r.get("period_end") or r["period"] for r in bp] + [r["period"] for r in result.get("forecast") or []]
        rows = charts.label_rows([(w["start"], w["label"]) for w in wins], (min(xs_all), max(xs_all)))
        fig.update_layout(
            shapes=[dict(type="rect", xref="x", yref="y domain", x0=w["start"], x1=w["end"], y0=0, y1=1,
                         fillcolor="#f4a261" if w["source"] == "calendar" else "#8ecae6", opacity=0.25, line_width=0)
                    for w in wins],
            annotations=[promo_label(w, row, lang) for w, row in zip(wins, rows)])
        fc = result.get("forecast")
        if fc and fgrain == (grain if grain != "day" else "week") and grain != "day":
            xs = [r["period"] for r in fc]
            fig.add_trace(go.Scatter(x=xs + xs[::-1], y=[r["upper"] for r in fc] + [r["lower"] for r in fc][::-1],
                                     fill="toself", fillcolor="rgba(99,110,250,0.2)", line=dict(width=0), mode="lines",
                                     name=t("market.label.interval", lang), hoverinfo="skip"))
            fig.add_trace(go.Scatter(x=xs, y=[r["value"] for r in fc], mode="lines+markers",
                                     line=dict(dash="dash"), name=t("market.label.forecast", lang)))
        fig.update_layout(yaxis_title=mlabel, hovermode="x unified")
        charts.finish(fig, lang, title, y=vk)
        figs.append({"key": "trend", "title": title, "figure": fig})
    fc = result.get("forecast")
    hist = result.get("forecast_history") or []
    if fc and hist and (grain == "day" or fgrain != grain):
        bt = result.get("backtest") or {}
        title = t("market.chart.forecast" + sfx, lang, value=fm(fc[0]["value"], lang),
                  period=fmt_date(fc[0]["period"], lang),
                  lo=fm(fc[0]["lower"], lang), hi=fm(fc[0]["upper"], lang), mape=fmt_pct(bt.get("mape"), lang))
        fig = go.Figure(go.Scatter(x=[r["period"] for r in hist], y=[r[m] for r in hist],
                                   name=mlabel))
        xs = [r["period"] for r in fc]
        fig.add_trace(go.Scatter(x=xs + xs[::-1], y=[r["upper"] for r in fc] + [r["lower"] for r in fc][::-1],
                                 fill="toself", fillcolor="rgba(99,110,250,0.2)", line=dict(width=0), mode="lines", hoverinfo="skip",
                                 name=t("market.label.interval", lang)))
        fig.add_trace(go.Scatter(x=xs, y=[r["value"] for r in fc], line=dict(dash="dash"),
                                 name=t("market.label.forecast", lang)))
        charts.finish(fig, lang, title, y=vk)
        figs.append({"key": "forecast", "title": title, "figure": fig})
    mix = result.get("mix") or {}
    for dim in DIMS:
        rows = mix.get(dim)
        if not rows:
            continue
        top = top_value(rows)
        title = t("market.chart.mix" + sfx, lang, dim=t(f"market.dim.{dim}", lang),
                  value=shown(dim, top["value"], lang), share=fmt_pct(top["share"], lang))
        xs = shown_all(dim, [r["value"] for r in rows], lang)  # a channel under its platform's name ("抖音")
        fig = go.Figure(go.Bar(x=xs, y=[r["share"] for r in rows],
                               name=t("market.label.share", lang)))
        if rows and "base_share" in rows[0]:
            fig.add_trace(go.Bar(x=xs, y=[r["base_share"] for r in rows],
                                 name=t("market.label.base_share", lang)))
        # values such as a region code or a numeric category id are categories, not a number line
        fig.update_layout(barmode="group", xaxis_type="category")
        charts.finish(fig, lang, title, y="percent")
        figs.append({"key": f"mix_{dim}", "title": title, "figure": fig})
    par = result.get("pareto") or {}
    if par.get("products_curve") or par.get("customers_curve"):
        share = par.get("top_20pct_products_share")
        title = (t("market.chart.pareto" + sfx, lang, share=fmt_pct(share, lang)) if share is not None else
                 t("market.chart.pareto_customers" + sfx, lang, share=fmt_pct(par.get("top_20pct_customers_share"), lang)))
        fig = go.Figure()
        for key, name in (("products_curve", "market.label.products"), ("customers_curve", "market.label.customers")):
            c = par.get(key) or []
            if c:
                fig.add_trace(go.Scatter(x=[0] + [r["items_share"] for r in c], y=[0] + [r["sales_share"] for r in c],
                                         mode="lines", name=t(name, lang)))
        fig.add_vline(x=0.2, line_dash="dot")
        fig.update_layout(xaxis_title=t("market.label.items_share", lang), yaxis_title=t("market.label.sales_share", lang))
        charts.finish(fig, lang, title, x="percent", y="percent")
        figs.append({"key": "pareto", "title": title, "figure": fig})
    seas = result.get("seasonality") or {}
    # (figure key and chart title, seasonality field, its unit = label namespace, the title's placeholder)
    for key, field, unit, arg in (("weekday", "day_of_week", "weekday", "day"), ("month", "month_of_year", "month", "month")):
        d = [r for r in seas.get(field) or [] if r["index"] is not None]
        if not d:
            continue
        top = max(d, key=lambda r: r["index"])
        title = t(f"market.chart.{key}", lang, **{arg: t(f"market.{unit}.{top[unit]}", lang)}, index=f"{top['index']:.0f}")
        fig = go.Figure(go.Bar(x=[t(f"market.{unit}.{r[unit]}", lang) for r in d], y=[r["index"] for r in d]))
        fig.add_hline(y=100, line_dash="dot")
        fig.update_layout(yaxis_title=t("market.label.index", lang))
        charts.finish(fig, lang, title, y="index")
        figs.append({"key": key, "title": title, "figure": fig})
    grow = result.get("grow") or {}
    if grow.get("buyers_effect") is not None:
        parts = [r for r in grow["rows"] if r["component"] in ("penetration", "frequency", "price")]
        x = [t(f"market.label.period_{grow.get('compare', 'prev')}", lang)] + [r["label"] for r in parts] + \
            [t("market.label.period_current", lang)]
        y = [grow["base"]["sales"]] + [r["value"] for r in parts] + [grow["current"]["sales"]]
        fig = go.Figure(go.Waterfall(x=x, y=y, measure=["absolute"] + ["relative"] * len(parts) + ["total"],
                                     textposition="outside"))
        charts.data_labels(fig.data[0], "money", lang)
        fig.update_layout(xaxis_type="category", yaxis_title=t("market.chart.grow_axis", lang), showlegend=False)
        charts.finish(fig, lang, grow.get("finding") or grow.get("title"), y="money")
        figs.append({"key": "grow", "title": grow.get("finding") or grow.get("title"), "figure": fig})
    ms = result.get("market_share")
    if ms and ms.get("trend"):
        tr = ms["trend"]
        ch = ms.get("share_change")
        title = t("market.chart.share" + ("" if ch is None else "_up" if ch >= 0 else "_down"), lang,
                  share=fmt_pct(ms["latest"]["share"], lang, 2), period=month_label(ms["latest"]["period"], lang),
                  pp=fmt_number(abs(ch or 0) * 100, lang, 2))
        fig = go.Figure(go.Scatter(x=[r["period"] for r in tr], y=[r["share"] for r in tr], mode="lines+markers",
                                   name=t("market.label.share", lang)))
        charts.finish(fig, lang, title, y="percent")
        figs.append({"key": "market_share", "title": title, "figure": fig})
    return figs


def promo_label(w: dict, row: int | None, lang: str) -> dict:
    """A promotion window's label in its row at the top of the plot (:func:`analytics.charts.label_rows`); a
    window without a row gets a dot at the bottom whose hover names it.

    Parameters
    ----------
    w : dict
        The window: ``label``, ``start``, ``end``.
    row : int | None
        Its row from :func:`analytics.charts.label_rows` (None: no row).
    lang : str
        Interface language of the dates in the hover, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        A plotly annotation (``fig.update_layout(annotations=[...])``): the label at the top of the plot in
        its row, or a dot at the bottom; both hover the label and the window's dates.
    """
    tip = f"{w['label']}: {fmt_date(w['start'], lang)} – {fmt_date(w['end'], lang)}"
    if row is None:
        return dict(x=w["start"], y=0, xref="x", yref="y domain", text="•", showarrow=False, xanchor="left",
                    yanchor="bottom", hovertext=tip, font=dict(size=11, color="#6c757d"))
    return dict(x=w["start"], y=1 - 0.07 * row, xref="x", yref="y domain", text=w["label"], showarrow=False,
                xanchor="left", yanchor="top", font=dict(size=9), hovertext=tip)
