"""What the fitted response model says and how well it fits: the per-channel model table (carryover,
saturation, contribution shares with their intervals), the fit quality with residuals and weekly contributions,
and each channel's response curve."""

from __future__ import annotations

import numpy as np

from analytics import mmm

from .base import Z_HI, Z_LO


def model_table(fit: mmm.MMMFit) -> tuple[list[dict], np.ndarray, np.ndarray]:
    """One row per channel: carryover (with its interval) and half-life, saturation, maximum weekly effect,
    contribution and its share (with its interval), spend and return per spend; and the share intervals.

    Parameters
    ----------
    fit : mmm.MMMFit
        The fitted model.

    Returns
    -------
    tuple[list[dict], np.ndarray, np.ndarray]
        The rows (``channel``, ``carryover`` with ``carryover_ci_low`` / ``carryover_ci_high``,
        ``half_life_weeks``, ``saturation_lam``, ``max_weekly_effect``, ``contribution``,
        ``contribution_share`` with ``share_ci_low`` / ``share_ci_high``, ``spend``, ``return_per_spend``) and
        the share intervals.
    """
    data = fit.data
    C = len(data.channels)
    shares = fit.shares
    contrib = fit.contributions.sum(axis=0)
    sh_lo = np.percentile(fit.draws_share, Z_LO, axis=0) if len(fit.draws_share) >= 20 else np.full(C, np.nan)
    sh_hi = np.percentile(fit.draws_share, Z_HI, axis=0) if len(fit.draws_share) >= 20 else np.full(C, np.nan)
    a_lo = np.percentile(fit.draws_alpha, Z_LO, axis=0) if len(fit.draws_alpha) >= 20 else np.full(C, np.nan)
    a_hi = np.percentile(fit.draws_alpha, Z_HI, axis=0) if len(fit.draws_alpha) >= 20 else np.full(C, np.nan)
    model = [{"channel": c, "carryover": fit.alpha[i], "carryover_ci_low": a_lo[i], "carryover_ci_high": a_hi[i],
              "half_life_weeks": (np.log(0.5) / np.log(fit.alpha[i])) if 0 < fit.alpha[i] < 1 else 0.0,
              "saturation_lam": fit.lam[i], "max_weekly_effect": fit.beta[i], "contribution": contrib[i],
              "contribution_share": shares[i], "share_ci_low": sh_lo[i], "share_ci_high": sh_hi[i],
              "spend": data.X[:, i].sum(),
              "return_per_spend": contrib[i] / data.X[:, i].sum() if data.X[:, i].sum() > 0 else None}
             for i, c in enumerate(data.channels)]
    return model, sh_lo, sh_hi


def fit_quality(fit: mmm.MMMFit) -> tuple[dict, list[dict], list[dict]]:
    """What the model was fitted on and how well it fits (R², MAPE, holdout scores, shares of baseline,
    controls and media), the weekly residuals and the weekly contribution of each component.

    Parameters
    ----------
    fit : mmm.MMMFit
        The fitted model.

    Returns
    -------
    tuple[dict, list[dict], list[dict]]
        The fit info, the residual rows (``date``, ``actual``, ``fitted``, ``residual``, ``holdout``) and the
        contribution rows (``date``, ``component``, ``value``).
    """
    data = fit.data
    y = data.y
    shares = fit.shares
    ss_res = float(np.sum((y - fit.fitted) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    fit_info = {
        "source": data.source, "weeks": len(y), "start": data.dates[0], "end": data.dates[-1],
        "channels": data.channels, "controls": data.control_names, "seasonality": fit.seasonality,
        "r2": 1 - ss_res / ss_tot if ss_tot > 0 else None,
        "mape": float(np.mean(np.abs((y - fit.fitted) / np.where(y != 0, y, np.nan)))),
        "holdout_weeks": fit.holdout.get("weeks"), "holdout_start": fit.holdout.get("start"),
        "holdout_mape": fit.holdout.get("mape"), "holdout_r2": fit.holdout.get("r2"),
        "n_boot": int(len(fit.draws_beta)), "fit_seconds": fit.fit_seconds,
        "baseline_share": fit.base_share, "controls_share": fit.control_share, "media_share": float(shares.sum()),
        "method": "adstock (geometric, l_max 8) + logistic saturation; variable-projection NLS (scipy); "
                  "moving-block residual bootstrap",
    }
    hold_start = fit.holdout.get("start")
    residuals = [{"date": d, "actual": a, "fitted": f, "residual": a - f,
                  "holdout": bool(hold_start is not None and d >= hold_start)}
                 for d, a, f in zip(data.dates, y, fit.fitted)]
    contributions = []
    for k, d in enumerate(data.dates):
        contributions.append({"date": d, "component": "baseline", "value": fit.base_part[k]})
        if data.control_names:
            contributions.append({"date": d, "component": "controls", "value": fit.control_part[k]})
        for i, c in enumerate(data.channels):
            contributions.append({"date": d, "component": c, "value": fit.contributions[k, i]})
    return fit_info, residuals, contributions


def response_curve_rows(fit: mmm.MMMFit, spend: np.ndarray, weeks: int, current_weekly: np.ndarray,
                        hist_max: np.ndarray) -> tuple[list[dict], list[dict]]:
    """Each channel's weekly response curve on 41 spend points up to 1.5x the larger of its highest and its
    planned weekly spend (with the bootstrap's 95% band), and its current / planned / highest weekly spend.

    Parameters
    ----------
    fit : mmm.MMMFit
        The fitted model.
    spend : np.ndarray
        Planned total spend per channel.
    weeks : int
        The plan's weeks.
    current_weekly : np.ndarray
        Recent weekly spend per channel.
    hist_max : np.ndarray
        Highest weekly spend per channel.

    Returns
    -------
    tuple[list[dict], list[dict]]
        Curve rows (``channel``, ``weekly_spend``, ``weekly_outcome``, ``lower``, ``upper``) and per channel
        ``current_weekly_spend``, ``planned_weekly_spend``, ``hist_max_weekly``.
    """
    data = fit.data
    curve_rows = []
    for i, c in enumerate(data.channels):
        top = max(hist_max[i], spend[i] / weeks) * 1.5
        grid = np.linspace(0, top, 41)
        yv = fit.beta[i] * mmm.logistic_saturation(grid / fit.scale[i], fit.lam[i])
        if len(fit.draws_beta) >= 20:
            dr = fit.draws_beta[:, [i]] * mmm.logistic_saturation(grid[None, :] / fit.scale[i], fit.draws_lam[:, [i]])
            clo, chi = np.percentile(dr, Z_LO, axis=0), np.percentile(dr, Z_HI, axis=0)
        else:
            clo = chi = np.full(len(grid), np.nan)
        for g, v, l_, h_ in zip(grid, yv, clo, chi):
            curve_rows.append({"channel": c, "weekly_spend": g, "weekly_outcome": v, "lower": l_, "upper": h_})
    curves_meta = [{"channel": c, "current_weekly_spend": current_weekly[i], "planned_weekly_spend": spend[i] / weeks,
                    "hist_max_weekly": hist_max[i]} for i, c in enumerate(data.channels)]
    return curve_rows, curves_meta
