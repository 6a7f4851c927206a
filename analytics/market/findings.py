"""The findings of the market overview ("what to do next"), in the reader's language, from the fit."""

from __future__ import annotations

import numpy as np

from analytics.i18n import fmt_date, fmt_money, fmt_number, fmt_pct, join_sentences, t
from analytics.market.constants import DIMS
from analytics.market.mix import change, mix_rows, shown
from analytics.market.result import MarketFit


def fmt_change(x: float | None, lang: str) -> str:
    """A relative change as a signed percentage, or "—" when None.

    Parameters
    ----------
    x : float | None
        Relative change (0.1 = +10%), or None.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The formatted change.
    """
    return fmt_pct(x, lang, signed=True) if x is not None else "—"


def window_kpis(w) -> dict:
    """The KPIs of one window row of :attr:`MarketFit.windows`.

    Parameters
    ----------
    w
        One row of :attr:`MarketFit.windows` (``gross_sales``, ``returns``, ``orders``, ``buyers``,
        ``repeaters``, ``new_buyers``).

    Returns
    -------
    dict
        ``gross_sales``, ``returns``, ``net_sales``, ``orders``, ``buyers``, ``aov``, ``repeat_rate``,
        ``new_buyers``, ``returning_buyers`` (ratios None over zero).
    """
    gross, returns = float(w["gross_sales"]), float(w["returns"])
    orders, buyers, repeat, new = int(w["orders"]), int(w["buyers"]), int(w["repeaters"]), int(w["new_buyers"])
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


def change_findings(res: MarketFit, lang: str) -> list[str]:
    """1. The change of net sales between the findings' windows and the dimension value that drives it;
    2. the change of returning buyers.

    Parameters
    ----------
    res : MarketFit
        The market fit.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[str]
        Up to two sentences (none when the fit has no findings windows).
    """
    out: list[str] = []
    if res.find_label is None:
        return out
    key, kw = res.find_label
    label = t(key, lang, **kw)
    c, b = res.window("find_cur"), res.window("find_base")
    # the mix holds the findings' windows as "cur" / "base" when they are the chosen comparison's
    cols = ("cur", "base") if res.compare in res.windows.index else ("find_cur", "find_base")
    cur_net, base_net = float(c["net"]), float(b["net"])
    ch = change(cur_net, base_net)
    driver = None
    for dim in DIMS:
        rows = mix_rows(res.mix.get(dim), cols[0], cols[1], lang)
        if not rows or len(rows) < 2:
            continue
        real = [r for r in rows if r["value"] not in (t("market.label.other", lang),)]
        d = cur_net - base_net
        if not real or d == 0:
            continue
        best = max(real, key=lambda r: (r["net_sales"] - r["base_net_sales"]) * np.sign(d))
        driver = (dim, best)
        break
    # an export without amounts is measured in units (analytics.units): said so, never formatted as money
    fm, sfx = (fmt_money, "") if res.has_money else (fmt_number, "_units")
    if ch is not None:
        k = "market.finding.change_up" if ch >= 0 else "market.finding.change_down"
        text = t(k + sfx, lang, pct=fmt_pct(abs(ch), lang), label=label, value=fm(cur_net, lang))
        if driver:
            dim, r = driver
            more = t("market.finding.driver", lang, dim=t(f"market.dim.{dim}", lang),
                     value=shown(dim, r["value"], lang),
                     delta=("+" if r["net_sales"] - r["base_net_sales"] >= 0 else "-")
                     + fm(abs(r["net_sales"] - r["base_net_sales"]), lang),
                     share=fmt_pct(r["contribution"] or 0, lang, 0))
            text = join_sentences([text, more], lang)
        out.append(text)
    # 2. returning buyers
    if c["lines"] > 0 and b["lines"] > 0:
        kc, kb = window_kpis(c), window_kpis(b)
        if kc["buyers"] and kb["buyers"]:
            rc = change(kc["returning_buyers"], kb["returning_buyers"])
            nc = change(kc["new_buyers"], kb["new_buyers"])
            if rc is not None:
                out.append(t("market.finding.returning_" + ("down" if rc < 0 else "up"), lang,
                             pct=fmt_pct(abs(rc), lang), a=fmt_number(kb["returning_buyers"], lang),
                             b=fmt_number(kc["returning_buyers"], lang), new=fmt_change(nc, lang), label=label))
    return out


def promo_finding(promos: list[dict], lang: str) -> list[str]:
    """3. The promotion window with the biggest uplift.

    Parameters
    ----------
    promos : list[dict]
        Promotion rows (:func:`~analytics.market.promos.promo_rows`).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[str]
        One sentence, or none when no window has an uplift.
    """
    peaks = [r for r in promos if r.get("uplift") is not None]
    if not peaks:
        return []
    top = max(peaks, key=lambda r: r["uplift"])
    return [t("market.finding.promo_peak", lang, promo=top["label"], x=f"{top['uplift']:.1f}",
              start=fmt_date(top["start"], lang), end=fmt_date(top["end"], lang),
              daily=fmt_money(top["daily_net_sales"], lang))]
