"""The major-project library (重大项目库): projects tied to clusters, regions and parks, their stages with
planned and actual dates, and the constraints (要素制约) that keep them from landing.

A project's stage changes only through `jiqun.projects.services`, one step at a time along STAGE_MOVES, and
every move is a StageEvent whose `reached_on` is the evidence of when the stage was reached: the actual date
of a stage is read from its event, never typed into the project.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiqun.accounts.scoping import dispatch_q, project_constraint_q, project_q
from jiqun.monitoring.models import EDITABLE_STATUSES, ReportStatus


class ProjectKind(models.TextChoices):
    DEMONSTRATION = "demonstration", _("示范项目")
    CHAIN_SUPPORT = "chain_support", _("产业链配套项目")
    SERVICE_PLATFORM = "service_platform", _("服务平台项目")
    INVESTMENT = "investment", _("招商引资项目")
    RENOVATION = "renovation", _("技术改造项目")


class MajorLevel(models.TextChoices):
    PROVINCE = "province", _("省级重大项目")
    CITY = "city", _("市级重大项目")
    COUNTY = "county", _("县级重大项目")


class Stage(models.TextChoices):
    PLANNING = "planning", _("谋划")
    RESERVE = "reserve", _("储备")
    STARTED = "started", _("开工")
    COMPLETED = "completed", _("竣工")
    PRODUCING = "producing", _("投产")
    SUSPENDED = "suspended", _("停缓建")
    WITHDRAWN = "withdrawn", _("退出")


# The main line, in order: a project moves one step forward at a time.
STAGE_LINE: tuple[str, ...] = (Stage.PLANNING, Stage.RESERVE, Stage.STARTED, Stage.COMPLETED, Stage.PRODUCING)
# The named exits: any stage before 投产 may be suspended (停缓建) or withdrawn (退出), each with a reason;
# a suspended project resumes at the stage it left (the service checks which) or is withdrawn.
STAGE_MOVES: dict[str, frozenset[str]] = {
    Stage.PLANNING: frozenset({Stage.RESERVE, Stage.SUSPENDED, Stage.WITHDRAWN}),
    Stage.RESERVE: frozenset({Stage.STARTED, Stage.SUSPENDED, Stage.WITHDRAWN}),
    Stage.STARTED: frozenset({Stage.COMPLETED, Stage.SUSPENDED, Stage.WITHDRAWN}),
    Stage.COMPLETED: frozenset({Stage.PRODUCING, Stage.SUSPENDED, Stage.WITHDRAWN}),
    Stage.PRODUCING: frozenset(),
    Stage.SUSPENDED: frozenset({Stage.PLANNING, Stage.RESERVE, Stage.STARTED, Stage.COMPLETED, Stage.WITHDRAWN}),
    Stage.WITHDRAWN: frozenset(),
}
EXITS = frozenset({Stage.SUSPENDED, Stage.WITHDRAWN})  # moves that need a reason


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user) -> "ProjectQuerySet":
        return self.filter(project_q(user)).distinct()


class Project(models.Model):
    """One project of the library. Investment figures are in 万元."""

    code = models.CharField(_("项目编号"), max_length=40, unique=True,
                            help_text=_("市县项目库的编号；不填时由系统生成"))
    name = models.CharField(_("项目名称"), max_length=200)
    clusters = models.ManyToManyField("clusters.Cluster", verbose_name=_("所属集群"), blank=True,
                                      related_name="projects")
    segment = models.CharField(_("产业链环节"), max_length=80, blank=True,
                               help_text=_("所补、所延或所强的产业链环节（名称；关联到产业链图谱时见下一项）"))
    chain_segment = models.ForeignKey("chains.Segment", verbose_name=_("产业链图谱环节"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="projects",
                                      help_text=_("项目所补、所延或所强的环节；投产后计入该环节的评级"))
    region = models.ForeignKey("regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT,
                               related_name="projects")
    zone = models.ForeignKey("regions.Zone", verbose_name=_("所在园区"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="projects")
    investor = models.ForeignKey("enterprises.Enterprise", verbose_name=_("投资主体（名录企业）"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="projects")
    investor_name = models.CharField(_("投资主体"), max_length=200, blank=True,
                                     help_text=_("名录外企业的名称；名录企业可只选上一项"))
    total_investment = models.DecimalField(_("总投资（万元）"), max_digits=14, decimal_places=2)
    kind = models.CharField(_("项目类型"), max_length=20, choices=ProjectKind.choices)
    is_major = models.BooleanField(_("重大项目"), default=False)
    major_level = models.CharField(_("重大项目级别"), max_length=10, choices=MajorLevel.choices, blank=True)
    leader = models.CharField(_("包保领导"), max_length=100, blank=True)
    service_unit = models.CharField(_("服务专班/责任单位"), max_length=100, blank=True)
    source = models.CharField(_("项目来源"), max_length=200, blank=True,
                              help_text=_("招引名录条目、签约活动等"))
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    stage = models.CharField(_("所处阶段"), max_length=12, choices=Stage.choices, default=Stage.PLANNING)
    planned_start_on = models.DateField(_("计划开工日期"), null=True, blank=True)
    planned_completion_on = models.DateField(_("计划竣工日期"), null=True, blank=True)
    planned_production_on = models.DateField(_("计划投产日期"), null=True, blank=True)
    description = models.TextField(_("建设内容"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["region__code", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(total_investment__gte=0), name="project_investment_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def investor_label(self) -> str:
        return self.investor.name if self.investor_id else self.investor_name


class YearPlan(models.Model):
    """The investment a project plans to complete in one calendar year (万元): the base of 序时进度."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="year_plans")
    year = models.PositiveSmallIntegerField(_("年度"))
    planned = models.DecimalField(_("年度计划投资（万元）"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("年度投资计划")
        verbose_name_plural = _("年度投资计划")
        ordering = ["project", "year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="project_year_plan_once"),
            models.CheckConstraint(condition=models.Q(planned__gte=0), name="project_year_plan_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year}"


class StageEvent(models.Model):
    """One stage move: from, to, the date the new stage was reached (evidence), its basis and who recorded it."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="events")
    from_stage = models.CharField(_("原阶段"), max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=12, choices=Stage.choices)
    reached_on = models.DateField(_("达到日期"))
    evidence = models.CharField(_("依据"), max_length=200, blank=True,
                                help_text=_("开工令、竣工验收、投产公告、会议纪要等"))
    reason = models.TextField(_("原因"), blank=True, help_text=_("停缓建、退出时必填"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=150)
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["project", "reached_on", "at", "id"]

    def __str__(self) -> str:
        return f"{self.project} {self.from_stage}→{self.to_stage}"


class ConstraintKind(models.TextChoices):
    LAND = "land", _("用地")
    ENERGY = "energy", _("能耗/煤耗")
    ENVIRONMENT = "environment", _("环境容量")
    FUNDING = "funding", _("资金")
    APPROVAL = "approval", _("审批")
    OTHER = "other", _("其他")


class ConstraintStatus(models.TextChoices):
    OPEN = "open", _("待解决")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("无法解决，已关闭")


CONSTRAINT_MOVES: dict[str, frozenset[str]] = {
    ConstraintStatus.OPEN: frozenset({ConstraintStatus.RESOLVED, ConstraintStatus.CLOSED}),
    ConstraintStatus.RESOLVED: frozenset(),
    ConstraintStatus.CLOSED: frozenset(),
}


class ConstraintQuerySet(models.QuerySet):
    def for_user(self, user) -> "ConstraintQuerySet":
        return self.filter(project_constraint_q(user)).distinct()


class Constraint(models.Model):
    """A factor that keeps a project from landing (要素制约), the unit that must solve it by when, and the
    decision that closed it."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE,
                                related_name="constraints")
    kind = models.CharField(_("制约类型"), max_length=12, choices=ConstraintKind.choices)
    description = models.TextField(_("问题描述"))
    responsible_unit = models.CharField(_("责任单位"), max_length=100)
    deadline = models.DateField(_("解决时限"))
    status = models.CharField(_("状态"), max_length=10, choices=ConstraintStatus.choices,
                              default=ConstraintStatus.OPEN)
    decision = models.TextField(_("解决措施/决定"), blank=True)
    decided_by = models.CharField(_("决定会议或文件"), max_length=200, blank=True)
    decided_on = models.DateField(_("解决日期"), null=True, blank=True)
    raised_by = models.CharField(_("提出人"), max_length=150)
    raised_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    objects = ConstraintQuerySet.as_manager()

    class Meta:
        verbose_name = _("要素制约")
        verbose_name_plural = _("要素制约")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()}"


# --- The quarterly dispatch (项目调度) -------------------------------------------------------------------

class DispatchQuerySet(models.QuerySet):
    def for_user(self, user) -> "DispatchQuerySet":
        return self.filter(dispatch_q(user))


class Dispatch(models.Model):
    """One project's quarterly dispatch in one reporting period: year-to-date completed investment, progress, the
    stage reached and new constraints. Filed and approved like a statistics report (jiqun.monitoring.workflow);
    the stage reached and the new constraints reach the project when the province approves (see
    jiqun.projects.dispatch_services)."""

    period = models.ForeignKey("monitoring.ReportingPeriod", verbose_name=_("报告期"), on_delete=models.CASCADE,
                               related_name="dispatches")
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="dispatches")
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    completed_ytd = models.DecimalField(_("本年累计完成投资（万元）"), max_digits=14, decimal_places=2, null=True,
                                        blank=True)
    progress = models.TextField(_("形象进度"), blank=True)
    stage_to = models.CharField(_("本期达到阶段"), max_length=12, choices=Stage.choices, blank=True)
    stage_on = models.DateField(_("达到日期"), null=True, blank=True)
    stage_evidence = models.CharField(_("阶段依据"), max_length=200, blank=True)
    new_constraints = models.JSONField(_("新增要素制约"), default=list, blank=True,
                                       help_text=_("[{kind, description, responsible_unit, deadline}]，省级审核通过后登记"))
    stage_event = models.ForeignKey(StageEvent, verbose_name=_("已登记的阶段变更"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    filled_by = models.JSONField(_("填报人"), default=list, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = DispatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目调度")
        verbose_name_plural = _("项目调度")
        ordering = ["period", "project__region__code", "project__code"]
        constraints = [models.UniqueConstraint(fields=["period", "project"], name="one_dispatch_per_project_period")]

    def __str__(self) -> str:
        return f"{self.project.name} {self.period}"

    @property
    def subject_name(self) -> str:
        return self.project.name

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def last_changed(self):
        return self.updated_at


class DispatchEvent(models.Model):
    """One move of a dispatch along the approval chain, with who, when and why (as ReportEvent)."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=20, choices=ReportStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ReportStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=150)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    comment = models.TextField(_("意见"), blank=True)

    class Meta:
        ordering = ["dispatch", "at", "id"]
        verbose_name = _("调度流转记录")
        verbose_name_plural = _("调度流转记录")

    def __str__(self) -> str:
        return f"{self.dispatch} {self.from_status}→{self.to_status}"
