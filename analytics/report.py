"""Headless page results and self-contained HTML reports.

``run_page`` is what the page shows, computed without a browser: it loads the datasets, parses the
page's parameters with the same spec the page's URL uses, and calls the page module's ``compute``.
``to_html`` renders any page result (findings, key figures with definitions, charts, tables and the
filters used) as one self-contained HTML file; every user-provided text is escaped.
"""

from __future__ import annotations

import html
import logging
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Iterator

import pandas as pd

from analytics import charts, tables
from analytics.common import AnalyticsError, EngineLimit, NotEnoughData, jsonable
from analytics.inputs import Inputs, as_inputs, fit_params, uses_engine
from analytics.i18n import LANGS, fmt_list, t
from analytics.params import Param, parse_params, resolve
from analytics.registry import missing_kinds, module, page

GLOBAL_PARAMS = [Param("start", "date"), Param("end", "date")]
MAX_REPORT_ROWS = 500


def page_params(url_path: str) -> list[Param]:
    """The parameters a page's link can carry: the shared ones (GLOBAL_PARAMS) and the page module's PARAMS.

    Parameters
    ----------
    url_path : str
        The page's URL path.

    Returns
    -------
    list[Param]
        The parameters.
    """
    return list(GLOBAL_PARAMS) + list(getattr(module(url_path), "PARAMS", []))


def load_inputs(dataset_ids: list[int], *, engine=None) -> tuple[Inputs, list[dict]]:
    """The datasets' current revisions as page inputs (engine tables over their parts).

    Parameters
    ----------
    dataset_ids : list[int]
        Dataset ids, one per kind (LookupError for one that does not exist, ValueError for two of a kind).
    engine
        Catalogue engine (None: the default).

    Returns
    -------
    tuple[Inputs, list[dict]]
        The inputs and the datasets' ``id``, ``name``, ``kind``, ``revision``, ``rows``.
    """
    from data import repository

    # a connected warehouse table that changed is a new revision first (as every rerun of the app does), so
    # the revision and row count reported match the lines read
    repository.refresh_connected(engine=engine)
    key: list[tuple[str, int, int]] = []
    infos: list[dict] = []
    for ds_id in dataset_ids:
        info = repository.get_dataset(dataset_id=int(ds_id), engine=engine)
        if info is None:
            raise LookupError(f"dataset {ds_id} does not exist")
        if info["kind"] in {k for k, _, _ in key}:
            raise ValueError(f"two {info['kind']} datasets given; a page uses one dataset per kind")
        key.append((info["kind"], int(ds_id), int(info["revision"])))
        infos.append({k: info[k] for k in ("id", "name", "kind", "revision", "rows")})
    return Inputs.of_store(tuple(key), engine=engine), infos


@contextmanager
def engine_limits() -> Iterator[None]:
    """Inside: the engine running out of its memory limit (``data.errors.EngineMemoryError``) is raised as
    :class:`analytics.common.EngineLimit`, an AnalyticsError the pages and the command line show as one
    translated sentence (``ui.page.engine_memory``) instead of an error.

    Returns
    -------
    Iterator[None]
        A context manager.
    """
    from data.errors import EngineMemoryError

    try:
        yield
    except EngineMemoryError as exc:
        raise EngineLimit("ui.page.engine_memory", limit=exc.limit) from exc


def _check_kinds(mod: Any, kinds: set[str], lang: str) -> None:
    missing = missing_kinds(mod, kinds)  # "one of KINDS_ANY" is the module's own error, which names them
    if missing:
        raise AnalyticsError("ui.empty.title", kind=fmt_list((t(f"ui.kind.{k}", lang) for k in missing), lang))


def fit_page(url_path: str, inputs: "Inputs | dict[str, pd.DataFrame]", params: dict, *, base: Any = None) -> Any:
    """The page's language-free fit on engine tables (modules with ``fit``/``present`` only).

    Parameters
    ----------
    url_path : str
        The page's URL path.
    inputs : 'Inputs | dict[str, pd.DataFrame]'
        The page's inputs (or kind -> canonical frame).
    params : dict
        The page's parameters.
    base : Any
        The module's :func:`fit_base_page` for the same inputs and parameters, or None (the fit makes
        its own when the module has one).

    Returns
    -------
    Any
        The page module's fit.
    """
    kw = {"base": base} if base is not None else {}
    return _on_tables(url_path, inputs, lambda mod, tables: mod.fit(
        tables, fit_params(mod, resolve(getattr(mod, "PARAMS", []), params)), **kw))


