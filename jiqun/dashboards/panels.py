"""The overview's panels beyond its own figures: reporting status, the latest evaluation ranking, the project
pipeline and the chains' weakest links, each a Chart built from its app's selectors for one region.

Each panel reads what its own app already computes, for what `user` may see (the apps' `for_user` querysets),
filtered to the region of the overview (`jiqun.regions.models.within_q`):

- reporting ("reporting", "timeliness"): the 催报 status matrix of the chosen period
  (`jiqun.monitoring.selectors.status_matrix`: its statuses and its 逾期未报 rule) by city or county, and the
  data-quality score's timeliness rule (`jiqun.monitoring.quality.timeliness`);
- evaluation ("ranking"): the latest published run with rows in the region (`jiqun.evaluation.selectors`);
- projects ("pipeline", "investment"): `jiqun.projects.pipeline.pipeline` over `project_list` of the region;
- chains ("weakest"): `jiqun.chains.analysis.analyse_chain` of the chains homed in the region.

A panel without data for the user is left out, never drawn as zeros. docs/dashboard-panels.md says the same
for users.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote, urlencode

from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.dashboards.charts import Chart, Series
from jiqun.regions.models import Region, city_code, is_within, parent_code, within_q

HUNDRED = Decimal(100)
WEAKEST_LIMIT = 10
OVERDUE = "overdue"  # the stack's 未报: a draft or returned report after the deadline (the 催报 matrix's rule)


def overview_panels(user, *, programme, region_code: str, year: int | None, quarter: int | None) -> list[Chart]:
    """The panels of the overview of `region_code` (a province, city or county) as `user` may see them."""
    charts: list[Chart] = []
    charts += reporting_charts(user, programme=programme, region_code=region_code, year=year, quarter=quarter)
    charts += ranking_charts(user, region_code=region_code)
    charts += pipeline_charts(user, region_code=region_code, year=year)
    charts += weakest_charts(user, region_code=region_code)
    return [chart for chart in charts if not chart.empty]


def _percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else (value * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _height(rows: int) -> int:
    return max(240, 80 + 28 * rows)


# --- 1. reporting status of a period ---------------------------------------------------------------------

def _report_within_q(region_code: str) -> Q:
    """Reports of a subject inside the region: a cluster with a region there, an enterprise or a 综合表 there."""
    from jiqun.clusters.models import Cluster

    clusters = Cluster.objects.filter(within_q("regions__code", region_code)).values("pk")
    return (Q(cluster__in=clusters) | within_q("enterprise__region__code", region_code)
            | within_q("region__code", region_code))


def chosen_period(programme, year: int | None, quarter: int | None):
    """The programme's period of `year` and `quarter`; the newest of `year` without a quarter; the newest
    without either; None when there is none."""
    from jiqun.monitoring.models import ReportingPeriod

    periods = ReportingPeriod.objects.filter(programme=programme).select_related("programme")
    if year is not None:
        periods = periods.filter(year=year)
    if quarter is not None:
        periods = periods.filter(quarter=quarter)
    return periods.order_by("-year", "-quarter").first()


def default_programme(user, region_code: str):
    """The programme of the newest period with a report the user sees in the region (None without one)."""
    from jiqun.monitoring.models import Report
    from jiqun.programmes.models import Programme

    pk = (Report.objects.for_user(user).filter(_report_within_q(region_code))
          .order_by("-period__year", "-period__quarter", "period__programme__code")
          .values_list("period__programme", flat=True).first())
    return None if pk is None else Programme.objects.get(pk=pk)


def _is_county(code: str) -> bool:
    return parent_code(code) is not None and city_code(code) != code


def _child(code: str, region_code: str) -> str:
    """The region one level below the overview's that `code` lies in (the overview's own when at its level)."""
    if code == region_code:
        return region_code
    return city_code(code) if parent_code(region_code) is None else code


def _report_groups(report, region_code: str) -> set[str]:
    """Where a report counts on the overview: each city (county) its subject lies in, as the roll-up counts a
    cross-city cluster in each of its cities; the overview's own region for its 综合表 and for a cluster that
    lies only on the overview's region itself."""
    if report.cluster_id:
        codes = {_child(r.code, region_code) for r in report.cluster.regions.all() if is_within(r.code, region_code)}
    elif report.enterprise_id:
        codes = {_child(report.enterprise.region_id, region_code)}
    else:
        codes = {_child(report.region_id, region_code)}
    return codes - {region_code} or {region_code}


def _timeliness(deadline, submitted_on, today):
    """The data-quality score's timeliness of one report (1 on time, 0 late or overdue, None not yet due)."""
    from jiqun.monitoring.quality import ReportFacts, timeliness

    facts = ReportFacts(asked=0, filled=0, missing=(), deadline=deadline, submitted_on=submitted_on, warnings=(),
                        unexplained=(), corrections=0)
    return timeliness(facts, today).value


