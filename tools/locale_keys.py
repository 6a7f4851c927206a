"""Keep the locale catalogues (analytics/locales/<namespace>.json) to one convention.

    python tools/locale_keys.py          # apply: rename prefixes, merge exact duplicates, drop unused keys
    python tools/locale_keys.py --check  # change nothing; exit 1 listing what the run would change

What a run does, in the catalogues AND in every use in analytics/, components/, pages/, data/, tests/ and
app.py (string literals, f-string prefixes, key tuples and dicts):

1. renames the prefixes of :data:`RENAMES` (``warn.`` -> ``warning.``, ``fig.`` -> ``chart.``, a module
   catalogue's ``ui.`` -> ``page.``, ``param_help.`` -> ``help.``); a renamed key that meets an existing key
   with the same English and Chinese text is merged into it;
2. merges texts stored twice: within a catalogue, two keys with the same English AND Chinese text whose
   every use is a literal (so each use can be rewritten), and the ``kpi.`` / ``col.`` / ``label.`` triple of
   one name (every lookup of a column or KPI label falls back across the three, ``kpi.`` first); across
   catalogues, a module key used only in full (``"market.x"``) whose text the shared ``ui`` catalogue
   already holds;
3. drops keys no code uses (see :func:`usage`): no literal names them and no f-string of an allowed
   dynamic family (:data:`FAMILIES`) can produce them.

It is idempotent (a second run changes nothing); re-run it after merging branches that added keys.
The convention itself is documented in docs/architecture.md ("Texts and languages").
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import re
import sys
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "analytics" / "locales"
CODE = ("analytics", "components", "pages", "data", "tests", "app.py")
SHARED = "ui"
LANGS = ("en", "zh")

# (old prefix, new prefix, namespaces it does not apply to): the smaller group takes the larger one's name
RENAMES: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("warn.", "warning.", frozenset()),
    ("fig.", "chart.", frozenset()),
    ("ui.", "page.", frozenset({SHARED})),  # in the ui catalogue "ui." is the namespace itself
    ("param_help.", "help.", frozenset()),
)

# Families of keys built at run time (f"{ns}.col.{name}", "market.promo." + key): a member counts as used when
# an f-string (or a literal prefix) of the code can produce it. The generic lookups are kpi. / col. / label.
# (tables.label, Kit.label, kpi cards), metric. (hover definitions, docs/metrics.md), param. / help. / choice.
# (components.page); the rest are a page's own enumerations. Every family the code produces must be listed,
# and every listed family must be produced (tests/unit/test_locales.py).
FAMILIES: tuple[str, ...] = (
    "action.", "admin.", "attr.", "aud.", "auth.", "ceiling.", "cf.", "chart.", "choice.", "churn.", "clv.", "col.", "common.",
    "compare.", "control_how.", "crm.", "data.", "denied.", "dim.", "drill.", "elasticity.", "factor.",
    "feasibility.", "finding.", "forecast.", "format.", "grain.", "grain_unit.", "group.", "grow.", "help.", "incr.",
    "home.", "incentive.", "item.", "join.", "kind.", "kpi.", "label.", "memo.", "method.", "metric.",
    "missing.", "model.", "month.", "month_full.", "name.", "nav.", "next.", "offer.", "outcome.", "page.",
    "param.", "phase.", "promo.", "reason.", "risk.", "role.", "sample.", "save.", "saved.", "slot.",
    "source.", "step.", "store.", "tab.", "table.", "target.", "template.", "tier.", "unit.", "value.", "warning.",
    "weekday.",
)

# keys (namespace-qualified) used in a way no scan can see; keep this empty if at all possible
KEEP: frozenset[str] = frozenset()


# ---------------------------------------------------------------------------------------------- catalogues

def load() -> dict[str, dict[str, dict[str, str]]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(LOCALES.glob("*.json"))}


def dump(ns: str, cat: dict) -> bool:
    path = LOCALES / f"{ns}.json"
    old = path.read_text(encoding="utf-8")
    # the file's own layout (indent, final newline), so a run's diff is the changed keys only
    m = re.search(r"\n( +)\S", old)
    indent = len(m.group(1)) if m else 2
    new = json.dumps(cat, ensure_ascii=False, indent=indent) + ("\n" if old.endswith("\n") else "")
    if new != old:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def _rename_in(cat: dict, old: str, new: str) -> None:
    """Rename key ``old`` to ``new`` in both languages, keeping its place; ``new`` present: drop ``old``."""
    for lang in LANGS:
        d = cat[lang]
        if old not in d:
            continue
        if new in d:
            del d[old]
            continue
        cat[lang] = {(new if k == old else k): v for k, v in d.items()}


def _drop(cat: dict, key: str) -> None:
    for lang in LANGS:
        cat[lang].pop(key, None)


def _text(cat: dict, key: str) -> tuple[str | None, ...]:
    return tuple(cat[lang].get(key) for lang in LANGS)


# --------------------------------------------------------------------------------------------------- code

def code_files() -> list[Path]:
    out: list[Path] = []
    for part in CODE:
        p = ROOT / part
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            out.extend(sorted(q for q in p.rglob("*.py") if ".venv" not in q.parts and "__pycache__" not in q.parts))
    return out


@dataclass(frozen=True)
class Literal:
    """A string of the code: ``parts`` are its literal texts between placeholders (one part: no f-string)."""

    path: Path
    parts: tuple[str, ...]

    @property
    def dynamic(self) -> bool:
        return len(self.parts) > 1

    def regex(self) -> re.Pattern[str]:
        # a placeholder stands for one segment of a key (no dot), so f"{ns}.col.{c}" is the col. family
        return re.compile(r"([^.]*)".join(re.escape(p) for p in self.parts))


def _parts(node: ast.AST) -> tuple[str, ...] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.JoinedStr):
        parts, cur = [], ""
        for v in node.values:
            if isinstance(v, ast.Constant):
                cur += str(v.value)
            else:
                parts.append(cur)
                cur = ""
        parts.append(cur)
        return tuple(parts)
    return None


def literals(files: list[Path] | None = None) -> list[Literal]:
    out: list[Literal] = []
    for path in files or code_files():
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        inner: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                inner.update(id(v) for v in node.values)
                for v in node.values:  # format specs hold JoinedStr/Constant of their own
                    if isinstance(v, ast.FormattedValue) and v.format_spec is not None:
                        inner.update(id(x) for x in ast.walk(v.format_spec))
        for node in ast.walk(tree):
            if id(node) in inner:
                continue
            parts = _parts(node)
            if parts is not None and any(re.search(r"[A-Za-z]", p) for p in parts):
                out.append(Literal(path, parts))
    return out


def _rewrite_strings(src: str, fn) -> str:
    """``src`` with ``fn`` applied to the text of every string token (f-strings included)."""
    tokens = list(tokenize.generate_tokens(io.StringIO(src).readline))
    lines = src.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits = []
    for tok in tokens:
        if tok.type == tokenize.STRING:
            new = fn(tok.string)
            if new != tok.string:
                a = offsets[tok.start[0] - 1] + tok.start[1]
                b = offsets[tok.end[0] - 1] + tok.end[1]
                edits.append((a, b, new))
    for a, b, new in reversed(edits):
        src = src[:a] + new + src[b:]
    return src


# ----------------------------------------------------------------------------------------------- renaming

_KEYCHARS = r"[\w.\-]*"


def _has(cat: dict, rest: str, open_end: bool) -> bool:
    return any(k.startswith(rest) for k in cat["en"]) if open_end else rest in cat["en"]


def rename_in_string(s: str, cats: dict, old: str, new: str, skip: frozenset[str]) -> str:
    """Rename key prefix ``old`` to ``new`` inside one string token's source text, where the text names a key
    that exists (under the old or the new name): ``"ns.old.x"``, ``f"{ns}.old.x"``, a relative ``"old.x"``."""
    applies = {ns: c for ns, c in cats.items() if ns not in skip}
    oe, ne = re.escape(old), re.escape(new)
    # the start of a string token, or of a string nested in an f-string's call: f"**{k.t('ui.x')}**"
    q = r"""(?:^[rRbBuUfF]{0,2}(?:'''|\"\"\"|'|")|\([fF]?['"])"""

    def known(ns_cats: dict, tail: str, end: str) -> bool:
        open_end = end == "{"
        return any(_has(c, old + tail, open_end) or _has(c, new + tail, open_end) for c in ns_cats.values())

    # 1. a full key "ns.old.tail"
    def full(m: re.Match) -> str:
        ns, tail, end = m.group(1), m.group(2), m.group(3)
        if ns in applies and known({ns: applies[ns]}, tail, end):
            return f"{ns}.{new}{tail}{end}"
        return m.group(0)

    s = re.sub(rf"(?<![\w.{{}}])([a-z]+)\.{oe}({_KEYCHARS})(\{{|['\"]|$|\s)", full, s)

    # 2. a placeholder namespace f"{ns}.old.tail"
    def placeholder(m: re.Match) -> str:
        tail, end = m.group(1), m.group(2)
        return f"}}.{new}{tail}{end}" if known(applies, tail, end) else m.group(0)

    s = re.sub(rf"\}}\.{oe}({_KEYCHARS})(\{{|['\"]|$|\s)", placeholder, s)

    # 3. a relative key at the start of the string, "old.tail" (kit.t("warn.x")); not a full key of another
    #    namespace that happens to begin with the same word ("ui.page.findings")
    def relative(m: re.Match) -> str:
        head, tail, end = m.group(1), m.group(2), m.group(3)
        whole = old + tail
        ns0, _, rest0 = whole.partition(".")
        if ns0 in cats and _has(cats[ns0], rest0, end == "{"):
            return m.group(0)
        return f"{head}{new}{tail}{end}" if known(applies, tail, end) else m.group(0)

    s = re.sub(rf"({q}){oe}({_KEYCHARS})(\{{|['\"])", relative, s)
    del ne
    return s


# ------------------------------------------------------------------------------------------------- usage

@dataclass
class Usage:
    """How each catalogue key is used: ``literal`` (named in full or relative), ``family`` (an f-string of an
    allowed family can produce it), and the f-string families found (``families``: prefix -> example)."""

    literal: set[str] = field(default_factory=set)           # "ns.rest"
    by_family: dict[str, str] = field(default_factory=dict)  # "ns.rest" -> family prefix
    families: dict[str, str] = field(default_factory=dict)   # prefix -> an f-string producing it
    dynamic_users: dict[str, set[Path]] = field(default_factory=lambda: defaultdict(set))  # key -> files of f-strings
    relative_files: dict[str, set[Path]] = field(default_factory=lambda: defaultdict(set))  # "ns.rest" -> files
    full_files: dict[str, set[Path]] = field(default_factory=lambda: defaultdict(set))

    def used(self, key: str) -> bool:
        return key in self.literal or key in self.by_family or key in KEEP


def _family(lit: Literal, rest: str, m: re.Match, offset: int) -> str:
    """The family of a key matched by an f-string: the first segment of the rest when a placeholder lies
    after it ("" when a placeholder stands for the first segment)."""
    for i in range(1, (m.re.groups or 0) + 1):
        start = m.start(i) - offset
        if start >= 0:
            head = rest[:start]
            return head[: head.find(".") + 1] if "." in head else ""  # the first segment names the family
    return ""


_IMPORTERS: dict[str, set[Path]] = {}


def _scope(path: Path, cats: dict) -> set[str] | None:
    """The namespaces a file's relative keys and placeholder namespaces ({ns}, {NS}) can be: a page's
    script and analytics module speak for the page (home, admin: ui); a component imported only by page
    scripts speaks for those pages; anything else (shared components, tests) for every namespace."""
    ns_files = namespace_files()
    if path in ns_files:
        ns = ns_files[path]
        return {ns, SHARED} if ns in cats else {SHARED}  # tr("data.x") without a namespace is ui's
    if path.parent == ROOT / "components":
        if not _IMPORTERS:
            for f in code_files():
                if f.relative_to(ROOT).parts[0] == "tests":
                    continue
                src = f.read_text(encoding="utf-8")
                for m in re.finditer(r"from components import ([^\n]+)|components\.(\w+)", src):
                    names = re.findall(r"(\w+)(?: as \w+)?", m.group(1)) if m.group(1) else [m.group(2)]
                    for n in names:
                        _IMPORTERS.setdefault(n, set()).add(f)
        users = _IMPORTERS.get(path.stem, set())
        if users and all(u in ns_files for u in users):
            return {ns_files[u] if ns_files[u] in cats else SHARED for u in users} | {SHARED}
    return None


def _expand(lits: list[Literal], cats: dict) -> list[Literal]:
    """The literals as keys: a literal ending in "." or "_" is a prefix the code completes ("market.promo." +
    key); a namespace-qualified prefix of keys ("evaluation.item", a column's ``values``) names the family
    under it; a relative literal in the files of a page without a catalogue (home, admin) is ``ui.<page>.``."""
    prefixes = set()
    for ns, cat in cats.items():
        for rest in cat["en"]:
            for full in (f"{ns}.{rest}", rest):
                for i, ch in enumerate(full):
                    if ch in "._":  # "market.finding.change_up" + "_units"
                        prefixes.add(full[:i])
    ns_files = namespace_files()
    out: list[Literal] = []
    for lit in lits:
        own = ns_files.get(lit.path)
        variants = [lit]
        if own is not None and own not in cats:
            variants.append(Literal(lit.path, (f"{SHARED}.{own}.{lit.parts[0]}",) + lit.parts[1:]))
        for v in variants:
            out.append(v)
            if not v.dynamic:
                s = v.parts[0]
                if re.fullmatch(r"[\w.\-]*[A-Za-z][\w.\-]*[._]", s):
                    out.append(Literal(v.path, (s, "")))
                elif "." in s and s in prefixes:  # "evaluation.item" (a column's values), a key + "_units"
                    out += [Literal(v.path, (s + ".", "")), Literal(v.path, (s, ""))]
    return out


def usage(cats: dict | None = None, lits: list[Literal] | None = None) -> Usage:
    cats = cats if cats is not None else load()
    lits = _expand(lits if lits is not None else literals(), cats)
    u = Usage()
    plain: dict[str, set[Path]] = defaultdict(set)
    dyn: list[tuple[Literal, re.Pattern[str]]] = []
    for lit in lits:
        if lit.dynamic:
            dyn.append((lit, lit.regex()))
        else:
            plain[lit.parts[0]].add(lit.path)
    targets = []
    for ns, cat in cats.items():
        for rest in cat["en"]:
            key = f"{ns}.{rest}"
            targets.append((key, rest, ns))
            if key in plain:
                u.literal.add(key)
                u.full_files[key] |= plain[key]
            if rest in plain:
                u.literal.add(key)
                u.relative_files[key] |= plain[rest]
    for lit, rx in dyn:
        head, longest = lit.parts[0], max(lit.parts, key=len)
        scope = _scope(lit.path, cats)
        for key, rest, ns in targets:
            if longest not in key:
                continue
            for target, offset in ((key, len(ns) + 1), (rest, 0)):
                if not target.startswith(head):
                    continue
                # a relative key, or a namespace behind a placeholder, is one of the file's own namespaces
                if scope is not None and ns not in scope and not (offset and head.startswith(ns + ".")):
                    continue
                m = rx.fullmatch(target)
                if m is None:
                    continue
                fam = _family(lit, rest, m, offset)
                if fam == "":
                    # only the namespace (or nothing) is a placeholder: the key is named in full
                    if all(m.start(i) < offset for i in range(1, (m.re.groups or 0) + 1)):
                        u.literal.add(key)
                    continue
                u.dynamic_users[key].add(lit.path)
                u.families.setdefault(fam, "{}".join(lit.parts) + f"  ({lit.path.relative_to(ROOT)})")
                u.by_family.setdefault(key, fam)
                break
    return u


# ------------------------------------------------------------------------------------------------ planning

@dataclass
class Plan:
    renames: list[tuple[str, str, str]] = field(default_factory=list)  # (ns, old key, new key)
    conflicts: list[str] = field(default_factory=list)
    merges: list[tuple[str, str, str, str]] = field(default_factory=list)  # (ns, dropped, kept ns, kept key)
    unused: list[tuple[str, str]] = field(default_factory=list)
    files: dict[Path, str] = field(default_factory=dict)  # rewritten sources

    def empty(self) -> bool:
        return not (self.renames or self.merges or self.unused or self.files)


def _apply_renames(cats: dict, plan: Plan) -> None:
    for ns, cat in cats.items():
        for old, new, skip in RENAMES:
            if ns in skip:
                continue
            for k in [k for k in cat["en"] if k.startswith(old)]:
                nk = new + k[len(old):]
                if nk in cat["en"] and _text(cat, nk) != _text(cat, k):
                    if old == "param_help.":
                        # param_help.<p> was looked up before help.<p>: its text is the one users saw
                        for lang in LANGS:
                            cat[lang][nk] = cat[lang][k]
                    else:
                        plan.conflicts.append(f"{ns}: {k} -> {nk}: {nk} exists with another text; left as is")
                        continue
                _rename_in(cat, k, nk)
                plan.renames.append((ns, k, nk))


def _rewrite_code(cats_before: dict, cats_after: dict, plan: Plan, key_map: dict[str, str]) -> None:
    """Apply the prefix renames and the exact-key replacements ``key_map`` ("ns.old" -> "ns2.new") to code."""
    both = {ns: {"en": {**cats_before[ns]["en"], **cats_after.get(ns, {"en": {}})["en"]}} for ns in cats_before}
    rel_map: dict[str, dict[str, str]] = defaultdict(dict)  # ns -> relative old -> relative new (same ns)
    full_map = dict(key_map)
    for old_full, new_full in key_map.items():
        ons, _, orest = old_full.partition(".")
        nns, _, nrest = new_full.partition(".")
        if ons == nns:
            rel_map[ons][orest] = nrest
    ns_files = namespace_files()
    for path in code_files():
        src = plan.files.get(path) or path.read_text(encoding="utf-8")
        file_ns = ns_files.get(path)

        def fn(tok: str) -> str:
            s = tok
            for old, new, skip in RENAMES:
                if old in s:
                    s = rename_in_string(s, both, old, new, skip)
            m = re.fullmatch(r"""([rRuU]?)(['"])([\w.\-]+)\2""", s)
            if m:
                body = m.group(3)
                if body in full_map:
                    return f"{m.group(1)}{m.group(2)}{full_map[body]}{m.group(2)}"
                if file_ns and body in rel_map.get(file_ns, {}):
                    return f"{m.group(1)}{m.group(2)}{rel_map[file_ns][body]}{m.group(2)}"
            return s

        new_src = _rewrite_strings(src, fn)
        if new_src != path.read_text(encoding="utf-8"):
            plan.files[path] = new_src


def namespace_files() -> dict[Path, str]:
    """The code files that speak for one namespace (relative keys there are that namespace's): the page
    script and the analytics module of every registered page."""
    sys.path.insert(0, str(ROOT))
    from analytics.registry import ADMIN, HOME, PAGES

    out: dict[Path, str] = {}
    for p in (*PAGES, HOME, ADMIN):
        if p.script:
            out[ROOT / p.script] = p.namespace
        if p.module:
            base = ROOT / Path(*p.module.split("."))
            if base.is_dir():
                for q in base.rglob("*.py"):
                    out[q] = p.namespace
            elif base.with_suffix(".py").is_file():
                out[base.with_suffix(".py")] = p.namespace
    return out


def _merge_candidates(cats: dict, u: Usage) -> list[tuple[str, str, str, str]]:
    """Exact duplicates (English and Chinese) that can be merged without changing any lookup."""
    ns_files = namespace_files()
    merges: list[tuple[str, str, str, str]] = []

    def rewritable(key: str) -> bool:
        """Every use of ``key`` is a literal the tool can rewrite (full, or relative in its own files)."""
        if key in u.by_family or key in KEEP or key not in u.literal:
            return False
        ns = key.split(".", 1)[0]
        return all(ns_files.get(f) == ns for f in u.relative_files.get(key, ()))

    for ns, cat in cats.items():
        groups: dict[tuple, list[str]] = defaultdict(list)
        for k in cat["en"]:
            groups[_text(cat, k)].append(k)
        for keys in groups.values():
            if len(keys) < 2:
                continue
            # the kpi./col./label. labels of one name: every label lookup falls back across them, kpi. first
            by_name: dict[str, list[str]] = defaultdict(list)
            for k in keys:
                fam, _, name = k.partition(".")
                if fam in ("kpi", "col", "label") and "." not in name:
                    by_name[name].append(k)
            for name, ks in by_name.items():
                if len(ks) > 1:
                    kept = sorted(ks, key=lambda k: ("kpi", "col", "label").index(k.split(".")[0]))[0]
                    merges += [(ns, k, ns, kept) for k in ks if k != kept and not _direct_family_use(f"{ns}.{k}", u)]
            static = [k for k in keys if rewritable(f"{ns}.{k}")]
            if len(static) > 1:
                kept = static[0]
                merges += [(ns, k, ns, kept) for k in static[1:]]
    if SHARED in cats:
        shared = defaultdict(list)
        for k in cats[SHARED]["en"]:
            shared[_text(cats[SHARED], k)].append(k)
        for ns, cat in cats.items():
            if ns == SHARED:
                continue
            for k in cat["en"]:
                key = f"{ns}.{k}"
                hit = shared.get(_text(cat, k))
                if hit and key not in u.by_family and key in u.literal and not u.relative_files.get(key) and key not in KEEP:
                    merges.append((ns, k, SHARED, hit[0]))
    seen, out = set(), []
    for m in merges:
        if (m[0], m[1]) not in seen:
            seen.add((m[0], m[1]))
            out.append(m)
    return out


# the lookups that fall back across kpi. / col. / label. of one name (components.ui, analytics.tables)
CHAINS = frozenset({ROOT / "analytics" / "tables.py", ROOT / "components" / "ui.py"})


def _direct_family_use(key: str, u: Usage) -> bool:
    """A col. / label. key named by a literal or by an f-string outside the fallback chains (it is looked up
    without the fallback, e.g. f"competitors.label.{metric}"): keep it."""
    return key in u.literal or bool(u.dynamic_users.get(key, set()) - CHAINS)


def plan(cats: dict | None = None) -> tuple[Plan, dict]:
    before = cats if cats is not None else load()
    cats = json.loads(json.dumps(before))
    p = Plan()
    _apply_renames(cats, p)
    key_map: dict[str, str] = {}
    # rewrite code for the renames first, then look at the uses as they will be
    _rewrite_code(before, cats, p, key_map)
    lits = _literals_after(p)
    u = usage(cats, lits)
    for ns, k, kns, kk in _merge_candidates(cats, u):
        _drop(cats[ns], k)
        p.merges.append((ns, k, kns, kk))
        key_map[f"{ns}.{k}"] = f"{kns}.{kk}"
    if key_map:
        _rewrite_code(before, cats, p, key_map)
        lits = _literals_after(p)
        u = usage(cats, lits)
    for ns, cat in cats.items():
        for k in list(cat["en"]):
            if not u.used(f"{ns}.{k}"):
                p.unused.append((ns, k))
                _drop(cat, k)
    # a key left only in one language
    for ns, cat in cats.items():
        for k in set(cat["zh"]) - set(cat["en"]):
            p.unused.append((ns, k))
            _drop(cat, k)
    return p, cats


def _literals_after(p: Plan) -> list[Literal]:
    out: list[Literal] = []
    for path in code_files():
        if path in p.files:
            tmp = _TmpSource(path, p.files[path])
            out.extend(tmp.literals())
        else:
            out.extend(literals([path]))
    return out


@dataclass
class _TmpSource:
    path: Path
    src: str

    def literals(self) -> list[Literal]:
        try:
            tree = ast.parse(self.src)
        except SyntaxError:
            return []
        inner: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                inner.update(id(v) for v in node.values)
                for v in node.values:
                    if isinstance(v, ast.FormattedValue) and v.format_spec is not None:
                        inner.update(id(x) for x in ast.walk(v.format_spec))
        out = []
        for node in ast.walk(tree):
            if id(node) in inner:
                continue
            parts = _parts(node)
            if parts is not None and any(re.search(r"[A-Za-z]", x) for x in parts):
                out.append(Literal(self.path, parts))
        return out


def report(p: Plan) -> list[str]:
    lines = [f"rename {ns}.{a} -> {ns}.{b}" for ns, a, b in p.renames]
    lines += [f"merge {ns}.{a} into {kns}.{b} (same en and zh text)" for ns, a, kns, b in p.merges]
    lines += [f"drop unused {ns}.{k}" for ns, k in p.unused]
    lines += [f"rewrite {path.relative_to(ROOT)}" for path in sorted(p.files)]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 listing what would change")
    args = ap.parse_args(argv)
    p, cats = plan()
    for c in p.conflicts:
        print("conflict:", c, file=sys.stderr)
    lines = report(p)
    if args.check:
        for line in lines:
            print(line)
        return 1 if lines else 0
    for ns, cat in cats.items():
        dump(ns, cat)
    for path, src in p.files.items():
        path.write_text(src, encoding="utf-8")
    print(f"{len(p.renames)} renamed, {len(p.merges)} merged, {len(p.unused)} unused dropped, "
          f"{len(p.files)} code files rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
