"""The pages as a user meets them, in Debian's headless Chromium at 1366×768."""

from jiqun.clusters.models import Cluster
from jiqun.core.tests.browser import (
    BROWSER_TEST,
    SHOTS,
    browser,
    fits_the_screen,
    log_in,
    page,
    playwright,
    site,
)
from jiqun.enterprises.models import Enterprise

pytestmark = BROWSER_TEST


def test_officer_logs_in_opens_a_cluster_and_is_refused_a_bad_credit_code(site, page):
    SHOTS.mkdir(exist_ok=True)
    log_in(page, site, "jining")
    assert "工作台" in page.content() and fits_the_screen(page)
    page.screenshot(path=str(SHOTS / "home.png"))

    page.click("nav.mainnav >> text=集群")
    page.wait_for_selector("#cluster-table")
    cluster = Cluster.objects.filter(regions__code__startswith="3708").order_by("name").first()
    page.click(f"#cluster-table >> text={cluster.name}")
    page.wait_for_url(f"{site}/clusters/{cluster.pk}/")
    assert cluster.name in page.inner_text("h1") and "成员企业" in page.content()
    assert fits_the_screen(page)
    page.screenshot(path=str(SHOTS / "cluster.png"), full_page=True)

    enterprise = Enterprise.objects.filter(region__code__startswith="3708").order_by("id").first()
    page.goto(f"{site}/enterprises/{enterprise.pk}/edit/")
    page.fill("#id_credit_code", "91110000600037341M")
    page.click("button[type=submit]")
    error = page.inner_text(".errorlist")
    assert "第18位校验码“M”有误" in error and "应为“L”" in error
    page.screenshot(path=str(SHOTS / "credit-code-refused.png"), full_page=True)
    enterprise.refresh_from_db()
    assert enterprise.credit_code is None

    page.fill("#id_credit_code", "91110000600037341L")
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/enterprises/{enterprise.pk}/")
    assert page.inner_text("#credit-code") == "91110000600037341L"


def test_cluster_search_filters_as_you_type(site, page):
    log_in(page, site, "sheng")
    page.goto(f"{site}/clusters/")
    total = page.locator("#cluster-table tr").count()
    cluster = Cluster.objects.order_by("name").first()
    page.fill("input[name=q]", cluster.name)
    playwright.expect(page.locator("#cluster-table tr")).not_to_have_count(total)
    assert cluster.name in page.inner_text("#cluster-table")
    assert "q=" in page.url  # htmx pushed the search into the address, so it can be shared


def test_another_citys_cluster_is_not_found(site, page):
    log_in(page, site, "jinan")
    cluster = Cluster.objects.filter(regions__code__startswith="3708").exclude(regions__code__startswith="3701").first()
    response = page.goto(f"{site}/clusters/{cluster.pk}/")
    assert response.status == 404


def test_programme_page_links_each_target_to_its_sentence(site, page):
    log_in(page, site, "lingdao")
    page.goto(f"{site}/programmes/SD-2023-185/")
    page.locator("#target-table .cite a").first.click()
    page.wait_for_selector("mark#hl")
    assert page.inner_text("mark#hl")
