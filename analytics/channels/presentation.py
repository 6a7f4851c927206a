"""``present``: the channel comparison's result in one language from a :class:`ChannelFit` (findings,
warnings, the platform vs incremental block's rows and action lines, the orders-only result)."""


from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.common import jsonable
from analytics.i18n import fmt_list, fmt_money, fmt_number, fmt_pct, t

from .base import MIN_BOOT_UNITS, shown
from .fitting import ChannelFit


def present(result: ChannelFit, params: dict, lang: str = "en") -> dict:
    """The page's result in ``lang`` from a :class:`ChannelFit` (no engine query).

    Parameters
    ----------
    result : ChannelFit
        The fit.
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page's result; JSON-safe.
    """
    f = result
    if f.mode == "orders":
        return jsonable(_orders_only(f.channels, lang))

    def name(c: object) -> object:
        return shown(c, lang, f.by)

    def names(cs: list) -> str:
        return fmt_list((name(c) for c in cs), lang)
    warnings: list[str] = []
    findings: list[str] = []
    if f.by_missing is not None:
        warnings.append(t("channels.warning.by_missing", lang, by=f.by_missing))
    if f.delta_channels:
        warnings.append(t("channels.warning.delta", lang, channels=names(f.delta_channels[:10]), n=MIN_BOOT_UNITS))
    if f.small_click_channels:
        warnings.append(t("channels.warning.small_clicks", lang, channels=names(f.small_click_channels[:10])))
    if f.skipped_curves:
        reasons = {c["reason"] for c in f.skipped_curves}
        warnings.append(t("channels.warning.curves_skipped", lang,
                          channels=names([c["channel"] for c in f.skipped_curves[:10]]),
                          reason="; ".join(t(f"channels.reason.{r}", lang, n=f.min_points) for r in sorted(reasons))))
    if f.best_next is not None:
        avg = f.best_next["avg"]
        findings.append(t("channels.finding.best_next", lang, channel=name(f.best_next["channel"]),
                          m=f"{f.best_next['marginal_roas']:.2f}", avg=f"{avg:.2f}" if np.isfinite(avg) else "—"))
        if f.saturated:
            findings.append(t("channels.finding.saturated", lang, channels=names(f.saturated[:5])))
    else:
        findings.append(t("channels.finding.no_curves", lang))
    top = f.top_roas
    if top is not None:
        findings.insert(0, t("channels.finding.top_roas", lang, channel=name(top["channel"]), roas=f"{top['roas']:.2f}",
                             lo=f"{top['lo']:.2f}" if np.isfinite(top["lo"]) else "—",
                             hi=f"{top['hi']:.2f}" if np.isfinite(top["hi"]) else "—"))
        if f.under_one:
            findings.append(t("channels.finding.under_one", lang, channels=names(f.under_one[:5])))
    pairs = f.pairwise_tests
    sig = [x for x in pairs if x["significant"]]
    if sig:
        best_ctr = max(sig, key=lambda x: abs(x["diff"]))
        winner = best_ctr["a"] if best_ctr["diff"] > 0 else best_ctr["b"]
        loser = best_ctr["b"] if best_ctr["diff"] > 0 else best_ctr["a"]
        findings.append(t("channels.finding.significant", lang, n=len(sig), total=len(pairs),
                          metric=t(f"channels.kpi.{best_ctr['metric']}", lang), a=name(winner), b=name(loser),
                          diff=fmt_number(abs(best_ctr["diff"]) * 100, lang, 2)))  # rates: percentage points
    elif pairs:
        findings.append(t("channels.finding.none_significant", lang, total=len(pairs)))
    if f.roas_trend is not None:
        rt = f.roas_trend
        findings.append(t("channels.finding.trend", lang, first=rt["first"], last=rt["last"],
                          r0=f"{rt['r0']:.2f}", r1=f"{rt['r1']:.2f}"))
    if not f.dated:
        warnings.append(t("channels.warning.snapshot", lang))
    # its rows are by channel, whatever ``by``
    incr_rows, incr_over, incr_findings, incr_warnings = present_incrementality(f.incrementality, lang)
    findings += incr_findings
    warnings += incr_warnings
    obc = f.orders_by_channel
    result_dict = {
        "mode": "channels", "by": f.by, "dated": f.dated,
        "channels": f.channels.to_dict(orient="records"),
        "significant_pairs": [{k: x[k] for k in ("metric", "a", "b", "diff", "p_value", "p_adjusted")} for x in sig],
        "pairwise_tests": pairs,
        "best_next_channel": f.best_next["channel"] if f.best_next is not None else None,
        "curves": f.curves, "curve_points": f.curve_points,
        "funnel": f.funnel, "trends": f.trends,
        "orders_by_channel": obc.to_dict(orient="records") if obc is not None else [],
        "kpis": f.totals,
        "incrementality": incr_rows, "incrementality_overcount": incr_over,
        "incrementality_model": {k: v for k, v in ((f.incrementality or {}).get("model") or {}).items()
                                 if k in ("status", "source", "weeks", "recent_weeks")} or None,
        "findings": findings, "warnings": warnings,
    }
    return jsonable(result_dict)


