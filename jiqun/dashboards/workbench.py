"""The workbench (工作台): what waits for this user, gathered from the owning apps' selectors and permissions.

`workbench_items(user, today)` lists groups (reports to fill, returned reports with the reason, reports to
approve, corrections to decide, dispatches, overdue constraints and stages, supervision tasks, expert
assignments, AHP invitations, objections, cluster proposals, a chain chief's 招引名录 and 九个一), each with a
count, a few rows linking to the place to act, and a "查看全部" link. Only groups with something in them are
listed. Every read starts from the user's scope (`for_user`); the query count does not grow with the data:
counts are counted in the database and only the first rows of a group are read.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from jiqun.accounts.permissions import (
    follows_supervision_tasks,
    has_workbench,
    is_expert,
    is_leader,
    is_province_admin,
)
from jiqun.accounts.scoping import report_fill_q, visible_prefix
from jiqun.monitoring.models import (
    EDITABLE_STATUSES,
    CorrectionRequest,
    CorrectionStatus,
    PeriodStatus,
    Report,
    ReportEvent,
    ReportStatus,
    period_name,
)

ROWS = 5  # rows a group shows on the workbench
APPROVAL_ROWS = 10  # reports the workbench's bulk approval form lists (the approval page lists more)
APPROVAL_PAGE_ROWS = 200
DEADLINE_NEAR = 7  # days before a period's deadline when its unsubmitted reports are flagged
PROSPECT_SILENT_DAYS = 30

S = ReportStatus


@dataclass
class Row:
    text: str
    url: str
    reason: str = ""  # a short why: the return reason, the warning state, the days late
    due: datetime.date | None = None
    late: bool = False


@dataclass
class Group:
    key: str
    title: str
    count: int
    rows: list[Row]
    more_url: str
    more_label: str = ""
    approval: list = field(default_factory=list)  # the approve group's ApprovalRows (the bulk form)

    def __post_init__(self):
        self.more_label = self.more_label or _("查看全部")


@dataclass
class ApprovalRow:
    """A report waiting for the user's approval, with whether it may be approved in bulk and why not."""

    report: Report
    url: str
    blockers: list[str] = field(default_factory=list)  # unexplained warnings and errors
    filled_by_you: bool = False
    explained: list[str] = field(default_factory=list)  # explained warnings with their explanations
    yours: bool = True  # whether the user gives its next approval (a cross-city cluster's is the province's)

    @property
    def clean(self) -> bool:
        return self.yours and not self.blockers and not self.filled_by_you

    @property
    def reason(self) -> str:
        if not self.yours:
            return _("该报表不由您审核（跨市集群的报表由省级代市级审核）")
        if self.filled_by_you:
            return _("您填报过该报表，须由他人审核")
        if self.blockers:
            return _("%(n)s 项审核问题未说明") % {"n": len(self.blockers)}
        if self.explained:
            return _("%(n)s 项核实性问题均已说明") % {"n": len(self.explained)}
        return _("无核实性问题")


# --- statistics reports ---------------------------------------------------------------------------------

def reports_to_fill(user):
    """Draft and returned reports of open periods that the user keeps."""
    return (Report.objects.for_user(user).filter(report_fill_q(user))
            .filter(status__in=EDITABLE_STATUSES, period__status=PeriodStatus.OPEN))


def reports_to_approve(user):
    """Reports waiting for this user's approval: a city officer's submitted reports of its city, the province's
    city-approved reports (the per-report services decide; this is what to show)."""
    from jiqun.monitoring.bulk import awaited_status

    status = awaited_status(user)
    if status is None:
        return Report.objects.none()
    return Report.objects.for_user(user).filter(status=status)


def _with_subject(reports):
    return reports.select_related("period__programme", "cluster", "enterprise", "region")


def _report_url(report) -> str:
    return reverse("monitoring:report", args=[report.pk])


def approval_rows(user, limit: int | None = None) -> tuple[list[ApprovalRow], int]:
    """The first `limit` reports waiting for the user's approval, each checked as bulk approval checks it, and
    how many wait in all."""
    from django.conf import settings

    from jiqun.monitoring.bulk import approval_review
    from jiqun.monitoring.permissions import can_approve_next, filled_report_ids

    limit = limit or APPROVAL_ROWS
    waiting = reports_to_approve(user)
    count = waiting.count()
    if not count:
        return [], 0
    reports = list(_with_subject(waiting).with_figures().order_by("submitted_at", "pk")[:limit])
    filled = set()
    if settings.JIQUN_SEPARATE_FILL_AND_APPROVE:  # has_filled_report, for all rows at once
        filled = filled_report_ids(user, [r.pk for r in reports])
    rows = []
    for report in reports:
        blockers, explained = approval_review(report)
        rows.append(ApprovalRow(report, _report_url(report), blockers, report.pk in filled, explained,
                                can_approve_next(user, report)))
    return rows, count


