"""The one report builder: what goes into a report that goes up the hierarchy, as plain data.

Everything is read through selectors: figures through the dashboards' stored copy of the approved-figures
selector (`Summaries`), so a figure in a report is, digit for digit, the one the dashboards show; 同比 worded by
`change_text`; targets through the targets app's progress selector (`target_rows`); projects and constraints
through the projects' selectors. The quarterly analysis's charts are `jiqun.dashboards.charts.Chart`s built
here from the same rows (the headline indicator's trend from `Summaries.series`, the per-cluster bars from the
table's own lines), so a bar is the table's figure. Renderers (docx.py, xlsx.py, pdf.py) only format what is
built here.

Every sentence is built in the active language (the requesting user's: the page's or the API's cookie, the
command's --language, a background job's saved language); only names from the database stay as they are.

Parameters come as text (a page's query string, the API, the command line); `parse` checks them and names each
bad one in Chinese; a subject outside the user's scope is `NotFound` (a 404 on the pages and the API).
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from jiqun.accounts.scoping import sees_region_totals
from jiqun.clusters.models import Cluster
from jiqun.core.templatetags.jiqun import num
from jiqun.core.text import control_character_error, whole_number
from jiqun.dashboards.charts import Chart, Series
from jiqun.dashboards.selectors import Summaries
from jiqun.monitoring.models import Provenance, ReportingPeriod, ReportRevision
from jiqun.monitoring.selectors import change_text
from jiqun.programmes.models import Indicator, Programme
from jiqun.projects.dispatch_selectors import period_end, period_pace
from jiqun.projects.models import ConstraintStatus, Dispatch, Stage
from jiqun.projects.selectors import constraint_list
from jiqun.regions.models import PROVINCE_CODE, Region, scope_prefix
from jiqun.targets.selectors import target_rows

# The seven indicators of the 2020 document, in the order of the statistical form; a report shows those the
# period collects. The headline adds output and 营业收入 where collected.
SEVEN = ["revenue", "profit", "new_enterprises", "employees", "researchers", "rd_expenditure", "tech_platforms"]
HEADLINE = ["revenue", "operating_revenue", "output_value", "hightech_output", "profit", "employees",
            "researchers", "rd_expenditure", "new_enterprises", "tech_platforms"]
TABLE = ["revenue", "operating_revenue", "profit", "employees"]  # the per-cluster table of the quarterly analysis
HALF_YEAR_QUARTERS = (2, 4)
TREND = ["revenue", "operating_revenue", "output_value"]  # the headline indicator drawn as a trend: the first collected
TREND_PERIODS = 8  # the trend chart: at most this many periods, up to the report's
# The grades a run stores (jiqun.evaluation.models.GRADE_LABELS), worded in the reader's language.
GRADE_NAMES = {"优秀": gettext_lazy("优秀"), "良好": gettext_lazy("良好"), "合格": gettext_lazy("合格"),
               "不合格": gettext_lazy("不合格")}


def listing(items) -> str:
    """Names in a sentence: 济南市、济宁市 (", " in English)."""
    return pgettext("list separator", "、").join(str(item) for item in items)


def counted(pairs) -> str:
    """“已开工 3 个，在建 2 个” from (label, count) pairs."""
    return pgettext("list separator", "，").join(_("%(label)s %(n)d 个") % {"label": label, "n": n}
                                                 for label, n in pairs)


def goal_text(row) -> str:
    """A target's goal as the targets pages write it (≥300万元（2025年）), in the reader's language."""
    comparator = row.goal.comparator
    sign = {">=": "≥", "<=": "≤", "==": "="}.get(comparator) or (pgettext("goal", "约") if comparator == "≈" else comparator)
    return _("%(sign)s%(value)s%(unit)s（%(year)d年）") % {
        "sign": sign, "value": f"{row.goal.value.normalize():f}", "unit": row.target.unit, "year": row.goal.year}


def grade_name(grade: str) -> str:
    """A stored grade (优秀…) in the reader's language; anything else as stored."""
    return str(GRADE_NAMES[grade]) if grade in GRADE_NAMES else grade


class BadParameters(Exception):
    """Parameters that cannot make a report; `errors` maps each parameter's name to a Chinese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


class NotFound(Exception):
    """The subject named is not in the user's scope (or does not exist): answered as a 404."""


@dataclass(frozen=True)
class Request:
    """What a report is of: a programme's period, for a region (province or city) or one cluster."""

    programme: Programme
    period: ReportingPeriod
    region: Region | None = None
    cluster: Cluster | None = None

    @property
    def subject_name(self) -> str:
        return self.cluster.name if self.cluster else self.region.name

    @property
    def year(self) -> int:
        return self.period.year

    @property
    def quarter(self) -> int:
        return self.period.quarter


