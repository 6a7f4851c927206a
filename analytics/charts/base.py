"""Constants of :mod:`analytics.charts`: the kinds of value an axis carries, the app's theme, the widths
and font sizes the layout is computed for, and the most price-move markers a chart draws."""

from __future__ import annotations

VALUE_KINDS = ("money", "count", "percent", "ratio", "index", "number")

# the app's theme (.streamlit/config.toml), so every chart looks like the page it is on
THEME = {"primary": "#5B5BD6", "text": "#1F2330", "grid": "#E6E8F0",
         "font": "-apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif"}
COLORWAY = ["#5B5BD6", "#F2994A", "#27AE60", "#EB5757", "#2D9CDB", "#9B51E0", "#828282", "#F2C94C"]

WIDTH_PX = 700       # the narrowest width a chart is drawn at (a page column, the report's body)
FONT_PX = 12         # tick label font size
TITLE_CHARS = 78     # characters of a title line at WIDTH_PX (a CJK character counts twice)
MAX_MOVE_MARKERS = 60
