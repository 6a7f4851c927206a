"""The engine, from ``DATABASE_URL`` (default: a SQLite file under data/, WAL mode, busy timeout).

Reads and writes differ on SQLite: a read runs in a deferred ``BEGIN`` (WAL lets it read beside a
writer, never waiting), a write runs in ``BEGIN IMMEDIATE`` (it takes the write lock first, so it waits
up to the busy timeout instead of failing half-way). A write says so by opening its connection with
:func:`writing`; the flag is an execution option of that one ``Connection`` object, so it ends with the
``with`` block and never stays on the pooled DBAPI connection (issue 12, item 10: a flag kept in
``conn.info`` made every later read of that pooled connection take the write lock).

Prism's own writers to one SQLite file also queue on an ``flock`` of ``<file>.write-lock`` before
``BEGIN IMMEDIATE`` (for up to ``PRISM_DB_WRITE_QUEUE_TIMEOUT``, 600 s), so three long uploads at once
run one after the other instead of the third giving up after the busy timeout; a lock held by anything
else (another program, a stuck transaction) still ends in "busy" after the busy timeout.

A new SQLite file is created with mode 0600 (and its -wal / -shm follow it), so the catalogue is not
readable by other local users. Faults of the environment (locked, full, read-only, missing folder, bad
URL) become :class:`data.errors.StoreError` through :func:`store_error`.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import stat
import threading
import time
import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from sqlalchemy import event, exc as sa_exc
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import create_engine

from data.errors import StoreError

if TYPE_CHECKING:
    from data.objstore import ObjectStore

DATA_DIR = Path(__file__).resolve().parent
DEFAULT_DB = DATA_DIR / "prism.db"
BUSY_TIMEOUT_S = 30.0
BUSY_SETTING = "PRISM_DB_BUSY_TIMEOUT"  # seconds a write waits for another writer's lock
QUEUE_SETTING = "PRISM_DB_WRITE_QUEUE_TIMEOUT"  # seconds a write waits for Prism's other writers
QUEUE_TIMEOUT_S = 600.0
WRITE = "prism_write"  # the execution option that makes a transaction BEGIN IMMEDIATE

_engines: dict[str, Engine] = {}
_lock = threading.Lock()
_busy: "weakref.WeakKeyDictionary[Engine, float]" = weakref.WeakKeyDictionary()
_queue: "weakref.WeakKeyDictionary[Engine, tuple[Path, float]]" = weakref.WeakKeyDictionary()


def database_url() -> str:
    """The catalogue's URL: ``DATABASE_URL``, else the SQLite file under data/.

    Returns
    -------
    str
        The URL.
    """
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB}"


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine is a SQLite catalogue.

    Parameters
    ----------
    engine : Engine
        The catalogue engine.

    Returns
    -------
    bool
        True for SQLite.
    """
    return engine.dialect.name == "sqlite"


