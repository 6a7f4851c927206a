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
Streaming (:class:`TextStream`, big files from disk)
    The head (:data:`STREAM_HEAD_BYTES`) is read by :func:`read_table` as above (encoding, delimiter,
    title rows, header, columns); the rest is parsed in blocks of complete lines (plain or gzip text,
    the unpacked size counted as it is inflated) with the same vectorised parsers, the same line
    numbers, row / cell-length limits and blank-row rule, the totals rows dropped at the bottom only. A
    file those parsers cannot number exactly (a quoted value spanning lines, a ragged row, UTF-16 text,
    bytes in another encoding further down) raises :class:`NotStreamable` naming the line.

Every problem is raised as :class:`data.errors.IngestError` with a message for the user.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import re
import unicodedata
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from data import limits as limits_mod
from data.errors import IngestError
from data.limits import Limits

__all__ = ["RawTable", "TextLayout", "TextStream", "TextChunk", "NotStreamable", "read_table", "TOTAL_WORDS",
           "DEFAULT_MAX_BYTES"]

DEFAULT_MAX_BYTES = limits_mod.SETTINGS["upload_bytes"].default * limits_mod.MB
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "汇总", "总合计", "total", "totals", "grandtotal", "sum", "subtotal"})
_DELIMS = (",", "\t", ";", "|")
_WS = "whitespace"
_SAMPLE_CHARS = 256 * 1024
_MAX_TITLE_ROWS = 30
_KEEP_INFLATED = 64 << 20  # inflate up to this much in one pass; beyond it count first (bombs cost no memory)
_CHUNK = 1 << 20
_MAX_MEMBERS = 10_000  # ZIP / XLSX members
_EXCEL_MAX_ROW = 1_048_576

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
    layout: "TextLayout | None" = None  # text files: how the records were found (the streaming reader reuses it)

    @property
    def has_header(self) -> bool:
        """Whether the table was read with a header row.

        Returns
        -------
        bool
            True when it has one.
        """
        return self.header_row is not None


@dataclass(frozen=True)
class TextLayout:
    """How a text file's records were found: what :class:`TextStream` needs to read the rest the same way."""

    delimiter: str  # "," "\t" ";" "|" or "whitespace"
    names: tuple[str, ...]  # the column names records were read into (before empty auto-named ones are dropped)
    data_line: int  # 0-based line of the first data record
    fast: bool  # True when the records were one per line (read by the vectorised parsers)


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
    max_bytes: int | None = None,
    limits: Limits | None = None,
) -> RawTable:
    """Read ``content`` (the file's bytes) into a :class:`RawTable`; raises IngestError only.

    ``limits`` (default: :func:`data.limits.current`, read now) bound the file while it is read;
    ``max_bytes``, when given, caps both the file's size and its unpacked size (older callers).

    Parameters
    ----------
    content : bytes
        The file's bytes.
    filename : str
        The file's name (for its format and the messages).
    sheet : str | int | None
        Excel sheet to read (name or index), or None for the first with data.
    encoding : str | None
        Text encoding, or None to detect it.
    delimiter : str | None
        Field delimiter, or None to detect it.
    header : bool | None
        Whether the first row is a header (None: detect).
    max_bytes : int | None
        Cap on the file's size and unpacked size, or None.
    limits : Limits | None
        The limits (None: :func:`data.limits.current`).

    Returns
    -------
    RawTable
        The table of text cells.
    """
    lim = limits or limits_mod.current()  # a bad setting is not the file's fault: no file name on that message
    if max_bytes is not None:
        lim = lim.with_(upload_bytes=int(max_bytes), unpacked_bytes=min(lim.unpacked_bytes, int(max_bytes)))
    try:
        return _read(bytes(content), filename, sheet, encoding, delimiter, header, _Ctx(lim), depth=0)
    except IngestError as e:
        raise e.with_file(filename)
    except (csv.Error, pa.ArrowException, ValueError, UnicodeError, LookupError, OSError, EOFError,
            zipfile.BadZipFile, zlib.error, KeyError, IndexError, TypeError, AttributeError, OverflowError,
            RecursionError, SyntaxError) as e:
        raise IngestError(f"could not read the file as a table ({type(e).__name__}: {_short_error(e)})",
                          file=filename or None) from e


