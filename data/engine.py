"""The engine: where the lines of every dataset revision are stored and queried (issue 13).

Lines live in Parquet files ("parts", zstd) under the lines directory; a revision is the list of its
parts, recorded in the catalogue (``dataset_revision.parts``). An append adds a part to the previous
revision's list, a replace starts a new list, and no part is ever changed after it is written. The
catalogue row that names a part commits only after the part is complete on disk, so a killed process
leaves at most an unreferenced file (removed by :func:`collect_garbage`), never a half-visible upload.

Queries are Ibis expressions compiled for the engine ``PRISM_ENGINE`` selects (issue 18):

* ``duckdb`` (default): embedded DuckDB, one in-process database, no server, in memory; it scans the
  Parquet parts directly.
* ``spark``: a local Spark session (``local[*]``, or ``local[N]`` with ``PRISM_ENGINE_THREADS=N``), started
  once per process (pyspark and a Java runtime: ``make setup-spark``).
* ``sc://host:port``: a Spark cluster through Spark Connect. The cluster reads the parts at the paths the
  app wrote them (``PRISM_DATA_URL`` / ``PRISM_LINES_DIR``: storage every executor sees).

The parts live in a lines directory or, with ``PRISM_DATA_URL=s3://bucket/prefix``, in an object store
(data/objstore.py: uploaded whole or not at all, read by DuckDB as an Arrow dataset, by Spark as ``s3a://``).

The same expression code runs on each: the few functions that differ between engines (the exactly
rounded sum) are chosen per backend by :func:`backend_name` in analytics/expr.py. Analytics receive
``dict[kind, ibis.Table]`` and aggregate there; Python holds the aggregates, never all lines of a big
dataset.

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
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from data import objstore
from data.errors import EngineMemoryError, IngestError
from data.objstore import ObjectStore

if TYPE_CHECKING:  # imported where a connection is made: writing parts (ingest) needs no Ibis (0.2 s to import)
    import ibis

# Ibis 12 calls DuckDB's fetch_arrow_table and pandas' future.infer_string option, both deprecated in the
# versions pinned here; the calls work, the warnings are theirs.
warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ibis(\.|$)")
warnings.filterwarnings("ignore", message=r"The 'future\.infer_string' option is deprecated")

LINE = "__line__"
PART_SUFFIX = ".parquet"
Location = Path | ObjectStore  # where the parts live: a lines directory or an object store (data/objstore.py)
ROOT = Path(__file__).resolve().parent.parent

_local = threading.local()
_lock = threading.Lock()
_memtables = 0


# ---------------------------------------------------------------- connection


def _settings() -> dict[str, str]:
    # allocator_background_threads: the allocator's background thread returns the memory of finished
    # queries to the system (without it a big query's hash tables stay in the process: at 10M lines the
    # recommendations fit kept ~1 GB it no longer used; see docs/decisions.md)
    out = {"threads": os.environ.get("PRISM_ENGINE_THREADS") or str(max(1, os.cpu_count() or 1)),
           "allocator_background_threads": "true"}
    mem = os.environ.get("PRISM_ENGINE_MEMORY")
    if mem:
        out["memory_limit"] = mem
    return out


ENGINES = ("duckdb", "spark", "sc://host:port")


def kind() -> str:
    """The engine in use: ``"duckdb"``, ``"spark"`` (a local session) or ``"connect"`` (Spark Connect).
    ``PRISM_ENGINE`` selects it; :func:`using` overrides it for a block (tests compare engines in one
    process).

    Returns
    -------
    str
        The engine's name (ValueError for an unknown ``PRISM_ENGINE``).
    """
    stack = _overrides()
    raw = stack[-1] if stack else (os.environ.get("PRISM_ENGINE") or "duckdb")
    e = raw.strip()
    if e.lower() in ("", "duckdb"):
        return "duckdb"
    if e.lower() == "spark":
        return "spark"
    if e.startswith("sc://"):
        return "connect"
    raise ValueError(f"PRISM_ENGINE={raw!r}: expected one of {', '.join(ENGINES)}")


def _overrides() -> list[str]:
    stack = getattr(_local, "engines", None)
    if stack is None:
        stack = _local.engines = []
    return stack


class using:
    """``with engine.using("spark"): ...``: the engine for the tables this thread creates in the block."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> "using":
        _overrides().append(self.name)
        kind()  # validate
        return self

    def __exit__(self, *exc: Any) -> None:
        _overrides().pop()


