"""Evaluation schemes (an indicator tree as data, shipped in schemes/*.yaml) and runs of a scheme on one
year's approved figures.

A run keeps everything needed to show and repeat it: the input snapshot with the provenance of each value,
the parameters, and the engine's whole result (jiqun.scoring.ScoreResult) with rank stability. A scheme used
by a published run is locked: changing it means a new version.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiqun.accounts.scoping import evaluation_row_q, evaluation_run_q, evaluation_scheme_q


class SubjectKind(models.TextChoices):
    CLUSTER = "cluster", _("集群")  # the clusters of the scheme's programme
    REGION = "region", _("区域")  # cities or counties (考核); not run yet


class WeightMethod(models.TextChoices):
    FIXED = "fixed", _("固定权重")  # the weights written in the scheme (the province's choice)
    ENTROPY = "entropy", _("熵权法")  # from the year's data
    CRITIC = "critic", _("CRITIC 法")  # from the year's data
    AHP = "ahp", _("层次分析法")  # from the pairwise judgements stored with the scheme (CR ≤ 0.1)
    COMBINED = "combined", _("主客观组合")  # fixed and entropy weights combined linearly


class Normalisation(models.TextChoices):
    MAX = "max", _("极大值归一化（÷最大值）")
    MINMAX = "minmax", _("极差标准化")
    VECTOR = "vector", _("向量归一化")


class Aggregation(models.TextChoices):
    WEIGHTED_SUM = "weighted_sum", _("加权求和")
    TOPSIS = "topsis", _("TOPSIS 逼近理想解")


class MissingRule(models.TextChoices):
    EXCLUDED = "excluded", _("不参评")  # a subject missing any value is listed, not scored
    ZERO = "zero", _("按零分计")  # the missing value counts as 0
    IMPUTED_MEAN = "imputed_mean", _("以参评对象均值补")  # the mean of those that have it


class Direction(models.TextChoices):
    BENEFIT = "benefit", _("正向（越大越好）")
    COST = "cost", _("逆向（越小越好）")


GRADE_LABELS = ("优秀", "良好", "合格", "不合格")


class Consequence(models.TextChoices):
    WARNED = "warned", _("转为预警")  # moved to 预警 through cluster_change_status
    EXIT_PROPOSED = "exit_proposed", _("提议退出")  # an exit ClusterProposal the province confirms or rejects
    SKIPPED = "skipped", _("未处理")  # the reason says why (already warned, exited, not recognised, ...)


class SchemeQuerySet(models.QuerySet):
    def for_user(self, user) -> "SchemeQuerySet":
        return self.filter(evaluation_scheme_q(user))


class Scheme(models.Model):
    """One version of an evaluation scheme; (code, version) is unique and a locked version never changes."""

    code = models.SlugField(_("编码"), max_length=60)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=100)
    programme = models.ForeignKey("programmes.Programme", verbose_name=_("培育工程"), on_delete=models.PROTECT,
                                  related_name="evaluation_schemes")
    subject_kind = models.CharField(_("评价对象"), max_length=10, choices=SubjectKind.choices,
                                    default=SubjectKind.CLUSTER)
    weight_method = models.CharField(_("赋权方法"), max_length=10, choices=WeightMethod.choices,
                                     default=WeightMethod.FIXED)
    combine_alpha = models.DecimalField(_("主观权重占比"), max_digits=4, decimal_places=3, default=0.5,
                                        help_text=_("主客观组合时固定权重所占比例 α"))
    ahp_judgements = models.JSONField(_("层次分析判断矩阵"), null=True, blank=True,
                                      help_text=_("按指标顺序的两两比较矩阵（Saaty 1–9 标度）"))
    ahp_cr = models.DecimalField(_("一致性比率 CR"), max_digits=6, decimal_places=4, null=True, blank=True)
    normalisation = models.CharField(_("标准化方法"), max_length=10, choices=Normalisation.choices,
                                     default=Normalisation.MAX)
    aggregation = models.CharField(_("综合方法"), max_length=12, choices=Aggregation.choices,
                                   default=Aggregation.WEIGHTED_SUM)
    grade_excellent = models.DecimalField(_("优秀线"), max_digits=6, decimal_places=2, default=85)
    grade_good = models.DecimalField(_("良好线"), max_digits=6, decimal_places=2, default=70)
    grade_pass = models.DecimalField(_("合格线"), max_digits=6, decimal_places=2, default=60)
    missing_rule = models.CharField(_("缺失数据规则"), max_length=12, choices=MissingRule.choices,
                                    default=MissingRule.EXCLUDED)
    eligibility = models.JSONField(_("参评条件"), default=list, blank=True,
                                   help_text=_("门槛：指标、下限或上限（指标目录的单位）、依据；不达标者不参评"))
    clause = models.CharField(_("依据"), max_length=200, blank=True)
    veto = models.JSONField(_("一票否决"), default=list, blank=True,
                            help_text=_("否决条件：事件类别、最低等级、年限（近 N 年）和依据条款；命中者不参评"))
    weights_note = models.CharField(_("权重说明"), max_length=200, blank=True)
    description = models.TextField(_("说明"), blank=True)
    warn_grade = models.CharField(_("预警等级"), max_length=10, blank=True,
                                  help_text=_("发布后评为此等级的集群转为预警；空为发布无后果"))
    exit_after = models.PositiveSmallIntegerField(_("提议退出的连续次数"), null=True, blank=True,
                                                  help_text=_("同一方案连续若干年度评为预警等级时提议退出；空为不提议"))
    consequences_clause = models.CharField(_("后果依据"), max_length=200, blank=True)
    locked = models.BooleanField(_("已锁定"), default=False, help_text=_("已有发布的评价使用此版本，不能再修改"))
    pack_hash = models.CharField(_("数据包校验值"), max_length=64, blank=True)
    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价方案")
        verbose_name_plural = _("评价方案")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="evaluation_scheme_version")]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    @property
    def thresholds(self) -> list[float]:
        """Grade thresholds on the 0–100 score scale, highest first."""
        return [float(self.grade_excellent), float(self.grade_good), float(self.grade_pass)]


class SchemeItem(models.Model):
    """One indicator of a scheme, under its dimension, with direction, fixed weight and the clause behind it."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("评价方案"), on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("序号"))
    code = models.SlugField(_("编码"), max_length=80, help_text=_("方案内唯一；默认为指标编码"))
    dimension = models.CharField(_("维度"), max_length=40)
    indicator = models.ForeignKey("programmes.Indicator", verbose_name=_("指标"), on_delete=models.PROTECT,
                                  related_name="+")
    params = models.JSONField(_("计数参数"), default=dict, blank=True,
                              help_text=_("名录计数指标的口径，如 {\"honour\": \"specialized\"}"))
    label = models.CharField(_("显示名称"), max_length=100, blank=True)
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices, default=Direction.BENEFIT)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=4)
    clause = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("评价指标")
        verbose_name_plural = _("评价指标")
        ordering = ["scheme", "order"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="evaluation_item_once")]

    def __str__(self) -> str:
        return f"{self.dimension} · {self.name}"

    @property
    def name(self) -> str:
        return self.label or self.indicator.name


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("未发布")  # computed, seen by the province only
    PUBLISHED = "published", _("已发布")  # final: grades are on record, the scheme version is locked


