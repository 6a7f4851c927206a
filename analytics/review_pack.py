"""The PDF review pack: several pages in one PDF, one section each, printed by headless Chromium.

Each section is the page's HTML report (``analytics.report.report_parts``: findings, key figures with
definitions, charts, tables, and the filters and datasets used), sections start on a new sheet
(CSS ``break-before: page``), plotly.js is inlined once, and the document is printed to PDF by the
system's Chromium (``PRISM_CHROMIUM``, else ``chromium`` / ``chromium-browser`` on PATH) as a
subprocess: no network (a content security policy allows inline scripts and styles only), a
throw-away profile per build, and a virtual-time budget so the charts have rendered before printing.
Chinese text is set in WenQuanYi Micro Hei (or Noto Sans CJK), which Chromium embeds in the PDF as
a subset. See docs/decisions.md for the choice and what was measured.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from analytics.common import AnalyticsError
from analytics.i18n import LANGS, t
from analytics.registry import BY_PATH

CHROMIUM_ENV = "PRISM_CHROMIUM"
TIMEOUT_S = 180
MAX_ROWS = 30  # rows per table in the pack (the full tables are in each page's CSV and HTML exports)
FIG_WIDTH_PX = 690  # A4 (210 mm) less 2 x 12 mm margins at 96 dpi is 703 px

STYLE = (
    "@page{size:A4;margin:12mm}"
    "html{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "body{font-family:'Helvetica Neue',Arial,'WenQuanYi Micro Hei','Noto Sans CJK SC','PingFang SC',"
    "'Microsoft YaHei',sans-serif;color:#1f2330;font-size:11px;margin:0;width:%dpx}"
    "section.page{break-before:page}section.page:first-of-type{break-before:auto}"
    "h1{font-size:20px;margin:0 0 4px}h2{font-size:14px;margin:14px 0 4px;break-after:avoid}"
    "h3{font-size:12px;margin:10px 0 2px;break-after:avoid}"
    "table{border-collapse:collapse;font-size:9px;margin:4px 0;max-width:100%%}"
    "td,th{border:1px solid #ddd;padding:2px 4px;text-align:left;vertical-align:top;overflow-wrap:anywhere}"
    "th{background:#f4f5fa}tr{break-inside:avoid}.note{color:#666;font-size:10px}"
    "pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:9px;background:#f8f8fb;padding:4px}"
    ".plotly-graph-div{break-inside:avoid}ul.findings li{margin:.2em 0}ul.warnings li{color:#8a5a00}"
    ".pack-head{border-bottom:2px solid #1f2330;margin-bottom:10px;padding-bottom:6px}"
    ".default-filters{color:#8a5a00}.page-error{color:#a40000}ul.datasets{margin:2px 0;padding-left:16px}"
    "p.filters{font-size:10px;line-height:1.5}span.filter{display:inline-block;max-width:100%%}"
) % FIG_WIDTH_PX
# Only what the document itself carries: inline scripts (plotly.js) and styles, data: images.
CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:"


class ChromiumMissing(AnalyticsError):
    """No Chromium to print with (the message says how to point at one)."""


class PdfFailed(AnalyticsError):
    """Chromium ran but produced no PDF."""


@dataclass
class Section:
    """One page of the pack: its result (None when it could not be computed), figures, and what it used."""

    url_path: str
    result: dict | None
    figures: list[dict] = field(default_factory=list)
    filters: dict = field(default_factory=dict)
    datasets: list[dict] = field(default_factory=list)
    defaults: bool = False  # the page's filters are its defaults (not opened in this session)
    error: str = ""         # why the page has no result (already in the pack's language)


def _esc(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def find_chromium() -> str:
    """The Chromium binary: ``$PRISM_CHROMIUM`` (a path or a name on PATH), else chromium on PATH.

    Returns
    -------
    str
        The binary's path (ChromiumMissing when none is found).
    """
    wanted = os.environ.get(CHROMIUM_ENV, "").strip()
    for name in ([wanted] if wanted else ["chromium", "chromium-browser", "google-chrome"]):
        path = shutil.which(name)
        if path:
            return path
    raise ChromiumMissing("ui.pack.no_chromium", env=CHROMIUM_ENV, tried=wanted or "chromium")


def _label(ns: str, kind: str, key: str, lang: str, fallback: str) -> str:
    k = f"{ns}.{kind}.{key}"
    text = t(k, lang)
    return fallback if text == k else text


def _value(v: Any) -> str:
    if v is None or v == "" or v == []:
        return "—"
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, default=str)
    return str(v)


def filters_block(url_path: str, datasets: list[dict], filters: dict, lang: str) -> str:
    """The datasets (name, kind, revision, rows) and every filter with its label in ``lang``, compact.

    Parameters
    ----------
    url_path : str
        The page's URL path.
    datasets : list[dict]
        Dicts with ``id``, ``name``, ``kind`` and optionally ``revision``, ``rows``.
    filters : dict
        Parameter -> value.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.

    Returns
    -------
    str
        Escaped HTML.
    """
    ns = BY_PATH[url_path].namespace
    items = []
    for d in datasets:
        kind = t(f"ui.kind.{d.get('kind')}", lang) if d.get("kind") else ""
        bits = [f"#{d.get('id')}", kind] + ([f"r{d['revision']}"] if d.get("revision") is not None else []) + \
            ([f"{int(d['rows']):,}"] if d.get("rows") is not None else [])
        items.append(f"<li>{_esc(d.get('name') or '')} <span class='note'>({_esc(' · '.join(b for b in bits if b))})"
                     f"</span></li>")
    shared = {"start": t("ui.sidebar.start", lang), "end": t("ui.sidebar.end", lang)}
    cells = []
    for k, v in filters.items():
        label = shared.get(k) or _label(ns, "param", k, lang, k)
        shown = _value(v)
        if isinstance(v, str):
            shown = _label(ns, f"choice.{k}", v, lang, shown)
        cells.append(f"<span class='filter'><b>{_esc(label)}</b>: {_esc(shown)}</span>")
    return (f"<ul class='datasets'>{''.join(items)}</ul>" if items else "") + \
        (f"<p class='filters'>{' · '.join(cells)}</p>" if cells else "")


def section_html(sec: Section, lang: str, user: str) -> str:
    """One page's section of the pack: its report (without the per-page head), or why it could not be computed.

    Parameters
    ----------
    sec : Section
        The section.
    lang : str
        Interface language of the texts, ``'en'`` or ``'zh'``.
    user : str
        Who generated the pack.

    Returns
    -------
    str
        Escaped HTML.
    """
    from analytics import report

    block = filters_block(sec.url_path, sec.datasets, sec.filters, lang)
    if sec.result is None:
        title = t("ui.report.title", lang, page=t(f"ui.nav.{sec.url_path}", lang))
        parts = [f"<h1>{_esc(title)}</h1>",
                 f"<p class='page-error'>{_esc(t('ui.page.not_enough', lang, reason=sec.error))}</p>",
                 f"<h2>{_esc(t('ui.report.filters', lang))}</h2>{block}"]
    else:
        _, parts = report.report_parts(
            sec.url_path, sec.result, sec.figures, lang=lang, user=user, filters=sec.filters,
            datasets=sec.datasets, plotlyjs=False, max_rows=MAX_ROWS, filters_block=block,
            figure_html={"default_width": f"{FIG_WIDTH_PX}px", "default_height": "360px",
                         "config": {"staticPlot": True, "displayModeBar": False}})
        parts = parts[:1] + parts[2:]  # the pack's head says when and by whom, once
    if sec.defaults:
        parts.insert(1, f"<p class='default-filters'>{_esc(t('ui.pack.defaults_used', lang))}</p>")
    return f"<section class='page' id='{_esc(sec.url_path)}'>{''.join(parts)}</section>"


def pack_html(sections: list[Section], *, lang: str = "en", user: str = "") -> str:
    """The whole pack as one self-contained HTML document (plotly.js inlined once).

    Parameters
    ----------
    sections : list[Section]
        The sections (ValueError for an unknown language, KeyError for an unknown page).
    lang : str
        Language code, ``'en'`` or ``'zh'``.
    user : str
        Who generated the pack.

    Returns
    -------
    str
        The HTML document.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}")
    for s in sections:
        if s.url_path not in BY_PATH:
            raise KeyError(f"unknown page {s.url_path!r}; pages: {', '.join(BY_PATH)}")
    title = t("ui.pack.title", lang)
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    names = " · ".join(t(f"ui.nav.{s.url_path}", lang) for s in sections)
    head = (f"<div class='pack-head'><div><b>{_esc(title)}</b> — {_esc(names)}</div>"
            f"<div class='note'>{_esc(t('ui.report.generated', lang, when=when, user=user or '-'))}</div></div>")
    body = "".join(section_html(s, lang, user) for s in sections)
    plotly = ""
    if any(s.result is not None and any(f.get("figure") is not None for f in s.figures) for s in sections):
        from plotly.offline import get_plotlyjs

        plotly = f"<script type='text/javascript'>{get_plotlyjs()}</script>"
    return (f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
            f"<title>{_esc(title)}</title><style>{STYLE}</style>{plotly}</head><body>{head}{body}</body></html>")


