"""Excel in: the quarterly template, read with python-calamine, checked whole, written all-or-nothing.

`ReportImporter.run()` parses every row, collects every problem with its sheet, row, column and reason,
and writes nothing unless there are none. Each row then passes the 强制性审核 (range, decimals, 分项 ≤ 合计, as
checks.import_errors says): one broken rule refuses the whole file, naming sheet, row, column and rule. A file
imported again (same SHA-256) writes nothing when its figures are those on file; when they were changed since
(on the web page), it is applied again and the result says so.

Tolerated, because real users send them: full-width digits and spaces, thousands separators, a unit
written in the cell ("1.2亿元" in a 万元 column is 12000), stray spaces, a 合计 row (济宁市合计), footer lines
(单位负责人：… 填表人：…, 注：…), a 甲乙丙/1 2 3 column-number row, rows inserted above the header, merged or unmerged header cells, a workbook re-saved
by WPS or LibreOffice. Formula cells are recomputed from the cells they refer to, never taken from the
cached value (a file that Excel never opened caches 0); the 同比 column is ignored, the system derives it.

Refused: another template or version, another period, a closed period, a unit that differs from the indicator's (in the
header, in _meta or in a cell), moved or missing columns (an inserted column is named once), text in a number cell, a number the database
cannot hold, a formula that cannot be recomputed, a subject outside the user's scope, one the user may not
fill, or one not editable (each with its own reason), a
duplicated row, a name that does not match its code, an .et/.xls, password-protected or otherwise
unreadable file, and a user who keeps no report of the period.

Before calamine sees anything, package.py checks the zip and each sheet calamine will read against bounds
(sizes, ratios, parts, content types, macros, and every cell reference inside the rectangle the template
can fill: the user's reports of the period as rows, the period's indicators as columns), so a hostile
file costs a refusal, not the process. Only the _meta and data sheets are parsed.
"""

import hashlib
import io
import json
import logging
import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineWorkbook, PasswordError
from xlsxwriter.utility import xl_col_to_name

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.clusters.models import Cluster
from jiqun.core.collector import gc_paused
from jiqun.core.text import control_character_error
from jiqun.monitoring.checks import PART_OF_WHOLE, import_errors
from jiqun.monitoring.excel import (
    ADJUST_HEADER,
    DATA_SHEET,
    FIELDS,
    FIRST_DATA_ROW,
    KEY_HEADER,
    META_SHEET,
    NOTE_HEADER,
    PERIOD_CELL,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    field_label,
    group_label,
    unsafe_text,
)
from jiqun.monitoring.importer.cells import clean_text, float_text, parse_number
from jiqun.monitoring.importer.formulas import FormulaError, FormulaEvaluator, read_formulas
from jiqun.monitoring.importer.package import Limits, Package, PackageRefused, mib, open_package, sheet_xml
from jiqun.monitoring.importer.store import bulk_cache, insert_rows, table_of
from jiqun.monitoring.models import (
    EDITABLE_STATUSES,
    ImportBatch,
    PeriodStatus,
    Provenance,
    Report,
    ReportingPeriod,
    ReportRevision,
    ReportStatus,
)
from jiqun.monitoring.permissions import can_fill_period, can_fill_report
from jiqun.monitoring.selectors import indicators_asked, rules_for
from jiqun.monitoring.values import (
    NOTE_LENGTH,
    changed_entry,
    entries_json,
    number_text,
    storable,
)

logger = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # old .xls, WPS .et, and encrypted .xlsx all use this container
ENCRYPTED_STREAM = "EncryptionInfo".encode("utf-16-le")  # present only in an encrypted .xlsx
OLD_SUFFIXES = (".et", ".ett", ".xls", ".xlt")
HEADER_SEARCH_ROWS = 20
META_ROWS, META_COLUMNS = 30, 4  # the _meta sheet has nine rows of key and value

STEMS = set("甲乙丙丁戊己庚辛壬癸")
# 合计 rows: 全市合计, or a region's name before it (济宁市合计, 任城区小计)
TOTAL_ROW = re.compile(r"(全省|全市|本市|全县|本县|全区|本区|本单位|[\u4e00-\u9fff]{1,12}(省|市|州|盟|县|区|旗))?"
                       r"(合计|总计|小计)[:：]?")
# Footer lines statistical forms end with: 单位负责人：… 统计负责人：… 填表人：… 报出日期：…, 注：…
FOOTER_ROW = re.compile(r"(单位负责人|统计负责人|负责人|填表人|填报人|审核人|联系人|联系电话|电话|报出日期|填报日期|填表日期|"
                        r"日期|注|说明|备注)\d*[:：].*", re.DOTALL)
PERIOD_ROW, PERIOD_COL = PERIOD_CELL[0] + 1, PERIOD_CELL[1] + 1  # 1-based, for problems
FORMULA_ERROR = gettext_lazy("是公式“%(formula)s”，系统重新计算时%(reason)s：请改为数值，或只引用本表的数值单元格")


