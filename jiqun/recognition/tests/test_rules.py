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


def test_the_command_lists_and_shows_the_demo_round(db) -> None:
    import json
    from io import StringIO

    import pytest
    from django.core.management import CommandError, call_command

    from jiqun.recognition.demo import TITLE
    from jiqun.recognition.models import Call

    out = StringIO()
    call_command("rounds", "list", stdout=out)
    assert TITLE in out.getvalue()
    call = Call.objects.get(title=TITLE)
    out = StringIO()
    call_command("rounds", "show", str(call.pk), "--json", stdout=out)
    shown = json.loads(out.getvalue())
    assert shown["status"] == "review" and len(shown["applications"]) == 4
    assert any("低于门槛" in r for a in shown["applications"] for r in a["screen"])
    with pytest.raises(CommandError, match="没有编号为 999999"):
        call_command("rounds", "show", "999999")


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

score = st.decimals(min_value=0, max_value=100, places=2)


@given(st.lists(score, min_size=1, max_size=12))
def test_the_trimmed_mean_lies_within_the_scores(scores) -> None:
    mean = rules.trimmed_mean(scores)
    assert min(scores) <= mean <= max(scores)


@given(st.lists(score, min_size=5, max_size=12), score)
def test_one_extreme_score_cannot_move_a_trimmed_mean_of_five_or_more(scores, outlier) -> None:
    """Raising the highest score (or lowering the lowest) to anything changes nothing: it is dropped."""
    ordered = sorted(scores)
    higher = ordered[:-1] + [max(ordered[-1], outlier)]
    lower = [min(ordered[0], outlier)] + ordered[1:]
    assert rules.trimmed_mean(higher) == rules.trimmed_mean(ordered) == rules.trimmed_mean(lower)
