"""The hostile-file corpus: files built to take an upload server down, or to confuse it, and what
Prism must do with each ("refused" with an IngestError whose one-line message matches ``reason``, or
"accepted" and stored).

Nothing here is committed as a binary: ``write_all(folder)`` builds every file at test time (about 25 MB
on disk; the bombs are small and inflate to gigabytes). Run ``python -m tests.hostile.generate DIR`` to
write them by hand and print the table.
"""

from __future__ import annotations

import gzip
import io
import itertools
import os
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

GB = 1 << 30
MB = 1 << 20

ORDERS = "order_id,order_date,amount,product_name\nA1,2024-06-18,12.50,Widget\nA2,2024-06-19,7.00,Gadget\nA3,2024-06-20,3.25,Gizmo\n"


@dataclass(frozen=True)
class Case:
    name: str  # file name as uploaded
    expected: str  # "refused" | "accepted"
    reason: str  # regex the refusal message must match ("" for accepted files)
    build: Callable[[Path], None]  # writes the file at the given path
    what: str  # one line: what the file is
    kind: str = "orders"
    solo: bool = False  # heavy: measured in a child process of its own


# --------------------------------------------------------------------------------------------- helpers


def _bytes(data: bytes | str) -> Callable[[Path], None]:
    raw = data.encode("utf-8") if isinstance(data, str) else data

    def build(path: Path) -> None:
        path.write_bytes(raw)
    return build


def _repeat(pattern: bytes, total: int) -> Iterator[bytes]:
    chunk = pattern * max(1, MB // len(pattern))
    left = total
    while left > 0:
        piece = chunk[:left]
        yield piece
        left -= len(piece)


def _gzip_stream(parts: Iterable[bytes]) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1, mtime=0) as gz:
        for p in parts:
            gz.write(p)
    return out.getvalue()


def _zip(members: list[tuple[str, Iterable[bytes] | bytes]], level: int = 1) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 6, 18, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as fh:
                for piece in ([content] if isinstance(content, bytes) else content):
                    fh.write(piece)
    return out.getvalue()


NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _xlsx_parts(sheet: Iterable[bytes] | bytes, shared: Iterable[bytes] | bytes | None = None,
                workbook: bytes | None = None) -> list[tuple[str, Iterable[bytes] | bytes]]:
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
          'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
          'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
          'officedocument.spreadsheetml.worksheet+xml"/>'
          + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.spreadsheetml.sharedStrings+xml"/>' if shared is not None else "")
          + "</Types>").encode()
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>').encode()
    wb = workbook or (f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} xmlns:r="{REL_NS}"><sheets>'
                      '<sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>').encode()
    wb_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
               'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
               'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
               + ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                  'relationships/sharedStrings" Target="sharedStrings.xml"/>' if shared is not None else "")
               + "</Relationships>").encode()
    parts: list[tuple[str, Iterable[bytes] | bytes]] = [
        ("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb),
        ("xl/_rels/workbook.xml.rels", wb_rels), ("xl/worksheets/sheet1.xml", sheet)]
    if shared is not None:
        parts.append(("xl/sharedStrings.xml", shared))
    return parts


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _cell(ref: str, value: object) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _rows_xml(rows: list[list[object]], start: int = 1) -> str:
    out = []
    for i, row in enumerate(rows, start=start):
        out.append(f'<row r="{i}">' + "".join(_cell(f"{_col(j + 1)}{i}", v) for j, v in enumerate(row)) + "</row>")
    return "".join(out)


HEAD_ROWS = [["order_id", "order_date", "amount", "product_name"], ["A1", "2024-06-18", 12.5, "Widget"],
             ["A2", "2024-06-19", 7, "Gadget"], ["A3", "2024-06-20", 3.25, "Gizmo"]]


def _sheet(body: str | Iterable[bytes], prefix: str = "", dimension: str = "") -> Iterator[bytes]:
    yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prefix}<worksheet {NS}>'
           + (f'<dimension ref="{dimension}"/>' if dimension else "") + "<sheetData>").encode()
    if isinstance(body, str):
        yield body.encode("utf-8")
    else:
        yield from body
    yield b"</sheetData></worksheet>"


