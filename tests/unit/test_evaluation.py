"""Post-campaign evaluation (issue 7): Hillstrom figures, independent scipy/statsmodels checks, simulated
counterfactual with a known effect, uplift / Qini, money, feedback, memo, i18n and speed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from analytics import evaluation as ev
from analytics import stats as st
from analytics.common import NotEnoughData
from analytics.i18n import catalogue
from analytics.params import Param, parse_params
from tests.fixtures import _complete, hillstrom_experiments

CONTROL = "No E-Mail"
ARMS = ("Mens E-Mail", "Womens E-Mail")


# ---------------------------------------------------------------- data


@pytest.fixture(scope="module")
def hill() -> pd.DataFrame:
    return hillstrom_experiments()


@pytest.fixture(scope="module")
def res(hill) -> dict:
    return ev.compute({"experiments": hill}, {"control": CONTROL}, "en")


@pytest.fixture(scope="module")
def res_zh(hill) -> dict:
    return ev.compute({"experiments": hill}, {"control": CONTROL, "campaign_cost": 1000.0}, "zh")


def arm(result: dict, group: str) -> dict:
    return next(a for a in result["arms"] if a["group"] == group)


def sim_experiment(n: int, seed: int = 0, lifts=(0.0, 0.01), base=0.05, hetero: float = 0.0) -> pd.DataFrame:
    """Units in groups Control / A / B; conversion lift per arm; optional extra lift for segment 'x'."""
    rng = np.random.default_rng(seed)
    groups = np.array(["Control", "A", "B"][: len(lifts) + 1])
    g = rng.choice(groups, n)
    seg = rng.choice(np.array(["x", "y"]), n)
    pre = rng.gamma(2.0, 50.0, n)
    lift = np.zeros(n)
    for i, lf in enumerate(lifts):
        lift[g == groups[i + 1]] = lf
    lift = lift + np.where((g != "Control") & (seg == "x"), hetero, 0.0)
    conv = rng.random(n) < np.clip(base + 0.0004 * (pre - 100) + lift, 0, 1)
    rev = np.where(conv, rng.gamma(2.0, 40.0, n) + 0.3 * pre, 0.0)
    df = pd.DataFrame({
        "unit_id": pd.Series(np.arange(n)).astype("str"), "group": pd.Series(g, dtype="str"),
        "converted": pd.array(conv, dtype="boolean"), "revenue": rev,
        "visited": pd.array(conv | (rng.random(n) < 0.2), dtype="boolean"), "pre_period_value": pre,
        "attr_segment": pd.Series(seg, dtype="str"),
        "attr_region": pd.Series(rng.choice(np.array(["N", "S", "E", "W"]), n), dtype="str"),
    })
    return _complete(df, "experiments")


def sim_series(seed: int, n: int = 200, start: int = 150, effect: float = 20.0):
    """Control series (random walks, one seasonal); treated = 2 x control 1 + noise, +effect per day after start."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=n, freq="D")
    c1 = 100 + np.cumsum(rng.normal(0, 2, n)) + 10 * np.sin(np.arange(n) / 7 * 2 * np.pi)
    c2 = 80 + np.cumsum(rng.normal(0, 2, n))
    treated = 2 * c1 + rng.normal(0, 3, n)
    treated[start:] += effect
    return pd.DataFrame({"T": treated, "C1": c1, "C2": c2}, index=dates), dates[start], effect * (n - start)


def sim_orders(seed: int = 0, days: int = 120, start_day: int = 90, effect_per_day: float = 400.0, tag=False):
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    base = 1000 + 200 * np.sin(np.arange(days) / 7 * 2 * np.pi) + np.cumsum(rng.normal(0, 20, days))
    frames = []
    for region, mult in {"East": 2.0, "North": 1.0, "South": 0.8, "West": 1.2}.items():
        daily = mult * base + rng.normal(0, 30, days)
        if region == "East":
            daily[start_day:] += effect_per_day
        shares = np.array([0.4, 0.3, 0.2, 0.1])
        amount = (daily[:, None] * shares[None, :]).ravel()
        day = np.repeat(np.arange(days), 4)
        line = np.tile(np.arange(4), days)
        frames.append(pd.DataFrame({
            "order_id": [f"{region}-{d}-{j}" for d, j in zip(day, line)],
            "order_date": dates[day] + pd.to_timedelta(line, unit="h"),
            "amount": amount, "region": region, "customer_id": [f"c{j}" for j in line],
            "campaign": [("coupon" if (tag and region == "East" and d >= start_day) else None) for d in day],
        }))
    df = pd.concat(frames, ignore_index=True)
    df["order_date"] = df["order_date"].astype("datetime64[ns]")
    for c in ("order_id", "region", "customer_id", "campaign"):
        df[c] = df[c].astype("str")
    df["is_return"] = False
    return _complete(df, "orders"), dates[start_day], effect_per_day * (days - start_day)


