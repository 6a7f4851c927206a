"""Incentive economics: what a coupon, 满减 threshold or points scheme costs, its margin erosion and the
break-even uplift, with the AOV, base orders and eligible share taken from the orders' values."""

from __future__ import annotations

from analytics.i18n import fmt_money, fmt_number, fmt_pct, t

from .lines import OrderValues


def incentive_economics(kind: str, *, aov: float, orders: float, margin: float, redemption: float,
                        face_value: float = 0.0, min_spend: float = 0.0, threshold: float = 0.0, off: float = 0.0,
                        points_per_unit: float = 0.0, point_value: float = 0.0,
                        eligible_share: float | None = None) -> dict:
    """Cost of an incentive and the order uplift needed to break even on gross profit.

    d = discount per redeemed order (coupon: face value; 满减: off; points: AOV x points per unit x value per
    point); r = eligible share x redemption rate; cost = orders x r x d;
    margin erosion = r d / AOV (points of gross margin); profit share lost = r d / (m AOV);
    break-even uplift = r d / (m AOV - r d) (extra orders, which also redeem, must replace the lost profit).

    Parameters
    ----------
    kind : str
        "coupon", "threshold" (满减) or "points" (ValueError otherwise).
    aov : float
        Average order value.
    orders : float
        Orders over the plan.
    margin : float
        Gross margin.
    redemption : float
        Redemption rate of the eligible orders.
    face_value : float
        Coupon value.
    min_spend : float
        Coupon's minimum spend.
    threshold : float
        满减 threshold.
    off : float
        满减 discount.
    points_per_unit : float
        Points per unit of money spent.
    point_value : float
        Money value of a point.
    eligible_share : float | None
        Share of the orders eligible (None: all or none, from the AOV against the threshold).

    Returns
    -------
    dict
        ``kind``, the inputs, ``eligible_share``, ``effective_rate``, ``discount_per_redeemed``,
        ``discount_depth``, ``cost``, ``gross_profit_before``, ``gross_profit_after``, ``margin_after``,
        ``margin_erosion``, ``profit_share_lost``, ``break_even_uplift``, ``break_even_extra_orders`` (None
        where undefined).
    """
    if kind == "coupon":
        d = face_value
        e = eligible_share if eligible_share is not None else (1.0 if aov >= min_spend else 0.0)
    elif kind == "threshold":
        d = off
        e = eligible_share if eligible_share is not None else (1.0 if aov >= threshold else 0.0)
    elif kind == "points":
        d = aov * points_per_unit * point_value
        e = 1.0 if eligible_share is None else eligible_share
    else:
        raise ValueError(kind)
    r = e * redemption
    rd = r * d
    gp_order = margin * aov
    cost = orders * rd
    profit_before = orders * gp_order
    uplift = rd / (gp_order - rd) if gp_order > rd else None
    return {
        "kind": kind, "aov": aov, "orders": orders, "margin": margin, "redemption": redemption,
        "eligible_share": e, "effective_rate": r, "discount_per_redeemed": d, "discount_depth": d / aov if aov else None,
        "cost": cost, "gross_profit_before": profit_before, "gross_profit_after": profit_before - cost,
        "margin_after": (gp_order - rd) / aov if aov else None, "margin_erosion": rd / aov if aov else None,
        "profit_share_lost": rd / gp_order if gp_order else None,
        "break_even_uplift": uplift, "break_even_extra_orders": orders * uplift if uplift is not None else None,
    }


def incentive_block(ov: OrderValues | None, p: dict, weeks: int, lang: str) -> tuple[dict | None, str | None]:
    """The incentive's economics (:func:`incentive_economics`) with the AOV, base orders and eligible share
    from the orders' values unless given, and its finding (or, when AOV or base orders are unknown, the
    warning saying so, with no economics).

    Parameters
    ----------
    ov : OrderValues | None
        The orders' values, or None.
    p : dict
        The page's parameters (``incentive`` and its settings, ``aov``, ``base_orders``, ``margin``,
        ``redemption``).
    weeks : int
        The plan's weeks.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    tuple[dict | None, str | None]
        The economics (or None) and the finding or warning (or None).
    """
    if p["incentive"] == "none":
        return None, None
    aov, base_orders, elig = p.get("aov"), p.get("base_orders"), None
    if ov is not None:
        aov = aov if aov is not None else ov.mean
        base_orders = base_orders if base_orders is not None else float(ov.orders / ov.weeks * weeks)
        thr = p["min_spend"] if p["incentive"] == "coupon" else p["threshold"] if p["incentive"] == "threshold" else None
        if thr is not None:
            elig = ov.share_at_least(float(thr))
    if aov is None or base_orders is None or aov <= 0:
        return None, t("promotions.warning.incentive_needs", lang)
    incentive = incentive_economics(
        p["incentive"], aov=float(aov), orders=float(base_orders), margin=float(p["margin"]),
        redemption=float(p["redemption"]), face_value=float(p["face_value"]), min_spend=float(p["min_spend"]),
        threshold=float(p["threshold"]), off=float(p["off"]), points_per_unit=float(p["points_per_unit"]),
        point_value=float(p["point_value"]), eligible_share=elig)
    if incentive["break_even_uplift"] is None:
        return incentive, t("promotions.finding.incentive_never", lang)
    return incentive, t("promotions.finding.incentive", lang, kind=t(f"promotions.incentive.{p['incentive']}", lang),
                        cost=fmt_money(incentive["cost"], lang), erosion=fmt_pct(incentive["margin_erosion"], lang),
                        uplift=fmt_pct(incentive["break_even_uplift"], lang),
                        orders=fmt_number(incentive["break_even_extra_orders"], lang))
