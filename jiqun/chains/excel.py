"""A whole industry chain in one Excel workbook, out and (through jiqun.chains.importer) back in.

The workbook has the sheets 产业链 (the chain's code, name and home region), 环节 (the segment tree), 企业 (who
is placed on each segment: a registry enterprise or an outside company), 供应关系 (supply links by year; only
in the workbook of who `sees_supply_links` of the chain), a 填报说明 sheet and a hidden _meta sheet naming the
template. The export and the template have one layout, so an exported chain can be corrected and uploaded
again, or uploaded under a new chain code to copy it.

Workbooks are written with xlsxwriter with `strings_to_formulas=False`, and user text beginning with
= + - @ is written after an apostrophe so that no spreadsheet runs it (formula injection).
"""

import io
import json
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.accounts.scoping import sees_supply_links
from jiqun.chains.models import Chain, LocalScope, Placement, Position, Segment, SegmentKind, SupplyLink
from jiqun.enterprises.models import MemberRole
from jiqun.monitoring.excel import WORKBOOK_OPTIONS, safe_text

TEMPLATE_ID = "jiqun-chain"
TEMPLATE_VERSION = "1"
CHAIN_SHEET = "产业链"
SEGMENT_SHEET = "环节"
PLACEMENT_SHEET = "企业"
LINK_SHEET = "供应关系"
GUIDE_SHEET = "填报说明"
META_SHEET = "_meta"
HEADER_ROW = 1  # 0-based: a title, then the header
FIRST_DATA_ROW = 2
YES, NO = gettext_lazy("是"), gettext_lazy("否")
REGISTRY, OUTSIDE = gettext_lazy("名录企业"), gettext_lazy("外地企业")
# The most rows a sheet may hold; more is refused (split the chain's links by year).
MAX_ROWS = {SEGMENT_SHEET: 2000, PLACEMENT_SHEET: 10000, LINK_SHEET: 20000}


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy: the header in the user's language
    width: int
    required: bool = False


CHAIN_FIELDS: tuple[Column, ...] = (
    Column("code", gettext_lazy("产业链编码"), 0, True),
    Column("name", gettext_lazy("产业链名称"), 0, True),
    Column("region", gettext_lazy("牵头区划代码"), 0, True),
    Column("local_scope", gettext_lazy("本地范围"), 0),
    Column("local_rate_target", gettext_lazy("本地配套率目标（%）"), 0),
    Column("chief_name", gettext_lazy("链长"), 0),
    Column("description", gettext_lazy("说明"), 0),
)
SEGMENT_COLUMNS: tuple[Column, ...] = (
    Column("code", gettext_lazy("环节编码"), 12, True),
    Column("name", gettext_lazy("环节名称"), 24, True),
    Column("parent", gettext_lazy("上级环节编码"), 12),
    Column("position", gettext_lazy("链上位置"), 10, True),
    Column("kind", gettext_lazy("环节类型"), 10),
    Column("industry_codes", gettext_lazy("国民经济行业代码"), 18),
    Column("is_extension", gettext_lazy("延链环节"), 10),
    Column("sort", gettext_lazy("排序"), 8),
    Column("description", gettext_lazy("说明"), 30),
    Column("retire", gettext_lazy("撤销"), 8),
)
PLACEMENT_COLUMNS: tuple[Column, ...] = (
    Column("segment", gettext_lazy("环节编码"), 12, True),
    Column("type", gettext_lazy("企业类别"), 10),
    Column("credit_code", gettext_lazy("统一社会信用代码"), 22),
    Column("name", gettext_lazy("企业名称"), 30, True),
    Column("place", gettext_lazy("所在地（外地企业）"), 18),
    Column("role", gettext_lazy("链上角色"), 10),
    Column("product", gettext_lazy("主要产品"), 24),
)
LINK_COLUMNS: tuple[Column, ...] = (
    Column("segment", gettext_lazy("环节编码"), 12, True),
    Column("year", gettext_lazy("年度"), 8, True),
    Column("buyer", gettext_lazy("采购方"), 28, True),
    Column("buyer_code", gettext_lazy("采购方信用代码"), 22),
    Column("supplier", gettext_lazy("供应方"), 28, True),
    Column("supplier_code", gettext_lazy("供应方信用代码"), 22),
    Column("product", gettext_lazy("采购产品"), 20),
    Column("amount", gettext_lazy("采购金额（万元）"), 14),
    Column("note", gettext_lazy("备注"), 20),
)
SHEETS: dict[str, tuple[Column, ...]] = {
    SEGMENT_SHEET: SEGMENT_COLUMNS, PLACEMENT_SHEET: PLACEMENT_COLUMNS, LINK_SHEET: LINK_COLUMNS}


def index(columns: tuple[Column, ...]) -> dict[str, int]:
    return {c.key: i for i, c in enumerate(columns)}


# --- rows as the sheets show them --------------------------------------------------------------------

