"""Load test (issue 18): SESSIONS sessions against TWO ``python app.py`` servers on one PostgreSQL catalogue,
each opening the Market overview on an N-line orders dataset and changing its filters (grain, comparison),
while an analyst uploads a new revision (an append, through ``python -m data ingest``: the Data page's
ingest code) a few seconds into the load.

The sessions are protocol-level clients by default (``--clients ws``, bench/wsclient.py: Streamlit's
websocket, BackMsg / ForwardMsg protobufs, sign-in through the app's form): they measure the servers, as
in production where the browsers run on the users' machines. ``--clients browser`` drives headless
Chromium contexts instead (Playwright), which on a small machine mostly measures the browsers.

Measured: seconds from a click to the finished rerun for every interaction (ws: from sending the BackMsg to
the run's ``script_finished``; browser: ``settle``, the page was last seen busy), p50 / p95 / max: the
floor is ONE session alone on one server doing the same clicks, in the same run, after a warm-up pass on
both servers (in ws mode the floor is measured again with one browser session when Chromium is installed:
what drawing the page adds); the load overall, before / after the upload finished, by the revision the
rerun showed, and the 10 slowest interactions (session, server, option, revision). Checked: no error
element on any page, no "database is locked" / traceback in the servers' logs, every session ends on the new
revision's numbers (the page's "revision 2" caption without the notice over an older revision's numbers, on
both servers; a session clicks again every 1.5 s until it does), and after the run the dataset's rows and
amount sum equal the two CSV files' (nothing lost). Freshness: per session, seconds from the upload's commit
(the ingest process has finished) to the first finished rerun showing revision 2's numbers, p50 / max.

    python -m bench.servers [--clients ws|browser] [--lines 1000000] [--sessions 10] [--clicks 12]
                            [--append 100000] [--no-browser-floor]

Sessions are sticky (each session stays on its server), as a load balancer in front of Streamlit must be
(docs/deploy.md). The catalogue is ``DATABASE_URL`` when it names PostgreSQL, else a throwaway local
cluster (tests/pg.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from bench.browser import ARGS, BUSY, PASSWORD, _port
from bench.common import ROOT, save

ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
GRAIN = ("Day", "Week", "Month")
COMPARE = ("Previous period", "Same period last year")
REVISION = re.compile(r"\(revision (\d+)\)")  # the page's "Based on N rows of D (revision R)." caption
STALE = "this page updates itself when it is ready"  # the notice over an older revision's numbers (page.stale_since)
FRESH_TRIES = 20  # clicks after the upload, STALE_WAIT_S apart, until a session shows revision 2's numbers
STALE_WAIT_S = 1.5


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(math.ceil(q * len(s))) - 1)]


def _summary(values: list[float]) -> dict:
    ok = [v for v in values if not math.isnan(v)]
    return {"n": len(values), "timeouts": len(values) - len(ok), "p50_s": _r(_pct(ok, 0.5)),
            "p95_s": _r(_pct(ok, 0.95)), "max_s": _r(max(ok) if ok else None)}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


async def settle(page, t_click: float, quiet_s: float = 0.4, timeout: float = 180) -> float:
    """bench.browser.settle for the async API: seconds from the click until the page was last seen busy."""
    last_busy = t_click
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        now = time.perf_counter()
        if await page.locator(BUSY).count():
            last_busy = now
        elif now - last_busy >= quiet_s and now - t_click >= quiet_s:
            return last_busy - t_click
        await asyncio.sleep(0.03)
    return float("nan")


@dataclass
class Interaction:
    session: str
    server: int  # 0 or 1
    label: str  # the option clicked
    seconds: float
    after_upload: bool  # the upload had finished when the click was made
    revision: int | None  # the orders dataset's revision the finished rerun showed
    at_s: float  # when the click was made, seconds into the run (time.perf_counter)
    stale: bool = False  # the rerun showed an older revision's numbers with the notice (page.stale)
    extra: bool = False  # a click after the scheduled ones, made only to reach revision 2's numbers

    @property
    def fresh_2(self) -> bool:
        """The rerun showed revision 2's numbers (its caption and no notice over older numbers)."""
        return self.revision == 2 and not self.stale


