"""A hand-built chain for the page tests: 济宁's 工程机械 chain on the cluster organisation's cluster, with an
upstream segment supplied from outside, a midstream segment with a local 链主, a sub-segment and a 延链 segment;
and a Jinan chain nobody in Jining sees."""

from dataclasses import dataclass
from decimal import Decimal

from jiqun.accounts.models import User
from jiqun.chains.models import Chain, OutsideCompany, Placement, Segment, SupplyLink
from jiqun.chains.services import (
    chain_create,
    outside_company_create,
    placement_add,
    segment_add,
    supply_link_add,
)
from jiqun.clusters.models import Cluster
from jiqun.enterprises.models import Enterprise
from jiqun.regions.models import Region


@dataclass
class World:
    chain: Chain
    parts: Segment  # U1, supplied from outside
    assembly: Segment  # M1, a local 链主
    system: Segment  # M1.1 under M1
    remanufacture: Segment  # D1, 延链
    local: Enterprise
    outside: OutsideCompany
    leader: Placement
    link: SupplyLink
    jinan_chain: Chain


def build(code: str = "T-PAGES") -> World:
    officer = User.objects.get(username="jining")
    org = User.objects.get(username="jiqun_org")
    county = User.objects.get(username="rencheng")
    clusters = [org.clusters.order_by("pk").first(),
                Cluster.objects.for_user(county).filter(regions__code__startswith="3708").order_by("pk").first()]
    chain = chain_create(actor=officer, code=code, name="页面测试工程机械链", region=Region.objects.get(code="370800"),
                         clusters=clusters, chief_name="某副市长", local_rate_target=Decimal("50"))
    parts = segment_add(actor=officer, chain=chain, code="U1", name="液压件", position="upstream")
    assembly = segment_add(actor=officer, chain=chain, code="M1", name="整机装配", position="midstream")
    system = segment_add(actor=officer, chain=chain, code="M1.1", name="系统集成", position="midstream",
                         parent=assembly)
    remanufacture = segment_add(actor=officer, chain=chain, code="D1", name="再制造", position="downstream",
                                is_extension=True)
    local = Enterprise.objects.filter(region__code__startswith="3708").order_by("pk").first()
    outside = outside_company_create(actor=officer, name="江苏页面测试液压有限公司", place="江苏省常州市")
    leader = placement_add(actor=officer, segment=assembly, enterprise=local, role="chain_leader", product="挖掘机")
    placement_add(actor=officer, segment=parts, company=outside, product="液压泵")
    link = supply_link_add(actor=officer, segment=parts, year=2025, buyer=local, supplier_company=outside,
                           product="液压泵", amount=Decimal("1234.50"))
    jinan = User.objects.get(username="jinan")
    jinan_chain = chain_create(actor=jinan, code=f"{code}-JN", name="页面测试济南链",
                               region=Region.objects.get(code="370100"))
    segment_add(actor=jinan, chain=jinan_chain, code="U1", name="济南环节", position="upstream")
    return World(chain=chain, parts=parts, assembly=assembly, system=system, remanufacture=remanufacture,
                 local=local, outside=outside, leader=leader, link=link, jinan_chain=jinan_chain)
