"""A 综合表 through the Excel template (a row keyed by the region's code) and through the API (subject, region,
values), and a figure of the other level refused in each, naming the indicator and the report."""

import io
import json

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.conftest import client_for
from jiqun.monitoring.excel import DATA_SHEET, FIRST_DATA_ROW
from jiqun.monitoring.importer import ReportImporter
from jiqun.monitoring.models import ImportBatch, Report, ReportStatus
from jiqun.monitoring.tests.helpers import (
    GOOD,
    column_of,
    fill_template,
    period_figures,
    provenance_of,
    read_sheet,
)
from jiqun.monitoring.tests.region_helpers import (
    JINING,
    REGION_CODES,
    REGION_GOOD,
    cluster_report,
    open_city_period,
    region_report,
)

pytestmark = pytest.mark.django_db


def template(client: Client, period) -> bytes:
    response = client.get(f"/monitoring/periods/{period.pk}/template.xlsx")
    assert response.status_code == 200
    return response.content


def cells(pairs: dict[str, tuple[str, str]], period) -> dict[int, float]:
    indicators = list(period.indicators.order_by("code"))
    filled = {}
    for code, (current, previous) in pairs.items():
        filled[column_of(code, "current", indicators)] = float(current)
        filled[column_of(code, "previous", indicators)] = float(previous)
    return filled


def upload(client: Client, period, content: bytes) -> str:
    file = io.BytesIO(content)
    file.name = "季报.xlsx"
    return client.post(f"/monitoring/periods/{period.pk}/upload/", {"file": file}).content.decode()


def written(period) -> tuple:
    return period_figures(period), ImportBatch.objects.count(), AuditEvent.objects.exclude(action="denied").count()


# Excel --------------------------------------------------------------------------------------------------


def test_the_template_has_a_row_for_the_综合表_keyed_by_the_region_code(as_jining):
    period = open_city_period()
    rows = read_sheet(template(as_jining, period))[FIRST_DATA_ROW:]
    assert [row[:3] for row in rows if row[0] == JINING] == [[JINING, "济宁市综合表", "济宁市"]]
    guide = CalamineWorkbook.from_filelike(io.BytesIO(template(as_jining, period))).get_sheet_by_name("填报说明")
    assert "综合表" in "".join(str(c) for row in guide.to_python() for c in row)


def test_a_county_officer_gets_no_综合表_row():
    period = open_city_period()
    rencheng = User.objects.get(username="rencheng")
    rows = read_sheet(template(client_for(rencheng), period))[FIRST_DATA_ROW:]
    assert JINING not in [row[0] for row in rows] and "任城测试集群" in [row[1] for row in rows]


def test_the_综合表_and_a_cluster_report_import_from_one_file(as_jining):
    period = open_city_period()
    content = fill_template(template(as_jining, period), {
        JINING: cells(REGION_GOOD, period), cluster_report(period).cluster.code: cells(GOOD, period)})
    page = upload(as_jining, period, content)
    assert "已导入 2 份报表" in page, page
    figures = period_figures(period)
    assert set(figures[region_report(period).pk]) == set(REGION_CODES)
    assert set(figures[cluster_report(period).pk]) == set(GOOD)
    assert provenance_of(region_report(period), "renewable_capacity") == "import"


def test_a_region_figure_on_a_cluster_row_is_refused_naming_the_indicator_and_the_report(as_jining):
    period = open_city_period()
    key = cluster_report(period).cluster.code
    content = fill_template(template(as_jining, period), {key: cells({**GOOD, "power_capacity": ("1", "1")}, period)})
    before = written(period)
    page = upload(as_jining, period, content)
    assert "文件未导入" in page and "电力装机规模" in page
    assert "“任城测试集群”不填报此项" in page and "区域级指标" in page, page
    assert written(period) == before


