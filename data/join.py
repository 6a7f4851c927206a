"""Several files, one dataset: detect how the files of one export relate and join them in the engine.

A marketplace export often comes as several files (Olist: orders, order items, payments, customers).
Each file is read by :mod:`data.reader` (encodings, title rows, totals rows, limits) into the engine as a
table of text cells with its source line (``__line__``); big files on disk are read block by block into
a temporary Parquet file, so no file is held whole in memory. Everything after that runs in the engine
(Ibis over DuckDB): the relation checks (distinct keys, values in common, repeated keys) and the join.

Relations (:func:`detect`)
    Two files relate through a column of the same name (case-, space- and punctuation-insensitive)
    that is a key: unique in one of the uploaded files, or named like an id (``..._id``, ``订单号``), and
    whose values the two files have in common. Each side is *one* (every key value on one row) or
    *many*.
The plan (:func:`plan`)
    The base is the lines file: a *many* side of a key (several rows per order), with the most
    product / price columns of the kind (:func:`data.mapping.suggest_mapping`), then the most rows
    (Olist: the order items). Every other file is joined to the base or to a file joined before it,
    preferring a key unique in the joined file (the order header on ``order_id``, then the customers
    on ``customer_id``). A file with several rows per key (payments per order) is aggregated per key
    before it is joined, so it never repeats a line: money columns summed, counts and sequence numbers
    their maximum, text the value on the row with the largest amount (the payment type of the largest
    payment). Where the customer file has a person id beside its key (Olist's ``customer_unique_id``
    beside the order-scoped ``customer_id``), the person id is the customer (:attr:`JoinPlan.person`).
    The user can change the base and every key (:func:`plan` arguments); a join that would repeat lines
    (a key not unique in the joined file and not aggregated) or shares no value is refused with a
    message naming the files and columns.
The result (:func:`joined`)
    One row per row of the base file, in its order, with its line numbers: the base's columns, then each
    joined file's (its key dropped; a name already taken gets the file's name in front). The fields the
    plan knows (:func:`known_mapping`: order date from the header file, customer = person id, amount =
    the line's price) are given to the mapping review as settled guesses.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Sequence

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from data import engine as eng
from data import limits as limits_mod
from data import mapping as mapping_mod
from data import reader
from data.errors import IngestError
from data.limits import Limits
from data.schema import KINDS, normalise_header

LINE = eng.LINE
MAX_FILES = 12
_ID_NAME = re.compile(r"(?i)(id|key|code|sku|uuid|no|编号|号|编码)$")
_PERSON_NAME = re.compile(r"(?i)unique|person|people|member|user|会员|用户|个人")
_MONEY_CHARS = r"[,\s¥￥$€£]"
_LINE_FIELDS = ("product_id", "product_name", "quantity", "unit_price", "amount")
_DATE_NAME = re.compile(r"(?i)purchase|created|order.?(date|time)|下单|创建|支付|付款|成交")


# ---------------------------------------------------------------- the files in the engine


@dataclass(frozen=True)
class SourceFile:
    name: str
    rows: int
    columns: tuple[str, ...]


class Sources:
    """The files of one upload, each a table of text cells in the engine (use as a context manager:
    :meth:`close` removes the temporary Parquet files of streamed ones)."""

    def __init__(self) -> None:
        self.tables: dict[str, ibis.Table] = {}
        self.files: dict[str, SourceFile] = {}
        self.bytes: dict[str, int] = {}
        self._tmp: Path | None = None
        self._stats: dict[tuple[str, str], tuple[int, int]] = {}

    def __enter__(self) -> "Sources":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Forget the tables and remove the temporary directory (idempotent)."""
        self.tables.clear()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    @property
    def names(self) -> list[str]:
        """The files' names, in the order given.

        Returns
        -------
        list[str]
            The names.
        """
        return list(self.files)

    def _check_name(self, name: str, count: int) -> None:
        if count > MAX_FILES:
            raise IngestError(f"at most {MAX_FILES} files make one dataset, got {count}", reason="too many files")
        if name in self.files:
            raise IngestError("two files of this upload have this name; rename one", file=name, reason="same name")

    def _add(self, name: str, frame: pd.DataFrame, lines: np.ndarray, size: int) -> None:
        frame = frame.copy(deep=False)
        frame.columns = [str(c) for c in frame.columns]
        _check_columns(name, list(frame.columns))
        frame[LINE] = np.asarray(lines, dtype="int64")
        self.tables[name] = eng.from_frame(frame, local=True)  # staged files join in embedded DuckDB
        self.files[name] = SourceFile(name=name, rows=len(frame), columns=tuple(c for c in frame.columns if c != LINE))
        self.bytes[name] = size

    @classmethod
    def from_bytes(cls, files: Sequence[tuple[str, bytes]], *, limits: Limits | None = None,
                   encoding: str | None = None, delimiter: str | None = None, header: bool | None = None) -> "Sources":
        """Files given as (name, bytes) (the Data page's uploads), each read whole by :mod:`data.reader`.

        Parameters
        ----------
        files : Sequence[tuple[str, bytes]]
            (name, bytes) of each file.
        limits : Limits | None
            The limits (None: :func:`data.limits.current`).
        encoding : str | None
            Text encoding, or None to detect it.
        delimiter : str | None
            Field delimiter, or None to detect it.
        header : bool | None
            Whether the first row is a header (None: detect).

        Returns
        -------
        'Sources'
            The sources.
        """
        src = cls()
        lim = limits or limits_mod.current()
        try:
            for name, content in files:
                src._check_name(name, len(files))
                raw = reader.read_table(content, filename=name, encoding=encoding, delimiter=delimiter, header=header,
                                        limits=lim)
                src._add(name, raw.frame, raw.line_numbers, len(content))
        except BaseException:
            src.close()
            raise
        return src

    @classmethod
    def from_paths(cls, paths: Sequence[str | Path], *, limits: Limits | None = None, stream_min_bytes: int = 32 << 20,
                   block_bytes: int | None = None, encoding: str | None = None, delimiter: str | None = None,
                   header: bool | None = None) -> "Sources":
        """Files on disk (the command line). A delimited text file over ``stream_min_bytes`` is read block
        by block (:class:`data.reader.TextStream`) into a temporary Parquet file the engine scans; the
        others are read whole.

        Parameters
        ----------
        paths : Sequence[str | Path]
            The files.
        limits : Limits | None
            The limits (None: :func:`data.limits.current`).
        stream_min_bytes : int
            Size above which a text file is read block by block.
        block_bytes : int | None
            Bytes per block, or None for the default.
        encoding : str | None
            Text encoding, or None to detect it.
        delimiter : str | None
            Field delimiter, or None to detect it.
        header : bool | None
            Whether the first row is a header (None: detect).

        Returns
        -------
        'Sources'
            The sources.
        """
        src = cls()
        lim = limits or limits_mod.current()
        try:
            for p in paths:
                p = Path(p)
                src._check_name(p.name, len(paths))
                if not p.is_file():
                    raise IngestError("file not found", file=str(p))
                size = p.stat().st_size
                if size > lim.upload_bytes:
                    raise limits_mod.over("upload_bytes", lim, actual=f"the file is {size / 2**20:,.1f} MB").with_file(p.name)
                if size > stream_min_bytes:
                    try:
                        src._stream(p, lim, block_bytes, encoding, delimiter, header)
                        continue
                    except reader.NotStreamable:
                        pass  # read whole below (the limits still apply)
                raw = reader.read_table(p.read_bytes(), filename=p.name, encoding=encoding, delimiter=delimiter,
                                        header=header, limits=lim)
                src._add(p.name, raw.frame, raw.line_numbers, size)
        except BaseException:
            src.close()
            raise
        return src

    def _stream(self, path: Path, lim: Limits, block_bytes, encoding, delimiter, header) -> None:
        ts = reader.TextStream(path, filename=path.name, encoding=encoding, delimiter=delimiter, header=header,
                               limits=lim, block_bytes=block_bytes)
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="prism-join-"))
        target = self._tmp / f"{len(self.files)}.parquet"
        names = [c for c in ts.names if c not in ts.auto]  # empty auto-named columns (trailing delimiters) dropped
        _check_columns(path.name, names)
        schema = pa.schema([pa.field(c, pa.string()) for c in names] + [pa.field(LINE, pa.int64())])
        rows = 0
        with pq.ParquetWriter(target, schema, compression="zstd") as w:
            for chunk in ts.chunks():
                f = chunk.raw.frame
                cols = [pa.array(f[c].astype(object).where(f[c].notna(), None).tolist() if c in f.columns
                                 else [None] * len(f), type=pa.string()) for c in names]
                cols.append(pa.array(np.asarray(chunk.raw.line_numbers, dtype="int64")))
                w.write_table(pa.Table.from_arrays(cols, schema=schema))
                rows += len(f)
        self.tables[path.name] = eng.duckdb_connection().read_parquet(str(target))
        self.files[path.name] = SourceFile(name=path.name, rows=rows, columns=tuple(names))
        self.bytes[path.name] = path.stat().st_size

    # -- facts the engine computes (cached per source and column)

    def stats(self, name: str, column: str) -> tuple[int, int]:
        """(rows with a value, distinct values) of one column, blanks as missing, spaces trimmed.

        Parameters
        ----------
        name : str
            The file.
        column : str
            The column.

        Returns
        -------
        tuple[int, int]
            (rows with a value, distinct values).
        """
        key = (name, column)
        if key not in self._stats:
            k = _key(self.tables[name][column])
            t = self.tables[name].select(k=k).filter(lambda t: t.k.notnull())
            res = t.aggregate(n=t.k.count(), d=t.k.nunique()).to_pyarrow().to_pylist()[0]
            self._stats[key] = (int(res["n"] or 0), int(res["d"] or 0))
        return self._stats[key]

    def unique(self, name: str, column: str) -> bool:
        """Whether a column has a value on some row and no value twice (a key).

        Parameters
        ----------
        name : str
            The file.
        column : str
            The column.

        Returns
        -------
        bool
            True when unique.
        """
        n, d = self.stats(name, column)
        return n > 0 and n == d

    def matched(self, a: str, ca: str, b: str, cb: str) -> int:
        """Distinct values of ``a.ca`` found in ``b.cb``.

        Parameters
        ----------
        a : str
            The first file.
        ca : str
            Its column.
        b : str
            The second file.
        cb : str
            Its column.

        Returns
        -------
        int
            The count.
        """
        left = self.tables[a].select(k=_key(self.tables[a][ca])).filter(lambda t: t.k.notnull()).distinct()
        right = self.tables[b].select(k=_key(self.tables[b][cb])).filter(lambda t: t.k.notnull()).distinct()
        return int(eng.scalar(left.semi_join(right, "k").count()))

    def repeated(self, name: str, column: str) -> tuple[int, str | None]:
        """(key values on more than one row, one of them) in ``name.column``.

        Parameters
        ----------
        name : str
            The file.
        column : str
            The column.

        Returns
        -------
        tuple[int, str | None]
            (count, an example or None).
        """
        t = self.tables[name].select(k=_key(self.tables[name][column])).filter(lambda t: t.k.notnull())
        rep = t.group_by("k").aggregate(n=t.k.count()).filter(lambda t: t.n > 1)
        res = rep.aggregate(c=rep.k.count(), e=rep.k.min()).to_pyarrow().to_pylist()[0]
        return int(res["c"] or 0), res["e"]


