"""Recommendations (issue 8): metric functions on hand-made cases, Online Retail holdout figures recomputed
independently with plain Python sets, reproducibility, business rules and cold start."""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from analytics import recommend as R
from analytics.common import NotEnoughData
from analytics.params import parse_params
from tests.fixtures import _complete, online_retail_orders

HOLDOUT = date(2011, 9, 1)
K = 10


# ------------------------------------------------------------------ metric functions, known answers

RECS = {"a": ["x", "y", "z"], "b": ["y", "w", "v"], "c": ["q", "r", "s"]}
TRUTH = {"a": {"x", "z", "m"}, "b": {"v"}, "c": {"t"}}


def test_precision_at_k_hand_made():
    # hits: a=2, b=1, c=0 -> (2/3 + 1/3 + 0) / 3
    assert R.precision_at_k(RECS, TRUTH, 3) == pytest.approx(1 / 3)
    # k=1 looks at the first slot only: a hits x, b misses, c misses
    assert R.precision_at_k(RECS, TRUTH, 1) == pytest.approx(1 / 3)
    # a short list still divides by k
    assert R.precision_at_k({"a": ["x"]}, {"a": {"x"}}, 2) == pytest.approx(0.5)
    # a user without a list counts as zero hits
    assert R.precision_at_k({}, {"a": {"x"}}, 5) == 0.0


def test_recall_and_hit_rate_hand_made():
    # recall: a=2/3, b=1/1, c=0/1
    assert R.recall_at_k(RECS, TRUTH, 3) == pytest.approx((2 / 3 + 1 + 0) / 3)
    assert R.recall_at_k(RECS, TRUTH, 1) == pytest.approx((1 / 3 + 0 + 0) / 3)
    assert R.hit_rate(RECS, TRUTH, 3) == pytest.approx(2 / 3)
    assert R.hit_rate(RECS, TRUTH, 1) == pytest.approx(1 / 3)


def test_coverage_and_novelty_hand_made():
    catalogue = list("xyzwvqrstm")
    assert R.catalogue_coverage(RECS, catalogue) == pytest.approx(8 / 10)
    assert R.catalogue_coverage(RECS, catalogue, k=1) == pytest.approx(3 / 10)  # x, y, q
    buyers = {"x": 4, "y": 2, "z": 1}
    # -log2(4/4)=0, -log2(2/4)=1, -log2(1/4)=2
    assert R.novelty({"a": ["x", "y", "z"]}, buyers, n_users=4) == pytest.approx(1.0)
    assert R.novelty({"a": ["z"], "b": ["z", "y"]}, buyers, n_users=4) == pytest.approx((2 + 2 + 1) / 3)


def test_vectorised_hits_handles_empty_slots():
    recs = np.array([[0, 1, -1], [-1, -1, -1], [2, 0, 1]])
    truth = sp.csr_matrix(np.array([[1, 0, 1], [1, 1, 1], [0, 1, 1]]))
    assert R._hits(recs, truth).tolist() == [1.0, 0.0, 2.0]


def _matrix(B: np.ndarray) -> "R._Matrix":
    Bs = sp.csr_matrix(B.astype(np.float32))
    n_u, n_i = B.shape
    return R._Matrix(pd.Index([f"u{i}" for i in range(n_u)]), pd.Index([f"p{i}" for i in range(n_i)]), Bs, Bs,
                     Bs, B.sum(axis=0).astype(float), pd.Timestamp("2024-01-01"))


