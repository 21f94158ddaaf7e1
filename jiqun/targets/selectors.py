"""Reads for targets: which targets (and subjects) a user sees, and each one's progress.

Structure counts are in structure.py; tasks and checklists in supervision.py."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.accounts.models import REGION_ROLES
from jiqun.accounts.scoping import region_within, target_zone_q
from jiqun.clusters.models import Cluster
from jiqun.core.text import has_control_characters
from jiqun.programmes.models import Programme, Target
from jiqun.programmes.text import display_text
from jiqun.programmes.units import COUNT_UNITS, UnitMismatch
from jiqun.regions.models import Region, Zone, within_q
from jiqun.targets import progress as P
from jiqun.targets.counts import count_series
from jiqun.targets.figures import ProgrammeData, Series, statistics_series
from jiqun.targets.models import ProgressStatus, TargetOverride

LINEAR_UNITS = {"%", "百分点"}
COMPARATOR_SIGNS = {">=": "≥", "<=": "≤", "==": "=", "≈": gettext_lazy("约")}
# A park target written for "each park" (ref "*") applies to the parks its label names.
PARK_KIND_WORDS = {"化工园区": "chemical", "高新区": "hightech", "开发区": "economic"}


# --- subjects and visibility -----------------------------------------------------------------------

@dataclass(frozen=True)
class Subject:
    kind: str  # province, city, cluster, park, chain
    key: str  # region code, cluster pk, zone pk; "" when there is none
    name: str

    @property
    def query(self) -> str:
        """What identifies one subject of an "each cluster/park" target in a URL."""
        return f"?{self.kind}={self.key}" if self.kind in ("cluster", "park") else ""


class Visibility:
    """What one user may see, computed once per request."""

    def __init__(self, user) -> None:
        self.user = user
        self.regional = user.is_authenticated and user.role in REGION_ROLES and bool(user.region_id)
        self.cluster_ids = set(Cluster.objects.for_user(user).values_list("pk", flat=True))
        self.zone_ids = set(Zone.objects.filter(target_zone_q(user)).values_list("pk", flat=True))

    def region(self, code: str) -> bool:
        return self.regional and region_within(self.user, code)

    def subject(self, subject: Subject) -> bool:
        if subject.kind in ("province", "city"):
            return self.region(subject.key)
        if subject.kind == "cluster":
            return subject.key.isdigit() and int(subject.key) in self.cluster_ids
        if subject.kind == "park":
            return subject.key.isdigit() and int(subject.key) in self.zone_ids
        return False

    def programme_totals(self, programme: Programme) -> bool:
        """Whether the user sees figures that cover a whole programme (its structure counts)."""
        return self.region(programme.scope_region_id or "370000")


def target_subjects(target: Target) -> list[Subject]:
    """The subjects one target applies to; an "each cluster/park" target gives one per cluster or park."""
    kind = target.subject_kind
    if kind in ("province", "city"):
        region = target.subject_region
        return [Subject(kind, region.code, region.name)] if region else []
    if kind == "cluster":
        if target.subject_ref == "*":
            clusters = Cluster.objects.filter(programme=target.programme_id).exclude(status="exited").order_by("name")
            return [Subject("cluster", str(c.pk), c.name) for c in clusters]
        cluster = target.subject_cluster
        return [Subject("cluster", str(cluster.pk), cluster.name)] if cluster else []
    if kind == "park":
        if target.subject_ref == "*":
            return [Subject("park", str(z.pk), z.name) for z in each_park(target)]
        return [Subject("park", str(target.subject_zone.pk), target.subject_zone.name)] if target.subject_zone else []
    return [Subject(kind, "", target.subject_ref or target.get_subject_kind_display())]


def each_park(target: Target) -> list[Zone]:
    """The parks an "each park" target covers: the programme's area, narrowed by the kind its label names."""
    zones = Zone.objects.all()
    if target.programme.scope_region_id:
        zones = zones.filter(within_q("region__code", target.programme.scope_region_id))
    for word, kind in PARK_KIND_WORDS.items():
        if word in target.label:
            return list(zones.filter(kind=kind).order_by("name"))
    return list(zones.filter(clusters__programme=target.programme_id).distinct().order_by("name"))


