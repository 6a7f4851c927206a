"""Sign-in sessions in the app: sign-out that signs out, revoked cookies, the sign-in lock, account rules.

The browser's cookie is what st.context.cookies gives a new session; AppTest cannot seed it, so
``components.auth._browser_token`` (the one place that reads it) is replaced by the cookie of the test.
"""

from __future__ import annotations

import json

import pytest

from tests.app.conftest import PASSWORDS, make_app, texts


def _sign_in(at, user, password):
    at.text_input[0].input(user)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def cookie_ops(at) -> list[dict]:
    """The cookie writes / deletes drawn by the run (the CookieManager component, its getAll aside)."""
    out = []
    for c in at.get("component_instance"):
        if c.proto.component_name.endswith("cookie_manager"):
            args = json.loads(c.proto.json_args)
            if args.get("method") != "getAll":
                out.append(args)
    return out


def signed_in(at) -> bool:
    return any("Signed in as" in str(c.value) for c in at.sidebar.caption)


def _user(name: str, role: str = "analyst") -> str:
    from data import users

    if users.get_role(name) is None:
        users.add_user(name, role=role, password=f"{name}-pass-123")
    users.clear_failures(name)
    return f"{name}-pass-123"


@pytest.fixture()
def browser_cookie(monkeypatch):
    """Set ``browser_cookie["token"]`` to what the browser sends when a new session connects."""
    from components import auth

    jar: dict = {"token": None}
    monkeypatch.setattr(auth, "_browser_token", lambda: jar["token"])
    return jar


def test_sign_in_writes_a_strict_cookie_holding_only_a_random_token(workspace):
    from data import users

    at = _sign_in(make_app(None).run(), "ana", PASSWORDS["ana"])
    assert not at.exception and signed_in(at)
    token = at.session_state["prism_session"]
    [op] = cookie_ops(at)
    assert op["method"] == "set" and op["cookie"] == "prism_auth" and op["value"] == token
    assert op["options"]["sameSite"] == "strict" and op["options"]["path"] == "/"
    assert op["options"]["secure"] is False  # plain http here
    assert op["options"]["maxAge"] > 6.9 * 86400
    assert "ana" not in token and len(token) >= 40  # opaque: no username, nothing the server trusts but its record
    assert users.session_user(token) == "ana"
    assert token not in workspace["dir"].joinpath("auth.yaml").read_text()  # the file keeps its hash only


def test_the_cookie_is_secure_when_the_app_is_served_over_https(workspace):
    at = make_app(None)
    at.context = {"url": "https://prism.example.com/"}
    at = _sign_in(at.run(), "ana", PASSWORDS["ana"])
    [op] = cookie_ops(at)
    assert op["method"] == "set" and op["options"]["secure"] is True


def test_sign_out_deletes_the_cookie_in_that_run_and_revokes_the_token(workspace, browser_cookie):
    """The old sign-out reran right after the logout, so the cookie's delete never reached the browser and
    a reload signed the same browser back in; the token also stayed valid for 7 days."""
    from data import users

    pw = _user("sofia")
    at = _sign_in(make_app(None).run(), "sofia", pw)
    token = at.session_state["prism_session"]
    [b] = [b for b in at.sidebar.button if b.key == "sign_out"]
    b.click()
    at = at.run()
    assert not at.exception
    assert "Sign in to Prism" in texts(at) and not signed_in(at)
    # the delete is drawn by the very run that shows the sign-in form (no rerun discarded it)...
    assert [op["method"] for op in cookie_ops(at)] == ["delete"]
    assert cookie_ops(at)[0]["cookie"] == "prism_auth"
    at = at.run()  # ...and on every run until the browser's component reports that it ran
    assert [op["method"] for op in cookie_ops(at)] == ["delete"]
    # the token is dead on the server: even a copied cookie no longer signs in
    assert users.session_user(token) is None
    browser_cookie["token"] = token
    reload = make_app(None).run()
    assert not reload.exception and not signed_in(reload)
    assert "Sign in to Prism" in texts(reload)
    assert [op["method"] for op in cookie_ops(reload)] == ["delete"]  # and the browser is told to drop it


