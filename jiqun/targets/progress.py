"""Progress towards one numeric target: attainment, 序时进度, required vs actual growth, forecast, status.

Pure arithmetic on Decimals and dates, with no Django import, so every rule is tested on hand-computed
cases; the sentences are translated when they are written (`_`), in Chinese where Django is not set up. docs/targets.md explains the method and why each threshold is what it is.

Time is counted in months (`month_index`): statistics are dated at the end of a month (1-9月 ends on
30 September), so a quarter is exactly 0.25 years and 1-9月 is exactly 75% of a year.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal

ON_TRACK = "on_track"  # the forecast for the target year reaches the target
AT_RISK = "at_risk"  # the forecast falls short by less than AT_RISK_BAND of the target
BEHIND = "behind"  # the forecast falls short by more
ACHIEVED = "achieved"  # the current figure already meets the target
EXPIRED = "expired"  # the target year is over and the target was not met
NO_DATA = "no_data"  # no figure on record to judge by

STATUSES = [ON_TRACK, AT_RISK, BEHIND, ACHIEVED, EXPIRED, NO_DATA]

AT_RISK_BAND = Decimal("0.10")  # a forecast within 10% of the target is at risk, beyond that behind
ABOUT_TOLERANCE = Decimal("0.05")  # 左右 (≈): a figure within 5% below the target counts as reaching it
GRACE_MONTHS = 6  # a year's annual figures are approved by mid next year; then a missed target expires

HUNDRED = Decimal(100)
ZERO = Decimal(0)
def _(message: str) -> str:
    """The sentence in the UI's language (the English catalogue); as written outside a configured Django."""
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
        from django.utils.translation import gettext
    except ImportError:
        return message
    try:
        return gettext(message) if settings.configured else message
    except ImproperlyConfigured:
        return message


def month_index(day: date) -> Decimal:
    """Months from year 0 to the end of `day`; the last day of a month is a whole number."""
    days = calendar.monthrange(day.year, day.month)[1]
    return Decimal(day.year * 12 + day.month - 1) + Decimal(day.day) / Decimal(days)


def years_between(start: date, end: date) -> Decimal:
    return (month_index(end) - month_index(start)) / 12


def year_end(year: int) -> date:
    return date(year, 12, 31)


@dataclass(frozen=True)
class Point:
    """A figure and the date it refers to (a period end, a year end, or the day it was counted)."""

    at: date
    value: Decimal
    label: str = ""


@dataclass(frozen=True)
class Goal:
    value: Decimal
    comparator: str  # ">=", "<=", "==" (read as >=, a goal to reach) or "≈" (左右)
    start: date  # start of the period: the baseline's date, or the programme's start
    due: date  # end of the target year
    linear: bool = False  # shares and 百分点 move by points: growth is measured in points a year
    baseline: Point | None = None


@dataclass(frozen=True)
class Progress:
    status: str
    reason: str
    current: Point | None = None
    attainment: Decimal | None = None  # 完成率: current ÷ target, %
    progress: Decimal | None = None  # share of the way from baseline to target, %
    elapsed: Decimal | None = None  # 序时进度: share of the period gone at the current figure's date, %
    gap: Decimal | None = None  # progress (attainment when there is no baseline) − elapsed, 百分点
    required: Decimal | None = None  # growth a year needed to reach the target: a rate, or points a year
    required_rest: bool = False  # under a year left: `required` is the growth needed in the time left
    actual: Decimal | None = None  # recent actual growth a year, in the same terms
    forecast: Decimal | None = None  # expected figure for the target year
    method: str = ""  # how the forecast was made, in words
    compound: bool = True  # growth as a rate (compound) or as points a year (linear)
    years_left: Decimal | None = None
    gap_note: str = ""  # why no gap is shown (a met target is never "behind" 序时进度)


@dataclass(frozen=True)
class Forecast:
    """A forecast made by the caller, who knows something the arithmetic here cannot (e.g. a year-to-date)."""

    value: Decimal
    method: str


def meets(goal: Goal, value: Decimal) -> bool:
    if goal.comparator == "<=":
        return value <= goal.value
    if goal.comparator == "≈":
        return value >= goal.value * (1 - ABOUT_TOLERANCE)
    return value >= goal.value


def shortfall(goal: Goal, value: Decimal) -> Decimal | None:
    """How far a figure falls short of the target, as a share of the target (0 or less: none)."""
    if goal.value == 0:
        return None
    if goal.comparator == "<=":
        return (value - goal.value) / abs(goal.value)
    return (goal.value - value) / abs(goal.value)


