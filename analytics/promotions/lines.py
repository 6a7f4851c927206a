"""Engine queries over the selected lines: the model's weekly series (media-mix rows, channel spend, channel
revenue and net sales per week; :func:`load_model_data` builds the model's weekly arrays from them) and the
orders' values for the incentive economics (:class:`OrderValues`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics import mmm
from analytics.common import NotEnoughData
from analytics.expr import fsum, in_dates
from analytics.expr import rows as line_count
from data import engine


@dataclass(frozen=True)
class OrderValues:
    """The orders' values, for the incentive economics: how many orders, their mean value and how many
    reach a spend threshold (any threshold, so a new coupon or 满减 never asks the engine again).

    Attributes
    ----------
    orders : int
        Orders with a dated sale line in the date window (the order value is the sum of their sale lines'
        amounts).
    mean : float
        Mean order value (AOV).
    values : numpy.ndarray
        The distinct order values, ascending.
    counts : numpy.ndarray
        Orders with each of those values.
    weeks : float
        Weeks from the first to the last dated order line of the whole dataset (at least 1): the base
        order rate is ``orders / weeks`` per week.
    """

    orders: int
    mean: float
    values: np.ndarray
    counts: np.ndarray
    weeks: float

    def share_at_least(self, threshold: float) -> float:
        """Share of the orders whose value is at least ``threshold``.

        Parameters
        ----------
        threshold : float
            The order value.

        Returns
        -------
        float
            The share.
        """
        i = int(np.searchsorted(self.values, threshold, side="left"))
        return float(self.counts[i:].sum() / self.orders)


def order_values(orders: ir.Table, start: Any = None, end: Any = None) -> OrderValues | None:
    """:class:`OrderValues` of the orders (engine table) in [start, end]: sale lines summed per order id
    and the orders counted per value in the engine. None without a dated sale line.

    Parameters
    ----------
    orders : ir.Table
        Order lines.
    start : Any
        First day, or None.
    end : Any
        Last day, or None.

    Returns
    -------
    OrderValues | None
        The orders' values, or None.
    """
    if "is_return" in orders.columns:
        sale = ~orders.is_return.cast("boolean").fill_null(False)
    else:
        sale = ibis.literal(True)
    o = in_dates(orders, "order_date", start, end)
    o = o.filter(o.order_date.notnull() & sale & o.order_id.notnull())
    per = o.group_by(oid=o.order_id.cast("string")).aggregate(v=fsum(o.amount.cast("float64")).fill_null(0.0))
    hist = engine.to_frame(per.group_by("v").aggregate(n=per.count()))
    if hist.empty:
        return None
    stats = engine.to_frame(per.aggregate(n=per.count(), s=fsum(per.v)))
    dated = orders.filter(orders.order_date.notnull())
    span = engine.to_frame(dated.aggregate(d0=dated.order_date.min(), d1=dated.order_date.max()))
    days = (pd.Timestamp(span["d1"].iloc[0]) - pd.Timestamp(span["d0"].iloc[0])).days
    hist = hist.sort_values("v")
    n = int(stats["n"].iloc[0])
    return OrderValues(orders=n, mean=float(stats["s"].iloc[0]) / n, values=hist["v"].to_numpy(dtype=float),
                       counts=hist["n"].to_numpy(dtype=np.int64), weeks=max(days / 7.0, 1.0))


def media_mix_rows(mm: ir.Table, start: Any = None, end: Any = None) -> pd.DataFrame:
    """The media-mix lines in [start, end], materialised in their stored order: one row per week (or day) by
    nature, and the model needs each row's outcome, spend and controls.

    Parameters
    ----------
    mm : ir.Table
        The media_mix lines.
    start : Any
        First day, or None.
    end : Any
        Last day, or None.

    Returns
    -------
    pd.DataFrame
        The rows (``date`` and the media_mix columns).
    """
    t = mm.mutate(_pos=ibis.row_number())
    t = in_dates(t, "date", start, end)
    df = engine.to_frame(t.order_by("_pos")).drop(columns=["_pos"] + [c for c in (engine.LINE,) if c in t.columns])
    df["date"] = df["date"].astype("datetime64[ns]")
    return df


def weekly_channel_spend(ch: ir.Table) -> pd.DataFrame:
    """Spend per Monday-based week (rows) and channel (columns, as text), summed in the engine over the
    channel lines with a date and a channel; 0 where a channel has no line that week.

    Parameters
    ----------
    ch : ir.Table
        Channel lines.

    Returns
    -------
    pd.DataFrame
        Spend, week start (``date``) x ``channel``.
    """
    c = ch.filter(ch.date.notnull() & ch.channel.notnull())
    w = c.group_by(week=c.date.truncate("W"), channel=c.channel.cast("string")).aggregate(
        spend=fsum(c.spend.cast("float64")).fill_null(0.0))
    df = engine.to_frame(w)
    df["week"] = df["week"].astype("datetime64[ns]")
    spend = df.set_index(["week", "channel"])["spend"].unstack(fill_value=0.0).sort_index()
    spend.index.name, spend.columns.name = "date", "channel"
    return spend


def weekly_revenue(ch: ir.Table) -> pd.Series:
    """Channel revenue per week (missing where no line of the week has revenue), summed in the engine.

    Parameters
    ----------
    ch : ir.Table
        Channel lines.

    Returns
    -------
    pd.Series
        Revenue per week start.
    """
    c = ch.filter(ch.date.notnull() & ch.channel.notnull())
    w = c.group_by(week=c.date.truncate("W")).aggregate(revenue=fsum(c.revenue.cast("float64")))
    df = engine.to_frame(w)
    return pd.Series(df["revenue"].to_numpy(dtype=float),
                     index=pd.DatetimeIndex(df["week"].astype("datetime64[ns]"))).sort_index()


def weekly_net_sales(orders: ir.Table) -> pd.Series:
    """Net sales per Monday-based week from the order lines, summed in the engine: sale lines' amounts
    minus abs(amount) of return lines (see ``mmm.net_sales_weekly``).

    Parameters
    ----------
    orders : ir.Table
        Order lines.

    Returns
    -------
    pd.Series
        Net sales per week start.
    """
    o = orders.filter(orders.order_date.notnull())
    amt = o.amount.cast("float64")
    ret = o.is_return.cast("boolean").fill_null(False) if "is_return" in o.columns else ibis.literal(False)
    w = o.group_by(week=o.order_date.truncate("W")).aggregate(net=fsum(ibis.ifelse(ret, -amt.abs(), amt)).fill_null(0.0))
    df = engine.to_frame(w)
    return pd.Series(df["net"].to_numpy(dtype=float),
                     index=pd.DatetimeIndex(df["week"].astype("datetime64[ns]"))).sort_index()


def load_model_data(tables: dict[str, ir.Table], params: dict) -> mmm.MMMData:
    """The model's weekly arrays from the engine tables: the media-mix table when selected, else weekly
    channel spend with weekly net sales from the orders (channel revenue without orders) as the outcome.
    ``tables``: kind -> engine table (canonical frames are registered first).

    Parameters
    ----------
    tables : dict[str, ir.Table]
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters (``start``, ``end``, ``spend_cols``, ``control_cols``).

    Returns
    -------
    mmm.MMMData
        The weekly model data.
    """
    tables = {k: (engine.from_frame(v) if isinstance(v, pd.DataFrame) else v) for k, v in tables.items()
              if v is not None}
    start, end = params.get("start"), params.get("end")
    mm = tables.get("media_mix")
    if mm is not None and line_count(mm):
        return mmm.prepare_media_mix(media_mix_rows(mm, start, end), params.get("spend_cols"),
                                     params.get("control_cols"))
    ch = tables.get("channels")
    if ch is not None and line_count(ch):
        ch = in_dates(ch, "date", start, end)
        if not int(engine.scalar(ch.date.count())):
            raise NotEnoughData("promotions.error.no_dates")
        od = tables.get("orders")
        od = in_dates(od, "order_date", start, end) if od is not None else None
        if od is not None and int(engine.scalar(od.order_date.count())):
            y, source = weekly_net_sales(od), "channels+orders"
        else:
            y, source = weekly_revenue(ch), "channels"
        # the engines' exact sums can differ in the last place (DuckDB: the exactly rounded sum of the
        # doubles; Spark: the exact decimal sum), which the fit amplifies: money to 1e-6 first, so the model
        # (the planner's, and the channel comparison's incremental ROAS) is the same on either engine
        return mmm.from_weekly(weekly_channel_spend(ch).round(6), y.round(6), source)
    raise NotEnoughData("promotions.error.no_data")
