"""Read the bytes of an uploaded file into a table of text cells (:class:`RawTable`).

Pure: bytes in, a pandas DataFrame of strings out (every cell ``str`` or missing), plus what was found
out on the way (encoding, delimiter, header row, title rows skipped, totals rows dropped, the source line
number of every row for error messages). Typing the values is :mod:`data.parsing`'s job, mapping
columns to fields :mod:`data.mapping`'s.

Formats
    CSV / TSV / ``;`` / ``|`` delimited text and whitespace-separated text (runs of spaces, leading
    spaces, as in the CDNOW transaction log); XLSX / XLSM through openpyxl (first sheet, or ``sheet``
    by name or 0-based index); gzip-compressed text (magic bytes ``1f 8b``); a ZIP archive holding one
    text file. The old binary ``.xls`` format, images, PDFs and other binary files are refused.
Encodings (text)
    Byte-order marks first (UTF-8, UTF-16 LE/BE, UTF-32), then UTF-16 without BOM (NUL pattern), then a
    strict decode cascade UTF-8 -> GB18030 (a superset of GBK/GB2312), then charset-normalizer as a
    last resort (e.g. Windows-1252). A caller-declared encoding must decode the bytes cleanly, and a
    declared legacy encoding on bytes that are valid non-ASCII UTF-8 is refused as wrong too.
Dialect and header
    The delimiter is the candidate (``,`` tab ``;`` ``|``) that splits a sample of lines into the same
    number (>= 2) of fields most consistently; whitespace when none does. Title rows above the header
    (rows with less than half the columns filled, e.g. ``店铺销售报表 2024年6月``) and blank lines are
    skipped. The first full row is the header unless most of its cells are numbers or dates, in which
    case the file is headerless and the columns are named ``"1".."n"`` (``header=True/False`` forces).
    Totals rows at the bottom (a cell equal to 合计 / 总计 / 小计 / 汇总 / Total / Grand total / Sum)
    are dropped and reported in ``dropped_totals``. Rows whose cells are all blank are dropped, and so
    are columns without a header name that hold nothing (trailing delimiters).
Speed
    The common case (a regular delimited file) is parsed by ``pyarrow.csv`` with every column read as a
    string, from the bytes (no per-row Python work); ragged files and multi-line quoted values fall back
    to Python's csv module, whitespace-separated text to pandas' C parser.

Every problem is raised as :class:`data.errors.IngestError` with a message for the user.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import unicodedata
import warnings
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from data.errors import IngestError

__all__ = ["RawTable", "read_table", "TOTAL_WORDS", "DEFAULT_MAX_BYTES"]

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "汇总", "总合计", "total", "totals", "grandtotal", "sum", "subtotal"})
_DELIMS = (",", "\t", ";", "|")
_WS = "whitespace"
_SAMPLE_CHARS = 256 * 1024
_MAX_TITLE_ROWS = 30

_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"%PDF": "a PDF document",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive",
    b"\x7fELF": "a program (ELF)",
    b"MZ": "a Windows program",
    b"SQLite format 3\x00": "an SQLite database",
    b"PAR1": "a Parquet file",
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ\x00": "an xz archive",
    b"RIFF": "a media file",
}


@dataclass
class RawTable:
    """A table of text cells read from one file (see module docstring)."""

    frame: pd.DataFrame  # every cell str or missing; columns = header names, or "1".."n"
    header_row: int | None  # 0-based line (text) / row (sheet) index of the header; None when headerless
    skipped_top: int  # non-blank title rows skipped above the header / data
    dropped_totals: list[int]  # 1-based line numbers of totals rows dropped at the bottom
    encoding: str | None  # text encoding used (None for xlsx)
    delimiter: str | None  # "," "\t" ";" "|" or "whitespace"; None for xlsx
    format: str  # "csv" | "tsv" | "text" | "xlsx"
    sheet_names: list[str]  # xlsx: every sheet; text: []
    line_numbers: np.ndarray  # per frame row: 1-based line (text) / row (sheet) number in the source
    sheet: str | None = None  # xlsx: the sheet read
    compression: str | None = None  # "gzip" | "zip" | None
    notes: list[str] = field(default_factory=list)

    @property
    def has_header(self) -> bool:
        return self.header_row is not None


# ---------------------------------------------------------------------------------------------------
# entry point


def read_table(
    content: bytes,
    *,
    filename: str = "",
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header: bool | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> RawTable:
    """Read ``content`` (the file's bytes) into a :class:`RawTable`; raises IngestError only."""
    try:
        return _read(bytes(content), filename, sheet, encoding, delimiter, header, max_bytes, depth=0)
    except IngestError as e:
        raise e.with_file(filename)
    except (csv.Error, pa.ArrowException, ValueError, UnicodeError, LookupError, OSError, EOFError,
            zipfile.BadZipFile, zlib.error, KeyError, IndexError, TypeError, AttributeError, OverflowError) as e:
        raise IngestError(f"could not read the file as a table ({type(e).__name__}: {e})",
                          file=filename or None) from e


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"


def _read(data: bytes, filename: str, sheet, encoding, delimiter, header, max_bytes, depth: int) -> RawTable:
    if len(data) > max_bytes:
        raise IngestError(f"the file is {_mb(len(data))}, over the {_mb(max_bytes)} limit", reason="too large")
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise IngestError("the file is empty", reason="empty")
    if data[:2] == b"\x1f\x8b" and depth < 2:
        table = _read(_gunzip(data, max_bytes), filename, sheet, encoding, delimiter, header, max_bytes, depth + 1)
        table.compression = table.compression or "gzip"
        return table
    if data[:4] == b"PK\x03\x04":
        return _read_zip(data, filename, sheet, encoding, delimiter, header, max_bytes, depth)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise IngestError("this is an old binary Excel (.xls) or Office file; save it as .xlsx or CSV and upload again",
                          reason="unsupported format")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise IngestError(f"this is {what}, not a table (CSV, TSV or XLSX)", reason="binary file")
    text, enc, utf8 = _decode(data, encoding)
    _check_text(text)
    return _read_text(text, enc, utf8, delimiter, header)


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            out = fh.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as e:
        raise IngestError(f"the gzip file is damaged or incomplete ({e})", reason="bad gzip") from e
    if len(out) > max_bytes:
        raise IngestError(f"the file unpacks to more than the {_mb(max_bytes)} limit", reason="too large")
    return out


def _read_zip(data, filename, sheet, encoding, delimiter, header, max_bytes, depth) -> RawTable:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise IngestError(f"the ZIP / XLSX file is damaged ({e})", reason="bad zip") from e
    if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
        return _read_xlsx(data, sheet, header)
    if "word/document.xml" in names or "ppt/presentation.xml" in names:
        raise IngestError("this is a Word or PowerPoint file, not a table", reason="unsupported format")
    members = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX")]
    if len(members) != 1 or depth >= 2:
        raise IngestError(f"the ZIP archive holds {len(members)} files; upload one table (or a ZIP with exactly one)",
                          reason="unsupported format")
    info = members[0]
    if info.file_size > max_bytes:
        raise IngestError(f"the file inside the ZIP is {_mb(info.file_size)}, over the {_mb(max_bytes)} limit",
                          reason="too large")
    try:
        with zf.open(info) as fh:
            inner = fh.read(max_bytes + 1)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError) as e:
        raise IngestError(f"cannot unpack the ZIP archive ({e})", reason="bad zip") from e
    table = _read(inner, filename, sheet, encoding, delimiter, header, max_bytes, depth + 1)
    table.compression = "zip"
    return table


