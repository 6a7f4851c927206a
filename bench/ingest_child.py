"""One ingest measurement in its own process (so peak memory is its own). Prints one JSON line."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time


def ours(csv_path: str, db_path: str) -> dict:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    from data import ingest, repository

    repository.init_store()
    t0 = time.perf_counter()
    info = ingest.ingest_file(csv_path, kind="orders", name="bench", uploaded_by="bench")
    wall = time.perf_counter() - t0
    t1 = time.perf_counter()
    frame = repository.load_frame(dataset_id=info["id"])
    read = time.perf_counter() - t1
    return {"rows": info["rows"], "wall_s": wall, "rows_per_s": info["rows"] / wall, "read_back_s": read,
            "read_back_rows": len(frame), "amount_sum": float(frame["amount"].sum())}


def floor(csv_path: str, db_path: str) -> dict:
    """pyarrow's CSV reader + one plain sqlite3 executemany into an equivalent table."""
    import pyarrow.csv as pv

    t0 = time.perf_counter()
    tbl = pv.read_csv(csv_path)
    cols = [c.to_pylist() for c in tbl.columns]
    rows = list(zip(*cols))
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, " + ", ".join(f'"{c}"' for c in tbl.column_names) + ")")
    with con:
        con.executemany(f"INSERT INTO orders ({', '.join(repr(c) for c in tbl.column_names)}) VALUES ({', '.join('?' * len(cols))})", rows)
    wall = time.perf_counter() - t0
    n = con.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
    return {"rows": n, "wall_s": wall, "rows_per_s": n / wall}


if __name__ == "__main__":
    which, csv_path, db_path = sys.argv[1:4]
    print(json.dumps((ours if which == "ours" else floor)(csv_path, db_path)))
