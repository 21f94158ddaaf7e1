"""Evaluation schemes (an indicator tree as data, shipped in schemes/*.yaml) and runs of a scheme on one
year's approved figures.

A run keeps everything needed to show and repeat it: the input snapshot with the provenance of each value,
the parameters, and the engine's whole result (jiqun.scoring.ScoreResult) with rank stability. A scheme used
by a published run is locked: changing it means a new version.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiqun.accounts.scoping import (
    ahp_consultation_q,
    ahp_invitation_q,
    evaluation_row_q,
    evaluation_run_q,
    evaluation_scheme_q,
)
from jiqun.evaluation.storage import RowIdField, RunJSONText


class SubjectKind(models.TextChoices):
    CLUSTER = "cluster", _("集群")  # the clusters of the scheme's programme
    REGION = "region", _("区域")  # cities or counties (考核, 观摩评比): the scheme's `regions` selector
    PROJECT = "project", _("项目")  # the programme's projects the scheme's `projects` rule names (观摩评比)


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
    revision = models.PositiveIntegerField(_("修订号"), default=1, help_text=_("每次修改加一；据此拒绝过时的修改"))
    regions = models.JSONField(_("参评地区"), default=dict, blank=True,
                               help_text=_("区域方案的参评地区：级别 level（city/county）和所在地区 within（代码）"))
    bonus = models.JSONField(_("加分项"), default=dict, blank=True,
                             help_text=_("加分项 items（编码、名称、每项分值、上限、依据、来源）和总分是否可超过 100"))
    projects = models.JSONField(_("参评项目"), default=dict, blank=True,
                                help_text=_("项目方案的参评项目：新上项目类型 kinds、技改项目类型 renovation_kinds、最低重大项目级别 min_level"))
    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价方案")
        verbose_name_plural = _("评价方案")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="evaluation_scheme_version")]

    def __str__(self) -> str:
        return _("%(name)s（第%(version)s版）") % {"name": self.name, "version": self.version}

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
    snapshot = RunJSONText(_("输入快照"), help_text=_("每个数值及其来源报表、修订号和报告期"))
    parameters = models.JSONField(_("参数"))
    result = RunJSONText(_("计算结果"), null=True, blank=True, help_text=_("评价引擎的完整结果，可复算"))
    stability = RunJSONText(_("排名稳定性"), null=True, blank=True)
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
    """One subject's line of a run: score, rank, rank interval and grade, or why it was not scored.

    Written once, with its run, in the run's transaction, for subjects read in that transaction, and never changed.
    Like the reports' revisions, the rows carry no database foreign keys (the ORM still cascades a run's deletion to
    its rows and protects a cluster, region or project that has rows; the indexes stay): PostgreSQL checked the
    two keys of each of a national run's 500 rows at commit, a tenth of the whole run's time.
    """

    id = RowIdField(primary_key=True, serialize=False, verbose_name="ID")
    # Indexed by the unique keys below, which begin with the run; each subject's index holds only the rows of
    # that kind of subject (a national run's 500 rows updated nine indexes each, now three).
    run = models.ForeignKey(Run, verbose_name=_("评价"), on_delete=models.CASCADE, related_name="rows",
                            db_constraint=False, db_index=False)
    cluster = models.ForeignKey("clusters.Cluster", verbose_name=_("集群"), on_delete=models.PROTECT,
                                related_name="evaluation_rows", null=True, blank=True, db_constraint=False,
                                db_index=False)
    region = models.ForeignKey("regions.Region", verbose_name=_("地区"), on_delete=models.PROTECT,
                               related_name="evaluation_rows", null=True, blank=True, db_constraint=False,
                               db_index=False)
    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="evaluation_rows", null=True, blank=True, db_constraint=False,
                                db_index=False)
    position = models.PositiveIntegerField(_("矩阵行号"), null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=9, decimal_places=4, null=True, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    rank_min = models.PositiveIntegerField(_("最好排名"), null=True, blank=True)
    rank_max = models.PositiveIntegerField(_("最差排名"), null=True, blank=True)
    grade = models.CharField(_("等级"), max_length=10, blank=True)
    bonus = models.DecimalField(_("加分"), max_digits=7, decimal_places=2, null=True, blank=True,
                                help_text=_("方案有加分项时，计入得分的核定加分"))
    excluded = models.TextField(_("未参评原因"), blank=True)
    reason = models.JSONField(_("未参评原因代码"), default=dict, blank=True,
                              help_text=_("未参评原因的代码和参数（jiqun.evaluation.reasons），按阅读者的语言显示；"
                                          "早先的结果行没有，显示存档的文字"))
    objects = RowQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价结果行")
        verbose_name_plural = _("评价结果行")
        ordering = ["run", "rank", "cluster__name"]
        indexes = [
            models.Index(fields=["cluster"], condition=models.Q(cluster__isnull=False), name="evaluation_row_cluster"),
            models.Index(fields=["region"], condition=models.Q(region__isnull=False), name="evaluation_row_region"),
            models.Index(fields=["project"], condition=models.Q(project__isnull=False), name="evaluation_row_project"),
        ]
        constraints = [
            # on every row: the run's rows are read through it
            models.UniqueConstraint(fields=["run", "cluster"], name="evaluation_row_once"),
            models.UniqueConstraint(fields=["run", "region"], condition=models.Q(region__isnull=False),
                                    name="evaluation_region_row_once"),
            models.UniqueConstraint(fields=["run", "project"], condition=models.Q(project__isnull=False),
                                    name="evaluation_project_row_once"),
            models.CheckConstraint(
                condition=models.Q(cluster__isnull=False, region__isnull=True, project__isnull=True)
                | models.Q(cluster__isnull=True, region__isnull=False, project__isnull=True)
                | models.Q(cluster__isnull=True, region__isnull=True, project__isnull=False),
                name="evaluation_row_one_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.subject_name}"

    @property
    def exclusion(self) -> str:
        """Why the subject was not scored, in the reader's language ("" for a scored row)."""
        from jiqun.evaluation.reasons import row_reason

        return row_reason(self.reason, self.excluded) if self.excluded else ""

    @property
    def subject_name(self) -> str:
        if self.project_id:
            return self.project.name
        return self.cluster.name if self.cluster_id else self.region.name

    @property
    def subject_key(self) -> int | str:
        """The key of the row's subject in the run's snapshot: a cluster's or a project's pk, or a region's code."""
        if self.project_id:
            return self.project_id
        return self.cluster_id if self.cluster_id else self.region_id

    @property
    def subject_query(self) -> str:
        """The query string that names this row on the explanation page and its export."""
        if self.project_id:
            return f"project={self.project_id}"
        return f"cluster={self.cluster_id}" if self.cluster_id else f"region={self.region_id}"