# ---------------------------------------------------------------------------------------------------
# encodings

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bom(data: bytes) -> str | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    z_even, z_odd = even.count(0) / len(even), odd.count(0) / max(len(odd), 1)
    if z_odd > 0.3 and z_even < 0.05:
        return "utf-16-le"
    if z_even > 0.3 and z_odd < 0.05:
        return "utf-16-be"
    return None


def _guess(data: bytes) -> str:
    try:
        _, enc, _ = _decode(data, None)
        return enc
    except IngestError:
        return "unknown"


def _mostly_cjk(text: str) -> bool:
    non_ascii = [c for c in text[:200_000] if ord(c) > 127]
    if not non_ascii:
        return True
    cjk = sum(1 for c in non_ascii if "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" or "\u2000" <= c <= "\u206f")
    return cjk / len(non_ascii) >= 0.6


def _decode(data: bytes, declared: str | None) -> tuple[str, str, bytes | None]:
    """(text, encoding name, utf-8 bytes of the text when available without re-encoding)."""
    if declared:
        try:
            name = codecs.lookup(declared).name
        except LookupError as e:
            raise IngestError(f"unknown encoding '{declared}'", reason="bad encoding") from e
        bom = _bom(data)
        family = "utf-8" if name in ("utf-8", "utf-8-sig") else name[:6]
        if bom is not None and family != bom[:6 if bom != "utf-8-sig" else 5]:
            raise IngestError(
                f"the declared encoding {declared} is wrong: the file starts with a {bom.upper()} byte-order mark",
                reason="wrong encoding")
        use = "utf-8-sig" if family == "utf-8" else declared
        try:
            text = data.decode(use)
        except UnicodeDecodeError as e:
            guess = _guess(data)
            raise IngestError(
                f"the declared encoding {declared} is wrong: byte 0x{data[e.start]:02x} at position {e.start} "
                f"cannot be decoded (the file looks like {guess}); leave the encoding empty to detect it",
                reason="wrong encoding") from e
        if name not in ("utf-8", "utf-8-sig", "ascii") and not name.startswith("utf-") and not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                raise IngestError(
                    f"the declared encoding {declared} is wrong: the file is UTF-8; leave the encoding empty "
                    "to detect it", reason="wrong encoding")
        utf8 = None
        if use == "utf-8-sig":
            utf8 = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
        return text, name, utf8
    bom = _bom(data)
    if bom:
        try:
            text = data.decode(bom)
        except UnicodeDecodeError as e:
            raise IngestError(f"the file starts with a {bom.upper()} byte-order mark but is not valid {bom.upper()}",
                              reason="bad encoding") from e
        if bom == "utf-8-sig":
            return text, "utf-8-sig", data[len(codecs.BOM_UTF8):]
        return text, bom, None
    u16 = _utf16_without_bom(data)
    if u16:
        try:
            return data.decode(u16), u16, None
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise IngestError("this looks like a binary file (it contains NUL bytes), not a text table",
                          reason="binary file")
    try:
        return data.decode("utf-8"), "utf-8", data
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _mostly_cjk(text):
            return text, "gb18030", None
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:500_000]).best()
    except (ImportError, ValueError, LookupError, TypeError):  # pragma: no cover - library trouble
        best = None
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding), codecs.lookup(best.encoding).name, None
        except (UnicodeDecodeError, LookupError):
            pass
    raise IngestError("cannot tell the text encoding of the file (tried UTF-8, UTF-16, GB18030/GBK and others); "
                      "save it as UTF-8 or declare the encoding", reason="bad encoding")


