"""Excel in: the quarterly template, read with python-calamine, checked whole, written all-or-nothing.

`ReportImporter.run()` parses every row, collects every problem with its sheet, row, column and reason,
and writes nothing unless there are none. The same file imported twice is recognised by its SHA-256 and
writes nothing the second time. Tolerated, because real users send them: full-width digits, thousands
separators, "123万元" in a 万元 column, stray spaces, a 合计 row, a 甲乙丙/1 2 3 column-number row, merged
header cells, a workbook re-saved by WPS or LibreOffice. Refused: another template or version, another
period, another unit, text in a number cell, a formula in an input cell, a subject outside the user's scope
or period, a duplicated row, an .et/.xls or password-protected file.
"""

import hashlib
import html
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from python_calamine import CalamineError, CalamineWorkbook, PasswordError
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.monitoring.excel import DATA_SHEET, FIRST_DATA_ROW, META_SHEET, TEMPLATE_ID, TEMPLATE_VERSION
from jiqun.monitoring.models import ImportBatch, Provenance, Report, ReportingPeriod, ReportValue
from jiqun.monitoring.permissions import can_fill_report

CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # old .xls, WPS .et, and encrypted .xlsx all use this container
FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")
SKIP_KEYS = {"合计", "总计", "小计", "甲"}
UNIT_SUFFIX = re.compile(r"^(?P<number>[-+]?[\d.]+)\s*(?P<unit>[^\d\s.]+)$")
FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*(?<!/)>(?:(?!</c>|<c ).)*?<f[ >/]', re.S)


