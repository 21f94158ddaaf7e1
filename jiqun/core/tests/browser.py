"""What every browser test shares: Debian's headless Chromium, a live server with the demo, a 1366×768 page.

Test modules import the fixtures by name (`from jiqun.core.tests.browser import browser, page, site`).

One live server (`live_site` in `jiqun/conftest.py`) serves the whole session from the test database that
`django_db_setup` pre-loaded with the demo, so no browser test reloads or flushes it. What a browser test
writes is committed and stays for the browser tests after it: each makes objects of its own (its own period)
or changes demo rows no other browser test reads. These tests ask for no `db` fixture, so pytest-django runs
them after every database test (whose transactions were rolled back): they find the demo as loaded, and no
database test sees what they leave.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from jiqun.conftest import PASSWORD

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
def site(live_site, django_db_blocker, settings, tmp_path) -> Iterator[str]:
    """The live server's address; the test may use the database, and what it writes is committed."""
    from django.db import connections

    settings.MEDIA_ROOT = tmp_path
    with django_db_blocker.unblock():
        yield live_site
        # Under Playwright the test's queries run in their own context, i.e. on their own connection; left
        # open, it would keep PostgreSQL from dropping the test database at the end.
        connections.close_all()


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
