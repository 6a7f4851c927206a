"""Rendering helpers shared by every page: KPI cards with definitions, findings, tables with CSV
export, charts, empty states with templates, the share link and the report downloads.

User-provided text (dataset, file, column and product names, cell values, URL values, exception
messages) never reaches Streamlit's Markdown unescaped: :func:`md_escape` makes any text render
literally, and :func:`say` translates a trusted catalogue template and escapes every value put into
it. tests/unit/test_escaping.py fails on a message call whose text is built any other way. Nothing
here uses unsafe_allow_html.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from analytics.datasets import fault_message
from analytics.i18n import t
from analytics.registry import script
# one rule for cards, page tables and the report (analytics/tables.py)
from analytics.tables import _IDENT, ID_HEADER, MONEY_WORDS, PCT_WORDS, is_rate as _is_rate
from data.errors import NotAllowed, StoreError
from components.export import records_frame, to_csv_bytes
from components.i18n import fmt_kpi, fmt_money, fmt_number, fmt_pct, lang, tr

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
# Characters that start Markdown wherever they stand, backslash-escaped (CommonMark renders "\\" + a
# punctuation character as that character): links and images ([ ] — "![x](y)" and "[x](y)" need an
# unescaped bracket), autolinks and HTML tags (<), emphasis and code (* _ ~ `), headings and blockquotes
# (# >), tables (|), $ math (remark-math honours \$), entities (&), the backslash itself. Line breaks
# become spaces, so a value cannot open a block of its own (list, heading, table, setext underline).
# What is special only in some places is escaped there: a "-" / "+" list marker and "1." / "1)" at the
# start; a ':' that opens a directive (":red[..]", ":material/..:").
# Bare URLs, "www." and e-mail addresses, emoji (":smile:") and Streamlit's icons are found in the text
# AFTER the escapes are resolved (remark-gfm's autolink literals, remark-emoji), so a backslash does not
# stop them (checked in Chromium: "http\://x" is still a link); an invisible WORD JOINER (U+2060) breaks
# their patterns instead: "http:⁠//", "www⁠.", "me⁠@x", ":⁠smile:".
# Plain ',', '.', '-', '+', '(', ': ' as in "1,234.50", "2026-10", "+5%", "(n)", "Reason: ..." stay.
WORD_JOINER = "\u2060"
MD_SPECIAL = str.maketrans({**{c: "\\" + c for c in "\\`*_[]<>#|~$&"}, "@": WORD_JOINER + "@",
                            "\r": " ", "\n": " ", "\u2028": " ", "\u2029": " "})
_LIST_MARK = re.compile(r"^(\s*)([-+])(?=\s|$|[-+])")  # "- item", "+ item", "---" (not "-5%", "+5%")
_LIST_NUMBER = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")  # "1. item", "3) item" (not "1.5")
_WWW = re.compile(r"(www)(?=\.)", re.IGNORECASE)
_COLON = re.compile(r":(?=[\w/+])")                     # "http://", ":red[", ":smile:", ":+1:"


def _escape(text: str) -> str:
    out = text.translate(MD_SPECIAL)
    out = _LIST_MARK.sub(r"\1\\\2", out)
    out = _LIST_NUMBER.sub(r"\1\\\2", out)
    out = _WWW.sub(r"\1" + WORD_JOINER, out)
    return _COLON.sub(r"\\:" + WORD_JOINER, out)


class Markdown(str):
    """Text already safe for Markdown (escaped, or a trusted template with escaped values): say() and
    md_escape() return it, and neither escapes it again."""


def md_escape(text: Any) -> Markdown:
    """Text that Streamlit's Markdown (st.markdown, st.caption, st.warning, help=, labels) shows literally."""
    if isinstance(text, Markdown):
        return text
    return Markdown(_escape(str(text)))


def _safe_value(v: Any) -> Any:
    # numbers keep their type so the template's format spec ({n:,}, {share:.1%}) still applies; their
    # digits, '.', ',', '-', 'e', "inf" cannot form Markdown on their own
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    return md_escape(v)


