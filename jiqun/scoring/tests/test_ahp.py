"""AHP priorities, consistency and hierarchy synthesis (definitions and references in ahp.py)."""

import numpy as np
import pytest

from jiqun.scoring import RANDOM_INDEX, ScoringInputError, ahp, ahp_hierarchy, pairwise_matrix, random_index
from jiqun.scoring.tests import examples as ex

CONSISTENT = np.array([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]])


@pytest.mark.parametrize("priority", ["eigen", "mean", "geometric"])
def test_every_priority_method_recovers_a_consistent_matrix_exactly(priority):
    result = ahp(CONSISTENT, priority=priority)

    np.testing.assert_allclose(result.weights, [4 / 7, 2 / 7, 1 / 7])
    assert result.lambda_max == pytest.approx(3.0)
    assert result.cr == pytest.approx(0.0, abs=1e-12)
    assert result.consistent


def test_mean_method_averages_normalised_columns():
    a = ex.house_matrix()

    result = ahp(a, priority="mean")

    np.testing.assert_allclose(result.weights, (a / a.sum(axis=0)).mean(axis=1))
    assert result.lambda_max == pytest.approx(((a @ result.weights) / result.weights).mean())


def test_geometric_method_uses_row_geometric_means():
    a = ex.house_matrix()

    result = ahp(a, priority="geometric")

    g = np.prod(a, axis=1) ** (1 / 8)
    np.testing.assert_allclose(result.weights, g / g.sum())


def test_the_ri_table_is_named_and_changes_cr():
    a = ex.house_matrix()

    saaty = ahp(a, ri="saaty")
    alonso = ahp(a, ri="alonso-lamata")

    assert (saaty.ri, alonso.ri) == (1.41, 1.4056)
    assert alonso.cr == pytest.approx(saaty.ci / 1.4056)


def test_random_index_tables_cover_fifteen_orders():
    assert all(len(values) == 15 for values in RANDOM_INDEX.values())
    assert random_index(9, "cn-textbook") == 1.46
    with pytest.raises(ScoringInputError, match="stops at n = 15"):
        random_index(16)


def test_two_by_two_matrices_are_always_consistent():
    result = ahp([[1, 7], [1 / 7, 1]])

    assert (result.ci, result.cr) == (0.0, 0.0)
    np.testing.assert_allclose(result.weights, [7 / 8, 1 / 8])


def test_blank_cells_take_the_reciprocal_of_their_mirror():
    a, names = pairwise_matrix([[np.nan, 3, np.nan], [np.nan, 1, 2], [5, np.nan, 1]], ["x", "y", "z"])

    np.testing.assert_allclose(a, [[1, 3, 1 / 5], [1 / 3, 1, 2], [5, 1 / 2, 1]])
    assert names == ("x", "y", "z")


def test_a_non_reciprocal_cell_is_named():
    with pytest.raises(ScoringInputError, match=r"pairwise cell \('a', 'b'\) = 3 but its mirror is 0.5"):
        ahp([[1, 3], [0.5, 1]], names=["a", "b"])


def test_a_rounded_reciprocal_is_accepted():
    result = ahp([[1, 3, 1], [0.33, 1, 0.333], [1, 3, 1]])

    assert result.weights.sum() == pytest.approx(1.0)


def test_a_non_square_matrix_is_refused():
    with pytest.raises(ScoringInputError, match="must be square"):
        ahp([[1, 2, 3], [0.5, 1, 2]])


def test_hierarchy_multiplies_local_weights_and_weights_level_consistency():
    top = [[1, 3], [1 / 3, 1]]
    economy = [[1, 2, 5], [1 / 2, 1, 3], [1 / 5, 1 / 3, 1]]
    innovation = [[1, 4], [1 / 4, 1]]

    h = ahp_hierarchy(
        {
            "goal": (["经济", "创新"], top),
            "经济": (["产值", "税收", "就业"], economy),
            "创新": (["研发", "专利"], innovation),
        },
        root="goal",
    )

    t, e, i = ahp(top), ahp(economy), ahp(innovation)
    assert h.leaves == ("产值", "税收", "就业", "研发", "专利")
    expected = np.concatenate([t.weights[0] * e.weights, t.weights[1] * i.weights])
    np.testing.assert_allclose(h.global_weights, expected)
    assert h.global_weights.sum() == pytest.approx(1.0)
    level1 = (t.weights[0] * e.ci + t.weights[1] * i.ci) / (t.weights[0] * e.ri + t.weights[1] * i.ri)
    assert h.level_cr == (0.0, pytest.approx(level1))
    assert h.total_cr == pytest.approx((e.ci * t.weights[0]) / (t.ri + t.weights[0] * e.ri))
    assert h.to_weights().criteria == h.leaves


def test_hierarchy_refuses_a_node_outside_the_root():
    with pytest.raises(ScoringInputError, match="not under the root"):
        ahp_hierarchy(
            {"goal": (["a", "b"], [[1, 1], [1, 1]]), "stray": (["c", "d"], [[1, 1], [1, 1]])}, root="goal"
        )


def test_a_zero_judgement_is_named_not_its_blank_mirror():
    with pytest.raises(
        ScoringInputError, match=r"pairwise cell \('a', 'b'\) is 0; judgements must be positive"
    ):
        ahp([[1, 0], [np.nan, 1]], names=["a", "b"])


def test_the_cumulative_cr_adds_the_level_ratios():
    economy = [[1, 2, 5], [1 / 2, 1, 3], [1 / 5, 1 / 3, 1]]
    h = ahp_hierarchy(
        {"goal": (["经济", "创新", "开放"], economy), "经济": (["产值", "税收", "就业"], economy)},
        root="goal",
    )

    assert h.cumulative_cr == pytest.approx(sum(h.level_cr))
    assert h.level_cr[0] == pytest.approx(ahp(economy).cr)
    assert h.to_dict()["cumulative_cr"] == h.cumulative_cr
