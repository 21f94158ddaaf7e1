"""Excel in and out for on-site 观摩 scores (现场观摩得分) of one project scheme and year.

Export: one sheet, a header row (项目编号, 项目名称, 观摩人员, 现场得分, 说明) and a row per score.
Import: the same sheet (or any first sheet whose first row names the columns 项目编号, 观摩人员, 现场得分 and
optionally 说明; other columns are ignored), read within the upload bounds the other importers use (the package
checks of jiqun.monitoring.importer.package before calamine sees anything). All-or-nothing: every row is checked
and every problem named by row and column; only a file without one is written, in one transaction, each row
through `observation_score_record` (a new observer's score is entered, a changed one corrected on its current
version, an identical one left alone).
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from jiqun.core.stale import StaleEdit
from jiqun.evaluation.models import ObservationScore
from jiqun.evaluation.observations import observation_score_record
from jiqun.monitoring.excel import WORKBOOK_OPTIONS, safe_text, unsafe_text
from jiqun.monitoring.importer.cells import clean_text, float_text
from jiqun.monitoring.importer.package import Limits, PackageRefused, open_package, sheet_xml
from jiqun.monitoring.importer.reader import upload_refusal
from jiqun.projects.dispatch_excel import FORMULA_CELL
from jiqun.projects.models import Project

SHEET = "现场观摩得分"
CODE, NAME, OBSERVER, SCORE, NOTE = "项目编号", "项目名称", "观摩人员", "现场得分", "说明"
HEADERS = [CODE, NAME, OBSERVER, SCORE, NOTE]
REQUIRED = [CODE, OBSERVER, SCORE]
MAX_ROWS = 5000  # scores in one file (a year's 观摩 has tens of projects and a handful of observers)
MAX_COLUMNS = 20
FIELD_COLUMN = {"project": CODE, "observer": OBSERVER, "score": SCORE, "note": NOTE}


@dataclass
class Problem:
    row: int  # 1-based as Excel shows it; 0 for the file as a whole
    column: str  # the header it is under, "" for the row or file
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        if self.column:
            return _("第 %(row)s 行“%(col)s”列：%(message)s") % {"row": self.row, "col": self.column,
                                                             "message": self.message}
        return _("第 %(row)s 行：%(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ObservationImport:
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    changed: int = 0
    unchanged: int = 0


def build_observation_workbook(scores) -> bytes:
    """The scores as a workbook the import reads back."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2"})
    cell = book.add_format({"border": 1})
    number = book.add_format({"border": 1, "num_format": "0.0"})
    sheet = book.add_worksheet(SHEET)
    for c, header in enumerate(HEADERS):
        sheet.write(0, c, header, head)
    for r, s in enumerate(scores, start=1):
        sheet.write_string(r, 0, s.project.code, cell)
        sheet.write(r, 1, safe_text(s.project.name), cell)
        sheet.write(r, 2, safe_text(s.observer), cell)
        sheet.write_number(r, 3, float(s.score), number)
        sheet.write(r, 4, safe_text(s.note), cell)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, 2, 20)
    sheet.set_column(4, 4, 40)
    sheet.freeze_panes(1, 0)
    book.close()
    return output.getvalue()


def _text(value) -> str:
    """A text cell as typed: surrounding spaces dropped, the apostrophe the export put before = + - @ taken off."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unsafe_text(str(value).strip())


def _score(value) -> Decimal | None:
    """A score cell: a number or number text, else None."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, float):
            return Decimal(float_text(value))
        if isinstance(value, int):
            return Decimal(value)
        text = clean_text(value)
        number = Decimal(text)
        return number if number.is_finite() else None
    except (InvalidOperation, ValueError):
        return None