def feedback_frame() -> pd.DataFrame:
    fb = pd.DataFrame({
        "campaign": ["618"] * 6 + ["双11"] * 4,
        "nps": [10, 9, 9, 8, 7, 3, 10, 6, 5, 9],
        "rating": [5, 5, 4, 4, 3, 1, 5, 2, 2, 4],
        "comment": ["物流很快，质量不错", "质量不错，物流很快", "物流很快", "包装很好", "价格便宜", "客服态度很差",
                    "Fast delivery, great quality", "slow delivery", "not good quality", "great quality"],
    })
    for c in ("campaign", "comment"):
        fb[c] = fb[c].astype("str")
    return _complete(fb, "feedback")


# ---------------------------------------------------------------- interface


def test_page_interface():
    assert ev.PAGE == "post-campaign-evaluation"
    assert ev.KINDS == {"experiments": False, "feedback": False, "orders": False}
    assert all(isinstance(p, Param) for p in ev.PARAMS)
    keys = [p.key for p in ev.PARAMS]
    assert len(keys) == len(set(keys))
    for k in ("control", "split", "alpha", "outcomes", "segment_by", "campaign_cost", "incentive_cost", "plan_id",
              "plan_spend", "plan_outcome", "cf_metric", "cf_treated", "campaign_start", "campaign_end",
              "feedback_campaign"):
        assert k in keys
    parsed = parse_params(ev.PARAMS, {"alpha": "0.1", "split": "1:1:1", "campaign_start": "2024-03-31"})
    assert parsed.problems == [] and parsed.values["alpha"] == 0.1
    with pytest.raises(NotEnoughData):
        ev.compute({}, {}, "en")


def test_empty_and_partial_inputs():
    one = sim_experiment(500, seed=1, lifts=())
    with pytest.raises(NotEnoughData) as e:
        ev.compute({"experiments": one}, {}, "en")
    assert e.value.key == "evaluation.error.one_group"
    # with feedback present the page still answers what it can and says why the test part is missing
    r = ev.compute({"experiments": one, "feedback": feedback_frame()}, {}, "en")
    assert r["arms"] == [] and r["feedback"]["nps"]["nps"] == pytest.approx(20.0)
    assert any("Only one group" in w for w in r["warnings"])
    # units without a group are left out and counted
    df = sim_experiment(3000, seed=1, lifts=(0.01,))
    df.loc[df.index[:7], "group"] = np.nan
    r = ev.compute({"experiments": df}, {"segment_by": ["segment"]}, "en")
    assert sum(a["n"] for a in r["arms"]) + next(g["n"] for g in r["group_table"] if g["is_control"]) == 2993
    assert any(w.startswith("7 units have no group") for w in r["warnings"])
    # revenue only: conversion is derived from revenue > 0 and said so
    df = sim_experiment(3000, seed=1, lifts=(0.01,))
    df["converted"] = pd.array([pd.NA] * len(df), dtype="boolean")
    df["visited"] = pd.array([pd.NA] * len(df), dtype="boolean")
    r = ev.compute({"experiments": df}, {"segment_by": ["segment"]}, "en")
    assert set(r["outcomes"]) == {"conversion", "revenue", "revenue_per_converter"}
    assert any("revenue is above 0" in w for w in r["warnings"])


def test_result_is_json_safe(res):
    json.dumps(res, allow_nan=False)
    for key in ("control", "srm", "arms", "cuped", "segments", "uplift", "memo", "money", "feedback",
                "counterfactual", "findings", "warnings"):
        assert key in res