def _check_text(text: str) -> None:
    sample = text[:65536]
    if "\x00" in sample or "\x00" in text:
        raise IngestError("this looks like a binary file (it contains NUL characters), not a text table",
                          reason="binary file")
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\t\n\r\f\v") or 0x7F <= ord(c) < 0xA0)
    if sample and bad / len(sample) > 0.01:
        raise IngestError("this looks like a binary file (it contains control characters), not a text table",
                          reason="binary file")
    if "\ufffd" in sample and sample.count("\ufffd") / len(sample) > 0.01:
        raise IngestError("the file contains many undecodable characters; save it as UTF-8 and try again",
                          reason="bad encoding")


# ---------------------------------------------------------------------------------------------------
# text tables


@dataclass
class _Rec:
    start: int  # 0-based first line of the record
    end: int  # 0-based line after the record
    cells: list[str]

    @property
    def filled(self) -> int:
        return sum(1 for c in self.cells if c is not None and str(c).strip())


def _norm_delimiter(delimiter: str | None) -> str | None:
    if delimiter is None or delimiter == "":
        return None
    d = {"\\t": "\t", "tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": _WS, " ": _WS,
         "whitespace": _WS, "spaces": _WS}.get(delimiter.lower() if len(delimiter) > 1 else delimiter, delimiter)
    if d != _WS and len(d) != 1:
        raise IngestError(f"the delimiter must be one character (got '{delimiter}')", reason="bad delimiter")
    if d in ('"', "\n", "\r"):
        raise IngestError(f"'{delimiter}' cannot be a delimiter", reason="bad delimiter")
    return d


