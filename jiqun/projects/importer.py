"""Importing a city's project library from the template jiqun generates (jiqun.projects.excel), all or nothing.

The importer reads everything first and collects every problem by sheet, row and column (in the user's
language); if there is any, nothing is written. Otherwise it writes in one atomic block through the services:
project_create / project_update for the record, project_plan_year for 本年计划投资, project_move_stage for each
new stage date. Any refusal of a service is recorded against its row and column and the whole import is
rolled back, so a file is imported entirely or not at all.

Stages: a row's stage is the last of its stage dates. An import may move a project forward along the main line
(each new date a move dated that day, one step at a time, never skipping), but it never changes or clears a
stage date already on record, and never suspends, withdraws or resumes a project: those need a reason and are
done on the project's page.

Before any spreadsheet parser sees the file, it is bounded exactly as the statistical import bounds its
uploads (jiqun.monitoring.importer.package: size, parts, compression ratio, macros, entities, cells outside
the template's rectangle); the rectangle here is the template's columns (plus a few) by MAX_ROWS projects.
"""

import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook, PasswordError

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.text import control_character_error
from jiqun.enterprises.models import Enterprise
from jiqun.monitoring.importer.cells import clean_text, parse_number
from jiqun.monitoring.importer.package import Limits, PackageRefused, mib, open_package, sheet_xml
from jiqun.monitoring.importer.reader import Problem
from jiqun.projects import excel as X
from jiqun.projects.models import EXITS, MajorLevel, Project, ProjectKind, Stage
from jiqun.projects.permissions import can_edit_project, can_edit_project_in, can_import_projects
from jiqun.projects.services import (
    MAX_INVESTMENT,
    project_create,
    project_move_stage,
    project_plan_year,
    project_update,
)

ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # old .xls, WPS .et, and encrypted .xlsx
OLD_SUFFIXES = (".et", ".ett", ".xls", ".xlt")
META_ROWS, META_COLUMNS = 20, 4
TEXT_LIMITS = {"code": 40, "name": 200, "segment": 80, "investor": 200, "leader": 100, "service_unit": 100,
               "source": 200, "description": 5000}
DATE_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
# Which column a service's refusal of a field belongs to.
FIELD_COLUMNS = {"investor_name": "investor", "investor": "investor", "region": "region", "zone": "zone",
                 "major_level": "major_level", "is_major": "is_major", "total_investment": "total_investment",
                 "name": "name", "code": "code", "kind": "kind", "segment": "segment", "leader": "leader",
                 "service_unit": "service_unit", "source": "source", "signed_on": "signed_on",
                 "planned_start_on": "planned_start_on", "planned_completion_on": "planned_completion_on",
                 "planned_production_on": "planned_production_on", "description": "description",
                 "planned": "year_plan", "year": "year_plan", "to_stage": "stage", "stage_reached_on": "planning_on"}
RECORD_FIELDS = ("name", "segment", "region", "zone", "investor", "investor_name", "total_investment", "kind",
                 "is_major", "major_level", "leader", "service_unit", "source", "signed_on", "planned_start_on",
                 "planned_completion_on", "planned_production_on", "description")


@dataclass
class ParsedRow:
    row: int  # 1-based, as Excel shows it
    values: dict  # column key → parsed value
    project: Project | None = None  # the project its 项目编号 names, when it exists
    moves: list[tuple[str, datetime.date, str]] = field(default_factory=list)  # (stage, day, column key)


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # project codes
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    moves: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


class _Rollback(Exception):
    """Raised inside the write block when a service refused a row: the block is undone as a whole."""


def _labels(choices) -> dict[str, str]:
    """Every way a choice may be written: its code, its label in the user's language and in Chinese."""
    accepted = {}
    for value, label in choices:
        accepted[value] = value
        accepted[str(label)] = value
        with translation.override("zh-hans"):
            accepted[str(label)] = value
    return accepted


