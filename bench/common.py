"""Shared benchmark helpers: run a function in a fresh process and read its wall time and peak RSS."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def run_child(module: str, *args: str, env: dict | None = None) -> dict:
    """Run ``python -m module args`` in a new process; it prints one JSON line; adds peak RSS (MB), the
    process's CPU seconds and its wall time."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c",
         "import runpy, sys\n"
         "sys.argv = [sys.argv[1]] + sys.argv[2:]\n"
         "code = 0\n"
         "try:\n"
         "    runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n"
         "except SystemExit as e:\n"  # command lines end with sys.exit(main())
         "    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)\n"
         "sys.stdout.flush()\n"
         # VmHWM is this process's own peak (ru_maxrss would include the parent's peak at fork time)
         "print('@@RSS', next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')))\n"
         # CPU seconds of every thread (user + system): steadier than wall time on a shared machine
         "import resource; _r = resource.getrusage(resource.RUSAGE_SELF)\n"
         "print('@@CPU', _r.ru_utime + _r.ru_stime)\n"
         "sys.exit(code)\n",
         module, *args],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})},
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{module} {args} failed:\n{proc.stderr[-3000:]}")
    out: dict = {}
    body = []
    for line in proc.stdout.splitlines():
        if line.startswith("@@RSS"):
            out["peak_rss_mb"] = int(line.split()[1]) / 1024
        elif line.startswith("@@CPU"):
            out["process_cpu_s"] = float(line.split()[1])
        else:
            body.append(line)
    start = next((i for i, ln in enumerate(body) if ln.startswith("{")), None)
    if start is not None:
        try:  # one JSON document, possibly indented over many lines
            out.update(json.loads("\n".join(body[start:])))
        except json.JSONDecodeError:  # or one JSON object per line: the last wins
            for ln in body:
                if ln.startswith("{"):
                    out.update(json.loads(ln))
    out["process_wall_s"] = wall
    return out


def machine() -> dict:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def save(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **data}, indent=1, default=str))
    return path
