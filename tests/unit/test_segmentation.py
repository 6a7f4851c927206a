"""Segmentation explorer: RFM against an independent pandas computation on Online Retail, hand-made
cases for groups, cn8, tiers, cohorts, clustering reproducibility/refusal, and the 1M-line budget."""

import json

import numpy as np
import pandas as pd
import pytest

from analytics import charts
from analytics import segmentation as seg
from analytics.common import NotEnoughData
from analytics.params import parse_params
from analytics.segmentation import customers as _cu
from analytics.segmentation import rfm as _rfm
from tests.fixtures import _complete, online_retail_orders


@pytest.fixture(scope="module")
def retail():
    return online_retail_orders()


@pytest.fixture(scope="module")
def table(retail):
    return seg.rfm_table(retail)


@pytest.fixture(scope="module")
def result(retail):
    p = parse_params(seg.PARAMS, {"detail": "customers", "tier_whatif": "500,2000,8000",
                                  "audience": "rfm:At risk"}).values
    return seg.compute({"orders": retail}, p, "en")


def _orders(rows):
    df = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "amount", "is_return"])
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[ns]")
    df["customer_id"] = df["customer_id"].astype("str")
    df["order_id"] = df["order_id"].astype("str")
    return _complete(df, "orders")


def test_online_retail_rfm_equals_independent_pandas(retail, table):
    assert retail["customer_id"].nunique() == 4372
    assert len(table) == 4339 and table["customer_id"].is_unique
    # independent computation
    c = retail.loc[retail["customer_id"].notna()]
    nr = c.loc[~c["is_return"]]
    snap = nr["order_date"].max().normalize() + pd.Timedelta(days=1)
    assert snap == pd.Timestamp("2011-12-10")
    rec = (snap - nr.groupby("customer_id")["order_date"].max()).dt.days
    freq = nr.groupby("customer_id")["order_id"].nunique()
    net_sum = c.groupby("customer_id")["amount"].sum()                       # all lines, returns negative
    gross = nr.groupby("customer_id")["amount"].sum()
    returns = c.loc[c["is_return"]].groupby("customer_id")["amount"].apply(lambda s: s.abs().sum())
    gross_minus_returns = gross.sub(returns, fill_value=0)
    ind = pd.DataFrame({"rec": rec, "freq": freq, "mon": net_sum.reindex(rec.index),
                        "gmr": gross_minus_returns.reindex(rec.index)})
    assert len(ind) == 4339
    m = table.set_index("customer_id").join(ind, how="outer")
    assert m.notna().all().all()
    assert (m["recency_days"] == m["rec"]).all()
    assert (m["frequency"] == m["freq"]).all()
    assert np.allclose(m["monetary"], m["mon"], atol=1e-6)
    assert np.allclose(m["mon"], m["gmr"], atol=1e-6)          # both definitions agree on this data
    # SOURCE.md snapshot figures use a stricter filter (UnitPrice > 0; 4,338 customers): R mean 92.06,
    # F max 209. Ours keeps zero-priced lines (one more customer, one more invoice for the top buyer).
    assert table["recency_days"].mean() == pytest.approx(92.06, abs=0.05)
    assert table["frequency"].max() in (209, 210)
    strict = nr.loc[nr["unit_price"] > 0]
    assert strict["customer_id"].nunique() == 4338
    assert strict.groupby("customer_id")["order_id"].nunique().max() == 209


def test_scores_and_groups(table):
    for col in ("r", "f", "m"):
        assert set(table[col]).issubset({1, 2, 3, 4, 5})
    # higher score for lower recency / higher frequency (monotone)
    s = table.sort_values("recency_days")
    assert (np.diff(s["r"].to_numpy()) <= 0).all()
    s = table.sort_values("monetary")
    assert (np.diff(s["m"].to_numpy()) >= 0).all()
    # equal values share a score
    assert table.groupby("frequency")["f"].nunique().max() == 1
    assert set(table["group"]).issubset(set(seg.NAMED_GROUPS))
    assert set(table["group_cn"]).issubset(set(seg.CN8_GROUPS))


