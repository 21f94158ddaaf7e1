"""The incident register: major safety, environmental and quality incidents and serious dishonesty of a cluster
(or one of its enterprises), on which a scheme's veto list (一票否决) refuses a subject.

An incident is never deleted: it is corrected (optimistic locking on `version`) or withdrawn with a reason, and a
withdrawn incident no longer vetoes any run made afterwards. A run keeps the incidents that vetoed it in its
snapshot, so a later withdrawal does not change what the run shows or what its rerun computes.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiqun.accounts.scoping import incident_q


class IncidentKind(models.TextChoices):
    SAFETY = "safety", _("安全生产事故")  # 安全事故 of the standards' veto lists
    ENVIRONMENT = "environment", _("环境污染事件")  # 环境污染事故/事件
    QUALITY = "quality", _("质量事故")  # product or engineering quality incident
    CYBER = "cyber", _("网络安全和数据安全事件")  # 网络安全事件和数据安全事件
    DISHONESTY = "dishonesty", _("严重失信")  # on a 失信 list (信用中国 and the like)
    TAX = "tax", _("偷税漏税")  # tax evasion established by the tax authority
    VIOLATION = "violation", _("违法违规")  # other violations of law established by an authority


class Severity(models.TextChoices):
    MAJOR = "major", _("重大")  # 重大及以上 (特别重大 is recorded as 重大)
    LARGE = "large", _("较大")
    GENERAL = "general", _("一般")


# How grave a severity is, so a veto's "minimum severity" can be compared (higher is graver).
SEVERITY_RANK = {Severity.GENERAL: 1, Severity.LARGE: 2, Severity.MAJOR: 3}


class IncidentStatus(models.TextChoices):
    RECORDED = "recorded", _("有效")  # on the register: counts for the veto lists
    WITHDRAWN = "withdrawn", _("已撤销")  # withdrawn with a reason; kept, counts for nothing from then on


INCIDENT_MOVES: dict[str, frozenset[str]] = {
    IncidentStatus.RECORDED: frozenset({IncidentStatus.WITHDRAWN}),
    IncidentStatus.WITHDRAWN: frozenset(),
}


class IncidentQuerySet(models.QuerySet):
    def for_user(self, user) -> "IncidentQuerySet":
        return self.filter(incident_q(user))


class Incident(models.Model):
    """One incident of a cluster (and optionally of one of its enterprises), with the document establishing it."""

    cluster = models.ForeignKey("clusters.Cluster", verbose_name=_("集群"), on_delete=models.PROTECT,
                                related_name="incidents")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="incidents")
    kind = models.CharField(_("类别"), max_length=12, choices=IncidentKind.choices)
    severity = models.CharField(_("等级"), max_length=8, choices=Severity.choices)
    occurred_on = models.DateField(_("发生日期"))
    description = models.TextField(_("事件概况"), max_length=2000)
    document = models.CharField(_("认定文件（文号）"), max_length=120,
                                help_text=_("认定或通报该事件的文件文号，如 鲁应急字〔2024〕12号"))
    status = models.CharField(_("状态"), max_length=10, choices=IncidentStatus.choices,
                              default=IncidentStatus.RECORDED)
    withdrawn_reason = models.CharField(_("撤销理由"), max_length=200, blank=True)
    withdrawn_by = models.CharField(_("撤销人"), max_length=150, blank=True)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    recorded_by = models.CharField(_("登记人"), max_length=150, blank=True)
    recorded_organisation = models.CharField(_("登记单位"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("事故与失信记录")
        verbose_name_plural = _("事故与失信记录")
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.cluster.name} {self.occurred_on} {self.get_severity_display()}{self.get_kind_display()}"
