"""The locale catalogues keep one convention (tools/locale_keys.py, docs/architecture.md): every key the code
looks up exists in English and Chinese, every key is used, no prefix is left to rename, no text is stored
twice where the tool could merge it."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import locale_keys as L  # noqa: E402

APP_CODE = ("analytics", "components", "pages", "data", "app.py")


@pytest.fixture(scope="module")
def cats():
    return L.load()


@pytest.fixture(scope="module")
def use(cats):
    return L.usage(cats)


def _app_files() -> list[Path]:
    return [p for p in L.code_files() if p.relative_to(ROOT).parts[0] in APP_CODE]


def _lookups(ns_names: set[str]) -> list[tuple[Path, int, str, tuple[str, ...]]]:
    """(file, line, namespace, literal parts of the rest) of every translation call with a literal key:
    t / tr / ui.say with a full key (tr: no namespace -> ui), a page kit's k.t / k.say in a page's files."""
    ns_files = L.namespace_files()
    out = []
    for path in _app_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            parts = L._parts(node.args[0])
            if parts is None:
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else None
            if name not in ("t", "tr", "say"):
                continue
            head = parts[0]
            first, dot, rest0 = head.partition(".")
            if isinstance(f, ast.Attribute) and owner not in ("ui", "i18n") and path in ns_files:
                ns = ns_files[path]  # a page kit: the page's namespace (home, admin: ui.<page>.)
                if ns in ns_names:
                    out.append((path, node.lineno, ns, parts))
                else:
                    out.append((path, node.lineno, L.SHARED, (f"{ns}.{head}",) + parts[1:]))
            elif isinstance(f, ast.Attribute) and owner not in ("ui", "i18n"):
                continue  # a kit outside the page's files: its namespace is not known here
            elif dot and first in ns_names and (len(parts) == 1 or rest0):
                out.append((path, node.lineno, first, (rest0,) + parts[1:]))
            elif name in ("tr", "say") and head and not head.startswith("{"):
                out.append((path, node.lineno, L.SHARED, parts))
    return out


def test_every_key_looked_up_exists_in_both_languages(cats):
    missing = []
    lookups = _lookups(set(cats))
    assert len(lookups) > 500  # the scan sees the code's lookups
    for path, line, ns, parts in lookups:
        for lang in L.LANGS:
            keys = cats[ns][lang]
            if len(parts) == 1:
                ok = parts[0] in keys
            else:  # an f-string: some key must complete it
                rx = re.compile("[^.]*".join(re.escape(p) for p in parts))
                ok = any(rx.fullmatch(k) for k in keys)
            if not ok:
                missing.append(f"{path.relative_to(ROOT)}:{line}: {ns}.{'{}'.join(parts)} ({lang})")
    assert not missing, "keys looked up but missing:\n" + "\n".join(missing)


def test_a_missing_key_is_reported(cats, tmp_path, monkeypatch):
    """The lookup scan is not blind: a page script asking for a key no catalogue holds is found."""
    script = ROOT / "pages" / "market_overview.py"
    fake = script.read_text(encoding="utf-8") + '\nk.t("page.no_such_key_anywhere")\n'
    real_read = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **kw: fake if self == script else real_read(self, *a, **kw))
    found = [(ns, parts) for path, _, ns, parts in _lookups(set(cats)) if path == script]
    assert ("market", ("page.no_such_key_anywhere",)) in found
    assert "page.no_such_key_anywhere" not in cats["market"]["en"]


def test_en_and_zh_hold_the_same_keys(cats):
    for ns, cat in cats.items():
        assert set(cat["en"]) == set(cat["zh"]), ns


def test_every_key_is_used(cats, use):
    unused = [f"{ns}.{k}" for ns, cat in cats.items() for k in cat["en"] if not use.used(f"{ns}.{k}")]
    assert not unused, "keys no code uses (drop them with tools/locale_keys.py):\n" + "\n".join(unused)


def test_dynamic_families_are_declared_and_generated(use):
    produced = set(use.families)
    undeclared = sorted(produced - set(L.FAMILIES))
    assert not undeclared, f"families built at run time but not in tools/locale_keys.FAMILIES: {undeclared}"
    unproduced = sorted(set(L.FAMILIES) - produced)
    assert not unproduced, f"FAMILIES no code produces any more (remove them): {unproduced}"


def test_no_prefix_left_to_rename(cats):
    old = [(ns, k) for ns, cat in cats.items() for k in cat["en"]
           for o, _, skip in L.RENAMES if ns not in skip and k.startswith(o)]
    assert not old


def test_locale_keys_check_is_clean():
    plan, _ = L.plan()
    assert plan.empty(), "run: python tools/locale_keys.py\n" + "\n".join(L.report(plan))


def test_the_tool_renames_a_key_and_its_uses():
    """A warn. key and its uses in full, behind a placeholder and relative are renamed; others are not."""
    cats = {"evaluation": {"en": {"warn.x": "X", "page.a": "A"}, "zh": {"warn.x": "叉", "page.a": "甲"}},
            "ui": {"en": {"page.findings": "F"}, "zh": {"page.findings": "发"}}}
    f = L.rename_in_string
    assert f('t("evaluation.warn.x")'[2:-1], cats, "warn.", "warning.", frozenset()) == '"evaluation.warning.x"'
    assert f('f"{NS}.warn.x"', cats, "warn.", "warning.", frozenset()) == 'f"{NS}.warning.x"'
    assert f('"warn.x"', cats, "warn.", "warning.", frozenset()) == '"warning.x"'
    assert f('"warn.y"', cats, "warn.", "warning.", frozenset()) == '"warn.y"'  # no such key: untouched
    assert f('"ui.page.findings"', cats, "ui.", "page.", frozenset({"ui"})) == '"ui.page.findings"'


def test_no_mergeable_duplicate_text_within_a_catalogue(cats, use):
    """Texts stored twice under keys whose uses are all literals are merged by the tool; what remains shares
    a text across lookup roles (a parameter's label and a column header) or within run-time families."""
    assert not L._merge_candidates(cats, use)
