"""The page's result in one language from a :class:`LiveFit` (:func:`present`): KPIs, tables, findings, next
steps and warnings of the live room, the creator deals and the content formats."""

from __future__ import annotations

import pandas as pd

from analytics.common import jsonable
from analytics.i18n import fmt_money, fmt_number, fmt_pct, t

from .base import FEW_BASELINE, FEW_SESSIONS, LIVE_KINDS, MIN_SESSIONS, _ratio
from .result import LiveFit


def _fmt_factor_level(fac: str, level: str, lang: str) -> str:
    if fac == "slot":
        return t(f"live.slot.{level}", lang)
    if fac == "weekday":
        return t(f"live.weekday.{level}", lang)
    if level == "__other__":
        return t("live.label.other_hosts", lang)
    return level


def _fmt_numeric(fac: str, x, lang: str) -> str:
    if x is None:
        return "—"
    if fac == "spend":
        return fmt_money(x, lang)
    if fac == "duration":
        return t("live.unit.minutes", lang, n=fmt_number(x, lang, 0))
    return fmt_number(x, lang, 1)


def format_label(code: str, lang: str) -> str:
    """A content format's label in ``lang`` (the code itself when it has none).

    Parameters
    ----------
    code : str
        The format code.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The label.
    """
    key = f"live.format.{code}"
    text = t(key, lang)
    return code if text == key else text


def present(result: LiveFit, params: dict, lang: str = "en") -> dict:
    """The page's result in ``lang`` from a :class:`LiveFit` (no engine query).

    Parameters
    ----------
    result : LiveFit
        The fit.
    params : dict
        The page's parameters (``rank_by``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page's result; JSON-safe.
    """
    f = result
    findings: list[str] = []
    steps: list[str] = []
    warnings: list[str] = []
    missing = [k for k in LIVE_KINDS if not f.present.get(k)]
    out: dict = {"present": f.present, "missing": missing, "rank_by": params.get("rank_by") or "gmv", "grain": f.grain}
    tot = f.totals
    if f.present.get("live_sessions"):
        out["kpis"] = {k: tot.get(k) for k in ("gmv", "views", "unique_viewers", "gpm", "uv_value", "conversion", "aov",
                                               "roi")}
        out["kpi_intervals"] = {"conversion": [tot.get("conversion_ci_low"), tot.get("conversion_ci_high")]}
        out["session_totals"] = {k: tot.get(k) for k in ("sessions", "orders", "buyers", "spend", "followers_gained",
                                                          "duration", "peak_online", "avg_watch_time")}
        out["funnel"] = [{**r, "step_label": t(f"live.step.{r['step']}", lang)} for r in f.funnel]
        cols = ["rank", "session_id", "start_time", "host", "platform", "gmv", "views", "unique_viewers", "gpm", "uv_value",
                "conversion", "conversion_ci_low", "conversion_ci_high", "aov", "roi", "orders", "buyers", "spend",
                "duration", "products", "product_exposures", "product_clicks", "exposure_rate", "click_rate", "order_rate",
                "slot"]
        out["sessions"] = f.sessions[cols].to_dict(orient="records")
        out["hosts"] = f.hosts[["host", "sessions", "gmv", "views", "unique_viewers", "gpm", "uv_value", "conversion",
                                "conversion_ci_low", "conversion_ci_high", "roi", "spend"]].to_dict(orient="records")
        out["trends"] = f.trends.to_dict(orient="records")
        _session_text(f, lang, findings, steps, warnings)
        out["top_quarter"] = _top_quarter_rows(f.top_quarter, lang)
    if f.present.get("creators"):
        cdf = f.creators
        out["creators"] = cdf.to_dict(orient="records")
        out["creator_totals"] = {k: v for k, v in f.creator_totals.items() if k != "coverage"}
        if "kpis" not in out:
            ct = f.creator_totals
            out["kpis"] = {"gmv": ct["gmv"], "cost": ct["cost"], "roi": ct["roi"], "deals": ct["deals"]}
        _creator_text(f, params, lang, findings, steps, warnings)
    if f.present.get("content"):
        fm = f.formats.copy()
        fm["format_label"] = [format_label(c, lang) for c in fm["format"]]
        out["formats"] = fm.to_dict(orient="records")
        tc = f.top_content.copy()
        if len(tc):
            tc["format"] = [format_label(c, lang) for c in tc["format"]]
        out["top_content"] = tc.to_dict(orient="records")
        if "kpis" not in out:
            plays, eng = fm["plays"].sum(min_count=1), fm["engagements"].sum(min_count=1)
            out["kpis"] = {"plays": plays, "engagement_rate": _ratio(eng, plays), "gmv": fm["gmv"].sum(min_count=1),
                           "roi": _ratio(fm["gmv"].sum(min_count=1), fm["spend"].sum(min_count=1))}
        _content_text(fm, lang, findings, steps)
    for k in missing:
        warnings.append(t(f"live.missing.{k}", lang))
    out["findings"], out["next_steps"], out["warnings"] = findings, steps, warnings
    return jsonable(out)


