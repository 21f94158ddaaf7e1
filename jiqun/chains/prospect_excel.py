"""The 招引名录 as a workbook (xlsxwriter, user text escaped by jiqun.monitoring.excel.safe_text): one row per
entry, with its latest contact, and a second sheet with every contact and move."""

import io

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.chains.models import ProspectEvent
from jiqun.chains.prospect_selectors import prospect_data
from jiqun.monitoring.excel import WORKBOOK_OPTIONS, safe_text

COLUMNS = (gettext_lazy("编号"), gettext_lazy("产业链"), gettext_lazy("环节编码"), gettext_lazy("环节"),
           gettext_lazy("目标企业"), gettext_lazy("所在地"), gettext_lazy("招引理由"), gettext_lazy("优先级"),
           gettext_lazy("状态"), gettext_lazy("签约项目"), gettext_lazy("项目阶段"), gettext_lazy("责任单位"),
           gettext_lazy("最近接洽"), gettext_lazy("创建人"), gettext_lazy("创建时间"))
LOG_COLUMNS = (gettext_lazy("编号"), gettext_lazy("目标企业"), gettext_lazy("日期"), gettext_lazy("原状态"),
               gettext_lazy("新状态"), gettext_lazy("接洽方式"), gettext_lazy("情况"), gettext_lazy("记录人"))


def _write(sheet, r: int, values, cell) -> None:
    for c, value in enumerate(values):
        sheet.write(r, c, value if isinstance(value, int) else safe_text(str(value)), cell)


def build_prospect_workbook(entries) -> bytes:
    entries = list(entries)
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "text_wrap": True})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(_("招引名录"))
    for c, label in enumerate(COLUMNS):
        sheet.write(0, c, str(label), head)
        sheet.set_column(c, c, 36 if c == 6 else 16)
    events = (ProspectEvent.objects.filter(prospect__in=[e.pk for e in entries])
              .order_by("prospect", "on", "pk"))
    latest: dict[int, ProspectEvent] = {}
    for event in events:
        if event.from_status == event.to_status:
            latest[event.prospect_id] = event
    for r, entry in enumerate(entries, start=1):
        d = prospect_data(entry)
        contact = latest.get(entry.pk)
        _write(sheet, r, [
            d["id"], d["chain_name"], d["segment_code"], d["segment_name"], d["company_name"], d["company_place"],
            d["reason"], d["priority_label"], d["status_label"], d["project_name"], d["project_stage_label"],
            d["owner_unit"],
            f"{contact.on.isoformat()} {contact.get_way_display()}：{contact.note}" if contact else "",
            d["created_by"], timezone.localtime(d["created_at"]).strftime("%Y-%m-%d %H:%M")], cell)
    sheet.freeze_panes(1, 0)
    log = book.add_worksheet(_("接洽与状态记录"))
    for c, label in enumerate(LOG_COLUMNS):
        log.write(0, c, str(label), head)
        log.set_column(c, c, 36 if c == 6 else 14)
    names = {e.pk: e.company.name for e in entries}
    for r, event in enumerate(events, start=1):
        _write(log, r, [event.prospect_id, names[event.prospect_id], event.on.isoformat(),
                        event.get_from_status_display() if event.from_status else "", event.get_to_status_display(),
                        event.get_way_display() if event.way else "", event.note, event.by], cell)
    log.freeze_panes(1, 0)
    book.close()
    return output.getvalue()
