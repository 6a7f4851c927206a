"""Owners that own (issue 12, items 2 and 12): the repository checks the acting user where the write
happens, so the Data page and the command line give the same answer; presets are per owner; names lose
their bidi and invisible control characters."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analytics.datasets import fault_message
from data import ingest
from data import repository as repo
from data import users
from data.access import SYSTEM, Actor, actor_for, may_change
from data.db import make_engine
from data.errors import NotAllowed

ROOT = Path(__file__).resolve().parents[2]
ANA, MEI, VIC, ADMIN = Actor("ana", "analyst"), Actor("mei", "analyst"), Actor("vic", "viewer"), Actor("root", "admin")


def _frame(engine, ids: list[str]) -> pd.DataFrame:
    raw = "order_id,order_date,amount\n" + "".join(f"{i},2024-06-18,{n + 1}\n" for n, i in enumerate(ids))
    return ingest.prepare(raw.encode(), filename="x.csv", kind="orders", engine=engine).converted.frame


def _state(engine):
    return ([(d["id"], d["name"], d["rows"], d["revision"], d["uploaded_by"]) for d in repo.list_datasets(engine=engine)],
            repo.table_counts(engine=engine))


def _owned_by_ana(engine) -> dict:
    return repo.write_dataset(kind="orders", frame=_frame(engine, ["A1", "A2"]), name="June", content_hash="ana-1", mapping={},
                              actor=ANA, engine=engine)


def test_the_rule():
    assert may_change(ADMIN, "ana") and may_change(ADMIN, "") and may_change(ANA, "ana")
    assert not may_change(MEI, "ana") and not may_change(VIC, "vic") and not may_change(ANA, "")
    assert not may_change(Actor("", "analyst"), "")  # no name, no ownership
    assert not may_change(Actor("ana", "superuser"), "ana")  # an unknown role counts as a viewer


@pytest.mark.parametrize("mode", ["append", "replace"])
def test_an_analyst_cannot_append_to_or_replace_someone_elses_dataset(engine, mode):
    ds = _owned_by_ana(engine)
    before = _state(engine)
    with pytest.raises(NotAllowed) as err:
        repo.write_dataset(kind="orders", frame=_frame(engine, ["M1"]), name="x", content_hash="mei", mapping={}, mode=mode,
                           dataset_id=ds["id"], actor=MEI, engine=engine)
    verb = "append to" if mode == "append" else "replace"
    assert str(err.value) == (f"mei (analyst) may not {verb} dataset #{ds['id']} 'June': it belongs to ana; an analyst "
                              "may change only what they uploaded, and the admin role is needed to change someone else's")
    assert isinstance(err.value, PermissionError)
    assert _state(engine) == before


def test_a_viewer_changes_nothing(engine):
    ds = _owned_by_ana(engine)
    before = _state(engine)
    with pytest.raises(NotAllowed, match=r"^vic \(viewer\) may not upload datasets: the analyst role is needed$"):
        repo.write_dataset(kind="orders", frame=_frame(engine, ["V1"]), name="v", content_hash="v", mapping={}, actor=VIC,
                           engine=engine)
    for call in (
        lambda: repo.write_dataset(kind="orders", frame=_frame(engine, ["V1"]), name="v", content_hash="v", mapping={},
                                   mode="replace", dataset_id=ds["id"], actor=VIC, engine=engine),
        lambda: repo.rename_dataset(dataset_id=ds["id"], name="mine now", actor=VIC, engine=engine),
        lambda: repo.delete_dataset(dataset_id=ds["id"], actor=VIC, engine=engine),
        lambda: repo.save_preset(name="p", kind="orders", mapping={}, actor=VIC, engine=engine),
        lambda: repo.save_object(kind="persona", name="p", owner="vic", payload={}, actor=VIC, engine=engine),
    ):
        with pytest.raises(NotAllowed, match="the analyst role is needed"):
            call()
    assert _state(engine) == before and repo.list_presets(engine=engine) == []


def test_the_owner_changes_their_own_and_stays_the_owner_when_an_admin_replaces_it(engine):
    ds = _owned_by_ana(engine)
    b = repo.write_dataset(kind="orders", frame=_frame(engine, ["A3"]), name="ignored", content_hash="ana-2", mapping={},
                           mode="append", dataset_id=ds["id"], actor=ANA, engine=engine)
    assert (b["rows"], b["revision"], b["uploaded_by"]) == (3, 2, "ana")
    c = repo.write_dataset(kind="orders", frame=_frame(engine, ["R1"]), name="ignored", content_hash="root-3", mapping={},
                           mode="replace", dataset_id=ds["id"], actor=ADMIN, engine=engine)
    assert (c["rows"], c["revision"], c["uploaded_by"]) == (1, 3, "ana")  # the owner stays the original uploader
    revs = repo.revisions(dataset_id=ds["id"], engine=engine)
    assert [(r["action"], r["uploaded_by"]) for r in revs] == [("create", "ana"), ("append", "ana"), ("replace", "root")]
    # ... so the admin's replace did not hand the dataset to anyone else: mei still may not delete it
    with pytest.raises(NotAllowed, match="belongs to ana"):
        repo.delete_dataset(dataset_id=ds["id"], actor=MEI, engine=engine)
    repo.rename_dataset(dataset_id=ds["id"], name="June (ana)", actor=ANA, engine=engine)
    assert repo.delete_dataset(dataset_id=ds["id"], actor=ANA, engine=engine)
    assert repo.list_datasets(engine=engine) == []


def test_append_or_replace_without_an_acting_user_is_refused(engine):
    ds = _owned_by_ana(engine)
    before = _state(engine)
    with pytest.raises(ValueError, match="acting user"):
        repo.write_dataset(kind="orders", frame=_frame(engine, ["X"]), name="x", content_hash="x", mapping={}, mode="replace",
                           dataset_id=ds["id"], engine=engine)
    with pytest.raises(TypeError):
        repo.delete_dataset(dataset_id=ds["id"], engine=engine)  # actor is a required keyword
    assert _state(engine) == before


def test_rename_and_delete_of_someone_elses_dataset_are_refused_and_an_admin_may(engine):
    ds = _owned_by_ana(engine)
    before = _state(engine)
    with pytest.raises(NotAllowed, match="may not rename dataset"):
        repo.rename_dataset(dataset_id=ds["id"], name="mei's", actor=MEI, engine=engine)
    with pytest.raises(NotAllowed, match="may not delete dataset"):
        repo.delete_dataset(dataset_id=ds["id"], actor=MEI, engine=engine)
    assert _state(engine) == before
    repo.rename_dataset(dataset_id=ds["id"], name="checked", actor=ADMIN, engine=engine)
    assert repo.get_dataset(dataset_id=ds["id"], engine=engine)["name"] == "checked"
    assert repo.delete_dataset(dataset_id=ds["id"], actor=ADMIN, engine=engine)


def test_ingest_commit_checks_the_same_rule(engine):
    a = ingest.ingest_bytes(b"order_id,order_date,amount\nA1,2024-06-18,1\n", filename="a.csv", kind="orders",
                            engine=engine, actor=ANA)
    assert a["uploaded_by"] == "ana"
    before = _state(engine)
    with pytest.raises(NotAllowed, match="belongs to ana"):
        ingest.ingest_bytes(b"order_id,order_date,amount\nM1,2024-06-18,1\n", filename="m.csv", kind="orders",
                            engine=engine, mode="replace", dataset_id=a["id"], actor=MEI)
    assert _state(engine) == before


def test_saved_items_are_changed_and_deleted_only_by_their_owner_or_an_admin(engine):
    oid = repo.save_object(kind="persona", name="Moms", owner="ignored", payload={"v": 1}, actor=ANA, engine=engine)
    assert repo.get_object(object_id=oid, engine=engine)["owner"] == "ana"  # the actor owns what they save
    with pytest.raises(NotAllowed, match=rf"^mei \(analyst\) may not change saved item #{oid} 'Moms': it belongs to ana"):
        repo.save_object(kind="persona", name="Moms", owner="mei", payload={"v": 2}, object_id=oid, actor=MEI,
                         engine=engine)
    with pytest.raises(NotAllowed, match="may not delete saved item"):
        repo.delete_object(object_id=oid, actor=MEI, engine=engine)
    with pytest.raises(ValueError, match="acting user"):
        repo.save_object(kind="persona", name="Moms", owner="mei", payload={"v": 2}, object_id=oid, engine=engine)
    assert repo.get_object(object_id=oid, engine=engine)["payload"] == {"v": 1}
    repo.save_object(kind="persona", name="Moms v2", owner="root", payload={"v": 3}, object_id=oid, actor=ADMIN,
                     engine=engine)
    obj = repo.get_object(object_id=oid, engine=engine)
    assert (obj["name"], obj["owner"], obj["payload"]) == ("Moms v2", "ana", {"v": 3})
    assert repo.delete_object(object_id=oid, actor=ADMIN, engine=engine)


def test_presets_are_per_owner_and_never_replace_someone_elses(engine):
    repo.save_preset(name="Taobao", kind="orders", mapping={"order_id": "订单编号"}, actor=ANA, engine=engine)
    repo.save_preset(name="Taobao", kind="orders", mapping={"order_id": "子订单编号"}, actor=MEI, engine=engine)
    got = [(p["name"], p["owner"], p["mapping"]) for p in repo.list_presets(kind="orders", engine=engine)]
    assert got == [("Taobao", "ana", {"order_id": "订单编号"}), ("Taobao", "mei", {"order_id": "子订单编号"})]
    repo.save_preset(name="Taobao", kind="orders", mapping={"order_id": "主订单编号"}, actor=MEI, engine=engine)
    got = [(p["owner"], p["mapping"]) for p in repo.list_presets(kind="orders", engine=engine)]
    assert got == [("ana", {"order_id": "订单编号"}), ("mei", {"order_id": "主订单编号"})]


BIDI = "\u202eevil\u202c \u2066x\u2069\u200b\u200e\ufeff \u0007"


def test_names_lose_bidi_overrides_and_invisible_characters(engine):
    assert repo.clean_name("  Spring\u202e gpj.exe\u202c sale\u200b\u200d\ufeff\n2024\u2028Q2\t ") == "Spring gpj.exe sale 2024 Q2"
    assert repo.clean_name("\u2067\u2068\u2069\u202a\u202b\u202d\u200c\u200f\x00\x1b") == ""
    assert repo.clean_name("订单导出 · 6月") == "订单导出 · 6月"  # ordinary text is kept
    ds = repo.write_dataset(kind="orders", frame=_frame(engine, ["A1"]), name="June" + BIDI, content_hash="b", mapping={},
                            actor=ANA, engine=engine)
    assert ds["name"] == "Juneevil x"
    repo.rename_dataset(dataset_id=ds["id"], name="\u202eJuly\u202c\u200b", actor=ANA, engine=engine)
    assert repo.get_dataset(dataset_id=ds["id"], engine=engine)["name"] == "July"
    with pytest.raises(ValueError, match="empty"):
        repo.rename_dataset(dataset_id=ds["id"], name="\u202e\u200b\ufeff", actor=ANA, engine=engine)
    only_controls = repo.write_dataset(kind="orders", frame=_frame(engine, ["A2"]), name="\u202e\u200b", content_hash="c",
                                       mapping={}, actor=ANA, engine=engine)
    assert only_controls["name"] == "orders"


def test_refusals_are_translated_and_the_english_is_the_exception_text(engine):
    ds = _owned_by_ana(engine)
    try:
        repo.delete_dataset(dataset_id=ds["id"], actor=MEI, engine=engine)
    except NotAllowed as exc:
        err = exc
    assert fault_message(err, "en") == str(err)
    assert fault_message(err, "zh") == (f"mei（分析师）不能删除数据集 #{ds['id']}“June”：它属于 ana；分析师只能修改自己上传的内容，"
                                        "修改他人的内容需要管理员角色")
    viewer = NotAllowed("role", user="vic", role="viewer", action="save", target="presets", need="analyst")
    assert fault_message(viewer, "en") == str(viewer) == "vic (viewer) may not save mapping presets: the analyst role is needed"
    assert fault_message(viewer, "zh") == "vic（查看者）不能保存映射预设：需要分析师角色"


# ---------------------------------------------------------------- the command line gives the same answer


@pytest.fixture()
def cli(tmp_path):
    auth = tmp_path / "auth.yaml"
    for name, role in (("ana", "analyst"), ("mei", "analyst"), ("vic", "viewer"), ("boss", "admin")):
        users.add_user(name, role=role, password=f"{name}-Xq7-long-pass", path=auth)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "AUTH_CONFIG": str(auth)}
    csv = tmp_path / "orders.csv"

    def run(*args: str, rows: str = "A1") -> subprocess.CompletedProcess:
        csv.write_text("order_id,order_date,amount\n" + "".join(f"{r},2024-06-18,1\n" for r in rows.split()))
        argv = [a.replace("{csv}", str(csv)) for a in args]
        return subprocess.run([sys.executable, "-m", "data", *argv], capture_output=True, text=True, cwd=ROOT, env=env)

    run.auth = auth  # type: ignore[attr-defined]
    run.url = env["DATABASE_URL"]  # type: ignore[attr-defined]
    return run


def _one_line_refusal(r: subprocess.CompletedProcess) -> str:
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1 and r.stdout == ""
    return r.stderr.strip()


def test_cli_ingest_user_gets_the_same_answer_as_the_page(cli):
    r = cli("ingest", "{csv}", "--kind", "orders", "--name", "June", "--user", "ana", "--json", rows="A1 A2")
    assert r.returncode == 0, r.stderr
    eng = make_engine(cli.url)
    ds = repo.list_datasets(engine=eng)[0]
    assert (ds["uploaded_by"], ds["rows"]) == ("ana", 2)
    before = _state(eng)
    msg = _one_line_refusal(cli("ingest", "{csv}", "--kind", "orders", "--mode", "replace", "--dataset", str(ds["id"]),
                                "--user", "mei", rows="M1"))
    assert msg == (f"rejected: mei (analyst) may not replace dataset #{ds['id']} 'June': it belongs to ana; an analyst "
                   "may change only what they uploaded, and the admin role is needed to change someone else's")
    msg = _one_line_refusal(cli("ingest", "{csv}", "--kind", "orders", "--mode", "append", "--dataset", str(ds["id"]),
                                "--user", "nobody", rows="N1"))
    assert msg.startswith("rejected: user 'nobody' is not in the users file (") and "users add" in msg
    msg = _one_line_refusal(cli("ingest", "{csv}", "--kind", "orders", "--mode", "replace", "--dataset", str(ds["id"]),
                                rows="X1"))
    assert "--user NAME" in msg
    msg = _one_line_refusal(cli("ingest", "{csv}", "--kind", "orders", "--user", "vic", rows="V1"))
    assert msg == "rejected: vic (viewer) may not upload datasets: the analyst role is needed"
    assert _state(eng) == before
    r = cli("ingest", "{csv}", "--kind", "orders", "--mode", "append", "--dataset", str(ds["id"]), "--user", "ana",
            rows="A3")
    assert r.returncode == 0, r.stderr
    r = cli("ingest", "{csv}", "--kind", "orders", "--mode", "replace", "--dataset", str(ds["id"]), "--user", "boss",
            rows="B1")
    assert r.returncode == 0, r.stderr
    info = repo.get_dataset(dataset_id=ds["id"], engine=eng)
    assert (info["rows"], info["revision"], info["uploaded_by"]) == (1, 3, "ana")
    assert [r_["uploaded_by"] for r_ in repo.revisions(dataset_id=ds["id"], engine=eng)] == ["ana", "ana", "boss"]
    eng.dispose()


def test_cli_rename_and_delete_follow_the_rule(cli):
    assert cli("ingest", "{csv}", "--kind", "orders", "--name", "June", "--user", "ana").returncode == 0
    eng = make_engine(cli.url)
    ds_id = repo.list_datasets(engine=eng)[0]["id"]
    msg = _one_line_refusal(cli("datasets", "rename", str(ds_id), "Mine", "--user", "mei"))
    assert msg.startswith(f"error: mei (analyst) may not rename dataset #{ds_id} 'June': it belongs to ana")
    assert "may not delete" in _one_line_refusal(cli("datasets", "delete", str(ds_id), "--user", "vic"))
    r = cli("datasets", "rename", str(ds_id), "June \u202eevil\u202c", "--user", "ana")
    assert r.returncode == 0 and r.stdout.strip() == f"dataset #{ds_id} is now 'June evil'"
    assert "does not exist" in _one_line_refusal(cli("datasets", "delete", "999", "--user", "boss"))
    r = cli("datasets", "delete", str(ds_id), "--user", "boss")
    assert r.returncode == 0 and repo.list_datasets(engine=eng) == []
    eng.dispose()


def test_actor_for_reads_the_role_from_the_users_file(tmp_path):
    auth = tmp_path / "auth.yaml"
    users.add_user("mei", role="analyst", password="mei-Xq7-long-pass", path=auth)
    assert actor_for("mei", path=auth) == Actor("mei", "analyst")
    users.set_role("mei", "viewer", path=auth)
    assert actor_for("mei", path=auth) == Actor("mei", "viewer")
    with pytest.raises(NotAllowed, match="not in the users file"):
        actor_for("ghost", path=auth)
    assert SYSTEM.role == "admin"