def is_spark(be: ibis.BaseBackend | None = None) -> bool:
    """Is ``be`` (default: the engine in use) a Spark backend?

    Parameters
    ----------
    be : ibis.BaseBackend | None
        An Ibis backend, or None.

    Returns
    -------
    bool
        True for Spark.
    """
    if be is None:
        return kind() != "duckdb"
    return getattr(be, "name", "") == "pyspark"


def connection() -> ibis.BaseBackend:
    """The Ibis backend of the engine in use (:func:`kind`).

    Returns
    -------
    ibis.BaseBackend
        The backend.
    """
    if kind() != "duckdb":
        return spark_connection()
    return duckdb_connection()


def duckdb_connection() -> ibis.BaseBackend:
    """This thread's Ibis backend over embedded DuckDB (in memory; parts are read where they lie).

    One DuckDB database per process, one cursor per thread: Streamlit runs each browser session in its
    own thread, and a DuckDB connection must not be used by two threads at once.

    Returns
    -------
    ibis.BaseBackend
        The backend.
    """
    be = getattr(_local, "backend", None)
    if be is None:
        import duckdb
        import ibis

        with _lock:
            root = getattr(connection, "_root", None)
            if root is None:
                root = duckdb.connect(":memory:", config=_settings())
                connection._root = root  # type: ignore[attr-defined]
        be = ibis.duckdb.from_connection(root.cursor())
        _local.backend = be
    return be


_spark: dict[str, ibis.BaseBackend] = {}


def spark_settings() -> dict[str, str]:
    """The local session's settings: all cores (or ``PRISM_ENGINE_THREADS``), few shuffle partitions (the
    aggregates are small), no web UI, bounded driver memory (``PRISM_ENGINE_MEMORY``, e.g. ``2g``), and
    SQL semantics as DuckDB's (ANSI mode off: division by zero is NULL, as Ibis's PySpark backend
    expects).

    Returns
    -------
    dict[str, str]
        Setting -> value.
    """
    threads = os.environ.get("PRISM_ENGINE_THREADS")
    mem = (os.environ.get("PRISM_ENGINE_MEMORY") or "1g").strip().lower().replace("ib", "").rstrip("b")
    return {
        "spark.master": f"local[{int(threads)}]" if threads else "local[*]",
        "spark.driver.memory": mem,
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": os.environ.get("PRISM_SPARK_SHUFFLE_PARTITIONS") or "4",
        "spark.sql.ansi.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
    }


def spark_connection() -> ibis.BaseBackend:
    """The Ibis PySpark backend over this process's Spark session: a local session (``PRISM_ENGINE=spark``)
    or a Spark Connect session (``PRISM_ENGINE=sc://host:port``), created once per process and shared
    by every thread (a Spark session is thread-safe). A missing pyspark or Java runtime is a clear
    error naming ``make setup-spark``.

    Returns
    -------
    ibis.BaseBackend
        The backend.
    """
    stack = _overrides()
    url = (stack[-1] if stack else os.environ.get("PRISM_ENGINE") or "").strip()
    key = url if url.startswith("sc://") else "local"
    be = _spark.get(key)
    if be is not None:
        return be
    with _lock:
        be = _spark.get(key)
        if be is None:
            be = _spark[key] = _start_spark(url if key != "local" else None)
    return be


def stop_spark() -> None:
    """Stop this process's Spark sessions (tests; a server keeps its session for its lifetime)."""
    with _lock:
        for be in _spark.values():
            try:
                be.disconnect()
            except Exception:  # noqa: BLE001 - a session already gone
                pass
        _spark.clear()


def _start_spark(remote: str | None) -> ibis.BaseBackend:
    import shutil

    import ibis

    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise RuntimeError("PRISM_ENGINE selects Spark but pyspark is not installed: run `make setup-spark` "
                           "(pyspark from requirements-spark.txt and a Java runtime)") from exc
    if remote:
        session = SparkSession.builder.remote(remote).getOrCreate()
        conf = {"spark.sql.ansi.enabled": "false"}
    else:
        if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
            raise RuntimeError("PRISM_ENGINE=spark needs a Java runtime: run `make setup-spark` "
                               "(Debian's default-jre-headless)")
        builder = SparkSession.builder.appName("prism")
        for k, v in spark_settings().items():
            builder = builder.config(k, v)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        conf = {}
    return ibis.pyspark.connect(session, **conf)


