"""Several app servers on one catalogue (issue 18, item 4), on SQLite and on a real PostgreSQL server.

Each server process has its own Streamlit caches; what keeps them correct is the catalogue stamp
(``repository.catalogue_stamp``), read on every call: a write made by another process is seen on the
next call, not after a time-to-live. And a server or an upload killed with SIGKILL at any moment leaves
the catalogue and every committed revision intact (bench/kill.py runs 20 rounds; this runs 3 per backend).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analytics import cached
from data import repository as repo
from data.db import dispose_all, make_engine

ROOT = Path(__file__).resolve().parents[2]

_OTHER_SERVER = """
import sys
import pandas as pd
from data import repository as repo
from data.access import SYSTEM
frame = pd.DataFrame({"order_id": [f"o{i}" for i in range(7)], "customer_id": "c",
                      "order_date": pd.Timestamp("2024-01-01"), "amount": 2.0})
for line in sys.stdin:
  action, arg = line.split()
  if action == "create":
    repo.write_dataset(kind="orders", frame=frame, name=arg, content_hash=arg, mapping={})
  elif action == "append":
    repo.write_dataset(kind="orders", frame=frame, name="x", content_hash="app" + arg, mapping={}, mode="append",
                       dataset_id=int(arg), actor=SYSTEM)
  elif action == "rename":
    repo.rename_dataset(dataset_id=int(arg), name="renamed elsewhere", actor=SYSTEM)
  elif action == "delete":
    repo.delete_dataset(dataset_id=int(arg), actor=SYSTEM)
  print("done", flush=True)
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def catalogue_url(request, tmp_path, monkeypatch):
    """DATABASE_URL of a fresh, migrated catalogue, as both "servers" (this process and a child) see it."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else f"sqlite:///{tmp_path / 'p.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    repo.init_store()
    cached.clear_all()
    yield url
    cached.clear_all()
    dispose_all()


class _OtherServer:
    """Another process on the same catalogue, writing through the repository when told to."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", _OTHER_SERVER], cwd=ROOT, text=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def __call__(self, action: str, arg: str) -> None:
        self.proc.stdin.write(f"{action} {arg}\n")
        self.proc.stdin.flush()
        if self.proc.stdout.readline().strip() != "done":
            self.proc.kill()
            pytest.fail(self.proc.stderr.read()[-2000:])

    def close(self) -> None:
        self.proc.stdin.close()
        assert self.proc.wait(60) == 0


def test_a_write_by_another_server_is_seen_on_the_next_call(catalogue_url):
    _other_server = _OtherServer()
    frame = pd.DataFrame({"order_id": ["a", "b"], "customer_id": "c", "order_date": pd.Timestamp("2024-01-01"),
                          "amount": 1.0})
    first = repo.write_dataset(kind="orders", frame=frame, name="here", content_hash="h", mapping={})
    ds = first["id"]
    assert [(d["name"], d["revision"]) for d in cached.list_datasets("orders")] == [("here", 1)]
    assert cached.get_dataset(ds)["revision"] == 1  # both now cached in this process

    _other_server("append", str(ds))  # a new revision through another process
    assert [(d["name"], d["revision"], d["rows"]) for d in cached.list_datasets("orders")] == [("here", 2, 9)]
    assert cached.get_dataset(ds)["rows"] == 9

    _other_server("create", "there")
    assert sorted(d["name"] for d in cached.list_datasets()) == ["here", "there"]

    _other_server("rename", str(ds))  # no new revision: the stamp still changes
    assert cached.get_dataset(ds)["name"] == "renamed elsewhere"
    assert sorted(d["name"] for d in cached.list_datasets("orders")) == ["renamed elsewhere", "there"]

    _other_server("delete", str(ds))
    assert cached.get_dataset(ds) is None
    assert [d["name"] for d in cached.list_datasets("orders")] == ["there"]
    _other_server.close()


def test_the_stamp_changes_with_every_kind_of_dataset_write(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    repo.init_store(engine=eng)
    from data.access import SYSTEM

    frame = pd.DataFrame({"order_id": ["a"], "customer_id": "c", "order_date": pd.Timestamp("2024-01-01"),
                          "amount": 1.0})
    seen = [repo.catalogue_stamp(engine=eng)]
    a = repo.write_dataset(kind="orders", frame=frame, name="a", content_hash="1", mapping={}, engine=eng)
    seen.append(repo.catalogue_stamp(engine=eng))
    assert repo.catalogue_stamp(engine=eng) == seen[-1]  # reading does not change it
    repo.write_dataset(kind="orders", frame=frame, name="a", content_hash="2", mapping={}, mode="replace",
                       dataset_id=a["id"], actor=SYSTEM, engine=eng)
    seen.append(repo.catalogue_stamp(engine=eng))
    repo.rename_dataset(dataset_id=a["id"], name="b", actor=SYSTEM, engine=eng)
    seen.append(repo.catalogue_stamp(engine=eng))
    b = repo.write_dataset(kind="orders", frame=frame, name="c", content_hash="3", mapping={}, engine=eng)
    seen.append(repo.catalogue_stamp(engine=eng))
    assert len(set(seen)) == len(seen)
    repo.delete_dataset(dataset_id=b["id"], actor=SYSTEM, engine=eng)
    # back to the datasets of two steps before: the same stamp (the lists cached then are right again)
    assert repo.catalogue_stamp(engine=eng) == seen[3] != seen[4]
    eng.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_of_an_upload_and_a_report_leaves_every_committed_revision_intact(backend, request, tmp_path):
    from bench.kill import torture

    url = request.getfixturevalue("pg_url") if backend == "postgresql" else f"sqlite:///{tmp_path / 'k.db'}"
    r = torture(url, tmp_path / "work", rounds=3, lines=3_000, seed=18)
    assert r["problems"] == []
    assert r["killed_before_commit"] >= 1  # the earliest kill lands while the upload is being read
    assert r["killed_before_commit"] + r["committed_anyway"] + r["finished_before_kill"] == 3
    # the base dataset, the calibration append and every round that committed, each re-read and re-reported
    committed = 3 - r["killed_before_commit"]
    assert r["checked_revisions"] == 2 + committed
    assert r["unnamed_parts_left"] <= r["killed_before_commit"] + r["committed_anyway"]
