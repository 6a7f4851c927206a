"""Users file: bcrypt hashes only, random cookie key, first admin, role rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from data import users

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def cfg_path(tmp_path, monkeypatch):
    p = tmp_path / "auth.yaml"
    monkeypatch.setenv("AUTH_CONFIG", str(p))
    monkeypatch.delenv("PRISM_ADMIN_PASSWORD", raising=False)
    return p


def test_first_admin_gets_a_random_password_and_the_file_holds_only_hashes(cfg_path):
    pw = users.ensure_admin()
    assert pw and len(pw) >= 12
    raw = cfg_path.read_text()
    assert pw not in raw
    cfg = yaml.safe_load(raw)
    assert cfg["credentials"]["usernames"]["admin"]["password"].startswith("$2")
    assert len(cfg["cookie"]["key"]) >= 32
    assert users.check_password(pw, cfg["credentials"]["usernames"]["admin"]["password"])
    assert users.ensure_admin() is None  # idempotent
    assert (cfg_path.stat().st_mode & 0o077) == 0


def test_cookie_keys_differ_between_installs(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    users.ensure_admin(a)
    users.ensure_admin(b)
    assert yaml.safe_load(a.read_text())["cookie"]["key"] != yaml.safe_load(b.read_text())["cookie"]["key"]


def test_admin_password_from_environment(cfg_path, monkeypatch):
    monkeypatch.setenv("PRISM_ADMIN_PASSWORD", "s3cret-enough")
    assert users.ensure_admin() is None
    h = yaml.safe_load(cfg_path.read_text())["credentials"]["usernames"]["admin"]["password"]
    assert users.check_password("s3cret-enough", h)


def test_roles_and_rules(cfg_path):
    users.ensure_admin()
    users.add_user("ana", role="analyst", password="password-1")
    assert users.get_role("ana") == "analyst"
    with pytest.raises(users.UserError):
        users.add_user("ana", role="viewer", password="password-2")
    with pytest.raises(users.UserError):
        users.add_user("bob", role="owner", password="password-2")
    with pytest.raises(users.UserError):
        users.add_user("bob", role="viewer", password="short")
    with pytest.raises(users.UserError):
        users.add_user("bad name!", role="viewer", password="password-2")
    users.set_role("ana", "viewer")
    assert users.get_role("ana") == "viewer"
    with pytest.raises(users.UserError):
        users.set_role("admin", "viewer")  # the last admin keeps the role
    with pytest.raises(users.UserError):
        users.remove_user("admin")
    users.set_password("ana", "another-pass")
    h = yaml.safe_load(cfg_path.read_text())["credentials"]["usernames"]["ana"]["password"]
    assert users.check_password("another-pass", h) and not users.check_password("password-1", h)
    users.remove_user("ana")
    assert users.get_role("ana") is None


def test_cli_adds_a_user_from_stdin(cfg_path, tmp_path):
    env = {"AUTH_CONFIG": str(cfg_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "data", "users", "add", "mei", "--role", "viewer", "--password-stdin"],
                       input="long-password\n", capture_output=True, text=True, cwd=ROOT, env=env)
    assert r.returncode == 0, r.stderr
    assert users.get_role("mei", cfg_path) == "viewer"
    r = subprocess.run([sys.executable, "-m", "data", "users", "add", "mei2", "--role", "viewer", "--password-stdin"],
                       input="short\n", capture_output=True, text=True, cwd=ROOT, env=env)
    assert r.returncode == 1 and "at least 8" in r.stderr


def test_repository_holds_no_credentials():
    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=ROOT).stdout.split()
    assert not [f for f in tracked if f.endswith(("auth.yaml", "secrets.toml", ".db"))]
    gi = (ROOT / ".gitignore").read_text()
    assert "data/auth.yaml" in gi and "data/*.db" in gi


# ------------------------------------------------------------------------------------ account rules

def test_usernames_are_lowercase_and_passwords_keep_no_surrounding_spaces(cfg_path):
    """The sign-in library lowercases the username and strips the password: such accounts could never
    sign in, so they are refused when created, with the reason."""
    with pytest.raises(users.UserError, match="use lowercase letters \\('ana'\\)") as e:
        users.add_user("Ana", role="viewer", password="analyst-pass-123")
    assert e.value.code == "username_case" and e.value.params == {"username": "Ana", "lower": "ana"}
    for pw in (" leading-space-pw", "trailing-space-pw ", "\ttabbed-password"):
        with pytest.raises(users.UserError, match="must not start or end with a space"):
            users.add_user("ana", role="viewer", password=pw)
    with pytest.raises(users.UserError, match="at most 72 bytes"):
        users.add_user("ana", role="viewer", password="密" * 25)  # 75 bytes: bcrypt would refuse it
    assert not cfg_path.exists()  # nothing was written by the refusals
    users.add_user("ana", role="viewer", password="inner spaces are fine")
    assert users.get_role("ana") == "viewer"


@pytest.mark.parametrize("password,reason", [
    ("password", "most common"), ("12345678", "most common"), ("PassWord1", "most common"),
    ("qwerty123", "most common"), ("iloveyou", "most common"), ("88888888", "most common"),
    ("marketeer", "not be the username"), ("MARKETEER", "not be the username"), ("short", "at least 8"),
])
def test_weak_passwords_are_refused_with_the_reason(cfg_path, password, reason):
    with pytest.raises(users.UserError, match=reason):
        users.add_user("marketeer", role="viewer", password=password)
    users.add_user("marketeer", role="viewer", password="tide-lamp-orchid-7")
    with pytest.raises(users.UserError, match=reason):
        users.set_password("marketeer", password)
    assert users.check_password("tide-lamp-orchid-7", users.load_config()["credentials"]["usernames"]["marketeer"]["password"])


@pytest.mark.parametrize("bad,reason", [("short", "at least 8"), ("password", "most common"), ("admin123", "most common"),
                                        ("Admin", "at least 8"), ("administrator", "most common")])
def test_a_bad_admin_password_setting_ends_in_one_line_and_writes_nothing(cfg_path, tmp_path, monkeypatch, bad, reason):
    monkeypatch.setenv("PRISM_ADMIN_PASSWORD", bad)
    with pytest.raises(users.UserError, match=f"PRISM_ADMIN_PASSWORD: .*{reason}"):
        users.ensure_admin()
    assert not cfg_path.exists()
    db = tmp_path / "x.db"
    env = {"AUTH_CONFIG": str(cfg_path), "DATABASE_URL": f"sqlite:///{db}", "PATH": "/usr/bin:/bin",
           "PRISM_ADMIN_PASSWORD": bad}
    r = subprocess.run([sys.executable, "-m", "data", "init", "--no-demo"], capture_output=True, text=True, cwd=ROOT,
                       env=env)
    assert r.returncode == 1
    assert r.stderr.strip().startswith("error: PRISM_ADMIN_PASSWORD: ") and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr
    assert not cfg_path.exists() and not db.exists()  # no users file without an admin, no store either
    env["PRISM_ADMIN_PASSWORD"] = "a-good-first-password"
    r = subprocess.run([sys.executable, "-m", "data", "init", "--no-demo"], capture_output=True, text=True, cwd=ROOT,
                       env=env)
    assert r.returncode == 0, r.stderr
    assert users.get_role("admin", cfg_path) == "admin"
    env["PRISM_ADMIN_PASSWORD"] = bad  # an install that has its admin ignores the setting
    r = subprocess.run([sys.executable, "-m", "data", "init", "--no-demo"], capture_output=True, text=True, cwd=ROOT,
                       env=env)
    assert r.returncode == 0, r.stderr


def test_cli_keeps_spaces_inside_the_password_and_refuses_them_around_it(cfg_path, tmp_path):
    env = {"AUTH_CONFIG": str(cfg_path), "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "data", "users", "add", "mei", "--role", "viewer", "--password-stdin"]
    r = subprocess.run(cmd, input="long-password \n", capture_output=True, text=True, cwd=ROOT, env=env)
    assert r.returncode == 1 and "must not start or end with a space" in r.stderr
    r = subprocess.run(cmd[:5] + ["Mei"] + cmd[6:], input="long-password\n", capture_output=True, text=True,
                       cwd=ROOT, env=env)
    assert r.returncode == 1 and "use lowercase letters ('mei')" in r.stderr
    r = subprocess.run(cmd, input="long password\r\n", capture_output=True, text=True, cwd=ROOT, env=env)
    assert r.returncode == 0, r.stderr
    assert users.check_password("long password", users.load_config(cfg_path)["credentials"]["usernames"]["mei"]["password"])


# ------------------------------------------------------------------------------ concurrent updates

def test_concurrent_cli_adds_and_role_changes_all_survive(cfg_path):
    """The issue's probe: 10 concurrent `users add` (1 survived) and role changes beside them (reverted)."""
    env = {"AUTH_CONFIG": str(cfg_path), "PATH": "/usr/bin:/bin"}
    for i in range(4):
        users.add_user(f"old{i}", role="viewer", password=f"old-user-pass-{i}")
    procs = [subprocess.Popen([sys.executable, "-m", "data", "users", "add", f"new{i}", "--role", "analyst",
                               "--password-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env) for i in range(10)]
    procs += [subprocess.Popen([sys.executable, "-m", "data", "users", "role", f"old{i}", "admin"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT, env=env) for i in range(4)]
    outs = [p.communicate(f"new-user-pass-{i}\n", timeout=120) for i, p in enumerate(procs)]
    assert [p.returncode for p in procs] == [0] * 14, outs
    roles = {u["username"]: u["role"] for u in users.list_users()}
    assert {f"new{i}" for i in range(10)} <= set(roles)
    assert [roles[f"new{i}"] for i in range(10)] == ["analyst"] * 10
    assert [roles[f"old{i}"] for i in range(4)] == ["admin"] * 4


def _slow_worker(args):
    import time as _time

    from data import users as u

    kind, i, path, start = args
    save = u.save_config

    def slow_save(cfg, p=None):  # widen the read-modify-write window: without the lock, updates get lost
        _time.sleep(0.05)
        save(cfg, p)

    u.save_config = slow_save
    while _time.time() < start:
        _time.sleep(0.001)
    if kind == "add":
        u.add_user(f"p{i}", role="viewer", password=f"process-pass-{i}", path=Path(path))
    else:
        u.set_role(f"q{i}", "analyst", path=Path(path))
    return kind, i


def test_concurrent_processes_lose_no_update_even_when_writes_are_slow(cfg_path):
    import multiprocessing as mp
    import time as _time

    for i in range(5):
        users.add_user(f"q{i}", role="viewer", password=f"queue-pass-{i}")
    start = _time.time() + 1.5
    jobs = [("add", i, str(cfg_path), start) for i in range(10)] + [("role", i, str(cfg_path), start) for i in range(5)]
    with mp.get_context("fork").Pool(15) as pool:
        done = pool.map(_slow_worker, jobs)
    assert len(done) == 15
    roles = {u["username"]: u["role"] for u in users.list_users()}
    assert [roles.get(f"p{i}") for i in range(10)] == ["viewer"] * 10
    assert [roles[f"q{i}"] for i in range(5)] == ["analyst"] * 5
    assert users.lock_path(cfg_path).exists()
    assert not list(cfg_path.parent.glob(".auth-*"))  # no temporary file left behind


# ------------------------------------------------------------------------------------- sessions

def test_a_session_token_is_stored_as_a_hash_and_revoked_by_sign_out(cfg_path):
    users.ensure_admin()
    users.add_user("ana", role="analyst", password="analyst-pass-123")
    token, expires = users.issue_session("ana")
    other, _ = users.issue_session("ana")
    assert len(token) >= 40 and expires > __import__("time").time() + 6.9 * 86400
    raw = cfg_path.read_text()
    assert token not in raw and "ana" in raw
    assert users.session_user(token) == "ana" and users.session_user(other) == "ana"
    assert users.session_user("forged-token") is None and users.session_user(None) is None
    assert users.revoke_session(token) is True
    assert users.session_user(token) is None  # the copied cookie no longer signs in
    assert users.session_user(other) == "ana"  # signing out one browser leaves the others
    assert users.revoke_session(token) is False


@pytest.mark.parametrize("change", ["password", "role", "remove"])
def test_a_password_or_role_change_or_a_removal_revokes_all_of_the_users_tokens(cfg_path, change):
    users.ensure_admin()
    users.add_user("ana", role="analyst", password="analyst-pass-123")
    users.add_user("vic", role="viewer", password="viewer-pass-123")
    ana = [users.issue_session("ana")[0] for _ in range(3)]
    vic = users.issue_session("vic")[0]
    if change == "password":
        users.set_password("ana", "a-new-pass-for-ana")
    elif change == "role":
        users.set_role("ana", "viewer")
    else:
        users.remove_user("ana")
    assert [users.session_user(t) for t in ana] == [None] * 3
    assert users.session_user(vic) == "vic"


def test_an_expired_session_signs_nobody_in(cfg_path, monkeypatch):
    import time as _time

    users.ensure_admin()
    token, expires = users.issue_session("admin")
    monkeypatch.setattr(_time, "time", lambda: expires + 1)
    assert users.session_user(token) is None


# ------------------------------------------------------------------------------- sign-in limits

def test_five_failures_within_the_window_lock_the_username_for_fifteen_minutes(cfg_path, monkeypatch, caplog):
    monkeypatch.delenv("PRISM_LOGIN_MAX_FAILURES", raising=False)
    monkeypatch.delenv("PRISM_LOGIN_LOCK_MINUTES", raising=False)
    t0 = 1_800_000_000.0
    caplog.set_level("WARNING", logger="prism.auth")
    assert [users.record_failure("ana", now=t0 + i) for i in range(4)] == [None] * 4
    assert users.locked_until("ana", now=t0 + 4) is None
    until = users.record_failure("ana", now=t0 + 5)
    assert until == pytest.approx(t0 + 5 + 15 * 60)
    assert users.locked_until("ana", now=t0 + 6) == pytest.approx(until)
    assert users.locked_until("ana", now=until - 1) == pytest.approx(until)
    assert users.locked_until("ana", now=until + 1) is None
    assert users.locked_until("vic", now=t0 + 6) is None  # per username
    assert "failed sign-in for username 'ana'" in caplog.text and "locked for 15 min" in caplog.text
    # failures older than the window do not count
    for i in range(4):
        users.record_failure("bob", now=t0 + i * 300)  # 0, 5, 10, 15 min
    assert users.record_failure("bob", now=t0 + 16 * 60) is None  # the first one is 16 minutes old
    users.clear_failures("bob")
    assert "bob" not in users.load_config()["login_failures"]


def test_the_limits_come_from_the_environment_and_a_bad_value_is_one_line(cfg_path, monkeypatch):
    monkeypatch.setenv("PRISM_LOGIN_MAX_FAILURES", "2")
    monkeypatch.setenv("PRISM_LOGIN_LOCK_MINUTES", "1")
    assert users.login_limits() == (2, 1)
    t0 = 1_800_000_000.0
    assert users.record_failure("ana", now=t0) is None
    assert users.record_failure("ana", now=t0 + 1) == pytest.approx(t0 + 61)
    for bad in ("abc", "0", "-3", "2.5", "99999999"):
        monkeypatch.setenv("PRISM_LOGIN_LOCK_MINUTES", bad)
        with pytest.raises(users.UserError) as e:
            users.login_limits()
        assert str(e.value).startswith(f"the setting PRISM_LOGIN_LOCK_MINUTES={bad!r} is not a whole number from 1 to")
        assert "\n" not in str(e.value)


def test_a_spray_of_invented_usernames_does_not_grow_the_file_without_end(cfg_path, monkeypatch):
    monkeypatch.setattr(users, "MAX_TRACKED_USERNAMES", 20)
    t0 = 1_800_000_000.0
    for i in range(40):
        users.record_failure(f"nobody{i}", now=t0 + i)
    fails = users.load_config()["login_failures"]
    assert len(fails) <= 21 and "nobody39" in fails and "nobody0" not in fails


def test_every_refusal_has_a_message_in_both_languages():
    import re

    from analytics.i18n import t

    codes = set(re.findall(r'UserError\(\s*"(\w+)"', (ROOT / "data" / "users.py").read_text()))
    assert {"username_case", "password_space", "password_common", "password_username", "setting"} <= codes
    for code in codes:
        for lang in ("en", "zh"):
            assert t(f"ui.admin.err.{code}", lang) != f"ui.admin.err.{code}", (code, lang)
    assert "小写字母" in t("ui.admin.err.username_case", "zh", username="Ana", lower="ana")


def test_a_hostile_typed_username_is_counted_under_a_short_hash(cfg_path, caplog):
    caplog.set_level("WARNING", logger="prism.auth")
    hostile = "x" * 10_000 + "\n[evil](http://e.example)"
    users.record_failure(hostile, now=1_800_000_000.0)
    raw = cfg_path.read_text()
    assert len(raw) < 2_000 and "evil" not in raw and "evil" not in caplog.text
    assert users.locked_until(hostile, now=1_800_000_001.0) is None
    users.clear_failures(hostile)
    assert users.load_config()["login_failures"] == {}
