"""Revisions in an object store (issue 18 item 2): ``PRISM_DATA_URL=s3://bucket/prefix``.

Every test talks to a real S3-protocol server (moto in server mode, tests/s3.py, one for the session); the
catalogue is a SQLite file in the test's folder. Uploads stream their parts to the bucket, the revision
commits only after every part is stored, DuckDB reads the parts there, and the pages' numbers equal those
of the same file stored in a lines directory.
"""

from __future__ import annotations

import json
import uuid

import pyarrow.fs as pafs
import pytest
from sqlalchemy import update

from analytics import report
from bench.gen_orders import generate
from data import engine as lines_engine
from data import ingest, models, objstore
from data import repository as repo
from data.access import Actor
from data.db import make_engine
from data.errors import StoreError
from data.objstore import ObjectStore
from tests.unit.test_engine_spark import differences

ADMIN = Actor("root", "admin")
BLOCK = 64 * 1024  # small blocks: a few thousand lines make several parts


@pytest.fixture(scope="session")
def s3_server():
    from tests.s3 import Server

    server = Server().start()
    yield server
    server.stop()


@pytest.fixture()
def s3(s3_server, monkeypatch):
    """A fresh bucket; the parts go to ``s3://<bucket>/team/prism-lines`` (the AWS variables point at moto)."""
    for k, v in s3_server.env().items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("PRISM_LINES_DIR", raising=False)
    bucket = f"prism-{uuid.uuid4().hex[:12]}"
    s3_server.create_bucket(bucket)
    monkeypatch.setenv("PRISM_DATA_URL", f"s3://{bucket}/team/prism-lines")
    return ObjectStore(bucket, "team/prism-lines")


@pytest.fixture()
def catalogue(tmp_path):
    """A SQLite catalogue in the test's folder (the tests that name ``engine`` run on PostgreSQL too)."""
    eng = make_engine(f"sqlite:///{tmp_path / 'prism.db'}")
    repo.init_store(engine=eng)
    yield eng
    eng.dispose()


def _keys(bucket: str) -> list[str]:
    """Every object in the bucket (what a client listing it sees)."""
    sel = pafs.FileSelector(bucket, recursive=True, allow_not_found=True)
    return sorted(i.path for i in objstore.filesystem().get_file_info(sel) if i.type == pafs.FileType.File)


def _csv(tmp_path, name: str, n: int, seed: int):
    path = tmp_path / name
    generate(n, seed=seed).to_csv(path, index=False)
    return path


def _report(page: str, ids: list[int], eng) -> dict:
    return json.loads(json.dumps(report.run_page(page, ids, {}, lang="en", engine=eng), default=str))


# ---------------------------------------------------------------- the setting


def test_the_url_names_a_bucket_and_a_prefix(monkeypatch, tmp_path):
    monkeypatch.delenv("PRISM_LINES_DIR", raising=False)
    monkeypatch.setenv("PRISM_DATA_URL", "s3://team-bucket/prism/lines/")
    assert lines_engine.lines_dir(tmp_path / "c.db") == ObjectStore("team-bucket", "prism/lines")
    assert str(lines_engine.lines_dir()) == "s3://team-bucket/prism/lines"
    monkeypatch.setenv("PRISM_DATA_URL", "s3a://team-bucket")  # Spark's spelling: the same store
    assert lines_engine.lines_dir() == ObjectStore("team-bucket", "")
    monkeypatch.setenv("PRISM_DATA_URL", str(tmp_path / "lines"))  # a directory is unchanged
    assert lines_engine.lines_dir() == tmp_path / "lines"


@pytest.mark.parametrize("url,why", [
    ("s3://bucket/a/../b", r"\.\."),
    ("s3://bucket/../b", r"\.\."),
    ("s3://bucket/a//b", "empty"),
    ("s3://AKIAKEY:secret@bucket/p", "credentials"),
    ("s3://bucket/p?versionId=1", "query"),
    ("s3://Bad_Bucket/p", "bucket"),
    ("gs://bucket/p", "scheme"),
])
def test_a_url_that_could_leave_its_prefix_is_refused(monkeypatch, url, why):
    monkeypatch.setenv("PRISM_DATA_URL", url)
    with pytest.raises(ValueError, match=why) as err:
        lines_engine.lines_dir()
    assert "secret" not in str(err.value)  # a key pasted into the URL is not echoed


def test_part_names_cannot_leave_the_prefix():
    store = ObjectStore("bucket", "p")
    assert store.part_url("ab12.parquet") == "s3://bucket/p/ab12.parquet"
    for bad in ["../x.parquet", "a/b.parquet", ".x.parquet", "x.csv", "", "x y.parquet", "%2e%2e.parquet"]:
        with pytest.raises(ValueError):
            store.part_url(bad)
        with pytest.raises(ValueError):
            lines_engine.part_path(bad, store)


