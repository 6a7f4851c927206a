"""Market overview: where sales are going (issue 4, DESIGN.md §4).

Definitions (also in ``locales/market.json`` as ``metric.*``; docs/metrics.md is generated from them)
---------------------------------------------------------------------------------------------------
A *sale line* is an order line with ``is_return`` False; a *return line* has ``is_return`` True.

* gross sales = sum(amount) over sale lines in the window;
* returns = sum(|amount|) over return lines in the window;
* net sales = gross sales - returns;
* orders = distinct order ids with at least one sale line;
* buyers = distinct customer ids with a sale line (lines without a customer id count for sales and
  orders, not for buyers; their number and sales are reported in ``coverage``);
* AOV = gross sales / orders;
* repeat rate = buyers with 2+ orders in the window / buyers;
* new buyers = buyers whose first sale line in the whole dataset (all dates, all categories, channels
  and regions) falls in the window; returning buyers = buyers - new buyers.

Windows
-------
The KPI window is [start, end] clipped to the data (whole data when both are None). The previous period
has the same length and ends the day before the window starts (shifted by whole calendar months when
the window is whole months); the same period last year is the window shifted back one year. A
comparison is only made where the data reaches back to the comparison's first day (else None).
Category / channel / region filters apply to every figure except the "first order ever" of new buyers.

Forecast
--------
Net sales per whole period (weekly for day and week grains, monthly for month grain); an incomplete
first or last period is dropped and said so. Values are modelled on the log scale when every period is
positive (seasonal swings and intervals then scale with the level and lower bounds stay positive). The
model is chosen by how much history there is (m = 52 weeks / 12 months, b = 8 weeks / 6 months of
backtest), all from statsmodels' ``ETSModel``:

* n >= 2m + b: ETS(A,Ad,A), Holt-Winters with a damped additive trend and additive yearly seasonality;
* n >= m + 6 + b: last year's same period x smoothed year-on-year growth, i.e. ETS(A,N,N) (simple
  exponential smoothing) on the year-on-year log ratios, added to last year's log value (two seasons are
  too few to estimate m seasonal states and still backtest, but one season plus a growth rate is not);
* n >= 12 + b: ETS(A,Ad,N), damped trend, no seasonality;
* else no forecast, with the reason.

80% prediction intervals are the model's analytic intervals widened by the degrees-of-freedom factor
sqrt(n / (n - k)) for the k smoothing parameters and initial states taken from the n periods (for the
year-on-year model, with the residual scale taken from the residuals' empirical 10% and 90% quantiles
when that is narrower, so that a few festivals moving between years do not widen every interval). The
backtest uses each of the last b periods as a forecast origin (rolling origin, forecasting up to
``horizon`` steps ahead inside that window; the parameters are estimated once on the data before the
first origin, the states are updated with the data up to each origin, so nothing after an origin is used)
and reports MAPE, interval coverage, and the MAPE of the seasonal-naive baseline (same period one season
earlier; the naive last value when less than one season precedes the origin).
"""

from __future__ import annotations

import math
import warnings as _warnings
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from analytics import calendar as promo_calendar
from analytics.common import NotEnoughData, jsonable
from analytics.i18n import fmt_date, fmt_money, fmt_number, fmt_pct, t
from analytics.params import Param

PAGE = "market-overview"
KINDS = {"orders": True, "market": False}
PARAMS = [
    Param("grain", "str", "month", choices=("day", "week", "month"), help="market.param_help.grain"),
    Param("compare", "str", "prev", choices=("prev", "yoy"), help="market.param_help.compare"),
    Param("horizon", "int", 3, min=1, max=52, help="market.param_help.horizon"),
    Param("category", "list", None, help="market.param_help.category"),
    Param("channel", "list", None, help="market.param_help.channel"),
    Param("region", "list", None, help="market.param_help.region"),
]

DIMS = ("category", "channel", "region")
KPI_NAMES = ("gross_sales", "returns", "net_sales", "orders", "buyers", "aov", "repeat_rate", "new_buyers",
             "returning_buyers")
MIX_TOP = 12
SMALL_ORDERS = 30
SEASON = {"week": 52, "month": 12}
BACKTEST = {"week": 8, "month": 6}
MIN_NONSEASONAL = 12
MIN_YOY = 6  # year-on-year ratios before the first backtest origin
PROMO_BASELINE_DAYS = 28
INTERVAL = 0.80
EPOCH = np.datetime64("1970-01-01", "D")


# ---------------------------------------------------------------- periods


def period_key(days: np.ndarray, grain: str) -> np.ndarray:
    """Integer period key of day numbers (days since 1970-01-01): the day, the Monday, or the month."""
    days = np.asarray(days, dtype=np.int64)
    if grain == "day":
        return days
    if grain == "week":
        return days - ((days - 4) % 7)  # 1970-01-05 (day 4) was a Monday
    if grain == "month":
        return (days.astype("datetime64[D]").astype("datetime64[M]")).astype(np.int64)
    raise ValueError(grain)


def key_start(keys: np.ndarray, grain: str) -> np.ndarray:
    keys = np.asarray(keys, dtype=np.int64)
    if grain == "month":
        return keys.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return keys


