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
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings as _warnings
from typing import Any

import numpy as np
import pandas as pd

from analytics.common import NotEnoughData, filter_dates, jsonable
from analytics.i18n import fmt_date, fmt_money, fmt_number, fmt_pct, t
from analytics.params import Param

PAGE = "competitor-tracking"
KINDS = {"competitors": True, "orders": False}
PARAMS = [
    Param("own", "str", None, help="competitors.param_help.own"),
    Param("threshold", "float", 0.10, min=0.01, max=0.9, help="competitors.param_help.threshold"),
    Param("window", "int", 28, min=7, max=365, help="competitors.param_help.window"),
    Param("product", "list", None, help="competitors.param_help.product"),
    Param("category", "list", None, help="competitors.param_help.category"),
]

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


def own_from_flag(df: pd.DataFrame) -> str | None:
    """The own brand from an attribute column flagging it (e.g. ``attr_own_brand`` = yes / 是): the one
    competitor value whose rows are all flagged, when exactly one is."""
    for col in df.columns:
        if not col.startswith("attr_"):
            continue
        name = norm(col[5:]).replace("_", " ")
        if not ("own" in name.split() or "本品" in name or "自有" in name or name in ("is own", "own brand", "ours")):
            continue
        flag = df[col].map(lambda v: norm(v) in YES if pd.notna(v) else False).astype(bool)
        if not flag.any():
            continue
        per = flag.groupby(df["competitor"]).mean()
        hits = per[per == 1.0]
        if len(hits) == 1 and (per[per < 1.0] == 0).all():
            return str(hits.index[0])
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