def _xlsx(sheet, shared=None, workbook=None, level: int = 1) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        sh = sheet() if callable(sheet) else sheet
        ss = shared() if callable(shared) else shared
        path.write_bytes(_zip(_xlsx_parts(sh, ss, workbook), level=level))
    return build


def _valid_xlsx() -> bytes:
    return _zip(_xlsx_parts(b"".join(_sheet(_rows_xml(HEAD_ROWS)))))


def _sst(strings: Iterable[bytes], prefix: bytes = b"") -> Iterator[bytes]:
    yield b'<?xml version="1.0" encoding="UTF-8"?>' + prefix + f"<sst {NS}>".encode()
    yield from strings
    yield b"</sst>"


def _shared_sheet(n_rows: int) -> Iterator[bytes]:
    yield _rows_xml(HEAD_ROWS[:1]).encode()
    for i in range(2, n_rows + 2):
        yield (f'<row r="{i}"><c r="A{i}" t="s"><v>{i - 2}</v></c><c r="B{i}" t="inlineStr"><is><t>2024-06-18'
               f'</t></is></c><c r="C{i}"><v>1.5</v></c></row>').encode()


# --------------------------------------------------------------------------------------------- special zips


def _overlapping_zip(n_entries: int, inner_size: int, name: str) -> bytes:
    """One deflated local file, referenced by ``n_entries`` central-directory entries (all the same
    name): a zip bomb without recursion (sum of members = n_entries x inner_size)."""
    comp = zlib.compressobj(1, zlib.DEFLATED, -15)
    data = b"".join(comp.compress(p) for p in _repeat(b"<row/>", inner_size)) + comp.flush()
    crc = 0
    for p in _repeat(b"<row/>", inner_size):
        crc = zlib.crc32(p, crc)
    fname = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), inner_size, len(fname), 0)
    body = local + fname + data
    central = b""
    for _ in range(n_entries):
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), inner_size,
                               len(fname), 0, 0, 0, 0, 0, 0) + fname
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n_entries, n_entries, len(central), len(body), 0)
    return body + central + end


def _nested_zip(levels: int) -> bytes:
    data = ORDERS.encode()
    name = "orders.csv"
    for i in range(levels):
        data = _zip([(name, data)])
        name = f"level{i}.zip"
    return data


def _symlink_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        info = zipfile.ZipInfo("orders.csv", date_time=(2024, 6, 18, 0, 0, 0))
        info.create_system = 3
        info.external_attr = (0o120777 << 16)  # a symbolic link
        zf.writestr(info, "/etc/passwd")
    return out.getvalue()


def _encrypted_zip() -> bytes:
    raw = bytearray(_zip([("orders.csv", ORDERS.encode())]))
    # set the "encrypted" flag in the local header and the central directory entry (PKWARE's bit 0)
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = raw.find(sig)
        flags = struct.unpack_from("<H", raw, i + off)[0] | 0x1
        struct.pack_into("<H", raw, i + off, flags)
    return bytes(raw)


def _many_members(n: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for i in range(n):
            zf.writestr(f"part{i:05d}.csv", "a,b\n1,2\n")
    return out.getvalue()


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


# --------------------------------------------------------------------------------------------- the table

BILLION_LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'
                  b'&lol;">' + b"".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'.encode()
                                         for i in range(2, 10)) + b"]>")
XXE = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _csv_rows(n: int) -> Iterator[bytes]:
    yield b"order_id,order_date,amount\n"
    yield from _repeat(b"A1,2024-06-18,1.5\n", n * len(b"A1,2024-06-18,1.5\n"))


