"""Targets and supervision as a city officer meets them, in Debian's headless Chromium at 1366×768."""

from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, log_in, page, site
from jiqun.programmes.models import Target, Task

pytestmark = BROWSER_TEST


def test_city_officer_filters_targets_opens_one_and_reports_a_task(site, page):
    SHOTS.mkdir(exist_ok=True)
    log_in(page, site, "jining")
    page.click("nav.mainnav >> text=目标与督导")
    page.click("#programme-table >> text=先进制造业“231”产业集群培育")
    page.wait_for_selector("#tier-table")

    # Only the targets behind schedule, as they stood at the end of September 2025.
    page.fill("input[name=as_of]", "2025-09-30")
    page.check("input[name=status][value=behind]")
    page.click("#target-filters button")
    page.wait_for_url("**status=behind**")
    statuses = page.locator("#target-table tr[data-status]").evaluate_all("rows => rows.map(r => r.dataset.status)")
    assert statuses and set(statuses) == {"behind"}
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.screenshot(path=str(SHOTS / "targets-behind.png"), full_page=True)

    t13 = Target.objects.get(programme__code="JN-2020-231", code="T13")
    page.click(f"#target-table a[href^='/targets/{t13.pk}/']")
    page.wait_for_selector("#progress-props")
    assert "高端装备产业集群规模以上企业数" in page.inner_text("h1")
    assert "序时进度" in page.inner_text("#progress-props") and page.locator("#basis tr").count() > 1
    page.screenshot(path=str(SHOTS / "target-detail.png"), full_page=True)

    # Report a task as its lead unit: "completed" without evidence is refused, with evidence accepted.
    k05 = Task.objects.get(programme__code="JN-2020-231", code="K05")
    page.goto(f"{site}/targets/tasks/{k05.pk}/")
    page.select_option("#id_status", "completed")
    page.fill("#id_progress", "新材料产业集群发展规划已印发")
    page.click("#task-update-form button[type=submit]")
    assert "报告“已完成”须附佐证材料" in page.inner_text("#task-update-form")
    assert not k05.updates.exists()
    page.select_option("#id_status", "completed")
    page.fill("#id_progress", "新材料产业集群发展规划已印发")
    page.fill("#id_evidence", "济宁市新材料产业集群发展规划（演示）")
    page.click("#task-update-form button[type=submit]")
    page.wait_for_selector(".messages")
    assert page.inner_text("#task-status") == "已完成"
    assert "济宁市新材料产业集群发展规划" in page.inner_text("#updates")
    page.screenshot(path=str(SHOTS / "task-reported.png"), full_page=True)