# ---------------------------------------------------------------- the warehouse (connected tables, issue 18)


class WarehouseMissing(IngestError):
    """No usable warehouse for the engine in use (``PRISM_WAREHOUSE`` on DuckDB): a one-line message."""


_warehouse: dict[str, Any] = {"alias": None, "stat": None, "n": 0, "old": []}


def warehouse_path() -> Path | None:
    """The DuckDB database file whose tables can be connected as datasets (``PRISM_WAREHOUSE``), or None.

    Returns
    -------
    Path | None
        The file's path (``~`` expanded; not checked to exist), or None when the setting is unset or blank.
    """
    raw = (os.environ.get("PRISM_WAREHOUSE") or "").strip()
    return Path(raw).expanduser() if raw else None


def _file_stat(path: Path) -> tuple[int, int, int, int]:
    st = path.stat()
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def warehouse_catalog() -> str:
    """The alias under which the warehouse file is ATTACHed (READ_ONLY) to this process's DuckDB.

    The file is attached once and attached again, under a new alias, when it was replaced or changed
    (another inode, size or modification time): a DuckDB file has one writer at a time and a read-only
    attachment holds a shared lock, so a warehouse that Prism reads is updated by writing a copy and
    renaming it over the file (or while no Prism process holds it). The previous alias is detached when
    no query still uses it (tried again on the next change). Raises WarehouseMissing when no warehouse is
    configured or the file cannot be read or attached.

    Returns
    -------
    str
        The alias (``prism_warehouse_<n>``, made here, never from user text).
    """
    path = warehouse_path()
    if path is None:
        raise WarehouseMissing("no warehouse is configured: set PRISM_WAREHOUSE to a DuckDB database file")
    try:
        stat = _file_stat(path)
    except OSError as exc:
        raise WarehouseMissing(f"PRISM_WAREHOUSE={str(path)!r}: the file cannot be read ({exc.strerror})") from exc
    with _lock:
        if _warehouse["alias"] is not None and _warehouse["stat"] == (str(path), stat):
            return _warehouse["alias"]
    duckdb_connection()  # the process's database exists
    root = connection._root  # type: ignore[attr-defined]
    with _lock:
        if _warehouse["alias"] is not None and _warehouse["stat"] == (str(path), stat):
            return _warehouse["alias"]
        _warehouse["n"] += 1
        alias = f"prism_warehouse_{_warehouse['n']}"  # made here, never from user text
        try:
            root.execute(f"ATTACH ? AS {alias} (READ_ONLY)", [str(path)])
        except Exception as exc:  # noqa: BLE001 - a locked, corrupt or non-DuckDB file: say which setting
            raise WarehouseMissing(f"PRISM_WAREHOUSE={str(path)!r}: the file cannot be attached read-only "
                                   f"({str(exc).splitlines()[0][:200]})") from exc
        if _warehouse["alias"] is not None:
            _warehouse["old"].append(_warehouse["alias"])
        _warehouse["alias"], _warehouse["stat"] = alias, (str(path), stat)
        for old in list(_warehouse["old"]):
            try:
                root.execute(f"DETACH {old}")
                _warehouse["old"].remove(old)
            except Exception:  # noqa: BLE001 - still scanned by a running query: detached next time
                pass
        return alias


def warehouse_stamp() -> tuple:
    """The warehouse file as attached now (attached again first if the file was replaced). While a process
    holds the file attached read-only no process can write it in place, so an unchanged stamp means
    unchanged tables: the fingerprint check is skipped then. Raises WarehouseMissing as
    :func:`warehouse_catalog`.

    Returns
    -------
    tuple
        ``(path, (device, inode, mtime_ns, size))``.
    """
    warehouse_catalog()
    with _lock:
        return _warehouse["stat"]


