"""``present``: the page dict of the segmentation explorer in a language, from a :class:`.model.SegmentationFit`
alone (labels, findings and warnings; no engine query, no model fit)."""

from __future__ import annotations

import math

import numpy as np

from analytics.common import jsonable
from analytics.i18n import fmt_list, fmt_money, fmt_number, fmt_pct, t
from analytics.units import NOTE_KEY, note

from . import display
from .audience import customers_in
from .base import SMALL_GROUP, page_params

from .model import SegmentationFit, detail_rows
from .rfm import group_rows, transition_labels
from .stages import present_audience
from .tiers import label_tiers


def present(result: SegmentationFit, params: dict | None = None, lang: str = "en") -> dict:
    """The JSON-safe page dict (kpis, customers, customer_ids, analysis_date, model,
    lines_without_customer, rfm_means, rfm_groups, rfm_groups_other, transitions, clusters, tiers, cohorts,
    clv, findings, warnings; rows with detail = "customers"; audience_list (the customers of the drill-down
    param ``audience``) when asked for; audience (stage counts, :func:`.stages.present_audience`) when an
    audience dataset is selected) in ``lang``.
    Everything comes from ``result`` (which keeps the parameters it was fitted with) except the display
    options of ``params`` (DISPLAY_PARAMS: detail, audience; None: those of the fit), so presenting in
    another language or with another drill-down never fits again.

    Parameters
    ----------
    result : SegmentationFit
        The fit (a :class:`SegmentationFit`, or a :class:`.crm.CrmFit` for customers-only mode).
    params : dict | None
        The page's parameters (only the display options are read), or None.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page dict; JSON-safe.
    """
    from . import crm

    if isinstance(result, crm.CrmFit):
        return crm.present(result, params, lang)
    r = result
    p = r.params
    shown = page_params(params) if params is not None else p
    warnings: list[str] = []
    findings: list[str] = []
    money = r.kpis.get("net_sales") is not None or "units" not in r.kpis  # False: an export without amounts
    if not money:
        warnings.append(note(lang))
    n = len(r.customers)
    if r.lines_without_customer:
        warnings.append(t("segmentation.warning.no_customer_id", lang, n=fmt_number(r.lines_without_customer, lang),
                          share=fmt_pct(r.lines_without_customer / max(r.lines_total, 1), lang)))
    if r.lines_after:
        warnings.append(t("segmentation.warning.after_analysis", lang, n=fmt_number(r.lines_after, lang),
                          date=r.analysis_date.date().isoformat()))
    only_returns = r.customer_ids - n
    if only_returns > 0:
        warnings.append(t("segmentation.warning.returns_only", lang, n=fmt_number(only_returns, lang)))

    model_col = r.model_column
    groups = group_rows(r.groups, lang)
    other = group_rows(r.groups_other, lang)
    small = [g["label"] for g in groups if g["small"]]
    if small:
        warnings.append(t("segmentation.warning.small_groups", lang, groups=fmt_list(small, lang), n=SMALL_GROUP))
    if money:  # the group findings speak of shares of net sales
        findings += _group_findings(groups, model_col, lang)

    labels = transition_labels(r.transitions, lang)
    # the cells name their groups in the language, as the heatmap does; the finding reads the group codes
    trans = dict(r.transitions, labels=labels,
                 cells=[dict(c, **{"from": labels[c["from"]], "to": labels[c["to"]]}) for c in r.transitions["cells"]])
    tf = _transition_finding(r.transitions, model_col, lang)
    if tf:
        findings.append(tf)

    if r.clusters is not None:
        cres = dict(r.clusters)
        cres["profiles"] = display.cluster_rows(cres, lambda c: t("segmentation.label.cluster", lang, n=c))
        top = cres["profiles"][0]
        if money:  # the finding speaks of a share of net sales
            findings.append(t("segmentation.finding.clusters", lang, k=cres["k"], sil=f"{cres['silhouette']:.2f}",
                              ari=f"{cres['stability']['ari_mean']:.2f}", share=fmt_pct(top["share"], lang),
                              value=fmt_pct(top["net_sales_share"], lang)))
        if cres["stability"]["ari_mean"] is not None and cres["stability"]["ari_mean"] < 0.7:
            warnings.append(t("segmentation.warning.unstable", lang, ari=f"{cres['stability']['ari_mean']:.2f}"))
    else:
        cres = {"error": r.clusters_problem.text(lang), "error_key": r.clusters_problem.key}
        warnings.append(cres["error"])

    if r.tiers_warning:
        warnings.append(t(r.tiers_warning, lang))
    if r.tiers is not None:
        tiers = label_tiers(r.tiers, lang)
        tiers["basis"] = r.tier_basis
        tiers["rows"] = display.tier_rows(tiers)
        if tiers.get("matrix"):
            tiers["moves"] = display.tier_moves(tiers, lambda name: t("segmentation.tiers.to", lang, name=name))
        if "proposed" in tiers:
            findings.append(t("segmentation.finding.tiers_whatif", lang, up=fmt_number(tiers["moved_up"], lang),
                              down=fmt_number(tiers["moved_down"], lang),
                              delta=("+" if tiers["cost_delta"] >= 0 else "") + fmt_money(tiers["cost_delta"], lang)))
    else:
        tiers = {"error": r.tiers_problem.text(lang)}
        if r.tiers_problem.key != NOTE_KEY:  # the note already says it
            warnings.append(tiers["error"])

    coh = dict(r.cohorts)
    coh["rows"] = display.cohort_rows(coh)
    m1 = [x[1] for x in coh["retention"] if len(x) > 1 and x[1] is not None and not math.isnan(x[1])]
    if m1:
        findings.append(t("segmentation.finding.cohort_m1", lang, pct=fmt_pct(float(np.mean(m1)), lang)))

    if r.clv is not None:
        clv_out = _clv_block(r.clv, p, lang, warnings, findings)
    else:
        clv_out = {"error": r.clv_problem.text(lang)}
        if r.clv_problem.key != NOTE_KEY:
            warnings.append(clv_out["error"])

    result = {
        "kpis": dict(r.kpis),
        "customers": n,
        "customer_ids": int(r.customer_ids),
        "analysis_date": r.analysis_date.date(),
        "model": p["model"],
        "lines_without_customer": r.lines_without_customer,
        "rfm_means": dict(r.rfm_means),
        "rfm_groups": groups,
        "rfm_groups_other": other,
        "transitions": trans,
        "clusters": cres,
        "tiers": tiers,
        "cohorts": coh,
        "clv": clv_out,
        "findings": findings,
        "warnings": warnings,
    }
    if shown.get("detail") == "customers":
        result["rows"] = detail_rows(r)
    if r.audience is not None:  # the Audience assets tab (AIPL / O-5A stage counts)
        result["audience"] = present_audience(r.audience, lang)
    if shown.get("audience"):
        try:
            result["audience_list"] = customers_in(r.customers, shown["audience"])
        except ValueError as exc:
            warnings.append(str(exc))
    return jsonable(result)


