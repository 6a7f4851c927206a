"""The fitted model (:class:`MMMFit`): :func:`fit_mmm` (point estimate from several starts, holdout check,
moving-block residual bootstrap) and the baseline of planned weeks (:func:`baseline_weekly`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from .base import (BLOCK, BOOT_MAX_NFEV, BOOT_TOL, FOURIER_K, HOLDOUT_FRAC, L_MAX, MIN_WEEKS_FIT, MIN_WEEKS_SEASON,
                   RIDGE)
from .curves import Curves
from .problem import LiftTest, _base_matrix, _fourier, _Problem, _starts, cal_rows
from .weekly import MMMData


@dataclass
class MMMFit:
    data: MMMData
    alpha: np.ndarray
    lam: np.ndarray
    beta: np.ndarray                 # outcome units per week at full saturation
    coef: np.ndarray                 # all linear coefficients (scaled outcome units)
    base_names: list[str]
    fitted: np.ndarray
    contributions: np.ndarray        # (n, C) outcome units
    base_part: np.ndarray            # (n,) intercept + trend + seasonality
    control_part: np.ndarray         # (n,)
    scale: np.ndarray
    y_scale: float
    seasonality: bool
    cost: float
    holdout: dict
    draws_alpha: np.ndarray
    draws_lam: np.ndarray
    draws_beta: np.ndarray
    draws_share: np.ndarray
    fit_seconds: float = 0.0

    @property
    def curves(self) -> Curves:
        """The fit's response curves (with the bootstrap draws).

        Returns
        -------
        Curves
            The curves.
        """
        return Curves(self.data.channels, self.beta, self.lam, self.scale, self.draws_beta, self.draws_lam)

    @property
    def shares(self) -> np.ndarray:
        """Each channel's share of the outcome (its contributions over the weeks / the outcome's sum).

        Returns
        -------
        np.ndarray
            One share per channel.
        """
        return self.contributions.sum(axis=0) / self.data.y.sum()

    @property
    def base_share(self) -> float:
        """Baseline (intercept + trend + seasonality) share of the outcome; with :attr:`control_share` and
        the channel :attr:`shares` it adds up to fitted / actual (~100%).

        Returns
        -------
        float
            The share.
        """
        return float(self.base_part.sum() / self.data.y.sum())

    @property
    def control_share(self) -> float:
        """The controls' share of the outcome.

        Returns
        -------
        float
            The share.
        """
        return float(self.control_part.sum() / self.data.y.sum())


def fit_mmm(data: MMMData, *, n_boot: int = 200, seed: int = 0, seasonality: bool | None = None,
            holdout_frac: float = HOLDOUT_FRAC, l_max: int = L_MAX, ridge: float = RIDGE,
            lift_tests: Sequence[LiftTest] = (), sigma: float | None = None) -> MMMFit:
    """Fit the model (see the module docstring). ``lift_tests`` calibrate it (:func:`fit_calibrated`):
    each adds the row ``(model lift - measured lift) / se`` scaled by ``sigma`` (the residual standard
    deviation of the weekly outcome, scaled units; required with lift tests) to the least squares.

    Parameters
    ----------
    data : MMMData
        The weekly model data (ValueError with too few weeks or no channel).
    n_boot : int
        Bootstrap draws.
    seed : int
        Random seed.
    seasonality : bool | None
        Whether to fit Fourier seasonality (None: with enough weeks).
    holdout_frac : float
        Share of the last weeks held out for the fit check.
    l_max : int
        Weeks of carry-over.
    ridge : float
        Ridge penalty.
    lift_tests : Sequence[LiftTest]
        Lift tests to calibrate on.
    sigma : float | None
        Residual scale for the lift tests (required with them).

    Returns
    -------
    MMMFit
        The fitted model.
    """
    import time

    t0 = time.perf_counter()
    n, C = data.X.shape
    if n < MIN_WEEKS_FIT or C == 0:
        raise ValueError("not enough weeks or no spend channel")
    season = (n >= MIN_WEEKS_SEASON) if seasonality is None else seasonality
    scale = data.X.max(axis=0)
    Xs = data.X / scale
    y_scale = float(np.mean(np.abs(data.y))) or 1.0
    ys = data.y / y_scale
    T = max(n - 1, 1)
    tt = np.arange(n) / T
    # controls: scale to max abs 1 so their coefficients are comparable
    cscale = np.abs(data.controls).max(axis=0) if data.controls.size else np.zeros(0)
    cscale = np.where(cscale > 0, cscale, 1.0)
    ctrl = data.controls / cscale if data.controls.size else data.controls
    base, base_names = _base_matrix(data.dates, tt, ctrl, season)
    n_core = 2 + (2 * FOURIER_K if season else 0)
    if lift_tests and sigma is None:
        raise ValueError("lift tests need the residual scale sigma")
    cal = cal_rows(lift_tests, scale, y_scale, sigma) if lift_tests else None
    prob = _Problem(base, Xs, l_max, n_core, ridge, cal)
    ya = prob.aug(ys)
    res = prob.fit(ya, _starts(C, seed))
    th = res.x
    D = prob.design(th)
    b = prob.solve(D, ya)
    D = D[:n]
    fitted_s = D @ b
    nb = base.shape[1]
    media = D[:, nb:] * b[nb:]
    base_part = base[:, :n_core] @ b[:n_core]
    control_part = base[:, n_core:] @ b[n_core:nb]

    # holdout: refit on the first part, score the last part
    h = max(int(round(n * holdout_frac)), 4)
    holdout: dict = {"weeks": h}
    if n - h >= MIN_WEEKS_FIT - 4:
        Xtr = data.X[: n - h]
        sc_tr = np.where(Xtr.max(axis=0) > 0, Xtr.max(axis=0), scale)
        cal_tr = cal_rows(lift_tests, sc_tr, y_scale, sigma) if lift_tests else None
        p_tr = _Problem(base[: n - h], Xtr / sc_tr, l_max, n_core, ridge, cal_tr)
        y_tr = p_tr.aug(ys[: n - h])
        r_tr = p_tr.fit(y_tr, [th])
        # predict on all weeks with train scaling (adstock needs the history before the holdout)
        p_all = _Problem(base, data.X / sc_tr, l_max, n_core, ridge)
        D_all = p_all.design(r_tr.x)
        b_tr = p_tr.solve(p_tr.design(r_tr.x), y_tr)
        pred = D_all[n - h:] @ b_tr * y_scale
        act = data.y[n - h:]
        ss_res = float(np.sum((act - pred) ** 2))
        ss_tot = float(np.sum((act - act.mean()) ** 2))
        holdout.update({
            "start": data.dates[n - h], "mape": float(np.mean(np.abs((act - pred) / np.where(act != 0, act, np.nan)))),
            "r2": 1 - ss_res / ss_tot if ss_tot > 0 else None, "predicted": pred.tolist(), "actual": act.tolist(),
            "dates": list(data.dates[n - h:]),
        })
    else:
        holdout.update({"mape": None, "r2": None})

    # moving-block residual bootstrap
    rng = np.random.default_rng(seed)
    resid = ys - fitted_s
    blk = min(BLOCK, n)
    n_blocks = int(np.ceil(n / blk))
    da, dl, db, dsh = [], [], [], []
    lo, hi = prob.bounds()
    for _ in range(max(int(n_boot), 0)):
        starts = rng.integers(0, n - blk + 1, n_blocks)
        e = np.concatenate([resid[s:s + blk] for s in starts])[:n]
        e = e - e.mean()
        yb = prob.aug(fitted_s + e)
        # refit from the point estimate; looser tolerances and an evaluation cap keep 100 draws of a
        # 7-channel model under a second (the draws start next to their optimum)
        rb = least_squares(prob.resid, th, jac=prob.jac, bounds=(lo, hi), args=(yb,), ftol=BOOT_TOL, xtol=BOOT_TOL,
                           max_nfev=BOOT_MAX_NFEV)
        Db = prob.design(rb.x)
        bb = prob.solve(Db, yb)
        Db = Db[:n]
        da.append(rb.x[:C])
        dl.append(np.exp(rb.x[C:]))
        db.append(bb[nb:] * y_scale)
        dsh.append((Db[:, nb:] * bb[nb:]).sum(axis=0) * y_scale / data.y.sum())
    shp = (0, C)
    fit = MMMFit(
        data=data, alpha=th[:C].copy(), lam=np.exp(th[C:]), beta=b[nb:] * y_scale, coef=b, base_names=base_names,
        fitted=fitted_s * y_scale, contributions=media * y_scale, base_part=base_part * y_scale,
        control_part=control_part * y_scale, scale=scale, y_scale=y_scale, seasonality=season, cost=float(res.cost),
        holdout=holdout,
        draws_alpha=np.array(da) if da else np.zeros(shp), draws_lam=np.array(dl) if dl else np.zeros(shp),
        draws_beta=np.array(db) if db else np.zeros(shp), draws_share=np.array(dsh) if dsh else np.zeros(shp),
    )
    fit.fit_seconds = time.perf_counter() - t0
    return fit


def baseline_weekly(fit: MMMFit, dates: pd.DatetimeIndex | None = None) -> np.ndarray:
    """Non-media outcome per planned week: intercept + trend held at its last value + seasonality at the
    planned weeks (controls at 0).

    Parameters
    ----------
    fit : MMMFit
        The fitted model.
    dates : pd.DatetimeIndex | None
        The planned weeks (None: the four weeks after the data).

    Returns
    -------
    np.ndarray
        The baseline per week.
    """
    b = fit.coef * fit.y_scale
    if dates is None:
        dates = pd.date_range(fit.data.dates[-1] + pd.Timedelta(days=7), periods=4, freq="7D")
    out = np.full(len(dates), b[0] + b[1] * 1.0)
    if fit.seasonality:
        F = _fourier(pd.DatetimeIndex(dates), FOURIER_K)
        out = out + F @ b[2:2 + 2 * FOURIER_K]
    return out
