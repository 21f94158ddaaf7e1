"""The cluster page as a Jining officer meets it, in Debian's headless Chromium at 1366×768: the trend charts
drawn on their canvases, a chart's data downloaded as a workbook, the page within the screen's width."""

from jiqun.clusters.models import Cluster
from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, fits_the_screen, log_in, page, site  # noqa: F401
from jiqun.monitoring.tests.helpers import read_sheet

pytestmark = BROWSER_TEST


def test_a_city_officer_sees_the_trends_drawn_and_downloads_one(site, page):  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    cluster = Cluster.objects.get(programme__code="JN-2020-231", name="高端装备产业集群")
    log_in(page, site, "jining")
    page.goto(f"{site}/clusters/{cluster.pk}/")
    page.wait_for_selector("#chart-trend-revenue canvas")
    assert page.locator("#latest-figures tr[data-code='revenue'] a").count() == 1
    # The canvas is drawn on: a data URL of a blank 300×150 canvas is short.
    drawn = page.evaluate("document.querySelector('#chart-trend-revenue canvas').toDataURL().length")
    assert drawn > 5000
    with page.expect_download() as info:
        page.click("#figure-trend-revenue [data-chart-data]")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = read_sheet(open(download.path(), "rb").read(), "图表数据")
    assert sheet[0][0] == "主营业务收入（累计）"
    page.wait_for_selector("[data-chart='chain-map'] svg")  # the chains' maps, drawn by chains/chain.js
    assert fits_the_screen(page)
    page.screenshot(path=str(SHOTS / "cluster-page.png"), full_page=True)
