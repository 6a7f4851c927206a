"""``fit``: every number of the market overview, computed in the engine and held as aggregates."""

from __future__ import annotations

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics.market import kpis as q
from analytics.market.constants import DIMS, options
from analytics.market.forecast import forecast_input, forecast_series, too_short
from analytics.market.lines import Profile, lines
from analytics.market.mix import has_ties, pareto_block
from analytics.market.periods import (complete, comparison_window, iso, key_end, key_of, key_range, key_start,
                                      sum_by_period, to_day)
from analytics.market.promos import promo_windows
from analytics.market.result import MarketFit
from analytics.market.share import market_months, market_share
from analytics.units import measure

Span = tuple[int, int]  # days (first, last)
GRAINS = ("day", "week", "month")
COMPARES = ("prev", "yoy")


def dense_daily(daily: pd.DataFrame, d0: int, d1: int) -> dict[str, np.ndarray]:
    """The per-day totals as arrays over every day from ``d0`` to ``d1`` (0 on days without lines).

    Parameters
    ----------
    daily : pd.DataFrame
        Per-day totals (``day`` and the DAILY columns).
    d0 : int
        First day number.
    d1 : int
        Last day number.

    Returns
    -------
    dict[str, np.ndarray]
        Column -> array of d1 - d0 + 1 days.
    """
    n = d1 - d0 + 1
    idx = daily["day"].to_numpy(dtype=np.int64) - d0
    out = {}
    for col in q.DAILY:
        a = np.zeros(n, dtype=np.int64 if col.endswith("lines") else float)
        a[idx] = daily[col].to_numpy(dtype=a.dtype)
        out[col] = a
    return out


def window_sums(dd: dict[str, np.ndarray], d0: int, s: int, e: int) -> dict:
    """The additive KPIs of the days [s, e] from the dense per-day totals, and the first day with a line.

    Parameters
    ----------
    dd : dict[str, np.ndarray]
        :func:`dense_daily`.
    d0 : int
        Day number of the arrays' first day.
    s : int
        First day of the window.
    e : int
        Last day of the window.

    Returns
    -------
    dict
        ``lines``, ``ret_lines``, ``nocust_lines``, ``gross_sales``, ``returns``, ``net``, ``nocust_sales``,
        ``first_line_day``.
    """
    a, b = max(s - d0, 0), max(e - d0 + 1, 0)
    with np.errstate(over="ignore", invalid="ignore"):
        out = {
            "lines": int(dd["lines"][a:b].sum()), "ret_lines": int(dd["ret_lines"][a:b].sum()),
            "nocust_lines": int(dd["nocust_lines"][a:b].sum()), "gross_sales": float(dd["gross"][a:b].sum()),
            "returns": float(dd["returns"][a:b].sum()), "net": float(dd["net"][a:b].sum()),
            "nocust_sales": float(dd["nocust_sales"][a:b].sum()),
        }
    hit = np.flatnonzero(dd["lines"][a:b])
    out["first_line_day"] = int(d0 + a + hit[0]) if hit.size else s
    return out


def findings_windows(cur_s: int, cur_e: int, grain: str, compare: str,
                     base: tuple[int, int] | None) -> tuple[tuple[int, int], tuple[int, int], tuple[str, dict]] | None:
    """The two windows the findings compare and the label's i18n key and values: the KPI window against the
    chosen comparison, else the last two whole periods of the trend; None when neither exists.

    Parameters
    ----------
    cur_s : int
        First day of the KPI window.
    cur_e : int
        Last day.
    grain : str
        The trend's grain.
    compare : str
        The chosen comparison (prev / yoy).
    base : tuple[int, int] | None
        The comparison's window, or None.

    Returns
    -------
    tuple[tuple[int, int], tuple[int, int], tuple[str, dict]] | None
        (current window, base window, (label key, values)), or None.
    """
    if base is not None:
        return (cur_s, cur_e), base, (f"market.compare.{compare}", {})
    keys = key_range(key_of(cur_s, grain), key_of(cur_e, grain), grain)
    whole = keys[complete(keys, grain, (cur_s, cur_e))]
    if len(whole) < 2:
        return None
    a, b = whole[-1:], whole[-2:-1]
    ca, cb = int(key_start(a, grain)[0]), int(key_end(a, grain)[0])
    pa, pb = int(key_start(b, grain)[0]), int(key_end(b, grain)[0])
    return (ca, cb), (pa, pb), ("market.compare.last_period", {"period": iso(ca), "prev": iso(pa)})


