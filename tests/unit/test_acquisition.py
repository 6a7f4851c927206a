"""The acquisition ceiling (issue 17 item 6), checked against numbers computed another way: the CLV of a
new customer against a simulation of the BG/NBD + Gamma-Gamma story, the ceiling and the cost per new buyer
against hand arithmetic, the engine's first purchases against pandas."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics import acquisition, clv as clvmod
from data import engine

PARAMS = {"r": 0.6, "alpha": 4.0, "a": 0.9, "b": 3.5, "p": 5.0, "q": 4.0, "gamma": 30.0}


def simulated_clv(params: dict, horizon: int, discount: float, n: int = 400_000, seed: int = 1) -> float:
    """The story the models tell, simulated: purchase rate ~ Gamma(r, 1/alpha) per week, drop-out after each
    repeat purchase with probability ~ Beta(a, b); a purchase's value ~ Gamma(p, 1/nu), nu ~ Gamma(q, 1/gamma);
    each purchase of month i counts 1 / (1 + discount)^i."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(params["r"], 1 / params["alpha"], n)
    drop = rng.beta(params["a"], params["b"], n)
    nu = rng.gamma(params["q"], 1 / params["gamma"], n)
    end = horizon * clvmod.DAYS_PER_MONTH / 7.0
    per_week_month = clvmod.DAYS_PER_MONTH / 7.0
    now = np.zeros(n)
    alive = np.ones(n, bool)
    total = np.zeros(n)
    while alive.any():
        idx = np.flatnonzero(alive)
        now[idx] += rng.exponential(1 / lam[idx])
        inside = now[idx] <= end
        idx_in = idx[inside]
        alive[idx[~inside]] = False
        month = np.ceil(now[idx_in] / per_week_month)
        value = rng.gamma(params["p"], 1 / nu[idx_in])
        total[idx_in] += value / (1 + discount) ** month
        alive[idx_in[rng.random(len(idx_in)) < drop[idx_in]]] = False
    return float(total.mean())


def test_new_customer_clv_matches_a_simulation_of_the_models():
    got = acquisition.new_customer_clv(PARAMS, 12, 0.01, "week")
    sim = simulated_clv(PARAMS, 12, 0.01)
    assert got == pytest.approx(sim, rel=0.015)  # 400,000 simulated customers: ~0.3% standard error
    # and the population formula (eq. 7) times the mean spend p*gamma/(q-1), without discounting
    bg = clvmod.BGNBD(PARAMS["r"], PARAMS["alpha"], PARAMS["a"], PARAMS["b"], math.nan, 0, True)
    undiscounted = acquisition.new_customer_clv(PARAMS, 12, 0.0, "week")
    t = 12 * clvmod.DAYS_PER_MONTH / 7.0
    assert undiscounted == pytest.approx(float(clvmod.population_expected_purchases(bg, t))
                                         * PARAMS["p"] * PARAMS["gamma"] / (PARAMS["q"] - 1), rel=1e-9)


def first_frame() -> pd.DataFrame:
    # Douyin: 4 new buyers worth 100, 120, 80, 100 on their first day; Taobao: 2 worth 50 and 70; one before
    # the window (not counted)
    return pd.DataFrame({"channel": ["Douyin", "Douyin", "Taobao", "Douyin", "Taobao"],
                         "day": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-09", "2024-01-20", "2023-12-01"]),
                         "buyers": [1, 2, 2, 1, 3], "value": [100.0, 200.0, 120.0, 100.0, 999.0]})


def test_ceiling_and_cost_per_new_buyer_by_hand():
    dates = pd.date_range("2024-01-01", periods=4, freq="7D")  # window 2024-01-01 .. 2024-01-29
    X = np.array([[1000.0, 300.0, 50.0], [1000.0, 300.0, 50.0], [1000.0, 300.0, 50.0], [1000.0, 300.0, 50.0]])
    segs = pd.DataFrame({"segment": ["A", "A", "A", "B", "B", "C"], "clv": [100.0, 200.0, 300.0, 40.0, np.nan, 10.0]})
    clv = {"params": PARAMS, "horizon": 12, "discount": 0.01, "time_unit": "week"}
    res = acquisition.ceiling(segments=segs, clv=clv, first=first_frame(), dates=dates, X=X,
                              channels=["spend_douyin", "spend_taobao", "spend_jd"], names=["Douyin", "Taobao", "JD"],
                              margin=0.5)
    new = acquisition.new_customer_clv(PARAMS, 12, 0.01, "week")
    assert res["status"] == "ok" and res["new_customer_clv"] == pytest.approx(new)
    assert res["window"] == [pd.Timestamp("2024-01-01").date(), pd.Timestamp("2024-01-21").date()]
    fov = (100 + 200 + 120 + 100) / 6  # first-day sales of the window's new buyers / their number
    assert res["first_order_value"] == pytest.approx(fov)
    assert res["ceiling"] == pytest.approx(0.5 * (fov + new))
    seg = {s["segment"]: s for s in res["segments"]}
    assert seg["A"]["customers"] == 3 and seg["A"]["mean_clv"] == pytest.approx(200)
    half = 1.959963984540054 * 100 / math.sqrt(3)  # s = 100
    assert seg["A"]["clv_low"] == pytest.approx(200 - half) and seg["A"]["clv_high"] == pytest.approx(200 + half)
    assert seg["A"]["ceiling"] == pytest.approx(0.5 * (fov + 200))
    assert seg["A"]["ceiling_high"] == pytest.approx(0.5 * (fov + 200 + half))
    assert seg["B"]["customers"] == 1 and seg["B"]["clv_low"] is None  # one customer: no interval
    assert [s["segment"] for s in res["segments"]] == ["A", "B", "C"]  # highest ceiling first
    ch = {c["channel"]: c for c in res["channels"]}
    # the window ends with the orders' last first purchase (2024-01-20): 3 weeks of spend count
    assert ch["Douyin"]["spend"] == 3000 and ch["Douyin"]["new_buyers"] == 4
    assert ch["Douyin"]["cost_per_new_buyer"] == pytest.approx(750)
    assert ch["Douyin"]["ceiling"] == pytest.approx(0.5 * (100 + new))
    assert ch["Taobao"]["new_buyers"] == 2 and ch["Taobao"]["cost_per_new_buyer"] == pytest.approx(450)
    assert ch["JD"]["status"] == "no_buyers" and ch["JD"]["cost_per_new_buyer"] is None
    for c in (ch["Douyin"], ch["Taobao"]):
        assert c["above"] == (c["cost_per_new_buyer"] > c["ceiling"])
        assert c["status"] == ("above" if c["above"] else "below")
    # a lower margin lowers every ceiling in proportion and can flag a channel
    low = acquisition.ceiling(segments=segs, clv=clv, first=first_frame(), dates=dates, X=X,
                              channels=["spend_douyin", "spend_taobao", "spend_jd"], names=["Douyin", "Taobao", "JD"],
                              margin=0.05)
    d = next(c for c in low["channels"] if c["channel"] == "Douyin")
    assert d["ceiling"] == pytest.approx(0.05 * (100 + new)) and d["status"] == "above"
    assert any("Douyin" in w for w in low["warnings"])


