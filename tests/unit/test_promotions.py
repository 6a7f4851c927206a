"""Promotion planner: plans on the media-mix example, incentive arithmetic, pacing, risk detection."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from analytics import charts, mmm, promotions
from analytics.common import NotEnoughData
from analytics.params import parse_params
from tests.fixtures import _complete, mmm_example_media_mix

BASE = {"spend_cols": "x1,x2", "control_cols": "event_1,event_2", "n_boot": "60"}


def _params(**kw):
    raw = dict(BASE)
    raw.update({k: str(v) for k, v in kw.items()})
    parsed = parse_params(promotions.PARAMS, raw)
    assert not parsed.problems
    return parsed.values


@pytest.fixture(scope="module")
def frames():
    return {"media_mix": mmm_example_media_mix()}


@pytest.fixture(scope="module")
def fit(frames):
    return promotions.fit_model(frames, _params())


def test_budget_first_plan_on_the_example(frames):
    r = promotions.compute(frames, _params(budget=4, bounds="x2::1"), "en")
    for key in ("allocation", "total", "model", "feasibility", "risks", "findings", "warnings", "timeline", "fit"):
        assert key in r
    alloc = pd.DataFrame(r["allocation"])
    assert set(alloc.columns) >= {"channel", "spend", "expected_outcome", "lower", "upper", "marginal_roi"}
    assert alloc["spend"].sum() == pytest.approx(4.0)
    assert alloc.set_index("key").loc["x2", "spend"] <= 1 + 1e-9  # bounds name the column; rows show "X2"
    assert list(alloc["channel"]) == ["X1", "X2"]
    assert (alloc["lower"] <= alloc["expected_outcome"]).all() and (alloc["expected_outcome"] <= alloc["upper"]).all()
    tot = r["total"]
    assert tot["spend"] == pytest.approx(4.0)
    assert tot["expected_outcome"] == pytest.approx(alloc["expected_outcome"].sum())
    assert tot["lower"] <= tot["expected_outcome"] <= tot["upper"]
    model = {m["channel"]: m for m in r["model"]}
    assert abs(model["X1"]["contribution_share"] - 0.2905) < 0.05
    assert abs(model["X2"]["contribution_share"] - 0.0697) < 0.05
    assert model["X1"]["carryover"] > model["X2"]["carryover"]
    assert r["fit"]["holdout_mape"] is not None and r["fit"]["holdout_r2"] is not None
    assert len(r["residuals"]) == 179
    # the timeline spends exactly the plan
    tl = pd.DataFrame(r["timeline"])
    assert tl["spend"].sum() == pytest.approx(4.0)
    assert tl.groupby("channel")["spend"].sum().to_dict() == pytest.approx(alloc.set_index("channel")["spend"].to_dict())


def test_goal_first_reaches_the_target_with_a_probability(frames, fit):
    p = _params(target=30000, goal="outcome")
    r = promotions.plan(fit, p, "en")
    assert r["mode"] == "goal" and r["goal"]["reachable"]
    assert r["total"]["expected_total"] >= 30000 - 1e-6
    assert 0 <= r["goal"]["probability"] <= 1
    # an unreachable target is flagged in the risks and the feasibility verdict
    r2 = promotions.plan(fit, _params(target=10_000_000, goal="outcome"), "zh")
    assert not r2["goal"]["reachable"]
    assert r2["feasibility"]["verdict"] == "stop"
    assert "target_beyond" in {x["key"] for x in r2["risks"]}


def test_replanning_a_fitted_model_does_not_refit(fit, monkeypatch):
    from analytics import mmm

    def no_refit(*a, **k):
        raise AssertionError("plan() refitted the response model")

    monkeypatch.setattr(mmm, "fit_mmm", no_refit)
    monkeypatch.setattr(mmm, "fit_calibrated", no_refit)
    for b in (2, 3, 5):
        r = promotions.plan(fit, _params(budget=b), "en")
        assert r["total"]["spend"] == pytest.approx(b)


def test_spend_beyond_history_is_flagged(fit):
    r = promotions.plan(fit, _params(budget=40), "en")
    flagged = {x["channel"] for x in r["risks"] if x["key"] == "above_history"}
    alloc = {a["channel"]: a for a in r["allocation"]}
    expected = {c for c, a in alloc.items() if a["weekly_spend"] > a["hist_max_weekly"]}
    assert expected and flagged == expected


def test_incentive_break_even_by_hand():
    # coupon 20 off, all orders eligible, half redeem, AOV 200, margin 40%, 1,000 orders
    c = promotions.incentive_economics("coupon", aov=200, orders=1000, margin=0.4, redemption=0.5, face_value=20)
    assert c["cost"] == pytest.approx(1000 * 0.5 * 20)                  # 10,000
    assert c["margin_erosion"] == pytest.approx(10 / 200)               # 5 points of order value
    assert c["break_even_uplift"] == pytest.approx(10 / (80 - 10))      # 14.29%
    # check: 1,143 orders at (80 - 10) profit each restore the 80,000 baseline profit
    assert (1000 * (1 + c["break_even_uplift"])) * (80 - 10) == pytest.approx(80000)
    # 满减 300-30 with 60% of orders over the threshold, everyone eligible uses it
    s = promotions.incentive_economics("threshold", aov=250, orders=400, margin=0.3, redemption=1.0, threshold=300,
                                       off=30, eligible_share=0.6)
    assert s["cost"] == pytest.approx(400 * 0.6 * 30)
    assert s["break_even_uplift"] == pytest.approx(18 / (75 - 18))
    # points: 1 point per ¥, 1 point = ¥0.01, 80% redeemed -> 0.8% of AOV
    pt = promotions.incentive_economics("points", aov=100, orders=10, margin=0.5, redemption=0.8,
                                        points_per_unit=1, point_value=0.01)
    assert pt["cost"] == pytest.approx(10 * 0.8 * 1.0)
    assert pt["break_even_uplift"] == pytest.approx(0.8 / (50 - 0.8))
    # a discount above the profit per order never breaks even
    never = promotions.incentive_economics("coupon", aov=100, orders=10, margin=0.2, redemption=1, face_value=30)
    assert never["break_even_uplift"] is None


def test_incentive_from_orders_in_the_plan(fit):
    orders = pd.DataFrame({"order_id": [str(i) for i in range(8)],
                           "order_date": pd.date_range("2021-01-04", periods=8, freq="7D"),
                           "amount": [100.0, 200, 300, 400, 100, 200, 300, 400]})
    orders["is_return"] = False
    orders = _complete(orders, "orders")
    r = promotions.plan(fit, _params(incentive="threshold", threshold=300, off=30, redemption=1, margin=0.5),
                        "en", {"orders": orders})
    inc = r["incentive"]
    assert inc["aov"] == pytest.approx(250) and inc["eligible_share"] == pytest.approx(0.5)
    assert inc["break_even_uplift"] == pytest.approx(15 / (125 - 15))


def test_pacing_template_spreads_the_budget_over_phases():
    tl, phases = promotions.pacing({"a": 300.0, "b": 100.0}, 400.0, pd.Timestamp("2025-06-01").date(), 4, "standard")
    df = pd.DataFrame(tl)
    assert df["date"].nunique() == 28 and df["spend"].sum() == pytest.approx(400)
    assert [p["phase"] for p in phases] == ["warmup", "preheat", "burst", "encore"]
    assert [p["spend"] for p in phases] == pytest.approx([60, 100, 180, 60])
    assert sum(p["days"] for p in phases) == 28
    by = df.groupby("phase", sort=False)["spend"].sum()
    assert by["burst"] == pytest.approx(180)
    assert df.groupby("channel")["spend"].sum()["a"] == pytest.approx(300)


def test_bounds_string_and_per_channel_params():
    lo, hi, bad = promotions.parse_bounds("a:1:5,b::7,zz:1:2", {"min_c": 2}, ["a", "b", "c"])
    assert lo.tolist() == [1, 0, 2] and hi[:2].tolist() == [5, 7] and np.isinf(hi[2])
    assert bad == ["zz:1:2"]


def _synthetic(weeks: int, collinear: bool, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.uniform(10, 100, weeks)
    b = a * 0.5 + rng.normal(0, 1, weeks) if collinear else rng.uniform(10, 100, weeks)
    c = rng.uniform(0, 50, weeks)
    y = 1000 + 300 * mmm.logistic_saturation(mmm.adstock(a / a.max(), 0.3), 2) \
        + 200 * mmm.logistic_saturation(mmm.adstock(b / b.max(), 0.3), 2) \
        + 100 * mmm.logistic_saturation(c / c.max(), 2) + rng.normal(0, 10, weeks)
    df = pd.DataFrame({"date": pd.date_range("2022-01-03", periods=weeks, freq="7D"), "outcome": y,
                       "attr_spend_a": a, "attr_spend_b": b, "attr_spend_c": c})
    return _complete(df, "media_mix")


def test_collinear_channels_and_short_history_are_flagged():
    r = promotions.compute({"media_mix": _synthetic(40, True)}, {"n_boot": 30}, "en")
    risks = {x["key"]: x for x in r["risks"]}
    assert "collinear" in risks and risks["collinear"]["channel"] == "A / B"
    assert "short_history" in risks
    assert r["fit"]["seasonality"] is False
    assert r["feasibility"]["verdict"] in ("caution", "stop")
    r2 = promotions.compute({"media_mix": _synthetic(60, False)}, {"n_boot": 30}, "en")
    assert not {"collinear", "short_history"} & {x["key"] for x in r2["risks"]}
    with pytest.raises(NotEnoughData):
        promotions.compute({"media_mix": _synthetic(20, False)}, {"n_boot": 0}, "en")


def test_model_from_daily_channels_and_orders():
    rng = np.random.default_rng(5)
    days = pd.date_range("2023-01-02", periods=7 * 40, freq="D")
    rows, orders = [], []
    for d in days:
        for ch, base in (("douyin", 800), ("xhs", 300)):
            rows.append({"date": d, "channel": ch, "spend": base * rng.uniform(0.3, 1.7)})
    ch = _complete(pd.DataFrame(rows), "channels")
    daily = ch.groupby("date")["spend"].sum()
    for i, (d, s) in enumerate(daily.items()):
        orders.append({"order_id": f"o{i}", "order_date": d, "amount": 5000 + 2 * s + rng.normal(0, 50)})
    od = pd.DataFrame(orders)
    od["is_return"] = False
    od = _complete(od, "orders")
    r = promotions.compute({"channels": ch, "orders": od}, {"n_boot": 20, "budget": 30000}, "en")
    assert r["fit"]["source"] == "channels+orders" and r["fit"]["weeks"] == 40
    assert {a["channel"] for a in r["allocation"]} == {"Douyin", "Xiaohongshu"}  # named as people say them
    assert sum(a["spend"] for a in r["allocation"]) == pytest.approx(30000)
    with pytest.raises(NotEnoughData):
        promotions.compute({"orders": od}, {}, "en")


def test_figures_state_findings_in_both_languages(fit):
    for lang in ("en", "zh"):
        r = promotions.plan(fit, _params(budget=4), lang)
        figs = promotions.figures(r, lang)
        assert {f["key"] for f in figs} >= {"allocation", "curves", "contributions", "fit", "timeline"}
        alloc = max(r["allocation"], key=lambda a: a["spend"])
        title = next(f["title"] for f in figs if f["key"] == "allocation")
        assert alloc["channel"] in title
        for f in figs:
            assert charts.plain(f["figure"].layout.title.text) == f["title"]
