"""The hostile-file corpus (tests/hostile/generate.py): every file is refused with a one-line
IngestError naming the file and the reason, or accepted as designed; the store is unchanged on
refusal; no file takes more than 1 GB, and none hangs (a hard timeout of HANG_SECONDS per file stops a
runaway parse; the seconds each file took are printed with ``-s``, never asserted: speed is measured in
bench/, against a floor, not by a timed test).

Each file's full ingest (read -> map -> validate -> store into a temporary SQLite catalogue) runs in a
child process (tests/hostile/runner.py) under a hard timeout. Memory is the child's peak RSS during
that file (VmHWM after resetting the mark through /proc/self/clear_refs just before the file), taken
ABSOLUTE (the ~150 MB of imports count against the 1 GB), with the growth over the RSS just before the
file shown beside it. Heavy files (bombs, 36-52 MB inputs) each get a fresh child; light files share
two children. Run with ``-s`` to see the table.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.hostile.generate import CASES, Case, write_all

ROOT = Path(__file__).resolve().parents[2]
HANG_SECONDS = 60.0  # a hang guard, not a speed target
MAX_MB = 1024.0
BY_NAME = {c.name: c for c in CASES}


def _run_batch(cases: list[Case], paths: dict[str, Path], db: Path) -> list[dict]:
    args = [sys.executable, "-m", "tests.hostile.runner", str(db)] + [f"{c.kind}:{paths[c.name]}" for c in cases]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRISM_MAX_")}  # the defaults are under test
    env["DATABASE_URL"] = f"sqlite:///{db}"
    timeout = 30 + HANG_SECONDS * len(cases)
    try:
        proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        out, err, timed_out = proc.stdout, proc.stderr, False
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        timed_out = True
    results = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    done = {r["name"] for r in results}
    for c in cases:  # a file the child never reported on: it hung or killed the child
        if c.name not in done:
            results.append({"name": c.name, "outcome": "timeout" if timed_out else "crash",
                            "message": err.strip()[-2000:], "seconds": float("nan"), "peak_mb": float("nan"),
                            "delta_mb": float("nan")})
            break
    return results


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("hostile")
    t0 = time.perf_counter()
    paths = write_all(folder / "files")
    gen_seconds = time.perf_counter() - t0
    light = [c for c in CASES if not c.solo]
    batches = [[c] for c in CASES if c.solo] + [light[0::2], light[1::2]]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(_run_batch, b, paths, folder / f"prism_{i}.db") for i, b in enumerate(batches)]
        out: dict[str, dict] = {}
        for f in futures:
            for r in f.result():
                out[r["name"]] = r
    total = time.perf_counter() - t0
    _print_table(out, gen_seconds, total)
    return out


def _print_table(out: dict[str, dict], gen_seconds: float, total: float) -> None:
    print(f"\nhostile corpus: {len(CASES)} files (generated in {gen_seconds:.1f} s; all done in {total:.1f} s)")
    print(f"{'file':34} {'expected':9} {'outcome':9} {'seconds':>8} {'peak MB':>8} {'+MB':>7}  message")
    for c in CASES:
        r = out.get(c.name, {"outcome": "missing", "seconds": float("nan"), "peak_mb": float("nan"),
                             "delta_mb": float("nan"), "message": ""})
        print(f"{c.name:34} {c.expected:9} {r['outcome']:9} {r['seconds']:8.2f} {r['peak_mb']:8.0f} "
              f"{r['delta_mb']:7.0f}  {r['message'][:110]}")
    outcomes = [r["outcome"] for r in out.values()]
    print(f"tried {len(out)}, refused {outcomes.count('refused')}, accepted {outcomes.count('accepted')}, "
          f"tracebacks {sum(1 for r in out.values() if r['outcome'] in ('crash', 'timeout'))}; "
          f"slowest {max(r['seconds'] for r in out.values()):.2f} s, "
          f"highest peak {max(r['peak_mb'] for r in out.values()):.0f} MB")


def test_the_corpus_is_big_and_varied():
    assert len(CASES) >= 50
    assert len(BY_NAME) == len(CASES)  # names unique
    assert sum(c.expected == "refused" for c in CASES) >= 40
    assert sum(c.expected == "accepted" for c in CASES) >= 15
    assert all(c.expected == "accepted" or c.reason for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file(case: Case, results):
    r = results[case.name]
    assert r["outcome"] in ("refused", "accepted"), f"{case.name}: {r['outcome']}: {r['message']}\n{r.get('traceback', '')}"
    msg = r["message"]
    assert r["outcome"] == case.expected, f"{case.name}: expected {case.expected}, got {r['outcome']}: {msg}"
    if case.expected == "refused":
        assert "\n" not in msg and "Traceback" not in msg and 'File "' not in msg, msg
        assert msg.startswith(f"file '{case.name}'"), msg  # names the file ...
        assert re.search(case.reason, msg), f"{case.name}: message does not give the reason /{case.reason}/: {msg}"
        assert r["after"] == r["before"], f"{case.name}: the store changed on refusal"
    else:
        assert r["after"]["dataset"] == r["before"]["dataset"] + 1
        assert r["after"]["line_parts"] > r["before"]["line_parts"]  # its lines are stored in a new part
    assert r["peak_reset"], "could not reset the peak-RSS mark: memory would not be measured per file"
    assert r["peak_mb"] <= MAX_MB, f"{case.name}: peak RSS {r['peak_mb']} MB"