def say(key: str, **values: Any) -> Markdown:
    """``tr(key, **values)`` for Markdown: the catalogue's template is trusted, every value is escaped.

    Use it for every message that carries user or URL text (names, cell values, query values, exception
    messages); a plain ``tr(key)`` without values needs no escaping."""
    return Markdown(tr(key, **{k: _safe_value(v) for k, v in values.items()}))


def cannot_answer(exc: BaseException, *, icon: str | None = ":material/hourglass_empty:",
                  lead: bool = True) -> None:
    """Why a result is missing, as one line: the engine's memory limit reached (analytics.common.EngineLimit)
    as a warning saying what to change; any other AnalyticsError as "not enough data: <reason>" (``lead``
    False: the reason alone)."""
    from analytics.common import EngineLimit

    if isinstance(exc, EngineLimit):
        st.warning(exc_text(exc), icon=":material/memory:")
    else:
        st.info(say("page.not_enough", reason=exc_text(exc)) if lead else exc_text(exc), icon=icon)


def exc_text(exc: BaseException) -> Markdown:
    """An exception as a one-line, escaped message: an AnalyticsError's translated reason (its values
    escaped), else the exception's own text (an IngestError quotes cell values) escaped."""
    key, kwargs = getattr(exc, "key", None), getattr(exc, "kwargs", None)
    if isinstance(key, str) and isinstance(kwargs, dict):
        return say(key, **kwargs)
    return md_escape(str(exc))


# A write refused by the repository where it happens (data.access: owner / role), or a fault of the store
# (locked, full, read-only): expected outcomes, shown as one translated line, never a traceback.
REFUSALS = (NotAllowed, StoreError)


def refused(exc: BaseException, where: Any = st) -> None:
    """A refused write or a fault of the store, as one translated, escaped line."""
    where.error(md_escape(fault_message(exc, lang())), icon=":material/block:")


def write(fn: Callable[..., Any], *args: Any, where: Any = st, **kwargs: Any) -> Any:
    """Run a write (an ``analytics.cached`` save / delete); on a refusal or a store fault, show why with
    :func:`refused` and return None."""
    try:
        return fn(*args, **kwargs)
    except REFUSALS as exc:
        refused(exc, where)
        return None


def definition(ns: str, name: str) -> str | None:
    key = f"{ns}.metric.{name}"
    text = t(key, lang())
    return None if text == key else text