def by_period_frame(dd: dict[str, np.ndarray], d0: int, counts: pd.DataFrame, grain: str,
                    cur_s: int, cur_e: int) -> pd.DataFrame:
    """The trend table: one row per period in the KPI window (zeros where no lines), as in the report.

    Parameters
    ----------
    dd : dict[str, np.ndarray]
        :func:`dense_daily`.
    d0 : int
        Day number of the arrays' first day.
    counts : pd.DataFrame
        Distinct counts per period (``key``, ``orders``, ``buyers``, ``repeaters``, ``new_buyers``).
    grain : str
        The grain.
    cur_s : int
        First day of the KPI window.
    cur_e : int
        Last day.

    Returns
    -------
    pd.DataFrame
        Columns ``period``, ``period_end``, ``complete``, ``gross_sales``, ``returns``, ``net_sales``,
        ``orders``, ``buyers``, ``aov``, ``repeat_rate``, ``new_buyers``, ``returning_buyers``.
    """
    k0, k1 = key_of(cur_s, grain), key_of(cur_e, grain)
    keys = key_range(k0, k1, grain)
    n = len(keys)
    a, b = cur_s - d0, cur_e - d0 + 1
    with np.errstate(over="ignore", invalid="ignore"):
        gross = sum_by_period(dd["gross"][a:b], cur_s, grain, k0, n)
        returns = sum_by_period(dd["returns"][a:b], cur_s, grain, k0, n)
    starts, ends = key_start(keys, grain), key_end(keys, grain)
    c = counts.set_index("key").reindex(starts).fillna(0).astype(np.int64)
    orders, buyers = c["orders"].to_numpy(), c["buyers"].to_numpy()
    repeaters, new = c["repeaters"].to_numpy(), c["new_buyers"].to_numpy()
    out = pd.DataFrame({
        "period": [iso(d) for d in starts],
        "period_end": [iso(d) for d in ends],
        "complete": (starts >= cur_s) & (ends <= cur_e),
        "gross_sales": gross,
        "returns": returns,
        "net_sales": gross - returns,
        "orders": orders.astype(np.int64),
        "buyers": buyers.astype(np.int64),
    })
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out["aov"] = np.where(orders > 0, gross / np.maximum(orders, 1), np.nan)
        out["repeat_rate"] = np.where(buyers > 0, repeaters / np.maximum(buyers, 1), np.nan)
    out["new_buyers"] = new.astype(np.int64)
    out["returning_buyers"] = (buyers - new).astype(np.int64)
    return out


def mix_and_products(orders: ir.Table, prof: Profile, filters: dict[str, list[str]], windows: dict[str, Span],
                     pairs: list[tuple[str, str | None]],
                     cur: Span) -> tuple[dict[str, pd.DataFrame | None], np.ndarray | None]:
    """Net sales per value of each dimension in each mix window (None where the orders lack the dimension),
    with the value's first position in the data where two kept values tie (the order pandas' factorize
    gave); and net sales per product in the KPI window (None when the orders hold no product id or name).

    Parameters
    ----------
    orders : ir.Table
        Order lines.
    prof : Profile
        What the orders hold.
    filters : dict[str, list[str]]
        Dimension -> chosen values.
    windows : dict[str, Span]
        Window name -> (first, last day).
    pairs : list[tuple[str, str | None]]
        (window, base window) pairs whose ties matter.
    cur : Span
        The KPI window.

    Returns
    -------
    tuple[dict[str, pd.DataFrame | None], np.ndarray | None]
        Dimension -> frame (``value``, ``rank``, one column per window) or None; net sales per product or
        None.
    """
    specs = {dim: (dim, windows, False) for dim in DIMS if dim in prof.present}
    if prof.product_col in prof.present:
        specs["__product__"] = ("product", {"cur": cur}, True)
    if not specs:
        return {dim: None for dim in DIMS}, None
    spans = [w for _c, wins, _d in specs.values() for w in wins.values()]
    keep = {"day", "net", *filters, *(col for col, _w, _d in specs.values())}
    nets = q.value_nets(lines(orders, prof, spans=spans, keep=keep), filters, specs)
    out: dict[str, pd.DataFrame | None] = {}
    for dim in DIMS:
        if dim not in nets:
            out[dim] = None
            continue
        f = nets[dim]
        f["value"] = f["value"].astype(object).where(f["value"].notna(), None)
        if any(has_ties(f, c, b) for c, b in pairs):
            ranks = q.first_seen(orders, dim, orders.order_date.notnull())
            f["rank"] = [ranks.get(v, 0) if v is not None else 0 for v in f["value"]]
        else:  # no two kept values are equal: their order in the data does not matter
            f["rank"] = np.arange(len(f), dtype=np.int64)
        f["rank"] = f["rank"].astype(np.int64)
        out[dim] = f
    products = nets["__product__"]["cur"].to_numpy(dtype=float) if "__product__" in nets else None
    return out, products