def test_spark_reads_the_same_objects_through_s3a():
    assert lines_engine._spark_path("s3://bucket/p/ab.parquet") == "s3a://bucket/p/ab.parquet"
    assert lines_engine._spark_path("/srv/lines/ab.parquet") == "file:///srv/lines/ab.parquet"


# ---------------------------------------------------------------- writing and reading


def test_an_upload_lands_in_the_bucket_and_the_pages_match_a_lines_directory(s3, catalogue, tmp_path, monkeypatch):
    path = _csv(tmp_path, "orders.csv", 6_000, seed=18)
    info = ingest.ingest_file(path, kind="orders", engine=catalogue, stream=True, block_bytes=BLOCK, name="../../up")
    parts = repo.revision_parts(dataset_id=info["id"], engine=catalogue)
    assert len(parts) > 1 and all(p.startswith(f"s3://{s3.bucket}/team/prism-lines/") for p in parts)
    keys = _keys(s3.bucket)
    assert keys == sorted(f"{s3.root}/{p.rsplit('/', 1)[1]}" for p in parts)  # nothing else, nothing outside
    assert repo.table_counts(engine=catalogue)["line_parts"] == len(parts)
    in_bucket = {page: _report(page, [info["id"]], catalogue) for page in ("data", "market-overview")}
    from_bucket = repo.load_frame(dataset_id=info["id"], engine=catalogue)

    # the same file stored in a lines directory (a second catalogue)
    monkeypatch.setenv("PRISM_DATA_URL", str(tmp_path / "local-lines"))
    local = make_engine(f"sqlite:///{tmp_path / 'local.db'}")
    repo.init_store(engine=local)
    try:
        linfo = ingest.ingest_file(path, kind="orders", engine=local, stream=True, block_bytes=BLOCK, name="../../up")
        assert (linfo["rows"], linfo["content_hash"]) == (info["rows"], info["content_hash"]) and info["rows"] == 6_000
        for page, got in in_bucket.items():
            want = _report(page, [linfo["id"]], local)
            assert not want["problems"] and differences(got, want) == [], page
        import pandas as pd

        pd.testing.assert_frame_equal(from_bucket, repo.load_frame(dataset_id=linfo["id"], engine=local))
    finally:
        local.dispose()


def test_replace_keeps_the_old_revision_readable_until_it_is_collected(s3, engine, tmp_path):
    first = ingest.ingest_file(_csv(tmp_path, "a.csv", 3_000, seed=1), kind="orders", engine=engine, stream=False)
    old = repo.revision_parts(dataset_id=first["id"], engine=engine)
    second = ingest.ingest_file(_csv(tmp_path, "b.csv", 2_000, seed=2), kind="orders", engine=engine,
                                stream=False, mode="replace", dataset_id=first["id"], actor=ADMIN)
    assert (second["revision"], second["rows"]) == (2, 2_000)
    t1 = repo.lines_table(dataset_id=first["id"], revision=1, engine=engine)
    t2 = repo.lines_table(dataset_id=first["id"], engine=engine)
    assert (lines_engine.scalar(t1.count()), lines_engine.scalar(t2.count())) == (3_000, 2_000)
    assert repo.collect_garbage(engine=engine) == []  # within the grace period
    assert repo.collect_garbage(engine=engine, grace_s=0) == sorted(p.rsplit("/", 1)[1] for p in old)
    new = repo.revision_parts(dataset_id=first["id"], engine=engine)
    assert _keys(s3.bucket) == sorted(f"{s3.root}/{p.rsplit('/', 1)[1]}" for p in new)
    assert lines_engine.scalar(repo.lines_table(dataset_id=first["id"], engine=engine).count()) == 2_000


def test_an_append_reads_old_and_new_parts_together(s3, catalogue, tmp_path):
    first = ingest.ingest_file(_csv(tmp_path, "a.csv", 1_500, seed=3), kind="orders", engine=catalogue, stream=False)
    ingest.ingest_file(_csv(tmp_path, "b.csv", 500, seed=4), kind="orders", engine=catalogue, stream=False,
                       mode="append", dataset_id=first["id"], actor=ADMIN)
    t = repo.lines_table(dataset_id=first["id"], engine=catalogue)
    assert lines_engine.scalar(t.count()) == 2_000
    assert len(repo.revision_parts(dataset_id=first["id"], engine=catalogue)) == 2 == len(_keys(s3.bucket))


def test_a_failed_upload_leaves_nothing_visible_or_stored(s3, catalogue, tmp_path, monkeypatch):
    real = objstore.write
    calls = []

    def failing(table, store):
        calls.append(1)
        if len(calls) == 3:  # two parts are in the bucket already
            raise OSError("When uploading part: AWS Error NETWORK_CONNECTION during UploadPart operation")
        return real(table, store)

    monkeypatch.setattr(objstore, "write", failing)
    with pytest.raises(StoreError) as err:
        ingest.ingest_file(_csv(tmp_path, "o.csv", 6_000, seed=5), kind="orders", engine=catalogue, stream=True,
                           block_bytes=BLOCK)
    assert len(calls) == 3
    assert f"s3://{s3.bucket}/team/prism-lines" in str(err.value) and "NETWORK_CONNECTION" in str(err.value)
    assert "prism-test-secret" not in str(err.value)
    assert repo.table_counts(engine=catalogue) == {"dataset": 0, "dataset_revision": 0, "line_parts": 0}
    assert _keys(s3.bucket) == []


