"""Keyword-only queries over the store. The only module (with data.ingest) that talks SQL.

Bulk loads never go through ORM objects: rows are written with one DBAPI ``executemany`` per table
inside the upload's single transaction (SQLite), or SQLAlchemy Core ``insert`` executemany elsewhere.
Reads return canonical frames (docs/architecture.md). All SQL is parameterized.

Every function that changes something takes the acting user (``actor=Actor(username, role)``,
keyword-only) and checks it inside its write transaction (``data.access``): an analyst changes only
what they uploaded, an admin anything, a viewer nothing; a refusal is a :class:`data.errors.NotAllowed`.
Creating a dataset or a saved item without an actor is for trusted callers (the demo workspace, tests,
benchmarks); the Data page and the command line always pass one. Writes run in ``data.db.writing``
(``BEGIN IMMEDIATE`` on SQLite); a fault of the environment (locked, full, read-only, ...) surfaces as a
:class:`data.errors.StoreError` with one plain sentence, after the transaction rolled back.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection, Engine

from data import engine as lines_engine
from data import models
from data.access import Actor, require_change, require_create
from data.errors import NotAllowed
from data.db import FAULTS, get_engine, lines_dir, lines_error, store_error, writing
from data.migrations import migrate
from data.schema import ATTR_PREFIX, KINDS

Progress = Optional[Callable[[float, str], None]]
NAME_MAX = 200
F = TypeVar("F", bound=Callable[..., Any])


def _engine(engine: Engine | None) -> Engine:
    return engine or get_engine()


def _faults(fn: F) -> F:
    """Turn the database's errors (OperationalError, DatabaseError, sqlite3.Error) into a StoreError."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except FAULTS as exc:
            raise store_error(exc, kwargs.get("engine") or _known_engine()) from exc
        except NotAllowed:  # a PermissionError, so an OSError: a refusal, not a fault
            raise
        except OSError as exc:  # the lines directory: full, read-only, unreadable
            raise lines_error(exc, kwargs.get("engine") or _known_engine()) from exc

    return wrapper  # type: ignore[return-value]


def _known_engine() -> Engine | None:
    try:
        return get_engine()
    except Exception:  # a bad DATABASE_URL: the message names the setting, not the engine
        return None


@_faults
def init_store(*, engine: Engine | None = None) -> list[int]:
    """Create the catalogue's tables and apply pending migrations (idempotent).

    Parameters
    ----------
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    list[int]
        The migration versions applied.
    """
    return migrate(_engine(engine))


# Bidirectional overrides and isolates (U+202A-E, U+2066-9), zero-width characters and marks
# (U+200B-F), the BOM (U+FEFF) are format characters (Cf); tabs, newlines and other controls are Cc.
_SPACES = re.compile(r"\s+")


def clean_name(name: object, *, limit: int = NAME_MAX) -> str:
    """A name as it is stored and shown: control and format characters (category Cc/Cf: right-to-left
    overrides and isolates, zero-width characters, the BOM, ...) and lone surrogates removed; tabs, line
    breaks and line/paragraph separators turned into spaces; runs of space collapsed; trimmed; at most
    ``limit`` characters. The one helper for dataset, preset and saved-item names.

    Parameters
    ----------
    name : object
        The name (None: "").
    limit : int
        Most characters.

    Returns
    -------
    str
        The cleaned name.
    """
    out = []
    for ch in str(name if name is not None else ""):
        cat = unicodedata.category(ch)
        if cat in ("Zl", "Zp") or ch in "\t\n\r\x0b\x0c\x85":
            out.append(" ")
        elif cat not in ("Cc", "Cf", "Cs"):
            out.append(ch)
    return _SPACES.sub(" ", "".join(out)).strip()[:limit].strip()


# ---------------------------------------------------------------- datasets


def _info(row: Any) -> dict:
    d = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    for k in ("mapping", "attributes", "fields"):
        if isinstance(d.get(k), str):
            d[k] = json.loads(d[k] or ("{}" if k == "mapping" else "[]"))
    return d


@_faults
def list_datasets(*, kind: str | None = None, engine: Engine | None = None) -> list[dict]:
    """Every dataset's catalogue row (of one kind), by kind, name and id.

    Parameters
    ----------
    kind : str | None
        A dataset kind, or None for all.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    list[dict]
        One dict per dataset (id, name, kind, revision, rows, mapping, fields, attributes, uploaded_by, ...).
    """
    t = models.Dataset.__table__
    q = select(t).order_by(t.c.kind, t.c.name, t.c.id)
    if kind:
        q = q.where(t.c.kind == kind)
    with _engine(engine).connect() as conn:
        return [_info(r) for r in conn.execute(q)]


@_faults
def catalogue_stamp(*, engine: Engine | None = None) -> str:
    """A short digest that changes whenever any dataset is created, deleted, renamed or gets a new
    revision, by any process on this catalogue: one small query (id, revision and name of each dataset;
    ids are never reused), cheap enough for every rerun. Each server keys its cached dataset lists on it,
    so a write through another server is seen on the next rerun, not after a cache's time-to-live.

    Parameters
    ----------
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    str
        ``"<datasets>-<digest>"``.
    """
    t = models.Dataset.__table__
    with _engine(engine).connect() as conn:
        rows = conn.execute(select(t.c.id, t.c.revision, t.c.name).order_by(t.c.id)).all()
    h = hashlib.blake2b(digest_size=12)
    for r in rows:
        h.update(f"{int(r[0])}\x1f{int(r[1])}\x1f{r[2]}\x1e".encode("utf-8", "surrogatepass"))
    return f"{len(rows)}-{h.hexdigest()}"


@_faults
def get_dataset(*, dataset_id: int, engine: Engine | None = None) -> dict | None:
    """One dataset's catalogue row, or None when there is no such dataset.

    Parameters
    ----------
    dataset_id : int
        The dataset's id.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    dict | None
        The dataset's dict, or None.
    """
    t = models.Dataset.__table__
    with _engine(engine).connect() as conn:
        r = conn.execute(select(t).where(t.c.id == int(dataset_id))).first()
    return _info(r) if r is not None else None


