"""The quarterly Excel import: what real users send is understood, anything wrong is refused whole.

Workbooks are built from the real template (build_template), read back and re-written with xlsxwriter
the way a user's spreadsheet program would save them; a LibreOffice round trip is used where LibreOffice
is installed. Every refusal test checks that the database did not change and that the message names the
sheet, row and column.
"""

import datetime
import io
import json
import struct
import zipfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook
from stdnum.cn import uscc

from jiqun.audit.models import AuditEvent
from jiqun.enterprises.services import enterprise_create, membership_set
from jiqun.monitoring.excel import DATA_SHEET, META_SHEET, annotate_workbook, build_template
from jiqun.monitoring.importer import ReportImporter
from jiqun.monitoring.importer.cells import parse_number
from jiqun.monitoring.importer.formulas import FormulaEvaluator, read_formulas
from jiqun.monitoring.models import ImportBatch, Report, ReportRevision, ReportStatus
from jiqun.monitoring.selectors import template_rows
from jiqun.monitoring.services import period_open
from jiqun.monitoring.tests.helpers import GOOD, column_of, history_of, open_test_period
from jiqun.monitoring.values import values_of
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db

RENCHENG = "任城测试集群"  # in 370811, kept by the Jining officer
LIXIA = "历下测试集群"  # in 370102, kept by the Jinan officer
FIRST = 5  # 0-based index of the first data row in the template (Excel row 6)



def col(code: str, field: str, period) -> int:
    """0-based column of an indicator's field."""
    return column_of(code, field, list(period.indicators.order_by("code")))


def letter_of(index: int) -> str:
    return xlsxwriter.utility.xl_col_to_name(index)


def template_for(user, period) -> bytes:
    indicators = list(period.indicators.order_by("code"))
    return build_template(period=period, indicators=indicators, rows=template_rows(user, period), unit_name="测试")


def read_book(content: bytes) -> tuple[dict[str, list[list]], list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    sheets = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}
    return sheets, book.get_sheet_by_name(DATA_SHEET).merged_cell_ranges


def write_book(sheets: dict[str, list[list]], merges=(), cached=0) -> bytes:
    """Save sheets as a spreadsheet program would: '=' text becomes a formula whose cached value is `cached`."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str) and value.startswith("="):
                    sheet.write_formula(r, c, value, None, cached)
                elif value not in (None, ""):
                    sheet.write(r, c, value)
        if name == DATA_SHEET:
            for (r0, c0), (r1, c1) in merges:
                sheet.merge_range(r0, c0, r1, c1, rows[r0][c0])
        if name.startswith("_"):
            sheet.hide()
    book.close()
    return output.getvalue()


def filled_sheets(user, period, overrides: dict[str, dict[int, object]] | None = None):
    """The user's template with every row filled with GOOD figures, then `overrides` {name: {col: value}}."""
    sheets, merges = read_book(template_for(user, period))
    for row in sheets[DATA_SHEET][FIRST:]:
        for code, (current, previous) in GOOD.items():
            row[col(code, "current", period)] = float(current)
            row[col(code, "previous", period)] = float(previous)
        for c, value in (overrides or {}).get(row[1], {}).items():
            row[c] = value
    return sheets, merges


def filled(user, period, overrides=None) -> bytes:
    return write_book(*filled_sheets(user, period, overrides))


def run(user, period, content: bytes, name: str = "季报.xlsx"):
    return ReportImporter(user=user, content=content, file_name=name, period=period).run()


def stored(period, cluster: str, code: str, **subject) -> SimpleNamespace:
    """A stored figure with what the revision that set it says: provenance, batch, row, who."""
    report = Report.objects.get(period=period, **(subject or {"cluster__name": cluster}))
    value = values_of(report.figures)[code]
    revision = report.revisions.get(number=value.revision)
    return SimpleNamespace(current=value.current, previous=value.previous, note=value.note, revision=revision,
                           provenance=revision.provenance, source_row=revision.source_row, batch=revision.batch)


