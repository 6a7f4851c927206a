"""What every part of the reader shares: the :class:`RawTable` it returns, the :class:`TextLayout` of a
text file, the default upload cap, the read's limits and unpacked-bytes budget (:class:`_Ctx`) and the
short forms of errors and sizes used in the messages."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data import limits as limits_mod
from data.limits import Limits

DEFAULT_MAX_BYTES = limits_mod.SETTINGS["upload_bytes"].default * limits_mod.MB
_WS = "whitespace"
_CHUNK = 1 << 20


@dataclass
class RawTable:
    """A table of text cells read from one file (see module docstring)."""

    frame: pd.DataFrame  # every cell str or missing; columns = header names, or "1".."n"
    header_row: int | None  # 0-based line (text) / row (sheet) index of the header; None when headerless
    skipped_top: int  # non-blank title rows skipped above the header / data
    dropped_totals: list[int]  # 1-based line numbers of totals rows dropped at the bottom
    encoding: str | None  # text encoding used (None for xlsx)
    delimiter: str | None  # "," "\t" ";" "|" or "whitespace"; None for xlsx
    format: str  # "csv" | "tsv" | "text" | "xlsx"
    sheet_names: list[str]  # xlsx: every sheet; text: []
    line_numbers: np.ndarray  # per frame row: 1-based line (text) / row (sheet) number in the source
    sheet: str | None = None  # xlsx: the sheet read
    compression: str | None = None  # "gzip" | "zip" | None
    notes: list[str] = field(default_factory=list)
    layout: "TextLayout | None" = None  # text files: how the records were found (the streaming reader reuses it)

    @property
    def has_header(self) -> bool:
        """Whether the table was read with a header row.

        Returns
        -------
        bool
            True when it has one.
        """
        return self.header_row is not None


@dataclass(frozen=True)
class TextLayout:
    """How a text file's records were found: what :class:`TextStream` needs to read the rest the same way."""

    delimiter: str  # "," "\t" ";" "|" or "whitespace"
    names: tuple[str, ...]  # the column names records were read into (before empty auto-named ones are dropped)
    data_line: int  # 0-based line of the first data record
    fast: bool  # True when the records were one per line (read by the vectorised parsers)


def _short_error(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return text if len(text) <= 160 else text[:159] + "…"


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"


class _Ctx:
    """The limits of one read and the unpacked-bytes budget shared by every member inflated in it."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.inflated = 0

    def spend(self, n: int, what: str) -> None:
        self.inflated += n
        if self.inflated > self.limits.unpacked_bytes:
            raise limits_mod.over("unpacked_bytes", self.limits,
                                  actual=f"{what} unpacks to more than "
                                         f"{limits_mod.fmt('unpacked_bytes', self.limits.unpacked_bytes)}")
