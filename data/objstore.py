"""Parts in an object store: ``PRISM_DATA_URL=s3://bucket/prefix`` (issue 18 item 2).

The layout is the lines directory's: one object per part, ``<prefix>/<uuid>.parquet``, never changed after
it is written; a revision is the list of its parts in the catalogue (``dataset_revision.parts``). An object
store has no rename, and needs none: an object becomes visible only when its upload completes (a single
PUT, or the completion of a multipart upload), so a part is either whole or absent, and the catalogue row
that names it commits only after every part of the upload is stored. A killed upload leaves at most
complete objects no revision names, which :func:`sweep` removes after the grace period, and incomplete
multipart uploads, which are never listed or read (a bucket lifecycle rule reclaims their storage:
docs/deploy.md).

Writing and reading go through ``pyarrow.fs.S3FileSystem`` (part of pyarrow; no other package); DuckDB scans
the parts as an Arrow dataset over that file system (its own ``httpfs`` extension is not available offline
for DuckDB 2.0.1: docs/decisions.md). Spark reads them itself (``s3a://``, the hadoop-aws connector).

Credentials and the endpoint come from the usual variables, never from the repository:
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``, ``AWS_REGION`` (or
``AWS_DEFAULT_REGION``), ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL`` (an S3-compatible server: MinIO,
Ceph, a cloud's S3 endpoint). Without keys, pyarrow's default AWS credential chain applies (instance role,
``~/.aws``).
"""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.fs as pafs
import pyarrow.parquet as pq

SCHEMES = ("s3", "s3a")
PART_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}\.parquet$")  # what write() makes: a uuid, then .parquet
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")  # S3's bucket naming rules
_SEGMENT = re.compile(r"^[A-Za-z0-9._=+-]+$")
_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
_lock = threading.Lock()
_filesystems: dict[tuple, pafs.S3FileSystem] = {}