def db_state(period):
    """What an import may change: figures and their revisions, batches, audit entries, reports' stamps."""
    figures = sorted((pk, json.dumps(f, sort_keys=True), n) for pk, f, n in period.reports.with_figures().values_list(
        "pk", "latest_figures", "latest_revision"))
    return (figures, ReportRevision.objects.count(), ImportBatch.objects.count(), AuditEvent.objects.exclude(action="denied").count(),
            sorted(period.reports.values_list("pk", "updated_at")))


def assert_refused(result, before, period, sheet: str, row: int, column: str, *words: str):
    """Refused, nothing written, and one problem names this sheet, row and column with these words."""
    assert not result.ok and result.batch is None
    assert db_state(period) == before
    shown = [str(p) for p in result.problems]
    where = " ".join(part for part in (sheet, f"第{row}行" if row else "", f"{column}列" if column else "") if part)
    prefix = where + "：" if where else ""  # a problem with the whole file names the file in its reason
    matching = [s for s in shown if s.startswith(prefix) and all(w in s for w in words)]
    assert matching, shown


# Tolerated ------------------------------------------------------------------------------------------


def test_a_filled_template_imports_with_provenance_history_and_one_audit_entry(period, jining_officer):
    audits = AuditEvent.objects.exclude(action="denied").count()
    result = run(jining_officer, period, filled(jining_officer, period))
    assert result.ok, [str(p) for p in result.problems]
    value = stored(period, RENCHENG, "revenue")
    assert (value.current, value.previous) == (Decimal("5200000"), Decimal("4800000"))
    assert value.provenance == "import" and value.source_row == 6 and value.batch == result.batch
    assert result.values_written == 14 and result.batch.values_written == 14 and result.batch.rows == 1
    assert [r.cluster.name for r in result.reports] == [RENCHENG]
    revision = value.revision
    assert revision.number == 1 and revision.actor_name == jining_officer.username
    assert revision.figures["revenue"] == ["5200000", "4800000", "", 1] and set(revision.figures) == set(GOOD)
    assert AuditEvent.objects.exclude(action="denied").count() == audits + 1


def test_full_width_digits_thousands_commas_and_stray_spaces_are_numbers(period, jining_officer):
    content = filled(jining_officer, period, {RENCHENG: {
        col("revenue", "current", period): "５，２００，０００",
        col("revenue", "previous", period): " 4,800,000 ",
        col("profit", "current", period): "\u3000３１００００．５ ",
        col("employees", "current", period): "86 000",
    }})
    result = run(jining_officer, period, content)
    assert result.ok, [str(p) for p in result.problems]
    assert stored(period, RENCHENG, "revenue").current == 5200000
    assert stored(period, RENCHENG, "revenue").previous == 4800000
    assert stored(period, RENCHENG, "profit").current == Decimal("310000.5")
    assert stored(period, RENCHENG, "employees").current == 86000


def test_a_unit_written_in_the_cell_is_converted_to_the_columns_unit(period, jining_officer):
    content = filled(jining_officer, period, {RENCHENG: {
        col("revenue", "current", period): "520亿元",
        col("revenue", "previous", period): "4800000万元",
        col("profit", "current", period): "3,100,000,000元",
        col("employees", "current", period): "8.6万人",
        col("employees", "previous", period): "84000人",
    }})
    result = run(jining_officer, period, content)
    assert result.ok, [str(p) for p in result.problems]
    assert stored(period, RENCHENG, "revenue").current == 5200000
    assert stored(period, RENCHENG, "revenue").previous == 4800000
    assert stored(period, RENCHENG, "profit").current == 310000
    assert stored(period, RENCHENG, "employees").current == 86000
    assert stored(period, RENCHENG, "employees").previous == 84000