def _int(params: dict, name: str, label: str, low: int, high: int, errors: dict) -> int | None:
    text = str(params.get(name) or "").strip()
    if not text:
        errors[name] = _("缺少参数 %(name)s（%(label)s）") % {"name": name, "label": label}
        return None
    if whole_number(text) is None or not low <= int(text) <= high:
        errors[name] = _("参数 %(name)s（%(label)s）应为 %(low)d 到 %(high)d 的整数，收到“%(value)s”") % {
            "name": name, "label": label, "low": low, "high": high, "value": text[:20]}
        return None
    return int(text)


def parse(user, params: dict, *, half_year: bool = False) -> Request:
    """Check a report's parameters (programme, year, quarter, region or cluster) for `user`.

    Bad text raises BadParameters naming each parameter; a region or cluster the user does not see, NotFound."""
    errors: dict[str, str] = {}
    for name in ("programme", "year", "quarter", "region", "cluster"):
        message = control_character_error(str(params.get(name) or ""), _("参数 %(name)s ") % {"name": name})
        if message:
            errors[name] = message
    if errors:
        raise BadParameters(errors)
    code = str(params.get("programme") or "").strip()
    programme = None
    if not code:
        errors["programme"] = _("缺少参数 programme（培育工程编号）")
    else:
        programme = Programme.objects.filter(code=code[:30]).first()
        if programme is None:
            errors["programme"] = _("参数 programme：没有编号为“%(code)s”的培育工程") % {"code": code[:30]}
    year = _int(params, "year", _("年份"), 2000, 2100, errors)
    quarter = _int(params, "quarter", _("季度"), 1, 4, errors)
    if half_year and quarter is not None and quarter not in HALF_YEAR_QUARTERS:
        errors["quarter"] = _("参数 quarter：半年报汇总表只有 1-6月（quarter=2）和 1-12月（quarter=4），收到 %(q)d") % {
            "q": quarter}
    region_code = str(params.get("region") or "").strip()
    cluster_code = str(params.get("cluster") or "").strip()
    if region_code and cluster_code:
        errors["cluster"] = _("参数 region 和 cluster 只能给一个：报告对象是一个地区或一个集群")
    if half_year and cluster_code:
        errors["cluster"] = _("参数 cluster：半年报汇总表按地区生成（每个集群一行），请给 region")
    if region_code and not (region_code.isascii() and region_code.isdigit() and len(region_code) == 6):
        errors["region"] = _("参数 region 应为 6 位区划代码，收到“%(value)s”") % {"value": region_code[:20]}
    if errors:
        raise BadParameters(errors)
    period = ReportingPeriod.objects.filter(programme=programme, year=year, quarter=quarter).first()
    if period is None:
        raise BadParameters({"quarter": _("%(programme)s 没有 %(year)d年第%(quarter)d季度（1-%(month)d月）的报告期") % {
            "programme": programme.code, "year": year, "quarter": quarter, "month": quarter * 3}})
    if cluster_code:
        cluster = Cluster.objects.for_user(user).filter(programme=programme, code=cluster_code[:60]).first()
        if cluster is None:
            raise NotFound(_("没有您可见的集群“%(code)s”") % {"code": cluster_code[:60]})
        return Request(programme, period, cluster=cluster)
    region_code = region_code or (user.region_id or "")
    region = Region.objects.filter(code=region_code).first() if region_code else None
    if region is None or not sees_region_totals(user, region.code):
        raise NotFound(_("没有您可见的地区“%(code)s”") % {"code": region_code})
    return Request(programme, period, region=region)


@dataclass
class Line:
    """One indicator of the subject: the figure (None unless complete), 上年同期 and the 同比 wording."""

    code: str
    name: str
    unit: str
    value: Decimal | None
    previous: Decimal | None
    change: str
    precision: int

    @property
    def text(self) -> str:
        return num(self.value, self.precision)

    @property
    def sentence(self) -> str:
        if self.value is None:
            return _("%(name)s：暂无完整的审核通过数据。") % {"name": self.name}
        return _("%(name)s %(value)s %(unit)s，同比%(change)s。") % {
            "name": self.name, "value": self.text, "unit": self.unit, "change": self.change}


@dataclass
class ClusterRow:
    name: str
    code: str
    cells: dict[str, Line]


@dataclass
class TargetLine:
    label: str
    subject: str
    goal: str
    current: str
    status: str


