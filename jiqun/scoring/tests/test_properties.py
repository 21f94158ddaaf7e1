"""Property tests: invariances the published definitions imply, checked on generated matrices."""

import json
from unittest import mock

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from jiqun.scoring import (
    ScoreResult,
    ScoringInputError,
    ahp,
    combine_weights,
    critic_weights,
    cv_weights,
    decision_matrix,
    entropy_weights,
    normalize,
    rank,
    score,
    tied,
    topsis,
)
from jiqun.scoring.normalize import fit, oriented_cost

SETTINGS = settings(max_examples=60, deadline=None)


# The invariances compared with a tolerance (rtol 1e-9) hold only as far as rounding lets them: on a criterion
# whose values agree to six digits, rounding at the 16th is already 1e-10 of its spread and a near-tie between
# two alternatives magnifies it past the tolerance. Those properties are drawn on criteria spread by 0.1 % or
# more; the exact properties keep every non-constant criterion.
CLEAR_SPREAD = 1e-3
# Entropy weights are d_j / Σd with d_j = 1 − E_j; when no criterion separates the alternatives Σd is of the
# order of the rounding of E_j, so the weights are noise. The entropy invariances want Σd clearly above it.
DIVERGENCE_MARGIN = 1e-2


@st.composite
def matrices(draw, min_rows=3, max_rows=10, spread=1e-6):
    m = draw(st.integers(min_rows, max_rows))
    n = draw(st.integers(2, 5))
    values = draw(arrays(np.float64, (m, n), elements=st.floats(1.0, 1000.0, width=64)))
    assume((values.max(axis=0) > values.min(axis=0) * (1 + spread)).all())  # no (near-)constant column
    directions = draw(st.lists(st.sampled_from("+-"), min_size=n, max_size=n))
    return decision_matrix(values, directions=directions)


# CRITIC divides by the criteria's total conflict Σ_j σ_j Σ_k (1 − ρ_jk). On perfectly correlated criteria it is 0
# and the engine refuses; on nearly correlated ones it is rounding noise, so permuting the rows can flip it
# between refused and "weights made of noise". The CRITIC properties are drawn clear of that edge.
CONFLICT_MARGIN = 1e-3


def critic_well_defined(m) -> bool:
    """Return whether CRITIC weights exist with a conflict no rounding of the rows can cancel."""
    try:
        result = critic_weights(m)
    except ScoringInputError:
        return False
    return bool(result.tables["conflict"].min() > CONFLICT_MARGIN)


def clear_matrices(min_rows: int = 3, max_rows: int = 10) -> st.SearchStrategy:
    """Draw matrices whose every criterion spreads by CLEAR_SPREAD of its values or more."""
    return matrices(min_rows, max_rows, spread=CLEAR_SPREAD)


def critic_matrices(min_rows: int = 3, max_rows: int = 10) -> st.SearchStrategy:
    """Draw clearly spread matrices whose criteria are clearly not all perfectly correlated."""
    return clear_matrices(min_rows, max_rows).filter(critic_well_defined)


def entropy_separates(m) -> bool:
    """Return whether the criteria's total entropy divergence stands clear of rounding noise."""
    return bool(entropy_weights(m).tables["divergence"].sum() > DIVERGENCE_MARGIN)


def entropy_matrices() -> st.SearchStrategy:
    """Draw clearly spread matrices on which entropy weights are more than rounding noise."""
    return clear_matrices().filter(entropy_separates)


def well_separated(scores: np.ndarray) -> bool:
    """True unless two scores are so close that rounding noise could reorder them."""
    ordered = np.sort(scores)
    gaps = np.diff(ordered)
    scale = np.maximum(np.abs(ordered[1:]), np.abs(ordered[:-1]))
    return bool(((gaps == 0) | (gaps > 1e-9 * np.maximum(scale, 1.0))).all())


