"""`jiqun projects list|show|overdue|move`, including bad arguments (a Chinese CommandError, nothing changed)."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiqun.projects.models import Project, Stage

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()  # read once at import: a "future" day in these tests is two days on, so a run across midnight holds
QIZHOU = "370828-2023-0001"


def _run(*args: str) -> str:
    out = StringIO()
    call_command("projects", *args, stdout=out)
    return out.getvalue()


def test_list_filters_by_cluster_region_and_stage():
    rows = json.loads(_run("list", "--cluster", "high-end-chemical", "--region", "370800", "--stage", "started",
                           "--json"))
    assert QIZHOU in {r["code"] for r in rows}
    assert all(r["stage"] == "started" and r["region"].startswith("3708") for r in rows)
    assert "七洲绿色化工项目" in _run("list", "--region", "370828")


def test_show_gives_the_timeline_plans_and_constraints():
    data = json.loads(_run("show", QIZHOU, "--json"))
    timeline = {row["stage"]: row for row in data["timeline"]}
    assert timeline["started"]["reached"] == "2024-05-20" and timeline["completed"]["late"] is True
    assert data["constraints"][0]["responsible_unit"] == "市发展改革委"
    assert "逾期未达到" in _run("show", QIZHOU)


def test_overdue_lists_late_stages_and_constraints():
    data = json.loads(_run("overdue", "--json"))
    assert {"code": QIZHOU, "stage": "completed"}.items() <= next(
        s for s in data["stages"] if s["code"] == QIZHOU and s["stage"] == "completed").items()
    assert [c["responsible_unit"] for c in data["constraints"]] == ["市自然资源和规划局"]
    assert "市自然资源和规划局" in _run("overdue")


def test_move_records_a_stage_with_its_date_and_evidence():
    out = _run("move", QIZHOU, "completed", "--date", str(TODAY), "--evidence", "竣工验收报告")
    assert "竣工" in out
    project = Project.objects.get(code=QIZHOU)
    assert project.stage == Stage.COMPLETED and project.events.order_by("-id").first().evidence == "竣工验收报告"


@pytest.mark.parametrize(("args", "message"), [
    (("list", "--region", "999999"), "区划代码“999999”不存在"),
    (("list", "--stage", "begun"), "未知的阶段“begun”"),
    (("list", "--cluster", "no-such"), "没有编码为“no-such”的集群"),
    (("show", "NOPE"), "没有编号为“NOPE”的项目"),
    (("move", QIZHOU, "producing", "--date", str(TODAY)), "逐级推进"),
    (("move", QIZHOU, "completed", "--date", "2026-02-30"), "不是日期"),
    (("move", QIZHOU, "suspended", "--date", str(TODAY)), "须填写原因"),
    (("move", QIZHOU, "completed", "--date", str(TODAY + datetime.timedelta(days=2))), "晚于今天"),
])
def test_bad_arguments_are_refused_in_chinese_and_change_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
    project = Project.objects.get(code=QIZHOU)
    assert project.stage == Stage.STARTED and project.events.count() == 3
