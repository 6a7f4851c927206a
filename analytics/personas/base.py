"""Persona builder constants: the page's identity and dataset kinds, the segment sources, the size thresholds,
the attribute lists, the TGI table's columns and the page's parameters (:func:`page_params`)."""

from __future__ import annotations

from analytics import segmentation as seg
from analytics.params import Param
from analytics.tables import Col

PAGE = "persona-builder"
KINDS = {"orders": True, "customers": False}
# orders are needed unless a customers dataset stands in (customers-only mode: see _crm_fit)
KINDS_INSTEAD = {"orders": ("customers",)}
ORDER_SOURCES = ("rfm", "cn8", "cluster", "tier")
CRM_SOURCES = ("rfm", "cn8", "cluster", "attribute", "base")
MIN_SIZE = 30
WARN_SIZE = 100
MIN_SUPPORT = 10  # segment count needed before an attribute feeds the card
MAX_VALUES = 25   # per attribute; the rest is pooled as "other"

# The TGI table as the page, its CSV export and the HTML report show it (analytics/tables.py).
TABLES: dict[str, tuple] = {
    "attributes": (Col("attribute_label", "text", label="personas.col.attribute"),
                   Col("value_label", "text", label="personas.col.value"), ("segment_share", "percent"),
                   ("ci_low", "percent"), ("ci_high", "percent"), ("base_share", "percent"), ("tgi", "index"),
                   ("tgi_low", "index"), ("tgi_high", "index"), ("segment_count", "count"),
                   Col("unit", "text", values="personas.unit"), ("n_eff", "index"), ("significant", "bool")),
    # page-level table (not a path of the result): the saved personas
    "saved": (("id", "id"), ("name", "text"), ("segment", "text"), ("size", "count"), ("owner", "text"),
              ("saved_at", "text")),
}

PARAMS = [
    Param("source", "str", "rfm", choices=("rfm", "cn8", "cluster", "tier", "attribute", "base"),
          help="personas.help.source"),
    Param("segment", "str", None, help="personas.help.segment"),
    Param("persona_id", "str", None, help="personas.help.persona_id"),
    Param("analysis_date", "date", None, help="segmentation.help.analysis_date"),
    Param("features", "list", list(seg.DEFAULT_FEATURES), choices=seg.FEATURES, help="segmentation.help.features"),
    Param("k", "int", None, min=2, max=12, help="segmentation.help.k"),
    Param("seed", "int", 42, min=0, help="segmentation.help.seed"),
    Param("tier_basis", "str", "spend", choices=("spend", "points"), help="segmentation.help.tier_basis"),
    Param("tier_thresholds", "list", None, help="segmentation.help.tier_thresholds"),
    Param("min_size", "int", MIN_SIZE, min=5, max=100000, help="personas.help.min_size"),
]
# options that only change what present shows (analytics.inputs.fit_params: changing them never refits):
# the fit profiles every customer, so any segment of the source is presented from the same fit
DISPLAY_PARAMS = ("segment", "persona_id", "min_size")
FIT_PARAMS = tuple(p.key for p in PARAMS if p.key not in DISPLAY_PARAMS)

CUSTOMER_ATTRS = ("gender", "age_band", "city_tier", "region", "member_level", "occupation", "income_band",
                  "acquisition_channel", "interests")
BEHAVIOUR_ATTRS = ("spend_band", "frequency_band", "recency_band")
ORDER_ATTRS = ("category", "channel", "hour_band", "weekday", "price_sensitivity")
HOUR_BANDS = ((0, 6, "night"), (6, 12, "morning"), (12, 18, "afternoon"), (18, 24, "evening"))
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def page_params(params: dict | None) -> dict:
    """PARAMS defaults overridden by the given values that are not None.

    Parameters
    ----------
    params : dict | None
        The page's parameters, or None.

    Returns
    -------
    dict
        Every PARAMS key with its value.
    """
    p = {pp.key: pp.default for pp in PARAMS}
    p.update({k: v for k, v in (params or {}).items() if v is not None})
    return p
