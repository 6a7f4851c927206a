"""Users, sign-in sessions and sign-in limits, without Streamlit.

The users file lives at ``AUTH_CONFIG`` (default ``data/auth.yaml``, git-ignored, mode 0600). It is
streamlit-authenticator's YAML (``credentials``, ``cookie``) plus two sections of Prism's own:

``sessions``
    one record per signed-in browser: ``sha256(token) -> {user, issued, expires}``. The browser's cookie
    holds only the random token (never a username or a hash); the file holds only its SHA-256, so a copy
    of the file signs nobody in. Sign-out deletes the record; a password change, a role change or a
    removal deletes every record of that user, so a copied cookie stops working at once.
``login_failures``
    ``username -> {times: [...], locked_until}``: after ``PRISM_LOGIN_MAX_FAILURES`` (5) failures within
    ``PRISM_LOGIN_LOCK_MINUTES`` (15) the username is refused for that many minutes, checked before any
    password is looked at.

Every read-modify-write holds an exclusive ``fcntl.flock`` on the sibling ``<file>.lock`` and replaces the
file atomically (``mkstemp`` + ``os.replace``), so concurrent processes (the app's sessions, several
``python -m data users ...``) never lose each other's updates; readers need no lock.

Usernames are lowercase (the sign-in library lowercases what is typed, so ``Ana`` could never sign in);
passwords have 8 to 72 bytes (bcrypt's limit), no surrounding spaces (the library strips them), are not
the username and not on a short list of the most common passwords. The first admin's password comes from
``PRISM_ADMIN_PASSWORD`` or is generated and printed once; a bad one is refused before anything is written.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import secrets
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import bcrypt
import yaml

from data.access import ROLES  # noqa: F401 - the roles, defined beside the rule that reads them

USERNAME_RE = re.compile(r"^[a-z0-9_.\-]{2,40}$")
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72  # bcrypt's limit
COOKIE_NAME = "prism_auth"
MAX_TRACKED_USERNAMES = 1000  # sign-in failures kept for at most this many usernames (typed, existing or not)

# The most common passwords of 8+ characters in public breach lists (shorter ones fail the length rule),
# plus the obvious ones for this product. Compared case-insensitively.
COMMON_PASSWORDS = frozenset("""
password password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword pa$$word
12345678 123456789 1234567890 0123456789 987654321 9876543210 87654321 12341234 11223344 12344321
11111111 00000000 22222222 55555555 66666666 88888888 99999999 123123123 123456123 147258369 741852963
qwertyui qwertyuiop qwerty12 qwerty123 qwerty1234 1qaz2wsx 1q2w3e4r 1q2w3e4r5t 1qazxsw2 zaq12wsx
q1w2e3r4 qwer1234 asdfghjk asdfasdf asdf1234 zxcvbnm1 zxcvbnm123 abcd1234 abc12345 abcdefgh a1234567
a12345678 a123456789 aa123456 aa12345678 qq123456 123qweasd qweasdzxc 1234qwer 5201314520 woaini1314
iloveyou iloveyou1 sunshine princess football baseball basketball superman batman123 starwars
welcome1 welcome123 letmein1 letmein123 trustno1 whatever dragon123 monkey123 master123 shadow123
michael1 jennifer computer internet changeme changeme1 default1 secret123 freedom1 mustang1
admin123 admin1234 administrator root1234 test1234 testtest guest123 user1234 login123 prism123
prismprism marketing analytics
""".split())

log = logging.getLogger("prism.auth")
T = TypeVar("T")


class UserError(ValueError):
    """A refused account change or a bad setting; ``str(e)`` is a one-line English message.

    ``code`` and ``params`` let the app show the same message in the user's language
    (``ui.admin.err.<code>``).
    """

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


# ---------------------------------------------------------------------------------------------- files

def config_path() -> Path:
    """The users file: ``AUTH_CONFIG``, else data/auth.yaml.

    Returns
    -------
    Path
        The path.
    """
    return Path(os.environ.get("AUTH_CONFIG") or Path(__file__).resolve().parent / "auth.yaml")


def lock_path(path: Path | None = None) -> Path:
    """The lock file beside the users file.

    Parameters
    ----------
    path : Path | None
        The users file (None: :func:`config_path`).

    Returns
    -------
    Path
        The path.
    """
    path = path or config_path()
    return path.with_name(path.name + ".lock")


def hash_password(password: str) -> str:
    """A bcrypt hash of a password (12 rounds).

    Parameters
    ----------
    password : str
        The password.

    Returns
    -------
    str
        The hash.
    """
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12)).decode("ascii")


def check_password(password: str, hashed: str) -> bool:
    """Whether a password matches a bcrypt hash (False for a malformed hash or a password over 72 bytes).

    Parameters
    ----------
    password : str
        The password.
    hashed : str
        The hash.

    Returns
    -------
    bool
        True when it matches.
    """
    try:
        return bcrypt.checkpw(password.encode("utf-8"), hashed.encode("ascii"))
    except ValueError:  # not a bcrypt hash, or a password over 72 bytes
        return False


def _new_config() -> dict[str, Any]:
    return {
        "credentials": {"usernames": {}},
        "cookie": {"name": COOKIE_NAME, "key": secrets.token_urlsafe(48), "expiry_days": 7},
        "sessions": {},
        "login_failures": {},
    }


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The users file with every section filled in (a new config when the file does not exist; a cookie key of at
    least 32 characters).

    Parameters
    ----------
    path : Path | None
        The users file (None: :func:`config_path`).

    Returns
    -------
    dict[str, Any]
        The config.
    """
    path = path or config_path()
    if not path.exists():
        return _new_config()
    with path.open(encoding="utf-8") as fh:
        cfg = yaml.load(fh, Loader=_Loader) or {}  # noqa: S506 (a safe loader)
    cfg.setdefault("credentials", {}).setdefault("usernames", {})
    if cfg["credentials"]["usernames"] is None:
        cfg["credentials"]["usernames"] = {}
    cfg.setdefault("cookie", {})
    cfg["cookie"].setdefault("name", COOKIE_NAME)
    cfg["cookie"].setdefault("expiry_days", 7)
    if not cfg["cookie"].get("key") or len(str(cfg["cookie"]["key"])) < 32:
        cfg["cookie"]["key"] = secrets.token_urlsafe(48)
    cfg["sessions"] = cfg.get("sessions") or {}
    cfg["login_failures"] = cfg.get("login_failures") or {}
    return cfg