# --- progress --------------------------------------------------------------------------------------

@dataclass
class Effective:
    """A target's figures after the province admin's adjustment, if any."""

    value: Decimal
    year: int
    comparator: str
    baseline: tuple[Decimal, int] | None
    adjusted: bool


def effective(target: Target) -> Effective:
    override: TargetOverride | None = getattr(target, "override", None)
    baseline = None
    if isinstance(target.baseline, dict) and target.baseline.get("value") is not None and target.baseline.get("year"):
        baseline = (Decimal(str(target.baseline["value"])), int(target.baseline["year"]))
    if override is None:
        return Effective(target.value, target.year, target.comparator, baseline, False)
    if override.baseline_value is not None and override.baseline_year:
        baseline = (override.baseline_value, override.baseline_year)
    return Effective(
        override.value if override.value is not None else target.value,
        override.year or target.year,
        override.comparator or target.comparator,
        baseline,
        True,
    )


def programme_start(programme: Programme) -> datetime.date:
    """The day a programme's period starts: its document's date, else the start of its first year."""
    try:
        return datetime.date.fromisoformat(programme.document_date)
    except ValueError:
        return datetime.date(programme.period_start - 1, 12, 31)


@dataclass
class Row:
    """One target for one subject, with its figures and its progress."""

    target: Target
    subject: Subject
    goal: Effective
    series: Series
    result: P.Progress
    as_of: datetime.date
    extra: dict = field(default_factory=dict)

    @property
    def status_label(self) -> str:
        return str(ProgressStatus(self.result.status).label)

    @property
    def url(self) -> str:
        url = reverse("targets:detail", args=[self.target.pk])
        if self.target.subject_ref == "*":
            url += self.subject.query
        if self.as_of != datetime.date.today():
            url += ("&" if "?" in url else "?") + f"as_of={self.as_of:%Y-%m-%d}"
        return url

    @property
    def goal_text(self) -> str:
        sign = COMPARATOR_SIGNS.get(self.goal.comparator, self.goal.comparator)
        return _("%(sign)s%(value)s%(unit)s（%(year)s年）") % {
            "sign": sign, "value": f"{self.goal.value.normalize():f}", "unit": self.target.unit, "year": self.goal.year}

    @property
    def places(self) -> int:
        return 0 if self.target.unit in COUNT_UNITS else 2

    def amount(self, value: Decimal | None) -> str:
        return "—" if value is None else f"{value:,.{self.places}f}"

    @property
    def current_text(self) -> str:
        return self.amount(self.result.current.value) if self.result.current else "—"

    @property
    def forecast_text(self) -> str:
        return self.amount(self.result.forecast)

    def _growth(self, value: Decimal | None) -> str:
        if value is None:
            return "—"
        if self.result.compound:
            return f"{value * 100:+.1f}%"
        return f"{value:+,.{self.places}f}{self.target.unit}"

    @property
    def required_text(self) -> str:
        if self.result.required is None:
            return "—"
        return self._growth(self.result.required) + ("（剩余期内）" if self.result.required_rest else "/年")

    @property
    def actual_text(self) -> str:
        return "—" if self.result.actual is None else self._growth(self.result.actual) + "/年"


