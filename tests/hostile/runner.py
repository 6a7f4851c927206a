"""Child process of the hostile-corpus test: ingest each file given, print one JSON line per file.

    python -m tests.hostile.runner DB_PATH KIND:FILE [KIND:FILE ...]

For each file: reset the peak-RSS mark (``echo 5 > /proc/self/clear_refs``), run the full ingest
(``data.ingest.ingest_bytes``: read -> map -> validate -> store) against the SQLite catalogue at
DB_PATH, then report the outcome, the seconds, the peak RSS of this process during that file
(VmHWM, absolute: imports included) and its growth over the RSS just before the file, and the
catalogue's row counts before and after. Anything but an IngestError is reported as "crash" with its
traceback (the test fails on it).
"""

from __future__ import annotations

import gc
import inspect
import json
import sys
import time
import traceback
from pathlib import Path


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def main(argv: list[str]) -> int:
    from data import ingest
    from data import repository as repo
    from data.db import make_engine
    from data.errors import IngestError

    engine = make_engine(f"sqlite:///{argv[0]}")
    repo.init_store(engine=engine)
    extra = {}
    if "actor" in inspect.signature(ingest.commit).parameters:  # the acting user, where the write checks it
        from data.access import Actor

        extra["actor"] = Actor("hostile", "analyst")
    for item in argv[1:]:
        kind, path = item.split(":", 1)
        p = Path(path)
        content = p.read_bytes()
        gc.collect()
        before = repo.table_counts(engine=engine)
        reset = _reset_peak()
        base = _status_mb("VmRSS")
        t0 = time.perf_counter()
        out = {"name": p.name}
        try:
            res = ingest.ingest_bytes(content, filename=p.name, kind=kind, engine=engine, uploaded_by="hostile",
                                      **extra)
            out.update(outcome="accepted", message=f"{res['rows']} rows stored, {res['rejected_rows']} rejected")
        except IngestError as exc:
            out.update(outcome="refused", message=str(exc))
        except BaseException as exc:  # noqa: BLE001 - the point is to catch what should never escape
            out.update(outcome="crash", message=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
        out["seconds"] = round(time.perf_counter() - t0, 3)
        out["peak_mb"] = round(_status_mb("VmHWM"), 1)
        out["base_mb"] = round(base, 1)
        out["delta_mb"] = round(out["peak_mb"] - base, 1)
        out["peak_reset"] = reset
        out["before"] = before
        out["after"] = repo.table_counts(engine=engine)
        del content
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
