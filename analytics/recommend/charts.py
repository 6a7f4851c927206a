"""The page's figures, from the presented result; each title states the finding."""

from __future__ import annotations

from analytics import charts
from analytics.i18n import fmt_number, fmt_pct, t


def figures(result: dict, lang: str = "en") -> list[dict]:
    """Model comparison (precision@k and coverage, baseline grey, chosen red), the products shown most
    often, and the cold-start fallbacks: [{"key", "title", "figure"}, ...].

    Parameters
    ----------
    result : dict
        The page result of :func:`analytics.recommend.present` (``models``, ``k``, ``chosen_model``,
        ``personalisation``, ``top_products``, ``cold_start``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title`` and a plotly ``figure``; a figure is left out when its data is
        missing.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    out: list[dict] = []
    models = result.get("models") or []
    if models:
        k = result["k"]
        chosen = result["chosen_model"]
        base = next(m for m in models if m["name"] == "popular")
        pers = result["personalisation"].get("model") or chosen
        best = next(m for m in models if m["name"] == pers)
        if pers != "popular" and result["personalisation"]["earns_its_keep"]:
            title = t("recommend.chart.models_earns", lang, model=t(f"recommend.model.{pers}", lang), k=k,
                      x=f"{best['precision_at_k'] / base['precision_at_k']:.1f}" if base["precision_at_k"] > 0 else "∞",
                      p=fmt_pct(best["precision_at_k"], lang), base=fmt_pct(base["precision_at_k"], lang),
                      cov=fmt_pct(best["coverage"], lang), bcov=fmt_pct(base["coverage"], lang))
        else:
            title = t("recommend.chart.models_not", lang, k=k, base=fmt_pct(base["precision_at_k"], lang))
        fig = make_subplots(rows=1, cols=2, subplot_titles=(t("recommend.label.precision_at_k", lang, k=k),
                                                            t("recommend.label.coverage", lang)))
        labels = [t(f"recommend.model.{m['name']}", lang) for m in models]
        colors = ["#9e9e9e" if m["is_baseline"] else ("#d62728" if m["name"] == chosen else "#1f77b4") for m in models]
        err = [(m["precision_ci_high"] or m["precision_at_k"]) - m["precision_at_k"] for m in models]
        fig.add_trace(go.Bar(x=labels, y=[m["precision_at_k"] for m in models], marker_color=colors,
                             error_y={"type": "data", "array": err}, text=[fmt_pct(m["precision_at_k"], lang) for m in models],
                             name=t("recommend.label.precision_at_k", lang, k=k), showlegend=False), row=1, col=1)
        fig.add_trace(go.Bar(x=labels, y=[m["coverage"] for m in models], marker_color=colors,
                             text=[fmt_pct(m["coverage"], lang) for m in models],
                             name=t("recommend.label.coverage", lang), showlegend=False), row=1, col=2)
        fig.add_hline(y=base["precision_at_k"], line_dash="dot", line_color="#616161", row=1, col=1,
                      annotation_text=t("recommend.label.baseline", lang))
        fig.update_layout(height=380, margin={"t": 80})
        charts.finish(fig, lang, title, y="percent", y2="percent")
        out.append({"key": "models", "title": title, "figure": fig})
    top = result.get("top_products") or []
    if top:
        first = top[0]
        name = first.get("product_name") or first["product_id"]
        title = t("recommend.chart.top_products", lang, name=name, share=fmt_pct(first["share_lists"], lang))
        lab = [(p.get("product_name") or p["product_id"])[:40] for p in top][::-1]
        fig = go.Figure(go.Bar(y=lab, x=[p["n_lists"] for p in top][::-1], orientation="h",
                               marker_color="#1f77b4"))
        fig.update_layout(height=max(300, 24 * len(top) + 120), yaxis_type="category",
                          xaxis_title=t("recommend.label.n_lists", lang))
        charts.finish(fig, lang, title, x="count")
        out.append({"key": "top_products", "title": title, "figure": fig})
    cold = (result.get("cold_start") or {}).get("models") or []
    if cold:
        ca = {m["name"]: m for m in cold}
        title = t("recommend.chart.cold", lang, n=fmt_number(result["cold_start"]["n_users"], lang), k=result["k"],
                  p=fmt_pct(max(m["precision_at_k"] for m in cold), lang))
        fig = go.Figure(go.Bar(x=[t(f"recommend.model.cold_{m}", lang) for m in ca],
                               y=[ca[m]["precision_at_k"] for m in ca], marker_color=["#1f77b4", "#9e9e9e"][:len(ca)]))
        fig.update_layout(height=320, yaxis_title=t("recommend.label.precision_at_k", lang, k=result["k"]))
        charts.finish(fig, lang, title, y="percent")
        out.append({"key": "cold_start", "title": title, "figure": fig})
    return out

