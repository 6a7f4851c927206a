"""Warm rerun benchmark (server side, AppTest): what an interaction that needs no refit costs.

Builds the demo workspace in a temporary directory, opens each page once (cold: fits and caches fill),
then reruns it N times with every cache warm and prints the median warm rerun per page. The home page
is measured too: it is the floor (the frame, sign-in check and sidebar that every rerun pays).
Targets (issues 13 and 18): a warm rerun well under 300 ms, so ten sessions on two processes stay
under 1 s at p95.

    python -m bench.rerun [PAGE ...] [--runs N] [--profile FILE] [--top K]

``--profile FILE`` also profiles one more warm rerun of each page (cProfile around the page's
``pg.run()``, in the script thread) and prints the top K functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_workspace(tmp: Path) -> None:
    """The demo workspace (every kind, seed 7) in ``tmp``, with the user ``bench``."""
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'rerun.db'}"
    os.environ["AUTH_CONFIG"] = str(tmp / "auth.yaml")
    from data import demo, repository, users

    repository.init_store()
    users.add_user("bench", role="analyst", password="bench-password-1")
    for kind, frame in demo.generate(seed=7).items():
        repository.write_dataset(kind=kind, frame=frame, name=demo.DEMO_NAMES[kind], content_hash=f"demo:{kind}",
                                 mapping={}, uploaded_by="bench")


def _no_v1_pages() -> None:
    from streamlit.runtime.pages_manager import PagesManager

    orig = PagesManager.__init__

    def init(self, *a, **kw):  # what `python app.py` does: no v1 pages/ routing
        orig(self, *a, **kw)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init


_PROFILE: dict = {"on": False, "prof": None}


def _profile_page_runs() -> None:
    """cProfile the page script inside the script thread (AppTest runs the script in its own thread)."""
    from streamlit.navigation.page import StreamlitPage

    orig = StreamlitPage.run

    def run(self):
        if not _PROFILE["on"]:
            return orig(self)
        prof = cProfile.Profile()
        prof.enable()
        try:
            return orig(self)
        finally:
            prof.disable()
            _PROFILE["prof"] = prof

    StreamlitPage.run = run


def app(url_path: str):
    """A signed-in AppTest of app.py on ``url_path`` (not run yet)."""
    from streamlit.testing.v1 import AppTest

    from analytics.registry import BY_PATH, HOME
    from data import users

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()  # signed out: registers the navigation pages
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "bench"
    at.session_state["name"] = "Bench"
    at.session_state["prism_session"] = users.issue_session("bench")[0]
    at.switch_page(HOME.script if url_path == "home" else BY_PATH[url_path].script)
    return at


def measure(url_path: str, runs: int) -> dict:
    """Cold run, then ``runs`` warm reruns of one page; seconds."""
    at = app(url_path)
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    errors = [str(e.value)[:200] for e in at.exception]
    at.run()  # the first rerun after a fit still fills the presentation caches
    warm = []
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    return {"page": url_path, "cold": cold, "warm": warm, "median": statistics.median(warm), "errors": errors,
            "at": at}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="*", help="url paths (default: home and every analysis page)")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--profile", metavar="FILE", help="also profile one warm rerun per page into FILE.<page>")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args(argv)
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # AppTest's bare-mode warnings, not results
    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="prism-rerun-"))
    build_workspace(tmp)
    _no_v1_pages()
    from analytics import cached
    from analytics.registry import PAGES

    pages = args.pages or ["home", *(p.url_path for p in PAGES if p.url_path != "data")]
    if args.profile:
        _profile_page_runs()
    cached.warm_up(freeze=True).join()  # as on a server (libraries loaded and frozen)
    rows = []
    for url_path in pages:
        r = measure(url_path, args.runs)
        rows.append(r)
        print(f"{url_path:28s} cold {r['cold'] * 1000:7.0f} ms   warm median {r['median'] * 1000:6.0f} ms   "
              f"(min {min(r['warm']) * 1000:.0f}, max {max(r['warm']) * 1000:.0f})"
              + (f"   ERRORS {r['errors']}" if r["errors"] else ""), flush=True)
        if args.profile:
            _PROFILE["on"] = True
            r["at"].run()
            _PROFILE["on"] = False
            out = f"{args.profile}.{url_path}"
            _PROFILE["prof"].dump_stats(out)
            pstats.Stats(out).sort_stats("cumulative").print_stats(args.top)
        r.pop("at")
    floor = next((r["median"] for r in rows if r["page"] == "home"), None)
    if floor is not None:
        print(f"floor (home page rerun): {floor * 1000:.0f} ms")
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
