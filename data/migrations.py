"""Versioned schema migrations: an existing database file survives an upgrade.

Each migration runs once, in order, and records itself in ``schema_version``. Pending migrations run
together in ONE write transaction that re-reads ``schema_version`` after taking the lock (``BEGIN
IMMEDIATE`` on SQLite, ``pg_advisory_xact_lock`` on PostgreSQL), so any number of processes starting at
once on a fresh file migrate it exactly once: the others wait for the lock, then find nothing to do.
Never edit a released migration; add a new one.
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import Column, MetaData, String, Table, inspect, text
from sqlalchemy.engine import Connection, Engine

from data import models
from data.db import writing
from data.models import SchemaVersion, SQLModel

Migration = tuple[int, str, Callable[[Connection], None]]


def _v1(conn: Connection) -> None:
    """Datasets, revisions and the fact tables (the first released schema)."""
    md = MetaData()
    cols = [c._copy() for c in models.Dataset.__table__.columns if c.name not in ("description", "fields")]
    Table("dataset", md, *cols, sqlite_autoincrement=True)
    md.create_all(conn)
    tables = [models.DatasetRevision.__table__] + [m.__table__ for m in models.FACT_TABLES.values()]
    SQLModel.metadata.create_all(conn, tables=tables)


def _v2(conn: Connection) -> None:
    """Dataset descriptions, mapping presets and saved objects (personas, plans)."""
    existing = {c["name"] for c in inspect(conn).get_columns("dataset")}
    if "description" not in existing:
        col = Column("description", String, nullable=False, server_default="")
        ddl = col.type.compile(dialect=conn.dialect)
        conn.execute(text(f"ALTER TABLE dataset ADD COLUMN description {ddl} NOT NULL DEFAULT ''"))
    SQLModel.metadata.create_all(
        conn, tables=[models.MappingPreset.__table__, models.SavedObject.__table__]
    )


def _v3(conn: Connection) -> None:
    """Dataset.fields: the canonical fields that hold data, so reads skip all-empty columns."""
    existing = {c["name"] for c in inspect(conn).get_columns("dataset")}
    if "fields" not in existing:
        conn.execute(text("ALTER TABLE dataset ADD COLUMN fields TEXT NOT NULL DEFAULT '[]'"))


def _v4(conn: Connection) -> None:
    """Columnar snapshots of dataset revisions (fast loads)."""
    SQLModel.metadata.create_all(conn, tables=[models.DatasetSnapshot.__table__])


def _v5(conn: Connection) -> None:
    """Lines move to the engine: each dataset's current revision is written as a Parquet part under the
    lines directory (data/engine.py) and recorded in ``dataset_revision.parts``; the fact rows and the
    snapshot blobs it was read from are deleted (the catalogue keeps only the catalogue)."""
    existing = {c["name"] for c in inspect(conn).get_columns("dataset_revision")}
    if "parts" not in existing:
        conn.execute(text("ALTER TABLE dataset_revision ADD COLUMN parts TEXT"))
    from data import repository

    repository.move_lines_to_engine(conn)


def _v6(conn: Connection) -> None:
    """Connected revisions: ``dataset_revision.source`` names a warehouse table instead of parts
    (data/connect.py)."""
    existing = {c["name"] for c in inspect(conn).get_columns("dataset_revision")}
    if "source" not in existing:
        conn.execute(text("ALTER TABLE dataset_revision ADD COLUMN source TEXT"))


MIGRATIONS: list[Migration] = [
    (1, "datasets, revisions, fact tables", _v1),
    (2, "dataset description, mapping presets, saved objects", _v2),
    (3, "dataset fields (non-empty canonical fields)", _v3),
    (4, "dataset snapshots (Parquet copy of the current revision)", _v4),
    (5, "lines in engine parts (Parquet per revision); fact rows and snapshots moved out", _v5),
    (6, "connected revisions (a warehouse table instead of parts)", _v6),
]
LATEST = MIGRATIONS[-1][0]


ADVISORY_KEY = 0x505249534D  # "PRISM": PostgreSQL advisory lock key held while migrating


def _version(conn: Connection) -> int:
    if not inspect(conn).has_table("schema_version"):
        return 0
    return int(conn.execute(text("SELECT MAX(version) FROM schema_version")).scalar() or 0)


def current_version(engine: Engine) -> int:
    """The catalogue's schema version (0 before any migration).

    Parameters
    ----------
    engine : Engine
        The catalogue engine.

    Returns
    -------
    int
        The version.
    """
    with engine.connect() as conn:
        return _version(conn)


def migrate(engine: Engine, *, target: int | None = None) -> list[int]:
    """Apply pending migrations up to ``target`` (default: latest). Returns the versions applied.

    Parameters
    ----------
    engine : Engine
        The catalogue engine.
    target : int | None
        Version to migrate to (None: the latest).

    Returns
    -------
    list[int]
        The versions applied (empty when none was pending).
    """
    target = LATEST if target is None else target
    if current_version(engine) >= target:  # the usual start: no write lock taken
        return []
    applied: list[int] = []
    with writing(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_KEY})
        SQLModel.metadata.create_all(conn, tables=[SchemaVersion.__table__])
        done = _version(conn)  # re-read under the lock: another process may have migrated meanwhile
        for version, desc, fn in MIGRATIONS:
            if version > target:
                break
            if version <= done:
                continue
            fn(conn)
            conn.execute(SchemaVersion.__table__.insert().values(version=version, description=desc))
            applied.append(version)
    return applied
