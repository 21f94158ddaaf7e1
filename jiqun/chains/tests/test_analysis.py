"""The chain analysis on hand-built chains with hand-computed answers: ratings and their inputs, parameters a
chain overrides (and refuses), a parent rated from its children, a producing project on a missing segment,
local scopes on the same links, amount and count bases, the trend, the inputs bought outside, and the
本地配套率 targets computed from chains.

Supply links are dated 2019 where a target reads them, a year the demo's chains do not reach."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jiqun.chains.analysis import (
    Need,
    Rating,
    analyse_chain,
    area_rates,
    chains_of,
    local_rate_trend,
    outside_inputs,
)
from jiqun.chains.models import Chain
from jiqun.chains.services import (
    chain_create,
    chain_update,
    outside_company_create,
    placement_add,
    segment_add,
    supply_link_add,
)
from jiqun.enterprises.services import enterprise_create, scale_set
from jiqun.programmes.models import Programme
from jiqun.projects.models import Project, Stage
from jiqun.projects.tests.fixtures import make_project
from jiqun.regions.models import Region
from jiqun.targets.display import row_text
from jiqun.targets.selectors import target_rows
from jiqun.targets.tests.helpers import make_cluster, make_programme, make_target, row_of

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = 2025


@pytest.fixture
def chain(jining_officer) -> Chain:
    return chain_create(actor=jining_officer, code="T-AN", name="测试分析链", region=Region.objects.get(code="370800"))


@pytest.fixture
def make(jining_officer):
    """Registry enterprises, outside companies, segments, placements and links, written by the Jining officer."""

    class Maker:
        def enterprise(self, name: str, region: str = "370811", above: int | None = None):
            enterprise = enterprise_create(actor=jining_officer, name=name, region=Region.objects.get(code=region))
            if above is not None:
                scale_set(actor=jining_officer, enterprise=enterprise, year=above, above_scale=True)
            return enterprise

        def company(self, name: str, region: str | None = None, lat=None, lon=None, place: str = "江苏省常州市"):
            return outside_company_create(actor=jining_officer, name=name, place=place,
                                          region=Region.objects.get(code=region) if region else None,
                                          latitude=D(str(lat)) if lat is not None else None,
                                          longitude=D(str(lon)) if lon is not None else None)

        def segment(self, chain, code: str, name: str = "", **extra):
            return segment_add(actor=jining_officer, chain=chain, code=code, name=name or code,
                               position=extra.pop("position", "upstream"), **extra)

        def place(self, segment, party, role: str = "supporting"):
            key = "company" if party.__class__.__name__ == "OutsideCompany" else "enterprise"
            return placement_add(actor=jining_officer, segment=segment, role=role, **{key: party})

        def link(self, segment, buyer, supplier, amount, year: int = YEAR, product: str = ""):
            sides = {("buyer_company" if buyer.__class__.__name__ == "OutsideCompany" else "buyer"): buyer,
                     ("supplier_company" if supplier.__class__.__name__ == "OutsideCompany" else "supplier"): supplier}
            return supply_link_add(actor=jining_officer, segment=segment, year=year, product=product,
                                   amount=None if amount is None else D(str(amount)), **sides)

    return Maker()


def test_each_segment_is_rated_with_its_inputs_beside_it(chain, make):
    a, b, c = make.enterprise("甲液压", above=2024), make.enterprise("乙液压"), make.enterprise("丙液压")
    buyer, leader = make.enterprise("整机厂"), make.enterprise("链主控制器")
    outside = make.company("常州液压")
    strong, weak = make.segment(chain, "U1", "液压件"), make.segment(chain, "U2", "控制器")
    missing = make.segment(chain, "U3", "电机")
    extension = make.segment(chain, "D1", "再制造", position="downstream", is_extension=True)
    for party in (a, b, c):
        make.place(strong, party)
    make.place(weak, leader, role="chain_leader")
    make.place(missing, outside)
    make.link(strong, buyer, a, 600, product="液压泵")
    make.link(strong, buyer, outside, 400, product="液压阀")
    make.link(missing, buyer, outside, 100, product="电机")

    result = analyse_chain(chain, year=YEAR).by_code()
    # U1: 3 local, 甲 规上 since 2024 (latest status up to 2025), 600 ÷ 1000 bought locally
    assert (result["U1"].rating, result["U1"].need, result["U1"].local_rate) == (Rating.STRONG, Need.KEEP, D("60.00"))
    assert result["U1"].inputs == {"本地企业": "3", "其中规模以上": "1", "本地链主/龙头": "0", "已投产项目": "0",
                                   "外地企业": "0", "本地采购占比": "60.00%", "仅靠外地供应": "否"}
    # U2: one 链主 counts 2 < 3
    assert (result["U2"].rating, result["U2"].need) == (Rating.WEAK, Need.STRENGTHEN)
    assert result["U2"].inputs["本地链主/龙头"] == "1（链主：链主控制器）"
    # U3: only an outside company, bought only from outside
    assert (result["U3"].rating, result["U3"].need, result["U3"].local_rate) == (Rating.MISSING, Need.FILL, D("0.00"))
    assert (result["U3"].inputs["外地企业"], result["U3"].inputs["仅靠外地供应"]) == ("1", "是")
    # D1: a 延链 segment not reached yet
    assert (result["D1"].rating, result["D1"].need) == (Rating.MISSING, Need.EXTEND)
    assert extension.pk == result["D1"].segment_id
    assert analyse_chain(chain, year=YEAR).local_rate == D("54.55")  # 600 ÷ 1100


def test_a_chain_overrides_the_rule_and_a_bad_parameter_is_refused_with_nothing_changed(chain, make,
                                                                                        jining_officer):
    segment = make.segment(chain, "U1")
    make.place(segment, make.enterprise("甲", above=2025))
    make.place(segment, make.enterprise("乙"))
    assert analyse_chain(chain, year=YEAR).by_code()["U1"].rating == Rating.WEAK  # 2 < 3
    chain = chain_update(actor=jining_officer, chain=chain, base_version=chain.version,
                         rating_params={"strong_min_enterprises": 2})
    assert analyse_chain(chain, year=YEAR).by_code()["U1"].rating == Rating.STRONG

    for bad, words in [({"strong_min_enterprise": 2}, "“strong_min_enterprise”不存在"),
                       ({"strong_min_local_share": 150}, "0 到 100 之间的百分数"),
                       ({"leader_counts_as": True}, "1 到 10 之间的整数"),
                       ({"parent_rule": "average"}, "weakest、strongest"),
                       (["strong_min_enterprises"], "键值表")]:
        with pytest.raises(ValidationError, match=words) as refused:
            chain_update(actor=jining_officer, chain=chain, base_version=chain.version, rating_params=bad)
        assert list(refused.value.message_dict) == ["rating_params"]
    chain.refresh_from_db()
    assert (chain.rating_params, chain.version) == ({"strong_min_enterprises": 2}, 2)
    with pytest.raises(ValidationError, match="不存在"):
        chain_create(actor=jining_officer, code="T-BAD", name="坏参数链", region=Region.objects.get(code="370800"),
                     rating_params={"unknown": 1})
    assert not Chain.objects.filter(code="T-BAD").exists()


def test_a_parent_with_nothing_of_its_own_takes_its_weakest_child(chain, make, jining_officer):
    parent = make.segment(chain, "M1", "整机", position="midstream")
    strong = make.segment(chain, "M1.1", "系统集成", position="midstream", parent=parent)
    weak = make.segment(chain, "M1.2", "整机装配", position="midstream", parent=parent)
    make.segment(chain, "M1.3", "无人化整机", position="midstream", parent=parent, is_extension=True)
    for name in ("甲", "乙", "丙"):
        make.place(strong, make.enterprise(f"集成{name}", above=2025))
    make.place(weak, make.enterprise("装配甲"))

    verdicts = analyse_chain(chain, year=YEAR).by_code()
    assert [verdicts[c].rating for c in ("M1.1", "M1.2", "M1.3")] == [Rating.STRONG, Rating.WEAK, Rating.MISSING]
    assert (verdicts["M1"].rating, verdicts["M1"].need, verdicts["M1"].from_children) == (
        Rating.WEAK, Need.STRENGTHEN, True)  # the 延链 child is not held against it
    assert verdicts["M1"].inputs["下级环节"] == "M1.1 强、M1.2 弱"
    chain = chain_update(actor=jining_officer, chain=chain, base_version=chain.version,
                         rating_params={"parent_rule": "strongest"})
    assert analyse_chain(chain, year=YEAR).by_code()["M1"].rating == Rating.STRONG
    make.place(parent, make.enterprise("整机自有"))  # something of its own: rated on its own
    own = analyse_chain(chain, year=YEAR).by_code()["M1"]
    assert (own.rating, own.from_children) == (Rating.WEAK, False)


def test_a_producing_project_on_a_missing_segment_turns_it_weak(chain, make, province_admin):
    segment = make.segment(chain, "U3", "电机")
    day = datetime.date(2024, 1, 1)
    project = make_project(name="电机补链项目", yi="5", region="370811",
                           stages={"reserve": day, "started": day, "completed": day})
    # Project.chain_segment is set by the 招引名录 loop (a signed prospect); set here as that loop would.
    Project.objects.filter(pk=project.pk).update(chain_segment=segment)
    assert analyse_chain(chain, year=YEAR).by_code()["U3"].rating == Rating.MISSING  # 竣工, not yet 投产
    from jiqun.projects.services import project_move_stage

    project_move_stage(actor=province_admin, project=project, to_stage=Stage.PRODUCING, reached_on=day)
    verdict = analyse_chain(chain, year=YEAR).by_code()["U3"]
    assert (verdict.rating, verdict.need, verdict.inputs["已投产项目"]) == (
        Rating.WEAK, Need.STRENGTHEN, "1（电机补链项目）")


def test_city_province_and_radius_scopes_give_different_rates_on_the_same_links(chain, make, jining_officer):
    segment = make.segment(chain, "U1")
    # A buyer in Jining outside the registry, so that it has coordinates; suppliers 0, 111.2 and 444.8 km away
    buyer = make.company("济宁采购方", region="370811", lat=35, lon="116.5", place="山东省济宁市")
    in_city = make.enterprise("济宁供应商")  # a registry enterprise: no coordinates
    in_province = make.company("济南供应商", region="370102", lat=36, lon="116.5", place="山东省济南市")
    far = make.company("远方供应商", lat=31, lon="116.5", place="安徽省")
    make.link(segment, buyer, in_city, 100)
    make.link(segment, buyer, in_province, 300)
    make.link(segment, buyer, far, 600)

    def rate_with(**scope):
        nonlocal chain
        chain = chain_update(actor=jining_officer, chain=chain, base_version=chain.version, **scope)
        result = analyse_chain(chain, year=YEAR)
        return result.local_rate, result.rate_basis, result.unknown_distance

    assert analyse_chain(chain, year=YEAR).local_rate == D("10.00")  # city: 100 ÷ 1000
    assert rate_with(local_scope="province") == (D("40.00"), "amount", 0)  # (100 + 300) ÷ 1000
    # radius 150 km: 济南 (111.2 km) in, 远方 (444.8 km) out, 济宁供应商 unmeasurable and left out: 300 ÷ 900
    assert rate_with(local_scope="radius", local_radius_km=D(150)) == (D("33.33"), "amount", 1)
    assert rate_with(local_radius_km=D(100)) == (D("0.00"), "amount", 1)
    verdict = analyse_chain(chain, year=YEAR).by_code()["U1"]
    assert verdict.inputs["距离未知的采购"] == "1 笔（缺少坐标，未计入）"
    assert [(o.supplier_name, o.amount, o.distance_km) for o in outside_inputs(chain, YEAR)] == [
        ("远方供应商", D("600.00"), D("444.8")), ("济南供应商", D("300.00"), D("111.2"))]


def test_a_count_based_rate_is_used_and_labelled_when_an_amount_is_missing(chain, make):
    segment = make.segment(chain, "U1")
    buyer, local = make.enterprise("整机厂"), make.enterprise("本地配套厂")
    outside = make.company("外地配套厂")
    make.link(segment, buyer, local, 900)
    make.link(segment, buyer, outside, None)
    make.link(segment, buyer, outside, None, product="另一件")
    verdict = analyse_chain(chain, year=YEAR).by_code()["U1"]
    assert (verdict.local_rate, verdict.rate_basis) == (D("50.00"), "count")  # 1 of 2 suppliers
    assert verdict.inputs["本地采购占比"] == "50.00%（按供应商家数）（不作评级依据）"


def test_the_trend_and_the_inputs_bought_outside(chain, make):
    segment = make.segment(chain, "U1", "液压件")
    buyer, local = make.enterprise("整机厂"), make.enterprise("本地液压")
    outside = make.company("常州液压", place="江苏省常州市")
    make.link(segment, buyer, local, 200, year=2023)
    make.link(segment, buyer, outside, 800, year=2023, product="液压阀")
    make.link(segment, buyer, local, 500, year=2024)
    make.link(segment, buyer, outside, 300, year=2024, product="液压阀")
    make.link(segment, make.enterprise("另一整机厂"), outside, 200, year=2024, product="液压阀")
    assert local_rate_trend(chain) == [(2023, D("20.00"), "amount"), (2024, D("50.00"), "amount")]
    [bought] = outside_inputs(chain, 2024)
    assert (bought.segment_code, bought.supplier_name, bought.supplier_place, bought.product, bought.buyers,
            bought.amount, bought.links) == ("U1", "常州液压", "江苏省常州市", "液压阀", ("另一整机厂", "整机厂"),
                                             D("500.00"), 2)


@pytest.fixture
def two_chains(make, jining_officer, jinan_officer):
    """A cluster served by a Jining chain (30% local in 2019) and a Jinan chain (50%)."""
    programme = make_programme("TEST-CHAIN", start=2019, end=2025)
    cluster = make_cluster(programme, "370811", name="测试链集群")
    jining = chain_create(actor=jining_officer, code="T-JN", name="济宁测试链", region=Region.objects.get(code="370800"),
                          clusters=[cluster])
    jinan = chain_create(actor=jinan_officer, code="T-JNN", name="济南测试链", region=Region.objects.get(code="370100"),
                         clusters=[cluster])
    outside = make.company("外省供应商")
    seg = make.segment(jining, "U1")
    buyer = make.enterprise("济宁整机厂")
    make.link(seg, buyer, make.enterprise("济宁配套厂"), 300, year=2019)
    make.link(seg, buyer, outside, 700, year=2019)
    seg = segment_add(actor=jinan_officer, chain=jinan, code="U1", name="U1", position="upstream")
    jinan_buyer = enterprise_create(actor=jinan_officer, name="济南整机厂", region=Region.objects.get(code="370102"))
    jinan_supplier = enterprise_create(actor=jinan_officer, name="济南配套厂", region=Region.objects.get(code="370112"))
    for supplier, amount in ((jinan_supplier, 100), (outside, 100)):
        supply_link_add(actor=jinan_officer, segment=seg, year=2019, buyer=jinan_buyer, supplier=supplier
                        if supplier is jinan_supplier else None,
                        supplier_company=None if supplier is jinan_supplier else supplier, amount=D(amount))
    return programme, cluster, jining, jinan


def test_a_cluster_takes_every_chain_serving_it_and_a_city_the_chains_homed_there(two_chains):
    programme, cluster, jining, jinan = two_chains
    assert chains_of("cluster", str(cluster.pk), [cluster.pk]) == [jinan, jining]
    [year] = area_rates([jining, jinan])
    assert (year.year, year.rate, year.basis) == (2019, D("33.33"), "amount")  # 400 ÷ 1200
    assert [(r.code, r.rate, r.purchases) for r in year.chains] == [("T-JN", D("30.00"), 2), ("T-JNN", D("50.00"), 2)]
    assert jining in chains_of("city", "370800") and jinan not in chains_of("city", "370800")


def test_local_supporting_rate_targets_are_computed_from_the_chains(two_chains, province_admin):
    programme, cluster, jining, jinan = two_chains
    make_target(programme, "C1", "chain_local_supporting_rate", 50, "%", 2025, subject="cluster", cluster=cluster)
    make_target(programme, "C2", "chain_local_supporting_rate", 50, "%", 2025, subject="city", region="370800")
    as_of = datetime.date(2020, 6, 30)
    rows = target_rows(province_admin, as_of=as_of, programme=programme)
    cluster_row, city_row = row_of(rows, "C1"), row_of(rows, "C2")
    assert cluster_row.result.current.value == D("33.33")
    assert cluster_row.result.current.label == "2019年"
    assert [(b.label, b.value) for b in cluster_row.series.basis] == [
        ("2019年 2 条产业链合计", D("33.33")), ("济南测试链（T-JNN）2019年", D("50.00")),
        ("济宁测试链（T-JN）2019年", D("30.00"))]
    assert "同一地级市" in cluster_row.series.basis[1].note and "按采购金额" in cluster_row.series.basis[1].note
    assert row_text(cluster_row).current == "33.33"  # a share, not rounded like a count
    assert city_row.result.current.value == D("30.00")
    # The packs' targets read the chains too: Jining's 50% (a city) and 001's "about 50%" (the province).
    jn = row_of(target_rows(province_admin, as_of=as_of, programme=Programme.objects.get(code="JN-2020-231")), "T04")
    assert jn.result.current.value == D("30.00")
    sd = row_of(target_rows(province_admin, as_of=as_of, programme=Programme.objects.get(code="SD-2023-185")), "T37")
    assert sd.series.points and "济南测试链" in sd.series.note and "济宁测试链" in sd.series.note


def test_a_subject_without_chains_says_so_instead_of_a_figure(province_admin):
    programme = make_programme("TEST-NOCHAIN", start=2019, end=2025)
    cluster = make_cluster(programme, "370811", name="无链集群")
    make_target(programme, "C1", "chain_local_supporting_rate", 50, "%", 2025, subject="cluster", cluster=cluster)
    row = row_of(target_rows(province_admin, as_of=datetime.date(2020, 6, 30), programme=programme), "C1")
    assert row.result.current is None and "尚无服务该集群的产业链" in row.result.reason
