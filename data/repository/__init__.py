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

Modules: base (init_store, the default engine, the fault decorator, clean_name), parts (lines in the engine:
part tables, the parts or source a revision names, garbage collection, GRACE_S), datasets (catalogue rows
and writes), connected (warehouse tables, CHECK_S and the record of checks), reading (lines_table,
load_frame), migration (migration 5, lines into parts), saved (saved objects and presets).
"""

from __future__ import annotations

from data import engine as lines_engine
from data import models
from data.access import Actor, require_change, require_create
from data.db import FAULTS, get_engine, lines_dir, lines_error, store_error, writing
from data.errors import NotAllowed
from data.migrations import migrate
from data.schema import ATTR_PREFIX, KINDS

from .base import _SPACES, NAME_MAX, F, Progress, _engine, _faults, _known_engine, clean_name, init_store
from .connected import (CHECK_S, _checked, _now, _table_hash, _write_refresh, check_interval, connect_table,
                        connected_source, refresh_connected)
from .datasets import (StagedPart, _check_write, _dataset_for_change, _info, _write_catalogue, catalogue_stamp,
                       commit_parts, delete_dataset, discard_parts, find_by_hash, get_dataset, list_datasets,
                       rename_dataset, revisions, stage_part, table_counts, write_dataset)
from .migration import _read_snapshot, move_lines_to_engine
from .parts import (_ARROW, GRACE_S, _canonical_frame, _collect_garbage_quietly, _derived, _parts_of, _referenced,
                    _source_of, _typed, collect_garbage, part_table, revision_parts)
from .reading import _frame_from_arrow, _frame_from_parts, _frame_from_rows, lines_table, load_frame
from .saved import (_object_for_change, delete_object, get_object, iter_kinds, list_objects, list_presets,
                    patch_object, save_object, save_preset)

__all__ = [
    # setup and helpers
    "init_store", "clean_name", "NAME_MAX", "Progress",
    # datasets
    "list_datasets", "catalogue_stamp", "get_dataset", "find_by_hash", "revisions", "rename_dataset",
    "delete_dataset", "table_counts", "StagedPart", "stage_part", "discard_parts", "write_dataset", "commit_parts",
    # lines in the engine
    "part_table", "revision_parts", "lines_table", "GRACE_S", "collect_garbage", "move_lines_to_engine",
    # connected warehouse tables
    "connected_source", "connect_table", "CHECK_S", "check_interval", "refresh_connected",
    # reading
    "load_frame",
    # saved objects and presets
    "save_object", "patch_object", "list_objects", "get_object", "delete_object", "save_preset", "list_presets",
    "iter_kinds",
]
