"""Budget planning on the response curves: the exact KKT allocation of a budget (:func:`optimise`), the
saturation ceiling and the smallest budget that reaches a target outcome, incremental outcome or ROI."""

from __future__ import annotations

import numpy as np

from .curves import Curves


def _spend_at_mu(curves: Curves, mu: float, weeks: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per-channel total spend whose marginal return equals mu, clipped to [lo, hi] (closed form)."""
    beta, lam, scale = curves.beta, curves.lam, curves.scale
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # marginal = beta/scale * lam/2 * (1 - tanh(lam x/2)^2) = mu  ->  tanh^2 = 1 - 2 mu scale / (beta lam)
        q = 1.0 - 2.0 * mu * scale / (beta * lam)
        q = np.where(np.isfinite(q), q, -1.0)
        x = np.where(q > 0, 2.0 / lam * np.arctanh(np.sqrt(np.clip(q, 0, 1 - 1e-16))), 0.0)
    s = x * scale * weeks
    return np.clip(s, lo, hi)


def optimise(curves: Curves, budget: float, weeks: float = 4.0, lower: np.ndarray | None = None,
             upper: np.ndarray | None = None) -> dict:
    """Allocation of ``budget`` (total over the horizon) maximising the summed outcome (exact KKT solution).

    Returns dict(spend (C,), outcome (C,), marginal (C,), status: "ok" | "below_min" | "above_max", mu).

    Parameters
    ----------
    curves : Curves
        The response curves.
    budget : float
        Total budget over the horizon.
    weeks : float
        Weeks of the horizon.
    lower : np.ndarray | None
        Minimum spend per channel, or None.
    upper : np.ndarray | None
        Maximum spend per channel, or None.

    Returns
    -------
    dict
        ``spend``, ``outcome``, ``marginal`` per channel and ``status``.
    """
    C = len(curves.channels)
    lo = np.zeros(C) if lower is None else np.asarray(lower, dtype=float).copy()
    hi = np.full(C, np.inf) if upper is None else np.asarray(upper, dtype=float).copy()
    lo = np.where(np.isfinite(lo), np.maximum(lo, 0), 0.0)
    hi = np.where(np.isnan(hi), np.inf, hi)
    hi = np.maximum(hi, lo)
    budget = float(budget)
    status = "ok"
    if budget <= lo.sum() + 1e-12:
        s = lo.copy()
        status = "below_min" if budget < lo.sum() - 1e-9 * max(1.0, budget) else "ok"
    elif budget >= hi.sum():
        s = hi.copy()
        status = "above_max" if budget > hi.sum() + 1e-9 * max(1.0, budget) else "ok"
    else:
        mu_hi = float(np.max(curves.beta * curves.lam / (2 * curves.scale))) * 1.0001 + 1e-300
        mu_lo = mu_hi
        for _ in range(400):  # find a mu small enough that the spends exceed the budget
            mu_lo /= 4.0
            if _spend_at_mu(curves, mu_lo, weeks, lo, hi).sum() >= budget:
                break
        for _ in range(200):
            mid = np.sqrt(mu_lo * mu_hi) if mu_lo > 0 else (mu_lo + mu_hi) / 2
            if _spend_at_mu(curves, mid, weeks, lo, hi).sum() > budget:
                mu_lo = mid
            else:
                mu_hi = mid
            if mu_hi / mu_lo - 1 < 1e-13:
                break
        s_lo = _spend_at_mu(curves, mu_hi, weeks, lo, hi)  # sum <= budget
        s_hi = _spend_at_mu(curves, mu_lo, weeks, lo, hi)  # sum >= budget
        gap = s_hi - s_lo
        need = budget - s_lo.sum()
        s = s_lo + (gap * (need / gap.sum()) if gap.sum() > 0 else 0.0)
        if gap.sum() <= 0:  # flat segment: spread the remainder over channels with room
            room = hi - s
            s = s + room * need / room.sum() if np.isfinite(room.sum()) and room.sum() > 0 else s
    out = curves.horizon(s, weeks)
    return {"spend": s, "outcome": out, "marginal": curves.marginal(s, weeks), "status": status}


def max_outcome(curves: Curves, weeks: float, upper: np.ndarray | None = None) -> float:
    """The saturation ceiling: outcome with every channel at its maximum (or fully saturated).

    Parameters
    ----------
    curves : Curves
        The response curves.
    weeks : float
        Weeks of the horizon.
    upper : np.ndarray | None
        Maximum spend per channel, or None.

    Returns
    -------
    float
        The ceiling.
    """
    if upper is None:
        return float(curves.ceiling(weeks).sum())
    hi = np.asarray(upper, dtype=float)
    return float(np.where(np.isfinite(hi), curves.horizon(np.where(np.isfinite(hi), hi, 0.0), weeks),
                          curves.ceiling(weeks)).sum())


def _bisect(low, a: float, z: float, tol: float) -> tuple[float, float]:
    """Narrow [a, z] around the point where ``low(b)`` turns from True (below) to False (above)."""
    for _ in range(200):
        m = (a + z) / 2
        if low(m):
            a = m
        else:
            z = m
        if z - a <= tol * max(z, 1.0):
            break
    return a, z


def min_budget_for(curves: Curves, target: float, weeks: float = 4.0, lower=None, upper=None,
                   kind: str = "incremental", baseline: float = 0.0, tol: float = 1e-7) -> dict:
    """Smallest budget whose optimal allocation reaches ``target``.

    kind="incremental": media outcome >= target; "outcome": baseline + media outcome >= target;
    kind="roi": the largest budget with (media outcome - budget) / budget >= target (ROI falls as budget grows).
    Returns dict(budget, reachable, plan (optimise result), ceiling).

    Parameters
    ----------
    curves : Curves
        The response curves.
    target : float
        The target (outcome, incremental outcome or ROI).
    weeks : float
        Weeks of the horizon.
    lower
        Minimum spend per channel, or None.
    upper
        Maximum spend per channel, or None.
    kind : str
        "incremental", "outcome" or "roi".
    baseline : float
        The baseline outcome (for "outcome").
    tol : float
        Relative tolerance of the bisection.

    Returns
    -------
    dict
        ``budget`` (None when unreachable), ``reachable``, ``plan``, ``ceiling`` (and ``bounded`` when
        unreachable).
    """
    C = len(curves.channels)
    lo = np.zeros(C) if lower is None else np.asarray(lower, dtype=float)
    hi = np.full(C, np.inf) if upper is None else np.asarray(upper, dtype=float)
    finite_hi = np.isfinite(hi).all()
    # an upper search limit: every channel spending where its marginal return is ~0.1% of its initial slope
    sat_spend = weeks * curves.scale * 2.0 / curves.lam * np.arctanh(np.sqrt(1 - 1e-3))
    b_max = float(np.sum(np.where(np.isfinite(hi), hi, np.maximum(sat_spend, lo))))
    b_min = float(lo.sum())

    def value(B: float) -> float:
        p = optimise(curves, B, weeks, lo, hi)
        media = float(p["outcome"].sum())
        if kind == "roi":
            return (media - B) / B if B > 0 else np.inf
        return media + (baseline if kind == "outcome" else 0.0)

    ceiling = value(b_max) if kind != "roi" else None
    if kind == "roi":
        # ROI(B) decreases with B (concave response through the origin): largest B with ROI >= target
        b0 = max(b_min, 1e-9 * max(b_max, 1.0))
        if value(b0) < target:
            return {"budget": None, "reachable": False, "plan": optimise(curves, b0, weeks, lo, hi), "ceiling": value(b0)}
        if value(b_max) >= target:
            return {"budget": b_max, "reachable": True, "plan": optimise(curves, b_max, weeks, lo, hi), "ceiling": None}
        a, _ = _bisect(lambda b: value(b) >= target, b0, b_max, tol)  # largest budget still meeting the ROI
        return {"budget": a, "reachable": True, "plan": optimise(curves, a, weeks, lo, hi), "ceiling": None}
    if value(b_min) >= target:
        return {"budget": b_min, "reachable": True, "plan": optimise(curves, b_min, weeks, lo, hi), "ceiling": ceiling}
    if ceiling < target:
        return {"budget": None, "reachable": False, "plan": optimise(curves, b_max, weeks, lo, hi), "ceiling": ceiling,
                "bounded": bool(finite_hi)}
    _, z = _bisect(lambda b: value(b) < target, b_min, b_max, tol)  # smallest budget reaching the target
    return {"budget": z, "reachable": True, "plan": optimise(curves, z, weeks, lo, hi), "ceiling": ceiling}
