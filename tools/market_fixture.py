"""Record the market overview's report JSON for every grain x comparison (tests/data/market_reports.json.gz).

The fixture pins the numbers of ``analytics.report.run_page("market-overview", ...)`` as they were when
grain and comparison became display parameters (one fit for all six combinations), so that
tests/unit/test_market_one_fit.py can check the single fit reproduces them. Regenerate (only when a change
to the numbers is intended and reviewed)::

    /work/main/.venv/bin/python tools/market_fixture.py

Cases: the demo workspace (orders + market data, seed 7) and Online Retail (tests/data), each over the
whole data and over one month with both comparisons available, x grain (day, week, month) x compare
(prev, yoy), in English.
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "tests" / "data" / "market_reports.json.gz"
GRAINS = ("day", "week", "month")
COMPARES = ("prev", "yoy")
# window -> (start, end); None = the whole data
WINDOWS = {
    "demo": {"all": (None, None), "month": ("2025-11-01", "2025-11-30")},
    "retail": {"all": (None, None), "month": ("2011-10-01", "2011-10-31")},
}


def build_store(folder: Path):
    """A catalogue with the demo orders + market data and Online Retail; returns (engine, ids)."""
    from data import db, demo, repository
    from tests import fixtures

    engine = db.get_engine(f"sqlite:///{folder / 'prism.db'}")
    repository.init_store(engine=engine)
    frames = demo.generate()
    ids = {}
    for kind in ("orders", "market"):
        ids[kind] = repository.write_dataset(kind=kind, frame=frames[kind], name=kind, content_hash=f"mf:{kind}",
                                             mapping={}, uploaded_by="ana", engine=engine)["id"]
    ids["retail"] = repository.write_dataset(kind="orders", frame=fixtures.online_retail_orders(), name="retail",
                                             content_hash="mf:or", mapping={}, uploaded_by="ana", engine=engine)["id"]
    return engine, ids


def cases(ids: dict) -> list[tuple[str, list[int], dict]]:
    """(case name, dataset ids, raw params) of every recorded report."""
    out = []
    for data, dsets in (("demo", [ids["orders"], ids["market"]]), ("retail", [ids["retail"]])):
        for wname, (start, end) in WINDOWS[data].items():
            for grain in GRAINS:
                for compare in COMPARES:
                    raw = {"grain": grain, "compare": compare}
                    if start:
                        raw.update(start=start, end=end)
                    out.append((f"{data}/{wname}/{grain}/{compare}", dsets, raw))
    return out


def strip(rep: dict) -> dict:
    """The report without what depends on the store rather than the page (dataset ids, upload times)."""
    return {k: v for k, v in rep.items() if k != "datasets"}


def main() -> None:
    from analytics import report

    with tempfile.TemporaryDirectory() as tmp:
        engine, ids = build_store(Path(tmp))
        out = {name: strip(report.run_page("market-overview", dsets, raw, engine=engine))
               for name, dsets, raw in cases(ids)}
    with gzip.open(OUT, "wt", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, sort_keys=True)
    print(f"{len(out)} reports -> {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
