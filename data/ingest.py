"""Ingest: file bytes -> read -> map -> parse -> validate -> load, in ONE transaction.

Two steps so the Data page can show a preview and a validation report before anything is stored:

    prepared = prepare(content, filename="x.csv", kind="orders", overrides={"amount": "实付金额"})
    info = commit(prepared, name="June orders", uploaded_by="ana")

``ingest_bytes`` / ``ingest_file`` do both. Every problem with the user's file is an
:class:`data.errors.IngestError` with a one-line message naming file, row, column and reason; nothing
is stored unless the whole upload commits.

Big delimited text files (``ingest_file``, the command line: plain or gzip text over
:data:`STREAM_MIN_BYTES`) stream instead (:func:`ingest_stream`): the head is read and mapped as above,
then the file is parsed block by block (``reader.TextStream``), each block converted with the same
mapping code (``mapping.to_canonical(..., choices=...)``) and staged as one part
(``repository.stage_part``); the parts are named in the catalogue in one transaction at the end
(``repository.commit_parts``), or removed when the file is refused. Memory stays that of a few blocks
whatever the file's size; the stored lines are the ones the whole-file path stores. A file the block
reader cannot number exactly (a quoted value spanning lines, a ragged row) is read whole when it is at
most :data:`WHOLE_FILE_MAX_BYTES`, else refused with the line that stopped it.

Several files of one export (:mod:`data.join`: Olist's orders, items, payments, customers) make one
dataset: :func:`prepare_joined` (the Data page: joined in the engine, then reviewed like one file) and
:func:`ingest_files` (the command line: the joined lines streamed through the same staged parts).
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, TypeVar

import numpy as np
import pandas as pd

from data import access
from data import limits as limits_mod
from data import mapping as mapping_mod
from data import reader, repository
from data.errors import IngestError
from data.limits import MB, Limits
from data.schema import KINDS

# Upload limits (PRISM_MAX_UPLOAD_MB, PRISM_MAX_UNPACKED_MB, PRISM_MAX_ROWS, ...) are read from the
# environment at call time by data.limits.current(), never at import.
MAX_BAD_SHARE = 0.05
Progress = Optional[Callable[[float, str], None]]

STREAM_MIN_BYTES = 32 * MB  # ingest_file streams delimited text files above this (a gzip: its estimated text)
WHOLE_FILE_MAX_BYTES = 128 * MB  # a file the block reader cannot read is read whole up to this (~1.3 GB of memory)
MAX_ERRORS_KEPT = 1_000  # bad cells kept for the error report of a streamed file (the first ones)
_GZIP_RATIO = 4  # a gzip file's text is taken to be at least this many times its size (routing only)
_MAX_PASSES = 8


@dataclass
class Prepared:
    filename: str
    kind: str
    content_hash: str
    raw: Any                      # reader.RawTable
    suggested: dict               # field -> mapping.FieldMatch
    mapping: dict[str, str]       # field -> source column (as used)
    converted: Any                # mapping.Converted
    duplicate_of: dict | None = None
    notes: list[str] = field(default_factory=list)
    plan: Any = None              # data.join.JoinPlan when the lines were joined from several files
    sources: tuple[str, ...] = ()  # the file names of a joined upload

    @property
    def source_file(self) -> str:
        """What the catalogue records as the source: the file, or every file of a joined upload.

        Returns
        -------
        str
            The file name(s).
        """
        return ", ".join(self.sources) if self.sources else self.filename

    @property
    def rows(self) -> int:
        """Rows read (good and bad).

        Returns
        -------
        int
            The count.
        """
        return len(self.converted.frame)

    @property
    def bad_rows(self) -> int:
        """Rows with a value that could not be converted.

        Returns
        -------
        int
            The count.
        """
        return int(np.asarray(self.converted.bad_rows).sum())

    @property
    def bad_share(self) -> float:
        """Bad rows over rows (0 without rows).

        Returns
        -------
        float
            The share.
        """
        return self.bad_rows / self.rows if self.rows else 0.0

    @property
    def errors(self) -> pd.DataFrame:
        """The conversion errors: one row per bad cell (row, column, value, reason).

        Returns
        -------
        pd.DataFrame
            The errors.
        """
        return self.converted.errors

    def summary(self) -> dict:
        """What the Data page shows before storing: file, kind, rows, bad rows, mapping and confidence, how the
        file was read, duplicates and notes.

        Returns
        -------
        dict
            ``file``, ``kind``, ``rows``, ``bad_rows``, ``bad_share``, ``mapping``, ``confidence``,
            ``encoding``, ``delimiter``, ``format``, ``duplicate_of``, ``dropped_totals``, ``skipped_top``,
            ``notes``, ``sources``, ``join``.
        """
        return {
            "file": self.filename, "kind": self.kind, "rows": self.rows, "bad_rows": self.bad_rows,
            "bad_share": self.bad_share, "mapping": dict(self.mapping),
            "confidence": {f: round(float(m.confidence), 3) for f, m in self.suggested.items()},
            "encoding": getattr(self.raw, "encoding", None), "delimiter": getattr(self.raw, "delimiter", None),
            "format": getattr(self.raw, "format", None), "duplicate_of": self.duplicate_of,
            "dropped_totals": list(getattr(self.raw, "dropped_totals", []) or []),
            "skipped_top": getattr(self.raw, "skipped_top", 0), "notes": list(self.notes),
            "sources": list(self.sources), "join": self.plan.as_dict() if self.plan is not None else None,
        }


def content_hash(content: bytes) -> str:
    """The sha256 of a file's bytes (hex), the catalogue's duplicate key.

    Parameters
    ----------
    content : bytes
        The bytes.

    Returns
    -------
    str
        The hex digest.
    """
    return hashlib.sha256(content).hexdigest()


def file_hash(path: str | Path) -> str:
    """:func:`content_hash` of a file's bytes, read in blocks (the file is never held in memory).

    Parameters
    ----------
    path : str | Path
        The file.

    Returns
    -------
    str
        The hex digest.
    """
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def prepare(
    content: bytes,
    *,
    filename: str,
    kind: str,
    overrides: dict[str, str] | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header: bool | None = None,
    max_bytes: int | None = None,
    engine=None,
    limits: Limits | None = None,
) -> Prepared:
    """Read, map and convert without storing anything. ``limits`` default to :func:`data.limits.current`.

    Parameters
    ----------
    content : bytes
        The file's bytes.
    filename : str
        The file's name.
    kind : str
        The dataset kind (IngestError for an unknown one).
    overrides : dict[str, str] | None
        Field -> source column (or ``=value`` for one value on every row), over the suggested mapping; or
        None.
    sheet : str | int | None
        Excel sheet (name or index), or None for the first with data.
    encoding : str | None
        Text encoding, or None to detect it.
    delimiter : str | None
        Field delimiter, or None to detect it.
    header : bool | None
        Whether the first row is a header (None: detect).
    max_bytes : int | None
        Cap on the file's size and unpacked size, or None.
    engine
        Catalogue engine (None: the default).
    limits : Limits | None
        The limits (None: :func:`data.limits.current`).

    Returns
    -------
    Prepared
        The prepared upload.
    """
    if kind not in KINDS:
        raise IngestError(f"unknown dataset kind '{kind}'; kinds: {', '.join(KINDS)}", file=filename)
    lim = limits or limits_mod.current()
    try:
        raw = reader.read_table(content, filename=filename, sheet=sheet, encoding=encoding, delimiter=delimiter,
                                header=header, max_bytes=max_bytes, limits=lim)
    except IngestError as exc:
        raise exc.with_file(filename)
    return _prepare_raw(raw, filename=filename, kind=kind, overrides=overrides, digest=content_hash(content),
                        engine=engine)


def _suggest(frame: pd.DataFrame, kind: str, known: dict[str, str] | None = None) -> dict:
    """The mapping guesses for a table; ``known``: fields a join plan settles (data.join.known_mapping),
    which replace the guesses by name (a joined file's shipping date is no order date)."""
    columns = [str(c) for c in frame.columns]
    suggested = mapping_mod.suggest_mapping(columns, kind, sample=frame.head(500))
    if known:
        taken = set(known.values())
        suggested = {f: m for f, m in suggested.items() if f not in known and m.column not in taken}
        suggested.update({f: mapping_mod.FieldMatch(f, c, JOIN_CONFIDENCE, "join") for f, c in known.items()})
        suggested = {f: suggested[f] for f in KINDS[kind].field_names if f in suggested}
    return suggested


def _prepare_raw(raw, *, filename: str, kind: str, overrides: dict[str, str] | None, digest: str, engine=None,
                 known: dict[str, str] | None = None, plan=None, sources: tuple[str, ...] = ()) -> Prepared:
    try:
        columns = [str(c) for c in raw.frame.columns]
        suggested = _suggest(raw.frame, kind, known)
        used = mapping_mod.apply_overrides(suggested, dict(overrides or {}), columns, kind=kind)
        converted = mapping_mod.to_canonical(raw, kind, used, source_name=filename)
    except IngestError as exc:
        raise exc.with_file(filename)
    dup = repository.find_by_hash(content_hash=digest, engine=engine)
    notes = list(getattr(raw, "notes", []) or []) + list(getattr(converted, "notes", []) or [])
    return Prepared(filename=filename, kind=kind, content_hash=digest, raw=raw, suggested=suggested, mapping=used,
                    converted=converted, duplicate_of=dup, notes=notes, plan=plan, sources=tuple(sources))


# ---------------------------------------------------------------- several files, one dataset (data.join)

JOIN_CONFIDENCE = 0.95  # a field the join plan settles (order date from the header file, customer = person id)


def joined_hash(hashes: dict[str, str], plan) -> str:
    """The content hash of a joined upload: its files' hashes (in name order) and the plan.

    Parameters
    ----------
    hashes : dict[str, str]
        File name -> content hash.
    plan
        The join plan.

    Returns
    -------
    str
        The hex digest.
    """
    text = json.dumps({"files": sorted(hashes.items()), "plan": plan.as_dict()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def prepare_joined(
    files: list[tuple[str, bytes]],
    *,
    kind: str,
    base: str | None = None,
    keys: dict[str, tuple[str, str, str]] | None = None,
    aggregate: dict[str, bool] | None = None,
    overrides: dict[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header: bool | None = None,
    engine=None,
    limits: Limits | None = None,
) -> Prepared:
    """Several files of one export (the Data page) -> one :class:`Prepared` of joined lines: each file
    read into the engine, the relations detected and the files joined there (:mod:`data.join`; ``base``,
    ``keys`` and ``aggregate`` change the detected plan), then mapped and converted as one file whose
    row numbers are the lines file's. Nothing is stored.

    Parameters
    ----------
    files : list[tuple[str, bytes]]
        (file name, bytes) of each file.
    kind : str
        The dataset kind (IngestError for an unknown one).
    base : str | None
        The lines file (one dataset line per row), or None to detect it.
    keys : dict[str, tuple[str, str, str]] | None
        File -> (to_file, to_column, file_column): the key chosen for a file, over the detected one; or None.
    aggregate : dict[str, bool] | None
        File -> whether its rows are summed per key before the join, over the detected choice; or None.
    overrides : dict[str, str] | None
        Field -> source column (or ``=value`` for one value on every row), over the suggested mapping; or
        None.
    encoding : str | None
        Text encoding, or None to detect it.
    delimiter : str | None
        Field delimiter, or None to detect it.
    header : bool | None
        Whether the first row is a header (None: detect).
    engine
        Catalogue engine (None: the default).
    limits : Limits | None
        The limits (None: :func:`data.limits.current`).

    Returns
    -------
    Prepared
        The prepared upload.
    """
    if kind not in KINDS:
        raise IngestError(f"unknown dataset kind '{kind}'; kinds: {', '.join(KINDS)}")
    from data import join as join_mod  # Ibis and the join only when several files are joined

    lim = limits or limits_mod.current()
    with join_mod.Sources.from_bytes(files, limits=lim, encoding=encoding, delimiter=delimiter, header=header) as src:
        plan = join_mod.plan(src, kind=kind, base=base, keys=keys, aggregate=aggregate)
        table, where = join_mod.joined(src, plan)
        raw = join_mod.raw_table(table, plan)
        known = join_mod.known_mapping(src, plan, where)
    digest = joined_hash({n: content_hash(c) for n, c in files}, plan)
    return _prepare_raw(raw, filename=plan.base, kind=kind, overrides=overrides, digest=digest, engine=engine,
                        known=known, plan=plan, sources=tuple(plan.names))


def ingest_files(
    paths: list[str | Path],
    *,
    kind: str,
    base: str | None = None,
    keys: dict[str, tuple[str, str, str]] | None = None,
    aggregate: dict[str, bool] | None = None,
    overrides: dict[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header: bool | None = None,
    name: str | None = None,
    mode: str = "create",
    dataset_id: int | None = None,
    keep_good_rows: bool | None = None,
    max_bad_share: float = MAX_BAD_SHARE,
    uploaded_by: str = "",
    allow_duplicate: bool = False,
    actor=None,
    engine=None,
    limits: Limits | None = None,
    progress: Progress = None,
    on_plan: Callable[[Any], None] | None = None,
    block_bytes: int | None = None,
    batch_rows: int = 200_000,
) -> dict:
    """Several files on disk (the command line) -> one dataset revision. The files are read into the
    engine (big text files block by block), joined there by the detected plan (changed by ``base``,
    ``keys``, ``aggregate``; ``on_plan`` sees it before anything is converted), and the joined lines
    stream batch by batch through the same conversion, validation and staged parts as
    :func:`ingest_stream`, committed in one catalogue transaction or not at all. One path is
    :func:`ingest_file`.

    Parameters
    ----------
    paths : list[str | Path]
        The files.
    kind : str
        The dataset kind (IngestError for an unknown one).
    base : str | None
        The lines file (one dataset line per row), or None to detect it.
    keys : dict[str, tuple[str, str, str]] | None
        File -> (to_file, to_column, file_column): the key chosen for a file, over the detected one; or None.
    aggregate : dict[str, bool] | None
        File -> whether its rows are summed per key before the join, over the detected choice; or None.
    overrides : dict[str, str] | None
        Field -> source column (or ``=value`` for one value on every row), over the suggested mapping; or
        None.
    encoding : str | None
        Text encoding, or None to detect it.
    delimiter : str | None
        Field delimiter, or None to detect it.
    header : bool | None
        Whether the first row is a header (None: detect).
    name : str | None
        The dataset's name (None: from the file name).
    mode : str
        "create", "append" or "replace".
    dataset_id : int | None
        The dataset to append to or replace (modes other than create).
    keep_good_rows : bool | None
        Store the good rows when some are bad (None: only under ``max_bad_share``).
    max_bad_share : float
        Largest share of bad rows stored without asking.
    uploaded_by : str
        The uploader's name recorded without an actor.
    allow_duplicate : bool
        Store bytes already uploaded.
    actor
        The acting user (required to append or replace), or None.
    engine
        Catalogue engine (None: the default).
    limits : Limits | None
        The limits (None: :func:`data.limits.current`).
    progress : Progress
        Called with (fraction done, message), or None.
    on_plan : Callable[[Any], None] | None
        Called with the join plan before anything is converted, or None.
    block_bytes : int | None
        Bytes per block of the streaming reader, or None for the default.
    batch_rows : int
        Joined rows per batch.

    Returns
    -------
    dict
        The stored dataset's catalogue row plus ``dataset_id``, ``rejected_rows``, ``mapping``, ``bad_share``.
    """
    paths = [Path(p) for p in paths]
    if len(paths) == 1:
        return ingest_file(paths[0], kind=kind, overrides=overrides, encoding=encoding, delimiter=delimiter,
                           header=header, name=name, mode=mode, dataset_id=dataset_id, keep_good_rows=keep_good_rows,
                           max_bad_share=max_bad_share, uploaded_by=uploaded_by, allow_duplicate=allow_duplicate,
                           actor=actor, engine=engine, limits=limits, progress=progress, block_bytes=block_bytes)
    if kind not in KINDS:
        raise IngestError(f"unknown dataset kind '{kind}'; kinds: {', '.join(KINDS)}")
    lim = limits or limits_mod.current()
    _may_write(kind, mode, dataset_id, actor, engine)
    from data import join as join_mod  # Ibis and the join only when several files are joined

    with join_mod.Sources.from_paths(paths, limits=lim, stream_min_bytes=STREAM_MIN_BYTES, block_bytes=block_bytes,
                                     encoding=encoding, delimiter=delimiter, header=header) as src:
        plan = join_mod.plan(src, kind=kind, base=base, keys=keys, aggregate=aggregate)
        if on_plan is not None:
            on_plan(plan)
        digest = joined_hash({p.name: file_hash(p) for p in paths}, plan)
        dup = repository.find_by_hash(content_hash=digest, engine=engine)
        if dup and not allow_duplicate:
            raise IngestError(
                f"these exact files were already uploaded as dataset #{dup['dataset_id']} '{dup['name']}' "
                f"(revision {dup['revision']}); nothing was stored", file=plan.base)
        table, where = join_mod.joined(src, plan)
        ts = join_mod.JoinedStream(table, plan, rows=src.files[plan.base].rows, size=sum(src.bytes.values()),
                                   batch_rows=batch_rows)
        label = plan.base
        try:
            columns = list(ts.names)
            suggested = _suggest(ts.head.frame, kind, join_mod.known_mapping(src, plan, where))
            used = mapping_mod.apply_overrides(suggested, dict(overrides or {}), columns, kind=kind)
        except IngestError as exc:
            raise exc.with_file(label)
        passed = _settled_pass(ts, kind, used, label, engine=engine, max_bad_share=max_bad_share,
                               keep_good_rows=keep_good_rows, progress=progress)
        if passed is None:
            raise IngestError("its columns would not settle on one type", file=label)
        parts, n, n_bad = passed
    if progress:
        progress(1.0, f"joined {n:,} rows; storing")
    info = repository.commit_parts(
        kind=kind, parts=parts, name=(name or default_name(plan.base) or kind)[:200], content_hash=digest,
        mapping=used, source_file=", ".join(plan.names), uploaded_by=uploaded_by, mode=mode, dataset_id=dataset_id,
        rejected_rows=n_bad, actor=actor, engine=engine)
    return {**info, "dataset_id": info["id"], "rejected_rows": n_bad, "mapping": dict(used),
            "bad_share": n_bad / n if n else 0.0, "streamed": True, "plan": plan}


def commit(
    prepared: Prepared,
    *,
    name: str | None = None,
    mode: str = "create",
    dataset_id: int | None = None,
    keep_good_rows: bool | None = None,
    max_bad_share: float = MAX_BAD_SHARE,
    uploaded_by: str = "",
    allow_duplicate: bool = False,
    actor=None,
    engine=None,
    progress: Progress = None,
) -> dict:
    """Validate and store in one transaction. Returns the dataset plus ``rejected_rows`` and ``mapping``.

    ``actor`` (``data.access.Actor``) is the acting user, checked by ``repository.write_dataset`` where
    the write happens: required for ``mode="append"``/``"replace"`` (the dataset's uploader or an admin),
    and it becomes the uploader of a new dataset. A refusal is a ``data.errors.NotAllowed``; a fault of
    the store (locked, full, read-only) a ``data.errors.StoreError``; nothing is stored in either case.

    Parameters
    ----------
    prepared : Prepared
        The prepared upload.
    name : str | None
        The dataset's name (None: from the file name).
    mode : str
        "create", "append" or "replace".
    dataset_id : int | None
        The dataset to append to or replace (modes other than create).
    keep_good_rows : bool | None
        Store the good rows when some are bad (None: only under ``max_bad_share``).
    max_bad_share : float
        Largest share of bad rows stored without asking.
    uploaded_by : str
        The uploader's name recorded without an actor.
    allow_duplicate : bool
        Store bytes already uploaded.
    actor
        The acting user (required to append or replace), or None.
    engine
        Catalogue engine (None: the default).
    progress : Progress
        Called with (fraction done, message), or None.

    Returns
    -------
    dict
        The stored dataset's catalogue row plus ``dataset_id``, ``rejected_rows``, ``mapping``, ``bad_share``.
    """
    p = prepared
    if p.duplicate_of and not allow_duplicate:
        d = p.duplicate_of
        raise IngestError(
            f"these exact bytes were already uploaded as dataset #{d['dataset_id']} '{d['name']}' "
            f"(revision {d['revision']}); nothing was stored",
            file=p.filename,
        )
    try:
        good = mapping_mod.validate(p.converted, max_bad_share=max_bad_share, keep_good_rows=keep_good_rows)
    except IngestError as exc:
        raise exc.with_file(p.filename)
    bad_mask = np.asarray(p.converted.bad_rows, dtype=bool)
    lines = np.asarray(p.raw.line_numbers)[~bad_mask] if len(bad_mask) else np.asarray(p.raw.line_numbers)
    if len(good) == 0:
        raise IngestError("no valid rows to store", file=p.filename)
    info = repository.write_dataset(
        kind=p.kind, frame=good.reset_index(drop=True), name=(name or default_name(p.filename) or p.kind)[:200],
        content_hash=p.content_hash, mapping=p.mapping, source_file=p.source_file, uploaded_by=uploaded_by,
        mode=mode, dataset_id=dataset_id, rejected_rows=int(bad_mask.sum()), lines=lines, actor=actor, engine=engine,
        progress=progress,
    )
    return {**info, "dataset_id": info["id"], "rejected_rows": int(bad_mask.sum()), "mapping": dict(p.mapping),
            "bad_share": p.bad_share}


def default_name(filename: str) -> str:
    """A dataset name from a file name: 'hillstrom.csv.gz' -> 'hillstrom'.

    Parameters
    ----------
    filename : str
        The file's name.

    Returns
    -------
    str
        The name.
    """
    name = Path(filename).name
    for ext in (".gz", ".csv", ".tsv", ".txt", ".xlsx", ".xls"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
    return name


def ingest_bytes(content: bytes, *, filename: str, kind: str, overrides: dict[str, str] | None = None,
                 sheet: str | int | None = None, encoding: str | None = None, delimiter: str | None = None,
                 header: bool | None = None, max_bytes: int | None = None, engine=None, limits: Limits | None = None,
                 **commit_kwargs: Any) -> dict:
    """:func:`prepare` and :func:`commit` in one call.

    Parameters
    ----------
    content : bytes
        The file's bytes.
    filename : str
        The file's name.
    kind : str
        The dataset kind (IngestError for an unknown one).
    overrides : dict[str, str] | None
        Field -> source column (or ``=value`` for one value on every row), over the suggested mapping; or
        None.
    sheet : str | int | None
        Excel sheet (name or index), or None for the first with data.
    encoding : str | None
        Text encoding, or None to detect it.
    delimiter : str | None
        Field delimiter, or None to detect it.
    header : bool | None
        Whether the first row is a header (None: detect).
    max_bytes : int | None
        Cap on the file's size and unpacked size, or None.
    engine
        Catalogue engine (None: the default).
    limits : Limits | None
        The limits (None: :func:`data.limits.current`).
    **commit_kwargs : Any
        Passed on to :func:`commit`.

    Returns
    -------
    dict
        The stored dataset's catalogue row plus ``dataset_id``, ``rejected_rows``, ``mapping``, ``bad_share``.
    """
    prepared = prepare(content, filename=filename, kind=kind, overrides=overrides, sheet=sheet, encoding=encoding,
                       delimiter=delimiter, header=header, max_bytes=max_bytes, engine=engine, limits=limits)
    return commit(prepared, engine=engine, **commit_kwargs)


def ingest_file(path: str | Path, *, kind: str, max_bytes: int | None = None, limits: Limits | None = None,
                stream: bool | None = None, block_bytes: int | None = None, **kwargs: Any) -> dict:
    """Ingest a file from disk (the command line). Its size is checked before it is read.

    ``stream``: None (default) streams a delimited text file (plain or gzip) whose text is over
    :data:`STREAM_MIN_BYTES` (:func:`ingest_stream`) and reads anything else whole; True / False force
    it (a file the block reader cannot read is still read whole when it is small enough). The result
    says which in ``"streamed"``. ``kwargs`` are those of :func:`prepare` and :func:`commit`.

    Parameters
    ----------
    path : str | Path
        The file.
    kind : str
        The dataset kind (IngestError for an unknown one).
    max_bytes : int | None
        Cap on the file's size and unpacked size, or None.
    limits : Limits | None
        The limits (None: :func:`data.limits.current`).
    stream : bool | None
        Stream it (None: by size and format).
    block_bytes : int | None
        Bytes per block of the streaming reader, or None for the default.
    **kwargs : Any
        Passed on to :func:`prepare` and :func:`commit`.

    Returns
    -------
    dict
        The stored dataset's catalogue row plus ``dataset_id``, ``rejected_rows``, ``mapping``, ``bad_share``,
        and ``streamed``.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise IngestError("file not found", file=str(path))
    lim = limits or limits_mod.current()
    if max_bytes is not None:
        lim = lim.with_(upload_bytes=int(max_bytes), unpacked_bytes=min(lim.unpacked_bytes, int(max_bytes)))
    size = path.stat().st_size
    if size > lim.upload_bytes:
        err = limits_mod.over("upload_bytes", lim, actual=f"the file is {size / 2**20:,.1f} MB")
        raise err.with_file(name)
    text_size = _text_size(path, size)
    if stream is None:
        stream = text_size is not None and text_size > STREAM_MIN_BYTES and kwargs.get("sheet") in (None, "")
    if stream and text_size is not None:
        try:
            return ingest_stream(path, kind=kind, limits=lim, block_bytes=block_bytes, **kwargs)
        except reader.NotStreamable as exc:
            if text_size > WHOLE_FILE_MAX_BYTES:
                raise IngestError(
                    f"the file cannot be read block by block: {exc}; at {size / MB:,.0f} MB it is too large to be "
                    f"read whole (at most {WHOLE_FILE_MAX_BYTES // MB:,} MB of text): fix that line or split the file",
                    file=name, reason="not streamable") from None
    return {**ingest_bytes(path.read_bytes(), filename=name, kind=kind, limits=lim, **kwargs), "streamed": False}


def _text_size(path: Path, size: int) -> int | None:
    """The size of a delimited text file's text (a gzip's estimated from its size and trailer), or None
    for what is read whole anyway (ZIP archives, XLSX, old Excel)."""
    with open(path, "rb") as fh:
        magic = fh.read(8)
        if magic[:4] in (b"PK\x03\x04", b"PK\x05\x06") or magic == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            return None
        if magic[:2] != b"\x1f\x8b":
            return size
        fh.seek(max(0, size - 4))
        trailer = int.from_bytes(fh.read(4), "little")  # unpacked size mod 2**32 (a hint, not trusted)
    return max(size * _GZIP_RATIO, trailer)


# ---------------------------------------------------------------- streaming


class _Again(Exception):
    """A file-wide choice applied to the chunks converted so far turned out wrong: convert again."""

    def __init__(self, choices: mapping_mod.Choices, keep_auto: set[str]) -> None:
        super().__init__("again")
        self.choices = choices
        self.keep_auto = keep_auto


def _merged(applied: mapping_mod.Choices, found: mapping_mod.Choices) -> mapping_mod.Choices:
    out = applied.copy()
    out.attr_number.update(found.attr_number)
    out.strip_ids.update(found.strip_ids)
    out.dayfirst.update(found.dayfirst)
    out.settled = applied.settled | found.settled
    return out


def _differs(applied: mapping_mod.Choices, found: mapping_mod.Choices) -> bool:
    return any(bool(getattr(applied, part).get(k)) != v
               for part in ("attr_number", "strip_ids", "dayfirst") for k, v in getattr(found, part).items())


def _may_write(kind: str, mode: str, dataset_id: int | None, actor, engine) -> None:
    """The checks commit_parts makes, made before the file is read (a refusal should not wait for it)."""
    if mode not in ("create", "append", "replace"):
        raise ValueError(f"unknown mode {mode!r}")
    if actor is None:
        if mode != "create":
            raise ValueError(f"{mode} changes an existing dataset: name the acting user (actor=Actor(username, role))")
        return
    if mode == "create":
        access.require_create(actor, action="upload", target="datasets")
        return
    if dataset_id is None:
        raise ValueError("append/replace needs dataset_id")
    cur = repository.get_dataset(dataset_id=int(dataset_id), engine=engine)
    if cur is None:
        raise LookupError(f"dataset {dataset_id} does not exist")
    access.require_change(actor, owner=cur["uploaded_by"], action=mode, target="dataset", target_id=int(dataset_id),
                          target_name=cur["name"])
    if cur["kind"] != kind:
        raise ValueError(f"dataset {dataset_id} holds {cur['kind']}, not {kind}")


def ingest_stream(
    path: str | Path,
    *,
    kind: str,
    overrides: dict[str, str] | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header: bool | None = None,
    name: str | None = None,
    mode: str = "create",
    dataset_id: int | None = None,
    keep_good_rows: bool | None = None,
    max_bad_share: float = MAX_BAD_SHARE,
    uploaded_by: str = "",
    allow_duplicate: bool = False,
    actor=None,
    engine=None,
    limits: Limits | None = None,
    progress: Progress = None,
    block_bytes: int | None = None,
) -> dict:
    """Ingest a delimited text file (plain or gzip) block by block; the same result as
    ``ingest_bytes(path.read_bytes(), ...)`` with memory that does not grow with the file.

    The file's sha256 is taken in a thread meanwhile (:class:`_Digest`) and a duplicate refused as soon as
    it is known, before anything is committed (its staged parts removed). The head is read and mapped as :func:`prepare` does; each block is converted and its good rows staged as
    one part; the bad-rows policy is applied to the counts over the whole file at the end, and the parts
    are then committed in one catalogue transaction, or removed. Raises ``reader.NotStreamable`` (nothing
    stored) for a file the block reader cannot read exactly; :func:`ingest_file` then reads it whole.

    Parameters
    ----------
    path : str | Path
        The file.
    kind : str
        The dataset kind (IngestError for an unknown one).
    overrides : dict[str, str] | None
        Field -> source column (or ``=value`` for one value on every row), over the suggested mapping; or
        None.
    sheet : str | int | None
        Excel sheet (name or index), or None for the first with data.
    encoding : str | None
        Text encoding, or None to detect it.
    delimiter : str | None
        Field delimiter, or None to detect it.
    header : bool | None
        Whether the first row is a header (None: detect).
    name : str | None
        The dataset's name (None: from the file name).
    mode : str
        "create", "append" or "replace".
    dataset_id : int | None
        The dataset to append to or replace (modes other than create).
    keep_good_rows : bool | None
        Store the good rows when some are bad (None: only under ``max_bad_share``).
    max_bad_share : float
        Largest share of bad rows stored without asking.
    uploaded_by : str
        The uploader's name recorded without an actor.
    allow_duplicate : bool
        Store bytes already uploaded.
    actor
        The acting user (required to append or replace), or None.
    engine
        Catalogue engine (None: the default).
    limits : Limits | None
        The limits (None: :func:`data.limits.current`).
    progress : Progress
        Called with (fraction done, message), or None.
    block_bytes : int | None
        Bytes per block of the streaming reader, or None for the default.

    Returns
    -------
    dict
        The stored dataset's catalogue row plus ``dataset_id``, ``rejected_rows``, ``mapping``, ``bad_share``.
    """
    path = Path(path)
    filename = path.name
    if kind not in KINDS:
        raise IngestError(f"unknown dataset kind '{kind}'; kinds: {', '.join(KINDS)}", file=filename)
    lim = limits or limits_mod.current()
    size = path.stat().st_size
    if size > lim.upload_bytes:
        raise limits_mod.over("upload_bytes", lim, actual=f"the file is {size / 2**20:,.1f} MB").with_file(filename)
    _may_write(kind, mode, dataset_id, actor, engine)
    hashing = _Digest(path, filename, engine=engine, allow_duplicate=allow_duplicate)
    try:
        try:
            ts = reader.TextStream(path, filename=filename, encoding=encoding, delimiter=delimiter, header=header,
                                   limits=lim, block_bytes=block_bytes)
            columns = [str(c) for c in ts.head.frame.columns]
            suggested = mapping_mod.suggest_mapping(columns, kind, sample=ts.head.frame.head(500))
            used = mapping_mod.apply_overrides(suggested, dict(overrides or {}), columns, kind=kind)
        except IngestError as exc:
            raise exc.with_file(filename)
        passed = _settled_pass(ts, kind, used, filename, engine=engine, max_bad_share=max_bad_share,
                               keep_good_rows=keep_good_rows, progress=progress, between=hashing.check_if_done)
        if passed is None:
            raise reader.NotStreamable("its columns would not settle on one type")
        parts, n, n_bad = passed
    except Exception:
        hashing.check()  # a duplicate is refused as such, whatever else is wrong with the file (as before)
        raise
    try:
        digest = hashing.check()
    except BaseException:
        repository.discard_parts(parts, engine=engine)
        raise
    if progress:
        progress(1.0, f"read {n:,} rows; storing")
    info = repository.commit_parts(
        kind=kind, parts=parts, name=(name or default_name(filename) or kind)[:200], content_hash=digest,
        mapping=used, source_file=filename, uploaded_by=uploaded_by, mode=mode, dataset_id=dataset_id,
        rejected_rows=n_bad, actor=actor, engine=engine)
    return {**info, "dataset_id": info["id"], "rejected_rows": n_bad, "mapping": dict(used),
            "bad_share": n_bad / n if n else 0.0, "streamed": True}


class _Digest:
    """The file's sha256 (:func:`file_hash`), taken in a thread while the head is read and the first blocks
    are converted (hashlib releases the GIL: on 2 cores it no longer delays the reading, 1 s per GB), and
    the refusal of bytes already uploaded. :meth:`check` waits for it; :meth:`check_if_done`, called
    between blocks, refuses a duplicate as soon as the digest is known, so a duplicate is still refused
    after a block or two, before anything is committed, and its staged parts are removed."""

    def __init__(self, path: Path, filename: str, *, engine, allow_duplicate: bool) -> None:
        self.filename, self.engine, self.allow_duplicate = filename, engine, allow_duplicate
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prism-ingest-hash")
        self._future = self._pool.submit(file_hash, path)
        self._pool.shutdown(wait=False)
        self._digest: str | None = None

    def check_if_done(self) -> None:
        if self._digest is None and self._future.done():
            self.check()

    def check(self) -> str:
        if self._digest is None:
            digest = self._future.result()
            dup = repository.find_by_hash(content_hash=digest, engine=self.engine)
            if dup and not self.allow_duplicate:
                raise IngestError(
                    f"these exact bytes were already uploaded as dataset #{dup['dataset_id']} '{dup['name']}' "
                    f"(revision {dup['revision']}); nothing was stored", file=self.filename)
            self._digest = digest
        return self._digest


T = TypeVar("T")
_DONE = object()


def _ahead(items: Iterator[T]) -> Iterator[T]:
    """``items``, the next one made in a background thread while the caller works on the current one
    (reading and parsing a block overlaps converting and writing the one before; at most three blocks
    are in memory). Closing this generator stops the thread and closes ``items``."""
    q: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for x in items:
                if not put((x, None)):
                    return
            put((_DONE, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            put((_DONE, exc))

    thread = threading.Thread(target=run, name="prism-ingest-read", daemon=True)
    thread.start()
    try:
        while True:
            x, exc = q.get()
            if x is _DONE:
                if exc is not None:
                    raise exc
                return
            yield x
    finally:
        stop.set()
        thread.join()
        close = getattr(items, "close", None)
        if close is not None:
            close()


def _settled_pass(ts: Any, kind: str, used: dict[str, str], label: str, *, engine, max_bad_share: float,
                  keep_good_rows: bool | None, progress: Progress,
                  between: Callable[[], None] | None = None) -> tuple[list, int, int] | None:
    """:func:`_stream_pass` again with the file-wide choices a pass learnt (at most ``_MAX_PASSES``):
    (staged parts, rows, bad rows), or None when the columns never settled (the caller says why)."""
    choices, keep_auto = mapping_mod.Choices(), None
    for _ in range(_MAX_PASSES):
        try:
            return _stream_pass(ts, kind, used, label, choices, keep_auto, engine=engine, max_bad_share=max_bad_share,
                                keep_good_rows=keep_good_rows, progress=progress, between=between)
        except _Again as again:
            choices, keep_auto = again.choices, again.keep_auto
    return None


def _stream_pass(ts: reader.TextStream, kind: str, used: dict[str, str], filename: str,
                 choices: mapping_mod.Choices, keep_auto: set[str] | None, *, engine, max_bad_share: float,
                 keep_good_rows: bool | None, progress: Progress,
                 between: Callable[[], None] | None = None) -> tuple[list, int, int]:
    """One pass over the file: (staged parts, rows, bad rows). Raises _Again when a file-wide choice
    turns out wrong, IngestError when the file is refused; staged parts are removed on any raise.

    Three stages overlap: a thread reads and parses the next block, this one converts, a second thread
    writes the previous block's part (pyarrow releases the GIL while parsing and writing)."""
    parts: list[repository.StagedPart] = []
    facts = mapping_mod.Facts()
    filled: set[str] = set()
    errors: list[pd.DataFrame] = []
    n = n_bad = kept_errors = 0
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prism-ingest-write")
    writing: Future | None = None
    chunks = _ahead(ts.chunks())
    try:
        for chunk in chunks:
            filled |= chunk.filled
            if keep_auto is None:
                keep_auto = set(filled)
            if filled - keep_auto:  # a column we dropped as empty holds a value after all
                raise _Again(choices, keep_auto | filled)
            raw = chunk.raw
            drop = [c for c in ts.auto if c not in keep_auto]
            if drop and len(drop) < len(ts.names):
                raw.frame = raw.frame.drop(columns=drop)
            if len(raw.frame):
                conv = mapping_mod.to_canonical(raw, kind, used, source_name=filename, choices=choices, first_row=n)
                choices = conv.choices
                facts.add(conv.facts)
                if facts.contradicts(choices):
                    raise _Again(_merged(choices, facts.choices()), keep_auto)
                bad = np.asarray(conv.bad_rows, dtype=bool)
                k = int(bad.sum())
                n += len(bad)
                n_bad += k
                if len(conv.errors) and kept_errors < MAX_ERRORS_KEPT:
                    errors.append(conv.errors.head(MAX_ERRORS_KEPT - kept_errors))
                    kept_errors += len(errors[-1])
                good = conv.frame.loc[~bad].reset_index(drop=True) if k else conv.frame
                lines = np.asarray(raw.line_numbers)[~bad] if k else np.asarray(raw.line_numbers)
                del conv
                if len(good) and not (keep_good_rows is False and n_bad):  # a refusal stores nothing
                    if writing is not None:
                        parts.append(writing.result())
                    writing = writer.submit(repository.stage_part, kind=kind, frame=good, lines=lines, engine=engine)
                del good
            if between is not None:  # e.g. the duplicate check once the file's digest is known
                between()
            if progress:
                progress(ts.bytes_read / ts.size if ts.size else 1.0,
                         f"read {ts.rows_read:,} rows ({ts.bytes_read / MB:,.0f} of {ts.size / MB:,.0f} MB)")
        if writing is not None:
            parts.append(writing.result())
            writing = None
        facts.check(filename)
        found = facts.choices()
        if _differs(choices, found) or filled != keep_auto:
            raise _Again(_merged(choices, found), set(filled))
        err = (pd.concat(errors, ignore_index=True) if errors else None)
        mapping_mod.check_bad_rows(n, n_bad, err, source_name=filename, max_bad_share=max_bad_share,
                                   keep_good_rows=keep_good_rows)
        if n - n_bad == 0 or not parts:
            raise IngestError("no valid rows to store", file=filename)
        return parts, n, n_bad
    except BaseException as exc:
        chunks.close()
        if writing is not None:
            try:
                parts.append(writing.result())
            except BaseException:  # noqa: BLE001 - the first error is the one reported
                pass
        repository.discard_parts(parts, engine=engine)
        if isinstance(exc, IngestError):
            raise exc.with_file(filename)
        raise
    finally:
        writer.shutdown(wait=True)


def guess_kind(content: bytes, filename: str = "") -> str:
    """The kind of the file, from all its columns (:func:`data.mapping.guess_kind`).

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
    raw = reader.read_table(content, filename=filename)
    return mapping_mod.guess_kind([str(c) for c in raw.frame.columns], raw.frame.head(200))
