"""The quarterly analysis as Word (.docx), in an A4 公文-like layout: formatting only (builders.py gathers).

Fonts are named as Word and WPS on a government PC have them (方正小标宋简体 for the title, 仿宋_GB2312 for the
body, 黑体 for headings), set for East-Asian text through w:eastAsia; where a font is absent the reader falls
back along the names given in the document's font table (Noto Serif CJK SC / Noto Sans CJK SC).
Tables repeat their header row on every page (w:tblHeader) and may break across pages. The quarterly
analysis's charts are the builder's `Chart`s drawn by charts.py as PNG, inline at the text width, each with its
caption (图1 …) under it and its source line.
"""

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from jiqun.reports.builders import Evaluation, Notice, Quarterly, ReportChart
from jiqun.reports.charts import chart_png

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
FALLBACK_SERIF = "Noto Serif CJK SC"
FALLBACK_SANS = "Noto Sans CJK SC"
TEXT_WIDTH = Cm(15.6)  # A4 less the 公文 margins (2.8 cm + 2.6 cm)
CHART_WIDTH = 6.14  # inches: the text width, so the PNG is placed at its own size


def _font(run, name: str, size: float, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def _style_fonts(document, name: str, size: float) -> None:
    style = document.styles["Normal"]
    style.font.name = name
    style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), name)
    fonts.set(qn("w:hAnsi"), name)


def _fallbacks(document) -> None:
    """Declare the 公文 fonts in the font table, each with its Noto CJK fall-back (w:altName) and the GB2312
    charset, so Word and WPS use the named font where installed and the fall-back elsewhere."""
    from lxml import etree

    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob)
    for name, alt, family in ((TITLE_FONT, FALLBACK_SERIF, "roman"), (BODY_FONT, FALLBACK_SERIF, "roman"),
                              (HEADING_FONT, FALLBACK_SANS, "swiss")):
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alt), ("w:charset", "86"), ("w:family", family), ("w:pitch", "variable")):
            element = etree.SubElement(font, qn(tag))
            element.set(qn("w:val"), value)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _paragraph(document, text: str, *, font: str = BODY_FONT, size: float = 16, bold: bool = False,
               align=None, indent: bool = True):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(28)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(paragraph.add_run(text), font, size, bold=bold)
    return paragraph


def _heading(document, text: str):
    return _paragraph(document, text, font=HEADING_FONT, size=16)


def _page_numbers(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), BODY_FONT, 14)
    run = paragraph.add_run()
    _font(run, BODY_FONT, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _font(paragraph.add_run(" —"), BODY_FONT, 14)


def _table(document, header: list[str], rows: list[list[str]]):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    properties = head._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)
    for cell, text in zip(head.cells, header, strict=True):
        _font(cell.paragraphs[0].add_run(text), HEADING_FONT, 11)
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            if index:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(paragraph.add_run(text), BODY_FONT, 11)
    return table


def _chart(document, item: ReportChart) -> None:
    """The chart as an inline PNG at the text width, its caption and source line centred under it."""
    picture = document.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    png = chart_png(item.chart, width=CHART_WIDTH, height=None if item.chart.kind == "hbar" else 2.6, title=False)
    picture.add_run().add_picture(io.BytesIO(png), width=TEXT_WIDTH)
    caption = _paragraph(document, item.caption, font=HEADING_FONT, size=12, indent=False,
                         align=WD_ALIGN_PARAGRAPH.CENTER)
    caption.paragraph_format.keep_with_next = True
    _paragraph(document, item.source, size=10.5, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)


