"""What a chain's map says: each segment rated 强/弱/缺 with the inputs of its rating, what the chain needs
(补链/强链/延链), and the local supporting rate (本地配套率) of a segment, a chain, a cluster (the chains serving
it), a city (the chains homed there) and the province, with its trend and the inputs bought from outside.

This module gathers the inputs from the database; the rules are plain functions in jiqun/chains/rules.py,
explained in docs/chains-rules.md. A chain overrides any rule parameter in `Chain.rating_params`
(`validate_rating_params` refuses unknown keys and bad values).

Who buys and who is local:
- The buyers whose purchases make a chain's rate are those in the chain's home city (the province, for a chain
  homed in the province), registry enterprises or outside companies placed in a region there.
- A supplier is local, by the chain's `local_scope`: in the buyer's city (the default); in the province; or
  within `local_radius_km` of the buyer, measured between coordinates. Only outside companies have
  coordinates; a purchase whose distance cannot be measured is left out of the rate and counted in the inputs.
- Supply links are sensitive: `purchases_of` and `outside_inputs` name who bought what from whom, and callers
  show them only to who `jiqun.accounts.scoping.sees_supply_links`. Rates and ratings are not sensitive.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.chains import rules
from jiqun.chains.models import Chain, LocalScope, Placement, Segment, SupplyLink
from jiqun.enterprises.models import EnterpriseScale, MemberRole
from jiqun.regions.models import PROVINCE_CODE, city_code, is_within, same_city, scope_prefix


class Rating(models.TextChoices):
    STRONG = rules.STRONG, gettext_lazy("强")  # enough local enterprises of size, mostly supplied locally
    WEAK = rules.WEAK, gettext_lazy("弱")  # present locally, but too few, too small or mostly supplied from outside
    MISSING = rules.MISSING, gettext_lazy("缺")  # no local enterprise and no producing project on the segment


class Need(models.TextChoices):
    FILL = "fill", gettext_lazy("补链")  # a missing segment the chain should have
    STRENGTHEN = "strengthen", gettext_lazy("强链")  # a weak segment
    EXTEND = "extend", gettext_lazy("延链")  # a segment the chain does not reach yet (marked 延链)
    KEEP = "keep", gettext_lazy("保持")  # strong: keep it so


# The rule's parameters and defaults (a chain's `rating_params` overrides any of them); see rules.PARAMS.
DEFAULT_PARAMS: dict[str, object] = dict(rules.DEFAULTS)

RATE_BASIS_LABELS = {rules.AMOUNT: gettext_lazy("按采购金额"), rules.COUNT: gettext_lazy("按供应商家数")}


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
    from_children: bool = False  # rated from its children, having nothing of its own


@dataclass(frozen=True)
class ChainAnalysis:
    chain_id: int
    year: int
    params: dict
    segments: list[SegmentVerdict] = field(default_factory=list)
    local_rate: Decimal | None = None
    rate_basis: str = ""
    unknown_distance: int = 0  # purchases left out of the rate: their distance cannot be measured

    def by_code(self) -> dict[str, SegmentVerdict]:
        return {v.code: v for v in self.segments}


@dataclass(frozen=True)
class Purchase:
    """One supply link as the rate reads it: who supplied, whether that is local, and how much (万元 or None).
    `local` is None when it cannot be told (radius scope, a party without coordinates)."""

    segment_id: int
    supplier_key: str
    supplier_name: str
    supplier_place: str
    local: bool | None
    amount: Decimal | None
    product: str
    buyer_name: str = ""
    distance_km: Decimal | None = None
    chain_id: int = 0
    year: int = 0


@dataclass(frozen=True)
class OutsideInput:
    """An input the chain's local buyers bought from outside the region in a year, by segment, supplier and
    product, summed over buyers (sensitive)."""

    segment_id: int
    segment_code: str
    segment_name: str
    supplier_name: str
    supplier_place: str
    product: str
    buyers: tuple[str, ...]
    amount: Decimal | None  # 万元; None when any of the links has no amount
    links: int
    distance_km: Decimal | None = None


# --- parameters -------------------------------------------------------------------------------------------

def _problem_text(problem: rules.Problem) -> str:
    param = problem.param
    if problem.what == "mapping":
        return _("评级参数须为“参数名: 值”的键值表")
    if problem.what == "unknown":
        return _("评级参数“%(key)s”不存在（可用：%(keys)s）") % {"key": problem.key, "keys": "、".join(rules.PARAMS)}
    assert param is not None
    if problem.what == "choice":
        return _("评级参数“%(key)s”只能取 %(choices)s") % {"key": problem.key, "choices": "、".join(param.choices)}
    if param.kind == "bool":
        return _("评级参数“%(key)s”须为 true 或 false") % {"key": problem.key}
    if param.kind == "percent":
        return _("评级参数“%(key)s”须为 0 到 100 之间的百分数") % {"key": problem.key}
    return _("评级参数“%(key)s”须为 %(low)s 到 %(high)s 之间的整数") % {"key": problem.key, "low": param.low,
                                                               "high": param.high}


def validate_rating_params(params: object) -> None:
    """Refuse a chain's rating parameters naming an unknown key or holding a bad value, every problem named."""
    _params, problems = rules.check_params(params)
    if problems:
        raise ValidationError({"rating_params": [_problem_text(p) for p in problems]})


