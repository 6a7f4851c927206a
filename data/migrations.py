"""Versioned schema migrations: an existing database file survives an upgrade.

Each migration runs once, in order, inside a transaction, and records itself in ``schema_version``.
Never edit a released migration; add a new one.
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import Column, MetaData, String, Table, inspect, text
from sqlalchemy.engine import Connection, Engine

from data import models
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


MIGRATIONS: list[Migration] = [
    (1, "datasets, revisions, fact tables", _v1),
    (2, "dataset description, mapping presets, saved objects", _v2),
    (3, "dataset fields (non-empty canonical fields)", _v3),
    (4, "dataset snapshots (Parquet copy of the current revision)", _v4),
]
LATEST = MIGRATIONS[-1][0]


def current_version(engine: Engine) -> int:
    if not inspect(engine).has_table("schema_version"):
        return 0
    with engine.connect() as conn:
        v = conn.execute(text("SELECT MAX(version) FROM schema_version")).scalar()
    return int(v or 0)


def migrate(engine: Engine, *, target: int | None = None) -> list[int]:
    """Apply pending migrations up to ``target`` (default: latest). Returns the versions applied."""
    target = LATEST if target is None else target
    SQLModel.metadata.create_all(engine, tables=[SchemaVersion.__table__])
    applied: list[int] = []
    for version, desc, fn in MIGRATIONS:
        if version > target:
            break
        if version <= current_version(engine):
            continue
        with engine.begin() as conn:
            fn(conn)
            conn.execute(
                SchemaVersion.__table__.insert().values(version=version, description=desc)
            )
        applied.append(version)
    return applied
