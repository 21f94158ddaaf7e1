"""The 链长 persona and the “九个一” checklist on the chain record.

A chain of Jining's 高端装备 cluster led by the demo 链长 (lianzhang): a missing segment (关键零部件), a weak one
(整机装配, one local enterprise buying from outside), a project on the missing segment late to start, a 招引名录
entry, and a 九个一 sheet of 任城区 with one item in place.
"""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError

from jiqun.accounts.models import Role, User
from jiqun.accounts.services import user_create
from jiqun.chains.chief_demo import demo_chain, demo_chief_generate
from jiqun.chains.chief_selectors import chief_candidates, chief_view
from jiqun.chains.models import Chain, Prospect, SupplyLink
from jiqun.chains.services import (
    chain_create,
    chain_update,
    outside_company_create,
    placement_add,
    segment_add,
    supply_link_add,
)
from jiqun.clusters.models import Cluster
from jiqun.conftest import PASSWORD, client_for
from jiqun.core.stale import StaleEdit
from jiqun.enterprises.models import Enterprise
from jiqun.programmes.models import Programme
from jiqun.projects.models import Project
from jiqun.projects.tests.fixtures import make_project
from jiqun.regions.models import Region
from jiqun.targets.models import ChainChecklist
from jiqun.targets.services import checklist_chain_set, checklist_create, checklist_evidence_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(db) -> User:
    return User.objects.get(username="lianzhang")


@pytest.fixture
def cluster(db) -> Cluster:
    return Cluster.objects.get(programme__code="JN-2020-231", code="high-end-equipment")


@pytest.fixture
def chain(jining_officer, chief, cluster) -> Chain:
    chain = chain_create(actor=jining_officer, code="T-GCJX", name="测试工程机械链", clusters=[cluster],
                         region=Region.objects.get(code="370800"), chief=chief, chief_name="测试链长",
                         local_rate_target=Decimal("50"))
    parts = segment_add(actor=jining_officer, chain=chain, code="U1", name="测试关键零部件", position="upstream")
    assembly = segment_add(actor=jining_officer, chain=chain, code="M1", name="测试整机装配", position="midstream")
    local = Enterprise.objects.filter(region__code__startswith="3708").order_by("pk").first()
    outside = outside_company_create(actor=jining_officer, name="江苏某测试液压公司", place="江苏省常州市")
    placement_add(actor=jining_officer, segment=assembly, enterprise=local, product="挖掘机")
    supply_link_add(actor=jining_officer, segment=assembly, year=2025, buyer=local, supplier_company=outside,
                    amount=Decimal("100"))
    # The 招引名录's services and the project's segment field belong to other modules' work (not in this one).
    Prospect.objects.create(segment=parts, company=outside, reason="补链", status="contact")
    project = make_project(name="测试液压件项目", yi="2", region="370811", clusters=[cluster],
                           planned_start_on=datetime.date(2024, 3, 1))
    Project.objects.filter(pk=project.pk).update(chain_segment=parts)
    return chain


@pytest.fixture
def sheet(jining_officer, chain, cluster) -> ChainChecklist:
    sheet = checklist_create(actor=jining_officer, programme=cluster.programme, checklist_code="nine-ones",
                             cluster=cluster, chain=chain, region=Region.objects.get(code="370811"))
    checklist_evidence_set(actor=jining_officer, sheet=sheet, item_code="1", done=True, evidence="链长任命文件")
    return sheet


def _leader(username: str, region: str) -> User:
    return user_create(actor=None, username=username, password=PASSWORD, role=Role.LEADER,
                       region=Region.objects.get(code=region), full_name=f"{username}（测试）")


# --- the checklist on the chain record ---------------------------------------------------------------

def test_a_sheet_is_opened_on_a_chain_serving_its_cluster_and_takes_the_chains_chief(sheet, chain):
    assert sheet.chain_record == chain and sheet.chain == chain.name and sheet.chief == "测试链长"
    assert list(chain.checklists.all()) == [sheet]


