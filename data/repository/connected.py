"""Connected warehouse tables (issue 18): a dataset whose revision names a warehouse table instead of parts
(data/connect.py), stored by :func:`connect_table` and checked for changes by :func:`refresh_connected`. This
process's record of when it last checked each table (``_checked``, ``CHECK_S``) lives here."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from data import engine as lines_engine
from data import models
from data.access import Actor
from data.db import writing

from .base import _engine, _faults, clean_name
from .datasets import _check_write, _write_catalogue, get_dataset
from .parts import _source_of


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