def _document(title: str):
    """An A4 公文-like document: margins, body font, page numbers, the fonts' fall-backs."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _style_fonts(document, BODY_FONT, 16)
    _page_numbers(section)
    _fallbacks(document)
    document.core_properties.title = title
    return document


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_quarterly(data: Quarterly) -> bytes:
    document = _document(data.title)
    if data.demo:
        _paragraph(document, _("演示数据"), font=HEADING_FONT, size=14, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, data.title, font=TITLE_FONT, size=22, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, data.programme, size=16, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)

    _heading(document, _("一、主要指标"))
    for line in data.headline:
        _paragraph(document, line.sentence)
    header = [_("指标"), _("计量单位"), data.period_label, _("上年同期"), _("同比")]
    _table(document, header, [[line.name, line.unit, line.text, _num(line.previous, line.precision), line.change]
                              for line in data.headline])
    for item in data.headline_charts:
        _chart(document, item)

    _heading(document, _("二、分集群情况"))
    if data.clusters:
        header = [_("集群")]
        for indicator in data.columns:
            header += [_("%(name)s（%(unit)s）") % {"name": indicator.name, "unit": indicator.unit}, _("同比")]
        rows = []
        for row in data.clusters:
            values = [row.name]
            for indicator in data.columns:
                cell = row.cells[indicator.code]
                values += [cell.text, cell.change]
            rows.append(values)
        _table(document, header, rows)
    else:
        _paragraph(document, _("本期没有您可见的集群。"))
    for item in data.cluster_charts:
        _chart(document, item)

    _heading(document, _("三、目标任务进展"))
    if data.targets:
        _table(document, [_("目标"), _("对象"), _("目标值"), _("当前"), _("状态")],
               [[t.label, t.subject, t.goal, t.current, t.status] for t in data.targets])
    else:
        _paragraph(document, _("没有适用的目标。"))

    _heading(document, _("四、项目调度"))
    projects = data.projects
    _paragraph(document, _("本期调度项目 %(n)d 个。") % {"n": projects.dispatched})
    if projects.by_stage:
        _paragraph(document, projects.by_stage_text)
    completed = _num(projects.completed, 2)
    _paragraph(document, _("本年累计完成投资 %(value)s 万元（审核通过的调度 %(n)d 个）。") % {
        "value": completed, "n": projects.counted})

    _heading(document, _("五、要素制约"))
    if projects.constraints:
        _table(document, [_("责任单位"), _("待解决")], [[unit, str(n)] for unit, n in projects.constraints])
    else:
        _paragraph(document, _("没有待解决的要素制约。"))

    _heading(document, _("六、数据来源"))
    for source in data.sources:
        _paragraph(document, source)
    if data.demo:
        _paragraph(document, _("注：本报告中的统计数据为演示数据（生成数据），非真实统计。"))
    return _save(document)


def render_evaluation(data: Evaluation) -> bytes:
    document = _document(data.title)
    if data.demo:
        _paragraph(document, _("演示数据"), font=HEADING_FONT, size=14, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, data.title, font=TITLE_FONT, size=22, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _heading(document, _("一、评价方法"))
    for line in data.method:
        _paragraph(document, line)
    _heading(document, _("二、评价结果"))
    if data.scope_note:
        _paragraph(document, data.scope_note)
    if data.grades:
        _paragraph(document, data.grades_text)
    _table(document, [_("排名"), data.noun, _("得分"), _("等级"), _("排名区间（权重扰动）"), _("未参评原因")],
           [[r.rank, r.subject, r.score, r.grade, r.band, r.excluded] for r in data.rows])
    if data.dimensions:
        _heading(document, _("三、分维度得分率"))
        _table(document, [data.noun, *data.dimensions],
               [[r.subject, *r.dimensions] for r in data.rows if r.rank != "—"])
    _heading(document, _("四、发布后的处理"))
    if data.consequences:
        _table(document, [_("集群"), _("等级"), _("处理"), _("说明")], [list(c) for c in data.consequences])
    else:
        _paragraph(document, _("本次发布没有需要处理的结果（预警、退出等）。"))
    _heading(document, _("五、数据来源"))
    for source in data.sources:
        _paragraph(document, source)
    if data.demo:
        _paragraph(document, _("注：标注“演示数据”的为生成数据，非真实统计。"))
    return _save(document)


def _num(value, precision: int) -> str:
    from jiqun.core.templatetags.jiqun import num

    return num(value, precision)


def render_notice(data: Notice) -> bytes:
    """The 认定结果公示: title, text, the table of recognised clusters in rank order, the issuer and date."""
    document = _document(data.title)
    if data.demo:
        _paragraph(document, _("演示数据"), font=HEADING_FONT, size=14, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, data.title, font=TITLE_FONT, size=22, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    for line in data.text:
        _paragraph(document, line)
    _paragraph(document, _("附：%(call)s拟认定集群名单") % {"call": data.call}, indent=False)
    if data.rows:
        _table(document, [_("序号"), _("集群名称"), _("所在区划"), _("集群促进机构"), _("综合得分")],
               [[r.rank, r.name, r.region, r.organisation, r.score] for r in data.rows])
    else:
        _paragraph(document, _("本批次没有拟认定的集群。"))
    _paragraph(document, data.issuer, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, data.date, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if data.demo:
        _paragraph(document, _("注：本公示由演示数据生成，非真实认定结果。"))
    return _save(document)
