"""Counts recomputed from the registries each time a target is shown; no count is typed in.

Where the registry keeps years (honours, above-scale status, carriers, approved full years) the count has a
year-by-year history, so its recent change can be measured; otherwise it is only "now".
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.clusters.models import Cluster, Tier
from jiqun.clusters.selectors import tier_histories
from jiqun.enterprises.models import CarrierKind, Honour, HonourKind
from jiqun.programmes.models import Indicator, Programme
from jiqun.programmes.units import convert
from jiqun.projects.models import Project, Stage
from jiqun.regions.models import within_q
from jiqun.targets.figures import BasisRow, ProgrammeData, Series, trend_of, year_points
from jiqun.targets.params import phrase
from jiqun.targets.progress import Point, year_end

KEY_ROLES = {"chain_leader", "leader", "backbone"}  # 龙头和骨干企业: the key-enterprise library
HONOUR_LEVELS = {"provincial_or_above": {"national", "provincial"}}
CLUSTER_COUNTS = ("count_clusters", "count_new_clusters", "count_clusters_over")  # counts whose unit is a cluster
UNSUPPORTED = {
    "count_smart_factories": gettext_lazy("尚无智能工厂、数字化车间名录，无法计数"),
    "count_benchmark_enterprises": gettext_lazy("尚无智能制造标杆企业名录，无法计数"),
    "count_sub_parks": gettext_lazy("尚无“园中园”名录，无法计数"),
}


def _year(year: int) -> str:
    """A year-end point's label: 2025年 (English: 2025)."""
    return _("%(year)s年") % {"year": year}


def _until(day: date) -> str:
    """A point's label before its year has ended: 截至2026-06-30."""
    return _("截至%(date)s") % {"date": day}


def _honour_matches(honour: Honour, params: dict, year: int) -> bool:
    if params.get("honour") and honour.kind != params["honour"]:
        return False
    level = params.get("level")
    if level and honour.level not in HONOUR_LEVELS.get(level, {level}):
        return False
    return honour.valid_in(year)


def _enterprise_url(pk: int) -> str:
    return reverse("enterprises:detail", args=[pk])


def _cluster_url(pk: int) -> str:
    return reverse("clusters:detail", args=[pk])


