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
import io
import json
import re
import unicodedata
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Optional, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection, Engine

from data import models
from data.access import Actor, require_change, require_create
from data.db import FAULTS, get_engine, is_sqlite, store_error, writing
from data.migrations import migrate
from data.schema import ATTR_PREFIX, KINDS

Progress = Optional[Callable[[float, str], None]]
CHUNK = 100_000
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

    return wrapper  # type: ignore[return-value]


def _known_engine() -> Engine | None:
    try:
        return get_engine()
    except Exception:  # a bad DATABASE_URL: the message names the setting, not the engine
        return None


@_faults
def init_store(*, engine: Engine | None = None) -> list[int]:
    return migrate(_engine(engine))


# Bidirectional overrides and isolates (U+202A-E, U+2066-9), zero-width characters and marks
# (U+200B-F), the BOM (U+FEFF) are format characters (Cf); tabs, newlines and other controls are Cc.
_SPACES = re.compile(r"\s+")


def clean_name(name: object, *, limit: int = NAME_MAX) -> str:
    """A name as it is stored and shown: control and format characters (category Cc/Cf: right-to-left
    overrides and isolates, zero-width characters, the BOM, ...) and lone surrogates removed; tabs, line
    breaks and line/paragraph separators turned into spaces; runs of space collapsed; trimmed; at most
    ``limit`` characters. The one helper for dataset, preset and saved-item names."""
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
    t = models.Dataset.__table__
    q = select(t).order_by(t.c.kind, t.c.name, t.c.id)
    if kind:
        q = q.where(t.c.kind == kind)
    with _engine(engine).connect() as conn:
        return [_info(r) for r in conn.execute(q)]


@_faults
def get_dataset(*, dataset_id: int, engine: Engine | None = None) -> dict | None:
    t = models.Dataset.__table__
    with _engine(engine).connect() as conn:
        r = conn.execute(select(t).where(t.c.id == int(dataset_id))).first()
    return _info(r) if r is not None else None


