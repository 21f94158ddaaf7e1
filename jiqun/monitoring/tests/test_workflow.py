"""Every transition, every refusal, the event and audit rows, corrections, scoping."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.monitoring.models import ReportStatus
from jiqun.monitoring.services import (
    TRANSITIONS,
    correction_decide,
    correction_request_create,
    report_approve_city,
    report_approve_province,
    report_return,
    report_submit,
    report_values_save,
)
from jiqun.monitoring.tests.helpers import (
    GOOD,
    county,
    history_of,
    open_test_period,
    provenance_of,
    report_of,
    stored,
    values,
)

pytestmark = pytest.mark.django_db



@pytest.fixture
def filled(period):
    """任城测试集群's report filled by the county officer (rencheng), so its city (jining) may approve it."""
    report = report_of(period, "任城测试集群")
    report_values_save(actor=User.objects.get(username="rencheng"), report=report, values=values(GOOD))
    return report


def test_opening_a_period_creates_a_draft_per_active_cluster(period):
    assert {r.cluster.name for r in period.reports.all()} == {"任城测试集群", "历下测试集群"}
    assert set(period.reports.values_list("status", flat=True)) == {ReportStatus.DRAFT}


def test_a_period_cannot_be_opened_twice(period):
    with pytest.raises(ValidationError, match="已开启"):
        open_test_period()


def test_only_the_province_opens_periods(jining_officer):
    from jiqun.monitoring.services import period_open

    with pytest.raises(PermissionDenied):
        period_open(actor=jining_officer, programme=None, year=2030, quarter=1, deadline=None)


def test_the_whole_path_to_locked(filled, jining_officer, province_admin):
    report_submit(actor=county(), report=filled)
    report_approve_city(actor=jining_officer, report=filled, comment="数据无误")
    report_approve_province(actor=province_admin, report=filled)
    filled.refresh_from_db()
    assert filled.status == ReportStatus.PROVINCE_APPROVED
    steps = list(filled.events.values_list("from_status", "to_status", "actor_name"))
    assert steps == [("draft", "submitted", "rencheng"), ("submitted", "city_approved", "jining"),
                     ("city_approved", "province_approved", "sheng")]
    assert AuditEvent.objects.filter(object_type="monitoring.report", object_id=str(filled.pk)).count() >= 4


def test_submission_is_refused_with_every_blocking_check(period, jining_officer):
    report = report_of(period, "任城测试集群")
    report_values_save(actor=jining_officer, report=report,
                       values=values({**GOOD, "profit": ("6000000", "290000")}))
    with pytest.raises(ValidationError) as info:
        report_submit(actor=county(), report=report)
    text = " ".join(info.value.messages)
    assert "大于“主营业务收入”" in text and "同比增长" in text
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and not report.events.exists()


def test_an_explained_warning_lets_the_report_through(period, jining_officer):
    report = report_of(period, "任城测试集群")
    data = values({**GOOD, "revenue": ("9000000", "4800000")})
    data["revenue"]["note"] = "新能源重卡项目投产"
    report_values_save(actor=jining_officer, report=report, values=data)
    assert report_submit(actor=county(), report=report).status == ReportStatus.SUBMITTED


def test_a_submitted_report_cannot_be_edited(filled, jining_officer):
    report_submit(actor=county(), report=filled)
    filled.refresh_from_db()
    with pytest.raises(PermissionDenied):
        report_values_save(actor=jining_officer, report=filled, values=values(GOOD))


def test_return_needs_a_reason_and_reopens_the_report(filled, jining_officer):
    report_submit(actor=county(), report=filled)
    with pytest.raises(ValidationError, match="退回须填写理由"):
        report_return(actor=jining_officer, report=filled, reason=" ")
    report_return(actor=jining_officer, report=filled, reason="利润口径有误")
    filled.refresh_from_db()
    assert filled.status == ReportStatus.RETURNED and filled.editable
    assert filled.events.last().comment == "利润口径有误"


def test_a_city_cannot_approve_another_citys_report(filled, jining_officer, jinan_officer):
    report_submit(actor=county(), report=filled)
    with pytest.raises(PermissionDenied):
        report_approve_city(actor=jinan_officer, report=filled)


