"""The media-mix model's constants (carry-over, bounds of the nonlinear parameters, minimum weeks, bootstrap
and holdout settings) and its two transforms: geometric adstock and logistic saturation."""

from __future__ import annotations

import numpy as np


L_MAX = 8
ALPHA_MAX = 0.9
LAM_MIN, LAM_MAX = 0.05, 8.0     # lam <= 8: a channel is at most ~96% saturated at half its highest spend
FOURIER_K = 2
MIN_WEEKS_FIT = 26
MIN_WEEKS_SEASON = 52
BLOCK = 8
HOLDOUT_FRAC = 0.12
BOOT_TOL = 1e-5        # bootstrap refits: tolerance and evaluation cap
BOOT_MAX_NFEV = 40
RIDGE = 0.0            # ridge weight on the media coefficients (scaled units, see the module docstring)


def adstock(x: np.ndarray, alpha: float, l_max: int = L_MAX) -> np.ndarray:
    """Geometric adstock with normalised weights along axis 0 (x: (n,) or (n, k)).

    Parameters
    ----------
    x : np.ndarray
        Spend per week, (n,) or (n, k).
    alpha : float
        Decay per week.
    l_max : int
        Weeks of carry-over.

    Returns
    -------
    np.ndarray
        The adstocked spend, same shape.
    """
    x = np.asarray(x, dtype=float)
    w = float(alpha) ** np.arange(l_max)
    w = w / w.sum()
    out = np.zeros_like(x)
    n = x.shape[0]
    for lag in range(min(l_max, n)):
        out[lag:] += w[lag] * x[: n - lag]
    return out


def logistic_saturation(x: np.ndarray, lam: float | np.ndarray) -> np.ndarray:
    """(1 - exp(-lam x)) / (1 + exp(-lam x)) = tanh(lam x / 2).

    Parameters
    ----------
    x : np.ndarray
        Scaled spend.
    lam : float | np.ndarray
        Saturation rate(s).

    Returns
    -------
    np.ndarray
        Values in [0, 1).
    """
    return np.tanh(np.asarray(lam, dtype=float) * np.asarray(x, dtype=float) / 2.0)


def logistic_saturation_deriv(x: np.ndarray, lam: float | np.ndarray) -> np.ndarray:
    """d/dx of the logistic saturation: lam / 2 * (1 - tanh(lam x / 2)^2).

    Parameters
    ----------
    x : np.ndarray
        Scaled spend.
    lam : float | np.ndarray
        Saturation rate(s).

    Returns
    -------
    np.ndarray
        The derivative.
    """
    th = np.tanh(np.asarray(lam, dtype=float) * np.asarray(x, dtype=float) / 2.0)
    return np.asarray(lam, dtype=float) / 2.0 * (1.0 - th**2)
