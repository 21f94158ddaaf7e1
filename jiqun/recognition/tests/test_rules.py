from decimal import Decimal

from jiqun.recognition import rules


def test_it_drops_the_highest_and_lowest_from_five_scores() -> None:
    assert rules.trimmed_mean([Decimal(s) for s in (90, 80, 70, 60, 95)]) == Decimal(80)


def test_it_keeps_every_score_below_five() -> None:
    assert rules.trimmed_mean([Decimal(s) for s in (85, 85, 80, 90)]) == Decimal(85)
    assert rules.trimmed_mean([]) is None


def test_it_weights_the_aspects() -> None:
    scores = {"a": Decimal(90), "b": Decimal(60)}
    assert rules.weighted_score(scores, {"a": Decimal(2), "b": Decimal(1)}) == Decimal(80)


def test_it_names_the_failed_threshold_with_value_and_minimum() -> None:
    checks = rules.screen({"revenue": Decimal(12_610_000)},
                          [("revenue", "主营业务收入", "万元", Decimal("15000000.0000"))])
    assert not checks[0].passed
    assert checks[0].reason == "主营业务收入 12610000 万元 低于门槛 15000000 万元"


def test_it_says_why_a_figure_is_missing() -> None:
    checks = rules.screen({"revenue": None}, [("revenue", "主营业务收入", "万元", Decimal(1))],
                          {"revenue": "2025 年全年报表未经省级审核：甲集群"})
    assert not checks[0].passed and "未经省级审核：甲集群" in checks[0].reason


def test_it_selects_within_the_quota_and_breaks_ties_by_expert_score() -> None:
    ranked = rules.rank([(1, Decimal(80), Decimal(70), "乙"), (2, Decimal(80), Decimal(75), "甲"),
                         (3, Decimal(90), Decimal(60), "丙")], quota=2)
    assert [(r.key, r.rank, r.selected) for r in ranked] == [(3, 1, True), (2, 2, True), (1, 3, False)]
