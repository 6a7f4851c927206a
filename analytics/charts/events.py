"""Many events drawn as a bounded number of markers: price moves as aggregates per period, competitor and
direction (:func:`aggregate_moves`)."""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta
from typing import Iterable

from .base import MAX_MOVE_MARKERS


def _period_start(d: date, grain: str) -> date:
    if grain == "week":
        return d - timedelta(days=d.weekday())
    if grain == "month":
        return d.replace(day=1)
    return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)


def aggregate_moves(events: Iterable[dict], max_markers: int = MAX_MOVE_MARKERS) -> tuple[list[dict], str]:
    """Price moves as at most ``max_markers`` groups: per week (else month, else quarter), competitor and
    direction; beyond that the competitors of a period are pooled.

    Parameters
    ----------
    events : Iterable[dict]
        Price moves with ``date`` (date or ISO text), ``competitor``, ``change_pct`` and optionally
        ``price``; a move without a date or change is left out.
    max_markers : int
        The most groups wanted.

    Returns
    -------
    tuple[list[dict], str]
        (groups, grain): the groups in order of period, competitor and direction, each with ``period`` (ISO
        date of the period's start), ``competitor`` (None when pooled), ``competitors`` (the names in it),
        ``direction`` (-1 cut, +1 rise), ``n`` moves, ``median_change``, ``price`` (median new price, None
        when no move has one) and ``largest`` (the move with the largest change); grain is ``"week"``,
        ``"month"`` or ``"quarter"``. When even pooled quarters are too many, the first ``max_markers``.
    """
    evs = [e for e in events if e.get("change_pct") is not None and e.get("date")]
    days = [e["date"] if isinstance(e["date"], date) else datetime.fromisoformat(str(e["date"])[:10]).date()
            for e in evs]  # read once, not once per grain tried
    best: tuple[list[dict], str] = ([], "week")
    for pooled in (False, True):
        for grain in ("week", "month", "quarter"):
            groups: dict[tuple, list[dict]] = {}
            for e, d in zip(evs, days):
                key = (_period_start(d, grain), None if pooled else e["competitor"], -1 if e["change_pct"] < 0 else 1)
                groups.setdefault(key, []).append(e)
            out = []
            for (p, comp, sign), g in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1]), kv[0][2])):
                big = max(g, key=lambda e: abs(e["change_pct"]))
                out.append({"period": p.isoformat(), "competitor": comp, "direction": sign, "n": len(g),
                            "competitors": sorted({str(e["competitor"]) for e in g}),
                            "median_change": statistics.median(e["change_pct"] for e in g),
                            "price": statistics.median(e["price"] for e in g if e.get("price") is not None)
                            if any(e.get("price") is not None for e in g) else None,
                            "largest": big})
            best = (out, grain)
            if len(out) <= max_markers:
                return best
    return best[0][:max_markers], best[1]
