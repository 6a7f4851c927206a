"""Command line for the store (honours DATABASE_URL and AUTH_CONFIG).

    python -m data init [--no-demo]
    python -m data ingest FILE [FILE ...] --kind KIND [--name NAME] [--map FIELD=COLUMN ...] [--set FIELD=VALUE ...] [--json]
                          (several files of one export, e.g. Olist's orders, items, payments, customers: joined
                          into one dataset by their shared keys, the plan printed first; change it with
                          --base FILE (the lines file) and --join FILE.COLUMN=FILE.COLUMN (the second file
                          joined to the first on these columns), see docs/metrics.md "Multi-file orders")
                          (--set: one value for every row, e.g. --set channel=Facebook for a one-platform export)
                          (text files over 32 MB stream block by block; a long one reports rows read on stderr)
                          [--mode create|append|replace --dataset ID] [--keep-good-rows | --reject-bad-rows]
                          [--sheet NAME] [--encoding ENC] [--delimiter D] [--no-header] [--allow-duplicate]
    python -m data connect --kind KIND --table SCHEMA.TABLE [--map FIELD=COLUMN ...] [--name NAME] [--user USER] [--json]
                          (a table of the warehouse as a dataset, without a copy: PRISM_WAREHOUSE names the DuckDB
                          file; with PRISM_ENGINE=spark / sc:// the session's catalogue; --list shows the tables)
    python -m data datasets [--json]
    python -m data datasets rename ID NAME --user USER | delete ID --user USER
    python -m data users add USERNAME --role viewer|analyst|admin --password-stdin [--name NAME]
    python -m data users list | passwd USERNAME --password-stdin | role USERNAME ROLE | remove USERNAME
                         | unlock USERNAME
    python -m data demo [--seed N]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time

from data import limits
from data.errors import IngestError, NotAllowed, StoreError

# True when this module runs as the program (``python -m data``), not when a caller imports main()
_PROGRAM = False


def _freeze_imports() -> None:
    """In a fresh ``python -m data`` process, move every object that exists now (the imported libraries:
    pandas, pyarrow, SQLAlchemy, Ibis ...) out of the garbage collector's sight. They live until the process
    ends, yet each full collection walked all of them, and the interpreter's own collections at exit took
    0.3-0.6 s of a 1M-line ingest (docs/decisions.md, "Ingest vs DuckDB's load"). Not done for an
    in-process caller (tests, the app), whose later garbage would then never be collected."""
    if _PROGRAM:
        gc.freeze()


def _json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str, indent=1)


def _acting(user: str | None):
    """The --user's actor (role from the users file); None when no --user was given."""
    from data.access import actor_for

    return actor_for(user) if user else None


def cmd_init(args: argparse.Namespace) -> int:
    """``init``: create the first admin (printing its password once), migrate the store and, unless ``--no-demo``
    or datasets exist, add the demo workspace.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments (``no_demo``).

    Returns
    -------
    int
        Exit status: 0, or 1 for a refused admin password.
    """
    from data import repository, users

    try:  # first: a bad PRISM_ADMIN_PASSWORD (too short, common...) is refused before anything is written
        password = users.ensure_admin()
    except users.UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    applied = repository.init_store()
    if applied:
        print(f"store migrated to version {applied[-1]}")
    if password:
        print("=" * 64)
        print("First admin created. Sign in with:")
        print("  username: admin")
        print(f"  password: {password}")
        print("This password is shown once. Change it on the Admin page.")
        print("=" * 64)
    if not args.no_demo and not repository.list_datasets():
        return cmd_demo(argparse.Namespace(seed=7))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """``demo``: write every demo dataset to the store.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments (``seed``).

    Returns
    -------
    int
        0.
    """
    from data import demo, repository

    repository.init_store()
    t0 = time.time()
    print("generating the demo workspace…", flush=True)
    frames = demo.generate(seed=args.seed)
    for kind, frame in frames.items():
        info = repository.write_dataset(kind=kind, frame=frame, name=demo.DEMO_NAMES[kind],
                                        content_hash=f"demo:{kind}:{args.seed}", mapping={}, source_file="demo",
                                        uploaded_by="demo")
        print(f"  #{info['id']} {info['name']}: {info['rows']:,} rows")
    print(f"demo workspace ready in {time.time() - t0:.1f} s")
    return 0


def _pairs(items: list[str], flag: str, what: str, prefix: str = "") -> dict[str, str]:
    """``FIELD=X`` arguments of ``flag`` -> {field: prefix + X}."""
    out = {}
    for item in items or []:
        f, sep, x = item.partition("=")
        if not sep or not f.strip() or not x.strip():
            raise IngestError(f"{flag} expects FIELD={what}, got '{item}'")
        out[f.strip()] = prefix + x.strip()
    return out