def _short_error(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return text if len(text) <= 160 else text[:159] + "…"


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"


class _Ctx:
    """The limits of one read and the unpacked-bytes budget shared by every member inflated in it."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.inflated = 0

    def spend(self, n: int, what: str) -> None:
        self.inflated += n
        if self.inflated > self.limits.unpacked_bytes:
            raise limits_mod.over("unpacked_bytes", self.limits,
                                  actual=f"{what} unpacks to more than "
                                         f"{limits_mod.fmt('unpacked_bytes', self.limits.unpacked_bytes)}")


def _inflate(opener, what: str, ctx: _Ctx) -> bytes:
    """Inflate a stream (``opener()`` -> file object) counting the bytes actually produced against the
    unpacked-size budget, aborting as soon as it is crossed. Small streams are kept in one pass; past
    _KEEP_INFLATED the rest is only counted and, if the whole fits the budget, inflated again, so a
    bomb costs CPU for at most the budget and memory for at most _KEEP_INFLATED."""
    chunks: list[bytes] | None = []
    total = 0
    with opener() as fh:
        while True:
            piece = fh.read(_CHUNK)
            if not piece:
                break
            total += len(piece)
            ctx.spend(len(piece), what)
            if chunks is not None:
                chunks.append(piece)
                if total > _KEEP_INFLATED:
                    chunks = None
    if chunks is not None:
        return b"".join(chunks)
    with opener() as fh:
        return fh.read(total + 1)


def _read(data: bytes, filename: str, sheet, encoding, delimiter, header, ctx: _Ctx, depth: int) -> RawTable:
    lim = ctx.limits
    if len(data) > lim.upload_bytes:
        raise limits_mod.over("upload_bytes", lim, actual=f"the file is {_mb(len(data))}")
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise IngestError("the file is empty", reason="empty")
    if data[:2] == b"\x1f\x8b":
        if depth >= 2:
            raise IngestError("the file is compressed more than twice over (gzip / ZIP inside each other); upload "
                              "the table itself or one compressed layer", reason="nested archive")
        table = _read(_gunzip(data, ctx), filename, sheet, encoding, delimiter, header, ctx, depth + 1)
        table.compression = table.compression or "gzip"
        return table
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _read_zip(data, filename, sheet, encoding, delimiter, header, ctx, depth)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise IngestError("this is an old binary Excel (.xls) or Office file; save it as .xlsx or CSV and upload again",
                          reason="unsupported format")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise IngestError(f"this is {what}, not a table (CSV, TSV or XLSX)", reason="binary file")
    text, enc, utf8 = _decode(data, encoding)
    _check_text(text)
    table = _read_text(text, enc, utf8, delimiter, header, ctx)
    note = _legacy_note(enc, declared=bool(encoding))
    if note:
        table.notes.append(note)
    return table


def _gunzip(data: bytes, ctx: _Ctx) -> bytes:
    try:
        return _inflate(lambda: gzip.GzipFile(fileobj=io.BytesIO(data)), "the gzip file", ctx)
    except (OSError, EOFError, zlib.error) as e:
        raise IngestError(f"the gzip file is damaged or incomplete ({_short_error(e)})", reason="bad gzip") from e


def _read_zip(data, filename, sheet, encoding, delimiter, header, ctx: _Ctx, depth) -> RawTable:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError, IndexError, OverflowError) as e:
        raise IngestError(f"the ZIP / XLSX file is damaged ({_short_error(e)})", reason="bad zip") from e
    if len(infos) > _MAX_MEMBERS:
        raise IngestError(f"the ZIP archive holds {len(infos):,} files (at most {_MAX_MEMBERS:,} are read); upload "
                          "one table", reason="unsupported format")
    names = [i.filename for i in infos]
    if "xl/workbook.bin" in names:
        raise IngestError("this is a binary Excel workbook (.xlsb); save it as .xlsx or CSV and upload again",
                          reason="unsupported format")
    if "content.xml" in names and "mimetype" in names:
        raise IngestError("this is an OpenDocument file (.ods); save it as .xlsx or CSV and upload again",
                          reason="unsupported format")
    if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
        _check_xlsx_members(zf, infos, ctx)
        return _read_xlsx(data, sheet, header, ctx)
    if "word/document.xml" in names or "ppt/presentation.xml" in names:
        raise IngestError("this is a Word or PowerPoint file, not a table", reason="unsupported format")
    members = [i for i in infos if not i.is_dir() and not i.filename.startswith("__MACOSX")]
    if len(members) != 1:
        raise IngestError(f"the ZIP archive holds {len(members)} files; upload one table (or a ZIP with exactly one)",
                          reason="unsupported format")
    if depth >= 2:
        raise IngestError("the file is compressed more than twice over (ZIP / gzip inside each other); upload "
                          "the table itself or one compressed layer", reason="nested archive")
    info = members[0]
    if info.flag_bits & 0x1:
        raise IngestError("the ZIP archive is password-protected; upload the table without a password",
                          reason="encrypted zip")
    try:
        inner = _inflate(lambda: zf.open(info), "the file inside the ZIP archive", ctx)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError) as e:
        raise IngestError(f"cannot unpack the ZIP archive ({_short_error(e)})", reason="bad zip") from e
    table = _read(inner, filename, sheet, encoding, delimiter, header, ctx, depth + 1)
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


_GB_PAIR = re.compile(rb"[\x81-\xfe][\x40-\x7e\x80-\xfe]")
_WORD = re.compile(r"[^\W\d_]+")


def _gb_plausible(data: bytes) -> bool:
    """True when the double-byte sequences look like Chinese GBK text: most of them are common GB2312
    characters (lead byte 0xB0-0xD7, level 1) or full-width punctuation (0xA1-0xA9), with a trail byte
    0xA1-0xFE. Western text in cp1252 decodes as rare GB18030 characters (an accented lowercase letter
    0xE0-0xFF as a lead byte, often with an ASCII trail byte) and fails this."""
    pairs = _GB_PAIR.findall(data[:200_000])
    if not pairs:
        return True
    common = sum(1 for p in pairs if (0xB0 <= p[0] <= 0xD7 or 0xA1 <= p[0] <= 0xA9) and p[1] >= 0xA1)
    return common / len(pairs) >= 0.5


def _western(data: bytes) -> str | None:
    """The text decoded as Windows-1252 (a superset of Latin-1's letters) when it reads like Western
    European words: the non-ASCII characters are mostly letters, and most of them sit in words that
    also hold ASCII letters ("Crème", "Müsli", "Pão"). Cyrillic or Greek single-byte text read this way
    gives words with no ASCII letter at all; Central European cp1250 text gives symbols (³ ¹ ¿)."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    sample = text[:200_000]
    non_ascii = sum(1 for c in sample if ord(c) > 127)
    if not non_ascii:
        return None
    words = [w for w in _WORD.findall(sample) if not w.isascii()]
    letters = sum(1 for w in words for c in w if ord(c) > 127 and c.isalpha())
    mixed = sum(sum(1 for c in w if ord(c) > 127 and c.isalpha()) for w in words
                if any(c.isascii() and c.isalpha() for c in w))
    if letters / non_ascii >= 0.7 and mixed / non_ascii >= 0.3:
        return text
    return None


def _single_byte(enc: str) -> bool:
    try:
        codecs.lookup(enc)
    except LookupError:
        return False
    ok = 0
    for b in range(0xA0, 0x100):
        try:
            bytes([b]).decode(enc)
            ok += 1
        except UnicodeDecodeError:
            pass
    return ok >= 64 and not enc.startswith("utf")


def _legacy_note(enc: str | None, *, declared: bool) -> str | None:
    """A note for the user when the encoding is a guessed legacy single-byte one (the guess can be wrong)."""
    if declared or not enc or enc in ("ascii", "utf-8", "utf-8-sig") or not _single_byte(enc):
        return None
    if enc == "cp1252":
        return ("text encoding guessed as Windows-1252 / Latin-1 (Western European); if letters look wrong, "
                "choose the file's encoding under the read options")
    return (f"text encoding guessed as {enc} (a legacy single-byte encoding); if letters look wrong, choose the "
            "file's encoding under the read options")


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
        if _mostly_cjk(text) and _gb_plausible(data):
            return text, "gb18030", None
    except UnicodeDecodeError:
        pass
    western = _western(data)
    if western is not None:
        return western, "cp1252", None
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


def _csv_field_limit(lim: Limits) -> None:
    """Python's csv module refuses fields over its (process-wide) limit; make room for the cell limit and
    the sample so our own check, which names the setting, is the one that speaks."""
    need = max(lim.cell_chars, _SAMPLE_CHARS) + 1
    if csv.field_size_limit() < need:
        csv.field_size_limit(need)


def _width(cells: list) -> int:
    """Cells up to the last non-blank one (trailing delimiters do not make columns)."""
    for j in range(len(cells) - 1, -1, -1):
        c = cells[j]
        if c is not None and str(c).strip():
            return j + 1
    return 0


def _check_head(recs: list[_Rec], lim: Limits, cut: bool) -> None:
    """Columns and cell length on the sample's records, before the file is parsed."""
    for r in recs:
        if len(r.cells) > lim.columns and _width(r.cells) > lim.columns:
            more = " or more" if cut and r is recs[-1] else ""
            raise limits_mod.over("columns", lim, where=f"line {r.start + 1:,}",
                                  actual=f"{_width(r.cells):,}{more} columns")
        for j, c in enumerate(r.cells):
            if len(c) > lim.cell_chars:
                raise limits_mod.over("cell_chars", lim, where=f"line {r.start + 1:,}, column {j + 1:,}",
                                      actual=f"a cell of {len(c):,}{' or more' if cut else ''} characters")


def _read_text(text: str, enc: str, utf8: bytes | None, delimiter: str | None, header: bool | None,
               ctx: _Ctx) -> RawTable:
    lim = ctx.limits
    _csv_field_limit(lim)
    if "\n" not in text and "\r" in text:  # old Mac line endings
        text, utf8 = text.replace("\r", "\n"), None
    n_lines = text.count("\n") + 1
    max_lines = 2 * lim.rows + 1000  # records <= lines; a flood of blank lines must not cost memory either
    if n_lines > max_lines:
        raise limits_mod.over("rows", lim, actual=f"the file has {n_lines:,} lines (more than twice the row limit, "
                                                  "blank lines included)")
    head = text[:_SAMPLE_CHARS]
    cut = len(text) > _SAMPLE_CHARS
    if cut and "\n" in head:
        head, cut = head[: head.rindex("\n") + 1], False
    delim = _norm_delimiter(delimiter) or _sniff(head)
    recs = _records(head, delim)
    _check_head(recs, lim, cut)
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
    read_names = tuple(names)
    fast = True
    if data_line < len(starts):
        offset = int(starts[data_line])
        if delim == _WS:
            frame, lines = _fast_whitespace(b, offset, starts, data_line, names, lim)
        elif not _quote_spans_lines(b[offset:], starts[data_line:] - offset):
            frame, lines = _fast_csv(b, offset, starts, data_line, names, delim, lim)
        if frame is None:
            fast = False
            frame, lines, names = _python_rows(text, data_line, names, delim, lim)
        if len(starts) > 1 and int(np.diff(starts).max()) > lim.cell_chars:  # some line is longer than a cell may be
            _check_cells(frame, lines, lim)
    else:
        frame, lines = pd.DataFrame({n: pd.Series([], dtype="str") for n in names}), np.zeros(0, np.int64)
    fmt = _FORMATS.get(delim, "text" if delim == _WS else "csv")
    frame, lines, totals = _tidy(frame, lines)
    if frame.empty:
        if has_header:
            raise IngestError("the file has a header row but no data rows", reason="header only")
        raise IngestError("the file holds no data rows", reason="empty")
    return RawTable(frame=frame, header_row=header_row, skipped_top=skipped, dropped_totals=totals, encoding=enc,
                    delimiter=delim, format=fmt, sheet_names=[], line_numbers=lines, notes=notes,
                    layout=TextLayout(delimiter=delim, names=read_names, data_line=int(data_line), fast=fast))


_FORMATS = {",": "csv", "\t": "tsv"}


def _check_rows(count: int, lines: np.ndarray, lim: Limits) -> None:
    if count > lim.rows:
        raise limits_mod.over("rows", lim, where=f"row {lim.rows + 1:,} (line {int(lines[lim.rows]):,})")


def _check_cells(frame: pd.DataFrame, lines: np.ndarray, lim: Limits) -> None:
    """Cell length over the whole frame (only called when some line is longer than the limit)."""
    for j, c in enumerate(frame.columns):
        arr = pa.array(frame[c].to_numpy(dtype=object, na_value=None), type=pa.string())
        length = pc.utf8_length(arr)
        top = pc.max(length).as_py()
        if top is not None and top > lim.cell_chars:
            i = int(np.flatnonzero(np.asarray(pc.fill_null(length, 0)) > lim.cell_chars)[0])
            raise limits_mod.over("cell_chars", lim, where=f"line {int(lines[i]):,}, column '{c}'",
                                  actual=f"a cell of {int(length[i].as_py()):,} characters")


def _fast_csv(b: bytes, offset: int, starts: np.ndarray, data_line: int, names: list[str], delim: str,
              lim: Limits):
    lines = _content_lines(b, starts, ws_blank=False)
    lines = lines[lines >= data_line] + 1
    _check_rows(len(lines), lines, lim)  # one record per non-empty line here: refuse before parsing
    try:
        table = _arrow_csv(b, offset, len(names), delim)
    except (pa.ArrowInvalid, pa.ArrowException):
        return None, None
    if len(lines) != table.num_rows:
        return None, None
    return _text_frame(table, names), lines


def _arrow_csv(b: bytes, offset: int, ncols: int, delim: str, block_size: int = 8 << 20) -> pa.Table:
    """Records of ``b[offset:]`` (one per non-empty line, no value spanning lines) as ``ncols`` string
    columns, blank cells missing. Raises pa.ArrowInvalid on a ragged row or invalid UTF-8."""
    cols = [f"c{i}" for i in range(ncols)]
    return pacsv.read_csv(
        pa.BufferReader(pa.py_buffer(b).slice(offset)),
        read_options=pacsv.ReadOptions(column_names=cols, block_size=block_size),
        parse_options=pacsv.ParseOptions(delimiter=delim, quote_char='"', double_quote=True,
                                         newlines_in_values=False, ignore_empty_lines=True),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in cols},
                                             strings_can_be_null=True, quoted_strings_can_be_null=True,
                                             null_values=[""]),
    )


