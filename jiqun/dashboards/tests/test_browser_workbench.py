"""Bulk approval in a real browser: a city officer ticks two clean reports on the workbench, approves them and
reads the result; the report with an unexplained warning offers no checkbox."""

from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, log_in, page, site  # noqa: F401
from jiqun.dashboards.tests.wb_helpers import (
    open_period,
    reports_in,
    submitted,
    user,
    with_unexplained_warning,
)
from jiqun.monitoring.models import Report, ReportStatus

pytestmark = BROWSER_TEST


def test_a_city_officer_approves_two_clean_reports_in_bulk(site, page):
    period = open_period(jining=3, jinan=0, code="TEST-WB-BROWSER")
    first, second, warned = (submitted(r, user("rencheng")) for r in reports_in(period, "任城"))
    with_unexplained_warning(warned)
    log_in(page, site, "jining")
    assert page.locator(f"#bulk-approve input[value='{warned.pk}']").count() == 0
    page.check(f"#bulk-approve input[value='{first.pk}']")
    page.check(f"#bulk-approve input[value='{second.pk}']")
    page.fill("#bulk-approve input[name=comment]", "数据核实无误")
    page.click("#bulk-approve button[type=submit]")
    page.wait_for_selector("#bulk-result")
    assert "已审核通过 2 份报表" in page.inner_text(".messages")
    assert "已审核通过（市级审核通过）" in page.inner_text(f"#bulk-result tr[data-report='{first.pk}']")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "workbench-bulk-approval.png"), full_page=True)
    statuses = dict(Report.objects.filter(period=period).values_list("pk", "status"))
    assert statuses == {first.pk: ReportStatus.CITY_APPROVED, second.pk: ReportStatus.CITY_APPROVED,
                        warned.pk: ReportStatus.SUBMITTED}
