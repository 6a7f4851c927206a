"""Map source columns to canonical fields, convert a :class:`RawTable` to a canonical frame, validate.

Pure functions; the lead's ingest pipeline calls them in this order::

    raw = reader.read_table(content, filename=...)
    suggested = suggest_mapping(list(raw.frame.columns), kind, raw.frame.head(500))   # field -> FieldMatch
    mapping = apply_overrides(suggested, {"order_id": "1", ...}, list(raw.frame.columns), kind=kind)
    converted = to_canonical(raw, kind, mapping, source_name=filename)              # Converted
    frame = validate(converted, max_bad_share=0.05, keep_good_rows=None)             # rows to load

Matching (:func:`suggest_mapping`)
    Headers and synonyms from ``data/schema.py`` are compared with ``schema.normalise_header`` (case,
    width, spaces and punctuation ignored). Scores: the field's own name 1.0 ("exact"); a synonym
    0.95 minus 0.002 per position in the synonym list, so earlier synonyms win ties (实付金额 before
    金额 for amount) ("synonym"); a header that *contains* a synonym (``实付金额(元)``, ``Order Date
    (UTC)``) 0.5-0.85 by how much of the header the synonym covers ("fuzzy"); a near-miss spelling of
    a Latin synonym (difflib ratio >= 0.85, e.g. ``Quantiy``) ("fuzzy"). With a sample, the content is
    checked: a date field whose column parses as dates gains 0.03, a typed field whose column mostly
    fails to parse is halved (and a fuzzy match dropped: ``coupon code`` full of ``X1`` is no discount); a required date field still unmatched is taken from the first unused
    column that is >= 95 % dates ("content", 0.5); orders with neither an amount nor a unit price matched
    by name take the first unused column that holds money by content and name (:func:`money_column`:
    numbers with cents, a money token such as ``value``, ``paid`` or ``金额``, no id / count / year
    token; Olist's ``payment_value``) ("content", 0.8). Assignment is greedy by score: every column serves
    at most one field and every field gets at most one column. Columns named "1".."n" (headerless
    files) never match by name; map them by position with overrides.
Presets (data/presets.py)
    A file whose headers match a known export layout (Robyn, Meridian, Meta Ads, Google Ads, GA4, 巨量千川,
    生意参谋, 京东商智) takes that layout's columns first, at confidence 0.97 (method "preset",
    ``FieldMatch.preset`` = the layout's key; a one-platform export fixes ``channel``, e.g. ``=Meta``);
    the name matching fills the other fields, and the conversion notes name the layout.
Kind (:func:`guess_kind`)
    A recognised layout's kind; else every kind's mapping is suggested and scored over all the file's
    columns (the sum of the confidences, minus 1 per required group left unmapped): an Olist orders
    header without amounts still reads as orders, not customers (its customer_id is one column of many).
Overrides (:func:`apply_overrides`)
    ``{"order_id": "InvoiceNo"}`` or by 1-based position ``{"customer_id": "2"}``; an empty value
    (or ``-``) unmaps a field. An unknown field or column raises IngestError naming it.
Conversion (:func:`to_canonical`)
    Every field of the kind becomes a typed column (data/schema.py types; docs/architecture.md);
    unmapped source columns are kept as ``attr_<name>`` (float when every value parses as a number and
    none has a leading zero like a zip code, text otherwise). A required field that is unmapped raises
    IngestError; a date column in which no value parses raises IngestError. A cell that cannot be
    parsed, or a missing value in a required field, is one error row (line number, source column,
    value, reason) and marks its row bad.
    Orders: ``amount`` = quantity x unit_price when no amount column is mapped (unit_price alone when
    quantity is not mapped either: each line one unit); ``order_id`` = "L<line number>" when unmapped;
    ``is_return`` = quantity < 0, or an amount < 0 (given, or computed from a negative unit price as
    in Online Retail's "Adjust bad debt" lines: gross sales never hold a negative line), or an order
    id that marks a cancellation (:func:`cancellation_ids`: ``C`` before digits, where the other ids
    are digits), or a status naming a refund / return / cancellation (refund, return, cancel,
    chargeback, 退款, 退货, 取消, 关闭, 售后) unless negated (无退款, no refund, 退款关闭 ...). Returns
    are flagged, never dropped. Experiments: ``unit_id`` = "1".."n" when unmapped.
    Id-like text fields (``*_id``) written as ``12345.0`` throughout (a float export) lose the ``.0``.
Chunked conversion (streaming ingest)
    A big file is converted block by block with ``to_canonical(chunk, ..., choices=Choices(),
    first_row=rows_before)``. What the whole-file conversion decides from a whole column is fixed
    across chunks by :class:`Choices` (an ``attr_`` column read as numbers or text, an id's ``.0``
    dropped, a/b/yyyy dates read day first); a choice not given is taken from the chunk at hand and
    returned in ``Converted.choices``. Each chunk also reports :class:`Facts` (what it shows about
    those choices); summed over every chunk, ``Facts.choices()`` is what the whole-file conversion
    would have chosen, so the caller converts again when a choice it applied turns out different. A
    date column in which no value parses is not an error per chunk: ``Facts.check`` raises it once.
Validation (:func:`validate`)
    Returns the frame to load. No bad rows: the whole frame. Bad rows: with ``keep_good_rows=None``
    (default) the file is rejected when more than ``max_bad_share`` (5 %) of rows are bad, otherwise the
    good rows are kept; ``keep_good_rows=True`` keeps the good rows whatever the share (unless none is
    good); ``keep_good_rows=False`` rejects the file on any bad row. Rejection raises IngestError whose
    message names the count, the share and the first error (line, column, value, reason).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data import parsing
from data import presets as presets_mod
from data.errors import IngestError
from data.reader import RawTable
from data.schema import (KINDS, MONEY_FIELDS, Kind, attr_column, has_money, is_satisfied, normalise_header,
                         stage_code, stage_names_help)

__all__ = ["FieldMatch", "Converted", "Choices", "Facts", "suggest_mapping", "apply_overrides", "to_canonical",
           "validate", "check_bad_rows", "RETURN_STATUS", "guess_kind", "PRESET_CONFIDENCE"]

def _all_float_ids(present: pd.Series) -> bool:
    """Whether every id reads like a float's text (``123.0``; True for none). The first cells settle it for
    almost every column (one that is not decides), so the whole column is matched only when they all are."""
    if not len(present):
        return True
    if not bool(present.iloc[:64].str.fullmatch(_FLOAT_ID).all()):
        return False
    return bool(present.str.fullmatch(_FLOAT_ID).all())


def cancellation_ids(order_id: pd.Series) -> np.ndarray:
    """Order ids that mark a cancellation: ``C`` (or ``c``) before digits, as Online Retail's
    ``C536379`` beside ``536365``, only where the plain ids are digits and outnumber them. A hash that
    starts with ``c`` and a digit (Olist's ``c3e5...``) has letters after it, and an export whose every
    id is ``C`` + digits uses the letter as a prefix, not as a mark.

    Parameters
    ----------
    order_id : pd.Series
        The order ids.

    Returns
    -------
    np.ndarray
        True for each cancellation id.
    """
    s = order_id.astype("str")
    marked = s.str.fullmatch(r"[Cc]\d+").to_numpy(dtype=bool, na_value=False) & order_id.notna().to_numpy()
    if not marked.any():
        return marked
    plain = int(s.str.fullmatch(r"\d+").to_numpy(dtype=bool, na_value=False).sum())
    return marked if plain > int(marked.sum()) else np.zeros(len(s), dtype=bool)


RETURN_STATUS = re.compile(r"(?i)refund|return|cancel|chargeback|reversed|void|退款|退货|取消|关闭|售后|撤销")
_NOT_RETURN = re.compile(
    r"(?i)^\s*(?:无|未|没有|不|非|否)|no\s+refund|not\s+(?:refunded|returned|cancel)|non[- ]?return|退款关闭|"
    r"售后关闭|拒绝|驳回|无售后|^none$"
)
_SEQUENCE = re.compile(r"^\d+$")


@dataclass(frozen=True)
class FieldMatch:
    field: str
    column: str
    confidence: float  # 0..1
    method: str  # "exact" | "synonym" | "fuzzy" | "content" | "position" | "preset"
    preset: str = ""  # method "preset": the key of the recognised layout (data/presets.py)


@dataclass
class Converted:
    frame: pd.DataFrame  # canonical frame, one row per source data row (bad rows included)
    errors: pd.DataFrame  # columns row, column, value, reason (one row per bad cell)
    bad_rows: np.ndarray  # bool per frame row
    notes: list[str] = field(default_factory=list)
    line_numbers: np.ndarray | None = None  # per frame row, the source line / sheet row
    mapping: dict[str, str] = field(default_factory=dict)  # field -> source column
    kind: str = ""
    source_name: str = ""
    choices: "Choices | None" = None  # chunked conversion: the file-wide choices applied
    facts: "Facts | None" = None  # chunked conversion: what this chunk shows about them

    @property
    def n_bad(self) -> int:
        """Rows with a bad cell.

        Returns
        -------
        int
            The count.
        """
        return int(np.asarray(self.bad_rows).sum())


_FLOAT_ID = r"-?\d+\.0+"


@dataclass
class Choices:
    """What only the whole file decides, fixed for a conversion chunk by chunk (see the module doc).
    A key that is missing is decided from the chunk at hand."""

    attr_number: dict[str, bool] = field(default_factory=dict)  # source column -> attr_ values are numbers
    strip_ids: dict[str, bool] = field(default_factory=dict)  # *_id field -> drop the ".0" of a float export
    dayfirst: dict[str, bool] = field(default_factory=dict)  # datetime field -> a/b/yyyy read day first
    settled: frozenset[str] = frozenset()  # "attr:<column>" / "id:<field>": final, not looked at again

    def copy(self) -> "Choices":
        """An independent copy (the dicts copied).

        Returns
        -------
        'Choices'
            The copy.
        """
        return Choices(dict(self.attr_number), dict(self.strip_ids), dict(self.dayfirst), self.settled)


@dataclass
class Facts:
    """What converted chunks show about the file-wide choices, summed with :meth:`add`."""

    attrs: dict[str, list] = field(default_factory=dict)  # column -> [present values, some is not a number]
    ids: dict[str, list] = field(default_factory=dict)  # field -> [present values, every one like 123.0]
    dates: dict[str, list] = field(default_factory=dict)  # field -> [column, parsed, examples, day keys, month keys]

    def attr(self, col: str, present: int, text: bool) -> None:
        """Count an attribute column's present values, and whether some is not a number.

        Parameters
        ----------
        col : str
            The source column.
        present : int
            Present values in the chunk.
        text : bool
            Whether some value is not a number.
        """
        a = self.attrs.setdefault(col, [0, False])
        a[0] += present
        a[1] = a[1] or text

    def id(self, name: str, present: int, floaty: bool) -> None:
        """Count an id field's present values, and whether every one looks like ``123.0``.

        Parameters
        ----------
        name : str
            The field.
        present : int
            Present values in the chunk.
        floaty : bool
            Whether every present value looks like ``123.0``.
        """
        a = self.ids.setdefault(name, [0, True])
        a[0] += present
        a[1] = a[1] and floaty

    def date(self, name: str, col: str, parsed: int, examples: list[str], day=None, month=None) -> None:
        """Add a date field's parsed count, up to three examples, and its a/b/yyyy parts (day-first and
        month-first evidence).

        Parameters
        ----------
        name : str
            The field.
        col : str
            The source column.
        parsed : int
            Values parsed in the chunk.
        examples : list[str]
            Example values.
        day
            Distinct first parts above 12, or None.
        month
            Distinct second parts above 12, or None.
        """
        a = self.dates.setdefault(name, [col, 0, [], [], []])
        a[1] += parsed
        if len(a[2]) < 3:
            a[2].extend(examples[: 3 - len(a[2])])
        for i, keys in ((3, day), (4, month)):
            if keys is not None and len(keys):
                a[i].append(keys)
                if len(a[i]) > 16:  # distinct values only: a value repeated in every chunk is kept once
                    a[i] = [np.unique(np.concatenate(a[i]))]

    def add(self, other: "Facts") -> None:
        """Add another chunk's facts to these.

        Parameters
        ----------
        other : 'Facts'
            The chunk's facts.
        """
        for c, (n, text) in other.attrs.items():
            self.attr(c, n, text)
        for f, (n, floaty) in other.ids.items():
            self.id(f, n, floaty)
        for f, (col, parsed, ex, day, month) in other.dates.items():
            self.date(f, col, parsed, ex)
            for keys in day:
                self.date(f, col, 0, [], day=keys)
            for keys in month:
                self.date(f, col, 0, [], month=keys)

    def choices(self) -> Choices:
        """The choices the whole-file conversion makes from what every chunk added shows.

        Returns
        -------
        Choices
            The choices.
        """
        out = Choices()
        settled = set()
        for c, (n, text) in self.attrs.items():
            out.attr_number[c] = n > 0 and not text
            if text:
                settled.add(f"attr:{c}")
        for f, (n, floaty) in self.ids.items():
            out.strip_ids[f] = n > 0 and floaty
            if not floaty:
                settled.add(f"id:{f}")
        for f, (_col, _parsed, _ex, day, month) in self.dates.items():
            d = len(np.unique(np.concatenate(day))) if day else 0
            m = len(np.unique(np.concatenate(month))) if month else 0
            out.dayfirst[f] = d > m  # no evidence either way: month first, as parsing.parse_datetime
        out.settled = frozenset(settled)
        return out

    def contradicts(self, applied: Choices) -> bool:
        """True when a choice applied can no longer be the whole file's (a column read as numbers has a
        value that is not one, an id stripped of ".0" has one without it).

        Parameters
        ----------
        applied : Choices
            The choices applied so far.

        Returns
        -------
        bool
            True when one no longer holds.
        """
        return (any(applied.attr_number.get(c) and text for c, (_n, text) in self.attrs.items())
                or any(applied.strip_ids.get(f) and not floaty for f, (_n, floaty) in self.ids.items()))

    def check(self, source_name: str = "") -> None:
        """Raise what the whole-file conversion raises on a date column in which no value parses.

        Parameters
        ----------
        source_name : str
            The file's name, for the message.
        """
        for _f, (col, parsed, examples, _d, _m) in self.dates.items():
            if parsed == 0:
                raise _no_dates(col, examples, source_name or None)


def _no_dates(col: str, examples: list[str], file: str | None) -> IngestError:
    shown = ", ".join(f"'{v}'" for v in examples[:3])
    why = f"no value in column '{col}' can be read as a date" + (f" (e.g. {shown})" if shown else
                                                                " (the column is empty)")
    return IngestError(why, file=file, column=col, reason="no dates")


def _dayfirst_evidence(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the distinct a/b/yyyy values that say day first (a > 12) and month first (b > 12), as
    parsing.infer_dayfirst counts them, so that chunks can be summed without counting a value twice."""
    t, missing = parsing._stripped(s)
    u = pd.unique(t[~missing].to_numpy(dtype=object))
    if not len(u):
        return np.zeros(0, np.uint64), np.zeros(0, np.uint64)
    p = parsing._parts(pd.Series(u, dtype="str"))
    c_len = p["c_len"].to_numpy(dtype=float)
    yl = (p["matched"].to_numpy(dtype=bool) & (p["a_len"].to_numpy(dtype=float) <= 2) & p["c"].notna().to_numpy()
          & ((c_len == 4) | (c_len == 2)))
    a, b = p["a"].to_numpy(dtype=float), p["b"].to_numpy(dtype=float)
    day = yl & (a > 12) & (b <= 12)
    month = yl & (b > 12) & (a <= 12)
    return (pd.util.hash_array(np.asarray(u[day], dtype=object)),
            pd.util.hash_array(np.asarray(u[month], dtype=object)))


