"""User and URL text never reaches Streamlit's Markdown unescaped (issue 12, item 7).

Two halves: components.ui.md_escape / say neutralise every Markdown construct Streamlit renders, and a
static check over pages/ and components/ fails on any message call whose text is built from values
(f-string, ``+``, ``.format()``, ``%``, ``str()``, ``join``, a variable, or a translation with
non-constant values) without going through the helper.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from components import ui

ROOT = Path(__file__).resolve().parents[2]

# Streamlit calls that render their text argument as Markdown (and their container forms: c1.caption,
# st.sidebar.warning, container.info ...)
TEXT_CALLS = {"warning", "error", "info", "success", "caption", "markdown", "toast", "write", "subheader",
              "title", "header", "spinner"}
TEXT_KWARGS = {"body", "help"}  # help= tooltips are Markdown too, on every widget
# widgets and containers whose first argument is a label rendered as Markdown
LABEL_CALLS = {"metric", "expander", "popover", "status", "button", "download_button", "link_button",
               "checkbox", "toggle", "radio", "selectbox", "multiselect", "pills", "segmented_control",
               "text_input", "text_area", "number_input", "slider", "select_slider", "date_input", "time_input",
               "file_uploader", "color_picker", "form_submit_button", "tabs"}
# calls whose label= / text= keyword is Markdown: widgets, status.update(label=...), st.progress(text=...)
LABEL_KWARG_CALLS = LABEL_CALLS | {"update", "progress"}
PROJECT_MODULES = {"page", "ui", "state", "auth", "sidebar", "cached"}  # page.header(URL) is ours, not st's
HELPERS = {"say", "md_escape", "exc_text"}
# a plain value of these types (the result of str(), join, format, repr) is text built from values
BUILDERS = {"str", "repr", "format", "format_map", "join"}
# the per-page kit (components.page.Kit: ``k = v.kit``, ``page.kit(url)``) looks texts up in the catalogue like
# tr(): ``k.t("key", n=...)``, ``k.help(name)``, ``k.col(name)``; its ``say`` is the escaping helper
# ``k.fmt(value, kind)`` is a number's text (any other value comes back escaped)
KIT_LOOKUPS = {"t", "help", "col", "label", "param_label", "param_help", "choice", "fmt"}


def _is_kit(e: ast.expr) -> bool:
    return (isinstance(e, ast.Name) and e.id in ("k", "kit")) or (isinstance(e, ast.Attribute) and e.attr == "kit")


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _imported(tree: ast.Module) -> set[str]:
    """Names bound by imports (modules such as ``ui``, ``st``, ``page``): ``ui.definition(...)`` is a
    lookup in our code, ``value.strip()`` a method of data."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return out


def _local_helpers(tree: ast.Module) -> set[str]:
    """Module functions that return a helper call (``def S(key, **kw): return ui.say(...)``)."""
    out: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            rets = [n for n in ast.walk(node) if isinstance(n, ast.Return) and n.value is not None]
            if rets and all(isinstance(r.value, ast.Call) and _name(r.value.func) in HELPERS for r in rets):
                out.add(node.name)
    return out


def is_safe(e: ast.expr, helpers: set[str], names_ok: bool = False, mods: frozenset[str] = frozenset()) -> bool:
    """True when the expression cannot carry unescaped user text into Markdown."""
    if isinstance(e, ast.Constant) or (names_ok and isinstance(e, ast.Name)):
        return True
    if isinstance(e, ast.JoinedStr):  # an f-string of safe parts only (a number's format spec makes one)
        return all(_numeric_spec(v) or is_safe(v.value, helpers, names_ok, mods)
                   for v in e.values if isinstance(v, ast.FormattedValue))
    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add):
        return is_safe(e.left, helpers, names_ok, mods) and is_safe(e.right, helpers, names_ok, mods)
    if isinstance(e, ast.IfExp):
        return is_safe(e.body, helpers, names_ok, mods) and is_safe(e.orelse, helpers, names_ok, mods)
    if isinstance(e, ast.BoolOp):  # a or b
        return all(is_safe(v, helpers, names_ok, mods) for v in e.values)
    if isinstance(e, (ast.List, ast.Tuple)):  # st.tabs([...])
        return all(is_safe(v, helpers, names_ok, mods) for v in e.elts)
    if isinstance(e, ast.ListComp):
        return is_safe(e.elt, helpers, names_ok, mods)
    if isinstance(e, ast.Call):
        n = _name(e.func)
        if n in helpers:
            return True
        if n in BUILDERS:
            return False
        if isinstance(e.func, ast.Attribute) and _is_kit(e.func.value) and n in KIT_LOOKUPS:
            return all(k.arg is not None and is_safe(k.value, helpers, False, mods) for k in e.keywords)
        if isinstance(e.func, ast.Attribute) and not (isinstance(e.func.value, ast.Name) and e.func.value.id in mods):
            return False  # a method of a value (name.strip(), result.get("reason")) returns that data
        # a lookup (tr("key"), ui.definition(NS, name), fmt_number(x)) is trusted text; its named values
        # are what a template interpolates: each must be safe itself, and **kwargs never is
        return all(k.arg is not None and is_safe(k.value, helpers, False, mods) for k in e.keywords)
    return False  # a variable, subscript, attribute, % formatting: unknown text