def html_to_pdf(doc: str, *, chromium: str | None = None, timeout: float = TIMEOUT_S) -> bytes:
    """Print an HTML document to PDF (A4) with headless Chromium; the bytes of the PDF.

    Parameters
    ----------
    doc : str
        The HTML document.
    chromium : str | None
        Chromium binary (None: :func:`find_chromium`).
    timeout : float
        Seconds before the print is abandoned (PdfFailed).

    Returns
    -------
    bytes
        The PDF.
    """
    exe = chromium or find_chromium()
    with tempfile.TemporaryDirectory(prefix="prism-pack-") as tmp:
        src, out = Path(tmp) / "pack.html", Path(tmp) / "pack.pdf"
        src.write_text(doc, encoding="utf-8")
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
               "--disable-extensions", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--mute-audio", f"--user-data-dir={Path(tmp) / 'profile'}",
               f"--window-size={FIG_WIDTH_PX + 100},1200", "--virtual-time-budget=20000",
               "--run-all-compositor-stages-before-draw", "--no-pdf-header-footer",
               f"--print-to-pdf={out}", src.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfFailed("ui.pack.failed", reason=f"timeout after {int(timeout)} s") from None
        except OSError as exc:
            raise ChromiumMissing("ui.pack.no_chromium", env=CHROMIUM_ENV, tried=exe) from exc
        if not out.exists() or out.stat().st_size == 0:
            tail = (proc.stderr or "").strip().splitlines()[-3:]
            raise PdfFailed("ui.pack.failed", reason=f"exit {proc.returncode}: {' '.join(tail)[:300]}")
        return out.read_bytes()


