"""The operator console in a real headless browser: Debian's Chromium driven by Playwright for
Python (no browser download: `PATCHBAY_CHROMIUM`, default /usr/bin/chromium). Against its own
`serve --demo` (flow-through on), as an operator would use it: sign in, find the demo
customer, suspend its line and see the order appear, resend the failed order from the work
queue. The screenshots of the main views land in docs/screenshots/ (README links them).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from conftest import ROOT, SETTINGS, _database_kind, fresh_database, running_server

CHROMIUM = os.environ.get("PATCHBAY_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("PATCHBAY_SCREENSHOTS", ROOT / "docs" / "screenshots"))


@pytest.fixture(scope="module")
def console_server(tmp_path_factory):
    with fresh_database(_database_kind(), "patchbay_interop_console") as url:
        args = ["--demo", "--settings", str(SETTINGS)]
        with running_server(url, args, tmp_path_factory.mktemp("console-server")) as srv:
            yield srv


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install Debian's chromium (see .ci/run)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def mark(page):
    page.evaluate("window.patchbayMark = 'here'")


def still_marked(page):
    return page.evaluate("window.patchbayMark") == "here"


def test_an_operator_suspends_a_line_and_resends_a_failed_order(console_server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{console_server.base}/console")
    expect(page).to_have_url(re.compile(r"/console/login$"))
    shot(page, "sign-in")
    # Labels name the fields: the form is filled the way a screen reader user would.
    page.get_by_label("Client").fill("acme")
    page.get_by_label("Username").fill("api")
    page.get_by_label("Password").fill("correct horse battery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Work queue")).to_be_visible()
    expect(page.get_by_text("not on the hosted-voice network yet")).to_be_visible()
    shot(page, "work-queue")

    # Find the demo customer and suspend its line. With htmx, the finder and the button
    # replace the page's content in place (the page is not loaded again: the mark set on it
    # survives) and the address bar follows.
    page.get_by_role("link", name="Customers").click()
    mark(page)
    page.get_by_label("Customer id, TN or name").fill("5125550100")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name=re.compile(r"Customer 1: Dana Reyes"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/console/customers/1$"))
    assert still_marked(page), "the finder loaded a whole page"
    shot(page, "customer")
    page.get_by_role("button", name="Suspend line 1").click()
    expect(page.get_by_role("status")).to_contain_text("Suspend order")
    expect(page.get_by_role("cell", name="DENY")).to_be_visible()
    assert still_marked(page), "the suspend button loaded a whole page"

    # The order appears in the order search.
    page.get_by_role("link", name="Orders", exact=True).click()
    mark(page)
    page.get_by_label("Customer id").fill("1")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("cell", name="DENY")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/console/orders\?.*customer=1"))
    assert still_marked(page), "the search loaded a whole page"
    shot(page, "orders")

    # Resend the failed order from the work queue.
    page.get_by_role("link", name="Work queue").click()
    mark(page)
    resend = page.get_by_role("button", name=re.compile(r"^Resend order \d+$"))
    order_id = resend.get_attribute("aria-label").split()[-1]
    resend.click()
    expect(page.get_by_role("status")).to_contain_text(f"Order {order_id} is queued to be sent again.")
    assert still_marked(page), "the resend button loaded a whole page"
    # The keyboard focus moves to the answer, not back to the top of the page.
    expect(page.locator(":focus")).to_have_attribute("role", "status")
    # The manual provider takes it: it leaves the queue, SENT.
    for _ in range(50):
        page.goto(f"{console_server.base}/console/orders/{order_id}")
        if page.get_by_role("row", name="Status SENT").count():
            break
        page.wait_for_timeout(200)
    expect(page.get_by_role("row", name="Status SENT")).to_be_visible()
    expect(page.get_by_role("cell", name="ERROR", exact=True).first).to_be_visible()  # in the history
    shot(page, "order")

    # The dashboard.
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("img", name=re.compile(r"Orders created per day"))).to_be_visible()
    shot(page, "dashboard")

    # The inventory and the catalog.
    page.get_by_role("link", name="Inventory").click()
    page.get_by_label("Identifier").fill("89014100000000000012")
    page.get_by_label("Kind").select_option("SIM_Card")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("row", name="Status ASSIGNED")).to_be_visible()
    shot(page, "inventory")
    page.get_by_role("link", name="Catalog").click()
    expect(page.get_by_role("cell", name="Unlimited Talk & Text", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Packages")).to_be_visible()
    expect(page.get_by_text(re.compile(r"settings\.toml, line \d+")).first).to_be_visible()
    shot(page, "catalog")

    # Signing out ends the session.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/console/login$"))
    page.goto(f"{console_server.base}/console/queue")
    expect(page).to_have_url(re.compile(r"/console/login$"))


def test_the_console_works_without_javascript(console_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{console_server.base}/console/login")
    page.get_by_label("Client").fill("acme")
    page.get_by_label("Username").fill("viewer")
    page.get_by_label("Password").fill("viewer pass 123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Work queue")).to_be_visible()
    page.get_by_role("link", name="Orders", exact=True).click()
    page.get_by_label("Status").select_option("COMPLETE")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/console/orders\?.*status=COMPLETE"))
    expect(page.get_by_text("Activated by the demo").first).to_be_visible()
    context.close()
