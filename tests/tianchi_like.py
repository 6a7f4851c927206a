"""A trade history in the layout of Tianchi's public mum-and-baby data (``sam_tianchi_mum_baby_trade_history``):
one row per purchase with the buyer, the item (``auction_id``), its leaf and top category, the item's
properties, the quantity bought (``buy_mount``) and the day (``20140919``), and no money at all.

Seeded, so tests write the same file every time; the figures tests compare with are computed from the
frame with pandas, independently of ingest. Like the real file: ids are long integers, ``cat1`` is one of
six top categories, most lines buy one unit and a few many (a crate of formula), and the days run from
2012 to early 2015. Unlike the real sample (almost one line per buyer), buyers here come back (diapers and
formula are bought again), so frequency, cohorts and recommendations have something to find.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ("user_id", "auction_id", "cat_id", "cat1", "property", "buy_mount", "day")
CAT1 = ("28", "38", "50008168", "50014815", "50022520", "122650008")
_CAT1_P = (0.24, 0.10, 0.30, 0.16, 0.12, 0.08)


def _distinct(rng: np.random.Generator, low: int, high: int, size: int) -> np.ndarray:
    """``size`` distinct integers in [low, high) (without building the range)."""
    out: list[int] = []
    seen: set[int] = set()
    while len(out) < size:
        x = int(rng.integers(low, high))
        if x not in seen:
            seen.add(x)
            out.append(x)
    return np.array(out, dtype=np.int64)


def tianchi_frame(n: int = 2000, seed: int = 14) -> pd.DataFrame:
    """``n`` trade lines of ~``n // 3`` buyers over ~150 items; buyers of a top category tend to buy
    within it again (so item-to-item neighbours exist)."""
    rng = np.random.default_rng(seed)
    n_users = max(10, n // 3)
    users = _distinct(rng, 10_000_000, 3_000_000_000, n_users)
    # items: each has a top category and a leaf category under it
    n_items = 150
    item_cat1 = rng.choice(len(CAT1), size=n_items, p=_CAT1_P)
    leaves = {c: _distinct(rng, 50_000_000, 50_030_000, 5) for c in range(len(CAT1))}
    item_leaf = np.array([leaves[c][rng.integers(0, 5)] for c in item_cat1])
    item_ids = _distinct(rng, 10_000_000_000, 45_000_000_000, n_items)
    popularity = rng.pareto(1.2, n_items) + 0.1
    # each buyer prefers one top category and buys 1..n lines (geometric: many buy once, some often)
    pref = rng.choice(len(CAT1), size=n_users, p=_CAT1_P)
    weight = rng.geometric(0.35, n_users).astype(float)
    buyer = rng.choice(n_users, size=n, p=weight / weight.sum())
    rows_item = np.empty(n, dtype=np.int64)
    for i, b in enumerate(buyer):
        same = item_cat1 == pref[b] if rng.random() < 0.8 else np.ones(n_items, dtype=bool)
        p = popularity * same
        rows_item[i] = rng.choice(n_items, p=p / p.sum())
    start = pd.Timestamp("2012-07-02")
    span = (pd.Timestamp("2015-02-05") - start).days
    first = rng.integers(0, span - 60, n_users)  # a buyer's first day; later lines follow it
    day = first[buyer] + rng.exponential(120, n).astype(int)
    late = day > span  # a repeat past the file's last day: somewhere between the buyer's first day and it
    day[late] = first[buyer][late] + (rng.random(int(late.sum())) * (span - first[buyer][late])).astype(int)
    days = start + pd.to_timedelta(day, unit="D")
    qty = np.where(rng.random(n) < 0.82, 1, rng.choice([2, 2, 3, 4, 5, 6, 10, 12, 28], n))
    props = [";".join(f"{rng.integers(1000, 130000000)}:{rng.integers(1000, 90000000)}"
                      for _ in range(rng.integers(1, 5))) for _ in range(n)]
    df = pd.DataFrame({
        "user_id": users[buyer].astype(str),
        "auction_id": item_ids[rows_item].astype(str),
        "cat_id": item_leaf[rows_item].astype(str),
        "cat1": np.array(CAT1)[item_cat1[rows_item]],
        "property": props,
        "buy_mount": qty.astype(int),
        "day": days.strftime("%Y%m%d"),
    })
    return df[list(COLUMNS)]


def tianchi_csv(n: int = 2000, seed: int = 14) -> bytes:
    """The frame as the public file is shipped: comma-separated, a header row, no index."""
    return tianchi_frame(n, seed).to_csv(index=False).encode()