def _key(col: ibis.Value) -> ibis.Value:
    """A key cell as compared: spaces trimmed, a blank cell missing."""
    k = col.cast("string").strip()
    return (k == "").ifelse(ibis.null("string"), k)


def _check_columns(name: str, columns: list[str]) -> None:
    """The engine's column names ignore case: two headers differing only in case cannot both be held."""
    seen: dict[str, str] = {}
    for c in columns:
        if c == LINE:
            raise IngestError(f"the column name {LINE} is reserved", file=name, column=c, reason="reserved column")
        low = c.casefold()
        if low in seen:
            raise IngestError(f"columns '{seen[low]}' and '{c}' differ only in upper / lower case; rename one",
                              file=name, column=c, reason="column names clash")
        seen[low] = c


# ---------------------------------------------------------------- relations


@dataclass(frozen=True)
class Relation:
    """Two files sharing a key column."""

    left: str
    left_column: str
    right: str
    right_column: str
    left_unique: bool
    right_unique: bool
    matched: int  # distinct key values found in both

    @property
    def cardinality(self) -> str:
        """"one-to-one", "one-to-many" (left one, right many), "many-to-one" or "many-to-many".

        Returns
        -------
        str
            The cardinality.
        """
        return f"{'one' if self.left_unique else 'many'}-to-{'one' if self.right_unique else 'many'}"


