"""The Data page: several files of one export (Olist's layout) reviewed and stored as one dataset."""

from __future__ import annotations

from data import repository
from tests import olist_like
from tests.app.conftest import make_app, texts


def _datasets():
    return {d["id"]: d for d in repository.list_datasets()}


def test_four_olist_files_are_joined_reviewed_and_stored_as_one_dataset(workspace):
    files = olist_like.files(n_orders=40, seed=5)
    want = olist_like.expected(files)
    before = _datasets()
    at = make_app("ana", page="pages/data_manager.py").run()
    at.file_uploader[0].set_value([(n, b, "text/csv") for n, b in files.items()])
    at = at.run()
    assert not at.exception
    body = texts(at)
    print(body)