def _x(v: float | None, lang: str) -> str:
    return "—" if v is None else fmt_number(v, lang, 2)


def _holds_one(r: dict) -> bool:
    lo, hi = r.get("inflation_ci_low"), r.get("inflation_ci_high")
    return lo is None or lo <= 1 <= (hi if hi is not None else float("inf"))


def headlines(rows: list[dict]) -> list[tuple[dict, str]]:
    """The channels the action lines are about, each with "over" / "under": the most inflated channel
    whose inflation interval lies above 1 and the most under-credited one whose interval lies below 1; when
    no interval excludes 1, the channel farthest from 1 on the log scale (its interval holds 1: the page
    says so). Empty when no channel has an inflation.

    Parameters
    ----------
    rows : list[dict]
        The ``incrementality`` rows (channel, inflation and its interval).

    Returns
    -------
    list[tuple[dict, str]]
        (row, "over" / "under") pairs, most telling first.
    """
    known = [r for r in rows if r.get("inflation") is not None and r["inflation"] > 0]
    if not known:
        return []
    over = [r for r in known if r["inflation"] > 1 and not _holds_one(r)]
    under = [r for r in known if r["inflation"] < 1 and not _holds_one(r)]
    out = []
    if over:
        out.append((max(over, key=lambda r: r["inflation"]), "over"))
    if under:
        out.append((min(under, key=lambda r: r["inflation"]), "under"))
    if not out:
        pick = max(known, key=lambda r: abs(np.log(r["inflation"])))
        out.append((pick, "over" if pick["inflation"] >= 1 else "under"))
    return out