def _id_like(column: str) -> bool:
    return bool(_ID_NAME.search(normalise_header(column)))


_HEAD_BYTES = 256 << 10


def header_columns(name: str, content: bytes) -> list[str]:
    """The column names of a file from its first lines (a text file) or its first sheet, [] when it
    cannot be read (the whole read says why).

    Parameters
    ----------
    name : str
        The file's name.
    content : bytes
        The file's bytes.

    Returns
    -------
    list[str]
        The headers.
    """
    head = content
    if content[:2] != b"\x1f\x8b" and content[:4] not in (b"PK\x03\x04", b"PK\x05\x06") and len(content) > _HEAD_BYTES:
        cut = content.rfind(b"\n", 0, _HEAD_BYTES)
        head = content[: cut + 1] if cut > 0 else content
    try:
        return [str(c) for c in reader.read_table(head, filename=name).frame.columns]
    except IngestError:
        return []


def files_relate(files: Sequence[tuple[str, bytes]]) -> bool:
    """Several files, each sharing an id-like column name with another (Olist's order_id, customer_id):
    they look like one export in several files (names only; :func:`detect` checks the values).

    Parameters
    ----------
    files : Sequence[tuple[str, bytes]]
        (name, bytes) of each file.

    Returns
    -------
    bool
        True when they relate.
    """
    if len(files) < 2:
        return False
    keys = [{normalise_header(c) for c in header_columns(n, b) if _id_like(c)} for n, b in files]
    return all(any(k & other for j, other in enumerate(keys) if j != i) for i, k in enumerate(keys))