@dataclass
class Projects:
    dispatched: int = 0
    by_stage: list[tuple[str, int]] = field(default_factory=list)
    completed: Decimal | None = None  # 本年累计完成投资（万元）of the approved dispatches
    counted: int = 0  # dispatches whose completed investment is approved
    constraints: list[tuple[str, int]] = field(default_factory=list)  # open ones by responsible unit

    @property
    def by_stage_text(self) -> str:
        return _("按阶段：%(stages)s。") % {"stages": counted(self.by_stage)} if self.by_stage else ""


@dataclass
class Quarterly:
    """Everything the quarterly analysis says."""

    title: str
    period_label: str
    subject: str
    programme: str
    headline: list[Line]
    columns: list[Indicator]
    clusters: list[ClusterRow]
    targets: list[TargetLine]
    projects: Projects
    sources: list[str]
    demo: bool
    charts: list["ReportChart"] = field(default_factory=list)

    def charts_of(self, section: str) -> list["ReportChart"]:
        return [c for c in self.charts if c.section == section]

    @property
    def headline_charts(self) -> list["ReportChart"]:
        return self.charts_of("headline")

    @property
    def cluster_charts(self) -> list["ReportChart"]:
        return self.charts_of("clusters")


@dataclass
class ReportChart:
    """A chart of the quarterly analysis: the Chart (its numbers), its caption (图1 …), its source line and
    the section it follows ("headline": 一、主要指标; "clusters": 二、分集群情况)."""

    chart: Chart
    section: str
    caption: str = ""
    source: str = ""


@dataclass
class HalfYear:
    """The half-yearly summary: one row per cluster, the seven indicators with 同比."""

    title: str
    period_label: str
    subject: str
    programme: str
    form_number: str
    issuer: str
    indicators: list[Indicator]
    rows: list[ClusterRow]
    total: ClusterRow | None
    demo: bool


def _indicators(period: ReportingPeriod, codes: list[str]) -> list[Indicator]:
    collected = set(period.indicators.values_list("code", flat=True))
    by_code = {i.code: i for i in Indicator.objects.filter(code__in=[c for c in codes if c in collected])}
    return [by_code[c] for c in codes if c in by_code]


def _line(indicator: Indicator, row) -> Line:
    return Line(code=indicator.code, name=indicator.name, unit=indicator.unit,
                value=row.value if row is not None else None,
                previous=row.previous if row is not None and row.complete else None,
                change=change_text(indicator, row) if row is not None and row.complete else "—",
                precision=indicator.precision)


def _clusters(user, request: Request):
    clusters = Cluster.objects.for_user(user).filter(programme=request.programme)
    if request.cluster is not None:
        return clusters.filter(pk=request.cluster.pk)
    return clusters.filter(regions__code__startswith=scope_prefix(request.region.code)).distinct().order_by("code")


def _cluster_rows(summaries: Summaries, request: Request, clusters, indicators: list[Indicator]) -> list[ClusterRow]:
    columns = {i.code: summaries.column("cluster", i.code, request.year, request.quarter,
                                        keys=[c.pk for c in clusters]) for i in indicators}
    return [ClusterRow(name=c.name, code=c.code, cells={i.code: _line(i, columns[i.code].get(c.pk)) for i in indicators})
            for c in clusters]


def _subject_lines(summaries: Summaries, request: Request, indicators: list[Indicator]) -> list[Line]:
    kind, key = ("cluster", request.cluster.pk) if request.cluster else ("region", request.region.code)
    rows = summaries.many(kind, key, [i.code for i in indicators], request.year, request.quarter)
    return [_line(i, rows.get(i.code)) for i in indicators]


def is_demo(programme: Programme) -> bool:
    """Whether the programme's figures are generated (演示数据)."""
    return ReportRevision.objects.filter(report__period__programme=programme, provenance=Provenance.DEMO).exists()


def _sources(summaries: Summaries, request: Request, lines: list[Line]) -> list[str]:
    kind, key = ("cluster", request.cluster.pk) if request.cluster else ("region", request.region.code)
    codes = [line.code for line in lines]
    rows = summaries.many(kind, key, codes, request.year, request.quarter)
    expected = max((r.expected for r in rows.values()), default=0)
    reported = max((r.reported for r in rows.values()), default=0)
    label = str(request.period)
    spanning = [] if request.cluster or request.region.code == PROVINCE_CODE else [
        _("一个集群分布在多个县（市、区）或市时，其全部数字计入所涉的每个地区（与统计汇总口径相同），"
          "因此各地区之和可能大于上级地区的合计。")]
    return [
        _("数据来源：省级审核通过的季报"),
        *spanning,
        _("%(programme)s %(label)s统计季报：应报 %(expected)d 份，省级审核通过 %(reported)d 份；未齐的指标写“—”。") % {
            "programme": request.programme.code, "label": label, "expected": expected, "reported": reported},
        _("同比为与上年同期（同口径）相比；比率类指标的变化以百分点计。"),
        _("项目与要素制约：%(label)s项目调度（只计审核通过的调度）和项目库。") % {"label": label},
    ]


