"""A small chain in 济宁 with a tree, registry and outside enterprises and supply links, for the Excel, API and
CLI tests."""

from decimal import Decimal

from jiqun.chains.models import Chain
from jiqun.chains.services import (
    chain_create,
    outside_company_create,
    placement_add,
    segment_add,
    supply_link_add,
)
from jiqun.enterprises.models import Enterprise
from jiqun.regions.models import Region


def make_chain(actor, code: str = "T-EX", region: str = "370800") -> Chain:
    chain = chain_create(actor=actor, code=code, name="测试液压链", region=Region.objects.get(code=region),
                         local_rate_target=Decimal("60"))
    design = segment_add(actor=actor, chain=chain, code="U1", name="=液压设计", position="upstream",
                         industry_codes="C34", sort=1)
    pumps = segment_add(actor=actor, chain=chain, code="U1.1", name="液压泵", position="upstream", parent=design,
                        sort=2)
    assembly = segment_add(actor=actor, chain=chain, code="M1", name="整机装配", position="midstream", sort=3)
    segment_add(actor=actor, chain=chain, code="D1", name="再制造", position="downstream", kind="service",
                is_extension=True, sort=4)
    local = list(Enterprise.objects.filter(region__code__startswith=region[:4]).order_by("pk")[:2])
    outside = outside_company_create(actor=actor, name="江苏测试液压有限公司", place="江苏省常州市")
    placement_add(actor=actor, segment=assembly, enterprise=local[0], role="chain_leader", product="挖掘机")
    placement_add(actor=actor, segment=pumps, company=outside, product="柱塞泵")
    if len(local) > 1:
        placement_add(actor=actor, segment=pumps, enterprise=local[1], role="backbone", product="齿轮泵")
    supply_link_add(actor=actor, segment=pumps, year=2025, buyer=local[0], supplier_company=outside,
                    product="柱塞泵", amount=Decimal("1200.50"))
    supply_link_add(actor=actor, segment=pumps, year=2024, buyer=local[0], supplier_company=outside)
    return chain


def read_sheets(content: bytes) -> dict[str, list[list]]:
    """Every sheet of a workbook as rows of cells."""
    import io

    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def rebuild(content: bytes, *, rows: dict[str, list[list]] | None = None, drop: tuple[str, ...] = (),
            formulas: dict[tuple[str, int, int], str] | None = None,
            far_cell: tuple[str, int, int] | None = None) -> bytes:
    """The workbook again, as a user's spreadsheet program would save it: sheets replaced by `rows` (data rows
    under the title and header), sheets dropped, formulas written in cells, a value far outside the template."""
    import io

    import xlsxwriter

    from jiqun.chains import excel as X

    sheets = read_sheets(content)
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    for name, data in sheets.items():
        if name in drop:
            continue
        if rows and name in rows:
            data = [*data[:X.FIRST_DATA_ROW], *rows[name]]
        sheet = book.add_worksheet(name)
        for r, row in enumerate(data):
            for c, value in enumerate(row):
                if value not in (None, ""):
                    sheet.write(r, c, value)
        for (where, r, c), formula in (formulas or {}).items():
            if where == name:
                sheet.write_formula(r, c, formula, None, 1)
        if far_cell and far_cell[0] == name:
            sheet.write(far_cell[1], far_cell[2], "x")
        if name == X.META_SHEET:
            sheet.hide()
    book.close()
    return output.getvalue()


def data_rows(content: bytes, sheet: str) -> list[list]:
    from jiqun.chains import excel as X

    return [row for row in read_sheets(content)[sheet][X.FIRST_DATA_ROW:] if any(v not in (None, "") for v in row)]


def snapshot(chain) -> dict:
    """A chain as the workbook carries it: its tree, who is on it and its supply links (without ids)."""
    from jiqun.chains.models import Placement, Segment, SupplyLink

    segments = sorted((s.code, s.name, s.parent.code if s.parent_id else "", s.position, s.kind, s.industry_codes,
                       s.is_extension, s.sort, s.description)
                      for s in Segment.objects.filter(chain=chain, retired=False).select_related("parent"))
    placements = sorted((p.segment.code, p.enterprise_id or 0, p.company_id or 0, p.role, p.product)
                        for p in Placement.objects.filter(segment__chain=chain).select_related("segment"))
    links = sorted((link.segment.code, link.year, link.buyer_id or 0, link.buyer_company_id or 0, link.supplier_id or 0,
                    link.supplier_company_id or 0, link.product, str(link.amount), link.note)
                   for link in SupplyLink.objects.filter(segment__chain=chain).select_related("segment"))
    return {"segments": segments, "placements": placements, "links": links}


def counts() -> dict[str, int]:
    """How many rows the chain registry and the audit log hold: a refused import changes none of them."""
    from jiqun.audit.models import AuditEvent
    from jiqun.chains.models import Chain, ChainRevision, OutsideCompany, Placement, Segment, SupplyLink

    return {model.__name__: model.objects.count() for model in (
        Chain, ChainRevision, Segment, Placement, SupplyLink, OutsideCompany, AuditEvent)}
