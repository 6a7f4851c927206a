"""The persona card: name, portrait, needs, channels and offers, each sentence carrying the attribute, value and
TGI it rests on (:func:`build_card`)."""

from __future__ import annotations

import math

import numpy as np

from analytics.i18n import fmt_list, fmt_money, fmt_number, fmt_pct, join_sentences, t

from .base import MIN_SUPPORT
from .labels import attr_label, value_label

_URBAN = ("一线", "新一线", "tier 1", "tier1", "first", "1", "new tier 1")
_TOWN = ("三线", "四线", "五线", "tier 3", "tier 4", "tier 5", "3", "4", "5", "三线及以下", "下沉")
_MOM = ("母婴", "宝宝", "育儿", "亲子", "baby", "mom", "parent", "kids", "孕")


def _ev(row: dict, lang: str) -> dict:
    return {"attribute": row["attribute"], "value": row["value"], "tgi": row["tgi"],
            "segment_share": row["segment_share"], "base_share": row["base_share"],
            "evidence": t("personas.card.evidence", lang, attr=attr_label(row["attribute"], lang),
                          value=value_label(row["attribute"], row["value"], lang), tgi=f"{row['tgi']:.0f}",
                          share=fmt_pct(row["segment_share"], lang))}


def _bands_order(attr: str, rows: list[dict]) -> list[str]:
    return [r["value"] for r in rows if r["attribute"] == attr]


def clears_100(r: dict) -> bool:
    """Whether an attribute value's index interval lies entirely above 100 (lower bound > 100) on a
    segment count large enough to be read (not ``small``): the only rows a card recommends on.

    Parameters
    ----------
    r : dict
        An attribute row (``significant``, ``small``, ``tgi_low``).

    Returns
    -------
    bool
        True when it clears 100.
    """
    lo = r.get("tgi_low")
    return bool(r.get("significant")) and not r.get("small") and lo is not None and np.isfinite(lo) and lo > 100


def build_card(attributes: list[dict], size: int, base_size: int, segment_label: str, lang: str = "en",
               stats: dict | None = None, defining=()) -> dict:
    """Persona card from the attribute table: name, portrait, needs, channels, offers. Every sentence
    carries the attribute, value and TGI it rests on.

    Rules: the attributes that define the segment (``defining``, e.g. the RFM bands of an RFM group) are
    left out of the card (their index restates the definition); the name, the needs, the channels and
    the offers rest only on values whose TGI interval lies entirely above 100 (:func:`clears_100`) with
    at least MIN_SUPPORT customers of the segment; the portrait also names values entirely below 100.

    Parameters
    ----------
    attributes : list[dict]
        The TGI table rows (``attribute``, ``value``, ``tgi``, ``tgi_low``, ``tgi_high``, ``significant``,
        ``segment_count``, ``segment_share``, ``base_share``, ...).
    size : int
        Customers of the segment.
    base_size : int
        Customers of the base.
    segment_label : str
        The segment's label.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    stats : dict | None
        The segment's spend and frequency against the base, or None.
    defining
        Attributes that define the segment.

    Returns
    -------
    dict
        ``name``, ``name_basis``, ``portrait``, ``needs``, ``channels``, ``offers`` (each item with its text
        and evidence), ``note``.
    """
    stats = stats or {}
    defining = set(defining or ())
    rows = [r for r in attributes if r.get("tgi") is not None and np.isfinite(r["tgi"])
            and r["attribute"] not in defining]
    strong = sorted([r for r in rows if clears_100(r) and r["segment_count"] >= MIN_SUPPORT
                     and r["value"] != "other"], key=lambda r: -r["tgi"])
    weak = sorted([r for r in rows if r["significant"] and r["tgi_high"] < 100 and r["value"] != "other"],
                  key=lambda r: r["tgi"])
    name, name_basis = _card_name(strong, attributes, lang)
    portrait = _portrait(strong, weak, size, base_size, segment_label, stats, lang)
    needs = _needs(strong, attributes, lang)

    # ---- channels: highest TGI with enough support
    ch_rows = [r for r in strong if r["attribute"] in ("channel", "acquisition_channel")][:3]
    channels = [{"channel": r["value"], "text": t("personas.channel.text", lang, channel=r["value"],
                                                   tgi=f"{r['tgi']:.0f}", share=fmt_pct(r["segment_share"], lang)),
                 **_ev(r, lang)} for r in ch_rows]

    offers = _offers(strong, attributes, lang)
    left = sorted({r["attribute"] for r in attributes if r["attribute"] in defining})
    names = list(dict.fromkeys(attr_label(a, lang) for a in left))
    note = t("personas.card.left_out", lang, attrs=fmt_list(names, lang)) if names else ""
    return {"name": name, "name_basis": name_basis, "portrait": portrait, "needs": needs, "channels": channels,
            "offers": offers, "note": note}


