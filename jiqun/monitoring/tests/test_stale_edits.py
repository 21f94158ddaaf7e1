"""No edit is lost: a save based on an outdated revision of a report, and a second decision on a correction, are
refused naming who changed what since, and nothing is overwritten."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.conftest import client_for, token_client
from jiqun.core.stale import StaleEdit
from jiqun.monitoring.models import CorrectionRequest, CorrectionStatus, ReportRevision
from jiqun.monitoring.services import (
    correction_decide,
    correction_request_create,
    report_approve_city,
    report_approve_province,
    report_submit,
    report_values_save,
)
from jiqun.monitoring.tests.helpers import GOOD, SEVEN, county, stored, values

pytestmark = pytest.mark.django_db


def rencheng_user() -> User:
    return User.objects.get(username="rencheng")


def written(report) -> tuple:
    """Everything a refused write must leave as it was: the figures, the revisions and the audit log."""
    return (stored_figures(report), ReportRevision.objects.filter(report=report).count(), AuditEvent.objects.exclude(action="denied").count())


def stored_figures(report) -> dict:
    report.refresh_from_db()
    return report.figures


def opened_form(client: Client, report) -> dict[str, str]:
    """The report form as a browser shows it: every figure field as filled now, and the hidden base revision."""
    page = client.get(f"/monitoring/reports/{report.pk}/").content.decode()
    form = page[page.index('id="report-form"'):page.index("</form>", page.index('id="report-form"'))]
    return {name: value for name, value in re.findall(r'<input[^>]*name="([^"]+)" value="([^"]*)"', form)
            if name != "csrfmiddlewaretoken"}


def test_it_refuses_the_stale_form_of_a_second_session_and_keeps_the_first_save(rencheng, jining_officer):
    first, second = client_for(jining_officer), client_for(rencheng_user())
    form_of_first, form_of_second = opened_form(first, rencheng), opened_form(second, rencheng)
    assert form_of_first["base_revision"] == form_of_second["base_revision"] == "0"

    first.post(f"/monitoring/reports/{rencheng.pk}/", {**form_of_first, "action": "save", "employees-current": "11111"})
    assert stored(rencheng, "employees").current == 11111
    before = written(rencheng)

    page = second.post(f"/monitoring/reports/{rencheng.pk}/",
                       {**form_of_second, "action": "save", "revenue-current": "22222"}, follow=True).content.decode()
    assert re.search(r"该报表已于 \d{4}-\d\d-\d\d \d\d:\d\d 由 jining 修改（就业人数），请刷新后重新填写；您的修改未保存。", page)
    assert written(rencheng) == before
    assert stored(rencheng, "employees").current == 11111 and stored(rencheng, "revenue") is None
    # The refused page carries the revision on file, so a save after reading it goes through.
    assert opened_form(second, rencheng)["base_revision"] == "1"


def test_a_save_based_on_the_latest_revision_goes_through(rencheng, jining_officer):
    client = client_for(jining_officer)
    client.post(f"/monitoring/reports/{rencheng.pk}/", {**opened_form(client, rencheng), "employees-current": "11111"})
    client.post(f"/monitoring/reports/{rencheng.pk}/", {**opened_form(client, rencheng), "revenue-current": "22222"})
    assert stored(rencheng, "employees").current == 11111 and stored(rencheng, "revenue").current == 22222


@pytest.mark.parametrize("base", [None, "", "abc", "-1"])
def test_it_refuses_a_form_without_a_valid_base_revision(rencheng, as_jining, base):
    data = {"action": "save", "revenue-current": "5200000"}
    if base is not None:
        data["base_revision"] = base
    before = written(rencheng)
    page = as_jining.post(f"/monitoring/reports/{rencheng.pk}/", data, follow=True).content.decode()
    assert "修改报表须带上所依据的版本号，请刷新页面后重新填写；您的修改未保存。" in page
    assert written(rencheng) == before


def test_the_service_names_every_author_and_indicator_changed_since_the_base(rencheng, jining_officer):
    report_values_save(actor=jining_officer, report=rencheng, values={"employees": {"current": "1"}}, base_revision=0)
    report_values_save(actor=rencheng_user(), report=rencheng, values={"profit": {"current": "2"}}, base_revision=1)
    before = written(rencheng)
    with pytest.raises(StaleEdit) as refused:
        report_values_save(actor=jining_officer, report=rencheng, values={"revenue": {"current": "3"}},
                           base_revision=0)
    assert "由 jining、rencheng 修改（就业人数、利润总额）" in refused.value.messages[0]
    assert written(rencheng) == before


def test_it_refuses_a_base_revision_that_does_not_exist(rencheng, jining_officer):
    with pytest.raises(ValidationError) as refused:
        report_values_save(actor=jining_officer, report=rencheng, values=values(GOOD), base_revision=7)
    assert "所依据的修订号 7 不存在（该报表当前为第 0 次修订）" in refused.value.messages[0]
    assert not ReportRevision.objects.filter(report=rencheng).exists()


def put(client: Client, report, body: dict, if_match: str | None):
    headers = {} if if_match is None else {"If-Match": if_match}
    return client.put(f"/api/v1/reports/{report.pk}/values", data=json.dumps(body), content_type="application/json",
                      headers=headers)


def test_it_refuses_a_stale_api_put_with_412_naming_who_changed_what(rencheng, jining_officer):
    first, second = token_client(jining_officer), token_client(rencheng_user())
    read = second.get(f"/api/v1/reports/{rencheng.pk}").json()
    assert read["revision"] == 0
    assert put(first, rencheng, {"employees": {"current": "11111"}}, '"0"').status_code == 200
    before = written(rencheng)

    response = put(second, rencheng, {"revenue": {"current": "22222"}, "employees": {"current": None}},
                   f'"{read["revision"]}"')
    assert response.status_code == 412
    assert "由 jining 修改（就业人数），请刷新后重新填写；您的修改未保存。" in response.json()["detail"]
    assert written(rencheng) == before and stored(rencheng, "employees").current == 11111


def test_an_api_put_with_the_latest_revision_goes_through_in_every_if_match_form(rencheng, jining_officer):
    client = token_client(jining_officer)
    for number, if_match in enumerate(['"0"', 'W/"1"', "2"]):
        response = put(client, rencheng, {"revenue": {"current": str(100 + number)}}, if_match)
        assert response.status_code == 200 and response.json()["revision"] == number + 1


@pytest.mark.parametrize("if_match", [None, "", '"abc"', "*"])
def test_it_refuses_an_api_put_without_if_match_with_428(rencheng, jining_officer, if_match):
    response = put(token_client(jining_officer), rencheng, {"revenue": {"current": "1"}}, if_match)
    assert response.status_code == 428 and "If-Match" in response.json()["detail"]
    assert "您的修改未保存" in response.json()["detail"]
    assert not ReportRevision.objects.filter(report=rencheng).exists()


@pytest.fixture
def correction(rencheng, jining_officer, province_admin) -> CorrectionRequest:
    report_values_save(actor=rencheng_user(), report=rencheng, values=values(GOOD))
    report_submit(actor=county(), report=rencheng)
    report_approve_city(actor=jining_officer, report=rencheng)
    report_approve_province(actor=province_admin, report=rencheng)
    rencheng.refresh_from_db()
    return correction_request_create(actor=jining_officer, report=rencheng, changes={"revenue": {"current": "5300000"}},
                                     reason="漏报一家企业")


def test_it_refuses_a_second_decision_on_a_decided_correction(correction, province_admin):
    seen_by_first = CorrectionRequest.objects.get(pk=correction.pk)
    seen_by_second = CorrectionRequest.objects.get(pk=correction.pk)  # both pages opened while pending
    correction_decide(actor=province_admin, correction=seen_by_first, approve=True, comment="同意")
    before = written(correction.report), AuditEvent.objects.exclude(action="denied").count()
    with pytest.raises(ValidationError) as refused:
        correction_decide(actor=province_admin, correction=seen_by_second, approve=False, comment="不同意")
    assert re.search(r"该更正申请已于 \d{4}-\d\d-\d\d \d\d:\d\d 由 sheng 已批准，不能再次审批；您的审批未保存。",
                     refused.value.messages[0])
    assert (written(correction.report), AuditEvent.objects.exclude(action="denied").count()) == before
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.APPROVED and correction.decision_comment == "同意"
    assert stored(correction.report, "revenue").current == 5300000


def test_it_refuses_a_second_decision_through_the_api(correction, api_province):
    url = f"/api/v1/corrections/{correction.pk}/decision"
    first = api_province.post(url, data=json.dumps({"approve": False, "comment": "依据不足"}),
                              content_type="application/json")
    assert first.status_code == 200 and first.json()["status"] == "rejected"
    before = written(correction.report)
    second = api_province.post(url, data=json.dumps({"approve": True}), content_type="application/json")
    assert second.status_code == 400 and "不能再次审批" in second.json()["detail"]
    assert written(correction.report) == before
    assert stored(correction.report, "revenue").current == 5200000


def test_the_form_fields_cover_every_indicator_of_the_period(rencheng, as_jining):
    fields = opened_form(as_jining, rencheng)
    assert {f"{code}-current" for code in SEVEN} <= set(fields)
