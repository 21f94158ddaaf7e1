"""Reads of the project library: the filtered list, a project's timeline and the overdue list.

Every read starts from `Project.objects.for_user` / `Constraint.objects.for_user` (jiqun.accounts.scoping), so
pages, the API and the command line show the same rows. A stage is "late" when its planned date has passed
and no StageEvent says it was reached: the evidence is the event, never a flag typed into the project.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from jiqun.projects.models import (
    STAGE_LINE,
    Constraint,
    ConstraintStatus,
    Project,
    Stage,
    StageEvent,
)
from jiqun.regions.models import within_q

# The planned date of each main-line stage that has one: 开工, 竣工, 投产.
MILESTONES: tuple[tuple[str, str], ...] = (
    (Stage.STARTED, "planned_start_on"),
    (Stage.COMPLETED, "planned_completion_on"),
    (Stage.PRODUCING, "planned_production_on"),
)
ENDED = (Stage.WITHDRAWN,)  # a withdrawn project is late for nothing


@dataclass(frozen=True)
class ProjectFilter:
    """What a list is filtered by; empty values filter nothing. Codes are checked by the caller."""

    cluster: int | None = None
    region: str = ""  # a region code: the region and everything below it
    zone: int | None = None
    stage: str = ""
    kind: str = ""
    major_level: str = ""
    q: str = ""


def project_list(user, filters: ProjectFilter = ProjectFilter()) -> QuerySet[Project]:
    """The projects the user sees, filtered."""
    projects = Project.objects.for_user(user).select_related("region", "zone", "investor")
    if filters.cluster:
        projects = projects.filter(clusters=filters.cluster)
    if filters.region:
        projects = projects.filter(within_q("region__code", filters.region))
    if filters.zone:
        projects = projects.filter(zone=filters.zone)
    if filters.stage:
        projects = projects.filter(stage=filters.stage)
    if filters.kind:
        projects = projects.filter(kind=filters.kind)
    if filters.major_level:
        projects = projects.filter(major_level=filters.major_level)
    if filters.q:
        projects = projects.filter(Q(name__icontains=filters.q) | Q(code__icontains=filters.q)
                                   | Q(investor_name__icontains=filters.q) | Q(investor__name__icontains=filters.q))
    return projects.prefetch_related("clusters").order_by("region__code", "code")


@dataclass(frozen=True)
class TimelineRow:
    stage: str
    label: str
    planned: datetime.date | None
    reached: datetime.date | None
    late: bool
    current: bool


def timeline(project: Project, today: datetime.date | None = None) -> list[TimelineRow]:
    """Each main-line stage with its planned and actual date; late: planned date passed, stage not reached."""
    today = today or datetime.date.today()
    reached: dict[str, datetime.date] = {}
    for event in sorted(project.events.all(), key=lambda e: (e.reached_on, e.at, e.pk)):
        if event.to_stage in STAGE_LINE:
            reached[event.to_stage] = event.reached_on
    planned = {stage: getattr(project, name) for stage, name in MILESTONES}
    labels = dict(Stage.choices)
    rows = []
    for stage in STAGE_LINE:
        day = planned.get(stage)
        late = (day is not None and day < today and stage not in reached and project.stage not in ENDED)
        rows.append(TimelineRow(stage, str(labels[stage]), day, reached.get(stage), late, project.stage == stage))
    return rows


def _not_reached(stage: str):
    return ~Exists(StageEvent.objects.filter(project=OuterRef("pk"), to_stage=stage))


@dataclass(frozen=True)
class LateStage:
    project: Project
    stage: str
    label: str
    planned: datetime.date
    days_late: int


@dataclass
class Group:
    name: str
    items: list = field(default_factory=list)


@dataclass
class Overdue:
    as_of: datetime.date
    stages: list[LateStage]
    constraints: list[Constraint]

    def stages_by_region(self) -> list[Group]:
        groups: dict[str, Group] = {}
        for late in self.stages:
            region = late.project.region
            groups.setdefault(region.code, Group(region.name)).items.append(late)
        return [groups[code] for code in sorted(groups)]

    def constraints_by_unit(self) -> list[Group]:
        groups: dict[str, Group] = {}
        for constraint in self.constraints:
            groups.setdefault(constraint.responsible_unit, Group(constraint.responsible_unit)).items.append(constraint)
        return sorted(groups.values(), key=lambda g: (-len(g.items), g.name))


def overdue(user, as_of: datetime.date | None = None) -> Overdue:
    """Stages whose planned date has passed unreached, and open constraints past their deadline."""
    return overdue_in(Project.objects.for_user(user), Constraint.objects.for_user(user), as_of)


def overdue_in(projects: QuerySet[Project], constraints: QuerySet[Constraint],
               as_of: datetime.date | None = None) -> Overdue:
    """The overdue list among the given projects and constraints (the command line reads them all)."""
    as_of = as_of or datetime.date.today()
    labels = dict(Stage.choices)
    visible = projects.exclude(stage__in=ENDED).select_related("region", "zone")
    stages: list[LateStage] = []
    for stage, name in MILESTONES:
        late = visible.filter(**{f"{name}__lt": as_of}).filter(_not_reached(stage))
        for project in late:
            day = getattr(project, name)
            stages.append(LateStage(project, stage, str(labels[stage]), day, (as_of - day).days))
    stages.sort(key=lambda s: (s.project.region_id, s.planned, s.project.code))
    late_constraints = list(
        constraints.filter(status=ConstraintStatus.OPEN, deadline__lt=as_of)
        .select_related("project__region").order_by("responsible_unit", "deadline", "id"))
    return Overdue(as_of, stages, late_constraints)


def constraint_list(user, *, project: Project | None = None, status: str = "",
                    responsible_unit: str = "") -> QuerySet[Constraint]:
    """The constraints the user sees, optionally of one project, in one status or for one unit."""
    constraints = Constraint.objects.for_user(user).select_related("project__region")
    if project is not None:
        constraints = constraints.filter(project=project)
    if status:
        constraints = constraints.filter(status=status)
    if responsible_unit:
        constraints = constraints.filter(responsible_unit=responsible_unit)
    return constraints.order_by("deadline", "id")


@dataclass(frozen=True)
class AuditLine:
    event: object
    summary: str


def _summary(event) -> str:
    """What an audit entry changed, in words: a stage move, a constraint's status, or the fields changed."""
    before, after = event.before or {}, event.after or {}
    stages, statuses = dict(Stage.choices), dict(ConstraintStatus.choices)
    if "stage" in after and "stage" in before and set(after) >= {"reached_on"}:
        return f"{stages.get(before['stage'], '')} → {stages.get(after['stage'], '')}（{after['reached_on']}）"
    if event.object_type == "projects.constraint" and after.get("status") and before.get("status") != after["status"]:
        return f"{statuses.get(before.get('status'), '')} → {statuses.get(after['status'], '')}".strip(" →")
    if event.object_type == "projects.yearplan":
        return f"{after.get('year', '')}：{after.get('planned', '')}"
    model = Constraint if event.object_type == "projects.constraint" else Project
    names = {f.name: str(f.verbose_name) for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
    changed = [names[k] for k in after if k in names and k != "version" and before.get(k) != after[k]] if before else []
    return "、".join(changed)


def project_audit(project: Project, limit: int = 50) -> list[AuditLine]:
    """The audit trail of a project and of its constraints and year plans, newest first, each with a summary."""
    from jiqun.audit.models import AuditEvent

    constraint_ids = [str(pk) for pk in project.constraints.values_list("pk", flat=True)]
    plan_ids = [str(pk) for pk in project.year_plans.values_list("pk", flat=True)]
    events = AuditEvent.objects.filter(
        Q(object_type="projects.project", object_id=str(project.pk))
        | Q(object_type="projects.constraint", object_id__in=constraint_ids)
        | Q(object_type="projects.yearplan", object_id__in=plan_ids)
    ).exclude(action="denied").order_by("-id")[:limit]
    return [AuditLine(event, _summary(event)) for event in events]
