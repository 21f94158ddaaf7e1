"""Writes: target adjustments, task updates with evidence, chain checklists. Refusals change nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.chains.services import chain_create
from jiqun.clusters.models import Cluster
from jiqun.programmes.models import ChecklistItem, Programme, Target, Task
from jiqun.regions.models import Region
from jiqun.targets.models import ChainChecklist, ChecklistEvidence, TargetOverride, TaskStatus, TaskUpdate
from jiqun.targets.permissions import task_units
from jiqun.targets.selectors import target_rows
from jiqun.targets.services import (
    checklist_create,
    checklist_evidence_set,
    target_override_clear,
    target_override_set,
    task_update_create,
)
from jiqun.targets.supervision import checklist_lines, completeness, task_rows, tasks_for
from jiqun.targets.tests.helpers import row_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def target(programme: str, code: str) -> Target:
    return Target.objects.get(programme__code=programme, code=code)


def task(programme: str, code: str) -> Task:
    return Task.objects.get(programme__code=programme, code=code)


# --- adjustments -----------------------------------------------------------------------------------

def test_the_province_adjusts_a_target_and_the_document_figure_stays(province_admin):
    t05 = target("SD-2023-185", "T05")
    target_override_set(actor=province_admin, target=t05, value=Decimal(4500), reason="省政府专题会议纪要〔2025〕1号")
    t05.refresh_from_db()
    assert t05.value == 5000 and t05.override.value == 4500
    row = row_of(target_rows(province_admin, as_of=datetime.date(2026, 3, 1),
                             programme=t05.programme), "T05")
    assert row.goal.adjusted and row.goal.value == 4500 and row.target.value == 5000
    assert AuditEvent.objects.filter(object_type="targets.targetoverride", object_id=str(t05.override.pk)).exists()
    target_override_set(actor=province_admin, target=t05, value=Decimal(4800), reason="再次调整")
    assert t05.override.history.count() == 2
    target_override_clear(actor=province_admin, target=t05)
    assert not TargetOverride.objects.filter(target=t05).exists()


def test_a_baseline_set_by_the_province_drives_progress(province_admin):
    t13 = target("JN-2020-231", "T13")
    target_override_set(actor=province_admin, target=t13, baseline_value=Decimal(10), baseline_year=2020,
                        reason="2020年统计年鉴")
    row = row_of(target_rows(province_admin, as_of=datetime.date(2025, 12, 31), programme=t13.programme), "T13")
    assert row.extra["baseline"].value == 10 and row.result.progress is not None
    assert row.extra["start"] == datetime.date(2020, 12, 31)


def test_only_the_province_adjusts_targets(jining_officer):
    with pytest.raises(PermissionDenied):
        target_override_set(actor=jining_officer, target=target("JN-2020-231", "T13"), value=Decimal(1), reason="x")
    assert not TargetOverride.objects.exists()


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"value": Decimal(-1), "reason": "纪要"}, "value", "目标值不能为负数"),
    ({"value": Decimal(1), "reason": " "}, "reason", "请填写调整依据"),
    ({"reason": "纪要"}, "__all__", "没有填写任何调整内容"),
    ({"baseline_value": Decimal(1), "reason": "纪要"}, "baseline_year", "基数和基数年份须同时填写"),
    ({"baseline_value": Decimal(1), "baseline_year": 2026, "reason": "纪要"}, "baseline_year", "应早于目标年 2025"),
    ({"year": 1999, "reason": "纪要"}, "year", "不在 2000—2100 之间"),
])
def test_bad_adjustments_name_the_target_and_change_nothing(province_admin, changes, field, words):
    with pytest.raises(ValidationError) as caught:
        target_override_set(actor=province_admin, target=target("SD-2023-185", "T05"), **changes)
    messages = caught.value.message_dict[field]
    assert any(words in m and "SD-2023-185 T05" in m for m in messages), messages
    assert not TargetOverride.objects.exists()


# --- tasks -----------------------------------------------------------------------------------------

def test_units_are_matched_by_organisation_and_by_generic_names(province_admin, jinan_officer, jining_officer):
    rencheng = User.objects.get(username="rencheng")
    assert task_units(province_admin, task("SD-2023-185", "K01")) == ["省工业和信息化厅"]
    assert task_units(jining_officer, task("JN-2020-231", "K01")) == ["市工业和信息化局"]
    assert task_units(rencheng, task("JN-2020-231", "K01")) == ["有关县市区、功能区"]
    assert task_units(jinan_officer, task("SD-2023-185", "K16")) == ["各市人民政府"]
    assert task_units(jinan_officer, task("SD-2023-185", "K01")) == []
    assert task_units(jinan_officer, task("JN-2020-231", "K01")) == []  # another city's programme
    assert task_units(User.objects.get(username="lingdao"), task("SD-2023-185", "K01")) == []  # read-only


def test_a_unit_reports_progress_and_the_task_moves(jining_officer):
    k05 = task("JN-2020-231", "K05")
    update = task_update_create(actor=jining_officer, task=k05, status=TaskStatus.IN_PROGRESS,
                                progress="新材料集群专班已组建")
    assert (update.from_status, update.status, update.unit) == ("not_started", "in_progress", "市工业和信息化局")
    assert AuditEvent.objects.filter(object_type="targets.taskupdate", object_id=str(update.pk)).exists()
    (row,) = task_rows(tasks_for(jining_officer).filter(pk=k05.pk), today=datetime.date(2025, 6, 1))
    assert row.status == "in_progress" and not row.overdue


def test_another_unit_is_refused_with_the_units_named(jinan_officer):
    k01 = task("SD-2023-185", "K01")
    with pytest.raises(PermissionDenied) as caught:
        task_update_create(actor=jinan_officer, task=k01, status="in_progress", progress="x")
    assert "济南市工业和信息化局" in str(caught.value) and "省工业和信息化厅" in str(caught.value)
    assert not TaskUpdate.objects.filter(task=k01, reported_by=jinan_officer).exists()


def test_completing_needs_evidence_and_is_final(jining_officer):
    k06 = task("JN-2020-231", "K06")
    with pytest.raises(ValidationError) as caught:
        task_update_create(actor=jining_officer, task=k06, status="completed", progress="已完成")
    assert "须附佐证材料" in caught.value.message_dict["evidence"][0]
    assert "JN-2020-231 K06" in caught.value.message_dict["evidence"][0]
    assert not k06.updates.exists()
    task_update_create(actor=jining_officer, task=k06, status="completed", progress="已完成",
                       evidence="济宁市医药产业集群发展规划（济政办字〔2024〕1号）")
    with pytest.raises(ValidationError, match="不能再改为"):
        task_update_create(actor=jining_officer, task=k06, status="in_progress", progress="重开")
    assert k06.updates.count() == 1


@pytest.mark.parametrize(("status", "progress", "unit", "field"), [
    ("done", "x", "", "status"), ("not_started", "x", "", "status"), ("in_progress", "  ", "", "progress"),
    ("in_progress", "x", "市财政局", "unit"),
])
def test_bad_task_updates_are_refused(jining_officer, status, progress, unit, field):
    k05 = task("JN-2020-231", "K05")
    with pytest.raises(ValidationError) as caught:
        task_update_create(actor=jining_officer, task=k05, status=status, progress=progress, unit=unit)
    assert field in caught.value.message_dict and "JN-2020-231 K05" in caught.value.message_dict[field][0]
    assert not k05.updates.exists()


def test_evidence_files_are_checked_and_kept_with_their_hash(jining_officer, tmp_path):
    k05 = task("JN-2020-231", "K05")
    bad = SimpleUploadedFile("run.exe", b"MZ")
    with pytest.raises(ValidationError, match="run.exe"):
        task_update_create(actor=jining_officer, task=k05, status="completed", progress="x", evidence_file=bad)
    assert not k05.updates.exists() and not any(tmp_path.rglob("*"))
    good = SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4 test")
    update = task_update_create(actor=jining_officer, task=k05, status="completed", progress="x", evidence_file=good)
    assert update.evidence_name == "验收报告.pdf" and len(update.sha256) == 64
    assert update.evidence_file.read() == b"%PDF-1.4 test"


def test_overdue_means_past_its_year_and_not_completed(jining_officer):
    tasks = tasks_for(jining_officer).filter(programme__code="JN-2020-231", code__in=["K09", "K06"])
    task_update_create(actor=jining_officer, task=task("JN-2020-231", "K06"), status="completed", progress="x",
                       evidence="验收纪要")
    rows = {r.task.code: r for r in task_rows(tasks, today=datetime.date(2024, 3, 1))}
    assert rows["K09"].overdue and not rows["K06"].overdue  # K09 was due in 2023
    assert rows["K09"].deadline == datetime.date(2023, 12, 31)


def test_a_city_programmes_tasks_stay_in_the_city(jinan_officer, jining_officer, province_admin):
    codes = lambda user: set(tasks_for(user).values_list("programme__code", flat=True))  # noqa: E731
    assert "JN-2020-231" in codes(jining_officer) and "JN-2020-231" in codes(province_admin)
    assert "JN-2020-231" not in codes(jinan_officer) and "SD-2023-185" in codes(jinan_officer)
    assert "JN-2020-231" in codes(User.objects.get(username="rencheng"))


# --- chain checklists ------------------------------------------------------------------------------

@pytest.fixture
def carbon_chain(jining_officer):
    cluster = Cluster.objects.get(programme__code="JN-2020-231", code="new-materials")
    return chain_create(actor=jining_officer, code="T-TXW", name="碳纤维产业链", clusters=[cluster],
                        region=Region.objects.get(code="370800"))


@pytest.fixture
def sheet(jining_officer, carbon_chain):
    programme = Programme.objects.get(code="JN-2020-231")
    cluster = Cluster.objects.get(programme=programme, code="new-materials")
    return checklist_create(actor=jining_officer, programme=programme, checklist_code="nine-ones", cluster=cluster,
                            chain=carbon_chain, region=Region.objects.get(code="370811"), chief="测试链长")


def test_a_county_fills_its_chains_nine_ones_with_evidence(sheet):
    rencheng = User.objects.get(username="rencheng")
    for code in ("1", "2", "3", "9"):
        checklist_evidence_set(actor=rencheng, sheet=sheet, item_code=code, done=True, evidence=f"佐证{code}")
    lines = checklist_lines(sheet)
    assert len(lines) == 9 and sum(line.done for line in lines) == 4
    assert round(completeness(lines), 1) == Decimal("44.4")
    checklist_evidence_set(actor=rencheng, sheet=sheet, item_code="9", done=False)
    assert round(completeness(checklist_lines(sheet)), 1) == Decimal("33.3")
    assert ChecklistEvidence.objects.get(sheet=sheet, item_code="9").history.count() == 2


def test_in_place_needs_evidence_and_unknown_items_are_named(sheet, jining_officer):
    with pytest.raises(ValidationError, match="第4项“一支产业链发展基金”：标记为已落实须填写佐证材料"):
        checklist_evidence_set(actor=jining_officer, sheet=sheet, item_code="4", done=True)
    with pytest.raises(ValidationError, match="没有第“10”项"):
        checklist_evidence_set(actor=jining_officer, sheet=sheet, item_code="10", done=True, evidence="x")
    assert not sheet.entries.exists()


def test_other_cities_cannot_fill_or_open_sheets_here(sheet, jinan_officer, carbon_chain):
    with pytest.raises(PermissionDenied):
        checklist_evidence_set(actor=jinan_officer, sheet=sheet, item_code="1", done=True, evidence="x")
    with pytest.raises(ValidationError, match=f"产业链（编号 {carbon_chain.pk}）不存在或不在您的范围内"):
        checklist_create(actor=jinan_officer, programme=sheet.programme, checklist_code="nine-ones",
                         cluster=sheet.cluster, chain=carbon_chain, region=sheet.region)
    jinan_chain = chain_create(actor=jinan_officer, code="T-JN", name="另一条链", clusters=[sheet.cluster],
                               region=Region.objects.get(code="370100"))
    with pytest.raises(PermissionDenied, match="任城区不在您的范围内"):
        checklist_create(actor=jinan_officer, programme=sheet.programme, checklist_code="nine-ones",
                         cluster=sheet.cluster, chain=jinan_chain, region=sheet.region)
    assert not ChainChecklist.objects.for_user(jinan_officer).filter(pk=sheet.pk).exists()


def test_the_same_chain_twice_is_refused(sheet, jining_officer, carbon_chain):
    with pytest.raises(ValidationError, match="已为“新材料产业集群”建立该链的清单"):
        checklist_create(actor=jining_officer, programme=sheet.programme, checklist_code="nine-ones",
                         cluster=sheet.cluster, chain=carbon_chain, region=sheet.region)


def test_evidence_survives_a_pack_reload(sheet, jining_officer):
    checklist_evidence_set(actor=jining_officer, sheet=sheet, item_code="1", done=True, evidence="任命文件")
    items = list(ChecklistItem.objects.filter(programme=sheet.programme).values())
    ChecklistItem.objects.filter(programme=sheet.programme).delete()  # what pack_install does
    ChecklistItem.objects.bulk_create([ChecklistItem(**{k: v for k, v in i.items() if k != "id"}) for i in items])
    assert completeness(checklist_lines(sheet)) > 0