def compound_rate(start: Decimal, end: Decimal, years: Decimal) -> Decimal:
    """The yearly rate that turns `start` into `end` in `years` (CAGR); both must be positive."""
    return (end / start) ** (1 / years) - 1


def _pct(value: Decimal) -> str:
    return f"{value * 100:.1f}%"


def _fmt(value: Decimal) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def assess(
    goal: Goal,
    *,
    as_of: date,
    current: Point | None,
    trend: tuple[Point, Point] | None = None,
    growth_from: Point | None = None,
    forecast: Forecast | None = None,
    cumulative: bool = False,
) -> Progress:
    """Judge one target.

    `current` is the figure the target is judged by; `trend` is the pair of figures the recent actual
    growth is measured on (e.g. 上年同期 and 本期); `growth_from` is the level the required growth and the
    default forecast start from (default: `current`). A `cumulative` current (a year-to-date sum) is not a
    level: growth is then measured only from `growth_from`, and without it the caller's forecast is used.
    """
    if current is None:
        return Progress(NO_DATA, _("尚无可用数据"), compound=not goal.linear)

    attainment = None
    if goal.value != 0 and current.value != 0:
        ratio = goal.value / current.value if goal.comparator == "<=" else current.value / goal.value
        attainment = ratio * HUNDRED
    elif goal.value != 0:
        attainment = ZERO

    progress = None
    base = goal.baseline
    if base is not None and base.value != goal.value and base.at <= current.at:
        progress = (current.value - base.value) / (goal.value - base.value) * HUNDRED

    period = years_between(goal.start, goal.due)
    elapsed = HUNDRED if period <= 0 else min(max(years_between(goal.start, current.at) / period, ZERO), 1) * HUNDRED
    measure = progress if progress is not None else attainment
    gap = measure - elapsed if measure is not None else None

    origin = growth_from or (None if cumulative else current)
    trend_positive = trend is None or (trend[0].value > 0 and trend[1].value > 0)
    compound = (not goal.linear and goal.value > 0 and trend_positive
                and (origin is None or origin.value > 0))
    years_left = years_between(origin.at, goal.due) if origin is not None else None

    required, required_rest = None, False
    if origin is not None and years_left is not None and years_left > 0:
        # Annualising over a few months gives absurd rates; under a year, state what the rest must bring.
        required_rest = years_left < 1
        span = max(years_left, Decimal(1))
        if compound:
            required = compound_rate(origin.value, goal.value, span)
        else:
            required = (goal.value - origin.value) / span

    actual = None
    if trend is not None:
        trend_years = years_between(trend[0].at, trend[1].at)
        if trend_years > 0:
            if compound:
                actual = compound_rate(trend[0].value, trend[1].value, trend_years)
            else:
                actual = (trend[1].value - trend[0].value) / trend_years

    expected, method = None, _("无增速数据，不作预测")
    if forecast is not None:
        expected, method = forecast.value, forecast.method
    elif origin is not None and actual is not None and years_left is not None and years_left >= 0:
        n = _fmt(years_left)
        if compound:
            expected = origin.value * (1 + actual) ** years_left
            method = _("以%(label)s %(value)s 为基数，按近期实际增速 %(rate)s 复利外推 %(n)s 年：基数 ×(1+增速)^%(n)s") % {
                "label": origin.label or _("当前值"), "value": _fmt(origin.value), "rate": _pct(actual), "n": n}
        else:
            expected = origin.value + actual * years_left
            method = _("以%(label)s %(value)s 为基数，按近期每年变动 %(change)s 线性外推 %(n)s 年：基数 + 年变动 × %(n)s") % {
                "label": origin.label or _("当前值"), "value": _fmt(origin.value), "change": _fmt(actual), "n": n}

    result = dict(current=current, attainment=attainment, progress=progress, elapsed=elapsed, gap=gap,
                  required=required, required_rest=required_rest, actual=actual, forecast=expected, method=method, compound=compound,
                  years_left=years_left)

    if meets(goal, current.value):
        early = _("（提前达成）") if current.at < goal.due else ""
        if gap is not None and gap < 0:
            # A met target is not behind schedule, whatever the baseline arithmetic says (a baseline above
            # the target, a ≤ target, 左右 within tolerance): no negative gap, and the page says why.
            result["gap"] = None
            result["gap_note"] = _("已达到目标，不计落后序时")
        return Progress(ACHIEVED, _("%(label)s %(value)s 已达到目标%(early)s") % {
            "label": current.label or _("当前值"), "value": _fmt(current.value), "early": early}, **result)

    months_past = month_index(as_of) - month_index(goal.due)
    if months_past > 0 and (current.at >= goal.due or months_past > GRACE_MONTHS):
        return Progress(EXPIRED, _("目标年已过，%(label)s %(value)s 未达到目标") % {
            "label": current.label or _("最新值"), "value": _fmt(current.value)}, **result)

    if expected is not None:
        short = shortfall(goal, expected)
        if meets(goal, expected):
            return Progress(ON_TRACK, _("预测目标年可达 %(value)s，能够完成") % {"value": _fmt(expected)}, **result)
        if short is not None and short <= AT_RISK_BAND:
            return Progress(AT_RISK, _("预测目标年为 %(value)s，差目标 %(short)s，在 %(band)s 以内") % {
                "value": _fmt(expected), "short": _pct(short), "band": _pct(AT_RISK_BAND)}, **result)
        return Progress(BEHIND, _("预测目标年为 %(value)s，差目标 %(short)s") % {
            "value": _fmt(expected), "short": _pct(short) if short is not None else "—"}, **result)

    if gap is None:
        return Progress(BEHIND, _("无法计算进度"), **result)
    which = _("进度") if progress is not None else _("完成率")
    if gap >= 0:
        return Progress(ON_TRACK, _("无预测；%(which)s不低于序时进度") % {"which": which}, **result)
    behind = _("无预测；%(which)s落后序时进度 %(points)s 个百分点") % {"which": which, "points": _fmt(-gap)}
    return Progress(AT_RISK if gap >= -AT_RISK_BAND * HUNDRED else BEHIND, behind, **result)


