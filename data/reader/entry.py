"""The entry point :func:`read_table`: size and emptiness checks, binary files refused by their magic bytes,
gzip and ZIP unpacked (every inflated byte counted against the unpacked-size budget), then the text or
XLSX reader."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
import zlib

import pyarrow as pa

from data import limits as limits_mod
from data.errors import IngestError
from data.limits import Limits

from .base import _CHUNK, RawTable, _Ctx, _mb, _short_error
from .decoding import _check_text, _decode, _legacy_note
from .text import _read_text
from .xlsx import _check_xlsx_members, _read_xlsx

_KEEP_INFLATED = 64 << 20  # inflate up to this much in one pass; beyond it count first (bombs cost no memory)
_MAX_MEMBERS = 10_000  # ZIP / XLSX members


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