def _gz(parts: Callable[[], Iterable[bytes]]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        path.write_bytes(_gzip_stream(parts()))
    return build


def _wide(n: int) -> str:
    names = ["order_date", "amount"] + [f"c{i}" for i in range(n - 2)]
    row = ["2024-06-18", "1.5"] + ["x"] * (n - 2)
    return ",".join(names) + "\n" + ",".join(row) + "\n"


CASES: list[Case] = [
    # ---- archives and bombs
    Case("gzip_bomb.csv.gz", "refused", r"unpacks to more than .*PRISM_MAX_UNPACKED_MB",
         _gz(lambda: _csv_rows(GB // 18)), "gzip of 1 GB of CSV lines (5 MB packed)", solo=True),
    Case("gzip_bomb_nested.csv.gz", "refused", r"unpacks to more than .*PRISM_MAX_UNPACKED_MB",
         lambda p: p.write_bytes(_gzip_stream([_gzip_stream(_repeat(b"0,0,0\n", GB))])),
         "gzip of a gzip of 1 GB", solo=True),
    Case("gzip_triple.csv.gz", "refused", r"compressed more than twice",
         _bytes(gzip.compress(gzip.compress(gzip.compress(ORDERS.encode())))), "three gzip layers"),
    Case("gzip_truncated.csv.gz", "refused", r"gzip file is damaged",
         _bytes(_cut(gzip.compress((ORDERS * 200).encode()))), "a gzip file cut in half"),
    Case("gzip_valid.csv.gz", "accepted", "", _bytes(gzip.compress(ORDERS.encode())), "control: a gzip CSV"),
    Case("zip_bomb.zip", "refused", r"unpacks to more than .*PRISM_MAX_UNPACKED_MB",
         lambda p: p.write_bytes(_zip([("orders.csv", _csv_rows(GB // 18))])), "ZIP of 1 GB of CSV", solo=True),
    Case("zip_overlapping.xlsx", "refused", r"unpacks to more than|damaged",
         _bytes(_overlapping_zip(2000, 4 * MB, "xl/worksheets/sheet1.xml")),
         "overlapping-entry zip bomb: 2,000 entries share one 4 MB member (8 GB)", solo=True),
    Case("zip_overlapping.zip", "refused", r"holds 300 files|damaged",
         _bytes(_overlapping_zip(300, 4 * MB, "orders.csv")), "overlapping-entry ZIP, not an XLSX"),
    Case("zip_nested_deep.zip", "refused", r"compressed more than twice", _bytes(_nested_zip(8)),
         "a ZIP in a ZIP ... 8 levels"),
    Case("zip_10000_members.zip", "refused", r"holds 10000 files", _bytes(_many_members(10_000)),
         "a ZIP with 10,000 members"),
    Case("zip_two_tables.zip", "refused", r"holds 2 files",
         _bytes(_zip([("a.csv", ORDERS.encode()), ("b.csv", ORDERS.encode())])), "a ZIP with two tables"),
    Case("zip_empty.zip", "refused", r"holds 0 files", _bytes(_zip([])), "an empty ZIP"),
    Case("zip_path_traversal.zip", "accepted", "", _bytes(_zip([("../../etc/passwd", ORDERS.encode())])),
         "member named ../../etc/passwd (never written to disk: its content is the table)"),
    Case("zip_symlink.zip", "refused", r"header row but no data|no data rows", _bytes(_symlink_zip()),
         "member that is a symbolic link to /etc/passwd (its content is the link text)"),
    Case("zip_encrypted.zip", "refused", r"password-protected", _bytes(_encrypted_zip()), "encrypted member"),
    Case("zip_truncated.zip", "refused", r"damaged",
         _bytes(_cut(_zip([("orders.csv", (ORDERS * 500).encode())]))), "a ZIP cut in half"),
    # ---- xlsx
    Case("xlsx_valid.xlsx", "accepted", "", _bytes(_valid_xlsx()), "control: a small XLSX"),
    Case("xlsx_1gb_cell_shared.xlsx", "refused", r"PRISM_MAX_CELL_CHARS",
         _xlsx(b"".join(_sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')),
               lambda: _sst(itertools.chain([b"<si><t>"], _repeat(b"A", GB), [b"</t></si>"]))),
         "one shared string of 1 GB (the issue's 6 GB attack)", solo=True),
    Case("xlsx_1gb_inline_cell.xlsx", "refused", r"PRISM_MAX_CELL_CHARS",
         _xlsx(lambda: _sheet(itertools.chain([b'<row r="1"><c r="A1" t="inlineStr"><is><t>'], _repeat(b"B", GB),
                                              [b"</t></is></c></row>"]))),
         "one inline cell of 1 GB", solo=True),
    Case("xlsx_10mb_cell.xlsx", "refused", r"PRISM_MAX_CELL_CHARS",
         _xlsx(b"".join(_sheet(_rows_xml(HEAD_ROWS) + _rows_xml([["A4", "2024-06-21", 1, "x" * (10 * MB)]], 5)))),
         "a 10 MB cell"),
    Case("xlsx_200k_cell.xlsx", "refused", r"cell D5: a cell of 200,000 characters.*PRISM_MAX_CELL_CHARS",
         _xlsx(b"".join(_sheet(_rows_xml(HEAD_ROWS) + _rows_xml([["A4", "2024-06-21", 1, "é" * 200_000]], 5)))),
         "a 200,000-character cell (under the XML pre-check, caught per cell)"),
    Case("xlsx_huge_shared_strings.xlsx", "refused", r"unpacks to more than .*PRISM_MAX_UNPACKED_MB",
         _xlsx(b"".join(_sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')),
               lambda: _sst(_repeat(b"<si><t>abcdefgh</t></si>", 600 * MB))),
         "a shared-strings table of 600 MB (25 million strings)", solo=True),
    Case("xlsx_1gb_rows.xlsx", "refused", r"unpacks to more than .*PRISM_MAX_UNPACKED_MB",
         _xlsx(lambda: _sheet(_repeat(b'<row><c t="inlineStr"><is><t>x</t></is></c><c><v>1</v></c></row>', GB))),
         "1 GB of rows (the issue's 280 s attack)", solo=True),
    Case("xlsx_shared_strings_ok.xlsx", "accepted", "",
         _xlsx(lambda: _sheet(_shared_sheet(20_000), dimension="A1:C20001"),
               lambda: _sst(f"<si><t>S{i:07d}</t></si>".encode() for i in range(20_000))),
         "20,000 rows with 20,000 shared strings (within limits)", solo=True),
    Case("xlsx_many_empty_rows.xlsx", "accepted", "",
         _xlsx(lambda: _sheet(itertools.chain([_rows_xml(HEAD_ROWS).encode()],
                                              (f'<row r="{i}" ht="15" customHeight="1"/>'.encode()
                                               for i in range(5, 100_000))), dimension="A1:D99999")),
         "4 rows, then 99,995 empty formatted rows", solo=True),
    Case("xlsx_empty_rows_over_1gb.xlsx", "refused", r"unpacks to more than .*PRISM_MAX_UNPACKED_MB",
         _xlsx(lambda: _sheet(itertools.chain([_rows_xml(HEAD_ROWS).encode()],
                                              _repeat(b'<row ht="15" customHeight="1"/>', GB)))),
         "4 rows, then 1 GB of empty formatted rows", solo=True),
    Case("xlsx_row_beyond_excel.xlsx", "refused", r"beyond the last row of an Excel sheet",
         _xlsx(b"".join(_sheet(_rows_xml(HEAD_ROWS) + '<row r="99999999"><c r="A99999999"><v>1</v></c></row>'))),
         "a row numbered 99,999,999"),
    Case("xlsx_far_column.xlsx", "refused", r"column 16,384.*PRISM_MAX_COLUMNS",
         _xlsx(b"".join(_sheet(_rows_xml(HEAD_ROWS) + '<row r="5"><c r="XFD5" t="inlineStr"><is><t>x</t></is>'
                               '</c></row>'))), "a value in column XFD (16,384)"),
    Case("xlsx_styled_far_columns.xlsx", "accepted", "",
         _xlsx(b"".join(_sheet("".join(
             f'<row r="{i + 1}">' + "".join(_cell(f"{_col(j + 1)}{i + 1}", v) for j, v in enumerate(r))
             + f'<c r="XFD{i + 1}" s="0"/></row>' for i, r in enumerate(HEAD_ROWS)), dimension="A1:XFD1048576"))),
         "empty styled cells out to column XFD and a dimension of A1:XFD1048576"),
    Case("xlsx_billion_laughs.xlsx", "refused", r"XML entities",
         _xlsx(b"".join(_sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')),
               b'<?xml version="1.0"?>' + BILLION_LAUGHS + f"<sst {NS}><si><t>&lol9;</t></si></sst>".encode()),
         "billion laughs entity bomb in the shared strings"),
    Case("xlsx_xxe_sheet.xlsx", "refused", r"XML entities",
         _xlsx(b"".join(_sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>', prefix=XXE.decode()))),
         "external entity (file:///etc/passwd) in the sheet"),
    Case("xlsx_xxe_workbook.xlsx", "refused", r"XML entities",
         _xlsx(b"".join(_sheet(_rows_xml(HEAD_ROWS))),
               workbook=b'<?xml version="1.0"?>' + XXE + f'<workbook {NS} xmlns:r="{REL_NS}"><sheets><sheet '
               f'name="&xxe;" sheetId="1" r:id="rId1"/></sheets></workbook>'.encode()),
         "external entity in the workbook part"),
    Case("xlsx_broken_xml.xlsx", "refused", r"broken XML|cannot be (read|opened)",
         _xlsx(b'<?xml version="1.0"?><worksheet ' + NS.encode() + b'><sheetData><row r="1"><c r="A1"><v>1</v>'),
         "a sheet whose XML stops mid-element"),
    Case("xlsx_truncated.xlsx", "refused", r"damaged", _bytes(_cut(_valid_xlsx())), "an XLSX cut in half"),
    Case("xls_renamed.xlsx", "refused", r"old binary Excel \(\.xls\)",
         _bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096)), "an .xls (OLE2) file renamed .xlsx"),
    Case("xlsb_renamed.xlsx", "refused", r"\.xlsb",
         _bytes(_zip([("[Content_Types].xml", b"<Types/>"), ("xl/workbook.bin", os.urandom(512))])),
         "an .xlsb renamed .xlsx"),
    Case("ods_renamed.xlsx", "refused", r"OpenDocument",
         _bytes(_zip([("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
                      ("content.xml", b"<office:document-content/>")])), "an .ods renamed .xlsx"),
    Case("xlsx_formula_injection.xlsx", "accepted", "",
         _xlsx(b"".join(_sheet(_rows_xml(HEAD_ROWS[:1] + [["A1", "2024-06-18", 1, "=cmd|' /C calc'!A0"],
                                                           ["A2", "2024-06-19", 2, "@SUM(1+1)*cmd|' /C calc'!A0"]])))),
         "cells holding =cmd|... formulas as text (stored as text; exports neutralise them)"),
    # ---- text: size and shape
    Case("cols_10k.csv", "refused", r"line 1: 10,000 columns, over the 500-column limit \(PRISM_MAX_COLUMNS\)",
         _bytes(_wide(10_000)), "10,000 columns"),
    Case("cols_100k.csv", "refused", r"100,000 or more columns|columns, over the 500-column limit",
         _bytes(_wide(100_000)), "100,000 columns (the header alone is bigger than the sample)"),
    Case("cols_ragged_100k.csv", "refused", r"PRISM_MAX_COLUMNS",
         _bytes(ORDERS + "A4,2024-06-21,1," + ",".join(["x"] * 100_000) + "\n"),
         "a 4-column file with one row of 100,000 fields"),
    Case("cols_400.csv", "accepted", "", _bytes(_wide(400)), "400 columns (within the limit)"),
    Case("rows_over_limit.csv", "refused", r"row 2,000,001 .*over the 2,000,000-row limit \(PRISM_MAX_ROWS\)",
         lambda p: p.write_bytes(b"".join(_csv_rows(2_000_001))), "2,000,001 data rows (36 MB)", solo=True),
    Case("blank_line_flood.csv.gz", "refused", r"lines .*PRISM_MAX_ROWS",
         _gz(lambda: itertools.chain([ORDERS.encode()], _repeat(b"\n", 50_000_000))), "3 rows then 50 million blank lines"),
    Case("long_line_50mb.csv", "refused", r"PRISM_MAX_CELL_CHARS",
         lambda p: p.write_bytes(b"order_id,order_date,amount\nA1,2024-06-18," + b"9" * (50 * MB) + b"\n"),
         "one 50 MB line", solo=True),
    Case("cell_10mb_quoted_multiline.csv", "refused", r"PRISM_MAX_CELL_CHARS",
         _bytes(ORDERS + 'A4,2024-06-21,1,"' + ("line\n" * (2 * MB)) + '"\n'),
         "a quoted 10 MB cell spanning 2 million lines"),
    Case("header_cell_150k.csv", "refused", r"PRISM_MAX_CELL_CHARS",
         _bytes("order_id,order_date,amount," + "h" * 150_000 + "\n" + ORDERS.split("\n", 1)[1]),
         "a header name of 150,000 characters"),
    Case("cell_99k_ok.csv", "accepted", "",
         _bytes(ORDERS.split("\n")[0] + "\n" + "A1,2024-06-18,1," + "n" * 99_000 + "\n" + "\n".join(ORDERS.split("\n")[2:])),
         "a 99,000-character cell (within the limit)"),
    # ---- text: not a table, or broken
    Case("nul_bytes.csv", "refused", r"binary", _bytes(ORDERS.encode() + b"\x00" * 1000 + b"A4,x\n"), "NUL bytes"),
    Case("binary_random.csv", "refused", r"binary|encoding", _bytes(os.urandom(64 * 1024)), "random bytes"),
    Case("png_renamed.csv", "refused", r"PNG image", _bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(1024)), "a PNG"),
    Case("elf_renamed.csv", "refused", r"program \(ELF\)", _bytes(b"\x7fELF\x02\x01\x01" + os.urandom(2048)),
         "a Linux program"),
    Case("pdf_renamed.csv", "refused", r"PDF", _bytes(b"%PDF-1.7\n" + os.urandom(1024)), "a PDF"),
    Case("sqlite_renamed.csv", "refused", r"SQLite", _bytes(b"SQLite format 3\x00" + bytes(4080)), "an SQLite file"),
    Case("html_as_csv.csv", "refused", r"required field|no data rows|not a date|cannot be read",
         _bytes("<html><head><title>Orders</title></head><body><table><tr><td>order_id</td><td>amount</td></tr>"
                "<tr><td>A1</td><td>12</td></tr></table><script>alert(1)</script></body></html>\n"),
         "an HTML page saved as .csv"),
    Case("empty.csv", "refused", r"empty", _bytes(b""), "zero bytes"),
    Case("whitespace_only.csv", "refused", r"empty", _bytes(b" \r\n\t\n  \n"), "only whitespace"),
    Case("bom_only.csv", "refused", r"empty", _bytes(b"\xef\xbb\xbf"), "only a UTF-8 byte-order mark"),
    Case("only_header.csv", "refused", r"header row but no data rows", _bytes("order_id,order_date,amount\n"),
         "only a header"),
    Case("only_totals.csv", "refused", r"no data rows", _bytes("order_id,order_date,amount\n合计,,100\nTotal,,100\n"),
         "a header and totals rows only"),
    Case("unterminated_quote.csv", "refused", r"can be read as a date",
         _bytes('order_id,order_date,amount\n"A1,2024-06-18,1\nA2,2024-06-19,2\n'), "an unterminated quote"),
    Case("truncated_utf8.csv", "accepted", "", _bytes((ORDERS + "A4,2024-06-21,1,Crème brûlée\n").encode()[:-2]),
         "UTF-8 cut inside a multi-byte character"),
    Case("invalid_utf8.csv", "accepted", "",
         _bytes((ORDERS + "A4,2024-06-21,1,Caf").encode() + b"\xe9 cr\xe8me\n"), "Latin-1 bytes in a UTF-8-looking file"),
    Case("utf16_no_bom.csv", "accepted", "", _bytes(ORDERS.encode("utf-16-le")), "UTF-16 LE without a BOM"),
    Case("mixed_encodings.csv", "accepted", "",
         _bytes(ORDERS.encode() + "A4,2024-06-21,1,Crème\n".encode() + "A5,2024-06-22,1,Crème\n".encode("cp1252")),
         "one UTF-8 line and one cp1252 line (read as cp1252, with a note)"),
    Case("gbk_chinese.csv", "accepted", "",
         _bytes("订单号,下单时间,实付金额,商品名称\nA1,2024-06-18,12.5,洗面奶\nA2,2024-06-19,7,面膜\n".encode("gbk")),
         "control: a GBK export"),
    Case("latin1_western.csv", "accepted", "",
         _bytes((ORDERS.split("\n")[0] + "\nA1,2024-06-18,1,Crème brûlée\nA2,2024-06-19,2,Müsli\nA3,2024-06-20,3,"
                 "Pão de açúcar\n").encode("latin-1")), "Latin-1 product names"),
    # ---- text: odd values
    Case("formula_injection.csv", "accepted", "",
         _bytes(ORDERS.split("\n")[0] + "\nA1,2024-06-18,1,=cmd|' /C calc'!A0\nA2,2024-06-19,2,+1+1\n"
                "A3,2024-06-20,3,@SUM(A1)\nA4,2024-06-21,4,-2+3\n"), "cells starting with = + - @"),
    Case("huge_numbers.csv", "refused", r"beyond ±1e\+15: not a plausible amount.*over the 5% limit",
         _bytes(ORDERS + "".join(f"B{i},2024-06-21,1e308,big\n" for i in range(40)) + "A9,2024-06-21,1e400,huge\n"),
         "amounts of 1e308 and one of 1e400 (41 of 44 rows implausible: over the bad-rows limit)"),
    Case("one_huge_number.csv", "accepted", "",
         _bytes(ORDERS + "B1,2024-06-21,1e308,big\n" + "".join(f"C{i},2024-06-22,{i + 1},ok\n" for i in range(40))),
         "one amount of 1e308 among 44 rows (a bad cell, kept out: 1 of 44, under the 5% limit)"),
    Case("dates_year_99999.csv", "refused", r"can be read as a date",
         _bytes("order_id,order_date,amount\nA1,99999-01-01,1\nA2,99999-12-31,2\n"), "dates in the year 99999"),
    Case("unicode_headers.csv", "accepted", "",
         _bytes("order_id,order_date,amount,\u202eeman\u200b,😀 emoji,\u200b\n"
                "A1,2024-06-18,1,x,y,z\nA2,2024-06-19,2,x,y,z\n"),
         "right-to-left override, zero-width and emoji characters in headers"),
    Case("duplicate_headers.csv", "accepted", "",
         _bytes("order_id,order_date,amount,amount,amount\nA1,2024-06-18,1,2,3\nA2,2024-06-19,2,3,4\n"),
         "the same header three times"),
    Case("empty_headers.csv", "accepted", "", _bytes("order_id,order_date,amount,,\nA1,2024-06-18,1,x,y\n"),
         "blank header cells"),
    Case("crlf_and_cr.csv", "accepted", "", _bytes(ORDERS.replace("\n", "\r")), "old Mac line endings"),
]


def write_all(folder: Path) -> dict[str, Path]:
    """Build every file of the corpus in ``folder``; returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for case in CASES:
        path = folder / case.name
        case.build(path)
        out[case.name] = path
    return out


if __name__ == "__main__":  # python -m tests.hostile.generate DIR
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile_corpus")
    paths = write_all(target)
    for c in CASES:
        print(f"{c.name:34} {c.expected:9} {paths[c.name].stat().st_size:>12,} B  {c.what}")
    print(f"{len(CASES)} files in {target}")