def reporting_charts(user, *, programme, region_code: str, year: int | None, quarter: int | None) -> list[Chart]:
    """The period's reports by city (by county on a city's overview): a stack by status, and completeness and
    timeliness per city."""
    from jiqun.monitoring.models import Report, ReportEvent, ReportStatus
    from jiqun.monitoring.selectors import status_matrix

    if programme is None:
        return []
    period = chosen_period(programme, year, quarter)
    if period is None:
        return []
    reports = Report.objects.for_user(user).filter(period=period).filter(_report_within_q(region_code))
    rows, _counts = status_matrix(period, reports)
    if not rows:
        return []
    first_submit = dict(ReportEvent.objects.filter(report__in=reports.values("pk"), action="submit")
                        .values("report_id").annotate(first=Min("at")).values_list("report_id", "first"))
    today = timezone.localdate()
    stacks: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    on_time: dict[str, list[Decimal]] = defaultdict(list)
    for row in rows:
        report = row.report
        submitted = first_submit.get(report.pk)
        scored = _timeliness(period.deadline, timezone.localdate(submitted) if submitted else None, today)
        for group in _report_groups(report, region_code):
            stacks[group][OVERDUE if row.overdue else report.status] += 1
            if scored is not None:
                on_time[group].append(scored)
    codes = sorted(stacks)
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    own = names.get(region_code, region_code)
    if not _is_county(region_code):  # a county has no parts: its own reports are all there is
        own = _("%(name)s本级") % {"name": own}
    labels = [own if code == region_code else names.get(code, code) for code in codes]
    statuses = [(ReportStatus.PROVINCE_APPROVED, ReportStatus.PROVINCE_APPROVED.label),
                (ReportStatus.CITY_APPROVED, ReportStatus.CITY_APPROVED.label),
                (ReportStatus.SUBMITTED, ReportStatus.SUBMITTED.label), (ReportStatus.RETURNED, ReportStatus.RETURNED.label),
                (ReportStatus.DRAFT, ReportStatus.DRAFT.label), (OVERDUE, _("未报"))]
    link = reverse("monitoring:period", args=[period.pk])
    done = {ReportStatus.SUBMITTED, ReportStatus.CITY_APPROVED, ReportStatus.PROVINCE_APPROVED}
    completeness = [_percent(Decimal(sum(n for s, n in stacks[c].items() if s in done)) / sum(stacks[c].values()))
                    for c in codes]
    timeliness = [_percent(sum(on_time[c], Decimal(0)) / len(on_time[c])) if on_time[c] else None for c in codes]
    where = _("按市") if parent_code(region_code) is None else _("按县区")
    return [
        Chart("reporting", _("%(period)s 报表报送情况（%(where)s）") % {"period": period.label, "where": where},
              "stack", labels, [Series(str(label), [stacks[c][status] for c in codes], _("份"))
                                for status, label in statuses],
              unit=_("份"), links=[link] * len(codes), height=_height(len(codes)) if len(codes) > 8 else 320,
              note=_("报告期状态表（催报）中您可见的报表，截止日期 %(deadline)s；未报：截止日期已过仍为草稿或退回。"
                     "跨市（县区）的集群在所在各市（县区）分别计入，各栏之和可多于报表份数") % {"deadline": period.deadline}),
        Chart("timeliness", _("%(period)s 报送完整率与及时率") % {"period": period.label}, "bar", labels,
              [Series(_("完整率（已报送/应报）"), completeness, "%"), Series(_("及时率（按时报送/已到期）"), timeliness, "%")],
              unit="%", links=[link] * len(codes),
              note=_("完整率：已提交或已审核的报表占应报报表的比例；及时率：按数据质量评分的及时性规则，"
                     "首次提交不晚于截止日期 %(deadline)s 的报表占已提交或已过截止日期报表的比例") % {
                  "deadline": period.deadline}),
    ]


# --- 2. the latest published evaluation ranking -----------------------------------------------------------

def _row_within_q(region_code: str) -> Q:
    from jiqun.clusters.models import Cluster

    clusters = Cluster.objects.filter(within_q("regions__code", region_code)).values("pk")
    return Q(cluster__in=clusters) | within_q("region__code", region_code) | within_q("project__region__code",
                                                                                      region_code)


