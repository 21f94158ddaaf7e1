"""The monitoring pages as the three personas use them: forms, Excel in and out, review, corrections, scope."""

import datetime
import io

import pytest
from python_calamine import CalamineWorkbook

from jiqun.accounts.models import User
from jiqun.monitoring.models import CorrectionRequest, ReportingPeriod, ReportRevision, ReportStatus
from jiqun.monitoring.services import (
    report_approve_city,
    report_approve_province,
    report_submit,
    report_values_save,
)
from jiqun.monitoring.tests.helpers import (
    GOOD,
    column_of,
    county,
    fill_template,
    history_of,
    period_figures,
    provenance_of,
    read_sheet,
    stored,
    values,
)
from jiqun.programmes.models import Programme

pytestmark = pytest.mark.django_db




def form_data(pairs: dict[str, tuple[str, str]], action: str = "save", base: int = 0) -> dict[str, str]:
    """The report form as posted, based on revision `base` (its hidden field)."""
    data = {"action": action, "base_revision": str(base)}
    for code, (current, previous) in pairs.items():
        data[f"{code}-current"], data[f"{code}-previous"] = current, previous
    return data


def locked(report, jining, province):
    """Fill (as the county officer, rencheng), submit, and take the report through both approvals."""
    report_values_save(actor=User.objects.get(username="rencheng"), report=report, values=values(GOOD))
    report_submit(actor=county(), report=report)
    report_approve_city(actor=jining, report=report)
    report_approve_province(actor=province, report=report)


def test_the_period_page_shows_only_reports_in_scope(period, as_jining, as_jinan):
    jining = as_jining.get(f"/monitoring/periods/{period.pk}/").content.decode()
    jinan = as_jinan.get(f"/monitoring/periods/{period.pk}/").content.decode()
    assert "任城测试集群" in jining and "历下测试集群" not in jining
    assert "历下测试集群" in jinan and "任城测试集群" not in jinan


def test_a_report_outside_scope_is_404(rencheng, as_jinan):
    assert as_jinan.get(f"/monitoring/reports/{rencheng.pk}/").status_code == 404
    assert as_jinan.post(f"/monitoring/reports/{rencheng.pk}/", form_data(GOOD)).status_code == 404
    assert not period_figures(rencheng.period)


def test_the_report_page_lists_every_revision_with_who_and_where_from(rencheng, as_jining):
    as_jining.post(f"/monitoring/reports/{rencheng.pk}/", form_data(GOOD))
    as_jining.post(f"/monitoring/reports/{rencheng.pk}/", form_data({**GOOD, "revenue": ("5300000", "4800000")},
                                                                    base=1))
    page = as_jining.get(f"/monitoring/reports/{rencheng.pk}/").content.decode()
    history = page[page.index('id="revisions"'):]
    assert history.count("网页填报") == 2 and "jining" in history
    assert "主营业务收入：5200000 / 4800000 → 5300000 / 4800000" in history  # the second save, listed first
    assert "主营业务收入：（无） → 5200000 / 4800000" in history
    assert history.index("→ 5300000") < history.index("（无） → 5200000")


def test_filling_the_form_saves_then_submits(rencheng, as_jining):
    response = as_jining.post(f"/monitoring/reports/{rencheng.pk}/", form_data(GOOD), follow=True)
    assert "已保存" in response.content.decode()
    assert provenance_of(rencheng, "revenue") == "form"
    response = as_jining.post(f"/monitoring/reports/{rencheng.pk}/", form_data(GOOD, "submit", base=1),
                             follow=True)
    rencheng.refresh_from_db()
    assert rencheng.status == ReportStatus.SUBMITTED and "已提交" in response.content.decode()


def test_a_word_in_a_number_field_is_named_and_nothing_is_saved(rencheng, as_jining):
    data = form_data(GOOD)
    data["revenue-current"] = "五百亿"
    page = as_jining.post(f"/monitoring/reports/{rencheng.pk}/", data).content.decode()
    assert "“五百亿”不是数字" in page and "有数值格式错误，未保存" in page
    assert not period_figures(rencheng.period)


def test_submission_is_blocked_by_a_mandatory_check(rencheng, as_jining):
    bad = {**GOOD, "profit": ("9999999", "290000")}  # profit above revenue
    page = as_jining.post(f"/monitoring/reports/{rencheng.pk}/", form_data(bad, "submit"), follow=True)
    rencheng.refresh_from_db()
    assert rencheng.status == ReportStatus.DRAFT
    assert "利润" in page.content.decode()