def save_config(cfg: dict[str, Any], path: Path | None = None) -> None:
    """Write atomically, readable by the owner only (callers hold :func:`locked`).

    Parameters
    ----------
    cfg : dict[str, Any]
        The config.
    path : Path | None
        The users file (None: :func:`config_path`).
    """
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".auth-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yaml.dump(cfg, fh, Dumper=_Dumper, allow_unicode=True, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def locked(path: Path | None = None) -> Iterator[Path]:
    """Hold the exclusive lock of the users file (a sibling ``.lock`` file) for a read-modify-write.

    Not re-entrant: a function that holds it calls only the ``_``-prefixed helpers that work on a loaded
    config.

    Parameters
    ----------
    path : Path | None
        The users file (None: :func:`config_path`).
    """
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _update(change: Callable[[dict[str, Any]], T], path: Path | None = None) -> T:
    """Load, apply ``change`` to the config and save, all under the lock; returns what ``change`` returns.

    Nothing is written when ``change`` raises.
    """
    with locked(path) as p:
        cfg = load_config(p)
        result = change(cfg)
        save_config(cfg, p)
    return result


# ----------------------------------------------------------------------------------------------- rules

def validate_username(username: str) -> None:
    """Refuse a username with spaces around it, capitals, or outside 2-40 lowercase letters, digits, '.', '_',
    '-' (UserError naming the rule).

    Parameters
    ----------
    username : str
        The username.
    """
    if username and username != username.strip():
        raise UserError("username_space", f"username {username!r}: no spaces before or after it", username=username)
    if username and USERNAME_RE.match(username.lower()) and username != username.lower():
        raise UserError("username_case",
                        f"username {username!r}: use lowercase letters ({username.lower()!r}); sign-in does not "
                        "tell capitals apart", username=username, lower=username.lower())
    if not USERNAME_RE.match(username or ""):
        raise UserError("username_format", "username: 2-40 lowercase letters, digits, '.', '_' or '-'")