KILLED_WRITER = """
import sys, time
from pathlib import Path
from data import ingest, objstore
from data.db import make_engine

url, csv, flag = sys.argv[1], sys.argv[2], Path(sys.argv[3])
write, stored = objstore.write, []

def write_then_wait(table, store):
    stored.append(write(table, store))  # the part is in the bucket; the catalogue does not name it yet
    if len(stored) == 2:
        flag.touch()
        time.sleep(120)
    return stored[-1]

objstore.write = write_then_wait
ingest.ingest_file(csv, kind="orders", engine=make_engine(url), stream=True, block_bytes=64 * 1024)
"""


def test_a_killed_upload_leaves_only_unnamed_parts_which_are_swept(s3, catalogue, tmp_path):
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    kept = ingest.ingest_file(_csv(tmp_path, "a.csv", 1_000, seed=6), kind="orders", engine=catalogue, stream=False)
    objstore.filesystem().open_output_stream(f"{s3.root}/notes.txt").close()  # not a part: never touched
    flag = tmp_path / "uploading"
    url = f"sqlite:///{tmp_path / 'prism.db'}"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, url, str(_csv(tmp_path, "big.csv", 6_000, seed=10)),
                             str(flag)], cwd=Path(__file__).resolve().parents[2], stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while not flag.exists():
        assert proc.poll() is None, f"the uploader died before uploading: {proc.stderr.read()[-2000:]}"
        assert time.time() < deadline, "the uploader did not upload within 300 s"
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)  # killed with two parts in the bucket, before the catalogue names them
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert [d["id"] for d in repo.list_datasets(engine=catalogue)] == [kept["id"]]
    counts = repo.table_counts(engine=catalogue)
    assert (counts["dataset"], counts["dataset_revision"]) == (1, 1)
    assert counts["line_parts"] == 1 + 1 + 2  # the kept part, the note, the killed upload's two unnamed parts
    assert repo.collect_garbage(engine=catalogue) == []  # it may be an upload still running
    swept = repo.collect_garbage(engine=catalogue, grace_s=0)
    assert len(swept) == 2
    kept_keys = [f"{s3.root}/{p.rsplit('/', 1)[1]}" for p in repo.revision_parts(dataset_id=kept["id"],
                                                                                  engine=catalogue)]
    assert _keys(s3.bucket) == sorted([*kept_keys, f"{s3.root}/notes.txt"])
    assert lines_engine.scalar(repo.lines_table(dataset_id=kept["id"], engine=catalogue).count()) == 1_000


def test_deleting_a_dataset_deletes_its_objects_and_nothing_else(s3, engine, tmp_path):
    a = ingest.ingest_file(_csv(tmp_path, "a.csv", 1_000, seed=7), kind="orders", engine=engine, stream=False)
    b = ingest.ingest_file(_csv(tmp_path, "b.csv", 1_000, seed=8), kind="orders", engine=engine, stream=False)
    b_keys = [f"{s3.root}/{p.rsplit('/', 1)[1]}" for p in repo.revision_parts(dataset_id=b["id"], engine=engine)]
    outside = f"{s3.bucket}/team/outside.parquet"
    objstore.filesystem().open_output_stream(outside).close()
    # a hostile engine row naming an object outside the prefix
    t = models.DatasetRevision.__table__
    with engine.begin() as conn:
        conn.execute(update(t).where(t.c.dataset_id == a["id"]).values(
            parts=json.dumps([*json.loads(conn.execute(t.select().where(t.c.dataset_id == a["id"])).first().parts),
                              "../outside.parquet"])))
    with pytest.raises(ValueError, match="not a part"):
        repo.lines_table(dataset_id=a["id"], engine=engine)
    assert repo.delete_dataset(dataset_id=a["id"], actor=ADMIN, engine=engine) is True
    assert _keys(s3.bucket) == sorted([*b_keys, outside])
    assert repo.delete_dataset(dataset_id=b["id"], actor=ADMIN, engine=engine) is True
    assert _keys(s3.bucket) == [outside]


def test_an_unreachable_bucket_is_a_clear_message(s3, catalogue, tmp_path, monkeypatch):
    monkeypatch.setenv("PRISM_DATA_URL", "s3://no-such-bucket-prism/lines")
    with pytest.raises(StoreError) as err:
        ingest.ingest_file(_csv(tmp_path, "a.csv", 500, seed=9), kind="orders", engine=catalogue, stream=False)
    msg = str(err.value)
    assert "s3://no-such-bucket-prism/lines" in msg and "nothing was changed" in msg
    assert "prism-test-secret" not in msg
    assert repo.table_counts(engine=catalogue)["dataset"] == 0
