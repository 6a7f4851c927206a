"""Member tiers: thresholds on a per-customer basis (net sales of the last 365 days, or loyalty points),
tier counts and the what-if of proposed thresholds with their benefit cost."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics.common import NotEnoughData
from analytics.i18n import t

from .base import DEFAULT_TIER_COSTS

TIER_SLUGS = ("basic", "silver", "gold", "platinum")


def tier_name(i: int, n_tiers: int, lang: str = "en") -> str:
    """The name of tier ``i`` (0 = lowest): Member / Silver / Gold / Platinum with four tiers, else "Tier n".

    Parameters
    ----------
    i : int
        Tier index.
    n_tiers : int
        Number of tiers.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The translated name.
    """
    if n_tiers == 4:
        return t(f"segmentation.tier.{TIER_SLUGS[i]}", lang)
    return t("segmentation.tier.n", lang, n=i + 1)


def _nice(x: float) -> float:
    if x <= 0 or not np.isfinite(x):
        return 0.0
    mag = 10 ** (math.floor(math.log10(x)) - 1)
    return float(round(x / mag) * mag)


def default_thresholds(values: pd.Series | np.ndarray) -> list[float]:
    """Thresholds of 4 tiers: the 50th, 80th and 95th percentiles of the positive values, rounded to two
    significant digits (strictly increasing).

    Parameters
    ----------
    values : pd.Series | np.ndarray
        Tier basis per customer (NotEnoughData when none is positive).

    Returns
    -------
    list[float]
        Three increasing thresholds.
    """
    v = np.asarray(values, float)
    v = v[np.isfinite(v) & (v > 0)]
    if len(v) == 0:
        raise NotEnoughData("segmentation.error.no_tier_basis")
    qs = [_nice(q) for q in np.quantile(v, [0.5, 0.8, 0.95])]
    out: list[float] = []
    for q in qs:
        q = max(q, out[-1] * 1.1 if out else 0.0, 1.0)
        out.append(_nice(q) if _nice(q) > (out[-1] if out else 0) else q)
    return out


def assign_tiers(values, thresholds) -> np.ndarray:
    """Tier index 0..len(thresholds): the number of thresholds the value reaches (value >= threshold).

    Parameters
    ----------
    values
        Tier basis per customer.
    thresholds
        The thresholds (any order).

    Returns
    -------
    np.ndarray
        The tier index of each value.
    """
    th = np.sort(np.asarray(thresholds, float))
    return np.searchsorted(th, np.asarray(values, float), side="right").astype(np.int64)


def tier_values(tab: pd.DataFrame, spend_last_year: pd.Series, points: pd.Series | None,
                basis: str) -> tuple[pd.Series, str, str | None]:
    """The tier basis of every customer of ``tab`` (Series on tab.index), the basis used and the i18n key
    of a warning: points (customers without points count 0) when asked for and the customers table has
    them, else the net sales of the 365 days before the analysis date (``spend_last_year``, by code).

    Parameters
    ----------
    tab : pd.DataFrame
        Customer table indexed by code, with ``customer_id``.
    spend_last_year : pd.Series
        Net sales of the 365 days before the analysis date, by code.
    points : pd.Series | None
        Points by customer id, or None when the customers table has none.
    basis : str
        "points" or "spend".

    Returns
    -------
    tuple[pd.Series, str, str | None]
        The basis values, the basis used ("points" or "spend") and a warning key or None.
    """
    spend = spend_last_year.reindex(tab.index, fill_value=0.0)
    if basis == "points":
        if points is not None:
            vals = points.reindex(tab["customer_id"].to_numpy()).fillna(0.0)
            return pd.Series(vals.to_numpy(float), index=tab.index), "points", None
        return spend, "spend", "segmentation.warning.no_points"
    return spend, "spend", None


def tier_counts(values, current, proposed=None, costs=None) -> dict:
    """Tier counts under current and proposed thresholds, customers moving up / down and the benefit
    cost (cost per customer per tier, for each tier). Numbers only; :func:`label_tiers` adds names.

    Parameters
    ----------
    values
        Tier basis per customer.
    current
        The current thresholds.
    proposed
        The what-if thresholds (as many as ``current``), or None.
    costs
        Benefit cost per customer of each tier (None: DEFAULT_TIER_COSTS for four tiers, else 0).

    Returns
    -------
    dict
        ``thresholds``, ``costs``, ``customers``, ``current`` (rows: tier, customers, share, basis_total,
        benefit_cost), ``cost_current``; with ``proposed`` also ``proposed_thresholds``, ``proposed``,
        ``moved_up``, ``moved_down``, ``cost_proposed``, ``cost_delta``, ``matrix`` (current x proposed
        counts).
    """
    values = np.asarray(values, float)
    current = sorted(float(x) for x in current)
    n_tiers = len(current) + 1
    costs = [float(c) for c in (costs if costs is not None else
                                (DEFAULT_TIER_COSTS if n_tiers == 4 else [0.0] * n_tiers))]
    if len(costs) != n_tiers:
        raise ValueError(f"{n_tiers} tier costs needed, got {len(costs)}")
    cur = assign_tiers(values, current)
    out = {"thresholds": current, "costs": costs, "customers": int(len(values))}

    def table(tiers: np.ndarray) -> list[dict]:
        counts = np.bincount(tiers, minlength=n_tiers)
        spend = np.bincount(tiers, weights=values, minlength=n_tiers)
        return [{"tier": i, "customers": int(counts[i]),
                 "share": float(counts[i] / len(values)) if len(values) else None, "basis_total": float(spend[i]),
                 "benefit_cost": float(counts[i] * costs[i])} for i in range(n_tiers)]

    out["current"] = table(cur)
    out["cost_current"] = float(sum(r["benefit_cost"] for r in out["current"]))
    if proposed is not None:
        proposed = sorted(float(x) for x in proposed)
        if len(proposed) != len(current):
            raise ValueError("proposed thresholds must have as many values as the current ones")
        new = assign_tiers(values, proposed)
        out["proposed_thresholds"] = proposed
        out["proposed"] = table(new)
        out["moved_up"] = int((new > cur).sum())
        out["moved_down"] = int((new < cur).sum())
        out["cost_proposed"] = float(sum(r["benefit_cost"] for r in out["proposed"]))
        out["cost_delta"] = out["cost_proposed"] - out["cost_current"]
        ct = np.zeros((n_tiers, n_tiers), dtype=np.int64)
        np.add.at(ct, (cur, new), 1)
        out["matrix"] = ct.tolist()
    return out


def label_tiers(counts: dict, lang: str = "en") -> dict:
    """:func:`tier_counts` with the tier names in the language (a copy).

    Parameters
    ----------
    counts : dict
        :func:`tier_counts`.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The copy, each tier row with ``name``.
    """
    out = dict(counts)
    n_tiers = len(counts["current"])
    for key in ("current", "proposed"):
        if key in counts:
            out[key] = [{"tier": r["tier"], "name": tier_name(r["tier"], n_tiers, lang),
                         **{k: v for k, v in r.items() if k != "tier"}} for r in counts[key]]
    return out


def tiers_whatif(values, current, proposed=None, costs=None, lang: str = "en") -> dict:
    """Tier counts under current and proposed thresholds, customers moving up / down and the benefit
    cost (cost per customer per tier, for each tier), with tier names.

    Parameters
    ----------
    values
        Tier basis per customer.
    current
        The current thresholds.
    proposed
        The what-if thresholds, or None.
    costs
        Benefit cost per customer of each tier, or None.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        :func:`tier_counts` with names (:func:`label_tiers`).
    """
    return label_tiers(tier_counts(values, current, proposed, costs), lang)
