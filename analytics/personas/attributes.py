"""Attribute builders: the customer-level attributes of the base (spend, frequency and recency bands, the
demographics of the customers file, its own ``attr_*`` columns), each customer's segment key, and the attribute
counts per segment (values beyond the MAX_VALUES most frequent pooled as "other")."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics import segmentation as seg

from .base import MAX_VALUES

def _quantile_codes(values: pd.Series, qs, fmt) -> tuple[np.ndarray, list[str]]:
    """Band codes (-1: missing value) and band labels of :func:`_bands_by_quantile`."""
    v = values.to_numpy(dtype=float)
    edges = sorted(set(seg._nice(x) for x in np.quantile(v[~np.isnan(v)], qs) if np.isfinite(x) and x > 0))
    if not edges:
        return np.zeros(len(v), dtype=np.int64), ["all"]
    labels = [f"< {fmt(edges[0])}"] + [f"{fmt(a)}-{fmt(b)}" for a, b in zip(edges[:-1], edges[1:])] + \
        [f"≥ {fmt(edges[-1])}"]
    idx = np.searchsorted(np.array(edges), v, side="right")
    return np.where(np.isnan(v), -1, idx), labels


def _bands_by_quantile(values: pd.Series, qs, fmt) -> tuple[pd.Series, list[str]]:
    code, labels = _quantile_codes(values, qs, fmt)
    out = pd.Series(np.array(labels, dtype=object)[np.maximum(code, 0)], index=values.index)
    return out.where(code >= 0), labels


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:g}"


def segment_keys(tab: pd.DataFrame, source: str) -> np.ndarray:
    """Each customer's segment of the source as text, as :func:`segment_key` writes a page's segment
    value (None where no value can select the customer: a missing cluster or tier).

    Parameters
    ----------
    tab : pd.DataFrame
        The base (the source's column: ``group``, ``group_cn``, ``cluster`` or ``tier``; ValueError when
        missing).
    source : str
        rfm, cn8, cluster or tier.

    Returns
    -------
    np.ndarray
        One key (or None) per customer.
    """
    col = {"rfm": "group", "cn8": "group_cn"}.get(source, source)
    if col not in tab.columns:
        raise ValueError(f"the frame has no {col!r} column; build it with the matching option")
    # each distinct key written once (the customers' cells refer to it)
    if source in ("cluster", "tier"):
        vc, vu = pd.factorize(tab[col].to_numpy(dtype=float), use_na_sentinel=False)
        text = [str(int(x)) if np.isfinite(x) and x == int(x) else None for x in vu]
    else:
        vc, vu = pd.factorize(tab[col], use_na_sentinel=False)
        text = [np.nan if pd.isna(x) else str(x) for x in vu]  # as astype("str"): missing stays NaN
    return np.array(text, dtype=object)[vc] if len(vc) else np.array([], dtype=object)


def segment_key(source: str, value) -> str | None:
    """The key of a segment value (analytics.segmentation.segment_mask's matching: clusters and tiers by
    number, groups by text); None when the value selects no customer.

    Parameters
    ----------
    source : str
        The segment source.
    value
        The segment's value.

    Returns
    -------
    str | None
        The key, or None.
    """
    if source in ("cluster", "tier"):
        try:
            f = float(value)
        except (TypeError, ValueError):
            return None
        return str(int(f)) if math.isfinite(f) and f == int(f) else None
    return str(value)


def customer_attribute_parts(tab: pd.DataFrame, customers: pd.DataFrame | None,
                             ad: pd.Timestamp) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Customer-level attributes of the customers of ``tab``: (attribute, positions in tab, values as
    text) per attribute, only known values (interests: one row per customer and tag).

    Parameters
    ----------
    tab : pd.DataFrame
        The base (``customer_id``, ``monetary``, ``frequency``, ``recency_days``).
    customers : pd.DataFrame | None
        The customers frame (:func:`customer_fields`), or None.
    ad : pd.Timestamp
        Analysis date (ages from birth years).

    Returns
    -------
    list[tuple[str, np.ndarray, np.ndarray]]
        (attribute, positions, values) per attribute.
    """
    return behaviour_parts(tab) + demographic_parts(tab["customer_id"], customers, ad)


def _adder(parts: list) -> "callable":
    def add(name: str, codes: np.ndarray, values: pd.Series) -> None:
        # each distinct value as text once; the customers' cells refer to it (a million customers' bands
        # are not a million str objects)
        vc, vu = pd.factorize(values)  # missing: -1
        text = np.array([str(x) for x in vu] + ["nan"], dtype=object)
        ok = text[vc] != "nan"
        parts.append((name, codes[ok], text[vc[ok]]))
    return add