def ranking_charts(user, *, region_code: str) -> list[Chart]:
    """The scored rows in the region of the newest published run the user sees with any there, by rank."""
    from jiqun.evaluation.models import RunRow, RunStatus
    from jiqun.evaluation.selectors import rows_for, runs_for, subject_noun

    runs = runs_for(user).filter(status=RunStatus.PUBLISHED)
    inside = RunRow.objects.for_user(user).filter(run__in=runs.values("pk"), score__isnull=False).filter(
        _row_within_q(region_code))
    latest = (inside.order_by("-run__year", "-run__published_at", "-run_id")
              .values_list("run_id", flat=True).first())
    if latest is None:
        return []
    run = runs.get(pk=latest)
    shown = set(inside.filter(run=run).values_list("pk", flat=True))
    rows = [row for row in rows_for(user, run) if row.pk in shown]
    explain = reverse("evaluation:explain", args=[run.pk])
    return [Chart(
        "ranking", _("%(scheme)s %(year)s年度排名") % {"scheme": run.scheme.name, "year": run.year}, "hbar",
        [row.subject_name for row in rows], [Series(_("得分"), [row.score for row in rows], _("分"))],
        unit=_("分"), links=[f"{explain}?{row.subject_query}" for row in rows], height=_height(len(rows)),
        note=_("评价方案：%(scheme)s；评价年度：%(year)s年；已发布。按全部参评%(noun)s中的排名列出本地区%(noun)s，"
               "点击查看得分说明") % {"scheme": run.scheme, "year": run.year, "noun": subject_noun(run)})]


# --- 3. the project pipeline ------------------------------------------------------------------------------

def pipeline_charts(user, *, region_code: str, year: int | None) -> list[Chart]:
    """The region's projects by stage, and this year's planned investment and how much of it is completed."""
    from jiqun.projects.models import Stage
    from jiqun.projects.pipeline import PIPELINE_STAGES, pipeline
    from jiqun.projects.selectors import ProjectFilter, project_list

    year = year or timezone.localdate().year
    projects = project_list(user, ProjectFilter(region=region_code))
    total = pipeline(projects, year=year).total
    if not total.count:
        return []
    labels = dict(Stage.choices)
    listing = reverse("projects:list")
    charts = [Chart(
        "pipeline", _("重大项目推进情况（按阶段）"), "bar", [str(labels[s]) for s in PIPELINE_STAGES],
        [Series(_("项目数"), [total.stages[s] for s in PIPELINE_STAGES], _("个"))], unit=_("个"),
        links=[f"{listing}?{urlencode({'region': region_code, 'stage': s})}" for s in PIPELINE_STAGES],
        note=_("项目库中本地区您可见的项目（不含已退出），点击查看该阶段的项目"))]
    if total.planned:
        rate = total.completion_rate
        completed_note = (_("完成投资来自季度调度：有年度计划的项目中 %(n)s 个尚无审核通过的调度，完成投资和完成率不计")
                          % {"n": total.unknown} if total.completed is None else _("完成投资来自各项目审核通过的季度调度"))
        charts.append(Chart(
            "investment", _("%(year)s年计划投资完成情况（完成率 %(rate)s）") % {
                "year": year, "rate": "—" if rate is None else f"{rate}%"},
            "bar", [_("年度计划投资"), _("已完成投资")], [Series(_("金额"), [total.planned, total.completed], _("万元"))],
            unit=_("万元"), links=[f"{listing}?{urlencode({'region': region_code})}"] * 2,
            note=_("%(year)s年有年度投资计划的项目；%(completed)s") % {"year": year, "completed": completed_note}))
    return charts


# --- 4. the chains' weakest links -------------------------------------------------------------------------

def weakest_charts(user, *, region_code: str) -> list[Chart]:
    """The segments rated 缺 (补链), then 弱 (强链), of the chains homed in the region, at most WEAKEST_LIMIT."""
    from jiqun.chains.analysis import Need, Rating, analyse_chain
    from jiqun.chains.selectors import chain_list

    order = {Need.FILL: 0, Need.STRENGTHEN: 1}  # 延链 segments are not reached yet: not a weak link of the chain
    found = []
    for chain in chain_list(user, region=Region(code=region_code)).order_by("code"):
        for verdict in analyse_chain(chain).segments:
            if verdict.need in order:
                local = int(verdict.inputs.get(_("本地企业"), "0"))
                found.append((order[verdict.need], local, chain.code, verdict.code, chain, verdict))
    if not found:
        return []
    found.sort(key=lambda item: item[:4])
    shown = found[:WEAKEST_LIMIT]
    ratings = dict(Rating.choices)
    return [Chart(
        "weakest", _("产业链薄弱环节"), "hbar",
        [_("%(chain)s · %(code)s %(name)s（%(rating)s）") % {"chain": chain.name, "code": v.code, "name": v.name,
                                                            "rating": ratings[v.rating]} for *_key, chain, v in shown],
        [Series(_("本地企业数"), [local for _n, local, *_rest in shown], _("家"))], unit=_("家"),
        links=[reverse("chains:detail", args=[chain.pk]) + "#segment-" + quote(v.code) for *_key, chain, v in shown],
        height=_height(len(shown)),
        note=_("本地区牵头的产业链中评为“缺”（补链）、再为“弱”（强链）的环节，本地企业少的在前，共 %(n)s 个，列出 %(shown)s 个；"
               "评级按各链最近有供应关系数据的年度") % {"n": len(found), "shown": len(shown)})]
