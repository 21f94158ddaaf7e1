"""The expert scoring page in a real browser: zhuanjia opens its assignment, scores every aspect, and sees
its weighted score; another expert's assignment does not exist for it."""

from jiqun.core.tests.browser import BROWSER_TEST, browser, log_in, page, site

pytestmark = BROWSER_TEST

ASPECTS = ("basis", "approach", "goals", "tasks", "measures", "safeguards")


def test_the_expert_scores_its_assignment(site, page):
    from jiqun.recognition.models import Assignment

    mine = (Assignment.objects.filter(expert__user__username="zhuanjia", submitted_at__isnull=True)
            .select_related("application__cluster").order_by("-pk").first())
    other = Assignment.objects.exclude(expert__user__username="zhuanjia").order_by("pk").first()
    log_in(page, site, "zhuanjia")
    page.goto(f"{site}/recognition/assignments/")
    page.click(f"a[href='/recognition/assignments/{mine.pk}/']")
    assert mine.application.cluster.name in page.inner_text("h1")
    assert "发展基础" in page.inner_text("#score-form")
    for aspect in ASPECTS:
        page.fill(f"#id_score_{aspect}", "88")
    page.fill("#id_comment_basis", "基础扎实，龙头带动明显")
    page.fill("#id_score_goals", "101")
    page.click("button[type=submit]")
    assert "100" in page.inner_text("#score-form")  # refused on the page: at most 100
    page.fill("#id_score_goals", "88")
    page.click("button[type=submit]")
    page.wait_for_selector("#total")
    assert page.inner_text("#total") == "88.00"
    assert page.input_value("#id_comment_basis") == "基础扎实，龙头带动明显"
    response = page.goto(f"{site}/recognition/assignments/{other.pk}/")
    assert response.status == 404
