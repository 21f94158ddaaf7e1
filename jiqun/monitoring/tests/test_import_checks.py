"""Checks that fire at import, and import messages that give the true reason (issue 10, part 6).

Workbooks are the real template (build_template), filled and saved again with xlsxwriter as a user's
spreadsheet program would; every refusal counts revisions, batches and audit entries before and after.
"""

import io
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jiqun.audit.models import AuditEvent
from jiqun.clusters.tests.factories import make_cluster
from jiqun.monitoring.checks import WARNING, History, IndicatorRule, check_report
from jiqun.monitoring.excel import DATA_SHEET, annotate_workbook
from jiqun.monitoring.models import ImportBatch, PeriodStatus, ReportRevision
from jiqun.monitoring.services import report_values_save
from jiqun.monitoring.tests.helpers import open_test_period
from jiqun.monitoring.tests.test_import import (
    FIRST,
    RENCHENG,
    col,
    db_state,
    filled,
    filled_sheets,
    letter_of,
    read_book,
    run,
    stored,
    write_book,
)
from jiqun.programmes.models import Programme

pytestmark = pytest.mark.django_db


def problems(result) -> list[str]:
    return [str(p) for p in result.problems]


def refused_with(result, before, period, *words: str) -> str:
    """The one problem holding all these words; nothing was written."""
    assert not result.ok and result.batch is None
    assert db_state(period) == before
    matching = [p for p in problems(result) if all(w in p for w in words)]
    assert matching, problems(result)
    return matching[0]


# 强制性审核 at import -----------------------------------------------------------------------------------


def test_a_negative_revenue_refuses_the_whole_file_naming_sheet_row_column_and_rule(period, province_admin):
    revenue = col("revenue", "current", period)
    content = filled(province_admin, period, {RENCHENG: {revenue: -5.0}})
    before = db_state(period)
    result = run(province_admin, period, content)
    message = refused_with(result, before, period, "取值范围", "主营业务收入", "不能小于 0")
    row = FIRST + 1 + [r[1] for r in filled_sheets(province_admin, period)[0][DATA_SHEET][FIRST:]].index(RENCHENG)
    assert message.startswith(f"{DATA_SHEET} 第{row}行 {letter_of(revenue)}列：未通过强制性审核")
    assert {p.row for p in result.problems} == {row}  # the other row (历下) is fine, and is not written either


def test_profit_over_revenue_refuses_the_file_in_the_previous_year_column_too(period, jining_officer):
    previous = col("profit", "previous", period)
    content = filled(jining_officer, period, {RENCHENG: {previous: 9_000_000.0}})
    before = db_state(period)
    message = refused_with(run(jining_officer, period, content), before, period, "分项不大于合计", "上年同期“利润总额”")
    assert message.startswith(f"{DATA_SHEET} 第6行 {letter_of(previous)}列：")


def test_too_many_decimals_for_a_count_refuses_the_file(period, jining_officer):
    employees = col("employees", "current", period)
    before = db_state(period)
    result = run(jining_officer, period, filled(jining_officer, period, {RENCHENG: {employees: 86000.5}}))
    refused_with(result, before, period, "小数位数", "就业人数", f"{letter_of(employees)}列")


def test_a_fraction_of_a_count_refuses_the_file_though_it_is_compared_with_nothing(period, jining_officer):
    new_enterprises = col("new_enterprises", "previous", period)
    before = db_state(period)
    result = run(jining_officer, period, filled(jining_officer, period, {RENCHENG: {new_enterprises: "10.50"}}))
    refused_with(result, before, period, "小数位数", "上年同期", f"第6行 {letter_of(new_enterprises)}列")
    assert run(jining_officer, period, filled(jining_officer, period, {RENCHENG: {new_enterprises: "10.00"}})).ok


def test_a_partly_filled_row_is_no_error_at_import(period, jining_officer):
    content = filled(jining_officer, period, {RENCHENG: {col("revenue", "current", period): None}})
    result = run(jining_officer, period, content)
    assert result.ok, problems(result)


def test_the_command_line_refuses_a_negative_revenue_and_writes_nothing(period, jining_officer, tmp_path):
    path = tmp_path / "季报.xlsx"
    path.write_bytes(filled(jining_officer, period, {RENCHENG: {col("revenue", "current", period): "-1"}}))
    revisions = ReportRevision.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("import", "report", str(path), "--user", jining_officer.username, stdout=StringIO())
    assert "未写入任何数据" in str(refused.value) and "取值范围" in str(refused.value)
    assert f"{DATA_SHEET} 第6行 {letter_of(col('revenue', 'current', period))}列" in str(refused.value)
    assert ReportRevision.objects.count() == revisions and not ImportBatch.objects.exists()