@_faults
def find_by_hash(*, content_hash: str, engine: Engine | None = None) -> dict | None:
    """The dataset and revision that already hold exactly these bytes, if any.

    Parameters
    ----------
    content_hash : str
        The bytes' sha256.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    dict | None
        ``dataset_id``, ``revision``, ``name``, ``kind`` of the latest revision holding them, or None.
    """
    rt = models.DatasetRevision.__table__
    t = models.Dataset.__table__
    q = (
        select(rt.c.dataset_id, rt.c.revision, t.c.name, t.c.kind)
        .join(t, t.c.id == rt.c.dataset_id)
        .where(rt.c.content_hash == content_hash)
        .order_by(rt.c.id.desc())
    )
    with _engine(engine).connect() as conn:
        r = conn.execute(q).first()
    return dict(r._mapping) if r is not None else None


@_faults
def revisions(*, dataset_id: int, engine: Engine | None = None) -> list[dict]:
    """A dataset's revisions, oldest first.

    Parameters
    ----------
    dataset_id : int
        The dataset's id.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    list[dict]
        One dict per revision row.
    """
    rt = models.DatasetRevision.__table__
    q = select(rt).where(rt.c.dataset_id == int(dataset_id)).order_by(rt.c.revision)
    with _engine(engine).connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def _dataset_for_change(conn: Connection, dataset_id: int, actor: Actor, action: str) -> Any:
    """The dataset row, after checking (inside the write transaction) that ``actor`` may change it."""
    t = models.Dataset.__table__
    cur = conn.execute(select(t).where(t.c.id == int(dataset_id))).first()
    if cur is None:
        raise LookupError(f"dataset {dataset_id} does not exist")
    cur = cur._mapping
    require_change(actor, owner=cur["uploaded_by"], action=action, target="dataset", target_id=int(dataset_id),
                   target_name=cur["name"])
    return cur


@_faults
def rename_dataset(*, dataset_id: int, name: str, actor: Actor, engine: Engine | None = None) -> None:
    """Rename a dataset (its uploader or an admin). Control and format characters are removed
    (:func:`clean_name`); a name left empty is refused with ValueError.

    Parameters
    ----------
    dataset_id : int
        The dataset's id.
    name : str
        The new name.
    actor : Actor
        The acting user.
    engine : Engine | None
        Catalogue engine (None: the default).
    """
    name = clean_name(name)
    if not name:
        raise ValueError("a dataset name cannot be empty")
    t = models.Dataset.__table__
    with writing(_engine(engine)) as conn:
        _dataset_for_change(conn, dataset_id, actor, "rename")
        conn.execute(update(t).where(t.c.id == int(dataset_id)).values(name=name))


@_faults
def delete_dataset(*, dataset_id: int, actor: Actor, engine: Engine | None = None) -> bool:
    """Delete a dataset and its revisions in one transaction (its uploader or an admin), then the parts
    holding its lines. False when there is no such dataset.

    Parameters
    ----------
    dataset_id : int
        The dataset's id.
    actor : Actor
        The acting user.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    bool
        True when deleted.
    """
    eng = _engine(engine)
    rt = models.DatasetRevision.__table__
    with writing(eng) as conn:
        try:
            _dataset_for_change(conn, dataset_id, actor, "delete")
        except LookupError:
            return False
        names: set[str] = set()
        for raw in conn.execute(select(rt.c.parts).where(rt.c.dataset_id == int(dataset_id))).scalars():
            names.update(json.loads(raw) if raw else [])
        conn.execute(delete(rt).where(rt.c.dataset_id == int(dataset_id)))
        conn.execute(delete(models.Dataset.__table__).where(models.Dataset.__table__.c.id == int(dataset_id)))
    # After the commit: a query already scanning a part keeps its open file; nothing names them any more.
    try:
        lines_engine.remove_parts(sorted(names), lines_dir(eng))
    except OSError:  # left for collect_garbage
        pass
    return True


@_faults
def table_counts(*, engine: Engine | None = None) -> dict[str, int]:
    """Rows of the catalogue's dataset tables and the number of part files in the lines directory
    (``line_parts``, temporary files included), for checks that nothing was stored.

    Parameters
    ----------
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    dict[str, int]
        Table name -> rows, and ``line_parts``.
    """
    out: dict[str, int] = {}
    eng = _engine(engine)
    with eng.connect() as conn:
        for tbl in [models.Dataset, models.DatasetRevision]:
            t = tbl.__table__
            out[t.name] = int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
    out["line_parts"] = lines_engine.count_files(lines_dir(eng))
    return out


@dataclass(frozen=True)
class StagedPart:
    """One part written to the lines directory but named by no revision yet (invisible to readers)."""

    name: str
    rows: int
    returns: int
    fields: tuple[str, ...]      # canonical fields holding data in this part
    attributes: tuple[str, ...]  # attr_* columns of this part