def _on_tables(url_path: str, inputs: "Inputs | dict[str, pd.DataFrame]", run: Any) -> Any:
    """``run(module, tables)`` for the page's module on its inputs' engine tables, once the kinds it needs are
    checked, under the engine's limits."""
    mod = module(url_path)
    inputs = as_inputs(inputs)
    _check_kinds(mod, inputs.kinds, "en")
    with engine_limits():
        return run(mod, inputs.tables())


def fit_base_page(url_path: str, inputs: "Inputs | dict[str, pd.DataFrame]", params: dict) -> Any:
    """The engine's part of the page's fit, for a module that has one (``fit_base``: every query over the
    lines, depending on the parameters ``base_params`` returns; see analytics.segmentation).

    Parameters
    ----------
    url_path : str
        The page's URL path.
    inputs : 'Inputs | dict[str, pd.DataFrame]'
        The page's inputs (or kind -> canonical frame).
    params : dict
        The page's parameters.

    Returns
    -------
    Any
        The module's base.
    """
    return _on_tables(url_path, inputs, lambda mod, tables: mod.fit_base(
        tables, mod.base_params(resolve(getattr(mod, "PARAMS", []), params))))


def present_page(url_path: str, fitted: Any, params: dict, lang: str) -> dict:
    """The page's result in ``lang`` from its fit, JSON-safe.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    fitted : Any
        The fit.
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The result.
    """
    mod = module(url_path)
    return jsonable(mod.present(fitted, resolve(getattr(mod, "PARAMS", []), params), lang))


def compute_page(url_path: str, inputs: "Inputs | dict[str, pd.DataFrame]", params: dict, lang: str) -> dict:
    """What the page shows: ``present(fit(tables))`` for modules on the engine, else ``compute(frames)``.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    inputs : 'Inputs | dict[str, pd.DataFrame]'
        The page's inputs (or kind -> canonical frame).
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    dict
        The result, JSON-safe.
    """
    mod = module(url_path)
    inputs = as_inputs(inputs)
    _check_kinds(mod, inputs.kinds, lang)
    if uses_engine(mod):
        full = resolve(getattr(mod, "PARAMS", []), params)
        with engine_limits():
            fitted = mod.fit(inputs.tables(), fit_params(mod, full))
        return present_page(url_path, fitted, full, lang)
    with engine_limits():
        return jsonable(mod.compute(inputs.frames(), params, lang))


def call_page(url_path: str, fn: str, inputs: "Inputs | dict[str, pd.DataFrame]", params: dict, lang: str,
              **kw: Any) -> Any:
    """Another function of the page's module, ``fn(tables or frames, params, lang, **kw)`` (drill-downs,
    options, target lists): engine tables for modules on the engine, frames otherwise.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    fn : str
        Name of the module's function.
    inputs : 'Inputs | dict[str, pd.DataFrame]'
        The page's inputs (or kind -> canonical frame).
    params : dict
        The page's parameters.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    **kw : Any
        Passed on to the function.

    Returns
    -------
    Any
        What the function returns.
    """
    mod = module(url_path)
    inputs = as_inputs(inputs)
    with engine_limits():
        return getattr(mod, fn)(inputs.tables() if uses_engine(mod) else inputs.frames(), params, lang, **kw)


def store_params(url_path: str, *, engine=None) -> dict:
    """Parameters a page reads from the catalogue beside its datasets (the planner: the incrementality
    ledger's entries, ``analytics.promotions.store_params``); {} for the other pages.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    engine
        Catalogue engine (None: the default).

    Returns
    -------
    dict
        Parameter -> value.
    """
    fn = getattr(module(url_path), "store_params", None)
    return fn(engine=engine) if fn is not None else {}