@pytest.mark.parametrize("dense", [True, False])
@pytest.mark.parametrize("pool", [None, 150])
def test_user_neighbours_are_the_top_cosines_ties_to_the_lower_index(dense, pool, monkeypatch):
    """Brute force in float64 with Python sorting: the USER_NEIGHBOURS most similar other customers,
    equal similarities broken by the lower customer index (many customers share a basket); with more
    customers than MAX_NEIGHBOUR_POOL, the most similar among the seeded pool of candidates."""
    from analytics.recommend import models

    if pool is not None:
        monkeypatch.setattr(models, "MAX_NEIGHBOUR_POOL", pool)
    rng = np.random.default_rng(3)
    B = (rng.random((400, 12)) < 0.25).astype(np.float32)
    B[:40] = B[0]  # forty identical baskets: a block of exact ties
    B[rng.random(400) < 0.05] = 0  # some customers with no purchase at all
    m = R._UserKNN(_matrix(B), seed=4)
    if not dense:
        m._dense, m._PT = None, (m.M.B if m.pool is None else m.M.B[m.pool]).T.tocsr()
    candidates = range(len(B)) if pool is None else m.pool.tolist()
    rows = np.array([0, 5, 39, 41, 200, 399])
    # some customers scored are candidates themselves (never their own neighbour), some are not
    assert pool is None or (len(m.pool) == pool and 0 < len(set(rows) & set(m.pool.tolist())) < len(rows))
    nb = m.neighbours(rows)
    assert nb.shape == (len(rows), len(B))
    nb = nb.toarray()
    size = B.sum(axis=1)
    for j, u in enumerate(rows):
        sims = [(float(B[u] @ B[v]) / math.sqrt(max(size[u], 1) * max(size[v], 1)), v)
                for v in candidates if v != u]
        want = [(s, v) for s, v in sorted(sims, key=lambda x: (-x[0], x[1])) if s > 0][:R.USER_NEIGHBOURS]
        got = np.nonzero(nb[j])[0]
        assert sorted(got.tolist()) == sorted(v for _, v in want)
        for s, v in want:
            assert nb[j, v] == pytest.approx(s, rel=1e-6)


def test_choose_model_precision_then_coverage():
    m = {"item": {"precision_at_k": 0.1, "coverage": 0.2}, "user": {"precision_at_k": 0.1, "coverage": 0.3},
         "als": {"precision_at_k": 0.09, "coverage": 0.9}, "popular": {"precision_at_k": 0.05, "coverage": 0.01}}
    assert R.choose_model(m) == "user"
    m["popular"]["precision_at_k"] = 0.2
    assert R.choose_model(m) == "popular"


def test_default_holdout_later_of_20pct_and_3_months():
    short = pd.Series(pd.date_range("2024-01-01", "2024-01-10", freq="D"))
    assert R.default_holdout(short) == pd.Timestamp("2024-01-09")  # last 20% of 10 days
    long = pd.Series(pd.to_datetime(["2020-01-01", "2023-12-31"]))
    assert R.default_holdout(long) == pd.Timestamp("2023-10-01")  # last 3 months


def test_params_parse_from_url_strings():
    p = parse_params(R.PARAMS, {"holdout_from": "2011-09-01", "k": "10", "rp": "0", "exclude": "A,B",
                                "model": "nonsense"}).values
    assert p["holdout_from"] == HOLDOUT and p["k"] == 10 and p["rp"] is False
    assert p["exclude"] == ["A", "B"] and p["model"] == "auto"


def test_catalogue_has_same_keys_in_both_languages_and_metric_definitions():
    from analytics.i18n import LOCALE_DIR  # analytics/recommend is a package: the catalogue is not beside it

    cat = json.loads((LOCALE_DIR / "recommend.json").read_text(encoding="utf-8"))
    assert set(cat["en"]) == set(cat["zh"])
    for m in ("precision_at_k", "recall_at_k", "hit_rate", "coverage", "novelty"):
        assert f"metric.{m}" in cat["en"]


# ------------------------------------------------------------------ Online Retail

@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    return online_retail_orders()


@pytest.fixture(scope="module")
def result(orders):
    t0 = time.perf_counter()
    res = R.compute({"orders": orders}, {"holdout_from": HOLDOUT, "k": K, "seed": 0})
    res["_seconds"] = time.perf_counter() - t0
    return res


@pytest.fixture(scope="module")
def evaluation(orders):
    t0 = time.perf_counter()
    ev = R.evaluate_holdout({"orders": orders}, {"holdout_from": HOLDOUT, "k": K, "seed": 0})
    ev.counts["_seconds"] = time.perf_counter() - t0
    return ev