@_faults
def find_by_hash(*, content_hash: str, engine: Engine | None = None) -> dict | None:
    """The dataset and revision that already hold exactly these bytes, if any."""
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
    (:func:`clean_name`); a name left empty is refused with ValueError."""
    name = clean_name(name)
    if not name:
        raise ValueError("a dataset name cannot be empty")
    t = models.Dataset.__table__
    with writing(_engine(engine)) as conn:
        _dataset_for_change(conn, dataset_id, actor, "rename")
        conn.execute(update(t).where(t.c.id == int(dataset_id)).values(name=name))


@_faults
def delete_dataset(*, dataset_id: int, actor: Actor, engine: Engine | None = None) -> bool:
    """Delete a dataset, its revisions and its rows in one transaction (its uploader or an admin).
    False when there is no such dataset."""
    eng = _engine(engine)
    with writing(eng) as conn:
        try:
            info = _dataset_for_change(conn, dataset_id, actor, "delete")
        except LookupError:
            return False
        fact = models.FACT_TABLES[info["kind"]].__table__
        conn.execute(delete(fact).where(fact.c.dataset_id == int(dataset_id)))
        conn.execute(delete(models.DatasetSnapshot.__table__).where(
            models.DatasetSnapshot.__table__.c.dataset_id == int(dataset_id)))
        conn.execute(
            delete(models.DatasetRevision.__table__).where(
                models.DatasetRevision.__table__.c.dataset_id == int(dataset_id)
            )
        )
        conn.execute(delete(models.Dataset.__table__).where(models.Dataset.__table__.c.id == int(dataset_id)))
    return True


@_faults
def table_counts(*, engine: Engine | None = None) -> dict[str, int]:
    """Rows per table (datasets, revisions and every fact table), for checks and tests."""
    out: dict[str, int] = {}
    with _engine(engine).connect() as conn:
        for tbl in [models.Dataset, models.DatasetRevision, models.DatasetSnapshot, *models.FACT_TABLES.values()]:
            t = tbl.__table__
            out[t.name] = int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
    return out


# ---------------------------------------------------------------- writing rows


def _py_column(s: pd.Series, ftype: str, sqlite: bool) -> list:
    """A column as a list of Python values the DBAPI binds directly (None for missing)."""
    n = len(s)
    if n == 0:
        return []
    if ftype in ("float", "int"):
        arr = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        out = arr.astype(object)
        out[np.isnan(arr)] = None
        return out.tolist()
    if ftype == "bool":
        b = s.astype("boolean")
        out = np.where(b.isna().to_numpy(), None, b.fillna(False).to_numpy(dtype=bool).astype(int)).astype(object)
        return out.tolist()
    if ftype == "datetime":
        d = pd.to_datetime(s, errors="coerce")
        vals = d.to_numpy(dtype="datetime64[us]")
        mask = np.isnat(vals)
        if sqlite:
            # ISO 8601 text, which SQLite's date functions and pandas both read back exactly
            whole = not (vals[~mask].astype("int64") % 1_000_000).any()
            strs = np.datetime_as_string(vals, unit="s" if whole else "us").astype(object)
            strs[mask] = None
            return strs.tolist()
        objs = d.dt.to_pydatetime() if hasattr(d, "dt") else list(d)
        out = np.asarray(objs, dtype=object)
        out[mask] = None
        return out.tolist()
    # text
    obj = s.astype(object)
    out = obj.to_numpy(dtype=object, copy=True)
    out[pd.isna(obj).to_numpy()] = None
    return out.tolist()


def _attrs_json(frame: pd.DataFrame, attr_cols: list[str]) -> list:
    if not attr_cols:
        return [None] * len(frame)
    sub = frame[attr_cols].astype(object)
    sub = sub.where(pd.notna(sub), None)
    keys = [c[len(ATTR_PREFIX):] for c in attr_cols]
    out = []
    for row in sub.itertuples(index=False, name=None):
        out.append(json.dumps(dict(zip(keys, (_plain(v) for v in row))), ensure_ascii=False))
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (pd.Timestamp, datetime)):
        return v.isoformat()
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def _insert_rows(
    conn: Connection, kind: str, dataset_id: int, frame: pd.DataFrame, lines: np.ndarray | None,
    progress: Progress = None,
) -> int:
    k = KINDS[kind]
    table = models.FACT_TABLES[kind].__table__
    sqlite = is_sqlite(conn.engine)
    attr_cols = [c for c in frame.columns if c.startswith(ATTR_PREFIX)]
    n = len(frame)
    names = ["dataset_id", "line", "attrs", *k.field_names]
    extra = [c for c in table.c.keys() if c not in names and c != "id"]
    # kind-specific derived columns stored in the fact table (e.g. orders.is_return)
    derived = [c for c in extra if c in frame.columns]
    names += derived
    written = 0
    for start in range(0, n, CHUNK):
        part = frame.iloc[start : start + CHUNK]
        m = len(part)
        cols: list[list] = [
            [int(dataset_id)] * m,
            (lines[start : start + m].astype(int).tolist() if lines is not None else list(range(start + 1, start + m + 1))),
            _attrs_json(part, attr_cols),
        ]
        for f in k.fields:
            s = part[f.name] if f.name in part.columns else pd.Series([None] * m, dtype=object)
            cols.append(_py_column(s, f.type, sqlite))
        for c in derived:
            cols.append(_py_column(part[c], "bool" if c == "is_return" else "text", sqlite))
        rows = list(zip(*cols))
        if sqlite:
            placeholders = ",".join("?" * len(names))
            quoted = ",".join(f'"{c}"' for c in names)
            raw = conn.connection.driver_connection
            raw.executemany(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({placeholders})', rows)
        else:
            conn.execute(table.insert(), [dict(zip(names, r)) for r in rows])
        written += m
        if progress:
            progress(written / max(n, 1), f"{written:,} / {n:,}")
    return written


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
    """Create a dataset, or append to / replace one, in ONE transaction.

    Readers keep seeing the previous revision until this commits (SQLite WAL / MVCC elsewhere);
    a failure or a killed process leaves no trace of the upload.

    ``actor`` is the acting user: required to append or replace (only the dataset's uploader or an
    admin may), checked on create when given (an analyst or admin; the actor becomes the uploader).
    The dataset's owner (``uploaded_by``) stays its original uploader; each revision row records who
    uploaded that revision.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if mode not in ("create", "append", "replace"):
        raise ValueError(f"unknown mode {mode!r}")
    if actor is not None:
        uploaded_by = actor.username
        if mode == "create":
            require_create(actor, action="upload", target="datasets")
    elif mode != "create":
        raise ValueError(f"{mode} changes an existing dataset: name the acting user (actor=Actor(username, role))")
    name = clean_name(name) or kind
    eng = _engine(engine)
    dt = models.Dataset.__table__
    rt = models.DatasetRevision.__table__
    fact = models.FACT_TABLES[kind].__table__
    now = datetime.now(timezone.utc)
    attr_cols = [c for c in frame.columns if c.startswith(ATTR_PREFIX)]
    present = [f for f in KINDS[kind].field_names if f in frame.columns and frame[f].notna().any()]
    returns = int(frame["is_return"].fillna(False).astype(bool).sum()) if "is_return" in frame.columns else 0
    with writing(eng) as conn:
        if mode == "create":
            res = conn.execute(
                dt.insert().values(
                    name=name, kind=kind, revision=1, content_hash=content_hash, rows=len(frame),
                    rejected_rows=rejected_rows, flagged_returns=returns, mapping=json.dumps(mapping, ensure_ascii=False),
                    attributes=json.dumps(attr_cols, ensure_ascii=False), source_file=source_file,
                    uploaded_by=uploaded_by, uploaded_at=now, updated_at=now, description="",
                    fields=json.dumps(present),
                )
            )
            ds_id = int(res.inserted_primary_key[0])
            revision = 1
            total = len(frame)
        else:
            if dataset_id is None:
                raise ValueError("append/replace needs dataset_id")
            cur = _dataset_for_change(conn, int(dataset_id), actor, mode)  # type: ignore[arg-type]
            if cur["kind"] != kind:
                raise ValueError(f"dataset {dataset_id} holds {cur['kind']}, not {kind}")
            ds_id = int(dataset_id)
            revision = int(cur["revision"]) + 1
            if mode == "replace":
                conn.execute(delete(fact).where(fact.c.dataset_id == ds_id))
                total = len(frame)
                attrs = attr_cols
                flagged = returns
                fields = present
            else:
                total = int(cur["rows"]) + len(frame)
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
        _insert_rows(conn, kind, ds_id, frame, lines, progress)
        _write_snapshot(conn, kind, ds_id, revision, frame, lines, append=(mode == "append"))
        conn.execute(
            rt.insert().values(
                dataset_id=ds_id, revision=revision, action=mode, content_hash=content_hash,
                rows_added=len(frame), rows_total=total, rejected_rows=rejected_rows,
                source_file=source_file, uploaded_by=uploaded_by, uploaded_at=now,
            )
        )
    return get_dataset(dataset_id=ds_id, engine=eng)  # type: ignore[return-value]