def _records(head: str, delim: str) -> list[_Rec]:
    out: list[_Rec] = []
    if delim == _WS:
        for i, line in enumerate(head.split("\n")):
            out.append(_Rec(i, i + 1, line.split()))
        return out
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=delim, quotechar='"', strict=False)
    prev = 0
    for cells in reader:
        out.append(_Rec(prev, reader.line_num, cells))
        prev = reader.line_num
    return out


def _mode_share(counts: list[int]) -> tuple[int, float]:
    if not counts:
        return 0, 0.0
    tail = counts[len(counts) // 5:] or counts
    mode, hits = Counter(tail).most_common(1)[0]
    return mode, hits / len(tail)


def _sniff(head: str) -> str:
    best, best_score = ",", (False, 0.0, 0)
    for d in _DELIMS:
        try:
            recs = _records(head, d)
        except csv.Error:
            continue
        counts = [len(r.cells) for r in recs if r.filled]
        mode, share = _mode_share(counts)
        score = (mode >= 2, round(share, 3), mode)
        if score > best_score:
            best, best_score = d, score
    if not best_score[0] or best_score[1] < 0.8:
        counts = [len(r.cells) for r in _records(head, _WS) if r.cells]
        mode, share = _mode_share(counts)
        if mode >= 2 and (share >= 0.9 or min(counts) >= 2) and (not best_score[0] or share > best_score[1]):
            return _WS
    return best


_NUMLIKE = re.compile(r"^[\s(+\-−]*[¥$€£￥]?\s*\d[\d,.\s]*(%|万|亿|k|w)?\)?$", re.I)
_DATELIKE = re.compile(r"^\d{1,4}[-/.年]\d{1,2}([-/.月]\d{1,4}日?)?([ T]\d{1,2}:\d{2}(:\d{2})?)?$")


def _looks_like_data(cells: list) -> bool:
    vals = [str(c).strip() for c in cells if c is not None and str(c).strip()]
    if not vals:
        return False
    hits = sum(1 for v in vals if _NUMLIKE.match(v) or _DATELIKE.match(v))
    return hits / len(vals) >= 0.5


def _find_start(recs: list[_Rec], ncols: int) -> int:
    """Index in recs of the first full row (the header, or the first data row when headerless)."""
    need = max(2 if ncols >= 2 else 1, -(-ncols // 2))
    nonblank = [i for i, r in enumerate(recs) if r.filled]
    if not nonblank:
        raise IngestError("the file holds no table (only blank lines)", reason="empty")
    for i in nonblank[:_MAX_TITLE_ROWS]:
        if recs[i].filled >= need:
            return i
    return nonblank[0]


def _header_names(cells: list, ncols: int) -> list[str]:
    names: list[str] = []
    seen: Counter[str] = Counter()
    for i in range(ncols):
        raw = cells[i] if i < len(cells) else None
        name = unicodedata.normalize("NFC", str(raw)).strip() if raw is not None else ""
        name = name.replace("\n", " ").replace("\r", " ")
        if not name:
            name = f"column_{i + 1}"
        seen[name] += 1
        if seen[name] > 1:
            name = f"{name}_{seen[name]}"
            seen[name] += 1
        names.append(name)
    return names


def _line_starts(b: bytes) -> np.ndarray:
    arr = np.frombuffer(b, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    return np.concatenate(([0], nl + 1)).astype(np.int64)


def _content_lines(b: bytes, starts: np.ndarray, ws_blank: bool) -> np.ndarray:
    """0-based indices of lines that are not empty (ws_blank: not only whitespace)."""
    n = len(b)
    ends = np.append(starts[1:] - 1, n)  # exclusive end (without the \n)
    arr = np.frombuffer(b, dtype=np.uint8)
    lengths = ends - starts
    if n:
        last = np.clip(ends - 1, 0, n - 1)
        cr = (lengths > 0) & (arr[last] == 13)
        lengths = lengths - cr
    if not ws_blank:
        return np.flatnonzero(lengths > 0)
    pos = np.flatnonzero(~np.isin(arr, (9, 10, 11, 12, 13, 32)))  # non-whitespace bytes
    line = np.searchsorted(starts, pos, side="right") - 1
    keep = np.zeros(len(starts), dtype=bool)
    keep[np.unique(line)] = True
    return np.flatnonzero(keep & (lengths > 0))


def _quote_spans_lines(b: bytes, starts: np.ndarray) -> bool:
    """True when some line holds an odd number of quote characters (a quoted value spans lines)."""
    if b'"' not in b:
        return False
    arr = np.frombuffer(b, dtype=np.uint8)
    pos = np.flatnonzero(arr == 34)
    line = np.searchsorted(starts, pos, side="right") - 1
    return bool((np.bincount(line) % 2).any())


def _read_text(text: str, enc: str, utf8: bytes | None, delimiter: str | None, header: bool | None) -> RawTable:
    if "\n" not in text and "\r" in text:  # old Mac line endings
        text, utf8 = text.replace("\r", "\n"), None
    head = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS and "\n" in head:
        head = head[: head.rindex("\n") + 1]
    delim = _norm_delimiter(delimiter) or _sniff(head)
    recs = _records(head, delim)
    counts = [len(r.cells) for r in recs if r.filled]
    ncols, _ = _mode_share(counts)
    ncols = max(ncols, 1)
    i0 = _find_start(recs, ncols)
    first = recs[i0]
    has_header = (not _looks_like_data(first.cells)) if header is None else bool(header)
    skipped = sum(1 for r in recs[:i0] if r.filled)
    if has_header:
        names = _header_names(first.cells, max(ncols, len(first.cells)))
        ncols = len(names)
        data_line = first.end
        header_row: int | None = first.start
    else:
        ncols = max(ncols, len(first.cells))
        names = [str(i + 1) for i in range(ncols)]
        data_line = first.start
        header_row = None
    b = utf8 if utf8 is not None else text.encode("utf-8")
    starts = _line_starts(b)
    notes: list[str] = []
    frame, lines = None, None
    if data_line < len(starts):
        offset = int(starts[data_line])
        if delim == _WS:
            frame, lines = _fast_whitespace(b, offset, starts, data_line, names)
        elif not _quote_spans_lines(b[offset:], starts[data_line:] - offset):
            frame, lines = _fast_csv(b, offset, starts, data_line, names, delim)
        if frame is None:
            frame, lines, names = _python_rows(text, data_line, names, delim)
    else:
        frame, lines = pd.DataFrame({n: pd.Series([], dtype="str") for n in names}), np.zeros(0, np.int64)
    fmt = {",": "csv", "\t": "tsv"}.get(delim, "text" if delim == _WS else "csv")
    frame, lines, totals = _tidy(frame, lines)
    if frame.empty:
        if has_header:
            raise IngestError("the file has a header row but no data rows", reason="header only")
        raise IngestError("the file holds no data rows", reason="empty")
    return RawTable(frame=frame, header_row=header_row, skipped_top=skipped, dropped_totals=totals, encoding=enc,
                    delimiter=delim, format=fmt, sheet_names=[], line_numbers=lines, notes=notes)


def _fast_csv(b: bytes, offset: int, starts: np.ndarray, data_line: int, names: list[str], delim: str):
    cols = [f"c{i}" for i in range(len(names))]
    buf = pa.py_buffer(b)
    try:
        table = pacsv.read_csv(
            pa.BufferReader(buf.slice(offset)),
            read_options=pacsv.ReadOptions(column_names=cols, block_size=8 << 20),
            parse_options=pacsv.ParseOptions(delimiter=delim, quote_char='"', double_quote=True,
                                             newlines_in_values=False, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in cols},
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True,
                                                 null_values=[""]),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None, None
    lines = _content_lines(b, starts, ws_blank=False)
    lines = lines[lines >= data_line] + 1
    if len(lines) != table.num_rows:
        return None, None
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype(na_value=np.nan)}.get)
    frame.columns = names
    return frame, lines


def _fast_whitespace(b: bytes, offset: int, starts: np.ndarray, data_line: int, names: list[str]):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # extra fields would be dropped silently
            frame = pd.read_csv(io.BytesIO(b[offset:]), sep=r"\s+", header=None, names=names, dtype="str",
                                keep_default_na=False, na_values=[""], skip_blank_lines=True, engine="c",
                                index_col=False)
    except (ValueError, pd.errors.ParserError, pd.errors.ParserWarning, IndexError):
        return None, None
    lines = _content_lines(b, starts, ws_blank=True)
    lines = lines[lines >= data_line] + 1
    if len(lines) != len(frame):
        return None, None
    return frame.astype("str"), lines


def _python_rows(text: str, data_line: int, names: list[str], delim: str):
    rows: list[list[str]] = []
    lines: list[int] = []
    if delim == _WS:
        for i, line in enumerate(text.split("\n")[data_line:], start=data_line):
            cells = line.split()
            if cells:
                rows.append(cells)
                lines.append(i + 1)
    else:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, quotechar='"', strict=False)
        prev = 0
        for cells in reader:
            start, prev = prev, reader.line_num
            if start < data_line or not cells:
                continue
            rows.append(cells)
            lines.append(start + 1)
    width = max([len(names)] + [len(r) for r in rows])
    names = list(names)
    if width > len(names):
        extra = [r for r in rows if len(r) > len(names) and any(c.strip() for c in r[len(names):])]
        if extra:
            names += [f"extra_{k + 1}" for k in range(width - len(names))]
    n = len(names)
    cols = [[] for _ in range(n)]
    for r in rows:
        for j in range(n):
            cols[j].append(r[j] if j < len(r) and r[j] != "" else None)
    frame = pd.DataFrame({names[j]: pd.Series(cols[j], dtype="str") for j in range(n)})
    return frame, np.asarray(lines, dtype=np.int64), names


def _is_total(value: object) -> bool:
    if value is None or (isinstance(value, float) and value != value):
        return False
    s = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    s = re.sub(r"[\s:：_\-()（）]+", "", s)
    return s in TOTAL_WORDS


def _tidy(frame: pd.DataFrame, lines: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, list[int]]:
    """Drop all-blank rows and totals rows at the bottom."""
    if frame.empty:
        return frame, lines, []
    # columns we had to name ourselves (blank header cell, trailing delimiter) that hold nothing
    auto = [c for c in frame.columns if re.fullmatch(r"(column|extra)_\d+", str(c)) and frame[c].isna().all()]
    if auto and len(auto) < len(frame.columns):
        frame = frame.drop(columns=auto)
    present = np.zeros(len(frame), dtype=bool)
    for c in frame.columns:
        present |= frame[c].notna().to_numpy(dtype=bool)
    maybe = np.flatnonzero(present)
    if len(maybe):  # rows whose present cells are all whitespace count as blank too
        sub = frame.iloc[maybe]
        real = np.zeros(len(maybe), dtype=bool)
        for c in sub.columns:
            arr = pa.array(sub[c].array) if not hasattr(sub[c].array, "_pa_array") else sub[c].array._pa_array
            blank = pc.fill_null(pc.or_(pc.utf8_is_space(arr), pc.equal(pc.utf8_length(arr), 0)), True)
            real |= ~np.asarray(blank.to_numpy(zero_copy_only=False), dtype=bool)
            if real.all():
                break
        present[maybe[~real]] = False
    if not present.all():
        frame = frame.loc[present].reset_index(drop=True)
        lines = lines[present]
    totals: list[int] = []
    k = len(frame)
    while k > 0 and len(totals) < 10:
        row = frame.iloc[k - 1].tolist()
        if any(_is_total(v) for v in row):
            totals.append(int(lines[k - 1]))
            k -= 1
        else:
            break
    if totals:
        frame = frame.iloc[:k].reset_index(drop=True)
        lines = lines[:k]
    return frame, np.asarray(lines, dtype=np.int64), sorted(totals)


# ---------------------------------------------------------------------------------------------------
# xlsx


def _cell_text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v:
            return None
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (date, time)):
        return v.isoformat()
    s = str(v)
    return s if s.strip() else None


