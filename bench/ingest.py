"""Ingest benchmark: N generated order lines from a CSV file to queryable rows, against the floor
(pyarrow's CSV reader + one sqlite3 executemany of the same rows). Target: within 2x of the floor and
under 1.5 GB peak memory.

    python -m bench.ingest [N]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench.common import run_child, save


def main(n: int = 1_000_000) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = str(Path(tmp) / "orders.csv")
        run_child("bench.gen_orders", str(n), csv_path)
        size_mb = Path(csv_path).stat().st_size / 2**20
        ours = run_child("bench.ingest_child", "ours", csv_path, str(Path(tmp) / "ours.db"))
        floor = run_child("bench.ingest_child", "floor", csv_path, str(Path(tmp) / "floor.db"))
    res = {"lines": n, "csv_mb": round(size_mb, 1), "ours": ours, "floor": floor,
           "ratio_to_floor": ours["wall_s"] / floor["wall_s"],
           "targets": {"ratio_to_floor_max": 2.0, "peak_rss_mb_max": 1536}}
    res["pass"] = res["ratio_to_floor"] <= 2.0 and ours["peak_rss_mb"] <= 1536
    save("ingest", res)
    print(f"ingest {n:,} lines ({size_mb:.0f} MB CSV): ours {ours['wall_s']:.2f} s "
          f"({ours['rows_per_s']:,.0f} rows/s, peak {ours['peak_rss_mb']:.0f} MB, read back {ours['read_back_s']:.2f} s); "
          f"floor {floor['wall_s']:.2f} s (peak {floor['peak_rss_mb']:.0f} MB); ratio {res['ratio_to_floor']:.2f}x")
    return res


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
    sys.stdout.flush()