def detach_warehouse() -> None:
    """Detach the warehouse file (tests, and before writing to the file in place from this process)."""
    with _lock:
        root = getattr(connection, "_root", None)
        names = [a for a in [_warehouse["alias"], *_warehouse["old"]] if a]
        _warehouse.update(alias=None, stat=None, old=[])
        for a in names:
            if root is not None:
                try:
                    root.execute(f"DETACH {a}")
                except Exception:  # noqa: BLE001 - already gone
                    pass


# ---------------------------------------------------------------- tables


def read_parts(paths: Iterable[str | Path]) -> ibis.Table:
    """The lines of one revision: its parts, scanned by the engine where they lie (on Spark: a temporary
    view over the files, dropped when the last expression built on it is gone).

    Parameters
    ----------
    paths : Iterable[str | Path]
        The parts' files (ValueError for none).

    Returns
    -------
    ibis.Table
        The lines.
    """
    files = [str(p) for p in paths]
    if not files:
        raise ValueError("a revision has at least one part")
    be = connection()
    if not is_spark(be):
        if any(objstore.is_url(f) for f in files):
            return _register_arrow(be, objstore.dataset(files), "prism_parts")
        return be.read_parquet(files)
    session = be._session
    df = session.read.parquet(*[_spark_path(f) for f in files])
    return _spark_view(be, df, "prism_parts")


def _spark_path(f: str) -> str:
    if objstore.is_url(f):
        return objstore.spark_url(f)
    return f if "://" in f else Path(f).resolve().as_uri()


def _register_arrow(be: ibis.BaseBackend, obj: Any, prefix: str, name: str | None = None) -> ibis.Table:
    """An Arrow table or dataset as a view of this thread's DuckDB cursor (no copy: DuckDB scans it),
    unregistered when the last expression built on it is gone."""
    import weakref

    global _memtables
    with _lock:
        _memtables += 1
        n = _memtables
    view = name or f"{prefix}_{n}"
    cur = be.con
    cur.register(view, obj)
    t = be.table(view)

    def _drop(cur=cur, view=view) -> None:
        try:
            cur.unregister(view)
        except Exception:  # noqa: BLE001 - the cursor may be closed already
            pass

    weakref.finalize(t.op(), _drop)
    return t


def _spark_view(be: ibis.BaseBackend, df: Any, prefix: str, name: str | None = None) -> ibis.Table:
    import weakref

    global _memtables
    with _lock:
        _memtables += 1
        n = _memtables
    view = name or f"{prefix}_{n}_{uuid.uuid4().hex[:8]}"
    df.createOrReplaceTempView(view)
    t = be.table(view)
    session = be._session

    def _drop(session=session, view=view) -> None:
        try:
            session.catalog.dropTempView(view)
        except Exception:  # noqa: BLE001 - the session may be stopped already
            pass

    weakref.finalize(t.op(), _drop)
    return t


def from_frame(frame: pd.DataFrame, name: str | None = None, *, local: bool = False) -> ibis.Table:
    """A canonical frame as an engine table (tests, and callers that hold a small frame already).

    The frame is registered with this thread's DuckDB cursor as an Arrow view (no copy into the
    engine) and unregistered when the last expression built on it is gone. It gets ``__line__`` like a
    stored part: ``frame.attrs["lines"]`` (what ``load_frame`` sets), else 1..n. Timestamps are stored as
    microseconds, as in the parts (DuckDB 2.0.1 mis-groups ``EXTRACT`` on nanosecond timestamps), and
    all-empty columns as text (DuckDB has no column of type NULL). On Spark the frame becomes a temporary
    view of the session. ``local=True``: embedded DuckDB whatever the engine (ingest joins the files of
    one upload there before the revision is written).

    Parameters
    ----------
    frame : pd.DataFrame
        A canonical frame.
    name : str | None
        The view's name, or None for a generated one.
    local : bool
        Register with embedded DuckDB whatever the engine.

    Returns
    -------
    ibis.Table
        The table.
    """
    df = frame.copy(deep=False)
    lines = frame.attrs.get("lines")
    df.attrs = {}  # load_frame's attrs (line numbers) are not table metadata
    df.columns = [str(c) for c in df.columns]
    if LINE not in df.columns:  # the source line, as stored parts have it (ties break on it)
        ok = lines is not None and len(lines) == len(df)
        df[LINE] = np.asarray(lines, dtype="int64") if ok else np.arange(1, len(df) + 1, dtype="int64")
    tbl = _engine_types(pa.Table.from_pandas(df, preserve_index=False))
    be = duckdb_connection() if local else connection()
    if is_spark(be):
        return _spark_view(be, be._session.createDataFrame(_spark_types(tbl)), "prism_frame", name)
    return _register_arrow(be, tbl, "prism_frame", name)


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


