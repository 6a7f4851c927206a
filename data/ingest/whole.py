"""A file read whole: :func:`prepare` (read, map, convert; nothing stored), :func:`commit` (validate and
store in one transaction), :func:`ingest_bytes` (both), the content hashes and :func:`guess_kind`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
import pandas as pd

from data import limits as limits_mod
from data import mapping as mapping_mod
from data import reader, repository
from data.errors import IngestError
from data.limits import Limits
from data.schema import KINDS

# Upload limits (PRISM_MAX_UPLOAD_MB, PRISM_MAX_UNPACKED_MB, PRISM_MAX_ROWS, ...) are read from the
# environment at call time by data.limits.current(), never at import.
MAX_BAD_SHARE = 0.05
Progress = Optional[Callable[[float, str], None]]


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


JOIN_CONFIDENCE = 0.95  # a field the join plan settles (order date from the header file, customer = person id)


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
