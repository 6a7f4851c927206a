"""The engine running out of its memory limit is one translated sentence, not an error (CLI and pages)."""

from __future__ import annotations

import pytest


def test_duckdb_out_of_memory_becomes_engine_memory_error():
    import ibis

    from data import engine
    from data.errors import EngineMemoryError

    con = ibis.duckdb.connect(memory_limit="16MB", threads=1)
    con.raw_sql("CREATE TABLE big AS SELECT i % 3000000 AS k, i AS v FROM range(6000000) r(i)")
    t = con.table("big")
    q = t.group_by("k").aggregate(n=t.v.nunique())
    with pytest.raises(EngineMemoryError) as err:
        engine.to_arrow(q)
    assert "MiB" in err.value.limit or "MB" in err.value.limit
    con.raw_sql("CREATE TABLE small AS SELECT i AS v FROM range(10) r(i)")
    small = con.table("small")
    assert engine.to_arrow(small.aggregate(n=small.count())).column("n").to_pylist() == [10]  # still usable


def test_report_raises_engine_limit_with_the_limit_in_both_languages(monkeypatch):
    from analytics import report
    from analytics.common import AnalyticsError, EngineLimit
    from analytics.i18n import t
    from data.errors import EngineMemoryError

    with pytest.raises(EngineLimit) as err:
        with report.engine_limits():
            raise EngineMemoryError("953.6 MiB")
    assert isinstance(err.value, AnalyticsError)
    en = t(err.value.key, "en", **err.value.kwargs)
    zh = t(err.value.key, "zh", **err.value.kwargs)
    assert "953.6 MiB" in en and "shorter date range" in en
    assert "953.6 MiB" in zh and "日期范围" in zh
    with report.engine_limits():  # anything else passes through untouched
        pass
    with pytest.raises(ValueError):
        with report.engine_limits():
            raise ValueError("x")


def test_cli_report_prints_one_line_when_the_engine_runs_out_of_memory(monkeypatch, capsys):
    from analytics import __main__ as cli
    from analytics import report
    from data.errors import EngineMemoryError

    def fit_fails(*a, **k):
        with report.engine_limits():
            raise EngineMemoryError("1GB")

    monkeypatch.setattr(report, "run_page", fit_fails)
    code = cli._failing(lambda: report.run_page("market-overview", 1, {}), "zh")
    assert code == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "1GB" in err[0] and "PRISM_ENGINE_MEMORY" in err[0]


def test_cannot_answer_warns_for_the_memory_limit_and_informs_otherwise():
    from streamlit.testing.v1 import AppTest

    def script():
        from analytics.common import EngineLimit, NotEnoughData
        from components import ui

        ui.cannot_answer(EngineLimit("ui.page.engine_memory", limit="953.6 MiB"))
        ui.cannot_answer(NotEnoughData("segmentation.error.too_few_to_cluster", n=3, min=50))

    at = AppTest.from_function(script).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [w for w in at.warning if "953.6 MiB" in str(w.value) and "PRISM_ENGINE_MEMORY" in str(w.value)]
    assert len(at.info) == 1 and "Not enough data" in str(at.info[0].value)


def test_acquisition_ceiling_is_not_built_without_clv_when_the_engine_ran_out_of_memory(monkeypatch):
    # "no CLV model for these orders" gives a ceiling without it; a memory limit must not (it would be cached)
    from analytics import cached, promotions
    from analytics.common import EngineLimit

    def page_fit(url_path, datasets, params):
        if url_path == "segmentation-explorer":
            raise EngineLimit("ui.page.engine_memory", limit="1GB")
        return object()

    built = []
    monkeypatch.setattr(cached, "page_fit", page_fit)
    monkeypatch.setattr(cached, "first_purchases", lambda orders: None)
    monkeypatch.setattr(promotions, "acquisition_ceiling", lambda *a, **k: built.append(a) or {})
    cached.clear_all()
    with pytest.raises(EngineLimit):
        cached._acquisition_ceiling("promotion-planner", (("media_mix", 1, 1), ("orders", 2, 1)),
                                    cached.freeze_params({}), "en")  # past the catalogue's stored params
    assert built == []
    cached.clear_all()
