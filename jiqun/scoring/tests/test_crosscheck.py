"""Cross-checks against pymcdm and scikit-criteria where their variant matches the published one.

Where they differ from the published definition the difference is pinned here and explained in
docs/methods.md ("Differences from pymcdm and scikit-criteria").
"""

import warnings

import numpy as np
import pytest

from jiqun.scoring import (
    ScoringInputError,
    ahp,
    critic_weights,
    decision_matrix,
    entropy_weights,
    normalize,
    rank,
    score,
)
from jiqun.scoring.tests import examples as ex

pymcdm = pytest.importorskip("pymcdm")
skcriteria = pytest.importorskip("skcriteria")

from pymcdm import normalizations as pn  # noqa: E402
from pymcdm import weights as pw  # noqa: E402
from pymcdm.helpers import rrankdata  # noqa: E402
from pymcdm.methods import TOPSIS as PymcdmTopsis  # noqa: E402
from pymcdm.weights.subjective import AHP as PymcdmAhp  # noqa: E402
from skcriteria.agg.simple import WeightedSumModel  # noqa: E402
from skcriteria.agg.topsis import TOPSIS as SkcTopsis  # noqa: E402
from skcriteria.preprocessing import weighters as sw  # noqa: E402
from skcriteria.preprocessing.invert_objectives import InvertMinimize  # noqa: E402
from skcriteria.preprocessing.scalers import MaxAbsScaler, MinMaxScaler, SumScaler, VectorScaler  # noqa: E402
from skcriteria.utils.rank import rank_values  # noqa: E402

TYPES = np.array([1, 1, 1, -1, 1, 1])


def aircraft():
    return decision_matrix(ex.AIRCRAFT, directions=ex.AIRCRAFT_DIRECTIONS)


def random_matrix(seed, zeros=False):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 100, size=(12, 5))
    if zeros:
        x[3, 2] = 0.0
    return x


def test_topsis_matches_pymcdm_with_vector_normalisation():
    ours = score(aircraft(), weights=ex.AIRCRAFT_WEIGHTS).scores

    theirs = PymcdmTopsis(pn.vector_normalization)(ex.AIRCRAFT, np.array(ex.AIRCRAFT_WEIGHTS), TYPES)

    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_pymcdm_topsis_default_is_minmax_not_hwang_yoon():
    ours = score(aircraft(), weights=ex.AIRCRAFT_WEIGHTS, normalization="minmax").scores

    theirs = PymcdmTopsis()(ex.AIRCRAFT, np.array(ex.AIRCRAFT_WEIGHTS), TYPES)

    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert not np.allclose(theirs, ex.AIRCRAFT_CLOSENESS, atol=1e-3)


