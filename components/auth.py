"""Sign-in (streamlit-authenticator over bcrypt hashes) and role checks for every page and action.

Roles: viewer (view and export), analyst (also upload, save, delete own), admin (everything, users).
The role is always read from the server-side user file, never from the browser.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
import streamlit_authenticator as stauth

from components.i18n import tr
from data import users

RANK = {"viewer": 0, "analyst": 1, "admin": 2}
ACTIONS = {"upload": "analyst", "save": "analyst", "delete": "analyst", "admin": "admin", "delete_others": "admin"}


def _authenticator() -> stauth.Authenticate:
    cfg = users.load_config()
    return stauth.Authenticate(
        cfg["credentials"], cfg["cookie"]["name"], cfg["cookie"]["key"], float(cfg["cookie"]["expiry_days"]),
        auto_hash=False, login_sleep_time=0,
    )


def current_user() -> dict[str, Any] | None:
    if not st.session_state.get("authentication_status"):
        return None
    username = st.session_state.get("username")
    role = users.get_role(username)
    if role is None:  # user removed since the session signed in
        return None
    return {"username": username, "name": st.session_state.get("name") or username, "role": role}


def login_gate() -> dict[str, Any]:
    """Show the sign-in form until the user is signed in; returns the user (stops the run otherwise)."""
    auth = _authenticator()
    st.session_state["_authenticator"] = auth
    user = current_user()
    if user is not None:
        return user
    try:
        auth.login(location="main", key="login", fields={
            "Form name": tr("login.title"), "Username": tr("login.username"),
            "Password": tr("login.password"), "Login": tr("login.submit"), "Captcha": "Captcha",
        })
    except Exception as exc:  # the library raises on odd input; never show a traceback
        st.error(tr("login.failed"))
        st.session_state["_login_error"] = type(exc).__name__
    if st.session_state.get("authentication_status") is False:
        st.error(tr("login.failed"))
    user = current_user()
    if user is None:
        st.caption(tr("login.hint"))
        st.stop()
    return user  # type: ignore[return-value]


def sign_out_button(container: Any) -> None:
    if container.button(tr("sidebar.sign_out"), key="sign_out"):
        auth = st.session_state.get("_authenticator") or _authenticator()
        auth.logout(location="unrendered")
        for k in ("authentication_status", "username", "name", "roles"):
            st.session_state[k] = None
        st.rerun()


def role() -> str:
    u = current_user()
    return u["role"] if u else "viewer"


def can(action: str) -> bool:
    return RANK.get(role(), 0) >= RANK[ACTIONS[action]]


def require(action: str) -> bool:
    """True when the current user may do ``action``; otherwise shows why and returns False."""
    if can(action):
        return True
    st.warning(tr("auth.denied", role=tr(f"role.{role()}"), action=tr(f"auth.action.{action}")))
    return False


def require_page(action: str) -> None:
    """Stop the page for users without the role (e.g. the Admin page for non-admins)."""
    if not require(action):
        st.stop()