def test_units_convert_only_within_the_same_base_unit():
    assert parse_number("1.2亿元", "万元") == 12000
    assert parse_number("5000千瓦", "万千瓦") == Decimal("0.5")
    assert parse_number("—", "万元") is None
    for text, unit in (("31人", "万元"), ("12家", "个"), ("5万", "万元")):
        with pytest.raises(ValueError, match="不符"):
            parse_number(text, unit)
    with pytest.raises(ValueError, match="千分位"):
        parse_number("5,20", "万元")
    with pytest.raises(ValueError, match="小数超过"):
        parse_number("123.45元", "万元")  # 0.012345 万元 cannot be stored to four places


def test_a_total_row_and_column_number_rows_are_skipped(period, province_admin):
    sheets, merges = filled_sheets(province_admin, period)
    data = sheets[DATA_SHEET]
    width = len(data[0])
    revenue = col("revenue", "current", period)
    total = ["合　计", "", ""] + [""] * (width - 3)
    total[revenue] = 10400000.0
    numbers = [str(n) for n in range(1, width + 1)]
    data[FIRST + 1:FIRST + 1] = [numbers]  # a 1 2 3 … row between the two clusters
    data.append(total)
    data.append(["", "总计"] + [""] * (width - 2))
    result = run(province_admin, period, write_book(sheets, merges))
    assert result.ok, [str(p) for p in result.problems]
    assert result.batch.rows == 2


def test_the_column_number_row_may_be_missing_and_rows_may_be_added_above_the_header(period, jining_officer):
    sheets, _merges = filled_sheets(jining_officer, period)
    data = sheets[DATA_SHEET]
    del data[FIRST - 1]  # no 甲乙丙 row
    data[1:1] = [["填报说明：单位万元"], []]  # two rows inserted above the header
    result = run(jining_officer, period, write_book(sheets))
    assert result.ok, [str(p) for p in result.problems]
    assert stored(period, RENCHENG, "revenue").source_row == 7


def test_merged_and_unmerged_header_cells_are_both_understood(period, jining_officer):
    sheets, merges = filled_sheets(jining_officer, period)
    assert any(c1 > c0 for (_r0, c0), (_r1, c1) in merges)  # the template merges each indicator's three columns
    assert run(jining_officer, period, write_book(sheets)).ok  # saved without merges: names only in the first cell
    ReportRevision.objects.filter(report__period=period).delete()
    sheets[DATA_SHEET][FIRST][col("revenue", "current", period)] = 5300000.0
    result = run(jining_officer, period, write_book(sheets, merges))
    assert result.ok, [str(p) for p in result.problems]
    assert stored(period, RENCHENG, "revenue").current == 5300000


def test_formula_cells_are_recomputed_never_trusted(period, jining_officer):
    revenue, previous = col("revenue", "current", period), col("revenue", "previous", period)
    profit = col("profit", "current", period)
    rev_cell = f"{letter_of(revenue)}6"
    content = filled(jining_officer, period, {RENCHENG: {
        revenue: "=5000000+200000",
        previous: f"=ROUND({rev_cell}/1.08333, 0)",
        profit: f"=SUM({letter_of(profit + 1)}6:{letter_of(profit + 1)}6)+20000",
    }})
    sheets, _merges = read_book(content)
    assert sheets[DATA_SHEET][FIRST][revenue] == 0  # the cached value of a file Excel never opened
    result = run(jining_officer, period, content)
    assert result.ok, [str(p) for p in result.problems]
    assert stored(period, RENCHENG, "revenue").current == 5200000
    assert stored(period, RENCHENG, "revenue").previous == 4800015  # ROUND(5200000 / 1.08333)
    assert stored(period, RENCHENG, "profit").current == 310000  # 上年同期 290000 + 20000


def test_the_yoy_column_is_ignored_whatever_it_holds(period, jining_officer):
    yoy = col("revenue", "current", period) + 2
    result = run(jining_officer, period, filled(jining_officer, period, {RENCHENG: {yoy: "很高"}}))
    assert result.ok, [str(p) for p in result.problems]