def test_without_a_channel_or_a_clv_model_it_says_so():
    dates = pd.date_range("2024-01-01", periods=2, freq="7D")
    X = np.ones((2, 1))
    clv = {"params": PARAMS, "horizon": 6, "discount": 0.0, "time_unit": "week"}
    res = acquisition.ceiling(segments=None, clv=clv, first=None, dates=dates, X=X, channels=["spend_a"], names=["A"],
                              margin=0.4)
    assert res["channels"][0]["status"] == "no_channel" and res["channels"][0]["cost_per_new_buyer"] is None
    assert res["ceiling"] == pytest.approx(0.4 * acquisition.new_customer_clv(PARAMS, 6, 0.0, "week"))
    assert any("no channel column" in w for w in res["warnings"])
    apart = acquisition.ceiling(segments=None, clv=clv, first=first_frame(), dates=dates + pd.Timedelta(days=400),
                                X=X, channels=["spend_douyin"], names=["Douyin"], margin=0.4)
    assert apart["window"] is None and apart["channels"][0]["status"] == "no_overlap"
    # without common weeks the first order's value comes from all the orders' first purchases (not 0), and
    # the spend of no common week is unknown (None), not 0
    ff = first_frame()
    assert apart["first_order_value"] == pytest.approx(1519.0 / 9) == pytest.approx(ff["value"].sum() / ff["buyers"].sum())
    assert apart["channels"][0]["spend"] is None
    assert any("no common weeks" in w for w in apart["warnings"])
    none = acquisition.ceiling(segments=None, clv=None, first=None, dates=dates, X=X, channels=["spend_a"],
                               names=["A"], margin=0.4, lang="zh")
    assert none["status"] == "no_clv" and "CLV" in none["warnings"][0]


def test_first_purchases_in_the_engine_match_pandas():
    rng = np.random.default_rng(5)
    n = 3000
    df = pd.DataFrame({
        "customer_id": rng.integers(0, 400, n).astype(str),
        "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90 * 24, n), unit="h"),
        "amount": rng.gamma(2.0, 50.0, n).round(2),
        "channel": rng.choice(["Douyin", "Taobao", "JD"], n),
        "is_return": rng.random(n) < 0.05,
    })
    got = acquisition.first_purchases(engine.from_frame(df))
    keep = df.loc[~df["is_return"]].copy()
    keep["day"] = keep["order_date"].dt.normalize()
    keep = keep.sort_values("order_date", kind="stable")
    first = keep.groupby("customer_id").agg(day=("day", "min"), channel=("channel", "first"))
    fd = keep.merge(first, on=["customer_id", "day"], suffixes=("", "_first"))
    value = fd.groupby("customer_id")["amount"].sum()
    first["value"] = value
    want = first.groupby(["channel", "day"]).agg(buyers=("value", "size"), value=("value", "sum")).reset_index()
    merged = got.merge(want, on=["channel", "day"], how="outer", suffixes=("_got", "_want"))
    assert len(merged) == len(want) == len(got)
    np.testing.assert_array_equal(merged["buyers_got"], merged["buyers_want"])
    np.testing.assert_allclose(merged["value_got"], merged["value_want"], rtol=1e-9)
    assert acquisition.first_purchases(engine.from_frame(df.drop(columns="channel"))) is None


def test_the_planner_without_orders_says_what_the_ceiling_needs():
    from analytics import mmm, promotions

    dates = pd.date_range("2024-01-01", periods=3, freq="7D")
    data = mmm.MMMData(dates=dates, y=np.ones(3), X=np.ones((3, 1)), channels=["spend_douyin"],
                       controls=np.zeros((3, 0)), control_names=[])
    res = promotions.acquisition_ceiling(data, None, None, {}, "en", orders=False)
    assert res["status"] == "no_orders" and res["margin"] == 0.4
    assert res["warnings"] == ["The acquisition ceiling needs an orders dataset (customer ids and dates) for the "
                               "CLV model: pick one in the sidebar."]
