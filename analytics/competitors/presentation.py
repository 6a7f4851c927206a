"""Competitor tracking's texts: the page's result in one language from a :class:`CompetitorFit` (findings,
warnings, the elasticity's reading)."""

from __future__ import annotations

from analytics.common import jsonable
from analytics.i18n import fmt_date, fmt_number, fmt_pct, join_sentences, t

from .result import CompetitorFit


def _pct_effect(e: float, move: float = -0.10) -> float:
    """Volume change implied by elasticity ``e`` for a competitor price change ``move``."""
    return (1 + move) ** e - 1


def reading(el: dict, lang: str) -> str:
    """The sentence reading a cross-price elasticity: no effect when its interval spans 0, else the share of
    sales moving with a 10% price change, and the weeks it rests on.

    Parameters
    ----------
    el : dict
        The elasticity: ``value``, ``ci_low``, ``ci_high``, ``n`` and optionally ``sample``,
        ``weeks_excluded``.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The sentence.
    """
    v, lo, hi, n = el["value"], el["ci_low"], el["ci_high"], el["n"]
    kw = dict(v=f"{v:.2f}", lo=f"{lo:.2f}", hi=f"{hi:.2f}", n=n)
    if lo <= 0 <= hi:
        text = t("competitors.elasticity.read_none", lang, **kw)
    else:
        a, b = sorted((_pct_effect(lo), _pct_effect(hi)))
        if v > 0:
            text = t("competitors.elasticity.read_substitute", lang, x=fmt_pct(abs(_pct_effect(v)), lang, 0),
                     a=fmt_pct(abs(b), lang, 0), b=fmt_pct(abs(a), lang, 0), **kw)
        else:
            text = t("competitors.elasticity.read_together", lang, x=fmt_pct(abs(_pct_effect(v)), lang, 0),
                     a=fmt_pct(abs(a), lang, 0), b=fmt_pct(abs(b), lang, 0), **kw)
    if el.get("sample") in ("quiet", "all"):
        more = t(f"competitors.elasticity.sample_{el['sample']}", lang, n=n, x=el.get("weeks_excluded", 0))
        text = join_sentences([text, more], lang)
    return text


def _note(key: str, values: dict, lang: str) -> str:
    if key == "competitors.warning.dropped":
        return t(key, lang, n=fmt_number(values["n"], lang))
    if key == "competitors.warning.filter_ignored":
        return t(key, lang, dim=t(f"competitors.dim.{values['dim']}", lang))
    return t(key, lang, **values)


def _key_figures(pi, events: list[dict], rivals: list[dict]) -> dict:
    """The page's key figures: the latest week's price index (mean over its keys) and that week, price moves
    (and how many outside festivals), rivals tracked, their mean discount depth and share of days on promotion
    (means over the rivals that report them; None when none does)."""
    def mean(name: str) -> float | None:
        vals = [c[name] for c in rivals if c.get(name) is not None]
        return sum(vals) / len(vals) if vals else None

    idx = week = None
    if len(pi):
        last = pi["period"].max()
        idx, week = float(pi.loc[pi["period"] == last, "index"].mean()), last.date().isoformat()
    return {"latest_index": idx, "latest_week": week, "events": len(events),
            "events_outside_festivals": sum(not e.get("in_festival") for e in events), "rivals": len(rivals),
            "avg_discount": mean("avg_discount"), "promo_share": mean("promo_share")}


def present(result: CompetitorFit, params: dict, lang: str = "en") -> dict:
    """The page's result in ``lang`` from a :class:`CompetitorFit` (no engine query).

    Parameters
    ----------
    result : CompetitorFit
        The fit.
    params : dict
        The page's parameters (everything shown is in the fit).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        ``own``, ``key_figures``, ``filters``, ``threshold``, ``window``, ``price_index`` (rows: period, key,
        own_price, competitor_price, competitors, index), ``price_index_summary``, ``events``,
        ``competitors``, ``trends``, ``price_timeline``, ``elasticity``, ``elasticity_reason``,
        ``own_vs_competitors``, ``findings``, ``warnings``; JSON-safe.
    """
    f = result
    warnings = [_note(k, v, lang) for k, v in f.notes]
    pi = f.price_index
    el = None if f.elasticity is None else {**f.elasticity, "reading": reading(f.elasticity, lang)}
    el_reason = None if f.elasticity_refusal is None else t(f.elasticity_refusal[0], lang, **f.elasticity_refusal[1])
    findings: list[str] = []
    if f.price_index_summary:
        last_period = pi["period"].max()
        latest = pi.loc[pi["period"] == last_period]
        idx = float(latest["index"].mean())
        hi = latest.sort_values("index").iloc[-1]
        key = "competitors.finding.index_above" if idx >= 100 else "competitors.finding.index_below"
        findings.append(t(key, lang, pct=fmt_pct(abs(idx / 100 - 1), lang), idx=f"{idx:.0f}",
                          week=fmt_date(last_period, lang), key=str(hi["key"]), key_idx=f"{hi['index']:.0f}"))
    events = f.events
    if events:
        off = [e for e in events if not e["in_festival"]]
        big = max(off or events, key=lambda e: abs(e["change_pct"]))
        findings.append(t("competitors.finding.events", lang, n=len(events), k=len(off), thr=fmt_pct(f.threshold, lang, 0),
                          comp=big["competitor"], pct=fmt_pct(big["change_pct"], lang, 0, signed=True),
                          product=big["product"] or "—", date=fmt_date(big["date"], lang)))
    else:
        findings.append(t("competitors.finding.no_events", lang, thr=fmt_pct(f.threshold, lang, 0), days=f.window))
    riv_tab = [c for c in f.competitors if not c["is_own"]]
    promo_rows = [c for c in riv_tab if c.get("promo_share") is not None]
    if promo_rows:
        c = max(promo_rows, key=lambda r: r["promo_share"])
        findings.append(t("competitors.finding.promo", lang, comp=c["competitor"], share=fmt_pct(c["promo_share"], lang, 0),
                          disc=fmt_pct(c["avg_discount"], lang, 0) if c.get("avg_discount") is not None else "—"))
    if el is not None:
        findings.append(el["reading"])
    key_figures = _key_figures(pi, events, riv_tab)
    pi_rows = [{"period": r.period.date().isoformat(), "key": str(r.key), "own_price": float(r.own_price),
                "competitor_price": float(r.competitor_price), "competitors": int(r.competitors),
                "index": float(r.index)} for r in pi.itertuples(index=False)]
    return jsonable({
        "own": dict(f.own),
        "key_figures": key_figures,
        "filters": f.filters,
        "threshold": f.threshold,
        "window": f.window,
        "price_index": pi_rows,
        "price_index_summary": f.price_index_summary,
        "events": f.events,
        "competitors": f.competitors,
        "trends": f.trends,
        "price_timeline": f.price_timeline,
        "elasticity": el,
        "elasticity_reason": el_reason,
        "own_vs_competitors": f.own_vs_competitors,
        "findings": findings,
        "warnings": warnings,
    })
