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

LAST_APP: list = []  # the AppTest of the last child() run (bench.scale switches its language)


def child(db: str, auth: str, url_path: str, runs: int, query: str) -> dict:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["AUTH_CONFIG"] = auth
    from streamlit.testing.v1 import AppTest

    from analytics.registry import BY_PATH

    from streamlit.runtime.pages_manager import PagesManager

    orig = PagesManager.__init__

    def init(self, *a, **kw):  # what `python app.py` does: no v1 pages/ routing
        orig(self, *a, **kw)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    from analytics import cached

    cached.clear_all()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()  # signed out: registers the navigation pages (cheap: only the sign-in form)
    cached.warm_up(freeze=True).join()  # libraries loaded (and frozen) as on a server up a few seconds; caches cold
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "bench"
    at.session_state["name"] = "bench"
    from data import users  # a signed-in session is a live server-side session (components/auth.py)

    at.session_state["prism_session"] = users.issue_session("bench")[0]
    for kv in filter(None, query.split("&")):
        k, _, v = kv.partition("=")
        at.query_params[k] = v
    at.switch_page(BY_PATH[url_path].script)
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    title = [t.value for t in at.title]
    errors = [str(e.value)[:300] for e in at.exception]
    warm = []
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    LAST_APP[:] = [at]
    return {"page": url_path, "cold_s": cold, "warm_median_s": statistics.median(warm), "warm_runs": warm,
            "exceptions": errors, "title": title, "elements": len(list(at.main)), "metrics": len(at.metric),
            "notices": [str(i.value)[:160] for i in at.info][:3]}


SHARED = ROOT / "tests" / "data"  # the public data sets the repository carries


def _experiments(n: int, seed: int = 5):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    group = rng.choice(np.array(["Control", "Coupon A", "Coupon B"]), n, p=[0.2, 0.4, 0.4])
    base = np.where(group == "Control", 0.04, np.where(group == "Coupon A", 0.048, 0.055))
    conv = rng.random(n) < base
    pre = rng.gamma(2.0, 60.0, n)
    rev = np.where(conv, rng.gamma(3.0, 40.0, n) + 0.2 * pre, 0.0)
    return pd.DataFrame({"unit_id": pd.Series(np.arange(n)).astype("str"), "group": group,
                         "converted": pd.array(conv, dtype="boolean"), "revenue": rev,
                         "visited": pd.array(conv | (rng.random(n) < 0.2), dtype="boolean"), "pre_period_value": pre,
                         "exposure_date": pd.Timestamp("2026-09-10"),
                         "attr_city_tier": rng.choice(np.array(["一线", "二线", "三线"]), n)})


def _shared(kind: str):
    import sys as _sys

    _sys.path.insert(0, str(ROOT))
    from tests import fixtures

    return {"online_retail": fixtures.online_retail_orders, "hillstrom": fixtures.hillstrom_experiments,
            "mmm": fixtures.mmm_example_media_mix}[kind]()


def scenarios(lines: int) -> list[tuple[str, dict, list[str]]]:
    """(name, {kind: frame factory}, pages) — each scenario gets its own store."""
    from functools import lru_cache

    from data import demo

    gen = lru_cache(maxsize=1)(lambda: demo.generate(seed=7))
    out = [("demo", {k: (lambda k=k: gen()[k]) for k in
                     ("orders", "customers", "channels", "competitors", "experiments", "feedback", "market", "media_mix")},
            [p for p in _all_pages()])]
    if lines:
        out.append((f"{lines:,} order lines", {"orders": lambda: demo.generate_orders(lines, seed=11),
                                              "competitors": lambda: gen()["competitors"]},
                    ["market-overview", "competitor-tracking", "segmentation-explorer", "recommendations"]))
        out.append((f"{lines:,} experiment units", {"experiments": lambda: _experiments(lines)},
                    ["post-campaign-evaluation"]))
    if SHARED.exists():
        out.append(("Online Retail", {"orders": lambda: _shared("online_retail")},
                    ["market-overview", "segmentation-explorer", "recommendations"]))
        out.append(("Hillstrom", {"experiments": lambda: _shared("hillstrom")}, ["post-campaign-evaluation"]))
        out.append(("PyMC media-mix example", {"media_mix": lambda: _shared("mmm")}, ["promotion-planner"]))
    return out


def _all_pages() -> list[str]:
    from analytics.registry import PAGES

    return [p.url_path for p in PAGES]


def build_workspace(tmp: Path, factories: dict) -> tuple[str, str, dict]:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    os.environ["AUTH_CONFIG"] = str(tmp / "auth.yaml")
    from data import repository, users

    repository.init_store()
    users.add_user("bench", role="analyst", password="bench-password")
    ids = {}
    for kind, make in factories.items():
        info = repository.write_dataset(kind=kind, frame=make(), name=f"bench {kind}", content_hash=f"bench:{kind}",
                                        mapping={})
        ids[kind] = info["id"]
    return str(tmp / "bench.db"), str(tmp / "auth.yaml"), ids


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pages", default="")
    ap.add_argument("--only", default="", help="comma-separated scenario names (prefix match)")
    args = ap.parse_args(argv if argv is not None else [])
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, factories, pages) in enumerate(scenarios(args.lines)):
            if args.only and not any(name.startswith(o) for o in args.only.split(",")):
                continue
            wanted = [p for p in pages if not args.pages or p in args.pages.split(",")]
            if not wanted:
                continue
            d = Path(tmp) / f"s{i}"
            d.mkdir()
            db, auth, ids = build_workspace(d, factories)
            query = "&".join(f"{k}={v}" for k, v in _keys(ids).items())
            results[name] = []
            for url_path in wanted:
                r = run_child("bench.pages", "--child", db, auth, url_path, str(args.runs), query)
                results[name].append(r)
                err = ("ERROR " + r["exceptions"][0]) if r["exceptions"] else ""
                print(f"{name:<26} {url_path:<26} cold {r['cold_s']:6.2f} s   warm {r['warm_median_s'] * 1000:6.0f} ms"
                      f"   peak {r['peak_rss_mb']:5.0f} MB   {r['metrics']} KPIs {err}", flush=True)
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