# ---------------------------------------------------------------- Hillstrom: published figures


def test_hillstrom_group_rates_match_source_md(res):
    rows = {r["group"]: r for r in res["group_table"]}
    expected = {"Mens E-Mail": (0.182757, 0.012531, 1.422617), "Womens E-Mail": (0.151400, 0.008837, 1.077202),
                "No E-Mail": (0.106167, 0.005726, 0.652789)}
    for g, (visit, conv, spend) in expected.items():
        assert round(rows[g]["visit"], 6) == visit
        assert round(rows[g]["conversion"], 6) == conv
        assert round(rows[g]["revenue"], 6) == spend
    assert res["control"] == CONTROL
    assert [rows[g]["n"] for g in ("Mens E-Mail", "Womens E-Mail", "No E-Mail")] == [21307, 21387, 21306]


def test_hillstrom_lifts_match_source_md(res):
    m, w = arm(res, "Mens E-Mail")["outcomes"], arm(res, "Womens E-Mail")["outcomes"]
    assert round(m["visit"]["lift_abs"] * 100, 3) == 7.659
    assert round(m["conversion"]["lift_abs"] * 100, 3) == 0.681
    assert round(m["revenue"]["lift_abs"], 4) == 0.7698
    assert round(w["visit"]["lift_abs"] * 100, 3) == 4.523
    assert round(w["conversion"]["lift_abs"] * 100, 3) == 0.311
    assert round(w["revenue"]["lift_abs"], 4) == 0.4244
    # revenue per converter: Mens 113.53, Womens 121.89, control 114.00 (SOURCE.md)
    assert round(m["revenue_per_converter"]["value"], 2) == 113.53
    assert round(w["revenue_per_converter"]["value"], 2) == 121.89
    assert round(m["revenue_per_converter"]["control_value"], 2) == 114.00
    assert m["visit"]["lift_rel"] == pytest.approx(0.182757 / 0.106167 - 1, abs=1e-4)


def test_hillstrom_p_values_and_intervals_equal_scipy_statsmodels(res, hill):
    raw = pd.DataFrame({"g": hill["group"].to_numpy(), "visit": hill["visited"].astype(int).to_numpy(),
                        "conversion": hill["converted"].astype(int).to_numpy(), "revenue": hill["revenue"].to_numpy()})
    ctrl = raw[raw.g == CONTROL]
    pvals = []
    for g in ARMS:
        a = arm(res, g)["outcomes"]
        tr = raw[raw.g == g]
        for o in ("visit", "conversion"):
            c1, n1, c2, n2 = tr[o].sum(), len(tr), ctrl[o].sum(), len(ctrl)
            _, p = proportions_ztest([c1, c2], [n1, n2])
            lo, hi = confint_proportions_2indep(c1, n1, c2, n2, method="newcomb", compare="diff")
            assert a[o]["p_value"] == pytest.approx(p, rel=1e-6, abs=1e-300)
            assert a[o]["ci_low"] == pytest.approx(lo, rel=1e-9) and a[o]["ci_high"] == pytest.approx(hi, rel=1e-9)
            assert a[o]["ci_low"] < a[o]["lift_abs"] < a[o]["ci_high"]
        t = sps.ttest_ind(tr["revenue"], ctrl["revenue"], equal_var=False)
        ci = t.confidence_interval(0.95)
        assert a["revenue"]["p_value"] == pytest.approx(t.pvalue, rel=1e-8)
        assert a["revenue"]["ci_low"] == pytest.approx(ci.low, rel=1e-9)
        assert a["revenue"]["ci_high"] == pytest.approx(ci.high, rel=1e-9)
        conv_t, conv_c = tr[tr.conversion == 1], ctrl[ctrl.conversion == 1]
        t2 = sps.ttest_ind(conv_t["revenue"], conv_c["revenue"], equal_var=False)
        assert a["revenue_per_converter"]["p_value"] == pytest.approx(t2.pvalue, rel=1e-8)
        assert a["revenue_per_converter"]["n"] == len(conv_t)
        pvals += [a[o]["p_value"] for o in ("visit", "conversion", "revenue", "revenue_per_converter")]
    # Holm across the 2 arms x 4 outcomes
    expected = multipletests(pvals, method="holm")[1]
    got = [arm(res, g)["outcomes"][o]["p_value_adjusted"] for g in ARMS
           for o in ("visit", "conversion", "revenue", "revenue_per_converter")]
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    assert arm(res, "Mens E-Mail")["outcomes"]["revenue"]["significant"]
    assert not arm(res, "Mens E-Mail")["outcomes"]["revenue_per_converter"]["significant"]


