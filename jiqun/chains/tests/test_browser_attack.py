"""Attack in the browser: a segment name written as HTML must show as text in the chain map's tooltip, not as
markup (another persona reads the map a cluster organisation or a city officer drew)."""

from jiqun.accounts.models import User
from jiqun.chains.services import segment_add
from jiqun.chains.tests.pages_fixtures import build
from jiqun.core.tests.browser import BROWSER_TEST, browser, log_in, page, site  # noqa: F401

pytestmark = BROWSER_TEST

HOSTILE = '<b id="xss-probe">粗体环节</b>'


def test_a_segment_named_in_html_shows_as_text_in_the_map_tooltip(site, page):  # noqa: F811
    world = build(code="T-BRATK")
    segment_add(actor=User.objects.get(username="jining"), chain=world.chain, code="U9", name=HOSTILE,
                position="upstream")
    log_in(page, site, "sheng")
    page.goto(f"{site}/chains/{world.chain.pk}/")
    page.wait_for_selector("#chain-map[data-ready='1'] svg")
    page.locator("#chain-map svg text", has_text="U9").hover()
    page.wait_for_function("() => [...document.querySelectorAll('#chain-map div')]"
                           ".some(d => d.textContent.includes('粗体环节'))")
    assert page.locator("#xss-probe").count() == 0
    assert page.locator("#chain-map div", has_text='<b id="xss-probe">').count() >= 1
