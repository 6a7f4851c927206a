"""Grain and comparison are display parameters of the market overview (issues 13 and 18): one fit per
dataset revision, window, filters, calendar and horizon holds every grain (day, week, month) and both
comparisons (previous period, same period last year), and presenting any of the six combinations from it
gives the numbers the page gave when each combination was a fit of its own.

``tests/data/market_reports.json.gz`` holds those numbers: the report JSON of every combination on the demo
workspace (orders + market data) and on Online Retail, over the whole data and over one month, recorded with
the code before the change (``python tools/market_fixture.py`` regenerates it; only for a reviewed change of
the numbers).
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

from analytics import market, report
from analytics.inputs import fit_params
from tests.unit.test_engine_spark import differences

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import market_fixture  # noqa: E402  (the fixture's own store and cases)

RECORDED = json.loads(gzip.open(ROOT / "tests" / "data" / "market_reports.json.gz", "rt", encoding="utf-8").read())


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    engine, ids = market_fixture.build_store(tmp_path_factory.mktemp("market_one_fit"))
    return engine, ids


def _groups(ids) -> dict[tuple, list[tuple[str, dict]]]:
    """The recorded cases grouped by what they fit on: datasets and fit parameters."""
    out: dict[tuple, list] = {}
    for name, dsets, raw in market_fixture.cases(ids):
        key = (tuple(dsets), tuple(sorted(fit_params(market, raw).items())))
        out.setdefault(key, []).append((name, raw))
    return out


def test_the_fixture_covers_every_grain_and_comparison_of_each_window(store):
    _engine, ids = store
    groups = _groups(ids)
    assert set(RECORDED) == {name for cases in groups.values() for name, _raw in cases}
    assert len(groups) == 4 and all(len(cases) == 6 for cases in groups.values())
    for cases in groups.values():
        assert {(raw["grain"], raw["compare"]) for _n, raw in cases} == \
            {(g, c) for g in ("day", "week", "month") for c in ("prev", "yoy")}


def test_one_fit_presents_every_grain_and_comparison_with_the_recorded_numbers(store, monkeypatch):
    engine, ids = store
    fits = []
    real = market.fit
    monkeypatch.setattr(market, "fit", lambda *a, **kw: fits.append(1) or real(*a, **kw))
    for (dsets, fkey), cases in _groups(ids).items():
        inputs, infos = report.load_inputs(list(dsets), engine=engine)
        n = len(fits)
        fitted = report.fit_page("market-overview", inputs, cases[0][1])
        assert len(fits) == n + 1
        for name, raw in cases:
            parsed = report.parse_params(report.page_params("market-overview"), raw)
            got = {"page": "market-overview", "lang": "en", "params": json.loads(json.dumps(
                market.jsonable(parsed.values))), "problems": parsed.problems,
                **report.present_page("market-overview", fitted, parsed.values, "en")}
            got = json.loads(json.dumps(got, ensure_ascii=False))
            assert got["period"]["grain"] == raw["grain"] and got["period"]["compare"] == raw["compare"]
            assert differences(RECORDED[name], got) == [], name
        assert len(fits) == n + 1  # presenting six combinations fitted nothing again


@pytest.mark.parametrize("name", ["demo/month/day/yoy", "retail/all/week/prev"])
def test_the_report_command_gives_the_recorded_numbers(store, name):
    engine, ids = store
    dsets, raw = next((d, r) for n, d, r in market_fixture.cases(ids) if n == name)
    got = json.loads(json.dumps(market_fixture.strip(report.run_page("market-overview", dsets, raw, engine=engine)),
                                ensure_ascii=False))
    assert differences(RECORDED[name], got) == []


def test_grain_and_compare_are_not_fit_parameters():
    full = {"grain": "day", "compare": "yoy", "horizon": 5, "category": ["A"], "channel": None, "region": None,
            "calendar": "cn", "start": None, "end": None}
    assert fit_params(market, full) == {k: v for k, v in full.items() if k not in ("grain", "compare")}