# --- AHP consultations of experts (层次分析法征询) ------------------------------------------------------

class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("征询中")  # invited experts enter, revise and submit their judgements
    CLOSED = "closed", _("已结束")  # submitted judgements aggregated and written to the scheme version


CONSULTATION_MOVES: dict[str, frozenset[str]] = {
    ConsultationStatus.OPEN: frozenset({ConsultationStatus.CLOSED}),
    ConsultationStatus.CLOSED: frozenset(),
}


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("填写中")  # the expert may save and revise its judgements
    SUBMITTED = "submitted", _("已提交")  # final; every matrix has CR ≤ 0.1; counts in the aggregation


INVITATION_MOVES: dict[str, frozenset[str]] = {
    InvitationStatus.INVITED: frozenset({InvitationStatus.SUBMITTED}),
    InvitationStatus.SUBMITTED: frozenset(),
}


class ConsultationQuerySet(models.QuerySet):
    def for_user(self, user) -> "ConsultationQuerySet":
        return self.filter(ahp_consultation_q(user)).distinct()


class AhpConsultation(models.Model):
    """The province asks experts for pairwise judgements on an unlocked scheme version's two-level hierarchy
    (dimensions, then the indicators within each dimension); closing it writes AHP weights to the version."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("评价方案"), on_delete=models.PROTECT,
                               related_name="ahp_consultations")
    status = models.CharField(_("状态"), max_length=10, choices=ConsultationStatus.choices,
                              default=ConsultationStatus.OPEN)
    structure = models.JSONField(_("层次结构"), help_text=_("开启时的维度及各维度的指标（编码与名称）"))
    result = models.JSONField(_("集结结果"), null=True, blank=True,
                              help_text=_("按几何平均集结的判断矩阵、一致性比率和全局权重"))
    opened_by = models.CharField(_("开启人"), max_length=150, blank=True)
    opened_at = models.DateTimeField(_("开启时间"), auto_now_add=True)
    closed_by = models.CharField(_("结束人"), max_length=150, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("层次分析法征询")
        verbose_name_plural = _("层次分析法征询")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.scheme} · 层次分析法征询 #{self.pk}"


class InvitationQuerySet(models.QuerySet):
    def for_user(self, user) -> "InvitationQuerySet":
        return self.filter(ahp_invitation_q(user))


class AhpInvitation(models.Model):
    """One expert's invitation to a consultation, with its judgements: per matrix the upper triangle, row by
    row, on the Saaty scale ("3", "1/5"; the reciprocal below the diagonal is implied)."""

    consultation = models.ForeignKey(AhpConsultation, verbose_name=_("征询"), on_delete=models.CASCADE,
                                     related_name="invitations")
    expert = models.ForeignKey("recognition.Expert", verbose_name=_("专家"), on_delete=models.PROTECT,
                               related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=InvitationStatus.choices,
                              default=InvitationStatus.INVITED)
    judgements = models.JSONField(_("判断"), default=dict, blank=True)
    consistency = models.JSONField(_("一致性比率"), default=dict, blank=True, help_text=_("每个判断矩阵的 CR"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    saved_at = models.DateTimeField(_("保存时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("层次分析法征询邀请")
        verbose_name_plural = _("层次分析法征询邀请")
        ordering = ["consultation", "expert__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["consultation", "expert"], name="evaluation_invitation_once")]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.expert.name}"


# --- 加分事项: bonus claims of regions, counted by the runs of schemes with bonus items ------------------


class ClaimState(models.TextChoices):
    CLAIMED = "claimed", _("申报")  # filed by the region's own officer, waiting for the province
    APPROVED = "approved", _("核定")  # the province counts it; a run of the year adds its points
    REJECTED = "rejected", _("不予核定")  # the province refused it (or revoked an approval), with a reason
    WITHDRAWN = "withdrawn", _("已撤回")  # the region withdrew it before the province decided


CLAIM_MOVES: dict[str, frozenset[str]] = {
    ClaimState.CLAIMED: frozenset({ClaimState.APPROVED, ClaimState.REJECTED, ClaimState.WITHDRAWN}),
    ClaimState.APPROVED: frozenset({ClaimState.REJECTED}),
    ClaimState.REJECTED: frozenset(),
    ClaimState.WITHDRAWN: frozenset(),
}


class BonusClaimQuerySet(models.QuerySet):
    def for_user(self, user) -> "BonusClaimQuerySet":
        from jiqun.accounts.scoping import bonus_claim_q

        return self.filter(bonus_claim_q(user))


class BonusClaim(models.Model):
    """A region's claim to a bonus item of a scheme (e.g. 重大集群项目落地) for one year, with its evidence."""

    region = models.ForeignKey("regions.Region", verbose_name=_("地区"), on_delete=models.PROTECT,
                               related_name="bonus_claims")
    year = models.PositiveSmallIntegerField(_("年度"))
    scheme_code = models.SlugField(_("评价方案编码"), max_length=60)
    item = models.SlugField(_("加分项编码"), max_length=60)
    item_label = models.CharField(_("加分项"), max_length=100)
    description = models.TextField(_("事项说明"), max_length=2000)
    evidence = models.CharField(_("证明材料"), max_length=300, help_text=_("文件文号或材料说明"))
    state = models.CharField(_("状态"), max_length=10, choices=ClaimState.choices, default=ClaimState.CLAIMED)
    reason = models.TextField(_("不予核定理由"), blank=True, max_length=1000)
    claimed_by = models.CharField(_("申报人"), max_length=150)
    claimed_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    decided_by = models.CharField(_("核定人"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("核定时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    objects = BonusClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("加分事项")
        verbose_name_plural = _("加分事项")
        ordering = ["-year", "region", "-claimed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.region.name} {self.year}年 {self.item_label}"


# --- 现场观摩打分: the on-site scores of the province's observers, read by project runs (观摩评比) ---------------


class ObservationScoreQuerySet(models.QuerySet):
    def for_user(self, user) -> "ObservationScoreQuerySet":
        from jiqun.accounts.scoping import observation_score_q

        return self.filter(observation_score_q(user)).distinct()


class ObservationScore(models.Model):
    """One observer's on-site score (现场观摩得分, 0–100) of a project in a year's 观摩 of a project scheme. Entered
    by the province; a run of the scheme and year takes the trimmed mean of the project's scores into its snapshot."""

    scheme_code = models.SlugField(_("评价方案编码"), max_length=60)
    year = models.PositiveSmallIntegerField(_("年度"))
    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="observation_scores")
    observer = models.CharField(_("观摩人员"), max_length=100, help_text=_("打分人姓名或观摩组编号"))
    score = models.DecimalField(_("现场得分"), max_digits=5, decimal_places=1)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    entered_by = models.CharField(_("录入人"), max_length=150)
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    objects = ObservationScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("现场观摩得分")
        verbose_name_plural = _("现场观摩得分")
        ordering = ["-year", "scheme_code", "project", "observer"]
        constraints = [
            models.UniqueConstraint(fields=["scheme_code", "year", "project", "observer"],
                                    name="evaluation_observation_once"),
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=100),
                                   name="evaluation_observation_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.project.name} {self.year}年 {self.observer}"
