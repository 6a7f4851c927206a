"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL server for the whole session (tests/pg.py), stopped at the end."""
    from tests.pg import Cluster

    cluster = Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture()
def pg_url(pg_cluster, tmp_path, monkeypatch):
    """The URL of a new, empty database on the throwaway server; the lines go to the test's folder
    (a server catalogue keeps its lines where ``PRISM_LINES_DIR`` says)."""
    monkeypatch.setenv("PRISM_LINES_DIR", str(tmp_path / "lines"))
    return pg_cluster.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A fresh, migrated catalogue, once on each backend: SQLite in the test's folder (its lines directory
    beside it) and a new database on the throwaway PostgreSQL server (tests/pg.py). A test that checks
    something only SQLite has says so with ``@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)``."""
    from data import repository
    from data.db import make_engine

    backend = request.param
    if backend == "postgresql":
        eng = make_engine(request.getfixturevalue("pg_url"))
    else:
        eng = make_engine(f"sqlite:///{tmp_path / 'prism.db'}")
    repository.init_store(engine=eng)
    yield eng
    eng.dispose()