def test_shared_formulas_are_expanded_before_recomputing():
    xml = (b'<?xml version="1.0"?><worksheet xmlns="x"><sheetData>'
           b'<row r="1"><c r="A1"><v>2</v></c><c r="B1"><f t="shared" ref="B1:B2" si="0">A1*10</f><v>0</v></c></row>'
           b'<row r="2"><c r="A2"><v>3</v></c><c r="B2"><f t="shared" si="0"/><v>0</v></c></row>'
           b"</sheetData></worksheet>")
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels",
                         '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>')
        archive.writestr("xl/worksheets/sheet1.xml", xml)
    formulas = read_formulas(content.getvalue(), "s", {0, 1})
    assert formulas == {(0, 1): "A1*10", (1, 1): "A2*10"}
    evaluator = FormulaEvaluator([[2.0, 0.0], [3.0, 0.0]], formulas, {0: "万元", 1: "万元"})
    assert evaluator.cell(1, 1) == 30


def test_a_workbook_saved_by_libreoffice_imports(period, jining_officer, tmp_path, libreoffice_convert):
    sheets, merges = filled_sheets(jining_officer, period, {RENCHENG: {
        col("revenue", "current", period): "=5000000+200000"}})
    source = tmp_path / "in" / "季报.xlsx"
    source.parent.mkdir()
    source.write_bytes(write_book(sheets, merges))
    content = libreoffice_convert(source, "xlsx").read_bytes()
    assert b"LibreOffice" in zipfile.ZipFile(io.BytesIO(content)).read("docProps/app.xml")
    result = run(jining_officer, period, content)
    assert result.ok, [str(p) for p in result.problems]
    assert stored(period, RENCHENG, "revenue").current == 5200000
    assert stored(period, RENCHENG, "employees").current == 86000


def test_an_enterprise_code_is_matched_whatever_its_case_and_spacing(period, jining_officer):
    code = "91370811MA3C12345"
    code += uscc.calc_check_digit(code)
    enterprise = enterprise_create(actor=None, name="任城测试企业", region=Region.objects.get(code="370811"),
                                   credit_code=code)
    membership_set(actor=None, enterprise=enterprise, cluster=period.reports.get(cluster__name=RENCHENG).cluster)
    by_enterprise = period_open(actor=None, programme=period.programme, year=2025, quarter=3,
                                deadline=datetime.date(2025, 10, 20), indicators=period.indicators.all(),
                                enterprise_level=True)
    sheets, merges = filled_sheets(jining_officer, by_enterprise)
    row = next(r for r in sheets[DATA_SHEET][FIRST:] if r[0] == code)
    row[0] = f" {code[:9].lower()} {code[9:]}\u3000"
    result = run(jining_officer, by_enterprise, write_book(sheets, merges))
    assert result.ok, [str(p) for p in result.problems]
    assert stored(by_enterprise, "", "revenue", enterprise=enterprise).current == 5200000


# Idempotent ------------------------------------------------------------------------------------------


def test_the_same_file_twice_writes_nothing_the_second_time(period, jining_officer):
    content = filled(jining_officer, period)
    first = run(jining_officer, period, content)
    before = db_state(period)
    second = run(jining_officer, period, content, name="另一个名字.xlsx")
    assert second.already_imported == first.batch and second.values_written == 0 and second.batch is None
    assert db_state(period) == before


def test_a_changed_file_updates_the_values_and_keeps_their_history(period, jining_officer):
    run(jining_officer, period, filled(jining_officer, period))
    revenue = col("revenue", "current", period)
    result = run(jining_officer, period, filled(jining_officer, period, {RENCHENG: {revenue: 5300000.0}}))
    assert result.ok, [str(p) for p in result.problems]
    value = stored(period, RENCHENG, "revenue")
    assert value.current == 5300000 and value.batch == result.batch
    assert value.revision.number == 2 and history_of(value.revision.report, "revenue") == [5200000, 5300000]
    assert stored(period, RENCHENG, "profit").revision.number == 1  # unchanged: keeps the revision that set it


