"""Targets, progress and supervision (督导): adjustments of pack targets, task status updates with evidence,
and the per-chain checklists (Jining's 群链长 “九个一”).

The targets, tasks and checklist items themselves are the programme packs' (jiqun.programmes); this app
keeps what happens to them. Progress is never stored: it is computed from the registries and approved
statistics each time it is shown (selectors.py, progress.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiqun.accounts.scoping import checklist_evidence_q, checklist_q, task_update_q
from jiqun.enterprises.models import Source


class ProgressStatus(models.TextChoices):
    """The values of jiqun.targets.progress, with their labels."""

    ON_TRACK = "on_track", _("进展顺利")  # the forecast for the target year reaches the target
    AT_RISK = "at_risk", _("存在风险")  # the forecast falls short by less than 10%
    BEHIND = "behind", _("进度滞后")  # the forecast falls short by more
    ACHIEVED = "achieved", _("已完成")  # the current figure meets the target
    EXPIRED = "expired", _("到期未完成")  # the target year is over, not met
    NO_DATA = "no_data", _("无数据")  # nothing on record to judge by


COMPARATORS = [(">=", "≥"), ("<=", "≤"), ("==", "="), ("≈", _("约（左右）"))]


class TargetOverride(models.Model):
    """The province admin's adjustment of a pack target. The pack's own figure and clause stay on record."""

    target = models.OneToOneField("programmes.Target", verbose_name=_("目标"), on_delete=models.CASCADE,
                                  related_name="override")
    value = models.DecimalField(_("调整后目标值"), max_digits=20, decimal_places=4, null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("调整后目标年"), null=True, blank=True)
    comparator = models.CharField(_("调整后比较方式"), max_length=2, choices=COMPARATORS, blank=True)
    baseline_value = models.DecimalField(_("基数"), max_digits=20, decimal_places=4, null=True, blank=True,
                                         help_text=_("与目标同一单位"))
    baseline_year = models.PositiveSmallIntegerField(_("基数年份"), null=True, blank=True,
                                                     help_text=_("基数为该年年末（或全年）的数"))
    reason = models.TextField(_("调整依据"), help_text=_("文件、会议纪要或批示，写明文号"))
    updated_by = models.CharField(_("调整人"), max_length=150)
    updated_at = models.DateTimeField(_("调整时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("目标调整")
        verbose_name_plural = _("目标调整")

    def __str__(self) -> str:
        return f"{self.target} 调整"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")  # no update reported yet
    IN_PROGRESS = "in_progress", _("推进中")  # work under way
    BLOCKED = "blocked", _("受阻")  # needs help from above the unit (用地、资金、协调)
    COMPLETED = "completed", _("已完成")  # done, with evidence; final


# Which status an update may move a task to. Completed is final: a new task needs a new clause.
TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.NOT_STARTED: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.COMPLETED}),
    TaskStatus.IN_PROGRESS: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.COMPLETED}),
    TaskStatus.BLOCKED: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.COMPLETED}),
    TaskStatus.COMPLETED: frozenset(),
}


class TaskUpdateQuerySet(models.QuerySet):
    def for_user(self, user) -> "TaskUpdateQuerySet":
        return self.filter(task_update_q(user))


def evidence_path(instance, filename: str) -> str:
    return f"targets/evidence/{instance.sha256[:2]}/{instance.sha256}"


class TaskUpdate(models.Model):
    """One status report on a task by one of its units: what was done, and what proves it."""

    task = models.ForeignKey("programmes.Task", verbose_name=_("任务"), on_delete=models.CASCADE,
                             related_name="updates")
    from_status = models.CharField(_("原状态"), max_length=12, choices=TaskStatus.choices)
    status = models.CharField(_("状态"), max_length=12, choices=TaskStatus.choices)
    unit = models.CharField(_("报送单位"), max_length=100, help_text=_("任务的牵头单位或责任单位之一"))
    region = models.ForeignKey("regions.Region", verbose_name=_("所在区划"), null=True, blank=True,
                               on_delete=models.PROTECT)
    progress = models.TextField(_("进展情况"))
    evidence = models.TextField(_("佐证材料"), blank=True, help_text=_("文件名称和文号、会议、网址等"))
    evidence_file = models.FileField(_("佐证附件"), upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(_("附件原名"), max_length=200, blank=True)
    sha256 = models.CharField(_("附件校验值"), max_length=64, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reported_by_name = models.CharField(_("报送人"), max_length=150)
    reported_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)

    objects = TaskUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["task", "-reported_at", "-id"]
        verbose_name = _("任务进展")
        verbose_name_plural = _("任务进展")

    def __str__(self) -> str:
        return f"{self.task.code} {self.unit} {self.get_status_display()}"


class ChainChecklistQuerySet(models.QuerySet):
    def for_user(self, user) -> "ChainChecklistQuerySet":
        return self.filter(checklist_q(user))


class ChecklistEvidenceQuerySet(models.QuerySet):
    def for_user(self, user) -> "ChecklistEvidenceQuerySet":
        return self.filter(checklist_evidence_q(user))


class ChainChecklist(models.Model):
    """One industry chain's sheet of a programme checklist, kept by the county or zone that runs the chain.

    Jining's 群链长 system (JN-2020-231 四(一)): 县市区、功能区建立“九个一”工作机制 for each chain.
    A sheet is attached to the chain record (`chain_record`, a chain of the registry serving the sheet's
    cluster); `chain` keeps the chain's name as written, and is all that sheets opened before the registry
    existed have until someone links them (`checklist_chain_set`).
    """

    programme = models.ForeignKey("programmes.Programme", verbose_name=_("培育工程"), on_delete=models.PROTECT)
    checklist_code = models.CharField(_("清单编码"), max_length=30)
    cluster = models.ForeignKey("clusters.Cluster", verbose_name=_("集群"), on_delete=models.CASCADE,
                                related_name="chain_checklists")
    chain = models.CharField(_("产业链"), max_length=100)
    chain_record = models.ForeignKey("chains.Chain", verbose_name=_("产业链（登记）"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="checklists",
                                     help_text=_("产业链登记中的产业链；早先只填了链名的清单可补充关联"))
    region = models.ForeignKey("regions.Region", verbose_name=_("责任县市区"), on_delete=models.PROTECT,
                               help_text=_("建立该链“九个一”机制的县市区（或功能区所在区划）"))
    chief = models.CharField(_("链长"), max_length=100, blank=True)
    created_by = models.CharField(_("创建人"), max_length=150)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    history = HistoricalRecords()

    objects = ChainChecklistQuerySet.as_manager()

    class Meta:
        ordering = ["cluster", "chain", "region"]
        constraints = [
            models.UniqueConstraint(fields=["checklist_code", "cluster", "chain", "region"],
                                    name="one_checklist_per_chain_and_region"),
            models.UniqueConstraint(fields=["checklist_code", "cluster", "chain_record", "region"],
                                    condition=models.Q(chain_record__isnull=False),
                                    name="one_checklist_per_chain_record_and_region"),
        ]
        verbose_name = _("产业链清单")
        verbose_name_plural = _("产业链清单")

    def __str__(self) -> str:
        return f"{self.cluster.name}·{self.chain_name}（{self.region.name}）"

    @property
    def chain_name(self) -> str:
        """The registered chain's name when linked, else the name as written."""
        return self.chain_record.name if self.chain_record_id else self.chain


class ChecklistEvidence(models.Model):
    """Whether one checklist item is in place for a chain, and what proves it.

    Items are referred to by code, not by key: a pack reload recreates the checklist items.
    """

    sheet = models.ForeignKey(ChainChecklist, on_delete=models.CASCADE, related_name="entries")
    item_code = models.CharField(_("事项编号"), max_length=10)
    done = models.BooleanField(_("已落实"), default=False)
    evidence = models.TextField(_("佐证材料"), blank=True, help_text=_("文件名称和文号、会议、网址等"))
    evidence_file = models.FileField(_("佐证附件"), upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(_("附件原名"), max_length=200, blank=True)
    sha256 = models.CharField(_("附件校验值"), max_length=64, blank=True)
    updated_by = models.CharField(_("填报人"), max_length=150)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    history = HistoricalRecords()

    objects = ChecklistEvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["sheet", "item_code"]
        constraints = [models.UniqueConstraint(fields=["sheet", "item_code"], name="one_entry_per_item")]
        verbose_name = _("清单佐证")
        verbose_name_plural = _("清单佐证")

    def __str__(self) -> str:
        return f"{self.sheet} {self.item_code} {'已落实' if self.done else '未落实'}"