def params_of(chain: Chain) -> dict:
    """The rule's parameters for a chain: the defaults with its valid overrides (a bad one keeps the default)."""
    return rules.check_params(chain.rating_params or {})[0]


# --- where is local ---------------------------------------------------------------------------------------

def home_prefix(chain: Chain) -> str:
    """The region-code prefix of the chain's home city (the province's, for a chain homed in the province):
    the buyers whose purchases make the chain's rate lie there."""
    return scope_prefix(city_code(chain.region_id))


def local_prefix(chain: Chain) -> str:
    """The region-code prefix inside which an enterprise placed on a segment counts as local: the province
    for the province scope, else the home city (the radius scope has no coordinates for registry enterprises)."""
    if chain.local_scope == LocalScope.PROVINCE:
        return scope_prefix(PROVINCE_CODE)
    return home_prefix(chain)


def scope_text(chain: Chain) -> str:
    if chain.local_scope == LocalScope.RADIUS:
        return _("%(km)s 公里内") % {"km": f"{chain.local_radius_km.normalize():f}" if chain.local_radius_km else "?"}
    return str(LocalScope(chain.local_scope).label)


@dataclass(frozen=True)
class _Party:
    key: str
    name: str
    place: str
    region: str | None
    lat: Decimal | None
    lon: Decimal | None


def _enterprise_party(enterprise) -> _Party:
    return _Party(f"e{enterprise.pk}", enterprise.name, enterprise.region.name, enterprise.region_id, None, None)


def _company_party(company) -> _Party:
    return _Party(f"c{company.pk}", company.name, company.place or (company.region.name if company.region_id else ""),
                  company.region_id, company.latitude, company.longitude)


def _locality(chain: Chain, buyer: _Party, supplier: _Party) -> tuple[bool | None, Decimal | None]:
    """Whether the supplier is local to the buyer by the chain's scope (None: cannot be told), and the distance."""
    if chain.local_scope == LocalScope.RADIUS:
        if None in (buyer.lat, buyer.lon, supplier.lat, supplier.lon) or not chain.local_radius_km:
            return None, None
        km = rules.distance_km(buyer.lat, buyer.lon, supplier.lat, supplier.lon)
        return km <= chain.local_radius_km, km
    if not supplier.region:
        return False, None  # an outside company with no region in the province lies outside it
    if chain.local_scope == LocalScope.PROVINCE:
        return is_within(supplier.region, PROVINCE_CODE), None
    return same_city(supplier.region, buyer.region or ""), None


# --- purchases --------------------------------------------------------------------------------------------

def _purchases(chains: Iterable[Chain], year: int | None = None) -> list[Purchase]:
    """The purchases (of one year, or all years) of the chains' local buyers, in one query."""
    chains = {c.pk: c for c in chains}
    links = (SupplyLink.objects.filter(segment__chain__in=list(chains))
             .select_related("segment", "buyer__region", "buyer_company__region", "supplier__region",
                             "supplier_company__region").order_by("year", "segment_id", "pk"))
    if year is not None:
        links = links.filter(year=year)
    out = []
    for link in links:
        chain = chains[link.segment.chain_id]
        buyer = _enterprise_party(link.buyer) if link.buyer_id else _company_party(link.buyer_company)
        if not buyer.region or not buyer.region.startswith(home_prefix(chain)):
            continue  # the chain's rate is about what its home city's buyers buy
        supplier = (_enterprise_party(link.supplier) if link.supplier_id
                    else _company_party(link.supplier_company))
        local, km = _locality(chain, buyer, supplier)
        out.append(Purchase(segment_id=link.segment_id, supplier_key=supplier.key, supplier_name=supplier.name,
                            supplier_place=supplier.place, local=local, amount=link.amount, product=link.product,
                            buyer_name=buyer.name, distance_km=km, chain_id=chain.pk, year=link.year))
    return out