@_faults
def stage_part(*, kind: str, frame: pd.DataFrame, lines: np.ndarray | None = None,
               engine: Engine | None = None) -> StagedPart:
    """Write one chunk of canonical lines as a part (complete and synced before this returns). Nothing
    is visible until :func:`commit_parts` names it; :func:`discard_parts` removes it, and a part a killed
    process left behind is collected later (:func:`collect_garbage`).

    Parameters
    ----------
    kind : str
        The dataset kind (ValueError for an unknown one).
    frame : pd.DataFrame
        Canonical lines.
    lines : np.ndarray | None
        Their source line numbers, or None for 1..n.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    StagedPart
        The staged part (name, rows, returns, fields, attributes).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    base = lines_dir(_engine(engine))
    name = lines_engine.write_part(part_table(kind, frame, lines), base)
    return StagedPart(
        name=name, rows=len(frame),
        returns=int(frame["is_return"].fillna(False).astype(bool).sum()) if "is_return" in frame.columns else 0,
        fields=tuple(f for f in KINDS[kind].field_names if f in frame.columns and frame[f].notna().any()),
        attributes=tuple(c for c in frame.columns if c.startswith(ATTR_PREFIX)),
    )


def discard_parts(parts: Iterable[StagedPart], *, engine: Engine | None = None) -> None:
    """Remove staged parts that will not be committed.

    Parameters
    ----------
    parts : Iterable[StagedPart]
        The staged parts.
    engine : Engine | None
        Catalogue engine (None: the default).
    """
    lines_engine.remove_parts([p.name for p in parts], lines_dir(_engine(engine)))


@_faults
def write_dataset(
    *,
    kind: str,
    frame: pd.DataFrame,
    name: str,
    content_hash: str,
    mapping: dict[str, str],
    source_file: str = "",
    uploaded_by: str = "",
    mode: str = "create",
    dataset_id: int | None = None,
    rejected_rows: int = 0,
    lines: np.ndarray | None = None,
    actor: Actor | None = None,
    engine: Engine | None = None,
    progress: Progress = None,
) -> dict:
    """Create a dataset, or append to / replace one, from one frame: :func:`stage_part` then
    :func:`commit_parts` (see there).

    Parameters
    ----------
    kind : str
        The dataset kind.
    frame : pd.DataFrame
        Canonical lines.
    name : str
        The dataset's name.
    content_hash : str
        The source bytes' sha256.
    mapping : dict[str, str]
        Field -> source column.
    source_file : str
        The source file(s).
    uploaded_by : str
        The uploader recorded without an actor.
    mode : str
        "create", "append" or "replace".
    dataset_id : int | None
        The dataset to append to or replace.
    rejected_rows : int
        Rows left out as bad.
    lines : np.ndarray | None
        Source line numbers, or None.
    actor : Actor | None
        The acting user (required to append or replace), or None.
    engine : Engine | None
        Catalogue engine (None: the default).
    progress : Progress
        Called with (fraction done, message), or None.

    Returns
    -------
    dict
        The dataset's catalogue row after the write.
    """
    _check_write(kind, mode, actor)
    if progress:
        progress(0.0, f"0 / {len(frame):,}")
    part = stage_part(kind=kind, frame=frame, lines=lines, engine=engine)
    info = commit_parts(kind=kind, parts=[part], name=name, content_hash=content_hash, mapping=mapping,
                        source_file=source_file, uploaded_by=uploaded_by, mode=mode, dataset_id=dataset_id,
                        rejected_rows=rejected_rows, actor=actor, engine=engine)
    if progress:
        progress(1.0, f"{len(frame):,} / {len(frame):,}")
    return info


def _check_write(kind: str, mode: str, actor: Actor | None) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if mode not in ("create", "append", "replace"):
        raise ValueError(f"unknown mode {mode!r}")
    if actor is not None:
        if mode == "create":
            require_create(actor, action="upload", target="datasets")
    elif mode != "create":
        raise ValueError(f"{mode} changes an existing dataset: name the acting user (actor=Actor(username, role))")


@_faults
def commit_parts(
    *,
    kind: str,
    parts: list[StagedPart],
    name: str,
    content_hash: str,
    mapping: dict[str, str],
    source_file: str = "",
    uploaded_by: str = "",
    mode: str = "create",
    dataset_id: int | None = None,
    rejected_rows: int = 0,
    actor: Actor | None = None,
    engine: Engine | None = None,
) -> dict:
    """Create a dataset, or append to / replace one, from staged parts, in ONE catalogue transaction.

    Readers keep seeing the previous revision until this commits (SQLite WAL / MVCC elsewhere); if it
    fails, the staged parts are removed, so a failure or a killed process leaves no visible trace.

    ``actor`` is the acting user: required to append or replace (only the dataset's uploader or an
    admin may), checked on create when given (an analyst or admin; the actor becomes the uploader).
    The dataset's owner (``uploaded_by``) stays its original uploader; each revision row records who
    uploaded that revision.

    Parameters
    ----------
    kind : str
        The dataset kind.
    parts : list[StagedPart]
        The staged parts (at least one).
    name : str
        The dataset's name.
    content_hash : str
        The source bytes' sha256.
    mapping : dict[str, str]
        Field -> source column.
    source_file : str
        The source file(s).
    uploaded_by : str
        The uploader recorded without an actor.
    mode : str
        "create", "append" or "replace".
    dataset_id : int | None
        The dataset to append to or replace.
    rejected_rows : int
        Rows left out as bad.
    actor : Actor | None
        The acting user (required to append or replace), or None.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    dict
        The dataset's catalogue row after the commit.
    """
    eng = _engine(engine)
    try:
        _check_write(kind, mode, actor)
        if actor is not None:
            uploaded_by = actor.username
        if not parts:
            raise ValueError("a revision has at least one part")
        name = clean_name(name) or kind
        now = datetime.now(timezone.utc)
        attr_cols = list(dict.fromkeys(a for p in parts for a in p.attributes))
        present = [f for f in KINDS[kind].field_names if any(f in p.fields for p in parts)]
        with writing(eng) as conn:
            ds_id, _ = _write_catalogue(conn, kind=kind, rows=sum(p.rows for p in parts), name=name,
                                        content_hash=content_hash, mapping=mapping, source_file=source_file,
                                        uploaded_by=uploaded_by, mode=mode, dataset_id=dataset_id,
                                        rejected_rows=rejected_rows, actor=actor, now=now, attr_cols=attr_cols,
                                        present=present, returns=sum(p.returns for p in parts),
                                        parts=[p.name for p in parts])
    except BaseException:
        discard_parts(parts, engine=eng)
        raise
    _collect_garbage_quietly(eng)
    return get_dataset(dataset_id=ds_id, engine=eng)  # type: ignore[return-value]


def _write_catalogue(conn: Connection, *, kind: str, rows: int, name: str, content_hash: str,
                     mapping: dict[str, str], source_file: str, uploaded_by: str, mode: str,
                     dataset_id: int | None, rejected_rows: int, actor: Actor | None, now: datetime,
                     attr_cols: list[str], present: list[str], returns: int, parts: list[str],
                     source: dict | None = None) -> tuple[int, int]:
    """The catalogue side of a write (dataset row, revision row naming its parts), in ``conn``'s
    transaction. Returns (dataset id, revision)."""
    dt = models.Dataset.__table__
    rt = models.DatasetRevision.__table__
    if mode == "create":
        res = conn.execute(
            dt.insert().values(
                name=name, kind=kind, revision=1, content_hash=content_hash, rows=rows,
                rejected_rows=rejected_rows, flagged_returns=returns, mapping=json.dumps(mapping, ensure_ascii=False),
                attributes=json.dumps(attr_cols, ensure_ascii=False), source_file=source_file,
                uploaded_by=uploaded_by, uploaded_at=now, updated_at=now, description="",
                fields=json.dumps(present),
            )
        )
        ds_id = int(res.inserted_primary_key[0])
        revision = 1
        total = rows
    else:
        if dataset_id is None:
            raise ValueError("append/replace needs dataset_id")
        cur = _dataset_for_change(conn, int(dataset_id), actor, mode)  # type: ignore[arg-type]
        if cur["kind"] != kind:
            raise ValueError(f"dataset {dataset_id} holds {cur['kind']}, not {kind}")
        if source is None and _source_of(conn, int(dataset_id), int(cur["revision"])) is not None:
            from data.errors import IngestError

            raise IngestError(f"dataset {dataset_id} is a connected warehouse table: its lines change in the "
                              "warehouse, not by upload", reason="connected dataset")
        ds_id = int(dataset_id)
        revision = int(cur["revision"]) + 1
        if mode == "replace":
            total = rows
            attrs = attr_cols
            flagged = returns
            fields = present
        else:
            total = int(cur["rows"]) + rows
            attrs = sorted(set(json.loads(cur["attributes"] or "[]")) | set(attr_cols))
            flagged = int(cur["flagged_returns"]) + returns
            old = set(json.loads(cur["fields"] or "[]"))
            fields = [f for f in KINDS[kind].field_names if f in old or f in present]
        conn.execute(
            update(dt).where(dt.c.id == ds_id).values(
                revision=revision, content_hash=content_hash, rows=total, rejected_rows=rejected_rows,
                flagged_returns=flagged, attributes=json.dumps(attrs, ensure_ascii=False),
                mapping=json.dumps(mapping, ensure_ascii=False), source_file=source_file,
                updated_at=now, fields=json.dumps(fields),
            )
        )
    parts = list(parts)
    if mode == "append":
        parts = _parts_of(conn, ds_id, revision - 1) + parts
    conn.execute(
        rt.insert().values(
            dataset_id=ds_id, revision=revision, action=mode, content_hash=content_hash,
            rows_added=rows, rows_total=total, rejected_rows=rejected_rows,
            source_file=source_file, uploaded_by=uploaded_by, uploaded_at=now,
            parts=json.dumps(parts), source=json.dumps(source, ensure_ascii=False) if source else None,
        )
    )
    return ds_id, revision


# ---------------------------------------------------------------- lines in the engine (parts)

_ARROW = {"str": pa.string(), "float": pa.float64(), "int": pa.float64(), "datetime": pa.timestamp("us"),
          "bool": pa.bool_()}


def _derived(kind: str) -> list[str]:
    """Kind-specific columns ingest derives (orders: ``is_return``). Kinds added after the lines moved to the
    engine (live_sessions, creators, content) have no legacy fact table and derive nothing."""
    k = KINDS[kind]
    model = models.FACT_TABLES.get(kind)
    if model is None:
        return []
    table = model.__table__
    return [c for c in table.c.keys() if c not in ("id", "dataset_id", "line", "attrs", *k.field_names)]


def _canonical_frame(kind: str, frame: pd.DataFrame, lines: np.ndarray | None) -> pd.DataFrame:
    k = KINDS[kind]
    n = len(frame)
    out: dict[str, Any] = {}  # one frame made at the end, not one insert per column
    for f in k.fields:
        s = frame[f.name].reset_index(drop=True) if f.name in frame.columns else pd.Series([None] * n)
        out[f.name] = _typed(s, f.type)
    for c in _derived(kind):
        out[c] = frame[c].fillna(False).astype(bool).to_numpy() if c in frame.columns else np.zeros(n, dtype=bool)
    for c in frame.columns:
        if c.startswith(ATTR_PREFIX):
            out[c] = frame[c].reset_index(drop=True)
    out[lines_engine.LINE] = (np.asarray(lines).astype("int64") if lines is not None
                              else np.arange(1, n + 1, dtype="int64"))
    return pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)


def part_table(kind: str, frame: pd.DataFrame, lines: np.ndarray | None) -> pa.Table:
    """A canonical frame as the Arrow table of one part: every field of the kind with its engine type
    (text, float64, timestamp[us], bool), the derived flags, ``attr_*`` columns as parsed (text when
    empty), and ``__line__``. The same schema for every part of a kind, so appends scan as one table.

    Parameters
    ----------
    kind : str
        The dataset kind.
    frame : pd.DataFrame
        Canonical lines.
    lines : np.ndarray | None
        Source line numbers, or None.

    Returns
    -------
    pa.Table
        The Arrow table.
    """
    df = _canonical_frame(kind, frame, lines)
    # one thread: the columns convert without a copy (Arrow-backed text, numpy numbers), and the pool of
    # threads pyarrow starts for a big frame cost more than the conversion
    tbl = pa.Table.from_pandas(df, preserve_index=False, nthreads=1)
    fields = []
    for name, typ in zip(tbl.schema.names, tbl.schema.types):
        if name in KINDS[kind].field_names:
            typ = _ARROW[KINDS[kind].field(name).type]
        elif name in _derived(kind):
            typ = pa.bool_()
        elif name == lines_engine.LINE:
            typ = pa.int64()
        elif pa.types.is_null(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ):
            typ = pa.string()
        fields.append(pa.field(name, typ))
    return tbl.cast(pa.schema(fields))


def _parts_of(conn: Connection, dataset_id: int, revision: int) -> list[str]:
    rt = models.DatasetRevision.__table__
    raw = conn.execute(select(rt.c.parts).where(rt.c.dataset_id == int(dataset_id), rt.c.revision == int(revision))
                       .order_by(rt.c.id.desc())).scalar()
    return list(json.loads(raw)) if raw else []


@_faults
def revision_parts(*, dataset_id: int, revision: int | None = None,
                   engine: Engine | None = None) -> list[Path | str]:
    """The files holding a revision's lines (default: the current revision), in order: paths in the lines
    directory, or ``s3://`` URLs in an object store (``PRISM_DATA_URL``).

    Parameters
    ----------
    dataset_id : int
        The dataset's id.
    revision : int | None
        The revision (None: the current one).
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    list[Path | str]
        The part files or URLs (LookupError for no such dataset or no lines).
    """
    eng = _engine(engine)
    with eng.connect() as conn:
        if revision is None:
            revision = conn.execute(select(models.Dataset.__table__.c.revision)
                                    .where(models.Dataset.__table__.c.id == int(dataset_id))).scalar()
            if revision is None:
                raise LookupError(f"dataset {dataset_id} does not exist")
        names = _parts_of(conn, int(dataset_id), int(revision))
    if not names:
        raise LookupError(f"dataset {dataset_id} revision {revision} has no lines")
    base = lines_dir(eng)
    return [lines_engine.part_path(n, base) for n in names]


def lines_table(*, dataset_id: int, revision: int | None = None, engine: Engine | None = None):
    """The revision's lines as an engine (Ibis) table, scanned where they lie: its parts, or for a
    connected revision the warehouse table's projection (data/connect.py; the table as it is now: a
    change in it is registered as a new revision by :func:`refresh_connected`).

    Parameters
    ----------
    dataset_id : int
        The dataset's id.
    revision : int | None
        The revision (None: the current one).
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    ibis.Table
        The lines.
    """
    spec = connected_source(dataset_id=dataset_id, revision=revision, engine=engine)
    if spec is not None:
        from data import connect

        return connect.lines(spec)
    return lines_engine.read_parts(revision_parts(dataset_id=dataset_id, revision=revision, engine=engine))


# ---------------------------------------------------------------- connected warehouse tables (issue 18)


def _source_of(conn: Connection, dataset_id: int, revision: int) -> dict | None:
    rt = models.DatasetRevision.__table__
    raw = conn.execute(select(rt.c.source).where(rt.c.dataset_id == int(dataset_id), rt.c.revision == int(revision))
                       .order_by(rt.c.id.desc())).scalar()
    return json.loads(raw) if raw else None


@_faults
def connected_source(*, dataset_id: int, revision: int | None = None, engine: Engine | None = None) -> dict | None:
    """The spec of a connected revision (default: the current one), None for a revision of parts.

    Parameters
    ----------
    dataset_id : int
        The dataset's id (LookupError when it does not exist and ``revision`` is None).
    revision : int | None
        The revision (None: the dataset's current one).
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    dict | None
        The revision's spec (data/connect.py: engine, schema, table, kind, mapping, columns, int_ids,
        cancel_ids, fingerprint), or None when the revision holds Parquet parts.
    """
    with _engine(engine).connect() as conn:
        if revision is None:
            revision = conn.execute(select(models.Dataset.__table__.c.revision)
                                    .where(models.Dataset.__table__.c.id == int(dataset_id))).scalar()
            if revision is None:
                raise LookupError(f"dataset {dataset_id} does not exist")
        return _source_of(conn, int(dataset_id), int(revision))


def _table_hash(spec: dict) -> str:
    fp = spec.get("fingerprint") or {}
    return (f"table:{spec['engine']}:{spec['schema']}.{spec['table']}:{fp.get('rows')}:{fp.get('max_date')}:"
            f"{fp.get('checksum')}")


@_faults
def connect_table(*, plan: Any, name: str = "", actor: Actor | None = None, engine: Engine | None = None) -> dict:
    """Store a checked :class:`data.connect.Plan` as a new dataset whose revision names the warehouse
    table (no lines are copied). A viewer is refused (NotAllowed, nothing stored).

    Parameters
    ----------
    plan : data.connect.Plan
        The checked connection (its kind, table, mapping, spec, row and return counts, fields, attributes).
    name : str
        The dataset's name (cleaned; empty: the table's ``schema.table``).
    actor : Actor | None
        The acting user, an analyst or admin (None: no permission check, ``uploaded_by`` left empty).
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    dict
        The new dataset's catalogue row (as :func:`get_dataset`).
    """
    _check_write(plan.kind, "create", actor)
    eng = _engine(engine)
    uploaded_by = actor.username if actor is not None else ""
    with writing(eng) as conn:
        ds_id, _ = _write_catalogue(
            conn, kind=plan.kind, rows=int(plan.rows), name=clean_name(name) or plan.ref.label,
            content_hash=_table_hash(plan.spec), mapping=dict(plan.mapping), source_file=f"table {plan.ref.label}",
            uploaded_by=uploaded_by, mode="create", dataset_id=None, rejected_rows=0, actor=actor,
            now=datetime.now(timezone.utc), attr_cols=list(plan.attributes), present=list(plan.fields),
            returns=int(plan.returns), parts=[], source=plan.spec)
    stamp = lines_engine.warehouse_stamp() if plan.spec.get("engine") == "duckdb" else None
    _checked[(str(eng.url), ds_id)] = (_now(), stamp)
    return get_dataset(dataset_id=ds_id, engine=eng)  # type: ignore[return-value]


CHECK_S = 30.0  # default seconds between two fingerprint checks of one connected table in one process
_checked: dict[tuple[str, int], tuple[float, tuple | None]] = {}  # (url, dataset) -> (time, file stamp)


def _now() -> float:
    import time

    return time.monotonic()


def check_interval() -> float:
    """Seconds between two fingerprint checks of a connected Spark table (``PRISM_CONNECT_CHECK_S``, default
    30); a DuckDB warehouse table is checked when its file was replaced.

    Returns
    -------
    float
        The seconds (at least 0; the default for an unset or unreadable setting).
    """
    import os

    raw = (os.environ.get("PRISM_CONNECT_CHECK_S") or "").strip()
    try:
        return max(0.0, float(raw)) if raw else CHECK_S
    except ValueError:
        return CHECK_S


@_faults
def refresh_connected(*, max_age_s: float | None = None, engine: Engine | None = None) -> list[dict]:
    """Check the fingerprint of every connected dataset: on DuckDB when the warehouse file was replaced
    since this process last checked it (a file attached read-only cannot change in place), on Spark when
    it was not checked in this process for ``max_age_s`` seconds (default :func:`check_interval`); a
    changed table becomes a new revision (action ``refresh``:
    rows, returns and fields recounted), so caches keyed on the revision recompute. Two servers that see
    the same change write one revision (the second finds it written). A table that cannot be read (gone,
    warehouse not configured) is reported, not raised.

    Parameters
    ----------
    max_age_s : float | None
        Seconds after which a Spark table is checked again (None: :func:`check_interval`).
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    list[dict]
        One dict per dataset checked (those skipped as recently checked are left out): ``dataset_id``,
        ``revision`` (the new one when it changed), ``changed``, and ``error`` when the table could not be
        read.
    """
    from data import connect

    eng = _engine(engine)
    age = check_interval() if max_age_s is None else float(max_age_s)
    dt = models.Dataset.__table__
    rt = models.DatasetRevision.__table__
    with eng.connect() as conn:
        rows = conn.execute(select(dt.c.id, dt.c.revision, rt.c.source)
                            .join(rt, (rt.c.dataset_id == dt.c.id) & (rt.c.revision == dt.c.revision))
                            .where(rt.c.source.is_not(None))).all()
    out = []
    now = _now()
    for ds_id, rev, raw in rows:
        key = (str(eng.url), int(ds_id))
        spec = json.loads(raw)
        try:
            # DuckDB: the warehouse file cannot change in place while it is attached, so the table is scanned
            # only when the file was replaced (its stamp changed); Spark: at most every ``age`` seconds
            stamp = lines_engine.warehouse_stamp() if spec.get("engine") == "duckdb" else None
            last = _checked.get(key)
            if last is not None and (last[1] == stamp if stamp is not None else now - last[0] < age):
                continue
            _checked[key] = (now, stamp)
            fp = connect.fingerprint(spec)
        except Exception as exc:  # noqa: BLE001 - every rerun checks: a broken table is reported, never raised
            out.append({"dataset_id": int(ds_id), "revision": int(rev), "changed": False, "error": str(exc)})
            continue
        if fp == spec.get("fingerprint"):
            out.append({"dataset_id": int(ds_id), "revision": int(rev), "changed": False})
            continue
        new = {**spec, "fingerprint": fp}
        try:
            t = connect.raw_table(connect.TableRef(spec["engine"], spec["schema"], spec["table"]))
            connect._decide(new, t)
            st = connect.stats(new)
        except Exception as exc:  # noqa: BLE001 - every rerun checks: a broken table is reported, never raised
            out.append({"dataset_id": int(ds_id), "revision": int(rev), "changed": False, "error": str(exc)})
            continue
        revision = _write_refresh(eng, int(ds_id), int(rev), new, st)
        out.append({"dataset_id": int(ds_id), "revision": revision, "changed": revision != int(rev)})
    return out


def _write_refresh(eng: Engine, dataset_id: int, revision: int, spec: dict, st: dict) -> int:
    dt = models.Dataset.__table__
    rt = models.DatasetRevision.__table__
    now = datetime.now(timezone.utc)
    with writing(eng) as conn:
        cur = conn.execute(select(dt.c.revision, dt.c.rows).where(dt.c.id == dataset_id)).first()
        if cur is None or int(cur[0]) != revision:  # deleted, or another server registered the change
            return int(cur[0]) if cur is not None else revision
        new_rev = revision + 1
        conn.execute(update(dt).where(dt.c.id == dataset_id).values(
            revision=new_rev, content_hash=_table_hash(spec), rows=int(st["rows"]),
            flagged_returns=int(st["returns"]), fields=json.dumps(list(st["fields"])),
            attributes=json.dumps(list(st["attributes"]), ensure_ascii=False), updated_at=now))
        conn.execute(rt.insert().values(
            dataset_id=dataset_id, revision=new_rev, action="refresh", content_hash=_table_hash(spec),
            rows_added=int(st["rows"]) - int(cur[1]), rows_total=int(st["rows"]), rejected_rows=0,
            source_file=f"table {spec['schema']}.{spec['table']}".replace("table .", "table "), uploaded_by="warehouse",
            uploaded_at=now, parts="[]", source=json.dumps(spec, ensure_ascii=False)))
    return new_rev


def _referenced(conn: Connection) -> tuple[set[str], dict[str, datetime]]:
    """Parts of every dataset's current revision, and for parts only older revisions name, when the
    revision that superseded them was written."""
    rt = models.DatasetRevision.__table__
    dt = models.Dataset.__table__
    current = {int(r[0]): int(r[1]) for r in conn.execute(select(dt.c.id, dt.c.revision))}
    live: set[str] = set()
    rows = conn.execute(select(rt.c.dataset_id, rt.c.revision, rt.c.parts, rt.c.uploaded_at)
                        .order_by(rt.c.dataset_id, rt.c.revision)).all()
    superseded: dict[str, datetime] = {}
    by_ds: dict[int, list] = {}
    for r in rows:
        by_ds.setdefault(int(r[0]), []).append(r)
    for ds, revs in by_ds.items():
        for i, r in enumerate(revs):
            names = json.loads(r[2]) if r[2] else []
            if current.get(ds) == int(r[1]):
                live.update(names)
            elif i + 1 < len(revs):
                at = revs[i + 1][3]
                for n in names:
                    superseded[n] = at
    return live, superseded


GRACE_S = 600.0  # how long a replaced revision's parts stay readable for queries already running


def collect_garbage(*, engine: Engine | None = None, grace_s: float = GRACE_S) -> list[str]:
    """Remove parts that no current revision names: those of replaced revisions once ``grace_s`` has
    passed since the replacement, of deleted datasets, and files a killed upload left (after
    ``grace_s``, so an upload still writing its part is never touched). Returns the names removed.

    Parameters
    ----------
    engine : Engine | None
        Catalogue engine (None: the default).
    grace_s : float
        Seconds a replaced revision's parts (and a fresh unreferenced file) are kept.

    Returns
    -------
    list[str]
        The names removed.
    """
    eng = _engine(engine)
    base = lines_dir(eng)
    with eng.connect() as conn:
        live, superseded = _referenced(conn)
    now = datetime.now(timezone.utc)
    keep = set(live)
    for n, at in superseded.items():
        at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
        if (now - at).total_seconds() < grace_s:
            keep.add(n)
    return lines_engine.collect_garbage(keep, base, older_than_s=grace_s)


def _collect_garbage_quietly(eng: Engine) -> None:
    try:
        collect_garbage(engine=eng)
    except (OSError, *FAULTS):  # housekeeping: the write has committed; the next write tries again
        pass


def move_lines_to_engine(conn: Connection) -> int:
    """Migration 5: write each dataset's current revision (from its snapshot, else its fact rows) as a
    part, name it on the revision row, then delete the fact rows and snapshots. Runs in the migration's
    transaction; a part written for a migration that then fails is an unreferenced file (collected).

    Parameters
    ----------
    conn : Connection
        The migration's connection.

    Returns
    -------
    int
        Datasets moved.
    """
    dt = models.Dataset.__table__
    rt = models.DatasetRevision.__table__
    base = lines_dir(conn.engine)
    n = 0
    for row in conn.execute(select(dt)).all():
        info = _info(row)
        snap = _read_snapshot(conn, int(info["id"]))
        if snap is not None and snap[0] == int(info["revision"]):
            frame = snap[1]
            lines = frame.pop(lines_engine.LINE).to_numpy()
        else:
            frame, lines = _frame_from_rows(conn, info)
        part = lines_engine.write_part(part_table(info["kind"], frame, lines), base)
        rid = conn.execute(select(rt.c.id).where(rt.c.dataset_id == int(info["id"]),
                                                 rt.c.revision == int(info["revision"]))
                           .order_by(rt.c.id.desc())).scalar()
        if rid is None:
            conn.execute(rt.insert().values(
                dataset_id=int(info["id"]), revision=int(info["revision"]), action="create",
                content_hash=info["content_hash"], rows_added=len(frame), rows_total=len(frame),
                rejected_rows=int(info["rejected_rows"] or 0), source_file=info["source_file"] or "",
                uploaded_by=info["uploaded_by"] or "", uploaded_at=info["updated_at"], parts=json.dumps([part])))
        else:
            conn.execute(update(rt).where(rt.c.id == rid).values(parts=json.dumps([part])))
        n += 1
    for tbl in models.FACT_TABLES.values():
        conn.execute(delete(tbl.__table__))
    conn.execute(delete(models.DatasetSnapshot.__table__))
    return n


def _read_snapshot(conn: Connection, dataset_id: int) -> tuple[int, pd.DataFrame] | None:
    """A snapshot blob (schema version 4; read only by migration 5)."""
    st_ = models.DatasetSnapshot.__table__
    row = conn.execute(select(st_.c.revision, st_.c.data).where(st_.c.dataset_id == int(dataset_id))).first()
    if row is None:
        return None
    return int(row[0]), pd.read_parquet(io.BytesIO(row[1]))


# ---------------------------------------------------------------- reading lines


def _frame_from_parts(kind: str, paths: list[Path | str]) -> tuple[pd.DataFrame, np.ndarray]:
    return _frame_from_arrow(kind, lines_engine.parts_arrow(paths))


def _frame_from_arrow(kind: str, tbl: pa.Table) -> tuple[pd.DataFrame, np.ndarray]:
    raw = lines_engine.decimals_to_float(tbl).to_pandas()
    lines = raw.pop(lines_engine.LINE).to_numpy() if lines_engine.LINE in raw.columns else np.arange(1, len(raw) + 1)
    k = KINDS[kind]
    n = len(raw)
    out: dict[str, Any] = {}
    for f in k.fields:
        col = raw[f.name] if f.name in raw.columns else pd.Series([None] * n, dtype=object)
        out[f.name] = _typed(col, f.type)
    for c in _derived(kind):
        out[c] = raw[c].fillna(False).astype(bool) if c in raw.columns else pd.Series(np.zeros(n, bool))
    frame = pd.DataFrame(out)
    for c in raw.columns:
        if c.startswith(ATTR_PREFIX):
            frame[c] = raw[c]
    return frame, lines


@_faults
def load_frame(*, dataset_id: int, engine: Engine | None = None) -> pd.DataFrame:
    """The dataset's current revision as a canonical frame (docs/architecture.md), read from its parts.

    This holds every line in memory: for small kinds, exports and pages not yet moved to the engine.
    Big datasets are queried where they lie (:func:`lines_table`).

    Parameters
    ----------
    dataset_id : int
        The dataset's id (LookupError when it does not exist).
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    pd.DataFrame
        The canonical frame (``attrs``: ``dataset_id``, ``revision``, ``lines``).
    """
    eng = _engine(engine)
    info = get_dataset(dataset_id=dataset_id, engine=eng)
    if info is None:
        raise LookupError(f"dataset {dataset_id} does not exist")
    spec = connected_source(dataset_id=int(dataset_id), revision=int(info["revision"]), engine=eng)
    if spec is not None:
        from data import connect

        frame, lines = _frame_from_arrow(info["kind"], lines_engine.to_arrow(connect.lines(spec)))
    else:
        paths = revision_parts(dataset_id=int(dataset_id), revision=int(info["revision"]), engine=eng)
        frame, lines = _frame_from_parts(info["kind"], paths)
    frame.attrs["dataset_id"] = int(dataset_id)
    frame.attrs["revision"] = int(info["revision"])
    frame.attrs["lines"] = lines
    return frame


def _frame_from_rows(conn: Connection, info: dict) -> tuple[pd.DataFrame, np.ndarray]:
    """A dataset's fact rows (schema versions 1-4; read only by migration 5)."""
    kind = info["kind"]
    k = KINDS[kind]
    table = models.FACT_TABLES[kind].__table__
    derived = _derived(kind)
    names = ["line", "attrs", *k.field_names, *derived]
    q = select(*[table.c[c] for c in names]).where(table.c.dataset_id == int(info["id"])).order_by(table.c.id)
    rows = [tuple(r) for r in conn.execute(q)]
    raw = pd.DataFrame.from_records(rows, columns=names, coerce_float=False) if rows else pd.DataFrame(columns=names)
    out: dict[str, Any] = {}
    for f in k.fields:
        out[f.name] = _typed(raw[f.name], f.type)
    for c in derived:
        out[c] = _typed(raw[c], "bool").fillna(False).astype(bool) if c == "is_return" else raw[c]
    frame = pd.DataFrame(out)
    attrs = raw["attrs"]
    if attrs.notna().any():
        parsed = pd.DataFrame.from_records(
            [json.loads(a) if isinstance(a, str) else {} for a in attrs.tolist()], index=frame.index
        )
        for c in parsed.columns:
            col = parsed[c]
            num = pd.to_numeric(col, errors="coerce")
            frame[ATTR_PREFIX + c] = num if num.notna().sum() == col.notna().sum() else col.astype("str").where(col.notna())
    lines = pd.to_numeric(raw["line"], errors="coerce").fillna(0).astype("int64").to_numpy()
    return frame, lines


