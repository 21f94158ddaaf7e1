"""Quarterly statistical monitoring: periods, reports, reported values, transitions, imports, corrections."""

import json

import orjson
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiqun.accounts.scoping import report_q


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("填报中")  # reports can be filled and submitted
    CLOSED = "closed", _("已关闭")  # no more submissions; approvals may still finish


# The months a period covers; its figures are cumulative from January (English: Jan–Mar … Jan–Dec).
QUARTER_MONTHS = {1: _("1-3月"), 2: _("1-6月"), 3: _("1-9月"), 4: _("1-12月")}


def period_name(year: int, quarter: int) -> str:
    """2026年1-6月 in Chinese, Jan–Jun 2026 in English: a period as the UI names it."""
    return gettext("%(year)s年%(months)s") % {"year": year, "months": QUARTER_MONTHS[quarter]}


def official_period_name(year: int, quarter: int) -> str:
    """2026年1-6月 whatever the UI language: what official templates print and audit entries keep."""
    return f"{year}年1-{quarter * 3}月"


class ReportingPeriod(models.Model):
    programme = models.ForeignKey("programmes.Programme", verbose_name=_("培育工程"), on_delete=models.PROTECT,
                                  related_name="periods")
    year = models.PositiveSmallIntegerField(_("年份"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=list(QUARTER_MONTHS.items()))
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
        return period_name(self.year, self.quarter)

    @property
    def months(self) -> str:
        """1-6月 (English: Jan–Jun) in the UI's language."""
        return str(QUARTER_MONTHS[self.quarter])

    @property
    def label(self) -> str:
        return f"{self.programme.name} {self}"

    @property
    def official_name(self) -> str:
        """2026年1-6月 whatever the UI language, for the official templates, file names and audit entries."""
        return official_period_name(self.year, self.quarter)

    @property
    def official_label(self) -> str:
        return f"{self.programme.name} {self.official_name}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")  # being filled; nothing checked yet
    SUBMITTED = "submitted", _("已提交")  # passed 强制性审核, waiting for the city
    RETURNED = "returned", _("退回")  # sent back with a reason; editable again
    CITY_APPROVED = "city_approved", _("市级审核通过")  # waiting for the province
    PROVINCE_APPROVED = "province_approved", _("省级审核通过")  # locked; changes only by correction


EDITABLE_STATUSES = {ReportStatus.DRAFT, ReportStatus.RETURNED}


class ReportQuerySet(models.QuerySet):
    def for_user(self, user) -> "ReportQuerySet":
        return self.filter(report_q(user))

    def with_last_change(self) -> "ReportQuerySet":
        """Each report with the time of its latest revision, for `report.last_changed` without a query each."""
        latest = ReportRevision.objects.filter(report=models.OuterRef("pk")).order_by("-number")
        return self.annotate(latest_at=models.Subquery(latest.values("at")[:1]))

    def with_latest_figures(self) -> "ReportQuerySet":
        """Each report with its latest revision's figures alone (`latest_figures`), for a read of values: half the
        query-building time of `with_figures`, whose other two subqueries such a read leaves unselected."""
        latest = ReportRevision.objects.filter(report=models.OuterRef("pk")).order_by("-number")
        return self.annotate(latest_figures=models.Subquery(latest.values("figures")[:1]))

    def with_figures(self) -> "ReportQuerySet":
        """Each report with its latest revision's figures, number and time, so `report.figures` reads no more."""
        latest = ReportRevision.objects.filter(report=models.OuterRef("pk")).order_by("-number")
        return self.annotate(latest_figures=models.Subquery(latest.values("figures")[:1]),
                             latest_revision=models.Subquery(latest.values("number")[:1]),
                             latest_at=models.Subquery(latest.values("at")[:1]))


