"""A quantity-only orders export (Tianchi's mum-and-baby layout, issue 14 item 3) on the pages: the market
overview, segmentation explorer and persona builder render, say that the export has no amounts, and show
no sales figure."""

from __future__ import annotations

import pytest

from tests.app.conftest import make_app, texts

NOTE = "This export has no amounts"


@pytest.fixture(scope="module")
def qty_id(workspace):
    """The Tianchi-layout file ingested through the real path into the workspace; removed afterwards, so the
    other page tests keep the demo orders as the default pick."""
    from analytics import cached
    from data import ingest, repository
    from data.access import Actor
    from tests.tianchi_like import tianchi_csv

    info = ingest.ingest_bytes(tianchi_csv(), filename="tianchi_trade_history.csv", kind="orders", uploaded_by="ana")
    cached.list_datasets.clear()
    yield info["id"]
    repository.delete_dataset(dataset_id=info["id"], actor=Actor("admin", "admin"))
    cached.list_datasets.clear()


@pytest.mark.parametrize("script", ["pages/market_overview.py", "pages/segmentation_explorer.py",
                                    "pages/persona_builder.py"])
def test_page_renders_without_money(workspace, qty_id, script):
    at = make_app("ana", page=script, query={"o": str(qty_id), "cu": "0"}).run()
    assert not at.exception
    body = texts(at)
    assert NOTE in body
    assert "This page needs" not in body


def test_market_cards_show_units_not_empty_money(workspace, qty_id):
    at = make_app("ana", page="pages/market_overview.py", query={"o": str(qty_id), "cu": "0"}).run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["Net units", "Units sold", "Units returned"]
    assert "Net sales" not in labels and "AOV" not in labels
    assert all(m.value not in ("—", "0", "0.00") for m in at.metric[:2])
