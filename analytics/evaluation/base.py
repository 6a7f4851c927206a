"""Names, limits and small helpers shared by the parts of the post-campaign evaluation."""

from __future__ import annotations

import re

import numpy as np

NS = "evaluation"

OUTCOMES = ("visit", "conversion", "revenue", "revenue_per_converter")
RATE_OUTCOMES = ("visit", "conversion")
SEGMENT_OUTCOMES = ("visit", "conversion", "revenue")

CONTROL_RE = re.compile(
    r"control|no[\s_-]*e?-?mail|hold[\s_-]*out|baseline|untreated|no[\s_-]*treat|placebo|对照|空白|未发|不发|未触达|基线",
    re.IGNORECASE,
)
MAX_SEGMENT_LEVELS = 20
MAX_UPLIFT_LEVELS = 50
MAX_CONTROLS = 10
MAX_COMMENTS = 20_000
MAX_CAMPAIGN_COMMENTS = 5_000
SMALL_GROUP = 100
FEW_EVENTS = 30
CF_COLUMNS = ("region", "channel", "category", "city")
MAX_CF_VALUES = 300


def _f(x) -> float | None:
    """A finite float, else None."""
    if x is None:
        return None
    x = float(x)
    return None if not np.isfinite(x) else x


def _pfmt(p) -> str:
    """"< 0.001" or "= 0.012" (templates write "p {p}")."""
    if p is None or not np.isfinite(p):
        return "= —"
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def _attr_label(col: str) -> str:
    """An attribute column's name as the user wrote it (``attr_`` removed)."""
    return col[5:] if col.startswith("attr_") else col


def attr_name(name: object, lang: str, inline: bool = False) -> str:
    """An attribute's (or an order column's) name as people say it: ``evaluation.attr.<name>`` (member_level:
    会员等级 / Member level), else the name as the user wrote it; ``inline``: inside an English sentence
    ("differs by member level").

    Parameters
    ----------
    name : object
        The attribute, ``attr_`` removed (``member_level``, ``region``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    inline : bool
        Whether the name stands inside a sentence (English: lower case).

    Returns
    -------
    str
        The name to show.
    """
    from analytics.i18n import t

    key = f"{NS}.attr.{name}"
    text = t(key, lang)
    if text == key:
        return str(name)
    return text[:1].lower() + text[1:] if inline and lang == "en" else text


def value_name(value: object, lang: str) -> str:
    """A fixed value of an attribute in ``lang`` (``evaluation.value.<value>``: new / returning as 新客 / 老客);
    a value from the data (黑金, 广东, JD) as it is.

    Parameters
    ----------
    value : object
        The value.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The value to show.
    """
    from analytics.i18n import t

    key = f"{NS}.value.{value}"
    text = t(key, lang)
    return str(value) if text == key else text


def attr_value(name: object, value: object, lang: str) -> str:
    """"会员等级：黑金" / "Member level: 黑金": an attribute's name and one of its values (a channel by its usual
    name, :func:`series_name`).

    Parameters
    ----------
    name : object
        The attribute.
    value : object
        Its value.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The text.
    """
    from analytics.i18n import t

    shown = series_name(name, value, lang) if name == "channel" else value_name(value, lang)  # 渠道：抖音
    return t(f"{NS}.label.attr_value", lang, attribute=attr_name(name, lang), value=shown)


def series_name(by: object, value: object, lang: str) -> str:
    """The treated series of a counterfactual as people say it: a channel by its usual name
    (analytics.channel_names.channel_label: Douyin reads 抖音 in Chinese), another column's value as it is.

    Parameters
    ----------
    by : object
        The orders' column the series is a value of (``channel``, ``region``, ...).
    value : object
        The value.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The text.
    """
    from analytics.channel_names import channel_label

    return channel_label(value, lang) if by == "channel" and value not in (None, "") else str(value or "")


def feature_name(feature: object, lang: str) -> str:
    """An uplift model's feature as people say it: ``channel=JD`` as "渠道：JD", ``age`` as its attribute name.

    Parameters
    ----------
    feature : object
        The feature (``<attribute>=<value>`` for one value of a text attribute).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The text.
    """
    name, sep, value = str(feature).partition("=")
    return attr_value(name, value, lang) if sep else attr_name(name, lang)


def pick_control(groups: list[str], sizes: np.ndarray, requested: str | None) -> tuple[str, str]:
    """(control group, how it was chosen: "param" | "name" | "smallest").

    Parameters
    ----------
    groups : list[str]
        The group names.
    sizes : np.ndarray
        Units per group (same order).
    requested : str | None
        The control the user asked for, or None.

    Returns
    -------
    tuple[str, str]
        The control group and how it was chosen: ``"param"`` (requested), ``"name"`` (matches CONTROL_RE) or
        ``"smallest"``.
    """
    if requested and requested in groups:
        return requested, "param"
    named = [g for g in groups if CONTROL_RE.search(g)]
    if named:
        return named[0], "name"
    return groups[int(np.argmin(sizes))], "smallest"


def parse_split(split: str | None, k: int) -> list[float] | None:
    """"1:1:1" / "40:40:20" / "50,50" -> weights, or None when absent or malformed.

    Parameters
    ----------
    split : str | None
        The planned split as text ("1:1:1", "40:40:20", "50,50"; ``%`` allowed), or None.
    k : int
        Number of groups the split must cover.

    Returns
    -------
    list[float] | None
        The ``k`` positive weights, or None when absent or malformed.
    """
    if not split:
        return None
    parts = [p for p in re.split(r"[:/,;\s]+", str(split).strip()) if p]
    try:
        w = [float(p.rstrip("%")) for p in parts]
    except ValueError:
        return None
    if len(w) != k or any(x <= 0 or not np.isfinite(x) for x in w):
        return None
    return w