@dataclass
class Problem:
    sheet: str
    row: int  # 1-based, as Excel shows it; 0 for the file
    col: int  # 1-based; 0 for the whole row
    reason: str

    def __str__(self) -> str:
        where = [self.sheet] if self.sheet else []
        if self.row:
            where.append(f"第{self.row}行")
        if self.col:
            where.append(f"{xl_col_to_name(self.col - 1)}列")
        return f"{' '.join(where)}：{self.reason}" if where else self.reason


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    values_written: int = 0
    already_imported: ImportBatch | None = None
    batch: ImportBatch | None = None
    sheets: dict[str, list[list]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_number(value, unit: str) -> Decimal | None:
    """A cell's number, or None when empty; raises ValueError with the reason in Chinese."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("不是数字")
    if isinstance(value, int | float):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = str(value).translate(FULL_WIDTH).replace("\u3000", " ").strip().replace(",", "").replace(" ", "")
    if text in ("", "-", "—"):
        return None
    match = UNIT_SUFFIX.match(text)
    if match:
        if match["unit"] != unit:
            raise ValueError(f"单位“{match['unit']}”与本列单位“{unit}”不符，请换算为{unit}后填写")
        text = match["number"]
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{value}”不是数字") from None
    if not number.is_finite():
        raise ValueError(f"“{value}”不是数字")
    return number


def _sheet_path(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The part name of a worksheet, through workbook.xml and its relationships (WPS and LibreOffice name parts freely)."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for match in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        tag = match.group(0)
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]*)"', tag) or re.search(r'\bid="([^"]*)"', tag)
        if name and rid and html.unescape(name.group(1)) == sheet_name:
            for rel in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
                if f'Id="{rid.group(1)}"' in rel.group(0):
                    target = re.search(r'Target="([^"]*)"', rel.group(0)).group(1)
                    return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def formula_cells(content: bytes, sheet_name: str) -> set[tuple[int, int]]:
    """(row, col), 1-based, of every formula cell in a worksheet of an .xlsx file (calamine gives only values)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            path = _sheet_path(archive, sheet_name)
            xml = archive.read(path) if path else b""
    except (KeyError, zipfile.BadZipFile):
        return set()
    cells = set()
    for match in FORMULA_CELL.finditer(xml):
        row, col = xl_cell_to_rowcol(match.group(1).decode())
        cells.add((row + 1, col + 1))
    return cells


class ReportImporter:
    def __init__(self, *, user, content: bytes, file_name: str, period: ReportingPeriod | None = None) -> None:
        self.user = user
        self.content = content
        self.file_name = file_name
        self.period = period
        self.result = ImportResult()

    def problem(self, reason: str, row: int = 0, col: int = 0, sheet: str = DATA_SHEET) -> None:
        self.result.problems.append(Problem(sheet, row, col, reason))

    def run(self) -> ImportResult:
        book = self._open()
        if book is None:
            return self.result
        meta = self._meta(book)
        if meta is None:
            return self.result
        digest = hashlib.sha256(self.content).hexdigest()
        done = ImportBatch.objects.filter(period=self.period, sha256=digest).first()
        if done is not None:
            self.result.already_imported = done
            return self.result
        parsed = self._rows(book, meta)
        if self.result.problems:
            return self.result
        self._write(parsed, digest)
        return self.result

    def _open(self) -> CalamineWorkbook | None:
        name = self.file_name.lower()
        if name.endswith(".et") or name.endswith(".xls"):
            self.problem("不支持 .et/.xls 格式，请在 WPS 或 Excel 中“另存为” .xlsx 后再上传", sheet="")
            return None
        if self.content.startswith(CFB_MAGIC):
            self.problem("文件已加密（设置了打开密码）或是旧版 .xls/.et 格式，请取消密码并另存为 .xlsx 后再上传", sheet="")
            return None
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(self.content))
        except PasswordError:
            self.problem("文件设置了打开密码，请取消密码后再上传", sheet="")
            return None
        except (CalamineError, Exception) as exc:  # calamine raises several types for a broken file
            self.problem(f"无法读取该文件，请确认是 .xlsx 格式的 Excel 文件（{type(exc).__name__}）", sheet="")
            return None
        self.result.sheets = {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
        return book

    def _meta(self, book: CalamineWorkbook) -> dict | None:
        if META_SHEET not in book.sheet_names or DATA_SHEET not in book.sheet_names:
            self.problem(f"不是本系统生成的统计季报模板（缺少“{DATA_SHEET}”或隐藏的 {META_SHEET} 工作表），请下载模板后填写",
                         sheet="")
            return None
        meta = {str(row[0]): str(row[1]) for row in self.result.sheets[META_SHEET] if len(row) >= 2 and row[0]}
        if meta.get("template") != TEMPLATE_ID:
            self.problem(f"模板类型“{meta.get('template')}”不是统计季报模板", sheet=META_SHEET)
            return None
        if meta.get("version") != TEMPLATE_VERSION:
            self.problem(f"模板版本 {meta.get('version')} 已过期（当前 {TEMPLATE_VERSION}），请重新下载模板", sheet=META_SHEET)
            return None
        period = ReportingPeriod.objects.filter(pk=meta.get("period", "").split(".")[0] or 0).first()
        if period is None:
            self.problem("模板中的报告期不存在", sheet=META_SHEET)
            return None
        if self.period is not None and period.pk != self.period.pk:
            self.problem(f"模板的报告期是{period.label}，不是本次上传的{self.period.label}", sheet=META_SHEET)
            return None
        self.period = period
        meta["columns"] = [tuple(c) for c in json.loads(meta["columns"])]
        meta["units"] = json.loads(meta["units"])
        return meta

    def _reports_by_key(self) -> dict[str, Report]:
        reports = Report.objects.for_user(self.user).filter(period=self.period).select_related(
            "cluster", "enterprise", "period")
        keys = {}
        for report in reports:
            if report.enterprise_id:
                keys[report.enterprise.credit_code or f"E{report.enterprise_id}"] = report
            else:
                keys[report.cluster.code] = report
        return keys

    def _rows(self, book: CalamineWorkbook, meta: dict) -> dict[Report, tuple[dict, dict]]:
        rows = self.result.sheets[DATA_SHEET]
        formulas = formula_cells(self.content, DATA_SHEET)
        columns = meta["columns"]
        adjust_col, note_col = 3 + len(columns), 4 + len(columns)
        reports = self._reports_by_key()
        seen: dict[str, int] = {}
        parsed: dict[Report, tuple[dict, dict]] = {}
        for index in range(FIRST_DATA_ROW, len(rows)):
            row = rows[index] + [None] * (note_col + 1 - len(rows[index]))
            excel_row = index + 1
            key = str(row[0] if row[0] is not None else "").strip()
            if isinstance(row[0], float) and row[0].is_integer():
                key = str(int(row[0]))
            if not key and all(v in (None, "") for v in row[3:note_col + 1]):
                continue
            if key in SKIP_KEYS or str(row[1] or "").strip() in SKIP_KEYS:
                continue
            if not key:
                self.problem("编码为空，无法确定是哪个集群或企业", excel_row, 1)
                continue
            if key in seen:
                self.problem(f"编码 {key} 与第{seen[key]}行重复", excel_row, 1)
                continue
            seen[key] = excel_row
            report = reports.get(key)
            if report is None:
                self.problem(f"编码 {key} 不在{self.period.label}中，或不在您的填报范围内", excel_row, 1)
                continue
            if not can_fill_report(self.user, report):
                self.problem(f"“{report}”当前状态为{report.get_status_display()}，不能导入（已提交或已锁定的报表请退回或申请更正）",
                             excel_row, 1)
                continue
            values: dict[str, dict] = {}
            line: dict[str, int] = {}
            for offset, (code, field_name) in enumerate(columns):
                if field_name == "yoy":
                    continue  # a formula for the user's eyes; 同比 is recomputed from the two figures
                col = 4 + offset
                if (excel_row, col) in formulas:
                    self.problem("是公式，请改为数值：系统不采信公式单元格（未在 Excel 中打开过的文件公式结果为 0）",
                                 excel_row, col)
                    continue
                try:
                    number = parse_number(row[3 + offset], meta["units"].get(code, ""))
                except ValueError as exc:
                    self.problem(str(exc), excel_row, col)
                    continue
                values.setdefault(code, {})[field_name] = number
                line[code] = excel_row
            note = str(row[note_col] or "").strip()
            if str(row[adjust_col] or "").strip() == "是":
                note = f"口径调整：{note}" if note else "口径调整"
            for code in values:
                values[code]["note"] = note
            parsed[report] = (values, line)
        if not parsed and not self.result.problems:
            self.problem("没有找到可导入的数据行", FIRST_DATA_ROW + 1, 0)
        return parsed

    @transaction.atomic
    def _write(self, parsed: dict[Report, tuple[dict, dict]], digest: str) -> None:
        """Write every value in bulk: one batch row, history rows for each value, one audit entry."""
        batch = ImportBatch.objects.create(period=self.period, file_name=self.file_name[:255], sha256=digest,
                                           uploaded_by=self.user, rows=len(parsed))
        indicators = {i.code: i for i in self.period.indicators.all()}
        existing = {
            (v.report_id, v.indicator_id): v
            for v in ReportValue.objects.filter(report__in=[r.pk for r in parsed])
        }
        created, updated, written = [], [], 0
        username = getattr(self.user, "username", "")
        for report, (values, lines) in parsed.items():
            for code, data in values.items():
                indicator = indicators[code]
                value = existing.get((report.pk, indicator.pk))
                fresh = value is None
                if fresh:
                    value = ReportValue(report=report, indicator=indicator)
                value.current = data.get("current", value.current)
                value.previous = data.get("previous", value.previous)
                value.note = data.get("note", value.note)
                value.provenance = Provenance.IMPORT
                value.batch = batch
                value.source_row = lines.get(code)
                value.updated_by = username
                (created if fresh else updated).append(value)
                written += (value.current is not None) + (value.previous is not None)
        when = timezone.now()
        for value in created + updated:
            value.updated_at = when
        bulk_create_with_history(created, ReportValue, batch_size=2000, default_user=self.user)
        bulk_update_with_history(updated, ReportValue, ["current", "previous", "note", "provenance", "batch",
                                                        "source_row", "updated_by", "updated_at"],
                                 batch_size=2000, default_user=self.user)
        Report.objects.filter(pk__in=[r.pk for r in parsed]).update(updated_at=when)
        batch.values_written = written
        batch.save(update_fields=["values_written"])
        audit_record(actor=self.user, action=AuditAction.IMPORT, obj=batch,
                     after={"file": self.file_name, "sha256": digest, "reports": len(parsed), "values": written})
        self.result.reports = list(parsed)
        self.result.values_written = written
        self.result.batch = batch
