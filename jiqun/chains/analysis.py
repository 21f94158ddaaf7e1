"""What a chain's map says: each segment rated 强/弱/缺 with the inputs of its rating, what the chain needs
(补链/强链/延链), and the local supporting rate (本地配套率) of each segment and of the chain.

This module gathers the inputs from the database; the rules themselves are plain functions of those inputs
(`rate_segment`, `local_rate`) so that they can be checked by hand. The parameters and their defaults are
DEFAULT_PARAMS; a chain overrides any of them in `Chain.rating_params`.

"Local" (本地) is decided by the chain's `local_scope`: the same city as the chain's home region (the default),
the province, or (for suppliers with coordinates) a radius around the buyer.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.chains.models import Chain, LocalScope, Placement, Segment, SupplyLink
from jiqun.enterprises.models import EnterpriseScale, MemberRole
from jiqun.regions.models import PROVINCE_CODE


class Rating(models.TextChoices):
    STRONG = "strong", gettext_lazy("强")  # enough local enterprises of size, mostly supplied locally
    WEAK = "weak", gettext_lazy("弱")  # present locally, but too few, too small or mostly supplied from outside
    MISSING = "missing", gettext_lazy("缺")  # no local enterprise and no producing project on the segment


class Need(models.TextChoices):
    FILL = "fill", gettext_lazy("补链")  # a missing segment the chain should have
    STRENGTHEN = "strengthen", gettext_lazy("强链")  # a weak segment
    EXTEND = "extend", gettext_lazy("延链")  # a segment the chain does not reach yet (marked 延链)
    KEEP = "keep", gettext_lazy("保持")  # strong: keep it so


# The rule's parameters (a chain's `rating_params` overrides any of them).
DEFAULT_PARAMS: dict[str, object] = {
    "strong_min_enterprises": 3,  # local enterprises (and producing projects) on the segment for 强
    "strong_min_above_scale": 1,  # of which 规模以上 in the year
    "strong_min_local_share": "50",  # % of the segment's purchases bought locally, when amounts are known
    "leader_counts_as": 2,  # a local 链主 or 龙头 counts as this many enterprises
}

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class SegmentVerdict:
    segment_id: int
    code: str
    name: str
    parent_code: str | None
    position: str
    rating: str
    need: str
    inputs: dict[str, str]  # what the rating read, label → value as shown, in order
    local_rate: Decimal | None  # %, two decimals; None when nothing was bought on the segment
    rate_basis: str  # "amount" (value-weighted), "count" (suppliers counted), "" (no data)


@dataclass(frozen=True)
class ChainAnalysis:
    chain_id: int
    year: int
    params: dict
    segments: list[SegmentVerdict] = field(default_factory=list)
    local_rate: Decimal | None = None
    rate_basis: str = ""

    def by_code(self) -> dict[str, SegmentVerdict]:
        return {v.code: v for v in self.segments}


@dataclass(frozen=True)
class Purchase:
    """One supply link as the rate reads it: who supplied, whether that is local, and how much (万元 or None)."""

    segment_id: int
    supplier_key: str
    supplier_name: str
    supplier_place: str
    local: bool
    amount: Decimal | None
    product: str


def params_of(chain: Chain) -> dict:
    return DEFAULT_PARAMS | (chain.rating_params or {})


def local_prefix(chain: Chain) -> str:
    """The region-code prefix that counts as local for the chain (city or province; radius falls back to city)."""
    if chain.local_scope == LocalScope.PROVINCE:
        return PROVINCE_CODE[:2]
    return chain.region_id[:4]


def local_rate(purchases: list[Purchase]) -> tuple[Decimal | None, str]:
    """Local purchases ÷ all purchases, value-weighted when every purchase has an amount; otherwise the share
    of distinct suppliers that are local ("count"). None when there is nothing."""
    if not purchases:
        return None, ""
    if all(p.amount is not None for p in purchases):
        total = sum((p.amount for p in purchases), Decimal(0))
        if total > 0:
            local = sum((p.amount for p in purchases if p.local), Decimal(0))
            return (local * HUNDRED / total).quantize(CENT, ROUND_HALF_UP), "amount"
    suppliers = {p.supplier_key: p.local for p in purchases}
    local = sum(1 for is_local in suppliers.values() if is_local)
    return (Decimal(local) * HUNDRED / len(suppliers)).quantize(CENT, ROUND_HALF_UP), "count"


def rate_segment(*, local_enterprises: int, above_scale: int, leaders: int, producing_projects: int,
                 share: Decimal | None, outside_only: bool, params: dict) -> str:
    """The 强/弱/缺 rule: 缺 without any local enterprise or producing project; 强 with enough (a 链主/龙头 counting
    extra), enough of them 规模以上, and (when amounts are known) enough bought locally; 弱 otherwise."""
    present = local_enterprises + producing_projects
    if present == 0:
        return Rating.MISSING
    weight = present + leaders * (int(params["leader_counts_as"]) - 1)
    strong = (weight >= int(params["strong_min_enterprises"])
              and above_scale >= int(params["strong_min_above_scale"])
              and not outside_only
              and (share is None or share >= Decimal(str(params["strong_min_local_share"]))))
    return Rating.STRONG if strong else Rating.WEAK


def _need(segment: Segment, rating: str) -> str:
    if segment.is_extension and rating == Rating.MISSING:
        return Need.EXTEND
    return {Rating.MISSING: Need.FILL, Rating.WEAK: Need.STRENGTHEN, Rating.STRONG: Need.KEEP}[rating]


def _default_year(chain: Chain) -> int:
    latest = SupplyLink.objects.filter(segment__chain=chain).aggregate(y=models.Max("year"))["y"]
    return latest or datetime.date.today().year - 1


def purchases_of(chain: Chain, year: int) -> list[Purchase]:
    """The year's purchases by the chain's local buyers, each supplier marked local or not (sensitive: callers
    show them row by row only to who `sees_supply_links`)."""
    prefix = local_prefix(chain)
    links = (SupplyLink.objects.filter(segment__chain=chain, year=year)
             .select_related("buyer", "buyer_company", "supplier", "supplier_company", "supplier__region",
                             "supplier_company__region"))
    out = []
    for link in links:
        buyer_region = link.buyer.region_id if link.buyer_id else link.buyer_company.region_id
        if not buyer_region or not buyer_region.startswith(prefix):
            continue  # the chain's rate is about what local buyers buy
        if link.supplier_id:
            region, key, name = link.supplier.region_id, f"e{link.supplier_id}", link.supplier.name
            place = link.supplier.region.name
        else:
            company = link.supplier_company
            region, key, name, place = company.region_id, f"c{company.pk}", company.name, company.place
        out.append(Purchase(segment_id=link.segment_id, supplier_key=key, supplier_name=name, supplier_place=place,
                            local=bool(region) and region.startswith(prefix), amount=link.amount,
                            product=link.product))
    return out


def analyse_chain(chain: Chain, *, year: int | None = None) -> ChainAnalysis:
    """Rate every current segment of a chain for a year and compute its local supporting rates."""
    from jiqun.projects.models import Stage

    year = year or _default_year(chain)
    params = params_of(chain)
    prefix = local_prefix(chain)
    segments = list(Segment.objects.filter(chain=chain, retired=False).select_related("parent")
                    .order_by("sort", "code"))
    placements = defaultdict(list)
    for p in Placement.objects.filter(segment__in=segments).select_related("enterprise", "company"):
        placements[p.segment_id].append(p)
    above = set(EnterpriseScale.objects.filter(year=year, above_scale=True,
                                               enterprise__chain_placements__segment__in=segments)
                .values_list("enterprise_id", flat=True))
    producing = defaultdict(int)
    for segment_id in (chain.segments.model.objects.filter(pk__in=[s.pk for s in segments],
                                                           projects__stage=Stage.PRODUCING)
                       .values_list("pk", flat=True)):
        producing[segment_id] += 1  # noqa: PERF401 - one count per linked producing project
    purchases = purchases_of(chain, year)
    by_segment = defaultdict(list)
    for p in purchases:
        by_segment[p.segment_id].append(p)
    verdicts = []
    for segment in segments:
        local = [p for p in placements[segment.pk] if p.enterprise_id and p.enterprise.region_id.startswith(prefix)]
        outside = [p for p in placements[segment.pk] if not (p.enterprise_id
                                                             and p.enterprise.region_id.startswith(prefix))]
        leaders = sum(1 for p in local if p.role in (MemberRole.CHAIN_LEADER, MemberRole.LEADER))
        big = sum(1 for p in local if p.enterprise_id in above)
        share, basis = local_rate(by_segment[segment.pk])
        outside_only = bool(by_segment[segment.pk]) and not any(p.local for p in by_segment[segment.pk])
        rating = rate_segment(local_enterprises=len(local), above_scale=big, leaders=leaders,
                              producing_projects=producing[segment.pk], share=share if basis == "amount" else None,
                              outside_only=outside_only, params=params)
        inputs = {
            _("本地企业"): str(len(local)),
            _("其中规模以上"): str(big),
            _("本地链主/龙头"): str(leaders),
            _("已投产项目"): str(producing[segment.pk]),
            _("外地企业"): str(len(outside)),
            _("本地采购占比"): "—" if share is None else f"{share}%" + ("" if basis == "amount" else _("（按家数）")),
            _("仅靠外地供应"): _("是") if outside_only else _("否"),
        }
        verdicts.append(SegmentVerdict(segment_id=segment.pk, code=segment.code, name=segment.name,
                                       parent_code=segment.parent.code if segment.parent_id else None,
                                       position=segment.position, rating=rating, need=_need(segment, rating),
                                       inputs=inputs, local_rate=share, rate_basis=basis))
    rate, basis = local_rate(purchases)
    return ChainAnalysis(chain_id=chain.pk, year=year, params=params, segments=verdicts, local_rate=rate,
                         rate_basis=basis)


def local_rate_trend(chain: Chain) -> list[tuple[int, Decimal | None, str]]:
    """The chain's local supporting rate for each year it has supply links."""
    years = sorted(set(SupplyLink.objects.filter(segment__chain=chain).values_list("year", flat=True)))
    return [(year, *local_rate(purchases_of(chain, year))) for year in years]
