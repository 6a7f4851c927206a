"""Charts that stay readable (issue 15, item 5; analytics/charts/).

Every page's figures on the demo workspace, in English and Chinese: each value axis is formatted for its
kind of value (never plotly's SI default: no "1.504M", no "2.5M" on a Chinese axis), Chinese money axes
read 万 / 亿, data labels are short (2.52M, 252.0万), the competitors' price moves are drawn as a bounded
number of aggregate markers, promotion window and phase labels of one row never overlap, category axes
keep their names apart, and each figure has exactly one title (the finding) and the page's theme.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta

import plotly.graph_objects as go
import pytest

from analytics import charts, report
from analytics import competitors as comp
from analytics.channel_names import display_name
from analytics.registry import PAGES, module

PAGES_WITH_FIGURES = [p.url_path for p in PAGES if p.url_path != "data"]
SI_LEFTOVER = re.compile(r"\d\.\d{3,}[kMGTµm]?$|\d[GTµ]$")  # plotly's SI texts: 1.504M, 2.5G, 500µ


@pytest.fixture(scope="module")
def demo_frames():
    from data import demo

    return demo.generate()  # seed 7: the demo workspace


@pytest.fixture(scope="module")
def results(demo_frames):
    """Every page's result on the demo, in both languages, plus the market overview of one month (its
    GROW waterfall and forecast need a comparison window)."""
    out = {}
    for url in PAGES_WITH_FIGURES:
        for lang in ("en", "zh"):
            out[(url, lang)] = report.compute_page(url, demo_frames, {}, lang)
    for lang in ("en", "zh"):
        out[("market-overview-month", lang)] = report.compute_page(
            "market-overview", demo_frames, {"start": "2026-09-01", "end": "2026-09-30"}, lang)
    return out


@pytest.fixture(scope="module")
def figures(results):
    """(page, lang, figure spec) of every figure; a module's figures are built directly, so an error in one
    fails the test (figures_for would turn it into a note on the page)."""
    out = []
    for (url, lang), res in results.items():
        mod = module("market-overview" if url.startswith("market-overview") else url)
        out += [(url, lang, f) for f in mod.figures(res, lang)]
        if url == "post-campaign-evaluation":
            extra = mod.ratings_figure(res, lang)
            if extra:
                out.append((url, lang, extra))
    return out


def _numeric_axes(fig) -> list[str]:
    """The layout keys of the axes that carry numbers (not categories, not dates)."""
    keys = [k for k in fig.layout if k.startswith(("xaxis", "yaxis"))]
    return [k for k in keys if charts.axis_values(fig, k[0] + k[5:]) and fig.layout[k].type not in ("category", "date")]


# ---------------------------------------------------------------- every page's figures on the demo


def test_every_page_has_figures_in_both_languages(figures):
    for url in PAGES_WITH_FIGURES:
        for lang in ("en", "zh"):
            assert [f for u, la, f in figures if u == url and la == lang], (url, lang)
    keys = {(u, f["key"]) for u, la, f in figures}
    assert ("market-overview-month", "grow") in keys and ("competitor-tracking", "price_timeline") in keys


def test_no_value_axis_is_left_on_plotly_default_format(figures):
    seen = 0
    for url, lang, f in figures:
        fig = f["figure"]
        kinds = charts.kinds(fig)
        for key in _numeric_axes(fig):
            assert key in kinds, (url, lang, f["key"], key)
            ax = fig.layout[key]
            assert ax.tickmode == "array" and ax.ticktext, (url, f["key"], key)
            assert len(ax.ticktext) == len(ax.tickvals) == len(set(ax.ticktext)), (url, f["key"], key, ax.ticktext)
            for text in ax.ticktext:
                assert not SI_LEFTOVER.search(text), (url, lang, f["key"], key, ax.ticktext)
            seen += 1
    assert seen > 60


def test_tick_texts_say_what_the_value_is(figures):
    for url, lang, f in figures:
        fig = f["figure"]
        for key, kind in charts.kinds(fig).items():
            ax = fig.layout[key]
            if ax.type == "log" or not ax.tickvals:
                continue
            for v, text in zip(ax.tickvals, ax.ticktext):
                if kind == "percent":
                    assert text.endswith("%") and float(text[:-1]) == pytest.approx(v * 100, abs=1e-6)
                elif kind in ("money", "count", "index", "number") and v != 0:
                    unit = {"万": 1e4, "亿": 1e8, "K": 1e3, "M": 1e6, "B": 1e9}.get(text[-1], 1)
                    body = text[:-1] if unit != 1 else text
                    assert float(body.replace(",", "")) * unit == pytest.approx(v, rel=1e-9), (f["key"], key, text)
                    assert (text[-1] in "万亿") == (lang == "zh" and unit != 1)
                    assert lang == "zh" or text[-1] not in "万亿"


def test_chinese_money_axes_read_wan_and_yi(figures):
    checked = 0
    for url, lang, f in figures:
        if lang != "zh":
            continue
        fig = f["figure"]
        for key, kind in charts.kinds(fig).items():
            ax = fig.layout[key]
            if kind != "money" or not ax.tickvals or max(abs(v) for v in ax.tickvals) < 1e4:
                continue
            big = [text for v, text in zip(ax.tickvals, ax.ticktext) if abs(v) >= 1e4]
            assert big and all(text.endswith(("万", "亿")) for text in big), (url, f["key"], key, ax.ticktext)
            checked += 1
    assert checked >= 10
    grow = next(f["figure"] for u, la, f in figures if u == "market-overview-month" and la == "zh" and f["key"] == "grow")
    assert any(s.endswith("万") for s in grow.layout.yaxis.ticktext)  # was "2.5M"
    assert all("M" not in s for s in grow.data[0].text) and any("万" in s for s in grow.data[0].text)


def test_data_labels_and_hovers_are_formatted(figures):
    funnel = {la: f["figure"] for u, la, f in figures if u == "live-commerce" and f["key"] == "funnel"}
    for lang, fig in funnel.items():
        tr = fig.data[0]
        assert "text" in tr.textinfo and "value" not in tr.textinfo
        assert list(tr.text) == [charts.label_text(v, "count", lang) for v in tr.x]
        assert all(not re.search(r"\d\.\d{3,}", s) for s in tr.text)  # was "2.51975M"
    assert any(s.endswith("万") for s in funnel["zh"].data[0].text)
    assert any(s.endswith("M") for s in funnel["en"].data[0].text)
    # a trace on a formatted axis hovers with the table's format of its values
    trend = next(f["figure"] for u, la, f in figures if u == "live-commerce" and la == "zh" and f["key"] == "trend")
    bar = trend.data[0]
    assert bar.hovertext[0] == charts.value_text(bar.y[0], "money", "zh") and "%{hovertext}" in bar.hovertemplate


def test_channel_funnel_shows_every_step_of_every_channel(figures, results):
    """The channel funnel was one stacked funnel of counts: below impressions (~100x the clicks) the steps
    vanished. Now the step-to-step rates per channel: every bar at least 1% of a linear axis's range."""
    for lang in ("en", "zh"):
        fig = next(f["figure"] for u, la, f in figures if u == "channel-comparison" and la == lang and f["key"] == "funnel")
        # the bars name each channel as people say it (display_name: 抖音 in Chinese)
        rows = {display_name(r["channel"], lang): r for r in results[("channel-comparison", lang)]["channels"]}
        assert {tr.type for tr in fig.data} == {"bar"} and charts.kinds(fig) == {"xaxis": "percent"}
        ax = fig.layout.xaxis
        span = max(ax.tickvals) - min(ax.tickvals)
        seen = 0
        for tr in fig.data:
            assert set(tr.y) == set(rows)  # every channel, each step
            for ch, x in zip(tr.y, tr.x):
                assert x in (rows[ch]["ctr"], rows[ch]["cvr"])
                assert ax.type == "log" or x / span >= 0.01, (lang, tr.name, ch, x, span)
                seen += 1
        assert seen == 2 * len(rows)