def key_end(keys: np.ndarray, grain: str) -> np.ndarray:
    keys = np.asarray(keys, dtype=np.int64)
    if grain == "day":
        return keys
    if grain == "week":
        return keys + 6
    return (keys + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - 1


def key_range(k0: int, k1: int, grain: str) -> np.ndarray:
    step = 7 if grain == "week" else 1
    return np.arange(k0, k1 + 1, step, dtype=np.int64)


def key_index(keys: np.ndarray, k0: int, grain: str) -> np.ndarray:
    return (keys - k0) // (7 if grain == "week" else 1)


def day_to_date(d: int) -> date:
    return (EPOCH + np.timedelta64(int(d), "D")).astype(object)


def to_day(d: Any) -> int | None:
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return None
    ts = pd.Timestamp(d)
    if ts is pd.NaT:
        return None
    return int((np.datetime64(ts.date(), "D") - EPOCH).astype(np.int64))


def _shift_years(day: int, years: int) -> int:
    return to_day(pd.Timestamp(day_to_date(day)) + pd.DateOffset(years=years))


def _shift_months(day: int, months: int) -> int:
    return to_day(pd.Timestamp(day_to_date(day)) + pd.DateOffset(months=months))


def comparison_window(s: int, e: int, kind: str) -> tuple[int, int]:
    """The previous equal-length period ("prev") or the same period a year earlier ("yoy")."""
    if kind == "yoy":
        return _shift_years(s, -1), _shift_years(e, -1)
    d_s, d_e = day_to_date(s), day_to_date(e)
    whole_months = d_s.day == 1 and day_to_date(e + 1).day == 1
    if whole_months:
        n = (d_e.year - d_s.year) * 12 + d_e.month - d_s.month + 1
        return _shift_months(s, -n), s - 1
    n = e - s + 1
    return s - n, s - 1


# ---------------------------------------------------------------- prepared lines


@dataclass
class Lines:
    day: np.ndarray          # int64 day numbers
    amount: np.ndarray       # float64
    net: np.ndarray          # amount on sale lines, -|amount| on return lines
    ret: np.ndarray          # bool
    order: np.ndarray        # int64 codes
    n_order: int
    cust: np.ndarray         # int64 codes, -1 = no customer id
    n_cust: int
    first_day: np.ndarray    # per customer code: first sale day in the whole data (huge when none)
    frame: pd.DataFrame      # the orders rows kept (valid date), aligned with the arrays
    dropped_no_date: int
    order_cust: np.ndarray | None  # per order code: its one customer code (-1 none); None if orders mix customers


def _codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def prepare(orders: pd.DataFrame) -> Lines:
    ok = orders["order_date"].notna().to_numpy()
    dropped = int((~ok).sum())
    df = orders.loc[ok] if dropped else orders
    day = (df["order_date"].to_numpy().astype("datetime64[D]") - EPOCH).astype(np.int64)
    amount = np.nan_to_num(pd.to_numeric(df["amount"], errors="coerce").to_numpy(dtype=float, na_value=np.nan))
    ret = df["is_return"].fillna(False).to_numpy(dtype=bool) if "is_return" in df.columns else np.zeros(len(df), bool)
    net = np.where(ret, -np.abs(amount), amount)
    if "order_id" in df.columns and df["order_id"].notna().any():
        order, _ = _codes(df["order_id"])
        missing = order < 0
        if missing.any():  # contract says always filled; be safe: each such line its own order
            order = order.copy()
            order[missing] = order.max() + 1 + np.arange(int(missing.sum()))
    else:
        order = np.arange(len(df), dtype=np.int64)
    n_order = int(order.max()) + 1 if len(order) else 0
    if "customer_id" in df.columns:
        cust, uc = _codes(df["customer_id"])
        n_cust = len(uc)
    else:
        cust, n_cust = np.full(len(df), -1, dtype=np.int64), 0
    first = np.full(max(n_cust, 1), np.iinfo(np.int64).max, dtype=np.int64)
    cs = (~ret) & (cust >= 0)
    if cs.any():
        _min_by(first, cust[cs], day[cs])
    # one customer per order (the usual case) lets distinct buyers and orders be counted with bincount
    lo = np.full(max(n_order, 1), np.iinfo(np.int64).max, dtype=np.int64)
    hi = np.full(max(n_order, 1), -1, dtype=np.int64)
    if n_order:
        np.minimum.at(lo, order, cust)
        np.maximum.at(hi, order, cust)
    order_cust = hi if bool((lo == hi).all()) else None
    return Lines(day, amount, net, ret, order, n_order, cust, n_cust, first, df, dropped, order_cust)


def _min_by(out: np.ndarray, keys: np.ndarray, vals: np.ndarray) -> None:
    order = np.lexsort((vals, keys))
    k, v = keys[order], vals[order]
    first = np.r_[True, k[1:] != k[:-1]]
    out[k[first]] = v[first]


def _nunique(x: np.ndarray, size: int | None = None) -> int:
    if not x.size:
        return 0
    if size is not None:
        return int(np.count_nonzero(np.bincount(x, minlength=size)))
    return int(np.unique(x).size)


# ---------------------------------------------------------------- KPIs


def kpis_for(L: Lines, mask: np.ndarray, s: int, e: int) -> dict:
    """KPIs of the lines in ``mask`` (already restricted to the window [s, e])."""
    sale = mask & ~L.ret
    retm = mask & L.ret
    gross = float(L.amount[sale].sum())
    returns = float(np.abs(L.amount[retm]).sum())
    orders = _nunique(L.order[sale], L.n_order)
    cs = sale & (L.cust >= 0)
    if L.order_cust is not None:  # one customer per order: the distinct orders give the pairs
        seen = np.bincount(L.order[cs], minlength=L.n_order) > 0
        pc = L.order_cust[seen]
    else:
        pairs = np.unique(L.cust[cs] * max(L.n_order, 1) + L.order[cs])
        pc = pairs // max(L.n_order, 1)
    counts = np.bincount(pc, minlength=max(L.n_cust, 1)) if pc.size else np.zeros(1, np.int64)
    buyers_codes = np.flatnonzero(counts)
    buyers = int(buyers_codes.size)
    repeat = int((counts >= 2).sum())
    new = int((L.first_day[buyers_codes] >= s).sum()) if buyers else 0
    return {
        "gross_sales": gross,
        "returns": returns,
        "net_sales": gross - returns,
        "orders": orders,
        "buyers": buyers,
        "aov": gross / orders if orders else None,
        "repeat_rate": repeat / buyers if buyers else None,
        "new_buyers": new,
        "returning_buyers": buyers - new,
    }


def _change(cur: float | None, base: float | None) -> float | None:
    if cur is None or base is None or base == 0 or not np.isfinite(base):
        return None
    return (cur - base) / abs(base)


def by_period(L: Lines, mask: np.ndarray, grain: str, k0: int, k1: int, cover: tuple[int, int]) -> pd.DataFrame:
    """One row per period key in [k0, k1] (zeros where no lines), columns as in the report."""
    keys = key_range(k0, k1, grain)
    n = len(keys)
    pk = period_key(L.day[mask], grain)
    idx = key_index(pk, k0, grain)
    sale = ~L.ret[mask]
    amt = L.amount[mask]
    gross = np.bincount(idx[sale], weights=amt[sale], minlength=n)[:n]
    returns = np.bincount(idx[~sale], weights=np.abs(amt[~sale]), minlength=n)[:n]
    no = max(L.n_order, 1)
    po = np.unique(idx[sale] * no + L.order[mask][sale])
    orders = np.bincount(po // no, minlength=n)[:n]
    cust = L.cust[mask]
    cs = sale & (cust >= 0)
    nc = max(L.n_cust, 1)
    trip = np.unique((idx[cs] * nc + cust[cs]) * no + L.order[mask][cs])
    pcust = trip // no
    upc, cnt = np.unique(pcust, return_counts=True)
    p_of = upc // nc
    c_of = upc % nc
    buyers = np.bincount(p_of, minlength=n)[:n]
    repeaters = np.bincount(p_of[cnt >= 2], minlength=n)[:n]
    starts = key_start(keys, grain)
    ends = key_end(keys, grain)
    new = np.bincount(p_of[L.first_day[c_of] >= starts[p_of]], minlength=n)[:n] if upc.size else np.zeros(n, int)
    out = pd.DataFrame({
        "period": [day_to_date(d).isoformat() for d in starts],
        "period_end": [day_to_date(d).isoformat() for d in ends],
        "complete": (starts >= cover[0]) & (ends <= cover[1]),
        "gross_sales": gross,
        "returns": returns,
        "net_sales": gross - returns,
        "orders": orders.astype(np.int64),
        "buyers": buyers.astype(np.int64),
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        out["aov"] = np.where(orders > 0, gross / np.maximum(orders, 1), np.nan)
        out["repeat_rate"] = np.where(buyers > 0, repeaters / np.maximum(buyers, 1), np.nan)
    out["new_buyers"] = new.astype(np.int64)
    out["returning_buyers"] = (buyers - new).astype(np.int64)
    return out


# ---------------------------------------------------------------- mix, pareto, seasonality


def _dim_codes(L: Lines, dim: str) -> tuple[np.ndarray, np.ndarray] | None:
    if dim not in L.frame.columns or not L.frame[dim].notna().any():
        return None
    return _codes(L.frame[dim])


def mix_table(L: Lines, dim: str, cur: np.ndarray, base: np.ndarray | None, lang: str) -> list[dict] | None:
    dc = _dim_codes(L, dim)
    if dc is None:
        return None
    codes, uniq = dc
    labels = np.append(uniq.astype(object), t("market.label.missing", lang))
    codes = np.where(codes < 0, len(uniq), codes)
    k = len(labels)
    cv = np.bincount(codes[cur], weights=L.net[cur], minlength=k)
    bv = np.bincount(codes[base], weights=L.net[base], minlength=k) if base is not None else None
    order = np.argsort(-cv, kind="stable")
    order = [i for i in order if cv[i] != 0 or (bv is not None and bv[i] != 0)]
    top, rest = order[:MIX_TOP], order[MIX_TOP:]
    ct, bt = cv.sum(), (bv.sum() if bv is not None else None)
    rows = []

    def row(label, c, b):
        r = {"value": str(label), "net_sales": float(c), "share": float(c / ct) if ct else None}
        if bv is not None:
            r["base_net_sales"] = float(b)
            r["base_share"] = float(b / bt) if bt else None
            r["share_change"] = (r["share"] - r["base_share"]) if r["share"] is not None and r["base_share"] is not None else None
            r["growth"] = _change(float(c), float(b))
            d = ct - bt
            r["contribution"] = float((c - b) / d) if d else None
        return r

    for i in top:
        rows.append(row(labels[i], cv[i], bv[i] if bv is not None else 0.0))
    if rest:
        rows.append(row(t("market.label.other", lang), cv[rest].sum(), bv[rest].sum() if bv is not None else 0.0))
    return rows


def pareto(values: np.ndarray, share: float = 0.2, points: int = 50) -> dict:
    """Share of the total from the top ceil(share x n) items (by value, descending) and the curve."""
    n = int(values.size)
    total = float(values.sum())
    if n == 0 or total <= 0:
        return {"n": n, "top_share": None, "curve": []}
    v = np.sort(values)[::-1]
    k = int(math.ceil(share * n))
    cum = np.cumsum(v) / total
    at = np.unique(np.linspace(1, n, min(points, n)).round().astype(int))
    curve = [{"items_share": float(i / n), "sales_share": float(cum[i - 1])} for i in at]
    return {"n": n, "top_n": k, "top_share": float(cum[k - 1]), "curve": curve}


def _group_net(codes: np.ndarray, net: np.ndarray) -> np.ndarray:
    ok = codes >= 0
    if not ok.any():
        return np.zeros(0)
    c = codes[ok]
    u, inv = np.unique(c, return_inverse=True)
    return np.bincount(inv, weights=net[ok])


def seasonality(daily: np.ndarray, d0: int, months_complete: pd.Series, lang: str) -> dict:
    """Day-of-week index (mean daily net sales per weekday / mean daily net sales x 100) and month-of-year
    index (mean net sales per calendar month over complete months / mean over all complete months x 100)."""
    out: dict = {"day_of_week": None, "month_of_year": None}
    if daily.size >= 14 and daily.mean() != 0:
        wd = (np.arange(d0, d0 + daily.size) - 4) % 7  # 0 = Monday
        m = daily.mean()
        out["day_of_week"] = [
            {"weekday": int(i), "label": t(f"market.weekday.{i}", lang), "days": int((wd == i).sum()),
             "index": float(daily[wd == i].mean() / m * 100)} for i in range(7)]
    if len(months_complete) >= 12 and months_complete.mean() != 0:
        mm = months_complete.mean()
        month_no = np.array([int(p[5:7]) for p in months_complete.index])
        out["month_of_year"] = [
            {"month": int(i), "label": t(f"market.month.{i}", lang), "months": int((month_no == i).sum()),
             "index": float(months_complete.to_numpy()[month_no == i].mean() / mm * 100) if (month_no == i).any() else None}
            for i in range(1, 13)]
        out["years"] = float(len(months_complete) / 12)
    return out


# ---------------------------------------------------------------- forecast


MODELS = {
    "seasonal": "ETS(A,Ad,A)",          # Holt-Winters, damped additive trend, additive yearly seasonality
    "yoy": "SNaive x ETS(A,N,N) growth",  # last year's same period x smoothed year-on-year growth
    "trend": "ETS(A,Ad,N)",             # damped trend, no seasonality
}


def choose_model(n: int, grain: str) -> str | None:
    """The model the history supports honestly (None: too short), backtest included:
    2+ seasons -> seasonal ETS; 1 season + 6 year-on-year ratios -> last year x growth; 12 periods ->
    damped trend."""
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
    ``backtest``. Pure numbers; labels are added by the caller."""
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


# ---------------------------------------------------------------- market share


def market_share(market: pd.DataFrame | None, L: Lines, dim_mask: np.ndarray, cover: tuple[int, int],
                 start: int | None, end: int | None, categories: list | None) -> dict | None:
    if market is None or market.empty or "market_size" not in market.columns:
        return None
    mk = market.loc[market["date"].notna() & market["market_size"].notna()]
    if categories and "segment" in mk.columns and mk["segment"].isin(categories).any():
        mk = mk.loc[mk["segment"].isin(categories)]
    if mk.empty:
        return None
    mday = (mk["date"].to_numpy().astype("datetime64[D]") - EPOCH).astype(np.int64)
    keep = np.ones(len(mk), bool)
    if start is not None:
        keep &= mday >= start
    if end is not None:
        keep &= mday <= end
    mk, mday = mk.loc[keep], mday[keep]
    if mk.empty:
        return None
    mkey = period_key(mday, "month")
    g = pd.DataFrame({"k": mkey, "market_size": mk["market_size"].to_numpy(dtype=float)})
    has_own = "our_sales" in mk.columns and mk["our_sales"].notna().any()
    if has_own:
        g["our_sales"] = mk["our_sales"].to_numpy(dtype=float)
        agg = g.groupby("k").agg(market_size=("market_size", "sum"), our_sales=("our_sales", lambda s: s.sum(min_count=1)))
        source = "market"
    else:
        agg = g.groupby("k").agg(market_size=("market_size", "sum"))
        keys = agg.index.to_numpy()
        pk = period_key(L.day[dim_mask], "month")
        own = pd.Series(L.net[dim_mask]).groupby(pk).sum()
        complete = (key_start(keys, "month") >= cover[0]) & (key_end(keys, "month") <= cover[1])
        agg["our_sales"] = np.where(complete, own.reindex(keys).fillna(0).to_numpy(), np.nan)
        source = "orders"
    agg = agg.dropna(subset=["our_sales"])
    agg = agg.loc[agg["market_size"] > 0]
    if agg.empty:
        return None
    agg["share"] = agg["our_sales"] / agg["market_size"]
    trend = [{"period": day_to_date(int(key_start(np.array([k]), "month")[0])).isoformat(),
              "market_size": float(r.market_size), "our_sales": float(r.our_sales), "share": float(r.share)}
             for k, r in agg.iterrows()]
    out = {"source": source, "trend": trend, "latest": trend[-1], "share_change": None, "share_change_yoy": None,
           "market_growth": None, "our_growth": None}
    if len(trend) >= 2:
        out["share_change"] = trend[-1]["share"] - trend[-2]["share"]
        out["market_growth"] = _change(trend[-1]["market_size"], trend[-2]["market_size"])
        out["our_growth"] = _change(trend[-1]["our_sales"], trend[-2]["our_sales"])
    lk = int(agg.index[-1])
    if lk - 12 in agg.index:
        out["share_change_yoy"] = float(agg["share"].iloc[-1] - agg.loc[lk - 12, "share"])
    return out


# ---------------------------------------------------------------- compute


def _whole_periods(d0: int, d1: int, grain: str) -> int:
    keys = key_range(int(period_key(np.array([d0]), grain)[0]), int(period_key(np.array([d1]), grain)[0]), grain)
    return int(((key_start(keys, grain) >= d0) & (key_end(keys, grain) <= d1)).sum())


def _window_mask(L: Lines, s: int, e: int) -> np.ndarray:
    return (L.day >= s) & (L.day <= e)


def _fmt_change(x: float | None, lang: str) -> str:
    return fmt_pct(x, lang, signed=True) if x is not None else "—"


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    p = {pp.key: pp.default for pp in PARAMS}
    p.update({k: v for k, v in (params or {}).items() if v is not None})
    grain = p["grain"] if p["grain"] in ("day", "week", "month") else "month"
    compare = p["compare"] if p["compare"] in ("prev", "yoy") else "prev"
    horizon = max(1, min(int(p["horizon"] or 3), 52))
    orders = frames.get("orders")
    if orders is None or orders.empty:
        raise NotEnoughData("market.error.no_orders")
    L = prepare(orders)
    if L.day.size == 0:
        raise NotEnoughData("market.error.no_orders")
    warnings: list[str] = []
    findings: list[str] = []
    if L.dropped_no_date:
        warnings.append(t("market.warning.no_date", lang, n=fmt_number(L.dropped_no_date, lang)))

    data_min, data_max = int(L.day.min()), int(L.day.max())
    # dimension filters
    dim_mask = np.ones(L.day.size, bool)
    filters: dict[str, list] = {}
    for dim in DIMS:
        vals = p.get(dim)
        if not vals:
            continue
        vals = [str(v) for v in vals]
        if dim not in L.frame.columns or not L.frame[dim].notna().any():
            warnings.append(t("market.warning.filter_ignored", lang, dim=t(f"market.dim.{dim}", lang)))
            continue
        dim_mask &= L.frame[dim].isin(vals).to_numpy(dtype=bool, na_value=False)
        filters[dim] = vals
    if not dim_mask.any():
        raise NotEnoughData("market.error.no_match")

    s_req, e_req = to_day(p.get("start")), to_day(p.get("end"))
    cur_s = max(s_req, data_min) if s_req is not None else data_min
    cur_e = min(e_req, data_max) if e_req is not None else data_max
    if cur_s > cur_e:
        raise NotEnoughData("market.error.empty_window", start=fmt_date(day_to_date(cur_s), lang),
                            end=fmt_date(day_to_date(cur_e), lang))
    cur = dim_mask & _window_mask(L, cur_s, cur_e)
    kpis = kpis_for(L, cur, cur_s, cur_e)
    # amounts near the float limit (1e308) add up to infinity: say so instead of showing a blank KPI
    too_large = [k for k in KPI_NAMES if isinstance(kpis.get(k), float) and not math.isfinite(kpis[k])]
    if too_large:
        warnings.append(t("market.warning.too_large", lang, kpis=", ".join(t(f"market.kpi.{k}", lang) for k in too_large)))

    # comparisons
    compare_out: dict[str, Any] = {}
    for kind in ("prev", "yoy"):
        cs_, ce_ = comparison_window(cur_s, cur_e, kind)
        if cs_ < data_min:
            compare_out[kind] = None
            continue
        bm = dim_mask & _window_mask(L, cs_, ce_)
        bk = kpis_for(L, bm, cs_, ce_)
        compare_out[kind] = {"start": day_to_date(cs_), "end": day_to_date(ce_), "kpis": bk,
                             "changes": {k: _change(kpis[k], bk[k]) for k in KPI_NAMES}}
    chosen = compare_out.get(compare)
    kpi_changes = chosen["changes"] if chosen else {k: None for k in KPI_NAMES}
    if chosen is None:
        warnings.append(t(f"market.warning.no_compare_{compare}", lang))

    # coverage of customer ids
    sale_cur = cur & ~L.ret
    no_id = cur & (L.cust < 0)
    coverage = {
        "lines": int(cur.sum()),
        "lines_without_customer": int(no_id.sum()),
        "sales_without_customer": float(L.amount[no_id & ~L.ret].sum()),
        "share_of_gross_without_customer": (float(L.amount[no_id & ~L.ret].sum() / kpis["gross_sales"])
                                            if kpis["gross_sales"] else None),
        "return_lines": int((cur & L.ret).sum()),
    }
    if coverage["lines_without_customer"]:
        warnings.append(t("market.warning.no_customer_id", lang, n=fmt_number(coverage["lines_without_customer"], lang),
                          sales=fmt_money(coverage["sales_without_customer"], lang),
                          share=fmt_pct(coverage["share_of_gross_without_customer"] or 0, lang)))
    if kpis["orders"] < SMALL_ORDERS:
        warnings.append(t("market.warning.small", lang, n=kpis["orders"]))
    if kpis["buyers"] and cur_s - data_min < 90:
        warnings.append(t("market.warning.new_censored", lang, date=fmt_date(day_to_date(data_min), lang)))

    # by period
    k0 = int(period_key(np.array([cur_s]), grain)[0])
    k1 = int(period_key(np.array([cur_e]), grain)[0])
    bp = by_period(L, cur, grain, k0, k1, (cur_s, cur_e))
    if len(bp) > 3000:
        warnings.append(t("market.warning.many_periods", lang, n=len(bp)))

    # mix (vs the chosen comparison; else none)
    base_mask = None
    if chosen is not None:
        base_mask = dim_mask & _window_mask(L, to_day(chosen["start"]), to_day(chosen["end"]))
    mix = {dim: mix_table(L, dim, cur, base_mask, lang) for dim in DIMS}

    # pareto
    prod_col = "product_id" if "product_id" in L.frame.columns and L.frame["product_id"].notna().any() else "product_name"
    par: dict[str, Any] = {"top_20pct_products_share": None, "top_20pct_customers_share": None,
                           "product_key": prod_col if prod_col in L.frame.columns else None}
    if prod_col in L.frame.columns and L.frame[prod_col].notna().any():
        pcodes, _ = _codes(L.frame[prod_col])
        pp = pareto(_group_net(pcodes[cur], L.net[cur]))
        par.update(top_20pct_products_share=pp["top_share"], products=pp["n"], products_curve=pp["curve"])
    cp = pareto(_group_net(L.cust[cur], L.net[cur]))
    par.update(top_20pct_customers_share=cp["top_share"], customers=cp["n"], customers_curve=cp["curve"])

    # daily net series (dimension-filtered) over all history up to the window end: seasonality, promos
    hist = dim_mask & (L.day <= cur_e)
    daily = np.bincount(L.day[hist] - data_min, weights=L.net[hist], minlength=cur_e - data_min + 1)
    mk_keys = key_range(int(period_key(np.array([data_min]), "month")[0]), int(period_key(np.array([cur_e]), "month")[0]), "month")
    mstarts, mends = key_start(mk_keys, "month"), key_end(mk_keys, "month")
    mcomplete = (mstarts >= data_min) & (mends <= cur_e)
    monthly = pd.Series([daily[max(a - data_min, 0): b - data_min + 1].sum() for a, b in zip(mstarts, mends)],
                        index=[day_to_date(d).isoformat() for d in mstarts])
    seas = seasonality(daily[cur_s - data_min:], cur_s, monthly[mcomplete], lang)
    if seas.get("month_of_year") and seas.get("years", 0) < 2:
        warnings.append(t("market.warning.season_one_year", lang))

    # promo calendar and uplift
    promos = []
    for w in promo_calendar.promo_windows(day_to_date(cur_s), day_to_date(cur_e), L.frame.loc[dim_mask]
                                          if "campaign" in L.frame.columns else None):
        ws, we = to_day(w.start), to_day(w.end)
        r = w.as_dict(lang)
        r.update(daily_net_sales=None, baseline_daily=None, uplift=None)
        if ws >= data_min + PROMO_BASELINE_DAYS and we <= cur_e:
            win = daily[ws - data_min: we - data_min + 1].mean()
            basev = daily[ws - data_min - PROMO_BASELINE_DAYS: ws - data_min].mean()
            r.update(daily_net_sales=float(win), baseline_daily=float(basev),
                     uplift=float(win / basev) if basev > 0 else None)
        promos.append(r)

    # market share
    ms = market_share(frames.get("market"), L, dim_mask, (data_min, data_max), s_req, e_req, filters.get("category"))

    # forecast
    fgrain = "month" if grain == "month" else "week"
    fk0 = int(period_key(np.array([data_min]), fgrain)[0])
    fk1 = int(period_key(np.array([cur_e]), fgrain)[0])
    fkeys = key_range(fk0, fk1, fgrain)
    fst, fen = key_start(fkeys, fgrain), key_end(fkeys, fgrain)
    fidx = key_index(period_key(L.day[hist], fgrain), fk0, fgrain)
    fvals = np.bincount(fidx, weights=L.net[hist], minlength=len(fkeys))[: len(fkeys)]
    whole = (fst >= data_min) & (fen <= cur_e)
    dropped = [day_to_date(d).isoformat() for d in fst[~whole]]
    fkeys, fvals, fst = fkeys[whole], fvals[whole], fst[whole]
    fc = forecast_series(fvals, fgrain, horizon) if fvals.size else {
        "forecast": None, "reason": ("market.forecast.too_short", dict(n=0, need=MIN_NONSEASONAL + BACKTEST[fgrain],
                                                                       need_seasonal=SEASON[fgrain] + MIN_YOY + BACKTEST[fgrain])),
        "model": None, "backtest": None}
    forecast = None
    forecast_reason = None
    fmodel = fc["model"]
    backtest = fc["backtest"]
    if fc["forecast"] is None:
        key, kw = fc["reason"]
        unit = t(f"market.grain_unit.{fgrain}", lang)
        forecast_reason = t(key, lang, n=kw["n"], need=kw["need"], need_seasonal=kw["need_seasonal"], unit=unit)
        if fgrain == "month":
            nweeks = _whole_periods(data_min, cur_e, "week")
            if nweeks >= MIN_NONSEASONAL + BACKTEST["week"]:
                forecast_reason += " " + t("market.forecast.try_week", lang, n=nweeks)
    else:
        last = int(fkeys[-1])
        nxt = [last + (7 if fgrain == "week" else 1) * (j + 1) for j in range(horizon)]
        forecast = [{"period": day_to_date(int(key_start(np.array([k]), fgrain)[0])).isoformat(), **{
            kk: f[kk] for kk in ("value", "lower", "upper")}} for k, f in zip(nxt, fc["forecast"])]
        fmodel = dict(fmodel, grain=fgrain, dropped_incomplete=dropped,
                      explanation=t(f"market.forecast.model_{fmodel['kind']}", lang, n=fmodel["history"],
                                    m=SEASON[fgrain], unit=t(f"market.grain_unit.{fgrain}", lang)))
        if fmodel.get("horizon_clipped_from"):
            warnings.append(t("market.warning.horizon_clipped", lang, n=SEASON[fgrain],
                              unit=t(f"market.grain_unit.{fgrain}", lang)))
        bt_rows = backtest.pop("rows")
        backtest["rows"] = bt_rows
        if dropped:
            warnings.append(t("market.warning.dropped_incomplete", lang, periods=", ".join(dropped)))
        if backtest["mape"] is not None and backtest["baseline_mape"] is not None \
                and backtest["mape"] > backtest["baseline_mape"]:
            warnings.append(t("market.warning.worse_than_baseline", lang, mape=fmt_pct(backtest["mape"], lang),
                              base=fmt_pct(backtest["baseline_mape"], lang)))
        if backtest["coverage"] < 0.65:
            warnings.append(t("market.warning.low_coverage", lang, cov=fmt_pct(backtest["coverage"], lang)))
    forecast_history = [{"period": day_to_date(int(d)).isoformat(), "net_sales": float(v)}
                        for d, v in zip(fst[-3 * SEASON[fgrain]:], fvals[-3 * SEASON[fgrain]:])]

    # findings
    findings += _findings(L, kpis, chosen, compare, cur, base_mask, bp, promos, dim_mask, lang, grain)
    if forecast:
        f0 = forecast[0]
        findings.append(t("market.finding.forecast", lang, period=f0["period"], value=fmt_money(f0["value"], lang),
                          lo=fmt_money(f0["lower"], lang), hi=fmt_money(f0["upper"], lang),
                          mape=fmt_pct(backtest["mape"], lang), base=fmt_pct(backtest["baseline_mape"], lang)))
    if ms and ms.get("share_change") is not None:
        findings.append(t("market.finding.share_" + ("up" if ms["share_change"] >= 0 else "down"), lang,
                          share=fmt_pct(ms["latest"]["share"], lang, 2),
                          pp=f"{abs(ms['share_change']) * 100:.2f}",
                          mg=_fmt_change(ms["market_growth"], lang), og=_fmt_change(ms["our_growth"], lang)))

    result = {
        "period": {"start": day_to_date(cur_s), "end": day_to_date(cur_e), "grain": grain, "compare": compare,
                   "data_start": day_to_date(data_min), "data_end": day_to_date(data_max),
                   "prev": {"start": compare_out["prev"]["start"], "end": compare_out["prev"]["end"]}
                   if compare_out["prev"] else None,
                   "yoy": {"start": compare_out["yoy"]["start"], "end": compare_out["yoy"]["end"]}
                   if compare_out["yoy"] else None},
        "filters": filters,
        "kpis": kpis,
        "kpi_changes": kpi_changes,
        "kpi_compare": {k: ({"kpis": v["kpis"], "changes": v["changes"]} if v else None) for k, v in compare_out.items()},
        "kpi_too_large": too_large,
        "coverage": coverage,
        "by_period": bp,
        "promos": promos,
        "seasonality": seas,
        "mix": mix,
        "pareto": par,
        "market_share": ms,
        "forecast": forecast,
        "forecast_reason": forecast_reason,
        "forecast_model": fmodel,
        "forecast_history": forecast_history,
        "backtest": backtest,
        "findings": findings,
        "warnings": warnings,
    }
    return jsonable(result)


def _findings(L, kpis, chosen, compare, cur, base_mask, bp, promos, dim_mask, lang, grain) -> list[str]:
    out: list[str] = []
    # 1. the change and what drives it: the chosen comparison, else the last two whole periods
    c_mask, b_mask, label = cur, base_mask, t(f"market.compare.{compare}", lang)
    if b_mask is None:
        whole = bp.loc[bp["complete"]]
        if len(whole) >= 2:
            a, b = whole.iloc[-1], whole.iloc[-2]
            ca, cb = to_day(a["period"]), to_day(a["period_end"])
            pa, pb = to_day(b["period"]), to_day(b["period_end"])
            c_mask = dim_mask & _window_mask(L, ca, cb)
            b_mask = dim_mask & _window_mask(L, pa, pb)
            label = t("market.compare.last_period", lang, period=a["period"], prev=b["period"])
    if b_mask is not None:
        cur_net, base_net = float(L.net[c_mask].sum()), float(L.net[b_mask].sum())
        ch = _change(cur_net, base_net)
        driver = None
        for dim in DIMS:
            rows = mix_table(L, dim, c_mask, b_mask, lang)
            if not rows or len(rows) < 2:
                continue
            real = [r for r in rows if r["value"] not in (t("market.label.other", lang),)]
            d = cur_net - base_net
            if not real or d == 0:
                continue
            best = max(real, key=lambda r: (r["net_sales"] - r["base_net_sales"]) * np.sign(d))
            driver = (dim, best)
            break
        if ch is not None:
            key = "market.finding.change_up" if ch >= 0 else "market.finding.change_down"
            text = t(key, lang, pct=fmt_pct(abs(ch), lang), label=label, value=fmt_money(cur_net, lang))
            if driver:
                dim, r = driver
                text += " " + t("market.finding.driver", lang, dim=t(f"market.dim.{dim}", lang), value=r["value"],
                                delta=("+" if r["net_sales"] - r["base_net_sales"] >= 0 else "-")
                                + fmt_money(abs(r["net_sales"] - r["base_net_sales"]), lang),
                                share=fmt_pct(r["contribution"] or 0, lang, 0))
            out.append(text)
        # 2. returning buyers
        sc, ec = int(L.day[c_mask].min()) if c_mask.any() else 0, int(L.day[c_mask].max()) if c_mask.any() else 0
        if c_mask.any() and b_mask.any():
            kc = kpis_for(L, c_mask, sc, ec)
            kb = kpis_for(L, b_mask, int(L.day[b_mask].min()), int(L.day[b_mask].max()))
            if kc["buyers"] and kb["buyers"]:
                rc = _change(kc["returning_buyers"], kb["returning_buyers"])
                nc = _change(kc["new_buyers"], kb["new_buyers"])
                if rc is not None:
                    out.append(t("market.finding.returning_" + ("down" if rc < 0 else "up"), lang,
                                 pct=fmt_pct(abs(rc), lang), a=fmt_number(kb["returning_buyers"], lang),
                                 b=fmt_number(kc["returning_buyers"], lang), new=_fmt_change(nc, lang), label=label))
    # 3. biggest promo peak
    peaks = [r for r in promos if r.get("uplift") is not None]
    if peaks:
        top = max(peaks, key=lambda r: r["uplift"])
        out.append(t("market.finding.promo_peak", lang, promo=top["label"], x=f"{top['uplift']:.1f}",
                     start=fmt_date(top["start"], lang), end=fmt_date(top["end"], lang),
                     daily=fmt_money(top["daily_net_sales"], lang)))
    return out


# ---------------------------------------------------------------- page helpers


MAX_OPTIONS = 2000


def filter_options(frames: dict[str, pd.DataFrame], params: dict | None = None, lang: str = "en") -> dict[str, list[str]]:
    """Choices of the category / channel / region filters: the distinct values in the orders, largest
    net sales first (at most MAX_OPTIONS each; an empty list when the orders have no such column)."""
    orders = frames.get("orders")
    out: dict[str, list[str]] = {d: [] for d in DIMS}
    if orders is None or orders.empty:
        return out
    amount = pd.to_numeric(orders["amount"], errors="coerce").fillna(0.0)
    if "is_return" in orders.columns:
        amount = amount.where(~orders["is_return"].fillna(False).astype(bool), -amount.abs())
    for dim in DIMS:
        if dim not in orders.columns or not orders[dim].notna().any():
            continue
        vals = orders[dim].astype("str").where(orders[dim].notna())
        tot = amount.groupby(vals, sort=False).sum().sort_values(ascending=False, kind="stable")
        out[dim] = [str(v) for v in tot.index[:MAX_OPTIONS] if str(v) != ""]
    return out


# ---------------------------------------------------------------- figures


def figures(result: dict, lang: str = "en") -> list[dict]:
    import plotly.graph_objects as go

    figs: list[dict] = []
    bp = result.get("by_period") or []
    kch = (result.get("kpi_changes") or {}).get("net_sales")
    kp = result.get("kpis") or {}
    fgrain = (result.get("forecast_model") or {}).get("grain")
    grain = (result.get("period") or {}).get("grain")
    if bp:
        if kch is not None:
            title = t("market.chart.trend_change", lang, value=fmt_money(kp.get("net_sales"), lang),
                      pct=_fmt_change(kch, lang), label=t(f"market.compare.{(result.get('period') or {}).get('compare', 'prev')}", lang))
        else:
            best = max(bp, key=lambda r: r["net_sales"] or 0)
            title = t("market.chart.trend_peak", lang, value=fmt_money(kp.get("net_sales"), lang),
                      peak=best["period"], peak_value=fmt_money(best["net_sales"], lang))
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=[r["period"] for r in bp], y=[r["net_sales"] for r in bp], mode="lines+markers",
                                 name=t("market.kpi.net_sales", lang)))
        fig.add_trace(go.Scatter(x=[r["period"] for r in bp], y=[r["gross_sales"] for r in bp], mode="lines",
                                 name=t("market.kpi.gross_sales", lang), line=dict(dash="dot")))
        # promotion windows as one batch of shapes and labels (add_vrect validates each one: slow)
        wins = (result.get("promos") or [])[:40]
        fig.update_layout(
            shapes=[dict(type="rect", xref="x", yref="y domain", x0=w["start"], x1=w["end"], y0=0, y1=1,
                         fillcolor="#f4a261" if w["source"] == "calendar" else "#8ecae6", opacity=0.25, line_width=0)
                    for w in wins],
            annotations=[dict(x=w["start"], y=1, xref="x", yref="y domain", text=w["label"], showarrow=False,
                              xanchor="left", yanchor="top", font=dict(size=9)) for w in wins])
        fc = result.get("forecast")
        if fc and fgrain == (grain if grain != "day" else "week") and grain != "day":
            xs = [r["period"] for r in fc]
            fig.add_trace(go.Scatter(x=xs + xs[::-1], y=[r["upper"] for r in fc] + [r["lower"] for r in fc][::-1],
                                     fill="toself", fillcolor="rgba(99,110,250,0.2)", line=dict(width=0),
                                     name=t("market.label.interval", lang), hoverinfo="skip"))
            fig.add_trace(go.Scatter(x=xs, y=[r["value"] for r in fc], mode="lines+markers",
                                     line=dict(dash="dash"), name=t("market.label.forecast", lang)))
        fig.update_layout(title=title, yaxis_title=t("market.kpi.net_sales", lang), hovermode="x unified")
        figs.append({"key": "trend", "title": title, "figure": fig})
    fc = result.get("forecast")
    hist = result.get("forecast_history") or []
    if fc and hist and (grain == "day" or fgrain != grain):
        bt = result.get("backtest") or {}
        title = t("market.chart.forecast", lang, value=fmt_money(fc[0]["value"], lang), period=fc[0]["period"],
                  lo=fmt_money(fc[0]["lower"], lang), hi=fmt_money(fc[0]["upper"], lang), mape=fmt_pct(bt.get("mape"), lang))
        fig = go.Figure(go.Scatter(x=[r["period"] for r in hist], y=[r["net_sales"] for r in hist],
                                   name=t("market.kpi.net_sales", lang)))
        xs = [r["period"] for r in fc]
        fig.add_trace(go.Scatter(x=xs + xs[::-1], y=[r["upper"] for r in fc] + [r["lower"] for r in fc][::-1],
                                 fill="toself", fillcolor="rgba(99,110,250,0.2)", line=dict(width=0),
                                 name=t("market.label.interval", lang)))
        fig.add_trace(go.Scatter(x=xs, y=[r["value"] for r in fc], line=dict(dash="dash"),
                                 name=t("market.label.forecast", lang)))
        fig.update_layout(title=title)
        figs.append({"key": "forecast", "title": title, "figure": fig})
    mix = result.get("mix") or {}
    for dim in DIMS:
        rows = mix.get(dim)
        if not rows:
            continue
        top = max(rows, key=lambda r: r["share"] or 0)
        title = t("market.chart.mix", lang, dim=t(f"market.dim.{dim}", lang), value=top["value"],
                  share=fmt_pct(top["share"], lang))
        fig = go.Figure(go.Bar(x=[r["value"] for r in rows], y=[r["share"] for r in rows],
                               name=t("market.label.share", lang)))
        if rows and "base_share" in rows[0]:
            fig.add_trace(go.Bar(x=[r["value"] for r in rows], y=[r["base_share"] for r in rows],
                                 name=t("market.label.base_share", lang)))
        fig.update_layout(title=title, yaxis_tickformat=".0%", barmode="group")
        figs.append({"key": f"mix_{dim}", "title": title, "figure": fig})
    par = result.get("pareto") or {}
    if par.get("products_curve") or par.get("customers_curve"):
        share = par.get("top_20pct_products_share")
        title = (t("market.chart.pareto", lang, share=fmt_pct(share, lang)) if share is not None else
                 t("market.chart.pareto_customers", lang, share=fmt_pct(par.get("top_20pct_customers_share"), lang)))
        fig = go.Figure()
        for key, name in (("products_curve", "market.label.products"), ("customers_curve", "market.label.customers")):
            c = par.get(key) or []
            if c:
                fig.add_trace(go.Scatter(x=[0] + [r["items_share"] for r in c], y=[0] + [r["sales_share"] for r in c],
                                         mode="lines", name=t(name, lang)))
        fig.add_vline(x=0.2, line_dash="dot")
        fig.update_layout(title=title, xaxis_tickformat=".0%", yaxis_tickformat=".0%",
                          xaxis_title=t("market.label.items_share", lang), yaxis_title=t("market.label.sales_share", lang))
        figs.append({"key": "pareto", "title": title, "figure": fig})
    seas = result.get("seasonality") or {}
    # (figure key and chart title, seasonality field, its unit = label namespace, the title's placeholder)
    for key, field, unit, arg in (("weekday", "day_of_week", "weekday", "day"), ("month", "month_of_year", "month", "month")):
        d = [r for r in seas.get(field) or [] if r["index"] is not None]
        if not d:
            continue
        top = max(d, key=lambda r: r["index"])
        title = t(f"market.chart.{key}", lang, **{arg: t(f"market.{unit}.{top[unit]}", lang)}, index=f"{top['index']:.0f}")
        fig = go.Figure(go.Bar(x=[t(f"market.{unit}.{r[unit]}", lang) for r in d], y=[r["index"] for r in d]))
        fig.add_hline(y=100, line_dash="dot")
        fig.update_layout(title=title, yaxis_title=t("market.label.index", lang))
        figs.append({"key": key, "title": title, "figure": fig})
    ms = result.get("market_share")
    if ms and ms.get("trend"):
        tr = ms["trend"]
        title = t("market.chart.share", lang, share=fmt_pct(ms["latest"]["share"], lang, 2),
                  period=ms["latest"]["period"][:7])
        fig = go.Figure(go.Scatter(x=[r["period"] for r in tr], y=[r["share"] for r in tr], mode="lines+markers",
                                   name=t("market.label.share", lang)))
        fig.update_layout(title=title, yaxis_tickformat=".1%")
        figs.append({"key": "market_share", "title": title, "figure": fig})
    return figs
