"""Competitor tracking's figures from the page's result."""

from __future__ import annotations

from analytics import charts
from analytics.i18n import fmt_date, fmt_money, fmt_number, fmt_pct, t

from .base import MAX_SERIES_CHART


def _trend_lines(rows: list[dict], names: list[str]) -> list[dict]:
    """One line (period -> value) per competitor of ``names``, from a trend's rows, as charts.figure traces."""
    out = []
    for name in names:
        mine = [r for r in rows if r["competitor"] == name]
        out.append(dict(x=[r["period"] for r in mine], y=[r["value"] for r in mine], mode="lines+markers", name=name))
    return out


def figures(result: dict, lang: str = "en") -> list[dict]:
    """The competitor page's figures: the price index per key, the price moves over time and the other blocks of
    the result, each titled with what it shows.

    Parameters
    ----------
    result : dict
        The page result of :func:`analytics.competitors.present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title`` and ``figure``; a chart without data is left out.
    """
    import plotly.graph_objects as go

    figs: list[dict] = []
    pi = result.get("price_index") or []
    if pi:
        last = max(r["period"] for r in pi)
        latest = [r for r in pi if r["period"] == last]
        idx = sum(r["index"] for r in latest) / len(latest)
        key = "competitors.chart.index_below" if idx < 100 else "competitors.chart.index_above"
        title = t(key, lang, pct=fmt_pct(abs(idx / 100 - 1), lang, 0), idx=f"{idx:.0f}")
        keys = []
        for s in result.get("price_index_summary") or []:
            keys.append(s["key"])
        traces = []
        for k in keys[:MAX_SERIES_CHART]:
            rows = [r for r in pi if r["key"] == k]
            traces.append(dict(x=[r["period"] for r in rows], y=[r["index"] for r in rows], mode="lines+markers",
                               name=k if k != "all" else t("competitors.label.all", lang)))
        fig = charts.figure(traces)  # the traces' data without plotly's validation (same figure)
        fig.add_hline(y=100, line_dash="dot", annotation_text=t("competitors.label.par", lang))
        fig.update_layout(yaxis_title=t("competitors.label.index", lang))
        charts.finish(fig, lang, title, y="index")
        figs.append({"key": "price_index", "title": title, "figure": fig})
    tl = result.get("price_timeline") or []
    events = result.get("events") or []
    if tl:
        if events:
            big = max(events, key=lambda e: abs(e["change_pct"]))
            title = t("competitors.chart.events", lang, n=len(events), thr=fmt_pct(result.get("threshold"), lang, 0),
                      comp=big["competitor"], pct=fmt_pct(big["change_pct"], lang, 0, signed=True),
                      product=big["product"] or "—")
        else:
            title = t("competitors.chart.no_events", lang, thr=fmt_pct(result.get("threshold"), lang, 0))
        series = sorted({(r["competitor"], r["product"]) for r in tl}, key=lambda s: (s[0], s[1] or ""))
        traces = []
        for comp, prod in series:
            rows = [r for r in tl if r["competitor"] == comp and r["product"] == prod]
            traces.append(dict(x=[r["date"] for r in rows], y=[r["price"] for r in rows], mode="lines",
                               name=f"{comp} · {prod}" if prod else comp))
        # promotion days as one wide, light line over each series (no marker per day)
        promo_x: list = []
        promo_y: list = []
        for comp, prod in series:
            rows = [r for r in tl if r["competitor"] == comp and r["product"] == prod]
            for prev, r in zip([None] + rows[:-1], rows):
                if r.get("promo"):
                    if prev is None or not prev.get("promo"):
                        promo_x.append(None)
                        promo_y.append(None)
                    promo_x.append(r["date"])
                    promo_y.append(r["price"])
        if promo_x:
            traces.append(dict(x=promo_x, y=promo_y, mode="lines", connectgaps=False, hoverinfo="skip",
                               line=dict(width=9, color="rgba(127,127,127,0.3)"),
                               name=t("competitors.label.on_promo", lang)))
        fig = charts.figure(traces)
        if events:
            add_moves(fig, events, lang)
        fig.update_layout(yaxis_title=t("competitors.label.price", lang))
        charts.finish(fig, lang, title, y="money")
        figs.append({"key": "price_timeline", "title": title, "figure": fig})
    tr = (result.get("trends") or {}).get("discount")
    comps = [c for c in (result.get("competitors") or []) if c.get("avg_discount") is not None]
    if tr and comps:
        c = max(comps, key=lambda r: r["avg_discount"])
        title = t("competitors.chart.discount", lang, comp=c["competitor"], disc=fmt_pct(c["avg_discount"], lang, 0))
        fig = charts.figure(_trend_lines(tr, sorted({r["competitor"] for r in tr})))
        fig.update_layout(yaxis_title=t("competitors.label.discount", lang))
        charts.finish(fig, lang, title, y="percent")
        figs.append({"key": "discount", "title": title, "figure": fig})
    for metric in ("share", "rating", "followers", "reviews"):
        tr = (result.get("trends") or {}).get(metric)
        if not tr:
            continue
        last = {}
        for r in sorted(tr, key=lambda r: r["period"]):
            last[r["competitor"]] = r["value"]
        lead = max(last, key=last.get)
        val = fmt_pct(last[lead], lang, 1) if metric == "share" else (
            f"{last[lead]:.1f}" if metric == "rating" else fmt_number(last[lead], lang))
        title = t("competitors.chart.trend", lang, metric=t(f"competitors.label.{metric}", lang), comp=lead, value=val)
        fig = charts.figure(_trend_lines(tr, sorted(last)))
        fig.update_layout(yaxis_title=t(f"competitors.label.{metric}", lang))
        charts.finish(fig, lang, title, y={"share": "percent", "rating": "ratio"}.get(metric, "count"))
        figs.append({"key": f"trend_{metric}", "title": title, "figure": fig})
    ov = result.get("own_vs_competitors") or {}
    weeks = ov.get("weeks") or []
    if weeks:
        from plotly.subplots import make_subplots

        el = result.get("elasticity")
        cuts = sum(w["price_cuts"] for w in weeks)
        if el:
            title = t("competitors.chart.own_vs", lang, n=len(weeks), cuts=cuts, v=f"{el['value']:.2f}",
                      lo=f"{el['ci_low']:.2f}", hi=f"{el['ci_high']:.2f}")
        else:
            title = t("competitors.chart.own_vs_none", lang, n=len(weeks), cuts=cuts)
        vol_label = t(f"competitors.label.volume_{ov.get('measure') or 'quantity'}", lang)
        fig = make_subplots(specs=[[{"secondary_y": True}]])
        xs = [w["period"] for w in weeks]
        fig.add_trace(go.Bar(x=xs, y=[w["own_volume"] for w in weeks], name=vol_label, marker_color="#8ecae6"),
                      secondary_y=False)
        fig.add_trace(go.Scatter(x=xs, y=[w["competitor_price_level"] for w in weeks], mode="lines",
                                 name=t("competitors.label.price_level", lang), line=dict(color="#264653")),
                      secondary_y=True)
        # the weeks' price cuts and rises as markers sized by their number; over a long window, per month, so
        # the chart draws at most charts.MAX_MOVE_MARKERS of them
        monthly = 2 * len(weeks) > charts.MAX_MOVE_MARKERS
        for key, sym, color in (("price_cuts", "triangle-down", "#d62728"), ("price_rises", "triangle-up", "#2ca02c")):
            pts = move_counts(weeks, key, monthly)
            if pts:
                fig.add_trace(go.Scatter(
                    x=[p["period"] for p in pts], y=[p["level"] for p in pts], mode="markers",
                    marker=dict(symbol=sym, size=[min(7 + 2 * p["n"] ** 0.5 * 2, 24) for p in pts], color=color),
                    hovertext=[t(f"competitors.label.{key}_month_n" + ("_one" if p["n"] == 1 else ""), lang,
                                 n=fmt_number(p["n"], lang), period=period_text(p["period"], "month", lang))
                               if monthly else t(f"competitors.label.{key}_n" + ("_one" if p["n"] == 1 else ""), lang,
                                                 n=fmt_number(p["n"], lang)) for p in pts],
                    hoverinfo="text", name=t(f"competitors.label.{key}", lang)), secondary_y=True)
        fig.update_layout(hovermode="x unified")
        fig.update_yaxes(title_text=vol_label, secondary_y=False)
        fig.update_yaxes(title_text=t("competitors.label.price_level", lang), secondary_y=True)
        charts.finish(fig, lang, title, y="money" if ov.get("measure") == "net_sales" else "count", y2="index")
        figs.append({"key": "own_vs_competitors", "title": title, "figure": fig})
    el = result.get("elasticity")
    if el and el.get("points"):
        pts = el["points"]
        title = t("competitors.chart.elasticity", lang, v=f"{el['value']:.2f}", lo=f"{el['ci_low']:.2f}",
                  hi=f"{el['ci_high']:.2f}", n=el["n"])
        fig = charts.figure([dict(x=[p["competitor_price_level"] for p in pts], y=[p["volume"] for p in pts],
                                  mode="markers", text=[p["period"] for p in pts])])
        fig.update_layout(xaxis_type="log", yaxis_type="log",
                          xaxis_title=t("competitors.label.price_level", lang),
                          yaxis_title=t("competitors.label.volume", lang))
        charts.finish(fig, lang, title, x="index", y="count")
        figs.append({"key": "elasticity", "title": title, "figure": fig})
    return figs


