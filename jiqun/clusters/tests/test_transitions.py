"""Tier, status and regions change only as the province decides (issue 9 part 2).

The first tests reproduce the attacks of the issue; the rest prove the transition tables, the proposals and
that every refusal names what and where and writes nothing.
"""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jiqun.accounts.models import User
from jiqun.accounts.services import user_assign_role
from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import Cluster, ClusterProposal, ClusterStatus, ProposalState, Tier, TierChange
from jiqun.clusters.services import (
    STATUS_MOVES,
    TIER_MOVES,
    cluster_change_regions,
    cluster_change_status,
    cluster_change_tier,
    cluster_proposal_approve,
    cluster_proposal_create,
    cluster_proposal_reject,
    cluster_update,
)
from jiqun.clusters.tests.factories import make_cluster
from jiqun.conftest import client_for, token_client
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db

FIVE_CITIES = ("370100", "370200", "370300", "370700", "370800")


def standing(cluster: Cluster) -> tuple[str, str, list[str]]:
    """A cluster's tier, status and region codes as stored."""
    fresh = Cluster.objects.get(pk=cluster.pk)
    return fresh.tier, fresh.status, sorted(fresh.regions.values_list("code", flat=True))


def writes(cluster: Cluster) -> tuple[int, int, int]:
    """How many audit entries, tier-history rows and proposals concern the cluster."""
    return (AuditEvent.objects.filter(object_type="clusters.cluster", object_id=str(cluster.pk)).count(),
            TierChange.objects.filter(cluster=cluster).count(), ClusterProposal.objects.filter(cluster=cluster).count())


def patch(client, cluster: Cluster, body: dict):
    """PATCH a cluster as based on its current version (stale edits are tested in enterprises/test_versions)."""
    body = {"version": Cluster.objects.get(pk=cluster.pk).version, **body}
    return client.patch(f"/api/v1/clusters/{cluster.pk}", json.dumps(body), content_type="application/json")