@pytest.fixture(scope="module")
def independent(orders):
    """Train/test split, relevant sets and buyer counts with plain pandas + Python sets."""
    d = orders[~orders["is_return"] & orders["customer_id"].notna() & (orders["quantity"] > 0)]
    service = d["product_name"].fillna("").map(lambda s: bool(R.SERVICE_PATTERN.match(s)))
    d = d[~service.to_numpy()]
    train = d[d["order_date"] < pd.Timestamp(HOLDOUT)]
    test = d[d["order_date"] >= pd.Timestamp(HOLDOUT)]
    catalogue = set(train["product_id"])
    bought = train.groupby("customer_id")["product_id"].agg(set).to_dict()
    later = test.groupby("customer_id")["product_id"].agg(set).to_dict()
    truth = {}
    for c, items in later.items():
        if c in bought:
            rel = (items & catalogue) - bought[c]
            if rel:
                truth[c] = rel
    buyers = train.drop_duplicates(["customer_id", "product_id"])["product_id"].value_counts().to_dict()
    cold = set(later) - set(bought)
    return {"truth": truth, "catalogue": catalogue, "bought": bought, "buyers": buyers,
            "n_users": len(bought), "cold": cold, "n_train": len(train), "n_test": len(test), "lines": d}


def test_report_keys(result):
    for key in ("holdout_from", "k", "models", "chosen_model", "sample", "findings", "warnings"):
        assert key in result
    assert result["holdout_from"] == "2011-09-01" and result["k"] == K
    assert [m["name"] for m in result["models"]] == ["item", "user", "als", "popular"]
    for m in result["models"]:
        for f in ("precision_at_k", "recall_at_k", "hit_rate", "coverage", "novelty"):
            assert isinstance(m[f], float)
    assert len(result["sample"]) == 20
    for s in result["sample"]:
        assert len(s["products"]) == K and len(s["reasons"]) == K and all(s["reasons"])
    json.dumps({k: v for k, v in result.items()})  # JSON-safe


def test_chosen_model_beats_popularity_on_precision_and_coverage(result):
    m = {x["name"]: x for x in result["models"]}
    chosen = m[result["chosen_model"]]
    assert result["chosen_model"] != "popular"
    assert chosen["precision_at_k"] > m["popular"]["precision_at_k"]
    assert chosen["coverage"] > m["popular"]["coverage"]
    # and the gain is beyond noise: the paired 95% interval excludes zero
    assert result["personalisation"]["earns_its_keep"] and result["personalisation"]["ci_low"] > 0
    assert any("earns its keep" in f for f in result["findings"])


def test_holdout_sets_equal_independent_pandas(orders, evaluation, independent, result):
    assert evaluation.truth == independent["truth"]
    assert set(evaluation.catalogue) == independent["catalogue"]
    assert evaluation.buyers == independent["buyers"]
    assert evaluation.n_train_users == independent["n_users"]
    assert result["counts"]["train_lines"] == independent["n_train"]
    assert result["counts"]["test_lines"] == independent["n_test"]
    assert result["cold_start"]["n_users"] == len(independent["cold"])
    # the base before service lines are dropped matches the published clean-sales figures (SOURCE.md):
    # CustomerID present, not a C invoice, quantity > 0, unit price > 0 -> 397,884 rows, 4,338 customers
    o = orders
    pub = o[o["customer_id"].notna() & ~o["order_id"].str.startswith("C") & (o["quantity"] > 0) & (o["unit_price"] > 0)]
    assert len(pub) == 397_884 and pub["customer_id"].nunique() == 4_338
    ours = o[~o["is_return"] & o["customer_id"].notna() & (o["quantity"] > 0)]
    assert len(ours) - (ours["unit_price"] <= 0).sum() == 397_884
    sales = o[~o["is_return"] & (o["quantity"] > 0)]  # service lines are counted over all sales lines
    n_service = int(sales["product_name"].fillna("").map(lambda x: bool(R.SERVICE_PATTERN.match(x))).sum())
    assert n_service > len(ours) - len(independent["lines"]) > 0
    assert f"{n_service:,} service lines" in " ".join(result["warnings"])