def move_counts(weeks: list[dict], key: str, monthly: bool) -> list[dict]:
    """The weeks with moves of ``key`` (price_cuts / price_rises): period, number of moves and the price level
    to draw them at; ``monthly``: summed per month (first week of the month, mean level of its weeks).

    Parameters
    ----------
    weeks : list[dict]
        The weeks of own sales next to competitor moves, each with ``period``, ``price_cuts``, ``price_rises``
        and ``competitor_price_level`` (None: unknown).
    key : str
        ``"price_cuts"`` or ``"price_rises"``.
    monthly : bool
        Whether to sum the weeks per month.

    Returns
    -------
    list[dict]
        ``period``, ``n`` (moves) and ``level`` (the week's price level, or the mean of the month's known
        levels, None when none is known), for the weeks (months) with at least one move, in their order.
    """
    if not monthly:
        return [{"period": w["period"], "n": w[key], "level": w["competitor_price_level"]} for w in weeks if w[key]]
    out: dict[str, dict] = {}
    for w in weeks:
        if not w[key]:
            continue
        m = out.setdefault(str(w["period"])[:7], {"period": w["period"], "n": 0, "levels": []})
        m["n"] += w[key]
        if w["competitor_price_level"] is not None:
            m["levels"].append(w["competitor_price_level"])
    return [{"period": m["period"], "n": m["n"], "level": sum(m["levels"]) / len(m["levels"]) if m["levels"] else None}
            for m in out.values()]


