"""The comparison page as a city officer meets it, in Debian's headless Chromium: three Jining clusters on two
indicators give a table and drawn charts; the comparison is saved, and opened again from the list after a
reload."""

from jiqun.clusters.models import Cluster
from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, log_in, page, site  # noqa: F401
from jiqun.dashboards.models import SavedComparison

pytestmark = BROWSER_TEST

NAME = "浏览器测试对比"


def test_city_officer_compares_saves_and_reopens(site, page):  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    clusters = list(Cluster.objects.filter(programme__code="JN-2020-231", regions__code__startswith="3708")
                    .distinct().order_by("pk").values_list("pk", flat=True)[:3])
    log_in(page, site, "jining")
    # The programme is chosen first (the page lists that programme's subjects; another one needs 查询 to refresh).
    page.goto(f"{site}/dashboards/compare/?programme=JN-2020-231")
    for pk in clusters:
        page.check(f"#compare-subjects input[value='{pk}']")
    for code in ("revenue", "employees"):
        page.check(f"#compare-indicators input[value='{code}']")
    page.click("#compare-submit")
    page.wait_for_selector("#compare-table")
    assert page.locator("#compare-table tr[data-subject]").count() == 3
    page.wait_for_selector("#chart-ind-1 canvas")
    page.wait_for_selector("#chart-ind-2 canvas")
    page.screenshot(path=str(SHOTS / "compare.png"), full_page=True)

    page.fill("#id_name", NAME)
    page.click("#compare-save-submit")
    page.wait_for_selector("#compare-table")
    saved = SavedComparison.objects.get(owner__username="jining", name=NAME)
    # a browser sends the boxes in the order of the list
    assert sorted(saved.subjects) == sorted(str(pk) for pk in clusters)
    assert sorted(saved.indicators) == ["employees", "revenue"]

    page.goto(f"{site}/dashboards/compare/")
    assert page.locator("#compare-table").count() == 0
    page.click(f"#compare-saved tr[data-saved='{saved.pk}'] a")
    page.wait_for_selector("#compare-table")
    assert page.locator("#compare-table tr[data-subject]").count() == 3
    page.wait_for_selector("#chart-ind-1 canvas")
    assert page.locator("#compare-indicators input[value='employees']").is_checked()
    assert not errors, errors
