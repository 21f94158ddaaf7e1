"""A background job in a real browser: the quarterly report button queues it, the job page polls (tasks.js) and
offers the download once the worker has run it."""

from jiqun.core.models import BackgroundJob
from jiqun.core.tasks import run_job
from jiqun.core.tests.browser import BROWSER_TEST, browser, log_in, page, site  # noqa: F401
from jiqun.monitoring.models import ReportingPeriod

pytestmark = BROWSER_TEST


def test_the_job_page_follows_the_worker_and_offers_the_file(site, page, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    period = ReportingPeriod.objects.filter(programme__code="JN-2020-231").order_by("-year", "-quarter").first()
    log_in(page, site, "jining")
    page.goto(f"{site}/monitoring/periods/{period.pk}/")
    page.click("a.report-download >> text=季度分析报告（Word）")
    page.click("#task-start button")
    page.wait_for_url(f"{site}/tasks/*/")
    assert page.inner_text("#task-status") == "排队中" and page.is_hidden("#task-download")
    job = BackgroundJob.objects.get(pk=page.url.rstrip("/").rsplit("/", 1)[1])
    run_job(str(job.pk))  # what db_worker does with the queued task
    page.wait_for_selector("#task-download", state="visible", timeout=15000)
    assert page.inner_text("#task-status") == "已完成" and page.inner_text("#task-progress") == "100"
    with page.expect_download() as download:
        page.click("#task-download")
    assert download.value.suggested_filename.endswith(".docx")
