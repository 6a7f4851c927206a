"""The Data page's analytics: a quality summary of each selected dataset (rows, fields, gaps, dates)."""

from __future__ import annotations

import pandas as pd

from analytics.common import jsonable
from analytics.i18n import t
from analytics.params import Param
from data.schema import ATTR_PREFIX
from data.schema import KINDS as SCHEMA_KINDS

PAGE = "data"
KINDS = {k: False for k in SCHEMA_KINDS}  # any selected dataset is summarised
PARAMS: list[Param] = []


def summarise(kind: str, frame: pd.DataFrame) -> dict:
    k = SCHEMA_KINDS[kind]
    fields = []
    for f in k.fields:
        s = frame[f.name] if f.name in frame.columns else pd.Series([], dtype=object)
        filled = int(s.notna().sum())
        fields.append({"field": f.name, "type": f.type, "filled": filled,
                       "filled_share": filled / len(frame) if len(frame) else None})
    dates = [f.name for f in k.fields if f.type == "datetime" and f.name in frame.columns and frame[f.name].notna().any()]
    first = frame[dates[0]].min() if dates else None
    last = frame[dates[0]].max() if dates else None
    out = {
        "kind": kind,
        "rows": len(frame),
        "fields_mapped": sum(1 for x in fields if x["filled"] > 0),
        "attributes": [c[len(ATTR_PREFIX):] for c in frame.columns if c.startswith(ATTR_PREFIX)],
        "first_date": first,
        "last_date": last,
        "fields": fields,
    }
    if kind == "orders" and len(frame):
        out["returns_flagged"] = int(frame["is_return"].sum())
        out["amount_total"] = float(frame["amount"].sum())
        out["lines_without_customer"] = int(frame["customer_id"].isna().sum())
    return out


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    datasets = [summarise(kind, f) for kind, f in frames.items()]
    findings = []
    for d in datasets:
        empty = [x["field"] for x in d["fields"] if x["filled"] == 0]
        if empty:
            findings.append(t("datasets.finding.unmapped", lang, kind=t(f"ui.kind.{d['kind']}", lang), fields=", ".join(empty[:8])))
        if d.get("lines_without_customer"):
            findings.append(t("datasets.finding.no_customer", lang, n=d["lines_without_customer"]))
    return jsonable({"quality": datasets, "findings": findings, "warnings": []})


def figures(result: dict, lang: str = "en") -> list[dict]:
    return []


# ---------------------------------------------------------------- refusals and store faults, translated


def fault_message(exc: BaseException, lang: str = "en") -> str:
    """A refused write (data.errors.NotAllowed) or a fault of the store (data.errors.StoreError) as one
    plain sentence in ``lang`` (the catalogue's English equals ``str(exc)``); anything else: ``str(exc)``.
    The text quotes names as they are: render it escaped."""
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
