"""Excel out: a run's ranking (the ranking chart's data), dimension scores (the radar chart's data) and the
input snapshot with provenance; one cluster's explanation. Formatted from what the selectors computed.

xlsxwriter with `strings_to_formulas=False`, user text escaped (jiqun.monitoring.excel.safe_text).
"""

import io

import xlsxwriter

from jiqun.evaluation.models import Run, RunRow
from jiqun.evaluation.selectors import Explanation, explanation
from jiqun.monitoring.excel import WORKBOOK_OPTIONS, safe_text


def _header(book, sheet, title: str, note: str, columns: list[str]) -> None:
    sheet.write(0, 0, safe_text(title), book.add_format({"bold": True, "font_size": 14}))
    sheet.write(1, 0, safe_text(note))
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2", "text_wrap": True})
    for c, label in enumerate(columns):
        sheet.write(3, c, label, head)
        sheet.set_column(c, c, 14)


def _title(run: Run) -> str:
    return f"{run.scheme.name}（第{run.scheme.version}版） {run.year}年 · {run.get_status_display()}"


def _note(run: Run) -> str:
    return (f"评价 #{run.pk}，计算于 {run.created_at:%Y-%m-%d %H:%M}；{run.scheme.weights_note}；"
            "数据为省级审核通过的统计（标注“演示数据”的为生成数据）")


def build_run_workbook(run: Run, rows: list[RunRow]) -> bytes:
    """Three sheets: 排名 (ranking chart), 维度得分 (radar chart), 输入数据 (snapshot with provenance)."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    number = book.add_format({"num_format": "0.00", "border": 1})
    cell = book.add_format({"border": 1})
    sheet = book.add_worksheet("排名")
    _header(book, sheet, _title(run), _note(run),
            ["排名", "集群", "得分", "等级", "排名区间（权重扰动）", "未参评原因"])
    for r, row in enumerate(rows, start=4):
        sheet.write(r, 0, row.rank if row.rank is not None else "—", cell)
        sheet.write(r, 1, safe_text(row.cluster.name), cell)
        if row.score is not None:
            sheet.write_number(r, 2, float(row.score), number)
        else:
            sheet.write(r, 2, "—", cell)
        sheet.write(r, 3, row.grade or "—", cell)
        sheet.write(r, 4, f"{row.rank_min}–{row.rank_max}" if row.rank_min else "—", cell)
        sheet.write(r, 5, safe_text(row.excluded), cell)
    explained = [explanation(run, row) for row in rows if row.position is not None]
    dims = [d.name for d in explained[0].dimensions] if explained else []
    sheet = book.add_worksheet("维度得分")
    _header(book, sheet, _title(run), "维度得分率 = 该维度各指标贡献之和 ÷ 该维度权重 × 100", ["集群", *dims, "总分"])
    for r, ex in enumerate(explained, start=4):
        sheet.write(r, 0, safe_text(ex.row.cluster.name), cell)
        for c, d in enumerate(ex.dimensions, start=1):
            sheet.write_number(r, c, d.rate, number)
        sheet.write_number(r, len(dims) + 1, float(ex.row.score), number)
    sheet = book.add_worksheet("输入数据")
    _header(book, sheet, _title(run), "每个数值注明报告期和来源报表（报表编号/修订号）",
            ["集群", "指标", "单位", "数值", "报告期", "来源报表", "缺失原因或说明"])
    r = 4
    criteria = run.snapshot["criteria"]
    visible = {row.cluster_id for row in rows}
    for subject in run.snapshot["subjects"]:
        if subject["cluster"] not in visible:
            continue
        for c in criteria:
            value = subject["values"][c["code"]]
            sheet.write(r, 0, safe_text(subject["name"]), cell)
            sheet.write(r, 1, c["name"], cell)
            sheet.write(r, 2, c["unit"], cell)
            if value["value"] is None:
                sheet.write(r, 3, "缺失", cell)
            else:
                sheet.write_number(r, 3, float(value["value"]), number)
            sheet.write(r, 4, value.get("period", ""), cell)
            origin = "、".join(f"#{s['report']}/r{s['revision']}" for s in value.get("sources", []))
            if value.get("registry") is not None:
                origin = "名录：" + ("、".join(value["registry"]) or "无")
            sheet.write(r, 5, safe_text(origin), cell)
            sheet.write(r, 6, safe_text(value.get("missing") or value.get("note", "")), cell)
            r += 1
    book.close()
    return output.getvalue()


def build_explanation_workbook(explained: Explanation) -> bytes:
    """One cluster: each indicator's raw → normalised → weight → contribution, and its dimensions (radar)."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    number = book.add_format({"num_format": "0.0000", "border": 1})
    cell = book.add_format({"border": 1})
    run, row = explained.run, explained.row
    sheet = book.add_worksheet("得分说明")
    rank = f"第{row.rank}名（权重扰动下 {row.rank_min}–{row.rank_max}）" if row.rank else "未参评"
    _header(book, sheet, f"{row.cluster.name} · {_title(run)}", f"得分 {row.score or '—'}，{row.grade or ''}，{rank}",
            ["维度", "指标", "单位", "原始值", "报告期", "标准化值", "权重", "贡献（×100）", "依据", "说明"])
    for r, line in enumerate(explained.lines, start=4):
        values = [line.dimension, line.name, line.unit]
        for c, v in enumerate(values):
            sheet.write(r, c, v, cell)
        if line.raw is None:
            sheet.write(r, 3, "缺失", cell)
        else:
            sheet.write_number(r, 3, float(line.raw), number)
        sheet.write(r, 4, line.period, cell)
        sheet.write_number(r, 5, line.normalized, number)
        sheet.write_number(r, 6, line.weight, number)
        sheet.write_number(r, 7, 100 * line.contribution, number)
        sheet.write(r, 8, safe_text(line.clause), cell)
        sheet.write(r, 9, safe_text(line.note), cell)
    sheet = book.add_worksheet("维度得分")
    _header(book, sheet, f"{row.cluster.name} · 维度得分（雷达图数据）", "得分率 = 贡献 ÷ 维度权重 × 100",
            ["维度", "权重", "贡献（×100）", "得分率"])
    for r, d in enumerate(explained.dimensions, start=4):
        sheet.write(r, 0, d.name, cell)
        sheet.write_number(r, 1, d.weight, number)
        sheet.write_number(r, 2, 100 * d.contribution, number)
        sheet.write_number(r, 3, d.rate, number)
    book.close()
    return output.getvalue()
