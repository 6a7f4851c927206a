"""Competitor tracking's constants and the helpers on competitor rows: normalised names, week starts,
promotion flags, value matching and finding the own brand among the competitors."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pandas as pd


OWN_MARKERS = {"own", "ours", "our brand", "our store", "us", "self", "本品", "我方", "自有", "自有品牌", "自营",
               "本店", "我们", "我司"}
NO_PROMO = {"", "0", "no", "none", "nan", "null", "false", "n", "-", "无", "否", "没有"}
MIN_WEEKS = 12
MIN_LOG_SD = 0.01
QUIET_CAMPAIGN = 0.05
TREND_METRICS = ("price", "discount", "rating", "reviews", "followers", "share")
MAX_SERIES_CHART = 8
EPS = 1e-9
YES = {"yes", "y", "true", "1", "是", "本品", "own", "x", "✓"}


def norm(s: Any) -> str:
    """A name for matching: NFKC-normalised, case-folded, spaces collapsed.

    Parameters
    ----------
    s : Any
        Any value.

    Returns
    -------
    str
        The normalised text.
    """
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(s)).casefold()).strip()


def norm_col(s: pd.Series) -> pd.Series:
    """``norm`` of every value, computed once per distinct value.

    Parameters
    ----------
    s : pd.Series
        Values.

    Returns
    -------
    pd.Series
        The normalised values (NA stays NA).
    """
    u = s.dropna().unique()
    return s.map(dict(zip(u, (norm(v) for v in u))))


def week_start(d: pd.Series) -> pd.Series:
    """The Monday of each date's week (at midnight).

    Parameters
    ----------
    d : pd.Series
        Dates.

    Returns
    -------
    pd.Series
        The week starts.
    """
    d = pd.to_datetime(d).dt.normalize()
    return d - pd.to_timedelta(d.dt.day_of_week, unit="D")


def _has(df: pd.DataFrame | None, col: str) -> bool:
    return df is not None and col in df.columns and df[col].notna().any()


def promo_flag(s: pd.Series) -> pd.Series:
    """Whether each promotion cell names a promotion (not empty and not a "no promotion" word of NO_PROMO).

    Parameters
    ----------
    s : pd.Series
        The promotion column.

    Returns
    -------
    pd.Series
        Boolean flags.
    """
    txt = s.astype("str").str.strip().str.casefold()
    return s.notna() & ~txt.isin(NO_PROMO)


def _match(own_vals: pd.Series, riv_vals: pd.Series) -> set[str]:
    a = {norm(v) for v in own_vals.dropna().unique()}
    b = {norm(v) for v in riv_vals.dropna().unique()}
    return a & b


def own_attr_columns(columns) -> list[str]:
    """The attribute columns whose name says they flag the own brand (own, is_own, own_brand, 本品, 自有).

    Parameters
    ----------
    columns
        Column names.

    Returns
    -------
    list[str]
        The ``attr_*`` columns flagging the own brand.
    """
    out = []
    for col in columns:
        if not str(col).startswith("attr_"):
            continue
        name = norm(str(col)[5:]).replace("_", " ")
        if "own" in name.split() or "本品" in name or "自有" in name or name in ("is own", "own brand", "ours"):
            out.append(str(col))
    return out


def _flagged(counts: pd.DataFrame) -> str | None:
    """The one competitor all of whose lines are flagged while no other competitor's are, from the lines
    per competitor (``name``) and flag value (``v``) in ``counts`` (column ``n``)."""
    flag = counts["v"].map(lambda v: norm(v) in YES if pd.notna(v) else False).astype(bool)
    if not flag.any():
        return None
    per = counts.assign(f=counts["n"] * flag).groupby("name")[["f", "n"]].sum()
    hits = per.index[per["f"] == per["n"]]
    if len(hits) == 1 and (per.loc[per["f"] != per["n"], "f"] == 0).all():
        return str(hits[0])
    return None


def own_from_flag(df: pd.DataFrame) -> str | None:
    """The own brand from an attribute column flagging it (e.g. ``attr_own_brand`` = yes / 是): the one
    competitor value whose rows are all flagged, when exactly one is.

    Parameters
    ----------
    df : pd.DataFrame
        Competitor observations with ``competitor`` and ``attr_*`` columns.

    Returns
    -------
    str | None
        The own brand's name, or None.
    """
    for col in own_attr_columns(df.columns):
        counts = (df.groupby([df["competitor"], df[col]], dropna=False).size().rename("n").reset_index()
                  .set_axis(["name", "v", "n"], axis=1))
        hit = _flagged(counts.loc[counts["name"].notna()])
        if hit is not None:
            return hit
    return None


def own_brand(df: pd.DataFrame, own_param: str | None) -> tuple[str | None, list]:
    """The own brand among the competitors: the ``own`` parameter (matched case- and width-insensitively),
    else a competitor named like "own" / "本品", else the one flagged by an attribute column.

    Parameters
    ----------
    df : pd.DataFrame
        Competitor observations with ``competitor``.
    own_param : str | None
        The ``own`` parameter, or None.

    Returns
    -------
    tuple[str | None, list]
        The own brand's name (or None) and warnings as (key, kwargs).
    """
    names = pd.Series(df["competitor"].unique())
    notes: list = []
    own_name = None
    if own_param:
        hit = names[names.map(norm) == norm(own_param)]
        if len(hit):
            own_name = str(hit.iloc[0])
        else:
            notes.append(("competitors.warning.own_not_found", {"own": own_param}))
    else:
        hit = names[names.map(norm).isin(OWN_MARKERS)]
        own_name = str(hit.iloc[0]) if len(hit) else own_from_flag(df)
    return own_name, notes
