"""Reads for statistical monitoring: check rules, history, derived figures, roll-ups and the status matrix.

Conventions (DESIGN §5): flows are stored as reported (year-to-date cumulative) and a quarter's own value
is the difference of two cumulatives; 同比 compares 本期 with 上年同期 as reported together (可比口径);
totals are sums of components and ratios are recomputed from summed numerators and denominators, never
averaged.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from jiqun.monitoring.checks import History, IndicatorRule, yoy
from jiqun.monitoring.models import Report, ReportingPeriod, ReportStatus
from jiqun.monitoring.values import currents_of, values_of
from jiqun.regions.models import Region, city_code

APPROVED = [ReportStatus.CITY_APPROVED, ReportStatus.PROVINCE_APPROVED]
FINAL = [ReportStatus.PROVINCE_APPROVED]


def indicators_asked(period: ReportingPeriod, *, region: bool) -> QuerySet:
    """The period's indicators a report asks: a region's 综合表 the region-level ones, a cluster's or an
    enterprise's report the cluster-level ones. The one rule the form, the template, the import, the API
    and the checks apply."""
    from jiqun.programmes.models import IndicatorLevel

    level = IndicatorLevel.REGION if region else IndicatorLevel.CLUSTER
    return period.indicators.filter(level=level).order_by("code")


def report_indicators(report: Report) -> QuerySet:
    """The indicators this report asks (see indicators_asked)."""
    return indicators_asked(report.period, region=report.region_id is not None)


def rules_for(period: ReportingPeriod, *, region: bool = False) -> list[IndicatorRule]:
    """The check rules of the indicators a report of the period asks (a 综合表's when `region`)."""
    return [
        IndicatorRule(code=i.code, name=i.name, unit=i.unit, kind=i.kind, precision=i.precision,
                      min_value=i.min_value, max_value=i.max_value)
        for i in indicators_asked(period, region=region)
    ]


def _values_of(report: Report | None) -> dict[str, Decimal]:
    return {} if report is None else currents_of(report.figures)


def _sibling(report: Report, year: int, quarter: int, statuses: list[str]) -> Report | None:
    return Report.objects.filter(
        period__programme=report.period.programme_id, period__year=year, period__quarter=quarter,
        cluster=report.cluster_id, enterprise=report.enterprise_id, region=report.region_id, status__in=statuses,
    ).first()


def report_history(report: Report) -> History:
    """Last quarter's figures (submitted or later) and last year's approved figures of the same subject."""
    period = report.period
    later = [ReportStatus.SUBMITTED, *APPROVED]
    previous_quarter = _sibling(report, period.year, period.quarter - 1, later) if period.quarter > 1 else None
    return History(
        previous_quarter=_values_of(previous_quarter),
        last_year_approved=_values_of(_sibling(report, period.year - 1, period.quarter, FINAL)),
    )


@dataclass
class Figure:
    """One indicator of one subject in one period, with what is derived from it."""

    current: Decimal | None
    previous: Decimal | None
    quarter_only: Decimal | None = None  # this quarter alone (flows): cumulative minus last quarter's

    @property
    def yoy(self) -> Decimal | None:
        return yoy(self.current, self.previous)


def yoy_text(figure: Figure, profit: bool = False) -> str:
    """同比 as Chinese statistics print it: 增长/下降 x.x%, 扭亏/减亏 for losses, — for no base."""
    current, previous = figure.current, figure.previous
    if current is None or previous is None:
        return "—"
    if profit and previous < 0:
        if current >= 0:
            return "扭亏"
        return "减亏" if current > previous else "增亏"
    growth = figure.yoy
    if growth is None:
        return "—"
    return f"{'增长' if growth >= 0 else '下降'} {abs(growth) * 100:.1f}%"


def report_figures(report: Report) -> dict[str, Figure]:
    same_year_before = {}
    if report.period.quarter > 1:
        earlier = _sibling(report, report.period.year, report.period.quarter - 1,
                           [ReportStatus.SUBMITTED, *APPROVED])
        same_year_before = _values_of(earlier)
    flows = set(report.period.indicators.filter(kind="flow").values_list("code", flat=True))
    figures = {}
    for code, value in values_of(report.figures).items():
        figure = Figure(value.current, value.previous)
        if code in flows and value.current is not None:
            if report.period.quarter == 1:
                figure.quarter_only = value.current
            elif code in same_year_before:
                figure.quarter_only = value.current - same_year_before[code]
        figures[code] = figure
    return figures


@dataclass
class Rollup:
    """Summed figures of a set of reports, with the ratios recomputed from the sums."""

    totals: dict[str, Figure] = field(default_factory=dict)
    reports: int = 0
    warnings: list[str] = field(default_factory=list)


def rollup(reports: QuerySet, ratios=()) -> Rollup:
    """Sum flows and stocks over reports; recompute each ratio indicator from its summed parts."""
    sums: dict[str, list[Decimal | None]] = defaultdict(lambda: [None, None])
    for figures in reports.with_figures().order_by().values_list("latest_figures", flat=True).iterator(chunk_size=2000):
        for code, stored in (figures or {}).items():
            pair = sums[code]
            for index in (0, 1):
                if stored[index] is not None:
                    pair[index] = (pair[index] or Decimal(0)) + Decimal(stored[index])
    result = Rollup(totals={code: Figure(c, p) for code, (c, p) in sums.items()}, reports=reports.count())
    for ratio in ratios:
        num, den = result.totals.get(ratio.numerator.code), result.totals.get(ratio.denominator.code)
        if num and den:
            result.totals[ratio.code] = Figure(
                num.current * 100 / den.current if num.current is not None and den.current else None,
                num.previous * 100 / den.previous if num.previous is not None and den.previous else None,
            )
    return result


def region_rollup(period: ReportingPeriod, statuses=APPROVED) -> dict[str, Rollup]:
    """Cluster reports summed by city (a cross-city cluster counts in each of its cities) and for the province."""
    from jiqun.programmes.models import Indicator

    ratios = Indicator.objects.filter(kind="ratio", numerator__isnull=False, denominator__isnull=False).select_related(
        "numerator", "denominator")
    ratios = [r for r in ratios if {r.numerator.code, r.denominator.code} <= set(period.indicators.values_list("code", flat=True))]
    reports = period.reports.filter(enterprise__isnull=True, status__in=statuses)
    by_city: dict[str, list[int]] = defaultdict(list)
    for report in reports.prefetch_related("cluster__regions"):
        for city in {city_code(r.code) for r in report.cluster.regions.all()}:
            by_city[city].append(report.pk)
    result = {city: rollup(Report.objects.filter(pk__in=ids), ratios) for city, ids in sorted(by_city.items())}
    province = rollup(reports, ratios)
    cross_city = [r for r in reports.prefetch_related("cluster__regions")
                  if len({city_code(x.code) for x in r.cluster.regions.all()}) > 1]
    if cross_city:
        province.warnings.append("跨市集群在所在各市分别计入，省级合计只计一次："
                                 + "、".join(r.cluster.name for r in cross_city))
    result["370000"] = province
    return result


def cluster_from_enterprises(period: ReportingPeriod, cluster, statuses=APPROVED) -> Rollup:
    """A cluster's figures as the sum of its member enterprises' reports, warning on double counting."""
    members = cluster.memberships.values("enterprise")
    reports = period.reports.filter(enterprise__in=members, status__in=statuses)
    result = rollup(reports)
    shared = (
        period.reports.filter(enterprise__in=members)
        .filter(enterprise__memberships__cluster__programme=period.programme_id)
        .annotate(n=Count("enterprise__memberships", filter=Q(enterprise__memberships__cluster__programme=period.programme_id)))
        .filter(n__gt=1)
        .select_related("enterprise")
    )
    names = sorted({r.enterprise.name for r in shared})
    if names:
        result.warnings.append(f"以下企业同时属于本培育工程的多个集群，其数据在各集群中重复计入：{'、'.join(names)}")
    return result


@dataclass
class MatrixRow:
    report: Report
    overdue: bool


def status_matrix(period: ReportingPeriod, reports) -> tuple[list[MatrixRow], dict[str, int]]:
    """Each visible report with its state; counts by status; overdue = not submitted after the deadline."""
    today = datetime.date.today()
    not_in = {ReportStatus.DRAFT, ReportStatus.RETURNED}
    rows = [
        MatrixRow(report=r, overdue=r.status in not_in and today > period.deadline)
        for r in reports.select_related("cluster", "enterprise__region", "region").prefetch_related("cluster__regions")
    ]
    counts = {str(label): 0 for _value, label in ReportStatus.choices}
    for row in rows:
        counts[str(row.report.get_status_display())] += 1
    counts["逾期未报"] = sum(row.overdue for row in rows)
    return rows, counts


def template_rows(user, period: ReportingPeriod):
    """The reports a user fills in this period, as template rows with the figures already on file."""
    from jiqun.monitoring.excel import TemplateRow
    from jiqun.monitoring.permissions import can_fill_report

    asked = {region: frozenset(indicators_asked(period, region=region).values_list("code", flat=True))
             for region in (False, True)}
    rows = []
    reports = Report.objects.for_user(user).filter(period=period).with_figures().select_related(
        "cluster", "enterprise__region", "region")
    for report in reports.prefetch_related("cluster__regions"):
        if not can_fill_report(user, report):
            continue
        stored = values_of(report.figures).values()
        on_file = {v.code: (v.current, v.previous) for v in stored}
        note = "；".join(sorted({v.note for v in stored if v.note}))
        if report.enterprise_id:
            enterprise = report.enterprise
            rows.append(TemplateRow(key=enterprise.credit_code or f"E{enterprise.pk}", name=enterprise.name,
                                    city=enterprise.region.name, values=on_file, note=note, asked=asked[False]))
        elif report.region_id:  # a 综合表, keyed by the region's code
            rows.append(TemplateRow(key=report.region_id, name=report.subject_name, city=report.region.name,
                                    values=on_file, note=note, asked=asked[True]))
        else:
            cities = sorted({city_code(r.code) for r in report.cluster.regions.all()})
            names = "、".join(Region.objects.filter(code__in=cities).values_list("name", flat=True))
            rows.append(TemplateRow(key=report.cluster.code, name=report.cluster.name, city=names, values=on_file,
                                    note=note, asked=asked[False]))
    return rows
