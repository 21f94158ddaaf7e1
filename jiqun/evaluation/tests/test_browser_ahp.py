"""The expert's AHP page in a real browser: zhuanjia opens its invitation from the navigation, compares the
dimensions and the indicators within each, sees each matrix's CR after saving (red above 0.10), is refused
when submitting an inconsistent matrix, revises and submits; another expert's invitation does not exist for it."""

from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, log_in, page, site

pytestmark = BROWSER_TEST

INCONSISTENT = ("9", "1/9", "9", "9", "1/9", "9")  # CR ≈ 3.6 over the four dimensions


def _consultation():
    """A consultation on a copy of the competitiveness scheme (a code of its own), inviting zhuanjia and one more."""
    from jiqun.accounts.services import user_create
    from jiqun.evaluation.ahp_services import consultation_open
    from jiqun.evaluation.models import Scheme
    from jiqun.evaluation.scheme_edit import scheme_copy
    from jiqun.recognition.models import Expert
    from jiqun.recognition.services.experts import expert_create

    scheme = scheme_copy(actor=None, scheme=Scheme.objects.get(code="sd-2023-185-competitiveness", version=1),
                         code="browser-ahp")
    first = Expert.objects.get(user__username="zhuanjia")
    account = user_create(actor=None, username="browser_expert", password="Jiqun@2026browser", role="expert",
                          region=first.user.region)
    second = expert_create(actor=None, name="浏览器专家", field="测试", organisation="测试", user=account)
    consultation = consultation_open(actor=None, scheme=scheme, experts=[first, second])
    return consultation.invitations.get(expert=first), consultation.invitations.get(expert=second)


def test_the_expert_enters_its_pairwise_judgements(site, page):
    SHOTS.mkdir(exist_ok=True)
    mine, theirs = _consultation()
    log_in(page, site, "zhuanjia")
    page.click("nav.mainnav >> text=权重征询")
    page.click(f"a[href='/evaluation/ahp/invitations/{mine.pk}/']")
    assert "集群综合竞争力评价" in page.inner_text("h1")
    assert page.locator("section[data-matrix]").count() == 4  # the dimensions, and three with ≥ 2 indicators
    for select in page.locator("#judgements select").all():
        select.select_option("1")
    for n, (i, j) in enumerate([(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]):
        page.select_option(f"#id_D_{i}_{j}", INCONSISTENT[n])
    page.click("button[name=save]")
    page.wait_for_selector(".messages")
    assert "CR = " in page.inner_text("section[data-matrix=D] .cr")
    assert page.locator("section[data-matrix=D] .tag.warn").count() == 1  # red: above 0.10
    assert page.locator("section[data-matrix=D1] .tag.policy").inner_text() == "CR = 0.000"
    page.screenshot(path=str(SHOTS / "ahp-inconsistent.png"), full_page=True)

    page.click("#submit")
    page.wait_for_selector(".messages li.error")
    assert "维度之间" in page.inner_text(".messages li.error")
    assert page.inner_text("#status") == "填写中"

    page.select_option("#id_D_0_1", "2")
    page.select_option("#id_D_0_2", "4")
    page.select_option("#id_D_0_3", "2")
    page.select_option("#id_D_1_2", "2")
    page.select_option("#id_D_1_3", "1")
    page.select_option("#id_D_2_3", "1/2")
    page.click("#submit")
    page.wait_for_selector("text=判断已提交")
    assert page.inner_text("#status") == "已提交"
    assert page.locator("section[data-matrix=D] .tag.warn").count() == 0
    assert page.locator("#judgements select").count() == 0  # submitted: read only
    page.screenshot(path=str(SHOTS / "ahp-submitted.png"), full_page=True)

    response = page.goto(f"{site}/evaluation/ahp/invitations/{theirs.pk}/")
    assert response.status == 404
