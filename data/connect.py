"""A warehouse table as a dataset, without a copy (issue 18, item 3).

A *connected* dataset's revisions name a table of the engine instead of Parquet parts: on DuckDB a table
(or view) of the DuckDB database file ``PRISM_WAREHOUSE`` (ATTACHed read-only, data/engine.py), on Spark
(``PRISM_ENGINE=spark`` / ``sc://``) a table or view of the session's catalogue. The revision records a
*spec* (JSON in ``dataset_revision.source``): the engine, schema and table, the field mapping and what was
decided from the whole table (cancellation ids, integral float ids), and the table's *fingerprint*.

The lines a page reads are a projection of that table (:func:`lines`): each mapped column renamed to its
field and cast to the field's engine type, unmapped columns kept as ``attr_<name>``, and for orders the
same derivations as a file ingest (amount = quantity x unit_price when no amount is mapped, order ids
``L<n>`` when none is mapped, ``is_return``). Nothing is copied; the engine scans the table for every
aggregation a page pushes down.

Identifiers cannot be SQL parameters: a table name is looked up in the engine's own list of tables
(:func:`list_tables`, a parameterized catalogue query) and only a name found there is used, through
Ibis, which quotes it; a column must be one of the table's columns. User text never reaches SQL.

The fingerprint (:func:`fingerprint`) is the row count, the maximum of the date column and a checksum:
per row, the weighted sum of the engine's hash of each mapped column (mod a prime), summed over the table.
It is one scan (docs/decisions.md has its cost at 1M rows); a changed fingerprint is a new revision
(``repository.refresh_connected``), so every cache keyed on the revision recomputes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import pandas as pd

from data import engine
from data import mapping as mapping_mod
from data.errors import IngestError, _short
from data.schema import KINDS, attr_column, has_money, is_satisfied

PRIME = 1_000_000_007
SAMPLE_ROWS = 500


def _engine_name() -> str:
    return engine.kind()


# ---------------------------------------------------------------- the engine's catalogue


def list_tables() -> list[str]:
    """The tables and views that can be connected, as ``schema.table`` (Spark temporary views: ``table``),
    sorted. DuckDB: the warehouse file's (``PRISM_WAREHOUSE``; WarehouseMissing when none can be
    attached); Spark: the session catalogue's.

    Returns
    -------
    list[str]
        The table and view names, sorted.
    """
    be = engine.connection()
    if engine.is_spark(be):
        session = be._session
        out = set()
        for db in session.catalog.listDatabases():
            for t in session.catalog.listTables(db.name):
                out.add(t.name if t.isTemporary else f"{db.name}.{t.name}")
        return sorted(out)
    alias = engine.warehouse_catalog()
    rows = be.con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? "
        "UNION SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = ? AND NOT internal",
        [alias, alias]).fetchall()
    return sorted(f"{s}.{t}" for s, t in rows)


@dataclass(frozen=True)
class TableRef:
    """A table found in the engine's list of tables (:func:`resolve`): the engine it lies on, its schema
    and its name."""

    engine: str  # "duckdb" | "spark" (a local session or Spark Connect)
    schema: str  # "" for a Spark temporary view
    table: str

    @property
    def label(self) -> str:
        """The table as users write it.

        Returns
        -------
        str
            ``schema.table``, or ``table`` for a Spark temporary view (no schema).
        """
        return f"{self.schema}.{self.table}" if self.schema else self.table


def resolve(name: str) -> TableRef:
    """The table ``name`` (``SCHEMA.TABLE``, or ``TABLE`` when one schema has it) names, looked up in the
    engine's list of tables: only a name found there is ever used (IngestError otherwise, nothing run).
    An exact match first, then one ignoring case; without a schema, the table's name alone (exact, then
    ignoring case).

    Parameters
    ----------
    name : str
        The table as the user wrote it (``SCHEMA.TABLE`` or ``TABLE``).

    Returns
    -------
    TableRef
        The one table it names, on the engine in use.
    """
    text = str(name if name is not None else "").strip()
    tables = list_tables()
    hit = [t for t in tables if t == text]
    if not hit:
        hit = [t for t in tables if t.lower() == text.lower()]
    if not hit and "." not in text:
        hit = [t for t in tables if t.split(".", 1)[-1] == text] or \
              [t for t in tables if t.split(".", 1)[-1].lower() == text.lower()]
    if len(hit) != 1:
        shown = ", ".join(tables[:30]) + (" ..." if len(tables) > 30 else "")
        why = "names several tables" if hit else "is not a table of the warehouse"
        raise IngestError(f"'{_short(text)}' {why}; tables: {shown or '(none)'}", reason="unknown table")
    schema, _, table = hit[0].rpartition(".")
    be = engine.connection()
    return TableRef("spark" if engine.is_spark(be) else "duckdb", schema, table)


def raw_table(ref: TableRef) -> ibis.Table:
    """The table itself, on the engine in use (which must be the one it was connected on). Raises
    IngestError for another engine or a table dropped or renamed since, WarehouseMissing when the DuckDB
    warehouse cannot be attached.

    Parameters
    ----------
    ref : TableRef
        The table.

    Returns
    -------
    ibis.Table
        The table's columns as they are in the warehouse (a lazy expression, nothing read).
    """
    be = engine.connection()
    here = "spark" if engine.is_spark(be) else "duckdb"
    if here != ref.engine:
        raise IngestError(f"table '{_short(ref.label)}' was connected on {ref.engine}; the engine in use is "
                          f"{here} (PRISM_ENGINE)", reason="other engine")
    try:
        if here == "duckdb":
            return be.table(ref.table, database=(engine.warehouse_catalog(), ref.schema))
        return be.table(ref.table, database=ref.schema) if ref.schema else be.table(ref.table)
    except engine.WarehouseMissing:
        raise
    except Exception as exc:  # noqa: BLE001 - dropped or renamed since it was connected
        raise IngestError(f"table '{_short(ref.label)}' cannot be read any more: it was dropped or renamed in "
                          f"the warehouse ({type(exc).__name__})", reason="table gone") from exc


def sample(t: ibis.Table, n: int = SAMPLE_ROWS) -> pd.DataFrame:
    """The first ``n`` rows (bounded: what the mapping suggestion reads, as it reads a file's first rows).

    Parameters
    ----------
    t : ibis.Table
        The table.
    n : int
        Rows to read at most.

    Returns
    -------
    pd.DataFrame
        The table's columns; date and time columns as ``YYYY-MM-DD HH:MM:SS`` text (missing kept missing),
        as a file's cells would be.
    """
    out = engine.to_frame(t, limit=n)
    for c in out.columns:  # the suggestion reads text and numbers, as from a file
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d %H:%M:%S").where(out[c].notna())
    return out


# ---------------------------------------------------------------- the plan (check before storing)


@dataclass(frozen=True)
class Plan:
    """A checked connection, nothing stored yet: what the Data page shows and ``repository.connect_table``
    stores."""

    kind: str
    ref: TableRef
    columns: tuple[str, ...]
    types: dict[str, str]
    suggested: dict[str, mapping_mod.FieldMatch]
    mapping: dict[str, str]
    spec: dict[str, Any]
    rows: int
    returns: int
    fields: tuple[str, ...]
    attributes: tuple[str, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)


def _usable(ftype: str, typ: dt.DataType) -> bool:
    if ftype == "str":
        return typ.is_string() or typ.is_numeric() or typ.is_temporal() or typ.is_boolean()
    if ftype in ("float", "int"):
        return typ.is_numeric() and not typ.is_boolean()
    if ftype == "datetime":
        return typ.is_timestamp() or typ.is_date()
    if ftype == "bool":
        return typ.is_boolean() or (typ.is_numeric())
    return False


_NEEDS = {"float": "numbers", "int": "numbers", "datetime": "a DATE or TIMESTAMP column", "bool": "true/false or 0/1"}


def plan(*, kind: str, table: str, overrides: dict[str, str] | None = None) -> Plan:
    """Check that ``table`` can be the lines of a ``kind`` dataset with the suggested mapping plus
    ``overrides`` (field -> column, as ``--map``): the table exists, every mapped column exists with a
    usable type, the kind's required fields are mapped. Raises IngestError with one plain sentence
    otherwise. Reads the table's schema, 500 rows and a few aggregate scans; stores nothing.

    Parameters
    ----------
    kind : str
        The dataset kind (data/schema.py's KINDS).
    table : str
        The table as the user wrote it (:func:`resolve`).
    overrides : dict[str, str] | None
        Field -> column (or fixed value) replacing the suggested mapping's choice.

    Returns
    -------
    Plan
        The checked connection: the table's columns and types, the suggested and final mapping, the spec
        (with what the whole table decided and its fingerprint), rows kept, returns flagged, fields with a
        value, ``attr_`` columns and notes for the user.
    """
    if kind not in KINDS:
        raise IngestError(f"unknown kind '{_short(kind)}'; kinds: {', '.join(KINDS)}", reason="unknown kind")
    ref = resolve(table)
    t = raw_table(ref)
    schema = t.schema()
    columns = [str(c) for c in schema.names]
    suggested = mapping_mod.suggest_mapping(columns, kind, sample(t))
    try:
        mapping = mapping_mod.apply_overrides(suggested, overrides, columns, kind=kind)
    except IngestError as exc:
        if exc.reason != "unknown column":
            raise
        raise IngestError(f"table '{_short(ref.label)}' has no column '{_short(exc.column)}'; columns: "
                          f"{', '.join(columns[:30])}", reason="unknown column") from None
    k = KINDS[kind]
    for f, col in mapping.items():
        if mapping_mod.fixed_value(col, columns) is not None:
            continue
        ftype = k.field(f).type
        if not _usable(ftype, schema[col]):
            raise IngestError(f"column '{_short(col)}' of table '{_short(ref.label)}' holds {schema[col]}; {f} "
                              f"needs {_NEEDS.get(ftype, ftype)} (map another column, or cast it in a view of the "
                              f"warehouse)", reason="unusable type")
    missing = is_satisfied(k, set(mapping))
    if missing:
        need = "; ".join(" or ".join(g) for g in missing)
        raise IngestError(f"table '{_short(ref.label)}' has no column for {need} (map one with FIELD=COLUMN); "
                          f"columns: {', '.join(columns[:30])}", reason="required field missing")
    spec: dict[str, Any] = {"engine": ref.engine, "schema": ref.schema, "table": ref.table, "kind": kind,
                            "mapping": dict(mapping), "columns": columns}
    _decide(spec, t)
    view = lines(spec, table=t)
    stats = _stats(spec, view)
    if stats["rows"] == 0:
        raise IngestError(f"table '{_short(ref.label)}' has no rows with a value in every required field",
                          reason="no rows")
    spec["fingerprint"] = fingerprint(spec, table=t)
    notes = []
    if stats["dropped"]:
        notes.append(f"{stats['dropped']:,} rows without {', '.join(_required_single(kind, mapping))} are left out")
    if kind == "orders" and "amount" not in mapping and has_money(mapping):
        notes.append("amount computed as quantity x unit_price" if "quantity" in mapping
                     else "amount taken from unit_price (no quantity column: each line one unit)")
    if kind == "orders" and "order_id" not in mapping:
        notes.append("order_id generated per line (L + row number): each line is its own order")
    if stats["returns"]:
        notes.append(f"{stats['returns']:,} return / cancellation lines flagged (kept, not deleted)")
    return Plan(kind=kind, ref=ref, columns=tuple(columns), types={c: str(schema[c]) for c in columns},
                suggested=suggested, mapping=dict(mapping), spec=spec, rows=stats["rows"], returns=stats["returns"],
                fields=tuple(stats["fields"]), attributes=tuple(stats["attributes"]), notes=tuple(notes))


def _required_single(kind: str, mapping: dict[str, str]) -> list[str]:
    """Required fields that are a group of one and mapped to a column (orders: order_date): a row without
    one is left out, as a file row without one is a bad row."""
    return [g[0] for g in KINDS[kind].required if len(g) == 1 and g[0] in mapping]


def _decide(spec: dict, t: ibis.Table) -> None:
    """What only the whole table decides (as the whole-file conversion does), fixed in the spec: which
    float columns mapped to ``*_id`` fields hold whole numbers (``12346.0`` is id ``12346``), and whether
    ``C`` + digits order ids mark cancellations (only where plain digit ids outnumber them)."""
    m, k = spec["mapping"], KINDS[spec["kind"]]
    schema = t.schema()
    checks: dict[str, Any] = {}
    ints = []
    for f, col in m.items():
        if col in schema.names and k.field(f).type == "str" and f.endswith("_id") and schema[col].is_floating():
            checks[f"i_{len(ints)}"] = (t[col].notnull() & (t[col] != t[col].floor())).sum()
            ints.append(col)
    oid = m.get("order_id") if spec["kind"] == "orders" else None
    if oid in schema.names:
        s = t[oid].cast("string")
        checks["marked"] = s.re_search(r"^[Cc][0-9]+$").fill_null(False).cast("int64").sum()
        checks["plain"] = s.re_search(r"^[0-9]+$").fill_null(False).cast("int64").sum()
    got = engine.to_frame(t.aggregate(**checks)).iloc[0].to_dict() if checks else {}
    spec["int_ids"] = [c for i, c in enumerate(ints) if int(got.get(f"i_{i}") or 0) == 0]
    marked, plain = int(got.get("marked") or 0), int(got.get("plain") or 0)
    spec["cancel_ids"] = bool(marked and plain > marked)


def _stats(spec: dict, view: ibis.Table) -> dict:
    k = KINDS[spec["kind"]]
    aggs: dict[str, Any] = {"rows": view.count()}
    for i, f in enumerate(k.field_names):
        aggs[f"f_{i}"] = view[f].count()
    if "is_return" in view.columns:
        aggs["returns"] = view.is_return.cast("int64").sum()
    got = engine.to_frame(view.aggregate(**aggs)).iloc[0].to_dict()
    raw_rows = int(engine.scalar(raw_table(TableRef(spec["engine"], spec["schema"], spec["table"])).count()))
    return {"rows": int(got["rows"]), "returns": int(got.get("returns") or 0), "dropped": raw_rows - int(got["rows"]),
            "fields": [f for i, f in enumerate(k.field_names) if int(got.get(f"f_{i}") or 0) > 0],
            "attributes": [c for c in view.columns if c.startswith("attr_")]}


def stats(spec: dict) -> dict:
    """Rows, flagged returns and non-empty fields of the table as the spec reads it (an aggregate scan of
    the lines, and a count of the table).

    Parameters
    ----------
    spec : dict
        A connected revision's spec (engine, schema, table, kind, mapping, columns, ...).

    Returns
    -------
    dict
        ``rows`` (lines kept), ``returns`` (lines flagged as returns), ``dropped`` (table rows left out for
        a missing required field), ``fields`` (the kind's fields with at least one value) and
        ``attributes`` (the ``attr_`` columns).
    """
    t = raw_table(TableRef(spec["engine"], spec["schema"], spec["table"]))
    return _stats(spec, lines(spec, table=t))


# ---------------------------------------------------------------- the lines: a projection, no copy


_ENGINE_TYPE = {"str": "string", "float": "float64", "int": "float64", "datetime": "timestamp", "bool": "boolean"}


def _field_value(t: ibis.Table, col: str, ftype: str, spec: dict) -> ibis.Value:
    x = t[col]
    typ = x.type()
    if ftype == "str":
        if typ.is_string():
            return x
        if col in spec.get("int_ids", []):
            return x.cast("int64").cast("string")
        return x.cast("string")
    if ftype in ("float", "int"):
        return x.cast("float64")
    if ftype == "datetime":
        return x.cast(dt.Timestamp()) if not typ.is_timestamp() or typ.timezone else x
    if ftype == "bool":
        return x if typ.is_boolean() else (x != 0)
    raise ValueError(ftype)


def _fixed(value: str, ftype: str) -> ibis.Value:
    if ftype in ("float", "int"):
        try:
            return ibis.literal(float(value), type="float64")
        except ValueError:
            raise IngestError(f"the fixed value '{_short(value)}' is not a number", reason="bad fixed value") from None
    if ftype == "datetime":
        try:
            return ibis.literal(pd.Timestamp(value).to_pydatetime(), type="timestamp")
        except ValueError:
            raise IngestError(f"the fixed value '{_short(value)}' is not a date", reason="bad fixed value") from None
    return ibis.literal(value, type=_ENGINE_TYPE.get(ftype, "string"))


def lines(spec: dict, *, table: ibis.Table | None = None) -> ibis.Table:
    """The connected table as a lines table of its kind (the columns of data/engine.py's lines tables,
    without ``__line__`` unless an id is generated from the row number): a lazy Ibis expression over the
    table, run by the engine where the table lies. Raises IngestError when a mapped column is gone from
    the table.

    Parameters
    ----------
    spec : dict
        A connected revision's spec (engine, schema, table, kind, mapping, columns, int_ids, cancel_ids).
    table : ibis.Table | None
        The table already opened (None: :func:`raw_table` of the spec's table).

    Returns
    -------
    ibis.Table
        Every field of the kind (mapped column cast to the field's type, fixed value, or null); orders
        also ``is_return`` and, when not mapped, ``amount`` (quantity x unit_price) and ``order_id``
        (``L<row>``); experiments without ``unit_id``: the row number; each unmapped column as
        ``attr_<name>`` (numbers as float64, the rest as text); ``__line__`` when it was generated. Rows
        without a single-field required value (orders: order_date) are left out.
    """
    t = table if table is not None else raw_table(TableRef(spec["engine"], spec["schema"], spec["table"]))
    kind = spec["kind"]
    k = KINDS[kind]
    m = spec["mapping"]
    columns = list(spec.get("columns") or t.columns)
    gone = [c for f, c in m.items() if mapping_mod.fixed_value(c, columns) is None and c not in t.columns]
    if gone:
        raise IngestError(f"table '{_short(spec['table'])}': column '{_short(gone[0])}' is gone from the warehouse "
                          f"table; connect it again with the new columns", column=gone[0], reason="column gone")
    generated = [f for f in k.generated if f not in m]
    if generated or (kind == "experiments" and "unit_id" not in m):
        t = t.mutate(**{engine.LINE: (ibis.row_number() + 1).cast("int64")})
    out: dict[str, ibis.Value] = {}
    for f in k.fields:
        src = m.get(f.name)
        if src is None:
            out[f.name] = ibis.null(_ENGINE_TYPE[f.type])
        elif mapping_mod.fixed_value(src, columns) is not None:
            out[f.name] = _fixed(mapping_mod.fixed_value(src, columns), f.type)  # type: ignore[arg-type]
        else:
            out[f.name] = _field_value(t, src, f.type, spec)
    if kind == "orders":
        if "amount" not in m and has_money(m):
            out["amount"] = out["quantity"] * out["unit_price"] if "quantity" in m else out["unit_price"]
        if "order_id" not in m:
            out["order_id"] = ibis.literal("L") + t[engine.LINE].cast("string")
        ret = (out["quantity"] < 0).fill_null(False) | (out["amount"] < 0).fill_null(False)
        if "order_id" in m and spec.get("cancel_ids"):
            ret = ret | out["order_id"].re_search(r"^[Cc][0-9]+$").fill_null(False)
        if "status" in m:
            st = out["status"]
            ret = ret | (st.re_search(mapping_mod.RETURN_STATUS.pattern).fill_null(False)
                         & ~st.re_search(mapping_mod._NOT_RETURN.pattern).fill_null(False))
        out["is_return"] = ret
    if kind == "experiments" and "unit_id" not in m:
        out["unit_id"] = t[engine.LINE].cast("string")
    used = {c for c in m.values()}
    for c in columns:
        if c in used or c == engine.LINE:
            continue
        typ = t[c].type()
        name = attr_column(c)
        if name in out:
            continue
        out[name] = t[c].cast("float64") if (typ.is_numeric() and not typ.is_boolean()) else t[c].cast("string")
    if engine.LINE in t.columns:
        out[engine.LINE] = t[engine.LINE]
    view = t.select(**out)
    for f in _required_single(kind, m):
        view = view.filter(view[f].notnull())
    return view


# ---------------------------------------------------------------- the fingerprint


def _date_column(spec: dict) -> str | None:
    k = KINDS[spec["kind"]]
    for f in k.fields:
        col = spec["mapping"].get(f.name)
        if f.type == "datetime" and col in (spec.get("columns") or []):
            return col
    return None


@ibis.udf.scalar.builtin(name="hash")
def _duckdb_hash(x) -> dt.uint64:  # type: ignore[empty-body]
    """DuckDB's own 64-bit hash, unsigned: Ibis's ``hash()`` casts it through BIT to BIGINT, which doubles
    the cost of the checksum (docs/decisions.md)."""


def fingerprint(spec: dict, *, table: ibis.Table | None = None) -> dict:
    """Row count, maximum of the date column and a checksum of the mapped columns, in one scan: the
    checksum sums, over the rows, ``sum_i (i+1) * (hash(column_i) mod p) mod p`` (p = 1e9+7; the engine's
    own hash: DuckDB's 64-bit hash, Spark's Murmur3), so a changed, added or removed value changes it
    (except by a 1-in-a-billion collision), a reordering of rows does not.

    Parameters
    ----------
    spec : dict
        A connected revision's spec (engine, schema, table, kind, mapping, columns).
    table : ibis.Table | None
        The table already opened (None: :func:`raw_table` of the spec's table).

    Returns
    -------
    dict
        ``rows`` (int), ``max_date`` (the date column's maximum as text, None without one or without a
        value) and ``checksum`` (int, 0 when no mapped column is in the table).
    """
    t = table if table is not None else raw_table(TableRef(spec["engine"], spec["schema"], spec["table"]))
    columns = list(spec.get("columns") or t.columns)
    cols = sorted({c for c in spec["mapping"].values() if c in columns})
    duck = spec["engine"] == "duckdb"
    row = None
    for i, c in enumerate(cols):
        h = (_duckdb_hash(t[c]) % PRIME) * (i + 1) if duck else (t[c].hash() % PRIME + PRIME) % PRIME * (i + 1)
        row = h if row is None else row + h
    aggs: dict[str, Any] = {"rows": t.count()}
    if row is not None:
        aggs["checksum"] = (row % PRIME).sum()
    date = _date_column(spec)
    if date:
        aggs["max_date"] = t[date].max().cast("string")
    got = engine.to_frame(t.aggregate(**aggs)).iloc[0].to_dict()
    return {"rows": int(got["rows"]), "max_date": None if pd.isna(got.get("max_date")) else str(got.get("max_date")),
            "checksum": int(got["checksum"]) if got.get("checksum") is not None and not pd.isna(got["checksum"]) else 0}