RUN_MOVES: dict[str, frozenset[str]] = {
    RunStatus.DRAFT: frozenset({RunStatus.PUBLISHED}),
    RunStatus.PUBLISHED: frozenset(),
}


class RunQuerySet(models.QuerySet):
    def for_user(self, user) -> "RunQuerySet":
        return self.filter(evaluation_run_q(user))


class Run(models.Model):
    """A scheme run on one year's approved figures, with its input snapshot, parameters and result."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("评价方案"), on_delete=models.PROTECT, related_name="runs")
    year = models.PositiveSmallIntegerField(_("评价年度"))
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    snapshot = models.JSONField(_("输入快照"), help_text=_("每个数值及其来源报表、修订号和报告期"))
    parameters = models.JSONField(_("参数"))
    result = models.JSONField(_("计算结果"), null=True, blank=True, help_text=_("评价引擎的完整结果，可复算"))
    stability = models.JSONField(_("排名稳定性"), null=True, blank=True)
    created_by = models.CharField(_("计算人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("计算时间"), auto_now_add=True)
    published_by = models.CharField(_("发布人"), max_length=150, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    consequences = models.JSONField(_("发布后果"), default=list, blank=True,
                                    help_text=_("发布时对每个集群所做的处理：预警、提议退出或未处理及原因"))
    objects = RunQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价结果")
        verbose_name_plural = _("评价结果")
        ordering = ["-year", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.scheme.name} {self.year}年（#{self.pk}）"


class RowQuerySet(models.QuerySet):
    def for_user(self, user) -> "RowQuerySet":
        return self.filter(evaluation_row_q(user))


class RunRow(models.Model):
    """One subject's line of a run: score, rank, rank interval and grade, or why it was not scored."""

    run = models.ForeignKey(Run, verbose_name=_("评价"), on_delete=models.CASCADE, related_name="rows")
    cluster = models.ForeignKey("clusters.Cluster", verbose_name=_("集群"), on_delete=models.PROTECT,
                                related_name="evaluation_rows")
    position = models.PositiveIntegerField(_("矩阵行号"), null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=9, decimal_places=4, null=True, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    rank_min = models.PositiveIntegerField(_("最好排名"), null=True, blank=True)
    rank_max = models.PositiveIntegerField(_("最差排名"), null=True, blank=True)
    grade = models.CharField(_("等级"), max_length=10, blank=True)
    excluded = models.TextField(_("未参评原因"), blank=True)
    objects = RowQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价结果行")
        verbose_name_plural = _("评价结果行")
        ordering = ["run", "rank", "cluster__name"]
        constraints = [models.UniqueConstraint(fields=["run", "cluster"], name="evaluation_row_once")]

    def __str__(self) -> str:
        return f"{self.run} · {self.cluster.name}"
