"""Excel out: the quarterly template a user fills, the 催报 list, and a refused workbook annotated cell by cell.

Workbooks are written with xlsxwriter with `strings_to_formulas=False`, and user text that begins with
= + - @ is prefixed with an apostrophe-like space so no spreadsheet runs it (formula injection).
"""

import io
import json
from dataclasses import dataclass

import xlsxwriter
from django.utils import timezone
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

TEMPLATE_ID = "jiqun-quarterly"
TEMPLATE_VERSION = "1"
DATA_SHEET = "季报"
META_SHEET = "_meta"
FIELDS = {"current": "本期累计", "previous": "上年同期", "yoy": "同比"}
KEY_HEADER = "编码"
NAME_HEADER = "名称"
CITY_HEADER = "所在市"
NOTE_HEADER = "说明"
ADJUST_HEADER = "口径调整"
HEADER_ROW = 2  # 0-based: the indicator names; the field names are on the row below
FIRST_DATA_ROW = 5  # 0-based: title, period line, two header rows, the 甲乙丙 row
PERIOD_CELL = (1, 0)  # 0-based: the 报告期 line
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}


FORMULA_STARTS = ("=", "+", "-", "@")


def safe_text(value) -> object:
    """Keep user text from being read as a formula by a spreadsheet."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def unsafe_text(value: str) -> str:
    """The text safe_text was given: the apostrophe it put before = + - @ taken off again (for the import)."""
    if value[:1] == "'" and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


def group_label(name: str, unit: str) -> str:
    """The header over an indicator's three columns."""
    return f"{name}（{unit}）"


def field_label(field: str, unit: str) -> str:
    """The header of one column: 本期累计（万元）, 上年同期（万元） or 同比（%）."""
    return f"{FIELDS[field]}（{'%' if field == 'yoy' else unit}）"


def column_number(col: int) -> str:
    """The 甲乙丙/1 2 3 row that Chinese statistical forms print under the header (栏次)."""
    return "甲乙丙"[col] if col < 3 else str(col - 2)


class TemplateSheet(Worksheet):
    """A worksheet that writes our own 同比 formula as it is.

    xlsxwriter rewrites every formula through some thirty regular expressions to expand Excel 365
    function names; the template's formula uses only IF, AND and ISNUMBER, and at 100,000 rows × 10
    indicators that rewriting took most of the time of building the workbook.
    """

    def _prepare_formula(self, formula, expand_future_functions=False):
        return formula.removeprefix("=")


@dataclass
class TemplateRow:
    key: str
    name: str
    city: str
    values: dict[str, tuple[object, object]]  # code -> (current, previous) already on file, may be None
    note: str = ""
    asked: frozenset[str] | None = None  # the indicators this row's report asks; None: every column


def template_columns(indicators) -> list[tuple[str, str]]:
    """(indicator code, field) for every data column after the three key columns; yoy columns are ('code', 'yoy')."""
    columns = []
    for indicator in indicators:
        columns += [(indicator.code, "current"), (indicator.code, "previous"), (indicator.code, "yoy")]
    return columns


