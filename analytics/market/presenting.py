"""``present``: the page's result in one language, from a :class:`~analytics.market.result.MarketFit` alone."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np

from analytics.common import NotEnoughData, jsonable
from analytics.i18n import fmt_date, fmt_list, fmt_money, fmt_number, fmt_pct, join_sentences, t
from analytics.market.constants import BACKTEST, KPI_NAMES, MIN_NONSEASONAL, SEASON, SMALL_ORDERS, options
from analytics.market.grow import grow_block
from analytics.market.findings import change_findings, fmt_change, promo_finding, window_kpis
from analytics.market.mix import change, mix_rows
from analytics.market.periods import day_to_date, iso, key_start, whole_periods
from analytics.market.promos import promo_rows
from analytics.market.result import MarketFit
from analytics.market.season import complete_months, seasonality
from analytics.units import note


def refuse(res: MarketFit, lang: str) -> None:
    """Raise the fit's refusal as ``NotEnoughData`` in ``lang`` (dates formatted for the reader).

    Parameters
    ----------
    res : MarketFit
        The market fit, with ``refusal``.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    """
    kw: dict[str, Any] = {}
    if res.refusal == "market.error.empty_window":
        kw = dict(start=fmt_date(day_to_date(res.cur_s), lang), end=fmt_date(day_to_date(res.cur_e), lang))
    raise NotEnoughData(res.refusal, **kw)


def span_label(s: int, e: int, lang: str) -> str:
    """A window in words: "November 2011" / "2011年11月" for one calendar month, "June 2011 – November 2011"
    for whole months, else its first and last day.

    Parameters
    ----------
    s : int
        First day number.
    e : int
        Last day number.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The label.
    """
    a, b = day_to_date(s), day_to_date(e)
    if a.day == 1 and day_to_date(e + 1).day == 1:
        def month(d: Any) -> str:
            return month_label(d, lang)
        return month(a) if (a.year, a.month) == (b.year, b.month) else \
            t("market.page.span", lang, start=month(a), end=month(b))
    return t("market.page.span", lang, start=fmt_date(a, lang), end=fmt_date(b, lang))


def month_label(d: Any, lang: str) -> str:
    """A calendar month in words: "October 2026" / "2026年10月".

    Parameters
    ----------
    d : Any
        A date in the month (date, datetime or ISO text such as ``2026-10-01``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The month and its year.
    """
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return t("market.page.month_year", lang, month=t(f"market.month_full.{d.month}", lang), year=d.year)


def whole_count(n: int, grain: str, lang: str) -> str:
    """A number of whole periods in words: "24 whole months" / "24 个完整月" (never "个完整个月").

    Parameters
    ----------
    n : int
        The number of whole periods.
    grain : str
        ``day``, ``week`` or ``month``.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The count with its unit.
    """
    return t(f"market.unit.whole.{grain}", lang, n=fmt_number(n, lang))



def period_label(res: MarketFit, lang: str) -> str:
    """The page's heading for its window: "November 2011 vs October 2011" (the chosen comparison when the
    data reaches back to it, else the window alone).

    Parameters
    ----------
    res : MarketFit
        The market fit.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The heading.
    """
    label = span_label(res.cur_s, res.cur_e, lang)
    w = res.window(res.compare)
    if w is None:
        return label
    return t("market.page.period_vs", lang, period=label, base=span_label(int(w["start"]), int(w["end"]), lang))


def kpi_block(res: MarketFit, lang: str, warnings: list[str]) -> dict[str, Any]:
    """KPIs of the window, both comparisons with their changes, and the KPIs too large to total.

    Parameters
    ----------
    res : MarketFit
        The market fit.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    warnings : list[str]
        The page's warnings, appended to (KPIs too large, no comparison window).

    Returns
    -------
    dict[str, Any]
        ``kpis``, ``kpi_changes`` (against the chosen comparison), ``compare`` (``prev`` and ``yoy``: start,
        end, kpis, changes, or None), ``too_large``.
    """
    kpis = window_kpis(res.window("cur"))
    # amounts near the float limit (1e308) add up to infinity: say so instead of showing a blank KPI
    too_large = [k for k in KPI_NAMES if isinstance(kpis.get(k), float) and not math.isfinite(kpis[k])]
    if too_large:
        names = fmt_list((t(f"market.kpi.{k}", lang) for k in too_large), lang)
        warnings.append(t("market.warning.too_large", lang, kpis=names))
    compare_out: dict[str, Any] = {}
    for kind in ("prev", "yoy"):
        w = res.window(kind)
        if w is None:
            compare_out[kind] = None
            continue
        bk = window_kpis(w)
        compare_out[kind] = {"start": day_to_date(int(w["start"])), "end": day_to_date(int(w["end"])), "kpis": bk,
                             "changes": {k: change(kpis[k], bk[k]) for k in KPI_NAMES}}
    chosen = compare_out.get(res.compare)
    kpi_changes = chosen["changes"] if chosen else {k: None for k in KPI_NAMES}
    if chosen is None:
        warnings.append(t(f"market.warning.no_compare_{res.compare}", lang))
    return {"kpis": kpis, "kpi_changes": kpi_changes, "compare": compare_out, "too_large": too_large}


def coverage_block(res: MarketFit, gross: float, lang: str, warnings: list[str]) -> dict[str, Any]:
    """Lines, lines and sales without a customer id, return lines in the window (with the warning).

    Parameters
    ----------
    res : MarketFit
        The market fit.
    gross : float
        Gross sales of the window.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    warnings : list[str]
        The page's warnings, appended to.

    Returns
    -------
    dict[str, Any]
        ``lines``, ``lines_without_customer``, ``sales_without_customer``,
        ``share_of_gross_without_customer``, ``return_lines``.
    """
    w = res.window("cur")
    coverage = {
        "lines": int(w["lines"]),
        "lines_without_customer": int(w["nocust_lines"]),
        "sales_without_customer": float(w["nocust_sales"]),
        "share_of_gross_without_customer": float(w["nocust_sales"] / gross) if gross else None,
        "return_lines": int(w["ret_lines"]),
    }
    if coverage["lines_without_customer"]:
        fm = fmt_money if res.has_money else fmt_number  # units for an export without amounts
        warnings.append(t("market.warning.no_customer_id" + ("" if res.has_money else "_units"), lang,
                          n=fmt_number(coverage["lines_without_customer"], lang),
                          sales=fm(coverage["sales_without_customer"], lang),
                          share=fmt_pct(coverage["share_of_gross_without_customer"] or 0, lang)))
    return coverage


def forecast_block(res: MarketFit, lang: str, warnings: list[str]) -> dict[str, Any]:
    """Forecast rows with their periods, the refusal reason, model (with its explanation), backtest and the
    history shown next to it.

    Parameters
    ----------
    res : MarketFit
        The market fit.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    warnings : list[str]
        The page's warnings, appended to (horizon clipped, incomplete periods dropped, worse than the
        baseline, low coverage).

    Returns
    -------
    dict[str, Any]
        ``forecast`` (period, value, lower, upper; or None), ``forecast_reason``, ``forecast_model``,
        ``forecast_history`` (period, net_sales), ``backtest``.
    """
    fgrain, horizon = res.forecast_grain, res.horizon
    fc = res.forecast
    forecast = None
    forecast_reason = None
    fmodel = fc["model"]
    backtest = dict(fc["backtest"]) if fc["backtest"] is not None else None
    if fc["forecast"] is None:
        key, kw = fc["reason"]
        unit = t(f"market.grain_unit.{fgrain}", lang)
        forecast_reason = t(key, lang, n=kw["n"], need=kw["need"], need_seasonal=kw["need_seasonal"], unit=unit,
                            whole=whole_count(kw["n"], fgrain, lang))
        if fgrain == "month":
            nweeks = whole_periods(res.data_min, res.cur_e, "week")
            if nweeks >= MIN_NONSEASONAL + BACKTEST["week"]:
                forecast_reason = join_sentences([forecast_reason, t("market.forecast.try_week", lang, n=nweeks)], lang)
    else:
        last = int(res.forecast_keys[-1])
        nxt = [last + (7 if fgrain == "week" else 1) * (j + 1) for j in range(horizon)]
        forecast = [{"period": iso(int(key_start(np.array([k]), fgrain)[0])), **{
            kk: f[kk] for kk in ("value", "lower", "upper")}} for k, f in zip(nxt, fc["forecast"])]
        fmodel = dict(fmodel, grain=fgrain, dropped_incomplete=list(res.forecast_dropped),
                      explanation=t(f"market.forecast.model_{fmodel['kind']}", lang, n=fmodel["history"],
                                    m=SEASON[fgrain], unit=t(f"market.grain_unit.{fgrain}", lang),
                                    whole=whole_count(fmodel["history"], fgrain, lang)))
        if fmodel.get("horizon_clipped_from"):
            warnings.append(t("market.warning.horizon_clipped", lang, n=SEASON[fgrain],
                              unit=t(f"market.grain_unit.{fgrain}", lang)))
        if res.forecast_dropped:
            warnings.append(t("market.warning.dropped_incomplete", lang, periods=fmt_list(res.forecast_dropped, lang)))
        if backtest["mape"] is not None and backtest["baseline_mape"] is not None \
                and backtest["mape"] > backtest["baseline_mape"]:
            warnings.append(t("market.warning.worse_than_baseline", lang, mape=fmt_pct(backtest["mape"], lang),
                              base=fmt_pct(backtest["baseline_mape"], lang)))
        if backtest["coverage"] < 0.65:
            warnings.append(t("market.warning.low_coverage", lang, cov=fmt_pct(backtest["coverage"], lang)))
    n = 3 * SEASON[fgrain]
    starts = key_start(res.forecast_keys, fgrain)
    history = [{"period": iso(int(d)), "net_sales": float(v)} for d, v in zip(starts[-n:], res.forecast_values[-n:])]
    return {"forecast": forecast, "forecast_reason": forecast_reason, "forecast_model": fmodel,
            "forecast_history": history, "backtest": backtest}


def display(res: MarketFit, params: dict | None) -> tuple[str, str]:
    """The grain and comparison to show: those of ``params`` (an unknown value as :func:`options` makes it),
    else the fit's.

    Parameters
    ----------
    res : MarketFit
        The market fit.
    params : dict | None
        The page's parameters, or None.

    Returns
    -------
    tuple[str, str]
        (grain, compare).
    """
    p = options(params)
    given = params or {}
    return (p["grain"] if given.get("grain") is not None else res.grain,
            p["compare"] if given.get("compare") is not None else res.compare)


def present(res: MarketFit, params: dict | None, lang: str) -> dict:
    """The page's result in ``lang`` (the dict ``compute`` returns), from the fit alone: no engine query.
    ``params`` are the page's parameters: their ``grain`` and ``compare`` pick the view of the fit
    (:meth:`MarketFit.view`; without them, the fit's own); everything else the page shows was fitted.
    Raises ``NotEnoughData`` when the fit refused the question.

    Parameters
    ----------
    res : MarketFit
        The market fit.
    params : dict | None
        The page's parameters (``grain``, ``compare`` are read), or None.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        ``calendar``, ``period``, ``filters``, ``kpis``, ``kpi_changes``, ``kpi_compare``, ``kpi_too_large``,
        ``coverage``, ``grow``, ``by_period``, ``promos``, ``seasonality``, ``mix``, ``pareto``,
        ``market_share``, the forecast block, ``findings``, ``warnings`` (:func:`units_view` of it for an
        export without amounts); JSON-safe.
    """
    if res.refusal:
        refuse(res, lang)
    res = res.view(*display(res, params))
    d0, cur_s, cur_e = res.data_min, res.cur_s, res.cur_e
    warnings: list[str] = []
    findings: list[str] = []
    if res.dropped_no_date:
        warnings.append(t("market.warning.no_date", lang, n=fmt_number(res.dropped_no_date, lang)))
    for dim in res.ignored_filters:
        warnings.append(t("market.warning.filter_ignored", lang, dim=t(f"market.dim.{dim}", lang)))

    kb = kpi_block(res, lang, warnings)
    kpis, compare_out = kb["kpis"], kb["compare"]
    coverage = coverage_block(res, kpis["gross_sales"], lang, warnings)
    if kpis["orders"] < SMALL_ORDERS:
        warnings.append(t("market.warning.small", lang, n=kpis["orders"]))
    if kpis["buyers"] and cur_s - d0 < 90:
        warnings.append(t("market.warning.new_censored", lang, date=fmt_date(day_to_date(d0), lang)))

    bp = res.by_period.copy()
    if len(bp) > 3000:
        warnings.append(t("market.warning.many_periods", lang, n=len(bp)))
    base = "base" if res.compare in res.windows.index else None  # the mix is against the chosen comparison
    mix = {dim: mix_rows(f, "cur", base, lang) for dim, f in res.mix.items()}

    # daily net sales (filtered) over all history up to the window end: seasonality, promotions
    daily = res.daily_net[: cur_e - d0 + 1]
    seas = seasonality(daily[cur_s - d0:], cur_s, complete_months(daily, d0, cur_e), lang)
    if seas.get("month_of_year") and seas.get("years", 0) < 2:
        warnings.append(t("market.warning.season_one_year", lang))
    promos = promo_rows(res.promo_windows, daily, d0, cur_e, lang)

    ms = res.market_share
    fb = forecast_block(res, lang, warnings)
    forecast, backtest = fb["forecast"], fb["backtest"]

    findings += change_findings(res, lang)
    grow = grow_block(res, lang)  # its finding stays in grow["finding"] (the findings list is recorded)
    findings += _more_findings(res, promos, forecast, backtest, ms, lang)

    result = {
        "calendar": res.calendar,
        "period": _period(res, compare_out, lang),
        "filters": {k: list(v) for k, v in res.filters.items()},
        "kpis": kpis,
        "kpi_changes": kb["kpi_changes"],
        "kpi_compare": {k: ({"kpis": v["kpis"], "changes": v["changes"]} if v else None)
                        for k, v in compare_out.items()},
        "kpi_too_large": kb["too_large"],
        "coverage": coverage,
        "grow": grow,
        "by_period": bp,
        "promos": promos,
        "seasonality": seas,
        "mix": mix,
        "pareto": res.pareto,
        "market_share": ms,
        **fb,
        "findings": findings,
        "warnings": warnings,
    }
    if not res.has_money:
        result = units_view(result, lang)
    return jsonable(result)


def _more_findings(res: MarketFit, promos: list, forecast: list, backtest: dict | None, ms: dict | None,
                   lang: str) -> list[str]:
    """The findings after the changes: the promotion finding (money only), the next forecast period with its
    interval and back-test error, and the market-share change."""
    findings: list[str] = []
    if res.has_money:  # the promotion finding speaks of daily net sales
        findings += promo_finding(promos, lang)
    if forecast:
        f0 = forecast[0]
        fm = fmt_money if res.has_money else fmt_number
        findings.append(t("market.finding.forecast" + ("" if res.has_money else "_units"), lang,
                          period=fmt_date(f0["period"], lang),
                          value=fm(f0["value"], lang), lo=fm(f0["lower"], lang), hi=fm(f0["upper"], lang),
                          mape=fmt_pct(backtest["mape"], lang), base=fmt_pct(backtest["baseline_mape"], lang)))
    if ms and ms.get("share_change") is not None:
        findings.append(t("market.finding.share_" + ("up" if ms["share_change"] >= 0 else "down"), lang,
                          share=fmt_pct(ms["latest"]["share"], lang, 2),
                          pp=f"{abs(ms['share_change']) * 100:.2f}",
                          mg=fmt_change(ms["market_growth"], lang), og=fmt_change(ms["our_growth"], lang)))
    return findings


def _period(res: MarketFit, compare_out: dict, lang: str) -> dict:
    """The ``period`` block: the window, grain, comparison, label, data range and the compared windows."""
    cur_s, cur_e, d0 = res.cur_s, res.cur_e, res.data_min
    grain, compare = res.grain, res.compare
    return {"start": day_to_date(cur_s), "end": day_to_date(cur_e), "grain": grain, "compare": compare,
            "label": period_label(res, lang),
            "data_start": day_to_date(d0), "data_end": day_to_date(res.data_max),
            "prev": {"start": compare_out["prev"]["start"], "end": compare_out["prev"]["end"]}
            if compare_out["prev"] else None,
            "yoy": {"start": compare_out["yoy"]["start"], "end": compare_out["yoy"]["end"]}
            if compare_out["yoy"] else None}


MONEY_KPIS = ("gross_sales", "returns", "net_sales", "aov")


def units_view(result: dict[str, Any], lang: str) -> dict[str, Any]:
    """The result of an export without amounts (:mod:`analytics.units`), whose "sales" were computed on units:
    the money KPIs None (shown as "—", never as 0), units in their place (``units`` sold, ``returned_units``,
    ``net_units``), every table's sales column named ``units``, ``measure`` = "units", and the note first
    among the warnings.

    Parameters
    ----------
    result : dict[str, Any]
        The page's result before JSON conversion.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict[str, Any]
        The units view (a copy).
    """
    def kp(k: dict | None) -> dict | None:
        if k is None:
            return None
        out = dict(k)
        out.update(units=k.get("gross_sales"), returned_units=k.get("returns"), net_units=k.get("net_sales"))
        out.update({m: None for m in MONEY_KPIS})
        return out

    def renamed(rows: Any, names: dict[str, str], drop: tuple[str, ...] = ()) -> Any:
        if not isinstance(rows, list):
            return rows
        return [{names.get(c, c): v for c, v in r.items() if c not in drop} for r in rows]

    out = dict(result)
    out["measure"] = "units"
    out["kpis"] = kp(result["kpis"])
    ch = dict(result.get("kpi_changes") or {})
    ch.update(units=ch.get("gross_sales"), returned_units=ch.get("returns"), net_units=ch.get("net_sales"))
    out["kpi_changes"] = {**ch, **{m: None for m in MONEY_KPIS}}
    out["kpi_compare"] = {k: ({"kpis": kp(v["kpis"]), "changes": {
        **v["changes"], "units": v["changes"].get("gross_sales"), "returned_units": v["changes"].get("returns"),
        "net_units": v["changes"].get("net_sales"), **{m: None for m in MONEY_KPIS}}} if v else None)
        for k, v in (result.get("kpi_compare") or {}).items()}
    out["kpi_too_large"] = [k for k in result.get("kpi_too_large") or [] if k not in MONEY_KPIS]
    cov = dict(result.get("coverage") or {})
    cov["units_without_customer"] = cov.pop("sales_without_customer", None)
    cov["share_of_units_without_customer"] = cov.pop("share_of_gross_without_customer", None)
    out["coverage"] = cov
    bp = result["by_period"]
    bp = bp.rename(columns={"net_sales": "units"}).drop(columns=["gross_sales", "returns", "aov"], errors="ignore") \
        if hasattr(bp, "rename") else renamed(bp, {"net_sales": "units"}, ("gross_sales", "returns", "aov"))
    out["by_period"] = bp
    out["mix"] = {d: renamed(rows, {"net_sales": "units", "base_net_sales": "base_units"})
                  for d, rows in (result.get("mix") or {}).items()}
    out["promos"] = renamed(result.get("promos"), {"daily_net_sales": "daily_units"})
    out["forecast_history"] = renamed(result.get("forecast_history"), {"net_sales": "units"})
    out["warnings"] = [note(lang)] + list(result.get("warnings") or [])
    return out
