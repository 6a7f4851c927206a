"""PostgreSQL as the catalogue (issue 18, item 1), on a real throwaway server (tests/pg.py).

The store tests that take the ``engine`` fixture already run once on SQLite and once on PostgreSQL
(tests/unit/conftest.py). These add what only a server catalogue shows: the same migrations, the page
numbers identical to the SQLite catalogue's, and two processes writing at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from analytics import report
from data import repository as repo
from data.db import make_engine
from data.migrations import LATEST, current_version, migrate
from tests import fixtures
from tests.unit.test_engine_spark import differences

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_build_the_same_tables_on_postgresql(pg_url, tmp_path):
    pg = make_engine(pg_url)
    lite = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        assert migrate(pg) == list(range(1, LATEST + 1))
        assert migrate(pg) == []  # idempotent
        migrate(lite)
        assert current_version(pg) == current_version(lite) == LATEST
        pi, li = inspect(pg), inspect(lite)
        assert set(pi.get_table_names()) == set(li.get_table_names())
        for table in li.get_table_names():
            assert {c["name"] for c in pi.get_columns(table)} == {c["name"] for c in li.get_columns(table)}, table
    finally:
        pg.dispose()
        lite.dispose()


def _report_json(url: str, lines: Path, monkeypatch, page: str, params: dict) -> dict:
    monkeypatch.setenv("PRISM_LINES_DIR", str(lines))
    eng = make_engine(url)
    try:
        repo.init_store(engine=eng)
        orders = fixtures.cdnow_orders()
        info = repo.write_dataset(kind="orders", frame=orders, name="CDNOW", content_hash="h", mapping={},
                                  engine=eng)
        out = report.run_page(page, [info["id"]], params, lang="en", engine=eng)
        return json.loads(json.dumps(out, default=str))
    finally:
        eng.dispose()


@pytest.mark.parametrize("page,params", [
    ("market-overview", {"start": "1997-01-01", "end": "1998-06-30"}),
    ("segmentation-explorer", {}),
])
def test_page_numbers_are_the_same_on_both_catalogues(pg_url, tmp_path, monkeypatch, page, params):
    lite = _report_json(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "lite-lines", monkeypatch, page, params)
    pg = _report_json(pg_url, tmp_path / "pg-lines", monkeypatch, page, params)
    assert lite["datasets"][0]["rows"] == pg["datasets"][0]["rows"] == len(fixtures.cdnow_orders()) > 6_000
    assert lite["kpis"] and not lite["problems"]  # a real result, not two equal error pages
    # the same keys, lists in the same order, texts and integers equal, floats within 1e-9 relative (issue 18):
    # the engine's parallel sums may differ in the last bits from one run to the next, whatever the catalogue
    assert differences(lite, pg) == []


_WRITER = """
import sys
import pandas as pd
from data import repository as repo
from data.db import make_engine
eng = make_engine(sys.argv[1])
frame = pd.DataFrame({"order_id": [f"{sys.argv[2]}-{i}" for i in range(200)], "customer_id": ["c"] * 200,
                      "order_date": pd.Timestamp("2024-01-01"), "amount": 1.0})
for j in range(3):
    repo.write_dataset(kind="orders", frame=frame, name=f"{sys.argv[2]}{j}", content_hash=f"{sys.argv[2]}{j}",
                       mapping={}, engine=eng)
"""


def test_two_processes_write_to_one_postgresql_catalogue_at_once(pg_url, tmp_path):
    eng = make_engine(pg_url)
    repo.init_store(engine=eng)
    env = {**os.environ, "PRISM_LINES_DIR": str(tmp_path / "lines"), "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, pg_url, w], cwd=ROOT, env=env,
                              stderr=subprocess.PIPE, text=True) for w in ("a", "b")]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err[-2000:]
    ds = repo.list_datasets(engine=eng)
    assert sorted(d["name"] for d in ds) == ["a0", "a1", "a2", "b0", "b1", "b2"]
    assert len({d["id"] for d in ds}) == 6 and all(d["rows"] == 200 for d in ds)
    for d in ds:
        t = repo.lines_table(dataset_id=d["id"], engine=eng)
        assert int(t.count().to_pyarrow().as_py()) == 200
    eng.dispose()
