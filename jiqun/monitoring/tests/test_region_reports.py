"""A region's 综合表: opened with the period, asks only region-level indicators, filled by the city's officers
(the province's by a province administrator), approved by another officer then the province, hidden elsewhere."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from python_calamine import CalamineWorkbook

from jiqun.accounts.models import Role, User
from jiqun.audit.models import AuditEvent
from jiqun.conftest import client_for
from jiqun.monitoring.models import Report, ReportStatus
from jiqun.monitoring.selectors import report_indicators
from jiqun.monitoring.services import (
    report_approve_city,
    report_approve_for_city,
    report_approve_province,
    report_submit,
    report_values_save,
)
from jiqun.monitoring.tests.helpers import GOOD, SEVEN, period_figures, provenance_of, values
from jiqun.monitoring.tests.region_helpers import (
    JINING,
    REGION_CODES,
    REGION_GOOD,
    cluster_report,
    open_city_period,
    open_province_period,
    region_report,
    region_values,
    second_officer,
)

pytestmark = pytest.mark.django_db


def form_data(pairs: dict[str, tuple[str, str]], action: str = "save", base: int = 0) -> dict[str, str]:
    data = {"action": action, "base_revision": str(base)}
    for code, (current, previous) in pairs.items():
        data[f"{code}-current"], data[f"{code}-previous"] = current, previous
    return data


def written(period) -> tuple:
    """What a refused write must leave as it was."""
    return period_figures(period), AuditEvent.objects.exclude(action="denied").count()


# Opening and the indicators asked -------------------------------------------------------------------


def test_a_city_period_with_a_region_indicator_opens_the_citys_综合表():
    period = open_city_period()
    report = region_report(period)
    assert report.subject_name == "济宁市综合表" and report.status == ReportStatus.DRAFT
    assert period.reports.filter(region__isnull=False).count() == 1


def test_a_period_without_region_indicators_opens_no_综合表():
    period = open_city_period(codes=SEVEN)
    assert not period.reports.filter(region__isnull=False).exists()


def test_a_province_wide_period_opens_the_provinces_综合表():
    period = open_province_period()
    assert region_report(period, "370000").subject_name == "山东省综合表"


def test_each_report_asks_only_its_level_of_indicators():
    period = open_city_period()
    assert list(report_indicators(region_report(period)).values_list("code", flat=True)) == sorted(REGION_CODES)
    assert list(report_indicators(cluster_report(period)).values_list("code", flat=True)) == sorted(SEVEN)


# Who sees, fills and approves ------------------------------------------------------------------------


def test_the_city_fills_and_another_city_officer_then_the_province_approve(jining_officer, province_admin):
    report = region_report(open_city_period())
    report_values_save(actor=jining_officer, report=report, values=region_values())
    report_submit(actor=jining_officer, report=report)
    with pytest.raises(PermissionDenied, match="填报与审核分离"):
        report_approve_city(actor=jining_officer, report=report)
    report_approve_city(actor=second_officer(), report=report)
    report_approve_province(actor=province_admin, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.PROVINCE_APPROVED
    assert list(report.events.values_list("action", flat=True)) == ["submit", "approve_city", "approve_province"]


def test_the_province_does_not_fill_a_citys_综合表(province_admin):
    report = region_report(open_city_period())
    with pytest.raises(PermissionDenied):
        report_values_save(actor=province_admin, report=report, values=region_values())
    assert not period_figures(report.period)


def test_the_provinces_综合表_is_filled_by_one_admin_and_approved_by_another_through_代市级审核(province_admin,
                                                                                       jining_officer):
    report = region_report(open_province_period(), "370000")
    report_values_save(actor=province_admin, report=report, values={"region_rd_intensity": {"current": "2.31", "previous": "2.22"}})
    report_submit(actor=province_admin, report=report)
    other = second_officer("370000", Role.PROVINCE_ADMIN, "sheng2")
    with pytest.raises(PermissionDenied):
        report_approve_city(actor=jining_officer, report=report)  # no city reviews the province's figures
    with pytest.raises(PermissionDenied, match="填报与审核分离"):
        report_approve_for_city(actor=province_admin, report=report, reason="全省综合表无市级审核")
    report_approve_for_city(actor=other, report=report, reason="全省综合表无市级审核")
    report_approve_province(actor=other, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.PROVINCE_APPROVED


@pytest.mark.parametrize("username", ["jinan", "rencheng", "jiqun_org", "qiye", "zhuanjia", "xitong"])
def test_it_hides_the_综合表_from_other_cities_counties_clusters_and_enterprises(username):
    report = region_report(open_city_period())
    user = User.objects.get(username=username)
    assert not Report.objects.for_user(user).filter(pk=report.pk).exists()


def test_another_citys_officer_gets_404_on_the_page_and_the_api(api_jinan):
    report = region_report(open_city_period())
    as_jinan = client_for(User.objects.get(username="jinan"))
    assert as_jinan.get(f"/monitoring/reports/{report.pk}/").status_code == 404
    assert as_jinan.post(f"/monitoring/reports/{report.pk}/", form_data(REGION_GOOD)).status_code == 404
    assert api_jinan.get(f"/api/v1/reports/{report.pk}").status_code == 404
    assert not period_figures(report.period)


def test_a_county_officer_neither_sees_nor_fills_its_citys_综合表():
    report = region_report(open_city_period())
    rencheng = User.objects.get(username="rencheng")
    assert client_for(rencheng).get(f"/monitoring/reports/{report.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        report_values_save(actor=rencheng, report=report, values=region_values())


def test_the_province_and_a_leader_see_the_citys_综合表(province_admin):
    report = region_report(open_city_period())
    assert Report.objects.for_user(province_admin).filter(pk=report.pk).exists()
    assert Report.objects.for_user(User.objects.get(username="lingdao")).filter(pk=report.pk).exists()


# The web form ----------------------------------------------------------------------------------------


def test_the_city_fills_and_submits_its_综合表_through_the_page(as_jining):
    report = region_report(open_city_period())
    page = as_jining.get(f"/monitoring/reports/{report.pk}/").content.decode()
    assert "济宁市综合表" in page and "全市制造业营业收入" in page
    assert 'name="manufacturing_operating_revenue-current"' in page and 'name="revenue-current"' not in page
    as_jining.post(f"/monitoring/reports/{report.pk}/", form_data(REGION_GOOD))
    assert provenance_of(report, "power_capacity") == "form"
    page = as_jining.post(f"/monitoring/reports/{report.pk}/", form_data(REGION_GOOD, "submit", base=1),
                          follow=True).content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED, page


def test_a_cluster_field_posted_to_the_综合表_is_not_stored(as_jining):
    report = region_report(open_city_period())
    as_jining.post(f"/monitoring/reports/{report.pk}/", form_data({**REGION_GOOD, **GOOD}))
    assert set(period_figures(report.period)[report.pk]) == set(REGION_CODES)


def test_a_cluster_report_refuses_a_region_level_code_naming_it_and_the_report(jining_officer):
    period = open_city_period()
    report, before = cluster_report(period), written(period)
    with pytest.raises(ValidationError) as refused:
        report_values_save(actor=jining_officer, report=report, values={**values(GOOD), **region_values()})
    message = " ".join(refused.value.messages)
    assert "全市制造业营业收入" in message and "任城测试集群" in message and "综合表" in message
    assert written(period) == before


def test_the_综合表_refuses_a_cluster_level_code_naming_it_and_the_report(jining_officer):
    period = open_city_period()
    report, before = region_report(period), written(period)
    with pytest.raises(ValidationError) as refused:
        report_values_save(actor=jining_officer, report=report, values={"revenue": {"current": "1"}})
    message = " ".join(refused.value.messages)
    assert "主营业务收入" in message and "济宁市综合表" in message
    assert written(period) == before


def test_the_综合表_is_checked_against_its_own_indicators_only(jining_officer):
    report = region_report(open_city_period())
    report_values_save(actor=jining_officer, report=report,
                       values=region_values({**REGION_GOOD, "power_capacity": ("-5", "1580")}))
    with pytest.raises(ValidationError) as refused:
        report_submit(actor=jining_officer, report=report)
    assert any("发电装机" in m or "装机" in m for m in refused.value.messages), refused.value.messages
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


# Pages around it ---------------------------------------------------------------------------------------


def test_the_period_page_lists_the_综合表_as_its_own_row(as_jining, as_jinan):
    period = open_city_period()
    page = as_jining.get(f"/monitoring/periods/{period.pk}/").content.decode()
    assert "济宁市综合表" in page and 'class="region-report"' in page
    assert "济宁市综合表" not in as_jinan.get(f"/monitoring/periods/{period.pk}/").content.decode()


def test_the_reminder_list_names_the_综合表(as_province):
    period = open_city_period()
    response = as_province.get(f"/monitoring/periods/{period.pk}/reminders.xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert ["济宁市综合表", "济宁市"] in [row[:2] for row in rows]


def test_the_city_officer_can_upload_for_a_period_where_it_keeps_only_the_综合表(jining_officer):
    from jiqun.monitoring.permissions import can_fill_period

    period = open_city_period()
    Report.objects.filter(period=period, cluster__isnull=False).delete()
    assert can_fill_period(jining_officer, period)
    assert not can_fill_period(User.objects.get(username="jinan"), period)
    assert JINING == region_report(period).region_id


def test_the_indicator_catalogue_shows_each_indicators_level(as_jining):
    page = as_jining.get("/monitoring/indicators/").content.decode()
    assert 'id="level-power_capacity">区域综合表填报<' in page and 'id="level-revenue">集群填报<' in page


def test_the_report_page_explains_who_approves_the_综合表(as_jining, as_province):
    city = region_report(open_city_period())
    assert "本市另一位用户市级审核" in as_jining.get(f"/monitoring/reports/{city.pk}/").content.decode()
    province = region_report(open_province_period(), "370000")
    assert "无市级审核环节" in as_province.get(f"/monitoring/reports/{province.pk}/").content.decode()
