"""Migration 5 (schema version 4 -> 5): each dataset's lines move from the fact tables and snapshots of the
catalogue into parts in the engine."""

from __future__ import annotations

import io
import json

import pandas as pd
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from data import engine as lines_engine
from data import models
from data.db import lines_dir

from .datasets import _info
from .parts import part_table
from .reading import _frame_from_rows


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