def _card_name(strong: list[dict], attributes: list[dict], lang: str) -> tuple[str, list[dict]]:
    """The card's name (up to two adjectives + a noun, each from an over-indexed attribute of ``strong``) and
    the evidence it rests on."""
    def top(attr: str) -> dict | None:
        return next((r for r in strong if r["attribute"] == attr), None)

    adjs: list[tuple[str, dict]] = []
    noun: tuple[str, dict] | None = None
    g = top("gender")
    interest = top("interests")
    if g is not None:
        gv = str(g["value"]).strip().lower()
        female = gv in ("f", "female", "woman", "women", "女", "女性")
        male = gv in ("m", "male", "man", "men", "男", "男性")
        mom = interest is not None and any(k in str(interest["value"]).lower() for k in _MOM)
        if female and mom:
            noun = (t("personas.name.moms", lang), g)
        elif female:
            noun = (t("personas.name.women", lang), g)
        elif male:
            noun = (t("personas.name.men", lang), g)
    ct = top("city_tier")
    if ct is not None:
        v = str(ct["value"]).strip().lower()
        if any(v == k or v.startswith(k) for k in _URBAN):
            adjs.append((t("personas.name.urban", lang), ct))
        elif any(v == k or v.startswith(k) for k in _TOWN):
            adjs.append((t("personas.name.small_town", lang), ct))
    sb = top("spend_band")
    spend_bands = _bands_order("spend_band", attributes)
    if sb is not None and spend_bands:
        ordered = sorted(set(spend_bands), key=_band_key)
        if sb["value"] == ordered[-1]:
            adjs.append((t("personas.name.premium", lang), sb))
        elif sb["value"] == ordered[0]:
            adjs.append((t("personas.name.budget", lang), sb))
    fb = top("frequency_band")
    if fb is not None and fb["value"] in ("6-10", "11+"):
        adjs.append((t("personas.name.loyal", lang), fb))
    rb = top("recency_band")
    if rb is not None and rb["value"] in ("181-365", "365+"):
        adjs.append((t("personas.name.lapsing", lang), rb))
    ps = next((r for r in strong if r["attribute"] == "price_sensitivity"), None)  # discounted or full_price
    if ps is not None:
        adjs.append((t("personas.name.deal" if ps["value"] == "discounted" else "personas.name.full_price", lang), ps))
    ab = top("age_band")
    if ab is not None:
        key = "young" if ab["value"] in ("<18", "18-24", "25-29") else \
            ("thirties" if ab["value"] in ("30-34", "35-39") else "mature")
        adjs.append((t(f"personas.name.{key}", lang), ab))
    hb = top("hour_band")
    if hb is not None and hb["value"] in ("evening", "night"):
        adjs.append((t("personas.name.night_owl", lang), hb))
    own = [r for r in strong if r["attribute"].startswith("attr_")]  # a column of the customers file
    if noun is None:
        cat = top("category")
        if cat is not None:
            noun = (t("personas.name.category_shoppers", lang, cat=cat["value"]), cat)
        elif own and not adjs:
            noun = (t("personas.name.crm_customers", lang, attr=attr_label(own[0]["attribute"], lang),
                      value=value_label(own[0]["attribute"], own[0]["value"], lang)), own[0])
        else:
            noun = (t("personas.name.customers", lang), None)
    adjs = sorted(adjs, key=lambda a: -a[1]["tgi"])[:2]
    sep = "" if lang == "zh" else " "
    name = sep.join([a[0] for a in adjs] + [noun[0]])
    if lang != "zh":
        name = name[:1].upper() + name[1:]
    name_basis = [_ev(a[1], lang) for a in adjs] + ([_ev(noun[1], lang)] if noun[1] is not None else [])
    return name, name_basis


def _portrait(strong: list[dict], weak: list[dict], size: int, base_size: int, segment_label: str, stats: dict,
              lang: str) -> str:
    """The portrait: the segment's size and share, its value against the base (when ``stats`` has it), and
    the values it over- (``strong``) and under-indexes (``weak``) on."""
    share = size / base_size if base_size else None
    sentences = [t("personas.card.portrait_size", lang, n=fmt_number(size, lang), share=fmt_pct(share, lang),
                   segment=segment_label)]
    if stats.get("avg_monetary") is not None:
        sentences.append(t("personas.card.portrait_value", lang, avg=fmt_money(stats["avg_monetary"], lang),
                           base=fmt_money(stats["base_avg_monetary"], lang),
                           value=fmt_pct(stats.get("net_sales_share"), lang)))
    if strong:
        items = ("；" if lang == "zh" else "; ").join(
            t("personas.card.item", lang, attr=attr_label(r["attribute"], lang),
              value=value_label(r["attribute"], r["value"], lang), tgi=f"{r['tgi']:.0f}") for r in strong[:4])
        sentences.append(t("personas.card.portrait_over", lang, items=items))
    if weak:
        items = ("；" if lang == "zh" else "; ").join(
            t("personas.card.item", lang, attr=attr_label(r["attribute"], lang),
              value=value_label(r["attribute"], r["value"], lang), tgi=f"{r['tgi']:.0f}") for r in weak[:3])
        sentences.append(t("personas.card.portrait_under", lang, items=items))
    if not strong and not weak:
        sentences.append(t("personas.card.portrait_none", lang))
    portrait = join_sentences(sentences, lang)
    return portrait


