"""The Data page's analytics: a quality summary of each selected dataset (rows, fields, gaps, dates)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.common import jsonable
from analytics.i18n import fmt_list, t
from analytics.params import Param
from analytics.tables import Col
from data.schema import ATTR_PREFIX
from data.schema import KINDS as SCHEMA_KINDS

PAGE = "data"
KINDS = {k: False for k in SCHEMA_KINDS}  # any selected dataset is summarised
PARAMS: list[Param] = []
# Result tables as the page and the report show them (analytics/tables.py); headers ``datasets.col.<column>``.
TABLES: dict[str, tuple] = {
    "quality": (Col("kind", "text", values="ui.kind"), ("rows", "count"), ("fields_mapped", "count"),
                ("first_date", "date"), ("last_date", "date"), ("returns_flagged", "count"), ("amount_total", "money"),
                ("lines_without_customer", "count")),
}

# Tables the Data page shows beside the result: a dataset's fields (the quality expander) and its revisions
# (the version history, data.repository.revisions); values through ``datasets.value.<column>.<code>``.
FIELD_COLUMNS: tuple = (Col("field", "text"), Col("type", "text", values="datasets.value.type"), ("filled", "count"),
                        ("filled_share", "percent"))
REVISION_COLUMNS: tuple = (Col("dataset_id", "id"), Col("revision", "id"),
                           Col("action", "text", values="datasets.value.action"), ("rows_added", "count"),
                           ("rows_total", "count"), ("rejected_rows", "count"), Col("source_file", "text"),
                           Col("uploaded_by", "text"), Col("uploaded_at", "text"))


@dataclass(frozen=True)
class DatasetQuality:
    """The quality summary of one dataset, from one aggregate query in the engine.

    Attributes
    ----------
    kind : str
        The dataset kind.
    rows : int
        Lines stored.
    filled : dict[str, int]
        Per canonical field, the lines where it holds a value (0 for a field the file did not map).
    attributes : tuple[str, ...]
        Source columns kept as attributes (without the ``attr_`` prefix).
    first_date, last_date : datetime or None
        Range of the kind's first date field that holds data.
    returns_flagged, amount_total, lines_without_customer : int, float, int or None
        Orders only: return / cancellation lines, the sum of ``amount``, lines without a customer id.
    """

    kind: str
    rows: int
    filled: dict
    attributes: tuple[str, ...]
    first_date: object = None
    last_date: object = None
    returns_flagged: int | None = None
    amount_total: float | None = None
    lines_without_customer: int | None = None


@dataclass(frozen=True)
class DataFit:
    """The Data page's fit: one :class:`DatasetQuality` per selected dataset, in the order given."""

    quality: tuple[DatasetQuality, ...]


def quality(kind: str, table) -> DatasetQuality:
    """Rows, filled lines per field, the date range and (orders) returns, amount and customer gaps of one
    dataset's lines, computed in the engine in one pass.

    Parameters
    ----------
    kind : str
        Dataset kind (a key of SCHEMA_KINDS).
    table
        The dataset's lines (engine table).

    Returns
    -------
    DatasetQuality
        The quality summary.
    """
    from data import engine

    k = SCHEMA_KINDS[kind]
    cols = set(table.columns)
    aggs = {"__rows": table.count()}
    for f in k.fields:
        if f.name in cols:
            aggs[f"filled__{f.name}"] = table[f.name].count()
    dates = [f.name for f in k.fields if f.type == "datetime" and f.name in cols]
    for d in dates:
        aggs[f"min__{d}"] = table[d].min()
        aggs[f"max__{d}"] = table[d].max()
    if kind == "orders":
        aggs["__returns"] = table["is_return"].sum()
        aggs["__amount"] = table["amount"].sum()
        aggs["__no_customer"] = table["customer_id"].isnull().sum()
    row = engine.to_frame(table.aggregate(**aggs)).iloc[0]
    rows = int(row["__rows"])
    filled = {f.name: int(row[f"filled__{f.name}"]) if f.name in cols else 0 for f in k.fields}
    first_date_field = next((d for d in dates if filled[d] > 0), None)
    out = dict(kind=kind, rows=rows, filled=filled,
               attributes=tuple(c[len(ATTR_PREFIX):] for c in table.columns if c.startswith(ATTR_PREFIX)),
               first_date=row[f"min__{first_date_field}"] if first_date_field else None,
               last_date=row[f"max__{first_date_field}"] if first_date_field else None)
    if kind == "orders" and rows:
        out.update(returns_flagged=int(row["__returns"] or 0), amount_total=float(row["__amount"] or 0.0),
                   lines_without_customer=int(row["__no_customer"] or 0))
    return DatasetQuality(**out)