def test_one_title_stating_the_finding_and_the_theme(figures):
    for url, lang, f in figures:
        fig = f["figure"]
        assert f["title"] and charts.plain(fig.layout.title.text) == f["title"], (url, f["key"])
        assert fig.layout.font.family == charts.THEME["font"] and list(fig.layout.colorway) == charts.COLORWAY
        assert fig.layout.margin.t >= 36 + 20 * (fig.layout.title.text.count("<br>") + 1)
        for line in fig.layout.title.text.split("<br>"):
            assert charts.text_px(line, 15) <= charts.WIDTH_PX + 40, (f["key"], line)
    # the report shows the title once, as the heading above the chart, not inside it as well
    url, lang, spec = next(x for x in figures if x[0] == "live-commerce" and x[1] == "en")
    _, parts = report.report_parts(url, {"findings": []}, [spec], lang=lang, user="t")
    heads = [p for p in parts if p.startswith("<h3>")]
    assert heads == [f"<h3>{html.escape(spec['title'], quote=True)}</h3>"]
    chart = next(p for p in parts if "plotly" in p.lower() and "<h3>" not in p)
    assert json.dumps(spec["figure"].layout.title.text)[1:-1] not in chart
    assert spec["figure"].layout.title.text  # the page's figure keeps its one title