def _maps(items: list[str]) -> dict[str, str]:
    return _pairs(items, "--map", "COLUMN")


def _sets(items: list[str]) -> dict[str, str]:
    """--set FIELD=VALUE -> the override "=VALUE" (a fixed value for every row, data.mapping.FIXED)."""
    return _pairs(items, "--set", "VALUE", "=")


def _progress(after_s: float = 2.0, every_s: float = 1.0):
    """A progress callback for a long ingest (a streamed file reports the rows read so far): its text on
    stderr, at most once a second, from ``after_s`` seconds on (a quick ingest prints nothing but its
    result, and a refusal stays one line), and the last one always once any was shown."""
    start = time.monotonic()
    last = [float("-inf")]

    def report(fraction: float, text: str) -> None:
        now = time.monotonic()
        shown = last[0] > float("-inf")
        if (now - start >= after_s and now - last[0] >= every_s) or (fraction >= 1.0 and shown):
            last[0] = now
            print(f"  {text}", file=sys.stderr, flush=True)

    return report


def _base_name(value: str, names: list[str]) -> str:
    """--base FILE: a file of the upload, by path, name or name without its extension."""
    from pathlib import Path

    from data.join import stem

    for n in names:
        if value in (n, Path(n).name) or Path(value).name == n or stem(n) == value:
            return n
    raise IngestError(f"--base names no file of this upload ({', '.join(names)}): '{value}'")


def cmd_ingest(args: argparse.Namespace) -> int:
    """``ingest``: load one file (or several files of one export, joined) as a dataset.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments (``file``, ``kind``, ``name``, ``map``, ``fixed``, ``mode``, ``dataset``, ``user``,
        ...).

    Returns
    -------
    int
        Exit status: 0, or 1 with the reason on standard error.
    """
    from data import ingest, repository

    _freeze_imports()
    keep = True if args.keep_good_rows else (False if args.reject_bad_rows else None)
    try:
        # --user: the same check as the Data page (role from the users file, unknown users refused);
        # without it only a new dataset can be created, uploaded by "cli"
        actor = _acting(args.user)
        if args.mode != "create" and actor is None:
            raise ValueError(f"--mode {args.mode} changes an existing dataset: name the acting user with --user NAME "
                             "(their role is read from the users file)")
        if args.mode != "create" and args.dataset is None:
            raise ValueError(f"--mode {args.mode} needs --dataset ID")
        repository.init_store()
        common = dict(kind=args.kind, overrides={**_maps(args.map), **_sets(args.fixed)}, encoding=args.encoding,
                      delimiter=args.delimiter, header=False if args.no_header else None, name=args.name,
                      mode=args.mode, dataset_id=args.dataset, keep_good_rows=keep, uploaded_by=args.user or "cli",
                      actor=actor, allow_duplicate=args.allow_duplicate, limits=limits.for_cli(), progress=_progress())
        if len(args.file) > 1:
            if args.sheet:
                raise ValueError("--sheet reads one file; several files are joined from their first sheets")
            from data.join import parse_join_args
            from pathlib import Path

            names = [Path(f).name for f in args.file]
            base = _base_name(args.base, names) if args.base else None

            def show(plan) -> None:  # the detected plan, before the lines are read (stderr under --json)
                out = sys.stderr if args.json else sys.stdout
                print(f"joining {len(names)} files:", file=out)
                for line in plan.describe():
                    print(f"  {line}", file=out)
                out.flush()

            res = ingest.ingest_files(args.file, base=base, keys=parse_join_args(args.join, names), on_plan=show,
                                      **common)
        else:
            if args.join or args.base:
                raise ValueError("--join and --base need several files")
            res = ingest.ingest_file(args.file[0], sheet=args.sheet, **common)
    except (IngestError, NotAllowed, StoreError, LookupError, ValueError) as exc:
        print(f"rejected: {exc}", file=sys.stderr)
        return 1
    out = {"dataset_id": res["id"], "name": res["name"], "kind": res["kind"], "rows": res["rows"],
           "revision": res["revision"], "rejected_rows": res["rejected_rows"], "flagged_returns": res["flagged_returns"],
           "mapping": res["mapping"]}
    if res.get("plan") is not None:
        out["source_files"] = res["plan"].names
        out["join"] = res["plan"].as_dict()
    if args.json:
        print(_json(out))
    else:
        print(f"dataset #{out['dataset_id']} '{out['name']}' ({out['kind']}), revision {out['revision']}: "
              f"{out['rows']:,} rows stored, {out['rejected_rows']:,} rejected, {out['flagged_returns']:,} returns flagged")
        for f, c in out["mapping"].items():
            print(f"  {f:<18} <- {c}")
    return 0


