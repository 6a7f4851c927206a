"""Scale benchmark (issue 13): generated order lines at 1M and 10M, side by side in one run.

For each size N:

* the floor: DuckDB's own ``CREATE TABLE AS SELECT * FROM read_csv(file)`` and the KPI query (gross sales,
  returns, orders, buyers) on that table, in a fresh process, with its peak memory;
* ingest: ``python -m data ingest FILE --kind orders`` in a fresh process (wall time, peak memory);
* the command line: ``python -m analytics report market-overview --dataset ID --format json``, whose
  gross sales, returns, orders and buyers must equal the floor's query over the file;
* every page that reads orders (with the demo workspace's competitor prices beside them): the first render with cold caches in a fresh process (libraries warmed
  as on a running server), the median warm rerun, a language switch (en -> zh) on the fitted page, and
  the process's peak memory (AppTest, as ``bench.pages``).

Then the ratio of each cost at the largest size to the smallest (linear growth: ratio <= size ratio).
Targets (issue 13): ingest within 2x of DuckDB's load and under 2 GB at 10M; pages cold under 5 s
(recommendations 30 s) and warm under 300 ms at 10M, cold under 1.5 s at 1M, peak under 2.5 GB; a
language switch under 300 ms.

    python -m bench.scale [N ...]              (default 1000000 10000000)
    python -m bench.scale 1000000 --pages market-overview
    python -m bench.scale 1000000 --ingest-only [--rounds 5] [--csv FILE]
        (the ingest target alone: DuckDB's load into a file and ``python -m data ingest``, alternating, each in
        a fresh process, with wall and CPU seconds; the CPU ratio is the steadier on a shared machine)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, run_child, save

ORDER_PAGES = ("market-overview", "competitor-tracking", "segmentation-explorer", "persona-builder",
               "recommendations", "channel-comparison")
LIMITS = {"PRISM_MAX_UPLOAD_MB": "64000", "PRISM_MAX_UNPACKED_MB": "64000", "PRISM_MAX_ROWS": "1000000000"}
KPI_SQL = """
SELECT sum(CASE WHEN amount >= 0 AND quantity >= 0 THEN amount ELSE 0 END) AS gross_sales,
       sum(CASE WHEN amount < 0 OR quantity < 0 THEN abs(amount) ELSE 0 END) AS returns,
       count(DISTINCT CASE WHEN amount >= 0 AND quantity >= 0 THEN order_id END) AS orders,
       count(DISTINCT CASE WHEN amount >= 0 AND quantity >= 0 THEN customer_id END) AS buyers