def test_quantile_score_hand_case():
    assert list(seg.quantile_score([10, 20, 30, 40, 50])) == [1, 2, 3, 4, 5]
    assert list(seg.quantile_score([10, 20, 30, 40, 50], higher_is_better=False)) == [5, 4, 3, 2, 1]
    # ties: 1,1,1,1 share rank 2.5 of 10 -> pct 0.25 -> score 2
    assert list(seg.quantile_score([1, 1, 1, 1, 2, 3, 4, 5, 6, 7])) == [2, 2, 2, 2, 3, 3, 4, 4, 5, 5]


def test_average_rank_equals_pandas_rank():
    """RFM scores rank by one numpy sort or by counting (whole numbers): the same floats as pandas' average
    ranks (ties, NaN, infinities, signed zeros)."""
    rng = np.random.default_rng(5)
    for v in (rng.integers(0, 30, 20_000).astype(float), -rng.integers(0, 400, 5_000).astype(float),
              rng.gamma(2.0, 50.0, 20_000).round(1),
              np.array([3.0, np.nan, 0.0, -0.0, np.inf, -np.inf, 3.0, np.nan, 1.0]), np.array([2.0]), np.array([])):
        assert np.array_equal(_rfm.average_rank(v), pd.Series(v, dtype=float).rank(method="average").to_numpy(),
                              equal_nan=True)


def test_positions_equal_get_indexer():
    index = pd.Index(["a", "b", "c", "é", "z"], dtype="str")
    ids = pd.Series(["z", "a", "x", "é", None, "c"], dtype="str")
    assert _cu.positions(ids, index).tolist() == index.get_indexer(ids).tolist() == [4, 0, -1, 3, -1, 2]


def test_named_group_map_hand_case():
    r = np.array([5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 5, 3])
    fm = np.array([5, 1, 1, 4, 3, 1, 5, 3, 1, 2, 2, 5])
    assert list(seg.named_groups(r, fm)) == [
        "Champions", "New", "Promising", "Loyal", "Need attention", "About to sleep", "Cannot lose them",
        "At risk", "Lost", "Hibernating", "Potential loyalists", "Loyal"]


def test_cn8_hand_case():
    # means: recency 40, frequency 3, monetary 300
    rec = np.array([10.0, 10, 70, 70, 10, 10, 70, 70])
    freq = np.array([5.0, 1, 5, 1, 5, 1, 5, 1])
    mon = np.array([500.0, 500, 500, 500, 100, 100, 100, 100])
    assert list(seg.cn8_groups(rec, freq, mon)) == ["重要价值", "重要发展", "重要保持", "重要挽留",
                                                    "一般价值", "一般发展", "一般保持", "一般挽留"]


def test_rfm_hand_case_with_returns_and_analysis_date():
    o = _orders([
        ("a", "1", "2024-01-01 10:00", 100.0, False), ("a", "1", "2024-01-01 10:00", 50.0, False),
        ("a", "2", "2024-01-20 10:00", 30.0, False), ("a", "C9", "2024-01-21 10:00", -20.0, True),
        ("b", "3", "2024-01-05 10:00", 40.0, False), ("c", "C8", "2024-01-06 10:00", -5.0, True),
        (None, "4", "2024-01-07 10:00", 99.0, False), ("b", "5", "2024-02-10 10:00", 10.0, False),
    ])
    tab = seg.rfm_table(o, "2024-02-01").set_index("customer_id")
    assert list(tab.index) == ["a", "b"]              # c has only a return; the None line is left out
    assert tab.loc["a", "recency_days"] == 11 and tab.loc["a", "frequency"] == 2
    assert tab.loc["a", "monetary"] == pytest.approx(160.0)
    assert tab.loc["b", "monetary"] == pytest.approx(40.0)   # the February order is after the analysis date
    # a return flagged only by status keeps a positive amount and still counts as |returns|
    o2 = o.copy()
    o2.loc[o2["order_id"] == "C9", "amount"] = 20.0
    assert seg.rfm_table(o2, "2024-02-01").set_index("customer_id").loc["a", "monetary"] == pytest.approx(160.0)


