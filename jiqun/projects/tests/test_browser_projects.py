"""The project library as a city officer meets it, in Debian's headless Chromium at 1366×768: register a
project, move it a stage (a jump is refused on the page), raise a constraint and close it with its decision."""

import datetime

from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, fits_the_screen, log_in, page, site
from jiqun.projects.models import Constraint, Project

pytestmark = BROWSER_TEST

NAME = "浏览器测试：金乡生物基新材料项目"


def test_city_officer_registers_a_project_moves_it_and_closes_a_constraint(site, page):
    SHOTS.mkdir(exist_ok=True)
    today = datetime.date.today().isoformat()
    log_in(page, site, "jining")
    page.click("nav.mainnav >> text=项目")
    page.wait_for_selector("#project-table")
    assert "七洲绿色化工项目" in page.inner_text("#project-table")
    page.screenshot(path=str(SHOTS / "projects-list.png"), full_page=True)

    # Register: a missing investor is refused on its field, then the project is saved in 谋划.
    page.click("text=登记项目")
    page.fill("#id_name", NAME)
    page.select_option("#id_region", "370828")
    page.fill("#id_total_investment", "320000")
    page.select_option("#id_kind", "investment")
    page.click("form.card button[type=submit]")
    assert "请选择名录企业或填写投资主体名称" in page.inner_text("form.card")
    assert not Project.objects.filter(name=NAME).exists()
    page.fill("#id_investor_name", "某生物基材料企业（测试）")
    page.fill("#id_planned_start_on", "2027-03-31")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#timeline")
    assert page.inner_text("#stage") == "谋划"

    # Move it one step (a jump to 开工 is not offered), dated today with its evidence.
    page.click("#move")
    assert page.locator("#id_to_stage option[value=started]").count() == 0
    page.select_option("#id_to_stage", "reserve")
    page.fill("#id_reached_on", today)
    page.fill("#id_evidence", "市重点项目储备库")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#timeline")
    assert page.inner_text("#stage") == "储备"
    assert "市重点项目储备库" in page.inner_text("#events")

    # A constraint: raised with its unit and deadline, then closed with the decision.
    page.click("text=登记要素制约")
    page.select_option("#id_kind", "land")
    page.fill("#id_description", "新增建设用地 200 亩")
    page.fill("#id_responsible_unit", "金乡县自然资源局")
    page.fill("#id_deadline", "2027-06-30")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#constraints")
    constraint = Constraint.objects.get(project__name=NAME)
    page.click(f"#constraints tr[data-constraint='{constraint.pk}'] >> text=关闭")
    page.select_option("#id_status", "resolved")
    page.fill("#id_decision", "调剂存量建设用地指标")
    page.fill("#id_decided_by", "县重点项目调度会")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#constraints")
    row = page.inner_text(f"#constraints tr[data-constraint='{constraint.pk}']")
    assert "已解决" in row and "调剂存量建设用地指标" in row
    assert fits_the_screen(page)
    page.screenshot(path=str(SHOTS / "project-detail.png"), full_page=True)
