"""Ranks with explicit tie rules at a stated tolerance, and grades."""

import numpy as np
import pytest

from jiqun.scoring import ScoringInputError, grade, rank, rank_columns, rank_rows, tied


@pytest.mark.parametrize(
    ("ties", "expected"),
    [("min", [1, 2, 2, 4]), ("dense", [1, 2, 2, 3]), ("max", [1, 3, 3, 4]), ("ordinal", [1, 2, 3, 4])],
)
def test_tie_rules(ties, expected):
    assert rank([0.9, 0.5, 0.5, 0.1], ties=ties).tolist() == expected


def test_min_is_the_default_tie_rule():
    assert rank([3.0, 3.0, 1.0]).tolist() == [1, 1, 3]


def test_float_noise_does_not_break_a_tie():
    assert rank([0.1 + 0.2, 0.3]).tolist() == [1, 1]


def test_a_difference_in_the_twelfth_digit_is_not_a_tie():
    assert rank([0.300000000001, 0.3]).tolist() == [1, 2]


def test_the_tolerance_is_configurable():
    assert rank([0.3001, 0.3], digits=3).tolist() == [1, 1]


def test_lower_is_better_ranks_the_smallest_first():
    assert rank([5.0, 1.0, 3.0], higher_is_better=False).tolist() == [3, 1, 2]


def test_rank_columns_ranks_each_column_like_rank():
    scores = np.random.default_rng(3).integers(0, 5, size=(20, 7)).astype(float)

    for ties in ("min", "dense", "max", "ordinal"):
        by_column = rank_columns(scores, ties=ties)
        for k in range(scores.shape[1]):
            assert by_column[:, k].tolist() == rank(scores[:, k], ties=ties).tolist()


def test_rank_rows_ranks_each_row():
    scores = np.array([[0.1, 0.3, 0.2], [5.0, 5.0, 1.0]])

    assert rank_rows(scores).tolist() == [[3, 1, 2], [1, 1, 3]]


def test_the_tolerance_is_relative_to_the_magnitude():
    assert tied(1e15, 1e15 + 0.5)
    assert not tied(1e-15, 2e-15)
    assert tied(0.0, 0.0)
    assert rank([0.0, 1e-300, -1e-300]).tolist() == [2, 1, 3]


def test_unknown_tie_rule_is_refused():
    with pytest.raises(ScoringInputError, match="unknown tie rule 'average'"):
        rank([1.0, 2.0], ties="average")


def test_a_score_on_the_threshold_reaches_the_grade():
    assert grade([0.8, 0.7999, 0.6 + 1e-15], [0.8, 0.6], ["A", "B", "C"]) == ("A", "B", "B")


def test_thresholds_must_decrease():
    with pytest.raises(ScoringInputError, match="strictly decreasing"):
        grade([0.5], [0.6, 0.8], ["A", "B", "C"])


def test_rows_with_and_without_ties_are_ranked_alike():
    scores = np.array([[0.4, 0.1, 0.3, 0.2], [0.5, 0.5, 0.1, 0.2], [0.3, 0.3 + 1e-15, 0.9, 0.0]])

    for ties in ("min", "dense", "max", "ordinal"):
        together = rank_rows(scores, ties=ties)
        for k, row in enumerate(scores):
            assert together[k].tolist() == rank(row, ties=ties).tolist()
    assert rank_rows(scores).tolist() == [[1, 4, 2, 3], [1, 1, 4, 3], [2, 2, 1, 4]]


def test_a_gap_just_above_the_tolerance_is_not_a_tie_anywhere_in_the_row():
    # The quick test "smallest gap > tolerance at the largest magnitude" must not hide this pair.
    assert rank([1000.0, 0.5, 0.5 + 1e-13]).tolist() == [1, 2, 2]
    assert rank([1000.0, 0.5, 0.5 + 1e-9]).tolist() == [1, 3, 2]


def test_no_score_and_one_score_rank_trivially():
    assert rank([]).tolist() == []
    assert rank([0.5], ties="dense").tolist() == [1]
