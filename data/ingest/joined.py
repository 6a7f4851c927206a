"""Several files, one dataset (:mod:`data.join`): :func:`prepare_joined` (the Data page) and
:func:`ingest_files` (the command line, the joined lines streamed through the same staged parts)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable

from data import limits as limits_mod
from data import mapping as mapping_mod
from data import repository
from data.errors import IngestError
from data.limits import Limits
from data.schema import KINDS

from . import disk as _disk  # STREAM_MIN_BYTES, read at call time from its one home (tests patch it there)
from . import whole as _whole  # file_hash, likewise
from .whole import MAX_BAD_SHARE, Prepared, Progress, _prepare_raw, _suggest, content_hash, default_name
from .stream import _may_write, _settled_pass
from .disk import ingest_file


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

    # the threshold and file_hash are read from their one home at call time (data.ingest.disk, .whole)
    with join_mod.Sources.from_paths(paths, limits=lim, stream_min_bytes=_disk.STREAM_MIN_BYTES,
                                     block_bytes=block_bytes, encoding=encoding, delimiter=delimiter,
                                     header=header) as src:
        plan = join_mod.plan(src, kind=kind, base=base, keys=keys, aggregate=aggregate)
        if on_plan is not None:
            on_plan(plan)
        digest = joined_hash({p.name: _whole.file_hash(p) for p in paths}, plan)
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
