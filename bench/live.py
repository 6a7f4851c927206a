"""Live commerce benchmark (issue 16): 100,000 live sessions, 1,000,000 content rows and the demo's creator deals
and orders in one store; the live-commerce page rendered with cold caches in a fresh process (libraries warmed
as on a running server, as ``bench.pages``), then the median warm rerun.

The floor, measured in the same run on the same stored parts: DuckDB alone computing the page's main sums
(the sessions' GMV, views, unique viewers, buyers and spend, and the content's sums per format) straight from
the Parquet parts, in a fresh process. Targets: cold under 2 s, warm under 300 ms.

    python -m bench.live [--sessions N] [--content M] [--runs R]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from bench.common import run_child, save

TARGETS = {"cold_s_max": 2.0, "warm_s_max": 0.3}


def sessions_frame(n: int, seed: int = 16):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-11-01") + pd.to_timedelta(rng.integers(0, 730 * 24 * 60, n), "min")
    uv = rng.integers(500, 80_000, n).astype(float)
    views = np.round(uv * rng.uniform(1.3, 2.2, n))
    exp = np.round(uv * rng.uniform(0.5, 0.8, n))
    clicks = np.round(exp * rng.uniform(0.05, 0.2, n))
    orders = np.round(clicks * rng.uniform(0.05, 0.25, n))
    return pd.DataFrame({
        "session_id": pd.Series([f"S{i:07d}" for i in range(n)], dtype="str"), "start_time": start,
        "duration": rng.integers(18, 72, n) * 5.0, "host": pd.Series(rng.choice([f"host {i}" for i in range(300)], n), dtype="str"),
        "platform": pd.Series(rng.choice(["Douyin", "Taobao", "Kuaishou", "Xiaohongshu"], n), dtype="str"),
        "views": views, "unique_viewers": uv, "peak_online": np.round(uv * 0.06), "avg_watch_time": rng.integers(30, 200, n) * 1.0,
        "product_exposures": exp, "product_clicks": clicks, "orders": orders, "buyers": np.round(orders * 0.93),
        "gmv": np.round(orders * rng.normal(200, 30, n), 2), "spend": np.round(rng.gamma(2, 3000, n), 2),
        "followers_gained": np.round(uv * 0.01), "products": rng.integers(10, 80, n) * 1.0,
    })


def content_frame(n: int, seed: int = 17):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    plays = rng.integers(100, 500_000, n).astype(float)
    return pd.DataFrame({
        "content_id": pd.Series([f"C{i:08d}" for i in range(n)], dtype="str"),
        "date": pd.Timestamp("2024-11-01") + pd.to_timedelta(rng.integers(0, 730 * 24, n), "h"),
        "format": pd.Series(rng.choice(["短视频", "直播", "图文笔记", "商品卡"], n), dtype="str"),
        "creator": pd.Series(rng.choice([f"creator {i}" for i in range(2000)], n), dtype="str"), "plays": plays,
        "completion_rate": rng.uniform(0.05, 0.6, n), "likes": np.round(plays * 0.03), "comments": np.round(plays * 0.004),
        "shares": np.round(plays * 0.003), "saves": np.round(plays * 0.006), "clicks": np.round(plays * 0.015),
        "orders": np.round(plays * 0.001), "gmv": np.round(plays * rng.uniform(0.02, 0.4, n), 2),
        "spend": np.round(plays * rng.uniform(0.005, 0.05, n), 2),
    })


FLOOR_SQL = (
    "SELECT sum(gmv), sum(views), sum(unique_viewers), sum(buyers), sum(spend) FROM read_parquet({s})",
    "SELECT format, count(*), sum(plays), sum(likes + comments + shares + saves), sum(gmv), sum(spend) "
    "FROM read_parquet({c}) GROUP BY format",
)


def child_floor(sessions_parts: str, content_parts: str) -> dict:
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    s, c = json.loads(sessions_parts), json.loads(content_parts)
    for sql in FLOOR_SQL:
        con.execute(sql.format(s=s, c=c)).fetchall()
    return {"floor_s": time.perf_counter() - t0}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=100_000)
    ap.add_argument("--content", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv if argv is not None else [])
    from bench.pages import _keys, build_workspace

    from data import demo

    gen = demo.generate(seed=7)
    factories = {"live_sessions": lambda: sessions_frame(args.sessions), "content": lambda: content_frame(args.content),
                 "creators": lambda: gen["creators"], "orders": lambda: gen["orders"]}
    with tempfile.TemporaryDirectory() as tmp:
        db, auth, ids = build_workspace(Path(tmp), factories)
        from data import repository

        parts = {k: json.dumps([str(p) for p in repository.revision_parts(dataset_id=ids[k])])
                 for k in ("live_sessions", "content")}
        floor = run_child("bench.live", "--floor", parts["live_sessions"], parts["content"])
        query = "&".join(f"{k}={v}" for k, v in _keys(ids).items())
        page = run_child("bench.pages", "--child", db, auth, "live-commerce", str(args.runs), query)
    res = {"sessions": args.sessions, "content": args.content, "page": page, "floor": floor, "targets": TARGETS,
           "ratio_cold_to_floor": page["cold_s"] / floor["floor_s"]}
    res["pass"] = (not page["exceptions"]) and page["cold_s"] < TARGETS["cold_s_max"] and \
        page["warm_median_s"] < TARGETS["warm_s_max"]
    print(f"live-commerce: {args.sessions:,} sessions + {args.content:,} content rows: cold {page['cold_s']:.2f} s, "
          f"warm {page['warm_median_s'] * 1000:.0f} ms, peak {page['peak_rss_mb']:.0f} MB; floor (DuckDB sums on the "
          f"parts) {floor['floor_s']:.2f} s; {'PASS' if res['pass'] else 'FAIL'}"
          + (f"; ERROR {page['exceptions'][0]}" if page["exceptions"] else ""), flush=True)
    save("live", res)
    return res


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--floor":
        print(json.dumps(child_floor(sys.argv[2], sys.argv[3])))
    else:
        main(sys.argv[1:])
