"""The competitors frame: competitor prices and promotions beside the brand's own."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .base import BRAND, N_DAYS, START
from .products import CATEGORIES, _PRODUCTS, _P_NAME, _P_PRICE
from .calendar import _organic

# comparable products: (shared product label, category index, own SKU index)
_COMPARABLE = (
    ("保湿精华 Hydrating serum 30ml", 0, 0),
    ("VC焕亮精华 Vitamin C serum 30ml", 0, 1),
    ("修护面霜 Repair cream 50g", 0, 2),
    ("氨基酸洁面 Amino cleanser 120g", 0, 4),
    ("防晒乳 Sunscreen SPF50+ 50ml", 0, 12),
    ("气垫粉底 Cushion foundation", 1, 24),
    ("哑光口红 Matte lipstick", 1, 22),
    ("淡香水 Eau de toilette 50ml", 2, 39),
)
# brand, price level vs own, base rating, followers (start), share of the category market
_COMPETITORS = (
    ("Glowa 珂颜", 1.18, 4.8, 2_400_000, 0.061),
    ("Purely 纯研", 0.92, 4.7, 1_300_000, 0.038),
    ("Velvet 绒雾", 0.85, 4.6, 950_000, 0.032),
    ("Solara 晒雅", 0.72, 4.7, 1_700_000, 0.045),
)
_PROMO_TEXT = {0: "618 满300减40", 1: "双11 预售 定金膨胀", 2: "双12 限时折扣", 3: "年货节 满199减30", 4: "38节 第二件半价",
               5: "会员专享券"}


def _competitors_frame(rng: np.random.Generator, days: np.ndarray, cal: dict, lines: dict,
                       our_share: float) -> pd.DataFrame:
    # every third day, plus the festivals' first and peak days (when price trackers look hardest)
    key_days = cal["peak"] | np.isin(pd.DatetimeIndex(days).strftime("%m-%d"), ["06-01", "10-20", "11-01"])
    obs = np.union1d(np.arange(0, N_DAYS, 3), np.flatnonzero(key_days))
    n_obs = len(obs)
    season = _organic(days, growth=0.0)
    season = season / np.median(season)
    brands = [(BRAND, 1.0, 4.8, 820_000, our_share)] + list(_COMPETITORS)
    # own daily units per SKU (sale lines) for the own brand's sales volume (trailing 30 days)
    sale = ~lines["is_return"]
    daily_units = np.zeros((N_DAYS, len(_PRODUCTS)))
    np.add.at(daily_units, (lines["day"][sale], lines["prod"][sale]), lines["qty"][sale])
    trailing = np.cumsum(daily_units, axis=0)
    trailing = trailing - np.vstack([np.zeros((30, len(_PRODUCTS))), trailing[:-30]])
    parts = []
    camp = cal["campaign"][obs]
    for bi, (brand, lvl, rating0, fol0, share0) in enumerate(brands):
        own = bi == 0
        fol_growth = rng.uniform(0.10, 0.35)
        followers = np.round(fol0 * np.exp(fol_growth * obs / 365.25) * np.exp(np.cumsum(rng.normal(0, 0.003, n_obs))))
        share = share0 * np.exp((0.10 if own else rng.uniform(-0.08, 0.06)) * obs / 365.25) * np.exp(
            rng.normal(0, 0.04, n_obs))
        for pi, (label, cat, sku) in enumerate(_COMPARABLE):
            list_price = np.full(n_obs, float(np.round(_P_PRICE[sku] * (lvl if own else lvl * rng.uniform(0.9, 1.1)))))
            if own:
                depth = cal["depth"][obs].copy()
            else:
                # the brand's own festival depth (deeper or shallower than ours) and everyday flash deals
                depth = np.where(camp >= 0, cal["depth"][obs] * rng.uniform(0.8, 1.5), 0.0)
                depth[camp == 5] = 0.0
                flash = rng.random(n_obs) < 0.04
                depth[flash] = np.maximum(depth[flash], rng.uniform(0.12, 0.25, int(flash.sum())))
            depth = depth + rng.uniform(0, 0.03, n_obs) * (depth == 0)
            price = list_price * (1 - depth)
            promo = np.array([None] * n_obs, dtype=object)
            for c, txt in _PROMO_TEXT.items():
                promo[(camp == c) & (depth > 0.05)] = txt
            if not own:
                promo[(camp < 0) & (depth > 0.10)] = "直播间秒杀"
            parts.append(pd.DataFrame({
                "_obs": obs, "competitor": brand, "product": label, "category": CATEGORIES[cat],
                "price": price, "list_price": list_price, "promo": promo, "_own": own, "_sku": sku,
                "_bi": bi, "_pi": pi, "followers": followers, "share": share,
                "rating": np.clip(rating0 + np.cumsum(rng.normal(0, 0.01, n_obs)), 4.2, 5.0).round(1),
                "_base": rng.uniform(1500, 9000) * (1.3 if pi == 0 else 1.0),
            }))
    df = pd.concat(parts, ignore_index=True)
    # deliberate sharp moves (>10 %) outside the festivals, so the price-move alerts have news
    moves = (
        ("Glowa 珂颜", 0, date(2026, 3, 16), None, 0.82),            # permanent cut on the hero serum
        ("Purely 纯研", 3, date(2025, 9, 1), date(2025, 9, 21), 0.75),  # 3-week price war on cleanser
        ("Solara 晒雅", 4, date(2025, 4, 10), date(2025, 5, 31), 0.80),  # sunscreen season push
        ("Velvet 绒雾", 6, date(2025, 8, 1), None, 0.86),             # lipstick repositioned
        ("Glowa 珂颜", 2, date(2026, 7, 6), date(2026, 7, 26), 0.78),
        ("Purely 纯研", 0, date(2026, 1, 5), None, 1.15),             # a price rise, too
    )
    obs_day = df["_obs"].to_numpy()
    price = df["price"].to_numpy().copy()
    list_price = df["list_price"].to_numpy().copy()
    promo = df["promo"].to_numpy(dtype=object).copy()
    for brand, pi, a, b, f in moves:
        sa = (a - START).days
        sb = (b - START).days if b else N_DAYS
        m = (df["competitor"].to_numpy() == brand) & (df["_pi"].to_numpy() == pi) & (obs_day >= sa) & (obs_day <= sb)
        price[m] *= f
        if b is None:
            list_price[m] *= f if f > 1 else 1.0
        if f < 1:
            promo[m & pd.isna(promo)] = "限时直降"
    price = np.round(price, 0) - np.where(np.round(price, 0) % 10 == 0, 1, 0)  # ¥xx9 pricing
    df["price"] = price.astype(float)
    df["list_price"] = np.round(list_price).astype(float)
    df["promo"] = promo
    # sales volume: trailing 30 days; own brand from the orders, competitors from price elasticity
    base = df["_base"].to_numpy() * season[obs_day] * np.exp(0.12 * obs_day / 365.25)
    rel = df["price"].to_numpy() / df["list_price"].to_numpy()
    comp_vol = np.round(base * rel ** -2.2 * np.exp(rng.normal(0, 0.12, len(df))))
    own_vol = trailing[obs_day, df["_sku"].to_numpy()]
    df["sales_volume"] = np.where(df["_own"].to_numpy(), own_vol, comp_vol).astype(float)
    # reviews accumulate with sales
    df = df.sort_values(["_bi", "_pi", "_obs"], kind="stable").reset_index(drop=True)
    start_reviews = rng.uniform(2000, 40000, len(df))
    grp = df["_bi"].to_numpy() * 100 + df["_pi"].to_numpy()
    inc = df["sales_volume"].to_numpy() * 0.1 * 0.03 * 3
    cs = pd.Series(inc).groupby(grp).cumsum().to_numpy()
    first = pd.Series(start_reviews).groupby(grp).transform("first").to_numpy()
    df["reviews"] = np.round(first + cs).astype(float)
    df["date"] = days[df["_obs"].to_numpy()].astype("datetime64[ns]")
    df = df.sort_values(["_obs", "_bi", "_pi"], kind="stable").reset_index(drop=True)
    df["attr_item"] = [
        f"{b.split(' ')[1] if ' ' in b else b} {p}" if not o else _P_NAME[s]
        for b, p, o, s in zip(df["competitor"], df["product"], df["_own"], df["_sku"])
    ]
    out = df[["date", "competitor", "product", "category", "price", "list_price", "promo", "sales_volume",
              "rating", "reviews", "followers", "share", "attr_item"]].copy()
    for c in ("competitor", "product", "category", "promo", "attr_item"):
        out[c] = out[c].astype("str")
    out["attr_own_brand"] = df["_own"].map({True: "yes", False: "no"}).astype("str")
    for c in ("price", "list_price", "sales_volume", "rating", "reviews", "followers", "share"):
        out[c] = out[c].astype(float)
    return out
