"""Suggestion: source columns matched to a kind's fields by name (exact, synonym, fuzzy) and content, a
recognised export layout's columns first (:func:`suggest_mapping`), and the money column found by content
and name tokens (:func:`money_column`)."""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd

from data import parsing
from data import presets as presets_mod
from data.schema import normalise_header

from .base import _SEQUENCE, FieldMatch, _kind

PRESET_CONFIDENCE = 0.97  # a column a recognised layout names (data/presets.py)


def _is_latin(s: str) -> bool:
    return all(ord(c) < 0x2E80 for c in s)


def _name_score(col_key: str, f) -> tuple[float, str]:
    if not col_key:
        return 0.0, ""
    if col_key == normalise_header(f.name):
        return 1.0, "exact"
    best, method = 0.0, ""
    for i, syn in enumerate(f.synonyms):
        key = normalise_header(syn)
        if not key:
            continue
        if col_key == key:
            score, m = 0.95 - 0.002 * i, "synonym"
        elif key in col_key and (len(key) >= 3 or (len(key) >= 2 and not _is_latin(key))):
            score, m = 0.5 + 0.35 * len(key) / len(col_key) - 0.001 * i, "fuzzy"
        elif _is_latin(key) and len(key) >= 5 and _is_latin(col_key):
            r = difflib.SequenceMatcher(None, col_key, key).ratio()
            score, m = (0.8 * r, "fuzzy") if r >= 0.85 else (0.0, "")
        else:
            continue
        if score > best:
            best, method = score, m
    return best, method


# a date column named for another event than the order (Olist's shipping_limit_date, order_delivered_...)
# or for the customer (iFood's Dt_Customer: the day the customer joined)
_OTHER_EVENT = re.compile(r"(?i)ship|deliver|limit|estimat|approv|carrier|review|expir|due|refund|return|signup|"
                          r"regist|birth|joined|customer$|发货|签收|收货|退款|评价|注册|入会|生日")


def _content_adjust(f, col: pd.Series, header: str = "") -> float:
    """Multiplier/bonus for a candidate from the sample's content: returns the delta to add (negative:
    the content contradicts the field)."""
    if f.type == "str" and len(col.dropna()):
        # an id is not a date (a CRM's Dt_Customer for customer_id); formatted dates only, since ids
        # written as 20240101... are digits
        if f.name.endswith("_id") and parsing.number_share(col) < 1.0 and parsing.datetime_share(col) >= 0.9:
            return -0.5
        # a name is not a line number (Olist's order_item_id 1, 2, 3 for product_name)
        if f.name.endswith("_name") and parsing.number_share(col) == 1.0:
            v, _ = parsing.parse_number(col)
            v = v.dropna()
            if len(v) and (v == v.round()).all() and v.abs().max() < 1000:
                return -0.5
        return 0.0
    if f.name == "order_date" and _OTHER_EVENT.search(header):
        return -0.5  # the date of another event: shipping, delivery, approval...
    if f.type == "datetime":
        share = parsing.datetime_share(col)
        return 0.03 if share >= 0.9 else (-0.5 if share < 0.5 else 0.0)
    if f.type in ("float", "int"):
        share = parsing.number_share(col)
        return -0.5 if share < 0.5 else 0.0
    if f.type == "bool":
        vals, bad = parsing.parse_bool(col)
        present = int(vals.notna().sum() + bad.sum())
        return -0.5 if present and vals.notna().sum() / present < 0.5 else 0.0
    return 0.0


