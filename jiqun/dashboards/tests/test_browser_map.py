"""The province map as the province admin meets it, in Debian's headless Chromium at 1366×768: the 地图 page
draws the 16 cities (the shipped 示意图, fetched from this server) with the parks as points, and a click on
济宁市 opens that city's page."""

from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, fits_the_screen, log_in, page, site  # noqa: F401

pytestmark = BROWSER_TEST

JINING = (116.45, 35.62)  # inside 济宁市, away from its parks' points


def test_province_admin_sees_the_map_and_clicks_a_city(site, page):  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    log_in(page, site, "sheng")
    page.goto(f"{site}/dashboards/maps/")
    page.wait_for_selector("#chart-clusters-by-city[data-map-drawn='map'] canvas")
    chart = "document.getElementById('chart-clusters-by-city')"
    assert page.get_attribute("#chart-clusters-by-city", "data-map-label") == "示意图"
    # The corner label is drawn text on the canvas: read it back from the chart's option.
    texts = page.evaluate(f"{chart}.jiqunChart.getOption().graphic[0].elements.map(e => e.style.text)")
    assert any(t.startswith("示意图") for t in texts)
    points = page.evaluate(f"{chart}.jiqunChart.getOption().series[1].data.length")
    assert points >= 10  # the demo's Jining parks
    assert fits_the_screen(page)
    page.screenshot(path=str(SHOTS / "dashboards-map.png"), full_page=True)

    x, y = page.evaluate(f"{chart}.jiqunChart.convertToPixel({{geoIndex: 0}}, {list(JINING)})")
    box = page.locator("#chart-clusters-by-city").bounding_box()
    with page.expect_navigation(url=f"{site}/dashboards/regions/370800/"):
        page.mouse.click(box["x"] + x, box["y"] + y)