def _targets(user, request: Request, cluster_keys: set[str]) -> list[TargetLine]:
    as_of = period_end(request.year, request.quarter)
    lines = []
    for row in target_rows(user, as_of=as_of, programme=request.programme):
        if row.goal.year < request.year:  # a target of an earlier year is history, not progress
            continue
        subject = row.subject
        if request.cluster is not None:
            if not (subject.kind == "cluster" and str(subject.key) == str(request.cluster.pk)):
                continue
        elif subject.kind == "cluster":
            if str(subject.key) not in cluster_keys:
                continue
        elif subject.kind not in ("province", "city") or not str(subject.key).startswith(
                scope_prefix(request.region.code)):
            continue
        lines.append(TargetLine(label=row.target.label, subject=subject.name, goal=goal_text(row),
                                current=row.current_text, status=row.status_label))
    return lines


def _projects(user, request: Request) -> Projects:
    dispatches = Dispatch.objects.for_user(user).filter(period=request.period)
    constraints = constraint_list(user, status=ConstraintStatus.OPEN)
    if request.cluster is not None:
        dispatches = dispatches.filter(project__clusters=request.cluster)
        constraints = constraints.filter(project__clusters=request.cluster)
    else:
        within = Q(project__region__code__startswith=scope_prefix(request.region.code))
        dispatches = dispatches.filter(within)
        constraints = constraints.filter(within)
    paces = period_pace(request.period, dispatches)
    labels = dict(Stage.choices)
    stages = Counter(row.project.stage for row in paces)
    counted = [row.pace.completed for row in paces if row.pace.completed is not None]
    units = Counter(c.responsible_unit for c in constraints)
    return Projects(
        dispatched=len(paces),
        by_stage=[(str(labels[s]), stages[s]) for s, _label in Stage.choices if stages[s]],
        completed=sum(counted, Decimal(0)) if counted else None, counted=len(counted),
        constraints=sorted(units.items(), key=lambda item: (-item[1], item[0])),
    )


def _plain(value: Decimal | None, precision: int) -> Decimal | None:
    """A figure as the report writes it (the indicator's decimals): what a chart draws is what a table prints."""
    return None if value is None else value.quantize(Decimal(1).scaleb(-precision))


def _period_label(request: Request, year: int, quarter: int) -> str:
    """A period as ReportingPeriod names itself (2026年1-6月), without reading it again."""
    return str(ReportingPeriod(programme=request.programme, year=year, quarter=quarter))


def _trend_charts(summaries: Summaries, request: Request) -> list[ReportChart]:
    """The headline indicator (主营业务收入, else 营业收入 or 产值) of the subject in the periods up to the report's:
    本年累计 beside 上年同期 (bars: cumulative figures of two years are not one line), each period's 同比 under its
    label. An incomplete period is a gap."""
    indicator = next(iter(_indicators(request.period, TREND)), None)
    if indicator is None:
        return []
    kind, key = ("cluster", request.cluster.pk) if request.cluster else ("region", request.region.code)
    rows = [r for r in summaries.series(kind, key, indicator.code)
            if (r.year, r.quarter) <= (request.year, request.quarter)][-TREND_PERIODS:]
    chart = Chart(
        f"trend-{indicator.code}", _("%(name)s：本年累计与上年同期") % {"name": indicator.name}, "bar",
        [f"{_period_label(request, r.year, r.quarter)}\n{change_text(indicator, r) if r.complete else '—'}"
         for r in rows],
        [Series(_("本年累计"), [_plain(r.value, indicator.precision) for r in rows]),
         Series(_("上年同期"), [_plain(r.previous, indicator.precision) if r.complete else None for r in rows])],
        unit=indicator.unit,
        note=_("省级审核通过的季报（%(programme)s），各期为 1 月起的累计数，标签下为同比；数据未齐的报告期留空，不计为 0。") % {
            "programme": request.programme.code},
    )
    return [] if chart.empty else [ReportChart(chart, "headline")]


def _bars(key: str, title: str, names: list[str], lines: list[Line], note: str) -> Chart:
    return Chart(key, title, "hbar", names,
                 [Series(_("本年累计"), [_plain(line.value, line.precision) for line in lines]),
                  Series(_("上年同期"), [_plain(line.previous, line.precision) for line in lines])],
                 unit=lines[0].unit if lines else "", note=note)