def _seconds_setting(name: str, default: float, top: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= top:  # also rejects nan
        raise StoreError("bad_setting", setting=name, expected=f"a number of seconds from 0 to {top:g}", value=raw)
    return value


def busy_timeout_setting() -> float:
    """Seconds a write waits for another writer: ``PRISM_DB_BUSY_TIMEOUT``, else the default (at most an hour).

    Returns
    -------
    float
        The seconds.
    """
    return _seconds_setting(BUSY_SETTING, BUSY_TIMEOUT_S, 3600)


def busy_timeout(engine: Engine) -> float:
    """Seconds a write on ``engine`` waits for another writer before giving up.

    Parameters
    ----------
    engine : Engine
        The catalogue engine.

    Returns
    -------
    float
        The seconds.
    """
    return _busy.get(engine, BUSY_TIMEOUT_S)


def _sqlite_file(database: str | None) -> Path | None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def lines_dir(engine: Engine) -> Path | ObjectStore:
    """The engine's lines directory (or object store) for this catalogue (data/engine.py: ``lines_dir``).

    Parameters
    ----------
    engine : Engine
        The catalogue engine.

    Returns
    -------
    Path | ObjectStore
        The directory, or the object store (``PRISM_DATA_URL=s3://...``).
    """
    from data.engine import lines_dir as _dir

    u = engine.url
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return _dir(None)
    db = u.database
    if db.startswith("file:"):  # a URI filename: file:/path/prism.db?mode=ro
        db = db[len("file:"):].split("?")[0]
        if not db or db == ":memory:" or "mode=memory" in u.database:
            return _dir(None)
    return _dir(Path(db))


def _private_file(path: Path) -> None:
    """Create the database file with mode 0600 before SQLite does (SQLite gives -wal/-shm the file's mode)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
    except OSError as exc:
        if path.exists() and os.access(path, os.R_OK):
            return  # an existing file we may only read: reads work, writes report "read-only"
        raise StoreError("cannot_open", path=str(path)) from exc
    _tighten(path)


def _tighten(path: Path) -> None:
    """Drop group/other permissions from a file this process owns (older installs made it 0644)."""
    try:
        st_ = path.stat()
        if st_.st_uid == os.getuid() and st_.st_mode & 0o077:
            os.chmod(path, stat.S_IMODE(st_.st_mode) & 0o700)
    except OSError:
        pass


def make_engine(url: str, *, busy_timeout_s: float | None = None, queue_timeout_s: float | None = None) -> Engine:
    """An engine for ``url``; on SQLite, WAL mode, foreign keys, ``busy_timeout_s`` (default: the
    ``PRISM_DB_BUSY_TIMEOUT`` setting, else 30 s), a private (0600) database file and a write queue
    (``queue_timeout_s``, default ``PRISM_DB_WRITE_QUEUE_TIMEOUT``, else 600 s).

    Parameters
    ----------
    url : str
        The catalogue's URL (StoreError ``bad_url`` when it cannot be used).
    busy_timeout_s : float | None
        Seconds a write waits for another writer, or None.
    queue_timeout_s : float | None
        Seconds a write waits in the queue, or None.

    Returns
    -------
    Engine
        The engine.
    """
    try:
        u = make_url(url)
    except sa_exc.ArgumentError as exc:
        raise StoreError("bad_url", detail="it cannot be parsed as a SQLAlchemy URL") from exc
    backend = u.get_backend_name()
    timeout = busy_timeout_setting() if busy_timeout_s is None else float(busy_timeout_s)
    queue = _seconds_setting(QUEUE_SETTING, QUEUE_TIMEOUT_S, 86400) if queue_timeout_s is None else float(queue_timeout_s)
    kwargs: dict = {}
    path = None
    if backend == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": timeout}
        path = _sqlite_file(u.database)
        if path is not None:
            _private_file(path)
    try:
        engine = create_engine(url, **kwargs)
    except (sa_exc.ArgumentError, ImportError) as exc:
        raise StoreError("bad_url", detail=f"no usable driver for '{u.drivername}'") from exc
    _busy[engine] = timeout
    if path is not None:
        _queue[engine] = (path.with_name(path.name + ".write-lock"), queue)
    if backend == "sqlite":
        ms = int(timeout * 1000)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - exercised through every test
            # Let SQLAlchemy's transaction (BEGIN) govern sqlite3's, so one upload is one transaction.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout={ms}")  # first: switching to WAL may wait for other openers
            _wal(cur, timeout)
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            if path is not None:
                for side in ("-wal", "-shm"):
                    _tighten(path.with_name(path.name + side))

        @event.listens_for(engine, "begin")
        def _begin(conn):  # pragma: no cover
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")

    return engine


def _wal(cur, timeout: float) -> None:
    """Switch a connection's file to WAL, retrying while another opener holds the lock.

    Changing the journal mode needs an exclusive lock and SQLite answers SQLITE_BUSY at once, without
    the busy handler: thirty processes opening a fresh file together saw "database is locked" here.
    """
    deadline = time.monotonic() + timeout
    pause = 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() >= deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction (``BEGIN IMMEDIATE`` on SQLite), committed on success.

    The write flag belongs to this Connection only: the next checkout of the same pooled DBAPI
    connection reads with a plain ``BEGIN`` again.

    Parameters
    ----------
    engine : Engine
        The catalogue engine.
    """
    with _write_queue(engine), engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            yield conn


@contextmanager
def _write_queue(engine: Engine) -> Iterator[None]:
    """Wait for Prism's other writers to this SQLite file (an exclusive flock beside it)."""
    lock = _queue.get(engine)
    if lock is None:
        yield
        return
    path, seconds = lock
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # a read-only folder: no queue; SQLite itself will say what is wrong
        yield
        return
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError("busy", seconds=f"{seconds:g}") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process (the URL is read from the environment at call time).

    Parameters
    ----------
    url : str | None
        The URL (None: :func:`database_url`).

    Returns
    -------
    Engine
        The engine.
    """
    url = url or database_url()
    with _lock:
        eng = _engines.get(url)
        if eng is None:
            eng = make_engine(url)
            _engines[url] = eng
        return eng


def dispose_all() -> None:
    """Dispose every engine of this process and forget them (tests that change ``DATABASE_URL``)."""
    with _lock:
        for eng in _engines.values():
            eng.dispose()
        _engines.clear()


# ---------------------------------------------------------------- faults -> StoreError


def _where(engine: Engine | None) -> str:
    try:
        u = engine.url if engine is not None else make_url(database_url())
    except sa_exc.ArgumentError:
        return "DATABASE_URL"
    if u.get_backend_name() == "sqlite":
        db = u.database or ":memory:"
        return db[len("file:"):].split("?")[0] if db.startswith("file:") else db
    return u.render_as_string(hide_password=True)


def store_error(exc: BaseException, engine: Engine | None = None) -> StoreError:
    """The :class:`StoreError` for a database exception (SQLAlchemy's DBAPIError or sqlite3.Error).

    Parameters
    ----------
    exc : BaseException
        The database exception.
    engine : Engine | None
        The engine it came from (for the file's path and busy timeout), or None.

    Returns
    -------
    StoreError
        The error (``busy``, ``full``, ``readonly``, ``cannot_open``, ``corrupt``, ``io``, ``unreachable`` or
        ``other``).
    """
    orig = getattr(exc, "orig", None) or exc
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    text = " ".join(str(orig).split())[:200]
    low = text.lower()
    path = _where(engine)
    if isinstance(orig, sqlite3.Error) or name:
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in low or "is locked" in low:
            secs = busy_timeout(engine) if engine is not None else BUSY_TIMEOUT_S
            return StoreError("busy", seconds=f"{secs:g}")
        if name.startswith("SQLITE_FULL") or "database or disk is full" in low:
            return StoreError("full")
        if name.startswith("SQLITE_READONLY") or "readonly database" in low or "read-only" in low:
            return StoreError("readonly", path=path)
        if name.startswith("SQLITE_CANTOPEN") or "unable to open database file" in low:
            return StoreError("cannot_open", path=path)
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "not a database" in low or "malformed" in low:
            return StoreError("corrupt", path=path)
        if name.startswith("SQLITE_IOERR") or "disk i/o error" in low:
            return StoreError("io", path=path)
        return StoreError("other", detail=text)
    if isinstance(exc, sa_exc.OperationalError) or isinstance(exc, sa_exc.InterfaceError):
        if any(w in low for w in ("could not connect", "connection refused", "could not translate host",
                                  "timeout expired", "name or service not known", "server closed")):
            return StoreError("unreachable", detail=text.split(" (Background")[0][:120])
        if "no space left" in low or "disk full" in low:
            return StoreError("full")
        if "read-only" in low or "readonly" in low:
            return StoreError("readonly", path=path)
    return StoreError("other", detail=text)


FAULTS: tuple[type[BaseException], ...] = (sa_exc.DBAPIError, sqlite3.Error)


def lines_error(exc: OSError, engine: Engine | None = None) -> StoreError:
    """The :class:`StoreError` for a fault of the lines directory (full, not writable, unreadable).

    Parameters
    ----------
    exc : OSError
        The OS error.
    engine : Engine | None
        The catalogue engine (for the directory's path), or None.

    Returns
    -------
    StoreError
        The error (``lines_full``, ``lines_readonly`` or ``lines_io``).
    """
    import errno

    try:
        path = str(lines_dir(engine)) if engine is not None else "PRISM_LINES_DIR"
    except Exception:  # noqa: BLE001 - the message still names the setting
        path = "PRISM_LINES_DIR"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return StoreError("lines_full", path=path)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreError("lines_readonly", path=path)
    detail = exc.strerror or type(exc).__name__
    if path.startswith("s3://") and not exc.strerror and str(exc).strip():  # an object store's answer
        detail = str(exc).strip().splitlines()[0][:200]
    return StoreError("lines_io", path=path, detail=detail)
