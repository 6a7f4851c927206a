"""Storage benchmark behind docs/decisions.md's choice of Parquet parts for the lines (issue 13).

For N generated order lines already parsed into a canonical frame, compares in one run:

* Parquet part (what Prism stores): ``data.engine.write_part`` of the canonical Arrow table, then the
  period KPI query through Ibis on embedded DuckDB scanning the part;
* a DuckDB database file: ``CREATE TABLE AS`` from the same Arrow table, then the same query in SQL;
* an append of 10% more lines to each (Parquet: one more part, nothing rewritten; DuckDB: INSERT).

    python -m bench.storage [N ...]        (default 1,000,000)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench.common import save

KPI_SQL = """
SELECT date_trunc('month', order_date) AS m,
       sum(CASE WHEN NOT is_return THEN amount END) AS gross,
       sum(CASE WHEN is_return THEN abs(amount) END) AS returns,
       count(DISTINCT CASE WHEN NOT is_return THEN order_id END) AS orders,
       count(DISTINCT CASE WHEN NOT is_return THEN customer_id END) AS buyers
FROM {src} GROUP BY 1 ORDER BY 1
"""


def _canonical(n: int):
    import pandas as pd

    from bench.gen_orders import generate
    from data import repository

    raw = generate(n)
    frame = pd.DataFrame({
        "order_id": raw["order_id"], "order_date": pd.to_datetime(raw["order_date"]),
        "customer_id": raw["customer_id"], "product_id": raw["product_id"], "category": raw["category"],
        "quantity": raw["quantity"], "unit_price": raw["unit_price"], "amount": raw["amount"],
        "channel": raw["channel"], "region": raw["region"], "is_return": raw["quantity"] < 0,
    })
    return repository.part_table("orders", frame, None)


def run(n: int) -> dict:
    import duckdb

    from data import engine

    tbl = _canonical(n)
    extra = tbl.slice(0, n // 10)
    out: dict = {"lines": n}
    with tempfile.TemporaryDirectory() as d:
        base = Path(d)
        t0 = time.perf_counter()
        part = engine.write_part(tbl, base)
        out["parquet_write_s"] = time.perf_counter() - t0
        out["parquet_mb"] = (base / part).stat().st_size / 2**20
        t = engine.read_parts([base / part])
        t0 = time.perf_counter()
        sale = ~t.is_return
        q = (t.group_by(m=t.order_date.truncate("M"))
             .aggregate(gross=t.amount.sum(where=sale), returns=t.amount.abs().sum(where=t.is_return),
                        orders=t.order_id.nunique(where=sale), buyers=t.customer_id.nunique(where=sale))
             .order_by("m"))
        res = q.to_pyarrow()
        out["parquet_kpi_query_s"] = time.perf_counter() - t0
        out["parquet_kpi_rows"] = res.num_rows
        t0 = time.perf_counter()
        part2 = engine.write_part(extra, base)
        out["parquet_append_s"] = time.perf_counter() - t0
        t2 = engine.read_parts([base / part, base / part2])
        t0 = time.perf_counter()
        out["parquet_rows_after_append"] = int(t2.count().to_pyarrow().as_py())
        out["parquet_count_after_append_s"] = time.perf_counter() - t0

        con = duckdb.connect(str(base / "lines.duckdb"))
        t0 = time.perf_counter()
        con.register("src", tbl)
        con.execute("CREATE TABLE lines AS SELECT * FROM src")
        con.unregister("src")
        con.execute("CHECKPOINT")
        out["duckdb_file_write_s"] = time.perf_counter() - t0
        out["duckdb_file_mb"] = (base / "lines.duckdb").stat().st_size / 2**20
        t0 = time.perf_counter()
        con.execute(KPI_SQL.format(src="lines")).fetchall()
        out["duckdb_file_kpi_query_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        con.register("more", extra)
        con.execute("INSERT INTO lines SELECT * FROM more")
        con.execute("CHECKPOINT")
        out["duckdb_file_append_s"] = time.perf_counter() - t0
        con.close()
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    sizes = [int(a.replace("_", "")) for a in (argv or [])] or [1_000_000]
    rows = []
    for n in sizes:
        r = run(n)
        rows.append(r)
        print(f"{n:>11,} lines  parquet: write {r['parquet_write_s']:.2f} s ({r['parquet_mb']:.0f} MB), "
              f"KPI query {r['parquet_kpi_query_s']:.3f} s, append {r['parquet_append_s']:.2f} s | "
              f"duckdb file: write {r['duckdb_file_write_s']:.2f} s ({r['duckdb_file_mb']:.0f} MB), "
              f"KPI query {r['duckdb_file_kpi_query_s']:.3f} s, append {r['duckdb_file_append_s']:.2f} s")
    save("storage", {"runs": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
