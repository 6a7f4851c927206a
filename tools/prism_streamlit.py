"""`streamlit run app.py` behaves as `python app.py` (issue 14): installed into Prism's virtualenv by
`make setup` (as `_prism_streamlit.py` beside a one-line `_prism_streamlit.pth`).

Streamlit decides, when the first browser session starts, whether the main script's folder has a
`pages/` directory of version-1 multipage scripts; Prism's `pages/` holds `st.navigation` pages, and
that first decision routed the first request through the folder: a deep link showed a spurious "Page
not found" before `app.py` could say otherwise. `python app.py` clears the flag before it starts the
server; a `streamlit run` process gets no say before the first session, so this module, imported by
the `.pth` line at interpreter start-up only for `streamlit run SCRIPT` (or `python -m streamlit run`),
clears it when SCRIPT is Prism's app.py (its folder holds `analytics/registry.py`). Anything else
started from the virtualenv is left alone.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _script(argv: list[str]) -> Path | None:
    args = argv[1:]
    if not args or args[0] != "run":
        return None
    scripts = [a for a in args[1:] if a.endswith(".py") and not a.startswith("-")]
    return Path(scripts[0]) if scripts else None


def apply(argv: list[str] | None = None) -> bool:
    """Clear Streamlit's pages-directory flag when ``argv`` runs Prism's app.py; True when it did."""
    argv = sys.argv if argv is None else argv
    if not argv or not (argv[0] == "-m" or Path(argv[0]).name.startswith("streamlit")):
        return False
    script = _script(argv)
    if script is None or script.name != "app.py" or not (script.resolve().parent / "analytics" / "registry.py").exists():
        return False
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    return True


apply()
