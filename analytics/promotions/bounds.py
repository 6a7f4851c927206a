"""Per-channel spend limits of a plan: the user's (``bounds``, ``min_<channel>`` / ``max_<channel>``), the
defaults around the recent weekly spend, and the user's own limits with the defaults lifted."""

from __future__ import annotations

import numpy as np

from analytics import mmm

from .base import CONSTR_LOW, CONSTR_UP, RECENT_WEEKS


def parse_bounds(text: str | None, params: dict, channels: list[str],
                 fill: bool = True) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per-channel (min, max) totals from "ch:min:max,..." and/or min_<ch> / max_<ch> params; a limit not
    given is 0 / inf (``fill=False``: NaN, so that :func:`plan_bounds` can tell it from a given one).

    Parameters
    ----------
    text : str | None
        Limits as ``"channel:min:max,..."`` (either number may be empty), or None.
    params : dict
        The page's parameters (``min_<channel>``, ``max_<channel>``).
    channels : list[str]
        The model's channels.
    fill : bool
        Whether a limit not given is 0 / inf (else NaN).

    Returns
    -------
    tuple[np.ndarray, np.ndarray, list[str]]
        Minimum and maximum total per channel and the unreadable items.
    """
    lo = np.zeros(len(channels)) if fill else np.full(len(channels), np.nan)
    hi = np.full(len(channels), np.inf) if fill else np.full(len(channels), np.nan)
    problems: list[str] = []
    idx = {c: i for i, c in enumerate(channels)}
    for item in [s.strip() for s in str(text or "").split(",") if s.strip()]:
        parts = item.split(":")
        name = parts[0].strip()
        if name not in idx or len(parts) < 2:
            problems.append(item)
            continue
        try:
            if len(parts) > 1 and parts[1].strip() != "":
                lo[idx[name]] = float(parts[1])
            if len(parts) > 2 and parts[2].strip() != "":
                hi[idx[name]] = float(parts[2])
        except ValueError:
            problems.append(item)
    for c, i in idx.items():
        for key, arr in (("min_" + c, lo), ("max_" + c, hi)):
            v = params.get(key)
            if v is not None and v != "":
                try:
                    arr[i] = float(v)
                except (TypeError, ValueError):
                    problems.append(f"{key}={v}")
    return lo, hi, problems


def default_weekly_bounds(data: mmm.MMMData) -> tuple[np.ndarray, np.ndarray]:
    """Each channel's default weekly (min, max) spend: within the weekly spend the data has seen for it
    and within [0.5, 2] x its recent weekly spend (the mean of the last 13 weeks), as Robyn's allocator
    bounds channels near current spend. The recent spend lies inside both ranges, so the default budget
    (the recent spend) always fits.

    Parameters
    ----------
    data : mmm.MMMData
        The weekly model data.

    Returns
    -------
    tuple[np.ndarray, np.ndarray]
        Weekly minimum and maximum per channel.
    """
    n = len(data.y)
    if not n:
        return np.zeros(len(data.channels)), np.zeros(len(data.channels))
    cur = data.X[-min(RECENT_WEEKS, n):].mean(axis=0)
    lo = np.maximum(data.X.min(axis=0), CONSTR_LOW * cur)
    hi = np.minimum(data.X.max(axis=0), CONSTR_UP * cur)
    return lo, np.maximum(hi, lo)


def plan_bounds(data: mmm.MMMData, params: dict, weeks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                                   list[str]]:
    """(lo, hi) totals over ``weeks`` for each channel: the user's limits where given (``bounds`` /
    min_<ch> / max_<ch>), else :func:`default_weekly_bounds` x weeks; and the user's own (lo, hi), NaN
    where not given (what remains when the default limits are lifted); and the unreadable items.

    Parameters
    ----------
    data : mmm.MMMData
        The weekly model data.
    params : dict
        The page's parameters (``bounds``, ``min_<channel>``, ``max_<channel>``).
    weeks : int
        The plan's weeks.

    Returns
    -------
    tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]
        lo, hi, the user's lo, the user's hi, the unreadable items.
    """
    ulo, uhi, bad = parse_bounds(params.get("bounds"), params, data.channels, fill=False)
    dlo, dhi = default_weekly_bounds(data)
    lo = np.where(np.isnan(ulo), dlo * weeks, ulo)
    hi = np.where(np.isnan(uhi), np.maximum(dhi * weeks, lo), uhi)
    return lo, hi, ulo, uhi, bad


def _lifted(lo_user: np.ndarray, hi_user: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The user's own limits with the default ones lifted (0 and no maximum where not given)."""
    return np.where(np.isnan(lo_user), 0.0, lo_user), np.where(np.isnan(hi_user), np.inf, hi_user)
