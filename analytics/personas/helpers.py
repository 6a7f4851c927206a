"""Page helpers: the segments of a source that exist in the data (``cached.page_call``), saved personas side
by side, and the card's sections and segment line (shared by the page and the exports)."""

from __future__ import annotations

from analytics import segmentation as seg
from analytics.i18n import fmt_money, fmt_number, fmt_pct, t

from .base import page_params
from .labels import segment_label
from .model import PersonaFit, _customer_frame, _engine_tables, _n_tiers, attribute_options, fit

def segment_options(tables: dict, params: dict, lang: str = "en", *, fitted: PersonaFit | None = None) -> list[dict]:
    """Page helper (``cached.page_call``): the segments of the chosen source that exist in the data,
    largest value first for tiers: [{"value": "Champions", "label": ..., "customers": n}, ...].
    ``tables``: kind -> engine table (canonical frames are registered with the engine). ``fitted``: the
    page's fit for the same parameters (``cached.page_call`` passes it), whose base is used as it is.

    Parameters
    ----------
    tables : dict
        Kind -> engine table or canonical frame.
    params : dict
        The page's parameters (``source``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    fitted : PersonaFit | None
        The page's fit, or None.

    Returns
    -------
    list[dict]
        One dict per segment with ``value``, ``label``, ``customers``.
    """
    p = page_params(params)
    source = p["source"]
    tables = _engine_tables(tables)
    if tables.get("orders") is None and (fitted is None or fitted.source != source):
        fitted = fit(tables, p)  # customers-only mode
    if fitted is not None and fitted.customers_only and source in ("base", "attribute"):
        vals = [("all", len(fitted.customers))] if source == "base" else attribute_options(fitted)
        return [{"value": v, "label": segment_label(source, v, lang), "customers": n} for v, n in vals]
    if fitted is not None and fitted.source == source:
        tab, n_tiers = fitted.customers, fitted.n_tiers
    else:
        tab, info = _customer_frame(_engine_tables(tables), p)
        n_tiers = _n_tiers(info)
    if source in ("rfm", "cn8"):
        col, order = ("group", seg.NAMED_GROUPS) if source == "rfm" else ("group_cn", seg.CN8_GROUPS)
        counts = tab[col].value_counts()
        values = [(g, int(counts[g])) for g in order if g in counts.index]
    else:
        counts = tab[source].value_counts()
        keys = sorted(counts.index.astype(int), reverse=source == "tier")
        values = [(str(k), int(counts[k])) for k in keys]
    return [{"value": v, "label": segment_label(source, v, lang, n_tiers), "customers": n} for v, n in values]


def compare_rows(personas: list[tuple[str, dict]], lang: str = "en") -> list[dict]:
    """Saved personas side by side (``(column name, result)`` each): size, share of the base, spend,
    share of net sales, frequency, then the three strongest significant over-indexed attributes.

    Parameters
    ----------
    personas : list[tuple[str, dict]]
        (column name, page dict) per persona.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Rows keyed by the measure column and one column per persona.
    """

    measures = [("size", lambda r: fmt_number(r.get("size"), lang)),
                ("share_of_base", lambda r: fmt_pct(r.get("share_of_base"), lang)),
                ("avg_monetary", lambda r: fmt_money((r.get("stats") or {}).get("avg_monetary"), lang)),
                ("net_sales_share", lambda r: fmt_pct((r.get("stats") or {}).get("net_sales_share"), lang)),
                ("avg_frequency", lambda r: fmt_number((r.get("stats") or {}).get("avg_frequency"), lang, 1))]
    measure_col = t("personas.col.measure", lang)
    rows = [{measure_col: t(f"personas.kpi.{name}", lang), **{col: f(r) for col, r in personas}} for name, f in measures]
    for rank in range(3):
        row = {measure_col: t("personas.compare.top", lang, n=rank + 1)}
        for col, r in personas:
            strong = sorted([a for a in r.get("attributes") or [] if a.get("significant") and (a.get("tgi") or 0) > 100],
                            key=lambda a: -a["tgi"])
            row[col] = (f"{strong[rank]['attribute_label']}: {strong[rank]['value_label']} (TGI {strong[rank]['tgi']:.0f})"
                        if len(strong) > rank else "—")
        rows.append(row)
    return rows


def card_sections(card: dict, lang: str = "en") -> list[tuple[str, list[dict]]]:
    """The card's needs, channels and offers, each with its heading in ``lang``.

    Parameters
    ----------
    card : dict
        The card.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[tuple[str, list[dict]]]
        (heading, items) per section.
    """
    return [(t("personas.card.needs", lang), card.get("needs") or []),
            (t("personas.card.channels", lang), card.get("channels") or []),
            (t("personas.card.offers", lang), card.get("offers") or [])]


def segment_line(result: dict, lang: str = "en") -> str:
    """One line naming the segment, its size and its share of the base.

    Parameters
    ----------
    result : dict
        The page dict.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        The line.
    """
    return t("personas.card.segment_line", lang, segment=(result.get("segment") or {}).get("label", ""),
             n=fmt_number(result.get("size"), lang), share=fmt_pct(result.get("share_of_base"), lang))
