"""Randomised tests: sufficient statistics from the engine (:func:`fit_experiment`) and every test, interval
and check computed from them (:func:`analyse`): arms x outcomes with Holm-adjusted p-values, the
sample-ratio check, CUPED with the pre-period value, power / minimum detectable effect and lift by segment
with a heterogeneity test. The uplift model (unit rows, sampled) is in :mod:`.uplift`.

An outcome per unit: ``visit`` (visited), ``conversion`` (converted; revenue > 0 when there is no conversion
column), ``revenue`` (missing revenue counts 0 when some unit has one) and ``revenue_per_converter``
(revenue of the converted units). Per group the engine returns n, sum and the sum of squares of each; the
means, variances and everything after are computed here, so the numbers are those of the unit-level code.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics import stats as st
from analytics.common import NotEnoughData
from analytics.i18n import fmt_list, fmt_number, t
from data import engine

from .base import (FEW_EVENTS, MAX_SEGMENT_LEVELS, NS, RATE_OUTCOMES, SEGMENT_OUTCOMES, SMALL_GROUP,
                   _attr_label, _f, _pfmt, parse_split, pick_control)
from .sums import CupedMoments, cells, dbl, finite, flag, moments_of, moments_query, one_row, total

GROUP = "__group"
X = "__x"


def ycol(o: str) -> str:
    """The engine column of an outcome.

    Parameters
    ----------
    o : str
        The outcome.

    Returns
    -------
    str
        The column name.
    """
    return f"__y_{o}"


def xcol(o: str) -> str:
    """The engine column of the pre-period value for CUPED on outcome ``o`` (missing -> its mean).

    Parameters
    ----------
    o : str
        The outcome.

    Returns
    -------
    str
        The column name.
    """
    return f"__xf_{o}"


# ====================================================================== fit: what the engine returns


@dataclass(frozen=True)
class Attribute:
    """An attribute column the segments and the uplift model may use.

    Attributes
    ----------
    column : str
        The column (``attr_<name>`` or a canonical column named in ``segment_by``).
    label : str
        Its name as shown (``attr_`` removed).
    levels : int
        Distinct values among the units.
    numeric : bool
        Whether the column holds numbers (not booleans).
    values : tuple
        The distinct values, sorted as ``pandas.factorize(sort=True)`` sorts them, when the segments use
        the column (2 to MAX_SEGMENT_LEVELS values); else empty (the uplift model reads them itself).
    """

    column: str
    label: str
    levels: int
    numeric: bool
    values: tuple = ()

    @property
    def labels(self) -> list[str]:
        """The attribute's values as text, in order.

        Returns
        -------
        list[str]
            The labels.
        """
        return [str(v) for v in self.values]


@dataclass(frozen=True)
class SegmentSums:
    """Per group x value of one attribute, the sums of each segment outcome.

    Attributes
    ----------
    attribute : Attribute
        The attribute (its ``values`` give the value order).
    moments : dict[str, Moments]
        Outcome -> sums over the cells ``group_index * levels + value_index``.
    """

    attribute: Attribute
    moments: dict


@dataclass(frozen=True)
class ExperimentFit:
    """A randomised test as the engine summarised it (no language, no display parameters).

    Attributes
    ----------
    groups : tuple of str
        Group names, sorted.
    sizes : numpy.ndarray
        Units per group.
    control, control_how : str
        The control group and how it was chosen ("param", "name", "smallest").
    control_requested : str or None
        The control the parameters asked for (a warning says when it is not in the data).
    dropped : int
        Units without a group (left out).
    n_units : int
        Units analysed (with a group, in the date range).
    outcomes : tuple of str
        The outcomes analysed, in the order of OUTCOMES.
    revenue_filled : int
        Units whose missing revenue counts 0.
    converted_from_revenue : bool
        Whether conversion was derived from revenue > 0.
    moments : dict[str, Moments]
        Outcome -> per-group sums.
    cuped : dict[str, CupedMoments]
        Outcome -> per-group sums with the pre-period value (empty without a usable covariate).
    cuped_missing_x : int
        Units without a pre-period value (CUPED gives them the mean).
    segments : tuple of SegmentSums
        One per attribute with 2 to MAX_SEGMENT_LEVELS values, in column order.
    skipped_attributes : tuple of str
        Attributes asked for in ``segment_by`` that have too many values to break down.
    attributes : tuple of Attribute
        Every attribute considered (segments and uplift features), in column order.
    uplift : dict or None
        The uplift model's language-free result (:func:`analytics.evaluation.uplift.fit_uplift`).
    """

    groups: tuple
    sizes: np.ndarray
    control: str
    control_how: str
    control_requested: str | None
    dropped: int
    n_units: int
    outcomes: tuple
    revenue_filled: int
    converted_from_revenue: bool
    moments: dict
    cuped: dict
    cuped_missing_x: int
    segments: tuple
    skipped_attributes: tuple
    attributes: tuple
    uplift: dict | None = field(default=None)


def value_col(t: ir.Table, col: str) -> ir.Value:
    """A column as its values (NaN in a float column is missing).

    Parameters
    ----------
    t : ir.Table
        A table.
    col : str
        Column name.

    Returns
    -------
    ir.Value
        The column.
    """
    x = t[col]
    if x.type().is_floating():
        return ibis.ifelse(x.isnan(), ibis.null(x.type()), x)
    return x


def attribute_columns(columns: list[str], segment_by: list[str] | None) -> list[str]:
    """The attribute columns to use: those named in ``segment_by`` (as given or as ``attr_<name>``), else
    every ``attr_*`` column.

    Parameters
    ----------
    columns : list[str]
        The table's columns.
    segment_by : list[str] | None
        Attribute names chosen, or None.

    Returns
    -------
    list[str]
        The columns.
    """
    if segment_by:
        cols: list[str] = []
        for c in segment_by:
            for cand in (c, "attr_" + c):
                if cand in columns and cand not in cols:
                    cols.append(cand)
                    break
        return cols
    return [c for c in columns if c.startswith("attr_")]


def _plain(uniques) -> tuple:
    return tuple(u.item() if hasattr(u, "item") else u for u in np.asarray(uniques, dtype=object))


def sorted_values(values: pd.Series) -> tuple:
    """Distinct values in the order ``pandas.factorize(sort=True)`` gives them, as plain Python values.

    Parameters
    ----------
    values : pd.Series
        The values.

    Returns
    -------
    tuple
        The distinct values.
    """
    _, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
    return _plain(uniques)


def fit_experiment(t: ir.Table, p: dict, *, max_units: int) -> ExperimentFit:
    """The sums of a randomised test (``t``: the experiment's lines in the date range, with ``__line__``).

    Raises NotEnoughData when there is no group, only one, or no outcome.

    Parameters
    ----------
    t : ir.Table
        The experiment's lines (``group``, outcomes ``visited``, ``converted``, ``revenue``,
        ``pre_period_value``, ``attr_*``).
    p : dict
        The fit parameters (``segment_by``, ``outcomes``, ``control``, ...).
    max_units : int
        Most units the uplift model draws from the engine.

    Returns
    -------
    ExperimentFit
        Groups, sizes, control, the moments per outcome, CUPED moments, segments and the uplift model.
    """
    from .uplift import fit_uplift

    if "group" not in t.columns:
        raise NotEnoughData(f"{NS}.error.no_groups")
    ok = t["group"].cast("string").notnull()
    attr_cols = attribute_columns(list(t.columns), p.get("segment_by"))
    pr = _probe(t, ok, attr_cols)
    n_ok = int(pr["ok"])
    if n_ok == 0:
        raise NotEnoughData(f"{NS}.error.no_groups")
    dropped = int(pr["rows"]) - n_ok

    u, ys, n_conv, n_rev, n_x = _unit_outcomes(t.filter(ok), pr, p)
    has_rev, use_x = n_rev > 0, n_x > 0
    cuped_ok = use_x and n_x >= 10 and float(pr["x_max"]) > float(pr["x_min"])
    cuped_outcomes = [o for o in ys if o != "revenue_per_converter"] if cuped_ok else []
    u, groups, sizes, control, how, centres, x_centres = _groups_and_centres(u, ys, cuped_outcomes, p)
    gindex = {g_: i for i, g_ in enumerate(groups)}
    moments, cuped = _group_moments(u, ys, len(groups), gindex, centres, x_centres)

    # ---- attributes and segments
    levels = {c: int(pr[f"l{i}"]) for i, c in enumerate(attr_cols)}
    attributes, segments, skipped = _segment_sums(u, p, levels, groups, gindex, ys, centres)

    exp = ExperimentFit(groups=tuple(groups), sizes=sizes, control=control, control_how=how,
                        control_requested=p.get("control"), dropped=dropped, n_units=n_ok, outcomes=tuple(ys),
                        revenue_filled=(n_ok - n_rev) if has_rev else 0,
                        converted_from_revenue=bool(not n_conv and has_rev), moments=moments, cuped=cuped,
                        cuped_missing_x=(n_ok - n_x) if cuped_ok else 0, segments=tuple(segments),
                        skipped_attributes=tuple(skipped), attributes=tuple(attributes))
    return dataclasses.replace(exp, uplift=fit_uplift(u, exp, p, max_units=max_units, has_x=use_x,
                                                      x_missing=n_ok - n_x))


def _probe(t: ir.Table, ok: ir.BooleanValue, attr_cols: list[str]) -> dict:
    """One engine query over the lines: rows, lines with a group (``ok``), how many carry each outcome and the
    pre-period value (with its range), and the distinct values of every attribute column (``l<i>``)."""
    cols = t.columns
    probe = {"rows": t.count(), "ok": t.count(where=ok)}
    if "visited" in cols:
        probe["n_visit"] = flag(t, "visited").count(where=ok)
    if "converted" in cols:
        probe["n_conv"] = flag(t, "converted").count(where=ok)
    if "revenue" in cols:
        probe["n_rev"] = finite(t["revenue"]).count(where=ok)
    if "pre_period_value" in cols:
        xv = finite(t["pre_period_value"])
        probe.update(n_x=xv.count(where=ok), x_min=xv.min(where=ok), x_max=xv.max(where=ok))
    for i, c in enumerate(attr_cols):
        probe[f"l{i}"] = value_col(t, c).nunique(where=ok)
    return one_row(t.aggregate(**probe))


def _unit_outcomes(u: ir.Table, pr: dict, p: dict) -> tuple[ir.Table, list[str], int, int, int]:
    """The units (lines with a group) with their outcomes as columns: ``u`` with GROUP, one ``ycol`` per
    outcome (only those in ``p["outcomes"]`` when given) and X; returns it with the outcomes and the counts
    of lines with a conversion, a revenue and a pre-period value."""
    n_visit, n_conv, n_rev = (int(pr.get(k, 0) or 0) for k in ("n_visit", "n_conv", "n_rev"))
    has_rev = n_rev > 0
    derived: dict[str, ir.Value] = {GROUP: u["group"].cast("string")}
    rev = finite(u["revenue"]).fill_null(0.0) if has_rev else None
    conv = flag(u, "converted") if n_conv else ((rev > 0).cast("float64") if has_rev else None)
    ys: list[str] = []
    if n_visit:
        derived[ycol("visit")] = flag(u, "visited")
        ys.append("visit")
    if conv is not None:
        derived[ycol("conversion")] = conv
        ys.append("conversion")
    if has_rev:
        derived[ycol("revenue")] = rev
        ys.append("revenue")
        if conv is not None:
            derived[ycol("revenue_per_converter")] = ibis.ifelse(conv == 1, rev, ibis.null("float64"))
            ys.append("revenue_per_converter")
    wanted = p.get("outcomes")
    if wanted:
        ys = [o for o in ys if o in wanted]
    n_x = int(pr.get("n_x", 0) or 0)
    if n_x > 0:
        derived[X] = finite(u["pre_period_value"])
    return u.mutate(**derived), ys, n_conv, n_rev, n_x


def _groups_and_centres(u: ir.Table, ys: list[str], cuped_outcomes: list[str], p: dict) -> tuple:
    """Group sizes, the control, and the centres: the mean of each outcome (and of X over the units with that
    outcome: a missing X gets it); any centre near the mean keeps the second moments exact.

    Returns ``(u, groups, sizes, control, how, centres, x_centres)``, ``u`` with one ``xcol`` per CUPED
    outcome. Raises NotEnoughData for fewer than two groups or no outcome."""
    c_aggs = {"n": u.count()}
    for o in ys:
        c_aggs[f"n_{o}"] = u[ycol(o)].count()
        c_aggs[f"s_{o}"] = total(u[ycol(o)])
    for o in cuped_outcomes:
        has = u[ycol(o)].notnull() & u[X].notnull()
        c_aggs[f"xn_{o}"] = u.count(where=has)
        c_aggs[f"xs_{o}"] = total(u[X], where=has)
    sizes_df = engine.to_frame(u.group_by(GROUP).aggregate(**c_aggs))
    sizes_df = sizes_df.assign(**{GROUP: sizes_df[GROUP].astype(str)}).sort_values(GROUP, kind="stable")
    groups = [str(x) for x in sizes_df[GROUP]]
    sizes = sizes_df["n"].to_numpy(dtype=float)
    if len(groups) < 2:
        raise NotEnoughData(f"{NS}.error.one_group", group=groups[0] if groups else "")
    control, how = pick_control(groups, sizes, p.get("control"))
    if not ys:
        raise NotEnoughData(f"{NS}.error.no_outcomes")
    cr = sizes_df.sum(numeric_only=True)
    centres = {o: (float(cr[f"s_{o}"]) / int(cr[f"n_{o}"]) if int(cr[f"n_{o}"]) else 0.0) for o in ys}
    x_centres = {o: float(cr[f"xs_{o}"]) / int(cr[f"xn_{o}"]) for o in cuped_outcomes if int(cr[f"xn_{o}"])}
    if x_centres:
        u = u.mutate(**{xcol(o): u[X].fill_null(dbl(cx)) for o, cx in x_centres.items()})
    return u, groups, sizes, control, how, centres, x_centres


def _group_moments(u: ir.Table, ys: list[str], k: int, gindex: dict, centres: dict,
                   x_centres: dict) -> tuple[dict, dict]:
    """The per-group sums: the moments of each outcome, and the CUPED moments of those with an X centre."""
    agg = engine.to_frame(moments_query(u, [GROUP], {o: ycol(o) for o in ys}, centres,
                                        {o: (xcol(o), cx) for o, cx in x_centres.items()}))
    idx = np.array([gindex[str(x)] for x in agg[GROUP]], dtype=int)
    moments = {o: moments_of(agg, idx, k, o, centres[o]) for o in ys}
    cuped = {o: CupedMoments(y=moments[o], x_total=cells(agg, idx, k, f"sx_{o}"), x_centre=cx,
                             x_sq=cells(agg, idx, k, f"sxx_{o}"), xy=cells(agg, idx, k, f"sxy_{o}"))
             for o, cx in x_centres.items()}
    return moments, cuped


def _segment_sums(u: ir.Table, p: dict, levels: dict[str, int], groups: list[str], gindex: dict, ys: list[str],
                  centres: dict) -> tuple[list[Attribute], list[SegmentSums], list[str]]:
    """Every attribute (``levels``: its distinct values, counted in the engine) and, for those with 2 to
    MAX_SEGMENT_LEVELS values, the per group x value sums of the segment outcomes."""
    k = len(groups)
    seg_ys = {o: ycol(o) for o in SEGMENT_OUTCOMES if o in ys}
    attributes, segments, skipped = [], [], []
    for c, L in levels.items():
        dt = u[c].type()
        numeric = bool(dt.is_numeric() and not dt.is_boolean())
        a = Attribute(column=c, label=_attr_label(c), levels=L, numeric=numeric)
        if L < 2 or L > MAX_SEGMENT_LEVELS:
            if L > MAX_SEGMENT_LEVELS and p.get("segment_by"):
                skipped.append(_attr_label(c))
            attributes.append(a)
            continue
        key = "__seg"
        s = u.mutate(**{key: value_col(u, c)})
        s = s.filter(s[key].notnull())
        agg = engine.to_frame(moments_query(s, [GROUP, key], seg_ys, centres))
        pos, uniques = pd.factorize(agg[key], sort=True)
        values = _plain(uniques)
        a = Attribute(column=c, label=_attr_label(c), levels=len(values), numeric=numeric, values=values)
        L = len(values)
        idx = np.array([gindex[str(g_)] for g_ in agg[GROUP]], dtype=int) * L + np.asarray(pos)
        segments.append(SegmentSums(attribute=a, moments={o: moments_of(agg, idx, k * L, o, centres[o])
                                                          for o in seg_ys}))
        attributes.append(a)
    return attributes, segments, skipped


# ====================================================================== present: tests and checks from the sums


def _compare(kind: str, a: dict, b: dict, i, j, alpha: float) -> dict:
    """Arm(s) i vs control j (indices into the summaries; arrays allowed)."""
    n1, n2 = a["n"][i], b["n"][j]
    m1, m2 = a["mean"][i], b["mean"][j]
    if kind == "rate":
        c1, c2 = a["sum"][i], b["sum"][j]
        lo, hi = st.diff_proportions_ci(c1, n1, c2, n2, alpha)
        _, p = st.two_proportion_ztest(c1, n1, c2, n2)
        rlo, rhi = st.ratio_proportions_ci(c1, n1, c2, n2, alpha)
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.sqrt(m1 * (1 - m1) / n1 + m2 * (1 - m2) / n2)
        sd1, sd2 = np.sqrt(m2 * (1 - m2)), np.sqrt(m2 * (1 - m2))
    else:
        v1, v2 = a["var"][i], b["var"][j]
        w = st.welch_test(m1, v1, n1, m2, v2, n2, alpha)
        lo, hi, p, se = w["ci_low"], w["ci_high"], w["p_value"], w["se"]
        z = st.stats.norm.ppf(1 - alpha / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = m1 / m2 - 1
            se_rel = np.sqrt(v1 / n1 / m2**2 + m1**2 * v2 / (n2 * m2**4))  # delta method
        rlo, rhi = rel - z * se_rel, rel + z * se_rel
        sd1, sd2 = np.sqrt(v1), np.sqrt(v2)
    with np.errstate(divide="ignore", invalid="ignore"):
        lift_rel = m1 / m2 - 1
    return {"n": n1, "control_n": n2, "value": m1, "control_value": m2, "lift_abs": m1 - m2,
            "lift_rel": np.where(m2 != 0, lift_rel, np.nan), "ci_low": lo, "ci_high": hi,
            "lift_rel_ci_low": rlo, "lift_rel_ci_high": rhi, "p_value": p, "se": se, "sd1": sd1, "sd2": sd2}


def srm_check(fit: ExperimentFit, p: dict, lang: str, warn: list[str]) -> dict:
    """Sample-ratio mismatch: group sizes against the intended split (equal when none is given).

    Parameters
    ----------
    fit : ExperimentFit
        The experiment's fit.
    p : dict
        The parameters (``split``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    warn : list[str]
        The warnings, appended to.

    Returns
    -------
    dict
        :func:`analytics.stats.srm_test` plus ``groups``, ``weights``, ``split_given``, ``failed`` (p <
        0.001), ``suggested_split``, ``rows`` (group, observed, expected and their shares).
    """
    groups, sizes = list(fit.groups), fit.sizes
    k = len(groups)
    weights = parse_split(p.get("split"), k)
    if p.get("split") and weights is None:
        warn.append(t(f"{NS}.warning.bad_split", lang, split=p["split"], k=k, groups=" / ".join(groups)))
    srm = st.srm_test(sizes, weights)
    shares = np.asarray(sizes, dtype=float) / max(float(np.sum(sizes)), 1.0)
    srm.update({"groups": groups, "weights": weights or [1.0] * k, "split_given": weights is not None,
                "failed": bool(srm["p_value"] < 0.001),
                # the observed shares to the nearest 5%: the split to enter if unequal groups were planned
                "suggested_split": ":".join(str(int(v)) for v in np.round(shares * 20) * 5)})
    obs = [float(x) for x in srm.get("observed") or []]
    tot = sum(obs) or 1.0
    srm["rows"] = [{"group": g, "observed": o, "expected": e, "observed_share": o / tot, "expected_share": e / tot}
                   for g, o, e in zip(groups, obs, srm.get("expected") or [])]
    if srm["failed"] and weights is None:  # no split given: equal groups were assumed, say so
        warn.append(t(f"{NS}.warning.srm_assumed", lang, p=_pfmt(srm["p_value"]), split=srm["suggested_split"]))
    elif srm["failed"]:
        warn.append(t(f"{NS}.warning.srm", lang, p=_pfmt(srm["p_value"])))
    return srm


def arm_comparisons(fit: ExperimentFit, summ: dict, p: dict) -> tuple[list[dict], list[dict]]:
    """(comparisons: one row per arm x outcome with the Holm-adjusted p-value and power, arms: the same
    grouped per arm).

    Parameters
    ----------
    fit : ExperimentFit
        The experiment's fit.
    summ : dict
        Outcome -> :meth:`Moments.summary`.
    p : dict
        The parameters (``alpha``, ``min_effect``).

    Returns
    -------
    tuple[list[dict], list[dict]]
        The comparison rows and the arms.
    """
    alpha = float(p["alpha"])
    groups, sizes = list(fit.groups), fit.sizes
    ci = groups.index(fit.control)
    arms_idx = [i for i in range(len(groups)) if i != ci]
    rows, inputs = [], []
    for o, s in summ.items():
        kind = "rate" if o in RATE_OUTCOMES else "mean"
        for i in arms_idx:
            r = _compare(kind, s, s, i, ci, alpha)
            r = {key: float(v) for key, v in r.items()}
            mde_abs = st.mde(r["sd2"], r["n"], r["sd2"], r["control_n"], alpha, 0.8)
            r.update({"group": groups[i], "outcome": o, "method": "newcombe+ztest" if kind == "rate" else "welch",
                      "mde_abs": mde_abs, "mde_rel": mde_abs / r["control_value"] if r["control_value"] else None,
                      "power_min_effect": st.power_for(p["min_effect"] * abs(r["control_value"]), r["sd2"], r["n"],
                                                       r["sd2"], r["control_n"], alpha)})
            rows.append(r)
            inputs.append((kind, s, i))
    padj = st.holm([r["p_value"] for r in rows])
    for r, pa, (kind, s, i) in zip(rows, padj, inputs):
        r["p_value_adjusted"] = float(pa)
        r["significant"] = bool(np.isfinite(pa) and pa < alpha)
        # the interval with the same correction as the verdict: at the level where this comparison's own
        # p-value meets Holm's threshold (alpha x p / p_adjusted), so it excludes zero when, and only when,
        # the comparison is significant after Holm (up to the interval method: Newcombe / Welch)
        level = alpha * r["p_value"] / pa if np.isfinite(pa) and pa > 0 and r["p_value"] > 0 else alpha / len(rows)
        adj = _compare(kind, s, s, i, ci, min(max(level, 1e-12), alpha))
        r["ci_low_adjusted"], r["ci_high_adjusted"] = float(adj["ci_low"]), float(adj["ci_high"])
    arms = []
    for i in arms_idx:
        outs = {}
        for r in rows:
            if r["group"] == groups[i]:
                outs[r["outcome"]] = {key: r[key] for key in (
                    "n", "control_n", "value", "control_value", "lift_abs", "lift_rel", "ci_low", "ci_high",
                    "ci_low_adjusted", "ci_high_adjusted", "lift_rel_ci_low", "lift_rel_ci_high", "p_value", "p_value_adjusted", "significant", "method",
                    "mde_abs", "mde_rel", "power_min_effect", "se")}
        arms.append({"group": groups[i], "n": int(sizes[i]), "outcomes": outs})
    return rows, arms


def group_table(fit: ExperimentFit, summ: dict, alpha: float) -> list[dict]:
    """One row per group: units, each outcome's value and its interval.

    Parameters
    ----------
    fit : ExperimentFit
        The experiment's fit.
    summ : dict
        Outcome -> :meth:`Moments.summary`.
    alpha : float
        Two-sided level.

    Returns
    -------
    list[dict]
        Rows with ``group``, ``n``, ``is_control`` and per outcome its value, ``<o>_ci_low``, ``<o>_ci_high``.
    """
    ci = list(fit.groups).index(fit.control)
    out = []
    for gi, g in enumerate(fit.groups):
        row = {"group": g, "n": int(fit.sizes[gi]), "is_control": gi == ci}
        for o, s in summ.items():
            row[o] = _f(s["mean"][gi])
            if o in RATE_OUTCOMES:
                lo, hi = st.wilson_interval(s["sum"][gi], s["n"][gi], alpha)
            else:
                lo, hi = st.mean_ci(s["mean"][gi], s["var"][gi], s["n"][gi], alpha)
            row[o + "_ci_low"], row[o + "_ci_high"] = _f(lo), _f(hi)
        out.append(row)
    return out


def cuped_rows(fit: ExperimentFit, summ: dict, alpha: float) -> list[dict]:
    """CUPED per arm x outcome: the Welch interval before and after adjusting for the pre-period value.

    Parameters
    ----------
    fit : ExperimentFit
        The experiment's fit.
    summ : dict
        Outcome -> :meth:`Moments.summary`.
    alpha : float
        Two-sided level.

    Returns
    -------
    list[dict]
        Rows with ``group``, ``outcome``, ``theta``, the adjusted values and interval, the interval before,
        ``narrower_by``, ``variance_reduction``.
    """
    groups = list(fit.groups)
    ci = groups.index(fit.control)
    arms_idx = [i for i in range(len(groups)) if i != ci]
    out = []
    for o in fit.outcomes:
        cm = fit.cuped.get(o)
        if cm is None:
            continue
        theta, sa = cm.adjusted()
        sr = summ[o]
        for i in arms_idx:
            b = st.welch_test(sr["mean"][i], sr["var"][i], sr["n"][i], sr["mean"][ci], sr["var"][ci],
                              sr["n"][ci], alpha)
            a = st.welch_test(sa["mean"][i], sa["var"][i], sa["n"][i], sa["mean"][ci], sa["var"][ci],
                              sa["n"][ci], alpha)
            wb, wa = b["ci_high"] - b["ci_low"], a["ci_high"] - a["ci_low"]
            out.append({
                "group": groups[i], "outcome": o, "covariate": "pre_period_value", "theta": theta,
                "value_adj": float(sa["mean"][i]), "control_value_adj": float(sa["mean"][ci]),
                "lift_abs": a["diff"], "ci_low": a["ci_low"], "ci_high": a["ci_high"], "p_value": a["p_value"],
                "lift_abs_before": b["diff"], "ci_low_before": b["ci_low"], "ci_high_before": b["ci_high"],
                "ci_width_before": wb, "ci_width_after": wa,
                "narrower_by": 1 - wa / wb if wb else None,
                "variance_reduction": 1 - (sa["var"][i] + sa["var"][ci]) / (sr["var"][i] + sr["var"][ci]),
            })
    return out


def segment_rows(fit: ExperimentFit, p: dict, lang: str, warn: list[str]) -> dict:
    """Lift by segment (values with at least ``min_segment_n`` units in the arm and the control), BH-adjusted,
    and Cochran's Q per attribute x arm x outcome (Holm-adjusted).

    Parameters
    ----------
    fit : ExperimentFit
        The experiment's fit.
    p : dict
        The parameters (``alpha``, ``min_segment_n``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    warn : list[str]
        The warnings, appended to.

    Returns
    -------
    dict
        ``attributes``, ``min_n``, ``hidden``, ``n_comparisons``, ``rows``, ``heterogeneity``, ``correction``.
    """
    alpha = float(p["alpha"])
    min_n = int(p["min_segment_n"])
    groups = list(fit.groups)
    ci = groups.index(fit.control)
    arms_idx = [i for i in range(len(groups)) if i != ci]
    rows, het = [], []
    hidden = 0
    used = []
    for seg in fit.segments:
        a = seg.attribute
        L = a.levels
        used.append(a.label)
        labels = a.labels
        for o in SEGMENT_OUTCOMES:
            if o not in seg.moments:
                continue
            s = seg.moments[o].summary()
            kind = "rate" if o in RATE_OUTCOMES else "mean"
            for i in arms_idx:
                ii = np.arange(L) + i * L
                jj = np.arange(L) + ci * L
                r = _compare(kind, s, s, ii, jj, alpha)
                big = (r["n"] >= min_n) & (r["control_n"] >= min_n)
                hidden += int((~big & (r["n"] + r["control_n"] > 0)).sum())
                q, qp, qdf = st.heterogeneity_q(np.where(big, r["lift_abs"], np.nan), np.where(big, r["se"], np.nan))
                if qdf >= 1:
                    het.append({"attribute": a.label, "group": groups[i], "outcome": o, "q": q,
                                "df": qdf, "p_value": qp})
                for lv in np.where(big)[0]:
                    rows.append({"attribute": a.label, "segment": labels[lv], "group": groups[i],
                                 "outcome": o, **{key: _f(np.asarray(r[key])[lv]) for key in (
                                     "n", "control_n", "value", "control_value", "lift_abs", "lift_rel", "ci_low",
                                     "ci_high", "p_value", "se")}})
    if rows:
        adj = st.benjamini_hochberg([r["p_value"] if r["p_value"] is not None else np.nan for r in rows])
        for r, a_ in zip(rows, adj):
            r["p_value_adjusted"] = _f(a_)
            r["n"], r["control_n"] = int(r["n"]), int(r["control_n"])
    if het:
        adj = st.holm([h["p_value"] for h in het])
        for h, a_ in zip(het, adj):
            h["p_value_adjusted"] = _f(a_)
            h["flagged"] = bool(np.isfinite(a_) and a_ < alpha)
    if hidden:
        warn.append(t(f"{NS}.warning.segments_hidden", lang, n=hidden, min_n=min_n))
    if fit.skipped_attributes:
        warn.append(t(f"{NS}.warning.segments_many_levels", lang, cols=fmt_list(fit.skipped_attributes, lang),
                      max=MAX_SEGMENT_LEVELS))
    if rows:
        warn.append(t(f"{NS}.warning.segments_noise", lang, n=len(rows)))
    return {"attributes": used, "min_n": min_n, "hidden": hidden, "n_comparisons": len(rows),
            "rows": rows, "heterogeneity": het, "correction": "benjamini-hochberg (rows), holm (heterogeneity)"}


def analyse(fit: ExperimentFit, p: dict, lang: str) -> dict:
    """Everything about a randomised test (arms, SRM, CUPED, power, segments, uplift) from its sums, with
    the warnings (key ``warnings``) in the order the checks run.

    Parameters
    ----------
    fit : ExperimentFit
        The experiment's fit.
    p : dict
        The parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        ``control``, ``control_how``, ``groups``, ``group_table``, ``srm``, ``arms``, ``comparisons``,
        ``cuped``, ``segments``, ``uplift``, ``outcomes``, ``n_units``, ``warnings``, ``converters``,
        ``dropped``.
    """
    from .uplift import uplift_warnings

    alpha = float(p["alpha"])
    warn: list[str] = []
    groups = list(fit.groups)
    if fit.dropped:
        warn.append(t(f"{NS}.warning.no_group", lang, n=fmt_number(fit.dropped, lang)))
    how, control = fit.control_how, fit.control
    if fit.control_requested and how != "param":
        warn.append(t(f"{NS}.warning.control_not_found", lang, requested=fit.control_requested, control=control))
    elif how != "param":
        warn.append(t(f"{NS}.warning.control_guessed", lang, control=control,
                      how=t(f"{NS}.control_how.{how}", lang)))
    srm = srm_check(fit, p, lang, warn)

    if fit.revenue_filled:
        warn.append(t(f"{NS}.warning.revenue_filled", lang, n=fmt_number(fit.revenue_filled, lang)))
    if fit.converted_from_revenue:
        warn.append(t(f"{NS}.warning.converted_from_revenue", lang))
    summ = {o: fit.moments[o].summary() for o in fit.outcomes}
    for gi, g in enumerate(groups):
        if fit.sizes[gi] < SMALL_GROUP:
            warn.append(t(f"{NS}.warning.small_group", lang, group=g, n=int(fit.sizes[gi])))
    for o in RATE_OUTCOMES:
        if o in summ and (summ[o]["sum"] < FEW_EVENTS).any():
            warn.append(t(f"{NS}.warning.few_events", lang, outcome=t(f"{NS}.outcome.{o}", lang), n=FEW_EVENTS))

    rows, arms = arm_comparisons(fit, summ, p)
    table = group_table(fit, summ, alpha)
    if fit.cuped_missing_x:
        warn.append(t(f"{NS}.warning.cuped_missing_x", lang, n=fmt_number(fit.cuped_missing_x, lang)))
    cuped = cuped_rows(fit, summ, alpha)
    segments = segment_rows(fit, p, lang, warn)
    uplift_warnings(fit.uplift, lang, warn)
    # the page's uplift dict as before; where the engine sampled stays in the fit (and in the warning)
    uplift = ({k: v for k, v in fit.uplift.items() if k not in ("units_sampled", "n_sample")}
              if fit.uplift is not None else None)
    return {"control": control, "control_how": how, "groups": groups, "group_table": table,
            "srm": srm, "arms": arms, "comparisons": rows, "cuped": cuped, "segments": segments,
            "uplift": uplift, "outcomes": list(fit.outcomes), "n_units": int(fit.n_units), "warnings": warn,
            "converters": {g: _f(summ["conversion"]["sum"][gi]) if "conversion" in summ else None
                           for gi, g in enumerate(groups)},
            "dropped": fit.dropped}


# ====================================================================== page options


def _outcomes_present(t: ir.Table) -> list[str]:
    def has(col: str) -> bool:
        return col in t.columns

    aggs = {c: t[c].count() for c in ("visited", "converted", "revenue") if has(c)}
    got = one_row(t.aggregate(**aggs)) if aggs else {}
    n = {c: int(got[c]) if c in aggs else 0 for c in ("visited", "converted", "revenue")}
    out = []
    if n["visited"]:
        out.append("visit")
    if n["converted"] or n["revenue"]:
        out.append("conversion")
    if n["revenue"]:
        out.append("revenue")
        out.append("revenue_per_converter")
    return out


def experiment_options(t: ir.Table) -> dict:
    """What the test's controls can offer (``t``: the experiment's lines in the date range): groups (sorted)
    with sizes, the control guessed without a choice, outcomes and attributes present, the covariate.

    Parameters
    ----------
    t : ir.Table
        The experiment's lines in the date range.

    Returns
    -------
    dict
        ``groups``, ``group_sizes``, ``n_units``, ``control_guess``, ``control_how``, ``outcomes``,
        ``rate_outcomes``, ``attributes``, ``has_covariate`` (empty without groups).
    """
    out: dict = {}
    cols = t.columns
    aggs = {"rows": t.count()}
    if "group" in cols:
        aggs["g"] = t["group"].count()
    if "pre_period_value" in cols:
        aggs["x"] = finite(t["pre_period_value"]).count()
    attrs = [c for c in cols if c.startswith("attr_")]
    for i, c in enumerate(attrs):
        aggs[f"a{i}"] = value_col(t, c).nunique()
    pr = one_row(t.aggregate(**aggs))
    if not int(pr["rows"]) or "group" not in cols or not int(pr.get("g", 0)):
        return out
    gt = t.filter(t["group"].notnull())
    sz = engine.to_frame(gt.group_by(g=gt["group"].cast("string")).aggregate(n=gt.count()))
    sz = sz.assign(g=sz["g"].astype(str)).sort_values("g", kind="stable")
    groups = [str(x) for x in sz["g"]]
    sizes = sz["n"].to_numpy()
    out.update({"groups": groups, "group_sizes": [int(x) for x in sizes], "n_units": int(pr["rows"])})
    if len(groups) >= 2:
        out["control_guess"], out["control_how"] = pick_control(groups, sizes.astype(float), None)
    out["outcomes"] = _outcomes_present(t)
    out["rate_outcomes"] = [o for o in RATE_OUTCOMES if o in out["outcomes"]]
    out["attributes"] = [_attr_label(c) for i, c in enumerate(attrs) if 2 <= int(pr[f"a{i}"]) <= MAX_SEGMENT_LEVELS]
    out["has_covariate"] = bool("x" in pr and int(pr["x"]) >= 10)
    return out