def _spark_types(tbl: pa.Table) -> pa.Table:
    """Arrow types Spark takes from Arrow: plain strings (not large/view), no dictionaries."""
    fields = []
    for f in tbl.schema:
        typ = f.type
        if pa.types.is_dictionary(typ):
            typ = typ.value_type
        if pa.types.is_large_string(typ) or pa.types.is_string_view(typ):
            typ = pa.string()
        fields.append(pa.field(f.name, typ))
    schema = pa.schema(fields)
    return tbl if schema.equals(tbl.schema) else tbl.cast(schema)


def tables_from_frames(frames: dict[str, pd.DataFrame]) -> dict[str, ibis.Table]:
    """Every frame as an engine table (:func:`from_frame`).

    Parameters
    ----------
    frames : dict[str, pd.DataFrame]
        Kind -> canonical frame.

    Returns
    -------
    dict[str, ibis.Table]
        Kind -> engine table.
    """
    return {kind: from_frame(df) for kind, df in frames.items()}


def to_frame(expr: ibis.Expr, *, limit: int | None = None) -> pd.DataFrame:
    """Run an expression and return its (aggregated or bounded) result as a pandas frame. DECIMAL
    columns (exact money sums) arrive as float64, each correctly rounded (missing stays NaN).

    Parameters
    ----------
    expr : ibis.Expr
        An Ibis expression.
    limit : int | None
        Most rows, or None.

    Returns
    -------
    pd.DataFrame
        The result.
    """
    if limit is not None:
        expr = expr.limit(int(limit))
    return decimals_to_float(to_arrow(expr)).to_pandas()


def to_arrow(expr: ibis.Expr) -> pa.Table:
    """Run an expression and return its result as an Arrow table with the expression's types (DECIMAL
    stays DECIMAL). On Spark the result comes as Arrow batches (``DataFrame.toArrow``), not through pandas
    as Ibis 12's PySpark ``to_pyarrow`` does (which turns exact decimals into Python objects). Raises
    :class:`data.errors.EngineMemoryError` when DuckDB runs out of its memory limit.

    Parameters
    ----------
    expr : ibis.Expr
        An Ibis expression.

    Returns
    -------
    pa.Table
        The result.
    """
    t = expr.as_table()
    try:
        be = t._find_backend()
    except Exception:  # noqa: BLE001 - only in-memory tables: the engine in use runs it
        be = connection()
    if not is_spark(be):
        import duckdb

        try:
            return t.to_pyarrow()
        except duckdb.OutOfMemoryException as exc:
            raise EngineMemoryError(_memory_limit(be)) from exc
    from ibis.formats.pyarrow import PyArrowData

    be._run_pre_execute_hooks(t)
    sql = be.compile(t)
    out = be._session.sql(sql).toArrow()
    out = out.rename_columns(list(t.columns))
    return PyArrowData.convert_table(out, t.schema())


def _memory_limit(be: Any) -> str:
    """DuckDB's memory limit on the connection ``be`` as it reports it (e.g. ``953.6 MiB``), or "?"."""
    try:
        return str(be.con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0])
    except Exception:  # noqa: BLE001 - only for the message
        return os.environ.get("PRISM_ENGINE_MEMORY") or "?"


def decimals_to_float(tbl: pa.Table) -> pa.Table:
    """DECIMAL columns as float64, correctly rounded (:func:`decimal_to_float`).

    Parameters
    ----------
    tbl : pa.Table
        An Arrow table.

    Returns
    -------
    pa.Table
        The table with float64 in place of DECIMAL.
    """
    for i, f in enumerate(tbl.schema):
        if pa.types.is_decimal(f.type):
            col = pa.chunked_array([decimal_to_float(c) for c in tbl.column(i).chunks], pa.float64())
            tbl = tbl.set_column(i, pa.field(f.name, pa.float64()), col)
    return tbl


