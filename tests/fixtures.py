"""Canonical frames built straight from the public data sets in tests/data with plain pandas (independent of
ingest).

Tests of analytics use these; tests of ingest check that ingest produces the same frames.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from data.schema import KINDS

# The repository carries the copies its tests use (tests/data/*/SOURCE.md: origin, licence, checksums),
# so a bare clone's `make test` passes with nothing beside it.
DATA = Path(__file__).resolve().parent / "data"
SHARED = DATA  # older name, kept for the tests that import it


def _complete(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    k = KINDS[kind]
    for f in k.fields:
        if f.name not in df.columns:
            if f.type == "datetime":
                df[f.name] = pd.NaT
            elif f.type in ("float", "int"):
                df[f.name] = np.nan
            elif f.type == "bool":
                df[f.name] = pd.array([pd.NA] * len(df), dtype="boolean")
            else:
                df[f.name] = pd.Series([None] * len(df), dtype="str")
    extra = [c for c in df.columns if c not in k.field_names]
    return df[list(k.field_names) + extra]


@lru_cache(maxsize=None)
def online_retail_raw() -> pd.DataFrame:
    return pd.read_csv(
        SHARED / "online_retail" / "online_retail.csv.gz",
        dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": "Int64"},
        parse_dates=["InvoiceDate"],
    )


def online_retail_orders() -> pd.DataFrame:
    """Online Retail as canonical orders (541,909 lines)."""
    raw = online_retail_raw()
    df = pd.DataFrame(
        {
            "order_id": raw["InvoiceNo"].astype("str"),
            "order_date": raw["InvoiceDate"].astype("datetime64[ns]"),
            "customer_id": raw["CustomerID"].astype("str").where(raw["CustomerID"].notna(), None),
            "product_id": raw["StockCode"].astype("str"),
            "product_name": raw["Description"].astype("str"),
            "quantity": raw["Quantity"].astype(float),
            "unit_price": raw["UnitPrice"].astype(float),
            "region": raw["Country"].astype("str"),
        }
    )
    df["amount"] = df["quantity"] * df["unit_price"]
    df["is_return"] = (df["quantity"] < 0) | (df["amount"] < 0) | df["order_id"].str.startswith("C")
    df = _complete(df, "orders")
    return df


def hillstrom_experiments() -> pd.DataFrame:
    raw = pd.read_csv(SHARED / "hillstrom" / "hillstrom.csv.gz")
    df = pd.DataFrame(
        {
            "unit_id": pd.Series(np.arange(1, len(raw) + 1)).astype("str"),
            "group": raw["segment"].astype("str"),
            "converted": raw["conversion"].astype("boolean"),
            "revenue": raw["spend"].astype(float),
            "visited": raw["visit"].astype("boolean"),
            "pre_period_value": raw["history"].astype(float),
        }
    )
    for c in ("recency", "history_segment", "mens", "womens", "zip_code", "newbie", "channel"):
        df["attr_" + c] = raw[c]
    return _complete(df, "experiments")


def cdnow_orders() -> pd.DataFrame:
    """CDNOW sample: each line one order; customer = sample id; amount = dollar value."""
    raw = pd.read_csv(
        SHARED / "cdnow" / "CDNOW_sample.txt", sep=r"\s+", header=None,
        names=["master_id", "customer_id", "date", "quantity", "amount"], dtype={"date": str},
    )
    df = pd.DataFrame(
        {
            "order_id": pd.Series(np.arange(1, len(raw) + 1)).astype("str"),
            "order_date": pd.to_datetime(raw["date"], format="%Y%m%d").astype("datetime64[ns]"),
            "customer_id": raw["customer_id"].astype("str"),
            "quantity": raw["quantity"].astype(float),
            "amount": raw["amount"].astype(float),
        }
    )
    df["is_return"] = False
    df["attr_master_id"] = raw["master_id"]
    return _complete(df, "orders")


def cdnow_summary() -> pd.DataFrame:
    return pd.read_csv(SHARED / "cdnow" / "cdnow_customers_summary.csv")


def mmm_example_media_mix() -> pd.DataFrame:
    raw = pd.read_csv(SHARED / "pymc_marketing_mmm_example" / "mmm_example.csv", parse_dates=["date_week"])
    df = pd.DataFrame({"date": raw["date_week"].astype("datetime64[ns]"), "outcome": raw["y"].astype(float)})
    for c in ("x1", "x2", "event_1", "event_2", "dayofyear", "t"):
        df["attr_" + c] = raw[c].astype(float)
    return _complete(df, "media_mix")


def stored_frames(dataset_ids: list[int]) -> dict[str, pd.DataFrame]:
    """Stored datasets read back whole as canonical frames (tests comparing ``compute`` with a page)."""
    from data import repository

    out = {}
    for ds_id in dataset_ids:
        info = repository.get_dataset(dataset_id=int(ds_id))
        out[info["kind"]] = repository.load_frame(dataset_id=int(ds_id))
    return out
