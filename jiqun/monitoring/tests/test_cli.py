"""`jiqun periods`, `jiqun export template`, `jiqun import report` as an analyst runs them."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jiqun.monitoring.models import ImportBatch, ReportingPeriod
from jiqun.monitoring.tests.helpers import GOOD, column_of, fill_template, period_figures, read_sheet

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()



def filled_file(period, tmp_path, user="jining", override=None) -> Path:
    template = tmp_path / "template.xlsx"
    run("export", "template", "--period", str(period.pk), "--user", user, "-o", str(template))
    content = template.read_bytes()
    indicators = list(period.indicators.order_by("code"))
    cells = {}
    for code, (current, previous) in GOOD.items():
        cells[column_of(code, "current", indicators)] = float(current)
        cells[column_of(code, "previous", indicators)] = float(previous)
    cells.update(override or {})
    key = read_sheet(content)[5][0]
    path = tmp_path / "filled.xlsx"
    path.write_bytes(fill_template(content, {key: cells}))
    return path


def test_periods_open_and_list():
    output = run("periods", "open", "--programme", "SD-SEI-2020", "--year", "2032", "--quarter", "1",
                 "--deadline", "2032-04-15")
    assert "已开启" in output
    assert "2032年" in run("periods", "list")


@pytest.mark.parametrize(("args", "message"), [
    (["--programme", "NOPE", "--year", "2032", "--quarter", "1", "--deadline", "2032-04-15"], "NOPE 不存在"),
    (["--programme", "SD-SEI-2020", "--year", "2032", "--quarter", "1", "--deadline", "4/15"], "YYYY-MM-DD"),
])
def test_periods_open_refuses_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        run("periods", "open", *args)
    assert not ReportingPeriod.objects.filter(year=2032).exists()


def test_export_then_import_round_trip(period, tmp_path):
    path = filled_file(period, tmp_path)
    output = run("import", "report", str(path), "--user", "jining")
    assert "已导入 1 份报表" in output
    assert [len(figures) for figures in period_figures(period).values()] == [len(GOOD)]
    again = run("import", "report", str(path), "--user", "jining")
    assert "未重复写入" in again and ImportBatch.objects.count() == 1


def test_import_refuses_a_bad_cell_names_it_and_writes_the_marked_workbook(period, tmp_path):
    indicators = list(period.indicators.order_by("code"))
    path = filled_file(period, tmp_path, override={column_of("revenue", "current", indicators): "很多"})
    marked = tmp_path / "marked.xlsx"
    with pytest.raises(CommandError, match="不是数字") as refused:
        run("import", "report", str(path), "--user", "jining", "--annotated", str(marked))
    assert "第6行" in str(refused.value) or "行" in str(refused.value)
    assert marked.exists() and not period_figures(period)


def test_a_jinan_officer_cannot_import_jining_figures(period, tmp_path):
    path = filled_file(period, tmp_path, user="jining")
    with pytest.raises(CommandError):
        run("import", "report", str(path), "--user", "jinan")
    assert not period_figures(period)


@pytest.mark.parametrize(("args", "message"), [
    (["import", "report", "missing.xlsx", "--user", "jining"], "文件不存在"),
    (["import", "report", "missing.xlsx", "--user", "nobody"], "用户 nobody 不存在"),
    (["export", "template", "--period", "999999", "--user", "jining"], "报告期 999999 不存在"),
])
def test_bad_command_lines_are_named(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_the_jiqun_command_exits_non_zero_when_the_user_is_missing(tmp_path):
    result = subprocess.run([sys.executable, "-m", "jiqun.cli", "import", "report", str(tmp_path / "x.xlsx")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "--user" in result.stderr