def count_series(data: ProgrammeData, indicator: Indicator, params: dict, clusters: set[int], until: date,
                 named: Collection[int] = (), subject: tuple[str, str] | None = None) -> Series:
    """Counts recomputed from the registries; a year-by-year history where the registry keeps years.

    `named` are the clusters the target's clause names (Target.counted_clusters): a count of clusters then
    counts only those, and its basis lists each of them with whether it counts and why. `subject` is the
    target's (kind, key): a count of projects for a park counts the park's projects, not its clusters'.
    """
    code = indicator.code
    if code in UNSUPPORTED:
        return Series(unsupported=str(UNSUPPORTED[code]))
    now = min(data.as_of, until)
    if code == "count_projects":
        return project_count_series(data.programme, params, clusters, subject, now)
    if code == "chain_local_supporting_rate":
        from jiqun.chains.analysis import local_rate_series

        kind, key = subject or ("", "")
        return local_rate_series(kind, key, clusters, now)
    if code in CLUSTER_COUNTS:
        return _cluster_count(data, indicator, params, clusters, set(named), now)
    tiers = tier_histories(clusters) if params.get("cluster_tier") else {}
    everyone = clusters

    def clusters_on(at: date) -> set[int]:
        """The subject's clusters; with `cluster_tier`, those holding that tier on `at`."""
        return {c for c in everyone if tiers[c].on(at) == params["cluster_tier"]} if tiers else everyone

    clusters = clusters_on(now)
    start_year = data.programme.period_start

    if code == "count_enterprises_with_honour":
        points, latest = [], []
        for year, at in year_points(start_year, now):
            members = data.members(clusters_on(at))
            held = {e: h for e in members for h in data.honours.get(e, []) if _honour_matches(h, params, year)}
            points.append(Point(at, Decimal(len(held)), _year(year)))
            latest = [BasisRow(members[e], url=_enterprise_url(e), note=str(h)) for e, h in
                      sorted(held.items(), key=lambda item: members[item[0]])]
        label = dict(HonourKind.choices).get(params.get("honour", ""), "")
        return Series(points=points, trend=trend_of(points), basis=latest,
                      note=_("集群成员企业中持有有效%(honour)s称号的企业，一家只计一次") % {"honour": label})

    if code == "count_enterprises_over":
        threshold = convert(Decimal(str(params["threshold"])), params.get("unit", "亿元"), "万元")
        below = params.get("below")
        ceiling = convert(Decimal(str(below)), params.get("unit", "亿元"), "万元") if below is not None else None
        everyone_members = data.members(everyone)
        years = sorted({y for (e, y) in data.enterprise_revenue if e in everyone_members and year_end(y) <= now})
        points, rows = [], []
        for year in years:
            members = data.members(clusters_on(year_end(year)))
            over = {e: data.enterprise_revenue[(e, year)] for e in members if (e, year) in data.enterprise_revenue
                    and data.enterprise_revenue[(e, year)] >= threshold
                    and (ceiling is None or data.enterprise_revenue[(e, year)] < ceiling)}
            points.append(Point(year_end(year), Decimal(len(over)), _year(year)))
            rows = [BasisRow(members[e], convert(v, "万元", "亿元"), _enterprise_url(e), "亿元") for e, v in over.items()]
        return Series(points=points, trend=trend_of(points), basis=rows,
                      note=_("按成员企业经省级审核的全年主营业务收入计（需企业填报）"))

    if code == "count_key_enterprises":
        key = data.members(clusters, KEY_ROLES)
        rows = [BasisRow(name, url=_enterprise_url(e)) for e, name in sorted(key.items(), key=lambda i: i[1])]
        return Series(points=[Point(now, Decimal(len(rows)), _("当前名录"))], basis=rows,
                      note=_("重点企业按集群成员中的链主、龙头和骨干企业计；名录不记历史"))

    if code == "count_above_scale_enterprises":
        years = sorted({y for e in data.members(everyone) for y in data.scales.get(e, {}) if y <= now.year})
        points, rows = [], []
        for year in years:
            members = data.members(clusters_on(min(year_end(year), now)))
            above = sorted((e for e in members if data.scales.get(e, {}).get(year)), key=lambda e: members[e])
            points.append(Point(min(year_end(year), now), Decimal(len(above)), _year(year)))
            rows = [BasisRow(members[e], url=_enterprise_url(e), note=_("%(year)s年规上") % {"year": year})
                    for e in above]
        return Series(points=points, trend=trend_of(points), basis=rows,
                      note=_("集群成员企业中当年为规模以上的企业，一家只计一次"))

    if code in ("count_carriers", "count_new_carriers"):
        kind = params.get("kind")
        if kind and kind not in CarrierKind.values:
            return Series(unsupported=_("创新载体名录没有“%(kind)s”这一类别，无法计数") % {"kind": phrase({"kind": kind})})
        level = params.get("level")
        levels = HONOUR_LEVELS.get(level, {level}) if level else None
        since = int(params["since"]) if params.get("since") else None
        chosen = [c for c in data.carriers if (levels is None or c.level in levels) and (kind is None or c.kind == kind)
                  and (since is None or (c.year is not None and c.year >= since))]
        points, rows = [], []
        for year, at in year_points(since or start_year, now):
            hosts, members = clusters_on(at), data.members(clusters_on(at))
            counted = [c for c in chosen if (c.cluster_id in hosts or c.host_id in members)
                       and (c.year is None or c.year <= year)]
            points.append(Point(at, Decimal(len(counted)), _year(year)))
            rows = [BasisRow(c.name, note=f"{c.get_level_display()}{c.get_kind_display()} {c.year or ''}") for c in counted]
        return Series(points=points, trend=trend_of(points), basis=rows,
                      note=_("挂在集群或其成员企业名下的创新载体，按认定年份计"))

    return Series(unsupported=_("指标“%(name)s”尚无计算规则") % {"name": indicator.name})


def _named_scope(clusters: set[int], named: set[int]) -> tuple[set[int], list[BasisRow]]:
    """The clusters a count looks at, and a row for each named cluster that lies outside the target's subject."""
    if not named:
        return clusters, []
    outside = [BasisRow(name, url=_cluster_url(pk), note=_("不计：不在本目标对象范围内或已退出"))
               for pk, name in Cluster.objects.filter(pk__in=named - clusters).order_by("name").values_list("pk", "name")]
    return clusters & named, outside


