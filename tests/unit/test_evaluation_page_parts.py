"""What the evaluation page shows from the module: the memo's interval has the verdict's correction (Holm),
the groups table's columns, the key figures' kinds."""

from __future__ import annotations

from analytics import evaluation as ev
from analytics.evaluation.memo import _fmt_effect
from tests.unit.test_evaluation import sim_experiment


def _primary(result: dict) -> dict:
    memo = result["memo"]
    return next(r for r in result["comparisons"] if r["group"] == memo["arm"] and r["outcome"] == memo["outcome"])


def test_the_memo_states_the_holm_adjusted_interval_beside_the_adjusted_p_value():
    # two arms: Holm widens every interval; the memo quotes the adjusted one, not the plain one
    df = sim_experiment(8000, seed=3, lifts=(0.006, 0.015))
    res = ev.compute({"experiments": df}, {"control": "Control", "outcomes": ["conversion"]}, "en")
    r = _primary(res)
    assert r["ci_low_adjusted"] < r["ci_low"] and r["ci_high_adjusted"] > r["ci_high"]
    text = res["memo"]["effect"]
    assert _fmt_effect("conversion", r["ci_low_adjusted"], "en") in text
    assert _fmt_effect("conversion", r["ci_low"], "en") not in text
    # the interval excludes zero exactly when the adjusted p-value is significant
    assert (r["ci_low_adjusted"] > 0 or r["ci_high_adjusted"] < 0) == (r["p_value_adjusted"] < 0.05)


def test_group_columns_and_kpi_kinds_follow_the_outcomes():
    df = sim_experiment(3000, seed=1)
    res = ev.compute({"experiments": df}, {"control": "Control"}, "en")
    keys = [c.key for c in ev.group_columns(res)]
    assert keys[:2] == ["group", "n"] and all(f"{o}_ci_low" in keys for o in res["outcomes"])
    marked = [r["group"] for r in ev.group_rows(res) if r["group"].endswith(" ★")]
    assert marked == ["Control ★"]
    kinds = ev.kpi_kinds(res)
    lifts = [k for k in res["kpis"] if k.startswith("lift_") and k != "lift_rel"]
    assert lifts and all(kinds[k] == ("signed_points" if k[5:] in ev.RATE_OUTCOMES else "signed_money") for k in lifts)
