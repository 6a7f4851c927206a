"""Page helpers: the fit parameters the page reads from the catalogue (the incrementality ledger) and the
values of the ``by`` parameter (``cached.page_call``)."""


from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from analytics import ledger
from data import engine


def store_params(*, engine=None) -> dict:
    """The fit parameters the page reads from the catalogue: the incrementality ledger's entries (``ledger``,
    :func:`analytics.ledger.fit_value`), so a new or changed entry refits. The report and the page add them.

    Parameters
    ----------
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    dict
        ``{"ledger": ...}``.
    """
    return ledger.store_params(engine=engine)


def by_options(tables: dict[str, ir.Table], params: dict, lang: str = "en") -> list[str]:
    """Values for the ``by`` parameter: channel, campaign and the attribute columns that hold values (at most
    200 distinct ones), counted in the engine. ``tables``: kind -> engine table (a frame is registered).

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table or canonical frame.
    params : dict
        Unused.
    lang : str
        Unused (the options are column names).

    Returns
    -------
    list[str]
        The values.
    """
    ch = tables.get("channels")
    out = ["channel"]
    if ch is None:
        return out
    if isinstance(ch, pd.DataFrame):
        ch = engine.from_frame(ch)
    attrs = [str(c) for c in ch.columns if str(c).startswith("attr_")]
    aggs = {"rows": ch.count()}
    if "campaign" in ch.columns:
        aggs["campaign"] = ch.campaign.count()
    for i, c in enumerate(attrs):
        aggs[f"n{i}"] = ch[c].count()
        aggs[f"d{i}"] = ch[c].nunique()
    row = engine.to_frame(ch.aggregate(**aggs)).iloc[0]
    if not int(row["rows"]):
        return out
    if int(row.get("campaign", 0) or 0):
        out.append("campaign")
    for i, c in enumerate(attrs):
        if int(row[f"n{i}"]) and int(row[f"d{i}"]) <= 200:
            out.append(c[5:])
    return out
