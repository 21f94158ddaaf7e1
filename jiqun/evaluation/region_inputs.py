"""The input snapshot of a region run (考核 of counties or cities, 观摩评比): each region's approved figure of every
scheme indicator for one year, read through ApprovedFigures.region, and what its bonus items count: the bonus
claims (加分事项) the province decided for that year (`source: claims`), and the projects of the library located
in the region that meet the item's rule (`source: projects`, jiqun.evaluation.project_inputs.project_bonus).

A region's figure of a cluster-level indicator is the sum over the programme's clusters located in it (a cluster
that spans several counties counts in each of them, as on the region report pages); a region-level indicator
is the region's own 综合表. A registry count is recounted over the region's clusters by the targets' rule. The
snapshot keeps each value's reports and revisions and each counted claim, so a rerun reproduces the run even
after a correction or a later decision on a claim.
"""

from datetime import date
from typing import Any

from jiqun.evaluation.inputs import _cell, _count, scheme_criteria
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.programmes.models import Indicator
from jiqun.regions.models import Region, within_q


def scheme_regions(scheme):
    """The regions a region scheme evaluates: those of its level inside its `within` region, by code."""
    selector = scheme.regions or {}
    if not selector:
        return Region.objects.none()
    return Region.objects.filter(within_q("code", selector["within"]), level=selector["level"]).order_by("code")


def bonus_items(scheme) -> list[dict[str, Any]]:
    return list((scheme.bonus or {}).get("items", []))


def decided_claims(scheme, year: int, codes: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The 核定 claims of the year for the scheme's bonus items, per region code, as the snapshot keeps them."""
    from jiqun.evaluation.models import BonusClaim, ClaimState

    items = {b["code"]: b for b in bonus_items(scheme) if b.get("source", "claims") == "claims"}
    claims: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
    found = (BonusClaim.objects.filter(scheme_code=scheme.code, year=year, state=ClaimState.APPROVED,
                                       region_id__in=codes, item__in=list(items)).order_by("region_id", "pk"))
    for claim in found:
        claims[claim.region_id].append({
            "id": claim.pk, "item": claim.item, "label": items[claim.item]["label"],
            "points": items[claim.item]["points"], "description": claim.description, "evidence": claim.evidence,
            "decided_by": claim.decided_by,
            "decided_at": claim.decided_at.isoformat() if claim.decided_at else None})
    return claims


def _value(figures, subject, members: set[int], criterion: dict, indicator, registries, year: int) -> dict:
    if criterion["source"] == "registry":
        if not members:
            return {"value": None, "missing": "本地区没有本工程的集群，名录计数无从计起"}
        return _count(registries, indicator, criterion["params"], members, year)
    if criterion["source"] == "quality":
        return {"value": None, "missing": "数据质量分按集群报表计算，不适用于地区"}
    if not members and indicator.level != "region":
        return {"value": None, "missing": "本地区没有本工程的集群"}
    if indicator.level == "region" and not any(("region", subject.region) in filed
                                               for filed in figures.filed.values()):
        return {"value": None, "missing": f"{subject.name}没有本工程的综合表（区域级指标由综合表填报）"}
    return _cell(figures.totals(subject, criterion["indicator"]), year,
                 figures.refusal(subject, criterion["indicator"]))


def region_snapshot_collect(scheme, year: int) -> dict[str, Any]:
    """Read every region's figures for the scheme's indicators in `year` (status 省级审核通过) and its claims."""
    figures = ApprovedFigures(scheme.programme, as_of=date(year, 12, 31))
    criteria = scheme_criteria(scheme)
    thresholds = scheme.eligibility or []
    wanted = [c["indicator"] for c in criteria] + [t["indicator"] for t in thresholds]
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=wanted)}
    registries = None
    if any(c["source"] == "registry" for c in [*criteria, *thresholds]):
        from jiqun.targets.figures import ProgrammeData

        registries = ProgrammeData(scheme.programme, date(year, 12, 31))
    regions = list(scheme_regions(scheme))
    items = bonus_items(scheme)
    claims = decided_claims(scheme, year, [r.code for r in regions]) if items else {}
    if any(b.get("source") == "projects" for b in items):
        from jiqun.evaluation.project_inputs import project_bonus

        for code, counted in project_bonus(scheme, year, [r.code for r in regions]).items():
            claims.setdefault(code, []).extend(counted)
    subjects = []
    for region in regions:
        subject = figures.region(region.code, region.name)
        members = {pk for (_kind, pk) in subject.members}
        data: dict[str, Any] = {
            "region": region.code, "name": region.name,
            "clusters": sorted(figures.clusters[pk][0] for pk in members),
            "values": {c["code"]: _value(figures, subject, members, c, indicators[c["indicator"]], registries, year)
                       for c in criteria}}
        if thresholds:
            data["eligibility"] = {str(n): _value(figures, subject, members, t, indicators[t["indicator"]],
                                                  registries, year) for n, t in enumerate(thresholds)}
        if items:
            data["bonus"] = claims.get(region.code, [])
        subjects.append(data)
    snapshot = {"year": year, "as_of": f"{year}-12-31", "programme": scheme.programme.code,
                "subject_kind": "region", "regions": scheme.regions, "criteria": criteria,
                "eligibility": thresholds, "subjects": subjects}
    if items:
        snapshot["bonus"] = {"items": items, "may_exceed_100": bool(scheme.bonus.get("may_exceed_100"))}
    return snapshot

