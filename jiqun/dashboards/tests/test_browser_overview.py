"""The overview as leaders meet it, in Debian's headless Chromium: the province admin opens the province overview
and goes down to a city from its table; a city officer opens its city's overview and downloads a chart's data."""

from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, log_in, page, site  # noqa: F401
from jiqun.monitoring.tests.helpers import read_sheet

pytestmark = BROWSER_TEST


def test_province_and_city_overviews(site, page, browser):  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    log_in(page, site, "sheng")
    page.click("nav.mainnav >> text=总览")
    page.wait_for_selector("#kpis")
    assert "山东省总览" in page.inner_text("h1")
    page.wait_for_selector("#chart-map_bar canvas")  # charts.js drew the cities beside the (map.js) map
    page.screenshot(path=str(SHOTS / "overview-province.png"), full_page=True)
    page.click("#region-table summary")
    page.click("#region-table >> text=济宁市")
    page.wait_for_url(f"{site}/dashboards/regions/370800/")
    assert "济宁市总览" in page.inner_text("h1")

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True)
    city = context.new_page()
    log_in(city, site, "jining")
    city.goto(f"{site}/dashboards/")
    city.wait_for_selector("#chart-echelon canvas")
    assert "济宁市总览" in city.inner_text("h1")
    first = city.locator("#cluster-table tr[data-cluster] a").first
    assert first.get_attribute("href").startswith("/clusters/")
    with city.expect_download() as download:
        city.click("a[data-chart-data=echelon]")
    assert download.value.suggested_filename.endswith(".xlsx")
    rows = read_sheet(open(download.value.path(), "rb").read(), "图表数据")
    assert rows[0][0] == "企业梯队" and rows[2][0] == "链主"
    city.screenshot(path=str(SHOTS / "overview-city.png"), full_page=True)
    context.close()
