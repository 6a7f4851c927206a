"""The Data page: upload with review, preview, validation report and commit; list, rename, delete."""

from __future__ import annotations

from data import repository
from tests.app.conftest import make_app, table, texts

GBK_EXPORT = ("店铺订单报表 2025年6月\n\n订单编号,支付时间,买家ID,商品名称,实付金额,订单状态\n"
              "A1,2025/6/18 20:01,C1,精华液,\"￥1,234.50\",交易成功\n"
              "A2,2025/6/19 09:30,C2,口红,1.2万,退款成功\n"
              "合计,,,,\"13,234.50\",\n").encode("gbk")


def _fresh():
    """Datasets written straight to the store in a test: drop the app's 10-second list cache."""
    import streamlit as st

    st.cache_data.clear()


def _datasets():
    return {d["id"]: d for d in repository.list_datasets()}


def test_upload_review_and_store_a_chinese_export(workspace):
    before = _datasets()
    at = make_app("ana", page="pages/data_manager.py").run()
    at.file_uploader[0].set_value(("订单导出.csv", GBK_EXPORT, "text/csv"))
    at = at.run()
    assert not at.exception
    body = texts(at)
    assert "All 2 rows are valid." in body
    assert "1 title rows skipped, 1 totals rows dropped" in body
    mapping = at.data_editor[0].value
    got = dict(zip(mapping["field"], mapping["column"]))
    assert {k: got[k] for k in ("order_id", "order_date", "customer_id", "product_name", "amount", "status")} == {
        "order_id": "订单编号", "order_date": "支付时间", "customer_id": "买家ID", "product_name": "商品名称",
        "amount": "实付金额", "status": "订单状态"}
    at.button(key=[b.key for b in at.button if b.key and b.key.startswith("commit_")][0]).click()
    at = at.run()
    assert not at.exception
    assert "“订单导出”: 2 rows (revision 1); 0 rows rejected" in texts(at)
    after = _datasets()
    new = [d for i, d in after.items() if i not in before]
    assert len(new) == 1 and new[0]["kind"] == "orders" and new[0]["rows"] == 2 and new[0]["uploaded_by"] == "ana"
    frame = repository.load_frame(dataset_id=new[0]["id"])
    assert frame["amount"].tolist() == [1234.5, 12000.0]
    assert frame["is_return"].tolist() == [False, True]


