"""The Jining officer in Debian's headless Chromium: the pipeline chart drawn offline under the CSP, its data
downloaded, and a project library uploaded with a mistake, refused with the problem's row and column."""

import datetime

from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, log_in, page, site
from jiqun.core.tests.test_browser_csp import offline_page
from jiqun.projects import excel as X

pytestmark = BROWSER_TEST


def test_the_officer_reads_the_pipeline_and_is_told_what_is_wrong_in_an_upload(site, page, tmp_path):
    from jiqun.accounts.models import User
    from jiqun.projects.excel import template_for
    from jiqun.projects.tests.excel_helpers import fill
    from jiqun.projects.tests.fixtures import make_project

    SHOTS.mkdir(exist_ok=True)
    make_project(name="浏览器测试项目", yi="8", region="370811", code="BR-PIPE-1",
                 stages={"reserve": datetime.date(2024, 1, 1)})
    outside, refused = offline_page(page, site)
    log_in(page, site, "jining")
    page.goto(f"{site}/projects/pipeline/")
    page.wait_for_selector("#cluster-chart canvas")
    page.wait_for_selector("#region-chart canvas")
    assert "任城区" in page.inner_text("#by-region")
    page.screenshot(path=str(SHOTS / "projects-pipeline.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#pipeline-export")
    assert download.value.suggested_filename.endswith(".xlsx")

    bad = tmp_path / "项目库.xlsx"
    bad.write_bytes(fill(template_for(User.objects.get(username="jining")), drop_others=True, add=[{
        "code": "BR-NEW-1", "name": "浏览器新项目", "region": "任城区", "investor": "某公司",
        "total_investment": "一千", "kind": "技术改造项目"}]))
    page.goto(f"{site}/projects/import/")
    page.set_input_files("input[type=file]", str(bad))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#problems")
    row = page.inner_text("#problems tr:nth-child(2)")
    assert str(X.FIRST_DATA_ROW + 1) in row and X.column_letter("total_investment") in row and "一千" in row
    page.screenshot(path=str(SHOTS / "projects-import-refused.png"), full_page=True)
    assert outside == [] and refused == []
