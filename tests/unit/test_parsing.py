"""Value parsers: examples, day/month order, speed, and properties (hypothesis)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.parsing import infer_dayfirst, parse_bool, parse_datetime, parse_number, parse_text


def one_number(text):
    vals, bad = parse_number(pd.Series([text], dtype="str"))
    return vals.iloc[0], bool(bad.iloc[0])


def one_date(text, **kw):
    vals, bad = parse_datetime(pd.Series([text], dtype="str"), **kw)
    return vals.iloc[0], bool(bad.iloc[0])


# ------------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1234.5", 1234.5),
        ("-5", -5.0),
        ("+4", 4.0),
        ("¥1,234.50", 1234.5),
        ("￥1,234.50", 1234.5),
        ("$1,234", 1234.0),
        ("1,234,567.891", 1234567.891),
        ("1.2万", 12000.0),
        ("3亿", 300000000.0),
        ("2.5千", 2500.0),
        ("1.5w", 15000.0),
        ("2k", 2000.0),
        ("(1,234)", -1234.0),
        ("（1,234）", -1234.0),
        ("-¥12.30", -12.3),
        ("¥-12.30", -12.3),
        ("5-", -5.0),
        ("12.5%", 0.125),
        ("-3%", -0.03),
        ("5‰", 0.005),
        ("１２３．５", 123.5),
        ("１，２３４", 1234.0),
        ("1 234,5", 1234.5),
        ("1.234,56", 1234.56),
        ("12,5", 12.5),
        ("RMB 10元", 10.0),
        ("100 元", 100.0),
        ("USD 7.99", 7.99),
        ("€3", 3.0),
        ("£40.00", 40.0),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("  7  ", 7.0),
        ("1\u00a0000", 1000.0),
    ],
)
def test_parse_number_examples(text, expected):
    value, bad = one_number(text)
    assert not bad
    assert value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text", ["", "   ", "-", "--", "N/A", "null", "nan", "NaN", "无", None])
def test_parse_number_blank_is_missing_not_bad(text):
    value, bad = one_number(text)
    assert math.isnan(value) and not bad


@pytest.mark.parametrize("text", ["abc", "1.2.3.4x", "inf", "12abc", "¥", "1,2,3", "(5", "万", "--5--", "1e999"])
def test_parse_number_bad(text):
    value, bad = one_number(text)
    assert math.isnan(value) and bad


def test_parse_number_mixed_column_keeps_index_and_dtype():
    s = pd.Series(["1", "¥2", None, "x", "3%"], index=[10, 11, 12, 13, 14], dtype="str")
    vals, bad = parse_number(s)
    assert vals.dtype == "float64" and bad.dtype == bool
    assert list(vals.index) == [10, 11, 12, 13, 14]
    assert vals.tolist()[:2] == [1.0, 2.0] and math.isnan(vals[12]) and vals[14] == pytest.approx(0.03)
    assert bad.tolist() == [False, False, False, True, False]


def test_parse_number_object_and_numeric_input():
    vals, bad = parse_number(pd.Series([1, 2.5, None], dtype=object))
    assert vals.tolist()[:2] == [1.0, 2.5] and not bad.any()


def test_parse_number_million_plain_values():
    rng = np.random.default_rng(1)
    x = np.round(rng.random(1_000_000) * 1000, 2)
    s = pd.Series(x.astype(str), dtype="str")
    vals, bad = parse_number(s)
    assert not bad.any()
    np.testing.assert_array_equal(vals.to_numpy(), x)


# ------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-06-18", "2024-06-18"),
        ("2024-06-18 13:05:09", "2024-06-18 13:05:09"),
        ("2024-06-18T13:05:09", "2024-06-18 13:05:09"),
        ("2024-06-18T13:05:09.250", "2024-06-18 13:05:09.250"),
        ("2024-06-18T13:05:00Z", "2024-06-18 13:05"),
        ("2024-06-18 13:05:00+08:00", "2024-06-18 13:05"),
        ("2024/6/18", "2024-06-18"),
        ("2024/06/18 08:26", "2024-06-18 08:26"),
        ("2024.6.18", "2024-06-18"),
        ("2024-6-18 13:05", "2024-06-18 13:05"),
        ("2024年6月18日", "2024-06-18"),
        ("2024年06月18日 13:05", "2024-06-18 13:05"),
        ("2024年6月18日 13时5分", "2024-06-18 13:05"),
        ("2024年6月", "2024-06-01"),
        ("2024-06", "2024-06-01"),
        ("20240618", "2024-06-18"),
        ("45461", "2024-06-18"),
        ("45461.5", "2024-06-18 12:00"),
        ("1718668800", "2024-06-18"),
        ("1718668800000", "2024-06-18"),
        ("1718668800.5", "2024-06-18 00:00:00.500"),
        ("18/06/2024", "2024-06-18"),
        ("06/18/2024", "2024-06-18"),
        ("6/18/24", "2024-06-18"),
        ("18 Jun 2024", "2024-06-18"),
        ("June 18, 2024", "2024-06-18"),
        ("6/18/2024 1:05 PM", "2024-06-18 13:05"),
        ("6/18/2024 12:05 AM", "2024-06-18 00:05"),
        ("2024-02-29", "2024-02-29"),
    ],
)
def test_parse_datetime_examples(text, expected):
    value, bad = one_date(text)
    assert not bad
    assert value == pd.Timestamp(expected)


@pytest.mark.parametrize(
    "text",
    ["foo", "5", "123", "2024-02-30", "2023-02-29", "2024-13-01", "2024-06-31", "32/01/2024", "1850-01-01",
     "2024-06-18 25:00", "99999999", "6月18日", "13/13/2024"],
)
def test_parse_datetime_bad(text):
    value, bad = one_date(text)
    assert pd.isna(value) and bad


def test_parse_datetime_fast_path_refuses_rolled_over_days():
    # one column read by the vectorised strptime pass (the first cell's format): pyarrow rolls 02-30 over to
    # 03-01, so a cell that lands on day 1..3 is kept only when its text names that day
    cells = ["2024-06-18 10:00:00", "2024-02-30 10:00:00", "2024-03-01 10:00:00", "2023-02-29 00:00:00",
             "2024-04-31 23:59:59", "2024-1-2 08:00:00", "2024-05-03 00:00:00", "2024/02/31 00:00:00", ""]
    vals, bad = parse_datetime(pd.Series(cells, dtype="str"))
    assert bad.tolist() == [False, True, False, True, True, False, False, True, False]
    assert vals.tolist()[:3:2] == [pd.Timestamp("2024-06-18 10:00"), pd.Timestamp("2024-03-01 10:00")]
    assert vals[5] == pd.Timestamp("2024-01-02 08:00") and vals[6] == pd.Timestamp("2024-05-03")
    assert vals[[1, 3, 4, 7, 8]].isna().all()


def test_parse_datetime_blank_is_missing_not_bad():
    vals, bad = parse_datetime(pd.Series(["", None, "  ", "-", "2024-01-01"], dtype="str"))
    assert vals.isna().tolist() == [True, True, True, True, False]
    assert not bad.any()
    assert vals.dtype == "datetime64[ns]"


def test_day_first_decided_from_the_data():
    # one first part above 12 -> the whole column is day first
    s = pd.Series(["01/02/2024", "03/04/2024", "13/04/2024"], dtype="str")
    vals, bad = parse_datetime(s)
    assert not bad.any()
    assert vals.tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-04-03"), pd.Timestamp("2024-04-13")]
    assert vals.attrs["dayfirst"] is True and infer_dayfirst(s) is True


def test_month_first_decided_from_the_data():
    s = pd.Series(["01/02/2024", "03/04/2024", "04/13/2024"], dtype="str")
    vals, bad = parse_datetime(s)
    assert not bad.any()
    assert vals.tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-03-04"), pd.Timestamp("2024-04-13")]
    assert vals.attrs["dayfirst"] is False and infer_dayfirst(s) is False


def test_ambiguous_day_month_reads_month_first_and_says_so():
    s = pd.Series(["01/02/2024", "03/04/2024"], dtype="str")
    vals, _ = parse_datetime(s)
    assert vals.tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-03-04")]
    assert vals.attrs["dayfirst_assumed"] is True and infer_dayfirst(s) is None
    forced, _ = parse_datetime(s, dayfirst=True)
    assert forced.tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-04-03")]


def test_conflicting_day_month_majority_wins_rest_bad():
    s = pd.Series(["13/01/2024", "14/01/2024", "01/13/2024"], dtype="str")
    vals, bad = parse_datetime(s)
    assert bad.tolist() == [False, False, True]
    assert vals.iloc[0] == pd.Timestamp("2024-01-13")


def test_parse_datetime_mixed_formats_in_one_column():
    s = pd.Series(["2024-06-18 10:00:00", "2024年6月19日", "20240620", "45464", "bad"], dtype="str")
    vals, bad = parse_datetime(s)
    assert vals.iloc[:4].dt.day.tolist() == [18, 19, 20, 21]
    assert bad.tolist() == [False, False, False, False, True]


def test_parse_datetime_million_iso():
    ts = pd.date_range("2020-01-01", periods=1_000_000, freq="min")
    s = pd.Series(ts.strftime("%Y-%m-%d %H:%M:%S"), dtype="str")
    vals, bad = parse_datetime(s)
    assert not bad.any()
    np.testing.assert_array_equal(vals.to_numpy(), ts.to_numpy().astype("datetime64[ns]"))


# ------------------------------------------------------------------------------------------- bool / text


@pytest.mark.parametrize(
    "text, expected",
    [("是", True), ("否", False), ("Y", True), ("n", False), ("yes", True), ("No", False), ("TRUE", True),
     ("false", False), ("1", True), ("0", False), ("1.0", True), ("0.0", False), ("T", True), ("f", False),
     ("对", True), ("错", False), ("on", True), ("off", False), ("✓", True), ("×", False), ("ｙｅｓ", True)],
)
def test_parse_bool_examples(text, expected):
    vals, bad = parse_bool(pd.Series([text], dtype="str"))
    assert vals.iloc[0] is np.True_ or vals.iloc[0] is np.False_ or isinstance(vals.iloc[0], (bool, np.bool_))
    assert bool(vals.iloc[0]) is expected and not bad.iloc[0]


@pytest.mark.parametrize("text, bad_expected", [("maybe", True), ("2", True), ("", False), (None, False)])
def test_parse_bool_unknown_and_blank(text, bad_expected):
    vals, bad = parse_bool(pd.Series([text], dtype="str"))
    assert pd.isna(vals.iloc[0]) and bool(bad.iloc[0]) is bad_expected
    assert str(vals.dtype) == "boolean"


def test_parse_text_strips_and_blanks():
    vals, bad = parse_text(pd.Series(["  a ", "", "   ", None, "b"], dtype="str"))
    assert vals.iloc[0] == "a" and vals.iloc[4] == "b"
    assert vals.isna().tolist() == [False, True, True, True, False]
    assert not bad.any()


# ------------------------------------------------------------------------------------------- properties

texts = st.lists(st.one_of(st.none(), st.text(max_size=30)), max_size=40)
_settings = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(texts)
def test_property_parsers_never_raise_and_stay_aligned(values):
    s = pd.Series(values, dtype=object)
    for parser in (parse_number, parse_datetime, parse_bool, parse_text):
        vals, bad = parser(s)
        assert len(vals) == len(s) == len(bad)
        assert bad.dtype == bool
        # a bad cell has no value; a cell with a value is not bad
        assert not (bad.to_numpy() & vals.notna().to_numpy()).any()


@_settings
@given(st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=1, max_size=30),
       st.sampled_from(["{:,.2f}", "¥{:,.2f}", "{:.2f}", "$ {:,.2f}", "{:.2f}元"]))
def test_property_formatted_numbers_round_trip(xs, fmt):
    texts_ = []
    for x in xs:
        body = fmt.format(abs(x))
        texts_.append(("-" + body) if x < 0 else body)
    vals, bad = parse_number(pd.Series(texts_, dtype="str"))
    assert not bad.any(), texts_
    # the oracle is the written text's own value (Python's formatting, not numpy's half-even rounding:
    # f"{0.005:.2f}" is "0.01" while np.round(0.005, 2) is 0.0)
    expected = [float(f"{abs(x):.2f}") * (-1 if x < 0 else 1) for x in xs]
    np.testing.assert_allclose(vals.to_numpy(), expected, rtol=0, atol=1e-6)


@_settings
@given(st.lists(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31)), min_size=1,
                max_size=30),
       st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y年%m月%d日 %H:%M", "%Y%m%d", "%Y-%m-%dT%H:%M:%S"]))
def test_property_formatted_dates_round_trip(dts, fmt):
    texts_ = [d.strftime(fmt) for d in dts]
    vals, bad = parse_datetime(pd.Series(texts_, dtype="str"))
    assert not bad.any(), texts_
    expected = [pd.Timestamp(datetime.strptime(t, fmt)) for t in texts_]
    assert vals.tolist() == expected


@_settings
@given(st.lists(st.dates(min_value=datetime(1990, 1, 1).date(), max_value=datetime(2090, 1, 1).date()),
                min_size=1, max_size=20))
def test_property_excel_serials(ds):
    serials = [str((d - datetime(1899, 12, 30).date()).days) for d in ds]
    vals, bad = parse_datetime(pd.Series(serials, dtype="str"))
    assert not bad.any()
    assert vals.tolist() == [pd.Timestamp(d) for d in ds]


def test_unix_seconds_and_millis_agree():
    base = datetime(2021, 3, 4, 5, 6, 7)
    secs = int((base - datetime(1970, 1, 1)) / timedelta(seconds=1))
    vals, bad = parse_datetime(pd.Series([str(secs), str(secs * 1000)], dtype="str"))
    assert not bad.any() and vals.tolist() == [pd.Timestamp(base)] * 2


@pytest.mark.parametrize("cells", [
    ["a", "b c", None, "x"], ["a ", " b"], ["", "a"], [None, None], ["a", "\u3000b"], ["b\u00a0"], ["é", "ü"],
    ["a\t", "b"], ["x\r"], [], ["x"] * 3, ["  "],
])
def test_text_kept_without_a_copy_equals_stripped_text(cells):
    # parse_text skips strip() when every cell's first and last byte say it would change nothing: same result
    from data.parsing import _strip, parse_text

    s = pd.Series(cells, dtype="str")
    for t in (s, s.iloc[1:], pd.concat([s, pd.Series(["q", None], dtype="str")], ignore_index=True)):
        want = t.str.strip()
        assert _strip(t).tolist() == want.tolist()
        got, bad = parse_text(t)
        assert got.tolist() == want.where(want.str.len() > 0).tolist() and not bad.any()
        assert str(got.dtype) == str(want.dtype)
