"""The work a page hands to the django-tasks worker (`manage.py db_worker`, started by `jiqun serve`): each task
takes ids only, re-reads what it needs as the user who asked, writes its file under VAR_DIR/tasks/ and its
progress on the BackgroundJob the page polls. A failure is kept as a Chinese message for the page."""

import logging

from django.utils.translation import gettext as _
from django.utils.translation import override

from jiqun.core.models import BackgroundJob, JobKind, JobStatus
from jiqun.core.services import (
    background_job_clean_if_due,
    background_job_fail,
    background_job_finish,
    background_job_progress,
)

try:  # Django 6 has the tasks framework built in; 5.2 has its backport
    from django.tasks import task
except ImportError:  # pragma: no cover - Django 5.2
    from django_tasks import task

logger = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class JobRefused(Exception):
    """The work cannot be done for a reason the user is told in words."""


def _quarterly(job: BackgroundJob) -> tuple[bytes, str, str]:
    from jiqun.reports.builders import BadParameters, NotFound
    from jiqun.reports.services import report_produce

    try:
        params = {k: v for k, v in job.params.items() if k != "language"}
        produced = report_produce(actor=job.owner, kind=JobKind.QUARTERLY, params=params)
    except BadParameters as exc:
        raise JobRefused("；".join(str(v) for v in exc.errors.values())) from exc
    except NotFound as exc:
        raise JobRefused(str(exc) or _("所选范围不存在或不在您的权限范围内")) from exc
    return produced.content, produced.filename, produced.content_type


def _template(job: BackgroundJob) -> tuple[bytes, str, str]:
    from jiqun.audit.models import AuditAction
    from jiqun.audit.services import audit_record
    from jiqun.monitoring.excel import build_template
    from jiqun.monitoring.models import ReportingPeriod
    from jiqun.monitoring.selectors import template_rows

    user = job.owner
    period = ReportingPeriod.objects.select_related("programme").filter(pk=job.params.get("period")).first()
    if period is None:
        raise JobRefused(_("报告期不存在"))
    rows = template_rows(user, period)
    if not rows:
        raise JobRefused(_("本报告期没有您可以填报的报表（都已提交，或不在您的范围内）"))
    background_job_progress(job=job, progress=50)
    content = build_template(period=period, indicators=list(period.indicators.order_by("code")), rows=rows,
                             unit_name=user.organisation or user.get_full_name() or user.username)
    audit_record(actor=user, action=AuditAction.EXPORT, obj=period, object_repr=f"统计季报模板 {period.official_label}")
    return content, f"统计季报-{period.official_name}.xlsx", XLSX


WORK = {JobKind.QUARTERLY: _quarterly, JobKind.TEMPLATE: _template}


def run_job(job_id: str) -> str:
    """Do the job's work now (the task's body, also what a test calls), then the daily clean-up if it is due."""
    job = BackgroundJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.finished:
        return "missing" if job is None else job.status
    try:
        return _run(job)
    finally:
        _clean_if_due()


def _clean_if_due() -> None:
    """Old result files go once a day, after a job: a failed clean-up is logged, never the job's failure."""
    try:
        background_job_clean_if_due()
    except Exception:
        logger.exception("the daily clean-up of background job files failed")


def _run(job: BackgroundJob) -> str:
    language = (job.params or {}).get("language") or "zh-hans"
    with override(language):
        background_job_progress(job=job, progress=5)
        try:
            content, file_name, content_type = WORK[job.kind](job)
        except JobRefused as exc:
            background_job_fail(job=job, message=str(exc))
            return JobStatus.FAILED
        except Exception:
            logger.exception("background job %s failed", job.pk)
            background_job_fail(job=job, message=_("生成失败：系统内部错误，请稍后重试或联系系统管理员（任务编号 %(id)s）")
                                % {"id": job.pk})
            raise
        background_job_finish(job=job, content=content, file_name=file_name, content_type=content_type)
    return JobStatus.DONE


@task()
def run_background_job(job_id: str) -> str:
    return run_job(job_id)