def chain_values(chain: Chain | None) -> dict[str, object]:
    if chain is None:
        return {c.key: "" for c in CHAIN_FIELDS}
    return {"code": chain.code, "name": chain.name, "region": chain.region_id,
            "local_scope": chain.get_local_scope_display(),
            "local_rate_target": chain.local_rate_target if chain.local_rate_target is not None else "",
            "chief_name": chain.chief_name, "description": chain.description}


def _segment_depth(segments: list[Segment]) -> list[Segment]:
    """Parents before their children (the tree read top down), siblings by sort and code."""
    children: dict[int | None, list[Segment]] = {}
    for s in segments:
        children.setdefault(s.parent_id, []).append(s)
    ordered: list[Segment] = []

    def walk(parent_id: int | None) -> None:
        for s in sorted(children.get(parent_id, []), key=lambda s: (s.sort, s.code)):
            ordered.append(s)
            walk(s.pk)

    walk(None)
    return ordered


def segment_rows(chain: Chain) -> list[dict[str, object]]:
    segments = list(Segment.objects.filter(chain=chain, retired=False).select_related("parent"))
    return [{"code": s.code, "name": s.name, "parent": s.parent.code if s.parent_id else "",
             "position": s.get_position_display(), "kind": s.get_kind_display(), "industry_codes": s.industry_codes,
             "is_extension": str(YES if s.is_extension else NO), "sort": s.sort, "description": s.description,
             "retire": ""} for s in _segment_depth(segments)]


def _party(enterprise, company) -> tuple[str, str]:
    """(name, credit code) of one side of a link or placement."""
    party = enterprise or company
    return party.name, party.credit_code or ""


def placement_rows(chain: Chain) -> list[dict[str, object]]:
    placements = (Placement.objects.filter(segment__chain=chain, segment__retired=False)
                  .select_related("segment", "enterprise", "company").order_by("segment__sort", "segment__code", "pk"))
    rows = []
    for p in placements:
        name, code = _party(p.enterprise, p.company)
        rows.append({"segment": p.segment.code, "type": str(OUTSIDE if p.company_id else REGISTRY),
                     "credit_code": code, "name": name, "place": p.company.place if p.company_id else "",
                     "role": p.get_role_display(), "product": p.product})
    return rows


def link_rows(chain: Chain) -> list[dict[str, object]]:
    links = (SupplyLink.objects.filter(segment__chain=chain)
             .select_related("segment", "buyer", "buyer_company", "supplier", "supplier_company")
             .order_by("year", "segment__sort", "segment__code", "pk"))
    rows = []
    for link in links:
        buyer, buyer_code = _party(link.buyer, link.buyer_company)
        supplier, supplier_code = _party(link.supplier, link.supplier_company)
        rows.append({"segment": link.segment.code, "year": link.year, "buyer": buyer, "buyer_code": buyer_code,
                     "supplier": supplier, "supplier_code": supplier_code, "product": link.product,
                     "amount": link.amount if link.amount is not None else "", "note": link.note})
    return rows


# --- the workbook -------------------------------------------------------------------------------------