def _returned_reasons(reports) -> dict[int, ReportEvent]:
    """The last return event of each report: the reason, who and when."""
    events = {}
    for event in (ReportEvent.objects.filter(report__in=[r.pk for r in reports], to_status=S.RETURNED)
                  .order_by("report_id", "-at", "-id")):
        events.setdefault(event.report_id, event)
    return events


def _statistics(user, today: datetime.date) -> list[Group]:
    from django.utils import timezone

    groups = []
    periods_url = reverse("monitoring:periods")
    to_fill = reports_to_fill(user)
    returned = to_fill.filter(status=S.RETURNED)
    n_returned = returned.count()
    if n_returned:
        reports = list(_with_subject(returned).order_by("period__deadline", "pk")[:ROWS])
        events = _returned_reasons(reports)
        rows = []
        for report in reports:
            event = events.get(report.pk)
            reason = (_("%(who)s 于 %(at)s 退回：%(reason)s")
                      % {"who": event.actor_name, "at": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"),
                         "reason": event.comment} if event else _("已退回"))
            rows.append(Row(str(report), _report_url(report), reason, report.period.deadline,
                            report.period.deadline < today))
        groups.append(Group("returned", _("被退回的报表"), n_returned, rows, periods_url))
    drafts = to_fill.filter(status=S.DRAFT)
    n_drafts = drafts.count()
    if n_drafts:
        rows = [Row(str(r), _report_url(r), _("草稿，截止 %(day)s") % {"day": r.period.deadline}, r.period.deadline,
                    r.period.deadline < today)
                for r in _with_subject(drafts).order_by("period__deadline", "pk")[:ROWS]]
        groups.append(Group("fill", _("待填报的报表"), n_drafts, rows, periods_url))
    near = (to_fill.filter(period__deadline__lte=today + datetime.timedelta(days=DEADLINE_NEAR))
            .order_by().values("period", "period__deadline", "period__year", "period__quarter", "period__programme__name")
            .annotate(n=Count("pk")).order_by("period__deadline"))
    near = list(near)
    if near:
        rows = []
        for p in near[:ROWS]:
            late = p["period__deadline"] < today
            words = {"n": p["n"], "day": p["period__deadline"], "days": abs((p["period__deadline"] - today).days)}
            reason = (_("%(n)s 份未提交，已逾期 %(days)s 天") if late else _("%(n)s 份未提交，%(days)s 天后截止")) % words
            rows.append(Row(f'{p["period__programme__name"]} {period_name(p["period__year"], p["period__quarter"])}',
                            reverse("monitoring:period", args=[p["period"]]) + "?overdue=1" * late, reason,
                            p["period__deadline"], late))
        groups.append(Group("deadlines", _("临近截止或已逾期的报告期"), len(near), rows, periods_url))
    rows, n_waiting = approval_rows(user)
    if n_waiting:
        groups.append(Group("approve", _("待我审核的报表"), n_waiting,
                            [Row(str(r.report), r.url, r.reason) for r in rows],
                            reverse("dashboards:workbench_approve")))
        groups[-1].approval = rows
    if is_province_admin(user):  # the province decides corrections
        corrections = CorrectionRequest.objects.filter(status=CorrectionStatus.PENDING,
                                                       report__in=Report.objects.for_user(user).values("pk"))
        n = corrections.count()
        if n:
            rows = [Row(str(c.report), _report_url(c.report),
                        _("%(who)s 申请：%(reason)s") % {"who": c.requested_by, "reason": c.reason})
                    for c in corrections.select_related("report__period__programme", "report__cluster",
                                                        "report__enterprise", "report__region")
                    .order_by("requested_at")[:ROWS]]
            groups.append(Group("corrections", _("待审批的更正申请"), n, rows, periods_url))
    return groups


# --- project dispatch and overdue -------------------------------------------------------------------------

