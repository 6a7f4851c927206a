"""Pacing: a plan's spend spread over its dates by a template's phases (蓄水 warm-up, 预热 pre-heat, 爆发 burst,
返场 encore), and the outcome of the paced plan through the model's carryover and saturation."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from analytics import mmm

from .base import TEMPLATES


def pacing(allocation: dict[str, float], total: float, start: date, weeks: int, template: str) -> tuple[list, list]:
    """Timeline rows (date, phase, channel, spend) and phase summary rows.

    Parameters
    ----------
    allocation : dict[str, float]
        Channel -> spend over the plan.
    total : float
        Total spend.
    start : date
        The plan's first day.
    weeks : int
        The plan's weeks.
    template : str
        A key of TEMPLATES (the phases with their budget and time shares).

    Returns
    -------
    tuple[list, list]
        Timeline rows (``date``, ``phase``, ``channel``, ``spend``) and phase rows (``phase``, ``start``,
        ``end``, ``days``, ``budget_share``, ``spend``).
    """
    days = int(weeks) * 7
    phases = TEMPLATES[template]
    raw = np.array([p[2] for p in phases]) * days
    dur = np.maximum(np.floor(raw).astype(int), 1)
    while dur.sum() < days:  # largest remainders first
        dur[int(np.argmax(raw - dur))] += 1
    while dur.sum() > days:
        dur[int(np.argmax(dur))] -= 1
    shares = {c: (v / total if total > 0 else 0.0) for c, v in allocation.items()}
    timeline, summary = [], []
    day0 = pd.Timestamp(start)
    offset = 0
    for (name, bshare, _), n_days in zip(phases, dur):
        budget = total * bshare
        per_day = budget / n_days
        summary.append({"phase": name, "start": (day0 + pd.Timedelta(days=offset)).date(),
                        "end": (day0 + pd.Timedelta(days=offset + n_days - 1)).date(), "days": int(n_days),
                        "budget_share": bshare, "spend": budget})
        for k in range(n_days):
            d = (day0 + pd.Timedelta(days=offset + k)).date()
            for c, s in shares.items():
                timeline.append({"date": d, "phase": name, "channel": c, "spend": per_day * s})
        offset += n_days
    return timeline, summary


def _paced_outcome(fit: mmm.MMMFit, timeline: list[dict], weeks: int) -> float:
    """Outcome of a paced plan through adstock + saturation (weekly sums, carryover tail of l_max weeks)."""
    if not timeline:
        return 0.0
    tl = pd.DataFrame(timeline)
    tl["week"] = (pd.to_datetime(tl["date"]) - pd.to_datetime(tl["date"]).min()).dt.days // 7
    w = tl.pivot_table(index="week", columns="channel", values="spend", aggfunc="sum").reindex(
        columns=fit.data.channels, fill_value=0.0).fillna(0.0)
    arr = np.vstack([w.to_numpy(), np.zeros((mmm.L_MAX, w.shape[1]))])
    out = 0.0
    for c in range(arr.shape[1]):
        x = mmm.adstock(arr[:, c] / fit.scale[c], fit.alpha[c])
        out += float(np.sum(fit.beta[c] * mmm.logistic_saturation(x, fit.lam[c])))
    return out