def test_a_bad_file_gets_a_clear_message_and_nothing_is_stored(workspace):
    before = _datasets()
    at = make_app("ana", page="pages/data_manager.py").run()
    at.file_uploader[0].set_value(("broken.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "text/csv"))
    at = at.run()
    assert not at.exception
    assert "The file was not accepted: file 'broken.csv'" in texts(at)
    assert _datasets() == before


def test_rows_with_problems_are_listed_and_the_user_chooses(workspace):
    rows = "order_id,order_date,amount\n" + "".join(f"B{i},2025-06-{i % 28 + 1:02d},{i}\n" for i in range(40))
    rows += "B99,2025-06-01,abc\nB98,someday,3\n"
    at = make_app("ana", page="pages/data_manager.py").run()
    at.file_uploader[0].set_value(("mixed.csv", rows.encode(), "text/csv"))
    at = at.run()
    body = texts(at)
    assert "2 of 42 rows (4.8%) have values that cannot be read" in body
    errors = [df.value for df in at.dataframe if "reason" in df.value.columns]
    assert errors and set(errors[0]["row"]) == {42, 43}
    radio = [r for r in at.radio if r.key and r.key.startswith("badc_")][0]
    assert radio.value == "keep"  # under the 5% threshold, keeping the good rows is proposed
    radio.set_value("reject")
    at = at.run()
    before = _datasets()
    at.button(key=[b.key for b in at.button if b.key and b.key.startswith("commit_")][0]).click()
    at = at.run()
    assert "The file was not accepted" in texts(at) and _datasets() == before


def test_viewer_sees_the_list_but_cannot_change_it(workspace):
    at = make_app("vic", page="pages/data_manager.py").run()
    assert not at.exception
    assert len(at.dataframe[0].value) >= 8
    assert not at.get("file_uploader")


def test_rename_and_delete_own_dataset(workspace):
    info = repository.write_dataset(kind="feedback", frame=__import__("data.demo", fromlist=["generate"]).generate(seed=3)["feedback"].head(20),
                                    name="to delete", content_hash="tmp-del", mapping={}, uploaded_by="ana")
    _fresh()
    at = make_app("ana", page="pages/data_manager.py").run()
    at.selectbox(key="data_pick").set_value(info["id"])
    at = at.run()
    at.text_input(key=f"rn_{info['id']}").input("renamed <b>set</b>")
    at.button(key=f"rn_btn_{info['id']}").click()
    at = at.run()
    assert repository.get_dataset(dataset_id=info["id"])["name"] == "renamed <b>set</b>"
    at.selectbox(key="data_pick").set_value(info["id"])
    at = at.run()
    at.text_input(key=f"del_t_{info['id']}").input(str(info["id"]))
    at = at.run()
    at.button(key=f"del_btn_{info['id']}").click()
    at = at.run()
    assert not at.exception
    assert repository.get_dataset(dataset_id=info["id"]) is None


def test_an_analyst_cannot_delete_someone_elses_dataset_but_an_admin_can(workspace):
    info = repository.write_dataset(kind="market", frame=__import__("data.demo", fromlist=["generate"]).generate(seed=3)["market"].head(5),
                                    name="owned by admin", content_hash="tmp-admin", mapping={}, uploaded_by="admin")
    _fresh()
    at = make_app("ana", page="pages/data_manager.py").run()
    at.selectbox(key="data_pick").set_value(info["id"])
    at = at.run()
    assert "cannot delete other people's datasets" in texts(at)
    assert not [b for b in at.button if b.key == f"del_btn_{info['id']}"]
    at = make_app("admin", page="pages/data_manager.py").run()
    at.selectbox(key="data_pick").set_value(info["id"])
    at = at.run()
    at.text_input(key=f"del_t_{info['id']}").input(str(info["id"]))
    at = at.run()
    at.button(key=f"del_btn_{info['id']}").click()
    at.run()
    assert repository.get_dataset(dataset_id=info["id"]) is None


MARKET_CSV = b"date,segment,market_size,our_sales\n2025-05-01,Skincare,1250000000,31000000\n2025-06-01,Skincare,1980000000,52000000\n"


def _by_prefix(widgets, prefix: str):
    return [w for w in widgets if w.key and w.key.startswith(prefix)][0]


def _replace_form(at, content: bytes, name: str):
    """Upload ``content`` as a market file and choose 'replace'; returns the run."""
    at.file_uploader[0].set_value((name, content, "text/csv"))
    at = at.run()
    _by_prefix(at.selectbox, "kind_").set_value("market")
    at = at.run()
    _by_prefix(at.selectbox, "mode_").set_value("replace")
    return at.run()


def test_replace_offers_only_the_datasets_the_user_may_change(workspace):
    from data.access import SYSTEM

    theirs = repository.write_dataset(kind="market", frame=__import__("data.demo", fromlist=["generate"]).generate(seed=3)["market"].head(5),
                                      name="admin's market", content_hash="tmp-admin-market", mapping={}, uploaded_by="admin")
    _fresh()
    try:
        mine = [f"{d['name']} · #{d['id']}" for d in repository.list_datasets(kind="market") if d["uploaded_by"] == "ana"]
        at = _replace_form(make_app("ana", page="pages/data_manager.py").run(), MARKET_CSV, "m1.csv")
        assert not at.exception
        assert mine and _by_prefix(at.selectbox, "target_").options == mine  # not the admin's
        at = _replace_form(make_app("admin", page="pages/data_manager.py").run(), MARKET_CSV, "m2.csv")
        assert f"admin's market · #{theirs['id']}" in _by_prefix(at.selectbox, "target_").options
    finally:
        repository.delete_dataset(dataset_id=theirs["id"], actor=SYSTEM)
        _fresh()


def test_a_replace_refused_where_the_write_happens_shows_why_and_changes_nothing(workspace):
    from data import db
    from data.access import SYSTEM

    ds = repository.write_dataset(kind="market", frame=__import__("data.demo", fromlist=["generate"]).generate(seed=3)["market"].head(5),
                                  name="soon not mine", content_hash="tmp-race", mapping={}, uploaded_by="ana")
    _fresh()
    try:
        at = _replace_form(make_app("ana", page="pages/data_manager.py").run(), MARKET_CSV, "m3.csv")
        _by_prefix(at.selectbox, "target_").set_value(ds["id"])
        at = at.run()
        # the dataset changes hands between the page's list (cached for 10 s) and the click
        with db.get_engine().begin() as conn:
            conn.exec_driver_sql("UPDATE dataset SET uploaded_by = 'admin' WHERE id = ?", (ds["id"],))
        before = _datasets()
        _by_prefix(at.button, "commit_").click()
        at = at.run()
        assert not at.exception
        assert (f"ana (analyst) may not replace dataset #{ds['id']} 'soon not mine': it belongs to admin; an analyst "
                "may change only what they uploaded, and the admin role is needed to change someone else's") in \
            [e.value.replace("\\", "") for e in at.error]
        assert _datasets() == before
    finally:
        repository.delete_dataset(dataset_id=ds["id"], actor=SYSTEM)
        _fresh()


def test_a_locked_database_gives_one_line_on_the_page_and_stores_nothing(workspace, monkeypatch):
    import sqlite3

    from data import db

    monkeypatch.setenv(db.BUSY_SETTING, "0.2")
    db.dispose_all()  # the next engine waits at most 0.2 s for another writer
    path = workspace["dir"] / "prism.db"
    try:
        at = make_app("ana", page="pages/data_manager.py").run()
        at.file_uploader[0].set_value(("locked.csv", b"order_id,order_date,amount\nL1,2025-06-18,5\n", "text/csv"))
        at = at.run()
        before = _datasets()
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            _by_prefix(at.button, "commit_").click()
            at = at.run()
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert not at.exception
        assert [e.value.replace("\\", "") for e in at.error] == [
            "the database is busy (locked by another writer for more than 0.2 s); nothing was changed; try again"]
        assert _datasets() == before
    finally:
        monkeypatch.delenv(db.BUSY_SETTING)
        db.dispose_all()


def test_an_ad_export_without_a_channel_column_is_asked_for_it_not_refused(workspace):
    """A Facebook ad export has no channel column: the page asks which column it is or for one value for
    every row (not a command-line flag); with "Facebook" typed, the review opens and the rows store with
    channel = Facebook."""
    before = _datasets()
    export = ("date,campaign,spend,impressions,clicks\n2024-05-01,Spring,120.5,10000,230\n"
              "2024-05-02,Spring,98.2,8200,190\n").encode()
    at = make_app("ana", page="pages/data_manager.py").run()
    at.file_uploader[0].set_value(("facebook_ads.csv", export, "text/csv"))
    at = at.run()
    kind = next(s for s in at.selectbox if s.label == "Dataset kind")
    if kind.value != "channels":
        kind.set_value("channels")
        at = at.run()
    assert not at.exception
    body = texts(at)
    assert "Which column is the channel?" in body and "--map" not in body and "not accepted" not in body
    fixed = next(t for t in at.text_input if t.label == "Or one value for every row")
    fixed.input("Facebook")
    at = at.run()
    at.button(key=[b.key for b in at.button if b.key and b.key.startswith("miss_ok_")][0]).click()
    at = at.run()
    assert not at.exception
    assert "All 2 rows are valid." in texts(at)
    at.button(key=[b.key for b in at.button if b.key and b.key.startswith("commit_")][0]).click()
    at = at.run()
    assert not at.exception
    new = [d for i, d in _datasets().items() if i not in before]
    assert len(new) == 1 and new[0]["kind"] == "channels" and new[0]["rows"] == 2
    assert repository.load_frame(dataset_id=new[0]["id"])["channel"].tolist() == ["Facebook", "Facebook"]


def test_a_guess_that_may_be_wrong_is_asked_about_not_called_valid(workspace):
    """A CRM export in the iFood layout: the customer id is guessed by content from the column ID (70%), so
    the review asks the user to check it beside "All rows are valid"; nothing is stored until they do."""
    from tests.unit.test_mapping import _ifood_csv

    before = _datasets()
    at = make_app("ana", page="pages/data_manager.py").run()
    at.file_uploader[0].set_value(("marketing_campaign.csv", _ifood_csv(40), "text/csv"))
    at = at.run()
    kind = next(s for s in at.selectbox if s.label == "Dataset kind")
    if kind.value != "customers":
        kind.set_value("customers")
        at = at.run()
    assert not at.exception
    body = texts(at)
    assert "All 40 rows are valid." in body
    warn = [w.value for w in at.warning if "Please check these guesses" in w.value]
    assert warn and "customer\\_id ← ID (70% sure)" in warn[0] and "Income" not in warn[0]
    assert _datasets() == before


def test_the_version_history_and_the_field_table_speak_the_users_language(workspace):
    at = make_app("ana", page="pages/data_manager.py", query={"lang": "zh"}).run()
    assert not at.exception
    revs = table(at, "操作")
    assert list(revs.columns) == ["数据集编号", "版本", "操作", "新增行数", "总行数", "拒收行数", "源文件",
                                  "上传者", "上传时间"]
    assert "新建" in set(revs["操作"])
    fields = table(at, "填充率")
    assert list(fields.columns) == ["字段", "类型", "已填行数", "填充率"]
    assert set(fields["类型"]) <= {"日期", "数值", "整数", "文本", "是/否"}
    at = make_app("ana", page="pages/data_manager.py", query={"lang": "en"}).run()
    assert "Created" in set(table(at, "Action")["Action"])
    assert set(table(at, "Filled share")["Type"]) <= {"Date", "Number", "Whole number", "Text", "Yes / no"}


def test_home_counts_datasets_per_kind_under_a_label_that_says_so(workspace):
    at = make_app("ana", page="pages/home.py").run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Order datasets" in labels and "Orders" not in labels
    at.sidebar.radio(key="lang").set_value("zh").run()
    labels = [m.label for m in at.metric]
    assert "订单数据集" in labels and "订单" not in labels
