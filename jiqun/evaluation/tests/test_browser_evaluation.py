"""“Why this score” as the province's leader meets it, in Debian's headless Chromium: the ranking chart, the
switch to another cluster, the radar chart drawn offline under the CSP, and each indicator's contribution."""

from jiqun.core.tests.browser import BROWSER_TEST, SHOTS, browser, log_in, page, site
from jiqun.core.tests.test_browser_csp import offline_page
from jiqun.evaluation.models import Run

pytestmark = BROWSER_TEST


def test_the_leader_reads_why_a_cluster_has_its_score(site, page):
    SHOTS.mkdir(exist_ok=True)
    outside, refused = offline_page(page, site)
    run = Run.objects.get(scheme__code="sd-2023-185-competitiveness", year=2025)
    second = run.rows.get(rank=2)
    log_in(page, site, "lingdao")
    page.goto(f"{site}/evaluation/runs/{run.pk}/")
    page.wait_for_selector("#ranking-chart canvas")
    assert page.locator("#ranking tr").count() == run.rows.exclude(rank=None).count() + 1
    page.screenshot(path=str(SHOTS / "evaluation-ranking.png"), full_page=True)

    page.click(f"#ranking a[href$='?cluster={second.cluster_id}']")
    page.wait_for_selector("#radar-chart canvas")
    assert second.cluster.name in page.inner_text("h1")
    assert page.inner_text("#rank") == "2" and page.inner_text("#interval") == f"{second.rank_min}–{second.rank_max}"
    assert page.locator("#lines tr[data-indicator]").count() == 10
    contributions = page.locator("#lines td.contribution").all_inner_texts()
    assert abs(sum(float(x) for x in contributions) - float(second.score)) < 0.01
    assert page.inner_text("#total") == f"{second.score:.2f}"
    assert "高新技术产业产值占比达到45%" in page.inner_text("#lines tr[data-indicator=hightech_output_share]")

    # The select switches cluster without an inline handler (the CSP forbids them).
    first = run.rows.get(rank=1)
    page.select_option("select[name=cluster]", str(first.cluster_id))
    page.wait_for_url(f"**cluster={first.cluster_id}")
    page.wait_for_selector("#radar-chart canvas")
    assert page.inner_text("#rank") == "1"
    page.screenshot(path=str(SHOTS / "evaluation-explain.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#export")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert outside == [] and refused == []
