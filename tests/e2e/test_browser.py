"""A person's path through Prism in headless Chromium: sign in, stay signed in, upload, share, roles,
and a screenshot of every page for review (tests/e2e/screenshots/)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from analytics.registry import PAGES
from tests.e2e.conftest import (PASSWORDS, auth_cookie, cli, shot, sign_in, submit_sign_in, wait_cookie_gone,
                                wait_idle)


def test_sign_in_and_a_reload_stays_signed_in(server, context):
    page = context.new_page()
    sign_in(page, server["url"], "ana")
    assert page.get_by_role("heading", name="Prism workspace").count() >= 1
    page.wait_for_timeout(1500)  # the auth cookie is written by a component after sign-in
    page.reload()
    page.get_by_text("Signed in as ana").wait_for()
    assert page.get_by_label("Password", exact=True).count() == 0


def _sign_in_form_shown(page) -> None:
    page.get_by_label("Password", exact=True).wait_for()
    wait_idle(page)
    assert page.get_by_text("Signed in as").count() == 0
    assert page.get_by_role("button", name="Sign out").count() == 0


def test_sign_out_then_a_reload_shows_the_sign_in_form(server, context, browser):
    page = context.new_page()
    sign_in(page, server["url"], "ana")
    cookie = auth_cookie(context)
    assert cookie is not None, "the sign-in cookie was never written"
    # a random token only, SameSite=Strict; Secure only over HTTPS; HttpOnly is impossible for a cookie
    # written by JavaScript (docs/decisions.md)
    assert cookie["sameSite"] == "Strict" and cookie["secure"] is False and "ana" not in cookie["value"]
    page.get_by_role("button", name="Sign out").click()
    _sign_in_form_shown(page)
    assert wait_cookie_gone(context), "sign-out did not delete the cookie in the browser"
    page.reload()
    _sign_in_form_shown(page)
    page.wait_for_timeout(1500)  # nothing signs the browser back in after a while either
    assert page.get_by_text("Signed in as").count() == 0
    # the token is revoked on the server: a copy of the cookie put back signs nobody in
    thief = browser.new_context(viewport={"width": 1400, "height": 1000})
    thief.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path", "sameSite", "secure")}])
    other = thief.new_page()
    other.goto(server["url"])
    _sign_in_form_shown(other)
    assert wait_cookie_gone(thief), "a revoked cookie was not deleted"
    thief.close()


def test_a_password_change_from_the_command_line_signs_the_browser_out(server, context):
    r = cli(server, "users", "add", "pia", "--role", "viewer", "--password-stdin", stdin="pia-first-pass-1\n")
    assert r.returncode == 0, r.stderr
    page = context.new_page()
    sign_in(page, server["url"], "pia", password="pia-first-pass-1")
    assert auth_cookie(context) is not None
    page.reload()
    page.get_by_text("Signed in as pia").wait_for()  # the cookie signs the reload in...
    r = cli(server, "users", "passwd", "pia", "--password-stdin", stdin="pia-second-pass-2\n")
    assert r.returncode == 0, r.stderr
    page.reload()  # ...until the password changes
    _sign_in_form_shown(page)
    sign_in(page, server["url"], "pia", password="pia-second-pass-2")


def test_upload_a_csv_on_the_data_page_and_see_it_listed(server, context, tmp_path):
    page = context.new_page()
    sign_in(page, server["url"], "ana", "data")
    csv = tmp_path / "june_orders.csv"
    csv.write_text("订单编号,支付时间,买家ID,实付金额\nA1,2025/6/18,C1,¥1,234.50\nA2,2025/6/19,C2,88\n".replace("¥1,234.50", '"¥1,234.50"'),
                   encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(csv))
    page.get_by_text("All 2 rows are valid.").wait_for()
    shot(page, "data-upload-review")
    page.get_by_role("button", name="Store dataset").click()
    page.get_by_text(re.compile(r"Stored dataset #\d+ “june_orders”: 2 rows")).wait_for()
    page.get_by_role("tab", name="Datasets").click()
    wait_idle(page)
    assert page.get_by_text("june_orders").count() >= 1


def test_a_share_link_opened_by_another_user_gives_the_same_view(server, browser):
    a = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = a.new_page()
    sign_in(page, server["url"], "ana", "data")
    page.goto(f"{server['url']}/market-overview?lang=zh&o={server['demo']['orders']}")
    wait_idle(page)
    page.get_by_role("heading", name="市场概览").wait_for()
    wait_idle(page, timeout=120)
    kpis_a = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert len(kpis_a) >= 4
    page.get_by_role("button", name=re.compile("分享此视图")).click()
    link = page.locator('[data-testid="stCode"] code').first.inner_text().strip()
    assert "/market-overview" in link and "lang=zh" in link and re.search(r"[?&]o=\d+", link)
    a.close()
    # three fresh browsers: the link once lost its dataset and language after the sign-in in about one
    # sign-in in five (a race in the browser), so one attempt would rarely catch a regression
    for attempt in range(3):
        b = browser.new_context(viewport={"width": 1400, "height": 1000})
        other = b.new_page()
        other.goto(link)
        other.get_by_label("用户名", exact=True).fill("vic")  # the sign-in form follows the link's language
        other.get_by_label("密码", exact=True).fill("viewer-pass-123")
        other.get_by_role("button", name="登录").click()
        other.get_by_role("heading", name="市场概览").wait_for()  # the linked page, in the link's language
        assert "/market-overview" in other.url
        wait_idle(other, timeout=120)
        other.wait_for_timeout(1500)  # the rerun the auth cookie triggers once written must not change the view
        wait_idle(other, timeout=120)
        assert "lang=zh" in other.url and f"o={server['demo']['orders']}" in other.url, (attempt, other.url)
        assert other.get_by_text("本页需要").count() == 0  # not the empty state
        assert other.locator('[data-testid="stMetricValue"]').all_inner_texts() == kpis_a  # the same numbers
        if attempt == 0:
            shot(other, "share-link-opened-by-viewer")
        b.close()


def test_a_viewer_cannot_reach_upload_delete_or_admin(server, context):
    page = context.new_page()
    sign_in(page, server["url"], "vic", "data")
    assert page.get_by_text("cannot upload or change datasets").count() >= 1
    assert page.locator('[data-testid="stFileUploaderDropzoneInput"]').count() == 0
    shot(page, "viewer-data-page")
    page.get_by_role("tab", name="Datasets").first.click()
    wait_idle(page)
    assert page.get_by_role("button", name="Delete").count() == 0
    assert page.get_by_text("cannot delete datasets").count() >= 1
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_text("Data", exact=True).count() == 1
    assert nav.get_by_text("Admin", exact=True).count() == 0  # a viewer's sidebar has no Admin page
    page.goto(f"{server['url']}/admin")
    wait_idle(page)
    assert page.get_by_role("button", name="Add user").count() == 0
    assert page.get_by_text("Signed in as vic").count() == 1


def test_screenshot_of_every_page(server, context):
    page = context.new_page()
    sign_in(page, server["url"], "admin")
    from components.sidebar import KIND_KEYS

    demo = "&".join(f"{KIND_KEYS[k]}={v}" for k, v in server["demo"].items())
    for p in PAGES:
        page.goto(f"{server['url']}/{p.url_path}?{demo}")
        wait_idle(page, timeout=120)
        assert page.get_by_text("Traceback").count() == 0
        assert page.locator('[data-testid="stException"]').count() == 0, p.url_path
        assert page.get_by_text("Page not found").count() == 0, p.url_path
        shot(page, p.url_path)
    page.goto(f"{server['url']}/admin")
    wait_idle(page)
    shot(page, "admin")
    page.goto(f"{server['url']}/no-such-page?o=abc&start=yesterday")
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0 and page.get_by_text("Traceback").count() == 0
    page.goto(f"{server['url']}/")
    wait_idle(page)
    assert page.get_by_text("Page not found").count() == 0
    shot(page, "home")
    page.goto(f"{server['url']}/market-overview?lang=zh&{demo}")
    wait_idle(page, timeout=120)
    shot(page, "market-overview-zh")


def test_streamlit_run_app_py_serves_a_deep_link_like_python_app_py(server, browser):
    """`streamlit run app.py` (the command every Streamlit user types first) on a fresh server: the first
    request is a deep link with a query; no "Page not found", the sign-in form, then the linked page
    with the link's settings. The server is the virtualenv's own `streamlit` executable, as a person
    runs it; the same store as the other tests."""
    import subprocess

    from tests.e2e.conftest import ROOT, _free_port, wait_healthy

    streamlit = Path(sys.executable).with_name("streamlit")
    assert streamlit.exists(), "the virtualenv has no streamlit executable"
    port = _free_port()
    log_path = server["tmp"] / "streamlit_run.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([str(streamlit), "run", "app.py", "--server.port", str(port), "--server.headless", "true",
                             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                             "--server.fileWatcherType", "none"], cwd=ROOT, env=server["env"], stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, proc, log_path)
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
        ctx.set_default_timeout(60_000)
        page = ctx.new_page()
        page.goto(f"{base}/market-overview?grain=week&lang=en")
        page.get_by_label("Username", exact=True).wait_for()
        wait_idle(page)
        assert page.get_by_text(re.compile("Page not found", re.I)).count() == 0
        submit_sign_in(page, "admin", PASSWORDS["admin"], log=log_path)
        assert page.get_by_role("heading", name="Market overview").count() >= 1
        assert page.get_by_text(re.compile("Page not found", re.I)).count() == 0
        assert "grain=week" in page.url
        assert page.locator('[data-testid="stException"]').count() == 0
        shot(page, "streamlit-run-deep-link")
        ctx.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_recommendations_runs_the_open_tab_and_a_reload_keeps_it(server, context):
    page = context.new_page()
    sign_in(page, server["url"], "ana")
    page.goto(f"{server['url']}/recommendations?o={server['demo']['orders']}")
    page.get_by_role("heading", name="Recommendations").wait_for()
    wait_idle(page, timeout=120)
    # the first tab only: its key figures are there, the other tabs' content is not
    assert page.locator('[data-testid="stMetricValue"]').count() >= 4
    assert page.get_by_text("Choose a group to build its target list").count() == 0
    # one click after another, each tab's content comes (a click right after a rerun is not lost)
    page.get_by_role("tab", name="Sample recommendations").click()
    page.get_by_text("Sample customer").first.wait_for()
    page.get_by_role("tab", name="Target list: segment").click()
    page.get_by_text("Choose a group to build its target list").wait_for()
    wait_idle(page)
    assert "tab=segment" in page.url
    assert page.locator('[data-testid="stMetricValue"]').count() == 0  # the first tab's content did not run
    assert page.get_by_text("Sample customer").count() == 0
    shot(page, "recommendations-target-tab")
    page.get_by_role("tab", name="Does personalisation pay?").click()
    page.locator('[data-testid="stMetricValue"]').first.wait_for()
    wait_idle(page)
    assert "tab=" not in page.url
    page.get_by_role("tab", name="Target list: product").click()
    page.get_by_text("Choose a product to list the customers").wait_for()
    wait_idle(page)
    page.reload()  # the link names the tab: it opens there again, in Chinese too
    page.get_by_text("Choose a product to list the customers").wait_for()
    page.goto(page.url + "&lang=zh")
    page.get_by_role("tab", name="目标清单：按商品", selected=True).wait_for()
    page.get_by_text("选择一个商品").first.wait_for()
