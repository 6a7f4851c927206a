"""Feedback: ratings, NPS and comment terms (overall and per campaign).

Counts come from the engine (rating distribution and moments, NPS answer counts per score, per campaign);
the comment text analysis runs on a bounded sample of comments drawn in the engine: all comments when there
are at most MAX_COMMENTS (MAX_CAMPAIGN_COMMENTS per campaign), else a seeded random sample of that many, in
source order either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np

from analytics import stats as st
from analytics.i18n import fmt_number, t
from data import engine

from .base import MAX_CAMPAIGN_COMMENTS, MAX_COMMENTS, NS, _f
from .sums import LINE, bounded, finite, half_even, one_row, sample_key, total

TERMS_POOL = 400
TERMS_PER_LANGUAGE = 15


def _terms_by_language(terms: dict, texts: list[str]) -> dict:
    """Chinese and English terms apart (a mostly-Chinese base would hide the English ones): the top terms
    of each script, with ``share`` over the comments written in that language."""
    from analytics import text

    n_zh = sum(text.is_chinese(c) for c in texts if c.strip())
    n_all = sum(1 for c in texts if c.strip())
    out = {}
    for key, n, want in (("zh", n_zh, True), ("en", n_all - n_zh, False)):
        part = {"n_comments": int(n)}
        for kind in ("words", "phrases"):
            rows = [r for r in terms[kind] if bool(text.CJK.search(r["term"])) == want][:TERMS_PER_LANGUAGE]
            part[kind] = [{**r, "share": r["count"] / n if n else None} for r in rows]
        out[key] = part
    return out


def nps_from_counts(n: int, promoters: int, detractors: int, alpha: float) -> dict:
    """analytics.stats.nps from the answer counts (0-10 answers: promoters 9-10, detractors 0-6).

    Parameters
    ----------
    n : int
        Answers on the 0-10 scale.
    promoters : int
        Answers of 9 or 10.
    detractors : int
        Answers of 0 to 6.
    alpha : float
        Two-sided level of the interval.

    Returns
    -------
    dict
        ``n``, ``nps``, ``ci_low``, ``ci_high`` (points, -100..100), ``promoters``, ``passives``,
        ``detractors``, ``share_promoters``, ``share_detractors``; None values for no answer.
    """
    if n == 0:
        return {"n": 0, "nps": None, "ci_low": None, "ci_high": None, "promoters": 0, "passives": 0, "detractors": 0}
    pp, pd_ = promoters / n, detractors / n
    val = pp - pd_
    se = np.sqrt(max(pp + pd_ - val**2, 0.0) / n)
    z = st.stats.norm.ppf(1 - alpha / 2)
    return {"n": n, "nps": 100 * val, "ci_low": 100 * max(val - z * se, -1.0), "ci_high": 100 * min(val + z * se, 1.0),
            "promoters": promoters, "passives": n - promoters - detractors, "detractors": detractors,
            "share_promoters": pp, "share_detractors": pd_}


@dataclass(frozen=True)
class FeedbackFit:
    """Feedback answers as counts and sums (no confidence level, no language).

    Attributes
    ----------
    n : int
        Answers (after the campaign filter).
    campaign_filter : str or None
        The campaign the answers were filtered to.
    ratings : tuple of (float, int)
        (rating rounded to the nearest half, answers) for the answers with a rating.
    rating_n : int
        Answers with a rating.
    rating_sum, rating_centre, rating_sq : float
        Sum of ratings, their mean and the sum of squared deviations from it.
    rating_max : float or None
        Largest rating (to guess the scale).
    nps_outside : int
        NPS answers outside 0-10 (left out).
    nps_n, nps_promoters, nps_detractors : int
        NPS answers within 0-10, of which 9-10 and 0-6.
    nps_distribution : tuple of (int, int)
        (score rounded to an integer, answers).
    n_comments : int
        Answers with a comment.
    comments_sampled : bool
        Whether the comment terms come from a sample of MAX_COMMENTS comments.
    terms : dict or None
        analytics.text.top_terms of the comments (TERMS_POOL terms), with ``terms_by_language``.
    by_campaign : tuple of dict
        Per campaign (sorted): n, rating_mean, n_rating, NPS counts (nps_n, promoters, detractors) and the
        top words / phrases of its comments.
    """

    n: int
    campaign_filter: str | None
    ratings: tuple = ()
    rating_n: int = 0
    rating_sum: float = 0.0
    rating_centre: float = 0.0
    rating_sq: float = 0.0
    rating_max: float | None = None
    nps_outside: int = 0
    nps_n: int = 0
    nps_promoters: int = 0
    nps_detractors: int = 0
    nps_distribution: tuple = ()
    n_comments: int = 0
    comments_sampled: bool = False
    terms: dict | None = field(default=None)
    by_campaign: tuple = ()


def _num(fb: ir.Table, col: str) -> ir.FloatingValue:
    return finite(fb[col]) if col in fb.columns else ibis.null("float64")


def fit_feedback(fb: ir.Table, p: dict) -> FeedbackFit | None:
    """Counts, sums and comment terms of the feedback (``fb``: lines in the date range, with ``__line__``);
    None when no answer is left after the campaign filter.

    Parameters
    ----------
    fb : ir.Table
        Feedback lines (``rating``, ``nps``, ``comment``, ``campaign``, each optional).
    p : dict
        The fit parameters (``feedback_campaign``).

    Returns
    -------
    FeedbackFit | None
        The feedback's counts, sums, distributions and terms, or None.
    """
    from analytics import text

    camp = p.get("feedback_campaign")
    if camp and "campaign" in fb.columns:
        fb = fb.filter(fb["campaign"].cast("string") == str(camp))
    cols = fb.columns
    r = _num(fb, "rating")
    s = _num(fb, "nps")
    fb = fb.mutate(__r=r, __s=s)
    r, s = fb["__r"], fb["__s"]
    inside = (s >= 0) & (s <= 10)
    aggs = {"n": fb.count(), "rn": r.count(), "rs": total(r), "rmax": r.max(), "sn": s.count(),
            "out": fb.count(where=s.notnull() & ~inside), "in": fb.count(where=inside),
            "prom": fb.count(where=inside & (s >= 9)), "det": fb.count(where=inside & (s <= 6))}
    if "comment" in cols:
        aggs["nc"] = fb["comment"].count()
    a = one_row(fb.aggregate(**aggs))
    n = int(a["n"])
    if n == 0:
        return None
    out: dict = {"n": n, "campaign_filter": camp}
    rn = int(a["rn"])
    if rn:
        centre = float(a["rs"]) / rn
        g = fb.filter(r.notnull())
        dist = engine.to_frame(g.group_by(v=half_even(g["__r"] * 2) / 2).aggregate(c=g.count()).order_by("v"))
        sq = float(one_row(g.aggregate(q=total((g["__r"] - centre) * (g["__r"] - centre))))["q"])
        out.update(ratings=tuple((float(v), int(c)) for v, c in zip(dist["v"], dist["c"])), rating_n=rn,
                   rating_sum=float(a["rs"]), rating_centre=centre, rating_sq=sq, rating_max=float(a["rmax"]))
    if int(a["sn"]):
        g = fb.filter(inside)
        dist = engine.to_frame(g.group_by(v=half_even(g["__s"])).aggregate(c=g.count()).order_by("v"))
        out.update(nps_outside=int(a["out"]), nps_n=int(a["in"]), nps_promoters=int(a["prom"]),
                   nps_detractors=int(a["det"]),
                   nps_distribution=tuple((int(v), int(c)) for v, c in zip(dist["v"], dist["c"])))
    nc = int(a.get("nc", 0) or 0)
    out["n_comments"] = nc
    if nc:
        c = fb.filter(fb["comment"].notnull())
        sample, sampled = bounded(c, nc, MAX_COMMENTS, int(p["seed"]), {"comment": "comment"})
        texts = engine.to_frame(sample)["comment"].astype("str").tolist()
        terms = text.top_terms(texts, TERMS_POOL)  # one pass; the top 20 are the same as top_terms(..., 20)
        out["comments_sampled"] = sampled
        out["terms"] = {"terms": terms, "by_language": _terms_by_language(terms, texts)}
    if "campaign" in cols:
        out["by_campaign"] = tuple(_by_campaign(fb, int(p["seed"])))
    return FeedbackFit(**out)


def _by_campaign(fb: ir.Table, seed: int) -> list[dict]:
    from analytics import text

    c = fb.filter(fb["campaign"].notnull())
    c = c.mutate(__c=c["campaign"].cast("string"))
    r, s = c["__r"], c["__s"]
    inside = (s >= 0) & (s <= 10)
    aggs = {"n": c.count(), "rn": r.count(), "rs": total(r), "nn": c.count(where=inside),
            "prom": c.count(where=inside & (s >= 9)), "det": c.count(where=inside & (s <= 6))}
    has_comment = "comment" in c.columns
    if has_comment:
        aggs["nc"] = c["comment"].count()
    per = engine.to_frame(c.group_by("__c").aggregate(**aggs))
    if per.empty:
        return []
    per = per.assign(__c=per["__c"].astype(str)).sort_values("__c", kind="stable")
    texts: dict[str, list[str]] = {}
    if has_comment and int(per["nc"].sum()):
        # each campaign's comments: all of them up to MAX_CAMPAIGN_COMMENTS, else a seeded sample of that many
        w = c.filter(c["comment"].notnull())
        w = w.mutate(__k=sample_key(w, seed))
        w = w.mutate(__rn=ibis.row_number().over(group_by=w["__c"], order_by=[w["__k"], w[LINE]]))
        w = w.filter(w["__rn"] < MAX_CAMPAIGN_COMMENTS).order_by(["__c", LINE])
        got = engine.to_frame(w.select("__c", "comment"))
        for name, sub in got.groupby(got["__c"].astype(str), sort=False):
            texts[str(name)] = sub["comment"].astype("str").tolist()
    rows = []
    for _, x in per.iterrows():
        name = str(x["__c"])
        rn = int(x["rn"])
        row: dict = {"campaign": name, "n": int(x["n"]), "rating_mean": float(x["rs"]) / rn if rn else None,
                     "n_rating": rn, "nps_n": int(x["nn"]), "promoters": int(x["prom"]), "detractors": int(x["det"])}
        if texts.get(name):
            tt = text.top_terms(texts[name], 5)
            row["top_words"] = ", ".join(w_["term"] for w_ in tt["words"])
            row["top_phrases"] = ", ".join(w_["term"] for w_ in tt["phrases"][:3])
        rows.append(row)
    return rows


def present_feedback(fit: FeedbackFit | None, p: dict, lang: str, warn: list[str]) -> dict | None:
    """The page's feedback dict at ``p["alpha"]`` with its warnings (NPS out of range, few answers,
    sampled comments).

    Parameters
    ----------
    fit : FeedbackFit | None
        The feedback fit, or None.
    p : dict
        The parameters (``alpha``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    warn : list[str]
        The warnings, appended to.

    Returns
    -------
    dict | None
        ``n``, ``campaign_filter``, ``ratings``, ``rating_mean``, ``nps``, ``nps_distribution``, ``terms``,
        ``terms_by_language``, ``by_campaign`` (as the data allows), or None.
    """
    if fit is None:
        return None
    alpha = float(p["alpha"])
    out: dict = {"n": fit.n, "campaign_filter": fit.campaign_filter}
    if fit.rating_n:
        n = fit.rating_n
        out["ratings"] = [{"rating": v, "count": c, "share": c / n} for v, c in fit.ratings]
        mean = fit.rating_sum / n
        var = (fit.rating_sq - n * (mean - fit.rating_centre) ** 2) / (n - 1) if n > 1 else np.nan
        lo, hi = st.mean_ci(mean, var, n, alpha)
        mx = fit.rating_max
        out["rating_mean"] = {"mean": float(mean), "ci_low": _f(lo), "ci_high": _f(hi), "n": int(n),
                              "scale_max": float(5 if mx <= 5 else 10 if mx <= 10 else mx)}
    if fit.nps_n or fit.nps_outside:
        if fit.nps_outside:
            warn.append(t(f"{NS}.warning.nps_range", lang, n=fit.nps_outside))
        n = fit.nps_n
        out["nps"] = nps_from_counts(n, fit.nps_promoters, fit.nps_detractors, alpha)
        out["nps_distribution"] = [{"score": v, "count": c, "share": c / n} for v, c in fit.nps_distribution]
        if n < 100:
            warn.append(t(f"{NS}.warning.nps_small", lang, n=n))
    if fit.comments_sampled:
        warn.append(t(f"{NS}.warning.comments_sampled", lang, n=fmt_number(MAX_COMMENTS, lang)))
    if fit.terms:
        terms = fit.terms["terms"]
        out["terms"] = {**terms, "words": terms["words"][:20], "phrases": terms["phrases"][:20],
                        "sampled": fit.comments_sampled}
        out["terms_by_language"] = fit.terms["by_language"]
    if fit.by_campaign:
        by = []
        for b in fit.by_campaign:
            row: dict = {"campaign": b["campaign"], "n": b["n"], "rating_mean": _f(b["rating_mean"]),
                         "n_rating": b["n_rating"]}
            if b["nps_n"]:
                s = nps_from_counts(b["nps_n"], b["promoters"], b["detractors"], alpha)
                row.update({"nps": s["nps"], "nps_ci_low": s["ci_low"], "nps_ci_high": s["ci_high"], "n_nps": s["n"]})
            for k in ("top_words", "top_phrases"):
                if k in b:
                    row[k] = b[k]
            by.append(row)
        out["by_campaign"] = by
    return out


def feedback_options(fb: ir.Table) -> list[str]:
    """The feedback's campaigns (sorted), for the campaign filter.

    Parameters
    ----------
    fb : ir.Table
        Feedback lines.

    Returns
    -------
    list[str]
        The campaigns.
    """
    if "campaign" not in fb.columns:
        return []
    d = fb.filter(fb["campaign"].notnull())
    vals = engine.to_frame(d.select(c=d["campaign"].cast("string")).distinct())["c"]
    return sorted(str(x) for x in vals)