def test_category_names_do_not_overlap(figures):
    for url, lang, f in figures:
        fig = f["figure"]
        for key in [k for k in fig.layout if k.startswith("xaxis")]:
            labels = charts._category_labels(fig, key, "x" + key[5:])
            ax = fig.layout[key]
            if not labels or all(charts._is_date(s) for s in labels) and ax.type != "category":
                continue
            width = charts._domain_width(ax)
            assert charts.category_fits(labels, width, abs(ax.tickangle or 0) if ax.tickangle is not None else 0), \
                (url, lang, f["key"], key, labels)
    kp = next(f["figure"] for u, la, f in figures if u == "channel-comparison" and f["key"] == "kpis")
    # the channel comparison's metrics: channels once, down the shared left axis
    assert all(tr.orientation == "h" for tr in kp.data) and kp.layout.yaxis.type == "category"


def test_category_fits_model():
    names = ["Xiaohongshu", "Pinduoduo", "Kuaishou", "WeChat", "Taobao", "Douyin", "JD"]
    assert charts.category_fits(names, 700)
    assert not charts.category_fits(names, 150)
    assert charts.category_fits(names, 150, 90) or not charts.category_fits(names, 150, 45)
    fig = go.Figure(go.Bar(x=[f"渠道名称很长的一个渠道 {i}" for i in range(12)], y=list(range(12))))
    charts.finish(fig, "zh", "t", y="count")
    assert fig.layout.xaxis.tickangle in (-45, -90)


# ---------------------------------------------------------------- number formats


def test_tick_texts_per_language():
    assert charts.tick_texts([0, 500_000, 1_000_000, 1_500_000], "money", "en") == ["0", "0.5M", "1.0M", "1.5M"]
    assert charts.tick_texts([0, 500_000, 1_000_000, 1_500_000], "money", "zh") == ["0", "50万", "100万", "150万"]
    assert charts.tick_texts([0, 1e8, 2e8, 3e8], "money", "zh") == ["0", "1亿", "2亿", "3亿"]
    assert charts.tick_texts([0, 2_000, 4_000], "count", "en") == ["0", "2,000", "4,000"]
    assert charts.tick_texts([0, 20_000, 40_000], "count", "en") == ["0", "20K", "40K"]
    assert charts.tick_texts([0, 0.025, 0.05], "percent", "zh") == ["0.0%", "2.5%", "5.0%"]
    assert charts.tick_texts([1, 1.5, 2], "ratio", "en") == ["1.0", "1.5", "2.0"]
    assert charts.log_tick_texts([1e3, 1e4, 1e5, 1e6], "money", "zh") == ["1,000", "1万", "10万", "100万"]


def test_nice_ticks_cover_the_data_in_round_steps():
    t = charts.nice_ticks(1_128_000, 3_504_000)
    assert t[0] <= 1_128_000 and t[-1] >= 3_504_000 and 4 <= len(t) <= 9
    steps = {round(b - a, 6) for a, b in zip(t, t[1:])}
    assert len(steps) == 1 and steps.pop() == 500_000
    assert charts.nice_ticks(5, 5)  # a single value still gets ticks
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[1_128_000.0, 1_504_000.0, 3_100_000.0]))
    charts.finish(fig, "en", "a finding", y="money")
    assert fig.layout.yaxis.ticktext[:3] == ("1.0M", "1.5M", "2.0M")


