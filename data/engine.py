"""The engine: where the lines of every dataset revision are stored and queried (issue 13).

Lines live in Parquet files ("parts", zstd) under the lines directory; a revision is the list of its
parts, recorded in the catalogue (``dataset_revision.parts``). An append adds a part to the previous
revision's list, a replace starts a new list, and no part is ever changed after it is written. The
catalogue row that names a part commits only after the part is complete on disk, so a killed process
leaves at most an unreferenced file (removed by :func:`collect_garbage`), never a half-visible upload.

Queries are Ibis expressions compiled for embedded DuckDB (one in-process database, no server, in memory;
it scans the Parquet parts directly). Analytics receive ``dict[kind, ibis.Table]`` and aggregate there;
Python holds the aggregates, never all lines of a big dataset.

Columns of a lines table: every canonical field of the kind (typed as in data/schema.py: str -> string,
float/int -> float64, datetime -> timestamp, bool -> boolean), the derived flags of the kind (orders:
``is_return``), one ``attr_<name>`` column per kept source column, and ``__line__`` (the 1-based line
in the source file).
"""

from __future__ import annotations

import os
import threading
import uuid
import warnings
from pathlib import Path
from typing import Any, Iterable

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

# Ibis 12 calls DuckDB's fetch_arrow_table and pandas' future.infer_string option, both deprecated in the
# versions pinned here; the calls work, the warnings are theirs.
warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ibis(\.|$)")
warnings.filterwarnings("ignore", message=r"The 'future\.infer_string' option is deprecated")

LINE = "__line__"
PART_SUFFIX = ".parquet"
ROOT = Path(__file__).resolve().parent.parent

_local = threading.local()
_lock = threading.Lock()
_memtables = 0


# ---------------------------------------------------------------- connection


def _settings() -> dict[str, str]:
    out = {"threads": os.environ.get("PRISM_ENGINE_THREADS") or str(max(1, os.cpu_count() or 1))}
    mem = os.environ.get("PRISM_ENGINE_MEMORY")
    if mem:
        out["memory_limit"] = mem
    return out


def connection() -> ibis.BaseBackend:
    """This thread's Ibis backend over embedded DuckDB (in memory; parts are read where they lie).

    One DuckDB database per process, one cursor per thread: Streamlit runs each browser session in its
    own thread, and a DuckDB connection must not be used by two threads at once."""
    be = getattr(_local, "backend", None)
    if be is None:
        import duckdb

        with _lock:
            root = getattr(connection, "_root", None)
            if root is None:
                root = duckdb.connect(":memory:", config=_settings())
                connection._root = root  # type: ignore[attr-defined]
        be = ibis.duckdb.from_connection(root.cursor())
        _local.backend = be
    return be


# ---------------------------------------------------------------- tables


def read_parts(paths: Iterable[str | Path]) -> ibis.Table:
    """The lines of one revision: its parts, scanned by the engine where they lie."""
    files = [str(p) for p in paths]
    if not files:
        raise ValueError("a revision has at least one part")
    return connection().read_parquet(files)


def from_frame(frame: pd.DataFrame, name: str | None = None) -> ibis.Table:
    """A canonical frame as an engine table (tests, and callers that hold a small frame already).

    The frame is registered with this thread's DuckDB cursor as an Arrow view (no copy into the
    engine) and unregistered when the last expression built on it is gone. It gets ``__line__`` like a
    stored part: ``frame.attrs["lines"]`` (what ``load_frame`` sets), else 1..n. Timestamps are stored as
    microseconds, as in the parts (DuckDB 2.0.1 mis-groups ``EXTRACT`` on nanosecond timestamps), and
    all-empty columns as text (DuckDB has no column of type NULL)."""
    import weakref

    global _memtables
    with _lock:
        _memtables += 1
        n = _memtables
    df = frame.copy(deep=False)
    lines = frame.attrs.get("lines")
    df.attrs = {}  # load_frame's attrs (line numbers) are not table metadata
    df.columns = [str(c) for c in df.columns]
    if LINE not in df.columns:  # the source line, as stored parts have it (ties break on it)
        ok = lines is not None and len(lines) == len(df)
        df[LINE] = np.asarray(lines, dtype="int64") if ok else np.arange(1, len(df) + 1, dtype="int64")
    tbl = _engine_types(pa.Table.from_pandas(df, preserve_index=False))
    be = connection()
    view = name or f"prism_frame_{n}"
    cur = be.con
    cur.register(view, tbl)
    t = be.table(view)

    def _drop(cur=cur, view=view) -> None:
        try:
            cur.unregister(view)
        except Exception:  # noqa: BLE001 - the cursor may be closed already
            pass

    weakref.finalize(t.op(), _drop)
    return t


