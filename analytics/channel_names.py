"""Channel names as people say them (issue 14 item 4): ``spend_taobao`` -> "Taobao" / "淘宝".

:func:`display_name` strips what a spend column's name adds to the channel (``attr_``, ``spend_`` /
``cost_`` / ``消耗`` prefixes, Robyn's ``_S``, Meridian's ``_spend``, ``_cost`` suffixes), looks the rest up
in :data:`KNOWN` (platforms and media, English and Chinese), and otherwise tidies it (underscores to
spaces, title case for Latin names). A channel dataset's own names ("Douyin", "抖音") are looked up the same
way, so both languages read the platform's usual name.
"""

from __future__ import annotations

import re
from typing import Sequence

from data.schema import normalise_header

# key (normalise_header of the bare channel name) -> (English, Chinese)
KNOWN: dict[str, tuple[str, str]] = {
    "taobao": ("Taobao", "淘宝"), "淘宝": ("Taobao", "淘宝"),
    "tmall": ("Tmall", "天猫"), "天猫": ("Tmall", "天猫"),
    "douyin": ("Douyin", "抖音"), "抖音": ("Douyin", "抖音"),
    "kuaishou": ("Kuaishou", "快手"), "快手": ("Kuaishou", "快手"),
    "jd": ("JD", "京东"), "jingdong": ("JD", "京东"), "京东": ("JD", "京东"),
    "xiaohongshu": ("Xiaohongshu", "小红书"), "xhs": ("Xiaohongshu", "小红书"), "red": ("Xiaohongshu", "小红书"),
    "小红书": ("Xiaohongshu", "小红书"),
    "pinduoduo": ("Pinduoduo", "拼多多"), "pdd": ("Pinduoduo", "拼多多"), "拼多多": ("Pinduoduo", "拼多多"),
    "wechat": ("WeChat", "微信"), "weixin": ("WeChat", "微信"), "微信": ("WeChat", "微信"),
    "weibo": ("Weibo", "微博"), "微博": ("Weibo", "微博"),
    "bilibili": ("Bilibili", "哔哩哔哩"), "哔哩哔哩": ("Bilibili", "哔哩哔哩"), "b站": ("Bilibili", "哔哩哔哩"),
    "baidu": ("Baidu", "百度"), "百度": ("Baidu", "百度"),
    "qianchuan": ("Qianchuan", "巨量千川"), "巨量千川": ("Qianchuan", "巨量千川"), "千川": ("Qianchuan", "巨量千川"),
    "zhitongche": ("Zhitongche", "直通车"), "直通车": ("Zhitongche", "直通车"),
    "wanxiangtai": ("Wanxiangtai", "万相台"), "万相台": ("Wanxiangtai", "万相台"),
    "meta": ("Meta", "Meta"), "facebook": ("Facebook", "Facebook"), "instagram": ("Instagram", "Instagram"),
    "google": ("Google", "谷歌"), "googleads": ("Google Ads", "谷歌广告"), "youtube": ("YouTube", "YouTube"),
    "tiktok": ("TikTok", "TikTok"), "amazon": ("Amazon", "亚马逊"),
    "search": ("Search", "搜索广告"), "sem": ("Search", "搜索广告"), "tv": ("TV", "电视"), "ott": ("OTT", "OTT 电视"),
    "ooh": ("Out-of-home", "户外"), "print": ("Print", "平面媒体"), "radio": ("Radio", "广播"),
    "display": ("Display", "展示广告"), "video": ("Video", "视频广告"), "social": ("Social", "社交媒体"),
    "email": ("Email", "邮件"), "edm": ("Email", "邮件"), "sms": ("SMS", "短信"), "newsletter": ("Newsletter", "邮件简报"),
    "affiliate": ("Affiliate", "联盟推广"), "kol": ("KOL", "达人"), "达人": ("KOL", "达人"),
    "live": ("Live streaming", "直播"), "直播": ("Live streaming", "直播"),
}

_PREFIX = re.compile(r"(?i)^(attr_)?((spend|cost|spent|ad_?spend|media)[_\s-]+|消耗[_\s-]*|花费[_\s-]*)")
_SUFFIX = re.compile(r"(?i)([_\s-]+(spend|spends|cost|spent|消耗|花费)|_S|消耗|花费)$")


def bare(column: str) -> str:
    """The channel part of a spend column's name: ``attr_spend_taobao`` -> ``taobao``, ``tv_S`` -> ``tv``.

    Parameters
    ----------
    column : str
        A spend column's name.

    Returns
    -------
    str
        The bare channel name (the column itself when nothing is left).
    """
    s = str(column)
    s = s[5:] if s.startswith("attr_") else s
    core = _SUFFIX.sub("", _PREFIX.sub("", s)).strip(" _-")
    return core or s


def display_name(column: str, lang: str = "en") -> str:
    """The channel's usual name in ``lang`` ("en" / "zh"): a known platform or medium from :data:`KNOWN`,
    else the bare name tidied (underscores to spaces, Latin words title-cased unless already mixed case).

    Parameters
    ----------
    column : str
        A spend column's name.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The display name.
    """
    core = bare(column)
    hit = KNOWN.get(normalise_header(core))
    if hit is not None:
        return hit[1] if str(lang).startswith("zh") else hit[0]
    words = re.split(r"[_\s]+", core)
    out = [w[:1].upper() + w[1:] if w.isascii() and w.islower() else w for w in words if w]
    return " ".join(out) or str(column)


def display_names(columns: Sequence[str], lang: str = "en") -> list[str]:
    """:func:`display_name` of each column, made unique: a name two columns share keeps its column in
    brackets ("Taobao (spend_taobao)").

    Parameters
    ----------
    columns : Sequence[str]
        Spend column names.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[str]
        One display name per column, in order.
    """
    names = [display_name(c, lang) for c in columns]
    seen: dict[str, int] = {}
    for n in names:
        seen[n] = seen.get(n, 0) + 1
    return [f"{n} ({c})" if seen[n] > 1 else n for n, c in zip(names, columns)]


def channel_label(value: object, lang: str = "en") -> str:
    """A channel VALUE of a dataset (not a spend column) as the pages show it: a known platform or medium under
    its usual name in ``lang`` ("Douyin" / "douyin" / "抖音" read 抖音 in Chinese, Douyin in English), any other
    name exactly as stored (no prefix stripped, no case changed: "tmall_flagship" stays itself).

    Parameters
    ----------
    value : object
        The stored channel name.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The name to show.
    """
    text = str(value)
    hit = KNOWN.get(normalise_header(text))
    if hit is None:
        return text
    return hit[1] if str(lang).startswith("zh") else hit[0]


def channel_labels(values: Sequence[object], lang: str = "en") -> list[str]:
    """:func:`channel_label` of each value, made unique: when two different stored names read the same
    ("Douyin" and "抖音" in one dataset), each keeps its stored name in brackets ("抖音 (Douyin)"), so a chart
    never draws two rows on one category.

    Parameters
    ----------
    values : Sequence[object]
        Stored channel names (a name may repeat: equal names get equal labels).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[str]
        One label per value, in order.
    """
    labels = [channel_label(v, lang) for v in values]
    sources: dict[str, set[str]] = {}
    for lab, v in zip(labels, values):
        sources.setdefault(lab, set()).add(str(v))
    return [f"{lab} ({v})" if len(sources[lab]) > 1 and lab != str(v) else lab for lab, v in zip(labels, values)]