def test_hillstrom_srm_passes_with_equal_split_and_fails_with_a_wrong_one(res, hill):
    srm = res["srm"]
    counts = hill["group"].value_counts()
    assert srm["observed"] == [counts[g] for g in res["groups"]]
    assert srm["expected"] == pytest.approx([64000 / 3] * 3)
    assert srm["p_value"] == pytest.approx(sps.chisquare(srm["observed"]).pvalue)
    assert srm["p_value"] > 0.001 and not srm["failed"]
    # groups sorted by name: Mens, No E-Mail, Womens -> a 40:20:40 split does not match a 1:1:1 test
    bad = ev.compute({"experiments": hill}, {"control": CONTROL, "split": "40:20:40", "segment_by": ["newbie"]}, "en")
    assert bad["srm"]["failed"] and bad["srm"]["expected"] == pytest.approx([25600, 12800, 25600])
    assert any("mismatch" in w for w in bad["warnings"])


def test_an_unequal_split_without_a_given_split_is_reported_as_an_assumption():
    """The demo's coupon test was assigned 20:40:40 (Control, ¥20, ¥50). Without a split the equal split
    is only an assumption: the warning and the memo say so and offer the observed split to enter; with
    that split entered the check passes."""
    from data import demo

    frames = {"experiments": demo.generate(seed=7)["experiments"]}
    r = ev.compute(frames, {}, "en")
    assert r["srm"]["failed"] and not r["srm"]["split_given"] and r["srm"]["suggested_split"] == "20:40:40"
    assert any("No intended split was given" in w and "20:40:40" in w and "(p < 0.001)" in w for w in r["warnings"])
    assert not any("do not match the intended split" in w for w in r["warnings"])
    assert any("no intended split was given" in c for c in r["memo"]["checks"])
    zh = ev.compute(frames, {}, "zh")
    assert any("未填写计划分流" in w and "20:40:40" in w for w in zh["warnings"])
    ok = ev.compute(frames, {"split": r["srm"]["suggested_split"]}, "en")
    assert ok["srm"]["split_given"] and not ok["srm"]["failed"] and ok["srm"]["p_value"] > 0.001
    assert not any("split" in w for w in ok["warnings"])


def test_control_is_found_by_name_or_smallest_group(hill):
    groups = ["Coupon", "Holdout", "Discount"]
    assert ev.pick_control(groups, np.array([10, 50, 10]), None) == ("Holdout", "name")
    assert ev.pick_control(["A", "B"], np.array([100, 40]), None) == ("B", "smallest")
    assert ev.pick_control(["实验组", "对照组"], np.array([10, 10]), None) == ("对照组", "name")
    assert ev.pick_control(["A", "B"], np.array([100, 40]), "A") == ("A", "param")
    assert ev.parse_split("40:40:20", 3) == [40, 40, 20]
    assert ev.parse_split("1:1", 3) is None and ev.parse_split("a:b", 2) is None


def test_hillstrom_cuped_with_history_narrows_the_spend_interval(res, hill):
    y, x = hill["revenue"].to_numpy(), hill["pre_period_value"].to_numpy()
    theta = np.cov(y, x)[0, 1] / np.var(x, ddof=1)
    rows = [c for c in res["cuped"] if c["outcome"] == "revenue"]
    assert {c["group"] for c in rows} == set(ARMS)
    for c in rows:
        assert c["theta"] == pytest.approx(theta, rel=1e-9)
        assert c["ci_width_after"] < c["ci_width_before"]
        assert c["narrower_by"] > 0
        # adjusted lift = raw lift - theta * (difference in mean history), computed independently
        g = hill["group"] == c["group"]
        cc = hill["group"] == CONTROL
        raw = y[g].mean() - y[cc].mean()
        assert c["lift_abs"] == pytest.approx(raw - theta * (x[g].mean() - x[cc].mean()), rel=1e-9)
        # before = plain Welch on spend
        t = sps.ttest_ind(y[g], y[cc], equal_var=False).confidence_interval()
        assert c["ci_width_before"] == pytest.approx(t.high - t.low, rel=1e-9)


