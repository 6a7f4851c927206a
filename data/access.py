"""Who may change what: the rule the repository applies where every write happens.

Roles (:data:`ROLES`, also ``data.users.ROLES``): a viewer changes nothing; an analyst uploads, and appends to, replaces,
renames and deletes only what they uploaded (datasets, saved items, their own mapping presets); an admin
may do all. The Data page, the other pages and the command line all reach the same functions in
``data.repository``, which call :func:`require_change` inside the write transaction, so every door gives
the same answer. Hiding a control is a courtesy, not the check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from data.errors import NotAllowed

ROLES = ("viewer", "analyst", "admin")  # here, not in data.users: the command line needs no bcrypt or YAML for them

RANK = {"viewer": 0, "analyst": 1, "admin": 2}


@dataclass(frozen=True)
class Actor:
    """The acting user and the role read from the users file (never from the browser)."""

    username: str
    role: str

    @property
    def rank(self) -> int:
        """The role's rank (viewer < analyst < admin; an unknown role ranks as a viewer).

        Returns
        -------
        int
            The rank.
        """
        return RANK.get(self.role, 0)  # an unknown role counts as a viewer


SYSTEM = Actor("system", "admin")  # maintenance paths only (the demo workspace, tests, migrations)


def may_create(actor: Actor) -> bool:
    """Whether the actor may create (an analyst or admin with a username).

    Parameters
    ----------
    actor : Actor
        The acting user.

    Returns
    -------
    bool
        True when allowed.
    """
    return actor.rank >= RANK["analyst"] and bool(actor.username)


def may_change(actor: Actor, owner: str | None) -> bool:
    """An admin changes anything; an analyst only what ``owner`` (the original uploader) is them.

    Parameters
    ----------
    actor : Actor
        The acting user.
    owner : str | None
        The target's owner, or None.

    Returns
    -------
    bool
        True when allowed.
    """
    if actor.rank >= RANK["admin"]:
        return True
    return actor.rank >= RANK["analyst"] and bool(actor.username) and (owner or "") == actor.username


def require_create(actor: Actor, *, action: str, target: str) -> None:
    """Raise :class:`NotAllowed` unless ``actor`` may create (upload a dataset, save an item or a preset).

    Parameters
    ----------
    actor : Actor
        The acting user.
    action : str
        What is attempted (for the message).
    target : str
        What it is attempted on.
    """
    if not may_create(actor):
        raise NotAllowed("role", user=actor.username, role=actor.role, action=action, target=target, need="analyst")


def require_change(actor: Actor, *, owner: str | None, action: str, target: str, target_id: int | None = None,
                   target_name: str = "") -> None:
    """Raise :class:`NotAllowed` unless ``actor`` may change a target owned by ``owner``.

    Parameters
    ----------
    actor : Actor
        The acting user.
    owner : str | None
        The target's owner, or None.
    action : str
        What is attempted.
    target : str
        The kind of target.
    target_id : int | None
        The target's id, or None.
    target_name : str
        The target's name.
    """
    if may_change(actor, owner):
        return
    if actor.rank < RANK["analyst"]:
        raise NotAllowed("role", user=actor.username, role=actor.role, action=action, target=target,
                         target_id=target_id, target_name=target_name, owner=owner or "", need="analyst")
    raise NotAllowed("owner", user=actor.username, role=actor.role, action=action, target=target,
                     target_id=target_id, target_name=target_name, owner=owner or "", need="admin")


def actor_for(username: str, *, path: Path | None = None) -> Actor:
    """The actor for a user of the users file (the command line's ``--user``); unknown users are refused.

    Parameters
    ----------
    username : str
        The user's name.
    path : Path | None
        The users file (None: the configured one).

    Returns
    -------
    Actor
        The actor.
    """
    from data import users

    role = users.get_role(username, path)
    if role is None:
        raise NotAllowed("unknown_user", user=username, path=str(path or users.config_path()))
    return Actor(username, role)
