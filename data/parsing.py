"""Vectorised value parsers: a text Series in, a typed Series plus a "bad" mask out.

Every parser takes a Series of text (missing = None/NaN) and returns ``(values, bad)`` aligned on the
input index. ``bad`` is True where a non-blank cell could not be read; blank cells (empty, whitespace,
``-``, ``--``, ``N/A``, ``null``, ``nan``, ``无``) are missing, not bad. Parsers never raise on odd
input.

Speed: each parser first tries a fast vectorised path on the whole column (pyarrow cast / strptime);
only the cells that fail it go through the slower, more forgiving rules, which work per distinct value
(``pd.factorize``) or with pyarrow regular expressions.

- :func:`parse_number`: ``¥1,234.50``, ``$1,234``, ``1.2万``, ``3亿``, ``2k``, ``(1,234)`` -> -1234,
  ``12.5%`` -> 0.125, ``5‰``, full-width digits, ``1.234,56`` and ``1 234,5`` (decimal comma),
  trailing minus ``5-``, currency words (元, RMB, CNY, USD, ...). ``1,234`` is one thousand two hundred
  and thirty-four (comma followed by three digits = thousands separator).
- :func:`parse_datetime`: ISO (``2024-06-18``, ``2024-06-18T13:05:00``; a ``Z``/``+08:00`` suffix is
  dropped and the wall-clock time kept: frames hold naive local time), ``2024/6/18``, ``2024.6.18``,
  ``2024-6-18 13:05``, ``2024年6月18日 13时5分``, ``2024年6月`` / ``2024-06`` (first of the month),
  ``20240618``, ``18/06/2024`` and ``06/18/2024``, ``18 Jun 2024`` / ``Jun 18, 2024``, Excel serial
  numbers 20000..80000 (1954..2119; fractions are times of day), Unix timestamps in seconds
  (1e8..4.2e9) and milliseconds (1e11..4.2e12). Years outside 1900..2100 are bad.
  Day-first vs month-first (``a/b/yyyy``): decided from the whole column by :func:`infer_dayfirst`:
  a first part > 12 means day-first, a second part > 12 means month-first; when both occur the
  majority wins and the other cells are bad; when the column never says (all parts <= 12) we read
  **month-first** (the US convention that pandas, Excel exports in the US and the Online Retail
  original use; Chinese exports write year first and are not affected). Callers may force it with
  ``dayfirst=True/False``. The decision is reported in ``values.attrs["dayfirst"]`` (None when no
  such dates) and ``values.attrs["dayfirst_assumed"]`` (True when the month-first default was used).
- :func:`parse_bool`: 是/否, 对/错, 真/假, 有/没有, Y/N, yes/no, true/false, T/F, 1/0, 1.0/0.0, on/off, ✓/✗.
- :func:`parse_text`: strip; blank -> missing.
"""

from __future__ import annotations

import re
import unicodedata
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "MISSING_TOKENS",
    "parse_number",
    "parse_datetime",
    "parse_bool",
    "parse_text",
    "infer_dayfirst",
    "number_share",
    "datetime_share",
]

# Cells that mean "no value" (compared after strip + casefold).
MISSING_TOKENS = frozenset(
    {"", "-", "--", "---", "—", "——", "n/a", "na", "nan", "null", "none", "nil", "#n/a", "无", "空", "/"}
)

_NS_MIN = pd.Timestamp("1900-01-01")
_NS_MAX = pd.Timestamp("2100-12-31 23:59:59")


# ---------------------------------------------------------------------------------------------------
# helpers


def _as_text(s: pd.Series) -> pd.Series:
    """Any Series -> pandas ``str`` dtype (pyarrow-backed), missing kept missing."""
    if not isinstance(s, pd.Series):
        s = pd.Series(s)
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        return s
    try:
        return s.astype("str")
    except (TypeError, ValueError):
        return s.map(lambda v: None if v is None or (isinstance(v, float) and v != v) else str(v)).astype("str")


def _arrow(s: pd.Series) -> pa.ChunkedArray | pa.Array:
    arr = s.array
    data = getattr(arr, "_pa_array", None)
    if data is not None:
        return data
    return pa.array(s.to_numpy(dtype=object, na_value=None), type=pa.string())




