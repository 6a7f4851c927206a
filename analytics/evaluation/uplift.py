"""The uplift model: two logistic regressions (treated arm, control) on standardised attributes, its Qini
curve on a held-out split and a ranked target list.

The models need unit rows, so they are fitted on a bounded sample drawn in the engine: every unit of the
best arm and the control when there are at most ``max_units`` (``analytics.evaluation.MAX_UNITS``) of them,
else a seeded random sample of that many (repeatable: the sort key hashes the line number with the seed).
The ``uplift_sample`` parameter then samples again in Python as before. The ranked list scores every unit
of the experiment in the engine with the fitted coefficients and returns only the top ``export_n``.
"""

from __future__ import annotations

import warnings

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from analytics import stats as st
from analytics.i18n import fmt_number, t
from data import engine

from .base import MAX_SEGMENT_LEVELS, MAX_UPLIFT_LEVELS, NS, RATE_OUTCOMES, _f
from .experiment import GROUP, X, Attribute, ExperimentFit, sorted_values, value_col, ycol
from .sums import LINE, bounded, dbl, finite, one_row, total

SCORE = "__score"


def _features(u: ir.Table, attrs: tuple[Attribute, ...]) -> list[tuple[str, Attribute]]:
    """(kind, attribute) of each attribute the model uses, in column order: "numeric" (more than
    MAX_SEGMENT_LEVELS numeric values) or "onehot" (2 to MAX_UPLIFT_LEVELS values; the first is the
    reference). One-hot attributes get their sorted values (read from the engine when the segments did not)."""
    out = []
    for a in attrs:
        if a.numeric and a.levels > MAX_SEGMENT_LEVELS:
            out.append(("numeric", a))
        elif 2 <= a.levels <= MAX_UPLIFT_LEVELS:
            if not a.values:
                key = "__v"
                d = u.select(**{key: value_col(u, a.column)}).distinct()
                vals = engine.to_frame(d.filter(d[key].notnull()))[key]
                a = Attribute(column=a.column, label=a.label, levels=a.levels, numeric=a.numeric,
                              values=sorted_values(vals))
            out.append(("onehot", a))
    return out


def _design(df: pd.DataFrame, feats: list, x_fill: float | None, has_x: bool) -> tuple[np.ndarray, list[str]]:
    """The design matrix of sampled units: numeric attributes (missing -> the sample's mean), one column per
    non-reference value of the others, and the signed log of the pre-period value (missing -> the median
    over all units)."""
    cols, names = [], []
    for kind, a in feats:
        if kind == "numeric":
            v = df[a.column].to_numpy(dtype=float, na_value=np.nan)
            v = np.where(np.isnan(v), np.nanmean(v) if np.isfinite(v).any() else 0.0, v)
            cols.append(v)
            names.append(a.label)
        else:
            c = pd.Index(pd.Series(a.values, dtype=object)).get_indexer(pd.Series(df[a.column], dtype=object))
            for lv in range(1, len(a.values)):
                cols.append((c == lv).astype(float))
                names.append(f"{a.label}={a.labels[lv]}")
    if has_x:
        v = df[X].to_numpy(dtype=float, na_value=np.nan)
        v = np.where(np.isnan(v), x_fill if x_fill is not None else np.nan, v)
        cols.append(np.sign(v) * np.log1p(np.abs(v)))
        names.append("log_pre_period_value")
    if not cols:
        return np.empty((len(df), 0)), names
    return np.column_stack(cols), names


def _engine_features(u: ir.Table, feats: list, means: dict, x_fill: float | None, has_x: bool) -> list[ir.Value]:
    """The same design columns as expressions over every unit (numeric attributes: missing -> the mean over
    all units, as the unit-level code scored them); DOUBLE throughout."""
    out: list[ir.Value] = []
    for kind, a in feats:
        if kind == "numeric":
            out.append(finite(u[a.column]).fill_null(dbl(means.get(a.column, 0.0))))
        else:
            col = value_col(u, a.column)
            for v in a.values[1:]:
                out.append((col == ibis.literal(v)).fill_null(False).cast("float64"))
    if has_x:
        v = u[X].fill_null(dbl(x_fill)) if x_fill is not None else u[X]
        out.append(v.sign().cast("float64") * (v.abs() + dbl(1.0)).ln())
    return out


