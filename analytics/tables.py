"""Result tables declared once, for the page, the CSV export and the HTML report.

A page module declares ``TABLES = {name: (column, ...)}``: a column is ``(key, kind)`` or a :class:`Col`
(label and help keys of its own). The kind of value says how a cell is shown:

=========  ==============================================  =========================================
kind       on the page (Streamlit number format)           in the report (:func:`cell`)
=========  ==============================================  =========================================
money      1,234.50                                        1,234.50 / 12.3万 (fmt_money)
count      1,234                                           1,234 / 1.2万 (fmt_number)
percent    12.5%                                           12.5% (fmt_pct)
number     1,234.50 (``digits`` decimals)                  1,234.50 / 0.0123 (3 significant below 1)
date       as stored (ISO)                                 18 Jun 2025 / 2025年6月18日 (fmt_date)
text / id  as it is                                        as it is
=========  ==============================================  =========================================

A column's header is its label key (default: the page's ``col.`` / ``kpi.`` / ``label.`` key, then
``ui.col.``), its hover text the help key (default: the page's ``metric.`` definition). An undeclared
table's kinds are read from its header words and values (:func:`infer_kind`: ids and codes as they are,
rate / share words as percentages, money words as money), so every table of a result follows the same rules.
A value that is missing is shown as "—", never "None".
"""

from __future__ import annotations

import fnmatch
import math
import re
from dataclasses import dataclass, replace
from typing import Any, Iterable

from analytics.i18n import fmt_date, fmt_money, fmt_number, fmt_pct, t

KINDS = ("money", "count", "percent", "number", "date", "text", "id", "bool",
         # key figures that carry a sign or a test's reading (KPI cards, :func:`cell`)
         "signed_money", "signed_percent", "signed", "signed_points", "points", "fine_percent", "pvalue",
         "ratio", "index")

MONEY_WORDS = ("sales", "revenue", "amount", "aov", "spend", "cost", "clv", "monetary", "returns", "gmv", "cpa",
               "cpc", "cpm", "budget", "price")
# Headers that name an identifier or a code (85123, 10002, 2024): shown as they are, never "85,123".
ID_HEADER = re.compile(r"(?i:(?:^|[_\s])id$|(?:^|[_\s])id[_\s]|code|sku|^year$)|ID|编号|编码|代码|^年份?$")
PCT_WORDS = ("rate", "share", "ctr", "cvr", "pct", "percent", "margin", "率", "占比", "份额", "比例", "比重")
_RATE = re.compile(r"rate|share|ctr|cvr|pct|margin|conversion(?!s)")
_IDENT = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Col:
    key: str
    kind: str = "auto"          # one of KINDS, or "auto": read from the header and the values
    label: str | None = None    # locale key of the header (default: see :func:`label`)
    help: str | None = None     # locale key of the hover text (default: ``<ns>.metric.<key>``)
    digits: int | None = None   # decimals of a "number" (default 2)
    values: str | None = None   # locale prefix of a text column's values: "ui.kind" shows orders as 订单


def as_col(c: "Col | tuple | str") -> Col:
    """A column spec as :class:`Col`: a Col, a key, or the tuple of Col's arguments.

    Parameters
    ----------
    c : 'Col | tuple | str'
        The spec.

    Returns
    -------
    Col
        The column.
    """
    if isinstance(c, Col):
        return c
    if isinstance(c, str):
        return Col(c)
    return Col(*c)


def spec(mod: Any, name: str) -> tuple[Col, ...] | None:
    """The declared columns of a module's table ``name`` (None: not declared).

    Parameters
    ----------
    mod : Any
        A page module (``TABLES``: name -> column specs).
    name : str
        The table's name.

    Returns
    -------
    tuple[Col, ...] | None
        The columns, or None.
    """
    tables = getattr(mod, "TABLES", None) or {}
    cols = tables.get(name)
    return None if cols is None else tuple(as_col(c) for c in cols)


def is_rate(name: str, value: Any) -> bool:
    """A fraction to show as a percentage: its name says rate / share / margin / conversion (not
    "conversions", a count) and it lies within [-1.5, 1.5].

    Parameters
    ----------
    name : str
        The column's name.
    value : Any
        A numeric value.

    Returns
    -------
    bool
        True for a rate.
    """
    return bool(_RATE.search(name)) and abs(value) <= 1.5


def _translated(key: str, lang: str) -> str | None:
    text = t(key, lang)
    return None if text == key else text


