"""The least squares the fit solves: the base design (intercept, trend, Fourier seasonality, controls),
lift tests as calibration rows, the variable-projection problem with its exact Jacobian (:class:`_Problem`),
the exact inequality-constrained linear solve (:func:`_lsi`) and the seeded starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import least_squares, lsq_linear, nnls

from .base import ALPHA_MAX, FOURIER_K, L_MAX, LAM_MAX, LAM_MIN, logistic_saturation


def _fourier(dates: pd.DatetimeIndex, k: int) -> np.ndarray:
    doy = np.asarray(dates.day_of_year, dtype=float)
    cols = []
    for j in range(1, k + 1):
        cols += [np.sin(2 * np.pi * j * doy / 365.25), np.cos(2 * np.pi * j * doy / 365.25)]
    return np.column_stack(cols) if cols else np.zeros((len(dates), 0))


@dataclass(frozen=True)
class LiftTest:
    """A measured lift of one channel (an incrementality ledger entry, :mod:`analytics.ledger`) as the fit
    reads it: ``spend`` spent on ``channel`` (its index in the model's channels) over ``weeks`` weeks
    brought ``lift`` extra outcome, with the interval [``low``, ``high``] (95%). ``weight`` multiplies the
    entry's likelihood weight (1 = the measurement's own precision, see :func:`fit_calibrated`)."""

    channel: int
    spend: float
    weeks: float
    lift: float
    low: float
    high: float
    weight: float = 1.0

    @property
    def se(self) -> float:
        """The lift's standard error from its 95% interval (at least 1e-9 of the lift's size).

        Returns
        -------
        float
            The standard error.
        """
        return max((self.high - self.low) / (2 * 1.959964), 1e-9 * max(abs(self.lift), 1.0))


@dataclass(frozen=True)
class CalRows:
    """Calibration rows of the scaled least squares: per lift test the channel index ``ch``, the tested
    weekly spend over the channel's scale ``x``, the test's ``weeks``, the scaled ``target`` lift and the
    row weight ``w`` (sigma of the weekly residuals / the lift's standard error, times the test's weight)."""

    ch: np.ndarray
    x: np.ndarray
    weeks: np.ndarray
    target: np.ndarray
    w: np.ndarray


def cal_rows(tests: Sequence[LiftTest], scale: np.ndarray, y_scale: float, sigma: float) -> CalRows | None:
    """The calibration rows of the scaled least squares for ``tests`` (None without a test).

    Parameters
    ----------
    tests : Sequence[LiftTest]
        The lift tests.
    scale : np.ndarray
        Spend scale per channel.
    y_scale : float
        Outcome scale.
    sigma : float
        Residual standard deviation of the weekly outcome (scaled).

    Returns
    -------
    CalRows | None
        The rows, or None.
    """
    if not tests:
        return None
    ch = np.array([t.channel for t in tests], dtype=int)
    weeks = np.array([max(t.weeks, 1e-9) for t in tests], dtype=float)
    x = np.array([t.spend for t in tests], dtype=float) / weeks / scale[ch]
    target = np.array([t.lift for t in tests], dtype=float) / y_scale
    w = np.array([sigma * y_scale / t.se * t.weight for t in tests], dtype=float)
    return CalRows(ch=ch, x=x, weeks=weeks, target=target, w=w)


class _Problem:
    """Variable-projection least squares on scaled data.

    The linear part is solved under ``beta >= 0`` for every channel and ``baseline >= 0`` on every fitted
    week (baseline = the first ``n_core`` base columns: intercept, trend, seasonality; controls are free):
    a least-squares problem with linear inequalities (LSI), solved exactly through its least-distance
    form with ``scipy.optimize.nnls`` (Lawson & Hanson 1974, ch. 23) whenever the unconstrained solution
    breaks a constraint."""

    def __init__(self, base: np.ndarray, Xs: np.ndarray, l_max: int = L_MAX, n_core: int | None = None,
                 ridge: float = 0.0, cal: "CalRows | None" = None):
        self.base = base
        self.Xs = Xs
        self.C = Xs.shape[1]
        self.l_max = l_max
        n, nb = Xs.shape[0], base.shape[1]
        self.n = n
        self.nb = nb
        self.cal = cal if cal is not None and len(cal.ch) else None
        self.n_core = nb if n_core is None else int(n_core)
        self.lb = np.r_[np.full(nb, -np.inf), np.zeros(self.C)]
        # lagged copies of the spend (l_max, n, C) so the adstock of every channel is one product
        self.lags = np.zeros((l_max, n, self.C))
        for lag in range(min(l_max, n)):
            self.lags[lag, lag:] = Xs[: n - lag]
        # inequality rows G b >= 0: baseline on every week, then every media coefficient
        p = nb + self.C
        G = np.zeros((n + self.C, p))
        G[:n, : self.n_core] = base[:, : self.n_core]
        G[n:, nb:] = np.eye(self.C)
        self.G = G
        self.ridge = float(ridge)
        self.R_aug = np.zeros((self.C, p))
        self._last: tuple | None = None

    def aug(self, y: np.ndarray) -> np.ndarray:
        """The outcome with the calibration rows' targets appended (``y`` itself without calibration)."""
        if self.cal is None:
            return y
        return np.r_[y, self.cal.w * self.cal.target]

    def cal_rows(self, th: np.ndarray) -> np.ndarray:
        """The calibration rows of the design (k, nb + C): row i holds w_i x weeks_i x sat(x_i; lam_c) in
        its channel's column, so row . b is w_i times the model's incremental outcome (scaled) of the
        tested spend over the tested weeks (the planner's steady state)."""
        cal, C = self.cal, self.C
        lam = np.exp(np.asarray(th[C:], dtype=float))[cal.ch]
        R = np.zeros((len(cal.ch), self.nb + C))
        R[np.arange(len(cal.ch)), self.nb + cal.ch] = cal.w * cal.weeks * logistic_saturation(cal.x, lam)
        return R

    def cal_deriv(self, th: np.ndarray) -> np.ndarray:
        """d cal_rows / d theta in the layout of :meth:`jac`'s ``dU`` (k, 2C): only log lam of the row's
        channel moves it: w weeks (lam x / 2)(1 - tanh(lam x / 2)^2)."""
        cal, C = self.cal, self.C
        lam = np.exp(np.asarray(th[C:], dtype=float))[cal.ch]
        z = lam * cal.x / 2.0
        out = np.zeros((len(cal.ch), 2 * C))
        out[np.arange(len(cal.ch)), C + cal.ch] = cal.w * cal.weeks * z * (1.0 - np.tanh(z) ** 2)
        return out

    def media(self, th: np.ndarray) -> np.ndarray:
        C = self.C
        if C == 0:
            return np.zeros((self.Xs.shape[0], 0))
        w = np.asarray(th[:C], dtype=float)[None, :] ** np.arange(self.l_max)[:, None]  # (l_max, C)
        w = w / w.sum(axis=0)
        ad = np.einsum("lnc,lc->nc", self.lags, w)
        return logistic_saturation(ad, np.exp(th[C:]))

    def design(self, th: np.ndarray) -> np.ndarray:
        """The design matrix: the n weeks, then one row per calibration entry (when calibrated)."""
        D = np.column_stack([self.base, self.media(th)])
        return D if self.cal is None else np.vstack([D, self.cal_rows(th)])

    def solve(self, D: np.ndarray, y: np.ndarray) -> np.ndarray:
        if self.ridge > 0 and self.C:
            # penalty ridge * n * sum_c (beta_c mean_t m_ct)^2: the channel's average contribution in units
            # of the mean outcome, i.e. its contribution share, shrunk towards 0
            n = self.n
            self.R_aug[:, self.nb:] = np.sqrt(self.ridge * n) * np.diag(D[:n, self.nb:].mean(axis=0))
            D, y = np.vstack([D, self.R_aug]), np.r_[y, np.zeros(self.C)]
        b, *_ = np.linalg.lstsq(D, y, rcond=None)
        if (self.G @ b >= -1e-10).all():
            return b
        return _lsi(D, y, self.G, self.lb)

    def _at(self, th: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(design, solved coefficients) at ``th``: the last point is kept, because least_squares asks for
        the Jacobian at the point whose residuals it has just computed."""
        last = self._last
        if last is not None and last[1] is y and np.array_equal(last[0], th):
            return last[2], last[3]
        D = self.design(th)
        b = self.solve(D, y)
        self._last = (np.array(th, dtype=float), y, D, b)
        return D, b

    def resid(self, th: np.ndarray, y: np.ndarray) -> np.ndarray:
        D, b = self._at(th, y)
        return D @ b - y

    def jac(self, th: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Exact Jacobian of :meth:`resid` (n x 2C) for the active set of constraints at ``th``.

        Only channel c's media column depends on (alpha_c, log lam_c): dm = d sat(adstock) in closed form.
        The coefficients b(th) solve min ||D~ b - y~|| on the null space N of the active constraint rows
        (D~, y~: with the ridge rows when ridge > 0), b = N z, z = F^+ y~ with F = D~ N, so
        dz = -(F'F)^+ (N' e_j (u . r~) + F' u b_j) for the changed column j with derivative u, and
        dr = b_j dm + D N dz. Replaces 2C extra residual evaluations per step (forward differences)."""
        D, b = self._at(th, y)
        C, nb, n, nD = self.C, self.nb, self.n, D.shape[0]
        if C == 0:
            return np.zeros((nD, 0))
        alpha = np.asarray(th[:C], dtype=float)
        lam = np.exp(np.asarray(th[C:], dtype=float))
        ls = np.arange(self.l_max, dtype=float)[:, None]
        pw = alpha[None, :] ** ls                                    # (L, C), 0**0 = 1
        dpw = np.zeros_like(pw)
        dpw[1:] = ls[1:] * alpha[None, :] ** (ls[1:] - 1)
        S, Sp = pw.sum(axis=0), dpw.sum(axis=0)
        ad = np.einsum("lnc,lc->nc", self.lags, pw / S)
        dad = np.einsum("lnc,lc->nc", self.lags, (dpw * S - pw * Sp) / S**2)
        m = np.tanh(lam * ad / 2.0)
        g = 1.0 - m**2
        dU = np.concatenate([lam / 2.0 * g * dad, lam * ad / 2.0 * g], axis=1)   # (n, 2C)
        dU_mean = dU.mean(axis=0)
        if self.cal is not None:
            dU = np.vstack([dU, self.cal_deriv(th)])                         # (n + k, 2C)
        j = nb + np.r_[np.arange(C), np.arange(C)]
        bj = b[j]
        if self.ridge > 0:
            s = np.sqrt(self.ridge * n)
            R = np.zeros((C, D.shape[1]))
            R[:, nb:] = s * np.diag(D[:n, nb:].mean(axis=0))
            Da, ya = np.vstack([D, R]), np.r_[y, np.zeros(C)]
            Ua = np.vstack([dU, np.zeros((C, 2 * C))])
            Ua[nD + (j - nb), np.arange(2 * C)] = s * dU_mean
        else:
            Da, ya, Ua = D, y, dU
        gb = self.G @ b
        active = gb <= 1e-9 * max(1.0, float(np.abs(gb).max()))
        if active.any():
            _, sv, Vt = np.linalg.svd(self.G[active])
            rank = int((sv > 1e-10 * max(sv.max(), 1.0)).sum())
            N = Vt[rank:].T
        else:
            N = np.eye(D.shape[1])
        F = Da @ N
        Fp = np.linalg.pinv(F)
        rt = Da @ b - ya
        v = N[j].T * (Ua.T @ rt)[None, :] + (F.T @ Ua) * bj[None, :]
        dz = -(Fp @ (Fp.T @ v))
        return dU * bj[None, :] + D @ (N @ dz)

    def bounds(self):
        C = self.C
        return (np.r_[np.zeros(C), np.full(C, np.log(LAM_MIN))], np.r_[np.full(C, ALPHA_MAX), np.full(C, np.log(LAM_MAX))])

    def fit(self, y: np.ndarray, starts: list[np.ndarray]):
        best = None
        lo, hi = self.bounds()
        for th0 in starts:
            th0 = np.clip(th0, lo + 1e-9, hi - 1e-9)
            r = least_squares(self.resid, th0, jac=self.jac, bounds=(lo, hi), args=(y,), x_scale=1.0)
            if best is None or r.cost < best.cost:
                best = r
        return best


def _lsi(D: np.ndarray, y: np.ndarray, G: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """min ||D b - y|| subject to G b >= 0 (exact). With D = Q R and z = R b - Q'y this is the least-distance
    problem min ||z|| s.t. (G R^-1) z >= -(G R^-1) Q'y, whose solution comes from one NNLS
    (Lawson & Hanson 1974, ch. 23). b = 0 is always feasible, so the problem always has a solution."""
    p = D.shape[1]
    Q, R = np.linalg.qr(D)
    d = np.abs(np.diag(R))
    if d.min() <= 1e-10 * max(d.max(), 1.0):  # rank deficient: a tiny ridge keeps R invertible
        Q, R = np.linalg.qr(np.vstack([D, 1e-6 * np.eye(p)]))
        y = np.r_[y, np.zeros(p)]
    f = Q.T @ y
    Rinv = np.linalg.inv(R)  # p is small (< 20); scipy solve_triangular is slower here
    E = G @ Rinv
    g = -E @ f
    A = np.vstack([E.T, g[None, :]])
    e = np.zeros(p + 1)
    e[-1] = 1.0
    try:
        u, _ = nnls(A, e, maxiter=50 * A.shape[1])
    except RuntimeError:  # pragma: no cover - nnls iteration limit: a bounded solve without the baseline rows
        return lsq_linear(D, y, bounds=(lb, np.inf), method="bvls").x
    r = A @ u - e
    if abs(r[-1]) < 1e-14:  # pragma: no cover - infeasible (cannot happen: b = 0 is feasible)
        return np.zeros(p)
    z = -r[:p] / r[-1]
    b = Rinv @ (z + f)
    return b


def _starts(C: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for a0 in (0.1, 0.5):
        for l0 in (np.log(1.0), np.log(4.0)):
            out.append(np.r_[np.full(C, a0), np.full(C, l0)])
    for _ in range(2):  # seeded random starts
        out.append(np.r_[rng.uniform(0, 0.8, C), rng.uniform(np.log(0.3), np.log(10), C)])
    return out


def _base_matrix(dates: pd.DatetimeIndex, t: np.ndarray, controls: np.ndarray, season: bool):
    names = ["intercept", "trend"]
    cols = [np.ones(len(dates)), t]
    if season:
        F = _fourier(dates, FOURIER_K)
        cols += list(F.T)
        names += [f"{f}{k}" for k in range(1, FOURIER_K + 1) for f in ("sin", "cos")]
    cols += list(controls.T)
    return np.column_stack(cols), names
