"""Pre-aggregated figures for the dashboards: what `jiqun.monitoring.figures.ApprovedFigures` gives, stored.

A dashboard at national scale cannot recompute a province's totals per request, so `jiqun.dashboards.summaries`
asks the approved-figures selector once per programme for every subject the pages show (each cluster, each
region holding a cluster or filing a 综合表, each park) and keeps the answers here. The figures are the
selector's, never computed a second way; where a figure came from is asked of the selector again
(`ApprovedFigures.parts`) when someone opens it. A programme's rows are rebuilt when one of its reports is
approved by the province, corrected or leaves that status, and by `jiqun dashboards rebuild`.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    CLUSTER = "cluster", _("集群")
    REGION = "region", _("区域")
    ZONE = "zone", _("园区")


class FigureSummaryQuerySet(models.QuerySet):
    def for_user(self, user) -> "FigureSummaryQuerySet":
        from jiqun.accounts.scoping import figure_summary_q

        return self.filter(figure_summary_q(user))


class FigureSummary(models.Model):
    """One indicator of one subject in one period of one programme, as the approved-figures selector answers.

    `current` and `previous` (上年同期) are the selector's `Total`: a sum over what could be used; only a
    `complete` row (every expected report approved and giving the value) is the subject's figure."""

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("对象类型"), max_length=10, choices=SubjectKind.choices)
    cluster = models.ForeignKey("clusters.Cluster", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    zone = models.ForeignKey("regions.Zone", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("指标代码"), max_length=60)
    year = models.PositiveSmallIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    # As text, exactly as the selector computed them (a ratio has 28 significant digits; a database decimal
    # column would round it, and SQLite's would keep 15): a report reads the same digits as the page.
    current_text = models.CharField(_("本期累计"), max_length=64, blank=True)
    previous_text = models.CharField(_("上年同期"), max_length=64, blank=True)
    complete = models.BooleanField(_("数据完整"), default=False)
    expected = models.PositiveIntegerField(_("应报"), default=0)
    reported = models.PositiveIntegerField(_("已审核通过"), default=0)

    objects = FigureSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("汇总数")
        verbose_name_plural = _("汇总数")
        indexes = [
            models.Index(fields=["programme", "code", "year", "quarter"], name="summary_code_period"),
            models.Index(fields=["programme", "kind", "cluster", "code"], name="summary_cluster"),
            models.Index(fields=["programme", "kind", "region", "code"], name="summary_region"),
        ]

    def __str__(self) -> str:
        subject = self.cluster_id or self.region_id or self.zone_id
        return f"{self.programme_id} {self.kind}:{subject} {self.code} {self.year}Q{self.quarter}"

    @property
    def current(self) -> Decimal | None:
        return Decimal(self.current_text) if self.current_text else None

    @property
    def previous(self) -> Decimal | None:
        return Decimal(self.previous_text) if self.previous_text else None

    @staticmethod
    def text(value: Decimal | None) -> str:
        return "" if value is None else str(value)

    @property
    def source_url(self) -> str:
        """The lasting address of this figure's source page (jiqun.dashboards.selectors.figure_address)."""
        from jiqun.dashboards.selectors import figure_address

        return figure_address(self)

    @property
    def period_label(self) -> str:
        """As the reporting period names itself: 2026年1-9月 (figures are cumulative from January)."""
        from jiqun.monitoring.models import period_name

        return period_name(self.year, self.quarter)

    @property
    def value(self):
        """The figure: the total when complete, else None (shown as 无数据 or 未齐)."""
        return self.current if self.complete else None

    @property
    def yoy(self):
        from jiqun.monitoring.checks import yoy

        return yoy(self.current, self.previous) if self.complete else None


class SummaryState(models.Model):
    """Whether a programme's summaries are current: `changes` counts the approvals and corrections since the
    programme began; `built` is the count the stored rows were computed at."""

    programme = models.OneToOneField("programmes.Programme", on_delete=models.CASCADE, related_name="+",
                                     primary_key=True)
    changes = models.PositiveBigIntegerField(default=1)
    built = models.PositiveBigIntegerField(default=0)
    built_at = models.DateTimeField(null=True)
    rows = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    # What the next rebuild must recompute: everything (`whole`), or only the periods ("2025-3") whose approved
    # figures changed since the build; `layout` is what the stored rows depend on besides the approved figures
    # (jiqun.dashboards.summaries: subjects, indicators, who files in each period), to find what else moved.
    whole = models.BooleanField(default=True)
    periods = models.JSONField(default=list, blank=True)
    layout = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("汇总状态")
        verbose_name_plural = _("汇总状态")

    def __str__(self) -> str:
        return f"{self.programme_id} {self.built}/{self.changes}"

    @property
    def fresh(self) -> bool:
        return self.built == self.changes


class ComparisonKind(models.TextChoices):
    CLUSTER = "cluster", _("集群")
    REGION = "region", _("区域")


MAX_SUBJECTS = 10
MAX_SAVED = 50


class SavedComparisonQuerySet(models.QuerySet):
    def for_user(self, user) -> "SavedComparisonQuerySet":
        from jiqun.accounts.scoping import saved_comparison_q

        return self.filter(saved_comparison_q(user))


class SavedComparison(models.Model):
    """A comparison (jiqun.dashboards.compare) a user keeps under a name: what to compare, never the figures,
    which are read again when it is opened (a subject the user can no longer see is then dropped)."""

    owner = models.ForeignKey("accounts.User", verbose_name=_("所有者"), on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=50)
    programme = models.ForeignKey("programmes.Programme", verbose_name=_("培育工程"), on_delete=models.CASCADE,
                                  related_name="+")
    kind = models.CharField(_("对比对象类型"), max_length=10, choices=ComparisonKind.choices)
    subjects = models.JSONField(_("对比对象"), default=list)  # cluster ids or region codes, as text
    indicators = models.JSONField(_("指标"), default=list)
    years = models.JSONField(_("年份"), default=list)
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True)  # None: the latest with data
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SavedComparisonQuerySet.as_manager()

    class Meta:
        ordering = ["-updated", "pk"]
        verbose_name = _("保存的对比")
        verbose_name_plural = _("保存的对比")
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_comparison_name_per_owner")]

    def __str__(self) -> str:
        return self.name
