"""Users and the sign-in configuration (streamlit-authenticator's YAML), without Streamlit.

The file lives at ``AUTH_CONFIG`` (default ``data/auth.yaml``, git-ignored) and holds bcrypt hashes
only. The cookie key is random per install (48 bytes, URL-safe) and never in the repository; no
password has a default: the first admin's comes from ``PRISM_ADMIN_PASSWORD`` or is generated and
printed once.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any

import bcrypt
import yaml

ROLES = ("viewer", "analyst", "admin")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{2,40}$")
MIN_PASSWORD = 8
COOKIE_NAME = "prism_auth"


class UserError(ValueError):
    pass


def config_path() -> Path:
    return Path(os.environ.get("AUTH_CONFIG") or Path(__file__).resolve().parent / "auth.yaml")


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12)).decode("ascii")


def check_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), hashed.encode("ascii"))
    except ValueError:
        return False


def _new_config() -> dict[str, Any]:
    return {
        "credentials": {"usernames": {}},
        "cookie": {"name": COOKIE_NAME, "key": secrets.token_urlsafe(48), "expiry_days": 7},
    }


def load_config(path: Path | None = None) -> dict[str, Any]:
    path = path or config_path()
    if not path.exists():
        return _new_config()
    with path.open(encoding="utf-8") as fh:
        cfg = yaml.safe_load(fh) or {}
    cfg.setdefault("credentials", {}).setdefault("usernames", {})
    cfg.setdefault("cookie", {})
    cfg["cookie"].setdefault("name", COOKIE_NAME)
    cfg["cookie"].setdefault("expiry_days", 7)
    if not cfg["cookie"].get("key") or len(str(cfg["cookie"]["key"])) < 32:
        cfg["cookie"]["key"] = secrets.token_urlsafe(48)
    return cfg


def save_config(cfg: dict[str, Any], path: Path | None = None) -> None:
    """Write atomically, readable by the owner only."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".auth-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yaml.safe_dump(cfg, fh, allow_unicode=True, sort_keys=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _validate(username: str, role: str | None = None, password: str | None = None) -> None:
    if not USERNAME_RE.match(username or ""):
        raise UserError("username: 2-40 letters, digits, '.', '_' or '-'")
    if role is not None and role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if password is not None and len(password) < MIN_PASSWORD:
        raise UserError(f"password must have at least {MIN_PASSWORD} characters")


def list_users(path: Path | None = None) -> list[dict[str, str]]:
    cfg = load_config(path)
    return [
        {"username": u, "name": d.get("name", u), "role": role_of(d)}
        for u, d in sorted(cfg["credentials"]["usernames"].items())
    ]


def role_of(user: dict[str, Any] | None) -> str:
    roles = (user or {}).get("roles") or []
    for r in ("admin", "analyst", "viewer"):
        if r in roles:
            return r
    return "viewer"


def get_role(username: str | None, path: Path | None = None) -> str | None:
    if not username:
        return None
    user = load_config(path)["credentials"]["usernames"].get(username)
    return role_of(user) if user is not None else None


def add_user(username: str, *, role: str, password: str, name: str | None = None, path: Path | None = None) -> None:
    _validate(username, role, password)
    cfg = load_config(path)
    users = cfg["credentials"]["usernames"]
    if username in users:
        raise UserError(f"user {username!r} already exists")
    users[username] = {
        "name": name or username,
        "email": f"{username}@prism.local",
        "password": hash_password(password),
        "roles": [role],
        "failed_login_attempts": 0,
        "logged_in": False,
    }
    save_config(cfg, path)


def set_password(username: str, password: str, path: Path | None = None) -> None:
    _validate(username, None, password)
    cfg = load_config(path)
    user = cfg["credentials"]["usernames"].get(username)
    if user is None:
        raise UserError(f"no user {username!r}")
    user["password"] = hash_password(password)
    save_config(cfg, path)


def set_role(username: str, role: str, path: Path | None = None) -> None:
    _validate(username, role)
    cfg = load_config(path)
    user = cfg["credentials"]["usernames"].get(username)
    if user is None:
        raise UserError(f"no user {username!r}")
    if role != "admin" and role_of(user) == "admin":
        admins = [u for u, d in cfg["credentials"]["usernames"].items() if role_of(d) == "admin"]
        if admins == [username]:
            raise UserError("the last admin cannot lose the admin role")
    user["roles"] = [role]
    save_config(cfg, path)


def remove_user(username: str, path: Path | None = None) -> None:
    cfg = load_config(path)
    users = cfg["credentials"]["usernames"]
    if username not in users:
        raise UserError(f"no user {username!r}")
    if role_of(users[username]) == "admin" and sum(role_of(d) == "admin" for d in users.values()) == 1:
        raise UserError("the last admin cannot be removed")
    del users[username]
    save_config(cfg, path)


def ensure_admin(path: Path | None = None) -> str | None:
    """Create the config and a first admin when there is none.

    Returns the generated password (to print once) when one was generated, else None.
    """
    path = path or config_path()
    cfg = load_config(path)
    if not path.exists():
        save_config(cfg, path)  # fixes the random cookie key for this install
    if any(role_of(d) == "admin" for d in cfg["credentials"]["usernames"].values()):
        return None
    given = os.environ.get("PRISM_ADMIN_PASSWORD")
    password = given or secrets.token_urlsafe(12)
    add_user("admin", role="admin", password=password, name="Administrator", path=path)
    return None if given else password
