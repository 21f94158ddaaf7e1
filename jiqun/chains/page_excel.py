"""The chain pages' downloads: each chart or table of a chain page as .xlsx (the map's segments with their
ratings, the gap list, the local supporting rate's trend, one segment's panel).

Written with xlsxwriter, `strings_to_formulas=False`, and user text beginning with = + - @ escaped
(jiqun.monitoring.excel.safe_text). The whole chain's import/export workbook is jiqun.chains.excel's.
"""

import io
from decimal import Decimal

import xlsxwriter
from django.utils.translation import gettext as _

from jiqun.chains.analysis import ChainAnalysis, Need, OutsideInput, Rating, SegmentVerdict
from jiqun.chains.models import Chain, Position
from jiqun.monitoring.excel import WORKBOOK_OPTIONS, safe_text


class _Book:
    def __init__(self) -> None:
        self.output = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.output, WORKBOOK_OPTIONS)
        self.head = self.book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "text_wrap": True})
        self.number = self.book.add_format({"num_format": "0.00"})

    def sheet(self, name: str, title: str, header: list[str], rows: list[list], widths: list[int] | None = None):
        sheet = self.book.add_worksheet(name[:31])
        sheet.write_string(0, 0, safe_text(title))
        for col, text in enumerate(header):
            sheet.write_string(1, col, text, self.head)
            sheet.set_column(col, col, (widths or [])[col] if widths and col < len(widths) else 14)
        for r, row in enumerate(rows, start=2):
            for col, value in enumerate(row):
                if value is None:
                    sheet.write_blank(r, col, None)
                elif isinstance(value, bool):
                    sheet.write_string(r, col, _("是") if value else _("否"))
                elif isinstance(value, int | float | Decimal):
                    sheet.write_number(r, col, float(value), self.number)
                else:
                    sheet.write_string(r, col, safe_text(str(value)))
        return sheet

    def close(self) -> bytes:
        self.book.close()
        return self.output.getvalue()


def _basis(basis: str) -> str:
    return {"amount": _("按金额"), "count": _("按家数")}.get(basis, "")


def _verdict_rows(verdicts: list[SegmentVerdict], labels: list[str]) -> list[list]:
    ratings, needs, positions = dict(Rating.choices), dict(Need.choices), dict(Position.choices)
    return [[v.code, v.name, v.parent_code or "", str(positions.get(v.position, v.position)),
             str(ratings.get(v.rating, v.rating)), str(needs.get(v.need, v.need)), v.local_rate, _basis(v.rate_basis),
             *[v.inputs.get(label, "") for label in labels]] for v in verdicts]


def _input_labels(analysis: ChainAnalysis) -> list[str]:
    labels: list[str] = []
    for verdict in analysis.segments:
        labels += [label for label in verdict.inputs if label not in labels]
    return labels


def map_workbook(chain: Chain, analysis: ChainAnalysis, revisions) -> bytes:
    """The map: every current segment with its rating, need, local share and the rule's inputs; the structure
    versions."""
    book = _Book()
    labels = _input_labels(analysis)
    header = [_("环节编码"), _("环节名称"), _("上级环节"), _("链上位置"), _("评级"), _("需要"), _("本地配套率（%）"),
              _("口径"), *labels]
    book.sheet(_("产业链图谱"), _("%(chain)s 产业链图谱（%(year)s年）") % {"chain": chain.name, "year": analysis.year},
               header, _verdict_rows(analysis.segments, labels), [12, 24, 12, 10, 8, 8, 14, 10])
    book.sheet(_("结构版本"), _("%(chain)s 结构版本（当前第 %(n)s 版）") % {
        "chain": chain.name, "n": chain.structure_version},
        [_("版本"), _("调整说明"), _("调整人"), _("调整时间"), _("环节数")],
        [[r.number, r.note, r.created_by, r.created_at.strftime("%Y-%m-%d %H:%M"), len(r.segments)]
         for r in revisions], [8, 40, 14, 18, 8])
    return book.close()


