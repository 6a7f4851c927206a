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

Methods are named in the result (``methods``) so the page and the report can say which were used.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from analytics import stats as st
from analytics.common import NotEnoughData, filter_dates, jsonable
from analytics.i18n import fmt_money, fmt_number, fmt_pct, t
from analytics.params import Param

PAGE = "post-campaign-evaluation"
KINDS = {"experiments": False, "feedback": False, "orders": False}
NS = "evaluation"

OUTCOMES = ("visit", "conversion", "revenue", "revenue_per_converter")
RATE_OUTCOMES = ("visit", "conversion")
SEGMENT_OUTCOMES = ("visit", "conversion", "revenue")

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

CONTROL_RE = re.compile(
    r"control|no[\s_-]*e?-?mail|hold[\s_-]*out|baseline|untreated|no[\s_-]*treat|placebo|对照|空白|未发|不发|未触达|基线",
    re.IGNORECASE,
)
MAX_SEGMENT_LEVELS = 20
MAX_UPLIFT_LEVELS = 50
MAX_CONTROLS = 10
MAX_COMMENTS = 20_000
SMALL_GROUP = 100
FEW_EVENTS = 30


def _p(params: dict | None) -> dict:
    out = dict(DEFAULTS)
    out.update({k: v for k, v in (params or {}).items() if v is not None})
    return out


