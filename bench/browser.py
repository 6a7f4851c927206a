"""Browser benchmark (issue 13): from a click to an idle page, in headless Chromium driven by Playwright, on
the demo workspace served by ``python app.py``.

For every analysis page: the first open (cold caches), a tab switch (the second tab and back), a language
switch (en -> zh and back: the cached fit is presented again, no refit, but every text and chart is sent
and drawn again). The floor, measured in the same run, is the same language switch on the home page,
which computes nothing. Target: a tab switch or a change that needs no refit under 1 s.

    python -m bench.browser [--pages market-overview,...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import ROOT, save

BUSY = '[data-stale="true"], [data-testid="stSkeleton"], [data-testid="stSpinner"], [data-testid="stStatusWidget"]'
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PASSWORD = "bench-admin-pass-1"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settle(page, t_click: float, quiet_s: float = 0.4, timeout: float = 120) -> float:
    """Seconds from ``t_click`` until the page was last seen busy (a rerun's stale elements, spinners,
    the status widget), once it has stayed quiet for ``quiet_s``; 0-ish when no rerun happened."""
    last_busy = t_click
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        now = time.perf_counter()
        if page.locator(BUSY).count():
            last_busy = now
        elif now - last_busy >= quiet_s and now - t_click >= quiet_s:
            return last_busy - t_click
        page.wait_for_timeout(20)
    return float("nan")


def _lang(page, code: str) -> float:
    label = {"en": "English", "zh": "简体中文"}[code]
    radio = page.locator('[data-testid="stSidebar"] [role="radiogroup"]').first
    option = radio.get_by_text(label, exact=True)
    if option.count() == 0:
        option = radio.get_by_text(code, exact=True)
    t0 = time.perf_counter()
    option.click()
    return settle(page, t0)


def _tab(page, index: int) -> float | None:
    tabs = page.get_by_role("tab")
    if tabs.count() <= index:
        return None
    t0 = time.perf_counter()
    tabs.nth(index).click()
    page.locator('[role="tabpanel"]:visible').first.wait_for()
    visible = time.perf_counter() - t0
    return max(visible, settle(page, t0))


def main(argv: list[str] | None = None) -> dict:
    from analytics.registry import PAGES

    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", default=",".join(p.url_path for p in PAGES if p.url_path not in ("data", "admin")))
    args = ap.parse_args(argv if argv is not None else [])
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("browser bench: Debian's chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return {}
    from playwright.sync_api import sync_playwright

    results: dict = {"pages": []}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(tmp) / 'prism.db'}",
               "AUTH_CONFIG": str(Path(tmp) / "auth.yaml"), "PRISM_ADMIN_PASSWORD": PASSWORD}
        subprocess.run([sys.executable, "-m", "data", "init"], cwd=ROOT, env=env, check=True, capture_output=True)
        listed = json.loads(subprocess.run([sys.executable, "-m", "data", "datasets", "--json"], cwd=ROOT, env=env,
                                           check=True, capture_output=True, text=True).stdout)
        import logging

        logging.getLogger("streamlit").setLevel(logging.ERROR)  # importing the sidebar outside a server
        from components.sidebar import KIND_KEYS

        query = "&".join(f"{KIND_KEYS[d['kind']]}={d['id']}" for d in listed if d["kind"] in KIND_KEYS)
        port = _port()
        server = subprocess.Popen([sys.executable, "app.py", "--server.port", str(port), "--server.headless", "true",
                                   "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                                   "--server.fileWatcherType", "none"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(180):
                try:
                    if urllib.request.urlopen(base + "/_stcore/health", timeout=2).status == 200:
                        break
                except OSError:
                    time.sleep(0.5)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                page.set_default_timeout(120_000)
                page.goto(base)
                page.get_by_label("Username", exact=True).fill("admin")
                page.get_by_label("Password", exact=True).fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.get_by_role("button", name="Sign out").wait_for()
                settle(page, time.perf_counter(), quiet_s=1.5)
                page.wait_for_timeout(3000)  # the start-up warm-up (imports) finishes
                floor = [_lang(page, "zh"), _lang(page, "en")]
                results["floor_home_language_switch_s"] = max(floor)
                print(f"floor: language switch on the home page {max(floor) * 1000:.0f} ms", flush=True)
                for url in [u for u in args.pages.split(",") if u]:
                    t0 = time.perf_counter()
                    page.goto(f"{base}/{url}?{query}")
                    page.get_by_role("button", name="Sign out").wait_for()
                    open_s = settle(page, t0, quiet_s=1.0)
                    tab = _tab(page, 1)
                    back = _tab(page, 0)
                    zh = _lang(page, "zh")
                    en = _lang(page, "en")
                    r = {"page": url, "open_cold_s": open_s, "tab_switch_s": tab, "tab_back_s": back,
                         "language_switch_s": max(zh, en)}
                    results["pages"].append(r)
                    ts = f"{tab * 1000:5.0f} ms" if tab is not None else "  (no tabs)"
                    print(f"{url:<26} open {open_s:5.2f} s   tab switch {ts}   language switch "
                          f"{r['language_switch_s'] * 1000:5.0f} ms", flush=True)
                browser.close()
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
    save("browser", results)
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