def test_a_resaved_file_with_the_same_figures_changes_nothing(period, jining_officer):
    sheets, merges = filled_sheets(jining_officer, period)
    first = run(jining_officer, period, write_book(sheets, merges))
    before = ReportRevision.objects.count(), stored(period, RENCHENG, "revenue").batch
    second = run(jining_officer, period, write_book(sheets))  # other bytes, same figures
    assert second.ok and second.batch != first.batch and second.values_written == 0
    assert (ReportRevision.objects.count(), stored(period, RENCHENG, "revenue").batch) == before


# Refused, nothing written ------------------------------------------------------------------------------


def test_text_in_a_number_cell_is_refused_with_sheet_row_and_column(period, jining_officer):
    revenue = col("revenue", "current", period)
    employees = col("employees", "current", period)
    before = db_state(period)
    result = run(jining_officer, period, filled(jining_officer, period, {RENCHENG: {revenue: "约五百亿", employees: "5,20"}}))
    assert_refused(result, before, period, DATA_SHEET, 6, letter_of(revenue), "“约五百亿”不是数字")
    assert_refused(result, before, period, DATA_SHEET, 6, letter_of(employees), "千分位")


def test_one_bad_row_keeps_every_good_row_out_too(period, province_admin):
    revenue = col("revenue", "current", period)
    before = db_state(period)
    result = run(province_admin, period, filled(province_admin, period, {LIXIA: {revenue: "N/A"}}))
    assert len(result.problems) == 1
    assert_refused(result, before, period, DATA_SHEET, 7, letter_of(revenue), "不是数字")


def test_a_unit_that_conflicts_with_the_column_is_refused(period, jining_officer):
    revenue = col("revenue", "current", period)
    before = db_state(period)
    result = run(jining_officer, period, filled(jining_officer, period, {RENCHENG: {revenue: "31人"}}))
    assert_refused(result, before, period, DATA_SHEET, 6, letter_of(revenue), "单位“人”与本列单位“万元”不符")


def test_a_header_in_another_unit_is_refused(period, jining_officer):
    sheets, merges = filled_sheets(jining_officer, period)
    revenue = col("revenue", "current", period)
    sheets[DATA_SHEET][3][revenue] = "本期累计（元）"
    before = db_state(period)
    result = run(jining_officer, period, write_book(sheets, merges))
    assert_refused(result, before, period, DATA_SHEET, 4, letter_of(revenue), "表头单位为“元”", "万元")


def test_a_template_whose_units_differ_from_the_indicators_is_refused(period, jining_officer):
    sheets, merges = filled_sheets(jining_officer, period)
    meta = sheets[META_SHEET]
    units = next(row for row in meta if row[0] == "units")
    units[1] = units[1].replace('"revenue": "万元"', '"revenue": "元"')
    before = db_state(period)
    result = run(jining_officer, period, write_book(sheets, merges))
    assert_refused(result, before, period, DATA_SHEET, 4, letter_of(col("revenue", "current", period)),
                   "单位是“元”", "要求“万元”")


def test_moved_columns_are_refused(period, jining_officer):
    sheets, merges = filled_sheets(jining_officer, period)
    revenue = col("revenue", "current", period)
    for row in sheets[DATA_SHEET][3:]:
        row[revenue], row[revenue + 1] = row[revenue + 1], row[revenue]  # 上年同期 before 本期累计
    before = db_state(period)
    result = run(jining_officer, period, write_book(sheets, merges))
    assert_refused(result, before, period, DATA_SHEET, 4, letter_of(revenue), "应为“本期累计（万元）”", "请勿增删或移动列")