# ---------------------------------------------------------------- snapshots

SNAP_LINE = "__line__"


def _snapshot_frame(kind: str, frame: pd.DataFrame, lines: np.ndarray | None) -> pd.DataFrame:
    k = KINDS[kind]
    table = models.FACT_TABLES[kind].__table__
    derived = [c for c in table.c.keys() if c not in ("id", "dataset_id", "line", "attrs", *k.field_names)]
    out = pd.DataFrame(index=range(len(frame)))
    for f in k.fields:
        s = frame[f.name].reset_index(drop=True) if f.name in frame.columns else pd.Series([None] * len(frame))
        out[f.name] = _typed(s, f.type)
    for c in derived:
        out[c] = frame[c].fillna(False).astype(bool).to_numpy() if c in frame.columns else False
    for c in frame.columns:
        if c.startswith(ATTR_PREFIX):
            out[c] = frame[c].reset_index(drop=True)
    out[SNAP_LINE] = lines.astype("int64") if lines is not None else np.arange(1, len(frame) + 1, dtype="int64")
    return out


def _to_parquet(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False, compression="zstd")
    return buf.getvalue()


def _read_snapshot(conn: Connection, dataset_id: int) -> tuple[int, pd.DataFrame] | None:
    st_ = models.DatasetSnapshot.__table__
    row = conn.execute(select(st_.c.revision, st_.c.data).where(st_.c.dataset_id == int(dataset_id))).first()
    if row is None:
        return None
    return int(row[0]), pd.read_parquet(io.BytesIO(row[1]))


def _write_snapshot(conn: Connection, kind: str, dataset_id: int, revision: int, frame: pd.DataFrame,
                    lines: np.ndarray | None, *, append: bool) -> None:
    st_ = models.DatasetSnapshot.__table__
    new = _snapshot_frame(kind, frame, lines)
    if append:
        old = _read_snapshot(conn, dataset_id)
        if old is None:  # a dataset from before snapshots: no partial snapshot, rows stay the source
            return
        new = pd.concat([old[1], new], ignore_index=True)
    conn.execute(delete(st_).where(st_.c.dataset_id == int(dataset_id)))
    conn.execute(st_.insert().values(dataset_id=int(dataset_id), revision=int(revision), format="parquet",
                                     data=_to_parquet(new)))