def test_the_upload_page_refuses_profit_over_revenue_and_offers_the_marked_workbook(period, as_jining, jining_officer):
    content = filled(jining_officer, period, {RENCHENG: {col("profit", "current", period): 6_000_000.0}})
    upload = io.BytesIO(content)
    upload.name = "季报.xlsx"
    revisions = ReportRevision.objects.count()
    page = as_jining.post(f"/monitoring/periods/{period.pk}/upload/", {"file": upload}).content.decode()
    assert 'id="import-refused"' in page and "分项不大于合计" in page and "第6行" in page
    assert "可在标注了问题的工作簿中直接改正后重新上传" in page
    assert ReportRevision.objects.count() == revisions


# The true reason --------------------------------------------------------------------------------------


def test_a_report_the_user_sees_but_may_not_fill_is_named_as_such(jining_officer):
    open_test_period(year=2024, programme_code="TEST-CROSS")
    cross = make_cluster("370811", "370102", name="跨市测试集群")  # kept by the province, seen by both cities
    cross.programme = Programme.objects.get(code="TEST-CROSS")
    cross.save()
    period = open_test_period(year=2025, programme_code="TEST-CROSS")
    assert period.reports.filter(cluster=cross).exists()
    sheets, merges = filled_sheets(jining_officer, period)  # the template lists only what the user fills
    row = list(sheets[DATA_SHEET][FIRST])
    row[0], row[1] = cross.code, cross.name
    sheets[DATA_SHEET].append(row)
    before = db_state(period)
    result = run(jining_officer, period, write_book(sheets, merges))
    message = refused_with(result, before, period, "跨市测试集群", "无权填报")
    assert "草稿" not in message


def test_a_closed_period_is_refused_with_that_reason(period, jining_officer):
    content = filled(jining_officer, period)
    period.status = PeriodStatus.CLOSED
    period.save(update_fields=["status"])
    before = db_state(period)
    refused_with(run(jining_officer, period, content), before, period, "已关闭", "未导入")


def test_the_same_file_after_a_web_edit_is_applied_again_and_says_so(period, jining_officer, rencheng):
    content = filled(jining_officer, period)
    first = run(jining_officer, period, content)
    assert first.ok, problems(first)
    report_values_save(actor=jining_officer, report=rencheng, values={"revenue": {"current": Decimal("5300000")}},
                       base_revision=1)
    assert stored(period, RENCHENG, "revenue").current == 5300000
    audits = AuditEvent.objects.exclude(action="denied").count()
    again = run(jining_officer, period, content)
    assert again.ok and again.already_imported is None and again.reapplied == first.batch
    assert stored(period, RENCHENG, "revenue").current == 5200000 and again.values_written == 2
    assert ImportBatch.objects.filter(sha256=first.batch.sha256).count() == 2
    assert AuditEvent.objects.exclude(action="denied").count() == audits + 1
    before = db_state(period)
    third = run(jining_officer, period, content)  # now every figure is as on file: nothing to write
    assert third.already_imported == again.batch and third.batch is None and db_state(period) == before


def test_the_command_line_says_a_file_was_applied_again(period, jining_officer, rencheng, tmp_path):
    path = tmp_path / "季报.xlsx"
    path.write_bytes(filled(jining_officer, period))
    call_command("import", "report", str(path), "--user", jining_officer.username, stdout=StringIO())
    report_values_save(actor=jining_officer, report=rencheng, values={"profit": {"current": Decimal("1")}},
                       base_revision=1)
    out = StringIO()
    call_command("import", "report", str(path), "--user", jining_officer.username, stdout=out)
    assert "已被修改，本次按文件重新写入" in out.getvalue() and "已导入 1 份报表" in out.getvalue()
    assert stored(period, RENCHENG, "profit").current == 310000


def test_the_marked_workbook_can_be_corrected_and_uploaded_again(period, jining_officer):
    revenue = col("revenue", "current", period)
    result = run(jining_officer, period, filled(jining_officer, period, {RENCHENG: {revenue: -5200000.0}}))
    assert not result.ok
    marked = annotate_workbook(result.sheets, [(p.sheet, p.row, p.col, p.reason) for p in result.problems])
    sheets, _merges = read_book(marked)
    sheets[DATA_SHEET][FIRST][revenue] = 5200000.0  # the user corrects the red cell and saves
    corrected = run(jining_officer, period, write_book(sheets))
    assert corrected.ok, problems(corrected)
    assert stored(period, RENCHENG, "revenue").current == 5200000


def test_footer_lines_and_a_city_total_row_are_tolerated(period, province_admin):
    sheets, merges = filled_sheets(province_admin, period)
    data = sheets[DATA_SHEET]
    width = len(data[0])
    revenue = col("revenue", "current", period)
    total = ["济宁市合计", ""] + [""] * (width - 2)
    total[revenue] = 5200000.0
    data.append(total)
    data.append(["单位负责人：张三", "", "", "统计负责人：李四", "", "", "填表人：王五", "", "", "报出日期：2025年7月10日"]
                + [""] * (width - 10))
    data.append(["注：1. 金额单位为万元；2. 本表为季度累计数。"] + [""] * (width - 1))
    data.append(["", "", "", "填表人：赵六"] + [""] * (width - 4))
    result = run(province_admin, period, write_book(sheets, merges))
    assert result.ok, problems(result)
    assert len(result.report_ids) == 2