def gaps_workbook(chain: Chain, analysis: ChainAnalysis, gaps: list[SegmentVerdict]) -> bytes:
    book = _Book()
    labels = _input_labels(analysis)
    header = [_("环节编码"), _("环节名称"), _("上级环节"), _("链上位置"), _("评级"), _("需要"), _("本地配套率（%）"),
              _("口径"), *labels]
    book.sheet(_("短板清单"), _("%(chain)s 补链、强链、延链清单（%(year)s年）") % {
        "chain": chain.name, "year": analysis.year}, header, _verdict_rows(gaps, labels),
        [12, 24, 12, 10, 8, 8, 14, 10])
    return book.close()


def outside_workbook(chain: Chain, year: int, inputs: list[OutsideInput]) -> bytes:
    """What the chain's local buyers bought outside the region and from whom (sensitive: the caller checks)."""
    book = _Book()
    book.sheet(_("外购清单"), _("%(chain)s 从本地以外采购的产品（%(year)s年）") % {"chain": chain.name, "year": year},
               [_("环节编码"), _("环节名称"), _("供应方"), _("所在地"), _("产品"), _("采购方"), _("金额（万元）"),
                _("供应关系数")],
               [[i.segment_code, i.segment_name, i.supplier_name, i.supplier_place, i.product, "、".join(i.buyers),
                 i.amount, i.links] for i in inputs], [10, 20, 28, 16, 20, 36, 14, 10])
    return book.close()


def trend_workbook(chain: Chain, trend) -> bytes:
    book = _Book()
    book.sheet(_("本地配套率"), _("%(chain)s 本地配套率趋势") % {"chain": chain.name},
               [_("年度"), _("本地配套率（%）"), _("口径"), _("目标（%）")],
               [[year, rate, _basis(basis), chain.local_rate_target] for year, rate, basis in trend])
    return book.close()


def segment_workbook(panel) -> bytes:
    """One segment's panel: its enterprises, the rating's inputs, projects, 招引名录 and (when seen) supply links."""
    segment = panel.segment
    book = _Book()
    title = f"{segment.chain.name} · {segment.code} {segment.name}"
    book.sheet(_("环节企业"), title, [_("企业"), _("类别"), _("所在地"), _("链上角色"), _("主要产品")],
               [[str(p.party), _("外地企业") if p.is_outside else _("名录企业"),
                 (p.company.place if p.is_outside else p.enterprise.region.name), p.get_role_display(), p.product]
                for p in panel.placements], [36, 10, 16, 10, 30])
    verdict = panel.verdict
    rows = [[label, value] for label, value in (verdict.inputs.items() if verdict else [])]
    if verdict:
        rows = [[_("评级"), str(dict(Rating.choices)[verdict.rating])],
                [_("需要"), str(dict(Need.choices)[verdict.need])], *rows]
    book.sheet(_("评级依据"), title, [_("项目"), _("值")], rows, [20, 20])
    book.sheet(_("项目"), title, [_("项目编号"), _("项目名称"), _("所在区划"), _("阶段"), _("总投资（万元）")],
               [[p.code, p.name, p.region.name, p.get_stage_display(), p.total_investment] for p in panel.projects],
               [18, 36, 12, 10, 14])
    book.sheet(_("招引名录"), title, [_("目标企业"), _("优先级"), _("状态"), _("招引理由")],
               [[p.company.name, p.get_priority_display(), p.get_status_display(), p.reason] for p in panel.prospects],
               [36, 8, 8, 40])
    if panel.links is not None:
        book.sheet(_("供应关系"), title, [_("年度"), _("采购方"), _("供应方"), _("采购产品"), _("采购金额（万元）")],
                   [[link.year, str(link.buyer_party), str(link.supplier_party), link.product, link.amount]
                    for link in panel.links], [8, 30, 30, 24, 14])
    return book.close()