def test_wrap_keeps_words_and_counts_cjk_double():
    text = "Taobao turns the most impressions into conversions while Douyin spends the most per conversion"
    lines = charts.wrap(text, 40).split("<br>")
    assert len(lines) == 3 and "".join(lines) == text and all(len(x.rstrip()) <= 40 for x in lines)
    assert charts.plain(charts.wrap(text, 40)) == text
    zh = "爆发期自 2026-11-16 起 4 天，占预算 45%，" * 3
    assert all(sum(2 if "\u4e00" <= c <= "\u9fff" or c == "，" else 1 for c in x.rstrip()) <= 40
               for x in charts.wrap(zh, 40).split("<br>"))
    assert charts.plain(charts.wrap(zh, 40)) == zh and charts.wrap(zh, 40).count("<br>") >= 2


# ---------------------------------------------------------------- promotion windows and phases


def test_label_rows_never_overlap_in_a_row():
    items = [("2025-06-01", "618 mid-year festival"), ("2025-06-03", "Summer sale 2025"),
             ("2025-06-05", "Brand day"), ("2025-06-06", "One too many"), ("2025-09-01", "Autumn")]
    rng = ("2025-01-01", "2025-12-31")
    rows = charts.label_rows(items, rng, rows=3)
    assert rows[:3] == [0, 1, 2] and rows[3] is None and rows[4] == 0
    boxes = charts.label_boxes(items, rng, rows)
    for i, (r, a0, a1) in enumerate(boxes):
        for r2, b0, b1 in boxes[i + 1:]:
            assert r != r2 or a1 <= b0 or b1 <= a0


def _check_rows(items, rng, rows):
    boxes = charts.label_boxes(items, rng, rows)
    for i, (r, a0, a1) in enumerate(boxes):
        for r2, b0, b1 in boxes[i + 1:]:
            assert r != r2 or a1 <= b0 or b1 <= a0, (items, rows)


def test_promotion_window_labels_on_the_market_trend(figures, results):
    for lang in ("en", "zh"):
        res = results[("market-overview", lang)]
        fig = next(f["figure"] for u, la, f in figures if u == "market-overview" and la == lang and f["key"] == "trend")
        wins = (res["promos"] or [])[:40]
        assert len(wins) >= 20
        ann = [a for a in fig.layout.annotations if a.yref == "y domain"]
        assert len(ann) == len(wins)  # every window: a label, or a dot whose hover names it
        assert all(w["label"] in a.hovertext for a, w in zip(ann, wins))
        items = [(a.x, a.text) for a in ann if a.text != "•"]
        rows = [round((1 - a.y) / 0.07) for a in ann if a.text != "•"]
        xs = [r["period"] for r in res["by_period"]] + [r.get("period_end") or r["period"] for r in res["by_period"]]
        xs += [r["period"] for r in res.get("forecast") or []]
        _check_rows(items, (min(xs), max(xs)), rows)
        assert len(items) >= 10 and len(set(rows)) >= 2  # windows stack into rows instead of overlapping


def test_phase_labels_on_the_planner_timeline(figures, results):
    for lang in ("en", "zh"):
        fig = next(f["figure"] for u, la, f in figures if u == "promotion-planner" and la == lang and f["key"] == "timeline")
        ph = results[("promotion-planner", lang)]["pacing"]["phases"]
        ann = [a for a in fig.layout.annotations if a.yref == "paper" and a.y > 1]
        assert len(ann) == len(ph)
        items = [(a.x, a.text) for a in ann]
        rows = [round((a.y - 1.02) / 0.07) for a in ann]
        dates = [tr.x for tr in fig.data]
        lo, hi = min(min(d) for d in dates), max(max(d) for d in dates)
        _check_rows(items, (str(lo), str(hi)), rows)


# ---------------------------------------------------------------- price moves