def _text_frame(table: pa.Table, names: list[str] | tuple[str, ...]) -> pd.DataFrame:
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype(na_value=np.nan)}.get)
    frame.columns = list(names)
    return frame


def _fast_whitespace(b: bytes, offset: int, starts: np.ndarray, data_line: int, names: list[str], lim: Limits):
    lines = _content_lines(b, starts, ws_blank=True)
    lines = lines[lines >= data_line] + 1
    _check_rows(len(lines), lines, lim)
    frame = _pandas_whitespace(b, offset, names)
    if frame is None or len(lines) != len(frame):
        return None, None
    return frame, lines


def _pandas_whitespace(b: bytes, offset: int, names: list[str] | tuple[str, ...]) -> pd.DataFrame | None:
    """Whitespace-separated records of ``b[offset:]`` as text columns; None when a line has extra fields."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # extra fields would be dropped silently
            frame = pd.read_csv(io.BytesIO(b[offset:]), sep=r"\s+", header=None, names=list(names), dtype="str",
                                keep_default_na=False, na_values=[""], skip_blank_lines=True, engine="c",
                                index_col=False)
    except (ValueError, pd.errors.ParserError, pd.errors.ParserWarning, IndexError):
        return None
    return frame.astype("str")


def _python_rows(text: str, data_line: int, names: list[str], delim: str, lim: Limits):
    rows: list[list[str]] = []
    lines: list[int] = []

    def check(cells: list[str], line: int) -> None:
        if len(rows) >= lim.rows:
            raise limits_mod.over("rows", lim, where=f"row {lim.rows + 1:,} (line {line:,})")
        if len(cells) > lim.columns and _width(cells) > lim.columns:
            raise limits_mod.over("columns", lim, where=f"line {line:,}", actual=f"{_width(cells):,} columns")
        longest = max(cells, key=len)
        if len(longest) > lim.cell_chars:
            raise limits_mod.over("cell_chars", lim, where=f"line {line:,}, column {cells.index(longest) + 1:,}",
                                  actual=f"a cell of {len(longest):,} characters")

    if delim == _WS:
        for i, line in enumerate(text.split("\n")[data_line:], start=data_line):
            cells = line.split()
            if cells:
                check(cells, i + 1)
                rows.append(cells)
                lines.append(i + 1)
    else:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, quotechar='"', strict=False)
        prev = 0
        try:
            for cells in reader:
                start, prev = prev, reader.line_num
                if start < data_line or not cells:
                    continue
                check(cells, start + 1)
                rows.append(cells)
                lines.append(start + 1)
        except csv.Error as e:
            if "field larger than field limit" in str(e):
                raise limits_mod.over("cell_chars", lim, where=f"line {prev + 1:,}",
                                      actual=f"a cell of more than {csv.field_size_limit() - 1:,} characters") from e
            raise
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


_AUTO_NAME = re.compile(r"(column|extra)_\d+")
_TOTALS_MAX = 10  # totals rows dropped at the bottom, at most


def _tidy(frame: pd.DataFrame, lines: np.ndarray, *, auto: bool = True,
          totals: bool = True) -> tuple[pd.DataFrame, np.ndarray, list[int]]:
    """Drop all-blank rows, columns we named ourselves that hold nothing (``auto``) and totals rows at the
    bottom (``totals``)."""
    if frame.empty:
        return frame, lines, []
    # columns we had to name ourselves (blank header cell, trailing delimiter) that hold nothing
    empty = [c for c in frame.columns if _AUTO_NAME.fullmatch(str(c)) and frame[c].isna().all()] if auto else []
    if empty and len(empty) < len(frame.columns):
        frame = frame.drop(columns=empty)
    present = np.zeros(len(frame), dtype=bool)
    for c in frame.columns:
        present |= frame[c].notna().to_numpy(dtype=bool)
    maybe = np.flatnonzero(present)
    if len(maybe):  # rows whose present cells are all whitespace count as blank too
        sub = frame.iloc[maybe] if len(maybe) < len(frame) else frame  # no copy when no row is empty
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
    found: list[int] = []
    k = len(frame)
    while totals and k > 0 and len(found) < _TOTALS_MAX:
        row = frame.iloc[k - 1].tolist()
        if any(_is_total(v) for v in row):
            found.append(int(lines[k - 1]))
            k -= 1
        else:
            break
    if found:
        frame = frame.iloc[:k].reset_index(drop=True)
        lines = lines[:k]
    return frame, np.asarray(lines, dtype=np.int64), sorted(found)


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


_XML_MEMBER = re.compile(r"(\.xml|\.rels|\.vml)$", re.I)
_ENTITY_MARKS = (b"<!DOCTYPE", b"<!ENTITY")


def _entities_refused(where: str) -> IngestError:
    return IngestError(f"the XLSX file contains XML entities ({where}), which are refused; save the workbook "
                       "again from Excel or as CSV", reason="xml entities")


def _check_xlsx_members(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], ctx: _Ctx) -> None:
    """Before openpyxl parses anything (it reads the shared-strings table, and a huge inline cell, whole):
    inflate every member once, counting the bytes actually produced against the unpacked-size budget,
    and scan the XML for entity declarations and for a text run longer than any allowed cell could be."""
    lim = ctx.limits
    # chars <= bytes of a text run; an escape such as &#x1F600; is at most ~12 bytes for one character
    max_run = 12 * lim.cell_chars + 1024
    for info in infos:
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise IngestError("the XLSX file is password-protected; remove the password in Excel and upload again",
                              reason="encrypted xlsx")
        is_xml = bool(_XML_MEMBER.search(info.filename))
        run = 0  # bytes since the last '<' (text content cannot hold a raw '<')
        tail = b""
        try:
            with zf.open(info) as fh:
                while True:
                    piece = fh.read(_CHUNK)
                    if not piece:
                        break
                    ctx.spend(len(piece), "the XLSX file")
                    if not is_xml:
                        continue
                    window = tail + piece
                    if b"<!" in window and any(m in window for m in _ENTITY_MARKS):
                        raise _entities_refused(f"a DOCTYPE or ENTITY declaration in {info.filename}")
                    tail = piece[-16:]
                    first = piece.find(b"<")
                    if first < 0:
                        longest = run = run + len(piece)
                    else:
                        longest = run + first
                        if max_run < len(piece):  # a run inside this chunk could be too long as well
                            lt = np.flatnonzero(np.frombuffer(piece, dtype=np.uint8) == 60)
                            if len(lt) > 1:
                                longest = max(longest, int(np.diff(lt).max()) - 1)
                        run = len(piece) - piece.rfind(b"<") - 1
                    if max(longest, run) > max_run:
                        raise limits_mod.over("cell_chars", lim, where=info.filename,
                                              actual=f"a cell text of more than {max_run:,} bytes")
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError,
                KeyError) as e:
            raise IngestError(f"the XLSX file is damaged ({_short_error(e)})", reason="bad xlsx") from e


def _xml_error(e: BaseException) -> IngestError | None:
    """defusedxml / ElementTree errors as the user's message (None when e is something else). openpyxl
    wraps some in a ValueError ("could not read strings"), so the chain of causes is searched too."""
    seen: BaseException | None = e
    for _ in range(5):
        if seen is None:
            break
        name = type(seen).__name__
        if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError"):
            return _entities_refused(name)
        if name in ("ParseError", "ExpatError") or isinstance(seen, SyntaxError):
            return IngestError(f"the XLSX file holds broken XML ({_short_error(seen)})", reason="bad xlsx")
        seen = seen.__cause__ or seen.__context__
    return None


def _read_xlsx(data: bytes, sheet: str | int | None, header: bool | None, ctx: _Ctx) -> RawTable:
    try:
        import openpyxl
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet._reader import WorkSheetParser
    except ImportError as e:  # pragma: no cover
        raise IngestError("XLSX support needs openpyxl", reason="unsupported format") from e
    lim = ctx.limits
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except IngestError:
        raise
    except Exception as e:  # noqa: BLE001 - a hostile file can make the parser raise anything
        raise _xml_error(e) or IngestError(f"the XLSX file cannot be opened ({type(e).__name__}: {_short_error(e)})",
                                           reason="bad xlsx") from e
    rows: list[tuple[int, list]] = []
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
        title = ws.title
        if not hasattr(ws, "_get_source"):
            raise IngestError(f"sheet '{title}' is a chart sheet, not a table", reason="empty")
        # openpyxl's own read-only row parser, driven here so that every limit is checked on each row as it
        # is parsed, missing rows are never materialised and cells far to the right never widen a row
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with ws._get_source() as src:
                parser = WorkSheetParser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                                         date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
                filled = 0
                for idx, cells in parser.parse():
                    parser.row_dimensions.clear()  # kept per row by openpyxl: memory for nothing here
                    if idx > _EXCEL_MAX_ROW:
                        raise IngestError(f"sheet '{title}' has a row {idx:,}, beyond the last row of an Excel "
                                          f"sheet ({_EXCEL_MAX_ROW:,}); the file is damaged", reason="bad xlsx")
                    out: dict[int, str] = {}
                    for c in cells:
                        v = c["value"]
                        if v is None:
                            continue
                        text = _cell_text(v)
                        if text is None:
                            continue
                        col = int(c["column"])
                        if col > lim.columns:
                            raise limits_mod.over("columns", lim,
                                                  where=f"sheet '{title}' row {idx:,}, column {col:,}")
                        if len(text) > lim.cell_chars:
                            raise limits_mod.over("cell_chars", lim,
                                                  where=f"sheet '{title}' cell {get_column_letter(col)}{idx}",
                                                  actual=f"a cell of {len(text):,} characters")
                        out[col] = text
                    if not out:
                        continue
                    filled += 1
                    if filled > lim.rows + 1:  # the header row and lim.rows data rows
                        raise limits_mod.over("rows", lim, where=f"sheet '{title}' row {idx:,}")
                    row = [None] * max(out)
                    for col, text in out.items():
                        row[col - 1] = text
                    rows.append((idx, row))
    except IngestError:
        raise
    except Exception as e:  # noqa: BLE001 - see above
        raise _xml_error(e) or IngestError(f"the XLSX file cannot be read ({type(e).__name__}: {_short_error(e)})",
                                           reason="bad xlsx") from e
    finally:
        wb.close()
    width = max((len(r) for _, r in rows), default=0)
    if width == 0:
        others = [n for n in names if n != title]
        hint = f"; the workbook also has sheet(s) {', '.join(others)}: choose one" if others else ""
        raise IngestError(f"sheet '{title}' is empty{hint}", reason="empty")
    recs = [_Rec(idx - 1, idx, r + [None] * (width - len(r))) for idx, r in rows]
    filled_counts = [r.filled for r in recs if r.filled]
    ncols, _ = _mode_share(filled_counts)
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
    cols = {n: pd.Series([r.cells[j] for r in body], dtype="str") for j, n in enumerate(names_)}
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


# ---------------------------------------------------------------------------------------------------
# streaming (big delimited text files, read block by block)

STREAM_HEAD_BYTES = 4 << 20  # the sample read like a whole file: encoding, delimiter, header, columns, mapping
STREAM_BLOCK_BYTES = 8 << 20  # one block of records (~100,000 lines of a typical export)
_MAX_LINE_BYTES = 256 << 20  # one line longer than this is refused by the streaming reader
_PARSE_BLOCK_BYTES = 1 << 20  # pyarrow parses the pieces of one block in parallel
_STATEFUL = ("utf-16", "utf-32", "utf_16", "utf_32", "utf-7", "utf_7", "iso2022", "iso-2022", "hz")


class NotStreamable(Exception):
    """The streaming reader cannot read this file exactly as :func:`read_table` would (a quoted value
    spanning lines, a ragged row, UTF-16 text, a second compression layer ...). The message says what
    and where; the caller reads the file whole instead when it is small enough."""


@dataclass
class TextChunk:
    """The records of one block: text cells of every column read, their source lines (all-blank rows
    dropped; the totals rows at the bottom of the file dropped from the last chunk)."""

    raw: RawTable
    filled: frozenset[str]  # auto-named columns (blank header cell) holding a value in this block
    last: bool


def _is_gzip(path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _ascii_safe(enc: str) -> bool:
    """True when every ASCII byte of the encoded text is that ASCII character (a line break, a delimiter
    or a quote is never part of a multi-byte character), so blocks can be cut at line breaks."""
    try:
        name = codecs.lookup(enc).name
    except LookupError:
        return False
    if name.startswith(_STATEFUL):
        return False
    if name == "utf-8-sig":  # the mark is skipped at the start of the file
        return True
    probe = "\n\r,;\t|\" abc019"
    try:
        return probe.encode(name) == probe.encode("ascii")
    except UnicodeError:
        return False


def _line_of(b: bytes, pos: int, line_base: int) -> int:
    """1-based line of byte ``pos`` of block ``b`` whose first line is ``line_base`` (0-based)."""
    return line_base + b.count(b"\n", 0, max(0, pos)) + 1


class TextStream:
    """A big delimited text file (plain or gzip) read block by block with the same rules as
    :func:`read_table`, so that the rows, their cells and their line numbers are the ones the whole-file
    reader gives. The head (first :data:`STREAM_HEAD_BYTES`, cut at a line break) is read by
    :func:`read_table` itself: encoding, delimiter, title rows, header, column names. :meth:`chunks`
    then parses the file from its first data line in blocks of complete lines with ``pyarrow.csv``
    (every cell a string), checking the row, cell-length and unpacked-size limits as it goes.

    What only the whole file decides is left to the caller: which empty auto-named columns to drop
    (``TextChunk.filled``). A file the vectorised parser cannot number exactly (a quoted value spanning
    lines, a ragged row, a line break inside a cell, text in another encoding further down) raises
    :class:`NotStreamable` naming the line."""

    def __init__(self, path, *, filename: str = "", encoding: str | None = None, delimiter: str | None = None,
                 header: bool | None = None, limits: Limits | None = None, block_bytes: int | None = None,
                 head_bytes: int | None = None) -> None:
        self.path = path
        self.filename = filename
        self.limits = limits or limits_mod.current()
        self.block_bytes = int(block_bytes or STREAM_BLOCK_BYTES)
        self.gzip = _is_gzip(path)
        self.size = os.path.getsize(path)
        self.declared = encoding
        self.bytes_read = 0  # of the file on disk (compressed bytes for a gzip): for progress
        self.rows_read = 0  # records read so far in the current pass
        head, whole = self._head(int(head_bytes or STREAM_HEAD_BYTES))
        if head[:2] == b"\x1f\x8b" or head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
            raise NotStreamable("the file holds another compressed file")
        if b"\n" not in head and not whole:
            raise NotStreamable("no line break in the first "
                                f"{_mb(len(head))} (old Mac line endings or one very long line)")
        # the head is read like a whole file, without the row limit (the stream counts rows itself)
        try:
            self.head = read_table(head, filename=filename, encoding=encoding, delimiter=delimiter, header=header,
                                   limits=self.limits.with_(rows=1 << 62))
        except IngestError as e:
            if whole or e.reason not in ("header only", "empty"):
                raise
            raise NotStreamable(f"the first {_mb(len(head))} hold no data row") from e
        layout = self.head.layout
        if layout is None:
            raise NotStreamable("not a delimited text file")
        # a head that is not one record per line (layout.fast False) is refused by the block that holds
        # the line in question, with its number
        enc = self.head.encoding or "utf-8"
        if not _ascii_safe(enc):
            raise NotStreamable(f"its text encoding is {enc}")
        self.encoding = enc
        self.layout = layout
        self.names = list(layout.names)
        self.auto = [c for c in self.names if _AUTO_NAME.fullmatch(c)]

    # -- bytes

    def _open(self):
        raw = open(self.path, "rb")
        if not self.gzip:
            return raw, raw
        return raw, gzip.GzipFile(fileobj=raw, mode="rb")

    def _read(self, src, n: int, ctx: _Ctx) -> bytes:
        try:
            piece = src.read(n)
        except (OSError, EOFError, zlib.error) as e:
            if not self.gzip:
                raise
            raise IngestError(f"the gzip file is damaged or incomplete ({_short_error(e)})", reason="bad gzip") from e
        if self.gzip:
            ctx.spend(len(piece), "the gzip file")
        return piece

    def _head(self, n: int) -> tuple[bytes, bool]:
        """(the first ``n`` bytes of text cut after a line break, True when that is the whole file)."""
        ctx = _Ctx(self.limits)
        raw, src = self._open()
        try:
            data = self._read(src, n, ctx)
            if len(data) < n:
                return data, True
            cut = data.rfind(b"\n")
            while cut < 0 and len(data) < _MAX_LINE_BYTES:
                more = self._read(src, 1 << 20, ctx)
                if not more:
                    return data, True
                data += more
                cut = data.rfind(b"\n")
            if cut + 1 == len(data) and not self._read(src, 1, ctx):
                return data, True
            return (data[: cut + 1] if cut >= 0 else data), False
        finally:
            src.close()
            raw.close()

    # -- records

    def chunks(self) -> "Iterator[TextChunk]":
        """The file's records, block by block (a new pass over the file each call)."""
        lim = self.limits
        ctx = _Ctx(lim)
        enc = self.encoding
        declared = bool(self.declared)
        utf8 = codecs.lookup(enc).name in ("utf-8", "utf-8-sig") if enc else True
        ascii_so_far = True
        # a declared legacy encoding is refused when the file is UTF-8 (as read_table does)
        legacy_checked = declared and not utf8 and codecs.lookup(enc).name != "ascii"
        all_utf8, any_high = True, False
        data_line = self.layout.data_line
        ws = self.layout.delimiter == _WS
        line_base = 0  # 0-based line of the first line of the next block
        pending = b""
        carry: pd.DataFrame | None = None
        carry_lines = np.zeros(0, np.int64)
        self.rows_read = 0
        first = True
        raw, src = self._open()
        try:
            while True:
                piece = self._read(src, self.block_bytes, ctx)
                self.bytes_read = raw.tell()
                last = not piece
                if last:
                    block, pending = pending, b""
                else:
                    buf = pending + piece if pending else piece
                    cut = buf.rfind(b"\n")
                    if cut < 0:
                        if len(buf) > _MAX_LINE_BYTES:
                            raise IngestError(f"line {line_base + 1:,} is longer than {_mb(_MAX_LINE_BYTES)}",
                                              reason="cell_chars limit")
                        pending = buf
                        continue
                    block, pending = buf[: cut + 1], buf[cut + 1:]
                if first and utf8 and block.startswith(codecs.BOM_UTF8):  # as read_table: the mark is no text
                    block = block[len(codecs.BOM_UTF8):]
                if b"\x00" in block:
                    raise IngestError("this looks like a binary file (it contains NUL bytes), not a text table",
                                      reason="binary file")
                high = not block.isascii()
                if legacy_checked and high:
                    any_high = True
                    if all_utf8:
                        try:
                            block.decode("utf-8")
                        except UnicodeDecodeError:
                            all_utf8 = False
                if utf8 and high and ascii_so_far:
                    ascii_so_far = False
                    try:
                        block.decode("utf-8")
                    except UnicodeDecodeError as e:
                        if declared or enc != "utf-8":
                            raise NotStreamable(f"line {_line_of(block, e.start, line_base):,} is not valid "
                                                f"{enc} text") from e
                        # ASCII so far, then bytes that are no UTF-8: the whole-file reader takes GB18030 (the
                        # ASCII lines read the same in it)
                        enc, utf8 = "gb18030", False
                        self.encoding = enc
                if utf8:
                    ub = block
                else:
                    try:
                        ub = block.decode(enc).encode("utf-8")
                    except UnicodeDecodeError as e:
                        raise NotStreamable(f"line {_line_of(block, e.start, line_base):,} cannot be decoded as "
                                            f"{enc}") from e
                frame, lines, n_lines = self._parse(ub, line_base, data_line, ws)
                line_base += n_lines
                filled = frozenset(c for c in self.auto if frame is not None and frame[c].notna().any())
                if frame is not None:
                    frame, lines, _ = _tidy(frame, lines, auto=False, totals=False)
                    if carry is not None and len(carry):
                        frame = pd.concat([carry, frame], ignore_index=True)
                        lines = np.concatenate([carry_lines, lines])
                elif carry is not None:
                    frame, lines = carry, carry_lines
                else:
                    frame, lines = self._empty(), np.zeros(0, np.int64)
                totals: list[int] = []
                if last:
                    if legacy_checked and any_high and all_utf8:
                        raise IngestError(f"the declared encoding {self.declared} is wrong: the file is UTF-8; "
                                          "leave the encoding empty to detect it", reason="wrong encoding")
                    frame, lines, totals = _tidy(frame, lines, auto=False, totals=True)
                    carry = None
                else:  # the last rows wait for the next block: totals rows are only known at the bottom
                    k = max(0, len(frame) - _TOTALS_MAX)
                    carry, carry_lines = frame.iloc[k:].reset_index(drop=True), lines[k:]
                    frame, lines = frame.iloc[:k], lines[:k]
                raw_table = RawTable(frame=frame.reset_index(drop=True), header_row=self.head.header_row,
                                     skipped_top=self.head.skipped_top if first else 0,
                                     dropped_totals=totals, encoding=enc, delimiter=self.head.delimiter,
                                     format=self.head.format, sheet_names=[], line_numbers=lines,
                                     compression="gzip" if self.gzip else None, layout=self.layout)
                first = False
                yield TextChunk(raw=raw_table, filled=filled, last=last)
                if last:
                    return
        finally:
            src.close()
            raw.close()

    def _ragged(self, b: bytes, line0: int) -> None:
        """The first line of ``b`` (0-based line ``line0`` of the file) whose field count is not the
        header's: over the column limit, the limit's error (as read_table gives); else NotStreamable."""
        lim, ncols = self.limits, len(self.names)
        try:
            text = b.decode("utf-8")
        except UnicodeDecodeError:
            return
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=self.layout.delimiter, quotechar='"', strict=False)
        prev = 0
        try:
            for cells in rows:
                start, prev = prev, rows.line_num
                if not cells or len(cells) == ncols:
                    continue
                line = line0 + start + 1
                if len(cells) > lim.columns and _width(cells) > lim.columns:
                    raise limits_mod.over("columns", lim, where=f"line {line:,}", actual=f"{_width(cells):,} columns")
                raise NotStreamable(f"line {line:,} has {len(cells):,} fields where the header has {ncols:,}")
        except csv.Error:
            return

    def _empty(self) -> pd.DataFrame:
        return pd.DataFrame({n: pd.Series([], dtype="str") for n in self.names})

    def _parse(self, ub: bytes, line_base: int, data_line: int, ws: bool):
        """(text frame | None, 1-based lines, line breaks in ``ub``) of one block of complete lines."""
        lim = self.limits
        starts = _line_starts(ub)
        n_lines = len(starts) - 1  # line breaks; a last line without one is the file's last
        skip = data_line - line_base  # lines of this block above the first data line
        if skip >= len(starts) or (skip >= n_lines and ub.endswith(b"\n")):
            return None, np.zeros(0, np.int64), n_lines
        skip = max(0, skip)
        offset = int(starts[skip])
        cl = _content_lines(ub, starts, ws_blank=ws)
        lines = cl[cl >= skip] + line_base + 1
        if not len(lines):
            return None, lines, n_lines
        if self.rows_read + len(lines) > lim.rows:
            at = int(lines[lim.rows - self.rows_read])
            raise limits_mod.over("rows", lim, where=f"row {lim.rows + 1:,} (line {at:,})")
        first, end = int(lines[0]), int(lines[-1])
        if ws:
            frame = _pandas_whitespace(ub, offset, self.names)
            if frame is None or len(frame) != len(lines):
                raise NotStreamable(f"a line between lines {first:,} and {end:,} has more fields than the header")
        else:
            rel = starts[skip:] - offset
            if _quote_spans_lines(ub[offset:], rel):
                arr = np.frombuffer(ub, dtype=np.uint8)
                pos = np.flatnonzero(arr[offset:] == 34)
                odd = np.flatnonzero(np.bincount(np.searchsorted(rel, pos, side="right") - 1) % 2)
                raise NotStreamable(f"line {line_base + skip + int(odd[0]) + 1:,} has a quote mark that is not "
                                    "closed on that line (a quoted value spanning lines)")
            try:
                table = _arrow_csv(ub, offset, len(self.names), self.layout.delimiter,
                                   block_size=_PARSE_BLOCK_BYTES)
            except (pa.ArrowInvalid, pa.ArrowException) as e:
                self._ragged(ub[offset:], line_base + skip)  # raises, naming the line, when a row is ragged
                what = "text that is not valid UTF-8" if "utf8" in str(e).lower() else _short_error(e)
                raise NotStreamable(f"lines {first:,} to {end:,} hold {what}") from e
            if table.num_rows != len(lines):
                raise NotStreamable(f"lines {first:,} to {end:,} hold a line break inside a value")
            frame = _text_frame(table, self.names)
        if len(starts) > 1 and int(np.diff(starts).max()) > lim.cell_chars:
            _check_cells(frame, lines, lim)
        self.rows_read += len(lines)
        return frame, lines, n_lines