@pytest.mark.parametrize(("key", "value", "row", "words"), [
    ("template", "other-template", 1, "不是统计季报模板"),
    ("version", "0", 2, "模板版本“0”已过期"),
])
def test_another_template_or_version_is_refused(period, jining_officer, key, value, row, words):
    sheets, merges = filled_sheets(jining_officer, period)
    next(r for r in sheets[META_SHEET] if r[0] == key)[1] = value
    before = db_state(period)
    result = run(jining_officer, period, write_book(sheets, merges))
    assert_refused(result, before, period, META_SHEET, row, "B", words)


def test_a_workbook_without_the_meta_sheet_is_refused(period, jining_officer):
    sheets, merges = filled_sheets(jining_officer, period)
    del sheets[META_SHEET]
    before = db_state(period)
    result = run(jining_officer, period, write_book(sheets, merges))
    assert_refused(result, before, period, "", 0, "", "不是本系统生成的统计季报模板")


def test_another_periods_template_is_refused(period, jining_officer):
    other = open_test_period(year=2025, quarter=3)
    before = db_state(other)
    result = run(jining_officer, other, filled(jining_officer, period))
    assert_refused(result, before, other, DATA_SHEET, 2, "A", "2025年1-6月的模板", "不是本次上传的测试监测工程 2025年1-9月")


def test_a_jinan_officer_cannot_import_jining_data(period, jinan_officer, jining_officer):
    before = db_state(period)
    result = run(jinan_officer, period, filled(jining_officer, period))
    assert_refused(result, before, period, DATA_SHEET, 6, "A", "不在您的填报范围内")
    assert "任城" not in " ".join(str(p) for p in result.problems)  # the refusal does not show what it hides


def test_a_jining_row_slipped_into_a_jinan_file_is_refused(period, jinan_officer, jining_officer):
    sheets, merges = filled_sheets(jinan_officer, period)
    jining_row = filled_sheets(jining_officer, period)[0][DATA_SHEET][FIRST]
    sheets[DATA_SHEET].append(jining_row)
    before = db_state(period)
    result = run(jinan_officer, period, write_book(sheets, merges))
    assert_refused(result, before, period, DATA_SHEET, 7, "A", "不在您的填报范围内")


def test_a_duplicated_row_is_refused(period, jining_officer):
    sheets, merges = filled_sheets(jining_officer, period)
    sheets[DATA_SHEET].append(list(sheets[DATA_SHEET][FIRST]))
    before = db_state(period)
    result = run(jining_officer, period, write_book(sheets, merges))
    assert_refused(result, before, period, DATA_SHEET, 7, "A", "与第6行重复")


def test_a_name_that_does_not_match_its_code_is_refused(period, jining_officer):
    before = db_state(period)
    result = run(jining_officer, period, filled(jining_officer, period, {RENCHENG: {1: "兖州测试集群"}}))
    assert_refused(result, before, period, DATA_SHEET, 6, "B", "名称“兖州测试集群”", "请核对编码")


def test_a_submitted_report_is_refused(period, jining_officer):
    content = filled(jining_officer, period)
    period.reports.filter(cluster__name=RENCHENG).update(status=ReportStatus.SUBMITTED)
    before = db_state(period)
    result = run(jining_officer, period, content)
    assert_refused(result, before, period, DATA_SHEET, 6, "A", "已提交", "不能导入")


def test_a_formula_that_cannot_be_recomputed_is_refused(period, jining_officer):
    revenue = col("revenue", "current", period)
    employees = col("employees", "current", period)
    before = db_state(period)
    result = run(jining_officer, period, filled(jining_officer, period, {RENCHENG: {
        revenue: "=VLOOKUP(A6,Sheet2!A:B,2,0)", employees: "=B6*2"}}))
    assert_refused(result, before, period, DATA_SHEET, 6, letter_of(revenue), "是公式", "VLOOKUP")
    assert_refused(result, before, period, DATA_SHEET, 6, letter_of(employees), "是公式", "B6")