def purchases_of(chain: Chain, year: int) -> list[Purchase]:
    """The year's purchases by the chain's local buyers, each supplier marked local or not (sensitive: callers
    show them row by row only to who `sees_supply_links`)."""
    return _purchases([chain], year)


def outside_inputs(chain: Chain, year: int) -> list[OutsideInput]:
    """What the chain's local buyers bought from outside the region in a year and from whom, largest first
    (sensitive: only for who `sees_supply_links`). Purchases whose distance is unknown are not listed."""
    segments = {s.pk: s for s in Segment.objects.filter(chain=chain)}
    groups: dict[tuple, list[Purchase]] = defaultdict(list)
    for p in purchases_of(chain, year):
        if p.local is False:
            groups[(p.segment_id, p.supplier_key, p.product)].append(p)
    result = []
    for (segment_id, _key, product), bought in groups.items():
        amounts = [p.amount for p in bought]
        segment = segments[segment_id]
        result.append(OutsideInput(
            segment_id=segment_id, segment_code=segment.code, segment_name=segment.name,
            supplier_name=bought[0].supplier_name, supplier_place=bought[0].supplier_place, product=product,
            buyers=tuple(sorted({p.buyer_name for p in bought})),
            amount=None if None in amounts else sum(amounts, Decimal(0)), links=len(bought),
            distance_km=bought[0].distance_km))
    return sorted(result, key=lambda o: (o.amount is None, -(o.amount or 0), o.segment_code, o.supplier_name))


# --- the rating -------------------------------------------------------------------------------------------

def _need(segment: Segment, rating: str) -> str:
    if segment.is_extension and rating == Rating.MISSING:
        return Need.EXTEND
    return {Rating.MISSING: Need.FILL, Rating.WEAK: Need.STRENGTHEN, Rating.STRONG: Need.KEEP}[rating]


def _default_year(chain: Chain) -> int:
    latest = SupplyLink.objects.filter(segment__chain=chain).aggregate(y=models.Max("year"))["y"]
    return latest or datetime.date.today().year - 1


def _above_scale(enterprise_ids: set[int], year: int) -> set[int]:
    """The enterprises 规模以上 by their latest recorded status up to the year."""
    latest: dict[int, bool] = {}
    for enterprise, above in (EnterpriseScale.objects.filter(enterprise_id__in=enterprise_ids, year__lte=year)
                              .order_by("enterprise_id", "year").values_list("enterprise_id", "above_scale")):
        latest[enterprise] = above
    return {e for e, above in latest.items() if above}


def _share_text(share: Decimal | None, basis: str) -> str:
    if share is None:
        return "—"
    return f"{share}%" + ("" if basis == rules.AMOUNT else _("（按供应商家数）"))