class Session:
    """What both kinds of client share: the person's choices and the record of every interaction."""

    def __init__(self, base: str, server: int, query: str, name: str) -> None:
        self.base, self.server, self.query, self.name = base, server, query, name
        self.clicks: list[Interaction] = []
        self.opens: list[float] = []
        self.errors: list[str] = []
        self.saw_revision_2 = False
        self.chosen = {GRAIN: "Month", COMPARE: "Previous period"}  # the page's defaults

    async def change(self, labels: tuple[str, ...], rng: random.Random, uploaded: bool) -> float:
        """Pick another value of one filter (clicking the chosen one would not rerun)."""
        label = rng.choice([x for x in labels if x != self.chosen[labels]])
        self.chosen[labels] = label
        return await self.click(label, uploaded)

    def _record(self, label: str, t0: float, seconds: float, uploaded: bool, revision: int | None,
                stale: bool = False) -> None:
        self.clicks.append(Interaction(self.name, self.server, label, seconds, uploaded, revision, t0, stale,
                                       getattr(self, "extra_clicks", False)))
        if self.clicks[-1].fresh_2:
            self.saw_revision_2 = True


class WsSession(Session):
    """A session spoken at Streamlit's protocol level (bench/wsclient.py): the server's work, no rendering."""

    async def start(self) -> None:
        from bench.wsclient import Client

        self.client = await Client.open(self.base, timeout=300)
        await self.client.sign_in("admin", PASSWORD)
        await self.open()

    async def open(self) -> None:
        run = await self.client.rerun(page_name="market-overview", query=self.query)
        self.opens.append(run.seconds)
        if not self.client.signed_in():
            raise RuntimeError(f"{self.name}: not signed in on {self.base}: {run.page.text()[:600]}")
        self._check(run)

    async def click(self, label: str, uploaded: bool) -> float:
        t0 = time.perf_counter()
        try:
            run = await self.client.choose(label)
        except asyncio.TimeoutError:
            self.errors.append(f"{label}: no finished rerun within {self.client.timeout:.0f} s")
            self._record(label, t0, float("nan"), uploaded, None)
            return float("nan")
        self._record(label, t0, run.seconds, uploaded, self._check(run), STALE in run.page.text())
        return run.seconds

    def _check(self, run) -> int | None:
        self.errors += [" ".join(e.split())[:200] for e in run.errors]
        if run.status != "FINISHED_SUCCESSFULLY":
            self.errors.append(f"run ended {run.status}")
        revs = [int(m) for m in REVISION.findall(run.page.text())]
        return max(revs) if revs else None

    async def close(self) -> None:
        await self.client.close()


