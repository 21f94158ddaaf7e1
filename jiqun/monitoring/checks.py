"""审核: the checks a report must pass (强制性, errors) and the ones that need a written explanation (核实性).

Pure functions over plain values, so the form, the Excel import and the API check exactly alike.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.core.text import has_visible_text

ERROR = "error"  # 强制性审核: the report cannot be submitted
WARNING = "warning"  # 核实性审核: needs a written explanation (说明) before submission

# 分项 ≤ 合计: (part, whole). Each pair is a definition, not a heuristic.
PART_OF_WHOLE = [
    ("profit", "revenue"),  # 利润 ≤ 主营业务收入
    ("researchers", "employees"),  # 科研人员 ≤ 就业人数
    ("hightech_output", "output_value"),  # 高新技术产品产值 ≤ 工业总产值
    ("local_purchases", "total_purchases"),  # 本地采购 ≤ 采购总额
    # a region's 综合表
    ("cluster_land_quota", "new_land_quota"),  # 用于产业集群项目的新增用地指标 ≤ 新增用地指标
    ("cluster_coal_quota", "new_coal_quota"),  # 用于产业集群项目的新增煤耗指标 ≤ 新增煤耗指标
    ("renewable_capacity", "power_capacity"),  # 可再生能源装机 ≤ 电力装机
]

YOY_LIMIT = Decimal("0.5")  # |同比| over 50% needs an explanation
MAGNITUDES = (10, 1000, 10000)  # 元/千元/万元 slips: a value about 10×, 1000× or 10000× its history


@dataclass(frozen=True)
class IndicatorRule:
    code: str
    name: str
    unit: str
    kind: str  # flow | stock
    precision: int
    min_value: Decimal | None
    max_value: Decimal | None


@dataclass(frozen=True)
class Finding:
    severity: str
    indicator: str
    field: str  # current | previous
    message: str
    rule: str = ""  # the 审核 rule broken, as the import names it: 取值范围, 小数位数, 分项不大于合计


    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass
class History:
    """What the checks compare against."""

    previous_quarter: dict[str, Decimal] = field(default_factory=dict)  # same year, last quarter's 本期累计
    last_year_approved: dict[str, Decimal] = field(default_factory=dict)  # approved 本期累计 a year ago


def yoy(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """同比 growth as a fraction; None where the base is zero or negative (shown as —)."""
    if current is None or previous is None or previous <= 0:
        return None
    return (current - previous) / previous


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _rounded(value: Decimal) -> str:
    """A reference as a person reads it: a pace estimate to two decimals, a reported figure as it is."""
    return f"{value.quantize(Decimal('0.01')).normalize():f}" if _decimals(value) > 2 else f"{value.normalize():f}"


def _magnitude_slip(value: Decimal, reference: Decimal) -> int | None:
    if value <= 0 or reference <= 0:
        return None
    ratio = value / reference
    for factor in MAGNITUDES:
        if Decimal(factor) * Decimal("0.8") <= ratio <= Decimal(factor) * Decimal("1.25"):
            return factor
        if Decimal(factor) * Decimal("0.8") <= 1 / ratio <= Decimal(factor) * Decimal("1.25"):
            return -factor
    return None


RANGE = gettext_lazy("取值范围")
PRECISION = gettext_lazy("小数位数")
PART_NOT_OVER_WHOLE = gettext_lazy("分项不大于合计")


def _label(field_name: str) -> str:
    return _("本期累计") if field_name == "current" else _("上年同期")


def _value_errors(rule: IndicatorRule, field_name: str, value: Decimal) -> list[Finding]:
    """强制性审核 of one filled value: its range and its decimals."""
    exponent = value.as_tuple().exponent
    if (rule.min_value is None or value >= rule.min_value) and (rule.max_value is None or value <= rule.max_value) \
            and isinstance(exponent, int) and -exponent <= rule.precision:
        return []  # the common case, decided without the messages: an import checks millions of values
    facts = {"name": rule.name, "label": _label(field_name), "value": value}
    errors = []
    if rule.min_value is not None and value < rule.min_value:
        errors.append(Finding(ERROR, rule.code, field_name, _("“%(name)s”%(label)s为 %(value)s，不能小于 %(limit)s")
                              % {**facts, "limit": f"{rule.min_value.normalize():f}"}, str(RANGE)))
    if rule.max_value is not None and value > rule.max_value:
        errors.append(Finding(ERROR, rule.code, field_name, _("“%(name)s”%(label)s为 %(value)s，不能大于 %(limit)s")
                              % {**facts, "limit": f"{rule.max_value.normalize():f}"}, str(RANGE)))
    if _decimals(value) > rule.precision:
        errors.append(Finding(ERROR, rule.code, field_name, _("“%(name)s”%(label)s最多保留 %(precision)s 位小数")
                              % {**facts, "precision": rule.precision}, str(PRECISION)))
    return errors


def _part_errors(values: dict[str, tuple[Decimal | None, Decimal | None]], by_code: dict[str, IndicatorRule]
                 ) -> list[Finding]:
    """分项 ≤ 合计 wherever both are filled."""
    errors = []
    for part, whole in PART_OF_WHOLE:
        if part in values and whole in values and part in by_code and whole in by_code:
            for index, field_name in ((0, "current"), (1, "previous")):
                p, w = values[part][index], values[whole][index]
                if p is not None and w is not None and p > w:
                    label = _label(field_name)
                    errors.append(Finding(ERROR, part, field_name,
                                          _("%(label)s“%(part)s”(%(part_value)s) 大于“%(whole)s”(%(whole_value)s)")
                                          % {"label": label, "part": by_code[part].name, "part_value": p,
                                             "whole": by_code[whole].name, "whole_value": w},
                                          str(PART_NOT_OVER_WHOLE)))
    return errors


def import_errors(rules: list[IndicatorRule], values: dict[str, tuple[Decimal | None, Decimal | None]]
                  ) -> list[Finding]:
    """The 强制性审核 errors of a file's row: those of check_report, except that a blank cell is no error.

    An import may fill a report in part; what is missing is reported when the report is submitted.
    """
    errors = []
    for rule in rules:
        current, previous = values.get(rule.code, (None, None))
        if current is not None:
            errors += _value_errors(rule, "current", current)
        if previous is not None:
            errors += _value_errors(rule, "previous", previous)
    return errors + _part_errors(values, {rule.code: rule for rule in rules})


def slip_references(rule: IndicatorRule, previous: Decimal | None, quarter: int, history: History
                    ) -> list[tuple[Decimal, str]]:
    """What a value is compared with for a 元/千元/万元 slip, like with like, each with its name.

    A year-to-date flow is compared with the same period last year (as reported beside it, and as approved
    a year ago) and with the pace of the previous quarters (last quarter's cumulative × q ÷ (q − 1)), never
    with last quarter's cumulative itself: a Q4 year-to-date figure is four times Q1's. A stock is compared
    with last quarter's figure as well.
    """
    last_quarter = history.previous_quarter.get(rule.code)
    references = []
    if last_quarter is not None and quarter > 1:
        if rule.kind == "flow":
            references.append((last_quarter * quarter / (quarter - 1), _("按前%(n)s季进度推算的本期累计") % {"n": quarter - 1}))
        else:
            references.append((last_quarter, _("上期数")))
    if previous is not None:
        references.append((previous, _("上年同期")))
    approved = history.last_year_approved.get(rule.code)
    if approved is not None:
        references.append((approved, _("去年同期审定数")))
    return references


def check_report(
    rules: list[IndicatorRule],
    values: dict[str, tuple[Decimal | None, Decimal | None]],
    notes: dict[str, str],
    quarter: int,
    history: History | None = None,
) -> list[Finding]:
    """Every finding for one report; warnings whose indicator has a note are still listed but explained."""
    history = history or History()
    findings: list[Finding] = []
    by_code = {rule.code: rule for rule in rules}
    for rule in rules:
        current, previous = values.get(rule.code, (None, None))
        for field_name, value, label in (("current", current, _("本期累计")), ("previous", previous, _("上年同期"))):
            if value is None:
                findings.append(Finding(ERROR, rule.code, field_name, _("“%(name)s”%(label)s未填报")
                                        % {"name": rule.name, "label": label}))
                continue
            findings += _value_errors(rule, field_name, value)
    findings += _part_errors(values, by_code)
    for rule in rules:
        current, previous = values.get(rule.code, (None, None))
        growth = yoy(current, previous)
        if growth is not None and abs(growth) > YOY_LIMIT:
            findings.append(Finding(WARNING, rule.code, "current",
                                    (_("“%(name)s”同比增长 %(percent)s%%，超过 50%%，请说明原因") if growth > 0
                                     else _("“%(name)s”同比下降 %(percent)s%%，超过 50%%，请说明原因"))
                                    % {"name": rule.name, "percent": f"{abs(growth) * 100:.1f}"}))
        last_quarter = history.previous_quarter.get(rule.code)
        if rule.kind == "flow" and quarter > 1 and current is not None and last_quarter is not None \
                and current < last_quarter:
            findings.append(Finding(WARNING, rule.code, "current",
                                    _("“%(name)s”是本年累计数，本期 %(current)s 小于上期 %(last)s，"
                                      "累计值不应下降，请说明（如属更正请注明）")
                                    % {"name": rule.name, "current": current, "last": last_quarter}))
        for reference, name in (slip_references(rule, previous, quarter, history) if current is not None else []):
            slip = _magnitude_slip(current, reference)
            if slip is not None:
                word = (_("约为%(reference)s（%(value)s）的 %(factor)s 倍") if slip > 0
                        else _("约为%(reference)s（%(value)s）的 1/%(factor)s"))
                word %= {"reference": name, "value": _rounded(reference), "factor": abs(slip)}
                findings.append(Finding(WARNING, rule.code, "current",
                                        _("“%(name)s”本期 %(current)s %(ratio)s，疑似计量单位错误（元/千元/万元），"
                                          "请核实单位为%(unit)s")
                                        % {"name": rule.name, "current": current, "ratio": word, "unit": rule.unit}))
                break  # one slip, named against the first reference that shows it
        approved = history.last_year_approved.get(rule.code)
        if previous is not None and approved is not None and previous != approved:
            findings.append(Finding(WARNING, rule.code, "previous",
                                    _("“%(name)s”上年同期 %(previous)s 与去年审定数 %(approved)s 不一致，"
                                      "如属口径调整请说明")
                                    % {"name": rule.name, "previous": previous, "approved": approved}))
    return findings


def unexplained(findings: list[Finding], notes: dict[str, str]) -> list[Finding]:
    """Errors, and warnings whose indicator carries no explanation: what blocks a submission."""
    return [f for f in findings if f.is_error or not has_visible_text(notes.get(f.indicator))]