def validate_password(password: str, username: str = "") -> None:
    """Refuse passwords that cannot sign in or are easy to guess (each with its reason).

    Parameters
    ----------
    password : str
        The password.
    username : str
        The username (the password must not equal it).
    """
    if password != password.strip():
        raise UserError("password_space", "password must not start or end with a space (sign-in ignores them)")
    if len(password) < MIN_PASSWORD:
        raise UserError("password_short", f"password must have at least {MIN_PASSWORD} characters", n=MIN_PASSWORD)
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise UserError("password_long", f"password must have at most {MAX_PASSWORD_BYTES} bytes (bcrypt's limit)",
                        n=MAX_PASSWORD_BYTES)
    if username and password.casefold() == username.casefold():
        raise UserError("password_username", "password must not be the username")
    if password.casefold() in COMMON_PASSWORDS:
        raise UserError("password_common", "password is one of the most common passwords: choose another")


def _validate(username: str, role: str | None = None, password: str | None = None) -> None:
    validate_username(username)
    if role is not None and role not in ROLES:
        raise UserError("role", f"role must be one of {', '.join(ROLES)}", roles=", ".join(ROLES))
    if password is not None:
        validate_password(password, username)


# ----------------------------------------------------------------------------------------------- users

def list_users(path: Path | None = None) -> list[dict[str, str]]:
    """Every user, by username.

    Parameters
    ----------
    path : Path | None
        The users file (None: :func:`config_path`).

    Returns
    -------
    list[dict[str, str]]
        ``username``, ``name``, ``role`` per user.
    """
    cfg = load_config(path)
    return [
        {"username": u, "name": d.get("name", u), "role": role_of(d)}
        for u, d in sorted(cfg["credentials"]["usernames"].items())
    ]


def role_of(user: dict[str, Any] | None) -> str:
    """A user's role: admin, analyst or viewer (viewer when none is given).

    Parameters
    ----------
    user : dict[str, Any] | None
        The user's record, or None.

    Returns
    -------
    str
        The role.
    """
    roles = (user or {}).get("roles") or []
    for r in ("admin", "analyst", "viewer"):
        if r in roles:
            return r
    return "viewer"


def get_role(username: str | None, path: Path | None = None) -> str | None:
    """The role of a username, or None for no username or an unknown one.

    Parameters
    ----------
    username : str | None
        The username, or None.
    path : Path | None
        The users file (None: :func:`config_path`).

    Returns
    -------
    str | None
        The role, or None.
    """
    if not username:
        return None
    user = load_config(path)["credentials"]["usernames"].get(username)
    return role_of(user) if user is not None else None


def _user(cfg: dict[str, Any], username: str) -> dict[str, Any]:
    user = cfg["credentials"]["usernames"].get(username)
    if user is None:
        raise UserError("no_user", f"no user {username!r}", username=username)
    return user


def _add(cfg: dict[str, Any], username: str, role: str, hashed: str, name: str | None) -> None:
    users = cfg["credentials"]["usernames"]
    if username in users:
        raise UserError("exists", f"user {username!r} already exists", username=username)
    users[username] = {
        "name": name or username,
        "email": f"{username}@prism.local",
        "password": hashed,
        "roles": [role],
        "failed_login_attempts": 0,
        "logged_in": False,
    }


def _revoke_user(cfg: dict[str, Any], username: str) -> int:
    """Delete every sign-in session of ``username``; returns how many."""
    dead = [h for h, s in cfg["sessions"].items() if (s or {}).get("user") == username]
    for h in dead:
        del cfg["sessions"][h]
    return len(dead)