def _named_note(named: set[int], note: str) -> str:
    return _("只计目标点名的%(n)s个集群；%(note)s") % {"n": len(named), "note": note} if named else note


def _cluster_count(data: ProgrammeData, indicator: Indicator, params: dict, clusters: set[int], named: set[int],
                   now: date) -> Series:
    """Counts of clusters, each year by the tier it held at that year's end (clusters.selectors)."""
    code = indicator.code
    if params.get("kind") and code in ("count_clusters", "count_new_clusters"):
        clusters = {c for c in clusters if data.clusters[c].kind == params["kind"]}
    pool, outside = _named_scope(clusters, named)
    tiers = tier_histories(pool)
    tier = params.get("tier") or ""
    tier_label = Tier(tier).label if tier in Tier.values else tier
    start_year = data.programme.period_start

    def tier_ok(c: int, at: date) -> bool:
        return not tier or tiers[c].on(at) == tier

    def by_name(pks) -> list[int]:
        return sorted(pks, key=lambda c: data.clusters[c].name)

    tier_rule = _("层级按层级变更记录取各时点所处层级（无记录的集群按当前层级自认定日期起）")

    if code == "count_clusters":
        points = [Point(at, Decimal(sum(1 for c in pool if tier_ok(c, at))), _year(year) if at == year_end(year)
                        else _until(at)) for year, at in year_points(start_year, now)]
        rows = []
        for c in by_name(pool):
            held = Tier(tiers[c].on(now)).label if tiers[c].on(now) else _("无层级")
            if tier_ok(c, now):
                rows.append(BasisRow(data.clusters[c].name, url=_cluster_url(c),
                                     note=_("计入：%(date)s为%(tier)s") % {"date": now, "tier": held}))
            elif named:
                rows.append(BasisRow(data.clusters[c].name, url=_cluster_url(c),
                                     note=_("不计：%(date)s为%(tier)s，不是%(wanted)s")
                                     % {"date": now, "tier": held, "wanted": tier_label}))
        return Series(points=points, trend=trend_of(points), basis=rows + outside, note=_named_note(named, tier_rule))

    if code == "count_new_clusters":
        since = int(params.get("since") or start_year)
        new = [c for c in pool if data.clusters[c].recognised_on
               and since <= data.clusters[c].recognised_on.year and data.clusters[c].recognised_on <= now]
        points = [Point(at, Decimal(sum(1 for c in new if data.clusters[c].recognised_on <= at and tier_ok(c, at))),
                        _until(at)) for _y, at in year_points(max(since, start_year), now)]
        rows = [BasisRow(data.clusters[c].name, url=_cluster_url(c),
                         note=_("认定于 %(date)s") % {"date": data.clusters[c].recognised_on})
                for c in by_name(new) if tier_ok(c, now)]
        return Series(points=points, trend=trend_of(points), basis=rows + outside,
                      note=_named_note(named, _("按认定日期计，自%(year)s年起；%(rule)s") % {"year": since, "rule": tier_rule}))

    # count_clusters_over
    threshold = convert(Decimal(str(params["threshold"])), params.get("unit", "亿元"), "万元")
    shown = f"{Decimal(str(params['threshold'])).normalize():f}{params.get('unit', '亿元')}"
    measure = params.get("measure") or "revenue"
    measure_name = Indicator.objects.filter(code=measure).values_list("name", flat=True).first() or measure
    points, rows, last = [], [], None
    for year in data.years_with_data:
        if year_end(year) > now:
            continue
        known = {c: v for c in pool if (v := data.full_year(c, measure, year)) is not None}
        if not known:
            continue
        over = {c for c, v in known.items() if v >= threshold and tier_ok(c, year_end(year))}
        points.append(Point(year_end(year), Decimal(len(over)), _("%(year)s年全年") % {"year": year}))
        last = (year, known, over)
    if last is not None:
        year, known, over = last
        for c in by_name(pool if named else over):
            name = data.clusters[c].name
            if c not in known:
                rows.append(BasisRow(name, url=_cluster_url(c), note=_("不计：%(year)s年无经审核的全年%(measure)s")
                                     % {"year": year, "measure": measure_name}))
                continue
            value = convert(known[c], "万元", "亿元")
            figure = _("%(year)s年%(measure)s%(value)s亿元") % {"year": year, "measure": measure_name,
                                                               "value": f"{value:,.2f}"}
            if c in over:
                note = _("计入：%(figure)s ≥ %(threshold)s") % {"figure": figure, "threshold": shown}
            elif known[c] >= threshold:
                note = _("不计：%(year)s年末不是%(tier)s") % {"year": year, "tier": tier_label}
            else:
                note = _("不计：%(figure)s < %(threshold)s") % {"figure": figure, "threshold": shown}
            rows.append(BasisRow(f"{name} {_year(year)}", value, _cluster_url(c), note))
        if named:
            for c in by_name(set(clusters) - named):
                v = data.full_year(c, measure, year)
                if v is not None and v >= threshold:
                    rows.append(BasisRow(f"{data.clusters[c].name} {_year(year)}", convert(v, "万元", "亿元"),
                                         _cluster_url(c), _("不计：%(measure)s达到%(threshold)s，但不是本目标点名的集群")
                                         % {"measure": measure_name, "threshold": shown}))
    elif named:
        rows = [BasisRow(data.clusters[c].name, url=_cluster_url(c),
                         note=_("不计：尚无经审核的全年%(measure)s") % {"measure": measure_name})
                for c in by_name(pool)]
    return Series(points=points, trend=trend_of(points), basis=rows + outside,
                  note=_named_note(named, _("按各集群经省级审核的全年%(measure)s计") % {"measure": measure_name}
                                   + (_("；") + tier_rule if tier else "")))