def _dot(t: ir.Table, names: list[str], coef: np.ndarray, intercept: float) -> ir.Value:
    z = None
    for q, c in enumerate(names):
        term = t[c] * dbl(coef[q])
        z = term if z is None else z + term
    return z + dbl(intercept)


def fit_uplift(u: ir.Table, exp: ExperimentFit, p: dict, *, max_units: int, has_x: bool,
               x_missing: int = 0) -> dict | None:
    """The uplift model of the best arm against the control on the chosen rate outcome (language-free;
    ``u``: the units with their outcome columns, ``has_x``: whether some unit has a pre-period value,
    ``x_missing``: units without one).

    Returns None when there is no rate outcome, else a dict: ``status`` ("ok", "no_features", "too_few"),
    ``outcome``, ``arm``, ``units_sampled`` (the engine sampled: more than ``max_units`` units in the arm
    and the control), ``n_sample`` (units drawn from the engine); when ok also ``control``, ``model``,
    ``n_train``, ``n_test``, ``sampled`` (the model used a sample), ``n_pool`` (units of the arm and the
    control with the outcome), ``test_share``, ``seed``, ``qini_auc``, ``curve``, ``perfect_end``,
    ``top30_share_of_incremental``, ``deciles``, ``ranked`` (top ``export_n`` units of the experiment by
    predicted uplift), ``n_scored`` (units scored) and ``features`` (largest coefficient differences).

    Parameters
    ----------
    u : ir.Table
        The units with GROUP, the outcome columns, X and the attribute columns.
    exp : ExperimentFit
        The experiment's fit.
    p : dict
        The fit parameters (``uplift_outcome``, ``seed``, ``uplift_sample``, ``export_n``).
    max_units : int
        Most units drawn from the engine.
    has_x : bool
        Whether some unit has a pre-period value.
    x_missing : int
        Units without one.

    Returns
    -------
    dict | None
        The uplift block, or None.
    """
    picked = _outcome_and_arm(exp, p)
    if picked is None:
        return None
    outcome, best, ci, n_pool = picked
    groups = list(exp.groups)
    seed = int(p["seed"])

    feats = _features(u, exp.attributes)
    x_fill = None
    if has_x and x_missing:  # a missing pre-period value gets the median over all units
        x_fill = float(one_row(u.aggregate(m=u[X].median()))["m"])

    y_col = ycol(outcome)
    df, units_sampled, n_sample, sampled = _draw_units(u, exp, outcome, best, ci, n_pool, feats, has_x, p,
                                                       max_units)
    X_, names = _design(df, feats, x_fill, has_x)
    drawn = {"units_sampled": bool(units_sampled), "n_sample": int(n_sample)}
    if X_.shape[1] == 0:
        return {"status": "no_features", "outcome": outcome, **drawn}
    y = df[y_col].to_numpy(dtype=float)
    tr = df["__treated"].to_numpy(dtype=float)
    if min(y[tr == 1].sum(), y[tr == 0].sum()) < 20 or len(df) < 500:
        return {"status": "too_few", "outcome": outcome, "arm": groups[best], **drawn}
    mu, sd = X_.mean(0), X_.std(0)
    sd[sd == 0] = 1.0
    Z = (X_ - mu) / sd
    i_tr, i_te, models = _two_models(Z, y, tr, seed)

    u_te = models[1.0].predict_proba(Z[i_te])[:, 1] - models[0.0].predict_proba(Z[i_te])[:, 1]
    n_te = len(i_te)
    qauc, curve, perfect_end, deciles, share30 = _held_out(y[i_te], u_te, tr[i_te])

    ranked = _ranked(u, feats, x_fill, has_x, mu, sd, models, int(p["export_n"]), exp.n_units)
    coefs = [{"feature": f, "treated": float(models[1.0].coef_[0][q]), "control": float(models[0.0].coef_[0][q]),
              "difference": float(models[1.0].coef_[0][q] - models[0.0].coef_[0][q])} for q, f in enumerate(names)]
    coefs.sort(key=lambda r: -abs(r["difference"]))
    return {"status": "ok", "outcome": outcome, "arm": groups[best], "control": groups[ci],
            "model": "two-model logistic regression (sklearn, standardised features)",
            "n_train": int(len(i_tr)), "n_test": int(n_te), "sampled": bool(sampled), "n_pool": n_pool,
            **drawn,
            "test_share": 0.3, "seed": seed, "qini_auc": qauc, "curve": curve,
            "perfect_end": perfect_end, "top30_share_of_incremental": share30, "deciles": deciles,
            "ranked": ranked, "n_scored": int(exp.n_units), "features": coefs[:15]}


