"""The demo's chains (loaded with the demo into the test database): the texts' chains and enterprises on their
segments, the gaps the 招引名录 demo relies on, plausible local supporting rates, linked projects, idempotence."""

from decimal import Decimal
from pathlib import Path

import pytest

from jiqun.audit.models import AuditEvent
from jiqun.chains.analysis import Need, Rating, analyse_chain, local_rate_trend
from jiqun.chains.demo import demo_chains_generate
from jiqun.chains.demo_data.chains import CHAINS, OUTSIDE, PROJECT_LINKS, PROMISED_GAPS
from jiqun.chains.models import Chain, ChainRevision, OutsideCompany, Placement, Segment, SupplyLink
from jiqun.enterprises.models import Enterprise, MemberRole, Source
from jiqun.projects.models import Project, Stage

pytestmark = pytest.mark.django_db

JINING_CHAINS = ["JN-GCJX", "JN-NJZB", "JN-XNYQC-SD", "JN-QN", "JN-DSDBDT", "JN-XT", "JN-GDHG"]


def placed(chain_code: str, segment_code: str) -> dict[str, str]:
    """Who sits on a segment: party name → role."""
    return {str(p.party): p.role for p in Placement.objects.filter(segment__chain__code=chain_code,
                                                                    segment__code=segment_code)
            .select_related("enterprise", "company")}


def test_the_demo_has_the_jining_texts_chains_and_one_provincial_chain():
    chains = {c.code: c for c in Chain.objects.prefetch_related("clusters__programme")}
    assert set(JINING_CHAINS) <= set(chains)
    for code in JINING_CHAINS:
        assert chains[code].region_id.startswith("3708")
        assert chains[code].source == Source.POLICY
        assert {c.programme.code for c in chains[code].clusters.all()} == {"JN-2020-231"}
        assert chains[code].local_rate_target == Decimal(50)
        assert "004" in chains[code].clause
    assert chains["JN-NJZB"].region_id == "370812"  # 兖州 农机
    assert {c.name for c in chains["JN-XNYQC-SD"].clusters.all()} == {"新能源产业集群", "高端装备产业集群"}
    provincial = chains["QD-GDJT"]
    assert provincial.region_id == "370200" and provincial.source == Source.DEMO
    assert {c.programme.code for c in provincial.clusters.all()} == {"SD-SEI-2020", "SD-2023-185"}


def test_the_engineering_machinery_chain_follows_the_texts_seven_stages():
    names = list(Segment.objects.filter(chain__code="JN-GCJX", parent=None).order_by("sort")
                 .values_list("name", flat=True))
    assert names == ["产品设计", "关键零部件生产", "系统集成", "整机装配", "产品营销(租赁)", "服务支持", "产品再制造"]
    parts = Segment.objects.get(chain__code="JN-GCJX", code="U2")
    assert set(parts.children.values_list("name", flat=True)) == {"发动机", "液压件", "齿轮", "桥箱"}
    assert Segment.objects.get(chain__code="JN-GCJX", code="U2.2").industry_codes == "3444"
    hydrogen = list(Segment.objects.filter(chain__code="JN-QN").order_by("sort").values_list("name", flat=True))
    assert [n for n in hydrogen if n in {"制氢", "纯化", "储运", "加氢站"}] == ["制氢", "纯化", "储运", "加氢站"]
    assert ChainRevision.objects.filter(chain__code="JN-GCJX").count() == Segment.objects.filter(
        chain__code="JN-GCJX").count()  # one structure version per segment added


def test_the_named_enterprises_sit_on_their_segments_with_their_roles():
    assert placed("JN-GCJX", "M2") == {"山推股份": MemberRole.CHAIN_LEADER, "山重建机": MemberRole.LEADER,
                                       "小松山推": MemberRole.LEADER}
    assert placed("JN-GCJX", "U2.2")["泰丰智能"] == MemberRole.LEADER
    assert placed("JN-NJZB", "M1")["金大丰机械"] == MemberRole.LEADER
    assert placed("JN-XNYQC-SD", "U1")["德朗能"] == MemberRole.CHAIN_LEADER
    assert placed("JN-QN", "U2")["荣信煤化"] == MemberRole.CHAIN_LEADER
    assert set(placed("JN-DSDBDT", "M1")) == {"晶导微电子", "芯诺电子"}
    assert "钢研稀土" in placed("JN-XT", "U1")
    assert "世纪阳光" in placed("JN-GDHG", "D2")
    leaders = dict(Chain.objects.filter(code__in=JINING_CHAINS).values_list("code", "chain_leader__name"))
    assert leaders["JN-GCJX"] == "山推股份" and leaders["JN-DSDBDT"] == "晶导微电子"
    # A registry enterprise is placed as itself, never duplicated as an outside company; local outside ones
    # the text names (中材大力, 嘉祥) carry their county.
    registry = set(Enterprise.objects.values_list("name", flat=True))
    assert not OutsideCompany.objects.filter(name__in=registry).exists()
    for spec in CHAINS:
        for seg in spec.segments:
            for place in seg.places:
                placement = Placement.objects.get(
                    segment__chain__code=spec.code, segment__code=seg.code,
                    **({"company__name": place.party} if place.party in OUTSIDE else {"enterprise__name": place.party}))
                assert (placement.role, placement.product) == (place.role, place.product)
    assert OutsideCompany.objects.get(name="中材大力").region_id == "370829"
    assert placed("JN-QN", "M1")["中材大力"] == MemberRole.SUPPORTING


