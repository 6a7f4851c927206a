"""Sign-in, sign-out and role checks for every page and action.

Roles: viewer (view and export), analyst (also upload, save, delete own), admin (everything, users).
The role is always read from the server-side users file, never from the browser.

How a browser stays signed in (docs/decisions.md, "Sign-in sessions"):

- streamlit-authenticator draws the sign-in form and checks the bcrypt hash. Prism wraps its controller's
  ``login`` so that, before any password is looked at, a locked username is refused (``data.users``
  counts failures per username in the users file, under its lock), and so that a successful sign-in
  opens a *server-side session*: a random token whose SHA-256 is recorded in the users file.
- The browser's cookie (``prism_auth``) holds only that token: no username, no expiry of its own that
  the server trusts. It is written and deleted by the library's CookieManager component (JavaScript:
  ``SameSite=Strict``, ``Secure`` when the app is served over HTTPS; a cookie set from JavaScript can
  never be ``HttpOnly``). The library's own JWT cookie is switched off (expiry 0, a name never set).
- Every run checks the session's token against the users file, so sign-out (which deletes the record),
  a password change, a role change or a removal (which delete all of the user's records) end the
  session in every browser, and a copied cookie signs nobody in.
- Writing or deleting the cookie is a component that must reach the browser: the operation is kept in
  the session and drawn on every run until the component reports that it ran. Nothing reruns or stops
  the script before the component has been drawn (the old sign-out's ``st.rerun()`` discarded it).
"""

from __future__ import annotations

import logging
import math
import time
from datetime import datetime, timezone
from typing import Any, Callable

import streamlit as st
import streamlit_authenticator as stauth

from components.i18n import tr
from components.ui import Markdown, say
from data import users

RANK = {"viewer": 0, "analyst": 1, "admin": 2}
ACTIONS = {"upload": "analyst", "save": "analyst", "delete": "analyst", "admin": "admin", "delete_others": "admin"}
SESSION_KEY = "prism_session"  # the signed-in session's token (server-side session state only)
_AUTH_KEYS = ("authentication_status", "username", "name", "email", "roles")
_OP_KEY = "_prism_cookie_op"  # the cookie write / delete waiting for the browser
_DEAD_KEY = "_prism_dead_cookie"  # the browser's cookie, once found revoked (not looked up again)
_NOTICE_KEY = "_prism_login_notice"
log = logging.getLogger("prism.auth")
_dummy_hash: list[str] = []


class _Locked(Exception):
    def __init__(self, until: float) -> None:
        super().__init__("locked")
        self.until = until


def _cookie_name() -> str:
    return str(users.load_config()["cookie"]["name"])


def _authenticator() -> stauth.Authenticate:
    cfg = users.load_config()
    auth = stauth.Authenticate(
        cfg["credentials"], f"{cfg['cookie']['name']}_library_jwt_unused", cfg["cookie"]["key"], 0.0,
        auto_hash=False, login_sleep_time=0,
    )
    ctrl = auth.authentication_controller
    ctrl.login = _guarded_login(ctrl.login, set(cfg["credentials"]["usernames"]))
    return auth


# --------------------------------------------------------------------------------------- the cookie

def _browser_token() -> str | None:
    """The Prism cookie the browser sent when this session connected (st.context.cookies)."""
    try:
        value = st.context.cookies.get(_cookie_name())
    except Exception:  # no browser (bare script run)
        return None
    return value if isinstance(value, str) and value else None


def _https() -> bool:
    """True when the browser reached the app over HTTPS (directly, or through a proxy that says so)."""
    try:
        url = st.context.url
        proto = st.context.headers.get("X-Forwarded-Proto")
    except Exception:
        return False
    url = url if isinstance(url, str) else ""
    proto = proto if isinstance(proto, str) else ""
    return url.lower().startswith("https://") or proto.split(",")[0].strip().lower() == "https"


def _schedule(op: str, **args: Any) -> None:
    n = int(st.session_state.get("_prism_cookie_n", 0)) + 1
    st.session_state["_prism_cookie_n"] = n
    st.session_state[_OP_KEY] = {"op": op, "key": f"prism_cookie_{op}_{n}", **args}