def _projects(user, today: datetime.date) -> list[Group]:
    from jiqun.projects.models import Dispatch
    from jiqun.projects.permissions import dispatch_status_to_approve, keeps_dispatches, sees_overdue_projects
    from jiqun.projects.selectors import overdue

    groups = []
    if keeps_dispatches(user):
        # keeps_dispatch (can_edit_project): the province every project, an officer those inside its region
        open_ones = Dispatch.objects.for_user(user).filter(period__status=PeriodStatus.OPEN)
        to_fill = open_ones.filter(status__in=EDITABLE_STATUSES)
        if not is_province_admin(user):
            to_fill = to_fill.filter(project__region__code__startswith=visible_prefix(user) or "-")
        waiting_status = dispatch_status_to_approve(user)
        waiting = open_ones.filter(status=waiting_status) if waiting_status else open_ones.none()
        for key, title, qs in (("dispatch_fill", _("待填报的项目调度"), to_fill),
                               ("dispatch_approve", _("待我审核的项目调度"), waiting)):
            n = qs.count()
            if n:
                rows = [Row(f"{d.project.name} {d.period}", reverse("dispatch:detail", args=[d.pk]),
                            str(d.get_status_display()), d.period.deadline, d.period.deadline < today
                            and d.status in EDITABLE_STATUSES)
                        for d in qs.select_related("project", "period").order_by("period__deadline", "pk")[:ROWS]]
                groups.append(Group(key, title, n, rows, reverse("dispatch:index")))
    if sees_overdue_projects(user):
        late = overdue(user, today)
        overdue_url = reverse("projects:overdue")
        if late.constraints:
            rows = [Row(_("%(project)s：%(what)s") % {"project": c.project.name, "what": c.get_kind_display()},
                        reverse("projects:detail", args=[c.project_id]),
                        _("%(unit)s，时限 %(day)s，已逾期 %(days)s 天")
                        % {"unit": c.responsible_unit, "day": c.deadline, "days": (today - c.deadline).days},
                        c.deadline, True)
                    for c in sorted(late.constraints, key=lambda c: (c.deadline, c.pk))[:ROWS]]
            groups.append(Group("constraints", _("逾期未解决的要素制约"), len(late.constraints), rows, overdue_url))
        if late.stages:
            stages = sorted(late.stages, key=lambda s: (-s.days_late, s.project.code))
            rows = [Row(_("%(project)s：%(what)s") % {"project": s.project.name, "what": s.label},
                        reverse("projects:detail", args=[s.project.pk]),
                        _("计划 %(day)s，已逾期 %(days)s 天") % {"day": s.planned, "days": s.days_late}, s.planned, True)
                    for s in stages[:ROWS]]
            groups.append(Group("stages", _("逾期的项目节点"), len(late.stages), rows, overdue_url))
    return groups


# --- supervision tasks ------------------------------------------------------------------------------------

def quarter_start(today: datetime.date) -> datetime.date:
    return datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)


def _tasks(user, today: datetime.date) -> list[Group]:
    from jiqun.targets.models import TaskStatus
    from jiqun.targets.supervision import task_rows, tasks_for

    if not follows_supervision_tasks(user):
        return []
    since = quarter_start(today)
    waiting = []
    for row in task_rows(tasks_for(user), today=today):
        if row.status == TaskStatus.COMPLETED:
            continue
        silent = row.latest is None or row.latest.reported_at.date() < since
        if row.overdue or silent:
            waiting.append((row, silent))
    if not waiting:
        return []
    waiting.sort(key=lambda item: (not item[0].overdue, item[0].deadline))
    rows = [Row(f"{r.task.code} {r.task.title}", reverse("targets:task", args=[r.task.pk]),
                (_("已逾期（%(year)s年底到期）") % {"year": r.task.due_year} if r.overdue else "")
                + (_("本季度未报送进展") if silent else ""), r.deadline, r.overdue)
            for r, silent in waiting[:ROWS]]
    return [Group("tasks", _("逾期或本季度未报送的督导任务"), len(waiting), rows, reverse("targets:tasks"))]


# --- recognition and evaluation ---------------------------------------------------------------------------