def detect(src: Sources) -> list[Relation]:
    """Every pair of files sharing a key column (same name up to case, spaces and punctuation) whose
    values they have in common; keys are columns unique in some file or named like an id.

    Parameters
    ----------
    src : Sources
        The files.

    Returns
    -------
    list[Relation]
        The relations.
    """
    names = src.names
    by_key: dict[str, list[tuple[str, str]]] = {}
    for n in names:
        for c in src.files[n].columns:
            by_key.setdefault(normalise_header(c), []).append((n, c))
    out: list[Relation] = []
    for key, cols in by_key.items():
        if len({n for n, _ in cols}) < 2 or not key:
            continue
        if not (_id_like(cols[0][1]) or any(src.unique(n, c) for n, c in cols)):
            continue
        for i, (a, ca) in enumerate(cols):
            for b, cb in cols[i + 1:]:
                if a == b:
                    continue
                m = src.matched(a, ca, b, cb)
                if m:
                    out.append(Relation(a, ca, b, cb, src.unique(a, ca), src.unique(b, cb), m))
    return out


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Join:
    """``file`` joined to ``to`` (the base or a file joined before) on ``to.left = file.right``."""

    file: str
    to: str
    left: str
    right: str
    unique: bool        # one row of ``file`` per key value
    aggregate: bool     # several rows per key: aggregated per key before the join
    matched: int        # distinct key values of ``to`` found in ``file``
    left_keys: int      # distinct key values of ``to``

    @property
    def cardinality(self) -> str:
        """"one" when the joined file has one row per key, else "many".

        Returns
        -------
        str
            The cardinality.
        """
        return "one" if self.unique else "many"


@dataclass(frozen=True)
class JoinPlan:
    base: str
    joins: tuple[Join, ...]
    person: tuple[str, str] | None           # (file, column) of the person id, when a file has one
    files: tuple[SourceFile, ...]
    relations: tuple[Relation, ...] = field(default=())
    kind: str = "orders"

    @property
    def names(self) -> list[str]:
        """The files' names, in the plan's order.

        Returns
        -------
        list[str]
            The names.
        """
        return [f.name for f in self.files]

    def file(self, name: str) -> SourceFile:
        """The plan's file of this name.

        Parameters
        ----------
        name : str
            The file's name.

        Returns
        -------
        SourceFile
            The file.
        """
        return next(f for f in self.files if f.name == name)

    def role(self, name: str) -> str:
        """"lines" (the base), "lookup" (one row per key) or "aggregated" (several rows per key).

        Parameters
        ----------
        name : str
            The file's name.

        Returns
        -------
        str
            The role.
        """
        if name == self.base:
            return "lines"
        j = next(j for j in self.joins if j.file == name)
        return "aggregated" if j.aggregate else "lookup"

    def describe(self) -> list[str]:
        """The plan in plain English lines (the command line).

        Returns
        -------
        list[str]
            One line per file.
        """
        b = self.file(self.base)
        out = [f"lines: {b.name} ({b.rows:,} rows; one dataset line per row)"]
        for j in self.joins:
            f = self.file(j.file)
            how = (f"several rows per {j.right}: aggregated per {j.right} before the join" if j.aggregate
                   else f"one row per {j.right}")
            out.append(f"join {f.name} ({f.rows:,} rows) on {j.to}.{j.left} = {f.name}.{j.right}: {how}; "
                       f"{j.matched:,} of {j.left_keys:,} {j.left} values found")
        if self.person:
            out.append(f"customer: {self.person[1]} of {self.person[0]} (the person, not the order-scoped id)")
        return out

    def as_dict(self) -> dict:
        """The plan as a JSON-safe dict (the catalogue's record of a joined upload).

        Returns
        -------
        dict
            ``base``, ``person``, ``joins`` (file, to, left, right, one, aggregate, matched, left_keys).
        """
        return {"base": self.base, "person": list(self.person) if self.person else None,
                "joins": [{"file": j.file, "to": j.to, "left": j.left, "right": j.right, "one": j.unique,
                           "aggregate": j.aggregate, "matched": j.matched, "left_keys": j.left_keys} for j in self.joins]}