def behaviour_parts(tab: pd.DataFrame) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """spend_band (base quintiles of monetary), frequency_band and recency_band of the customers of ``tab``.

    Parameters
    ----------
    tab : pd.DataFrame
        The base (``monetary``, ``frequency``, ``recency_days``).

    Returns
    -------
    list[tuple[str, np.ndarray, np.ndarray]]
        (attribute, positions, values) for the three bands.
    """
    pos = np.arange(len(tab))
    code, labels = _quantile_codes(tab["monetary"], [0.2, 0.4, 0.6, 0.8], _num)
    ok = code >= 0
    parts: list[tuple[str, np.ndarray, np.ndarray]] = [("spend_band", pos[ok], np.array(labels, dtype=object)[code[ok]])]
    # pd.cut's bins (right-closed) as integer codes; values outside them are left out, as pd.cut's NaN was
    for name, col, edges, labels in (
            ("frequency_band", "frequency", [0, 1, 2, 5, 10, np.inf], ["1", "2", "3-5", "6-10", "11+"]),
            ("recency_band", "recency_days", [-1, 30, 90, 180, 365, np.inf],
             ["0-30", "31-90", "91-180", "181-365", "365+"])):
        code = np.searchsorted(np.array(edges, float), tab[col].to_numpy(dtype=float), side="left") - 1
        ok = (code >= 0) & (code < len(labels))
        parts.append((name, pos[ok], np.array(labels, dtype=object)[code[ok]]))
    return parts


def demographic_parts(ids: pd.Series, customers: pd.DataFrame | None,
                      ad: pd.Timestamp) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The CUSTOMER_ATTRS of the customers ``ids`` (positions 0..n-1) from the customers frame.

    Parameters
    ----------
    ids : pd.Series
        Customer ids, in base order.
    customers : pd.DataFrame | None
        The customers frame, or None.
    ad : pd.Timestamp
        Analysis date (ages from birth years).

    Returns
    -------
    list[tuple[str, np.ndarray, np.ndarray]]
        (attribute, positions, values) per attribute with data.
    """
    parts: list[tuple[str, np.ndarray, np.ndarray]] = []
    add, pos = _adder(parts), np.arange(len(ids))
    if customers is not None and len(customers) and "customer_id" in customers.columns:
        c = customers.loc[customers["customer_id"].notna()].copy()
        c["customer_id"] = c["customer_id"].astype("str")
        c = c.drop_duplicates("customer_id", keep="last").set_index("customer_id")
        c = c.reindex(pd.Series(ids).to_numpy())
        c.index = pos
        age = c["age"].astype(float) if "age" in c.columns else pd.Series(np.nan, index=c.index)
        if "birth_year" in c.columns:
            age = age.fillna(ad.year - c["birth_year"].astype(float))
        if age.notna().any():
            band = pd.cut(age, [0, 17, 24, 29, 34, 39, 49, np.inf],
                          labels=["<18", "18-24", "25-29", "30-34", "35-39", "40-49", "50+"]).astype("str")
            add("age_band", pos, band.where(age.notna()))
        if "income" in c.columns and c["income"].notna().any():
            inc, _ = _bands_by_quantile(c["income"], [0.25, 0.5, 0.75], _num)
            add("income_band", pos, inc)
        for col in ("gender", "city_tier", "region", "member_level", "occupation", "acquisition_channel"):
            if col in c.columns and c[col].notna().any():
                add(col, pos, c[col].astype("str").str.strip().where(c[col].notna()))
        if "interests" in c.columns and c["interests"].notna().any():
            tags = c["interests"].dropna().astype("str").str.split(r"[,，;；|/、]+", regex=True).explode()
            tags = tags.str.strip()
            tags = tags[tags != ""]
            pairs = pd.DataFrame({"code": tags.index.to_numpy(np.int64), "value": tags.to_numpy()}).drop_duplicates()
            add("interests", pairs["code"].to_numpy(), pairs["value"])
    return parts


CRM_FLAG_VALUES = 6  # a numeric CRM column with at most this many whole values is read as categories


def crm_attribute_parts(frame: pd.DataFrame, categorical, numeric) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The customers file's own columns (unmapped ``attr_*`` columns, customers-only mode), customers at
    positions 0..n-1 of ``frame``: text columns as they are; numeric columns with at most CRM_FLAG_VALUES
    whole values (flags such as Response or AcceptedCmp1, counts such as Kidhome) by value; other numeric
    columns in base quintile bands (like the spend band).

    Parameters
    ----------
    frame : pd.DataFrame
        The CRM rows.
    categorical
        Text columns.
    numeric
        Numeric columns.

    Returns
    -------
    list[tuple[str, np.ndarray, np.ndarray]]
        (attribute, positions, values) per ``attr_*`` column.
    """
    parts: list[tuple[str, np.ndarray, np.ndarray]] = []
    add, pos = _adder(parts), np.arange(len(frame))
    for c in categorical:
        if c.startswith("attr_"):
            add(c, pos, frame[c].astype("str").str.strip().where(frame[c].notna()))
    for c in numeric:
        if not c.startswith("attr_"):
            continue
        v = frame[c].astype(float)
        vals = v.dropna().unique()
        if len(vals) <= CRM_FLAG_VALUES and np.all(vals == np.round(vals)):
            add(c, pos, v.map(lambda x: None if pd.isna(x) else str(int(x))))
        else:
            add(c, pos, _bands_by_quantile(v, [0.2, 0.4, 0.6, 0.8], _num)[0])
    return parts