def _numeric_spec(v: ast.FormattedValue) -> bool:
    """``f"{x:.2f}"``, ``f"{n:,}"``, ``f"{s:.1%}"``: a format spec that only a number takes (text raises)."""
    spec = v.format_spec
    if spec is None or not all(isinstance(p, ast.Constant) for p in spec.values):
        return False
    text = "".join(str(p.value) for p in spec.values)
    return re.fullmatch(r"[+\- ]?,?(\.\d+)?[dfeEgG%n]|,", text) is not None


def violations(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    helpers = HELPERS | _local_helpers(tree)
    mods = frozenset(_imported(tree))
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        texts: list[ast.expr] = []
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        ours = isinstance(receiver, ast.Name) and receiver.id in PROJECT_MODULES
        if name in TEXT_CALLS and receiver is not None and not ours:
            texts += [(a, False) for a in node.args[:1]]
        if name in LABEL_CALLS and receiver is not None:
            texts += [(a, True) for a in node.args[:1]]
        # a label or help= that is a plain variable passes a parameter on (state.selectbox(label, ...)):
        # it is checked where the caller builds it
        texts += [(k.value, k.arg != "body") for k in node.keywords if k.arg in TEXT_KWARGS]
        if name in LABEL_KWARG_CALLS and receiver is not None:
            texts += [(k.value, True) for k in node.keywords if k.arg in ("label", "text")]
        # st.metric's value and delta are Markdown (the kit's metric escapes its text value itself)
        if name == "metric" and receiver is not None and not ours and not _is_kit(receiver):
            texts += [(a, True) for a in node.args[1:3]]
            texts += [(k.value, True) for k in node.keywords if k.arg in ("value", "delta")]
        for arg, names_ok in texts:
            if not is_safe(arg, helpers, names_ok, mods):
                out.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(arg)[:120]}")
    return out


def _sources() -> list[Path]:
    return sorted([*ROOT.joinpath("pages").glob("*.py"), *ROOT.joinpath("components").glob("*.py")])


def test_every_message_with_values_goes_through_the_helper():
    bad = [v for p in _sources() for v in violations(p)]
    assert not bad, "messages built from values without components.ui.say / md_escape:\n" + "\n".join(bad)


@pytest.mark.parametrize("code, ok", [
    ('st.warning("plain")', True),
    ('st.warning(tr("page.filters"))', True),
    ('st.warning(tr("page.bad", n=fmt_number(x)))', True),
    ('st.warning(ui.say("page.bad", value=raw))', True),
    ('st.markdown(f"**{tr(\'page.findings\')}**")', True),
    ('st.markdown("- " + ui.md_escape(f))', True),
    ('st.warning(f"bad {raw}")', False),
    ('c1.caption("a" + raw)', False),
    ('st.sidebar.warning("{}".format(raw))', False),
    ('st.error(tr("data.rejected", reason=str(exc)))', False),
    ('st.info(tr("page.not_enough", reason=t(exc.key, lang(), **exc.kwargs)))', False),
    ('st.error(str(exc))', False),
    ('st.warning(result["error"])', False),
    ('container.warning(L("tiers.bad_list", value=raw))', False),
    ('c.metric("x", 1, help=L("k.auto", k=cl["k"]))', False),
    ('st.toast(msg)', False),
    ('st.success(tr("admin.added", username=username.strip()))', False),
    ('st.info(result.get("reason") or tr("page.none"))', False),
    ('import ui\nst.caption(ui.definition(NS, key) or "")', True),
    ('page.header(URL)', True),
    ('st.status(tr("data.reading", name=f.name))', False),
    ('c1.number_input(T("bounds.min", channel=c), min_value=0.0)', False),
    ('state.selectbox(label, opts, p, help=help_)', True),
    ('st.metric(k.t("label.best"), k.t("label.best_value", channel=best))', False),
    ('st.metric(k.t("label.best"), k.say("label.best_value", channel=best))', True),
    ('c.metric(k.t("kpi.k"), cl["k"])', False),
    ('c.metric(k.t("kpi.k"), fmt_number(cl["k"], lang()))', True),
    ('c.metric(k.t("kpi.e"), f"{el[\'value\']:.2f}", delta=f"{d:+.1%}")', True),
    ('c.metric(k.t("kpi.e"), f"{el[\'name\']}")', False),
    ('c.metric(k.t("kpi.e"), "1", delta=row["channel"])', False),
    ('col.metric(label, shown, delta=delta)', True),
    ('st.expander(L("saved.tgi"))', True),
])
def test_the_static_check_tells_safe_from_unsafe(tmp_path, code, ok):
    """The check itself: each unsafe form is caught, each safe form passes (so the test above can fail)."""
    probe = tmp_path / "probe.py"
    probe.write_text(code + "\n", encoding="utf-8")
    assert (violations(probe, root=tmp_path) == []) is ok