def _recognition(user, today: datetime.date) -> list[Group]:
    from jiqun.evaluation.models import AhpInvitation, InvitationStatus
    from jiqun.recognition.models import Assignment, CallStatus, Objection

    groups = []
    if is_expert(user):
        assignments = Assignment.objects.for_user(user).filter(submitted_at__isnull=True,
                                                               application__call__status=CallStatus.REVIEW)
        n = assignments.count()
        if n:
            rows = [Row(str(a.application.cluster), reverse("recognition:assignment", args=[a.pk]),
                        str(a.application.call))
                    for a in assignments.select_related("application__cluster", "application__call")
                    .order_by("assigned_at", "pk")[:ROWS]]
            groups.append(Group("assignments", _("待评分的认定申报"), n, rows, reverse("recognition:assignments")))
        invitations = AhpInvitation.objects.for_user(user).filter(status=InvitationStatus.INVITED)
        n = invitations.count()
        if n:
            rows = [Row(str(i.consultation), reverse("evaluation:invitation", args=[i.pk]), _("请填写两两比较判断"))
                    for i in invitations.select_related("consultation").order_by("pk")[:ROWS]]
            groups.append(Group("ahp", _("待填写的指标权重征询（AHP）"), n, rows, reverse("evaluation:invitations")))
    if is_province_admin(user):
        from jiqun.clusters.models import Cluster, ClusterProposal, ProposalState
        from jiqun.recognition.models import Application

        objections = Objection.objects.filter(answer="", application__in=Application.objects.for_user(user)
                                              .filter(call__status=CallStatus.PUBLICITY).values("pk"))
        n = objections.count()
        if n:
            rows = [Row(str(o.application.cluster), reverse("recognition:application", args=[o.application_id]),
                        _("%(who)s 于 %(day)s 提出异议") % {"who": o.objector, "day": o.received_on})
                    for o in objections.select_related("application__cluster").order_by("received_on", "pk")[:ROWS]]
            groups.append(Group("objections", _("待答复的公示异议"), n, rows, reverse("recognition:calls")))
        proposals = ClusterProposal.objects.filter(state=ProposalState.PENDING,
                                                   cluster__in=Cluster.objects.for_user(user).values("pk"))
        n = proposals.count()
        if n:
            rows = [Row(str(p.cluster), reverse("clusters:detail", args=[p.cluster_id]),
                        (_("拟退出：") if p.status == "exited" else "") + p.reason[:60])
                    for p in proposals.select_related("cluster").order_by("proposed_at", "pk")[:ROWS]]
            groups.append(Group("proposals", _("待审核的集群变更（含退出）提议"), n, rows, reverse("clusters:proposals")))
        screening = Application.objects.for_user(user).filter(call__status=CallStatus.REVIEW, assignments__isnull=True)
        n = screening.count()
        if n:
            rows = [Row(str(a.cluster), reverse("recognition:application", args=[a.pk]),
                        _("符合申报条件") if a.eligible else _("资格审查未通过"))
                    for a in screening.select_related("cluster", "call").order_by("pk")[:ROWS]]
            groups.append(Group("applications", _("待审查并分配专家的认定申报"), n, rows, reverse("recognition:calls")))
    return groups


# --- a chain chief's chains -------------------------------------------------------------------------------

def _chains(user, today: datetime.date) -> list[Group]:
    from jiqun.chains.chief_selectors import chain_sheets, chains_led
    from jiqun.chains.models import Prospect, ProspectStatus

    if not is_leader(user):
        return []
    chains = chains_led(user)
    if not chains:
        return []
    groups = []
    cutoff = today - datetime.timedelta(days=PROSPECT_SILENT_DAYS)
    silent = (Prospect.objects.for_user(user)
              .filter(segment__chain__in=chains, status__in=[ProspectStatus.LEAD, ProspectStatus.CONTACT])
              .annotate(last=Max("events__on"))
              .filter(Q(last__lt=cutoff) | Q(last__isnull=True, created_at__date__lt=cutoff)))
    n = silent.count()
    if n:
        rows = [Row(_("%(company)s（%(chain)s·%(segment)s）") % {"company": p.company.name, "chain": p.segment.chain.name,
                                                               "segment": p.segment.name},
                    reverse("chain_prospects:detail", args=[p.pk]),
                    _("最近接洽 %(day)s") % {"day": p.last} if p.last else _("尚无接洽记录"))
                for p in silent.select_related("company", "segment__chain").order_by("last", "pk")[:ROWS]]
        groups.append(Group("prospects", _("30 天未接洽的招引目标"), n, rows, reverse("chain_prospects:list")))
    rows, missing = [], 0
    for chain in chains:
        for line in chain_sheets(user, chain):
            left = line.total - line.done
            if left:
                missing += left
                rows.append(Row(f"{chain.name}·{line.sheet.region.name}", reverse("chain_chief:chain", args=[chain.pk]),
                                _("“九个一”尚有 %(n)s 项未落实（%(done)s/%(total)s）")
                                % {"n": left, "done": line.done, "total": line.total}))
    if missing:
        groups.append(Group("checklists", _("未落实的“九个一”事项"), missing, rows[:ROWS],
                            reverse("chain_chief:home")))
    return groups


def workbench_items(user, today: datetime.date) -> list[Group]:
    """What waits for `user` on `today`, group by group (only the groups with something in them)."""
    if not has_workbench(user):
        return []
    groups = []
    for gather in (_statistics, _projects, _tasks, _recognition, _chains):
        groups += gather(user, today)
    return groups
