"""The forecast of net sales per whole period (see the package docstring, "Forecast"): model choice, ETS
fits from statsmodels, the rolling-origin backtest against the seasonal-naive baseline, and the history the
model sees (:func:`forecast_input`, from the daily net sales). Pure numbers; labels are added by present."""

from __future__ import annotations

import math
import warnings as _warnings
from typing import Any

import numpy as np
import pandas as pd

from analytics.market.constants import BACKTEST, INTERVAL, MIN_NONSEASONAL, MIN_YOY, SEASON
from analytics.market.periods import iso, key_end, key_of, key_range, key_start, sum_by_period

MODELS = {
    "seasonal": "ETS(A,Ad,A)",          # Holt-Winters, damped additive trend, additive yearly seasonality
    "yoy": "SNaive x ETS(A,N,N) growth",  # last year's same period x smoothed year-on-year growth
    "trend": "ETS(A,Ad,N)",             # damped trend, no seasonality
}


def choose_model(n: int, grain: str) -> str | None:
    """The model the history supports honestly (None: too short), backtest included:
    2+ seasons -> seasonal ETS; 1 season + 6 year-on-year ratios -> last year x growth; 12 periods ->
    damped trend.

    Parameters
    ----------
    n : int
        Whole periods of history.
    grain : str
        The grain.

    Returns
    -------
    str | None
        ``"seasonal"``, ``"yoy"``, ``"trend"`` or None.
    """
    m, nbt = SEASON[grain], BACKTEST[grain]
    if n >= 2 * m + nbt:
        return "seasonal"
    if n >= m + MIN_YOY + nbt:
        return "yoy"
    if n >= MIN_NONSEASONAL + nbt:
        return "trend"
    return None


def _n_estimated(kind: str, m: int) -> int:
    """Quantities taken from the data (smoothing parameters and initial states)."""
    return {"seasonal": 5 + m, "yoy": 2, "trend": 5}[kind]