def _line_score(src: Sources, name: str, kind: str) -> int:
    cols = list(src.files[name].columns)
    sample = src.tables[name].drop(LINE).limit(300).to_pandas()
    sugg = mapping_mod.suggest_mapping(cols, kind, sample=sample)
    wanted = _LINE_FIELDS if kind == "orders" else KINDS[kind].field_names
    return sum(1 for f in wanted if f in sugg)


def plan(src: Sources, *, kind: str = "orders", base: str | None = None,
         keys: dict[str, tuple[str, str, str]] | None = None, aggregate: dict[str, bool] | None = None,
         relations: Sequence[Relation] | None = None) -> JoinPlan:
    """See :func:`_plan`; an IngestError raised carries ``join_files`` (the files, their rows and columns)
    so that a review can offer the choice of base and keys instead of only refusing.

    Parameters
    ----------
    src : Sources
        The files.
    kind : str
        The dataset kind.
    base : str | None
        The lines file, or None to detect it.
    keys : dict[str, tuple[str, str, str]] | None
        File -> (to_file, to_column, file_column), or None.
    aggregate : dict[str, bool] | None
        File -> aggregate per key, or None.
    relations : Sequence[Relation] | None
        The relations (None: :func:`detect`).

    Returns
    -------
    JoinPlan
        The plan.
    """
    try:
        return _plan(src, kind=kind, base=base, keys=keys, aggregate=aggregate, relations=relations)
    except IngestError as exc:
        exc.join_files = tuple(src.files.values())  # type: ignore[attr-defined]
        raise


def _plan(src: Sources, *, kind: str, base: str | None, keys: dict[str, tuple[str, str, str]] | None,
          aggregate: dict[str, bool] | None, relations: Sequence[Relation] | None) -> JoinPlan:
    """The join plan for the files in ``src``: detected, then changed by the user's choices.

    ``base``: the lines file; ``keys``: {file: (to_file, to_column, file_column)} keys chosen for a file;
    ``aggregate``: {file: bool} to aggregate a file per key or not. Raises IngestError (naming files and
    columns) for a file that cannot be joined, a key that shares no value, or a join that would repeat
    lines."""
    names = src.names
    if len(names) < 2:
        raise IngestError("a join needs at least two files", reason="one file")
    keys = dict(keys or {})
    aggregate = dict(aggregate or {})
    for f, (to, lc, rc) in keys.items():
        for n, c in ((f, rc), (to, lc)):
            if n not in src.files:
                raise IngestError(f"no file '{n}' in this upload; files: {', '.join(names)}", file=n, reason="unknown file")
            if c not in src.files[n].columns:
                raise IngestError(f"there is no column '{c}'; columns: {', '.join(src.files[n].columns)}", file=n,
                                  column=c, reason="unknown column")
    rels = list(relations) if relations is not None else detect(src)
    if base is not None and base not in src.files:
        raise IngestError(f"no file '{base}' in this upload; files: {', '.join(names)}", file=base, reason="unknown file")
    if base is None:
        many = {r.left for r in rels if not r.left_unique} | {r.right for r in rels if not r.right_unique}
        base = max(names, key=lambda n: (n in many, _line_score(src, n, kind), src.files[n].rows, -names.index(n)))
    # candidate edges: (to, to_column, file, file_column)
    edges: list[tuple[str, str, str, str]] = []
    for r in rels:
        edges.append((r.left, r.left_column, r.right, r.right_column))
        edges.append((r.right, r.right_column, r.left, r.left_column))
    joined = [base]
    joins: list[Join] = []
    todo = [n for n in names if n != base]
    while todo:
        choice = None
        for f in todo:
            if f in keys:
                to, lc, rc = keys[f]
                if to in joined:
                    choice = (f, to, lc, rc)
                    break
        if choice is None:
            cands = [(to, lc, f, rc) for to, lc, f, rc in edges if to in joined and f in todo and f not in keys]
            if cands:
                to, lc, f, rc = max(cands, key=lambda e: (src.unique(e[2], e[3]), -joined.index(e[0]),
                                                          -todo.index(e[2])))
                choice = (f, to, lc, rc)
        if choice is None:
            f = next((f for f in todo if f in keys), todo[0])
            if f in keys and keys[f][0] not in [*joined, *todo]:
                raise IngestError(f"'{keys[f][0]}' is not joined", file=f, reason="no shared key")
            cols = ", ".join(src.files[f].columns[:20])
            others = "; ".join(f"{n}: {', '.join(src.files[n].columns[:20])}" for n in joined)
            raise IngestError(
                f"this file shares no key with {', '.join(repr(n) for n in joined)}: no column of the same name whose "
                f"values they have in common (its columns: {cols}; {others}); remove it, or name the key "
                f"(--join FILE.COLUMN=FILE.COLUMN on the command line, the key picker on the Data page)",
                file=f, reason="no shared key")
        f, to, lc, rc = choice
        one = src.unique(f, rc)
        agg = aggregate.get(f, not one)
        n_left = src.stats(to, lc)[1]
        m = src.matched(to, lc, f, rc)
        if m == 0:
            raise IngestError(f"no value of {to}.{lc} is found in {f}.{rc}: these columns do not relate the files; "
                              "pick another key", file=f, column=rc, reason="no shared key")
        if not one and not agg:
            n_rep, example = src.repeated(f, rc)
            raise IngestError(
                f"joining on {to}.{lc} = {f}.{rc} would repeat lines of {to}: {n_rep:,} values of {rc} occur on more "
                f"than one row of {f} (e.g. '{example}'); aggregate {f} per {rc} or pick a key unique in {f}",
                file=f, column=rc, reason="many-to-many join")
        joins.append(Join(file=f, to=to, left=lc, right=rc, unique=one, aggregate=agg, matched=m, left_keys=n_left))
        joined.append(f)
        todo.remove(f)
    result = JoinPlan(base=base, joins=tuple(joins), person=None, files=tuple(src.files[n] for n in names),
                      relations=tuple(rels), kind=kind)
    return replace(result, person=_person(src, result))