def _session_text(f: LiveFit, lang: str, findings: list, steps: list, warnings: list) -> None:
    tot = f.totals
    findings.append(t("live.finding.room", lang, sessions=fmt_number(tot["sessions"], lang), gmv=fmt_money(tot["gmv"], lang),
                      gpm=fmt_money(tot["gpm"], lang), uv=fmt_money(tot["uv_value"], lang),
                      conv=fmt_pct(tot["conversion"], lang, 2), lo=fmt_pct(tot["conversion_ci_low"], lang, 2),
                      hi=fmt_pct(tot["conversion_ci_high"], lang, 2)))
    if tot.get("roi") is not None:
        findings.append(t("live.finding.roi", lang, roi=fmt_number(tot["roi"], lang, 2), spend=fmt_money(tot["spend"], lang)))
        steps.append(t("live.next.roi_low" if tot["roi"] < 1 else "live.next.roi_ok", lang, roi=fmt_number(tot["roi"], lang, 2)))
    rated = [r for r in f.funnel[1:] if r.get("rate") is not None]
    if rated:
        weak = min(rated, key=lambda r: r["rate"])
        idx = [r["step"] for r in f.funnel].index(weak["step"])
        prev = f.funnel[idx - 1]["step"]
        steps.append(t(f"live.next.leak.{weak['step']}", lang, rate=fmt_pct(weak["rate"], lang, 1),
                       step_from=t(f"live.step.{prev}", lang), step_to=t(f"live.step.{weak['step']}", lang)))
    h = f.hosts
    if len(h) >= 2 and tot.get("gpm") is not None:
        h3 = h.loc[(h["sessions"] >= 3) & h["gpm"].notna()]
        if len(h3) >= 2:
            best = h3.sort_values(["gpm", "host"], ascending=[False, True]).iloc[0]
            findings.append(t("live.finding.best_host", lang, host=best["host"], gpm=fmt_money(best["gpm"], lang),
                              avg=fmt_money(tot["gpm"], lang), n=int(best["sessions"])))
            steps.append(t("live.next.host", lang, host=best["host"], gpm=fmt_money(best["gpm"], lang),
                           avg=fmt_money(tot["gpm"], lang)))
    tq = f.top_quarter
    if tq.get("reason"):
        warnings.append(t("live.warning.few_sessions_tq", lang, n=tq["n"], min=MIN_SESSIONS))
        return
    if tq["n"] < FEW_SESSIONS:
        warnings.append(t("live.warning.rough_tq", lang, n=tq["n"]))
    metric = t(f"live.kpi.{tq['rank_by']}", lang)
    sig = []
    for fac in tq["factors"]:
        if fac["type"] == "categorical" and fac["p_value"] is not None and fac["p_value"] < 0.05:
            cand = [lv for lv in fac["levels"] if lv["sessions"] >= 5 and lv["level"] != "__other__"]
            if cand:
                best = max(cand, key=lambda lv: (lv["ci_low"], lv["share_top"]))
                sig.append((fac["p_value"], t("live.finding.tq_level", lang, factor=t(f"live.factor.{fac['factor']}", lang),
                            level=_fmt_factor_level(fac["factor"], best["level"], lang),
                            share=fmt_pct(best["share_top"], lang), lo=fmt_pct(best["ci_low"], lang),
                            hi=fmt_pct(best["ci_high"], lang), p=f"{fac['p_value']:.3g}", metric=metric),
                            ("level", fac["factor"], best)))
        elif fac["type"] == "numeric" and fac["p_value"] is not None and fac["p_value"] < 0.05:
            sig.append((fac["p_value"], t("live.finding.tq_numeric", lang, factor=t(f"live.factor.{fac['factor']}", lang),
                        top=_fmt_numeric(fac["factor"], fac["mean_top"], lang),
                        rest=_fmt_numeric(fac["factor"], fac["mean_rest"], lang),
                        lo=_fmt_numeric(fac["factor"], fac["ci_low"], lang),
                        hi=_fmt_numeric(fac["factor"], fac["ci_high"], lang), p=f"{fac['p_value']:.3g}", metric=metric),
                        ("numeric", fac["factor"], fac)))
    if sig:
        sig.sort(key=lambda x: x[0])
        findings.extend(s_[1] for s_ in sig[:3])
        kind, fac, obj = sig[0][2]
        if kind == "level":
            steps.append(t(f"live.next.tq_{fac}", lang, level=_fmt_factor_level(fac, obj["level"], lang),
                           share=fmt_pct(obj["share_top"], lang)))
        else:
            key = "more" if obj["diff"] > 0 else "less"
            name = t(f"live.factor.{fac}", lang)  # inside a sentence: "more minutes live", not "more Minutes live"
            steps.append(t(f"live.next.tq_numeric_{key}", lang,
                           factor=name[:1].lower() + name[1:] if lang == "en" else name,
                           top=_fmt_numeric(fac, obj["mean_top"], lang)))
    else:
        findings.append(t("live.finding.tq_none", lang, n=tq["n"], metric=metric))


