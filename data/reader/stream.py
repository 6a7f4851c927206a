"""Streaming: a big delimited text file (plain or gzip) read block by block (:class:`TextStream`) with the
same rules, rows and line numbers as :func:`read_table`; :class:`NotStreamable` when it cannot be."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from data import limits as limits_mod
from data.errors import IngestError
from data.limits import Limits

from .base import _WS, RawTable, _Ctx, _mb, _short_error
from .entry import read_table
from .text import (_AUTO_NAME, _TOTALS_MAX, _arrow_csv, _check_cells, _content_lines, _line_starts,
                   _pandas_whitespace, _quote_spans_lines, _text_frame, _tidy, _width)

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