def build_pdf(sections: list[Section], *, lang: str = "en", user: str = "", chromium: str | None = None) -> bytes:
    """One PDF with a section per page (in the given order).

    Parameters
    ----------
    sections : list[Section]
        The sections.
    lang : str
        Language code, ``'en'`` or ``'zh'``.
    user : str
        Who generated the pack.
    chromium : str | None
        Chromium binary (None: :func:`find_chromium`).

    Returns
    -------
    bytes
        The PDF.
    """
    exe = chromium or find_chromium()  # fail before the work of building the document
    return html_to_pdf(pack_html(sections, lang=lang, user=user), chromium=exe)


def pdf_pages(pdf: bytes) -> int:
    """The number of pages of a PDF that Chromium printed (its page objects are not compressed).

    Parameters
    ----------
    pdf : bytes
        The PDF bytes.

    Returns
    -------
    int
        The page count.
    """
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def run_sections(url_paths: list[str], dataset_ids: list[int], raw_params: dict[str, Any] | None = None, *,
                 lang: str = "en", engine: Any = None) -> tuple[list[Section], list[str]]:
    """Sections for the command line: each page gets the given datasets of the kinds it declares and the
    parameters it knows (the others are left out for that page); a page that cannot be computed becomes
    a section saying why. Returns the sections and the parameter problems.

    Parameters
    ----------
    url_paths : list[str]
        The pages, in order.
    dataset_ids : list[int]
        Dataset ids (LookupError for one that does not exist).
    raw_params : dict[str, Any] | None
        Parameter -> raw value, or None.
    lang : str
        Language code, ``'en'`` or ``'zh'``.
    engine : Any
        Catalogue engine (None: the default).

    Returns
    -------
    tuple[list[Section], list[str]]
        The sections and the parameter problems.
    """
    from analytics import report
    from analytics.registry import module
    from data import repository

    raw = dict(raw_params or {})
    kinds_of = {}
    for ds_id in dataset_ids:
        info = repository.get_dataset(dataset_id=int(ds_id), engine=engine)
        if info is None:
            raise LookupError(f"dataset {ds_id} does not exist")
        kinds_of[int(ds_id)] = info["kind"]
    known: set[str] = {"start", "end"}
    sections, problems = [], []
    for url_path in url_paths:
        mod = module(url_path)
        spec_keys = {p.key for p in report.page_params(url_path)}
        known |= spec_keys
        kinds = getattr(mod, "KINDS", {})
        ids = [i for i in dataset_ids if kinds_of[int(i)] in kinds]
        params = {k: v for k, v in raw.items() if k in spec_keys}
        try:
            res = report.run_page(url_path, ids, params, lang=lang, engine=engine)
        except AnalyticsError as exc:
            infos = [{"id": i, "kind": kinds_of[int(i)]} for i in ids]
            sections.append(Section(url_path, None, filters=params, datasets=infos,
                                    error=t(exc.key, lang, **exc.kwargs)))
            continue
        problems += [f"{url_path}: {p}" for p in res.get("problems", [])]
        sections.append(Section(url_path, res, report.figures_for(url_path, res, lang), filters=res["params"],
                                datasets=res["datasets"]))
    problems += [f"{k}: no chosen page has this parameter" for k in raw if k not in known]
    return sections, problems