def label(ns: str, col: "Col | str", lang: str) -> str:
    """A column's header in ``lang``: its label key, else ``<ns>.col.`` / ``kpi.`` / ``label.``, else (an
    interval's bound ``<metric>_ci_low``) "<metric's label> low (95%)", else ``ui.col.``; a header that is not
    a raw key (already a label, a user's column) is kept.

    Parameters
    ----------
    ns : str
        The page's namespace.
    col : 'Col | str'
        The column.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The header.
    """
    c = as_col(col)
    if c.label:  # one key, or keys joined by " · " ("evaluation.outcome.visit · evaluation.col.ci_low")
        parts = [_translated(k, lang) for k in c.label.split(" · ")]
        if all(parts):
            return " · ".join(parts)  # type: ignore[arg-type]
    if not _IDENT.fullmatch(c.key):
        return c.key
    for key in (f"{ns}.col.{c.key}", f"{ns}.kpi.{c.key}", f"{ns}.label.{c.key}"):  # the page's own label first
        text = _translated(key, lang)
        if text:
            return text
    base, sep, end = c.key.rpartition("_ci_")
    if sep and end in ("low", "high"):  # an interval's bound: "<metric> low (95%)"
        for key in (f"{ns}.col.{end}", f"ui.col.ci_{end}"):
            text = _translated(key, lang)
            if text:
                return text.replace("{metric}", label(ns, base, lang))
    return _translated(f"ui.col.{c.key}", lang) or c.key


def has_label(ns: str, col: "Col | str", lang: str) -> bool:
    """Whether the column has a header of its own (a translated label, or a key that is not an identifier).

    Parameters
    ----------
    ns : str
        The page's namespace.
    col : 'Col | str'
        The column.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    bool
        True when it has.
    """
    c = as_col(col)
    return label(ns, c, lang) != c.key or not _IDENT.fullmatch(c.key)


def help_text(ns: str, col: "Col | str", lang: str) -> str | None:
    """The column's help text in ``lang``: its ``help`` key, else ``<ns>.metric.<key>``.

    Parameters
    ----------
    ns : str
        The page's namespace.
    col : 'Col | str'
        The column.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str | None
        The text, or None.
    """
    c = as_col(col)
    return _translated(c.help or f"{ns}.metric.{c.key}", lang)


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def infer_kind(name: str, values: Iterable[Any]) -> str:
    """The kind of an undeclared column from its header (words in English or Chinese) and its values.

    Parameters
    ----------
    name : str
        The column's header.
    values : Iterable[Any]
        Its values.

    Returns
    -------
    str
        ``"id"``, ``"bool"``, ``"text"``, ``"percent"``, ``"money"``, ``"count"`` or ``"number"``.
    """
    vals = [v for v in values if not _missing(v)]
    if ID_HEADER.search(name):
        return "id"
    if vals and all(isinstance(v, bool) for v in vals):
        return "bool"
    nums = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not vals or len(nums) < len(vals):
        return "text"
    n = name.lower()
    finite = [abs(v) for v in nums if not math.isinf(v)]
    if finite and any(w in n for w in PCT_WORDS) and max(finite) <= 1.5:
        return "percent"
    if any(w in n for w in MONEY_WORDS):
        return "money"
    if all(isinstance(v, int) or float(v).is_integer() for v in nums):
        return "count"
    return "number"


def resolve(ns: str, declared: tuple[Col, ...] | None, rows: list[dict], lang: str) -> list[Col]:
    """The columns to show: the declared ones that hold a value; for an undeclared table, every column
    that has a label in the catalogue (a column without one is an internal field), kinds inferred.

    Parameters
    ----------
    ns : str
        The page's namespace.
    declared : tuple[Col, ...] | None
        The declared columns, or None.
    rows : list[dict]
        The table's rows.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[Col]
        The columns to show.
    """
    present: list[str] = []
    for r in rows:
        for k in r:
            if k not in present:
                present.append(k)
    filled = {k for k in present if any(not _missing(r.get(k)) for r in rows)}
    if declared is not None:
        # a key with "*" stands for every column of the rows it matches that no other column names
        # (a cohort's months "M*", the tiers of a what-if "*"), in the rows' order
        named = {c.key for c in declared if "*" not in c.key}
        out: list[Col] = []
        for c in declared:
            if "*" in c.key:
                out += [replace(c, key=k) for k in present
                        if k in filled and k not in named and fnmatch.fnmatchcase(k, c.key)
                        and not isinstance(next(r.get(k) for r in rows if not _missing(r.get(k))), (dict, list))]
            elif c.key in filled:
                out.append(c)
        return out
    out = []
    for k in present:
        if k not in filled or isinstance(next((r.get(k) for r in rows if not _missing(r.get(k))), None), (dict, list)):
            continue
        if not has_label(ns, k, lang):
            continue
        name = f"{k} {label(ns, k, lang)}"
        out.append(Col(k, infer_kind(name, (r.get(k) for r in rows))))
    return out