def _typed(s: pd.Series, ftype: str) -> pd.Series:
    if ftype in ("float", "int"):
        return pd.to_numeric(s, errors="coerce").astype("float64")
    if ftype == "datetime":
        if len(s) and isinstance(s.iloc[0] if s.notna().any() else None, datetime):
            return pd.to_datetime(s).astype("datetime64[ns]")
        return pd.to_datetime(s, format="ISO8601", errors="coerce").astype("datetime64[ns]")
    if ftype == "bool":
        return pd.Series(pd.to_numeric(s, errors="coerce"), index=s.index).astype("boolean")
    if s.dtype == "str":
        return s
    return s.astype("str").where(s.notna())


# ---------------------------------------------------------------- saved objects and presets


@_faults
def save_object(
    *, kind: str, name: str, owner: str, payload: dict, object_id: int | None = None, actor: Actor | None = None,
    engine: Engine | None = None,
) -> int:
    """Save a new item (``object_id=None``; ``owner`` is its owner, the actor when one is given) or
    update one, which needs ``actor``: its owner or an admin. The owner of an item never changes.

    Parameters
    ----------
    kind : str
        The item's kind (e.g. a plan, a persona, a ledger entry).
    name : str
        Its name (cleaned; the kind when empty).
    owner : str
        Its owner when there is no actor.
    payload : dict
        The item's payload (stored as JSON).
    object_id : int | None
        The item to update, or None for a new one.
    actor : Actor | None
        The acting user (required to update), or None.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    int
        The item's id.
    """
    t = models.SavedObject.__table__
    now = datetime.now(timezone.utc)
    body = json.dumps(payload, ensure_ascii=False, default=str)
    name = clean_name(name) or kind
    with writing(_engine(engine)) as conn:
        if object_id is None:
            if actor is not None:
                require_create(actor, action="save", target="objects")
                owner = actor.username
            res = conn.execute(t.insert().values(kind=kind, name=name, owner=owner, payload=body, created_at=now, updated_at=now))
            return int(res.inserted_primary_key[0])
        if actor is None:
            raise ValueError("changing a saved item needs the acting user (actor=Actor(username, role))")
        _object_for_change(conn, int(object_id), actor, "update")
        conn.execute(update(t).where(t.c.id == int(object_id)).values(name=name, payload=body, updated_at=now))
        return int(object_id)