class BrowserSession(Session):
    """A headless Chromium context (Playwright): the server's work plus the browser drawing the page."""

    def __init__(self, browser, base: str, server: int, query: str, name: str) -> None:
        super().__init__(base, server, query, name)
        self.browser = browser

    async def start(self) -> None:
        self.ctx = await self.browser.new_context(viewport={"width": 1300, "height": 900})
        self.page = await self.ctx.new_page()
        self.page.set_default_timeout(180_000)
        await self.page.goto(self.base)
        for attempt in range(3):  # under load a click can land before the form took the typed values
            await self.page.get_by_label("Username", exact=True).fill("admin")
            await self.page.get_by_label("Password", exact=True).fill(PASSWORD)
            await self.page.get_by_role("button", name="Sign in").click()
            try:
                await self.page.get_by_role("button", name="Sign out").wait_for(timeout=60_000)
                for _ in range(600):  # the sign-in cookie is written by a component, after the rerun
                    if any(c["name"].startswith("prism_auth") for c in await self.ctx.cookies()):
                        break
                    await asyncio.sleep(0.1)
                break
            except Exception:
                body = " ".join((await self.page.locator("body").inner_text()).split())[:400]
                self.errors.append(f"sign-in attempt {attempt + 1} did not finish: {body}")
                if attempt == 2:
                    raise RuntimeError(f"{self.name}: cannot sign in on {self.base}: {body}") from None
                await self.page.goto(self.base)
        await self.open()

    async def open(self) -> None:
        t0 = time.perf_counter()
        await self.page.goto(f"{self.base}/market-overview?{self.query}")
        try:
            await self.page.get_by_role("button", name="Sign out").wait_for()
        except Exception:
            body = await self.page.locator("body").inner_text()
            raise RuntimeError(f"{self.name}: not signed in on {self.base}: {' '.join(body.split())[:600]}") from None
        await self.page.locator('[data-testid="stMain"] [role="radiogroup"]').first.wait_for()
        self.opens.append(await settle(self.page, t0, quiet_s=0.8))
        await self.check()

    async def click(self, label: str, uploaded: bool) -> float:
        option = self.page.locator('[data-testid="stMain"] [role="radiogroup"] label').filter(has_text=label).first
        t0 = time.perf_counter()
        await option.click()
        s = await settle(self.page, t0)
        revision = await self.check()
        self._record(label, t0, s, uploaded, revision, bool(await self.page.get_by_text(STALE).count()))
        return s

    async def check(self) -> int:
        if await self.page.locator(ERRORS).count():
            txt = await self.page.locator(ERRORS).first.inner_text()
            self.errors.append(" ".join(txt.split())[:200])
        return 2 if await self.page.get_by_text("(revision 2)").count() else 1

    async def close(self) -> None:
        await self.ctx.close()


async def _drive(sessions: list[Session], clicks: int, seed: int, upload: "asyncio.Future | None",
                 state: dict) -> None:
    async def one(i: int, s: Session) -> None:
        rng = random.Random(seed + i)
        await asyncio.sleep(rng.uniform(0, 1.0))  # not all in lock step
        for k in range(clicks):
            await s.change(GRAIN if k % 2 == 0 else COMPARE, rng, state.get("uploaded", False))
            await asyncio.sleep(rng.uniform(0.2, 1.0))  # a person reads before the next click
        if upload is not None:
            await upload
            await s.change(GRAIN, rng, True)  # the next reruns after the upload: the new revision shows
            await s.change(COMPARE, rng, True)
            s.extra_clicks = True  # not part of the schedule: kept apart in the figures ("load, scheduled clicks")
            for k in range(FRESH_TRIES):  # its numbers may still be computing (the notice): a while later, again
                if s.clicks and s.clicks[-1].fresh_2:
                    break
                await asyncio.sleep(STALE_WAIT_S)
                await s.change(GRAIN if k % 2 == 0 else COMPARE, rng, True)

    await asyncio.gather(*(one(i, s) for i, s in enumerate(sessions)))


async def _floor(make, bases: list[str], args) -> tuple[dict, list[str]]:
    """One session alone on the first server, the same clicks as each session of the load."""
    floor = make(bases[0], 0, "floor")
    await floor.start()
    await _drive([floor], args.clicks, args.seed, None, {})
    await floor.close()
    return _summary([c.seconds for c in floor.clicks]), floor.errors