@dataclass
class Problem:
    sheet: str
    row: int  # 1-based, as Excel shows it; 0 for the file
    col: int  # 1-based; 0 for the whole row
    reason: str

    @property
    def column(self) -> str:
        """The column letter as Excel shows it, or '' for a whole row."""
        return xl_col_to_name(self.col - 1) if self.col else ""

    def __str__(self) -> str:
        where = [self.sheet] if self.sheet else []
        if self.row:
            where.append(_("第%(row)s行") % {"row": self.row})
        if self.col:
            where.append(_("%(column)s列") % {"column": self.column})
        return f"{' '.join(where)}：{self.reason}" if where else self.reason


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    report_ids: list[int] = field(default_factory=list)
    values_written: int = 0
    already_imported: ImportBatch | None = None  # the same file, its figures all on file: nothing written
    reapplied: ImportBatch | None = None  # the same file as this earlier batch, applied again over changed figures
    batch: ImportBatch | None = None
    sheets: dict[str, list[list]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # read, check, write: for logs and the bench
    _reports: list[Report] | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def reports(self) -> list[Report]:
        """The imported reports, loaded on first use (an enterprise-level file may hold 100,000)."""
        if self._reports is None:
            self._reports = []
            for start in range(0, len(self.report_ids), 5000):  # SQLite limits the parameters of one query
                chunk = self.report_ids[start:start + 5000]
                self._reports += Report.objects.filter(pk__in=chunk).select_related("period", "cluster", "enterprise")
        return self._reports


def code_key(value) -> str:
    """A code from column A or the registry as the importer matches it: cleaned and upper case."""
    if type(value) is str and value.isascii() and value.isalnum():  # the usual 统一社会信用代码: nothing to clean
        return value.upper()
    return clean_text(value).upper()


class Refused(Exception):
    """Raised inside the write transaction to roll it back; the problems are already recorded."""


# Cells ---------------------------------------------------------------------------------------------


@dataclass
class Subject:
    """A report the user can see, as the importer needs it."""

    report_id: int
    status: str
    names: tuple[str, ...]  # as registered
    fillable: bool  # can_fill_report's answer
    region: bool = False  # a region's 综合表: asks the region-level indicators only

    def named(self, name: str) -> bool:
        """Whether a name written in the file (already cleaned) is one of the subject's names.

        The template writes a name that begins with = + - @ after an apostrophe (safe_text); that is taken
        off again, unless the registered name itself begins with it.
        """
        cleaned = {clean_text(n) for n in self.names}
        return any(n in self.names or n in cleaned for n in (name, unsafe_text(name)))


@dataclass
class Layout:
    header_row: int  # 0-based row of the indicator names; field names on the next row
    inputs: list[tuple[int, str, str, str]]  # (0-based col, indicator code, field, unit) of every number column
    adjust_col: int
    note_col: int


def upload_refusal(content: bytes, file_name: str, limits: Limits) -> str | None:
    """Why an uploaded file is not an .xlsx any of the importers reads (too large, .xls/.et, encrypted, not a
    workbook), in words the uploader can act on; None when its package may be opened."""
    if len(content) > limits.max_bytes:
        return _("文件“%(file)s”有 %(size)s，超过上限 %(limit)s，请删去多余内容后再上传") % {
            "file": file_name, "size": mib(len(content)), "limit": mib(limits.max_bytes)}
    if file_name.lower().endswith(OLD_SUFFIXES):
        return _("文件“%(file)s”是 .et/.xls 格式，不能导入：请在 WPS 或 Excel 中“另存为” .xlsx 后再上传") % {"file": file_name}
    if content.startswith(CFB_MAGIC):
        if ENCRYPTED_STREAM in content:
            return _("文件“%(file)s”设置了打开密码，不能导入：请取消密码后另存为 .xlsx 再上传") % {"file": file_name}
        return _("文件“%(file)s”是旧版 .xls 或 WPS .et 格式，不能导入：请另存为 .xlsx 后再上传") % {"file": file_name}
    if not content.startswith(ZIP_MAGIC):
        return _("文件“%(file)s”不是 .xlsx 格式的 Excel 工作簿，请下载模板填写后上传") % {"file": file_name}
    return None


class ReportImporter:
    def __init__(self, *, user, content: bytes, file_name: str, period: ReportingPeriod | None = None) -> None:
        self.user = user
        self.content = content
        self.file_name = file_name
        self.period = period
        self.result = ImportResult()
        self.merges: list = []  # merged ranges of the data sheet, ((row, col), (row, col)) 0-based
        self.limits = Limits.from_settings()
        self.package: Package | None = None
        self.book: CalamineWorkbook | None = None
        self.data_xml: bytes | None = None  # the data sheet's XML as its bounds check read it
        self.formula_scan: tuple[set[int], Future] | None = None  # (columns, their formulas) being searched
        self.earlier: ImportBatch | None = None  # an earlier import of the same bytes

    def problem(self, reason: str, row: int = 0, col: int = 0, sheet: str = DATA_SHEET) -> None:
        """Record a problem; row and col are 1-based as Excel shows them (0: the whole file or row)."""
        self.result.problems.append(Problem(sheet, row, col, reason))

    def run(self) -> ImportResult:
        with gc_paused():
            return self._run()

    def _run(self) -> ImportResult:
        start = time.perf_counter()
        if not self._open():
            return self.result
        meta = self._meta()
        if meta is None:
            return self.result
        if not can_fill_period(self.user, self.period):
            self.problem(_("您在%(period)s没有要填报的报表，不能导入") % {"period": self.period.label}, sheet="")
            return self.result
        if self.period.status != PeriodStatus.OPEN:
            self.problem(_("%(period)s已关闭，不再接受填报，文件未导入；如需更正已报数据，请在报表页面申请更正")
                         % {"period": self.period.label}, PERIOD_ROW, PERIOD_COL)
            return self.result
        digest = hashlib.sha256(self.content).hexdigest()
        # The same bytes again are read like any file: _store writes nothing if every figure is as on file.
        self.earlier = ImportBatch.objects.filter(period=self.period, sha256=digest).first()
        if not self._read_data():
            return self.result
        layout = self._layout(meta)
        if layout is None:
            return self.result
        self.result.seconds["read"] = time.perf_counter() - start
        parsed = self._rows(layout)
        if not self.result.problems:
            self._check_rules(parsed, layout)
        self.result.seconds["check"] = time.perf_counter() - start - self.result.seconds["read"]
        if self.result.problems:
            return self.result
        self._write(parsed, digest)
        self.result.seconds["write"] = time.perf_counter() - start - sum(self.result.seconds.values())
        return self.result

    # Reading the file ---------------------------------------------------------------------------------

    def _open(self) -> bool:
        """Check the package before any parser sees it, then read the _meta sheet (within its own small bounds)."""
        refusal = upload_refusal(self.content, self.file_name, self.limits)
        if refusal:
            self.problem(refusal, sheet="")
            return False
        try:
            self.package = open_package(self.content, self.file_name, self.limits)
        except PackageRefused as exc:
            self.problem(str(exc), sheet="")
            return False
        if META_SHEET not in self.package.sheets or DATA_SHEET not in self.package.sheets:
            self.problem(_("不是本系统生成的统计季报模板（缺少“%(data)s”工作表或隐藏的 %(meta)s 工作表），请下载模板后填写")
                         % {"data": DATA_SHEET, "meta": META_SHEET}, sheet="")
            return False
        return self._read_sheet(META_SHEET, META_ROWS, META_COLUMNS)

    def _read_sheet(self, name: str, rows: int, columns: int) -> bool:
        """Parse one sheet with calamine once its XML is within rows × columns; the data sheet's formulas meanwhile."""
        try:
            xml = sheet_xml(self.package, name, rows, columns)
        except PackageRefused as exc:
            self.problem(str(exc), sheet="")
            return False
        try:
            if self.book is None:
                self.book = CalamineWorkbook.from_filelike(io.BytesIO(self.content))
            if name == DATA_SHEET:
                # The formulas of the number columns are searched in the sheet's XML on a second thread while
                # calamine parses the sheet (it lets go of the GIL while it parses).
                self._scan_formulas(xml)
            sheet = self.book.get_sheet_by_name(name)  # parses the sheet: once only
            # skip_empty_area=False keeps row and column numbers as Excel shows them
            self.result.sheets[name] = sheet.to_python(skip_empty_area=False)
            if name == DATA_SHEET:
                self.merges = sheet.merged_cell_ranges or []
                self.data_xml = xml
        except PasswordError:
            self.problem(_("文件“%(file)s”设置了密码，请取消密码后再上传") % {"file": self.file_name}, sheet="")
            return False
        except Exception as exc:  # calamine raises several types for a broken file
            self.problem(_("无法读取文件“%(file)s”，请确认是 .xlsx 格式的 Excel 工作簿（%(error)s）")
                         % {"file": self.file_name, "error": type(exc).__name__}, sheet="")
            return False
        return True

    def _read_data(self) -> bool:
        """Read the data sheet, bounded by the template this user gets for the period: its rows and columns.

        The template has a row per report the user sees, under a title, a period line, two header rows and
        the 栏次 row, and a column per field of each indicator between the three key columns and the two
        closing ones; users may add rows above the header, total and note rows, and a few columns.
        """
        reports = Report.objects.for_user(self.user).filter(period=self.period).count()
        indicators = self.period.indicators.count()
        rows = FIRST_DATA_ROW + HEADER_SEARCH_ROWS + reports + settings.JIQUN_IMPORT_EXTRA_ROWS
        columns = 3 + len(FIELDS) * indicators + 2 + settings.JIQUN_IMPORT_EXTRA_COLUMNS
        return self._read_sheet(DATA_SHEET, rows, columns)

    def _scan_formulas(self, xml: bytes) -> None:
        """Start the formula search of the number columns the _meta sheet names; _rows takes the result."""
        meta = {str(row[0]): row[1] for row in self.result.sheets.get(META_SHEET, []) if len(row) >= 2 and row[0]}
        try:
            columns = {3 + offset for offset, (_code, field_name) in enumerate(json.loads(str(meta["columns"])))
                       if field_name in ("current", "previous")}
        except (KeyError, ValueError, TypeError):
            return  # a broken _meta sheet is reported by _meta(); nothing to search for
        executor = ThreadPoolExecutor(max_workers=1)
        self.formula_scan = (columns, executor.submit(read_formulas, self.content, DATA_SHEET, columns, xml))
        executor.shutdown(wait=False)

    def _formulas(self, columns: set[int]) -> dict | None:
        """The formulas of these columns: from the search started while reading, or searched now."""
        if self.formula_scan is not None and columns <= self.formula_scan[0]:
            found = self.formula_scan[1].result()
            return None if found is None else {cell: f for cell, f in found.items() if cell[1] in columns}
        return read_formulas(self.content, DATA_SHEET, columns, self.data_xml)

    def _meta(self) -> dict | None:
        sheets = self.result.sheets
        meta, where = {}, {}
        for index, row in enumerate(sheets[META_SHEET]):
            if len(row) >= 2 and row[0]:
                meta[str(row[0])] = str(row[1])
                where[str(row[0])] = index + 1
        if meta.get("template") != TEMPLATE_ID:
            self.problem(_("模板类型“%(template)s”不是统计季报模板，请下载本系统的模板后填写")
                         % {"template": meta.get("template", "")},
                         where.get("template", 1), 2, META_SHEET)
            return None
        if meta.get("version") != TEMPLATE_VERSION:
            self.problem(_("模板版本“%(version)s”已过期（当前为 %(current)s），请重新下载模板")
                         % {"version": meta.get("version", ""), "current": TEMPLATE_VERSION},
                         where.get("version", 2), 2, META_SHEET)
            return None
        period_id = meta.get("period", "").split(".")[0]
        period = ReportingPeriod.objects.select_related("programme").filter(
            pk=int(period_id) if period_id.isdigit() else 0).first()
        if period is None:
            self.problem(_("模板中的报告期在系统中不存在，请重新下载模板"), PERIOD_ROW, PERIOD_COL)
            return None
        if self.period is not None and period.pk != self.period.pk:
            self.problem(_("这是%(template)s的模板，不是本次上传的%(upload)s，请下载本期模板")
                         % {"template": period.label, "upload": self.period.label}, PERIOD_ROW, PERIOD_COL)
            return None
        self.period = period
        try:
            meta["columns"] = [tuple(c) for c in json.loads(meta["columns"])]
            meta["units"] = json.loads(meta["units"])
        except (KeyError, ValueError, TypeError):
            self.problem(_("模板的列定义已损坏，请重新下载模板"), where.get("columns", 7), 2, META_SHEET)
            return None
        return meta

    def _layout(self, meta: dict) -> Layout | None:
        """Find the header, check that every column is where the template put it, with the indicator's unit."""
        rows = self.result.sheets[DATA_SHEET]
        header = next((r for r in range(min(HEADER_SEARCH_ROWS, len(rows) - 1))
                       if rows[r] and clean_text(rows[r][0]) == KEY_HEADER), None)
        if header is None:
            self.problem(_("找不到表头（A列应有“%(header)s”），请勿修改模板的表头") % {"header": KEY_HEADER}, 3, 1)
            return None
        top = list(rows[header])
        below = list(rows[header + 1])
        for (r0, c0), (r1, c1) in self.merges:
            for c in range(c0, c1 + 1):
                for r, line in ((header, top), (header + 1, below)):
                    if r0 <= r <= r1 and c < len(line) and (r, c) != (r0, c0):
                        line[c] = rows[r0][c0]
        indicators = {i.code: i for i in self.period.indicators.all()}
        columns = meta["columns"]
        codes = {code for code, _field in columns}
        missing = sorted(set(indicators) - codes)
        if missing:
            self.problem(_("模板缺少本期指标%(names)s，请重新下载模板")
                         % {"names": "、".join(indicators[c].name for c in missing)}, header + 1, 4)
        if self._inserted_column(top, below, columns, meta["units"], header):
            return None
        inputs = []
        first_col: dict[str, int] = {}
        for offset, (code, field_name) in enumerate(columns):
            col = 3 + offset
            first_col.setdefault(code, col)
            indicator = indicators.get(code)
            if indicator is None:
                self.problem(_("本报告期不填报指标“%(code)s”，请重新下载模板") % {"code": code}, header + 1, col + 1)
                continue
            unit = meta["units"].get(code, "")
            if unit != indicator.unit:
                self.problem(_("模板中“%(name)s”的单位是“%(unit)s”，本报告期要求“%(required)s”，请重新下载模板")
                             % {"name": indicator.name, "unit": unit, "required": indicator.unit}, header + 2, col + 1)
                continue
            group = clean_text(top[col] if col < len(top) else "") or clean_text(top[first_col[code]])
            found = clean_text(below[col] if col < len(below) else "")
            expected = clean_text(field_label(field_name, unit))
            if group != clean_text(group_label(indicator.name, unit)):
                self.problem(_("此列应属于“%(expected)s”，表头却是“%(found)s”：请勿增删或移动列")
                             % {"expected": group_label(indicator.name, unit), "found": group}, header + 1, col + 1)
            elif found != expected:
                words = clean_text(FIELDS[field_name])
                if found.startswith(words):
                    self.problem(_("表头单位为“%(found)s”，本报告期“%(name)s”的单位是“%(unit)s”：请按%(unit)s填写并恢复表头")
                                 % {"found": found.removeprefix(words).strip("()"), "name": indicator.name, "unit": unit},
                                 header + 2, col + 1)
                else:
                    self.problem(_("此列表头应为“%(expected)s”，实为“%(found)s”：请勿增删或移动列")
                                 % {"expected": field_label(field_name, unit), "found": found}, header + 2, col + 1)
            elif field_name != "yoy":
                inputs.append((col, code, field_name, unit))
        for col, word in ((3 + len(columns), ADJUST_HEADER), (4 + len(columns), NOTE_HEADER)):
            label = clean_text(top[col] if col < len(top) else "") or clean_text(below[col] if col < len(below) else "")
            if not label.startswith(word):
                self.problem(_("此列表头应为“%(expected)s”，实为“%(found)s”：请勿增删或移动列")
                             % {"expected": word, "found": label}, header + 1, col + 1)
        fields = {(code, f) for code, f in columns}
        for code in codes & set(indicators):
            if not {(code, "current"), (code, "previous")} <= fields:
                self.problem(_("模板缺少“%(name)s”的本期或上年同期列，请重新下载模板") % {"name": indicators[code].name},
                             header + 2, 4)
        if self.result.problems:
            return None
        return Layout(header_row=header, inputs=inputs, adjust_col=3 + len(columns), note_col=4 + len(columns))

    def _inserted_column(self, top: list, below: list, columns: list, units: dict, header: int) -> bool:
        """A column inserted among the template's: one problem naming it, not one for every column after it.

        It is an inserted column when the headers from it on are the template's, each one column to the right.
        """
        def label(line: list, col: int) -> str:
            return clean_text(line[col]) if col < len(line) else ""

        shown = [field_label(f, units.get(code, "")) for code, f in columns] + [ADJUST_HEADER, NOTE_HEADER]
        expected = [clean_text(text) for text in shown]
        found = [label(below, col) or label(top, col) for col in range(3, 4 + len(expected))]

        def fits(index: int, at: int) -> bool:
            if index >= len(columns):  # 口径调整（是/否）, 说明
                return found[at].startswith(expected[index])
            return found[at] == expected[index]

        first = next((i for i in range(len(expected)) if not fits(i, i)), None)
        if first is None or not all(fits(i, i + 1) for i in range(first, len(expected))):
            return False
        header_text = found[first] or label(top, 3 + first)
        self.problem((_("此列是插入的列（表头为“%(found)s”）") % {"found": header_text} if header_text
                      else _("此列是插入的空白列")) + _("，模板中此处应为“%(expected)s”：请删除此列后再上传")
                     % {"expected": shown[first]}, header + 2, 3 + first + 1)
        return True

    def _subjects(self) -> dict[str, Subject]:
        """The reports of this period the user can see, by the code written in column A.

        can_fill_report decides for each, given light stand-ins for the report and its enterprise (what the
        predicate reads): 100,000 model instances took seconds. A cluster is a real instance, made once.
        """
        rows = Report.objects.for_user(self.user).filter(period=self.period).order_by().values_list(
            "pk", "status", "cluster_id", "enterprise_id", "enterprise__name", "enterprise__full_name",
            "enterprise__credit_code", "enterprise__region_id", "cluster__code", "cluster__name", "region_id",
            "region__name")
        clusters = {c.pk: c for c in Cluster.objects.filter(reports__period=self.period, reports__enterprise__isnull=True)}
        subjects = {}
        for (pk, status, cluster_id, enterprise_id, name, full_name, credit_code, region_id, code, cluster_name,
             report_region, region_name) in rows:
            if enterprise_id:
                enterprise = SimpleNamespace(pk=enterprise_id, region_id=region_id)
                stand_in = SimpleNamespace(editable=status in EDITABLE_STATUSES, enterprise_id=enterprise_id,
                                           enterprise=enterprise, cluster_id=None, cluster=None, region_id=None)
                key, names = credit_code or f"E{enterprise_id}", (name, full_name)
            elif report_region:  # a 综合表, keyed by the region's code (370800)
                stand_in = SimpleNamespace(editable=status in EDITABLE_STATUSES, enterprise_id=None, enterprise=None,
                                           cluster_id=None, cluster=None, region_id=report_region)
                key, names = report_region, (f"{region_name}综合表", region_name)
            else:
                stand_in = SimpleNamespace(editable=status in EDITABLE_STATUSES, enterprise_id=None, enterprise=None,
                                           cluster_id=cluster_id, cluster=clusters[cluster_id], region_id=None)
                key, names = code, (cluster_name,)
            subjects[code_key(key)] = Subject(pk, status, tuple(n for n in names if n),
                                              bool(can_fill_report(self.user, stand_in)), bool(report_region))
        return subjects

    def _rows(self, layout: Layout) -> list[tuple[int, int, str, list[tuple[str, str | None, str | None]]]]:
        """Every data row as (report id, Excel row, note, [(indicator code, current, previous)]); problems recorded.

        Numbers travel as exact decimal text, which is what the database is sent: making a Decimal of each of
        2,000,000 cells and turning it back into text cost a second at 100,000 rows.
        """
        rows = self.result.sheets[DATA_SHEET]
        units = {col: unit for col, _indicator, _field, unit in layout.inputs}
        formulas = self._formulas(set(units))
        if formulas is None:
            self.problem(_("无法检查工作表中的公式，请在 Excel 或 WPS 中另存为 .xlsx 后再上传"), 0, 0)
            return []
        evaluator = FormulaEvaluator(rows, formulas, units)
        formula_rows = {row for row, _col in formulas}
        subjects = self._subjects()
        width = layout.note_col + 1
        pairs: dict[int, list] = {}  # indicator id → [current col, previous col]
        for col, indicator, field_name, _unit in layout.inputs:
            pairs.setdefault(indicator, [None, None])[field_name == "previous"] = col
        pair_list = [(indicator, current, previous) for indicator, (current, previous) in pairs.items()]
        input_cols = list(units)
        # Which indicators each kind of report asks: a value in a column its row does not ask is refused.
        not_asked = {region: {i.code: i.name for i in indicators_asked(self.period, region=not region)}
                     for region in (False, True)}
        seen: dict[str, int] = {}
        parsed = []
        for index in range(layout.header_row + 2, len(rows)):
            row = rows[index]
            if len(row) < width:
                row = row + [""] * (width - len(row))
            excel_row = index + 1
            key = code_key(row[0])
            note = row[layout.note_col]
            note = note.strip() if isinstance(note, str) else clean_text(note)
            empty = all(row[c] == "" or row[c] is None for c in input_cols) and not note
            if not key and empty:
                continue
            if self._is_footer(row, width):
                continue
            name = row[1] if type(row[1]) is str and row[1].isalnum() else clean_text(row[1])
            if TOTAL_ROW.fullmatch(key) or TOTAL_ROW.fullmatch(name):
                continue
            if (key in STEMS or (key.isdigit() and len(key) <= 3)) and self._is_column_numbers(row, width):
                continue
            if not key:
                self.problem(_("编码为空，无法确定是哪个集群或企业"), excel_row, 1)
                continue
            if key in seen:
                self.problem(_("编码 %(code)s 与第%(row)s行重复") % {"code": key, "row": seen[key]}, excel_row, 1)
                continue
            seen[key] = excel_row
            subject = subjects.get(key)
            if subject is None:
                self.problem(_("编码 %(code)s 不在%(period)s中，或不在您的填报范围内") % {"code": key, "period": self.period.label},
                             excel_row, 1)
                continue
            if name and (message := control_character_error(name, _("名称"))):
                self.problem(message, excel_row, 2)
                continue
            if name and not subject.named(name):
                self.problem(_("名称“%(name)s”与编码 %(code)s 登记的“%(registered)s”不一致，请核对编码")
                             % {"name": name, "code": key, "registered": subject.names[0]}, excel_row, 2)
                continue
            if empty:
                continue  # listed but not filled: leave the report as it is
            if not subject.fillable:
                self.problem(self._not_fillable(subject), excel_row, 1)
                continue
            if index in formula_rows:
                values = [(indicator, number_text(self._cell(row, index, current, units, formulas, evaluator)),
                           number_text(self._cell(row, index, previous, units, formulas, evaluator)))
                          for indicator, current, previous in pair_list]
            else:  # the common case, kept tight: 100,000 rows × 20 cells
                values = []
                for indicator, current, previous in pair_list:
                    a, b = row[current], row[previous]
                    try:
                        a = float_text(a) if type(a) is float else number_text(parse_number(a, units[current]))
                    except ValueError as exc:
                        self.problem(str(exc), excel_row, current + 1)
                    try:
                        b = float_text(b) if type(b) is float else number_text(parse_number(b, units[previous]))
                    except ValueError as exc:
                        self.problem(str(exc), excel_row, previous + 1)
                    values.append((indicator, a, b))
            if not_asked[subject.region]:
                values = self._asked(values, not_asked[subject.region], pairs, subject, excel_row)
            note = self._note(note, row[layout.adjust_col], excel_row, layout)
            parsed.append((subject.report_id, excel_row, note, values))
        if not parsed and not self.result.problems:
            self.problem(_("没有找到可导入的数据行（编码列为空或各数值均未填写）"), layout.header_row + 3, 0)
        return parsed

    def _asked(self, values: list, not_asked: dict[str, str], pairs: dict, subject: Subject, excel_row: int) -> list:
        """The row's values of the indicators its report asks; a figure in a column it does not ask is refused."""
        for code, current, previous in values:
            if code in not_asked and (current is not None or previous is not None):
                where = _("区域级指标，只在市或全省的综合表中填报") if not subject.region else _("集群级指标，由各集群填报")
                self.problem(_("“%(indicator)s”是%(where)s，“%(report)s”不填报此项，请清空该格")
                             % {"indicator": not_asked[code], "where": where, "report": subject.names[0]},
                             excel_row, pairs[code][0 if current is not None else 1] + 1)
        return [v for v in values if v[0] not in not_asked]

    def _cell(self, row: list, index: int, col: int, units: dict[int, str], formulas: dict,
              evaluator: FormulaEvaluator) -> Decimal | None:
        """One number cell of a row that holds a formula somewhere: formulas recomputed, the rest parsed."""
        try:
            formula = formulas.get((index, col))
            if formula is None:
                return parse_number(row[col], units[col])
            try:
                value = evaluator.evaluate(formula)
            except (FormulaError, InvalidOperation, ArithmeticError) as exc:
                raise ValueError(FORMULA_ERROR % {"formula": "=" + formula.lstrip("="),
                                                  "reason": _("出错（%(error)s）") % {"error": exc}}) from None
            return storable(value, f"{value:f}")
        except ValueError as exc:
            self.problem(str(exc), index + 1, col + 1)
            return None

    def _note(self, note: str, adjust, excel_row: int, layout: Layout) -> str:
        note = unsafe_text(note)  # the apostrophe our export adds against formula injection
        if message := control_character_error(note, _("说明")):
            self.problem(message, excel_row, layout.note_col + 1)
        flag = clean_text(adjust)
        if flag == "是":
            # Stored with the figures, in the language of the workbook's columns (是/否), not of the UI.
            note = f"口径调整：{note}" if note else "口径调整"
        elif flag not in ("", "否"):
            self.problem(_("“%(header)s”只能填“是”或“否”，实为“%(value)s”") % {"header": ADJUST_HEADER, "value": adjust},
                         excel_row, layout.adjust_col + 1)
        if len(note) > NOTE_LENGTH:
            self.problem(_("说明有 %(length)s 个字，最多 %(limit)s 个") % {"length": len(note), "limit": NOTE_LENGTH},
                         excel_row, layout.note_col + 1)
        return note

    def _not_fillable(self, subject: Subject) -> str:
        """The true reason a row's report cannot be filled: the user's permission first, then its status."""
        report = Report.objects.select_related("cluster", "enterprise").get(pk=subject.report_id)
        stand_in = SimpleNamespace(editable=True, enterprise_id=report.enterprise_id, enterprise=report.enterprise,
                                   cluster_id=report.cluster_id, cluster=report.cluster, region_id=report.region_id)
        if not can_fill_report(self.user, stand_in):
            return (_("您可以查看“%(name)s”的报表，但无权填报（该报表由其所属地区或集群的填报人员填报），不能导入此行")
                    % {"name": subject.names[0]})
        return (_("“%(name)s”的报表当前状态为%(status)s，不能导入（已提交或已审核的报表须先退回，已锁定的请申请更正）")
                % {"name": subject.names[0], "status": ReportStatus(subject.status).label})

    def _check_rules(self, parsed: list, layout: Layout) -> None:
        """强制性审核 of every row as the file gives it: one broken rule refuses the file, named by cell and rule."""
        # Each code has one rule whichever report asks it (a cluster's or a 综合表's): check every column's.
        rules = rules_for(self.period) + rules_for(self.period, region=True)
        columns = {(code, field_name): col for col, code, field_name, _unit in layout.inputs}
        # checks.import_errors decides; it is given, as Decimals, only the values it could find wrong: those it
        # compares (a bound other than 0, a part or a whole) and, from their text, negatives and long decimals.
        # Making a Decimal of every one of 2,000,000 cells would cost seconds at 100,000 rows.
        precision = {rule.code: rule.precision for rule in rules}
        compared = {rule.code for rule in rules if rule.min_value not in (None, 0) or rule.max_value is not None}
        compared |= {code for pair in PART_OF_WHOLE for code in pair}

        def suspect(code: str, text: str | None) -> bool:
            if text is None:
                return False
            if code in compared or text[0] == "-":
                return True
            dot = text.find(".")
            return dot >= 0 and len(text.rstrip("0")) - dot - 1 > precision[code]

        for _report_id, excel_row, _note, values in parsed:
            numbers = {code: (None if current is None else Decimal(current), None if previous is None else Decimal(previous))
                       for code, current, previous in values if suspect(code, current) or suspect(code, previous)}
            if not numbers:
                continue
            for finding in import_errors(rules, numbers):
                self.problem(_("未通过强制性审核“%(rule)s”：%(message)s") % {"rule": finding.rule, "message": finding.message},
                             excel_row, columns[(finding.indicator, finding.field)] + 1)

    @staticmethod
    def _is_footer(row: list, width: int) -> bool:
        """A footer line: its first filled cell is 单位负责人：…, 填表人：…, 注：… and no cell holds a number."""
        cells = [clean_text(v) for v in row[:width] if v not in (None, "")]
        return bool(cells) and FOOTER_ROW.fullmatch(cells[0]) is not None and not any(
            type(v) in (int, float) for v in row[:width])

    @staticmethod
    def _is_column_numbers(row: list, width: int) -> bool:
        """The 栏次 row under a Chinese statistical form's header: 甲 乙 丙 1 2 3 … or 1 2 3 …."""
        cells = [clean_text(v) for v in row[:width]]
        filled = [c for c in cells if c]
        return len(filled) >= 3 and all(c in STEMS or (c.isdigit() and len(c) <= 3) for c in filled)

    # Writing -----------------------------------------------------------------------------------------

    def _write(self, parsed: list, digest: str) -> None:
        try:
            with transaction.atomic():
                self._store(parsed, digest)
        except Refused:
            self.result.report_ids, self.result.values_written, self.result.batch = [], 0, None
        except IntegrityError:  # a revision number taken by a save or an import at the same moment
            self.problem(_("导入时数据被他人同时修改，未写入任何数据，请重新上传"), sheet="")
            self.result.report_ids, self.result.values_written, self.result.batch = [], 0, None
        except DatabaseError as exc:
            logger.exception("import of %s (period %s) failed in the database", self.file_name, self.period.pk)
            self.problem(_("数据库写入失败，未写入任何数据（%(error)s）") % {"error": type(exc).__name__}, sheet="")
            self.result.report_ids, self.result.values_written, self.result.batch = [], 0, None

    def _store(self, parsed: list, digest: str) -> None:
        """Write one revision per changed report (its figures as they now stand) in one set-based statement.

        Statuses and figures are read again inside the transaction, so a report submitted or saved since the
        check is seen. Entries that did not change keep their revision, so their provenance; a report with no
        change gets no revision.
        """
        editable = set(self.period.reports.filter(status__in=EDITABLE_STATUSES).values_list("pk", flat=True))
        gone = [(row, report_id) for report_id, row, _note, _values in parsed if report_id not in editable]
        for row, _report_id in sorted(gone):
            self.problem(_("该报表在导入期间已被提交或审核，不能导入"), row, 1)
        if gone:
            raise Refused
        revised = ReportRevision.objects.filter(report__period=self.period).values("report_id")
        on_file = {pk: (figures, number) for pk, figures, number in Report.objects.filter(pk__in=revised)
                   .with_figures().values_list("pk", "latest_figures", "latest_revision")}  # none, the first time
        revisions, written = [], 0
        for report_id, excel_row, note, values in parsed:
            figures, number = on_file.get(report_id, (None, 0))
            number += 1
            if not figures:  # nothing on file: changed_entry's rule for no old entry, without a call per value
                filled = values if note else [v for v in values if v[1] is not None or v[2] is not None]
                if filled:
                    revisions.append((report_id, number, excel_row, entries_json(filled, note, number)))
                    written += sum([(v[1] is not None) + (v[2] is not None) for v in filled])
                continue
            changes = {}
            for code, current, previous in values:
                changed = changed_entry(figures.get(code), current, previous, note, number)
                if changed is not None:
                    changes[code] = changed
                    written += (current is not None) + (previous is not None)
            if changes:
                revisions.append((report_id, number, excel_row, json.dumps({**figures, **changes}, ensure_ascii=False)))
        if self.earlier is not None and not revisions:
            self.result.already_imported = self.earlier  # the same file, every figure as on file: nothing to write
            return
        batch = ImportBatch.objects.create(period=self.period, file_name=self.file_name[:255], sha256=digest,
                                           uploaded_by=self.user, rows=len(parsed))
        stamp = connection.ops.adapt_datetimefield_value(timezone.now())
        if revisions:
            table, columns = table_of(ReportRevision, ["report", "number", "source_row", "figures", "provenance",
                                                       "batch", "actor_name", "at"])
            with connection.cursor() as cursor, bulk_cache(cursor):
                insert_rows(cursor, table, columns, revisions,
                            (Provenance.IMPORT.value, batch.pk, getattr(self.user, "username", ""), stamp))
        batch.values_written = written
        batch.save(update_fields=["values_written"])
        audit_record(actor=self.user, action=AuditAction.IMPORT, obj=batch,
                     after={"file": self.file_name, "sha256": digest, "reports": len(parsed), "values": written,
                            "revisions": len(revisions),
                            **({"reapplies": self.earlier.pk} if self.earlier is not None else {})})
        self.result.reapplied = self.earlier
        self.result.report_ids = [report_id for report_id, _row, _note, _values in parsed]
        self.result.values_written = written
        self.result.batch = batch