def _outcome_and_arm(exp: ExperimentFit, p: dict) -> tuple[str, int, int, int] | None:
    """The rate outcome to model (``p["uplift_outcome"]``, else the rate outcome with most events) and the
    best arm on it: ``(outcome, arm index, control index, units of the arm and the control with the
    outcome)``, or None when there is no rate outcome."""
    ys = list(exp.outcomes)
    summ = {o: exp.moments[o].summary() for o in ys}
    outcome = p.get("uplift_outcome")
    if outcome not in ys:
        cands = [o for o in RATE_OUTCOMES if o in ys]
        if not cands:
            return None
        outcome = max(cands, key=lambda o: summ[o]["sum"].sum())
    s = summ[outcome]
    ci = list(exp.groups).index(exp.control)
    arm_idx = [i for i in range(len(exp.groups)) if i != ci]
    best = max(arm_idx, key=lambda i: s["mean"][i] - s["mean"][ci])
    return outcome, best, ci, int(s["n"][best] + s["n"][ci])


def _draw_units(u: ir.Table, exp: ExperimentFit, outcome: str, best: int, ci: int, n_pool: int, feats: list,
                has_x: bool, p: dict, max_units: int) -> tuple[pd.DataFrame, bool, int, bool]:
    """The units of the arm and the control: all of them, or a seeded sample drawn in the engine (more than
    ``max_units``), then at most ``p["uplift_sample"]`` of those in Python. Returns ``(frame, engine
    sampled, units drawn from the engine, the model uses a sample)``; the frame has the outcome, feature and
    X columns and ``__treated``."""
    groups = list(exp.groups)
    seed = int(p["seed"])
    y_col = ycol(outcome)
    pool = u.filter(u[GROUP].isin([groups[best], groups[ci]]) & u[y_col].notnull())
    keep = [y_col] + [a.column for _, a in feats] + ([X] if has_x else [])
    sample, units_sampled = bounded(pool, n_pool, int(max_units), seed,
                                    {**{c: c for c in keep}, "__treated": pool[GROUP] == groups[best]})
    df = engine.to_frame(sample)
    n_sample = len(df)
    rng = np.random.default_rng(seed)
    sample_n = int(p["uplift_sample"])
    py_sampled = n_sample > sample_n
    if py_sampled:
        df = df.iloc[np.sort(rng.choice(n_sample, sample_n, replace=False))].reset_index(drop=True)
    return df, units_sampled, n_sample, py_sampled or units_sampled