def present_incrementality(incr: dict | None, lang: str,
                           by: str | None = "channel") -> tuple[list[dict], dict | None, list[str], list[str]]:
    """The platform-vs-incremental block in ``lang``: the table's rows (flat: the ledger entry's id, period
    and method, ``basis`` saying where the incremental figure comes from), the double-count check, the
    action line(s) and the warnings.

    Parameters
    ----------
    incr : dict | None
        The fit's :func:`incrementality` block, or None.
    lang : str
        Interface language, ``'en'`` or ``'zh'``.
    by : str | None
        What the rows are grouped by (channel names are shown as people say them, see :func:`shown`).

    Returns
    -------
    tuple[list[dict], dict | None, list[str], list[str]]
        Table rows, the double-count check, findings, warnings.
    """
    if not incr:
        return [], None, [], []
    model = incr.get("model") or {}
    rows, findings, warnings = [], [], []
    for r in incr["rows"]:
        e = r.get("entry") or None
        if e is not None:
            basis = t("channels.incr.basis_ledger", lang, id=e["id"], method=t(f"ledger.method.{e['method']}", lang),
                      start=e["start"], end=e["end"], spend=fmt_money(e["spend"], lang))
        elif r.get("source") == "model":
            basis = t("channels.incr.basis_model", lang, spend=fmt_money(r["model_weekly_spend"], lang),
                      weeks=model.get("recent_weeks"))
        else:
            basis = t("channels.incr.basis_none", lang)
        out = {k: v for k, v in r.items() if k != "entry"}
        out.update(basis=basis, entry_id=e["id"] if e else None, test_start=e["start"] if e else None,
                   test_end=e["end"] if e else None, method=e["method"] if e else None)
        rows.append(out)
    for pick, key in headlines(rows):
        e_id = pick["entry_id"]
        source = (t("channels.incr.source_ledger", lang, id=e_id) if e_id is not None
                  else t("channels.incr.source_model", lang))
        findings.append(t(f"channels.incr.action_{key}", lang, channel=shown(pick["channel"], lang, by),
                          x=_x(pick["inflation"], lang),
                          platform=_x(pick["platform_roas"], lang), incremental=_x(pick["incremental_roas"], lang),
                          source=source))
        if _holds_one(pick):
            lo, hi = pick["inflation_ci_low"], pick["inflation_ci_high"]
            findings.append(t("channels.incr.holds_one", lang, channel=shown(pick["channel"], lang, by),
                              lo=_x(lo, lang),
                              hi=_x(hi, lang) if hi is not None else "∞"))
    missing = [r["channel"] for r in rows if r["incremental_roas"] is None]
    if missing:
        reason = (t(model["key"], lang, **model.get("kwargs", {})) if model.get("status") == "unavailable"
                  else t("channels.incr.not_in_model", lang))
        warnings.append(t("channels.incr.warning_missing", lang,
                          channels=fmt_list((shown(c, lang, by) for c in missing[:10]), lang), reason=reason))
    if model.get("status") == "ok" and model.get("source") == "channels" and any(r["source"] == "model" for r in rows):
        warnings.append(t("channels.incr.warning_model_platform", lang))
    oc = incr.get("overcount")
    if oc and (oc["conversions_over"] or oc["revenue_over"]):
        parts = []
        if oc["conversions_over"]:
            parts.append(t("channels.incr.over_conversions", lang, claimed=fmt_number(oc["conversions"], lang),
                           own=fmt_number(oc["orders"], lang), x=_x(oc["conversions_ratio"], lang),
                           extra=fmt_number(oc["conversions"] - oc["orders"], lang)))
        if oc["revenue_over"]:
            parts.append(t("channels.incr.over_revenue", lang, claimed=fmt_money(oc["revenue"], lang),
                           own=fmt_money(oc["sales"], lang), x=_x(oc["revenue_ratio"], lang),
                           extra=fmt_money(oc["revenue"] - oc["sales"], lang)))
        warnings.append(t("channels.incr.warning_overcount", lang, n=oc["platforms"], start=oc["start"], end=oc["end"],
                          parts="; ".join(parts)))
    return rows, oc, findings, warnings


def _orders_only(table: pd.DataFrame, lang: str) -> dict:
    findings = []
    top = table.iloc[0]
    findings.append(t("channels.finding.orders_top", lang, channel=shown(top["channel"], lang),
                      net=fmt_money(top["net_sales"], lang),
                      share=fmt_pct(top["net_sales"] / table["net_sales"].sum() if table["net_sales"].sum() else None,
                                    lang)))
    hi_ret = table.sort_values("return_rate", ascending=False).iloc[0]
    findings.append(t("channels.finding.orders_returns", lang, channel=shown(hi_ret["channel"], lang),
                      rate=fmt_pct(hi_ret["return_rate"], lang)))
    return {"mode": "orders", "channels": table.to_dict(orient="records"),
            "orders_by_channel": table.to_dict(orient="records"),
            "significant_pairs": [], "best_next_channel": None, "curves": [], "funnel": [], "trends": [],
            "kpis": {"net_sales": table["net_sales"].sum(), "orders": table["orders"].sum()},
            "findings": findings, "warnings": [t("channels.warning.orders_only", lang)]}
