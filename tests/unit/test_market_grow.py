"""GMV growth explained (GROW, issue 17 item 4) on the market overview.

The change of identified buyers' gross sales between the KPI window and its comparison splits into
penetration, frequency and price effects that add up to the change to the cent, and every figure equals an
independent pandas computation (the Shapley value enumerated over the 3! orders of switching the factors)
on Online Retail and on the demo workspace, month on month and year on year.
"""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest

from analytics import market
from analytics.market.grow import shapley3, to_cents
from analytics.params import parse_params
from analytics.report import page_params


@pytest.fixture(scope="module")
def datasets():
    from data import demo
    from tests.fixtures import online_retail_orders

    return {"demo": {"orders": demo.generate(seed=7)["orders"]}, "retail": {"orders": online_retail_orders()}}


def _params(raw: dict) -> dict:
    p = parse_params(page_params(market.PAGE), raw)
    assert not p.problems, p.problems
    return p.values


def shapley_by_orders(base: tuple, cur: tuple) -> list[float]:
    """The Shapley value by its definition: each factor's marginal contribution averaged over every order in
    which the three factors switch from base to current."""
    out = [0.0, 0.0, 0.0]
    perms = list(itertools.permutations(range(3)))
    for perm in perms:
        state = list(base)
        for i in perm:
            before = math.prod(state)
            state[i] = cur[i]
            out[i] += (math.prod(state) - before) / len(perms)
    return out


def pandas_grow(df: pd.DataFrame, cur: tuple[str, str], base: tuple[str, str]) -> dict:
    ret = df["is_return"].fillna(False).astype(bool)
    day = df["order_date"].dt.normalize()
    sale = df[~ret]
    first = sale.dropna(subset=["product_id"]).groupby("product_id")["order_date"].min().dt.normalize()

    def window(s, e):
        w = sale[(day[~ret] >= pd.Timestamp(s)) & (day[~ret] <= pd.Timestamp(e))]
        ident = w[w["customer_id"].notna()]
        return w, ident

    out = {}
    for name, (s, e) in (("cur", cur), ("base", base)):
        w, ident = window(s, e)
        b, o, amt = ident["customer_id"].nunique(), ident["order_id"].nunique(), float(ident["amount"].sum())
        out[name] = {"sales": amt, "buyers": b, "orders": o, "unid": float(w.loc[w["customer_id"].isna(), "amount"].sum())}
        if name == "cur":
            new = set(first[first >= pd.Timestamp(s)].index)
            out["new_sales"] = float(ident.loc[ident["product_id"].isin(new), "amount"].sum())
            out["new_products"] = int(ident.loc[ident["product_id"].isin(new), "product_id"].nunique())
    c, b = out["cur"], out["base"]
    fac = lambda x: (x["buyers"], x["orders"] / x["buyers"], x["sales"] / x["orders"])  # noqa: E731
    out["effects"] = shapley_by_orders(fac(b), fac(c))
    out["total"] = c["sales"] - b["sales"]
    out["unid_change"] = c["unid"] - b["unid"]
    return out


