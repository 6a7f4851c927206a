"""Several files, one dataset (data.join): relations, the plan, the joined lines' numbers, the command
line, refusals and atomicity, on files in Olist's layout (tests/olist_like.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from data import ingest, join
from data.ingest import disk as ingest_disk  # the one home of STREAM_MIN_BYTES
from data import repository as repo
from data.errors import IngestError
from tests import olist_like as ol

ROOT = Path(__file__).resolve().parents[2]
UNRELATED = [("shop_a.csv", b"sku,price\nA1,3.5\nA2,4\n"), ("weather.csv", b"day,temp\n2024-06-01,21\n2024-06-02,23\n")]


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return ol.files(n_orders=40, seed=11)


@pytest.fixture(scope="module")
def want(files) -> dict:
    return ol.expected(files)


def _parts(engine) -> list[str]:
    base = repo.lines_dir(engine)
    return sorted(p.name for p in base.iterdir()) if base.is_dir() else []


def _state(engine):
    return [(d["id"], d["rows"], d["revision"]) for d in repo.list_datasets(engine=engine)], _parts(engine)


# ---------------------------------------------------------------- relations and plan


def test_relations_say_which_side_is_one_and_which_is_many(files):
    with join.Sources.from_bytes(list(files.items())) as src:
        rels = {(r.left, r.left_column, r.right, r.right_column): r for r in join.detect(src)}
    got = {(a, ca, b, cb): r.cardinality for (a, ca, b, cb), r in rels.items()}
    assert got == {
        (ol.ORDERS, "order_id", ol.ITEMS, "order_id"): "one-to-many",
        (ol.ORDERS, "order_id", ol.PAYMENTS, "order_id"): "one-to-many",
        (ol.ITEMS, "order_id", ol.PAYMENTS, "order_id"): "many-to-many",
        (ol.ORDERS, "customer_id", ol.CUSTOMERS, "customer_id"): "one-to-one",
    }
    assert rels[(ol.ORDERS, "order_id", ol.ITEMS, "order_id")].matched == len(
        {r.split(b",")[0] for r in files[ol.ITEMS].splitlines()[1:]})


@pytest.mark.parametrize("order", [ol.FILES, tuple(reversed(ol.FILES))])
def test_the_plan_takes_lines_from_the_items_whatever_the_upload_order(files, order):
    with join.Sources.from_bytes([(n, files[n]) for n in order]) as src:
        p = join.plan(src)
    assert p.base == ol.ITEMS
    joins = {j.file: j for j in p.joins}
    assert (joins[ol.ORDERS].to, joins[ol.ORDERS].left, joins[ol.ORDERS].right) == (ol.ITEMS, "order_id", "order_id")
    assert joins[ol.ORDERS].unique and not joins[ol.ORDERS].aggregate
    assert (joins[ol.CUSTOMERS].to, joins[ol.CUSTOMERS].left) == (ol.ORDERS, "customer_id")
    assert joins[ol.CUSTOMERS].unique
    assert not joins[ol.PAYMENTS].unique and joins[ol.PAYMENTS].aggregate
    assert [j.file for j in p.joins].index(ol.ORDERS) < [j.file for j in p.joins].index(ol.CUSTOMERS)
    assert p.person == (ol.CUSTOMERS, "customer_unique_id")
    assert {n: p.role(n) for n in p.names} == {ol.ITEMS: "lines", ol.ORDERS: "lookup", ol.CUSTOMERS: "lookup",
                                               ol.PAYMENTS: "aggregated"}


# ---------------------------------------------------------------- the joined lines


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from data.db import make_engine

    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('join') / 'prism.db'}")
    repo.init_store(engine=eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def prepared(files, store):
    return ingest.prepare_joined(list(files.items()), kind="orders", engine=store)


def test_joined_lines_hold_the_right_counts_and_sums(prepared, want):
    f = prepared.converted.frame
    assert prepared.bad_rows == 0
    assert len(f) == want["lines"]                      # one line per item: payments did not multiply them
    assert f["order_id"].nunique() == want["orders"]    # orders with items
    assert f["customer_id"].nunique() == want["people"]  # people, not order-scoped ids
    assert want["people"] < want["order_scoped_ids"]
    assert round(f["amount"].sum(), 2) == want["amount"]  # amount = price
    assert (f["quantity"] == 1).all()
    assert round(f["attr_freight_value"].sum(), 2) == want["freight"]  # freight kept beside, not in amount
    assert prepared.mapping["order_date"] == "order_purchase_timestamp"
    assert prepared.mapping["customer_id"] == "customer_unique_id"
    assert prepared.mapping["amount"] == "price"
    assert prepared.sources == ol.FILES and prepared.source_file == ", ".join(ol.FILES)


def test_each_line_carries_its_orders_date_status_person_region_and_payment(prepared, want):
    f = prepared.converted.frame
    per_order = f.groupby("order_id").first()
    assert per_order["order_date"].to_dict() == {o: pd.Timestamp(d) for o, d in want["date_by_order"].items()}
    assert per_order["customer_id"].to_dict() == want["person_by_order"]
    assert per_order["status"].to_dict() == want["status_by_order"]
    assert per_order["region"].to_dict() == want["state_by_order"]
    assert per_order["attr_payment_value"].round(2).to_dict() == want["paid_by_order"]  # total per order
    assert per_order["attr_payment_type"].to_dict() == want["type_by_order"]  # type of the largest payment
    assert (f.groupby("order_id")["attr_payment_value"].nunique() == 1).all()  # an order attribute on each line
    assert "attr_customer_id" in f.columns  # the order-scoped id is kept as an attribute


def test_the_user_can_make_the_order_header_the_lines(files, want, store):
    p = ingest.prepare_joined(list(files.items()), kind="orders", base=ol.ORDERS, engine=store)
    joins = {j.file: j for j in p.plan.joins}
    assert p.plan.base == ol.ORDERS and joins[ol.ITEMS].aggregate and joins[ol.PAYMENTS].aggregate
    f = p.converted.frame
    n_orders = len(files[ol.ORDERS].splitlines()) - 1
    assert len(f) == n_orders  # one line per order now
    assert "price" in p.mapping.values()
    with_items = f["order_id"].isin(want["date_by_order"])
    assert round(f.loc[with_items, "amount"].sum(), 2) == want["amount"]  # the items' prices summed per order
    assert p.bad_rows == n_orders - want["orders"]  # an order without items has no amount: a bad row, reported
    assert set(p.errors["column"]) == {"price"}


def test_keys_named_with_join_arguments_replace_the_detected_ones(files):
    names = list(files)
    keys = join.parse_join_args(["olist_orders_dataset.customer_id=olist_customers_dataset.csv.customer_id"], names)
    assert keys == {ol.CUSTOMERS: (ol.ORDERS, "customer_id", "customer_id")}
    with pytest.raises(IngestError, match="FILE.COLUMN=FILE.COLUMN"):
        join.parse_join_args(["nofile.x=olist_orders_dataset.order_id"], names)
    with join.Sources.from_bytes(list(files.items())) as src:
        with pytest.raises(IngestError) as e:
            join.plan(src, keys={ol.CUSTOMERS: (ol.ORDERS, "order_id", "customer_id")})
    assert "no value of olist_orders_dataset.csv.order_id is found in olist_customers_dataset.csv.customer_id" in str(e.value)


# ---------------------------------------------------------------- refusals


def test_unrelated_files_are_refused_naming_files_and_columns():
    with pytest.raises(IngestError) as e:
        ingest.prepare_joined(UNRELATED, kind="orders")
    msg = str(e.value)
    assert msg.startswith("file 'weather.csv': this file shares no key with 'shop_a.csv'")
    assert "its columns: day, temp" in msg and "shop_a.csv: sku, price" in msg
    assert [f.name for f in e.value.join_files] == ["shop_a.csv", "weather.csv"]


def test_a_join_that_would_repeat_lines_is_refused(files):
    with pytest.raises(IngestError) as e:
        ingest.prepare_joined(list(files.items()), kind="orders", aggregate={ol.PAYMENTS: False})
    msg = str(e.value)
    assert msg.startswith(f"file '{ol.PAYMENTS}', column 'order_id': joining on {ol.ITEMS}.order_id = "
                          f"{ol.PAYMENTS}.order_id would repeat lines")
    n_repeated = sum(1 for n in pd.read_csv(pd.io.common.BytesIO(files[ol.PAYMENTS]))["order_id"].value_counts() if n > 1)
    assert f"{n_repeated:,} values of order_id occur on more than one row" in msg


# ---------------------------------------------------------------- storing: command line, streaming, atomicity


def test_the_streamed_join_stores_what_the_review_showed(tmp_path, engine, files, prepared, monkeypatch):
    paths = ol.write(tmp_path, n_orders=40, seed=11)
    monkeypatch.setattr(ingest_disk, "STREAM_MIN_BYTES", 0)  # every file read block by block into the engine
    seen = []
    res = ingest.ingest_files(list(paths.values()), kind="orders", engine=engine, batch_rows=7, block_bytes=1 << 10,
                              on_plan=seen.append)
    assert seen and seen[0].base == ol.ITEMS and res["plan"] == seen[0]
    stored = repo.load_frame(dataset_id=res["id"], engine=engine)
    shown = prepared.converted.frame
    assert res["rows"] == len(stored) == len(shown) and res["source_file"] == ", ".join(ol.FILES)
    cols = ["order_id", "order_date", "customer_id", "amount", "region", "status", "attr_freight_value",
            "attr_payment_value"]
    pd.testing.assert_frame_equal(stored[cols].reset_index(drop=True), shown[cols].reset_index(drop=True),
                                  check_dtype=False)
    assert list(stored.attrs["lines"]) == list(range(2, len(stored) + 2))  # the items file's lines
    with pytest.raises(IngestError, match="these exact files were already uploaded"):
        ingest.ingest_files(list(paths.values()), kind="orders", engine=engine)


def test_a_failed_join_stores_nothing(tmp_path, engine, files):
    before = _state(engine)
    for name, content in UNRELATED:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(IngestError, match="shares no key"):
        ingest.ingest_files([tmp_path / n for n, _ in UNRELATED], kind="orders", engine=engine)
    # a join that is refused while its lines are converted (most order dates unreadable): nothing stored
    bad = dict(files)
    rows = bad[ol.ORDERS].decode().splitlines()
    bad[ol.ORDERS] = "\n".join([rows[0]] + [r.replace(",2017-", ",someday ").replace(",2018-", ",someday ")
                                            for r in rows[1:]]).encode()
    for n, c in bad.items():
        (tmp_path / n).write_bytes(c)
    with pytest.raises(IngestError) as e:
        ingest.ingest_files([tmp_path / n for n in ol.FILES], kind="orders", engine=engine, batch_rows=10)
    assert "order_purchase_timestamp" in str(e.value) and ol.ITEMS in str(e.value)
    assert _state(engine) == before


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "PRISM_LINES_DIR": str(db.parent / "lines")}
    return subprocess.run([sys.executable, "-m", "data", "ingest", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_command_line_ingests_four_files_as_one_dataset(tmp_path, files, want):
    paths = ol.write(tmp_path, n_orders=40, seed=11)
    db = tmp_path / "cli.db"
    r = _cli(*[str(paths[n]) for n in ol.FILES], "--kind", "orders", "--name", "olist", "--json", db=db)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["rows"] == want["lines"] and out["rejected_rows"] == 0 and out["name"] == "olist"
    assert out["source_files"] == list(ol.FILES) and out["join"]["base"] == ol.ITEMS
    assert f"lines: {ol.ITEMS} ({want['lines']:,} rows" in r.stderr  # the plan, shown before the lines are read
    from data.db import make_engine

    eng = make_engine(f"sqlite:///{db}")
    try:
        os.environ["PRISM_LINES_DIR"], old = str(tmp_path / "lines"), os.environ.get("PRISM_LINES_DIR")
        f = repo.load_frame(dataset_id=out["dataset_id"], engine=eng)
    finally:
        os.environ.pop("PRISM_LINES_DIR") if old is None else os.environ.__setitem__("PRISM_LINES_DIR", old)
        eng.dispose()
    assert (len(f), f["order_id"].nunique(), f["customer_id"].nunique(), round(f["amount"].sum(), 2)) == \
        (want["lines"], want["orders"], want["people"], want["amount"])
    r = _cli(str(paths[ol.ITEMS]), str(paths[ol.ORDERS]), "--kind", "orders", "--base", "olist_orders_dataset",
             "--allow-duplicate", db=db)
    assert r.returncode == 1 and "3 of 40 rows (7.5%) have values that cannot be read" in r.stderr
    assert "column 'price', value '': missing value for required field amount" in r.stderr
    r = _cli(str(paths[ol.ITEMS]), str(paths[ol.ORDERS]), "--kind", "orders", "--base", "olist_orders_dataset",
             "--keep-good-rows", db=db)
    assert r.returncode == 0, r.stderr
    assert f"lines: {ol.ORDERS} (40 rows" in r.stdout
    assert f"dataset #2 'olist_orders_dataset' (orders), revision 1: {want['orders']} rows stored, 3 rejected" in r.stdout


def test_command_line_refuses_unrelated_files_in_one_line(tmp_path):
    for name, content in UNRELATED:
        (tmp_path / name).write_bytes(content)
    r = _cli(*[str(tmp_path / n) for n, _ in UNRELATED], "--kind", "orders", db=tmp_path / "cli.db")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith("rejected: file 'weather.csv': this file shares no key with 'shop_a.csv'")
