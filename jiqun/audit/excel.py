"""The audit log as an Excel workbook, safe to open: no user text is ever read as a formula."""

import io
import json
from collections.abc import Iterable

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditEvent
from jiqun.monitoring.excel import WORKBOOK_OPTIONS, safe_text


def build_audit_workbook(events: Iterable[AuditEvent], *, criteria: str, user_name: str) -> bytes:
    """Write one row per event, oldest first, under a line that says who exported what and when."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    sheet = book.add_worksheet(_("审计日志"))
    sheet.write(0, 0, safe_text(_("审计日志导出：%(who)s，%(when)s；条件：%(criteria)s") % {
        "who": user_name, "when": f"{timezone.localtime():%Y-%m-%d %H:%M}", "criteria": criteria or _("全部")}))
    headers = [_("序号"), _("编号"), _("时间"), _("操作人账号"), _("操作"), _("对象类型"), _("对象编号"), _("对象"),
               _("IP 地址"), _("修改前"), _("修改后"), _("哈希")]
    sheet.write_row(1, 0, headers, head)
    for r, event in enumerate(events, start=2):
        sheet.write_row(r, 0, [
            event.seq, event.pk, f"{timezone.localtime(event.at):%Y-%m-%d %H:%M:%S}", safe_text(event.actor_name),
            str(event.get_action_display()), safe_text(event.object_type), safe_text(event.object_id),
            safe_text(event.object_repr), event.ip or "", safe_text(_json(event.before)), safe_text(_json(event.after)),
            event.hash,
        ])
    sheet.set_column(0, 1, 8)
    sheet.set_column(2, 2, 20)
    sheet.set_column(3, 6, 16)
    sheet.set_column(7, 7, 40)
    sheet.set_column(9, 10, 40)
    book.close()
    return output.getvalue()


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
