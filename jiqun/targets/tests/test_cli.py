"""`jiqun targets status|tasks`: text, JSON, Excel, and bad arguments refused in Chinese."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("targets", *args, stdout=out)
    return out.getvalue()


def test_status_prints_each_target_with_its_clause():
    output = run("status", "--programme", "SD-2023-185", "--as-of", "2025-09-30")
    assert output.startswith("截至 2025-09-30：进展顺利")
    line = next(x for x in output.splitlines() if " T05 " in x)
    assert "动力装备集群主导产业产值" in line and "完成率 63.7%" in line and "序时 75.0%" in line
    assert line.endswith("依据 鲁政办字〔2023〕185号 一")


def test_status_as_json_filtered_by_status():
    data = json.loads(run("status", "--programme", "SD-2023-185", "--as-of", "2025-09-30", "--json",
                          "--status", "achieved"))
    assert data and {d["status"] for d in data} == {"achieved"}
    assert all(d["clause"] and d["citation"] for d in data)


def test_status_writes_a_workbook(tmp_path):
    path = tmp_path / "targets.xlsx"
    run("status", "--programme", "JN-2020-231", "--xlsx", str(path))
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["目标进度", "任务督导", "说明"]


@pytest.mark.parametrize(("args", "words"), [
    (["status", "--programme", "NOPE"], "--programme：培育工程 NOPE 不存在（已载入："),
    (["status", "--as-of", "2025-02-30"], "--as-of：“2025-02-30”不是 YYYY-MM-DD 格式的日期"),
    (["status", "--status", "done"], "--status：未知状态 done"),
    (["status", "--xlsx", "/no/such/dir/x.xlsx"], "--xlsx：目录 /no/such/dir 不存在"),
    (["tasks", "--programme", "NOPE"], "培育工程 NOPE 不存在"),
])
def test_bad_arguments_are_refused_with_what_and_where(args, words, tmp_path):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert words in str(caught.value)


def test_tasks_lists_the_overdue_ones():
    output = run("tasks", "--programme", "JN-2020-231", "--overdue")
    assert "K09" in output and "逾期" in output and "已完成" not in output


def test_the_jiqun_command_reaches_targets():
    result = subprocess.run([sys.executable, "-m", "jiqun.cli", "targets", "--help"], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0 and "status" in result.stdout and "tasks" in result.stdout