# --- how the figures read ---------------------------------------------------------------------------
# Growth is stated in the terms the target moves in: an amount by a yearly rate (+8.0%/年), a share or a
# 百分点 target by points a year (+4.0个百分点/年: a change of a rate is never "%/年"), a count by whole
# units a year (+3家/年). docs/targets.md (页面上的数字怎么读) explains each to the reader.

RATE = "rate"  # compound growth of an amount: a yearly rate
POINTS = "points"  # a share or a 百分点 target: points a year
COUNT = "count"  # a count: units a year
AMOUNT = "amount"  # an amount that cannot compound (a zero or negative figure): the target's unit a year

POINT_UNITS = {"%", "百分点"}
COUNT_UNITS = {"个", "家", "件", "处", "项"}


def growth_terms(*, compound: bool, unit: str, count: bool) -> str:
    """How a target's growth reads: RATE, POINTS, COUNT or AMOUNT."""
    if compound:
        return RATE
    if unit in POINT_UNITS:
        return POINTS
    if count or unit in COUNT_UNITS:
        return COUNT
    return AMOUNT


def figure_text(value: Decimal | None, *, count: bool, places: int = 2) -> str:
    """A figure: a count as a whole number (12, never 12.00), anything else at `places` decimals."""
    if value is None:
        return "—"
    if count:
        return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,f}"
    return f"{value:,.{places}f}"


def pace_text(value: Decimal | None, *, terms: str, unit: str, places: int = 2, required: bool = False,
              rest: bool = False) -> str:
    """A required or actual growth: "+8.0%/年", "+4.0个百分点/年", "+3家/年", "+12.50亿元/年".

    A required count is rounded away from zero to whole units (2.4家 a year needs 3); an actual count pace
    is whole unless the years it is measured over make it fractional (then one decimal). `rest`: under a
    year is left, the value is what the rest of the period must bring ("（剩余期内）" replaces "/年").
    """
    if value is None:
        return "—"
    if terms == RATE:
        text = f"{_signed(value * HUNDRED, 1)}%"
    elif terms == POINTS:
        text = _("%(points)s个百分点") % {"points": _signed(value, 1)}
    elif terms == COUNT:
        whole = value.quantize(Decimal(1), rounding=ROUND_UP if required else ROUND_HALF_UP)
        shown = whole if required or whole == value else value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        text = f"{shown:+,f}{unit}"
    else:
        text = f"{_signed(value, places)}{unit}"
    return text + (_("（剩余期内）") if rest else _("/年"))


def _signed(value: Decimal, places: int) -> str:
    """+1.5 or -1.5; a figure that rounds to zero has no sign (never "-0.0")."""
    shown = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{abs(shown):,.{places}f}" if shown == 0 else f"{shown:+,.{places}f}"


def gap_text(progress: Progress) -> str:
    """与序时差 in 百分点: "+12.5" ahead, "-8.0" behind; a met target never reads negative ("—" and why)."""
    if progress.gap is None:
        return _("—（%(note)s）") % {"note": progress.gap_note} if progress.gap_note else "—"
    text = _signed(progress.gap, 1)
    return text + _("（超序时）") if progress.status == ACHIEVED and text.startswith("+") else text
