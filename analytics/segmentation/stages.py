"""Audience assets: the stage counts that 品牌数据银行 (AIPL) and 巨量云图 (O-5A) export, on the Segmentation
page's "Audience assets" tab (issue 17, item 5).

:func:`fit_audience` is language-free: the engine sums people per date x model x stage and flows per date x
model x from x to (a few hundred rows a year), spend per week (channels) and GMV per week (orders); Python
turns those aggregates into weeks. :func:`present_audience` writes the texts.

Definitions (docs/metrics.md, keys ``metric.audience_*`` of locales/segmentation.json):

- week: Monday to Sunday. A stage's size in a week is its size on the week's last date in the data (a stage
  size is a stock, a snapshot: never summed over days); rows of one date and stage (e.g. per category) are
  added up.
- week-on-week change: size of the week minus size of the week before (seven days earlier), and that as a
  share of the week before.
- flow rate from stage X to stage Y in week t: people who flowed X -> Y in week t (flows are summed over the
  week's dates) / size of X in week t - 1 (the stage the people came from). Wilson 95% interval. A week
  without X's size the week before has no rate. Over the period: the pooled rate (all flows / all bases).
- next to spend and GMV: the same weeks' spend (channels dataset) and GMV (orders: non-return lines, the
  sum of amounts); r = Pearson correlation of the week-on-week changes (of a stage's size and of spend or
  GMV), over the weeks that have both. A correlation says the two moved together, not that one caused the
  other.
- model: the dataset's model column (AIPL / O-5A / 数据银行 / 云图), else inferred from the stage names (O-5A
  when any stage only O-5A has: O, A1..A5, 机会, 吸引, 问询, 拥护 ...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import ibis
import numpy as np
import pandas as pd

from analytics.expr import fsum
from analytics import charts
from analytics.i18n import fmt_number, fmt_pct, t
from analytics.stats import wilson_interval
from data import engine
from data.schema import AUDIENCE_STAGES, audience_model, infer_audience_model, stage_code

MIN_WEEKS_CORR = 8  # fewer weeks with both numbers: no correlation is given
WEEK = pd.Timedelta(days=7)


@dataclass(frozen=True)
class ModelAudience:
    """One model's weeks.

    Attributes
    ----------
    model : "AIPL" or "O-5A"
    stages : tuple of str
        The stage codes the data has, in funnel order.
    names : dict
        code -> the name the export used for it (the first seen).
    sizes : pandas.DataFrame
        Index: week (Monday), columns: stage codes; people at the week's last date (NaN: not given).
    flows : pandas.DataFrame
        One row per week x link: week, from, to, flow, base (size of ``from`` the week before; NaN when not
        given), rate, lo, hi. Empty when the export has no flows.
    links : pandas.DataFrame
        One row per link over the period: from, to, flow, base, rate, lo, hi (pooled), weeks (with a base),
        last_week, last_rate, last_lo, last_hi.
    next_to : pandas.DataFrame
        Index: week; columns: the stage codes, spend and gmv (NaN where not known).
    correlations : pandas.DataFrame
        One row per stage: stage, r_spend, n_spend, r_gmv, n_gmv (r None with fewer than MIN_WEEKS_CORR).
    """

    model: str
    stages: tuple[str, ...]
    names: dict
    sizes: pd.DataFrame
    flows: pd.DataFrame
    links: pd.DataFrame
    next_to: pd.DataFrame
    correlations: pd.DataFrame


@dataclass(frozen=True)
class AudienceFit:
    """The audience assets, language-free (:func:`fit_audience`).

    Attributes
    ----------
    models : tuple of ModelAudience
        One per model the data has, AIPL first.
    has_spend, has_gmv : bool
        Whether a channels dataset gave weekly spend / an orders dataset weekly GMV.
    rows_unknown : int
        Date x stage rows whose stage no model knows (left out).
    params : dict
        The ``start`` / ``end`` dates it was fitted for.
    """

    models: tuple[ModelAudience, ...]
    has_spend: bool
    has_gmv: bool
    rows_unknown: int = 0  # stage rows whose stage no model knows (left out)
    params: dict = field(default_factory=dict)


# ---------------------------------------------------------------- engine aggregates


def _in_range(col, start, end):
    cond = col.notnull()
    if start is not None:
        cond &= col >= pd.Timestamp(start).to_pydatetime()
    if end is not None:
        cond &= col < (pd.Timestamp(end) + pd.Timedelta(days=1)).to_pydatetime()
    return cond


def _stage_aggregates(t: ibis.Table, start, end) -> tuple[pd.DataFrame, pd.DataFrame]:
    """People per date x model x stage and flows per date x model x from x to (a canonical frame may lack the
    optional columns: a stored dataset has every field)."""
    if "model" not in t.columns:
        t = t.mutate(model=ibis.null().cast("string"))
    ok = _in_range(t.date, start, end)
    sizes = pd.DataFrame(columns=["date", "model", "stage", "people"])
    flows = pd.DataFrame(columns=["date", "model", "from_stage", "to_stage", "flow"])
    if {"stage", "people"} <= set(t.columns):
        st = t.filter(ok & t.stage.notnull() & t.people.notnull())
        sizes = engine.to_frame(st.group_by(["date", "model", "stage"]).aggregate(people=fsum(st.people)))
    if {"from_stage", "to_stage", "flow"} <= set(t.columns):
        fl = t.filter(ok & t.from_stage.notnull() & t.to_stage.notnull() & t.flow.notnull())
        flows = engine.to_frame(fl.group_by(["date", "model", "from_stage", "to_stage"]).aggregate(flow=fsum(fl.flow)))
    return sizes, flows


def _weekly_sum(t: ibis.Table | None, date_col: str, value_col: str, start, end, where=None) -> pd.Series | None:
    """Sum of ``value_col`` per Monday week, in the engine; None without the table or any dated value."""
    if t is None or date_col not in t.columns or value_col not in t.columns:
        return None
    d = t[date_col].cast("timestamp(6)")
    cond = _in_range(d, start, end) & t[value_col].notnull()
    if where is not None:
        cond &= where
    f = t.filter(cond)
    f = f.mutate(week=f[date_col].cast("timestamp(6)").truncate("W"))
    w = engine.to_frame(f.group_by("week").aggregate(v=fsum(f[value_col]), n=f.count()))
    if w.empty:
        return None
    s = pd.Series(w["v"].to_numpy(dtype=float), index=pd.to_datetime(w["week"]).astype("datetime64[ns]"))
    return s.sort_index()


# ---------------------------------------------------------------- weeks


def monday(d: pd.Series) -> pd.Series:
    """The week (Monday, midnight) of each date.

    Parameters
    ----------
    d : pd.Series
        Dates or timestamps (anything ``pd.to_datetime`` reads).

    Returns
    -------
    pd.Series
        The Monday on or before each date, time of day dropped (same index).
    """
    d = pd.to_datetime(d).dt.normalize()
    return d - pd.to_timedelta(d.dt.day_of_week, unit="D")


def _models_of(raw_model: pd.Series, stages: pd.Series) -> pd.Series:
    """The model (AIPL / O-5A) of each row: its model column's value when it names one, else the model the
    stage names of that model value (all rows without one) point to."""
    out = raw_model.map(lambda v: audience_model(v) if isinstance(v, str) else None)
    key = raw_model.fillna("")
    for k in key[out.isna()].unique():
        m = infer_audience_model(stages[(key == k)].dropna().unique())
        out[(key == k) & out.isna()] = m
    return out


def _codes(names: pd.Series, models: pd.Series) -> pd.Series:
    return pd.Series([(stage_code(n, m) or (None, None))[1] if isinstance(n, str) else None
                      for n, m in zip(names, models)], index=names.index, dtype=object)


def _corr(a: pd.Series, b: pd.Series) -> tuple[float | None, int]:
    both = pd.concat([a.diff(), b.diff()], axis=1).dropna()
    n = len(both)
    if n < MIN_WEEKS_CORR or both.iloc[:, 0].std() == 0 or both.iloc[:, 1].std() == 0:
        return None, n
    return float(np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1]), n


def _model_weeks(model: str, sz: pd.DataFrame, fl: pd.DataFrame, spend: pd.Series | None,
                 gmv: pd.Series | None) -> ModelAudience:
    order = [c for c in AUDIENCE_STAGES[model] if c in set(sz["code"]) | set(fl.get("from", [])) | set(fl.get("to", []))]
    names: dict[str, str] = {}
    for c, n in zip(pd.concat([sz["code"], fl.get("from", pd.Series(dtype=object)), fl.get("to", pd.Series(dtype=object))]),
                    pd.concat([sz["stage"], fl.get("from_stage", pd.Series(dtype=object)),
                               fl.get("to_stage", pd.Series(dtype=object))])):
        names.setdefault(c, n)
    if len(sz):
        last = sz.sort_values("date").groupby(["week", "code"], as_index=False).last()  # the week's snapshot
        sizes = last.pivot(index="week", columns="code", values="people").reindex(columns=order).sort_index()
    else:
        sizes = pd.DataFrame(columns=order, dtype=float)
    sizes.index.name = "week"
    sizes.columns.name = None

    flows = pd.DataFrame(columns=["week", "from", "to", "flow", "base", "rate", "lo", "hi"])
    links = pd.DataFrame(columns=["from", "to", "flow", "base", "rate", "lo", "hi", "weeks", "last_week",
                                  "last_rate", "last_lo", "last_hi"])
    if len(fl):
        f = fl.groupby(["week", "from", "to"], as_index=False)["flow"].sum()
        rank = {c: i for i, c in enumerate(order)}
        f = f.sort_values(["week", "from", "to"], key=lambda s: s.map(rank) if s.name != "week" else s)
        prev = sizes.copy()
        prev.index = prev.index + WEEK  # the size a week earlier, on the week of the flow
        f["base"] = [prev.at[w, a] if w in prev.index and a in prev.columns else np.nan
                     for w, a in zip(f["week"], f["from"])]
        ok = f["base"].notna() & (f["base"] > 0)
        f["rate"], f["lo"], f["hi"] = np.nan, np.nan, np.nan
        if ok.any():
            x, n = f.loc[ok, "flow"].to_numpy(float), f.loc[ok, "base"].to_numpy(float)
            lo, hi = wilson_interval(np.minimum(x, n), n)
            f.loc[ok, "rate"], f.loc[ok, "lo"], f.loc[ok, "hi"] = x / n, lo, hi
        flows = f.reset_index(drop=True)
        rows = []
        for (a, b), g in flows.groupby(["from", "to"], sort=False):
            gb = g[g["rate"].notna()]
            row = {"from": a, "to": b, "flow": float(g["flow"].sum()), "base": np.nan, "rate": np.nan, "lo": np.nan,
                   "hi": np.nan, "weeks": int(len(gb)), "last_week": None, "last_rate": np.nan, "last_lo": np.nan,
                   "last_hi": np.nan}
            if len(gb):
                x, n = float(gb["flow"].sum()), float(gb["base"].sum())
                lo, hi = wilson_interval(min(x, n), n)
                lastr = gb.iloc[-1]
                row.update(base=n, rate=x / n, lo=float(lo), hi=float(hi), last_week=lastr["week"],
                           last_rate=float(lastr["rate"]), last_lo=float(lastr["lo"]), last_hi=float(lastr["hi"]))
            rows.append(row)
        links = pd.DataFrame(rows, columns=links.columns)

    next_to = sizes.copy()
    for name, s in (("spend", spend), ("gmv", gmv)):
        next_to[name] = s.reindex(next_to.index).to_numpy(dtype=float) if s is not None else np.nan
    corr = []
    for c in order:
        if c not in sizes.columns or sizes[c].notna().sum() == 0:
            continue
        row = {"stage": c}
        for name, s in (("spend", spend), ("gmv", gmv)):
            r, n = _corr(sizes[c], s.reindex(sizes.index)) if s is not None else (None, 0)
            row[f"r_{name}"], row[f"n_{name}"] = r, n
        corr.append(row)
    return ModelAudience(model=model, stages=tuple(order), names=names, sizes=sizes, flows=flows, links=links,
                         next_to=next_to, correlations=pd.DataFrame(corr, columns=["stage", "r_spend", "n_spend",
                                                                                   "r_gmv", "n_gmv"]))


def fit_audience(audience: ibis.Table, *, channels: ibis.Table | None = None, orders: ibis.Table | None = None,
                 start=None, end=None) -> AudienceFit:
    """Stage sizes per week, week-on-week changes, flow rates with Wilson intervals and the same weeks' spend
    and GMV, per model (see the module docstring). The engine aggregates; Python gets a few hundred rows a
    year.

    Parameters
    ----------
    audience : ibis.Table
        The audience dataset: date, model (optional), stage, people, from_stage, to_stage, flow (stage rows
        and flow rows; a frame without the flow columns, or without the stage columns, is read too).
    channels : ibis.Table | None
        The channels dataset (date, spend) for the weekly spend, or None.
    orders : ibis.Table | None
        The orders dataset (order_date, amount, is_return) for the weekly GMV of non-return lines, or None.
    start, end : date-like | None
        The sidebar's dates (inclusive; None: open).

    Returns
    -------
    AudienceFit
        Per model its weekly sizes, flows, links, the weeks next to spend and GMV and the correlations.
    """
    sz, fl = _stage_aggregates(audience, start, end)
    unknown = 0
    if len(sz):
        sz["date"] = pd.to_datetime(sz["date"]).astype("datetime64[ns]")
        sz["m"] = _models_of(sz["model"].astype(object), sz["stage"].astype(object))
        sz["code"] = _codes(sz["stage"], sz["m"])
        unknown = int(sz["code"].isna().sum())
        sz = sz[sz["code"].notna()].copy()
        sz["week"] = monday(sz["date"])
    if len(fl):
        fl["date"] = pd.to_datetime(fl["date"]).astype("datetime64[ns]")
        both = pd.concat([fl["from_stage"], fl["to_stage"]]).astype(object)
        raw = pd.concat([fl["model"], fl["model"]]).astype(object)
        m = _models_of(raw.reset_index(drop=True), both.reset_index(drop=True))
        fl["m"] = m.iloc[: len(fl)].to_numpy()
        fl["from"] = _codes(fl["from_stage"], fl["m"])
        fl["to"] = _codes(fl["to_stage"], fl["m"])
        fl = fl[fl["from"].notna() & fl["to"].notna()].copy()
        fl["week"] = monday(fl["date"])
    spend = _weekly_sum(channels, "date", "spend", start, end)
    gmv = None
    if orders is not None and "amount" in orders.columns and "order_date" in orders.columns:
        not_return = orders.is_return.fill_null(False) == False if "is_return" in orders.columns else None  # noqa: E712
        gmv = _weekly_sum(orders, "order_date", "amount", start, end, where=not_return)
    models = []
    for model in AUDIENCE_STAGES:
        s = sz[sz["m"] == model] if len(sz) else sz
        f = fl[fl["m"] == model] if len(fl) else fl
        if len(s) or len(f):
            models.append(_model_weeks(model, s, f, spend, gmv))
    return AudienceFit(models=tuple(models), has_spend=spend is not None, has_gmv=gmv is not None,
                       rows_unknown=unknown, params={"start": start, "end": end})


# ---------------------------------------------------------------- present (texts in a language)


def stage_label(model: str, code: str, lang: str) -> str:
    """"A3 Ask" / "A3 问询（种草）": the stage's code and its name in the platform's words.

    Parameters
    ----------
    model : str
        "AIPL" or "O-5A".
    code : str
        The stage code.
    lang : str
        Language code.

    Returns
    -------
    str
        The label (``segmentation.aud.stage.<model>.<code>``).
    """
    return t(f"segmentation.aud.stage.{model}.{code}", lang)


def link_label(model: str, a: str, b: str, lang: str) -> str:
    """A flow's label: "A Aware → I Interest" (:func:`stage_label` of both ends).

    Parameters
    ----------
    model : str
        "AIPL" or "O-5A".
    a, b : str
        The stage codes the people flow from and to.
    lang : str
        Language code.

    Returns
    -------
    str
        The label.
    """
    return f"{stage_label(model, a, lang)} → {stage_label(model, b, lang)}"


def _f(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x) else float(x)


def _day(w) -> str | None:
    return None if w is None or pd.isna(w) else pd.Timestamp(w).date().isoformat()


def present_audience(fit: AudienceFit, lang: str = "en") -> dict:
    """The page's ``audience`` block: per model its stages (latest size, week-on-week and period change),
    links (pooled and last week's flow rate with Wilson intervals), weekly rows, the weeks next to spend and
    GMV, correlations; findings, the action line, the note that next to is not caused by, and warnings.

    Parameters
    ----------
    fit : AudienceFit
        The fit.
    lang : str
        Language code.

    Returns
    -------
    dict
        ``models`` (model, name, stages, labels, weeks, first_week, last_week, has_flows), ``stages`` (per
        stage: model, stage, code, week, people, wow, wow_pct, period_pct, first_week), ``links`` (per link:
        model, link, from, to, rate, lo, hi, last_week, last_rate, last_lo, last_hi, flow, base, weeks),
        ``weekly`` (per week x stage: model, week, stage, code, people, wow, wow_pct), ``next_to`` (per
        week: model, week, spend, gmv and one column per stage label), ``correlations`` (model, stage, code,
        r_spend, n_spend, r_gmv, n_gmv), ``weakest`` (the weakest link against its model's others, or
        None), ``action``, ``findings``, ``warnings``, ``note``, ``has_spend``, ``has_gmv``. Rows are dicts
        of plain values (None where not known).
    """
    stages, links, weekly, next_to, corr, models = [], [], [], [], [], []
    findings, warnings = [], []
    weakest = None
    if fit.rows_unknown:
        warnings.append(t("segmentation.aud.warning.unknown", lang, n=fmt_number(fit.rows_unknown, lang)))
    if not fit.has_spend:
        warnings.append(t("segmentation.aud.warning.no_spend", lang))
    for m in fit.models:
        label = {c: stage_label(m.model, c, lang) for c in m.stages}
        sz = m.sizes
        models.append({"model": m.model, "name": t(f"segmentation.aud.model.{m.model}", lang),
                       "stages": list(m.stages), "labels": [label[c] for c in m.stages],
                       "weeks": int(len(sz)), "first_week": _day(sz.index.min()) if len(sz) else None,
                       "last_week": _day(sz.index.max()) if len(sz) else None, "has_flows": bool(len(m.flows))})
        if len(sz):
            prev = sz.shift(1)
            contiguous = pd.Series(sz.index, index=sz.index).diff() == WEEK
            for c in sz.columns:
                col = sz[c]
                for w in sz.index:
                    p = prev.at[w, c] if contiguous[w] else np.nan
                    v = col[w]
                    weekly.append({"model": m.model, "week": _day(w), "stage": label[c], "code": c, "people": _f(v),
                                   "wow": _f(v - p), "wow_pct": _f((v - p) / p) if p and not pd.isna(p) else None})
                s = col.dropna()
                if s.empty:
                    continue
                last_w = s.index[-1]
                p = prev.at[last_w, c] if contiguous[last_w] else np.nan
                stages.append({"model": m.model, "stage": label[c], "code": c, "week": _day(last_w),
                               "people": _f(s.iloc[-1]), "wow": _f(s.iloc[-1] - p),
                               "wow_pct": _f((s.iloc[-1] - p) / p) if p and not pd.isna(p) else None,
                               "period_pct": _f(s.iloc[-1] / s.iloc[0] - 1) if len(s) > 1 and s.iloc[0] else None,
                               "first_week": _day(s.index[0])})
            mine = [r for r in stages if r["model"] == m.model and r["period_pct"] is not None]
            if mine:
                big = max(mine, key=lambda r: abs(r["period_pct"]))
                findings.append(t("segmentation.aud.finding.sizes", lang, model=m.model, stage=big["stage"],
                                  change=_signed_pct(big["period_pct"], lang), n=fmt_number(big["people"], lang),
                                  since=big["first_week"]))
        for r in m.links.to_dict("records"):
            row = {"model": m.model, "link": link_label(m.model, r["from"], r["to"], lang), "from": r["from"],
                   "to": r["to"], "rate": _f(r["rate"]), "lo": _f(r["lo"]), "hi": _f(r["hi"]),
                   "last_week": _day(r["last_week"]), "last_rate": _f(r["last_rate"]), "last_lo": _f(r["last_lo"]),
                   "last_hi": _f(r["last_hi"]), "flow": _f(r["flow"]), "base": _f(r["base"]), "weeks": int(r["weeks"])}
            links.append(row)
        mine = [r for r in links if r["model"] == m.model and r["rate"] is not None]
        if len(mine) >= 2:
            w = min(mine, key=lambda r: r["rate"])
            others = float(np.median([r["rate"] for r in mine if r is not w]))
            if weakest is None or w["rate"] / max(others, 1e-12) < weakest["rate"] / max(weakest["others"], 1e-12):
                weakest = dict(w, others=others)
        elif len(m.links) and not mine:
            warnings.append(t("segmentation.aud.warning.no_base", lang, model=m.model))
        for w in m.next_to.index:
            row = {"model": m.model, "week": _day(w), "spend": _f(m.next_to.at[w, "spend"]),
                   "gmv": _f(m.next_to.at[w, "gmv"])}
            row.update({label[c]: _f(m.next_to.at[w, c]) for c in m.stages if c in m.next_to.columns})
            next_to.append(row)
        for r in m.correlations.to_dict("records"):
            corr.append({"model": m.model, "stage": label[r["stage"]], "code": r["stage"], "r_spend": _f(r["r_spend"]),
                         "n_spend": int(r["n_spend"]), "r_gmv": _f(r["r_gmv"]), "n_gmv": int(r["n_gmv"])})
        mc = [r for r in corr if r["model"] == m.model and r["r_spend"] is not None]
        if mc:
            top = max(mc, key=lambda r: abs(r["r_spend"]))
            findings.append(t("segmentation.aud.finding.spend", lang, model=m.model, stage=top["stage"],
                              r=f"{top['r_spend']:.2f}", n=top["n_spend"]))
    action = None
    if weakest is not None:
        action = t("segmentation.aud.action.weakest", lang, model=weakest["model"], link=weakest["link"],
                   rate=fmt_pct(weakest["rate"], lang), lo=fmt_pct(weakest["lo"], lang),
                   hi=fmt_pct(weakest["hi"], lang), others=fmt_pct(weakest["others"], lang))
        findings.append(t("segmentation.aud.finding.weakest", lang, model=weakest["model"], link=weakest["link"],
                          rate=fmt_pct(weakest["rate"], lang), others=fmt_pct(weakest["others"], lang)))
    elif not links:
        action = t("segmentation.aud.action.no_flows", lang)
    return {"models": models, "stages": stages, "links": links, "weekly": weekly, "next_to": next_to,
            "correlations": corr, "weakest": weakest, "action": action, "findings": findings,
            "warnings": warnings, "note": t("segmentation.aud.note", lang),
            "has_spend": fit.has_spend, "has_gmv": fit.has_gmv}


def _signed_pct(x: float, lang: str) -> str:
    return ("+" if x >= 0 else "") + fmt_pct(x, lang)


# ---------------------------------------------------------------- figures


def figures(block: dict | None, lang: str = "en") -> list[dict]:
    """Per model: stage sizes over time (one line per stage, log axis: stages differ by orders of magnitude),
    each link's flow rate over the period with its interval (the weakest in red), and each stage's size
    index (100 = its first week) next to weekly spend and GMV.

    Parameters
    ----------
    block : dict | None
        The :func:`present_audience` block, or None.
    lang : str
        Language code.

    Returns
    -------
    list[dict]
        ``{"key", "title", "figure"}`` per chart (none without a block).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if not block:
        return []
    figs: list[dict] = []
    for m in block["models"]:
        model = m["model"]
        rows = [r for r in block["weekly"] if r["model"] == model]
        if rows:
            mine = [r for r in block["stages"] if r["model"] == model and r["period_pct"] is not None]
            big = max(mine, key=lambda r: abs(r["period_pct"])) if mine else None
            title = (t("segmentation.aud.chart.sizes", lang, model=m["name"], stage=big["stage"],
                       change=_signed_pct(big["period_pct"], lang)) if big else m["name"])
            fig = go.Figure()
            for lab in m["labels"]:
                pts = [r for r in rows if r["stage"] == lab]
                fig.add_trace(go.Scatter(x=[r["week"] for r in pts], y=[r["people"] for r in pts], name=lab,
                                         mode="lines"))
            fig.update_layout(yaxis_type="log", yaxis_title=t("segmentation.aud.label.people", lang),
                              hovermode="x unified")
            charts.finish(fig, lang, title, y="count")
            figs.append({"key": f"aud_sizes_{model}", "title": title, "figure": fig})
        links = [r for r in block["links"] if r["model"] == model and r["rate"] is not None]
        if links:
            weak = min(links, key=lambda r: r["rate"])
            title = t("segmentation.aud.chart.flows", lang, model=m["name"], link=weak["link"],
                      rate=fmt_pct(weak["rate"], lang))
            # links down the side (horizontal bars: "A2 Appeal → A3 Ask (seeded, 种草)" never overlaps), the
            # funnel's first link on top
            rl = links[::-1]
            fig = go.Figure(go.Bar(
                y=[r["link"] for r in rl], x=[r["rate"] for r in rl], orientation="h",
                error_x=dict(type="data", symmetric=False, array=[r["hi"] - r["rate"] for r in rl],
                             arrayminus=[r["rate"] - r["lo"] for r in rl]),
                marker_color=["#d62728" if r is weak else "#1f77b4" for r in rl],
                # the rate inside its bar: outside, it ran into the interval's whisker ("14.5%" read "4.5%")
                text=[fmt_pct(r["rate"], lang) for r in rl], textposition="inside", insidetextanchor="start",
                textfont={"color": "white"}))
            fig.update_layout(height=max(300, 120 + 40 * len(rl)), xaxis_title=t("segmentation.aud.label.rate", lang))
            # room to the right of the longest bar for its interval's whisker
            fig.update_xaxes(range=[0, 1.08 * max(max(r["hi"] for r in rl), max(r["rate"] for r in rl))])
            fig.update_yaxes(type="category")
            charts.finish(fig, lang, title, x="percent")
            figs.append({"key": f"aud_flows_{model}", "title": title, "figure": fig})
        nt = [r for r in block["next_to"] if r["model"] == model]
        if nt and (block["has_spend"] or block["has_gmv"]):
            corr = [r for r in block["correlations"] if r["model"] == model and r["r_spend"] is not None]
            top = max(corr, key=lambda r: abs(r["r_spend"])) if corr else None
            title = (t("segmentation.aud.chart.next_to", lang, model=m["name"], stage=top["stage"],
                       r=f"{top['r_spend']:.2f}") if top else
                     t("segmentation.aud.chart.next_to_plain", lang, model=m["name"]))
            fig = make_subplots(specs=[[{"secondary_y": True}]])
            weeks = [r["week"] for r in nt]
            for lab in m["labels"]:
                vals = [r.get(lab) for r in nt]
                first = next((v for v in vals if v), None)
                if first:
                    fig.add_trace(go.Scatter(x=weeks, y=[None if v is None else 100 * v / first for v in vals],
                                             name=lab, mode="lines"), secondary_y=False)
            for key, color in (("spend", "#7f7f7f"), ("gmv", "#2ca02c")):
                if any(r[key] is not None for r in nt):
                    fig.add_trace(go.Bar(x=weeks, y=[r[key] for r in nt], name=t(f"segmentation.aud.label.{key}", lang),
                                         marker_color=color, opacity=0.35), secondary_y=True)
            fig.update_layout(barmode="group", hovermode="x unified")
            fig.update_yaxes(title_text=t("segmentation.aud.label.index", lang), secondary_y=False)
            fig.update_yaxes(title_text=t("segmentation.aud.label.money", lang), secondary_y=True)
            charts.finish(fig, lang, title, y="index", y2="money")
            figs.append({"key": f"aud_next_{model}", "title": title, "figure": fig})
    return figs
