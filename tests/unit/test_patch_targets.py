"""A test that replaces a name of a split module must patch where the code reads it.

Issue 13 split the big modules into packages whose ``__init__.py`` re-exports the submodules' names. A
``monkeypatch.setattr(package, "name", fake)`` then changes only the package's attribute: code inside a
submodule that calls ``name`` directly (or a module that did ``from package import name``) still reads the
original, and the test silently stops testing what it says (found twice: the persona tests in the personas
split and two reader tests in the reader split passed with their fake never used). This test reads every
``setattr`` of the tests with ``ast`` and fails when the target is a package, the name is not defined in its
``__init__.py`` (a re-export) and some code can reach the name without the package attribute. Patch the
submodule that reads the name instead (``data.ingest.disk.STREAM_MIN_BYTES``), or, where the package
attribute does cover every caller, add the case to ``COVERED`` with the reason.

A module that had to stay one module but moved code out to a package (``analytics.cached``, the one analytics
module importing streamlit, and ``analytics.serving``) has the same trap the other way round: a patch of
``analytics.cached.<name>`` reaches the code left in cached.py, never code of the package reading ``name``
(``swr.stale_view`` reads ``uses_engine``), so such a patch fails here too (``SPLIT_MODULES``)."""

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


# a module that stayed one module, -> the package its Streamlit-free code moved to (re-exported by the module)
SPLIT_MODULES = {"analytics.cached": "analytics.serving"}


def _setattr_targets(tests: Path):
    """(file, line, dotted target, name) of every ``<x>.setattr(<module of this repo>, "<name>", ...)`` in
    ``tests``."""
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
            if path.startswith(CODE_DIRS):
                yield str(f.relative_to(ROOT)), n.lineno, path, n.args[1].value


def package_patches(tests: Path) -> list[tuple[str, int, str, str]]:
    """(file, line, package, name) of every ``<x>.setattr(<package of this repo>, "<name>", ...)`` in ``tests``
    whose name is a re-export (not defined in the package's ``__init__.py``)."""
    found = []
    for file, line, path, name in _setattr_targets(tests):
        try:
            mod = importlib.import_module(path)
        except ImportError:
            continue
        init = Path(getattr(mod, "__file__", "") or "")
        if hasattr(mod, "__path__") and name not in _defined(init):
            found.append((file, line, path, name))
    return found


def split_module_patches(tests: Path) -> list[tuple[str, int, str, str]]:
    """(file, line, module, name) of every ``<x>.setattr(<module of SPLIT_MODULES>, "<name>", ...)`` in
    ``tests``."""
    return [t for t in _setattr_targets(tests) if t[2] in SPLIT_MODULES]


def split_readers(module: str, name: str, root: Path = ROOT) -> list[str]:
    """Code that reads ``name`` without ``module``'s attribute although it came out of ``module``: code of the
    package in ``SPLIT_MODULES[module]`` using the bare name, or any module but ``module`` importing it with
    ``from <package>[.sub] import name``."""
    package = SPLIT_MODULES[module]
    pkg_dir = root / package.replace(".", "/")
    own = root / (module.replace(".", "/") + ".py")
    out = []
    for d in CODE_DIRS:
        for f in sorted((root / d).rglob("*.py")):
            tree = _tree(f)
            if pkg_dir in f.parents and any(
                    isinstance(x, ast.Name) and x.id == name and isinstance(x.ctx, ast.Load) for x in ast.walk(tree)):
                out.append(f"{f.relative_to(root)} uses {name}")
            if pkg_dir not in f.parents and f != own and any(
                    isinstance(x, ast.ImportFrom) and x.module
                    and (x.module == package or x.module.startswith(package + "."))
                    and any(a.name == name for a in x.names) for x in ast.walk(tree)):
                out.append(f"{f.relative_to(root)} imports {name}")
    return out


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


def test_every_patch_of_a_split_module_reaches_the_code_that_reads_it():
    patches = split_module_patches(ROOT / "tests")
    assert len(patches) >= 8  # the scan finds the tests' patches of analytics.cached (page_call, source_of, ...)
    bad = [f"{file}:{line}: setattr({module}, {name!r}) misses {by}" for file, line, module, name in patches
           if (by := split_readers(module, name))]
    assert not bad, "\n".join(bad)


def test_the_split_module_scan_catches_a_patch_that_misses(tmp_path):
    # analytics.cached re-exports a function of analytics.serving that the package's own code calls bare
    pkg = tmp_path / "analytics" / "serving"
    pkg.mkdir(parents=True)
    for d in CODE_DIRS[1:]:
        (tmp_path / d).mkdir()
    (pkg / "__init__.py").write_text("from .work import helper, run\n")
    (pkg / "work.py").write_text("def helper():\n    return 1\n\n\ndef run():\n    return helper()\n")
    (tmp_path / "analytics" / "cached.py").write_text("from analytics.serving.work import helper, run\n")
    (tmp_path / "components" / "ui.py").write_text("from analytics.serving import run\n")
    assert split_readers("analytics.cached", "helper", tmp_path) == ["analytics/serving/work.py uses helper"]
    assert split_readers("analytics.cached", "run", tmp_path) == ["components/ui.py imports run"]
    assert split_readers("analytics.cached", "other", tmp_path) == []
    # the real case this guards: stale_view, moved to analytics.serving.swr, reads uses_engine there
    assert split_readers("analytics.cached", "uses_engine") == ["analytics/serving/swr.py uses uses_engine"]


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
