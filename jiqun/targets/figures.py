"""Where a target's figures come from: the registries (counts) and province-approved statistics.

`ProgrammeData` loads, for one programme as of one date, everything its indicators need in a handful of
queries; `statistics_series` (here) and `counts.count_series` turn that into the dated figures (`Series`)
that progress.py judges, with the rows behind them so a page can show where each number comes from.

Rules (docs/targets.md):
- Statistics are cluster reports in status 省级审核通过 whose period ended on or before the date. A total
  over several clusters uses a period only when every cluster that had a report in it is approved and
  reported the figure; otherwise the period is shown as incomplete and not used.
- Flows are year-to-date cumulatives: the full-year value is 1-12月; 上年同期 of 1-12月 gives last year's.
- Ratios are recomputed from summed numerators and denominators, never averaged.
- Counts are recomputed from the registries each time; no count is typed in.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.urls import reverse

from jiqun.clusters.models import Cluster, ClusterStatus
from jiqun.enterprises.models import (
    EnterpriseScale,
    Honour,
    InnovationCarrier,
    Membership,
)
from jiqun.monitoring.models import Report, ReportStatus
from jiqun.monitoring.values import values_of
from jiqun.programmes.models import Indicator, Programme
from jiqun.programmes.units import convert
from jiqun.regions.models import same_city
from jiqun.targets.progress import Point, year_end

APPROVED = ReportStatus.PROVINCE_APPROVED


def quarter_end(year: int, quarter: int) -> date:
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


def period_label(year: int, quarter: int) -> str:
    return f"{year}年1-{quarter * 3}月"


@dataclass
class BasisRow:
    """One figure behind a target: a period total, a cluster's report, or a counted enterprise."""

    label: str
    value: Decimal | None = None
    url: str = ""
    note: str = ""


@dataclass
class YearToDate:
    current: Point
    previous: Point | None
    quarter: int


@dataclass
class Series:
    """Dated figures of one indicator for one subject, in the target's unit, oldest first."""

    points: list[Point] = field(default_factory=list)
    trend: tuple[Point, Point] | None = None
    ytd: YearToDate | None = None
    basis: list[BasisRow] = field(default_factory=list)
    unsupported: str = ""  # why no figure can exist yet (no registry for it)
    note: str = ""  # the rule the figures follow
    empty: str = ""  # why there is no figure to judge by
    flow: bool = False


@dataclass(frozen=True)
class ClusterInfo:
    pk: int
    name: str
    tier: str
    kind: str
    regions: tuple[str, ...]
    zones: tuple[int, ...]
    recognised_on: date | None


@dataclass
class PeriodTotal:
    year: int
    quarter: int
    current: Decimal | None
    previous: Decimal | None
    approved: int
    expected: int

    @property
    def complete(self) -> bool:
        return self.current is not None

    @property
    def end(self) -> date:
        return quarter_end(self.year, self.quarter)


