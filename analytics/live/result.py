"""The language-free result of the live-commerce page's fit (:class:`LiveFit`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class LiveFit:
    """The live-commerce page's numbers before any text (language-free; treat as read-only).

    Attributes
    ----------
    present : dict
        kind -> whether the dataset is selected and has lines in the window (live_sessions, creators, content,
        orders).
    totals : dict
        Sessions: the summed GMV, views, unique viewers, exposures, clicks, orders, buyers, spend, followers
        gained and minutes live, the number of sessions, and the KPIs (gpm, uv_value, conversion with its
        Wilson interval, aov, roi). Empty without sessions.
    funnel : list of dict
        step, people (sum over sessions), rate from the previous step.
    sessions : pandas.DataFrame
        The ``LEAGUE_ROWS`` best sessions by ``rank_by`` with their sums and rates.
    hosts : pandas.DataFrame
        Per host (most GMV first, at most ``MAX_HOSTS``): sessions, sums, gpm, uv_value, conversion (Wilson), roi.
    trends : pandas.DataFrame
        Per day (a window of up to 120 days) or week: sessions, GMV, views, unique viewers, buyers, spend, gpm,
        uv_value, conversion.
    grain : str
        "day" or "week".
    top_quarter : dict
        ``threshold``, ``n``, ``n_top``, ``rank_by``, ``factors`` (one dict per factor: kind categorical with the
        chi-square test and per-level counts and shares, or numeric with the Welch comparison), or ``reason``.
    creators : pandas.DataFrame
        Per creator: deals, GMV, orders, slot fee, commission, cost, ROI, break-even commission, profit, and
        with orders the incremental GMV and halo with their intervals.
    creator_totals : dict
        GMV, cost, ROI and deals of all creators; the orders coverage used for the incremental GMV.
    formats : pandas.DataFrame
        Per content format: items, sums, engagement rate (Wilson), cpe, click rate, gmv per 1,000 plays, roi,
        completion rate.
    top_content : pandas.DataFrame
        The ``TOP_CONTENT`` items with most GMV.
    notes : dict
        Facts the text needs (rows without a commission rate, rates read as percentages, few comparison days...).
    """

    present: dict
    totals: dict = field(default_factory=dict)
    funnel: list = field(default_factory=list)
    sessions: pd.DataFrame = field(default_factory=pd.DataFrame)
    hosts: pd.DataFrame = field(default_factory=pd.DataFrame)
    trends: pd.DataFrame = field(default_factory=pd.DataFrame)
    grain: str = "day"
    top_quarter: dict = field(default_factory=dict)
    creators: pd.DataFrame = field(default_factory=pd.DataFrame)
    creator_totals: dict = field(default_factory=dict)
    formats: pd.DataFrame = field(default_factory=pd.DataFrame)
    top_content: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: dict = field(default_factory=dict)