def _moves(n: int, comps: int = 6) -> list[dict]:
    start = date(2025, 1, 6)
    out = []
    for i in range(n):
        d = start + timedelta(days=(i * 7) % 700)
        ch = (-0.1 - (i % 5) * 0.03) if i % 3 else 0.12 + (i % 4) * 0.02
        out.append({"date": d.isoformat(), "competitor": f"Rival {i % comps}", "product": f"P{i % 4}",
                    "price": 100 * (1 + ch), "reference_price": 100.0, "change_pct": ch,
                    "direction": "cut" if ch < 0 else "rise"})
    return out


def test_price_moves_are_aggregated_to_a_bounded_number_of_markers():
    events = _moves(600)
    groups, grain = charts.aggregate_moves(events)
    assert len(groups) <= charts.MAX_MOVE_MARKERS
    assert sum(g["n"] for g in groups) == 600  # every move is counted in one group
    for g in groups:  # a group's median change has the group's direction
        assert (g["median_change"] < 0) == (g["direction"] < 0)
    tl = [{"date": e["date"], "competitor": e["competitor"], "product": e["product"], "price": e["price"],
           "promo": None} for e in events]
    res = {"price_timeline": tl, "events": events, "threshold": 0.1}
    for lang in ("en", "zh"):
        fig = next(f["figure"] for f in comp.figures(res, lang) if f["key"] == "price_timeline")
        markers = [tr for tr in fig.data if tr.mode == "markers"]
        assert markers and sum(len(tr.x) for tr in markers) <= charts.MAX_MOVE_MARKERS
        assert sum(len(tr.x) for tr in fig.data if tr.mode and "markers" in tr.mode) <= charts.MAX_MOVE_MARKERS


def test_small_sets_of_moves_stay_per_week_and_competitor():
    events = _moves(12, comps=2)
    groups, grain = charts.aggregate_moves(events)
    assert grain == "week" and all(g["competitor"] is not None for g in groups)
    assert sum(g["n"] for g in groups) == 12


def test_demo_price_timeline_is_bounded(figures, results):
    for lang in ("en", "zh"):
        assert len(results[("competitor-tracking", lang)]["events"]) > 300  # hundreds of moves on the demo
        fig = next(f["figure"] for u, la, f in figures if u == "competitor-tracking" and la == lang
                   and f["key"] == "price_timeline")
        n = sum(len(tr.x) for tr in fig.data if tr.mode and "markers" in tr.mode)
        assert 0 < n <= charts.MAX_MOVE_MARKERS
        assert len(fig.data) <= 8 + 1 + 2  # the series, one promotion overlay, cuts and rises


def test_own_sales_chart_counts_moves_per_month_over_a_long_window(figures, results):
    for lang in ("en", "zh"):
        weeks = results[("competitor-tracking", lang)]["own_vs_competitors"]["weeks"]
        assert 2 * len(weeks) > charts.MAX_MOVE_MARKERS  # two years of weeks on the demo
        fig = next(f["figure"] for u, la, f in figures if u == "competitor-tracking" and la == lang
                   and f["key"] == "own_vs_competitors")
        markers = [tr for tr in fig.data if tr.type == "scatter" and tr.mode == "markers"]
        assert 0 < sum(len(tr.x) for tr in markers) <= charts.MAX_MOVE_MARKERS
        assert len(markers) == 2  # cuts and rises
        # every week's moves are counted in one month's marker
        from analytics.competitors.charts import move_counts

        for tr, key in zip(markers, ("price_cuts", "price_rises")):
            months = move_counts(weeks, key, True)
            assert sum(m["n"] for m in months) == sum(w[key] for w in weeks) > 0
            assert list(tr.x) == [m["period"] for m in months] and len({str(x)[:7] for x in tr.x}) == len(months)


def test_the_theme_template_is_plotly_white_for_the_traces_drawn():
    """charts.themed sets plotly_white cut to the figure's trace types (cheaper to copy): the layout and
    the defaults of every trace type it draws are plotly_white's, so nothing drawn changes."""
    import plotly.graph_objects as go
    import plotly.io as pio

    full = pio.templates["plotly_white"]
    fig = charts.themed(go.Figure([go.Bar(x=["a"], y=[1]), go.Scatter(x=["a"], y=[2]), go.Treemap(labels=["a"], parents=[""])]))
    got = fig.layout.template
    assert got.layout.to_plotly_json() == full.layout.to_plotly_json()
    data = got.data.to_plotly_json()
    assert set(data) == {"bar", "scatter"}  # treemap has no plotly_white defaults
    for kind in ("bar", "scatter"):
        assert data[kind] == full.data.to_plotly_json()[kind]
    assert charts.template_for({"bar", "scatter", "treemap"}) is charts.template_for({"scatter", "treemap", "bar"})