def build_template(*, period, indicators, rows: list[TemplateRow], unit_name: str) -> bytes:
    """The 统计季报 workbook for one period and one user's reports."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "font_name": "宋体"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                            "bg_color": "#F2F2F2", "locked": True})
    fixed = book.add_format({"border": 1, "locked": True})
    number = book.add_format({"border": 1, "locked": False, "num_format": "#,##0.00"})
    text_in = book.add_format({"border": 1, "locked": False})
    derived = book.add_format({"border": 1, "locked": True, "num_format": "0.0", "font_color": "#666666"})
    not_asked = book.add_format({"border": 1, "locked": True, "bg_color": "#D9D9D9"})  # another report's indicator

    sheet = book.add_worksheet(DATA_SHEET, worksheet_class=TemplateSheet)
    columns = template_columns(indicators)
    last = 3 + len(columns) + 1  # key, name, city, data…, adjust, note
    sheet.merge_range(0, 0, 0, last, f"{period.programme.name}统计季报", title)
    sheet.write(*PERIOD_CELL, f"报告期：{period.official_name}")
    sheet.write(1, 3, f"填报单位：{unit_name}")
    sheet.write(1, 6, "计量单位：见各列表头")
    sheet.write(1, 9, f"截止日期：{period.deadline:%Y-%m-%d}")
    for col, label in enumerate([KEY_HEADER, NAME_HEADER, CITY_HEADER]):
        sheet.merge_range(HEADER_ROW, col, HEADER_ROW + 1, col, label, head)
    for index, indicator in enumerate(indicators):
        col = 3 + index * 3
        sheet.merge_range(HEADER_ROW, col, HEADER_ROW, col + 2, group_label(indicator.name, indicator.unit), head)
        for offset, field in enumerate(("current", "previous", "yoy")):
            sheet.write(HEADER_ROW + 1, col + offset, field_label(field, indicator.unit), head)
    sheet.merge_range(HEADER_ROW, last - 1, HEADER_ROW + 1, last - 1, f"{ADJUST_HEADER}（是/否）", head)
    sheet.merge_range(HEADER_ROW, last, HEADER_ROW + 1, last, NOTE_HEADER, head)
    for col in range(last + 1):
        sheet.write(HEADER_ROW + 2, col, column_number(col), head)

    for offset, row in enumerate(rows):
        r = FIRST_DATA_ROW + offset
        sheet.write_string(r, 0, row.key, fixed)
        sheet.write_string(r, 1, safe_text(row.name), fixed)
        sheet.write_string(r, 2, row.city, fixed)
        for index, indicator in enumerate(indicators):
            col = 3 + index * 3
            if row.asked is not None and indicator.code not in row.asked:
                for c in range(col, col + 3):
                    sheet.write_blank(r, c, None, not_asked)
                continue
            current, previous = row.values.get(indicator.code, (None, None))
            for c, value in ((col, current), (col + 1, previous)):
                if value is None:
                    sheet.write_blank(r, c, None, number)
                else:
                    sheet.write_number(r, c, float(value), number)
            cur, prev = xl_rowcol_to_cell(r, col), xl_rowcol_to_cell(r, col + 1)
            sheet.write_formula(r, col + 2, f'=IF(AND(ISNUMBER({cur}),ISNUMBER({prev}),{prev}>0),({cur}-{prev})/{prev}*100,"")',
                                derived)
        sheet.write_blank(r, last - 1, None, text_in)
        sheet.write_string(r, last, safe_text(row.note), text_in)

    end = FIRST_DATA_ROW + max(len(rows), 1) - 1
    for index, indicator in enumerate(indicators):
        col = 3 + index * 3
        criteria = {"validate": "decimal", "criteria": ">=", "value": float(indicator.min_value)} \
            if indicator.min_value is not None else {"validate": "decimal", "criteria": "between",
                                                     "minimum": -1e15, "maximum": 1e15}
        sheet.data_validation(FIRST_DATA_ROW, col, end, col + 1, {
            **criteria, "error_title": "数值有误", "error_message": f"{indicator.name}须填数字，单位{indicator.unit}",
            "input_title": indicator.name, "input_message": f"单位：{indicator.unit}；本年累计/期末数",
        })
    sheet.data_validation(FIRST_DATA_ROW, last - 1, end, last - 1, {"validate": "list", "source": ["是", "否"]})
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 2, 10)
    sheet.set_column(3, last - 2, 13)
    sheet.set_column(last, last, 40)
    sheet.freeze_panes(FIRST_DATA_ROW, 3)
    sheet.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                       "select_unlocked_cells": True})

    guide = book.add_worksheet("填报说明")
    lines = [
        f"{period.programme.name}统计季报 填报说明",
        f"1. 报告期为 {period.year} 年 1-{period.quarter * 3}月。流量指标填本年累计数（1-3月、1-6月、1-9月、1-12月），存量指标填期末数。",
        "2. “上年同期”按与本期相同的统计范围（可比口径）填写；与去年审定数不一致时在“口径调整”选“是”并在“说明”中解释。",
        "3. 金额单位为万元，人数单位为人，个数单位为个/家；请勿把元或千元的数填入万元列。",
        "4. 请直接填写数值，不要使用公式：未在 Excel 中打开过的文件公式结果为 0，系统不采信公式单元格。",
        "5. “同比”列由公式计算，仅供参考，系统导入时重新计算。灰色单元格是该行报表不填报的指标"
        "（区域级指标只在市或全省的综合表中填报，集群和企业报表不填），请留空。",
        "6. 系统审核：利润不得大于主营业务收入，科研人员不得多于就业人数；同比增减超过 50%、累计数比上期减少、"
        "数值约为历史数的 10/1000/10000 倍时，须在“说明”中写明原因后方可提交。",
        "7. 不要修改表头、编码列和隐藏的 _meta 工作表，否则系统无法识别模板。可另存为 WPS 或 LibreOffice 的 .xlsx 格式。",
    ]
    guide.set_column(0, 0, 120)
    for r, line in enumerate(lines):
        guide.write(r, 0, line)

    meta = book.add_worksheet(META_SHEET)
    for r, (key, value) in enumerate([
        ("template", TEMPLATE_ID), ("version", TEMPLATE_VERSION), ("period", str(period.pk)),
        ("programme", period.programme.code), ("year", str(period.year)), ("quarter", str(period.quarter)),
        ("columns", json.dumps(columns)), ("units", json.dumps({i.code: i.unit for i in indicators}, ensure_ascii=False)),
        ("first_data_row", str(FIRST_DATA_ROW + 1)),
    ]):
        meta.write_string(r, 0, key)
        meta.write_string(r, 1, value)
    meta.hide()
    meta.protect()
    book.close()
    return output.getvalue()


def annotate_workbook(sheets: dict[str, list[list]], errors: list[tuple[str, int, int, str]]) -> bytes:
    """The user's own workbook back, values as they sent them, bad cells red with the reason, and a 审核结果 sheet.

    `errors` are (sheet, row, column, reason) with 1-based row and column (0 column: the whole row). The
    hidden _meta sheet goes back as it came, so the workbook, once corrected, can be uploaded again.
    """
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    bad = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1})
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    by_cell: dict[tuple[str, int, int], list[str]] = {}
    for sheet_name, row, col, reason in errors:
        if row > 0:  # a problem with the whole file is listed on the 审核结果 sheet only
            by_cell.setdefault((sheet_name, row, max(col, 1)), []).append(reason)
    for name, rows in sorted(sheets.items(), key=lambda item: item[0] == META_SHEET):  # a hidden sheet is never first
        if name == META_SHEET:
            meta = book.add_worksheet(META_SHEET)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value not in (None, ""):
                        meta.write_string(r, c, str(value))
            meta.hide()
            continue
        if name.startswith("_"):
            continue
        sheet = book.add_worksheet(name[:31])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value not in (None, ""):
                    sheet.write(r, c, safe_text(value), bad if (name, r + 1, c + 1) in by_cell else None)
        for (sheet_name, r, c), reasons in by_cell.items():
            if sheet_name != name:
                continue
            value = rows[r - 1][c - 1] if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) else None
            if value in (None, ""):
                sheet.write_blank(r - 1, c - 1, None, bad)
            sheet.write_comment(r - 1, c - 1, "；".join(reasons), {"x_scale": 2})
    result = book.add_worksheet("审核结果")
    for c, label in enumerate(["工作表", "行", "列", "问题"]):
        result.write(0, c, label, head)
    for r, (sheet_name, row, col, reason) in enumerate(errors, start=1):
        result.write_row(r, 0, [sheet_name, row, xl_col_to_name(col - 1) if col else "", safe_text(reason)])
    result.set_column(3, 3, 80)
    result.activate()
    book.close()
    return output.getvalue()


def report_reminder_line(report) -> tuple[str, str]:
    """A statistics report in the 催报 list: its subject and the regions it is kept in."""
    if report.enterprise_id:
        regions = report.enterprise.region.name
    elif report.region_id:
        regions = report.region.name
    else:
        regions = "、".join(x.name for x in report.cluster.regions.all())
    return report.official_subject_name, regions


def build_reminder_list(period, rows, *, line=report_reminder_line, title: str = "") -> bytes:
    """催报名单: every form not yet submitted, with who keeps it and whether it is overdue.

    `line(form)` gives the form's subject and regions (a report's by default, a project's dispatch its own).
    """
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    sheet = book.add_worksheet("催报名单")
    sheet.write(0, 0, f"{title or period.official_label} 催报名单（截止 {period.deadline:%Y-%m-%d}）")
    for c, label in enumerate(["对象", "所在区划", "状态", "是否逾期", "最近更新"]):
        sheet.write(1, c, label, head)
    for r, row in enumerate(rows, start=2):
        form = row.report
        subject, regions = line(form)
        sheet.write_row(r, 0, [safe_text(subject), regions, form.get_status_display(), "是" if row.overdue else "否",
                               f"{timezone.localtime(form.last_changed):%Y-%m-%d %H:%M}"])
    sheet.set_column(0, 1, 30)
    sheet.set_column(2, 4, 14)
    book.close()
    return output.getvalue()
