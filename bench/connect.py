"""Connected-table benchmark (issue 18, item 3): what the fingerprint of a warehouse table costs, against
its floor (a bare COUNT(*) + MAX(date) of the same table), and what checking a table before connecting
it costs, for N generated order lines in a DuckDB warehouse file.

    python -m bench.connect [N]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import save


def _best(fn, repeat: int = 5) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main(n: int = 1_000_000) -> dict:
    import duckdb

    from bench.gen_orders import generate

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "warehouse.duckdb"
        frame = generate(n)
        con = duckdb.connect(str(path))
        con.execute("CREATE SCHEMA sales")
        con.register("f", frame)
        con.execute("CREATE TABLE sales.orders AS SELECT * REPLACE (CAST(order_date AS TIMESTAMP) AS order_date) FROM f")
        con.close()
        os.environ["PRISM_WAREHOUSE"] = str(path)
        from data import connect, engine

        t0 = time.perf_counter()
        plan = connect.plan(kind="orders", table="sales.orders")
        plan_s = time.perf_counter() - t0
        spec = plan.spec
        t = connect.raw_table(connect.TableRef(spec["engine"], spec["schema"], spec["table"]))
        fp_best, fp_med = _best(lambda: connect.fingerprint(spec))
        floor_best, floor_med = _best(lambda: engine.to_frame(t.aggregate(n=t.count(), m=t.order_date.max())))
        # a page's kind of aggregation on the projection vs the same lines stored as a part (Parquet)
        view = connect.lines(spec, table=t)
        import pyarrow.parquet as pq

        part = Path(tmp) / "part.parquet"
        pq.write_table(engine.to_arrow(view), part, compression="zstd", row_group_size=256_000)
        stored = engine.read_parts([part])

        def monthly(x):
            return engine.to_frame(x.filter(~x.is_return).group_by(m=x.order_date.truncate("M"), c=x.channel)
                                   .aggregate(s=x.amount.sum(), o=x.order_id.nunique(), b=x.customer_id.nunique()))

        view_best, view_med = _best(lambda: monthly(view), 3)
        part_best, part_med = _best(lambda: monthly(stored), 3)
        engine.detach_warehouse()
    res = {"lines": n, "mapped_columns": len(spec["mapping"]), "plan_s": round(plan_s, 3),
           "fingerprint_s": {"best": round(fp_best, 4), "median": round(fp_med, 4)},
           "floor_count_max_s": {"best": round(floor_best, 4), "median": round(floor_med, 4)},
           "monthly_by_channel_s": {"connected_view": round(view_med, 3), "stored_part": round(part_med, 3)},
           "threads": engine._settings()["threads"]}
    save("connect", res)
    print(f"connected table, {n:,} lines, {res['mapped_columns']} mapped columns: fingerprint {fp_med * 1000:.0f} ms "
          f"(median of 5; floor COUNT+MAX {floor_med * 1000:.0f} ms); checking the table before connecting "
          f"{plan_s:.2f} s; monthly sales/orders/buyers by channel: connected {view_med:.2f} s, "
          f"same lines as a stored part {part_med:.2f} s")
    return res


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
