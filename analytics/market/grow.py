"""GMV growth explained (GROW, issue 17 item 4): why identified buyers' gross sales changed.

Identified buyers' gross sales S (sale lines with a customer id) of a window are a product of three factors,
S = B x F x P with B = buyers, F = orders of identified buyers / B (frequency) and P = S / orders of identified
buyers (sales per order). The change S1 - S0 between the comparison window (0) and the KPI window (1) is
split exactly by the symmetric (Shapley) decomposition: each factor's effect is the mean of its marginal
contributions over the 3! orders in which the factors can be switched from their base to their current
value. For a product of three factors this is, for B,

    effect_B = dB x (F0 P0 / 3 + F1 P1 / 3 + (F0 P1 + F1 P0) / 6)

and likewise for F and P; the three effects add up to S1 - S0 (an identity, not an approximation). The
figures are rounded to the cent with the largest-remainder rule, so the rounded effects add up to the rounded
change exactly.

Beside them: the extension (延展力), identified buyers' gross sales in the KPI window on products first sold in
it (first sale line of the whole data inside the window), part of S1; and the change of the sales without a
customer id, shown apart (they have no buyer, so no frequency or price per buyer).

Labels: 渗透力 penetration (buyers), 复购力 frequency (orders per buyer), 价格力 price (sales per order),
延展力 extension (new products).
"""

from __future__ import annotations

import math
from typing import Any

from analytics.i18n import fmt_money, fmt_number, t
from analytics.market.result import MarketFit

EFFECTS = ("buyers_effect", "frequency_effect", "price_effect")


def shapley3(base: tuple[float, float, float], cur: tuple[float, float, float]) -> tuple[float, float, float]:
    """The Shapley effects of the three factors of a product x * y * z going from ``base`` to ``cur``; they
    add up to prod(cur) - prod(base).

    Parameters
    ----------
    base : tuple[float, float, float]
        The three factors in the base window.
    cur : tuple[float, float, float]
        The three factors in the current window.

    Returns
    -------
    tuple[float, float, float]
        The effect of each factor.
    """
    out = []
    for i in range(3):
        j, k = [m for m in range(3) if m != i]
        a0, a1, b0, b1 = base[j], cur[j], base[k], cur[k]
        out.append((cur[i] - base[i]) * (a0 * b0 / 3 + a1 * b1 / 3 + (a0 * b1 + a1 * b0) / 6))
    return out[0], out[1], out[2]


def to_cents(values: tuple[float, ...], total: float) -> tuple[list[float], float]:
    """``values`` rounded to the cent so that they add up to ``total`` rounded to the cent (largest
    remainder: the cents lost or gained by rounding go to the values whose rounding moved them most).

    Parameters
    ----------
    values : tuple[float, ...]
        The values.
    total : float
        The total they must add up to.

    Returns
    -------
    tuple[list[float], float]
        The rounded values and the rounded total.
    """
    want = round(total * 100)
    cents = [math.floor(v * 100) for v in values]
    rest = sorted(range(len(values)), key=lambda i: values[i] * 100 - cents[i], reverse=True)
    short = want - sum(cents)
    for n in range(abs(short)):
        i = rest[n % len(rest)] if short > 0 else rest[::-1][n % len(rest)]
        cents[i] += 1 if short > 0 else -1
    return [c / 100 for c in cents], want / 100


def factors(w) -> dict[str, float | int | None]:
    """Identified buyers' gross sales, buyers, orders and the three factors of one window row.

    Parameters
    ----------
    w
        One window row (``gross_sales``, ``nocust_sales``, ``buyers``, ``id_orders``).

    Returns
    -------
    dict[str, float | int | None]
        ``sales``, ``buyers``, ``orders``, ``orders_per_buyer``, ``sales_per_order`` (None over zero),
        ``unidentified_sales``.
    """
    sales = float(w["gross_sales"]) - float(w["nocust_sales"])
    buyers, orders = int(w["buyers"]), int(w.get("id_orders", 0))
    return {"sales": sales, "buyers": buyers, "orders": orders,
            "orders_per_buyer": orders / buyers if buyers else None,
            "sales_per_order": sales / orders if orders else None,
            "unidentified_sales": float(w["nocust_sales"])}


