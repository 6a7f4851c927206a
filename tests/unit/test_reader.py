"""read_table: formats, encodings, header / title / totals detection, bad files, speed, properties."""

from __future__ import annotations

import codecs
import gzip
import io
import zipfile
from datetime import datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.errors import IngestError
from data.reader import RawTable, _is_total, read_table
from tests.fixtures import SHARED

ROWS = [["A1", "2024-06-18", "￥1,234.50", "Widget, large"], ["A2", "2024-06-19", "12", "Gadget"]]
HEADER = ["订单号", "下单时间", "实付金额", "商品名称"]


def _csv(rows, sep=",", header=HEADER) -> str:
    out = io.StringIO()
    import csv

    w = csv.writer(out, delimiter=sep, lineterminator="\n")
    if header:
        w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


def _check_small(t: RawTable, delimiter=None):
    assert list(t.frame.columns) == HEADER
    assert t.frame.shape == (2, 4)
    assert t.frame.iloc[0].tolist() == ROWS[0]
    assert t.frame.iloc[1].tolist() == ROWS[1]
    if delimiter is not None:
        assert t.delimiter == delimiter


@pytest.fixture(scope="module")
def online_retail_bytes() -> bytes:
    return (SHARED / "online_retail" / "online_retail.csv.gz").read_bytes()


# ------------------------------------------------------------------------------------------- formats


@pytest.mark.parametrize("sep", [",", "\t", ";", "|"])
def test_delimiters_detected(sep):
    t = read_table(_csv(ROWS, sep).encode())
    _check_small(t, sep)
    assert t.header_row == 0 and t.skipped_top == 0 and t.dropped_totals == []
    assert t.line_numbers.tolist() == [2, 3]
    assert t.format == {",": "csv", "\t": "tsv"}.get(sep, "csv")


def test_delimiter_can_be_forced():
    text = "a;b\n1,5;2\n3,5;4\n"
    assert read_table(text.encode(), delimiter=";").frame.columns.tolist() == ["a", "b"]
    forced = read_table(text.encode(), delimiter=",", header=False)
    assert forced.frame.shape[1] == 2 and forced.delimiter == ","


def test_semicolon_with_decimal_commas_prefers_semicolon():
    t = read_table("名称;金额;数量\nA;1,5;2\nB;2,25;3\n".encode())
    assert t.delimiter == ";" and t.frame["金额"].tolist() == ["1,5", "2,25"]


def test_quoted_fields_with_delimiters_and_newlines():
    text = 'id,comment,amount\n1,"hello, world",3\n2,"line one\nline two",4\n3,"say ""hi""",5\n'
    t = read_table(text.encode())
    assert t.frame["comment"].tolist() == ["hello, world", "line one\nline two", 'say "hi"']
    assert t.line_numbers.tolist() == [2, 3, 5]  # the second record spans lines 3-4


def test_whitespace_separated_cdnow_is_headerless():
    content = (SHARED / "cdnow" / "CDNOW_sample.txt").read_bytes()
    t = read_table(content, filename="CDNOW_sample.txt")
    ref = pd.read_csv(io.BytesIO(content), sep=r"\s+", header=None, dtype=str)
    assert t.delimiter == "whitespace" and t.format == "text"
    assert t.header_row is None and list(t.frame.columns) == ["1", "2", "3", "4", "5"]
    assert t.frame.shape == (6919, 5) == ref.shape
    assert (t.frame.to_numpy() == ref.to_numpy()).all()
    assert t.line_numbers[0] == 1 and t.line_numbers[-1] == 6919


def test_whitespace_ragged_lines_fall_back():
    t = read_table(b"  1  2  3\n  4 5\n 6   7   8\n", header=False)
    assert t.frame.shape == (3, 3)
    assert t.frame.iloc[1].tolist()[:2] == ["4", "5"] and pd.isna(t.frame.iloc[1, 2])


def test_gzip_detected_by_magic(online_retail_bytes):
    assert online_retail_bytes[:2] == b"\x1f\x8b"
    t = read_table(online_retail_bytes, filename="online_retail.csv.gz")
    ref = pd.read_csv(SHARED / "online_retail" / "online_retail.csv.gz", dtype=str, keep_default_na=False)
    assert t.compression == "gzip" and t.encoding == "utf-8" and t.delimiter == ","
    assert t.frame.shape == (541_909, 8)
    assert list(t.frame.columns) == list(ref.columns)
    for c in ref.columns:  # cell for cell, blanks as missing
        assert (t.frame[c].fillna("").to_numpy() == ref[c].to_numpy()).all(), c
    assert t.line_numbers[0] == 2 and t.line_numbers[-1] == 541_910