def _cluster_charts(request: Request, columns: list[Indicator], rows: list[ClusterRow]) -> list[ReportChart]:
    """The table's first column (主营业务收入 or 营业收入) by cluster, from the table's own lines."""
    if len(rows) < 2 or not columns:
        return []
    indicator = columns[0]
    chart = _bars(f"clusters-{indicator.code}", _("分集群%(name)s（%(label)s）") % {
        "name": indicator.name, "label": str(request.period)}, [row.name for row in rows],
        [row.cells[indicator.code] for row in rows],
        _("省级审核通过的季报（%(programme)s），与“分集群情况”表中的数字相同；数据未齐的集群不画柱，不计为 0。") % {
            "programme": request.programme.code})
    return [] if chart.empty else [ReportChart(chart, "clusters")]


def _numbered(charts: list[ReportChart]) -> list[ReportChart]:
    """Captions 图1, 图2 … in the order the charts appear, and each chart's source line."""
    order = {"headline": 0, "clusters": 1}
    charts = sorted(charts, key=lambda c: order[c.section])
    for number, item in enumerate(charts, start=1):
        item.caption = _("图%(n)d　%(title)s") % {"n": number, "title": item.chart.title}
        item.source = _("数据来源：%(note)s") % {"note": item.chart.note}
    return charts


def quarterly(user, request: Request) -> Quarterly:
    """The quarterly analysis of a region or a cluster in one period of a programme."""
    summaries = Summaries(user, request.programme)
    label = str(request.period)
    headline = _subject_lines(summaries, request, _indicators(request.period, HEADLINE))
    columns = _indicators(request.period, TABLE)
    clusters = _clusters(user, request)
    rows = _cluster_rows(summaries, request, clusters, columns)
    return Quarterly(
        title=_("%(subject)s%(label)s产业集群发展情况分析") % {"subject": request.subject_name, "label": label},
        period_label=label, subject=request.subject_name, programme=request.programme.name,
        headline=headline, columns=columns, clusters=rows,
        targets=_targets(user, request, {str(c.pk) for c in clusters}), projects=_projects(user, request),
        sources=_sources(summaries, request, headline), demo=is_demo(request.programme),
        charts=_numbered([*_trend_charts(summaries, request), *_cluster_charts(request, columns, rows)]),
    )


def half_year(user, request: Request) -> HalfYear:
    """The half-yearly summary of a region's clusters (1-6月 or 1-12月)."""
    summaries = Summaries(user, request.programme)
    label = str(request.period)
    indicators = _indicators(request.period, SEVEN)
    clusters = _clusters(user, request)
    total = ClusterRow(name=_("合计（%(subject)s）") % {"subject": request.subject_name}, code=request.region.code,
                       cells={line.code: line for line in _subject_lines(summaries, request, indicators)})
    return HalfYear(
        title=_("%(subject)s产业集群发展情况汇总表") % {"subject": request.subject_name},
        period_label=label, subject=request.subject_name, programme=request.programme.name,
        form_number=settings.JIQUN_HALFYEAR_FORM_NUMBER,
        issuer=settings.JIQUN_HALFYEAR_FORM_AUTHORITY or request.programme.issuer or _("省工业和信息化厅"),
        indicators=indicators, rows=_cluster_rows(summaries, request, clusters, indicators), total=total,
        demo=is_demo(request.programme),
    )


@dataclass
class RankLine:
    rank: str
    subject: str
    score: str
    grade: str
    band: str
    excluded: str
    dimensions: list[str]


@dataclass
class Evaluation:
    """The annual evaluation report of a published run, as the user may see it."""

    title: str
    scheme: str
    year: int
    method: list[str]
    noun: str
    dimensions: list[str]
    rows: list[RankLine]
    grades: list[tuple[str, int]]
    consequences: list[tuple[str, str, str, str]]
    sources: list[str]
    demo: bool
    scope_note: str = ""  # how many of the run's subjects the reader sees, when not all

    @property
    def grades_text(self) -> str:
        return _("等级分布：%(grades)s。") % {"grades": counted(self.grades)} if self.grades else ""


