"""审核 of a quarterly dispatch: the checks one project's line must pass, as `Finding`s of the statistics checks
engine (jiqun.monitoring.checks), each naming the project and the column.

Pure functions over plain values, so the page, the Excel import and the API check exactly alike. Every check here
is 强制性 (an error): a dispatch reports facts about one project, and a fact that contradicts the project's record
or the previous quarter cannot be explained away in a note.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.core.text import control_character_error
from jiqun.monitoring.checks import ERROR, Finding
from jiqun.projects.models import STAGE_LINE, ConstraintKind, Stage

# The columns of a dispatch, as the page, the Excel template and the API name them.
COLUMNS = {
    "completed_ytd": gettext_lazy("本年累计完成投资（万元）"),
    "progress": gettext_lazy("形象进度"),
    "stage_to": gettext_lazy("本期达到阶段"),
    "stage_on": gettext_lazy("达到日期"),
    "stage_evidence": gettext_lazy("阶段依据"),
    "constraints": gettext_lazy("新增要素制约"),
}
PROGRESS_LENGTH = 2000
EVIDENCE_LENGTH = 200
CONSTRAINT_TEXT = 1000
CONSTRAINT_UNIT = 100

# The rules, as the import names them.
RANGE = gettext_lazy("取值范围")
PRECISION = gettext_lazy("小数位数")
NOT_OVER_TOTAL = gettext_lazy("不大于总投资")
NEVER_FALLING = gettext_lazy("本年累计不下降")
STAGE_STEP = gettext_lazy("阶段逐级推进")
NOT_FUTURE = gettext_lazy("日期不晚于今天")
REQUIRED = gettext_lazy("必填")
TEXT = gettext_lazy("文字")


@dataclass(frozen=True)
class NewConstraint:
    kind: str
    description: str
    responsible_unit: str
    deadline: datetime.date | None


@dataclass
class DispatchLine:
    """What one dispatch says and what it is checked against."""

    code: str  # the project's code
    name: str
    total_investment: Decimal
    stage: str  # the project's stage now
    last_stage_on: datetime.date | None  # the date of its latest stage move
    previous_ytd: Decimal | None = None  # the same year's previous quarter, as filed (submitted or later)
    previous_label: str = ""  # that quarter, as people say it: 1-3月
    completed_ytd: Decimal | None = None
    progress: str = ""
    stage_to: str = ""
    stage_on: datetime.date | None = None
    stage_evidence: str = ""
    constraints: list[NewConstraint] = field(default_factory=list)


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def next_stage(stage: str) -> str | None:
    """The stage a dispatch may report as reached: the next one on the main line (None after 投产 or off it)."""
    if stage not in STAGE_LINE or stage == STAGE_LINE[-1]:
        return None
    return STAGE_LINE[STAGE_LINE.index(stage) + 1]


def check_dispatch(line: DispatchLine, today: datetime.date, *, complete: bool) -> list[Finding]:
    """Every error of one dispatch line. `complete`: a submission, where blanks are errors too; a save or an
    import may leave the figure and the notes blank for later."""
    findings: list[Finding] = []

    def error(column: str, message: str, rule) -> None:
        findings.append(Finding(ERROR, line.code, column,
                                _("项目“%(name)s”（%(code)s）“%(column)s”：%(message)s")
                                % {"name": line.name, "code": line.code, "column": COLUMNS[column],
                                   "message": message}, str(rule)))

    value = line.completed_ytd
    if value is None:
        if complete:
            error("completed_ytd", _("未填报"), REQUIRED)
    elif value < 0:
        error("completed_ytd", _("%(value)s 不能小于 0") % {"value": value}, RANGE)
    elif _decimals(value) > 2:
        error("completed_ytd", _("最多保留 2 位小数"), PRECISION)
    else:
        if value > line.total_investment:
            error("completed_ytd", _("%(value)s 万元大于项目总投资 %(total)s 万元")
                  % {"value": value, "total": line.total_investment}, NOT_OVER_TOTAL)
        if line.previous_ytd is not None and value < line.previous_ytd:
            error("completed_ytd", _("%(value)s 万元低于本年%(quarter)s已报的 %(previous)s 万元；本年累计数不能下降")
                  % {"value": value, "quarter": line.previous_label, "previous": line.previous_ytd}, NEVER_FALLING)

    progress = line.progress.strip()
    if complete and not progress:
        error("progress", _("未填写"), REQUIRED)
    if len(progress) > PROGRESS_LENGTH:
        error("progress", _("有 %(n)s 个字，最多 %(limit)s 个") % {"n": len(progress), "limit": PROGRESS_LENGTH}, TEXT)
    elif problem := control_character_error(progress):
        error("progress", problem, TEXT)

    labels = dict(Stage.choices)
    if line.stage_to:
        allowed = next_stage(line.stage)
        if line.stage_to not in labels:
            error("stage_to", _("未知的阶段“%(stage)s”") % {"stage": line.stage_to}, STAGE_STEP)
        elif line.stage_to != allowed:
            if allowed is None:
                message = _("项目处于“%(now)s”，调度不能报告新的阶段；停缓建、退出请在项目页办理") % {
                    "now": labels.get(line.stage, line.stage)}
            else:
                message = _("项目处于“%(now)s”，不能直接转为“%(to)s”；阶段须逐级推进，下一阶段是“%(next)s”") % {
                    "now": labels.get(line.stage, line.stage), "to": labels[line.stage_to], "next": labels[allowed]}
            error("stage_to", message, STAGE_STEP)
        if line.stage_on is None:
            error("stage_on", _("报告达到“%(to)s”须填写达到日期") % {"to": labels.get(line.stage_to, line.stage_to)},
                  REQUIRED)
    elif line.stage_on is not None:
        error("stage_to", _("填写了达到日期但未选择达到的阶段"), REQUIRED)
    if line.stage_on is not None:
        if line.stage_on > today:
            error("stage_on", _("%(day)s 晚于今天；阶段须在实际达到后报告") % {"day": line.stage_on}, NOT_FUTURE)
        elif line.last_stage_on is not None and line.stage_on < line.last_stage_on:
            error("stage_on", _("%(day)s 早于上一次阶段变更（%(last)s）") % {"day": line.stage_on, "last": line.last_stage_on},
                  NOT_FUTURE)
    evidence = line.stage_evidence.strip()
    if len(evidence) > EVIDENCE_LENGTH:
        error("stage_evidence", _("有 %(n)s 个字，最多 %(limit)s 个") % {"n": len(evidence), "limit": EVIDENCE_LENGTH},
              TEXT)
    elif problem := control_character_error(evidence):
        error("stage_evidence", problem, TEXT)

    kinds = dict(ConstraintKind.choices)
    for number, item in enumerate(line.constraints, start=1):
        where = _("第 %(n)s 条") % {"n": number}
        if item.kind not in kinds:
            error("constraints", _("%(where)s制约类型“%(kind)s”不在 %(kinds)s 之中")
                  % {"where": where, "kind": item.kind, "kinds": "、".join(str(k) for k in kinds.values())}, RANGE)
        for text, limit, label in ((item.description, CONSTRAINT_TEXT, _("问题描述")),
                                   (item.responsible_unit, CONSTRAINT_UNIT, _("责任单位"))):
            if not text.strip():
                error("constraints", _("%(where)s须填写%(label)s") % {"where": where, "label": label}, REQUIRED)
            elif len(text) > limit:
                error("constraints", _("%(where)s%(label)s最多 %(limit)s 个字")
                      % {"where": where, "label": label, "limit": limit}, TEXT)
            elif problem := control_character_error(text, f"{where}{label}："):
                error("constraints", problem, TEXT)
        if item.deadline is None:
            error("constraints", _("%(where)s须填写解决时限") % {"where": where}, REQUIRED)
    return findings
