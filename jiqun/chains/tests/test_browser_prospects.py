"""The 招引名录 as a Jining officer meets it, in Debian's headless Chromium at 1366×768: open a chain, click a
missing segment, add a company to attract (a missing company name is refused on its field), record a contact.

The chain page is the chain map's (chains:detail) when it is installed, with the segment panel of
templates/chains/prospects_panel.html; otherwise the 招引名录 list filtered by the chain, whose 待招引环节 table
links each segment the same way."""

import datetime

from django.urls import NoReverseMatch, reverse

from jiqun.chains.models import Chain, Prospect
from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, fits_the_screen, log_in, page, site

pytestmark = BROWSER_TEST

COMPANY = "浏览器测试：江苏某液压件企业"


def _chain() -> Chain:
    """A chain of this test's own (committed: no other browser test reads it), with a segment rated 缺."""
    from jiqun.chains.services import chain_create, segment_add
    from jiqun.regions.models import Region

    chain = Chain.objects.filter(code="BROWSER-PROS").first()
    if chain is None:
        chain = chain_create(actor=None, code="BROWSER-PROS", name="浏览器测试产业链",
                             region=Region.objects.get(code="370800"))
        segment_add(actor=None, chain=chain, code="U1", name="高端液压件", position="upstream")
    return chain


def _chain_page(chain: Chain) -> str:
    try:
        return reverse("chains:detail", args=[chain.pk])
    except NoReverseMatch:
        return f"{reverse('chain_prospects:list')}?chain={chain.pk}"


def test_city_officer_opens_a_chain_clicks_a_segment_and_adds_a_target(site, page):
    SHOTS.mkdir(exist_ok=True)
    chain = _chain()
    segment = chain.segments.get(code="U1")
    log_in(page, site, "jining")
    page.goto(site + _chain_page(chain))
    # The map: a click on the segment opens its panel, which offers to add a target for it.
    page.wait_for_selector("#chain-map[data-ready='1'] svg")
    page.locator("#chain-map svg text", has_text="U1 高端液压件").click()
    page.wait_for_selector("#segment-panel #segment-U1")
    page.click(f"#segment-panel a[href$='/chains/prospects/add/?segment={segment.pk}']")
    page.wait_for_selector("#prospect-form")
    assert "高端液压件" in page.inner_text("h1") and "缺" in page.inner_text("#verdict")

    page.select_option("#id_priority", "high")
    page.fill("#id_reason", "补链：本地整机企业的液压件全部外购")
    page.click("#prospect-form button[type=submit]")
    assert "请选择一家外地企业" in page.inner_text("#prospect-form")
    assert not Prospect.objects.filter(segment=segment).exists()

    page.fill("#id_company_name", COMPANY)
    page.fill("#id_company_place", "江苏省常州市")
    page.click("#prospect-form button[type=submit]")
    page.wait_for_selector("#events")
    assert COMPANY in page.inner_text("h1") and page.inner_text("#status") == "线索"

    page.fill("#contact-form #id_on", datetime.date.today().isoformat())
    page.select_option("#contact-form #id_way", "visit")
    page.fill("#contact-form #id_note", "赴常州拜访企业总部")
    page.click("#contact-form button[type=submit]")
    page.wait_for_selector("#events >> text=赴常州拜访企业总部")
    assert "上门拜访" in page.inner_text("#events")
    assert Prospect.objects.get(segment=segment).company.name == COMPANY
    assert fits_the_screen(page)
    page.screenshot(path=str(SHOTS / "prospect-detail.png"), full_page=True)
