"""The dashboards' stored figures are the approved-figures selector's, follow approvals and corrections, and are
seen only by who may see their subject."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.conftest import client_for
from jiqun.dashboards.charts import Chart, Series
from jiqun.dashboards.models import FigureSummary, SummaryState
from jiqun.dashboards.selectors import Summaries
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.monitoring.models import CorrectionRequest, Report, ReportStatus
from jiqun.monitoring.services import correction_decide, correction_request_create, report_approve_province
from jiqun.monitoring.tests.helpers import read_sheet
from jiqun.programmes.models import Programme

pytestmark = pytest.mark.django_db
JINING = "JN-2020-231"


def _user(name: str) -> User:
    return User.objects.get(username=name)


def test_every_stored_figure_is_the_selectors():
    programme = Programme.objects.get(code=JINING)
    figures = ApprovedFigures(programme)
    rows = FigureSummary.objects.filter(programme=programme, kind="region", region_id="370800")
    assert rows.filter(complete=True).count() > 20
    for row in rows:
        total = figures.total(figures.region("370800"), row.code, row.year, row.quarter)
        assert (row.current, row.previous, row.complete) == (total.current, total.previous, total.complete)
    for row in FigureSummary.objects.filter(programme=programme, kind="cluster", code="revenue"):
        total = figures.total(figures.cluster(row.cluster_id), "revenue", row.year, row.quarter)
        assert row.current == total.current and row.complete == total.complete


def test_a_province_approval_is_shown_at_the_next_read_and_a_correction_too():
    programme = Programme.objects.get(code=JINING)
    report = Report.objects.filter(period__programme=programme, status=ReportStatus.CITY_APPROVED,
                                   cluster__isnull=False).first()
    period = report.period
    before = FigureSummary.objects.get(programme=programme, kind="cluster", cluster=report.cluster, code="revenue",
                                       year=period.year, quarter=period.quarter)
    assert not before.complete
    report_approve_province(actor=_user("sheng"), report=report)
    assert not SummaryState.objects.get(programme=programme).fresh
    summaries = Summaries(_user("jining"), programme)
    assert summaries.state.fresh
    after = summaries.at("cluster", report.cluster_id, "revenue", period.year, period.quarter)
    expected = ApprovedFigures(programme).total(ApprovedFigures(programme).cluster(report.cluster_id), "revenue",
                                                period.year, period.quarter)
    assert after.complete and after.current == expected.current
    report.refresh_from_db()
    correction = correction_request_create(actor=_user("jining_tj"), report=report,
                                           changes={"revenue": {"current": after.current + 1}}, reason="笔误")
    correction_decide(actor=_user("sheng"), correction=CorrectionRequest.objects.get(pk=correction.pk), approve=True)
    corrected = Summaries(_user("jining"), programme).at("cluster", report.cluster_id, "revenue", period.year,
                                                         period.quarter)
    assert corrected.current == after.current + 1


def test_who_sees_which_figures():
    programme = Programme.objects.get(code=JINING)
    jining_region = FigureSummary.objects.filter(programme=programme, kind="region", region_id="370800")
    assert FigureSummary.objects.for_user(_user("jining")).filter(pk__in=jining_region).count() == jining_region.count()
    assert not FigureSummary.objects.for_user(_user("jinan")).filter(pk__in=jining_region).exists()
    assert FigureSummary.objects.for_user(_user("sheng")).filter(pk__in=jining_region).exists()
    org = FigureSummary.objects.for_user(_user("jiqun_org"))
    assert not org.exclude(kind="cluster").exists()  # its clusters' own figures (the demo's has no statistics)
    assert set(org.values_list("cluster_id", flat=True)) <= set(_user("jiqun_org").clusters.values_list("pk", flat=True))
    for name in ("zhuanjia", "qiye", "xitong", "shenji"):
        assert not FigureSummary.objects.for_user(_user(name)).exists()


def test_the_source_page_lists_the_reports_behind_a_figure_and_refuses_who_may_not_see_it():
    row = FigureSummary.objects.filter(programme__code=JINING, kind="region", region_id="370800", code="revenue",
                                       complete=True).order_by("-year", "-quarter").first()
    page = client_for(_user("jining")).get(f"/dashboards/figures/{row.pk}/", follow=True)
    assert page.status_code == 200 and page.redirect_chain[0][0] == row.source_url
    text = page.content.decode()
    assert f"{row.current:,.2f}" in text and text.count("/monitoring/reports/") >= 2
    assert client_for(_user("jinan")).get(f"/dashboards/figures/{row.pk}/").status_code == 404
    assert client_for(_user("jiqun_org")).get(f"/dashboards/figures/{row.pk}/").status_code == 404
    assert client_for(_user("jinan")).get(row.source_url).status_code == 404


def test_a_figures_address_still_opens_after_the_rebuild_replaced_its_row():
    row = FigureSummary.objects.filter(programme__code=JINING, kind="cluster", code="revenue",
                                       complete=True).first()
    address = row.source_url
    call_command("dashboards", "rebuild", "--programme", JINING, stdout=io.StringIO())
    assert not FigureSummary.objects.filter(pk=row.pk).exists()
    page = client_for(_user("jining")).get(address)
    assert page.status_code == 200 and f"{row.current:,.2f}" in page.content.decode()
    year, quarter = f"year={row.year}", f"quarter={row.quarter}"
    for broken in ("?programme=NOPE", address.replace("kind=cluster", "kind=planet"), address.replace("year=", "year=x"),
                   address.replace(year, year + "9999"), address.replace(quarter, "quarter=12"),
                   address.replace(quarter, "quarter=" + "1" * 5000), address.replace("key=", "key=" + "9" * 5000)):
        assert client_for(_user("jining")).get(broken if broken.startswith("/") else "/dashboards/figures/at/" + broken
                                              ).status_code == 404


def test_a_chart_gives_its_numbers_back_as_a_workbook_with_missing_as_a_dash():
    chart = Chart("revenue", "营业收入", "bar", ["甲", "乙"], [Series("2026年", [Decimal("12.5"), None])], unit="万元",
                  note="省级审核通过的季报")
    rows = read_sheet(chart.as_xlsx(), "图表数据")
    assert rows[0][0] == "营业收入" and rows[1] == ["项目", "2026年（万元）"]
    assert rows[2] == ["甲", 12.5] and rows[3] == ["乙", "—"]
    assert any("省级审核通过的季报" in str(r[0]) for r in rows[4:])
    with pytest.raises(ValueError):
        Chart("x", "x", "bar", ["甲"], [Series("s", [1, 2])])


def test_the_rebuild_command_names_each_programme_and_refuses_an_unknown_one():
    out = io.StringIO()
    call_command("dashboards", "rebuild", "--programme", JINING, stdout=out)
    assert out.getvalue().startswith(f"{JINING}: ")
    with pytest.raises(CommandError, match="没有编码为“NOPE”的培育工程"):
        call_command("dashboards", "rebuild", "--programme", "NOPE")
    assert not AuditEvent.objects.filter(object_type="dashboards.chart").exists()
