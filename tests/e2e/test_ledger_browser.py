"""The incrementality ledger round trip in Chromium (issue 17): an analyst evaluates the demo's coupon test,
saves its incremental revenue to the ledger, opens the Promotion planner and sees the channel named as
calibrated on the entry and the entry in the ledger list, then deletes it there. The planner's tabs run only
when open: the acquisition ceiling (the CLV fit) is not computed until its tab is clicked."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from tests.e2e.conftest import ROOT, shot, sign_in, wait_idle


def ledger_json(server) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "analytics", "ledger", "list", "--format", "json"], cwd=ROOT,
                         env=server["env"], text=True, capture_output=True, timeout=120, check=True).stdout
    return json.loads(out)


def set_date(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.click()
    box.press("Control+A")
    box.type(value)
    box.press("Enter")
    page.keyboard.press("Escape")


def test_evaluate_save_plan_see_it_named_then_delete_it(server, context):
    demo = server["demo"]
    page = context.new_page()
    sign_in(page, server["url"], "ana",
            f"post-campaign-evaluation?ex={demo['experiments']}&fb={demo['feedback']}&o={demo['orders']}")
    wait_idle(page, timeout=180)
    page.get_by_text("Save to the incrementality ledger (calibrates the promotion planner)").click()
    page.get_by_label("Channel", exact=True).fill("Douyin")
    set_date(page, "Test start", "2026-09-01")
    set_date(page, "Test end", "2026-09-30")
    spend = page.get_by_label("Spend in the test", exact=True)
    spend.fill("20000")
    spend.press("Tab")
    page.get_by_role("button", name="Add to the ledger").click()
    page.get_by_text(re.compile(r"Saved to the incrementality ledger as entry \d+")).wait_for()
    [entry] = ledger_json(server)
    assert entry["channel"] == "Douyin" and entry["owner"] == "ana" and entry["spend"] == 20000
    assert (entry["start"], entry["end"]) == ("2026-09-01", "2026-09-30")
    eid = entry["id"]

    page.goto(f"{server['url']}/promotion-planner?mm={demo['media_mix']}&o={demo['orders']}&n_boot=0")
    wait_idle(page, timeout=240)
    page.get_by_text(f"Douyin is calibrated on ledger entries #{eid}").first.wait_for()
    page.get_by_role("tab", name="Calibration").click()
    page.get_by_role("tab", name="Calibration", selected=True).wait_for()
    wait_idle(page)
    assert "tab=calibration" in page.url
    ledger_box = page.get_by_text("Incrementality ledger (entries: 1)")
    ledger_box.click()
    wait_idle(page)
    # the list (a canvas grid) with the entry picked, and its owner's delete button naming it
    page.get_by_role("button", name=f"Delete entry #{eid}").wait_for()
    box = page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text("Entry", exact=True))
    shown = box.evaluate("el => el.innerText + ' ' + Array.from(el.querySelectorAll('input')).map(i => i.value).join(' ')")
    assert f"#{eid} Douyin · 2026-09-01 – 2026-09-30 · 20,000.00 · ana" in shown, shown
    shot(page, "promotion-planner-ledger")
    page.get_by_role("button", name=f"Delete entry #{eid}").click()
    page.get_by_text(f"Entry #{eid} deleted; the planner no longer calibrates on it.").wait_for()
    wait_idle(page, timeout=240)
    assert ledger_json(server) == []
    assert page.get_by_text(f"Douyin is calibrated on ledger entries #{eid}").count() == 0
    assert page.get_by_text("Incrementality ledger (entries: 0)").count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    # the CLV acquisition ceiling beside it (the demo's orders): not computed until its tab is opened
    assert page.get_by_text("A new customer is worth").count() == 0
    tab = page.get_by_role("tab", name="Acquisition ceiling (CLV)")
    tab.click()
    page.get_by_text("A new customer is worth").first.wait_for(timeout=240_000)
    wait_idle(page)
    assert "tab=acquisition" in page.url
    assert page.locator('[data-testid="stException"]').count() == 0
    tab.scroll_into_view_if_needed()
    shot(page, "promotion-planner-acquisition")
