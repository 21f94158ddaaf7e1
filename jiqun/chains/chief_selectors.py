"""What a 链长 (chain chief) reads about the chains it leads: gaps, the 招引名录's progress, projects on the chain's
segments, targets, the “九个一” checklist and the supervision tasks of the chain's clusters.

Read-only, and every read starts from the user's scope (`for_user`, jiqun.accounts.scoping): a chief sees what
its scope shows. `Chain.chief` puts the chain itself in the chief's scope (chain_q, supply_link_q, prospect_q);
projects, targets, checklists and tasks follow their own rules (a chief whose region does not cover the chain's
sees only the chain's map, its supply links and its 招引名录).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from jiqun.accounts.models import Role, User
from jiqun.accounts.scoping import sees_supply_links
from jiqun.chains.analysis import ChainAnalysis, Need, Rating, SegmentVerdict, analyse_chain
from jiqun.chains.models import Chain, Prospect, ProspectStatus
from jiqun.projects.models import Constraint, Project, Stage
from jiqun.projects.selectors import Overdue, overdue_in
from jiqun.targets.models import TaskStatus
from jiqun.targets.selectors import Row, target_rows
from jiqun.targets.supervision import TaskRow, checklist_lines, completeness, sheets_for, task_rows, tasks_for

GAP_RATINGS = (Rating.MISSING, Rating.WEAK)


def chains_led(user) -> list[Chain]:
    """The chains the user is 链长 of (the chief's scope includes them: chain_q)."""
    if not user.is_authenticated:
        return []
    return list(Chain.objects.for_user(user).filter(chief=user).select_related("region", "chain_leader")
                .prefetch_related("clusters").order_by("region__code", "code"))


def chief_candidates():
    """Who may be set as a chain's 链长: active accounts of the 领导/群长/链长 role (chain_update refuses others)."""
    return User.objects.filter(role=Role.LEADER, is_active=True).order_by("region__code", "username")


@dataclass(frozen=True)
class SheetLine:
    sheet: object
    score: Decimal
    done: int
    total: int


def chain_sheets(user, chain: Chain) -> list[SheetLine]:
    """The checklist sheets (九个一) attached to the chain that the user sees, with their completeness."""
    lines = []
    for sheet in sheets_for(user).filter(chain_record=chain).prefetch_related("entries").order_by("region__code"):
        items = checklist_lines(sheet)
        lines.append(SheetLine(sheet, completeness(items), sum(1 for i in items if i.done), len(items)))
    return lines


@dataclass
class ChiefView:
    """One chain as its chief reads it."""

    chain: Chain
    analysis: ChainAnalysis
    gaps: list[SegmentVerdict]
    extensions: list[SegmentVerdict]
    prospects: list[tuple[str, str, int]]  # status, label, count
    projects: list[Project]
    stages: list[tuple[str, str, int]]  # stage, label, count
    overdue: Overdue
    target_rows: list[Row]
    sheets: list[SheetLine]
    tasks: list[TaskRow]
    sees_supply_links: bool
    as_of: datetime.date
    segment_names: dict[int, str] = field(default_factory=dict)

    @property
    def prospect_total(self) -> int:
        return sum(n for _, _, n in self.prospects)

    @property
    def overdue_tasks(self) -> list[TaskRow]:
        return [t for t in self.tasks if t.overdue]

    @property
    def blocked_tasks(self) -> list[TaskRow]:
        return [t for t in self.tasks if t.status == TaskStatus.BLOCKED]

    @property
    def tasks_done(self) -> int:
        return sum(1 for t in self.tasks if t.status == TaskStatus.COMPLETED)

    @property
    def overdue_projects(self) -> int:
        return len({late.project.pk for late in self.overdue.stages})

    @property
    def local_rate_gap(self) -> Decimal | None:
        """Points still to go to the chain's local supporting rate target (None when either is unknown)."""
        if self.chain.local_rate_target is None or self.analysis.local_rate is None:
            return None
        return max(self.chain.local_rate_target - self.analysis.local_rate, Decimal(0))


def chief_view(user, chain: Chain, as_of: datetime.date | None = None) -> ChiefView:
    """Everything the chief page shows for one chain the user sees (the caller checks that it does)."""
    as_of = as_of or datetime.date.today()
    analysis = analyse_chain(chain)
    gaps = [v for v in analysis.segments if v.rating in GAP_RATINGS and v.need != Need.EXTEND]
    gaps.sort(key=lambda v: (v.rating != Rating.MISSING, v.code))
    extensions = [v for v in analysis.segments if v.need == Need.EXTEND]

    counts = dict(Prospect.objects.for_user(user).filter(segment__chain=chain).order_by().values("status")
                  .annotate(n=Count("pk")).values_list("status", "n"))
    prospects = [(value, str(label), counts.get(value, 0)) for value, label in ProspectStatus.choices]

    projects_qs = Project.objects.for_user(user).filter(chain_segment__chain=chain).distinct()
    projects = list(projects_qs.select_related("region", "chain_segment").order_by("stage", "code"))
    stage_counts = {s: 0 for s, _ in Stage.choices}
    for project in projects:
        stage_counts[project.stage] += 1
    stages = [(value, str(label), stage_counts[value]) for value, label in Stage.choices]
    late = overdue_in(projects_qs, Constraint.objects.for_user(user).filter(project__in=projects_qs), as_of)

    cluster_keys = {str(pk) for pk in chain.clusters.values_list("pk", flat=True)}
    rows = [r for r in target_rows(user, as_of=as_of, subject_kind="cluster") if r.subject.key in cluster_keys]

    programmes = chain.clusters.values("programme")
    tasks = task_rows(tasks_for(user).filter(programme__in=programmes), today=as_of)
    return ChiefView(
        chain=chain, analysis=analysis, gaps=gaps, extensions=extensions, prospects=prospects, projects=projects,
        stages=stages, overdue=late, target_rows=rows, sheets=chain_sheets(user, chain), tasks=tasks,
        sees_supply_links=sees_supply_links(user, chain), as_of=as_of,
    )
