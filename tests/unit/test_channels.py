"""Channel comparison: KPIs vs an independent pandas computation, intervals, significance, curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from analytics import channels, charts
from analytics.channel_names import display_name
from analytics.i18n import fmt_number, t
from analytics.common import NotEnoughData
from tests.fixtures import _complete

COUNTS = ["spend", "impressions", "clicks", "conversions", "revenue", "video_views", "likes", "comments", "shares",
          "followers_gained"]


def ad_export(scale: float = 1.0, seed: int = 0, n_ads: int = 12) -> pd.DataFrame:
    """An ad-level snapshot (no dates): one row per ad."""
    rng = np.random.default_rng(seed)
    rows = []
    for ch, ctr, cvr, value in (("douyin", 0.020, 0.04, 120), ("xhs", 0.012, 0.06, 150), ("baidu", 0.030, 0.02, 90)):
        for i in range(n_ads):
            imp = float(rng.integers(5_000, 50_000))
            clk = float(rng.binomial(int(imp), ctr))
            conv = float(rng.binomial(int(clk), cvr))
            rows.append({"channel": ch, "campaign": f"{ch}-c{i % 3}", "spend": imp * rng.uniform(0.02, 0.05),
                         "impressions": imp, "clicks": clk, "conversions": conv,
                         "revenue": conv * value * rng.uniform(0.8, 1.2), "video_views": imp * 0.3,
                         "likes": float(rng.integers(10, 200)), "comments": float(rng.integers(0, 30)),
                         "shares": float(rng.integers(0, 20)), "followers_gained": float(rng.integers(0, 50))})
    df = pd.DataFrame(rows)
    df[COUNTS] = df[COUNTS] * scale
    return _complete(df, "channels")


@pytest.fixture(scope="module")
def export():
    return ad_export()


@pytest.fixture(scope="module")
def result(export):
    return channels.compute({"channels": export}, {}, "en")


def test_kpis_equal_an_independent_pandas_computation(export, result):
    g = export.groupby("channel")[COUNTS].sum()
    exp = pd.DataFrame({
        "ctr": g.clicks / g.impressions, "cvr": g.conversions / g.clicks, "cvr_impr": g.conversions / g.impressions,
        "cpc": g.spend / g.clicks, "cpm": g.spend / g.impressions * 1000, "cpa": g.spend / g.conversions,
        "roas": g.revenue / g.spend, "roi": (g.revenue - g.spend) / g.spend,
        "engagement_rate": (g.likes + g.comments + g.shares) / g.video_views, "follower_growth": g.followers_gained,
    })
    got = pd.DataFrame(result["channels"]).set_index("channel")
    for c in ("spend", "impressions", "clicks", "conversions", "revenue"):
        np.testing.assert_allclose(got.loc[g.index, c], g[c], rtol=1e-12)
    for c in exp.columns:
        np.testing.assert_allclose(got.loc[exp.index, c], exp[c], rtol=1e-12, err_msg=c)
    lo, hi = proportion_confint(g.clicks, g.impressions, method="wilson")
    np.testing.assert_allclose(got.loc[g.index, "ctr_ci_low"], lo, rtol=1e-12)
    np.testing.assert_allclose(got.loc[g.index, "ctr_ci_high"], hi, rtol=1e-12)
    required = {"channel", "spend", "impressions", "clicks", "conversions", "revenue", "ctr", "ctr_ci_low", "ctr_ci_high",
                "cvr", "cvr_ci_low", "cvr_ci_high", "cpc", "cpm", "cpa", "roas", "roas_ci_low", "roas_ci_high",
                "marginal_roas"}
    assert required <= set(result["channels"][0])
    for key in ("significant_pairs", "best_next_channel", "findings", "warnings", "funnel", "trends", "curves"):
        assert key in result


def test_by_campaign(export):
    r = channels.compute({"channels": export}, {"by": "campaign"}, "en")
    got = pd.DataFrame(r["channels"]).set_index("channel")
    g = export.groupby("campaign")[["spend", "revenue"]].sum()
    np.testing.assert_allclose(got.loc[g.index, "roas"], g.revenue / g.spend, rtol=1e-12)


def _widths(res, names):
    df = pd.DataFrame(res["channels"]).set_index("channel")
    return {n: (df[f"{n}_ci_high"] - df[f"{n}_ci_low"]) for n in names}


def test_every_interval_contains_its_estimate_and_narrows_with_more_data(result, export):
    names = ("ctr", "cvr", "cvr_impr", "roas", "cpa", "engagement_rate")
    df = pd.DataFrame(result["channels"])
    for n in names:
        assert (df[f"{n}_ci_low"] <= df[n] + 1e-15).all() and (df[n] <= df[f"{n}_ci_high"] + 1e-15).all(), n
    assert set(df["ci_method"]) == {"bootstrap"}
    # counts x10 on the same ads: the proportion intervals narrow
    big = channels.compute({"channels": ad_export(scale=10)}, {}, "en")
    w0, w1 = _widths(result, names[:3]), _widths(big, names[:3])
    for n in names[:3]:
        assert (w1[n] < w0[n]).all(), n
    # ten times as many ads (rows): the bootstrap ROAS / CPA intervals narrow
    many = channels.compute({"channels": pd.concat([export] * 10, ignore_index=True)}, {}, "en")
    w2 = _widths(many, ("roas", "cpa"))
    w0r = _widths(result, ("roas", "cpa"))
    for n in ("roas", "cpa"):
        assert (w2[n] < w0r[n]).all(), n


def test_one_row_per_channel_uses_the_delta_method_and_narrows_with_counts(export):
    one = export.groupby("channel", as_index=False)[COUNTS].sum()
    one = _complete(one, "channels")
    r = channels.compute({"channels": one}, {}, "en")
    df = pd.DataFrame(r["channels"]).set_index("channel")
    assert set(df["ci_method"]) == {"delta_poisson"}
    assert any("delta method" in w for w in r["warnings"])
    k = one.set_index("channel")["conversions"]
    se = 1 / np.sqrt(k)
    np.testing.assert_allclose(df.loc[k.index, "roas_ci_high"], df.loc[k.index, "roas"] * np.exp(1.959964 * se), rtol=1e-6)
    assert (df["roas_ci_low"] <= df["roas"]).all() and (df["roas"] <= df["roas_ci_high"]).all()
    assert (df["cpa_ci_low"] <= df["cpa"]).all() and (df["cpa"] <= df["cpa_ci_high"]).all()
    one10 = one.copy()
    one10[COUNTS] = one10[COUNTS] * 10
    r10 = channels.compute({"channels": one10}, {}, "en")
    w, w10 = _widths(r, ("roas", "cpa")), _widths(r10, ("roas", "cpa"))
    for n in ("roas", "cpa"):
        assert (w10[n] / pd.DataFrame(r10["channels"]).set_index("channel")[n]
                < w[n] / df[n]).all()
    assert r["curves"] and all("a" not in c for c in r["curves"])  # one row per channel: no curve, said why
    assert any("curve" in w for w in r["warnings"])


def test_pairwise_significance_matches_statsmodels_with_holm(export, result):
    g = export.groupby("channel")[["impressions", "clicks", "conversions"]].sum()
    tests = [x for x in result["pairwise_tests"] if x["metric"] == "ctr"]
    assert len(tests) == 3
    ps = []
    for x in tests:
        _, p = proportions_ztest([g.loc[x["a"], "clicks"], g.loc[x["b"], "clicks"]],
                                 [g.loc[x["a"], "impressions"], g.loc[x["b"], "impressions"]])
        ps.append(p)
        assert x["p_value"] == pytest.approx(p, rel=1e-9, abs=1e-300)
    adj = multipletests(ps, method="holm")[1]
    np.testing.assert_allclose([x["p_adjusted"] for x in tests], adj, rtol=1e-9)
    sig = {(x["metric"], x["a"], x["b"]) for x in result["significant_pairs"]}
    assert sig == {(x["metric"], x["a"], x["b"]) for x in result["pairwise_tests"] if x["p_adjusted"] < 0.05}
    assert ("ctr", "xhs", "baidu") in sig or ("ctr", "baidu", "xhs") in sig


@pytest.fixture(scope="module")
def daily():
    rng = np.random.default_rng(11)
    rows = []
    truth = {"douyin": (40.0, 0.6), "xhs": (8.0, 0.85), "baidu": (3.0, 0.95)}
    for ch, (a, b) in truth.items():
        for d in pd.date_range("2024-01-01", periods=90):
            s = rng.uniform(300, 3000)
            imp = float(rng.poisson(s * 30))
            clk = float(rng.binomial(int(imp), 0.02))
            rows.append({"date": d, "channel": ch, "spend": s, "impressions": imp, "clicks": clk,
                         "conversions": float(rng.binomial(int(clk), 0.05)),
                         "revenue": a * s**b * np.exp(rng.normal(0, 0.1))})
    return _complete(pd.DataFrame(rows), "channels"), truth


def test_diminishing_returns_curves_and_best_next_channel(daily):
    df, truth = daily
    r = channels.compute({"channels": df}, {"recent_days": 14}, "zh")
    curves = {c["channel"]: c for c in r["curves"]}
    for ch, (a, b) in truth.items():
        assert abs(curves[ch]["b"] - b) < 0.05, ch
        cur = df.loc[(df.channel == ch) & (df.date > df.date.max() - pd.Timedelta(days=14)), "spend"].sum() / 14
        assert curves[ch]["current_spend"] == pytest.approx(cur)
        assert curves[ch]["marginal_roas"] == pytest.approx(
            curves[ch]["b"] * curves[ch]["a"] * cur ** (curves[ch]["b"] - 1))
    true_m = {ch: a * b * curves[ch]["current_spend"] ** (b - 1) for ch, (a, b) in truth.items()}
    assert r["best_next_channel"] == max(true_m, key=true_m.get)
    shown = display_name(r["best_next_channel"], "zh")  # channels named as people say them (xhs: 小红书)
    assert shown in r["findings"][1] or any(shown in f for f in r["findings"])
    assert r["trends"] and {"week", "channel", "roas", "ctr"} <= set(r["trends"][0])
    funnel = pd.DataFrame(r["funnel"])
    assert set(funnel["stage"]) == {"impressions", "clicks", "conversions"}


def test_orders_only_comparison():
    od = pd.DataFrame({
        "order_id": ["1", "2", "3", "4", "C4", "5"],
        "order_date": pd.to_datetime(["2024-01-01"] * 6),
        "customer_id": ["a", "b", "a", "c", "c", "d"],
        "amount": [100.0, 50, 30, 80, -80, 20],
        "channel": ["web", "web", "app", "app", "app", "app"],
        "is_return": [False, False, False, False, True, False],
    })
    od = _complete(od, "orders")
    r = channels.compute({"orders": od}, {}, "en")
    t = pd.DataFrame(r["channels"]).set_index("channel")
    assert r["mode"] == "orders"
    assert t.loc["app", "orders"] == 3 and t.loc["app", "buyers"] == 3
    assert t.loc["app", "net_sales"] == pytest.approx(130 - 80)
    assert t.loc["app", "aov"] == pytest.approx(130 / 3)
    assert t.loc["app", "return_rate"] == pytest.approx(1 / 3)
    assert t.loc["web", "net_sales"] == pytest.approx(150)
    with pytest.raises(NotEnoughData):
        channels.compute({"orders": od.assign(channel=None)}, {}, "en")


def test_figures_in_both_languages(daily, result):
    df, _ = daily
    for lang in ("en", "zh"):
        r = channels.compute({"channels": df}, {}, lang)
        figs = channels.figures(r, lang)
        assert {f["key"] for f in figs} == {"funnel", "kpis", "incrementality", "curves", "trends"}
        curves_title = next(f["title"] for f in figs if f["key"] == "curves")
        assert display_name(r["best_next_channel"], lang) in curves_title
        for f in figs:
            assert charts.plain(f["figure"].layout.title.text) == f["title"]
    # KPI bars carry the CI as error bars
    kfig = next(f for f in channels.figures(result, "en") if f["key"] == "kpis")["figure"]
    assert kfig.data[0].orientation == "h" and kfig.data[0].error_x.array is not None


def _visible(fig) -> list[tuple[str, str, float]]:
    """(trace, channel, share of the axis range) of each funnel bar that a linear axis draws shorter than 1% of
    its range; none on a log axis, where every positive rate gets its own decades."""
    ax = fig.layout.xaxis
    if ax.type == "log":
        return [(tr.name, y, x) for tr in fig.data for y, x in zip(tr.y, tr.x) if not x or x <= 0]
    span = max(ax.tickvals) - min(ax.tickvals)
    return [(tr.name, y, x / span) for tr in fig.data for y, x in zip(tr.y, tr.x) if x is None or x / span < 0.01]


def test_funnel_shows_step_rates_per_channel_with_intervals(result):
    for lang in ("en", "zh"):
        rows = {display_name(r["channel"], lang): r for r in result["channels"]}  # the bars name channels as shown
        f = next(f for f in channels.figures(result, lang) if f["key"] == "funnel")
        fig = f["figure"]
        best = max(rows.values(), key=lambda r: r["cvr"])
        assert f["title"] == charts.plain(fig.layout.title.text)
        name = display_name(best["channel"], lang)
        assert name in f["title"] and charts.value_text(best["cvr"], "percent", lang) in f["title"]
        assert charts.kinds(fig) == {"xaxis": "percent"}
        assert [tr.type for tr in fig.data] == ["bar", "bar"] and all(tr.orientation == "h" for tr in fig.data)
        by_name = {tr.name: tr for tr in fig.data}
        for m in ("ctr", "cvr"):
            tr = by_name[channels.t(f"channels.chart.funnel_{m}", lang)]
            for ch, x, up, dn in zip(tr.y, tr.x, tr.error_x.array, tr.error_x.arrayminus):
                r = rows[ch]
                assert x == r[m]  # the result's rate, not a new computation
                assert x + up == pytest.approx(r[f"{m}_ci_high"]) and x - dn == pytest.approx(r[f"{m}_ci_low"])
            assert list(tr.text) == [charts.label_text(v, "percent", lang) for v in tr.x]
        # best CVR on top (the last category of a horizontal bar chart)
        assert list(fig.data[0].y)[-1] == name
        assert not _visible(fig)


def test_funnel_goes_to_a_log_axis_when_a_rate_would_vanish(result):
    rows = [dict(r) for r in result["channels"]]
    rows[0].update(ctr=0.0004, ctr_ci_low=0.0003, ctr_ci_high=0.0005)
    rows[1].update(cvr=0.5, cvr_ci_low=0.45, cvr_ci_high=0.55)
    fig = next(f for f in channels.figures({**result, "channels": rows}, "en") if f["key"] == "funnel")["figure"]
    assert fig.layout.xaxis.type == "log" and not _visible(fig)
    assert all(s.endswith("%") for s in fig.layout.xaxis.ticktext)
    # on the demo-like rates the axis stays linear
    assert next(f for f in channels.figures(result, "en") if f["key"] == "funnel")["figure"].layout.xaxis.type == "linear"


def test_report_says_when_a_modules_charts_raise(result, monkeypatch, caplog):
    import logging

    from analytics import report

    def broken(res, lang="en"):
        raise TypeError("unsupported operand type(s) for -: 'NoneType' and 'float'")

    monkeypatch.setattr(channels, "figures", broken)
    with caplog.at_level(logging.ERROR, logger="analytics.report"):
        figs = report.figures_for("channel-comparison", result, "en")
    assert [f["key"] for f in figs] == [report.FIGURE_ERROR_KEY] and figs[0]["figure"] is None
    rec = [r for r in caplog.records if r.name == "analytics.report" and r.levelno == logging.ERROR]
    assert rec and rec[0].exc_info[0] is TypeError and "channel-comparison" in rec[0].getMessage()
    html = report.to_html("channel-comparison", result, figs, lang="en")
    assert channels.t("ui.report.figure_error", "en").replace("'", "&#x27;") in html
    assert result["findings"][0].split(" ")[0] in html  # the rest of the report is still there
    # the module's own "no data" condition is not an error: no figures, no note, nothing logged
    caplog.clear()

    def no_data(res, lang="en"):
        raise NotEnoughData("channels.error.none_selected")

    monkeypatch.setattr(channels, "figures", no_data)
    assert report.figures_for("channel-comparison", result, "zh") == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_texts_name_channels_as_people_say_them_and_a_rate_gap_in_points(daily, export):
    """The findings, chart titles and legends show a channel's usual name (xhs: 小红书 / Xiaohongshu, as the
    planner does); the largest significant gap is of two rates: percentage points, not a percentage. A
    campaign's name is kept as it is."""
    df, _ = daily
    for lang, unit in (("zh", " 个百分点"), ("en", " pp (percentage points)")):
        r = channels.compute({"channels": export}, {}, lang)
        best = max((x for x in r["pairwise_tests"] if x["significant"]), key=lambda x: abs(x["diff"]))
        gap = fmt_number(abs(best["diff"]) * 100, lang, 2) + unit
        assert any(gap in f for f in r["findings"]), r["findings"]
        r = channels.compute({"channels": df}, {}, lang)
        assert not [f for f in r["findings"] + r["warnings"] if "xhs" in f or "douyin" in f or "baidu" in f]
        figs = channels.figures(r, lang)
        curves = next(f["figure"] for f in figs if f["key"] == "curves")
        names = {tr.name for tr in curves.data}
        current = channels.t("channels.label.current", lang, channel=display_name("douyin", lang))
        assert display_name("xhs", lang) in names and current in names and "xhs" not in names
        kpis = next(f["figure"] for f in figs if f["key"] == "kpis")
        assert set(kpis.data[0].y) == {display_name(c, lang) for c in ("douyin", "xhs", "baidu")}
    zh = channels.compute({"channels": df}, {}, "zh")
    assert "抖音：当前花费" in {tr.name for tr in next(f["figure"] for f in channels.figures(zh, "zh")
                                                   if f["key"] == "curves").data}
    by_campaign = channels.compute({"channels": export}, {"by": "campaign"}, "zh")
    assert any("douyin-c" in f or "xhs-c" in f or "baidu-c" in f for f in by_campaign["findings"])  # data: as it is


