"""Background jobs: start one for the user (the check of its parameters first, so bad input changes nothing),
record its progress and its end (the worker calls these), hand its file to its owner, and clean up the files
kept longer than JIQUN_TASK_KEEP_DAYS (`jiqun tasks clean`, and the worker once a day)."""

import datetime
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
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



@dataclass
class JobClean:
    """What a clean-up deleted (or, in a dry run, would delete)."""

    older_than_days: int
    jobs: list[str] = field(default_factory=list)  # ids of the jobs whose file is no longer kept
    files: list[Path] = field(default_factory=list)  # files deleted: those of the jobs, and files no job names
    dry_run: bool = False
    size: int = 0  # bytes of the files


# A file no job names yet may be one the worker is writing: left alone for at least this long whatever the age asked.
ORPHAN_GRACE = datetime.timedelta(hours=1)


def background_job_clean(*, actor=None, older_than_days: int, dry_run: bool = False) -> JobClean:
    """Delete the result files of the jobs finished more than `older_than_days` days ago, mark those jobs expired
    (their page then says the file is no longer kept), and delete files under VAR_DIR/tasks/ that no job names and
    that are as old. The system's work (the command line, the worker): no user may call it. One audit entry."""
    if actor is not None:
        raise PermissionDenied(_("后台任务文件由系统清理（jiqun tasks clean 或后台进程），不能由用户发起"))
    if isinstance(older_than_days, bool) or not isinstance(older_than_days, int) or older_than_days < 0:
        raise ValidationError({"older_than_days": [_("保存天数应为不小于 0 的整数，收到“%(value)s”") % {
            "value": str(older_than_days)[:20]}]})
    now = timezone.now()
    cutoff = now - datetime.timedelta(days=older_than_days)
    folder = job_dir()
    with transaction.atomic():
        old = BackgroundJob.objects.select_for_update().filter(status=JobStatus.DONE, finished_at__lt=cutoff)
        expiring = dict(old.values_list("pk", "file_token"))
        named = set(BackgroundJob.objects.exclude(file_token="").exclude(pk__in=list(expiring))
                    .values_list("file_token", flat=True))
        orphan_before = min(cutoff, now - ORPHAN_GRACE).timestamp()
        files = [folder / token for token in expiring.values() if token.isalnum() and (folder / token).is_file()]
        files += [path for path in sorted(folder.iterdir()) if not path.name.startswith(".") and path.is_file()
                  and path.name not in named and path.name not in expiring.values()
                  and path.stat().st_mtime < orphan_before]
        result = JobClean(older_than_days=older_than_days, jobs=[str(pk) for pk in expiring], files=files,
                          dry_run=dry_run, size=sum(path.stat().st_size for path in files))
        if dry_run or not (result.jobs or result.files):
            return result
        BackgroundJob.objects.filter(pk__in=list(expiring)).update(status=JobStatus.EXPIRED, file_token="")
        audit_record(actor=None, action=AuditAction.DELETE, object_type=BackgroundJob._meta.label_lower,
                     object_repr=_("清理后台任务结果文件：%(files)d 个文件，%(jobs)d 个任务（保存 %(days)d 天）") % {
                         "files": len(files), "jobs": len(result.jobs), "days": older_than_days},
                     after={"jobs": result.jobs, "files": [path.name for path in files],
                            "older_than_days": older_than_days})
        # Last, inside the transaction: a file that cannot be deleted undoes the whole clean-up.
        for path in files:
            path.unlink(missing_ok=True)
    return result


def background_job_clean_if_due() -> JobClean | None:
    """The daily clean-up with JIQUN_TASK_KEEP_DAYS: at most once a calendar day per VAR_DIR, by whichever worker
    asks first (a marker file created exclusively, so two workers cannot both run it); None when done already."""
    folder = job_dir()
    marker = folder / f".cleaned-{timezone.localdate().isoformat()}"
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return None
    for old in folder.glob(".cleaned-*"):
        if old != marker:
            old.unlink(missing_ok=True)
    return background_job_clean(older_than_days=settings.JIQUN_TASK_KEEP_DAYS)


def background_job_interrupt(*, worker_id: str) -> list[str]:
    """Fail the jobs a worker had in hand when it was stopped by force (`jiqun serve` killing it after its grace
    time): their page then says so, in the owner's language, instead of staying 生成中. Bookkeeping of the system
    like the worker's own progress, not audited."""
    from django.utils.translation import override
    from django_tasks_db.models import DBTaskResult

    running = DBTaskResult.objects.filter(status="RUNNING").values_list("pk", "worker_ids")
    task_ids = [str(pk) for pk, workers in running if worker_id in (workers or [])]
    failed = []
    for job in BackgroundJob.objects.filter(task_id__in=task_ids, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]):
        with override((job.params or {}).get("language") or settings.LANGUAGE_CODE):
            message = _("服务停止时任务被中断，未生成文件，请重新发起")
        background_job_fail(job=job, message=message)
        failed.append(str(job.pk))
    return failed