def test_metrics_equal_independent_set_computation(evaluation, independent, result):
    truth, cat, buyers, n_users = (independent[k] for k in ("truth", "catalogue", "buyers", "n_users"))
    by_name = {m["name"]: m for m in result["models"]}
    for name, lists in evaluation.lists.items():
        assert set(lists) == set(truth)
        hits = {c: len(set(lists[c][:K]) & truth[c]) for c in truth}
        precision = sum(h / K for h in hits.values()) / len(truth)
        recall = sum(hits[c] / len(truth[c]) for c in truth) / len(truth)
        hr = sum(1 for h in hits.values() if h > 0) / len(truth)
        shown = {p for c in truth for p in lists[c]}
        coverage = len(shown) / len(cat)
        slots = [p for c in truth for p in lists[c]]
        nov = sum(-math.log2(buyers[p] / n_users) for p in slots) / len(slots)
        got = by_name[name]
        assert got["precision_at_k"] == pytest.approx(precision, abs=1e-12), name
        assert got["recall_at_k"] == pytest.approx(recall, abs=1e-12), name
        assert got["hit_rate"] == pytest.approx(hr, abs=1e-12), name
        assert got["coverage"] == pytest.approx(coverage, abs=1e-12), name
        assert got["novelty"] == pytest.approx(nov, rel=1e-5), name
        assert got["n_users"] == len(truth)
        # the same numbers from the public metric functions
        assert R.precision_at_k(lists, truth, K) == pytest.approx(precision, abs=1e-12)
        assert R.recall_at_k(lists, truth, K) == pytest.approx(recall, abs=1e-12)
        # lists: k distinct products, never one the customer bought in training (repeat purchases off)
        for c, lst in lists.items():
            assert len(lst) == K and len(set(lst)) == K
            assert not set(lst) & independent["bought"][c]
    # the baseline list is the same top-seller list minus what each customer bought
    top = sorted(buyers, key=lambda p: (-buyers[p], p))
    for c in list(truth)[:50]:
        expect = [p for p in top if p not in independent["bought"][c]][:K]
        assert [buyers[p] for p in evaluation.lists["popular"][c]] == [buyers[p] for p in expect]


def test_reproducible_for_fixed_seed(orders, evaluation):
    again = R.evaluate_holdout({"orders": orders}, {"holdout_from": HOLDOUT, "k": K, "seed": 0})
    assert again.lists == evaluation.lists
    assert again.metrics == evaluation.metrics


def test_sample_reproducible_and_seed_dependent(orders, result):
    small = orders[orders["order_date"] >= pd.Timestamp("2011-09-01")]
    p = {"holdout_from": date(2011, 11, 15), "k": 5, "seed": 7, "model": "als"}
    a = R.compute({"orders": small}, p)
    b = R.compute({"orders": small}, p)
    assert a["sample"] == b["sample"] and a["models"] == b["models"]
    c = R.compute({"orders": small}, p | {"seed": 8})
    assert [s["customer_id"] for s in c["sample"]] != [s["customer_id"] for s in a["sample"]]


# ------------------------------------------------------------------ business rules, explanations, cold start

@pytest.fixture(scope="module")
def lines(orders):
    """The sales lines recommendations learn from, with plain pandas (analytics.recommend keeps them in the
    engine): not a return, quantity > 0, a product and a date, not a service line."""
    o = orders
    d = o[~o["is_return"] & ~(o["quantity"].fillna(1) <= 0) & o["product_id"].notna() & o["order_date"].notna()]
    service = (d["product_name"].fillna("").map(lambda s: bool(R.SERVICE_PATTERN.match(s)))
               | d["product_id"].map(lambda s: bool(R.SERVICE_PATTERN.match(s))))
    return d[~service.to_numpy()]


def _final(orders, lines, model="item", **params):
    base = {"exclude_window_days": 90, "rp": False, "boost_factor": 1.5, "seed": 0}
    return R.build_final({"orders": orders}, base | params, model, lines, [])


@pytest.fixture(scope="module")
def customers(lines):
    sizes = lines.dropna(subset=["customer_id"]).groupby("customer_id")["product_id"].nunique()
    return sorted(sizes[sizes.between(5, 200)].index)[:40]


def test_recently_bought_excluded(orders, lines, customers):
    d = lines.dropna(subset=["customer_id"])
    now = d["order_date"].max()
    recent = d[d["order_date"] >= now - pd.Timedelta(days=30)].groupby("customer_id")["product_id"].agg(set)
    ever = d.groupby("customer_id")["product_id"].agg(set)
    # repeat purchases allowed, 30-day window: nothing bought in the last 30 days, but older buys may return
    F = _final(orders, lines, rp=True, exclude_window_days=30)
    recs = R.recommend_for(F, customers, K)
    repeats = 0
    for r in recs:
        assert not set(r["products"]) & recent.get(r["customer_id"], set())
        repeats += len(set(r["products"]) & ever[r["customer_id"]])
    assert repeats > 0
    # default: never anything already bought
    F = _final(orders, lines, rp=False)
    for r in R.recommend_for(F, customers, K):
        assert not set(r["products"]) & ever[r["customer_id"]]


