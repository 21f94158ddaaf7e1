"""The chain rules on their own (jiqun/chains/rules.py): each rating branch, parameter checks, a parent rated
from its children, the local supporting rate's two bases, and the haversine distance - all hand-computed."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from jiqun.chains import rules
from jiqun.chains.rules import MISSING, STRONG, WEAK

D = Decimal
DEFAULTS = rules.DEFAULTS


def rate(params=None, **inputs) -> str:
    given = {"local_enterprises": 0, "above_scale": 0, "leaders": 0, "producing_projects": 0, "share": None,
             "outside_only": False} | inputs
    return rules.rate_segment(**given, params=rules.check_params(params or {})[0])


def test_a_segment_without_local_enterprises_or_producing_projects_is_missing():
    assert rate() == MISSING
    assert rate(share=D(0), outside_only=True) == MISSING  # bought from outside, made by no one here


def test_three_local_enterprises_one_above_scale_and_half_bought_locally_make_a_segment_strong():
    assert rate(local_enterprises=3, above_scale=1, share=D(50)) == STRONG
    assert rate(local_enterprises=3, above_scale=1) == STRONG  # no value-weighted share: not held against it


@pytest.mark.parametrize("inputs", [
    {"local_enterprises": 2, "above_scale": 2, "share": D(90)},  # too few
    {"local_enterprises": 3, "above_scale": 0, "share": D(90)},  # none of them 规模以上
    {"local_enterprises": 3, "above_scale": 1, "share": D("49.99")},  # bought mostly from outside
    {"local_enterprises": 5, "above_scale": 5, "share": D(0), "outside_only": True},  # bought only from outside
])
def test_a_present_segment_short_of_any_condition_is_weak(inputs):
    assert rate(**inputs) == WEAK


def test_a_leader_counts_double_and_a_producing_project_counts_once():
    assert rate(local_enterprises=2, above_scale=1, leaders=1) == STRONG  # 2 + 1 × (2 − 1) = 3
    assert rate(local_enterprises=1, above_scale=1, producing_projects=1) == WEAK  # 1 + 1 = 2
    assert rate(producing_projects=1) == WEAK  # a producing project alone turns 缺 into 弱


def test_a_chains_parameters_override_the_defaults():
    assert rate({"strong_min_enterprises": 2}, local_enterprises=2, above_scale=1) == STRONG
    assert rate({"strong_min_local_share": "40"}, local_enterprises=3, above_scale=1, share=D(45)) == STRONG
    assert rate({"leader_counts_as": 3}, local_enterprises=1, above_scale=1, leaders=1) == STRONG  # 1 + 2
    assert rate({"project_counts_as": 0}, producing_projects=2) == MISSING
    assert rate({"outside_only_is_weak": False}, local_enterprises=3, above_scale=1, outside_only=True) == STRONG


def test_check_params_names_every_unknown_key_and_bad_value_and_keeps_the_defaults():
    params, problems = rules.check_params({"strong_min_enterprise": 2, "strong_min_local_share": 150,
                                           "leader_counts_as": True, "parent_rule": "average",
                                           "count_share_decides": "yes", "strong_min_above_scale": "２"})
    assert [(p.key, p.what) for p in problems] == [
        ("strong_min_enterprise", "unknown"), ("strong_min_local_share", "range"), ("leader_counts_as", "type"),
        ("parent_rule", "choice"), ("count_share_decides", "type"), ("strong_min_above_scale", "type")]
    assert params == DEFAULTS
    assert rules.check_params(["strong_min_enterprises"])[1] == [rules.Problem("", "mapping")]
    params, problems = rules.check_params({"strong_min_enterprises": "4", "strong_min_local_share": 62.5,
                                           "parent_rule": "strongest", "count_share_decides": True})
    assert problems == []
    assert (params["strong_min_enterprises"], params["strong_min_local_share"], params["parent_rule"]) == (
        4, D("62.5"), "strongest")


def test_a_parent_takes_its_weakest_child_or_by_its_rule_the_strongest():
    assert rules.parent_rating([STRONG, WEAK, STRONG]) == WEAK
    assert rules.parent_rating([STRONG, MISSING, WEAK]) == MISSING
    assert rules.parent_rating([MISSING, WEAK], "strongest") == WEAK
    assert rules.parent_rating([]) == MISSING


@dataclass(frozen=True)
class Bought:
    supplier_key: str
    local: bool | None
    amount: Decimal | None


def test_the_rate_is_value_weighted_when_every_amount_is_known():
    assert rules.local_rate([Bought("a", True, D(300)), Bought("b", False, D(700))]) == (D("30.00"), "amount")
    assert rules.local_rate([Bought("a", True, D(1)), Bought("b", False, D(2))]) == (D("33.33"), "amount")


def test_the_rate_counts_distinct_suppliers_when_an_amount_is_missing():
    # a: local; b: outside twice (one supplier); c: outside → 1 of 3 suppliers
    bought = [Bought("a", True, D(900)), Bought("b", False, None), Bought("b", False, D(5)), Bought("c", False, D(1))]
    assert rules.local_rate(bought) == (D("33.33"), "count")
    assert rules.local_rate([Bought("a", None, D(900))]) == (None, "")  # locality unknown: left out
    assert rules.local_rate([Bought("a", None, D(900)), Bought("b", False, D(100))]) == (D("0.00"), "amount")
    assert rules.local_rate([]) == (None, "")


def test_the_haversine_distance_of_one_degree_of_latitude_is_111_2_km():
    assert rules.distance_km(35, "116.5", 36, "116.5") == D("111.2")  # 6371.0088 × π / 180
    assert rules.distance_km(D(35), D("116.5"), D(31), D("116.5")) == D("444.8")
    assert rules.distance_km(0, 0, 0, 0) == D("0.0")
