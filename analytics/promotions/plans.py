"""Saved plans: the saved form of a plan (kind :data:`PLAN_KIND`, what post-campaign evaluation compares with
actuals) and saved plans side by side."""

from __future__ import annotations

from analytics.channel_names import display_names
from analytics.common import jsonable
from analytics.i18n import t

PLAN_KIND = "promotion_plan"   # kind of the saved objects (cached.save_object) holding a saved plan


def plan_payload(result: dict, params: dict, *, query: dict | None = None, datasets: list | None = None) -> dict:
    """The saved form of a plan (kind :data:`PLAN_KIND`): what post-campaign evaluation compares with
    actuals. Holds params, total {spend, expected_outcome, lower, upper, ...}, allocation, plan_start, weeks.

    Parameters
    ----------
    result : dict
        The plan (the page's result).
    params : dict
        The page's parameters.
    query : dict | None
        The page's link query, or None.
    datasets : list | None
        The datasets planned on, or None.

    Returns
    -------
    dict
        ``params``, ``query``, ``datasets``, ``mode``, ``goal``, ``total``, ``allocation``, ``plan_start``,
        ``weeks``, ``phases``, ``feasibility``, ``source``.
    """
    tot = result.get("total") or {}
    pac = result.get("pacing") or {}
    return jsonable({
        "params": {k: v for k, v in (params or {}).items()},
        "query": dict(query or {}),
        "datasets": list(datasets or []),
        "mode": result.get("mode"),
        "goal": result.get("goal"),
        "total": tot,
        "allocation": [{k: r.get(k) for k in ("channel", "key", "spend", "share", "expected_outcome", "lower", "upper",
                                               "marginal_roi", "weekly_spend", "min", "max")}
                       for r in result.get("allocation") or []],
        "plan_start": pac.get("start") or (params or {}).get("plan_start"),
        "weeks": tot.get("weeks") or (params or {}).get("weeks"),
        "phases": pac.get("phases") or [],
        "feasibility": {k: (result.get("feasibility") or {}).get(k) for k in ("verdict", "holdout_mape", "history_weeks")},
        "source": (result.get("fit") or {}).get("source"),
    })


def compare_plans(plans: list[dict], lang: str = "en") -> list[dict]:
    """Saved plans side by side: one row per measure (totals, then each channel's spend), one column per plan.
    ``plans``: saved objects ({"id", "name", "payload"}).

    Parameters
    ----------
    plans : list[dict]
        Saved plans.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Rows keyed by the measure column and one column per plan.
    """
    names = [f"#{p['id']} {p['name']}" for p in plans]
    rows: list[dict] = []

    def row(label: str, values: list) -> None:
        rows.append({t("promotions.compare.measure", lang): label, **dict(zip(names, values))})

    tots = [(p.get("payload") or {}).get("total") or {} for p in plans]
    for key in ("spend", "expected_outcome", "lower", "upper", "roi"):
        row(t(f"promotions.compare.{key}", lang), [tt.get(key) for tt in tots])
    row(t("promotions.compare.weeks", lang), [(p.get("payload") or {}).get("weeks") for p in plans])
    row(t("promotions.compare.plan_start", lang), [(p.get("payload") or {}).get("plan_start") for p in plans])
    channels: dict[str, str] = {}  # the channel's column (saved plans: key) -> its name in lang
    for p in plans:
        for a in (p.get("payload") or {}).get("allocation") or []:
            k = a.get("key") or a.get("channel")
            channels.setdefault(k, display_names([k], lang)[0] if a.get("key") else a.get("channel"))
    for c, name in channels.items():
        vals = []
        for p in plans:
            a = next((x for x in (p.get("payload") or {}).get("allocation") or []
                      if (x.get("key") or x.get("channel")) == c), None)
            vals.append(a.get("spend") if a else None)
        row(t("promotions.compare.channel_spend", lang, channel=name), vals)
    return jsonable(rows)
