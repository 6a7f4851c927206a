"""Saved objects (plans, personas, ledger entries, ...) and column-mapping presets, each with its owner."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection, Engine

from data import models
from data.access import Actor, require_change, require_create
from data.db import writing
from data.schema import KINDS

from .base import _engine, _faults, clean_name


@_faults
def save_object(
    *, kind: str, name: str, owner: str, payload: dict, object_id: int | None = None, actor: Actor | None = None,
    engine: Engine | None = None,
) -> int:
    """Save a new item (``object_id=None``; ``owner`` is its owner, the actor when one is given) or
    update one, which needs ``actor``: its owner or an admin. The owner of an item never changes.

    Parameters
    ----------
    kind : str
        The item's kind (e.g. a plan, a persona, a ledger entry).
    name : str
        Its name (cleaned; the kind when empty).
    owner : str
        Its owner when there is no actor.
    payload : dict
        The item's payload (stored as JSON).
    object_id : int | None
        The item to update, or None for a new one.
    actor : Actor | None
        The acting user (required to update), or None.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    int
        The item's id.
    """
    t = models.SavedObject.__table__
    now = datetime.now(timezone.utc)
    body = json.dumps(payload, ensure_ascii=False, default=str)
    name = clean_name(name) or kind
    with writing(_engine(engine)) as conn:
        if object_id is None:
            if actor is not None:
                require_create(actor, action="save", target="objects")
                owner = actor.username
            res = conn.execute(t.insert().values(kind=kind, name=name, owner=owner, payload=body, created_at=now,
                                                 updated_at=now))
            return int(res.inserted_primary_key[0])
        if actor is None:
            raise ValueError("changing a saved item needs the acting user (actor=Actor(username, role))")
        _object_for_change(conn, int(object_id), actor, "update")
        conn.execute(update(t).where(t.c.id == int(object_id)).values(name=name, payload=body, updated_at=now))
        return int(object_id)


def _object_for_change(conn: Connection, object_id: int, actor: Actor, action: str) -> Any:
    t = models.SavedObject.__table__
    cur = conn.execute(select(t.c.id, t.c.name, t.c.owner).where(t.c.id == int(object_id))).first()
    if cur is None:
        raise LookupError(f"saved item {object_id} does not exist")
    require_change(actor, owner=cur.owner, action=action, target="object", target_id=int(object_id),
                   target_name=cur.name)
    return cur


@_faults
def patch_object(*, object_id: int, kind: str, changes: dict, actor: Actor, engine: Engine | None = None,
                 name: Callable[[dict], str] | None = None) -> dict:
    """Change some fields of a saved item's payload in one write transaction (read, check, write): the item
    must be of ``kind`` and the actor its owner or an admin. ``name`` (payload -> name) renames it after the
    change. Returns the new payload; LookupError when there is no such item of that kind.

    Parameters
    ----------
    object_id : int
        The item's id.
    kind : str
        Its kind.
    changes : dict
        Payload fields to change.
    actor : Actor
        The acting user.
    engine : Engine | None
        Catalogue engine (None: the default).
    name : Callable[[dict], str] | None
        Payload -> new name, or None.

    Returns
    -------
    dict
        The new payload.
    """
    t = models.SavedObject.__table__
    with writing(_engine(engine)) as conn:
        cur = conn.execute(select(t.c.id, t.c.kind, t.c.name, t.c.owner, t.c.payload)
                           .where(t.c.id == int(object_id))).first()
        if cur is None or cur.kind != kind:
            raise LookupError(f"{kind} item {object_id} does not exist")
        require_change(actor, owner=cur.owner, action="update", target="object", target_id=int(object_id),
                       target_name=cur.name)
        payload = {**json.loads(cur.payload), **changes}
        values: dict[str, Any] = {"payload": json.dumps(payload, ensure_ascii=False, default=str),
                                  "updated_at": datetime.now(timezone.utc)}
        if name is not None:
            values["name"] = clean_name(name(payload)) or cur.name
        conn.execute(update(t).where(t.c.id == int(object_id)).values(**values))
    return payload


@_faults
def list_objects(*, kind: str, engine: Engine | None = None) -> list[dict]:
    """The saved items of one kind, most recently updated first.

    Parameters
    ----------
    kind : str
        The item kind.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    list[dict]
        One dict per item (its row, ``payload`` parsed).
    """
    t = models.SavedObject.__table__
    with _engine(engine).connect() as conn:
        rows = conn.execute(select(t).where(t.c.kind == kind).order_by(t.c.updated_at.desc())).all()
    return [{**dict(r._mapping), "payload": json.loads(r._mapping["payload"])} for r in rows]


@_faults
def get_object(*, object_id: int, engine: Engine | None = None) -> dict | None:
    """One saved item, or None when there is no such item.

    Parameters
    ----------
    object_id : int
        The item's id.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    dict | None
        The item (its row, ``payload`` parsed), or None.
    """
    t = models.SavedObject.__table__
    with _engine(engine).connect() as conn:
        r = conn.execute(select(t).where(t.c.id == int(object_id))).first()
    return {**dict(r._mapping), "payload": json.loads(r._mapping["payload"])} if r is not None else None


@_faults
def delete_object(*, object_id: int, actor: Actor, engine: Engine | None = None) -> bool:
    """Delete a saved item (its owner or an admin); False when there is no such item.

    Parameters
    ----------
    object_id : int
        The item's id.
    actor : Actor
        The acting user.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    bool
        True when deleted.
    """
    t = models.SavedObject.__table__
    with writing(_engine(engine)) as conn:
        try:
            _object_for_change(conn, int(object_id), actor, "delete")
        except LookupError:
            return False
        conn.execute(delete(t).where(t.c.id == int(object_id)))
    return True


@_faults
def save_preset(*, name: str, kind: str, mapping: dict[str, str], actor: Actor, engine: Engine | None = None) -> int:
    """Save a column-mapping preset of ``actor`` (an analyst or admin). Presets are per owner: saving
    a name again replaces the actor's own preset of that name and kind, never another owner's.

    Parameters
    ----------
    name : str
        The preset's name (ValueError when empty after cleaning).
    kind : str
        The dataset kind.
    mapping : dict[str, str]
        Field -> source column.
    actor : Actor
        The acting user.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    int
        The preset's id.
    """
    require_create(actor, action="save", target="presets")
    t = models.MappingPreset.__table__
    name = clean_name(name)
    if not name:
        raise ValueError("a preset name cannot be empty")
    with writing(_engine(engine)) as conn:
        conn.execute(delete(t).where((t.c.name == name) & (t.c.kind == kind) & (t.c.owner == actor.username)))
        res = conn.execute(t.insert().values(name=name, kind=kind, mapping=json.dumps(mapping, ensure_ascii=False),
                                             owner=actor.username, created_at=datetime.now(timezone.utc)))
        return int(res.inserted_primary_key[0])


@_faults
def list_presets(*, kind: str | None = None, engine: Engine | None = None) -> list[dict]:
    """The mapping presets (of one kind), by name and owner.

    Parameters
    ----------
    kind : str | None
        A dataset kind, or None for all.
    engine : Engine | None
        Catalogue engine (None: the default).

    Returns
    -------
    list[dict]
        One dict per preset (``mapping`` parsed).
    """
    t = models.MappingPreset.__table__
    q = select(t).order_by(t.c.name, t.c.owner, t.c.id)
    if kind:
        q = q.where(t.c.kind == kind)
    with _engine(engine).connect() as conn:
        return [{**dict(r._mapping), "mapping": json.loads(r._mapping["mapping"])} for r in conn.execute(q)]


def iter_kinds() -> Iterable[str]:
    """The dataset kinds of the schema.

    Returns
    -------
    Iterable[str]
        The kinds.
    """
    return KINDS.keys()
