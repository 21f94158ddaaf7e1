"""The incident list as a workbook (xlsxwriter, user text escaped by jiqun.monitoring.excel.safe_text)."""

import io

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.incidents.selectors import incident_data
from jiqun.monitoring.excel import WORKBOOK_OPTIONS, safe_text


def build_incident_workbook(incidents) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "text_wrap": True})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(_("事故与失信记录"))
    columns = [_("编号"), _("集群"), _("企业"), _("类别"), _("等级"), _("发生日期"), _("认定文件（文号）"),
               _("事件概况"), _("状态"), _("撤销理由"), _("登记人"), _("登记单位"), _("登记时间")]
    for c, label in enumerate(columns):
        sheet.write(0, c, str(label), head)
        sheet.set_column(c, c, 40 if c == 7 else 16)
    for r, incident in enumerate(incidents, start=1):
        d = incident_data(incident)
        values = [d["id"], d["cluster_name"], d["enterprise_name"], d["kind_label"], d["severity_label"],
                  d["occurred_on"].isoformat(), d["document"], d["description"], d["status_label"],
                  d["withdrawn_reason"], d["recorded_by"], d["recorded_organisation"],
                  timezone.localtime(d["recorded_at"]).strftime("%Y-%m-%d %H:%M") if d["recorded_at"] else ""]
        for c, value in enumerate(values):
            sheet.write(r, c, value if isinstance(value, int) else safe_text(str(value)), cell)
    sheet.freeze_panes(1, 0)
    book.close()
    return output.getvalue()
