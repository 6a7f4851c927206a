"""Conversion: a :class:`data.reader.RawTable` of text cells to the canonical frame of a kind, whole or
chunk by chunk with file-wide :class:`Choices` (:func:`to_canonical`), every unreadable cell an error row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data import parsing
from data import presets as presets_mod
from data.errors import IngestError
from data.reader import RawTable
from data.schema import MONEY_FIELDS, attr_column, has_money, is_satisfied, stage_code, stage_names_help

from .base import (_NOT_RETURN, RETURN_STATUS, Choices, Converted, Facts, _all_float_ids, _dayfirst_evidence, _kind,
                   _no_dates, cancellation_ids)
from .overrides import fixed_value

def _empty(ftype: str, n: int) -> pd.Series:
    if ftype == "datetime":
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
    if ftype in ("float", "int"):
        return pd.Series(np.full(n, np.nan))
    if ftype == "bool":
        return pd.Series(pd.array([pd.NA] * n, dtype="boolean"))
    return pd.Series(pd.array(pa.nulls(n, pa.large_string()), dtype="str"))


def _numbered(prefix: str, numbers: np.ndarray) -> pd.Series:
    """prefix + number as a str Series (vectorised in pyarrow)."""
    text = pc.binary_join_element_wise(prefix, pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), "")
    return pd.Series(pd.array(text, dtype="str"))


def _strip_float_ids(s: pd.Series) -> pd.Series:
    present = s.dropna()
    if len(present) and present.str.fullmatch(r"-?\d+\.0+").all():
        return s.str.replace(r"\.0+$", "", regex=True)
    return s


def _attr_facts(s: pd.Series) -> tuple[pd.Series, int, bool, pd.Series | None]:
    """(text, present values, True when some value keeps the column text, the numbers when none does)."""
    text, _ = parsing.parse_text(s)
    present = text.dropna()
    if len(present) == 0:
        return text, 0, False, None
    if present.str.match(r"^0\d").any():  # zip codes, phone numbers, padded ids: keep the text
        return text, len(present), True, None
    vals, bad = parsing.parse_number(text)
    if bad.any():
        return text, len(present), True, None
    return text, len(present), False, vals


def _attr_values(s: pd.Series) -> pd.Series:
    text, _n, _text, vals = _attr_facts(s)
    return text if vals is None else vals


def _attr_chunk(s: pd.Series, col: str, choices: Choices, facts: Facts) -> pd.Series:
    """An attr_ column of one chunk, read as the file-wide choice says (decided here when not given)."""
    want = choices.attr_number.get(col)
    if f"attr:{col}" in choices.settled:
        text, _ = parsing.parse_text(s)
    else:
        text, n, is_text, vals = _attr_facts(s)
        facts.attr(col, n, is_text)
        if want is None:
            want = choices.attr_number[col] = bool(n) and not is_text
        if want:
            return vals if vals is not None else parsing.parse_number(text)[0]
    if want:
        return parsing.parse_number(text)[0]
    return text


# No amount, count or price in a marketing export comes near this; beyond it a value is a typo or an attack
# (two 1e308 amounts sum to inf and blank every total), reported as a bad cell like any unreadable one.
MAX_ABS_NUMBER = 1e15


def to_canonical(raw: RawTable, kind: str, mapping: dict[str, str], *, source_name: str = "",
                 choices: Choices | None = None, first_row: int = 0) -> Converted:
    """Convert the text table to the canonical frame of ``kind`` (see module doc). ``choices`` (a chunk
    of a bigger file): the file-wide choices to apply; ``first_row``: rows of the file before this chunk.

    Parameters
    ----------
    raw : RawTable
        The text table.
    kind : str
        The dataset kind.
    mapping : dict[str, str]
        Field -> column or ``=value`` (IngestError for an unknown field or column, or a required field
        missing).
    source_name : str
        The file's name, for the messages.
    choices : Choices | None
        File-wide choices for a chunk, or None.
    first_row : int
        Rows of the file before this chunk.

    Returns
    -------
    Converted
        The canonical frame (bad rows included), the errors (row, column, value, reason), the bad-row mask,
        notes, line numbers, mapping and the choices made.
    """
    k = _kind(kind)
    chunked = choices is not None
    applied = choices.copy() if choices is not None else Choices()
    facts = Facts()
    src = raw.frame
    n = len(src)
    lines = np.asarray(raw.line_numbers if raw.line_numbers is not None else np.arange(2, n + 2), dtype=np.int64)
    columns = [str(c) for c in src.columns]
    file = source_name or None
    for fname, col in mapping.items():
        if fname not in k.field_names:
            raise IngestError(f"unknown field '{fname}' for kind {kind}", file=file, reason="unknown field")
        if col not in columns and fixed_value(col, columns) is None:
            raise IngestError(f"mapped column '{col}' (for {fname}) is not in the file", file=file, column=col,
                              reason="unknown column")
    missing = is_satisfied(k, set(mapping))
    if missing:
        names = " or ".join(missing[0])
        err = IngestError(
            f"required field {names} is not mapped to any column (kind {kind}); columns in the file: "
            f"{', '.join(columns[:30])}; map it with --map {missing[0][0]}=COLUMN, or give every row one value "
            f"with --set {missing[0][0]}=VALUE",
            file=file, reason="required field missing")
        # what a mapping review needs to ask for it instead of refusing the file
        err.missing_fields, err.columns = tuple(missing[0]), tuple(columns)  # type: ignore[attr-defined]
        raise err

    notes: list[str] = []
    preset = presets_mod.detect(columns) if first_row == 0 else None
    if preset is not None and preset.kind == k.name:  # named in the review (both languages: notes are not translated)
        notes.append(f"recognised layout: {preset.name} · 识别的格式：{preset.name_zh}")
    out: dict[str, pd.Series] = {}
    bad_any = np.zeros(n, dtype=bool)
    err_parts: list[pd.DataFrame] = []

    def add_errors(mask: np.ndarray, col: str, values: pd.Series, reason: str) -> None:
        if mask.any():
            idx = np.flatnonzero(mask)
            err_parts.append(pd.DataFrame({
                "row": lines[idx],
                "column": col,
                "value": values.iloc[idx].astype("str").to_numpy(dtype=object, na_value=""),
                "reason": reason,
            }))

    reasons = {"float": "not a number", "int": "not a number", "datetime": "not a date", "bool": "not yes/no"}
    for f in k.fields:
        col = mapping.get(f.name)
        if col is None:
            out[f.name] = _empty(f.type, n)
            continue
        fixed = fixed_value(col, columns)
        if fixed is not None:  # one value for every row (a one-platform export: channel = Facebook)
            s = pd.Series([fixed] * n, dtype=object)
            notes.append(f"{f.name} = '{fixed}' for every row (a fixed value, not a column)")
        else:
            s = src[col].reset_index(drop=True)
        if f.type == "str":
            vals, bad = parsing.parse_text(s)
            if f.name.endswith("_id") and not chunked:
                vals = _strip_float_ids(vals)
            elif f.name.endswith("_id"):
                want = applied.strip_ids.get(f.name)
                if f"id:{f.name}" not in applied.settled:
                    present = vals.dropna()
                    floaty = _all_float_ids(present)
                    facts.id(f.name, len(present), floaty)
                    if want is None:
                        want = applied.strip_ids[f.name] = bool(len(present)) and floaty
                if want:
                    vals = vals.str.replace(r"\.0+$", "", regex=True)
        elif f.type in ("float", "int"):
            vals, bad = parsing.parse_number(s)
            huge = (vals.abs() > MAX_ABS_NUMBER).to_numpy(dtype=bool, na_value=False)
            if huge.any():  # 1e308 is never an order, and two of them sum to inf
                add_errors(huge, col, s, f"beyond ±{MAX_ABS_NUMBER:.0e}: not a plausible {f.name}")
                bad_any |= huge
                vals = vals.mask(huge)
        elif f.type == "datetime" and chunked:
            vals, bad = parsing.parse_datetime(s)
            order = vals.attrs.get("dayfirst")
            day = month = None
            if order is not None:  # a/b/yyyy dates in this chunk
                want = applied.dayfirst.get(f.name)
                if want is None:
                    applied.dayfirst[f.name] = bool(order)
                elif bool(order) != want:
                    vals, bad = parsing.parse_datetime(s, dayfirst=want)
                day, month = _dayfirst_evidence(s)
            parsed = int(vals.notna().sum())
            examples = [] if parsed else s.dropna().astype("str").head(3).tolist()
            facts.date(f.name, col, parsed, examples, day, month)
        elif f.type == "datetime":
            vals, bad = parsing.parse_datetime(s)
            order = vals.attrs.get("dayfirst")
            if order is True:
                notes.append(f"{f.name}: dates in '{col}' read day first (day/month/year: a first part above 12)")
            elif order is False and vals.attrs.get("dayfirst_assumed"):
                notes.append(f"{f.name}: dates in '{col}' such as 01/02/2024 are ambiguous; read month first "
                             "(month/day/year)")
            present = int(vals.notna().sum())
            if present == 0:
                raise _no_dates(col, s.dropna().astype("str").head(3).tolist(), file)
        elif f.type == "bool":
            vals, bad = parsing.parse_bool(s)
        else:  # pragma: no cover - schema types are fixed
            vals, bad = parsing.parse_text(s)
        bad_np = bad.to_numpy(dtype=bool)
        add_errors(bad_np, col, s, reasons.get(f.type, "invalid value"))
        bad_any |= bad_np
        out[f.name] = vals.reset_index(drop=True)

    frame = pd.DataFrame(out)

    if k.name == "orders":
        has_amount = "amount" in mapping
        if not has_money(mapping):  # a quantity-only export: no amount is made up (zero is not "no money")
            notes.append("no amount or unit price mapped: this export has no money; sales, AOV and the other money "
                         "figures are not shown, units (quantity) stand in where a measure is needed")
        elif not has_amount:
            if "quantity" in mapping:
                frame["amount"] = frame["quantity"] * frame["unit_price"]
                notes.append("amount computed as quantity x unit_price")
            else:
                frame["amount"] = frame["unit_price"].copy()
                notes.append("amount taken from unit_price (no quantity column: each line one unit)")
        if "order_id" not in mapping:
            frame["order_id"] = _numbered("L", lines)
            notes.append("order_id generated per line (L + line number): each line is its own order"
                         + ("" if "customer_id" not in mapping else
                            " (two lines of one customer on one day count as two orders)"))
        ret = np.array((frame["quantity"] < 0).to_numpy(dtype=bool, na_value=False), dtype=bool, copy=True)
        # a negative amount, given or computed, is never a sale (gross sales hold no negative line)
        ret |= (frame["amount"] < 0).to_numpy(dtype=bool, na_value=False)
        if "order_id" in mapping:
            ret |= cancellation_ids(frame["order_id"])
        if "status" in mapping:
            st = frame["status"]
            ret |= (st.str.contains(RETURN_STATUS.pattern, regex=True)
                    & ~st.str.contains(_NOT_RETURN.pattern, regex=True)).to_numpy(dtype=bool, na_value=False)
        frame["is_return"] = ret
        if ret.any():
            notes.append(f"{int(ret.sum()):,} return / cancellation lines flagged (kept, not deleted)")
    if k.name == "customers" and "customer_id" in frame.columns:
        ids = frame["customer_id"].dropna()
        dup = int(ids.duplicated().sum())
        if dup:
            notes.append(f"customer_id: {dup:,} rows repeat an id already seen (a customers file holds one row per "
                         f"customer; the last row of an id is used): check that '{mapping.get('customer_id')}' is "
                         "the customer id")
    if k.name == "experiments" and "unit_id" not in mapping:
        frame["unit_id"] = _numbered("", np.arange(first_row + 1, first_row + n + 1))
        notes.append("unit_id generated (1..n): each row is one unit")

    if k.name == "audience":
        _check_audience(frame, mapping, src, n, bad_any, add_errors)

    # required values present
    for grp in k.required:
        fields = [g for g in grp if g in frame.columns]
        if k.name == "orders" and "quantity" in grp:  # money where the export has it, else the quantity
            fields = list(MONEY_FIELDS) if has_money(mapping) else ["quantity"]
        if not fields:
            continue
        absent = np.ones(n, dtype=bool)
        for g in fields:
            absent &= frame[g].isna().to_numpy(dtype=bool)
        absent &= ~bad_any  # already reported as unreadable
        if absent.any():
            col = next((mapping[g] for g in fields if g in mapping), grp[0])
            src_col = src[col].reset_index(drop=True) if col in src.columns else pd.Series([""] * n)
            add_errors(absent, col, src_col, f"missing value for required field {' / '.join(fields)}")
            bad_any |= absent

    # attributes: every source column not mapped
    used = set(mapping.values())
    taken = set(frame.columns)
    attrs: dict[str, pd.Series] = {}
    for c in columns:
        if c in used:
            continue
        name = attr_column(c)
        base, i = name, 2
        while name in taken:
            name, i = f"{base}_{i}", i + 1
        taken.add(name)
        col_values = src[c].reset_index(drop=True)
        attrs[name] = _attr_chunk(col_values, c, applied, facts) if chunked else _attr_values(col_values)
    if attrs:  # one concat, not one insert per column (10,000 inserts took minutes)
        frame = pd.concat([frame, pd.DataFrame(attrs, index=frame.index)], axis=1)

    for f in k.fields:
        if f.type == "int":
            frame[f.name] = frame[f.name].astype("float64")
    if raw.dropped_totals:
        notes.append(f"dropped {len(raw.dropped_totals)} totals row(s) at line(s) "
                     f"{', '.join(map(str, raw.dropped_totals))}")
    if raw.skipped_top:
        notes.append(f"skipped {raw.skipped_top} title row(s) above the header")
    errors = (pd.concat(err_parts, ignore_index=True).sort_values(["row", "column"], kind="stable")
              .reset_index(drop=True) if err_parts else
              pd.DataFrame({"row": pd.Series([], dtype="int64"), "column": pd.Series([], dtype="str"),
                            "value": pd.Series([], dtype="str"), "reason": pd.Series([], dtype="str")}))
    if len(errors):
        errors["column"] = errors["column"].astype("str")
        errors["value"] = errors["value"].astype("str")
        errors["reason"] = errors["reason"].astype("str")
    return Converted(frame=frame, errors=errors, bad_rows=bad_any, notes=notes, line_numbers=lines,
                     mapping=dict(mapping), kind=k.name, source_name=source_name,
                     choices=applied if chunked else None, facts=facts if chunked else None)


def _check_audience(frame: pd.DataFrame, mapping: dict[str, str], src: pd.DataFrame, n: int, bad_any: np.ndarray,
                    add_errors) -> None:
    """Rows of an audience export that analytics could not read: a stage name of neither model (AIPL,
    O-5A), a flow row without its other stage or its people, a negative number of people. Marks them in
    ``bad_any``."""
    def source(col: str) -> pd.Series:
        return src[col].reset_index(drop=True) if col in src.columns else pd.Series([""] * n)

    for name in ("stage", "from_stage", "to_stage"):
        if name not in mapping:
            continue
        vals = frame[name]
        known = {v: stage_code(v) is not None for v in vals.dropna().unique()}
        unknown = np.array([v in known and not known[v] for v in vals.tolist()], dtype=bool) & ~bad_any
        if unknown.any():
            add_errors(unknown, mapping[name], source(mapping[name]),
                       f"unknown audience stage (accepted: {stage_names_help()})")
            bad_any |= unknown
    if "from_stage" in mapping:
        has_from = frame["from_stage"].notna().to_numpy(dtype=bool)
        for other in ("to_stage", "flow"):
            absent = frame[other].isna().to_numpy(dtype=bool) if other in mapping else np.ones(n, dtype=bool)
            lack = has_from & absent & ~bad_any
            if lack.any():
                col = mapping.get(other, mapping["from_stage"])
                add_errors(lack, col, source(col),
                           f"a flow row (from_stage given) needs {other}")
                bad_any |= lack
    for name in ("people", "flow"):
        if name in mapping:
            neg = (frame[name] < 0).to_numpy(dtype=bool, na_value=False) & ~bad_any
            if neg.any():
                add_errors(neg, mapping[name], source(mapping[name]), "negative number of people")
                bad_any |= neg
