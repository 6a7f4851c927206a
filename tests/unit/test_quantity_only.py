"""An export with quantities and no money (issue 14 item 3): a trade history in the layout of Tianchi's
mum-and-baby data goes through the real ingest and mapping path, and every page that reads orders runs on
it: no money figure shown as a number (None, not 0), the no-amounts note, units / buyers / orders equal
to pandas on the file, recommendations that produce lists."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import report
from analytics.common import AnalyticsError
from analytics.i18n import t
from analytics.registry import PAGES, module
from data import ingest, repository
from data.db import make_engine
from data.errors import IngestError
from tests.tianchi_like import tianchi_csv, tianchi_frame

FILE = "sam_tianchi_mum_baby_trade_history.csv"
ORDER_PAGES = [p.url_path for p in PAGES if "orders" in getattr(module(p.url_path), "KINDS", {})]
# pages that need another kind beside the orders: they refuse with the empty-state message, never a traceback
NEEDS_OTHER = {"competitor-tracking", "channel-comparison", "promotion-planner", "live-commerce"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('qty') / 'prism.db'}")
    repository.init_store(engine=eng)
    info = ingest.ingest_bytes(tianchi_csv(), filename=FILE, kind="orders", engine=eng)
    yield eng, info
    eng.dispose()


@pytest.fixture(scope="module")
def frame():
    return tianchi_frame()


def test_mapped_without_overrides_and_said_so(store):
    p = ingest.prepare(tianchi_csv(), filename=FILE, kind="orders", engine=store[0])
    assert p.mapping == {"order_date": "day", "customer_id": "user_id", "product_id": "auction_id",
                         "category": "cat_id", "quantity": "buy_mount"}
    assert p.bad_rows == 0
    assert any("this export has no money" in n for n in p.notes)
    assert any("each line is its own order" in n for n in p.notes)
    assert p.converted.frame["amount"].isna().all()  # no amount made up: zero would read as "no sales"


def test_kind_guessed_as_orders():
    assert ingest.guess_kind(tianchi_csv(), FILE) == "orders"


def test_catalogue_records_no_money(store):
    eng, info = store
    ds = repository.get_dataset(dataset_id=info["id"], engine=eng)
    assert "quantity" in ds["fields"] and "amount" not in ds["fields"] and "unit_price" not in ds["fields"]
    assert ds["rows"] == 2000


def test_negative_quantity_is_a_return_without_money(store):
    df = tianchi_frame(200)
    df.loc[[3, 7], "buy_mount"] = -1
    p = ingest.prepare(df.to_csv(index=False).encode(), filename="returns.csv", kind="orders", engine=store[0])
    ret = p.converted.frame["is_return"]
    assert list(ret[ret].index) == [3, 7]


def test_missing_quantity_is_a_bad_row_without_money(store):
    df = tianchi_frame(200).astype({"buy_mount": object})
    df.loc[5, "buy_mount"] = ""
    p = ingest.prepare(df.to_csv(index=False).encode(), filename="gap.csv", kind="orders", engine=store[0])
    assert p.bad_rows == 1 and "required field" in p.errors.iloc[0]["reason"]


def test_money_still_required_per_line_when_mapped(store):
    """A file with an amount column keeps the old rule: a line without an amount is bad, even with a quantity."""
    df = tianchi_frame(100)
    df["paid"] = 9.5
    df.loc[4, "paid"] = None
    p = ingest.prepare(df.to_csv(index=False).encode(), filename="paid.csv", kind="orders",
                       overrides={"amount": "paid"}, engine=store[0])
    assert p.bad_rows == 1 and "amount" in p.errors.iloc[0]["reason"]


def test_no_quantity_and_no_money_is_still_refused(store):
    df = tianchi_frame(50).drop(columns=["buy_mount"])
    with pytest.raises(IngestError, match="required field amount or unit_price or quantity"):
        ingest.prepare(df.to_csv(index=False).encode(), filename="bare.csv", kind="orders", engine=store[0])


@pytest.mark.parametrize("url", ORDER_PAGES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_orders_page(store, url, lang):
    eng, info = store
    if url in NEEDS_OTHER:
        with pytest.raises(AnalyticsError):  # the page's own message (needs competitors / channels / ...)
            report.run_page(url, [info["id"]], {}, lang=lang, engine=eng)
        return
    r = report.run_page(url, [info["id"]], {}, lang=lang, engine=eng)
    assert r["page"] == url
    if url in ("market-overview", "segmentation-explorer", "persona-builder"):
        assert r["warnings"][0] == t("ui.common.no_money", lang)
    else:  # nothing in money on these pages: no note needed, and none claims sales
        assert t("ui.common.no_money", lang) not in r.get("warnings", [])


def test_market_units_buyers_orders(store, frame):
    eng, info = store
    r = report.run_page("market-overview", [info["id"]], {}, engine=eng)
    k = r["kpis"]
    for m in ("gross_sales", "returns", "net_sales", "aov"):
        assert k[m] is None
    assert k["units"] == frame["buy_mount"].sum() and k["returned_units"] == 0
    assert k["orders"] == len(frame)  # no order id: each line its own order
    assert k["buyers"] == frame["user_id"].nunique()
    per_buyer = frame.groupby("user_id").size()
    assert k["repeat_rate"] == pytest.approx((per_buyer > 1).mean())
    assert r["measure"] == "units" and r["market_share"] is None
    # the mix by units: shares of each category's units
    mix = {row["value"]: row for row in r["mix"]["category"] if row["value"] in set(frame["cat_id"])}
    units = frame.groupby("cat_id")["buy_mount"].sum()
    for cat, row in mix.items():
        assert row["units"] == units[cat] and "net_sales" not in row
        assert row["share"] == pytest.approx(units[cat] / units.sum())
    assert sum(row["units"] for row in r["by_period"]) == frame["buy_mount"].sum()
    assert all("net_sales" not in row and "aov" not in row for row in r["by_period"])
    money_words = ("Net sales", "net sales")
    assert not any(w in f for f in r["findings"] for w in money_words)


def test_market_figures_in_units(store):
    eng, info = store
    from analytics.market.charts import figures

    r = report.run_page("market-overview", [info["id"]], {}, lang="zh", engine=eng)
    figs = figures(r, "zh")
    assert figs and all("净销售额" not in f["title"] for f in figs)
    assert any("净件数" in f["title"] for f in figs)


def test_segmentation_rfm_on_units(store, frame):
    eng, info = store
    r = report.run_page("segmentation-explorer", [info["id"]], {}, engine=eng)
    k = r["kpis"]
    assert k["net_sales"] is None and k["avg_monetary"] is None and k["clv_total"] is None
    assert k["customers"] == frame["user_id"].nunique()
    assert k["units"] == frame["buy_mount"].sum()
    assert k["avg_units"] == pytest.approx(frame.groupby("user_id")["buy_mount"].sum().mean())
    assert sum(g["customers"] for g in r["rfm_groups"]) == frame["user_id"].nunique()
    assert "error" in r["tiers"] and "error" in r["clv"]  # spend tiers and CLV value need money
    assert r["cohorts"]["retention"]  # cohorts need no money
    assert "k" in r["clusters"]  # k-means on recency, frequency, units


def test_persona_on_units(store, frame):
    eng, info = store
    r = report.run_page("persona-builder", [info["id"]], {}, engine=eng)
    k = r["kpis"]
    assert k["avg_monetary"] is None and k["base_avg_monetary"] is None and k["net_sales_share"] is None
    assert k["base_avg_units"] == pytest.approx(frame.groupby("user_id")["buy_mount"].sum().mean())
    assert r["size"] > 0 and r["attributes"]
    assert not any("¥" in s or "net sales" in s.lower() for s in r["findings"])


def test_recommendations_produce_lists(store, frame):
    eng, info = store
    r = report.run_page("recommendations", [info["id"]], {}, engine=eng)
    assert r["top_products"] and r["sample"]
    lists = [row["products"] for row in r["sample"] if row.get("products")]
    assert lists and {p for lst in lists for p in lst} <= set(frame["auction_id"])
    assert {row["product_id"] for row in r["top_products"]} <= set(frame["auction_id"])


def test_evaluation_on_orders_only_runs(store):
    eng, info = store
    r = report.run_page("post-campaign-evaluation", [info["id"]], {}, engine=eng)
    assert r["page"] == "post-campaign-evaluation"


def test_counterfactual_on_revenue_says_there_is_no_money_and_never_draws_zeros(store):
    from analytics.i18n import t

    eng, info = store
    asked = {"cf_by": "category", "cf_treated": "28", "campaign_start": "2014-06-01"}
    r = report.run_page("post-campaign-evaluation", [info["id"]], {**asked, "cf_metric": "revenue"}, engine=eng)
    cf = r["counterfactual"]
    assert cf["status"] == "not_enough" and cf["reason"] == t("ui.common.no_money", "en")
    assert "effect" not in cf and "series" not in cf
    r = report.run_page("post-campaign-evaluation", [info["id"]], {**asked, "cf_metric": "orders"}, engine=eng)
    assert r["counterfactual"].get("reason") != t("ui.common.no_money", "en")  # counts need no money
