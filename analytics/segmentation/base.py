"""Constants, parameters and small helpers shared by the segmentation modules (no engine, no models)."""

from __future__ import annotations

import pandas as pd

from analytics.i18n import t
from analytics.params import Param

FEATURES = ("recency", "frequency", "monetary", "aov", "tenure")
DEFAULT_FEATURES = ["recency", "frequency", "monetary"]
DEFAULT_TIER_COSTS = [0.0, 10.0, 30.0, 80.0]

PARAMS = [
    Param("analysis_date", "date", None, help="segmentation.help.analysis_date"),
    Param("model", "str", "named", choices=("named", "cn8"), help="segmentation.help.model"),
    Param("compare_days", "int", 90, min=1, max=3650, help="segmentation.help.compare_days"),
    Param("features", "list", list(DEFAULT_FEATURES), choices=FEATURES, help="segmentation.help.features"),
    Param("k", "int", None, min=2, max=12, help="segmentation.help.k"),
    Param("seed", "int", 42, min=0, help="segmentation.help.seed"),
    Param("tier_basis", "str", "spend", choices=("spend", "points"), help="segmentation.help.tier_basis"),
    Param("tier_thresholds", "list", None, help="segmentation.help.tier_thresholds"),
    Param("tier_whatif", "list", None, help="segmentation.help.tier_whatif"),
    Param("tier_costs", "list", None, help="segmentation.help.tier_costs"),
    Param("clv_horizon", "int", 12, min=1, max=120, help="segmentation.help.clv_horizon"),
    Param("discount", "float", 0.01, min=0.0, max=0.5, help="segmentation.help.discount"),
    Param("clv_calibration_end", "date", None, help="segmentation.help.clv_calibration_end"),
    Param("time_unit", "str", "week", choices=("day", "week"), help="segmentation.help.time_unit"),
    Param("detail", "str", "summary", choices=("summary", "customers"), help="segmentation.help.detail"),
    Param("audience", "str", None, help="segmentation.help.audience"),
]

# options that only change what present shows (analytics.inputs.fit_params: changing them never refits)
DISPLAY_PARAMS = ("detail", "audience")
FIT_PARAMS = tuple(p.key for p in PARAMS if p.key not in DISPLAY_PARAMS)

NAMED_GROUPS = ("Champions", "Loyal", "Potential loyalists", "New", "Promising", "Need attention",
                "About to sleep", "At risk", "Cannot lose them", "Hibernating", "Lost")
_SEGMENT_GRID = {  # R score -> names for FM = 1..5
    5: ("New", "Potential loyalists", "Potential loyalists", "Champions", "Champions"),
    4: ("Promising", "Potential loyalists", "Potential loyalists", "Loyal", "Loyal"),
    3: ("About to sleep", "About to sleep", "Need attention", "Loyal", "Loyal"),
    2: ("Hibernating", "Hibernating", "At risk", "At risk", "Cannot lose them"),
    1: ("Lost", "Hibernating", "At risk", "At risk", "Cannot lose them"),
}
CN8_GROUPS = ("重要价值", "重要发展", "重要保持", "重要挽留", "一般价值", "一般发展", "一般保持", "一般挽留")
_CN8_BY_RFM = {  # (R high, F high, M high) -> label
    (True, True, True): "重要价值", (True, False, True): "重要发展", (False, True, True): "重要保持",
    (False, False, True): "重要挽留", (True, True, False): "一般价值", (True, False, False): "一般发展",
    (False, True, False): "一般保持", (False, False, False): "一般挽留",
}
CN8_SLUG = {"重要价值": "important_value", "重要发展": "important_develop", "重要保持": "important_retain",
            "重要挽留": "important_winback", "一般价值": "general_value", "一般发展": "general_develop",
            "一般保持": "general_retain", "一般挽留": "general_winback"}
MIN_CLUSTER_CUSTOMERS = 50
SMALL_GROUP = 30


def slug(name: str) -> str:
    """The key of a group name (a cn8 group's English key, else the name lower-cased with underscores).

    Parameters
    ----------
    name : str
        A named or cn8 group.

    Returns
    -------
    str
        The slug.
    """
    return CN8_SLUG.get(name) or name.lower().replace(" ", "_")


def group_label(name: str, lang: str = "en") -> str:
    """Display name of a named or cn8 group in the language (cn8 groups keep their Chinese name in zh,
    with an English gloss in en).

    Parameters
    ----------
    name : str
        A named or cn8 group.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The translated label.
    """
    return t(f"segmentation.group.{slug(name)}", lang)


def group_order(column: str) -> tuple[str, ...]:
    """The display order of the groups of a group column ("group": named model, "group_cn": cn8).

    Parameters
    ----------
    column : str
        ``"group"`` or ``"group_cn"``.

    Returns
    -------
    tuple[str, ...]
        The group names in display order.
    """
    return NAMED_GROUPS if column == "group" else CN8_GROUPS


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


def _as_ts(d) -> pd.Timestamp:
    return pd.Timestamp(d).normalize()


def _floats(x) -> list[float] | None:
    if x is None:
        return None
    if isinstance(x, str):
        x = [s for s in x.split(",") if s.strip()]
    return [float(v) for v in x]