def evaluation_run(user, params: dict):
    """The published run `params["run"]` names; BadParameters for bad text or a draft, NotFound outside the scope."""
    from jiqun.evaluation.models import RunStatus
    from jiqun.evaluation.selectors import runs_for

    text = str(params.get("run") or "").strip()
    if not whole_number(text):
        raise BadParameters({"run": _("参数 run 应为评价结果编号（正整数），收到“%(value)s”") % {"value": text[:20]}})
    run = runs_for(user).filter(pk=int(text)).first()
    if run is None:
        raise NotFound(_("没有您可见的评价结果 #%(pk)s") % {"pk": text})
    if run.status != RunStatus.PUBLISHED:
        raise BadParameters({"run": _("评价结果 #%(pk)s 尚未发布，发布后才能生成年度评价报告") % {"pk": run.pk}})
    return run


def evaluation(user, run) -> Evaluation:
    """Ranking, grades, dimension scores and consequences of a published run, through the evaluation selectors."""
    from jiqun.evaluation.selectors import consequences_for, explanation, rows_for, subject_noun

    scheme = run.scheme
    rows = rows_for(user, run)
    explained = {row.pk: explanation(run, row) for row in rows if row.position is not None}
    dimensions = [d.name for d in next(iter(explained.values())).dimensions] if explained else []
    lines = []
    for row in rows:
        ex = explained.get(row.pk)
        lines.append(RankLine(
            rank=str(row.rank) if row.rank is not None else "—", subject=row.subject_name,
            score=num(row.score, 2), grade=grade_name(row.grade) or "—",
            band=f"{row.rank_min}–{row.rank_max}" if row.rank_min else "—", excluded=row.excluded or "",
            dimensions=[f"{d.rate:.1f}" for d in ex.dimensions] if ex else ["—"] * len(dimensions)))
    grades = Counter(row.grade for row in rows if row.grade)
    order = list(GRADE_NAMES)
    method = [
        _("评价方案：%(name)s（第%(version)s版），%(clause)s") % {
            "name": scheme.name, "version": scheme.version, "clause": scheme.clause or "—"},
        _("赋权：%(weights)s；标准化：%(norm)s；综合：%(agg)s。") % {
            "weights": scheme.weights_note or scheme.get_weight_method_display(),
            "norm": scheme.get_normalisation_display(), "agg": scheme.get_aggregation_display()},
        _("等级线：优秀 %(e)s 分，良好 %(g)s 分，合格 %(p)s 分。") % {
            "e": num(scheme.grade_excellent, 0), "g": num(scheme.grade_good, 0), "p": num(scheme.grade_pass, 0)},
    ]
    data = (_("项目库、审核通过的项目调度和现场观摩得分") if scheme.subject_kind == "project"
            else _("省级审核通过的统计"))
    total = run.rows.count()
    scope_note = (_("您可查看其中 %(n)d 个%(noun)s的结果（共 %(total)d 个）；排名为在全部参评%(noun)s中的名次。")
                  % {"n": len(rows), "total": total, "noun": subject_noun(run)} if len(rows) < total else "")
    return Evaluation(
        title=_("%(name)s%(year)s年度评价报告") % {"name": scheme.name, "year": run.year},
        scheme=scheme.name, year=run.year, method=method, noun=subject_noun(run), dimensions=dimensions,
        rows=lines, grades=[(grade_name(g), n) for g, n in sorted(
            grades.items(), key=lambda item: (order.index(item[0]) if item[0] in order else len(order), item[0]))],
        consequences=[(c.get("name", ""), grade_name(c.get("grade", "")), c["label"], c.get("reason", ""))
                      for c in consequences_for(user, run, rows)],
        sources=[_("数据来源：%(data)s；评价 #%(pk)s，计算于 %(at)s，发布于 %(published)s。") % {
            "data": data, "pk": run.pk, "at": f"{run.created_at:%Y-%m-%d}",
            "published": f"{run.published_at:%Y-%m-%d}" if run.published_at else "—"}],
        demo="演示数据" in json.dumps(run.snapshot, ensure_ascii=False) or is_demo(scheme.programme),
        scope_note=scope_note,
    )


# --- the cluster one-pager (一页纸) for leaders ---------------------------------------------------------

ONEPAGER_TARGETS = 6  # at most this many targets and projects on the one page
ONEPAGER_PROJECTS = 5
ONEPAGER_FIGURES = 10  # the headline indicators (HEADLINE); a cluster collecting none of them: its first rows


@dataclass
class FigureLine:
    """One indicator of the cluster in the latest period with complete figures (the cluster page's row)."""

    code: str
    name: str
    unit: str
    value: str  # written as everywhere ("—" unless complete)
    previous: str
    change: str


@dataclass
class ChainLine:
    name: str
    counts: list[tuple[str, int]]  # (rating label, segments)
    missing: list[str]
    weak: list[str]
    extend: list[str]


@dataclass
class ProjectLine:
    name: str
    stage: str
    region: str
    investment: str  # 总投资（万元）