def test_zip_with_one_csv():
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w") as zf:
        zf.writestr("orders.csv", _csv(ROWS))
    t = read_table(bio.getvalue())
    _check_small(t)
    assert t.compression == "zip"


def test_xlsx_title_rows_totals_and_sheet_choice():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "说明"
    ws["A1"] = "readme"
    ws2 = wb.create_sheet("订单")
    ws2["A1"] = "店铺销售报表 2024年6月"
    ws2.append([])
    ws2.append(["订单号", "下单时间", "实付金额", "是否会员"])
    ws2.append(["A1", datetime(2024, 6, 18, 13, 5), 1234.5, True])
    ws2.append([])
    ws2.append(["A2", 45461, 12, False])
    ws2.append(["合计", None, 1246.5, None])
    bio = io.BytesIO()
    wb.save(bio)
    for sheet in ("订单", 1):
        t = read_table(bio.getvalue(), sheet=sheet, filename="r.xlsx")
        assert t.format == "xlsx" and t.sheet == "订单" and t.sheet_names == ["说明", "订单"]
        assert list(t.frame.columns) == ["订单号", "下单时间", "实付金额", "是否会员"]
        assert t.frame["订单号"].tolist() == ["A1", "A2"]
        assert t.frame["下单时间"].tolist() == ["2024-06-18 13:05:00", "45461"]
        assert t.frame["实付金额"].tolist() == ["1234.5", "12"]
        assert t.header_row == 2 and t.skipped_top == 1
        assert t.line_numbers.tolist() == [4, 6] and t.dropped_totals == [7]
    with pytest.raises(IngestError, match="订单"):  # the first sheet is only a note: say which sheets exist
        read_table(bio.getvalue())
    with pytest.raises(IngestError, match="sheet 'nope' does not exist"):
        read_table(bio.getvalue(), sheet="nope")
    with pytest.raises(IngestError, match="sheet 5 does not exist"):
        read_table(bio.getvalue(), sheet=5)


