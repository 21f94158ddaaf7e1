"""The county 考核 as Jining's officer and 任城区's officer meet it, in Debian's headless Chromium: the ranking of
the counties with the 加分 column, the explanation of 任城区 with its bonus claim, the radar chart drawn offline
under the CSP, and the county seeing its own row only."""

from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, log_in, page, site
from jiqun.core.tests.test_browser_csp import offline_page
from jiqun.evaluation.models import Run

pytestmark = BROWSER_TEST


def test_the_city_and_the_county_read_the_county_ranking(site, page):
    SHOTS.mkdir(exist_ok=True)
    outside, refused = offline_page(page, site)
    run = Run.objects.get(scheme__code="jn-2020-231-county-kaohe", year=2025)
    mine = run.rows.get(region_id="370811")
    log_in(page, site, "jining")
    page.goto(f"{site}/evaluation/runs/{run.pk}/")
    page.wait_for_selector("#ranking-chart canvas")
    assert page.locator("#ranking tr[data-subject]").count() == run.rows.exclude(rank=None).count()
    assert page.inner_text("#ranking tr[data-subject='370811'] td.bonus") == f"{mine.bonus:.2f}"
    assert "泗水县" in page.inner_text("#excluded")
    page.screenshot(path=str(SHOTS / "evaluation-regions-ranking.png"), full_page=True)

    page.click("#ranking a[href$='?region=370811']")
    page.wait_for_selector("#radar-chart canvas")
    assert "任城区" in page.inner_text("h1") and page.inner_text("#rank") == str(mine.rank)
    assert "演示-2025-001" in page.inner_text("#bonus tr[data-item=chain-building]")
    assert page.inner_text("#final") == f"{mine.score:.2f}"
    page.screenshot(path=str(SHOTS / "evaluation-regions-explain.png"), full_page=True)

    page.context.clear_cookies()
    log_in(page, site, "rencheng")
    page.goto(f"{site}/evaluation/runs/{run.pk}/")
    page.wait_for_selector("#ranking-chart canvas")
    assert page.locator("#ranking tr[data-subject]").count() == 1
    assert page.inner_text("#ranking tr[data-subject='370811'] td.num") == str(mine.rank)
    assert outside == [] and refused == []


def test_the_province_and_a_county_read_the_project_observation_ranking(site, page):
    """The 观摩评比 of new cluster projects: project names link to the projects, the explanation shows why a project
    is evaluated and its on-site score; 任城区's officer sees its own project only."""
    outside, refused = offline_page(page, site)
    run = Run.objects.get(scheme__code="jn-2020-231-guanmo", year=2026)
    rows = run.rows.select_related("project").exclude(rank=None)
    best = rows.order_by("rank").first()
    log_in(page, site, "sheng")
    page.goto(f"{site}/evaluation/runs/{run.pk}/")
    page.wait_for_selector("#ranking-chart canvas")
    assert page.locator("#ranking tr[data-subject]").count() == rows.count()
    link = page.locator(f"#ranking tr[data-subject='{best.project_id}'] a[href$='/projects/{best.project_id}/']")
    assert link.inner_text() == best.project.name
    assert "参评项目" in page.inner_text("#project-rule")
    page.screenshot(path=str(SHOTS / "evaluation-projects-ranking.png"), full_page=True)

    page.click(f"#ranking a[href$='?project={best.project_id}']")
    page.wait_for_selector("#radar-chart canvas")
    assert best.project.name in page.inner_text("h1") and page.inner_text("#rank") == "1"
    assert best.project.code in page.inner_text("#project-basis")
    assert "人打分" in page.inner_text("#lines tr[data-indicator=project_onsite_score]")
    page.screenshot(path=str(SHOTS / "evaluation-projects-explain.png"), full_page=True)

    page.context.clear_cookies()
    log_in(page, site, "rencheng")
    page.goto(f"{site}/evaluation/runs/{run.pk}/")
    page.wait_for_selector("#ranking-chart canvas")
    mine = [r for r in rows if r.project.region_id == "370811"]
    assert page.locator("#ranking tr[data-subject]").count() == len(mine) == 1
    assert outside == [] and refused == []
