"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest


@pytest.fixture()
def engine(tmp_path):
    """A fresh, migrated SQLite catalogue in the test's folder (its lines directory beside it)."""
    from data import repository
    from data.db import make_engine

    eng = make_engine(f"sqlite:///{tmp_path / 'prism.db'}")
    repository.init_store(engine=eng)
    yield eng
    eng.dispose()
