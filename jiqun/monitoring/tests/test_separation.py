"""Separation of duties: whoever filled a report does not approve it, and the province approving a report no
city reviewed does so only as its own recorded 代市级审核 with a reason."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.conftest import token_client
from jiqun.monitoring.models import ReportEvent, ReportStatus
from jiqun.monitoring.services import (
    TRANSITIONS,
    report_approve_city,
    report_approve_for_city,
    report_approve_province,
    report_submit,
    report_values_save,
)
from jiqun.monitoring.tests.helpers import GOOD, values

pytestmark = pytest.mark.django_db

SOD_REFUSAL = "您填报过该报表，按照填报与审核分离的要求不能执行“%s”；请由未参与填报的人员审核。"


def rencheng_user() -> User:
    return User.objects.get(username="rencheng")


def filled_and_submitted(report, filler, submitter=None):
    report_values_save(actor=filler, report=report, values=values(GOOD))
    report_submit(actor=submitter or filler, report=report)
    report.refresh_from_db()
    return report


def unchanged(report) -> tuple:
    """What a refused transition must leave as it was: the status, the events and the audit log."""
    report.refresh_from_db()
    return report.status, ReportEvent.objects.filter(report=report).count(), AuditEvent.objects.exclude(action="denied").count()


def test_it_refuses_city_approval_by_the_officer_who_filled_the_report(rencheng, jining_officer):
    filled_and_submitted(rencheng, jining_officer)
    before = unchanged(rencheng)
    with pytest.raises(PermissionDenied) as refused:
        report_approve_city(actor=jining_officer, report=rencheng)
    assert str(refused.value) == SOD_REFUSAL % "市级审核通过"
    assert unchanged(rencheng) == before and rencheng.status == ReportStatus.SUBMITTED


def test_a_city_officer_approves_what_the_county_filled(rencheng, jining_officer):
    filled_and_submitted(rencheng, rencheng_user())
    assert report_approve_city(actor=jining_officer, report=rencheng).status == ReportStatus.CITY_APPROVED


def test_any_revision_makes_a_filler_even_one_value_changed_once(rencheng, jining_officer):
    report_values_save(actor=rencheng_user(), report=rencheng, values=values(GOOD))
    report_values_save(actor=jining_officer, report=rencheng, values={"tech_platforms": {"current": "46"}})
    report_submit(actor=rencheng_user(), report=rencheng)
    before = unchanged(rencheng)
    with pytest.raises(PermissionDenied, match="填报与审核分离"):
        report_approve_city(actor=jining_officer, report=rencheng)
    assert unchanged(rencheng) == before


def test_it_refuses_province_approval_and_代市级审核_by_a_province_admin_who_filled(rencheng, jining_officer,
                                                                              province_admin):
    report_values_save(actor=rencheng_user(), report=rencheng, values=values(GOOD))
    report_values_save(actor=province_admin, report=rencheng, values={"tech_platforms": {"current": "46"}})
    report_submit(actor=rencheng_user(), report=rencheng)
    before = unchanged(rencheng)
    with pytest.raises(PermissionDenied) as refused:
        report_approve_for_city(actor=province_admin, report=rencheng, reason="市级人手不足")
    assert str(refused.value) == SOD_REFUSAL % "代市级审核"
    assert unchanged(rencheng) == before
    report_approve_city(actor=jining_officer, report=rencheng)
    before = unchanged(rencheng)
    with pytest.raises(PermissionDenied) as refused:
        report_approve_province(actor=province_admin, report=rencheng)
    assert str(refused.value) == SOD_REFUSAL % "省级审核通过"
    assert unchanged(rencheng) == before and rencheng.status == ReportStatus.CITY_APPROVED


def test_the_setting_turns_the_separation_off(rencheng, jining_officer):
    filled_and_submitted(rencheng, jining_officer)
    with override_settings(JIQUN_SEPARATE_FILL_AND_APPROVE=False):
        assert report_approve_city(actor=jining_officer, report=rencheng).status == ReportStatus.CITY_APPROVED


def test_the_page_shows_the_refusal_and_changes_nothing(rencheng, jining_officer, as_jining):
    filled_and_submitted(rencheng, jining_officer)
    page = as_jining.get(f"/monitoring/reports/{rencheng.pk}/").content.decode()
    assert 'id="sod-note"' in page
    before = unchanged(rencheng)
    page = as_jining.post(f"/monitoring/reports/{rencheng.pk}/", {"action": "approve"}, follow=True).content.decode()
    assert SOD_REFUSAL % "市级审核通过" in page
    assert unchanged(rencheng) == before


def test_the_api_refuses_with_403_and_the_message(rencheng, jining_officer):
    client = token_client(jining_officer)
    report = rencheng
    client.put(f"/api/v1/reports/{report.pk}/values", data=json.dumps({"revenue": {"current": "5200000",
                                                                                   "previous": "4800000"}}),
               content_type="application/json", headers={"If-Match": '"0"'})
    report_values_save(actor=rencheng_user(), report=report, values=values(GOOD))
    report_submit(actor=rencheng_user(), report=report)
    before = unchanged(report)
    response = client.post(f"/api/v1/reports/{report.pk}/transitions", data=json.dumps({"action": "approve"}),
                           content_type="application/json")
    assert response.status_code == 403 and response.json()["detail"] == SOD_REFUSAL % "市级审核通过"
    assert unchanged(report) == before


def test_the_province_cannot_silently_give_city_approval(rencheng, province_admin):
    filled_and_submitted(rencheng, rencheng_user())
    before = unchanged(rencheng)
    with pytest.raises(PermissionDenied, match="代市级审核"):
        report_approve_city(actor=province_admin, report=rencheng)
    with pytest.raises(ValidationError, match="不能省级审核通过"):
        report_approve_province(actor=province_admin, report=rencheng)
    assert unchanged(rencheng) == before and rencheng.status == ReportStatus.SUBMITTED


@pytest.mark.parametrize("reason", ["", "   "])
def test_代市级审核_needs_a_reason(rencheng, province_admin, reason):
    filled_and_submitted(rencheng, rencheng_user())
    before = unchanged(rencheng)
    with pytest.raises(ValidationError) as refused:
        report_approve_for_city(actor=province_admin, report=rencheng, reason=reason)
    assert refused.value.message_dict == {"reason": ["代市级审核须填写理由（如市级为何未审核）"]}
    assert unchanged(rencheng) == before


def test_代市级审核_is_recorded_as_its_own_event_with_its_reason(rencheng, province_admin):
    filled_and_submitted(rencheng, rencheng_user())
    report_approve_for_city(actor=province_admin, report=rencheng, reason="济宁市审核人员出差，报送期限将至")
    report_approve_province(actor=province_admin, report=rencheng)
    rencheng.refresh_from_db()
    assert rencheng.status == ReportStatus.PROVINCE_APPROVED
    steps = list(rencheng.events.values_list("action", "from_status", "to_status", "actor_name", "comment"))
    assert steps == [
        ("submit", "draft", "submitted", "rencheng", ""),
        ("approve_for_city", "submitted", "city_approved", "sheng", "济宁市审核人员出差，报送期限将至"),
        ("approve_province", "city_approved", "province_approved", "sheng", ""),
    ]
    audited = AuditEvent.objects.filter(object_type="monitoring.report", object_id=str(rencheng.pk),
                                        after__transition="approve_for_city")
    assert audited.count() == 1 and audited.get().after["comment"] == "济宁市审核人员出差，报送期限将至"


def test_a_city_officer_cannot_use_代市级审核(rencheng, jining_officer):
    filled_and_submitted(rencheng, rencheng_user())
    before = unchanged(rencheng)
    with pytest.raises(PermissionDenied, match="代市级审核"):
        report_approve_for_city(actor=jining_officer, report=rencheng, reason="想快点")
    assert unchanged(rencheng) == before


def test_代市级审核_through_the_page_and_the_api(period, province_admin, as_province, api_province):
    page_report, api_report = period.reports.order_by("pk")[:2]
    for report in (page_report, api_report):
        filler = rencheng_user() if report.cluster.name == "任城测试集群" else User.objects.get(username="jinan")
        filled_and_submitted(report, filler)
    page = as_province.get(f"/monitoring/reports/{page_report.pk}/").content.decode()
    assert 'id="approve-for-city-form"' in page and 'id="approve-form"' not in page
    refused = as_province.post(f"/monitoring/reports/{page_report.pk}/", {"action": "approve_for_city", "reason": ""},
                               follow=True).content.decode()
    assert "代市级审核须填写理由" in refused and unchanged(page_report)[0] == ReportStatus.SUBMITTED
    page = as_province.post(f"/monitoring/reports/{page_report.pk}/",
                            {"action": "approve_for_city", "reason": "市级未按期审核"}, follow=True).content.decode()
    assert "已代市级审核" in page and "（代市级审核）" in page
    response = api_province.post(f"/api/v1/reports/{api_report.pk}/transitions",
                                 data=json.dumps({"action": "approve_for_city", "comment": "市级未按期审核"}),
                                 content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "city_approved"
    for report in (page_report, api_report):
        assert report.events.get(action="approve_for_city").comment == "市级未按期审核"


def test_代市级审核_is_a_separate_entry_of_the_transition_table():
    rule = TRANSITIONS["approve_for_city"]
    assert rule.sources == {"submitted"} and rule.target == "city_approved" and rule.label == "代市级审核"
    assert TRANSITIONS["approve_city"].allowed is not rule.allowed


def test_the_uploader_of_a_workbook_counts_as_a_filler(rencheng, jining_officer):
    from jiqun.monitoring.excel import build_template
    from jiqun.monitoring.importer import ReportImporter
    from jiqun.monitoring.selectors import template_rows
    from jiqun.monitoring.tests.helpers import column_of, fill_template, read_sheet

    period = rencheng.period
    indicators = list(period.indicators.order_by("code"))
    template = build_template(period=period, indicators=indicators, rows=template_rows(jining_officer, period),
                              unit_name="测试")
    key = read_sheet(template)[5][0]
    cells = {column_of(code, field, indicators): float(number) for code, pair in GOOD.items()
             for field, number in zip(("current", "previous"), pair, strict=True)}
    ReportImporter(user=jining_officer, content=fill_template(template, {key: cells}), file_name="季报.xlsx",
                   period=period).run()
    assert rencheng.revisions.get().provenance == "import"
    report_submit(actor=rencheng_user(), report=rencheng)
    before = unchanged(rencheng)
    with pytest.raises(PermissionDenied) as refused:
        report_approve_city(actor=jining_officer, report=rencheng)
    assert str(refused.value) == SOD_REFUSAL % "市级审核通过"
    assert unchanged(rencheng) == before


def test_whoever_submitted_a_report_does_not_approve_it_even_without_writing_a_figure(rencheng, jining_officer):
    filled_and_submitted(rencheng, rencheng_user(), submitter=jining_officer)
    before = unchanged(rencheng)
    with pytest.raises(PermissionDenied) as refused:
        report_approve_city(actor=jining_officer, report=rencheng)
    assert str(refused.value) == SOD_REFUSAL % "市级审核通过"
    assert unchanged(rencheng) == before


def test_bulk_approval_refuses_the_submitter_too(rencheng, jining_officer):
    from jiqun.monitoring.bulk import reports_approve_bulk

    filled_and_submitted(rencheng, rencheng_user(), submitter=jining_officer)
    result = reports_approve_bulk(actor=jining_officer, reports=[rencheng.pk])
    assert not result.approved and result.refused[0].reason == SOD_REFUSAL % "市级审核通过"
    rencheng.refresh_from_db()
    assert rencheng.status == ReportStatus.SUBMITTED
