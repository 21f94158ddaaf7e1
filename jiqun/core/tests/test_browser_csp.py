"""The CSP in a real browser: the API documentation renders offline, and filters and the language switch work
without inline handlers. (Apart from test_gate_csp.py, whose database tests hold a transaction a live server
would wait on.)"""

from jiqun.core.tests.browser import BROWSER_TEST, browser, log_in, page, site

pytestmark = BROWSER_TEST


def offline_page(tab, base: str) -> tuple[list[str], list[str]]:
    """Cut the tab off from everything but the live server; return the refused requests and the CSP reports."""
    outside: list[str] = []
    refused: list[str] = []

    def only_the_platform(route) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    tab.route("**/*", only_the_platform)
    tab.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
           else None)
    tab.on("pageerror", lambda error: refused.append(str(error)))
    return outside, refused


def test_the_api_docs_render_offline_under_the_csp(site, page):
    outside, refused = offline_page(page, site)
    log_in(page, site, "jining")
    page.goto(f"{site}/api/v1/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() > 10
    assert "集群名录" in page.inner_text("#swagger-ui") and "/api/v1/clusters" in page.inner_text("#swagger-ui")
    assert outside == [] and refused == []


def test_filters_and_the_language_switch_work_without_inline_handlers(site, page):
    outside, refused = offline_page(page, site)
    log_in(page, site, "sheng")
    page.goto(f"{site}/enterprises/carriers/")
    page.select_option("select[name=level]", "national")
    page.wait_for_url("**level=national**")
    page.select_option("select[name=language]", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "Innovation" in page.inner_text("h1")
    page.goto(f"{site}/clusters/")
    page.fill("input[name=q]", "zzz-no-such-cluster")
    page.wait_for_url("**q=zzz-no-such-cluster**")  # htmx still works without eval
    assert outside == [] and refused == []
