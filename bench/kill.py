"""Kill -9 at random moments (issue 18): an ingest (the Data page's upload path, ``data.ingest``) and a page
report (what a server does on a rerun) run in child processes on one catalogue and are killed with SIGKILL
at seeded random moments; after each kill the catalogue is checked.

After every round:
- no half dataset: every dataset is one the rounds created, its revisions are 1..current with one
  revision row each, its row count equals the current revision's ``rows_total`` and the engine's count;
- every committed revision (current and replaced ones) still reads with the row count and amount sum of
  the CSV files that made it (ground truth computed here from the files, not from the store);
- the report numbers (``analytics.report.run_page``, the page's JSON) of every current revision equal the
  numbers recorded the first time that revision was seen;
- a kill leaves at most its staged, unnamed part behind (collected later by ``collect_garbage``).

    python -m bench.kill [ROUNDS] [LINES]     (default 20 rounds, 20,000-line uploads; SQLite and PostgreSQL)

The PostgreSQL catalogue is ``DATABASE_URL`` when it names one, else a throwaway local cluster (tests/pg.py).
The unit test (tests/unit/test_servers.py) runs the same rounds, fewer of them.
"""

from __future__ import annotations

import json
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, save

PAGE = "market-overview"

INGEST = """
import sys
from data import ingest
from data.access import SYSTEM
from data.db import make_engine
url, csv, mode, ds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
eng = make_engine(url)
print("ready", flush=True)
sys.stdin.readline()  # "go": the kill clock starts now
ingest.ingest_file(csv, kind="orders", name=csv.rsplit("/", 1)[-1], mode=mode,
                   dataset_id=ds if mode != "create" else None, actor=SYSTEM, allow_duplicate=True, engine=eng)
print("done", flush=True)
"""

REPORT = """
import sys
from analytics import report
from data.db import make_engine
url, ds = sys.argv[1], int(sys.argv[2])
eng = make_engine(url)
print("ready", flush=True)
sys.stdin.readline()
while True:
    report.run_page(%r, [ds], {}, lang="en", engine=eng)
""" % PAGE


