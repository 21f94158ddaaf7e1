"""Programmes (培育工程): the rules one policy document sets, loaded from a pack and cited clause by clause."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiqun.accounts.scoping import task_q
from jiqun.programmes.text import display_text


class Citation(models.Model):
    """Where a number comes from: a clause of the programme's document and the sentence that says it."""

    clause = models.CharField(_("条款"), max_length=50, blank=True)
    quote = models.TextField(_("原文"), blank=True)

    class Meta:
        abstract = True

    @property
    def quote_display(self) -> str:
        """The quote as a person reads it: proper punctuation even where the source text has artefacts."""
        return display_text(self.quote)

    @property
    def citation(self) -> str:
        number = self.programme.document_number or self.programme.document_title
        return f"{number} {self.clause}".strip()


class ProgrammeScope(models.TextChoices):
    PROVINCE = "province", _("全省")
    CITY = "city", _("市级")


class Programme(models.Model):
    code = models.CharField(_("编号"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    version = models.PositiveIntegerField(_("版本"), default=1)
    supersedes = models.ForeignKey(
        "self", verbose_name=_("取代"), null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by"
    )
    document_number = models.CharField(_("文号"), max_length=50, blank=True)
    document_title = models.CharField(_("文件标题"), max_length=200)
    issuer = models.CharField(_("发文机关"), max_length=100, blank=True)
    document_date = models.CharField(_("发文日期"), max_length=20, blank=True)
    source_file = models.CharField(_("原文文件"), max_length=100)
    scope = models.CharField(_("适用范围"), max_length=10, choices=ProgrammeScope.choices)
    scope_region = models.ForeignKey(
        "regions.Region", verbose_name=_("适用区划"), null=True, blank=True, on_delete=models.PROTECT
    )
    period_start = models.PositiveSmallIntegerField(_("起始年"))
    period_end = models.PositiveSmallIntegerField(_("目标年"))
    tiers = models.JSONField(_("集群层级"), default=list)
    reporting = models.JSONField(_("统计报送"), null=True, blank=True)
    evaluation = models.JSONField(_("评价规则"), null=True, blank=True)
    pack_hash = models.CharField(_("数据包校验值"), max_length=64)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)

    class Meta:
        ordering = ["period_start", "code"]
        verbose_name = _("培育工程")
        verbose_name_plural = _("培育工程")

    def __str__(self) -> str:
        return self.name


class ClusterKind(Citation):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cluster_kinds")
    code = models.CharField(_("编码"), max_length=50)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        unique_together = [("programme", "code")]
        verbose_name = _("集群类别")
        verbose_name_plural = _("集群类别")

    def __str__(self) -> str:
        return self.name


class IndicatorKind(models.TextChoices):
    FLOW = "flow", _("累计值（本年累计）")  # reported year-to-date; a quarter is a difference
    STOCK = "stock", _("期末值")  # the state at period end
    RATIO = "ratio", _("比率（由两项指标计算）")  # recomputed from its two indicators, never averaged
    DIFFERENCE = "difference", _("差值（两项比率之差）")  # numerator − denominator, each recomputed first
    COUNT = "count", _("计数（由名录计算）")  # counted from the registries


class IndicatorLevel(models.TextChoices):
    CLUSTER = "cluster", _("集群填报")  # reported by each cluster (or its enterprises), summed over clusters
    REGION = "region", _("区域综合表填报")  # reported once per region and period; never summed over clusters


class Aggregation(models.TextChoices):
    SUM = "sum", _("加总")  # flows and stocks
    RATIO = "ratio", _("由分子分母汇总后重算")
    DIFFERENCE = "difference", _("两项重算比率之差")
    NONE = "none", _("不可加总")


class Indicator(models.Model):
    """One statistic of the catalogue, with how it combines across subjects.

    For a ratio, `numerator` and `denominator` are its two parts; for a difference they are the minuend and
    the subtrahend (both rates, each recomputed before subtracting).
    """

    code = models.CharField(_("编码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    unit = models.CharField(_("计量单位"), max_length=20)
    kind = models.CharField(_("类型"), max_length=10, choices=IndicatorKind.choices)
    level = models.CharField(_("填报层级"), max_length=10, choices=IndicatorLevel.choices,
                             default=IndicatorLevel.CLUSTER)
    aggregation = models.CharField(_("汇总方式"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM)
    direction = models.CharField(_("方向"), max_length=4, default="up")
    precision = models.PositiveSmallIntegerField(_("小数位"), default=2)
    min_value = models.DecimalField(_("下限"), max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("上限"), max_digits=20, decimal_places=4, null=True, blank=True)
    numerator = models.ForeignKey(
        "self", verbose_name=_("分子"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    denominator = models.ForeignKey(
        "self", verbose_name=_("分母"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    params = models.JSONField(_("参数"), default=list, blank=True)
    description = models.TextField(_("说明"), blank=True)
    clause = models.CharField(_("依据"), max_length=80, blank=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class SubjectKind(models.TextChoices):
    PROVINCE = "province", _("全省")
    CITY = "city", _("市")
    CLUSTER = "cluster", _("集群")
    CHAIN = "chain", _("产业链")
    PARK = "park", _("园区")


class Aspiration(models.TextChoices):
    STRIVE = "力争", _("力争")  # 力争…达到: a goal to strive for, not a commitment
    SEEK = "争取", _("争取")
    ENDEAVOUR = "努力", _("努力")


class Target(Citation):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(_("编号"), max_length=20)
    label = models.CharField(_("目标"), max_length=200)
    subject_kind = models.CharField(_("对象类型"), max_length=10, choices=SubjectKind.choices)
    subject_ref = models.CharField(_("对象"), max_length=100, blank=True, help_text=_("“*”表示每一个"))
    subject_region = models.ForeignKey(
        "regions.Region", verbose_name=_("区划"), null=True, blank=True, on_delete=models.PROTECT
    )
    subject_cluster = models.ForeignKey(
        "clusters.Cluster", verbose_name=_("集群"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="targets",
    )
    subject_zone = models.ForeignKey(
        "regions.Zone", verbose_name=_("园区"), null=True, blank=True, on_delete=models.PROTECT
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    comparator = models.CharField(_("比较"), max_length=2, default=">=")
    value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=20)
    year = models.PositiveSmallIntegerField(_("目标年"))
    baseline = models.JSONField(_("基数"), null=True, blank=True)
    # The document's own word (力争, 争取, 努力) when it sets the number as an effort rather than a commitment.
    aspiration = models.CharField(_("力争表述"), max_length=4, blank=True, choices=Aspiration.choices)
    note = models.TextField(_("说明"), blank=True, help_text=_("如文件未写明年份时所取的年份及理由"))
    # A count target whose clause names its clusters counts only those (e.g. “300亿级4个（新一代信息技术、…）”).
    counted_clusters = models.ManyToManyField(
        "clusters.Cluster", verbose_name=_("点名计数的集群"), blank=True, related_name="counting_targets",
        help_text=_("文件点名的集群：只计这些集群；为空时计对象范围内的全部集群"),
    )

    class Meta:
        ordering = ["programme", "year", "code"]
        unique_together = [("programme", "code")]
        verbose_name = _("目标")
        verbose_name_plural = _("目标")

    def __str__(self) -> str:
        return f"{self.label} {self.comparator_display} {self.value.normalize():f}{self.unit}（{self.year}年）"

    @property
    def aspirational(self) -> bool:
        return bool(self.aspiration)

    @property
    def comparator_display(self) -> str:
        return {">=": "≥", "<=": "≤", "==": "=", "≈": "约"}.get(self.comparator, self.comparator)

    @property
    def subject_display(self) -> str:
        if self.subject_ref == "*":
            return f"每个{self.get_subject_kind_display()}"
        for obj in (self.subject_cluster, self.subject_zone, self.subject_region):
            if obj is not None:
                return str(obj)
        return self.subject_ref or self.get_subject_kind_display()


class TaskQuerySet(models.QuerySet):
    def for_user(self, user) -> "TaskQuerySet":
        return self.filter(task_q(user))


class Task(Citation):
    """A task clause with the units the document makes responsible for it (督导)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField(_("编号"), max_length=20)
    title = models.CharField(_("任务"), max_length=200)
    lead_units = models.JSONField(_("牵头单位"), default=list)
    responsible_units = models.JSONField(_("责任单位"), default=list)
    due_year = models.PositiveSmallIntegerField(_("完成年份"))

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "code"]
        unique_together = [("programme", "code")]
        verbose_name = _("任务")
        verbose_name_plural = _("任务")

    def __str__(self) -> str:
        return self.title


class ChecklistItem(Citation):
    """An item of a named checklist the programme sets, such as Jining's 群链长 “九个一”."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="checklist_items")
    checklist_code = models.CharField(_("清单编码"), max_length=30)
    checklist_name = models.CharField(_("清单"), max_length=50)
    applies_to = models.CharField(_("适用对象"), max_length=10)
    code = models.CharField(_("编号"), max_length=10)
    name = models.CharField(_("事项"), max_length=200)

    class Meta:
        ordering = ["programme", "checklist_code", "id"]
        unique_together = [("programme", "checklist_code", "code")]
        verbose_name = _("清单事项")
        verbose_name_plural = _("清单事项")

    def __str__(self) -> str:
        return f"{self.checklist_name}·{self.name}"