class ProjectImporter:
    """Parse a project-library workbook, collect every problem, then write it all or nothing."""

    def __init__(self, *, user, content: bytes, file_name: str) -> None:
        self.user = user
        self.content = content
        self.file_name = file_name
        self.result = ImportResult()
        self.limits = Limits.from_settings()
        self.package = None
        self.book: CalamineWorkbook | None = None
        self.year = timezone.localdate().year

    def problem(self, reason: str, row: int = 0, key: str = "", sheet: str = X.DATA_SHEET) -> None:
        """Record a problem at a row (1-based) and the column of `key` ('' for the whole row or file)."""
        col = X.INDEX[key] + 1 if key else 0
        self.result.problems.append(Problem(sheet, row, col, reason))

    def run(self) -> ImportResult:
        if self.user is not None and not can_import_projects(self.user):
            self.problem(_("您无权导入项目；项目库由县区、市和省级管理员维护"), sheet="")
            return self.result
        if not self._open():
            return self.result
        sheet = self._read(X.DATA_SHEET, X.FIRST_DATA_ROW + X.MAX_ROWS + settings.JIQUN_IMPORT_EXTRA_ROWS,
                           len(X.COLUMNS) + settings.JIQUN_IMPORT_EXTRA_COLUMNS)
        if sheet is None or not self._header(sheet):
            return self.result
        parsed = self._rows(sheet)
        if self.result.problems:
            return self.result
        self._write(parsed)
        return self.result

    # Reading the file -------------------------------------------------------------------------------

    def _open(self) -> bool:
        """Check the package before any parser sees it, then check it is this template (its _meta sheet)."""
        name = self.file_name
        if len(self.content) > self.limits.max_bytes:
            self.problem(_("文件“%(file)s”有 %(size)s，超过上限 %(limit)s，请删去多余内容后再上传") % {
                "file": name, "size": mib(len(self.content)), "limit": mib(self.limits.max_bytes)}, sheet="")
            return False
        if name.lower().endswith(OLD_SUFFIXES) or self.content.startswith(CFB_MAGIC):
            self.problem(_("文件“%(file)s”是旧版 .xls、WPS .et 或设置了密码的文件，不能导入：请另存为 .xlsx 后再上传")
                         % {"file": name}, sheet="")
            return False
        if not self.content.startswith(ZIP_MAGIC):
            self.problem(_("文件“%(file)s”不是 .xlsx 格式的 Excel 工作簿，请下载模板填写后上传") % {"file": name}, sheet="")
            return False
        try:
            self.package = open_package(self.content, name, self.limits)
        except PackageRefused as exc:
            self.problem(str(exc), sheet="")
            return False
        if X.META_SHEET not in self.package.sheets or X.DATA_SHEET not in self.package.sheets:
            self.problem(_("不是本系统生成的项目库模板（缺少“%(data)s”工作表或隐藏的 %(meta)s 工作表），请下载模板后填写")
                         % {"data": X.DATA_SHEET, "meta": X.META_SHEET}, sheet="")
            return False
        meta = self._read(X.META_SHEET, META_ROWS, META_COLUMNS)
        if meta is None:
            return False
        pairs = {str(row[0]): str(row[1]) for row in meta if len(row) >= 2 and row[0]}
        if pairs.get("template") != X.TEMPLATE_ID or pairs.get("version") != X.TEMPLATE_VERSION:
            self.problem(_("不是本系统生成的项目库模板（或模板版本已更新），请重新下载模板后填写"), sheet=X.META_SHEET)
            return False
        if re.fullmatch(r"[0-9]{4}", pairs.get("year") or ""):
            self.year = int(pairs["year"])
        return True

    def _read(self, name: str, rows: int, columns: int) -> list[list] | None:
        """One sheet's cells, once its XML is known to lie within rows × columns."""
        try:
            sheet_xml(self.package, name, rows, columns)
        except PackageRefused as exc:
            self.problem(str(exc), sheet="")
            return None
        try:
            if self.book is None:
                self.book = CalamineWorkbook.from_filelike(io.BytesIO(self.content))
            return self.book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except PasswordError:
            self.problem(_("文件“%(file)s”设置了密码，请取消密码后再上传") % {"file": self.file_name}, sheet="")
        except Exception as exc:  # calamine raises several types for a broken file
            self.problem(_("无法读取文件“%(file)s”，请确认是 .xlsx 格式的 Excel 工作簿（%(error)s）")
                         % {"file": self.file_name, "error": type(exc).__name__}, sheet="")
        return None

    def _header(self, sheet: list[list]) -> bool:
        """The header row must be the template's, column for column (in Chinese or the user's language)."""
        header = sheet[X.HEADER_ROW] if len(sheet) > X.HEADER_ROW else []
        ok = True
        for index, column in enumerate(X.COLUMNS):
            found = clean_text(header[index] if index < len(header) else "")
            with translation.override("zh-hans"):
                chinese = clean_text(str(column.label))
            if found not in (chinese, clean_text(str(column.label))):
                self.problem(_("表头应为“%(expected)s”，却是“%(found)s”：请不要插入、删除或移动列，或重新下载模板")
                             % {"expected": column.label, "found": found}, X.HEADER_ROW + 1, column.key)
                ok = False
        return ok

    # Parsing the rows -------------------------------------------------------------------------------

    def _rows(self, sheet: list[list]) -> list[ParsedRow]:
        choices = X.Choices.for_user(self.user)
        kinds, levels, stages = _labels(ProjectKind.choices), _labels(MajorLevel.choices), _labels(Stage.choices)
        yes_no = {"是": True, "否": False, str(X.YES): True, str(X.NO): False, "1": True, "0": False}
        enterprises = Enterprise.objects.for_user(self.user) if self.user is not None else Enterprise.objects.all()
        parsed: list[ParsedRow] = []
        codes: dict[str, int] = {}
        filled = [(i, row) for i, row in enumerate(sheet[X.FIRST_DATA_ROW:], start=X.FIRST_DATA_ROW + 1)
                  if any(clean_text(v) for v in row[:len(X.COLUMNS)])]
        if len(filled) > X.MAX_ROWS:
            self.problem(_("文件有 %(n)d 个项目，超过每个文件 %(limit)d 个的上限，请分批导入") % {
                "n": len(filled), "limit": X.MAX_ROWS}, sheet="")
            return []
        for excel_row, cells in filled:
            extra = [v for v in cells[len(X.COLUMNS):] if clean_text(v)]
            if extra:
                self.problem(_("表格右侧有模板以外的内容，请删除多余的列"), excel_row)
            values = self._row(excel_row, cells, choices, kinds, levels, stages, yes_no, enterprises)
            if values is None:
                continue
            code = values.get("code") or ""
            if code:
                if code in codes:
                    self.problem(_("项目编号“%(code)s”与第%(row)s行重复") % {"code": code, "row": codes[code]},
                                 excel_row, "code")
                    continue
                codes[code] = excel_row
            parsed.append(self._check(ParsedRow(excel_row, values)))
        return parsed

    def _cell(self, cells: list, key: str):
        index = X.INDEX[key]
        return cells[index] if index < len(cells) else None

    def _text(self, row: int, cells: list, key: str) -> str:
        value = self._cell(cells, key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime.datetime | datetime.date):
            self.problem(_("应为文字，却是日期"), row, key)
            return ""
        text = str(value).strip()
        if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
            text = text[1:]
        problem = control_character_error(text)
        if problem:
            self.problem(problem, row, key)
            return ""
        limit = TEXT_LIMITS.get(key)
        if limit and len(text) > limit:
            self.problem(_("不能超过 %(n)d 个字（现有 %(m)d 个）") % {"n": limit, "m": len(text)}, row, key)
            return ""
        return text

    def _number(self, row: int, cells: list, key: str) -> Decimal | None:
        try:
            number = parse_number(self._cell(cells, key), "万元")
        except (ValueError, ArithmeticError) as exc:
            self.problem(str(exc) or _("不是数字"), row, key)
            return None
        if number is not None and (number < 0 or number > MAX_INVESTMENT):
            self.problem(_("金额须在 0 至 %(max)s 万元之间") % {"max": f"{MAX_INVESTMENT:,.0f}"}, row, key)
            return None
        return number

    def _date(self, row: int, cells: list, key: str) -> datetime.date | None:
        value = self._cell(cells, key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            match = DATE_TEXT.fullmatch(clean_text(value))
            if match:
                try:
                    day = datetime.date(*(int(g) for g in match.groups()))
                except ValueError:
                    day = None
                if day and 2000 <= day.year <= 2100:
                    return day
        self.problem(_("“%(value)s”不是 2000 至 2100 年间的日期，请写作 2024-03-15") % {"value": str(value)[:40]},
                     row, key)
        return None

    def _row(self, row: int, cells: list, choices: X.Choices, kinds, levels, stages, yes_no, enterprises):
        """One row's values, parsed; problems are recorded and the row is None when a value cannot be read."""
        before = len(self.result.problems)
        v: dict = {key: self._text(row, cells, key) for key in (
            "code", "name", "segment", "investor", "leader", "service_unit", "source", "description")}
        for key in ("total_investment", "year_plan"):
            v[key] = self._number(row, cells, key)
        for column in X.COLUMNS:
            if column.kind == "date":
                v[column.key] = self._date(row, cells, column.key)
        version = self._cell(cells, "version")
        v["version"] = None
        if version not in (None, ""):
            try:
                v["version"] = int(Decimal(str(version)))
            except ArithmeticError:
                self.problem(_("版本由系统填写，请不要修改"), row, "version")
        for column in X.COLUMNS:
            if column.required and v.get(column.key) in (None, "") and column.key not in ("region", "kind"):
                self.problem(_("“%(column)s”必填") % {"column": column.label}, row, column.key)
        region = self._text(row, cells, "region")
        v["region"] = choices.regions.get(region) or next(
            (r for r in choices.regions.values() if r.code == region), None)
        if not region:
            self.problem(_("“%(column)s”必填") % {"column": X.COLUMNS[X.INDEX["region"]].label}, row, "region")
        elif v["region"] is None:
            self.problem(_("“%(value)s”不是您管理范围内的县市区，请从下拉列表中选择") % {"value": region}, row, "region")
        zone = self._text(row, cells, "zone")
        v["zone"] = choices.zones.get(zone) if zone else None
        if zone and v["zone"] is None:
            self.problem(_("“%(value)s”不是您管理范围内的园区，请从下拉列表中选择") % {"value": zone}, row, "zone")
        names = self._text(row, cells, "clusters")
        v["clusters"] = []
        for name in filter(None, (n.strip() for n in re.split("|".join(map(re.escape, X.LIST_SEPARATORS)), names))):
            found = choices.clusters.get(name, [])
            if len(found) == 1:
                v["clusters"].append(found[0])
            elif not found:
                self.problem(_("“%(value)s”不是您可见的集群，请从下拉列表中选择") % {"value": name}, row, "clusters")
            else:
                self.problem(_("有 %(n)d 个集群名为“%(value)s”，无法确定是哪一个，请在项目页面选择") % {
                    "n": len(found), "value": name}, row, "clusters")
        for key, table in (("kind", kinds), ("major_level", levels)):
            text = self._text(row, cells, key)
            v[key] = table.get(text, "") if text else ""
            if text and not v[key]:
                self.problem(_("“%(value)s”不是可选的值，请从下拉列表中选择") % {"value": text}, row, key)
            elif key == "kind" and not text:
                self.problem(_("“%(column)s”必填") % {"column": X.COLUMNS[X.INDEX["kind"]].label}, row, key)
        major = self._text(row, cells, "is_major")
        v["is_major"] = yes_no.get(major, None) if major else bool(v["major_level"])
        if v["is_major"] is None:
            self.problem(_("请填“是”或“否”"), row, "is_major")
        stage = self._text(row, cells, "stage")
        v["stage"] = stages.get(stage, "") if stage else ""
        if stage and not v["stage"]:
            self.problem(_("“%(value)s”不是可选的阶段") % {"value": stage}, row, "stage")
        investor = v.pop("investor")
        match = list(enterprises.filter(name=investor)[:2]) if investor else []
        v["investor"], v["investor_name"] = (match[0], "") if len(match) == 1 else (None, investor)
        return v if len(self.result.problems) == before else None

    def _check(self, parsed: ParsedRow) -> ParsedRow:
        """The row against the library: scope, the version it was downloaded at, and its stage dates."""
        row, v = parsed.row, parsed.values
        today = timezone.localdate()
        project = Project.objects.filter(code=v["code"]).first() if v["code"] else None
        visible = project is not None and (self.user is None or Project.objects.for_user(self.user).filter(
            pk=project.pk).exists())
        if project is not None and not visible:
            self.problem(_("项目编号“%(code)s”已被占用，请换用其他编号") % {"code": v["code"]}, row, "code")
            return parsed
        if project is not None and self.user is not None and not can_edit_project(self.user, project):
            self.problem(_("您无权修改项目“%(code)s”") % {"code": v["code"]}, row, "code")
            return parsed
        if v["region"] is not None and self.user is not None and not can_edit_project_in(self.user, v["region"].pk):
            self.problem(_("您无权在“%(region)s”登记项目") % {"region": v["region"].name}, row, "region")
        parsed.project = project
        if project is not None and v["version"] is not None and v["version"] != project.version:
            self.problem(_("该项目在您下载模板后已被修改（版本 %(old)s → %(new)s），请重新下载模板或导出后再改") % {
                "old": v["version"], "new": project.version}, row, "version")
        # Stage dates: one step at a time, in order, none in the future; those on record unchanged.
        reached: dict[str, datetime.date] = {}
        current = Stage.PLANNING
        if project is not None:
            current = project.stage
            for event in project.events.order_by("reached_on", "at", "id"):
                reached[event.to_stage] = event.reached_on
        previous: tuple[str, datetime.date] | None = None
        gap: str = ""
        for key, stage in X.STAGE_DATE_COLUMNS:
            day = v.get(key)
            label = X.COLUMNS[X.INDEX[key]].label
            if project is not None and stage in reached and day != reached[stage]:
                self.problem(_("系统记录的%(column)s为 %(day)s，导入不能修改或清除已记录的阶段日期；如有误请在项目页面办理")
                             % {"column": label, "day": reached[stage]}, row, key)
                continue
            if day is None:
                gap = gap or str(label)
                continue
            if gap:
                self.problem(_("填了“%(column)s”须先填“%(gap)s”：阶段须逐级推进，不能跳过") % {
                    "column": label, "gap": gap}, row, key)
                continue
            if day > today:
                self.problem(_("%(day)s 晚于今天：阶段须在实际达到后填写（计划日期填在计划列）") % {"day": day}, row, key)
            elif previous is not None and day < previous[1]:
                self.problem(_("%(day)s 早于“%(earlier)s”%(before)s：阶段日期须按顺序") % {
                    "day": day, "earlier": previous[0], "before": previous[1]}, row, key)
            previous = (str(label), day)
            if project is not None and stage not in reached:
                if current in EXITS:
                    self.problem(_("项目处于“%(stage)s”，导入不能推进其阶段；恢复或变更请在项目页面办理") % {
                        "stage": project.get_stage_display()}, row, key)
                else:
                    parsed.moves.append((stage, day, key))
        if project is None:
            parsed.moves = [(stage, v[key], key) for key, stage in X.STAGE_DATE_COLUMNS[1:] if v.get(key)]
        said = X.stage_of(v, current if project is not None else None)
        if v["stage"] and v["stage"] != said:
            self.problem(_("所处阶段“%(given)s”与阶段日期不符（按日期为“%(said)s”）：阶段由日期决定，须逐级推进") % {
                "given": dict(Stage.choices)[v["stage"]], "said": dict(Stage.choices)[said]}, row, "stage")
        return parsed

    # Writing ----------------------------------------------------------------------------------------

    def _refused(self, parsed: ParsedRow, exc: ValidationError, default: str = "") -> None:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for name, texts in messages.items():
            key = FIELD_COLUMNS.get(name, default)
            for text in texts:
                self.problem(text, parsed.row, key)

    def _write(self, parsed: list[ParsedRow]) -> None:
        try:
            with transaction.atomic():
                for row in parsed:
                    try:
                        with transaction.atomic():
                            self._write_row(row)
                    except _RowRefused:
                        pass  # already recorded against its column
                    except ValidationError as exc:
                        self._refused(row, exc)
                    except PermissionDenied as exc:
                        self.problem(str(exc), row.row)
                if self.result.problems:
                    raise _Rollback
                audit_record(actor=self.user, action=AuditAction.IMPORT, object_type="projects.project",
                             object_repr=self.file_name[:200], after={
                                 "file": self.file_name[:200], "created": self.result.created,
                                 "updated": self.result.updated, "moves": self.result.moves})
        except _Rollback:
            self.result.created, self.result.updated, self.result.unchanged, self.result.moves = [], [], [], 0

    def _write_row(self, row: ParsedRow) -> None:
        v = row.values
        fields = {name: v[name] for name in RECORD_FIELDS if name in v}
        if row.project is None:
            project = project_create(actor=self.user, clusters=v["clusters"], code=v["code"],
                                     stage_reached_on=v.get("planning_on") or timezone.localdate(), **fields)
            self.result.created.append(project.code)
            changed = True
        else:
            project = row.project
            current = {name: getattr(project, name) for name in RECORD_FIELDS}
            differs = {name: value for name, value in fields.items() if current[name] != value}
            clusters = {c.pk for c in project.clusters.all()}
            new_clusters = {c.pk for c in v["clusters"]}
            changed = bool(differs) or clusters != new_clusters
            if changed:
                project = project_update(actor=self.user, project=project, base_version=project.version,
                                         clusters=v["clusters"] if clusters != new_clusters else None, **differs)
        if v["year_plan"] is not None:
            plan = project.year_plans.filter(year=self.year).values_list("planned", flat=True).first()
            if plan != v["year_plan"]:
                try:
                    project_plan_year(actor=self.user, project=project, year=self.year, planned=v["year_plan"])
                except ValidationError as exc:
                    self._refused(row, exc, "year_plan")
                    raise _RowRefused from None
                changed = True
        for stage, day, key in row.moves:
            try:
                project_move_stage(actor=self.user, project=project, to_stage=stage, reached_on=day,
                                   evidence=_("项目库导入"))
            except ValidationError as exc:
                self._refused(row, exc, key)
                raise _RowRefused from None
            self.result.moves += 1
            changed = True
        if row.project is not None:
            (self.result.updated if changed else self.result.unchanged).append(project.code)


class _RowRefused(Exception):
    """A row's refusal already recorded against its column; raised to undo the row's savepoint."""


def import_projects(*, user, content: bytes, file_name: str) -> ImportResult:
    """Import a project-library workbook as `user` (None: the system), all or nothing."""
    return ProjectImporter(user=user, content=content, file_name=file_name).run()


__all__ = ["ImportResult", "ProjectImporter", "import_projects"]