class Report(models.Model):
    """One cluster's, one member enterprise's, or one region's (综合表) figures for one period.

    An enterprise reports once a period however many clusters it belongs to; its figures roll up to each.
    """

    period = models.ForeignKey(ReportingPeriod, verbose_name=_("报告期"), on_delete=models.CASCADE,
                               related_name="reports")
    cluster = models.ForeignKey("clusters.Cluster", verbose_name=_("集群"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="reports")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="reports")
    region = models.ForeignKey("regions.Region", verbose_name=_("区域"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="reports",
                               help_text=_("区域综合表：一个市或全省的区域级指标，不由集群加总"))
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["period", "cluster_id", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "cluster"], condition=models.Q(enterprise__isnull=True),
                                    name="one_cluster_report_per_period"),
            models.UniqueConstraint(fields=["period", "enterprise"], condition=models.Q(cluster__isnull=True),
                                    name="one_enterprise_report_per_period"),
            models.UniqueConstraint(fields=["period", "region"], condition=models.Q(region__isnull=False),
                                    name="one_region_report_per_period"),
            models.CheckConstraint(
                condition=(models.Q(cluster__isnull=False, enterprise__isnull=True, region__isnull=True)
                           | models.Q(cluster__isnull=True, enterprise__isnull=False, region__isnull=True)
                           | models.Q(cluster__isnull=True, enterprise__isnull=True, region__isnull=False)),
                name="report_is_for_one_subject",
            ),
        ]
        verbose_name = _("统计报表")
        verbose_name_plural = _("统计报表")

    def __str__(self) -> str:
        return f"{self.subject_name} {self.period}"

    @property
    def subject_name(self) -> str:
        if self.enterprise_id:
            return self.enterprise.name
        if self.region_id:
            return gettext("%(region)s综合表") % {"region": self.region.name}
        return self.cluster.name

    @property
    def official_subject_name(self) -> str:
        """The subject as the official template writes it and its importer reads it back, in any UI language."""
        if self.region_id:
            return f"{self.region.name}综合表"
        return self.subject_name

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def figures(self) -> dict:
        """The figures as they stand: the latest revision's ({} before the first). See ReportRevision."""
        if "latest_figures" not in self.__dict__:
            latest = self.revisions.order_by("-number").values_list("figures", "number", "at").first()
            self.latest_figures, self.latest_revision, self.latest_at = latest or (None, 0, None)
        return self.latest_figures or {}

    @property
    def revision(self) -> int:
        """The number of the latest revision, 0 before the first."""
        self.figures  # noqa: B018 - loads the latest revision when not annotated
        return self.latest_revision or 0

    @property
    def last_changed(self):
        """When the report last changed: its status (updated_at) or its figures (the latest revision)."""
        if "latest_at" not in self.__dict__:
            self.figures  # noqa: B018 - loads the latest revision
        return max(t for t in (self.updated_at, self.latest_at) if t is not None)

    def forget_figures(self) -> None:
        """Drop the figures read so far: the next read sees the latest revision."""
        for name in ("latest_figures", "latest_revision", "latest_at"):
            self.__dict__.pop(name, None)

    def refresh_from_db(self, *args, **kwargs) -> None:
        super().refresh_from_db(*args, **kwargs)
        self.forget_figures()


class Provenance(models.TextChoices):
    FORM = "form", _("网页填报")
    IMPORT = "import", _("Excel 导入")
    API = "api", _("接口")
    COMPUTED = "computed", _("汇总计算")
    CORRECTION = "correction", _("更正")
    DEMO = "demo", _("演示数据")


def json_loads(text: str):
    """orjson's reading, in about a third of the standard library's time (an evaluation run reads the figures of
    every cluster's report), and the standard reader for what orjson refuses (NaN, an escaped lone surrogate).
    The same values: figures keep their numbers as decimal text and their only integers are revision numbers
    (orjson would read an integer beyond 64 bits as a float)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


class JSONText(models.TextField):
    """JSON kept as text on every database. Figures are read and written whole, never queried inside, so
    PostgreSQL's jsonb (parsed on every write: a second per 100,000 reports) would buy nothing."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else json_loads(value)

    def to_python(self, value):
        return json_loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def value_to_string(self, obj) -> str | None:
        """The JSON text, so that a dump (dumpdata, backup) loads back: a TextField would write str(dict), Python."""
        return self.get_prep_value(self.value_from_object(obj))


class ReportRevision(models.Model):
    """One write to a report's figures: who, when, from where (form, file and row, API, correction), and the
    figures as the write left them.

    Append-only, and the latest revision is the report's figures (`Report.figures`): writing figures is one
    INSERT, never an UPDATE of the report, and no value a later write or correction replaced is lost. Each
    entry is `[本期累计, 上年同期, 说明, revision]` (see jiqun.monitoring.values): the number of the revision that
    set it, so an entry's provenance is that revision's. One row per write, not per value: an import of
    100,000 enterprise reports writes 100,000 rows, not a million values and a million history rows. Like
    django-simple-history's tables, revisions carry no database foreign keys (the ORM still cascades and
    nulls them): checking them row by row at commit cost PostgreSQL seconds per large import.
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
    figures = JSONText(_("填报值"), help_text=_("本次写入后报表的全部填报值"))

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="one_revision_number_per_report")]
        verbose_name = _("填报修订")
        verbose_name_plural = _("填报修订")

    def __str__(self) -> str:
        return f"{self.report_id}#{self.number} {self.get_provenance_display()}"


class ReportEvent(models.Model):
    """One transition of a report, with who, when and why.

    `action` names the TRANSITIONS entry, so a province's 代市级审核 is told apart from a city's approval,
    which moves the report between the same two statuses.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=30, blank=True)
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
    """One uploaded workbook that wrote figures.

    Its hash recognises the same file uploaded again: a no-op while every figure is as on file, applied again
    (a new batch with the same hash) when the figures were changed since, so the hash is not unique.
    """

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("文件校验值"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    values_written = models.PositiveIntegerField(_("写入数值"), default=0)

    class Meta:
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["period", "sha256"], name="import_batch_file")]
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
