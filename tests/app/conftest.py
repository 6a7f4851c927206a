"""AppTest harness: one demo workspace (temp SQLite + users file) for the whole session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORDS = {"admin": "admin-pass-123", "ana": "analyst-pass-123", "vic": "viewer-pass-123"}
ROLES = {"admin": "admin", "ana": "analyst", "vic": "viewer"}


@pytest.fixture(autouse=True, scope="session")
def _no_v1_pages():
    """Do what `python app.py` does: pages/ holds st.navigation pages, not v1 multipage scripts.

    AppTest resets PagesManager.uses_pages_directory on every run; with a pages/ folder present it
    would route a page whose url_path equals its file name straight to the script, past app.py.
    """
    from streamlit.runtime.pages_manager import PagesManager

    orig = PagesManager.__init__

    def init(self, *a, **kw):
        orig(self, *a, **kw)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    yield
    PagesManager.__init__ = orig


@pytest.fixture(scope="session")
def workspace(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("workspace")
    old = {k: os.environ.get(k) for k in ("DATABASE_URL", "AUTH_CONFIG")}
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'prism.db'}"
    os.environ["AUTH_CONFIG"] = str(tmp / "auth.yaml")
    from data import demo, repository, users

    repository.init_store()
    for name, role in ROLES.items():
        users.add_user(name, role=role, password=PASSWORDS[name], name=name.capitalize())
    ids = {}
    for kind, frame in demo.generate(seed=7).items():
        info = repository.write_dataset(kind=kind, frame=frame, name=demo.DEMO_NAMES[kind],
                                        content_hash=f"demo:{kind}", mapping={}, uploaded_by="ana")
        ids[kind] = info["id"]
    from analytics import cached

    cached.clear_all()  # Streamlit's caches and this process's record of what it presented (stale_view)
    yield {"dir": tmp, "ids": ids}
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def make_app(user: str | None = "ana", *, page: str | None = None, query: dict | None = None):
    """An AppTest of app.py, signed in as ``user`` (None: signed out), on ``page`` with ``query``.

    The app runs once signed out first, so ``st.navigation`` has registered its pages (with their
    url_path) before ``switch_page``; that first run only draws the sign-in form.
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    if user:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = user
        at.session_state["name"] = user.capitalize()
        from data import users  # a signed-in session is a live server-side session (components/auth.py)

        at.session_state["prism_session"] = users.issue_session(user)[0]
    if query:
        for k, v in query.items():
            at.query_params[k] = v
    if page:
        at.switch_page(page)
    return at


def texts(at) -> str:
    """All visible text of an AppTest run, for assertions."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "text"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [str(m.label) + " " + str(m.value) for m in at.metric]
    return "\n".join(parts)


def table(at, column: str):
    """The first dataframe of the run that has ``column`` among its columns."""
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with column {column!r}")


def _add_dataset(kind: str, frame, name: str) -> int:
    """Store ``frame`` in the workspace as a dataset of ``kind``; the dataset list cache is cleared."""
    from data import repository

    from analytics import cached

    info = repository.write_dataset(kind=kind, frame=frame, name=name, content_hash=name.lower().replace(" ", "-"),
                                    mapping={}, uploaded_by="ana")
    cached.list_datasets.clear()
    return info["id"]


@pytest.fixture(scope="session")
def online_retail(workspace):
    """Online Retail (541,909 lines) added to the workspace as an orders dataset; returns its id."""
    from tests import fixtures

    return _add_dataset("orders", fixtures.online_retail_orders(), "Online Retail")


@pytest.fixture(scope="session")
def hillstrom(workspace):
    """Hillstrom (64,000 units) added to the workspace as an experiments dataset; returns its id."""
    from tests import fixtures

    return _add_dataset("experiments", fixtures.hillstrom_experiments(), "Hillstrom")


def run_page(user: str, page: str, query: dict | None = None):
    """Sign in as ``user``, open ``page`` (a pages/ script) with ``query``, run, and return the AppTest."""
    return make_app(user, page=page, query=query).run()


class Counter:
    """A function that counts its calls (``calls``) and returns what ``fn`` returns (tests monkeypatch it in
    to count fits and page calls)."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, *a, **kw):
        self.calls += 1
        return self.fn(*a, **kw)


def open_tab(at, tab: str):
    """Open a page's tab as a link naming it does (``tab=``; on pages whose tabs run only when open, only
    that tab's content is drawn) and rerun; returns the app."""
    at.query_params["tab"] = tab
    at.run()
    assert not at.exception, at.exception
    return at