def _kind(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise IngestError(f"unknown dataset kind '{kind}'; kinds: {', '.join(KINDS)}", reason="unknown kind") from None


# ---------------------------------------------------------------------------------------------------
# suggestion


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


# ---------------------------------------------------------------------------------------------------
# kind


PRESET_CONFIDENCE = 0.97  # a column a recognised layout names (data/presets.py)
UNMET_PENALTY = 1.0  # a required field group no column satisfies costs as much as one sure column


def kind_scores(columns: list[str], sample: pd.DataFrame | None = None) -> dict[str, float]:
    """How well each kind explains the file, from all its columns: the confidences of every field the
    kind's mapping finds (each column serves one field) minus :data:`UNMET_PENALTY` per required group
    left unmapped. A required field the export splits off (an orders header without amounts, the amounts
    in a payments file) costs one column's worth, not the whole kind.

    Parameters
    ----------
    columns : list[str]
        The file's headers.
    sample : pd.DataFrame | None
        First rows, or None.

    Returns
    -------
    dict[str, float]
        Kind -> score.
    """
    out: dict[str, float] = {}
    for name, k in KINDS.items():
        sugg = suggest_mapping(columns, name, sample)
        unmet = len(is_satisfied(k, set(sugg)))
        out[name] = round(sum(float(m.confidence) for m in sugg.values()) - UNMET_PENALTY * unmet, 6)
    return out


def guess_kind(columns: list[str], sample: pd.DataFrame | None = None) -> str:
    """The kind of a file: a recognised layout's kind (data/presets.py), else the best
    :func:`kind_scores` (ties: the earlier kind in data/schema.py's order, orders first).

    Parameters
    ----------
    columns : list[str]
        The file's headers.
    sample : pd.DataFrame | None
        First rows, or None.

    Returns
    -------
    str
        The kind.
    """
    preset = presets_mod.detect([str(c) for c in columns])
    if preset is not None:
        return preset.kind
    scores = kind_scores([str(c) for c in columns], sample)
    return max(scores, key=lambda k: (scores[k], -list(KINDS).index(k)))


# ---------------------------------------------------------------------------------------------------
# overrides


FIXED = "="  # a mapping value "=Facebook" is a fixed value for every row, not a column


def fixed_value(value: object, columns: list[str]) -> str | None:
    """The fixed value a mapping value names ("=Facebook" -> "Facebook"), or None for a column (a column
    whose header itself starts with "=" stays a column).

    Parameters
    ----------
    value : object
        A mapping value.
    columns : list[str]
        The file's headers.

    Returns
    -------
    str | None
        The value, or None.
    """
    if isinstance(value, str) and value.startswith(FIXED) and len(value) > 1 and value not in columns:
        return value[1:].strip() or None
    return None


def _resolve_column(value: str, columns: list[str]) -> str:
    if value in columns:
        return value
    v = value.strip()
    if v in columns:
        return v
    if v.isdigit():
        i = int(v)
        if 1 <= i <= len(columns):
            return columns[i - 1]
        raise IngestError(f"column position {i} is out of range: the file has {len(columns)} column(s)",
                          column=v, reason="unknown column")
    key = normalise_header(v)
    hits = [c for c in columns if normalise_header(c) == key]
    if len(hits) == 1:
        return hits[0]
    shown = ", ".join(columns[:30]) + (" ..." if len(columns) > 30 else "")
    raise IngestError(f"there is no column '{value}' in the file; columns: {shown}", column=value,
                      reason="unknown column")


SURE = 0.8  # a guess below this confidence is put to the user as a question, not shown as settled


def doubtful(suggested: dict[str, FieldMatch], mapping: dict[str, str]) -> list[FieldMatch]:
    """The guesses ``mapping`` still uses whose confidence is below :data:`SURE` (a partial name match, a
    match by content), in field order: the review asks about them instead of calling the file valid.

    Parameters
    ----------
    suggested : dict[str, FieldMatch]
        Field -> suggestion.
    mapping : dict[str, str]
        Field -> column in use.

    Returns
    -------
    list[FieldMatch]
        The doubtful matches.
    """
    return [m for f, m in suggested.items() if mapping.get(f) == m.column and m.confidence < SURE]


def review_overrides(rows: list[dict], mapping: dict[str, str]) -> dict[str, str] | None:
    """The overrides a mapping review's rows ask for ({"field", "column"} each; a cleared cell arrives as
    "", None or NaN), or None when they ask for ``mapping`` as it is. A field that ``mapping`` maps and
    the review clears is unmapped explicitly (""), not handed back to the suggestion, and a cleared
    cell never becomes a column called "nan".

    Parameters
    ----------
    rows : list[dict]
        The review's rows (``field``, ``column``).
    mapping : dict[str, str]
        Field -> column in use.

    Returns
    -------
    dict[str, str] | None
        Field -> column ("" to unmap), or None.
    """
    def cell(v) -> str:
        return v.strip() if isinstance(v, str) and v.strip() not in ("", "nan", "None") else ""

    asked = {str(r["field"]): cell(r.get("column")) for r in rows}
    if {f: c for f, c in asked.items() if c} == dict(mapping):
        return None
    return {f: c for f, c in asked.items() if c or f in mapping}


def apply_overrides(
    suggested: dict[str, FieldMatch],
    overrides: dict[str, str] | None,
    columns: list[str],
    *,
    kind: str | None = None,
) -> dict[str, str]:
    """Suggested mapping + the user's overrides -> field -> column. ``kind`` (recommended) is used to
    check field names; without it any field of any kind is accepted.

    Parameters
    ----------
    suggested : dict[str, FieldMatch]
        Field -> suggestion.
    overrides : dict[str, str] | None
        Field -> column, ``=value`` or "" / "-" / None to unmap; or None (IngestError for an unknown field or
        a column mapped twice).
    columns : list[str]
        The file's headers.
    kind : str | None
        The dataset kind, or None.

    Returns
    -------
    dict[str, str]
        Field -> column or ``=value``.
    """
    columns = [str(c) for c in columns]
    valid = set(_kind(kind).field_names) if kind else {f.name for k in KINDS.values() for f in k.fields}
    mapping = {f: m.column for f, m in suggested.items()}
    explicit: dict[str, str] = {}
    for fname, value in (overrides or {}).items():
        fname = str(fname).strip()
        if fname not in valid:
            raise IngestError(
                f"unknown field '{fname}'" + (f" for kind {kind}; fields: {', '.join(sorted(valid))}" if kind else ""),
                reason="unknown field")
        if value is None or str(value).strip() in ("", "-"):
            mapping.pop(fname, None)
            continue
        if fixed_value(str(value).strip(), columns) is not None:
            mapping[fname] = FIXED + fixed_value(str(value).strip(), columns)  # type: ignore[operator]
            continue
        col = _resolve_column(str(value), columns)
        for other, c in explicit.items():
            if c == col and other != fname:
                raise IngestError(f"column '{col}' is mapped to both {other} and {fname}", column=col,
                                  reason="column mapped twice")
        explicit[fname] = col
    for fname, col in explicit.items():
        for other in [f for f, c in mapping.items() if c == col and f != fname and f not in explicit]:
            mapping.pop(other)
        mapping[fname] = col
    return mapping


# ---------------------------------------------------------------------------------------------------
# conversion


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


# ---------------------------------------------------------------------------------------------------
# validation


def _first_error(errors: pd.DataFrame) -> str:
    if errors is None or errors.empty:
        return ""
    e = errors.iloc[0]
    value = str(e["value"])
    value = value if len(value) <= 40 else value[:39] + "…"
    return f"; first: line {int(e['row'])}, column '{e['column']}', value '{value}': {e['reason']}"


def check_bad_rows(n: int, n_bad: int, errors: pd.DataFrame | None, *, source_name: str = "",
                   max_bad_share: float = 0.05, keep_good_rows: bool | None = None) -> None:
    """The bad-rows policy on counts (``n`` rows of which ``n_bad`` are bad; ``errors``: the first bad
    cells, in line order): raise IngestError when the file is refused (see module doc).

    Parameters
    ----------
    n : int
        Rows.
    n_bad : int
        Bad rows.
    errors : pd.DataFrame | None
        The first bad cells, or None.
    source_name : str
        The file's name, for the message.
    max_bad_share : float
        Largest share of bad rows stored without asking.
    keep_good_rows : bool | None
        Keep the good rows (True), refuse any bad row (False) or decide by ``max_bad_share`` (None).
    """
    file = source_name or None
    if n == 0:
        raise IngestError("the file holds no data rows", file=file, reason="empty")
    if n_bad == 0:
        return
    share = n_bad / n
    detail = f"{n_bad:,} of {n:,} rows ({share:.1%}) have values that cannot be read{_first_error(errors)}"
    if n_bad == n:
        raise IngestError(f"every row is bad: {detail}", file=file, reason="all rows bad")
    if keep_good_rows is False:
        raise IngestError(f"file rejected: {detail}", file=file, reason="bad rows")
    if keep_good_rows is None and share > max_bad_share:
        raise IngestError(f"file rejected: {detail}; that is over the {max_bad_share:.0%} limit. Fix the file or "
                          "choose to keep only the good rows", file=file, reason="too many bad rows")


def validate(converted: Converted, *, max_bad_share: float = 0.05, keep_good_rows: bool | None = None) -> pd.DataFrame:
    """The rows to load, or IngestError (see module doc for the policy).

    Parameters
    ----------
    converted : Converted
        The converted table.
    max_bad_share : float
        Largest share of bad rows stored without asking.
    keep_good_rows : bool | None
        See :func:`check_bad_rows`.

    Returns
    -------
    pd.DataFrame
        The good rows.
    """
    frame = converted.frame
    bad = np.asarray(converted.bad_rows, dtype=bool)
    n_bad = int(bad.sum())
    check_bad_rows(len(frame), n_bad, converted.errors, source_name=converted.source_name,
                   max_bad_share=max_bad_share, keep_good_rows=keep_good_rows)
    if n_bad == 0:
        return frame
    return frame.loc[~bad].reset_index(drop=True)