def assess_target(target: Target, subject: Subject, data: ProgrammeData, as_of: datetime.date) -> Row:
    """Compute one target's progress for one subject, from the registries and approved statistics."""
    goal = effective(target)
    due = P.year_end(goal.year)
    until = min(as_of, due)
    indicator = target.indicator
    # Shares and 百分点 move in points; counts in units (需每年新增 x 家): neither compounds.
    linear = target.unit in LINEAR_UNITS or indicator.unit in LINEAR_UNITS or indicator.kind == "count"
    clusters = data.clusters_in(subject.kind, subject.key)
    if subject.kind == "chain":
        series = Series(unsupported="产业链名录尚未建立，无法计算")
    else:
        try:
            if indicator.kind == "count":
                series = count_series(data, indicator, target.params or {}, clusters, until,
                                      named={c.pk for c in target.counted_clusters.all()},
                                      subject=(subject.kind, subject.key))
            else:
                series = statistics_series(data, indicator, data.statistics_subject(subject.kind, subject.key), until,
                                           target.unit)
        except UnitMismatch as exc:
            series = Series(unsupported=str(exc))
    baseline = None
    if goal.baseline:
        baseline = P.Point(P.year_end(goal.baseline[1]), goal.baseline[0], f"{goal.baseline[1]}年基数")
    start = programme_start(target.programme)
    kwargs: dict = {}
    current = None

    if series.unsupported:
        result = P.Progress(P.NO_DATA, series.unsupported, compound=not linear)
        return Row(target, subject, goal, series, result, as_of)

    points = [p for p in series.points if p.at <= until]
    ytd = series.ytd if series.ytd and series.ytd.current.at <= until else None
    in_target_year = (ytd is not None and ytd.quarter < 4 and ytd.current.at.year == goal.year
                      and not any(p.at.year == goal.year for p in points))
    if series.flow and in_target_year:
        # 时间过半、任务过半: the year-to-date against the annual target, over the target year.
        current = ytd.current
        start = P.year_end(goal.year - 1)
        baseline = P.Point(start, Decimal(0), "年初")
        last_year = next((p for p in points if p.at == start), None)
        if ytd.previous is not None:
            kwargs["trend"] = (ytd.previous, ytd.current)
        kwargs["cumulative"] = True
        if last_year is not None:
            kwargs["growth_from"] = last_year
        else:
            months = ytd.quarter * 3
            kwargs["forecast"] = P.Forecast(
                ytd.current.value * 12 / months,
                f"无上年全年数，按序时折算：{ytd.current.label} {ytd.current.value:,.2f} ÷ {months} × 12")
    else:
        current = points[-1] if points else None
        trend = series.trend if series.trend and series.trend[1].at <= until else None
        if trend is None and len(points) >= 2:
            trend = (points[-2], points[-1])
        kwargs["trend"] = trend
        if baseline is None and current is not None and points and points[0].at < current.at:
            baseline = points[0]
        if series.flow and current is None and ytd is not None:
            series.empty = f"尚无全年数据（最新为{ytd.current.label} {ytd.current.value:,.2f}）"
    if baseline is not None:
        start = baseline.at
    goal_spec = P.Goal(value=goal.value, comparator=goal.comparator, start=start, due=due, linear=linear,
                       baseline=baseline)
    result = P.assess(goal_spec, as_of=as_of, current=current, **kwargs)
    if current is None:
        why = series.empty or (f"尚无数据（{series.note}）" if series.note else "尚无可用数据")
        result = P.Progress(P.NO_DATA, why, compound=result.compound)
    return Row(target, subject, goal, series, result, as_of, {"start": start, "baseline": baseline})


class DataCache(dict):
    """ProgrammeData per programme, built when first needed."""

    def __init__(self, as_of: datetime.date) -> None:
        super().__init__()
        self.as_of = as_of

    def __missing__(self, programme: Programme) -> ProgrammeData:
        self[programme] = ProgrammeData(programme, self.as_of)
        return self[programme]


def targets_queryset():
    return Target.objects.select_related("programme", "indicator__numerator", "indicator__denominator",
                                         "subject_region", "subject_cluster", "subject_zone", "override"
                                         ).prefetch_related("counted_clusters")