def kpi_windows(dd: dict[str, np.ndarray], d0: int,
                cur: Span) -> tuple[dict[str, tuple[int, int, int]], dict[str, dict], dict[str, tuple]]:
    """The windows of the KPIs for every grain and comparison: "cur", the comparisons the data reaches back
    to ("prev", "yoy") and the two windows the findings compare, whose buyers are new from their first
    line's day: ``find_cur@KEY`` / ``find_base@KEY``, KEY being the comparison when the data reaches back to
    it (the KPI window against it) and, when a comparison does not, each grain (its last two whole periods).
    Returns the windows as (start, end, new_from), their additive sums from the daily totals and the
    findings' windows and label per KEY.

    Parameters
    ----------
    dd : dict[str, np.ndarray]
        :func:`dense_daily`.
    d0 : int
        Day number of the arrays' first day.
    cur : Span
        The KPI window.

    Returns
    -------
    tuple[dict[str, tuple[int, int, int]], dict[str, dict], dict[str, tuple]]
        The windows, their sums and the findings' windows (KEY -> (current, base, label)).
    """
    cur_s, cur_e = cur
    spans: dict[str, tuple[int, int, int]] = {"cur": (cur_s, cur_e, cur_s)}
    for kind in COMPARES:
        cs, ce = comparison_window(cur_s, cur_e, kind)
        if cs >= d0:
            spans[kind] = (cs, ce, cs)
    finds: dict[str, tuple] = {}
    for kind in COMPARES:
        if kind in spans:
            finds[kind] = findings_windows(cur_s, cur_e, "month", kind, spans[kind][:2])  # grain unused
    if any(kind not in spans for kind in COMPARES):
        for grain in GRAINS:
            find = findings_windows(cur_s, cur_e, grain, "prev", None)
            if find is not None:
                finds[grain] = find
    sums = {name: window_sums(dd, d0, s, e) for name, (s, e, _nf) in spans.items()}
    for key, find in finds.items():
        for name, (s, e) in ((f"find_cur@{key}", find[0]), (f"find_base@{key}", find[1])):
            sums[name] = window_sums(dd, d0, s, e)
            spans[name] = (s, e, sums[name]["first_line_day"])
    return spans, sums, finds


def order_aggregates(orders: ir.Table, prof: Profile, filters: dict[str, list[str]],
                     spans: dict[str, tuple[int, int, int]],
                     cur: Span) -> tuple[list[dict[str, int]], dict[str, pd.DataFrame], np.ndarray]:
    """The distinct counts (orders, buyers, repeat and new buyers) per window and per period of every grain
    in the KPI window, and net sales per customer in it, from the windows' lines folded to (order, customer,
    day) (one query; windows with the same days and new-buyer day are counted once).

    Parameters
    ----------
    orders : ir.Table
        Order lines.
    prof : Profile
        What the orders hold.
    filters : dict[str, list[str]]
        Dimension -> chosen values.
    spans : dict[str, tuple[int, int, int]]
        Window name -> (first day, last day, new-buyer day).
    cur : Span
        The KPI window.

    Returns
    -------
    tuple[list[dict[str, int]], dict[str, pd.DataFrame], np.ndarray]
        Counts per window (in the order of ``spans``), per grain per period, and net sales per customer
        (see :func:`analytics.market.kpis.order_counts`).
    """
    uniq = list(dict.fromkeys(spans.values()))
    days = [(s, e) for s, e, _nf in uniq]
    in_windows = lines(orders, prof, with_order=True, spans=days, keep={"day", "ret", "net", "cust", *filters})
    every = lines(orders, prof, keep={"day", "ret", "cust"})
    od = q.order_days(in_windows, every, filters, cur)
    counts, periods, customers = q.order_counts(od, uniq, GRAINS, cur)
    return [counts[uniq.index(w)] for w in spans.values()], periods, customers