def _own_from_orders(orders: pd.DataFrame) -> pd.DataFrame:
    """Sale lines with a positive price paid: columns date, amount, qty, price, product_name, product_id,
    category."""
    o = orders.loc[orders["order_date"].notna()]
    if "is_return" in o.columns:
        o = o.loc[~o["is_return"].fillna(False).to_numpy(dtype=bool)]
    amount = pd.to_numeric(o["amount"], errors="coerce") if "amount" in o.columns else pd.Series(np.nan, index=o.index)
    qty = pd.to_numeric(o["quantity"], errors="coerce") if "quantity" in o.columns else pd.Series(np.nan, index=o.index)
    unit = pd.to_numeric(o["unit_price"], errors="coerce") if "unit_price" in o.columns else pd.Series(np.nan, index=o.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        paid = (amount / qty).where(qty > 0)
    price = paid.fillna(unit)
    out = pd.DataFrame({"date": o["order_date"], "amount": amount, "qty": qty.where(qty > 0), "price": price})
    for c in ("product_name", "product_id", "category"):
        out[c] = o[c] if c in o.columns else None
    return out.loc[out["price"] > 0]


def _match(own_vals: pd.Series, riv_vals: pd.Series) -> set[str]:
    a = {norm(v) for v in own_vals.dropna().unique()}
    b = {norm(v) for v in riv_vals.dropna().unique()}
    return a & b


ORDER_KEYS = (("product", "product_name"), ("product", "product_id"), ("category", "category"))


def match_orders(orders: pd.DataFrame, rivals: pd.DataFrame) -> tuple[str, str, set[str]] | None:
    """(competitor column, orders column, matching normalised values): products by name or id first,
    then categories; None when nothing matches."""
    for rkey, okey in ORDER_KEYS:
        if _has(orders, okey) and _has(rivals, rkey):
            m = _match(orders[okey], rivals[rkey])
            if m:
                return rkey, okey, m
    return None


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


# ---------------------------------------------------------------- compute


def _latest(df: pd.DataFrame, col: str) -> pd.Series:
    d = df.loc[df[col].notna(), ["competitor", "date", col]].sort_values("date")
    return d.groupby("competitor")[col].last()


def _first(df: pd.DataFrame, col: str) -> pd.Series:
    d = df.loc[df[col].notna(), ["competitor", "date", col]].sort_values("date")
    return d.groupby("competitor")[col].first()


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    p = {pp.key: pp.default for pp in PARAMS}
    p.update({k: v for k, v in (params or {}).items() if v is not None})
    threshold = float(p["threshold"])
    window = int(p["window"])
    comp = frames.get("competitors")
    if comp is None or comp.empty:
        raise NotEnoughData("competitors.error.no_data")
    warnings: list[str] = []
    findings: list[str] = []
    ok = comp["date"].notna() & comp["competitor"].notna() & pd.to_numeric(comp["price"], errors="coerce").gt(0)
    if (~ok).sum():
        warnings.append(t("competitors.warning.dropped", lang, n=fmt_number(int((~ok).sum()), lang)))
    df = comp.loc[ok].copy()
    df["price"] = pd.to_numeric(df["price"], errors="coerce").astype(float)
    df["competitor"] = df["competitor"].astype("str").str.strip()
    for c in ("product", "category", "promo"):
        if c not in df.columns:
            df[c] = pd.Series([None] * len(df), dtype="str", index=df.index)
    for c in ("list_price", "sales_volume", "rating", "reviews", "followers", "share"):
        if c not in df.columns:
            df[c] = np.nan
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    filters: dict[str, list] = {}
    for dim in ("product", "category"):
        vals = p.get(dim)
        if not vals:
            continue
        if not df[dim].notna().any():
            warnings.append(t("competitors.warning.filter_ignored", lang, dim=t(f"competitors.dim.{dim}", lang)))
            continue
        df = df.loc[df[dim].isin([str(v) for v in vals]).to_numpy(dtype=bool, na_value=False)]
        filters[dim] = [str(v) for v in vals]
    df = filter_dates(df, "date", p.get("start"), p.get("end"))
    if df.empty:
        raise NotEnoughData("competitors.error.no_match")
    df["period"] = week_start(df["date"])

    # own brand
    names = pd.Series(df["competitor"].unique())
    own_name = None
    own_param = p.get("own")
    if own_param:
        hit = names[names.map(norm) == norm(own_param)]
        if len(hit):
            own_name = str(hit.iloc[0])
        else:
            warnings.append(t("competitors.warning.own_not_found", lang, own=own_param))
    else:
        hit = names[names.map(norm).isin(OWN_MARKERS)]
        if len(hit):
            own_name = str(hit.iloc[0])
        else:
            own_name = own_from_flag(df)
    orders = frames.get("orders")
    if orders is not None and not orders.empty:
        orders = filter_dates(orders, "order_date", p.get("start"), p.get("end"))
    own_rows = df.loc[df["competitor"] == own_name] if own_name else df.iloc[0:0]
    rivals = df.loc[df["competitor"] != own_name] if own_name else df
    if rivals.empty:
        raise NotEnoughData("competitors.error.no_rivals")
    own_lines = None
    if own_name:
        own_source = "brand"
    elif orders is not None and not orders.empty:
        own_lines = _own_from_orders(orders)
        if filters.get("category") and _has(own_lines, "category"):
            own_lines = own_lines.loc[own_lines["category"].isin(filters["category"]).to_numpy(dtype=bool, na_value=False)]
        own_source = "orders" if not own_lines.empty else None
    else:
        own_source = None

    # price index
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
            rkey, okey, m = mt
            match_by = rkey
            o = own_lines.assign(k=norm_col(own_lines[okey])).loc[lambda d: d["k"].isin(m)]
            r = rivals.assign(k=norm_col(rivals[rkey])).loc[lambda d: d["k"].isin(m)]
            label = r.groupby("k")[rkey].first()
            pi = price_index(_own_weekly_price(o, "k"), r, "k")
            pi["key"] = pi["key"].map(label)
        if match_by is None:
            match_by = "all"
            warnings.append(t("competitors.warning.no_match_all", lang))
            pi = price_index(_own_weekly_price(own_lines.assign(k="all"), "k"), rivals.assign(k="all"), "k")
    else:
        warnings.append(t("competitors.warning.no_own", lang))
    if own_source and pi.empty:
        warnings.append(t("competitors.warning.no_overlap", lang))
    pi_rows = [{"period": r.period.date().isoformat(), "key": str(r.key), "own_price": float(r.own_price),
                "competitor_price": float(r.competitor_price), "competitors": int(r.competitors),
                "index": float(r.index)} for r in pi.itertuples(index=False)]
    summary = []
    if not pi.empty:
        for k, g in pi.groupby("key", sort=False):
            g = g.sort_values("period")
            summary.append({"key": str(k), "weeks": int(len(g)), "latest_period": g["period"].iloc[-1].date().isoformat(),
                            "latest_index": float(g["index"].iloc[-1]), "mean_index": float(g["index"].mean())})
        summary.sort(key=lambda r: -r["latest_index"])

    # discount, promo
    with np.errstate(divide="ignore", invalid="ignore"):
        df["discount"] = (1 - df["price"] / df["list_price"]).where(df["list_price"] > 0)
    df["is_promo"] = promo_flag(df["promo"]) if df["promo"].notna().any() else np.nan
    if not df["list_price"].notna().any():
        warnings.append(t("competitors.warning.no_list_price", lang))
    rivals = df.loc[df["competitor"] != own_name] if own_name else df

    # events
    ev = price_events(rivals, threshold, window)
    if not ev.empty and df["promo"].notna().any():
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
    series_obs = rivals.groupby(["competitor", rivals["product"].astype("str").where(rivals["product"].notna(), "")]).size()
    if len(series_obs) and (series_obs < 3).mean() > 0.5:
        warnings.append(t("competitors.warning.sparse_series", lang))

    # competitors table
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
    competitors = [{k: (None if (isinstance(v, float) and math.isnan(v)) else v) for k, v in r.items()}
                   for r in tab.to_dict(orient="records")]

    # trends per competitor and week
    trends: dict[str, list] = {}
    for col in TREND_METRICS:
        if not df[col].notna().any():
            continue
        tr = df.loc[df[col].notna()].groupby(["period", "competitor"], as_index=False)[col].mean()
        trends[col] = [{"period": r.period.date().isoformat(), "competitor": r.competitor, "value": float(getattr(r, col))}
                       for r in tr.itertuples(index=False)]

    # price timeline (weekly mean per competitor x product) for the chart: the series with events first
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
    timeline = [{"date": r.date.date().isoformat(), "competitor": r.competitor, "product": r.product or None,
                 "price": float(r.price), "promo": bool(r.on_promo)} for r in tl.itertuples(index=False)]

    # elasticity of own volume to competitor prices
    el, el_reason, notes, weekly = _elasticity(orders, own_rows, rivals, lang)
    warnings += notes
    own_vs = _own_vs_moves(weekly, events)

    # findings
    if summary:
        last_period = pi["period"].max()
        latest = pi.loc[pi["period"] == last_period]
        idx = float(latest["index"].mean())
        hi = latest.sort_values("index").iloc[-1]
        key = "competitors.finding.index_above" if idx >= 100 else "competitors.finding.index_below"
        findings.append(t(key, lang, pct=fmt_pct(abs(idx / 100 - 1), lang), idx=f"{idx:.0f}",
                          week=fmt_date(last_period, lang), key=str(hi["key"]), key_idx=f"{hi['index']:.0f}"))
    if events:
        off = [e for e in events if not e["in_festival"]]
        big = max(off or events, key=lambda e: abs(e["change_pct"]))
        findings.append(t("competitors.finding.events", lang, n=len(events), k=len(off), thr=fmt_pct(threshold, lang, 0),
                          comp=big["competitor"], pct=fmt_pct(big["change_pct"], lang, 0, signed=True),
                          product=big["product"] or "—", date=fmt_date(big["date"], lang)))
    else:
        findings.append(t("competitors.finding.no_events", lang, thr=fmt_pct(threshold, lang, 0), days=window))
    riv_tab = [c for c in competitors if not c["is_own"]]
    promo_rows = [c for c in riv_tab if c.get("promo_share") is not None]
    if promo_rows:
        c = max(promo_rows, key=lambda r: r["promo_share"])
        findings.append(t("competitors.finding.promo", lang, comp=c["competitor"], share=fmt_pct(c["promo_share"], lang, 0),
                          disc=fmt_pct(c["avg_discount"], lang, 0) if c.get("avg_discount") is not None else "—"))
    if el is not None:
        findings.append(el["reading"])

    result = {
        "own": {"source": own_source, "name": own_name, "match_by": match_by},
        "filters": filters,
        "threshold": threshold,
        "window": window,
        "price_index": pi_rows,
        "price_index_summary": summary,
        "events": events,
        "competitors": competitors,
        "trends": trends,
        "price_timeline": timeline,
        "elasticity": el,
        "elasticity_reason": el_reason,
        "own_vs_competitors": own_vs,
        "findings": findings,
        "warnings": warnings,
    }
    return jsonable(result)


def _own_weekly_price(o: pd.DataFrame, key: str) -> pd.DataFrame:
    """Own price per week x key: amount / units when quantities exist, else the mean price paid."""
    o = o.assign(period=week_start(o["date"]))
    if o["qty"].notna().any():
        q = o.loc[o["qty"].notna() & o["amount"].notna()]
        g = q.groupby(["period", key], as_index=False).agg(amount=("amount", "sum"), qty=("qty", "sum"))
        g["own_price"] = g["amount"] / g["qty"]
        return g[["period", key, "own_price"]]
    return o.groupby(["period", key], as_index=False).agg(own_price=("price", "mean"))


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


def _elasticity(orders, own_rows, rivals, lang) -> tuple[dict | None, str | None, list[str], pd.DataFrame | None]:
    """Own weekly volume (orders; else the own brand's sales_volume) vs the competitor price level of the
    matching products / categories. Returns (elasticity, reason when None, warnings, the weekly series
    (columns own_volume, competitor_price_level; None without own volume))."""
    notes: list[str] = []
    own_price = None
    camp_share = None
    riv = rivals
    if orders is not None and not orders.empty and orders["order_date"].notna().any():
        # only the columns used here: row selections on a wide frame copy every column
        o = orders[[c for c in ("order_date", "quantity", "amount", "campaign") + tuple(k for _, k in ORDER_KEYS)
                    if c in orders.columns]]
        keep = orders["order_date"].notna().to_numpy(dtype=bool)
        if "is_return" in orders.columns:
            keep = keep & ~orders["is_return"].fillna(False).to_numpy(dtype=bool)
        o = o.loc[keep]
        mt = match_orders(o, rivals)
        if mt:
            rkey, okey, m = mt
            o = o.loc[norm_col(o[okey]).isin(m).to_numpy(dtype=bool)]
            riv = rivals.loc[norm_col(rivals[rkey]).isin(m).to_numpy(dtype=bool)]
        else:
            notes.append(t("competitors.warning.elasticity_all", lang))
        if o.empty:
            return None, t("competitors.elasticity.no_volume", lang), notes, None
        period = week_start(o["order_date"])
        qty = pd.to_numeric(o["quantity"], errors="coerce") if "quantity" in o.columns else pd.Series(np.nan, index=o.index)
        amount = pd.to_numeric(o["amount"], errors="coerce")
        if qty.notna().any():
            vol = qty.where(qty > 0).groupby(period).sum()
            measure = "quantity"
            ok = (qty > 0) & amount.notna()
            agg = pd.DataFrame({"a": amount[ok], "q": qty[ok], "p": period[ok]}).groupby("p").sum()
            own_price = agg["a"] / agg["q"]
        else:
            vol = amount.groupby(period).sum()
            measure = "net_sales"
        if _has(o, "campaign"):
            camp = o["campaign"].notna() & (o["campaign"].astype("str").str.strip() != "")
            camp_share = camp.groupby(period).mean()
        d0, d1 = o["order_date"].min().normalize(), o["order_date"].max().normalize()
        full = pd.date_range(week_start(pd.Series([d0])).iloc[0], week_start(pd.Series([d1])).iloc[0], freq="7D")
        vol = vol.reindex(full, fill_value=0.0)
        vol = vol.loc[(vol.index >= d0) & (vol.index + pd.Timedelta(days=6) <= d1)]
    elif own_rows is not None and not own_rows.empty and own_rows["sales_volume"].notna().any():
        vol = own_rows.groupby("period")["sales_volume"].sum(min_count=1)
        own_price = own_rows.groupby("period")["price"].mean()
        measure = "sales_volume"
    else:
        return None, t("competitors.elasticity.no_volume", lang), notes, None
    level = price_level(riv)
    weekly = pd.DataFrame({"own_volume": vol, "competitor_price_level": level}).sort_index()
    weekly = weekly.loc[weekly["own_volume"].notna()]
    weekly.attrs["measure"] = measure
    el = cross_elasticity(vol, level, own_price, festival_share(pd.DatetimeIndex(level.index)), camp_share)
    if el["value"] is None:
        return None, t(el["reason"], lang, n=el["n"], need=MIN_WEEKS), notes, weekly
    el["measure"] = measure
    el["reading"] = reading(el, lang)
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


def filter_options(frames: dict[str, pd.DataFrame], params: dict | None = None, lang: str = "en") -> dict:
    """Choices for the page's filters, from the competitor data: competitor names (for the own-brand
    chooser), products and categories (sorted), and the own brand found automatically (or None)."""
    comp = frames.get("competitors")
    out: dict[str, Any] = {"competitor": [], "product": [], "category": [], "detected_own": None}
    if comp is None or comp.empty:
        return out
    for col in ("competitor", "product", "category"):
        if col in comp.columns:
            vals = comp[col].dropna().astype("str").str.strip() if col == "competitor" else comp[col].dropna().astype("str")
            out[col] = sorted(v for v in vals.unique() if v)
    names = pd.Series(out["competitor"], dtype="object")
    hit = names[names.map(norm).isin(OWN_MARKERS)] if len(names) else names
    if len(hit):
        out["detected_own"] = str(hit.iloc[0])
    elif "competitor" in comp.columns:
        df = comp.loc[comp["competitor"].notna()].assign(competitor=lambda d: d["competitor"].astype("str").str.strip())
        out["detected_own"] = own_from_flag(df)
    return out


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
