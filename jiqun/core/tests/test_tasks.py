"""Long work started from a page runs as a background job (django-tasks, database backend): the quarterly report
and a large statistical template are queued, the worker runs them, the job page shows status and progress to
its owner only and hands over the file; a failure shows its Chinese message; bad parameters queue nothing."""

import re

import pytest
from django.test import override_settings
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from jiqun.accounts.models import User
from jiqun.audit.models import AuditAction, AuditEvent
from jiqun.conftest import client_for
from jiqun.core.models import BackgroundJob, JobKind, JobStatus
from jiqun.core.services import background_job_start
from jiqun.monitoring.models import Report, ReportingPeriod, ReportStatus

pytestmark = pytest.mark.django_db
JOB_URL = re.compile(r"^/tasks/([0-9a-f-]{36})/$")
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def _worker_pass() -> int:
    """What `manage.py db_worker --batch` does, in this test's transaction: run every queued task once."""
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test", excluded_queue_names=[])
    ran = 0
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.claim("test")
        worker.run_task(result)
        ran += 1
    return ran


def _period() -> ReportingPeriod:
    return ReportingPeriod.objects.filter(programme__code="JN-2020-231").order_by("-year", "-quarter").first()


def _job(response) -> BackgroundJob:
    assert response.status_code == 302, response.content[:300]
    match = JOB_URL.match(response["Location"])
    assert match, response["Location"]
    return BackgroundJob.objects.get(pk=match.group(1))


def test_quarterly_report_is_queued_run_by_the_worker_and_downloaded_by_its_owner_only():
    jining, jinan = User.objects.get(username="jining"), User.objects.get(username="jinan")
    period, client = _period(), client_for(jining)
    params = {"programme": "JN-2020-231", "year": str(period.year), "quarter": str(period.quarter)}
    asked = client.get("/tasks/quarterly/", params)
    assert asked.status_code == 200 and "开始生成" in asked.text
    job = _job(client.post("/tasks/quarterly/", params))
    assert (job.owner, job.kind, job.status, job.progress) == (jining, JobKind.QUARTERLY, JobStatus.QUEUED, 0)
    page = client.get(f"/tasks/{job.pk}/")
    assert page.status_code == 200 and "排队中" in page.text and "jiqun/tasks.js" in page.text

    assert _worker_pass() == 1
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == (JobStatus.DONE, 100, "")
    state = client.get(f"/tasks/{job.pk}/status").json()
    assert state["finished"] and state["progress"] == 100 and state["download"] == f"/tasks/{job.pk}/download"
    download = client.get(state["download"])
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    assert "attachment" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(job.pk), actor=jining).exists()
    other = client_for(jinan)
    for suffix in ("", "status", "download"):
        assert other.get(f"/tasks/{job.pk}/{suffix}").status_code == 404


def test_bad_parameters_are_named_and_queue_nothing():
    client = client_for(User.objects.get(username="jining"))
    before = BackgroundJob.objects.count(), DBTaskResult.objects.count()
    for method in (client.get, client.post):
        response = method("/tasks/quarterly/", {"programme": "JN-2020-231", "year": "二〇二五", "quarter": "9"})
        assert response.status_code == 400 and "year" in response.text
    assert (BackgroundJob.objects.count(), DBTaskResult.objects.count()) == before
    assert client.get("/tasks/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_job_keeps_only_the_reports_parameters_and_refuses_an_unknown_format():
    period, client = _period(), client_for(User.objects.get(username="jining"))
    params = {"programme": "JN-2020-231", "year": str(period.year), "quarter": str(period.quarter)}
    before = BackgroundJob.objects.count()
    refused = client.post("/tasks/quarterly/", {**params, "format": "exe"})
    assert refused.status_code == 400 and "format" in refused.text and BackgroundJob.objects.count() == before
    job = _job(client.post("/tasks/quarterly/", {**params, 'x"><script>': "1"}))
    assert set(job.params) == {*params, "language"}


@override_settings(TASKS=IMMEDIATE)
def test_a_failed_job_shows_its_message_in_chinese():
    expert = User.objects.get(username="zhuanjia")  # fills no report: the template has nothing in it
    job = background_job_start(actor=expert, kind=JobKind.TEMPLATE, title="模板", params={"period": _period().pk})
    assert job.status == JobStatus.FAILED and "没有您可以填报的报表" in job.error
    page = client_for(expert).get(f"/tasks/{job.pk}/")
    assert "失败" in page.text and "没有您可以填报的报表" in page.text
    assert client_for(expert).get(f"/tasks/{job.pk}/download").status_code == 404


def test_the_period_page_sends_a_large_scope_template_to_a_job(settings):
    open_reports = Report.objects.filter(status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED])
    from jiqun.monitoring.permissions import can_fill_report

    filler, report = next((user, report) for user in User.objects.filter(username__in=["sheng", "jining", "qiye"])
                          for report in open_reports.for_user(user).order_by("-period__year", "-period__quarter")
                          if can_fill_report(user, report))
    period, client = report.period, client_for(filler)  # a period with reports left to fill
    assert f"/monitoring/periods/{period.pk}/template.xlsx" in client.get(f"/monitoring/periods/{period.pk}/").text
    settings.JIQUN_TASK_THRESHOLD_ROWS = 0
    page = client.get(f"/monitoring/periods/{period.pk}/").text
    assert f'action="/tasks/template/{period.pk}/"' in page and "template.xlsx" not in page
    job = _job(client.post(f"/tasks/template/{period.pk}/"))
    assert job.kind == JobKind.TEMPLATE and _worker_pass() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.file_name.endswith(".xlsx"), job.error
    assert client.get(f"/tasks/{job.pk}/download").status_code == 200
    # a role that fills nothing is sent back with the message and no job
    expert = client_for(User.objects.get(username="zhuanjia"))
    assert expert.post(f"/tasks/template/{period.pk}/").status_code == 302
    assert not BackgroundJob.objects.filter(owner__username="zhuanjia").exists()
