"""Background jobs: start one for the user (the check of its parameters first, so bad input changes nothing),
record its progress and its end (the worker calls these), and hand its file to its owner."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.models import BackgroundJob, JobStatus


def job_dir() -> Path:
    path = Path(settings.VAR_DIR) / "tasks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_file(job: BackgroundJob) -> Path | None:
    """The job's result file, when it has one on disk."""
    if job.status != JobStatus.DONE or not job.file_token.isalnum():
        return None
    path = job_dir() / job.file_token
    return path if path.is_file() else None


@transaction.atomic
def background_job_start(*, actor, kind: str, params: dict, title: str) -> BackgroundJob:
    """Record a job for `actor` and put it in the worker's queue. The caller has checked `params` (a report's
    builders.parse, a period in the user's view); the worker checks them again when it runs."""
    from jiqun.core.tasks import run_background_job

    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("请先登录"))
    job = BackgroundJob(owner=actor, kind=kind, params=params, title=title[:200])
    job.full_clean()
    job.save()
    result = run_background_job.enqueue(str(job.pk))
    BackgroundJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()  # the immediate backend (tests) has run it already
    audit_record(actor=actor, action=AuditAction.CREATE, obj=job,
                 object_repr=f"{_('后台任务')} {job.get_kind_display()} {title}"[:200])
    return job


def background_job_progress(*, job: BackgroundJob, progress: int, status: str = JobStatus.RUNNING) -> None:
    """The worker's progress figure (0–100); bookkeeping of the system, not audited."""
    job.progress, job.status = max(0, min(100, int(progress))), status
    BackgroundJob.objects.filter(pk=job.pk).update(progress=job.progress, status=job.status)


def background_job_finish(*, job: BackgroundJob, content: bytes, file_name: str, content_type: str) -> None:
    """Write the result under VAR_DIR/tasks/ with a random name and mark the job done."""
    token = uuid.uuid4().hex
    (job_dir() / token).write_bytes(content)
    job.file_token, job.file_name, job.content_type = token, file_name[:255], content_type
    job.status, job.progress, job.finished_at = JobStatus.DONE, 100, timezone.now()
    job.save(update_fields=["file_token", "file_name", "content_type", "status", "progress", "finished_at"])


def background_job_fail(*, job: BackgroundJob, message: str) -> None:
    job.status, job.error, job.finished_at = JobStatus.FAILED, message, timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])


def background_job_download(*, actor, job: BackgroundJob) -> Path:
    """The file of a finished job for its owner; audited as an export."""
    if job.owner_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只有发起人可以下载"))
    path = job_file(job)
    if path is None:
        raise FileNotFoundError(job.pk)
    audit_record(actor=actor, action=AuditAction.EXPORT, obj=job, object_repr=f"{job.title}（{_('后台任务')}）"[:200])
    return path

