"""A warehouse table as a dataset, without a copy (issue 18, item 3; data/connect.py).

The warehouse is a DuckDB file (``PRISM_WAREHOUSE``) holding the first 20,000 lines of Online Retail
(tests/data/online_retail) as read by DuckDB's own CSV reader (typed columns: BIGINT quantity and customer
id, TIMESTAMP dates, DOUBLE prices). The same lines ingested as a file must give the same page numbers (floats within 1e-9 relative: the engine may add in another order).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil

import duckdb
import pytest

from analytics import report
from data import connect, engine as lines_engine, ingest, repository
from data.access import Actor
from data.db import make_engine
from data.errors import IngestError, NotAllowed
from tests.fixtures import SHARED
from tests.unit.test_engine_spark import differences

N = 20_000
ANA = Actor("ana", "analyst")
HOSTILE = 'x"; drop table y; --'


@pytest.fixture(scope="module")
def retail_csv(tmp_path_factory) -> bytes:
    with gzip.open(SHARED / "online_retail" / "online_retail.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        lines = [next(fh) for _ in range(N + 1)]
    return "".join(lines).encode("utf-8")


@pytest.fixture()
def warehouse(tmp_path, monkeypatch, retail_csv):
    """A DuckDB warehouse file with sales.orders (the CSV lines) and a table whose name needs quoting."""
    csv = tmp_path / "retail.csv"
    csv.write_bytes(retail_csv)
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA sales")
    con.execute("CREATE TABLE sales.orders AS SELECT * FROM read_csv(?)", [str(csv)])
    con.execute('CREATE TABLE sales."odd ""name" AS SELECT InvoiceNo AS "order no", InvoiceDate AS "when", '
                'UnitPrice * Quantity AS "paid" FROM sales.orders LIMIT 100')
    con.execute("CREATE TABLE sales.y (a INTEGER)")
    con.close()
    monkeypatch.setenv("PRISM_WAREHOUSE", str(path))
    lines_engine.detach_warehouse()
    yield path
    lines_engine.detach_warehouse()


@pytest.fixture()
def store(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'prism.db'}")
    repository.init_store(engine=eng)
    yield eng
    eng.dispose()


def _page(page: str, ds: int, eng) -> dict:
    out = report.run_page(page, [ds], {}, lang="en", engine=eng)
    out = json.loads(json.dumps(out, default=str))
    out.pop("datasets")  # names and ids differ; rows are compared on their own
    return out


def _append(path, rows: int) -> None:
    """Change the warehouse as a writer must while Prism holds it read-only: write a copy, rename it over."""
    tmp = path.with_name("next.duckdb")
    shutil.copy(path, tmp)
    con = duckdb.connect(str(tmp))
    con.execute("INSERT INTO sales.orders SELECT 'X' || (600000 + i), 'NEW1', 'NEW THING', 3, "
                "TIMESTAMP '2011-01-20 10:00:00' + i * INTERVAL 1 HOUR, 10.0, 99000 + i % 7, 'Norway' "
                "FROM range(?) t(i)", [rows])
    con.close()
    os.replace(tmp, path)


def test_a_connected_table_gives_the_numbers_of_the_same_lines_ingested_as_a_file(warehouse, store, retail_csv):
    plan = connect.plan(kind="orders", table="sales.orders")
    assert plan.mapping == {"order_id": "InvoiceNo", "order_date": "InvoiceDate", "customer_id": "CustomerID",
                            "product_id": "StockCode", "product_name": "Description", "quantity": "Quantity",
                            "unit_price": "UnitPrice", "region": "Country"}
    conn = repository.connect_table(plan=plan, name="retail (warehouse)", actor=ANA, engine=store)
    filed = ingest.ingest_bytes(retail_csv, filename="retail.csv", kind="orders", engine=store)
    assert conn["rows"] == filed["rows"] == N
    assert conn["flagged_returns"] == filed["flagged_returns"] > 0
    assert conn["fields"] == filed["fields"]
    assert repository.table_counts(engine=store)["line_parts"] == 1  # only the file's part: nothing copied
    assert repository.revisions(dataset_id=conn["id"], engine=store)[0]["parts"] == "[]"
    for page in ("market-overview", "segmentation-explorer"):
        a, b = _page(page, conn["id"], store), _page(page, filed["id"], store)
        assert not a["problems"]
        assert differences(a, b) == [], page  # floats within 1e-9 relative (sums in another order)


def test_a_change_in_the_table_is_a_new_revision_with_new_numbers(warehouse, store, monkeypatch):
    ds = repository.connect_table(plan=connect.plan(kind="orders", table="sales.orders"), actor=ANA, engine=store)
    before = _page("market-overview", ds["id"], store)
    stamp = repository.catalogue_stamp(engine=store)
    scans = []
    real = connect.fingerprint
    monkeypatch.setattr(connect, "fingerprint", lambda spec, **kw: scans.append(spec["table"]) or real(spec, **kw))
    # the file attached read-only cannot change in place: while it is the same file, nothing is scanned
    assert repository.refresh_connected(max_age_s=0, engine=store) == []
    assert scans == []
    repository._checked.clear()  # a process that has not checked it yet scans once
    assert repository.refresh_connected(max_age_s=0, engine=store) == [
        {"dataset_id": ds["id"], "revision": 1, "changed": False}]
    assert scans == ["orders"]
    _append(warehouse, 50)
    # the file was replaced: checked on the next call, whatever the interval
    assert repository.refresh_connected(max_age_s=3600, engine=store) == [
        {"dataset_id": ds["id"], "revision": 2, "changed": True}]
    assert scans == ["orders", "orders"]
    info = repository.get_dataset(dataset_id=ds["id"], engine=store)
    assert info["revision"] == 2 and info["rows"] == N + 50
    assert repository.catalogue_stamp(engine=store) != stamp  # caches keyed on it see the change
    revs = repository.revisions(dataset_id=ds["id"], engine=store)
    assert [(r["revision"], r["action"], r["rows_total"], r["rows_added"]) for r in revs] == [
        (1, "create", N, N), (2, "refresh", N + 50, 50)]
    fp1, fp2 = (json.loads(r["source"])["fingerprint"] for r in revs)
    assert fp2["rows"] == fp1["rows"] + 50 and fp2["max_date"] > fp1["max_date"] and fp2["checksum"] != fp1["checksum"]
    after = _page("market-overview", ds["id"], store)
    # 50 lines of 3 x 10.00 each, dated after the last line: gross sales grow by exactly 1,500.00
    assert after["kpis"]["gross_sales"] == pytest.approx(before["kpis"]["gross_sales"] + 1500.0, abs=1e-6)
    assert after["kpis"]["returns"] == before["kpis"]["returns"]
    assert repository.refresh_connected(max_age_s=0, engine=store) == []  # seen once, not scanned again
    repository._checked.clear()
    assert repository.refresh_connected(max_age_s=0, engine=store)[0]["changed"] is False  # stable once registered


def test_a_report_after_a_change_reads_the_new_revision_with_its_row_count(warehouse, store):
    """The command line's report (report.run_page, a process that never reran a page) registers the change
    first: its revision and row count match the lines it reads (it once read the new lines under the old
    revision's 'rows')."""
    ds = repository.connect_table(plan=connect.plan(kind="orders", table="sales.orders"), actor=ANA, engine=store)
    _append(warehouse, 10)
    out = report.run_page("market-overview", [ds["id"]], {}, lang="en", engine=store)
    assert [(d["revision"], d["rows"]) for d in out["datasets"]] == [(2, N + 10)]


def test_a_changed_value_with_the_same_row_count_is_seen(warehouse, store):
    ds = repository.connect_table(plan=connect.plan(kind="orders", table="sales.orders"), actor=ANA, engine=store)
    tmp = warehouse.with_name("next.duckdb")
    shutil.copy(warehouse, tmp)
    con = duckdb.connect(str(tmp))
    con.execute("UPDATE sales.orders SET UnitPrice = UnitPrice + 1 WHERE InvoiceNo = '536365' AND StockCode = '71053'")
    con.close()
    os.replace(tmp, warehouse)
    assert repository.refresh_connected(max_age_s=0, engine=store)[0]["changed"] is True
    assert repository.get_dataset(dataset_id=ds["id"], engine=store)["rows"] == N


def test_identifiers_that_need_quoting_are_used_as_found_in_the_catalogue(warehouse, store):
    assert connect.list_tables() == ['sales.odd "name', "sales.orders", "sales.y"]
    plan = connect.plan(kind="orders", table='sales.odd "name', overrides={"order_id": "order no"})
    assert plan.mapping["order_date"] == "when" and plan.mapping["amount"] == "paid"
    ds = repository.connect_table(plan=plan, actor=ANA, engine=store)
    assert ds["rows"] == 100


def _nothing_stored(store, before) -> None:
    assert repository.table_counts(engine=store) == before
    assert repository.list_datasets(engine=store) == []


@pytest.mark.parametrize("table,overrides,message", [
    (HOSTILE, None, "is not a table of the warehouse; tables: sales.odd \"name, sales.orders, sales.y"),
    ("sales.nope", None, "'sales.nope' is not a table of the warehouse"),
    ("sales." + HOSTILE, None, "is not a table of the warehouse"),
    ("sales.orders", {"customer_id": HOSTILE}, "table 'sales.orders' has no column 'x\"; drop table y; --'"),
    ("sales.orders", {"amount": "Country"}, "column 'Country' of table 'sales.orders' holds string; amount needs numbers"),
    ("sales.orders", {"order_date": "Description"}, "order_date needs a DATE or TIMESTAMP column"),
    ("sales.y", None, "table 'sales.y' has no column for order_date"),
    ("sales.orders", {"colour": "Country"}, "unknown field 'colour' for kind orders"),
])
def test_a_wrong_table_or_column_is_a_clear_message_and_nothing_is_stored(warehouse, store, table, overrides, message):
    before = repository.table_counts(engine=store)
    with pytest.raises(IngestError) as exc:
        connect.plan(kind="orders", table=table, overrides=overrides)
    assert message in str(exc.value)
    _nothing_stored(store, before)
    assert "sales.y" in connect.list_tables()  # nothing dropped


def test_a_viewer_cannot_connect_a_table(warehouse, store):
    plan = connect.plan(kind="orders", table="sales.orders")
    before = repository.table_counts(engine=store)
    with pytest.raises(NotAllowed):
        repository.connect_table(plan=plan, actor=Actor("vic", "viewer"), engine=store)
    _nothing_stored(store, before)


def test_a_connected_dataset_is_not_appended_to_by_upload(warehouse, store, retail_csv):
    ds = repository.connect_table(plan=connect.plan(kind="orders", table="sales.orders"), actor=ANA, engine=store)
    with pytest.raises(IngestError, match="is a connected warehouse table"):
        ingest.ingest_bytes(retail_csv, filename="retail.csv", kind="orders", mode="append", dataset_id=ds["id"],
                            actor=ANA, engine=store)
    assert repository.get_dataset(dataset_id=ds["id"], engine=store)["revision"] == 1


def test_without_a_warehouse_the_message_names_the_setting(monkeypatch, store):
    monkeypatch.delenv("PRISM_WAREHOUSE", raising=False)
    lines_engine.detach_warehouse()
    with pytest.raises(IngestError, match="set PRISM_WAREHOUSE to a DuckDB database file"):
        connect.plan(kind="orders", table="sales.orders")


def test_a_dropped_table_is_reported_by_the_check_not_raised(warehouse, store):
    ds = repository.connect_table(plan=connect.plan(kind="orders", table="sales.orders"), actor=ANA, engine=store)
    tmp = warehouse.with_name("next.duckdb")
    shutil.copy(warehouse, tmp)
    con = duckdb.connect(str(tmp))
    con.execute("DROP TABLE sales.orders")
    con.close()
    os.replace(tmp, warehouse)
    (res,) = repository.refresh_connected(max_age_s=0, engine=store)
    assert res["changed"] is False and "dropped or renamed" in res["error"]
    assert repository.get_dataset(dataset_id=ds["id"], engine=store)["revision"] == 1


def test_the_command_line_connects_a_table(warehouse, tmp_path, monkeypatch, capsys):
    from data.__main__ import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert main(["connect", "--kind", "orders", "--table", "sales.orders", "--name", "Retail WH", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows"] == N and out["table"] == "sales.orders" and out["mapping"]["order_id"] == "InvoiceNo"
    assert main(["connect", "--kind", "orders", "--table", HOSTILE]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rejected: ") and "is not a table of the warehouse" in err and "Traceback" not in err


def test_a_spark_table_is_connected_with_the_numbers_of_the_file(spark_engine, store, retail_csv, tmp_path):
    """On Spark the table is one of the session's catalogue (here a temporary view over the same lines)."""
    import io

    import pyarrow as pa
    import pyarrow.csv as pacsv

    arrow = pacsv.read_csv(io.BytesIO(retail_csv), convert_options=pacsv.ConvertOptions(
        column_types={"InvoiceNo": pa.string(), "StockCode": pa.string(), "InvoiceDate": pa.timestamp("us"),
                      "CustomerID": pa.int64()}))
    assert arrow.num_rows == N
    from pathlib import Path

    made = not Path("spark-warehouse").exists()  # Spark's catalogue creates its (empty) default folder in the cwd
    with lines_engine.using("spark"):
        session = lines_engine.connection()._session
        session.createDataFrame(lines_engine._spark_types(arrow)).createOrReplaceTempView("wh_retail")
        try:
            assert "wh_retail" in connect.list_tables()
            plan = connect.plan(kind="orders", table="wh_retail")
            assert plan.ref.engine == "spark" and plan.rows == N
            ds = repository.connect_table(plan=plan, actor=ANA, engine=store)
            spark = _page("market-overview", ds["id"], store)
            with pytest.raises(IngestError, match="is not a table of the warehouse"):
                connect.plan(kind="orders", table=HOSTILE)
        finally:
            session.catalog.dropTempView("wh_retail")
            if made and Path("spark-warehouse").is_dir() and not any(Path("spark-warehouse").iterdir()):
                Path("spark-warehouse").rmdir()
    filed = ingest.ingest_bytes(retail_csv, filename="retail.csv", kind="orders", engine=store)
    assert ds["flagged_returns"] == filed["flagged_returns"]
    assert differences(spark, _page("market-overview", filed["id"], store)) == []
    with pytest.raises(IngestError, match="was connected on spark; the engine in use is duckdb"):
        repository.lines_table(dataset_id=ds["id"], engine=store)
