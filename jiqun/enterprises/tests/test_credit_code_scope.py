"""A duplicate credit code is refused without naming an enterprise the user may not see."""

import pytest
from django.core.exceptions import ValidationError

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.clusters.tests.factories import make_enterprise
from jiqun.enterprises.models import Enterprise
from jiqun.enterprises.services import enterprise_create

pytestmark = pytest.mark.django_db

VALID = "91110000600037341L"


def test_it_refuses_a_code_held_outside_the_scope_without_naming_the_holder(as_jining):
    make_enterprise("370102", name="济南保密企业", credit_code=VALID)
    mine = make_enterprise("370811", name="济宁本地企业")
    events = AuditEvent.objects.exclude(action="denied").count()
    response = as_jining.post(f"/enterprises/{mine.pk}/edit/", {
        "name": mine.name, "full_name": "", "credit_code": VALID, "region": "370811", "zone": "", "industry_code": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "已被您范围外的企业登记" in page and "济南保密企业" not in page
    mine.refresh_from_db()
    assert mine.credit_code is None and AuditEvent.objects.exclude(action="denied").count() == events


def test_it_names_the_holder_when_the_user_sees_it(as_jining):
    make_enterprise("370811", name="济宁先登记企业", credit_code=VALID)
    response = as_jining.post("/enterprises/new/", {"name": "济宁后来企业", "credit_code": VALID, "region": "370811"})
    assert "已登记为“济宁先登记企业”" in response.content.decode()
    assert not Enterprise.objects.filter(name="济宁后来企业").exists()


def test_the_api_refuses_it_the_same_way(api_jining):
    make_enterprise("370102", name="济南保密企业", credit_code=VALID)
    events = AuditEvent.objects.exclude(action="denied").count()
    response = api_jining.post("/api/v1/enterprises", {"name": "接口新企业", "region": "370811", "credit_code": VALID},
                               content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "credit_code" in body["errors"] and "范围外" in body["detail"] and "济南保密企业" not in body["detail"]
    assert not Enterprise.objects.filter(name="接口新企业").exists() and AuditEvent.objects.exclude(action="denied").count() == events


def test_the_service_refuses_it_for_every_caller():
    make_enterprise("370102", name="济南保密企业", credit_code=VALID)
    jining = User.objects.get(username="jining")
    with pytest.raises(ValidationError) as refused:
        enterprise_create(actor=jining, name="服务新企业", region=jining.region, credit_code=VALID)
    assert "济南保密企业" not in str(refused.value.message_dict["credit_code"])
    assert not Enterprise.objects.filter(name="服务新企业").exists()