def test_an_inserted_blank_column_gives_one_message_naming_it(period, jining_officer):
    sheets, merges = filled_sheets(jining_officer, period)
    at = col("profit", "current", period)
    for row in sheets[DATA_SHEET]:
        row.insert(at, "")
    merges = [((r0, c0 + (c0 >= at)), (r1, c1 + (c1 >= at))) for (r0, c0), (r1, c1) in merges]
    before = db_state(period)
    result = run(jining_officer, period, write_book(sheets, merges))
    assert len(result.problems) == 1, problems(result)
    refused_with(result, before, period, f"{letter_of(at)}列", "插入的空白列", "本期累计（万元）")


# The 元/千元/万元 slip, like with like ----------------------------------------------------------------------

REVENUE = IndicatorRule(code="revenue", name="主营业务收入", unit="万元", kind="flow", precision=2,
                        min_value=Decimal(0), max_value=None)
STOCK = IndicatorRule(code="employees", name="就业人数", unit="人", kind="stock", precision=0,
                      min_value=Decimal(0), max_value=None)
PER_QUARTER, LAST_YEAR_PER_QUARTER = Decimal(1100), Decimal(1000)  # 万元 a quarter: 10% growth


def slips(rule, current, previous, quarter, history) -> list[str]:
    return [f.message for f in check_report([rule], {rule.code: (current, previous)}, {}, quarter, history)
            if f.severity == WARNING and "计量单位" in f.message]


def flow_history(quarter: int) -> History:
    """Last quarter's year-to-date figure (none in Q1) and last year's approved one."""
    return History(previous_quarter={"revenue": PER_QUARTER * (quarter - 1)} if quarter > 1 else {},
                   last_year_approved={"revenue": LAST_YEAR_PER_QUARTER * quarter})


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
@pytest.mark.parametrize("factor", [10, 1000, 10000])
def test_a_slip_in_the_year_to_date_figure_is_flagged_in_every_quarter(quarter, factor):
    current, previous = PER_QUARTER * quarter * factor, LAST_YEAR_PER_QUARTER * quarter
    found = slips(REVENUE, current, previous, quarter, flow_history(quarter))
    assert len(found) == 1 and f"的 {factor} 倍" in found[0], found


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
@pytest.mark.parametrize("factor", [10, 1000, 10000])
def test_a_whole_row_typed_in_the_wrong_unit_is_flagged_against_history(quarter, factor):
    """本期 and 上年同期 both slipped: their ratio is normal, last year's approved figure and the pace are not."""
    current, previous = PER_QUARTER * quarter * factor, LAST_YEAR_PER_QUARTER * quarter * factor
    found = slips(REVENUE, current, previous, quarter, flow_history(quarter))
    assert len(found) == 1 and f"的 {factor} 倍" in found[0], found
    if quarter > 1:
        assert "进度推算" in found[0]


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_normal_growth_is_not_flagged(quarter):
    current, previous = PER_QUARTER * quarter, LAST_YEAR_PER_QUARTER * quarter
    assert slips(REVENUE, current, previous, quarter, flow_history(quarter)) == []


@pytest.mark.parametrize("quarter", [2, 3, 4])
def test_a_year_to_date_figure_is_not_compared_with_last_quarters_cumulative(quarter):
    """Q4's 1-12月 is about four times Q1's 1-3月: no slip, though 10× was once within reach of the band."""
    history = History(previous_quarter={"revenue": Decimal(100) * (quarter - 1)})
    assert slips(REVENUE, Decimal(100) * quarter, Decimal(95) * quarter, quarter, history) == []


@pytest.mark.parametrize("factor", [10, 1000, 10000])
def test_a_stock_is_compared_with_last_quarter(factor):
    history = History(previous_quarter={"employees": Decimal(86000)})
    found = slips(STOCK, Decimal(87000) * factor, None, 3, history)
    assert len(found) == 1 and "上期数" in found[0]


def test_the_upload_page_shows_a_slip_as_a_warning_and_imports(period, as_jining, jining_officer):
    revenue = col("revenue", "current", period)
    upload = io.BytesIO(filled(jining_officer, period, {RENCHENG: {revenue: 52_000_000_000.0}}))  # 元 in 万元
    upload.name = "季报.xlsx"
    page = as_jining.post(f"/monitoring/periods/{period.pk}/upload/", {"file": upload}).content.decode()
    assert 'id="import-ok"' in page and "疑似计量单位错误" in page and "上年同期" in page


def test_the_command_line_prints_a_slip_as_a_warning_and_imports(period, jining_officer, tmp_path):
    path = tmp_path / "季报.xlsx"
    path.write_bytes(filled(jining_officer, period, {RENCHENG: {col("revenue", "current", period): 52_000_000_000.0}}))
    out = StringIO()
    call_command("import", "report", str(path), "--user", jining_officer.username, stdout=out)
    assert "已导入 1 份报表" in out.getvalue()
    assert "核实性审核" in out.getvalue() and "疑似计量单位错误" in out.getvalue() and RENCHENG in out.getvalue()
