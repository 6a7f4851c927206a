"""The join, in the engine (:func:`joined`): the joined lines, the fields the plan settles
(:func:`known_mapping`), the joined table as the reader's text table or stream (:class:`JoinedStream`),
and the ``--join`` arguments of the command line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, Sequence

import ibis
import pandas as pd
import pyarrow as pa

from data import engine as eng
from data import mapping as mapping_mod
from data import reader
from data.errors import IngestError

from .sources import LINE, Sources, _key
from .planning import JoinPlan

_MONEY_CHARS = r"[,\s¥￥$€£]"

_DATE_NAME = re.compile(r"(?i)purchase|created|order.?(date|time)|下单|创建|支付|付款|成交")


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
