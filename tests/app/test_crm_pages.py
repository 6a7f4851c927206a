"""Customers-only mode on the pages (issue 14 item 6): with a CRM file in the iFood layout and no orders
dataset picked, the segmentation explorer and the persona builder render their analyses and say what
they cannot do without order lines."""

from __future__ import annotations

import pytest

from tests.app.conftest import _add_dataset, make_app, texts


@pytest.fixture(scope="module")
def crm_id(workspace):
    """An iFood-layout CRM (300 customers) as a customers dataset; removed afterwards, so the other page
    tests keep the demo customers as the default pick."""
    from data import repository
    from data.access import Actor
    from tests.ifood import ifood_frame

    df = ifood_frame(300)
    df = df.rename(columns={"ID": "customer_id", "Year_Birth": "birth_year", "Income": "income"})
    df = df.rename(columns={c: f"attr_{c}" for c in df.columns if c not in ("customer_id", "birth_year", "income")})
    df["customer_id"] = df["customer_id"].astype(str)
    ds = _add_dataset("customers", df, "iFood CRM")
    yield ds
    from analytics import cached

    repository.delete_dataset(dataset_id=ds, actor=Actor("admin", "admin"))
    cached.list_datasets.clear()


def test_segmentation_runs_on_the_crm_alone(workspace, crm_id):
    at = make_app("ana", page="pages/segmentation_explorer.py", query={"o": "0", "cu": str(crm_id)}).run()
    assert not at.exception
    body = texts(at)
    assert "Customers-only mode" in body and "300" in body
    assert "Without order lines this page cannot show" in body and "cohort retention" in body
    assert "RFM from the customers file's own columns" in body and "NumWebPurchases" in body
    assert "This page needs" not in body


def test_persona_builder_runs_on_the_crm_alone(workspace, crm_id):
    at = make_app("ana", page="pages/persona_builder.py",
                  query={"o": "0", "cu": str(crm_id), "source": "attribute"}).run()
    assert not at.exception
    body = texts(at)
    assert "Customers-only mode" in body and "cannot show" in body
    assert "Left out of the card because they define the segment: Response" in body
    assert at.selectbox(key="persona-builder:segment").value == "attr_Response=1"
    at.radio(key="persona-builder:source").set_value("rfm").run()
    assert not at.exception and "Champions" in texts(at)
