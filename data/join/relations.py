"""Relations (:func:`detect`): pairs of files sharing a key column whose values they have in common;
and :func:`files_relate`, the cheap look at the headers alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from data import reader
from data.errors import IngestError
from data.schema import normalise_header

from .sources import Sources

_ID_NAME = re.compile(r"(?i)(id|key|code|sku|uuid|no|编号|号|编码)$")


@dataclass(frozen=True)
class Relation:
    """Two files sharing a key column."""

    left: str
    left_column: str
    right: str
    right_column: str
    left_unique: bool
    right_unique: bool
    matched: int  # distinct key values found in both

    @property
    def cardinality(self) -> str:
        """"one-to-one", "one-to-many" (left one, right many), "many-to-one" or "many-to-many".

        Returns
        -------
        str
            The cardinality.
        """
        return f"{'one' if self.left_unique else 'many'}-to-{'one' if self.right_unique else 'many'}"


def _id_like(column: str) -> bool:
    return bool(_ID_NAME.search(normalise_header(column)))


_HEAD_BYTES = 256 << 10


def header_columns(name: str, content: bytes) -> list[str]:
    """The column names of a file from its first lines (a text file) or its first sheet, [] when it
    cannot be read (the whole read says why).

    Parameters
    ----------
    name : str
        The file's name.
    content : bytes
        The file's bytes.

    Returns
    -------
    list[str]
        The headers.
    """
    head = content
    if content[:2] != b"\x1f\x8b" and content[:4] not in (b"PK\x03\x04", b"PK\x05\x06") and len(content) > _HEAD_BYTES:
        cut = content.rfind(b"\n", 0, _HEAD_BYTES)
        head = content[: cut + 1] if cut > 0 else content
    try:
        return [str(c) for c in reader.read_table(head, filename=name).frame.columns]
    except IngestError:
        return []


def files_relate(files: Sequence[tuple[str, bytes]]) -> bool:
    """Several files, each sharing an id-like column name with another (Olist's order_id, customer_id):
    they look like one export in several files (names only; :func:`detect` checks the values).

    Parameters
    ----------
    files : Sequence[tuple[str, bytes]]
        (name, bytes) of each file.

    Returns
    -------
    bool
        True when they relate.
    """
    if len(files) < 2:
        return False
    keys = [{normalise_header(c) for c in header_columns(n, b) if _id_like(c)} for n, b in files]
    return all(any(k & other for j, other in enumerate(keys) if j != i) for i, k in enumerate(keys))


def detect(src: Sources) -> list[Relation]:
    """Every pair of files sharing a key column (same name up to case, spaces and punctuation) whose
    values they have in common; keys are columns unique in some file or named like an id.

    Parameters
    ----------
    src : Sources
        The files.

    Returns
    -------
    list[Relation]
        The relations.
    """
    names = src.names
    by_key: dict[str, list[tuple[str, str]]] = {}
    for n in names:
        for c in src.files[n].columns:
            by_key.setdefault(normalise_header(c), []).append((n, c))
    out: list[Relation] = []
    for key, cols in by_key.items():
        if len({n for n, _ in cols}) < 2 or not key:
            continue
        if not (_id_like(cols[0][1]) or any(src.unique(n, c) for n, c in cols)):
            continue
        for i, (a, ca) in enumerate(cols):
            for b, cb in cols[i + 1:]:
                if a == b:
                    continue
                m = src.matched(a, ca, b, cb)
                if m:
                    out.append(Relation(a, ca, b, cb, src.unique(a, ca), src.unique(b, cb), m))
    return out