FROM t
"""


# ---------------------------------------------------------------- children (one process each)


def child_floor(csv_path: str) -> dict:
    """DuckDB's own load of the file: into a database file (durable, as an upload must be; the floor the
    ingest is compared with) and into memory, then the KPI query on the in-memory table."""
    import duckdb

    db = Path(csv_path).with_suffix(".duckdb")
    t0 = time.perf_counter()
    with duckdb.connect(str(db)) as fcon:
        fcon.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}')")
        fcon.execute("CHECKPOINT")
    load_file = time.perf_counter() - t0
    db.unlink(missing_ok=True)
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}')")
    load = time.perf_counter() - t0
    t1 = time.perf_counter()
    g, r, o, b = con.execute(KPI_SQL).fetchone()
    query = time.perf_counter() - t1
    n = con.execute("SELECT count(*) FROM t").fetchone()[0]
    return {"rows": n, "load_s": load, "load_file_s": load_file, "kpi_query_s": query, "wall_s": load + query,
            "kpis": {"gross_sales": float(g), "returns": float(r), "orders": int(o), "buyers": int(b)}}


def child_floor_file(csv_path: str, db: str) -> dict:
    """DuckDB's load of the file into a database file alone (the ingest target's floor)."""
    import duckdb

    t0 = time.perf_counter()
    with duckdb.connect(db) as fcon:
        fcon.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}')")
        fcon.execute("CHECKPOINT")
    out = {"load_file_s": time.perf_counter() - t0}
    Path(db).unlink(missing_ok=True)
    return out


def ingest_only(n: int, rounds: int, tmp: Path, csv: str | None = None) -> dict:
    """The ingest target alone: ``rounds`` times DuckDB's load into a file, then ``python -m data ingest``
    into a fresh store, each in a fresh process; wall and CPU seconds of both, their ratios per round."""
    if csv:
        csv_path = Path(csv)
    else:
        csv_path = tmp / f"orders_{n}.csv"
        run_child("bench.gen_orders", str(n), str(csv_path))
    out: dict = {"lines": n, "csv_mb": round(csv_path.stat().st_size / 2**20, 1), "rounds": []}
    for i in range(rounds):
        floor = run_child("bench.scale", "--child-floor-file", str(csv_path), str(tmp / "floor.duckdb"))
        store = tmp / f"i{n}_{i}"
        store.mkdir()
        env = {**LIMITS, "DATABASE_URL": f"sqlite:///{store / 'bench.db'}", "AUTH_CONFIG": str(store / "auth.yaml")}
        ing = run_child("data", "ingest", str(csv_path), "--kind", "orders", "--name", f"bench {n}", "--json", env=env)
        r = {"floor_load_s": floor["load_file_s"], "floor_process_s": floor["process_wall_s"],
             "floor_cpu_s": floor["process_cpu_s"], "floor_peak_mb": floor["peak_rss_mb"],
             "ingest_s": ing["process_wall_s"], "ingest_cpu_s": ing["process_cpu_s"], "ingest_peak_mb": ing["peak_rss_mb"],
             "rows": ing["rows"]}
        r["ratio"] = r["ingest_s"] / r["floor_load_s"]
        r["cpu_ratio"] = r["ingest_cpu_s"] / r["floor_cpu_s"]
        out["rounds"].append(r)
        print(f"  round {i + 1}: DuckDB load into a file {r['floor_load_s']:.2f} s (process {r['floor_process_s']:.2f} s, "
              f"CPU {r['floor_cpu_s']:.2f} s, peak {r['floor_peak_mb']:,.0f} MB); ingest {r['ingest_s']:.2f} s "
              f"(CPU {r['ingest_cpu_s']:.2f} s, peak {r['ingest_peak_mb']:,.0f} MB): {r['ratio']:.2f}x, "
              f"CPU {r['cpu_ratio']:.2f}x", flush=True)
    ratios = sorted(r["ratio"] for r in out["rounds"])
    cpu = sorted(r["cpu_ratio"] for r in out["rounds"])
    out["ratio_median"], out["cpu_ratio_median"] = statistics.median(ratios), statistics.median(cpu)
    out["peak_mb_max"] = max(r["ingest_peak_mb"] for r in out["rounds"])
    print(f"  {n:,} lines: ingest / DuckDB's load median {out['ratio_median']:.2f}x (best {ratios[0]:.2f}x), "
          f"CPU {out['cpu_ratio_median']:.2f}x; peak {out['peak_mb_max']:,.0f} MB (targets: 2x, 2 GB)", flush=True)
    return out


def child_page(db: str, auth: str, url_path: str, runs: int, query: str) -> dict:
    """bench.pages' AppTest child, plus a language switch on the fitted page."""
    from bench.pages import child

    res = child(db, auth, url_path, runs, query)
    from bench.pages import LAST_APP

    at = LAST_APP[0]
    at.query_params["lang"] = "zh"
    radio = [w for w in at.sidebar.radio if "zh" in (w.options or [])]
    t0 = time.perf_counter()
    if radio:
        radio[0].set_value("zh").run()
    else:
        at.run()
    res["lang_switch_s"] = time.perf_counter() - t0
    res["lang_switch_exceptions"] = [str(e.value)[:300] for e in at.exception]
    return res


# ---------------------------------------------------------------- parent


def _kpis_from_report(report: dict) -> dict:
    k = report.get("kpis") or {}
    cur = k.get("current") if isinstance(k.get("current"), dict) else k
    return {name: cur.get(name) for name in ("gross_sales", "returns", "orders", "buyers")}


