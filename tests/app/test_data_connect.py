"""The Data page's "Connect a table" section (issue 18, item 3): list the warehouse's tables, check one with
the automatic mapping, confirm; a change in the table shows as a new revision; a viewer cannot connect."""

from __future__ import annotations

import gzip
import os
import shutil

import duckdb
import pandas as pd
import pytest

from data import engine as lines_engine
from data import repository
from data.access import Actor
from tests.app.conftest import make_app, table, texts
from tests.fixtures import SHARED

N = 2_000


@pytest.fixture()
def warehouse(workspace, tmp_path, monkeypatch):
    with gzip.open(SHARED / "online_retail" / "online_retail.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        lines = [next(fh) for _ in range(N + 1)]
    csv = tmp_path / "retail.csv"
    csv.write_text("".join(lines), encoding="utf-8")
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA sales")
    con.execute("CREATE TABLE sales.orders AS SELECT * FROM read_csv(?)", [str(csv)])
    con.close()
    monkeypatch.setenv("PRISM_WAREHOUSE", str(path))
    monkeypatch.setenv("PRISM_CONNECT_CHECK_S", "0")  # every rerun checks the table (the default is 30 s)
    lines_engine.detach_warehouse()
    before = {d["id"] for d in repository.list_datasets()}
    yield path
    for d in repository.list_datasets():  # the session's workspace is shared with the other page tests
        if d["id"] not in before:
            repository.delete_dataset(dataset_id=d["id"], actor=Actor("admin", "admin"))
    lines_engine.detach_warehouse()


def _clear():
    import streamlit as st

    st.cache_data.clear()


def test_an_analyst_connects_a_table_and_sees_its_change_as_a_revision(warehouse):
    before = {d["id"] for d in repository.list_datasets()}
    at = make_app("ana", page="pages/data_manager.py").run()
    assert not at.exception
    assert at.selectbox(key="cx_table").options == ["sales.orders"]
    body = texts(at)
    raw = pd.read_csv(warehouse.with_name("retail.csv"), dtype={"InvoiceNo": str})
    returns = int(((raw["Quantity"] < 0) | raw["InvoiceNo"].str.startswith("C") | (raw["UnitPrice"] < 0)).sum())
    assert returns > 0
    assert f"Table sales.orders: 2,000 rows usable, {returns} return / cancellation lines flagged." in body
    mapping = at.data_editor(key="cx_map_orders_sales.orders").value
    got = dict(zip(mapping["field"], mapping["column"]))
    assert {k: got[k] for k in ("order_id", "order_date", "customer_id", "quantity", "unit_price")} == {
        "order_id": "InvoiceNo", "order_date": "InvoiceDate", "customer_id": "CustomerID", "quantity": "Quantity",
        "unit_price": "UnitPrice"}
    assert dict(zip(mapping["field"], mapping["type"]))["order_date"] == "timestamp(6)"
    at.text_input(key="cx_name_sales.orders").set_value("Retail (warehouse)")
    at.button(key="cx_confirm").click()
    at = at.run()
    assert not at.exception
    new = [d for d in repository.list_datasets() if d["id"] not in before]
    assert len(new) == 1
    ds = new[0]
    assert (ds["name"], ds["kind"], ds["rows"], ds["revision"], ds["uploaded_by"]) == (
        "Retail (warehouse)", "orders", N, 1, "ana")
    assert f"Dataset #{ds['id']} “Retail (warehouse)” is connected to table sales.orders: 2,000 rows" in texts(at)

    # the warehouse changes (a writer swaps in a new file): the next rerun registers a new revision
    tmp = warehouse.with_name("next.duckdb")
    shutil.copy(warehouse, tmp)
    con = duckdb.connect(str(tmp))
    con.execute("INSERT INTO sales.orders SELECT * FROM sales.orders LIMIT 10")
    con.close()
    os.replace(tmp, warehouse)
    _clear()
    at = make_app("ana", page="pages/data_manager.py").run()
    at.selectbox(key="data_pick").set_value(ds["id"])
    at = at.run()
    assert not at.exception
    revs = table(at, "Rows in all")  # the version history, headers and actions in the user's language
    assert revs["Revision"].tolist() == [1, 2]
    assert revs["Action"].tolist() == ["Created", "Refreshed (table changed)"]
    assert revs["Rows in all"].tolist() == [N, N + 10]
    assert repository.get_dataset(dataset_id=ds["id"])["rows"] == N + 10


def test_a_viewer_cannot_connect(warehouse):
    before = repository.list_datasets()
    at = make_app("vic", page="pages/data_manager.py").run()
    assert not at.exception
    assert "cx_confirm" not in [b.key for b in at.button]
    assert "cx_table" not in [s.key for s in at.selectbox]
    denied = "Your role (viewer) cannot upload or change datasets: this needs the analyst role."
    assert texts(at).count(denied) == 2  # the upload tab and the connect tab each say why
    assert repository.list_datasets() == before


def test_without_a_warehouse_the_section_says_which_setting(workspace, monkeypatch):
    monkeypatch.delenv("PRISM_WAREHOUSE", raising=False)
    lines_engine.detach_warehouse()
    at = make_app("ana", page="pages/data_manager.py").run()
    assert not at.exception
    shown = texts(at).replace("\\", "")  # the message is escaped for Markdown (PRISM\_WAREHOUSE)
    assert "No warehouse is configured: set PRISM_WAREHOUSE to the path of a DuckDB database file." in shown
    at.sidebar.radio(key="lang").set_value("zh").run()
    assert not at.exception
    shown = texts(at).replace("\\", "")
    assert "尚未配置数据仓库：请将 PRISM_WAREHOUSE 设为 DuckDB 数据库文件路径。" in shown
    assert "no warehouse is configured" not in shown  # the engine's English reason stays out of a Chinese page
