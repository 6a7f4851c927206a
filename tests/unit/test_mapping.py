"""suggest_mapping / apply_overrides / to_canonical / validate, on the shared data sets and small cases."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.errors import IngestError
from data.mapping import Converted, FieldMatch, apply_overrides, suggest_mapping, to_canonical, validate
from data.reader import read_table
from data.schema import KINDS
from tests.fixtures import SHARED, hillstrom_experiments, online_retail_orders, online_retail_raw

OR_EXPECTED = {
    "order_id": "InvoiceNo",
    "order_date": "InvoiceDate",
    "customer_id": "CustomerID",
    "product_id": "StockCode",
    "product_name": "Description",
    "quantity": "Quantity",
    "unit_price": "UnitPrice",
    "region": "Country",
}
CN_HEADERS = {
    "InvoiceNo": "订单号",
    "InvoiceDate": "下单时间",
    "CustomerID": "买家ID",
    "StockCode": "商品编码",
    "Description": "商品名称",
    "Quantity": "数量",
    "UnitPrice": "单价",
    "Country": "收货省份",
}
OR_COLUMNS = ["order_id", "order_date", "customer_id", "product_id", "product_name", "quantity", "unit_price",
              "region", "amount", "is_return"]


def ingest(content: bytes, kind: str, overrides=None, **read_kw):
    raw = read_table(content, **read_kw)
    cols = list(raw.frame.columns)
    suggested = suggest_mapping(cols, kind, raw.frame.head(500))
    mapping = apply_overrides(suggested, overrides or {}, cols, kind=kind)
    return raw, suggested, to_canonical(raw, kind, mapping, source_name=read_kw.get("filename", ""))


def csv_bytes(text: str, enc: str = "utf-8") -> bytes:
    return text.encode(enc)


# ------------------------------------------------------------------------------------------- real data sets


@pytest.fixture(scope="module")
def online_retail():
    content = (SHARED / "online_retail" / "online_retail.csv.gz").read_bytes()
    return ingest(content, "orders", filename="online_retail.csv.gz")


@pytest.fixture(scope="module")
def online_retail_gbk():
    raw = online_retail_raw()
    cn = raw.rename(columns=CN_HEADERS)
    body = cn.to_csv(sep=";", index=False, date_format="%Y-%m-%d %H:%M:%S")
    total = f"合计;;;{int(raw['Quantity'].sum())};;;;\n"
    text = "店铺销售报表 2024年6月\n\n" + body + total
    # GBK has no "£" (6 gift-voucher descriptions); a Chinese export writes the full-width "￡"
    content = text.replace("£", "￡").encode("gbk")
    return ingest(content, "orders", filename="订单导出.csv")


def test_online_retail_maps_automatically(online_retail):
    raw, suggested, conv = online_retail
    assert {f: m.column for f, m in suggested.items()} == OR_EXPECTED
    assert all(m.confidence >= 0.9 for m in suggested.values())
    assert conv.mapping == OR_EXPECTED


def test_online_retail_converts_with_published_figures(online_retail):
    _, _, conv = online_retail
    f = conv.frame
    assert len(f) == 541_909 and conv.n_bad == 0 and conv.errors.empty
    raw = online_retail_raw()
    assert round(f["amount"].sum(), 2) == 9_747_747.93  # SOURCE.md
    assert round(f["amount"].sum(), 2) == round((raw["Quantity"] * raw["UnitPrice"]).sum(), 2)
    # returns: Quantity < 0 or a C invoice (SOURCE.md: 10,624 rows with Quantity <= 0; 9,288 C invoices),
    # and the two "Adjust bad debt" lines (negative price, positive quantity): no sale is negative
    expected_returns = (raw["Quantity"] < 0) | raw["InvoiceNo"].str.startswith("C") | (raw["UnitPrice"] < 0)
    assert int(expected_returns.sum()) == 10_626
    assert int(f["is_return"].sum()) == 10_626
    assert (f["is_return"].to_numpy() == expected_returns.to_numpy()).all()
    bad_debt = f["product_name"] == "Adjust bad debt"
    assert int((bad_debt & (f["amount"] < 0)).sum()) == 2 and f.loc[f["amount"] < 0, "is_return"].all()
    assert f["order_date"].min() == pd.Timestamp("2010-12-01 08:26")
    assert f["order_date"].max() == pd.Timestamp("2011-12-09 12:50")
    assert conv.line_numbers[0] == 2 and conv.line_numbers[-1] == 541_910


def test_online_retail_equals_fixture(online_retail):
    _, _, conv = online_retail
    expected = online_retail_orders()
    pd.testing.assert_frame_equal(conv.frame[OR_COLUMNS], expected[OR_COLUMNS])
    # every canonical field present, typed per schema, attributes none (all 8 columns mapped)
    assert list(conv.frame.columns[: len(KINDS["orders"].fields)]) == list(KINDS["orders"].field_names)
    assert conv.frame["status"].isna().all() and conv.frame["discount"].dtype == "float64"
    assert not [c for c in conv.frame.columns if c.startswith("attr_")]
    assert validate(conv) is conv.frame


def test_online_retail_gbk_chinese_headers_same_fields_and_totals(online_retail_gbk, online_retail):
    raw, suggested, conv = online_retail_gbk
    assert raw.encoding == "gb18030" and raw.delimiter == ";"
    assert raw.skipped_top == 1 and raw.header_row == 2 and raw.dropped_totals == [541_913]
    assert {f: m.column for f, m in suggested.items()} == {f: CN_HEADERS[c] for f, c in OR_EXPECTED.items()}
    assert len(conv.frame) == 541_909 and conv.n_bad == 0
    assert round(conv.frame["amount"].sum(), 2) == 9_747_747.93
    assert int(conv.frame["is_return"].sum()) == 10_626
    en = online_retail[2].frame
    same = [c for c in OR_COLUMNS if c != "product_name"]
    pd.testing.assert_frame_equal(conv.frame[same], en[same])
    names = conv.frame["product_name"].str.replace("￡", "£")
    pd.testing.assert_series_equal(names, en["product_name"])
    assert any("totals" in n for n in conv.notes) and any("title" in n for n in conv.notes)


def test_hillstrom_maps_as_experiment():
    content = (SHARED / "hillstrom" / "hillstrom.csv.gz").read_bytes()
    raw, suggested, conv = ingest(content, "experiments", filename="hillstrom.csv.gz")
    assert {f: m.column for f, m in suggested.items()} == {
        "group": "segment", "converted": "conversion", "revenue": "spend", "visited": "visit",
        "pre_period_value": "history",
    }
    f = conv.frame
    assert len(f) == 64_000 and conv.n_bad == 0
    assert f["group"].value_counts().to_dict() == {"Womens E-Mail": 21_387, "Mens E-Mail": 21_307,
                                                   "No E-Mail": 21_306}
    assert f["unit_id"].is_unique and f["unit_id"].notna().all()
    # SOURCE.md: conversion 0.009031, visit 0.146781, total spend 67,258.13
    assert round(f["converted"].astype(float).mean(), 6) == 0.009031
    assert round(f["visited"].astype(float).mean(), 6) == 0.146781
    assert round(f["revenue"].sum(), 2) == 67_258.13
    expected = hillstrom_experiments()
    for c in ("unit_id", "group", "converted", "revenue", "visited", "pre_period_value"):
        pd.testing.assert_series_equal(f[c], expected[c], check_names=False)
    for c in ("recency", "mens", "womens", "newbie"):
        np.testing.assert_array_equal(f["attr_" + c].to_numpy(), expected["attr_" + c].to_numpy(dtype=float))
    assert f["attr_history_segment"].iloc[0] == "2) $100 - $200" and f["attr_zip_code"].dtype == "str"


def test_cdnow_headerless_by_position():
    content = (SHARED / "cdnow" / "CDNOW_sample.txt").read_bytes()
    overrides = {"customer_id": "2", "order_date": "3", "quantity": "4", "amount": "5"}
    raw, suggested, conv = ingest(content, "orders", overrides)
    assert raw.header_row is None and raw.frame.shape == (6919, 5)
    assert conv.mapping == {"customer_id": "2", "order_date": "3", "quantity": "4", "amount": "5"}
    f = conv.frame
    assert len(f) == 6919 and conv.n_bad == 0
    assert f["order_date"].min() == pd.Timestamp("1997-01-01") and f["order_date"].max() == pd.Timestamp("1998-06-30")
    assert f["order_id"].is_unique and f["order_id"].iloc[0] == "L1"
    ref = pd.read_csv(io.BytesIO(content), sep=r"\s+", header=None)
    assert round(f["amount"].sum(), 2) == round(ref[4].sum(), 2)
    assert f["customer_id"].nunique() == 2357
    assert not f["is_return"].any()
    assert f["attr_1"].iloc[0] == "00004"  # leading zeros kept: the master id stays text


# ------------------------------------------------------------------------------------------- suggest_mapping


def test_each_column_used_once_and_best_synonym_wins():
    cols = ["订单编号", "支付时间", "单价", "金额", "实付金额", "数量", "下单时间"]
    m = suggest_mapping(cols, "orders")
    assert m["amount"].column == "实付金额"  # earlier synonym than 金额
    assert m["unit_price"].column == "单价"
    assert m["order_date"].column == "下单时间"  # 下单时间 listed before 支付时间
    used = [x.column for x in m.values()]
    assert len(used) == len(set(used))
    assert m["order_id"].method == "synonym"


def test_exact_and_fuzzy_and_typo():
    m = suggest_mapping(["order_id", "实付金额(元)", "Order Date (UTC)", "Quantiy", "remarks"], "orders")
    assert m["order_id"] == FieldMatch("order_id", "order_id", 1.0, "exact")
    assert m["amount"].column == "实付金额(元)" and m["amount"].method == "fuzzy"
    assert m["order_date"].column == "Order Date (UTC)" and m["order_date"].method == "fuzzy"
    assert m["quantity"].column == "Quantiy" and m["quantity"].method == "fuzzy"
    assert 0.5 <= m["amount"].confidence < 0.95
    assert "remarks" not in [x.column for x in m.values()]


def test_case_space_punctuation_insensitive():
    m = suggest_mapping(["  INVOICE_DATE ", "unit-price", "Customer Id"], "orders")
    assert m["order_date"].column == "  INVOICE_DATE " and m["order_date"].method == "synonym"
    assert m["unit_price"].method == "exact" and m["customer_id"].method == "exact"


def test_content_raises_and_lowers_confidence():
    cols = ["date", "amount"]
    good = pd.DataFrame({"date": ["2024-06-18", "2024-06-19"], "amount": ["1", "2"]}, dtype="str")
    bad = pd.DataFrame({"date": ["hello", "world"], "amount": ["x", "y"]}, dtype="str")
    g = suggest_mapping(cols, "orders", good)
    b = suggest_mapping(cols, "orders", bad)
    assert g["order_date"].confidence > suggest_mapping(cols, "orders")["order_date"].confidence
    assert b["order_date"].confidence < 0.5 < g["order_date"].confidence
    assert b["amount"].confidence < g["amount"].confidence


def test_fuzzy_match_dropped_when_content_disagrees():
    sample = pd.DataFrame({"coupon code": ["X1", "Y2"], "discount amount": ["5", "10"]}, dtype="str")
    m = suggest_mapping(["coupon code"], "orders", sample)
    assert "discount" not in m
    m = suggest_mapping(["coupon code", "discount amount"], "orders", sample)
    assert m["discount"].column == "discount amount"
    assert suggest_mapping(["coupon code"], "orders")["discount"].method == "fuzzy"  # no sample: name only


def test_content_finds_the_date_column_of_a_headerless_file():
    sample = pd.DataFrame({"1": ["00004", "00021"], "2": ["20240618", "20240619"], "3": ["12.5", "7"]}, dtype="str")
    m = suggest_mapping(["1", "2", "3"], "orders", sample)
    assert m == {"order_date": FieldMatch("order_date", "2", 0.5, "content")}


def test_unknown_kind():
    with pytest.raises(IngestError, match="unknown dataset kind 'nope'"):
        suggest_mapping(["a"], "nope")


# ------------------------------------------------------------------------------------------- overrides


def test_overrides_by_name_position_and_normalised_name():
    cols = ["InvoiceNo", "InvoiceDate", "Amount", "Note"]
    sug = suggest_mapping(cols, "orders")
    m = apply_overrides(sug, {"order_id": "4", "campaign": "invoiceno", "amount": ""}, cols, kind="orders")
    assert m["order_id"] == "Note" and m["campaign"] == "InvoiceNo" and "amount" not in m
    assert m["order_date"] == "InvoiceDate"


def test_override_takes_column_from_suggested_field():
    cols = ["订单号", "下单时间", "实付金额"]
    m = apply_overrides(suggest_mapping(cols, "orders"), {"customer_id": "订单号"}, cols, kind="orders")
    assert m["customer_id"] == "订单号" and "order_id" not in m


@pytest.mark.parametrize(
    "overrides, message",
    [({"colour": "A"}, "unknown field 'colour'"), ({"amount": "Nope"}, "no column 'Nope'"),
     ({"amount": "9"}, "position 9 is out of range"), ({"amount": "A", "quantity": "A"}, "mapped to both")],
)
def test_override_errors(overrides, message):
    with pytest.raises(IngestError, match=message):
        apply_overrides({}, overrides, ["A", "B"], kind="orders")


# ------------------------------------------------------------------------------------------- to_canonical


def test_required_field_missing_raises():
    content = csv_bytes("订单号,实付金额\nA1,10\nA2,20\n")
    with pytest.raises(IngestError, match="required field order_date is not mapped") as exc:
        ingest(content, "orders", filename="no_date.csv")
    assert "no_date.csv" in str(exc.value) and "--map order_date=" in str(exc.value)
    with pytest.raises(IngestError, match="required field amount or unit_price"):
        ingest(csv_bytes("订单号,下单时间\nA1,2024-06-18\n"), "orders")
    with pytest.raises(IngestError, match="required field group"):
        ingest(csv_bytes("user id,converted\n1,1\n"), "experiments")


def test_every_date_unparseable_raises():
    content = csv_bytes("订单号,下单时间,实付金额\nA1,soon,10\nA2,later,20\n")
    with pytest.raises(IngestError, match="no value in column '下单时间' can be read as a date") as exc:
        ingest(content, "orders", filename="dates.csv")
    assert "'soon'" in str(exc.value) and exc.value.column == "下单时间"


def test_bad_cells_reported_with_line_numbers():
    text = ("店铺报表\n\n订单号,下单时间,实付金额,是否会员\n"
            "A1,2024-06-18,¥10.50,是\nA2,not a date,20,否\nA3,2024-06-20,abc,maybe\nA4,2024-06-21,,是\n")
    raw, _, conv = ingest(csv_bytes(text), "orders", {"campaign": "是否会员"})
    assert conv.bad_rows.tolist() == [False, True, True, True]
    errs = conv.errors
    assert list(errs.columns) == ["row", "column", "value", "reason"]
    assert errs.to_dict("records") == [
        {"row": 5, "column": "下单时间", "value": "not a date", "reason": "not a date"},
        {"row": 6, "column": "实付金额", "value": "abc", "reason": "not a number"},
        {"row": 7, "column": "实付金额", "value": "", "reason": "missing value for required field amount / unit_price"},
    ]
    assert conv.frame["amount"].iloc[0] == 10.5


def test_bool_field_and_bad_bool():
    text = "组别,是否转化,消费金额\nA,是,10\nB,否,0\nA,也许,5\n"
    _, sug, conv = ingest(csv_bytes(text), "experiments")
    assert sug["converted"].column == "是否转化" and sug["group"].column == "组别"
    assert conv.frame["converted"].tolist()[:2] == [True, False] and pd.isna(conv.frame["converted"].iloc[2])
    assert str(conv.frame["converted"].dtype) == "boolean"
    assert conv.errors.to_dict("records") == [{"row": 4, "column": "是否转化", "value": "也许", "reason": "not yes/no"}]
    assert conv.frame["unit_id"].tolist() == ["1", "2", "3"]


def test_returns_flagged_by_quantity_amount_id_and_status():
    text = ("订单号,下单时间,实付金额,数量,订单状态\n"
            "1001,2024-06-18,100,1,交易成功\n"
            "1002,2024-06-18,-50,1,交易成功\n"
            "1003,2024-06-18,30,-1,交易成功\n"
            "C1004,2024-06-18,30,1,交易成功\n"
            "1005,2024-06-18,30,1,退款成功\n"
            "1006,2024-06-18,30,1,无退款\n"
            "1007,2024-06-18,30,1,Cancelled\n"
            "1008,2024-06-18,30,1,交易关闭\n"
            "CN1009,2024-06-18,30,1,退款关闭\n")
    _, _, conv = ingest(csv_bytes(text), "orders")
    assert conv.frame["is_return"].tolist() == [False, True, True, True, True, False, True, True, False]
    assert conv.frame["amount"].tolist()[:2] == [100.0, -50.0]  # returns kept, sign as in the source
    assert len(validate(conv)) == 9


def test_amount_from_unit_price_alone_and_generated_ids():
    _, _, conv = ingest(csv_bytes("下单时间,单价\n2024-06-18,10\n2024-06-19,20\n"), "orders")
    assert conv.frame["amount"].tolist() == [10.0, 20.0]
    assert conv.frame["order_id"].tolist() == ["L2", "L3"]
    assert any("unit_price" in n for n in conv.notes)


def test_attributes_kept_typed():
    text = "下单时间,实付金额,邮编,毛利率,备注,Note\n2024-06-18,10,01234,5%,好,x\n2024-06-19,20,20000,10%,,y\n"
    _, _, conv = ingest(csv_bytes(text), "orders")
    f = conv.frame
    assert f["attr_邮编"].tolist() == ["01234", "20000"]  # leading zero: text
    assert f["attr_毛利率"].tolist() == [0.05, 0.1]
    assert f["attr_备注"].iloc[0] == "好" and pd.isna(f["attr_备注"].iloc[1])
    assert f["attr_Note"].tolist() == ["x", "y"]


def test_float_ids_lose_trailing_zero():
    text = "order date,amount,customer id\n2024-06-18,10,17850.0\n2024-06-19,20,\n2024-06-19,20,12345.0\n"
    _, _, conv = ingest(csv_bytes(text), "orders")
    assert conv.frame["customer_id"].tolist()[0] == "17850" and conv.frame["customer_id"].tolist()[2] == "12345"


def test_day_first_dates_note():
    text = "date,amount\n13/06/2024,1\n01/07/2024,2\n"
    _, _, conv = ingest(csv_bytes(text), "orders")
    assert conv.frame["order_date"].tolist() == [pd.Timestamp("2024-06-13"), pd.Timestamp("2024-07-01")]
    assert any("day first" in n for n in conv.notes)


def test_to_canonical_checks_mapping():
    raw = read_table(b"date,amount\n2024-06-18,1\n")
    with pytest.raises(IngestError, match="'Nope'"):
        to_canonical(raw, "orders", {"order_date": "date", "amount": "Nope"})
    with pytest.raises(IngestError, match="unknown field 'colour'"):
        to_canonical(raw, "orders", {"order_date": "date", "amount": "amount", "colour": "date"})


# ------------------------------------------------------------------------------------------- validate


def _converted(n: int, n_bad: int) -> Converted:
    bad = np.zeros(n, dtype=bool)
    bad[:n_bad] = True
    frame = pd.DataFrame({"x": np.arange(n)})
    errors = pd.DataFrame({"row": np.arange(2, 2 + n_bad), "column": "x", "value": "?", "reason": "not a number"})
    return Converted(frame=frame, errors=errors, bad_rows=bad, source_name="f.csv")


def test_validate_policy():
    assert len(validate(_converted(100, 0))) == 100
    assert validate(_converted(100, 5))["x"].tolist() == list(range(5, 100))  # 5% is not over 5%
    with pytest.raises(IngestError, match=r"6 of 100 rows \(6.0%\).*over the 5% limit") as exc:
        validate(_converted(100, 6))
    assert "line 2, column 'x', value '?': not a number" in str(exc.value) and "f.csv" in str(exc.value)
    assert len(validate(_converted(100, 60), keep_good_rows=True)) == 40
    with pytest.raises(IngestError, match="file rejected: 1 of 100"):
        validate(_converted(100, 1), keep_good_rows=False)
    assert len(validate(_converted(100, 20), max_bad_share=0.25)) == 80
    with pytest.raises(IngestError, match="every row is bad"):
        validate(_converted(10, 10), keep_good_rows=True)
    with pytest.raises(IngestError, match="no data rows"):
        validate(_converted(0, 0))


# ------------------------------------------------------------------------------------------- property

cell = st.text(alphabet=st.sampled_from(list("a1-./: ,¥%万年月日是否C退款")), max_size=8)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(cell, cell, cell, cell), min_size=1, max_size=12),
       st.sampled_from(["orders", "experiments", "customers", "feedback"]))
def test_property_pipeline_raises_only_ingest_error(rows, kind):
    header = {"orders": "订单号,下单时间,实付金额,订单状态", "experiments": "user id,group,converted,spend",
              "customers": "客户ID,性别,年龄,注册时间", "feedback": "日期,评分,评价内容,渠道"}[kind]
    import csv

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    try:
        raw, _, conv = ingest((header + "\n" + out.getvalue()).encode(), kind)
        assert len(conv.frame) == len(raw.frame) == len(conv.bad_rows)
        assert set(conv.errors["row"]).issubset(set(raw.line_numbers.tolist()))
        validate(conv, keep_good_rows=True)
    except IngestError as e:
        assert str(e)


def test_implausibly_large_numbers_are_bad_cells_not_infinite_totals():
    """1e308 parses as a float, but two of them sum to inf and blank every total: refuse the cell instead."""
    raw = read_table(b"order_date,amount,quantity\n2024-01-01,10,1\n2024-01-02,1e308,1\n2024-01-03,-2e16,1\n"
                     b"2024-01-04,999999999999999,1\n2024-01-05,5,1e400\n", filename="huge.csv")
    conv = to_canonical(raw, "orders", {"order_date": "order_date", "amount": "amount", "quantity": "quantity"},
                        source_name="huge.csv")
    errs = conv.errors.sort_values("row").reset_index(drop=True)
    assert list(errs["row"]) == [3, 4, 6]
    assert list(errs["column"]) == ["amount", "amount", "quantity"]
    assert errs.loc[0, "reason"] == "beyond ±1e+15: not a plausible amount"
    assert list(conv.bad_rows) == [False, True, True, False, True]
    amounts = conv.frame["amount"]
    assert amounts.iloc[0] == 10 and amounts.iloc[3] == 999_999_999_999_999
    assert amounts.iloc[1:3].isna().all()
    assert np.isfinite(amounts[~conv.bad_rows].sum())



def test_cancellation_ids_only_where_the_export_marks_them():
    """C before digits marks a cancellation where the other ids are digits (Online Retail); a hex hash
    starting with c and a digit (Olist) never does, nor an export whose every id carries the C."""
    from data.mapping import cancellation_ids

    retail = pd.Series(["536365", "C536379", "536366", None, "A563186"])
    assert cancellation_ids(retail).tolist() == [False, True, False, False, False]
    olist = pd.Series(["c3e5a9f00b2f1d8e8a7e0c1d2b3a4f56", "c1ab", "e481f51cbdc54678b7cc49136f2d6af7", "c9"])
    assert not cancellation_ids(olist).any()
    assert not cancellation_ids(pd.Series(["C0001", "C0002", "C0003", "4"])).any()


def test_hash_order_ids_and_a_negative_price_in_one_export():
    """An order-items export with hash ids (4 of 100 start with c and a digit) flags no return; a line
    with a negative unit price and a positive quantity is a return (gross sales hold no negative line)."""
    import hashlib

    ids = [hashlib.md5(str(i).encode()).hexdigest() for i in range(400)]
    c_ids = [x for x in ids if x[0] == "c" and x[1].isdigit()][:4]
    other = [x for x in ids if not x.startswith("c")][:96]
    rows = ["order_id,order_date,customer_id,product_id,quantity,unit_price"]
    for i, oid in enumerate(c_ids + other):
        rows.append(f"{oid},2024-03-{1 + i % 28:02d},u{i % 30},p{i % 7},1,{10 + i % 5}.5")
    rows.append("adj-1,2024-03-29,,adj,1,-99.0")
    conv = ingest("\n".join(rows).encode(), "orders", filename="order_items.csv")[2]
    f = conv.frame
    assert len(c_ids) == 4 and len(f) == 101
    assert f["is_return"].tolist() == [False] * 100 + [True]
    assert not any("return / cancellation" in n and "100" in n for n in conv.notes)


def test_a_payment_value_column_is_the_amount_without_map():
    """Olist's payments layout: no header is an amount synonym; payment_value holds money (cents) and says
    so in its name, so it maps to amount by content; installments, sequence numbers, dates and a count
    without cents never do."""
    rows = ["order_id,payment_sequential,payment_type,payment_installments,payment_value,order_purchase_timestamp,"
            "customer_unique_id"]
    for i in range(60):
        rows.append(f"o{i:03d},1,credit_card,{1 + i % 6},{10 + i * 1.37:.2f},2018-0{1 + i % 9}-1{i % 10} 10:00:00,u{i % 25}")
    raw, suggested, conv = ingest("\n".join(rows).encode(), "orders", filename="olist_order_payments.csv")
    assert suggested["amount"].column == "payment_value" and suggested["amount"].method == "content"
    assert 0.5 < suggested["amount"].confidence < 1.0
    assert "unit_price" not in suggested and conv.n_bad == 0
    assert round(conv.frame["amount"].sum(), 2) == round(sum(round(10 + i * 1.37, 2) for i in range(60)), 2)
    from data.mapping import money_column

    sample = pd.DataFrame({"paid_visits": [3, 5, 8] * 10, "order_value": [12.5, 8.99, 30.0] * 10,
                           "payment_installments": [1.5, 2.5, 3.0] * 10, "ship_date": ["2024-01-02"] * 30})
    assert money_column(list(sample.columns), sample) == ("order_value", 0.8)
    assert money_column(["paid_visits", "payment_installments", "ship_date"], sample) is None


def test_a_cleared_guess_in_the_review_unmaps_the_field():
    """The mapping review's data editor gives a cleared cell as None, "" or NaN: the field is unmapped
    (not 'nan', not the suggestion again); an unchanged review asks for nothing."""
    from data.mapping import review_overrides

    mapping = {"order_id": "InvoiceNo", "order_date": "InvoiceDate", "customer_id": "Dt_Customer"}
    rows = [{"field": "order_id", "column": "InvoiceNo"}, {"field": "order_date", "column": "InvoiceDate"},
            {"field": "customer_id", "column": "Dt_Customer"}, {"field": "amount", "column": None}]
    assert review_overrides(rows, mapping) is None
    for blank in (None, "", float("nan"), "nan"):
        rows[2]["column"] = blank
        asked = review_overrides(rows, mapping)
        assert asked == {"order_id": "InvoiceNo", "order_date": "InvoiceDate", "customer_id": ""}
        cols = ["InvoiceNo", "InvoiceDate", "Dt_Customer"]
        suggested = {f: FieldMatch(f, c, 0.9, "synonym") for f, c in mapping.items()}
        assert apply_overrides(suggested, asked, cols, kind="orders") == {"order_id": "InvoiceNo",
                                                                         "order_date": "InvoiceDate"}
    rows[3]["column"] = "Dt_Customer"
    rows[2]["column"] = None
    assert review_overrides(rows, mapping) == {"order_id": "InvoiceNo", "order_date": "InvoiceDate",
                                               "customer_id": "", "amount": "Dt_Customer"}


def _ifood_csv(n: int = 80) -> bytes:
    """A CRM export written in the iFood layout (ID, Year_Birth, Income, Dt_Customer, Recency, Mnt*,
    AcceptedCmp*): one row per customer, the enrolment date in Dt_Customer."""
    rows = ["ID,Year_Birth,Education,Marital_Status,Income,Kidhome,Teenhome,Dt_Customer,Recency,MntWines,MntFruits,"
            "MntMeatProducts,NumWebPurchases,AcceptedCmp1,AcceptedCmp2,Response"]
    for i in range(n):
        rows.append(f"{5000 + i * 7},{1950 + i % 40},Graduation,Single,{30000 + i * 517.5:.1f},{i % 2},{i % 3},"
                    f"2013-{1 + i % 12:02d}-{1 + i % 28:02d},{i % 99},{i * 11 % 900},{i % 50},{i * 3 % 400},{i % 9},"
                    f"{i % 2},0,{(i // 3) % 2}")
    return "\n".join(rows).encode()


def test_a_crm_export_maps_its_id_not_the_enrolment_date_to_the_customer():
    """iFood layout: Dt_Customer (dates) contains "customer" but a date is not an id; the column named ID is
    the customer. Olist's order items: shipping_limit_date is not the order date and order_item_id (1, 2,
    3) is not a product name."""
    raw, suggested, conv = ingest(_ifood_csv(), "customers", filename="marketing_campaign.csv")
    assert suggested["customer_id"].column == "ID" and suggested["customer_id"].method == "content"
    assert conv.frame["customer_id"].tolist()[:2] == ["5000", "5007"] and conv.frame["customer_id"].is_unique
    assert suggested["income"].column == "Income" and "Dt_Customer" not in {m.column for m in suggested.values()}
    assert not any("repeat an id" in n for n in conv.notes)
    items = pd.DataFrame({"order_id": ["00010242fe8c5a6d1ba2dd792cb16214", "00018f77f2f0320c557190d7a144bdd3"],
                          "order_item_id": [1, 2], "product_id": ["4244733e06e7ecb4970a6e2683c13e61"] * 2,
                          "shipping_limit_date": ["2017-09-19 09:45:35", "2017-05-03 11:05:13"],
                          "price": [58.9, 239.9], "freight_value": [13.29, 19.93]})
    sugg = suggest_mapping(list(items.columns), "orders", items)
    assert "order_date" not in sugg and "product_name" not in sugg
    assert sugg["unit_price"].column == "price"


def test_repeated_ids_in_a_customers_file_are_reported():
    text = "customer_id,gender\nc1,F\nc2,M\nc1,F\nc3,F\nc2,M\n"
    conv = ingest(text.encode(), "customers", filename="crm.csv")[2]
    assert any(n.startswith("customer_id: 2 rows repeat an id") for n in conv.notes)


def test_a_fixed_value_for_every_row_and_what_a_refusal_offers():
    """An ad export from one platform has no channel column: the refusal names the field and the file's
    columns (the review asks for them) and suggests --set; '=Facebook' gives every row that value; a
    column whose own header starts with '=' is still a column."""
    text = "date,campaign,spend\n2024-05-01,Spring,120.5\n2024-05-02,Spring,98.2\n"
    with pytest.raises(IngestError, match="--set channel=VALUE") as e:
        ingest(text.encode(), "channels", filename="fb.csv")
    assert e.value.missing_fields == ("channel",) and e.value.columns == ("date", "campaign", "spend")
    conv = ingest(text.encode(), "channels", {"channel": "=Facebook"}, filename="fb.csv")[2]
    assert conv.frame["channel"].tolist() == ["Facebook", "Facebook"] and conv.n_bad == 0
    assert any("channel = 'Facebook' for every row" in n for n in conv.notes)
    assert not [c for c in conv.frame.columns if c.startswith("attr_") and "Facebook" in c]
    odd = "date,=src,spend\n2024-05-01,Douyin,1.5\n"
    conv = ingest(odd.encode(), "channels", {"channel": "=src"}, filename="odd.csv")[2]
    assert conv.frame["channel"].tolist() == ["Douyin"]


def test_doubtful_guesses_are_those_below_sure_that_the_mapping_still_uses():
    from data.mapping import SURE, doubtful

    sugg = {"customer_id": FieldMatch("customer_id", "ID", 0.7, "content"),
            "income": FieldMatch("income", "Income", 1.0, "exact"),
            "birth_year": FieldMatch("birth_year", "Year_Birth", 0.72, "fuzzy")}
    assert SURE == 0.8
    assert [m.field for m in doubtful(sugg, {"customer_id": "ID", "income": "Income", "birth_year": "Year_Birth"})] \
        == ["customer_id", "birth_year"]
    # a guess the user replaced (or cleared) is no longer a question
    assert [m.field for m in doubtful(sugg, {"customer_id": "Customer", "income": "Income"})] == []
