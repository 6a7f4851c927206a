"""Ingest into the store: real files land with the right numbers; bad files change nothing."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data import ingest
from data import repository as repo
from data.access import Actor
from data.errors import IngestError, NotAllowed
from tests import fixtures

ROOT = Path(__file__).resolve().parents[2]
SHARED = fixtures.SHARED


@pytest.fixture(scope="module")
def retail_bytes() -> bytes:
    return (SHARED / "online_retail" / "online_retail.csv.gz").read_bytes()


def _state(engine):
    return ([(d["id"], d["name"], d["rows"], d["revision"]) for d in repo.list_datasets(engine=engine)],
            repo.table_counts(engine=engine))


def test_online_retail_lands_whole_with_the_right_numbers(engine, retail_bytes):
    res = ingest.ingest_bytes(retail_bytes, filename="online_retail.csv.gz", kind="orders", engine=engine)
    assert res["rows"] == 541_909 and res["rejected_rows"] == 0
    assert res["name"] == "online_retail"
    frame = repo.load_frame(dataset_id=res["id"], engine=engine)
    raw = fixtures.online_retail_raw()
    assert round(frame["amount"].sum(), 2) == round((raw["Quantity"] * raw["UnitPrice"]).sum(), 2) == 9_747_747.93
    expected_returns = int(((raw["Quantity"] < 0) | raw["InvoiceNo"].str.startswith("C") | (raw["UnitPrice"] < 0)).sum())
    assert int(frame["is_return"].sum()) == res["flagged_returns"] == expected_returns
    assert frame["order_id"].str.startswith("C").sum() == 9_288
    assert frame["order_id"].nunique() == 25_900 and frame["customer_id"].nunique() == 4_372
    assert frame.attrs["lines"][0] == 2  # line 1 is the header


def test_the_same_rows_as_gbk_chinese_semicolon_export_give_the_same_totals(engine):
    raw = fixtures.online_retail_raw().head(50_000)
    cn = raw.rename(columns={"InvoiceNo": "订单号", "InvoiceDate": "下单时间", "CustomerID": "买家ID",
                             "StockCode": "商品编码", "Description": "商品名称", "Quantity": "数量",
                             "UnitPrice": "单价", "Country": "收货省份"})
    buf = io.StringIO()
    buf.write("店铺订单报表 2010年12月\n\n")
    cn.to_csv(buf, sep=";", index=False)
    buf.write("合计;;;;;;;\n")
    data = buf.getvalue().encode("gbk", errors="replace")
    res = ingest.ingest_bytes(data, filename="订单导出.csv", kind="orders", engine=engine)
    assert res["mapping"] == {"order_id": "订单号", "order_date": "下单时间", "customer_id": "买家ID",
                              "product_id": "商品编码", "product_name": "商品名称", "quantity": "数量",
                              "unit_price": "单价", "region": "收货省份"}
    frame = repo.load_frame(dataset_id=res["id"], engine=engine)
    assert len(frame) == 50_000
    assert round(frame["amount"].sum(), 2) == round((raw["Quantity"] * raw["UnitPrice"]).sum(), 2)
    assert int(frame["is_return"].sum()) == int(((raw["Quantity"] < 0) | raw["InvoiceNo"].str.startswith("C")
                                                 | (raw["UnitPrice"] < 0)).sum())


def test_hillstrom_as_an_experiment(engine):
    data = (SHARED / "hillstrom" / "hillstrom.csv.gz").read_bytes()
    res = ingest.ingest_bytes(data, filename="hillstrom.csv.gz", kind="experiments", engine=engine)
    frame = repo.load_frame(dataset_id=res["id"], engine=engine)
    assert len(frame) == 64_000
    assert frame["group"].value_counts().to_dict() == {"Womens E-Mail": 21_387, "Mens E-Mail": 21_307, "No E-Mail": 21_306}
    assert round(frame["revenue"].sum(), 2) == 67_258.13
    assert frame["unit_id"].nunique() == 64_000
    assert {"attr_zip_code", "attr_channel", "attr_history_segment"} <= set(frame.columns)


def test_cdnow_headerless_mapped_by_position(engine):
    data = (SHARED / "cdnow" / "CDNOW_sample.txt").read_bytes()
    res = ingest.ingest_bytes(data, filename="CDNOW_sample.txt", kind="orders", engine=engine,
                              overrides={"customer_id": "2", "order_date": "3", "quantity": "4", "amount": "5"})
    frame = repo.load_frame(dataset_id=res["id"], engine=engine)
    assert len(frame) == 6_919 and frame["customer_id"].nunique() == 2_357
    assert frame["order_id"].nunique() == 6_919  # no order id: each line is an order
    assert str(frame["order_date"].min().date()) == "1997-01-01" and str(frame["order_date"].max().date()) == "1998-06-30"
    assert round(frame["amount"].sum(), 2) == round(fixtures.cdnow_orders()["amount"].sum(), 2)


BAD_FILES = {
    "empty": b"",
    "binary": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
    "header only": b"order_id,order_date,amount\n",
    "required field missing": b"order_id,customer_id\nA1,C1\nA2,C2\n",
    "every date unparseable": b"order_id,order_date,amount\nA1,not a date,5\nA2,someday,6\nA3,??,7\n",
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_get_a_clear_message_and_leave_the_store_as_it_was(engine, case):
    ingest.ingest_bytes(fixtures.SHARED.joinpath("cdnow", "CDNOW_sample.txt").read_bytes()[:2000], filename="ok.txt",
                        kind="orders", engine=engine, overrides={"customer_id": "2", "order_date": "3", "amount": "5"})
    before = _state(engine)
    with pytest.raises(IngestError) as err:
        ingest.ingest_bytes(BAD_FILES[case], filename=f"{case}.csv", kind="orders", engine=engine)
    msg = str(err.value)
    assert f"{case}.csv" in msg and len(msg) > 20 and "\n" not in msg
    assert _state(engine) == before


def test_wrong_declared_encoding_and_size_limit_change_nothing(engine, tmp_path):
    before = _state(engine)
    gbk = "订单号,下单时间,实付金额\nA1,2024-06-18,12.5\n".encode("gbk")
    with pytest.raises(IngestError, match="(?i)encoding"):
        ingest.ingest_bytes(gbk, filename="x.csv", kind="orders", encoding="utf-8", engine=engine)
    big = tmp_path / "big.csv"
    big.write_bytes(b"order_id,order_date,amount\n" + b"A1,2024-06-18,1\n" * 1000)
    with pytest.raises(IngestError, match="limit"):
        ingest.ingest_file(big, kind="orders", max_bytes=5_000, engine=engine)
    assert _state(engine) == before


def test_too_many_bad_rows_rejected_by_default_keep_good_rows_on_request(engine):
    rows = ["order_id,order_date,amount"] + [f"A{i},2024-06-{(i % 28) + 1:02d},{i}.5" for i in range(90)]
    rows += [f"B{i},2024-06-01,not-a-number" for i in range(10)]
    data = ("\n".join(rows) + "\n").encode()
    before = _state(engine)
    prepared = ingest.prepare(data, filename="mixed.csv", kind="orders", engine=engine)
    assert prepared.bad_rows == 10
    errs = prepared.errors
    assert {"row", "column", "value", "reason"} <= set(errs.columns)
    assert errs.iloc[0]["row"] == 92 and errs.iloc[0]["value"] == "not-a-number"
    with pytest.raises(IngestError, match="10"):
        ingest.commit(prepared, engine=engine)
    assert _state(engine) == before
    res = ingest.commit(prepared, engine=engine, keep_good_rows=True)
    assert res["rows"] == 90 and res["rejected_rows"] == 10


def test_same_bytes_twice_are_detected(engine):
    data = b"order_id,order_date,amount\nA1,2024-06-18,12.5\nA2,2024-06-19,3\n"
    first = ingest.ingest_bytes(data, filename="a.csv", kind="orders", engine=engine)
    before = _state(engine)
    with pytest.raises(IngestError, match=f"#{first['id']}"):
        ingest.ingest_bytes(data, filename="a-again.csv", kind="orders", engine=engine)
    assert _state(engine) == before
    again = ingest.ingest_bytes(data, filename="a-again.csv", kind="orders", engine=engine, allow_duplicate=True)
    assert again["id"] != first["id"]


def test_append_and_replace_through_ingest(engine):
    ana = Actor("ana", "analyst")
    a = ingest.ingest_bytes(b"order_id,order_date,amount\nA1,2024-06-18,1\n", filename="a.csv", kind="orders",
                            engine=engine, actor=ana)
    b = ingest.ingest_bytes(b"order_id,order_date,amount\nA2,2024-06-19,2\nA3,2024-06-20,3\n", filename="b.csv",
                            kind="orders", engine=engine, mode="append", dataset_id=a["id"], actor=ana)
    assert (b["revision"], b["rows"]) == (2, 3)
    c = ingest.ingest_bytes(b"order_id,order_date,amount\nA9,2024-07-01,9\n", filename="c.csv", kind="orders",
                            engine=engine, mode="replace", dataset_id=a["id"], actor=ana)
    assert (c["revision"], c["rows"], c["uploaded_by"]) == (3, 1, "ana")
    assert repo.load_frame(dataset_id=a["id"], engine=engine)["order_id"].tolist() == ["A9"]
    before = _state(engine)
    with pytest.raises(NotAllowed, match="belongs to ana"):  # tests/unit/test_ownership.py has the whole rule
        ingest.ingest_bytes(b"order_id,order_date,amount\nM1,2024-07-02,5\n", filename="m.csv", kind="orders",
                            engine=engine, mode="append", dataset_id=a["id"], actor=Actor("mei", "analyst"))
    assert _state(engine) == before


def test_unmapped_columns_are_kept_as_attributes(engine):
    data = "order_id,order_date,amount,会员等级,coupon code\nA1,2024-06-18,1,金卡,X1\nA2,2024-06-19,2,银卡,\n".encode()
    res = ingest.ingest_bytes(data, filename="a.csv", kind="orders", engine=engine)
    frame = repo.load_frame(dataset_id=res["id"], engine=engine)
    assert frame["attr_会员等级"].tolist() == ["金卡", "银卡"]
    assert frame["attr_coupon_code"].iloc[0] == "X1"


def _cli(args, tmp_path, stdin=None):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "AUTH_CONFIG": str(tmp_path / "auth.yaml")}
    return subprocess.run([sys.executable, "-m", "data", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          input=stdin)


def test_cli_ingest_json_and_datasets(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("InvoiceNo,InvoiceDate,Quantity,UnitPrice,CustomerID\n1,2024-06-18 10:00,2,1.5,C1\nC2,2024-06-19,-1,1.5,C1\n")
    r = _cli(["ingest", str(path), "--kind", "orders", "--name", "June", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"dataset_id", "kind", "rows", "rejected_rows", "mapping"} <= set(out)
    assert out["rows"] == 2 and out["kind"] == "orders" and out["mapping"]["order_id"] == "InvoiceNo"
    assert out["flagged_returns"] == 1
    r = _cli(["datasets", "--json"], tmp_path)
    listed = json.loads(r.stdout)
    assert [(d["name"], d["kind"], d["rows"], d["revision"]) for d in listed] == [("June", "orders", 2, 1)]
    assert {"id", "name", "kind", "rows", "revision"} <= set(listed[0])


def test_cli_rejects_with_reason_on_stderr_and_changes_nothing(tmp_path):
    good = tmp_path / "g.csv"
    good.write_text("order_id,order_date,amount\nA1,2024-06-18,1\n")
    assert _cli(["ingest", str(good), "--kind", "orders"], tmp_path).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("order_id,customer_id\nA1,C1\n")
    r = _cli(["ingest", str(bad), "--kind", "orders", "--json"], tmp_path)
    assert r.returncode != 0 and "bad.csv" in r.stderr and r.stdout == ""
    r = _cli(["ingest", str(tmp_path / "missing.csv"), "--kind", "orders"], tmp_path)
    assert r.returncode != 0 and "not found" in r.stderr
    listed = json.loads(_cli(["datasets", "--json"], tmp_path).stdout)
    assert [d["rows"] for d in listed] == [1]


def test_cli_map_by_position_for_headerless_files(tmp_path):
    r = _cli(["ingest", str(SHARED / "cdnow" / "CDNOW_sample.txt"), "--kind", "orders", "--json",
              "--map", "customer_id=2", "--map", "order_date=3", "--map", "quantity=4", "--map", "amount=5"], tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["rows"] == 6_919 and out["mapping"] == {"customer_id": "2", "order_date": "3", "quantity": "4", "amount": "5"}


def test_gzip_and_excel_inputs(engine, tmp_path):
    df = pd.DataFrame({"订单编号": ["A1", "A2"], "支付时间": ["2024/6/18", "2024/6/19"], "实付金额": ["¥1,234.50", "1.2万"]})
    gz = gzip.compress(df.to_csv(index=False).encode("utf-8"))
    res = ingest.ingest_bytes(gz, filename="t.csv.gz", kind="orders", engine=engine)
    frame = repo.load_frame(dataset_id=res["id"], engine=engine)
    assert frame["amount"].tolist() == [1234.5, 12000.0]
    xbuf = io.BytesIO()
    with pd.ExcelWriter(xbuf, engine="openpyxl") as xw:
        pd.DataFrame({"x": [1]}).to_excel(xw, sheet_name="notes", index=False)
        df.to_excel(xw, sheet_name="orders", index=False)
    res = ingest.ingest_bytes(xbuf.getvalue(), filename="t.xlsx", kind="orders", sheet="orders", engine=engine)
    frame = repo.load_frame(dataset_id=res["id"], engine=engine)
    assert np.allclose(frame["amount"], [1234.5, 12000.0])


@pytest.mark.parametrize("kind", ["orders", "customers", "channels", "competitors", "experiments", "feedback",
                                  "market", "media_mix", "live_sessions", "creators", "content", "audience"])
def test_every_template_loads_cleanly_into_its_kind_and_is_recognised(engine, kind):
    data = (ROOT / "data" / "samples" / f"{kind}.csv").read_bytes()
    assert ingest.guess_kind(data, f"{kind}.csv") == kind
    res = ingest.ingest_bytes(data, filename=f"{kind}.csv", kind=kind, engine=engine)
    assert res["rejected_rows"] == 0 and res["rows"] >= 3
    frame = repo.load_frame(dataset_id=res["id"], engine=engine)
    from data.schema import KINDS

    header = data.decode().splitlines()[0].split(",")
    mapped_fields = set(res["mapping"])
    assert mapped_fields == {h for h in header if h in KINDS[kind].field_names}
    assert len(frame) == res["rows"]


def test_cli_takes_the_larger_command_line_limits_and_a_set_variable_still_wins(tmp_path):
    """600 columns: over the page's 500-column default, within the command line's; PRISM_MAX_COLUMNS wins."""
    extra = [f"x{i}" for i in range(597)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["order_date", "amount", "customer_id", *extra]) + "\n"
                    + ",".join(["2024-06-18", "10", "C1", *["1"] * len(extra)]) + "\n")
    with pytest.raises(IngestError, match="PRISM_MAX_COLUMNS"):
        ingest.prepare(path.read_bytes(), filename="wide.csv", kind="orders")
    env_before = os.environ.pop("PRISM_MAX_COLUMNS", None)
    try:
        r = _cli(["ingest", str(path), "--kind", "orders", "--json"], tmp_path)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["rows"] == 1
        os.environ["PRISM_MAX_COLUMNS"] = "100"
        r = _cli(["ingest", str(path), "--kind", "orders", "--json", "--allow-duplicate"], tmp_path)
        assert r.returncode == 1 and "PRISM_MAX_COLUMNS" in r.stderr and "Traceback" not in r.stderr
    finally:
        os.environ.pop("PRISM_MAX_COLUMNS", None)
        if env_before is not None:
            os.environ["PRISM_MAX_COLUMNS"] = env_before
