"""SQLModel tables: datasets and their revisions, one fact table per canonical kind, saved objects.

Fact tables mirror data/schema.py field for field (tests/unit/test_store.py checks it). Every fact row
carries ``dataset_id`` and ``line`` (its 1-based row number in the source file); attributes (source
columns mapped to no field) are kept in ``attrs`` as a JSON object.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from pydantic import NaiveDatetime
from sqlalchemy import LargeBinary, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time in UTC (timezone-aware), the catalogue's timestamps.

    Returns
    -------
    datetime
        The time.
    """
    return datetime.now(timezone.utc)


class Dataset(SQLModel, table=True):
    __tablename__ = "dataset"
    # ids are never reused after a delete: caches and share links key on them
    __table_args__ = {"sqlite_autoincrement": True}
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    kind: str = Field(index=True)
    revision: int = 1
    content_hash: str = Field(index=True)
    rows: int = 0
    rejected_rows: int = 0
    flagged_returns: int = 0
    mapping: str = Field(default="{}", sa_type=Text, nullable=False)  # JSON field -> source column
    attributes: str = Field(default="[]", sa_type=Text, nullable=False)  # JSON list of attr columns
    source_file: str = ""
    uploaded_by: str = ""
    uploaded_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    description: str = ""  # added in migration 2
    fields: str = Field(default="[]", sa_type=Text, nullable=False)  # JSON list of non-empty fields; migration 3


class DatasetRevision(SQLModel, table=True):
    __tablename__ = "dataset_revision"
    id: Optional[int] = Field(default=None, primary_key=True)
    dataset_id: int = Field(index=True)
    revision: int
    action: str  # create | append | replace
    content_hash: str = Field(index=True)
    rows_added: int = 0
    rows_total: int = 0
    rejected_rows: int = 0
    source_file: str = ""
    uploaded_by: str = ""
    uploaded_at: datetime = Field(default_factory=utcnow)
    # JSON list of the Parquet parts holding this revision's lines (data/engine.py); migration 5
    parts: Optional[str] = Field(default=None, sa_type=Text, nullable=True)
    # a connected revision (data/connect.py): JSON spec of the warehouse table, mapping and fingerprint,
    # instead of parts; migration 6
    source: Optional[str] = Field(default=None, sa_type=Text, nullable=True)


class _Fact(SQLModel):
    id: Optional[int] = Field(default=None, primary_key=True)
    dataset_id: int = Field(index=True)
    line: Optional[int] = None
    attrs: Optional[str] = Field(default=None, sa_type=Text, nullable=True)


class OrderLine(_Fact, table=True):
    __tablename__ = "orders"
    order_id: Optional[str] = None
    order_date: Optional[NaiveDatetime] = None
    customer_id: Optional[str] = None
    product_id: Optional[str] = None
    product_name: Optional[str] = None
    category: Optional[str] = None
    quantity: Optional[float] = None
    unit_price: Optional[float] = None
    amount: Optional[float] = None
    discount: Optional[float] = None
    channel: Optional[str] = None
    region: Optional[str] = None
    city: Optional[str] = None
    status: Optional[str] = None
    campaign: Optional[str] = None
    is_return: Optional[bool] = None


class CustomerRow(_Fact, table=True):
    __tablename__ = "customers"
    customer_id: Optional[str] = None
    gender: Optional[str] = None
    age: Optional[float] = None
    birth_year: Optional[float] = None
    region: Optional[str] = None
    city: Optional[str] = None
    city_tier: Optional[str] = None
    signup_date: Optional[NaiveDatetime] = None
    member_level: Optional[str] = None
    occupation: Optional[str] = None
    income: Optional[float] = None
    interests: Optional[str] = None
    acquisition_channel: Optional[str] = None
    points: Optional[float] = None


class ChannelStat(_Fact, table=True):
    __tablename__ = "channels"
    date: Optional[NaiveDatetime] = None
    channel: Optional[str] = None
    campaign: Optional[str] = None
    spend: Optional[float] = None
    impressions: Optional[float] = None
    clicks: Optional[float] = None
    conversions: Optional[float] = None
    revenue: Optional[float] = None
    video_views: Optional[float] = None
    likes: Optional[float] = None
    comments: Optional[float] = None
    shares: Optional[float] = None
    followers_gained: Optional[float] = None


class CompetitorObs(_Fact, table=True):
    __tablename__ = "competitors"
    date: Optional[NaiveDatetime] = None
    competitor: Optional[str] = None
    product: Optional[str] = None
    category: Optional[str] = None
    price: Optional[float] = None
    list_price: Optional[float] = None
    promo: Optional[str] = None
    sales_volume: Optional[float] = None
    rating: Optional[float] = None
    reviews: Optional[float] = None
    followers: Optional[float] = None
    share: Optional[float] = None


class ExperimentUnit(_Fact, table=True):
    __tablename__ = "experiments"
    unit_id: Optional[str] = None
    group: Optional[str] = None
    converted: Optional[bool] = None
    revenue: Optional[float] = None
    visited: Optional[bool] = None
    pre_period_value: Optional[float] = None
    exposure_date: Optional[NaiveDatetime] = None


class FeedbackRow(_Fact, table=True):
    __tablename__ = "feedback"
    date: Optional[NaiveDatetime] = None
    campaign: Optional[str] = None
    channel: Optional[str] = None
    customer_id: Optional[str] = None
    rating: Optional[float] = None
    nps: Optional[float] = None
    comment: Optional[str] = None


class MarketPoint(_Fact, table=True):
    __tablename__ = "market"
    date: Optional[NaiveDatetime] = None
    segment: Optional[str] = None
    market_size: Optional[float] = None
    our_sales: Optional[float] = None


class MediaMixRow(_Fact, table=True):
    __tablename__ = "media_mix"
    date: Optional[NaiveDatetime] = None
    outcome: Optional[float] = None


FACT_TABLES: dict[str, type[_Fact]] = {
    "orders": OrderLine,
    "customers": CustomerRow,
    "channels": ChannelStat,
    "competitors": CompetitorObs,
    "experiments": ExperimentUnit,
    "feedback": FeedbackRow,
    "market": MarketPoint,
    "media_mix": MediaMixRow,
}


class MappingPreset(SQLModel, table=True):
    """A saved column mapping for an export source (e.g. "Taobao 生意参谋 orders")."""

    __tablename__ = "mapping_preset"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    kind: str = Field(index=True)
    mapping: str = Field(default="{}", sa_type=Text, nullable=False)
    owner: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class SavedObject(SQLModel, table=True):
    """Saved personas, promotion plans and other named results (kind says which)."""

    __tablename__ = "saved_object"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(index=True)  # persona | plan
    name: str
    owner: str = ""
    payload: str = Field(default="{}", sa_type=Text, nullable=False)  # JSON
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DatasetSnapshot(SQLModel, table=True):
    """A columnar (Parquet) copy of a dataset's current revision, written in the upload's transaction.

    Pages load a revision from here in a fraction of a second instead of re-reading every row
    (DESIGN.md §2); the fact rows stay the source for SQL queries and for files without a snapshot.
    """

    __tablename__ = "dataset_snapshot"
    dataset_id: int = Field(primary_key=True)
    revision: int
    format: str = "parquet"
    data: bytes = Field(sa_type=LargeBinary, nullable=False)


class SchemaVersion(SQLModel, table=True):
    __tablename__ = "schema_version"
    version: int = Field(primary_key=True)
    description: str = ""
    applied_at: datetime = Field(default_factory=utcnow)