# --- projects ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CountedProject:
    """A project as a count sees it: what it is, where, how big, and the dates that are evidence of its stages."""

    pk: int
    code: str
    name: str
    total_investment: Decimal  # 万元
    zone: str
    signed_on: date | None
    entered_on: date  # the day it entered the library (its first StageEvent)
    started_on: date | None  # the day it (last) reached 开工, from its StageEvent
    stages: tuple[tuple[date, str], ...]  # (reached_on, stage) of every move, oldest first
    kind: str = ""  # ProjectKind value
    major_level: str = ""  # MajorLevel value, "" when not a 重大项目
    region: str = ""  # the code of the region it is located in
    segment: str = ""  # the chain segment it fills or strengthens

    def stage_on(self, day: date) -> str | None:
        """The stage the project was in on `day`, from its events; None before it entered the library."""
        held = None
        for reached, stage in self.stages:
            if reached > day:
                break
            held = stage
        return held

    @property
    def introduced_on(self) -> date | None:
        """When it was brought in (引进): its signing, or its start when no signing date is recorded."""
        return self.signed_on or self.started_on


def counted_projects(*, clusters: Collection[int] | None = None, zone: int | None = None,
                     region: str | None = None) -> list[CountedProject]:
    """The library's projects of some clusters, of one park, or inside one region, with their stage dates."""
    projects = Project.objects.all()
    if zone is not None:
        projects = projects.filter(zone_id=zone)
    if clusters is not None:
        projects = projects.filter(clusters__in=list(clusters))
    if region:
        projects = projects.filter(within_q("region__code", region))
    result = []
    for project in projects.distinct().select_related("zone").prefetch_related("events").order_by("code"):
        events = sorted(project.events.all(), key=lambda e: (e.reached_on, e.at, e.pk))
        started = [e.reached_on for e in events if e.to_stage == Stage.STARTED]
        result.append(CountedProject(
            project.pk, project.code, project.name, project.total_investment, project.zone.name if project.zone else "",
            project.signed_on, events[0].reached_on if events else project.created_at.date(),
            started[-1] if started else None, tuple((e.reached_on, e.to_stage) for e in events), project.kind,
            project.major_level if project.is_major else "", project.region_id, project.segment))
    return result


def _project_url(pk: int) -> str:
    try:
        return reverse("projects:detail", args=[pk])
    except NoReverseMatch:  # the project pages are wired by jiqun/projects/urls.py
        return ""


def _window_start(programme: Programme) -> date:
    """A window that runs "within n years" of a programme starts on its document's date (else its first year)."""
    try:
        return date.fromisoformat(programme.document_date)
    except (TypeError, ValueError):
        return date(programme.period_start - 1, 12, 31)


