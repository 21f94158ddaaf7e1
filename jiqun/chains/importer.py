"""Importing a whole chain from the workbook jiqun.chains.excel writes, all or nothing.

The importer reads every sheet first and collects every problem by sheet, row and column (in the user's
language); if there is any, nothing is written. Otherwise it writes in one atomic block through the services,
and any refusal of a service is recorded against its row and column and undoes the whole import.

- 产业链: the chain's code names the chain to import into (a page or `--chain` may name it instead); a code not
  in use creates the chain from the sheet (its home region must be in the user's region). An existing chain's
  settings are not changed by an import.
- 环节: matched by code; a new code adds a segment, a known one is updated; a segment missing from the file is
  kept (retired only when its 撤销 column says 是). The whole import is one structure version of the chain
  (`segments_import`). Duplicate codes, unknown parents and cycles are refused with their rows.
- 企业: an enterprise is looked up by credit code, then by exact name, in the user's enterprise registry, then
  among the outside companies; two of one name is an error naming them; a company found nowhere is registered
  as an outside company. A placement already on the segment is updated; one missing from the file is kept.
- 供应关系: only who `can_edit_supply_links`; each year in the file replaces that year's links of the chain.

Before any spreadsheet parser sees the file it is bounded like every other upload
(jiqun.monitoring.importer.package); a cell holding a formula is refused with its position.
"""

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook, PasswordError
from xlsxwriter.utility import xl_col_to_name

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.chains import excel as X
from jiqun.chains.models import (
    Chain,
    LocalScope,
    OutsideCompany,
    Placement,
    Position,
    Segment,
    SegmentKind,
    SupplyLink,
)
from jiqun.chains.permissions import can_create_chain_in, can_edit_chain, can_edit_supply_links
from jiqun.chains.services import (
    MAX_AMOUNT,
    _check_segment,
    _require,
    _restructure,
    _segment_data,
    chain_create,
    outside_company_create,
    placement_add,
    placement_update,
    supply_link_add,
    supply_link_remove,
)
from jiqun.core.text import control_character_error
from jiqun.enterprises.creditcode import credit_code_error
from jiqun.enterprises.models import Enterprise, MemberRole, Source
from jiqun.monitoring.excel import unsafe_text
from jiqun.monitoring.importer.cells import clean_text, parse_number
from jiqun.monitoring.importer.package import Limits, PackageRefused, mib, open_package, sheet_xml
from jiqun.monitoring.importer.reader import Problem
from jiqun.regions.models import Region

ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # old .xls, WPS .et, and encrypted .xlsx
OLD_SUFFIXES = (".et", ".ett", ".xls", ".xlt")
META_ROWS, META_COLUMNS = 20, 4
EXTRA_ROWS, EXTRA_COLUMNS = 100, 5  # blank rows and notes users add around the template
TEXT_LIMITS = {"code": 20, "name": 100, "parent": 20, "industry_codes": 100, "description": 2000, "segment": 20,
               "credit_code": 18, "place": 100, "product": 200, "buyer": 200, "supplier": 200, "buyer_code": 18,
               "supplier_code": 18, "note": 200}
CHAIN_LIMITS = {"code": 40, "name": 100, "region": 6, "chief_name": 100, "description": 2000}
CELL = re.compile(rb'<(?:[\w.-]+:)?c\b[^>]*?\br="([A-Z]{1,3}[0-9]{1,7})"[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?c>)', re.S)
FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
SEGMENT_KEYS = {"name": "name", "parent": "parent", "position": "position", "kind": "kind",
                "industry_codes": "industry_codes", "is_extension": "is_extension", "sort": "sort",
                "description": "description", "code": "code"}


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    chain: str = ""  # the chain's code
    chain_created: bool = False
    segments_added: list[str] = field(default_factory=list)
    segments_updated: list[str] = field(default_factory=list)
    segments_retired: list[str] = field(default_factory=list)
    placements_added: int = 0
    placements_updated: int = 0
    companies_created: list[str] = field(default_factory=list)
    link_years: list[int] = field(default_factory=list)  # years whose links were replaced
    links_removed: int = 0
    links_added: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict:
        return {"chain": self.chain, "chain_created": self.chain_created, "segments_added": self.segments_added,
                "segments_updated": self.segments_updated, "segments_retired": self.segments_retired,
                "placements_added": self.placements_added, "placements_updated": self.placements_updated,
                "companies_created": self.companies_created, "link_years": self.link_years,
                "links_removed": self.links_removed, "links_added": self.links_added}


class _Rollback(Exception):
    """Raised inside the write block when a service refused a row: the block is undone as a whole."""


@dataclass
class Party:
    """One side of a placement or link, resolved: a registry enterprise, an outside company, or one to register."""

    enterprise: Enterprise | None = None
    company: OutsideCompany | None = None
    new: tuple[str, str, str] | None = None  # (name, credit code, place) of an outside company to register

    @property
    def key(self) -> tuple:
        if self.enterprise is not None:
            return ("e", self.enterprise.pk)
        if self.company is not None:
            return ("c", self.company.pk)
        return ("n", self.new[0], self.new[1])