def build_workbook(*, chain: Chain | None, with_links: bool, user_name: str = "") -> bytes:
    """The chain workbook: the export of `chain` (its supply links only `with_links`), or the empty template."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    title_format = book.add_format({"bold": True, "font_size": 14, "font_name": "宋体"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                            "bg_color": "#F2F2F2"})
    required_head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                                     "text_wrap": True, "bg_color": "#FCE4D6"})
    text = book.add_format({"border": 1})
    number = book.add_format({"border": 1, "num_format": "#,##0.00"})
    whole = book.add_format({"border": 1, "num_format": "0"})

    def cell(sheet, r: int, c: int, value) -> None:
        if value in ("", None):
            sheet.write_blank(r, c, None, text)
        elif isinstance(value, Decimal):
            sheet.write_number(r, c, float(value), number)
        elif isinstance(value, int) and not isinstance(value, bool):
            sheet.write_number(r, c, value, whole)
        else:
            sheet.write_string(r, c, safe_text(str(value)), text)

    info = book.add_worksheet(CHAIN_SHEET)
    info.write(0, 0, _("产业链基本信息"), title_format)
    info.write(HEADER_ROW, 0, str(_("项目")), head)
    info.write(HEADER_ROW, 1, str(_("内容")), head)
    info.set_column(0, 0, 22)
    info.set_column(1, 1, 50)
    values = chain_values(chain)
    for r, column in enumerate(CHAIN_FIELDS, start=FIRST_DATA_ROW):
        info.write_string(r, 0, str(column.label), required_head if column.required else head)
        cell(info, r, 1, values[column.key])
    info.data_validation(FIRST_DATA_ROW + 3, 1, FIRST_DATA_ROW + 3, 1, {
        "validate": "list", "source": [str(label) for label in LocalScope.labels], "ignore_blank": True})

    lists = {
        SEGMENT_SHEET: {"position": [str(v) for v in Position.labels], "kind": [str(v) for v in SegmentKind.labels],
                        "is_extension": [str(YES), str(NO)], "retire": [str(YES), str(NO)]},
        PLACEMENT_SHEET: {"type": [str(REGISTRY), str(OUTSIDE)], "role": [str(v) for v in MemberRole.labels]},
        LINK_SHEET: {},
    }
    data = {SEGMENT_SHEET: segment_rows(chain) if chain else [],
            PLACEMENT_SHEET: placement_rows(chain) if chain else [],
            LINK_SHEET: link_rows(chain) if chain and with_links else []}
    titles = {SEGMENT_SHEET: _("环节（产业链图谱）"), PLACEMENT_SHEET: _("环节上的企业"),
              LINK_SHEET: _("供应关系（金额单位：万元；按年度整体替换）")}
    for name, columns in SHEETS.items():
        if name == LINK_SHEET and not with_links:
            continue
        sheet = book.add_worksheet(name)
        sheet.write(0, 0, titles[name], title_format)
        for col, column in enumerate(columns):
            sheet.write(HEADER_ROW, col, str(column.label), required_head if column.required else head)
            sheet.set_column(col, col, column.width)
        for r, row in enumerate(data[name], start=FIRST_DATA_ROW):
            for col, column in enumerate(columns):
                cell(sheet, r, col, row.get(column.key, ""))
        last = FIRST_DATA_ROW + len(data[name]) + 200
        where = index(columns)
        for key, options in lists[name].items():
            sheet.data_validation(FIRST_DATA_ROW, where[key], last, where[key],
                                  {"validate": "list", "source": options, "ignore_blank": True})
        sheet.freeze_panes(FIRST_DATA_ROW, 0)

    guide = book.add_worksheet(GUIDE_SHEET)
    guide.set_column(0, 0, 110)
    lines = [
        _("产业链导入模板 填报说明"),
        _("1. “产业链”工作表填写产业链编码、名称和牵头区划代码（6 位）。编码已存在时导入到该产业链（其名称等设置不随导入修改，"
          "请在产业链页面修改）；编码不存在时按本文件新建产业链，牵头区划须在您的管理范围内。"),
        _("2. “环节”工作表每行一个环节，按“环节编码”对应：新编码新增环节，已有编码更新该环节；文件中没有的环节不会被撤销，"
          "要撤销请在“撤销”列填“是”。上级环节填上级的环节编码；链上位置填上游、中游或下游；整个导入只生成一个新的结构版本。"),
        _("3. “企业”工作表每行一家企业在一个环节上。名录企业先按统一社会信用代码、再按企业全称查找；外地企业找不到时自动登记。"
          "已在环节上的企业按本行更新链上角色和主要产品；文件中没有的企业不会从环节上移除。"),
        _("4. “供应关系”工作表（只有产业链牵头区划和省级管理员可见、可导入）：文件中出现的每个年度，导入后该年度本链的供应关系"
          "整体替换为文件中的各行；未出现的年度不变。采购方、供应方先按信用代码、再按全称查找名录企业和外地企业。"),
        _("5. 导入是整体的：任何一处错误，整个文件都不导入，系统按工作表、行、列列出全部错误；改正后重新上传即可。"),
        _("6. 不要修改表头、插入列、改动隐藏的工作表或在单元格中写公式。环节最多 %(s)d 行，企业最多 %(p)d 行，供应关系最多 %(l)d 行。")
        % {"s": MAX_ROWS[SEGMENT_SHEET], "p": MAX_ROWS[PLACEMENT_SHEET], "l": MAX_ROWS[LINK_SHEET]},
    ]
    for r, line in enumerate(lines):
        guide.write_string(r, 0, line)

    meta = book.add_worksheet(META_SHEET)
    for r, (key, value) in enumerate({
        "template": TEMPLATE_ID, "version": TEMPLATE_VERSION, "chain": chain.code if chain else "",
        "structure_version": str(chain.structure_version) if chain else "", "links": "1" if with_links else "0",
        "user": user_name, "generated": timezone.now().isoformat(timespec="seconds"),
        "sheets": json.dumps({name: [c.key for c in columns] for name, columns in SHEETS.items()}),
    }.items()):
        meta.write_string(r, 0, key)
        meta.write_string(r, 1, value)
    meta.hide()
    meta.protect()
    book.close()
    return output.getvalue()


def export_chain(user, chain: Chain) -> bytes:
    """The chain as the user may see it: its supply links only when the user `sees_supply_links` (None: the system)."""
    with_links = user is None or sees_supply_links(user, chain)
    return build_workbook(chain=chain, with_links=with_links, user_name=getattr(user, "username", "") or "")


def template(user) -> bytes:
    """The empty template (a new chain); with the supply-link sheet, which only a region officer may fill."""
    return build_workbook(chain=None, with_links=True, user_name=getattr(user, "username", "") or "")


def file_name(chain: Chain | None) -> str:
    if chain is None:
        return f"{_('产业链导入模板')}.xlsx"
    return f"{_('产业链')}-{chain.code}-{timezone.localdate():%Y%m%d}.xlsx"
