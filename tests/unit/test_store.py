"""The store: schema mirrors data/schema.py, migrations keep old files, writes are one transaction."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import inspect, text

from data import models
from data import repository as repo
from data.access import SYSTEM, Actor
from data.db import lines_dir as engine_lines_dir
from data.db import make_engine
from data.migrations import LATEST, current_version, migrate
from data.schema import KINDS
from tests import fixtures

ROOT = Path(__file__).resolve().parents[2]


def test_fact_tables_mirror_the_schema():
    """The legacy fact tables (read only by migration 5, which moves their rows into parts) hold every field
    of their kind; kinds added after the move (live commerce) have none and derive no column."""
    assert set(models.FACT_TABLES) == set(KINDS) - {"live_sessions", "creators", "content", "audience"}
    for kind, model in models.FACT_TABLES.items():
        cols = set(model.__table__.c.keys())
        assert set(KINDS[kind].field_names) <= cols, kind
        assert {"id", "dataset_id", "line", "attrs"} <= cols


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_sqlite_runs_in_wal_mode_with_busy_timeout(engine):
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_migration_keeps_an_existing_version_1_file(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    assert migrate(eng, target=1) == [1]
    assert "description" not in {c["name"] for c in inspect(eng).get_columns("dataset")}
    with eng.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO dataset (name, kind, revision, content_hash, rows, rejected_rows, flagged_returns,"
                " mapping, attributes, source_file, uploaded_by, uploaded_at, updated_at)"
                " VALUES ('old', 'orders', 1, 'h', 1, 0, 0, '{}', '[]', 'a.csv', 'u', '2024-01-01', '2024-01-01')"
            )
        )
        conn.execute(text("INSERT INTO orders (dataset_id, line, order_id, amount) VALUES (1, 1, 'A1', 9.5)"))
    assert migrate(eng) == list(range(2, LATEST + 1))
    assert current_version(eng) == LATEST
    assert migrate(eng) == []  # idempotent
    ds = repo.list_datasets(engine=eng)
    assert [(d["name"], d["rows"], d["description"]) for d in ds] == [("old", 1, "")]
    frame = repo.load_frame(dataset_id=1, engine=eng)
    assert frame["amount"].tolist() == [9.5]


def test_round_trip_online_retail_exactly(engine):
    orders = fixtures.online_retail_orders()
    info = repo.write_dataset(kind="orders", frame=orders, name="OR", content_hash="h1", mapping={}, engine=engine)
    assert info["rows"] == 541_909 and info["flagged_returns"] == 10_626
    back = repo.load_frame(dataset_id=info["id"], engine=engine)
    pd.testing.assert_frame_equal(back, orders, check_dtype=False)
    assert round(back["amount"].sum(), 2) == 9_747_747.93
    assert (back.attrs["lines"] == range(1, len(orders) + 1)).all()
    # the engine scans the same lines where they lie
    t = repo.lines_table(dataset_id=info["id"], engine=engine)
    agg = t.aggregate(n=t.count(), gross=t.amount.sum(), returns=t.is_return.sum(),
                      buyers=t.customer_id.nunique()).to_pandas().iloc[0]
    assert (int(agg["n"]), round(float(agg["gross"]), 2), int(agg["returns"])) == (541_909, 9_747_747.93, 10_626)
    assert int(agg["buyers"]) == orders["customer_id"].nunique()
    assert [str(p.parent) for p in repo.revision_parts(dataset_id=info["id"], engine=engine)] == [
        str(engine_lines_dir(engine))]


def test_attributes_survive_the_round_trip(engine):
    exp = fixtures.hillstrom_experiments()
    info = repo.write_dataset(kind="experiments", frame=exp, name="H", content_hash="h2", mapping={}, engine=engine)
    back = repo.load_frame(dataset_id=info["id"], engine=engine)
    assert [c for c in back.columns if c.startswith("attr_")] == [c for c in exp.columns if c.startswith("attr_")]
    pd.testing.assert_frame_equal(back, exp, check_dtype=False)


def _small(n: int, start: int = 0) -> pd.DataFrame:
    f = fixtures.online_retail_orders().iloc[start : start + n].reset_index(drop=True)
    return f


def test_append_and_replace_create_revisions(engine):
    a = repo.write_dataset(kind="orders", frame=_small(10), name="S", content_hash="a", mapping={}, engine=engine)
    b = repo.write_dataset(kind="orders", frame=_small(5, 10), name="S", content_hash="b", mapping={},
                           mode="append", dataset_id=a["id"], actor=SYSTEM, engine=engine)
    assert (b["revision"], b["rows"]) == (2, 15)
    snap = repo.load_frame(dataset_id=a["id"], engine=engine)
    pd.testing.assert_frame_equal(snap, _small(15), check_dtype=False)
    assert snap["order_id"].tolist() == _small(15)["order_id"].tolist()
    # an append adds one part and rewrites nothing: revision 2 = revision 1's part + the new one
    r1 = repo.revision_parts(dataset_id=a["id"], revision=1, engine=engine)
    r2 = repo.revision_parts(dataset_id=a["id"], revision=2, engine=engine)
    assert len(r1) == 1 and len(r2) == 2 and r2[0] == r1[0]
    c = repo.write_dataset(kind="orders", frame=_small(3, 20), name="S", content_hash="c", mapping={},
                           mode="replace", dataset_id=a["id"], actor=SYSTEM, engine=engine)
    assert (c["revision"], c["rows"]) == (3, 3)
    assert len(repo.load_frame(dataset_id=a["id"], engine=engine)) == 3
    pd.testing.assert_frame_equal(repo.load_frame(dataset_id=a["id"], engine=engine), _small(3, 20),
                                  check_dtype=False)
    # the replaced revision stays readable for queries already running (grace period), then goes
    old = repo.lines_table(dataset_id=a["id"], revision=2, engine=engine)
    assert int(old.count().to_pyarrow().as_py()) == 15
    assert repo.collect_garbage(engine=engine) == []
    gone = repo.collect_garbage(engine=engine, grace_s=0)
    assert sorted(gone) == sorted(p.name for p in r2)
    assert repo.table_counts(engine=engine)["line_parts"] == 1
    assert [r["action"] for r in repo.revisions(dataset_id=a["id"], engine=engine)] == ["create", "append", "replace"]
    assert repo.find_by_hash(content_hash="b", engine=engine)["dataset_id"] == a["id"]


def test_failed_write_leaves_the_store_as_it_was(engine):
    a = repo.write_dataset(kind="orders", frame=_small(10), name="S", content_hash="a", mapping={}, engine=engine)
    before = repo.table_counts(engine=engine)
    bad = _small(4, 10)

    def boom(done, msg):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        repo.write_dataset(kind="orders", frame=bad, name="S", content_hash="z", mapping={}, mode="replace",
                           dataset_id=a["id"], actor=SYSTEM, engine=engine, progress=boom)
    assert repo.table_counts(engine=engine) == before
    assert repo.get_dataset(dataset_id=a["id"], engine=engine)["revision"] == 1
    assert len(repo.load_frame(dataset_id=a["id"], engine=engine)) == 10
    # a failure inside the catalogue transaction (after the part was written) removes the part too
    with pytest.raises(ValueError):
        repo.write_dataset(kind="customers", frame=fixtures.hillstrom_experiments().head(3), name="S",
                           content_hash="y", mapping={}, mode="append", dataset_id=a["id"], actor=SYSTEM,
                           engine=engine)
    assert repo.table_counts(engine=engine) == before


WRITER = """
import sys, time
from pathlib import Path
from data import demo, engine as lines_engine, repository
from data.db import lines_dir as engine_lines_dir
from data.db import make_engine