def new_products_of(orders: ir.Table, prof: Profile, filters: dict[str, list[str]], cur: Span) -> dict:
    """GROW's extension: identified buyers' gross sales in the KPI window on products first sold in it, and
    how many such products sold (:func:`analytics.market.kpis.new_product_sales`, one query).

    Parameters
    ----------
    orders : ir.Table
        Order lines.
    prof : Profile
        What the orders hold.
    filters : dict[str, list[str]]
        Dimension -> chosen values.
    cur : Span
        The KPI window.

    Returns
    -------
    dict
        ``sales`` and ``products``.
    """
    in_cur = lines(orders, prof, spans=[cur], keep={"day", "amount", "ret", "cust", "product", *filters})
    every = lines(orders, prof, keep={"day", "ret", "product"})
    return q.new_product_sales(in_cur, every, filters, cur)


def mix_windows(spans: dict[str, tuple[int, int, int]],
                finds: dict[str, tuple]) -> tuple[dict[str, Span], list[tuple[str, str | None]]]:
    """The windows of the mix for every grain and comparison: the KPI window, each comparison the data
    reaches back to and the findings' windows of the grains (when a comparison does not); with the (window,
    base window) pairs whose ties matter in some view (:meth:`MarketFit.view`).

    Parameters
    ----------
    spans : dict[str, tuple[int, int, int]]
        The KPI windows (:func:`kpi_windows`).
    finds : dict[str, tuple]
        The findings' windows per comparison or grain.

    Returns
    -------
    tuple[dict[str, Span], list[tuple[str, str | None]]]
        The windows and the pairs.
    """
    wins: dict[str, Span] = {"cur": spans["cur"][:2]}
    pairs: list[tuple[str, str | None]] = []
    for kind in COMPARES:
        if kind in spans:
            wins[kind] = spans[kind][:2]
            pairs.append(("cur", kind))
        elif ("cur", None) not in pairs:
            pairs.append(("cur", None))
    for key, find in finds.items():
        if key in GRAINS:
            wins[f"find_cur@{key}"], wins[f"find_base@{key}"] = find[0], find[1]
            pairs.append((f"find_cur@{key}", f"find_base@{key}"))
    return wins, pairs


def forecast_of(daily_net: np.ndarray, d0: int, end: int, grain: str,
                horizon: int) -> tuple[str, np.ndarray, np.ndarray, list[str], dict]:
    """The forecast on whole weeks (day and week grains) or months up to the window's end: its grain, the
    history's period keys and net sales, the incomplete periods left out, and the model's output.

    Parameters
    ----------
    daily_net : np.ndarray
        Net sales per day.
    d0 : int
        Day number of ``daily_net[0]``.
    end : int
        Last day of the window.
    grain : str
        The page's grain.
    horizon : int
        Periods to forecast.

    Returns
    -------
    tuple[str, np.ndarray, np.ndarray, list[str], dict]
        (grain, keys, values, dropped periods, :func:`analytics.market.forecast.forecast_series`).
    """
    fgrain = "month" if grain == "month" else "week"
    keys, vals, dropped = forecast_input(daily_net, d0, end, fgrain)
    fc = forecast_series(vals, fgrain, horizon) if vals.size else too_short(0, fgrain)
    return fgrain, keys, vals, dropped, fc


def resolve_calendar(orders: ir.Table, prof: Profile, asked: str) -> str:
    """The festival calendar: the one asked for, or with "auto" the one the data's own words suggest
    (:func:`analytics.calendar.detect_calendar` on the largest channels, regions and categories).

    Parameters
    ----------
    orders : ir.Table
        Order lines.
    prof : Profile
        What the orders hold.
    asked : str
        "auto" or a calendar key.

    Returns
    -------
    str
        The calendar key.
    """
    if asked != "auto":
        return asked
    from analytics.calendar import detect_calendar

    dims = [d for d in ("channel", "region", "category") if d in prof.present]
    lists = q.option_lists(orders, dims, 20) if dims else {}
    values: list[str] = [v for d in dims for v in lists[d]]
    return detect_calendar(values)