def cmd_connect(args: argparse.Namespace) -> int:
    """``connect``: a table of the engine's warehouse as a dataset, without a copy (data/connect.py), or
    with ``--list`` the tables that can be connected. Prints the new dataset (JSON with ``--json``).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments (``list``, ``kind``, ``table``, ``map``, ``name``, ``user``, ``json``).

    Returns
    -------
    int
        Exit status: 0, or 1 for a refused connection (the reason on stderr).
    """
    from data import connect, repository

    try:
        repository.init_store()
        if args.list:
            for t in connect.list_tables():
                print(t)
            return 0
        if not args.table or not args.kind:
            raise ValueError("connect needs --kind and --table SCHEMA.TABLE (or --list)")
        plan = connect.plan(kind=args.kind, table=args.table, overrides=_maps(args.map))
        res = repository.connect_table(plan=plan, name=args.name or "", actor=_acting(args.user))
    except (IngestError, NotAllowed, StoreError, LookupError, ValueError) as exc:
        print(f"rejected: {exc}", file=sys.stderr)
        return 1
    out = {"dataset_id": res["id"], "name": res["name"], "kind": res["kind"], "table": plan.ref.label,
           "rows": res["rows"], "revision": res["revision"], "flagged_returns": res["flagged_returns"],
           "mapping": res["mapping"], "fingerprint": plan.spec["fingerprint"], "notes": list(plan.notes)}
    if args.json:
        print(_json(out))
    else:
        print(f"dataset #{out['dataset_id']} '{out['name']}' ({out['kind']}) connected to table {out['table']}: "
              f"{out['rows']:,} rows, {out['flagged_returns']:,} returns flagged (nothing copied)")
        for f, c in out["mapping"].items():
            print(f"  {f:<18} <- {c}")
        for n in out["notes"]:
            print(f"  note: {n}")
    return 0