def _draw_cookie_op(auth: stauth.Authenticate) -> None:
    """Draw the pending cookie write / delete; forget it once the browser's component says it ran."""
    op = st.session_state.get(_OP_KEY)
    if not op:
        return
    component = auth.cookie_controller.cookie_model.cookie_manager.cookie_manager
    name = _cookie_name()
    if op["op"] == "set":
        expires = datetime.fromtimestamp(op["expires"], tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        options = {"path": "/", "expires": expires, "maxAge": max(int(op["expires"] - time.time()), 1),
                   "sameSite": "strict", "secure": _https()}
        done = component(method="set", cookie=name, value=op["token"], options=options, key=op["key"], default=False)
    else:
        done = component(method="delete", cookie=name, key=op["key"], default=False)
    if done:
        st.session_state.pop(_OP_KEY, None)


# --------------------------------------------------------------------------------------- sessions

def _start(username: str, token: str) -> None:
    user = users.load_config()["credentials"]["usernames"].get(username) or {}
    st.session_state["authentication_status"] = True
    st.session_state["username"] = username
    st.session_state["name"] = user.get("name") or username
    st.session_state["email"] = user.get("email")
    st.session_state["roles"] = user.get("roles")
    st.session_state[SESSION_KEY] = token


def _open_session(username: str) -> None:
    """A new server-side session for the signed-in user, and its cookie for the browser."""
    token, expires = users.issue_session(username)
    _start(username, token)
    _schedule("set", token=token, expires=expires)


def renew_session() -> None:
    """Keep the current browser signed in after its own user's tokens were revoked (own password change)."""
    username = st.session_state.get("username")
    if username and users.get_role(username):
        _open_session(username)
        auth = st.session_state.get("_authenticator")
        if auth is not None:  # drawn now: the browser's old cookie is already revoked
            _draw_cookie_op(auth)


def _clear() -> None:
    for k in _AUTH_KEYS:
        st.session_state[k] = None
    st.session_state.pop(SESSION_KEY, None)
    st.session_state["logout"] = True  # the library's flag: it never reads a cookie for this session again


def _end_session(notice: bool) -> None:
    """Sign this browser out: forget the session, delete the cookie (the record is gone or revoked)."""
    dead = _browser_token()
    if dead:
        st.session_state[_DEAD_KEY] = dead
    _clear()
    _schedule("delete")
    if notice:
        st.session_state[_NOTICE_KEY] = True


def _resume_from_cookie() -> bool:
    """Sign in from the browser's cookie when its server-side session is alive; a revoked one is deleted."""
    token = _browser_token()
    if not token or token == st.session_state.get(_DEAD_KEY):
        return False
    username = users.session_user(token)
    if username is None:
        st.session_state[_DEAD_KEY] = token
        _schedule("delete")
        return False
    _start(username, token)
    return True


def sign_out() -> None:
    """End this browser's session on the server and delete its cookie (button callback: runs before the
    script, so the delete is drawn by the run that follows and nothing reruns before it)."""
    users.revoke_session(st.session_state.get(SESSION_KEY))
    _end_session(False)


# --------------------------------------------------------------------------------------- sign-in

def _guarded_login(orig: Callable[..., Any], known: set[str]) -> Callable[..., Any]:
    """The library's controller ``login`` with Prism's rules around it (form sign-ins only)."""

    def login(username: str | None = None, password: str | None = None, *args: Any, token: Any = None,
              **kwargs: Any) -> bool | None:
        if token is not None or not username or not password:
            return None  # the library's JWT cookie is off; an empty form signs nobody in
        name = username.strip().lower()  # what the library compares
        users.login_limits()  # a bad setting refuses every sign-in with its one-line message
        until = users.locked_until(name)
        if until:  # before the password is looked at: the right password is refused too
            users.log_refused(name, until)
            raise _Locked(until)
        if name not in known:  # as slow as a wrong password, so the time does not tell who exists
            if not _dummy_hash:
                _dummy_hash.append(users.hash_password("prism-timing-equaliser"))
            users.check_password(password.strip(), _dummy_hash[0])
        ok = orig(username, password, *args, token=None, **kwargs)
        if ok:
            users.clear_failures(name)
            _open_session(name)
            return True
        until = users.record_failure(name)
        if until:
            raise _Locked(until)
        return ok

    return login


def current_user() -> dict[str, Any] | None:
    """The signed-in user with the role from the users file, or None.

    A session whose token was revoked (signed out elsewhere, password or role changed, user removed) is
    ended here, and its cookie deleted.
    """
    if not st.session_state.get("authentication_status"):
        return None
    username = st.session_state.get("username")
    if not username or users.session_user(st.session_state.get(SESSION_KEY)) != username:
        _end_session(True)
        return None
    role = users.get_role(username)
    if role is None:
        _end_session(True)
        return None
    return {"username": username, "name": st.session_state.get("name") or username, "role": role}


def user_error(exc: users.UserError) -> Markdown:
    """A refused account change or bad setting in the user's language, its values escaped."""
    return say(f"admin.err.{exc.code}", **exc.params)


def signed_in_user() -> dict[str, Any] | None:
    """The user of this session, or of the browser's cookie when its server-side session is alive.

    Draws nothing (app.py calls it before ``st.navigation`` to build the role's navigation)."""
    user = current_user()
    if user is None and _resume_from_cookie():
        user = current_user()
    return user


def _minutes_left(until: float) -> int:
    return max(1, math.ceil((until - time.time()) / 60))


def login_gate() -> dict[str, Any]:
    """Show the sign-in form until the user is signed in; returns the user (stops the run otherwise)."""
    auth = _authenticator()
    st.session_state["_authenticator"] = auth
    user = signed_in_user()
    if user is not None:
        _draw_cookie_op(auth)
        return user
    if st.session_state.pop(_NOTICE_KEY, None):
        st.info(tr("login.session_ended"))
    refused = False
    try:
        auth.login(location="main", key="login", fields={
            "Form name": tr("login.title"), "Username": tr("login.username"),
            "Password": tr("login.password"), "Login": tr("login.submit"), "Captcha": "Captcha",
        })
    except _Locked as exc:
        refused = True
        _, minutes = users.login_limits()
        st.error(say("login.locked", minutes=minutes, left=_minutes_left(exc.until)))
    except users.UserError as exc:  # a bad PRISM_LOGIN_* setting
        refused = True
        st.error(user_error(exc))
    except Exception as exc:  # the library raises on odd input; never show a traceback
        refused = True
        log.warning("sign-in failed with %s", type(exc).__name__)
        st.error(tr("login.failed"))
    # Drawn once per run, after the sign-in attempt (which may have replaced a pending delete by a write)
    # and before anything can stop the run.
    _draw_cookie_op(auth)
    if not refused and st.session_state.get("authentication_status") is False:
        st.error(tr("login.failed"))
    user = current_user()
    if user is None:
        st.caption(tr("login.hint"))
        st.stop()
    return user  # type: ignore[return-value]


def sign_out_button(container: Any) -> None:
    container.button(tr("sidebar.sign_out"), key="sign_out", on_click=sign_out)


def role() -> str:
    u = current_user()
    return u["role"] if u else "viewer"


def can(action: str) -> bool:
    return RANK.get(role(), 0) >= RANK[ACTIONS[action]]


def require(action: str) -> bool:
    """True when the current user may do ``action``; otherwise shows why (naming the role needed) and
    returns False."""
    if can(action):
        return True
    st.warning(denied_message(action))
    return False


def denied_message(action: str) -> str:
    """"Your role (viewer) cannot save results: this needs the analyst role. Ask an admin for it." (every
    value is catalogue text, not user text)."""
    return tr("auth.denied_needs", role=tr(f"role.{role()}"), action=tr(f"auth.action.{action}"),
              needed=tr(f"role.{ACTIONS[action]}"))


def require_page(action: str) -> None:
    """Stop the page for users without the role (e.g. the Admin page for non-admins)."""
    if not require(action):
        st.stop()
