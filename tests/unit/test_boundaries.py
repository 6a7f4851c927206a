"""The architecture's boundaries (docs/architecture.md), checked on the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _py(*dirs: str) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        files.extend(sorted((ROOT / d).rglob("*.py")))
    return files


def test_analytics_and_data_never_import_streamlit():
    offenders = []
    for f in _py("analytics", "data"):
        if f.relative_to(ROOT).as_posix() == "analytics/cached.py":
            continue
        if any(n == "streamlit" or n.startswith("streamlit.") for n in _imports(f)):
            offenders.append(f.relative_to(ROOT).as_posix())
    assert offenders == []


def test_pages_and_components_never_touch_sql():
    banned = ("sqlite3", "sqlalchemy", "sqlmodel", "data.db", "data.repository", "data.models")
    offenders = []
    for f in _py("pages", "components") + [ROOT / "app.py"]:
        if not f.exists():
            continue
        for n in _imports(f):
            if any(n == b or n.startswith(b + ".") for b in banned) or n in ("data.db", "data.repository"):
                offenders.append(f"{f.relative_to(ROOT).as_posix()}: {n}")
        src = f.read_text(encoding="utf-8")
        if "from data import db" in src or "from data import repository" in src:
            offenders.append(f"{f.relative_to(ROOT).as_posix()}: data.db/repository")
    assert offenders == []


def test_cache_decorators_only_in_cached_module():
    offenders = []
    for f in _py("analytics", "data", "components", "pages") + [ROOT / "app.py"]:
        if not f.exists() or f.relative_to(ROOT).as_posix() == "analytics/cached.py":
            continue
        src = f.read_text(encoding="utf-8")
        if "cache_data" in src or "cache_resource" in src:
            offenders.append(f.relative_to(ROOT).as_posix())
    assert offenders == []


def test_the_checker_detects_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import streamlit as st\nfrom sqlalchemy import text\n", encoding="utf-8")
    assert {"streamlit", "sqlalchemy", "sqlalchemy.text"} <= _imports(bad)


def test_layout_exists():
    for d in ("pages", "components", "analytics", "data", "tests", "bench", "docs", ".streamlit"):
        assert (ROOT / d).is_dir(), d
    assert (ROOT / "app.py").is_file()
