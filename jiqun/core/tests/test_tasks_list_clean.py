"""A user's past background jobs (/tasks/), the clean-up of their files after JIQUN_TASK_KEEP_DAYS (`jiqun tasks
clean`, and the worker once a day), and a worker that stops quietly: it finishes the job in hand, and a job it is
forced to leave is marked failed instead of staying 生成中."""

import datetime
import os
import subprocess
import sys

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jiqun.accounts.models import User
from jiqun.audit.models import AuditAction, AuditEvent
from jiqun.conftest import client_for
from jiqun.core.management.commands.serve import Worker, stop_worker
from jiqun.core.management.commands.tasks import QuietWorker
from jiqun.core.models import BackgroundJob, JobKind, JobStatus
from jiqun.core.services import (
    background_job_clean,
    background_job_clean_if_due,
    background_job_fail,
    background_job_finish,
    background_job_start,
)

pytestmark = pytest.mark.django_db
QUARTERLY = {"programme": "JN-2020-231", "year": "2024", "quarter": "4", "language": "zh-hans"}


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def _done(user: User, title: str, *, days_ago: float = 0, params: dict | None = None) -> BackgroundJob:
    job = background_job_start(actor=user, kind=JobKind.QUARTERLY, title=title, params=params or QUARTERLY)
    background_job_finish(job=job, content=b"PK" + title.encode(), file_name=f"{title}.docx", content_type="x/y")
    if days_ago:
        BackgroundJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(days=days_ago))
    return job


def _aged(path, days: float) -> None:
    stamp = (timezone.now() - datetime.timedelta(days=days)).timestamp()
    os.utime(path, (stamp, stamp))


