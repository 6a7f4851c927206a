"""tools/prism_streamlit.py: only `streamlit run <Prism's app.py>` clears Streamlit's pages-directory flag."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _hook():
    spec = importlib.util.spec_from_file_location("_prism_streamlit_test", ROOT / "tools" / "prism_streamlit.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def test_only_prism_app_py_run_by_streamlit_clears_the_flag(tmp_path, monkeypatch):
    from streamlit.runtime.pages_manager import PagesManager

    hook = _hook()
    app = str(ROOT / "app.py")
    other = tmp_path / "app.py"
    other.write_text("")
    cases = [
        (["/venv/bin/streamlit", "run", app, "--server.port", "1"], True),
        (["-m", "run", app], True),
        (["/venv/bin/streamlit", "run", "--server.port", "1", app], True),
        (["/venv/bin/streamlit", "run", str(other)], False),       # someone else's app.py
        (["/venv/bin/streamlit", "hello"], False),
        (["/venv/bin/pytest", "run", app], False),                 # not streamlit
        (["/venv/bin/streamlit", "run", str(ROOT / "bench" / "browser.py")], False),
    ]
    for argv, want in cases:
        monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
        assert hook.apply(argv) is want, argv
        assert PagesManager.uses_pages_directory is (False if want else None), argv


def test_make_setup_installs_the_hook():
    make = (ROOT / "Makefile").read_text()
    assert "tools/prism_streamlit.py" in make and "_prism_streamlit.pth" in make
    assert (ROOT / "tools" / "prism_streamlit.pth").read_text().strip().endswith('__import__("_prism_streamlit")')