def _person(src: Sources, p: JoinPlan) -> tuple[str, str] | None:
    """A person id in a file joined one-per-key on a customer key (Olist's customer_unique_id beside the
    order-scoped customer_id): an id-like column named like a person, fewer distinct values than keys."""
    for j in p.joins:
        if j.aggregate or "customer_id" not in mapping_mod.suggest_mapping([j.right], "orders"):
            continue
        keys_n = src.stats(j.file, j.right)[1]
        for c in src.files[j.file].columns:
            if c == j.right or not _id_like(c) or not _PERSON_NAME.search(c):
                continue
            n, d = src.stats(j.file, c)
            if n and d <= keys_n:
                return (j.file, c)
    return None


# ---------------------------------------------------------------- the join, in the engine


def _is_number(col: ibis.Value) -> ibis.Value:
    return col.cast("string").re_replace(_MONEY_CHARS, "").try_cast("float64")


def _aggregated(src: Sources, name: str, key: str) -> ibis.Table:
    """``name`` with one row per ``key``: money summed, counts / sequence numbers their maximum, text the
    value on the row with the largest money value (the first money column), else the smallest text."""
    t = src.tables[name].drop(LINE)
    cols = [c for c in src.files[name].columns if c != key]
    shares = {}
    if cols:
        probe = t.aggregate(**{f"n{i}": t[c].notnull().sum() for i, c in enumerate(cols)},
                            **{f"x{i}": _is_number(t[c]).notnull().sum() for i, c in enumerate(cols)})
        r = probe.to_pyarrow().to_pylist()[0]
        shares = {c: (r[f"x{i}"] or 0) / r[f"n{i}"] if r[f"n{i}"] else 0.0 for i, c in enumerate(cols)}
    numeric = [c for c in cols if shares.get(c, 0) >= 0.95]
    money = [c for c in numeric if not mapping_mod.NOT_MONEY.search(c) and mapping_mod.MONEY_TOKENS.search(c)]
    t = t.mutate(__k__=_key(t[key]))
    aggs = {}
    for c in cols:
        if c in money:
            aggs[c] = _is_number(t[c]).sum().round(6).cast("string")
        elif c in numeric:
            aggs[c] = _is_number(t[c]).max().cast("string")
        elif money:
            aggs[c] = t[c].argmax(_is_number(t[money[0]]))
        else:
            aggs[c] = t[c].min()
    return t.filter(t.__k__.notnull()).group_by("__k__").aggregate(**aggs) if aggs else \
        t.filter(t.__k__.notnull()).select("__k__").distinct()


def stem(name: str) -> str:
    """A file name without its extensions (.csv, .gz ...).

    Parameters
    ----------
    name : str
        The file's name.

    Returns
    -------
    str
        The stem.
    """
    s = Path(name).name
    for ext in (".gz", ".csv", ".tsv", ".txt", ".xlsx"):
        if s.lower().endswith(ext):
            s = s[: -len(ext)]
    return s