def add_user(username: str, *, role: str, password: str, name: str | None = None, path: Path | None = None) -> None:
    """Add a user (UserError for a bad username, role or password, or one that exists).

    Parameters
    ----------
    username : str
        The username.
    role : str
        The role.
    password : str
        The password.
    name : str | None
        The display name (None: the username).
    path : Path | None
        The users file (None: :func:`config_path`).
    """
    _validate(username, role, password)
    hashed = hash_password(password)  # the slow part, outside the lock
    _update(lambda cfg: _add(cfg, username, role, hashed, name), path)


def set_password(username: str, password: str, path: Path | None = None) -> None:
    """Change the password and end every session of the user (their cookies stop working).

    Parameters
    ----------
    username : str
        The username.
    password : str
        The new password.
    path : Path | None
        The users file (None: :func:`config_path`).
    """
    _validate(username, None, password)
    hashed = hash_password(password)

    def change(cfg: dict[str, Any]) -> None:
        _user(cfg, username)["password"] = hashed
        _revoke_user(cfg, username)

    _update(change, path)


def set_role(username: str, role: str, path: Path | None = None) -> None:
    """Change the role and end every session of the user.

    Parameters
    ----------
    username : str
        The username.
    role : str
        The new role.
    path : Path | None
        The users file (None: :func:`config_path`).
    """
    if role not in ROLES:
        raise UserError("role", f"role must be one of {', '.join(ROLES)}", roles=", ".join(ROLES))

    def change(cfg: dict[str, Any]) -> None:
        user = _user(cfg, username)
        if role != "admin" and role_of(user) == "admin":
            admins = [u for u, d in cfg["credentials"]["usernames"].items() if role_of(d) == "admin"]
            if admins == [username]:
                raise UserError("last_admin_role", "the last admin cannot lose the admin role")
        user["roles"] = [role]
        _revoke_user(cfg, username)

    _update(change, path)


def remove_user(username: str, path: Path | None = None) -> None:
    """Remove the user and every session of theirs.

    Parameters
    ----------
    username : str
        The username.
    path : Path | None
        The users file (None: :func:`config_path`).
    """

    def change(cfg: dict[str, Any]) -> None:
        users = cfg["credentials"]["usernames"]
        user = _user(cfg, username)
        if role_of(user) == "admin" and sum(role_of(d) == "admin" for d in users.values()) == 1:
            raise UserError("last_admin_remove", "the last admin cannot be removed")
        del users[username]
        _revoke_user(cfg, username)
        cfg["login_failures"].pop(username, None)

    _update(change, path)


def admin_password_setting() -> str | None:
    """``PRISM_ADMIN_PASSWORD`` when set, checked by the password rules (UserError naming it otherwise).

    Returns
    -------
    str | None
        The password, or None.
    """
    given = os.environ.get("PRISM_ADMIN_PASSWORD")
    if not given:
        return None
    try:
        validate_password(given, "admin")
    except UserError as exc:
        raise UserError(exc.code, f"PRISM_ADMIN_PASSWORD: {exc}", **exc.params) from None
    return given


def ensure_admin(path: Path | None = None) -> str | None:
    """Create the users file and a first admin when there is none.

    Returns the generated password (to print once) when one was generated, else None. A bad
    ``PRISM_ADMIN_PASSWORD`` raises :class:`UserError` naming it before anything is written.

    Parameters
    ----------
    path : Path | None
        The users file (None: :func:`config_path`).

    Returns
    -------
    str | None
        The generated password, or None.
    """
    path = path or config_path()
    if path.exists() and any(role_of(d) == "admin" for d in load_config(path)["credentials"]["usernames"].values()):
        return None  # PRISM_ADMIN_PASSWORD only matters for the first admin
    given = admin_password_setting()
    password = given or secrets.token_urlsafe(12)
    hashed = hash_password(password)  # outside the lock; the lock re-checks that there is still no admin

    def change(cfg: dict[str, Any]) -> str | None:
        if any(role_of(d) == "admin" for d in cfg["credentials"]["usernames"].values()):
            return None
        _add(cfg, "admin", "admin", hashed, "Administrator")
        return None if given else password

    return _update(change, path)


# -------------------------------------------------------------------------------------------- sessions

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _prune_sessions(cfg: dict[str, Any], now: float) -> None:
    users = cfg["credentials"]["usernames"]
    for h in [h for h, s in cfg["sessions"].items()
              if not isinstance(s, dict) or s.get("expires", 0) <= now or s.get("user") not in users]:
        del cfg["sessions"][h]


