"""The cross-price elasticity: own weekly volume against the competitor price level (log-log OLS with
Newey-West errors, on the quiet weeks when there are enough)."""

from __future__ import annotations

import math
import warnings as _warnings

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics.expr import rows as line_count

from .base import MIN_LOG_SD, MIN_WEEKS, QUIET_CAMPAIGN, norm_col, week_start
from .lines import match_orders, own_weekly_volume, sale_lines


def cross_elasticity(volume: pd.Series, comp_level: pd.Series, own_price: pd.Series | None = None,
                     festival: pd.Series | None = None, campaign: pd.Series | None = None) -> dict:
    """log-log OLS of weekly own volume on the competitor price level (both indexed by week start).

    Returns {"value", "ci_low", "ci_high", "n", "p_value", "controls", "points"} or {"value": None,
    "reason": i18n key, "n": ...}.

    Parameters
    ----------
    volume : pd.Series
        Own units sold per week (index: week start).
    comp_level : pd.Series
        Competitor price level per week (:func:`price_level`).
    own_price : pd.Series | None
        Own mean price per week, used as a control when it varies and is not collinear; or None.
    festival : pd.Series | None
        Share of festival days per week (:func:`festival_share`), or None.
    campaign : pd.Series | None
        Share of own lines in a campaign per week, or None.

    Returns
    -------
    dict
        ``value``, ``ci_low``, ``ci_high`` (95%, HAC), ``n``, ``p_value``, ``controls``, ``hac_lags``,
        ``zero_weeks``, ``sample`` (quiet / all), ``weeks_overlap``, ``weeks_excluded``,
        ``own_price_elasticity``, ``points``; or ``value`` None with ``reason`` (i18n key), ``n`` and
        ``zero_weeks``.
    """
    import statsmodels.api as sm

    df = pd.DataFrame({"volume": volume, "comp": comp_level})
    if own_price is not None:
        df["own"] = own_price
    if festival is not None:
        df["festival"] = festival
    if campaign is not None:
        df["campaign"] = campaign
    df = df.dropna(subset=["volume", "comp"])
    zero = int((df["volume"] <= 0).sum())
    df = df.loc[(df["volume"] > 0) & (df["comp"] > 0)].sort_index()
    n_all = len(df)
    # festivals and own campaigns move everyone's prices and our demand at once: estimate on the quiet
    # weeks (no calendar festival day, own campaign lines < 5%) when there are enough of them
    quiet = pd.Series(True, index=df.index)
    if "festival" in df.columns:
        quiet &= df["festival"].fillna(0) == 0
    if "campaign" in df.columns:
        quiet &= df["campaign"].fillna(0) < QUIET_CAMPAIGN
    sample = "all"
    if quiet.sum() >= MIN_WEEKS and not quiet.all():
        df = df.loc[quiet]
        sample = "quiet"
    n = len(df)
    if n < MIN_WEEKS:
        return {"value": None, "reason": "competitors.elasticity.too_few", "n": n, "zero_weeks": zero}
    x = np.log(df["comp"].to_numpy(dtype=float))
    if np.std(x) < MIN_LOG_SD:
        return {"value": None, "reason": "competitors.elasticity.no_variation_" + sample, "n": n, "zero_weeks": zero}
    y = np.log(df["volume"].to_numpy(dtype=float))
    weeks = (df.index - df.index[0]).days.to_numpy() / 7.0
    cols = {"const": np.ones(n), "log_competitor_price": x, "trend": weeks / max(weeks.max(), 1)}
    controls = ["trend"]
    if "own" in df.columns and df["own"].notna().all() and (df["own"] > 0).all():
        lo = np.log(df["own"].to_numpy(dtype=float))
        if np.std(lo) >= MIN_LOG_SD and abs(np.corrcoef(lo, x)[0, 1]) < 0.95:
            cols["log_own_price"] = lo
            controls.append("log_own_price")
    if sample == "all" and "festival" in df.columns and df["festival"].notna().all() and df["festival"].std() > 0:
        cols["festival_share"] = df["festival"].to_numpy(dtype=float)
        controls.append("festival_share")
    if sample == "all" and "campaign" in df.columns and df["campaign"].notna().all() and df["campaign"].std() > 0:
        cols["campaign_share"] = df["campaign"].to_numpy(dtype=float)
        controls.append("campaign_share")
    X = pd.DataFrame(cols)
    maxlags = int(math.floor(4 * (n / 100) ** (2 / 9)))
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        fit = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags}, use_t=True)
    ci = fit.conf_int(alpha=0.05)
    b = float(fit.params["log_competitor_price"])
    lo_, hi_ = (float(v) for v in np.asarray(ci.loc["log_competitor_price"]))
    return {"value": b, "ci_low": lo_, "ci_high": hi_, "n": n, "p_value": float(fit.pvalues["log_competitor_price"]),
            "controls": controls, "hac_lags": maxlags, "zero_weeks": zero, "sample": sample,
            "weeks_overlap": n_all, "weeks_excluded": n_all - n,
            "own_price_elasticity": float(fit.params["log_own_price"]) if "log_own_price" in cols else None,
            "points": [{"period": d.date().isoformat(), "competitor_price_level": float(c), "volume": float(v)}
                       for d, c, v in zip(df.index, df["comp"], df["volume"])]}


