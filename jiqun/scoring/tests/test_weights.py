"""Objective weights and their combination (formulas and references in weights.py)."""

import numpy as np
import pytest

from jiqun.scoring import (
    ScoringInputError,
    combine_weights,
    critic_weights,
    cv_weights,
    decision_matrix,
    entropy_weights,
    equal_weights,
    fixed_weights,
)

X = np.array([[0.0, 1.0, 3.0], [2.0, 2.0, 4.0], [3.0, 5.0, 1.0], [1.0, 1.0, 1.0]])


def test_entropy_follows_the_definition_with_zero_log_zero_as_zero():
    result = entropy_weights(decision_matrix(X))

    p = X / X.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p), 0.0)
    e = -terms.sum(axis=0) / np.log(4)
    np.testing.assert_allclose(result.tables["entropy"], e)
    np.testing.assert_allclose(result.weights, (1 - e) / (1 - e).sum())
    assert result.params == {"variant": "raw", "k": pytest.approx(1 / np.log(4))}


def test_entropy_weights_of_uniform_columns_are_zero():
    m = decision_matrix([[1.0, 5.0, 2.0], [1.0, 1.0, 2.0]])

    result = entropy_weights(m)

    np.testing.assert_allclose(result.weights, [0.0, 1.0, 0.0])


def test_entropy_minmax_variant_reflects_cost_criteria():
    m = decision_matrix(X, directions="+,-,+")

    result = entropy_weights(m, variant="minmax")

    y = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
    y[:, 1] = 1 - y[:, 1]
    np.testing.assert_allclose(result.tables["proportions"], y / y.sum(axis=0))


def test_entropy_raw_variant_refuses_negative_values():
    with pytest.raises(ScoringInputError, match=r"alternative 'A1': value -1 is negative"):
        entropy_weights(decision_matrix([[-1.0], [2.0]]))


def test_entropy_needs_two_alternatives():
    with pytest.raises(ScoringInputError, match="at least 2 alternatives"):
        entropy_weights(decision_matrix([[1.0, 2.0]]))


def test_critic_follows_diakoulaki():
    m = decision_matrix(X, directions="+,-,+")

    result = critic_weights(m)

    r = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
    r[:, 1] = 1 - r[:, 1]
    c = r.std(axis=0) * (1 - np.corrcoef(r, rowvar=False)).sum(axis=0)
    np.testing.assert_allclose(result.weights, c / c.sum())


def test_critic_refuses_a_constant_criterion():
    with pytest.raises(ScoringInputError, match="criterion 'C2': all alternatives have the same value"):
        critic_weights(decision_matrix([[1.0, 2.0], [3.0, 2.0]]))


def test_cv_weights_are_relative_coefficients_of_variation():
    result = cv_weights(decision_matrix(X + 1))

    cv = (X + 1).std(axis=0, ddof=1) / (X + 1).mean(axis=0)
    np.testing.assert_allclose(result.weights, cv / cv.sum())


def test_equal_weights():
    np.testing.assert_allclose(equal_weights(decision_matrix(X)).weights, [1 / 3] * 3)


def test_linear_combination():
    s = fixed_weights([0.5, 0.3, 0.2], ["a", "b", "c"])
    o = fixed_weights([0.2, 0.2, 0.6], ["a", "b", "c"])

    result = combine_weights(s, o, method="linear", alpha=0.25)

    np.testing.assert_allclose(result.weights, 0.25 * s.weights + 0.75 * o.weights)
    assert result.params["alpha"] == 0.25


def test_multiplicative_combination_reorders_by_name():
    s = fixed_weights([0.5, 0.3, 0.2], ["a", "b", "c"])
    o = fixed_weights([0.6, 0.2, 0.2], ["c", "a", "b"])

    result = combine_weights(s, o, method="multiplicative")

    product = np.array([0.5 * 0.2, 0.3 * 0.2, 0.2 * 0.6])
    np.testing.assert_allclose(result.weights, product / product.sum())


def test_combination_needs_the_same_criteria():
    with pytest.raises(ScoringInputError, match="same criteria"):
        combine_weights(fixed_weights([1.0], ["a"]), fixed_weights([1.0], ["b"]))


def test_weights_are_exactly_renormalised_within_tolerance():
    result = fixed_weights([0.2, 0.3, 0.5 + 1e-9], ["a", "b", "c"])

    assert result.weights.sum() == pytest.approx(1.0, abs=1e-15)
