"""Message catalogue shared by analytics (generated sentences) and the UI (labels).

Catalogues live in ``analytics/locales/<namespace>.json`` as ``{"en": {...}, "zh": {...}}``; a key
``"market.kpi.gross_sales"`` is looked up in ``market.json`` under ``"kpi.gross_sales"``. Both
languages must hold the same keys (tests/unit/test_i18n.py). Placeholders use ``str.format`` syntax.
Numbers and dates are formatted for the language with :func:`fmt_number`, :func:`fmt_money`,
:func:`fmt_pct` and :func:`fmt_date`.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterable

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
LOCALE_DIR = Path(__file__).with_name("locales")


@lru_cache(maxsize=None)
def catalogue(namespace: str) -> dict[str, dict[str, str]]:
    """The texts of one locale file (``analytics/locales/<namespace>.json``), read once.

    Parameters
    ----------
    namespace : str
        The file's stem (``market``, ``ui``, ...).

    Returns
    -------
    dict[str, dict[str, str]]
        Language -> key -> text, for every language of LANGS (empty where the file has none).
    """
    path = LOCALE_DIR / f"{namespace}.json"
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    return {lang: data.get(lang, {}) for lang in LANGS}


def namespaces() -> list[str]:
    """The namespaces that have a locale file.

    Returns
    -------
    list[str]
        Their names, sorted.
    """
    return sorted(p.stem for p in LOCALE_DIR.glob("*.json"))


def t(key: str, lang: str = DEFAULT_LANG, /, **kwargs: object) -> str:
    """Translate ``namespace.rest.of.key``; falls back to English, then to the key itself.

    Parameters
    ----------
    key : str
        ``namespace.rest.of.key``.
    lang : str
        Language code, ``'en'`` or ``'zh'`` (another value means English).
    **kwargs : object
        Values for the text's ``{placeholders}``; a text that does not format is returned unformatted.

    Returns
    -------
    str
        The text.
    """
    if lang not in LANGS:
        lang = DEFAULT_LANG
    ns, _, rest = key.partition(".")
    try:
        cat = catalogue(ns)
    except FileNotFoundError:
        return key
    text = cat.get(lang, {}).get(rest)
    if text is None:
        text = cat.get(DEFAULT_LANG, {}).get(rest, key)
    if kwargs:
        try:
            return text.format(**kwargs)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def _isnan(x: object) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


BIG = 1e15  # from here on a number is shown in scientific notation (1.23e+20), not 21 digits


def _special(v: float) -> str | None:
    """Text for a value the usual format cannot show honestly: infinity, and numbers of 1e15 or more."""
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    if abs(v) >= BIG:
        return f"{v:.3g}"
    return None


def fmt_number(x: object, lang: str = DEFAULT_LANG, digits: int = 0) -> str:
    """1,234,567 in English; 123.5万 / 1.2亿 in Chinese for large numbers; ∞ for an overflowed total.

    Parameters
    ----------
    x : object
        A number (None or NaN: "—").
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    digits : int
        Decimals in the English form.

    Returns
    -------
    str
        The formatted number.
    """
    if _isnan(x):
        return "—"
    v = float(x)  # type: ignore[arg-type]
    if _special(v) is not None:
        return _special(v)  # type: ignore[return-value]
    if lang == "zh" and abs(v) >= 1e8:
        return f"{v / 1e8:,.2f}亿"
    if lang == "zh" and abs(v) >= 1e4:
        return f"{v / 1e4:,.1f}万"
    return f"{v:,.{digits}f}"


def fmt_money(x: object, lang: str = DEFAULT_LANG, currency: str = "", digits: int = 2) -> str:
    """An amount in the data's own currency (no symbol is guessed), formatted as :func:`fmt_number` with two
    decimals.

    Parameters
    ----------
    x : object
        The amount (None or NaN: "—").
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    currency : str
        Symbol to put before the number ("" by default).
    digits : int
        Decimals.

    Returns
    -------
    str
        The formatted amount.
    """
    if _isnan(x):
        return "—"
    sym = currency  # amounts stay in the data's own currency; no symbol is guessed
    v = float(x)  # type: ignore[arg-type]
    sign = "-" if v < 0 else ""
    body = fmt_number(abs(v), lang, digits if abs(v) < 1e4 or lang != "zh" else digits)
    return f"{sign}{sym}{body}"


def fmt_kpi(x: object, lang: str = DEFAULT_LANG, money: bool = False) -> str:
    """A KPI card's value, short enough never to be cut: in English 12.35M / 1.23B from a million on
    (in Chinese fmt_number's 万 / 亿 already are); below that fmt_money / fmt_number. The exact value
    goes in the card's help (components.ui.kpi_cards).

    Parameters
    ----------
    x : object
        The value (None or NaN: "—").
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    money : bool
        Whether it is an amount.

    Returns
    -------
    str
        The short text.
    """
    if _isnan(x):
        return "—"
    v = float(x)  # type: ignore[arg-type]
    if lang != "zh" and _special(v) is None and abs(v) >= 1e6:
        unit, div = ("B", 1e9) if abs(v) >= 1e9 else ("M", 1e6)
        return f"{'-' if v < 0 else ''}{abs(v) / div:,.2f}{unit}"
    return fmt_money(v, lang) if money else fmt_number(v, lang, 0 if float(v).is_integer() else 2)


def fmt_pct(x: object, lang: str = DEFAULT_LANG, digits: int = 1, signed: bool = False) -> str:
    """x is a fraction (0.125 -> 12.5%).

    Parameters
    ----------
    x : object
        The fraction (None or NaN: "—").
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    digits : int
        Decimals (a small non-zero rate keeps two significant digits).
    signed : bool
        Whether to show the sign of a positive value.

    Returns
    -------
    str
        The percentage text.
    """
    if _isnan(x):
        return "—"
    v = float(x) * 100  # type: ignore[arg-type]
    special = _special(v)
    if special is not None:
        return (("+" if v > 0 and signed and not special.startswith("-") else "") + special + "%")
    if 1e-4 <= abs(v) < 0.5 * 10 ** -digits:  # a small rate keeps two significant digits: 0.018%, not 0.0%
        digits = min(8, -int(math.floor(math.log10(abs(v)))) + 1)
    if round(v, digits) == 0:
        v = 0.0  # a tiny negative value reads 0.0%, never -0.0%
    return f"{v:+.{digits}f}%" if signed else f"{v:.{digits}f}%"


def fmt_date(d: object, lang: str = DEFAULT_LANG) -> str:
    """A date as ``5 Jun 2024`` in English, ``2024年6月5日`` in Chinese.

    Parameters
    ----------
    d : object
        A date, datetime, timestamp or ISO text (None: "—").
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The formatted date.
    """
    if d is None:
        return "—"
    if isinstance(d, str):
        d = datetime.fromisoformat(d)
    if isinstance(d, datetime):
        d = d.date()
    if not isinstance(d, date):
        try:
            d = d.date()  # pandas Timestamp
        except AttributeError:
            return str(d)
    if lang == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return d.strftime("%d %b %Y").lstrip("0")


def join_sentences(texts: Iterable[str], lang: str = DEFAULT_LANG) -> str:
    """Sentences one after the other: nothing after a Chinese full stop (。), one space in English.

    Parameters
    ----------
    texts : Iterable[str]
        The sentences, in order.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The text.
    """
    return ("" if str(lang).startswith("zh") else " ").join(texts)


def fmt_list(items: Iterable[object], lang: str = DEFAULT_LANG) -> str:
    """Items as one list in running text: ``a, b, c`` in English, ``a、b、c`` in Chinese (the enumeration comma).

    Parameters
    ----------
    items : Iterable[object]
        The items (as text).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The list.
    """
    return ("、" if lang == "zh" else ", ").join(str(x) for x in items)
