"""Text tables: the delimiter sniffed, title rows skipped, the header found, the records parsed by the
vectorised parsers (``pyarrow.csv``, pandas' C parser for whitespace) or Python's csv module, the row,
column and cell-length limits checked, blank rows and totals rows dropped (:func:`_tidy`)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from data import limits as limits_mod
from data.errors import IngestError
from data.limits import Limits

from .base import _WS, RawTable, TextLayout, _Ctx

TOTAL_WORDS = frozenset({"合计", "总计", "小计", "汇总", "总合计", "total", "totals", "grandtotal", "sum", "subtotal"})
_DELIMS = (",", "\t", ";", "|")
_SAMPLE_CHARS = 256 * 1024
_MAX_TITLE_ROWS = 30


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
