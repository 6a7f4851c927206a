"""Post-campaign evaluation: did the campaign work, for whom, and was it worth it (issue 7, DESIGN.md §4).

Randomised tests (experiments): every non-control group against the control on every outcome present
(visit rate, conversion rate, revenue per unit, revenue per converter) with lifts, intervals, p-values
corrected across arms x outcomes (Holm), a sample-ratio-mismatch check, CUPED with the pre-period value,
power / minimum detectable effect, lift by segment with a heterogeneity test, a two-model uplift model
with its Qini curve on a held-out split and a ranked target list.
Non-randomised campaigns (orders): a pre/post counterfactual of a treated series from control series (OLS
on the pre-period, block-bootstrap interval on the cumulative effect) with a placebo on a fake date.
Money: incremental revenue, costs, incremental ROI, plan vs actual. Feedback: ratings, NPS, comment terms.
A decision memo (scale up / iterate / stop) in the chosen language.

The lines stay in the engine (issue 13). :func:`fit` runs Ibis expressions on embedded DuckDB and keeps
aggregates: per group and per group x segment value the sums of each outcome and of the pre-period value
(:mod:`.sums`, :mod:`.experiment`), daily or weekly series per order column (:mod:`.counterfactual`),
feedback counts (:mod:`.feedback`). Only the models that need unit rows see units: the uplift model runs on
a seeded sample of at most :data:`MAX_UNITS` units drawn in the engine (all of them when fewer) and scores
every unit in the engine (:mod:`.uplift`); comment terms are counted on at most MAX_COMMENTS comments.
:func:`present` computes the tests, intervals, money, memo and findings from the fit in a language;
:func:`compute` is both. Methods are named in the result (``methods``) so the page and the report can say
which were used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analytics.common import NotEnoughData, jsonable
from analytics.i18n import fmt_list, fmt_money, fmt_number, fmt_pct, join_sentences, t
from analytics.params import Param
from analytics.tables import Col, as_col
from data import engine

from .base import (CF_COLUMNS, CONTROL_RE, FEW_EVENTS, MAX_CAMPAIGN_COMMENTS, MAX_CF_VALUES, MAX_COMMENTS,
                   MAX_CONTROLS, MAX_SEGMENT_LEVELS, MAX_UPLIFT_LEVELS, NS, OUTCOMES, RATE_OUTCOMES,
                   SEGMENT_OUTCOMES, SMALL_GROUP, _attr_label, _f, _pfmt, attr_name, attr_value, feature_name,
                   parse_split, pick_control, series_name, value_name)
from .charts import _title_lift, figures, ratings_figure
from .counterfactual import (CounterfactualFit, _block_indices, counterfactual, counterfactual_draws,
                             fit_counterfactual, order_series, orders_options, present_counterfactual, summarise)
from .experiment import (Attribute, ExperimentFit, SegmentSums, _compare, analyse, experiment_options,
                         fit_experiment)
from .feedback import (TERMS_PER_LANGUAGE, TERMS_POOL, FeedbackFit, _terms_by_language, feedback_options,
                       fit_feedback, nps_from_counts, present_feedback)
from .memo import _decide, _exp_findings, _fmt_effect, _memo
from .money import _money, _money_row, plan_figures
from .sums import CupedMoments, Moments, any_value, in_dates, with_line
from .uplift import fit_uplift

PAGE = "post-campaign-evaluation"
KINDS = {"experiments": False, "feedback": False, "orders": False}
KINDS_ANY = ("experiments", "orders", "feedback")  # the page needs one of these (components.page.frame)
# The kind of value of each key figure (analytics/tables.py), as the cards and the report show it.
KPI_KINDS = {"units": "count", "srm_p_value": "pvalue", "p_value_adjusted": "pvalue", "lift_rel": "signed_percent",
             "incremental_roi": "signed_percent", "incremental_revenue": "signed_money", "nps": "signed",
             "rating_mean": "ratio", "cost": "money", "effect_rel": "signed_percent", "r2_pre": "ratio",
             "qini_auc": "number", "top30": "percent", "n_test": "count", "nps_n": "count", "comments": "count",
             "cuped": "fine_percent"}


def group_columns(result: dict) -> tuple[Col, ...]:
    """The columns of the groups table: group, units, then each outcome with its interval.

    Parameters
    ----------
    result : dict
        The page result (``outcomes``).

    Returns
    -------
    tuple[Col, ...]
        The columns.
    """
    cols = [Col("group", "text"), Col("n", "count")]
    for o in result.get("outcomes") or []:
        out = f"evaluation.outcome.{o}"
        cols += [Col(o, "number", label=out, digits=6),
                 Col(f"{o}_ci_low", "number", label=f"{out} · evaluation.col.ci_low", digits=6),
                 Col(f"{o}_ci_high", "number", label=f"{out} · evaluation.col.ci_high", digits=6)]
    return tuple(cols)


def group_rows(result: dict) -> list[dict]:
    """The groups table's rows: the control group marked with a star.

    Parameters
    ----------
    result : dict
        The page result (``group_table``).

    Returns
    -------
    list[dict]
        The rows.
    """
    return [dict(r, group=r["group"] + (" ★" if r.get("is_control") else "")) for r in result.get("group_table") or []]


def main_cuped(result: dict) -> dict | None:
    """The CUPED row of the memo's arm and outcome (else the first row).

    Parameters
    ----------
    result : dict
        The page result (``cuped``, ``memo``).

    Returns
    -------
    dict | None
        The row, or None.
    """
    rows, memo = result.get("cuped") or [], result.get("memo") or {}
    return next((c for c in rows if c["group"] == memo.get("arm") and c["outcome"] == memo.get("outcome")),
                rows[0] if rows else None)


def kpi_kinds(result: dict) -> dict[str, str]:
    """:data:`KPI_KINDS` with the kinds that depend on the result: a lift in percentage points for a rate
    outcome, else money; the counterfactual's effect in money for revenue, else a signed count.

    Parameters
    ----------
    result : dict
        The page result (``kpis``, ``counterfactual``).

    Returns
    -------
    dict[str, str]
        KPI name -> kind.
    """
    kinds = dict(KPI_KINDS)
    for name in result.get("kpis") or {}:
        if name.startswith("lift_") and name != "lift_rel":
            kinds[name] = "signed_points" if name[5:] in RATE_OUTCOMES else "signed_money"
    cf = result.get("counterfactual") or {}
    kinds["cf_effect"] = "signed_money" if cf.get("metric") == "revenue" else "signed"
    return kinds

# Result tables as the page, its CSV export and the HTML report show them (analytics/tables.py): name (a path
# in the result), columns with their kind of value; headers ``evaluation.col.<column>``.
_OUT = Col("outcome", "text", values="evaluation.outcome")
TABLES: dict[str, tuple] = {
    "comparisons": (("group", "text"), _OUT, ("n", "count"), ("control_n", "count"), Col("value", "number", digits=6),
                    Col("control_value", "number", digits=6), Col("lift_abs", "number", digits=6),
                    ("lift_rel", "percent"), Col("ci_low", "number", digits=6), Col("ci_high", "number", digits=6),
                    Col("ci_low_adjusted", "number", digits=6), Col("ci_high_adjusted", "number", digits=6),
                    ("p_value", "number"), ("p_value_adjusted", "number"), ("significant", "bool")),
    "srm.rows": (("group", "text"), ("observed", "count"), Col("expected", "number", digits=1),
                 ("observed_share", "percent"), ("expected_share", "percent")),
    "cuped": (("group", "text"), _OUT, Col("lift_abs_before", "number", digits=6), Col("lift_abs", "number", digits=6),
              Col("ci_low", "number", digits=6), Col("ci_high", "number", digits=6),
              Col("ci_width_before", "number", digits=6), Col("ci_width_after", "number", digits=6),
              ("narrower_by", "percent"), ("variance_reduction", "percent")),
    "power": (("group", "text"), _OUT, ("n", "count"), ("control_n", "count"), Col("mde_abs", "number", digits=6),
              ("mde_rel", "percent"), ("power_min_effect", "percent")),
    "segments.heterogeneity": (Col("attribute", "text", values=f"{NS}.attr"), ("group", "text"), _OUT, Col("q", "number", digits=2),
                               ("df", "count"), ("p_value", "number"), ("p_value_adjusted", "number"),
                               ("flagged", "bool")),
    "segments.rows": (Col("attribute", "text", values=f"{NS}.attr"), Col("segment", "text", values=f"{NS}.value"),
                      ("group", "text"), _OUT, ("n", "count"),
                      ("control_n", "count"), Col("value", "number", digits=4), Col("control_value", "number", digits=4),
                      Col("lift_abs", "number", digits=4), ("lift_rel", "percent"), Col("ci_low", "number", digits=4),
                      Col("ci_high", "number", digits=4), ("p_value", "number"), ("p_value_adjusted", "number")),
    "uplift.deciles": (("decile", "count"), ("n_treated", "count"), ("n_control", "count"), ("rate_treated", "percent"),
                       ("rate_control", "percent"), Col("observed_uplift", "number", digits=4),
                       Col("predicted_uplift", "number", digits=4)),
    "uplift.ranked": (("rank", "count"), ("unit_id", "id"), ("group", "text"), Col("uplift_score", "number", digits=4)),
    "uplift.features": (("feature", "text"), Col("treated", "number", digits=3), Col("control", "number", digits=3),
                        Col("difference", "number", digits=3)),
    "counterfactual.series": (("date", "date"), ("actual", "number"), ("predicted", "number"), ("lower", "number"),
                              ("upper", "number"), Col("campaign", "bool", label="evaluation.col.campaign_period")),
    "money.arms": (("group", "text"), Col("source", "text", values="evaluation.source"), ("n", "count"),
                   Col("revenue_lift_per_unit", "number", digits=4), ("incremental_revenue", "money"),
                   ("ci_low", "money"), ("ci_high", "money"), ("campaign_cost", "money"), ("incentive_cost", "money"),
                   ("cost", "money"), ("roi", "percent"), ("roi_ci_low", "percent"), ("roi_ci_high", "percent"),
                   Col("iroas", "number", digits=2), Col("break_even_lift_per_unit", "number", digits=4)),
    "money.plan.rows": (Col("item", "text", values="evaluation.item"), Col("plan", "number", digits=2),
                        Col("actual", "number", digits=2), Col("diff", "number", digits=2), ("diff_pct", "percent")),
    "feedback.ratings": (("rating", "count"), ("count", "count"),
                         Col("share", "percent", label="evaluation.col.share_answers")),
    "feedback.nps_distribution": (("score", "count"), ("count", "count"),
                                  Col("share", "percent", label="evaluation.col.share_answers")),
    "feedback.by_campaign": (("campaign", "text"), ("n", "count"), Col("rating_mean", "number", digits=2),
                             ("n_rating", "count"), Col("nps", "number", digits=1), Col("nps_ci_low", "number", digits=1),
                             Col("nps_ci_high", "number", digits=1), ("n_nps", "count"), ("top_words", "text"),
                             ("top_phrases", "text")),
    # page-level tables (not paths of the result): comment terms per language, campaigns in the orders
    "terms": (("term", "text"), ("count", "count"), ("share", "percent")),
    "campaigns": (("campaign", "text"), ("first_order", "date"), ("last_order", "date"), ("order_lines", "count")),
}

PARAMS = [
    Param("control", "str", None, help="evaluation.help.control"),
    Param("split", "str", None, help="evaluation.help.split"),
    Param("alpha", "float", 0.05, min=0.001, max=0.2, help="evaluation.help.alpha"),
    Param("outcomes", "list", None, choices=OUTCOMES, help="evaluation.help.outcomes"),
    Param("primary", "str", None, choices=OUTCOMES, help="evaluation.help.primary"),
    Param("min_effect", "float", 0.05, min=0.0, max=10.0, help="evaluation.help.min_effect"),
    Param("segment_by", "list", None, help="evaluation.help.segment_by"),
    Param("min_segment_n", "int", 200, min=10, help="evaluation.help.min_segment_n"),
    Param("campaign_cost", "float", 0.0, min=0.0, help="evaluation.help.campaign_cost"),
    Param("incentive_cost", "float", 0.0, min=0.0, help="evaluation.help.incentive_cost"),
    Param("plan_id", "str", None, help="evaluation.help.plan_id"),
    Param("plan_spend", "float", None, min=0.0, help="evaluation.help.plan_spend"),
    Param("plan_outcome", "float", None, help="evaluation.help.plan_outcome"),
    Param("uplift_outcome", "str", None, choices=RATE_OUTCOMES, help="evaluation.help.uplift_outcome"),
    Param("uplift_sample", "int", 100_000, min=2_000, max=2_000_000, help="evaluation.help.uplift_sample"),
    Param("export_n", "int", 1000, min=10, max=100_000, help="evaluation.help.export_n"),
    Param("cf_metric", "str", "revenue", choices=("revenue", "orders", "buyers"), help="evaluation.help.cf_metric"),
    Param("cf_by", "str", None, help="evaluation.help.cf_by"),
    Param("cf_treated", "str", None, help="evaluation.help.cf_treated"),
    Param("campaign_start", "date", None, help="evaluation.help.campaign_start"),
    Param("campaign_end", "date", None, help="evaluation.help.campaign_end"),
    Param("cf_grain", "str", "day", choices=("day", "week"), help="evaluation.help.cf_grain"),
    Param("feedback_campaign", "str", None, help="evaluation.help.feedback_campaign"),
    Param("seed", "int", 0, min=0, help="evaluation.help.seed"),
]
DEFAULTS = {p.key: p.default for p in PARAMS}

# What the fit depends on (with the shared "start" / "end"); the others (alpha, split, min_effect, primary,
# min_segment_n, costs, plan) only change the presentation and never refit.
FIT_PARAMS = ("control", "outcomes", "segment_by", "uplift_outcome", "uplift_sample", "export_n", "seed",
              "cf_metric", "cf_by", "cf_treated", "campaign_start", "campaign_end", "cf_grain", "feedback_campaign")
# page helpers whose result has no text: analytics.cached.page_call keeps one result for every language
LANGUAGE_FREE_CALLS = ('page_options',)
DISPLAY_PARAMS = tuple(p.key for p in PARAMS if p.key not in FIT_PARAMS)

# Most units of the best arm and the control the uplift model reads from the engine (a seeded random
# sample above it; every unit when there are fewer, so small tests are not sampled).
MAX_UNITS = 200_000


def _p(params: dict | None) -> dict:
    out = dict(DEFAULTS)
    out.update({k: v for k, v in (params or {}).items() if v is not None})
    return out


# ====================================================================== fit


@dataclass(frozen=True)
class EvaluationFit:
    """What the evaluation learned from the engine, before the language and the display parameters.

    Attributes
    ----------
    kinds : tuple of str
        The dataset kinds with lines in the date range ("experiments", "orders", "feedback").
    experiment : ExperimentFit or None
        The randomised test's sums per group and segment and its uplift model (:mod:`.experiment`).
    experiment_error : tuple or None
        (i18n key, keyword arguments) of the reason the test could not be analysed when other kinds still
        answer (the presentation turns it into a warning).
    n_units : int
        Units of the test analysed (with a group, in the date range); 0 without a test.
    units_sampled : bool
        Whether the uplift model's units were a sample drawn in the engine (more than MAX_UNITS units in
        the best arm and the control).
    units_sample_n : int or None
        How many units were drawn for the uplift model (None without a model).
    counterfactual : CounterfactualFit or None
        The non-randomised counterfactual from the orders (:mod:`.counterfactual`).
    feedback : FeedbackFit or None
        Feedback counts and comment terms (:mod:`.feedback`).
    """

    kinds: tuple
    experiment: ExperimentFit | None = None
    experiment_error: tuple | None = None
    n_units: int = 0
    units_sampled: bool = False
    units_sample_n: int | None = None
    counterfactual: CounterfactualFit | None = field(default=None)
    feedback: FeedbackFit | None = None


def _rows(tbl) -> int:
    return int(engine.to_frame(tbl.aggregate(n=tbl.count()))["n"].iloc[0])


def _dated(tbl, col: str, p: dict, *, only_if_dated: bool):
    """The lines in the shared date range (on ``col``; with ``only_if_dated``, only when some line has a
    date, else every line)."""
    if col not in tbl.columns or (p.get("start") is None and p.get("end") is None):
        return tbl
    if only_if_dated and not any_value(tbl, col):
        return tbl
    return in_dates(tbl, col, p.get("start"), p.get("end"))


def fit(tables: dict, params: dict) -> EvaluationFit:
    """The language-free fit on engine tables (``tables``: kind -> ibis.Table with the canonical columns,
    ``attr_*`` and ``__line__``; ``params``: PARAMS plus "start" / "end", only FIT_PARAMS are read).

    Raises NotEnoughData when no kind has lines, or when the test is the only kind and cannot be analysed.

    Parameters
    ----------
    tables : dict
        Kind -> engine table: ``experiments``, ``orders``, ``feedback`` (any of them).
    params : dict
        The page's parameters.

    Returns
    -------
    EvaluationFit
        The experiment, counterfactual and feedback fits (each None when its kind is absent) and the kinds
        used.
    """
    p = _p(params)
    exp_t, orders_t, fb_t = (tables.get(k) for k in ("experiments", "orders", "feedback"))
    if exp_t is not None:
        exp_t = _dated(with_line(exp_t), "exposure_date", p, only_if_dated=True)
    if fb_t is not None:
        fb_t = _dated(with_line(fb_t), "date", p, only_if_dated=True)
    if orders_t is not None:
        orders_t = _dated(with_line(orders_t), "order_date", p, only_if_dated=False)
    have = [k for k, v in (("experiments", exp_t), ("orders", orders_t), ("feedback", fb_t))
            if v is not None and _rows(v)]
    if not have:
        raise NotEnoughData(f"{NS}.error.no_data")

    exp, exp_error = None, None
    if "experiments" in have:
        try:
            exp = fit_experiment(exp_t, p, max_units=int(MAX_UNITS))
        except NotEnoughData as e:
            if len(have) == 1:
                raise
            exp_error = (e.key, dict(e.kwargs))
    cf = fit_counterfactual(orders_t, p) if "orders" in have else None
    fb = fit_feedback(fb_t, p) if "feedback" in have else None
    up = (exp.uplift or {}) if exp is not None else {}
    return EvaluationFit(kinds=tuple(have), experiment=exp, experiment_error=exp_error,
                         n_units=exp.n_units if exp is not None else 0,
                         units_sampled=bool(up.get("units_sampled", False)), units_sample_n=up.get("n_sample"),
                         counterfactual=cf, feedback=fb)


# ====================================================================== present


def present(result: EvaluationFit, params: dict, lang: str = "en") -> dict:
    """The page's JSON-safe dict in ``lang`` from the fit alone (tests, intervals, money, memo, findings
    and warnings; ``params``: the display parameters and the same fit parameters the fit had).

    Parameters
    ----------
    result : EvaluationFit
        The fit.
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        ``page``, ``alpha``, ``kinds``, ``methods``, the experiment blocks (``control``, ``groups``,
        ``group_table``, ``srm``, ``arms``, ``cuped``, ``segments``, ``uplift``, ``power``, ``comparisons``,
        ...), ``counterfactual``, ``money``, ``feedback``, ``memo``, ``kpis``, ``findings``, ``warnings``.
    """
    p = _p(params)
    warn: list[str] = []
    findings: list[str] = []
    exp = None
    if result.experiment_error:
        key, kw = result.experiment_error
        warn.append(t(key, lang, **kw))
    if result.experiment is not None:
        exp = analyse(result.experiment, p, lang)
        warn.extend(exp.pop("warnings"))
    cf = present_counterfactual(result.counterfactual, p, lang, warn)
    money = _money(exp, cf, p, lang, warn)
    feedback = present_feedback(result.feedback, p, lang, warn)
    memo = _memo(exp, cf, money, feedback, p, lang)

    res: dict = {"page": PAGE, "alpha": float(p["alpha"]), "kinds": list(result.kinds),
                 "methods": {k: t(f"{NS}.method.{k}", lang) for k in
                             ("rates", "means", "multiple", "srm", "cuped", "segments", "uplift", "counterfactual",
                              "nps", "text", "power")}}
    kpis: dict = {}
    if exp:
        res.update({k: exp[k] for k in ("control", "control_how", "groups", "group_table", "srm", "arms",
                                         "cuped", "segments", "uplift", "outcomes", "n_units")})
        res["power"] = [{k: c[k] for k in ("group", "outcome", "n", "control_n", "mde_abs", "mde_rel",
                                           "power_min_effect")} for c in exp["comparisons"]]
        res["comparisons"] = [{c.key: r.get(c.key) for c in map(as_col, TABLES["comparisons"])}
                              for r in exp["comparisons"]]
        kpis["units"] = exp["n_units"]
        kpis["srm_p_value"] = exp["srm"]["p_value"]
        _exp_findings(exp, p, lang, findings)
    else:
        res.update({"control": None, "srm": None, "arms": [], "cuped": [], "segments": None, "uplift": None})
    res["counterfactual"] = cf
    res["money"] = money
    res["feedback"] = feedback
    res["memo"] = memo
    if memo.get("arm") and exp:
        prim = memo["outcome"]
        a = next(x for x in exp["arms"] if x["group"] == memo["arm"])["outcomes"][prim]
        kpis[f"lift_{prim}"] = a["lift_abs"]
        kpis["lift_rel"] = a["lift_rel"]
        kpis["p_value_adjusted"] = a["p_value_adjusted"]
    if cf and cf.get("status") == "ok":
        kpis["cf_effect"] = cf["effect"]
        findings.append(t(f"{NS}.finding.cf", lang, treated=series_name(cf["by"], cf["treated"], lang),
                          effect=fmt_number(cf["effect"], lang),
                          lo=fmt_number(cf["ci_low"], lang), hi=fmt_number(cf["ci_high"], lang),
                          metric=t(f"{NS}.cf.metric.{cf['metric']}", lang)))
    elif cf and cf.get("status") == "needs_params":
        findings.append(t(f"{NS}.finding.cf_needs_params", lang, by=attr_name(cf["by"], lang, True)))
    if money:
        _money_totals(money, kpis, findings, lang)
    if feedback:
        _feedback_kpis(feedback, kpis, findings, lang)
    if memo.get("headline"):
        # a Chinese sentence ends in 。 and the next follows without a space
        findings.insert(0, join_sentences([memo["headline"], memo.get("reason") or ""], lang))
    res["kpis"] = kpis
    res["findings"] = findings
    res["warnings"] = list(dict.fromkeys(warn))
    return jsonable(res)


def _money_totals(money: dict, kpis: dict, findings: list[str], lang: str) -> None:
    """Add the totals to ``money`` (incremental revenue, cost, ROI), their KPIs and the money findings (the
    arm with the most incremental revenue; the gap to the plan)."""
    arms_m = money["arms"]
    inc, cost = sum(r["incremental_revenue"] for r in arms_m), sum(r["cost"] for r in arms_m)
    money["totals"] = {"incremental_revenue": inc, "cost": cost, "roi": (inc - cost) / cost if cost > 0 else None}
    kpis["incremental_revenue"] = inc
    if money["cost_given"]:
        tot_cost = sum(r["cost"] for r in arms_m)
        kpis["incremental_roi"] = (kpis["incremental_revenue"] - tot_cost) / tot_cost if tot_cost else None
    best = max(arms_m, key=lambda r: r["incremental_revenue"])
    findings.append(t(f"{NS}.finding.money{'_cost' if money['cost_given'] else ''}", lang, group=best["group"],
                      inc=fmt_money(best["incremental_revenue"], lang), lo=fmt_money(best["ci_low"], lang),
                      hi=fmt_money(best["ci_high"], lang),
                      roi=fmt_pct(best["roi"], lang, 0) if best["roi"] is not None else "—"))
    if money.get("plan"):
        for row in money["plan"]["rows"]:
            if row["item"] == "incremental_revenue" and row["diff_pct"] is not None:
                findings.append(t(f"{NS}.finding.plan", lang, pct=fmt_pct(row["diff_pct"], lang, 0, signed=True)))


def _feedback_kpis(feedback: dict, kpis: dict, findings: list[str], lang: str) -> None:
    """Add the feedback KPIs (NPS, mean rating) and findings (NPS with its interval, top terms)."""
    if feedback.get("nps"):
        kpis["nps"] = feedback["nps"]["nps"]
        findings.append(t(f"{NS}.finding.nps", lang, nps=f"{feedback['nps']['nps']:+.0f}",
                          lo=f"{feedback['nps']['ci_low']:+.0f}", hi=f"{feedback['nps']['ci_high']:+.0f}",
                          n=fmt_number(feedback["nps"]["n"], lang)))
    if feedback.get("rating_mean"):
        kpis["rating_mean"] = feedback["rating_mean"]["mean"]
    terms = (feedback.get("terms") or {}).get("words") or []
    if terms:
        findings.append(t(f"{NS}.finding.terms", lang, terms=fmt_list((w["term"] for w in terms[:5]), lang)))


# ====================================================================== frames (callers that hold them)


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """The page dict of canonical frames: ``present(fit(engine.tables_from_frames(frames), params), params,
    lang)`` (the frames are registered with their source lines; the engine drops them with their last
    expression).

    Parameters
    ----------
    frames : dict[str, pd.DataFrame]
        Kind -> canonical frame (None values are dropped).
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The page dict.
    """
    tables = engine.tables_from_frames({k: v for k, v in (frames or {}).items() if v is not None})
    return present(fit(tables, params), params, lang)


# ====================================================================== page helpers (cached.page_call)


def page_options(tables: dict, params: dict, lang: str = "en") -> dict:
    """What the page's controls can offer, read from the data (the same date filters as ``fit``):
    experiment groups (sorted as in the result) with sizes and the control guessed without a choice,
    outcomes and attributes present, order columns and their values for the counterfactual, the orders'
    date range, the tagged campaigns with their dates, and the feedback campaigns.
    ``tables``: kind -> engine table.

    Parameters
    ----------
    tables : dict
        Kind -> engine table.
    params : dict
        The page's parameters (the date range is read).
    lang : str
        Unused (the options are data values).

    Returns
    -------
    dict
        ``groups``, ``group_sizes``, ``control_guess``, ``control_how``, ``outcomes``, ``rate_outcomes``,
        ``attributes``, ``has_covariate``, ``n_units``, ``cf_columns``, ``cf_values``, ``cf_default_by``,
        ``date_min``, ``date_max``, ``campaigns``, ``feedback_campaigns``.
    """
    p = _p(params)
    out: dict = {"groups": [], "group_sizes": [], "control_guess": None, "control_how": None, "outcomes": [],
                 "rate_outcomes": [], "attributes": [], "has_covariate": False, "n_units": 0,
                 "cf_columns": [], "cf_values": {}, "cf_default_by": None, "date_min": None, "date_max": None,
                 "campaigns": [], "feedback_campaigns": []}
    exp = tables.get("experiments")
    if exp is not None:
        out.update(experiment_options(_dated(exp, "exposure_date", p, only_if_dated=True)))
    orders = tables.get("orders")
    if orders is not None:
        out.update(orders_options(_dated(orders, "order_date", p, only_if_dated=False)))
    fb = tables.get("feedback")
    if fb is not None:
        out["feedback_campaigns"] = feedback_options(_dated(fb, "date", p, only_if_dated=True))
    return jsonable(out)


__all__ = [
    # page interface
    "PAGE", "KINDS", "PARAMS", "DEFAULTS", "FIT_PARAMS", "DISPLAY_PARAMS", "MAX_UNITS", "fit", "present", "compute",
    "figures", "page_options", "plan_figures", "ratings_figure", "EvaluationFit", "KINDS_ANY", "KPI_KINDS",
    "kpi_kinds", "group_columns", "group_rows", "main_cuped", "attr_name", "value_name", "attr_value", "feature_name",
    "series_name",
    # parts
    "ExperimentFit", "Attribute", "SegmentSums", "CounterfactualFit", "FeedbackFit", "Moments", "CupedMoments",
    "fit_experiment", "analyse", "fit_uplift", "fit_counterfactual", "present_counterfactual", "fit_feedback",
    "present_feedback", "experiment_options", "orders_options", "feedback_options",
    # building blocks and constants
    "NS", "OUTCOMES", "RATE_OUTCOMES", "SEGMENT_OUTCOMES", "CONTROL_RE", "MAX_SEGMENT_LEVELS", "MAX_UPLIFT_LEVELS",
    "MAX_CONTROLS", "MAX_COMMENTS", "MAX_CAMPAIGN_COMMENTS", "SMALL_GROUP", "FEW_EVENTS", "CF_COLUMNS",
    "MAX_CF_VALUES", "TERMS_POOL", "TERMS_PER_LANGUAGE", "pick_control", "parse_split", "counterfactual",
    "counterfactual_draws", "summarise", "order_series", "nps_from_counts",
    "_p", "_f", "_pfmt", "_attr_label", "_compare", "_block_indices", "_money", "_money_row", "_memo", "_decide",
    "_fmt_effect", "_exp_findings", "_terms_by_language", "_title_lift",
]
