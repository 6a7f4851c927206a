"""Exports cannot smuggle formulas into a spreadsheet (CSV injection)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from components.export import neutralise_cell, to_csv_bytes, to_excel_bytes


def test_dangerous_text_cells_are_prefixed():
    df = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "ok", None],
                       "amount": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(df).decode("utf-8-sig"))))
    names = [r[0] for r in rows[1:]]
    assert names[:5] == ["'=HYPERLINK(\"http://x\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tcmd"]
    assert names[5:] == ["ok", ""]
    assert rows[1][1] == "-5.0"  # numbers stay numbers


def test_excel_export_is_neutralised_too():
    df = pd.DataFrame({"=evil": ["=1+1", "fine"]})
    wb = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(df)))
    ws = wb.active
    assert ws["A1"].value == "'=evil"
    assert ws["A2"].value == "'=1+1" and ws["A2"].data_type == "s"
    assert ws["A3"].value == "fine"


def test_text_in_any_dtype_is_neutralised_and_numbers_dates_are_not():
    df = pd.DataFrame({"cat": pd.Categorical(["=1+1", "ok"]), "arrow": pd.array(["@SUM(A1)", "x"], dtype="string[pyarrow]"),
                       "s": pd.Series(["+1", None], dtype="str"), "n": [-1, 2], "b": [True, False],
                       "d": pd.to_datetime(["2026-01-01", "2026-01-02"])})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(df).decode("utf-8-sig"))))
    assert rows[1][:3] == ["'=1+1", "'@SUM(A1)", "'+1"] and rows[1][3:5] == ["-1", "True"]
    assert rows[1][5].startswith("2026-01-01")
    ws = openpyxl.load_workbook(io.BytesIO(to_excel_bytes(df))).active
    assert ws["A2"].value == "'=1+1" and ws["A2"].data_type == "s"  # not a formula cell
    assert ws["B2"].value == "'@SUM(A1)" and ws["D2"].value == -1


@given(st.text())
def test_no_exported_text_cell_starts_with_a_formula_character(s):
    out = neutralise_cell(s)
    assert not str(out).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert str(out).endswith(s) or s == ""


def test_records_frame_writes_nested_values_as_text_and_keeps_the_other_columns():
    from components.export import records_frame

    rows = [{"name": "=x", "tags": ["a", "b"], "meta": {"k": 1}, "n": 3, "share": 0.25, "when": pd.Timestamp("2026-01-02")},
            {"name": "y", "tags": None, "meta": None, "n": 4, "share": None, "when": None}]
    df = records_frame(rows)
    assert df["tags"].tolist()[0] == "['a', 'b']" and pd.isna(df["tags"].tolist()[1])
    assert df["meta"].tolist()[0] == "{'k': 1}"
    assert df["name"].tolist() == ["=x", "y"]
    assert df["n"].tolist() == [3, 4] and pd.api.types.is_integer_dtype(df["n"])
    assert df["share"].tolist()[0] == 0.25 and pd.isna(df["share"].tolist()[1])
    assert pd.api.types.is_datetime64_any_dtype(df["when"])
