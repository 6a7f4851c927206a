"""The orders: purchases simulated in operational time, order lines, and the orders frame."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import CAMPAIGNS, CHANNELS, N_DAYS, START, _CH_RETURN, _CH_SHARE, _D0
from .products import CATEGORIES, _P_CAT, _P_ID, _P_NAME, _P_POP, _P_PRICE
from .geography import _C_NAME, _C_PROV
from .calendar import _calendar, _days, _organic
from .spend import _spend_shapes
from .people import _people


def _product_table() -> tuple[np.ndarray, np.ndarray]:
    """Cumulative product probabilities per (category, price tier) and the product index table."""
    width = int(np.bincount(_P_CAT).max())
    cum = np.ones((15, width))
    idx = np.zeros((15, width), dtype=int)
    logp = np.log(_P_PRICE)
    for c in range(5):
        prods = np.flatnonzero(_P_CAT == c)
        rel = logp[prods] - logp[prods].mean()
        for tr, gamma in enumerate((-1.6, 0.0, 1.4)):
            w = _P_POP[prods] * np.exp(gamma * rel)
            row = c * 3 + tr
            cum[row, : len(prods)] = np.cumsum(w / w.sum())
            idx[row, : len(prods)] = prods
            idx[row, len(prods):] = prods[-1]
    return cum, idx


_HOURS = np.array([3.0, 1.5, 0.7, 0.4, 0.3, 0.3, 0.6, 1.5, 2.5, 3.5, 4.5, 4.8, 5.2, 4.8, 4.3, 4.2, 4.3, 4.5,
                   5.0, 6.0, 8.0, 9.0, 8.0, 5.0])
_HOURS_CUM = np.cumsum(_HOURS / _HOURS.sum())


_BURN_IN = 730.0  # operational days simulated before the window: the base holds members of earlier years


def _simulate_orders(rng: np.random.Generator, people: dict, intensity: np.ndarray,
                     cal: dict) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """BG/NBD purchase histories in operational time, mapped onto the calendar by ``intensity``.

    Customers arrive uniformly over [-burn-in, T) (operational days; the window is [0, T)); each buys at
    a Gamma-distributed rate and drops out after a purchase with a Beta-distributed probability. Only
    purchases inside the window are returned, as order-level arrays (customer, day, second of day,
    platform) sorted by time, together with each customer's arrival time.
    """
    n = len(people["age"])
    T = float(N_DAYS)
    lam = np.minimum(rng.gamma(1.1, 1.0 / 1.1, n) * people["freq"] / _GAP, 1.0 / 7.0)
    p_drop = rng.beta(0.8, 2.0, n)
    arrival = rng.random(n) * (T + _BURN_IN) - _BURN_IN
    cust_l, time_l = [], []
    alive = np.arange(n)
    tt = arrival.copy()
    while alive.size:
        inside = tt >= 0
        cust_l.append(alive[inside])
        time_l.append(tt[inside])
        keep = rng.random(alive.size) >= p_drop[alive]
        alive, tt = alive[keep], tt[keep]
        tt = tt + rng.exponential(1.0 / lam[alive])
        keep = tt < T
        alive, tt = alive[keep], tt[keep]
    cust = np.concatenate(cust_l)
    u = np.concatenate(time_l)
    # quantile mapping: the (smoothed) share of purchases before u -> the calendar day with the same share
    # of demand. The base of live customers need not be stationary: the calendar shape comes out exact.
    edges = np.linspace(0.0, T, 74)
    g = np.r_[0.0, np.cumsum(np.histogram(u, bins=edges)[0])]
    share = np.interp(u, edges, g / max(g[-1], 1))
    cum = np.cumsum(intensity)
    day = np.searchsorted(cum / cum[-1], share, side="right").clip(0, N_DAYS - 1)
    m = len(cust)
    hour = np.searchsorted(_HOURS_CUM, rng.random(m), side="right").clip(0, 23)
    midnight = cal["peak"][day] & (rng.random(m) < 0.30)  # the 0:00 rush on 6/18 and 11/11
    hour[midnight] = 0
    sec = hour * 3600 + rng.integers(0, 3600, m)
    order = np.lexsort((sec, day))
    cust, day, sec = cust[order], day[order], sec[order]
    use_primary = rng.random(m) < 0.65
    drawn = (np.cumsum(people["ch_p"][cust], axis=1) < rng.random(m)[:, None]).sum(axis=1).clip(0, 6)
    channel = np.where(use_primary, people["primary"][cust], drawn)
    return {"cust": cust, "day": day, "sec": sec, "channel": channel}, arrival


_GAP = 24.5  # mean days between purchases of an average live customer


def _select(rng: np.random.Generator, n: int, orders: dict, arrival: np.ndarray,
            lapsed_share: float = 0.06) -> np.ndarray:
    """Pick n customers of the simulated pool: buyers in the window (a uniform random subset, which keeps
    the calendar shape) plus a few lapsed members; returned in order of arrival (ids follow signup)."""
    pool = len(arrival)
    active = np.bincount(orders["cust"], minlength=pool) > 0
    act, lapsed = np.flatnonzero(active), np.flatnonzero(~active & (arrival < 0))
    n_lapsed = min(len(lapsed), int(round(n * lapsed_share)))
    n_act = min(len(act), n - n_lapsed)
    n_lapsed = min(len(lapsed), n - n_act)
    chosen = np.concatenate([rng.choice(act, n_act, replace=False), rng.choice(lapsed, n_lapsed, replace=False)])
    return chosen[np.argsort(arrival[chosen], kind="stable")]


def _order_lines(rng: np.random.Generator, people: dict, orders: dict, cal: dict) -> dict[str, np.ndarray]:
    """Expand orders into product lines with prices, discounts, campaigns and refund lines."""
    n_orders = len(orders["cust"])
    n_lines = rng.choice(4, n_orders, p=[0.58, 0.27, 0.11, 0.04]) + 1
    promo_day = cal["campaign"][orders["day"]] >= 0
    n_lines += (promo_day & (rng.random(n_orders) < 0.15)).astype(int)
    oi = np.repeat(np.arange(n_orders), n_lines)
    L = len(oi)
    cust = orders["cust"][oi]
    day = orders["day"][oi]
    # category: the customer's taste, gift sets in gift seasons (双11, 双12, 年货节)
    cat = (np.cumsum(people["cat_p"][cust], axis=1) < rng.random(L)[:, None]).sum(axis=1).clip(0, 4)
    gift_season = np.isin(cal["campaign"][day], [1, 2, 3])
    cat[gift_season & (rng.random(L) < 0.12)] = 4
    cum, idx = _product_table()
    row = cat * 3 + people["price_tier"][cust]
    k = (cum[row] < rng.random(L)[:, None]).sum(axis=1).clip(0, cum.shape[1] - 1)
    prod = idx[row, k]
    qty = (rng.choice(3, L, p=[0.88, 0.10, 0.02]) + 1).astype(float)
    qty[promo_day[oi] & (rng.random(L) < 0.08)] += 1
    price = _P_PRICE[prod]
    gross = qty * price
    # discounts: festival coupons scale with the day's promotion depth; everyday small coupons
    depth = cal["depth"][day]
    disc = np.round(gross * depth * rng.uniform(0.6, 1.4, L))
    everyday = (depth == 0) & (rng.random(L) < 0.12)
    disc[everyday] = np.minimum(rng.choice([5.0, 10.0, 20.0], int(everyday.sum())), np.round(0.3 * gross[everyday]))
    campaign = cal["campaign"][day].copy()
    # the coupon test: only coupon users are tagged (¥20 / ¥50 coupons); other orders of those days are not
    ctest = campaign == 5
    coupon_user = np.zeros(n_orders, dtype=bool)
    coupon_user[np.unique(oi[ctest])] = rng.random(len(np.unique(oi[ctest]))) < 0.30
    first_line = np.r_[True, oi[1:] != oi[:-1]]
    cu = coupon_user[oi]
    disc[cu & first_line] = np.minimum(rng.choice([20.0, 50.0], int((cu & first_line).sum())),
                                       np.round(0.5 * gross[cu & first_line]))
    campaign[ctest & ~cu] = -1
    amount = gross - disc
    # refunds: a later line with negative quantity and amount, same order id
    p_ret = _CH_RETURN[orders["channel"][oi]] * np.array([0.9, 1.3, 1.4, 0.8, 0.7])[cat]
    ret = rng.random(L) < p_ret
    r = np.flatnonzero(ret)
    r_delay = rng.integers(2, 16, r.size)
    r_day = np.minimum(day[r] + r_delay, N_DAYS - 1)
    r_sec = np.where(r_day == day[r], np.minimum(orders["sec"][oi[r]] + 3600, 86399),
                     rng.integers(8 * 3600, 22 * 3600, r.size))
    all_oi = np.concatenate([oi, oi[r]])
    return {
        "oi": all_oi,
        "day": np.concatenate([day, r_day]),
        "sec": np.concatenate([orders["sec"][oi], r_sec]),
        "cust": np.concatenate([cust, cust[r]]),
        "prod": np.concatenate([prod, prod[r]]),
        "qty": np.concatenate([qty, -qty[r]]),
        "price": np.concatenate([price, price[r]]),
        "amount": np.concatenate([amount, -amount[r]]),
        "disc": np.concatenate([disc, np.zeros(r.size)]),
        "channel": orders["channel"][all_oi],
        "campaign": np.concatenate([campaign, campaign[r]]),
        "is_return": np.concatenate([np.zeros(L, dtype=bool), np.ones(r.size, dtype=bool)]),
    }


_STR = pd.StringDtype("pyarrow", na_value=np.nan) if pd.Series(["a"]).dtype.storage == "pyarrow" else "str"


def _digits_ids(prefix: str, nums: np.ndarray, width: int) -> pd.Series:
    """prefix + zero-padded integers as a ``str`` Series, vectorised (no Python-level string objects)."""
    nums = np.asarray(nums, dtype=np.int64)
    pre = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    d = np.empty((len(nums), len(pre) + width), dtype=np.uint8)
    d[:, : len(pre)] = pre
    v = nums.copy()
    for j in range(len(pre) + width - 1, len(pre) - 1, -1):
        d[:, j] = 48 + v % 10
        v //= 10
    raw = d.view(f"S{len(pre) + width}").ravel()
    if _STR == "str":  # python storage: fall back to objects
        return pd.Series(raw.astype(f"U{len(pre) + width}").astype(object), dtype="str")
    import pyarrow as pa

    arr = pa.array(raw).cast(pa.string())
    return pd.Series(pd.arrays.ArrowStringArray(arr, dtype=_STR))


def _str(values) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.astype("str") if values.dtype != "str" else values
    return pd.Series(values, dtype="str")


def _take(values, codes: np.ndarray) -> pd.Series:
    """Categorical codes -> ``str`` Series (code -1 -> missing), without per-row Python objects."""
    small = pd.array(list(values), dtype="str")
    return pd.Series(small.take(np.asarray(codes, dtype=np.intp), allow_fill=True))


def _lines_frame(lines: dict, people: dict, cust_ids: np.ndarray) -> pd.DataFrame:
    order = np.lexsort((lines["sec"], lines["day"]))
    L = {k: v[order] for k, v in lines.items()}
    # order ids: LM + yymmdd of the order day + 6-digit sequence within the day (in time order)
    uniq, pos = np.unique(L["oi"], return_index=True)
    by_time = np.argsort(pos)                      # orders in order of first appearance
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[by_time] = np.arange(len(uniq))
    day_sorted = L["day"][pos[by_time]]           # non-decreasing: an order's first line is its sale line
    seq_sorted = np.arange(len(uniq)) - np.searchsorted(day_sorted, day_sorted, side="left") + 1
    lookup = np.zeros(int(L["oi"].max()) + 1, dtype=np.int64)
    lookup[uniq] = rank
    r = lookup[L["oi"]]
    seq = seq_sorted[r]
    dates = pd.DatetimeIndex(_D0 + day_sorted[r])
    ymd = (dates.year % 100) * 10000 + dates.month * 100 + dates.day
    order_id = _digits_ids("LM", ymd.to_numpy().astype(np.int64) * 1_000_000 + seq, 12)
    ts = (_D0 + L["day"]).astype("datetime64[s]") + L["sec"].astype("timedelta64[s]")
    cust = L["cust"]
    city = people["city"][cust]
    df = pd.DataFrame({
        "order_id": order_id,
        "order_date": ts.astype("datetime64[ns]"),
        "customer_id": cust_ids.take(cust).reset_index(drop=True),
        "product_id": _take(_P_ID, L["prod"]),
        "product_name": _take(_P_NAME, L["prod"]),
        "category": _take(CATEGORIES, _P_CAT[L["prod"]]),
        "quantity": L["qty"].astype(float),
        "unit_price": L["price"].astype(float),
        "amount": np.round(L["amount"], 2).astype(float),
        "discount": L["disc"].astype(float),
        "channel": _take(CHANNELS, L["channel"]),
        "region": _take(_C_PROV, city),
        "city": _take(_C_NAME, city),
        "status": _take(("已完成", "退款"), L["is_return"].astype(np.intp)),
        "campaign": _take(CAMPAIGNS, L["campaign"]),
        "is_return": L["is_return"].astype(bool),
    })
    return df


def _intensity(rng: np.random.Generator, days: np.ndarray, shapes: dict) -> np.ndarray:
    """Daily order intensity: organic demand x (0.55 + 0.45 x media response index)."""
    media = np.zeros(len(days))
    for ci, ch in enumerate(CHANNELS):
        r = shapes[ch]["resp"].sum(axis=1)
        media += _CH_SHARE[ci] * r / r.mean()
    noise = np.exp(rng.normal(0, 0.05, len(days)))
    # organic growth 11 %/year; with the media term (spend grows ~10 %/year) sales grow ~15 %/year
    return _organic(days, growth=0.11) * (0.55 + 0.45 * media) * noise


def _world(seed: int, n_customers: int):
    rng = np.random.default_rng(seed)
    days = _days(START, N_DAYS)
    cal = _calendar(days)
    shapes = _spend_shapes(np.random.default_rng([seed, 1]), days, cal)
    intensity = _intensity(rng, days, shapes)
    pool = int(n_customers * 1.6) + 40
    people = _people(np.random.default_rng([seed, 2]), pool)
    orders, arrival = _simulate_orders(np.random.default_rng([seed, 4]), people, intensity, cal)
    chosen = _select(np.random.default_rng([seed, 3]), n_customers, orders, arrival)
    new_id = np.full(pool, -1)
    new_id[chosen] = np.arange(len(chosen))
    keep = new_id[orders["cust"]] >= 0
    orders = {k: v[keep] for k, v in orders.items()}
    orders["cust"] = new_id[orders["cust"]]
    people = {k: v[chosen] for k, v in people.items()}
    people["arrival"] = arrival[chosen]
    lines = _order_lines(np.random.default_rng([seed, 5]), people, orders, cal)
    return days, cal, shapes, people, orders, lines


def _cust_ids(n: int) -> pd.Series:
    return _digits_ids("C", np.arange(1, n + 1), 6 if n < 1_000_000 else 7)


def generate_orders(n_lines: int, seed: int = 7) -> pd.DataFrame:
    """Exactly ``n_lines`` canonical order lines with the demo's statistical shape (for benchmarks).

    Whole customers are kept in random order until the line budget is reached (the last one is cut),
    so the repeat structure, calendar peaks and return share are those of :func:`generate`.

    Parameters
    ----------
    n_lines : int
        Lines wanted (0 or less: an empty frame with the columns).
    seed : int
        Random seed.

    Returns
    -------
    pd.DataFrame
        Canonical order lines.
    """
    n_lines = int(n_lines)
    if n_lines <= 0:
        return generate_orders(1, seed).iloc[:0]
    n_cust = max(50, int(n_lines / 9.0) + 50)
    while True:
        _, _, _, people, _, lines = _world(seed, n_cust)
        per = np.bincount(lines["cust"], minlength=n_cust)
        if per.sum() >= n_lines:
            break
        n_cust = int(n_cust * 1.3) + 50  # rare: a small draw with too few lines
    perm = np.random.default_rng([seed, 9]).permutation(n_cust)
    csum = np.cumsum(per[perm])
    keep = np.zeros(n_cust, dtype=bool)
    keep[perm[csum <= n_lines]] = True
    sel = keep[lines["cust"]]
    short = n_lines - int(sel.sum())
    if short > 0:  # part of the next customer's lines (sale lines come before refund lines)
        nxt = perm[np.searchsorted(csum, n_lines, side="left")]
        sel[np.flatnonzero(lines["cust"] == nxt)[:short]] = True
    lines = {k: v[sel] for k, v in lines.items()}
    df = _lines_frame(lines, people, _cust_ids(n_cust))
    return df.iloc[:n_lines].reset_index(drop=True)
