"""Charts of the segmentation explorer, from the presented page dict; each title states the finding."""

from __future__ import annotations

import numpy as np

from analytics import charts
from analytics.i18n import fmt_date, fmt_money, fmt_pct, t

from .base import group_label
from .tiers import tier_name


def figures(result: dict, lang: str = "en") -> list[dict]:
    """The figures of the order-lines mode: the RFM groups (treemap and shares), and the charts of the result's
    other blocks, each titled with what it shows.

    Parameters
    ----------
    result : dict
        The page result of :func:`analytics.segmentation.present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title`` and ``figure``; a chart without data is left out.
    """
    from .stages import figures as audience_figures

    figs: list[dict] = []
    for part in (_group_figures, _transition_figures, _cluster_figures, _tier_figures, _cohort_figures,
                 _clv_figures):
        figs += part(result, lang)
    return figs + audience_figures(result.get("audience"), lang)


def _group_figures(result: dict, lang: str) -> list[dict]:
    """The RFM groups: a treemap of their customers coloured by net sales share (``groups``) and their
    customer and net sales shares side by side (``groups_bar``).

    Parameters
    ----------
    result : dict
        The page result of :func:`analytics.segmentation.present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title`` and ``figure``; empty without ``rfm_groups``.
    """
    import plotly.graph_objects as go

    figs: list[dict] = []
    groups = [dict(g, label=group_label(g["group"], lang)) for g in (result.get("rfm_groups") or [])]
    if groups:
        top = max(groups, key=lambda g: g["net_sales_share"] or 0)
        title = t("segmentation.chart.groups", lang, group=top["label"], value=fmt_pct(top["net_sales_share"], lang),
                  cust=fmt_pct(top["share"], lang))
        fig = go.Figure(go.Treemap(
            labels=[g["label"] for g in groups], parents=[""] * len(groups),
            values=[g["customers"] for g in groups],
            marker=dict(colors=[g["net_sales_share"] or 0 for g in groups], colorscale="Blues", showscale=True,
                        colorbar=dict(title=t("segmentation.label.net_sales_share", lang))),
            customdata=[[fmt_pct(g["share"], lang), fmt_pct(g["net_sales_share"], lang)] for g in groups],
            texttemplate="%{label}<br>%{customdata[0]} / %{customdata[1]}"))
        fig.update_layout(margin=dict(t=60, l=10, r=10, b=10))
        fig.data[0].marker.colorbar.update(tickformat=".0%")
        charts.finish(fig, lang, title)
        figs.append({"key": "groups", "title": title, "figure": fig})
        bar = go.Figure([
            go.Bar(name=t("segmentation.label.customer_share", lang), x=[g["label"] for g in groups],
                   y=[g["share"] for g in groups]),
            go.Bar(name=t("segmentation.label.net_sales_share", lang), x=[g["label"] for g in groups],
                   y=[g["net_sales_share"] for g in groups])])
        gap = max(groups, key=lambda g: (g["net_sales_share"] or 0) - (g["share"] or 0))
        btitle = t("segmentation.chart.groups_bar", lang, group=gap["label"],
                   ratio=f"{(gap['net_sales_share'] or 0) / gap['share']:.1f}" if gap["share"] else "—")
        bar.update_layout(barmode="group", legend={"orientation": "h", "y": -0.2})
        charts.finish(bar, lang, btitle, y="percent")
        figs.append({"key": "groups_bar", "title": btitle, "figure": bar})
    return figs


def _transition_figures(result: dict, lang: str) -> list[dict]:
    """The moves between RFM groups over the comparison window as a heatmap (``transitions``).

    Parameters
    ----------
    result : dict
        The page result of :func:`analytics.segmentation.present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title`` and ``figure``; empty without a ``transitions`` matrix.
    """
    import plotly.graph_objects as go

    figs: list[dict] = []
    tr = result.get("transitions")
    if tr and tr.get("matrix"):
        labels = {x: (t("segmentation.label.new_since", lang) if x == "_new" else group_label(x, lang))
                  for x in tr["rows"] + tr["columns"]}
        stayed = tr.get("stayed_share")
        title = t("segmentation.chart.transitions", lang, pct=fmt_pct(stayed or 0, lang), days=tr["compare_days"])
        fig = go.Figure(go.Heatmap(z=tr["matrix"], x=[labels[c] for c in tr["columns"]],
                                   y=[labels[r] for r in tr["rows"]], colorscale="Blues", texttemplate="%{z}"))
        fig.update_layout(xaxis_title=t("segmentation.chart.group_on", lang, date=fmt_date(tr["to_date"], lang)),
                          yaxis_title=t("segmentation.chart.group_on", lang, date=fmt_date(tr["from_date"], lang)))
        charts.finish(fig, lang, title)
        figs.append({"key": "transitions", "title": title, "figure": fig})
    return figs