def cmd_datasets(args: argparse.Namespace) -> int:
    """``datasets``: list the datasets (``--json``), or rename / delete one as ``--user``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments (``action``, ``id``, ``name``, ``user``, ``json``).

    Returns
    -------
    int
        Exit status: 0, or 1 with the reason on standard error.
    """
    from data import repository

    try:
        repository.init_store()
        if args.action in ("rename", "delete"):
            actor = _acting(args.user)
            if args.action == "rename":
                repository.rename_dataset(dataset_id=args.id, name=args.name, actor=actor)
                print(f"dataset #{args.id} is now '{repository.get_dataset(dataset_id=args.id)['name']}'")
            elif repository.delete_dataset(dataset_id=args.id, actor=actor):
                print(f"dataset #{args.id} deleted")
            else:
                raise LookupError(f"dataset {args.id} does not exist")
            return 0
        datasets = repository.list_datasets()
    except (NotAllowed, StoreError, LookupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    rows = [{"id": d["id"], "name": d["name"], "kind": d["kind"], "rows": d["rows"], "revision": d["revision"],
             "uploaded_by": d["uploaded_by"], "uploaded_at": d["uploaded_at"]} for d in datasets]
    if args.json:
        print(_json(rows))
    else:
        for d in rows:
            print(f"#{d['id']:<4} {d['kind']:<12} rev {d['revision']:<3} {d['rows']:>10,}  {d['name']}")
        if not rows:
            print("no datasets")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    """``users``: list, add, change the password or role of, remove or unlock a user of the users file.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments (``action``, ``username``, ``role``, ``name``, ``password_stdin``).

    Returns
    -------
    int
        Exit status: 0, 1 for a refused change, 2 without ``--password-stdin``.
    """
    from data import users

    try:
        if args.action == "list":
            for u in users.list_users():
                print(f"{u['username']:<20} {u['role']:<8} {u['name']}")
            return 0
        if args.action in ("add", "passwd"):
            if not args.password_stdin:
                print("give the password on standard input with --password-stdin", file=sys.stderr)
                return 2
            password = sys.stdin.readline().rstrip("\r\n")  # only the line end: spaces are the password's
            if args.action == "add":
                users.add_user(args.username, role=args.role, password=password, name=args.name)
                print(f"user {args.username} added as {args.role}")
            else:
                users.set_password(args.username, password)
                print(f"password of {args.username} changed")
        elif args.action == "role":
            users.set_role(args.username, args.role)
            print(f"{args.username} is now {args.role}")
        elif args.action == "remove":
            users.remove_user(args.username)
            print(f"user {args.username} removed")
        elif args.action == "unlock":
            users.clear_failures(args.username)
            print(f"sign-in failures of {args.username} cleared")
    except users.UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """The command line: ``init``, ``demo``, ``ingest``, ``datasets`` and ``users``.

    Parameters
    ----------
    argv : list[str] | None
        Arguments (None: ``sys.argv``).

    Returns
    -------
    int
        The chosen command's exit status.
    """
    from data.schema import KINDS
    from data.access import ROLES

    ap = argparse.ArgumentParser(prog="python -m data")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("init", help="migrate the store, create the first admin, seed the demo workspace")
    p.add_argument("--no-demo", action="store_true")
    p.set_defaults(fn=cmd_init)
    p = sub.add_parser("demo", help="add the demo workspace")
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(fn=cmd_demo)
    p = sub.add_parser("ingest", help="load a file (or several files of one export, joined) as a dataset")
    p.add_argument("file", nargs="+")
    p.add_argument("--base", metavar="FILE", help="several files: the lines file (one dataset line per row)")
    p.add_argument("--join", action="append", default=[], metavar="FILE.COLUMN=FILE.COLUMN",
                   help="several files: join the second file to the first on these columns (instead of the detected key)")
    p.add_argument("--kind", required=True, choices=sorted(KINDS))
    p.add_argument("--name")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="fixed",
                   help="one value for every row of a field the file has no column for (e.g. channel=Facebook)")
    p.add_argument("--mode", choices=("create", "append", "replace"), default="create")
    p.add_argument("--dataset", type=int, help="dataset id for --mode append/replace")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--keep-good-rows", action="store_true", help="store the valid rows even above 5%% bad rows")
    g.add_argument("--reject-bad-rows", action="store_true", help="reject the file if any row is bad")
    p.add_argument("--sheet")
    p.add_argument("--encoding")
    p.add_argument("--delimiter")
    p.add_argument("--no-header", action="store_true")
    p.add_argument("--allow-duplicate", action="store_true")
    p.add_argument("--user", help="the acting user (role from the users file); needed for append/replace")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_ingest)
    p = sub.add_parser("connect", help="a table of the warehouse (PRISM_WAREHOUSE, or the Spark catalogue) as a "
                                       "dataset, without a copy")
    p.add_argument("--kind", choices=sorted(KINDS))
    p.add_argument("--table", metavar="SCHEMA.TABLE")
    p.add_argument("--name")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN")
    p.add_argument("--list", action="store_true", help="list the warehouse's tables")
    p.add_argument("--user", help="the acting user (role from the users file)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_connect)
    p = sub.add_parser("datasets", help="list, rename or delete datasets")
    p.add_argument("--json", action="store_true")
    dsub = p.add_subparsers(dest="action")
    d = dsub.add_parser("rename", help="rename a dataset (its uploader or an admin)")
    d.add_argument("id", type=int)
    d.add_argument("name")
    d.add_argument("--user", required=True, help="the acting user (role from the users file)")
    d = dsub.add_parser("delete", help="delete a dataset (its uploader or an admin)")
    d.add_argument("id", type=int)
    d.add_argument("--user", required=True, help="the acting user (role from the users file)")
    p.set_defaults(fn=cmd_datasets)
    p = sub.add_parser("users", help="manage users")
    usub = p.add_subparsers(dest="action", required=True)
    u = usub.add_parser("add")
    u.add_argument("username")
    u.add_argument("--role", required=True, choices=ROLES)
    u.add_argument("--password-stdin", action="store_true")
    u.add_argument("--name")
    u = usub.add_parser("passwd")
    u.add_argument("username")
    u.add_argument("--password-stdin", action="store_true")
    u = usub.add_parser("role")
    u.add_argument("username")
    u.add_argument("role", choices=ROLES)
    u = usub.add_parser("remove")
    u.add_argument("username")
    u = usub.add_parser("unlock", help="clear a username's failed sign-ins and lock")
    u.add_argument("username")
    usub.add_parser("list")
    p.set_defaults(fn=cmd_users)
    args = ap.parse_args(argv)
    try:
        return args.fn(args)
    except StoreError as exc:  # a fault of the store (locked, full, read-only, bad DATABASE_URL): one line
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    _PROGRAM = True
    status = main()
    gc.freeze()  # nothing is collected any more: the exit does not walk the heap (see _freeze_imports)
    sys.exit(status)
