"""Validation of the decision matrix: every message names the alternative and the criterion."""

import numpy as np
import pytest

from jiqun.scoring import ScoringInputError, decision_matrix, fixed_weights, normalize, parse_direction


def test_it_names_alternative_and_criterion_of_a_missing_value():
    values = [[1.0, 2.0], [3.0, np.nan], [5.0, 6.0]]

    with pytest.raises(ScoringInputError) as info:
        decision_matrix(
            values, alternatives=["A1", "A2", "A3"], criteria=["产值", "R&D"], labels=["产值", "研发投入"]
        )

    assert (
        str(info.value) == "criterion 'R&D' (研发投入) of alternative 'A2': value is missing (NaN) / 值缺失"
    )
    assert (info.value.alternative, info.value.criterion) == ("A2", "R&D")


def test_it_rejects_an_infinite_value():
    with pytest.raises(ScoringInputError, match=r"criterion 'C1' of alternative 'A2': value is infinite"):
        decision_matrix([[1.0], [np.inf]])


def test_it_rejects_text_in_the_matrix():
    with pytest.raises(ScoringInputError, match="not numbers"):
        decision_matrix([[1.0, "abc"]])


@pytest.mark.parametrize("values", [[1.0, 2.0], [[[1.0]]], np.empty((0, 3))])
def test_it_rejects_a_wrong_shape(values):
    with pytest.raises(ScoringInputError):
        decision_matrix(values)


def test_it_rejects_a_wrong_number_of_names():
    with pytest.raises(ScoringInputError, match="2 alternative names for 3 alternatives"):
        decision_matrix(np.ones((3, 2)), alternatives=["A", "B"])


def test_it_rejects_duplicate_names():
    with pytest.raises(ScoringInputError, match="criterion 'x' appears twice"):
        decision_matrix(np.ones((2, 2)), criteria=["x", "x"])


def test_it_rejects_a_wrong_number_of_directions():
    with pytest.raises(ScoringInputError, match="3 directions for 2 criteria"):
        decision_matrix(np.ones((2, 2)), directions="+,-,+")


def test_it_names_the_criterion_with_a_bad_direction():
    with pytest.raises(ScoringInputError, match="criterion 'C2': direction 'up'"):
        decision_matrix(np.ones((2, 2)), directions=["+", "up"])


@pytest.mark.parametrize("token", ["+", "benefit", "max", 1, "正向"])
def test_it_reads_benefit_tokens(token):
    assert parse_direction(token) == "benefit"


@pytest.mark.parametrize("token", ["-", "cost", "min", -1, "负向", "逆向"])
def test_it_reads_cost_tokens(token):
    assert parse_direction(token) == "cost"


def test_it_defaults_names_and_directions():
    m = decision_matrix(np.ones((2, 3)))

    assert m.alternatives == ("A1", "A2")
    assert m.criteria == ("C1", "C2", "C3")
    assert m.directions == ("benefit",) * 3


def test_it_keeps_values_read_only_and_copies_a_writable_input():
    source = np.array([[1.0, 2.0], [3.0, 4.0]])
    m = decision_matrix(source)
    source[0, 0] = 99.0

    assert m.values[0, 0] == 1.0
    assert not m.values.flags.writeable


def test_it_does_not_copy_a_read_only_float_array():
    source = np.array([[1.0, 2.0], [3.0, 4.0]])
    source.flags.writeable = False

    assert decision_matrix(source).values is source


def test_it_names_a_negative_value_for_vector_normalisation():
    m = decision_matrix([[1.0, 2.0], [-3.0, 4.0]], alternatives=["甲", "乙"], criteria=["增速", "产值"])

    with pytest.raises(
        ScoringInputError, match=r"criterion '增速' of alternative '乙': value -3 is negative"
    ):
        normalize(m, "vector")


def test_it_names_a_constant_criterion_for_minmax():
    m = decision_matrix([[1.0, 2.0], [3.0, 2.0]], criteria=["a", "flat"])

    with pytest.raises(ScoringInputError, match=r"criterion 'flat': all alternatives have the same value 2"):
        normalize(m, "minmax")


def test_it_rejects_weights_that_do_not_sum_to_one():
    with pytest.raises(ScoringInputError, match="weights must sum to 1, they sum to 0.9"):
        fixed_weights([0.5, 0.4], ["a", "b"])


def test_it_names_the_criterion_of_a_negative_weight():
    with pytest.raises(ScoringInputError, match="criterion 'b': weight -0.1"):
        fixed_weights([1.1, -0.1], ["a", "b"])


def test_it_rejects_a_wrong_number_of_weights():
    with pytest.raises(ScoringInputError, match="3 weights for 2 criteria"):
        fixed_weights([0.2, 0.3, 0.5], ["a", "b"])


def test_it_round_trips_a_matrix_through_a_dict():
    m = decision_matrix([[1.0, 2.0], [3.0, 4.0]], directions="+,-", labels=["产值", "能耗"])

    back = type(m).from_dict(m.to_dict())

    assert back.to_dict() == m.to_dict()


def test_it_carries_checked_weights():
    m = decision_matrix(np.ones((2, 3)), criteria=["a", "b", "c"], weights=[0.2, 0.3, 0.5])

    assert m.weights.tolist() == [0.2, 0.3, 0.5]
    assert type(m).from_dict(m.to_dict()).weights.tolist() == [0.2, 0.3, 0.5]


def test_it_names_the_criterion_of_a_bad_weight_in_the_matrix():
    with pytest.raises(ScoringInputError, match="criterion 'b': weight nan"):
        decision_matrix(np.ones((2, 2)), criteria=["a", "b"], weights=[1.0, np.nan])
    with pytest.raises(ScoringInputError, match="weights must sum to 1, they sum to 1.1"):
        decision_matrix(np.ones((2, 2)), weights=[0.6, 0.5])


def test_messages_in_chinese_name_the_method_in_chinese():
    m = decision_matrix([[1.0, 2.0], [1.0, 3.0]], criteria=["产值", "税收"])

    with pytest.raises(ScoringInputError) as info:
        normalize(m, "minmax")

    assert str(info.value).endswith("/ 所有方案取值相同，无法进行极差标准化；请删除该指标或改用其他方法")
