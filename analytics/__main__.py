"""Command line: page results without the browser, and the metrics documentation.

    python -m analytics report PAGE --dataset ID [--dataset ID ...] [--param KEY=VALUE ...]
                               --format json|html [--lang en|zh] [--out FILE]
    python -m analytics report PAGE [--page PAGE ...] --dataset ID [--dataset ID ...] [--param KEY=VALUE ...]
                               --format pdf [--lang en|zh] --out FILE    (the review pack: a section per page)
    python -m analytics metrics-doc [--check]
    python -m analytics ledger add --channel CH --start YYYY-MM-DD --end YYYY-MM-DD --spend X --lift X
                                   --low X --high X [--method ab|counterfactual|geo|other] [--dataset ID]
                                   [--view URL] [--note TEXT] [--user USER]
    python -m analytics ledger list [--channel CH] [--format table|json]
    python -m analytics ledger edit ID [--channel CH] [--spend X] --user USER
    python -m analytics ledger delete ID --user USER
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
    """``report``: one page's result as JSON or a self-contained HTML report (several pages: the PDF review
    pack).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments: ``page``, ``pages``, ``dataset``, ``param``, ``format``, ``lang``, ``out``.

    Returns
    -------
    int
        Exit status: 0, 2 for an unknown page or bad options (or what a failing run returns).
    """
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
    """The PDF review pack of PAGE and every --page (in that order, each once).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments: ``page``, ``pages``, ``dataset``, ``param``, ``lang``, ``out``.

    Returns
    -------
    int
        Exit status: 0, 2 without ``--out`` (or what a failing run returns).
    """
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
    """docs/metrics.md: every ``metric.*`` key of every catalogue, English and Chinese, one table per namespace.

    Returns
    -------
    str
        The Markdown text.
    """
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
    """``metrics-doc``: write docs/metrics.md, or with ``--check`` only compare it.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments: ``check``.

    Returns
    -------
    int
        0, or 1 when the file is out of date (``--check``).
    """
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


def cmd_ledger(args: argparse.Namespace) -> int:
    """The incrementality ledger (analytics.ledger): add, list, edit (channel, spend), delete. Writes with
    ``--user`` act as that user (role from the users file); ``add`` without one is saved as "cli".

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments: ``action`` (add / list / edit / delete) and its options.

    Returns
    -------
    int
        Exit status: 0, or 2 for a refused or failed action.
    """
    from analytics import ledger
    from data.access import actor_for
    from data import repository
    from data.errors import NotAllowed, StoreError

    try:
        repository.init_store()  # the catalogue's tables and migrations (idempotent)
        if args.action == "list":
            rows = ledger.entries(channel=args.channel)
            if args.format == "json":
                sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
                return 0
            for r in rows:
                print(f"{r['id']:>5}  {r['channel']:<16} {r['start']}..{r['end']}  spend {r['spend']:,.2f}  "
                      f"lift {r['lift']:,.2f} [{r['low']:,.2f}, {r['high']:,.2f}]  {r['method']:<14} "
                      f"{r['owner']}  {str(r['created_at'])[:19]}")
            if not rows:
                print("no ledger entries")
            return 0
        actor = actor_for(args.user) if getattr(args, "user", None) else None
        if args.action == "add":
            raw = {k: getattr(args, k) for k in ("channel", "start", "end", "spend", "lift", "low", "high", "method",
                                                 "view", "note")}
            raw["dataset_id"] = args.dataset
            i = ledger.add(raw, actor=actor, owner="cli" if actor is None else "")
            e = ledger.get(i)
            print(t("ledger.saved", "en", id=i, channel=e["channel"], start=e["start"], end=e["end"]))
            return 0
        if actor is None:
            print(f"ledger {args.action} changes an entry: name the acting user with --user NAME", file=sys.stderr)
            return 2
        if args.action == "edit":
            e = ledger.update(args.id, actor=actor, channel=args.channel, spend=args.spend)
            print(f"ledger entry {e['id']}: {e['channel']}, spend {e['spend']:,.2f}")
            return 0
        if ledger.delete(args.id, actor=actor):
            print(f"ledger entry {args.id} deleted")
            return 0
        print(f"ledger entry {args.id} does not exist", file=sys.stderr)
        return 2
    except (ledger.LedgerError, NotAllowed, StoreError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except LookupError as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    """The command line: ``report``, ``metrics-doc`` and ``ledger``.

    Parameters
    ----------
    argv : list[str] | None
        Arguments (None: ``sys.argv``).

    Returns
    -------
    int
        The chosen command's exit status.
    """
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
    lg = sub.add_parser("ledger", help="the incrementality ledger: measured lifts the planner calibrates on")
    ls = lg.add_subparsers(dest="action", required=True)
    a = ls.add_parser("add", help="add a measured lift")
    a.add_argument("--channel", required=True)
    a.add_argument("--start", required=True, help="first day of the test (YYYY-MM-DD)")
    a.add_argument("--end", required=True, help="last day of the test (YYYY-MM-DD)")
    a.add_argument("--spend", required=True, help="spend on the channel in the test")
    a.add_argument("--lift", required=True, help="incremental outcome (revenue) measured")
    a.add_argument("--low", required=True, help="95%% interval low")
    a.add_argument("--high", required=True, help="95%% interval high")
    a.add_argument("--method", default="ab", help="ab | counterfactual | geo | other")
    a.add_argument("--dataset", type=int, default=None, help="the dataset the lift was measured on")
    a.add_argument("--view", default="", help="link to the evaluation view")
    a.add_argument("--note", default="")
    a.add_argument("--user", default=None)
    li = ls.add_parser("list", help="list the entries")
    li.add_argument("--channel", default=None)
    li.add_argument("--format", choices=("table", "json"), default="table")
    ed = ls.add_parser("edit", help="change an entry's channel or spend")
    ed.add_argument("id", type=int)
    ed.add_argument("--channel", default=None)
    ed.add_argument("--spend", default=None)
    ed.add_argument("--user", required=True)
    de = ls.add_parser("delete", help="delete an entry")
    de.add_argument("id", type=int)
    de.add_argument("--user", required=True)
    lg.set_defaults(fn=cmd_ledger)
    args = ap.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