def analyse_chain(chain: Chain, *, year: int | None = None) -> ChainAnalysis:
    """Rate every current segment of a chain for a year and compute its local supporting rates."""
    from jiqun.projects.models import Project, Stage

    year = year or _default_year(chain)
    params = params_of(chain)
    prefix = local_prefix(chain)
    segments = list(Segment.objects.filter(chain=chain, retired=False).select_related("parent")
                    .order_by("sort", "code"))
    placements = defaultdict(list)
    for p in Placement.objects.filter(segment__in=segments).select_related("enterprise", "company"):
        placements[p.segment_id].append(p)
    above = _above_scale({p.enterprise_id for ps in placements.values() for p in ps if p.enterprise_id}, year)
    producing: dict[int, list[str]] = defaultdict(list)
    for segment_id, name in (Project.objects.filter(chain_segment__in=segments, stage=Stage.PRODUCING)
                             .values_list("chain_segment_id", "name").order_by("chain_segment_id", "name")):
        producing[segment_id].append(name)
    purchases = purchases_of(chain, year)
    by_segment = defaultdict(list)
    for p in purchases:
        by_segment[p.segment_id].append(p)

    def is_local(p: Placement) -> bool:
        party = p.enterprise if p.enterprise_id else p.company
        return bool(party.region_id) and party.region_id.startswith(prefix)

    own: dict[int, SegmentVerdict] = {}
    has_own: dict[int, bool] = {}
    for segment in segments:
        local = [p for p in placements[segment.pk] if is_local(p)]
        outside = [p for p in placements[segment.pk] if not is_local(p)]
        leaders = sum(1 for p in local if p.role in (MemberRole.CHAIN_LEADER, MemberRole.LEADER))
        chain_leaders = [p.party.name for p in local if p.role == MemberRole.CHAIN_LEADER]
        big = sum(1 for p in local if p.enterprise_id in above)
        bought = by_segment[segment.pk]
        share, basis = rules.local_rate(bought)
        unknown = sum(1 for p in bought if p.local is None)
        outside_only = any(p.local is not None for p in bought) and not any(p.local for p in bought)
        decides = basis == rules.AMOUNT or (basis == rules.COUNT and params["count_share_decides"])
        rating = rules.rate_segment(local_enterprises=len(local), above_scale=big, leaders=leaders,
                                    producing_projects=len(producing[segment.pk]),
                                    share=share if decides else None, outside_only=outside_only, params=params)
        inputs = {
            _("本地企业"): str(len(local)),
            _("其中规模以上"): str(big),
            _("本地链主/龙头"): str(leaders) + (f"（{_('链主')}：{'、'.join(chain_leaders)}）" if chain_leaders else ""),
            _("已投产项目"): str(len(producing[segment.pk]))
            + (f"（{'、'.join(producing[segment.pk])}）" if producing[segment.pk] else ""),
            _("外地企业"): str(len(outside)),
            _("本地采购占比"): _share_text(share, basis)
            + ("" if decides or share is None else _("（不作评级依据）")),
            _("仅靠外地供应"): _("是") if outside_only else _("否"),
        }
        if unknown:
            inputs[_("距离未知的采购")] = _("%(n)s 笔（缺少坐标，未计入）") % {"n": unknown}
        has_own[segment.pk] = bool(placements[segment.pk] or producing[segment.pk] or bought)
        own[segment.pk] = SegmentVerdict(segment_id=segment.pk, code=segment.code, name=segment.name,
                                         parent_code=segment.parent.code if segment.parent_id else None,
                                         position=segment.position, rating=rating, need=_need(segment, rating),
                                         inputs=inputs, local_rate=share, rate_basis=basis)

    # A parent with nothing of its own is rated from its (current) children, deepest first.
    children: dict[int, list[Segment]] = defaultdict(list)
    for segment in segments:
        if segment.parent_id:
            children[segment.parent_id].append(segment)
    by_pk = {s.pk: s for s in segments}

    def depth(segment: Segment) -> int:
        d, node = 0, segment
        while node.parent_id in by_pk:
            d, node = d + 1, by_pk[node.parent_id]
        return d

    verdicts = dict(own)
    rule = str(params["parent_rule"])
    for segment in sorted(segments, key=depth, reverse=True):
        kids = children.get(segment.pk)
        if not kids or has_own[segment.pk]:
            continue
        counted = [k for k in kids if not k.is_extension] or kids  # a 延链 child is not reached yet
        rating = rules.parent_rating([verdicts[k.pk].rating for k in counted], rule)
        rule_text = _("取最弱的下级环节") if rule == "weakest" else _("取最强的下级环节")
        inputs = {
            _("评级依据"): _("本环节无企业、项目和采购，由下级环节评定：%(rule)s") % {"rule": rule_text},
            _("下级环节"): "、".join(f"{k.code} {Rating(verdicts[k.pk].rating).label}" for k in counted),
        } | own[segment.pk].inputs
        base = own[segment.pk]
        verdicts[segment.pk] = SegmentVerdict(
            segment_id=base.segment_id, code=base.code, name=base.name, parent_code=base.parent_code,
            position=base.position, rating=rating, need=_need(segment, rating), inputs=inputs,
            local_rate=base.local_rate, rate_basis=base.rate_basis, from_children=True)

    rate, basis = rules.local_rate(purchases)
    return ChainAnalysis(chain_id=chain.pk, year=year, params=params, segments=[verdicts[s.pk] for s in segments],
                         local_rate=rate, rate_basis=basis,
                         unknown_distance=sum(1 for p in purchases if p.local is None))


def rate_segment(**kwargs) -> str:
    """The 强/弱/缺 rule (rules.rate_segment), kept here under its first name."""
    return rules.rate_segment(**kwargs)


def local_rate(purchases: list[Purchase]) -> tuple[Decimal | None, str]:
    """The local supporting rate of some purchases and its basis (rules.local_rate)."""
    return rules.local_rate(purchases)


def local_rate_trend(chain: Chain) -> list[tuple[int, Decimal | None, str]]:
    """The chain's local supporting rate for each year it has supply links."""
    by_year: dict[int, list[Purchase]] = defaultdict(list)
    for p in _purchases([chain]):
        by_year[p.year].append(p)
    years = sorted(set(SupplyLink.objects.filter(segment__chain=chain).values_list("year", flat=True)))
    return [(year, *rules.local_rate(by_year[year])) for year in years]


# --- clusters, cities and the province ---------------------------------------------------------------------

