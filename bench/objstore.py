"""Object-store benchmark behind docs/decisions.md's choice for ``PRISM_DATA_URL=s3://...`` (issue 18 item 2).

For N generated order lines (a canonical Arrow table, split into 4 parts as a streamed upload makes them),
compares in one run the lines directory (the floor) with an S3-protocol server on this machine (moto in
server mode, tests/s3.py; it needs ``make setup-s3``):

* writing the parts (``data.engine.write_part``: a file renamed into place / an object uploaded);
* the period KPI query through Ibis on embedded DuckDB over the revision (``engine.read_parts``: DuckDB's
  Parquet reader on files / an Arrow dataset over ``pyarrow.fs.S3FileSystem``), first and median of 5;
* reading the revision whole into Arrow (``engine.parts_arrow``, what ``repository.load_frame`` does).

moto is a Python server sharing the machine's cores with the client: its figures are a local stand-in for
the protocol's costs (requests, no rename, no mmap), not a cloud's network.

    python -m bench.objstore [N]        (default 1,000,000)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import save
from bench.storage import _canonical

REPEAT = 5


def _kpi(t):
    sale = ~t.is_return
    return (t.group_by(m=t.order_date.truncate("M"))
            .aggregate(gross=t.amount.sum(where=sale), returns=t.amount.abs().sum(where=t.is_return),
                       orders=t.order_id.nunique(where=sale), buyers=t.customer_id.nunique(where=sale))
            .order_by("m"))


def _measure(base, tbl, label: str) -> dict:
    from data import engine

    out: dict = {}
    n = tbl.num_rows
    step = -(-n // 4)
    t0 = time.perf_counter()
    names = [engine.write_part(tbl.slice(i, step), base) for i in range(0, n, step)]
    out[f"{label}_write_s"] = time.perf_counter() - t0
    paths = [engine.part_path(p, base) for p in names]
    times = []
    for _ in range(REPEAT):  # a fresh table each time: the scan, not a cached result
        t0 = time.perf_counter()
        res = _kpi(engine.read_parts(paths)).to_pyarrow()
        times.append(time.perf_counter() - t0)
    out[f"{label}_kpi_first_s"] = times[0]
    out[f"{label}_kpi_median_s"] = statistics.median(times)
    out[f"{label}_kpi"] = [round(float(x), 4) for x in res.column("gross").to_pylist()]
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        whole = engine.parts_arrow(paths)
        times.append(time.perf_counter() - t0)
    out[f"{label}_read_whole_median_s"] = statistics.median(times)
    out[f"{label}_rows"] = whole.num_rows
    return out


def run(n: int) -> dict:
    from data.objstore import ObjectStore
    from tests.s3 import Server

    tbl = _canonical(n)
    out: dict = {"lines": n}
    with tempfile.TemporaryDirectory() as d:
        out.update(_measure(Path(d), tbl, "local"))
    server = Server().start()
    try:
        os.environ.update(server.env())
        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        server.create_bucket(bucket)
        out.update(_measure(ObjectStore(bucket, "prism/lines"), tbl, "s3"))
    finally:
        server.stop()
    assert out["s3_kpi"] == out["local_kpi"] and out["s3_rows"] == out["local_rows"] == n
    out.pop("s3_kpi"), out.pop("local_kpi")
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    n = int((argv or ["1000000"])[0].replace("_", ""))
    r = run(n)
    for label, name in (("local", "lines directory"), ("s3", "S3 (moto, local)")):
        print(f"{n:>11,} lines  {name}: write 4 parts {r[f'{label}_write_s']:.2f} s, KPI query first "
              f"{r[f'{label}_kpi_first_s']:.3f} s / median of {REPEAT} {r[f'{label}_kpi_median_s']:.3f} s, read whole "
              f"(median) {r[f'{label}_read_whole_median_s']:.2f} s")
    save("objstore", r)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
