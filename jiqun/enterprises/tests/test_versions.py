"""No registry edit is lost: cluster and enterprise edits carry the version they were based on (form hidden field,
API PATCH body), and a stale one is refused naming who changed what since, overwriting nothing."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import Cluster
from jiqun.clusters.services import cluster_update
from jiqun.clusters.tests.factories import make_cluster, make_enterprise
from jiqun.conftest import client_for, token_client
from jiqun.core.stale import StaleEdit
from jiqun.enterprises.models import Enterprise
from jiqun.enterprises.services import enterprise_update

pytestmark = pytest.mark.django_db

WHEN = r"\d{4}-\d\d-\d\d \d\d:\d\d"


def cluster_row(cluster) -> tuple:
    """A cluster as stored, with its history and the audit log: what a refused edit must leave as it was."""
    row = Cluster.objects.filter(pk=cluster.pk).values().get()
    return row, cluster.history.count(), AuditEvent.objects.exclude(action="denied").count()


def enterprise_row(enterprise) -> tuple:
    row = Enterprise.objects.filter(pk=enterprise.pk).values().get()
    return row, enterprise.history.count(), AuditEvent.objects.exclude(action="denied").count()


def hidden_version(client: Client, url: str) -> str:
    """The version the edit page carries in its hidden field."""
    return re.search(r'name="version" value="(\d+)"', client.get(url).content.decode()).group(1)


def cluster_form(cluster, version: str, **changes) -> dict:
    data = {"name": cluster.name, "kind": "", "tier": cluster.tier, "status": cluster.status,
            "regions": [r.code for r in cluster.regions.all()], "industry": cluster.industry,
            "industry_codes": cluster.industry_codes, "promotion_org": cluster.promotion_org, "chief": cluster.chief,
            "description": cluster.description, "basis": "", "version": version}
    return {**data, **changes}


def enterprise_form(enterprise, version: str, **changes) -> dict:
    data = {"name": enterprise.name, "full_name": enterprise.full_name, "credit_code": "",
            "region": enterprise.region_id, "zone": "", "industry_code": enterprise.industry_code, "version": version}
    return {**data, **changes}


def test_it_refuses_the_stale_cluster_form_of_a_second_session(jining_officer, province_admin):
    cluster = make_cluster("370811", name="任城版本集群")
    first, second = client_for(jining_officer), client_for(province_admin)
    url = f"/clusters/{cluster.pk}/edit/"
    version_of_first, version_of_second = hidden_version(first, url), hidden_version(second, url)
    assert version_of_first == version_of_second == "1"

    first.post(url, cluster_form(cluster, version_of_first, name="任城高端装备集群"))
    assert Cluster.objects.get(pk=cluster.pk).name == "任城高端装备集群"
    before = cluster_row(cluster)
    page = second.post(url, cluster_form(cluster, version_of_second, industry="高端装备")).content.decode()
    assert re.search(f"该集群已于 {WHEN} 由 jining 修改（名称），请刷新后重新填写；您的修改未保存。", page)
    assert cluster_row(cluster) == before
    stored = Cluster.objects.get(pk=cluster.pk)
    assert stored.name == "任城高端装备集群" and stored.industry == "" and stored.version == 2


def test_a_cluster_form_based_on_the_latest_version_goes_through(jining_officer):
    cluster = make_cluster("370811", name="任城版本集群")
    client, url = client_for(jining_officer), f"/clusters/{cluster.pk}/edit/"
    client.post(url, cluster_form(cluster, hidden_version(client, url), name="第二版"))
    cluster.refresh_from_db()
    client.post(url, cluster_form(cluster, hidden_version(client, url), industry="高端装备"))
    stored = Cluster.objects.get(pk=cluster.pk)
    assert (stored.name, stored.industry, stored.version) == ("第二版", "高端装备", 3)


@pytest.mark.parametrize("version", [None, "", "abc", "0"])
def test_it_refuses_a_cluster_form_without_a_valid_version(as_jining, version):
    cluster = make_cluster("370811", name="任城版本集群")
    data = cluster_form(cluster, version, name="无版本改名")
    if version is None:
        del data["version"]
    before = cluster_row(cluster)
    page = as_jining.post(f"/clusters/{cluster.pk}/edit/", data).content.decode()
    assert "修改集群须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。" in page
    assert cluster_row(cluster) == before


def test_it_refuses_a_stale_cluster_patch_with_412(jining_officer, province_admin):
    cluster = make_cluster("370811", name="任城版本集群")
    first, second = token_client(jining_officer), token_client(province_admin)
    url = f"/api/v1/clusters/{cluster.pk}"
    read = second.get(url).json()
    assert read["version"] == 1
    response = first.patch(url, {"chief": "张三", "promotion_org": "任城促进会", "version": 1},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["version"] == 2
    before = cluster_row(cluster)
    response = second.patch(url, {"chief": "李四", "version": read["version"]}, content_type="application/json")
    assert response.status_code == 412
    assert re.search(f"该集群已于 {WHEN} 由 jining 修改（集群促进机构、群长|群长、集群促进机构），请刷新后重新填写；您的修改未保存。",
                     response.json()["detail"])
    assert cluster_row(cluster) == before and Cluster.objects.get(pk=cluster.pk).chief == "张三"


@pytest.mark.parametrize("body", [{"chief": "李四"}, {"chief": "李四", "version": None}])
def test_it_refuses_a_cluster_patch_without_its_version(jining_officer, body):
    cluster, client = make_cluster("370811", name="任城版本集群"), token_client(jining_officer)
    before = cluster_row(cluster)
    response = client.patch(f"/api/v1/clusters/{cluster.pk}", body, content_type="application/json")
    assert response.status_code == 400 and "修改集群须带上所依据的版本号" in response.json()["detail"]
    assert cluster_row(cluster) == before


@pytest.mark.parametrize("version", [0, -1, "一"])
def test_it_refuses_a_cluster_patch_with_a_malformed_version_naming_the_field(jining_officer, version):
    cluster, client = make_cluster("370811", name="任城版本集群"), token_client(jining_officer)
    before = cluster_row(cluster)
    response = client.patch(f"/api/v1/clusters/{cluster.pk}", json.dumps({"chief": "李四", "version": version}),
                            content_type="application/json")
    assert response.status_code == 422 and "version" in response.json()["detail"]
    assert cluster_row(cluster) == before


def test_the_cluster_version_rises_only_when_something_changes(province_admin):
    cluster = make_cluster("370811", name="任城版本集群")
    cluster_update(actor=province_admin, cluster=cluster, name="任城版本集群", base_version=1)
    assert Cluster.objects.get(pk=cluster.pk).version == 1
    cluster_update(actor=province_admin, cluster=cluster, name="新名", base_version=1)
    assert Cluster.objects.get(pk=cluster.pk).version == 2
    with pytest.raises(StaleEdit, match="由 sheng 修改（名称）"):
        cluster_update(actor=province_admin, cluster=Cluster.objects.get(pk=cluster.pk), chief="王五", base_version=1)
    assert Cluster.objects.get(pk=cluster.pk).chief == ""


def test_it_refuses_the_stale_enterprise_form_of_a_second_session(jining_officer, province_admin):
    enterprise = make_enterprise("370811", name="任城版本企业")
    first, second = client_for(jining_officer), client_for(province_admin)
    url = f"/enterprises/{enterprise.pk}/edit/"
    version_of_first, version_of_second = hidden_version(first, url), hidden_version(second, url)
    first.post(url, enterprise_form(enterprise, version_of_first, full_name="任城版本企业有限公司"))
    assert Enterprise.objects.get(pk=enterprise.pk).full_name == "任城版本企业有限公司"
    before = enterprise_row(enterprise)
    page = second.post(url, enterprise_form(enterprise, version_of_second, industry_code="C38")).content.decode()
    assert re.search(f"该企业已于 {WHEN} 由 jining 修改（全称），请刷新后重新填写；您的修改未保存。", page)
    assert enterprise_row(enterprise) == before
    stored = Enterprise.objects.get(pk=enterprise.pk)
    assert (stored.full_name, stored.industry_code, stored.version) == ("任城版本企业有限公司", "", 2)


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_it_refuses_an_enterprise_form_without_a_valid_version(as_jining, version):
    enterprise = make_enterprise("370811", name="任城版本企业")
    data = enterprise_form(enterprise, version, name="无版本改名")
    if version is None:
        del data["version"]
    before = enterprise_row(enterprise)
    page = as_jining.post(f"/enterprises/{enterprise.pk}/edit/", data).content.decode()
    assert "修改企业须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。" in page
    assert enterprise_row(enterprise) == before


def test_it_refuses_a_stale_enterprise_patch_with_412(jining_officer, province_admin):
    enterprise = make_enterprise("370811", name="任城版本企业")
    first, second = token_client(jining_officer), token_client(province_admin)
    url = f"/api/v1/enterprises/{enterprise.pk}"
    read = second.get(url).json()
    response = first.patch(url, {"name": "任城新名企业", "version": read["version"]}, content_type="application/json")
    assert response.status_code == 200 and response.json()["version"] == 2
    before = enterprise_row(enterprise)
    response = second.patch(url, {"industry_code": "C38", "version": read["version"]},
                            content_type="application/json")
    assert response.status_code == 412
    assert re.search(f"该企业已于 {WHEN} 由 jining 修改（名称），请刷新后重新填写；您的修改未保存。",
                     response.json()["detail"])
    assert enterprise_row(enterprise) == before


def test_it_refuses_an_enterprise_patch_without_its_version(jining_officer):
    enterprise, client = make_enterprise("370811", name="任城版本企业"), token_client(jining_officer)
    before = enterprise_row(enterprise)
    response = client.patch(f"/api/v1/enterprises/{enterprise.pk}", {"name": "改"}, content_type="application/json")
    assert response.status_code == 400 and "修改企业须带上所依据的版本号" in response.json()["detail"]
    assert enterprise_row(enterprise) == before


def test_the_enterprise_stale_refusal_names_every_author_and_field_since(jining_officer, province_admin):
    enterprise = make_enterprise("370811", name="任城版本企业")
    enterprise_update(actor=jining_officer, enterprise=enterprise, name="甲", base_version=1)
    enterprise_update(actor=province_admin, enterprise=Enterprise.objects.get(pk=enterprise.pk),
                      industry_code="C38", base_version=2)
    before = enterprise_row(enterprise)
    with pytest.raises(ValidationError) as refused:
        enterprise_update(actor=jining_officer, enterprise=Enterprise.objects.get(pk=enterprise.pk), full_name="乙",
                          base_version=1)
    assert "由 jining、sheng 修改（名称、行业代码）" in refused.value.messages[0]
    assert enterprise_row(enterprise) == before