def test_a_cluster_figure_on_the_综合表_row_is_refused_naming_the_indicator_and_the_report(jining_officer):
    period = open_city_period()
    content = fill_template(template(client_for(jining_officer), period),
                            {JINING: cells({**REGION_GOOD, "revenue": ("5", "4")}, period)})
    before = written(period)
    result = ReportImporter(user=jining_officer, content=content, file_name="季报.xlsx", period=period).run()
    shown = [str(p) for p in result.problems]
    indicators = list(period.indicators.order_by("code"))
    column = xl_col_to_name(column_of("revenue", "current", indicators))
    assert any("主营业务收入" in s and "“济宁市综合表”不填报此项" in s and f"{column}列" in s for s in shown), shown
    assert written(period) == before


def test_another_city_cannot_import_into_the_综合表(as_jining, as_jinan):
    period = open_city_period()
    content = fill_template(template(as_jining, period), {JINING: cells(REGION_GOOD, period)})
    response = as_jinan.post(f"/monitoring/periods/{period.pk}/upload/",
                             {"file": io.BytesIO(content)})
    assert response.status_code == 404  # jinan keeps no report of this 济宁 period
    assert not period_figures(period)


def test_the_data_sheet_of_a_template_shows_no_input_cells_for_another_levels_indicators(as_jining):
    period = open_city_period()
    rows = read_sheet(template(as_jining, period), DATA_SHEET)[FIRST_DATA_ROW:]
    indicators = list(period.indicators.order_by("code"))
    region_row = next(row for row in rows if row[0] == JINING)
    yoy = column_of("revenue", "current", indicators) + 2
    assert region_row[yoy] in ("", None)  # no 同比 formula in a column the 综合表 does not ask


# API ----------------------------------------------------------------------------------------------------


def put(client: Client, report: Report, body) -> object:
    report.refresh_from_db()
    return client.put(f"/api/v1/reports/{report.pk}/values", data=json.dumps(body), content_type="application/json",
                      headers={"If-Match": f'"{report.revision}"'})


REGION_BODY = {code: {"current": c, "previous": p} for code, (c, p) in REGION_GOOD.items()}


def test_the_api_lists_the_综合表_with_its_region(api_jining, api_jinan):
    period = open_city_period()
    items = api_jining.get(f"/api/v1/reports?period={period.pk}").json()["items"]
    region = next(i for i in items if i["region"] == JINING)
    assert region["subject"] == "济宁市综合表" and region["cluster"] is None and region["enterprise"] is None
    detail = api_jining.get(f"/api/v1/reports/{region['id']}").json()
    assert detail["region"] == JINING and detail["subject"] == "济宁市综合表"
    assert JINING not in [i["region"] for i in api_jinan.get(f"/api/v1/reports?period={period.pk}").json()["items"]]
    matrix = api_jining.get(f"/api/v1/periods/{period.pk}/matrix").json()["reports"]
    assert {"subject": "济宁市综合表", "region": JINING} in [{k: r[k] for k in ("subject", "region")} for r in matrix]


def test_the_api_fills_the_综合表(api_jining):
    report = region_report(open_city_period())
    response = put(api_jining, report, REGION_BODY)
    assert response.status_code == 200, response.content
    assert {v["indicator"] for v in response.json()["values"]} == set(REGION_CODES)
    assert provenance_of(report, "manufacturing_operating_revenue") == "api"


def test_the_api_refuses_a_cluster_code_on_the_综合表_by_name(api_jining):
    report = region_report(open_city_period())
    before = written(report.period)
    response = put(api_jining, report, {**REGION_BODY, "revenue": {"current": "1"}})
    assert response.status_code in (400, 422), response.content
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "主营业务收入" in text and "济宁市综合表" in text
    assert written(report.period) == before


def test_the_api_refuses_a_region_code_on_a_cluster_report_by_name(api_jining):
    period = open_city_period()
    report, before = cluster_report(period), written(period)
    response = put(api_jining, report, {"power_capacity": {"current": "1"}})
    assert response.status_code in (400, 422), response.content
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "任城测试集群" in text and "区域级指标" in text
    assert written(period) == before


def test_the_api_hides_the_综合表_from_another_city(api_jinan):
    report = region_report(open_city_period())
    assert put(api_jinan, report, REGION_BODY).status_code == 404
    assert api_jinan.post(f"/api/v1/reports/{report.pk}/transitions", data=json.dumps({"action": "submit"}),
                          content_type="application/json").status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and not period_figures(report.period)
