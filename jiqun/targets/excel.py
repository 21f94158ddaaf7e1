"""Excel out: target progress and supervision, formatted from the rows the selectors computed.

Written with xlsxwriter, `strings_to_formulas=False`, and user text beginning with = + - @ escaped
(jiqun.monitoring.excel.safe_text), as every export of the platform (DESIGN §5, RECIPES).
"""

import io
from datetime import date
from decimal import Decimal

import xlsxwriter

from jiqun.monitoring.excel import WORKBOOK_OPTIONS, safe_text
from jiqun.programmes.text import display_text
from jiqun.targets.display import row_text
from jiqun.targets.selectors import Row
from jiqun.targets.supervision import TaskRow

METHOD_NOTES = [
    "完成率 = 当前值 ÷ 目标值；自基数进度 = (当前值 − 基数) ÷ (目标值 − 基数)。",
    "序时进度 = 自基数时点（无基数时自文件印发）至目标年年末已过时间的比例，按当前值的数据时点计算；"
    "目标年内的流量指标按本年累计对全年目标，序时进度为已过月数 ÷ 12。",
    "需要增速 = (目标值 ÷ 当前水平)^(1/剩余年数) − 1（复合年增长率，%/年）；占比和百分点指标以每年需提高的百分点计"
    "（个百分点/年，一个比率的变化不写作“%/年”），计数指标以每年需新增的个数计（向上取整到整数）。",
    "实际增速取最近一期经省级审核数据的同比（本期与上年同期，可比口径）；名录计数取最近两年的变化。",
    "预测 = 当前水平 ×(1+实际增速)^剩余年数；占比指标按每年变动线性外推。各行写明所用方法。",
    "与序时差 = 进度 − 序时进度（百分点）；已达到目标的不计落后序时，不显示负数，写明“已达到目标，不计落后序时”。",
    "计数目标（个、家、件等）的目标值、当前值和预测均为整数。“口径”列是目标参数的中文说明。",
    "状态：已达到目标为“已完成”；目标年已过未达到为“到期未完成”；预测达到为“进展顺利”，"
    "差距在目标的 10% 以内为“存在风险”，更大为“进度滞后”；无预测时以进度与序时进度之差判断（10 个百分点）。",
    "计数目标均由名录计算，数值目标均取省级审核通过的统计数据，不手工录入是否完成。",
]


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def build_targets_workbook(*, rows: list[Row], tasks: list[TaskRow], as_of: date, title: str, user_name: str) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    bold = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "text_wrap": True, "valign": "vcenter"})
    cell = book.add_format({"border": 1, "valign": "top"})
    wrap = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    number = book.add_format({"border": 1, "num_format": "#,##0.00", "valign": "top"})
    whole = book.add_format({"border": 1, "num_format": "#,##0", "valign": "top"})
    percent = book.add_format({"border": 1, "num_format": "0.0", "valign": "top"})
    status_formats = {
        "achieved": book.add_format({"border": 1, "bg_color": "#DCFCE7"}),
        "on_track": book.add_format({"border": 1, "bg_color": "#DCFCE7"}),
        "at_risk": book.add_format({"border": 1, "bg_color": "#FEF3C7"}),
        "behind": book.add_format({"border": 1, "bg_color": "#FEE2E2"}),
        "expired": book.add_format({"border": 1, "bg_color": "#FEE2E2"}),
        "no_data": book.add_format({"border": 1, "bg_color": "#F3F4F6"}),
    }

    sheet = book.add_worksheet("目标进度")
    sheet.write(0, 0, safe_text(title), bold)
    sheet.write(1, 0, f"截至 {as_of:%Y-%m-%d} · 导出人 {user_name} · 标注“演示数据”的统计为生成数据，非真实统计")
    columns = ["培育工程", "编号", "目标", "对象", "指标", "口径", "比较", "目标值", "单位", "目标年", "是否调整", "当前值",
               "数据时点", "完成率（%）", "自基数进度（%）", "序时进度（%）", "与序时差（百分点）", "需要增速",
               "实际增速", "增速口径", "目标年预测", "预测方法", "状态", "判断理由", "依据", "原文"]
    for c, label in enumerate(columns):
        sheet.write(3, c, label, head)
    for r, row in enumerate(rows, start=4):
        t, res, text = row.target, row.result, row_text(row)
        figure = whole if text.count else number
        values = [
            (t.programme.code, cell), (t.code, cell), (safe_text(t.label), wrap), (safe_text(row.subject.name), cell),
            (t.indicator.name, cell), (text.params, wrap),
            (t.comparator_display if not row.goal.adjusted else row.goal.comparator, cell),
            (_number(row.goal.value), figure), (t.unit, cell), (row.goal.year, cell),
            ("是" if row.goal.adjusted else "否", cell),
            (_number(res.current.value) if res.current else None, figure),
            (res.current.label if res.current else "", cell),
            (_number(res.attainment), percent), (_number(res.progress), percent), (_number(res.elapsed), percent),
            (_number(res.gap) if res.gap is not None else res.gap_note, percent),
            # Written as read on the page ("+4.0个百分点/年"): the unit of a pace depends on the target.
            (text.required, cell), (text.actual, cell),
            (text.terms, cell), (_number(res.forecast), figure), (res.method, wrap),
            (row.status_label, status_formats[res.status]), (res.reason, wrap), (t.citation, cell),
            (safe_text(display_text(t.quote)), wrap),
        ]
        for c, (value, fmt) in enumerate(values):
            if value is None or value == "":
                sheet.write_blank(r, c, None, fmt)
            elif isinstance(value, float | int):
                sheet.write_number(r, c, value, fmt)
            else:
                sheet.write_string(r, c, str(value), fmt)
    sheet.set_column(0, 1, 11)
    sheet.set_column(2, 2, 36)
    sheet.set_column(3, 4, 18)
    sheet.set_column(5, 5, 24)
    sheet.set_column(6, 20, 11)
    sheet.set_column(17, 18, 16)
    sheet.set_column(21, 21, 44)
    sheet.set_column(22, 22, 11)
    sheet.set_column(23, 23, 36)
    sheet.set_column(24, 24, 24)
    sheet.set_column(25, 25, 50)
    sheet.freeze_panes(4, 3)
    sheet.autofilter(3, 0, 3 + max(len(rows), 1), len(columns) - 1)

    tasks_sheet = book.add_worksheet("任务督导")
    task_columns = ["培育工程", "编号", "任务", "牵头单位", "责任单位", "完成年份", "状态", "是否逾期", "久未报送",
                    "最近报送单位", "最近报送时间", "进展情况", "佐证材料", "依据"]
    for c, label in enumerate(task_columns):
        tasks_sheet.write(0, c, label, head)
    for r, task_row in enumerate(tasks, start=1):
        task, latest = task_row.task, task_row.latest
        tasks_sheet.write_row(r, 0, [
            task.programme.code, task.code, safe_text(task.title), "、".join(task.lead_units),
            "、".join(task.responsible_units), task.due_year, task_row.status_label, "是" if task_row.overdue else "否",
            "是" if task_row.stale else "否", safe_text(latest.unit) if latest else "",
            f"{latest.reported_at:%Y-%m-%d %H:%M}" if latest else "", safe_text(latest.progress) if latest else "",
            safe_text(latest.evidence or latest.evidence_name) if latest else "", task.citation,
        ], wrap)
    tasks_sheet.set_column(0, 1, 11)
    tasks_sheet.set_column(2, 4, 30)
    tasks_sheet.set_column(5, 10, 12)
    tasks_sheet.set_column(11, 12, 40)
    tasks_sheet.set_column(13, 13, 24)
    tasks_sheet.freeze_panes(1, 3)

    notes = book.add_worksheet("说明")
    notes.set_column(0, 0, 120)
    notes.write(0, 0, "计算方法（详见 docs/targets.md）", bold)
    for r, line in enumerate(METHOD_NOTES, start=1):
        notes.write(r, 0, line)
    book.close()
    return output.getvalue()
