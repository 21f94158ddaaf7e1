import pytest

from jiqun.audit.models import AuditEvent
from jiqun.clusters.tests.factories import make_enterprise
from jiqun.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db

VALID = "91110000600037341L"


def form_data(enterprise, **changes):
    data = {"name": enterprise.name, "full_name": enterprise.full_name, "credit_code": enterprise.credit_code or "",
            "region": enterprise.region_id, "zone": "", "industry_code": enterprise.industry_code,
            "version": enterprise.version}
    data.update(changes)
    return data


def test_a_wrong_check_character_is_refused_with_its_position_and_nothing_changes(as_jining):
    enterprise = make_enterprise("370811", name="原名企业")
    events = AuditEvent.objects.exclude(action="denied").count()
    response = as_jining.post(f"/enterprises/{enterprise.pk}/edit/",
                              form_data(enterprise, name="改名企业", credit_code=VALID[:-1] + "M"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "第18位校验码“M”有误" in page and "应为“L”" in page
    enterprise.refresh_from_db()
    assert enterprise.name == "原名企业" and enterprise.credit_code is None
    assert AuditEvent.objects.exclude(action="denied").count() == events


def test_a_valid_code_is_saved_normalised(as_jining):
    enterprise = make_enterprise("370811")
    response = as_jining.post(f"/enterprises/{enterprise.pk}/edit/", form_data(enterprise, credit_code=" 91110000600037341l"))
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.credit_code == VALID


def test_a_code_already_registered_names_the_holder(as_jining):
    make_enterprise("370811", name="先登记企业", credit_code=VALID)
    other = make_enterprise("370811")
    response = as_jining.post(f"/enterprises/{other.pk}/edit/", form_data(other, credit_code=VALID))
    assert "已登记为“先登记企业”" in response.content.decode()


def test_officer_creates_an_enterprise_in_its_county(as_jining):
    response = as_jining.post("/enterprises/new/", {"name": "新建企业", "credit_code": "", "region": "370811"})
    assert response.status_code == 302
    assert Enterprise.objects.get(name="新建企业").region_id == "370811"


def test_officer_cannot_move_an_enterprise_out_of_its_city(as_jining):
    enterprise = make_enterprise("370811")
    response = as_jining.post(f"/enterprises/{enterprise.pk}/edit/", form_data(enterprise, region="370102"))
    assert response.status_code == 200 and "region" in response.context["form"].errors
    enterprise.refresh_from_db()
    assert enterprise.region_id == "370811"


def test_read_only_leader_gets_no_edit(db):
    from jiqun.accounts.models import User
    from jiqun.conftest import client_for

    enterprise = make_enterprise("370811")
    client = client_for(User.objects.get(username="lingdao"))
    assert client.get(f"/enterprises/{enterprise.pk}/").status_code == 200
    response = client.post(f"/enterprises/{enterprise.pk}/edit/", form_data(enterprise, name="领导改名"))
    assert response.status_code == 403  # it sees the enterprise: a write is refused, not hidden
    enterprise.refresh_from_db()
    assert enterprise.name != "领导改名"
