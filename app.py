"""Prism entry point: page config, navigation (before sign-in, so deep links survive the login),
sign-in, the shared sidebar, then the page."""

from __future__ import annotations

if __name__ == "__main__":
    import streamlit.runtime as _runtime

    if not _runtime.exists():  # `python app.py [--server.port N ...]` starts the server
        import sys

        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.web import cli

        # pages/ holds st.navigation pages, not v1 multipage scripts: without this, the first request
        # after start-up is routed through the pages/ directory and shows a spurious "Page not found".
        PagesManager.uses_pages_directory = False
        sys.argv = ["streamlit", "run", __file__, *sys.argv[1:]]
        sys.exit(cli.main())

import logging  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

_run_started = time.perf_counter()

import streamlit as st  # noqa: E402

st.set_page_config(page_title="Prism", page_icon=":material/diamond:", layout="wide",
                   initial_sidebar_state="expanded")

from analytics import cached  # noqa: E402
from analytics.registry import ADMIN, HOME, PAGES, module  # noqa: E402
from components import auth, sidebar  # noqa: E402
from components.i18n import tr  # noqa: E402
from components import page as page_context  # noqa: E402
from components.page import PageContext  # noqa: E402
from data.errors import StoreError  # noqa: E402

SECTIONS = ("data", "market", "customers", "campaigns")


def run_logger() -> logging.Logger:
    """``prism.run``: one line per script run (``PRISM_LOG_RUN_MS=1``) on stderr, next to Streamlit's log;
    a run that the page ends with st.stop() or a widget's rerun is logged too."""
    log = logging.getLogger("prism.run")
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def build_navigation(role: str | None):
    """Every page for a signed-out run (so a deep link, even to /admin, survives the sign-in); after the
    sign-in, the pages of the user's role: the Admin page only for admins (it also refuses others itself)."""
    sections: dict[str, list] = {tr(f"nav.section.{s}"): [] for s in SECTIONS}
    # The default page is served at "/" (its url_path is not used), so it is the home page and every
    # analysis page keeps a real, shareable url_path.
    sections[tr("nav.section.data")].append(
        st.Page(HOME.script, title=tr("nav.home"), icon=HOME.icon, default=True)
    )
    for p in PAGES:
        sections[tr(f"nav.section.{p.section}")].append(
            st.Page(p.script, title=tr(f"nav.{p.url_path}"), icon=p.icon, url_path=p.url_path)
        )
    if role in (None, "admin"):
        sections[tr("nav.section.data")].append(
            st.Page(ADMIN.script, title=tr("nav.admin"), icon=ADMIN.icon, url_path=ADMIN.url_path)
        )
    return st.navigation(sections, position="sidebar" if role else "hidden")


try:
    cached.ensure_store()
except StoreError as _exc:  # locked, full, read-only, missing folder, bad DATABASE_URL: one line, no traceback
    from analytics.datasets import fault_message
    from components.i18n import lang
    from components.ui import md_escape

    st.error(md_escape(fault_message(_exc, lang())), icon=":material/error:")
    st.stop()
cached.warm_up()
_signed_in = auth.signed_in_user()  # session or cookie; draws nothing, so st.navigation still comes first
pg = build_navigation(_signed_in["role"] if _signed_in else None)
# A deep link keeps its query string through the sign-in: the URL-bound widgets of the first signed-in
# run are created with the link's values as their defaults (components/state.py explains why).
user = auth.login_gate()

with st.sidebar:
    st.markdown(f"### {tr('app.title')}")
    st.caption(tr("app.tagline"))
sidebar.language()
url_path = pg.url_path or "home"
try:
    kinds = getattr(module(url_path), "KINDS", {}) if url_path not in ("home", "data", "admin") else {}
except (KeyError, ImportError):
    kinds = {}
picked = sidebar.dataset_pickers(kinds)
# A page this server showed on older revisions and has not fitted on the current ones yet is shown on the
# older ones, date window included, while it refreshes (components/page.py: frame); unless the frame asked
# for one run on the current revisions (it could not serve the older ones: a fit parameter changed).
_stale = (cached.stale_view(url_path, picked["datasets"])
          if kinds and not st.session_state.pop(page_context.FRESH_ONCE, False) else None)
start, end = (sidebar.date_range(url_path, _stale.datasets if _stale is not None else picked["datasets"]) if kinds
              else (None, None))
sidebar.user_box(user)

ctx = PageContext(url_path=url_path, user=user, datasets=picked["datasets"], infos=picked["infos"],
                  missing=picked["missing"], start=start, end=end, stale=_stale)
st.session_state["_ctx"] = ctx  # read by tests and benchmarks
token = page_context.enter(ctx)
try:
    pg.run()
finally:
    page_context.leave(token)
    if os.environ.get("PRISM_LOG_RUN_MS") == "1":  # docs/deploy.md: each run's server time, for operators
        run_logger().info("RUN %s %.0f ms", url_path, (time.perf_counter() - _run_started) * 1000)