def grow_numbers(res: MarketFit) -> dict[str, Any] | None:
    """The GROW decomposition of the fit's KPI window against its chosen comparison (language-free): None
    without money or without a comparison window. The effects are None (with ``reason``) when either window
    has no identified buyer (the factors are then undefined); ``total_change`` is still given.

    Parameters
    ----------
    res : MarketFit
        The market fit.

    Returns
    -------
    dict[str, Any] | None
        ``compare``, ``current``, ``base``, ``new_products``, ``new_products_sales``, ``new_products_share``,
        ``unidentified_change``, ``reason``, ``total_change`` and the three effects (``buyers_effect``,
        ``frequency_effect``, ``price_effect``), or None.
    """
    if not res.has_money:
        return None
    c, b = res.window("cur"), res.window(res.compare)
    if c is None or b is None:
        return None
    f1, f0 = factors(c), factors(b)
    total = f1["sales"] - f0["sales"]
    unid = f1["unidentified_sales"] - f0["unidentified_sales"]
    np_ = res.new_products
    out: dict[str, Any] = {
        "compare": res.compare,
        "current": f1, "base": f0,
        "new_products": np_["products"] if np_ else None,
        "new_products_sales": round(np_["sales"], 2) if np_ else None,
        "new_products_share": (np_["sales"] / f1["sales"] if np_ and f1["sales"] else None),
        "unidentified_change": round(unid, 2),
        "reason": None,
    }
    if not (f0["buyers"] and f1["buyers"] and f0["orders"] and f1["orders"]):
        out.update({k: None for k in EFFECTS}, total_change=round(total, 2), reason="market.grow.no_buyers")
        return out
    effects = shapley3((f0["buyers"], f0["orders_per_buyer"], f0["sales_per_order"]),
                       (f1["buyers"], f1["orders_per_buyer"], f1["sales_per_order"]))
    cents, total_c = to_cents(effects, total)
    out.update(dict(zip(EFFECTS, cents)), total_change=total_c)
    return out


def grow_block(res: MarketFit, lang: str) -> dict[str, Any] | None:
    """The report's ``grow``: the numbers of :func:`grow_numbers`, plus ``rows`` (one per component with
    its label, factor, value and share of the change), ``title``, ``reason_text`` and ``finding`` (the
    sentence that names the largest driver); None where GROW does not apply.

    Parameters
    ----------
    res : MarketFit
        The market fit.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict[str, Any] | None
        The block, or None.
    """
    g = grow_numbers(res)
    if g is None:
        return None
    rows = []
    total = g["total_change"]
    for key, lab in (("buyers_effect", "penetration"), ("frequency_effect", "frequency"), ("price_effect", "price")):
        v = g[key]
        rows.append({"component": lab, "label": t(f"market.grow.{lab}", lang),
                     "factor": t(f"market.grow.factor_{lab}", lang), "value": v,
                     "share_of_change": (v / total if v is not None and total else None)})
    rows.append({"component": "total", "label": t("market.grow.total", lang), "factor": "", "value": total,
                 "share_of_change": 1.0 if total else None})
    if g["new_products_sales"] is not None:
        rows.append({"component": "extension", "label": t("market.grow.extension", lang),
                     "factor": t("market.grow.factor_extension", lang), "value": g["new_products_sales"],
                     "share_of_change": None})
    rows.append({"component": "unidentified", "label": t("market.grow.unidentified", lang), "factor": "",
                 "value": g["unidentified_change"], "share_of_change": None})
    g = dict(g, rows=rows, title=t("market.grow.title", lang),
             reason_text=t(g["reason"], lang) if g["reason"] else None)
    finding = None
    if g["reason"] is None and total:
        best = max(rows[:3], key=lambda r: abs(r["value"]))
        key = "market.grow.finding_" + ("up" if total > 0 else "down")
        finding = t(key, lang, total=fmt_money(abs(total), lang), driver=best["label"],
                    value=fmt_money(best["value"], lang), b0=fmt_number(g["base"]["buyers"], lang),
                    b1=fmt_number(g["current"]["buyers"], lang))
    g["finding"] = finding
    return g
