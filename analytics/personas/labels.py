"""Labels in a language: an attribute value's, an attribute's and a segment's."""

from __future__ import annotations

from analytics import segmentation as seg
from analytics.i18n import t

def value_label(attribute: str, value: str, lang: str = "en") -> str:
    """An attribute value's label in ``lang`` (hour bands, weekdays, price sensitivity, "other" and the frequency
    / recency bands translated; other values as they are).

    Parameters
    ----------
    attribute : str
        The attribute.
    value : str
        The value.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The label.
    """
    if attribute == "hour_band" or attribute == "weekday" or attribute == "price_sensitivity" or value == "other":
        return t(f"personas.value.{value}", lang)
    if attribute in ("frequency_band", "recency_band"):
        return t(f"personas.value.{attribute}", lang, v=value)
    return str(value)


def attr_label(attribute: str, lang: str = "en") -> str:
    """An attribute's label in ``lang`` (a column of the customers file by its own name).

    Parameters
    ----------
    attribute : str
        The attribute.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The label.
    """
    if attribute.startswith("attr_"):  # a column of the customers file, by the name it has there
        return attribute[len("attr_"):]
    return t(f"personas.attr.{attribute}", lang)


def segment_label(source: str, value: str, lang: str, n_tiers: int = 4) -> str:
    """A segment's label in ``lang``.

    Parameters
    ----------
    source : str
        The segment source (base, attribute, rfm, cn8, cluster, tier).
    value : str
        The segment's value.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    n_tiers : int
        Number of tiers (for tier names).

    Returns
    -------
    str
        The label.
    """
    if source == "base":
        return t("personas.label.all_customers", lang)
    if source == "attribute":
        attr, _, v = str(value).partition("=")
        return f"{attr_label(attr, lang)}: {value_label(attr, v, lang)}"
    if source in ("rfm", "cn8"):
        return seg.group_label(value, lang)
    if source == "cluster":
        return t("segmentation.label.cluster", lang, n=value)
    try:
        return seg.tier_name(int(float(value)), n_tiers, lang)
    except ValueError:
        return str(value)
