"""The approved figure of an indicator for a subject as of a date, with its provenance: the only code that reads
report figures to combine them.

`ApprovedFigures` loads one programme's reports once (a targets page asks for ~100 figures; a roll-up page for
every city) and answers for subjects built from it: a cluster, a set of clusters, a zone, a county, a city, the
province. How an indicator combines follows the catalogue (Indicator.level, aggregation, kind):

- level=cluster, aggregation=sum: the sum over the subject's clusters, each counted once (a cluster that spans
  two cities counts once in the province). A period is complete when every cluster that has a report in it is
  approved and gave the figure.
- level=region: read from the 综合表 of the subject's region: a city's own, the province's for the province.
  A cluster, a set of clusters or a zone has no 综合表 of its own: its region-level figures are those of the
  programme's scope region (the city of a city programme, the province of a province-wide one). A region-level
  figure is never summed over clusters.
- ratio: numerator × 100 / denominator, each read through this module for the same subject, so the two parts
  may be of different levels (the clusters' 营业收入 over the city's whole manufacturing 营业收入).
- difference (百分点): minuend − subtrahend, each a rate recomputed for the same subject first.
- aggregation=none at cluster level: a rate each cluster reports as it is; one cluster has it, a set of
  clusters has none, as no sum or average of such rates means anything.

Every total keeps the report, revision and subject of each value it used (`Source`), and which reports it
expected but could not use (`missing`), so a page can show where a number comes from and why it is absent.
"""

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, cached_property

from jiqun.monitoring.checks import yoy
from jiqun.monitoring.models import Report, ReportingPeriod, ReportStatus
from jiqun.monitoring.values import Values, current_values

FINAL = (ReportStatus.PROVINCE_APPROVED,)

Key = tuple[str, int | str]  # ("cluster", pk) | ("enterprise", pk) | ("region", code): who files a report
Cited = tuple[int, int, str]  # (report, revision, indicator code): a Source as `complete_values` cites it
Complete = tuple[Decimal, tuple[Cited, ...]]  # a complete total's current value and what it cites
# `complete_values` as columns: each subject's value, and per cited indicator the report of each value and the
# revision that set it (the revision None where the value is None)
Column = tuple[list[Decimal | None], list[tuple[str, list[int | None], list[int | None]]]]
NONE_MISSING: frozenset = frozenset()
_ZERO = Decimal(0)  # a sum's start, made once (a Decimal never changes)


@cache  # asked for every report read, of a few periods
def quarter_end(year: int, quarter: int) -> date:
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, slots=True)
class Subject:
    """Whom a figure is about: the reporters whose cluster-level figures are summed, and the region whose
    综合表 gives the region-level ones (None: there is none)."""

    name: str
    members: frozenset[Key]
    region: str | None


@dataclass(frozen=True, slots=True)
class Source:
    """One stored value a total used: which report, which revision set it, whose report it is."""

    key: Key
    report: int
    revision: int
    subject: str
    code: str
    current: Decimal | None
    previous: Decimal | None


@dataclass(slots=True)
class Total:
    """One indicator of one subject in one period. `current` and `previous` cover the values that could be used;
    only a complete total (nothing missing) is the subject's figure."""

    code: str
    year: int
    quarter: int
    current: Decimal | None = None
    previous: Decimal | None = None
    sources: tuple[Source, ...] = ()
    expected: frozenset[Key] = frozenset()
    missing: frozenset[Key] = frozenset()

    @property
    def complete(self) -> bool:
        return self.current is not None and not self.missing

    @property
    def reported(self) -> int:
        return len(self.expected - self.missing)

    @property
    def end(self) -> date:
        return quarter_end(self.year, self.quarter)

    @property
    def yoy(self) -> Decimal | None:
        return yoy(self.current, self.previous)