_EXACT_INT = 2 ** 53  # integers up to this magnitude are exact doubles


def decimal_to_float(arr: pa.Array) -> pa.Array:
    """A DECIMAL array as float64, each value the double nearest to the decimal (missing stays missing).

    A value whose unscaled integer n is at most 2**53 in magnitude (sums up to about 900,000 at the
    engine's scale of 10) is n / 10**scale in floating point: both operands are exact doubles and
    IEEE division rounds correctly, so this is the nearest double. Any other value (and any array
    this shortcut does not cover: DECIMAL256, a negative or large scale, a big-endian machine) goes
    through its exact text, which Arrow parses with a correctly rounding parser. A direct decimal ->
    double cast rounds twice and is off by one unit in the last place for about 2% of values; the text
    path alone takes 0.7 s per million sums x 8 columns, the shortcut a few milliseconds.

    Parameters
    ----------
    arr : pa.Array
        A DECIMAL array.

    Returns
    -------
    pa.Array
        float64.
    """
    t = arr.type
    if (not pa.types.is_decimal128(t) or not 0 <= t.scale <= 22 or len(arr) == 0
            or not np.little_endian):
        return _decimal_text_to_float(arr)
    words = np.frombuffer(arr.buffers()[1], dtype="<i8")[2 * arr.offset:2 * (arr.offset + len(arr))]
    low, high = words[0::2], words[1::2]  # two's complement: value = high * 2**64 + low (unsigned)
    small = (((high == 0) & (low >= 0) & (low <= _EXACT_INT))
             | ((high == -1) & (low < 0) & (low >= -_EXACT_INT)))
    out = low.astype(np.float64) / float(10 ** t.scale)
    valid = ~np.asarray(arr.is_null(), dtype=bool) if arr.null_count else np.ones(len(arr), bool)
    rest = np.flatnonzero(valid & ~small)
    if len(rest):
        out[rest] = _decimal_text_to_float(arr.take(pa.array(rest))).to_numpy(zero_copy_only=False)
    return pa.array(out, pa.float64(), mask=~valid if arr.null_count else None)


def _decimal_text_to_float(arr: pa.Array) -> pa.Array:
    """DECIMAL -> float64 through the exact text (correctly rounded; the general path)."""
    return pc.cast(pc.cast(arr, pa.string()), pa.float64())


def scalar(expr: ibis.Expr) -> Any:
    """Run an expression and return its first value (None for no row).

    Parameters
    ----------
    expr : ibis.Expr
        An Ibis expression (a scalar or a one-column table).

    Returns
    -------
    Any
        The value.
    """
    tbl = to_arrow(expr)
    return tbl.column(0)[0].as_py() if tbl.num_rows else None


# ---------------------------------------------------------------- storage of parts


def lines_dir(sqlite_file: Path | None = None) -> Location:
    """Where the parts live: ``PRISM_DATA_URL`` (a directory path or ``file://`` URL: with Spark, storage
    every executor reads at the same path; or an object store, ``s3://bucket/prefix``: :class:`ObjectStore`),
    else ``PRISM_LINES_DIR`` (its older name), else beside a SQLite catalogue file
    (``<file>.lines/``, so each catalogue has its own), else ``data/lines`` in the repository (a server
    catalogue such as PostgreSQL: set ``PRISM_LINES_DIR`` to storage every app server sees).

    Parameters
    ----------
    sqlite_file : Path | None
        The SQLite catalogue file, or None.

    Returns
    -------
    Location
        The directory, or the object store (ValueError for a URL that is neither).
    """
    url = (os.environ.get("PRISM_DATA_URL") or "").strip()
    if url:
        if url.startswith("file://"):
            from urllib.parse import unquote, urlparse

            return Path(unquote(urlparse(url).path))
        if "://" in url:
            return ObjectStore.from_url(url)
        return Path(url)
    env = os.environ.get("PRISM_LINES_DIR")
    if env:
        return Path(env)
    if sqlite_file is not None:
        p = Path(sqlite_file).resolve()
        return p.with_name(p.name + ".lines")
    return ROOT / "data" / "lines"