def cell(col: Col, value: Any, lang: str) -> str:
    """One cell as text for ``lang`` (the report; the CSV keeps the numbers).

    Parameters
    ----------
    col : Col
        The column.
    value : Any
        The value (missing: "—").
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The text.
    """
    if _missing(value):
        return "—"
    kind = col.kind if col.kind != "auto" else infer_kind(col.key, [value])
    if isinstance(value, bool):
        return t("ui.common.yes" if value else "ui.common.no", lang)
    if isinstance(value, (int, float)):
        signed = _signed(kind, value, lang, col.digits)
        if signed is not None:
            return signed
        if kind == "percent":
            return fmt_pct(value, lang, 1 if col.digits is None else col.digits)
        if kind == "money":
            return fmt_money(value, lang)
        if kind == "count":
            return fmt_number(value, lang)
        if kind == "number":
            if value != 0 and abs(value) < 1 and col.digits is None:
                return f"{value:.3g}"
            return fmt_number(value, lang, 2 if col.digits is None else col.digits)
        return str(value)
    if col.values and isinstance(value, str):
        return value_text(col, value, lang)
    if kind == "date" and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", value):
        return fmt_date(value[:10], lang)
    if isinstance(value, (dict, list)):
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return str(value)


def _signed(kind: str, value: float, lang: str, digits: int | None = None) -> str | None:
    """The kinds of a key figure: a change with its sign, a p-value, a ratio, an index (None: another kind)."""
    if kind == "signed_money":
        return ("+" if value >= 0 else "-") + fmt_money(abs(value), lang)
    if kind == "signed_percent":
        return fmt_pct(value, lang, 1 if digits is None else digits, signed=True)
    if kind == "signed":
        return ("+" if value >= 0 else "-") + fmt_number(abs(value), lang, 0)
    if kind == "signed_points":  # a difference of two rates, in percentage points
        return f"{value * 100:+.2f} pp"
    if kind == "points":
        return f"{value * 100:.2f} pp"
    if kind == "fine_percent":  # a share with two decimals under 1% (CUPED narrows by 0.02%)
        return fmt_pct(value, lang, 2 if abs(value) < 0.01 else 1)
    if kind == "pvalue":
        return "< 0.001" if value < 0.001 else f"{value:.3f}"
    if kind == "ratio":
        return fmt_number(value, lang, 2)
    if kind == "index":
        return fmt_number(value, lang, 0)
    return None


def value_text(col: Col, value: Any, lang: str) -> Any:
    """A text value in ``lang`` through the column's ``values`` prefix (unknown values as they are).

    Parameters
    ----------
    col : Col
        The column.
    value : Any
        The value.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    Any
        The translated text, or the value.
    """
    if not col.values or not isinstance(value, str):
        return value
    return _translated(f"{col.values}.{value}", lang) or value


def kpi_text(name: str, value: Any, lang: str) -> str:
    """A key figure as the KPI card shows it: a rate as a percentage, money words as money, else a number.

    Parameters
    ----------
    name : str
        The KPI's name.
    value : Any
        Its value.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The text.
    """
    if _missing(value):
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return cell(Col(name, "text"), value, lang)
    n = name.lower()
    if is_rate(n, value):
        return fmt_pct(value, lang)
    if any(w in n for w in MONEY_WORDS):
        return fmt_money(value, lang)
    return fmt_number(value, lang, 0 if float(value).is_integer() else 2)


def title(ns: str, name: str, lang: str) -> str:
    """A table's heading: ``<ns>.table.<name>`` (a nested table ``a.b``: ``<ns>.table.a.b`` or
    ``<ns>.table.a_b``), else ``<ns>.table.<last part>``, the page's label of that name, else the name.

    Parameters
    ----------
    ns : str
        The page's namespace.
    name : str
        The table's name.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The heading.
    """
    leaf = name.rsplit(".", 1)[-1]
    for key in (f"{ns}.table.{name}", f"{ns}.table.{name.replace('.', '_')}", f"{ns}.table.{leaf}",
                f"{ns}.label.{leaf}", f"{ns}.tab.{leaf}", f"ui.report.table.{leaf}"):
        text = _translated(key, lang)
        if text:
            return text
    return name.replace("_", " ").replace(".", " · ").capitalize()