def test_local_wrapper_of_the_helper_counts_as_the_helper():
    tree = ast.parse('def S(key, **kw):\n    return ui.say(f"ns.{key}", **kw)\n'
                     'def L(key, **kw):\n    return tr(f"ns.{key}", **kw)\n')
    assert _local_helpers(tree) == {"S"}


# ---------------------------------------------------------------- md_escape and say


LINK = re.compile(r"(?<!\\)\]\(")  # "](" with no backslash before the bracket: a Markdown link


def _unescaped(md: str, pattern: str) -> bool:
    """``pattern`` occurs with no backslash before any of its punctuation."""
    return re.search(pattern, md) is not None


@pytest.mark.parametrize("text", [
    "[Sign in again](http://evil.example)",
    "![x](http://evil.example/a.png)",
    "<http://evil.example>",
    "see http://evil.example now",
    "www.evil.example",
    "mail me@evil.example",
    "<script>alert(1)</script>",
    "**bold** _em_ ~~del~~ `code`",
    "# heading",
    "- item\n1. item\n> quote",
    "| a | b |\n|---|---|",
    "$x^2$ and $$y$$",
    ":red[alarm] :material/warning: :smile:",
    "a\\](http://x)",
])
def test_md_escape_neutralises_markdown(text):
    md = ui.md_escape(text)
    assert "\n" not in md and "\r" not in md  # a value cannot open a block (heading, list, table row)
    for pattern in (r"(?<!\\)\]\(", r"(?<!\\)<[a-z/]", r"(?<!\\)\$",
                    r"(?<!\\)[*_~`#|>]", r"(?<!\\):\w"):
        assert not _unescaped(md, pattern), (pattern, md)
    # rendered as CommonMark, the escapes stand for the characters themselves...
    resolved = re.sub(r"\\(.)", r"\1", md)
    assert resolved.replace(ui.WORD_JOINER, "") == text.replace("\n", " ")
    # ...and what remark-gfm and remark-emoji find in that resolved text (bare URLs, www., e-mail
    # addresses, :emoji:, Streamlit's :material/ icons) is broken by the invisible word joiner
    for pattern in (r"https?://", r"www(?=\.)", r"[-.\w+]@[-\w]+", r":[\w+-]+:", r":material/"):
        assert not re.search(pattern, resolved, re.IGNORECASE), (pattern, resolved)


def test_md_escape_does_not_double_escape_and_say_escapes_values_not_the_template():
    once = ui.md_escape("[a](http://b)")
    assert ui.md_escape(once) == once
    from analytics.i18n import t

    msg = ui.say("page.bad_param", problems="grain=[Sign in again](http://evil.example)")
    assert msg == t("ui.page.bad_param", "en", problems=ui.md_escape("grain=[Sign in again](http://evil.example)"))
    assert not LINK.search(msg) and "\\](http\\:" in msg
    # numbers keep their format spec; already-safe text is not escaped twice
    assert ui.say("page.rows_used", rows=1234, dataset=once, revision=2) == t(
        "ui.page.rows_used", "en", rows=1234, dataset=once, revision=2)


def test_exc_text_escapes_analytics_values_and_exception_text():
    from analytics.common import NotEnoughData
    from data.errors import IngestError

    e = NotEnoughData("segmentation.error.no_variance", feature="[x](http://evil.example)")
    assert not LINK.search(ui.exc_text(e))
    ie = IngestError("row 3, column product: '[Sign in](http://evil.example)' is not a number")
    assert ui.exc_text(ie) == ui.md_escape(str(ie)) and not LINK.search(ui.exc_text(ie))