def project_count_series(programme: Programme, params: dict, clusters: set[int], subject: tuple[str, str] | None,
                         now: date) -> Series:
    """Projects of the library counted for a target.

    A park's target counts the projects located in the park; any other subject the projects of its clusters
    (a city's only those inside the city). With `min_investment` the target is one of bringing projects in
    (引进 N 个 X 亿元以上项目): a project counts once it is signed (or, with no signing date, started) within
    the target's window, from the programme's date to the date counted, and its total investment reaches the
    threshold. Without it the target counts the projects being pushed (调度推进): those in the library on each
    date and not withdrawn (退出), at the stage `stage` when given.
    """
    kind, key = subject or ("", "")
    if kind == "park" and key.isdigit():
        projects = counted_projects(zone=int(key))
        where = _("园区内的项目")
    else:
        projects = counted_projects(clusters=clusters, region=key if kind == "city" else None)
        where = _("集群的项目")
    unit = params.get("unit") or "亿元"
    threshold = None
    if params.get("min_investment") is not None:
        threshold = convert(Decimal(str(params["min_investment"])), unit, "万元")
    stage = params.get("stage") or ""
    stage_label = dict(Stage.choices).get(stage, stage)

    def shown(project: CountedProject) -> Decimal:
        return convert(project.total_investment, "万元", unit)

    if threshold is not None:
        start = _window_start(programme)
        big = [p for p in projects if p.total_investment >= threshold]

        def counted_on(day: date) -> list[CountedProject]:
            return [p for p in big if p.introduced_on is not None and start <= p.introduced_on <= day
                    and (not stage or p.stage_on(day) == stage)]

        points = [Point(at, Decimal(len(counted_on(at))), _year(year) if at == year_end(year) else _until(at))
                  for year, at in year_points(start.year, now)]
        rows = []
        for p in counted_on(now):
            how = (_("签约 %(date)s") % {"date": p.signed_on} if p.signed_on
                   else _("开工 %(date)s（未填签约日期）") % {"date": p.started_on})
            rows.append(BasisRow(f"{p.code} {p.name}", shown(p), _project_url(p.pk),
                                 _("计入：%(how)s；%(zone)s") % {"how": how, "zone": p.zone or _("未入园区")}))
        for p in projects:
            if p in big:
                if p.introduced_on is None:
                    rows.append(BasisRow(f"{p.code} {p.name}", shown(p), _project_url(p.pk),
                                         _("不计：尚未签约或开工")))
                elif p.introduced_on < start:
                    rows.append(BasisRow(f"{p.code} {p.name}", shown(p), _project_url(p.pk),
                                         _("不计：%(date)s引进，早于目标起算日%(start)s")
                                         % {"date": p.introduced_on, "start": start}))
        amount = f"{Decimal(str(params['min_investment'])).normalize():f}{unit}"
        note = (_("%(where)s中计划总投资%(amount)s及以上、自%(start)s起签约（未填签约日期的按开工日期）的项目，"
                  "签约、开工日期取自项目库") % {"where": where, "amount": amount, "start": start}
                + (_("；只计处于%(stage)s阶段的项目") % {"stage": stage_label} if stage else ""))
        return Series(points=points, trend=trend_of(points), basis=rows, note=note)

    def active_on(day: date) -> list[CountedProject]:
        held = [(p, p.stage_on(day)) for p in projects]
        return [p for p, s in held if s is not None and s != Stage.WITHDRAWN and (not stage or s == stage)]

    points = [Point(at, Decimal(len(active_on(at))), _("%(year)s年末") % {"year": year} if at == year_end(year)
                    else _until(at))
              for year, at in year_points(programme.period_start, now)]
    rows = [BasisRow(f"{p.code} {p.name}", shown(p), _project_url(p.pk),
                     _("%(stage)s；入库 %(date)s") % {"stage": dict(Stage.choices)[p.stage_on(now)], "date": p.entered_on}
                     + (_("；签约 %(date)s") % {"date": p.signed_on} if p.signed_on else "")
                     + (_("；开工 %(date)s") % {"date": p.started_on} if p.started_on else ""))
            for p in active_on(now)]
    note = (_("%(where)s中在库且未退出的项目，阶段按阶段变更记录取各时点所处阶段") % {"where": where}
            + (_("；只计%(stage)s阶段") % {"stage": stage_label} if stage else ""))
    return Series(points=points, trend=trend_of(points), basis=rows, note=note)
