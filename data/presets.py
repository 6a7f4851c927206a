"""Known export layouts ("presets"), recognised from the column names alone (issue 14 item 2).

A preset names a layout people export from a tool they already use (Robyn's media-mix convention,
Meridian's, an ads manager, a shop back office) and says which Prism kind it is and which column holds
each field. It is data, one :class:`Preset` per layout in :data:`PRESETS`, checked in that order:

``signature``
    groups of header patterns; every group must match at least ``min_count`` columns (the first group)
    or one column (the others) for the layout to be recognised.
``fields``
    field -> header patterns, the first pattern with a column wins (patterns are matched on
    :func:`data.schema.normalise_header` keys unless they start with ``re:``, a regular expression on the
    header as written: Robyn's ``_S`` suffix is upper case).
``fixed``
    field -> a value for every row (a Meta Ads export is all Meta: ``channel = Meta``).
``spend`` / ``impressions`` / ``controls``
    media-mix layouts: the header patterns of the spend columns (the channels the planner plans), of the
    exposure columns (impressions, clicks: not planned), and of the context columns (the model's controls).

Recognising a preset changes nothing by itself: :func:`data.mapping.suggest_mapping` takes the
preset's columns as its first guesses (method ``"preset"``), :func:`data.mapping.guess_kind` takes the
preset's kind, and the media-mix model (``analytics.mmm``) takes the preset's spend and control columns.
Column names were checked against each tool's documentation and sample exports (docs/decisions.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from data.schema import normalise_header

__all__ = ["Preset", "PRESETS", "detect", "field_columns", "role_columns", "by_key"]


@dataclass(frozen=True)
class Preset:
    key: str
    name: str          # English name, as the tool calls itself
    name_zh: str       # Chinese name
    kind: str          # the Prism dataset kind (data/schema.py)
    signature: tuple[tuple[str, ...], ...]
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)
    spend: tuple[str, ...] = ()
    impressions: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()
    min_count: int = 1  # columns the first signature group must match

    def label(self, lang: str = "en") -> str:
        """The preset's name in ``lang`` (Chinese for ``zh*``).

        Parameters
        ----------
        lang : str
            Language code.

        Returns
        -------
        str
            The name.
        """
        return self.name_zh if str(lang).startswith("zh") else self.name


def _matches(pattern: str, header: str) -> bool:
    if pattern.startswith("re:"):
        return re.search(pattern[3:], header) is not None
    return normalise_header(header) == normalise_header(pattern)


def _hits(patterns: Sequence[str], columns: Sequence[str]) -> list[str]:
    return [c for c in columns if any(_matches(p, str(c)) for p in patterns)]


# Robyn: "paid_media_spends" *_S, "paid_media_vars" exposure *_I (impressions) / *_P (clicks, other),
# "context_vars" *_B (baseline context: competitor sales) plus events / holidays, organic newsletter.
_ROBYN = Preset(
    key="robyn", name="Robyn (Meta) media mix", name_zh="Robyn（Meta）媒体组合", kind="media_mix",
    signature=(("re:^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*_S$",), ("re:(?i)^(date|ds|week|date_week)$",)),
    min_count=2,
    fields={"date": ("DATE", "ds", "date", "week", "date_week"),
            "outcome": ("revenue", "sales", "conversions", "kpi", "y", "dep_var")},
    spend=("re:_S$",), impressions=("re:_I$", "re:_P$"),
    controls=("re:_B$", "re:(?i)^(events?|holidays?|newsletter|organic\\w*)$"),
)

# Meridian (Google): CsvDataLoader's sample: time, geo, Channel0_impression, Channel0_spend, ...,
# GQV, Competitor_Sales, Promo, population, conversions, revenue_per_conversion.
_MERIDIAN = Preset(
    key="meridian", name="Meridian (Google) media mix", name_zh="Meridian（Google）媒体组合", kind="media_mix",
    signature=(("re:(?i)_spend$",), ("re:(?i)^(time|date|week)$",),
               ("re:(?i)_(impression|impressions|reach|frequency)$", "re:(?i)^(geo|population|revenue_per_conversion)$")),
    fields={"date": ("time", "date", "week"),
            "outcome": ("revenue", "conversions", "kpi", "sales")},
    spend=("re:(?i)_spend$",), impressions=("re:(?i)_(impression|impressions|reach|frequency)$",),
    controls=("re:(?i)_control$", "re:(?i)^(gqv|competitor_sales|promo|sentiment_score\\w*|price)$"),
)

# Meta Ads Manager export ("Amount spent (USD)" with the account's currency in brackets).
_META_ADS = Preset(
    key="meta_ads", name="Meta Ads Manager", name_zh="Meta 广告管理工具", kind="channels",
    signature=(("re:(?i)^amount spent( \\(\\w+\\))?$",), ("re:(?i)^(impressions|reach|link clicks|results)$",)),
    fields={"date": ("Day", "Reporting starts", "Date"),
            "campaign": ("Campaign name", "Ad set name", "Ad name"),
            "spend": ("re:(?i)^amount spent( \\(\\w+\\))?$",),
            "impressions": ("Impressions",),
            "clicks": ("Link clicks", "Clicks (all)"),
            "conversions": ("Purchases", "Website purchases", "Results"),
            "revenue": ("Purchases conversion value", "Website purchases conversion value"),
            "video_views": ("ThruPlays", "3-second video plays", "Video plays"),
            "likes": ("Post reactions",), "comments": ("Post comments",), "shares": ("Post shares",),
            "followers_gained": ("Page likes", "Follows")},
    fixed={"channel": "Meta"},
)

# Google Ads report download: Day, Campaign, Cost, Impr., Clicks, Conversions, Conv. value.
_GOOGLE_ADS = Preset(
    key="google_ads", name="Google Ads", name_zh="Google Ads 谷歌广告", kind="channels",
    signature=(("Impr.",), ("Cost", "Conv. value", "Avg. CPC")),
    fields={"date": ("Day", "Date", "Week"), "campaign": ("Campaign", "Ad group"), "spend": ("Cost",),
            "impressions": ("Impr.",), "clicks": ("Clicks",), "conversions": ("Conversions",),
            "revenue": ("Conv. value", "All conv. value"), "video_views": ("Views",)},
    fixed={"channel": "Google Ads"},
)

# GA4 traffic acquisition (Explore / Reports export): channel group, sessions, key events, revenue; the
# advertising workspace adds "Ads cost" (API advertiserAdCost). Without a cost column the spend is asked.
_GA4 = Preset(
    key="ga4", name="Google Analytics 4", name_zh="Google Analytics 4（GA4）", kind="channels",
    signature=(("re:(?i)^session (default|primary) channel group", "re:(?i)^(first user|session) source / medium$",
                "re:(?i)^default channel group$"),
               ("Sessions", "Engaged sessions", "Key events", "Total revenue", "Engagement rate")),
    fields={"date": ("Date",),
            "channel": ("re:(?i)^session (default|primary) channel group", "Default channel group",
                        "re:(?i)^(first user|session) source / medium$"),
            "campaign": ("Session campaign", "Campaign"),
            "spend": ("Ads cost", "Google Ads cost", "Advertiser ad cost", "Cost"),
            "impressions": ("Ads impressions", "Google Ads impressions"),
            "clicks": ("Ads clicks", "Google Ads clicks", "Sessions"),
            "conversions": ("Key events", "Conversions", "Ecommerce purchases", "Transactions"),
            "revenue": ("Total revenue", "Purchase revenue")},
)

# 巨量千川 (Ocean Engine Qianchuan) ad report: 消耗 / 整体消耗, 展示次数, 点击次数, 成交金额, 支付ROI.
_QIANCHUAN = Preset(
    key="qianchuan", name="Qianchuan (Douyin ads)", name_zh="巨量千川", kind="channels",
    signature=(("消耗", "整体消耗"), ("整体支付ROI", "支付ROI", "整体成交金额", "直接成交金额", "展示次数")),
    fields={"date": ("日期", "时间", "统计日期"), "campaign": ("计划名称", "计划ID", "广告计划"),
            "spend": ("整体消耗", "消耗"), "impressions": ("展示次数", "整体展示次数"),
            "clicks": ("点击次数", "整体点击次数"),
            "conversions": ("整体成交订单数", "成交订单数", "直接成交订单数", "转化数"),
            "revenue": ("整体成交金额", "成交金额", "直接成交金额", "整体支付GMV")},
    fixed={"channel": "巨量千川"},
)

# 生意参谋 (Taobao / Tmall shop analytics), traffic-source report: 流量来源, 访客数, 支付金额, 支付买家数.
# Traffic sources carry no spend: the review asks for one (or a fixed 0 for organic sources).
_SYCM = Preset(
    key="sycm", name="Sycm (Taobao shop analytics)", name_zh="生意参谋", kind="channels",
    signature=(("访客数",), ("支付金额",), ("支付买家数", "支付转化率", "支付件数")),
    fields={"date": ("统计日期", "日期"), "channel": ("流量来源", "来源名称", "二级来源", "一级来源"),
            "spend": ("花费", "推广花费"), "clicks": ("访客数",), "conversions": ("支付买家数",),
            "revenue": ("支付金额",)},
)

# 京东商智 (JD shop analytics): 访客数, 成交金额, 成交客户数, 成交单量.
_JDSZ = Preset(
    key="jd_shangzhi", name="JD Shangzhi (JD shop analytics)", name_zh="京东商智", kind="channels",
    signature=(("访客数",), ("成交金额",), ("成交客户数", "成交单量", "成交转化率", "成交商品件数")),
    fields={"date": ("日期", "时间", "统计日期"), "channel": ("来源", "流量来源", "渠道", "一级来源"),
            "spend": ("花费", "推广花费"), "clicks": ("访客数",),
            "conversions": ("成交单量", "成交客户数"), "revenue": ("成交金额",)},
    fixed={"channel": "京东"},
)

PRESETS: tuple[Preset, ...] = (_ROBYN, _MERIDIAN, _META_ADS, _GOOGLE_ADS, _GA4, _QIANCHUAN, _SYCM, _JDSZ)


def by_key(key: str) -> Preset | None:
    """The preset with this key, or None.

    Parameters
    ----------
    key : str
        The preset's key.

    Returns
    -------
    Preset | None
        The preset, or None.
    """
    return next((p for p in PRESETS if p.key == key), None)


def detect(columns: Sequence[str]) -> Preset | None:
    """The first preset whose signature the headers match, or None.

    Parameters
    ----------
    columns : Sequence[str]
        The file's headers.

    Returns
    -------
    Preset | None
        The preset, or None.
    """
    cols = [str(c) for c in columns]
    for p in PRESETS:
        ok = True
        for gi, grp in enumerate(p.signature):
            if len(_hits(grp, cols)) < (p.min_count if gi == 0 else 1):
                ok = False
                break
        if ok:
            return p
    return None


def field_columns(preset: Preset, columns: Sequence[str]) -> dict[str, str]:
    """field -> source column (or ``=value`` for a fixed value) the preset finds among ``columns``; a
    column serves one field at most (the first field that claims it, in the preset's order).

    Parameters
    ----------
    preset : Preset
        The preset.
    columns : Sequence[str]
        The file's headers.

    Returns
    -------
    dict[str, str]
        Field -> column or ``=value``.
    """
    cols = [str(c) for c in columns]
    out: dict[str, str] = {}
    used: set[str] = set()
    for fname, patterns in preset.fields.items():
        for pat in patterns:
            hit = next((c for c in cols if c not in used and _matches(pat, c)), None)
            if hit is not None:
                out[fname] = hit
                used.add(hit)
                break
    for fname, value in preset.fixed.items():
        out.setdefault(fname, "=" + value)
    return out


def role_columns(preset: Preset, columns: Sequence[str], role: str) -> list[str]:
    """The columns with ``role`` ("spend", "impressions" or "controls") in file order, none of them a
    mapped field nor a column of an earlier role.

    Parameters
    ----------
    preset : Preset
        The preset.
    columns : Sequence[str]
        The file's headers.
    role : str
        "spend", "impressions" or "controls".

    Returns
    -------
    list[str]
        The columns.
    """
    cols = [str(c) for c in columns]
    taken = set(field_columns(preset, cols).values())
    order = ("spend", "impressions", "controls")
    for r in order[: order.index(role)]:
        taken |= set(_hits(getattr(preset, r), [c for c in cols if c not in taken]))
    return [c for c in _hits(getattr(preset, role), cols) if c not in taken]
