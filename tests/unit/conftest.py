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


@pytest.fixture(scope="session")
def spark_engine():
    """The local Spark session (``PRISM_ENGINE=spark``), started once for the whole test run and stopped at
    the end. pyspark (requirements-spark.txt) and a Java runtime are required: `make setup-spark` and
    .ci/run install them; without them the tests fail and say so."""
    import importlib.util
    import os
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        pytest.fail("the Spark engine tests need pyspark: run `make setup-spark` (requirements-spark.txt)")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.fail("the Spark engine tests need a Java runtime: run `make setup-spark` "
                    "(Debian's default-jre-headless)")
    from data import engine

    with engine.using("spark"):
        be = engine.connection()
    yield be
    engine.stop_spark()


@pytest.fixture(scope="session")
def spark_connect_url(spark_engine):
    """A local Spark Connect server (tests/spark_connect.py) in a child process for the whole run: the URL
    ``sc://localhost:PORT`` a page uses as ``PRISM_ENGINE``. Needs what ``spark_engine`` needs and pyspark's
    connect extras (requirements-spark.txt)."""
    import importlib.util

    if importlib.util.find_spec("grpc") is None:
        pytest.fail("the Spark Connect test needs grpcio: run `make setup-spark` (requirements-spark.txt)")
    from tests.spark_connect import Server

    server = Server().start()
    yield server.url
    server.stop()
