"""The 招引名录: entries only where the chain needs them, moves along the table, contacts, the stale edit, who
sees and who keeps them, and the closed loop gap → target → project → gap closed."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.chains.analysis import analyse_chain
from jiqun.chains.models import Chain, Prospect, ProspectEvent, ProspectStatus
from jiqun.chains.prospect_selectors import prospects_of
from jiqun.chains.prospect_services import (
    prospect_contact,
    prospect_create,
    prospect_move,
    prospect_sign,
    prospect_update,
)
from jiqun.chains.services import chain_create, placement_add, segment_add
from jiqun.core.stale import StaleEdit
from jiqun.enterprises.models import Enterprise, EnterpriseScale
from jiqun.projects.models import Project, Stage
from jiqun.projects.services import project_move_stage
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db

DAY = datetime.date.today() - datetime.timedelta(days=30)  # the services refuse a day ahead of today


@pytest.fixture
def cluster_org(db) -> User:
    return User.objects.get(username="jiqun_org")


@pytest.fixture
def chain(jining_officer, cluster_org) -> Chain:
    made = chain_create(actor=jining_officer, code="T-PROS", name="测试招引链", region=Region.objects.get(code="370800"),
                        clusters=[cluster_org.clusters.order_by("pk").first()])
    return made


@pytest.fixture
def missing(chain, jining_officer):
    """A segment nobody in Jining makes: rated 缺."""
    return segment_add(actor=jining_officer, chain=chain, code="U1", name="高端液压件", position="upstream")


@pytest.fixture
def strong(chain, jining_officer):
    """A segment with three local enterprises above scale: rated 强."""
    segment = segment_add(actor=jining_officer, chain=chain, code="M1", name="整机装配", position="midstream")
    local = list(Enterprise.objects.filter(region__code__startswith="3708").order_by("pk")[:3])
    year = analyse_chain(chain).year
    for enterprise in local:
        placement_add(actor=jining_officer, segment=segment, enterprise=enterprise)
        EnterpriseScale.objects.update_or_create(enterprise=enterprise, year=year, defaults={"above_scale": True})
    assert analyse_chain(chain).by_code()["M1"].rating == "strong"
    return segment


def _entry(actor, segment, name="江苏恒立液压股份有限公司") -> Prospect:
    return prospect_create(actor=actor, segment=segment, company_name=name, company_place="江苏省常州市",
                           reason="补齐高端液压件", priority="high", on=DAY)


def test_an_entry_on_a_missing_segment_starts_as_a_lead_with_its_event(missing, jining_officer):
    entry = _entry(jining_officer, missing)
    assert entry.status == ProspectStatus.LEAD
    assert entry.company.place == "江苏省常州市"
    assert list(entry.events.values_list("from_status", "to_status")) == [("", "lead")]
    assert AuditEvent.objects.filter(object_type="chains.prospect", object_id=str(entry.pk)).count() == 1


def test_a_strong_segment_is_refused_naming_its_rating_and_nothing_is_written(strong, jining_officer):
    with pytest.raises(ValidationError, match="评级为“强”"):
        _entry(jining_officer, strong)
    assert not Prospect.objects.filter(segment=strong).exists()


def test_a_strong_segment_marked_extension_may_have_entries(chain, jining_officer):
    extension = segment_add(actor=jining_officer, chain=chain, code="D9", name="再制造", position="downstream",
                            is_extension=True)
    assert _entry(jining_officer, extension).status == ProspectStatus.LEAD


def test_the_same_company_twice_on_one_segment_is_refused(missing, jining_officer):
    entry = _entry(jining_officer, missing)
    with pytest.raises(ValidationError, match="已在环节"):
        prospect_create(actor=jining_officer, segment=missing, company=entry.company)
    with pytest.raises(ValidationError, match="已在环节"):
        _entry(jining_officer, missing)  # the same name: the registered company, not a copy
    assert Prospect.objects.filter(segment=missing).count() == 1


def test_moves_follow_the_table_and_refuse_jumps(missing, jining_officer):
    entry = _entry(jining_officer, missing)
    with pytest.raises(ValidationError, match="不能转为“落地”"):
        prospect_move(actor=jining_officer, prospect=entry, to_status="landed", on=DAY, base_version=entry.version)
    with pytest.raises(ValidationError, match="不能转为“签约”"):
        prospect_sign(actor=jining_officer, prospect=entry, on=DAY, base_version=entry.version,
                      total_investment=Decimal(1000))
    with pytest.raises(ValidationError, match="未知的状态"):
        prospect_move(actor=jining_officer, prospect=entry, to_status="won", on=DAY, base_version=entry.version)
    entry = prospect_move(actor=jining_officer, prospect=entry, to_status="contact", on=DAY, note="首次拜访",
                          base_version=entry.version)
    with pytest.raises(ValidationError, match="签约须关联"):
        prospect_move(actor=jining_officer, prospect=entry, to_status="signed", on=DAY, base_version=entry.version)
    with pytest.raises(ValidationError, match="放弃须填写原因"):
        prospect_move(actor=jining_officer, prospect=entry, to_status="dropped", on=DAY, base_version=entry.version)
    entry = prospect_move(actor=jining_officer, prospect=entry, to_status="dropped", on=DAY, note="企业已在外地布局",
                          base_version=entry.version)
    with pytest.raises(ValidationError, match="可转为：无"):
        prospect_move(actor=jining_officer, prospect=entry, to_status="contact", on=DAY, base_version=entry.version)
    assert list(entry.events.values_list("to_status", flat=True)) == ["lead", "contact", "dropped"]
    assert entry.events.last().note == "企业已在外地布局"


def test_a_move_dated_in_the_future_or_before_the_last_event_is_refused(missing, jining_officer):
    entry = _entry(jining_officer, missing)
    with pytest.raises(ValidationError, match="晚于今天"):
        prospect_move(actor=jining_officer, prospect=entry, to_status="contact",
                      on=datetime.date.today() + datetime.timedelta(days=1), base_version=entry.version)
    with pytest.raises(ValidationError, match="早于该条目上一条记录"):
        prospect_move(actor=jining_officer, prospect=entry, to_status="contact", on=DAY - datetime.timedelta(days=1),
                      base_version=entry.version)
    entry.refresh_from_db()
    assert entry.status == ProspectStatus.LEAD and entry.events.count() == 1


def test_a_contact_is_an_event_that_keeps_the_status(missing, jining_officer):
    entry = _entry(jining_officer, missing)
    event = prospect_contact(actor=jining_officer, prospect=entry, on=DAY, way="visit", note="赴常州拜访总部")
    assert (event.from_status, event.to_status, event.way) == ("lead", "lead", "visit")
    with pytest.raises(ValidationError) as refused:
        prospect_contact(actor=jining_officer, prospect=entry, on=DAY, way="pigeon", note="")
    assert set(refused.value.message_dict) == {"way", "note"}
    entry.refresh_from_db()
    assert entry.version == 1 and entry.events.count() == 2


def test_a_stale_edit_is_refused_and_changes_nothing(missing, jining_officer, province_admin):
    entry = _entry(jining_officer, missing)
    prospect_update(actor=province_admin, prospect=entry, base_version=1, priority="low")
    with pytest.raises(StaleEdit, match="sheng"):
        prospect_update(actor=jining_officer, prospect=entry, base_version=1, reason="旧表单")
    with pytest.raises(StaleEdit):
        prospect_move(actor=jining_officer, prospect=entry, to_status="contact", on=DAY, base_version=1)
    entry.refresh_from_db()
    assert (entry.reason, entry.priority, entry.status) == ("补齐高端液压件", "low", "lead")


def test_another_city_sees_none_and_may_not_add(missing, jining_officer, jinan_officer):
    entry = _entry(jining_officer, missing)
    assert not Prospect.objects.for_user(jinan_officer).filter(pk=entry.pk).exists()
    assert prospects_of(missing, jinan_officer) == []
    with pytest.raises(PermissionDenied):
        _entry(jinan_officer, missing, name="外市想加的企业")


def test_the_organisation_of_the_chain_cluster_may_add(missing, cluster_org):
    entry = _entry(cluster_org, missing)
    assert Prospect.objects.for_user(cluster_org).filter(pk=entry.pk).exists()
    assert [p.pk for p in prospects_of(missing, cluster_org)] == [entry.pk]


def test_signing_an_existing_project_links_it_to_the_segment(missing, jining_officer):
    from jiqun.projects.services import project_create

    project = project_create(actor=jining_officer, name="已有液压项目", region=Region.objects.get(code="370811"),
                             investor_name="某公司", total_investment=Decimal(500), kind="investment")
    entry = _entry(jining_officer, missing)
    entry = prospect_move(actor=jining_officer, prospect=entry, to_status="contact", on=DAY, base_version=1)
    entry = prospect_sign(actor=jining_officer, prospect=entry, on=DAY, base_version=entry.version, project=project)
    project.refresh_from_db()
    assert entry.project == project and project.chain_segment == missing


def test_signing_in_a_county_outside_the_chain_region_is_refused(missing, jining_officer):
    entry = _entry(jining_officer, missing)
    entry = prospect_move(actor=jining_officer, prospect=entry, to_status="contact", on=DAY, base_version=1)
    with pytest.raises(ValidationError, match="牵头区划"):
        prospect_sign(actor=jining_officer, prospect=entry, on=DAY, base_version=entry.version,
                      total_investment=Decimal(1000), region=Region.objects.get(code="370102"))
    entry.refresh_from_db()
    assert entry.status == ProspectStatus.CONTACT and not Project.objects.filter(chain_segment=missing).exists()


def test_the_loop_from_a_missing_segment_to_a_producing_project_closes_the_gap(missing, jining_officer):
    assert analyse_chain(missing.chain).by_code()["U1"].rating == "missing"
    entry = _entry(jining_officer, missing)
    prospect_contact(actor=jining_officer, prospect=entry, on=DAY, way="meeting", note="推介会后洽谈")
    entry = prospect_move(actor=jining_officer, prospect=entry, to_status="contact", on=DAY, base_version=1)
    entry = prospect_sign(actor=jining_officer, prospect=entry, on=DAY, base_version=entry.version,
                          total_investment=Decimal(50000), region=Region.objects.get(code="370811"),
                          project_name="恒立液压济宁基地")
    project = entry.project
    assert (project.chain_segment, project.investor_name, project.signed_on) == (missing, "江苏恒立液压股份有限公司", DAY)
    assert project.region_id == "370811" and set(project.clusters.all()) == set(missing.chain.clusters.all())
    assert entry.status == ProspectStatus.SIGNED
    for stage in (Stage.RESERVE, Stage.STARTED):
        project_move_stage(actor=jining_officer, project=project, to_stage=stage, reached_on=DAY + datetime.timedelta(1))
    entry.refresh_from_db()
    assert entry.status == ProspectStatus.LANDED  # 开工 lands the entry
    assert entry.events.last().on == DAY + datetime.timedelta(1)
    assert analyse_chain(missing.chain).by_code()["U1"].rating == "missing"  # started, not producing yet
    for stage in (Stage.COMPLETED, Stage.PRODUCING):
        project_move_stage(actor=jining_officer, project=project, to_stage=stage, reached_on=DAY + datetime.timedelta(2))
    verdict = analyse_chain(missing.chain).by_code()["U1"]
    assert verdict.rating != "missing" and verdict.inputs["已投产项目"].startswith("1（")
    assert list(ProspectEvent.objects.filter(prospect=entry).values_list("to_status", flat=True)) == [
        "lead", "lead", "contact", "signed", "landed"]
    assert [p.pk for p in prospects_of(missing, jining_officer)] == [entry.pk]


def test_the_demo_signs_one_entry_to_a_demo_project_and_lands_another(jining_officer):
    from jiqun.chains.prospect_demo import demo_prospects_generate

    for code, segment_code, name in (("JN-GDHG", "D6", "电子化学品"), ("JN-QN", "M2", "氢燃料电池及关键零部件")):
        if not Chain.objects.filter(code=code).exists():  # the chain demo (jiqun.chains.demo) not loaded
            made = chain_create(actor=None, code=code, name=code, region=Region.objects.get(code="370800"))
            segment_add(actor=None, chain=made, code=segment_code, name=name, position="midstream")
    demo_prospects_generate()
    demo = Prospect.objects.filter(source="demo")
    signed = demo.get(segment__chain__code="JN-GDHG", segment__code="D6")
    assert (signed.status, signed.project.code) == (ProspectStatus.SIGNED, "370800-2025-0001")
    landed = demo.get(segment__chain__code="JN-QN", segment__code="M2")
    assert landed.status == ProspectStatus.LANDED and landed.project.stage == Stage.STARTED
    count = demo.count()
    demo_prospects_generate()  # a second load adds nothing
    assert Prospect.objects.filter(source="demo").count() == count