def joined(src: Sources, p: JoinPlan) -> tuple[ibis.Table, dict[tuple[str, str], str]]:
    """The joined lines as an engine table (text cells, ``__line__`` of the base, in the base's order)
    and where each source column went: {(file, column): joined column}.

    Parameters
    ----------
    src : Sources
        The files.
    p : JoinPlan
        The plan.

    Returns
    -------
    tuple[ibis.Table, dict[tuple[str, str], str]]
        The table and the columns' places.
    """
    t = src.tables[p.base]
    where: dict[tuple[str, str], str] = {(p.base, c): c for c in src.files[p.base].columns}
    taken = {c.casefold() for c in src.files[p.base].columns} | {LINE}
    for i, j in enumerate(p.joins):
        if j.aggregate:
            r = _aggregated(src, j.file, j.right)
        else:
            r0 = src.tables[j.file]
            r = r0.mutate(__k__=_key(r0[j.right])).drop(LINE)
            r = r.filter(r.__k__.notnull())
        names = {}
        for c in src.files[j.file].columns:
            if c == j.right:
                where[(j.file, c)] = where[(j.to, j.left)]
                continue
            new = c if c.casefold() not in taken else f"{stem(j.file)}_{c}"
            n = 2
            while new.casefold() in taken:
                new, n = f"{stem(j.file)}_{c}_{n}", n + 1
            taken.add(new.casefold())
            names[c] = new
            where[(j.file, c)] = new
        kname = f"__k{i}__"
        r = r.select(**{kname: r.__k__}, **{new: r[c] for c in names for new in [names[c]]})
        left = where[(j.to, j.left)]
        t = t.left_join(r, _key(t[left]) == r[kname]).drop(kname)
    t = t.order_by(LINE)
    cols = [where[(n, c)] for n in [p.base, *[j.file for j in p.joins]] for c in src.files[n].columns
            if not (n != p.base and c == next(j for j in p.joins if j.file == n).right)]
    return t.select(*cols, LINE), where


def known_mapping(src: Sources, p: JoinPlan, where: dict[tuple[str, str], str]) -> dict[str, str]:
    """The fields the plan settles for kind orders: order id = the key the lines share with the header,
    order date = the header's purchase date (not the lines' shipping date), customer = the person id
    (else the customer key), amount = the line's price (the lines file's own amount, else its unit price,
    each line then one unit) and the customer's city / region from the customer file.

    Parameters
    ----------
    src : Sources
        The files.
    p : JoinPlan
        The plan.
    where : dict[tuple[str, str], str]
        (file, column) -> joined column.

    Returns
    -------
    dict[str, str]
        Field -> joined column (empty for kinds other than orders).
    """
    if p.kind != "orders":
        return {}
    out: dict[str, str] = {}

    def sugg(name: str) -> dict[str, mapping_mod.FieldMatch]:
        cols = list(src.files[name].columns)
        return mapping_mod.suggest_mapping(cols, "orders", sample=src.tables[name].drop(LINE).limit(300).to_pandas())

    base = sugg(p.base)
    header = next((j for j in p.joins if not j.aggregate and j.to == p.base
                   and "order_id" in mapping_mod.suggest_mapping([j.left], "orders")), None)
    if header is not None:
        out["order_id"] = where[(p.base, header.left)]
        hs = sugg(header.file)
        dates = [c for c in src.files[header.file].columns if _DATE_NAME.search(c)]
        if "order_date" in hs:
            col = hs["order_date"].column
            named = [c for c in dates if c != col]
            if not _DATE_NAME.search(col) and named:
                col = named[0]
            out["order_date"] = where[(header.file, col)]
        for f in ("status", "channel", "campaign"):
            if f in hs and f not in base:
                out[f] = where[(header.file, hs[f].column)]
    if "amount" in base:
        out["amount"] = where[(p.base, base["amount"].column)]
    elif "unit_price" in base:
        out["amount"] = where[(p.base, base["unit_price"].column)]
        if "quantity" not in base:
            out["quantity"] = mapping_mod.FIXED + "1"
    if "quantity" in base and "amount" in base:
        out["quantity"] = where[(p.base, base["quantity"].column)]
    if p.person is not None:
        out["customer_id"] = where[p.person]
    cust = next((j for j in p.joins if not j.aggregate
                 and "customer_id" in mapping_mod.suggest_mapping([j.right], "orders")), None)
    if cust is not None:
        if "customer_id" not in out:
            out["customer_id"] = where[(cust.file, cust.right)]
        cs = sugg(cust.file)
        for f in ("region", "city"):
            if f in cs and f not in base:
                out[f] = where[(cust.file, cs[f].column)]
    return out


