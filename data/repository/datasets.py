"""Datasets: the catalogue rows (list, get, find by content, revisions, rename, delete, counts) and the
writes that create a dataset or append to / replace one: stage parts, then commit them in one catalogue
transaction."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection, Engine

from data import engine as lines_engine
from data import models
from data.access import Actor, require_change, require_create
from data.db import lines_dir, writing
from data.schema import ATTR_PREFIX, KINDS

from .base import Progress, _engine, _faults, clean_name
from .parts import _collect_garbage_quietly, _parts_of, _source_of, part_table


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