def _top_quarter_rows(tq: dict, lang: str) -> list[dict]:
    rows = []
    for fac in tq.get("factors", []):
        name = t(f"live.factor.{fac['factor']}", lang)
        if fac["type"] == "categorical":
            for lv in fac["levels"]:
                rows.append({"factor": name, "level": _fmt_factor_level(fac["factor"], lv["level"], lang),
                             "sessions": lv["sessions"], "top_sessions": lv["top"], "share_top": lv["share_top"],
                             "ci_low": lv["ci_low"], "ci_high": lv["ci_high"], "p_value": fac["p_value"]})
        else:
            rows.append({"factor": name, "level": t("live.label.mean_top_rest", lang),
                         "sessions": fac["n_top"] + fac["n_rest"], "top_sessions": fac["n_top"],
                         "mean_top": fac["mean_top"], "mean_rest": fac["mean_rest"], "median_top": fac["median_top"],
                         "median_rest": fac["median_rest"], "diff": fac["diff"], "ci_low": fac["ci_low"],
                         "ci_high": fac["ci_high"], "p_value": fac["p_value"]})
    return rows


def _creator_text(f: LiveFit, params: dict, lang: str, findings: list, steps: list, warnings: list) -> None:
    cdf, ct = f.creators, f.creator_totals
    margin = float(params.get("margin") if params.get("margin") is not None else 0.6)
    findings.append(t("live.finding.creators", lang, n=ct["creators"], deals=ct["deals"], gmv=fmt_money(ct["gmv"], lang),
                      cost=fmt_money(ct["cost"], lang), roi=fmt_number(ct["roi"], lang, 2)))
    if ct.get("no_rate"):
        warnings.append(t("live.warning.no_rate", lang, n=ct["no_rate"]))
    if ct.get("pct_rates"):
        warnings.append(t("live.warning.pct_rates", lang, n=ct["pct_rates"]))
    ok = cdf.loc[cdf["roi"].notna()]
    if len(ok):
        best = ok.sort_values(["roi", "creator"], ascending=[False, True]).iloc[0]
        steps.append(t("live.next.creator_renew", lang, creator=best["creator"], roi=fmt_number(best["roi"], lang, 2),
                       be=fmt_pct(best["break_even_commission"], lang)))
        losing = ok.loc[ok["profit"] < 0].sort_values("profit")
        if len(losing):
            w = losing.iloc[0]
            steps.append(t("live.next.creator_renegotiate", lang, creator=w["creator"], n=len(losing),
                           rate=fmt_pct(w["commission_rate"], lang), be=fmt_pct(w["break_even_commission"], lang),
                           margin=fmt_pct(margin, lang, 0)))
    cov = ct.get("coverage")
    if cov is not None and "incremental_gmv" in cdf:
        inc = cdf.loc[cdf["incremental_gmv"].notna()]
        if len(inc):
            top = inc.sort_values(["incremental_gmv", "creator"], ascending=[False, True]).iloc[0]
            clear = top["incremental_ci_low"] is not None and top["incremental_ci_low"] > 0
            findings.append(t("live.finding.incremental" if clear else "live.finding.incremental_unclear", lang,
                              creator=top["creator"],
                              inc=fmt_money(top["incremental_gmv"], lang), lo=fmt_money(top["incremental_ci_low"], lang),
                              hi=fmt_money(top["incremental_ci_high"], lang), days=int(top["deal_days"])))
            halo = inc.loc[inc["halo_incremental"].notna()]
            if len(halo):
                hsum = float(halo["halo_incremental"].sum())
                findings.append(t("live.finding.halo" if hsum >= 0 else "live.finding.halo_below", lang,
                                  hours=int(params.get("halo_hours") or 72), halo=fmt_money(abs(hsum), lang), n=len(halo)))
        if cov.get("few_baseline_creators"):
            warnings.append(t("live.warning.few_baseline", lang, n=cov["few_baseline_creators"], min=FEW_BASELINE))
        if cov.get("shared_days"):
            warnings.append(t("live.warning.shared_days", lang, n=cov["shared_days"]))
        if cov.get("uncovered_days"):
            warnings.append(t("live.warning.uncovered", lang, n=cov["uncovered_days"]))
    elif not f.present.get("orders"):
        warnings.append(t("live.warning.no_orders", lang))
    if f.notes.get("orders_no_overlap"):
        warnings.append(t("live.warning.orders_no_overlap", lang))
    if f.notes.get("creators_no_dates"):
        warnings.append(t("live.warning.creators_no_dates", lang))