CASES = {
    "retail_mom": ("retail", {"start": "2011-11-01", "end": "2011-11-30", "compare": "prev"},
                   ("2011-11-01", "2011-11-30"), ("2011-10-01", "2011-10-31")),
    "retail_yoy": ("retail", {"start": "2011-12-01", "end": "2011-12-09", "compare": "yoy", "grain": "day"},
                   ("2011-12-01", "2011-12-09"), ("2010-12-01", "2010-12-09")),
    "demo_mom": ("demo", {"start": "2026-09-01", "end": "2026-09-30", "compare": "prev"},
                 ("2026-09-01", "2026-09-30"), ("2026-08-01", "2026-08-31")),
    "demo_yoy": ("demo", {"start": "2026-06-01", "end": "2026-06-30", "compare": "yoy"},
                 ("2026-06-01", "2026-06-30"), ("2025-06-01", "2025-06-30")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_grow_adds_up_to_the_cent_and_equals_pandas(case, datasets):
    ds, raw, cur, base = CASES[case]
    r = market.compute(datasets[ds], _params(raw), "en")
    g = r["grow"]
    want = pandas_grow(datasets[ds]["orders"], cur, base)
    effects = [g["buyers_effect"], g["frequency_effect"], g["price_effect"]]
    # exact in cents: the three rounded effects add up to the rounded change
    assert sum(round(x * 100) for x in effects) == round(g["total_change"] * 100)
    assert g["total_change"] == pytest.approx(want["total"], abs=0.006)
    for got, exp in zip(effects, want["effects"]):
        assert got == pytest.approx(exp, abs=0.011)  # rounding to the cent, plus at most one cent of remainder
    assert g["current"]["buyers"] == want["cur"]["buyers"] and g["base"]["buyers"] == want["base"]["buyers"]
    assert g["current"]["orders"] == want["cur"]["orders"] and g["base"]["orders"] == want["base"]["orders"]
    assert g["current"]["sales"] == pytest.approx(want["cur"]["sales"], rel=1e-12)
    assert g["new_products_sales"] == pytest.approx(want["new_sales"], abs=0.006)
    assert g["new_products"] == want["new_products"]
    assert g["unidentified_change"] == pytest.approx(want["unid_change"], abs=0.006)
    # the effects are not degenerate: each moves, and the rows carry them with the labels
    assert all(abs(x) > 1 for x in effects)
    assert [row["component"] for row in g["rows"][:4]] == ["penetration", "frequency", "price", "total"]
    assert g["rows"][3]["value"] == g["total_change"]
    assert g["compare"] == raw["compare"] and g["finding"]


def test_chinese_labels_and_same_numbers(datasets):
    ds, raw, *_ = CASES["retail_mom"]
    en = market.compute(datasets[ds], _params(raw), "en")["grow"]
    zh = market.compute(datasets[ds], _params(raw), "zh")["grow"]
    assert [r["label"] for r in zh["rows"][:3]] == ["渗透力", "复购力", "价格力"]
    assert zh["rows"][4]["label"].startswith("延展力")
    assert {k: v for k, v in zh.items() if k not in ("rows", "title", "finding", "reason_text")} == \
        {k: v for k, v in en.items() if k not in ("rows", "title", "finding", "reason_text")}
    assert [r["value"] for r in zh["rows"]] == [r["value"] for r in en["rows"]]


def test_shapley_formula_equals_the_definition_and_adds_up():
    cases = [((100, 1.5, 40.0), (130, 1.4, 47.5)), ((3, 2.0, 10.0), (1, 5.0, 2.0)), ((7, 1.0, 1.0), (7, 1.0, 1.0))]
    for base, cur in cases:
        got = shapley3(base, cur)
        assert got == pytest.approx(shapley_by_orders(base, cur), rel=1e-12, abs=1e-12)
        assert sum(got) == pytest.approx(math.prod(cur) - math.prod(base), rel=1e-12, abs=1e-12)


def test_to_cents_keeps_the_sum():
    for values in [(0.004, 0.004, 0.004), (1.005, 2.005, -3.333), (-0.016, -0.016, 0.037), (1e6 / 3, 1e6 / 3, 1e6 / 3)]:
        cents, total = to_cents(values, sum(values))
        assert round(sum(cents) * 100) == round(total * 100) == round(sum(values) * 100)
        assert all(abs(c - v) < 0.0101 for c, v in zip(cents, values))


def test_no_comparison_or_no_money_means_no_grow(datasets):
    r = market.compute(datasets["retail"], _params({"start": "2010-12-01", "end": "2010-12-31"}), "en")
    assert r["grow"] is None  # the data does not reach back to November 2010
    units = datasets["retail"]["orders"].copy()
    units["amount"] = float("nan")
    units["unit_price"] = float("nan")
    r = market.compute({"orders": units}, _params({"start": "2011-11-01", "end": "2011-11-30"}), "en")
    assert r["measure"] == "units" and r["grow"] is None
    assert "no money" in r["warnings"][0].lower() or "amount" in r["warnings"][0].lower()