def test_tiers_whatif_hand_case():
    values = np.array([0, 50, 100, 150, 250, 500, 1000, 5000], dtype=float)
    out = seg.tiers_whatif(values, [100, 400, 2000], [200, 400, 900], costs=[0, 1, 5, 20])
    assert [r["customers"] for r in out["current"]] == [2, 3, 2, 1]
    assert [r["customers"] for r in out["proposed"]] == [4, 1, 1, 2]
    assert out["moved_up"] == 1 and out["moved_down"] == 2      # 1000 up; 100 and 150 down
    assert out["cost_current"] == 3 * 1 + 2 * 5 + 20
    assert out["cost_proposed"] == 1 * 1 + 1 * 5 + 2 * 20
    assert out["cost_delta"] == out["cost_proposed"] - out["cost_current"]
    assert np.array(out["matrix"]).sum() == len(values)
    th = seg.default_thresholds(np.arange(1, 1001, dtype=float))
    assert th == [500.0, 800.0, 950.0]


def test_cohort_retention_hand_case():
    o = _orders([
        ("a", "1", "2024-01-05", 10.0, False), ("a", "2", "2024-02-05", 20.0, False),
        ("a", "3", "2024-03-05", 5.0, False),
        ("b", "4", "2024-01-20", 30.0, False), ("b", "5", "2024-03-01", 40.0, False),
        ("b", "6", "2024-03-02", -10.0, True),
        ("c", "7", "2024-02-10", 7.0, False),
        ("d", "8", "2024-02-11", 9.0, False), ("d", "9", "2024-03-11", 1.0, False),
    ])
    c = seg.cohort_table(o)
    assert c["cohorts"] == ["2024-01", "2024-02"] and c["sizes"] == [2, 2]
    assert c["retention"][0] == [1.0, 0.5, 1.0]
    assert c["retention"][1][:2] == [1.0, 0.5]
    assert c["retention"][1][2] is None or np.isnan(c["retention"][1][2])   # not observed yet
    assert c["revenue"][0] == [40.0, 20.0, 35.0]                              # 5 + 40 - 10
    assert c["revenue"][1][:2] == [16.0, 1.0]


def test_silhouette_matches_sklearn():
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (60, 3)), rng.normal(4, 1, (50, 3)), rng.normal(-4, 1, (40, 3))])
    labs = [np.repeat([0, 1, 2], [60, 50, 40]), rng.integers(0, 4, len(X))]
    ours = seg.silhouette(X, labs, chunk=37)
    for lab, s in zip(labs, ours):
        assert s == pytest.approx(silhouette_score(X, lab), abs=1e-6)


def test_clustering_reproducible_and_refuses(table):
    a = seg.cluster(table, seed=7)
    b = seg.cluster(table, seed=7)
    assert a["k"] == b["k"] and 2 <= a["k"] <= 8
    assert (a["labels"].to_numpy() == b["labels"].to_numpy()).all()
    assert a["silhouette"] == b["silhouette"] and a["stability"] == b["stability"]
    assert 0 < a["stability"]["ari_mean"] <= 1
    assert a["silhouette"] == max(x["silhouette"] for x in a["silhouette_by_k"])
    k4 = seg.cluster(table, k=4, seed=7)
    assert k4["k"] == 4 and sorted(set(k4["labels"])) == [1, 2, 3, 4]
    prof = pd.DataFrame(k4["profiles"])
    assert prof["customers"].sum() == len(table)
    # index = cluster mean / base mean x 100
    c1 = table.loc[k4["labels"] == 1, "monetary"].mean()
    assert prof.loc[0, "index_monetary"] == pytest.approx(c1 / table["monetary"].mean() * 100)
    assert prof["avg_monetary"].is_monotonic_decreasing          # clusters numbered by falling value
    with pytest.raises(NotEnoughData) as e:
        seg.cluster(table.head(49))
    assert e.value.key == "segmentation.error.too_few_to_cluster"
    flat = table.head(200).assign(frequency=3)
    with pytest.raises(NotEnoughData) as e:
        seg.cluster(flat)
    assert e.value.key == "segmentation.error.no_variance" and e.value.kwargs["feature"] == "frequency"