def test_city_approves_and_province_locks_through_the_page(rencheng, jining_officer, as_jining, as_province):
    report_values_save(actor=User.objects.get(username="rencheng"), report=rencheng, values=values(GOOD))
    report_submit(actor=county(), report=rencheng)
    as_jining.post(f"/monitoring/reports/{rencheng.pk}/", {"action": "approve", "comment": "无误"})
    rencheng.refresh_from_db()
    assert rencheng.status == ReportStatus.CITY_APPROVED
    page = as_jining.post(f"/monitoring/reports/{rencheng.pk}/", {"action": "approve"}, follow=True).content.decode()
    assert "无权" in page
    as_province.post(f"/monitoring/reports/{rencheng.pk}/", {"action": "approve"})
    rencheng.refresh_from_db()
    assert rencheng.status == ReportStatus.PROVINCE_APPROVED


def test_a_return_without_reason_is_refused_on_the_page(rencheng, jining_officer, as_jining):
    report_values_save(actor=jining_officer, report=rencheng, values=values(GOOD))
    report_submit(actor=county(), report=rencheng)
    page = as_jining.post(f"/monitoring/reports/{rencheng.pk}/", {"action": "return", "reason": ""},
                          follow=True).content.decode()
    assert "退回须填写理由" in page
    rencheng.refresh_from_db()
    assert rencheng.status == ReportStatus.SUBMITTED


def test_a_locked_report_is_corrected_through_the_page(rencheng, jining_officer, province_admin, as_jining,
                                                        as_province):
    locked(rencheng, jining_officer, province_admin)
    page = as_jining.get(f"/monitoring/reports/{rencheng.pk}/").content.decode()
    assert "申请更正" in page and 'name="revenue-current"' not in page
    as_jining.post(f"/monitoring/reports/{rencheng.pk}/", {
        "action": "correct", "corr-revenue-current": "5300000", "reason": "漏报一家企业"})
    correction = CorrectionRequest.objects.get(report=rencheng)
    assert correction.changes == {"revenue": {"current": "5300000"}}
    page = as_province.get(f"/monitoring/reports/{rencheng.pk}/").content.decode()
    assert "同意更正" in page and "5300000" in page
    as_province.post(f"/monitoring/reports/{rencheng.pk}/", {"action": "correction_approve",
                                                            "correction": correction.pk, "comment": "同意"})
    assert stored(rencheng, "revenue").current == 5300000 and history_of(rencheng, "revenue") == [5200000, 5300000]


def test_a_correction_with_a_bad_number_or_no_change_is_refused(rencheng, jining_officer, province_admin, as_jining):
    locked(rencheng, jining_officer, province_admin)
    url = f"/monitoring/reports/{rencheng.pk}/"
    page = as_jining.post(url, {"action": "correct", "corr-profit-current": "三十万", "reason": "x"},
                          follow=True).content.decode()
    assert "利润" in page and "“三十万”不是数字" in page
    page = as_jining.post(url, {"action": "correct", "corr-revenue-current": "5200000", "reason": "x"},
                          follow=True).content.decode()
    assert "没有填写要更正的数值" in page
    assert not CorrectionRequest.objects.exists()


def test_the_city_cannot_decide_a_correction(rencheng, jining_officer, province_admin, as_jining):
    locked(rencheng, jining_officer, province_admin)
    as_jining.post(f"/monitoring/reports/{rencheng.pk}/", {
        "action": "correct", "corr-revenue-current": "5300000", "reason": "漏报"})
    correction = CorrectionRequest.objects.get()
    page = as_jining.post(f"/monitoring/reports/{rencheng.pk}/", {
        "action": "correction_approve", "correction": correction.pk}, follow=True).content.decode()
    assert "只有省级管理员可以审批更正申请" in page
    correction.refresh_from_db()
    assert correction.status == "pending"


