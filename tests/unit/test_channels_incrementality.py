"""Platform ROAS beside incremental ROAS on the channel comparison (issue 17 item 3): the ledger's newest
entry of a channel, else the planner's response model at the current spend; inflation; the attribution
window the data states; the double count of conversions and revenue summed over platforms. Expected numbers
are computed here from the frames with pandas (and, for the model, from its fitted parameters with the
saturation written out), not by the code under test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import channels, ledger, promotions
from data import engine
from tests.fixtures import _complete

START = pd.Timestamp("2025-01-06")  # a Monday: the model's weeks are whole
WEEKS = 30


def _entry(i, channel, start, end, spend, lift, low, high, method="ab"):
    return {"id": i, "channel": channel, "start": start, "end": end, "spend": spend, "lift": lift, "low": low,
            "high": high, "method": method, "created_at": "2025-08-01T00:00:00", "owner": "ana"}


ENTRIES = [
    _entry(1, "Douyin", "2025-03-01", "2025-03-31", 10000.0, 15000.0, 9000.0, 21000.0),
    # the same channel as people write it in Chinese, and its test ended last: this one applies
    _entry(2, "抖音", "2025-05-01", "2025-05-28", 20000.0, 24000.0, 12000.0, 36000.0, method="geo"),
    _entry(3, "Kuaishou", "2025-06-01", "2025-06-30", 5000.0, 1000.0, -500.0, 2500.0),  # not in the data
]


@pytest.fixture(scope="module")
def synthetic():
    """30 weeks of daily lines for Douyin (platform ROAS 3.6) and Taobao (1.0), and orders whose daily net
    sales respond to both spends."""
    rng = np.random.default_rng(3)
    days = pd.date_range(START, periods=WEEKS * 7, freq="D")
    sp = {"Douyin": rng.uniform(500, 3000, len(days)), "Taobao": rng.uniform(800, 2500, len(days))}
    roas = {"Douyin": 3.6, "Taobao": 1.0}
    rows = []
    for ch in ("Douyin", "Taobao"):
        rev = sp[ch] * roas[ch] * rng.uniform(0.9, 1.1, len(days))
        rows.append(pd.DataFrame({"date": days, "channel": ch, "spend": sp[ch].round(2), "revenue": rev.round(2),
                                  "conversions": np.round(rev / 100), "impressions": 1000.0, "clicks": 50.0}))
    ch = _complete(pd.concat(rows, ignore_index=True), "channels")
    net = 4000 + 1.2 * sp["Douyin"] + 0.8 * sp["Taobao"] + rng.normal(0, 150, len(days))
    per = 20
    od = pd.DataFrame({"order_date": np.repeat(days, per), "order_id": [f"o{i}" for i in range(len(days) * per)],
                       "customer_id": [f"c{i % 900}" for i in range(len(days) * per)],
                       "amount": np.repeat(net / per, per).round(2), "channel": "shop",
                       "is_return": False})
    od = _complete(od, "orders")
    return ch, od


@pytest.fixture(scope="module")
def fitted(synthetic):
    ch, od = synthetic
    tables = engine.tables_from_frames({"channels": ch, "orders": od})
    lv = ledger.fit_value(ENTRIES)
    return channels.fit(tables, {"ledger": lv}), tables, lv


def test_ledger_entry_for_one_channel_the_model_for_the_other(synthetic, fitted):
    ch, _ = synthetic
    f, tables, lv = fitted
    rows = {r["channel"]: r for r in f.incrementality["rows"]}
    assert set(rows) == {"Douyin", "Taobao"}
    # Douyin: the newest entry (#2, written 抖音) = 24,000 / 20,000, interval 12,000 / 20,000 .. 36,000 / 20,000
    d = rows["Douyin"]
    dy = ch[ch["channel"] == "Douyin"]
    platform = dy["revenue"].sum() / dy["spend"].sum()
    assert d["platform_roas"] == pytest.approx(platform, rel=1e-9)
    assert d["source"] == "ledger #2"
    assert d["incremental_roas"] == pytest.approx(1.2)
    assert (d["incremental_roas_ci_low"], d["incremental_roas_ci_high"]) == (pytest.approx(0.6), pytest.approx(1.8))
    assert d["inflation"] == pytest.approx(platform / 1.2)
    assert d["inflation_ci_low"] == pytest.approx(platform / 1.8) and d["inflation_ci_high"] == pytest.approx(platform / 0.6)
    assert d["entry"]["id"] == 2 and d["entry"]["method"] == "geo"
    # Taobao: the planner's model (calibrated on the same entries, its defaults) at the current spend, average
    t = rows["Taobao"]
    tb = ch[ch["channel"] == "Taobao"]
    assert t["platform_roas"] == pytest.approx(tb["revenue"].sum() / tb["spend"].sum(), rel=1e-9)
    assert t["source"] == "model"
    model = promotions.fit_calibrated(tables, {"ledger": lv, "n_boot": 100, "seed": 0})[0]
    weekly = tb.groupby(tb["date"].dt.to_period("W-SUN"))["spend"].sum()
    s = weekly.iloc[-13:].mean()
    i = list(model.data.channels).index("Taobao")
    expected = model.beta[i] * np.tanh(model.lam[i] * s / model.scale[i] / 2) / s
    assert t["model_weekly_spend"] == pytest.approx(s)
    assert t["incremental_roas"] == pytest.approx(expected, rel=1e-9)
    assert t["incremental_roas_ci_low"] <= t["incremental_roas"] <= t["incremental_roas_ci_high"]
    assert t["inflation"] == pytest.approx(t["platform_roas"] / expected, rel=1e-9)
    assert f.incrementality["model"]["source"] == "channels+orders"
    # the model is the planner's: the same ledger calibrates it, so it is calibrated on Douyin's entries
    assert f.incrementality["model"]["status"] == "ok"


def test_present_action_line_table_and_report_keys(fitted, synthetic):
    f, _, _ = fitted
    ch, _ = synthetic
    dy = ch[ch["channel"] == "Douyin"]
    platform = dy["revenue"].sum() / dy["spend"].sum()
    en = channels.present(f, {}, "en")
    assert (f"Douyin's platform ROAS ({platform:.2f}) is {platform / 1.2:.2f}× its incremental ROAS (1.20; "
            f"ledger entry #2): budget on the incremental figure.") in en["findings"]
    rows = {r["channel"]: r for r in en["incrementality"]}
    for r in rows.values():  # the report's keys
        assert {"channel", "platform_roas", "incremental_roas", "source", "inflation"} <= set(r)
    assert rows["Douyin"]["basis"] == "Ledger #2: Geo test, 2025-05-01 to 2025-05-28, spend 20,000.00"
    assert rows["Taobao"]["basis"].startswith("Response model at the current spend (")
    zh = channels.present(f, {}, "zh")
    assert any(s.startswith("抖音的平台 ROAS") and "台账条目 #2" in s for s in zh["findings"])
    assert [r["incremental_roas"] for r in zh["incrementality"]] == [r["incremental_roas"] for r in en["incrementality"]]
    figs = {x["key"]: x for x in channels.figures(en, "en")}
    fig = figs["incrementality"]
    assert fig["title"] == f"Douyin's platform ROAS is {platform / 1.2:.2f}× its incremental ROAS"
    inc = fig["figure"].data[1]
    k = list(inc.y).index("Douyin")  # horizontal bars: channels down the side
    assert inc.x[k] == pytest.approx(1.2)
    assert inc.error_x.array[k] == pytest.approx(0.6) and inc.error_x.arrayminus[k] == pytest.approx(0.6)
    # every number of the table has its definition on hover, in both languages
    from analytics.tables import help_text, resolve, spec

    for lang in ("en", "zh"):
        cols = resolve("channels", spec(channels, "incrementality"), en["incrementality"], lang)
        assert {c.key for c in cols} >= {"platform_roas", "incremental_roas", "incremental_roas_ci_low", "inflation",
                                          "inflation_ci_high", "basis", "spend"}
        for col in cols:
            if col.key != "channel":
                assert help_text("channels", col, lang), (col.key, lang)


def test_without_entries_every_channel_comes_from_the_model(synthetic):
    ch, od = synthetic
    f = channels.fit(engine.tables_from_frames({"channels": ch, "orders": od}), {})
    assert {r["source"] for r in f.incrementality["rows"]} == {"model"}
    # a campaign view still reports the platforms per channel
    g = channels.fit(engine.tables_from_frames({"channels": ch.assign(campaign=ch["channel"] + "-a"), "orders": od}),
                     {"by": "campaign"})
    assert [r["channel"] for r in g.incrementality["rows"]] == [r["channel"] for r in f.incrementality["rows"]]


def test_newest_entry_is_the_test_that_ended_last():
    assert channels.newest_entry("Douyin", ENTRIES)["id"] == 2
    assert channels.newest_entry("douyin", ENTRIES[:1])["id"] == 1
    assert channels.newest_entry("Taobao", ENTRIES) is None
    assert channels.newest_entry("Douyin", [{**ENTRIES[0], "spend": 0}]) is None


@pytest.fixture(scope="module")
def overlapping():
    """Two platforms over Jan-Mar 2025 each claiming 0.8 and 0.7 of the shop's orders; the orders run over
    Feb-Apr with one refund line a day; the export states Meta's attribution setting."""
    cdays = pd.date_range("2025-01-01", "2025-03-31", freq="D")
    rows = []
    for name, conv, setting in (("Meta", 8.0, "7-day click or 1-day view"), ("Google Ads", 7.0, None)):
        rows.append(pd.DataFrame({"date": cdays, "channel": name, "spend": 100.0, "conversions": conv,
                                  "revenue": conv * 100.0, "attr_Attribution_setting": setting}))
    ch = _complete(pd.concat(rows, ignore_index=True), "channels")
    odays = pd.date_range("2025-02-01", "2025-04-30", freq="D")
    sale = pd.DataFrame({"order_date": np.repeat(odays, 10), "amount": 100.0, "is_return": False})
    sale["order_id"] = [f"o{i}" for i in range(len(sale))]
    refund = pd.DataFrame({"order_date": odays, "amount": -100.0, "is_return": True,
                           "order_id": [f"o{i * 10}" for i in range(len(odays))]})
    od = _complete(pd.concat([sale, refund], ignore_index=True).assign(customer_id="c"), "orders")
    return ch, od


