"""The pages and the Excel export: filters, forms refusing bad input in Chinese, files kept in scope."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from jiqun.audit.models import AuditEvent
from jiqun.programmes.models import Target, Task
from jiqun.targets.models import TargetOverride, TaskUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def target(programme: str, code: str) -> Target:
    return Target.objects.get(programme__code=programme, code=code)


def sheet_rows(content: bytes, name: str) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(name).to_python()


def test_the_overview_counts_by_programme(as_province):
    page = as_province.get("/targets/?as_of=2025-09-30").content.decode()
    assert "先进制造业集群培育工程" in page and 'id="programme-table"' in page and "计算方法" in page


def test_the_programme_page_filters_by_status(as_province):
    page = as_province.get("/targets/programme/SD-2023-185/?as_of=2025-09-30&status=on_track").content.decode()
    table = page.split('id="target-table"')[1]
    assert table.count('data-status="on_track"') >= 1
    assert 'data-status="behind"' not in table and 'data-status="achieved"' not in table
    assert "高端铝业集群主导产业产值" in table


def test_each_row_links_to_its_clause_and_its_figures(as_province):
    t05 = target("SD-2023-185", "T05")
    page = as_province.get("/targets/programme/SD-2023-185/?as_of=2025-09-30").content.decode()
    assert f'href="/targets/{t05.pk}/?as_of=2025-09-30"' in page
    assert "/programmes/SD-2023-185/source/?q=" in page
    detail = as_province.get(f"/targets/{t05.pk}/?as_of=2025-09-30").content.decode()
    assert "2025年1-9月合计" in detail and "/monitoring/reports/" in detail and "按序时折算" in detail


def test_bad_filters_are_named_and_ignored(as_province):
    response = as_province.get("/targets/programme/SD-2023-185/?as_of=2025-02-30&year=abc")
    page = response.content.decode()
    assert response.status_code == 200
    assert "截至日期应为 YYYY-MM-DD 格式的日期" in page and "输入整数" in page


def test_the_override_form_refuses_bad_input_and_changes_nothing(as_province):
    t05 = target("SD-2023-185", "T05")
    page = as_province.post(f"/targets/{t05.pk}/", {"value": "-5", "reason": "纪要", "action": "save"}).content.decode()
    assert "目标 SD-2023-185 T05：目标值不能为负数" in page
    page = as_province.post(f"/targets/{t05.pk}/", {"value": "abc", "reason": "", "action": "save"}).content.decode()
    assert "输入一个数字" in page and "这个字段是必填项" in page
    assert not TargetOverride.objects.exists()
    response = as_province.post(f"/targets/{t05.pk}/", {"value": "4500", "reason": "省政府批复", "action": "save"})
    assert response.status_code == 302 and TargetOverride.objects.get(target=t05).value == 4500
    assert "调整后" in as_province.get(f"/targets/{t05.pk}/").content.decode()


def test_a_city_cannot_post_an_adjustment(as_jining):
    t13 = target("JN-2020-231", "T13")
    assert as_jining.post(f"/targets/{t13.pk}/", {"value": "1", "reason": "x"}).status_code == 403  # it sees the target, so the refusal is 403
    assert not TargetOverride.objects.exists()


def test_the_task_form_reports_and_refuses(as_jining, as_jinan):
    k05 = Task.objects.get(programme__code="JN-2020-231", code="K05")
    page = as_jining.post(f"/targets/tasks/{k05.pk}/", {"status": "completed", "unit": "市工业和信息化局",
                                                         "progress": "规划已印发"}).content.decode()
    assert "报告“已完成”须附佐证材料" in page and not k05.updates.exists()
    evidence = SimpleUploadedFile("规划.pdf", b"%PDF-1.4 plan")
    response = as_jining.post(f"/targets/tasks/{k05.pk}/", {"status": "completed", "unit": "市工业和信息化局",
                                                             "progress": "规划已印发", "evidence_file": evidence})
    assert response.status_code == 302
    update = TaskUpdate.objects.get(task=k05)
    assert update.status == "completed" and update.evidence_name == "规划.pdf"
    download = as_jining.get(f"/targets/tasks/updates/{update.pk}/evidence/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 plan"
    assert as_jinan.get(f"/targets/tasks/updates/{update.pk}/evidence/").status_code == 404


def test_the_overdue_list(as_jining):
    page = as_jining.get("/targets/tasks/?overdue=1&programme=JN-2020-231").content.decode()
    assert "加快数字化改造" in page and "逾期" in page


def test_the_checklist_pages(as_jining):
    page = as_jining.get("/targets/checklists/").content.decode()
    assert "工程机械产业链" in page and "44%" in page  # the demo's 4 of 9
    from jiqun.targets.models import ChainChecklist

    sheet = ChainChecklist.objects.get(chain="工程机械产业链")
    page = as_jining.post(f"/targets/checklists/{sheet.pk}/", {"item_code": "5", "done": "on"}).content.decode()
    assert "第5项“一批产业链领航型企业”：标记为已落实须填写佐证材料" in page
    response = as_jining.post(f"/targets/checklists/{sheet.pk}/", {"item_code": "5", "done": "on",
                                                                    "evidence": "领航企业名单（济宁市工信局）"})
    assert response.status_code == 302
    assert "56%" in as_jining.get(f"/targets/checklists/{sheet.pk}/").content.decode()


def test_the_excel_export_carries_every_row_with_its_clause(as_province, jining_officer):
    from jiqun.targets.services import task_update_create

    task_update_create(actor=jining_officer, task=Task.objects.get(programme__code="JN-2020-231", code="K05"),
                       status="in_progress", progress="=HYPERLINK(\"http://x\")")
    response = as_province.get("/targets/programme/JN-2020-231/export.xlsx?as_of=2025-09-30")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response.content, "目标进度")
    header = rows[3]
    assert header[:3] == ["培育工程", "编号", "目标"] and "序时进度（%）" in header and "依据" in header
    t13 = next(r for r in rows[4:] if r[1] == "T13")
    assert t13[header.index("状态")] == "进度滞后" and "JN-2020-231" == t13[0]
    assert t13[header.index("依据")].endswith("二(一)1")
    tasks = sheet_rows(response.content, "任务督导")
    k05 = next(r for r in tasks if r[1] == "K05")
    assert k05[tasks[0].index("进展情况")].startswith("'=HYPERLINK")  # never a live formula
    assert AuditEvent.objects.filter(action="export", object_repr__startswith="目标进度 JN-2020-231").exists()
