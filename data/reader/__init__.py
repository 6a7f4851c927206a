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

Modules: base (:class:`RawTable`, :class:`TextLayout`, the limits of one read), entry (:func:`read_table`,
gzip and ZIP), decoding (text encodings), text (text tables), xlsx (workbooks) and stream
(:class:`TextStream`, :class:`NotStreamable`).
"""

from __future__ import annotations

from .base import DEFAULT_MAX_BYTES, RawTable, TextLayout
from .entry import read_table
from .stream import STREAM_BLOCK_BYTES, STREAM_HEAD_BYTES, NotStreamable, TextChunk, TextStream
from .text import TOTAL_WORDS, _is_total

__all__ = ["RawTable", "TextLayout", "TextStream", "TextChunk", "NotStreamable", "read_table", "TOTAL_WORDS",
           "DEFAULT_MAX_BYTES"]
# also used elsewhere: STREAM_HEAD_BYTES and STREAM_BLOCK_BYTES (read here; the streaming reader reads its own,
# data.reader.stream's, so a test overrides them there), _is_total (tests)
