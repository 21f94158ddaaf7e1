"""The rules of a 赛马 round, pure (no database): eligibility, an expert's weighted score, the trimmed mean,
the combined score and the ranking within the quota.

- An expert's score of an application is the weighted mean of its aspect scores (0–100) by the call's aspect
  weights.
- The expert score of an application is the mean of its experts' scores; with five scores or more the highest
  and the lowest are dropped first (one of each, 去掉一个最高分和一个最低分).
- The quantitative score puts each quantitative indicator on 0–100 as value ÷ the best value among the
  eligible applications × 100 (linear max normalisation, all indicators "higher is better"), then averages
  them; an application without a figure scores 0 on that indicator, and the page says so.
- The combined score is quantitative × w + expert × (1 − w), w the call's quantitative weight.
- Ranking: combined score, then expert score, then the cluster's name, all descending except the name; the
  first `quota` eligible applications are selected.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

TRIM_FROM = 5  # with at least this many scores, drop the highest and the lowest
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _num(value: Decimal) -> str:
    """A figure as plain text without trailing zeros (15000000.0000 → 15000000)."""
    return f"{Decimal(value).normalize():f}"


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Check:
    """One threshold's verdict for one application."""

    indicator: str
    name: str
    unit: str
    value: Decimal | None
    minimum: Decimal
    passed: bool
    reason: str


def screen(figures: Mapping[str, Decimal | None], thresholds: Iterable[tuple[str, str, str, Decimal]],
           missing: Mapping[str, str] | None = None) -> list[Check]:
    """Check each threshold (code, name, unit, minimum) against the figures; say which failed and why."""
    missing = missing or {}
    result = []
    for code, name, unit, minimum in thresholds:
        value = figures.get(code)
        if value is None:
            why = missing.get(code) or _("无经审核的数据")
            result.append(Check(code, name, unit, None, minimum, False, _("%(name)s：%(why)s，不能证明达到 %(minimum)s %(unit)s")
                                % {"name": name, "why": why, "minimum": _num(minimum), "unit": unit}))
        elif value < minimum:
            result.append(Check(code, name, unit, value, minimum, False, _("%(name)s %(value)s %(unit)s 低于门槛 %(minimum)s %(unit)s")
                                % {"name": name, "value": _num(value), "minimum": _num(minimum), "unit": unit}))
        else:
            result.append(Check(code, name, unit, value, minimum, True, _("%(name)s %(value)s %(unit)s ≥ 门槛 %(minimum)s %(unit)s")
                                % {"name": name, "value": _num(value), "minimum": _num(minimum), "unit": unit}))
    return result


def veto_checks(hits: Iterable[tuple[str, str, str]]) -> list[Check]:
    """A failed check per veto hit (code, label, the hit in a sentence): 一票否决 whatever the figures."""
    return [Check(f"veto:{code}", label, "", None, Decimal(0), False, _("一票否决：%(hit)s") % {"hit": text})
            for code, label, text in hits]


def weighted_score(scores: Mapping[str, Decimal], weights: Mapping[str, Decimal]) -> Decimal:
    """One expert's score of one application: the weighted mean of its aspect scores."""
    total_weight = sum((Decimal(w) for w in weights.values()), Decimal(0))
    if total_weight <= 0:
        raise ValueError("aspect weights must sum to more than zero")
    return sum((Decimal(scores[a]) * Decimal(w) for a, w in weights.items()), Decimal(0)) / total_weight


def trimmed_mean(scores: Sequence[Decimal]) -> Decimal | None:
    """The mean of the scores, without the highest and the lowest when there are at least five."""
    if not scores:
        return None
    ordered = sorted(Decimal(s) for s in scores)
    if len(ordered) >= TRIM_FROM:
        ordered = ordered[1:-1]
    return sum(ordered, Decimal(0)) / len(ordered)


def quantitative_scores(figures: Mapping[int, Mapping[str, Decimal | None]], codes: Sequence[str]) -> dict[int, Decimal]:
    """Each application's quantitative score (by its key): value ÷ best × 100 per indicator, averaged."""
    if not codes:
        return {key: Decimal(0) for key in figures}
    best = {code: max((f.get(code) or Decimal(0) for f in figures.values()), default=Decimal(0)) for code in codes}
    result = {}
    for key, values in figures.items():
        parts = [(values.get(code) or Decimal(0)) * HUNDRED / best[code] if best[code] > 0 else Decimal(0)
                 for code in codes]
        result[key] = sum(parts, Decimal(0)) / len(codes)
    return result


def combined(quantitative: Decimal, expert: Decimal, weight: Decimal) -> Decimal:
    """The combined score: quantitative × weight + expert × (1 − weight)."""
    return quantitative * weight + expert * (1 - weight)


@dataclass(frozen=True)
class Ranked:
    key: int
    rank: int
    selected: bool


def rank(entries: Iterable[tuple[int, Decimal, Decimal, str]], quota: int) -> list[Ranked]:
    """Rank (key, combined, expert, name) entries; the first `quota` are selected."""
    ordered = sorted(entries, key=lambda e: (-e[1], -e[2], e[3]))
    return [Ranked(key, i + 1, i < quota) for i, (key, _c, _e, _n) in enumerate(ordered)]
