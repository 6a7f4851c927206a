"""Reading lines: a revision's lines as an engine (Ibis) table scanned where they lie (:func:`lines_table`),
or in memory as a canonical frame (:func:`load_frame`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from data import engine as lines_engine
from data import models
from data.schema import ATTR_PREFIX, KINDS

from .base import _engine, _faults
from .connected import connected_source
from .datasets import get_dataset
from .parts import _derived, _typed, revision_parts


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
            frame[ATTR_PREFIX + c] = (num if num.notna().sum() == col.notna().sum()
                                      else col.astype("str").where(col.notna()))
    lines = pd.to_numeric(raw["line"], errors="coerce").fillna(0).astype("int64").to_numpy()
    return frame, lines
