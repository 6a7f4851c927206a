"""The files in the engine: :class:`Sources` reads each file of an upload (whole, or block by block
into a temporary Parquet file) into a table of text cells with its source line, and computes the
facts the relation checks need (distinct keys, values in common, repeated keys)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from data import engine as eng
from data import limits as limits_mod
from data import reader
from data.errors import IngestError
from data.limits import Limits

LINE = eng.LINE
MAX_FILES = 12


@dataclass(frozen=True)
class SourceFile:
    name: str
    rows: int
    columns: tuple[str, ...]


class Sources:
    """The files of one upload, each a table of text cells in the engine (use as a context manager:
    :meth:`close` removes the temporary Parquet files of streamed ones)."""

    def __init__(self) -> None:
        self.tables: dict[str, ibis.Table] = {}
        self.files: dict[str, SourceFile] = {}
        self.bytes: dict[str, int] = {}
        self._tmp: Path | None = None
        self._stats: dict[tuple[str, str], tuple[int, int]] = {}

    def __enter__(self) -> "Sources":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Forget the tables and remove the temporary directory (idempotent)."""
        self.tables.clear()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    @property
    def names(self) -> list[str]:
        """The files' names, in the order given.

        Returns
        -------
        list[str]
            The names.
        """
        return list(self.files)

    def _check_name(self, name: str, count: int) -> None:
        if count > MAX_FILES:
            raise IngestError(f"at most {MAX_FILES} files make one dataset, got {count}", reason="too many files")
        if name in self.files:
            raise IngestError("two files of this upload have this name; rename one", file=name, reason="same name")

    def _add(self, name: str, frame: pd.DataFrame, lines: np.ndarray, size: int) -> None:
        frame = frame.copy(deep=False)
        frame.columns = [str(c) for c in frame.columns]
        _check_columns(name, list(frame.columns))
        frame[LINE] = np.asarray(lines, dtype="int64")
        self.tables[name] = eng.from_frame(frame, local=True)  # staged files join in embedded DuckDB
        self.files[name] = SourceFile(name=name, rows=len(frame), columns=tuple(c for c in frame.columns if c != LINE))
        self.bytes[name] = size

    @classmethod
    def from_bytes(cls, files: Sequence[tuple[str, bytes]], *, limits: Limits | None = None,
                   encoding: str | None = None, delimiter: str | None = None, header: bool | None = None) -> "Sources":
        """Files given as (name, bytes) (the Data page's uploads), each read whole by :mod:`data.reader`.

        Parameters
        ----------
        files : Sequence[tuple[str, bytes]]
            (name, bytes) of each file.
        limits : Limits | None
            The limits (None: :func:`data.limits.current`).
        encoding : str | None
            Text encoding, or None to detect it.
        delimiter : str | None
            Field delimiter, or None to detect it.
        header : bool | None
            Whether the first row is a header (None: detect).

        Returns
        -------
        'Sources'
            The sources.
        """
        src = cls()
        lim = limits or limits_mod.current()
        try:
            for name, content in files:
                src._check_name(name, len(files))
                raw = reader.read_table(content, filename=name, encoding=encoding, delimiter=delimiter, header=header,
                                        limits=lim)
                src._add(name, raw.frame, raw.line_numbers, len(content))
        except BaseException:
            src.close()
            raise
        return src

    @classmethod
    def from_paths(cls, paths: Sequence[str | Path], *, limits: Limits | None = None, stream_min_bytes: int = 32 << 20,
                   block_bytes: int | None = None, encoding: str | None = None, delimiter: str | None = None,
                   header: bool | None = None) -> "Sources":
        """Files on disk (the command line). A delimited text file over ``stream_min_bytes`` is read block
        by block (:class:`data.reader.TextStream`) into a temporary Parquet file the engine scans; the
        others are read whole.

        Parameters
        ----------
        paths : Sequence[str | Path]
            The files.
        limits : Limits | None
            The limits (None: :func:`data.limits.current`).
        stream_min_bytes : int
            Size above which a text file is read block by block.
        block_bytes : int | None
            Bytes per block, or None for the default.
        encoding : str | None
            Text encoding, or None to detect it.
        delimiter : str | None
            Field delimiter, or None to detect it.
        header : bool | None
            Whether the first row is a header (None: detect).

        Returns
        -------
        'Sources'
            The sources.
        """
        src = cls()
        lim = limits or limits_mod.current()
        try:
            for p in paths:
                p = Path(p)
                src._check_name(p.name, len(paths))
                if not p.is_file():
                    raise IngestError("file not found", file=str(p))
                size = p.stat().st_size
                if size > lim.upload_bytes:
                    raise limits_mod.over("upload_bytes", lim, actual=f"the file is {size / 2**20:,.1f} MB").with_file(p.name)
                if size > stream_min_bytes:
                    try:
                        src._stream(p, lim, block_bytes, encoding, delimiter, header)
                        continue
                    except reader.NotStreamable:
                        pass  # read whole below (the limits still apply)
                raw = reader.read_table(p.read_bytes(), filename=p.name, encoding=encoding, delimiter=delimiter,
                                        header=header, limits=lim)
                src._add(p.name, raw.frame, raw.line_numbers, size)
        except BaseException:
            src.close()
            raise
        return src

    def _stream(self, path: Path, lim: Limits, block_bytes, encoding, delimiter, header) -> None:
        ts = reader.TextStream(path, filename=path.name, encoding=encoding, delimiter=delimiter, header=header,
                               limits=lim, block_bytes=block_bytes)
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="prism-join-"))
        target = self._tmp / f"{len(self.files)}.parquet"
        names = [c for c in ts.names if c not in ts.auto]  # empty auto-named columns (trailing delimiters) dropped
        _check_columns(path.name, names)
        schema = pa.schema([pa.field(c, pa.string()) for c in names] + [pa.field(LINE, pa.int64())])
        rows = 0
        with pq.ParquetWriter(target, schema, compression="zstd") as w:
            for chunk in ts.chunks():
                f = chunk.raw.frame
                cols = [pa.array(f[c].astype(object).where(f[c].notna(), None).tolist() if c in f.columns
                                 else [None] * len(f), type=pa.string()) for c in names]
                cols.append(pa.array(np.asarray(chunk.raw.line_numbers, dtype="int64")))
                w.write_table(pa.Table.from_arrays(cols, schema=schema))
                rows += len(f)
        self.tables[path.name] = eng.duckdb_connection().read_parquet(str(target))
        self.files[path.name] = SourceFile(name=path.name, rows=rows, columns=tuple(names))
        self.bytes[path.name] = path.stat().st_size

    # -- facts the engine computes (cached per source and column)

    def stats(self, name: str, column: str) -> tuple[int, int]:
        """(rows with a value, distinct values) of one column, blanks as missing, spaces trimmed.

        Parameters
        ----------
        name : str
            The file.
        column : str
            The column.

        Returns
        -------
        tuple[int, int]
            (rows with a value, distinct values).
        """
        key = (name, column)
        if key not in self._stats:
            k = _key(self.tables[name][column])
            t = self.tables[name].select(k=k).filter(lambda t: t.k.notnull())
            res = t.aggregate(n=t.k.count(), d=t.k.nunique()).to_pyarrow().to_pylist()[0]
            self._stats[key] = (int(res["n"] or 0), int(res["d"] or 0))
        return self._stats[key]

    def unique(self, name: str, column: str) -> bool:
        """Whether a column has a value on some row and no value twice (a key).

        Parameters
        ----------
        name : str
            The file.
        column : str
            The column.

        Returns
        -------
        bool
            True when unique.
        """
        n, d = self.stats(name, column)
        return n > 0 and n == d

    def matched(self, a: str, ca: str, b: str, cb: str) -> int:
        """Distinct values of ``a.ca`` found in ``b.cb``.

        Parameters
        ----------
        a : str
            The first file.
        ca : str
            Its column.
        b : str
            The second file.
        cb : str
            Its column.

        Returns
        -------
        int
            The count.
        """
        left = self.tables[a].select(k=_key(self.tables[a][ca])).filter(lambda t: t.k.notnull()).distinct()
        right = self.tables[b].select(k=_key(self.tables[b][cb])).filter(lambda t: t.k.notnull()).distinct()
        return int(eng.scalar(left.semi_join(right, "k").count()))

    def repeated(self, name: str, column: str) -> tuple[int, str | None]:
        """(key values on more than one row, one of them) in ``name.column``.

        Parameters
        ----------
        name : str
            The file.
        column : str
            The column.

        Returns
        -------
        tuple[int, str | None]
            (count, an example or None).
        """
        t = self.tables[name].select(k=_key(self.tables[name][column])).filter(lambda t: t.k.notnull())
        rep = t.group_by("k").aggregate(n=t.k.count()).filter(lambda t: t.n > 1)
        res = rep.aggregate(c=rep.k.count(), e=rep.k.min()).to_pyarrow().to_pylist()[0]
        return int(res["c"] or 0), res["e"]


def _key(col: ibis.Value) -> ibis.Value:
    """A key cell as compared: spaces trimmed, a blank cell missing."""
    k = col.cast("string").strip()
    return (k == "").ifelse(ibis.null("string"), k)


def _check_columns(name: str, columns: list[str]) -> None:
    """The engine's column names ignore case: two headers differing only in case cannot both be held."""
    seen: dict[str, str] = {}
    for c in columns:
        if c == LINE:
            raise IngestError(f"the column name {LINE} is reserved", file=name, column=c, reason="reserved column")
        low = c.casefold()
        if low in seen:
            raise IngestError(f"columns '{seen[low]}' and '{c}' differ only in upper / lower case; rename one",
                              file=name, column=c, reason="column names clash")
        seen[low] = c