def test_power_and_mde_for_the_sample_at_hand(res):
    r = arm(res, "Mens E-Mail")["outcomes"]["visit"]
    p = r["control_value"]
    z = sps.norm.ppf(0.975) + sps.norm.ppf(0.8)
    assert r["mde_abs"] == pytest.approx(z * np.sqrt(p * (1 - p) * (1 / r["n"] + 1 / r["control_n"])), rel=1e-9)
    assert r["mde_rel"] == pytest.approx(r["mde_abs"] / p)
    assert {(x["group"], x["outcome"]) for x in res["power"]} >= {(g, "revenue") for g in ARMS}


def test_hillstrom_segments_match_pandas_and_flag_the_womens_interaction(res, hill):
    seg = res["segments"]
    assert set(seg["attributes"]) == {"recency", "history_segment", "mens", "womens", "zip_code", "newbie", "channel"}
    assert all(r["n"] >= seg["min_n"] and r["control_n"] >= seg["min_n"] for r in seg["rows"])
    row = next(r for r in seg["rows"] if r["attribute"] == "zip_code" and r["segment"] == "Urban"
               and r["group"] == "Mens E-Mail" and r["outcome"] == "visit")
    m = hill["attr_zip_code"] == "Urban"
    t = hill.loc[m & (hill["group"] == "Mens E-Mail"), "visited"].astype(int)
    c = hill.loc[m & (hill["group"] == CONTROL), "visited"].astype(int)
    assert row["n"] == len(t) and row["control_n"] == len(c)
    assert row["value"] == pytest.approx(t.mean()) and row["control_value"] == pytest.approx(c.mean())
    assert row["lift_abs"] == pytest.approx(t.mean() - c.mean())
    lo, hi = confint_proportions_2indep(t.sum(), len(t), c.sum(), len(c), method="newcomb", compare="diff")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi))
    # Cochran's Q for womens (0/1) x Womens E-Mail on visits, by hand from pandas
    d, v = [], []
    for val in (0, 1):
        mm = hill["attr_womens"] == val
        a = hill.loc[mm & (hill["group"] == "Womens E-Mail"), "visited"].astype(float)
        b = hill.loc[mm & (hill["group"] == CONTROL), "visited"].astype(float)
        d.append(a.mean() - b.mean())
        v.append(a.mean() * (1 - a.mean()) / len(a) + b.mean() * (1 - b.mean()) / len(b))
    q = (d[0] - d[1]) ** 2 / (v[0] + v[1])
    h = next(h for h in seg["heterogeneity"] if h["attribute"] == "womens" and h["group"] == "Womens E-Mail"
             and h["outcome"] == "visit")
    assert h["q"] == pytest.approx(q, rel=1e-9) and h["p_value"] == pytest.approx(sps.chi2.sf(q, 1))
    assert h["flagged"]
    # the noise warning is always there when segments are shown
    assert any("by chance" in w for w in res["warnings"])


def test_hillstrom_uplift_model_and_ranked_list(res, hill):
    up = res["uplift"]
    assert up["status"] == "ok" and up["control"] == CONTROL
    assert up["n_test"] == pytest.approx(0.3 * up["n_pool"], abs=2)
    assert -1 <= up["qini_auc"] <= 1
    assert up["curve"][0]["units"] == 0 and up["curve"][-1]["share"] == pytest.approx(1.0)
    ranked = up["ranked"]
    assert len(ranked) == 1000 and ranked[0]["rank"] == 1
    scores = [r["uplift_score"] for r in ranked]
    assert scores == sorted(scores, reverse=True)
    assert len({r["unit_id"] for r in ranked}) == 1000
    assert set(r["unit_id"] for r in ranked) <= set(hill["unit_id"])