def test_a_channel_value_reads_as_its_platform_and_two_names_for_one_platform_stay_apart():
    """Channel values of a dataset: a known platform under its usual name, any other name exactly as stored;
    and a chart's categories stay one per stored name ("Douyin" and "抖音" in one dataset are two rows, so
    they cannot both be drawn as 抖音 on one category)."""
    from analytics.channel_names import channel_label, channel_labels
    from analytics.channels.base import shown_all
    from analytics.market.mix import shown_all as mix_shown_all

    assert channel_label("douyin", "zh") == "抖音" and channel_label("抖音", "en") == "Douyin"
    assert channel_label("tmall_flagship", "en") == "tmall_flagship"  # not a spend column: nothing stripped
    assert channel_label("spend_taobao", "zh") == "spend_taobao"
    names = ["Douyin", "抖音", "Taobao", "Douyin", "own_store"]
    assert channel_labels(names, "zh") == ["抖音 (Douyin)", "抖音", "淘宝", "抖音 (Douyin)", "own_store"]
    assert channel_labels(names, "en") == ["Douyin", "Douyin (抖音)", "Taobao", "Douyin", "own_store"]
    assert len(set(channel_labels(names, "zh"))) == len(set(names))  # one category per stored name
    assert shown_all(names, "zh") == channel_labels(names, "zh")
    assert shown_all(names, "zh", by="campaign") == names  # campaigns are shown as they are
    other = t("market.label.other", "zh")
    assert mix_shown_all("channel", ["Douyin", other, "抖音"], "zh") == ["抖音 (Douyin)", other, "抖音"]
    assert mix_shown_all("region", ["Douyin"], "zh") == ["Douyin"]
