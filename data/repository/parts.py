"""Lines in the engine: a revision's lines are Parquet parts in the lines directory (data/engine.py), named
on its revision row (or, for a connected table, a source spec). Writing a canonical frame as a part's Arrow
table, the parts or source a revision names, and collecting the parts no current revision names."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from data import engine as lines_engine
from data import models
from data.db import FAULTS, lines_dir
from data.schema import ATTR_PREFIX, KINDS

from .base import _engine, _faults


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


def _source_of(conn: Connection, dataset_id: int, revision: int) -> dict | None:
    rt = models.DatasetRevision.__table__
    raw = conn.execute(select(rt.c.source).where(rt.c.dataset_id == int(dataset_id), rt.c.revision == int(revision))
                       .order_by(rt.c.id.desc())).scalar()
    return json.loads(raw) if raw else None


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
