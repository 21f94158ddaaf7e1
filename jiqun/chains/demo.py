"""The demo's industry chains: the seven chains the Jining 231 document (seed 004) spells out and one provincial
chain (青岛轨道交通装备, generated), with the enterprises the texts name on their segments, generated supply links
for 2023-2025 and four demo projects linked to the segments they fill (docs/chains-demo.md).

The data is in `jiqun.chains.demo_data.chains`. Every write goes through `jiqun.chains.services` (and
`jiqun.projects.services.project_update` for the project links) as the system (actor None). The supply links are
drawn from a fixed seed per chain, so two loads give the same figures. A chain whose code exists is left as it is:
running the demo again adds nothing.
"""

import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from jiqun.chains.demo_data.chains import CHAINS, OUTSIDE, PROJECT_LINKS, ChainSpec, Seg
from jiqun.chains.models import Chain, OutsideCompany, Segment
from jiqun.chains.services import (
    chain_create,
    outside_company_create,
    placement_add,
    segment_add,
    supply_link_add,
)
from jiqun.clusters.models import Cluster
from jiqun.enterprises.models import Enterprise, Source
from jiqun.regions.models import Region

DEMO_SEED = 2026
YEARS = (2023, 2024, 2025)
GROWTH = Decimal("0.06")  # each year the chain buys this much more than the year before
LOCAL_GAIN = 3  # percentage points of local share gained each year
TARGET = Decimal(50)  # 本地配套率 target (%): 004 一(三) “５０％以上”, 001 二(三)2 “50%左右”


class DemoDataError(RuntimeError):
    """The demo data names something the demo database does not hold (a bug of the data, not of the user)."""


def _enterprise(name: str) -> Enterprise | None:
    return Enterprise.objects.filter(name=name).order_by("pk").first()


def _outside(name: str) -> OutsideCompany:
    company = OutsideCompany.objects.filter(name=name).order_by("pk").first()
    if company is not None:
        return company
    if name not in OUTSIDE:
        raise DemoDataError(f"neither a registry enterprise nor a demo outside company: {name}")
    place, region, notes, named = OUTSIDE[name]
    return outside_company_create(actor=None, name=name, place=place,
                                  region=Region.objects.get(code=region) if region else None, notes=notes,
                                  source=Source.POLICY if named else Source.DEMO)


def _party(name: str) -> tuple[Enterprise | None, OutsideCompany | None]:
    """A registry enterprise when the registry holds one of that name, else the outside company."""
    enterprise = _enterprise(name) if name not in OUTSIDE else None
    return (enterprise, None) if enterprise is not None else (None, _outside(name))


def _region_of(party: tuple[Enterprise | None, OutsideCompany | None]) -> str:
    enterprise, company = party
    return (enterprise.region_id if enterprise is not None else company.region_id) or ""


def _link_kwargs(role: str, party: tuple[Enterprise | None, OutsideCompany | None]) -> dict:
    enterprise, company = party
    return {role: enterprise} if enterprise is not None else {f"{role}_company": company}


def _split(total: Decimal, n: int, rng: random.Random) -> list[Decimal]:
    """`total` split into n positive parts (万元, one decimal), the last taking the rounding."""
    if n == 0:
        return []
    weights = [Decimal(str(round(rng.uniform(1, 3), 3))) for _ in range(n)]
    whole = sum(weights)
    parts = [(total * w / whole).quantize(Decimal("0.1"), ROUND_HALF_UP) for w in weights[:-1]]
    return [*parts, total - sum(parts, Decimal(0))]


