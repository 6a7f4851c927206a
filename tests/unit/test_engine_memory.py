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