def measure(n: int, pages: list[str], runs: int, tmp: Path) -> dict:
    csv_path = tmp / f"orders_{n}.csv"
    t0 = time.perf_counter()
    run_child("bench.gen_orders", str(n), str(csv_path))
    out: dict = {"lines": n, "csv_mb": round(csv_path.stat().st_size / 2**20, 1),
                 "generate_s": round(time.perf_counter() - t0, 1)}
    floor = run_child("bench.scale", "--child-floor", str(csv_path))
    out["floor"] = floor
    print(f"  {n:>11,} lines ({out['csv_mb']:,.0f} MB CSV)  floor: DuckDB load into a file {floor['load_file_s']:.1f} s, "
          f"into memory {floor['load_s']:.1f} s + KPI query {floor['kpi_query_s']:.2f} s, peak {floor['peak_rss_mb']:,.0f} MB",
          flush=True)

    store = tmp / f"s{n}"
    store.mkdir()
    env = {**LIMITS, "DATABASE_URL": f"sqlite:///{store / 'bench.db'}", "AUTH_CONFIG": str(store / 'auth.yaml')}
    os.environ.update(env)
    from data import repository, users

    repository.init_store()
    users.add_user("bench", role="analyst", password="bench-password")
    ing = run_child("data", "ingest", str(csv_path), "--kind", "orders", "--name", f"bench {n}", "--json", env=env)
    out["ingest"] = ing
    ds_id = int(ing["dataset_id"])
    out["ingest_ratio_to_floor_load"] = ing["process_wall_s"] / floor["load_file_s"]
    out["ingest_ratio_to_memory_load"] = ing["process_wall_s"] / floor["load_s"]
    print(f"  ingest (python -m data ingest): {ing['process_wall_s']:.1f} s, peak {ing['peak_rss_mb']:,.0f} MB, "
          f"{out['ingest_ratio_to_floor_load']:.2f}x DuckDB's load into a file "
          f"({out['ingest_ratio_to_memory_load']:.2f}x into memory)", flush=True)

    t0 = time.perf_counter()
    rep = run_child("analytics", "report", "market-overview", "--dataset", str(ds_id), "--format", "json", env=env)
    got = _kpis_from_report(rep)
    want = floor["kpis"]
    same = all(got.get(k) is not None and abs(float(got[k]) - float(want[k])) <= 1e-6 * max(1.0, abs(float(want[k])))
               for k in want)
    out["cli_report"] = {"wall_s": time.perf_counter() - t0, "peak_rss_mb": rep.get("peak_rss_mb"), "kpis": got,
                         "equals_duckdb_query": same}
    print(f"  report market-overview (CLI): {out['cli_report']['wall_s']:.1f} s, peak {rep.get('peak_rss_mb', 0):,.0f} MB, "
          f"KPIs equal DuckDB's query over the file: {same}", flush=True)

    from components.sidebar import KIND_KEYS
    from data import demo

    comp = repository.write_dataset(kind="competitors", frame=demo.generate(seed=7)["competitors"],
                                    name="demo competitors", content_hash=f"bench:competitors:{n}", mapping={})
    out["pages"] = []
    query = f"{KIND_KEYS['orders']}={ds_id}&{KIND_KEYS['competitors']}={comp['id']}"
    for url_path in pages:
        try:
            r = run_child("bench.scale", "--child-page", str(store / "bench.db"), str(store / "auth.yaml"), url_path,
                          str(runs), query, env=env)
        except RuntimeError as exc:
            r = {"page": url_path, "error": str(exc)[-600:]}
            print(f"    {url_path:<26} FAILED {r['error'][-200:]}", flush=True)
            out["pages"].append(r)
            continue
        out["pages"].append(r)
        err = ("ERROR " + r["exceptions"][0][:120]) if r.get("exceptions") else ""
        print(f"    {url_path:<26} cold {r['cold_s']:6.2f} s   warm {r['warm_median_s'] * 1000:6.0f} ms   "
              f"language switch {r['lang_switch_s'] * 1000:6.0f} ms   peak {r['peak_rss_mb']:6,.0f} MB {err}", flush=True)
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if not a or not b else b / a


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[1_000_000, 10_000_000])
    ap.add_argument("--pages", default=",".join(ORDER_PAGES))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ingest-only", action="store_true", help="the ingest target alone (see the module doc)")
    ap.add_argument("--rounds", type=int, default=3, help="--ingest-only: alternating rounds")
    ap.add_argument("--csv", help="--ingest-only: an existing generated file instead of a new one")
    args = ap.parse_args(argv if argv is not None else [])
    if args.ingest_only:
        with tempfile.TemporaryDirectory() as tmp:
            res = {"ingest_only": [ingest_only(n, args.rounds, Path(tmp), args.csv) for n in args.sizes]}
        save("scale_ingest", res)
        return res
    pages = [p for p in args.pages.split(",") if p]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            print(f"== {n:,} order lines", flush=True)
            runs.append(measure(n, pages, args.runs, Path(tmp)))
    res: dict = {"runs": runs}
    if len(runs) >= 2:
        a, b = runs[0], runs[-1]
        size = b["lines"] / a["lines"]
        growth = {"size": size, "floor_load": _ratio(a["floor"]["load_file_s"], b["floor"]["load_file_s"]),
                  "ingest": _ratio(a["ingest"]["process_wall_s"], b["ingest"]["process_wall_s"]), "pages": {}}
        for pa, pb in zip(a["pages"], b["pages"]):
            if "cold_s" in pa and "cold_s" in pb:
                growth["pages"][pa["page"]] = _ratio(pa["cold_s"], pb["cold_s"])
        res["growth"] = growth
        print(f"== growth from {a['lines']:,} to {b['lines']:,} lines (x{size:g}): DuckDB load x{growth['floor_load']:.1f}, "
              f"ingest x{growth['ingest']:.1f}; cold renders " +
              ", ".join(f"{p} x{g:.1f}" for p, g in growth["pages"].items() if g is not None))
    save("scale", res)
    return res


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-floor":
        print(json.dumps(child_floor(sys.argv[2])))
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-floor-file":
        print(json.dumps(child_floor_file(sys.argv[2], sys.argv[3])))
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-page":
        _, _, db, auth, url_path, runs, query = sys.argv
        print(json.dumps(child_page(db, auth, url_path, int(runs), query)))
    else:
        main(sys.argv[1:])
    sys.stdout.flush()
