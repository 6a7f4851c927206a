"""The decision memo (scale up / iterate / stop) and the findings, in the chosen language, from the presented
test, counterfactual, money and feedback."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.i18n import fmt_money, fmt_number, fmt_pct, join_sentences, t

from .base import NS, RATE_OUTCOMES, _pfmt, attr_name, series_name


def _decide(lift, lo, hi, p_adj, alpha, mde_abs, threshold, cost_given, roi, roi_lo) -> tuple[str, str]:
    """(recommendation, reason key)."""
    sig = p_adj is not None and p_adj < alpha
    if sig and lift > 0:
        if not cost_given:
            return "scale_up", "scale_up_no_cost"
        if roi_lo is not None and roi_lo > 0:
            return "scale_up", "scale_up"
        if roi is not None and roi < 0:
            return "iterate", "iterate_roi_negative"
        return "iterate", "iterate_roi_uncertain"
    if sig and lift < 0:
        return "stop", "stop_negative"
    if mde_abs is not None and threshold is not None and mde_abs <= threshold and hi < threshold:
        return "stop", "stop_flat"
    return "iterate", "iterate_not_significant"


def _fmt_effect(o: str, x, lang: str, signed: bool = True) -> str:
    if x is None:
        return "—"
    if o in RATE_OUTCOMES:
        v = x * 100
        return f"{v:+.2f} pp" if signed else f"{v:.2f}%"
    s = fmt_money(abs(x), lang)
    return (("+" if x >= 0 else "-") + s) if signed else fmt_money(x, lang)


def _memo(exp, cf, money, fb, p, lang) -> dict:
    """The decision memo: recommendation, reason, effect sentence, checks and the whole text, from the
    presented test (``exp``) or else the counterfactual (``cf``), the money and the feedback."""
    alpha = float(p["alpha"])
    conf = f"{(1 - alpha) * 100:.0f}%"
    m: dict = {"recommendation": None, "reason": None, "effect": None, "checks": [], "text": ""}
    if exp:
        _memo_experiment(m, exp, money, p, lang, alpha, conf)
    elif cf and cf.get("status") == "ok":
        _memo_counterfactual(m, cf, money, lang, alpha, conf)
    if fb and fb.get("nps"):
        s = fb["nps"]
        m["checks"].append(t(f"{NS}.memo.nps", lang, nps=f"{s['nps']:+.0f}", lo=f"{s['ci_low']:+.0f}",
                             hi=f"{s['ci_high']:+.0f}", n=fmt_number(s["n"], lang)))
    if m["recommendation"]:
        m["headline"] = t(f"{NS}.memo.rec.{m['recommendation']}", lang)
    parts = [x for x in [m.get("headline"), m["effect"], join_sentences(m["checks"], lang), m["reason"]]
             if x]
    m["text"] = "\n\n".join(parts)
    return m


def _memo_experiment(m: dict, exp: dict, money, p: dict, lang: str, alpha: float, conf: str) -> None:
    """Fill the memo ``m`` from a randomised test: the best arm on the primary outcome, its verdict and
    effect, and the checks (sample ratio, power, CUPED)."""
    prim = p.get("primary") if p.get("primary") in exp["outcomes"] else next(
        o for o in ("revenue", "conversion", "visit", "revenue_per_converter") if o in exp["outcomes"])
    def _lift(a: dict) -> float:
        v = a["outcomes"][prim]["lift_abs"]
        return v if v is not None and np.isfinite(v) else -np.inf

    arm = max(exp["arms"], key=_lift)
    r = arm["outcomes"][prim]
    mrow = next((x for x in (money or {}).get("arms", []) if x["group"] == arm["group"]), None)
    cost_given = bool(money and money["cost_given"])
    threshold = None
    if cost_given and prim == "revenue" and mrow and mrow["break_even_lift_per_unit"]:
        threshold = mrow["break_even_lift_per_unit"]
    elif r["control_value"]:
        threshold = float(p["min_effect"]) * abs(r["control_value"])
    rec, why = _decide(r["lift_abs"], r["ci_low"], r["ci_high"], r["p_value_adjusted"], alpha, r["mde_abs"],
                       threshold, cost_given, mrow["roi"] if mrow else None, mrow["roi_ci_low"] if mrow else None)
    m.update({"recommendation": rec, "reason_key": why, "arm": arm["group"], "outcome": prim,
              "threshold": threshold})
    m["effect"] = t(f"{NS}.memo.effect", lang, arm=arm["group"], control=exp["control"],
                    outcome=t(f"{NS}.outcome.{prim}", lang), lift=_fmt_effect(prim, r["lift_abs"], lang),
                    rel=fmt_pct(r["lift_rel"], lang, 1, signed=True), conf=conf,
                    # the interval with the verdict's correction (Holm), so it excludes zero exactly when
                    # the adjusted p-value is significant
                    lo=_fmt_effect(prim, r.get("ci_low_adjusted", r["ci_low"]), lang),
                    hi=_fmt_effect(prim, r.get("ci_high_adjusted", r["ci_high"]), lang),
                    p=_pfmt(r["p_value_adjusted"]))
    srm = exp["srm"]
    which = "pass" if not srm["failed"] else "fail" if srm.get("split_given", True) else "fail_assumed"
    m["checks"].append(t(f"{NS}.memo.srm_{which}", lang, p=_pfmt(srm["p_value"]), split=srm.get("suggested_split")))
    m["checks"].append(t(f"{NS}.memo.power", lang, n=fmt_number(r["n"], lang), nc=fmt_number(r["control_n"], lang),
                         mde=_fmt_effect(prim, r["mde_abs"], lang, signed=False).lstrip("+"),
                         mde_rel=fmt_pct(r["mde_rel"], lang, 1)))
    cu = next((c for c in exp["cuped"] if c["group"] == arm["group"] and c["outcome"] == prim), None)
    if cu and cu["narrower_by"] is not None:
        small = cu["narrower_by"] < 0.01
        m["checks"].append(t(f"{NS}.memo.cuped{'_small' if small else ''}", lang,
                             pct=fmt_pct(cu["narrower_by"], lang, 2 if small else 1)))
    reason_kw = dict(roi=fmt_pct(mrow["roi"], lang, 0) if mrow and mrow["roi"] is not None else "—",
                     roi_lo=(fmt_pct(mrow["roi_ci_low"], lang, 0)
                             if mrow and mrow["roi_ci_low"] is not None else "—"),
                     threshold=_fmt_effect(prim, threshold, lang, signed=False),
                     mde=_fmt_effect(prim, r["mde_abs"], lang, signed=False), alpha=alpha)
    m["reason"] = t(f"{NS}.memo.reason.{why}", lang, **reason_kw)


def _memo_counterfactual(m: dict, cf: dict, money, lang: str, alpha: float, conf: str) -> None:
    """Fill the memo ``m`` from a counterfactual (synthetic control) estimate: verdict, effect and the
    checks (placebo, pre-period fit, not randomised)."""
    mrow = (money or {}).get("arms", [None])[0] if money else None
    cost_given = bool(money and money["cost_given"])
    sig_pos, sig_neg = cf["ci_low"] > 0, cf["ci_high"] < 0
    if sig_pos and (not cost_given or (mrow and mrow["roi_ci_low"] is not None and mrow["roi_ci_low"] > 0)):
        rec, why = "scale_up", ("scale_up" if cost_given else "scale_up_no_cost")
    elif sig_neg:
        rec, why = "stop", "stop_negative"
    elif sig_pos:
        rec, why = "iterate", ("iterate_roi_negative" if mrow and mrow["roi"] is not None and mrow["roi"] < 0
                               else "iterate_roi_uncertain")
    else:
        rec, why = "iterate", "iterate_cf_not_significant"
    metric = t(f"{NS}.cf.metric.{cf['metric']}", lang)
    fmtv = (lambda x: fmt_money(x, lang)) if cf["metric"] == "revenue" else (lambda x: fmt_number(x, lang))
    m.update({"recommendation": rec, "reason_key": why, "arm": cf["treated"], "outcome": cf["metric"]})
    m["effect"] = t(f"{NS}.memo.cf_effect", lang, treated=series_name(cf.get("by"), cf["treated"], lang), metric=metric,
                    effect=fmtv(cf["effect"]),
                    rel=fmt_pct(cf["effect_rel"], lang, 1, signed=True), conf=conf, lo=fmtv(cf["ci_low"]),
                    hi=fmtv(cf["ci_high"]))
    pl = cf.get("placebo") or {}
    if pl.get("passed") is None:
        m["checks"].append(t(f"{NS}.memo.placebo_na", lang))
    else:
        m["checks"].append(t(f"{NS}.memo.placebo_{'pass' if pl['passed'] else 'fail'}", lang,
                             date=str(pd.Timestamp(pl["fake_start"]).date()), lo=fmtv(pl["ci_low"]),
                             hi=fmtv(pl["ci_high"])))
    m["checks"].append(t(f"{NS}.memo.cf_fit", lang, r2=f"{cf['r2_pre']:.2f}", n=cf["n_pre"],
                         k=len(cf["controls"])))
    m["checks"].append(t(f"{NS}.memo.cf_not_random", lang))
    reason_kw = dict(roi=fmt_pct(mrow["roi"], lang, 0) if mrow and mrow["roi"] is not None else "—",
                     roi_lo=(fmt_pct(mrow["roi_ci_low"], lang, 0)
                             if mrow and mrow["roi_ci_low"] is not None else "—"),
                     threshold="—", mde="—", alpha=alpha)
    m["reason"] = t(f"{NS}.memo.reason.{why}", lang, **reason_kw)


def _exp_findings(exp: dict, p: dict, lang: str, findings: list[str]) -> None:
    for c in exp["cuped"]:
        if c["outcome"] == "revenue" and c["narrower_by"] is not None and c["narrower_by"] > 0.02:
            findings.append(t(f"{NS}.finding.cuped", lang, group=c["group"], pct=fmt_pct(c["narrower_by"], lang, 0)))
            break
    seg = exp["segments"]
    flagged = [h for h in seg["heterogeneity"] if h.get("flagged")]
    if flagged:
        h = min(flagged, key=lambda h: h["p_value"])
        findings.append(t(f"{NS}.finding.segments", lang, attribute=attr_name(h["attribute"], lang, True), group=h["group"],
                          outcome=t(f"{NS}.outcome.{h['outcome']}", lang)))
    elif seg["heterogeneity"]:
        findings.append(t(f"{NS}.finding.segments_none", lang))
    up = exp["uplift"]
    if up and up.get("status") == "ok" and up["top30_share_of_incremental"] is not None:
        key = "uplift" if up["qini_auc"] > 0.05 else "uplift_weak"
        findings.append(t(f"{NS}.finding.{key}", lang, q=f"{up['qini_auc']:.3f}",
                          share=fmt_pct(min(up["top30_share_of_incremental"], 9.99), lang, 0),
                          outcome=t(f"{NS}.outcome.{up['outcome']}", lang)))