# ---------------------------------------------------------------- values set without plotly's validators


def _validated(monkeypatch):
    """charts with every value going through plotly's validators, as before issue 13's fast path (both names
    live in analytics.charts.setting, where _put and themed read them)."""
    monkeypatch.setattr(charts.setting, "_settable", lambda obj, props: False)  # _put: plotly's update
    monkeypatch.setattr(charts.setting, "_raw", lambda obj, key, value: obj.update({key: value}))


def test_fast_path_gives_every_figure_the_same_json_as_plotly_validated(results, monkeypatch):
    """charts sets the values finish computes without plotly's validators (charts._put / _raw); every page's
    figures on the demo, in both languages, serialise byte for byte as with the validated update."""
    import plotly.io as pio

    def all_json() -> list[str]:
        out = []
        for (url, lang), res in results.items():
            mod = module("market-overview" if url.startswith("market-overview") else url)
            out += [pio.to_json(f["figure"]) for f in mod.figures(res, lang)]
        return out

    fast = all_json()
    with monkeypatch.context() as m:
        _validated(m)
        slow = all_json()
    assert len(fast) == len(slow) > 100
    assert [i for i, (a, b) in enumerate(zip(fast, slow)) if a != b] == []


def test_fast_path_on_a_figure_with_every_kind_of_setting(monkeypatch):
    """Secondary axis, angled long names, a caller's own title font and margin, a log axis, numpy data: the
    fast path and plotly's validated update give the same to_plotly_json()."""
    import numpy as np
    import plotly.io as pio
    from plotly.subplots import make_subplots

    def build():
        fig = make_subplots(specs=[[{"secondary_y": True}]])
        names = [f"a rather long product name {i}" for i in range(12)]
        fig.add_trace(go.Bar(x=names, y=np.arange(12) * 1e5, error_y={"array": [1e4] * 12}), secondary_y=False)
        fig.add_trace(go.Scatter(x=names, y=[0.5 + i / 10 for i in range(12)], name="rate"), secondary_y=True)
        fig.update_layout(title={"font": {"color": "red"}}, margin={"l": 10, "t": 80}, font={"size": 13})
        return charts.finish(fig, "zh", "标题 " * 40, y="money", y2="percent")

    def build_log():
        fig = go.Figure(go.Scatter(x=[1.0, 10.0, 1e4], y=np.array([3, 30, 300]), mode="markers"))
        fig.update_layout(xaxis_type="log", yaxis_type="log")
        return charts.finish(fig, "en", "log", x="index", y="count")

    fast = [pio.to_json(build()), pio.to_json(build_log())]
    with monkeypatch.context() as m:
        _validated(m)
        slow = [pio.to_json(build()), pio.to_json(build_log())]
    assert fast == slow
    fig = build()
    assert fig.layout.yaxis.tickangle is None and fig.layout.xaxis.tickangle in (-45, -90)
    assert fig.layout.title.font.color == "red" and fig.layout.title.font.size == 15  # merged, not replaced
    assert fig.layout.margin.l == 10 and fig.layout.font.size == 13 and fig.layout.yaxis2.showgrid is False


def test_fast_path_checks_names_and_validates_what_is_not_plain():
    """A property name plotly does not know raises (also inside a compound property), and a value that is
    not a plain str / number / bool, list or dict of them (numpy, tuple) goes through plotly's validators."""
    import numpy as np

    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    with pytest.raises(ValueError):
        charts._put(fig.layout, {"colourway": ["#000000"]})
    with pytest.raises(ValueError):
        charts._put(fig.layout, {"title": {"txt": "typo"}})
    with pytest.raises(ValueError):
        charts._put(fig.data[0], {"hovertxt": ["a", "b"]})
    with pytest.raises(ValueError):  # validated: not a colour
        charts._put(fig.layout, {"paper_bgcolor": np.str_("no such colour")})
    charts._put(fig.layout.yaxis, {"tickvals": np.array([1.0, 2.0]), "ticktext": ("one", "two")})
    assert fig.layout.yaxis.to_plotly_json()["ticktext"] == ["one", "two"]  # the tuple became plotly's list
    assert isinstance(fig.layout.yaxis.to_plotly_json()["tickvals"], np.ndarray)  # plotly's own coercion
    assert not charts._canonical([1.0, np.float64(2.0)]) and not charts._canonical(None)
    assert charts._canonical({"a": [1, 2.5, "x", True]})
    charts._put(fig.layout, {"title": {"text": "ok", "font": {"size": 15}}})
    assert fig.layout.title.text == "ok" and fig.layout.title.font.size == 15


