"""One progress row as a reader sees it: the same words on the pages, in the Excel export and in the CLI.

The rules are in progress.py (pace_text, gap_text, figure_text) and params.py (phrase); this module only
applies them to a row of selectors.py, so no screen formats a figure its own way.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.targets import progress as P
from jiqun.targets.params import target_phrase

COMPARATOR_SIGNS = {">=": "≥", "<=": "≤", "==": "=", "≈": gettext_lazy("约")}
TERMS_LABELS = {P.RATE: gettext_lazy("年增长率"), P.POINTS: gettext_lazy("每年百分点"), P.COUNT: gettext_lazy("每年新增个数"),
                P.AMOUNT: gettext_lazy("每年变动")}


def is_count(target) -> bool:
    """A target counted in whole things (kind count, or a unit like 个/家/件); a share computed from the
    registries (kind count, unit %) is not."""
    return (target.indicator.kind == "count" and target.unit not in P.POINT_UNITS) or target.unit in P.COUNT_UNITS


def plain(value: Decimal | None) -> str:
    """A target value as written: 5000 (never 5E+3), 1.5, 45."""
    return "—" if value is None else f"{value.normalize():f}"


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


@dataclass(frozen=True)
class RowText:
    goal: str  # "≥ 60 %（2025年）"
    current: str
    baseline: str
    forecast: str
    attainment: str
    progress: str
    elapsed: str
    gap: str  # 百分点, signed; a met target never negative
    required: str
    actual: str
    terms: str  # what the growth columns are in, in words
    params: str  # the target's parameters as a phrase, "" when none
    count: bool


def row_text(row) -> RowText:
    """The texts of one row of selectors.target_rows."""
    target, result = row.target, row.result
    count = is_count(target)
    terms = P.growth_terms(compound=result.compound, unit=target.unit, count=count)
    baseline = (row.extra or {}).get("baseline")
    sign = COMPARATOR_SIGNS.get(row.goal.comparator, row.goal.comparator)
    return RowText(
        goal=_("%(sign)s %(value)s %(unit)s（%(year)s年）") % {"sign": sign, "value": plain(row.goal.value),
                                                              "unit": target.unit, "year": row.goal.year},
        current=P.figure_text(result.current.value if result.current else None, count=count),
        baseline=P.figure_text(baseline.value if baseline else None, count=count),
        forecast=P.figure_text(result.forecast, count=count),
        attainment=percent(result.attainment),
        progress=percent(result.progress),
        elapsed=percent(result.elapsed),
        gap=P.gap_text(result),
        required=P.pace_text(result.required, terms=terms, unit=target.unit, required=True,
                             rest=result.required_rest),
        actual=P.pace_text(result.actual, terms=terms, unit=target.unit),
        terms=str(TERMS_LABELS[terms]),
        params=target_phrase(target),
        count=count,
    )
