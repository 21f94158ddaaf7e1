"""The one text rule on report texts: a control character in a note, comment or reason is refused, naming it.

The report page reads these straight from POST (no form), the API through its schemas and the importer from
cells; the services refuse them too, so each way in is refused with the same Chinese message and nothing is
written (PostgreSQL would refuse a NUL with a server error).
"""

import io
import json

import pytest
from django.test import Client

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.conftest import token_client
from jiqun.monitoring.excel import DATA_SHEET
from jiqun.monitoring.importer import ReportImporter
from jiqun.monitoring.models import CorrectionRequest, Report, ReportEvent, ReportStatus
from jiqun.monitoring.services import (
    report_approve_city,
    report_approve_province,
    report_submit,
    report_values_save,
)
from jiqun.monitoring.tests.helpers import GOOD, column_of, county, fill_template, read_sheet, values

pytestmark = pytest.mark.django_db

NUL = "\x00"
REFUSED = "含有不允许的控制字符 U+0000"


def rencheng_user() -> User:
    return User.objects.get(username="rencheng")


def submitted(report: Report, jining: User) -> Report:
    """Filled by the county officer (so the city may approve it) and submitted."""
    report_values_save(actor=rencheng_user(), report=report, values=values(GOOD))
    report_submit(actor=county(), report=report)
    report.refresh_from_db()
    return report


def locked(report: Report, jining: User, province: User) -> Report:
    submitted(report, jining)
    report_approve_city(actor=jining, report=report)
    report_approve_province(actor=province, report=report)
    report.refresh_from_db()
    return report


def state(report: Report) -> tuple:
    """What a refused note, comment or reason must leave as it was."""
    fresh = Report.objects.get(pk=report.pk)
    return (fresh.status, fresh.revision, json.dumps(fresh.figures, sort_keys=True),
            ReportEvent.objects.filter(report=report).count(), CorrectionRequest.objects.count(),
            list(CorrectionRequest.objects.values_list("status", "decision_comment")),
            AuditEvent.objects.exclude(action="denied").count())