def test_uplift_model_finds_a_planted_segment_effect():
    df = sim_experiment(60_000, seed=4, lifts=(0.0,), base=0.08, hetero=0.15)
    r = ev.compute({"experiments": df}, {"uplift_outcome": "conversion", "export_n": 500}, "en")
    up = r["uplift"]
    assert up["outcome"] == "conversion" and up["arm"] == "A"
    # the oracle score (the planted segment itself) on all units; the model, on held-out units, gets close
    y = df["converted"].to_numpy(dtype=float)
    t = (df["group"] == "A").to_numpy(dtype=float)
    oracle = st.qini_auc_score(y, (df["attr_segment"] == "x").to_numpy(dtype=float), t)
    assert oracle > 0.1
    assert up["qini_auc"] > 0.7 * oracle
    # a model that ignores the segment scores about 0
    assert abs(st.qini_auc_score(y, np.random.default_rng(0).random(len(y)), t)) < 0.05
    seg = df.set_index("unit_id")["attr_segment"]
    top = [seg[u["unit_id"]] for u in up["ranked"]]
    assert top.count("x") / len(top) > 0.95
    h = next(h for h in r["segments"]["heterogeneity"] if h["attribute"] == "segment" and h["outcome"] == "conversion")
    assert h["flagged"]


# ---------------------------------------------------------------- money and memo


def test_money_incremental_revenue_cost_and_roi(hill):
    r = ev.compute({"experiments": hill}, {"control": CONTROL, "campaign_cost": 1000.0, "incentive_cost": 2.0,
                                           "plan_spend": 1500.0, "plan_outcome": 20000.0, "plan_id": "p1",
                                           "segment_by": ["newbie"]}, "en")
    money = r["money"]
    n = {g: int((hill["group"] == g).sum()) for g in ARMS}
    conv = {g: int(hill.loc[hill["group"] == g, "converted"].sum()) for g in ARMS}
    for row in money["arms"]:
        g = row["group"]
        lift = hill.loc[hill["group"] == g, "revenue"].mean() - hill.loc[hill["group"] == CONTROL, "revenue"].mean()
        assert row["incremental_revenue"] == pytest.approx(lift * n[g])
        cost = 1000.0 * n[g] / sum(n.values()) + 2.0 * conv[g]
        assert row["cost"] == pytest.approx(cost)
        assert row["roi"] == pytest.approx((lift * n[g] - cost) / cost)
        t = sps.ttest_ind(hill.loc[hill["group"] == g, "revenue"], hill.loc[hill["group"] == CONTROL, "revenue"],
                          equal_var=False).confidence_interval()
        assert row["ci_low"] == pytest.approx(t.low * n[g]) and row["ci_high"] == pytest.approx(t.high * n[g])
    assert conv == {"Mens E-Mail": 267, "Womens E-Mail": 189}
    plan = {p["item"]: p for p in money["plan"]["rows"]}
    total_inc = sum(x["incremental_revenue"] for x in money["arms"])
    total_cost = sum(x["cost"] for x in money["arms"])
    assert plan["spend"]["actual"] == pytest.approx(total_cost) and plan["spend"]["plan"] == 1500.0
    assert plan["incremental_revenue"]["diff"] == pytest.approx(total_inc - 20000.0)
    assert money["plan"]["plan_id"] == "p1"
    assert r["memo"]["recommendation"] == "scale_up" and r["memo"]["reason_key"] == "scale_up"


