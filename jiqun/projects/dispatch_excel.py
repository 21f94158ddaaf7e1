"""Excel in and out for the quarterly dispatch: one sheet of the unit's projects, built and read with the statistics
template's machinery (jiqun.monitoring.excel and jiqun.monitoring.importer): the same workbook options and formula
guard, the hidden _meta sheet, the package checks before any parser sees the file, bounded sheet reading, and the
refused workbook annotated cell by cell.

The import is all-or-nothing: every row is parsed and checked (the dispatch's own checks, jiqun.projects.
dispatch_checks) and every problem is collected by row and column; only a file without one is written, in one
transaction, each row through `dispatch_save`.
"""

import datetime
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from jiqun.monitoring.excel import META_SHEET, WORKBOOK_OPTIONS, safe_text, unsafe_text
from jiqun.monitoring.importer.cells import clean_text, parse_number
from jiqun.monitoring.importer.package import Limits, PackageRefused, open_package, sheet_xml
from jiqun.monitoring.importer.reader import upload_refusal
from jiqun.monitoring.models import ReportingPeriod
from jiqun.projects.dispatch_permissions import can_fill_dispatch
from jiqun.projects.dispatch_services import dispatch_findings, dispatch_save, previous_dispatch
from jiqun.projects.models import ConstraintKind, Dispatch, Stage, YearPlan

TEMPLATE_ID = "jiqun-dispatch"
TEMPLATE_VERSION = "1"
DATA_SHEET = "项目调度"
HEADER_ROW = 2  # 0-based: title, period line, header
FIRST_DATA_ROW = 3
MAX_EXTRA_ROWS = 200  # rows below the projects a user may add (notes, totals) before the file is refused
MAX_COLUMNS = 30

# (key, header, whether the user fills it)
LAYOUT = [
    ("code", "项目编号", False), ("name", "项目名称", False), ("region", "所在区划", False),
    ("total", "总投资（万元）", False), ("plan", "年度计划投资（万元）", False), ("previous", "上季度本年累计（万元）", False),
    ("stage", "所处阶段", False),
    ("completed_ytd", "本年累计完成投资（万元）", True), ("progress", "形象进度", True), ("stage_to", "本期达到阶段", True),
    ("stage_on", "达到日期", True), ("stage_evidence", "阶段依据", True),
    ("kind", "新增制约类型", True), ("description", "制约问题描述", True), ("responsible_unit", "制约责任单位", True),
    ("deadline", "制约解决时限", True),
]
HEADERS = [header for _key, header, _filled in LAYOUT]
COL = {key: index for index, (key, _header, _filled) in enumerate(LAYOUT)}


def _rows_for(user, period: ReportingPeriod) -> list[Dispatch]:
    dispatches = Dispatch.objects.for_user(user).filter(period=period).select_related("project__region", "period")
    return [d for d in dispatches.order_by("project__region__code", "project__code") if can_fill_dispatch(user, d)]


