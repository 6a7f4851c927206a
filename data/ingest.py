"""Ingest: file bytes -> read -> map -> parse -> validate -> load, in ONE transaction.

Two steps so the Data page can show a preview and a validation report before anything is stored:

    prepared = prepare(content, filename="x.csv", kind="orders", overrides={"amount": "实付金额"})
    info = commit(prepared, name="June orders", uploaded_by="ana")

``ingest_bytes`` / ``ingest_file`` do both. Every problem with the user's file is an
:class:`data.errors.IngestError` with a one-line message naming file, row, column and reason; nothing
is stored unless the whole upload commits.
"""

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

    @property
    def rows(self) -> int:
        return len(self.converted.frame)

    @property
    def bad_rows(self) -> int:
        return int(np.asarray(self.converted.bad_rows).sum())

    @property
    def bad_share(self) -> float:
        return self.bad_rows / self.rows if self.rows else 0.0

    @property
    def errors(self) -> pd.DataFrame:
        return self.converted.errors

    def summary(self) -> dict:
        return {
            "file": self.filename, "kind": self.kind, "rows": self.rows, "bad_rows": self.bad_rows,
            "bad_share": self.bad_share, "mapping": dict(self.mapping),
            "confidence": {f: round(float(m.confidence), 3) for f, m in self.suggested.items()},
            "encoding": getattr(self.raw, "encoding", None), "delimiter": getattr(self.raw, "delimiter", None),
            "format": getattr(self.raw, "format", None), "duplicate_of": self.duplicate_of,
            "dropped_totals": list(getattr(self.raw, "dropped_totals", []) or []),
            "skipped_top": getattr(self.raw, "skipped_top", 0), "notes": list(self.notes),
        }


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


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
    """Read, map and convert without storing anything. ``limits`` default to :func:`data.limits.current`."""
    if kind not in KINDS:
        raise IngestError(f"unknown dataset kind '{kind}'; kinds: {', '.join(KINDS)}", file=filename)
    lim = limits or limits_mod.current()
    try:
        raw = reader.read_table(content, filename=filename, sheet=sheet, encoding=encoding, delimiter=delimiter,
                                header=header, max_bytes=max_bytes, limits=lim)
        columns = [str(c) for c in raw.frame.columns]
        suggested = mapping_mod.suggest_mapping(columns, kind, sample=raw.frame.head(500))
        used = mapping_mod.apply_overrides(suggested, dict(overrides or {}), columns, kind=kind)
        converted = mapping_mod.to_canonical(raw, kind, used, source_name=filename)
    except IngestError as exc:
        raise exc.with_file(filename)
    dup = repository.find_by_hash(content_hash=content_hash(content), engine=engine)
    notes = list(getattr(raw, "notes", []) or []) + list(getattr(converted, "notes", []) or [])
    return Prepared(filename=filename, kind=kind, content_hash=content_hash(content), raw=raw,
                    suggested=suggested, mapping=used, converted=converted, duplicate_of=dup, notes=notes)


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
    the store (locked, full, read-only) a ``data.errors.StoreError``; nothing is stored in either case."""
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
        content_hash=p.content_hash, mapping=p.mapping, source_file=p.filename, uploaded_by=uploaded_by,
        mode=mode, dataset_id=dataset_id, rejected_rows=int(bad_mask.sum()), lines=lines, actor=actor, engine=engine,
        progress=progress,
    )
    return {**info, "dataset_id": info["id"], "rejected_rows": int(bad_mask.sum()), "mapping": dict(p.mapping),
            "bad_share": p.bad_share}


def default_name(filename: str) -> str:
    """A dataset name from a file name: 'hillstrom.csv.gz' -> 'hillstrom'."""
    name = Path(filename).name
    for ext in (".gz", ".csv", ".tsv", ".txt", ".xlsx", ".xls"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
    return name


def ingest_bytes(content: bytes, *, filename: str, kind: str, overrides: dict[str, str] | None = None,
                 sheet: str | int | None = None, encoding: str | None = None, delimiter: str | None = None,
                 header: bool | None = None, max_bytes: int | None = None, engine=None, limits: Limits | None = None,
                 **commit_kwargs: Any) -> dict:
    prepared = prepare(content, filename=filename, kind=kind, overrides=overrides, sheet=sheet, encoding=encoding,
                       delimiter=delimiter, header=header, max_bytes=max_bytes, engine=engine, limits=limits)
    return commit(prepared, engine=engine, **commit_kwargs)


def ingest_file(path: str | Path, *, kind: str, max_bytes: int | None = None, limits: Limits | None = None,
                **kwargs: Any) -> dict:
    """Ingest a file from disk (the command line). Its size is checked before it is read into memory."""
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
    return ingest_bytes(path.read_bytes(), filename=name, kind=kind, limits=lim, **kwargs)


def guess_kind(content: bytes, filename: str = "") -> str:
    """The kind whose required fields the file's headers satisfy best (ties: most fields matched)."""
    from data.schema import is_satisfied

    raw = reader.read_table(content, filename=filename)
    columns = [str(c) for c in raw.frame.columns]
    best, best_score = "orders", (-1.0, -1.0)
    for kind, k in KINDS.items():
        sugg = mapping_mod.suggest_mapping(columns, kind, sample=raw.frame.head(200))
        mapped = {f for f, m in sugg.items() if m.column}
        unmet = len(is_satisfied(k, mapped))
        conf = sum(float(m.confidence) for m in sugg.values() if m.column)
        score = (-unmet, conf)
        if score > best_score:
            best, best_score = kind, score
    return best
