"""The Data page: several files of one export (Olist's layout) reviewed and stored as one dataset."""

from __future__ import annotations

from data import repository
from tests import olist_like
from tests.app.conftest import make_app, texts


def _datasets():
    return {d["id"]: d for d in repository.list_datasets()}


def _plan_table(at):
    return next(df.value for df in at.dataframe if "Role" in df.value.columns)


def test_four_olist_files_are_joined_reviewed_and_stored_as_one_dataset(workspace):
    files = olist_like.files(n_orders=40, seed=5)
    want = olist_like.expected(files)
    before = _datasets()
    at = make_app("ana", page="pages/data_manager.py").run()
    at.file_uploader[0].set_value([(n, b, "text/csv") for n, b in files.items()])
    at = at.run()
    assert not at.exception
    assert [t.value for t in at.toggle if t.key.startswith("join_on_")] == [True]  # the files relate: proposed
    plan = _plan_table(at)
    roles = dict(zip(plan["File"], plan["Role"]))
    assert roles == {olist_like.ITEMS: "lines (one dataset line per row)", olist_like.ORDERS: "one row per key",
                     olist_like.CUSTOMERS: "one row per key", olist_like.PAYMENTS: "several rows per key: aggregated"}
    keys = dict(zip(plan["File"], plan["Joined on"]))
    assert keys[olist_like.ORDERS] == f"{olist_like.ITEMS} · order_id = order_id"
    assert keys[olist_like.CUSTOMERS] == f"{olist_like.ORDERS} · customer_id = customer_id"
    body = texts(at)
    assert "Customer = customer\\_unique\\_id of olist\\_customers\\_dataset.csv" in body
    assert f"All {want['lines']} rows are valid." in body
    mapping = at.data_editor[0].value
    got = dict(zip(mapping["field"], mapping["column"]))
    assert {k: got[k] for k in ("order_date", "customer_id", "amount", "region", "status")} == {
        "order_date": "order_purchase_timestamp", "customer_id": "customer_unique_id", "amount": "price",
        "region": "customer_state", "status": "order_status"}
    at.button(key=[b.key for b in at.button if b.key and b.key.startswith("commit_")][0]).click()
    at = at.run()
    assert not at.exception
    new = [d for i, d in _datasets().items() if i not in before]
    assert len(new) == 1 and new[0]["name"] == "olist_order_items_dataset" and new[0]["rows"] == want["lines"]
    assert new[0]["source_file"] == ", ".join(files)
    f = repository.load_frame(dataset_id=new[0]["id"])
    assert (f["order_id"].nunique(), f["customer_id"].nunique(), round(f["amount"].sum(), 2)) == \
        (want["orders"], want["people"], want["amount"])


def test_the_user_changes_the_lines_file(workspace):
    files = olist_like.files(n_orders=20, seed=6)
    at = make_app("ana", page="pages/data_manager.py").run()
    at.file_uploader[0].set_value([(n, b, "text/csv") for n, b in files.items()])
    at = at.run()
    base = next(s for s in at.selectbox if s.key and s.key.startswith("jbase_"))
    assert base.value == olist_like.ITEMS
    base.set_value(olist_like.ORDERS)
    at = at.run()
    assert not at.exception
    roles = dict(zip(_plan_table(at)["File"], _plan_table(at)["Role"]))
    assert roles[olist_like.ORDERS] == "lines (one dataset line per row)"
    assert roles[olist_like.ITEMS] == "several rows per key: aggregated"
    assert "have values that cannot be read" in texts(at)  # orders without items have no amount: reported


def test_unrelated_files_are_reviewed_one_by_one_and_a_forced_join_is_refused_clearly(workspace):
    before = _datasets()
    at = make_app("ana", page="pages/data_manager.py").run()
    at.file_uploader[0].set_value([("shop_a.csv", b"sku,price,date\nA1,3.5,2024-06-01\nA2,4,2024-06-02\n", "text/csv"),
                                   ("weather.csv", b"day,temp\n2024-06-01,21\n2024-06-02,23\n", "text/csv")])
    at = at.run()
    toggle = next(t for t in at.toggle if t.key.startswith("join_on_"))
    assert toggle.value is False
    assert len([s for s in at.selectbox if s.key and s.key.startswith("kind_")]) == 2  # one review per file
    toggle.set_value(True)
    at = at.run()
    assert not at.exception
    body = texts(at)
    assert ("The file was not accepted: file 'weather.csv': this file shares no key with 'shop_a.csv'" in
            body.replace("\\", ""))
    assert [s.key for s in at.selectbox if s.key and s.key.startswith(("jto_", "jon_"))]  # the keys can be picked
    assert _datasets() == before
