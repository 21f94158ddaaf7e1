"""A background job a user started from a page (a long report, a large statistical template): its status,
progress and result file. The work runs in a django-tasks worker (jiqun/core/tasks.py); the page polls it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiqun.accounts.scoping import background_job_q


class JobKind(models.TextChoices):
    QUARTERLY = "quarterly", _("季度分析报告")
    TEMPLATE = "template", _("统计季报填报模板")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")  # waiting for a worker
    RUNNING = "running", _("生成中")  # a worker has it in hand
    DONE = "done", _("已完成")  # its file is on disk, for its owner to download
    FAILED = "failed", _("失败")  # `error` says why, in the owner's language
    EXPIRED = "expired", _("文件已清理")  # was done; its file was deleted after JIQUN_TASK_KEEP_DAYS (tasks clean)


class BackgroundJobQuerySet(models.QuerySet):
    def for_user(self, user) -> "BackgroundJobQuerySet":
        return self.filter(background_job_q(user))


class BackgroundJob(models.Model):
    # The id is the page's address: random, so one user's job cannot be guessed by another.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="background_jobs",
                              verbose_name=_("发起人"))
    kind = models.CharField(_("类型"), max_length=20, choices=JobKind.choices)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    file_token = models.CharField(_("结果文件"), max_length=80, blank=True)  # name under VAR_DIR/tasks/
    file_name = models.CharField(_("下载文件名"), max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)  # the django-tasks result id
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = BackgroundJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.EXPIRED)