def session_days(path: Path | None = None) -> float:
    """Days a sign-in session lasts (the cookie's ``expiry_days``; 7 when unset or not positive).

    Parameters
    ----------
    path : Path | None
        The users file (None: :func:`config_path`).

    Returns
    -------
    float
        The days.
    """
    try:
        days = float(load_config(path)["cookie"].get("expiry_days", 7))
    except (TypeError, ValueError):
        days = 7.0
    return days if days > 0 else 7.0


def issue_session(username: str, path: Path | None = None) -> tuple[str, float]:
    """A new sign-in session for ``username``: returns ``(token, expires_at)``; the file keeps its hash only.

    Parameters
    ----------
    username : str
        The username.
    path : Path | None
        The users file (None: :func:`config_path`).

    Returns
    -------
    tuple[str, float]
        (token, expiry in epoch seconds).
    """
    token = secrets.token_urlsafe(32)
    now = time.time()

    def change(cfg: dict[str, Any]) -> float:
        _user(cfg, username)
        days = float(cfg["cookie"].get("expiry_days") or 7)
        expires = now + (days if days > 0 else 7) * 86400
        _prune_sessions(cfg, now)
        cfg["sessions"][_digest(token)] = {"user": username, "issued": round(now, 3), "expires": round(expires, 3)}
        return expires

    return token, _update(change, path)


def session_user(token: str | None, path: Path | None = None) -> str | None:
    """The username a token signs in, or None (unknown, revoked, expired, or the user is gone).

    Parameters
    ----------
    token : str | None
        The session token, or None.
    path : Path | None
        The users file (None: :func:`config_path`).

    Returns
    -------
    str | None
        The username, or None.
    """
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    cfg = load_config(path)
    s = cfg["sessions"].get(_digest(token))
    if not isinstance(s, dict) or float(s.get("expires", 0)) <= time.time():
        return None
    user = s.get("user")
    return user if user in cfg["credentials"]["usernames"] else None


def revoke_session(token: str | None, path: Path | None = None) -> bool:
    """End one session (sign-out); True when it existed.

    Parameters
    ----------
    token : str | None
        The session token, or None.
    path : Path | None
        The users file (None: :func:`config_path`).

    Returns
    -------
    bool
        True when it existed.
    """
    if not token:
        return False
    digest = _digest(token)
    if digest not in load_config(path)["sessions"]:
        return False
    return _update(lambda cfg: cfg["sessions"].pop(digest, None) is not None, path)


def revoke_user_sessions(username: str, path: Path | None = None) -> int:
    """End every session of a user.

    Parameters
    ----------
    username : str
        The username.
    path : Path | None
        The users file (None: :func:`config_path`).

    Returns
    -------
    int
        Sessions ended.
    """
    return _update(lambda cfg: _revoke_user(cfg, username), path)


# --------------------------------------------------------------------------------------- sign-in limits

LIMIT_SETTINGS = {"max_failures": ("PRISM_LOGIN_MAX_FAILURES", 5, 1, 1000),
                  "lock_minutes": ("PRISM_LOGIN_LOCK_MINUTES", 15, 1, 10080)}


def login_limits() -> tuple[int, int]:
    """``(max_failures, lock_minutes)`` from the environment; a bad value raises a one-line UserError.

    Returns
    -------
    tuple[int, int]
        (max_failures, lock_minutes).
    """
    values = []
    for env, default, low, high in LIMIT_SETTINGS.values():
        raw = os.environ.get(env)
        if raw is None or not raw.strip():
            values.append(default)
            continue
        try:
            value = int(raw.strip())
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise UserError("setting", f"the setting {env}={raw.strip()!r} is not a whole number from {low} to "
                            f"{high:,}; fix or unset it (default {default})",
                            env=env, value=raw.strip(), low=low, high=high, default=default)
        values.append(value)
    return values[0], values[1]