@dataclass
class SegmentRow:
    row: int
    code: str
    values: dict  # name, parent (code or ""), position, kind, industry_codes, is_extension, sort, description
    retire: bool
    existing: Segment | None = None


@dataclass
class PlacementRow:
    row: int
    segment: str
    party: Party
    role: str
    product: str


@dataclass
class LinkRow:
    row: int
    segment: str
    year: int
    buyer: Party
    supplier: Party
    product: str
    amount: Decimal | None
    note: str


def _accepted(choices) -> dict[str, str]:
    """Every way a choice may be written: its value, its label in the user's language and in Chinese."""
    accepted = {}
    for value, label in choices:
        accepted[value] = value
        accepted[clean_text(str(label))] = value
        with translation.override("zh-hans"):
            accepted[clean_text(str(label))] = value
    return accepted


def _yes_no() -> dict[str, bool]:
    table = {"是": True, "否": False, "1": True, "0": False, "Y": True, "N": False}
    table |= {clean_text(str(X.YES)): True, clean_text(str(X.NO)): False}
    return table


def _labels_match(found: str, label) -> bool:
    with translation.override("zh-hans"):
        chinese = clean_text(str(label))
    return found in (chinese, clean_text(str(label)))


class ChainImporter:
    """Parse a chain workbook, collect every problem, then write it all or nothing."""

    def __init__(self, *, user, content: bytes, file_name: str, chain: Chain | None = None,
                 chain_code: str = "") -> None:
        self.user = user
        self.content = content
        self.file_name = file_name
        self.target = chain  # the chain a page imports into
        self.target_code = (chain_code or "").strip()  # the code `--chain` names (a chain or a new one)
        self.result = ImportResult()
        self.limits = Limits.from_settings()
        self.package = None
        self.book: CalamineWorkbook | None = None
        self.chain: Chain | None = None
        self.new_chain: dict | None = None
        self.segments: list[SegmentRow] = []
        self.placements: list[PlacementRow] = []
        self.links: list[LinkRow] | None = None  # None: the file has no supply links sheet (nothing changes)
        self.enterprises = Enterprise.objects.for_user(user) if user is not None else Enterprise.objects.all()

    # Problems ---------------------------------------------------------------------------------------

    def problem(self, reason: str, sheet: str = "", row: int = 0, key: str = "") -> None:
        """A problem at a row (1-based) and the column of `key` in `sheet` ('' for the whole row or file)."""
        col = X.index(X.SHEETS[sheet])[key] + 1 if key and sheet in X.SHEETS else (2 if key else 0)
        self.result.problems.append(Problem(sheet, row, col, reason))

    # The run ----------------------------------------------------------------------------------------

    def run(self) -> ImportResult:
        if not self._open():
            return self.result
        if not self._chain_sheet():
            return self.result
        sheets = {}
        for name, columns in X.SHEETS.items():
            if name not in self.package.sheets:
                if name == X.SEGMENT_SHEET:
                    self.problem(_("缺少“%(sheet)s”工作表：请下载模板后填写") % {"sheet": name})
                continue
            rows = self._read(name, X.FIRST_DATA_ROW + X.MAX_ROWS[name] + EXTRA_ROWS, len(columns) + EXTRA_COLUMNS)
            if rows is not None and self._header(name, rows):
                sheets[name] = rows
        if self.result.problems:
            return self.result
        self._widen_registry()
        self._segments(sheets[X.SEGMENT_SHEET])
        if X.PLACEMENT_SHEET in sheets:
            self._placements(sheets[X.PLACEMENT_SHEET])
        if X.LINK_SHEET in sheets:
            self._links(sheets[X.LINK_SHEET])
        if not self.result.problems:
            self._write()
        return self.result

    # Reading the file -------------------------------------------------------------------------------

    def _open(self) -> bool:
        name = self.file_name
        if len(self.content) > self.limits.max_bytes:
            self.problem(_("文件“%(file)s”有 %(size)s，超过上限 %(limit)s，请删去多余内容后再上传") % {
                "file": name, "size": mib(len(self.content)), "limit": mib(self.limits.max_bytes)})
            return False
        if name.lower().endswith(OLD_SUFFIXES) or self.content.startswith(CFB_MAGIC):
            self.problem(_("文件“%(file)s”是旧版 .xls、WPS .et 或设置了密码的文件，不能导入：请另存为 .xlsx 后再上传")
                         % {"file": name})
            return False
        if not self.content.startswith(ZIP_MAGIC):
            self.problem(_("文件“%(file)s”不是 .xlsx 格式的 Excel 工作簿，请下载模板填写后上传") % {"file": name})
            return False
        try:
            self.package = open_package(self.content, name, self.limits)
        except PackageRefused as exc:
            self.problem(str(exc))
            return False
        missing = [s for s in (X.META_SHEET, X.CHAIN_SHEET) if s not in self.package.sheets]
        if missing:
            self.problem(_("不是本系统生成的产业链模板（缺少“%(sheets)s”工作表），请下载模板或导出产业链后填写")
                         % {"sheets": "、".join(missing)})
            return False
        meta = self._read(X.META_SHEET, META_ROWS, META_COLUMNS)
        if meta is None:
            return False
        pairs = {str(row[0]): str(row[1]) for row in meta if len(row) >= 2 and row[0]}
        if pairs.get("template") != X.TEMPLATE_ID or pairs.get("version") != X.TEMPLATE_VERSION:
            self.problem(_("不是本系统生成的产业链模板（或模板版本已更新），请重新下载模板后填写"), X.META_SHEET)
            return False
        return True

    def _read(self, name: str, rows: int, columns: int) -> list[list] | None:
        """One sheet's cells, once its XML is known to lie within rows × columns and to hold no formula."""
        try:
            xml = sheet_xml(self.package, name, rows, columns)
        except PackageRefused as exc:
            self.problem(str(exc))
            return None
        formulas = [m.group(1).decode() for m in CELL.finditer(xml) if m.group(2) and FORMULA.search(m.group(2))]
        if formulas:
            shown = "、".join(formulas[:5]) + ("……" if len(formulas) > 5 else "")
            self.problem(_("单元格 %(cells)s 含有公式：导入只接受填写的值，请把公式改为数值或文字（复制后“选择性粘贴为数值”）")
                         % {"cells": shown}, name)
            return None
        try:
            if self.book is None:
                self.book = CalamineWorkbook.from_filelike(io.BytesIO(self.content))
            return self.book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except PasswordError:
            self.problem(_("文件“%(file)s”设置了密码，请取消密码后再上传") % {"file": self.file_name})
        except Exception as exc:  # calamine raises several types for a broken file
            self.problem(_("无法读取文件“%(file)s”，请确认是 .xlsx 格式的 Excel 工作簿（%(error)s）")
                         % {"file": self.file_name, "error": type(exc).__name__})
        return None

    def _header(self, name: str, rows: list[list]) -> bool:
        header = rows[X.HEADER_ROW] if len(rows) > X.HEADER_ROW else []
        ok = True
        for i, column in enumerate(X.SHEETS[name]):
            found = clean_text(header[i] if i < len(header) else "")
            if not _labels_match(found, column.label):
                self.problem(_("表头应为“%(expected)s”，却是“%(found)s”：请不要插入、删除或移动列，或重新下载模板")
                             % {"expected": column.label, "found": found}, name, X.HEADER_ROW + 1, column.key)
                ok = False
        return ok

    def _text(self, value, sheet: str, row: int, key: str, limit: int | None = None) -> str:
        """A cell as text (the apostrophe that guards = + - @ removed); a problem when it cannot be one."""
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problem(_("应为文字，却是日期或其他类型"), sheet, row, key)
            return ""
        text = unsafe_text(str(value).strip())
        problem = control_character_error(text)
        if problem:
            self.problem(problem, sheet, row, key)
            return ""
        limit = limit or TEXT_LIMITS.get(key)
        if limit and len(text) > limit:
            self.problem(_("不能超过 %(n)d 个字（现有 %(m)d 个）") % {"n": limit, "m": len(text)}, sheet, row, key)
            return ""
        return text

    def _filled(self, name: str, rows: list[list]) -> list[tuple[int, list]]:
        width = len(X.SHEETS[name])
        filled = [(i, row) for i, row in enumerate(rows[X.FIRST_DATA_ROW:], start=X.FIRST_DATA_ROW + 1)
                  if any(clean_text(v) for v in row)]
        if len(filled) > X.MAX_ROWS[name]:
            self.problem(_("有 %(n)d 行，超过上限 %(limit)d 行，请分批导入") % {
                "n": len(filled), "limit": X.MAX_ROWS[name]}, name)
            return []
        out = []
        for excel_row, cells in filled:
            if any(clean_text(v) for v in cells[width:]):
                self.problem(_("表格右侧有模板以外的内容，请删除多余的列"), name, excel_row)
                continue
            out.append((excel_row, [*cells[:width], *[None] * (width - len(cells[:width]))]))
        return out

    # 产业链 -------------------------------------------------------------------------------------------

    def _chain_sheet(self) -> bool:
        rows = self._read(X.CHAIN_SHEET, X.FIRST_DATA_ROW + len(X.CHAIN_FIELDS) + EXTRA_ROWS, 2 + EXTRA_COLUMNS)
        if rows is None:
            return False
        values: dict[str, object] = {}
        rows_of: dict[str, int] = {}
        for i, cells in enumerate(rows[X.FIRST_DATA_ROW:], start=X.FIRST_DATA_ROW + 1):
            label = clean_text(cells[0] if cells else "").rstrip("*")
            column = next((c for c in X.CHAIN_FIELDS if _labels_match(label, c.label)), None)
            if column is not None:
                values[column.key] = cells[1] if len(cells) > 1 else None
                rows_of[column.key] = i
        sheet = X.CHAIN_SHEET

        def text(key: str) -> str:
            return self._text(values.get(key), sheet, rows_of.get(key, 0), key, CHAIN_LIMITS.get(key))

        code = self.target.code if self.target is not None else (self.target_code or text("code"))
        if not code:
            self.problem(_("请填写“产业链编码”"), sheet, rows_of.get("code", 0), "code")
            return False
        self.result.chain = code
        chain = self.target or Chain.objects.filter(code=code).first()
        if chain is not None:
            visible = self.user is None or Chain.objects.for_user(self.user).filter(pk=chain.pk).exists()
            if not visible:
                self.problem(_("产业链编码“%(code)s”已被占用，请换用其他编码") % {"code": code}, sheet,
                             rows_of.get("code", 0), "code")
                return False
            if self.user is not None and not can_edit_chain(self.user, chain):
                self.problem(_("您无权修改产业链“%(name)s”；产业链由牵头区划、所属集群的促进机构或省级管理员维护")
                             % {"name": chain.name})
                return False
            self.chain = chain
            return True
        # A new chain from the sheet.
        before = len(self.result.problems)
        name, region_code = text("name"), text("region")
        if not name:
            self.problem(_("新建产业链须填写“产业链名称”"), sheet, rows_of.get("name", 0), "name")
        region = Region.objects.filter(code=region_code).first() if region_code else None
        if region is None:
            self.problem(_("牵头区划代码“%(code)s”不存在，应为 6 位行政区划代码（如 370800 济宁市）")
                         % {"code": region_code}, sheet, rows_of.get("region", 0), "region")
        elif self.user is not None and not can_create_chain_in(self.user, region.pk):
            self.problem(_("您只能在本区划内新建产业链（%(region)s 不在您的范围内）") % {"region": region.name},
                         sheet, rows_of.get("region", 0), "region")
        scope_text = clean_text(text("local_scope"))
        scope = _accepted(LocalScope.choices).get(scope_text, "") if scope_text else LocalScope.CITY
        if not scope or scope == LocalScope.RADIUS:
            self.problem(_("本地范围“%(value)s”无效，可选：同一地级市、本省（一定半径内请在产业链页面设置）")
                         % {"value": scope_text}, sheet, rows_of.get("local_scope", 0), "local_scope")
        target = None
        raw = values.get("local_rate_target")
        try:
            target = parse_number(raw, "%")
        except (ValueError, ArithmeticError) as exc:
            self.problem(str(exc) or _("不是数字"), sheet, rows_of.get("local_rate_target", 0), "local_rate_target")
        if target is not None and not (0 <= target <= 100):
            self.problem(_("本地配套率目标须在 0 到 100（%）之间"), sheet, rows_of.get("local_rate_target", 0),
                         "local_rate_target")
        if len(self.result.problems) > before:
            return False
        self.new_chain = {"code": code, "name": name, "region": region, "local_scope": scope,
                          "local_rate_target": target, "chief_name": text("chief_name"),
                          "description": text("description")}
        return not self.result.problems

    # 环节 ---------------------------------------------------------------------------------------------

    def _segments(self, rows: list[list]) -> None:
        sheet = X.SEGMENT_SHEET
        i = X.index(X.SEGMENT_COLUMNS)
        positions, kinds, yes_no = _accepted(Position.choices), _accepted(SegmentKind.choices), _yes_no()
        existing = {s.code: s for s in Segment.objects.filter(chain=self.chain).select_related("parent")} \
            if self.chain else {}
        seen: dict[str, int] = {}
        for excel_row, cells in self._filled(sheet, rows):
            before = len(self.result.problems)
            v = {key: self._text(cells[i[key]], sheet, excel_row, key)
                 for key in ("code", "name", "parent", "industry_codes", "description")}
            for key, table, default in (("position", positions, ""), ("kind", kinds, SegmentKind.PRODUCT)):
                given = clean_text(self._text(cells[i[key]], sheet, excel_row, key))
                v[key] = table.get(given, "") if given else default
                if given and not v[key]:
                    choices = "、".join(str(label) for label in (Position if key == "position" else SegmentKind).labels)
                    self.problem(_("“%(value)s”无效，可选：%(choices)s") % {"value": given, "choices": choices},
                                 sheet, excel_row, key)
            flags = {}
            for key in ("is_extension", "retire"):
                given = clean_text(self._text(cells[i[key]], sheet, excel_row, key))
                flags[key] = yes_no.get(given) if given else False
                if flags[key] is None:
                    self.problem(_("请填“是”或“否”"), sheet, excel_row, key)
            v["is_extension"] = bool(flags["is_extension"])
            sort = cells[i["sort"]]
            v["sort"] = 0
            if sort not in (None, ""):
                try:
                    number = parse_number(sort, "")
                    if number is None or number != int(number) or not (0 <= number <= 99999):
                        raise ValueError
                    v["sort"] = int(number)
                except (ValueError, ArithmeticError):
                    self.problem(_("排序须为 0 到 99999 的整数"), sheet, excel_row, "sort")
            code = v.pop("code")
            if not code:
                self.problem(_("请填写环节编码"), sheet, excel_row, "code")
            if not v["position"] and not flags["retire"]:
                self.problem(_("请填写链上位置：上游、中游或下游"), sheet, excel_row, "position")
            if len(self.result.problems) > before:
                continue
            probe = Segment(code=code, name=v["name"], position=v["position"] or Position.UPSTREAM, kind=v["kind"],
                            industry_codes=v["industry_codes"].replace("，", ",").replace(" ", ""),
                            description=v["description"])
            try:
                _check_segment(probe)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        self.problem(message, sheet, excel_row, SEGMENT_KEYS.get(name, ""))
                continue
            v["industry_codes"] = probe.industry_codes
            if code in seen:
                self.problem(_("环节编码“%(code)s”与第%(row)s行重复") % {"code": code, "row": seen[code]},
                             sheet, excel_row, "code")
                continue
            seen[code] = excel_row
            current = existing.get(code)
            if current is not None and current.retired:
                self.problem(_("环节“%(code)s %(name)s”已撤销，编码不能再用；请换用新编码") % {
                    "code": code, "name": current.name}, sheet, excel_row, "code")
                continue
            if flags["retire"] and current is None:
                self.problem(_("要撤销的环节“%(code)s”不在本产业链中") % {"code": code}, sheet, excel_row, "retire")
                continue
            self.segments.append(SegmentRow(excel_row, code, v, bool(flags["retire"]), current))
        if self.result.problems:
            return
        self._check_tree(existing)

    def _check_tree(self, existing: dict[str, Segment]) -> None:
        """The tree after the import: parents that exist, no cycle, nothing retired above a live segment."""
        sheet = X.SEGMENT_SHEET
        parent = {code: (s.parent.code if s.parent_id else "") for code, s in existing.items() if not s.retired}
        retired = {code for code, s in existing.items() if s.retired}
        for r in self.segments:
            parent[r.code] = r.values["parent"]
        retiring = {r.code for r in self.segments if r.retire}
        rows = {r.code: r.row for r in self.segments}
        for r in self.segments:
            given = r.values["parent"]
            if not given:
                continue
            if given == r.code:
                self.problem(_("环节不能以自己为上级"), sheet, r.row, "parent")
            elif given in retired:
                self.problem(_("上级环节“%(code)s”已撤销") % {"code": given}, sheet, r.row, "parent")
            elif given not in parent:
                self.problem(_("上级环节编码“%(code)s”在本文件和本产业链中都不存在") % {"code": given}, sheet, r.row,
                             "parent")
            elif given in retiring and not r.retire:
                self.problem(_("上级环节“%(code)s”在本文件中被撤销，其下级不能保留") % {"code": given}, sheet, r.row,
                             "parent")
        if self.result.problems:
            return
        reported: set[str] = set()
        for start in parent:
            path, node = [], start
            while node and node not in path:
                path.append(node)
                node = parent.get(node, "")
            if node and node in path:
                cycle = path[path.index(node):]
                key = frozenset(cycle)
                if not reported.isdisjoint(key):
                    continue
                reported |= key
                shown = " → ".join([*cycle, cycle[0]])
                for code in cycle:
                    self.problem(_("上级环节构成循环：%(cycle)s") % {"cycle": shown}, sheet, rows.get(code, 0),
                                 "parent" if code in rows else "")
        for r in self.segments:
            if r.retire:
                live = [c for c, p in parent.items() if p == r.code and c not in retiring]
                if live:
                    self.problem(_("环节“%(code)s”下还有下级环节（%(children)s），请一并撤销或移走") % {
                        "code": r.code, "children": "、".join(sorted(live))}, sheet, r.row, "retire")

    # 企业 ---------------------------------------------------------------------------------------------

    def _current_codes(self) -> set[str]:
        codes = set(Segment.objects.filter(chain=self.chain, retired=False).values_list("code", flat=True)) \
            if self.chain else set()
        return (codes | {r.code for r in self.segments}) - {r.code for r in self.segments if r.retire}

    def _party(self, sheet: str, row: int, name: str, code: str, name_key: str, code_key: str, *,
               kind: str = "", place: str = "") -> Party | None:
        """A company by credit code, then by exact name: in the registry the user sees, then among outside
        companies; found nowhere, an outside company to register. None (with a problem) when ambiguous."""
        code = code.upper()
        if code:
            error = credit_code_error(code)
            if error:
                self.problem(str(error), sheet, row, code_key)
                return None
        if kind != "outside":
            if code:
                found = self.enterprises.filter(credit_code=code).first()
                if found is not None:
                    return Party(enterprise=found)
            if name:
                found = list(self.enterprises.filter(name=name).order_by("pk")[:6])
                if len(found) == 1:
                    return Party(enterprise=found[0])
                if len(found) > 1:
                    self.problem(_("名录中有多家企业名为“%(name)s”（%(candidates)s），请填写统一社会信用代码") % {
                        "name": name, "candidates": "、".join(e.credit_code or f"#{e.pk}" for e in found)},
                        sheet, row, name_key)
                    return None
            if kind == "registry":
                self.problem(_("在您的企业名录中没有找到“%(name)s”%(code)s；名录外的企业请把企业类别填为“外地企业”") % {
                    "name": name or code, "code": f"（{code}）" if code and name else ""}, sheet, row, name_key)
                return None
        if code:
            found = OutsideCompany.objects.filter(credit_code=code).first()
            if found is not None:
                return Party(company=found)
            if Enterprise.objects.filter(credit_code=code).exists():
                self.problem(_("统一社会信用代码 %(code)s 属于其他区划的名录企业，不能作为外地企业登记") % {"code": code},
                             sheet, row, code_key)
                return None
        if name:
            found = list(OutsideCompany.objects.filter(name=name).order_by("pk")[:6])
            if len(found) == 1 and not code:
                return Party(company=found[0])
            if len(found) > 1 and not code:
                self.problem(_("有多家外地企业名为“%(name)s”（%(candidates)s），请填写统一社会信用代码") % {
                    "name": name, "candidates": "、".join(f"{c.place or '—'} {c.credit_code or ''}".strip()
                                                          for c in found)}, sheet, row, name_key)
                return None
        if not name:
            self.problem(_("请填写企业名称"), sheet, row, name_key)
            return None
        return Party(new=(name, code, place))

    def _widen_registry(self) -> None:
        """The registry an import resolves against: the user's, and the enterprises already on this chain (a
        cluster organisation re-imports the map it exported, whose enterprises may lie outside its own scope)."""
        if self.chain is None or self.user is None:
            return
        on_chain = (Q(chain_placements__segment__chain=self.chain) | Q(purchases__segment__chain=self.chain)
                    | Q(sales__segment__chain=self.chain))
        self.enterprises = Enterprise.objects.filter(
            Q(pk__in=self.enterprises.values("pk")) | Q(pk__in=Enterprise.objects.filter(on_chain).values("pk")))

    def _placements(self, rows: list[list]) -> None:
        sheet = X.PLACEMENT_SHEET
        i = X.index(X.PLACEMENT_COLUMNS)
        roles = _accepted(MemberRole.choices)
        types = {clean_text(str(X.REGISTRY)): "registry", clean_text(str(X.OUTSIDE)): "outside", "名录企业": "registry",
                 "外地企业": "outside"}
        codes = self._current_codes()
        seen: dict[tuple, int] = {}
        for excel_row, cells in self._filled(sheet, rows):
            before = len(self.result.problems)
            v = {key: self._text(cells[i[key]], sheet, excel_row, key)
                 for key in ("segment", "type", "credit_code", "name", "place", "role", "product")}
            if not v["segment"]:
                self.problem(_("请填写环节编码"), sheet, excel_row, "segment")
            elif v["segment"] not in codes:
                self.problem(_("环节编码“%(code)s”不在本产业链（或已撤销）") % {"code": v["segment"]}, sheet, excel_row,
                             "segment")
            kind = types.get(clean_text(v["type"]), None) if v["type"] else ""
            if kind is None:
                self.problem(_("企业类别须为“名录企业”或“外地企业”"), sheet, excel_row, "type")
            role = roles.get(clean_text(v["role"]), "") if v["role"] else MemberRole.SUPPORTING
            if not role:
                self.problem(_("链上角色“%(value)s”无效，可选：链主、龙头、骨干、配套") % {"value": v["role"]}, sheet,
                             excel_row, "role")
            if len(self.result.problems) > before:
                continue
            party = self._party(sheet, excel_row, v["name"], v["credit_code"], "name", "credit_code", kind=kind,
                                place=v["place"])
            if party is None:
                continue
            key = (v["segment"], party.key)
            if key in seen:
                self.problem(_("该企业在环节“%(code)s”上与第%(row)s行重复") % {"code": v["segment"], "row": seen[key]},
                             sheet, excel_row, "name")
                continue
            seen[key] = excel_row
            self.placements.append(PlacementRow(excel_row, v["segment"], party, role, v["product"]))

    # 供应关系 -----------------------------------------------------------------------------------------

    def _links(self, rows: list[list]) -> None:
        sheet = X.LINK_SHEET
        filled = self._filled(sheet, rows)
        if not filled:
            return  # an empty sheet changes nothing
        allowed = self.user is None or (
            can_edit_supply_links(self.user, self.chain) if self.chain is not None
            else can_create_chain_in(self.user, self.new_chain["region"].pk))  # the new chain's region officer
        if not allowed:
            self.problem(_("供应关系涉及企业经营数据，只能由产业链牵头区划或省级管理员导入；请删除“%(sheet)s”工作表中的行后再上传")
                         % {"sheet": sheet}, sheet)
            return
        i = X.index(X.LINK_COLUMNS)
        codes = self._current_codes()
        self.links = []
        for excel_row, cells in filled:
            before = len(self.result.problems)
            v = {key: self._text(cells[i[key]], sheet, excel_row, key)
                 for key in ("segment", "buyer", "buyer_code", "supplier", "supplier_code", "product", "note")}
            if not v["segment"]:
                self.problem(_("请填写环节编码"), sheet, excel_row, "segment")
            elif v["segment"] not in codes:
                self.problem(_("环节编码“%(code)s”不在本产业链（或已撤销）") % {"code": v["segment"]}, sheet, excel_row,
                             "segment")
            year = None
            try:
                number = parse_number(cells[i["year"]], "")
                if number is None:
                    self.problem(_("请填写年度"), sheet, excel_row, "year")
                elif number != int(number) or not (2000 <= number <= 2100):
                    raise ValueError
                else:
                    year = int(number)
            except (ValueError, ArithmeticError):
                self.problem(_("年度须为 2000 到 2100 之间的四位数字"), sheet, excel_row, "year")
            amount = None
            try:
                amount = parse_number(cells[i["amount"]], "万元")
                if amount is not None and not (0 <= amount <= MAX_AMOUNT):
                    self.problem(_("采购金额须为 0 到 %(max)s 之间的万元数") % {"max": MAX_AMOUNT}, sheet, excel_row,
                                 "amount")
                elif amount is not None:
                    amount = amount.quantize(Decimal("0.01"))
            except (ValueError, ArithmeticError) as exc:
                self.problem(str(exc) or _("不是数字"), sheet, excel_row, "amount")
            for side in ("buyer", "supplier"):
                if not v[side] and not v[f"{side}_code"]:
                    self.problem(_("请填写%(side)s") % {"side": _("采购方") if side == "buyer" else _("供应方")},
                                 sheet, excel_row, side)
            if len(self.result.problems) > before:
                continue
            buyer = self._party(sheet, excel_row, v["buyer"], v["buyer_code"], "buyer", "buyer_code")
            supplier = self._party(sheet, excel_row, v["supplier"], v["supplier_code"], "supplier", "supplier_code")
            if buyer is None or supplier is None:
                continue
            if buyer.key == supplier.key:
                self.problem(_("采购方和供应方不能是同一家企业"), sheet, excel_row, "supplier")
                continue
            self.links.append(LinkRow(excel_row, v["segment"], year, buyer, supplier, v["product"], amount, v["note"]))

    # Writing ----------------------------------------------------------------------------------------

    def _refused(self, sheet: str, row: int, exc: Exception, columns: dict[str, str], default: str = "") -> None:
        if isinstance(exc, PermissionDenied):
            self.problem(str(exc), sheet, row)
            return
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for name, texts in messages.items():
            for text in texts:
                self.problem(text, sheet, row, columns.get(name, default))

    def _write(self) -> None:
        try:
            with transaction.atomic():
                self._write_all()
                if self.result.problems:
                    raise _Rollback
                audit_record(actor=self.user, action=AuditAction.IMPORT, obj=self.chain,
                             after={"file": self.file_name[:200], **self.result.summary()})
        except _Rollback:
            keep = (self.result.problems, self.result.chain)
            self.result = ImportResult(problems=keep[0], chain=keep[1])

    def _write_all(self) -> None:
        if self.chain is None:
            try:
                self.chain = chain_create(actor=self.user, source=Source.IMPORT, **self.new_chain)
            except (ValidationError, PermissionDenied) as exc:
                self._refused(X.CHAIN_SHEET, 0, exc, {})
                return
            self.result.chain_created = True
        try:
            by_code = segments_import(actor=self.user, chain=self.chain, rows=self.segments, note=_(
                "导入“%(file)s”") % {"file": self.file_name[:150]}, result=self.result)
        except _RowError as exc:
            self._refused(X.SEGMENT_SHEET, exc.row, exc.error, SEGMENT_KEYS)
            return
        companies: dict[tuple, OutsideCompany] = {}

        def resolve(party: Party, sheet: str, row: int, key: str):
            if party.new is None:
                return party.enterprise, party.company
            name, code, place = party.new
            found = companies.get(party.key)
            if found is None:
                try:
                    found = outside_company_create(actor=self.user, name=name, place=place, credit_code=code or None,
                                                   source=Source.IMPORT)
                except (ValidationError, PermissionDenied) as exc:
                    self._refused(sheet, row, exc, {"credit_code": key.replace("name", "credit_code")}, key)
                    return None, None
                companies[party.key] = found
                self.result.companies_created.append(found.name)
            return None, found

        for p in self.placements:
            enterprise, company = resolve(p.party, X.PLACEMENT_SHEET, p.row, "name")
            if enterprise is None and company is None:
                continue
            segment = by_code[p.segment]
            current = Placement.objects.filter(segment=segment, enterprise=enterprise, company=company).first()
            try:
                if current is None:
                    placement_add(actor=self.user, segment=segment, enterprise=enterprise, company=company,
                                  role=p.role, product=p.product, source=Source.IMPORT)
                    self.result.placements_added += 1
                elif (current.role, current.product) != (p.role, p.product):
                    placement_update(actor=self.user, placement=current, base_version=current.version, role=p.role,
                                     product=p.product)
                    self.result.placements_updated += 1
            except (ValidationError, PermissionDenied) as exc:
                self._refused(X.PLACEMENT_SHEET, p.row, exc, {"role": "role", "product": "product"}, "name")
        if self.links is None or self.result.problems:
            return
        years = sorted({link.year for link in self.links})
        for link in SupplyLink.objects.filter(segment__chain=self.chain, year__in=years).order_by("pk"):
            try:
                supply_link_remove(actor=self.user, link=link, base_version=link.version)
            except PermissionDenied as exc:
                self.problem(str(exc), X.LINK_SHEET)
                return
            self.result.links_removed += 1
        self.result.link_years = years
        for row in self.links:
            buyer, buyer_company = resolve(row.buyer, X.LINK_SHEET, row.row, "buyer")
            supplier, supplier_company = resolve(row.supplier, X.LINK_SHEET, row.row, "supplier")
            if (buyer or buyer_company) is None or (supplier or supplier_company) is None:
                continue
            try:
                supply_link_add(actor=self.user, segment=by_code[row.segment], year=row.year, buyer=buyer,
                                buyer_company=buyer_company, supplier=supplier, supplier_company=supplier_company,
                                product=row.product, amount=row.amount, note=row.note, source=Source.IMPORT)
            except (ValidationError, PermissionDenied) as exc:
                self._refused(X.LINK_SHEET, row.row, exc, {"buyer": "buyer", "supplier": "supplier", "year": "year",
                                                           "amount": "amount", "product": "product", "note": "note",
                                                           "segment": "segment"})
                continue
            self.result.links_added += 1


