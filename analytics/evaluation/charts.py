"""Figures of the post-campaign evaluation (plotly), each titled with its finding, from the presented dict."""

from __future__ import annotations

import pandas as pd

from analytics import charts
from analytics.i18n import fmt_list, fmt_number, fmt_pct, t

from .base import NS, RATE_OUTCOMES, SEGMENT_OUTCOMES, _pfmt, attr_name, attr_value, series_name


def _title_lift(result: dict, lang: str) -> str:
    memo = result.get("memo") or {}
    arm, o = memo.get("arm"), memo.get("outcome")
    a = next((x for x in result.get("arms") or [] if x["group"] == arm), None)
    if not a or o not in a["outcomes"]:
        return t(f"{NS}.chart.lift", lang)
    r = a["outcomes"][o]
    key = "lift_sig" if r["significant"] else "lift_ns"
    return t(f"{NS}.chart.{key}", lang, arm=arm, control=result["control"], outcome=t(f"{NS}.outcome.{o}", lang),
             rel=fmt_pct(r["lift_rel"], lang, 1, signed=True), p=_pfmt(r["p_value_adjusted"]))


def figures(result: dict, lang: str = "en") -> list[dict]:
    """The evaluation page's figures: relative lift per arm and outcome, the segment lifts, the Qini curve, the
    counterfactual, NPS or ratings, and the most used words; each titled with what it shows.

    Parameters
    ----------
    result : dict
        The page result of :func:`analytics.evaluation.present`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts with ``key``, ``title``, ``figure``; a chart without data is left out.
    """
    import plotly.graph_objects as go

    figs: list[dict] = []
    arms = result.get("arms") or []
    if arms:
        ys, xs, lo, hi, col = [], [], [], [], []
        for a in arms:
            for o, r in a["outcomes"].items():
                if r["lift_rel"] is None:
                    continue
                ys.append(f"{a['group']} · {t(f'{NS}.outcome.{o}', lang)}")
                xs.append(r["lift_rel"])
                lo.append((r["lift_rel"] - r["lift_rel_ci_low"]) if r["lift_rel_ci_low"] is not None else None)
                hi.append((r["lift_rel_ci_high"] - r["lift_rel"]) if r["lift_rel_ci_high"] is not None else None)
                col.append("#1a7f37" if r["significant"] and r["lift_abs"] > 0 else
                           "#cf222e" if r["significant"] else "#8c959f")
        fig = go.Figure(go.Scatter(x=xs, y=ys, mode="markers", marker={"color": col, "size": 10},
                                   error_x={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo}))
        fig.add_vline(x=0, line_dash="dot")
        fig.update_layout(xaxis_title=t(f"{NS}.chart.lift_axis", lang), yaxis={"autorange": "reversed"},
                          margin={"l": 10, "r": 10, "t": 30, "b": 10}, height=150 + 40 * len(ys))
        charts.finish(fig, lang, _title_lift(result, lang), x="percent")
        figs.append({"key": "lift", "title": _title_lift(result, lang), "figure": fig})
    seg = result.get("segments") or {}
    memo = result.get("memo") or {}
    if seg.get("rows"):
        flagged_all = [h for h in seg.get("heterogeneity", []) if h.get("flagged")]
        if flagged_all:  # show where the lift really differs
            h0 = min(flagged_all, key=lambda h: h["p_value"])
            o, arm = h0["outcome"], h0["group"]
        else:
            o = memo.get("outcome") if memo.get("outcome") in SEGMENT_OUTCOMES else seg["rows"][0]["outcome"]
            arm = memo.get("arm") if memo.get("arm") in {r["group"] for r in seg["rows"]} else seg["rows"][0]["group"]
        rows = [r for r in seg["rows"] if r["outcome"] == o and r["group"] == arm]
        if rows:
            names = [attr_value(r["attribute"], r["segment"], lang) for r in rows]  # 会员等级：黑金
            scale = 100 if o in RATE_OUTCOMES else 1
            kind = "number" if scale == 100 else "money"  # percentage points, or revenue per unit
            fig = go.Figure(go.Scatter(
                x=[r["lift_abs"] * scale for r in rows], y=names,
                mode="markers", marker={"size": 9},
                error_x={"type": "data", "symmetric": False,
                         "array": [(r["ci_high"] - r["lift_abs"]) * scale if r["ci_high"] is not None else None
                                   for r in rows],
                         "arrayminus": [(r["lift_abs"] - r["ci_low"]) * scale if r["ci_low"] is not None else None
                                        for r in rows]},
                hovertext=[f"{name}: {charts.value_text(r['lift_abs'] * scale, kind, lang)} "
                           f"(n={r['n']} / {r['control_n']})" for name, r in zip(names, rows)], hoverinfo="text"))
            fig.add_vline(x=0, line_dash="dot")
            fig.update_layout(xaxis_title=t(f"{NS}.chart.segment_axis_{'pp' if scale == 100 else 'abs'}", lang,
                                            outcome=t(f"{NS}.outcome.{o}", lang)),
                              yaxis={"autorange": "reversed"}, height=150 + 24 * len(rows),
                              margin={"l": 10, "r": 10, "t": 30, "b": 10})
            flagged = [h for h in seg.get("heterogeneity", []) if h.get("flagged") and h["outcome"] == o
                       and h["group"] == arm]
            title = (t(f"{NS}.chart.segments_flag", lang,
                       attribute=fmt_list((attr_name(h["attribute"], lang, True) for h in flagged[:3]), lang),
                       outcome=t(f"{NS}.outcome.{o}", lang), arm=arm)
                     if flagged else t(f"{NS}.chart.segments_none", lang, outcome=t(f"{NS}.outcome.{o}", lang),
                                       arm=arm))
            charts.finish(fig, lang, title, x=kind)
            figs.append({"key": "segments", "title": title, "figure": fig})
    up = result.get("uplift") or {}
    if up.get("status") == "ok":
        c = up["curve"]
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=[r["share"] for r in c], y=[r["qini"] for r in c], mode="lines",
                                 name=t(f"{NS}.chart.qini_model", lang)))
        fig.add_trace(go.Scatter(x=[r["share"] for r in c], y=[r["random"] for r in c], mode="lines",
                                 line={"dash": "dash"}, name=t(f"{NS}.chart.qini_random", lang)))
        fig.update_layout(xaxis_title=t(f"{NS}.chart.qini_x", lang), yaxis_title=t(f"{NS}.chart.qini_y", lang),
                          margin={"l": 10, "r": 10, "t": 30, "b": 10})
        key = "qini_good" if up["qini_auc"] > 0.05 else "qini_weak"
        title = t(f"{NS}.chart.{key}", lang, q=f"{up['qini_auc']:.3f}", arm=up["arm"])
        charts.finish(fig, lang, title, x="percent", y="number")
        figs.append({"key": "qini", "title": title, "figure": fig})
    cf = result.get("counterfactual") or {}
    if cf.get("status") == "ok":
        s = cf["series"]
        d = [r["date"] for r in s]
        fig = go.Figure()
        post = [r for r in s if r["campaign"]]
        fig.add_trace(go.Scatter(x=[r["date"] for r in post] + [r["date"] for r in post][::-1],
                                 y=[r["upper"] for r in post] + [r["lower"] for r in post][::-1], fill="toself", mode="lines",
                                 line={"width": 0}, fillcolor="rgba(100,120,200,0.2)",
                                 name=t(f"{NS}.chart.cf_band", lang), hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=d, y=[r["predicted"] for r in s], mode="lines", line={"dash": "dash"},
                                 name=t(f"{NS}.chart.cf_predicted", lang)))
        fig.add_trace(go.Scatter(x=d, y=[r["actual"] for r in s], mode="lines", name=t(f"{NS}.chart.cf_actual", lang)))
        fig.add_vline(x=pd.Timestamp(cf["start"]).timestamp() * 1000, line_dash="dot")
        fig.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10})
        key = "cf_sig" if cf["significant"] else "cf_ns"
        title = t(f"{NS}.chart.{key}", lang, treated=series_name(cf.get("by"), cf["treated"], lang),
                  effect=fmt_number(cf["effect"], lang),
                  lo=fmt_number(cf["ci_low"], lang), hi=fmt_number(cf["ci_high"], lang),
                  metric=t(f"{NS}.cf.metric.{cf['metric']}", lang))
        charts.finish(fig, lang, title, y="money" if cf["metric"] == "revenue" else "count")
        figs.append({"key": "counterfactual", "figure": fig, "title": title})
    fb = result.get("feedback") or {}
    if fb.get("nps_distribution") or fb.get("ratings"):
        if fb.get("nps_distribution"):
            rows = fb["nps_distribution"]
            xs = [r["score"] for r in rows]
            colors = ["#cf222e" if x <= 6 else "#bf8700" if x <= 8 else "#1a7f37" for x in xs]
            s = fb["nps"]
            title = t(f"{NS}.chart.nps", lang, nps=f"{s['nps']:+.0f}", lo=f"{s['ci_low']:+.0f}",
                      hi=f"{s['ci_high']:+.0f}",
                      n=fmt_number(s["n"], lang))
        else:
            rows = fb["ratings"]
            xs = [r["rating"] for r in rows]
            colors = None
            rm = fb["rating_mean"]
            title = t(f"{NS}.chart.ratings", lang, mean=f"{rm['mean']:.2f}", n=fmt_number(rm["n"], lang))
        fig = go.Figure(go.Bar(x=xs, y=[r["count"] for r in rows], marker={"color": colors} if colors else None))
        fig.update_layout(xaxis_title=t(f"{NS}.chart.score_axis", lang), yaxis_title=t(f"{NS}.chart.count_axis", lang),
                          margin={"l": 10, "r": 10, "t": 30, "b": 10})
        charts.finish(fig, lang, title, y="count")
        figs.append({"key": "nps", "title": title, "figure": fig})
    words = ((fb.get("terms") or {}).get("words")) or []
    if words:
        top = words[:15]
        fig = go.Figure(go.Bar(x=[w["count"] for w in top], y=[w["term"] for w in top], orientation="h"))
        fig.update_layout(yaxis={"autorange": "reversed"}, xaxis_title=t(f"{NS}.chart.comments_axis", lang),
                          margin={"l": 10, "r": 10, "t": 30, "b": 10}, height=150 + 22 * len(top))
        title = t(f"{NS}.chart.words", lang, term=top[0]["term"], share=fmt_pct(top[0]["share"], lang, 0))
        charts.finish(fig, lang, title, x="count")
        figs.append({"key": "words", "figure": fig, "title": title})
    return figs


def ratings_figure(result: dict, lang: str = "en") -> dict | None:
    """The rating distribution as its own chart (``figures`` shows it only when there is no NPS).

    Parameters
    ----------
    result : dict
        The page result.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict | None
        A figure dict (``key`` "ratings", ``title``, ``figure``), or None without ratings.
    """
    import plotly.graph_objects as go

    fb = result.get("feedback") or {}
    rows, rm = fb.get("ratings"), fb.get("rating_mean")
    if not rows or not rm:
        return None
    fig = go.Figure(go.Bar(x=[r["rating"] for r in rows], y=[r["count"] for r in rows],
                           hovertext=[f"{r['rating']}: {fmt_number(r['count'], lang)} ({fmt_pct(r['share'], lang)})"
                                      for r in rows], hoverinfo="text"))
    fig.update_layout(xaxis_title=t(f"{NS}.chart.score_axis", lang), yaxis_title=t(f"{NS}.chart.count_axis", lang),
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    title = t(f"{NS}.chart.ratings", lang, mean=f"{rm['mean']:.2f}", n=fmt_number(rm["n"], lang))
    charts.finish(fig, lang, title, y="count")
    return {"key": "ratings", "figure": fig, "title": title}
