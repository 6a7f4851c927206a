"""What the mapping's parts share: the result types (:class:`FieldMatch`, :class:`Converted`, the chunked
conversion's :class:`Choices` and :class:`Facts`), the return / cancellation markers of order lines
(:func:`cancellation_ids`, :data:`RETURN_STATUS`) and the lookup of a dataset kind."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data import parsing
from data.errors import IngestError
from data.schema import KINDS, Kind

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