def _content_text(fm: pd.DataFrame, lang: str, findings: list, steps: list) -> None:
    paid = fm.loc[fm["roi"].notna()]
    if len(paid) >= 1:
        best = paid.sort_values(["roi", "format"], ascending=[False, True]).iloc[0]
        findings.append(t("live.finding.format_best", lang, format=best["format_label"], roi=fmt_number(best["roi"], lang, 2),
                          gpm=fmt_money(best["gmv_per_mille"], lang), er=fmt_pct(best["engagement_rate"], lang, 2)))
        if len(paid) >= 2:
            worst = paid.sort_values(["roi", "format"], ascending=[True, True]).iloc[0]
            steps.append(t("live.next.format", lang, best=best["format_label"], worst=worst["format_label"],
                           roi=fmt_number(best["roi"], lang, 2), roi_w=fmt_number(worst["roi"], lang, 2)))
    er = fm.loc[fm["engagement_rate"].notna()]
    if len(er) >= 2:
        top = er.sort_values(["engagement_rate", "format"], ascending=[False, True]).iloc[0]
        findings.append(t("live.finding.format_engagement", lang, format=top["format_label"],
                          er=fmt_pct(top["engagement_rate"], lang, 2), lo=fmt_pct(top["engagement_rate_ci_low"], lang, 2),
                          hi=fmt_pct(top["engagement_rate_ci_high"], lang, 2)))
