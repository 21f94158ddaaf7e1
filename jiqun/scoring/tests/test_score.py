"""Aggregation (weighted sum, TOPSIS with relative or fixed ideal), grades and the score() parameters."""

import tracemalloc

import numpy as np
import pytest

from jiqun.scoring import ScoringInputError, ahp, decision_matrix, entropy_weights, normalize, score, topsis
from jiqun.scoring.tests import examples as ex

X = np.array([[3.0, 200.0, 5.0], [5.0, 150.0, 2.0], [4.0, 300.0, 4.0], [2.0, 100.0, 1.0]])


def matrix():
    return decision_matrix(
        X,
        alternatives=["济南", "青岛", "烟台", "潍坊"],
        criteria=["产值", "能耗", "专利"],
        directions="+,-,+",
    )


def test_weighted_sum_of_minmax_is_the_default_for_wsum():
    result = score(matrix(), weights=[0.5, 0.2, 0.3], method="wsum")

    r = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
    r[:, 1] = 1 - r[:, 1]
    np.testing.assert_allclose(result.scores, r @ [0.5, 0.2, 0.3])
    assert result.params["normalization"] == "minmax"
    assert result.params["cost_rule"] == "complement"


def test_weighted_sum_refuses_an_unreflected_cost_criterion():
    with pytest.raises(ScoringInputError, match="criterion '能耗': is a cost criterion"):
        score(matrix(), weights="equal", method="wsum", normalization="vector", cost_rule="none")


def test_topsis_vector_gives_the_same_closeness_whether_cost_is_complemented_or_kept():
    kept = score(matrix(), weights="entropy", cost_rule="none")
    complemented = score(matrix(), weights="entropy", cost_rule="complement")

    np.testing.assert_allclose(kept.scores, complemented.scores, rtol=1e-12)


def test_topsis_with_a_fixed_ideal_does_not_depend_on_the_other_alternatives():
    bounds = ([0.0, 0.0, 0.0], [10.0, 500.0, 10.0])
    full = score(matrix(), weights=[0.5, 0.2, 0.3], normalization="minmax", ideal="fixed", bounds=bounds)
    fewer = decision_matrix(X[:2], directions="+,-,+")

    part = score(fewer, weights=[0.5, 0.2, 0.3], normalization="minmax", ideal="fixed", bounds=bounds)

    np.testing.assert_allclose(part.scores, full.scores[:2], rtol=1e-14)
    # The cost criterion keeps its orientation (cost rule 'none'): its ideal is the lower bound.
    np.testing.assert_allclose(full.tables["ideal"], [0.5, 0.0, 0.3])
    np.testing.assert_allclose(full.tables["anti_ideal"], [0.0, 0.2, 0.0])


def test_topsis_with_a_relative_ideal_depends_on_the_other_alternatives():
    full = score(matrix(), weights=[0.5, 0.2, 0.3], normalization="minmax")
    part = score(decision_matrix(X[:3], directions="+,-,+"), weights=[0.5, 0.2, 0.3], normalization="minmax")

    assert not np.allclose(part.scores, full.scores[:3])


def test_a_fixed_ideal_needs_bounds():
    with pytest.raises(ScoringInputError, match="fixed ideal needs"):
        score(matrix(), weights="equal", ideal="fixed")


def test_topsis_refuses_criteria_that_separate_nothing():
    m = decision_matrix([[1.0, 5.0], [1.0, 3.0]])

    with pytest.raises(ScoringInputError, match="no criterion with a positive weight separates"):
        score(m, weights=[1.0, 0.0])


def test_ahp_weights_are_matched_to_criteria_by_name():
    a = ahp([[1, 1 / 3, 1], [3, 1, 3], [1, 1 / 3, 1]], names=["专利", "产值", "能耗"])

    result = score(matrix(), weights=a)

    np.testing.assert_allclose(result.weights.weights, [a.weights[1], a.weights[2], a.weights[0]])
    assert result.weights.method == "ahp"
    assert result.params["weights"] == "given"


def test_weights_for_other_criteria_are_refused():
    a = ahp([[1, 1], [1, 1]], names=["产值", "利润"])

    with pytest.raises(ScoringInputError, match="criterion '能耗' has no weight"):
        score(matrix(), weights=a)


def test_precomputed_weights_are_accepted():
    w = entropy_weights(matrix())

    assert score(matrix(), weights=w).weights.method == "entropy"


def test_grades_follow_thresholds():
    result = score(
        matrix(),
        weights="equal",
        method="wsum",
        grade_thresholds=[0.7, 0.4],
        grade_labels=["优秀", "良好", "合格"],
    )

    expected = ["优秀" if s >= 0.7 else "良好" if s >= 0.4 else "合格" for s in result.scores]
    assert list(result.grades) == expected


def test_grades_need_one_more_label_than_thresholds():
    with pytest.raises(ScoringInputError, match="2 thresholds need 3 grade labels"):
        score(matrix(), weights="equal", grade_thresholds=[0.7, 0.4], grade_labels=["A", "B"])


def test_ranking_lists_best_first():
    result = score(
        decision_matrix(ex.AIRCRAFT, directions=ex.AIRCRAFT_DIRECTIONS), weights=ex.AIRCRAFT_WEIGHTS
    )

    assert [name for _, name, _ in result.ranking()] == ["A1", "A3", "A4", "A2"]


def test_results_are_read_only():
    result = score(matrix(), weights="entropy")

    for array in (result.normalized, result.scores, result.ranks, result.weights.weights):
        assert not array.flags.writeable


def test_weights_that_come_with_the_matrix_are_used_when_no_other_is_given():
    m = decision_matrix(X, directions="+,-,+", weights=[0.5, 0.2, 0.3])

    result = score(m, method="wsum")

    np.testing.assert_allclose(result.weights.weights, [0.5, 0.2, 0.3])
    assert result.weights.method == "fixed" and result.params["weights"] == "given"
    assert score(m, weights="equal").weights.method == "equal"  # weights given to score() win


def test_without_any_weights_it_asks_for_them():
    with pytest.raises(ScoringInputError, match="no weights"):
        score(matrix())


def test_a_matrix_larger_than_one_block_scores_like_the_whole_matrix_formulas():
    rng = np.random.default_rng(5)
    x = rng.uniform(1, 100, size=(3000, 30))  # 90,000 values: two blocks of 2,184 rows
    m = decision_matrix(x, directions=["+"] * 20 + ["-"] * 10)

    t = score(m, weights="entropy")
    w = score(m, weights="entropy", method="wsum")

    closeness, tables = topsis(normalize(m, "vector", cost_rule="none"), t.weights.weights, m.is_cost)
    np.testing.assert_allclose(t.scores, closeness, rtol=1e-13)
    np.testing.assert_allclose(t.tables["distance_to_ideal"], tables["distance_to_ideal"], rtol=1e-13)
    np.testing.assert_allclose(w.scores, normalize(m, "minmax") @ w.weights.weights, rtol=1e-13)


def test_scoring_a_large_matrix_allocates_far_less_than_the_matrix():
    # The input is read-only float64, so the matrix does not copy it; the normalised matrix is never
    # held whole (scores go block by block), so the peak is the ranks' work arrays, a few values per row.
    x = np.random.default_rng(0).uniform(0, 1000, size=(100_000, 20))
    x.flags.writeable = False
    m = decision_matrix(x, directions=["+"] * 15 + ["-"] * 5)

    tracemalloc.start()
    try:
        score(m, weights=[0.05] * 20, method="wsum")
        score(m, weights=[0.05] * 20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 0.6 * x.nbytes  # about 0.35 for the weighted sum and 0.4 for TOPSIS
