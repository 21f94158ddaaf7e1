"""What the cluster page (`/clusters/<pk>/`) shows beyond the registry: built from reads other modules own.

- Indicator trends: the cluster's figures as the dashboards store them (`Summaries.series`, the approved-figures
  selector's totals), cumulative by period with 上年同期, and for flow indicators the quarter alone (单季) taken
  from two stored cumulative figures of the same year (`quarter_alone`), never re-summed from reports.
- Targets with their lights: `jiqun.targets.selectors.target_rows` for the cluster as subject.
- Members by honour and by role, projects by stage, chains and their segment ratings, evaluation history, the
  tier history with a link to its basis where the basis names a record.

Everything here reads what the user may see (`for_user`); nothing writes.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.dashboards.charts import Chart, Series
from jiqun.dashboards.models import FigureSummary
from jiqun.dashboards.selectors import Summaries, figure_url
from jiqun.monitoring.models import period_name
from jiqun.monitoring.selectors import change_text

# The indicators drawn as trends, in this order (any ratio the summaries hold is drawn after them).
KEY_CODES = ("revenue", "operating_revenue", "profit", "employees", "rd_expenditure")
DERIVED = ("ratio", "difference")
TOP_PROJECTS = 10


# --- indicator trends --------------------------------------------------------------------------------

def quarter_alone(rows: list[FigureSummary], *, previous: bool = False) -> list[Decimal | None]:
    """The quarter alone (单季) of a flow indicator for each row (oldest first, as `Summaries.series` gives):
    Q1 is its cumulative figure; a later quarter its cumulative figure minus the previous quarter's of the same
    year. None unless both figures are stored and complete. With `previous`, the same from 上年同期."""
    by_period = {(r.year, r.quarter): r for r in rows}

    def cumulative(row: FigureSummary | None) -> Decimal | None:
        if row is None or not row.complete:
            return None
        return row.previous if previous else row.current

    out: list[Decimal | None] = []
    for row in rows:
        this = cumulative(row)
        if this is None or row.quarter == 1:
            out.append(this)
            continue
        before = cumulative(by_period.get((row.year, row.quarter - 1)))
        out.append(None if before is None else this - before)
    return out


def quarter_label(year: int, quarter: int) -> str:
    return _("%(year)s年第%(quarter)s季度") % {"year": year, "quarter": quarter}


@dataclass
class LatestRow:
    """One indicator of the cluster in the latest period with complete figures."""

    code: str
    name: str
    unit: str
    row: FigureSummary | None
    value: Decimal | None
    previous: Decimal | None
    change: str
    url: str | None
    alone: Decimal | None = None  # the quarter alone, flow indicators only
    flow: bool = False


@dataclass
class Trends:
    charts: list[Chart] = field(default_factory=list)
    latest: tuple[int, int] | None = None
    latest_label: str = ""
    rows: list[LatestRow] = field(default_factory=list)


def _plain(value: Decimal | None, indicator) -> Decimal | None:
    """A value rounded as its indicator is written (a ratio's 28 digits are not what a reader reads)."""
    if value is None:
        return None
    places = indicator.precision if indicator is not None else 2
    return value.quantize(Decimal(1).scaleb(-places))


def catalogue() -> dict:
    """The indicators by code (names, units, kinds and precision)."""
    from jiqun.programmes.models import Indicator

    return {i.code: i for i in Indicator.objects.all()}


def trends(summaries: Summaries, cluster, catalogue: dict) -> Trends:
    """The cluster's trend charts and its latest figures, from the stored summaries only."""
    result = Trends()
    series: dict[str, list[FigureSummary]] = {}
    for code in sorted(summaries.codes()):
        rows = summaries.series("cluster", cluster.pk, code)
        if rows:
            series[code] = rows
    complete = {(r.year, r.quarter) for rows in series.values() for r in rows if r.complete}
    result.latest = max(complete) if complete else None
    if result.latest:
        result.latest_label = period_name(*result.latest)
    drawn = [c for c in KEY_CODES if c in series] + [
        c for c in series if c not in KEY_CODES and getattr(catalogue.get(c), "kind", "") in DERIVED]
    note = _("已审核通过的季报汇总（省级审核通过，经审核的更正计入）；点击数据点可查看来源报表")
    for code in drawn:
        rows, indicator = series[code], catalogue.get(code)
        if indicator is None:
            continue
        flow = indicator.kind == "flow"
        derived = indicator.kind in DERIVED
        current_name = _("本年累计") if flow else _("本期")
        result.charts.append(Chart(
            f"trend-{code}", _("%(name)s（%(what)s）") % {
                "name": indicator.name, "what": _("累计") if flow else (_("比率") if derived else _("期末"))},
            "line", [r.period_label for r in rows],
            [Series(current_name, [_plain(r.value, indicator) for r in rows]),
             Series(_("上年同期"), [_plain(r.previous, indicator) if r.complete else None for r in rows])],
            unit=indicator.unit, links=[figure_url(r) for r in rows], note=note, height=260,
        ))
        if flow:
            result.charts.append(Chart(
                f"quarter-{code}", _("%(name)s（单季）") % {"name": indicator.name}, "bar",
                [quarter_label(r.year, r.quarter) for r in rows],
                [Series(_("本年单季"), [_plain(v, indicator) for v in quarter_alone(rows)]),
                 Series(_("上年同期单季"), [_plain(v, indicator) for v in quarter_alone(rows, previous=True)])],
                unit=indicator.unit, note=_("单季 = 本期累计 − 同年上一季度累计（一季度即累计数）；两期数据均完整时才计算"),
                height=260,
            ))
    if result.latest:
        year, quarter = result.latest
        for code, rows in series.items():
            indicator = catalogue.get(code)
            if indicator is None:
                continue
            at = next((i for i, r in enumerate(rows) if (r.year, r.quarter) == result.latest), None)
            row = rows[at] if at is not None else None
            shown = row if row is not None and row.complete else None
            flow = indicator.kind == "flow"
            result.rows.append(LatestRow(
                code=code, name=indicator.name, unit=indicator.unit, row=row,
                value=_plain(shown.current, indicator) if shown else None,
                previous=_plain(shown.previous, indicator) if shown else None,
                change=change_text(indicator, shown) if shown else "—", url=figure_url(row),
                alone=_plain(quarter_alone(rows)[at], indicator) if flow and at is not None else None, flow=flow,
            ))
        order = {c: i for i, c in enumerate(KEY_CODES)}
        result.rows.sort(key=lambda r: (order.get(r.code, len(order)), r.name))
    return result


# --- targets -----------------------------------------------------------------------------------------

def target_lights(user, cluster) -> list:
    """The cluster's targets (its own and the "each cluster" ones) with their progress, as the targets pages
    show them."""
    from jiqun.targets.selectors import subject_for, target_rows

    subject = subject_for(user, "cluster", str(cluster.pk))
    if subject is None:
        return []
    return target_rows(user, as_of=timezone.localdate(), subject=subject)


# --- members -------------------------------------------------------------------------------------------

def member_charts(memberships) -> list[Chart]:
    """Member enterprises counted by honour (an enterprise once per kind of honour) and by role."""
    from jiqun.enterprises.models import HonourKind, MemberRole

    held: dict[str, set[int]] = {value: set() for value, _label in HonourKind.choices}
    roles = Counter()
    for membership in memberships:
        roles[membership.role] += 1
        for honour in membership.enterprise.honours.all():
            held.setdefault(honour.kind, set()).add(membership.enterprise_id)
    honours = [(str(label), len(held[value])) for value, label in HonourKind.choices if held[value]]
    note = _("集群成员名录")
    return [
        Chart("members-honour", _("成员企业：按荣誉"), "hbar", [h[0] for h in honours],
              [Series(_("企业数"), [h[1] for h in honours])], unit=_("家"), note=note,
              height=max(160, 60 + 30 * len(honours))),
        Chart("members-role", _("成员企业：按角色"), "pie",
              [str(label) for value, label in MemberRole.choices if roles.get(value)],
              [Series(_("企业数"), [roles[value] for value, _label in MemberRole.choices if roles.get(value)])],
              unit=_("家"), note=note, height=240),
    ]


# --- projects ------------------------------------------------------------------------------------------

@dataclass
class Projects:
    total: int  # every project of the cluster the user sees
    pushed: int  # not withdrawn (调度推进)
    by_stage: list[tuple[str, str, int]]
    top: list
    rule: object | None  # the programme's "about N key projects per cluster" target, if it has one
    chart: Chart

    @property
    def gap(self) -> Decimal | None:
        return None if self.rule is None else self.rule.value - self.pushed


def projects(user, cluster) -> Projects:
    """The cluster's projects by stage, its largest ones and the count its programme asks for."""
    from django.db.models import Q

    from jiqun.programmes.models import Target
    from jiqun.projects.models import Project, Stage

    mine = Project.objects.filter(pk__in=Project.objects.for_user(user).filter(clusters=cluster).values("pk"))
    counts = Counter(mine.values_list("stage", flat=True))
    by_stage = [(value, str(label), counts.get(value, 0)) for value, label in Stage.choices]
    top = list(mine.exclude(stage=Stage.WITHDRAWN).select_related("region").order_by("-total_investment", "name")
               [:TOP_PROJECTS])
    rule = (Target.objects.filter(programme_id=cluster.programme_id, indicator__code="count_projects",
                                  subject_kind="cluster", params__min_investment__isnull=True)
            .filter(Q(subject_ref="*") | Q(subject_cluster=cluster)).order_by("-year").first())
    chart = Chart("projects-stage", _("项目：按阶段"), "bar", [s[1] for s in by_stage],
                  [Series(_("项目数"), [s[2] for s in by_stage])], unit=_("个"),
                  note=_("项目库（本集群关联的项目）"), height=240)
    total = sum(counts.values())
    return Projects(total, total - counts.get(Stage.WITHDRAWN, 0), by_stage, top, rule, chart)


# --- chains --------------------------------------------------------------------------------------------

@dataclass
class ChainRow:
    chain: object
    counts: list[tuple[str, str, int]]  # (rating, label, segments)
    missing: list[str]  # 缺 segments the chain should have (补链)
    weak: list[str]  # 弱 segments (强链)
    extend: list[str]  # segments the chain does not reach yet (延链)
    map_data: str  # the chain page's tree (chains/chain.js), as JSON
    map_height: int


def chains(user, cluster) -> tuple[list[ChainRow], Chart | None]:
    """The chains serving the cluster that the user sees, each with its segments rated 强/弱/缺."""
    import json

    from jiqun.chains.analysis import Need, Rating, analyse_chain
    from jiqun.chains.models import Chain
    from jiqun.chains.selectors import chain_map

    found = []
    for chain in Chain.objects.for_user(user).filter(clusters=cluster).order_by("name"):
        analysis = analyse_chain(chain)
        ratings = Counter(v.rating for v in analysis.segments)
        found.append(ChainRow(
            chain, [(value, str(label), ratings.get(value, 0)) for value, label in Rating.choices],
            [v.name for v in analysis.segments if v.rating == Rating.MISSING and v.need != Need.EXTEND],
            [v.name for v in analysis.segments if v.rating == Rating.WEAK],
            [v.name for v in analysis.segments if v.need == Need.EXTEND],
            json.dumps(chain_map(chain, analysis), ensure_ascii=False),
            max(360, 60 + 44 * len(analysis.segments)),
        ))
    if not found:
        return [], None
    chart = Chart("chains-rating", _("产业链环节：强/弱/缺"), "stack", [r.chain.name for r in found],
                  [Series(str(label), [r.counts[i][2] for r in found]) for i, (_v, label) in enumerate(Rating.choices)],
                  unit=_("个"), links=[reverse("chains:detail", args=[r.chain.pk]) for r in found],
                  note=_("产业链图谱的环节评级（按链上企业、规模和本地配套）"), height=max(200, 80 + 40 * len(found)))
    return found, chart


# --- evaluation ----------------------------------------------------------------------------------------

@dataclass
class EvaluationRow:
    run: object
    row: object
    ranked: int  # subjects ranked in the run

    @property
    def explain_url(self) -> str:
        return f"{reverse('evaluation:explain', args=[self.run.pk])}?cluster={self.row.cluster_id}"


def evaluations(user, cluster) -> list[EvaluationRow]:
    """The published runs that include the cluster, newest first, as far as the user sees them."""
    from django.db.models import Count, Q

    from jiqun.evaluation.models import Run, RunRow, RunStatus

    runs = Run.objects.for_user(user).filter(status=RunStatus.PUBLISHED)
    rows = list(RunRow.objects.for_user(user).filter(cluster=cluster, run__in=runs)
                .select_related("run__scheme").order_by("-run__year", "-run__published_at", "-run__pk"))
    ranked = dict(Run.objects.filter(pk__in=[r.run_id for r in rows]).annotate(
        n=Count("rows", filter=Q(rows__position__isnull=False))).values_list("pk", "n"))
    return [EvaluationRow(r.run, r, ranked.get(r.run_id, 0)) for r in rows]


# --- tier history --------------------------------------------------------------------------------------

@dataclass
class TierRow:
    change: object
    url: str | None


RUN_BASIS = re.compile(r"run #(\d+)")
PROPOSAL_BASIS = re.compile(r"^变更申请 #(\d+)")
REVIEW_BASIS = re.compile(r"^复核 #(\d+)")


def tier_history(user, cluster) -> list[TierRow]:
    """The tier history, each step linked to the record its basis names when the user may open it: an
    evaluation run (its explanation for this cluster), a proposal, a review or the programme's document."""
    from jiqun.evaluation.models import Run
    from jiqun.programmes.models import Programme

    out = []
    visible_runs = None
    documents = None
    for change in cluster.tier_changes.all():
        basis, url = change.basis or "", None
        if found := RUN_BASIS.search(basis):
            if visible_runs is None:
                visible_runs = set(Run.objects.for_user(user).values_list("pk", flat=True))
            if int(found.group(1)) in visible_runs:
                url = f"{reverse('evaluation:explain', args=[int(found.group(1))])}?cluster={cluster.pk}"
        elif PROPOSAL_BASIS.search(basis):
            url = reverse("clusters:proposals") + "?state=approved"
        elif REVIEW_BASIS.search(basis):
            url = reverse("clusters:reviews")
        elif basis:
            if documents is None:
                documents = {p.document_number: p.code for p in Programme.objects.exclude(document_number="")}
            code = next((c for number, c in documents.items() if basis.startswith(number)), None)
            if code:
                url = reverse("programmes:detail", args=[code])
        out.append(TierRow(change, url))
    return out