def test_a_live_cookie_signs_a_reload_in_with_the_role_s_navigation(workspace, browser_cookie):
    from data import users

    _user("rosa", "viewer")
    browser_cookie["token"] = users.issue_session("rosa")[0]
    at = make_app(None).run()  # a reload: a new session with the cookie
    assert not at.exception and signed_in(at)
    assert at.session_state["prism_session"] == browser_cookie["token"]
    assert cookie_ops(at) == []  # nothing to write or delete
    pages = {info.get("url_pathname") for info in at._registered_pages.values()}
    assert "admin" not in pages and "data" in pages  # a viewer's navigation, from the first run


@pytest.mark.parametrize("change", ["password", "role", "remove"])
def test_a_password_or_role_change_or_a_removal_ends_every_session_of_the_user(workspace, browser_cookie, change):
    from data import users

    name = f"ch-{change}"
    _user(name)
    token = users.issue_session(name)[0]
    browser_cookie["token"] = token
    open_session = make_app(None).run()  # one browser, signed in from its cookie
    assert signed_in(open_session)
    if change == "password":  # what `python -m data users passwd` or the Admin page does
        users.set_password(name, "a-brand-new-pass-1")
    elif change == "role":
        users.set_role(name, "viewer")
    else:
        users.remove_user(name)
    # the open session ends at its next run, says why, and drops its cookie
    open_session = open_session.run()
    assert not open_session.exception and not signed_in(open_session)
    assert "You were signed out" in texts(open_session)
    assert [op["method"] for op in cookie_ops(open_session)] == ["delete"]
    # a reload with the (now revoked) cookie shows the sign-in form
    reload = make_app(None).run()
    assert not signed_in(reload) and "Sign in to Prism" in texts(reload)
    assert users.session_user(token) is None


def test_five_failed_sign_ins_lock_the_username_even_for_the_right_password(workspace, monkeypatch, caplog):
    from streamlit_authenticator.utilities import Hasher

    monkeypatch.delenv("PRISM_LOGIN_MAX_FAILURES", raising=False)
    monkeypatch.delenv("PRISM_LOGIN_LOCK_MINUTES", raising=False)
    pw = _user("lola")
    checks = []
    orig = Hasher.check_pw.__func__
    monkeypatch.setattr(Hasher, "check_pw", classmethod(lambda cls, p, h: checks.append(p) or orig(cls, p, h)))
    caplog.set_level("WARNING", logger="prism.auth")
    at = make_app(None).run()
    for i in range(4):
        at = _sign_in(at, "lola", f"wrong-guess-{i}")
        assert "Username or password is incorrect." in texts(at)
        assert "locked" not in texts(at)
    at = _sign_in(at, "lola", "wrong-guess-4")
    assert "Too many failed sign-ins for this username: it is locked for 15 minutes" in texts(at)
    assert len(checks) == 5
    at = _sign_in(at, "Lola ", pw)  # the right password (and the library's case and space rules)
    assert not signed_in(at) and "it is locked for 15 minutes" in texts(at) and "Try again in 15 min" in texts(at)
    assert len(checks) == 5  # refused before the password was looked at
    other = _sign_in(make_app(None).run(), "lola", pw)  # another browser: the lock is on the server
    assert not signed_in(other) and "it is locked for 15 minutes" in texts(other)
    assert signed_in(_sign_in(make_app(None).run(), "ana", PASSWORDS["ana"]))  # per username
    assert caplog.text.count("failed sign-in for username 'lola'") == 5
    assert "locked for 15 min after 5 failed sign-ins" in caplog.text
    assert "sign-in refused for locked username 'lola'" in caplog.text
    assert "wrong-guess" not in caplog.text and pw not in caplog.text  # never a password
    from data import users

    users.clear_failures("lola")  # what `python -m data users unlock lola` does
    assert signed_in(_sign_in(make_app(None).run(), "lola", pw))