def build_dispatch_template(*, user, period: ReportingPeriod) -> bytes | None:
    """The 项目调度 workbook of the dispatches `user` files in `period` (None when there is none to fill)."""
    dispatches = _rows_for(user, period)
    if not dispatches:
        return None
    plans = dict(YearPlan.objects.filter(project__in=[d.project_id for d in dispatches], year=period.year)
                 .values_list("project", "planned"))
    stages = dict(Stage.choices)
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "font_name": "宋体"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                            "bg_color": "#F2F2F2", "locked": True})
    fixed = book.add_format({"border": 1, "locked": True})
    number = book.add_format({"border": 1, "locked": False, "num_format": "#,##0.00"})
    fixed_number = book.add_format({"border": 1, "locked": True, "num_format": "#,##0.00"})
    text_in = book.add_format({"border": 1, "locked": False})
    date_in = book.add_format({"border": 1, "locked": False, "num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet(DATA_SHEET)
    last = len(LAYOUT) - 1
    sheet.merge_range(0, 0, 0, last, f"{period.programme.name}项目调度", title)
    sheet.write(1, 0, f"报告期：{period.official_name}")
    sheet.write(1, 4, f"截止日期：{period.deadline:%Y-%m-%d}")
    for col, header in enumerate(HEADERS):
        sheet.write(HEADER_ROW, col, header, head)
    for offset, d in enumerate(dispatches):
        r = FIRST_DATA_ROW + offset
        project = d.project
        before = previous_dispatch(d)
        sheet.write_string(r, COL["code"], project.code, fixed)
        sheet.write_string(r, COL["name"], safe_text(project.name), fixed)
        sheet.write_string(r, COL["region"], project.region.name, fixed)
        sheet.write_number(r, COL["total"], float(project.total_investment), fixed_number)
        for key, value in (("plan", plans.get(project.pk)), ("previous", before.completed_ytd if before else None)):
            if value is None:
                sheet.write_blank(r, COL[key], None, fixed)
            else:
                sheet.write_number(r, COL[key], float(value), fixed_number)
        sheet.write_string(r, COL["stage"], str(stages[project.stage]), fixed)
        if d.completed_ytd is None:
            sheet.write_blank(r, COL["completed_ytd"], None, number)
        else:
            sheet.write_number(r, COL["completed_ytd"], float(d.completed_ytd), number)
        sheet.write_string(r, COL["progress"], safe_text(d.progress), text_in)
        sheet.write_string(r, COL["stage_to"], str(stages[d.stage_to]) if d.stage_to else "", text_in)
        if d.stage_on:
            sheet.write_datetime(r, COL["stage_on"], datetime.datetime.combine(d.stage_on, datetime.time()), date_in)
        else:
            sheet.write_blank(r, COL["stage_on"], None, date_in)
        sheet.write_string(r, COL["stage_evidence"], safe_text(d.stage_evidence), text_in)
        first = d.new_constraints[0] if d.new_constraints else {}
        kinds = dict(ConstraintKind.choices)
        sheet.write_string(r, COL["kind"], str(kinds.get(first.get("kind", ""), "")), text_in)
        sheet.write_string(r, COL["description"], safe_text(first.get("description", "")), text_in)
        sheet.write_string(r, COL["responsible_unit"], safe_text(first.get("responsible_unit", "")), text_in)
        sheet.write_string(r, COL["deadline"], first.get("deadline") or "", date_in)
    end = FIRST_DATA_ROW + len(dispatches) - 1
    sheet.data_validation(FIRST_DATA_ROW, COL["completed_ytd"], end, COL["completed_ytd"], {
        "validate": "decimal", "criteria": ">=", "value": 0, "error_title": "数值有误",
        "error_message": "本年累计完成投资须填不小于 0 的数字，单位万元"})
    sheet.data_validation(FIRST_DATA_ROW, COL["stage_to"], end, COL["stage_to"], {
        "validate": "list", "source": [str(label) for value, label in Stage.choices if value not in ("suspended",
                                                                                                    "withdrawn")]})
    sheet.data_validation(FIRST_DATA_ROW, COL["kind"], end, COL["kind"], {
        "validate": "list", "source": [str(label) for _value, label in ConstraintKind.choices]})
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 7, 13)
    sheet.set_column(8, 8, 36)
    sheet.set_column(9, last, 14)
    sheet.set_column(COL["description"], COL["description"], 30)
    sheet.freeze_panes(FIRST_DATA_ROW, 2)
    sheet.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                       "select_unlocked_cells": True})
    guide = book.add_worksheet("填报说明")
    for r, line in enumerate([
        f"{period.programme.name}项目调度 填报说明（{period.official_name}）",
        "1. 每行一个项目；灰底列为项目库数据，请勿修改。金额单位为万元。",
        "2. “本年累计完成投资”填本年 1 月起至报告期末的累计数：不能大于总投资，不能低于上季度已报数。",
        "3. 本季度项目达到新阶段（如开工、竣工）时，在“本期达到阶段”选下一阶段并填写达到日期（不晚于今天）；阶段须逐级推进，"
        "停缓建、退出请在项目页办理。省级审核通过后阶段登记到项目。",
        "4. 每行可填一条新增要素制约（类型、问题、责任单位、解决时限）；多条请在网页上填写。",
        "5. 请直接填写数值，不要使用公式；整份文件通过审核才会写入，有错误时返回标注了错误单元格的文件。",
    ]):
        guide.write(r, 0, line)
    guide.set_column(0, 0, 120)
    meta = book.add_worksheet(META_SHEET)
    for r, (key, value) in enumerate([("template", TEMPLATE_ID), ("version", TEMPLATE_VERSION),
                                      ("period", str(period.pk)), ("columns", json.dumps(HEADERS, ensure_ascii=False))]):
        meta.write_string(r, 0, key)
        meta.write_string(r, 1, value)
    meta.hide()
    meta.protect()
    book.close()
    return output.getvalue()


@dataclass
class Problem:
    sheet: str
    row: int  # 1-based as Excel shows it; 0: the whole file
    col: int  # 1-based; 0: the whole row
    reason: str


@dataclass
class DispatchImport:
    problems: list[Problem] = field(default_factory=list)
    sheets: dict[str, list[list]] = field(default_factory=dict)
    saved: int = 0
    unchanged: int = 0


FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*>\s*<f[ >/]')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.decode():
        number = number * 26 + ord(letter) - 64
    return number


class DispatchImporter:
    """Read a filled 项目调度 workbook of one period; write it whole or not at all."""

    def __init__(self, *, user, content: bytes, file_name: str, period: ReportingPeriod) -> None:
        self.user, self.content, self.file_name, self.period = user, content, file_name, period
        self.result = DispatchImport()
        self.limits = Limits.from_settings()

    def problem(self, reason: str, row: int = 0, col: int = 0, sheet: str = DATA_SHEET) -> None:
        self.result.problems.append(Problem(sheet, row, col, reason))

    def run(self) -> DispatchImport:
        rows = self._read()
        if rows is None:
            return self.result
        parsed = self._parse(rows)
        if self.result.problems:
            return self.result
        self._write(parsed)
        return self.result

    def _read(self) -> list[list] | None:
        refusal = upload_refusal(self.content, self.file_name, self.limits)
        if refusal:
            self.problem(refusal, sheet="")
            return None
        try:
            package = open_package(self.content, self.file_name, self.limits)
            if META_SHEET not in package.sheets or DATA_SHEET not in package.sheets:
                self.problem(_("不是本系统生成的项目调度模板（缺少“%(data)s”工作表或隐藏的 %(meta)s 工作表），请下载模板后填写")
                             % {"data": DATA_SHEET, "meta": META_SHEET}, sheet="")
                return None
            sheet_xml(package, META_SHEET, 20, 4)
            bound = FIRST_DATA_ROW + Dispatch.objects.filter(period=self.period).count() + MAX_EXTRA_ROWS
            xml = sheet_xml(package, DATA_SHEET, bound, MAX_COLUMNS)
        except PackageRefused as exc:
            self.problem(str(exc), sheet="")
            return None
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(self.content))
            meta = book.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False)
            data = book.get_sheet_by_name(DATA_SHEET).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises several types for a broken file
            self.problem(_("无法读取文件“%(file)s”，请确认是 .xlsx 格式的 Excel 工作簿（%(error)s）")
                         % {"file": self.file_name, "error": type(exc).__name__}, sheet="")
            return None
        self.result.sheets = {DATA_SHEET: data, META_SHEET: meta}
        info = {str(row[0]): str(row[1]) for row in meta if len(row) > 1}
        if info.get("template") != TEMPLATE_ID:
            self.problem(_("不是本系统生成的项目调度模板，请下载模板后填写"), sheet="")
            return None
        if info.get("period") != str(self.period.pk):
            self.problem(_("这是另一个报告期的项目调度模板，请下载%(period)s的模板") % {"period": self.period.label}, 2, 1)
            return None
        header = [clean_text(cell) for cell in (data[HEADER_ROW] if len(data) > HEADER_ROW else [])]
        if header[:len(HEADERS)] != [clean_text(h) for h in HEADERS]:  # clean_text makes （ half-width
            self.problem(_("表头与模板不一致（第 %(row)s 行应为：%(headers)s），请勿修改表头")
                         % {"row": HEADER_ROW + 1, "headers": "、".join(HEADERS)}, HEADER_ROW + 1, 0)
            return None
        for letters, row in FORMULA_CELL.findall(xml):
            if int(row) > FIRST_DATA_ROW:
                self.problem(_("第 %(row)s 行 %(col)s 列是公式；请直接填写数值，系统不采信公式单元格")
                             % {"row": int(row), "col": letters.decode()}, int(row), _column_number(letters))
        return data

    def _parse(self, data: list[list]) -> list[tuple[int, Dispatch, dict]]:
        mine = {d.project.code: d for d in _rows_for(self.user, self.period)}
        visible = set(Dispatch.objects.for_user(self.user).filter(period=self.period)
                      .values_list("project__code", flat=True))
        stages = {str(label): value for value, label in Stage.choices} | {value: value for value in Stage.values}
        kinds = {str(label): value for value, label in ConstraintKind.choices} | {v: v for v in ConstraintKind.values}
        seen: dict[str, int] = {}
        parsed = []
        for index in range(FIRST_DATA_ROW, len(data)):
            row = list(data[index]) + [""] * len(LAYOUT)
            number = index + 1
            code = clean_text(row[COL["code"]])
            filled = [clean_text(row[COL[key]]) for key, _h, user_fills in LAYOUT if user_fills]
            if not code:
                if any(filled):
                    self.problem(_("第 %(row)s 行没有项目编号") % {"row": number}, number, COL["code"] + 1)
                continue
            if code in seen:
                self.problem(_("第 %(row)s 行项目编号 %(code)s 与第 %(first)s 行重复")
                             % {"row": number, "code": code, "first": seen[code]}, number, COL["code"] + 1)
                continue
            seen[code] = number
            dispatch = mine.get(code)
            if dispatch is None:
                reason = (_("第 %(row)s 行项目 %(code)s 的调度当前不能由您填报（已提交或已审核的须先退回）")
                          if code in visible else _("第 %(row)s 行项目编号 %(code)s 不是本报告期您要填报的项目"))
                self.problem(reason % {"row": number, "code": code}, number, COL["code"] + 1)
                continue
            values = self._values(row, number, stages, kinds)
            if values is None:
                continue
            try:
                findings = dispatch_findings(dispatch, complete=False, **values)
            except (ValueError, TypeError):
                findings = []
            for finding in findings:
                column = {"completed_ytd": "completed_ytd", "progress": "progress", "stage_to": "stage_to",
                          "stage_on": "stage_on", "stage_evidence": "stage_evidence",
                          "constraints": "description"}[finding.field]
                self.problem(_("第 %(row)s 行：%(message)s") % {"row": number, "message": finding.message}, number,
                             COL[column] + 1)
            parsed.append((number, dispatch, values))
        if not parsed and not self.result.problems:
            self.problem(_("文件中没有填写任何项目"), FIRST_DATA_ROW + 1, 0)
        return parsed

    def _values(self, row: list, number: int, stages: dict, kinds: dict) -> dict | None:
        problems = len(self.result.problems)

        def refuse(key: str, message: str) -> None:
            self.problem(_("第 %(row)s 行“%(column)s”：%(message)s")
                         % {"row": number, "column": HEADERS[COL[key]], "message": message}, number, COL[key] + 1)

        raw = row[COL["completed_ytd"]]
        completed = None
        try:
            completed = parse_number(raw, "万元")
        except ValueError as exc:
            refuse("completed_ytd", str(exc))
        if isinstance(completed, Decimal) and not completed.is_finite():
            refuse("completed_ytd", _("不是数字"))
        stage_label = clean_text(row[COL["stage_to"]])
        stage_to = stages.get(stage_label, "")
        if stage_label and not stage_to:
            refuse("stage_to", _("“%(value)s”不是阶段（谋划、储备、开工、竣工、投产）") % {"value": stage_label})
        stage_on = self._date(row[COL["stage_on"]], "stage_on", refuse)
        kind_label = clean_text(row[COL["kind"]])
        kind = kinds.get(kind_label, kind_label)
        description = unsafe_text(clean_text(row[COL["description"]]))
        unit = unsafe_text(clean_text(row[COL["responsible_unit"]]))
        deadline = self._date(row[COL["deadline"]], "deadline", refuse)
        constraints = []
        if kind_label or description or unit or deadline:
            constraints.append({"kind": kind, "description": description, "responsible_unit": unit,
                                "deadline": deadline.isoformat() if deadline else None})
        if len(self.result.problems) > problems:
            return None
        return {"completed_ytd": completed, "progress": unsafe_text(clean_text(row[COL["progress"]])),
                "stage_to": stage_to, "stage_on": stage_on,
                "stage_evidence": unsafe_text(clean_text(row[COL["stage_evidence"]])), "new_constraints": constraints}

    @staticmethod
    def _date(value, key: str, refuse) -> datetime.date | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = clean_text(value).replace("/", "-").replace(".", "-")
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            try:
                year, month, day = (int(part) for part in text.split("-"))
                return datetime.date(year, month, day)
            except (ValueError, TypeError):
                refuse(key, _("“%(value)s”不是日期（如 2026-09-30）") % {"value": text})
                return None

    def _write(self, parsed: list[tuple[int, Dispatch, dict]]) -> None:
        """Every row through dispatch_save in one transaction: a refusal of any row undoes them all."""
        try:
            with transaction.atomic():
                for number, dispatch, values in parsed:
                    version = dispatch.version
                    try:
                        dispatch_save(actor=self.user, dispatch=dispatch, base_version=version, **values)
                    except (ValidationError, PermissionDenied) as exc:
                        for message in getattr(exc, "messages", [str(exc)]):
                            self.problem(_("第 %(row)s 行：%(message)s") % {"row": number, "message": message},
                                         number, 0)
                        raise
                    dispatch.refresh_from_db()
                    if dispatch.version == version:
                        self.result.unchanged += 1
                    else:
                        self.result.saved += 1
        except (ValidationError, PermissionDenied):
            self.result.saved = self.result.unchanged = 0