def test_exclude_list_and_boost(orders, lines, customers):
    F = _final(orders, lines)
    base = R.recommend_for(F, customers, K)
    top = Counter(r["products"][0] for r in base).most_common(1)[0][0]
    F2 = _final(orders, lines, exclude=[top])
    after = R.recommend_for(F2, customers, K)
    assert all(top not in r["products"] and len(r["products"]) == K for r in after)
    # boost the 6th product of the first customer: it moves up and is flagged as promoted
    cust, prod = base[0]["customer_id"], base[0]["products"][5]
    F3 = _final(orders, lines, boost=[prod], boost_factor=3.0)
    b = R.recommend_for(F3, [cust], K)[0]
    assert b["products"].index(prod) < 5
    assert "promoted" in b["reasons"][b["products"].index(prod)]


def test_item_reason_counts_co_buyers(orders, lines, customers):
    F = _final(orders, lines, model="item")
    d = lines.dropna(subset=["customer_id"])
    who = d.groupby("product_id")["customer_id"].agg(set)
    r = R.recommend_for(F, customers[:3], K)
    checked = 0
    for rec in r:
        for p, reason in zip(rec["products"], rec["reasons"]):
            if reason.startswith("Bought together with"):
                anchor = reason.split("(")[1].split(")")[0]
                n = int(reason.rsplit(" by ", 1)[1].split()[0])
                assert n == len(who[p] & who[anchor])
                assert anchor in set(d.loc[d["customer_id"] == rec["customer_id"], "product_id"])
                checked += 1
    assert checked >= 10


def test_user_reason_names_similar_customers(orders, lines, customers):
    F = _final(orders, lines, model="user")
    for rec in R.recommend_for(F, customers[:5], K):
        assert all(x.startswith("Customers like you bought this") or x.startswith("Top seller")
                   for x in rec["reasons"])
        n = [int(x.split("(")[1].split()[0]) for x in rec["reasons"] if x.startswith("Customers like you")]
        assert n and all(1 <= v <= R.USER_NEIGHBOURS for v in n)


def test_cold_start_customer_gets_region_top_sellers(orders, lines):
    cust_frame = _complete(pd.DataFrame({"customer_id": ["NEW-FR", "NEW-X"], "region": ["France", None]}),
                           "customers")
    F = R.build_final({"orders": orders, "customers": cust_frame}, {"exclude_window_days": 90, "seed": 0},
                      "item", lines, [])
    fr, anon = R.recommend_for(F, ["NEW-FR", "NEW-X"], K)
    assert fr["status"] == "new" and anon["status"] == "new"
    d = lines.dropna(subset=["customer_id"])
    region = d.groupby(["customer_id", "region"]).size().reset_index().sort_values(
        ["customer_id", 0, "region"], ascending=[True, False, True]).drop_duplicates("customer_id")
    french = set(region.loc[region["region"] == "France", "customer_id"])
    fr_buyers = d[d["customer_id"].isin(french)].drop_duplicates(["customer_id", "product_id"])["product_id"].value_counts()
    assert all("Top seller in your region (France)" in x for x in fr["reasons"])
    counts = [int(x.rsplit(": ", 1)[1].split()[0]) for x in fr["reasons"]]
    assert counts == [fr_buyers[p] for p in fr["products"]]
    assert counts[0] == fr_buyers.max() and counts == sorted(counts, reverse=True)
    # no attributes: overall top sellers
    all_buyers = d.drop_duplicates(["customer_id", "product_id"])["product_id"].value_counts()
    assert all(x.startswith("Top seller: bought by") for x in anon["reasons"])
    assert [all_buyers[p] for p in anon["products"]] == list(all_buyers.iloc[:K])


def test_cold_users_evaluated_separately(result):
    cold = result["cold_start"]
    names = {m["name"]: m for m in cold["models"]}
    assert cold["n_users"] > 500 and set(names) == {"attribute", "popular"}
    assert 0 < names["popular"]["precision_at_k"] < 1


def test_new_products_placed_by_name(result):
    placed = {p["product_id"]: p["similar_to"] for p in result["new_products"]}
    # Online Retail holds lower-case duplicates of codes sold only to anonymous buyers
    assert placed.get("15056bl") == "15056BL"


