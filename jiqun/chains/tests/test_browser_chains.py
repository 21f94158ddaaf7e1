"""A chain as a city officer meets it, in Debian's headless Chromium at 1366×768: the list, the chain page
with its map, a click on a segment of the map that opens its panel (its enterprises, the rating's inputs,
the supply links with amounts), and the gap list beside it."""

from jiqun.chains.tests.pages_fixtures import build
from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, fits_the_screen, log_in, page, site  # noqa: F401

pytestmark = BROWSER_TEST


def test_city_officer_opens_a_chain_and_clicks_a_segment_on_the_map(site, page):  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    world = build(code="T-BROWSER")
    log_in(page, site, "jining")
    page.click("nav.mainnav >> text=产业链")
    page.wait_for_selector("#chains")
    page.click(f"#chains >> text={world.chain.name}")
    page.wait_for_selector("#chain-map[data-ready='1'] svg")
    assert "补链" in page.inner_text("#gaps") and "延链" in page.inner_text("#gaps")
    assert page.inner_text("#target") == "50%"

    # The map: a click on the upstream segment 液压件 opens its panel beside the map.
    page.locator("#chain-map svg text", has_text="U1 液压件").click()
    page.wait_for_selector("#segment-panel #segment-U1")
    panel = page.inner_text("#segment-panel")
    assert "江苏页面测试液压有限公司" in panel  # the outside company placed on it
    assert "本地企业" in page.inner_text("#rating-inputs")  # the rating's inputs
    assert "1,234.50" in page.inner_text("#supply-links") or "1234.50" in page.inner_text("#supply-links")
    assert page.inner_text("#panel-rating") == "缺"
    page.screenshot(path=str(SHOTS / "chain-map.png"), full_page=True)

    # Another segment: the panel follows the click.
    page.locator("#chain-map svg text", has_text="M1 整机装配").click()
    page.wait_for_selector("#segment-panel #segment-M1")
    assert world.local.name in page.inner_text("#placements")
    assert fits_the_screen(page)
