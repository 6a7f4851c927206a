"""Safe exports: CSV and Excel whose cells cannot run as formulas (CSV injection), without Streamlit."""

from __future__ import annotations

import io

import pandas as pd

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(v: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe.

    Numbers stay numbers (a negative number is data, not a formula); only text starting with
    =, +, -, @, tab or carriage return is changed.
    """
    if isinstance(v, str) and v.startswith(DANGEROUS):
        return "'" + v
    return v


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose headers and text cells are :func:`neutralise_cell`-ed; a column of numbers,
    booleans or dates is kept as it is. Text in any dtype counts: object, "str" / "string" (also Arrow's),
    and categories (openpyxl writes a categorical "=1+1" as a formula)."""
    out = df.copy()
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)
                or pd.api.types.is_datetime64_any_dtype(col) or pd.api.types.is_timedelta64_dtype(col)):
            out.isetitem(i, col.astype(object).map(neutralise_cell))
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel opens Chinese text correctly."""
    return neutralise(df).to_csv(index=False).encode("utf-8-sig")


def to_excel_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        neutralise(df).to_excel(xw, index=False, sheet_name=sheet[:31])
    return buf.getvalue()


def records_frame(rows: list[dict]) -> pd.DataFrame:
    """A result table (list of records) as a DataFrame; nested values become JSON-ish text."""
    df = pd.DataFrame.from_records(rows)
    for c in df.columns:
        if df[c].dtype != object:  # numbers, text (Arrow strings), dates: no dict or list in them
            continue
        if df[c].map(lambda v: isinstance(v, (dict, list))).any():
            df[c] = df[c].map(lambda v: str(v) if isinstance(v, (dict, list)) else v)
    return df
