import json

import pytest
from django.test import Client

from jiqun.clusters.tests.factories import make_cluster, make_enterprise
from jiqun.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db







def test_openapi_document_is_served(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert "/api/v1/clusters" in doc["paths"] and "/api/v1/enterprises/{enterprise_id}" in doc["paths"]


def test_it_requires_a_token(client):
    assert client.get("/api/v1/clusters").status_code == 401
    bad = Client(headers={"Authorization": "Bearer jq_nope"})
    assert bad.get("/api/v1/clusters").status_code == 401


def test_cluster_list_and_detail_follow_scope(api_jinan, api_jining, api_province):
    jinan = make_cluster("370100", name="接口济南集群")
    jining = make_cluster("370800", name="接口济宁集群")
    names = {c["name"] for c in api_jinan.get("/api/v1/clusters?q=接口&limit=500").json()["items"]}
    assert names == {"接口济南集群"}
    assert api_jinan.get(f"/api/v1/clusters/{jining.pk}").status_code == 404
    assert api_jining.get(f"/api/v1/clusters/{jining.pk}").json()["regions"] == ["370800"]
    assert api_province.get(f"/api/v1/clusters/{jinan.pk}").status_code == 200


def test_enterprise_detail_out_of_scope_is_404(api_jinan):
    enterprise = make_enterprise("370811")
    assert api_jinan.get(f"/api/v1/enterprises/{enterprise.pk}").status_code == 404
    assert api_jinan.patch(f"/api/v1/enterprises/{enterprise.pk}", {"name": "x"},
                           content_type="application/json").status_code == 404


def test_create_enterprise_with_bad_credit_code_names_the_character(api_jining):
    response = api_jining.post("/api/v1/enterprises", json.dumps(
        {"name": "接口企业", "region": "370811", "credit_code": "91110000600037341M"}), content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "credit_code" in body["errors"] and "第18位" in body["detail"]
    assert not Enterprise.objects.filter(name="接口企业").exists()


def test_create_enterprise_in_another_city_is_refused(api_jining):
    response = api_jining.post("/api/v1/enterprises", json.dumps({"name": "越界企业", "region": "370102"}),
                               content_type="application/json")
    assert response.status_code == 400 and "370102" in response.json()["detail"]
    assert not Enterprise.objects.filter(name="越界企业").exists()


def test_create_and_patch_enterprise(api_jining):
    response = api_jining.post("/api/v1/enterprises", json.dumps(
        {"name": "接口新企业", "region": "370811", "credit_code": "91110000600037341L"}), content_type="application/json")
    assert response.status_code == 201
    pk = response.json()["id"]
    response = api_jining.patch(f"/api/v1/enterprises/{pk}", {"full_name": "接口新企业有限公司", "version": 1},
                                content_type="application/json")
    assert response.status_code == 200 and response.json()["full_name"] == "接口新企业有限公司"


def test_wrong_type_gets_a_422_naming_the_field(api_jining):
    response = api_jining.post("/api/v1/enterprises", json.dumps({"name": "x", "region": "370811", "zone": "abc"}),
                               content_type="application/json")
    assert response.status_code == 422 and "zone" in response.json()["detail"]


def test_cross_city_cluster_patch_is_forbidden_for_a_city(api_jinan, api_province):
    both = make_cluster("370100", "370800")
    response = api_jinan.patch(f"/api/v1/clusters/{both.pk}", {"name": "改"}, content_type="application/json")
    assert response.status_code == 403
    response = api_province.patch(f"/api/v1/clusters/{both.pk}", {"tier": "provincial", "basis": "测试", "version": 1},
                                  content_type="application/json")
    assert response.status_code == 200 and response.json()["tier"] == "provincial"


def test_create_cluster_checks_programme_and_regions(api_jining):
    response = api_jining.post("/api/v1/clusters", json.dumps(
        {"programme": "NOPE", "code": "api-x", "name": "接口集群", "regions": ["370800"]}), content_type="application/json")
    assert response.status_code == 400 and "NOPE" in response.json()["detail"]


def test_programmes_carry_citations(api_province):
    programmes = api_province.get("/api/v1/programmes").json()
    assert programmes
    detail = api_province.get(f"/api/v1/programmes/{programmes[0]['code']}").json()
    assert all(t["citation"] and t["clause"] for t in detail["targets"])
    assert api_province.get("/api/v1/programmes/NOPE").status_code == 404


def test_session_login_also_works(as_jining):
    assert as_jining.get("/api/v1/regions?level=city").json() == [
        {"code": "370800", "name": "济宁市", "level": "city", "parent": "370000"}
    ]