def test_memo_rules(hill, res):
    # significant lift, no cost given -> scale up with a caveat
    assert res["memo"]["recommendation"] == "scale_up" and res["memo"]["reason_key"] == "scale_up_no_cost"
    assert res["memo"]["arm"] == "Mens E-Mail" and res["memo"]["outcome"] == "revenue"
    assert "SRM" in res["memo"]["text"] and "80%" in res["memo"]["text"]
    # significant lift but the cost eats it -> iterate
    r = ev.compute({"experiments": hill}, {"control": CONTROL, "campaign_cost": 100000.0, "segment_by": ["newbie"]}, "en")
    assert r["memo"]["recommendation"] == "iterate" and r["memo"]["reason_key"] == "iterate_roi_negative"
    # flat with enough power -> stop
    flat = sim_experiment(300_000, seed=2, lifts=(0.0,), base=0.3)
    r = ev.compute({"experiments": flat}, {"primary": "conversion", "min_effect": 0.05, "segment_by": ["segment"]}, "en")
    c = arm(r, "A")["outcomes"]["conversion"]
    assert not c["significant"] and c["mde_rel"] < 0.05
    assert r["memo"]["recommendation"] == "stop" and r["memo"]["reason_key"] == "stop_flat"
    # significantly negative -> stop
    neg = sim_experiment(100_000, seed=3, lifts=(-0.02,), base=0.1)
    r = ev.compute({"experiments": neg}, {"primary": "conversion", "segment_by": ["segment"]}, "en")
    assert r["memo"]["recommendation"] == "stop" and r["memo"]["reason_key"] == "stop_negative"
    # small and noisy -> iterate
    small = sim_experiment(2_000, seed=5, lifts=(0.01,), base=0.05)
    r = ev.compute({"experiments": small}, {"primary": "conversion", "segment_by": ["segment"]}, "en")
    assert r["memo"]["recommendation"] == "iterate" and r["memo"]["reason_key"] == "iterate_not_significant"


def test_memo_in_chinese(res_zh):
    memo = res_zh["memo"]
    assert memo["recommendation"] == "scale_up" and memo["reason_key"] == "scale_up"
    assert "建议：扩大投放" in memo["text"] and "SRM" in memo["text"]
    assert "增量 ROI" in memo["reason"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in memo["effect"])


# ---------------------------------------------------------------- counterfactual


def test_counterfactual_recovers_a_known_effect_and_the_placebo_finds_none():
    wide, start, true = sim_series(seed=0)
    r = ev.counterfactual(wide, "T", start, seed=0)
    assert r["n_pre"] == 150 and r["n_post"] == 50 and set(r["controls"]) == {"C1", "C2"}
    assert r["ci_low"] <= true <= r["ci_high"]
    assert r["ci_low"] > 0 and r["significant"]
    assert r["r2_pre"] > 0.9
    pl = r["placebo"]
    assert pd.Timestamp(pl["fake_start"]) < start
    assert pl["ci_low"] <= 0 <= pl["ci_high"] and pl["passed"]
    # no effect at all -> interval contains 0
    wide0, start0, _ = sim_series(seed=0, effect=0.0)
    r0 = ev.counterfactual(wide0, "T", start0, seed=0)
    assert r0["ci_low"] <= 0 <= r0["ci_high"]


def test_counterfactual_interval_is_calibrated():
    hits = placebo_ok = 0
    runs = 40
    for s in range(runs):
        wide, start, true = sim_series(seed=100 + s)
        r = ev.counterfactual(wide, "T", start, seed=s, n_boot=500)
        hits += r["ci_low"] <= true <= r["ci_high"]
        placebo_ok += bool(r["placebo"]["passed"])
    assert hits / runs >= 0.85
    assert placebo_ok / runs >= 0.8


def test_counterfactual_from_orders_by_region():
    orders, start, true = sim_orders()
    r = ev.compute({"orders": orders}, {"cf_treated": "East", "campaign_start": start.date(), "campaign_cost": 5000.0},
                   "en")
    cf = r["counterfactual"]
    assert cf["status"] == "ok" and cf["by"] == "region" and cf["treated"] == "East"
    assert set(cf["controls"]) == {"North", "South", "West"}
    assert cf["ci_low"] <= true <= cf["ci_high"]
    assert cf["placebo"]["passed"]
    assert len(cf["assumptions"]) == 4
    assert r["money"]["source"] == "counterfactual"
    assert r["money"]["arms"][0]["roi"] == pytest.approx((cf["effect"] - 5000.0) / 5000.0)
    assert r["memo"]["recommendation"] == "scale_up"
    # without parameters the page asks for them; with a campaign tag it guesses them
    r2 = ev.compute({"orders": orders}, {}, "en")
    assert r2["counterfactual"]["status"] == "needs_params"
    tagged, _, _ = sim_orders(tag=True)
    r3 = ev.compute({"orders": tagged}, {}, "en")
    assert r3["counterfactual"]["treated"] == "East"
    assert r3["counterfactual"]["start"] == start.date().isoformat()
    assert r3["counterfactual"]["ci_low"] <= true <= r3["counterfactual"]["ci_high"]