def format_value(name: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if not isinstance(value, (int, float)):
        return md_escape(value)  # a metric's value is Markdown: text from the data shows as it is
    n = name.lower()
    if _is_rate(n, value):
        return fmt_pct(value, lang())
    if any(s in n for s in MONEY_WORDS):
        return fmt_money(value, lang())
    if isinstance(value, float) and not value.is_integer():
        return fmt_number(value, lang(), 2)
    return fmt_number(value, lang())


def _compact(name: str, value: Any) -> str | None:
    """The card's short form of a number of a million or more (English; None otherwise)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or lang() == "zh":
        return None
    if isinstance(value, float) and math.isnan(value) or abs(value) < 1e6:
        return None
    n = name.lower()
    if _is_rate(n, value):
        return None
    return fmt_kpi(value, lang(), money=any(s in n for s in MONEY_WORDS))


def kpi_value(name: str, value: Any, too_large: Any = ()) -> str:
    """A KPI card's value: "Too large to total" for a total that overflowed (the module lists those
    under ``kpi_too_large``; their value is None in the JSON-safe result), else format_value."""
    if name in (too_large or ()):
        return tr("page.too_large")
    return format_value(name, value)


def kpi_card(name: str, value: Any, help_text: str | None, too_large: Any = ()) -> tuple[str, str | None]:
    """A KPI card's value and help: a number never cut (the short form of a million and more on the card,
    the exact value appended to the help, on hover)."""
    shown = kpi_value(name, value, too_large)
    short = None if name in (too_large or ()) else _compact(name, value)
    if short is None:
        return shown, help_text
    return short, ((help_text + "\n\n") if help_text else "") + tr("page.exact_value", value=shown)


def kpi_cards(ns: str, kpis: dict[str, Any], *, changes: dict[str, Any] | None = None, per_row: int = 4,
              labels: dict[str, str] | None = None, too_large: Any = (), kinds: dict[str, str] | None = None,
              deltas: dict[str, str] | None = None) -> None:
    """A card per key figure (label ``<ns>.kpi.<name>``, definition on hover); ``kinds`` names the kind of a
    figure's value (analytics.tables: money, percent, signed_money, points, pvalue, ...), else it is read
    from its name; ``changes`` are relative changes shown as percentages, ``deltas`` changes already
    written out by the module ("+1.2 pts vs top sellers")."""
    from analytics import tables as T

    items = [(k, v) for k, v in kpis.items() if not isinstance(v, (dict, list))]
    for i in range(0, len(items), per_row):
        cols = st.columns(per_row)
        for col, (name, value) in zip(cols, items[i : i + per_row]):
            label = (labels or {}).get(name) or _label(ns, name)
            delta = None
            if changes and changes.get(name) is not None:
                delta = fmt_pct(changes[name], lang(), signed=True)
            elif deltas and deltas.get(name):
                delta = deltas[name]
            if kinds and name in kinds:
                shown, help_text = T.cell(T.Col(name, kinds[name]), value, lang()), definition(ns, name)
            else:
                shown, help_text = kpi_card(name, value, definition(ns, name), too_large)
            col.metric(label, shown, delta=delta, help=help_text)


def _label(ns: str, name: str) -> str:
    for key in (f"{ns}.kpi.{name}", f"{ns}.label.{name}", f"{ns}.col.{name}"):
        text = t(key, lang())
        if text != key:
            return text
    return name.replace("_", " ").capitalize()


def findings(items: list[str]) -> None:
    if not items:
        return
    with st.container(border=True):
        st.markdown(f"**{tr('page.findings')}**")
        for f in items:
            st.markdown("- " + md_escape(f))


def warnings(items: list[str]) -> None:
    for w in items or []:
        st.warning(md_escape(w), icon=":material/info:")


def figure(fig_spec: dict, key: str) -> None:
    fig = fig_spec.get("figure")
    if fig is None:
        if fig_spec.get("note"):  # charts that could not be drawn (analytics.report.figures_for)
            st.warning(md_escape(fig_spec["note"]), icon=":material/error:")
        return
    st.plotly_chart(_serialised(fig), key=key, config={"displaylogo": False})


def _serialised(fig: Any) -> Any:
    """The figure as st.plotly_chart sends it, its texts inert (:func:`analytics.charts.inert_figure`: a
    name from the data is never drawn as plotly.js's HTML), serialised once per figure object: a cached figure
    (``analytics.cached.page_figures``, shared and read-only) keeps its dict, so a rerun does not
    convert the same figure again (``Figure.to_dict`` deep-copies and base64-encodes every array: ~5 ms a
    chart). st.plotly_chart takes a plotly figure and calls its ``to_dict``; a plain dict it would
    validate by building a new Figure, which costs more than it saves."""
    from plotly.basedatatypes import BaseFigure

    from analytics.charts import inert_figure

    if isinstance(fig, dict):
        return inert_figure(fig)
    if not isinstance(fig, BaseFigure):
        return fig
    d = getattr(fig, "_prism_dict", None)
    if d is None:
        d = fig.to_dict()
        for trace in d.get("data", []):  # what plotly.io.to_json would remove, so it never edits the dict
            trace.pop("uid", None)
        inert_figure(d)  # names from the data are drawn as text, never as plotly.js's HTML (links, styles)
        fig._prism_dict = d  # a private attribute: plotly figures accept them
    return _figure_of_dict(d)


def _figure_of_dict(d: dict) -> Any:
    from plotly.basedatatypes import BaseFigure

    global _FigureDict
    if _FigureDict is None:
        class _Serialised(BaseFigure):  # just enough of a figure for st.plotly_chart: its dict
            def __init__(self, d: dict) -> None:  # noqa: D401  (no BaseFigure.__init__: nothing to validate)
                object.__setattr__(self, "_d", d)

            def to_dict(self) -> dict:
                return self._d

        _FigureDict = _Serialised
    return _FigureDict(d)


_FigureDict: Any = None


MAX_SHOWN = 2_000  # rows a table sends to the browser; the CSV download has every row


def header(name: Any) -> str:
    """A result table's raw column key (``net_sales``) in the user's language, from the current page's
    catalogue (``col.`` / ``kpi.`` / ``label.``) or the shared one (``ui.col.``); other headers (already
    translated, user columns) are kept."""
    text = str(name)
    if not _IDENT.fullmatch(text):
        return text
    ctx = st.session_state.get("_ctx")
    keys = [f"ui.col.{text}"]
    if getattr(ctx, "url_path", None):
        from analytics.registry import page as page_of

        try:
            ns = page_of(ctx.url_path).namespace
            keys = [f"{ns}.col.{text}", f"{ns}.kpi.{text}", f"{ns}.label.{text}"] + keys
        except KeyError:
            pass
    for key in keys:
        out = t(key, lang())
        if out != key:
            return out
    return text


def column_formats(df: pd.DataFrame) -> dict[str, Any]:
    """Column settings per value kind, for every table: counts with thousands separators ("%,d"), other
    numbers with two decimals and separators ("%,.2f"; below 1 they keep Streamlit's own precision, e.g. a
    p-value), fractions under a rate / share header as percentages, dates as YYYY-MM-DD; identifiers and
    codes (a header naming an id, code, SKU or year) as they are. The same grouping in English and Chinese
    (1,234,567.89: tables show plain grouped numbers, KPI cards the short 万/亿 or K/M forms)."""
    out: dict[str, Any] = {}
    for col in df.columns:
        s, label = df[col], header(col)
        name = f"{col} {label}" if label != str(col) else str(col)
        conf = column_format(s, name)
        if label != str(col):  # a raw key: its header in the user's language (the frame keeps its columns)
            conf = {**(conf or st.column_config.Column()), "label": label}
        if conf is not None:
            out[str(col)] = conf
    return out


def column_format(s: pd.Series, name: str) -> dict | None:
    """The setting of one column from its values and header (see :func:`column_formats`); None: as it is."""
    if pd.api.types.is_bool_dtype(s) or ID_HEADER.search(name):
        return None
    if pd.api.types.is_datetime64_any_dtype(s):
        has_time = bool((s.dropna() != s.dropna().dt.normalize()).any())
        return (st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm") if has_time
                else st.column_config.DateColumn(format="YYYY-MM-DD"))
    if pd.api.types.is_integer_dtype(s):
        return st.column_config.NumberColumn(format="%,d")
    if pd.api.types.is_float_dtype(s):
        v = s.dropna().abs()
        v = v[v != float("inf")]
        if v.empty:
            return None
        if any(w in name.lower() for w in PCT_WORDS) and v.max() <= 1.5:
            return st.column_config.NumberColumn(format="percent")
        if v.max() >= 1:
            whole = bool((v == v.round()).all()) and v.max() < 2**53
            return st.column_config.NumberColumn(format="%,d" if whole else "%,.2f")
    return None


def merge_config(auto: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """The caller's column settings over the automatic ones: a caller's number format, or a column type of
    its own, wins; a label or help alone (``Column(help=...)``, a plain label) keeps the automatic format."""
    out = dict(auto)
    for name, c in given.items():
        a = auto.get(name)
        if a is None or c is None:
            out[name] = c if c is not None else a
        elif isinstance(c, str):
            out[name] = {**a, "label": c}
        else:
            tc = c.get("type_config") if isinstance(c, dict) else None
            if tc and (tc.get("type") != "number" or tc.get("format") is not None):
                out[name] = c if c.get("label") or not a.get("label") else {**c, "label": a["label"]}
            else:
                out[name] = {**a, **{k: v for k, v in c.items() if v is not None and k != "type_config"}}
    return out


def table(rows: list[dict] | pd.DataFrame, *, key: str, file_name: str, height: int | None = None,
          column_config: dict | None = None, source: Any = None) -> None:
    """A table formatted for the language (:func:`header`, :func:`column_formats`; the caller's
    ``column_config`` wins per column), at most MAX_SHOWN rows on screen, with its CSV download.
    ``source``: the shared result the rows belong to (``analytics.cached.Presented``), so the formatting
    is done on the first rerun only (not when the caller gives its own ``column_config``)."""
    if source is not None and column_config is None and not isinstance(rows, pd.DataFrame):
        shown = source.prepared(rows, ("table", key, lang()), lambda: _prepare(records_frame(rows), None))
    else:
        shown = _prepare(rows if isinstance(rows, pd.DataFrame) else records_frame(rows), column_config)
    _draw(shown, key=key, file_name=file_name, height=height)


def _prepare(df: pd.DataFrame, column_config: dict | None) -> tuple[pd.DataFrame, Any, dict] | None:
    """(every row for the CSV, the rows shown, the column settings), or None for an empty table."""
    if df.empty:
        return None
    config = merge_config(column_formats(df), column_config or {})
    # a target list can be 500,000 rows: sending them all would take the browser tens of seconds
    return df, _arrow(df.head(MAX_SHOWN) if len(df) > MAX_SHOWN else df), config


def _arrow(df: pd.DataFrame) -> Any:
    """The rows shown as the Arrow table st.dataframe would make of them (its first attempt is this same
    ``Table.from_pandas``), so a prepared table is converted once; a frame Arrow refuses (mixed types)
    stays a frame and Streamlit applies its own fixes, as before."""
    import pyarrow as pa

    try:
        return pa.Table.from_pandas(df)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, ValueError, TypeError):
        return df


def _draw(shown: tuple[pd.DataFrame, Any, dict] | None, *, key: str, file_name: str,
          height: int | None) -> None:
    if shown is None:
        return
    df, head, config = shown
    kwargs: dict[str, Any] = {"hide_index": True, "width": "stretch", "column_config": config}
    if height:
        kwargs["height"] = height
    st.dataframe(head, key=f"df_{key}", **kwargs)
    if len(df) > MAX_SHOWN:
        st.caption(say("page.table_preview", shown=fmt_number(MAX_SHOWN, lang()), total=fmt_number(len(df), lang())))
    st.download_button(tr("page.download_csv"), data=lambda: to_csv_bytes(df), file_name=f"{file_name}.csv",
                       mime="text/csv", key=f"dl_{key}", icon=":material/download:", on_click="ignore")


def _fingerprint(fns: dict[str, Callable] | None) -> tuple | None:
    """A hashable stand-in for a caller's cell functions (code, defaults, closure values), or None when
    one holds something unhashable (then the table is formatted on every rerun, as before)."""
    out = []
    for col, fn in sorted((fns or {}).items()):
        cells = tuple(c.cell_contents for c in (getattr(fn, "__closure__", None) or ()))
        fp = (col, getattr(fn, "__code__", fn), getattr(fn, "__defaults__", None), cells)
        try:
            hash(fp)
        except TypeError:
            return None
        out.append(fp)
    return tuple(out)


# the page's Streamlit number format per declared kind of value (analytics/tables.py)
KIND_FORMAT = {"money": "%,.2f", "count": "%,d", "percent": "percent", "number": "%,.2f", "index": "%,.0f",
               "ratio": "%,.2f"}


def spec_table(ns: str, cols: Any, rows: list[dict] | None, *, key: str, file_name: str, height: int | None = None,
               edit: dict[str, Any] | None = None, source: Any = None) -> None:
    """A result table from its declared columns (``analytics.tables``): the declared columns that hold a
    value, translated headers with their definition on hover, the kind's number format, "—" for a missing
    value, CSV download (formulas neutralised). ``edit`` maps a column to a function applied to its cells
    (a text shown in the user's language). ``source``: the shared result the rows belong to
    (``analytics.cached.Presented``): the table is prepared on the first rerun and reused after."""
    from analytics import tables as T

    if not rows:
        return
    declared = None if cols is None else tuple(T.as_col(c) for c in cols)
    fp = _fingerprint(edit) if source is not None else None
    if fp is not None:
        try:
            memo_key = ("spec", key, ns, declared, fp, lang())
            hash(memo_key)
        except TypeError:
            fp = None
    if fp is not None:
        shown = source.prepared(rows, memo_key, lambda: _prepare_spec(ns, declared, rows, edit))
    else:
        shown = _prepare_spec(ns, declared, rows, edit)
    _draw(shown, key=key, file_name=file_name, height=height)


def _prepare_spec(ns: str, declared: tuple | None, rows: list[dict], edit: dict[str, Any] | None):
    from analytics import tables as T

    shown = T.resolve(ns, declared, rows, lang())
    if not shown:
        return None
    df = records_frame(rows)
    edit = {**{c.key: (lambda x, c=c: T.value_text(c, x, lang())) for c in shown if c.values},
            **{c.key: (lambda x, c=c: T.cell(c, x, lang())) for c in shown if c.kind == "bool"},  # Yes / 是
            **(edit or {})}
    for c, fn in edit.items():
        if c in df.columns:
            df[c] = df[c].map(fn)
    out = df[[c.key for c in shown]].copy()
    config: dict[str, Any] = {}
    labels = []
    for c in shown:
        name = T.label(ns, c, lang())
        labels.append(name)
        fmt = KIND_FORMAT.get(c.kind)
        if c.kind == "number" and c.digits is not None:
            fmt = f"%,.{c.digits}f"
        help_ = T.help_text(ns, c, lang())
        if fmt and pd.api.types.is_numeric_dtype(out[c.key]) and not pd.api.types.is_bool_dtype(out[c.key]):
            config[name] = st.column_config.NumberColumn(name, format=fmt, help=help_)
        elif c.kind in ("text", "id", "date"):
            config[name] = st.column_config.TextColumn(name, help=help_)
        elif help_:
            config[name] = st.column_config.Column(name, help=help_)
    out.columns = labels
    return _prepare(out, config)


def empty_state(kind: str) -> None:
    kind_label = tr(f"kind.{kind}")
    with st.container(border=True):
        st.subheader(say("empty.title", kind=kind_label))
        st.write(say("empty.body", kind=kind_label))
        path = SAMPLES / f"{kind}.csv"
        c1, c2 = st.columns(2)
        if path.exists():
            c1.download_button(say("empty.template", kind=kind_label), data=path.read_bytes(),
                               file_name=f"prism_template_{kind}.csv", mime="text/csv", key=f"tpl_{kind}",
                               icon=":material/download:", on_click="ignore")
        c2.page_link(script("data"), label=tr("empty.go_data"), icon=":material/upload:")


def share_link() -> str:
    base = st.context.url or ""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    flat = {k: (v[0] if len(v) == 1 else ",".join(v)) for k, v in params.items()}
    return base + ("?" + urlencode(flat) if flat else "")


def share_and_export(url_path: str, make_html: Callable[[], str] | None, make_json: Callable[[], str] | None) -> None:
    c1, c2, c3 = st.columns([1, 1, 1])
    with c1.popover(tr("page.share"), icon=":material/share:"):
        st.caption(tr("page.share_help"))
        st.code(share_link(), language=None)
    if make_html is not None:
        c2.download_button(tr("page.report"), data=make_html, file_name=f"prism_{url_path}.html", mime="text/html",
                           key=f"report_{url_path}", icon=":material/description:", on_click="ignore")
    if make_json is not None:
        c3.download_button(tr("page.report_json"), data=make_json, file_name=f"prism_{url_path}.json",
                           mime="application/json", key=f"json_{url_path}", icon=":material/data_object:",
                           on_click="ignore")


def json_dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1, default=str)