def test_compute_report_on_online_retail(result):
    assert result["customers"] == 4339 and result["customer_ids"] == 4372
    assert result["analysis_date"] == "2011-12-10"
    g = pd.DataFrame(result["rfm_groups"])
    assert {"group", "customers", "share", "net_sales_share", "avg_recency", "avg_frequency",
            "avg_monetary"} <= set(g.columns)
    assert g["customers"].sum() == 4339
    assert g["share"].sum() == pytest.approx(1) and g["net_sales_share"].sum() == pytest.approx(1)
    rows = pd.DataFrame(result["rows"])
    assert len(rows) == 4339
    assert {"customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "group", "p_alive",
            "clv"} <= set(rows.columns)
    at_risk = rows.loc[rows["group"] == "At risk"]
    assert g.set_index("group").loc["At risk", "avg_monetary"] == pytest.approx(at_risk["monetary"].mean())
    assert len(result["audience_list"]) == len(at_risk)
    cl = result["clusters"]
    assert {"k", "silhouette", "stability", "profiles"} <= set(cl)
    cv = result["clv"]
    assert set(cv["params"]) == {"r", "alpha", "a", "b", "p", "q", "gamma"}
    assert cv["horizon"] == 12 and cv["total"] == pytest.approx(rows["clv"].sum())
    tr = result["transitions"]
    assert np.array(tr["matrix"]).sum() == 4339
    assert result["tiers"]["moved_up"] + result["tiers"]["moved_down"] > 0
    assert result["findings"] and any("lack" in w or "no customer id" in w for w in result["warnings"])
    json.dumps(result)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_figures_state_findings(result, lang):
    figs = seg.figures(result, lang)
    keys = {f["key"] for f in figs}
    assert {"groups", "clusters", "cohorts", "clv", "transitions", "tiers"} <= keys
    for f in figs:
        assert f["title"] and "{" not in f["title"] and charts.plain(f["figure"].layout.title.text) == f["title"]


def test_cn8_model_and_zh(retail):
    r = seg.compute({"orders": retail}, {"model": "cn8", "k": 3}, "zh")
    assert {g["group"] for g in r["rfm_groups"]} <= set(seg.CN8_GROUPS)
    assert sum(g["customers"] for g in r["rfm_groups"]) == 4339
    assert r["clusters"]["k"] == 3
    assert all("{" not in s for s in r["findings"] + r["warnings"])


def test_customers_in_spec(table):
    aud = seg.customers_in(table, "cn8:重要价值")
    assert list(aud.columns) == ["customer_id", "recency_days", "frequency", "monetary", "group_cn"]
    assert len(aud) == (table["group_cn"] == "重要价值").sum()
    with pytest.raises(ValueError):
        seg.customers_in(table, "tier:1")   # no tier column in a plain RFM table


def test_labelled_names_the_segments_in_the_language_and_keeps_the_rest():
    aud = pd.DataFrame({"customer_id": ["a", "b", "c"], "group": ["At risk", "Champions", None],
                        "group_cn": ["重要价值", "重要挽留", "一般发展"], "tier": [3.0, 0.0, np.nan],
                        "churn_risk": ["high", "low", "medium"], "clv": [1.5, 2.5, 3.5]})
    zh = seg.labelled(aud, "zh", 4)
    assert list(zh["group"])[:2] == ["有流失风险", seg.group_label("Champions", "zh")] and pd.isna(zh["group"][2])
    assert zh["group"][1] != "Champions" and list(zh["group_cn"]) == ["重要价值客户", "重要挽留客户", "一般发展客户"]
    assert list(zh["tier"])[:2] == ["白金会员", seg.tier_name(0, 4, "zh")] and pd.isna(zh["tier"][2])
    assert list(zh["churn_risk"]) == ["高流失风险", "低流失风险", "中流失风险"]
    en = seg.labelled(aud, "en", 3)
    assert list(en["tier"])[:2] == ["Tier 4", "Tier 1"] and list(en["churn_risk"])[0] == "High churn risk"
    assert list(en["group"])[:2] == ["At risk", "Champions"]
    # ids and numbers unchanged, the input untouched; without a tier count the tiers stay numbers
    assert list(zh["customer_id"]) == ["a", "b", "c"] and list(zh["clv"]) == [1.5, 2.5, 3.5]
    assert list(aud["churn_risk"]) == ["high", "low", "medium"]
    assert seg.labelled(aud, "zh")["tier"].tolist()[:2] == [3.0, 0.0]