# ---------------------------------------------------------------- feedback


def test_feedback_nps_ratings_terms_by_campaign():
    r = ev.compute({"feedback": feedback_frame()}, {}, "en")
    fb = r["feedback"]
    # nps answers: 10,9,9,8,7,3,10,6,5,9 -> 5 promoters, 2 passives, 3 detractors -> +20
    assert (fb["nps"]["promoters"], fb["nps"]["passives"], fb["nps"]["detractors"]) == (5, 2, 3)
    assert fb["nps"]["nps"] == pytest.approx(20.0)
    assert fb["nps"]["ci_low"] < 20 < fb["nps"]["ci_high"]
    assert {x["rating"]: x["count"] for x in fb["ratings"]} == {1.0: 1, 2.0: 2, 3.0: 1, 4.0: 3, 5.0: 3}
    assert fb["rating_mean"]["mean"] == pytest.approx(3.5)
    by = {b["campaign"]: b for b in fb["by_campaign"]}
    assert by["618"]["n"] == 6 and by["618"]["nps"] == pytest.approx(100 * (3 - 1) / 6)
    assert by["双11"]["nps"] == pytest.approx(100 * (2 - 2) / 4)
    assert "物流" in by["618"]["top_words"]
    words = {w["term"]: w["count"] for w in fb["terms"]["words"]}
    assert words["物流"] == 3 and words["quality"] == 3
    assert any("10 answers" in w for w in r["warnings"])
    only = ev.compute({"feedback": feedback_frame()}, {"feedback_campaign": "618"}, "en")["feedback"]
    assert only["n"] == 6 and only["nps"]["nps"] == pytest.approx(100 * (3 - 1) / 6)


# ---------------------------------------------------------------- texts and figures


def test_locale_has_same_keys_and_metric_definitions():
    cat = catalogue("evaluation")
    assert set(cat["en"]) == set(cat["zh"])
    for name in ("units", "srm_p_value", "lift_revenue", "lift_conversion", "lift_visit", "lift_rel",
                 "p_value_adjusted", "incremental_revenue", "incremental_roi", "cf_effect", "nps", "rating_mean",
                 "qini_auc", "mde", "cuped", "visit_rate", "conversion_rate", "revenue_per_unit"):
        assert f"metric.{name}" in cat["en"], name


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_text_resolves_and_figures_state_findings(res, res_zh, lang):
    orders, start, _ = sim_orders()
    out = ev.compute({"experiments": hillstrom_experiments(), "orders": orders, "feedback": feedback_frame()},
                     {"control": CONTROL, "cf_treated": "East", "campaign_start": start.date(),
                      "segment_by": ["newbie", "womens"], "campaign_cost": 500.0}, lang)
    for r in (out, res if lang == "en" else res_zh):
        bad = [s for s in _strings({k: r[k] for k in ("findings", "warnings", "memo", "methods")})
               if "evaluation." in s]
        assert bad == []
    figs = ev.figures(out, lang)
    keys = [f["key"] for f in figs]
    assert keys == ["lift", "segments", "qini", "counterfactual", "nps", "words"]
    for f in figs:
        assert f["title"] and "evaluation." not in f["title"]
        assert f["figure"].to_dict()["data"]
    lift_title = figs[0]["title"]
    assert "Mens E-Mail" in lift_title and CONTROL in lift_title
    if lang == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in lift_title)
    assert "East" in figs[3]["title"]
    assert "+20" in figs[4]["title"]


# ---------------------------------------------------------------- a million units


def test_one_million_units_sample_the_uplift_model():
    df = sim_experiment(1_000_000, seed=9, lifts=(0.01, 0.02))
    r = ev.compute({"experiments": df}, {}, "en")
    assert r["uplift"]["sampled"] and r["uplift"]["n_train"] + r["uplift"]["n_test"] == 100_000
    assert r["uplift"]["n_scored"] == 1_000_000
    assert any("sample of 100,000" in w for w in r["warnings"])
    assert r["control"] == "Control"