def _f(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if not np.isfinite(x) else x


# ====================================================================== experiments: preparation


def _bool_col(s: pd.Series) -> np.ndarray:
    """boolean / 0-1 / text column -> float array with NaN for missing."""
    if s.dtype == "boolean" or s.dtype == bool:
        return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if pd.api.types.is_numeric_dtype(s):
        v = s.to_numpy(dtype=float, na_value=np.nan)
        return np.where(np.isnan(v), np.nan, (v > 0).astype(float))
    low = s.astype("str").str.strip().str.lower()
    yes = low.isin(["1", "true", "yes", "y", "是", "t"])
    no = low.isin(["0", "false", "no", "n", "否", "f"])
    return np.where(yes, 1.0, np.where(no, 0.0, np.nan))


def pick_control(groups: list[str], sizes: np.ndarray, requested: str | None) -> tuple[str, str]:
    """(control group, how it was chosen: "param" | "name" | "smallest")."""
    if requested and requested in groups:
        return requested, "param"
    named = [g for g in groups if CONTROL_RE.search(g)]
    if named:
        return named[0], "name"
    return groups[int(np.argmin(sizes))], "smallest"


def parse_split(split: str | None, k: int) -> list[float] | None:
    """"1:1:1" / "40:40:20" / "50,50" -> weights, or None when absent or malformed."""
    if not split:
        return None
    parts = [p for p in re.split(r"[:/,;\s]+", str(split).strip()) if p]
    try:
        w = [float(p.rstrip("%")) for p in parts]
    except ValueError:
        return None
    if len(w) != k or any(x <= 0 or not np.isfinite(x) for x in w):
        return None
    return w


class _Groups:
    """Per-group sums of each outcome, computed once with bincount (fast on millions of units)."""

    def __init__(self, codes: np.ndarray, k: int):
        self.codes, self.k = codes, k

    def summary(self, y: np.ndarray, codes: np.ndarray | None = None, k: int | None = None) -> dict:
        c = self.codes if codes is None else codes
        k = self.k if k is None else k
        ok = ~np.isnan(y)
        cc, yy = c[ok], y[ok]
        n = np.bincount(cc, minlength=k).astype(float)
        s = np.bincount(cc, weights=yy, minlength=k)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = s / n
            dev = yy - mean[cc]
            ss = np.bincount(cc, weights=dev * dev, minlength=k)
            var = ss / (n - 1)
        return {"n": n, "sum": s, "mean": mean, "var": var}


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


# ====================================================================== experiments: analysis


def _outcome_arrays(df: pd.DataFrame, wanted: list[str] | None, warn: list[str], lang: str) -> dict[str, np.ndarray]:
    n = len(df)
    out: dict[str, np.ndarray] = {}
    visited = _bool_col(df["visited"]) if "visited" in df else np.full(n, np.nan)
    converted = _bool_col(df["converted"]) if "converted" in df else np.full(n, np.nan)
    revenue = df["revenue"].to_numpy(dtype=float, na_value=np.nan) if "revenue" in df else np.full(n, np.nan)
    has_rev = np.isfinite(revenue).any()
    if has_rev:
        missing = int(np.isnan(revenue).sum())
        if missing:
            warn.append(t(f"{NS}.warn.revenue_filled", lang, n=fmt_number(missing, lang)))
            revenue = np.where(np.isnan(revenue), 0.0, revenue)
    if np.isnan(converted).all() and has_rev:
        converted = (revenue > 0).astype(float)
        warn.append(t(f"{NS}.warn.converted_from_revenue", lang))
    if not np.isnan(visited).all():
        out["visit"] = visited
    if not np.isnan(converted).all():
        out["conversion"] = converted
    if has_rev:
        out["revenue"] = revenue
        if "conversion" in out:
            out["revenue_per_converter"] = np.where(converted == 1, revenue, np.nan)
    if wanted:
        out = {k: v for k, v in out.items() if k in wanted}
    return out


def _attributes(df: pd.DataFrame, segment_by: list[str] | None) -> dict[str, dict]:
    """attribute column -> {codes (int, -1 = missing), labels, numeric values or None}."""
    if segment_by:
        cols = []
        for c in segment_by:
            for cand in (c, "attr_" + c):
                if cand in df.columns and cand not in cols:
                    cols.append(cand)
                    break
    else:
        cols = [c for c in df.columns if c.startswith("attr_")]
    out = {}
    for c in cols:
        s = df[c]
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        codes, uniques = pd.factorize(s, sort=True, use_na_sentinel=True)
        out[c] = {"codes": np.asarray(codes), "labels": [str(u) for u in uniques], "levels": len(uniques),
                  "numeric": s.to_numpy(dtype=float, na_value=np.nan) if numeric else None}
    return out


def _attr_label(col: str) -> str:
    return col[5:] if col.startswith("attr_") else col


def analyse_experiment(df: pd.DataFrame, p: dict, lang: str) -> dict:
    """Everything about a randomised test (arms, SRM, CUPED, power, segments, uplift)."""
    alpha = float(p["alpha"])
    warn: list[str] = []
    if "group" not in df or df["group"].notna().sum() == 0:
        raise NotEnoughData(f"{NS}.error.no_groups")
    dropped = int(df["group"].isna().sum())
    if dropped:
        df = df.loc[df["group"].notna()]
        warn.append(t(f"{NS}.warn.no_group", lang, n=fmt_number(dropped, lang)))
    gcodes, gnames = pd.factorize(df["group"].astype("str"), sort=True)
    groups = [str(g) for g in gnames]
    k = len(groups)
    if k < 2:
        raise NotEnoughData(f"{NS}.error.one_group", group=groups[0] if groups else "")
    gcodes = np.asarray(gcodes)
    sizes = np.bincount(gcodes, minlength=k).astype(float)
    control, how = pick_control(groups, sizes, p.get("control"))
    if p.get("control") and how != "param":
        warn.append(t(f"{NS}.warn.control_not_found", lang, requested=p["control"], control=control))
    elif how != "param":
        warn.append(t(f"{NS}.warn.control_guessed", lang, control=control,
                      how=t(f"{NS}.control_how.{how}", lang)))
    ci = groups.index(control)
    arms_idx = [i for i in range(k) if i != ci]

    # ---- SRM
    weights = parse_split(p.get("split"), k)
    if p.get("split") and weights is None:
        warn.append(t(f"{NS}.warn.bad_split", lang, split=p["split"], k=k, groups=" / ".join(groups)))
    srm = st.srm_test(sizes, weights)
    shares = np.asarray(sizes, dtype=float) / max(float(np.sum(sizes)), 1.0)
    srm.update({"groups": groups, "weights": weights or [1.0] * k, "split_given": weights is not None,
                "failed": bool(srm["p_value"] < 0.001),
                # the observed shares to the nearest 5%: the split to enter if unequal groups were planned
                "suggested_split": ":".join(str(int(v)) for v in np.round(shares * 20) * 5)})
    if srm["failed"] and weights is None:  # no split given: equal groups were assumed, say so
        warn.append(t(f"{NS}.warn.srm_assumed", lang, p=_pfmt(srm["p_value"]), split=srm["suggested_split"]))
    elif srm["failed"]:
        warn.append(t(f"{NS}.warn.srm", lang, p=_pfmt(srm["p_value"])))

    # ---- outcomes
    ys = _outcome_arrays(df, p.get("outcomes"), warn, lang)
    if not ys:
        raise NotEnoughData(f"{NS}.error.no_outcomes")
    G = _Groups(gcodes, k)
    summ = {o: G.summary(y) for o, y in ys.items()}
    for g in groups:
        if sizes[groups.index(g)] < SMALL_GROUP:
            warn.append(t(f"{NS}.warn.small_group", lang, group=g, n=int(sizes[groups.index(g)])))
    for o in RATE_OUTCOMES:
        if o in summ and (summ[o]["sum"] < FEW_EVENTS).any():
            warn.append(t(f"{NS}.warn.few_events", lang, outcome=t(f"{NS}.outcome.{o}", lang), n=FEW_EVENTS))

    # ---- arms x outcomes
    rows = []
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
    padj = st.holm([r["p_value"] for r in rows])
    for r, pa in zip(rows, padj):
        r["p_value_adjusted"] = float(pa)
        r["significant"] = bool(np.isfinite(pa) and pa < alpha)
    arms = []
    for i in arms_idx:
        outs = {}
        for r in rows:
            if r["group"] == groups[i]:
                outs[r["outcome"]] = {key: r[key] for key in (
                    "n", "control_n", "value", "control_value", "lift_abs", "lift_rel", "ci_low", "ci_high",
                    "lift_rel_ci_low", "lift_rel_ci_high", "p_value", "p_value_adjusted", "significant", "method",
                    "mde_abs", "mde_rel", "power_min_effect", "se")}
        arms.append({"group": groups[i], "n": int(sizes[i]), "outcomes": outs})
    group_table = []
    for gi, g in enumerate(groups):
        row = {"group": g, "n": int(sizes[gi]), "is_control": gi == ci}
        for o, s in summ.items():
            row[o] = _f(s["mean"][gi])
            if o in RATE_OUTCOMES:
                lo, hi = st.wilson_interval(s["sum"][gi], s["n"][gi], alpha)
            else:
                lo, hi = st.mean_ci(s["mean"][gi], s["var"][gi], s["n"][gi], alpha)
            row[o + "_ci_low"], row[o + "_ci_high"] = _f(lo), _f(hi)
        group_table.append(row)

    # ---- CUPED
    cuped = []
    x = df["pre_period_value"].to_numpy(dtype=float, na_value=np.nan) if "pre_period_value" in df else None
    if x is not None and np.isfinite(x).sum() >= 10 and np.nanvar(x) > 0:
        n_missing_x = int(np.isnan(x).sum())
        if n_missing_x:
            warn.append(t(f"{NS}.warn.cuped_missing_x", lang, n=fmt_number(n_missing_x, lang)))
        for o, y in ys.items():
            if o == "revenue_per_converter":
                continue
            ok = ~np.isnan(y)
            xo = np.where(np.isnan(x), np.nanmean(x[ok]), x)
            xm = xo[ok].mean()
            yv, xv = y[ok], xo[ok]
            theta = float(np.cov(yv, xv, ddof=1)[0, 1] / np.var(xv, ddof=1))
            yadj = np.where(ok, y - theta * (xo - xm), np.nan)
            sa = G.summary(yadj)
            sr = summ[o]
            for i in arms_idx:
                b = st.welch_test(sr["mean"][i], sr["var"][i], sr["n"][i], sr["mean"][ci], sr["var"][ci],
                                  sr["n"][ci], alpha)
                a = st.welch_test(sa["mean"][i], sa["var"][i], sa["n"][i], sa["mean"][ci], sa["var"][ci],
                                  sa["n"][ci], alpha)
                wb, wa = b["ci_high"] - b["ci_low"], a["ci_high"] - a["ci_low"]
                cuped.append({
                    "group": groups[i], "outcome": o, "covariate": "pre_period_value", "theta": theta,
                    "value_adj": float(sa["mean"][i]), "control_value_adj": float(sa["mean"][ci]),
                    "lift_abs": a["diff"], "ci_low": a["ci_low"], "ci_high": a["ci_high"], "p_value": a["p_value"],
                    "lift_abs_before": b["diff"], "ci_low_before": b["ci_low"], "ci_high_before": b["ci_high"],
                    "ci_width_before": wb, "ci_width_after": wa,
                    "narrower_by": 1 - wa / wb if wb else None,
                    "variance_reduction": 1 - (sa["var"][i] + sa["var"][ci]) / (sr["var"][i] + sr["var"][ci]),
                })

    # ---- segments
    attrs = _attributes(df, p.get("segment_by"))
    segments = _segments(attrs, gcodes, k, ci, arms_idx, groups, ys, p, lang, warn)

    # ---- uplift
    uplift = _uplift(df, attrs, gcodes, groups, ci, ys, summ, p, lang, warn)

    return {"control": control, "control_how": how, "groups": groups, "group_table": group_table,
            "srm": srm, "arms": arms, "comparisons": rows, "cuped": cuped, "segments": segments,
            "uplift": uplift, "outcomes": list(ys), "n_units": int(len(df)), "warnings": warn,
            "converters": {g: _f(summ["conversion"]["sum"][gi]) if "conversion" in summ else None
                           for gi, g in enumerate(groups)},
            "dropped": dropped}


def _segments(attrs, gcodes, k, ci, arms_idx, groups, ys, p, lang, warn) -> dict:
    alpha = float(p["alpha"])
    min_n = int(p["min_segment_n"])
    rows, het = [], []
    hidden = 0
    used = []
    skipped = []
    for col, a in attrs.items():
        L = a["levels"]
        if L < 2 or L > MAX_SEGMENT_LEVELS:
            if L > MAX_SEGMENT_LEVELS and p.get("segment_by"):
                skipped.append(_attr_label(col))
            continue
        used.append(_attr_label(col))
        codes = a["codes"]
        ok = codes >= 0
        comb = np.where(ok, gcodes * L + codes, k * L)  # missing attribute -> overflow bucket
        for o in SEGMENT_OUTCOMES:
            if o not in ys:
                continue
            s = _Groups(comb, k * L + 1).summary(ys[o])
            kind = "rate" if o in RATE_OUTCOMES else "mean"
            for i in arms_idx:
                ii = np.arange(L) + i * L
                jj = np.arange(L) + ci * L
                r = _compare(kind, s, s, ii, jj, alpha)
                big = (r["n"] >= min_n) & (r["control_n"] >= min_n)
                hidden += int((~big & (r["n"] + r["control_n"] > 0)).sum())
                q, qp, qdf = st.heterogeneity_q(np.where(big, r["lift_abs"], np.nan), np.where(big, r["se"], np.nan))
                if qdf >= 1:
                    het.append({"attribute": _attr_label(col), "group": groups[i], "outcome": o, "q": q,
                                "df": qdf, "p_value": qp})
                for lv in np.where(big)[0]:
                    rows.append({"attribute": _attr_label(col), "segment": a["labels"][lv], "group": groups[i],
                                 "outcome": o, **{key: _f(np.asarray(r[key])[lv]) for key in (
                                     "n", "control_n", "value", "control_value", "lift_abs", "lift_rel", "ci_low",
                                     "ci_high", "p_value", "se")}})
    if rows:
        adj = st.benjamini_hochberg([r["p_value"] if r["p_value"] is not None else np.nan for r in rows])
        for r, a in zip(rows, adj):
            r["p_value_adjusted"] = _f(a)
            r["n"], r["control_n"] = int(r["n"]), int(r["control_n"])
    if het:
        adj = st.holm([h["p_value"] for h in het])
        for h, a in zip(het, adj):
            h["p_value_adjusted"] = _f(a)
            h["flagged"] = bool(np.isfinite(a) and a < alpha)
    if hidden:
        warn.append(t(f"{NS}.warn.segments_hidden", lang, n=hidden, min_n=min_n))
    if skipped:
        warn.append(t(f"{NS}.warn.segments_many_levels", lang, cols=", ".join(skipped), max=MAX_SEGMENT_LEVELS))
    if rows:
        warn.append(t(f"{NS}.warn.segments_noise", lang, n=len(rows)))
    return {"attributes": used, "min_n": min_n, "hidden": hidden, "n_comparisons": len(rows),
            "rows": rows, "heterogeneity": het, "correction": "benjamini-hochberg (rows), holm (heterogeneity)"}


# ---------------------------------------------------------------------- uplift model


def _design(df_idx: np.ndarray, attrs: dict, x_pre: np.ndarray | None) -> tuple[np.ndarray, list[str]]:
    cols, names = [], []
    for col, a in attrs.items():
        if a["numeric"] is not None and a["levels"] > MAX_SEGMENT_LEVELS:
            v = a["numeric"][df_idx]
            v = np.where(np.isnan(v), np.nanmean(v) if np.isfinite(v).any() else 0.0, v)
            cols.append(v)
            names.append(_attr_label(col))
        elif 2 <= a["levels"] <= MAX_UPLIFT_LEVELS:
            c = a["codes"][df_idx]
            for lv in range(1, a["levels"]):  # first level is the reference
                cols.append((c == lv).astype(float))
                names.append(f"{_attr_label(col)}={a['labels'][lv]}")
    if x_pre is not None:
        v = x_pre[df_idx]
        v = np.where(np.isnan(v), np.nanmedian(x_pre), v)
        cols.append(np.sign(v) * np.log1p(np.abs(v)))
        names.append("log_pre_period_value")
    if not cols:
        return np.empty((len(df_idx), 0)), names
    return np.column_stack(cols), names


def _uplift(df, attrs, gcodes, groups, ci, ys, summ, p, lang, warn) -> dict | None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    outcome = p.get("uplift_outcome")
    if outcome not in ys:
        cands = [o for o in RATE_OUTCOMES if o in ys]
        if not cands:
            return None
        outcome = max(cands, key=lambda o: summ[o]["sum"].sum())
    s = summ[outcome]
    arm_idx = [i for i in range(len(groups)) if i != ci]
    best = max(arm_idx, key=lambda i: s["mean"][i] - s["mean"][ci])
    x_pre = df["pre_period_value"].to_numpy(dtype=float, na_value=np.nan) if "pre_period_value" in df else None
    if x_pre is not None and not np.isfinite(x_pre).any():
        x_pre = None
    idx = np.where((gcodes == best) | (gcodes == ci))[0]
    y_all = ys[outcome]
    idx = idx[~np.isnan(y_all[idx])]
    n_pool = len(idx)
    rng = np.random.default_rng(int(p["seed"]))
    sample_n = int(p["uplift_sample"])
    sampled = n_pool > sample_n
    if sampled:
        idx = np.sort(rng.choice(idx, sample_n, replace=False))
    X, names = _design(idx, attrs, x_pre)
    if X.shape[1] == 0:
        return {"status": "no_features", "outcome": outcome}
    y = y_all[idx]
    tr = (gcodes[idx] == best).astype(float)
    if min(y[tr == 1].sum(), y[tr == 0].sum()) < 20 or len(idx) < 500:
        return {"status": "too_few", "outcome": outcome, "arm": groups[best]}
    mu, sd = X.mean(0), X.std(0)
    sd[sd == 0] = 1.0
    Z = (X - mu) / sd
    i_tr, i_te = train_test_split(np.arange(len(idx)), test_size=0.3, random_state=int(p["seed"]),
                                  stratify=tr * 2 + y)
    models = {}
    for arm_flag in (1.0, 0.0):
        m_rows = i_tr[tr[i_tr] == arm_flag]
        m = LogisticRegression(solver="newton-cholesky", max_iter=200, C=1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.fit(Z[m_rows], y[m_rows])
        models[arm_flag] = m

    def score(Zm: np.ndarray) -> np.ndarray:
        return models[1.0].predict_proba(Zm)[:, 1] - models[0.0].predict_proba(Zm)[:, 1]

    u_te = score(Z[i_te])
    y_te, t_te = y[i_te], tr[i_te]
    qauc = st.qini_auc_score(y_te, u_te, t_te)
    xq, yq = st.qini_curve(y_te, u_te, t_te)
    xp, yp = st.perfect_qini_curve(y_te, t_te)
    keep = np.unique(np.linspace(0, len(xq) - 1, min(len(xq), 201)).astype(int))
    n_te = len(i_te)
    curve = [{"share": float(xq[j] / n_te), "units": int(xq[j]), "qini": float(yq[j]),
              "random": float(yq[-1] * xq[j] / xq[-1])} for j in keep]
    # observed uplift by predicted decile on the held-out split
    order = np.argsort(-u_te, kind="mergesort")
    dec = np.empty(n_te, dtype=int)
    dec[order] = np.minimum((np.arange(n_te) * 10) // n_te, 9)
    deciles = []
    for d in range(10):
        m = dec == d
        nt, nc = (t_te[m] == 1).sum(), (t_te[m] == 0).sum()
        rt = y_te[m & (t_te == 1)].mean() if nt else np.nan
        rc = y_te[m & (t_te == 0)].mean() if nc else np.nan
        deciles.append({"decile": d + 1, "n_treated": int(nt), "n_control": int(nc), "rate_treated": _f(rt),
                        "rate_control": _f(rc), "observed_uplift": _f(rt - rc), "predicted_uplift": _f(u_te[m].mean())})
    top30 = int(np.ceil(0.3 * n_te))
    j30 = int(np.searchsorted(xq, top30))
    share30 = float(yq[min(j30, len(yq) - 1)] / yq[-1]) if yq[-1] > 0 else None

    # ranked list: every unit of the experiment (all groups), scored with the same models
    all_idx = np.arange(len(df))
    Xa, _ = _design(all_idx, attrs, x_pre)
    ua = score((Xa - mu) / sd)
    n_exp = int(p["export_n"])
    n_exp = min(n_exp, len(ua))
    cand = np.argpartition(-ua, n_exp - 1)[:n_exp] if n_exp < len(ua) else np.arange(len(ua))
    top = cand[np.argsort(-ua[cand], kind="mergesort")]
    unit_ids = df["unit_id"].astype("str").to_numpy() if "unit_id" in df else all_idx.astype(str)
    ranked = [{"rank": r + 1, "unit_id": str(unit_ids[j]), "group": groups[gcodes[j]], "uplift_score": float(ua[j])}
              for r, j in enumerate(top)]
    coefs = [{"feature": f, "treated": float(models[1.0].coef_[0][q]), "control": float(models[0.0].coef_[0][q]),
              "difference": float(models[1.0].coef_[0][q] - models[0.0].coef_[0][q])} for q, f in enumerate(names)]
    coefs.sort(key=lambda r: -abs(r["difference"]))
    if sampled:
        warn.append(t(f"{NS}.warn.uplift_sampled", lang, n=fmt_number(sample_n, lang), total=fmt_number(n_pool, lang)))
    return {"status": "ok", "outcome": outcome, "arm": groups[best], "control": groups[ci],
            "model": "two-model logistic regression (sklearn, standardised features)",
            "n_train": int(len(i_tr)), "n_test": int(n_te), "sampled": bool(sampled), "n_pool": int(n_pool),
            "test_share": 0.3, "seed": int(p["seed"]), "qini_auc": qauc, "curve": curve,
            "perfect_end": float(yp[-1]), "top30_share_of_incremental": share30, "deciles": deciles,
            "ranked": ranked, "n_scored": int(len(df)), "features": coefs[:15]}


# ====================================================================== counterfactual (non-randomised)


def _block_indices(n_src: int, n_out: int, block: int, B: int, rng: np.random.Generator) -> np.ndarray:
    """Moving-block bootstrap indices (B x n_out) into a series of length n_src."""
    nb = int(np.ceil(n_out / block))
    starts = rng.integers(0, max(n_src - block + 1, 1), size=(B, nb))
    idx = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(B, nb * block)[:, :n_out]
    return np.minimum(idx, n_src - 1)


def counterfactual(
    wide: pd.DataFrame,
    treated: str,
    start,
    end=None,
    *,
    alpha: float = 0.05,
    n_boot: int = 2000,
    seed: int = 0,
    placebo: bool = True,
    max_controls: int = MAX_CONTROLS,
) -> dict:
    """Pre/post counterfactual of ``wide[treated]`` from the other columns (control series).

    OLS (statsmodels) of the treated series on the control series over the pre-period (dates < start),
    prediction over the campaign window [start, end]. The cumulative effect is sum(actual - predicted); its
    interval is a moving-block residual bootstrap (refit on resampled pre-period residuals, plus resampled
    noise on the campaign window), percentile method. The placebo reruns everything with the last third of
    the pre-period as a fake campaign: its interval should contain 0.
    """
    import statsmodels.api as sm

    wide = wide.sort_index().astype(float).fillna(0.0)
    start = pd.Timestamp(start)
    end = pd.Timestamp(end) if end is not None else wide.index.max()
    if treated not in wide.columns:
        raise NotEnoughData(f"{NS}.error.cf_no_treated", treated=treated)
    pre = wide.index < start
    post = (wide.index >= start) & (wide.index <= end)
    ctrl_all = [c for c in wide.columns if c != treated and wide.loc[pre, c].std() > 0]
    n_pre = int(pre.sum())
    k_max = max(1, min(max_controls, (n_pre - 2) // 4))
    controls = sorted(ctrl_all, key=lambda c: -abs(wide.loc[pre, c].sum()))[:k_max]
    if not controls:
        raise NotEnoughData(f"{NS}.error.cf_no_controls")
    if n_pre < max(8, 3 * (len(controls) + 1)) or post.sum() < 1:
        raise NotEnoughData(f"{NS}.error.cf_short", n_pre=n_pre, n_post=int(post.sum()))
    X = sm.add_constant(wide[controls].to_numpy(), has_constant="add")
    y = wide[treated].to_numpy()
    Xp, yp = X[pre], y[pre]
    fit = sm.OLS(yp, Xp).fit()
    Xq, yq = X[post], y[post]
    pred = Xq @ fit.params
    effect = float((yq - pred).sum())

    # bootstrap
    rng = np.random.default_rng(seed)
    resid = fit.resid * np.sqrt(n_pre / max(n_pre - Xp.shape[1], 1))
    block = max(1, int(round(n_pre ** (1 / 3))))
    pinv = np.linalg.pinv(Xp)
    e_pre = resid[_block_indices(n_pre, n_pre, block, n_boot, rng)]          # B x n_pre
    Yb = (Xp @ fit.params)[None, :] + e_pre
    betas = Yb @ pinv.T                                                       # B x p
    e_post = resid[_block_indices(n_pre, len(yq), block, n_boot, rng)]        # B x n_post
    cf_b = betas @ Xq.T + e_post                                              # B x n_post
    eff_b = (yq[None, :] - cf_b).sum(1)
    lo, hi = np.quantile(eff_b, [alpha / 2, 1 - alpha / 2])
    p_boot = float(min(1.0, 2 * min((eff_b <= 0).mean(), (eff_b >= 0).mean())))
    band_lo, band_hi = np.quantile(cf_b, [alpha / 2, 1 - alpha / 2], axis=0)
    # analytical prediction interval of the cumulative effect (parameter + noise variance)
    ones = np.ones(len(yq))
    a = ones @ Xq
    var_sum = float(a @ fit.cov_params() @ a + len(yq) * fit.scale)
    from scipy import stats as sps

    zq = sps.t.ppf(1 - alpha / 2, fit.df_resid)
    base = float(pred.sum())
    series = []
    fitted_pre = Xp @ fit.params
    pre_dates = wide.index[pre]
    post_dates = wide.index[post]
    for d, a_, f_ in zip(pre_dates, yp, fitted_pre):
        series.append({"date": d, "actual": float(a_), "predicted": float(f_), "lower": None, "upper": None,
                       "campaign": False})
    for j, d in enumerate(post_dates):
        series.append({"date": d, "actual": float(yq[j]), "predicted": float(pred[j]), "lower": float(band_lo[j]),
                       "upper": float(band_hi[j]), "campaign": True})
    mape = float(np.mean(np.abs(fit.resid) / np.maximum(np.abs(yp), 1e-9)))
    out = {
        "treated": treated, "controls": controls, "n_controls_available": len(ctrl_all),
        "start": start, "end": end, "n_pre": n_pre, "n_post": int(len(yq)),
        "r2_pre": float(fit.rsquared), "mape_pre": mape, "coefficients": dict(zip(["const"] + controls,
                                                                                   map(float, fit.params))),
        "effect": effect, "ci_low": float(lo), "ci_high": float(hi), "p_value": p_boot,
        "pi_low": effect - zq * np.sqrt(var_sum), "pi_high": effect + zq * np.sqrt(var_sum),
        "predicted_total": base, "actual_total": float(yq.sum()),
        "effect_rel": effect / base if base else None,
        "effect_rel_ci_low": float(lo) / base if base else None,
        "effect_rel_ci_high": float(hi) / base if base else None,
        "effect_per_period": effect / len(yq),
        "significant": bool(lo > 0 or hi < 0),
        "method": f"OLS + moving-block bootstrap (block {block}, {n_boot} draws)",
        "block": block, "n_boot": n_boot, "series": series,
    }
    if placebo:
        pre_wide = wide.loc[pre]
        fake_i = int(n_pre * 2 / 3)
        fake_start = pre_wide.index[fake_i]
        try:
            pl = counterfactual(pre_wide, treated, fake_start, pre_wide.index[-1], alpha=alpha, n_boot=n_boot,
                                seed=seed + 1, placebo=False, max_controls=max_controls)
            out["placebo"] = {"fake_start": fake_start, "end": pre_wide.index[-1], "effect": pl["effect"],
                              "ci_low": pl["ci_low"], "ci_high": pl["ci_high"], "p_value": pl["p_value"],
                              "effect_rel": pl["effect_rel"],
                              "passed": bool(pl["ci_low"] <= 0 <= pl["ci_high"]), "n_pre": pl["n_pre"],
                              "n_post": pl["n_post"]}
        except NotEnoughData:
            out["placebo"] = {"fake_start": fake_start, "passed": None, "status": "too_short"}
    return out


def order_series(orders: pd.DataFrame, by: str, metric: str = "revenue", grain: str = "day") -> pd.DataFrame:
    """Wide frame: one row per day (or week), one column per value of ``by``; missing cells are 0."""
    df = orders.loc[orders["order_date"].notna() & orders[by].notna()]
    if df.empty:
        return pd.DataFrame()
    d = df["order_date"].dt.normalize()
    if grain == "week":
        d = d - pd.to_timedelta(d.dt.dayofweek, unit="D")
    key = pd.DataFrame({"date": d.to_numpy(), "s": df[by].astype("str").to_numpy()})
    if metric == "orders":
        key["v"] = df["order_id"].astype("str").to_numpy()
        g = key.groupby(["date", "s"])["v"].nunique()
    elif metric == "buyers":
        key["v"] = df["customer_id"].astype("str").where(df["customer_id"].notna()).to_numpy() \
            if "customer_id" in df else None
        g = key.groupby(["date", "s"])["v"].nunique()
    else:
        key["v"] = df["amount"].to_numpy(dtype=float, na_value=0.0)
        g = key.groupby(["date", "s"])["v"].sum()
    wide = g.unstack("s", fill_value=0).astype(float)
    full = pd.date_range(wide.index.min(), wide.index.max(), freq="7D" if grain == "week" else "D")
    return wide.reindex(full, fill_value=0.0)


def _cf_from_orders(orders: pd.DataFrame, p: dict, lang: str, warn: list[str]) -> dict | None:
    by = p.get("cf_by")
    tagged = None
    if "campaign" in orders and orders["campaign"].notna().any():
        tagged = orders["campaign"].notna()
    if not by:
        for c in ("region", "channel", "category", "city"):
            if c in orders and orders[c].nunique(dropna=True) >= 3:
                by = c
                break
    if by and by not in orders and "attr_" + by in orders:
        by = "attr_" + by
    if not by or by not in orders:
        return {"status": "no_dimension", "by": by}
    treated, start, end = p.get("cf_treated"), p.get("campaign_start"), p.get("campaign_end")
    guessed = []
    if tagged is not None and (treated is None or start is None):
        sub = orders.loc[tagged]
        names = sub["campaign"].astype("str")
        if names.nunique() > 1:  # several campaigns tagged: evaluate the most recent one
            firsts = sub.groupby(names)["order_date"].min()
            sub = sub.loc[names == firsts.idxmax()]
        if treated is None and sub[by].notna().any():
            treated = str(sub[by].value_counts().index[0])
            guessed.append("treated")
        if start is None:
            start = sub["order_date"].min().date()
            guessed.append("start")
            if end is None:
                end = sub["order_date"].max().date()
    if treated is None or start is None:
        return {"status": "needs_params", "by": by}
    wide = order_series(orders, by, p["cf_metric"], p["cf_grain"])
    if wide.empty or str(treated) not in wide.columns:
        return {"status": "no_treated", "by": by, "treated": treated}
    res = counterfactual(wide, str(treated), start, end, alpha=float(p["alpha"]), seed=int(p["seed"]))
    res.update({"status": "ok", "by": by, "metric": p["cf_metric"], "grain": p["cf_grain"], "guessed": guessed})
    if guessed:
        warn.append(t(f"{NS}.warn.cf_guessed", lang, treated=treated, start=str(start), by=by))
    if res["r2_pre"] < 0.5:
        warn.append(t(f"{NS}.warn.cf_poor_fit", lang, r2=f"{res['r2_pre']:.2f}"))
    pl = res.get("placebo") or {}
    if pl.get("passed") is False:
        warn.append(t(f"{NS}.warn.placebo_failed", lang))
    # campaign-window orders of the treated series (for incentive costs)
    m = (orders[by].astype("str") == str(treated)) & (orders["order_date"] >= pd.Timestamp(res["start"])) & \
        (orders["order_date"] < pd.Timestamp(res["end"]) + pd.Timedelta(days=7 if p["cf_grain"] == "week" else 1))
    res["campaign_orders"] = int(orders.loc[m, "order_id"].nunique())
    res["assumptions"] = [t(f"{NS}.cf.assumption.{i}", lang) for i in range(1, 5)]
    return res


# ====================================================================== money


def _money(exp: dict | None, cf: dict | None, p: dict, lang: str, warn: list[str]) -> dict | None:
    camp, inc = float(p["campaign_cost"] or 0), float(p["incentive_cost"] or 0)
    cost_given = camp > 0 or inc > 0
    rows = []
    if exp and "revenue" in exp["outcomes"]:
        arms = exp["arms"]
        n_treated = sum(a["n"] for a in arms)
        for a in arms:
            r = a["outcomes"]["revenue"]
            n = a["n"]
            conv = exp["converters"].get(a["group"]) or 0.0
            cost = camp * n / n_treated + inc * conv
            rows.append(_money_row(a["group"], r["lift_abs"] * n, r["ci_low"] * n, r["ci_high"] * n, cost,
                                   camp * n / n_treated, inc * conv, n, r["lift_abs"], "experiment"))
        source = "experiment"
    elif cf and cf.get("status") == "ok" and cf.get("metric") == "revenue":
        cost_inc = inc * cf.get("campaign_orders", 0)
        rows.append(_money_row(cf["treated"], cf["effect"], cf["ci_low"], cf["ci_high"], camp + cost_inc, camp,
                               cost_inc, None, None, "counterfactual"))
        source = "counterfactual"
    else:
        return None
    total = None
    if len(rows) > 1:
        inc_rev = sum(r["incremental_revenue"] for r in rows)
        cost = sum(r["cost"] for r in rows)
        total = {"incremental_revenue": inc_rev, "cost": cost,
                 "roi": (inc_rev - cost) / cost if cost > 0 else None}
    plan = None
    if p.get("plan_spend") is not None or p.get("plan_outcome") is not None:
        actual_cost = sum(r["cost"] for r in rows)
        actual_out = sum(r["incremental_revenue"] for r in rows)
        plan = {"plan_id": p.get("plan_id"), "rows": []}
        for item, planned, actual in (("spend", p.get("plan_spend"), actual_cost),
                                      ("incremental_revenue", p.get("plan_outcome"), actual_out)):
            if planned is None:
                continue
            plan["rows"].append({"item": item, "plan": float(planned), "actual": actual, "diff": actual - planned,
                                 "diff_pct": (actual - planned) / planned if planned else None})
        ps, po = p.get("plan_spend"), p.get("plan_outcome")
        if ps and po is not None:
            plan["rows"].append({"item": "roi", "plan": (po - ps) / ps,
                                 "actual": (actual_out - actual_cost) / actual_cost if actual_cost > 0 else None,
                                 "diff": None, "diff_pct": None})
    if not cost_given:
        warn.append(t(f"{NS}.warn.no_cost", lang))
    return {"source": source, "cost_given": cost_given, "campaign_cost": camp, "incentive_cost": inc,
            "arms": rows, "total": total, "plan": plan}


def _money_row(group, inc_rev, lo, hi, cost, camp_share, incentive, n, lift_per_unit, source) -> dict:
    def roi(x):
        return (x - cost) / cost if cost > 0 else None

    return {"group": group, "source": source, "n": n, "revenue_lift_per_unit": lift_per_unit,
            "incremental_revenue": inc_rev, "ci_low": lo, "ci_high": hi, "campaign_cost": camp_share,
            "incentive_cost": incentive, "cost": cost, "roi": roi(inc_rev), "roi_ci_low": roi(lo),
            "roi_ci_high": roi(hi), "iroas": inc_rev / cost if cost > 0 else None,
            "break_even_lift_per_unit": cost / n if (n and cost > 0) else None}


# ====================================================================== feedback


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


def analyse_feedback(fb: pd.DataFrame, p: dict, lang: str, warn: list[str]) -> dict | None:
    from analytics import text

    camp = p.get("feedback_campaign")
    if camp and "campaign" in fb:
        fb = fb.loc[fb["campaign"].astype("str") == str(camp)]
    if fb.empty:
        return None
    alpha = float(p["alpha"])
    out: dict = {"n": int(len(fb)), "campaign_filter": camp}
    rating = fb["rating"].to_numpy(dtype=float, na_value=np.nan) if "rating" in fb else np.array([])
    r = rating[np.isfinite(rating)]
    if len(r):
        vals, cnt = np.unique(np.round(r * 2) / 2, return_counts=True)
        out["ratings"] = [{"rating": float(v), "count": int(c), "share": c / len(r)} for v, c in zip(vals, cnt)]
        lo, hi = st.mean_ci(r.mean(), r.var(ddof=1) if len(r) > 1 else np.nan, len(r), alpha)
        out["rating_mean"] = {"mean": float(r.mean()), "ci_low": _f(lo), "ci_high": _f(hi), "n": int(len(r)),
                              "scale_max": float(5 if r.max() <= 5 else 10 if r.max() <= 10 else r.max())}
    npsv = fb["nps"].to_numpy(dtype=float, na_value=np.nan) if "nps" in fb else np.array([])
    nv = npsv[np.isfinite(npsv)]
    if len(nv):
        bad = int(((nv < 0) | (nv > 10)).sum())
        if bad:
            warn.append(t(f"{NS}.warn.nps_range", lang, n=bad))
        nv = nv[(nv >= 0) & (nv <= 10)]
        out["nps"] = st.nps(nv, alpha)
        vals, cnt = np.unique(np.round(nv), return_counts=True)
        out["nps_distribution"] = [{"score": int(v), "count": int(c), "share": c / len(nv)} for v, c in zip(vals, cnt)]
        if len(nv) < 100:
            warn.append(t(f"{NS}.warn.nps_small", lang, n=len(nv)))
    comments = fb["comment"] if "comment" in fb else pd.Series([], dtype="str")
    comments = comments.loc[comments.notna()]
    sampled = len(comments) > MAX_COMMENTS
    if sampled:
        comments = comments.sample(MAX_COMMENTS, random_state=int(p["seed"]))
        warn.append(t(f"{NS}.warn.comments_sampled", lang, n=fmt_number(MAX_COMMENTS, lang)))
    if len(comments):
        texts = comments.astype("str").tolist()
        terms = text.top_terms(texts, TERMS_POOL)  # one pass; the top 20 are the same as top_terms(..., 20)
        out["terms"] = {**terms, "words": terms["words"][:20], "phrases": terms["phrases"][:20], "sampled": sampled}
        out["terms_by_language"] = _terms_by_language(terms, texts)
    if "campaign" in fb and fb["campaign"].notna().any():
        by = []
        for name, sub in fb.groupby(fb["campaign"].astype("str"), sort=True):
            row: dict = {"campaign": name, "n": int(len(sub))}
            if "rating" in sub:
                rr = sub["rating"].to_numpy(dtype=float, na_value=np.nan)
                rr = rr[np.isfinite(rr)]
                row["rating_mean"] = _f(rr.mean()) if len(rr) else None
                row["n_rating"] = int(len(rr))
            if "nps" in sub:
                nn = sub["nps"].to_numpy(dtype=float, na_value=np.nan)
                nn = nn[np.isfinite(nn) & (nn >= 0) & (nn <= 10)]
                if len(nn):
                    s = st.nps(nn, alpha)
                    row.update({"nps": s["nps"], "nps_ci_low": s["ci_low"], "nps_ci_high": s["ci_high"],
                                "n_nps": s["n"]})
            if "comment" in sub and sub["comment"].notna().any():
                cs = sub["comment"].dropna().astype("str")
                if len(cs) > 5000:
                    cs = cs.sample(5000, random_state=int(p["seed"]))
                tt = text.top_terms(cs.tolist(), 5)
                row["top_words"] = ", ".join(w["term"] for w in tt["words"])
                row["top_phrases"] = ", ".join(w["term"] for w in tt["phrases"][:3])
            by.append(row)
        out["by_campaign"] = by
    return out


# ====================================================================== decision memo


def _decide(lift, lo, hi, p_adj, alpha, mde_abs, threshold, cost_given, roi, roi_lo) -> tuple[str, str]:
    """(recommendation, reason key)."""
    sig = p_adj is not None and p_adj < alpha
    if sig and lift > 0:
        if not cost_given:
            return "scale_up", "scale_up_no_cost"
        if roi_lo is not None and roi_lo > 0:
            return "scale_up", "scale_up"
        if roi is not None and roi < 0:
            return "iterate", "iterate_roi_negative"
        return "iterate", "iterate_roi_uncertain"
    if sig and lift < 0:
        return "stop", "stop_negative"
    if mde_abs is not None and threshold is not None and mde_abs <= threshold and hi < threshold:
        return "stop", "stop_flat"
    return "iterate", "iterate_not_significant"


def _fmt_effect(o: str, x, lang: str, signed: bool = True) -> str:
    if x is None:
        return "—"
    if o in RATE_OUTCOMES:
        v = x * 100
        return f"{v:+.2f} pp" if signed else f"{v:.2f}%"
    s = fmt_money(abs(x), lang)
    return (("+" if x >= 0 else "-") + s) if signed else fmt_money(x, lang)


def _memo(exp, cf, money, fb, p, lang) -> dict:
    alpha = float(p["alpha"])
    conf = f"{(1 - alpha) * 100:.0f}%"
    m: dict = {"recommendation": None, "reason": None, "effect": None, "checks": [], "text": ""}
    if exp:
        prim = p.get("primary") if p.get("primary") in exp["outcomes"] else next(
            o for o in ("revenue", "conversion", "visit", "revenue_per_converter") if o in exp["outcomes"])
        def _lift(a: dict) -> float:
            v = a["outcomes"][prim]["lift_abs"]
            return v if v is not None and np.isfinite(v) else -np.inf

        arm = max(exp["arms"], key=_lift)
        r = arm["outcomes"][prim]
        mrow = next((x for x in (money or {}).get("arms", []) if x["group"] == arm["group"]), None)
        cost_given = bool(money and money["cost_given"])
        threshold = None
        if cost_given and prim == "revenue" and mrow and mrow["break_even_lift_per_unit"]:
            threshold = mrow["break_even_lift_per_unit"]
        elif r["control_value"]:
            threshold = float(p["min_effect"]) * abs(r["control_value"])
        rec, why = _decide(r["lift_abs"], r["ci_low"], r["ci_high"], r["p_value_adjusted"], alpha, r["mde_abs"],
                           threshold, cost_given, mrow["roi"] if mrow else None, mrow["roi_ci_low"] if mrow else None)
        m.update({"recommendation": rec, "reason_key": why, "arm": arm["group"], "outcome": prim,
                  "threshold": threshold})
        m["effect"] = t(f"{NS}.memo.effect", lang, arm=arm["group"], control=exp["control"],
                        outcome=t(f"{NS}.outcome.{prim}", lang), lift=_fmt_effect(prim, r["lift_abs"], lang),
                        rel=fmt_pct(r["lift_rel"], lang, 1, signed=True), conf=conf,
                        lo=_fmt_effect(prim, r["ci_low"], lang), hi=_fmt_effect(prim, r["ci_high"], lang),
                        p=_pfmt(r["p_value_adjusted"]))
        srm = exp["srm"]
        which = "pass" if not srm["failed"] else "fail" if srm.get("split_given", True) else "fail_assumed"
        m["checks"].append(t(f"{NS}.memo.srm_{which}", lang, p=_pfmt(srm["p_value"]), split=srm.get("suggested_split")))
        m["checks"].append(t(f"{NS}.memo.power", lang, n=fmt_number(r["n"], lang), nc=fmt_number(r["control_n"], lang),
                             mde=_fmt_effect(prim, r["mde_abs"], lang, signed=False).lstrip("+"),
                             mde_rel=fmt_pct(r["mde_rel"], lang, 1)))
        cu = next((c for c in exp["cuped"] if c["group"] == arm["group"] and c["outcome"] == prim), None)
        if cu and cu["narrower_by"] is not None:
            small = cu["narrower_by"] < 0.01
            m["checks"].append(t(f"{NS}.memo.cuped{'_small' if small else ''}", lang,
                                 pct=fmt_pct(cu["narrower_by"], lang, 2 if small else 1)))
        reason_kw = dict(roi=fmt_pct(mrow["roi"], lang, 0) if mrow and mrow["roi"] is not None else "—",
                         roi_lo=(fmt_pct(mrow["roi_ci_low"], lang, 0)
                                 if mrow and mrow["roi_ci_low"] is not None else "—"),
                         threshold=_fmt_effect(prim, threshold, lang, signed=False),
                         mde=_fmt_effect(prim, r["mde_abs"], lang, signed=False), alpha=alpha)
        m["reason"] = t(f"{NS}.memo.reason.{why}", lang, **reason_kw)
    elif cf and cf.get("status") == "ok":
        mrow = (money or {}).get("arms", [None])[0] if money else None
        cost_given = bool(money and money["cost_given"])
        sig_pos, sig_neg = cf["ci_low"] > 0, cf["ci_high"] < 0
        if sig_pos and (not cost_given or (mrow and mrow["roi_ci_low"] is not None and mrow["roi_ci_low"] > 0)):
            rec, why = "scale_up", ("scale_up" if cost_given else "scale_up_no_cost")
        elif sig_neg:
            rec, why = "stop", "stop_negative"
        elif sig_pos:
            rec, why = "iterate", ("iterate_roi_negative" if mrow and mrow["roi"] is not None and mrow["roi"] < 0
                                   else "iterate_roi_uncertain")
        else:
            rec, why = "iterate", "iterate_cf_not_significant"
        metric = t(f"{NS}.cf.metric.{cf['metric']}", lang)
        fmtv = (lambda x: fmt_money(x, lang)) if cf["metric"] == "revenue" else (lambda x: fmt_number(x, lang))
        m.update({"recommendation": rec, "reason_key": why, "arm": cf["treated"], "outcome": cf["metric"]})
        m["effect"] = t(f"{NS}.memo.cf_effect", lang, treated=cf["treated"], metric=metric, effect=fmtv(cf["effect"]),
                        rel=fmt_pct(cf["effect_rel"], lang, 1, signed=True), conf=conf, lo=fmtv(cf["ci_low"]),
                        hi=fmtv(cf["ci_high"]))
        pl = cf.get("placebo") or {}
        if pl.get("passed") is None:
            m["checks"].append(t(f"{NS}.memo.placebo_na", lang))
        else:
            m["checks"].append(t(f"{NS}.memo.placebo_{'pass' if pl['passed'] else 'fail'}", lang,
                                 date=str(pd.Timestamp(pl["fake_start"]).date()), lo=fmtv(pl["ci_low"]),
                                 hi=fmtv(pl["ci_high"])))
        m["checks"].append(t(f"{NS}.memo.cf_fit", lang, r2=f"{cf['r2_pre']:.2f}", n=cf["n_pre"],
                             k=len(cf["controls"])))
        m["checks"].append(t(f"{NS}.memo.cf_not_random", lang))
        reason_kw = dict(roi=fmt_pct(mrow["roi"], lang, 0) if mrow and mrow["roi"] is not None else "—",
                         roi_lo=(fmt_pct(mrow["roi_ci_low"], lang, 0)
                                 if mrow and mrow["roi_ci_low"] is not None else "—"),
                         threshold="—", mde="—", alpha=alpha)
        m["reason"] = t(f"{NS}.memo.reason.{why}", lang, **reason_kw)
    if fb and fb.get("nps"):
        s = fb["nps"]
        m["checks"].append(t(f"{NS}.memo.nps", lang, nps=f"{s['nps']:+.0f}", lo=f"{s['ci_low']:+.0f}",
                             hi=f"{s['ci_high']:+.0f}", n=fmt_number(s["n"], lang)))
    if m["recommendation"]:
        m["headline"] = t(f"{NS}.memo.rec.{m['recommendation']}", lang)
    parts = [x for x in [m.get("headline"), m["effect"], ("" if lang == "zh" else " ").join(m["checks"]), m["reason"]]
             if x]
    m["text"] = "\n\n".join(parts)
    return m


def _pfmt(p) -> str:
    """"< 0.001" or "= 0.012" (templates write "p {p}")."""
    if p is None or not np.isfinite(p):
        return "= —"
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


# ====================================================================== page helpers


CF_COLUMNS = ("region", "channel", "category", "city")
MAX_CF_VALUES = 300


def _exp_outcomes_present(df: pd.DataFrame) -> list[str]:
    def has(col: str) -> bool:
        return col in df and df[col].notna().any()

    out = []
    if has("visited"):
        out.append("visit")
    if has("converted") or has("revenue"):
        out.append("conversion")
    if has("revenue"):
        out.append("revenue")
        out.append("revenue_per_converter")
    return out


def page_options(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    """What the page's controls can offer, read from the data (the same date filters as ``compute``):
    experiment groups (sorted as in the result) with sizes and the control guessed without a choice,
    outcomes and attributes present, order columns and their values for the counterfactual, the orders'
    date range, the tagged campaigns with their dates, and the feedback campaigns."""
    p = _p(params)
    out: dict = {"groups": [], "group_sizes": [], "control_guess": None, "control_how": None, "outcomes": [],
                 "rate_outcomes": [], "attributes": [], "has_covariate": False, "n_units": 0,
                 "cf_columns": [], "cf_values": {}, "cf_default_by": None, "date_min": None, "date_max": None,
                 "campaigns": [], "feedback_campaigns": []}
    exp = frames.get("experiments")
    if exp is not None and "exposure_date" in exp and exp["exposure_date"].notna().any():
        exp = filter_dates(exp, "exposure_date", p.get("start"), p.get("end"))
    if exp is not None and len(exp) and "group" in exp and exp["group"].notna().any():
        g = exp["group"].dropna().astype("str")
        codes, names = pd.factorize(g, sort=True)
        sizes = np.bincount(codes, minlength=len(names))
        groups = [str(x) for x in names]
        out.update({"groups": groups, "group_sizes": [int(x) for x in sizes], "n_units": int(len(exp))})
        if len(groups) >= 2:
            out["control_guess"], out["control_how"] = pick_control(groups, sizes.astype(float), None)
        out["outcomes"] = _exp_outcomes_present(exp)
        out["rate_outcomes"] = [o for o in RATE_OUTCOMES if o in out["outcomes"]]
        out["attributes"] = [_attr_label(c) for c in exp.columns
                             if c.startswith("attr_") and 2 <= exp[c].nunique(dropna=True) <= MAX_SEGMENT_LEVELS]
        out["has_covariate"] = bool("pre_period_value" in exp and exp["pre_period_value"].notna().sum() >= 10)
    orders = frames.get("orders")
    if orders is not None and "order_date" in orders:
        orders = filter_dates(orders, "order_date", p.get("start"), p.get("end"))
    if orders is not None and len(orders) and orders["order_date"].notna().any():
        out["date_min"] = orders["order_date"].min().date()
        out["date_max"] = orders["order_date"].max().date()
        cols = [c for c in CF_COLUMNS if c in orders] + [c for c in orders.columns if c.startswith("attr_")]
        amount = orders["amount"].to_numpy(dtype=float, na_value=0.0) if "amount" in orders else None
        for c in cols:
            s = orders[c]
            nun = s.nunique(dropna=True)
            if nun < 2 or nun > MAX_CF_VALUES:
                continue
            key = s.astype("str").where(s.notna())
            if amount is not None:
                vals = pd.Series(amount, index=orders.index).groupby(key).sum().sort_values(ascending=False)
            else:
                vals = key.value_counts()
            out["cf_columns"].append(_attr_label(c))
            out["cf_values"][_attr_label(c)] = [str(v) for v in vals.index]
            if out["cf_default_by"] is None and c in CF_COLUMNS and nun >= 3:
                out["cf_default_by"] = c
        if "campaign" in orders and orders["campaign"].notna().any():
            sub = orders.loc[orders["campaign"].notna()]
            agg = sub.groupby(sub["campaign"].astype("str"))["order_date"].agg(["min", "max", "count"])
            agg = agg.sort_values("min", ascending=False)
            out["campaigns"] = [{"campaign": str(k), "first_order": r["min"].date(), "last_order": r["max"].date(),
                                 "order_lines": int(r["count"])} for k, r in agg.iterrows()]
    fb = frames.get("feedback")
    if fb is not None and "date" in fb and fb["date"].notna().any():
        fb = filter_dates(fb, "date", p.get("start"), p.get("end"))
    if fb is not None and len(fb) and "campaign" in fb and fb["campaign"].notna().any():
        out["feedback_campaigns"] = sorted(str(x) for x in fb["campaign"].dropna().astype("str").unique())
    return jsonable(out)


def plan_figures(payload: dict | None) -> tuple[float | None, float | None]:
    """(planned spend, planned outcome) from a saved promotion plan's payload (``total.spend``,
    ``total.expected_outcome``); None for what the plan does not hold."""
    tot = (payload or {}).get("total") if isinstance(payload, dict) else None
    if not isinstance(tot, dict):
        return None, None

    def num(x):
        try:
            v = float(x)
        except (TypeError, ValueError):
            return None
        return v if np.isfinite(v) else None

    return num(tot.get("spend")), num(tot.get("expected_outcome"))


def ratings_figure(result: dict, lang: str = "en") -> dict | None:
    """The rating distribution as its own chart (``figures`` shows it only when there is no NPS)."""
    import plotly.graph_objects as go

    fb = result.get("feedback") or {}
    rows, rm = fb.get("ratings"), fb.get("rating_mean")
    if not rows or not rm:
        return None
    fig = go.Figure(go.Bar(x=[r["rating"] for r in rows], y=[r["count"] for r in rows],
                           customdata=[r["share"] * 100 for r in rows],
                           hovertemplate="%{x}: %{y} (%{customdata:.1f}%)<extra></extra>"))
    fig.update_layout(xaxis_title=t(f"{NS}.chart.score_axis", lang), yaxis_title=t(f"{NS}.chart.count_axis", lang),
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return {"key": "ratings", "figure": fig,
            "title": t(f"{NS}.chart.ratings", lang, mean=f"{rm['mean']:.2f}", n=fmt_number(rm["n"], lang))}


# ====================================================================== page entry point


def compute(frames: dict[str, pd.DataFrame], params: dict, lang: str = "en") -> dict:
    p = _p(params)
    warn: list[str] = []
    findings: list[str] = []
    exp_df = frames.get("experiments")
    orders = frames.get("orders")
    fb = frames.get("feedback")
    if exp_df is not None and "exposure_date" in exp_df and exp_df["exposure_date"].notna().any():
        exp_df = filter_dates(exp_df, "exposure_date", p.get("start"), p.get("end"))
    if fb is not None and "date" in fb and fb["date"].notna().any():
        fb = filter_dates(fb, "date", p.get("start"), p.get("end"))
    if orders is not None and "order_date" in orders:
        orders = filter_dates(orders, "order_date", p.get("start"), p.get("end"))
    have = [k for k, v in (("experiments", exp_df), ("orders", orders), ("feedback", fb)) if v is not None and len(v)]
    if not have:
        raise NotEnoughData(f"{NS}.error.no_data")

    exp = None
    if exp_df is not None and len(exp_df):
        try:
            exp = analyse_experiment(exp_df, p, lang)
        except NotEnoughData as e:
            if len(have) == 1:
                raise
            warn.append(t(e.key, lang, **e.kwargs))
    if exp:
        warn.extend(exp.pop("warnings"))
    cf = None
    if orders is not None and len(orders):
        try:
            cf = _cf_from_orders(orders, p, lang, warn)
        except NotEnoughData as e:
            cf = {"status": "not_enough", "reason": t(e.key, lang, **e.kwargs)}
            warn.append(cf["reason"])
    money = _money(exp, cf, p, lang, warn)
    feedback = analyse_feedback(fb, p, lang, warn) if fb is not None and len(fb) else None
    memo = _memo(exp, cf, money, feedback, p, lang)

    result: dict = {"page": PAGE, "alpha": float(p["alpha"]), "kinds": have,
                    "methods": {k: t(f"{NS}.method.{k}", lang) for k in
                                ("rates", "means", "multiple", "srm", "cuped", "segments", "uplift", "counterfactual",
                                 "nps", "text", "power")}}
    kpis: dict = {}
    if exp:
        result.update({k: exp[k] for k in ("control", "control_how", "groups", "group_table", "srm", "arms",
                                            "cuped", "segments", "uplift", "outcomes", "n_units")})
        result["power"] = [{k: c[k] for k in ("group", "outcome", "n", "control_n", "mde_abs", "mde_rel",
                                              "power_min_effect")} for c in exp["comparisons"]]
        kpis["units"] = exp["n_units"]
        kpis["srm_p_value"] = exp["srm"]["p_value"]
        _exp_findings(exp, p, lang, findings)
    else:
        result.update({"control": None, "srm": None, "arms": [], "cuped": [], "segments": None, "uplift": None})
    result["counterfactual"] = cf
    result["money"] = money
    result["feedback"] = feedback
    result["memo"] = memo
    if memo.get("arm") and exp:
        prim = memo["outcome"]
        a = next(x for x in exp["arms"] if x["group"] == memo["arm"])["outcomes"][prim]
        kpis[f"lift_{prim}"] = a["lift_abs"]
        kpis["lift_rel"] = a["lift_rel"]
        kpis["p_value_adjusted"] = a["p_value_adjusted"]
    if cf and cf.get("status") == "ok":
        kpis["cf_effect"] = cf["effect"]
        findings.append(t(f"{NS}.finding.cf", lang, treated=cf["treated"], effect=fmt_number(cf["effect"], lang),
                          lo=fmt_number(cf["ci_low"], lang), hi=fmt_number(cf["ci_high"], lang),
                          metric=t(f"{NS}.cf.metric.{cf['metric']}", lang)))
    elif cf and cf.get("status") == "needs_params":
        findings.append(t(f"{NS}.finding.cf_needs_params", lang, by=cf["by"]))
    if money:
        arms_m = money["arms"]
        kpis["incremental_revenue"] = sum(r["incremental_revenue"] for r in arms_m)
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
    if feedback:
        if feedback.get("nps"):
            kpis["nps"] = feedback["nps"]["nps"]
            findings.append(t(f"{NS}.finding.nps", lang, nps=f"{feedback['nps']['nps']:+.0f}",
                              lo=f"{feedback['nps']['ci_low']:+.0f}", hi=f"{feedback['nps']['ci_high']:+.0f}",
                              n=feedback["nps"]["n"]))
        if feedback.get("rating_mean"):
            kpis["rating_mean"] = feedback["rating_mean"]["mean"]
        terms = (feedback.get("terms") or {}).get("words") or []
        if terms:
            findings.append(t(f"{NS}.finding.terms", lang, terms=", ".join(w["term"] for w in terms[:5])))
    if memo.get("headline"):
        findings.insert(0, memo["headline"] + " " + (memo.get("reason") or ""))
    result["kpis"] = kpis
    result["findings"] = findings
    result["warnings"] = list(dict.fromkeys(warn))
    return jsonable(result)


def _exp_findings(exp: dict, p: dict, lang: str, findings: list[str]) -> None:
    for c in exp["cuped"]:
        if c["outcome"] == "revenue" and c["narrower_by"] is not None and c["narrower_by"] > 0.02:
            findings.append(t(f"{NS}.finding.cuped", lang, group=c["group"], pct=fmt_pct(c["narrower_by"], lang, 0)))
            break
    seg = exp["segments"]
    flagged = [h for h in seg["heterogeneity"] if h.get("flagged")]
    if flagged:
        h = min(flagged, key=lambda h: h["p_value"])
        findings.append(t(f"{NS}.finding.segments", lang, attribute=h["attribute"], group=h["group"],
                          outcome=t(f"{NS}.outcome.{h['outcome']}", lang)))
    elif seg["heterogeneity"]:
        findings.append(t(f"{NS}.finding.segments_none", lang))
    up = exp["uplift"]
    if up and up.get("status") == "ok" and up["top30_share_of_incremental"] is not None:
        key = "uplift" if up["qini_auc"] > 0.05 else "uplift_weak"
        findings.append(t(f"{NS}.finding.{key}", lang, q=f"{up['qini_auc']:.3f}",
                          share=fmt_pct(min(up["top30_share_of_incremental"], 9.99), lang, 0),
                          outcome=t(f"{NS}.outcome.{up['outcome']}", lang)))


# ====================================================================== figures


def _title_lift(result: dict, lang: str) -> str:
    memo = result.get("memo") or {}
    arm, o = memo.get("arm"), memo.get("outcome")
    a = next((x for x in result.get("arms") or [] if x["group"] == arm), None)
    if not a or o not in a["outcomes"]:
        return t(f"{NS}.chart.lift", lang)
    r = a["outcomes"][o]
    key = "lift_sig" if r["significant"] else "lift_ns"
    return t(f"{NS}.chart.{key}", lang, arm=arm, control=result["control"], outcome=t(f"{NS}.outcome.{o}", lang),
             rel=fmt_pct(r["lift_rel"], lang, 1, signed=True), p=_pfmt(r["p_value_adjusted"]))


def figures(result: dict, lang: str = "en") -> list[dict]:
    import plotly.graph_objects as go

    figs: list[dict] = []
    arms = result.get("arms") or []
    if arms:
        ys, xs, lo, hi, col = [], [], [], [], []
        for a in arms:
            for o, r in a["outcomes"].items():
                if r["lift_rel"] is None:
                    continue
                ys.append(f"{a['group']} · {t(f'{NS}.outcome.{o}', lang)}")
                xs.append(r["lift_rel"] * 100)
                lo.append(((r["lift_rel"] - r["lift_rel_ci_low"]) * 100) if r["lift_rel_ci_low"] is not None else None)
                hi.append(((r["lift_rel_ci_high"] - r["lift_rel"]) * 100)
                          if r["lift_rel_ci_high"] is not None else None)
                col.append("#1a7f37" if r["significant"] and r["lift_abs"] > 0 else
                           "#cf222e" if r["significant"] else "#8c959f")
        fig = go.Figure(go.Scatter(x=xs, y=ys, mode="markers", marker={"color": col, "size": 10},
                                   error_x={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo}))
        fig.add_vline(x=0, line_dash="dot")
        fig.update_layout(xaxis_title=t(f"{NS}.chart.lift_axis", lang), yaxis={"autorange": "reversed"},
                          margin={"l": 10, "r": 10, "t": 30, "b": 10}, height=120 + 40 * len(ys))
        figs.append({"key": "lift", "title": _title_lift(result, lang), "figure": fig})
    seg = result.get("segments") or {}
    memo = result.get("memo") or {}
    if seg.get("rows"):
        flagged_all = [h for h in seg.get("heterogeneity", []) if h.get("flagged")]
        if flagged_all:  # show where the lift really differs
            h0 = min(flagged_all, key=lambda h: h["p_value"])
            o, arm = h0["outcome"], h0["group"]
        else:
            o = memo.get("outcome") if memo.get("outcome") in SEGMENT_OUTCOMES else seg["rows"][0]["outcome"]
            arm = memo.get("arm") if memo.get("arm") in {r["group"] for r in seg["rows"]} else seg["rows"][0]["group"]
        rows = [r for r in seg["rows"] if r["outcome"] == o and r["group"] == arm]
        if rows:
            scale = 100 if o in RATE_OUTCOMES else 1
            fig = go.Figure(go.Scatter(
                x=[r["lift_abs"] * scale for r in rows], y=[f"{r['attribute']} = {r['segment']}" for r in rows],
                mode="markers", marker={"size": 9},
                error_x={"type": "data", "symmetric": False,
                         "array": [(r["ci_high"] - r["lift_abs"]) * scale if r["ci_high"] is not None else None
                                   for r in rows],
                         "arrayminus": [(r["lift_abs"] - r["ci_low"]) * scale if r["ci_low"] is not None else None
                                        for r in rows]},
                customdata=[[r["n"], r["control_n"]] for r in rows],
                hovertemplate="%{y}: %{x:.3f} (n=%{customdata[0]} / %{customdata[1]})<extra></extra>"))
            fig.add_vline(x=0, line_dash="dot")
            fig.update_layout(xaxis_title=t(f"{NS}.chart.segment_axis_{'pp' if scale == 100 else 'abs'}", lang,
                                            outcome=t(f"{NS}.outcome.{o}", lang)),
                              yaxis={"autorange": "reversed"}, height=120 + 24 * len(rows),
                              margin={"l": 10, "r": 10, "t": 30, "b": 10})
            flagged = [h for h in seg.get("heterogeneity", []) if h.get("flagged") and h["outcome"] == o
                       and h["group"] == arm]
            title = (t(f"{NS}.chart.segments_flag", lang, attribute=", ".join(h["attribute"] for h in flagged[:3]),
                       outcome=t(f"{NS}.outcome.{o}", lang), arm=arm)
                     if flagged else t(f"{NS}.chart.segments_none", lang, outcome=t(f"{NS}.outcome.{o}", lang),
                                       arm=arm))
            figs.append({"key": "segments", "title": title, "figure": fig})
    up = result.get("uplift") or {}
    if up.get("status") == "ok":
        c = up["curve"]
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=[r["share"] * 100 for r in c], y=[r["qini"] for r in c], mode="lines",
                                 name=t(f"{NS}.chart.qini_model", lang)))
        fig.add_trace(go.Scatter(x=[r["share"] * 100 for r in c], y=[r["random"] for r in c], mode="lines",
                                 line={"dash": "dash"}, name=t(f"{NS}.chart.qini_random", lang)))
        fig.update_layout(xaxis_title=t(f"{NS}.chart.qini_x", lang), yaxis_title=t(f"{NS}.chart.qini_y", lang),
                          margin={"l": 10, "r": 10, "t": 30, "b": 10})
        key = "qini_good" if up["qini_auc"] > 0.05 else "qini_weak"
        figs.append({"key": "qini", "title": t(f"{NS}.chart.{key}", lang, q=f"{up['qini_auc']:.3f}",
                                                arm=up["arm"]), "figure": fig})
    cf = result.get("counterfactual") or {}
    if cf.get("status") == "ok":
        s = cf["series"]
        d = [r["date"] for r in s]
        fig = go.Figure()
        post = [r for r in s if r["campaign"]]
        fig.add_trace(go.Scatter(x=[r["date"] for r in post] + [r["date"] for r in post][::-1],
                                 y=[r["upper"] for r in post] + [r["lower"] for r in post][::-1], fill="toself",
                                 line={"width": 0}, fillcolor="rgba(100,120,200,0.2)",
                                 name=t(f"{NS}.chart.cf_band", lang), hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=d, y=[r["predicted"] for r in s], mode="lines", line={"dash": "dash"},
                                 name=t(f"{NS}.chart.cf_predicted", lang)))
        fig.add_trace(go.Scatter(x=d, y=[r["actual"] for r in s], mode="lines", name=t(f"{NS}.chart.cf_actual", lang)))
        fig.add_vline(x=pd.Timestamp(cf["start"]).timestamp() * 1000, line_dash="dot")
        fig.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10})
        key = "cf_sig" if cf["significant"] else "cf_ns"
        figs.append({"key": "counterfactual", "figure": fig, "title": t(
            f"{NS}.chart.{key}", lang, treated=cf["treated"], effect=fmt_number(cf["effect"], lang),
            lo=fmt_number(cf["ci_low"], lang), hi=fmt_number(cf["ci_high"], lang),
            metric=t(f"{NS}.cf.metric.{cf['metric']}", lang))})
    fb = result.get("feedback") or {}
    if fb.get("nps_distribution") or fb.get("ratings"):
        if fb.get("nps_distribution"):
            rows = fb["nps_distribution"]
            xs = [r["score"] for r in rows]
            colors = ["#cf222e" if x <= 6 else "#bf8700" if x <= 8 else "#1a7f37" for x in xs]
            s = fb["nps"]
            title = t(f"{NS}.chart.nps", lang, nps=f"{s['nps']:+.0f}", lo=f"{s['ci_low']:+.0f}",
                      hi=f"{s['ci_high']:+.0f}",
                      n=fmt_number(s["n"], lang))
        else:
            rows = fb["ratings"]
            xs = [r["rating"] for r in rows]
            colors = None
            rm = fb["rating_mean"]
            title = t(f"{NS}.chart.ratings", lang, mean=f"{rm['mean']:.2f}", n=fmt_number(rm["n"], lang))
        fig = go.Figure(go.Bar(x=xs, y=[r["count"] for r in rows], marker={"color": colors} if colors else None))
        fig.update_layout(xaxis_title=t(f"{NS}.chart.score_axis", lang), yaxis_title=t(f"{NS}.chart.count_axis", lang),
                          margin={"l": 10, "r": 10, "t": 30, "b": 10})
        figs.append({"key": "nps", "title": title, "figure": fig})
    words = ((fb.get("terms") or {}).get("words")) or []
    if words:
        top = words[:15]
        fig = go.Figure(go.Bar(x=[w["count"] for w in top], y=[w["term"] for w in top], orientation="h"))
        fig.update_layout(yaxis={"autorange": "reversed"}, xaxis_title=t(f"{NS}.chart.comments_axis", lang),
                          margin={"l": 10, "r": 10, "t": 30, "b": 10}, height=120 + 22 * len(top))
        figs.append({"key": "words", "figure": fig, "title": t(
            f"{NS}.chart.words", lang, term=top[0]["term"], share=fmt_pct(top[0]["share"], lang, 0))})
    return figs