def chains_of(kind: str, key: str, clusters: Iterable[int] = ()) -> list[Chain]:
    """The chains whose supply links make the rate of a subject: a cluster's (or a park's clusters') chains are
    those serving it; a city's those homed in it (or its counties); the province's all chains in it."""
    chains = Chain.objects.all()
    if kind in ("cluster", "park"):
        chains = chains.filter(clusters__in=list(clusters)).distinct()
    elif kind in ("city", "province"):
        chains = chains.filter(region__code__startswith=scope_prefix(key))
    else:
        return []
    return list(chains.select_related("region").order_by("region__code", "code"))


@dataclass(frozen=True)
class ChainRate:
    chain_id: int
    code: str
    name: str
    scope: str  # what "local" means for it, as shown
    rate: Decimal | None
    basis: str
    purchases: int
    unknown_distance: int


@dataclass(frozen=True)
class AreaRate:
    """The local supporting rate of several chains' purchases together in one year, and each chain's own."""

    year: int
    rate: Decimal | None
    basis: str
    chains: list[ChainRate]


def area_rates(chains: list[Chain]) -> list[AreaRate]:
    """The rate of the chains together, year by year (each purchase judged local by its own chain's scope):
    value-weighted when every purchase has an amount, else by supplier counts."""
    by_year: dict[int, list[Purchase]] = defaultdict(list)
    for p in _purchases(chains):
        by_year[p.year].append(p)
    result = []
    for year in sorted(by_year):
        rows = []
        for chain in chains:
            own = [p for p in by_year[year] if p.chain_id == chain.pk]
            if own:
                rate, basis = rules.local_rate(own)
                rows.append(ChainRate(chain.pk, chain.code, chain.name, scope_text(chain), rate, basis, len(own),
                                      sum(1 for p in own if p.local is None)))
        rate, basis = rules.local_rate(by_year[year])
        result.append(AreaRate(year, rate, basis, rows))
    return result


def local_rate_series(kind: str, key: str, clusters: Iterable[int], until: datetime.date):
    """The figures of a 本地配套率 target computed from chains (indicator chain_local_supporting_rate), for the
    targets' selector: one point a year, with each chain's rate, scope, basis and purchases as its basis."""
    from jiqun.targets.figures import BasisRow, Series, trend_of
    from jiqun.targets.progress import Point, year_end

    chains = chains_of(kind, key, clusters)
    rule = _("由产业链供应关系计算：本地采购额 ÷ 全部采购额（有采购方缺金额时按供应商家数）；"
             "采购方为各链牵头市的企业，“本地”按各链的本地范围判断")
    if not chains:
        what = {"cluster": _("服务该集群的产业链"), "park": _("服务该园区集群的产业链"),
                "city": _("牵头区划在该市的产业链"), "province": _("全省产业链")}.get(kind)
        if what is None:
            return Series(unsupported=_("该对象不能由产业链计算本地配套率"))
        return Series(empty=_("尚无%(what)s") % {"what": what}, note=rule)
    years = [a for a in area_rates(chains) if a.year <= until.year and a.rate is not None]
    points, basis_rows = [], []
    for area in years:
        label = _("%(year)s年") % {"year": area.year} + ("" if area.basis == rules.AMOUNT else _("（按供应商家数）"))
        points.append(Point(min(year_end(area.year), until), area.rate, label))
    if years:
        latest = years[-1]
        basis_rows.append(BasisRow(
            _("%(year)s年 %(n)s 条产业链合计") % {"year": latest.year, "n": len(latest.chains)}, latest.rate,
            note=str(RATE_BASIS_LABELS[latest.basis])))
        for row in latest.chains:
            notes = [str(RATE_BASIS_LABELS[row.basis]) if row.basis else _("无可计采购"),
                     _("本地：%(scope)s") % {"scope": row.scope}, _("%(n)s 笔采购") % {"n": row.purchases}]
            if row.unknown_distance:
                notes.append(_("%(n)s 笔距离未知未计入") % {"n": row.unknown_distance})
            basis_rows.append(BasisRow(f"{row.name}（{row.code}）{latest.year}年", row.rate, _chain_url(row.chain_id),
                                       "；".join(notes)))
    names = "、".join(c.name for c in chains)
    series = Series(points=points, trend=trend_of(points), basis=basis_rows,
                    note=f"{rule}；{_('计入的产业链')}：{names}")
    if not points:
        series.empty = _("所涉产业链尚无供应关系数据（%(names)s）") % {"names": names}
    return series


def _chain_url(pk: int) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("chains:detail", args=[pk])
    except NoReverseMatch:  # the chain pages are wired by jiqun/chains/urls.py
        return ""
