"""The project pipeline: projects by stage per cluster and per region, their investment, and the counts the
targets ask for (SD-SEI-2020's "about 20 key projects per cluster", Jining's park targets T37/T38).

Pure selectors over the projects a user sees; the views and the Excel writer only format what they return.
Completed investment comes from the quarterly dispatch (调度): `completed_investment` is the one place it is
read, and answers None with the reason while no dispatch has been filed.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.projects.models import STAGE_LINE, Project, Stage, YearPlan
from jiqun.regions.models import Region, city_code

PIPELINE_STAGES: tuple[str, ...] = (*STAGE_LINE, Stage.SUSPENDED)  # 退出 is not in the pipeline
NO_CLUSTER = gettext_lazy("未关联集群")
RULE_OF_TWENTY = 20  # SD-SEI-2020 三(二): 每个集群调度推进20个左右重点项目


@dataclass(frozen=True)
class Completed:
    """A project's completed investment of a year (万元), or None with the reason it is not known."""

    value: Decimal | None
    reason: str = ""


def completed_investment(project: Project, year: int) -> Completed:
    """The investment a project completed in `year`, from its latest approved dispatch of that year.

    The quarterly dispatch (jiqun.projects.dispatch_selectors) reports the year-to-date completed investment;
    without an approved dispatch of the project and year, the figure is unknown and the reason says why.
    """
    from jiqun.projects.dispatch_selectors import completed_investment as dispatched

    found = dispatched(project, year)
    if found.value is not None:
        return Completed(Decimal(found.value))
    return Completed(None, _("完成投资来自季度调度：%(reason)s") % {"reason": found.source})

@dataclass
class Group:
    """One bar of the pipeline: a cluster or a region, its projects by stage and their investment."""

    key: str
    name: str
    stages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PIPELINE_STAGES, 0))
    total_investment: Decimal = Decimal(0)  # 万元, every project in the pipeline
    producing_investment: Decimal = Decimal(0)  # 万元, of projects 竣工 or 投产
    planned: Decimal = Decimal(0)  # 万元, this year's plans
    completed: Decimal | None = Decimal(0)  # 万元, this year's completed investment; None when any is unknown
    unknown: int = 0  # projects with a plan whose completed investment is not known

    @property
    def count(self) -> int:
        return sum(self.stages.values())

    @property
    def stage_counts(self) -> list[int]:
        """The counts in PIPELINE_STAGES order, for a table row."""
        return [self.stages[s] for s in PIPELINE_STAGES]

    @property
    def completion_rate(self) -> Decimal | None:
        """Completed over planned this year, in percent; None while a completed figure is missing."""
        if self.completed is None or not self.planned:
            return None
        return (self.completed * 100 / self.planned).quantize(Decimal("0.1"))


@dataclass
class Pipeline:
    year: int
    by_cluster: list[Group]
    by_region: list[Group]
    total: Group
    completed_reason: str  # why completed investment is not shown, "" when it is


def _add(group: Group, project: Project, planned: Decimal | None, completed: Completed) -> None:
    group.stages[project.stage] += 1
    group.total_investment += project.total_investment
    if project.stage in (Stage.COMPLETED, Stage.PRODUCING):
        group.producing_investment += project.total_investment
    if planned is not None:
        group.planned += planned
        if completed.value is None:
            group.completed = None
            group.unknown += 1
        elif group.completed is not None:
            group.completed += completed.value


def _region_key(project_region: str, regions_level: str) -> str:
    return city_code(project_region) if regions_level == "city" else project_region


def pipeline(projects: Iterable[Project], *, year: int, region_level: str = "county") -> Pipeline:
    """Group projects (not withdrawn) by cluster and by region (`region_level` city or county), with this
    year's planned and completed investment. A project with several clusters is in each of their bars."""
    projects = [p for p in projects if p.stage != Stage.WITHDRAWN]
    plans = {pk: planned for pk, planned in YearPlan.objects.filter(
        project__in=[p.pk for p in projects], year=year).values_list("project_id", "planned")}
    clusters: dict[str, Group] = {}
    regions: dict[str, Group] = {}
    total = Group("", _("合计"))
    reasons = set()
    region_codes = {_region_key(p.region_id, region_level) for p in projects}
    names = dict(Region.objects.filter(code__in=region_codes).values_list("code", "name"))
    for project in projects:
        planned = plans.get(project.pk)
        completed = completed_investment(project, year) if planned is not None else Completed(None)
        if planned is not None and completed.value is None:
            reasons.add(completed.reason)
        _add(total, project, planned, completed)
        owners = list(project.clusters.all()) or [None]
        for cluster in owners:
            key = str(cluster.pk) if cluster else ""
            group = clusters.setdefault(key, Group(key, cluster.name if cluster else str(NO_CLUSTER)))
            _add(group, project, planned, completed)
        code = _region_key(project.region_id, region_level)
        group = regions.setdefault(code, Group(code, names.get(code, code)))
        _add(group, project, planned, completed)
    by_cluster = sorted(clusters.values(), key=lambda g: (g.key == "", g.name))
    reason = _("完成投资来自季度调度（调度尚未填报的项目不计入完成率）") if reasons else ""
    return Pipeline(year, by_cluster, sorted(regions.values(), key=lambda g: g.key), total, reason)


def chart_data(groups: list[Group]) -> dict:
    """A stacked bar's data: the groups' names and one series of counts per stage."""
    labels = dict(Stage.choices)
    return {"names": [g.name for g in groups],
            "series": [{"name": str(labels[s]), "data": [g.stages[s] for g in groups]} for s in PIPELINE_STAGES]}


# --- counts against the targets ----------------------------------------------------------------------

@dataclass
class CountRow:
    target: str  # e.g. "JN-2020-231 T37"
    label: str
    subject: str
    value: Decimal | None
    goal: str
    status: str
    basis: list  # BasisRow: the projects counted, with investment and dates
    url: str


def project_target_rows(user, as_of: datetime.date) -> list[CountRow]:
    """Every target counted from the project library (count_projects) that the user sees, per subject."""
    from jiqun.targets.selectors import (
        DataCache,
        Visibility,
        assess_target,
        target_subjects,
        targets_queryset,
    )

    visible = Visibility(user)
    cache = DataCache(as_of)
    rows = []
    for target in targets_queryset().filter(indicator__code="count_projects").order_by("programme__code", "code"):
        for subject in target_subjects(target):
            if not visible.subject(subject):
                continue
            row = assess_target(target, subject, cache[target.programme], as_of)
            current = row.result.current
            rows.append(CountRow(f"{target.programme.code} {target.code}", target.label, subject.name,
                                 current.value if current else None, row.goal_text, row.status_label,
                                 [b for b in row.series.basis if not b.note.startswith("不计")],
                                 row.url))
    return rows


def rule_of_twenty(groups: list[Group]) -> list[tuple[Group, int]]:
    """Each cluster's projects in the pipeline against the ~20 the SD-SEI-2020 rule asks (gap, + is short)."""
    return [(g, RULE_OF_TWENTY - g.count) for g in groups if g.key]