@dataclass(frozen=True)
class ObjectStore:
    """Where the parts live in an object store: a bucket and a key prefix (no leading or trailing ``/``;
    empty for the bucket's top level)."""

    bucket: str
    prefix: str

    @classmethod
    def from_url(cls, url: str) -> "ObjectStore":
        """The store of ``s3://bucket/prefix`` (``s3a://`` is read as ``s3://``).

        The URL names a bucket and a prefix of plain path segments: no credentials, query, fragment, empty
        segment, ``.`` or ``..`` (ValueError naming the setting), so no part name or prefix can point
        outside it.

        Parameters
        ----------
        url : str
            The URL (``PRISM_DATA_URL``).

        Returns
        -------
        ObjectStore
            The store.
        """
        def bad(why: str) -> ValueError:
            return ValueError(f"PRISM_DATA_URL={_safe(url)!r}: {why} (a directory path, a file:// URL or "
                              "s3://bucket/prefix)")

        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in SCHEMES:
            raise bad(f"the scheme {parts.scheme!r} is not supported")
        if parts.username or parts.password or "@" in parts.netloc:
            raise bad("credentials do not belong in the URL: use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        if parts.query or parts.fragment or "?" in url or "#" in url:
            raise bad("no query or fragment")
        if not _BUCKET.match(parts.netloc or ""):
            raise bad("no valid bucket name")
        path = parts.path.strip("/")
        segments = path.split("/") if path else []
        if any(s in ("", ".", "..") or not _SEGMENT.match(s) for s in segments):
            raise bad("the prefix is plain path segments (letters, digits, . _ = + -), no empty, . or .. segment")
        return cls(parts.netloc, "/".join(segments))

    @property
    def url(self) -> str:
        """The store's URL.

        Returns
        -------
        str
            ``s3://bucket/prefix``.
        """
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def __str__(self) -> str:
        return self.url

    @property
    def root(self) -> str:
        """The prefix as a pyarrow path.

        Returns
        -------
        str
            ``bucket/prefix``.
        """
        return f"{self.bucket}/{self.prefix}" if self.prefix else self.bucket

    def part_url(self, name: str) -> str:
        """The URL of a part (ValueError for a name that is not a part's: it cannot leave the prefix).

        Parameters
        ----------
        name : str
            The part's name.

        Returns
        -------
        str
            ``s3://bucket/prefix/name``.
        """
        if not PART_NAME.match(name or ""):
            raise ValueError(f"not a part name: {name!r}")
        return f"{self.url}/{name}"


def _safe(url: str) -> str:
    """The URL without any user-info (a key pasted into the URL is not echoed)."""
    parts = urlsplit(url.strip())
    return url if "@" not in parts.netloc else url.replace(parts.netloc, "***@" + parts.netloc.split("@")[-1])


def is_url(path: object) -> bool:
    """Is ``path`` an object-store URL (``s3://`` or ``s3a://``)?

    Parameters
    ----------
    path : object
        A path or URL.

    Returns
    -------
    bool
        True for an object-store URL.
    """
    return isinstance(path, str) and path.split("://", 1)[0].lower() in SCHEMES and "://" in path


def _key(url: str) -> str:
    """``s3://bucket/prefix/name`` -> ``bucket/prefix/name`` (ValueError for anything but a part's URL)."""
    head, _, name = url.split("://", 1)[-1].rpartition("/")
    if not PART_NAME.match(name):
        raise ValueError(f"not a part: {url!r}")
    return f"{ObjectStore.from_url('s3://' + head).root}/{name}"


def filesystem() -> pafs.S3FileSystem:
    """This process's S3 file system for the current ``AWS_*`` variables (one per distinct setting).

    Returns
    -------
    pafs.S3FileSystem
        The file system (thread-safe).
    """
    env = tuple(os.environ.get(k) or "" for k in _ENV)
    with _lock:
        fs = _filesystems.get(env)
        if fs is None:
            key, secret, token, region, region2, endpoint_s3, endpoint = env
            kw: dict = {"region": region or region2} if (region or region2) else {}  # else the AWS config's
            if key and secret:
                kw.update(access_key=key, secret_key=secret, session_token=token or None)
            if endpoint_s3 or endpoint:
                kw["endpoint_override"] = endpoint_s3 or endpoint
            fs = _filesystems[env] = pafs.S3FileSystem(**kw)
    return fs


def part_options(table: pa.Table) -> dict:
    """The Parquet writer's options for a part, in a lines directory and in an object store alike: zstd,
    row groups of 256,000 lines, dictionary encoding for every column but the source line numbers
    (``__line__``, unique) and timestamps (near unique): the writer built a dictionary for those in every
    row group only to give it up, 0.1 s per million lines (a fifth of the write), and the plain pages are
    smaller (docs/decisions.md, "Ingest vs DuckDB's load").

    Parameters
    ----------
    table : pa.Table
        The part's lines.

    Returns
    -------
    dict
        Keyword arguments of ``pyarrow.parquet.write_table``.
    """
    plain = [f.name for f in table.schema if f.name == "__line__" or pa.types.is_timestamp(f.type)]
    use_dictionary: bool | list[str] = [n for n in table.column_names if n not in plain] if plain else True
    return {"compression": "zstd", "row_group_size": 256_000, "use_dictionary": use_dictionary}


def write(table: pa.Table, store: ObjectStore) -> str:
    """Upload one immutable part (zstd Parquet, as in a lines directory) and return its name. The object is
    visible only once its upload has completed; a failed upload leaves no object.

    Parameters
    ----------
    table : pa.Table
        The lines with ``__line__``.
    store : ObjectStore
        The object store.

    Returns
    -------
    str
        The part's name.
    """
    name = f"{uuid.uuid4().hex}.parquet"
    path = f"{store.root}/{name}"
    fs = filesystem()
    try:
        pq.write_table(table, path, filesystem=fs, **part_options(table))
    except BaseException:
        try:
            fs.delete_file(path)
        except Exception:  # noqa: BLE001 - most often there is nothing to delete
            pass
        raise
    return name


def remove(names: Iterable[str], store: ObjectStore) -> int:
    """Delete parts from the store (missing ones are skipped).

    Parameters
    ----------
    names : Iterable[str]
        The parts' names (a name that is not a part's is skipped: nothing outside the prefix is deleted).
    store : ObjectStore
        The object store.

    Returns
    -------
    int
        How many were deleted.
    """
    fs = filesystem()
    n = 0
    for name in names:
        if not PART_NAME.match(name or ""):
            continue
        path = f"{store.root}/{name}"
        try:
            fs.delete_file(path)
            n += 1
        except FileNotFoundError:
            pass
    return n


def _listing(store: ObjectStore) -> list[pafs.FileInfo]:
    sel = pafs.FileSelector(store.root, allow_not_found=True, recursive=False)
    return [i for i in filesystem().get_file_info(sel) if i.type == pafs.FileType.File]


def count(store: ObjectStore) -> int:
    """How many objects are stored directly under the prefix (tests: nothing was stored).

    Parameters
    ----------
    store : ObjectStore
        The object store.

    Returns
    -------
    int
        The number of objects.
    """
    return len(_listing(store))


def sweep(referenced: set[str], store: ObjectStore, *, older_than_s: float = 3600.0) -> list[str]:
    """Delete parts no revision references once they are older than ``older_than_s`` seconds (by the
    object's last-modified time): left by a killed upload, a deleted dataset or a replaced revision.
    Objects whose names are not a part's are never touched.

    Parameters
    ----------
    referenced : set[str]
        Parts some revision references.
    store : ObjectStore
        The object store.
    older_than_s : float
        Age in seconds before a part is deleted.

    Returns
    -------
    list[str]
        The names deleted.
    """
    now = time.time()
    gone = []
    fs = filesystem()
    for info in _listing(store):
        name = info.base_name
        if name in referenced or not PART_NAME.match(name):
            continue
        mtime = info.mtime.timestamp() if info.mtime is not None else now
        if now - mtime >= older_than_s:
            try:
                fs.delete_file(info.path)
                gone.append(name)
            except FileNotFoundError:
                pass
    return sorted(gone)


def dataset(urls: list[str]) -> pads.Dataset:
    """The parts as one Arrow dataset over the S3 file system (their schemas unified, as the parts of an
    append may differ in their ``attr_*`` columns), for DuckDB to scan or pyarrow to read whole.

    Parameters
    ----------
    urls : list[str]
        The parts' URLs (``s3://bucket/prefix/name``).

    Returns
    -------
    pads.Dataset
        The dataset.
    """
    fs = filesystem()
    keys = [_key(u) for u in urls]
    schemas = [pq.read_schema(k, filesystem=fs) for k in keys]
    schema = pa.unify_schemas(schemas, promote_options="permissive") if len(schemas) > 1 else schemas[0]
    return pads.dataset(keys, schema=schema, format="parquet", filesystem=fs)


def spark_url(url: str) -> str:
    """The URL Spark reads: ``s3a://`` (Hadoop's S3 connector, hadoop-aws) for ``s3://``.

    Parameters
    ----------
    url : str
        A part's URL.

    Returns
    -------
    str
        The ``s3a://`` URL.
    """
    return "s3a://" + url.split("://", 1)[1]
