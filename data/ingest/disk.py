"""A file on disk (the command line): :func:`ingest_file` streams a delimited text file over
:data:`STREAM_MIN_BYTES` and reads anything else whole (up to :data:`WHOLE_FILE_MAX_BYTES` when the
block reader cannot read it). This module is the one home of those thresholds: patch them here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from data import limits as limits_mod
from data import reader
from data.errors import IngestError
from data.limits import MB, Limits

from .whole import ingest_bytes
from .stream import ingest_stream

STREAM_MIN_BYTES = 32 * MB  # ingest_file streams delimited text files above this (a gzip: its estimated text)
WHOLE_FILE_MAX_BYTES = 128 * MB  # a file the block reader cannot read is read whole up to this (~1.3 GB of memory)

_GZIP_RATIO = 4  # a gzip file's text is taken to be at least this many times its size (routing only)


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
