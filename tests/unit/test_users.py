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
