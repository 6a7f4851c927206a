"""The incrementality ledger (issue 17 items 1-2): measured lifts, saved once, calibrate the plan.

An entry records what an experiment or a counterfactual measured for one channel: the test period
(``start`` / ``end``), the ``spend`` on the channel in the test, the incremental outcome (``lift``, in the
outcome's money) with its 95% interval [``low``, ``high``], the ``method`` ("ab": a randomised test;
"counterfactual": pre/post against control series; "geo"; "other"), the dataset it came from and the link to
the evaluation view (``view``), and who saved it when. Entries live in the catalogue's saved objects (kind
:data:`KIND`; ``data.repository`` checks ownership where they are written: the owner or an admin changes or
deletes one, a viewer nothing).

* :func:`validate` turns raw fields into a checked entry (plain, translatable refusals naming the field);
* :func:`draft_from_evaluation` turns a post-campaign evaluation result into an entry draft (what is
  missing, e.g. the channel or the spend, is listed in ``missing``);
* :func:`add` / :func:`entries` / :func:`update` / :func:`delete` store and read them;
* :func:`fit_value` packs the entries the planner calibrates on into one small text (a fit parameter, so a
  cached plan is refitted exactly when an entry changes); :func:`from_fit_value` unpacks it;
* :func:`match_channel` finds an entry's channel among a model's channels (names as people say them:
  ``spend_douyin``, ``Douyin`` and ``抖音`` are one channel).

The planner's use of the entries is :func:`analytics.mmm.fit_calibrated`.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone
from typing import Any, Iterable, Sequence

from analytics.common import AnalyticsError
from analytics.tables import Col

KIND = "ledger"
METHODS = ("ab", "counterfactual", "geo", "other")
FIELDS = ("channel", "start", "end", "spend", "lift", "low", "high", "method", "dataset_id", "view", "outcome",
          "group", "note")
PACKED = ("id", "channel", "start", "end", "spend", "lift", "low", "high", "method", "created_at", "owner")
# the ledger list (components/ledger_list.py, its CSV): rows of :func:`list_rows`
TABLES: dict[str, tuple] = {
    "entries": (Col("id", "id"), Col("channel", "text", label="ledger.field.channel"),
                Col("start", "date", label="ledger.field.start"), Col("end", "date", label="ledger.field.end"),
                Col("spend", "money", label="ledger.field.spend"), Col("lift", "money", label="ledger.field.lift"),
                Col("low", "money", label="ledger.field.low"), Col("high", "money", label="ledger.field.high"),
                Col("iroas", "number", digits=2, label="ledger.col.iroas"),
                Col("method", "text", label="ledger.field.method", values="ledger.method"),
                Col("dataset_id", "id", label="ui.data.target"),
                Col("age_days", "count", label="ledger.col.age_days"), Col("owner", "text", label="ledger.field.owner"),
                Col("view", "text", label="ledger.field.view")),
}


class LedgerError(AnalyticsError, ValueError):
    """A ledger entry that cannot be saved: ``key`` / ``kwargs`` translate it (namespace ``ledger``);
    ``str(e)`` is the English sentence (the command line)."""

    def __init__(self, key: str, **kwargs: Any) -> None:
        AnalyticsError.__init__(self, key, **kwargs)

    def __str__(self) -> str:
        from analytics.i18n import t

        return t(self.key, "en", **self.kwargs)


def _num(raw: dict, name: str, *, required: bool = True) -> float | None:
    v = raw.get(name)
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            raise LedgerError("ledger.error.missing", field=name)
        return None
    try:
        x = float(str(v).replace(",", "")) if isinstance(v, str) else float(v)
    except (TypeError, ValueError):
        raise LedgerError("ledger.error.number", field=name, value=str(v)[:40]) from None
    if not math.isfinite(x):
        raise LedgerError("ledger.error.number", field=name, value=str(v)[:40])
    return x


def _day(raw: dict, name: str) -> str:
    v = raw.get(name)
    if v is None or (isinstance(v, str) and not v.strip()):
        raise LedgerError("ledger.error.missing", field=name)
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    try:
        return date.fromisoformat(str(v).strip()[:10]).isoformat()
    except ValueError:
        raise LedgerError("ledger.error.date", field=name, value=str(v)[:40]) from None


def validate(raw: dict) -> dict:
    """A checked entry payload from raw fields (text or numbers). Raises :class:`LedgerError` naming the
    field: a missing channel, period, spend, lift or interval; an unreadable number or date; an end before
    the start; a spend of 0 or less; an interval that does not hold the lift (low <= lift <= high); an
    unknown method.

    Parameters
    ----------
    raw : dict
        Raw fields: ``channel``, ``start``, ``end``, ``spend``, ``lift``, ``low``, ``high``, optionally
        ``method``, ``dataset_id``, ``view``, ``outcome``, ``group``, ``note``.

    Returns
    -------
    dict
        The payload with typed, trimmed fields.
    """
    channel = str(raw.get("channel") or "").strip()
    if not channel:
        raise LedgerError("ledger.error.missing", field="channel")
    start, end = _day(raw, "start"), _day(raw, "end")
    if end < start:
        raise LedgerError("ledger.error.period", start=start, end=end)
    spend = _num(raw, "spend")
    if spend <= 0:
        raise LedgerError("ledger.error.spend", value=f"{spend:g}")
    lift, low, high = _num(raw, "lift"), _num(raw, "low"), _num(raw, "high")
    if not low <= lift <= high:
        raise LedgerError("ledger.error.interval", low=f"{low:g}", lift=f"{lift:g}", high=f"{high:g}")
    method = str(raw.get("method") or "ab").strip().lower()
    if method not in METHODS:
        raise LedgerError("ledger.error.method", value=method[:40], methods=", ".join(METHODS))
    ds = raw.get("dataset_id")
    try:
        ds = int(ds) if ds not in (None, "") else None
    except (TypeError, ValueError):
        raise LedgerError("ledger.error.number", field="dataset_id", value=str(ds)[:40]) from None
    return {"channel": channel[:200], "start": start, "end": end, "spend": spend, "lift": lift, "low": low,
            "high": high, "method": method, "dataset_id": ds, "view": str(raw.get("view") or "")[:2000],
            "outcome": str(raw.get("outcome") or "revenue")[:40], "group": str(raw.get("group") or "")[:200],
            "note": str(raw.get("note") or "")[:2000]}


def entry_name(e: dict) -> str:
    """An entry's name: channel and period.

    Parameters
    ----------
    e : dict
        The entry.

    Returns
    -------
    str
        ``"<channel> <start>..<end>"``.
    """
    return f"{e['channel']} {e['start']}..{e['end']}"


def weeks(e: dict) -> float:
    """The test's length in weeks (its days / 7, at least 1 day).

    Parameters
    ----------
    e : dict
        The entry (``start``, ``end`` as ISO dates).

    Returns
    -------
    float
        Weeks.
    """
    return (date.fromisoformat(e["end"]) - date.fromisoformat(e["start"])).days / 7.0 + 1 / 7.0


# ---------------------------------------------------------------- store


def _row(obj: dict) -> dict:
    p = obj["payload"]
    created = obj.get("created_at")
    return {"id": int(obj["id"]), **{k: p.get(k) for k in FIELDS}, "owner": obj.get("owner") or "",
            "created_at": created.isoformat() if hasattr(created, "isoformat") else created,
            "updated_at": (obj["updated_at"].isoformat() if hasattr(obj.get("updated_at"), "isoformat")
                           else obj.get("updated_at"))}


def add(raw: dict, *, actor=None, owner: str = "", engine=None) -> int:
    """Validate and save an entry (``actor``: the acting user, an analyst or admin; without one, a trusted
    caller names the ``owner``). Returns its id.

    Parameters
    ----------
    raw : dict
        Raw fields (see :func:`validate`).
    actor
        The acting user, or None.
    owner : str
        The owner when there is no actor.
    engine
        Catalogue engine (None: the default).

    Returns
    -------
    int
        The entry's id.
    """
    from data import repository

    e = validate(raw)
    return repository.save_object(kind=KIND, name=entry_name(e), owner=owner, payload=e, actor=actor, engine=engine)


def entries(*, channel: str | None = None, engine=None) -> list[dict]:
    """Every entry (newest first), flat: id, the fields, owner, created_at, updated_at; only those of
    ``channel`` (as people say it, see :func:`match_channel`) when given.

    Parameters
    ----------
    channel : str | None
        Only this channel, or None.
    engine
        Catalogue engine (None: the default).

    Returns
    -------
    list[dict]
        The entries.
    """
    from data import repository

    rows = [_row(o) for o in repository.list_objects(kind=KIND, engine=engine)]
    if channel is not None:
        rows = [r for r in rows if channel_key(r["channel"]) == channel_key(channel)]
    return rows


def get(entry_id: int, *, engine=None) -> dict | None:
    """One entry, flat (as :func:`entries`), or None when there is no ledger entry with that id.

    Parameters
    ----------
    entry_id : int
        The entry's id.
    engine
        Catalogue engine (None: the default).

    Returns
    -------
    dict | None
        The entry, or None.
    """
    from data import repository

    o = repository.get_object(object_id=int(entry_id), engine=engine)
    return _row(o) if o is not None and o.get("kind") == KIND else None


def update(entry_id: int, *, actor, channel: str | None = None, spend: Any = None, engine=None) -> dict:
    """Change an entry's channel and / or spend (its owner or an admin; checked in the write). Returns the
    entry. Raises LookupError for no such entry, LedgerError for a bad value, NotAllowed for another's.

    Parameters
    ----------
    entry_id : int
        The entry's id.
    actor
        The acting user.
    channel : str | None
        New channel, or None.
    spend : Any
        New spend, or None.
    engine
        Catalogue engine (None: the default).

    Returns
    -------
    dict
        The entry.
    """
    from data import repository

    changes: dict[str, Any] = {}
    if channel is not None:
        ch = str(channel).strip()
        if not ch:
            raise LedgerError("ledger.error.missing", field="channel")
        changes["channel"] = ch[:200]
    if spend is not None:
        s = _num({"spend": spend}, "spend")
        if s <= 0:
            raise LedgerError("ledger.error.spend", value=f"{s:g}")
        changes["spend"] = s
    if not changes:
        cur = get(entry_id, engine=engine)
        if cur is None:
            raise LookupError(f"ledger entry {entry_id} does not exist")
        return cur
    repository.patch_object(object_id=int(entry_id), kind=KIND, changes=changes, actor=actor, engine=engine,
                            name=lambda p: entry_name(p))
    return get(entry_id, engine=engine)  # type: ignore[return-value]


def delete(entry_id: int, *, actor, engine=None) -> bool:
    """Delete an entry (its owner or an admin); False when there is no such entry.

    Parameters
    ----------
    entry_id : int
        The entry's id.
    actor
        The acting user.
    engine
        Catalogue engine (None: the default).

    Returns
    -------
    bool
        True when deleted.
    """
    from data import repository

    if get(entry_id, engine=engine) is None:
        return False
    return repository.delete_object(object_id=int(entry_id), actor=actor, engine=engine)


# ---------------------------------------------------------------- evaluation -> draft


def draft_from_evaluation(result: dict, params: dict | None = None, *, channel: str | None = None,
                          group: str | None = None, dataset_id: int | None = None, view: str = "") -> dict:
    """An entry draft from a post-campaign evaluation result (``analytics.evaluation.present`` / the
    report): the incremental revenue and its 95% interval of the chosen arm (``group``; the memo's arm, else
    the largest) of an A/B test, or of the counterfactual; the spend is the arm's cost (campaign cost share +
    incentive cost) when costs were given; the period is the counterfactual's campaign dates, else the
    ``campaign_start`` / ``campaign_end`` or ``start`` / ``end`` parameters; the channel is the
    counterfactual's treated value when it split the orders by channel, else ``channel``.

    Returns the draft's fields plus ``missing`` (fields the user must still give: channel, start, end,
    spend) and ``source`` ("experiment" / "counterfactual"); None when the result has no incremental revenue
    (no revenue outcome, or no counterfactual on revenue).

    Parameters
    ----------
    result : dict
        The evaluation result.
    params : dict | None
        Its parameters, or None.
    channel : str | None
        The channel, or None.
    group : str | None
        The arm, or None.
    dataset_id : int | None
        The dataset measured on, or None.
    view : str
        Link to the evaluation view.

    Returns
    -------
    dict
        The draft, or None.
    """
    p = params or {}
    money = result.get("money") or None
    if not money or not money.get("arms"):
        return None
    arms = money["arms"]
    memo_arm = (result.get("memo") or {}).get("arm")
    pick = group or memo_arm
    arm = next((a for a in arms if a.get("group") == pick), None) or max(arms, key=lambda a: a["incremental_revenue"])
    cf = result.get("counterfactual") or {}
    source = arm.get("source") or money.get("source")
    start = end = None
    if source == "counterfactual" and cf.get("status") == "ok":
        start, end = cf.get("start"), cf.get("end")
        if channel is None and cf.get("by") == "channel":
            channel = cf.get("treated")
    start = start or p.get("campaign_start") or p.get("start")
    end = end or p.get("campaign_end") or p.get("end")
    spend = arm.get("cost") if money.get("cost_given") and (arm.get("cost") or 0) > 0 else None

    def iso(d: Any) -> str | None:
        if d is None:
            return None
        return d.isoformat()[:10] if hasattr(d, "isoformat") else str(d)[:10]

    draft = {"channel": channel, "start": iso(start), "end": iso(end), "spend": spend,
             "lift": arm["incremental_revenue"], "low": arm["ci_low"], "high": arm["ci_high"],
             "method": "ab" if source == "experiment" else "counterfactual", "dataset_id": dataset_id,
             "view": view, "outcome": "revenue", "group": arm.get("group") or "", "source": source}
    draft["missing"] = [k for k in ("channel", "start", "end", "spend") if draft[k] in (None, "")]
    return draft


# ---------------------------------------------------------------- planner


def channel_key(name: str) -> str:
    """One key for a channel however it is written (spend column, platform name, English or Chinese).

    Parameters
    ----------
    name : str
        A channel name.

    Returns
    -------
    str
        The key.
    """
    from analytics.channel_names import display_name

    return display_name(str(name), "en").casefold()


def match_channel(name: str, channels: Sequence[str]) -> int | None:
    """The index of ``name`` among a model's ``channels`` (spend columns or channel names); None when none
    is the same channel.

    Parameters
    ----------
    name : str
        A channel name.
    channels : Sequence[str]
        The model's channels.

    Returns
    -------
    int | None
        The index, or None.
    """
    k = channel_key(name)
    for i, c in enumerate(channels):
        if channel_key(c) == k:
            return i
    return None


def fit_value(rows: Iterable[dict]) -> str | None:
    """The entries as one compact text for the planner's fit parameters (None for no entry): changing an
    entry changes the text, so the cached fit is redone exactly then.

    Parameters
    ----------
    rows : Iterable[dict]
        The entries.

    Returns
    -------
    str | None
        The text, or None.
    """
    rows = list(rows)
    if not rows:
        return None
    packed = [[r.get(k) for k in PACKED] for r in sorted(rows, key=lambda r: int(r["id"]))]
    return json.dumps(packed, ensure_ascii=False, separators=(",", ":"), default=str)


def from_fit_value(text: str | None) -> list[dict]:
    """:func:`fit_value` unpacked (an empty list for None or unreadable text).

    Parameters
    ----------
    text : str | None
        :func:`fit_value`, or None.

    Returns
    -------
    list[dict]
        The entries (PACKED fields).
    """
    if not text:
        return []
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return []
    return [dict(zip(PACKED, row)) for row in data if isinstance(row, list) and len(row) == len(PACKED)]


def store_params(*, engine=None) -> dict:
    """The planner's extra fit parameter from the store: ``{"ledger": fit_value(every entry)}``.

    Parameters
    ----------
    engine
        Catalogue engine (None: the default).

    Returns
    -------
    dict
        ``{"ledger": ...}``.
    """
    return {"ledger": fit_value(entries(engine=engine))}


def list_rows(rows: Iterable[dict], today: date | None = None) -> list[dict]:
    """The entries as the ledger list shows them (:data:`TABLES` ``entries``): the stored fields plus
    ``iroas`` (lift / spend) and ``age_days``.

    Parameters
    ----------
    rows : Iterable[dict]
        Ledger entries (:func:`entries`) with at least ``lift``, ``spend`` and ``end``.
    today : date | None
        The day ages are counted to (None: today in UTC).

    Returns
    -------
    list[dict]
        One row per entry, in the order given: its fields plus ``iroas`` (None when spend is missing or 0)
        and ``age_days`` (:func:`age_days`).
    """
    return [{**r, "iroas": (r["lift"] / r["spend"]) if r.get("spend") else None, "age_days": age_days(r, today)}
            for r in rows]


def age_days(e: dict, today: date | None = None) -> int | None:
    """Days from the end of the entry's test to ``today``.

    Parameters
    ----------
    e : dict
        The entry.
    today : date | None
        The day (None: today in UTC).

    Returns
    -------
    int | None
        Days, or None for an unreadable end.
    """
    try:
        return ((today or datetime.now(timezone.utc).date()) - date.fromisoformat(str(e["end"])[:10])).days
    except (KeyError, TypeError, ValueError):
        return None
