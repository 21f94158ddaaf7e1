"""Where a target's figures come from: the registries (counts) and approved statistics.

`ProgrammeData` loads, for one programme as of one date, the registries its count indicators need in a handful
of queries and reads statistics through jiqun.monitoring.figures (`ApprovedFigures`, loaded once);
`statistics_series` (here) and `counts.count_series` turn that into the dated figures (`Series`) that
progress.py judges, with the rows behind them so a page can show where each number comes from.

Rules (docs/targets.md):
- Statistics are reports in status 省级审核通过 whose period ended on or before the date. A total over several
  clusters uses a period only when every cluster that had a report in it is approved and reported the figure;
  otherwise the period is shown as incomplete and not used.
- How each indicator combines (sums, ratios recomputed, 百分点 differences, region-level figures from a
  综合表) is jiqun.monitoring.figures's rule, not this module's.
- Flows are year-to-date cumulatives: the full-year value is 1-12月; 上年同期 of 1-12月 gives last year's.
- Counts are recomputed from the registries each time; no count is typed in.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.clusters.models import Cluster, ClusterStatus
from jiqun.enterprises.models import (
    EnterpriseScale,
    Honour,
    InnovationCarrier,
    Membership,
)
from jiqun.monitoring.figures import ApprovedFigures, Subject, Total, quarter_end
from jiqun.monitoring.models import period_name
from jiqun.programmes.models import Indicator, Programme
from jiqun.programmes.units import convert
from jiqun.regions.models import same_city
from jiqun.targets.progress import Point, year_end


def period_label(year: int, quarter: int) -> str:
    return period_name(year, quarter)


def _full_year(year: int) -> str:
    return _("%(year)s年全年") % {"year": year}


def _cumulative(year: int, quarter: int) -> str:
    """2025年1-9月累计: a flow's year-to-date figure."""
    return _("%(period)s累计") % {"period": period_label(year, quarter)}


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
    def statistics(self) -> ApprovedFigures:
        return ApprovedFigures(self.programme, as_of=self.as_of)

    def statistics_subject(self, kind: str, key: str) -> Subject:
        """The selector's subject for a target subject: a province or city reads its own 综合表."""
        region = key if kind in ("province", "city") else None
        return self.statistics.subject(self.clusters_in(kind, key), region=region)

    def full_year(self, cluster: int, code: str, year: int) -> Decimal | None:
        """A cluster's approved 1-12月 figure (the selector's rule: its own, else next year's 上年同期)."""
        return self.statistics.full_year(cluster, code, year)

    @property
    def years_with_data(self) -> list[int]:
        return self.statistics.years_with_data

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
        members = ApprovedFigures(self.programme, as_of=self.as_of, enterprises=True, quarter=4)
        return members.enterprise_full_years("revenue")


# --- series ---------------------------------------------------------------------------------------


def year_points(start_year: int, until: date) -> list[tuple[int, date]]:
    """One point per year from the programme's first year: the year end, or `until` in its own year."""
    return [(y, min(year_end(y), until)) for y in range(start_year, until.year + 1)]


def trend_of(points: list[Point]) -> tuple[Point, Point] | None:
    return (points[-2], points[-1]) if len(points) >= 2 else None


RULES = {
    "sum": gettext_lazy("多个集群合计为各集群之和（跨市集群只计一次）"),
    "region": gettext_lazy("区域级指标取所在区域综合表的填报数，不由集群加总"),
    "ratio": gettext_lazy("比率由同一对象的分子、分母合计重算，不取平均"),
    "difference": gettext_lazy("百分点差值为两项分别重算的比率之差"),
}
OPERANDS = {"ratio": (gettext_lazy("分子"), gettext_lazy("分母")),
            "difference": (gettext_lazy("被减数"), gettext_lazy("减数"))}


def _rule_of(indicator: Indicator) -> str:
    """How the indicator's figures combine, in one sentence."""
    return str(RULES[indicator.kind if indicator.kind in OPERANDS else "region" if indicator.level == "region" else "sum"])


def _rule(indicator: Indicator) -> str:
    return _("取省级审核通过的报表；多个集群合计时只用全部报表均已审核并填报的报告期；") + _rule_of(indicator)


def _report_url(pk: int | None) -> str:
    return reverse("monitoring:report", args=[pk]) if pk else ""