def _supply_links(chain: Chain, spec: ChainSpec, seg: Seg, segment: Segment, parties: dict, rng: random.Random) -> int:
    """The segment's purchases of 2023-2025 (演示数据): what its local buyers bought from its placed suppliers."""
    prefix = chain.region_id[:4]
    suppliers = [(name, product, parties[name]) for name, product in
                 ((p.party, p.product) for p in seg.places)]
    buyers = [(name, _party(name)) for name in (seg.buyers or spec.buyers)]
    local = [s for s in suppliers if _region_of(s[2]).startswith(prefix)]
    outside = [s for s in suppliers if not _region_of(s[2]).startswith(prefix)]
    made = 0
    for offset, year in enumerate(YEARS):
        if seg.counted:
            shares = [(s, None) for s in suppliers]
        else:
            total = (Decimal(seg.volume) * (1 + GROWTH * offset)
                     * Decimal(str(round(rng.uniform(0.96, 1.04), 3)))).quantize(Decimal("0.1"))
            share = Decimal(min(95, seg.local + LOCAL_GAIN * offset)) if seg.local else Decimal(0)
            local_total = (total * share / 100).quantize(Decimal("0.1"))
            sellers = local if local_total > 0 else []
            shares = [*zip(sellers, _split(local_total, len(sellers), rng), strict=True),
                      *zip(outside, _split(total - local_total, len(outside), rng), strict=True)]
        for index, ((name, product, party), amount) in enumerate(shares):
            candidates = [b for b in buyers if b[0] != name]
            _buyer_name, buyer = candidates[(index + offset) % len(candidates)]
            supply_link_add(actor=None, segment=segment, year=year, product=product, amount=amount,
                            note="演示数据" if amount is not None else "演示数据：只知供货关系，不知金额",
                            source=Source.DEMO, **_link_kwargs("buyer", buyer), **_link_kwargs("supplier", party))
            made += 1
    return made


def _chain(spec: ChainSpec) -> Chain:
    clusters = [Cluster.objects.get(programme__code=programme, code=code) for programme, code in spec.clusters]
    leader = _enterprise(spec.leader) if spec.leader else None
    if spec.leader and leader is None:
        raise DemoDataError(f"the 链主 of {spec.code} is not in the registry: {spec.leader}")
    source = Source.DEMO if spec.generated else Source.POLICY
    chain = chain_create(actor=None, code=spec.code, name=spec.name, region=Region.objects.get(code=spec.region),
                         clusters=clusters, chief_name=spec.chief_name, chain_leader=leader,
                         local_rate_target=TARGET, description=spec.description,
                         clause=f"{spec.clause}；本地配套率目标：{spec.target_clause}", source=source)
    rng = random.Random(f"{DEMO_SEED}-{spec.code}")
    segments: dict[str, Segment] = {}
    for sort, seg in enumerate(spec.segments, start=1):
        parent = segments[seg.code.rsplit(".", 1)[0]] if "." in seg.code else None
        segments[seg.code] = segment_add(
            actor=None, chain=chain, code=seg.code, name=seg.name, position=seg.position, parent=parent,
            kind=seg.kind, industry_codes=seg.industry, is_extension=seg.extension, sort=sort * 10,
            description=seg.note, note="演示数据载入")
    for seg in spec.segments:
        parties = {}
        for place in seg.places:
            party = _party(place.party)
            parties[place.party] = party
            enterprise, company = party
            placement_add(actor=None, segment=segments[seg.code], enterprise=enterprise, company=company,
                          role=place.role, product=place.product,
                          source=Source.POLICY if place.policy and not spec.generated else Source.DEMO)
        if seg.volume:
            _supply_links(chain, spec, seg, segments[seg.code], parties, rng)
    return chain


def _link_projects() -> int:
    from jiqun.projects.models import Project
    from jiqun.projects.services import project_update

    linked = 0
    for project_code, chain_code, segment_code in PROJECT_LINKS:
        project = Project.objects.filter(code=project_code).first()
        segment = Segment.objects.filter(chain__code=chain_code, code=segment_code).first()
        if project is None or segment is None or project.chain_segment_id is not None:
            continue
        project_update(actor=None, project=project, base_version=project.version, chain_segment=segment)
        linked += 1
    return linked


@transaction.atomic
def demo_chains_generate() -> int:
    """Create the demo chains that do not exist yet and link the demo projects; returns how many chains were made."""
    made = 0
    for spec in CHAINS:
        if Chain.objects.filter(code=spec.code).exists():
            continue
        _chain(spec)
        made += 1
    _link_projects()
    return made
