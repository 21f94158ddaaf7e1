"""What the chain pages read: the list with its rating counts, the map's tree, the gap list, a segment's panel.

Every read starts from `for_user` (jiqun.accounts.scoping); ratings and local rates come from
`jiqun.chains.analysis.analyse_chain` only. Supply links, and the rows derived from them, are read only for
who `sees_supply_links`.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from jiqun.accounts.scoping import sees_supply_links
from jiqun.chains.analysis import ChainAnalysis, Need, Rating, SegmentVerdict, analyse_chain, local_rate_trend
from jiqun.chains.models import Chain, Placement, Position, Prospect, Segment, SupplyLink
from jiqun.chains.permissions import can_edit_chain, can_edit_prospects, can_edit_supply_links
from jiqun.regions.models import within_q

# The order in which the gap list shows what a chain needs.
GAP_ORDER = (Need.FILL, Need.STRENGTHEN, Need.EXTEND)


@dataclass(frozen=True)
class ChainRow:
    chain: Chain
    segments: int
    strong: int
    weak: int
    missing: int
    local_rate: Decimal | None
    rate_basis: str


def chain_list(user, *, cluster=None, region=None) -> QuerySet[Chain]:
    """The chains the user sees, optionally of one cluster or with a home region inside one region."""
    chains = Chain.objects.for_user(user).select_related("region", "chain_leader").prefetch_related("clusters")
    if cluster is not None:
        chains = chains.filter(pk__in=Chain.objects.filter(clusters=cluster).values("pk"))
    if region is not None:
        chains = chains.filter(within_q("region__code", region.code))
    return chains


def chain_rows(chains) -> list[ChainRow]:
    """Each chain with its segment count, its 强/弱/缺 counts and its local supporting rate."""
    rows = []
    for chain in chains:
        analysis = analyse_chain(chain)
        ratings = Counter(v.rating for v in analysis.segments)
        rows.append(ChainRow(chain=chain, segments=len(analysis.segments), strong=ratings[Rating.STRONG],
                             weak=ratings[Rating.WEAK], missing=ratings[Rating.MISSING],
                             local_rate=analysis.local_rate, rate_basis=analysis.rate_basis))
    return rows


def _segment_node(segment: Segment, verdict: SegmentVerdict | None, children: dict, ratings: dict) -> dict:
    rating = verdict.rating if verdict else ""
    need = verdict.need if verdict else ""
    return {
        "name": f"{segment.code} {segment.name}",
        "id": segment.pk,
        "rating": rating,
        "ratingLabel": str(ratings.get(rating, "")),
        "need": need,
        "extension": segment.is_extension,
        "url": reverse("chains:segment", args=[segment.pk]),
        "children": [_segment_node(c, verdict_of, children, ratings)
                     for c, verdict_of in children.get(segment.pk, [])],
    }


def chain_map(chain: Chain, analysis: ChainAnalysis) -> dict:
    """The chain as an ECharts tree: the chain, then 上游/中游/下游, then the segment tree of each (current
    segments only), every segment with its rating, what it needs and the URL of its panel."""
    verdicts = {v.segment_id: v for v in analysis.segments}
    segments = list(Segment.objects.filter(chain=chain, retired=False).order_by("sort", "code"))
    ids = {s.pk for s in segments}
    children: dict[int | None, list] = {}
    for segment in segments:
        parent = segment.parent_id if segment.parent_id in ids else None
        children.setdefault(parent, []).append((segment, verdicts.get(segment.pk)))
    ratings = dict(Rating.choices)
    groups = []
    for position, label in Position.choices:
        tops = [(s, v) for s, v in children.get(None, []) if s.position == position]
        groups.append({"name": str(label), "position": position,
                       "children": [_segment_node(s, v, children, ratings) for s, v in tops]})
    return {"name": chain.name, "children": groups,
            "legend": {r: str(label) for r, label in Rating.choices} | {"extension": str(Need.EXTEND.label)}}


def segment_depths(chain: Chain) -> int:
    """How many segments the map shows (its height grows with it)."""
    return Segment.objects.filter(chain=chain, retired=False).count()


def gap_rows(analysis: ChainAnalysis) -> list[SegmentVerdict]:
    """The segments the chain needs work on: 补链 (missing), 强链 (weak), 延链 (not reached yet), in that order."""
    order = {need: i for i, need in enumerate(GAP_ORDER)}
    return sorted((v for v in analysis.segments if v.need in order), key=lambda v: (order[v.need], v.code))


def trend_rows(chain: Chain) -> list[tuple[int, Decimal | None, str]]:
    return local_rate_trend(chain)


def trend_chart(trend, target: Decimal | None) -> dict:
    return {"years": [str(year) for year, _rate, _basis in trend],
            "rates": [None if rate is None else float(rate) for _year, rate, _basis in trend],
            "target": None if target is None else float(target),
            "rateLabel": _("本地配套率（%）"), "targetLabel": _("目标")}


@dataclass
class SegmentPanel:
    segment: Segment
    verdict: SegmentVerdict | None
    placements: list[Placement]
    projects: list
    prospects: list[Prospect]
    links: list[SupplyLink] | None  # None: the user does not see supply links
    can_edit: bool
    can_edit_links: bool
    can_edit_prospects: bool
    year: int


def segment_panel(user, segment: Segment, analysis: ChainAnalysis | None = None) -> SegmentPanel:
    """What the panel of one segment shows to the user."""
    from jiqun.projects.models import Project

    chain = segment.chain
    analysis = analysis or analyse_chain(chain)
    verdict = next((v for v in analysis.segments if v.segment_id == segment.pk), None)
    placements = list(Placement.objects.for_user(user).filter(segment=segment)
                      .select_related("enterprise__region", "company__region").order_by("role", "pk"))
    projects = list(Project.objects.for_user(user).filter(chain_segment=segment).select_related("region")
                    .order_by("code"))
    prospects = list(Prospect.objects.for_user(user).filter(segment=segment).select_related("company")
                     .order_by("priority", "pk"))
    links = None
    if sees_supply_links(user, chain):
        links = list(SupplyLink.objects.for_user(user).filter(segment=segment)
                     .select_related("buyer", "buyer_company", "supplier", "supplier_company")
                     .order_by("-year", "pk"))
    return SegmentPanel(segment=segment, verdict=verdict, placements=placements, projects=projects,
                        prospects=prospects, links=links, can_edit=can_edit_chain(user, chain),
                        can_edit_links=can_edit_supply_links(user, chain),
                        can_edit_prospects=can_edit_prospects(user, chain), year=analysis.year)
