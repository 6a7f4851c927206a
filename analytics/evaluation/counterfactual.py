"""Non-randomised campaigns: a pre/post counterfactual of a treated series from control series.

The series are daily (or weekly) totals per value of an order column, aggregated in the engine
(:func:`order_series`); OLS of the treated series on the control series over the pre-period predicts the
campaign window, a moving-block residual bootstrap gives the interval on the cumulative effect, and a
placebo reruns everything on a fake date before the campaign. :func:`counterfactual_draws` holds what does
not depend on the confidence level (the fit and the bootstrap draws), :func:`summarise` turns it into the
effect and intervals for a given alpha, so a change of alpha never refits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics.common import NotEnoughData
from analytics.i18n import t
from data import engine

from .base import CF_COLUMNS, MAX_CF_VALUES, MAX_CONTROLS, NS, _attr_label, attr_name, series_name
from .sums import LINE, any_value, finite, one_row, total


# ====================================================================== the model


def _block_indices(n_src: int, n_out: int, block: int, B: int, rng: np.random.Generator) -> np.ndarray:
    """Moving-block bootstrap indices (B x n_out) into a series of length n_src."""
    nb = int(np.ceil(n_out / block))
    starts = rng.integers(0, max(n_src - block + 1, 1), size=(B, nb))
    idx = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(B, nb * block)[:, :n_out]
    return np.minimum(idx, n_src - 1)


def counterfactual_draws(
    wide: pd.DataFrame,
    treated: str,
    start,
    end=None,
    *,
    n_boot: int = 2000,
    seed: int = 0,
    placebo: bool = True,
    max_controls: int = MAX_CONTROLS,
    band: bool = True,
    n_available: int | None = None,
) -> dict:
    """The part of :func:`counterfactual` that does not depend on alpha: the OLS fit on the pre-period,
    its prediction over the campaign window, the bootstrap draws of the cumulative effect (``eff_b``) and,
    with ``band``, of the counterfactual per period (``cf_b``, n_boot x n_post), and the placebo's draws.
    ``n_available``: control series that vary before the campaign, when ``wide`` holds only some of them.

    Parameters
    ----------
    wide : pd.DataFrame
        One row per period, one column per series.
    treated : str
        The treated series' column (NotEnoughData when missing).
    start
        First day of the campaign.
    end
        Last day (None: the last period).
    n_boot : int
        Bootstrap draws.
    seed : int
        Random seed.
    placebo : bool
        Whether to run the placebo.
    max_controls : int
        Most control series.
    band : bool
        Whether to draw the per-period band.
    n_available : int | None
        Control series that vary before the campaign, or None (counted from ``wide``).

    Returns
    -------
    dict
        The fit, the prediction and the draws (``eff_b``, ``cf_b``, placebo draws).
    """
    import statsmodels.api as sm

    wide = wide.sort_index().astype(float).fillna(0.0)
    start = pd.Timestamp(start)
    end = pd.Timestamp(end) if end is not None else wide.index.max()
    if treated not in wide.columns:
        raise NotEnoughData(f"{NS}.error.cf_no_treated", treated=treated)
    pre = wide.index < start
    post = (wide.index >= start) & (wide.index <= end)
    ctrl_all = [c for c in wide.columns if c != treated and wide.loc[pre, c].std() > 0]
    n_pre = int(pre.sum())
    k_max = max(1, min(max_controls, (n_pre - 2) // 4))
    controls = sorted(ctrl_all, key=lambda c: -abs(wide.loc[pre, c].sum()))[:k_max]
    if not controls:
        raise NotEnoughData(f"{NS}.error.cf_no_controls")
    if n_pre < max(8, 3 * (len(controls) + 1)) or post.sum() < 1:
        raise NotEnoughData(f"{NS}.error.cf_short", n_pre=n_pre, n_post=int(post.sum()))
    X = sm.add_constant(wide[controls].to_numpy(), has_constant="add")
    y = wide[treated].to_numpy()
    Xp, yp = X[pre], y[pre]
    fit = sm.OLS(yp, Xp).fit()
    Xq, yq = X[post], y[post]
    pred = Xq @ fit.params
    effect = float((yq - pred).sum())

    # bootstrap
    rng = np.random.default_rng(seed)
    resid = fit.resid * np.sqrt(n_pre / max(n_pre - Xp.shape[1], 1))
    block = max(1, int(round(n_pre ** (1 / 3))))
    pinv = np.linalg.pinv(Xp)
    e_pre = resid[_block_indices(n_pre, n_pre, block, n_boot, rng)]          # B x n_pre
    Yb = (Xp @ fit.params)[None, :] + e_pre
    betas = Yb @ pinv.T                                                       # B x p
    e_post = resid[_block_indices(n_pre, len(yq), block, n_boot, rng)]        # B x n_post
    cf_b = betas @ Xq.T + e_post                                              # B x n_post
    eff_b = (yq[None, :] - cf_b).sum(1)
    # analytical prediction interval of the cumulative effect (parameter + noise variance)
    ones = np.ones(len(yq))
    a = ones @ Xq
    var_sum = float(a @ fit.cov_params() @ a + len(yq) * fit.scale)
    out = {
        "treated": treated, "controls": controls,
        "n_controls_available": len(ctrl_all) if n_available is None else int(n_available),
        "start": start, "end": end, "n_pre": n_pre, "n_post": int(len(yq)),
        "r2_pre": float(fit.rsquared), "mape_pre": float(np.mean(np.abs(fit.resid) / np.maximum(np.abs(yp), 1e-9))),
        "coefficients": dict(zip(["const"] + controls, map(float, fit.params))),
        "effect": effect, "predicted_total": float(pred.sum()), "actual_total": float(yq.sum()),
        "block": block, "n_boot": n_boot, "df_resid": float(fit.df_resid), "var_sum": var_sum,
        "eff_b": eff_b, "cf_b": cf_b if band else None,
        "pre_dates": wide.index[pre], "post_dates": wide.index[post], "actual_pre": yp,
        "fitted_pre": Xp @ fit.params, "actual_post": yq, "predicted_post": pred,
    }
    if placebo:
        pre_wide = wide.loc[pre]
        fake_i = int(n_pre * 2 / 3)
        fake_start = pre_wide.index[fake_i]
        try:
            pl = counterfactual_draws(pre_wide, treated, fake_start, pre_wide.index[-1], n_boot=n_boot,
                                      seed=seed + 1, placebo=False, max_controls=max_controls, band=False)
            out["placebo"] = {"fake_start": fake_start, "end": pre_wide.index[-1], "draws": pl}
        except NotEnoughData:
            out["placebo"] = {"fake_start": fake_start, "passed": None, "status": "too_short"}
    return out


def summarise(core: dict, alpha: float) -> dict:
    """Effect, bootstrap and prediction intervals, band and placebo of :func:`counterfactual_draws` at the
    level ``alpha`` (the dict :func:`counterfactual` returns).

    Parameters
    ----------
    core : dict
        :func:`counterfactual_draws`.
    alpha : float
        Two-sided level.

    Returns
    -------
    dict
        ``effect``, its intervals, ``p_value``, ``series``, ``r2_pre``, ``placebo`` and the fit details (see
        :func:`counterfactual`).
    """
    from scipy import stats as sps

    eff_b = core["eff_b"]
    effect, base = core["effect"], core["predicted_total"]
    lo, hi = np.quantile(eff_b, [alpha / 2, 1 - alpha / 2])
    p_boot = float(min(1.0, 2 * min((eff_b <= 0).mean(), (eff_b >= 0).mean())))
    zq = sps.t.ppf(1 - alpha / 2, core["df_resid"])
    series = []
    if core.get("cf_b") is not None:
        band_lo, band_hi = np.quantile(core["cf_b"], [alpha / 2, 1 - alpha / 2], axis=0)
        for d, a_, f_ in zip(core["pre_dates"], core["actual_pre"], core["fitted_pre"]):
            series.append({"date": d, "actual": float(a_), "predicted": float(f_), "lower": None, "upper": None,
                           "campaign": False})
        for j, d in enumerate(core["post_dates"]):
            series.append({"date": d, "actual": float(core["actual_post"][j]),
                           "predicted": float(core["predicted_post"][j]), "lower": float(band_lo[j]),
                           "upper": float(band_hi[j]), "campaign": True})
    n_post = core["n_post"]
    out = {
        "treated": core["treated"], "controls": list(core["controls"]),
        "n_controls_available": core["n_controls_available"],
        "start": core["start"], "end": core["end"], "n_pre": core["n_pre"], "n_post": n_post,
        "r2_pre": core["r2_pre"], "mape_pre": core["mape_pre"], "coefficients": dict(core["coefficients"]),
        "effect": effect, "ci_low": float(lo), "ci_high": float(hi), "p_value": p_boot,
        "pi_low": effect - zq * np.sqrt(core["var_sum"]), "pi_high": effect + zq * np.sqrt(core["var_sum"]),
        "predicted_total": base, "actual_total": core["actual_total"],
        "effect_rel": effect / base if base else None,
        "effect_rel_ci_low": float(lo) / base if base else None,
        "effect_rel_ci_high": float(hi) / base if base else None,
        "effect_per_period": effect / n_post,
        "significant": bool(lo > 0 or hi < 0),
        "method": f"OLS + moving-block bootstrap (block {core['block']}, {core['n_boot']} draws)",
        "block": core["block"], "n_boot": core["n_boot"], "series": series,
    }
    pl = core.get("placebo")
    if pl is not None:
        if "draws" in pl:
            s = summarise(pl["draws"], alpha)
            out["placebo"] = {"fake_start": pl["fake_start"], "end": pl["end"], "effect": s["effect"],
                              "ci_low": s["ci_low"], "ci_high": s["ci_high"], "p_value": s["p_value"],
                              "effect_rel": s["effect_rel"],
                              "passed": bool(s["ci_low"] <= 0 <= s["ci_high"]), "n_pre": s["n_pre"],
                              "n_post": s["n_post"]}
        else:
            out["placebo"] = dict(pl)
    return out


def counterfactual(
    wide: pd.DataFrame,
    treated: str,
    start,
    end=None,
    *,
    alpha: float = 0.05,
    n_boot: int = 2000,
    seed: int = 0,
    placebo: bool = True,
    max_controls: int = MAX_CONTROLS,
) -> dict:
    """Pre/post counterfactual of ``wide[treated]`` from the other columns (control series).

    OLS (statsmodels) of the treated series on the control series over the pre-period (dates < start),
    prediction over the campaign window [start, end]. The cumulative effect is sum(actual - predicted); its
    interval is a moving-block residual bootstrap (refit on resampled pre-period residuals, plus resampled
    noise on the campaign window), percentile method. The placebo reruns everything with the last third of
    the pre-period as a fake campaign: its interval should contain 0.

    Parameters
    ----------
    wide : pd.DataFrame
        One row per period, one column per series.
    treated : str
        The treated series' column.
    start
        First day of the campaign.
    end
        Last day (None: the last period).
    alpha : float
        Two-sided level.
    n_boot : int
        Bootstrap draws.
    seed : int
        Random seed.
    placebo : bool
        Whether to run the placebo.
    max_controls : int
        Most control series.

    Returns
    -------
    dict
        The effect with its intervals, the per-period series with the band, the fit and the placebo.
    """
    return summarise(counterfactual_draws(wide, treated, start, end, n_boot=n_boot, seed=seed, placebo=placebo,
                                          max_controls=max_controls), alpha)


# ====================================================================== series from the engine


def _period(orders: ir.Table, grain: str) -> ir.TimestampValue:
    # microseconds first: DuckDB 2.0.1 derives wrong statistics for EXTRACT / truncation on TIMESTAMP_NS
    return orders["order_date"].cast("timestamp(6)").truncate("W" if grain == "week" else "D")


def _metric(o: ir.Table, metric: str) -> ir.Scalar:
    if metric == "orders":
        return o["order_id"].cast("string").nunique()
    if metric == "buyers":
        return o["customer_id"].cast("string").nunique() if "customer_id" in o.columns else ibis.literal(0)
    return total(finite(o["amount"]).fill_null(0.0)) if "amount" in o.columns else ibis.literal(0.0)


def order_series(orders, by: str, metric: str = "revenue", grain: str = "day", *, start=None,
                 treated: str | None = None) -> pd.DataFrame:
    """Wide frame: one row per day (or week, starting Monday), one column per value of ``by``; missing
    cells are 0. ``orders``: an engine table (or a canonical frame, registered). Aggregated in the engine;
    with more than MAX_CF_VALUES values of ``by``, only the MAX_CF_VALUES largest series before ``start``
    (by absolute total) and the ``treated`` one are returned (the controls are chosen among the largest),
    and ``attrs["controls_available"]`` counts the other series that vary before ``start``.

    Parameters
    ----------
    orders
        Order lines (engine table or canonical frame) with ``order_date`` and ``by``.
    by : str
        The column whose values are the series.
    metric : str
        "revenue" or another metric of the page (e.g. orders).
    grain : str
        "day" or "week".
    start
        First day of the campaign (the largest series are those before it), or None.
    treated : str | None
        The treated value (always kept), or None.

    Returns
    -------
    pd.DataFrame
        The wide frame (empty when no line).
    """
    if isinstance(orders, pd.DataFrame):
        orders = engine.from_frame(orders)
    o = orders.filter(orders["order_date"].notnull() & orders[by].notnull())
    o = o.mutate(__d=_period(o, grain), __s=o[by].cast("string"))
    daily = o.group_by(["__d", "__s"]).aggregate(__v=_metric(o, metric))
    info = one_row(daily.aggregate(n=daily.count(), k=daily["__s"].nunique(), lo=daily["__d"].min(),
                                   hi=daily["__d"].max()))
    if not int(info["n"]):
        return pd.DataFrame()
    lo, hi = pd.Timestamp(info["lo"]), pd.Timestamp(info["hi"])
    full = pd.date_range(lo, hi, freq="7D" if grain == "week" else "D")
    varying = None
    if int(info["k"]) > MAX_CF_VALUES and start is not None:
        cut = pd.Timestamp(start)
        before = daily.filter(daily["__d"] < cut.to_pydatetime())
        v = before["__v"].cast("float64")
        tot = before.group_by("__s").aggregate(__t=v.sum(), __n=before.count(), __lo=v.min(), __hi=v.max())
        top = tot.order_by([ibis.desc(tot["__t"].abs()), "__s"]).limit(MAX_CF_VALUES)
        # series that vary before the campaign (missing days count 0), as the model counts them
        n_pre = int((full < cut).sum())
        const = ((tot["__n"] == n_pre) & (tot["__lo"] == tot["__hi"])) | ((tot["__lo"] == 0) & (tot["__hi"] == 0))
        others = tot.filter(~const & (tot["__s"] != str(treated)))
        varying = int(one_row(others.aggregate(n=others.count()))["n"]) if n_pre >= 2 else 0
        keep = daily["__s"].isin(top["__s"])
        if treated is not None:
            keep = keep | (daily["__s"] == str(treated))
        daily = daily.filter(keep)
    long = engine.to_frame(daily)
    long["__d"] = pd.to_datetime(long["__d"]).astype("datetime64[ns]")
    wide = long.pivot_table(index="__d", columns="__s", values="__v", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=sorted(wide.columns)).astype(float)
    wide.index.name, wide.columns.name = None, "s"
    wide = wide.reindex(full, fill_value=0.0)
    if varying is not None:
        wide.attrs["controls_available"] = varying
    return wide


# ====================================================================== fit and present


@dataclass(frozen=True)
class CounterfactualFit:
    """The counterfactual of a non-randomised campaign, before the confidence level and the language.

    Attributes
    ----------
    status : str
        "ok", "no_dimension" (no order column to split by), "needs_params" (no treated series or start
        date, and no campaign tag to guess them from), "no_treated" (the treated value has no orders) or
        "not_enough" (series too short, no usable control: ``error``).
    by : str or None
        The order column whose values are the series.
    treated : str or None
        The treated series.
    metric, grain : str
        "revenue" / "orders" / "buyers" per "day" / "week".
    start : datetime.date or None
        Campaign start as given or guessed.
    guessed : tuple of str
        What was taken from the campaign tag ("treated", "start").
    core : dict or None
        :func:`counterfactual_draws` (fit, prediction and bootstrap draws), when ok.
    campaign_orders : int
        Orders of the treated series in the campaign window (for incentive costs), when ok.
    error : tuple or None
        (i18n key, keyword arguments) of the NotEnoughData that stopped it.
    """

    status: str
    by: str | None = None
    treated: str | None = None
    metric: str = "revenue"
    grain: str = "day"
    start: object = None
    guessed: tuple = ()
    core: dict | None = field(default=None)
    campaign_orders: int = 0
    error: tuple | None = None


def _nunique(t: ir.Table, cols: list[str]) -> dict[str, int]:
    if not cols:
        return {}
    r = one_row(t.aggregate(**{f"c{i}": t[c].nunique() for i, c in enumerate(cols)}))
    return {c: int(r[f"c{i}"]) for i, c in enumerate(cols)}


def fit_counterfactual(orders: ir.Table, p: dict) -> CounterfactualFit:
    """Choose the series (``cf_by``, else region / channel / category / city with at least 3 values),
    the treated value and the window (parameters, else the most recent tagged campaign), aggregate the
    series in the engine and fit the counterfactual (``orders``: lines in the date range).

    Parameters
    ----------
    orders : ir.Table
        Order lines in the date range.
    p : dict
        The fit parameters (``cf_by``, ``cf_treated``, ``campaign_start``, ``campaign_end``, ...).

    Returns
    -------
    CounterfactualFit
        ``status`` (ok, no_dimension, needs_params, no_treated, not_enough) and the fit when ok.
    """
    cols = orders.columns
    by = p.get("cf_by")
    tagged = any_value(orders, "campaign")
    if not by:
        nun = _nunique(orders, [c for c in CF_COLUMNS if c in cols])
        by = next((c for c in CF_COLUMNS if nun.get(c, 0) >= 3), None)
    if by and by not in cols and "attr_" + by in cols:
        by = "attr_" + by
    if not by or by not in cols:
        return CounterfactualFit(status="no_dimension", by=by)
    treated, start, end = p.get("cf_treated"), p.get("campaign_start"), p.get("campaign_end")
    guessed: list[str] = []
    if tagged and (treated is None or start is None):
        sub = orders.filter(orders["campaign"].notnull())
        sub = sub.mutate(__c=sub["campaign"].cast("string"))
        firsts = engine.to_frame(sub.group_by("__c").aggregate(first=sub["order_date"].min()))
        if len(firsts) > 1:  # several campaigns tagged: evaluate the most recent one
            firsts = firsts.sort_values("__c", kind="stable")
            latest = firsts["__c"].iloc[int(np.argmax(firsts["first"].to_numpy()))]
            sub = sub.filter(sub["__c"] == str(latest))
        if treated is None:
            v = sub.filter(sub[by].notnull())
            top = engine.to_frame(v.group_by(__v=v[by]).aggregate(n=v.count(), first=v[LINE].min())
                                  .order_by([ibis.desc("n"), "first"]).limit(1))
            if len(top):
                treated = str(top["__v"].iloc[0])
                guessed.append("treated")
        if start is None:
            r = one_row(sub.aggregate(lo=sub["order_date"].min(), hi=sub["order_date"].max()))
            start = pd.Timestamp(r["lo"]).date()
            guessed.append("start")
            if end is None:
                end = pd.Timestamp(r["hi"]).date()
    if treated is None or start is None:
        return CounterfactualFit(status="needs_params", by=by)
    if p["cf_metric"] == "revenue":
        from analytics.units import NOTE_KEY, has_money

        if not has_money(orders):  # an export without amounts: never zeros presented as revenue
            return CounterfactualFit(status="not_enough", by=by, error=(NOTE_KEY, {}))
    wide = order_series(orders, by, p["cf_metric"], p["cf_grain"], start=start, treated=str(treated))
    if wide.empty or str(treated) not in wide.columns:
        return CounterfactualFit(status="no_treated", by=by, treated=treated)
    base = dict(by=by, treated=str(treated), metric=p["cf_metric"], grain=p["cf_grain"], start=start,
                guessed=tuple(guessed))
    try:
        core = counterfactual_draws(wide, str(treated), start, end, seed=int(p["seed"]),
                                    n_available=wide.attrs.get("controls_available"))
    except NotEnoughData as e:
        return CounterfactualFit(status="not_enough", error=(e.key, dict(e.kwargs)), **base)
    # campaign-window orders of the treated series (for incentive costs)
    lo = pd.Timestamp(core["start"])
    hi = pd.Timestamp(core["end"]) + pd.Timedelta(days=7 if p["cf_grain"] == "week" else 1)
    w = orders.filter((orders[by].cast("string") == str(treated)) & (orders["order_date"] >= lo.to_pydatetime())
                      & (orders["order_date"] < hi.to_pydatetime()))
    n_orders = int(one_row(w.aggregate(n=w["order_id"].cast("string").nunique()))["n"])
    return CounterfactualFit(status="ok", core=core, campaign_orders=n_orders, **base)


def present_counterfactual(cf: CounterfactualFit | None, p: dict, lang: str, warn: list[str]) -> dict | None:
    """The page's counterfactual dict at ``p["alpha"]`` with its warnings (guessed series, poor fit,
    failed placebo) and the assumptions in ``lang``.

    Parameters
    ----------
    cf : CounterfactualFit | None
        The counterfactual fit, or None.
    p : dict
        The parameters (``alpha``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    warn : list[str]
        The warnings, appended to.

    Returns
    -------
    dict | None
        The counterfactual dict (see :func:`summarise`), a status dict, or None.
    """
    if cf is None:
        return None
    if cf.status in ("no_dimension", "needs_params"):
        return {"status": cf.status, "by": cf.by}
    if cf.status == "no_treated":
        return {"status": cf.status, "by": cf.by, "treated": cf.treated}
    if cf.status == "not_enough":
        key, kw = cf.error
        reason = t(key, lang, **kw)
        warn.append(reason)
        return {"status": "not_enough", "reason": reason}
    res = summarise(cf.core, float(p["alpha"]))
    res.update({"status": "ok", "by": cf.by, "metric": cf.metric, "grain": cf.grain, "guessed": list(cf.guessed)})
    if cf.guessed:
        warn.append(t(f"{NS}.warning.cf_guessed", lang, treated=series_name(cf.by, cf.treated, lang),
                      start=str(cf.start),
                      by=attr_name(cf.by, lang, True)))
    if res["r2_pre"] < 0.5:
        warn.append(t(f"{NS}.warning.cf_poor_fit", lang, r2=f"{res['r2_pre']:.2f}"))
    pl = res.get("placebo") or {}
    if pl.get("passed") is False:
        warn.append(t(f"{NS}.warning.placebo_failed", lang))
    res["campaign_orders"] = cf.campaign_orders
    res["assumptions"] = [t(f"{NS}.cf.assumption.{i}", lang) for i in range(1, 5)]
    return res


# ====================================================================== page options


def orders_options(orders: ir.Table) -> dict:
    """What the counterfactual's controls can offer (``orders``: lines in the date range): the date range,
    the order columns with 2 to MAX_CF_VALUES values and their values (largest revenue first), the default
    column, and the tagged campaigns (most recent first).

    Parameters
    ----------
    orders : ir.Table
        Order lines in the date range.

    Returns
    -------
    dict
        ``date_min``, ``date_max``, ``cf_columns``, ``cf_values``, ``cf_default_by``, ``campaigns`` (empty
        without dated lines).
    """
    out: dict = {}
    if "order_date" not in orders.columns:
        return out
    r = one_row(orders.aggregate(n=orders["order_date"].count(), lo=orders["order_date"].min(),
                                 hi=orders["order_date"].max()))
    if not int(r["n"]):
        return out
    out["date_min"] = pd.Timestamp(r["lo"]).date()
    out["date_max"] = pd.Timestamp(r["hi"]).date()
    cols = [c for c in CF_COLUMNS if c in orders.columns] + [c for c in orders.columns if c.startswith("attr_")]
    nun = _nunique(orders, cols)
    has_amount = "amount" in orders.columns
    out["cf_columns"], out["cf_values"], out["cf_default_by"] = [], {}, None
    for c in cols:
        n = nun[c]
        if n < 2 or n > MAX_CF_VALUES:
            continue
        o = orders.filter(orders[c].notnull())
        o = o.mutate(__k=o[c].cast("string"))
        v = total(finite(o["amount"]).fill_null(0.0)) if has_amount else o.count()
        vals = engine.to_frame(o.group_by("__k").aggregate(__v=v).order_by([ibis.desc("__v"), "__k"]))
        out["cf_columns"].append(_attr_label(c))
        out["cf_values"][_attr_label(c)] = [str(x) for x in vals["__k"]]
        if out["cf_default_by"] is None and c in CF_COLUMNS and n >= 3:
            out["cf_default_by"] = c
    if any_value(orders, "campaign"):
        sub = orders.filter(orders["campaign"].notnull())
        agg = engine.to_frame(sub.group_by(__c=sub["campaign"].cast("string")).aggregate(
            lo=sub["order_date"].min(), hi=sub["order_date"].max(), n=sub["order_date"].count()))
        agg = agg.sort_values("__c", kind="stable").sort_values("lo", ascending=False, kind="stable")
        out["campaigns"] = [{"campaign": str(row["__c"]), "first_order": _day(row["lo"]), "last_order": _day(row["hi"]),
                             "order_lines": int(row["n"])} for _, row in agg.iterrows()]
    return out


def _day(x):
    return None if x is None or pd.isna(x) else pd.Timestamp(x).date()