async def _run(args, bases: list[str], query: str, chromium: str | None, env: dict, tmp: Path, ds_id: int) -> dict:
    out: dict = {"clients": args.clients}
    async with AsyncExitStack() as stack:
        browser = None
        if chromium and (args.clients == "browser" or args.browser_floor):
            from playwright.async_api import async_playwright

            p = await stack.enter_async_context(async_playwright())
            browser = await p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
            stack.push_async_callback(browser.close)

        def make(base: str, server: int, name: str, kind: str = args.clients) -> Session:
            if kind == "browser":
                return BrowserSession(browser, base, server, query, name)
            return WsSession(base, server, query, name)

        # warm-up: one pass over every choice on each server (each server process has its own caches)
        for k, b in enumerate(bases):
            s = make(b, k, "warm")
            await s.start()
            for label in ("Day", "Same period last year", "Week", "Previous period", "Month", "Same period last year"):
                await s.click(label, False)
            out.setdefault("warm_up_open_s", []).append(_r(s.opens[0]))
            await s.close()
        out["floor"], out["floor_errors"] = await _floor(make, bases, args)
        print(f"floor (1 {args.clients} session): interaction p50 {out['floor']['p50_s']} s, p95 "
              f"{out['floor']['p95_s']} s", flush=True)
        if args.clients == "ws" and browser is not None:  # the same floor in a browser: what rendering adds
            out["floor_browser"], out["floor_browser_errors"] = await _floor(
                lambda b, k, n: make(b, k, n, "browser"), bases, args)
            print(f"floor (1 browser session): interaction p50 {out['floor_browser']['p50_s']} s, p95 "
                  f"{out['floor_browser']['p95_s']} s", flush=True)
        # the load: SESSIONS sessions on both servers; an upload starts once every session is in
        sessions = [make(bases[i % len(bases)], i % len(bases), f"s{i}") for i in range(args.sessions)]
        t_login = time.perf_counter()
        for s in sessions:  # people arrive one after another (a burst of sign-ins is not the test)
            await s.start()
        out["sessions_signed_in_and_opened_s"] = _r(time.perf_counter() - t_login)
        state: dict = {}
        loop = asyncio.get_running_loop()
        upload = loop.create_future()
        t_load = time.perf_counter()

        async def uploader() -> None:
            await asyncio.sleep(args.upload_after)
            t0 = time.perf_counter()
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "data", "ingest", str(tmp / "append.csv"), "--kind", "orders", "--mode",
                "append", "--dataset", str(ds_id), "--user", "admin", "--allow-duplicate", "--json", cwd=ROOT,
                env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            so, se = await proc.communicate()
            state["uploaded"] = True
            state["committed_at"] = time.perf_counter()  # the ingest has committed: revision 2 is visible
            out["upload"] = {"ok": proc.returncode == 0, "started_at_s": _r(t0 - t_load),
                             "wall_s": _r(time.perf_counter() - t0), "stderr": se.decode()[-500:] if proc.returncode else ""}
            upload.set_result(True)

        await asyncio.gather(_drive(sessions, args.clicks, args.seed + 100, upload, state), uploader())
        out["load_wall_s"] = _r(time.perf_counter() - t_load)
        every = [c for s in sessions for c in s.clicks]
        out["load"] = _summary([c.seconds for c in every])
        out["load_scheduled"] = _summary([c.seconds for c in every if not c.extra])
        out["load_extra"] = _summary([c.seconds for c in every if c.extra])
        out["load_before_upload_done"] = _summary([c.seconds for c in every if not c.after_upload])
        out["load_after_upload_done"] = _summary([c.seconds for c in every if c.after_upload])
        out["load_by_revision_shown"] = {str(r): _summary([c.seconds for c in every if c.revision == r])
                                         for r in sorted({c.revision for c in every}, key=str)}
        rows = [{"session": c.session, "server": c.server, "label": c.label, "seconds": _r(c.seconds),
                 "revision": c.revision, "stale": c.stale, "after_upload": c.after_upload, "at_s": _r(c.at_s - t_load)}
                for c in sorted(every, key=lambda c: c.at_s)]
        out["interactions"] = rows
        out["slowest"] = sorted(rows, key=lambda r: -(math.inf if r["seconds"] is None or math.isnan(r["seconds"])
                                                      else r["seconds"]))[:10]
        out["opens"] = _summary([o for s in sessions for o in s.opens])
        out["errors"] = [f"{s.name}: {e}" for s in sessions for e in s.errors]
        out["sessions_seeing_revision_2"] = sum(s.saw_revision_2 for s in sessions)
        out["load_stale_reruns"] = sum(c.stale for c in every)
        out["freshness"] = _freshness(sessions, state.get("committed_at"))
        for s in sessions:
            await s.close()
    return out


