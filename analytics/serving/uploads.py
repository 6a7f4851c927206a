"""Uploads and warehouse connections checked before anything is stored (data.ingest, data.join,
data.connect): a dataset's default name, the kind a file holds, the prepared upload or join, the
warehouse's tables and a checked connection. Storing them is a write of :mod:`analytics.cached`."""

from __future__ import annotations

from typing import Any


def default_dataset_name(filename: str) -> str:
    """A dataset name from an uploaded file's name (data.ingest.default_name).

    Parameters
    ----------
    filename : str
        The file's name.

    Returns
    -------
    str
        The name.
    """
    from data import ingest

    return ingest.default_name(filename)


def guess_kind(content: bytes, filename: str) -> str:
    """The dataset kind an upload most likely holds (data.ingest.guess_kind).

    Parameters
    ----------
    content : bytes
        The file's bytes.
    filename : str
        The file's name.

    Returns
    -------
    str
        The kind.
    """
    from data import ingest

    return ingest.guess_kind(content, filename)


def prepare_upload(content: bytes, **kwargs: Any):
    """Read, map and validate an upload without storing anything (the Data page's preview).

    Parameters
    ----------
    content : bytes
        The file's bytes.
    **kwargs : Any
        Passed on to data.ingest.prepare (``filename``, ``kind``, ``overrides``, ``sheet``, ...).

    Returns
    -------
    data.ingest.Prepared
        The prepared upload.
    """
    from data import ingest

    return ingest.prepare(content, **kwargs)


def prepare_joined_upload(files: list[tuple[str, bytes]], **kwargs: Any):
    """Several files of one export joined into one upload (data.join, in the engine), read, mapped and
    validated without storing anything (the Data page's join review and preview).

    Parameters
    ----------
    files : list[tuple[str, bytes]]
        (file name, bytes) of each file.
    **kwargs : Any
        Passed on to data.ingest.prepare_joined.

    Returns
    -------
    data.ingest.Prepared
        The prepared upload.
    """
    from data import ingest

    return ingest.prepare_joined(files, **kwargs)


def files_relate(files: list[tuple[str, bytes]]) -> bool:
    """True when every file shares an id-like column name with another (from their header rows only):
    the Data page then proposes to join them into one dataset.

    Parameters
    ----------
    files : list[tuple[str, bytes]]
        (file name, bytes) of each file.

    Returns
    -------
    bool
        True when they relate.
    """
    from data import join

    return join.files_relate(files)


def warehouse_tables() -> list[str]:
    """The tables of the engine's warehouse that can be connected (data.connect.list_tables). Never
    cached: a table added to the warehouse shows on the next call.

    Returns
    -------
    list[str]
        ``schema.table`` names (Spark temporary views: ``table``), sorted.
    """
    from data import connect

    return connect.list_tables()


def plan_connection(kind: str, table: str, overrides: dict[str, str] | None = None):
    """Check a warehouse table as a dataset of ``kind`` (data.connect.plan): nothing stored.

    Parameters
    ----------
    kind : str
        The dataset kind.
    table : str
        The table as the user wrote it (``SCHEMA.TABLE`` or ``TABLE``).
    overrides : dict[str, str] | None
        Field -> column replacing the suggested mapping's choice.

    Returns
    -------
    data.connect.Plan
        The checked connection (IngestError says why a table cannot be connected).
    """
    from data import connect

    return connect.plan(kind=kind, table=table, overrides=overrides)