def test_the_template_downloads_for_the_users_scope_and_uploads_back(period, as_jining):
    response = as_jining.get(f"/monitoring/periods/{period.pk}/template.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    template = response.content
    book = CalamineWorkbook.from_filelike(io.BytesIO(template))
    assert "填报说明" in book.sheet_names
    indicators = list(period.indicators.order_by("code"))
    key = read_sheet(template)[5][0]
    cells = {}
    for code, (current, previous) in GOOD.items():
        cells[column_of(code, "current", indicators)] = float(current)
        cells[column_of(code, "previous", indicators)] = float(previous)
    upload = io.BytesIO(fill_template(template, {key: cells}))
    upload.name = "季报.xlsx"
    page = as_jining.post(f"/monitoring/periods/{period.pk}/upload/", {"file": upload}).content.decode()
    assert "已导入" in page or "导入成功" in page, page
    revision = ReportRevision.objects.get(report__period=period)
    assert revision.provenance == "import" and set(revision.figures) == set(GOOD)


def test_a_refused_upload_offers_the_marked_workbook_to_its_uploader_only(period, as_jining, as_jinan):
    template = as_jining.get(f"/monitoring/periods/{period.pk}/template.xlsx").content
    indicators = list(period.indicators.order_by("code"))
    key = read_sheet(template)[5][0]
    upload = io.BytesIO(fill_template(template, {key: {column_of("revenue", "current", indicators): "约五百亿"}}))
    upload.name = "季报.xlsx"
    response = as_jining.post(f"/monitoring/periods/{period.pk}/upload/", {"file": upload})
    page = response.content.decode()
    assert "不是数字" in page
    token = response.context["annotated"]
    marked = as_jining.get(f"/monitoring/uploads/{token}.xlsx")
    assert "审核结果" in CalamineWorkbook.from_filelike(io.BytesIO(b"".join(marked.streaming_content))).sheet_names
    assert as_jinan.get(f"/monitoring/uploads/{token}.xlsx").status_code == 404
    assert not period_figures(period)


def test_the_reminder_list_names_who_has_not_submitted(period, as_province):
    response = as_province.get(f"/monitoring/periods/{period.pk}/reminders.xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    text = "".join(str(cell) for row in rows for cell in row)
    assert "任城测试集群" in text and "历下测试集群" in text


def test_only_the_province_opens_a_period_and_bad_input_is_named(as_province, as_jining):
    programme = Programme.objects.get(code="SD-SEI-2020")
    data = {"programme": programme.pk, "year": 2031, "quarter": 1, "deadline": "2031-04-15"}
    assert as_jining.post("/monitoring/", data).status_code == 404
    page = as_province.post("/monitoring/", {**data, "year": "明年"}).content.decode()
    assert "整数" in page or "数字" in page
    assert not ReportingPeriod.objects.filter(year=2031).exists()
    as_province.post("/monitoring/", data)
    assert ReportingPeriod.objects.filter(programme=programme, year=2031, quarter=1,
                                          deadline=datetime.date(2031, 4, 15)).exists()


def test_the_rollup_sums_approved_reports_by_city(rencheng, jining_officer, province_admin, as_province, as_jinan):
    locked(rencheng, jining_officer, province_admin)
    page = as_province.get(f"/monitoring/periods/{rencheng.period.pk}/rollup/").content.decode()
    assert "济宁市" in page and "5,200,000" in page
    assert "济宁市" not in as_jinan.get(f"/monitoring/periods/{rencheng.period.pk}/rollup/").content.decode()


def test_indicators_are_edited_by_the_province_only(as_province, as_jining):
    from jiqun.programmes.models import Indicator

    indicator = Indicator.objects.get(code="revenue")
    assert as_jining.get(f"/monitoring/indicators/{indicator.pk}/edit/").status_code == 404
    assert "主营业务收入" in as_province.get("/monitoring/indicators/").content.decode()


def test_a_cluster_report_shows_its_members_sum_and_warns_of_double_counting(as_jining):
    import datetime as dt

    from jiqun.clusters.tests.factories import make_cluster, make_enterprise
    from jiqun.enterprises.services import membership_set
    from jiqun.monitoring.services import period_open
    from jiqun.programmes.models import Indicator

    programme = Programme.objects.create(code="TEST-ENT", name="企业填报测试", document_title="测试", source_file="x",
                                         scope="province", period_start=2024, period_end=2026, pack_hash="x")
    first, second = make_cluster("370811", name="成员汇总集群"), make_cluster("370811", name="另一集群")
    for cluster in (first, second):
        cluster.programme = programme
        cluster.save()
    shared = make_enterprise("370811", name="两群共有企业", cluster=first)
    membership_set(actor=None, enterprise=shared, cluster=second)
    make_enterprise("370811", name="单群企业", cluster=first)
    period = period_open(actor=None, programme=programme, year=2025, quarter=2, deadline=dt.date(2025, 7, 15),
                         indicators=Indicator.objects.filter(code__in=["revenue", "employees"]), enterprise_level=True)
    for report in period.reports.filter(enterprise__isnull=False):
        report_values_save(actor=None, report=report, check_permission=False,
                           values={"revenue": {"current": 1000, "previous": 900}, "employees": {"current": 50}})
    period.reports.filter(enterprise__isnull=False).update(status=ReportStatus.PROVINCE_APPROVED)
    page = as_jining.get(f"/monitoring/reports/{period.reports.get(cluster=first).pk}/").content.decode()
    assert "成员企业合计" in page and "2,000.00" in page
    assert "重复计入" in page and "两群共有企业" in page


def test_the_upload_form_shows_only_to_who_keeps_a_report_of_the_period(period, as_jining):
    from jiqun.conftest import client_for

    assert 'id="upload-form"' in as_jining.get(f"/monitoring/periods/{period.pk}/").content.decode()
    leader = client_for(User.objects.get(username="lingdao"))
    page = leader.get(f"/monitoring/periods/{period.pk}/").content.decode()
    assert 'id="upload-form"' not in page and "上传导入" not in page