def test_numbers_the_database_cannot_hold_are_refused(period, jining_officer):
    revenue = col("revenue", "current", period)
    profit = col("profit", "current", period)
    before = db_state(period)
    result = run(jining_officer, period, filled(jining_officer, period, {RENCHENG: {revenue: 1.23456, profit: 1e17}}))
    assert_refused(result, before, period, DATA_SHEET, 6, letter_of(revenue), "小数超过 4 位")
    assert_refused(result, before, period, DATA_SHEET, 6, letter_of(profit), "过大")


def test_a_bad_adjustment_flag_and_an_overlong_note_are_refused(period, jining_officer):
    sheets, merges = filled_sheets(jining_officer, period)
    row = sheets[DATA_SHEET][FIRST]
    row[-2], row[-1] = "可能", "说" * 501
    before = db_state(period)
    result = run(jining_officer, period, write_book(sheets, merges))
    assert_refused(result, before, period, DATA_SHEET, 6, letter_of(len(row) - 2), "只能填“是”或“否”")
    assert_refused(result, before, period, DATA_SHEET, 6, letter_of(len(row) - 1), "最多 500 个")


def cfb(*streams: str) -> bytes:
    """A compound-file (OLE2) container with the named streams, as .xls, .et and encrypted .xlsx files are."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9)
    header = header.ljust(512, b"\0")
    entries = b""
    for name in ("Root Entry", *streams):
        encoded = (name + "\0").encode("utf-16-le")
        entries += (encoded.ljust(64, b"\0") + struct.pack("<H", len(encoded))).ljust(128, b"\0")
    return header + entries.ljust(512, b"\0")


@pytest.mark.parametrize(("name", "content", "words"), [
    ("季报.et", cfb("WorkBook"), ".et/.xls 格式"),
    ("季报.xls", cfb("Workbook"), ".et/.xls 格式"),
    ("季报.xlsx", cfb("EncryptionInfo", "EncryptedPackage"), "设置了打开密码"),
    ("季报.xlsx", cfb("Workbook"), "旧版 .xls 或 WPS .et 格式"),
    ("季报.xlsx", "编码,名称\n".encode(), "不是 .xlsx 格式"),
])
def test_et_xls_encrypted_and_foreign_files_are_refused(period, jining_officer, name, content, words):
    before = db_state(period)
    result = run(jining_officer, period, content, name=name)
    assert_refused(result, before, period, "", 0, "", words)
    assert name in str(result.problems[0])


def test_the_refused_workbook_comes_back_marked_with_a_review_sheet(period, jining_officer):
    revenue = col("revenue", "current", period)
    result = run(jining_officer, period, filled(jining_officer, period, {RENCHENG: {revenue: "约五百亿"}}))
    errors = [(p.sheet, p.row, p.col, p.reason) for p in result.problems]
    content = annotate_workbook(result.sheets, errors)
    sheets, _merges = read_book(content)
    assert sheets[DATA_SHEET][FIRST][revenue] == "约五百亿"  # the user's own value, as sent
    assert sheets["审核结果"][0] == ["工作表", "行", "列", "问题"]
    assert sheets["审核结果"][1][:3] == [DATA_SHEET, 6.0, letter_of(revenue)]
    assert "不是数字" in sheets["审核结果"][1][3]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        comments = "".join(archive.read(n).decode() for n in archive.namelist() if "comments" in n)
        styles = archive.read("xl/styles.xml").decode()
    assert "不是数字" in comments and "FFC7CE" in styles.upper()
    assert sheets[META_SHEET] == result.sheets[META_SHEET]  # kept, so the corrected workbook can be uploaded again


def test_the_command_line_import_uses_the_same_checks(period, jining_officer, tmp_path):
    from django.core.management import CommandError, call_command

    path = Path(tmp_path) / "季报.xlsx"
    path.write_bytes(filled(jining_officer, period, {RENCHENG: {col("revenue", "current", period): "约五百亿"}}))
    before = db_state(period)
    with pytest.raises(CommandError, match="季报 第6行 S列"):
        call_command("import", "report", str(path), "--user", "jining")
    assert db_state(period) == before
