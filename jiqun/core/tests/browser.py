"""What every browser test shares: Debian's headless Chromium, a live server with the demo, a 1366×768 page.

Test modules import the fixtures by name (`from jiqun.core.tests.browser import browser, page, site`).
"""

import os
from pathlib import Path

import pytest

from jiqun.conftest import PASSWORD
from jiqun.core.demo import demo_load

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[3] / "test-results"
BROWSER_TEST = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium")]


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the database calls made here are ours.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run",
        ])
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def site(live_server, transactional_db, settings, tmp_path):
    """The live server's address, with the demo loaded (the live server's data is flushed after each test)."""
    settings.MEDIA_ROOT = tmp_path
    demo_load()
    return live_server.url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def log_in(page, site: str, username: str) -> None:
    page.goto(f"{site}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 1366
