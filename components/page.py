"""The frame of every analysis page: context from the sidebar, parameters bound to the URL, the
cached result, and the common blocks (warnings, KPIs, charts, findings, tables, share, reports)."""

from __future__ import annotations

import contextlib
import contextvars
import inspect
import time
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Callable

import streamlit as st

from analytics import cached
from analytics.tables import title as table_title
from analytics.common import AnalyticsError
from analytics.i18n import t
from analytics.params import Param, resolve
from analytics.registry import PAGES, info, missing_any, missing_kinds, module, page
from analytics.report import FIGURE_ERROR_KEY, report_tables
from analytics.review_pack import pdf_pages
from components import sidebar, state, ui
from components.i18n import lang, tr


@dataclass
class PageContext:
    url_path: str
    user: dict
    datasets: tuple = ()
    infos: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    start: date | None = None
    end: date | None = None
    stale: Any = None  # cached.Shown: older revisions app.py offers to show while the current ones refresh

    def kinds(self) -> set[str]:
        return {k for k, _, _ in self.datasets}


# Set by app.py around pg.run(). A page script executed any other way (Streamlit's legacy pages/
# directory routing, a typed URL such as /data_manager) has not passed the sign-in, so it draws nothing.
_IN_APP: contextvars.ContextVar[PageContext | None] = contextvars.ContextVar("prism_page_context", default=None)


def enter(ctx: PageContext) -> contextvars.Token:
    return _IN_APP.set(ctx)


def leave(token: contextvars.Token) -> None:
    _IN_APP.reset(token)


def context() -> PageContext:
    """The page's context from app.py; stops the run when the page was not opened through app.py."""
    ctx = _IN_APP.get()
    if ctx is None:
        st.stop()
    return ctx  # type: ignore[return-value]


def param_label(ns: str, key: str) -> str:
    k = f"{ns}.param.{key}"
    text = t(k, lang())
    return key.replace("_", " ").capitalize() if text == k else text


def param_help(ns: str, key: str, spec: Param | None = None) -> str | None:
    """A parameter's hover text, from one place: the key its ``Param.help`` names, else
    ``<ns>.help.<key>``."""
    for k in ((spec.help,) if spec is not None and spec.help else ()) + (f"{ns}.help.{key}",):
        text = t(k, lang())
        if text != k:
            return text
    return None