def test_locales_have_same_keys_and_metric_definitions():
    from analytics.i18n import LOCALE_DIR  # analytics/locales (segmentation is a package since issue 13)

    d = json.loads((LOCALE_DIR / "segmentation.json").read_text(encoding="utf-8"))
    assert d["en"].keys() == d["zh"].keys()
    for k in ("metric.monetary", "metric.recency_days", "metric.frequency", "metric.clv", "metric.p_alive",
              "metric.silhouette", "metric.stability", "metric.retention"):
        assert d["en"][k] and d["zh"][k]


def _generate(n_lines=1_000_000, n_customers=50_000, seed=7):
    rng = np.random.default_rng(seed)
    n_orders = n_lines // 4
    lam = rng.gamma(0.8, 1.0, n_customers) + 0.05
    cust = rng.choice(n_customers, n_orders, p=lam / lam.sum())
    first = rng.integers(0, 700, n_customers)
    day = first[cust] + rng.integers(0, 730, n_orders) % (730 - first[cust] + 1)
    minute = rng.integers(8 * 60, 23 * 60, n_orders)
    odate = np.datetime64("2023-01-01T00:00") + (day * 1440 + minute).astype("timedelta64[m]")
    line_order = np.sort(rng.integers(0, n_orders, n_lines))
    amount = np.round(rng.lognormal(3, 0.8, n_lines), 2)
    ret = rng.random(n_lines) < 0.03
    df = pd.DataFrame({"order_id": pd.Series(line_order).astype("str"),
                       "order_date": odate[line_order].astype("datetime64[ns]"),
                       "customer_id": pd.Series(cust[line_order]).astype("str"),
                       "amount": np.where(ret, -amount, amount), "is_return": ret})
    return _complete(df, "orders")


def test_one_million_lines_give_a_full_result():
    o = _generate()
    assert len(o) == 1_000_000
    r = seg.compute({"orders": o}, {}, "en")
    assert r["customers"] > 40_000 and r["clusters"]["k"] >= 2 and r["clv"]["total"] > 0
    # its speed is measured in bench/ (make bench), against a floor in the same run, not here


def test_churn_bands_that_say_little_are_flagged(result):
    """Online Retail's BG/NBD fit has a mean drop-out chance a/(a+b) of about 0.06%: every customer keeps
    P(alive) >= 0.3, so "0% high churn risk" is the model's blind spot, not good news; the page says so."""
    cv = result["clv"]
    drop = cv["params"]["a"] / (cv["params"]["a"] + cv["params"]["b"])
    assert drop < 0.01
    assert cv["churn_bands"][0]["band"] == "high" and cv["churn_bands"][0]["customers"] == 0
    flagged = [w for w in result["warnings"] if "almost no drop-out" in w]
    assert len(flagged) == 1 and "0.1%" in flagged[0] and "Hibernating" in flagged[0]


def test_churn_bands_are_not_flagged_when_the_model_sees_drop_out():
    from analytics.segmentation import presentation as pres

    numbers = {"params": {"r": 1.0, "alpha": 5.0, "a": 0.8, "b": 2.5, "p": 2, "q": 3, "gamma": 10},
               "churn_bands": [{"band": "high", "customers": 0, "share": 0.0, "clv": 0.0, "net_sales_share": 0.0}],
               "frequency_spend_corr": 0.0, "missing": 0, "customers_fitted": 10, "customers_scored": 10,
               "total": 1.0, "top10_share": 0.5}
    warnings: list = []
    pres._clv_block(numbers, {"clv_horizon": 12}, "en", warnings, [])
    assert not any("drop-out" in w for w in warnings)
    numbers["params"]["a"] = 0.001
    pres._clv_block(numbers, {"clv_horizon": 12}, "zh", warnings, [])
    assert len(warnings) == 1 and "几乎看不到流失" in warnings[0]