def test_a_city_cannot_give_the_province_approval(filled, jining_officer):
    report_submit(actor=county(), report=filled)
    report_approve_city(actor=jining_officer, report=filled)
    with pytest.raises(PermissionDenied):
        report_approve_province(actor=jining_officer, report=filled)
    with pytest.raises(PermissionDenied):
        report_return(actor=jining_officer, report=filled, reason="想改")


def test_transitions_out_of_order_are_refused(filled, province_admin):
    with pytest.raises(ValidationError, match="不能市级审核通过"):
        report_approve_city(actor=province_admin, report=filled)
    with pytest.raises(ValidationError, match="不能省级审核通过"):
        report_approve_province(actor=province_admin, report=filled)


def test_the_transition_table_is_the_whole_workflow():
    assert {(tuple(sorted(t.sources)), t.target) for t in TRANSITIONS.values()} == {
        (("draft", "returned"), "submitted"), (("city_approved", "submitted"), "returned"),
        (("submitted",), "city_approved"), (("city_approved",), "province_approved"),
    }
    assert set(TRANSITIONS) == {"submit", "return", "approve_city", "approve_for_city", "approve_province"}


def test_a_locked_report_changes_only_through_an_approved_correction(filled, jining_officer, province_admin):
    report_submit(actor=county(), report=filled)
    report_approve_city(actor=jining_officer, report=filled)
    report_approve_province(actor=province_admin, report=filled)
    filled.refresh_from_db()
    correction = correction_request_create(actor=jining_officer, report=filled,
                                           changes={"revenue": {"current": "5300000"}}, reason="漏报一家企业")
    assert stored(filled, "revenue").current == 5200000  # nothing changes before approval
    with pytest.raises(PermissionDenied):
        correction_decide(actor=jining_officer, correction=correction, approve=True)
    correction_decide(actor=province_admin, correction=correction, approve=True, comment="同意")
    assert stored(filled, "revenue").current == 5300000 and provenance_of(filled, "revenue") == "correction"
    assert history_of(filled, "revenue")[-2:] == [5200000, 5300000]


def test_reports_follow_scope(period):
    jinan = User.objects.get(username="jinan")
    from jiqun.monitoring.models import Report

    names = {r.cluster.name for r in Report.objects.for_user(jinan).filter(period=period)}
    assert names == {"历下测试集群"}


def test_each_save_writes_one_revision_and_an_unchanged_save_writes_none(period, jining_officer):
    report = report_of(period, "任城测试集群")
    first = report_values_save(actor=jining_officer, report=report, values=values(GOOD))
    assert first.number == 1 and first.actor_name == "jining" and set(first.figures) == set(GOOD)
    assert report_values_save(actor=jining_officer, report=report, values=values(GOOD)) is None
    second = report_values_save(actor=jining_officer, report=report, values={"revenue": {"current": "5300000"}})
    assert second.number == 2 and second.figures["revenue"][3] == 2 and second.figures["profit"][3] == 1
    assert stored(report, "profit").revision == 1 and stored(report, "revenue").revision == 2
    assert history_of(report, "revenue") == [5200000, 5300000]


@pytest.mark.parametrize(("field", "raw", "words"), [
    ("current", "12345678901234567", "主营业务收入本期累计：数值 12345678901234567 过大"),
    ("previous", "1.23456", "主营业务收入上年同期：数值 1.23456 的小数超过 4 位"),
    ("current", "五百亿", "主营业务收入本期累计：“五百亿”不是数字"),
    ("note", "长" * 501, "主营业务收入说明：有 501 个字，最多 500 个"),
])
def test_a_figure_that_cannot_be_kept_is_refused_naming_it_and_nothing_changes(period, jining_officer, field, raw,
                                                                               words):
    report = report_of(period, "任城测试集群")
    report_values_save(actor=jining_officer, report=report, values=values(GOOD))
    before = report_of(period, "任城测试集群").figures, report.revisions.count(), AuditEvent.objects.exclude(action="denied").count()
    with pytest.raises(ValidationError) as refused:
        report_values_save(actor=jining_officer, report=report, values={"revenue": {field: raw}})
    assert any(words in message for message in refused.value.messages), refused.value.messages
    assert (report_of(period, "任城测试集群").figures, report.revisions.count(), AuditEvent.objects.exclude(action="denied").count()) == before
