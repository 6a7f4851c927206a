"""Streaming: :func:`ingest_stream` parses a big delimited text file block by block, converts each block
and stages it as one part (:func:`_stream_pass`, again with the file-wide choices a pass learnt),
hashing the file meanwhile (:class:`_Digest`); the parts are committed at the end or removed."""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import numpy as np
import pandas as pd

from data import access
from data import limits as limits_mod
from data import mapping as mapping_mod
from data import reader, repository
from data.errors import IngestError
from data.limits import MB, Limits
from data.schema import KINDS

from . import whole as _whole  # file_hash read at call time from its one home (tests patch it there)
from .whole import MAX_BAD_SHARE, Progress, default_name

MAX_ERRORS_KEPT = 1_000  # bad cells kept for the error report of a streamed file (the first ones)

_MAX_PASSES = 8


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
        self._future = self._pool.submit(_whole.file_hash, path)  # its one home, read at call time
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
