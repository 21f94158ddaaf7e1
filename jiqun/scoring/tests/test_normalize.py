"""Normalisation formulas and their cost rules (see normalize.py for the references)."""

import json

import numpy as np
import pytest

from jiqun.scoring import Scaling, ScoringInputError, decision_matrix, normalize
from jiqun.scoring.normalize import fit

X = np.array([[1.0, 4.0], [2.0, 2.0], [4.0, 1.0]])


def matrix(directions="+,-"):
    return decision_matrix(X, directions=directions)


def test_vector_divides_by_the_column_norm_and_complements_cost():
    r = normalize(matrix(), "vector")

    norm = np.sqrt(21.0)
    np.testing.assert_allclose(r[:, 0], X[:, 0] / norm)
    np.testing.assert_allclose(r[:, 1], 1 - X[:, 1] / norm)


def test_vector_with_cost_rule_none_keeps_the_values():
    r = normalize(matrix(), "vector", cost_rule="none")

    np.testing.assert_allclose(r, X / np.sqrt(21.0))


def test_vector_reciprocal_normalises_one_over_x():
    r = normalize(matrix(), "vector", cost_rule="reciprocal")

    inv = 1 / X[:, 1]
    np.testing.assert_allclose(r[:, 1], inv / np.sqrt((inv**2).sum()))


def test_minmax_reflects_cost_as_max_minus_x_over_range():
    r = normalize(matrix(), "minmax")

    np.testing.assert_allclose(r[:, 0], [0.0, 1 / 3, 1.0])
    np.testing.assert_allclose(r[:, 1], [0.0, 2 / 3, 1.0])


def test_sum_uses_reciprocal_shares_for_cost_by_default():
    r = normalize(matrix(), "sum")

    np.testing.assert_allclose(r[:, 0], X[:, 0] / 7)
    inv = 1 / X[:, 1]
    np.testing.assert_allclose(r[:, 1], inv / inv.sum())
    np.testing.assert_allclose(r.sum(axis=0), 1.0)


def test_sum_complement_is_one_minus_the_share():
    r = normalize(matrix(), "sum", cost_rule="complement")

    np.testing.assert_allclose(r[:, 1], 1 - X[:, 1] / 7)


def test_max_uses_min_over_x_for_cost_as_hwang_yoon_linear_scale():
    r = normalize(matrix(), "max")

    np.testing.assert_allclose(r[:, 0], X[:, 0] / 4)
    np.testing.assert_allclose(r[:, 1], 1.0 / X[:, 1])


def test_max_complement_is_one_minus_x_over_max():
    r = normalize(matrix(), "max", cost_rule="complement")

    np.testing.assert_allclose(r[:, 1], 1 - X[:, 1] / 4)


def test_zscore_uses_the_sample_standard_deviation_and_negates_cost():
    r = normalize(matrix(), "zscore")

    for j, sign in ((0, 1), (1, -1)):
        col = X[:, j]
        np.testing.assert_allclose(r[:, j], sign * (col - col.mean()) / col.std(ddof=1))


def test_minmax_with_bounds_uses_the_bounds_not_the_data():
    r = normalize(matrix(), "minmax", bounds=([0.0, 0.0], [10.0, 5.0]))

    np.testing.assert_allclose(r[:, 0], X[:, 0] / 10)
    np.testing.assert_allclose(r[:, 1], (5 - X[:, 1]) / 5)


def test_a_value_outside_its_bounds_is_named():
    with pytest.raises(ScoringInputError, match=r"criterion 'C1' of alternative 'A3': value 4 lies outside"):
        normalize(matrix(), "minmax", bounds=([0.0, 0.0], [3.0, 5.0]))


def test_bounds_are_refused_for_vector_normalisation():
    with pytest.raises(ScoringInputError, match="fixed bounds need"):
        normalize(matrix(), "vector", bounds=([0.0, 0.0], [10.0, 5.0]))


def test_reciprocal_rule_refuses_a_zero_cost_value():
    m = decision_matrix([[1.0, 0.0], [2.0, 3.0]], directions="+,-")

    with pytest.raises(
        ScoringInputError, match=r"criterion 'C2' of alternative 'A1': value 0 is not positive"
    ):
        normalize(m, "sum")


def test_an_all_zero_column_is_refused_for_vector_normalisation():
    m = decision_matrix([[1.0, 0.0], [2.0, 0.0]])

    with pytest.raises(ScoringInputError, match="criterion 'C2': every value is 0"):
        normalize(m, "vector")


def test_an_unknown_cost_rule_is_refused():
    with pytest.raises(ScoringInputError, match="cost rule 'negate' does not apply to vector"):
        normalize(matrix(), "vector", cost_rule="negate")


def test_normalising_does_not_modify_the_input():
    m = matrix()
    before = m.values.copy()

    for method in ("vector", "minmax", "sum", "max", "zscore"):
        normalize(m, method)

    np.testing.assert_array_equal(m.values, before)


@pytest.mark.parametrize("method", ["vector", "minmax", "sum", "max", "zscore"])
def test_a_block_of_rows_normalises_exactly_like_the_whole_matrix(method):
    x = np.random.default_rng(2).uniform(1, 50, size=(40, 4))
    m = decision_matrix(x, directions="+,-,+,-")
    scaling = fit(m, method)

    whole = normalize(m, method)

    np.testing.assert_array_equal(np.vstack([scaling.apply(x[:13]), scaling.apply(x[13:])]), whole)


def test_max_reciprocal_is_exactly_min_over_x():
    r = normalize(matrix(), "max")

    assert r[:, 1].tolist() == [1.0 / 4.0, 1.0 / 2.0, 1.0 / 1.0]


def test_the_column_statistics_are_named_and_round_trip():
    scaling = fit(matrix(), "vector", cost_rule="reciprocal")

    assert scaling.statistics["norm"].tolist() == [np.sqrt(21.0), np.sqrt(1 + 1 / 4 + 1 / 16)]
    back = Scaling.from_dict(json.loads(json.dumps(scaling.to_dict())))
    np.testing.assert_array_equal(back.apply(X), scaling.apply(X))


def test_fixed_extremes_need_bounds():
    with pytest.raises(ScoringInputError, match="fixed ideal needs bounds"):
        fit(matrix(), "minmax").extremes(matrix(), fixed=True)
