"""Counts recomputed from the registries each time a target is shown; no count is typed in.

Where the registry keeps years (honours, above-scale status, carriers, approved full years) the count has a
year-by-year history, so its recent change can be measured; otherwise it is only "now".
"""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from jiqun.enterprises.models import CarrierKind, Honour, HonourKind
from jiqun.programmes.models import Indicator
from jiqun.programmes.units import convert
from jiqun.targets.figures import BasisRow, ProgrammeData, Series, trend_of, year_points
from jiqun.targets.progress import Point, year_end

KEY_ROLES = {"chain_leader", "leader", "backbone"}  # 龙头和骨干企业: the key-enterprise library
HONOUR_LEVELS = {"provincial_or_above": {"national", "provincial"}}
UNSUPPORTED = {
    "count_smart_factories": "尚无智能工厂、数字化车间名录，无法计数",
    "count_benchmark_enterprises": "尚无智能制造标杆企业名录，无法计数",
    "count_projects": "重大项目库尚未建立，无法计数",
    "count_sub_parks": "尚无“园中园”名录，无法计数",
}


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


def count_series(data: ProgrammeData, indicator: Indicator, params: dict, clusters: set[int], until: date) -> Series:
    """Counts recomputed from the registries; a year-by-year history where the registry keeps years."""
    code = indicator.code
    if code in UNSUPPORTED:
        return Series(unsupported=UNSUPPORTED[code])
    if params.get("tier") and code in ("count_clusters", "count_new_clusters", "count_clusters_over"):
        clusters = {c for c in clusters if data.clusters[c].tier == params["tier"]}
    if params.get("kind") and code in ("count_clusters", "count_new_clusters"):
        clusters = {c for c in clusters if data.clusters[c].kind == params["kind"]}
    if params.get("cluster_tier"):
        clusters = {c for c in clusters if data.clusters[c].tier == params["cluster_tier"]}
    start_year = data.programme.period_start
    now = min(data.as_of, until)

    if code == "count_clusters":
        rows = [BasisRow(data.clusters[c].name, url=_cluster_url(c)) for c in sorted(clusters, key=lambda c: data.clusters[c].name)]
        return Series(points=[Point(now, Decimal(len(rows)), "当前名录")], basis=rows,
                      note="集群名录不记历史层级，按当前名录计")

    if code == "count_new_clusters":
        since = int(params.get("since") or start_year)
        new = [c for c in clusters if data.clusters[c].recognised_on
               and since <= data.clusters[c].recognised_on.year and data.clusters[c].recognised_on <= now]
        points = [Point(at, Decimal(sum(1 for c in new if data.clusters[c].recognised_on <= at)), f"截至{at}")
                  for _y, at in year_points(max(since, start_year), now)]
        rows = [BasisRow(data.clusters[c].name, url=_cluster_url(c), note=f"认定于 {data.clusters[c].recognised_on}")
                for c in sorted(new, key=lambda c: data.clusters[c].name)]
        return Series(points=points, trend=trend_of(points), basis=rows, note=f"按认定日期计，自{since}年起")

    if code == "count_clusters_over":
        threshold = convert(Decimal(str(params["threshold"])), params.get("unit", "亿元"), "万元")
        measure = params.get("measure") or "revenue"
        points, rows = [], []
        for year in data.years_with_data:
            if year_end(year) > now:
                continue
            figures = {c: data.full_year(c, measure, year) for c in clusters}
            known = {c: v for c, v in figures.items() if v is not None}
            if not known:
                continue
            over = sorted((c for c, v in known.items() if v >= threshold), key=lambda c: data.clusters[c].name)
            points.append(Point(year_end(year), Decimal(len(over)), f"{year}年全年"))
            rows = [BasisRow(f"{data.clusters[c].name} {year}年", convert(known[c], "万元", "亿元"), _cluster_url(c),
                             "亿元") for c in over]
        return Series(points=points, trend=trend_of(points), basis=rows,
                      note=f"按各集群经省级审核的全年{Indicator.objects.filter(code=measure).values_list('name', flat=True).first() or measure}计")

    if code == "count_enterprises_with_honour":
        members = data.members(clusters)
        points, latest = [], []
        for year, at in year_points(start_year, now):
            held = {e: h for e in members for h in data.honours.get(e, []) if _honour_matches(h, params, year)}
            points.append(Point(at, Decimal(len(held)), f"{year}年"))
            latest = [BasisRow(members[e], url=_enterprise_url(e), note=str(h)) for e, h in
                      sorted(held.items(), key=lambda item: members[item[0]])]
        label = dict(HonourKind.choices).get(params.get("honour", ""), "")
        return Series(points=points, trend=trend_of(points), basis=latest,
                      note=f"集群成员企业中持有有效{label}称号的企业，一家只计一次")

    if code == "count_enterprises_over":
        threshold = convert(Decimal(str(params["threshold"])), params.get("unit", "亿元"), "万元")
        below = params.get("below")
        ceiling = convert(Decimal(str(below)), params.get("unit", "亿元"), "万元") if below is not None else None
        members = data.members(clusters)
        years = sorted({y for (e, y) in data.enterprise_revenue if e in members and year_end(y) <= now})
        points, rows = [], []
        for year in years:
            over = {e: data.enterprise_revenue[(e, year)] for e in members if (e, year) in data.enterprise_revenue
                    and data.enterprise_revenue[(e, year)] >= threshold
                    and (ceiling is None or data.enterprise_revenue[(e, year)] < ceiling)}
            points.append(Point(year_end(year), Decimal(len(over)), f"{year}年"))
            rows = [BasisRow(members[e], convert(v, "万元", "亿元"), _enterprise_url(e), "亿元") for e, v in over.items()]
        return Series(points=points, trend=trend_of(points), basis=rows,
                      note="按成员企业经省级审核的全年主营业务收入计（需企业填报）")

    if code == "count_key_enterprises":
        key = data.members(clusters, KEY_ROLES)
        rows = [BasisRow(name, url=_enterprise_url(e)) for e, name in sorted(key.items(), key=lambda i: i[1])]
        return Series(points=[Point(now, Decimal(len(rows)), "当前名录")], basis=rows,
                      note="重点企业按集群成员中的链主、龙头和骨干企业计；名录不记历史")

    if code == "count_above_scale_enterprises":
        members = data.members(clusters)
        years = sorted({y for e in members for y in data.scales.get(e, {}) if y <= now.year})
        points, rows = [], []
        for year in years:
            above = sorted((e for e in members if data.scales.get(e, {}).get(year)), key=lambda e: members[e])
            points.append(Point(min(year_end(year), now), Decimal(len(above)), f"{year}年"))
            rows = [BasisRow(members[e], url=_enterprise_url(e), note=f"{year}年规上") for e in above]
        return Series(points=points, trend=trend_of(points), basis=rows,
                      note="集群成员企业中当年为规模以上的企业，一家只计一次")

    if code in ("count_carriers", "count_new_carriers"):
        kind = params.get("kind")
        if kind and kind not in CarrierKind.values:
            return Series(unsupported=f"创新载体名录没有“{kind}”这一类别，无法计数")
        members = data.members(clusters)
        level = params.get("level")
        levels = HONOUR_LEVELS.get(level, {level}) if level else None
        since = int(params["since"]) if params.get("since") else None
        chosen = [c for c in data.carriers if (c.cluster_id in clusters or c.host_id in members)
                  and (levels is None or c.level in levels) and (kind is None or c.kind == kind)
                  and (since is None or (c.year is not None and c.year >= since))]
        points, rows = [], []
        for year, at in year_points(since or start_year, now):
            counted = [c for c in chosen if c.year is None or c.year <= year]
            points.append(Point(at, Decimal(len(counted)), f"{year}年"))
            rows = [BasisRow(c.name, note=f"{c.get_level_display()}{c.get_kind_display()} {c.year or ''}") for c in counted]
        return Series(points=points, trend=trend_of(points), basis=rows,
                      note="挂在集群或其成员企业名下的创新载体，按认定年份计")

    return Series(unsupported=f"指标“{indicator.name}”尚无计算规则")