def _object_for_change(conn: Connection, object_id: int, actor: Actor, action: str) -> Any:
    t = models.SavedObject.__table__
    cur = conn.execute(select(t.c.id, t.c.name, t.c.owner).where(t.c.id == int(object_id))).first()
    if cur is None:
        raise LookupError(f"saved item {object_id} does not exist")
    require_change(actor, owner=cur.owner, action=action, target="object", target_id=int(object_id),
                   target_name=cur.name)
    return cur


@_faults
def patch_object(*, object_id: int, kind: str, changes: dict, actor: Actor, engine: Engine | None = None,
                 name: Callable[[dict], str] | None = None) -> dict:
    """Change some fields of a saved item's payload in one write transaction (read, check, write): the item
    must be of ``kind`` and the actor its owner or an admin. ``name`` (payload -> name) renames it after the
    change. Returns the new payload; LookupError when there is no such item of that kind.

    Parameters
    ----------
    object_id : int
        The item's id.
    kind : str
        Its kind.
    changes : dict
        Payload fields to change.
    actor : Actor
        The acting user.
    engine : Engine | None
        Catalogue engine (None: the default).
    name : Callable[[dict], str] | None
        Payload -> new name, or None.

    Returns
    -------
    dict
        The new payload.
    """
    t = models.SavedObject.__table__
    with writing(_engine(engine)) as conn:
        cur = conn.execute(select(t.c.id, t.c.kind, t.c.name, t.c.owner, t.c.payload)
                           .where(t.c.id == int(object_id))).first()
        if cur is None or cur.kind != kind:
            raise LookupError(f"{kind} item {object_id} does not exist")
        require_change(actor, owner=cur.owner, action="update", target="object", target_id=int(object_id),
                       target_name=cur.name)
        payload = {**json.loads(cur.payload), **changes}
        values: dict[str, Any] = {"payload": json.dumps(payload, ensure_ascii=False, default=str),
                                  "updated_at": datetime.now(timezone.utc)}
        if name is not None:
            values["name"] = clean_name(name(payload)) or cur.name
        conn.execute(update(t).where(t.c.id == int(object_id)).values(**values))
    return payload


