"""A body field the operation does not take is refused by name, not silently ignored (mass assignment)."""

import json

import pytest

from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import Cluster

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("extra", [{"id": 999}, {"programme": "SD-2016-3"}, {"code": "x"}, {"name\u0000": "x"}])
def test_it_refuses_a_field_the_patch_does_not_take_and_changes_nothing(api_province, province_admin, extra):
    cluster = Cluster.objects.for_user(province_admin).order_by("pk").first()
    events = AuditEvent.objects.exclude(action="denied").count()
    body = {"version": cluster.version, "name": "改名试探", **extra}
    response = api_province.patch(f"/api/v1/clusters/{cluster.pk}", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    field = next(iter(extra))
    assert f"payload.{field}" in response.json()["errors"] and "不允许此字段" in response.json()["detail"]
    fresh = Cluster.objects.get(pk=cluster.pk)
    assert (fresh.name, fresh.version) == (cluster.name, cluster.version)
    assert AuditEvent.objects.exclude(action="denied").count() == events


def test_the_document_says_bodies_take_no_other_fields(api_province):
    schemas = api_province.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["ClusterPatch"].get("additionalProperties") is False


@pytest.mark.parametrize("name", ["a\u202eb", "\u2066x\u2069", "\u200b", "\ufeff名"])
def test_it_refuses_invisible_characters_that_change_how_a_name_reads(api_province, province_admin, name):
    cluster = Cluster.objects.for_user(province_admin).order_by("pk").first()
    body = {"version": cluster.version, "name": name}
    response = api_province.patch(f"/api/v1/clusters/{cluster.pk}", json.dumps(body), content_type="application/json")
    assert response.status_code == 422 and "不可见字符" in response.json()["detail"]
    assert Cluster.objects.get(pk=cluster.pk).name == cluster.name