def price_level(rivals: pd.DataFrame) -> pd.Series:
    """Weekly competitor price level: mean over competitor x product series of price / series median.

    Parameters
    ----------
    rivals : pd.DataFrame
        Competitor observations: ``period`` (week start), ``competitor``, ``product``, ``price``.

    Returns
    -------
    pd.Series
        The level per week (1.0 = the series' usual price).
    """
    r = rivals.copy()
    r["series"] = r["competitor"].astype("str") + "\u0001" + r["product"].astype("str").where(r["product"].notna(), "")
    med = r.groupby("series")["price"].transform("median")
    r["rel"] = r["price"] / med
    per = r.groupby(["period", "series"])["rel"].mean()
    return per.groupby(level="period").mean()


def festival_share(weeks: pd.DatetimeIndex) -> pd.Series:
    """Share of the 7 days from each week start that fall in a calendar festival window.

    Parameters
    ----------
    weeks : pd.DatetimeIndex
        Week starts.

    Returns
    -------
    pd.Series
        The share per week, on ``weeks``.
    """
    from analytics.calendar import calendar_windows

    if len(weeks) == 0:
        return pd.Series(dtype=float)
    days = pd.date_range(weeks.min(), weeks.max() + pd.Timedelta(days=6), freq="D")
    inside = np.zeros(len(days), bool)
    for w in calendar_windows(days[0].date(), days[-1].date()):
        inside |= (days >= pd.Timestamp(w.start)) & (days <= pd.Timestamp(w.end))
    s = pd.Series(inside.astype(float), index=days)
    return s.groupby(week_start(pd.Series(days)).to_numpy()).mean().reindex(weeks)


def _elasticity(orders: ir.Table | None, own_rows: pd.DataFrame,
                rivals: pd.DataFrame) -> tuple[dict | None, tuple | None, list, pd.DataFrame | None]:
    """Own weekly volume (orders, aggregated in the engine; else the own brand's sales_volume) vs the
    competitor price level of the matching products / categories. Returns (elasticity, the refusal's i18n
    key and values when None, warnings, the weekly series (columns own_volume, competitor_price_level;
    None without own volume))."""
    notes: list = []
    own_price = None
    camp_share = None
    riv = rivals
    o = sale_lines(orders) if orders is not None else None
    if o is not None and line_count(o):
        mt = match_orders(o, rivals)
        if mt:
            rkey, okey, m, raw = mt
            o = o.filter(o[okey].isin(raw))
            riv = rivals.loc[norm_col(rivals[rkey]).isin(m).to_numpy(dtype=bool)]
        else:
            notes.append(("competitors.warning.elasticity_all", {}))
        if not line_count(o):
            return None, ("competitors.elasticity.no_volume", {}), notes, None
        vol, measure, own_price, camp_share = own_weekly_volume(o)
    elif own_rows is not None and not own_rows.empty and own_rows["sales_volume"].notna().any():
        vol = own_rows.groupby("period")["sales_volume"].sum(min_count=1)
        own_price = own_rows.groupby("period")["price"].mean()
        measure = "sales_volume"
    else:
        return None, ("competitors.elasticity.no_volume", {}), notes, None
    level = price_level(riv)
    weekly = pd.DataFrame({"own_volume": vol, "competitor_price_level": level}).sort_index()
    weekly = weekly.loc[weekly["own_volume"].notna()]
    weekly.attrs["measure"] = measure
    el = cross_elasticity(vol, level, own_price, festival_share(pd.DatetimeIndex(level.index)), camp_share)
    if el["value"] is None:
        return None, (el["reason"], {"n": el["n"], "need": MIN_WEEKS}), notes, weekly
    el["measure"] = measure
    return el, None, notes, weekly