def _cluster_figures(result: dict, lang: str) -> list[dict]:
    """The customers' clusters on the first two principal components (``clusters``).

    Parameters
    ----------
    result : dict
        The page result of :func:`analytics.segmentation.present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title`` and ``figure``; empty without cluster ``profiles``.
    """
    import plotly.graph_objects as go

    figs: list[dict] = []
    cl = result.get("clusters") or {}
    if cl.get("profiles"):
        pts = cl["pca"]["points"]
        top = cl["profiles"][0]
        title = t("segmentation.chart.clusters", lang, k=cl["k"], share=fmt_pct(top["share"], lang),
                  value=fmt_pct(top["net_sales_share"], lang))
        fig = go.Figure()
        for c in range(1, cl["k"] + 1):
            sub = [q for q in pts if q["cluster"] == c]
            fig.add_trace(go.Scattergl(x=[q["x"] for q in sub], y=[q["y"] for q in sub], mode="markers",
                                       name=t("segmentation.label.cluster", lang, n=c), marker=dict(size=5, opacity=0.6)))
        ev = cl["pca"]["explained"]
        fig.update_layout(xaxis_title=f"PC1 ({fmt_pct(ev[0], lang)})", yaxis_title=f"PC2 ({fmt_pct(ev[1], lang)})")
        charts.finish(fig, lang, title, x="number", y="number")
        figs.append({"key": "clusters", "title": title, "figure": fig})
    return figs


def _tier_figures(result: dict, lang: str) -> list[dict]:
    """Customers per loyalty tier, now and under the proposed thresholds when there are any (``tiers``).

    Parameters
    ----------
    result : dict
        The page result of :func:`analytics.segmentation.present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title`` and ``figure``; empty without current ``tiers``.
    """
    import plotly.graph_objects as go

    figs: list[dict] = []
    tiers = result.get("tiers") or {}
    if tiers.get("current"):
        names = [tier_name(r["tier"], len(tiers["current"]), lang) for r in tiers["current"]]
        fig = go.Figure([go.Bar(name=t("segmentation.label.current", lang), x=names,
                                y=[r["customers"] for r in tiers["current"]])])
        if tiers.get("proposed"):
            fig.add_trace(go.Bar(name=t("segmentation.label.proposed", lang), x=names,
                                 y=[r["customers"] for r in tiers["proposed"]]))
            title = t("segmentation.chart.tiers_whatif", lang, up=tiers["moved_up"], down=tiers["moved_down"],
                      delta=fmt_money(tiers["cost_delta"], lang))
        else:
            topt = tiers["current"][-1]
            title = t("segmentation.chart.tiers", lang, name=names[-1], share=fmt_pct(topt["share"], lang))
        fig.update_layout(barmode="group", yaxis_title=t("segmentation.label.customers", lang))
        charts.finish(fig, lang, title, y="count")
        figs.append({"key": "tiers", "title": title, "figure": fig})
    return figs


def _cohort_figures(result: dict, lang: str) -> list[dict]:
    """The cohorts' retention (``cohorts``) and net sales (``cohort_revenue``) by months since their first
    purchase, as heatmaps.

    Parameters
    ----------
    result : dict
        The page result of :func:`analytics.segmentation.present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title`` and ``figure``; empty without cohort ``retention``.
    """
    import plotly.graph_objects as go

    figs: list[dict] = []
    coh = result.get("cohorts") or {}
    if coh.get("retention"):
        m1 = [r[1] for r in coh["retention"] if len(r) > 1 and r[1] is not None]
        title = t("segmentation.chart.cohorts", lang, pct=fmt_pct(float(np.mean(m1)) if m1 else 0, lang))
        fig = go.Figure(go.Heatmap(z=coh["retention"], x=coh["months"], y=coh["cohorts"], colorscale="Blues",
                                   zmin=0, zmax=max(0.01, max((v for r in coh["retention"] for v in r[1:] if v is not None),
                                                              default=1)),
                                   colorbar=dict(tickformat=".0%"),
                                   hovertemplate="%{y} +%{x}: %{z:.1%}<extra></extra>"))
        fig.update_layout(xaxis_title=t("segmentation.label.months_since", lang),
                          yaxis_title=t("segmentation.label.cohort", lang), yaxis_autorange="reversed")
        charts.finish(fig, lang, title)
        figs.append({"key": "cohorts", "title": title, "figure": fig})
        figr = go.Figure(go.Heatmap(z=coh["revenue"], x=coh["months"], y=coh["cohorts"], colorscale="Greens"))
        best = int(np.nanargmax([sum(v for v in r if v is not None) for r in coh["revenue"]]))
        rtitle = t("segmentation.chart.cohort_revenue", lang, cohort=coh["cohorts"][best])
        figr.update_layout(xaxis_title=t("segmentation.label.months_since", lang),
                           yaxis_title=t("segmentation.label.cohort", lang), yaxis_autorange="reversed")
        charts.colorbar(figr.data[0], "money", lang)
        charts.finish(figr, lang, rtitle)
        figs.append({"key": "cohort_revenue", "title": rtitle, "figure": figr})
    return figs


def _clv_figures(result: dict, lang: str) -> list[dict]:
    """The customers' CLV over the horizon as a histogram on a log count axis (``clv``).

    Parameters
    ----------
    result : dict
        The page result of :func:`analytics.segmentation.present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title`` and ``figure``; empty without a CLV histogram.
    """
    import plotly.graph_objects as go

    figs: list[dict] = []
    cv = result.get("clv") or {}
    if cv.get("histogram") and cv["histogram"]["counts"]:
        e = cv["histogram"]["edges"]
        mids = [(a + b) / 2 for a, b in zip(e[:-1], e[1:])]
        title = t("segmentation.chart.clv", lang, top=fmt_pct(cv.get("top10_share") or 0, lang), h=cv["horizon"])
        fig = go.Figure(go.Bar(x=mids, y=cv["histogram"]["counts"]))
        fig.update_layout(xaxis_title=t("segmentation.label.clv", lang),
                          yaxis_title=t("segmentation.label.customers", lang), yaxis_type="log")
        charts.finish(fig, lang, title, x="money", y="count")
        figs.append({"key": "clv", "title": title, "figure": fig})
    return figs