def fit(tables: dict, params: dict) -> DataFit:
    """The Data page's fit: :func:`quality` of every selected dataset.

    Parameters
    ----------
    tables : dict
        Kind -> engine table.
    params : dict
        The page's parameters (unused).

    Returns
    -------
    DataFit
        One quality summary per table, in order.
    """
    return DataFit(quality=tuple(quality(kind, t) for kind, t in tables.items()))


def summarise(kind: str, frame: pd.DataFrame) -> dict:
    """The summary of one canonical frame (the same numbers as the page).

    Parameters
    ----------
    kind : str
        Dataset kind.
    frame : pd.DataFrame
        Canonical frame.

    Returns
    -------
    dict
        ``kind``, ``rows``, ``fields_mapped``, ``attributes``, ``first_date``, ``last_date``, ``fields`` (field,
        type, filled, filled_share) and, for orders, ``returns_flagged``, ``amount_total``,
        ``lines_without_customer``.
    """
    from data import engine

    return _summary(quality(kind, engine.from_frame(frame)))


def _summary(q: DatasetQuality) -> dict:
    k = SCHEMA_KINDS[q.kind]
    fields = [{"field": f.name, "type": f.type, "filled": q.filled[f.name],
               "filled_share": q.filled[f.name] / q.rows if q.rows else None} for f in k.fields]
    out = {
        "kind": q.kind,
        "rows": q.rows,
        "fields_mapped": sum(1 for x in fields if x["filled"] > 0),
        "attributes": list(q.attributes),
        "first_date": q.first_date,
        "last_date": q.last_date,
        "fields": fields,
    }
    if q.returns_flagged is not None:
        out["returns_flagged"] = q.returns_flagged
        out["amount_total"] = q.amount_total
        out["lines_without_customer"] = q.lines_without_customer
    return out


def present(result: DataFit, params: dict, lang: str = "en") -> dict:
    """The Data page's result: the summaries and the findings (fields no line fills; lines without a customer).

    Parameters
    ----------
    result : DataFit
        The fit.
    params : dict
        The page's parameters (unused).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        ``quality``, ``findings``, ``warnings``; JSON-safe.
    """
    datasets = [_summary(q) for q in result.quality]
    findings = []
    for d in datasets:
        empty = [x["field"] for x in d["fields"] if x["filled"] == 0]
        if empty:
            findings.append(t("datasets.finding.unmapped", lang, kind=t(f"ui.kind.{d['kind']}", lang), fields=fmt_list(empty[:8], lang)))
        if d.get("lines_without_customer"):
            findings.append(t("datasets.finding.no_customer", lang, n=d["lines_without_customer"]))
    return jsonable({"quality": datasets, "findings": findings, "warnings": []})


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """The Data page's result from canonical frames: ``present(fit(...))``.

    Parameters
    ----------
    frames : dict[str, pd.DataFrame]
        Kind -> canonical frame.
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        See :func:`present`.
    """
    from data import engine

    return present(fit(engine.tables_from_frames(frames), params), params, lang)


def figures(result: dict, lang: str = "en") -> list[dict]:
    """The Data page has no figures.

    Parameters
    ----------
    result : dict
        The page result.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        An empty list.
    """
    return []


# ---------------------------------------------------------------- refusals and store faults, translated


def fault_message(exc: BaseException, lang: str = "en") -> str:
    """A refused write (data.errors.NotAllowed) or a fault of the store (data.errors.StoreError) as one
    plain sentence in ``lang`` (the catalogue's English equals ``str(exc)``); anything else: ``str(exc)``.
    The text quotes names as they are: render it escaped.

    Parameters
    ----------
    exc : BaseException
        The exception.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The sentence.
    """
    from data.errors import NotAllowed, StoreError

    if isinstance(exc, StoreError):
        return t(f"datasets.store.{exc.code}", lang, **exc.params)
    if isinstance(exc, NotAllowed):
        target = t(f"datasets.target.{exc.target}", lang, id=exc.target_id, name=_short(exc.target_name)) \
            if exc.target else ""
        role = t(f"ui.role.{exc.role}", lang) if exc.role else t("datasets.no_role", lang)
        return t(f"datasets.denied.{exc.reason}", lang, user=exc.user or t("datasets.nobody", lang), role=role,
                 action=t(f"datasets.action.{exc.action}", lang) if exc.action else "", target=target,
                 owner=exc.owner or t("datasets.old_upload", lang),
                 need=t(f"ui.role.{exc.need}", lang) if exc.need else "", path=exc.path)
    return " ".join(str(exc).split())


def _short(value: object, limit: int = 60) -> str:
    from data.errors import _short as short

    return short(value, limit)
