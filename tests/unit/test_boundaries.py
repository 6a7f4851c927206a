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


def _without_docstrings(src: str) -> str:
    """``src`` with its docstrings blanked (code and comments kept): a docstring may name ``st.cache_resource``
    to say how analytics.cached caches the object it documents (analytics/serving/presented.py, moved verbatim
    out of analytics/cached.py)."""
    tree = ast.parse(src)
    lines = src.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line.encode("utf-8")))
    raw = bytearray(src.encode("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            doc = node.body[0]
            if isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) and isinstance(doc.value.value, str):
                a = starts[doc.lineno - 1] + doc.col_offset
                b = starts[doc.end_lineno - 1] + doc.end_col_offset
                raw[a:b] = b" " * (b - a)
    return raw.decode("utf-8", errors="replace")


def _uses_cache_decorators(src: str) -> bool:
    code = _without_docstrings(src)
    return "cache_data" in code or "cache_resource" in code


def test_cache_decorators_only_in_cached_module():
    offenders = []
    for f in _py("analytics", "data", "components", "pages") + [ROOT / "app.py"]:
        if not f.exists() or f.relative_to(ROOT).as_posix() == "analytics/cached.py":
            continue
        if _uses_cache_decorators(f.read_text(encoding="utf-8")):
            offenders.append(f.relative_to(ROOT).as_posix())
    assert offenders == []


def test_the_cache_check_reads_code_and_comments_not_docstrings():
    assert _uses_cache_decorators("import streamlit as st\n\n\n@st.cache_data\ndef f():\n    return 1\n")
    assert _uses_cache_decorators("from streamlit import cache_resource\n")
    assert _uses_cache_decorators("def f():\n    return 1  # st.cache_resource\n")
    assert _uses_cache_decorators('def f():\n    """Doc."""\n    return "cache_data"\n')
    assert not _uses_cache_decorators('"""By st.cache_data."""\n\n\nclass A:\n    """By ``st.cache_resource``."""\n')
    assert not _uses_cache_decorators('def f():\n    """Ü: st.cache_resource,\n    twice."""\n    return 1\n')


def test_the_checker_detects_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import streamlit as st\nfrom sqlalchemy import text\n", encoding="utf-8")
    assert {"streamlit", "sqlalchemy", "sqlalchemy.text"} <= _imports(bad)


def test_layout_exists():
    for d in ("pages", "components", "analytics", "data", "tests", "bench", "docs", ".streamlit"):
        assert (ROOT / d).is_dir(), d
    assert (ROOT / "app.py").is_file()