def _group_findings(groups: list[dict], col: str, lang: str) -> list[str]:
    by = {g["group"]: g for g in groups}
    out = []
    if col == "group":
        risk = [by[x] for x in ("At risk", "Cannot lose them") if x in by]
        champ = by.get("Champions")
        new = [by[x] for x in ("New", "Promising") if x in by]
    else:
        risk = [by[x] for x in ("重要保持", "重要挽留") if x in by]
        champ = by.get("重要价值")
        new = [by[x] for x in ("重要发展", "一般发展") if x in by]
    if risk:
        n = sum(g["customers"] for g in risk)
        share = sum(g["net_sales_share"] or 0 for g in risk)
        out.append(t("segmentation.finding.at_risk", lang, groups=fmt_list((g["label"] for g in risk), lang),
                     share=fmt_pct(share, lang), n=fmt_number(n, lang)))
    if champ:
        out.append(t("segmentation.finding.champions", lang, group=champ["label"],
                     cust=fmt_pct(champ["share"], lang), value=fmt_pct(champ["net_sales_share"], lang)))
    if new:
        out.append(t("segmentation.finding.new", lang, groups=fmt_list((g["label"] for g in new), lang),
                     n=fmt_number(sum(g["customers"] for g in new), lang)))
    return out


def _transition_finding(trans: dict, col: str, lang: str) -> str | None:
    good = {"Champions", "Loyal"} if col == "group" else {"重要价值", "重要保持"}
    bad = {"At risk", "Cannot lose them", "Hibernating", "Lost", "About to sleep"} if col == "group" else \
        {"重要挽留", "一般挽留", "一般保持"}
    n = sum(c["customers"] for c in trans["cells"] if c["from"] in good and c["to"] in bad)
    if n == 0:
        return None
    return t("segmentation.finding.slipped", lang, n=fmt_number(n, lang), date=trans["from_date"].isoformat())


NO_DROPOUT = 0.01  # BG/NBD's mean drop-out chance after a repeat purchase under which churn bands say little


def _dropout_probability(params: dict) -> float | None:
    """The BG/NBD mean chance that a customer drops out after a repeat purchase, ``a / (a + b)``, or None."""
    a, b = params.get("a"), params.get("b")
    if a is None or b is None or not (a + b) > 0:
        return None
    return float(a) / (float(a) + float(b))


def _clv_block(numbers: dict, p: dict, lang: str, warnings: list[str], findings: list[str]) -> dict:
    """The page's CLV block from :func:`.clv_summary.clv_numbers`: churn bands with labels; warnings
    (spend correlated with frequency, customers without a CLV) and findings (high churn, total)."""
    out = {k: v for k, v in numbers.items() if k not in ("missing", "customers_scored")}
    out["param_rows"] = display.param_rows(numbers.get("params") or {})
    out["churn_bands"] = [{"band": b["band"], "label": t(f"segmentation.churn.{b['band']}", lang),
                           **{k: v for k, v in b.items() if k != "band"}} for b in numbers["churn_bands"]]
    corr = numbers["frequency_spend_corr"]
    if corr is not None and abs(corr) > 0.3:
        warnings.append(t("segmentation.warning.gg_corr", lang, corr=f"{corr:.2f}"))
    if numbers["missing"]:
        warnings.append(t("segmentation.warning.clv_after_cal", lang, n=int(numbers["missing"])))
    scored = int(numbers.get("customers_scored") or 0)
    if scored > int(numbers["customers_fitted"]):
        warnings.append(t("segmentation.warning.clv_sampled", lang, n=fmt_number(numbers["customers_fitted"], lang),
                          total=fmt_number(scored, lang)))
    high = out["churn_bands"][0]
    drop = _dropout_probability(numbers.get("params") or {})
    if drop is not None and drop < NO_DROPOUT and not high["customers"]:
        warnings.append(t("segmentation.warning.no_dropout", lang, p=fmt_pct(drop, lang)))
    if high["customers"]:
        findings.append(t("segmentation.finding.churn_high", lang, n=fmt_number(high["customers"], lang),
                          share=fmt_pct(high["net_sales_share"] or 0, lang)))
    findings.append(t("segmentation.finding.clv_total", lang, h=int(p["clv_horizon"]),
                      total=fmt_money(numbers["total"], lang), top=fmt_pct(numbers["top10_share"] or 0, lang)))
    return out