url, flag = sys.argv[1], Path(sys.argv[2])
frame = demo.generate_orders(400_000, seed=3)
write_part = lines_engine.write_part

def slow_write_part(table, base):
    name = write_part(table, base)  # the part is complete on disk; the catalogue does not name it yet
    flag.touch()
    time.sleep(60)
    return name

repository.lines_engine.write_part = slow_write_part
repository.write_dataset(kind="orders", frame=frame, name="killed", content_hash="k", mapping={},
                         engine=make_engine(url))
"""


def test_a_killed_ingest_leaves_earlier_datasets_and_no_partial_dataset(tmp_path):
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    eng = make_engine(url)
    repo.init_store(engine=eng)
    first = repo.write_dataset(kind="orders", frame=_small(25), name="keep", content_hash="k0", mapping={}, engine=eng)
    flag = tmp_path / "writing"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, url, str(flag)], cwd=ROOT, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.time() + 300
    while not flag.exists():
        assert proc.poll() is None, f"the writer died before writing: {proc.stderr.read()[-2000:]}"
        assert time.time() < deadline, "the writer did not start writing within 300 s"
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)  # killed after writing its lines, before the catalogue names them
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert [d["name"] for d in repo.list_datasets(engine=eng)] == ["keep"]
    counts = repo.table_counts(engine=eng)
    assert counts["dataset"] == 1 and counts["dataset_revision"] == 1
    assert counts["line_parts"] == 2  # the first dataset's part and the killed upload's unnamed one
    assert len(repo.load_frame(dataset_id=first["id"], engine=eng)) == 25
    assert repo.collect_garbage(engine=eng) == []  # a fresh file may be an upload still running
    assert len(repo.collect_garbage(engine=eng, grace_s=0)) == 1
    assert repo.table_counts(engine=eng)["line_parts"] == 1
    assert len(repo.load_frame(dataset_id=first["id"], engine=eng)) == 25


def test_saved_objects_and_presets(engine):
    ana = Actor("ana", "analyst")
    oid = repo.save_object(kind="persona", name="Moms", owner="ana", payload={"tgi": 130}, engine=engine)
    assert repo.get_object(object_id=oid, engine=engine)["payload"] == {"tgi": 130}
    repo.save_object(kind="persona", name="Moms 2", owner="ana", payload={"tgi": 140}, object_id=oid, actor=ana,
                     engine=engine)
    assert [o["name"] for o in repo.list_objects(kind="persona", engine=engine)] == ["Moms 2"]
    assert repo.delete_object(object_id=oid, actor=ana, engine=engine)
    assert repo.list_objects(kind="persona", engine=engine) == []
    assert not repo.delete_object(object_id=oid, actor=ana, engine=engine)  # gone already
    repo.save_preset(name="Taobao", kind="orders", mapping={"order_id": "订单编号"}, actor=ana, engine=engine)
    repo.save_preset(name="Taobao", kind="orders", mapping={"order_id": "子订单编号"}, actor=ana, engine=engine)
    assert [(p["mapping"], p["owner"]) for p in repo.list_presets(kind="orders", engine=engine)] == [
        ({"order_id": "子订单编号"}, "ana")]


def test_rename_and_delete(engine):
    a = repo.write_dataset(kind="orders", frame=_small(3), name="S", content_hash="a", mapping={}, engine=engine)
    repo.rename_dataset(dataset_id=a["id"], name="  Spring sale  ", actor=SYSTEM, engine=engine)
    assert repo.get_dataset(dataset_id=a["id"], engine=engine)["name"] == "Spring sale"
    with pytest.raises(ValueError):
        repo.rename_dataset(dataset_id=a["id"], name="  ", actor=SYSTEM, engine=engine)
    assert repo.delete_dataset(dataset_id=a["id"], actor=SYSTEM, engine=engine)
    assert repo.table_counts(engine=engine)["line_parts"] == 0
    assert repo.get_dataset(dataset_id=a["id"], engine=engine) is None


def test_dataset_ids_are_never_reused_after_a_delete(engine):
    """Caches and share links key on the id: a new dataset must never take a deleted one's id."""
    a = repo.write_dataset(kind="orders", frame=_small(2), name="a", content_hash="a", mapping={}, engine=engine)
    b = repo.write_dataset(kind="orders", frame=_small(2), name="b", content_hash="b", mapping={}, engine=engine)
    repo.delete_dataset(dataset_id=b["id"], actor=SYSTEM, engine=engine)
    c = repo.write_dataset(kind="orders", frame=_small(2), name="c", content_hash="c", mapping={}, engine=engine)
    assert c["id"] > b["id"] > a["id"]
