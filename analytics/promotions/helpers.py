"""Page helpers (``cached.page_call``): the model's inputs before fitting, a separate fit's summary, and the
fit parameters the planner reads from the catalogue (the incrementality ledger's entries)."""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from analytics import ledger, mmm
from analytics.channel_names import display_names
from analytics.common import NotEnoughData, jsonable
from analytics.expr import rows as line_count
from data import engine

from .base import RECENT_WEEKS, _defaults
from .fitting import fit_response
from .lines import load_model_data


def store_params(*, engine=None) -> dict:
    """The fit parameters the planner reads from the catalogue: the incrementality ledger's entries
    (``ledger``, :func:`analytics.ledger.fit_value`). The report and the page add them to the parameters.

    Parameters
    ----------
    engine
        Catalogue engine (None: the default).

    Returns
    -------
    dict
        ``{"ledger": ...}``.
    """
    return ledger.store_params(engine=engine)


def model_inputs(tables: dict[str, ir.Table], params: dict, lang: str = "en") -> dict:
    """What the page needs before planning, without fitting: the channels the model will use, their
    recent and highest weekly spend, and the media-mix columns offered as spend / control columns.
    ``tables``: kind -> engine table (canonical frames are registered first).

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters.
    lang : str
        Unused (no text).

    Returns
    -------
    dict
        ``source``, ``channels``, ``channel_labels``, ``current_weekly_spend``, ``hist_max_weekly``,
        ``weeks``, ``last_date``, ``column_options``, ``default_spend_cols``, ``default_control_cols``.
    """
    p = _defaults(params)
    tables = {k: (engine.from_frame(v) if isinstance(v, pd.DataFrame) else v) for k, v in tables.items()
              if v is not None}
    out: dict = {"source": None, "channels": [], "current_weekly_spend": [], "hist_max_weekly": [], "weeks": 0,
                 "last_date": None, "column_options": [], "default_spend_cols": [], "default_control_cols": []}
    mm = tables.get("media_mix")
    if mm is not None and line_count(mm):
        columns = [str(c) for c in mm.columns]
        out["column_options"] = [c[5:] for c in columns if c.startswith("attr_")]
        out["default_spend_cols"] = [c[5:] for c in mmm.default_spend_cols(columns)]
        out["default_control_cols"] = [c[5:] for c in mmm.default_control_cols(columns)]
    try:
        data = load_model_data(tables, p)
    except NotEnoughData:
        return jsonable(out)
    n = len(data.y)
    recent = data.X[-min(RECENT_WEEKS, n):] if n else data.X
    out.update({"source": data.source, "channels": list(data.channels),
                "channel_labels": {lg: display_names(data.channels, lg) for lg in ("en", "zh")},
                "current_weekly_spend": recent.mean(axis=0).tolist() if n else [],
                "hist_max_weekly": data.X.max(axis=0).tolist() if n else [], "weeks": n,
                "last_date": data.dates[-1] if n else None})
    return jsonable(out)


def fit_ready(tables: dict[str, ir.Table], params: dict, lang: str = "en") -> dict:
    """Fit the response model for the fit parameters and return a small summary (channels, weeks, source,
    fit seconds, holdout MAPE); raises ``NotEnoughData`` as :func:`fit` does. ``tables``: kind -> engine
    table. (The page's cached fit is ``analytics.cached.page_fit``; this is a separate fit.)

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table.
    params : dict
        The page's parameters.
    lang : str
        Unused (no text).

    Returns
    -------
    dict
        ``channels``, ``weeks``, ``source``, ``fit_seconds``, ``holdout_mape``.
    """
    if not any(tables.get(k) is not None for k in ("media_mix", "channels")):
        raise NotEnoughData("promotions.error.no_data")
    fit = fit_response(tables, params)
    return jsonable({"channels": list(fit.data.channels), "weeks": len(fit.data.y), "source": fit.data.source,
                     "fit_seconds": fit.fit_seconds, "holdout_mape": fit.holdout.get("mape")})