def target_rows(
    user, *, as_of: datetime.date, programme: Programme | None = None, subject: Subject | None = None, statuses: list[str] | None = None, year: int | None = None,
    subject_kind: str | None = None, keep: Callable[[Subject], bool] | None = None,
) -> list[Row]:
    """Every target (and subject of an "each" target) the user may see, with its progress; with `keep`, only
    the subjects it accepts are assessed (an overview of a city asks for the city's subjects only)."""
    visible = Visibility(user) if user is not None else None
    queryset = targets_queryset()
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    if subject_kind:
        queryset = queryset.filter(subject_kind=subject_kind)
    if subject is not None:
        queryset = queryset.filter(subject_kind=subject.kind)
    cache = DataCache(as_of)
    rows = []
    for target in queryset.order_by("programme__period_start", "programme__code", "code"):
        if year and effective(target).year != year:
            continue
        for each in target_subjects(target):
            if subject is not None and (each.kind, each.key) != (subject.kind, subject.key):
                continue
            if visible is not None and not visible.subject(each):
                continue
            if keep is not None and not keep(each):
                continue
            row = assess_target(target, each, cache[target.programme], as_of)
            if statuses and row.result.status not in statuses:
                continue
            rows.append(row)
    return rows


def status_counts(rows: list[Row]) -> list[tuple[str, str, int]]:
    return [(value, label, sum(1 for r in rows if r.result.status == value)) for value, label in ProgressStatus.choices]


def target_for(user, pk: int, params) -> tuple[Target, Subject] | None:
    """A target and the subject a URL names, or None when either is missing or out of the user's scope."""
    target = targets_queryset().filter(pk=pk).first()
    if target is None:
        return None
    subjects = target_subjects(target)
    if target.subject_ref == "*":
        key = str(params.get(target.subject_kind) or "")
        subjects = [s for s in subjects if s.key == key]
    if len(subjects) != 1 or (user is not None and not Visibility(user).subject(subjects[0])):
        return None
    return target, subjects[0]


def subject_for(user, kind: str, key: str) -> Subject | None:
    """A subject named in a URL, or None when it does not exist or lies outside the user's scope."""
    visible = Visibility(user)
    if has_control_characters(key):  # not a key of anything (PostgreSQL could not even look it up)
        return None
    if kind in ("province", "city"):
        region = Region.objects.filter(code=key, level=kind).first()
        subject = Subject(kind, region.code, region.name) if region else None
    elif kind == "cluster" and key.isdigit():
        cluster = Cluster.objects.filter(pk=int(key)).first()
        subject = Subject(kind, str(cluster.pk), cluster.name) if cluster else None
    elif kind == "park" and key.isdigit():
        zone = Zone.objects.filter(pk=int(key)).first()
        subject = Subject(kind, str(zone.pk), zone.name) if zone else None
    else:
        subject = None
    return subject if subject is not None and visible.subject(subject) else None


# --- plain data for the API and the command line ---------------------------------------------------

def _q(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.0001"))


def row_data(row: Row) -> dict:
    """One progress row as plain values; numbers are Decimals rounded to four places."""
    t, res = row.target, row.result
    return {
        "id": t.pk, "programme": t.programme.code, "code": t.code, "label": t.label,
        "subject_kind": row.subject.kind, "subject_key": row.subject.key, "subject": row.subject.name,
        "indicator": t.indicator.code, "comparator": row.goal.comparator, "value": row.goal.value,
        "unit": t.unit, "year": row.goal.year, "adjusted": row.goal.adjusted,
        "document_value": t.value, "document_year": t.year,
        "current": _q(res.current.value) if res.current else None,
        "current_label": res.current.label if res.current else "",
        "current_at": res.current.at if res.current else None,
        "attainment": _q(res.attainment), "progress": _q(res.progress), "elapsed": _q(res.elapsed), "gap": _q(res.gap),
        "growth_terms": "rate" if res.compound else "points",
        "required": _q(res.required), "required_rest": res.required_rest, "actual": _q(res.actual),
        "forecast": _q(res.forecast), "method": res.method,
        "status": res.status, "status_label": row.status_label, "reason": res.reason,
        "citation": t.citation, "clause": t.clause, "quote": display_text(t.quote), "as_of": row.as_of, "url": row.url,
        "counted_clusters": [c.name for c in t.counted_clusters.all()],
    }
