"""Every declared table's label and help keys exist in both languages (analytics/tables.py).

A ``Col(label="ledger.field.lift")`` whose key is missing shows the raw key as a column header; the locale
test (test_locales.py) reads the lookups of the code, this one the tables the modules declare."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import analytics
from analytics import tables
from analytics.i18n import LANGS, t


def _modules_with_tables() -> list[str]:
    out = []
    for info in pkgutil.walk_packages(analytics.__path__, "analytics."):
        if info.name.endswith("__main__") or info.name == "analytics.cached":
            continue
        mod = importlib.import_module(info.name)
        if isinstance(getattr(mod, "TABLES", None), dict) and mod.__name__ == info.name:
            out.append(info.name)
    return out


MODULES = _modules_with_tables()


def test_the_modules_with_declared_tables_are_found():
    assert {"analytics.ledger", "analytics.recommend", "analytics.channels", "analytics.promotions"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_declared_label_and_help_keys_exist_in_both_languages(name):
    mod = importlib.import_module(name)
    missing = []
    for table, cols in mod.TABLES.items():
        for c in map(tables.as_col, cols):
            keys = [k for k in (c.label or "").split(" · ") if k] + ([c.help] if c.help else [])
            for key in keys:
                for lang in LANGS:
                    if t(key, lang) == key:
                        missing.append((table, c.key, key, lang))
    assert missing == []