def test_my_tasks_lists_my_jobs_only_newest_first_with_file_progress_and_error():
    jining, jinan, sheng = (User.objects.get(username=u) for u in ("jining", "jinan", "sheng"))
    older = _done(jining, "较早的报告")
    BackgroundJob.objects.filter(pk=older.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    failed = background_job_start(actor=jining, kind=JobKind.TEMPLATE, title="失败的模板", params={"period": 0})
    background_job_fail(job=failed, message="本报告期没有您可以填报的报表")
    queued = background_job_start(actor=jining, kind=JobKind.QUARTERLY, title="排队的报告", params=QUARTERLY)
    _done(jinan, "济南的报告")
    _done(sheng, "省里的报告")

    page = client_for(jining).get("/tasks/")
    assert page.status_code == 200
    text = page.text
    assert "济南的报告" not in text and "省里的报告" not in text
    assert text.index("排队的报告") < text.index("失败的模板") < text.index("较早的报告")  # newest first
    assert f'href="/tasks/{older.pk}/download"' in text and f'href="/tasks/{queued.pk}/"' in text
    assert "本报告期没有您可以填报的报表" in text and "排队中 · 0%" in text
    # the province admin sees its own jobs only, like everyone (a job's file is its owner's download)
    assert "较早的报告" not in client_for(sheng).get("/tasks/").text
    # the menu and the job page lead there
    assert '<a href="/tasks/">← 我的后台任务</a>' in client_for(jining).get(f"/tasks/{queued.pk}/").text
    assert 'id="my-tasks"' in client_for(jinan).get("/").text


def test_my_tasks_pages_twenty_at_a_time():
    jining = User.objects.get(username="jining")
    for n in range(21):
        background_job_start(actor=jining, kind=JobKind.QUARTERLY, title=f"报告{n:02d}", params=QUARTERLY)
    client = client_for(jining)
    first, second = client.get("/tasks/").text, client.get("/tasks/?page=2").text
    assert first.count('<tr id="job-') == 20 and second.count('<tr id="job-') == 1
    assert "第 1/2 页，共 21 条" in first and "page=2" in first


def test_clean_deletes_old_files_marks_their_jobs_expired_and_offers_to_run_again(var_dir):
    jining = User.objects.get(username="jining")
    old, recent = _done(jining, "旧报告", days_ago=8), _done(jining, "新报告", days_ago=6)
    old_file, recent_file = var_dir / "tasks" / old.file_token, var_dir / "tasks" / recent.file_token
    stray_old, stray_new = var_dir / "tasks" / ("a" * 32), var_dir / "tasks" / ("b" * 32)  # files no job names
    stray_old.write_bytes(b"old"), stray_new.write_bytes(b"new")
    _aged(stray_old, 8)

    call_command("tasks", "clean", "--dry-run")
    assert old_file.is_file() and stray_old.is_file()
    assert BackgroundJob.objects.get(pk=old.pk).status == JobStatus.DONE

    events = AuditEvent.objects.count()
    call_command("tasks", "clean")
    old.refresh_from_db(), recent.refresh_from_db()
    assert (old.status, old.file_token, recent.status) == (JobStatus.EXPIRED, "", JobStatus.DONE)
    assert not old_file.exists() and not stray_old.exists() and recent_file.is_file() and stray_new.is_file()
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == AuditAction.DELETE and event.after["jobs"] == [str(old.pk)]

    client = client_for(jining)
    page = client.get(f"/tasks/{old.pk}/").text
    assert "文件已超过保存期限" in page and "/tasks/quarterly/?programme=JN-2020-231&amp;year=2024&amp;quarter=4" in page
    assert "language" not in page.split("task-expired", 1)[1].split("</p>", 1)[0]
    assert client.get(f"/tasks/{old.pk}/download").status_code == 404
    assert "文件已超过保存期限" in client.get("/tasks/").text
    assert client.get(f"/tasks/{old.pk}/status").json()["finished"]

    call_command("tasks", "clean", "--older-than", "0")  # everything finished goes
    recent.refresh_from_db()
    assert recent.status == JobStatus.EXPIRED and not recent_file.exists() and stray_new.is_file()  # under an hour


def test_an_expired_template_is_made_again_through_its_periods_form():
    jining = User.objects.get(username="jining")
    job = _done(jining, "模板", days_ago=30, params={"period": 7, "language": "zh-hans"})
    BackgroundJob.objects.filter(pk=job.pk).update(kind=JobKind.TEMPLATE)
    background_job_clean(older_than_days=7)
    page = client_for(jining).get(f"/tasks/{job.pk}/").text
    assert 'action="/tasks/template/7/"' in page and "重新生成" in page


@pytest.mark.parametrize("value", ["-3", "abc", "1.5", "７"])
def test_a_bad_older_than_is_named_and_changes_nothing(value):
    job = _done(User.objects.get(username="jining"), "旧报告", days_ago=30)
    with pytest.raises(CommandError, match="--older-than"):
        call_command("tasks", "clean", "--older-than", value)
    assert BackgroundJob.objects.get(pk=job.pk).status == JobStatus.DONE


def test_only_the_system_cleans_and_at_most_once_a_day():
    jining = User.objects.get(username="jining")
    job = _done(jining, "旧报告", days_ago=30)
    with pytest.raises(PermissionDenied):
        background_job_clean(actor=jining, older_than_days=7)
    assert BackgroundJob.objects.get(pk=job.pk).status == JobStatus.DONE
    first = background_job_clean_if_due()
    assert first is not None and first.jobs == [str(job.pk)]
    assert background_job_clean_if_due() is None


def test_a_second_stop_signal_lets_the_job_in_hand_finish():
    worker = QuietWorker(queue_names=["default"], interval=0, batch=False, backend_name="default",
                         startup_delay=False, max_tasks=None, worker_id="quiet", excluded_queue_names=[])
    worker.running_task = True
    worker.shutdown(15, None)
    worker.shutdown(2, None)  # no SystemExit inside the job
    assert not worker.running
    worker.running_task = False
    with pytest.raises(SystemExit) as stopped:
        worker.shutdown(15, None)
    assert stopped.value.code == 0


def test_a_worker_killed_after_its_grace_time_fails_the_job_it_had_in_hand():
    job = background_job_start(actor=User.objects.get(username="jining"), kind=JobKind.QUARTERLY, title="报告",
                               params=QUARTERLY)
    DBTaskResult.objects.get(pk=job.task_id).claim("serve-test")
    stubborn = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, "
                                 "signal.SIG_IGN); print(flush=True); time.sleep(60)"], stdout=subprocess.PIPE)
    stubborn.stdout.readline()  # its SIGTERM handler is in place
    stop_worker(Worker(stubborn, "serve-test"), grace=0.1)
    assert stubborn.poll() is not None
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "中断" in job.error
