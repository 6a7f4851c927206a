"""Safe serving defaults: `make run` and `python app.py` listen on the loopback interface unless told otherwise."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_streamlit_config_listens_on_loopback_and_hides_errors():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["server"]["address"] in ("localhost", "127.0.0.1")
    assert cfg["client"]["showErrorDetails"] == "none"


def test_make_run_passes_a_loopback_address_by_default_and_an_override_wins():
    dry = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True)
    line = [ln for ln in dry.stdout.splitlines() if "app.py" in ln][-1]
    assert re.search(r"--server\.address localhost\b", line), line
    dry = subprocess.run(["make", "-n", "run", "ADDRESS=0.0.0.0", "PORT=8600"], cwd=ROOT, capture_output=True, text=True)
    line = [ln for ln in dry.stdout.splitlines() if "app.py" in ln][-1]
    assert "--server.address 0.0.0.0" in line and "--server.port 8600" in line


def test_no_forced_full_garbage_collection_after_each_run():
    """Streamlit's post-run gc.collect(2) held the GIL ~240 ms per click with 1M-line fits cached (the
    finished run reached the browser only after it); the option must exist under this name in the pinned
    Streamlit, or the setting would silently do nothing."""
    from streamlit import config

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["runner"]["postScriptGC"] is False
    assert "runner.postScriptGC" in config._config_options_template
    assert config._config_options_template["runner.postScriptGC"].default_val is True  # what we turn off


def test_a_server_freezes_the_loaded_libraries_out_of_the_collector_and_apptest_does_not():
    """A full collection walked every imported object (~175 ms with a 1M-line fit cached): the server's
    warm-up freezes them (gc.freeze); AppTest, which warms up again after each cache clear in one process,
    and a plain process must not (their later garbage would never be collected)."""
    import sys

    code = """
import gc, sys
from unittest import mock
from analytics import cached
from streamlit.runtime import Runtime

def frozen_after(**kw):
    gc.unfreeze()
    cached.warm_up.clear()
    cached.warm_up(**kw).join()
    return gc.get_freeze_count()

print("asked", frozen_after(freeze=True) > 0)
print("plain", frozen_after() > 0)
Runtime._instance = mock.MagicMock(spec=Runtime)  # what AppTest puts in place
print("apptest", frozen_after() > 0)
Runtime._instance = object.__new__(Runtime)  # a server's runtime (not started: only its type is read)
print("server", frozen_after() > 0)
Runtime._instance = None
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    lines = dict(ln.split() for ln in out.stdout.splitlines() if ln.split()[:1] in (["asked"], ["plain"],
                                                                                     ["apptest"], ["server"]))
    assert lines == {"asked": "True", "plain": "False", "apptest": "False", "server": "True"}, out.stderr[-2000:]