def _ets(y: np.ndarray, kind: str, m: int, params: np.ndarray | None = None):
    """Fit (or, with ``params``, only filter) the ETS model of ``kind`` on ``y``."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    if kind == "yoy":
        kw: dict[str, Any] = dict(error="add", trend=None, initialization_method="estimated")
    else:
        kw = dict(error="add", trend="add", damped_trend=True, initialization_method="heuristic")
        if kind == "seasonal":
            kw.update(seasonal="add", seasonal_periods=m)
    with _warnings.catch_warnings(), np.errstate(all="ignore"):
        _warnings.simplefilter("ignore")
        model = ETSModel(pd.Series(np.asarray(y, dtype=float)), **kw)
        if params is not None:
            return model.smooth(params)
        return model.fit(disp=False, maxiter=200)


def _robust_ratio(res, alpha: float = 1 - INTERVAL) -> float:
    """Empirical / Gaussian width of the central (1 - alpha) range of the one-step residuals, at most 1.
    Used for the year-on-year model: its residuals carry the festivals that move between years (CNY and
    年货节 shift by weeks, so one year's peak sits against the other year's ordinary period); a few such
    misalignments inflate the Gaussian variance and would widen the interval of every ordinary period,
    while the empirical quantiles count them only for the share of periods they really hit."""
    from scipy.stats import norm as _norm

    r = np.asarray(res.resid, dtype=float)
    r = r[np.isfinite(r)]
    if r.size < 6:
        return 1.0
    rmse = float(np.sqrt(np.mean(r ** 2)))
    lo, hi = np.quantile(r, [alpha / 2, 1 - alpha / 2])
    width = float(hi - lo) / (2 * _norm.ppf(1 - alpha / 2))
    return min(1.0, width / rmse) if rmse > 0 else 1.0


def _fit_predict(z: np.ndarray, h: int, kind: str, m: int, alpha: float, params=None):
    """Fit on ``z`` (log scale when positive) and predict ``h`` steps: (mean, lower, upper, params, result).

    The interval's half-width is widened by sqrt(n / (n - k)), the usual degrees-of-freedom correction of
    the residual variance for the k quantities estimated from the n observations (the model's own variance
    treats them as known and runs narrow on short histories)."""
    n = z.size
    series = z[m:] - z[:-m] if kind == "yoy" else z
    res = _ets(series, kind, m, params)
    with _warnings.catch_warnings(), np.errstate(all="ignore"):
        _warnings.simplefilter("ignore")
        fr = res.get_prediction(start=series.size, end=series.size + h - 1).summary_frame(alpha=alpha)
    mu = fr["mean"].to_numpy()
    f = math.sqrt(series.size / max(series.size - _n_estimated(kind, m), 1))
    if kind == "yoy":
        f *= _robust_ratio(res, alpha)
    lo = mu - (mu - fr["pi_lower"].to_numpy()) * f
    hi = mu + (fr["pi_upper"].to_numpy() - mu) * f
    if kind == "yoy":  # add last year's level of the same period (h <= m)
        last_year = z[n - m: n - m + h]
        mu, lo, hi = mu + last_year, lo + last_year, hi + last_year
    return mu, lo, hi, np.asarray(res.params), res


def forecast_series(y: np.ndarray, grain: str, horizon: int, interval: float = INTERVAL) -> dict:
    """Fit, backtest and forecast a series of whole periods. Returns a dict with ``forecast`` (list of
    value/lower/upper per step, or None), ``reason`` (i18n key + kwargs when refused), ``model`` and
    ``backtest``. Pure numbers; labels are added by the caller.

    Parameters
    ----------
    y : np.ndarray
        Values of whole periods, oldest first.
    grain : str
        The grain.
    horizon : int
        Periods to forecast (at most one season for the yoy model).
    interval : float
        Coverage of the prediction interval.

    Returns
    -------
    dict
        ``forecast``, ``reason``, ``model``, ``backtest``.
    """
    y = np.asarray(y, dtype=float)
    n = y.size
    m = SEASON[grain]
    nbt = BACKTEST[grain]
    kind = choose_model(n, grain)
    if kind is None:
        return {"forecast": None, "reason": ("market.forecast.too_short",
                                             dict(n=n, need=MIN_NONSEASONAL + nbt, need_seasonal=m + MIN_YOY + nbt)),
                "model": None, "backtest": None}
    clipped = None
    if kind == "yoy" and horizon > m:
        clipped, horizon = horizon, m

    use_log = bool((y > 0).all())
    z = np.log(y) if use_log else y
    back = (lambda v: np.exp(v)) if use_log else (lambda v: v)
    alpha = 1 - interval
    # rolling-origin backtest over the last nbt periods; parameters estimated once, at the first origin
    # (data before it only); later origins update the states with the data up to the origin
    actual, pred, lo, hi, base = [], [], [], [], []
    base_kind = "seasonal_naive"
    params = None
    for o in range(n - nbt, n):
        h = min(horizon, n - o)
        mu, l, u, pr, _ = _fit_predict(z[:o], h, kind, m, alpha, params)
        if params is None:
            params = pr
        for j in range(h):
            tt = o + j
            actual.append(y[tt])
            pred.append(float(back(mu[j])))
            lo.append(float(back(l[j])))
            hi.append(float(back(u[j])))
            k = int(math.ceil((j + 1) / m)) * m
            if tt - k >= 0:
                base.append(y[tt - k])
            else:
                base.append(y[o - 1])
                base_kind = "naive"
    a, p, b = np.array(actual), np.array(pred), np.array(base)
    nz = a != 0
    mape = float(np.mean(np.abs(a[nz] - p[nz]) / np.abs(a[nz]))) if nz.any() else None
    bmape = float(np.mean(np.abs(a[nz] - b[nz]) / np.abs(a[nz]))) if nz.any() else None
    cover = float(np.mean((a >= np.array(lo)) & (a <= np.array(hi))))
    mu, l, u, _, res = _fit_predict(z, horizon, kind, m, alpha)
    fc = [{"step": j + 1, "value": float(back(mu[j])), "lower": float(back(l[j])), "upper": float(back(u[j]))}
          for j in range(horizon)]
    return {
        "forecast": fc, "reason": None,
        "model": {"kind": kind, "name": MODELS[kind] + (" on log(net sales)" if use_log else ""),
                  "seasonal": kind != "trend", "season_length": m if kind != "trend" else None, "log": use_log,
                  "history": n, "interval": interval, "horizon_clipped_from": clipped,
                  "aic": float(res.aic) if np.isfinite(res.aic) else None},
        "backtest": {"mape": mape, "baseline_mape": bmape, "baseline": base_kind, "coverage": cover,
                     "points": int(a.size), "origins": nbt, "horizon": horizon,
                     "rows": [{"actual": float(a[i]), "forecast": float(p[i]), "lower": lo[i], "upper": hi[i],
                               "baseline": float(b[i])} for i in range(a.size)]},
    }



def too_short(n: int, grain: str) -> dict:
    """The refusal of a history of ``n`` whole periods (no model fits).

    Parameters
    ----------
    n : int
        Whole periods of history.
    grain : str
        The grain.

    Returns
    -------
    dict
        ``forecast`` None with the ``reason``, ``model`` and ``backtest`` None.
    """
    return {"forecast": None, "reason": ("market.forecast.too_short",
                                         dict(n=n, need=MIN_NONSEASONAL + BACKTEST[grain],
                                              need_seasonal=SEASON[grain] + MIN_YOY + BACKTEST[grain])),
            "model": None, "backtest": None}


def forecast_input(daily_net: np.ndarray, d0: int, end: int, grain: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The history of the forecast: net sales per whole period of ``grain`` from the data's first day ``d0``
    to ``end`` (``daily_net[i]`` is day ``d0 + i``). Returns the whole periods' keys, their net sales, and the
    ISO first days of the incomplete periods left out.

    Parameters
    ----------
    daily_net : np.ndarray
        Net sales per day.
    d0 : int
        Day number of ``daily_net[0]``.
    end : int
        Last day number.
    grain : str
        The grain.

    Returns
    -------
    tuple[np.ndarray, np.ndarray, list[str]]
        Keys, values and the ISO starts of the incomplete periods.
    """
    k0, k1 = key_of(d0, grain), key_of(end, grain)
    keys = key_range(k0, k1, grain)
    starts, ends = key_start(keys, grain), key_end(keys, grain)
    vals = sum_by_period(daily_net[: end - d0 + 1], d0, grain, k0, len(keys))
    whole = (starts >= d0) & (ends <= end)
    return keys[whole], vals[whole], [iso(d) for d in starts[~whole]]