def test_invented_usernames_are_counted_and_locked_too(workspace, monkeypatch):
    monkeypatch.setenv("PRISM_LOGIN_MAX_FAILURES", "2")
    at = make_app(None).run()
    at = _sign_in(at, "nobody-here", "some-password-1")
    assert "Username or password is incorrect." in texts(at)
    at = _sign_in(at, "nobody-here", "some-password-2")
    assert "it is locked for 15 minutes" in texts(at)  # the same answer as for a real user: no enumeration


def test_the_sign_in_limits_are_settings_and_a_bad_one_is_a_one_line_message(workspace, monkeypatch):
    pw = _user("mona")
    monkeypatch.setenv("PRISM_LOGIN_MAX_FAILURES", "2")
    monkeypatch.setenv("PRISM_LOGIN_LOCK_MINUTES", "3")
    at = make_app(None).run()
    at = _sign_in(at, "mona", "wrong-pass-1")
    at = _sign_in(at, "mona", "wrong-pass-2")
    assert "it is locked for 3 minutes" in texts(at)
    from data import users

    users.clear_failures("mona")
    monkeypatch.setenv("PRISM_LOGIN_MAX_FAILURES", "lots")
    at = _sign_in(make_app(None).run(), "mona", pw)
    assert not at.exception and not signed_in(at)
    [err] = [e.value for e in at.error]
    assert "PRISM\\_LOGIN\\_MAX\\_FAILURES" in err and "lots" in err and "whole number from 1 to 1" in err.replace("\\", "")
    assert "\n" not in err


def test_the_admin_page_refuses_accounts_that_could_never_sign_in_and_weak_passwords(workspace):
    at = make_app("admin", page="pages/user_admin.py").run()
    for username, password, message in (
        ("Mia", "mia-pass-123", "use lowercase letters (mia)"),
        ("mia", " mia-pass-123", "must not start or end with a space"),
        ("mia", "12345678", "one of the most common passwords"),
        ("mia", "password", "one of the most common passwords"),
        ("mia", "MIA-mia", "at least 8"),
        ("miamiami", "MiaMiaMi", "must not be the username"),
    ):
        at.text_input[0].input(username)
        at.text_input[2].input(password)
        at.button[0].click()
        at = at.run()
        assert not at.exception
        errors = " ".join(str(e.value) for e in at.error).replace("\\", "")
        assert message in errors, (username, password, errors)
    from data import users

    assert users.get_role("mia") is None and users.get_role("miamiami") is None
    # what is refused here is refused on the command line too, with the same reason
    assert "use lowercase letters ('mia')" in _cli_add("Mia", "mia-pass-123").stderr
    assert "one of the most common passwords" in _cli_add("mia", "12345678").stderr
    at.text_input[0].input("mia")
    at.text_input[2].input("mia-pass-123")
    at.button[0].click()
    at = at.run()
    assert "User mia added." in texts(at).replace("\\", "")
    assert signed_in(_sign_in(make_app(None).run(), "MIA", "mia-pass-123"))  # sign-in agrees (case-insensitive)


def _cli_add(username, password):
    import os
    import subprocess
    import sys

    from tests.app.conftest import ROOT

    return subprocess.run([sys.executable, "-m", "data", "users", "add", username, "--role", "viewer",
                           "--password-stdin"], input=password + "\n", capture_output=True, text=True, cwd=ROOT,
                          env={"AUTH_CONFIG": os.environ["AUTH_CONFIG"], "PATH": "/usr/bin:/bin"})


def test_an_admin_who_changes_their_own_password_stays_signed_in_in_that_browser(workspace):
    from data import users

    _user("ada", "admin")
    elsewhere = users.issue_session("ada")[0]
    at = make_app("ada", page="pages/user_admin.py").run()
    at.selectbox[1].select("ada")
    at.text_input[3].input("ada-new-pass-456")
    at.button[1].click()
    at = at.run()
    assert not at.exception
    assert "Changes to ada saved." in texts(at).replace("\\", "")
    assert users.session_user(elsewhere) is None  # the other browser is signed out
    [op] = cookie_ops(at)
    assert op["method"] == "set" and users.session_user(op["value"]) == "ada"  # this one has a new cookie
    at = at.run()
    assert signed_in(at) and [t.value for t in at.title] == ["Admin"]
    users.set_password("ada", "ada-pass-123")
