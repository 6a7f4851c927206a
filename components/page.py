"""The frame of every analysis page: context from the sidebar, parameters bound to the URL, the
cached result, and the common blocks (warnings, KPIs, charts, findings, tables, share, reports)."""

from __future__ import annotations

import contextvars
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import streamlit as st

from analytics import cached
from analytics.common import AnalyticsError
from analytics.i18n import t
from analytics.params import Param, resolve
from analytics.registry import PAGES, missing_kinds, module, page
from analytics.report import tables_of
from analytics.review_pack import pdf_pages
from components import state, ui
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


def param_help(ns: str, key: str) -> str | None:
    k = f"{ns}.param_help.{key}"
    text = t(k, lang())
    return None if text == k else text


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
        label, help_ = param_label(ns, p.key), param_help(ns, p.key)
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


def compute(url_path: str, ctx: PageContext, params: dict[str, Any]) -> dict | None:
    key = result_key(ctx, params)
    name = tr(f"nav.{url_path}")
    try:
        with st.spinner(ui.say("page.computing", page=name), show_time=True):
            return cached.page_result(url_path, ctx.datasets, key, lang())
    except AnalyticsError as exc:
        st.info(ui.say("page.not_enough", reason=ui.exc_text(exc)), icon=":material/hourglass_empty:")
        return None


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
                    kpis: bool = True, charts: bool = True, tables: bool = True) -> None:
    ns = page(url_path).namespace
    ui.warnings(result.get("warnings") or [])
    if kpis and isinstance(result.get("kpis"), dict):
        changes = result.get("kpi_changes") if isinstance(result.get("kpi_changes"), dict) else None
        ui.kpi_cards(ns, result["kpis"], changes=changes, too_large=result.get("kpi_too_large") or ())
    if charts:
        for i, f in enumerate(cached.page_figures(url_path, ctx.datasets, result_key(ctx, params), lang())):
            ui.figure(f, key=f"{url_path}_fig_{i}_{f.get('key', i)}")
    ui.findings(result.get("findings") or [])
    if tables:
        tabs = tables_of(result)
        if tabs:
            with st.expander(tr("page.data_behind"), icon=":material/table:"):
                for name, rows in tabs.items():
                    st.caption(ui.md_escape(name))
                    ui.table(rows, key=f"{url_path}_{name}", file_name=f"prism_{url_path}_{name}")


def footer(url_path: str, ctx: PageContext, params: dict[str, Any], result: dict | None) -> None:
    st.divider()
    full = result_key(ctx, params)
    make_html = (lambda: cached.report_html(url_path, ctx.datasets, full, lang(), ctx.user.get("username", ""))) if result else None
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
                    status.update(label=ui.say("pack.done", pages=pdf_pages(pdf), seconds=f"{time.perf_counter() - t0:.0f}"),
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


def run(url_path: str, *, options: dict[str, list] | None = None) -> tuple[PageContext, dict[str, Any], dict | None]:
    """Header, empty states, parameter widgets, result, standard blocks and footer.

    Returns (context, params, result) so a page can add its own sections after the common ones.
    """
    ctx = context()
    header(url_path)
    if not require_kinds(url_path, ctx):
        show_problems()
        return ctx, {}, None
    spec = list(getattr(module(url_path), "PARAMS", []))
    with st.expander(tr("page.filters"), expanded=False, icon=":material/tune:"):
        params = param_widgets(url_path, spec, options=options)
    show_problems()  # after the widgets have read the URL, so page parameters are checked too
    result = compute(url_path, ctx, params)
    if result is not None:
        standard_blocks(url_path, ctx, params, result)
    footer(url_path, ctx, params, result)
    return ctx, params, result
