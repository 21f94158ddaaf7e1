"""Reads for statistical monitoring: check rules, history, derived figures, roll-ups and the status matrix.

Conventions: flows are stored as reported (year-to-date cumulative) and a quarter's own value
is the difference of two cumulatives; 同比 compares 本期 with 上年同期 as reported together (可比口径);
roll-ups combine figures as jiqun.monitoring.figures does (sums, ratios recomputed, never averaged;
region-level figures from a 综合表).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from jiqun.monitoring.checks import History, IndicatorRule, yoy
from jiqun.monitoring.figures import ApprovedFigures, Subject, Total
from jiqun.monitoring.models import Report, ReportingPeriod, ReportStatus
from jiqun.monitoring.values import currents_of, values_of
from jiqun.regions.models import PROVINCE_CODE, Region, city_code

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
            return _("扭亏")
        return _("减亏") if current > previous else _("增亏")
    growth = figure.yoy
    if growth is None:
        return "—"
    return (_("增长 %(pct)s%%") if growth >= 0 else _("下降 %(pct)s%%")) % {"pct": f"{abs(growth) * 100:.1f}"}


def change_text(indicator, figure) -> str:
    """同比 of a figure as every page and report words it: an amount's growth (yoy_text); a rate's change in
    百分点, as a growth rate of a rate means nothing."""
    if figure is None or figure.current is None or figure.previous is None:
        return "—"
    if indicator.kind in ("ratio", "difference") or indicator.unit in ("%", "百分点"):
        change = (figure.current - figure.previous).quantize(Decimal("0.01"))
        if change == 0:
            return _("持平")
        if change > 0:
            return _("提高 %(points)s 个百分点") % {"points": f"{change:.2f}"}
        return _("降低 %(points)s 个百分点") % {"points": f"{-change:.2f}"}
    return yoy_text(figure, profit=indicator.code == "profit")


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
    """One subject's totals in one period by indicator code, as jiqun.monitoring.figures combines them."""

    totals: dict[str, Total] = field(default_factory=dict)
    reports: int = 0  # reports of the subject in the statuses asked for
    expected: int = 0  # reports of the subject in the period
    warnings: list[str] = field(default_factory=list)


def rollup_indicators(period: ReportingPeriod) -> list:
    """The period's indicators, then the ratios and differences that can be recomputed from them."""
    from jiqun.programmes.models import Indicator

    collected = list(period.indicators.order_by("code"))
    derived = ApprovedFigures(period.programme, period=period).derivable(i.code for i in collected)
    return collected + list(Indicator.objects.filter(code__in=derived).order_by("code"))


def _rollup(book: ApprovedFigures, subject: Subject, period: ReportingPeriod, codes) -> Rollup:
    filed = book.filed.get((period.year, period.quarter), {})
    keys = [k for k in subject.members | {("region", subject.region)} if k in filed]
    totals = {}
    for code in codes:
        total = book.total(subject, code, period.year, period.quarter)
        if total is not None:
            totals[code] = total
    return Rollup(totals=totals, reports=sum(filed[k].approved for k in keys), expected=len(keys))


def region_rollup(period: ReportingPeriod, statuses=APPROVED, indicators=None) -> dict[str, Rollup]:
    """Each city's and the province's figures: clusters' sums (a cross-city cluster counts in each of its cities,
    once in the province), ratios recomputed, region-level figures from each region's own 综合表."""
    book = ApprovedFigures(period.programme, period=period, statuses=statuses)
    codes = [i.code for i in (indicators if indicators is not None else rollup_indicators(period))]
    filed = book.filed.get((period.year, period.quarter), {})
    clusters = [pk for kind, pk in filed if kind == "cluster"]
    cities = {city_code(r) for pk in clusters for r in book.clusters.get(pk, ("", ()))[1]}
    cities |= {code for kind, code in filed if kind == "region" and city_code(code) == code}
    cities.discard(PROVINCE_CODE)
    result = {city: _rollup(book, book.region(city), period, codes) for city in sorted(cities)}
    province = _rollup(book, book.region(PROVINCE_CODE), period, codes)
    cross_city = sorted(book.clusters[pk][0] for pk in clusters
                        if len({city_code(r) for r in book.clusters[pk][1]}) > 1)
    if cross_city:
        province.warnings.append("跨市集群在所在各市分别计入，省级合计只计一次：" + "、".join(cross_city))
    result[PROVINCE_CODE] = province
    return result


def cluster_from_enterprises(period: ReportingPeriod, cluster, statuses=APPROVED) -> Rollup:
    """A cluster's figures as the sum of its member enterprises' reports, warning on double counting."""
    members = cluster.memberships.values("enterprise")
    book = ApprovedFigures(period.programme, period=period, statuses=statuses, enterprises=members)
    codes = [i.code for i in period.indicators.filter(level="cluster")]
    result = _rollup(book, book.enterprises_of(members.values_list("enterprise", flat=True)), period,
                     codes + book.derivable(codes))
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


def status_rows(deadline: datetime.date, forms) -> tuple[list[MatrixRow], dict[str, int]]:
    """Each filed form (a report, a project's dispatch) with its state; counts by status; overdue = not submitted
    after the deadline. The one 催报 rule of every kind of form filed in a period."""
    today = datetime.date.today()
    not_in = {ReportStatus.DRAFT, ReportStatus.RETURNED}
    rows = [MatrixRow(report=form, overdue=form.status in not_in and today > deadline) for form in forms]
    counts = {str(label): 0 for _value, label in ReportStatus.choices}
    for row in rows:
        counts[str(row.report.get_status_display())] += 1
    counts[_("逾期未报")] = sum(row.overdue for row in rows)
    return rows, counts


def status_matrix(period: ReportingPeriod, reports) -> tuple[list[MatrixRow], dict[str, int]]:
    """Each visible report with its state; counts by status; overdue = not submitted after the deadline."""
    return status_rows(period.deadline, reports.select_related("cluster", "enterprise__region", "region")
                       .prefetch_related("cluster__regions"))


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
            rows.append(TemplateRow(key=report.region_id, name=report.official_subject_name, city=report.region.name,
                                    values=on_file, note=note, asked=asked[True]))
        else:
            cities = sorted({city_code(r.code) for r in report.cluster.regions.all()})
            names = "、".join(Region.objects.filter(code__in=cities).values_list("name", flat=True))
            rows.append(TemplateRow(key=report.cluster.code, name=report.cluster.name, city=names, values=on_file,
                                    note=note, asked=asked[False]))
    return rows
