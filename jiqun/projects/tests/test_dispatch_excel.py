"""The dispatch's Excel template and import: one sheet of the unit's projects, all or nothing, errors by row and
column."""

import io
from decimal import Decimal

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from jiqun.conftest import client_for
from jiqun.projects.dispatch_excel import (
    COL,
    DATA_SHEET,
    FIRST_DATA_ROW,
    DispatchImporter,
    build_dispatch_template,
)
from jiqun.projects.models import Dispatch
from jiqun.projects.tests.dispatch_helpers import TODAY, dispatch_of, make_project, open_period, user

pytestmark = pytest.mark.django_db


def _sheets(content: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def _rebuild(sheets: dict[str, list[list]], edits: dict[tuple[int, str], object]) -> bytes:
    """The workbook with some cells changed, as a user's spreadsheet program would save it."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value not in (None, ""):
                    sheet.write(r, c, value)
        for (r, key), value in edits.items():
            if name == DATA_SHEET:
                sheet.write(r, COL[key], value)
        if name == "_meta":
            sheet.hide()
    book.close()
    return output.getvalue()


def _import(content: bytes, period, who: str = "rencheng"):
    return DispatchImporter(user=user(who), content=content, file_name="调度.xlsx", period=period).run()


def test_the_template_lists_the_units_projects_and_a_filled_one_imports_whole():
    own, other = make_project(), make_project(name="兖州区项目", region="370812")
    period = open_period(1)
    content = build_dispatch_template(user=user("rencheng"), period=period)
    sheets = _sheets(content)
    codes = [row[0] for row in sheets[DATA_SHEET][FIRST_DATA_ROW:]]
    assert own.code in codes and other.code not in codes
    row = FIRST_DATA_ROW + codes.index(own.code)
    result = _import(_rebuild(sheets, {(row, "completed_ytd"): 15000, (row, "progress"): "桩基完成",
                                       (row, "stage_to"): "储备", (row, "stage_on"): TODAY.isoformat(),
                                       (row, "kind"): "资金", (row, "description"): "银团贷款未到位",
                                       (row, "responsible_unit"): "任城区财政局", (row, "deadline"): "2027-06-30"}),
                     period)
    assert not result.problems and result.saved == 1
    dispatch = dispatch_of(own, period)
    assert dispatch.completed_ytd == Decimal("15000") and dispatch.stage_to == "reserve"
    assert dispatch.new_constraints == [{"kind": "funding", "description": "银团贷款未到位",
                                         "responsible_unit": "任城区财政局", "deadline": "2027-06-30"}]
    assert "rencheng" in dispatch.filled_by


def test_a_file_with_any_refused_row_writes_nothing_and_names_row_and_column():
    first, second = make_project(), make_project(name="第二个项目")
    period = open_period(1)
    sheets = _sheets(build_dispatch_template(user=user("rencheng"), period=period))
    codes = [row[0] for row in sheets[DATA_SHEET][FIRST_DATA_ROW:]]
    good, bad = FIRST_DATA_ROW + codes.index(first.code), FIRST_DATA_ROW + codes.index(second.code)
    result = _import(_rebuild(sheets, {(good, "completed_ytd"): 1000, (good, "stage_to"): "储备",
                                       (good, "stage_on"): "明天", (bad, "completed_ytd"): 999999}), period)
    reasons = {(p.row, p.col): p.reason for p in result.problems}
    assert f"第 {bad + 1} 行：项目“第二个项目”（{second.code}）“本年累计完成投资（万元）”：999999 万元大于项目总投资" in \
        reasons[(bad + 1, COL["completed_ytd"] + 1)]
    assert "“达到日期”：“明天”不是日期" in reasons[(good + 1, COL["stage_on"] + 1)]
    assert not Dispatch.objects.filter(period=period, completed_ytd__isnull=False).exists()


def test_a_stage_jump_is_refused_by_row_and_column():
    project = make_project()
    period = open_period(1)
    sheets = _sheets(build_dispatch_template(user=user("rencheng"), period=period))
    row = FIRST_DATA_ROW + [r[0] for r in sheets[DATA_SHEET][FIRST_DATA_ROW:]].index(project.code)
    result = _import(_rebuild(sheets, {(row, "stage_to"): "开工", (row, "stage_on"): TODAY.isoformat()}), period)
    assert [(p.row, p.col) for p in result.problems] == [(row + 1, COL["stage_to"] + 1)]
    assert "阶段须逐级推进" in result.problems[0].reason


def test_not_a_workbook_and_another_units_project_are_refused():
    make_project()
    other = make_project(name="兖州区项目", region="370812")
    period = open_period(1)
    assert "不是 .xlsx 格式" in _import(b"hello", period).problems[0].reason
    sheets = _sheets(build_dispatch_template(user=user("rencheng"), period=period))
    sheets[DATA_SHEET].append([other.code, "兖州区项目"] + [""] * 5 + [100])
    result = _import(_rebuild(sheets, {}), period)
    assert any(f"项目编号 {other.code} 不是本报告期您要填报的项目" in p.reason for p in result.problems)


def test_the_upload_page_imports_and_only_the_projects_filers_reach_it():
    project = make_project()
    period = open_period(1)
    client = client_for(user("rencheng"))
    template = client.get(f"/projects/dispatch/periods/{period.pk}/template.xlsx")
    sheets = _sheets(template.content)
    row = FIRST_DATA_ROW + [r[0] for r in sheets[DATA_SHEET][FIRST_DATA_ROW:]].index(project.code)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("调度.xlsx", _rebuild(sheets, {(row, "completed_ytd"): 2500}))
    page = client.post(f"/projects/dispatch/periods/{period.pk}/upload/", {"file": upload}).content.decode()
    assert "已导入" in page and dispatch_of(project, period).completed_ytd == Decimal("2500")
    assert client_for(user("jinan")).get(f"/projects/dispatch/periods/{period.pk}/upload/").status_code == 404


def test_the_command_lists_writes_the_template_and_refuses_a_bad_file(tmp_path):
    import json

    from django.core.management import CommandError, call_command

    project = make_project()
    period = open_period(1)
    out = io.StringIO()
    call_command("dispatch", "list", "--period", str(period.pk), "--user", "rencheng", "--json", stdout=out)
    assert project.code in [row["project"] for row in json.loads(out.getvalue())]
    template = tmp_path / "调度.xlsx"
    call_command("dispatch", "template", "--period", str(period.pk), "--user", "rencheng", "--output", str(template),
                 stdout=io.StringIO())
    sheets = _sheets(template.read_bytes())
    row = FIRST_DATA_ROW + [r[0] for r in sheets[DATA_SHEET][FIRST_DATA_ROW:]].index(project.code)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_rebuild(sheets, {(row, "completed_ytd"): "五千"}))
    with pytest.raises(CommandError, match="“本年累计完成投资（万元）”：“五千”不是数字"):
        call_command("dispatch", "import", str(bad), "--period", str(period.pk), "--user", "rencheng")
    assert dispatch_of(project, period).completed_ytd is None
    with pytest.raises(CommandError, match="报告期 999999 不存在"):
        call_command("dispatch", "list", "--period", "999999", "--user", "rencheng")