def fit(tables: dict[str, ir.Table], params: dict) -> MarketFit:
    """Every number of the market overview from the engine tables (``tables["orders"]``, optionally
    ``tables["market"]``) and the page parameters (PARAMS plus "start" / "end"); no text, no language.

    Each query the engine runs is an aggregation (per day, per window, per period, per dimension value, per
    product, per customer, per campaign day, per month of the market data) or one row of counts; the lines
    never leave the engine. The refusals (no orders, no line matches the filters, an empty window) are
    returned as ``refusal`` for :func:`present` to raise in the reader's language.

    Grain and comparison are display parameters: one fit holds what every grain (day, week, month) and both
    comparisons (previous period, same period last year) need, in the same queries (the windows of both
    comparisons and the periods of the three grains are filters of one folded CTE; the mix adds the other
    comparison's window to its spans), and the forecasts of both forecast grains (week, month).
    :meth:`MarketFit.view` picks one grain and comparison; ``fit`` returns the view of ``params``' grain and
    comparison (the page's parameters without them: month against the previous period).

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table (``orders``, optionally ``market``).
    params : dict
        The page's parameters.

    Returns
    -------
    MarketFit
        The fit (with ``refusal`` set when the question cannot be answered).
    """
    p = options(params)
    grain, compare, horizon = p["grain"], p["compare"], p["horizon"]  # grain, compare: the view returned
    head = dict(grain=grain, compare=compare, horizon=horizon)
    orders = tables.get("orders")
    if orders is None:
        return MarketFit(**head, refusal="market.error.no_orders")
    orders, money = measure(orders)  # an export without amounts: units (quantity) are the measure
    head["has_money"] = money
    asked = {dim: [str(v) for v in p[dim]] for dim in DIMS if p.get(dim)}
    prof, daily = q.scan(orders, {d: v for d, v in asked.items() if d in orders.columns})
    if prof.dated == 0:
        return MarketFit(**head, refusal="market.error.no_orders")
    d0, d1 = int(prof.data_min), int(prof.data_max)
    filters = {d: v for d, v in asked.items() if d in prof.present}
    head.update(dropped_no_date=prof.rows - prof.dated, data_min=d0, data_max=d1, filters=filters,
                ignored_filters=tuple(d for d in asked if d not in filters))
    if daily.empty:
        return MarketFit(**head, refusal="market.error.no_match")

    s_req, e_req = to_day(p.get("start")), to_day(p.get("end"))
    cur_s = max(s_req, d0) if s_req is not None else d0
    cur_e = min(e_req, d1) if e_req is not None else d1
    head.update(cur_s=cur_s, cur_e=cur_e)
    if cur_s > cur_e:
        return MarketFit(**head, refusal="market.error.empty_window")
    dd = dense_daily(daily, d0, d1)
    cur = (cur_s, cur_e)
    spans, sums, finds = kpi_windows(dd, d0, cur)
    counts, periods, customers = order_aggregates(orders, prof, filters, spans, cur)
    windows = pd.DataFrame([{"name": name, "start": s, "end": e, "new_from": nf, **sums[name], **c}
                            for (name, (s, e, nf)), c in zip(spans.items(), counts)]).set_index("name")
    by_period = {g: by_period_frame(dd, d0, periods[g], g, cur_s, cur_e) for g in GRAINS}
    new_products = (new_products_of(orders, prof, filters, cur) if money and prof.product_col in prof.present
                    and any(kind in spans for kind in COMPARES) else None)
    mix, products = mix_and_products(orders, prof, filters, *mix_windows(spans, finds), cur)
    product_key = prof.product_col if prof.product_col in orders.columns else None
    par = pareto_block(products, customers, product_key)
    per_day = (q.campaign_days(lines(orders, prof, keep={"day", "campaign", *filters}), filters)
               if "campaign" in prof.present else None)
    calendar = resolve_calendar(orders, prof, p["calendar"])
    promos = tuple(promo_windows(cur_s, cur_e, per_day, calendar))
    ms = (market_share(market_months(tables.get("market"), s_req, e_req, filters.get("category")), dd["net"], d0, d1)
          if money else None)  # units against a market size in money would be no share
    forecasts = {fg: forecast_of(dd["net"], d0, cur_e, fg, horizon)[1:] for fg in ("week", "month")}

    full = MarketFit(
        **head, all_windows=windows, by_period_of=by_period, mix_all=mix, pareto=par, daily_net=dd["net"],
        promo_windows=promos, market_share=ms, forecasts=forecasts,
        find_labels={key: find[2] for key, find in finds.items()}, calendar=calendar, any_new_products=new_products)
    return full.view(grain, compare)

