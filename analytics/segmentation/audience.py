"""Audiences: the customers of a group, cluster, tier or churn band (drill-downs and export files), from
the per-customer frame; and the list of audiences a page result offers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.i18n import t

from .base import group_label
from .tiers import tier_name

AUDIENCE_COLUMNS = {
    "rfm": ["recency_days", "frequency", "monetary", "r", "f", "m", "group"],
    "cn8": ["recency_days", "frequency", "monetary", "group_cn"],
    "cluster": ["recency_days", "frequency", "monetary", "aov", "tenure_days", "cluster"],
    "tier": ["tier_basis_value", "tier"],
    "churn": ["p_alive", "churn_risk", "clv"],
}


def parse_spec(spec) -> tuple[str, str]:
    """'rfm:At risk' / ('tier', '3') / {'source': ..., 'value': ...} -> (source, value).

    Parameters
    ----------
    spec
        A segment as ``"source:value"`` text, a (source, value) pair, or a dict with ``source`` and ``value``.

    Returns
    -------
    tuple[str, str]
        (source, value) as strings.
    """
    if isinstance(spec, dict):
        return str(spec["source"]), str(spec["value"])
    if isinstance(spec, (tuple, list)):
        return str(spec[0]), str(spec[1])
    src, _, val = str(spec).partition(":")
    return src.strip(), val.strip()


def segment_mask(tab: pd.DataFrame, source: str, value) -> np.ndarray:
    """The customers of one segment: a boolean mask over ``tab``'s rows.

    Parameters
    ----------
    tab : pd.DataFrame
        Customer table with the segment's column (``group``, ``group_cn``, ``cluster``, ``tier`` or
        ``churn_risk``).
    source : str
        rfm, cn8, cluster, tier or churn (ValueError otherwise, or when the column is missing).
    value
        The group name, cluster number, tier number or churn band.

    Returns
    -------
    np.ndarray
        True for the segment's customers.
    """
    col = {"rfm": "group", "cn8": "group_cn", "cluster": "cluster", "tier": "tier", "churn": "churn_risk"}.get(source)
    if col is None:
        raise ValueError(f"unknown segment source {source!r}: rfm, cn8, cluster, tier or churn")
    if col not in tab.columns:
        raise ValueError(f"the frame has no {col!r} column; build it with the matching option")
    s = tab[col]
    if col in ("cluster", "tier"):
        return (s.to_numpy(dtype=float) == float(value))
    return (s.astype("str") == str(value)).to_numpy()


def customers_in(tab: pd.DataFrame, spec) -> pd.DataFrame:
    """Audience for export: customer ids of a group / cluster / tier / churn band with the attributes
    that defined it. ``tab`` comes from customer_frame (or rfm_table for rfm / cn8 specs).

    Parameters
    ----------
    tab : pd.DataFrame
        Customer table (``customer_id``, the segment's column and the AUDIENCE_COLUMNS of the source).
    spec
        The segment (see :func:`parse_spec`).

    Returns
    -------
    pd.DataFrame
        Columns ``customer_id`` and the source's AUDIENCE_COLUMNS present, highest value first (tier basis,
        CLV or monetary).
    """
    source, value = parse_spec(spec)
    mask = segment_mask(tab, source, value)
    cols = ["customer_id"] + [c for c in AUDIENCE_COLUMNS[source] if c in tab.columns]
    sort_by = {"tier": "tier_basis_value", "churn": "clv"}.get(source, "monetary")
    out = tab.loc[mask, cols]
    if sort_by in out.columns:
        out = out.sort_values(sort_by, ascending=False, kind="stable")
    return out.reset_index(drop=True)


DRILL_SOURCES = ("rfm", "cn8", "cluster", "tier", "churn")


def audience_options(result: dict, lang: str = "en") -> list[dict]:
    """Every group, cluster, tier and churn band of a page result that a drill-down can open:
    [{"spec": "rfm:At risk", "source": "rfm", "label": ..., "customers": n}, ...].

    Parameters
    ----------
    result : dict
        The page result (``model``, ``rfm_groups``, ``rfm_groups_other``, ``clusters``, ``tiers``, ``clv``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        One dict per segment with ``spec``, ``source``, ``label`` and ``customers``.
    """
    out: list[dict] = []
    model_src = "rfm" if result.get("model", "named") == "named" else "cn8"
    other_src = "cn8" if model_src == "rfm" else "rfm"
    for src, rows in ((model_src, result.get("rfm_groups")), (other_src, result.get("rfm_groups_other"))):
        for g in rows or []:
            out.append({"spec": f"{src}:{g['group']}", "source": src, "label": group_label(g["group"], lang),
                        "customers": g["customers"]})
    for pr in (result.get("clusters") or {}).get("profiles") or []:
        out.append({"spec": f"cluster:{pr['cluster']}", "source": "cluster",
                    "label": t("segmentation.label.cluster", lang, n=pr["cluster"]), "customers": pr["customers"]})
    cur = (result.get("tiers") or {}).get("current") or []
    for r in reversed(cur):
        out.append({"spec": f"tier:{r['tier']}", "source": "tier", "label": tier_name(r["tier"], len(cur), lang),
                    "customers": r["customers"]})
    for b in (result.get("clv") or {}).get("churn_bands") or []:
        out.append({"spec": f"churn:{b['band']}", "source": "churn", "label": t(f"segmentation.churn.{b['band']}", lang),
                    "customers": b["customers"]})
    return out


def labelled(aud: pd.DataFrame, lang: str = "en", n_tiers: int | None = None) -> pd.DataFrame:
    """An audience (:func:`customers_in`) with its segment columns in the language, as the page names them
    (the named and cn8 groups, tier names, churn bands); the ids and numbers unchanged, a copy.

    Parameters
    ----------
    aud : pd.DataFrame
        An audience.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    n_tiers : int | None
        The number of tiers (their names depend on it); None leaves a ``tier`` column as numbers.

    Returns
    -------
    pd.DataFrame
        The audience with ``group``, ``group_cn``, ``tier`` and ``churn_risk`` as labels.
    """
    out = aud.copy()

    def relabel(col: str, label) -> None:  # each distinct value once (an audience can be a million rows)
        if col in out.columns:
            out[col] = out[col].map({v: label(v) for v in out[col].dropna().unique()})

    relabel("group", lambda g: group_label(str(g), lang))
    relabel("group_cn", lambda g: group_label(str(g), lang))
    relabel("churn_risk", lambda b: t(f"segmentation.churn.{b}", lang))
    if n_tiers:
        relabel("tier", lambda i: tier_name(int(i), n_tiers, lang))
    return out


def audience_file(spec: str) -> str:
    """The file name part of an audience export: ``rfm_at_risk``, ``cluster_2``, ``tier_gold``.

    Parameters
    ----------
    spec : str
        A segment spec, ``"source:value"``.

    Returns
    -------
    str
        The file name part.
    """
    from .base import slug

    src, _, val = spec.partition(":")
    return f"{src}_{slug(val) if src in ('rfm', 'cn8') else val}"