@dataclass(slots=True)
class Part:
    """One report behind a total, whether or not it could be used."""

    key: Key
    subject: str
    report: int | None
    revision: int | None
    current: Decimal | None
    previous: Decimal | None
    note: str = ""


class _Names:
    """The names of the reporters of some reports, read in one query when first asked for (a national evaluation
    run asks for none). Refers to the reports' query, not to the figures that hold it: no reference cycle."""

    __slots__ = ("_names", "_reports")

    def __init__(self, reports) -> None:
        self._reports = reports
        self._names: dict[Key, str] | None = None

    def of(self, key: Key) -> str:
        """A cluster's or an enterprise's name, or "<region>综合表"; the id when the report is gone since."""
        if self._names is None:
            names = {}  # kept only once read whole: a query that fails is asked again next time
            for cluster, cname, enterprise, ename, region, rname in self._reports.order_by().values_list(
                    "cluster_id", "cluster__name", "enterprise_id", "enterprise__name", "region_id", "region__name"):
                if cluster:
                    names[("cluster", cluster)] = cname
                elif enterprise:
                    names[("enterprise", enterprise)] = ename
                else:
                    names[("region", region)] = f"{rname}综合表"
            self._names = names
        name = self._names.get(key)
        return str(key[1]) if name is None else name


@dataclass(slots=True)
class _Filed:
    report: int
    key: Key
    approved: bool
    values: Values
    names: _Names

    @property
    def subject(self) -> str:
        """Whose report it is: a cluster's or an enterprise's name, or a region's 综合表."""
        return self.names.of(self.key)


def _union(a: frozenset, b: frozenset) -> frozenset:
    """a | b, reusing a when b adds nothing (the parts of a ratio mostly expect the same reporters)."""
    return a if b <= a else b if a <= b else a | b


