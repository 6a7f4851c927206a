"""The engine queries of competitor tracking: the usable competitor observations, the own sale lines of the
orders and their weekly aggregates (own prices paid, own volume and campaign share), the order values
matched against the competitor data, and the own-brand flag counted per competitor."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from analytics.expr import fsum
from data import engine

from .base import _flagged, _has, _match, norm, own_attr_columns, week_start


ORDER_KEYS = (("product", "product_name"), ("product", "product_id"), ("category", "category"))


def _num(t: ir.Table, col: str) -> ir.FloatingValue:
    return t[col].cast("float64") if col in t.columns else ibis.null("float64")


def _text(t: ir.Table, col: str) -> ir.StringValue:
    return t[col].cast("string") if col in t.columns else ibis.null("string")


def _has_t(t: ir.Table | None, col: str) -> bool:
    """Whether the engine table has column ``col`` with at least one value."""
    return t is not None and col in t.columns and int(engine.scalar(t[col].count())) > 0


def sale_lines(orders: ir.Table) -> ir.Table:
    """The dated sale lines of the orders (``is_return`` false) with the columns used here: date, amount,
    quantity, campaign and the matching keys (product name / id, category).

    Parameters
    ----------
    orders : ir.Table
        Canonical order lines.

    Returns
    -------
    ir.Table
        Columns ``date``, ``amount``, ``quantity``, ``unit_price``, ``campaign`` and the ORDER_KEYS columns
        (``product_name``, ``product_id``, ``category``).
    """
    o = orders.filter(orders.order_date.notnull())
    if "is_return" in o.columns:
        o = o.filter(~o.is_return.cast("boolean").fill_null(False))
    return o.select(date=o.order_date, amount=_num(o, "amount"), quantity=_num(o, "quantity"),
                    unit_price=_num(o, "unit_price"), campaign=_text(o, "campaign"),
                    **{k: _text(o, k) for _, k in ORDER_KEYS})


def own_sale_lines(orders: ir.Table) -> ir.Table:
    """Sale lines with a positive price paid, as an engine expression: columns date, amount, qty (units,
    missing unless positive), price (amount / quantity, the unit price when there is no quantity),
    product_name, product_id, category.

    Parameters
    ----------
    orders : ir.Table
        Canonical order lines.

    Returns
    -------
    ir.Table
        Columns ``date``, ``amount``, ``qty``, ``price``, ``product_name``, ``product_id``, ``category``; only
        lines with a positive price.
    """
    o = sale_lines(orders)
    qty = o.quantity
    paid = ibis.ifelse(qty > 0, o.amount / qty, ibis.null("float64"))
    price = paid.coalesce(o.unit_price)
    out = o.select(date=o.date, amount=o.amount, qty=ibis.ifelse(qty > 0, qty, ibis.null("float64")), price=price,
                   product_name=o.product_name, product_id=o.product_id, category=o.category)
    return out.filter(out.price > 0)


def match_orders(orders: "ir.Table | pd.DataFrame", rivals: pd.DataFrame) -> tuple[str, str, set[str], list[str]] | None:
    """(competitor column, orders column, matching normalised values, the orders' own values that match):
    products by name or id first, then categories; None when nothing matches. The orders' distinct values
    come from the engine (``orders``: an engine table; a frame is registered first).

    Parameters
    ----------
    orders : 'ir.Table | pd.DataFrame'
        Order lines (engine table or canonical frame).
    rivals : pd.DataFrame
        Competitor observations with ``product`` / ``category``.

    Returns
    -------
    tuple[str, str, set[str], list[str]] | None
        The match, or None.
    """
    if isinstance(orders, pd.DataFrame):
        orders = engine.from_frame(orders)
    for rkey, okey in ORDER_KEYS:
        if okey in orders.columns and _has(rivals, rkey):
            vals = engine.to_frame(orders.select(v=orders[okey]).filter(lambda d: d.v.notnull()).distinct())["v"]
            if not len(vals):
                continue
            m = _match(vals, rivals[rkey])
            if m:
                raw = [v for v in vals if norm(v) in m]
                return rkey, okey, m, raw
    return None


def own_weekly_price(own: ir.Table, okey: str | None) -> pd.DataFrame:
    """Own price per week x key (columns period, k, own_price) from the own sale lines ``own`` (engine):
    amount / units when the lines have quantities, else the mean price paid. ``okey``: the orders column
    whose normalised value is the key (None: one key, "all"). Summed in the engine per week and raw value;
    raw values with the same normalised form are added up here.

    Parameters
    ----------
    own : ir.Table
        Own sale lines (:func:`own_sale_lines`).
    okey : str | None
        The orders' key column, or None.

    Returns
    -------
    pd.DataFrame
        Columns ``period``, ``k``, ``own_price``.
    """
    t = own.mutate(period=own.date.truncate("W"), raw=own[okey] if okey else ibis.literal("all"))
    ok = t.qty.notnull() & t.amount.notnull()
    agg = t.group_by(["period", "raw"]).aggregate(
        qty_n=t.qty.count(), ok_n=ok.sum(), a=fsum(t.amount, where=ok), q=fsum(t.qty, where=ok),
        p_sum=fsum(t.price), n=t.count())
    w = engine.to_frame(agg)
    w["period"] = w["period"].astype("datetime64[ns]")
    w["k"] = w["raw"].map(norm) if okey else "all"
    if w["qty_n"].sum() > 0:
        w = w.loc[w["ok_n"] > 0]
        g = w.groupby(["period", "k"], as_index=False).agg(amount=("a", "sum"), qty=("q", "sum"))
        g["own_price"] = g["amount"] / g["qty"]
        return g[["period", "k", "own_price"]]
    g = w.groupby(["period", "k"], as_index=False).agg(s=("p_sum", "sum"), n=("n", "sum"))
    g["own_price"] = g["s"] / g["n"]
    return g[["period", "k", "own_price"]]


def own_weekly_volume(o: ir.Table) -> tuple[pd.Series, str, pd.Series | None, pd.Series | None]:
    """Own weekly volume from the sale lines ``o`` (engine), aggregated there per week: units of lines with
    a positive quantity (net sales when no line has a quantity), the own price (amount / units), and the
    share of lines in a campaign. Whole weeks only (zero where a week has no line). Returns (volume,
    measure, own price or None, campaign share or None).

    Parameters
    ----------
    o : ir.Table
        Sale lines (:func:`sale_lines`).

    Returns
    -------
    tuple[pd.Series, str, pd.Series | None, pd.Series | None]
        Volume per whole week (index: week start), its measure (``"quantity"`` or ``"net_sales"``), own price
        per week or None, campaign share per week or None.
    """
    qty = o.quantity
    ok = (qty > 0) & o.amount.notnull()
    camp = o.campaign.notnull() & (o.campaign.strip() != "")
    w = o.mutate(period=o.date.truncate("W"))
    agg = w.group_by("period").aggregate(
        n=w.count(), qty_n=w.quantity.count(), vol_q=fsum(w.quantity, where=w.quantity > 0).fill_null(0.0),
        ok_n=ok.sum(), a=fsum(w.amount, where=ok), q=fsum(w.quantity, where=ok),
        vol_a=fsum(w.amount).fill_null(0.0), camp_n=camp.sum(), camp_any=w.campaign.count(),
        d0=w.date.min(), d1=w.date.max())
    wk = engine.to_frame(agg)
    wk["period"] = wk["period"].astype("datetime64[ns]")
    wk = wk.set_index("period").sort_index()
    wk.index.name = None
    own_price = camp_share = None
    if wk["qty_n"].sum() > 0:
        vol = wk["vol_q"].astype(float)
        measure = "quantity"
        okw = wk.loc[wk["ok_n"] > 0]
        own_price = okw["a"] / okw["q"]
    else:
        vol = wk["vol_a"].astype(float)
        measure = "net_sales"
    if wk["camp_any"].sum() > 0:
        camp_share = wk["camp_n"] / wk["n"]
    d0 = pd.Timestamp(wk["d0"].min()).normalize()
    d1 = pd.Timestamp(wk["d1"].max()).normalize()
    full = pd.date_range(week_start(pd.Series([d0])).iloc[0], week_start(pd.Series([d1])).iloc[0], freq="7D")
    vol = vol.reindex(full, fill_value=0.0)
    vol = vol.loc[(vol.index >= d0) & (vol.index + pd.Timedelta(days=6) <= d1)]
    return vol, measure, own_price, camp_share


def observations(comp: ir.Table) -> tuple[pd.DataFrame, int]:
    """The usable competitor observations (a date, a competitor and a positive price), materialised from the
    engine in their stored order with the columns this page uses, and the number of lines left out.

    Competitor data is a small kind (observations per competitor x product x day), and the page needs its
    rows: price moves compare each observation with the trailing median of its series, the competitor table
    takes each competitor's first and last observed values, and the own brand can be flagged per row.

    Parameters
    ----------
    comp : ir.Table
        Competitor lines (``date``, ``competitor``, ``price`` and the optional fields).

    Returns
    -------
    tuple[pd.DataFrame, int]
        Columns ``date``, ``competitor``, ``price``, ``product``, ``category``, ``promo``, ``list_price``,
        ``sales_volume``, ``rating``, ``reviews``, ``followers``, ``share`` and the own-flag ``attr_*``
        columns; and the count of lines left out.
    """
    ok = comp.date.notnull() & comp.competitor.notnull() & (comp.price.cast("float64") > 0).fill_null(False)
    t = comp.mutate(_pos=ibis.row_number())
    t = t.filter(ok)
    cols = {"date": t.date, "competitor": t.competitor.cast("string"), "price": t.price.cast("float64")}
    for c in ("product", "category", "promo"):
        cols[c] = _text(t, c)
    for c in ("list_price", "sales_volume", "rating", "reviews", "followers", "share"):
        cols[c] = _num(t, c)
    for c in own_attr_columns(comp.columns):
        cols[c] = t[c]
    counts = engine.to_frame(comp.aggregate(rows=comp.count(), ok=ok.sum()))
    dropped = int(counts["rows"].iloc[0]) - int(counts["ok"].iloc[0] or 0)
    df = engine.to_frame(t.select(_pos=t._pos, **cols).order_by("_pos")).drop(columns="_pos")
    df["date"] = df["date"].astype("datetime64[ns]")
    df["competitor"] = df["competitor"].astype("str").str.strip()
    return df, dropped


def own_from_flag_counts(comp: ir.Table) -> str | None:
    """:func:`own_from_flag` from the engine: per own-flag attribute column, the lines per competitor and
    value are counted there, and the flag read here per distinct value.

    Parameters
    ----------
    comp : ir.Table
        Competitor lines.

    Returns
    -------
    str | None
        The own brand's name, or None.
    """
    c = comp.filter(comp.competitor.notnull())
    for col in own_attr_columns(comp.columns):
        counts = engine.to_frame(c.group_by(name=c.competitor.cast("string"), v=c[col]).aggregate(n=c.count()))
        counts["name"] = counts["name"].astype("str").str.strip()
        hit = _flagged(counts) if len(counts) else None
        if hit is not None:
            return hit
    return None