def _read_xlsx(data: bytes, sheet: str | int | None, header: bool | None) -> RawTable:
    try:
        import openpyxl
    except ImportError as e:  # pragma: no cover
        raise IngestError("XLSX support needs openpyxl", reason="unsupported format") from e
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError, AttributeError) as e:
        raise IngestError(f"the XLSX file cannot be opened ({type(e).__name__}: {e})", reason="bad xlsx") from e
    try:
        names = list(wb.sheetnames)
        if not names:
            raise IngestError("the workbook has no sheets", reason="empty")
        if sheet is None or sheet == "":
            ws = wb.worksheets[0]
        elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
            i = int(sheet)
            if not 0 <= i < len(names):
                raise IngestError(f"sheet {i} does not exist; the workbook has {len(names)} sheet(s): "
                                  f"{', '.join(names)} (0-based index)", reason="no such sheet")
            ws = wb.worksheets[i]
        elif sheet in names:
            ws = wb[sheet]
        else:
            raise IngestError(f"sheet '{sheet}' does not exist; sheets: {', '.join(names)}", reason="no such sheet")
        rows: list[list[str | None]] = []
        for r in ws.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in r])
        title = ws.title
    finally:
        wb.close()
    # trim trailing empty columns
    width = 0
    for r in rows:
        for j in range(len(r) - 1, -1, -1):
            if r[j] is not None:
                width = max(width, j + 1)
                break
    if width == 0:
        others = [n for n in names if n != title]
        hint = f"; the workbook also has sheet(s) {', '.join(others)}: choose one" if others else ""
        raise IngestError(f"sheet '{title}' is empty{hint}", reason="empty")
    recs = [_Rec(i, i + 1, r[:width]) for i, r in enumerate(rows)]
    filled = [r.filled for r in recs if r.filled]
    ncols, _ = _mode_share(filled)
    i0 = _find_start(recs, max(ncols, 1))
    first = recs[i0]
    has_header = (not _looks_like_data(first.cells)) if header is None else bool(header)
    skipped = sum(1 for r in recs[:i0] if r.filled)
    if has_header:
        names_ = _header_names(first.cells, width)
        body = recs[i0 + 1:]
        header_row: int | None = first.start
    else:
        names_ = [str(i + 1) for i in range(width)]
        body = recs[i0:]
        header_row = None
    cols = {n: pd.Series([r.cells[j] if j < len(r.cells) else None for r in body], dtype="str")
            for j, n in enumerate(names_)}
    frame = pd.DataFrame(cols)
    lines = np.asarray([r.start + 1 for r in body], dtype=np.int64)
    frame, lines, totals = _tidy(frame, lines)
    others = [n for n in names if n != title]
    hint = f"; the workbook also has sheet(s) {', '.join(others)}: choose one" if others else ""
    if frame.empty:
        if has_header:
            raise IngestError(f"sheet '{title}' has a header row but no data rows{hint}", reason="header only")
        raise IngestError(f"sheet '{title}' holds no data rows{hint}", reason="empty")
    return RawTable(frame=frame, header_row=header_row, skipped_top=skipped, dropped_totals=totals, encoding=None,
                    delimiter=None, format="xlsx", sheet_names=names, line_numbers=lines, sheet=title)
