"""The same page numbers in the three configurations: SQLite + DuckDB, PostgreSQL + DuckDB, PostgreSQL + Spark (issue 18).

One stored revision of each dataset (the demo workspace, written once to a throwaway PostgreSQL catalogue)
is read by embedded DuckDB and by the local Spark session (``PRISM_ENGINE=spark``, one session for the whole
test run: the ``spark_engine`` fixture); every page's report JSON must agree: the same keys, lists in the
same order (ordering ties resolved the same way), equal texts and integers, floats within 1e-9 relative.
The engine-neutral helpers these rest on (the order-independent sum, tables from frames, timestamps) are
checked on their own first.
"""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pandas as pd
import pytest

from analytics import report
from analytics.expr import fsum, total
from data import engine

REL = 1e-9


def differences(a, b, path: str = "") -> list[tuple]:
    """Where two report JSONs differ beyond the tolerance (floats within 1e-9 relative; an absolute 1e-9
    floor for values that are zero on one side). Wall-clock times (``*_seconds``) are not page numbers."""
    out: list[tuple] = []
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            out.append((path, "keys", sorted(set(a) ^ set(b))))
        for k in a:
            if k in b and not str(k).endswith("_seconds"):
                out += differences(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [(path, "length", len(a), len(b))]
        for i, (x, y) in enumerate(zip(a, b)):
            out += differences(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        same = a == b or (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=REL, abs_tol=1e-9)
        if not same:
            out.append((path, a, b))
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if not math.isclose(float(a), float(b), rel_tol=REL, abs_tol=1e-9) or isinstance(b, bool):
            out.append((path, a, b))
    elif a != b:
        out.append((path, a, b))
    return out


def test_differences_sees_what_matters():
    assert differences({"a": [1.0, "x"]}, {"a": [1.0 + 1e-12, "x"]}) == []
    assert differences({"a": [1.0]}, {"a": [1.0 + 1e-6]}) == [("/a[0]", 1.0, 1.0 + 1e-6)]
    assert differences({"a": ["x", "y"]}, {"a": ["y", "x"]})  # order matters
    assert differences({"a": 1}, {"b": 1})
    assert differences({"fit_seconds": 4.8}, {"fit_seconds": 3.5}) == []


# ---------------------------------------------------------------- the helpers on both engines


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(18)
    n = 20_000
    amount = np.round(rng.lognormal(3, 1.2, n), 2)
    amount[::7] *= -1  # returns cancel sales: a plain double sum depends on the order of the additions
    return pd.DataFrame({
        "g": rng.choice(["a", "b", "c"], n),
        "amount": amount,
        "order_date": pd.Timestamp("2024-06-18 10:30") + pd.to_timedelta(rng.integers(0, 86400 * 90, n), unit="s"),
    })


def _sums(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    with engine.using(kind):
        t = engine.from_frame(frame)
        q = t.group_by("g").aggregate(s=fsum(t.amount), pos=total(t.amount, where=t.amount > 0),
                                      none=fsum(t.amount, where=t.amount > 1e12), n=t.count(),
                                      last=t.order_date.max(), week=t.order_date.truncate("W").min())
        return engine.to_frame(q.order_by("g"))


def test_sums_and_timestamps_are_the_same_on_spark_and_duckdb(spark_engine):
    frame = _frame()
    duck, spark = _sums("duckdb", frame), _sums("spark", frame)
    assert list(duck.columns) == list(spark.columns)
    assert duck["g"].tolist() == spark["g"].tolist() == ["a", "b", "c"]
    assert duck["n"].tolist() == spark["n"].tolist()
    for col in ("s", "pos"):
        exact = frame.groupby("g")["amount"].apply(lambda v: math.fsum(v)) if col == "s" else \
            frame[frame["amount"] > 0].groupby("g")["amount"].apply(lambda v: math.fsum(v))
        np.testing.assert_allclose(spark[col].to_numpy(), exact.to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(duck[col].to_numpy(), exact.to_numpy(), rtol=1e-12)
    assert duck["none"].isna().all() and spark["none"].isna().all()  # NULL over no rows, on both
    assert duck["last"].tolist() == spark["last"].tolist()  # naive timestamps, no time-zone shift
    assert spark["last"].dt.tz is None
    assert duck["week"].tolist() == spark["week"].tolist()  # weeks start on Monday on both
    assert spark["week"].iloc[0].weekday() == 0


def test_the_spark_sum_does_not_depend_on_the_partitioning(spark_engine):
    frame = _frame()
    with engine.using("spark"):
        a = engine.scalar(fsum(engine.from_frame(frame).amount))
        b = engine.scalar(fsum(engine.from_frame(frame.iloc[::-1].reset_index(drop=True)).amount))
    assert a == b == math.fsum(frame["amount"])


def test_the_engine_is_named_by_prism_engine(monkeypatch):
    monkeypatch.setenv("PRISM_ENGINE", "duckdb")
    assert engine.kind() == "duckdb"
    monkeypatch.setenv("PRISM_ENGINE", "spark")
    assert engine.kind() == "spark"
    monkeypatch.setenv("PRISM_ENGINE", "sc://spark.example:15002")
    assert engine.kind() == "connect"
    monkeypatch.setenv("PRISM_ENGINE", "oracle")
    with pytest.raises(ValueError, match="PRISM_ENGINE='oracle'"):
        engine.kind()
    monkeypatch.delenv("PRISM_ENGINE")
    assert engine.kind() == "duckdb"


def test_an_engine_chosen_for_a_block_stays_in_its_thread():
    import threading

    seen = []
    with engine.using("spark"):
        t = threading.Thread(target=lambda: seen.append(engine.kind()))
        t.start()
        t.join()
        assert engine.kind() == "spark"
    assert seen == [engine.kind()] == ["duckdb"]  # another browser session's thread keeps the server's engine


def test_prism_data_url_says_where_the_parts_live(monkeypatch, tmp_path):
    monkeypatch.delenv("PRISM_LINES_DIR", raising=False)
    monkeypatch.setenv("PRISM_DATA_URL", str(tmp_path / "team-lines"))
    assert engine.lines_dir(tmp_path / "c.db") == tmp_path / "team-lines"
    monkeypatch.setenv("PRISM_DATA_URL", (tmp_path / "a b").as_uri())
    assert engine.lines_dir() == tmp_path / "a b"
    monkeypatch.setenv("PRISM_DATA_URL", "s3a://bucket/prism")  # an object store (tests/unit/test_objstore.py)
    assert str(engine.lines_dir()) == "s3://bucket/prism"
    monkeypatch.setenv("PRISM_DATA_URL", "hdfs://namenode/prism")
    with pytest.raises(ValueError, match="scheme 'hdfs' is not supported"):
        engine.lines_dir()
    monkeypatch.delenv("PRISM_DATA_URL")
    assert engine.lines_dir(tmp_path / "c.db") == (tmp_path / "c.db.lines").resolve()


# ---------------------------------------------------------------- page numbers on both engines


@pytest.fixture(scope="module")
def store(pg_cluster, tmp_path_factory):
    """The demo workspace written twice, in the same order: to a throwaway PostgreSQL catalogue and to a
    SQLite one, each with its own lines directory. The three configurations the issue names are SQLite +
    DuckDB (the default), PostgreSQL + DuckDB and PostgreSQL + Spark local."""
    from data import demo, repository
    from data.db import make_engine

    frames = demo.generate()
    stores = {}
    with pytest.MonkeyPatch.context() as mp:
        for name, url in (("postgresql", pg_cluster.new_database()),
                          ("sqlite", f"sqlite:///{tmp_path_factory.mktemp('sqlite_catalogue') / 'prism.db'}")):
            lines = tmp_path_factory.mktemp(f"{name}_lines")
            mp.setenv("PRISM_LINES_DIR", str(lines))
            eng = make_engine(url)
            repository.init_store(engine=eng)
            ids = {kind: repository.write_dataset(kind=kind, frame=frame, name=kind, content_hash=f"three:{kind}",
                                                  mapping={}, engine=eng)["id"] for kind, frame in frames.items()}
            stores[name] = {"engine": eng, "ids": ids, "lines": lines}
        yield stores
        for s in stores.values():
            s["engine"].dispose()


def _report(store, kind: str, page: str, kinds: list[str], params: dict) -> tuple[dict, float]:
    with engine.using(kind), pytest.MonkeyPatch.context() as mp:
        mp.setenv("PRISM_LINES_DIR", str(store["lines"]))
        t0 = time.perf_counter()
        out = report.run_page(page, [store["ids"][k] for k in kinds], params, lang="en", engine=store["engine"])
        return json.loads(json.dumps(out, default=str)), time.perf_counter() - t0


def _numbers(x) -> int:
    if isinstance(x, dict):
        return sum(_numbers(v) for v in x.values())
    if isinstance(x, list):
        return sum(_numbers(v) for v in x)
    return int(isinstance(x, float) and math.isfinite(x) and x != 0)


PAGES = [
    ("data", ["orders", "customers", "channels", "live_sessions"], {}),
    ("market-overview", ["orders", "market"], {}),
    ("segmentation-explorer", ["orders", "customers"], {}),
    ("channel-comparison", ["channels", "orders"], {}),
    ("competitor-tracking", ["competitors", "orders"], {}),
    ("promotion-planner", ["media_mix", "channels", "orders"], {}),
    ("post-campaign-evaluation", ["experiments", "feedback", "orders"], {}),
    ("persona-builder", ["orders", "customers"], {}),
    ("recommendations", ["orders", "customers"], {}),
    ("live-commerce", ["live_sessions", "creators", "content", "orders"], {}),
]


@pytest.mark.parametrize("page,kinds,params", PAGES, ids=[p[0] for p in PAGES])
def test_page_numbers_are_the_same_in_the_three_configurations(spark_engine, store, page, kinds, params):
    """SQLite + DuckDB, PostgreSQL + DuckDB and PostgreSQL + Spark give the same report JSON for every page."""
    lite, t_lite = _report(store["sqlite"], "duckdb", page, kinds, params)
    duck, t_duck = _report(store["postgresql"], "duckdb", page, kinds, params)
    spark, t_spark = _report(store["postgresql"], "spark", page, kinds, params)
    print(f"{page}: SQLite + DuckDB {t_lite:.1f} s, PostgreSQL + DuckDB {t_duck:.1f} s, PostgreSQL + Spark {t_spark:.1f} s")
    assert not duck["problems"] and _numbers(duck) >= 20, duck["problems"]  # a real page, not two equal refusals
    assert [d["rows"] for d in spark["datasets"]] == [d["rows"] for d in duck["datasets"]] == \
        [d["rows"] for d in lite["datasets"]]
    assert differences(lite, duck) == []
    assert differences(duck, spark) == []


CONNECT_PAGES = [p for p in PAGES if p[0] in ("channel-comparison", "segmentation-explorer")]


def _cli_report(store, engine_name: str, page: str, kinds: list[str]) -> dict:
    """``python -m analytics report PAGE --format json`` in a child process on the store, with ``PRISM_ENGINE``
    (a process holds either a local Spark session or a Spark Connect client, not both)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    url = store["engine"].url.render_as_string(hide_password=False)
    args = [sys.executable, "-m", "analytics", "report", page, "--format", "json"]
    for k in kinds:
        args += ["--dataset", str(store["ids"][k])]
    env = {**os.environ, "DATABASE_URL": url, "PRISM_LINES_DIR": str(store["lines"]), "PRISM_ENGINE": engine_name}
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=900,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


@pytest.mark.parametrize("page,kinds,params", CONNECT_PAGES, ids=[p[0] for p in CONNECT_PAGES])
def test_page_numbers_are_the_same_through_spark_connect(spark_connect_url, store, page, kinds, params):
    """``PRISM_ENGINE=sc://host:port``: a Spark Connect server (here a local one in a child process) reads the
    same stored revisions, and the command line's report JSON equals DuckDB's."""
    duck = _cli_report(store["postgresql"], "duckdb", page, kinds)
    t0 = time.perf_counter()
    remote = _cli_report(store["postgresql"], spark_connect_url, page, kinds)
    print(f"{page}: Spark Connect {time.perf_counter() - t0:.1f} s")
    assert not duck["problems"] and _numbers(duck) >= 20, duck["problems"]
    assert differences(duck, remote) == []