def _engine_types(tbl: pa.Table) -> pa.Table:
    fields = []
    for f in tbl.schema:
        typ = f.type
        if pa.types.is_timestamp(typ) and typ.unit == "ns":
            typ = pa.timestamp("us", tz=typ.tz)
        elif pa.types.is_null(typ):
            typ = pa.string()
        fields.append(pa.field(f.name, typ))
    schema = pa.schema(fields)
    return tbl if schema.equals(tbl.schema) else tbl.cast(schema)


def tables_from_frames(frames: dict[str, pd.DataFrame]) -> dict[str, ibis.Table]:
    return {kind: from_frame(df) for kind, df in frames.items()}


def to_frame(expr: ibis.Expr, *, limit: int | None = None) -> pd.DataFrame:
    """Run an expression and return its (aggregated or bounded) result as a pandas frame. DECIMAL
    columns (exact money sums) arrive as float64, each correctly rounded (missing stays NaN)."""
    if limit is not None:
        expr = expr.limit(int(limit))
    return decimals_to_float(expr.to_pyarrow()).to_pandas()


def decimals_to_float(tbl: pa.Table) -> pa.Table:
    """DECIMAL columns as float64, correctly rounded: through their exact text, which Arrow parses with a
    correctly rounding parser (a direct decimal -> double cast rounds twice and is off by one unit in
    the last place for about 2% of values; a Python ``float(Decimal)`` per value takes 2 s per million)."""
    for i, f in enumerate(tbl.schema):
        if pa.types.is_decimal(f.type):
            col = pc.cast(pc.cast(tbl.column(i), pa.string()), pa.float64())
            tbl = tbl.set_column(i, pa.field(f.name, pa.float64()), col)
    return tbl


def scalar(expr: ibis.Expr) -> Any:
    return expr.to_pyarrow().as_py()


# ---------------------------------------------------------------- storage of parts


def lines_dir(sqlite_file: Path | None = None) -> Path:
    """Where the parts live: ``PRISM_LINES_DIR``, else beside a SQLite catalogue file
    (``<file>.lines/``, so each catalogue has its own), else ``data/lines`` in the repository (a server
    catalogue such as PostgreSQL: set ``PRISM_LINES_DIR`` to storage every app server sees)."""
    env = os.environ.get("PRISM_LINES_DIR")
    if env:
        return Path(env)
    if sqlite_file is not None:
        p = Path(sqlite_file).resolve()
        return p.with_name(p.name + ".lines")
    return ROOT / "data" / "lines"


def part_path(name: str, base: Path) -> Path:
    if "/" in name or "\\" in name or not name.endswith(PART_SUFFIX) or name.startswith("."):
        raise ValueError(f"not a part name: {name!r}")
    return base / name


def write_part(table: pa.Table, base: Path) -> str:
    """Write one immutable part (zstd Parquet) and return its name. The file appears under its final
    name only when it is complete and synced (written as ``.<name>.tmp``, then renamed)."""
    base.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}{PART_SUFFIX}"
    tmp = base / f".{name}.tmp"
    try:
        pq.write_table(table, tmp, compression="zstd", row_group_size=256_000)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, base / name)
        _fsync_dir(base)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return name


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_parts(names: Iterable[str], base: Path) -> int:
    n = 0
    for name in names:
        try:
            part_path(name, base).unlink()
            n += 1
        except FileNotFoundError:
            pass
    return n


def collect_garbage(referenced: set[str], base: Path, *, older_than_s: float = 3600.0) -> list[str]:
    """Remove parts no revision references (left by a killed upload, a deleted dataset or a replaced
    revision) once they are older than ``older_than_s`` seconds, and stale temporary files."""
    import time

    if not base.is_dir():
        return []
    now = time.time()
    gone = []
    for p in base.iterdir():
        if p.name in referenced:
            continue
        is_part = p.name.endswith(PART_SUFFIX) and not p.name.startswith(".")
        is_tmp = p.name.startswith(".") and p.name.endswith(".tmp")
        if not (is_part or is_tmp):
            continue
        try:
            if now - p.stat().st_mtime >= older_than_s:
                p.unlink()
                gone.append(p.name)
        except FileNotFoundError:
            pass
    return gone


def arrow_lines(frame: pd.DataFrame, lines: np.ndarray | None) -> pa.Table:
    """A canonical frame (already typed) plus its source line numbers as an Arrow table for a part."""
    df = frame.copy(deep=False)
    df[LINE] = lines.astype("int64") if lines is not None else np.arange(1, len(df) + 1, dtype="int64")
    return pa.Table.from_pandas(df, preserve_index=False)
