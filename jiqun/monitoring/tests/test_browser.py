"""The quarterly round in a real browser: download the template, fill it, upload, submit, approve twice."""

from pathlib import Path

from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, log_in, page, site
from jiqun.monitoring.models import ReportStatus
from jiqun.monitoring.tests.helpers import (
    GOOD,
    column_of,
    fill_template,
    open_test_period,
    period_figures,
    read_sheet,
    report_of,
)

pytestmark = BROWSER_TEST


def test_a_quarter_from_template_to_province_approval(site, page, tmp_path):
    period = open_test_period(year=2026, quarter=3)
    report = report_of(period, "任城测试集群")
    log_in(page, site, "rencheng")  # the county fills; its city reviews (separation of duties)
    page.goto(f"{site}/monitoring/periods/{period.pk}/")
    assert "任城测试集群" in page.inner_text("#matrix") and "历下测试集群" not in page.inner_text("#matrix")

    with page.expect_download() as download_info:
        page.click("text=下载填报模板")
    template = Path(download_info.value.path()).read_bytes()
    indicators = list(period.indicators.order_by("code"))
    key = read_sheet(template)[5][0]
    cells = {}
    for code, (current, previous) in GOOD.items():
        cells[column_of(code, "current", indicators)] = float(current)
        cells[column_of(code, "previous", indicators)] = float(previous)
    filled = tmp_path / "统计季报-已填.xlsx"
    filled.write_bytes(fill_template(template, {key: cells}))

    page.set_input_files("#upload-form input[type=file]", str(filled))
    page.click("#upload-form button")
    page.wait_for_selector("#import-ok")
    assert len(period_figures(report.period)[report.pk]) == len(GOOD)

    page.goto(f"{site}/monitoring/reports/{report.pk}/")
    assert page.input_value("input[name=revenue-current]") == "5200000"
    page.click("button[value=submit]")
    page.wait_for_selector("#report-status:has-text('已提交')")

    page.context.clear_cookies()
    log_in(page, site, "jining")
    page.goto(f"{site}/monitoring/reports/{report.pk}/")
    page.fill("#approve-form input[name=comment]", "市级核对无误")
    page.click("#approve-form button")
    page.wait_for_selector("#report-status:has-text('市级审核通过')")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "report-city-approved.png"), full_page=True)

    page.context.clear_cookies()
    log_in(page, site, "sheng")
    page.goto(f"{site}/monitoring/reports/{report.pk}/")
    page.click("#approve-form button")
    page.wait_for_selector("#report-status:has-text('省级审核通过')")
    report.refresh_from_db()
    assert report.status == ReportStatus.PROVINCE_APPROVED
    assert [e.to_status for e in report.events.order_by("at")] == ["submitted", "city_approved", "province_approved"]
