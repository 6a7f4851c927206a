"""A plan's risks (short history, spend outside the range seen, co-moving channels, a target beyond the
ceiling, poor holdout fit, uncertain channels, an attributed outcome) and its feasibility verdict."""

from __future__ import annotations

import numpy as np

from analytics import mmm
from analytics.i18n import fmt_number, fmt_pct, t

from .base import CORR_LIMIT


def plan_risks(fit: mmm.MMMFit, spend: np.ndarray, weeks: int, goal: dict | None, hi: np.ndarray, baseline: float,
               sh_lo: np.ndarray, sh_hi: np.ndarray, lang: str) -> tuple[list[dict], dict]:
    """The plan's risks (short history, spend outside the historical range, co-moving channels, a target
    beyond the ceiling, poor holdout fit, uncertain channels, an attributed outcome) and the verdict.

    Parameters
    ----------
    fit : mmm.MMMFit
        The fitted model.
    spend : np.ndarray
        Planned total spend per channel.
    weeks : int
        The plan's weeks.
    goal : dict | None
        The goal, or None.
    hi : np.ndarray
        Maximum total per channel.
    baseline : float
        The baseline outcome.
    sh_lo : np.ndarray
        Lower bound of each channel's share.
    sh_hi : np.ndarray
        Upper bound of each channel's share.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    tuple[list[dict], dict]
        The risks (``key``, ``level``, ``channel``, ``text``) and the feasibility (``verdict`` go / caution /
        stop, ``text``, ``history_weeks``, ``seasonality_modelled``, ``holdout_mape``, ``target_reachable``,
        ``ceiling_media``, ``baseline``, ``collinear_pairs``).
    """
    data = fit.data
    shares = fit.shares
    hist_max = data.X.max(axis=0)
    hist_min_pos = np.nanmin(np.where(data.X > 0, data.X, np.nan), axis=0)
    risks: list[dict] = []
    n_weeks = len(data.y)
    if n_weeks < mmm.MIN_WEEKS_SEASON:
        risks.append({"key": "short_history", "level": "high", "channel": None,
                      "text": t("promotions.risk.short_history", lang, weeks=n_weeks)})
    for i, c in enumerate(data.channels):
        w = spend[i] / weeks
        if w > hist_max[i] * 1.0001:
            risks.append({"key": "above_history", "level": "high", "channel": c,
                          "text": t("promotions.risk.above_history", lang, channel=c, planned=fmt_number(w, lang, 2),
                                    max=fmt_number(hist_max[i], lang, 2))})
        elif 0 < w < hist_min_pos[i] * 0.9999:
            risks.append({"key": "below_history", "level": "medium", "channel": c,
                          "text": t("promotions.risk.below_history", lang, channel=c, planned=fmt_number(w, lang, 2),
                                    min=fmt_number(hist_min_pos[i], lang, 2))})
    corr_pairs = collinear_pairs(data.X, data.channels)
    for a, b, r in corr_pairs:
        risks.append({"key": "collinear", "level": "high", "channel": f"{a} / {b}",
                      "text": t("promotions.risk.collinear", lang, a=a, b=b, r=f"{r:.2f}")})
    if goal is not None and not goal["reachable"]:
        ceiling = goal.get("ceiling")
        risks.append({"key": "target_beyond", "level": "high", "channel": None,
                      "text": t("promotions.risk.target_beyond", lang, target=fmt_number(goal["target"], lang),
                                ceiling=fmt_number(ceiling, lang) if ceiling is not None else "—")})
    hm = fit.holdout.get("mape")
    if hm is not None and hm > 0.2:
        risks.append({"key": "poor_fit", "level": "medium", "channel": None,
                      "text": t("promotions.risk.poor_fit", lang, mape=fmt_pct(hm, lang))})
    for i, c in enumerate(data.channels):
        if np.isfinite(sh_lo[i]) and shares[i] > 0 and (sh_hi[i] - sh_lo[i]) > shares[i]:
            risks.append({"key": "uncertain_channel", "level": "medium", "channel": c,
                          "text": t("promotions.risk.uncertain_channel", lang, channel=c, lo=fmt_pct(sh_lo[i], lang),
                                    hi=fmt_pct(sh_hi[i], lang))})
    if data.source == "channels":
        risks.append({"key": "attributed_outcome", "level": "medium", "channel": None,
                      "text": t("promotions.risk.attributed_outcome", lang)})
    levels = [r["level"] for r in risks]
    verdict = "stop" if (goal is not None and not goal["reachable"]) else ("caution" if levels else "go")
    feasibility = {
        "verdict": verdict, "text": t(f"promotions.feasibility.{verdict}", lang),
        "history_weeks": n_weeks, "seasonality_modelled": fit.seasonality,
        "holdout_mape": hm, "target_reachable": None if goal is None else goal["reachable"],
        "ceiling_media": mmm.max_outcome(fit.curves, weeks, hi), "baseline": baseline,
        "collinear_pairs": [{"a": a, "b": b, "r": r} for a, b, r in corr_pairs],
    }
    return risks, feasibility


def collinear_pairs(X: np.ndarray, channels: list[str], limit: float = CORR_LIMIT) -> list[tuple[str, str, float]]:
    """The pairs of channels whose weekly spend is correlated above ``limit``.

    Parameters
    ----------
    X : np.ndarray
        Weekly spend, weeks x channels.
    channels : list[str]
        The channels.
    limit : float
        Correlation above which a pair is reported.

    Returns
    -------
    list[tuple[str, str, float]]
        (channel, channel, correlation) per pair.
    """
    if X.shape[1] < 2:
        return []
    with np.errstate(invalid="ignore", divide="ignore"):
        R = np.corrcoef(X, rowvar=False)
    out = []
    for i in range(len(channels)):
        for j in range(i + 1, len(channels)):
            if np.isfinite(R[i, j]) and R[i, j] > limit:
                out.append((channels[i], channels[j], float(R[i, j])))
    return out
