"""Quarterly statistical monitoring: periods, reports, reported values, transitions, imports, corrections."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiqun.accounts.scoping import cluster_q, enterprise_q


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("填报中")  # reports can be filled and submitted
    CLOSED = "closed", _("已关闭")  # no more submissions; approvals may still finish


class ReportingPeriod(models.Model):
    programme = models.ForeignKey("programmes.Programme", verbose_name=_("培育工程"), on_delete=models.PROTECT,
                                  related_name="periods")
    year = models.PositiveSmallIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=[(1, "1-3月"), (2, "1-6月"), (3, "1-9月"), (4, "1-12月")])
    deadline = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    enterprise_level = models.BooleanField(_("企业填报"), default=False,
                                           help_text=_("同时为集群成员企业生成企业报表"))
    indicators = models.ManyToManyField("programmes.Indicator", verbose_name=_("填报指标"), related_name="periods")
    opened_by = models.CharField(_("开启人"), max_length=150, blank=True)
    opened_at = models.DateTimeField(_("开启时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-quarter", "programme_id"]
        unique_together = [("programme", "year", "quarter")]
        verbose_name = _("报告期")
        verbose_name_plural = _("报告期")

    def __str__(self) -> str:
        return f"{self.year}年{self.months}"

    @property
    def months(self) -> str:
        return f"1-{self.quarter * 3}月"

    @property
    def label(self) -> str:
        return f"{self.programme.name} {self.year}年{self.months}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")  # being filled; nothing checked yet
    SUBMITTED = "submitted", _("已提交")  # passed 强制性审核, waiting for the city
    RETURNED = "returned", _("退回")  # sent back with a reason; editable again
    CITY_APPROVED = "city_approved", _("市级审核通过")  # waiting for the province
    PROVINCE_APPROVED = "province_approved", _("省级审核通过")  # locked; changes only by correction


EDITABLE_STATUSES = {ReportStatus.DRAFT, ReportStatus.RETURNED}


class ReportQuerySet(models.QuerySet):
    def for_user(self, user) -> "ReportQuerySet":
        visible_clusters = models.Q(cluster__in=_cluster_ids(user))
        visible_enterprises = models.Q(enterprise__in=_enterprise_ids(user))
        return self.filter(visible_clusters | visible_enterprises)


def _cluster_ids(user):
    from jiqun.clusters.models import Cluster

    return Cluster.objects.filter(cluster_q(user)).values("pk")


def _enterprise_ids(user):
    from jiqun.enterprises.models import Enterprise

    return Enterprise.objects.filter(enterprise_q(user)).values("pk")


class Report(models.Model):
    """One cluster's, or one member enterprise's, figures for one period.

    An enterprise reports once a period however many clusters it belongs to; its figures roll up to each.
    """

    period = models.ForeignKey(ReportingPeriod, verbose_name=_("报告期"), on_delete=models.CASCADE,
                               related_name="reports")
    cluster = models.ForeignKey("clusters.Cluster", verbose_name=_("集群"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="reports")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # {indicator code: [本期累计, 上年同期, 说明, revision]}: numbers as exact decimal text or null; revision is the
    # number of the ReportRevision that last set the entry (its provenance). Read through jiqun.monitoring.values.
    figures = models.JSONField(_("填报值"), default=dict, blank=True)
    revision = models.PositiveIntegerField(_("修订次数"), default=0)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["period", "cluster_id", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "cluster"], condition=models.Q(enterprise__isnull=True),
                                    name="one_cluster_report_per_period"),
            models.UniqueConstraint(fields=["period", "enterprise"], condition=models.Q(cluster__isnull=True),
                                    name="one_enterprise_report_per_period"),
            models.CheckConstraint(
                condition=models.Q(cluster__isnull=True) ^ models.Q(enterprise__isnull=True),
                name="report_is_for_a_cluster_or_an_enterprise",
            ),
        ]
        verbose_name = _("统计报表")
        verbose_name_plural = _("统计报表")

    def __str__(self) -> str:
        subject = self.enterprise.name if self.enterprise_id else self.cluster.name
        return f"{subject} {self.period}"

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class Provenance(models.TextChoices):
    FORM = "form", _("网页填报")
    IMPORT = "import", _("Excel 导入")
    API = "api", _("接口")
    COMPUTED = "computed", _("汇总计算")
    CORRECTION = "correction", _("更正")
    DEMO = "demo", _("演示数据")


class ReportRevision(models.Model):
    """One write to a report's figures: who, when, from where (form, file and row, API, correction), and what the
    write replaced.

    The report's figures hold the values as they stand, each with the number of the revision that set it; a
    revision keeps the entries it replaced ({code: entry, or null where there was none}), so every value a
    later write or correction overwrote stays on record (`jiqun.monitoring.values.revision_history` lays the
    chain out). One row per write, not per value: an import of 100,000 enterprise reports writes 100,000 small
    revisions, not a million history rows. Like django-simple-history's tables, revisions are history and carry
    no database foreign keys (the ORM still cascades and nulls them): checking three keys per row at commit
    took seconds of a 100,000-row import on PostgreSQL.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="revisions", db_index=False,
                               db_constraint=False)
    number = models.PositiveIntegerField(_("修订号"))
    provenance = models.CharField(_("来源"), max_length=12, choices=Provenance.choices)
    batch = models.ForeignKey("ImportBatch", verbose_name=_("导入批次"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="revisions", db_constraint=False)
    source_row = models.PositiveIntegerField(_("来源行"), null=True, blank=True)
    actor_name = models.CharField(_("填报人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"))
    replaced = models.JSONField(_("被替换的值"), help_text=_("本次写入前各指标的条目，此前没有则为 null"))

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="one_revision_number_per_report")]
        verbose_name = _("填报修订")
        verbose_name_plural = _("填报修订")

    def __str__(self) -> str:
        return f"{self.report_id}#{self.number} {self.get_provenance_display()}"


class ReportEvent(models.Model):
    """One transition of a report, with who, when and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("原状态"), max_length=20, choices=ReportStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ReportStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(_("操作人"), max_length=150)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    comment = models.TextField(_("意见"), blank=True)

    class Meta:
        ordering = ["report", "at", "id"]
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")

    def __str__(self) -> str:
        return f"{self.report} {self.from_status}→{self.to_status}"


class ImportBatch(models.Model):
    """One uploaded workbook: its hash makes a second upload of the same file a no-op."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("文件校验值"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    values_written = models.PositiveIntegerField(_("写入数值"), default=0)

    class Meta:
        ordering = ["-uploaded_at"]
        unique_together = [("period", "sha256")]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.sha256[:8]})"


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class CorrectionRequest(models.Model):
    """A change to a locked report, applied only when the province approves it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="corrections")
    changes = models.JSONField(_("更正内容"), help_text=_("{指标编码: {current, previous}}"))
    reason = models.TextField(_("更正理由"))
    status = models.CharField(_("状态"), max_length=10, choices=CorrectionStatus.choices,
                              default=CorrectionStatus.PENDING)
    requested_by = models.CharField(_("申请人"), max_length=150)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.CharField(_("审批人"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.TextField(_("审批意见"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("更正申请")
        verbose_name_plural = _("更正申请")

    def __str__(self) -> str:
        return f"{self.report} 更正（{self.get_status_display()}）"
