"""Docstrings and function length of analytics/ and data/, read with ``ast`` (nothing is imported).

Every public function (module level, no leading underscore) and every public method of a public class has a
numpydoc docstring: a ``Parameters`` section naming each argument (besides self / cls) when it takes any, and
a ``Returns`` section when it returns a value (a ``return <expr>`` other than ``return None``). No function
(public or not, nested or not) is longer than MAX_LINES lines of code (its docstring not counted), except
those in LONG_ALLOWED, each with its reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("analytics", "data")
MAX_LINES = 100

# (path, function name) -> why it is still longer than MAX_LINES
LONG_ALLOWED = {
    ("analytics/competitors/charts.py", "figures"): "split pending: parallel edits (charts being reworked)",
    ("analytics/evaluation/charts.py", "figures"): "split pending: parallel edits (charts being reworked)",
    ("analytics/market/charts.py", "figures"): "split pending: parallel edits (charts being reworked)",
    ("analytics/promotions/planning.py", "plan"): "split pending: parallel edits",
    ("analytics/segmentation/presentation.py", "present"): "split pending: parallel edits (new tab)",
    ("data/demo/competitors.py", "_competitors_frame"): "not split yet: issue 15 item 7 split analytics/ only",
    ("data/mapping/conversion.py", "to_canonical"): "not split yet: issue 15 item 7 split analytics/ only",
    ("data/reader/xlsx.py", "_read_xlsx"): "not split yet: issue 15 item 7 split analytics/ only",
    ("data/reader/stream.py", "chunks"): "not split yet: issue 15 item 7 split analytics/ only",
}

_SECTION = r"^[ \t]*{}[ \t]*\n[ \t]*-{{3,}}[ \t]*$"


def _section(doc: str, name: str) -> str | None:
    """The body of the numpydoc section ``name`` of ``doc`` (up to the next section), or None."""
    m = re.search(_SECTION.format(name), doc, re.M)
    if not m:
        return None
    rest = doc[m.end():]
    nxt = re.search(r"^[ \t]*\w[\w ]*[ \t]*\n[ \t]*-{3,}[ \t]*$", rest, re.M)
    return rest[: nxt.start()] if nxt else rest


def _arguments(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    a = fn.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
    names += [v.arg for v in (a.vararg, a.kwarg) if v is not None]
    return [n for n in names if n not in ("self", "cls")]


def _returns_value(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``fn`` itself (not a function or class nested in it) has a ``return <expr>``."""
    stack = list(fn.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            return True
        stack.extend(ast.iter_child_nodes(node))
    return False


def _public(tree: ast.Module):
    """(qualified name, node) of the public functions and the public methods of public classes."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)) and not sub.name.startswith("_"):
                    yield f"{node.name}.{sub.name}", sub


def docstring_problems(source: str) -> list[str]:
    """The docstring problems of one module's source, one ``name: reason`` string each."""
    problems = []
    for name, fn in _public(ast.parse(source)):
        doc = ast.get_docstring(fn)
        if not doc:
            problems.append(f"{name}: no docstring")
            continue
        args = _arguments(fn)
        if args:
            params = _section(doc, "Parameters")
            if params is None:
                problems.append(f"{name}: no Parameters section")
            else:
                documented = set()
                for line in params.splitlines():  # "name : type" or "a, b : type" at the margin
                    m = re.match(r"(\*{0,2}[A-Za-z_]\w*(?:\s*,\s*\*{0,2}[A-Za-z_]\w*)*)\s*(?::|$)", line)
                    if m:
                        documented.update(n.strip().lstrip("*") for n in m.group(1).split(","))
                missing = [a for a in args if a not in documented]
                if missing:
                    problems.append(f"{name}: Parameters does not name {', '.join(missing)}")
        if _returns_value(fn) and _section(doc, "Returns") is None:
            problems.append(f"{name}: returns a value but has no Returns section")
    return problems


def code_lines(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function from its ``def`` to its end, its docstring left out (documenting a function
    never makes it too long)."""
    n = fn.end_lineno - fn.lineno + 1
    first = fn.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        n -= first.end_lineno - first.lineno + 1
    return n


def long_functions(source: str, max_lines: int = MAX_LINES) -> list[tuple[str, int]]:
    """(name, code lines) of every function of the source, nested ones included, longer than ``max_lines``."""
    return [(node.name, code_lines(node)) for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and code_lines(node) > max_lines]


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def test_the_checker_finds_what_is_missing():
    src = '''
def no_doc(x):
    return x

def no_params(x):
    """Summary."""

def half(x, y):
    """Summary.

    Parameters
    ----------
    x : int
        The x.
    """

def no_returns():
    """Summary."""
    return 1

def fine(x, *rest, **kw):
    """Summary.

    Parameters
    ----------
    x : int
        The x, with a colon: here.
    *rest
        More.
    **kw
        Options.

    Returns
    -------
    int
        The x.
    """
    def inner():
        return 2
    return x

def returns_none(x=None):
    """Summary.

    Parameters
    ----------
    x : None
        Ignored.
    """
    return None

class Public:
    def method(self):
        return 1

    def _private(self, a):
        return a

class _Private:
    def method(self, a):
        return a
'''
    assert docstring_problems(src) == [
        "no_doc: no docstring",
        "no_params: no Parameters section",
        "half: Parameters does not name y",
        "no_returns: returns a value but has no Returns section",
        "Public.method: no docstring",
    ]
    body = "\n".join(["def long():"] + ["    x = 1"] * 100)
    assert long_functions(body) == [("long", 101)]
    assert long_functions(body, max_lines=101) == []
    documented = "\n".join(["def long():", '    """Summary.', *["    more"] * 20, '    """'] + ["    x = 1"] * 99)
    assert long_functions(documented) == []


@pytest.mark.parametrize("path", _modules(), ids=_rel)
def test_public_functions_have_numpydoc_docstrings(path: Path):
    assert docstring_problems(path.read_text(encoding="utf-8")) == []


def test_no_function_is_longer_than_a_screen():
    found = {(_rel(p), name): n for p in _modules() for name, n in long_functions(p.read_text(encoding="utf-8"))}
    assert {k: n for k, n in found.items() if k not in LONG_ALLOWED} == {}
    # the allow-list shrinks as functions are split: an entry for a function now short (or gone) is stale
    assert sorted(set(LONG_ALLOWED) - set(found)) == []
    assert all(reason.strip() for reason in LONG_ALLOWED.values())
