"""The API's `?region=` filter: a region and what lies inside it, never a wider prefix."""

import pytest

from jiqun.audit.models import AuditEvent
from jiqun.clusters.tests.factories import make_cluster, make_enterprise

pytestmark = pytest.mark.django_db


def test_it_filters_weihai_to_weihai_only(api_province):
    make_enterprise("371002", name="威海环翠企业")  # 环翠区
    make_enterprise("371102", name="日照东港企业")  # 东港区, which "3710".rstrip("0") used to catch
    names = {e["name"] for e in api_province.get("/api/v1/enterprises?region=371000&limit=500").json()["items"]}
    assert "威海环翠企业" in names and "日照东港企业" not in names


def test_it_filters_a_county_to_that_county_only(api_province):
    make_cluster("370830", name="汶上集群")
    make_cluster("370832", name="梁山集群")  # "370830".rstrip("0") used to catch 370831 and 370832 too
    names = {c["name"] for c in api_province.get("/api/v1/clusters?region=370830&limit=500").json()["items"]}
    assert "汶上集群" in names and "梁山集群" not in names


@pytest.mark.parametrize("code", ["371", "3710000", "999999", "37１000"])
def test_it_refuses_an_unknown_region_code_with_a_message_naming_it(api_province, code):
    events = AuditEvent.objects.exclude(action="denied").count()
    for path in ("/api/v1/clusters", "/api/v1/enterprises"):
        response = api_province.get(path, {"region": code})
        assert response.status_code == 400
        body = response.json()
        assert "region" in body["errors"] and "不存在" in body["detail"]
    assert AuditEvent.objects.exclude(action="denied").count() == events


def test_a_city_filtering_on_another_city_gets_nothing(api_jining):
    make_enterprise("370102", name="济南历下企业")
    response = api_jining.get("/api/v1/enterprises?region=370100")
    assert response.status_code == 200 and response.json()["items"] == []


def test_it_refuses_a_region_code_with_a_control_character_by_the_one_text_rule(api_province):
    events = AuditEvent.objects.exclude(action="denied").count()
    for path in ("/api/v1/clusters", "/api/v1/enterprises"):
        response = api_province.get(path, {"region": "37\x0000"})
        assert response.status_code == 422
        assert "region" in response.json()["errors"] and "控制字符 U+0000" in response.json()["detail"]
    assert AuditEvent.objects.exclude(action="denied").count() == events
