"""Market overview's distinct counts (``kpis.order_counts``) against their definitions, computed with pandas
on the same (order, customer, day) rows.

Most orders are one customer on one day, which the query counts without a distinct; the rows here also
hold the cases that take the distinct path: orders whose sale lines span days (in one period and across
periods), orders with two customers, orders with and without a customer id, days with only returns, and
customers without an id, customers new in a window or period and customers who bought before. Each window
and each period of the three grains is checked, with an empty input and inputs on one path only.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from analytics.market import kpis

GRAINS = ("day", "week", "month")
BASE = 20_000  # 2024-10-04, a Friday: weeks and months cut through the data


def _rows(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    custs = [f"C{i:03d}" for i in range(40)]
    late = [f"L{i:03d}" for i in range(30)]  # customers who first buy in the second half
    for o in range(600):
        okey = f"O{o:04d}"
        day = BASE + int(rng.integers(0, 90))
        if day > BASE + 45 and rng.random() < 0.3:
            custs_now = custs + late
        else:
            custs_now = custs
        kind = rng.random()
        if kind < 0.70:  # one customer, one day
            cells = [(rng.choice(custs_now + [None]), day)]
        elif kind < 0.80:  # one customer, two or three days, sometimes across a week or a month
            c = rng.choice(custs_now)
            cells = [(c, day + int(d)) for d in sorted(set(rng.integers(0, 12, size=int(rng.integers(2, 4)))))]
        elif kind < 0.90:  # two customers on one day
            a, b = rng.choice(custs_now, size=2, replace=False)
            cells = [(a, day), (b, day)]
        else:  # a line with and a line without a customer id, on one or two days
            cells = [(rng.choice(custs_now), day), (None, day + int(rng.integers(0, 2)))]
        for cust, d in cells:
            rows.append({"okey": okey, "cust": cust, "day": d, "sale_d": bool(rng.random() > 0.08),
                         "net_dc": float(rng.integers(1, 500))})
    od = pd.DataFrame(rows).drop_duplicates(["okey", "cust", "day"], keep="first")
    # the first sale day over every line of the data: on the first sale day here for about half of the
    # customers (new in the window or period of that day), earlier for the others
    first = od[od["sale_d"] & od["cust"].notna()].groupby("cust")["day"].min()
    first = first - np.where(rng.random(len(first)) < 0.5, 0, rng.integers(1, 60, size=len(first)))
    od["first"] = od["cust"].map(first).astype("Int64")
    od["any_dc"] = od["day"].between(BASE + 10, BASE + 80)
    return od.reset_index(drop=True)


def _period(day: pd.Series, grain: str) -> pd.Series:
    if grain == "day":
        return day
    dates = pd.to_datetime(day, unit="D")
    start = dates - pd.to_timedelta(dates.dt.day_of_week, unit="D") if grain == "week" else dates.dt.to_period("M").dt.start_time
    return (start - pd.Timestamp("1970-01-01")).dt.days


def _counts(rows: pd.DataFrame, nf: pd.Series | int) -> dict[str, int]:
    """The definitions on one window's or period's sale rows."""
    t = rows.assign(nf=nf).drop_duplicates(["okey", "cust"])
    ids = t[t["cust"].notna()]
    per = ids.groupby("cust").agg(n=("okey", "nunique"), first=("first", "min"), nf=("nf", "min"))
    return {"orders": t["okey"].nunique(), "id_orders": ids["okey"].nunique(), "buyers": len(per),
            "repeaters": int((per["n"] >= 2).sum()), "new_buyers": int((per["first"] >= per["nf"]).sum())}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_equal_their_definitions_for_every_window_and_period(seed):
    od = _rows(seed)
    # every path is there: orders on several days, several customers, and with a missing id
    per_order = od[od["sale_d"]].groupby("okey").agg(days=("day", "nunique"), custs=("cust", "nunique"),
                                                      missing=("cust", lambda c: c.isna().any()), rows=("day", "size"))
    assert (per_order["days"] > 1).sum() > 20 and (per_order["custs"] > 1).sum() > 20
    assert (per_order["missing"] & (per_order["rows"] > 1)).sum() > 5
    windows = [(BASE + 10, BASE + 80, BASE + 10), (BASE + 30, BASE + 36, BASE + 30), (BASE, BASE + 9, BASE - 5),
               (BASE + 44, BASE + 44, BASE + 44)]
    cur = (BASE + 10, BASE + 80)
    wins, periods, nets = kpis.order_counts(ibis.memtable(od), windows, GRAINS, cur)

    sold = od[od["sale_d"]]
    for (s, e, nf), got in zip(windows, wins):
        want = _counts(sold[sold["day"].between(s, e)], nf)
        assert got == want, (s, e)
        assert all(type(v) is int for v in got.values())
    assert sum(w["new_buyers"] for w in wins) >= 10 and all(w["repeaters"] > 0 for w in wins[:2])
    in_cur = sold[sold["day"].between(*cur)]
    for grain in GRAINS:
        keys = _period(in_cur["day"], grain)
        want = pd.DataFrame([{"key": k, **_counts(g, k)} for k, g in in_cur.groupby(keys)])
        got = periods[grain].sort_values("key").reset_index(drop=True)
        assert len(got) > 1 and (got["new_buyers"] > 0).sum() >= 3
        cols = ["key", "orders", "buyers", "repeaters", "new_buyers"]
        assert all(got[c].dtype == np.int64 for c in cols)
        pd.testing.assert_frame_equal(got[cols], want[cols].astype(np.int64))
    want_nets = od[od["any_dc"] & od["cust"].notna()].groupby("cust")["net_dc"].sum()
    assert sorted(nets) == pytest.approx(sorted(want_nets.to_numpy(dtype=float)))


@pytest.mark.parametrize("which", ["empty", "single only", "multi only", "returns only"])
def test_one_path_alone_or_nothing_gives_the_definitions(which):
    od = _rows(4)
    rows_per_order = od[od["sale_d"]].groupby("okey")["day"].transform("size")
    sold = od[od["sale_d"]].assign(rows=rows_per_order)
    if which == "empty":
        od = od.iloc[:0]
    elif which == "single only":
        od = od[od["okey"].isin(sold.loc[sold["rows"] == 1, "okey"])]
    elif which == "multi only":
        od = od[od["okey"].isin(sold.loc[sold["rows"] > 1, "okey"])]
    else:
        od = od.assign(sale_d=False)
    windows = [(BASE + 10, BASE + 80, BASE + 10), (BASE + 30, BASE + 36, BASE)]
    cur = (BASE + 10, BASE + 80)
    wins, periods, _nets = kpis.order_counts(ibis.memtable(od.reset_index(drop=True)), windows, GRAINS, cur)
    s = od[od["sale_d"]]
    for (a, e, nf), got in zip(windows, wins):
        assert got == _counts(s[s["day"].between(a, e)], nf)
    for grain in GRAINS:
        in_cur = s[s["day"].between(*cur)]
        want = {int(k): _counts(g, k)["buyers"] for k, g in in_cur.groupby(_period(in_cur["day"], grain))}
        assert dict(zip(periods[grain]["key"], periods[grain]["buyers"])) == want