def _two_models(Z: np.ndarray, y: np.ndarray, tr: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, dict]:
    """A stratified 70/30 split (by arm x outcome) and one logistic regression per arm on the training part:
    ``(train rows, test rows, {1.0: treated model, 0.0: control model})``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    i_tr, i_te = train_test_split(np.arange(len(y)), test_size=0.3, random_state=seed, stratify=tr * 2 + y)
    models = {}
    for arm_flag in (1.0, 0.0):
        m_rows = i_tr[tr[i_tr] == arm_flag]
        m = LogisticRegression(solver="newton-cholesky", max_iter=200, C=1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.fit(Z[m_rows], y[m_rows])
        models[arm_flag] = m
    return i_tr, i_te, models


def _held_out(y_te: np.ndarray, u_te: np.ndarray, t_te: np.ndarray) -> tuple:
    """The held-out evaluation: ``(Qini AUC, curve (at most 201 points), end of the perfect curve, observed
    uplift by predicted decile, share of the incremental outcomes in the top 30%)``."""
    qauc = st.qini_auc_score(y_te, u_te, t_te)
    xq, yq = st.qini_curve(y_te, u_te, t_te)
    xp, yp = st.perfect_qini_curve(y_te, t_te)
    keep_pts = np.unique(np.linspace(0, len(xq) - 1, min(len(xq), 201)).astype(int))
    n_te = len(y_te)
    curve = [{"share": float(xq[j] / n_te), "units": int(xq[j]), "qini": float(yq[j]),
              "random": float(yq[-1] * xq[j] / xq[-1])} for j in keep_pts]
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
    return qauc, curve, float(yp[-1]), deciles, share30


def _ranked(u: ir.Table, feats: list, x_fill, has_x: bool, mu, sd, models: dict, export_n: int,
            n_units: int) -> list[dict]:
    """Every unit of the experiment (all groups) scored in the engine with the fitted models; the top
    ``export_n`` by predicted uplift (ties: source line order)."""
    numeric = [a.column for kind, a in feats if kind == "numeric"]
    means: dict[str, float] = {}
    if numeric:
        r = one_row(u.aggregate(**{f"s{i}": total(finite(u[c])) for i, c in enumerate(numeric)},
                                **{f"n{i}": finite(u[c]).count() for i, c in enumerate(numeric)}))
        means = {c: (float(r[f"s{i}"]) / int(r[f"n{i}"]) if int(r[f"n{i}"]) else 0.0) for i, c in enumerate(numeric)}
    cols = _engine_features(u, feats, means, x_fill, has_x)
    uid = u["unit_id"].cast("string") if "unit_id" in u.columns else u[LINE].cast("string")
    # standardised features once, then the two linear predictors, then the score (each stage reads columns,
    # so the expression stays small however many features there are)
    zs = {f"__z{q}": (c - dbl(mu[q])) / dbl(sd[q]) for q, c in enumerate(cols)}
    s1 = u.select(LINE, GROUP, __unit=uid, **zs)
    names = list(zs)
    s2 = s1.select(LINE, GROUP, "__unit", __z1=_dot(s1, names, models[1.0].coef_[0], models[1.0].intercept_[0]),
                   __z0=_dot(s1, names, models[0.0].coef_[0], models[0.0].intercept_[0]))
    score = 1.0 / (1.0 + (-s2["__z1"]).exp()) - 1.0 / (1.0 + (-s2["__z0"]).exp())
    s3 = s2.select(LINE, GROUP, "__unit", **{SCORE: score})
    n_exp = min(int(export_n), int(n_units))
    top = s3.order_by([ibis.desc(SCORE), LINE]).limit(n_exp)
    df = engine.to_frame(top)
    return [{"rank": r + 1, "unit_id": str(uid_), "group": str(g), "uplift_score": float(sc)}
            for r, (uid_, g, sc) in enumerate(zip(df["__unit"], df[GROUP], df[SCORE]))]


def uplift_warnings(up: dict | None, lang: str, warn: list[str]) -> None:
    """The sentences that say the model ran on a sample (and where it was drawn).

    Parameters
    ----------
    up : dict | None
        The uplift block, or None.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    warn : list[str]
        The warnings, appended to.
    """
    if not up or up.get("status") != "ok" or not up.get("sampled"):
        return
    n_used = up["n_train"] + up["n_test"]
    warn.append(t(f"{NS}.warning.uplift_sampled", lang, n=fmt_number(n_used, lang), total=fmt_number(up["n_pool"], lang)))
    if up.get("units_sampled"):
        warn.append(t(f"{NS}.warning.units_sampled", lang, n=fmt_number(up["n_sample"], lang),
                      total=fmt_number(up["n_pool"], lang), arm=up["arm"], control=up["control"]))
