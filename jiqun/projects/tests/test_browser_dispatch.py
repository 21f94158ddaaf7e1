"""Filing a quarterly dispatch in a real browser: the county fills the figure, progress, the stage reached and a
new constraint, a refused figure is named, the dispatch is submitted and the city approves it."""

import datetime
from decimal import Decimal

from jiqun.clusters.models import Cluster
from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, fits_the_screen, log_in, page, site  # noqa: F401
from jiqun.monitoring.models import ReportStatus
from jiqun.monitoring.services import period_open
from jiqun.programmes.models import Programme
from jiqun.projects.models import Dispatch
from jiqun.projects.services import project_create, project_plan_year
from jiqun.regions.models import Region

pytestmark = BROWSER_TEST
YEAR = 2034  # a year no other test opens: what a browser test writes stays


def test_a_county_files_a_quarterly_dispatch_and_the_city_approves_it(site, browser):
    from jiqun.accounts.models import User

    sheng = User.objects.get(username="sheng")
    programme = Programme.objects.get(code="JN-2020-231")
    cluster = Cluster.objects.filter(programme=programme).order_by("pk").first()
    project = project_create(actor=sheng, clusters=[cluster], name="荣信煤化甲醇制乙醇项目（浏览器测试）",
                             region=Region.objects.get(code="370811"), investor_name="荣信煤化",
                             total_investment=Decimal("500000"), kind="investment",
                             stage_reached_on=datetime.date.today() - datetime.timedelta(days=200))
    project_plan_year(actor=sheng, project=project, year=YEAR, planned=Decimal("100000"))
    period = period_open(actor=sheng, programme=programme, year=YEAR, quarter=2,
                         deadline=datetime.date(YEAR, 7, 20))
    dispatch = Dispatch.objects.get(project=project, period=period)

    county = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN").new_page()
    log_in(county, site, "rencheng")
    county.goto(f"{site}/projects/dispatch/periods/{period.pk}/")
    county.click(f"#matrix a:has-text('{project.name}')")
    county.wait_for_url(f"{site}/projects/dispatch/{dispatch.pk}/")
    county.fill("#id_completed_ytd", "600000")  # more than the project's total investment
    county.fill("#id_progress", "完成土地平整和桩基施工")
    county.click("button[value=save]")
    assert "大于项目总投资 500000.00 万元" in county.inner_text(".messages")

    county.fill("#id_completed_ytd", "52000")
    county.select_option("#id_stage_to", "reserve")
    county.fill("#id_stage_on", datetime.date.today().isoformat())
    county.select_option("select[name=c-0-kind]", "land")
    county.fill("input[name=c-0-description]", "二期用地 150 亩指标未落实")
    county.fill("input[name=c-0-responsible_unit]", "济宁市自然资源和规划局")
    county.fill("input[name=c-0-deadline]", f"{YEAR}-09-30")
    assert fits_the_screen(county)
    SHOTS.mkdir(exist_ok=True)
    county.screenshot(path=str(SHOTS / "dispatch-filing.png"), full_page=True)
    county.click("#submit-dispatch")
    county.wait_for_selector("#dispatch-status:has-text('已提交')")
    dispatch.refresh_from_db()
    assert dispatch.status == ReportStatus.SUBMITTED and dispatch.completed_ytd == Decimal("52000")
    assert dispatch.new_constraints[0]["responsible_unit"] == "济宁市自然资源和规划局"

    city = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN").new_page()
    log_in(city, site, "jining")
    city.goto(f"{site}/projects/dispatch/{dispatch.pk}/")
    city.fill("#approve-form input[name=comment]", "同意")
    city.click("#approve-form button")
    city.wait_for_selector("#dispatch-status:has-text('市级审核通过')")
    city.goto(f"{site}/projects/dispatch/periods/{period.pk}/progress/")
    row = city.inner_text(f"#pace-projects tr:has-text('{project.name}')")
    assert "52.0%" in row and "正常" in row  # 52% of the plan at 1-6月 (序时 50%)
