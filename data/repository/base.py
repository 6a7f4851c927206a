"""The store's setup and shared helpers: creating the catalogue (:func:`init_store`), the default engine,
the decorator that turns the database's errors into a StoreError, and :func:`clean_name`."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any, Callable, Optional, TypeVar

from sqlalchemy.engine import Engine

from data.errors import NotAllowed
from data.db import FAULTS, get_engine, lines_error, store_error
from data.migrations import migrate

Progress = Optional[Callable[[float, str], None]]
NAME_MAX = 200
F = TypeVar("F", bound=Callable[..., Any])


def _engine(engine: Engine | None) -> Engine:
    return engine or get_engine()


def _faults(fn: F) -> F:
    """Turn the database's errors (OperationalError, DatabaseError, sqlite3.Error) into a StoreError."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except FAULTS as exc:
            raise store_error(exc, kwargs.get("engine") or _known_engine()) from exc
        except NotAllowed:  # a PermissionError, so an OSError: a refusal, not a fault
            raise
        except OSError as exc:  # the lines directory: full, read-only, unreadable
            raise lines_error(exc, kwargs.get("engine") or _known_engine()) from exc

    return wrapper  # type: ignore[return-value]


def _known_engine() -> Engine | None:
    try:
        return get_engine()
    except Exception:  # a bad DATABASE_URL: the message names the setting, not the engine
        return None


@_faults
def init_store(*, engine: Engine | None = None) -> list[int]:
    """Create the catalogue's tables and apply pending migrations (idempotent).

    Parameters
    ----------
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    list[int]
        The migration versions applied.
    """
    return migrate(_engine(engine))


# Bidirectional overrides and isolates (U+202A-E, U+2066-9), zero-width characters and marks
# (U+200B-F), the BOM (U+FEFF) are format characters (Cf); tabs, newlines and other controls are Cc.
_SPACES = re.compile(r"\s+")


def clean_name(name: object, *, limit: int = NAME_MAX) -> str:
    """A name as it is stored and shown: control and format characters (category Cc/Cf: right-to-left
    overrides and isolates, zero-width characters, the BOM, ...) and lone surrogates removed; tabs, line
    breaks and line/paragraph separators turned into spaces; runs of space collapsed; trimmed; at most
    ``limit`` characters. The one helper for dataset, preset and saved-item names.

    Parameters
    ----------
    name : object
        The name (None: "").
    limit : int
        Most characters.

    Returns
    -------
    str
        The cleaned name.
    """
    out = []
    for ch in str(name if name is not None else ""):
        cat = unicodedata.category(ch)
        if cat in ("Zl", "Zp") or ch in "\t\n\r\x0b\x0c\x85":
            out.append(" ")
        elif cat not in ("Cc", "Cf", "Cs"):
            out.append(ch)
    return _SPACES.sub(" ", "".join(out)).strip()[:limit].strip()
