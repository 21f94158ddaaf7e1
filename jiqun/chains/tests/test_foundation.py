"""The chain registry's core services: structure versions, placements, and who sees supply links."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiqun.accounts.models import User
from jiqun.chains.models import Chain, ChainRevision, Segment, SupplyLink
from jiqun.chains.services import (
    chain_create,
    outside_company_create,
    placement_add,
    segment_add,
    segment_retire,
    segment_update,
    supply_link_add,
)
from jiqun.core.stale import StaleEdit
from jiqun.enterprises.models import Enterprise
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(jining_officer) -> Chain:
    return chain_create(actor=jining_officer, code="T-GCJX", name="测试工程机械链", region=Region.objects.get(code="370800"))


def test_it_versions_the_structure_on_every_change_of_the_tree(chain, jining_officer):
    design = segment_add(actor=jining_officer, chain=chain, code="U1", name="产品设计", position="upstream")
    parts = segment_add(actor=jining_officer, chain=chain, code="U2", name="关键零部件", position="upstream")
    segment_update(actor=jining_officer, segment=parts, base_version=parts.version, parent=design)
    chain.refresh_from_db()
    assert chain.structure_version == 4
    assert list(ChainRevision.objects.filter(chain=chain).values_list("number", flat=True)) == [1, 2, 3]
    assert ChainRevision.objects.get(chain=chain, number=3).segments[1]["parent"] is None


def test_it_refuses_a_cycle_a_duplicate_code_and_a_stale_edit(chain, jining_officer):
    top = segment_add(actor=jining_officer, chain=chain, code="M1", name="整机装配", position="midstream")
    child = segment_add(actor=jining_officer, chain=chain, code="M1.1", name="系统集成", position="midstream",
                        parent=top)
    with pytest.raises(ValidationError, match="自己或它的下级"):
        segment_update(actor=jining_officer, segment=top, base_version=top.version, parent=child)
    with pytest.raises(ValidationError, match="M1"):
        segment_add(actor=jining_officer, chain=chain, code="M1", name="重复", position="midstream")
    segment_update(actor=jining_officer, segment=child, base_version=child.version, name="系统集成与调试")
    with pytest.raises(StaleEdit):
        segment_update(actor=jining_officer, segment=child, base_version=1, name="旧表单")
    with pytest.raises(ValidationError, match="下级环节"):
        segment_retire(actor=jining_officer, segment=top, base_version=top.version)


def test_it_keeps_other_cities_out(chain, jinan_officer):
    with pytest.raises(PermissionDenied):
        segment_add(actor=jinan_officer, chain=chain, code="X", name="外市", position="upstream")
    assert not Chain.objects.for_user(jinan_officer).filter(pk=chain.pk).exists()


def test_supply_links_are_seen_by_the_chain_region_and_the_province_only(chain, jining_officer, jinan_officer,
                                                                         province_admin):
    segment = segment_add(actor=jining_officer, chain=chain, code="U1", name="液压件", position="upstream")
    buyer = Enterprise.objects.filter(region__code__startswith="3708").first()
    outside = outside_company_create(actor=jining_officer, name="江苏某液压件公司", place="江苏省常州市")
    placement_add(actor=jining_officer, segment=segment, company=outside, product="液压泵")
    link = supply_link_add(actor=jining_officer, segment=segment, year=2025, buyer=buyer, supplier_company=outside,
                           amount=Decimal("1200.50"))
    assert SupplyLink.objects.for_user(jining_officer).filter(pk=link.pk).exists()
    assert SupplyLink.objects.for_user(province_admin).filter(pk=link.pk).exists()
    assert not SupplyLink.objects.for_user(jinan_officer).exists()
    cluster_org = User.objects.filter(role="cluster_org").first()
    assert not SupplyLink.objects.for_user(cluster_org).exists()
    assert Segment.objects.for_user(jining_officer).filter(pk=segment.pk).exists()
    with pytest.raises(ValidationError, match="二选一"):
        supply_link_add(actor=jining_officer, segment=segment, year=2025, buyer=buyer, supplier_company=outside,
                        supplier=buyer)


def test_it_rates_segments_and_weights_the_local_rate_by_value(chain, jining_officer):
    from jiqun.chains.analysis import Need, Rating, analyse_chain

    made = segment_add(actor=jining_officer, chain=chain, code="U1", name="液压件", position="upstream")
    empty = segment_add(actor=jining_officer, chain=chain, code="U2", name="控制器", position="upstream")
    local_buyer, local_supplier = Enterprise.objects.filter(region__code__startswith="3708")[:2]
    outside = outside_company_create(actor=jining_officer, name="常州某液压", place="江苏省常州市")
    placement_add(actor=jining_officer, segment=made, enterprise=local_supplier)
    supply_link_add(actor=jining_officer, segment=made, year=2025, buyer=local_buyer, supplier=local_supplier,
                    amount=Decimal("300"))
    supply_link_add(actor=jining_officer, segment=made, year=2025, buyer=local_buyer, supplier_company=outside,
                    amount=Decimal("700"))
    result = analyse_chain(chain, year=2025)
    verdicts = result.by_code()
    assert (verdicts["U1"].rating, verdicts["U1"].local_rate, verdicts["U1"].rate_basis) == (
        Rating.WEAK, Decimal("30.00"), "amount")
    assert (verdicts["U2"].rating, verdicts["U2"].need) == (Rating.MISSING, Need.FILL)
    assert empty.pk == verdicts["U2"].segment_id
    assert result.local_rate == Decimal("30.00")


def test_a_cluster_organisation_keeps_the_map_but_cannot_name_the_chain_chief(chain, jining_officer):
    """The 链长 sees the chain's supply links, so naming one is for who keeps them: the chain's region."""
    org = User.objects.get(username="jiqun_org")
    chain.clusters.set(org.clusters.all())
    chief = User.objects.get(username="lianzhang")
    with pytest.raises(PermissionDenied, match="链长"):
        chain_update_for(org, chain, chief=chief)
    chain.refresh_from_db()
    assert chain.chief_id is None
    chain_update_for(org, chain, description="集群促进机构更新的说明")  # the rest of the settings it may change
    chain_update_for(jining_officer, chain, chief=chief)
    assert Chain.objects.get(pk=chain.pk).chief == chief


def chain_update_for(actor, chain, **changes):
    from jiqun.chains.services import chain_update

    current = Chain.objects.get(pk=chain.pk)
    return chain_update(actor=actor, chain=current, base_version=current.version, **changes)