def test_topsis_matches_scikit_criteria_vector_scaler_pipeline():
    dm = skcriteria.mkdm(ex.AIRCRAFT, objectives=[max, max, max, min, max, max], weights=ex.AIRCRAFT_WEIGHTS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SkcTopsis().evaluate(VectorScaler(target="matrix").transform(dm))

    ours = score(aircraft(), weights=ex.AIRCRAFT_WEIGHTS)

    np.testing.assert_allclose(ours.scores, theirs.e_.similarity, rtol=1e-12)
    np.testing.assert_allclose(ours.tables["ideal"], theirs.e_.ideal, rtol=1e-12)
    assert ours.ranks.tolist() == theirs.rank_.tolist()


@pytest.mark.parametrize("seed", range(3))
def test_entropy_raw_matches_scikit_criteria(seed):
    x = random_matrix(seed, zeros=True)

    ours = entropy_weights(decision_matrix(x)).weights

    np.testing.assert_allclose(ours, sw.entropy_weights(x), rtol=1e-12)


def test_entropy_matches_pymcdm_on_positive_data_but_pymcdm_refuses_a_zero():
    x = random_matrix(0)
    np.testing.assert_allclose(entropy_weights(decision_matrix(x)).weights, pw.entropy_weights(x), rtol=1e-12)

    with pytest.raises(ValueError):
        pw.entropy_weights(random_matrix(0, zeros=True))


def test_critic_matches_scikit_criteria_with_cost_criteria():
    ours = critic_weights(aircraft()).weights

    theirs = sw.critic_weights(ex.AIRCRAFT, TYPES)

    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_pymcdm_critic_ignores_the_cost_direction():
    all_benefit = critic_weights(decision_matrix(ex.AIRCRAFT)).weights
    with_cost = critic_weights(aircraft()).weights

    theirs = pw.critic_weights(ex.AIRCRAFT, TYPES)

    np.testing.assert_allclose(theirs, all_benefit, rtol=1e-12)
    assert not np.allclose(theirs, with_cost)


def test_ahp_eigenvector_matches_pymcdm_and_its_cr_uses_tummala_ling():
    a = ex.house_matrix()
    theirs = PymcdmAhp(matrix=a)

    np.testing.assert_allclose(ahp(a).weights, theirs(), rtol=1e-10)
    assert ahp(a, ri="tummala-ling").cr == pytest.approx(theirs.get_cr(), rel=1e-10)
    assert ahp(a).cr != pytest.approx(theirs.get_cr(), rel=1e-3)


@pytest.mark.parametrize(
    ("method", "cost_rule", "theirs"),
    [
        ("minmax", "complement", pn.minmax_normalization),
        ("vector", "complement", pn.vector_normalization),
        ("sum", "reciprocal", pn.sum_normalization),
        ("max", "complement", pn.max_normalization),
        ("max", "reciprocal", pn.linear_normalization),
    ],
)
def test_normalisations_match_pymcdm_column_by_column(method, cost_rule, theirs):
    x = random_matrix(4)
    directions = "+,-,+,-,+"

    ours = normalize(decision_matrix(x, directions=directions), method, cost_rule=cost_rule)

    for j, cost in enumerate([False, True, False, True, False]):
        np.testing.assert_allclose(ours[:, j], theirs(x[:, j], cost), rtol=1e-14)


@pytest.mark.parametrize(("method", "scaler"), [("sum", SumScaler), ("max", MaxAbsScaler)])
def test_reciprocal_cost_rule_matches_scikit_criteria_invert_minimize(method, scaler):
    x = random_matrix(5)
    dm = skcriteria.mkdm(x, objectives=[max, min, max, min, max])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = scaler(target="matrix").transform(InvertMinimize().transform(dm)).matrix.to_numpy()

    ours = normalize(decision_matrix(x, directions="+,-,+,-,+"), method)

    np.testing.assert_allclose(ours, theirs, rtol=1e-14)


def test_weighted_sum_matches_scikit_criteria_weighted_sum_model():
    x = random_matrix(6)
    w = np.array([0.3, 0.1, 0.2, 0.25, 0.15])
    dm = skcriteria.mkdm(x, objectives=[max] * 5, weights=w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = WeightedSumModel().evaluate(MinMaxScaler(target="matrix").transform(dm))

    ours = score(decision_matrix(x), weights=w, method="wsum")

    np.testing.assert_allclose(ours.scores, theirs.e_.score, rtol=1e-12)
    assert ours.ranks.tolist() == theirs.rank_.tolist()


def test_pymcdm_minmax_turns_a_constant_criterion_into_ones_where_we_refuse():
    x = np.array([[1.0, 2.0], [3.0, 2.0], [2.0, 2.0]])

    assert pn.minmax_normalization(x[:, 1]).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ScoringInputError, match="criterion 'C2': all alternatives have the same value"):
        normalize(decision_matrix(x), "minmax")


def test_tie_rules_differ_pymcdm_averages_scikit_criteria_is_dense_and_both_need_exact_equality():
    scores = np.array([0.9, 0.5, 0.5, 0.1])

    assert rrankdata(scores).tolist() == [1.0, 2.5, 2.5, 4.0]
    assert rank_values(scores, reverse=True).tolist() == [1, 2, 2, 3]
    assert rank(scores).tolist() == [1, 2, 2, 4]
    assert rank(scores, ties="dense").tolist() == rank_values(scores, reverse=True).tolist()
    # 0.1 + 0.2 and 0.3 differ in the last bit: both libraries rank them apart, we tie them.
    assert rrankdata(np.array([0.1 + 0.2, 0.3])).tolist() == [1.0, 2.0]
    assert rank([0.1 + 0.2, 0.3]).tolist() == [1, 1]


def test_scikit_criteria_critic_uses_the_population_std_which_gives_the_same_weights():
    x = random_matrix(7)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sw.critic_weights(x, np.ones(5))

    np.testing.assert_allclose(critic_weights(decision_matrix(x)).weights, theirs, rtol=1e-12)