class _RowError(Exception):
    def __init__(self, row: int, error: Exception) -> None:
        super().__init__(str(error))
        self.row, self.error = row, error


@transaction.atomic
def segments_import(*, actor, chain: Chain, rows: list[SegmentRow], note: str,
                    result: ImportResult | None = None) -> dict[str, Segment]:
    """Add, update and retire a chain's segments from an import as ONE structure version of the chain (a segment
    that is only renamed or re-described changes no structure). Each segment gets its own audit entry; a refusal
    raises _RowError naming the row. Returns the chain's current segments by code."""
    _require(actor, can_edit_chain(actor, chain))
    result = result or ImportResult()
    existing = {s.code: s for s in Segment.objects.select_for_update().filter(chain=chain)}
    adds = [r for r in rows if r.existing is None]
    changes: list[tuple[SegmentRow, dict]] = []
    for r in rows:
        if r.existing is None or r.retire:
            continue
        s = existing[r.code]
        parent_code = s.parent.code if s.parent_id else ""
        now = {"name": s.name, "parent": parent_code, "position": s.position, "kind": s.kind,
               "industry_codes": s.industry_codes, "is_extension": s.is_extension, "sort": s.sort,
               "description": s.description}
        differs = {k: v for k, v in r.values.items() if now[k] != v}
        if differs:
            changes.append((r, differs))
    retires = [r for r in rows if r.retire]
    moved = any({"parent", "position"} & set(d) for _r, d in changes)
    if adds or moved or retires:
        _restructure(actor, chain, note)
    # New segments, parents first (a parent may itself be new).
    pending = list(adds)
    while pending:
        ready = [r for r in pending if not r.values["parent"] or r.values["parent"] in existing]
        if not ready:  # a cycle among new segments: the importer's tree check refuses it first
            raise _RowError(pending[0].row, ValidationError({"parent": [_("上级环节构成循环")]}))
        for r in ready:
            v = r.values
            segment = Segment(chain=chain, code=r.code, name=v["name"], position=v["position"], kind=v["kind"],
                              parent=existing.get(v["parent"]) if v["parent"] else None,
                              industry_codes=v["industry_codes"], is_extension=v["is_extension"], sort=v["sort"],
                              description=v["description"])
            try:
                _check_segment(segment)
                segment.full_clean()
            except ValidationError as exc:
                raise _RowError(r.row, exc) from None
            segment.save()
            audit_record(actor=actor, action=AuditAction.CREATE, obj=segment, after=_segment_data(segment))
            existing[r.code] = segment
            result.segments_added.append(r.code)
        pending = [r for r in pending if r not in ready]
    for r, differs in changes:
        segment = existing[r.code]
        before = _segment_data(segment)
        for key, value in differs.items():
            if key == "parent":
                segment.parent = existing.get(value) if value else None
            else:
                setattr(segment, key, value)
        try:
            _check_segment(segment)
            segment.version += 1
            segment.full_clean()
        except ValidationError as exc:
            raise _RowError(r.row, exc) from None
        segment.save()
        after = _segment_data(segment)
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=segment,
                     before={k: before[k] for k in after if before[k] != after[k]},
                     after={k: after[k] for k in after if before[k] != after[k]})
        result.segments_updated.append(r.code)
    depth = {}
    for r in retires:
        node, d = existing[r.code], 0
        while node.parent_id:
            node, d = node.parent, d + 1
        depth[r.code] = d
    for r in sorted(retires, key=lambda r: -depth[r.code]):
        segment = existing[r.code]
        if segment.children.filter(retired=False).exclude(code__in=[x.code for x in retires]).exists():
            raise _RowError(r.row, ValidationError({"retire": [_("环节下还有下级环节，请一并撤销或移走")]}))
        segment.retired = True
        segment.version += 1
        segment.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=segment,
                     before={"retired": False, "version": segment.version - 1},
                     after={"retired": True, "version": segment.version, "note": note})
        result.segments_retired.append(r.code)
    return {code: s for code, s in existing.items() if not s.retired}


def import_chain(*, user, content: bytes, file_name: str, chain: Chain | None = None,
                 chain_code: str = "") -> ImportResult:
    """Import a chain workbook as `user` (None: the system), all or nothing; into `chain` (a page's), into the
    chain `chain_code` names (created when none has it), or into the chain the file's 产业链 sheet names."""
    return ChainImporter(user=user, content=content, file_name=file_name, chain=chain, chain_code=chain_code).run()


def column_letter(sheet: str, key: str) -> str:
    return xl_col_to_name(X.index(X.SHEETS[sheet])[key])


__all__ = ["ChainImporter", "ImportResult", "import_chain", "segments_import"]