# ---------------------------------------------------------------- reading rows


@_faults
def load_frame(*, dataset_id: int, engine: Engine | None = None, from_rows: bool = False) -> pd.DataFrame:
    """The dataset's current revision as a canonical frame (docs/architecture.md).

    Read from the revision's Parquet snapshot when there is one (``from_rows=False``), else from the
    fact rows; both give the same frame (tests/unit/test_store.py)."""
    eng = _engine(engine)
    info = get_dataset(dataset_id=dataset_id, engine=eng)
    if info is None:
        raise LookupError(f"dataset {dataset_id} does not exist")
    kind = info["kind"]
    k = KINDS[kind]
    table = models.FACT_TABLES[kind].__table__
    derived = [c for c in table.c.keys() if c not in ("id", "dataset_id", "line", "attrs", *k.field_names)]
    # Read only the fields that hold data (all-empty columns are filled with NA below). Files written
    # before migration 3 have no list: read every field.
    with eng.connect() as conn:
        snap = _read_snapshot(conn, int(dataset_id))
    if snap is not None and snap[0] == int(info["revision"]) and not from_rows:
        frame = snap[1]
        lines = frame.pop(SNAP_LINE).to_numpy()
        frame.attrs["dataset_id"] = int(dataset_id)
        frame.attrs["revision"] = int(info["revision"])
        frame.attrs["lines"] = lines
        return frame
    present = set(info.get("fields") or k.field_names)
    wanted = [f for f in k.field_names if f in present]
    names = ["line", "attrs", *wanted, *derived]
    with eng.connect() as conn:
        if is_sqlite(eng):
            quoted = ",".join(f'"{c}"' for c in names)
            cur = conn.connection.driver_connection.execute(
                f'SELECT {quoted} FROM "{table.name}" WHERE dataset_id = ? ORDER BY id', (int(dataset_id),)
            )
            rows = cur.fetchall()
        else:
            q = select(*[table.c[c] for c in names]).where(table.c.dataset_id == int(dataset_id)).order_by(table.c.id)
            rows = [tuple(r) for r in conn.execute(q)]
    raw = pd.DataFrame.from_records(rows, columns=names, coerce_float=False) if rows else pd.DataFrame(columns=names)
    del rows
    out: dict[str, Any] = {}
    n = len(raw)
    for f in k.fields:
        out[f.name] = _typed(raw[f.name], f.type) if f.name in raw.columns else _typed(pd.Series([None] * n, dtype=object), f.type)
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
    frame.attrs["dataset_id"] = int(dataset_id)
    frame.attrs["revision"] = int(info["revision"])
    frame.attrs["lines"] = raw["line"].to_numpy()
    return frame


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
    update one, which needs ``actor``: its owner or an admin. The owner of an item never changes."""
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
def list_objects(*, kind: str, engine: Engine | None = None) -> list[dict]:
    t = models.SavedObject.__table__
    with _engine(engine).connect() as conn:
        rows = conn.execute(select(t).where(t.c.kind == kind).order_by(t.c.updated_at.desc())).all()
    return [{**dict(r._mapping), "payload": json.loads(r._mapping["payload"])} for r in rows]


@_faults
def get_object(*, object_id: int, engine: Engine | None = None) -> dict | None:
    t = models.SavedObject.__table__
    with _engine(engine).connect() as conn:
        r = conn.execute(select(t).where(t.c.id == int(object_id))).first()
    return {**dict(r._mapping), "payload": json.loads(r._mapping["payload"])} if r is not None else None


@_faults
def delete_object(*, object_id: int, actor: Actor, engine: Engine | None = None) -> bool:
    """Delete a saved item (its owner or an admin); False when there is no such item."""
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
    a name again replaces the actor's own preset of that name and kind, never another owner's."""
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
    t = models.MappingPreset.__table__
    q = select(t).order_by(t.c.name, t.c.owner, t.c.id)
    if kind:
        q = q.where(t.c.kind == kind)
    with _engine(engine).connect() as conn:
        return [{**dict(r._mapping), "mapping": json.loads(r._mapping["mapping"])} for r in conn.execute(q)]


def iter_kinds() -> Iterable[str]:
    return KINDS.keys()
