"""Page render benchmark (server side, AppTest): the first render with cold caches and reruns with warm
caches, median of several runs, on the demo workspace and on 1,000,000 generated order lines.
Targets: warm under 300 ms; cold under 3 s on the demo workspace and under 5 s on 1M lines.

    python -m bench.pages [--lines N] [--runs R]
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

PAGES_ORDERS = ["market-overview", "segmentation-explorer", "persona-builder", "recommendations"]


def child(db: str, auth: str, url_path: str, runs: int, query: str) -> dict:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["AUTH_CONFIG"] = auth
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from analytics.registry import BY_PATH

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "bench"
    at.session_state["name"] = "bench"
    for kv in filter(None, query.split("&")):
        k, _, v = kv.partition("=")
        at.query_params[k] = v
    at.switch_page(BY_PATH[url_path].script)
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    errors = [str(e.value)[:300] for e in at.exception]
    warm = []
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    return {"page": url_path, "cold_s": cold, "warm_median_s": statistics.median(warm), "warm_runs": warm,
            "exceptions": errors}


def build_workspace(tmp: Path, lines: int | None) -> tuple[str, str, dict]:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    os.environ["AUTH_CONFIG"] = str(tmp / "auth.yaml")
    from data import demo, repository, users

    repository.init_store()
    users.add_user("bench", role="analyst", password="bench-password")
    ids = {}
    if lines:
        frame = demo.generate_orders(lines, seed=11)
        info = repository.write_dataset(kind="orders", frame=frame, name=f"{lines:,} lines", content_hash="bench",
                                        mapping={})
        ids["orders"] = info["id"]
    else:
        for kind, frame in demo.generate(seed=7).items():
            info = repository.write_dataset(kind=kind, frame=frame, name=demo.DEMO_NAMES[kind],
                                            content_hash=f"demo:{kind}", mapping={})
            ids[kind] = info["id"]
    return str(tmp / "bench.db"), str(tmp / "auth.yaml"), ids


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pages", default="")
    args = ap.parse_args(argv if argv is not None else [])
    from analytics.registry import PAGES

    results: dict = {"demo": [], "large": []}
    with tempfile.TemporaryDirectory() as tmp:
        demo_dir = Path(tmp) / "demo"
        demo_dir.mkdir()
        db, auth, ids = build_workspace(demo_dir, None)
        query = "&".join(f"{k}={v}" for k, v in _keys(ids).items())
        wanted = [p.url_path for p in PAGES if not args.pages or p.url_path in args.pages.split(",")]
        for url_path in wanted:
            r = run_child("bench.pages", "--child", db, auth, url_path, str(args.runs), query)
            results["demo"].append(r)
            print(f"demo  {url_path:<26} cold {r['cold_s']:.2f} s  warm {r['warm_median_s'] * 1000:.0f} ms  "
                  f"peak {r['peak_rss_mb']:.0f} MB {'ERR ' + r['exceptions'][0] if r['exceptions'] else ''}", flush=True)
        if args.lines:
            big = Path(tmp) / "large"
            big.mkdir()
            db, auth, ids = build_workspace(big, args.lines)
            query = "&".join(f"{k}={v}" for k, v in _keys(ids).items())
            for url_path in [p for p in PAGES_ORDERS if p in wanted]:
                r = run_child("bench.pages", "--child", db, auth, url_path, str(args.runs), query)
                results["large"].append(r)
                print(f"{args.lines:,} lines {url_path:<26} cold {r['cold_s']:.2f} s  warm {r['warm_median_s'] * 1000:.0f} ms"
                      f"  peak {r['peak_rss_mb']:.0f} MB {'ERR ' + r['exceptions'][0] if r['exceptions'] else ''}", flush=True)
    save("pages", results)
    return results


def _keys(ids: dict) -> dict:
    from components.sidebar import KIND_KEYS

    return {KIND_KEYS[k]: v for k, v in ids.items()}


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, db, auth, url_path, runs, query = sys.argv
        print(json.dumps(child(db, auth, url_path, int(runs), query)))
    else:
        main(sys.argv[1:])