@dataclass
class OnePager:
    """The cluster one-pager: profile, latest figures with 同比, one trend, targets, chain gaps, top projects."""

    title: str
    cluster: str
    programme: str
    profile: list[tuple[str, str]]
    period_label: str
    figures: list[FigureLine]
    chart: object | None  # jiqun.dashboards.charts.Chart: the cluster page's first trend, drawn server-side
    targets: list[TargetLine]
    targets_more: int
    chains: list[ChainLine]
    projects: list[ProjectLine]
    projects_total: int
    sources: list[str]
    demo: bool


def onepager_cluster(user, params: dict) -> Cluster:
    """The cluster a one-pager is of: `cluster_id` (its number, from a page or the API) or `cluster` (its code,
    from the command line; `programme` when the code is used in more than one programme). Bad text raises
    BadParameters; a cluster the user does not see, NotFound."""
    for name in ("cluster", "cluster_id", "programme"):
        message = control_character_error(str(params.get(name) or ""), _("参数 %(name)s ") % {"name": name})
        if message:
            raise BadParameters({name: message})
    visible = Cluster.objects.for_user(user)
    text = str(params.get("cluster_id") or "").strip()
    if text:
        if not whole_number(text):
            raise BadParameters({"cluster_id": _("参数 cluster_id 应为集群编号（正整数），收到“%(value)s”") % {
                "value": text[:20]}})
        cluster = visible.filter(pk=int(text)).first()
        if cluster is None:
            raise NotFound(_("没有您可见的集群 #%(pk)s") % {"pk": text})
        return cluster
    code = str(params.get("cluster") or "").strip()
    if not code:
        raise BadParameters({"cluster": _("缺少参数 cluster（集群编码）")})
    found = visible.filter(code=code[:60])
    programme = str(params.get("programme") or "").strip()
    if programme:
        found = found.filter(programme__code=programme[:30])
    found = list(found[:2])
    if not found:
        raise NotFound(_("没有您可见的集群“%(code)s”") % {"code": code[:60]})
    if len(found) > 1:
        raise BadParameters({"programme": _("集群编码“%(code)s”在多个培育工程中使用，请用 programme 指明培育工程") % {
            "code": code[:60]}})
    return found[0]


def cluster_onepager(user, cluster: Cluster) -> OnePager:
    """What the one-pager says, read as the cluster page reads it (jiqun.dashboards.cluster_page): the latest
    complete period's figures with 同比 and the first trend through `Summaries`, the targets through
    `target_rows`, the chains' gaps through `analyse_chain`, the largest projects."""
    from django.utils import timezone

    from jiqun.dashboards import cluster_page

    summaries = Summaries(user, cluster.programme)
    catalogue = cluster_page.catalogue()
    trends = cluster_page.trends(summaries, cluster, catalogue)
    order = {code: i for i, code in enumerate(HEADLINE)}
    key_rows = sorted((r for r in trends.rows if r.code in order), key=lambda r: order[r.code])
    figures = []
    for row in key_rows or trends.rows[:ONEPAGER_FIGURES]:
        indicator = catalogue[row.code]
        shown = row.row if row.row is not None and row.row.complete else None
        figures.append(FigureLine(
            code=row.code, name=row.name, unit=row.unit,
            value=num(shown.current if shown else None, indicator.precision),
            previous=num(shown.previous if shown else None, indicator.precision), change=row.change))
    chart = next((c for c in trends.charts if c.key.startswith("trend-")), None)
    rows = cluster_page.target_lights(user, cluster)
    this_year = timezone.localdate().year  # targets still running first, then those already due
    rows = sorted(rows, key=lambda r: r.goal.year < this_year)
    targets = [TargetLine(label=row.target.label, subject=row.subject.name, goal=goal_text(row),
                          current=row.current_text, status=row.status_label) for row in rows]
    chain_rows, _chart = cluster_page.chains(user, cluster)
    chains = [ChainLine(name=r.chain.name, counts=[(label, n) for _value, label, n in r.counts],
                        missing=r.missing, weak=r.weak, extend=r.extend) for r in chain_rows]
    projects = cluster_page.projects(user, cluster)
    regions = listing(cluster.regions.all())
    profile = [
        (_("培育工程"), cluster.programme.name + (f" · {cluster.kind.name}" if cluster.kind else "")),
        (_("层级"), cluster.get_tier_display() or "—"),
        (_("所在区划"), regions or "—"),
        (_("主导产业"), cluster.industry or "—"),
        (_("集群促进机构"), cluster.promotion_org or "—"),
        (_("群长"), cluster.chief or "—"),
    ]
    label = trends.latest_label or "—"
    return OnePager(
        title=_("%(name)s一页纸") % {"name": cluster.name}, cluster=cluster.name, programme=cluster.programme.name,
        profile=profile, period_label=label, figures=figures, chart=chart,
        targets=targets[:ONEPAGER_TARGETS], targets_more=max(0, len(targets) - ONEPAGER_TARGETS), chains=chains,
        projects=[ProjectLine(name=p.name, stage=p.get_stage_display(), region=str(p.region or "—"),
                              investment=num(p.total_investment, 2)) for p in projects.top[:ONEPAGER_PROJECTS]],
        projects_total=projects.pushed,
        sources=[_("数据来源：省级审核通过的季报（%(label)s，本年累计，期末值指标为期末数）；目标进展、产业链图谱和项目库为生成时的数据。") % {
            "label": label}],
        demo=is_demo(cluster.programme),
    )


