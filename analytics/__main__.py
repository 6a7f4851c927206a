"""Command line: page results without the browser, and the metrics documentation.

    python -m analytics report PAGE --dataset ID [--dataset ID ...] [--param KEY=VALUE ...]
                               --format json|html [--lang en|zh] [--out FILE]
    python -m analytics report PAGE [--page PAGE ...] --dataset ID [--dataset ID ...] [--param KEY=VALUE ...]
                               --format pdf [--lang en|zh] --out FILE    (the review pack: a section per page)
    python -m analytics metrics-doc [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable

from analytics.common import AnalyticsError
from analytics.i18n import t


def _params(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"--param expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value.strip()
    return out


def _failing(fn: Callable[[], Any], lang: str) -> Any:
    """``fn()``, or the command's exit code after one line on stderr: 2 for an unknown page or dataset
    (LookupError), 3 for data a page cannot analyse (AnalyticsError, in ``lang``)."""
    try:
        return fn()
    except LookupError as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return 2
    except AnalyticsError as exc:
        print(t(exc.key, lang, **exc.kwargs), file=sys.stderr)
        return 3


def cmd_report(args: argparse.Namespace) -> int:
    from analytics import report
    from analytics.registry import BY_PATH

    for name in [args.page, *args.pages]:
        if name not in BY_PATH:
            print(f"unknown page {name!r}; pages: {', '.join(BY_PATH)}", file=sys.stderr)
            return 2
    if args.format == "pdf":
        return cmd_review_pack(args)
    if args.pages:
        print("--page (several pages) needs --format pdf", file=sys.stderr)
        return 2
    res = _failing(lambda: report.run_page(args.page, args.dataset, _params(args.param), lang=args.lang), args.lang)
    if isinstance(res, int):
        return res
    for p in res.get("problems", []):
        print(f"warning: parameter ignored: {p}", file=sys.stderr)
    if args.format == "json":
        text = json.dumps(res, ensure_ascii=False, indent=2, default=str)
    else:
        figs = report.figures_for(args.page, res, args.lang)
        text = report.to_html(args.page, res, figs, lang=args.lang, user="cli")
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    return 0


def cmd_review_pack(args: argparse.Namespace) -> int:
    """The PDF review pack of PAGE and every --page (in that order, each once)."""
    from analytics import review_pack

    if not args.out:
        print("--format pdf needs --out FILE", file=sys.stderr)
        return 2
    pages = list(dict.fromkeys([args.page, *args.pages]))

    def build() -> tuple[bytes, int]:
        chromium = review_pack.find_chromium()
        sections, problems = review_pack.run_sections(pages, args.dataset, _params(args.param), lang=args.lang)
        for p in problems:
            print(f"warning: parameter ignored: {p}", file=sys.stderr)
        for s in sections:
            if s.result is None:
                print(f"warning: {s.url_path}: {s.error}", file=sys.stderr)
        return review_pack.build_pdf(sections, lang=args.lang, user="cli", chromium=chromium), len(sections)

    built = _failing(build, args.lang)
    if isinstance(built, int):
        return built
    pdf, n_sections = built
    Path(args.out).write_bytes(pdf)
    print(f"wrote {args.out} ({n_sections} pages, {len(pdf):,} bytes)", file=sys.stderr)
    return 0


def metrics_markdown() -> str:
    from analytics.i18n import catalogue, namespaces

    lines = ["# Metrics", "", "Every KPI's definition, generated from the message catalogues",
             "(`analytics/locales/*.json`, keys `metric.*`) by `python -m analytics metrics-doc`.",
             "The same text is the hover help on every page. Do not edit by hand.", ""]
    for ns in namespaces():
        cat = catalogue(ns)
        keys = sorted(k for k in cat["en"] if k.startswith("metric."))
        if not keys:
            continue
        lines += [f"## {ns}", "", "| metric | definition | 定义 |", "|---|---|---|"]
        for k in keys:
            en = cat["en"][k].replace("|", "\\|").replace("\n", " ")
            zh = cat["zh"].get(k, "").replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{k[len('metric.'):]}` | {en} | {zh} |")
        lines.append("")
    return "\n".join(lines)


def cmd_metrics_doc(args: argparse.Namespace) -> int:
    path = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"
    text = metrics_markdown()
    if args.check:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            print("docs/metrics.md is out of date: run `python -m analytics metrics-doc`", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m analytics")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("report", help="a page's results as JSON or a self-contained HTML report; several pages "
                                      "as one PDF review pack")
    r.add_argument("page")
    r.add_argument("--page", dest="pages", action="append", default=[], help="another page for the PDF review pack")
    r.add_argument("--dataset", type=int, action="append", required=True)
    r.add_argument("--param", action="append", default=[])
    r.add_argument("--format", choices=("json", "html", "pdf"), default="json")
    r.add_argument("--lang", choices=("en", "zh"), default="en")
    r.add_argument("--out")
    r.set_defaults(fn=cmd_report)
    m = sub.add_parser("metrics-doc", help="write docs/metrics.md from the catalogues")
    m.add_argument("--check", action="store_true")
    m.set_defaults(fn=cmd_metrics_doc)
    args = ap.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
