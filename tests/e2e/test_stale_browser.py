"""A page open in a browser when an analyst appends a revision (issue 18): the next click is answered from
the previous revision's fit with a notice, and the page updates itself to the new revision when its
background fit is done, with no further click."""

from __future__ import annotations

import json

from bench.gen_orders import generate
from tests.e2e.conftest import cli, shot, sign_in, wait_idle


def test_an_open_page_shows_the_previous_revision_then_updates_itself(server, context, tmp_path):
    generate(20_000, seed=3).to_csv(tmp_path / "base.csv", index=False)
    generate(3_000, seed=4).to_csv(tmp_path / "more.csv", index=False)
    made = cli(server, "ingest", str(tmp_path / "base.csv"), "--kind", "orders", "--name", "SWR e2e", "--json")
    assert made.returncode == 0, made.stderr
    out = json.loads(made.stdout[made.stdout.index("{"):])
    ds = int(out.get("id") or out["dataset_id"])
    page = context.new_page()
    sign_in(page, server["url"], "ana", f"market-overview?o={ds}")
    page.get_by_text("Based on 20,000 rows of SWR e2e (revision 1).").wait_for()

    added = cli(server, "ingest", str(tmp_path / "more.csv"), "--kind", "orders", "--mode", "append",
                "--dataset", str(ds), "--user", "admin", "--json")
    assert added.returncode == 0, added.stderr
    page.locator('[data-testid="stMain"] [role="radiogroup"] label').filter(has_text="Week").first.click()
    notice = page.get_by_text("Showing revision 1 of SWR e2e: revision 2 (23,000 rows) is being computed.")
    notice.wait_for(timeout=60_000)
    # the same run's footer names what is shown (the page reruns itself at the earliest a second later)
    page.get_by_text("Based on 20,000 rows of SWR e2e (revision 1).").wait_for(timeout=30_000)
    shot(page, "stale-revision-notice")
    # no click from here: the page reruns itself once revision 2 is fitted
    page.get_by_text("Based on 23,000 rows of SWR e2e (revision 2).").wait_for(timeout=90_000)
    wait_idle(page)
    assert notice.count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, "stale-revision-updated")