def test_figure_of_plain_traces_is_the_validated_figure():
    """charts.figure builds traces of plain lists without plotly's validation: the same JSON as go.Figure and
    one add_trace per trace; from then on the figure validates; a bad name raises; numpy and dates are
    validated by plotly (and give the same figure too)."""
    import numpy as np
    import plotly.io as pio

    def validated(traces):
        fig = go.Figure()
        for tr in traces:
            props = {k: v for k, v in tr.items() if k != "type"}
            fig.add_trace({"scatter": go.Scatter, "bar": go.Bar}[tr.get("type", "scatter")](**props))
        return fig

    traces = [dict(x=["2024-01-01", "2024-01-02", None], y=[1.0, None, 3], mode="lines+markers", name="a"),
              dict(type="bar", x=["a", "b"], y=[1, 2], text=["1", "2"],
                   marker=dict(color="red", line=dict(width=1, color="white"), opacity=None)),
              dict(x=[1, 2], y=[3.5, 4], mode="lines", hoverinfo="skip", connectgaps=False, hovertext=["x", "y"],
                   line=dict(width=9, color="rgba(127,127,127,0.3)"), name="promo")]
    assert all(charts._plain_trace(tr) is not None for tr in traces)  # the unvalidated way is taken
    fast = charts.figure(traces)
    assert pio.to_json(fast) == pio.to_json(validated(traces))
    with pytest.raises(ValueError):  # the layout and the traces validate values again
        fast.layout.paper_bgcolor = "no such colour"
    with pytest.raises(ValueError):
        fast.data[0].opacity = "opaque"
    with pytest.raises(ValueError):
        fast.data[1].update(nmae="typo")
    with pytest.raises(ValueError):
        charts.figure([dict(x=[1], y=[2], nmae="typo")])
    odd = [dict(x=np.array([1.0, 2.0]), y=[date(2024, 1, 1), date(2024, 1, 2)], name="n"), traces[0]]
    assert charts._plain_trace(odd[0]) is None
    assert pio.to_json(charts.figure(odd)) == pio.to_json(validated(odd))


def test_fast_path_leaves_to_plotly_what_it_would_change():
    # a number for a text property is stored by plotly as its text, a plain string for a compound property
    # as {"text": ...}: such values go through plotly's validation, so the JSON is the validated one
    import plotly.graph_objects as go
    import plotly.io as pio

    fig = charts.figure([dict(x=[1, 2], y=[3, 4], name=0), dict(x=[1, 2], y=[5, 6], name="b", hovertext=[1, "x"])])
    ref = go.Figure([go.Scatter(x=[1, 2], y=[3, 4], name=0), go.Scatter(x=[1, 2], y=[5, 6], name="b", hovertext=[1, "x"])])
    assert pio.to_json(fig) == pio.to_json(ref)
    assert fig.data[0].name == "0"
    for props in ({"title": "x"}, {"title": {"text": 5}}, {"meta": {"a": 1}}, {"title": {"text": "t", "font": {"size": 15}}}):
        fast, slow = go.Figure(), go.Figure()
        charts._put(fast.layout, props)
        slow.update_layout(props)
        assert pio.to_json(fast) == pio.to_json(slow), props


# ---------------------------------------------------------------- names from the data drawn as text

LINK = '<a href="http://evil.example/">Sign in again</a>'
# what plotly.js's text renderer would take for a tag (svg_text_utils: a, b, i, em, sup, sub, s, u, span, br)
PLOTLY_TAG = re.compile(r"<(?!br>)/?(a|b|i|em|sup|sub|s|u|span)\b", re.IGNORECASE)