def _trimmed_already(t: pd.Series) -> bool:
    """True when ``t.str.strip()`` would change no cell and no cell is the empty string (missing cells
    aside): decided from each cell's first and last byte in Arrow's buffers, without the copy strip makes
    of the whole column (most export columns: ids, dates, numbers, names)."""
    data = getattr(t.array, "_pa_array", None)
    if data is None:
        return False
    for c in (data.chunks if isinstance(data, pa.ChunkedArray) else [data]):
        if c.type not in (pa.string(), pa.large_string()):
            return False
        if not len(c):
            continue
        _, off_buf, data_buf = c.buffers()
        offsets = np.frombuffer(off_buf, dtype=np.int32 if c.type == pa.string() else np.int64)
        offsets = offsets[c.offset: c.offset + len(c) + 1]
        starts, ends = offsets[:-1], offsets[1:]
        full = ends > starts
        if c.null_count:
            valid = np.asarray(c.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
            if (valid & ~full).any():  # an empty string
                return False
            starts, ends = starts[full], ends[full]
        elif not full.all():
            return False
        if not len(starts):
            continue
        body = np.frombuffer(data_buf, dtype=np.uint8)
        # a first or last byte that may be space: ASCII controls and space (< 33), DEL, and any byte of a
        # multi-byte character (>= 128: U+3000, U+00A0 ... are whitespace too); (b - 33) mod 256 >= 94
        if ((body[starts] - np.uint8(33)) >= 94).any() or ((body[ends - 1] - np.uint8(33)) >= 94).any():
            return False
    return True


def _strip(t: pd.Series) -> pd.Series:
    """``t.str.strip()`` (``t`` text), ``t`` itself when that would change nothing."""
    return t if _trimmed_already(t) else t.str.strip()


def _stripped(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(stripped text, missing mask)."""
    t = _strip(_as_text(s))
    low = t.str.lower()
    missing = (t.isna() | low.isin(MISSING_TOKENS)).to_numpy(dtype=bool)
    return t, missing


def _by_unique(values: pd.Series, func) -> pd.Series:
    """Apply a scalar function once per distinct value; returns an object Series aligned on values."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(uniques):
        try:
            mapped[i] = func(u)
        except (ValueError, OverflowError, ArithmeticError, TypeError):
            mapped[i] = None
    mapped[-1] = None
    return pd.Series(mapped[codes], index=values.index, dtype=object)


# ---------------------------------------------------------------------------------------------------
# numbers

_MULTIPLIERS = {
    "亿": 1e8,
    "千万": 1e7,
    "百万": 1e6,
    "万": 1e4,
    "千": 1e3,
    "百": 1e2,
    "w": 1e4,
    "k": 1e3,
    "mn": 1e6,
    "m": 1e6,
    "bn": 1e9,
    "b": 1e9,
}
_CURRENCY = re.compile(
    r"(?i)(人民币|rmb|cny|usd|us\$|hk\$|hkd|eur|gbp|jpy|元|圆|块|円|¥|\$|€|£|￥|₩|₹)"
)
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")
_EURO = re.compile(r"^\d{1,3}(\.\d{3})+(,\d*)?$|^\d+,\d{1,2}$|^\d+,\d{4,}$")


def _number_scalar(text: str) -> float | None:
    t = unicodedata.normalize("NFKC", text).strip().casefold()
    t = t.replace("\u2212", "-").replace("\u2012", "-").replace("\u2013", "-")
    neg = False
    if len(t) >= 2 and t[0] == "(" and t[-1] == ")":
        neg, t = True, t[1:-1].strip()
    t = _CURRENCY.sub("", t)
    t = re.sub(r"[\s\u00a0\u202f'_]", "", t)
    if t.startswith("+"):
        t = t[1:]
    if t.startswith("-"):
        neg, t = not neg, t[1:]
    elif t.endswith("-") and len(t) > 1:  # accounting trailing minus "5-"
        neg, t = not neg, t[:-1]
    if len(t) >= 2 and t[0] == "(" and t[-1] == ")":
        neg, t = not neg, t[1:-1]
    scale = 1.0
    if t.endswith("%"):
        scale, t = 0.01, t[:-1]
    elif t.endswith("‰"):
        scale, t = 0.001, t[:-1]
    else:
        for suffix, mult in _MULTIPLIERS.items():
            if t.endswith(suffix) and len(t) > len(suffix):
                scale, t = mult, t[: -len(suffix)]
                break
    if not t:
        return None
    if "," in t:
        if _THOUSANDS.match(t):
            t = t.replace(",", "")
        elif _EURO.match(t):
            t = t.replace(".", "").replace(",", ".")
        else:
            return None
    elif t.count(".") > 1 and re.fullmatch(r"\d{1,3}(\.\d{3})+", t):
        t = t.replace(".", "")
    if not _PLAIN.match(t):
        return None
    v = float(t) * scale
    if not np.isfinite(v):
        return None
    return -v if neg else v


_PLAIN_RE2 = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def _coerce_float(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Plain decimal strings -> float; anything else -> NaN (vectorised, never raises)."""
    ok = pc.fill_null(pc.match_substring_regex(arr, pattern=_PLAIN_RE2), False)
    vals = pc.cast(pc.if_else(ok, arr, pa.scalar(None, arr.type)), pa.float64())
    out = np.array(vals.to_numpy(zero_copy_only=False), dtype=float)
    out[~np.isfinite(out)] = np.nan
    return out


def parse_number(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text -> float64. Returns (values, bad). See the module docstring for accepted forms.

    Parameters
    ----------
    s : pd.Series
        Text cells.

    Returns
    -------
    tuple[pd.Series, pd.Series]
        The numbers (NaN where missing or bad) and the bad cells.
    """
    t, missing = _stripped(s)
    n = len(t)
    out = np.full(n, np.nan)
    todo = ~missing
    if todo.any():
        arr = _arrow(t)
        try:  # fast path: every present value is a plain number
            vals = pc.cast(pc.if_else(pa.array(missing), None, arr), pa.float64()).to_numpy(zero_copy_only=False)
            vals = np.asarray(vals, dtype=float)
            ok = todo & np.isfinite(vals)
            out[ok] = vals[ok]
            todo = todo & ~ok
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            vals = _coerce_float(arr)
            ok = todo & np.isfinite(vals)
            out[ok] = vals[ok]
            todo = todo & ~ok
    digitless = np.zeros(n, dtype=bool)
    if todo.any():  # a cell without any digit is no number: skip the slower paths for it (text columns)
        has_digit = pc.match_substring_regex(_arrow(t), pattern=r"\p{Nd}")
        digitless = todo & ~np.asarray(pc.fill_null(has_digit, False).to_numpy(zero_copy_only=False), dtype=bool)
        todo = todo & ~digitless
    if todo.any():  # middle path, vectorised: currency signs, spaces, thousands commas
        idx = np.flatnonzero(todo)
        a = pc.utf8_normalize(_arrow(t.iloc[idx]), form="NFKC")
        a = pc.replace_substring_regex(a, pattern=_CURRENCY.pattern, replacement="")
        a = pc.replace_substring_regex(a, pattern=r"[\s\x{00a0}\x{202f}]", replacement="")
        thousands = pc.match_substring_regex(a, pattern=r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
        a = pc.if_else(thousands, pc.replace_substring(a, pattern=",", replacement=""), a)
        vals = _coerce_float(a)
        ok = np.isfinite(vals)
        out[idx[ok]] = vals[ok]
        todo[idx[ok]] = False
    if todo.any():
        idx = np.flatnonzero(todo)
        slow = _by_unique(t.iloc[idx], _number_scalar).to_numpy()
        got = np.array([np.nan if v is None else v for v in slow], dtype=float)
        out[idx] = got
        todo[idx] = np.isnan(got)
    return pd.Series(out, index=t.index, dtype="float64"), pd.Series(todo | digitless, index=t.index, dtype=bool)


def number_share(s: pd.Series) -> float:
    """Share of non-blank cells that parse as numbers (1.0 for an all-blank column).

    Parameters
    ----------
    s : pd.Series
        Text cells.

    Returns
    -------
    float
        The share.
    """
    vals, bad = parse_number(s)
    present = int(vals.notna().sum() + bad.sum())
    return 1.0 if present == 0 else float(vals.notna().sum()) / present


# ---------------------------------------------------------------------------------------------------
# dates

_ISO_FORMATS = (
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}:\d{2}$"), "%Y-%m-%d %H:%M:%S"),
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2}T\d{1,2}:\d{2}:\d{2}$"), "%Y-%m-%dT%H:%M:%S"),
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}$"), "%Y-%m-%d %H:%M"),
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}:\d{2}$"), "%Y/%m/%d %H:%M:%S"),
    (re.compile(r"^\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}$"), "%Y/%m/%d %H:%M"),
    (re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$"), "%Y/%m/%d"),
)

_ISO_DAY = r"^\d{4}[-/]\d{1,2}[-/](?P<day>\d{1,2})(?:\D|$)"  # the day of every _ISO_FORMATS form
_MONTH_WORD = re.compile(r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b")
_EXCEL_EPOCH = np.datetime64("1899-12-30", "ns")
_NS_PER_DAY = 86_400 * 10**9


def _normalise_dates(arr: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pc.all(pc.string_is_ascii(arr)).as_py():
        arr = pc.utf8_normalize(arr, form="NFKC")
        arr = pc.replace_substring_regex(arr, pattern=r"[年月]", replacement="-")
        arr = pc.replace_substring_regex(arr, pattern=r"[日号]", replacement=" ")
        arr = pc.replace_substring_regex(arr, pattern=r"[时点]", replacement=":")
        arr = pc.replace_substring(arr, pattern="分", replacement=":")
        arr = pc.replace_substring(arr, pattern="秒", replacement="")
    arr = pc.replace_substring(arr, pattern="/", replacement="-")
    arr = pc.replace_substring(arr, pattern=".", replacement="-", max_replacements=2)
    return pc.utf8_trim_whitespace(arr)


def _parts(t: pd.Series) -> pd.DataFrame:
    arr = _normalise_dates(_arrow(t))
    ex = pc.extract_regex(arr, pattern=(
        r"(?i)^(?P<a>\d{1,4})-(?P<b>\d{1,2})(?:-(?P<c>\d{1,4}))?-?"
        r"(?:(?:\s+|T)(?P<H>\d{1,2}):(?P<M>\d{1,2})(?::(?P<S>\d{1,2})(?:[-,.](?P<F>\d{1,9}))?)?:?)?"
        r"\s*(?P<P>am|pm|上午|下午)?\s*(?:z|utc|gmt|[+-]\d{2}:?\d{2})?$"
    ))
    if isinstance(ex, pa.ChunkedArray):
        ex = ex.combine_chunks()
    cols = {}
    for name in ("a", "b", "c", "H", "M", "S", "F", "P"):
        f = ex.field(name)
        f = pc.if_else(pc.equal(f, ""), None, f)
        cols[name] = f
    valid = pc.is_valid(ex).to_numpy(zero_copy_only=False)
    out = pd.DataFrame({"matched": valid}, index=t.index)
    for name in ("a", "b", "c", "H", "M", "S"):
        out[name] = pd.Series(pc.cast(cols[name], pa.float64()).to_numpy(zero_copy_only=False), index=t.index)
    frac = cols["F"]
    out["F"] = pd.Series(
        pc.cast(pc.utf8_slice_codeunits(pc.utf8_rpad(frac, width=9, padding="0"), 0, 9), pa.float64())
        .to_numpy(zero_copy_only=False),
        index=t.index,
    )
    pl = pc.utf8_lower(cols["P"])
    pm = pc.fill_null(pc.is_in(pl, value_set=pa.array(["pm", "下午"])), False)
    am = pc.fill_null(pc.is_in(pl, value_set=pa.array(["am", "上午"])), False)
    out["pm"] = pd.Series(pm.to_numpy(zero_copy_only=False), index=t.index, dtype=bool)
    out["am"] = pd.Series(am.to_numpy(zero_copy_only=False), index=t.index, dtype=bool)
    out["a_len"] = pd.Series(pc.utf8_length(cols["a"]).to_numpy(zero_copy_only=False), index=t.index)
    out["c_len"] = pd.Series(pc.utf8_length(cols["c"]).to_numpy(zero_copy_only=False), index=t.index)
    return out


def _dayfirst_from_parts(p: pd.DataFrame) -> bool | None:
    dmy = p["matched"] & p["c"].notna() & (p["a_len"] <= 2)
    if not dmy.any():
        return None
    a, b = p.loc[dmy, "a"], p.loc[dmy, "b"]
    day_ev = int(((a > 12) & (b <= 12)).sum())
    mon_ev = int(((b > 12) & (a <= 12)).sum())
    if day_ev == 0 and mon_ev == 0:
        return None
    return day_ev > mon_ev


def infer_dayfirst(s: pd.Series) -> bool | None:
    """For ``a/b/yyyy`` style dates: True (day first), False (month first) or None (undecidable or
    no such dates). A first part > 12 is evidence for day-first, a second part > 12 for month-first;
    with evidence both ways the majority of distinct values wins.

    Parameters
    ----------
    s : pd.Series
        Text cells.

    Returns
    -------
    bool | None
        True, False or None.
    """
    t, missing = _stripped(s)
    t = t[~missing]
    if t.empty:
        return None
    return _dayfirst_from_parts(_parts(pd.Series(pd.unique(t), dtype="str")))


def _assemble(year, month, day, hour=None, minute=None, second=None, nanos=None) -> np.ndarray:
    """Vectorised date assembly; invalid combinations -> NaT. Inputs are float arrays (NaN allowed)."""
    n = len(year)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    year, month, day = (np.asarray(x, dtype=float) for x in (year, month, day))
    z = np.zeros(n)
    hour = z if hour is None else np.nan_to_num(np.asarray(hour, dtype=float))
    minute = z if minute is None else np.nan_to_num(np.asarray(minute, dtype=float))
    second = z if second is None else np.nan_to_num(np.asarray(second, dtype=float))
    nanos = z if nanos is None else np.nan_to_num(np.asarray(nanos, dtype=float))
    ok = (
        np.isfinite(year) & np.isfinite(month) & np.isfinite(day)
        & (year >= 1900) & (year <= 2100) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
        & (hour >= 0) & (hour <= 23) & (minute >= 0) & (minute <= 59) & (second >= 0) & (second <= 60)
    )
    if not ok.any():
        return out
    y = year[ok].astype(np.int64)
    m = month[ok].astype(np.int64)
    d = day[ok].astype(np.int64)
    months = (y - 1970) * 12 + (m - 1)
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    nxt = (months + 1).astype("datetime64[M]").astype("datetime64[D]")
    dates = first + (d - 1).astype("timedelta64[D]")
    valid_day = dates < nxt
    ts = dates.astype("datetime64[ns]") + (
        (hour[ok] * 3600 + minute[ok] * 60 + second[ok]).astype(np.int64) * 10**9 + nanos[ok].astype(np.int64)
    ).astype("timedelta64[ns]")
    ts[~valid_day] = np.datetime64("NaT")
    out[np.flatnonzero(ok)] = ts
    return out


def _numeric_dates(vals: np.ndarray, texts: pd.Series) -> np.ndarray:
    """Digit-only cells: YYYYMMDD, Excel serials, Unix seconds / milliseconds."""
    n = len(vals)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    lengths = texts.str.len().to_numpy(dtype=float, na_value=np.nan)
    integral = np.isfinite(vals) & (np.floor(vals) == vals)
    ymd = integral & (lengths == 8) & (vals >= 19000101) & (vals <= 21001231)
    if ymd.any():
        v = vals[ymd]
        out[ymd] = _assemble(v // 10000, (v // 100) % 100, v % 100)
    excel = ~ymd & (vals >= 20000) & (vals <= 80000)
    if excel.any():
        ns = np.round(vals[excel] * _NS_PER_DAY).astype(np.int64)
        out[excel] = _EXCEL_EPOCH + ns.astype("timedelta64[ns]")
    secs = ~ymd & (vals >= 1e8) & (vals <= 4.2e9)
    if secs.any():
        out[secs] = (np.round(vals[secs] * 1e9).astype(np.int64)).astype("datetime64[ns]")
    millis = ~ymd & (vals >= 1e11) & (vals <= 4.2e12)
    if millis.any():
        out[millis] = (np.round(vals[millis] * 1e6).astype(np.int64)).astype("datetime64[ns]")
    return out


def _words_dates(t: pd.Series, dayfirst: bool | None) -> np.ndarray:
    """'18 Jun 2024', 'June 18, 2024 13:05': month names with a 4-digit year (pandas per value)."""
    out = np.full(len(t), np.datetime64("NaT"), dtype="datetime64[ns]")
    cand = t.str.contains(_MONTH_WORD.pattern, regex=True, na=False) & t.str.contains(r"\d{4}", regex=True, na=False)
    cand = cand.to_numpy(dtype=bool)
    if not cand.any():
        return out

    def one(v: str):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ts = pd.to_datetime(v, dayfirst=bool(dayfirst), errors="coerce")
        if ts is pd.NaT or ts is None or not isinstance(ts, pd.Timestamp):
            return None
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        return ts if _NS_MIN <= ts <= _NS_MAX else None

    idx = np.flatnonzero(cand)
    got = _by_unique(t.iloc[idx], one).to_numpy()
    vals = np.array([np.datetime64("NaT") if v is None else np.datetime64(v.value, "ns") for v in got],
                    dtype="datetime64[ns]")
    out[idx] = vals
    return out


def parse_datetime(s: pd.Series, *, dayfirst: bool | None = None) -> tuple[pd.Series, pd.Series]:
    """Text -> datetime64[ns] (naive). Returns (values, bad). See the module docstring.

    Parameters
    ----------
    s : pd.Series
        Text cells.
    dayfirst : bool | None
        Day-first for ``a/b/yyyy`` dates (None: infer).

    Returns
    -------
    tuple[pd.Series, pd.Series]
        The datetimes (NaT where missing or bad) and the bad cells.
    """
    t, missing = _stripped(s)
    n = len(t)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    todo = ~missing
    if not todo.any():
        return pd.Series(out, index=t.index), pd.Series(np.zeros(n, bool), index=t.index)
    arr = _arrow(t)
    # 1. fast path: the format of the first present value, with pyarrow strptime over the column
    first = t.iloc[int(np.flatnonzero(todo)[0])]
    for pattern, fmt in _ISO_FORMATS:
        if pattern.match(first):
            parsed = pc.strptime(arr, format=fmt, unit="ns", error_is_null=True)
            got = np.asarray(parsed.to_numpy(zero_copy_only=False), dtype="datetime64[ns]")
            ok = todo & ~np.isnat(got) & (got >= _NS_MIN.to_datetime64()) & (got <= _NS_MAX.to_datetime64())
            # pyarrow accepts day 29..31 in any month and rolls over (2024-02-30 -> 03-01): a cell that
            # landed on day 1..3 is kept only when its text names that day; the others go to the strict
            # general path below
            day = pc.fill_null(pc.day(parsed), 0).to_numpy(zero_copy_only=False)
            low = np.flatnonzero(ok & (day <= 3))
            if len(low):
                named = pc.struct_field(pc.extract_regex(arr.take(pa.array(low)), _ISO_DAY), [0])
                named = pc.fill_null(pc.cast(named, pa.int64()), -1).to_numpy(zero_copy_only=False)
                ok[low] = named == day[low]
            out[ok] = got[ok]
            todo &= ~ok
            break
    if not todo.any():
        return pd.Series(out, index=t.index), pd.Series(todo, index=t.index)
    order: dict[str, object] = {"dayfirst": None, "dayfirst_assumed": False}
    # 2. digit-only cells
    idx = np.flatnonzero(todo)
    sub = t.iloc[idx]
    digits = sub.str.fullmatch(r"\d+(\.\d+)?", na=False).to_numpy(dtype=bool)
    if digits.any():
        didx = idx[digits]
        vals = _coerce_float(_arrow(t.iloc[didx]))
        got = _numeric_dates(vals, t.iloc[didx])
        ok = ~np.isnat(got)
        out[didx[ok]] = got[ok]
        todo[didx[ok]] = False
    # 3. general y-m-d / d-m-y / m-d-y forms, Chinese forms, times, am/pm, month-only
    idx = np.flatnonzero(todo)
    if len(idx):
        codes, uniques = pd.factorize(t.iloc[idx])
        sub = pd.Series(uniques, dtype="str")
        p = _parts(sub)
        m = p["matched"].to_numpy(dtype=bool)
        if m.any():
            a, b, c = (p[k].to_numpy(dtype=float) for k in ("a", "b", "c"))
            a_len, c_len = p["a_len"].to_numpy(dtype=float), p["c_len"].to_numpy(dtype=float)
            year = np.full(len(sub), np.nan)
            month = np.full(len(sub), np.nan)
            day = np.full(len(sub), np.nan)
            # year first: yyyy-m-d, or yyyy-m (month only)
            yf = m & (a_len == 4)
            year[yf], month[yf] = a[yf], b[yf]
            day[yf] = np.where(np.isnan(c[yf]), 1, c[yf])
            yf_bad = yf & ~np.isnan(c) & (c_len > 2)
            year[yf_bad] = np.nan
            # year last: a-b-yyyy or a-b-yy
            yl = m & (a_len <= 2) & ~np.isnan(c) & ((c_len == 4) | (c_len == 2))
            if yl.any():
                df = dayfirst if dayfirst is not None else _dayfirst_from_parts(p[yl])
                order = {"dayfirst": bool(df), "dayfirst_assumed": dayfirst is None and df is None}
                yy = c[yl]
                yy = np.where(c_len[yl] == 2, np.where(yy < 70, 2000 + yy, 1900 + yy), yy)
                year[yl] = yy
                if df:
                    day[yl], month[yl] = a[yl], b[yl]
                else:
                    month[yl], day[yl] = a[yl], b[yl]
            hour = p["H"].to_numpy(dtype=float).copy()
            pm, am = p["pm"].to_numpy(dtype=bool), p["am"].to_numpy(dtype=bool)
            h_ok = ~np.isnan(hour)
            ampm_bad = (pm | am) & h_ok & ((hour > 12) | (hour < 1)) & ~((hour == 0) & am)
            hour = np.where(pm & h_ok & (hour < 12), hour + 12, hour)
            hour = np.where(am & h_ok & (hour == 12), 0, hour)
            year[ampm_bad] = np.nan
            got = _assemble(year, month, day, hour, p["M"].to_numpy(dtype=float), p["S"].to_numpy(dtype=float),
                            p["F"].to_numpy(dtype=float))[codes]
            ok = ~np.isnat(got)
            out[idx[ok]] = got[ok]
            todo[idx[ok]] = False
    # 4. month names ("18 Jun 2024")
    idx = np.flatnonzero(todo)
    if len(idx):
        got = _words_dates(t.iloc[idx], dayfirst)
        ok = ~np.isnat(got)
        out[idx[ok]] = got[ok]
        todo[idx[ok]] = False
    values = pd.Series(out, index=t.index)
    values.attrs.update(order)
    return values, pd.Series(todo, index=t.index)


def datetime_share(s: pd.Series) -> float:
    """Share of non-blank cells that parse as dates (0.0 for an all-blank column).

    Parameters
    ----------
    s : pd.Series
        Text cells.

    Returns
    -------
    float
        The share.
    """
    vals, bad = parse_datetime(s)
    good = int(vals.notna().sum())
    present = good + int(bad.sum())
    return 0.0 if present == 0 else good / present


# ---------------------------------------------------------------------------------------------------
# booleans and text

_TRUE = {"是", "对", "真", "有", "已", "y", "yes", "true", "t", "1", "1.0", "on", "√", "✓", "✔", "x"}
_FALSE = {"否", "错", "假", "不是", "没有", "未", "n", "no", "false", "f", "0", "0.0", "off", "×", "✗", "✘"}


def _bool_scalar(text: str) -> bool | None:
    t = unicodedata.normalize("NFKC", text).strip().casefold()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    return None


def parse_bool(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text -> boolean (nullable). Returns (values, bad).

    Parameters
    ----------
    s : pd.Series
        Text cells.

    Returns
    -------
    tuple[pd.Series, pd.Series]
        The booleans (NA where missing or bad) and the bad cells.
    """
    t, missing = _stripped(s)
    n = len(t)
    vals = np.zeros(n, dtype=bool)
    known = np.zeros(n, dtype=bool)
    present = ~missing
    if present.any():
        idx = np.flatnonzero(present)
        got = _by_unique(t.iloc[idx], _bool_scalar).to_numpy()
        is_t = np.array([v is True for v in got], dtype=bool)
        is_f = np.array([v is False for v in got], dtype=bool)
        vals[idx] = is_t
        known[idx] = is_t | is_f
    out = pd.array(vals, dtype="boolean")
    out[~known] = pd.NA
    bad = present & ~known
    return pd.Series(out, index=t.index), pd.Series(bad, index=t.index)


def parse_text(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text -> stripped text (str dtype); blank -> missing. Never bad.

    Parameters
    ----------
    s : pd.Series
        Cells.

    Returns
    -------
    tuple[pd.Series, pd.Series]
        The text (missing where blank) and an all-False bad mask.
    """
    t = _as_text(s)
    if not _trimmed_already(t):  # else nothing to strip and no blank cell
        t = t.str.strip()
        t = t.where(t.str.len() > 0)
    return t, pd.Series(np.zeros(len(t), dtype=bool), index=t.index)
