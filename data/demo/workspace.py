"""The public API: :func:`generate`, every kind's canonical frame of one seed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.schema import KINDS

from .base import START
from .orders import _cust_ids, _lines_frame, _world
from .customers import _customers_frame
from .channels import _channels_frame
from .competitors import _competitors_frame
from .experiments import _experiments_frame
from .feedback import _feedback_frame
from .market import _market_frame, _media_mix_frame
from .live import _content_frame, _creators_frame, _live_sessions_frame
from .audience import _audience_frame


def _complete(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Canonical column order and dtypes (schema fields first, then derived and attr_ columns)."""
    k = KINDS[kind]
    n = len(df)
    for f in k.fields:
        if f.name not in df.columns:
            df[f.name] = pd.Series([None] * n, dtype=object)
        s = df[f.name]
        if f.type in ("float", "int"):
            df[f.name] = pd.to_numeric(s).astype("float64")
        elif f.type == "datetime":
            df[f.name] = pd.to_datetime(s).astype("datetime64[ns]")
        elif f.type == "bool":
            df[f.name] = s.astype("boolean")
        elif s.dtype != "str":
            df[f.name] = s.astype("str").where(s.notna())
    extra = [c for c in df.columns if c not in k.field_names]
    return df[list(k.field_names) + extra].reset_index(drop=True)


def generate(seed: int = 7, *, n_customers: int = 20_000, scale: float = 1.0) -> dict[str, pd.DataFrame]:
    """The demo workspace: kind -> canonical frame (see the module docstring for the story).

    ``n_customers`` sets the customer base (orders, channel and market money follow from it);
    ``scale`` multiplies every row count that is not fixed by the calendar (customers and hence orders,
    experiment units, feedback rows). The same arguments always give identical frames.

    Parameters
    ----------
    seed : int
        Random seed.
    n_customers : int
        Customers of the demo base.
    scale : float
        Multiplier of the row counts not fixed by the calendar.

    Returns
    -------
    dict[str, pd.DataFrame]
        Kind -> canonical frame, for every dataset kind of the demo.
    """
    n_cust = max(50, int(round(n_customers * scale)))
    days, cal, shapes, people, orders, lines = _world(seed, n_cust)
    cust_ids = _cust_ids(n_cust)
    orders_df = _lines_frame(lines, people, cust_ids)
    net_by_channel = np.bincount(lines["channel"], weights=lines["amount"], minlength=7)
    channels_df = _channels_frame(np.random.default_rng([seed, 6]), days, shapes, net_by_channel)
    market_df = _market_frame(np.random.default_rng([seed, 7]), lines)
    ms = market_df.loc[market_df["date"] >= pd.Timestamp(START)]
    our_share = float(ms["our_sales"].sum() / ms["market_size"].sum())
    frames = {
        "orders": orders_df,
        "customers": _customers_frame(np.random.default_rng([seed, 8]), people, lines, orders, cust_ids),
        "channels": channels_df,
        "competitors": _competitors_frame(np.random.default_rng([seed, 10]), days, cal, lines, our_share),
        "experiments": _experiments_frame(np.random.default_rng([seed, 11]), max(300, int(round(30_000 * scale)))),
        "feedback": _feedback_frame(np.random.default_rng([seed, 12]), lines, max(100, int(round(5_000 * scale))),
                                    cust_ids),
        "market": market_df,
        "media_mix": _media_mix_frame(days, cal, lines, channels_df),
        "live_sessions": _live_sessions_frame(np.random.default_rng([seed, 13])),
        "creators": _creators_frame(np.random.default_rng([seed, 14])),
        "content": _content_frame(np.random.default_rng([seed, 15])),
        "audience": _audience_frame(np.random.default_rng([seed, 16]), channels_df),
    }
    return {k: _complete(v, k) for k, v in frames.items()}
