"""What the incrementality ledger did to the plan: the calibrated channels' returns before and after, their
entries, and how far the allocation moved from the uncalibrated model's."""

from __future__ import annotations

import numpy as np

from analytics import ledger, mmm
from analytics.i18n import fmt_number, fmt_pct, t

from .fitting import PromotionFit


def calibration_block(pf: PromotionFit | None, names: list[str], keys: list[str], res: dict, lo: np.ndarray,
                      hi: np.ndarray, weeks: int, lang: str) -> tuple[list[dict], list[str], list[str], dict]:
    """What the ledger did to the plan: one row per calibrated channel (``channel``, ``key``, ``entries``
    with their id, period, spend, lift and interval, method, owner, age and the model's lift before / after;
    ``before_roi`` / ``after_roi``: the model's incremental return per spend at the tested spends before and
    after calibration, ``interval_roi``, ``within_interval``: every entry's lift inside its interval after),
    the findings and warnings, and how the allocation moved (the uncalibrated model's optimum at the same
    budget and limits: ``spend_uncalibrated`` per channel, ``moved`` = half the sum of |change| / budget).

    Parameters
    ----------
    pf : PromotionFit | None
        The fit, or None.
    names : list[str]
        The channels' display names.
    keys : list[str]
        The channels' columns.
    res : dict
        The optimised allocation (``spend``).
    lo : np.ndarray
        Minimum total per channel.
    hi : np.ndarray
        Maximum total per channel.
    weeks : int
        The plan's weeks.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    tuple[list[dict], list[str], list[str], dict]
        The rows, findings, warnings and the move.
    """
    if pf is None or pf.uncalibrated is None:
        warn = []
        if pf is not None and pf.ledger_unmatched:
            warn.append(t("promotions.calibration.unmatched", lang, entries=", ".join(
                f"#{e.get('id')} {e.get('channel')}" for e in pf.ledger_unmatched)))
        return [], [], warn, {}
    after, before = pf.model, pf.uncalibrated
    rows: list[dict] = []
    for i in sorted({e["index"] for e in pf.ledger_used}):
        ents = []
        sp = b_l = a_l = lo_l = hi_l = 0.0
        ok = True
        for e in (x for x in pf.ledger_used if x["index"] == i):
            test = mmm.LiftTest(channel=i, spend=float(e["spend"]), weeks=ledger.weeks(e), lift=float(e["lift"]),
                                low=float(e["low"]), high=float(e["high"]))
            lb, la = mmm.model_lift(before, test), mmm.model_lift(after, test)
            within = bool(test.low - 1e-6 * abs(test.low) <= la <= test.high + 1e-6 * abs(test.high))
            ok = ok and within
            sp, b_l, a_l, lo_l, hi_l = sp + test.spend, b_l + lb, a_l + la, lo_l + test.low, hi_l + test.high
            ents.append({"id": e.get("id"), "start": e.get("start"), "end": e.get("end"), "spend": test.spend,
                         "lift": test.lift, "low": test.low, "high": test.high, "method": e.get("method"),
                         "owner": e.get("owner"), "created_at": e.get("created_at"), "age_days": ledger.age_days(e),
                         "model_lift_before": lb, "model_lift_after": la, "within_interval": within})
        rows.append({"channel": names[i], "key": keys[i], "entries": ents, "before_roi": b_l / sp,
                     "after_roi": a_l / sp, "interval_roi": [lo_l / sp, hi_l / sp], "within_interval": ok})
    spend = res["spend"]
    budget = float(spend.sum())
    un = mmm.optimise(before.curves, budget, weeks, lo, hi)["spend"]
    moved = float(np.abs(spend - un).sum() / 2 / budget) if budget > 0 else None
    for r in rows:  # the flat fields of the calibration table (TABLES["calibration"])
        j = keys.index(r["key"])
        r["spend_before"], r["spend_after"] = float(un[j]), float(spend[j])
        r["spend_change"] = r["spend_after"] - r["spend_before"]
        r["entry_ids"] = ", ".join(f"#{e['id']}" for e in r["entries"])
        ages = [e["age_days"] for e in r["entries"] if e["age_days"] is not None]
        r["age_days"] = min(ages) if ages else None  # the newest test's age
        r["interval_low"], r["interval_high"] = r["interval_roi"]
    findings, warnings = [], []
    for r in rows:
        findings.append(t("promotions.calibration.finding", lang, channel=r["channel"], entries=r["entry_ids"],
                          age=fmt_number(r["age_days"], lang) if r["age_days"] is not None else "—",
                          before=fmt_number(r["before_roi"], lang, 2), after=fmt_number(r["after_roi"], lang, 2),
                          lo=fmt_number(r["interval_roi"][0], lang, 2), hi=fmt_number(r["interval_roi"][1], lang, 2)))
        if not r["within_interval"]:
            warnings.append(t("promotions.calibration.outside", lang, channel=r["channel"]))
        if r["age_days"] is not None and r["age_days"] > 365:
            warnings.append(t("promotions.calibration.old", lang, channel=r["channel"], age=fmt_number(r["age_days"], lang)))
    if moved is not None:
        findings.append(t("promotions.calibration.moved", lang, share=fmt_pct(moved, lang)))
    if pf.ledger_unmatched:
        warnings.append(t("promotions.calibration.unmatched", lang, entries=", ".join(
            f"#{e.get('id')} {e.get('channel')}" for e in pf.ledger_unmatched)))
    return rows, findings, warnings, {"moved": moved, "spend_uncalibrated": [float(x) for x in un]}
