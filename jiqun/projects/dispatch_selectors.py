"""Reads of the quarterly dispatch: a project's completed investment, 序时进度 of yearly investment, the status
matrix by region.

序时进度 (the rule, stated once): a year's investment is on pace when the share of the year's plan completed
(完成率 = 本年累计完成投资 ÷ 年度计划投资) keeps up with the share of the year gone (序时进度 = months of the
period ÷ 12, counted as jiqun.targets.progress counts time: 1-3月 25%, 1-6月 50%, 1-9月 75%, 1-12月 100%).
与序时差 = 完成率 − 序时进度 in 百分点; more than PACE_BAND ahead is 超前, more than PACE_BAND behind is 滞后,
within it 正常. The band is the 10 百分点 jiqun.targets.progress allows a target's progress behind 序时进度 before
it is behind (AT_RISK_BAND). Only approved dispatches (市级审核通过 or later) count, as for statistics figures.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.monitoring.models import ReportingPeriod, ReportStatus
from jiqun.monitoring.selectors import MatrixRow, status_rows
from jiqun.projects.models import Dispatch, Project, YearPlan
from jiqun.regions.models import Region, city_code
from jiqun.targets.progress import AT_RISK_BAND, HUNDRED, years_between

APPROVED = [ReportStatus.CITY_APPROVED, ReportStatus.PROVINCE_APPROVED]
PACE_BAND = AT_RISK_BAND * HUNDRED  # 百分点

AHEAD, NORMAL, BEHIND, NO_PLAN, NO_DATA = "ahead", "normal", "behind", "no_plan", "no_data"
PACE_LABELS = {AHEAD: gettext_lazy("超前"), NORMAL: gettext_lazy("正常"), BEHIND: gettext_lazy("滞后"),
               NO_PLAN: gettext_lazy("无年度计划"), NO_DATA: gettext_lazy("未报或未审核")}


@dataclass(frozen=True)
class CompletedInvestment:
    """A project's year-to-date completed investment in a year, with where it comes from; None with a reason."""

    value: Decimal | None
    source: str  # 2026年1-6月项目调度（省级审核通过）, or the reason there is none
    dispatch: Dispatch | None = None


def completed_investment(project: Project, year: int) -> CompletedInvestment:
    """The year-to-date completed investment of the latest approved dispatch of `year` (万元), with its source."""
    dispatch = (Dispatch.objects.filter(project=project, period__year=year, status__in=APPROVED,
                                        completed_ytd__isnull=False)
                .select_related("period").order_by("-period__quarter", "-pk").first())
    if dispatch is None:
        return CompletedInvestment(None, _("%(year)s年没有审核通过的项目调度") % {"year": year})
    source = _("%(year)s年%(months)s项目调度（%(status)s）") % {
        "year": year, "months": dispatch.period.months, "status": dispatch.get_status_display()}
    return CompletedInvestment(dispatch.completed_ytd, source, dispatch)


def period_end(year: int, quarter: int) -> datetime.date:
    month = quarter * 3
    return datetime.date(year, month, 30 if month in (6, 9) else 31)


def elapsed_share(year: int, quarter: int) -> Decimal:
    """序时进度 of a period, %: the share of the year gone at its end."""
    return years_between(datetime.date(year - 1, 12, 31), period_end(year, quarter)) * HUNDRED


@dataclass
class Pace:
    planned: Decimal | None
    completed: Decimal | None
    elapsed: Decimal
    rate: Decimal | None = None  # 完成率, %
    gap: Decimal | None = None  # 完成率 − 序时进度, 百分点
    status: str = NO_DATA

    @property
    def label(self) -> str:
        return str(PACE_LABELS[self.status])