def page_post(client: Client, report: Report, data: dict[str, str]) -> str:
    response = client.post(f"/monitoring/reports/{report.pk}/", data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def api_put(client: Client, report: Report, body: dict) -> object:
    return client.put(f"/api/v1/reports/{report.pk}/values", data=json.dumps(body), content_type="application/json",
                      headers={"If-Match": f'"{Report.objects.get(pk=report.pk).revision}"'})


def api_post(client: Client, url: str, body: dict) -> object:
    return client.post(url, data=json.dumps(body), content_type="application/json")


# The report page ----------------------------------------------------------------------------------------


def test_it_refuses_a_nul_in_a_note_on_the_page_and_saves_nothing(rencheng):
    client = Client()
    client.force_login(rencheng_user())
    before = state(rencheng)
    data = {"action": "save", "base_revision": "0", "revenue-note": f"口径{NUL}调整"}
    for code, (current, previous) in GOOD.items():
        data[f"{code}-current"], data[f"{code}-previous"] = current, previous
    page = page_post(client, rencheng, data)
    assert "主营业务收入说明：" + REFUSED + "（第 3 个字符）" in page
    assert state(rencheng) == before


def test_it_refuses_a_nul_in_an_approval_comment_on_the_page_and_changes_nothing(rencheng, jining_officer,
                                                                                as_jining):
    submitted(rencheng, jining_officer)
    before = state(rencheng)
    page = page_post(as_jining, rencheng, {"action": "approve", "comment": f"无{NUL}误"})
    assert "市级审核通过意见：" + REFUSED in page
    assert state(rencheng) == before and before[0] == ReportStatus.SUBMITTED


@pytest.mark.parametrize(("action", "client_name", "where"), [
    ("return", "as_jining", "退回理由："),
    ("approve_for_city", "as_province", "代市级审核理由："),
])
def test_it_refuses_a_nul_in_a_reason_on_the_page_and_changes_nothing(rencheng, jining_officer, request, action,
                                                                     client_name, where):
    submitted(rencheng, jining_officer)
    before = state(rencheng)
    page = page_post(request.getfixturevalue(client_name), rencheng, {"action": action, "reason": f"数据{NUL}有误"})
    assert where + REFUSED in page
    assert state(rencheng) == before


def test_it_refuses_a_nul_in_a_correction_reason_and_decision_comment_on_the_page(rencheng, jining_officer,
                                                                                  province_admin, as_jining,
                                                                                  as_province):
    locked(rencheng, jining_officer, province_admin)
    before = state(rencheng)
    page = page_post(as_jining, rencheng, {"action": "correct", "corr-revenue-current": "5300000",
                                           "reason": f"漏报{NUL}"})
    assert "更正理由：" + REFUSED in page
    assert state(rencheng) == before

    page_post(as_jining, rencheng, {"action": "correct", "corr-revenue-current": "5300000", "reason": "漏报"})
    correction = CorrectionRequest.objects.get(report=rencheng)
    before = state(rencheng)
    page = page_post(as_province, rencheng, {"action": "correction_approve", "correction": str(correction.pk),
                                             "comment": f"同{NUL}意"})
    assert "审批意见：" + REFUSED in page
    assert state(rencheng) == before and before[5] == [("pending", "")]


# The API ------------------------------------------------------------------------------------------------


def test_it_refuses_a_nul_in_a_note_or_an_indicator_code_through_the_api(rencheng):
    client = token_client(rencheng_user())
    before = state(rencheng)
    body = {code: {"current": c, "previous": p} for code, (c, p) in GOOD.items()}
    noted = api_put(client, rencheng, {**body, "revenue": {**body["revenue"], "note": f"口径{NUL}调整"}})
    assert noted.status_code == 422 and REFUSED in noted.json()["detail"]
    keyed = api_put(client, rencheng, {**body, f"reve{NUL}nue": {"current": "1"}})
    assert keyed.status_code == 422 and REFUSED in keyed.json()["detail"]
    assert state(rencheng) == before


@pytest.mark.parametrize("action", ["approve", "return"])
def test_it_refuses_a_nul_in_a_comment_or_reason_through_the_api(rencheng, jining_officer, api_jining, action):
    submitted(rencheng, jining_officer)
    before = state(rencheng)
    response = api_post(api_jining, f"/api/v1/reports/{rencheng.pk}/transitions",
                        {"action": action, "comment": f"数据{NUL}有误"})
    assert response.status_code == 422 and REFUSED in response.json()["detail"]
    assert state(rencheng) == before


def test_it_refuses_a_nul_in_a_correction_reason_and_decision_comment_through_the_api(rencheng, jining_officer,
                                                                                     province_admin, api_jining,
                                                                                     api_province):
    locked(rencheng, jining_officer, province_admin)
    before = state(rencheng)
    url = f"/api/v1/reports/{rencheng.pk}/corrections"
    refused = api_post(api_jining, url, {"changes": {"revenue": {"current": "5300000"}}, "reason": f"漏报{NUL}"})
    assert refused.status_code == 422 and REFUSED in refused.json()["detail"]
    assert state(rencheng) == before

    created = api_post(api_jining, url, {"changes": {"revenue": {"current": "5300000"}}, "reason": "漏报"})
    before = state(rencheng)
    decision = api_post(api_province, f"/api/v1/corrections/{created.json()['id']}/decision",
                        {"approve": True, "comment": f"同{NUL}意"})
    assert decision.status_code == 422 and REFUSED in decision.json()["detail"]
    assert state(rencheng) == before


# The Excel import ---------------------------------------------------------------------------------------


def filled_workbook(period, user: User, note: str = "", name: str | None = None) -> tuple[bytes, int, int, int]:
    """The user's template with GOOD figures in its first row and this note (and name): content, row, columns."""
    client = Client()
    client.force_login(user)
    template = client.get(f"/monitoring/periods/{period.pk}/template.xlsx").content
    indicators = list(period.indicators.order_by("code"))
    rows = read_sheet(template)
    header = next(i for i, row in enumerate(rows) if row and row[0] == "编码")
    key = rows[5][0]
    note_col = max(i for i, text in enumerate(rows[header]) if str(text).startswith("说明"))
    cells: dict[int, object] = {note_col: note}
    if name is not None:
        cells[1] = name
    for code, (current, previous) in GOOD.items():
        cells[column_of(code, "current", indicators)] = float(current)
        cells[column_of(code, "previous", indicators)] = float(previous)
    return fill_template(template, {key: cells}), 6, note_col + 1, 2


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f"])
def test_it_refuses_a_control_character_in_an_imported_note_naming_the_cell(period, jining_officer, char):
    content, row, note_column, _name_column = filled_workbook(period, jining_officer, note=f"口径{char}调整")
    before = state(period.reports.first())
    result = ReportImporter(user=jining_officer, content=content, file_name="季报.xlsx", period=period).run()
    assert not result.ok and result.batch is None
    letter = chr(ord("A") + note_column - 1)
    code = f"U+{ord(char):04X}"
    assert f"{DATA_SHEET} 第{row}行 {letter}列：说明含有不允许的控制字符 {code}（第 3 个字符）" in [
        str(p)[:len(f"{DATA_SHEET} 第{row}行 {letter}列：说明含有不允许的控制字符 {code}（第 3 个字符）")]
        for p in result.problems], [str(p) for p in result.problems]
    assert state(period.reports.first()) == before
    assert not Report.objects.filter(period=period, revisions__isnull=False).exists()


def test_it_refuses_a_control_character_in_an_imported_name_naming_the_cell(period, jining_officer):
    content, row, _note_column, name_column = filled_workbook(period, jining_officer, name="任城\x1b测试集群")
    result = ReportImporter(user=jining_officer, content=content, file_name="季报.xlsx", period=period).run()
    assert any(str(p).startswith(f"{DATA_SHEET} 第{row}行 B列：名称含有不允许的控制字符 U+001B")
               for p in result.problems), [str(p) for p in result.problems]
    assert not Report.objects.filter(period=period, revisions__isnull=False).exists()


def test_it_refuses_a_control_character_in_an_uploaded_note_on_the_page(period, as_jining):
    content, row, note_column, _name_column = filled_workbook(period, User.objects.get(username="jining"),
                                                              note="口径\x1b调整")
    upload = io.BytesIO(content)
    upload.name = "季报.xlsx"
    page = as_jining.post(f"/monitoring/periods/{period.pk}/upload/", {"file": upload}).content.decode()
    assert "说明含有不允许的控制字符 U+001B" in page
    assert not Report.objects.filter(period=period, revisions__isnull=False).exists()
