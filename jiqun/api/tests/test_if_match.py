"""The report values' If-Match header, as the document states it: required, a revision of at most nine digits."""

import json

import pytest

from jiqun.audit.models import AuditEvent
from jiqun.conftest import token_client
from jiqun.monitoring.models import ReportRevision
from jiqun.monitoring.tests.helpers import open_test_period, report_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    """The Jining test cluster's draft report, at revision 0."""
    return report_of(open_test_period(), "任城测试集群")


def put(client, report, if_match: str):
    return client.put(f"/api/v1/reports/{report.pk}/values", content_type="application/json",
                                  data=json.dumps({"revenue": {"current": "1"}}), headers={"If-Match": if_match})


@pytest.mark.parametrize("if_match", ["²", '"٣"', "1234567890", '"99999999999999999999999"', 'W/"-1"'])
def test_it_refuses_an_if_match_that_is_no_revision_with_428_and_writes_nothing(report, jining_officer, if_match):
    client = token_client(jining_officer)  # issuing the token is audited, so before the count
    events = AuditEvent.objects.exclude(action="denied").count()
    response = put(client, report, if_match)
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"] and "您的修改未保存" in response.json()["detail"]
    assert not ReportRevision.objects.filter(report=report).exists()
    assert AuditEvent.objects.exclude(action="denied").count() == events


def test_a_nine_digit_revision_is_read_and_refused_as_stale_with_412(report, jining_officer):
    response = put(token_client(jining_officer), report, '"999999999"')
    assert response.status_code in {400, 412}, "a revision that is not the current one, never a server error"
    assert not ReportRevision.objects.filter(report=report).exists()


def test_the_document_declares_if_match_as_required(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/reports/{report_id}/values"]["put"]
    (header,) = [p for p in operation["parameters"] if p["in"] == "header"]
    assert header["name"] == "If-Match" and header["required"] is True
    assert {"412", "428"} <= set(operation["responses"])