# ------------------------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    "encoding, expected",
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"),
     ("utf-16-be", "utf-16-be"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_encodings_detected(encoding, expected):
    t = read_table(_csv(ROWS).encode(encoding))
    _check_small(t)
    assert t.encoding == expected


def test_utf16_bom_little_and_big_endian():
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        _check_small(read_table(bom + _csv(ROWS).encode(enc)))


def test_declared_encoding_is_used_when_right():
    t = read_table(_csv(ROWS).encode("gbk"), encoding="gbk")
    _check_small(t)
    assert t.encoding == "gbk"


@pytest.mark.parametrize(
    "data_enc, declared",
    [("gbk", "utf-8"), ("utf-8", "gbk"), ("utf-16", "utf-8"), ("utf-8", "ascii"), ("utf-8", "shift_jis")],
)
def test_declared_encoding_wrong(data_enc, declared):
    with pytest.raises(IngestError, match=f"declared encoding {declared} is wrong") as exc:
        read_table(_csv(ROWS).encode(data_enc), encoding=declared, filename="x.csv")
    assert "x.csv" in str(exc.value)


def test_unknown_declared_encoding():
    with pytest.raises(IngestError, match="unknown encoding"):
        read_table(b"a,b\n1,2\n", encoding="klingon-8")


def test_windows_1252_fallback():
    t = read_table("name,city\nRenée,Zürich\nJosé,Málaga\n".encode("cp1252"))
    assert t.frame["name"].tolist() == ["Renée", "José"]


WESTERN = ["Crème brûlée", "Müsli", "Señor", "Pão de açúcar", "Größe", "Français", "Straße", "Ñandú", "Çà et là"]


@pytest.mark.parametrize("enc", ["cp1252", "latin-1"])
@pytest.mark.parametrize("name", WESTERN)
def test_western_european_single_byte_text_is_not_read_as_cp1250_or_gbk(enc, name):
    # one product name is the hard case: GB18030 decodes "Crème" (E8 6D) as a CJK character and
    # charset-normalizer ties cp1250 with cp1252 ("Crčme")
    t = read_table(f"product,price\n{name},1.50\n".encode(enc))
    assert t.frame["product"].tolist() == [name]
    assert t.encoding == "cp1252"
    assert any("Windows-1252 / Latin-1" in n for n in t.notes)  # the guess is said


def test_western_european_file_and_chinese_files_side_by_side():
    text = "product,price\n" + "".join(f"{n},{i}.5\n" for i, n in enumerate(WESTERN))
    for enc in ("cp1252", "latin-1"):
        t = read_table(text.encode(enc))
        assert t.frame["product"].tolist() == WESTERN and t.encoding == "cp1252"
    zh = read_table("商品,价格\n洗面奶,1\n鑫源牛奶,2\n面膜,3\n".encode("gbk"))
    assert zh.encoding == "gb18030" and zh.frame["商品"].tolist() == ["洗面奶", "鑫源牛奶", "面膜"]
    assert zh.notes == [] and read_table(text.encode("utf-8")).notes == []  # no guess to report


def test_central_european_cp1250_is_still_detected():
    t = read_table("produkt,cena\nŁódź żółć,1\nZażółć gęślą jaźń,2\n".encode("cp1250"))
    assert t.frame["produkt"].tolist() == ["Łódź żółć", "Zażółć gęślą jaźń"] and t.encoding == "cp1250"


# ------------------------------------------------------------------------------------------- header detection


def test_title_rows_and_totals_rows():
    text = "店铺销售报表 2024年6月\n\n" + _csv(ROWS) + "合计,,1246.5,\n"
    t = read_table(text.encode("gbk"))
    _check_small(t)
    assert t.header_row == 2 and t.skipped_top == 1
    assert t.line_numbers.tolist() == [4, 5]
    assert t.dropped_totals == [6]


@pytest.mark.parametrize("word", ["合计", "总计", "小计", "Total", "TOTAL", "Grand total", "合计：", "Sum"])
def test_totals_words(word):
    text = "id,amount\n1,2\n3,4\n" + f"{word},6\n"
    t = read_table(text.encode())
    assert t.frame["id"].tolist() == ["1", "3"] and len(t.dropped_totals) == 1


def test_totals_in_any_column_and_several_rows():
    text = "region,amount,qty\nEast,2,1\nWest,4,1\n,6,Total\n总计,6,2\n"
    t = read_table(text.encode())
    assert t.frame["region"].tolist() == ["East", "West"] and t.dropped_totals == [4, 5]


def test_excel_style_title_with_trailing_delimiters():
    text = "报表,,,\n导出时间 2024-06-18,,,\n" + _csv(ROWS)
    t = read_table(text.encode())
    _check_small(t)
    assert t.skipped_top == 2 and t.header_row == 2


def test_headerless_detected_when_first_row_is_data():
    t = read_table(b"1001,2024-06-18,12.5\n1002,2024-06-19,7\n")
    assert t.header_row is None and list(t.frame.columns) == ["1", "2", "3"]
    assert t.frame.shape == (2, 3) and t.line_numbers.tolist() == [1, 2]


def test_header_flag_forces():
    t = read_table(b"a,b\nc,d\n", header=False)
    assert list(t.frame.columns) == ["1", "2"] and t.frame.shape == (2, 2)
    t = read_table(b"2023,2024\n1,2\n", header=True)
    assert list(t.frame.columns) == ["2023", "2024"] and t.frame.shape == (1, 2)


def test_blank_and_duplicate_header_names_and_blank_rows():
    t = read_table(b"a,,a\n1,2,3\n,,\n\n4,5,6\n")
    assert list(t.frame.columns) == ["a", "column_2", "a_2"]
    assert t.frame.shape == (2, 3) and t.line_numbers.tolist() == [2, 5]


def test_trailing_delimiters_do_not_make_columns():
    t = read_table(b"a,b\n1,2,\n3,4,\n")
    assert list(t.frame.columns) == ["a", "b"] and t.frame["b"].tolist() == ["2", "4"]


def test_crlf_and_old_mac_line_endings():
    _check_small(read_table(_csv(ROWS).replace("\n", "\r\n").encode()))
    _check_small(read_table(_csv(ROWS).replace("\n", "\r").encode()))


def test_ragged_rows_fall_back_and_keep_extra_cells():
    t = read_table(b"a,b\n1,2\n3\n4,5,6\n")
    assert list(t.frame.columns) == ["a", "b", "extra_1"]
    assert t.frame["b"].isna().tolist() == [False, True, False]
    assert t.frame["extra_1"].tolist()[2] == "6"
    assert t.line_numbers.tolist() == [2, 3, 4]


# ------------------------------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"   \n\n  \r\n", "empty"),
        (codecs.BOM_UTF8, "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "PNG image"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"a,b\n1,\x00\x002\n", "binary"),
        (bytes(range(256)) * 20, "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, r"\.xls"),
        (b"order_id,order_date,amount\n", "header row but no data rows"),
        (b"order_id,order_date,amount\r\n\r\n,,\r\n", "header row but no data rows"),
        ("订单号,下单时间\n合计,\n".encode("gbk"), "no data rows"),
        (b"\x1f\x8b\x08\x00garbage", "gzip"),
        (b"PK\x03\x04garbage", "damaged"),
    ],
)
def test_bad_files_raise_ingest_error(content, message):
    with pytest.raises(IngestError, match=message) as exc:
        read_table(content, filename="upload.csv")
    assert str(exc.value).startswith("file 'upload.csv'")
    assert "\n" not in str(exc.value)


def test_too_large():
    content = _csv(ROWS * 100).encode()
    with pytest.raises(IngestError, match="over the .* limit"):
        read_table(content, max_bytes=len(content) - 1)
    assert read_table(content, max_bytes=len(content)).frame.shape[0] == 200


def test_too_large_after_gunzip():
    content = _csv(ROWS * 1000).encode()
    packed = gzip.compress(content)
    assert len(packed) < 10_000 < len(content)
    with pytest.raises(IngestError, match="unpacks to more than"):
        read_table(packed, max_bytes=10_000)


# ------------------------------------------------------------------------------------------- speed


def test_million_lines_read_whole():
    rng = np.random.default_rng(7)
    block = []
    for i in range(1000):
        block.append(
            f"SO{rng.integers(10**7, 10**8)},2024-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d} "
            f"{rng.integers(0, 24):02d}:{rng.integers(0, 60):02d}:00,C{rng.integers(10**5, 10**6)},"
            f"SKU{rng.integers(1000, 9999)},Skincare,{rng.integers(1, 5)},{rng.random() * 200:.2f},"
            f"Tmall,Guangdong,Shenzhen,{rng.random() * 500:.2f}\n"
        )
    header = "order_id,order_date,customer_id,product_id,category,quantity,unit_price,channel,region,city,amount\n"
    content = (header + "".join(block) * 1000).encode()
    assert len(content) > 85_000_000
    t = read_table(content)
    assert t.frame.shape == (1_000_000, 11)
    assert t.line_numbers[-1] == 1_000_001
    assert t.frame["amount"].iloc[-1] == block[-1].rstrip("\n").split(",")[-1]


# ------------------------------------------------------------------------------------------- properties

_settings = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _read_or_ingest_error(content: bytes, **kw):
    try:
        t = read_table(content, **kw)
    except IngestError as e:
        assert str(e)
        return None
    assert isinstance(t, RawTable)
    assert len(t.line_numbers) == len(t.frame) > 0
    for c in t.frame.columns:
        assert all(isinstance(v, str) for v in t.frame[c].dropna().tolist())
    return t


@_settings
@given(st.binary(max_size=400))
def test_property_arbitrary_bytes(content):
    _read_or_ingest_error(content)


@_settings
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
       st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_property_arbitrary_text(text, enc):
    _read_or_ingest_error(text.encode(enc))


cells = st.text(alphabet=st.sampled_from(list('ab 1,;|\t"\n\r合计-.¥')), max_size=6)


@_settings
@given(st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=8),
       st.sampled_from([",", ";", "\t", "|"]), st.sampled_from([None, True, False]))
def test_property_table_like_text(rows, sep, header):
    text = "\n".join(sep.join(r) for r in rows)
    _read_or_ingest_error(text.encode(), header=header)
    _read_or_ingest_error(text.encode(), delimiter=sep, header=header)


@_settings
@given(st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
                                 min_size=1, max_size=8).filter(lambda s: s.strip() == s and not _is_total(s)),
                         min_size=3, max_size=3),
                min_size=2, max_size=10))
def test_property_csv_round_trip(rows):
    # a well-formed CSV (header + rows of non-blank cells, no totals words) reads back cell for cell
    text = _csv(rows, ",", header=["名称", "amount", "note"])
    t = _read_or_ingest_error(text.encode("utf-8"), header=True)
    assert t is not None
    assert t.frame.to_numpy().tolist() == rows
    assert t.line_numbers.tolist() == list(range(2, len(rows) + 2))