def edit_form_data(cluster: Cluster, **overrides) -> dict:
    """What the edit page posts back when nothing is changed, with the given fields changed."""
    data = {
        "version": Cluster.objects.get(pk=cluster.pk).version,
        "name": cluster.name, "kind": cluster.kind_id or "", "tier": cluster.tier, "status": cluster.status,
        "regions": [r.pk for r in cluster.regions.all()], "zones": [z.pk for z in cluster.zones.all()],
        "industry": cluster.industry, "industry_codes": cluster.industry_codes,
        "promotion_org": cluster.promotion_org, "chief": cluster.chief, "description": cluster.description,
        "basis": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def cluster_org(db) -> User:
    return User.objects.get(username="jiqun_org")


@pytest.fixture
def five_city_cluster(cluster_org) -> Cluster:
    """A cluster across five cities, promoted by the demo cluster organisation."""
    cluster = make_cluster(*FIVE_CITIES, name="五市集群")
    user_assign_role(actor=None, user=cluster_org, role=cluster_org.role, region=cluster_org.region,
                     clusters=[*cluster_org.clusters.all(), cluster])
    return cluster


# The attacks ----------------------------------------------------------------------------------

def test_it_refuses_a_city_officer_setting_tier_and_status_through_the_api(jinan_officer):
    cluster = make_cluster("370100")
    before, counts = standing(cluster), writes(cluster)
    response = patch(token_client(jinan_officer), cluster, {"tier": "world", "status": "recognised"})
    assert response.status_code == 403
    assert "层级、状态和所在区划由省级管理员决定" in response.json()["detail"]
    assert standing(cluster) == before and writes(cluster) == counts


def test_it_refuses_the_cluster_org_moving_its_five_city_cluster_into_one_city(cluster_org, five_city_cluster):
    before, counts = standing(five_city_cluster), writes(five_city_cluster)
    response = patch(token_client(cluster_org), five_city_cluster, {"regions": ["370800"]})
    assert response.status_code == 403 and "所在区划" in response.json()["detail"]
    page = client_for(cluster_org).post(f"/clusters/{five_city_cluster.pk}/edit/", edit_form_data(
        five_city_cluster, regions=[Region.objects.get(code="370800").pk]))
    assert page.status_code == 200
    assert "由省级管理员决定" in " ".join(page.context["form"].errors["regions"])
    assert standing(five_city_cluster) == before and writes(five_city_cluster) == counts


def test_it_refuses_any_editor_emptying_a_clusters_regions(jinan_officer, province_admin):
    cluster = make_cluster("370100")
    before, counts = standing(cluster), writes(cluster)
    response = patch(token_client(jinan_officer), cluster, {"regions": []})
    assert response.status_code == 403
    response = patch(token_client(province_admin), cluster, {"regions": [], "basis": "测试"})
    assert response.status_code == 400 and "至少保留一个所在区划" in response.json()["detail"]
    assert standing(cluster) == before and writes(cluster) == counts
    with pytest.raises(ValidationError) as info:
        cluster_change_regions(actor=province_admin, cluster=cluster, regions=[], basis="测试")
    assert "至少保留一个所在区划" in str(info.value.message_dict["regions"])
    assert standing(cluster) == before


def test_it_refuses_tier_and_status_on_the_edit_page_below_the_province(as_jinan):
    cluster = make_cluster("370100")
    before, counts = standing(cluster), writes(cluster)
    response = as_jinan.post(f"/clusters/{cluster.pk}/edit/", edit_form_data(
        cluster, tier="world", status="recognised", name="改名"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "由省级管理员决定" in errors["tier"][0] and "由省级管理员决定" in errors["status"][0]
    assert standing(cluster) == before and writes(cluster) == counts
    assert Cluster.objects.get(pk=cluster.pk).name != "改名"


def test_it_still_lets_a_city_officer_edit_the_profile(as_jinan):
    cluster = make_cluster("370100")
    response = as_jinan.post(f"/clusters/{cluster.pk}/edit/", edit_form_data(cluster, name="新名称"))
    assert response.status_code == 302
    assert Cluster.objects.get(pk=cluster.pk).name == "新名称"


def test_it_refuses_a_city_officer_creating_a_recognised_world_cluster(jinan_officer):
    from jiqun.programmes.models import Programme

    programme = Programme.objects.order_by("id").first()
    response = token_client(jinan_officer).post("/api/v1/clusters", json.dumps({
        "programme": programme.code, "code": "api-world", "name": "自封世界级", "regions": ["370100"],
        "tier": "world", "status": "recognised"}), content_type="application/json")
    assert response.status_code == 403 and "由省级管理员决定" in response.json()["detail"]
    page = client_for(jinan_officer).post("/clusters/new/", {
        "programme": programme.pk, "code": "x-world", "name": "自封世界级", "regions": [
            Region.objects.get(code="370100").pk], "tier": "world", "status": "recognised"})
    assert page.status_code == 200 and "由省级管理员决定" in page.context["form"].errors["tier"][0]
    assert not Cluster.objects.filter(name="自封世界级").exists()


def test_it_lets_a_city_officer_register_a_cultivated_cluster(jinan_officer):
    from jiqun.programmes.models import Programme

    response = token_client(jinan_officer).post("/api/v1/clusters", json.dumps({
        "programme": Programme.objects.order_by("id").first().code, "code": "api-new", "name": "新培育集群",
        "regions": ["370100"]}), content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "cultivating"


# The province's moves -----------------------------------------------------------------------------------

def test_the_province_moves_tier_with_a_basis_and_it_is_recorded(province_admin):
    cluster = make_cluster("370100")
    response = patch(token_client(province_admin), cluster, {"tier": "provincial", "basis": "鲁工信发〔2026〕1号"})
    assert response.status_code == 200 and response.json()["tier"] == "provincial"
    change = TierChange.objects.filter(cluster=cluster).last()
    assert (change.tier, change.basis, change.recorded_by) == ("provincial", "鲁工信发〔2026〕1号", "sheng")
    event = AuditEvent.objects.filter(object_type="clusters.cluster", object_id=str(cluster.pk)).first()
    assert event.before == {"tier": "", "version": 1} and event.after["tier"] == "provincial"


def test_it_refuses_a_move_without_a_basis(province_admin):
    cluster = make_cluster("370100")
    before, counts = standing(cluster), writes(cluster)
    response = patch(token_client(province_admin), cluster, {"tier": "provincial"})
    assert response.status_code == 400 and "须填写依据" in response.json()["detail"]
    assert standing(cluster) == before and writes(cluster) == counts


def test_it_refuses_a_status_move_the_table_does_not_allow(province_admin):
    cluster = make_cluster("370100")
    before, counts = standing(cluster), writes(cluster)
    response = patch(token_client(province_admin), cluster, {"status": "warned", "basis": "测试"})
    assert response.status_code == 400
    assert "状态不能从“培育”变为“预警”" in response.json()["detail"]
    assert standing(cluster) == before and writes(cluster) == counts


def test_every_tier_and_status_move_follows_its_table(province_admin):
    """Every pair (from, to) of both tables: allowed exactly when the table says so."""
    cluster = make_cluster("370100")
    tried = 0
    for field, values, table, service in (
        ("tier", [""] + Tier.values, TIER_MOVES, cluster_change_tier),
        ("status", ClusterStatus.values, STATUS_MOVES, cluster_change_status),
    ):
        for start in values:
            for target in values:
                Cluster.objects.filter(pk=cluster.pk).update(**{field: start})
                fresh = Cluster.objects.get(pk=cluster.pk)
                allowed = target in table[start]
                try:
                    with transaction.atomic():
                        service(actor=province_admin, cluster=fresh, basis="测试", **{field: target})
                except ValidationError as exc:
                    assert not allowed, (field, start, target)
                    assert field in exc.message_dict
                    assert getattr(Cluster.objects.get(pk=cluster.pk), field) == start
                else:
                    assert allowed, (field, start, target)
                    assert getattr(Cluster.objects.get(pk=cluster.pk), field) == target
                tried += 1
    assert tried == 5 * 5 + 4 * 4


@pytest.mark.parametrize("username", ["jinan", "jining", "rencheng", "jiqun_org", "qiye", "zhuanjia", "lingdao",
                                      "xitong", "anquan", "shenji"])
def test_it_refuses_every_move_to_everyone_below_the_province(username, five_city_cluster):
    user = User.objects.get(username=username)
    before, counts = standing(five_city_cluster), writes(five_city_cluster)
    for call in (
        lambda: cluster_change_tier(actor=user, cluster=five_city_cluster, tier="world", basis="x"),
        lambda: cluster_change_status(actor=user, cluster=five_city_cluster, status="recognised", basis="x"),
        lambda: cluster_change_regions(actor=user, cluster=five_city_cluster,
                                       regions=[Region.objects.get(code="370800")], basis="x"),
        lambda: cluster_update(actor=user, cluster=five_city_cluster, tier="national", basis="x"),
    ):
        with pytest.raises(PermissionDenied) as info:
            call()
        assert "由省级管理员决定" in str(info.value)
    assert standing(five_city_cluster) == before and writes(five_city_cluster) == counts


# Proposals ----------------------------------------------------------------------------------------------

def test_a_city_officer_proposes_and_the_province_approves(as_jinan, as_province):
    cluster = make_cluster("370100")
    response = as_jinan.post(f"/clusters/{cluster.pk}/propose/", {
        "tier": "provincial", "status": "recognised", "reason": "已通过省级评审"})
    assert response.status_code == 302
    proposal = ClusterProposal.objects.get(cluster=cluster)
    assert proposal.state == ProposalState.PENDING and proposal.proposer_name == "jinan"
    assert standing(cluster)[:2] == ("", "cultivating")
    assert "已通过省级评审" in as_province.get("/clusters/proposals/").content.decode()
    response = as_province.post(f"/clusters/proposals/{proposal.pk}/approve/", {"note": "同意"})
    assert response.status_code == 302
    assert standing(cluster)[:2] == ("provincial", "recognised")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decided_by, proposal.decision_note) == ("approved", "sheng", "同意")
    assert f"变更申请 #{proposal.pk}" in TierChange.objects.filter(cluster=cluster).last().basis


def test_the_cluster_org_proposes_new_regions_and_the_province_rejects(cluster_org, five_city_cluster,
                                                                       province_admin):
    proposal = cluster_proposal_create(actor=cluster_org, cluster=five_city_cluster, reason="集中到济宁",
                                       regions=[Region.objects.get(code="370800")])
    with pytest.raises(ValidationError) as info:
        cluster_proposal_reject(actor=province_admin, proposal=proposal, note=" ")
    assert "驳回须填写理由" in str(info.value)
    cluster_proposal_reject(actor=province_admin, proposal=proposal, note="五市协同，不宜集中")
    assert standing(five_city_cluster)[2] == sorted(FIVE_CITIES)
    with pytest.raises(ValidationError) as info:
        cluster_proposal_approve(actor=province_admin, proposal=proposal)
    assert "已驳回" in str(info.value)
    assert standing(five_city_cluster)[2] == sorted(FIVE_CITIES)


def test_it_refuses_a_city_officer_deciding_a_proposal(jinan_officer, as_jinan):
    cluster = make_cluster("370100")
    proposal = cluster_proposal_create(actor=jinan_officer, cluster=cluster, reason="理由", tier="world")
    response = as_jinan.post(f"/clusters/proposals/{proposal.pk}/approve/", {"note": ""}, follow=True)
    assert "由省级管理员决定" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PENDING and standing(cluster)[0] == ""


def test_it_refuses_a_proposal_without_reason_or_change(jinan_officer, as_jinan):
    cluster = make_cluster("370100")
    response = as_jinan.post(f"/clusters/{cluster.pk}/propose/", {"tier": "", "status": "", "reason": "理由"})
    assert response.status_code == 200 and "未提出任何变更" in str(response.context["form"].non_field_errors())
    response = as_jinan.post(f"/clusters/{cluster.pk}/propose/", {"status": "warned", "reason": "理由"})
    assert "状态不能从“培育”变为“预警”" in response.context["form"].errors["status"][0]
    response = as_jinan.post(f"/clusters/{cluster.pk}/propose/", {"tier": "world", "reason": ""})
    assert "reason" in response.context["form"].errors
    assert not ClusterProposal.objects.filter(cluster=cluster).exists()


def test_it_refuses_a_proposal_from_someone_who_does_not_keep_the_cluster(jining_officer, province_admin):
    cluster = make_cluster("370100", "370800")
    for user in (jining_officer, province_admin, User.objects.get(username="lingdao")):
        with pytest.raises(PermissionDenied) as info:
            cluster_proposal_create(actor=user, cluster=cluster, reason="理由", tier="world")
        assert "无权为该集群提交变更申请" in str(info.value)
    assert not ClusterProposal.objects.filter(cluster=cluster).exists()


def test_the_cluster_org_proposes_through_the_api(cluster_org, five_city_cluster):
    client = token_client(cluster_org)
    url = f"/api/v1/clusters/{five_city_cluster.pk}/proposals"
    response = client.post(url, json.dumps({"reason": "集中到济宁", "regions": ["370800", "379999"]}),
                           content_type="application/json")
    assert response.status_code == 400 and "379999" in response.json()["detail"]
    response = client.post(url, json.dumps({"reason": "升级", "tier": "galactic"}), content_type="application/json")
    assert response.status_code == 400 and "galactic" in response.json()["detail"]
    assert not ClusterProposal.objects.filter(cluster=five_city_cluster).exists()
    response = client.post(url, json.dumps({"reason": "集中到济宁", "regions": ["370800"]}),
                           content_type="application/json")
    assert response.status_code == 201
    assert response.json()["regions"] == ["370800"] and response.json()["state"] == "pending"
    assert standing(five_city_cluster)[2] == sorted(FIVE_CITIES)


def test_it_refuses_a_proposal_through_the_api_from_the_province(province_admin):
    cluster = make_cluster("370100")
    response = token_client(province_admin).post(f"/api/v1/clusters/{cluster.pk}/proposals", json.dumps(
        {"reason": "x", "tier": "world"}), content_type="application/json")
    assert response.status_code == 403 and "无权为该集群提交变更申请" in response.json()["detail"]


def test_the_province_changes_tier_on_the_edit_page_only_with_a_basis(as_province, as_jinan):
    cluster = make_cluster("370100")
    counts = writes(cluster)
    response = as_province.post(f"/clusters/{cluster.pk}/edit/", edit_form_data(cluster, tier="national"))
    assert response.status_code == 200 and "须填写依据" in response.context["form"].errors["basis"][0]
    assert standing(cluster)[0] == "" and writes(cluster) == counts
    response = as_province.post(f"/clusters/{cluster.pk}/edit/", edit_form_data(
        cluster, tier="national", basis="工信部公告"))
    assert response.status_code == 302 and standing(cluster)[0] == "national"
    assert as_jinan.get("/clusters/proposals/").status_code == 200