def head(t: ibis.Table, n: int = 500) -> pd.DataFrame:
    """The first rows of a table as a frame (the join review's preview).

    Parameters
    ----------
    t : ibis.Table
        A table.
    n : int
        Rows.

    Returns
    -------
    pd.DataFrame
        The rows.
    """
    return t.limit(n).to_pandas()


def raw_table(t: ibis.Table, p: JoinPlan) -> reader.RawTable:
    """The whole joined table as the reader's text table (the Data page: an upload within its limits).

    Parameters
    ----------
    t : ibis.Table
        The joined table.
    p : JoinPlan
        The plan.

    Returns
    -------
    reader.RawTable
        The text table.
    """
    tbl = t.to_pyarrow()
    return _raw(tbl, p)


def _raw(tbl: pa.Table, p: JoinPlan) -> reader.RawTable:
    lines = tbl.column(LINE).to_numpy(zero_copy_only=False).astype("int64")
    frame = tbl.drop([LINE]).to_pandas(types_mapper=None)
    frame = frame.astype(object).where(frame.notna(), None)
    return reader.RawTable(frame=frame, header_row=0, skipped_top=0, dropped_totals=[], encoding=None, delimiter=None,
                           format="join", sheet_names=[], line_numbers=lines,
                           notes=[f"joined from {len(p.files)} files; row numbers are lines of {p.base}"])


class JoinedStream:
    """The joined table read batch by batch, shaped like :class:`data.reader.TextStream` for ingest's
    streaming pass (``head``, ``names``, ``auto``, ``chunks()``, progress counters)."""

    def __init__(self, t: ibis.Table, p: JoinPlan, *, rows: int, size: int, batch_rows: int = 200_000) -> None:
        self.table = t
        self.plan = p
        self.batch_rows = int(batch_rows)
        self.head = _raw(t.limit(500).to_pyarrow(), p)
        self.names = [str(c) for c in self.head.frame.columns]
        self.auto: list[str] = []
        self.rows = rows
        self.size = max(1, size)
        self.bytes_read = 0
        self.rows_read = 0
        # the cursor that holds this thread's views of the files, and the query: the batches are read in
        # ingest's reading thread (Ibis 12's to_pyarrow_batches calls a method DuckDB 2 no longer has)
        self._con = eng.duckdb_connection().con
        self._sql = str(ibis.to_sql(t, dialect="duckdb"))

    def chunks(self) -> Iterator[reader.TextChunk]:
        """The joined rows as the reader's text chunks, batch by batch (the progress counters restart)."""
        self.rows_read = self.bytes_read = 0
        batches = self._con.sql(self._sql).to_arrow_reader(self.batch_rows)
        try:
            pending: pa.Table | None = None
            for b in batches:
                if not b.num_rows:
                    continue
                tbl = pa.Table.from_batches([b])
                if pending is not None:
                    yield self._chunk(pending, last=False)
                pending = tbl
            if pending is not None:
                yield self._chunk(pending, last=True)
        finally:
            batches.close()

    def _chunk(self, tbl: pa.Table, last: bool) -> reader.TextChunk:
        self.rows_read += tbl.num_rows
        self.bytes_read = int(self.size * min(1.0, self.rows_read / max(1, self.rows)))
        return reader.TextChunk(raw=_raw(tbl, self.plan), filled=frozenset(), last=last)


def parse_join_args(items: Sequence[str], names: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """``--join A.COL=B.COL`` arguments -> {B: (A, COL_A, COL_B)} (B joined to A). A file is named by its
    name or its name without the extension; a column after the last '.' of the file's name.

    Parameters
    ----------
    items : Sequence[str]
        The ``--join`` arguments.
    names : Sequence[str]
        The files' names.

    Returns
    -------
    dict[str, tuple[str, str, str]]
        Joined file -> (file, its column, joined file's column).
    """
    out: dict[str, tuple[str, str, str]] = {}

    def split(side: str, item: str) -> tuple[str, str]:
        for n in sorted(names, key=len, reverse=True):
            for prefix in (n, stem(n)):
                if side.startswith(prefix + ".") and len(side) > len(prefix) + 1:
                    return n, side[len(prefix) + 1:]
        raise IngestError(f"--join expects FILE.COLUMN=FILE.COLUMN with files of this upload ({', '.join(names)}), "
                          f"got '{item}'", reason="bad --join")

    for item in items or []:
        a, sep, b = item.partition("=")
        if not sep:
            raise IngestError(f"--join expects FILE.COLUMN=FILE.COLUMN, got '{item}'", reason="bad --join")
        fa, ca = split(a.strip(), item)
        fb, cb = split(b.strip(), item)
        out[fb] = (fa, ca, cb)
    return out