@SETTINGS
@given(entropy_matrices(), st.floats(0.01, 100.0), st.data())
def test_scaling_a_benefit_column_leaves_topsis_vector_results_unchanged(m, factor, data):
    j = data.draw(st.integers(0, m.shape[1] - 1))
    values = m.values.copy()
    values[:, j] *= factor
    scaled = decision_matrix(values, directions=m.directions)

    a = score(m, weights="entropy", method="topsis", normalization="vector")
    b = score(scaled, weights="entropy", method="topsis", normalization="vector")

    np.testing.assert_allclose(b.weights.weights, a.weights.weights, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(b.scores, a.scores, rtol=1e-9, atol=1e-12)
    # Ranks are compared only when neither side has a near-tie: rounding can leave a score at 0.0 on one side
    # and 1e-19 on the other, which the engine's relative tie rule rightly calls different.
    if well_separated(a.scores) and well_separated(b.scores):
        assert b.ranks.tolist() == a.ranks.tolist()


@SETTINGS
@given(critic_matrices(), st.sampled_from(["topsis", "wsum"]), st.data())
def test_permuting_alternatives_permutes_the_results(m, method, data):
    order = np.array(data.draw(st.permutations(range(m.shape[0]))))
    permuted = decision_matrix(
        m.values[order], alternatives=[m.alternatives[i] for i in order], directions=m.directions
    )

    a = score(m, weights="critic", method=method)
    b = score(permuted, weights="critic", method=method)

    np.testing.assert_allclose(b.scores, a.scores[order], rtol=1e-9, atol=1e-12)
    if well_separated(a.scores) and well_separated(b.scores):  # see the scaling property above
        assert b.ranks.tolist() == a.ranks[order].tolist()


@SETTINGS
@given(matrices(min_rows=2))
def test_objective_weights_are_non_negative_and_sum_to_one(m):
    results = [entropy_weights(m), entropy_weights(m, variant="minmax"), cv_weights(m)]
    if critic_well_defined(m):
        results.append(critic_weights(m))

    for result in results:
        assert (result.weights >= 0).all()
        assert abs(result.weights.sum() - 1) < 1e-12


# Scores in ±1e6 with two decimals: any two differ by 0 (a tie) or by at least 0.01, far above rounding noise, so
# the well_separated guard below never rejects a draw (free floats put near-equal pairs in most draws, and the
# rejections could trip Hypothesis's filter health check on some runs).
SCORES = st.integers(-10**8, 10**8).map(lambda k: k / 100)


@SETTINGS
@given(arrays(np.float64, st.integers(1, 30), elements=SCORES))
def test_min_ranks_count_the_clearly_better_scores(scores):
    assume(well_separated(scores))

    ranks = rank(scores, ties="min")

    for i, s in enumerate(scores):
        better = (scores > s) & ~tied(scores, s)
        assert ranks[i] == 1 + int(better.sum())


@SETTINGS
@given(arrays(np.float64, st.integers(1, 30), elements=SCORES, unique=True))
def test_ranks_of_distinct_scores_are_a_permutation(scores):
    assume(well_separated(scores))

    for ties in ("min", "dense", "max", "ordinal"):
        assert sorted(rank(scores, ties=ties).tolist()) == list(range(1, scores.size + 1))


@SETTINGS
@given(critic_matrices(), st.sampled_from(["topsis", "wsum"]), st.data())
def test_reflecting_a_criterion_and_flipping_its_direction_changes_nothing(m, method, data):
    j = data.draw(st.integers(0, m.shape[1] - 1))
    values = m.values.copy()
    values[:, j] = values[:, j].max() + values[:, j].min() - values[:, j]
    directions = list(m.directions)
    directions[j] = "cost" if directions[j] == "benefit" else "benefit"
    mirrored = decision_matrix(values, directions=directions)

    for weights in ("critic", [1 / m.shape[1]] * m.shape[1]):
        a = score(m, weights=weights, method=method, normalization="minmax", cost_rule="complement")
        b = score(mirrored, weights=weights, method=method, normalization="minmax", cost_rule="complement")
        np.testing.assert_allclose(b.scores, a.scores, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(matrices(), st.sampled_from(["vector", "minmax", "sum", "max"]))
def test_topsis_closeness_lies_between_zero_and_one(m, normalization):
    result = score(m, weights="entropy", normalization=normalization)

    assert ((result.scores >= 0) & (result.scores <= 1)).all()


@SETTINGS
@given(st.integers(2, 9), st.data())
def test_ahp_weights_are_positive_and_lambda_max_is_at_least_n(n, data):
    scale = [1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9]
    a = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a[i, j] = data.draw(st.sampled_from(scale))
            a[j, i] = 1 / a[i, j]

    for priority in ("eigen", "mean", "geometric"):
        result = ahp(a, priority=priority)
        assert (result.weights > 0).all()
        assert abs(result.weights.sum() - 1) < 1e-12
        assert result.lambda_max >= n - 1e-9


@SETTINGS
@given(matrices())
def test_json_round_trip_is_exact(m):
    result = score(m, weights="entropy")

    back = ScoreResult.from_json(result.to_json())

    assert back.to_dict() == result.to_dict()


RULES = [
    ("vector", "none"),
    ("vector", "complement"),
    ("vector", "reciprocal"),
    ("minmax", "complement"),
    ("minmax", "none"),
    ("sum", "reciprocal"),
    ("sum", "complement"),
    ("max", "reciprocal"),
    ("max", "complement"),
    ("zscore", "negate"),
    ("zscore", "none"),
]


@SETTINGS
@given(matrices(), st.sampled_from(RULES))
def test_the_normalised_extremes_are_exactly_the_column_extremes(m, rule):
    scaling = fit(m, rule[0], cost_rule=rule[1])

    r = scaling.apply(m.values)
    extremes = scaling.extremes(m)

    np.testing.assert_array_equal(extremes.max(axis=0), r.max(axis=0))
    np.testing.assert_array_equal(extremes.min(axis=0), r.min(axis=0))


@SETTINGS
@given(matrices(max_rows=40), st.sampled_from(RULES), st.integers(1, 9), st.sampled_from(["topsis", "wsum"]))
def test_scoring_block_by_block_gives_the_whole_matrix_formula(m, rule, block, method):
    normalization, cost_rule = rule
    assume(method == "topsis" or cost_rule != "none")
    whole = score(m, weights="equal", method=method, normalization=normalization, cost_rule=cost_rule)

    with mock.patch("jiqun.scoring.score.BLOCK_ELEMENTS", block * m.shape[1]):
        blocked = score(m, weights="equal", method=method, normalization=normalization, cost_rule=cost_rule)

    by_block = [blocked.scaling.apply(m.values[k : k + block]) for k in range(0, m.shape[0], block)]
    np.testing.assert_array_equal(np.vstack(by_block), whole.normalized)  # bit for bit
    np.testing.assert_allclose(blocked.scores, whole.scores, rtol=1e-14, atol=1e-15)
    if method == "topsis":
        lower_is_better = oriented_cost(m.is_cost, cost_rule)
        expected, _ = topsis(
            normalize(m, normalization, cost_rule=cost_rule), whole.weights.weights, lower_is_better
        )
    else:
        expected = normalize(m, normalization, cost_rule=cost_rule) @ whole.weights.weights
    np.testing.assert_allclose(blocked.scores, expected, rtol=1e-12, atol=1e-14)


@SETTINGS
@given(critic_matrices(), st.floats(0.0, 1.0), st.sampled_from(["linear", "multiplicative"]))
def test_combined_weights_are_non_negative_and_sum_to_one(m, alpha, combination):
    result = combine_weights(critic_weights(m), entropy_weights(m), method=combination, alpha=alpha)

    assert (result.weights >= 0).all()
    assert abs(result.weights.sum() - 1) < 1e-12


@SETTINGS
@given(matrices(), st.sampled_from(["topsis", "wsum"]))
def test_ranks_are_a_permutation_up_to_ties(m, method):
    result = score(m, weights="entropy", method=method)

    ordinal = rank(result.scores, ties="ordinal")
    assert sorted(ordinal.tolist()) == list(range(1, m.shape[0] + 1))
    # 'min' ranks differ from a permutation only inside a tie, where they take the group's best place.
    order = np.argsort(ordinal)
    assert result.ranks[order[0]] == 1
    assert (np.diff(result.ranks[order]) >= 0).all()


@SETTINGS
@given(clear_matrices(), st.data())
def test_a_cost_criterion_is_the_mirror_of_a_benefit_criterion_under_topsis(m, data):
    # Hwang & Yoon: a cost criterion takes its ideal at the minimum. Negating its values and calling it a
    # benefit gives the same distances under an affine normalisation (min-max, the reflection undone).
    j = data.draw(st.integers(0, m.shape[1] - 1))
    values = m.values.copy()
    values[:, j] *= -1.0
    directions = list(m.directions)
    directions[j] = "benefit" if directions[j] == "cost" else "cost"
    mirrored = decision_matrix(values, directions=directions)
    weights = [1 / m.shape[1]] * m.shape[1]

    a = score(m, weights=weights, normalization="minmax", cost_rule="none")
    b = score(mirrored, weights=weights, normalization="minmax", cost_rule="none")

    np.testing.assert_allclose(b.scores, a.scores, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(matrices(), st.data())
def test_a_duplicated_criterion_is_refused_as_perfectly_correlated_or_weighs_as_much_as_its_copy(m, data):
    # The refusal is an outcome the property expects: with one criterion (plus its copy) every criterion is
    # perfectly correlated with the others, and CRITIC has nothing to weigh.
    j = data.draw(st.integers(0, m.shape[1] - 1))
    keep = data.draw(st.lists(st.integers(0, m.shape[1] - 1), min_size=1, max_size=m.shape[1], unique=True))
    columns = sorted(set(keep) | {j})
    values = np.column_stack([m.values[:, columns], m.values[:, j]])
    directions = [m.directions[k] for k in columns] + [m.directions[j]]
    duplicated = decision_matrix(values, directions=directions)

    try:
        result = critic_weights(duplicated)
    except ScoringInputError as refusal:
        assert "各指标之间完全相关" in str(refusal)
        return
    np.testing.assert_allclose(result.weights[columns.index(j)], result.weights[-1], rtol=1e-9, atol=1e-12)


@SETTINGS
@given(matrices(min_rows=2), st.sampled_from(["entropy", "critic", "equal", "cv"]),
       st.sampled_from(["raw", "minmax"]), st.sampled_from(["topsis", "wsum"]),
       st.sampled_from(["vector", "minmax", "sum", "max", "zscore"]))
def test_a_result_stored_without_its_derived_tables_reads_back_bit_for_bit(m, weights, variant, method, normalization):
    try:
        result = score(m, weights=weights, entropy_variant=variant, method=method, normalization=normalization)
    except ScoringInputError:
        assume(False)

    back = ScoreResult.from_json(json.dumps(result.to_dict(derived=False)))

    assert back.to_dict() == result.to_dict()
