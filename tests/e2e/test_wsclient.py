"""The load test's protocol-level client (bench/wsclient.py) against a real server: it signs in through the
app's form, clicks a radio option and reads the finished rerun, as bench/servers.py does with ten of them."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re

from bench.wsclient import Client
from tests.e2e.conftest import PASSWORDS, ROOT

UI = json.loads((ROOT / "analytics" / "locales" / "ui.json").read_text(encoding="utf-8"))["en"]


def _window(texts: list[str]) -> str:
    found = [t for t in texts if t.startswith("Period ")]
    assert len(found) == 1, texts
    return found[0]


def test_ws_client_signs_in_and_a_radio_click_reruns_the_page(server):
    orders = server["demo"]["orders"]

    async def go() -> None:
        c = await Client.open(server["url"], "market-overview", f"o={orders}")
        try:
            assert not c.signed_in()
            assert [w.label for w in c.page.widgets("text_input")] == ["Username", "Password"]
            wrong = await c.submit({"Username": "ana", "Password": "not-her-password"}, "Sign in")
            assert not c.signed_in() and wrong.errors == [UI["login.failed"]]
            run = await c.sign_in("ana", PASSWORDS["ana"])
            assert run.status == "FINISHED_SUCCESSFULLY" and run.errors == []
            assert c.page_name == "market-overview" and f"o={orders}" in c.query  # the deep link survived
            before = _window(run.page.texts())
            assert " by month · " in before
            assert re.search(r"\(revision 1\)", run.page.text())
            grain = c.page.radio_with("Week")
            assert grain.label == "Grain" and grain.options == ["Day", "Week", "Month"]
            run = await c.choose("Week")
            assert run.status == "FINISHED_SUCCESSFULLY" and run.errors == [] and run.seconds > 0
            after = _window(run.page.texts())
            assert after == before.replace(" by month ", " by week ")
            assert "grain=week" in c.query.split("&")  # the app wrote the choice into the URL
            run = await c.rerun()  # a rerun with nothing changed keeps the choice (the client resends it)
            assert _window(run.page.texts()) == after
        finally:
            await c.close()

    # in a thread of its own: a Playwright test before this one (sync API) leaves an event loop set on the
    # main thread, where asyncio.run refuses to start another
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, go()).result()
