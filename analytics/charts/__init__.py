"""Charts that stay readable: one helper every page's figures go through (plotly, no Streamlit).

A figure builder says which kind of value each axis carries (``money``, ``count``, ``percent``, ``ratio``,
``index``, ``number``) and :func:`finish` does the rest, the same way on every page and in the reports:

* value axes get tick texts in the language's number format, the one the tables use (analytics.i18n):
  English ``0, 500K, 1M, 1.5M`` with thousands separators below ten thousand, Chinese ``0, 50万, 100万``
  and ``1.2亿``; percentages ``12%``; ratios ``1.25``. Plotly's own SI format (``1.504M``, ``2.5G``, ``500m``)
  is never left on an axis whose kind is known. Ticks are computed once from the data (:func:`nice_ticks`);
* hovers show the value as the tables do (``fmt_money`` / ``fmt_number`` / ``fmt_pct``) and data labels
  (bars, funnels, waterfalls) the short form of the key-figure cards (``2.52M``, ``252.0万``);
* category axes never overlap their labels: long or many names are angled (:func:`category_fits`),
  every axis makes room for its labels (``automargin``);
* the figure carries exactly one title, the finding, wrapped to the chart's width, and the page's theme
  (``.streamlit/config.toml``: font, text colour, colourway, white background).

Labels over a time axis (promotion windows, campaign phases) are placed in rows by :func:`label_rows` so
two labels of one row never overlap; a label that finds no row is reached by hovering its window.
Many events (competitors' price moves) are drawn as aggregates (:func:`aggregate_moves`: per week, or
month, and competitor: the number of moves and their median change), so a chart draws a bounded number
of markers whatever the data holds.

Modules: base (value kinds, theme, sizes), setting (values set without plotly's validators, figures of
plain traces), formats (ticks and number texts), text (text width, wrapped titles, inert user text), axes (value axes,
hovers, data labels, colour bars), categories (category axes), finishing (theme, :func:`finish`),
labels (labels on a time axis, scatter labels) and events (many events as aggregates).
"""

from __future__ import annotations

from .axes import (_axis_names, _domain_width, _get, _numbers, _on_axis, _seq, _value_dim, axis_values, colorbar,
                   data_labels, hover, value_axis)
from .base import COLORWAY, FONT_PX, MAX_MOVE_MARKERS, THEME, TITLE_CHARS, VALUE_KINDS, WIDTH_PX
from .categories import _category_labels, _is_date, category_axes, category_fits
from .events import _period_start, aggregate_moves
from .finishing import finish, kinds, rows_above, template_for, themed
from .formats import (_decimals, _unit, label_text, log_tick_texts, log_ticks, nice_ticks, tick_texts,
                      value_text)
from .labels import _ms, label_boxes, label_rows, scatter_labels
from .setting import _PLAIN, _as_stored, _canonical, _leaves, _plain_trace, _put, _raw, _settable, figure
from .text import inert, inert_figure, plain, text_px, wrap

__all__ = [
    # constants
    "VALUE_KINDS", "THEME", "COLORWAY", "WIDTH_PX", "FONT_PX", "TITLE_CHARS", "MAX_MOVE_MARKERS",
    # figures and finishing
    "figure", "finish", "themed", "template_for", "rows_above", "kinds",
    # numbers
    "nice_ticks", "log_ticks", "tick_texts", "log_tick_texts", "value_text", "label_text",
    # text width
    "text_px", "wrap", "plain", "inert", "inert_figure",
    # axes and categories
    "axis_values", "value_axis", "hover", "data_labels", "colorbar", "category_fits", "category_axes",
    # labels and events
    "label_rows", "label_boxes", "scatter_labels", "aggregate_moves",
    # private names other modules and the tests reach for (the values setters live in .setting: patch them there)
    "_PLAIN", "_canonical", "_raw", "_settable", "_as_stored", "_leaves", "_put", "_plain_trace", "_decimals", "_unit",
    "_axis_names", "_seq", "_get", "_numbers", "_on_axis", "_value_dim", "_domain_width", "_category_labels",
    "_is_date", "_ms", "_period_start",
]