def test_every_jining_chain_has_a_missing_a_weak_and_an_extension_segment():
    for code in JINING_CHAINS:
        verdicts = analyse_chain(Chain.objects.get(code=code)).segments
        assert any(v.rating == Rating.MISSING and v.need == Need.FILL for v in verdicts), code
        assert any(v.rating == Rating.WEAK for v in verdicts), code
        assert any(v.need == Need.EXTEND for v in verdicts), code


def test_the_promised_gaps_are_rated_as_documented():
    for code, gaps in PROMISED_GAPS.items():
        chain = Chain.objects.get(code=code)
        verdicts = analyse_chain(chain).by_code()
        extension = set(Segment.objects.filter(chain=chain, is_extension=True).values_list("code", flat=True))
        for segment in gaps["missing"]:
            assert (verdicts[segment].rating, verdicts[segment].need) == (Rating.MISSING, Need.FILL), (code, segment)
        for segment in gaps["weak"]:
            assert verdicts[segment].rating == Rating.WEAK, (code, segment)
        assert set(gaps["extension"]) <= extension, code
    documented = (Path(__file__).resolve().parents[3] / "docs" / "chains-demo.md").read_text(encoding="utf-8")
    for code, gaps in PROMISED_GAPS.items():
        for segment in (*gaps["missing"], *gaps["weak"], *gaps["extension"]):
            assert f"{code} {segment}" in documented, (code, segment)


def test_local_supporting_rates_are_plausible_every_year_and_one_chain_counts_suppliers():
    for spec in CHAINS:
        chain = Chain.objects.get(code=spec.code)
        trend = local_rate_trend(chain)
        assert [year for year, _rate, _basis in trend] == [2023, 2024, 2025], spec.code
        for year, rate, basis in trend:
            assert Decimal(30) <= rate <= Decimal(60), (spec.code, year, rate)
            assert basis == ("count" if spec.code == "JN-XT" else "amount"), (spec.code, year)
    assert not SupplyLink.objects.filter(segment__chain__code="JN-XT", amount__isnull=False).exists()
    assert not SupplyLink.objects.exclude(segment__chain__code="JN-XT").filter(amount__isnull=True).exists()
    assert set(SupplyLink.objects.values_list("source", flat=True)) == {Source.DEMO}
    # Some segments are supplied from outside only (发动机 of the engineering-machinery chain, 纯化 of hydrogen).
    for code, segment in (("JN-GCJX", "U2.1"), ("JN-QN", "U3")):
        verdict = analyse_chain(Chain.objects.get(code=code)).by_code()[segment]
        assert verdict.local_rate == Decimal("0.00") and verdict.inputs["仅靠外地供应"] == "是"


def test_the_demo_projects_are_linked_to_their_segments_and_one_is_producing():
    linked = {p.code: p for p in Project.objects.filter(chain_segment__isnull=False)
              .select_related("chain_segment__chain")}
    for project, chain, segment in PROJECT_LINKS:
        assert (linked[project].chain_segment.chain.code, linked[project].chain_segment.code) == (chain, segment)
    assert any(p.stage == Stage.PRODUCING for p in linked.values())
    producing = analyse_chain(Chain.objects.get(code="QD-GDJT")).by_code()["U2"]
    assert producing.inputs["已投产项目"].startswith("1（") and producing.rating == Rating.WEAK


def test_running_the_demo_again_adds_nothing():
    def counts():
        return [model.objects.count() for model in (Chain, Segment, ChainRevision, Placement, SupplyLink,
                                                    OutsideCompany, AuditEvent)]

    before = counts()
    links = dict(Project.objects.values_list("code", "chain_segment_id"))
    assert demo_chains_generate() == 0
    assert counts() == before
    assert dict(Project.objects.values_list("code", "chain_segment_id")) == links