def _failure_key(username: str) -> str:
    """Where a typed username's failures are counted: itself when it could be a username, else a short hash
    (a 10,000-character or control-character "username" is never written to the file or the log as is)."""
    if USERNAME_RE.match(username):
        return username
    return "~" + hashlib.sha256(username.encode("utf-8", "replace")).hexdigest()[:16]


def _failure_record(cfg: dict[str, Any], username: str) -> dict[str, Any]:
    rec = cfg["login_failures"].get(_failure_key(username))
    return rec if isinstance(rec, dict) else {}


def locked_until(username: str, path: Path | None = None, *, now: float | None = None) -> float | None:
    """When the username's sign-in lock ends (epoch seconds), or None when it may sign in now.

    Parameters
    ----------
    username : str
        The username.
    path : Path | None
        The users file (None: :func:`config_path`).
    now : float | None
        The time (None: now).

    Returns
    -------
    float | None
        The lock's end, or None.
    """
    now = time.time() if now is None else now
    until = _failure_record(load_config(path), username).get("locked_until")
    return float(until) if until and float(until) > now else None


def _prune_failures(cfg: dict[str, Any], now: float, window: float) -> None:
    fails = cfg["login_failures"]
    for name in list(fails):
        rec = fails[name] if isinstance(fails[name], dict) else {}
        rec["times"] = [t for t in rec.get("times") or [] if now - float(t) < window]
        if rec.get("locked_until") and float(rec["locked_until"]) <= now:
            rec.pop("locked_until")
            rec["times"] = []
        if not rec["times"] and not rec.get("locked_until"):
            del fails[name]
        else:
            fails[name] = rec
    if len(fails) > MAX_TRACKED_USERNAMES:  # a spray of invented usernames must not grow the file without end
        keep = sorted(fails, key=lambda n: max([float(t) for t in fails[n].get("times") or [0]]
                                               + [float(fails[n].get("locked_until") or 0)]), reverse=True)
        for name in keep[MAX_TRACKED_USERNAMES:]:
            del fails[name]


def record_failure(username: str, path: Path | None = None, *, now: float | None = None) -> float | None:
    """Count a failed sign-in for ``username`` (logged, without the password); returns the lock's end when
    this failure locks the username, else None.

    Parameters
    ----------
    username : str
        The username.
    path : Path | None
        The users file (None: :func:`config_path`).
    now : float | None
        The time (None: now).

    Returns
    -------
    float | None
        The lock's end, or None.
    """
    max_failures, lock_minutes = login_limits()
    now = time.time() if now is None else now
    window = lock_minutes * 60.0
    username = _failure_key(username)

    def change(cfg: dict[str, Any]) -> tuple[float | None, int]:
        _prune_failures(cfg, now, window)
        rec = cfg["login_failures"].setdefault(username, {"times": []})
        rec.setdefault("times", []).append(round(now, 3))
        if len(rec["times"]) >= max_failures and not rec.get("locked_until"):
            rec["locked_until"] = round(now + window, 3)
            return rec["locked_until"], len(rec["times"])
        return None, len(rec["times"])

    until, count = _update(change, path)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(now))
    log.warning("failed sign-in for username %r at %s (%d within %d min)", username, stamp, count, lock_minutes)
    if until:
        log.warning("username %r locked for %d min after %d failed sign-ins, until %s", username, lock_minutes,
                    count, time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(until)))
    return until


def clear_failures(username: str, path: Path | None = None) -> None:
    """Clear a username's failed sign-ins and lock.

    Parameters
    ----------
    username : str
        The username.
    path : Path | None
        The users file (None: :func:`config_path`).
    """
    username = _failure_key(username)
    if username in load_config(path)["login_failures"]:
        _update(lambda cfg: cfg["login_failures"].pop(username, None), path)


def log_refused(username: str, until: float) -> None:
    """Log a sign-in refused for a locked username (never the password).

    Parameters
    ----------
    username : str
        The username.
    until : float
        The lock's end (epoch seconds).
    """
    log.warning("sign-in refused for locked username %r at %s (locked until %s)", _failure_key(username),
                time.strftime("%Y-%m-%dT%H:%M:%S%z"), time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(until)))