def _total_row(data: ProgrammeData, total: Total, indicator: Indicator, value) -> BasisRow:
    period = period_label(total.year, total.quarter)
    single = total.sources[0] if len(total.expected) == 1 and total.sources else None
    label = (f"{period} {single.subject}" if single and indicator.level == "region"
             else _("%(period)s合计") % {"period": period})
    notes = []
    if total.previous is not None and total.complete:
        notes.append(_("上年同期 %(value)s") % {"value": f"{value(total.previous):,.2f}"})
    if single and indicator.level == "region":
        notes.append(_("修订 #%(n)s") % {"n": single.revision})
    if not total.complete:
        missing = "、".join(sorted(data.statistics.name_of(k) for k in total.missing))
        notes.append(_("不完整：%(reported)s/%(expected)s 份报表已省级审核并填报，未采用")
                     % {"reported": total.reported, "expected": len(total.expected)}
                     + (_("（缺：%(missing)s）") % {"missing": missing} if missing else ""))
    return BasisRow(label=label, value=value(total.current) if total.complete else None,
                    url=_report_url(single.report) if single and indicator.level == "region" else "",
                    note=_("；").join(notes))


def _latest_rows(data: ProgrammeData, subject: Subject, indicator: Indicator, latest: Total, value) -> list[BasisRow]:
    """What the latest figure is made of: each report's value, or the two recomputed parts of a derived one."""
    book, period = data.statistics, period_label(latest.year, latest.quarter)
    if indicator.kind in OPERANDS:
        rows = []
        for role, part in zip(OPERANDS[indicator.kind], (indicator.numerator, indicator.denominator), strict=True):
            total = book.total(subject, part.code, latest.year, latest.quarter)
            rows.append(BasisRow(label=_("%(role)s：%(name)s %(period)s") % {"role": role, "name": part.name,
                                                                            "period": period},
                                 value=total.current if total else None, note=f"{part.unit}{_('；')}{_rule_of(part)}"))
            if part.level == "region" and total and total.sources:
                source = total.sources[0]
                rows.append(BasisRow(label=f"{source.subject} {period}", value=source.current,
                                     url=_report_url(source.report),
                                     note=f"{part.unit}{_('；')}" + _("修订 #%(n)s") % {"n": source.revision}))
        return rows
    if indicator.level == "region":
        return []  # the period row already links to the 综合表
    return [BasisRow(label=f"{p.subject} {period}", value=value(p.current) if p.current is not None else None,
                     url=_report_url(p.report), note=_("修订 #%(n)s") % {"n": p.revision} if p.revision else p.note)
            for p in book.parts(subject, indicator.code, latest.year, latest.quarter)]


def statistics_series(data: ProgrammeData, indicator: Indicator, subject: Subject, until: date,
                      unit: str) -> Series:
    """Flows, stocks, ratios and differences of one subject, read through the approved-figures selector."""
    book = data.statistics
    refusal = book.refusal(subject, indicator.code)
    if refusal:
        return Series(unsupported=refusal)
    totals = [t for t in book.totals(subject, indicator.code) if t.end <= until]

    def value(v: Decimal) -> Decimal:
        return convert(v, indicator.unit, unit)

    complete = [t for t in totals if t.complete]
    series = Series(basis=[_total_row(data, t, indicator, value) for t in totals], flow=indicator.kind == "flow",
                    note=_rule(indicator))
    if not complete:
        series.empty = (_("尚无完整的省级审核数据（合计须全部报表均已省级审核）") if totals
                        else _("尚无填报该指标的报告期"))
        return series
    latest = complete[-1]
    series.basis += _latest_rows(data, subject, indicator, latest, value)
    if latest.previous is not None:
        series.trend = (Point(quarter_end(latest.year - 1, latest.quarter), value(latest.previous), _("上年同期")),
                        Point(latest.end, value(latest.current), period_label(latest.year, latest.quarter)))

    if indicator.kind == "flow":
        years: dict[int, Point] = {}
        for t in complete:
            if t.quarter == 4:
                years[t.year] = Point(year_end(t.year), value(t.current), _full_year(t.year))
                if t.previous is not None and t.year - 1 not in years:
                    years[t.year - 1] = Point(year_end(t.year - 1), value(t.previous), _full_year(t.year - 1))
        series.points = [years[y] for y in sorted(years)]
        previous = (Point(quarter_end(latest.year - 1, latest.quarter), value(latest.previous),
                          _cumulative(latest.year - 1, latest.quarter))
                    if latest.previous is not None else None)
        series.ytd = YearToDate(Point(latest.end, value(latest.current), _cumulative(latest.year, latest.quarter)),
                                previous, latest.quarter)
        return series

    stock = indicator.kind not in OPERANDS

    def label(year: int, quarter: int) -> str:
        return _("%(period)s末") % {"period": period_label(year, quarter)} if stock else period_label(year, quarter)

    points: dict[date, Point] = {}
    for t in complete:
        points[t.end] = Point(t.end, value(t.current), label(t.year, t.quarter))
        before = quarter_end(t.year - 1, t.quarter)
        if t.previous is not None and before not in points:
            points[before] = Point(before, value(t.previous), label(t.year - 1, t.quarter))
    series.points = [points[d] for d in sorted(points)]
    return series