def _rel_eq(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def _report(eng, ds_id: int) -> str:
    from analytics import report

    return json.dumps(report.run_page(PAGE, [ds_id], {}, lang="en", engine=eng), sort_keys=True, default=str)


def _spawn(code: str, *args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_ready(proc: subprocess.Popen, timeout: float = 120) -> None:
    line = proc.stdout.readline() if proc.stdout else ""  # imports done, engine made
    if line.strip() != "ready":
        proc.kill()
        raise RuntimeError(f"child did not start: {proc.stderr.read()[-2000:] if proc.stderr else ''}")


def torture(url: str, work: Path, *, rounds: int, lines: int = 20_000, seed: int = 18) -> dict:
    """``rounds`` rounds of kill -9 on the catalogue ``url`` (its lines where ``PRISM_LINES_DIR`` / the SQLite
    file put them). Returns what happened and ``problems`` (empty when every check held)."""
    from bench.gen_orders import generate
    from data import repository as repo
    from data import models
    from data.db import make_engine
    from sqlalchemy import select

    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    eng = make_engine(url)
    repo.init_store(engine=eng)
    truth: dict[tuple[int, int], tuple[int, float]] = {}  # (dataset, revision) -> (rows, amount sum)
    reports: dict[tuple[int, int], str] = {}
    problems: list[str] = []

    def csv_for(i: int) -> tuple[Path, int, float]:
        df = generate(lines, seed=1000 + i)
        path = work / f"upload-{i}.csv"
        df.to_csv(path, index=False)
        return path, len(df), float(df["amount"].sum())

    from data import ingest
    from data.access import SYSTEM

    base, n0, s0 = csv_for(0)
    main_id = int(ingest.ingest_file(str(base), kind="orders", name="base", actor=SYSTEM, engine=eng)["id"])
    truth[(main_id, 1)] = (n0, s0)
    reports[(main_id, 1)] = _report(eng, main_id)
    # an append beside a running report, not killed: its time (from "go" to done) sets the kill window
    path, n, s = csv_for(-1)
    ing, rep = _spawn(INGEST, url, str(path), "append", str(main_id), env=env), _spawn(REPORT, url, str(main_id), env=env)
    _wait_ready(ing)
    _wait_ready(rep)
    rep.stdin.write("go\n")
    rep.stdin.flush()
    t0 = time.perf_counter()
    _, err = ing.communicate("go\n", timeout=300)
    window = 1.3 * (time.perf_counter() - t0)
    rep.kill()
    rep.communicate(timeout=60)
    if ing.returncode != 0:
        raise RuntimeError(f"the calibration upload failed: {err[-2000:]}")
    truth[(main_id, 2)] = (n0 + n, s0 + s)
    log: list[dict] = []
    stats = {"killed_before_commit": 0, "finished_before_kill": 0, "committed_anyway": 0}

    # kill moments: stratified over 0..1.2 x a normal ingest's time (so early, late and after-the-end kills
    # all occur), in a seeded random order; the report's kill moment is uniform over the same span
    fractions = [(k + rng.random()) * 1.2 / rounds for k in range(rounds)]
    rng.shuffle(fractions)
    modes = [rng.choice(["append", "replace", "append", "create"]) for _ in range(rounds)]

    def children(i: int) -> tuple:
        """Round i's upload file and its two children, started ahead (they import while the previous
        round is checked) and waiting for "go"."""
        path, n, s = csv_for(i)
        mode = modes[i - 1]
        ing = _spawn(INGEST, url, str(path), mode, str(main_id if mode != "create" else 0), env=env)
        return n, s, mode, ing, _spawn(REPORT, url, str(main_id), env=env)

    upcoming = children(1)
    for i in range(1, rounds + 1):
        t_round = time.perf_counter()
        n, s, mode, ing, rep = upcoming
        before = {int(d["id"]): int(d["revision"]) for d in repo.list_datasets(engine=eng)}
        _wait_ready(ing)
        _wait_ready(rep)
        t_ready = time.perf_counter() - t_round
        t_ing, t_rep = fractions[i - 1] * window, rng.uniform(0, 1.2 * window)
        for proc in (ing, rep):
            proc.stdin.write("go\n")
            proc.stdin.flush()
        start = time.perf_counter()
        for when, proc in sorted([(t_ing, ing), (t_rep, rep)], key=lambda x: x[0]):
            time.sleep(max(0.0, start + when - time.perf_counter()))
            proc.send_signal(signal.SIGKILL)
        out, err = ing.communicate(timeout=60)
        rep.communicate(timeout=60)
        upcoming = children(i + 1) if i < rounds else None
        finished = "done" in out
        if ing.returncode not in (0, -signal.SIGKILL):
            problems.append(f"round {i}: the ingest failed by itself: {err[-500:]}")
        after = {int(d["id"]): d for d in repo.list_datasets(engine=eng)}
        # what committed: the target's revision moved, or a new dataset appeared
        if mode == "create":
            new = sorted(set(after) - set(before))
            committed = bool(new)
            if len(new) > 1:
                problems.append(f"round {i}: {len(new)} datasets appeared from one upload")
            for ds in new:
                truth[(ds, 1)] = (n, s)
        else:
            rev = int(after[main_id]["revision"])
            committed = rev == before[main_id] + 1
            if rev not in (before[main_id], before[main_id] + 1):
                problems.append(f"round {i}: revision jumped from {before[main_id]} to {rev}")
            if committed:
                prev_n, prev_s = truth[(main_id, before[main_id])]
                truth[(main_id, rev)] = (prev_n + n, prev_s + s) if mode == "append" else (n, s)
        if set(before) - set(after):
            problems.append(f"round {i}: datasets vanished: {sorted(set(before) - set(after))}")
        stats["finished_before_kill" if finished else ("committed_anyway" if committed else "killed_before_commit")] += 1
        t_check = time.perf_counter()
        problems += _check(eng, repo, models, select, truth, reports, i)
        log.append({"round": i, "mode": mode, "kill_ingest_at_s": round(t_ing, 3), "kill_report_at_s": round(t_rep, 3),
                    "committed": committed, "finished": finished, "start_s": round(t_ready, 2),
                    "check_s": round(time.perf_counter() - t_check, 2)})
    counts = repo.table_counts(engine=eng)
    named = set()
    with eng.connect() as conn:
        for raw in conn.execute(select(models.DatasetRevision.__table__.c.parts)).scalars():
            named.update(json.loads(raw) if raw else [])
    orphans = counts["line_parts"] - len(named)
    if orphans > stats["killed_before_commit"] + stats["committed_anyway"]:
        problems.append(f"{orphans} unnamed parts after {stats['killed_before_commit']} kills before the commit")
    eng.dispose()
    return {"rounds": rounds, "lines_per_upload": lines, "kill_window_s": round(window, 3), **stats,
            "datasets": counts["dataset"], "revisions": counts["dataset_revision"], "checked_revisions": len(truth),
            "unnamed_parts_left": orphans, "problems": problems, "log": log}


def _first_difference(a, b, path: str = "") -> str | None:
    """Where two report JSONs differ (floats equal within 1e-9 relative: DuckDB's parallel sums may
    differ in the last bits from one run to the next), or None."""
    if isinstance(a, float) and isinstance(b, (int, float)) or isinstance(b, float) and isinstance(a, int):
        return None if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) else f"{path}: {a!r} -> {b!r}"
    if type(a) is not type(b):
        return f"{path}: {a!r:.80} -> {b!r:.80}"
    if isinstance(a, dict):
        if set(a) != set(b):
            return f"{path}: keys {sorted(set(a) ^ set(b))}"
        for k in sorted(a):
            d = _first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items -> {len(b)}"
        for j, (x, y) in enumerate(zip(a, b)):
            d = _first_difference(x, y, f"{path}[{j}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r:.80} -> {b!r:.80}"


def _check(eng, repo, models, select, truth, reports, i: int) -> list[str]:
    out: list[str] = []
    rt = models.DatasetRevision.__table__
    with eng.connect() as conn:
        revs = conn.execute(select(rt.c.dataset_id, rt.c.revision, rt.c.rows_total)).all()
    for d in repo.list_datasets(engine=eng):
        ds, cur = int(d["id"]), int(d["revision"])
        mine = sorted(int(r[1]) for r in revs if int(r[0]) == ds)
        if mine != list(range(1, cur + 1)):
            out.append(f"round {i}: dataset {ds} has revision rows {mine}, current {cur}")
        if (ds, cur) not in truth:
            out.append(f"round {i}: dataset {ds} revision {cur} was never committed by a finished write")
            continue
        rows_total = [int(r[2]) for r in revs if int(r[0]) == ds and int(r[1]) == cur]
        if rows_total != [int(d["rows"])] or int(d["rows"]) != truth[(ds, cur)][0]:
            out.append(f"round {i}: dataset {ds} says {d['rows']} rows, revision row {rows_total}, "
                       f"files {truth[(ds, cur)][0]}")
        rep = _report(eng, ds)
        diff = _first_difference(json.loads(reports.setdefault((ds, cur), rep)), json.loads(rep))
        if diff:
            out.append(f"round {i}: the report of dataset {ds} revision {cur} changed: {diff}")
    for (ds, rev), (n, s) in truth.items():
        t = repo.lines_table(dataset_id=ds, revision=rev, engine=eng)
        got = t.aggregate(n=t.count(), s=t.amount.sum()).to_pyarrow().to_pylist()[0]
        if int(got["n"]) != n or not _rel_eq(float(got["s"]), s):
            out.append(f"round {i}: dataset {ds} revision {rev} reads {got}, files say {n} rows, sum {s}")
    return out


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    rounds = int(argv[0]) if argv else 20
    lines = int(argv[1]) if len(argv) > 1 else 20_000
    results: dict = {}
    cluster = None
    with tempfile.TemporaryDirectory() as tmp:
        tmp_p = Path(tmp)
        pg = os.environ.get("DATABASE_URL", "")
        if not pg.startswith("postgresql"):
            from tests.pg import Cluster

            cluster = Cluster().start()
            pg = cluster.new_database()
        old = os.environ.get("PRISM_LINES_DIR")
        try:
            for name, url in (("sqlite", f"sqlite:///{tmp_p / 'kill.db'}"), ("postgresql", pg)):
                if name == "postgresql":
                    os.environ["PRISM_LINES_DIR"] = str(tmp_p / "pg-lines")
                t0 = time.perf_counter()
                r = torture(url, tmp_p / name, rounds=rounds, lines=lines)
                r["wall_s"] = round(time.perf_counter() - t0, 1)
                results[name] = r
                print(f"{name:<10} {rounds} rounds: {r['killed_before_commit']} killed before the commit, "
                      f"{r['committed_anyway']} killed after it, {r['finished_before_kill']} finished first; "
                      f"{r['checked_revisions']} revisions checked; {len(r['problems'])} problems "
                      f"({r['wall_s']} s)", flush=True)
                for p in r["problems"]:
                    print("   ", p, flush=True)
        finally:
            if old is None:
                os.environ.pop("PRISM_LINES_DIR", None)
            else:
                os.environ["PRISM_LINES_DIR"] = old
            if cluster is not None:
                cluster.stop()
    save("kill", results)
    return results


if __name__ == "__main__":
    main()