@_faults
def list_objects(*, kind: str, engine: Engine | None = None) -> list[dict]:
    """The saved items of one kind, most recently updated first.

    Parameters
    ----------
    kind : str
        The item kind.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    list[dict]
        One dict per item (its row, ``payload`` parsed).
    """
    t = models.SavedObject.__table__
    with _engine(engine).connect() as conn:
        rows = conn.execute(select(t).where(t.c.kind == kind).order_by(t.c.updated_at.desc())).all()
    return [{**dict(r._mapping), "payload": json.loads(r._mapping["payload"])} for r in rows]


@_faults
def get_object(*, object_id: int, engine: Engine | None = None) -> dict | None:
    """One saved item, or None when there is no such item.

    Parameters
    ----------
    object_id : int
        The item's id.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    dict | None
        The item (its row, ``payload`` parsed), or None.
    """
    t = models.SavedObject.__table__
    with _engine(engine).connect() as conn:
        r = conn.execute(select(t).where(t.c.id == int(object_id))).first()
    return {**dict(r._mapping), "payload": json.loads(r._mapping["payload"])} if r is not None else None


@_faults
def delete_object(*, object_id: int, actor: Actor, engine: Engine | None = None) -> bool:
    """Delete a saved item (its owner or an admin); False when there is no such item.

    Parameters
    ----------
    object_id : int
        The item's id.
    actor : Actor
        The acting user.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    bool
        True when deleted.
    """
    t = models.SavedObject.__table__
    with writing(_engine(engine)) as conn:
        try:
            _object_for_change(conn, int(object_id), actor, "delete")
        except LookupError:
            return False
        conn.execute(delete(t).where(t.c.id == int(object_id)))
    return True


