"""Upload limits (data/limits.py): read at call time, checked while reading, named in the message."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from data import ingest, limits
from data import mapping as mapping_mod
from data.errors import IngestError
from data.reader import read_table

ROOT = Path(__file__).resolve().parents[2]
HEAD = "order_id,order_date,amount\n"


def _rows(n: int) -> bytes:
    return (HEAD + "".join(f"A{i},2024-06-18,{i}.5\n" for i in range(n))).encode()


def _xlsx_bytes(rows: list[list[object]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    bio = io.BytesIO()
    wb.save(bio)
    return bio.getvalue()


def _one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and "Traceback" not in msg
    return msg


# ------------------------------------------------------------------------------------------- settings


def test_defaults_fit_a_real_export():
    lim = limits.current()
    assert lim.rows >= 541_909 * 3 and lim.columns >= 8 * 20
    assert lim.upload_bytes == 200 * 2**20 and lim.unpacked_bytes == 512 * 2**20
    assert lim.cell_chars >= 32_767  # the most an Excel cell holds
    cli = limits.for_cli()
    assert cli.upload_bytes > 10 * 2**30 and cli.rows > lim.rows and cli.unpacked_bytes > lim.unpacked_bytes


def test_settings_are_read_at_call_time(monkeypatch):
    monkeypatch.setenv("PRISM_MAX_ROWS", "3")
    monkeypatch.setenv("PRISM_MAX_UNPACKED_MB", "1")
    monkeypatch.setenv("PRISM_MAX_COLUMNS", "1_000")
    lim = limits.current()
    assert (lim.rows, lim.unpacked_bytes, lim.columns) == (3, 2**20, 1000)
    monkeypatch.setenv("PRISM_MAX_ROWS", "4")
    assert limits.current().rows == 4
    assert limits.for_cli().rows == 4  # a set variable wins over the command line's larger default


@pytest.mark.parametrize("value", ["abc", "0", "-5", "1.5", "12MB"])
def test_bad_setting_is_one_line_naming_it(monkeypatch, value):
    monkeypatch.setenv("PRISM_MAX_UPLOAD_MB", value)
    with pytest.raises(IngestError, match=r"PRISM_MAX_UPLOAD_MB=.* is not a whole number above 0") as exc:
        ingest.prepare(_rows(2), filename="x.csv", kind="orders")
    msg = _one_line(exc)
    assert "x.csv" not in msg  # the setting is wrong, not the file
    with pytest.raises(IngestError, match="PRISM_MAX_UPLOAD_MB"):
        read_table(_rows(2))


def test_bad_setting_does_not_break_import():
    env = {"PRISM_MAX_UPLOAD_MB": "abc", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", "import data.ingest; print('ok')"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_describe_for_the_page_caption(monkeypatch):
    monkeypatch.setenv("PRISM_MAX_ROWS", "2500000")
    d = limits.describe()
    assert d == {"upload_bytes": "200 MB", "unpacked_bytes": "512 MB", "rows": "2,500,000", "columns": "500",
                 "cell_chars": "100,000"}


# ------------------------------------------------------------------------------------------- rows


def test_rows_limit_message_and_boundary(monkeypatch):
    monkeypatch.setenv("PRISM_MAX_ROWS", "10")
    assert read_table(_rows(10)).frame.shape[0] == 10
    with pytest.raises(IngestError) as exc:
        read_table(_rows(11), filename="big.csv")
    assert _one_line(exc) == ("file 'big.csv': row 11 (line 12): over the 10-row limit (PRISM_MAX_ROWS)")


def test_rows_limit_on_every_text_path(monkeypatch):
    monkeypatch.setenv("PRISM_MAX_ROWS", "5")
    ragged = (HEAD + "A1,2024-06-18,1,extra\n" + "".join(f"A{i},2024-06-18,1\n" for i in range(8))).encode()
    quoted = (HEAD + "".join(f'A{i},2024-06-18,"1\n5"\n' for i in range(8))).encode()  # multi-line cells
    spaces = "".join(f"  {i}  19970101  1  29.33\n" for i in range(8)).encode()
    for content in (ragged, quoted, spaces, gzip.compress(_rows(8))):
        with pytest.raises(IngestError, match=r"over the 5-row limit \(PRISM_MAX_ROWS\)"):
            read_table(content)


def test_rows_limit_xlsx(monkeypatch):
    monkeypatch.setenv("PRISM_MAX_ROWS", "3")
    head = [["order_id", "order_date", "amount"]]
    ok = _xlsx_bytes(head + [["A", "2024-06-18", 1]] * 3)
    assert read_table(ok).frame.shape[0] == 3
    with pytest.raises(IngestError, match=r"sheet 'Sheet' row 5: over the 3-row limit \(PRISM_MAX_ROWS\)"):
        read_table(_xlsx_bytes(head + [["A", "2024-06-18", 1]] * 4))


def test_blank_line_flood_is_refused_before_indexing_lines(monkeypatch):
    monkeypatch.setenv("PRISM_MAX_ROWS", "100")
    with pytest.raises(IngestError, match=r"the file has 1,000,005 lines .*PRISM_MAX_ROWS"):
        read_table(_rows(3) + b"\n" * 1_000_000)


# ------------------------------------------------------------------------------------------- columns


def test_columns_checked_on_the_header_before_parsing():
    wide = ",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join("1" for _ in range(100_000)) + "\n"
    data = (wide * 20).encode()
    t0 = time.perf_counter()
    with pytest.raises(IngestError, match=r"line 1: .* columns, over the 500-column limit \(PRISM_MAX_COLUMNS\)"):
        read_table(data, filename="wide.csv")
    assert time.perf_counter() - t0 < 1.0


def test_columns_boundary_and_trailing_delimiters(monkeypatch):
    monkeypatch.setenv("PRISM_MAX_COLUMNS", "4")
    assert read_table(b"a,b,c,d\n1,2,3,4\n").frame.shape == (1, 4)
    assert read_table(b"a,b,c,d" + b"," * 50 + b"\n1,2,3,4" + b"," * 50 + b"\n").frame.shape == (1, 4)
    with pytest.raises(IngestError, match=r"5 columns, over the 4-column limit"):
        read_table(b"a,b,c,d,e\n1,2,3,4,5\n")
    with pytest.raises(IngestError, match=r"line 3: 6 columns, over the 4-column limit"):
        read_table(b"a,b,c\n1,2,3\n1,2,3,4,5,6\n")  # a ragged row (the Python path)
    with pytest.raises(IngestError, match=r"sheet 'Sheet' row 2, column 5: over the 4-column limit"):
        read_table(_xlsx_bytes([["a", "b", "c"], [1, 2, 3, None, "far"]]))


def test_many_columns_are_added_in_one_go(monkeypatch):
    """2,000 attribute columns: to_canonical builds the frame once (it inserted them one by one)."""
    import warnings

    monkeypatch.setenv("PRISM_MAX_COLUMNS", "5000")
    n = 2000
    text = "order_date,amount," + ",".join(f"a{i}" for i in range(n)) + "\n"
    text += "".join("2024-06-18,1.5," + ",".join(str(j) for j in range(n)) + "\n" for _ in range(50))
    raw = read_table(text.encode())
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)  # "DataFrame is highly fragmented"
        conv = mapping_mod.to_canonical(raw, "orders", {"order_date": "order_date", "amount": "amount"})
    assert conv.frame.shape == (50, len(conv.frame.columns)) and "attr_a1999" in conv.frame.columns
    assert conv.frame["attr_a7"].tolist() == [7.0] * 50


# ------------------------------------------------------------------------------------------- cells


def test_cell_length_text(monkeypatch):
    monkeypatch.setenv("PRISM_MAX_CELL_CHARS", "1000")
    assert read_table((HEAD + "A1,2024-06-18," + "9" * 1000 + "\n").encode()).frame.shape == (1, 3)
    with pytest.raises(IngestError, match=r"line 2, column 3: a cell of 1,001 characters, over the "
                                          r"1,000-character cell length limit \(PRISM_MAX_CELL_CHARS\)"):
        read_table((HEAD + "A1,2024-06-18," + "9" * 1001 + "\n").encode())
    with pytest.raises(IngestError, match="PRISM_MAX_CELL_CHARS"):  # a quoted cell spanning lines
        read_table((HEAD + 'A1,2024-06-18,"' + "x\n" * 600 + '"\n').encode())


def test_cell_length_xlsx(monkeypatch):
    monkeypatch.setenv("PRISM_MAX_CELL_CHARS", "1000")
    with pytest.raises(IngestError, match=r"cell B2: a cell of 5,000 characters, over the 1,000-character"):
        read_table(_xlsx_bytes([["a", "b"], [1, "é" * 5000]]))


def test_a_huge_shared_string_is_refused_before_openpyxl_reads_it(monkeypatch):
    """The shared-strings table is parsed whole by openpyxl: a 200 MB string must never reach it."""
    import openpyxl

    called = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: called.append(1))
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/sharedStrings.xml", "w") as fh:
            fh.write(b"<sst><si><t>")
            for _ in range(200):
                fh.write(b"A" * 2**20)
            fh.write(b"</t></si></sst>")
    t0 = time.perf_counter()
    with pytest.raises(IngestError, match=r"xl/sharedStrings.xml: a cell text of more than .* bytes.*"
                                          r"PRISM_MAX_CELL_CHARS"):
        read_table(bio.getvalue(), filename="big.xlsx")
    assert time.perf_counter() - t0 < 1.0 and not called


# ------------------------------------------------------------------------------------------- unpacked size


def test_unpacked_size_gzip_and_zip(monkeypatch):
    monkeypatch.setenv("PRISM_MAX_UNPACKED_MB", "1")
    small, big = _rows(1000), _rows(80_000)  # 30 KB, 2.3 MB
    assert len(big) > 2**20
    assert read_table(gzip.compress(small)).frame.shape[0] == 1000
    for packed in (gzip.compress(big), _zip({"orders.csv": big})):
        with pytest.raises(IngestError, match=r"unpacks to more than 1 MB, over the 1 MB unpacked size limit "
                                              r"\(PRISM_MAX_UNPACKED_MB\)"):
            read_table(packed)


def _zip(members: dict[str, bytes]) -> bytes:
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return bio.getvalue()


def test_unpacked_size_of_an_xlsx_is_the_sum_of_its_members(monkeypatch):
    """Two members of 0.6 MB each: each under 1 MB, together over it."""
    monkeypatch.setenv("PRISM_MAX_UNPACKED_MB", "1")
    pad = b"<x>" + b" " * 600_000 + b"</x>"
    base = _xlsx_bytes([["order_id", "amount"], ["A1", 1]])
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    assert read_table(_zip({**members, "xl/pad1.xml": pad})).frame.shape == (1, 2)
    with pytest.raises(IngestError, match=r"the XLSX file unpacks to more than 1 MB"):
        read_table(_zip({**members, "xl/pad1.xml": pad, "xl/pad2.xml": pad}))


def test_a_bomb_costs_no_memory_beyond_the_budget_it_is_refused_at():
    import resource

    packed = gzip.compress(b"0,0\n" * (300 * 2**20 // 4), compresslevel=1)  # 300 MB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(IngestError, match="PRISM_MAX_UNPACKED_MB"):
        read_table(packed, limits=limits.current().with_(unpacked_bytes=250 * 2**20))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 120, grown_mb  # inflated chunks are kept up to 64 MB, the rest only counted


# ------------------------------------------------------------------------------------------- xml entities


BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')
XXE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>')


def _with_shared_strings(sst: bytes) -> bytes:
    from tests.hostile.generate import _sheet, _xlsx_parts
    from tests.hostile.generate import _zip as zip_parts

    sheet = b"".join(_sheet('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>amount</t>'
                            '</is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>A1</t></is></c><c r="B2">'
                            '<v>1</v></c></row>'))
    return zip_parts(_xlsx_parts(sheet, sst))


def test_shared_strings_are_read_without_entities():
    plain = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b"<si><t>order_id</t></si></sst>")
    t = read_table(_with_shared_strings(plain))
    assert list(t.frame.columns) == ["order_id", "amount"] and t.frame.iloc[0].tolist() == ["A1", "1"]


@pytest.mark.parametrize("sst", [BOMB, XXE], ids=["billion-laughs", "xxe"])
def test_xml_entities_are_refused(sst):
    with pytest.raises(IngestError) as exc:
        read_table(_with_shared_strings(sst), filename="evil.xlsx")
    assert _one_line(exc).startswith("file 'evil.xlsx': the XLSX file contains XML entities")


@pytest.mark.parametrize("sst", [BOMB, XXE], ids=["billion-laughs", "xxe"])
def test_defusedxml_refuses_entities_even_without_the_pre_check(monkeypatch, sst):
    """Second line of defence: openpyxl parses through defusedxml (requirements.txt), whose refusal
    becomes the same message instead of a ParseError / EntitiesForbidden traceback."""
    import openpyxl.xml

    from data import reader

    assert openpyxl.xml.DEFUSEDXML is True
    monkeypatch.setattr(reader.xlsx, "_ENTITY_MARKS", (b"\x00never\x00",))  # read by data.reader.xlsx
    with pytest.raises(IngestError) as exc:
        read_table(_with_shared_strings(sst), filename="evil.xlsx")
    assert "contains XML entities" in _one_line(exc)
    # defusedxml's refusal, not the pre-check's (which names "a DOCTYPE or ENTITY declaration in ...")
    assert "DOCTYPE or ENTITY declaration" not in _one_line(exc)