def _freshness(sessions: list[Session], committed_at: float | None) -> dict:
    """Per session, seconds from the upload's commit to the end of the first rerun showing revision 2's
    numbers (no notice over older ones); p50 / max, and how many sessions never got there."""
    if committed_at is None:
        return {}
    waits = []
    for s in sessions:
        first = next((c for c in s.clicks if c.fresh_2 and not math.isnan(c.seconds)), None)
        waits.append(first.at_s + first.seconds - committed_at if first is not None else float("nan"))
    ok = [w for w in waits if not math.isnan(w)]
    return {"n": len(waits), "never": len(waits) - len(ok), "p50_s": _r(_pct(ok, 0.5)),
            "max_s": _r(max(ok) if ok else None), "per_session_s": [_r(w) for w in waits]}


def _ingest(env: dict, path: Path, *extra: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "data", "ingest", str(path), "--kind", "orders", "--json", *extra],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout[out.stdout.index("{"):])


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--append", type=int, default=100_000, help="lines of the revision uploaded during the load")
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--clicks", type=int, default=12, help="filter changes per session")
    ap.add_argument("--upload-after", type=float, default=5.0, help="seconds into the load")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--clients", choices=("ws", "browser"), default="ws",
                    help="ws: Streamlit's websocket protocol (bench/wsclient.py); browser: headless Chromium")
    ap.add_argument("--no-browser-floor", dest="browser_floor", action="store_false",
                    help="ws mode: skip the floor measured again in one browser session")
    args = ap.parse_args(argv if argv is not None else [])
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium and args.clients == "browser":
        print("servers bench: Debian's chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return {}
    from bench.gen_orders import generate

    results: dict = {"lines": args.lines, "append_lines": args.append, "sessions": args.sessions,
                     "clicks_per_session": args.clicks, "servers": 2, "clients": args.clients}
    cluster = None
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith("postgresql"):
            from tests.pg import Cluster

            cluster = Cluster().start()
            url = cluster.new_database()
        env = {**os.environ, "DATABASE_URL": url, "PRISM_LINES_DIR": str(tmp / "lines"),
               "AUTH_CONFIG": str(tmp / "auth.yaml"), "PRISM_ADMIN_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT),
               "PRISM_MAX_UPLOAD_MB": "8000", "PRISM_MAX_ROWS": "100000000"}
        try:
            subprocess.run([sys.executable, "-m", "data", "init", "--no-demo"], cwd=ROOT, env=env, check=True,
                           capture_output=True)
            big = generate(args.lines, seed=1)
            extra = generate(args.append, seed=2)
            big.to_csv(tmp / "big.csv", index=False)
            extra.to_csv(tmp / "append.csv", index=False)
            truth_rows = len(big) + len(extra)
            truth_sum = float(big["amount"].sum()) + float(extra["amount"].sum())
            del big, extra
            t0 = time.perf_counter()
            info = _ingest(env, tmp / "big.csv", "--name", "orders-big")
            results["first_ingest_s"] = _r(time.perf_counter() - t0)
            ds_id = int(info.get("id") or info.get("dataset_id"))
            logs = []
            bases = []
            for k in range(2):
                port = _port()
                log = tmp / f"server{k}.log"
                logs.append(log)
                procs.append(subprocess.Popen(
                    [sys.executable, "app.py", "--server.port", str(port), "--server.headless", "true",
                     "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                     "--server.fileWatcherType", "none"], cwd=ROOT, env=env, stdout=open(log, "w"),
                    stderr=subprocess.STDOUT))
                bases.append(f"http://127.0.0.1:{port}")
            for b in bases:
                for _ in range(240):
                    try:
                        if urllib.request.urlopen(b + "/_stcore/health", timeout=2).status == 200:
                            break
                    except OSError:
                        time.sleep(0.5)
            results.update(asyncio.run(_run(args, bases, f"o={ds_id}", chromium, env, tmp, ds_id)))
            # nothing lost: the catalogue and the engine agree with the files
            check = subprocess.run([sys.executable, "-c",
                                    "import sys, json\nfrom data import repository as r\n"
                                    "d = r.get_dataset(dataset_id=int(sys.argv[1]))\n"
                                    "t = r.lines_table(dataset_id=int(sys.argv[1]))\n"
                                    "a = t.aggregate(n=t.count(), s=t.amount.sum()).to_pyarrow().to_pylist()[0]\n"
                                    "print(json.dumps({'revision': d['revision'], 'rows': d['rows'], 'n': a['n'],"
                                    " 's': a['s']}))", str(ds_id)], cwd=ROOT, env=env, capture_output=True,
                                   text=True, check=True)
            got = json.loads(check.stdout)
            results["after"] = {**got, "expected_rows": truth_rows, "expected_sum": truth_sum,
                                "rows_ok": got["rows"] == got["n"] == truth_rows,
                                "sum_ok": math.isclose(got["s"], truth_sum, rel_tol=1e-9)}
            text = "\n".join(p.read_text(errors="replace") for p in logs)
            results["log_database_locked"] = text.count("database is locked")
            results["log_tracebacks"] = text.count("Traceback")
        finally:
            for p in procs:
                p.terminate()
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
            if cluster is not None:
                cluster.stop()
    def line(name: str, d: dict | None) -> str:
        d = d or {}
        return (f"  {name:<34} n {d.get('n')!s:>4}  p50 {d.get('p50_s')} s  p95 {d.get('p95_s')} s  max {d.get('max_s')} s"
                f"  timeouts {d.get('timeouts')}")

    print(f"{args.clients} clients, {args.sessions} sessions, 2 servers, {args.lines:,} lines (+{args.append:,}):",
          flush=True)
    for name, key in (("floor (1 session alone)", "floor"), ("floor, 1 browser session", "floor_browser"),
                      ("load (all sessions)", "load"), ("load, scheduled clicks only", "load_scheduled"),
                      ("load, clicks until revision 2", "load_extra"),
                      ("load, before the upload finished", "load_before_upload_done"),
                      ("load, after the upload finished", "load_after_upload_done"), ("page opens", "opens")):
        if key in results:
            print(line(name, results[key]), flush=True)
    for rev, d in results.get("load_by_revision_shown", {}).items():
        print(line(f"load, reruns showing revision {rev}", d), flush=True)
    print(f"upload: {results.get('upload')}", flush=True)
    fr = results.get("freshness") or {}
    print(f"freshness (upload committed -> first rerun with revision 2's numbers): p50 {fr.get('p50_s')} s  max "
          f"{fr.get('max_s')} s  never {fr.get('never')}/{fr.get('n')}; reruns over older numbers (notice): "
          f"{results.get('load_stale_reruns')}", flush=True)
    print("slowest interactions:", flush=True)
    for c in results.get("slowest", []):
        print(f"  {c['seconds']} s  {c['session']} on server {c['server']}  {c['label']!r}  revision {c['revision']}"
              f"{' (older numbers shown)' if c.get('stale') else ''}"
              f"  {'after' if c['after_upload'] else 'before'} the upload finished  (at {c['at_s']} s)", flush=True)
    print(f"errors on pages: {len(results.get('errors', []))}; 'database is locked' in logs: "
          f"{results.get('log_database_locked')}; tracebacks: {results.get('log_tracebacks')}; sessions seeing "
          f"revision 2: {results.get('sessions_seeing_revision_2')}/{args.sessions}; after: {results.get('after')}",
          flush=True)
    save("servers" if args.clients == "ws" else "servers_browser", results)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
