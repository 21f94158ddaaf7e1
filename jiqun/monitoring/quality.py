"""Data quality of a reporting unit: how completely, how punctually and how carefully it reports.

Pure functions over plain values, like `checks.py`: the selector (`quality_selectors.py`) gathers the facts of
each report, this module scores them. A report's score is the mean of four parts, each a share from 0 to 1:

- completeness: the share of the period's asked values (本期累计 and 上年同期 of each asked indicator) filled;
- timeliness: 1 when first submitted by the period's deadline, else 0 (a report not yet due is not scored);
- explained warnings: the share of 核实性 warnings (checks.check_report) whose indicator carries a 说明;
  1 when there is none;
- corrections: 1 without a correction approved after the province's approval, less CORRECTION_PENALTY for
  each, never below 0.

The four weigh the same (a choice of the province, not a published rule). A part that cannot be scored yet
is left out of the mean, and said so. A unit's score over a year is the mean of its reports' parts.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

PARTS = ("completeness", "timeliness", "explained", "corrections")
CORRECTION_PENALTY = Decimal("0.25")  # one correction after approval costs a quarter of the part
ONE = Decimal(1)
HUNDRED = Decimal(100)


def part_labels() -> dict[str, str]:
    return {"completeness": _("完整性"), "timeliness": _("及时性"), "explained": _("核实性说明"),
            "corrections": _("审定后更正")}


@dataclass(frozen=True)
class ReportFacts:
    """What the score of one report is computed from."""

    asked: int  # values asked: two per asked indicator (本期累计, 上年同期)
    filled: int  # of those, the values filled
    missing: tuple[str, ...]  # names of the indicators with a value missing
    deadline: datetime.date
    submitted_on: datetime.date | None  # the first submission (ReportEvent "submit"), None if never
    warnings: tuple[str, ...]  # the 核实性 warnings' messages
    unexplained: tuple[str, ...]  # those whose indicator has no 说明
    corrections: int  # corrections approved after the province's approval


@dataclass(frozen=True)
class Part:
    value: Decimal | None  # 0..1; None when it cannot be scored yet
    reason: str


@dataclass(frozen=True)
class Quality:
    """The score (0–100, None when nothing can be scored) and each part with its reason."""

    score: Decimal | None
    parts: dict[str, Part]


def _share(numerator: int, denominator: int) -> Decimal:
    return ONE if denominator == 0 else Decimal(numerator) / Decimal(denominator)


def completeness(facts: ReportFacts) -> Part:
    reason = _("填报 %(filled)s/%(asked)s 个数值") % {"filled": facts.filled, "asked": facts.asked}
    if facts.missing:
        reason += _("；缺：%(names)s") % {"names": "、".join(facts.missing)}
    return Part(_share(facts.filled, facts.asked), reason)


def timeliness(facts: ReportFacts, as_of: datetime.date) -> Part:
    if facts.submitted_on is None:
        if as_of <= facts.deadline:
            return Part(None, _("未提交，截止日期 %(deadline)s 未到") % {"deadline": facts.deadline})
        return Part(Decimal(0), _("截止 %(deadline)s 仍未提交") % {"deadline": facts.deadline})
    late = (facts.submitted_on - facts.deadline).days
    if late > 0:
        return Part(Decimal(0), _("%(day)s 提交，截止 %(deadline)s，逾期 %(late)s 天") % {
            "day": facts.submitted_on, "deadline": facts.deadline, "late": late})
    return Part(ONE, _("%(day)s 提交，截止 %(deadline)s，按时") % {"day": facts.submitted_on,
                                                                 "deadline": facts.deadline})


def explained(facts: ReportFacts) -> Part:
    total = len(facts.warnings)
    if total == 0:
        return Part(ONE, _("无核实性提示"))
    reason = _("核实性提示 %(total)s 条，已说明 %(done)s 条") % {"total": total,
                                                              "done": total - len(facts.unexplained)}
    if facts.unexplained:
        reason += _("；未说明：%(items)s") % {"items": "；".join(facts.unexplained)}
    return Part(_share(total - len(facts.unexplained), total), reason)


def corrections(facts: ReportFacts) -> Part:
    if facts.corrections == 0:
        return Part(ONE, _("审定后无更正"))
    value = max(Decimal(0), ONE - CORRECTION_PENALTY * facts.corrections)
    return Part(value, _("审定后更正 %(n)s 次") % {"n": facts.corrections})


def report_quality(facts: ReportFacts, as_of: datetime.date) -> Quality:
    """The quality of one report as of a date."""
    parts = {"completeness": completeness(facts), "timeliness": timeliness(facts, as_of),
             "explained": explained(facts), "corrections": corrections(facts)}
    return Quality(_score([p.value for p in parts.values()]), parts)


def combined_quality(qualities: list[Quality]) -> Quality:
    """A unit's quality over several reports (a year's periods): each part the mean of its scored values."""
    parts = {}
    for name in PARTS:
        values = [q.parts[name].value for q in qualities if q.parts[name].value is not None]
        mean = sum(values, Decimal(0)) / len(values) if values else None
        reasons = [q.parts[name].reason for q in qualities]
        parts[name] = Part(mean, "｜".join(reasons))
    return Quality(_score([p.value for p in parts.values()]), parts)


def _score(values: list[Decimal | None]) -> Decimal | None:
    scored = [v for v in values if v is not None]
    if not scored:
        return None
    return (sum(scored, Decimal(0)) / len(scored) * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent(value: Decimal | None) -> str:
    """A part as a person reads it: 87.5%, or — when not scored."""
    if value is None:
        return "—"
    return f"{(value * HUNDRED).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