@_faults
def save_preset(*, name: str, kind: str, mapping: dict[str, str], actor: Actor, engine: Engine | None = None) -> int:
    """Save a column-mapping preset of ``actor`` (an analyst or admin). Presets are per owner: saving
    a name again replaces the actor's own preset of that name and kind, never another owner's.

    Parameters
    ----------
    name : str
        The preset's name (ValueError when empty after cleaning).
    kind : str
        The dataset kind.
    mapping : dict[str, str]
        Field -> source column.
    actor : Actor
        The acting user.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    int
        The preset's id.
    """
    require_create(actor, action="save", target="presets")
    t = models.MappingPreset.__table__
    name = clean_name(name)
    if not name:
        raise ValueError("a preset name cannot be empty")
    with writing(_engine(engine)) as conn:
        conn.execute(delete(t).where((t.c.name == name) & (t.c.kind == kind) & (t.c.owner == actor.username)))
        res = conn.execute(t.insert().values(name=name, kind=kind, mapping=json.dumps(mapping, ensure_ascii=False),
                                             owner=actor.username, created_at=datetime.now(timezone.utc)))
        return int(res.inserted_primary_key[0])


@_faults
def list_presets(*, kind: str | None = None, engine: Engine | None = None) -> list[dict]:
    """The mapping presets (of one kind), by name and owner.

    Parameters
    ----------
    kind : str | None
        A dataset kind, or None for all.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    list[dict]
        One dict per preset (``mapping`` parsed).
    """
    t = models.MappingPreset.__table__
    q = select(t).order_by(t.c.name, t.c.owner, t.c.id)
    if kind:
        q = q.where(t.c.kind == kind)
    with _engine(engine).connect() as conn:
        return [{**dict(r._mapping), "mapping": json.loads(r._mapping["mapping"])} for r in conn.execute(q)]


def iter_kinds() -> Iterable[str]:
    """The dataset kinds of the schema.

    Returns
    -------
    Iterable[str]
        The kinds.
    """
    return KINDS.keys()
