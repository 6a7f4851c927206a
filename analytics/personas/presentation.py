"""Presentation: the page dict of one segment in a language (:func:`present`), from the fit alone: the TGI
table with labels, the card, findings and warnings."""

from __future__ import annotations

import pandas as pd

from analytics.common import NotEnoughData, jsonable
from analytics.i18n import fmt_list, fmt_number, t
from analytics.units import note

from .base import MIN_SIZE, WARN_SIZE, page_params
from .card import build_card
from .labels import attr_label, segment_label, value_label
from .model import PersonaFit, attribute_options, defining_attributes, segment_profile


def with_evidence(text: str, evidence: str, lang: str = "en") -> str:
    """A card sentence with the number it rests on in brackets before its full stop: "Run campaigns on Thursday
    (Weekday = Thursday: 14.0% of the segment, TGI 103)." / "在周四安排活动（星期 = 周四：占分群 14.0%，TGI 103）。"

    Parameters
    ----------
    text : str
        The sentence.
    evidence : str
        Its evidence.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The sentence with its evidence.
    """
    stop = next((p for p in ("。", ".") if text.endswith(p)), "")
    return t("personas.finding.evidence", lang, text=text[:len(text) - len(stop)], evidence=evidence) + stop


def default_segment(source: str, tab: pd.DataFrame) -> str:
    """The segment a page opens on: Champions, 重要价值, cluster 1, or the top tier.

    Parameters
    ----------
    source : str
        rfm, cn8, cluster or tier.
    tab : pd.DataFrame
        The base (``tier`` for the tier source).

    Returns
    -------
    str
        The segment's value.
    """
    if source == "rfm":
        return "Champions"
    if source == "cn8":
        return "重要价值"
    if source == "cluster":
        return "1"
    return str(int(tab["tier"].max()))


def _default_segment(result: PersonaFit) -> str:
    """The segment shown when none is picked: default_segment, and for the customers-only sources the
    whole base or the first attribute value (Response=1 when the file has that column)."""
    if result.source == "base":
        return "all"
    if result.source == "attribute":
        opts = [v for v, _ in attribute_options(result)]
        if not opts:
            raise NotEnoughData("personas.error.crm_no_attributes")
        return "attr_Response=1" if "attr_Response=1" in opts else opts[0]
    return default_segment(result.source, result.customers)


def present(result: PersonaFit, params: dict, lang: str = "en") -> dict:
    """The page dict of one segment (params "segment", default: Champions / 重要价值 / cluster 1 / the top
    tier), from the fit alone: kpis, persona_id, segment, analysis_date, size, base_size, share_of_base,
    stats, attributes (the TGI table with labels), card, findings, warnings. Raises
    NotEnoughData("personas.error.too_small") below ``min_size`` customers.

    Parameters
    ----------
    result : PersonaFit
        The persona fit.
    params : dict
        The page's parameters (``segment``, ``min_size``, ``persona_id``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page dict; JSON-safe.
    """
    p = page_params(params)
    tab = result.customers
    source = result.source
    ad = result.analysis_date
    value = str(p.get("segment") or _default_segment(result))
    mask, attrs = segment_profile(result, value)
    defining = defining_attributes(result, value)
    size = int(mask.sum())
    base_size = len(tab)
    min_size = int(p.get("min_size") or MIN_SIZE)
    label = segment_label(source, value, lang, result.n_tiers)
    if size < min_size:
        raise NotEnoughData("personas.error.too_small", segment=label, n=size, min=min_size)
    warnings: list[str] = []
    if size < WARN_SIZE:
        warnings.append(t("personas.warning.small", lang, n=size))
    if size == base_size:
        warnings.append(t("personas.warning.whole_base", lang))
    warnings += _data_warnings(result, attrs, base_size, lang)
    rows = []
    for r in attrs.to_dict(orient="records"):
        r["attribute_label"] = attr_label(r["attribute"], lang)
        r["value_label"] = value_label(r["attribute"], r["value"], lang)
        r["defines_segment"] = r["attribute"] in defining
        rows.append(r)
    stats = _profile_stats(tab, mask, result.has_money)
    if not result.has_money:  # units, never presented as sales
        warnings.insert(0, note(lang))
    card = build_card(rows, size, base_size, label, lang, stats, defining=defining)
    findings = [with_evidence(c["text"], c["evidence"], lang) for c in card["channels"][:1]]
    findings += [with_evidence(o["text"], o["evidence"], lang) for o in card["offers"][:2]]
    findings += [with_evidence(n["text"], n["evidence"], lang) for n in card["needs"][:1]]
    if not any(r["significant"] for r in rows if not r["defines_segment"]):
        findings.append(t("personas.finding.no_signal", lang))
    kpis = {"size": size, "share_of_base": size / base_size, "avg_monetary": stats["avg_monetary"],
            "base_avg_monetary": stats["base_avg_monetary"], "net_sales_share": stats["net_sales_share"],
            "avg_frequency": stats["avg_frequency"]}
    if not result.has_money:
        kpis.update(avg_units=stats["avg_units"], base_avg_units=stats["base_avg_units"],
                    units_share=stats["units_share"])
    return jsonable({
        "kpis": kpis,
        "persona_id": p.get("persona_id"),
        "segment": {"source": source, "value": value, "label": label},
        "analysis_date": ad.date(),
        "size": size,
        "base_size": base_size,
        "share_of_base": size / base_size,
        "stats": stats,
        "attributes": rows,
        "card": card,
        "findings": findings,
        "warnings": warnings,
    })