def suggest_mapping(columns: list[str], kind: str, sample: pd.DataFrame | None = None) -> dict[str, FieldMatch]:
    """Suggest a column for each field of ``kind`` it can find; field -> FieldMatch (see module doc).

    Parameters
    ----------
    columns : list[str]
        The file's headers.
    kind : str
        The dataset kind.
    sample : pd.DataFrame | None
        First rows (text cells), to check the content; or None.

    Returns
    -------
    dict[str, FieldMatch]
        Field -> FieldMatch (column, confidence, method).
    """
    k = _kind(kind)
    columns = [str(c) for c in columns]
    headerless = bool(columns) and all(_SEQUENCE.match(c) for c in columns)
    cands: list[tuple[float, int, int, str]] = []  # (score, -field order, -column order, method)
    if not headerless:
        keys = [normalise_header(c) for c in columns]
        for fi, f in enumerate(k.fields):
            for ci, key in enumerate(keys):
                score, method = _name_score(key, f)
                if score < 0.5:
                    continue
                if sample is not None and columns[ci] in sample.columns:
                    col = sample[columns[ci]]
                    if isinstance(col, pd.DataFrame):
                        col = col.iloc[:, 0]
                    delta = _content_adjust(f, col, columns[ci])
                    if delta < 0 and method == "fuzzy":
                        continue  # a partial name match whose content disagrees is no match
                    score = score * 0.5 if delta < 0 else min(1.0, score + delta)
                cands.append((score, -fi, -ci, method))
    cands.sort(reverse=True)
    out: dict[str, FieldMatch] = {}
    used: set[int] = set()
    # a recognised export layout (Robyn, Meta Ads, 巨量千川 ...) names its own columns: those come first
    preset = presets_mod.detect(columns) if not headerless else None
    if preset is not None and preset.kind == k.name:
        for fname, col in presets_mod.field_columns(preset, columns).items():
            if fname in k.field_names:
                out[fname] = FieldMatch(fname, col, PRESET_CONFIDENCE, "preset", preset.key)
                if col in columns:
                    used.add(columns.index(col))
    for score, nfi, nci, method in cands:
        f, ci = k.fields[-nfi], -nci
        if f.name in out or ci in used:
            continue
        out[f.name] = FieldMatch(f.name, columns[ci], round(float(score), 3), method)
        used.add(ci)
    # content: a required date field still unmatched -> first unused column that is (nearly) all dates
    if sample is not None:
        for grp in k.required:
            for fname in grp:
                f = k.field(fname)
                if f.type != "datetime" or any(g in out for g in grp):
                    continue
                for ci, c in enumerate(columns):
                    if ci in used or c not in sample.columns or (fname == "order_date" and _OTHER_EVENT.search(c)):
                        continue
                    col = sample[c]
                    if isinstance(col, pd.DataFrame):
                        col = col.iloc[:, 0]
                    if parsing.datetime_share(col) >= 0.95 and (parsing.number_share(col) < 1.0 or _yyyymmdd(col)):
                        out[fname] = FieldMatch(fname, c, 0.5, "content")
                        used.add(ci)
                        break
    # a required id still unmatched -> a column named just "ID" (编号) whose values are no dates: a CRM
    # export's "ID" is the customer (iFood), an experiment's is the unit
    if not headerless:
        for grp in k.required:
            for fname in grp:
                if not fname.endswith("_id") or any(g in out for g in grp):
                    continue
                for ci, c in enumerate(columns):
                    if ci in used or normalise_header(c) not in ("id", "编号", "序号id"):
                        continue
                    if sample is not None and c in sample.columns and _content_adjust(k.field(fname), sample[c]) < 0:
                        continue
                    out[fname] = FieldMatch(fname, c, 0.7, "content")
                    used.add(ci)
                    break
    # content + name tokens: orders without an amount or a unit price matched by name -> the unused
    # column that holds money (decimal numbers, not dates, not ids) and whose name says so
    if sample is not None and k.name == "orders" and not any(g in out for g in ("amount", "unit_price")):
        best = money_column(columns, sample, used)
        if best is not None:
            out["amount"] = FieldMatch("amount", best[0], best[1], "content")
    return {f.name: out[f.name] for f in k.fields if f.name in out}


# name tokens of a money column whose header is no synonym (Olist's payment_value, "order total paid")
MONEY_TOKENS = re.compile(r"(?i)value|total|paid|pay|price|amount|amt|revenue|sales|gmv|money|cost|金额|实付|"
                          r"价|款|收入|销售额")
NOT_MONEY = re.compile(r"(?i)(^|_|\b)(id|no|code|zip|postal|phone|year|qty|quantity|count|number|installments?|"
                        r"sequential|seq|rank|score|rate|weight|length|height|width|lat|lng|lon)(_|\b|$)")


def money_column(columns: list[str], sample: pd.DataFrame, used: set[int] = frozenset()) -> tuple[str, float] | None:
    """The column of ``sample`` that most looks like money, with a confidence, or None: every non-blank
    cell a number, not a date, some values with decimals (cents) or a name token saying money
    (:data:`MONEY_TOKENS`), and no name token saying it is something else (an id, a count, a year...).
    A name token and values with cents (at least a fifth of them) give 0.8, the first such column in
    file order wins; a name token alone (``total_clicks``) or cents alone are no guess.

    Parameters
    ----------
    columns : list[str]
        The file's headers.
    sample : pd.DataFrame
        First rows (text cells).
    used : set[int]
        Column positions already mapped.

    Returns
    -------
    tuple[str, float] | None
        (column, confidence), or None.
    """
    for ci, c in enumerate(columns):
        if ci in used or c not in sample.columns:
            continue
        col = sample[c]
        if isinstance(col, pd.DataFrame):
            col = col.iloc[:, 0]
        if col.dropna().empty or parsing.number_share(col) < 0.98 or parsing.datetime_share(col) >= 0.5:
            continue
        name = str(c)
        if NOT_MONEY.search(name) or not MONEY_TOKENS.search(name):
            continue
        vals, _ = parsing.parse_number(col)
        v = vals.dropna().to_numpy(dtype=float)
        if not len(v):
            continue
        cents = float(np.mean(np.abs(v - np.round(v)) > 1e-9))
        if cents >= 0.2:
            return name, 0.8
    return None


def _yyyymmdd(col: pd.Series) -> bool:
    t = col.dropna().astype("str").str.strip()
    return bool(len(t)) and bool(t.str.fullmatch(r"(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])").all())