def test_platform_sums_over_the_orders_are_a_double_count(overlapping):
    ch, od = overlapping
    f = channels.fit(engine.tables_from_frames({"channels": ch, "orders": od}), {})
    oc = f.incrementality["overcount"]
    lo, hi = pd.Timestamp("2025-02-01"), pd.Timestamp("2025-03-31")  # the days both cover
    c = ch[(ch["date"] >= lo) & (ch["date"] <= hi)]
    o = od[(od["order_date"] >= lo) & (od["order_date"] <= hi) & ~od["is_return"]]
    assert (oc["start"], oc["end"]) == ("2025-02-01", "2025-03-31")
    assert oc["platforms"] == 2
    assert oc["conversions"] == c["conversions"].sum() and oc["orders"] == o["order_id"].nunique()
    assert oc["revenue"] == pytest.approx(c["revenue"].sum()) and oc["sales"] == pytest.approx(o["amount"].sum())
    assert oc["conversions_over"] and oc["revenue_over"]
    assert oc["conversions_ratio"] == pytest.approx(c["conversions"].sum() / o["order_id"].nunique())
    res = channels.present(f, {}, "en")
    claimed, own = c["conversions"].sum(), o["order_id"].nunique()
    warn = next(w for w in res["warnings"] if w.startswith("The 2 platforms together claim more"))
    assert f"conversions {claimed:,.0f} vs {own:,.0f} orders ({claimed / own:.2f}×, {claimed - own:,.0f} more)" in warn
    rclaimed, rown = c["revenue"].sum(), o["amount"].sum()
    assert f"revenue {rclaimed:,.2f} vs gross sales {rown:,.2f}" in warn
    assert "from 2025-02-01 to 2025-03-31" in warn
    zh = channels.present(f, {}, "zh")
    assert any("个平台合计认领的超过了您的订单" in w for w in zh["warnings"])
    # the attribution window where the export states it
    rows = {r["channel"]: r for r in f.incrementality["rows"]}
    assert rows["Meta"]["attribution"] == "7-day click or 1-day view" and rows["Google Ads"]["attribution"] is None
    # 13 weeks are too few for the response model and there is no ledger entry: no incremental ROAS, and why
    assert f.incrementality["model"]["status"] == "unavailable"
    assert all(r["incremental_roas"] is None and r["inflation"] is None for r in rows.values())
    assert any(w.startswith("No incremental ROAS for Google Ads, Meta") and "weeks of history" in w
               for w in res["warnings"])
    # fewer platform conversions than orders: no warning
    few = channels.fit(engine.tables_from_frames({"channels": ch.assign(conversions=1.0, revenue=10.0), "orders": od}), {})
    assert not few.incrementality["overcount"]["conversions_over"]
    assert not any("together claim" in w for w in channels.present(few, {}, "en")["warnings"])


def test_store_params_read_the_ledger(tmp_path):
    from data import db, repository
    from data.access import Actor

    eng = db.get_engine(f"sqlite:///{tmp_path / 'p.db'}")
    repository.init_store(engine=eng)
    assert channels.store_params(engine=eng) == {"ledger": None}
    ledger.add({"channel": "Douyin", "start": "2025-01-01", "end": "2025-01-31", "spend": 100, "lift": 50, "low": 10,
                "high": 90}, actor=Actor("ana", "analyst"), engine=eng)
    assert channels.store_params(engine=eng) == promotions.store_params(engine=eng)
    assert ledger.from_fit_value(channels.store_params(engine=eng)["ledger"])[0]["channel"] == "Douyin"
    assert "ledger" in channels.FIT_PARAMS