def investment_pace(planned: Decimal | None, completed: Decimal | None, year: int, quarter: int) -> Pace:
    """序时进度 of one year's investment (see the module's rule)."""
    pace = Pace(planned=planned, completed=completed, elapsed=elapsed_share(year, quarter))
    if not planned:  # no plan, or a plan of 0: nothing to keep pace with
        pace.status = NO_PLAN
        return pace
    if completed is None:
        return pace
    pace.rate = (completed / planned * HUNDRED).quantize(Decimal("0.1"))
    pace.gap = (completed / planned * HUNDRED - pace.elapsed).quantize(Decimal("0.1"))
    pace.status = AHEAD if pace.gap > PACE_BAND else BEHIND if pace.gap < -PACE_BAND else NORMAL
    return pace


@dataclass
class ProjectPace:
    project: Project
    dispatch: Dispatch | None
    pace: Pace


@dataclass
class GroupPace:
    """A cluster's or a region's projects together: plans and approved figures summed over the projects that have
    both (a project without one is counted, not guessed)."""

    key: str
    name: str
    projects: int = 0
    counted: int = 0
    pace: Pace | None = None
    missing: list[str] = field(default_factory=list)


def period_pace(period: ReportingPeriod, dispatches) -> list[ProjectPace]:
    """序时进度 of each dispatch's project in the period (only an approved dispatch's figure counts)."""
    dispatches = list(dispatches.select_related("project__region").order_by("project__region__code", "project__code"))
    plans = dict(YearPlan.objects.filter(project__in=[d.project_id for d in dispatches], year=period.year)
                 .values_list("project", "planned"))
    rows = []
    for d in dispatches:
        completed = d.completed_ytd if d.status in APPROVED else None
        rows.append(ProjectPace(d.project, d, investment_pace(plans.get(d.project_id), completed, period.year,
                                                              period.quarter)))
    return rows


def group_pace(period: ReportingPeriod, rows: list[ProjectPace], *, by: str) -> list[GroupPace]:
    """The rows summed by city (`by="city"`) or by cluster of the period's programme (`by="cluster"`)."""
    groups: dict[str, GroupPace] = {}
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    names = {}
    if by == "city":
        codes = {city_code(r.project.region_id) for r in rows}
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    for row in rows:
        if by == "city":
            keys = [(city_code(row.project.region_id), names.get(city_code(row.project.region_id), ""))]
        else:
            keys = [(c.code, c.name) for c in row.project.clusters.all() if c.programme_id == period.programme_id]
        for key, name in keys:
            group = groups.setdefault(key, GroupPace(key=key, name=name))
            group.projects += 1
            if row.pace.rate is None:
                group.missing.append(row.project.name)
                continue
            group.counted += 1
            sums[key][0] += row.pace.planned
            sums[key][1] += row.pace.completed
    for key, group in groups.items():
        planned, completed = sums[key]
        group.pace = investment_pace(planned if group.counted else None, completed if group.counted else None,
                                     period.year, period.quarter)
    return sorted(groups.values(), key=lambda g: g.key)


@dataclass
class RegionStatus:
    code: str
    name: str
    counts: dict[str, int]
    overdue: int


def dispatch_matrix(period: ReportingPeriod, dispatches) -> tuple[list[MatrixRow], dict[str, int], list[RegionStatus]]:
    """The dispatches' 催报 rows and counts (the statistics reports' rule) and the counts by city."""
    rows, counts = status_rows(period.deadline, dispatches.select_related("project__region"))
    by_city: dict[str, RegionStatus] = {}
    names = dict(Region.objects.filter(code__in={city_code(r.report.project.region_id) for r in rows})
                 .values_list("code", "name"))
    for row in rows:
        code = city_code(row.report.project.region_id)
        entry = by_city.setdefault(code, RegionStatus(code, names.get(code, code),
                                                      {value: 0 for value in ReportStatus.values}, 0))
        entry.counts[row.report.status] += 1
        entry.overdue += row.overdue
    return rows, counts, sorted(by_city.values(), key=lambda r: r.code)


def dispatch_reminder_line(dispatch: Dispatch) -> tuple[str, str]:
    """A dispatch in the 催报 list: its project and the project's region."""
    return f"{dispatch.project.code} {dispatch.project.name}", dispatch.project.region.name