def param_widgets(url_path: str, spec: list[Param], *, options: dict[str, list] | None = None,
                  container: Any = None, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A widget per parameter, bound to the URL; list parameters need their options from the data."""
    ns = page(url_path).namespace
    values: dict[str, Any] = {}
    where = container if container is not None else st
    cols = where.columns(3)
    i = 0
    for p in spec:
        if p.key in skip:
            values[p.key] = p.default
            continue
        c = cols[i % 3]
        i += 1
        label, help_ = param_label(ns, p.key), param_help(ns, p.key, p)
        sk = f"{url_path}:{p.key}"
        opts = (options or {}).get(p.key)
        if p.type == "list":
            values[p.key] = state.multiselect(label, opts if opts is not None else list(p.choices or []), p,
                                              state_key=sk, help=help_, container=c)
        elif p.choices is not None or opts is not None:
            choices = [c for c in (opts if opts is not None else p.choices) if c is not None]
            if p.default is None:
                choices = [state.ALL] + choices  # Streamlit shows a None value as "Choose an option"
            values[p.key] = state.selectbox(
                label, choices, p, state_key=sk, help=help_, container=c,
                format_func=lambda v, ns=ns, k=p.key: tr("common.all") if v == state.ALL else _choice_label(ns, k, v))
        elif p.type == "bool":
            values[p.key] = state.toggle(label, p, state_key=sk, help=help_, container=c)
        elif p.type in ("int", "float"):
            values[p.key] = state.number(label, p, state_key=sk, help=help_, container=c,
                                         step=1 if p.type == "int" else None)
        elif p.type == "date":
            values[p.key] = state.date_value(label, p, state_key=sk, help=help_, container=c)
        else:
            v = state.text(label, p, state_key=sk, help=help_, container=c)
            values[p.key] = v or p.default
    return values


def _choice_label(ns: str, key: str, value: Any) -> str:
    k = f"{ns}.choice.{key}.{value}"
    text = t(k, lang())
    return str(value) if text == k else text


_PROBLEMS_SLOT: contextvars.ContextVar[Any] = contextvars.ContextVar("prism_problems_slot", default=None)


def header(url_path: str) -> None:
    """Title, subtitle, and a slot under them where show_problems() reports bad link values."""
    st.title(tr(f"nav.{url_path}"))
    sub_key = f"{page(url_path).namespace}.page.subtitle"
    if t(sub_key, lang()) != sub_key:
        st.caption(t(sub_key, lang()))
    _PROBLEMS_SLOT.set(st.empty())


def require_kinds(url_path: str, ctx: PageContext) -> bool:
    """Empty state for each required kind that is not selected; False when the page cannot run."""
    for ds_id in ctx.missing:
        st.warning(ui.say("page.missing_dataset", id=ds_id), icon=":material/link_off:")
    needed = missing_kinds(module(url_path), ctx.kinds())
    for kind in needed:
        ui.empty_state(kind)
    return not needed


def result_key(ctx: PageContext, params: dict[str, Any]) -> tuple:
    """The cache key of a page's result: its parameters plus the sidebar's date range, frozen."""
    return cached.freeze_params({"start": ctx.start, "end": ctx.end, **params})


def figures(url_path: str, ctx: PageContext, params: dict[str, Any]) -> dict[str, dict]:
    """The page's figures by key (cached per datasets, parameters and language)."""
    return {f.get("key"): f for f in cached.page_figures(url_path, ctx.datasets, result_key(ctx, params), lang())}


def compute(url_path: str, ctx: PageContext, params: dict[str, Any], *,
            current: PageContext | None = None) -> dict | None:
    """The page's cached result on ``ctx.datasets``. ``current``: the context of the current revisions when
    ``ctx`` holds older ones the frame presents while the current ones are fitted in the background
    (:func:`frame`); the notice says so and reruns the page when they are ready. A result presented on the
    current revisions is noted (cached.note_shown), so a later revision can be refreshed behind it."""
    key = result_key(ctx, params)
    name = tr(f"nav.{url_path}")
    if current is not None:
        window = (ctx.start, ctx.end) if sidebar.automatic_window(ctx.start, ctx.end) else None
        stale_notice(ctx, current, cached.revalidate(url_path, current.datasets, result_key(current, params),
                                                     ctx.datasets, current.infos, window))
    try:
        with st.spinner(ui.say("page.computing", page=name), show_time=True):
            result = cached.page_result(url_path, ctx.datasets, key, lang())
    except AnalyticsError as exc:  # the engine's memory limit: a warning saying what to change (ui.cannot_answer)
        ui.cannot_answer(exc)
        return None
    if current is None and _SERVES_STALE.get():
        cached.note_shown(url_path, ctx.datasets, ctx.infos)
    return result


# set by frame(): this run's page can be shown on older revisions while it refreshes (it computes through
# compute(), not its own way), so a result presented here is noted for that
_SERVES_STALE: contextvars.ContextVar[bool] = contextvars.ContextVar("prism_serves_stale", default=False)


STALE_POLL_S = 1.0  # how often a page showing older revisions checks whether the current ones are ready
FRESH_ONCE = "_prism_fresh_once"  # session flag: the next run shows the current revisions (app.py)


def fresh_rerun() -> None:
    """Rerun the page at once on the current revisions (its window and options included): the older ones
    app.py offered cannot be served without a fit (a fit parameter changed, or the page computes its own way)."""
    st.session_state[FRESH_ONCE] = True
    st.rerun()


def stale_notice(shown: PageContext, current: PageContext, refresh: Any) -> None:
    """Which revisions the page shows while the current ones are computed (a line per changed dataset),
    and a rerun of the whole page once they are ready (a fragment polling every ``STALE_POLL_S`` s)."""
    old = {int(i["id"]): i for i in shown.infos if isinstance(i, dict) and "id" in i}
    lines = [ui.say("page.stale", dataset=info.get("name", ds_id), old=old.get(ds_id, {}).get("revision", "?"),
                    new=info.get("revision"), rows=f"{int(info.get('rows') or 0):,}")
             for info in current.infos if isinstance(info, dict) and (ds_id := int(info.get("id", 0))) in old
             and old[ds_id].get("revision") != info.get("revision")]

    @st.fragment(run_every=STALE_POLL_S)
    def notice() -> None:
        if refresh.done():
            st.rerun(scope="app")
        seconds = int(time.monotonic() - refresh.started)
        st.info(ui.Markdown("  \n".join(lines + [ui.say("page.stale_since", seconds=seconds)])),
                icon=":material/update:")

    notice()


def show_problems() -> None:
    """Report the link's invalid values in the slot under the header. Call it after the page's widgets
    have read the URL (again at any time: the slot always shows the latest list)."""
    probs = state.problems()
    slot = _PROBLEMS_SLOT.get()
    if not probs:
        return
    target = slot if slot is not None else st
    target.warning(ui.say("page.bad_param", problems="; ".join(probs)), icon=":material/link:")


def standard_blocks(url_path: str, ctx: PageContext, params: dict[str, Any], result: dict, *,
                    kpis: bool = True, charts: bool = True, tables: bool = True, source: Any = None) -> None:
    """Warnings, key figures, charts, findings and the "data behind the page" tables of ``result``;
    ``source``: the shared result its tables belong to (default: ``result``'s own), so they are
    formatted once, not on every rerun."""
    ns = page(url_path).namespace
    source = source if source is not None else cached.source_of(result)
    ui.warnings(result.get("warnings") or [])
    if kpis and isinstance(result.get("kpis"), dict):
        changes = result.get("kpi_changes") if isinstance(result.get("kpi_changes"), dict) else None
        ui.kpi_cards(ns, result["kpis"], changes=changes, too_large=result.get("kpi_too_large") or ())
    if charts:
        for i, f in enumerate(cached.page_figures(url_path, ctx.datasets, result_key(ctx, params), lang())):
            ui.figure(f, key=f"{url_path}_fig_{i}_{f.get('key', i)}")
    ui.findings(result.get("findings") or [])
    if tables:
        # the tables the HTML report shows, as it shows them (analytics.report.report_tables): the module's
        # declared tables with their columns (headers, number formats, codes as words), else every table of
        # the result with its labelled columns; each titled as in the report (analytics.tables.title)
        tabs = report_tables(url_path, result)
        if tabs:
            with st.expander(tr("page.data_behind"), icon=":material/table:"):
                for name, rows, cols in tabs:
                    st.caption(ui.md_escape(table_title(ns, name, lang())))
                    ui.spec_table(ns, cols, rows, key=f"{url_path}_{name}", file_name=f"prism_{url_path}_{name}",
                                  source=source)


def footer(url_path: str, ctx: PageContext, params: dict[str, Any], result: dict | None, *,
           make_html: Callable[[], str] | None = None) -> None:
    st.divider()
    full = result_key(ctx, params)
    if make_html is None and result:
        make_html = lambda: cached.report_html(url_path, ctx.datasets, full, lang(), ctx.user.get("username", ""))  # noqa: E731
    make_json = (lambda: ui.json_dump({"page": url_path, "datasets": ctx.infos, "params": dict(full), **result})) if result else None
    ui.share_and_export(url_path, make_html, make_json)
    remember_view(url_path, ctx, full, complete=result is not None)
    review_pack(url_path, ctx, full)
    for info in ctx.infos:
        st.caption(ui.say("page.rows_used", rows=f"{info['rows']:,}", dataset=info["name"], revision=info["revision"]))


# ---------------------------------------------------------------- the PDF review pack

PACK_VIEWS = "_pack_views"  # url_path -> (datasets, params) the page last showed in this session
PACK_PAGES = tuple(p.url_path for p in PAGES if p.url_path != "data")


def _complete(url_path: str, ctx: PageContext, params: dict[str, Any]) -> tuple:
    """Every parameter of the page (its default where not given) with the shared date range, frozen."""
    spec = list(getattr(module(url_path), "PARAMS", []))
    return cached.freeze_params(resolve(spec, {"start": ctx.start, "end": ctx.end, **params}))


def remember_view(url_path: str, ctx: PageContext, full: tuple, *, complete: bool = True) -> None:
    """Keep the datasets and filters this page shows, so a review pack built on another page uses them."""
    key = full if complete else _complete(url_path, ctx, dict(full))
    st.session_state.setdefault(PACK_VIEWS, {})[url_path] = (ctx.datasets, key)


def _default_datasets(url_path: str) -> tuple:
    """What the sidebar would pick on that page: the session's pick per kind, else the newest dataset."""
    chosen = []
    for kind in getattr(module(url_path), "KINDS", {}):
        by_id = {int(d["id"]): d for d in cached.list_datasets(kind)}
        if not by_id:
            continue
        wanted = st.session_state.get(f"ds_{kind}")
        ds_id = wanted if isinstance(wanted, int) and wanted in by_id else max(by_id)
        chosen.append((kind, ds_id, int(by_id[ds_id]["revision"])))
    return tuple(chosen)


def pack_views(url_path: str, ctx: PageContext, full: tuple, chosen: list[str]) -> tuple:
    """``(url_path, datasets, params, defaults)`` per chosen page: this page as shown now, another page as
    it was last shown in this session, else with its defaults (and the shared date range)."""
    seen = st.session_state.get(PACK_VIEWS, {})
    out = []
    for p in chosen:
        if p == url_path:
            datasets, params = seen.get(p, (ctx.datasets, full))
            out.append((p, datasets, params, False))
        elif p in seen:
            out.append((p, *seen[p], False))
        else:
            out.append((p, _default_datasets(p), _complete(p, ctx, {}), True))
    return tuple(out)


@st.fragment
def review_pack(url_path: str, ctx: PageContext, full: tuple) -> None:
    """The footer's "Review pack (PDF)": pick pages (this one by default), build, download. A fragment:
    building reruns only the popover, which stays open with the progress and the download button."""
    with st.popover(tr("pack.open"), icon=":material/picture_as_pdf:"):
        st.caption(tr("pack.help"))
        names = {p: tr(f"nav.{p}") for p in PACK_PAGES}  # this run's language, also for a later rerun
        chosen = st.multiselect(tr("pack.pages"), list(PACK_PAGES), default=[url_path] if url_path in PACK_PAGES else [],
                                format_func=names.__getitem__, key=f"pack_pages_{url_path}")
        built = st.session_state.get(f"pack_pdf_{url_path}")
        if st.button(tr("pack.build"), key=f"pack_build_{url_path}", icon=":material/picture_as_pdf:",
                     disabled=not chosen, type="primary"):
            built = None
            with st.status(tr("pack.building", n=len(chosen)), expanded=True) as status:
                try:
                    t0 = time.perf_counter()
                    pdf = cached.review_pack_pdf(
                        pack_views(url_path, ctx, full, chosen), lang(), ctx.user.get("username", ""),
                        progress=lambda p: status.write(tr("pack.page_done", page=tr(f"nav.{p}"))))
                    built = (tuple(chosen), lang(), pdf)
                    status.update(label=ui.say("pack.done", pages=pdf_pages(pdf), seconds=round(time.perf_counter() - t0)),
                                  state="complete", expanded=False)
                except AnalyticsError as exc:
                    status.update(label=ui.exc_text(exc), state="error", expanded=True)
            st.session_state[f"pack_pdf_{url_path}"] = built
        if not chosen:
            st.caption(tr("pack.none"))
        elif built is not None and built[:2] == (tuple(chosen), lang()):
            st.download_button(tr("pack.download"), data=built[2], file_name=f"prism_review_pack_{url_path}.pdf",
                               mime="application/pdf", key=f"pack_download_{url_path}", icon=":material/download:",
                               on_click="ignore")


# ---------------------------------------------------------------- the per-page kit and the frame


@dataclass(frozen=True)
class Kit:
    """What a page script needs to speak: its texts, state keys, labels, help and choices, all from the
    registry entry of the page (url_path, module, namespace), so no page writes them again."""

    url_path: str
    ns: str
    module: Any

    def t(self, key: str, **kw: Any) -> str:
        """The page's text ``<ns>.<key>``, unescaped: for labels, options and tabs whose values are numbers or
        our own texts. Metric values, labels, options and tabs are Markdown too: text from the data goes
        through :meth:`say`."""
        return tr(f"{self.ns}.{key}", **kw)

    def say(self, key: str, **kw: Any) -> ui.Markdown:
        """The page's text for Markdown (captions, warnings, help): every value escaped."""
        return ui.say(f"{self.ns}.{key}", **kw)

    def has(self, key: str) -> bool:
        k = f"{self.ns}.{key}"
        return t(k, lang()) != k

    def sk(self, key: str) -> str:
        """The session-state key of a URL-bound widget."""
        return f"{self.url_path}:{key}"

    def draw_tabs(self, draw: dict[str, Callable[[], None]], *, implied_by: dict[str, str] | None = None) -> str:
        """The tabs of the module's ``tab`` parameter (its choices; labels ``<ns>.tab.<name>``) of which only
        the open one runs (:func:`components.state.tabs`, which says how the open tab is chosen): draws it
        with ``draw[name]()`` and returns its name."""
        p = self.param("tab")
        names = list(p.choices or ())
        name, box = state.tabs(names, [self.t(f"tab.{n}") for n in names], p, state_key=self.sk("tab"),
                               implied_by=implied_by)
        with box:
            draw[name]()
        return name

    def param(self, key: str) -> Param:
        """The module's parameter ``key`` (``PARAMS``, else its page-only ``TARGET_PARAMS`` / ``UI_PARAMS``)."""
        for group in ("PARAMS", "TARGET_PARAMS", "UI_PARAMS"):
            for p in getattr(self.module, group, None) or []:
                if p.key == key:
                    return p
        raise KeyError(f"{self.url_path}: no parameter {key!r}")

    def widget(self, key: str, container: Any = None, *, options: list | None = None, radio: bool = False,
               fmt: Callable[[Any], str] | None = None, p: Param | None = None, label: str | None = None,
               **kw: Any) -> Any:
        """One URL-bound widget for the parameter ``key`` (components/state.py), with the page's label,
        help and choice labels: a list -> multiselect, choices / ``options`` -> selectbox (``radio``: radio),
        bool -> toggle, int / float -> number input (``step``, ``fmt``), date -> date input (``min_value``,
        ``max_value``), else a text input. ``p`` is a parameter the module does not declare."""
        p = p or self.param(key)
        common = {"state_key": self.sk(key), "help": kw.pop("help", None) or self.param_help(key), "container": container}
        label = label or self.param_label(key)
        fmt = fmt or (lambda v: self.choice(key, v))
        if p.type == "list":
            return state.multiselect(label, list(options if options is not None else p.choices or []), p,
                                     format_func=fmt, **common, **kw)
        if options is not None or p.choices is not None:
            opts = list(options if options is not None else p.choices)
            if radio:
                return state.radio(label, opts, p, format_func=fmt, **common, **kw)
            return state.selectbox(label, opts, p, format_func=fmt, **common, **kw)
        if p.type == "bool":
            return state.toggle(label, p, **common)
        if p.type in ("int", "float"):
            v = state.number(label, p, step=kw.pop("step", 1 if p.type == "int" else None),
                             fmt=kw.pop("number_format", None), **common)
            return int(v) if p.type == "int" and v is not None else v
        if p.type == "date":
            return state.date_value(label, p, **common, **kw)
        return state.text(label, p, **common)

    def param_label(self, key: str) -> str:
        return param_label(self.ns, key)

    def param_help(self, key: str) -> str | None:
        spec = next((p for p in getattr(self.module, "PARAMS", []) if p.key == key), None)
        return param_help(self.ns, key, spec)

    def choice(self, key: str, value: Any) -> str:
        """A choice's label: ``<ns>.choice.<key>.<value>``, else the value."""
        return _choice_label(self.ns, key, value)

    def col(self, name: str) -> str:
        """A column / value label: ``<ns>.col.`` / ``kpi.`` / ``label.``, ``ui.col.``, else the name."""
        from analytics.tables import label

        return label(self.ns, name, lang())

    def label(self, name: str) -> str:
        """A KPI's label (``kpi.`` / ``label.`` / ``col.``, else the name made readable)."""
        return ui._label(self.ns, name)

    def help(self, name: str) -> str | None:
        """A metric's definition (``<ns>.metric.<name>``, docs/metrics.md)."""
        return ui.definition(self.ns, name)

    def fmt(self, value: Any, kind: str = "number", digits: int | None = None) -> str:
        """A value in the page's language as its kind says (analytics.tables: money, percent, signed_money,
        points, pvalue, ratio, ...); "—" when missing."""
        from analytics.tables import Col, cell

        text = cell(Col("value", kind, digits=digits), value, lang())
        # a number's text is trusted (tests/unit/test_escaping.py); any other value is escaped for Markdown
        return text if isinstance(value, (int, float)) or value is None else ui.md_escape(text)

    def metric(self, where: Any, name: str, value: Any, kind: str | None = None, *, digits: int | None = None,
               help_name: str | None = None, **kw: Any) -> None:
        """A key figure ``<ns>.kpi.<name>`` with its definition on hover; a value that is not text is
        formatted as ``kind`` says."""
        # a metric's value is Markdown: text is escaped (a number's text has nothing to escape)
        shown = ui.md_escape(value) if isinstance(value, str) else value if kind is None else \
            self.fmt(value, kind, digits)
        (where or st).metric(tr(f"{self.ns}.kpi.{name}"), "—" if shown is None else shown,
                             help=ui.definition(self.ns, help_name or name), **kw)


def kit(url_path: str) -> Kit:
    """The kit of a page from its registry entry (the home and admin pages have no module)."""
    entry = info(url_path)
    return Kit(url_path, entry.namespace, module(url_path) if entry.module else None)


@dataclass
class View:
    """What the frame hands the page's own body: the kit, the context, the parameters and the result; on a
    page with tabs, ``head`` (above the result: general filters), ``top`` (the result's key figures) and
    ``tabs`` (name -> tab). ``ready`` is False when a required dataset is missing (``frame(stop=False)``)."""

    kit: Kit
    ctx: PageContext
    params: dict[str, Any]
    result: dict | None
    _figs: dict | None = None
    ready: bool = True
    options: Any = None
    head: Any = None
    top: Any = None
    tabs: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # the page's own values between its functions

    @property
    def url_path(self) -> str:
        return self.kit.url_path

    @property
    def base(self) -> dict[str, Any]:
        """The sidebar's date range, the parameters every page helper call starts from."""
        return {"start": self.ctx.start, "end": self.ctx.end}

    @property
    def figs(self) -> dict[str, dict]:
        if self._figs is None:
            self._figs = figures(self.url_path, self.ctx, self.params) if self.result is not None else {}
        return self._figs

    def get(self, key: str, default: Any = None) -> Any:
        return (self.result or {}).get(key, default)

    def figure(self, key: str, fig: dict | None = None, *, title: bool = False) -> bool:
        """Draw the module's figure ``key`` (or ``fig``) when there is one; ``title``: its title above it when
        the figure does not carry it (analytics.charts.finish puts the finding in the figure: one title)."""
        f = fig or self.figs.get(key)
        if not f:
            # the charts could not be drawn (analytics.report.figures_for): the note, once, where the first was due
            note = self.figs.get(FIGURE_ERROR_KEY)
            if note and not self.extra.get("_figure_error_shown"):
                self.extra["_figure_error_shown"] = True
                ui.figure(note, key=f"{self.url_path}_fig_{FIGURE_ERROR_KEY}")
            return False
        if title and f.get("title") and not (f.get("figure") is not None and f["figure"].layout.title.text):
            st.markdown(f"**{ui.md_escape(f['title'])}**")
        ui.figure(f, key=f"{self.url_path}_fig_{key}")
        return True

    def table(self, name: str, rows: list[dict] | None = None, *, cols: Any = None, key: str | None = None,
              **kw: Any) -> None:
        """The module's declared table ``name`` (``TABLES``; ``cols`` overrides), rows from the result
        unless given; ``key`` names a second view of the same table."""
        from analytics import tables

        declared = cols if cols is not None else tables.spec(self.kit.module, name)
        rows = rows if rows is not None else self.get(name)
        kw.setdefault("source", cached.source_of(self.result))  # another cached result: the caller's
        ui.spec_table(self.kit.ns, declared, rows, key=f"{self.url_path}_v_{key or name}",
                      file_name=f"prism_{self.url_path}_{key or name}", **kw)

    def derive(self, part: Any, key: tuple, build: Callable[[], Any]) -> Any:
        """``build()`` (rows the page derives from ``part`` of the result, e.g. one model's), made once per
        result and ``key`` and reused by the next reruns while the result is cached (treat it as
        read-only); a table of them is then formatted once too. ``part`` not from the cached result:
        ``build()`` every time."""
        src = cached.source_of(self.result)
        return src.prepared(part, key, build) if src is not None else build()

    def kpis(self, kpis: dict | None = None, *, kinds: dict[str, str] | None = None, **kw: Any) -> None:
        """The key figures (the result's ``kpis`` unless given) as cards, in the module's ``KPI_KINDS``
        formats (``kinds`` adds to them; see analytics.tables.cell)."""
        kinds = {**(getattr(self.kit.module, "KPI_KINDS", None) or {}), **(kinds or {})}
        ui.kpi_cards(self.kit.ns, kpis if kpis is not None else (self.get("kpis") or {}), kinds=kinds, **kw)

    def call(self, fn: str, params: dict | None = None) -> Any:
        """A helper of the page's module (options, drill-downs) through the cache."""
        return cached.page_call(self.url_path, fn, self.ctx.datasets, cached.freeze_params(params or {}), lang())

    def data_behind(self, *shown: str) -> None:
        """The "data behind the page" expander with every table of the result not listed in ``shown``."""
        if self.result is None:
            return
        skip = {"warnings", "findings", "kpis", *shown}
        standard_blocks(self.url_path, self.ctx, self.params,
                        {k: v for k, v in self.result.items() if k not in skip}, kpis=False, charts=False,
                        source=cached.source_of(self.result))

    def footer(self, make_html: Callable[[], str] | None = None) -> None:
        """Share link, reports (``make_html``: the page's own HTML report), review pack, rows used; first the
        link's invalid values again, for the widgets the page drew after the frame (saved items, drill-downs)."""
        show_problems()
        footer(self.url_path, self.ctx, self.params, self.result, make_html=make_html)


def frame(*, options: str | dict[str, str] | Callable[[View], Any] | None = None,
          controls: Callable[..., dict[str, Any]] | None = None,
          empty: Callable[[Kit, PageContext], None] | None = None, filters: bool = True,
          tabs: tuple[str, ...] | list[str] | dict[str, dict | None] | None = None, within: str | None = None, default_tab: str | None = None,
          stop: bool = True, compute_with: Callable[[View], dict | None] | None = None,
          result: bool = True) -> View:
    """The frame every page uses, in this order: header; empty state (a required kind missing, or none of
    ``KINDS_ANY``: ``empty.any`` of the page, what the page needs, with the templates; ``empty`` adds the
    page's own words; then the footer and the run stops, or with ``stop=False`` the page goes on with
    ``view.ready`` False); the choices of the controls (``options``: the module helper(s), or a function of
    the view); URL-bound controls (``controls(kit, options)``, else one widget per parameter in a "Filters"
    expander); invalid link values in the slot under the header; the cached result (``compute_with(view)``
    for a page that shows progress its own way; ``result=False``: a page without one) and its warnings.

    With ``tabs`` the frame draws ``view.head`` (general filters), ``view.top`` (the result goes there) and
    the tabs (``<ns>.tab.<name>``) before the controls, which get the view as a third argument to put
    their widgets in the tabs; ``within`` names the tab that holds the whole frame instead (the other tabs
    work without data). The page then draws its body from the returned :class:`View` and ends with
    ``view.footer()``."""
    ctx = context()
    k = kit(ctx.url_path)
    header(k.url_path)
    # A new revision this process has not fitted the page on yet: present the older revisions it did (their
    # fit is cached) while the current ones are refreshed in the background (cached.stale_view, compute).
    current = None  # the current revisions' context while the older ones are shown
    serves_stale = bool(result and compute_with is None and k.module is not None)
    _SERVES_STALE.set(serves_stale)
    if ctx.stale is not None:
        if not serves_stale:
            fresh_rerun()  # a page that shows its own progress: one run on the current revisions
        current = ctx
        ctx = replace(ctx, datasets=ctx.stale.datasets, infos=[dict(i) for i in ctx.stale.infos], stale=None)
    view = View(k, ctx, {}, None)

    def make_tabs() -> None:
        names = list(tabs or ())  # a dict: name -> the values of its label ({"n": 3}: "Saved personas (3)")
        labels = [k.t(f"tab.{n}", **((tabs.get(n) or {}) if isinstance(tabs, dict) else {})) for n in names]
        default = labels[names.index(default_tab)] if default_tab in names else None
        if not within:
            view.head, view.top = st.container(), st.container()
        view.tabs = dict(zip(names, st.tabs(labels, default=default)))
        if within:
            with view.tabs[within]:
                view.head, view.top = st.container(), st.container()

    if tabs and within:
        make_tabs()
    place = view.tabs.get(within) if within else None
    with place if place is not None else contextlib.nullcontext():
        for ds_id in ctx.missing:
            st.warning(ui.say("page.missing_dataset", id=ds_id), icon=":material/link_off:")
        needed = missing_kinds(k.module, ctx.kinds()) if k.module is not None else []
        any_of = missing_any(k.module, ctx.kinds()) if k.module is not None else ()
        if needed or any_of:
            if any_of and k.has("empty.any"):
                st.info(k.t("empty.any"), icon=":material/info:")
            for kind in needed or any_of:
                ui.empty_state(kind)
            if empty is not None:
                empty(k, ctx)
            show_problems()
            view.ready = False
            if stop:
                footer(k.url_path, ctx, {}, None)
                st.stop()
            return view
    try:
        if callable(options):
            view.options = options(view)
        elif isinstance(options, str):
            view.options = view.call(options)
        else:
            view.options = {p: view.call(fn) for p, fn in (options or {}).items()}
    except AnalyticsError as exc:
        show_problems()
        ui.cannot_answer(exc)
        view.ready = False
        if stop:
            footer(k.url_path, ctx, {}, None)
            st.stop()
        return view
    if tabs and not within:
        make_tabs()
    if controls is not None:
        n_args = len(inspect.signature(controls).parameters)
        params = controls(k, view.options, view) if n_args >= 3 else controls(k, view.options)
    elif filters:
        with (view.head or contextlib.nullcontext()), \
                st.expander(tr("page.filters"), expanded=False, icon=":material/tune:"):
            params = param_widgets(k.url_path, list(getattr(k.module, "PARAMS", [])), options=view.options or {})
    else:
        params = {}
    show_problems()  # after the widgets: they note the link's invalid values while reading it
    view.params = params or {}
    if not result:
        return view
    with view.top or contextlib.nullcontext():
        if compute_with is not None:
            try:
                view.result = compute_with(view)
            except AnalyticsError as exc:
                ui.cannot_answer(exc)
        else:
            if current is not None and not cached.holds_fit(k.url_path, ctx.datasets, result_key(ctx, view.params)):
                fresh_rerun()  # no older fit for these parameters: the current revisions, window and options
            view.result = compute(k.url_path, view.ctx, view.params, current=current)
        if view.result is not None:
            ui.warnings(view.result.get("warnings") or [])
    return view

def run(url_path: str, *, options: dict[str, list] | None = None) -> tuple[PageContext, dict[str, Any], dict | None]:
    """Header, empty states, parameter widgets, result, standard blocks and footer (a page with no body of
    its own). Returns (context, params, result)."""
    view = frame()
    if view.result is not None:
        standard_blocks(url_path, view.ctx, view.params, {k: v for k, v in view.result.items() if k != "warnings"},
                        source=cached.source_of(view.result))
    view.footer()
    return view.ctx, view.params, view.result
