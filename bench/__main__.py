"""Run every benchmark: `python -m bench [name ...]` (names: storage, scale, ingest, pages, browser, concurrency, live, servers, kill, objstore)."""

from __future__ import annotations

import importlib
import sys

BENCHES = ("storage", "scale", "ingest", "pages", "browser", "concurrency", "live", "servers", "kill", "objstore")


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    for name in names:
        if name not in BENCHES:
            print(f"unknown benchmark {name}; choose from {', '.join(BENCHES)}", file=sys.stderr)
            return 2
        print(f"== {name}", flush=True)
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