def _texts(d, skip=("hovertemplate", "texttemplate", "template")):
    """Every text of a figure dict outside its templates."""
    if isinstance(d, str):
        yield d
    elif isinstance(d, dict):
        for k, v in d.items():
            if k not in skip:
                yield from _texts(v, skip)
    elif isinstance(d, (list, tuple)):
        for v in d:
            yield from _texts(v, skip)


def _hostile_figure():
    fig = go.Figure(go.Bar(x=[LINK, "plain"], y=[3, 1], name=f"<span style='color:red'>{LINK}</span>",
                           customdata=[[LINK], ["x"]], hovertext=[LINK, "<b>bold</b>"],
                           hovertemplate="%{x}<br>%{customdata[0]}<extra></extra>"))
    fig.add_annotation(text=f"<sup>{LINK}</sup>", x=LINK, y=3)
    return charts.finish(fig, "en", f"{LINK} sells three times as much as plain", y="count")


def test_inert_figure_leaves_no_tag_but_the_line_break_and_keeps_the_templates():
    d = _hostile_figure().to_dict()
    assert any(PLOTLY_TAG.search(s) for s in _texts(d))  # the check below can fail
    out = charts.inert_figure(d)
    assert out is d
    assert not [s for s in _texts(d) if PLOTLY_TAG.search(s)]
    tr = d["data"][0]
    assert tr["x"] == ['&lt;a href="http://evil.example/">Sign in again&lt;/a>', "plain"]  # drawn as typed
    assert tr["hovertext"][1] == "&lt;b>bold&lt;/b>"
    assert tr["hovertemplate"] == "%{x}<br>%{customdata[0]}<extra></extra>"  # ours, markup kept
    assert d["layout"]["annotations"][0]["x"] == tr["x"][0]  # a category named the same way everywhere
    assert "<br>" in d["layout"]["title"]["text"]  # the wrapped title keeps its line breaks
    assert charts.inert_figure(d) == d  # idempotent: a figure made inert twice is the same
    assert charts.inert("1 < 2") == "1 &lt; 2" and charts.inert("no tag") == "no tag"
    assert charts.inert_figure(("<i>a</i>", 1)) == ["&lt;i>a&lt;/i>", 1]


def test_the_page_and_the_report_draw_names_from_the_data_as_text():
    from components import ui

    fig = _hostile_figure()
    served = ui._serialised(fig).to_dict()
    assert not [s for s in _texts(served) if PLOTLY_TAG.search(s)]
    assert ui._serialised(fig).to_dict() is served  # made inert once per figure, then reused
    assert fig.data[0].x[0] == LINK  # the cached figure itself is unchanged
    _, parts = report.report_parts("live-commerce", {"findings": []},
                                   [{"key": "k", "title": "t", "figure": fig}], lang="en", user="t")
    chart = next(p for p in parts if "Plotly.newPlot" in p)
    spec = json.loads(re.search(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*(\[.*?\]),\s*\{", chart, re.S).group(1))
    assert spec[0]["x"][0].startswith("&lt;a href") and spec[0]["hovertemplate"].endswith("<extra></extra>")
    assert not [s for s in _texts(spec) if PLOTLY_TAG.search(s)]


def test_wrap_keeps_brackets_and_punctuation_with_their_words():
    # a line never ends with an opening bracket or quote, never starts with closing punctuation
    opening, closing = "（“「《", "）。，、：；！？」”》"
    texts = ["渠道结构中" * 3 + "「抖音」领先，" + "本品增长" * 4 + "（最近一月）。" + "市场份额" * 5,
             "价格弹性：" + "竞品" * 7 + "《年货节》期间降价、" + "本品销量" * 3 + "“不受影响”！" + "尾" * 9]
    for text in texts:
        for width in range(10, 60):
            out = charts.wrap(text, width)
            lines = out.split("<br>")
            assert charts.plain(out) == text
            for a, b in zip(lines, lines[1:]):
                assert a[-1] not in opening, (width, a, b)
                assert b[0] not in closing, (width, a, b)
    assert charts.wrap("Price moves (not caused by promotions) lead the mix.", 20).split("<br>")[0] == "Price moves (not "
