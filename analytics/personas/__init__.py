"""Persona builder: profile of any RFM group, cn8 group, cluster or tier against the whole customer base.

For every attribute value: segment share, base share and TGI = segment share / base share x 100, with
a 95% Wilson interval for the segment share (statsmodels ``proportion_confint``) and the TGI interval
obtained by dividing the share interval by the base share (the base share, measured on the whole base,
is treated as fixed). A TGI is flagged ("significant") only when its interval excludes 100.

- Customer attributes (one value per customer; the unit is customers): demographics from the customers
  frame (gender, age band, city tier, region, member level, occupation, income band, acquisition channel,
  interests exploded: share = customers with the tag / customers with any known tag), spend band (base
  quintiles of net sales), frequency band and recency band.
- Order attributes (the unit is orders or purchases): category (share of non-return order x category
  purchases), channel, time of day and day of week (share of orders), price sensitivity (share of orders
  with a discount > 0 or a campaign). Orders of one customer are not independent, so their interval uses
  the effective sample size of a ratio estimator clustered by customer (n_eff = p(1-p) / Var_cluster(p)).

The base is every customer of the RFM table (customers with a non-return order before the analysis date).

Order lines stay in the engine (issue 13). :func:`fit` takes engine tables and returns a language-free
:class:`PersonaFit`: the per-customer RFM / cluster / tier frame of the segmentation package
(:func:`analytics.segmentation.customer_frame`, itself per-customer engine aggregates) and, for every
segment of the chosen source at once, the customer attributes counted per segment
(:func:`customer_counts`) and the order attributes counted per segment in the engine, where each
customer's segment is joined to its order counts (:func:`order_attribute_stats`: counts and sums of
squares, from which the clustered interval is exact). Python holds segments x values rows, not customers x
values, so the segment is a display parameter: :func:`present` picks the segment, runs the TGI maths
(:func:`profile`) and builds the card in a language. :func:`compute` is both, for callers holding canonical
frames.

An order's time of day, weekday and channel are those of its first line: the earliest line, ties broken
by the source line number (``__line__``) when the table has it, else by the channel value.

Modules: base (page constants and parameters), tgi (intervals, TGI, a segment's profile), attributes (customer
attributes, segment keys, counts per segment), queries (engine aggregates), labels, card (the persona card),
model (:class:`PersonaFit`, :func:`fit`), presentation (:func:`present`), charts (figures), helpers (page
helpers) and exports (HTML and PNG of the card).
"""

from __future__ import annotations

import pandas as pd

from data import engine

from .attributes import (CRM_FLAG_VALUES, behaviour_parts, crm_attribute_parts, customer_attribute_parts,
                         customer_counts, demographic_parts, segment_key, segment_keys)
from .base import (BEHAVIOUR_ATTRS, CRM_SOURCES, CUSTOMER_ATTRS, DISPLAY_PARAMS, FIT_PARAMS, HOUR_BANDS, KINDS,
                   KINDS_INSTEAD, MAX_VALUES, MIN_SIZE, MIN_SUPPORT, ORDER_ATTRS, ORDER_SOURCES, PAGE, PARAMS, TABLES,
                   WARN_SIZE, WEEKDAYS, page_params)
from .card import build_card, clears_100
from .charts import figures
from .exports import card_html, card_png, cjk_font_path, latin_font_path, png_can_draw, report_html
from .helpers import card_sections, compare_rows, segment_line, segment_options
from .labels import attr_label, segment_label, value_label
from .model import (PROFILES_KEPT, PersonaFit, attribute_options, defining_attributes, fit, segment_profile,
                    source_choices)
from .presentation import default_segment, present
from .queries import (CUSTOMER_FIELDS, FIXED_COLUMNS, FIXED_VALUES, _order_values, _wide_order_stats, customer_fields,
                      order_attribute_stats)
from .tgi import profile, tgi_table, wilson

__all__ = [
    # page interface
    "PAGE", "KINDS", "KINDS_INSTEAD", "TABLES", "PARAMS", "DISPLAY_PARAMS", "FIT_PARAMS", "page_params", "fit",
    "present", "compute", "figures", "segment_options", "PersonaFit",
    # constants
    "ORDER_SOURCES", "CRM_SOURCES", "MIN_SIZE", "WARN_SIZE", "MIN_SUPPORT", "MAX_VALUES", "CUSTOMER_ATTRS",
    "BEHAVIOUR_ATTRS", "ORDER_ATTRS", "HOUR_BANDS", "WEEKDAYS", "CRM_FLAG_VALUES", "CUSTOMER_FIELDS", "FIXED_VALUES",
    "FIXED_COLUMNS", "PROFILES_KEPT",
    # building blocks
    "wilson", "tgi_table", "profile", "segment_keys", "segment_key", "customer_attribute_parts", "behaviour_parts",
    "demographic_parts", "crm_attribute_parts", "customer_counts", "customer_fields", "order_attribute_stats",
    "segment_profile", "source_choices", "attribute_options", "defining_attributes", "default_segment",
    # labels, card, page helpers and exports
    "value_label", "attr_label", "segment_label", "clears_100", "build_card", "compare_rows", "card_sections",
    "segment_line", "card_html", "report_html", "cjk_font_path", "latin_font_path", "png_can_draw", "card_png",
    # private names the tests reach for
    "_order_values", "_wide_order_stats",
]


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """The page dict (see :func:`present`) of canonical frames: ``present(fit(tables), params, lang)``.

    Parameters
    ----------
    frames : dict[str, pd.DataFrame]
        Kind -> canonical frame (None values are dropped).
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page dict.
    """
    frames = {kind: df for kind, df in (frames or {}).items() if df is not None}
    return present(fit(engine.tables_from_frames(frames), params), params, lang)
