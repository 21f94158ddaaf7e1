"""Results round-trip through JSON and re-run to the same numbers."""

import json
from pathlib import Path

import numpy as np
import pytest

from jiqun.scoring import ScoreResult, ahp, decision_matrix, entropy_weights, normalize, score
from jiqun.scoring.tests import examples as ex


def matrix():
    return decision_matrix(
        ex.AIRCRAFT,
        alternatives=["歼A", "歼B", "歼C", "歼D"],
        criteria=ex.AIRCRAFT_CRITERIA,
        directions=ex.AIRCRAFT_DIRECTIONS,
    )


def assert_same(a: ScoreResult, b: ScoreResult) -> None:
    assert a.to_dict() == b.to_dict()
    np.testing.assert_array_equal(a.scores, b.scores)
    np.testing.assert_array_equal(a.ranks, b.ranks)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weights": "entropy"},
        {"weights": "critic", "method": "wsum", "normalization": "zscore"},
        {
            "weights": ex.AIRCRAFT_WEIGHTS,
            "ties": "dense",
            "grade_thresholds": [0.5],
            "grade_labels": ["好", "差"],
        },
        {
            "weights": "cv",
            "normalization": "minmax",
            "ideal": "fixed",
            "bounds": ([1, 1000, 10000, 1, 0, 0], [3, 3000, 30000, 10, 10, 10]),
        },
    ],
)
def test_a_result_round_trips_through_json(kwargs):
    result = score(matrix(), **kwargs)

    back = ScoreResult.from_json(result.to_json())

    assert_same(back, result)
    np.testing.assert_array_equal(back.weighted, result.weighted)


@pytest.mark.parametrize("weights", ["entropy", "equal", "critic", "cv", ex.AIRCRAFT_WEIGHTS])
def test_rerun_from_stored_json_gives_the_same_result(weights):
    result = score(matrix(), weights=weights)

    rerun = ScoreResult.from_json(result.to_json()).rerun()

    assert_same(rerun, result)


def test_rerun_keeps_ahp_weights_and_their_provenance():
    pairwise = np.ones((6, 6))
    pairwise[0, 5], pairwise[5, 0] = 3, 1 / 3
    result = score(matrix(), weights=ahp(pairwise, names=ex.AIRCRAFT_CRITERIA))

    rerun = ScoreResult.from_json(result.to_json()).rerun()

    assert_same(rerun, result)
    assert rerun.weights.method == "ahp"
    assert rerun.weights.params["pairwise"] == pairwise.tolist()


def test_the_json_carries_every_table_and_the_parameters():
    data = json.loads(score(matrix(), weights="entropy").to_json())

    assert {
        "matrix",
        "weights",
        "params",
        "normalization",
        "normalized",
        "weighted",
        "scores",
        "ranks",
    } <= set(data)
    assert set(data["tables"]) == {"ideal", "anti_ideal", "distance_to_ideal", "distance_to_anti_ideal"}
    assert set(data["weights"]["tables"]) == {"proportions", "entropy", "divergence"}
    assert data["params"]["method"] == "topsis" and data["params"]["ties"] == "min"
    assert data["matrix"]["alternatives"][0] == "歼A"


def test_an_unknown_format_is_refused():
    data = score(matrix(), weights="entropy").to_dict()
    data["format"] = 99

    with pytest.raises(ValueError, match="unsupported result format"):
        ScoreResult.from_dict(data)


@pytest.mark.parametrize("normalization", ["vector", "minmax", "sum", "max", "zscore"])
def test_the_normalised_matrix_is_rebuilt_exactly_on_first_use(normalization):
    result = score(matrix(), weights="equal", normalization=normalization)

    assert result.stored_normalized is None  # scoring went block by block and kept no copy
    expected = normalize(matrix(), normalization, cost_rule=result.params["cost_rule"])
    np.testing.assert_array_equal(result.normalized, expected)
    assert result.normalized is result.normalized and not result.normalized.flags.writeable


def test_a_stored_result_shows_its_stored_tables():
    data = score(matrix(), weights="entropy").to_dict()
    data["normalized"][0][0] = 0.123  # as stored by an older version, say

    back = ScoreResult.from_dict(data)

    assert back.normalized[0, 0] == 0.123
    assert back.rerun().normalized[0, 0] != 0.123


def test_the_json_carries_the_column_statistics_of_the_normalisation():
    data = json.loads(score(matrix(), weights="entropy").to_json())

    assert data["normalization"]["method"] == "vector"
    np.testing.assert_allclose(
        data["normalization"]["statistics"]["norm"], np.sqrt((ex.AIRCRAFT**2).sum(axis=0))
    )


# Stored without what is derived -------------------------------------------------------------------------------

STORED_FORMAT_2 = Path(__file__).with_name("stored_format2.json")  # written by the format-2 to_dict, as runs stored it


@pytest.mark.parametrize("weights", ["entropy", "critic", "equal", "cv", ex.AIRCRAFT_WEIGHTS])
@pytest.mark.parametrize("normalization", ["vector", "minmax", "sum", "max", "zscore"])
def test_a_result_stored_without_its_derived_tables_reads_back_bit_for_bit(weights, normalization):
    result = score(matrix(), weights=weights, method="wsum", normalization=normalization)

    stored = json.loads(json.dumps(result.to_dict(derived=False)))
    back = ScoreResult.from_dict(stored)

    assert {"normalized", "weighted"}.isdisjoint(stored)
    assert back.to_dict() == result.to_dict()
    np.testing.assert_array_equal(back.normalized, result.normalized)
    for name, table in result.weights.tables.items():
        np.testing.assert_array_equal(back.weights.tables[name], table)


@pytest.mark.parametrize(("weights", "left_out"), [("entropy", "proportions"), ("critic", "normalized")])
def test_the_weight_tables_as_large_as_the_matrix_are_left_out(weights, left_out):
    stored = score(matrix(), weights=weights).to_dict(derived=False)

    assert left_out not in stored["weights"]["tables"] and stored["weights"]["tables"]
    assert stored["format"] == 3


def test_weights_given_from_another_matrix_keep_their_tables():
    other = decision_matrix(ex.AIRCRAFT[::-1] * 2, criteria=ex.AIRCRAFT_CRITERIA, directions=ex.AIRCRAFT_DIRECTIONS)
    given = entropy_weights(other)
    result = score(matrix(), weights=given)

    stored = result.to_dict(derived=False)
    back = ScoreResult.from_dict(stored)

    assert result.params["weights"] == "given" and "proportions" in stored["weights"]["tables"]
    np.testing.assert_array_equal(back.weights.tables["proportions"], given.tables["proportions"])


@pytest.mark.parametrize("name", ["entropy_wsum_max", "critic_topsis"])
def test_a_result_stored_in_format_2_still_loads_shows_its_tables_and_reruns(name):
    stored = json.loads(STORED_FORMAT_2.read_text(encoding="utf-8"))[name]

    back = ScoreResult.from_dict(stored)

    assert stored["format"] == 2
    assert back.to_dict() == {**stored, "format": 3}  # the same tables, read as stored
    np.testing.assert_array_equal(back.normalized, np.array(stored["normalized"]))
    again = back.rerun()
    np.testing.assert_array_equal(again.scores, back.scores)
    assert again.to_dict() == back.to_dict()
    assert ScoreResult.from_dict(again.to_dict(derived=False)).to_dict() == back.to_dict()