def test_a_chain_not_serving_the_cluster_or_out_of_scope_is_refused_and_nothing_is_made(
        jining_officer, jinan_officer, chain, cluster):
    other = Cluster.objects.get(programme=cluster.programme, code="pharma")
    before = ChainChecklist.objects.count()
    with pytest.raises(ValidationError, match="“测试工程机械链”不服务于集群“医药产业集群”"):
        checklist_create(actor=jining_officer, programme=cluster.programme, checklist_code="nine-ones",
                         cluster=other, chain=chain, region=Region.objects.get(code="370811"))
    with pytest.raises(ValidationError, match=f"产业链（编号 {chain.pk}）不存在或不在您的范围内"):
        checklist_create(actor=jinan_officer, programme=cluster.programme, checklist_code="nine-ones",
                         cluster=cluster, chain=chain, region=Region.objects.get(code="370102"))
    with pytest.raises(ValidationError, match="“只有链名”：请选择产业链登记中服务于该集群的产业链"):
        checklist_create(actor=jining_officer, programme=cluster.programme, checklist_code="nine-ones",
                         cluster=cluster, chain=None, chain_name="只有链名", region=Region.objects.get(code="370811"))
    assert ChainChecklist.objects.count() == before


def test_the_migration_links_an_old_sheet_by_name_and_cluster_and_leaves_the_others(chain, cluster):
    programme, region = cluster.programme, Region.objects.get(code="370811")
    old = checklist_create(actor=None, programme=programme, checklist_code="nine-ones", cluster=cluster, chain=None,
                           chain_name="测试工程机械产业链", region=region)
    unknown = checklist_create(actor=None, programme=programme, checklist_code="nine-ones", cluster=cluster,
                               chain=None, chain_name="测试无此链", region=region)
    assert old.chain_record is None and old.chain_name == "测试工程机械产业链"
    migration = importlib.import_module("jiqun.targets.migrations.0002_chainchecklist_chain_record")
    migration.link_sheets_to_chains(apps, None)
    old.refresh_from_db()
    unknown.refresh_from_db()
    assert old.chain_record == chain and old.chain == "测试工程机械产业链"  # the written name is kept
    assert unknown.chain_record is None and unknown.chain_name == "测试无此链"


def test_linking_a_sheet_carries_its_version_and_is_scoped(jining_officer, jinan_officer, chain, cluster):
    old = checklist_create(actor=None, programme=cluster.programme, checklist_code="nine-ones", cluster=cluster,
                           chain=None, chain_name="测试旧链名", region=Region.objects.get(code="370811"))
    with pytest.raises(ValidationError, match="版本号"):
        checklist_chain_set(actor=jining_officer, sheet=old, chain=chain, base_version=None)
    with pytest.raises(PermissionDenied):
        checklist_chain_set(actor=jinan_officer, sheet=old, chain=chain, base_version=old.version)
    page = client_for(jining_officer)
    response = page.post(f"/targets/checklists/{old.pk}/", {"action": "link", "chain": chain.pk,
                                                             "base_version": old.version})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.chain_record == chain and old.version == 2
    with pytest.raises(StaleEdit):
        checklist_chain_set(actor=jining_officer, sheet=old, chain=chain, base_version=1)
    shown = page.get(f"/targets/checklists/{old.pk}/").content.decode()
    assert "测试工程机械链" in shown and "T-GCJX" in shown and "测试链长" in shown


def test_the_checklist_page_opens_a_sheet_on_a_chain_and_names_a_bad_choice(jining_officer, chain, cluster):
    page = client_for(jining_officer)
    form = page.get("/targets/checklists/").content.decode()
    assert f'<option value="{chain.pk}">测试工程机械链（济宁市）</option>' in form
    bad = page.post("/targets/checklists/", {"programme": "JN-2020-231", "cluster": cluster.pk, "chain": "999999",
                                             "region": "370811"}).content.decode()
    assert "所选产业链不存在或不在您的范围内" in bad and not chain.checklists.exists()
    made = page.post("/targets/checklists/", {"programme": "JN-2020-231", "cluster": cluster.pk, "chain": chain.pk,
                                              "region": "370811"})
    assert made.status_code == 302 and chain.checklists.get().region_id == "370811"


# --- the 链长 persona -----------------------------------------------------------------------------------