class ProgrammeData:
    """The registries and approved statistics of one programme's clusters, as of one date."""

    def __init__(self, programme: Programme, as_of: date) -> None:
        self.programme = programme
        self.as_of = as_of
        clusters = (Cluster.objects.filter(programme=programme).exclude(status=ClusterStatus.EXITED)
                    .select_related("kind").prefetch_related("regions", "zones").order_by("name"))
        self.clusters = {
            c.pk: ClusterInfo(c.pk, c.name, c.tier, c.kind.code if c.kind else "",
                              tuple(r.code for r in c.regions.all()), tuple(z.pk for z in c.zones.all()),
                              c.recognised_on)
            for c in clusters
        }

    # --- subjects -----------------------------------------------------------------------------------

    def clusters_in(self, kind: str, key: str) -> set[int]:
        if kind == "province":
            return set(self.clusters)
        if kind == "city":
            return {pk for pk, c in self.clusters.items() if any(same_city(r, key) for r in c.regions)}
        if kind == "cluster":
            return {int(key)} & set(self.clusters)
        if kind == "park":
            return {pk for pk, c in self.clusters.items() if int(key) in c.zones}
        return set()

    # --- statistics ---------------------------------------------------------------------------------

    @cached_property
    def _reports(self) -> tuple[dict, dict, dict]:
        expected: dict[tuple[int, int], set[int]] = defaultdict(set)
        report_ids: dict[tuple[int, int, int], int] = {}
        values: dict[tuple[int, int, int], dict[str, tuple]] = defaultdict(dict)
        rows = Report.objects.filter(period__programme=self.programme, enterprise__isnull=True).with_figures().values_list(
            "pk", "cluster_id", "period__year", "period__quarter", "status", "latest_figures")
        for pk, cluster, year, quarter, status, figures in rows:
            if quarter_end(year, quarter) > self.as_of or cluster not in self.clusters:
                continue
            expected[(year, quarter)].add(cluster)
            if status == APPROVED:
                report_ids[(cluster, year, quarter)] = pk
                for code, value in values_of(figures or {}).items():
                    values[(cluster, year, quarter)][code] = (value.current, value.previous)
        return expected, report_ids, values

    def period_totals(self, clusters: set[int], code: str) -> list[PeriodTotal]:
        """The sum of one indicator over clusters for each period, complete or not, oldest first."""
        expected, _ids, values = self._reports
        totals = []
        for (year, quarter), reporting in sorted(expected.items()):
            members = reporting & clusters
            if not members:
                continue
            pairs = [values.get((c, year, quarter), {}).get(code) for c in members]
            approved = sum(1 for c in members if (c, year, quarter) in values)
            complete = all(p is not None and p[0] is not None for p in pairs)
            current = sum(p[0] for p in pairs) if complete else None
            previous = sum(p[1] for p in pairs) if complete and all(p[1] is not None for p in pairs) else None
            totals.append(PeriodTotal(year, quarter, current, previous, approved, len(members)))
        return totals

    def ratio_totals(self, clusters: set[int], indicator: Indicator) -> list[PeriodTotal]:
        numerators = {(t.year, t.quarter): t for t in self.period_totals(clusters, indicator.numerator.code)}
        totals = []
        for den in self.period_totals(clusters, indicator.denominator.code):
            num = numerators.get((den.year, den.quarter))
            current = previous = None
            if num and num.current is not None and den.current:
                current = num.current * 100 / den.current
                if num.previous is not None and den.previous:
                    previous = num.previous * 100 / den.previous
            totals.append(PeriodTotal(den.year, den.quarter, current, previous, min(den.approved, num.approved if num
                                                                                   else 0), den.expected))
        return totals

    def cluster_parts(self, clusters: set[int], code: str, year: int, quarter: int) -> list[BasisRow]:
        """Each cluster's approved figure in one period, linked to its report."""
        _expected, ids, values = self._reports
        rows = []
        for pk in sorted(clusters, key=lambda c: self.clusters[c].name):
            pair = values.get((pk, year, quarter), {}).get(code)
            report = ids.get((pk, year, quarter))
            rows.append(BasisRow(
                label=f"{self.clusters[pk].name} {period_label(year, quarter)}",
                value=pair[0] if pair else None,
                url=reverse("monitoring:report", args=[report]) if report else "",
                note="" if pair else "未经省级审核或未填报",
            ))
        return rows

    def full_year(self, cluster: int, code: str, year: int) -> Decimal | None:
        """A cluster's 1-12月 figure of a year: its own approved report, else next year's 上年同期."""
        _expected, _ids, values = self._reports
        own = values.get((cluster, year, 4), {}).get(code)
        if own and own[0] is not None:
            return own[0]
        later = values.get((cluster, year + 1, 4), {}).get(code)
        return later[1] if later else None

    @cached_property
    def years_with_data(self) -> list[int]:
        expected, _ids, _values = self._reports
        years = {year for (year, quarter) in expected if quarter == 4}
        return sorted(years | {y - 1 for y in years})

    # --- registries ---------------------------------------------------------------------------------

    @cached_property
    def memberships(self) -> list[tuple[int, int, str, str]]:
        return list(Membership.objects.filter(cluster_id__in=list(self.clusters)).values_list(
            "cluster_id", "enterprise_id", "role", "enterprise__name"))

    def members(self, clusters: set[int], roles: set[str] | None = None) -> dict[int, str]:
        return {e: name for c, e, role, name in self.memberships if c in clusters and (roles is None or role in roles)}

    @cached_property
    def honours(self) -> dict[int, list[Honour]]:
        result: dict[int, list[Honour]] = defaultdict(list)
        enterprises = {e for _c, e, _r, _n in self.memberships}
        for honour in Honour.objects.filter(enterprise_id__in=enterprises):
            result[honour.enterprise_id].append(honour)
        return result

    @cached_property
    def scales(self) -> dict[int, dict[int, bool]]:
        result: dict[int, dict[int, bool]] = defaultdict(dict)
        enterprises = {e for _c, e, _r, _n in self.memberships}
        for enterprise, year, above in EnterpriseScale.objects.filter(enterprise_id__in=enterprises).values_list(
                "enterprise_id", "year", "above_scale"):
            result[enterprise][year] = above
        return result

    @cached_property
    def carriers(self) -> list[InnovationCarrier]:
        enterprises = {e for _c, e, _r, _n in self.memberships}
        from django.db.models import Q

        return list(InnovationCarrier.objects.filter(Q(cluster_id__in=list(self.clusters)) | Q(host_id__in=enterprises))
                    .order_by("name"))

    @cached_property
    def enterprise_revenue(self) -> dict[tuple[int, int], Decimal]:
        """Each member enterprise's approved 1-12月 主营业务收入 (万元) by year."""
        rows = Report.objects.filter(
            period__programme=self.programme, enterprise__isnull=False, status=APPROVED, period__quarter=4,
        ).with_figures().values_list("enterprise_id", "period__year", "latest_figures")
        revenue = {(e, y): values_of(figures or {}).get("revenue") for e, y, figures in rows if year_end(y) <= self.as_of}
        return {key: value.current for key, value in revenue.items() if value and value.current is not None}