def part_path(name: str, base: Location) -> Path | str:
    """The path of a part in ``base`` (ValueError for a name that is not a part's), or its URL in an object
    store.

    Parameters
    ----------
    name : str
        The part's name.
    base : Location
        The lines directory or object store.

    Returns
    -------
    Path | str
        The path, or the object's ``s3://`` URL.
    """
    if isinstance(base, ObjectStore):
        return base.part_url(name)
    if "/" in name or "\\" in name or not name.endswith(PART_SUFFIX) or name.startswith("."):
        raise ValueError(f"not a part name: {name!r}")
    return base / name


def write_part(table: pa.Table, base: Location) -> str:
    """Write one immutable part (zstd Parquet) and return its name. The file appears under its final
    name only when it is complete and synced (written as ``.<name>.tmp``, then renamed); in an object
    store, the object appears only when its upload has completed (:func:`data.objstore.write`).

    Parameters
    ----------
    table : pa.Table
        The lines with ``__line__``.
    base : Location
        The lines directory or object store.

    Returns
    -------
    str
        The part's name.
    """
    if isinstance(base, ObjectStore):
        return objstore.write(table, base)
    base.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}{PART_SUFFIX}"
    tmp = base / f".{name}.tmp"
    try:
        pq.write_table(table, tmp, **objstore.part_options(table))
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


def remove_parts(names: Iterable[str], base: Location) -> int:
    """Remove parts from ``base`` (missing ones are skipped).

    Parameters
    ----------
    names : Iterable[str]
        The parts' names.
    base : Location
        The lines directory or object store.

    Returns
    -------
    int
        How many were removed.
    """
    if isinstance(base, ObjectStore):
        return objstore.remove(names, base)
    n = 0
    for name in names:
        try:
            part_path(name, base).unlink()
            n += 1
        except FileNotFoundError:
            pass
    return n


def collect_garbage(referenced: set[str], base: Location, *, older_than_s: float = 3600.0) -> list[str]:
    """Remove parts no revision references (left by a killed upload, a deleted dataset or a replaced
    revision) once they are older than ``older_than_s`` seconds, and stale temporary files (an object
    store: :func:`data.objstore.sweep`, by last-modified time).

    Parameters
    ----------
    referenced : set[str]
        Parts some revision references.
    base : Location
        The lines directory or object store.
    older_than_s : float
        Age in seconds before a part is removed.

    Returns
    -------
    list[str]
        The names removed.
    """
    import time

    if isinstance(base, ObjectStore):
        return objstore.sweep(referenced, base, older_than_s=older_than_s)
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


def count_files(base: Location) -> int:
    """Files in the lines directory (temporary files included), or objects under the store's prefix: the
    tests' check that nothing was stored.

    Parameters
    ----------
    base : Location
        The lines directory or object store.

    Returns
    -------
    int
        The number.
    """
    if isinstance(base, ObjectStore):
        return objstore.count(base)
    return sum(1 for _ in base.iterdir()) if base.is_dir() else 0


def parts_arrow(paths: list[Path | str]) -> pa.Table:
    """A revision's parts read whole as one Arrow table (their schemas unified).

    Parameters
    ----------
    paths : list[Path | str]
        The parts' files or ``s3://`` URLs.

    Returns
    -------
    pa.Table
        The lines.
    """
    import pyarrow.dataset as pads

    if any(objstore.is_url(str(p)) for p in paths):
        return objstore.dataset([str(p) for p in paths]).to_table()
    schemas = [pq.read_schema(p) for p in paths]
    schema = pa.unify_schemas(schemas, promote_options="permissive") if len(schemas) > 1 else schemas[0]
    return pads.dataset([str(p) for p in paths], schema=schema, format="parquet").to_table()


def arrow_lines(frame: pd.DataFrame, lines: np.ndarray | None) -> pa.Table:
    """A canonical frame (already typed) plus its source line numbers as an Arrow table for a part.

    Parameters
    ----------
    frame : pd.DataFrame
        A typed canonical frame.
    lines : np.ndarray | None
        Source line numbers, or None for 1..n.

    Returns
    -------
    pa.Table
        The table.
    """
    df = frame.copy(deep=False)
    df[LINE] = lines.astype("int64") if lines is not None else np.arange(1, len(df) + 1, dtype="int64")
    return pa.Table.from_pandas(df, preserve_index=False)
