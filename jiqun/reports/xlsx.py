"""The half-yearly summary for upward reporting as Excel, in a fixed layout: formatting only.

Sheet 1 (汇总表): the statistical form's header block (表号, 制定机关, 报告期, 计量单位), then one row per cluster:
the seven indicators of the programme, each followed by its 同比 as worded everywhere, and the region's total
(the approved-figures selector's, never a sum written here). Sheet 2 (填报说明): what the columns mean.
A figure that is not complete is written "—", never 0.
"""

import io

import xlsxwriter
from django.utils.translation import gettext as _

from jiqun.monitoring.excel import WORKBOOK_OPTIONS, safe_text
from jiqun.reports.builders import HalfYear

FIRST_ROW = 7  # 0-based row of the first cluster (after the header block and the two header rows)


def render_half_year(data: HalfYear) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    label = book.add_format({"font_size": 10})
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "text_wrap": True, "align": "center",
                            "valign": "vcenter"})
    text = book.add_format({"border": 1})
    right = book.add_format({"border": 1, "align": "right"})
    demo = book.add_format({"bold": True, "font_color": "#C00000"})
    formats: dict[int, object] = {}

    def number(precision: int):
        if precision not in formats:
            formats[precision] = book.add_format(
                {"border": 1, "num_format": "#,##0" + ("." + "0" * precision if precision else "")})
        return formats[precision]

    sheet = book.add_worksheet(_("汇总表"))
    width = 1 + 2 * len(data.indicators)
    sheet.merge_range(0, 0, 0, max(width - 1, 1), safe_text(data.title), title)
    sheet.write(1, 0, _("表号：%(number)s") % {"number": data.form_number}, label)
    sheet.write(2, 0, _("制定机关：%(issuer)s") % {"issuer": safe_text(data.issuer)}, label)
    sheet.write(3, 0, _("报告期：%(label)s") % {"label": data.period_label}, label)
    sheet.write(4, 0, _("计量单位：见各指标列；同比为与上年同期相比"), label)
    sheet.write(1, 3, _("填报单位：%(subject)s") % {"subject": safe_text(data.subject)}, label)
    sheet.write(2, 3, _("培育工程：%(programme)s") % {"programme": safe_text(data.programme)}, label)
    if data.demo:
        sheet.write(3, 3, _("演示数据（生成数据，非真实统计）"), demo)
    sheet.merge_range(5, 0, 6, 0, _("集群"), head)
    for index, indicator in enumerate(data.indicators):
        column = 1 + 2 * index
        sheet.merge_range(5, column, 5, column + 1, indicator.name, head)
        sheet.write(6, column, indicator.unit, head)
        sheet.write(6, column + 1, _("同比"), head)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, width, 14)
    rows = [*data.rows, *([data.total] if data.total else [])]
    for offset, row in enumerate(rows):
        r = FIRST_ROW + offset
        sheet.write(r, 0, safe_text(row.name), text)
        for index, indicator in enumerate(data.indicators):
            cell = row.cells[indicator.code]
            column = 1 + 2 * index
            if cell.value is None:
                sheet.write(r, column, "—", right)
            else:
                sheet.write_number(r, column, float(cell.value), number(indicator.precision))
            sheet.write(r, column + 1, cell.change, right)
    sheet.freeze_panes(FIRST_ROW, 1)
    sheet.repeat_rows(5, 6)
    sheet.set_paper(9)
    sheet.set_landscape()

    notes = book.add_worksheet(_("填报说明"))
    notes.set_column(0, 0, 100)
    lines = [
        _("一、本表为产业集群统计的半年（1-6月）或全年（1-12月）汇总，供向上级报送。"),
        _("二、每个集群一行，最后一行为本地区合计；合计由系统按审核通过的季报汇总（跨市集群在省级只计一次），不是各行相加。"),
        _("三、数据来源：省级审核通过的季报。未全部审核通过的指标写“—”，不写 0。"),
        _("四、同比为与上年同期（同口径）相比：金额、人数写“增长/下降 x.x%”；利润由负转正写“扭亏”；比率类写百分点。"),
        _("五、指标口径见培育工程的统计指标说明；计量单位见各指标列的第二行。"),
    ]
    if data.demo:
        lines.append(_("六、本表数据为演示数据（生成数据），非真实统计。"))
    for index, line in enumerate(lines):
        notes.write(index, 0, line)
    book.close()
    return output.getvalue()
