"""Concurrency benchmark: three concurrent N-line CSV ingests (separate processes, one SQLite store) plus
reader processes calling list_datasets / load_frame in a loop, as several users of one server would.

Prints each ingest's time and outcome, the readers' latencies (p50 / p95 / max) and errors, and saves
bench/results/concurrency.json. Expected since issue 12 (item 10): every ingest succeeds (writers queue
on the write lock for up to the busy timeout, ``PRISM_DB_BUSY_TIMEOUT``, 30 s by default, per wait) and
readers never wait for a writer (WAL; reads never take the write lock). The floor is one reader alone on
the same store before the ingests start.

    python -m bench.concurrency [N] [READERS]      (default 2,000,000 lines, 2 readers)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, machine, save

LIMITS = {"PRISM_MAX_UPLOAD_MB": "8000", "PRISM_MAX_UNPACKED_MB": "16000", "PRISM_MAX_ROWS": "100000000"}


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def _summary(lat: list[float]) -> dict:
    return {"n": len(lat), "p50_ms": _round(_pct(lat, 0.5)), "p95_ms": _round(_pct(lat, 0.95)),
            "max_ms": _round(max(lat) if lat else None)}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x * 1000, 1)


# ---------------------------------------------------------------- children


def child_ingest(csv_path: str, name: str) -> dict:
    from data import ingest
    from data.errors import IngestError, StoreError

    t0 = time.perf_counter()
    try:
        info = ingest.ingest_file(csv_path, kind="orders", name=name, uploaded_by="bench", allow_duplicate=True)
        return {"name": name, "ok": True, "rows": info["rows"], "wall_s": time.perf_counter() - t0}
    except (IngestError, StoreError) as exc:
        return {"name": name, "ok": False, "error": f"{type(exc).__name__}: {exc}", "wall_s": time.perf_counter() - t0}
    except Exception as exc:  # noqa: BLE001 - a benchmark reports what happened
        return {"name": name, "ok": False, "error": f"UNEXPECTED {type(exc).__name__}: {exc}",
                "wall_s": time.perf_counter() - t0}


def child_read(dataset_id: int, stop_file: str, seconds: float) -> dict:
    """list_datasets + load_frame in a loop until ``stop_file`` exists (or ``seconds`` pass)."""
    from data import repository

    lists: list[float] = []
    loads: list[float] = []
    errors: list[str] = []
    end = time.time() + seconds
    while not os.path.exists(stop_file) and time.time() < end:
        t0 = time.perf_counter()
        try:
            repository.list_datasets()
            lists.append(time.perf_counter() - t0)
            t1 = time.perf_counter()
            repository.load_frame(dataset_id=dataset_id)
            loads.append(time.perf_counter() - t1)
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{type(exc).__name__}: {' '.join(str(exc).split())[:160]}")
        time.sleep(0.05)
    return {"list": lists, "load": loads, "errors": errors}


# ---------------------------------------------------------------- parent


def _spawn(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bench.concurrency", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate()
    lines = [ln for ln in out.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"ok": False, "error": f"process exited {proc.returncode}: {err.strip()[-600:]}"}
    return json.loads(lines[-1])


def main(n: int = 2_000_000, readers: int = 2) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = str(Path(tmp) / "orders.csv")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bench.gen_orders", str(n), csv_path], cwd=ROOT, check=True)
        gen_s = time.perf_counter() - t0
        size_mb = Path(csv_path).stat().st_size / 2**20
        env = {**os.environ, **LIMITS, "DATABASE_URL": f"sqlite:///{Path(tmp) / 'store.db'}"}
        os.environ.update({"DATABASE_URL": env["DATABASE_URL"]})
        from data import demo, repository

        repository.init_store()
        seed = repository.write_dataset(kind="orders", frame=demo.generate_orders(20_000, seed=1), name="seed",
                                        content_hash="bench:seed", mapping={}, uploaded_by="bench")
        stop = str(Path(tmp) / "stop")
        # the floor: one reader alone for a few seconds
        floor = _result(_spawn("read", str(seed["id"]), stop, "4", env=env))
        t0 = time.perf_counter()
        reader_procs = [_spawn("read", str(seed["id"]), stop, "3600", env=env) for _ in range(readers)]
        ingest_procs = [_spawn("ingest", csv_path, f"bench {i + 1}", env=env) for i in range(3)]
        ingests = [_result(p) for p in ingest_procs]
        total_s = time.perf_counter() - t0
        Path(stop).touch()
        reads = [_result(p) for p in reader_procs]
        counts = repository.table_counts()
        from data.db import dispose_all

        dispose_all()
    lists = [x for r in reads for x in r.get("list", [])]
    loads = [x for r in reads for x in r.get("load", [])]
    errors = [e for r in reads for e in r.get("errors", [])] + [r["error"] for r in reads if "error" in r and not r.get("list")]
    res = {
        "lines": n, "csv_mb": round(size_mb, 1), "generate_s": round(gen_s, 1), "readers": readers,
        "ingests": ingests, "all_ingests_s": round(total_s, 1),
        "datasets_stored": counts["dataset"], "line_parts": counts["line_parts"],
        "read_floor": {"list_datasets": _summary(floor.get("list", [])), "load_frame": _summary(floor.get("load", []))},
        "read_during_ingests": {"list_datasets": _summary(lists), "load_frame": _summary(loads)},
        "read_errors": errors[:20], "read_error_count": len(errors),
        "pass": all(i.get("ok") for i in ingests) and not errors,
    }
    save("concurrency", res)
    print(f"concurrency: 3 x {n:,}-line CSV ingests ({size_mb:.0f} MB each) + {readers} readers, one SQLite store "
          f"({machine()['cpus']} CPUs)")
    for i in ingests:
        what = f"ok, {i['rows']:,} rows" if i.get("ok") else f"FAILED: {i.get('error')}"
        print(f"  ingest {i.get('name', '?')}: {i.get('wall_s', float('nan')):.1f} s, {what}")
    print(f"  all three done in {total_s:.1f} s; {counts['dataset']} datasets stored in {counts['line_parts']} parts")
    for label, key in (("list_datasets", "list_datasets"), ("load_frame (20k lines)", "load_frame")):
        f, d = res["read_floor"][key], res["read_during_ingests"][key]
        print(f"  {label}: alone p50 {f['p50_ms']} ms / p95 {f['p95_ms']} ms / max {f['max_ms']} ms; "
              f"during ingests p50 {d['p50_ms']} ms / p95 {d['p95_ms']} ms / max {d['max_ms']} ms (n={d['n']})")
    print(f"  reader errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    return res


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "ingest":
        print(json.dumps(child_ingest(sys.argv[2], sys.argv[3])))
    elif len(sys.argv) > 1 and sys.argv[1] == "read":
        print(json.dumps(child_read(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]))))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000, int(sys.argv[2]) if len(sys.argv) > 2 else 2)
    sys.stdout.flush()
