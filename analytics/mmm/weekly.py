"""The model's weekly data (:class:`MMMData`): from a canonical media_mix frame (spend and control columns
of a recognised layout or by name, text controls as 0/1 indicators, daily rows summed to weeks), or from
channel statistics with the orders' net sales (else the channels' revenue) as the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from data import presets


@dataclass
class MMMData:
    dates: pd.DatetimeIndex
    y: np.ndarray               # (n,) outcome per week
    X: np.ndarray               # (n, C) spend per week, raw units
    channels: list[str]
    controls: np.ndarray        # (n, J)
    control_names: list[str]
    source: str = "media_mix"   # "media_mix" | "channels+orders" | "channels"
    aggregated: bool = False    # daily rows were summed to weeks
    dropped: list[str] = field(default_factory=list)  # spend columns left out (all zero / constant)


def _to_weekly(df: pd.DataFrame, date_col: str, cols: list[str]) -> pd.DataFrame:
    wk = df[date_col].dt.to_period("W-SUN").dt.start_time
    return df[cols].groupby(wk).sum(min_count=1).sort_index()


def _is_sub_weekly(dates: pd.Series) -> bool:
    d = pd.Series(pd.to_datetime(dates).dropna().sort_values().unique())
    if len(d) < 3:
        return False
    return float(d.diff().dt.days.median()) < 6.5


def _layout(columns: Sequence[str]):
    """The recognised media-mix layout of a canonical frame's columns (data/presets.py: Robyn, Meridian),
    with the attr_ names it was recognised on, or (None, {})."""
    names = {str(c)[5:]: str(c) for c in columns if str(c).startswith("attr_")}
    p = presets.detect(["date", "outcome", *names])
    return (p, names) if p is not None and p.kind == "media_mix" else (None, {})


def default_spend_cols(columns: Sequence[str]) -> list[str]:
    """The spend columns of a recognised layout (Robyn ``*_S``, Meridian ``*_spend``), else the attr_
    columns whose name starts with spend / x or contains cost / spend / 消耗 / 花费.

    Parameters
    ----------
    columns : Sequence[str]
        The media_mix columns.

    Returns
    -------
    list[str]
        The spend columns.
    """
    p, names = _layout(columns)
    if p is not None:
        found = presets.role_columns(p, ["date", "outcome", *names], "spend")
        if found:
            return [names[c] for c in found]
    out = []
    for c in columns:
        if not str(c).startswith("attr_"):
            continue
        name = str(c)[5:].lower()
        if name.startswith(("spend", "x")) or any(k in name for k in ("cost", "spend", "消耗", "花费")):
            out.append(c)
    return out


CONTROL_PREFIXES = ("event", "festival", "holiday", "promo")


def default_control_cols(columns: Sequence[str]) -> list[str]:
    """The context columns of a recognised layout (Robyn ``*_B``, events, newsletter; Meridian
    ``*_control``, GQV, Competitor_Sales, Promo), else the attr_ columns named event* / festival* /
    holiday* / promo*; never a spend column.

    Parameters
    ----------
    columns : Sequence[str]
        The media_mix columns.

    Returns
    -------
    list[str]
        The control columns.
    """
    spend = set(default_spend_cols(columns))
    p, names = _layout(columns)
    if p is not None:
        found = [names[c] for c in presets.role_columns(p, ["date", "outcome", *names], "controls")]
        return [c for c in found if c not in spend]
    return [c for c in columns if str(c).startswith("attr_") and c not in spend
            and str(c)[5:].lower().startswith(CONTROL_PREFIXES)]


def _col(df: pd.DataFrame, name: str) -> str | None:
    if name in df.columns:
        return name
    if "attr_" + name in df.columns:
        return "attr_" + name
    return None


def prepare_media_mix(df: pd.DataFrame, spend_cols: Sequence[str] | None = None,
                      control_cols: Sequence[str] | None = None) -> MMMData:
    """Weekly arrays from a canonical media_mix frame. Column names may be given with or without attr_;
    ``control_cols=None`` uses :func:`default_control_cols` (an empty list uses none).

    Parameters
    ----------
    df : pd.DataFrame
        Canonical media_mix frame (``date``, ``outcome``, spend and control columns).
    spend_cols : Sequence[str] | None
        Spend columns (None or empty: :func:`default_spend_cols`).
    control_cols : Sequence[str] | None
        Control columns, or None.

    Returns
    -------
    MMMData
        Weekly outcome, spend per channel (constant or all-zero channels dropped) and controls.
    """
    df = df.loc[df["date"].notna() & df["outcome"].notna()].sort_values("date")
    if spend_cols:
        spend = [c for c in (_col(df, s) for s in spend_cols) if c is not None]
    else:
        spend = default_spend_cols(df.columns)
    if control_cols is None:
        control_cols = default_control_cols(df.columns)
    controls = [c for c in (_col(df, s) for s in control_cols) if c is not None and c not in spend]
    df, controls = _indicator_controls(df, controls)
    num = df[spend + controls].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    num["outcome"] = df["outcome"].astype(float)
    num["date"] = df["date"]
    aggregated = _is_sub_weekly(df["date"])
    if aggregated:
        wk = _to_weekly(num, "date", ["outcome"] + spend + controls)
        num = wk.reset_index(names="date")
    else:
        num = num.groupby("date", as_index=False).sum()
    X = num[spend].to_numpy(dtype=float) if spend else np.zeros((len(num), 0))
    keep = [i for i in range(X.shape[1]) if np.nanmax(X[:, i]) > 0 and np.nanstd(X[:, i]) > 0]
    dropped = [spend[i] for i in range(len(spend)) if i not in keep]
    return MMMData(
        dates=pd.DatetimeIndex(num["date"]), y=num["outcome"].to_numpy(dtype=float), X=X[:, keep],
        channels=[_label(spend[i]) for i in keep], controls=num[controls].to_numpy(dtype=float),
        control_names=[_label(c) for c in controls], source="media_mix", aggregated=aggregated,
        dropped=[_label(c) for c in dropped],
    )


NO_EVENT = frozenset({"", "na", "n/a", "none", "null", "nan", "0", "no", "无", "-"})


def _indicator_controls(df: pd.DataFrame, controls: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """A text control (Robyn's ``events``: na / event1 / event2) becomes one 0/1 column per value other
    than a blank or "na" (``<column>=<value>``, at most 10 values); numeric controls stay as they are."""
    out, names = df, []
    for c in controls:
        s = df[c]
        if pd.api.types.is_numeric_dtype(s) or pd.to_numeric(s, errors="coerce").notna().mean() >= 0.95:
            names.append(c)
            continue
        text = s.astype("string").str.strip().fillna("")
        levels = [v for v in pd.unique(text) if v.casefold() not in NO_EVENT][:10]
        if out is df:
            out = df.copy()
        for v in levels:
            name = f"{c}={v}"
            out[name] = (text == v).astype(float).to_numpy()
            names.append(name)
    return out, names


def _label(col: str) -> str:
    return col[5:] if str(col).startswith("attr_") else str(col)


def net_sales_weekly(orders: pd.DataFrame) -> pd.Series:
    """Net sales per Monday-based week: sales lines minus abs(amount) of return lines.

    Parameters
    ----------
    orders : pd.DataFrame
        Order lines (``order_date``, ``amount``, ``is_return``).

    Returns
    -------
    pd.Series
        Net sales indexed by week start.
    """
    o = orders.loc[orders["order_date"].notna()]
    amt = o["amount"].astype(float)
    ret = o["is_return"].fillna(False).astype(bool) if "is_return" in o.columns else pd.Series(False, index=o.index)
    net = amt.where(~ret, -amt.abs())
    wk = o["order_date"].dt.to_period("W-SUN").dt.start_time
    return net.groupby(wk).sum().sort_index()


def prepare_from_channels(channels: pd.DataFrame, orders: pd.DataFrame | None = None) -> MMMData:
    """Weekly spend per channel from channel statistics; outcome = net sales from orders (else channel revenue).

    Parameters
    ----------
    channels : pd.DataFrame
        Channel lines (``date``, ``channel``, ``spend``, ``revenue``).
    orders : pd.DataFrame | None
        Order lines, or None.

    Returns
    -------
    MMMData
        The weekly model data.
    """
    c = channels.loc[channels["date"].notna() & channels["channel"].notna()]
    wk = c["date"].dt.to_period("W-SUN").dt.start_time
    spend = c["spend"].astype(float).groupby([wk, c["channel"].astype(str)]).sum().unstack(fill_value=0.0)
    if orders is not None and not orders.empty and orders["order_date"].notna().any():
        y = net_sales_weekly(orders)
        source = "channels+orders"
    else:
        y = c["revenue"].astype(float).groupby(wk).sum(min_count=1)
        source = "channels"
    return from_weekly(spend, y, source)


def from_weekly(spend: pd.DataFrame, y: pd.Series, source: str) -> MMMData:
    """Model data from weekly sums: ``spend`` (week start x channel, 0 where a channel did not spend) and the
    outcome ``y`` per week; the weeks both hold (outcome not missing), channels that never spend or never
    vary left out.

    Parameters
    ----------
    spend : pd.DataFrame
        Spend, week start x channel.
    y : pd.Series
        Outcome per week.
    source : str
        Where the data came from ("channels+orders", "channels", ...).

    Returns
    -------
    MMMData
        The model data.
    """
    idx = spend.index.intersection(y.dropna().index).sort_values()
    spend, y = spend.loc[idx], y.loc[idx]
    X = spend.to_numpy(dtype=float)
    names = [str(s) for s in spend.columns]
    keep = [i for i in range(X.shape[1]) if X[:, i].max() > 0 and X[:, i].std() > 0]
    return MMMData(dates=pd.DatetimeIndex(idx), y=y.to_numpy(dtype=float), X=X[:, keep],
                   channels=[names[i] for i in keep], controls=np.zeros((len(idx), 0)), control_names=[],
                   source=source, aggregated=True, dropped=[names[i] for i in range(len(names)) if i not in keep])