def _rare(base: pd.DataFrame) -> pd.DataFrame:
    """(attribute, value) rows of ``base`` (columns attribute, value, n; sorted by attribute and value)
    beyond the MAX_VALUES largest n of their attribute (ties: the earlier value ranks first)."""
    rank = base.groupby("attribute")["n"].rank(method="first", ascending=False)
    return base.loc[rank > MAX_VALUES, ["attribute", "value"]]


def _pooled(df: pd.DataFrame, rare: pd.DataFrame) -> pd.Series:
    """The value column of ``df`` with the rare (attribute, value) pairs as "other"."""
    if rare.empty:
        return df["value"]
    key = df["attribute"] + "\x00" + df["value"].astype("str")
    rk = set(rare["attribute"] + "\x00" + rare["value"].astype("str"))
    return df["value"].where(~key.isin(rk).to_numpy(), "other")


def customer_counts(parts: list[tuple[str, np.ndarray, np.ndarray]], keys: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customer attribute counts per segment key: (segment, attribute, value, count) rows, values beyond
    the MAX_VALUES most frequent of an attribute pooled as "other"; and (segment, attribute, n): the
    customers of the segment with a known value.

    Parameters
    ----------
    parts : list[tuple[str, np.ndarray, np.ndarray]]
        (attribute, positions, values) per attribute.
    keys : np.ndarray
        Segment key per customer.

    Returns
    -------
    tuple[pd.DataFrame, pd.DataFrame]
        The counts (``segment``, ``attribute``, ``value``, ``count``) and the known-value counts (``segment``,
        ``attribute``, ``n``).
    """
    counts, ns = [], []
    # integer codes (sorted, a missing segment last: the order of a groupby with dropna=False), then
    # counts per code pair: no hashing of a million text cells per attribute
    kc, ku = pd.factorize(np.asarray(keys, dtype=object), sort=True, use_na_sentinel=False)
    nk = max(len(ku), 1)
    for name, codes, values in parts:
        vc, vu = pd.factorize(np.asarray(values, dtype=object), sort=True, use_na_sentinel=False)
        pair = np.bincount(kc[codes].astype(np.int64) * len(vu) + vc, minlength=nk * len(vu))
        hit = np.flatnonzero(pair)
        counts.append(pd.DataFrame({"segment": ku[hit // max(len(vu), 1)], "value": vu[hit % max(len(vu), 1)],
                                    "count": pair[hit].astype(np.int64)}).assign(attribute=name))
        known = np.zeros(len(kc), dtype=bool)
        known[codes] = True
        per = np.bincount(kc[known], minlength=nk)  # customers with a known value
        hit = np.flatnonzero(per)
        ns.append(pd.DataFrame({"segment": ku[hit], "n": per[hit].astype(np.int64)}).assign(attribute=name))
    cols = ["segment", "attribute", "value", "count"]
    if not counts:
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=["segment", "attribute", "n"])
    cc = pd.concat(counts, ignore_index=True)[cols]
    base = cc.groupby(["attribute", "value"])["count"].sum().rename("n").reset_index()
    rare = _rare(base)
    if not rare.empty:
        cc = cc.assign(value=_pooled(cc, rare)).groupby(["segment", "attribute", "value"], dropna=False)["count"] \
            .sum().reset_index()
    return cc, pd.concat(ns, ignore_index=True)[["segment", "attribute", "n"]]
