"""Opening a period in a real browser: choose the programme, see its indicator set ticked, adjust it, open."""

from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, log_in, page, site  # noqa: F401
from jiqun.monitoring.models import ReportingPeriod
from jiqun.monitoring.services import period_default_codes
from jiqun.programmes.models import Programme

pytestmark = BROWSER_TEST


def test_the_province_opens_a_period_with_an_adjusted_indicator_set(site, page):
    programme = Programme.objects.get(code="JN-2020-231")
    defaults = period_default_codes(programme)
    log_in(page, site, "sheng")
    page.goto(f"{site}/monitoring/")
    page.select_option("#choose-programme select[name=programme]", str(programme.pk))  # app.js submits the choice
    page.wait_for_selector("#open-period")
    ticked = page.eval_on_selector_all("#indicator-set input[name=indicators]:checked", "els => els.map(e => e.value)")
    assert ticked == defaults
    assert "全市制造业营业收入（万元）" in page.inner_text("#level-region")

    page.uncheck("#indicator-set input[value=tech_transformation_fund]")
    page.click("#level-cluster summary")  # the other reported indicators are folded away
    page.check("#indicator-set input[value=revenue]")
    page.fill("#open-period input[name=year]", "2033")
    page.select_option("#open-period select[name=quarter]", "4")
    page.fill("#open-period input[name=deadline]", "2034-01-20")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "period-open-indicators.png"), full_page=True)
    page.click("#open-period button")
    page.wait_for_url(f"{site}/monitoring/periods/*/")

    period = ReportingPeriod.objects.get(programme=programme, year=2033, quarter=4)
    assert set(period.indicators.values_list("code", flat=True)) == (set(defaults) - {"tech_transformation_fund"}) | {
        "revenue"}
    assert "填报指标 14 项" in page.inner_text(".messages")