def period_text(period: str, grain: str, lang: str) -> str:
    """A period of price moves in words: the week of its first day ("week of 2 Dec 2024" / "2024年12月2日这一
    周"), its month ("December 2024" / "2024年12月") or its quarter ("Q4 2024" / "2024年第4季度").

    Parameters
    ----------
    period : str
        The period's first day (ISO date).
    grain : str
        ``week``, ``month`` or ``quarter``.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The period.
    """
    from datetime import date

    d = date.fromisoformat(str(period)[:10])
    zh = str(lang).startswith("zh")
    if grain == "month":
        return t("competitors.label.when_month", lang, month=f"{d.year}年{d.month}月" if zh else d.strftime("%B %Y"))
    if grain == "quarter":
        return t("competitors.label.when_quarter", lang, q=(d.month - 1) // 3 + 1, year=d.year)
    return t("competitors.label.when_week", lang, date=fmt_date(d, lang))


def add_moves(fig, events: list[dict], lang: str) -> None:
    """The price moves as aggregates (:func:`analytics.charts.aggregate_moves`): one marker per week (or
    month) and competitor and direction, sized by the number of moves, at their median new price; the
    hover gives the count, the median change and the largest move. At most ``charts.MAX_MOVE_MARKERS``.

    Adds one marker trace for the cuts and one for the rises (when there are any) to ``fig``, in place.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure to add the markers to.
    events : list[dict]
        The price moves: ``date``, ``competitor``, ``change_pct``, ``price``, and for the hover
        ``reference_price`` and ``product``.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    """
    import plotly.graph_objects as go

    groups, grain = charts.aggregate_moves(events)
    for sign, sym, color, key in ((-1, "triangle-down", "#d62728", "move_cuts"), (1, "triangle-up", "#2ca02c", "move_rises")):
        g = [x for x in groups if x["direction"] == sign]
        if not g:
            continue
        hover = []
        for x in g:
            e = x["largest"]
            hover.append(t("competitors.label.move_hover", lang,
                           comp=x["competitor"] if x["competitor"] is not None else t("competitors.label.move_all", lang),
                           when=period_text(x["period"], grain, lang),
                           moves=t("competitors.label.moves" + ("_one" if x["n"] == 1 else ""), lang,
                                   n=fmt_number(x["n"], lang)),
                           median=fmt_pct(x["median_change"], lang, 0, signed=True),
                           pct=fmt_pct(e["change_pct"], lang, 0, signed=True), product=e.get("product") or "—",
                           old=fmt_money(e.get("reference_price"), lang), new=fmt_money(e.get("price"), lang)))
        fig.add_trace(go.Scatter(
            x=[x["period"] for x in g], y=[x["price"] for x in g], mode="markers",
            marker=dict(symbol=sym, color=color, size=[min(8 + 3 * x["n"] ** 0.5 * 2, 26) for x in g],
                        line=dict(width=0.5, color="white")),
            hovertext=hover, hoverinfo="text", name=t(f"competitors.label.{key}", lang)))
