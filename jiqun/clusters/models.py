"""The cluster registry: what is cultivated, where, at which tier, and how its tier changed."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiqun.accounts.scoping import cluster_q, review_q

# GB/T 4754-2017: a section letter, or 2-digit division, 3-digit group, 4-digit class, optionally lettered.
INDUSTRY_CODE = re.compile(r"^(?:[A-T]|[A-T]?\d{2}|[A-T]?\d{3}|[A-T]?\d{4})$")


def validate_industry_codes(value: str) -> None:
    for code in split_codes(value):
        if not INDUSTRY_CODE.match(code):
            raise ValidationError(
                _("行业代码“%(code)s”不符合 GB/T 4754-2017 格式（如 C38、3811）"), params={"code": code}
            )


def split_codes(value: str) -> list[str]:
    return [c.strip().upper() for c in re.split(r"[,，;；\s]+", value or "") if c.strip()]


class Tier(models.TextChoices):
    WORLD = "world", _("世界级")
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")


class ClusterStatus(models.TextChoices):
    CULTIVATING = "cultivating", _("培育")  # named for cultivation, not yet recognised
    RECOGNISED = "recognised", _("认定")  # recognised at its tier
    WARNED = "warned", _("预警")  # graded 不合格 once; exits after the programme's rule
    EXITED = "exited", _("退出")  # removed from the programme


class ClusterQuerySet(models.QuerySet):
    def for_user(self, user) -> "ClusterQuerySet":
        return self.filter(cluster_q(user)).distinct()


class Cluster(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", verbose_name=_("培育工程"), on_delete=models.PROTECT, related_name="clusters"
    )
    code = models.SlugField(_("编码"), max_length=60)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.ForeignKey(
        "programmes.ClusterKind", verbose_name=_("类别"), null=True, blank=True, on_delete=models.PROTECT
    )
    tier = models.CharField(_("层级"), max_length=12, choices=Tier.choices, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ClusterStatus.choices, default=ClusterStatus.CULTIVATING
    )
    recognised_on = models.DateField(_("认定日期"), null=True, blank=True)
    regions = models.ManyToManyField("regions.Region", verbose_name=_("所在区划"), related_name="clusters")
    zones = models.ManyToManyField("regions.Zone", verbose_name=_("所在园区"), blank=True, related_name="clusters")
    industry = models.CharField(_("主导产业"), max_length=200, blank=True)
    industry_codes = models.CharField(
        _("行业代码"), max_length=200, blank=True, validators=[validate_industry_codes],
        help_text=_("GB/T 4754-2017，多个用逗号分隔"),
    )
    promotion_org = models.CharField(_("集群促进机构"), max_length=200, blank=True)
    chief = models.CharField(_("群长"), max_length=100, blank=True)
    description = models.TextField(_("简介"), blank=True)
    clause = models.CharField(_("依据条款"), max_length=50, blank=True)
    quote = models.TextField(_("原文"), blank=True)
    # Raised by cluster_update on every change; an edit carries the version it was based on (stale ones refused).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[regions, zones])

    objects = ClusterQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "name"]
        unique_together = [("programme", "code")]
        verbose_name = _("集群")
        verbose_name_plural = _("集群")

    def __str__(self) -> str:
        return self.name

    @property
    def citation(self) -> str:
        return f"{self.programme.document_number or self.programme.document_title} {self.clause}".strip()


class TierChange(models.Model):
    """One step of a cluster's tier history (培育 → 省级 → 国家级 → 世界级, or a removal)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="tier_changes")
    tier = models.CharField(_("层级"), max_length=12, choices=Tier.choices, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=ClusterStatus.choices)
    effective_on = models.DateField(_("生效日期"))
    basis = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("文件、条款或评审结果"))
    recorded_by = models.CharField(_("记录人"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["cluster", "effective_on", "id"]
        verbose_name = _("层级变更")
        verbose_name_plural = _("层级变更")

    def __str__(self) -> str:
        return f"{self.cluster} {self.effective_on} {self.get_tier_display()} {self.get_status_display()}"


class ProposalState(models.TextChoices):
    PENDING = "pending", _("待审")
    APPROVED = "approved", _("通过")
    REJECTED = "rejected", _("驳回")


class ClusterProposal(models.Model):
    """A request from below the province to change a cluster's tier, status or regions; the province decides.

    An empty tier or status, or no regions, means that part stays as it is.
    """

    cluster = models.ForeignKey(Cluster, verbose_name=_("集群"), on_delete=models.CASCADE, related_name="proposals")
    tier = models.CharField(_("提议层级"), max_length=12, choices=Tier.choices, blank=True)
    status = models.CharField(_("提议状态"), max_length=12, choices=ClusterStatus.choices, blank=True)
    regions = models.ManyToManyField("regions.Region", verbose_name=_("提议所在区划"), blank=True, related_name="+")
    reason = models.TextField(_("理由"))
    proposer = models.ForeignKey(
        "accounts.User", verbose_name=_("提议人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposer_name = models.CharField(_("提议人账号"), max_length=150)
    proposed_at = models.DateTimeField(_("提议时间"), auto_now_add=True)
    state = models.CharField(_("审核状态"), max_length=10, choices=ProposalState.choices,
                             default=ProposalState.PENDING)
    decided_by = models.CharField(_("审核人"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("集群变更申请")
        verbose_name_plural = _("集群变更申请")

    def __str__(self) -> str:
        return f"{self.cluster} {self.get_state_display()}"


class ReviewOutcome(models.TextChoices):
    KEPT = "kept", _("保留")  # recognition confirmed; a warned cluster is recognised again
    WARNED = "warned", _("预警")  # the cluster is put on warning (预警)
    WITHDRAWN = "withdrawn", _("撤销")  # the provincial title is removed and the cluster exits


class ReviewQuerySet(models.QuerySet):
    def for_user(self, user) -> "ReviewQuerySet":
        return self.filter(review_q(user))


class Review(models.Model):
    """A 复核 of a provincial cluster, due three years after it became provincial (鲁政办字〔2023〕185号 三(四))."""

    cluster = models.ForeignKey(Cluster, verbose_name=_("集群"), on_delete=models.CASCADE, related_name="reviews")
    recognised_on = models.DateField(_("认定日期"), help_text=_("成为省级集群的日期，取自层级变更记录"))
    due_on = models.DateField(_("复核到期日"))
    outcome = models.CharField(_("复核结论"), max_length=10, choices=ReviewOutcome.choices, blank=True)
    basis = models.TextField(_("复核依据"), blank=True)
    decided_by = models.CharField(_("决定人"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "cluster_id", "id"]
        unique_together = [("cluster", "due_on")]
        verbose_name = _("复核")
        verbose_name_plural = _("复核")

    def __str__(self) -> str:
        return f"{self.cluster} {self.due_on}"

    @property
    def decided(self) -> bool:
        return bool(self.outcome)
