import pytest

from jiqun.monitoring.excel import build_template
from jiqun.monitoring.importer import ReportImporter
from jiqun.monitoring.models import ImportBatch, Report, ReportRevision
from jiqun.monitoring.selectors import template_rows
from jiqun.monitoring.tests.helpers import GOOD, column_of, fill_template, period_figures, read_sheet, stored

pytestmark = pytest.mark.django_db



def template_for(user, period) -> bytes:
    indicators = list(period.indicators.order_by("code"))
    return build_template(period=period, indicators=indicators, rows=template_rows(user, period), unit_name="测试")


def filled(user, period, overrides=None, key="test") -> bytes:
    indicators = list(period.indicators.order_by("code"))
    template = template_for(user, period)
    keys = [row[0] for row in read_sheet(template)[5:]]
    changes = {}
    for k in keys:
        cells = {}
        for code, (cur, prev) in GOOD.items():
            cells[column_of(code, "current", indicators)] = float(cur)
            cells[column_of(code, "previous", indicators)] = float(prev)
        cells.update((overrides or {}).get(k, {}))
        changes[k] = cells
    return fill_template(template, changes)


def importer(user, period, content, name="季报.xlsx"):
    return ReportImporter(user=user, content=content, file_name=name, period=period).run()


def test_template_lists_only_the_users_own_clusters(period, jining_officer):
    rows = read_sheet(template_for(jining_officer, period))
    names = [row[1] for row in rows[5:]]
    assert "任城测试集群" in names and "历下测试集群" not in names
    assert rows[4][:4] == ["甲", "乙", "丙", "1"]
    assert "本期累计（万元）" in rows[3]


def test_a_filled_template_imports_every_value_with_its_row(period, jining_officer):
    result = importer(jining_officer, period, filled(jining_officer, period))
    assert result.ok, [str(p) for p in result.problems]
    report = Report.objects.get(period=period, cluster__name="任城测试集群")
    value = stored(report, "revenue")
    assert value.current == 5200000 and value.previous == 4800000
    revision = ReportRevision.objects.get(report=report, number=value.revision)
    assert revision.provenance == "import" and revision.source_row == 6 and revision.batch == result.batch


def test_the_same_file_twice_writes_nothing_the_second_time(period, jining_officer):
    content = filled(jining_officer, period)
    importer(jining_officer, period, content)
    second = importer(jining_officer, period, content)
    assert second.already_imported is not None and second.values_written == 0
    assert ImportBatch.objects.filter(period=period).count() == 1


def test_messy_but_meaningful_cells_are_understood(period, jining_officer):
    indicators = list(period.indicators.order_by("code"))
    content = filled(jining_officer, period, {"test-" + "x": {}})
    key = read_sheet(content)[5][0]
    content = filled(jining_officer, period, {key: {
        column_of("revenue", "current", indicators): "５，２００，０００",
        column_of("revenue", "previous", indicators): " 4,800,000 ",
        column_of("profit", "current", indicators): "310000万元",
    }})
    result = importer(jining_officer, period, content)
    assert result.ok, [str(p) for p in result.problems]
    value = stored(Report.objects.get(period=period, cluster__code=key), "revenue")
    assert value.current == 5200000 and value.previous == 4800000


def test_bad_cells_are_all_named_and_nothing_is_written(period, jining_officer):
    indicators = list(period.indicators.order_by("code"))
    key = read_sheet(template_for(jining_officer, period))[5][0]
    revenue = column_of("revenue", "current", indicators)
    profit = column_of("profit", "current", indicators)
    employees = column_of("employees", "current", indicators)
    content = filled(jining_officer, period, {key: {revenue: "约五百亿", profit: "31人", employees: "=B6*2"}})
    result = importer(jining_officer, period, content)
    reasons = {(p.row, p.col): p.reason for p in result.problems}
    assert "不是数字" in reasons[(6, revenue + 1)]
    assert "单位“人”与本列单位“万元”不符" in reasons[(6, profit + 1)]
    assert "是公式" in reasons[(6, employees + 1)]
    assert not period_figures(period)
    assert not ImportBatch.objects.exists()
