"""Excel out: a run's ranking (the ranking chart's data), dimension scores (the radar chart's data) and the
input snapshot with provenance; one cluster's explanation. Formatted from what the selectors computed.

xlsxwriter with `strings_to_formulas=False`, user text escaped (jiqun.monitoring.excel.safe_text).
"""

import io

import xlsxwriter

from jiqun.evaluation.cells import subject_cell
from jiqun.evaluation.compute import subject_key
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
    data = ("数据为项目库、审核通过的项目调度和现场观摩得分" if run.scheme.subject_kind == "project"
            else "数据为省级审核通过的统计")
    return (f"评价 #{run.pk}，计算于 {run.created_at:%Y-%m-%d %H:%M}；{run.scheme.weights_note}；"
            f"{data}（标注“演示数据”的为生成数据）")


def _noun(run: Run) -> str:
    return {"region": "地区", "project": "项目"}.get(run.scheme.subject_kind, "集群")


def build_run_workbook(run: Run, rows: list[RunRow]) -> bytes:
    """Three sheets: 排名 (ranking chart), 维度得分 (radar chart), 输入数据 (snapshot with provenance)."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    number = book.add_format({"num_format": "0.00", "border": 1})
    cell = book.add_format({"border": 1})
    sheet = book.add_worksheet("排名")
    noun = _noun(run)
    _header(book, sheet, _title(run), _note(run),
            ["排名", noun, "得分", "等级", "排名区间（权重扰动）", "未参评原因", "加分"])
    for r, row in enumerate(rows, start=4):
        sheet.write(r, 0, row.rank if row.rank is not None else "—", cell)
        sheet.write(r, 1, safe_text(row.subject_name), cell)
        if row.score is not None:
            sheet.write_number(r, 2, float(row.score), number)
        else:
            sheet.write(r, 2, "—", cell)
        sheet.write(r, 3, row.grade or "—", cell)
        sheet.write(r, 4, f"{row.rank_min}–{row.rank_max}" if row.rank_min else "—", cell)
        sheet.write(r, 5, safe_text(row.exclusion), cell)
        if row.bonus is not None:
            sheet.write_number(r, 6, float(row.bonus), number)
        else:
            sheet.write(r, 6, "—", cell)
    explained = [explanation(run, row) for row in rows if row.position is not None]
    dims = [d.name for d in explained[0].dimensions] if explained else []
    sheet = book.add_worksheet("维度得分")
    _header(book, sheet, _title(run), "维度得分率 = 该维度各指标贡献之和 ÷ 该维度权重 × 100", [noun, *dims, "总分"])
    for r, ex in enumerate(explained, start=4):
        sheet.write(r, 0, safe_text(ex.row.subject_name), cell)
        for c, d in enumerate(ex.dimensions, start=1):
            sheet.write_number(r, c, d.rate, number)
        sheet.write_number(r, len(dims) + 1, float(ex.row.score), number)
    sheet = book.add_worksheet("输入数据")
    _header(book, sheet, _title(run), "每个数值注明报告期和来源报表（报表编号/修订号）",
            [noun, "指标", "单位", "数值", "报告期", "来源报表", "缺失原因或说明"])
    r = 4
    criteria = run.snapshot["criteria"]
    visible = {row.subject_key for row in rows}
    for i, subject in enumerate(run.snapshot["subjects"]):
        if subject_key(subject) not in visible:
            continue
        for c in criteria:
            value = subject_cell(run.snapshot, i, c["code"])
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
    if run.snapshot.get("bonus"):
        _bonus_sheet(book, run, [s for s in run.snapshot["subjects"] if subject_key(s) in visible], cell, number)
    book.close()
    return output.getvalue()


def _bonus_sheet(book, run: Run, subjects: list[dict], cell, number) -> None:
    """加分事项: every 核定 claim and every library project the run counted, as its snapshot keeps them."""
    sheet = book.add_worksheet("加分事项")
    _header(book, sheet, _title(run), "运行时计入的加分：已核定的加分事项和符合加分项规则的项目库项目（存档于输入快照）；"
                                      "每个加分项不超过其上限",
            ["地区", "加分项", "每项分值", "上限", "事项说明", "证明材料或阶段日期", "核定人", "依据", "来源"])
    items = {b["code"]: b for b in run.snapshot["bonus"]["items"]}
    r = 4
    for subject in subjects:
        for claim in subject.get("bonus", []):
            item = items.get(claim["item"], {})
            values = [subject["name"], claim["label"], item.get("points", ""), item.get("cap", ""),
                      claim["description"], claim["evidence"], claim.get("decided_by", ""), item.get("clause", ""),
                      f"项目库 #{claim['project']}" if claim.get("project") else f"加分事项 #{claim.get('id', '')}"]
            for c, value in enumerate(values):
                sheet.write(r, c, safe_text(str(value)), cell)
            r += 1


def build_explanation_workbook(explained: Explanation) -> bytes:
    """One cluster: each indicator's raw → normalised → weight → contribution, and its dimensions (radar)."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    number = book.add_format({"num_format": "0.0000", "border": 1})
    cell = book.add_format({"border": 1})
    run, row = explained.run, explained.row
    sheet = book.add_worksheet("得分说明")
    rank = f"第{row.rank}名（权重扰动下 {row.rank_min}–{row.rank_max}）" if row.rank else "未参评"
    _header(book, sheet, f"{row.subject_name} · {_title(run)}", f"得分 {row.score or '—'}，{row.grade or ''}，{rank}",
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
    if explained.bonus:
        r = 5 + len(explained.lines)
        sheet.write(r, 0, "加分", cell)
        for item in explained.bonus:
            r += 1
            sheet.write(r, 0, safe_text(item["label"]), cell)
            sheet.write(r, 1, safe_text("；".join(c["description"] for c in item["claims"]) or "—"), cell)
            sheet.write_number(r, 7, float(item["awarded"]), number)
            sheet.write(r, 8, safe_text(item["clause"]), cell)
        sheet.write(r + 1, 0, "指标得分", cell)
        sheet.write_number(r + 1, 7, explained.base, number)
        sheet.write(r + 2, 0, "得分", cell)
        sheet.write_number(r + 2, 7, float(row.score), number)
    sheet = book.add_worksheet("维度得分")
    _header(book, sheet, f"{row.subject_name} · 维度得分（雷达图数据）", "得分率 = 贡献 ÷ 维度权重 × 100",
            ["维度", "权重", "贡献（×100）", "得分率"])
    for r, d in enumerate(explained.dimensions, start=4):
        sheet.write(r, 0, d.name, cell)
        sheet.write_number(r, 1, d.weight, number)
        sheet.write_number(r, 2, 100 * d.contribution, number)
        sheet.write_number(r, 3, d.rate, number)
    book.close()
    return output.getvalue()