def _rate(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return numerator * 100 / denominator


def _minus(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a - b


def _complete_sum(filed: dict[Key, _Filed], keys, code: str) -> "Complete | None":
    """`_compute`'s total of one period over `keys` (in its order) when it is complete, else None."""
    current, sources = Decimal(0), []  # summed from Decimal(0), as `_compute` sums
    for key in keys:
        report = filed.get(key)
        if report is None and key[0] != "region":
            continue  # no report in this period: not expected
        found = report.values.current(code) if report is not None and report.approved else None
        if found is None or found[0] is None:
            return None  # an expected report that cannot be used: not complete
        current += found[0]
        sources.append((report.report, found[1], code))
    return (current, tuple(sources)) if sources else None


def _kept(parts: list, values: list) -> list:
    """A column's parts without a revision where its value is None (a ratio whose parts are there but whose
    denominator is zero), and none at all when no value is."""
    # `is None`, never `in`: comparing a Decimal with None asks whether None is a numbers.Rational (an ABC check)
    if all(value is None for value in values):
        return []
    if not any(value is None for value in values):
        return parts
    return [(code, reports, [None if value is None else revision
                             for revision, value in zip(revisions, values, strict=True)])
            for code, reports, revisions in parts]


def _column_of_ones(reports: "tuple[list[Values | None], list[int | None]]", code: str) -> Column:
    """The complete totals of subjects of one reporter each, as a column; `reports` are, for each, the values to
    read of its report (None: it has none, or it is not approved) and the report's id."""
    values_of, ids = reports
    currents, revisions = current_values(values_of, code)  # a revision is None where its value is
    # summed from Decimal(0), as `_compute` sums
    values = [None if current is None else _ZERO + current for current in currents]
    return values, _kept([(code, ids, revisions)], values)


class ApprovedFigures:
    """One programme's figures in status `statuses` (default 省级审核通过): all periods ending on or before
    `as_of`, or the one `period` (or the periods of one `quarter`). Enterprise reports are read only when
    `enterprises` is given: True for all of them, or the enterprises (ids, a queryset) whose reports alone are
    read, so a cluster page does not load a whole province's enterprise reports."""

    def __init__(self, programme, *, as_of: date | None = None, period: ReportingPeriod | None = None,
                 statuses=FINAL, enterprises=False, quarter: int | None = None) -> None:
        from jiqun.monitoring.services import region_report_regions

        self.programme = programme
        self.as_of = as_of
        self.period = period
        self.statuses = set(statuses)
        self.enterprises = enterprises
        self.quarter = quarter
        scope = region_report_regions(programme)
        self.scope_region = scope[0] if scope else None
        self._totals: dict[tuple[Subject, str], list[Total]] = {}
        # One frozenset per distinct set of expected reporters, shared by every total that expects them: a run
        # over 500 clusters × 30 indicators × 4 periods made 60,000 copies of the same few sets, which every
        # cycle collection of the growing heap walked.
        self._key_sets: dict[tuple[Key, ...], frozenset[Key]] = {}
        self._refusals: dict[tuple[str, bool, bool], str] = {}
        self._columns: dict[tuple[str, int, int], tuple[tuple[Subject, ...], list[Complete | None]]] = {}
        self._lean: dict[tuple[str, int, int], tuple[tuple[Subject, ...], Column | None]] = {}
        # Per period, the one reporter's report of each subject (values and id); None: subjects of several reporters
        self._reports_of: dict[tuple[int, int], tuple[tuple[Subject, ...], tuple[list, list] | None]] = {}

    # --- loading ------------------------------------------------------------------------------------

    @cached_property
    def catalogue(self) -> dict:
        from jiqun.programmes.models import Indicator

        indicators = {i.pk: i for i in Indicator.objects.all()}
        # A ratio's parts are in the catalogue too: linked from it rather than read again by a join.
        for indicator in indicators.values():
            if indicator.numerator_id is not None:
                indicator.numerator = indicators[indicator.numerator_id]
            if indicator.denominator_id is not None:
                indicator.denominator = indicators[indicator.denominator_id]
        return {i.code: i for i in indicators.values()}

    @cached_property
    def clusters(self) -> dict[int, tuple[str, tuple[str, ...], tuple[int, ...]]]:
        """Every cluster of the programme: name, region codes, zone ids."""
        from jiqun.clusters.models import Cluster

        # Three flat queries rather than prefetched model instances: a national programme has hundreds of clusters.
        clusters = Cluster.objects.filter(programme=self.programme)
        regions, zones = defaultdict(list), defaultdict(list)
        for cluster, region in (Cluster.regions.through.objects.filter(cluster__in=clusters)
                                .order_by("region__code").values_list("cluster_id", "region_id")):
            regions[cluster].append(region)
        for cluster, zone in (Cluster.zones.through.objects.filter(cluster__in=clusters)
                              .order_by("zone__region_id", "zone__name", "zone_id").values_list("cluster_id", "zone_id")):
            zones[cluster].append(zone)
        return {pk: (name, tuple(regions[pk]), tuple(zones[pk])) for pk, name in clusters.values_list("pk", "name")}

    def _periods(self):
        periods = ReportingPeriod.objects.filter(programme=self.programme)
        if self.period is not None:
            periods = periods.filter(pk=self.period.pk)
        if self.quarter is not None:
            periods = periods.filter(quarter=self.quarter)
        return periods

    @cached_property
    def collected(self) -> dict[tuple[int, int], set[str]]:
        """The indicator codes each period collects, by (year, quarter)."""
        through = ReportingPeriod.indicators.through.objects.filter(reportingperiod__in=self._periods())
        result: dict[tuple[int, int], set[str]] = defaultdict(set)
        for year, quarter, code in through.values_list("reportingperiod__year", "reportingperiod__quarter",
                                                       "indicator__code"):
            if self._in_range(year, quarter):
                result[(year, quarter)].add(code)
        return result

    @cached_property
    def _collected_in_order(self) -> list[tuple[int, int, set[str]]]:
        """`collected` oldest first, sorted once for every total."""
        return [(year, quarter, codes) for (year, quarter), codes in sorted(self.collected.items())]

    def _in_range(self, year: int, quarter: int) -> bool:
        return self.as_of is None or quarter_end(year, quarter) <= self.as_of

    @cached_property
    def filed(self) -> dict[tuple[int, int], dict[Key, _Filed]]:
        """Every report of the loaded periods, by (year, quarter) and reporter: one query, without the reporters'
        names, which are read when first asked for (`_Names`)."""
        reports = Report.objects.filter(period__in=self._periods())
        if self.enterprises is False:
            reports = reports.filter(enterprise__isnull=True)
        elif self.enterprises is not True:
            reports = reports.filter(enterprise__in=self.enterprises)
        rows = reports.with_latest_figures().order_by().values_list(
            "pk", "period__year", "period__quarter", "status", "latest_figures", "cluster_id", "enterprise_id",
            "region_id")
        names = _Names(reports)
        result: dict[tuple[int, int], dict[Key, _Filed]] = defaultdict(dict)
        statuses, in_range = self.statuses, self._in_range
        for pk, year, quarter, status, figures, cluster, enterprise, region in rows:
            if not in_range(year, quarter):
                continue
            key = ("cluster", cluster) if cluster else ("enterprise", enterprise) if enterprise else ("region", region)
            approved = status in statuses
            result[(year, quarter)][key] = _Filed(pk, key, approved, Values((figures or {}) if approved else {}),
                                                  names)
        return result

    # --- subjects -----------------------------------------------------------------------------------

    def subject(self, clusters, *, region: str | None = None, name: str = "") -> Subject:
        """A set of clusters; its region-level figures are the programme scope region's unless `region` is given."""
        return Subject(name, frozenset(("cluster", pk) for pk in clusters), region or self.scope_region)

    def cluster(self, pk: int) -> Subject:
        return self.subject({pk}, name=self.clusters.get(pk, ("",))[0])

    def zone(self, pk: int, name: str = "") -> Subject:
        return self.subject({c for c, (_n, _r, zones) in self.clusters.items() if pk in zones}, name=name)

    def region(self, code: str, name: str = "") -> Subject:
        """A county, a city or the province: the clusters located in it, and its own 综合表."""
        from jiqun.regions.models import PROVINCE_CODE, is_within

        return self.subject({c for c, (_n, regions, _z) in self.clusters.items()
                             if code == PROVINCE_CODE or any(is_within(r, code) for r in regions)},
                            region=code, name=name)

    def enterprises_of(self, enterprises, name: str = "") -> Subject:
        """Member enterprises summed (a cluster from its members' reports); no region-level figures."""
        return Subject(name, frozenset(("enterprise", pk) for pk in enterprises), None)

    # --- figures ------------------------------------------------------------------------------------

    def refusal(self, subject: Subject, code: str) -> str:
        """Why this indicator has no figure for this subject at all, or "" when it may have one."""
        # It depends on the subject only through these two: one answer per indicator and kind of subject.
        key = (code, bool(subject.region), len(subject.members) > 1)
        found = self._refusals.get(key)
        if found is None:
            found = self._refusals[key] = self._refusal(subject, code)
        return found

    def _refusal(self, subject: Subject, code: str) -> str:
        indicator = self.catalogue.get(code)
        if indicator is None:
            return f"指标“{code}”不在指标目录中"
        if indicator.kind in ("ratio", "difference"):
            if indicator.numerator is None or indicator.denominator is None:
                return f"指标“{indicator.name}”未定义{'分子分母' if indicator.kind == 'ratio' else '被减数和减数'}"
            return self.refusal(subject, indicator.numerator.code) or self.refusal(subject, indicator.denominator.code)
        if indicator.level == "region":
            return "" if subject.region else f"“{indicator.name}”为区域综合表指标，本对象没有对应的综合表"
        if indicator.aggregation == "none" and len(subject.members) > 1:
            return f"“{indicator.name}”为各集群自报的比率，不可跨集群加总或平均，多个集群合计时没有这一数值"
        return ""

    def totals(self, subject: Subject, code: str) -> list[Total]:
        """The indicator for the subject in every loaded period that collects it, complete or not, oldest first."""
        cached = self._totals.get((subject, code))
        if cached is None:
            cached = [] if self.refusal(subject, code) else self._compute(subject, code)
            self._totals[(subject, code)] = cached
        return cached

    def total(self, subject: Subject, code: str, year: int, quarter: int) -> Total | None:
        return next((t for t in self.totals(subject, code) if (t.year, t.quarter) == (year, quarter)), None)

    def figure(self, subject: Subject, code: str, on: date | None = None) -> Total | None:
        """The approved figure as of a date: the latest complete total of a period ended by then."""
        complete = [t for t in self.totals(subject, code) if t.complete and (on is None or t.end <= on)]
        return complete[-1] if complete else None

    def _compute(self, subject: Subject, code: str) -> list[Total]:
        indicator = self.catalogue[code]
        if indicator.kind in ("ratio", "difference"):
            return self._derived(subject, indicator)
        if indicator.level == "region":
            members = frozenset({("region", subject.region)})
        else:
            members = subject.members
        ordered = sorted(members, key=str)  # each period's sources in this order (a subset keeps it)
        result = []
        for year, quarter, codes in self._collected_in_order:
            if code not in codes:
                continue
            filed = self.filed.get((year, quarter), {})
            expected = [k for k in ordered if k in filed or k[0] == "region"]
            if not expected:
                continue
            sources, missing = [], []
            current, previous = Decimal(0), Decimal(0)  # sum() from Decimal(0), as a total always was
            for key in expected:
                report = filed.get(key)
                value = report.values.get(code) if report and report.approved else None
                if value is None or value.current is None:
                    missing.append(key)
                    continue
                sources.append(Source(key, report.report, value.revision, report.subject, code, value.current,
                                      value.previous))
                current += value.current
                if previous is not None:
                    previous = None if value.previous is None else previous + value.previous
            if not sources:
                current = previous = None
            expected_set = self._key_sets.get(tuple(expected))
            if expected_set is None:
                expected_set = self._key_sets.setdefault(tuple(expected), frozenset(expected))
            result.append(Total(code, year, quarter, current, previous, tuple(sources), expected_set,
                                frozenset(missing) if missing else NONE_MISSING))
        return result

    def complete_values(self, subjects: Sequence[Subject], code: str, year: int, quarter: int
                        ) -> list[Complete | None]:
        """For each subject, its total of one period when that is complete, lean: the total's `current` and,
        for each of its `sources` in the same order, (report, revision, indicator code); None where `total(...)`
        is None or not complete (`totals` says why) or the indicator is refused. The same answers as `total`
        without a Total or a Source per value: a national evaluation run asks for 15,000 of them."""
        subjects = tuple(subjects)
        memo = self._columns.get((code, year, quarter))
        if memo is not None and memo[0] == subjects:  # a ratio's parts are often asked for themselves too
            return memo[1]
        lean = self.complete_column(subjects, code, year, quarter)
        column: list[Complete | None]
        if lean is not None:  # every total cites the same indicators (one reporter each, or a 综合表)
            values, parts = lean
            column = [None if value is None else
                      (value, tuple((reports[i], revisions[i], cited) for cited, reports, revisions in parts))
                      for i, value in enumerate(values)]
        elif (indicator := self.catalogue[code]).kind in ("ratio", "difference"):  # a part summed over reporters
            # complete exactly when both parts are (a refused part is None) and they combine
            combine = _rate if indicator.kind == "ratio" else _minus
            column = []
            for first, second in zip(self.complete_values(subjects, indicator.numerator.code, year, quarter),
                                     self.complete_values(subjects, indicator.denominator.code, year, quarter),
                                     strict=True):
                value = None if first is None or second is None else combine(first[0], second[0])
                column.append(None if value is None else (value, first[1] + second[1]))
        else:  # a cluster-level indicator over subjects of several reporters
            filed = self.filed.get((year, quarter), {})
            column = []
            refused = {}  # `refusal` of a cluster-level indicator depends only on how many members there are
            for subject in subjects:
                members = subject.members
                many = len(members) > 1
                if many not in refused:
                    refused[many] = bool(self.refusal(subject, code))
                column.append(None if refused[many] else
                              _complete_sum(filed, sorted(members, key=str) if many else members, code))
        self._columns[(code, year, quarter)] = (subjects, column)
        return column

    def complete_column(self, subjects: Sequence[Subject], code: str, year: int, quarter: int) -> Column | None:
        """`complete_values` as columns, for subjects whose every total cites the same indicators (each subject one
        reporter, as a cluster is): each subject's value (None as there), and for each indicator its totals cite,
        in their order, (indicator, reports, revisions): the report of each subject's value and the revision that
        set it, the revision None where the value is None (the report may then be any); no indicators when no value
        is complete. None for subjects of several reporters, whose totals cite as many reports as they have
        (`complete_values` answers for them)."""
        subjects = tuple(subjects)
        memo = self._lean.get((code, year, quarter))
        if memo is not None and memo[0] == subjects:  # a ratio's parts are often asked for themselves too
            return memo[1]
        column = self._complete_column(subjects, code, year, quarter)
        self._lean[(code, year, quarter)] = (subjects, column)
        return column

    def _complete_column(self, subjects: tuple[Subject, ...], code: str, year: int, quarter: int) -> Column | None:
        nothing: Column = ([None] * len(subjects), [])
        indicator = self.catalogue.get(code)
        if indicator is None:
            return nothing
        if indicator.kind in ("ratio", "difference"):
            if indicator.numerator is None or indicator.denominator is None:
                return nothing
            first = self.complete_column(subjects, indicator.numerator.code, year, quarter)
            second = self.complete_column(subjects, indicator.denominator.code, year, quarter)
            if first is None or second is None:
                return None
            # complete exactly when both parts are (a refused part is None) and they combine
            combine = _rate if indicator.kind == "ratio" else _minus
            values = [None if a is None or b is None else combine(a, b)
                      for a, b in zip(first[0], second[0], strict=True)]
            return values, _kept(first[1] + second[1], values)
        if code not in self.collected.get((year, quarter), ()):
            return nothing
        filed = self.filed.get((year, quarter), {})
        if indicator.level == "region":  # the region's 综合表: one answer per region, whoever asks
            regions: dict[str | None, Complete | None] = {}
            found = []
            for subject in subjects:
                if subject.region not in regions:
                    regions[subject.region] = (None if self.refusal(subject, code) else
                                               _complete_sum(filed, (("region", subject.region),), code))
                found.append(regions[subject.region])
            values = [None if total is None else total[0] for total in found]
            return values, _kept([(code, [None if total is None else total[1][0][0] for total in found],
                                   [None if total is None else total[1][0][1] for total in found])], values)
        reports = self._reports_of.get((year, quarter))
        if reports is None or reports[0] != subjects:  # the same for every indicator of the period
            if not all(len(subject.members) == 1 for subject in subjects):
                reports = None
            else:
                filed_of = [filed.get(key) for subject in subjects for key in subject.members]
                reports = (
                    [None if report is None or not report.approved else report.values for report in filed_of],
                    [None if report is None else report.report for report in filed_of])
            self._reports_of[(year, quarter)] = (subjects, reports)
        else:
            reports = reports[1]
        if reports is None:
            return None
        if not subjects or self.refusal(subjects[0], code):
            return nothing
        return _column_of_ones(reports, code)

    def _derived(self, subject: Subject, indicator) -> list[Total]:
        first = {(t.year, t.quarter): t for t in self.totals(subject, indicator.numerator.code)}
        second = {(t.year, t.quarter): t for t in self.totals(subject, indicator.denominator.code)}
        combine = _rate if indicator.kind == "ratio" else _minus
        result = []
        for year, quarter in sorted(set(first) & set(second)):  # periods that collect both parts
            a, b = first[(year, quarter)], second[(year, quarter)]
            result.append(Total(indicator.code, year, quarter, combine(a.current, b.current),
                                combine(a.previous, b.previous), a.sources + b.sources,
                                _union(a.expected, b.expected), _union(a.missing, b.missing)))
        return result

    def parts(self, subject: Subject, code: str, year: int, quarter: int) -> list[Part]:
        """Each report behind one period's total of a reported (not derived) indicator, usable or not."""
        indicator = self.catalogue[code]
        total = self.total(subject, code, year, quarter)
        if total is None or indicator.kind in ("ratio", "difference"):
            return []
        filed = self.filed.get((year, quarter), {})
        used = {s.key: s for s in total.sources}
        parts = []
        for key in total.expected:
            report = filed.get(key)
            source = used.get(key)
            if source is not None:
                parts.append(Part(key, source.subject, source.report, source.revision, source.current,
                                  source.previous))
            elif report is None:
                parts.append(Part(key, self.name_of(key), None, None, None, None, "未开设报表"))
            else:
                parts.append(Part(key, report.subject, report.report, None, None, None,
                                  "已审核但未填报此项" if report.approved else "未审核"))
        return sorted(parts, key=lambda p: p.subject)

    def name_of(self, key: Key) -> str:
        if key[0] == "cluster":
            return self.clusters.get(key[1], (str(key[1]),))[0]
        if key[0] == "region":
            from jiqun.regions.models import Region

            return f"{Region.objects.filter(code=key[1]).values_list('name', flat=True).first() or key[1]}综合表"
        return str(key[1])

    def full_year(self, cluster: int, code: str, year: int) -> Decimal | None:
        """A cluster's 1-12月 figure of a year: its own approved report, else next year's 上年同期."""
        return self._full_year(("cluster", cluster), code, year)

    def _full_year(self, key: Key, code: str, year: int) -> Decimal | None:
        own = self.filed.get((year, 4), {}).get(key)
        value = own.values.get(code) if own else None
        if value is not None and value.current is not None:
            return value.current
        later = self.filed.get((year + 1, 4), {}).get(key)
        value = later.values.get(code) if later else None
        return value.previous if value else None

    def enterprise_full_years(self, code: str) -> dict[tuple[int, int], Decimal]:
        """Each enterprise's approved 1-12月 figure, by (enterprise, year), from its own Q4 reports."""
        result = {}
        for (year, quarter), filed in self.filed.items():
            if quarter != 4:
                continue
            for key, report in filed.items():
                value = report.values.get(code)
                if key[0] == "enterprise" and value is not None and value.current is not None:
                    result[(key[1], year)] = value.current
        return result

    @cached_property
    def years_with_data(self) -> list[int]:
        """Years with a 1-12月 period, and the years before them (their 上年同期)."""
        years = {year for (year, quarter) in self.filed if quarter == 4}
        return sorted(years | {y - 1 for y in years})

    def derivable(self, codes) -> list[str]:
        """The ratio and difference indicators whose parts are all among `codes`, recursively."""
        known, found = set(codes), []
        derived = [i for i in self.catalogue.values() if i.kind in ("ratio", "difference") and i.numerator_id
                   and i.denominator_id]
        changed = True
        while changed:
            changed = False
            for indicator in derived:
                if indicator.code not in known and {indicator.numerator.code, indicator.denominator.code} <= known:
                    known.add(indicator.code)
                    found.append(indicator.code)
                    changed = True
        return sorted(found)