def test_segment_and_product_target_lists(orders):
    small = orders[orders["order_date"] >= pd.Timestamp("2011-09-01")]
    res = R.compute({"orders": small}, {"holdout_from": date(2011, 11, 15), "k": 5, "model": "item",
                                        "segment": ["12347", "12348", "NOPE"], "product": "85123A",
                                        "top_customers": 25})
    seg = R.to_frame(res, "segment_targets")
    assert list(seg.groupby("customer_id").size()) == [5, 5, 5]
    assert set(seg.loc[seg["customer_id"] == "NOPE", "customer_status"]) == {"new"}
    assert res["segment"] == {"n_customers": 3, "n_known": 2, "n_new": 1}
    pt = R.to_frame(res, "product_targets")
    assert len(pt) == 25 and pt["score"].is_monotonic_decreasing
    d = small[~small["is_return"] & small["customer_id"].notna()]
    owners = set(d.loc[d["product_id"] == "85123A", "customer_id"])
    assert not set(pt["customer_id"]) & owners  # repeat purchases off: owners are not targets


def test_figures_state_the_finding(result):
    figs = R.figures(result, "en")
    assert [f["key"] for f in figs] == ["models", "top_products", "cold_start"]
    m = {x["name"]: x for x in result["models"]}
    title = figs[0]["title"]
    assert f"{m['popular']['precision_at_k'] * 100:.1f}%" in title
    assert f"{m[result['chosen_model']]['precision_at_k'] * 100:.1f}%" in title
    colors = list(figs[0]["figure"].data[0].marker.color)
    assert colors[3] == "#9e9e9e" and len(set(colors)) >= 2  # baseline highlighted
    zh = R.figures(result, "zh")
    assert "热销榜" in zh[0]["figure"].data[0].x[3]


def test_not_enough_data():
    df = _complete(pd.DataFrame({"order_date": pd.to_datetime(["2024-01-01"]), "amount": [1.0]}), "orders")
    df["is_return"] = False
    with pytest.raises(NotEnoughData):
        R.compute({"orders": df}, {})
    with pytest.raises(NotEnoughData):
        R.compute({"orders": df.iloc[0:0]}, {})


def test_new_product_is_banned_where_its_anchor_is(orders, lines):
    F = _final(orders, lines)
    ids = list(F.all_ids)
    new, anchor = ids.index("15056bl"), ids.index("15056BL")
    assert new >= len(F.M.items) and F.banned[:, anchor].nnz > 0
    assert (F.banned[:, new] != F.banned[:, anchor]).nnz == 0


def test_als_on_a_sample_scores_every_customer_by_exact_least_squares(monkeypatch):
    """Above MAX_ALS_USERS the factors are learnt on a seeded sample; every customer's factors are the
    least-squares solution given the products' factors, (Y'C_uY + lambda I) x = Y'C_u p_u, written out in
    numpy (implicit's convention: confidence c = alpha x w), whether the customer was in the sample or
    not; the same seed gives the same model."""
    from analytics.recommend import models

    monkeypatch.setattr(models, "MAX_ALS_USERS", 60)
    rng = np.random.default_rng(8)
    B = (rng.random((200, 15)) < 0.3).astype(np.float32)
    B[B.sum(axis=1) == 0, 0] = 1
    M = _matrix(B)
    m = models._ALS(M, seed=3)
    assert len(m.sample) == 60 and m.sample.tolist() == sorted(set(m.sample.tolist()))
    Y = m.itf.astype(np.float64)
    rows = np.array([int(m.sample[0]), int(np.setdiff1d(np.arange(200), m.sample)[0]), 199])
    got = m.user_factors(rows)
    for j, u in enumerate(rows):
        items = np.nonzero(B[u])[0]
        c = models.ALS_ALPHA * B[u, items]
        A = Y.T @ Y + (Y[items].T * (c - 1.0)) @ Y[items] + models.ALS_REGULARIZATION * np.eye(Y.shape[1])
        want = np.linalg.solve(A, Y[items].T @ c)
        assert got[j] == pytest.approx(want, rel=1e-4, abs=1e-6)
    assert np.array_equal(m.scores(rows), got @ m.itf.T)
    assert m.uf.shape == (200, models.ALS_FACTORS) and np.allclose(m.uf[rows], got)
    assert np.array_equal(models._ALS(M, seed=3).itf, m.itf)
