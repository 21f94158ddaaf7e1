"""A city officer fills and submits its city's 综合表 in a real browser, from the period page."""

from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, log_in, page, site  # noqa: F401
from jiqun.monitoring.models import ReportStatus
from jiqun.monitoring.tests.helpers import period_figures
from jiqun.monitoring.tests.region_helpers import REGION_GOOD, open_city_period, region_report

pytestmark = BROWSER_TEST


def test_a_city_officer_fills_and_submits_its_综合表_through_the_page(site, page):  # noqa: F811
    period = open_city_period(year=2027, quarter=1)
    report = region_report(period)
    log_in(page, site, "jining")
    page.goto(f"{site}/monitoring/periods/{period.pk}/")
    page.click("#matrix tr.region-report a:has-text('济宁市综合表')")
    page.wait_for_selector("#region-note")
    assert page.locator("input[name=revenue-current]").count() == 0  # a cluster indicator is not asked here
    for code, (current, previous) in REGION_GOOD.items():
        page.fill(f"input[name={code}-current]", current)
        page.fill(f"input[name={code}-previous]", previous)
    page.click("button[value=submit]")
    page.wait_for_selector("#report-status:has-text('已提交')")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "region-report-submitted.png"), full_page=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert set(period_figures(period)[report.pk]) == set(REGION_GOOD)
