"""Live commerce (analytics/live/, issue 16): every number against an independent pandas computation.

The live-room, creator and content data go through the real ingest path as the platforms export them: GBK
bytes, Chinese headers as Douyin's 直播数据 and 巨量百应 name them, a title row above the header, a 合计
row at the bottom, amounts like ``¥86,520.50`` and ``2.34万``, rates like ``20%``. The expected numbers are
computed with pandas / scipy / statsmodels from the values the files were written from (not from what ingest
read), so the reader, the mapping and the parsers are tested as well. The demo workspace is checked the
same way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analytics import live, report
from data import ingest, repository
from data.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
D0 = pd.Timestamp("2025-06-01")
FORMAT_CODE = {"短视频": "video", "视频": "video", "直播": "live", "图文笔记": "note", "图文": "note", "商品卡": "card"}
HOSTS = ["Lily 莉莉", "小光 Lumi官方", "阿杰 Jay", "Mia 米娅"]
SLOT = lambda h: "night" if h < 6 else "morning" if h < 12 else "afternoon" if h < 18 else "evening"  # noqa: E731


# ----------------------------------------------------------------------------- the exports


def _wan(v: float) -> str:
    return f"{v / 1e4:.2f}万"


def _money(v: float) -> str:
    return f"￥{v:,.2f}"  # GBK has the full-width yen sign


def truth() -> dict[str, pd.DataFrame]:
    """The values behind the exports (canonical field names), seeded."""
    rng = np.random.default_rng(16)
    n = 60
    day = rng.integers(0, 60, n)
    hour = rng.choice([10, 14, 19, 20, 21], n)
    start = D0 + pd.to_timedelta(day, "D") + pd.to_timedelta(hour, "h") + pd.to_timedelta(rng.choice([0, 30], n), "min")
    uv = rng.integers(50, 600, n) * 100.0
    views = uv + rng.integers(20, 400, n) * 100.0
    exposures = np.round(uv * rng.uniform(0.5, 0.8, n))
    clicks = np.round(exposures * rng.uniform(0.08, 0.2, n))
    orders = np.round(clicks * rng.uniform(0.1, 0.25, n))
    buyers = np.minimum(orders, np.round(orders * 0.92))
    products = rng.integers(15, 60, n).astype(float)
    products[[3, 17, 40]] = np.nan  # blank in the export
    sessions = pd.DataFrame({
        "session_id": [f"730{i:05d}" for i in range(n)], "start_time": start,
        "duration": rng.integers(18, 60, n) * 5.0, "host": rng.choice(HOSTS, n),
        "platform": rng.choice(["Douyin", "Kuaishou"], n, p=[0.7, 0.3]),
        "views": views, "unique_viewers": uv, "peak_online": np.round(uv * 0.06), "avg_watch_time": rng.integers(40, 160, n) * 1.0,
        "product_exposures": exposures, "product_clicks": clicks, "orders": orders, "buyers": buyers,
        "gmv": np.round(orders * rng.normal(210, 30, n), 2), "spend": np.round(rng.gamma(2, 4000, n), 2),
        "followers_gained": np.round(uv * 0.008), "products": products,
    })
    m = 20
    deal_day = np.sort(rng.choice(np.arange(5, 55), m, replace=False))
    creators = pd.DataFrame({
        "creator": rng.choice(["美妆小鹿", "Coco酱", "护肤老王", "Yuki的化妆间", "大狗说成分", "素人测评社"], m),
        "platform": rng.choice(["Douyin", "Kuaishou"], m), "followers": rng.integers(10, 900, m) * 1e4,
        "slot_fee": rng.integers(2, 40, m) * 1000.0, "commission_rate": rng.choice([0.15, 0.2, 0.25, 0.3], m),
        "date": D0 + pd.to_timedelta(deal_day, "D"), "session": [f"CR{i:03d}" for i in range(m)],
        "gmv": np.round(rng.gamma(2, 40000, m), 2), "orders": rng.integers(50, 900, m) * 1.0, "posts": rng.integers(1, 4, m) * 1.0,
    })
    k = 300
    plays = rng.integers(10, 3000, k) * 100.0
    content = pd.DataFrame({
        "content_id": [f"7{i:08d}" for i in range(k)],
        "date": D0 + pd.to_timedelta(rng.integers(0, 60 * 24, k), "h"),
        "format": rng.choice(list(FORMAT_CODE), k, p=[0.35, 0.1, 0.15, 0.15, 0.1, 0.15]),
        "creator": rng.choice(["美妆小鹿", "Coco酱", "Lumi 光迹"], k), "plays": plays,
        "completion_rate": np.round(rng.uniform(0.1, 0.5, k), 3),
        "likes": np.round(plays * rng.uniform(0.01, 0.06, k)), "comments": np.round(plays * rng.uniform(0.001, 0.01, k)),
        "shares": np.round(plays * rng.uniform(0.001, 0.008, k)), "saves": np.round(plays * rng.uniform(0.002, 0.02, k)),
        "clicks": np.round(plays * rng.uniform(0.005, 0.04, k)), "orders": rng.integers(0, 80, k) * 1.0,
        "gmv": np.round(plays * rng.uniform(0.02, 0.4, k), 2), "spend": np.round(plays * rng.uniform(0.005, 0.05, k), 2),
    })
    days = pd.date_range("2025-05-01", "2025-08-31", freq="D")
    lines = []
    for i, d in enumerate(days):
        q = 20 + int(rng.integers(0, 10))
        ts = d + pd.to_timedelta(rng.integers(0, 86400, q), "s")
        amt = np.round(rng.gamma(2, 90, q), 2)
        amt[rng.random(q) < 0.03] *= -1
        lines.append(pd.DataFrame({"order_id": [f"O{i}-{j}" for j in range(q)], "order_date": ts,
                                   "customer_id": [f"C{x}" for x in rng.integers(0, 900, q)], "amount": amt}))
    return {"live_sessions": sessions, "creators": creators, "content": content,
            "orders": pd.concat(lines, ignore_index=True)}


def _gbk(title: str, table: pd.DataFrame, totals: dict) -> bytes:
    ncol = table.shape[1]
    rows = [[title] + [""] * (ncol - 1), list(table.columns)] + table.astype(str).values.tolist()
    rows.append([totals.get(c, "") for c in table.columns])
    text = "\r\n".join(",".join(f'"{v}"' if "," in str(v) else str(v) for v in r) for r in rows) + "\r\n"
    return text.encode("gbk")


def douyin_live_export(s: pd.DataFrame) -> bytes:
    """Douyin 直播数据 · 场次明细, as the export writes it."""
    wan = lambda col: [(_wan(v) if i % 2 else f"{v:,.0f}") for i, v in enumerate(s[col])]  # noqa: E731
    t = pd.DataFrame({
        "场次ID": s["session_id"], "直播标题": "Lumi 光迹 夏日护肤专场", "开播时间": s["start_time"].dt.strftime("%Y/%m/%d %H:%M:%S"),
        "直播时长(分钟)": s["duration"].map(lambda v: f"{v:.0f}"), "主播": s["host"], "平台": s["platform"],
        "观看人次": wan("views"), "观看人数": wan("unique_viewers"), "最高在线人数": s["peak_online"].map(lambda v: f"{v:.0f}"),
        "人均观看时长(秒)": s["avg_watch_time"].map(lambda v: f"{v:.0f}"),
        "商品曝光人数": s["product_exposures"].map(lambda v: f"{v:,.0f}"), "商品点击人数": s["product_clicks"].map(lambda v: f"{v:.0f}"),
        "成交订单数": s["orders"].map(lambda v: f"{v:.0f}"), "成交人数": s["buyers"].map(lambda v: f"{v:.0f}"),
        "成交金额": s["gmv"].map(_money), "千川消耗": s["spend"].map(_money), "新增粉丝数": s["followers_gained"].map(lambda v: f"{v:.0f}"),
        "讲解商品数": s["products"].map(lambda v: "-" if np.isnan(v) else f"{v:.0f}"),
    })
    totals = {"场次ID": "合计", "观看人次": f"{s['views'].sum():.0f}", "观看人数": f"{s['unique_viewers'].sum():.0f}",
              "成交金额": _money(s["gmv"].sum()), "千川消耗": _money(s["spend"].sum())}
    return _gbk("抖音直播数据-场次明细（2025/06/01-2025/07/30）", t, totals)


def baiying_creator_export(c: pd.DataFrame) -> bytes:
    """巨量百应 · 达人合作明细."""
    t = pd.DataFrame({
        "达人昵称": c["creator"], "达人抖音号": [f"dy{i:06d}" for i in range(len(c))], "平台": c["platform"],
        "粉丝数": c["followers"].map(_wan), "坑位费": c["slot_fee"].map(_money),
        "佣金率": c["commission_rate"].map(lambda v: f"{v * 100:.0f}%"), "合作日期": c["date"].dt.strftime("%Y-%m-%d"),
        "直播场次": c["session"], "成交金额": c["gmv"].map(_money), "成交订单数": c["orders"].map(lambda v: f"{v:.0f}"),
        "作品数": c["posts"].map(lambda v: f"{v:.0f}"),
    })
    return _gbk("巨量百应-达人合作明细 2025年6月-7月", t, {"达人昵称": "合计", "成交金额": _money(c["gmv"].sum())})


def content_export(c: pd.DataFrame) -> bytes:
    t = pd.DataFrame({
        "作品ID": c["content_id"], "发布时间": c["date"].dt.strftime("%Y-%m-%d %H:%M"), "体裁": c["format"],
        "达人昵称": c["creator"], "播放量": c["plays"].map(lambda v: f"{v:,.0f}"),
        "完播率": c["completion_rate"].map(lambda v: f"{v * 100:.1f}%"), "点赞数": c["likes"].map(lambda v: f"{v:.0f}"),
        "评论数": c["comments"].map(lambda v: f"{v:.0f}"), "分享数": c["shares"].map(lambda v: f"{v:.0f}"),
        "收藏数": c["saves"].map(lambda v: f"{v:.0f}"), "商品点击次数": c["clicks"].map(lambda v: f"{v:.0f}"),
        "成交订单数": c["orders"].map(lambda v: f"{v:.0f}"), "成交金额": c["gmv"].map(_money), "消耗": c["spend"].map(_money),
    })
    return _gbk("作品数据明细", t, {"作品ID": "合计", "播放量": f"{c['plays'].sum():,.0f}"})


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'prism.db'}"
    eng = make_engine(os.environ["DATABASE_URL"])
    repository.init_store(engine=eng)
    tr = truth()
    exports = {"live_sessions": douyin_live_export(tr["live_sessions"]), "creators": baiying_creator_export(tr["creators"]),
               "content": content_export(tr["content"])}
    ids, results = {}, {}
    for kind, data in exports.items():
        assert ingest.guess_kind(data, f"{kind}.csv") == kind
        res = ingest.ingest_bytes(data, filename=f"{kind}.csv", kind=kind, engine=eng)
        ids[kind], results[kind] = res["id"], res
    o = tr["orders"]
    csv = pd.DataFrame({"订单编号": o["order_id"], "支付时间": o["order_date"].dt.strftime("%Y-%m-%d %H:%M:%S"),
                        "实付金额": o["amount"].map(lambda v: f"{v:.2f}"), "买家ID": o["customer_id"]}).to_csv(index=False)
    ids["orders"] = ingest.ingest_bytes(csv.encode("utf-8"), filename="orders.csv", kind="orders", engine=eng)["id"]
    yield {"ids": ids, "truth": tr, "engine": eng, "results": results, "url": os.environ["DATABASE_URL"]}
    if old is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = old


def _run(store, kinds=("live_sessions", "creators", "content", "orders"), **params):
    ids = [store["ids"][k] for k in kinds]
    return report.run_page("live-commerce", ids, {k: str(v) for k, v in params.items()}, engine=store["engine"])


# ----------------------------------------------------------------------------- independent computations


def _ratio(a, b, k=1.0):
    return k * a / b if b > 0 else None


def expected_room(s: pd.DataFrame) -> dict:
    tot = s[["gmv", "views", "unique_viewers", "orders", "buyers", "spend"]].sum()
    lo, hi = proportion_confint(tot["buyers"], tot["unique_viewers"], alpha=0.05, method="wilson")
    return {"gmv": tot["gmv"], "views": tot["views"], "unique_viewers": tot["unique_viewers"],
            "gpm": 1000 * tot["gmv"] / tot["views"], "uv_value": tot["gmv"] / tot["unique_viewers"],
            "conversion": tot["buyers"] / tot["unique_viewers"], "aov": tot["gmv"] / tot["orders"],
            "roi": tot["gmv"] / tot["spend"], "ci": (lo, hi)}


def expected_hosts(s: pd.DataFrame) -> pd.DataFrame:
    h = s.groupby("host").agg(sessions=("gmv", "size"), gmv=("gmv", "sum"), views=("views", "sum"),
                              unique_viewers=("unique_viewers", "sum"), buyers=("buyers", "sum"))
    h["gpm"] = 1000 * h["gmv"] / h["views"]
    h["uv_value"] = h["gmv"] / h["unique_viewers"]
    h["conversion"] = h["buyers"] / h["unique_viewers"]
    return h


def expected_creators(c: pd.DataFrame, margin: float) -> pd.DataFrame:
    c = c.assign(commission=c["gmv"] * c["commission_rate"])
    g = c.groupby("creator").agg(deals=("gmv", "size"), gmv=("gmv", "sum"), slot_fee=("slot_fee", "sum"),
                                 commission=("commission", "sum"))
    g["cost"] = g["slot_fee"] + g["commission"]
    g["roi"] = g["gmv"] / g["cost"]
    g["break_even_commission"] = margin - g["slot_fee"] / g["gmv"]
    return g


def expected_formats(ct: pd.DataFrame) -> pd.DataFrame:
    ct = ct.assign(code=ct["format"].map(FORMAT_CODE), eng=ct[["likes", "comments", "shares", "saves"]].sum(axis=1))
    g = ct.groupby("code").agg(items=("plays", "size"), plays=("plays", "sum"), eng=("eng", "sum"), clicks=("clicks", "sum"),
                               gmv=("gmv", "sum"), spend=("spend", "sum"))
    g["engagement_rate"] = g["eng"] / g["plays"]
    g["cpe"] = g["spend"] / g["eng"]
    g["click_rate"] = g["clicks"] / g["plays"]
    g["gmv_per_mille"] = 1000 * g["gmv"] / g["plays"]
    g["roi"] = g["gmv"] / g["spend"]
    return g


def _approx(x):
    return pytest.approx(x, rel=1e-9, abs=1e-9)


# ----------------------------------------------------------------------------- tests


def test_the_exports_read_as_the_platforms_write_them(store):
    res = store["results"]
    assert res["live_sessions"]["rows"] == 60 and res["creators"]["rows"] == 20 and res["content"]["rows"] == 300
    assert all(r["rejected_rows"] == 0 for r in res.values())
    m = res["live_sessions"]["mapping"]
    assert (m["start_time"], m["gmv"], m["spend"], m["unique_viewers"], m["views"]) == \
        ("开播时间", "成交金额", "千川消耗", "观看人数", "观看人次")
    assert (res["creators"]["mapping"]["slot_fee"], res["creators"]["mapping"]["commission_rate"]) == ("坑位费", "佣金率")
    assert (res["content"]["mapping"]["format"], res["content"]["mapping"]["plays"]) == ("体裁", "播放量")
    frame = repository.load_frame(dataset_id=store["ids"]["live_sessions"], engine=store["engine"])
    assert "attr_直播标题" in frame.columns  # unmapped columns are kept


def test_live_room_kpis_funnel_and_conversion_interval(store):
    s = store["truth"]["live_sessions"]
    r = _run(store)
    exp = expected_room(s)
    for k in ("gmv", "views", "unique_viewers", "gpm", "uv_value", "conversion", "aov", "roi"):
        assert r["kpis"][k] == _approx(exp[k]), k
    assert r["kpi_intervals"]["conversion"] == [_approx(exp["ci"][0]), _approx(exp["ci"][1])]
    cols = ["unique_viewers", "product_exposures", "product_clicks", "orders", "buyers"]
    people = [s[c].sum() for c in cols]
    assert [f["step"] for f in r["funnel"]] == ["viewers", "exposure", "click", "order", "buyer"]
    assert [f["people"] for f in r["funnel"]] == [_approx(p) for p in people]
    assert r["funnel"][0]["rate"] is None
    assert [f["rate"] for f in r["funnel"][1:]] == [_approx(b / a) for a, b in zip(people, people[1:])]


def test_session_league_hosts_and_daily_trend(store):
    s = store["truth"]["live_sessions"]
    r = _run(store)
    lg = s.sort_values(["gmv", "start_time"], ascending=[False, True])
    assert [x["session_id"] for x in r["sessions"]] == lg["session_id"].tolist()
    top = r["sessions"][0]
    row = lg.iloc[0]
    assert (top["host"], top["gmv"], top["gpm"], top["uv_value"], top["conversion"]) == (
        row["host"], _approx(row["gmv"]), _approx(1000 * row["gmv"] / row["views"]),
        _approx(row["gmv"] / row["unique_viewers"]), _approx(row["buyers"] / row["unique_viewers"]))
    h = expected_hosts(s)
    assert [x["host"] for x in r["hosts"]] == h.sort_values("gmv", ascending=False).index.tolist()
    for x in r["hosts"]:
        e = h.loc[x["host"]]
        assert (x["sessions"], x["gmv"], x["gpm"], x["uv_value"], x["conversion"]) == (
            e["sessions"], _approx(e["gmv"]), _approx(e["gpm"]), _approx(e["uv_value"]), _approx(e["conversion"]))
    # by GPM: the league changes order
    r2 = _run(store, rank_by="gpm")
    gpm = (1000 * s["gmv"] / s["views"])
    assert [x["session_id"] for x in r2["sessions"]][:10] == s.assign(g=gpm).sort_values(
        ["g", "start_time"], ascending=[False, True])["session_id"].head(10).tolist()
    assert r["grain"] == "day"
    daily = s.groupby(s["start_time"].dt.normalize())["gmv"].sum()
    assert [pd.Timestamp(x["period"]) for x in r["trends"]] == list(daily.index)
    assert [x["gmv"] for x in r["trends"]] == [_approx(v) for v in daily]


def test_top_quarter_against_scipy(store):
    s = store["truth"]["live_sessions"]
    fit = live.fit(_tables(store), {"rank_by": "gmv", "margin": 0.6, "halo_hours": 72, "baseline_days": 14})
    tq = fit.top_quarter
    thr = s["gmv"].quantile(0.75)
    top = s["gmv"] >= thr
    assert tq["threshold"] == _approx(thr) and tq["n"] == 60 and tq["n_top"] == int(top.sum())
    facs = {f["factor"]: f for f in tq["factors"]}
    slot = s["start_time"].dt.hour.map(SLOT)
    table = pd.crosstab(top, slot)
    chi2, p, dof, _ = stats.chi2_contingency(table.to_numpy(), correction=False)
    assert facs["slot"]["p_value"] == _approx(p) and facs["slot"]["dof"] == dof
    levels = {lv["level"]: lv for lv in facs["slot"]["levels"]}
    for lvl in table.columns:
        n, k = table[lvl].sum(), table.loc[True, lvl]
        lo, hi = proportion_confint(k, n, method="wilson")
        assert (levels[lvl]["sessions"], levels[lvl]["top"], levels[lvl]["ci_low"], levels[lvl]["ci_high"]) == (
            n, k, _approx(lo), _approx(hi))
    wd = pd.crosstab(top, s["start_time"].dt.day_of_week)
    assert facs["weekday"]["p_value"] == _approx(stats.chi2_contingency(wd.to_numpy(), correction=False)[1])
    for fac in ("duration", "products", "spend"):
        a, b = s.loc[top, fac].dropna(), s.loc[~top, fac].dropna()
        w = stats.ttest_ind(a, b, equal_var=False)
        ci = w.confidence_interval()
        f = facs[fac]
        assert (f["n_top"], f["n_rest"], f["mean_top"], f["mean_rest"], f["median_top"]) == (
            len(a), len(b), _approx(a.mean()), _approx(b.mean()), _approx(a.median()))
        assert (f["p_value"], f["ci_low"], f["ci_high"]) == (_approx(w.pvalue), _approx(ci.low), _approx(ci.high))


def _tables(store, kinds=("live_sessions", "creators", "content", "orders")):
    return {k: repository.lines_table(dataset_id=store["ids"][k], revision=1, engine=store["engine"]) for k in kinds}


def test_creator_deals_cost_roi_break_even_incremental_and_halo(store):
    tr = store["truth"]
    c, o = tr["creators"], tr["orders"]
    r = _run(store, margin=0.55)
    exp = expected_creators(c, 0.55)
    assert [x["creator"] for x in r["creators"]] == exp.sort_values("gmv", ascending=False).index.tolist()
    for x in r["creators"]:
        e = exp.loc[x["creator"]]
        for k in ("deals", "gmv", "slot_fee", "commission", "cost", "roi", "break_even_commission"):
            assert x[k] == _approx(e[k]), (x["creator"], k)
    assert r["creator_totals"]["cost"] == _approx(exp["cost"].sum())
    # incremental GMV and halo, from the daily sales of the sale lines
    sale = o.loc[o["amount"] >= 0]
    deal_days = c["date"].dt.normalize()
    lo_day, hi_day = deal_days.min() - pd.Timedelta(days=15), deal_days.max() + pd.Timedelta(days=14 + 3 + 2)
    daily = sale.groupby(sale["order_date"].dt.normalize())["amount"].sum().reindex(
        pd.date_range(lo_day, hi_day, freq="D"), fill_value=0.0)
    blocked = set(deal_days) | {d + pd.Timedelta(days=k) for d in deal_days for k in (1, 2, 3)}
    free = daily[~daily.index.isin(blocked)]
    for x in r["creators"]:
        inc = var = halo = hvar = 0.0
        for d in sorted(set(deal_days[c["creator"] == x["creator"]])):
            base = free[(free.index >= d - pd.Timedelta(days=14)) & (free.index <= d + pd.Timedelta(days=14))]
            inc += daily[d] - base.mean()
            var += base.var() * (1 + 1 / len(base))
            halo += daily[d + pd.Timedelta(days=1): d + pd.Timedelta(days=3)].sum() - 3 * base.mean()
            hvar += base.var() * (3 + 9 / len(base))
        assert x["incremental_gmv"] == pytest.approx(inc, rel=1e-9, abs=1e-6)
        assert x["incremental_ci_high"] - x["incremental_gmv"] == pytest.approx(1.959963984540054 * np.sqrt(var), rel=1e-9)
        assert x["halo_incremental"] == pytest.approx(halo, rel=1e-9, abs=1e-6)
        assert x["halo_ci_high"] - x["halo_incremental"] == pytest.approx(1.959963984540054 * np.sqrt(hvar), rel=1e-9)


def test_content_formats(store):
    ct = store["truth"]["content"]
    r = _run(store)
    exp = expected_formats(ct)
    got = {x["format"]: x for x in r["formats"]}
    assert set(got) == {"video", "live", "note", "card"}
    for code, e in exp.iterrows():
        x = got[code]
        assert x["items"] == e["items"]
        for k in ("plays", "gmv", "spend", "engagement_rate", "cpe", "click_rate", "gmv_per_mille", "roi"):
            assert x[k] == _approx(e[k]), (code, k)
        lo, hi = proportion_confint(e["eng"], e["plays"], method="wilson")
        assert (x["engagement_rate_ci_low"], x["engagement_rate_ci_high"]) == (_approx(lo), _approx(hi))
    comp = ct.assign(code=ct["format"].map(FORMAT_CODE)).groupby("code").apply(
        lambda g: (g["completion_rate"] * g["plays"]).sum() / g["plays"].sum(), include_groups=False)
    assert {k: got[k]["completion_rate"] for k in comp.index} == {k: _approx(v) for k, v in comp.items()}


def test_platform_filter_and_dates_change_every_section(store):
    tr = store["truth"]
    r = _run(store, platform="Kuaishou", start="2025-06-10", end="2025-07-10")
    s = tr["live_sessions"]
    s = s[(s["platform"] == "Kuaishou") & (s["start_time"] >= "2025-06-10") & (s["start_time"] < "2025-07-11")]
    exp = expected_room(s)
    assert r["kpis"]["gmv"] == _approx(exp["gmv"]) and r["kpis"]["gpm"] == _approx(exp["gpm"])
    c = tr["creators"]
    c = c[(c["platform"] == "Kuaishou") & (c["date"] >= "2025-06-10") & (c["date"] < "2025-07-11")]
    assert sum(x["deals"] for x in r["creators"]) == len(c)
    ct = tr["content"]
    ct = ct[(ct["date"] >= "2025-06-10") & (ct["date"] < "2025-07-11")]
    assert sum(x["items"] for x in r["formats"]) == len(ct)  # content has no platform: dates only


def test_any_one_kind_is_enough_and_the_others_say_what_to_upload(store):
    only = _run(store, kinds=("content",))
    assert only["missing"] == ["live_sessions", "creators"] and only["formats"] and "sessions" not in only
    assert only["kpis"]["plays"] == _approx(store["truth"]["content"]["plays"].sum())
    assert any("upload a live-room export" in w for w in only["warnings"])
    cr = _run(store, kinds=("creators",))
    assert cr["kpis"]["cost"] == _approx(expected_creators(store["truth"]["creators"], 0.6)["cost"].sum())
    assert "incremental_gmv" not in cr["creators"][0]
    assert any("Add an orders dataset" in w for w in cr["warnings"])
    with pytest.raises(Exception, match="none_selected"):
        live.fit(_tables(store, ("orders",)), {"rank_by": "gmv"})


def test_language_changes_text_not_numbers(store):
    en, zh = _run(store), report.run_page("live-commerce", list(store["ids"].values()), {}, lang="zh",
                                          engine=store["engine"])
    assert en["kpis"] == zh["kpis"] and en["creators"] == zh["creators"]
    assert any("GPM" in f for f in zh["findings"]) and any("场" in f for f in zh["findings"])
    assert zh["next_steps"] and all(any("\u4e00" <= ch <= "\u9fff" for ch in s_) for s_ in zh["next_steps"])


def test_cli_report(store, tmp_path):
    out = tmp_path / "live.json"
    ids = store["ids"]
    r = subprocess.run([sys.executable, "-m", "analytics", "report", "live-commerce",
                        *sum((["--dataset", str(ids[k])] for k in ("live_sessions", "creators", "content")), []),
                        "--format", "json", "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, "DATABASE_URL": store["url"]})
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert {"kpis", "funnel", "sessions", "hosts", "creators", "formats"} <= set(data)
    assert set(data["kpis"]) >= {"gmv", "views", "unique_viewers", "gpm", "uv_value", "conversion", "aov", "roi"}
    assert {"step", "people", "rate"} <= set(data["funnel"][0])
    assert {"session_id", "host", "gmv", "views", "unique_viewers", "gpm", "uv_value", "conversion"} <= set(data["sessions"][0])
    assert {"host", "sessions", "gmv", "gpm", "uv_value"} <= set(data["hosts"][0])
    assert {"creator", "gmv", "cost", "roi", "break_even_commission"} <= set(data["creators"][0])
    assert {"format", "items", "plays", "engagement_rate", "cpe", "gmv", "roi"} <= set(data["formats"][0])
    assert data["kpis"]["gmv"] == _approx(store["truth"]["live_sessions"]["gmv"].sum())


def test_demo_numbers_equal_pandas():
    from data import demo

    f = demo.generate(7)
    r = live.compute({k: f[k] for k in ("live_sessions", "creators", "content", "orders")}, {}, "en")
    s = f["live_sessions"]
    assert len(s) == 120 and len(f["creators"]) == 30 and len(f["content"]) == 400
    assert set(s["platform"]) <= set(demo.CHANNELS) and set(f["creators"]["platform"]) <= set(demo.CHANNELS)
    exp = expected_room(s)
    for k in ("gmv", "views", "unique_viewers", "gpm", "uv_value", "conversion", "aov", "roi"):
        assert r["kpis"][k] == _approx(exp[k]), k
    h = expected_hosts(s)
    assert {x["host"]: x["gpm"] for x in r["hosts"]} == {k: _approx(v) for k, v in h["gpm"].items()}
    c = expected_creators(f["creators"], 0.6)
    assert {x["creator"]: x["roi"] for x in r["creators"]} == {k: _approx(v) for k, v in c["roi"].items()}
    fm = expected_formats(f["content"])
    assert {x["format"]: x["roi"] for x in r["formats"]} == {k: _approx(v) for k, v in fm["roi"].items()}
    assert r["findings"] and r["next_steps"]


def test_a_factor_inside_a_next_step_is_lower_case_and_a_format_code_is_its_label():
    """"Top sessions have more minutes live", not "more Minutes live" (the factor's label starts a finding,
    not this sentence); the top content's format column shows the format's label, not its code."""
    from types import SimpleNamespace

    from analytics import live, tables
    from analytics.live.presentation import _session_text

    fac = {"factor": "duration", "type": "numeric", "p_value": 0.001, "mean_top": 240.0, "mean_rest": 150.0,
           "diff": 90.0, "ci_low": 60.0, "ci_high": 120.0}
    f = SimpleNamespace(totals={"sessions": 40, "gmv": 1e6, "gpm": 900.0, "uv_value": 2.0, "conversion": 0.02,
                                "conversion_ci_low": 0.018, "conversion_ci_high": 0.022, "roi": None},
                        funnel=[], hosts=pd.DataFrame(columns=["host", "sessions", "gpm"]),
                        top_quarter={"n": 40, "rank_by": "gmv", "factors": [fac]})
    for lang, want in (("en", "Top sessions have more minutes live"), ("zh", "直播时长")):
        findings, steps, warnings = [], [], []
        _session_text(f, lang, findings, steps, warnings)
        assert any(want in s for s in steps), steps
    fmt = next(c for c in tables.spec(live, "top_content") if c.key == "format")
    assert tables.cell(fmt, "note", "zh") == "图文笔记" and tables.cell(fmt, "card", "en") == "Product card"
    roi = next(c for c in tables.spec(live, "sessions") if c.key == "roi")
    assert tables.label("live", roi, "zh") == "千川ROI"