def _data_warnings(result: PersonaFit, attrs: pd.DataFrame, base_size: int, lang: str) -> list[str]:
    """The warnings about the data behind the profile: customers only (no orders), no customers file,
    customers without a match, and the attributes missing from the TGI table ``attrs``."""
    warnings: list[str] = []
    if result.customers_only:
        from analytics.segmentation import crm

        warnings.append(t("personas.warning.customers_only", lang, n=fmt_number(base_size, lang)))
        warnings.append(crm.cannot_text(lang))
        if result.crm["sampled"]:
            warnings.append(t("segmentation.crm.sampled", lang, n=fmt_number(base_size, lang),
                              rows=fmt_number(result.crm["rows"], lang), seed=result.crm["seed"]))
    if not result.has_customers_data:
        warnings.append(t("personas.warning.no_customers", lang))
    if result.has_customers_data:
        known = result.known_customers
        if known < base_size:
            warnings.append(t("personas.warning.unmatched", lang, n=fmt_number(base_size - known, lang)))
    missing = [a for a in ("category", "channel", "price_sensitivity") if a not in set(attrs["attribute"])]
    if missing and not result.customers_only:
        warnings.append(t("personas.warning.missing_attrs", lang, attrs=fmt_list((attr_label(a, lang) for a in missing), lang)))
    return warnings


def _profile_stats(tab: pd.DataFrame, mask, has_money: bool) -> dict:
    """Spend and frequency of the segment (``mask`` over the customers ``tab``) against the base; with
    ``has_money`` False the spend is units (``avg_units``, ``base_avg_units``, ``units_share``) and the
    money keys are None."""
    if "monetary" in tab.columns:
        total = float(tab["monetary"].sum())
        stats = {"avg_monetary": float(tab.loc[mask, "monetary"].mean()),
                 "base_avg_monetary": float(tab["monetary"].mean()),
                 "net_sales_share": float(tab.loc[mask, "monetary"].sum() / total) if total else None,
                 "avg_frequency": float(tab.loc[mask, "frequency"].mean()),
                 "avg_recency": float(tab.loc[mask, "recency_days"].mean())}
    else:  # a customers file without spend columns
        stats = dict.fromkeys(("avg_monetary", "base_avg_monetary", "net_sales_share", "avg_frequency", "avg_recency"))
    if not has_money:  # units, never presented as sales
        stats.update(avg_units=stats["avg_monetary"], base_avg_units=stats["base_avg_monetary"],
                     units_share=stats["net_sales_share"], avg_monetary=None, base_avg_monetary=None,
                     net_sales_share=None)
    return stats