def test_the_chief_reads_its_chains_gaps_prospects_projects_targets_sheet_and_tasks(chief, chain, sheet):
    view = chief_view(chief, chain, as_of=datetime.date(2026, 6, 30))
    assert [(v.code, v.rating, v.need) for v in view.gaps] == [("U1", "missing", "fill"), ("M1", "weak", "strengthen")]
    assert dict((s, n) for s, _, n in view.prospects)["contact"] == 1
    assert [p.name for p in view.projects] == ["测试液压件项目"] and view.overdue_projects == 1
    assert {r.target.code for r in view.target_rows} >= {"T11", "T12", "T13", "T14"}
    assert view.analysis.local_rate == Decimal("0.00") and view.local_rate_gap == Decimal("50.00")
    assert [(line.sheet, line.done, line.total) for line in view.sheets] == [(sheet, 1, 9)]
    assert view.sees_supply_links and view.tasks  # the tasks of JN-2020-231

    page = client_for(chief).get("/chains/chief/").content.decode()
    for text in ("我的产业链", "测试工程机械链", "测试关键零部件", "测试整机装配", "补链", "强链", "测试液压件项目",
                 "高端装备产业集群规模以上企业数", "11%", "距目标还差 50.00 个百分点"):
        assert text in page, text


def test_the_chief_sees_the_supply_links_but_changes_nothing(chief, chain):
    links = SupplyLink.objects.for_user(chief).filter(segment__chain=chain)
    assert links.count() == 1
    segment = chain.segments.get(code="M1")
    with pytest.raises(PermissionDenied):
        supply_link_add(actor=chief, segment=segment, year=2025, buyer=links[0].buyer,
                        supplier_company=links[0].supplier_company, amount=Decimal("1"))
    with pytest.raises(PermissionDenied):
        chain_update(actor=chief, chain=chain, base_version=chain.version, local_rate_target=Decimal("10"))
    with pytest.raises(PermissionDenied):
        segment_add(actor=chief, chain=chain, code="D1", name="测试服务", position="downstream")
    client = client_for(chief)
    assert client.post("/chains/chief/").status_code == 405
    assert client.post(f"/chains/chief/{chain.pk}/").status_code == 405
    chain.refresh_from_db()
    assert chain.local_rate_target == Decimal("50") and links.count() == 1


def test_another_leader_sees_only_the_chains_its_region_covers(chain):
    jinan_leader = _leader("test_jinan_leader", "370100")
    elsewhere = client_for(jinan_leader)
    home = elsewhere.get("/chains/chief/").content.decode()
    assert "测试工程机械链" not in home and "您尚未被设为任何产业链的链长" in home
    assert elsewhere.get(f"/chains/chief/{chain.pk}/").status_code == 404
    province_leader = client_for(User.objects.get(username="lingdao"))
    assert "测试工程机械链" not in province_leader.get("/chains/chief/").content.decode()
    assert "测试液压件项目" in province_leader.get(f"/chains/chief/{chain.pk}/").content.decode()


def test_the_province_sets_a_leader_as_chief_and_nobody_else(province_admin, jining_officer, chain):
    assert set(chief_candidates().values_list("role", flat=True)) == {Role.LEADER}
    other = _leader("test_new_chief", "370800")
    chain = chain_update(actor=province_admin, chain=chain, base_version=chain.version, chief=other)
    assert chain.chief == other
    with pytest.raises(ValidationError, match="链长账号须为"):
        chain_update(actor=province_admin, chain=chain, base_version=chain.version, chief=jining_officer)
    chain.refresh_from_db()
    assert chain.chief == other


def test_the_chief_pages_render_in_english(chief, chain, sheet):
    client = client_for(chief)
    client.cookies["django_language"] = "en"
    for url in ("/chains/chief/", f"/chains/chief/{chain.pk}/", f"/targets/checklists/{sheet.pk}/"):
        response = client.get(url)
        assert response.status_code == 200 and 'lang="en"' in response.content.decode()


def test_the_demo_chief_leads_the_demo_engineering_machinery_chain(jining_officer, chief):
    if demo_chain() is None:  # the chain demo is not loaded: make its chain as it names it
        cluster = Cluster.objects.get(programme__code="JN-2020-231", code="high-end-equipment")
        chain_create(actor=jining_officer, code="T-DEMO-GCJX", name="工程机械", clusters=[cluster],
                     region=Region.objects.get(code="370800"))
        assert demo_chief_generate() == 2
    chain = demo_chain()
    assert chain.chief == chief
    sheet = ChainChecklist.objects.get(chain="工程机械产业链", programme=Programme.objects.get(code="JN-2020-231"))
    assert sheet.chain_record == chain
    assert "工程机械" in client_for(chief).get("/chains/chief/").content.decode()