def _needs(strong: list[dict], attributes: list[dict], lang: str) -> list[dict]:
    """The needs, each from an over-indexed value (price sensitivity, top spend band, lapsing recency, one
    purchase, category, evening hours, interest) with its evidence."""
    def top(attr: str) -> dict | None:
        return next((r for r in strong if r["attribute"] == attr), None)

    ps = top("price_sensitivity")  # discounted or full_price
    sb, rb, hb, interest = top("spend_band"), top("recency_band"), top("hour_band"), top("interests")
    spend_bands = _bands_order("spend_band", attributes)
    needs = []
    if ps is not None:
        needs.append({"text": t("personas.need.value" if ps["value"] == "discounted" else "personas.need.quality",
                                lang), **_ev(ps, lang)})
    if sb is not None and spend_bands and sb["value"] == sorted(set(spend_bands), key=_band_key)[-1]:
        needs.append({"text": t("personas.need.premium", lang), **_ev(sb, lang)})
    if rb is not None and rb["value"] in ("181-365", "365+"):
        needs.append({"text": t("personas.need.come_back", lang), **_ev(rb, lang)})
    f1 = top("frequency_band")
    if f1 is not None and f1["value"] == "1":
        needs.append({"text": t("personas.need.second_purchase", lang), **_ev(f1, lang)})
    cats = [r for r in strong if r["attribute"] == "category"]
    if cats:
        needs.append({"text": t("personas.need.category", lang, cat=cats[0]["value"]), **_ev(cats[0], lang)})
    if hb is not None and hb["value"] in ("evening", "night"):
        needs.append({"text": t("personas.need.mobile_evening", lang), **_ev(hb, lang)})
    if interest is not None:
        needs.append({"text": t("personas.need.interest", lang, tag=interest["value"]), **_ev(interest, lang)})
    return needs


def _offers(strong: list[dict], attributes: list[dict], lang: str) -> list[dict]:
    """The content and offers, each from an over-indexed value (price sensitivity, categories, hour, weekday,
    top spend band, the customers file's own columns) with its evidence."""
    def top(attr: str) -> dict | None:
        return next((r for r in strong if r["attribute"] == attr), None)

    ps, sb, hb = top("price_sensitivity"), top("spend_band"), top("hour_band")
    spend_bands = _bands_order("spend_band", attributes)
    cats = [r for r in strong if r["attribute"] == "category"]
    own = [r for r in strong if r["attribute"].startswith("attr_")]  # a column of the customers file
    offers = []
    if ps is not None and ps["value"] == "discounted":
        target = cats[0]["value"] if cats else None
        offers.append({"text": t("personas.offer.coupon_cat" if target else "personas.offer.coupon", lang,
                                 cat=target or ""), **_ev(ps, lang)})
    elif ps is not None:
        offers.append({"text": t("personas.offer.no_discount", lang), **_ev(ps, lang)})
    if len(cats) >= 2:
        offers.append({"text": t("personas.offer.bundle", lang, a=cats[0]["value"], b=cats[1]["value"]),
                       **_ev(cats[1], lang)})
    elif cats:
        offers.append({"text": t("personas.offer.content_cat", lang, cat=cats[0]["value"]), **_ev(cats[0], lang)})
    if hb is not None:
        offers.append({"text": t("personas.offer.timing", lang, band=value_label("hour_band", hb["value"], lang)),
                       **_ev(hb, lang)})
    wd = top("weekday")
    if wd is not None:
        offers.append({"text": t("personas.offer.weekday", lang, day=value_label("weekday", wd["value"], lang)),
                       **_ev(wd, lang)})
    if sb is not None and sb["value"] == (sorted(set(spend_bands), key=_band_key)[-1] if spend_bands else None):
        offers.append({"text": t("personas.offer.vip", lang), **_ev(sb, lang)})
    for r in own[:2]:
        offers.append({"text": t("personas.offer.crm_attribute", lang, attr=attr_label(r["attribute"], lang),
                                 value=value_label(r["attribute"], r["value"], lang)), **_ev(r, lang)})
    return offers


def _band_key(label: str) -> float:
    s = str(label).replace(",", "").replace("≥", "").replace("<", "").strip()
    first = s.split("-")[0].strip()
    try:
        v = float(first)
    except ValueError:
        return math.inf
    if str(label).startswith("<"):
        return -math.inf
    return v
