"""审核 rules on hand-made figures; no database."""

from decimal import Decimal as D

import pytest

from jiqun.monitoring.checks import ERROR, WARNING, History, IndicatorRule, check_report, unexplained, yoy
from jiqun.monitoring.selectors import Figure, yoy_text

RULES = [
    IndicatorRule("revenue", "主营业务收入", "万元", "flow", 2, D(0), None),
    IndicatorRule("profit", "利润总额", "万元", "flow", 2, None, None),
    IndicatorRule("employees", "就业人数", "人", "stock", 0, D(0), None),
    IndicatorRule("researchers", "科研人员数量", "人", "stock", 0, D(0), None),
]
GOOD = {"revenue": (D(1000), D(900)), "profit": (D(80), D(70)), "employees": (D(500), D(480)),
        "researchers": (D(60), D(55))}


def messages(findings, severity):
    return [f.message for f in findings if f.severity == severity]


def test_good_figures_pass():
    assert check_report(RULES, GOOD, {}, quarter=2) == []


def test_missing_values_are_errors():
    values = {**GOOD, "profit": (None, D(70))}
    assert messages(check_report(RULES, values, {}, 2), ERROR) == ["“利润总额”本期累计未填报"]


def test_negative_revenue_is_an_error_but_a_loss_is_allowed():
    values = {**GOOD, "revenue": (D(-1), D(900)), "profit": (D(-50), D(70))}
    errors = messages(check_report(RULES, values, {}, 2), ERROR)
    assert any("主营业务收入" in m and "不能小于 0" in m for m in errors)
    assert not any("利润总额”本期累计为" in m for m in errors)


def test_profit_cannot_exceed_revenue():
    values = {**GOOD, "profit": (D(1200), D(70))}
    assert any("大于“主营业务收入”" in m for m in messages(check_report(RULES, values, {}, 2), ERROR))


def test_researchers_cannot_exceed_employees():
    values = {**GOOD, "researchers": (D(501), D(55))}
    assert any("科研人员数量" in m for m in messages(check_report(RULES, values, {}, 2), ERROR))


def test_too_many_decimals_is_an_error():
    values = {**GOOD, "employees": (D("500.5"), D(480))}
    assert any("最多保留 0 位小数" in m for m in messages(check_report(RULES, values, {}, 2), ERROR))


def test_yoy_over_half_needs_an_explanation():
    values = {**GOOD, "revenue": (D(1600), D(1000))}
    findings = check_report(RULES, values, {}, 2)
    assert messages(findings, WARNING) == ["“主营业务收入”同比增长 60.0%，超过 50%，请说明原因"]
    assert unexplained(findings, {}) and not unexplained(findings, {"revenue": "新增龙头企业投产"})


@pytest.mark.parametrize("note", ["", "   ", "\u2800", "\u3164\u3000", "\u200b\u200d", "\u00ad", "\uffa0\t"])
def test_a_note_that_shows_nothing_explains_nothing(note):
    findings = check_report(RULES, {**GOOD, "revenue": (D(1600), D(1000))}, {}, 2)
    assert unexplained(findings, {"revenue": note}) == findings


def test_a_cumulative_flow_that_falls_within_the_year_is_flagged():
    history = History(previous_quarter={"revenue": D(1100)})
    warnings = messages(check_report(RULES, GOOD, {}, 3, history), WARNING)
    assert any("累计值不应下降" in m for m in warnings)


def test_a_stock_may_fall():
    history = History(previous_quarter={"employees": D(520)})
    assert not any("累计值不应下降" in m for m in messages(check_report(RULES, GOOD, {}, 3, history), WARNING))


def test_a_yuan_for_wanyuan_slip_is_caught():
    history = History(previous_quarter={"revenue": D(225)})  # Q1 in 万元: at that pace, 1-6月 is about 450
    values = {**GOOD, "revenue": (D(4_500_000), D(4_400_000))}  # reported in 元
    warnings = messages(check_report(RULES, values, {}, 2, history), WARNING)
    assert any("10000 倍" in m and "计量单位" in m for m in warnings)


def test_a_changed_base_is_a_scope_adjustment():
    history = History(last_year_approved={"revenue": D(950)})
    warnings = messages(check_report(RULES, GOOD, {}, 2, history), WARNING)
    assert any("去年审定数 950 不一致" in m for m in warnings)


def test_yoy_and_its_wording():
    assert yoy(D(110), D(100)) == D("0.1")
    assert yoy(D(5), D(0)) is None and yoy(D(5), D(-3)) is None
    assert yoy_text(Figure(D(90), D(100))) == "下降 10.0%"
    assert yoy_text(Figure(D(5), D(0))) == "—"
    assert yoy_text(Figure(D(5), D(-3)), profit=True) == "扭亏"
    assert yoy_text(Figure(D(-1), D(-3)), profit=True) == "减亏"
    assert yoy_text(Figure(D(-5), D(-3)), profit=True) == "增亏"