# --- series ---------------------------------------------------------------------------------------


def year_points(start_year: int, until: date) -> list[tuple[int, date]]:
    """One point per year from the programme's first year: the year end, or `until` in its own year."""
    return [(y, min(year_end(y), until)) for y in range(start_year, until.year + 1)]


def trend_of(points: list[Point]) -> tuple[Point, Point] | None:
    return (points[-2], points[-1]) if len(points) >= 2 else None


def statistics_series(data: ProgrammeData, indicator: Indicator, clusters: set[int], until: date,
                      unit: str) -> Series:
    """Flows, stocks and ratios from approved cluster reports."""
    if indicator.kind == "ratio":
        if indicator.numerator is None or indicator.denominator is None:
            return Series(unsupported=f"比率指标“{indicator.name}”未定义分子分母")
        totals = data.ratio_totals(clusters, indicator)
        source_unit = indicator.unit
    else:
        totals = data.period_totals(clusters, indicator.code)
        source_unit = indicator.unit
    totals = [t for t in totals if t.end <= until]

    def value(v: Decimal) -> Decimal:
        return convert(v, source_unit, unit)

    basis = [BasisRow(label=f"{period_label(t.year, t.quarter)}合计", value=value(t.current) if t.complete else None,
                      note=(f"上年同期 {value(t.previous):,.2f}" if t.previous is not None else "")
                      + ("" if t.complete else f"不完整：{t.approved}/{t.expected} 个集群已省级审核并填报，未采用"))
             for t in totals]
    complete = [t for t in totals if t.complete]
    series = Series(basis=basis, flow=indicator.kind == "flow",
                    note="取省级审核通过的集群季报；多个集群合计时只用全部集群均已审核并填报的报告期"
                    + ("；比率由合计的分子分母重算" if indicator.kind == "ratio" else ""))
    if not complete:
        series.empty = "尚无完整的省级审核数据（合计须全部集群均已省级审核）"
        return series
    latest = complete[-1]
    if indicator.kind != "ratio":
        for part in data.cluster_parts(clusters, indicator.code, latest.year, latest.quarter):
            part.value = value(part.value) if part.value is not None else None
            series.basis.append(part)
    if latest.previous is not None:
        series.trend = (Point(quarter_end(latest.year - 1, latest.quarter), value(latest.previous), "上年同期"),
                        Point(latest.end, value(latest.current), period_label(latest.year, latest.quarter)))

    if indicator.kind == "flow":
        years: dict[int, Point] = {}
        for t in complete:
            if t.quarter == 4:
                years[t.year] = Point(year_end(t.year), value(t.current), f"{t.year}年全年")
                if t.previous is not None and t.year - 1 not in years:
                    years[t.year - 1] = Point(year_end(t.year - 1), value(t.previous), f"{t.year - 1}年全年")
        series.points = [years[y] for y in sorted(years)]
        previous = (Point(quarter_end(latest.year - 1, latest.quarter), value(latest.previous),
                          f"{period_label(latest.year - 1, latest.quarter)}累计")
                    if latest.previous is not None else None)
        series.ytd = YearToDate(Point(latest.end, value(latest.current), f"{period_label(latest.year, latest.quarter)}累计"),
                                previous, latest.quarter)
        return series

    suffix = "" if indicator.kind == "ratio" else "末"
    points: dict[date, Point] = {}
    for t in complete:
        points[t.end] = Point(t.end, value(t.current), f"{period_label(t.year, t.quarter)}{suffix}")
        before = quarter_end(t.year - 1, t.quarter)
        if t.previous is not None and before not in points:
            points[before] = Point(before, value(t.previous), f"{period_label(t.year - 1, t.quarter)}{suffix}")
    series.points = [points[d] for d in sorted(points)]
    return series