class ObservationImporter:
    """Read a scores workbook of one scheme and year; write it whole or not at all."""

    def __init__(self, *, actor, content: bytes, file_name: str, scheme_code: str, year: int) -> None:
        self.actor, self.content, self.file_name = actor, content, file_name
        self.scheme_code, self.year = scheme_code, year
        self.result = ObservationImport()
        self.limits = Limits.from_settings()

    def problem(self, message: str, row: int = 0, column: str = "") -> None:
        self.result.problems.append(Problem(row, column, message))

    def run(self) -> ObservationImport:
        data = self._read()
        if data is None:
            return self.result
        rows = self._parse(data)
        if not self.result.problems:
            self._write(rows)
        return self.result

    def _read(self) -> list[list] | None:
        refusal = upload_refusal(self.content, self.file_name, self.limits)
        if refusal:
            self.problem(refusal)
            return None
        try:
            package = open_package(self.content, self.file_name, self.limits)
            if not package.sheets:
                self.problem(_("文件“%(file)s”中没有工作表") % {"file": self.file_name})
                return None
            name = SHEET if SHEET in package.sheets else next(iter(package.sheets))
            xml = sheet_xml(package, name, MAX_ROWS + 1, MAX_COLUMNS)
        except PackageRefused as exc:
            self.problem(str(exc))
            return None
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(self.content))
            data = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises several types for a broken file
            self.problem(_("无法读取文件“%(file)s”，请确认是 .xlsx 格式的 Excel 工作簿（%(error)s）")
                         % {"file": self.file_name, "error": type(exc).__name__})
            return None
        for letters, row in FORMULA_CELL.findall(xml):
            self.problem(_("%(col)s%(row)s 是公式；请直接填写数值，系统不采信公式单元格")
                         % {"row": int(row), "col": letters.decode()}, int(row))
        return None if self.result.problems else data

    def _parse(self, data: list[list]) -> list[tuple[int, Project, str, Decimal, str]]:
        header = [clean_text(c) for c in (data[0] if data else [])]
        where = {h: header.index(h) for h in HEADERS if h in header}
        missing = [h for h in REQUIRED if h not in where]
        if missing:
            self.problem(_("第 1 行应为表头，缺少列：%(missing)s（应有 %(headers)s）") % {
                "missing": "、".join(missing), "headers": "、".join([*REQUIRED, NOTE])}, 1)
            return []
        codes = {clean_text(row[where[CODE]]) for row in data[1:] if len(row) > where[CODE]}
        projects = {p.code: p for p in Project.objects.filter(code__in=codes - {""})}
        seen: dict[tuple[str, str], int] = {}
        parsed = []
        for index, raw in enumerate(data[1:], start=2):
            row = list(raw) + [""] * MAX_COLUMNS
            code, observer = clean_text(row[where[CODE]]), _text(row[where[OBSERVER]])
            score_cell, note = row[where[SCORE]], _text(row[where[NOTE]]) if NOTE in where else ""
            if not code and not observer and _text(score_cell) == "" and not note:
                continue  # an empty line
            ok = True
            project = projects.get(code)
            if not code:
                self.problem(_("请填写项目编号"), index, CODE)
                ok = False
            elif project is None:
                self.problem(_("项目编号“%(code)s”不存在") % {"code": code[:40]}, index, CODE)
                ok = False
            if not observer:
                self.problem(_("请填写观摩人员"), index, OBSERVER)
                ok = False
            score = _score(score_cell)
            if _text(score_cell) == "":
                self.problem(_("请填写现场得分"), index, SCORE)
                ok = False
            elif score is None:
                self.problem(_("“%(value)s”不是数字；现场得分应为 0 至 100 之间的数，最多一位小数")
                             % {"value": _text(score_cell)[:40]}, index, SCORE)
                ok = False
            elif not (0 <= score <= 100) or score != score.quantize(Decimal("0.1")):
                self.problem(_("现场得分应为 0 至 100 之间的数，最多一位小数（此处为 %(value)s）")
                             % {"value": f"{score.normalize():f}"[:40]}, index, SCORE)
                ok = False
            if code and observer:
                first = seen.setdefault((code, observer), index)
                if first != index:
                    self.problem(_("项目 %(code)s 的观摩人员“%(observer)s”与第 %(first)s 行重复")
                                 % {"code": code, "observer": observer, "first": first}, index, OBSERVER)
                    ok = False
            if ok:
                parsed.append((index, project, observer, score, note))
        if not parsed and not self.result.problems:
            self.problem(_("文件中没有得分行（第 2 行起每行一个观摩人员对一个项目的得分）"))
        return parsed

    def _write(self, rows: list[tuple[int, Project, str, Decimal, str]]) -> None:
        """Every row through the service in one transaction; any refusal rolls the whole file back."""
        try:
            with transaction.atomic():
                for index, project, observer, score, note in rows:
                    current = ObservationScore.objects.filter(
                        scheme_code=self.scheme_code, year=self.year, project=project, observer=observer).first()
                    if current is not None and current.score == score and current.note == note:
                        self.result.unchanged += 1
                        continue
                    try:
                        observation_score_record(actor=self.actor, scheme_code=self.scheme_code, year=self.year,
                                                 project=project, observer=observer, score=score, note=note,
                                                 base_version=None if current is None else current.version)
                    except StaleEdit as exc:
                        self.problem("；".join(exc.messages), index)
                    except ValidationError as exc:
                        for key, messages in (exc.message_dict.items() if hasattr(exc, "error_dict")
                                              else [("", exc.messages)]):
                            column = FIELD_COLUMN.get(key, "")
                            for message in messages:
                                self.problem(message, 0 if key in ("scheme_code", "year") else index, column)
                    else:
                        if current is None:
                            self.result.created += 1
                        else:
                            self.result.changed += 1
                if self.result.problems:
                    raise _RollBack
        except _RollBack:
            self.result.created = self.result.changed = self.result.unchanged = 0
        except PermissionDenied as exc:
            self.result.created = self.result.changed = self.result.unchanged = 0
            self.problem(str(exc))
        self.result.problems = _unique(self.result.problems)


class _RollBack(Exception):
    """Raised inside the import's transaction so that nothing of a refused file stays."""


def _unique(problems: list[Problem]) -> list[Problem]:
    """A whole-file problem (the scheme or the year) once, not once per row."""
    out, seen = [], set()
    for p in problems:
        key = (p.row, p.column, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