# --- the recognition-round result notice (认定结果公示) ------------------------------------------------------

@dataclass
class NoticeLine:
    rank: str
    name: str
    region: str
    organisation: str
    score: str


@dataclass
class Notice:
    """The 公示 of a 赛马 round's results: the recognised clusters in rank order, the objection period."""

    title: str
    call: str
    programme: str
    tier: str
    quota: int
    objection_until: str
    text: list[str]
    rows: list[NoticeLine]
    issuer: str
    date: str
    demo: bool


def notice_call(user, params: dict):
    """The round `params["call"]` names, for its result notice. The notice is the province's document (it
    issues and receives the objections): a round the user does not see, or a user who does not run rounds
    (jiqun.recognition.permissions.can_manage_rounds), is NotFound; a round not yet published (公示中 or
    已完成), BadParameters."""
    from jiqun.recognition.models import Call, CallStatus
    from jiqun.recognition.permissions import can_manage_rounds

    text = str(params.get("call") or "").strip()
    if not whole_number(text):
        raise BadParameters({"call": _("参数 call 应为认定批次编号（正整数），收到“%(value)s”") % {"value": text[:20]}})
    call = Call.objects.for_user(user).select_related("programme").filter(pk=int(text)).first()
    if call is None or not can_manage_rounds(user):
        raise NotFound(_("没有您可生成公示的认定批次 #%(pk)s（公示由省级主管部门发布）") % {"pk": text})
    if call.status not in (CallStatus.PUBLICITY, CallStatus.DONE):
        raise BadParameters({"call": _("认定批次“%(title)s”当前为“%(status)s”，结果公示（公示中）后才能生成公示名单") % {
            "title": call.title, "status": call.get_status_display()}})
    return call


def _date(day) -> str:
    """A 公文 date: 2026年12月3日 (no leading zeros)."""
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def notice(user, call) -> Notice:
    """What the notice says: the call, tier, quota, the 公示 period and the clusters selected, in rank order,
    with their combined scores (the applications as the recognition pages show them)."""
    from django.utils import timezone

    from jiqun.recognition.models import Application

    applications = (Application.objects.for_user(user).filter(call=call, selected=True)
                    .select_related("cluster").prefetch_related("cluster__regions").order_by("rank", "cluster__name"))
    rows = [NoticeLine(rank=str(a.rank) if a.rank is not None else "—", name=a.cluster.name,
                       region=listing(a.cluster.regions.all()) or "—",
                       organisation=a.cluster.promotion_org or "—", score=num(a.final_score, 2))
            for a in applications]
    issuer = call.programme.issuer or _("省工业和信息化厅")
    until = _date(call.objection_until) if call.objection_until else "—"
    tier = call.get_tier_sought_display()
    text = [
        _("根据%(programme)s有关要求，经集群申报、资格审查、专家评审和综合评分，“%(call)s”拟认定%(tier)s产业集群 "
          "%(n)d 个（名额 %(quota)d 个），现予以公示。") % {
            "programme": call.programme.name, "call": call.title, "tier": tier, "n": len(rows), "quota": call.quota},
        _("公示期至 %(until)s。公示期间，如有异议，请以书面形式向%(issuer)s反映，并写明真实姓名（单位名称）和联系方式；"
          "逾期或匿名的不予受理。") % {"until": until, "issuer": issuer},
    ]
    return Notice(
        title=(_("关于%(call)s结果的公示") if call.title.endswith("认定") else _("关于%(call)s认定结果的公示")) % {
            "call": call.title}, call=call.title, programme=call.programme.name,
        tier=tier, quota=call.quota, objection_until=until, text=text, rows=rows, issuer=issuer,
        date=_date(timezone.localdate()), demo=is_demo(call.programme),
    )
