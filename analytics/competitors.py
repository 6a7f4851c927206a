"""Competitor tracking: what competitors are doing with prices and promotions (issue 4, DESIGN.md §4).

Definitions (also in ``locales/competitors.json`` as ``metric.*``)
-----------------------------------------------------------------
* Own prices: the rows of the own brand in the competitor data (``own`` parameter; by default a
  competitor value such as "own", "本品", "我方"), else the prices paid in the orders (amount / quantity of
  sale lines, unit price when there is no quantity).
* Price index per week and product (or category, when no product names match) = own price / competitor
  price x 100, where competitor price = mean over competitors of each competitor's mean price that week
  (every competitor counts once, however often it was observed). 100 = at par; below 100 = cheaper.
* Discount depth = 1 - price / list_price (observations with a positive list price).
* Promotion frequency = share of observations whose promo field names a promotion (not empty, "0",
  "no", "none", "无", "否").
* Price-move event: an observation of a competitor x product whose price differs from the median of that
  series' prices in the trailing ``window`` days (the observation itself excluded) by ``threshold`` or
  more; consecutive flagged observations moving the same way are one event (the first is listed).
* Cross-price elasticity: OLS of log(own weekly volume) on log(competitor weekly price level), with a
  linear trend and, when own prices vary, log(own weekly price) as controls; Newey-West (HAC) standard
  errors for the autocorrelation of weekly series, 95% CI. Festivals and own campaigns move every brand's
  prices and our demand at the same time (a spurious negative link), so the regression uses the quiet
  weeks only (no calendar festival day, under 5% of own lines in a campaign) when there are 12 of them;
  otherwise all weeks with the festival-day share and campaign share as controls. The competitor price level of a week is the
  mean over competitor x product series of price / that series' median price (a product-mix-free index).
  Own volume: units of sale lines in the orders (net sales when there are no quantities) of the matching
  products or categories, whole weeks only. Not claimed with fewer than 12 overlapping weeks or when
  competitor prices barely move (sd of log price level < 0.01).

On the engine (issue 13): :func:`fit` aggregates the order lines in the engine (own prices paid per week
and product / category, own weekly volume and campaign share, the distinct values matched against the
competitor data) and materialises the usable competitor observations, a small kind whose rows the price
moves and the competitor table need (:func:`observations`); the result is a :class:`CompetitorFit` (no
text), which :func:`present` turns into the page's result in one language. :func:`compute` is both.
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings as _warnings
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics.common import NotEnoughData, filter_dates, jsonable
from analytics.i18n import fmt_date, fmt_money, fmt_number, fmt_pct, t
from analytics.params import Param
from analytics.expr import fsum, in_dates
from analytics.expr import rows as line_count
from data import engine

PAGE = "competitor-tracking"
KINDS = {"competitors": True, "orders": False}
PARAMS = [
    Param("own", "str", None, help="competitors.param_help.own"),
    Param("threshold", "float", 0.10, min=0.01, max=0.9, help="competitors.param_help.threshold"),
    Param("window", "int", 28, min=7, max=365, help="competitors.param_help.window"),
    Param("product", "list", None, help="competitors.param_help.product"),
    Param("category", "list", None, help="competitors.param_help.category"),
]
FIT_PARAMS = tuple(p.key for p in PARAMS)  # every parameter changes the numbers

OWN_MARKERS = {"own", "ours", "our brand", "our store", "us", "self", "本品", "我方", "自有", "自有品牌", "自营",
               "本店", "我们", "我司"}
NO_PROMO = {"", "0", "no", "none", "nan", "null", "false", "n", "-", "无", "否", "没有"}
MIN_WEEKS = 12
MIN_LOG_SD = 0.01
QUIET_CAMPAIGN = 0.05
TREND_METRICS = ("price", "discount", "rating", "reviews", "followers", "share")
MAX_SERIES_CHART = 8
EPS = 1e-9


def norm(s: Any) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(s)).casefold()).strip()


def norm_col(s: pd.Series) -> pd.Series:
    """``norm`` of every value, computed once per distinct value."""
    u = s.dropna().unique()
    return s.map(dict(zip(u, (norm(v) for v in u))))


def week_start(d: pd.Series) -> pd.Series:
    d = pd.to_datetime(d).dt.normalize()
    return d - pd.to_timedelta(d.dt.day_of_week, unit="D")


def _has(df: pd.DataFrame | None, col: str) -> bool:
    return df is not None and col in df.columns and df[col].notna().any()


def promo_flag(s: pd.Series) -> pd.Series:
    txt = s.astype("str").str.strip().str.casefold()
    return s.notna() & ~txt.isin(NO_PROMO)


YES = {"yes", "y", "true", "1", "是", "本品", "own", "x", "✓"}


def own_attr_columns(columns) -> list[str]:
    """The attribute columns whose name says they flag the own brand (own, is_own, own_brand, 本品, 自有)."""
    out = []
    for col in columns:
        if not str(col).startswith("attr_"):
            continue
        name = norm(str(col)[5:]).replace("_", " ")
        if "own" in name.split() or "本品" in name or "自有" in name or name in ("is own", "own brand", "ours"):
            out.append(str(col))
    return out


def _flagged(counts: pd.DataFrame) -> str | None:
    """The one competitor all of whose lines are flagged while no other competitor's are, from the lines
    per competitor (``name``) and flag value (``v``) in ``counts`` (column ``n``)."""
    flag = counts["v"].map(lambda v: norm(v) in YES if pd.notna(v) else False).astype(bool)
    if not flag.any():
        return None
    per = counts.assign(f=counts["n"] * flag).groupby("name")[["f", "n"]].sum()
    hits = per.index[per["f"] == per["n"]]
    if len(hits) == 1 and (per.loc[per["f"] != per["n"], "f"] == 0).all():
        return str(hits[0])
    return None


def own_from_flag(df: pd.DataFrame) -> str | None:
    """The own brand from an attribute column flagging it (e.g. ``attr_own_brand`` = yes / 是): the one
    competitor value whose rows are all flagged, when exactly one is."""
    for col in own_attr_columns(df.columns):
        counts = (df.groupby([df["competitor"], df[col]], dropna=False).size().rename("n").reset_index()
                  .set_axis(["name", "v", "n"], axis=1))
        hit = _flagged(counts.loc[counts["name"].notna()])
        if hit is not None:
            return hit
    return None


# ---------------------------------------------------------------- events


def price_events(obs: pd.DataFrame, threshold: float = 0.10, window: int = 28) -> pd.DataFrame:
    """Price-move events in ``obs`` (columns date, competitor, product, price; product may be NA).

    Returns one row per event: date, competitor, product, price, reference_price, change_pct, direction.
    """
    cols = ["date", "competitor", "product", "price", "reference_price", "change_pct", "direction"]
    if obs is None or obs.empty:
        return pd.DataFrame(columns=cols)
    df = obs[["date", "competitor", "product", "price"]].copy()
    df["product"] = df["product"].astype("str").where(df["product"].notna(), "")
    df["date"] = pd.to_datetime(df["date"]).dt.normalize()
    df = df.groupby(["competitor", "product", "date"], as_index=False, sort=True)["price"].mean()
    ref = (df.set_index("date").groupby(["competitor", "product"], sort=False)["price"]
           .rolling(f"{int(window)}D", closed="left").median())
    df = df.set_index(["competitor", "product", "date"])
    df["reference_price"] = ref.reindex(df.index)
    df = df.reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        df["change_pct"] = df["price"] / df["reference_price"] - 1
    flag = df["change_pct"].abs() >= threshold - EPS
    sign = np.sign(df["change_pct"]).where(flag, 0)
    same = (df["competitor"] == df["competitor"].shift()) & (df["product"] == df["product"].shift())
    prev_sign = sign.shift().where(same, 0)
    start = flag & (sign != prev_sign)
    ev = df.loc[start].copy()
    ev["direction"] = np.where(ev["change_pct"] < 0, "cut", "rise")
    ev["product"] = ev["product"].replace("", None)
    return ev[cols].sort_values(["date", "competitor", "product"]).reset_index(drop=True)


# ---------------------------------------------------------------- price index


def price_index(own: pd.DataFrame, rivals: pd.DataFrame, key: str) -> pd.DataFrame:
    """Weekly price index per ``key`` value. ``own``: columns period, key, own_price (one row per
    period x key). ``rivals``: rows with period, key, competitor, price (raw observations)."""
    per_comp = rivals.groupby(["period", key, "competitor"], as_index=False)["price"].mean()
    comp = per_comp.groupby(["period", key], as_index=False).agg(competitor_price=("price", "mean"),
                                                                   competitors=("competitor", "nunique"))
    out = own.merge(comp, on=["period", key], how="inner")
    out = out.loc[(out["competitor_price"] > 0) & (out["own_price"] > 0)]
    out["index"] = out["own_price"] / out["competitor_price"] * 100
    return out.rename(columns={key: "key"}).sort_values(["key", "period"]).reset_index(drop=True)


def _num(t: ir.Table, col: str) -> ir.FloatingValue:
    return t[col].cast("float64") if col in t.columns else ibis.null("float64")


def _text(t: ir.Table, col: str) -> ir.StringValue:
    return t[col].cast("string") if col in t.columns else ibis.null("string")


def _has_t(t: ir.Table | None, col: str) -> bool:
    """Whether the engine table has column ``col`` with at least one value."""
    return t is not None and col in t.columns and int(engine.scalar(t[col].count())) > 0


def sale_lines(orders: ir.Table) -> ir.Table:
    """The dated sale lines of the orders (``is_return`` false) with the columns used here: date, amount,
    quantity, campaign and the matching keys (product name / id, category)."""
    o = orders.filter(orders.order_date.notnull())
    if "is_return" in o.columns:
        o = o.filter(~o.is_return.cast("boolean").fill_null(False))
    return o.select(date=o.order_date, amount=_num(o, "amount"), quantity=_num(o, "quantity"),
                    unit_price=_num(o, "unit_price"), campaign=_text(o, "campaign"),
                    **{k: _text(o, k) for _, k in ORDER_KEYS})


def own_sale_lines(orders: ir.Table) -> ir.Table:
    """Sale lines with a positive price paid, as an engine expression: columns date, amount, qty (units,
    missing unless positive), price (amount / quantity, the unit price when there is no quantity),
    product_name, product_id, category."""
    o = sale_lines(orders)
    qty = o.quantity
    paid = ibis.ifelse(qty > 0, o.amount / qty, ibis.null("float64"))
    price = paid.coalesce(o.unit_price)
    out = o.select(date=o.date, amount=o.amount, qty=ibis.ifelse(qty > 0, qty, ibis.null("float64")), price=price,
                   product_name=o.product_name, product_id=o.product_id, category=o.category)
    return out.filter(out.price > 0)


def _match(own_vals: pd.Series, riv_vals: pd.Series) -> set[str]:
    a = {norm(v) for v in own_vals.dropna().unique()}
    b = {norm(v) for v in riv_vals.dropna().unique()}
    return a & b


ORDER_KEYS = (("product", "product_name"), ("product", "product_id"), ("category", "category"))


def match_orders(orders: "ir.Table | pd.DataFrame", rivals: pd.DataFrame) -> tuple[str, str, set[str], list[str]] | None:
    """(competitor column, orders column, matching normalised values, the orders' own values that match):
    products by name or id first, then categories; None when nothing matches. The orders' distinct values
    come from the engine (``orders``: an engine table; a frame is registered first)."""
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
    raw values with the same normalised form are added up here."""
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


# ---------------------------------------------------------------- elasticity


def cross_elasticity(volume: pd.Series, comp_level: pd.Series, own_price: pd.Series | None = None,
                     festival: pd.Series | None = None, campaign: pd.Series | None = None) -> dict:
    """log-log OLS of weekly own volume on the competitor price level (both indexed by week start).

    Returns {"value", "ci_low", "ci_high", "n", "p_value", "controls", "points"} or {"value": None,
    "reason": i18n key, "n": ...}."""
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


def _pct_effect(e: float, move: float = -0.10) -> float:
    """Volume change implied by elasticity ``e`` for a competitor price change ``move``."""
    return (1 + move) ** e - 1


def reading(el: dict, lang: str) -> str:
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
        text += " " + t(f"competitors.elasticity.sample_{el['sample']}", lang, n=n, x=el.get("weeks_excluded", 0))
    return text


def price_level(rivals: pd.DataFrame) -> pd.Series:
    """Weekly competitor price level: mean over competitor x product series of price / series median."""
    r = rivals.copy()
    r["series"] = r["competitor"].astype("str") + "\u0001" + r["product"].astype("str").where(r["product"].notna(), "")
    med = r.groupby("series")["price"].transform("median")
    r["rel"] = r["price"] / med
    per = r.groupby(["period", "series"])["rel"].mean()
    return per.groupby(level="period").mean()


# ---------------------------------------------------------------- fit


def _latest(df: pd.DataFrame, col: str) -> pd.Series:
    d = df.loc[df[col].notna(), ["competitor", "date", col]].sort_values("date")
    return d.groupby("competitor")[col].last()


def _first(df: pd.DataFrame, col: str) -> pd.Series:
    d = df.loc[df[col].notna(), ["competitor", "date", col]].sort_values("date")
    return d.groupby("competitor")[col].first()


@dataclass(frozen=True)
class CompetitorFit:
    """Competitor tracking's numbers before any text (language-free; :func:`present` writes the findings,
    warnings and the elasticity's reading). Shared between sessions and languages: treat it as read-only.

    Attributes
    ----------
    threshold : float
        Price-move threshold (share of the reference price).
    window : int
        Trailing window of the reference price, days.
    own : dict
        ``source`` ("brand": the own brand's rows in the competitor data; "orders": prices paid in the
        orders; None), ``name`` (the own brand, or None) and ``match_by`` ("product", "category", "all" or
        None).
    filters : dict of str to list of str
        The product / category filters applied.
    own_param : str or None
        The ``own`` parameter as given (named when it matches no competitor).
    price_index : pandas.DataFrame
        One row per week (``period``, Monday) and key (``key``: product or category label, or "all"):
        own_price, competitor_price (mean over competitors of each one's mean price), competitors (count)
        and index (own / competitor x 100), sorted by key and week.
    price_index_summary : list of dict
        Per key: weeks, latest_period, latest_index, mean_index; highest latest index first.
    events : list of dict
        Competitors' price moves: date, in_festival, competitor, product, price, reference_price,
        change_pct, direction and (when the data has promotions) promo.
    competitors : list of dict
        One row per competitor (own brand last): observations, products, first_seen, last_seen, avg_price,
        avg_discount, promo_share, latest values and changes of rating / reviews / followers / share /
        sales_volume where present, events, is_own.
    trends : dict of str to list of dict
        Per metric (price, discount, rating, reviews, followers, share): the weekly mean per competitor
        (period, competitor, value).
    price_timeline : list of dict
        Daily mean price of the competitor x product series shown in the chart (those with the most events
        and observations): date, competitor, product, price, promo.
    elasticity : dict or None
        The cross-price elasticity (value, ci_low, ci_high, n, p_value, controls, hac_lags, zero_weeks,
        sample, weeks_overlap, weeks_excluded, own_price_elasticity, points, measure); None when not claimed.
    elasticity_refusal : tuple of (str, dict) or None
        Why there is no elasticity: the i18n key and its values.
    own_vs_competitors : dict or None
        Own weekly volume next to the competitor price level and the week's price cuts and rises
        (``measure``, ``weeks``); None without own volume.
    notes : tuple of (str, dict)
        The warnings in order: i18n key and raw values (a count, a dimension name, the own parameter).
    """

    threshold: float
    window: int
    own: dict
    filters: dict
    own_param: str | None = None
    price_index: pd.DataFrame = field(default_factory=pd.DataFrame)
    price_index_summary: list = field(default_factory=list)
    events: list = field(default_factory=list)
    competitors: list = field(default_factory=list)
    trends: dict = field(default_factory=dict)
    price_timeline: list = field(default_factory=list)
    elasticity: dict | None = None
    elasticity_refusal: tuple | None = None
    own_vs_competitors: dict | None = None
    notes: tuple = ()


def observations(comp: ir.Table) -> tuple[pd.DataFrame, int]:
    """The usable competitor observations (a date, a competitor and a positive price), materialised from the
    engine in their stored order with the columns this page uses, and the number of lines left out.

    Competitor data is a small kind (observations per competitor x product x day), and the page needs its
    rows: price moves compare each observation with the trailing median of its series, the competitor table
    takes each competitor's first and last observed values, and the own brand can be flagged per row."""
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


def fit(tables: dict[str, ir.Table], params: dict) -> CompetitorFit:
    """Every number of competitor tracking from the engine tables (``tables``: competitors, optionally
    orders). The order lines never leave the engine: own prices paid per week and key, own weekly volume and
    campaign share, and the distinct product / category values the matching needs are aggregated there.
    Raises ``NotEnoughData`` when there is nothing to track."""
    p = {pp.key: pp.default for pp in PARAMS}
    p.update({k: v for k, v in (params or {}).items() if v is not None})
    threshold = float(p["threshold"])
    window = int(p["window"])
    comp = tables.get("competitors")
    if comp is None or not line_count(comp):
        raise NotEnoughData("competitors.error.no_data")
    notes: list[tuple[str, dict]] = []
    df, dropped = observations(comp)
    if dropped:
        notes.append(("competitors.warning.dropped", {"n": dropped}))
    filters: dict[str, list] = {}
    for dim in ("product", "category"):
        vals = p.get(dim)
        if not vals:
            continue
        if not df[dim].notna().any():
            notes.append(("competitors.warning.filter_ignored", {"dim": dim}))
            continue
        df = df.loc[df[dim].isin([str(v) for v in vals]).to_numpy(dtype=bool, na_value=False)]
        filters[dim] = [str(v) for v in vals]
    df = filter_dates(df, "date", p.get("start"), p.get("end"))
    if df.empty:
        raise NotEnoughData("competitors.error.no_match")
    df["period"] = week_start(df["date"])

    own_name, own_notes = own_brand(df, p.get("own"))
    notes += own_notes
    orders = tables.get("orders")
    if orders is not None:
        orders = in_dates(orders, "order_date", p.get("start"), p.get("end"))
        if not line_count(orders):
            orders = None
    own_rows = df.loc[df["competitor"] == own_name] if own_name else df.iloc[0:0]
    rivals = df.loc[df["competitor"] != own_name] if own_name else df
    if rivals.empty:
        raise NotEnoughData("competitors.error.no_rivals")
    own_lines = None
    if own_name:
        own_source = "brand"
    elif orders is not None:
        own_lines = own_sale_lines(orders)
        if filters.get("category") and _has_t(own_lines, "category"):
            own_lines = own_lines.filter(own_lines.category.isin(filters["category"]).fill_null(False))
        own_source = "orders" if line_count(own_lines) else None
    else:
        own_source = None

    pi, match_by, pi_notes = index_table(own_source, own_rows, rivals, own_lines)
    notes += pi_notes
    summary = index_summary(pi)

    # discount, promo
    with np.errstate(divide="ignore", invalid="ignore"):
        df["discount"] = (1 - df["price"] / df["list_price"]).where(df["list_price"] > 0)
    df["is_promo"] = promo_flag(df["promo"]) if df["promo"].notna().any() else np.nan
    if not df["list_price"].notna().any():
        notes.append(("competitors.warning.no_list_price", {}))
    rivals = df.loc[df["competitor"] != own_name] if own_name else df

    ev, events = event_rows(rivals, threshold, window, bool(df["promo"].notna().any()))
    series_obs = rivals.groupby(["competitor", rivals["product"].astype("str").where(rivals["product"].notna(), "")]).size()
    if len(series_obs) and (series_obs < 3).mean() > 0.5:
        notes.append(("competitors.warning.sparse_series", {}))
    competitors = competitor_table(df, ev, own_name)
    trends = trend_rows(df)
    timeline = timeline_rows(rivals, ev)

    el, el_refusal, el_notes, weekly = _elasticity(orders, own_rows, rivals)
    notes += el_notes
    return CompetitorFit(
        threshold=threshold, window=window, own={"source": own_source, "name": own_name, "match_by": match_by},
        filters=filters, own_param=p.get("own"), price_index=pi, price_index_summary=summary, events=events,
        competitors=competitors, trends=trends, price_timeline=timeline, elasticity=el,
        elasticity_refusal=el_refusal, own_vs_competitors=_own_vs_moves(weekly, events), notes=tuple(notes))


def own_brand(df: pd.DataFrame, own_param: str | None) -> tuple[str | None, list]:
    """The own brand among the competitors: the ``own`` parameter (matched case- and width-insensitively),
    else a competitor named like "own" / "本品", else the one flagged by an attribute column."""
    names = pd.Series(df["competitor"].unique())
    notes: list = []
    own_name = None
    if own_param:
        hit = names[names.map(norm) == norm(own_param)]
        if len(hit):
            own_name = str(hit.iloc[0])
        else:
            notes.append(("competitors.warning.own_not_found", {"own": own_param}))
    else:
        hit = names[names.map(norm).isin(OWN_MARKERS)]
        own_name = str(hit.iloc[0]) if len(hit) else own_from_flag(df)
    return own_name, notes


def index_table(own_source: str | None, own_rows: pd.DataFrame, rivals: pd.DataFrame,
                own_lines: ir.Table | None) -> tuple[pd.DataFrame, str | None, list]:
    """The weekly price index (see :func:`price_index`), what it matched on and its warnings. Own prices:
    the own brand's rows (``own_source`` "brand") or the prices paid in the own sale lines (engine
    expression ``own_lines``, aggregated there per week and key)."""
    notes: list = []
    pi = pd.DataFrame(columns=["period", "key", "own_price", "competitor_price", "competitors", "index"])
    match_by = None
    if own_source == "brand":
        for key in ("product", "category"):
            m = _match(own_rows[key], rivals[key])
            if m:
                match_by = key
                o = own_rows.assign(k=norm_col(own_rows[key])).loc[lambda d: d["k"].isin(m)]
                r = rivals.assign(k=norm_col(rivals[key])).loc[lambda d: d["k"].isin(m)]
                label = o.groupby("k")[key].first()
                own_w = o.groupby(["period", "k"], as_index=False).agg(own_price=("price", "mean"))
                pi = price_index(own_w, r, "k")
                pi["key"] = pi["key"].map(label)
                break
        if match_by is None:
            match_by = "all"
            own_w = own_rows.groupby("period", as_index=False).agg(own_price=("price", "mean")).assign(k="all")
            pi = price_index(own_w, rivals.assign(k="all"), "k")
    elif own_source == "orders":
        mt = match_orders(own_lines, rivals)
        if mt:
            rkey, okey, m, raw = mt
            match_by = rkey
            o = own_lines.filter(own_lines[okey].isin(raw))
            r = rivals.assign(k=norm_col(rivals[rkey])).loc[lambda d: d["k"].isin(m)]
            label = r.groupby("k")[rkey].first()
            pi = price_index(own_weekly_price(o, okey), r, "k")
            pi["key"] = pi["key"].map(label)
        if match_by is None:
            match_by = "all"
            notes.append(("competitors.warning.no_match_all", {}))
            pi = price_index(own_weekly_price(own_lines, None), rivals.assign(k="all"), "k")
    else:
        notes.append(("competitors.warning.no_own", {}))
    if own_source and pi.empty:
        notes.append(("competitors.warning.no_overlap", {}))
    return pi, match_by, notes


def index_summary(pi: pd.DataFrame) -> list[dict]:
    """Per key: weeks, latest week and index, mean index; highest latest index first."""
    summary = []
    if not pi.empty:
        for k, g in pi.groupby("key", sort=False):
            g = g.sort_values("period")
            summary.append({"key": str(k), "weeks": int(len(g)), "latest_period": g["period"].iloc[-1].date().isoformat(),
                            "latest_index": float(g["index"].iloc[-1]), "mean_index": float(g["index"].mean())})
        summary.sort(key=lambda r: -r["latest_index"])
    return summary


def event_rows(rivals: pd.DataFrame, threshold: float, window: int, has_promo: bool) -> tuple[pd.DataFrame, list[dict]]:
    """The competitors' price moves (:func:`price_events`) with the promotion observed that day and whether
    they fall in a calendar festival window: as a frame and as rows."""
    ev = price_events(rivals, threshold, window)
    if not ev.empty and has_promo:
        pr = rivals.assign(date=rivals["date"].dt.normalize(),
                           product=rivals["product"].astype("str").where(rivals["product"].notna(), ""))
        pr = pr.loc[pr["promo"].notna()].groupby(["competitor", "product", "date"])["promo"].first()
        keys = list(zip(ev["competitor"], ev["product"].fillna(""), ev["date"]))
        ev["promo"] = [pr.get(k) for k in keys]
    if not ev.empty:
        from analytics.calendar import calendar_windows

        inside = np.zeros(len(ev), bool)
        for w in calendar_windows(ev["date"].min().date(), ev["date"].max().date()):
            inside |= ((ev["date"] >= pd.Timestamp(w.start)) & (ev["date"] <= pd.Timestamp(w.end))).to_numpy()
        ev["in_festival"] = inside
    events = [{"date": r["date"].date().isoformat(), "in_festival": bool(r["in_festival"]), "competitor": r["competitor"], "product": r["product"],
               "price": float(r["price"]), "reference_price": float(r["reference_price"]),
               "change_pct": float(r["change_pct"]), "direction": r["direction"],
               **({"promo": r.get("promo")} if "promo" in ev.columns else {})} for _, r in ev.iterrows()]
    return ev, events


def competitor_table(df: pd.DataFrame, ev: pd.DataFrame, own_name: str | None) -> list[dict]:
    """One row per competitor: observations, products, first / last seen, mean price, discount and promotion
    share, latest values (and changes) of the tracked metrics, price moves; the own brand last."""
    g = df.groupby("competitor")
    tab = pd.DataFrame({
        "observations": g.size(),
        "products": g["product"].nunique(),
        "first_seen": g["date"].min().dt.date,
        "last_seen": g["date"].max().dt.date,
        "avg_price": g["price"].mean(),
        "avg_discount": g["discount"].mean(),
        "promo_share": g["is_promo"].mean() if df["promo"].notna().any() else np.nan,
    })
    for col in ("rating", "reviews", "followers", "share", "sales_volume"):
        if df[col].notna().any():
            tab[f"latest_{col}"] = _latest(df, col)
            if col in ("followers", "share", "rating"):
                tab[f"{col}_change"] = _latest(df, col) - _first(df, col)
    tab["events"] = pd.Series(ev.groupby("competitor").size() if not ev.empty else {}, dtype=float).reindex(tab.index).fillna(0).astype(int)
    tab["is_own"] = tab.index == own_name
    tab = tab.reset_index().sort_values(["is_own", "observations"], ascending=[True, False])
    return [{k: (None if (isinstance(v, float) and math.isnan(v)) else v) for k, v in r.items()}
            for r in tab.to_dict(orient="records")]


def trend_rows(df: pd.DataFrame) -> dict[str, list[dict]]:
    """Per tracked metric: its weekly mean per competitor."""
    trends: dict[str, list] = {}
    for col in TREND_METRICS:
        if not df[col].notna().any():
            continue
        tr = df.loc[df[col].notna()].groupby(["period", "competitor"], as_index=False)[col].mean()
        trends[col] = [{"period": r.period.date().isoformat(), "competitor": r.competitor, "value": float(getattr(r, col))}
                       for r in tr.itertuples(index=False)]
    return trends


def timeline_rows(rivals: pd.DataFrame, ev: pd.DataFrame) -> list[dict]:
    """Daily mean price per competitor x product for the chart: the series with events first (at most
    ``MAX_SERIES_CHART``), with whether a promotion was observed that day."""
    rv = rivals.assign(product=rivals["product"].astype("str").where(rivals["product"].notna(), ""))
    cnt = rv.groupby(["competitor", "product"]).size().rename("n").reset_index()
    evc = ev.assign(product=ev["product"].fillna("")).groupby(["competitor", "product"]).size().rename("ev").reset_index() \
        if not ev.empty else pd.DataFrame(columns=["competitor", "product", "ev"])
    cnt = cnt.merge(evc, on=["competitor", "product"], how="left").fillna({"ev": 0})
    top = cnt.sort_values(["ev", "n"], ascending=False).head(MAX_SERIES_CHART)
    sel = rv.merge(top[["competitor", "product"]], on=["competitor", "product"])
    sel = sel.assign(on_promo=sel["is_promo"].astype("boolean").fillna(False).astype(bool)
                     if "is_promo" in sel.columns else False)
    tl = sel.groupby(["competitor", "product", sel["date"].dt.normalize()], as_index=False).agg(
        price=("price", "mean"), on_promo=("on_promo", "max"))
    return [{"date": r.date.date().isoformat(), "competitor": r.competitor, "product": r.product or None,
             "price": float(r.price), "promo": bool(r.on_promo)} for r in tl.itertuples(index=False)]


def festival_share(weeks: pd.DatetimeIndex) -> pd.Series:
    """Share of the 7 days from each week start that fall in a calendar festival window."""
    from analytics.calendar import calendar_windows

    if len(weeks) == 0:
        return pd.Series(dtype=float)
    days = pd.date_range(weeks.min(), weeks.max() + pd.Timedelta(days=6), freq="D")
    inside = np.zeros(len(days), bool)
    for w in calendar_windows(days[0].date(), days[-1].date()):
        inside |= (days >= pd.Timestamp(w.start)) & (days <= pd.Timestamp(w.end))
    s = pd.Series(inside.astype(float), index=days)
    return s.groupby(week_start(pd.Series(days)).to_numpy()).mean().reindex(weeks)


def own_weekly_volume(o: ir.Table) -> tuple[pd.Series, str, pd.Series | None, pd.Series | None]:
    """Own weekly volume from the sale lines ``o`` (engine), aggregated there per week: units of lines with
    a positive quantity (net sales when no line has a quantity), the own price (amount / units), and the
    share of lines in a campaign. Whole weeks only (zero where a week has no line). Returns (volume,
    measure, own price or None, campaign share or None)."""
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


def _own_vs_moves(weekly: pd.DataFrame | None, events: list[dict]) -> dict | None:
    """Own weekly volume next to the competitor price level and the competitor price moves of each week
    (cuts and rises), for the page's "own sales next to competitor moves" chart."""
    if weekly is None or weekly.empty:
        return None
    cuts: dict[pd.Timestamp, int] = {}
    rises: dict[pd.Timestamp, int] = {}
    for e in events:
        wk = pd.Timestamp(e["date"]) - pd.Timedelta(days=pd.Timestamp(e["date"]).day_of_week)
        (cuts if e["change_pct"] < 0 else rises)[wk] = (cuts if e["change_pct"] < 0 else rises).get(wk, 0) + 1
    rows = [{"period": d.date().isoformat(),
             "own_volume": float(r.own_volume),
             "competitor_price_level": None if pd.isna(r.competitor_price_level) else float(r.competitor_price_level),
             "price_cuts": int(cuts.get(d, 0)), "price_rises": int(rises.get(d, 0))}
            for d, r in zip(weekly.index, weekly.itertuples(index=False))]
    return {"measure": weekly.attrs.get("measure"), "weeks": rows}


# ---------------------------------------------------------------- present


def _note(key: str, values: dict, lang: str) -> str:
    if key == "competitors.warning.dropped":
        return t(key, lang, n=fmt_number(values["n"], lang))
    if key == "competitors.warning.filter_ignored":
        return t(key, lang, dim=t(f"competitors.dim.{values['dim']}", lang))
    return t(key, lang, **values)


def present(result: CompetitorFit, params: dict, lang: str = "en") -> dict:
    """The page's result in ``lang`` from a :class:`CompetitorFit` (no engine query)."""
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
    pi_rows = [{"period": r.period.date().isoformat(), "key": str(r.key), "own_price": float(r.own_price),
                "competitor_price": float(r.competitor_price), "competitors": int(r.competitors),
                "index": float(r.index)} for r in pi.itertuples(index=False)]
    return jsonable({
        "own": dict(f.own),
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


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """The page's result from canonical frames (registered as engine tables): ``present(fit(...))``."""
    tables = engine.tables_from_frames({k: v for k, v in frames.items() if v is not None})
    return present(fit(tables, params), params, lang)


def filter_options(tables: dict[str, ir.Table], params: dict | None = None, lang: str = "en") -> dict:
    """Choices for the page's filters, from the competitor data (distinct values counted in the engine):
    competitor names (for the own-brand chooser), products and categories (sorted), and the own brand found
    automatically (or None). ``tables``: kind -> engine table (a canonical frame is registered first)."""
    comp = tables.get("competitors")
    out: dict[str, Any] = {"competitor": [], "product": [], "category": [], "detected_own": None}
    if comp is None:
        return out
    if isinstance(comp, pd.DataFrame):
        comp = engine.from_frame(comp)
    if not line_count(comp):
        return out
    for col in ("competitor", "product", "category"):
        if col in comp.columns:
            vals = engine.to_frame(comp.select(v=comp[col].cast("string")).filter(lambda d: d.v.notnull()).distinct())["v"]
            vals = vals.astype("str").str.strip() if col == "competitor" else vals.astype("str")
            out[col] = sorted(v for v in vals.unique() if v)
    names = pd.Series(out["competitor"], dtype="object")
    hit = names[names.map(norm).isin(OWN_MARKERS)] if len(names) else names
    if len(hit):
        out["detected_own"] = str(hit.iloc[0])
    elif "competitor" in comp.columns:
        out["detected_own"] = own_from_flag_counts(comp)
    return out


def own_from_flag_counts(comp: ir.Table) -> str | None:
    """:func:`own_from_flag` from the engine: per own-flag attribute column, the lines per competitor and
    value are counted there, and the flag read here per distinct value."""
    c = comp.filter(comp.competitor.notnull())
    for col in own_attr_columns(comp.columns):
        counts = engine.to_frame(c.group_by(name=c.competitor.cast("string"), v=c[col]).aggregate(n=c.count()))
        counts["name"] = counts["name"].astype("str").str.strip()
        hit = _flagged(counts) if len(counts) else None
        if hit is not None:
            return hit
    return None


# ---------------------------------------------------------------- figures


def figures(result: dict, lang: str = "en") -> list[dict]:
    import plotly.graph_objects as go

    figs: list[dict] = []
    pi = result.get("price_index") or []
    if pi:
        last = max(r["period"] for r in pi)
        latest = [r for r in pi if r["period"] == last]
        idx = sum(r["index"] for r in latest) / len(latest)
        key = "competitors.chart.index_below" if idx < 100 else "competitors.chart.index_above"
        title = t(key, lang, pct=fmt_pct(abs(idx / 100 - 1), lang, 0), idx=f"{idx:.0f}")
        keys = []
        for s in result.get("price_index_summary") or []:
            keys.append(s["key"])
        fig = go.Figure()
        for k in keys[:MAX_SERIES_CHART]:
            rows = [r for r in pi if r["key"] == k]
            fig.add_trace(go.Scatter(x=[r["period"] for r in rows], y=[r["index"] for r in rows], mode="lines+markers",
                                     name=k if k != "all" else t("competitors.label.all", lang)))
        fig.add_hline(y=100, line_dash="dot", annotation_text=t("competitors.label.par", lang))
        fig.update_layout(title=title, yaxis_title=t("competitors.label.index", lang))
        figs.append({"key": "price_index", "title": title, "figure": fig})
    tl = result.get("price_timeline") or []
    events = result.get("events") or []
    if tl:
        if events:
            big = max(events, key=lambda e: abs(e["change_pct"]))
            title = t("competitors.chart.events", lang, n=len(events), thr=fmt_pct(result.get("threshold"), lang, 0),
                      comp=big["competitor"], pct=fmt_pct(big["change_pct"], lang, 0, signed=True),
                      product=big["product"] or "—")
        else:
            title = t("competitors.chart.no_events", lang, thr=fmt_pct(result.get("threshold"), lang, 0))
        fig = go.Figure()
        series = sorted({(r["competitor"], r["product"]) for r in tl}, key=lambda s: (s[0], s[1] or ""))
        for comp, prod in series:
            rows = [r for r in tl if r["competitor"] == comp and r["product"] == prod]
            fig.add_trace(go.Scatter(x=[r["date"] for r in rows], y=[r["price"] for r in rows], mode="lines",
                                     name=f"{comp} · {prod}" if prod else comp))
        promo = [r for r in tl if r.get("promo")]
        if promo:
            fig.add_trace(go.Scatter(
                x=[r["date"] for r in promo], y=[r["price"] for r in promo], mode="markers",
                marker=dict(size=5, symbol="circle-open", color="#7f7f7f"),
                text=[f"{r['competitor']} {r['product'] or ''}" for r in promo], hoverinfo="text+x+y",
                name=t("competitors.label.on_promo", lang)))
        if events:
            fig.add_trace(go.Scatter(
                x=[e["date"] for e in events], y=[e["price"] for e in events], mode="markers",
                marker=dict(size=12, symbol=["triangle-down" if e["change_pct"] < 0 else "triangle-up" for e in events],
                            color=["#d62728" if e["change_pct"] < 0 else "#2ca02c" for e in events]),
                text=[f"{e['competitor']} {e['product'] or ''}: {fmt_pct(e['change_pct'], lang, 0, signed=True)} "
                      f"({fmt_money(e['reference_price'], lang)} → {fmt_money(e['price'], lang)})" for e in events],
                hoverinfo="text", name=t("competitors.label.events", lang)))
        fig.update_layout(title=title, yaxis_title=t("competitors.label.price", lang))
        figs.append({"key": "price_timeline", "title": title, "figure": fig})
    tr = (result.get("trends") or {}).get("discount")
    comps = [c for c in (result.get("competitors") or []) if c.get("avg_discount") is not None]
    if tr and comps:
        c = max(comps, key=lambda r: r["avg_discount"])
        title = t("competitors.chart.discount", lang, comp=c["competitor"], disc=fmt_pct(c["avg_discount"], lang, 0))
        fig = go.Figure()
        for name in sorted({r["competitor"] for r in tr}):
            rows = [r for r in tr if r["competitor"] == name]
            fig.add_trace(go.Scatter(x=[r["period"] for r in rows], y=[r["value"] for r in rows], mode="lines+markers",
                                     name=name))
        fig.update_layout(title=title, yaxis_tickformat=".0%", yaxis_title=t("competitors.label.discount", lang))
        figs.append({"key": "discount", "title": title, "figure": fig})
    for metric in ("share", "rating", "followers", "reviews"):
        tr = (result.get("trends") or {}).get(metric)
        if not tr:
            continue
        last = {}
        for r in sorted(tr, key=lambda r: r["period"]):
            last[r["competitor"]] = r["value"]
        lead = max(last, key=last.get)
        val = fmt_pct(last[lead], lang, 1) if metric == "share" else (
            f"{last[lead]:.1f}" if metric == "rating" else fmt_number(last[lead], lang))
        title = t("competitors.chart.trend", lang, metric=t(f"competitors.label.{metric}", lang), comp=lead, value=val)
        fig = go.Figure()
        for name in sorted(last):
            rows = [r for r in tr if r["competitor"] == name]
            fig.add_trace(go.Scatter(x=[r["period"] for r in rows], y=[r["value"] for r in rows], mode="lines+markers",
                                     name=name))
        fig.update_layout(title=title, yaxis_title=t(f"competitors.label.{metric}", lang),
                          yaxis_tickformat=".1%" if metric == "share" else None)
        figs.append({"key": f"trend_{metric}", "title": title, "figure": fig})
    ov = result.get("own_vs_competitors") or {}
    weeks = ov.get("weeks") or []
    if weeks:
        from plotly.subplots import make_subplots

        el = result.get("elasticity")
        cuts = sum(w["price_cuts"] for w in weeks)
        if el:
            title = t("competitors.chart.own_vs", lang, n=len(weeks), cuts=cuts, v=f"{el['value']:.2f}",
                      lo=f"{el['ci_low']:.2f}", hi=f"{el['ci_high']:.2f}")
        else:
            title = t("competitors.chart.own_vs_none", lang, n=len(weeks), cuts=cuts)
        vol_label = t(f"competitors.label.volume_{ov.get('measure') or 'quantity'}", lang)
        fig = make_subplots(specs=[[{"secondary_y": True}]])
        xs = [w["period"] for w in weeks]
        fig.add_trace(go.Bar(x=xs, y=[w["own_volume"] for w in weeks], name=vol_label, marker_color="#8ecae6"),
                      secondary_y=False)
        fig.add_trace(go.Scatter(x=xs, y=[w["competitor_price_level"] for w in weeks], mode="lines",
                                 name=t("competitors.label.price_level", lang), line=dict(color="#264653")),
                      secondary_y=True)
        for key, sym, color in (("price_cuts", "triangle-down", "#d62728"), ("price_rises", "triangle-up", "#2ca02c")):
            pts = [w for w in weeks if w[key]]
            if pts:
                fig.add_trace(go.Scatter(
                    x=[w["period"] for w in pts], y=[w["competitor_price_level"] for w in pts], mode="markers",
                    marker=dict(symbol=sym, size=[min(6 + 2 * w[key], 20) for w in pts], color=color),
                    text=[t(f"competitors.label.{key}_n", lang, n=w[key]) for w in pts], hoverinfo="text+x",
                    name=t(f"competitors.label.{key}", lang)), secondary_y=True)
        fig.update_layout(title=title, hovermode="x unified")
        fig.update_yaxes(title_text=vol_label, secondary_y=False)
        fig.update_yaxes(title_text=t("competitors.label.price_level", lang), secondary_y=True)
        figs.append({"key": "own_vs_competitors", "title": title, "figure": fig})
    el = result.get("elasticity")
    if el and el.get("points"):
        pts = el["points"]
        title = t("competitors.chart.elasticity", lang, v=f"{el['value']:.2f}", lo=f"{el['ci_low']:.2f}",
                  hi=f"{el['ci_high']:.2f}", n=el["n"])
        fig = go.Figure(go.Scatter(x=[p["competitor_price_level"] for p in pts], y=[p["volume"] for p in pts],
                                   mode="markers", text=[p["period"] for p in pts]))
        fig.update_layout(title=title, xaxis_type="log", yaxis_type="log",
                          xaxis_title=t("competitors.label.price_level", lang),
                          yaxis_title=t("competitors.label.volume", lang))
        figs.append({"key": "elasticity", "title": title, "figure": fig})
    return figs
