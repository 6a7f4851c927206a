"""XLSX / XLSM workbooks: every member inflated and scanned before openpyxl parses anything (unpacked
size, XML entities, over-long text runs), then the sheet's rows read with openpyxl's own row parser,
every limit checked on each row."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from datetime import date, datetime, time

import numpy as np
import pandas as pd

from data import limits as limits_mod
from data.errors import IngestError

from .base import _CHUNK, RawTable, _Ctx, _short_error
from .text import _find_start, _header_names, _looks_like_data, _mode_share, _Rec, _tidy

_EXCEL_MAX_ROW = 1_048_576


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