def run_page(
    url_path: str, dataset_ids: list[int], raw_params: dict[str, Any] | None = None, *, lang: str = "en",
    engine=None,
) -> dict:
    """The page's numbers as one JSON-safe dict: page, datasets, params, problems, then the result keys.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    dataset_ids : list[int]
        Dataset ids.
    raw_params : dict[str, Any] | None
        Parameter -> raw value, or None.
    lang : str
        Language code, ``'en'`` or ``'zh'`` (ValueError otherwise).
    engine
        Catalogue engine (None: the default).

    Returns
    -------
    dict
        The dict.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}")
    page(url_path)
    parsed = parse_params(page_params(url_path), raw_params or {})
    inputs, infos = load_inputs(dataset_ids, engine=engine)
    full = {**parsed.values, **store_params(url_path, engine=engine)}
    result = compute_page(url_path, inputs, full, lang)
    extra = getattr(module(url_path), "report_extra", None)  # parts the page reads from other pages' caches
    if extra is not None:
        result = {**result, **jsonable(extra(inputs.tables(), resolve(getattr(module(url_path), "PARAMS", []), full), lang))}
    return {"page": url_path, "lang": lang, "datasets": infos, "params": jsonable(parsed.values),
            "problems": parsed.problems, **result}


# ---------------------------------------------------------------- HTML


def _esc(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _table(rows: list[dict], lang: str, max_rows: int = MAX_REPORT_ROWS, *, ns: str = "ui",
           cols: "tuple[tables.Col, ...] | None" = None) -> str:
    """A table as the page shows it (``analytics.tables``): the declared columns that hold a value (an
    undeclared table: its labelled columns), headers in ``lang``, cells formatted for ``lang`` by kind."""
    if not rows:
        return ""
    shown = tables.resolve(ns, cols, rows[:max_rows], lang)
    if not shown:
        return ""
    head = "".join(f"<th>{_esc(tables.label(ns, c, lang))}</th>" for c in shown)
    body = "".join(
        "<tr>" + "".join(f"<td>{_esc(tables.cell(c, r.get(c.key), lang))}</td>" for c in shown) + "</tr>"
        for r in rows[:max_rows]
    )
    more = f"<p class='note'>{_esc(t('ui.report.more_rows', lang, n=len(rows) - max_rows))}</p>" if len(rows) > max_rows else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def tables_of(result: dict) -> dict[str, list[dict]]:
    """Every top-level list of records in a result (the data behind the page).

    Parameters
    ----------
    result : dict
        A page result.

    Returns
    -------
    dict[str, list[dict]]
        Name (``key`` or ``key.subkey``) -> rows.
    """
    out = {}
    for k, v in result.items():
        if isinstance(v, list) and v and all(isinstance(r, dict) for r in v[:5]):
            out[k] = v
        elif isinstance(v, dict):
            for k2, v2 in v.items():
                if isinstance(v2, list) and v2 and all(isinstance(r, dict) for r in v2[:5]):
                    out[f"{k}.{k2}"] = v2
    return out


def _at(result: dict, path: str) -> Any:
    """``a.b`` in a result: result["a"]["b"]."""
    cur: Any = result
    for part in path.split("."):
        cur = cur.get(part) if isinstance(cur, dict) else None
    return cur


def report_tables(url_path: str, result: dict) -> list[tuple[str, list[dict], "tuple[tables.Col, ...] | None"]]:
    """The tables a person reads, in order: the module's declared ``TABLES`` found in the result; a module
    that declares none gives every table of its result (their labelled columns only).

    Parameters
    ----------
    url_path : str
        The page's URL path.
    result : dict
        The page result.

    Returns
    -------
    list[tuple[str, list[dict], 'tuple[tables.Col, ...] | None']]
        (name, rows, declared columns or None) per table.
    """
    mod = module(url_path)
    declared = getattr(mod, "TABLES", None)
    if declared:
        out = []
        for name in declared:
            rows = _at(result, name)
            if isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows[:5]):
                out.append((name, rows, tables.spec(mod, name)))
        return out
    meta = {"page", "lang", "datasets", "params", "problems"}  # run_page's own keys: said in the filters block
    return [(name, rows, None) for name, rows in tables_of(result).items() if name.split(".")[0] not in meta]


def kpi_rows(url_path: str, result: dict, lang: str) -> list[dict]:
    """The key figures of a result as report rows (metric, value as the KPI card shows it, definition) in
    ``lang``.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    result : dict
        The page result (``kpis``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        One dict per KPI, keyed by the translated headers.
    """
    kpis = result.get("kpis")
    if not isinstance(kpis, dict):
        return []
    ns = page(url_path).namespace
    rows = []
    for name, value in kpis.items():
        if isinstance(value, (dict, list)):
            continue
        definition = t(f"{ns}.metric.{name}", lang)
        label = t(f"{ns}.kpi.{name}", lang)
        rows.append({t("ui.common.metric", lang): name if label.endswith(f"kpi.{name}") else label,
                     t("ui.common.value", lang): tables.kpi_text(name, value, lang),
                     t("ui.common.definition", lang): "" if definition.endswith(f"metric.{name}") else definition})
    return rows


def report_parts(
    url_path: str, result: dict, figures: list[dict], *, lang: str = "en", user: str = "", filters: dict | None = None,
    datasets: list[dict] | None = None, plotlyjs: bool = True, max_rows: int = MAX_REPORT_ROWS,
    figure_html: dict[str, Any] | None = None, filters_block: str | None = None,
) -> tuple[str, list[str]]:
    """A page report's title and its HTML blocks (title, findings, key figures, charts, tables, filters);
    ``plotlyjs=False`` leaves plotly.js out (a document that holds it once, e.g. the PDF review pack),
    ``figure_html`` adds keyword arguments for plotly's ``to_html``, ``filters_block`` replaces the JSON of
    the filters and datasets used (already escaped HTML).

    Parameters
    ----------
    url_path : str
        The page's URL path.
    result : dict
        The page result.
    figures : list[dict]
        Figure dicts (``key``, ``title``, ``figure``).
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    user : str
        Who generated the report.
    filters : dict | None
        The filters used (None: the result's ``params``).
    datasets : list[dict] | None
        The datasets used (None: the result's ``datasets``).
    plotlyjs : bool
        Whether to include plotly.js.
    max_rows : int
        Most rows per table.
    figure_html : dict[str, Any] | None
        Extra arguments for plotly's ``to_html``, or None.
    filters_block : str | None
        Escaped HTML of the filters block, or None.

    Returns
    -------
    tuple[str, list[str]]
        The title and the HTML blocks.
    """
    title = t("ui.report.title", lang, page=t(f"ui.nav.{url_path}", lang))
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"<h1>{_esc(title)}</h1>", f"<p class='note'>{_esc(t('ui.report.generated', lang, when=when, user=user or '-'))}</p>"]
    extra = getattr(module(url_path), "html_sections", None)  # page-specific sections (must escape user text)
    if extra is not None:
        parts.append(extra(result, lang))
    if filters_block is None:
        from analytics.review_pack import filters_block as in_words

        filters_block = in_words(url_path, datasets or result.get("datasets") or [],
                                 filters or result.get("params") or {}, lang)
    block = filters_block
    parts.append(f"<h2>{_esc(t('ui.report.filters', lang))}</h2>{block}")
    if result.get("findings"):
        items = "".join(f"<li>{_esc(f)}</li>" for f in result["findings"])
        parts.append(f"<h2>{_esc(t('ui.page.findings', lang))}</h2><ul class='findings'>{items}</ul>")
    if result.get("warnings"):
        items = "".join(f"<li>{_esc(w)}</li>" for w in result["warnings"])
        parts.append(f"<h2>{_esc(t('ui.page.warnings', lang))}</h2><ul class='warnings'>{items}</ul>")
    kr = kpi_rows(url_path, result, lang)
    if kr:
        parts.append(f"<h2>{_esc(t('ui.report.kpis', lang))}</h2>{_table(kr, lang)}")
    if figures:
        import plotly.io as pio

        parts.append(f"<h2>{_esc(t('ui.report.figures', lang))}</h2>")
        first = plotlyjs
        for f in figures:
            fig = f.get("figure")
            if fig is None:
                if f.get("note"):  # charts that could not be drawn (figures_for): said, not left out
                    parts.append(f"<ul class='warnings figure-error'><li>{_esc(f['note'])}</li></ul>")
                continue
            # one title per chart: the heading above it (the finding), not a second one inside the chart
            heading = f.get("title") or fig.layout.title.text or ""
            fig = themed(fig)
            fig.update_layout(title=None, margin={"t": 30 + 22 * charts.rows_above(fig)})
            parts.append(f"<h3>{_esc(heading)}</h3>")
            # names from the data are drawn as text, never as plotly.js's HTML (links, styles)
            parts.append(pio.to_html(charts.inert_figure(fig.to_dict()), full_html=False, validate=False,
                                     include_plotlyjs=True if first else False, **(figure_html or {})))
            first = False
    ns = page(url_path).namespace
    blocks = [(name, _table(rows, lang, max_rows, ns=ns, cols=cols)) for name, rows, cols in report_tables(url_path, result)]
    blocks = [(name, b) for name, b in blocks if b]
    if blocks:
        parts.append(f"<h2>{_esc(t('ui.report.tables', lang))}</h2>")
        for name, b in blocks:
            parts.append(f"<h3>{_esc(tables.title(ns, name, lang))}</h3>{b}")
    return title, parts


# the app's theme (.streamlit/config.toml), so a report's charts look like the page's (analytics.charts)
THEME, COLORWAY = charts.THEME, charts.COLORWAY


def themed(fig: Any) -> Any:
    """A copy of a figure in the app's theme (:func:`analytics.charts.themed`).

    Parameters
    ----------
    fig : Any
        A plotly figure.

    Returns
    -------
    Any
        The themed copy.
    """
    return charts.themed(type(fig)(fig))


REPORT_STYLE = (
    "body{font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;max-width:1100px;margin:2em auto;"
    "color:#1f2330}table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ddd;"
    "padding:4px 8px;text-align:left}th{background:#f4f5fa}.note{color:#666;font-size:12px}"
    "ul.findings li{margin:.3em 0}ul.warnings li{color:#8a5a00}"
)


def to_html(
    url_path: str, result: dict, figures: list[dict], *, lang: str = "en", user: str = "", filters: dict | None = None,
    datasets: list[dict] | None = None,
) -> str:
    """A page report as one self-contained HTML document (:func:`report_parts`).

    Parameters
    ----------
    url_path : str
        The page's URL path.
    result : dict
        The page result.
    figures : list[dict]
        Figure dicts.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    user : str
        Who generated the report.
    filters : dict | None
        The filters used, or None.
    datasets : list[dict] | None
        The datasets used, or None.

    Returns
    -------
    str
        The HTML document.
    """
    title, parts = report_parts(url_path, result, figures, lang=lang, user=user, filters=filters, datasets=datasets)
    return (f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
            f"<title>{_esc(title)}</title><style>{REPORT_STYLE}</style></head><body>{''.join(parts)}</body></html>")


FIGURE_ERROR_KEY = "figure_error"  # the key of the note that stands in for charts that could not be drawn


def figures_for(url_path: str, result: dict, lang: str) -> list[dict]:
    """The page module's figures of a result (none when it has no ``figures``).

    A module's own "no data" condition (:class:`~analytics.common.NotEnoughData`) gives no figures. Any
    other exception is a bug: it is logged with its traceback (``logging``, this module's logger) and the
    figures come back as a note (key ``FIGURE_ERROR_KEY``, ``figure`` None, ``note`` the text) that the
    report (:func:`report_parts`) and the page (components.ui.figure) show where the charts would be, so a
    broken chart is seen rather than silently missing. A module's ``figures`` is one call, so when it raises
    no figure of it was finished and the note is the whole list.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    result : dict
        The page result.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    list[dict]
        Figure dicts (``key``, ``title``, ``figure``), or the one note dict when the figures raised.
    """
    mod = module(url_path)
    fn = getattr(mod, "figures", None)
    if fn is None:
        return []
    try:
        return list(fn(result, lang) or [])
    except NotEnoughData:
        return []
    except Exception:
        logging.getLogger(__name__).exception("the charts of %s could not be drawn", url_path)
        note = t("ui.report.figure_error", lang)
        return [{"key": FIGURE_ERROR_KEY, "title": note, "figure": None, "note": note}]
