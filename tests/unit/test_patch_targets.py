"""A test that replaces a name of a split module must patch where the code reads it.

Issue 13 split the big modules into packages whose ``__init__.py`` re-exports the submodules' names. A
``monkeypatch.setattr(package, "name", fake)`` then changes only the package's attribute: code inside a
submodule that calls ``name`` directly (or a module that did ``from package import name``) still reads the
original, and the test silently stops testing what it says (found twice: the persona tests in the personas
split and two reader tests in the reader split passed with their fake never used). This test reads every
``setattr`` of the tests with ``ast`` and fails when the target is a package, the name is not defined in its
``__init__.py`` (a re-export) and some code can reach the name without the package attribute. Patch the
submodule that reads the name instead (``data.ingest.disk.STREAM_MIN_BYTES``), or, where the package
attribute does cover every caller, add the case to ``COVERED`` with the reason."""

from __future__ import annotations

import ast
import functools
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("analytics", "data", "components", "pages")

# (package, name) -> why a patch of the package attribute still reaches every caller
COVERED = {
    ("analytics.mmm", "fit_mmm"): "its one bare caller, mmm.calibration.fit_calibrated, is patched alongside; "
                                  "promotions calls both as mmm.fit_mmm / mmm.fit_calibrated",
    ("analytics.promotions", "acquisition_ceiling"): "the bare caller is the headless report's extra "
                                                     "(promotions.ceiling); the page's cache calls "
                                                     "promotions.acquisition_ceiling, the path the test checks",
    ("analytics.personas", "fit"): "the bare caller (personas.helpers) is a page helper the test does not "
                                   "call; the test also refuses engine.to_frame / engine.scalar",
    ("analytics.segmentation", "fit"): "the test patches segmentation.model.fit too",
}


@functools.lru_cache(maxsize=None)
def _tree(f: Path) -> ast.AST:
    return ast.parse(f.read_text(encoding="utf-8"))


def _defined(init: Path) -> set[str]:
    names: set[str] = set()
    for n in _tree(init).body:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, (ast.Assign, ast.AnnAssign)):
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]):
                names |= {x.id for x in ast.walk(t) if isinstance(x, ast.Name)}
    return names


def _aliases(tree: ast.AST) -> dict[str, str]:
    out: dict[str, str] = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            for a in n.names:
                out[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(n, ast.ImportFrom) and n.module and n.level == 0:
            for a in n.names:
                out[a.asname or a.name] = f"{n.module}.{a.name}"
    return out


def package_patches(tests: Path) -> list[tuple[str, int, str, str]]:
    """(file, line, package, name) of every ``<x>.setattr(<package of this repo>, "<name>", ...)`` in ``tests``
    whose name is a re-export (not defined in the package's ``__init__.py``)."""
    found = []
    for f in sorted(tests.rglob("*.py")):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        alias = _aliases(tree)
        for n in ast.walk(tree):
            if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "setattr"
                    and len(n.args) >= 2 and isinstance(n.args[1], ast.Constant) and isinstance(n.args[1].value, str)):
                continue
            x, parts = n.args[0], []
            while isinstance(x, ast.Attribute):
                parts.append(x.attr)
                x = x.value
            if not isinstance(x, ast.Name) or x.id not in alias:
                continue
            path = ".".join([alias[x.id], *parts[::-1]])
            if not path.startswith(CODE_DIRS):
                continue
            try:
                mod = importlib.import_module(path)
            except ImportError:
                continue
            init = Path(getattr(mod, "__file__", "") or "")
            if hasattr(mod, "__path__") and n.args[1].value not in _defined(init):
                found.append((str(f.relative_to(ROOT)), n.lineno, path, n.args[1].value))
    return found


def readers_bypassing(package: str, name: str, root: Path = ROOT) -> list[str]:
    """Code that reaches ``name`` without the package attribute: a submodule using the bare name, or a module
    importing it with ``from <package>[.sub] import name``."""
    pkg_dir = root / package.replace(".", "/")
    out = []
    for d in CODE_DIRS:
        for f in sorted((root / d).rglob("*.py")):
            tree = _tree(f)
            inside = pkg_dir in f.parents
            if inside and f != pkg_dir / "__init__.py" and any(
                    isinstance(x, ast.Name) and x.id == name and isinstance(x.ctx, ast.Load) for x in ast.walk(tree)):
                out.append(f"{f.relative_to(root)} uses {name}")
            if not inside and any(
                    isinstance(x, ast.ImportFrom) and x.module and (x.module == package or x.module.startswith(package + "."))
                    and any(a.name == name for a in x.names) for x in ast.walk(tree)):
                out.append(f"{f.relative_to(root)} imports {name}")
    return out


def test_every_patch_of_a_package_reexport_reaches_its_callers():
    patches = package_patches(ROOT / "tests")
    assert len(patches) >= 10  # the scan finds the patches it is about (e.g. channels.fit, repository.load_frame)
    bad = []
    for file, line, package, name in patches:
        if (package, name) in COVERED:
            continue
        by = readers_bypassing(package, name)
        if by:
            bad.append(f"{file}:{line}: setattr({package}, {name!r}) misses {by}")
    assert not bad, "\n".join(bad)
    assert all(readers_bypassing(p, n) for p, n in COVERED), "a COVERED case no longer needs its reason"


def test_the_scan_catches_a_patch_that_misses(tmp_path):
    # a package whose submodule calls its own function directly, and a test patching the package's re-export
    pkg = tmp_path / "analytics" / "fakepkg"
    pkg.mkdir(parents=True)
    for d in CODE_DIRS[1:]:
        (tmp_path / d).mkdir()
    (pkg / "__init__.py").write_text("from .work import helper, run\n")
    (pkg / "work.py").write_text("def helper():\n    return 1\n\n\ndef run():\n    return helper()\n")
    assert readers_bypassing("analytics.fakepkg", "helper", tmp_path) == ["analytics/fakepkg/work.py uses helper"]
    assert readers_bypassing("analytics.fakepkg", "other", tmp_path) == []
    # the real case this guards: data.ingest's streaming threshold is read in data.ingest.disk
    assert readers_bypassing("data.ingest", "STREAM_MIN_BYTES")
    assert "STREAM_MIN_BYTES" not in _defined(ROOT / "data" / "ingest" / "__init__.py")
